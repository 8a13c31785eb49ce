r"""Lion, evolved sign momentum (Chen et al. 2023), as optax's ``lion``."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_non_negative, check_unit_interval
from ._base import Optimizer
from .lars import _keep_masks, _mask_tree, _prepare_tree_step

__all__ = ["Lion", "LionState"]


class LionState(NamedTuple):
    t: int  #: steps taken
    m: object  #: momentum, moving average of g with rate β₂, shaped like x


@dataclass(frozen=True, repr=False)
class Lion(Optimizer):
    r"""Lion: the step is the *sign* of an interpolation between the momentum and the gradient, so every
    coordinate moves by exactly η (plus decoupled weight decay).

    .. math::
        c_t &= \beta_1 m_t + (1 - \beta_1)\, g_t \\
        \theta_{t+1} &= \theta_t - \eta_t \left(\operatorname{sign}(c_t) + \lambda\, \theta_t\right)
            \qquad\text{(λθ only for arrays in the mask)} \\
        m_{t+1} &= \beta_2 m_t + (1 - \beta_2)\, g_t

    ======  =====================  =====================================================================
    symbol  argument               meaning
    ======  =====================  =====================================================================
    η       ``lr``                 learning rate (number or schedule); 3–10× smaller than AdamW's
    β₁      ``betas[0]``           weight of the momentum in the interpolation c, in [0, 1) (optax's b1)
    β₂      ``betas[1]``           decay of the momentum m, in [0, 1) (optax's b2)
    λ       ``weight_decay``       decoupled weight decay, multiplied by η; λ ≥ 0 (default 1e-3, not 0)
    —       ``weight_decay_mask``  which arrays get weight decay: True/False, a tree of booleans like the
                                   parameters, or a function of the parameters returning one
    ======  =====================  =====================================================================

    As in the paper and optax: the interpolation uses β₁ but the momentum is kept with β₂ (two different
    rates), sign(0) = 0, and the weight decay is multiplied by the learning rate η_t, as gd.AdamW (torch's and
    optax's form) does (the AdamW paper of Loshchilov & Hutter multiplies it by the schedule's factor only).
    Lion steps every array on its own, but takes a whole tree at once so that the mask can name arrays.

    >>> import numpy as np
    >>> opt = Lion(lr=0.1, weight_decay=0.0)
    >>> x = np.array([1.0, -1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 10.0]) * x, state)   # L = ½(θ₁² + 10 θ₂²)
    >>> x.tolist()                                                 # each coordinate moves by η
    [0.9, -0.9]

    Reference: X. Chen, C. Liang, D. Huang, E. Real, K. Wang, H. Pham, X. Dong, T. Luong, C.-J. Hsieh, Y. Lu,
    Q. V. Le (2023), Symbolic discovery of optimization algorithms, NeurIPS (arXiv:2302.06675).
    """

    lr: float = 1e-4
    betas: tuple = (0.9, 0.99)
    weight_decay: float = 1e-3
    weight_decay_mask: object = True

    State = LionState
    elementwise = False

    def __post_init__(self):
        _keep_masks(self, "weight_decay_mask")

    def _check(self):
        check_unit_interval("betas[0] (beta1)", self.betas[0])
        check_unit_interval("betas[1] (beta2)", self.betas[1])
        check_non_negative("weight_decay", self.weight_decay)

    def init(self, x):
        return LionState(t=0, m=tree.zeros_like(x))

    def step(self, x, g, state):
        _prepare_tree_step(self, x, g, state)
        eta, (beta1, beta2), lam = self._at(state.t, tree.leaves(x)[0], "lr", "betas", "weight_decay")
        decay = _mask_tree("weight_decay_mask", self.weight_decay_mask, x)
        c = tree.tree_map(lambda m, g: (1 - beta1) * g + beta1 * m, state.m, g)
        u = tree.tree_map(lambda w, c, on: np.sign(c) + lam * w if on else np.sign(c), x, c, decay)
        m = tree.tree_map(lambda m, g: (1 - beta2) * g + beta2 * m, state.m, g)
        return tree.tree_map(lambda w, u: w - eta * u, x, u), LionState(state.t + 1, m)
