r"""Convergence theory, derived with SymPy — the only part of gdlib that imports it.

Each function builds its result from the model, step by step, and returns a :class:`Derivation` whose
steps a chapter can display (as LaTeX in a notebook, as text elsewhere) and whose ``result`` holds the
final SymPy expressions. Nothing here is a stored answer: change a line of a model and the result changes.

One module per topic: ``gradient_descent`` (quadratics, chapters 1–2), ``rates`` (beyond quadratics,
chapter 2), ``momentum`` (chapter 4), ``symbolic`` (a problem's
SymPy form); ``_base`` holds the book's symbols and :class:`Derivation`. Everything is re-exported here, so
chapters write ``gd.theory.heavy_ball()``.
"""

from ._base import SYMBOLS, Derivation
from ._display import Shown
from .gradient_descent import (
    gd_contraction,
    gd_optimal_step,
    gd_stability,
    iterations_to_epsilon,
    kantorovich_bound,
)
from .momentum import Textbook, heavy_ball, nesterov_rate
from .rates import descent_lemma, nonconvex_stationarity, pl_rate, smooth_convex_bound, strongly_convex_rate
from .symbolic import Symbolic, symbolic

__all__ = [
    "Derivation",
    "SYMBOLS",
    "Symbolic",
    "symbolic",
    "gd_contraction",
    "gd_stability",
    "gd_optimal_step",
    "iterations_to_epsilon",
    "descent_lemma",
    "smooth_convex_bound",
    "strongly_convex_rate",
    "pl_rate",
    "nonconvex_stationarity",
    "kantorovich_bound",
    "Shown",
    "heavy_ball",
    "nesterov_rate",
    "Textbook",
]
