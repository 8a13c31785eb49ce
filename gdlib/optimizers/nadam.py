"""NAdam (Dozat 2016): Adam with Nesterov momentum, as torch.optim.NAdam."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_adam_family, check_non_negative
from ._base import Optimizer, apply_weight_decay, lerp, zeros_like

__all__ = ["NAdam", "NAdamState"]


class NAdamState(NamedTuple):
    t: int  #: steps taken
    m: np.ndarray  #: first moment
    v: np.ndarray  #: second moment
    mu_product: np.ndarray  #: Π μ_k over the steps taken (a number, or one per run)


@dataclass(frozen=True, repr=False)
class NAdam(Optimizer):
    r"""NAdam: Adam whose momentum looks one step ahead, with Dozat's warming momentum schedule μ_t.

    .. math::
        \mu_t &= \beta_1 \bigl(1 - \tfrac12\, 0.96^{\,t\psi}\bigr) \quad (t = 1, 2, \dots) \\
        m_{t} &= \beta_1 m_{t-1} + (1 - \beta_1) g, \qquad v_{t} = \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        r &= \sqrt{v_t / (1 - \beta_2^{t})} + \epsilon \\
        \theta &\leftarrow \theta - \eta\,\frac{1 - \mu_t}{1 - \prod_{k \le t}\mu_k}\,\frac{g}{r}
                             - \eta\,\frac{\mu_{t+1}}{1 - \prod_{k \le t+1}\mu_k}\,\frac{m_t}{r}

    ======  ============================  ==================================================
    symbol  argument                      meaning
    ======  ============================  ==================================================
    η       ``lr``                        learning rate (number, array or schedule)
    β₁, β₂  ``betas``                     decay rates of the moments, each in [0, 1) (or schedules)
    ε       ``eps``                       added outside the square root, ε ≥ 0
    λ       ``weight_decay``              L2 penalty (or decoupled decay, see below), λ ≥ 0
    ψ       ``momentum_decay``            speed of the momentum warm-up, ψ ≥ 0
    —       ``decoupled_weight_decay``    decay θ by (1 − ηλ) as AdamW does
    ======  ============================  ==================================================

    As in torch, the product of the μ's is kept in x's dtype (float32 for float32 parameters) and then
    used as a Python number. β₁ may follow a schedule (torch's OneCycleLR cycles it); μ_t and μ_{t+1} then
    use the current β₁, as torch's do.

    >>> import numpy as np
    >>> opt = NAdam(lr=0.1)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 100.0]) * x, state)
    >>> bool(np.all(x < 1.0)) and state.t == 1
    True

    Reference: T. Dozat (2016), Incorporating Nesterov momentum into Adam, ICLR workshop.
    """

    lr: float = 2e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum_decay: float = 4e-3
    decoupled_weight_decay: bool = False
    maximize: bool = False

    State = NAdamState
    schedulable = {"lr": dict(low=0), "betas": dict(low=0, high=1, high_open=True)}

    def _check(self):
        check_adam_family(self)
        check_non_negative("momentum_decay", self.momentum_decay)

    def init(self, x):
        one = np.ones((), dtype=zeros_like(x).dtype)
        return NAdamState(t=0, m=zeros_like(x), v=zeros_like(x), mu_product=one)

    def step(self, x, g, state):
        g = self._prepare(x, g, state)
        eta, (beta1, beta2), eps, lam, psi = self._at(
            state.t, x, "lr", "betas", "eps", "weight_decay", "momentum_decay"
        )
        t = state.t + 1
        x, g = apply_weight_decay(x, g, eta, lam, self.decoupled_weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.mu_product * mu
        m = lerp(state.m, g, 1 - beta1)
        v = state.v * beta2 + (1 - beta2) * g * g
        r = np.sqrt(v / (1 - beta2**t)) + eps
        prod = float(mu_product) if np.ndim(mu_product) == 0 else mu_product  # a Python number, like torch
        x = x + (-eta * (1.0 - mu) / (1.0 - prod)) * g / r
        x = x + ((-eta * mu_next) / (1.0 - prod * mu_next)) * m / r
        return x, NAdamState(t, m, v, mu_product)
