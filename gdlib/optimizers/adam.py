"""Adam (Kingma & Ba 2014), its AMSGrad variant (Reddi et al. 2018) and AdamW (Loshchilov & Hutter 2017),
as torch.optim.Adam and torch.optim.AdamW."""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .._checks import check_adam_family
from ._base import Optimizer, apply_weight_decay, lerp, zeros_like

__all__ = ["Adam", "AdamState", "AdamW"]


class AdamState(NamedTuple):
    t: int  #: steps taken
    m: np.ndarray  #: first moment, moving average of g
    v: np.ndarray  #: second moment, moving average of g²
    v_max: np.ndarray  #: running maximum of v (AMSGrad only; None otherwise, as torch keeps none)


@dataclass(frozen=True, repr=False)
class Adam(Optimizer):
    r"""Adam: momentum on the gradient, divided by the root of a moving average of its square, with both
    averages corrected for their start at zero.

    .. math::
        g_t &\leftarrow g_t + \lambda\,\theta_t \quad\text{(L2 penalty) or}\quad
        \theta_t \leftarrow (1 - \eta\lambda)\,\theta_t \quad\text{(decoupled)} \\
        m_{t+1} &= \beta_1 m_t + (1 - \beta_1)\, g_t \\
        v_{t+1} &= \beta_2 v_t + (1 - \beta_2)\, g_t^2 \\
        \hat v &= \max(\hat v, v_{t+1}) \text{ (AMSGrad) or } v_{t+1} \\
        \theta_{t+1} &= \theta_t - \frac{\eta}{1 - \beta_1^{t+1}}\;
            \frac{m_{t+1}}{\sqrt{\hat v}/\sqrt{1 - \beta_2^{t+1}} + \epsilon}

    ======  ============================  ===================================================
    symbol  argument                      meaning
    ======  ============================  ===================================================
    η       ``lr``                        learning rate (number, array or schedule)
    β₁, β₂  ``betas``                     decay rates of the two moments, each in [0, 1) (or schedules)
    ε       ``eps``                       added *outside* the square root, ε ≥ 0
    λ       ``weight_decay``              weight decay coefficient, λ ≥ 0
    —       ``amsgrad``                   divide by the running maximum of v (Reddi et al.)
    —       ``maximize``                  ascend instead of descend
    —       ``decoupled_weight_decay``    decay θ by (1 − ηλ) as AdamW does, instead of adding λθ to g
    ======  ============================  ===================================================

    As in torch: ε is added after the square root and after the bias correction of v; AMSGrad keeps the
    maximum of the *raw* second moment v and bias-corrects that maximum; ``weight_decay`` is an L2
    penalty folded into g unless ``decoupled_weight_decay`` (torch 2.13's argument of the same name;
    ``AdamW`` is Adam with it set). The moving average of m is computed with torch's ``lerp``
    (:func:`lerp`), equal to the line above up to rounding. β₁ (and β₂) may follow a schedule, as torch's
    OneCycleLR makes β₁ do (``betas=(gd.schedules.one_cycle_momentum(...), 0.999)``); the bias corrections
    then use the current β's, as torch's do.

    >>> import numpy as np
    >>> opt = Adam(lr=0.1)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(x, 6).tolist()          # the first step is η in every coordinate
    [0.9, 0.9]

    References: D. P. Kingma, J. Ba (2014), Adam: a method for stochastic optimization, arXiv:1412.6980;
    S. J. Reddi, S. Kale, S. Kumar (2018), On the convergence of Adam and beyond, ICLR.
    """

    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    maximize: bool = False
    decoupled_weight_decay: bool = False

    State = AdamState
    schedulable = {"lr": dict(low=0), "betas": dict(low=0, high=1, high_open=True)}

    def _check(self):
        check_adam_family(self)

    def init(self, x):
        return AdamState(t=0, m=zeros_like(x), v=zeros_like(x), v_max=zeros_like(x) if self.amsgrad else None)

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, (beta1, beta2), eps, lam = self._at(state.t, x, "lr", "betas", "eps", "weight_decay")
        t = state.t + 1
        x, g = apply_weight_decay(x, g, eta, lam, self.decoupled_weight_decay)
        m = lerp(state.m, g, 1 - beta1)
        v = state.v * beta2 + (1 - beta2) * g * g
        v_max = np.maximum(state.v_max, v) if self.amsgrad else state.v_max
        v_hat = v_max if self.amsgrad else v
        step_size = eta / (1 - beta1**t)
        denom = np.sqrt(v_hat) / (1 - beta2**t) ** 0.5 + eps
        return x - step_size * m / denom, AdamState(t, m, v, v_max)


@dataclass(frozen=True, repr=False)
class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay — θ shrinks by the factor (1 − ηλ) before the Adam step,
    instead of λθ being added to the gradient. The same as ``Adam(decoupled_weight_decay=True,
    weight_decay=1e-2)``.

    .. math::
        \theta_t &\leftarrow (1 - \eta\lambda)\, \theta_t \\
        \theta_{t+1} &= \text{the Adam step of } \theta_t \text{ with } g_t \text{ unchanged}

    Arguments and symbols as :class:`Adam`; the default ``weight_decay`` is 1e-2, and
    ``decoupled_weight_decay`` is always True and not an argument, as in torch 2.13's AdamW.

    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> np.round(x, 6).tolist()          # (1 − 0.05)·1 − 0.1
    [0.85, 0.85]

    Reference: I. Loshchilov, F. Hutter (2017), Decoupled weight decay regularization, arXiv:1711.05101
    (ICLR 2019).
    """

    weight_decay: float = 1e-2
    decoupled_weight_decay: bool = field(default=True, init=False)
