"""Adadelta (Zeiler 2012), as torch.optim.Adadelta."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_non_negative, check_unit_interval
from ._base import Optimizer, apply_weight_decay, zeros_like

__all__ = ["Adadelta", "AdadeltaState"]


class AdadeltaState(NamedTuple):
    t: int  #: steps taken
    square_avg: np.ndarray  #: s, moving average of g²
    acc_delta: np.ndarray  #: u, moving average of Δθ²


@dataclass(frozen=True, repr=False)
class Adadelta(Optimizer):
    r"""Adadelta: the step's units come from a moving average of past steps.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_t \\
        s_{t+1} &= \rho\, s_t + (1 - \rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_t + \epsilon}}{\sqrt{s_{t+1} + \epsilon}}\; g_t \\
        u_{t+1} &= \rho\, u_t + (1 - \rho)\, \Delta_t^2 \\
        \theta_{t+1} &= \theta_t - \eta\, \Delta_t

    ======  ================  ===========================================
    symbol  argument          meaning
    ======  ================  ===========================================
    η       ``lr``            learning rate (number, array or schedule)
    ρ       ``rho``           decay of both averages, ρ ∈ [0, 1]
    ε       ``eps``           added *inside* the square roots, ε ≥ 0
    λ       ``weight_decay``  L2 penalty coefficient, λ ≥ 0
    ======  ================  ===========================================

    Unlike Adam and RMSProp, ε sits *inside* the square roots (as in Zeiler's paper and in torch).

    >>> import numpy as np
    >>> opt = Adadelta(lr=1.0)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(1 - x, 6).tolist()      # a tiny first step: √ε/√(0.1 g²) · g ≈ 0.00316
    [0.003162, 0.003162]

    Reference: M. D. Zeiler (2012), ADADELTA: an adaptive learning rate method, arXiv:1212.5701.
    """

    lr: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0
    maximize: bool = False

    State = AdadeltaState

    def _check(self):
        check_unit_interval("rho", self.rho, closed=True)
        check_non_negative("eps", self.eps)
        check_non_negative("weight_decay", self.weight_decay)

    def init(self, x):
        return AdadeltaState(t=0, square_avg=zeros_like(x), acc_delta=zeros_like(x))

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, rho, eps, lam = self._at(state.t, x, "lr", "rho", "eps", "weight_decay")
        x, g = apply_weight_decay(x, g, eta, lam)  # g + λθ
        s = state.square_avg * rho + (1 - rho) * g * g
        delta = np.sqrt(state.acc_delta + eps) / np.sqrt(s + eps) * g
        u = state.acc_delta * rho + (1 - rho) * delta * delta
        return x - eta * delta, AdadeltaState(state.t + 1, s, u)
