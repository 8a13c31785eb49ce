"""AdaGrad (Duchi, Hazan & Singer 2011), as torch.optim.Adagrad."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_non_negative
from ._base import Optimizer, apply_weight_decay, zeros_like

__all__ = ["Adagrad", "AdagradState"]


class AdagradState(NamedTuple):
    t: int  #: steps taken
    sum_of_squares: np.ndarray  #: G, the running sum of squared gradients


@dataclass(frozen=True, repr=False)
class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_t \\
        \tilde\eta_t &= \eta \,/\, (1 + t\,\delta) \\
        G_{t+1} &= G_t + g_t \odot g_t \\
        \theta_{t+1} &= \theta_t - \tilde\eta_t\, g_t \,/\, (\sqrt{G_{t+1}} + \epsilon)

    =======  =============================  ==============================================
    symbol   argument                       meaning
    =======  =============================  ==============================================
    η        ``lr``                         learning rate (number, array or schedule)
    δ        ``lr_decay``                   learning-rate decay per step, δ ≥ 0
    λ        ``weight_decay``               L2 penalty coefficient, λ ≥ 0
    G₀       ``initial_accumulator_value``  starting value of G, ≥ 0
    ε        ``eps``                        added *outside* the square root, ε ≥ 0
    =======  =============================  ==============================================

    As in torch, ε is added after the square root, and the decayed rate uses the number of steps already
    taken (t = 0 for the first step).

    >>> import numpy as np
    >>> opt = Adagrad(lr=0.1)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(x, 6).tolist()          # the first step has length η in every coordinate
    [0.9, 0.9]

    Reference: J. Duchi, E. Hazan, Y. Singer (2011), Adaptive subgradient methods for online learning and
    stochastic optimization, JMLR 12, 2121–2159.
    """

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10
    maximize: bool = False

    State = AdagradState

    def _check(self):
        check_non_negative("lr_decay", self.lr_decay)
        check_non_negative("weight_decay", self.weight_decay)
        check_non_negative("initial_accumulator_value", self.initial_accumulator_value)
        check_non_negative("eps", self.eps)

    def init(self, x):
        return AdagradState(t=0, sum_of_squares=zeros_like(x) + self._at(0, x, "initial_accumulator_value"))

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, delta, lam, eps = self._at(state.t, x, "lr", "lr_decay", "weight_decay", "eps")
        x, g = apply_weight_decay(x, g, eta, lam)  # g + λθ
        eta_t = eta / (1 + state.t * delta)
        G = state.sum_of_squares + g * g
        return x - eta_t * g / (np.sqrt(G) + eps), AdagradState(state.t + 1, G)
