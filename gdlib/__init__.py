"""gdlib: the numerical library of the executable textbook on gradient descent.

Notebooks write ``import gdlib as gd``. ``import gdlib`` needs only numpy; the submodules ``theory``
(SymPy), ``plots`` (matplotlib) and ``widgets`` (ipywidgets) are imported on first use.
"""

import importlib

__version__ = "0.1.0"

# --- optimizers ---
from .optimizers import (SGD, Adadelta, AdadeltaState, Adagrad, AdagradState, Adam, AdamState, AdamW,
                         GradientDescent, GradientDescentState, NAdam, NAdamState, RAdam, RAdamState,
                         RMSprop, RMSpropState, SGDState)

# --- schedules and clipping ---
from . import schedules
from .clipping import clip_grad_norm, clip_grad_value

# --- problems ---
from .problems import (Dataset, Himmelblau, LinearRegression, LogCosh, LogisticRegression, Problem, Quadratic,
                       Rosenbrock, Saddle, Valley, check_grad, load_breast_cancer, load_diabetes,
                       make_classification, make_regression, numerical_grad, numerical_hess)

# --- runner, oracle, structured parameters and line searches ---
from . import tree
from .linesearch import SteepestDescent, SteepestDescentState, armijo_step, exact_step, steepest_descent
from .oracle import Oracle
from .runner import STATUSES, RunResult, StepInfo, minibatches, run

# --- source display and self-check exercises ---
from .selfcheck import attempt, check, expect_close
from .source import show_source

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
    "GradientDescent", "GradientDescentState", "SGD", "SGDState", "Adagrad", "AdagradState", "RMSprop",
    "RMSpropState", "Adadelta", "AdadeltaState", "Adam", "AdamState", "AdamW", "NAdam", "NAdamState", "RAdam",
    "RAdamState",
    # schedules and clipping
    "schedules", "clip_grad_norm", "clip_grad_value",
    # problems
    "Problem", "Quadratic", "Rosenbrock", "Saddle", "Himmelblau", "Valley", "LogCosh", "LinearRegression",
    "LogisticRegression", "Dataset", "load_diabetes", "load_breast_cancer", "make_regression",
    "make_classification", "numerical_grad", "numerical_hess", "check_grad",
    # runner, oracle, structured parameters and line searches
    "run", "RunResult", "StepInfo", "STATUSES", "minibatches", "Oracle", "tree", "SteepestDescent",
    "SteepestDescentState", "steepest_descent", "exact_step", "armijo_step",
    # source display and self-check exercises
    "show_source", "check", "attempt", "expect_close",
    # submodules imported on first use
    *_LAZY_SUBMODULES,
]
