"""RAdam (Liu et al. 2020): Adam with a rectified warm-up of the adaptive step, as torch.optim.RAdam."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_adam_family
from ._base import Optimizer, apply_weight_decay, lerp, zeros_like

__all__ = ["RAdam", "RAdamState"]


class RAdamState(NamedTuple):
    t: int  #: steps taken
    m: np.ndarray  #: first moment
    v: np.ndarray  #: second moment


@dataclass(frozen=True, repr=False)
class RAdam(Optimizer):
    r"""RAdam: use plain momentum SGD while the variance of the adaptive step is not yet tractable,
    then Adam's step multiplied by a rectification factor r_t.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g^2,
        \qquad \hat m_t = m_t / (1 - \beta_1^t) \\
        \rho_\infty &= \frac{2}{1-\beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        \theta &\leftarrow \theta - \eta\, \hat m_t\, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}\, r_t,
        \quad r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}
        \quad\text{if } \rho_t > 5, \qquad \theta \leftarrow \theta - \eta\, \hat m_t \text{ otherwise}

    ======  ============================  ==============================================
    symbol  argument                      meaning
    ======  ============================  ==============================================
    η       ``lr``                        learning rate (number, array or schedule)
    β₁, β₂  ``betas``                     decay rates of the moments, each in [0, 1) (or schedules)
    ε       ``eps``                       added outside the square root, ε ≥ 0
    λ       ``weight_decay``              L2 penalty (or decoupled decay), λ ≥ 0
    —       ``decoupled_weight_decay``    decay θ by (1 − ηλ) as AdamW does
    ======  ============================  ==============================================

    torch switches to the rectified step when ρ_t > 5 (the paper says 4); we follow torch. With β's
    that follow a schedule, ρ_t and the bias corrections use the current β's, as torch's do.

    >>> import numpy as np
    >>> opt = RAdam(lr=0.1)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(x, 6).tolist()          # first steps: momentum SGD with bias-corrected m = g
    [0.9, -9.0]

    Reference: L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao, J. Han (2020), On the variance of the
    adaptive learning rate and beyond, ICLR.
    """

    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False
    maximize: bool = False

    State = RAdamState
    schedulable = {"lr": dict(low=0), "betas": dict(low=0, high=1, high_open=True)}

    def _check(self):
        check_adam_family(self)

    def init(self, x):
        return RAdamState(t=0, m=zeros_like(x), v=zeros_like(x))

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, (beta1, beta2), eps, lam = self._at(state.t, x, "lr", "betas", "eps", "weight_decay")
        t = state.t + 1
        x, g = apply_weight_decay(x, g, eta, lam, self.decoupled_weight_decay)
        m = lerp(state.m, g, 1 - beta1)
        v = state.v * beta2 + (1 - beta2) * g * g
        bc1, bc2 = 1 - beta1**t, 1 - beta2**t
        m_hat = m / bc1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bc2
        plain = m_hat * eta
        if np.all(rho_t <= 5.0):
            return x + (-1.0) * plain, RAdamState(t, m, v)
        with np.errstate(invalid="ignore", divide="ignore"):  # r_t is used only where ρ_t > 5
            r_t = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = bc2**0.5 / (np.sqrt(v) + eps)
            rectified = plain * adaptive * r_t
        step = rectified if np.all(rho_t > 5.0) else np.where(rho_t > 5.0, rectified, plain)
        return x + (-1.0) * step, RAdamState(t, m, v)
