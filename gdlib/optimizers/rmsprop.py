"""RMSProp (Tieleman & Hinton 2012), as torch.optim.RMSprop."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_non_negative
from ._base import Optimizer, apply_weight_decay, lerp, zeros_like

__all__ = ["RMSprop", "RMSpropState"]


class RMSpropState(NamedTuple):
    t: int  #: steps taken
    square_avg: np.ndarray  #: s, moving average of g²
    grad_avg: np.ndarray  #: ḡ, moving average of g (centered only; None otherwise)
    momentum_buffer: np.ndarray  #: b (None until the first step with momentum > 0)


@dataclass(frozen=True, repr=False)
class RMSprop(Optimizer):
    r"""RMSProp: divide the gradient by a moving root-mean-square of recent gradients.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_t \\
        s_{t+1} &= \alpha\, s_t + (1 - \alpha)\, g_t^2 \\
        \bar g_{t+1} &= \alpha\, \bar g_t + (1 - \alpha)\, g_t \quad\text{(centered only)} \\
        r_t &= \sqrt{s_{t+1} - \bar g_{t+1}^2} + \epsilon \quad\text{(centered) or}\quad
        \sqrt{s_{t+1}} + \epsilon \\
        b_{t+1} &= \beta\, b_t + g_t / r_t, \quad \theta_{t+1} = \theta_t - \eta\, b_{t+1}
        \quad\text{(momentum) or}\quad \theta_{t+1} = \theta_t - \eta\, g_t / r_t

    ======  ================  ==============================================
    symbol  argument          meaning
    ======  ================  ==============================================
    η       ``lr``            learning rate (number, array or schedule)
    α       ``alpha``         smoothing constant of the averages, α ≥ 0
    ε       ``eps``           added *outside* the square root, ε ≥ 0
    λ       ``weight_decay``  L2 penalty coefficient, λ ≥ 0
    β       ``momentum``      momentum on the scaled step, β ≥ 0 (may be a schedule)
    —       ``centered``      divide by the estimated standard deviation
    ======  ================  ==============================================

    As in torch: all averages start at zero (no bias correction), ε is added after the square root,
    and momentum accumulates the *scaled* gradient g/r. ``momentum`` may follow a schedule (torch's
    OneCycleLR cycles it), and step t then uses β_t.

    >>> import numpy as np
    >>> opt = RMSprop(lr=0.01)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(x, 4).tolist()          # the first step is η/√(1−α) in every coordinate
    [0.9, 0.9]

    Reference: T. Tieleman, G. Hinton (2012), Lecture 6.5 — RMSProp, Neural Networks for Machine Learning;
    A. Graves (2013), Generating sequences with recurrent neural networks, arXiv:1308.0850 (centered form).
    """

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False
    maximize: bool = False

    State = RMSpropState
    schedulable = {"lr": dict(low=0), "momentum": dict(low=0)}

    def _check(self):
        check_non_negative("alpha", self.alpha)
        check_non_negative("eps", self.eps)
        check_non_negative("weight_decay", self.weight_decay)
        check_non_negative("momentum", self.momentum)

    def init(self, x):
        # as torch: the mean of g only when centred, the momentum buffer from the first step with β > 0
        grad_avg = zeros_like(x) if self.centered else None
        return RMSpropState(t=0, square_avg=zeros_like(x), grad_avg=grad_avg, momentum_buffer=None)

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, alpha, eps, lam, beta = self._at(state.t, x, "lr", "alpha", "eps", "weight_decay", "momentum")
        x, g = apply_weight_decay(x, g, eta, lam)  # g + λθ
        s = state.square_avg * alpha + (1 - alpha) * g * g
        g_bar = state.grad_avg
        if self.centered:
            g_bar = lerp(g_bar, g, 1 - alpha)
            r = np.sqrt(s - g_bar * g_bar) + eps
        else:
            r = np.sqrt(s) + eps
        b = state.momentum_buffer
        if np.any(beta > 0):
            b = g / r if b is None else b * beta + g / r  # a new buffer starts at 0: β·0 + g/r
            x_new = x - eta * b
        else:
            x_new = x - eta * g / r
        return x_new, RMSpropState(state.t + 1, s, g_bar, b)
