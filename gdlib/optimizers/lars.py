r"""LARS (You, Gitman & Ginsburg 2017) and LAMB (You et al. 2020): layer-wise trust ratios, as optax's ``lars``
and ``lamb``.

Both rescale the step of each *layer* (each array of structured parameters, see :mod:`gdlib.tree`) by a
trust ratio ‖w‖/‖u‖, so every layer moves by a set fraction of its own size whatever the scale of its
gradient. They therefore need the whole model at once (``elementwise = False``) and handle trees themselves.

**Layers and runs.** For a tree each array is a layer. A plain array is one layer whose *last* axis holds
the parameters; its leading axes are runs (gdlib's flat convention), so a matrix layer must be passed inside a
tree (``{"W": W}``) to get one norm for the whole matrix. Vectorised runs of a tree need the oracle's
``run_ndim`` (``gd.run`` passes the oracle; that is all LARS and LAMB use it for).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_adam_family, check_non_negative, check_same_shape
from ._base import Optimizer

__all__ = ["LARS", "LARSState", "LAMB", "LAMBState"]


def _prepare_tree_step(opt, x, g, state):
    """The checks of ``Optimizer._prepare`` for an optimizer that takes trees: the state is ``opt``'s own,
    and x and g are arrays of the same shape or trees of the same structure and shapes."""
    tree.check_params("x", x)
    tree.check_params("g", g)
    if not isinstance(state, opt.State):
        raise TypeError(
            f"state must be of type {opt.State.__name__}, made by {type(opt).__name__}.init(x) "
            f"(got {type(state).__name__}: a state from another optimizer?)"
        )
    tree.tree_map(lambda a, b: check_same_shape("x", a, "g", b), x, g)


def _keep_masks(opt, *names):
    """Run the base class's checks, keeping the mask fields as given (it would turn a tuple of booleans into a
    float array)."""
    given = {name: getattr(opt, name) for name in names}
    for name in names:
        object.__setattr__(opt, name, True)
    Optimizer.__post_init__(opt)
    for name, value in given.items():
        if not (isinstance(value, (bool, np.bool_, tuple, list, dict)) or callable(value)):
            raise TypeError(
                f"{name} must be True, False, a tree of booleans shaped like the parameters, or a "
                f"function of the parameters returning one (got {type(value).__name__})"
            )
        object.__setattr__(opt, name, value)


def _mask_tree(name, mask, x):
    """The mask as a tree of booleans of x's structure: True where the transformation applies.

    ``mask`` is a bool (every array), a tree of booleans with x's structure, or a function of the parameters
    returning one (as optax's masks). For a plain array it is a single bool.
    """
    value = mask(x) if callable(mask) else mask
    if isinstance(value, (bool, np.bool_)):
        return tree.tree_map(lambda _: bool(value), x)

    def leaf(_, flag):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must hold one True/False per parameter array (got {flag!r})")
        return bool(flag)

    try:
        return tree.tree_map(leaf, x, value)
    except ValueError as exc:
        raise ValueError(f"{name} must have the structure of the parameters: {exc}") from None


def _run_ndim(x, oracle):
    """The number of leading run axes: the oracle's when known, else gdlib.tree's flat convention."""
    given = None if oracle is None else oracle.run_ndim
    return tree.run_ndim_of(x) if given is None else int(given)


def _per_run(value, leaf, nd):
    """A per-run number (shape = the run axes) shaped to broadcast against ``leaf``."""
    value = np.asarray(value)
    return value.reshape(value.shape + (1,) * (np.ndim(leaf) - nd))


def _trust_ratio(w, u, nd, coefficient=1.0, eps=0.0):
    r"""optax's trust ratio of one layer, one per run: :math:`c\,\lVert w\rVert / (\lVert u\rVert + \epsilon)`,
    and 1 when ‖w‖ = 0 or ‖u‖ = 0 (a layer at zero, or with nothing to do, takes the plain step). Shaped to
    broadcast against w (so c and ε may be one value per run, a column like the other hyperparameters)."""
    w_norm, u_norm = _per_run(tree.norm(w, nd), w, nd), _per_run(tree.norm(u, nd), w, nd)
    zero = (w_norm == 0) | (u_norm == 0)
    ratio = coefficient * w_norm / np.where(zero, 1, u_norm + eps)
    return np.where(zero, 1, ratio)


class LARSState(NamedTuple):
    t: int  #: steps taken
    momentum_buffer: object  #: b, the momentum trace of the scaled steps (zeros at the start), shaped like x


@dataclass(frozen=True, repr=False)
class LARS(Optimizer):
    r"""LARS, layer-wise adaptive rate scaling: SGD with momentum whose step in each layer is rescaled by
    a trust ratio, in optax's form (``optax.lars``).

    .. math::
        u_t &= g_t + \lambda\, w_t \qquad\text{(if the layer is in the weight-decay mask)} \\
        u_t &\leftarrow c\,\frac{\lVert w_t\rVert}{\lVert u_t\rVert + \epsilon}\; u_t
            \qquad\text{(per layer, if in the trust-ratio mask; the ratio is 1 if a norm is 0)} \\
        b_{t+1} &= \mu\, b_t + \eta_t\, u_t \\
        w_{t+1} &= w_t - b_{t+1} \qquad\text{or, Nesterov,}\qquad w_{t+1} = w_t - (\eta_t u_t + \mu\, b_{t+1})

    ======  =====================  =====================================================================
    symbol  argument               meaning
    ======  =====================  =====================================================================
    η       ``lr``                 learning rate (number or schedule); it sits *inside* the momentum trace
    μ       ``momentum``           decay of the trace b, μ ≥ 0
    λ       ``weight_decay``       weight decay added to the gradient before the trust ratio, λ ≥ 0
    c       ``trust_coefficient``  multiplier of the trust ratio, c ≥ 0 (0.001 as optax)
    ε       ``eps``                added to ‖u‖ in the trust ratio, ε ≥ 0
    —       ``nesterov``           Nesterov's form of the trace (optax's ``trace(nesterov=True)``)
    —       ``weight_decay_mask``  which layers get weight decay: True/False, a tree of booleans like the
                                   parameters, or a function of the parameters returning one
    —       ``trust_ratio_mask``   which layers are rescaled (the others take the plain step η u)
    ======  =====================  =====================================================================

    Where optax differs from the paper: You et al. divide by ‖g‖ + λ‖w‖, optax (and this class) by
    ‖g + λw‖; the paper's ratio has no ε and no fallback, optax's is 1 when ‖w‖ or ‖g + λw‖ is zero
    (biases start at zero: their first step is the plain η(g + λw), large when η is tuned for ratios of
    order c); no clipping of the ratio (the φ of LAMB's paper) is applied. A plain array is one layer per
    run (the module docstring says how layers and runs are told apart).

    >>> import numpy as np
    >>> opt = LARS(lr=1.0, momentum=0.0, trust_coefficient=0.1)
    >>> x = np.array([3.0, 4.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 10.0]) * x, state)  # L = ½(θ₁² + 10 θ₂²), ‖θ‖ = 5
    >>> round(float(np.linalg.norm(x - [3.0, 4.0])), 6)             # the step is ηc‖θ‖ = 0.5 long
    0.5

    Reference: Y. You, I. Gitman, B. Ginsburg (2017), Large batch training of convolutional networks,
    arXiv:1708.03888.
    """

    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 0.0
    trust_coefficient: float = 0.001
    eps: float = 0.0
    nesterov: bool = False
    weight_decay_mask: object = True
    trust_ratio_mask: object = True

    State = LARSState
    elementwise = False
    uses_oracle = True  # for oracle.run_ndim only

    def __post_init__(self):
        _keep_masks(self, "weight_decay_mask", "trust_ratio_mask")

    def _check(self):
        for name in ("momentum", "weight_decay", "trust_coefficient", "eps"):
            check_non_negative(name, getattr(self, name))

    def init(self, x):
        return LARSState(t=0, momentum_buffer=tree.zeros_like(x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        eta, mu, lam, c, eps = self._at(
            state.t, tree.leaves(x)[0], "lr", "momentum", "weight_decay", "trust_coefficient", "eps"
        )
        nd = _run_ndim(x, oracle)
        decay = _mask_tree("weight_decay_mask", self.weight_decay_mask, x)
        trust = _mask_tree("trust_ratio_mask", self.trust_ratio_mask, x)
        u = tree.tree_map(lambda w, g, on: g + lam * w if on else g, x, g, decay)
        u = tree.tree_map(lambda w, u, on: _trust_ratio(w, u, nd, c, eps) * u if on else u, x, u, trust)
        b = tree.tree_map(lambda u, b: eta * u + mu * b, u, state.momentum_buffer)
        d = tree.tree_map(lambda u, b: eta * u + mu * b, u, b) if self.nesterov else b
        return tree.tree_map(lambda w, d: w - d, x, d), LARSState(state.t + 1, b)


class LAMBState(NamedTuple):
    t: int  #: steps taken
    m: object  #: first moment, moving average of g, shaped like x
    v: object  #: second moment, moving average of g², shaped like x


@dataclass(frozen=True, repr=False)
class LAMB(Optimizer):
    r"""LAMB, layer-wise adaptive moments for batch training: the Adam direction plus decoupled weight
    decay, rescaled per layer by a trust ratio, in optax's form (``optax.lamb``).

    .. math::
        m_{t+1} &= \beta_1 m_t + (1 - \beta_1)\, g_t, \qquad v_{t+1} = \beta_2 v_t + (1 - \beta_2)\, g_t^2 \\
        u_t &= \frac{m_{t+1}/(1 - \beta_1^{t+1})}{\sqrt{v_{t+1}/(1 - \beta_2^{t+1})} + \epsilon}
            + \lambda\, w_t \qquad\text{(λw only for layers in the mask)} \\
        w_{t+1} &= w_t - \eta_t\, \frac{\lVert w_t\rVert}{\lVert u_t\rVert}\, u_t
            \qquad\text{(per layer; the ratio is 1 if a norm is 0)}

    ======  =====================  =====================================================================
    symbol  argument               meaning
    ======  =====================  =====================================================================
    η       ``lr``                 learning rate (number or schedule)
    β₁, β₂  ``betas``              decay rates of the two moments, each in [0, 1) (optax's b1, b2)
    ε       ``eps``                added outside the square root, ε ≥ 0 (1e-6 as optax)
    λ       ``weight_decay``       decoupled weight decay added to the Adam direction, λ ≥ 0
    —       ``weight_decay_mask``  which layers get weight decay: True/False, a tree of booleans like the
                                   parameters, or a function of the parameters returning one
    ======  =====================  =====================================================================

    Where optax differs from the paper: You et al. scale by φ(‖w‖)/‖u‖ with a clipping function φ; optax
    (and this class) take φ(z) = z, and a ratio of 1 when ‖w‖ or ‖u‖ is zero. optax's ``eps_root`` (inside
    the square root) is not offered. A plain array is one layer per run (see the module docstring).

    >>> import numpy as np
    >>> opt = LAMB(lr=0.1)
    >>> x = np.array([3.0, 4.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 10.0]) * x, state)
    >>> round(float(np.linalg.norm(x - [3.0, 4.0])), 6)      # the first step is η‖θ‖ = 0.5 long
    0.5

    Reference: Y. You, J. Li, S. Reddi, J. Hseu, S. Kumar, S. Bhojanapalli, X. Song, J. Demmel, K. Keutzer,
    C.-J. Hsieh (2020), Large batch optimization for deep learning: training BERT in 76 minutes, ICLR
    (arXiv:1904.00962).
    """

    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-6
    weight_decay: float = 0.0
    weight_decay_mask: object = True

    State = LAMBState
    elementwise = False
    uses_oracle = True  # for oracle.run_ndim only

    def __post_init__(self):
        _keep_masks(self, "weight_decay_mask")

    def _check(self):
        check_adam_family(self)

    def init(self, x):
        return LAMBState(t=0, m=tree.zeros_like(x), v=tree.zeros_like(x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        eta, (beta1, beta2), eps, lam = self._at(state.t, tree.leaves(x)[0], "lr", "betas", "eps", "weight_decay")
        nd, t = _run_ndim(x, oracle), state.t + 1
        decay = _mask_tree("weight_decay_mask", self.weight_decay_mask, x)
        m = tree.tree_map(lambda m, g: (1 - beta1) * g + beta1 * m, state.m, g)
        v = tree.tree_map(lambda v, g: (1 - beta2) * g * g + beta2 * v, state.v, g)
        u = tree.tree_map(lambda m, v: (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v)
        u = tree.tree_map(lambda w, u, on: u + lam * w if on else u, x, u, decay)
        x_new = tree.tree_map(lambda w, u: w - eta * _trust_ratio(w, u, nd) * u, x, u)
        return x_new, LAMBState(t, m, v)
