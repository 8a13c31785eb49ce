"""gdlib: the numerical library of the executable textbook on gradient descent.

Notebooks write ``import gdlib as gd``. ``import gdlib`` needs only numpy; the submodules ``theory``
(SymPy), ``plots`` (matplotlib) and ``widgets`` (ipywidgets) are imported on first use.
"""

import importlib

__version__ = "0.2.0"

# --- optimizers ---
from .optimizers import (
    SGD,
    Adadelta,
    AdadeltaState,
    Adagrad,
    AdagradState,
    Adam,
    AdamState,
    AdamW,
    GradientDescent,
    GradientDescentState,
    NAdam,
    NAdamState,
    RAdam,
    RAdamState,
    RMSprop,
    RMSpropState,
    SGDState,
)
from .optimizers import (
    EMA,
    LAMB,
    LARS,
    SAM,
    Accumulate,
    AccumulateState,
    EMAState,
    LAMBState,
    LARSState,
    Lion,
    LionState,
    Lookahead,
    LookaheadState,
    ParamGroups,
    ParamGroupsState,
    SAMState,
)
from .optimizers import (
    BFGS,
    LBFGS,
    BFGSState,
    ConjugateGradient,
    ConjugateGradientState,
    GaussNewton,
    GaussNewtonState,
    LBFGSState,
    LevenbergMarquardt,
    LevenbergMarquardtState,
    Newton,
    NewtonState,
)

# --- schedules and clipping ---
from . import schedules
from .clipping import clip_grad_norm, clip_grad_value

# --- low precision ---
from . import precision
from .precision import LossScaler, LossScalerState, format_info, mixed_precision_grad, round_to

# --- problems ---
from .problems import (
    Dataset,
    ProblemLike,
    Himmelblau,
    LinearRegression,
    LogCosh,
    LogisticRegression,
    Problem,
    Quadratic,
    Rosenbrock,
    Saddle,
    Valley,
    check_grad,
    load_breast_cancer,
    load_diabetes,
    make_classification,
    make_regression,
    numerical_grad,
    numerical_hess,
)
from .problems import (
    DeepLinear,
    LessardRechtPackard,
    MatrixFactorization,
    NesterovWorstCase,
    load_digits,
    make_low_rank,
    make_noise_scale_classification,
    make_sparse_classification,
)
from .problems import MLP
from .problems import CurveFit

# --- runner, oracle, structured parameters and line searches ---
from . import tree
from .linesearch import SteepestDescent, SteepestDescentState, armijo_step, exact_step, steepest_descent
from .oracle import Oracle
from .runner import STATUSES, RunResult, StepInfo, minibatches, run

# --- source display and self-check exercises ---
from .selfcheck import answer_key, attempt, check, check_answer, expect_close
from .source import show_source

# --- a function the reader types ---
from .parse import ParseError, parse_function

_LAZY_SUBMODULES = ("theory", "plots", "widgets")


def __getattr__(name):
    # PEP 562: the heavy submodules are imported only when a chapter first uses them.
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    # optimizers
    "GradientDescent",
    "GradientDescentState",
    "SGD",
    "SGDState",
    "Adagrad",
    "AdagradState",
    "RMSprop",
    "RMSpropState",
    "Adadelta",
    "AdadeltaState",
    "Adam",
    "AdamState",
    "AdamW",
    "NAdam",
    "NAdamState",
    "RAdam",
    "RAdamState",
    "LARS",
    "LARSState",
    "LAMB",
    "LAMBState",
    "Lion",
    "LionState",
    "SAM",
    "SAMState",
    "Accumulate",
    "AccumulateState",
    "Lookahead",
    "LookaheadState",
    "EMA",
    "EMAState",
    "ParamGroups",
    "ParamGroupsState",
    "LBFGS",
    "LBFGSState",
    "BFGS",
    "BFGSState",
    "ConjugateGradient",
    "ConjugateGradientState",
    "Newton",
    "NewtonState",
    "GaussNewton",
    "GaussNewtonState",
    "LevenbergMarquardt",
    "LevenbergMarquardtState",
    # schedules and clipping
    "schedules",
    "clip_grad_norm",
    "clip_grad_value",
    # low precision
    "precision",
    "round_to",
    "format_info",
    "mixed_precision_grad",
    "LossScaler",
    "LossScalerState",
    # problems
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
    "numerical_grad",
    "numerical_hess",
    "check_grad",
    "MatrixFactorization",
    "DeepLinear",
    "LessardRechtPackard",
    "NesterovWorstCase",
    "load_digits",
    "make_low_rank",
    "make_sparse_classification",
    "make_noise_scale_classification",
    "MLP",
    "CurveFit",
    # runner, oracle, structured parameters and line searches
    "run",
    "RunResult",
    "StepInfo",
    "STATUSES",
    "minibatches",
    "Oracle",
    "tree",
    "SteepestDescent",
    "SteepestDescentState",
    "steepest_descent",
    "exact_step",
    "armijo_step",
    # source display and self-check exercises
    "show_source",
    "check",
    "check_answer",
    "answer_key",
    "attempt",
    "expect_close",
    # a function the reader types
    "parse_function",
    "ParseError",
    # submodules imported on first use
    *_LAZY_SUBMODULES,
]
