"""The functions the book minimises: test functions, regression problems and the shipped data."""

from .data import (CHECKSUMS, Dataset, LinearRegression, LogisticRegression, load_breast_cancer,
                   load_diabetes, make_classification, make_regression)
from .base import ProblemLike
from .functions import Himmelblau, LogCosh, Problem, Quadratic, Rosenbrock, Saddle, Valley
from .gradcheck import check_grad, numerical_grad, numerical_hess

__all__ = ["Problem", "ProblemLike", "Quadratic", "Rosenbrock", "Saddle", "Himmelblau", "Valley", "LogCosh",
           "LinearRegression", "LogisticRegression", "Dataset", "load_diabetes", "load_breast_cancer",
           "make_regression", "make_classification", "CHECKSUMS", "numerical_grad", "numerical_hess",
           "check_grad"]
