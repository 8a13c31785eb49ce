"""The functions the book minimises: test functions, regression problems and the shipped data."""

from .base import ProblemLike
from .data import (
    CHECKSUMS,
    Dataset,
    LinearRegression,
    LogisticRegression,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_classification,
    make_regression,
)
from .functions import Himmelblau, LogCosh, Problem, Quadratic, Rosenbrock, Saddle, Valley
from .gradcheck import check_grad, numerical_grad, numerical_hess
from .least_squares import CurveFit
from .mlp import MLP
from .models import DeepLinear, LessardRechtPackard, MatrixFactorization, NesterovWorstCase
from .synthetic import make_low_rank, make_noise_scale_classification, make_sparse_classification

__all__ = [
    "Problem",
    "ProblemLike",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "Himmelblau",
    "Valley",
    "LogCosh",
    "LinearRegression",
    "LogisticRegression",
    "Dataset",
    "load_diabetes",
    "load_breast_cancer",
    "make_regression",
    "make_classification",
    "CHECKSUMS",
    "numerical_grad",
    "numerical_hess",
    "check_grad",
    "load_digits",
    "MatrixFactorization",
    "DeepLinear",
    "LessardRechtPackard",
    "NesterovWorstCase",
    "make_low_rank",
    "make_sparse_classification",
    "make_noise_scale_classification",
    "MLP",
    "CurveFit",
]
