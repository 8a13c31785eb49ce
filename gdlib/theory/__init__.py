r"""Convergence theory, derived with SymPy — the only part of gdlib that imports it.

Each function builds its result from the model, step by step, and returns a :class:`Derivation` whose
steps a chapter can display (as LaTeX in a notebook, as text elsewhere) and whose ``result`` holds the
final SymPy expressions. Nothing here is a stored answer: change a line of a model and the result changes.

One module per topic: ``gradient_descent`` (quadratics, chapters 1–2), ``rates`` (beyond quadratics,
chapter 2), ``momentum`` (chapter 4), ``adaptive`` (chapter 5), ``weight_decay`` (chapter 6),
``schedules`` (chapter 7), ``engineering`` (chapter 8), ``landscape`` (chapter 9), ``symbolic`` (a problem's
SymPy form); ``_base`` holds the book's symbols and :class:`Derivation`.
Everything is re-exported here, so chapters write ``gd.theory.heavy_ball()``.
"""

from ._base import SYMBOLS, Derivation
from ._display import Shown
from .adaptive import adam_bias_correction, adam_epsilon_hat, ema_memory, radam_rectification
from .engineering import accumulation_identity, clipping_step_size, dense_layer_flops
from .gradient_descent import (
    gd_contraction,
    gd_optimal_step,
    gd_stability,
    iterations_to_epsilon,
    kantorovich_bound,
)
from .landscape import (
    deep_linear_mode,
    saddle_escape,
    saddle_escape_momentum,
    saddle_escape_noise,
    sam_ascent,
    saxe_mode,
)
from .momentum import Textbook, heavy_ball, nesterov_rate
from .rates import descent_lemma, nonconvex_stationarity, pl_rate, smooth_convex_bound, strongly_convex_rate
from .schedules import constant_step_floor, diminishing_step_rate, noise_floor_recursion, step_decay_rate
from .symbolic import Symbolic, symbolic
from .weight_decay import (
    adamw_fixed_point,
    decay_schedule_conversion,
    scale_invariant_equilibrium,
    sgd_l2_equals_decoupled,
    sgd_momentum_l2_vs_decoupled,
)

__all__ = [
    "saddle_escape",
    "saddle_escape_momentum",
    "saddle_escape_noise",
    "saxe_mode",
    "deep_linear_mode",
    "sam_ascent",
    "clipping_step_size",
    "accumulation_identity",
    "dense_layer_flops",
    "ema_memory",
    "adam_bias_correction",
    "adam_epsilon_hat",
    "radam_rectification",
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
    "sgd_l2_equals_decoupled",
    "sgd_momentum_l2_vs_decoupled",
    "adamw_fixed_point",
    "decay_schedule_conversion",
    "scale_invariant_equilibrium",
    "noise_floor_recursion",
    "constant_step_floor",
    "diminishing_step_rate",
    "step_decay_rate",
]
