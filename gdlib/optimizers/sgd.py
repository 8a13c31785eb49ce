"""Gradient descent (Cauchy 1847) and stochastic gradient descent with momentum, as torch.optim.SGD."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_non_negative
from ._base import Optimizer, apply_weight_decay

__all__ = ["GradientDescent", "GradientDescentState", "SGD", "SGDState"]


class GradientDescentState(NamedTuple):
    t: int  #: steps taken


@dataclass(frozen=True, repr=False)
class GradientDescent(Optimizer):
    r"""Plain gradient descent, the method of Cauchy (1847).

    .. math::
        \theta_{t+1} = \theta_t - \eta\, g_t, \qquad g_t = \nabla L(\theta_t)

    ======  ============  =========================================
    symbol  argument      meaning
    ======  ============  =========================================
    η       ``lr``        learning rate (number, array or schedule)
    ======  ============  =========================================

    The same as ``SGD(lr)`` with no momentum, no weight decay (a test proves it).

    >>> import numpy as np
    >>> opt = GradientDescent(lr=0.5)
    >>> x, state = np.array([1.0, -2.0]), opt.init(np.zeros(2))
    >>> x, state = opt.step(x, 2 * x, state)        # L(θ) = ‖θ‖², ∇L = 2θ
    >>> x.tolist(), state.t
    ([0.0, 0.0], 1)

    Reference: A.-L. Cauchy (1847), Méthode générale pour la résolution des systèmes d'équations
    simultanées, Comptes rendus de l'Académie des sciences 25, 536–538.
    """

    lr: float = 1e-3
    maximize: bool = False

    State = GradientDescentState

    def init(self, x):
        return GradientDescentState(t=0)

    def step(self, x, g, state):
        g = self._prepare(x, g, state)  # checks the state and the shapes; −g if maximize
        eta = self._at(state.t, x, "lr")  # η, or the schedule's η_t
        return x - eta * g, GradientDescentState(state.t + 1)


class SGDState(NamedTuple):
    t: int  #: steps taken
    momentum_buffer: np.ndarray | None  #: v, None before the first step with momentum


@dataclass(frozen=True, repr=False)
class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, L2 weight decay and Nesterov's look-ahead,
    exactly as ``torch.optim.SGD``.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_t \\
        v_{t+1} &= \beta\, v_t + (1 - \tau)\, g_t \qquad (v_1 = g_0:\ \text{the first buffer is }
        g\text{ itself, without dampening}) \\
        d_t &= g_t + \beta\, v_{t+1}\ \text{(Nesterov)} \quad\text{or}\quad d_t = v_{t+1} \\
        \theta_{t+1} &= \theta_t - \eta\, d_t

    ======  ================  ===================================================
    symbol  argument          meaning
    ======  ================  ===================================================
    η       ``lr``            learning rate (number, array or schedule)
    β       ``momentum``      momentum coefficient, β ≥ 0 (0: no momentum; may be a schedule)
    τ       ``dampening``     dampening of the gradient in the buffer, τ ≥ 0
    λ       ``weight_decay``  L2 penalty coefficient, λ ≥ 0
    —       ``nesterov``      use Nesterov's momentum (needs β > 0 and τ = 0)
    —       ``maximize``      ascend instead of descend
    ======  ================  ===================================================

    PyTorch's convention ``v ← βv + g, θ ← θ − ηv`` differs from Polyak's and Sutskever's by a change of
    variables; chapter 4 proves the three equivalent. Like torch, the first momentum buffer is the
    gradient itself, not ``(1 − τ)g``. ``momentum`` may follow a schedule (a callable of t) as torch's
    OneCycleLR makes it do, e.g. ``momentum=gd.schedules.one_cycle_momentum(...)``; step t then uses β_t
    (checked to be ≥ 0 when the schedule is called).

    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> for _ in range(2):
    ...     x, state = opt.step(x, np.array([1.0, 10.0]) * x, state)   # L = ½(θ₁² + 10 θ₂²)
    >>> np.round(x, 4).tolist()
    [0.72, -0.9]

    References: B. T. Polyak (1964), Some methods of speeding up the convergence of iteration methods,
    USSR Comput. Math. Math. Phys. 4(5); I. Sutskever, J. Martens, G. Dahl, G. Hinton (2013), On the
    importance of initialization and momentum in deep learning, ICML.
    """

    lr: float = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False
    maximize: bool = False

    State = SGDState
    schedulable = {"lr": dict(low=0), "momentum": dict(low=0)}

    def _check(self):
        check_non_negative("momentum", self.momentum)
        check_non_negative("dampening", self.dampening)
        check_non_negative("weight_decay", self.weight_decay)
        no_momentum = not callable(self.momentum) and np.any(np.asarray(self.momentum) <= 0)
        if self.nesterov and (no_momentum or np.any(np.asarray(self.dampening) != 0)):
            raise ValueError(
                "nesterov=True needs momentum > 0 and dampening = 0 "
                f"(got momentum={self.momentum}, dampening={self.dampening})"
            )

    def init(self, x):
        return SGDState(t=0, momentum_buffer=None)

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, beta, tau, lam = self._at(state.t, x, "lr", "momentum", "dampening", "weight_decay")
        x, g = apply_weight_decay(x, g, eta, lam)  # g + λθ
        v = state.momentum_buffer
        if np.any(beta != 0):
            if v is None:
                v = np.array(g, copy=True)  # torch: the first buffer is g itself, undamped
            else:
                v = beta * v  # a new array: the old state is left untouched
                v += (1 - tau) * g if np.any(tau != 0) else g
            g = g + beta * v if self.nesterov else v
        return x - eta * g, SGDState(state.t + 1, v)
