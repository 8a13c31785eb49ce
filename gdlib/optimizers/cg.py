"""Conjugate gradient: the linear method of Hestenes & Stiefel (1952) for quadratics, and the nonlinear
methods of Fletcher & Reeves (1964) and Polak & Ribière (1969)."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_number
from ._base import Optimizer
from ._wolfe import flat_problem, strong_wolfe

__all__ = ["ConjugateGradient", "ConjugateGradientState"]


class ConjugateGradientState(NamedTuple):
    t: int  #: steps taken
    p: np.ndarray | None  #: the last search direction p_{t−1} (flat)
    g_prev: np.ndarray | None  #: the last gradient g_{t−1} (the residual r_{t−1} for linear CG)
    lr: float | None  #: the step length α_t of the last step (0: no step)
    gtp: float | None  #: the last slope g_{t−1}ᵀp_{t−1}, for the next first trial step (nonlinear)
    failed: bool  #: True when the last step found no acceptable step length (θ then stays)


@dataclass(frozen=True, repr=False)
class ConjugateGradient(Optimizer):
    r"""Conjugate gradient: each direction is the negative gradient plus β times the previous direction, so
    that on a quadratic the directions are A-conjugate and the minimum is reached in at most d steps.

    .. math::
        p_0 &= -g_0, \qquad p_t = -g_t + \beta_t\, p_{t-1} \\
        \beta_t &= \frac{g_t^\top g_t}{g_{t-1}^\top g_{t-1}}\ \text{(linear, FR)}, \qquad
        \beta_t = \max\Bigl(0,\ \frac{g_t^\top (g_t - g_{t-1})}{g_{t-1}^\top g_{t-1}}\Bigr)\ \text{(PR+)} \\
        \theta_{t+1} &= \theta_t + \alpha_t\, p_t, \qquad
        \alpha_t = \frac{g_t^\top g_t}{p_t^\top A\, p_t}\ \text{(linear: the exact step)}

    For ``"linear"`` (N&W Algorithm 5.2, minimising ½θᵀAθ − bᵀθ, whose residual Aθ − b is the gradient)
    the product A p_t is a Hessian-vector product of the oracle, and the residual is the gradient the
    runner hands over (recomputed, not updated by r ← r + αAp: equal in exact arithmetic). For ``"FR"`` and
    ``"PR+"`` (N&W §5.2, eqs. 5.41a and 5.45) α_t comes from a strong Wolfe line search (the port of torch's
    ``_strong_wolfe``) started at α = α_{t−1} g_{t−1}ᵀp_{t−1} / g_tᵀp_t (N&W eq. 3.60), or at
    η·min(1, 1/‖g₀‖₁) on the first step; c₂ = 0.1 < ½ as Fletcher–Reeves needs (N&W Lemma 5.6). A direction
    that is not a descent direction (possible for PR+) is replaced by −g_t (a restart).

    ======  ===============  ====================================================================
    symbol  argument         meaning
    ======  ===============  ====================================================================
    —       ``variant``      ``"linear"`` (quadratics), ``"FR"`` (Fletcher–Reeves), ``"PR+"``
    η       ``lr``           the first trial step length of the first nonlinear step
    c₁, c₂  ``c1``, ``c2``   the strong Wolfe constants (nonlinear variants), 0 < c₁ < c₂ < 1
    —       ``max_ls``       evaluations a line search may make, ≥ 1
    ======  ===============  ====================================================================

    When no step length is acceptable (the line search fails, or pᵀAp ≤ 0 so the quadratic is not
    positive definite along p) θ stays, ``state.failed`` is True and ``gd.run`` stops the run. These
    methods use the oracle (``uses_oracle``), the whole parameter vector (``elementwise = False``) and run
    one problem at a time, on the full batch (``full_batch``: ``gd.run`` refuses ``batch_size``).

    >>> import gdlib as gd, numpy as np
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 4.0, 9.0], rotation=np.eye(3), x_star=[1.0, 2.0, 3.0])
    >>> opt = ConjugateGradient("linear"); x = np.zeros(3); state = opt.init(x)
    >>> for _ in range(3):                              # d = 3 steps reach the minimiser
    ...     oracle = gd.Oracle(q)
    ...     x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> np.round(x, 10).tolist()
    [1.0, 2.0, 3.0]

    References: M. R. Hestenes, E. Stiefel (1952), Methods of conjugate gradients for solving linear systems,
    J. Res. Nat. Bur. Standards 49(6), 409–436; R. Fletcher, C. M. Reeves (1964), Function minimization by
    conjugate gradients, The Computer Journal 7(2), 149–154; E. Polak, G. Ribière (1969), Note sur la
    convergence de méthodes de directions conjuguées, Rev. Française Informat. Recherche Opérationnelle
    3(16), 35–43; J. Nocedal, S. J. Wright (2006), Numerical Optimization, 2nd ed., Springer, Chapter 5.
    """

    variant: str = "linear"
    lr: float = 1.0
    c1: float = 1e-4
    c2: float = 0.1
    max_ls: int = 25

    State = ConjugateGradientState
    elementwise = False
    uses_oracle = True
    full_batch = True

    def _check(self):
        check_choice("variant", self.variant, ("linear", "FR", "PR+"))
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, low_open=True, allow_array=False)
        check_number("c1", self.c1, low=0, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("c2", self.c2, low=self.c1, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("max_ls", self.max_ls, low=1, integer=True, allow_array=False)

    def init(self, x):
        return ConjugateGradientState(t=0, p=None, g_prev=None, lr=None, gtp=None, failed=False)

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, ConjugateGradientState):
            raise TypeError(
                "state must be a ConjugateGradientState made by ConjugateGradient.init(x) "
                f"(got a {type(state).__name__})"
            )
        problem = flat_problem("ConjugateGradient", x, g, oracle)
        theta, g = problem.x, problem.g
        gg = float(g @ g)
        if gg == 0:  # a stationary point: stay
            return x, ConjugateGradientState(state.t + 1, state.p, g, 0.0, state.gtp, False)
        if state.p is None:
            p = -g
        else:
            gg_prev = float(state.g_prev @ state.g_prev)
            if self.variant == "PR+":
                beta = max(0.0, float(g @ (g - state.g_prev)) / gg_prev)
            else:
                beta = gg / gg_prev
            p = -g + beta * state.p
        gtp = float(g @ p)

        if self.variant == "linear":
            pAp = float(p @ problem.hvp(theta, p))
            if not pAp > 0:  # not positive definite along p
                return x, ConjugateGradientState(state.t + 1, p, g, 0.0, gtp, True)
            alpha = gg / pAp
            return problem.unravel(theta + alpha * p), ConjugateGradientState(state.t + 1, p, g, alpha, gtp, False)

        if gtp >= 0:  # not a descent direction: restart along −g
            p, gtp = -g, -gg
        alpha = state.lr * state.gtp / gtp if state.p is not None and state.lr else 0.0  # (3.60)
        if not alpha > 0:  # the first step
            alpha = min(1.0, 1.0 / float(np.abs(g).sum())) * float(self.lr_at(state.t))
        _, _, alpha, _, found = strong_wolfe(
            lambda x0, a, d: problem.value_and_grad(x0 + a * d),
            theta,
            alpha,
            p,
            problem.value(theta),
            g,
            gtp,
            c1=self.c1,
            c2=self.c2,
            max_ls=int(self.max_ls),
        )
        if not found:
            return x, ConjugateGradientState(state.t + 1, p, g, 0.0, gtp, True)
        return problem.unravel(theta + alpha * p), ConjugateGradientState(state.t + 1, p, g, alpha, gtp, False)
