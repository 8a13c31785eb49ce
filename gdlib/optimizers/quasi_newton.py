"""BFGS (Broyden, Fletcher, Goldfarb, Shanno 1970) with the inverse-Hessian update, as Nocedal & Wright's
Algorithm 6.1."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_number
from ._base import Optimizer
from ._wolfe import backtracking, flat_problem, strong_wolfe

__all__ = ["BFGS", "BFGSState"]


class BFGSState(NamedTuple):
    t: int  #: steps taken
    H: np.ndarray | None  #: H_t, the approximation of the inverse Hessian (None: H₀ = I, before any update)
    x_prev: np.ndarray | None  #: θ_{t−1} (flat), for s = θ_t − θ_{t−1}
    g_prev: np.ndarray | None  #: ∇L(θ_{t−1}) (flat), for y = ∇L(θ_t) − ∇L(θ_{t−1})
    lr: float | None  #: the step length α_t the line search chose (0: no step)
    evals: int  #: evaluations the last line search made
    failed: bool  #: True when the last line search found no acceptable step (θ then stays)


@dataclass(frozen=True, repr=False)
class BFGS(Optimizer):
    r"""BFGS: a quasi-Newton method that keeps an approximation H_t of the inverse Hessian, corrected at each
    step so that it maps the last change of gradient onto the last step (the secant equation H y = s).

    .. math::
        s &= \theta_t - \theta_{t-1}, \qquad y = g_t - g_{t-1}, \qquad \rho = 1/(y^\top s) \\
        H_1 &= \frac{y^\top s}{y^\top y}\, I \quad\text{(scaling of } H_0 = I \text{ before the first update)} \\
        H_t &= (I - \rho\, s y^\top)\, H_{t-1}\, (I - \rho\, y s^\top) + \rho\, s s^\top \\
        p_t &= -H_t\, g_t, \qquad \theta_{t+1} = \theta_t + \alpha_t\, p_t

    with α_t from a line search that starts at α = η (η·min(1, 1/‖g₀‖₁) on the first step, where p₀ = −g₀
    is not yet scaled).

    ======  =================  ===================================================================
    symbol  argument           meaning
    ======  =================  ===================================================================
    η       ``lr``             the first step length the line search tries (1: the quasi-Newton step)
    —       ``line_search``    ``"wolfe"`` (strong Wolfe, c₁ and c₂) or ``"armijo"`` (backtracking)
    c₁      ``c1``             sufficient decrease, 0 < c₁ < c₂
    c₂      ``c2``             curvature (strong Wolfe only), c₁ < c₂ < 1
    —       ``max_ls``         evaluations a line search may make, ≥ 1
    ======  =================  ===================================================================

    The update comes at the start of the next step, once the gradient at the new point is known (the one
    ``gd.run`` hands over), so a step costs the line search's evaluations and nothing more. With the strong
    Wolfe search yᵀs > 0 is guaranteed and H_t stays positive definite; with Armijo backtracking a pair
    with yᵀs ≤ 10⁻¹⁰‖s‖‖y‖ is skipped (H unchanged). The Wolfe search is the port of torch's
    ``_strong_wolfe`` (:func:`gdlib.optimizers._wolfe.strong_wolfe`); backtracking halves α (N&W
    Algorithm 3.1). If the search finds no acceptable step, θ stays, ``state.failed`` is True and
    ``gd.run`` stops with the status *line search failed*.

    BFGS needs the loss at trial points (``uses_oracle``), works on the whole parameter vector
    (``elementwise = False``) and runs one problem at a time; it stores a D×D matrix. It is a full-batch
    method (``full_batch``: ``gd.run`` refuses ``batch_size``), since each pair (s, y) compares two gradients
    of the same loss.

    >>> import gdlib as gd, numpy as np
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 10.0], angle=0.5)
    >>> opt = BFGS(); x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> errors = []
    >>> for _ in range(12):
    ...     oracle = gd.Oracle(q)
    ...     x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    ...     errors.append(np.abs(x).max())
    >>> [f"{e:.0e}" for e in errors[6:11]]             # superlinear: the ratios of the errors shrink
    ['3e-04', '4e-06', '4e-08', '2e-10', '1e-12']

    References: C. G. Broyden (1970), R. Fletcher (1970), D. Goldfarb (1970), D. F. Shanno (1970); J. Nocedal,
    S. J. Wright (2006), Numerical Optimization, 2nd ed., Springer: Algorithm 6.1, update (6.17), the
    scaling (6.20), line searches §3.1 and Algorithms 3.1, 3.5, 3.6.
    """

    lr: float = 1.0
    line_search: str = "wolfe"
    c1: float = 1e-4
    c2: float = 0.9
    max_ls: int = 25

    State = BFGSState
    elementwise = False
    uses_oracle = True
    full_batch = True

    def _check(self):
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, low_open=True, allow_array=False)
        check_choice("line_search", self.line_search, ("wolfe", "armijo"))
        check_number("c1", self.c1, low=0, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("c2", self.c2, low=self.c1, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("max_ls", self.max_ls, low=1, integer=True, allow_array=False)

    def init(self, x):
        return BFGSState(t=0, H=None, x_prev=None, g_prev=None, lr=None, evals=0, failed=False)

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, BFGSState):
            raise TypeError(f"state must be a BFGSState made by BFGS.init(x) (got a {type(state).__name__})")
        problem = flat_problem("BFGS", x, g, oracle)
        theta, g = problem.x, problem.g
        H = state.H
        if state.x_prev is not None:
            s, y = theta - state.x_prev, g - state.g_prev
            ys = float(y @ s)
            if ys > 1e-10 * float(np.linalg.norm(s) * np.linalg.norm(y)):  # the curvature condition
                if H is None:
                    H = ys / float(y @ y) * np.eye(theta.size, dtype=theta.dtype)  # (6.20)
                rho = 1.0 / ys
                V = np.eye(theta.size, dtype=theta.dtype) - rho * np.outer(y, s)
                H = V.T @ H @ V + rho * np.outer(s, s)  # (6.17)
        p = -g if H is None else -(H @ g)
        gtp = float(g @ p)
        if gtp == 0:  # g = 0: a stationary point, stay
            return x, BFGSState(state.t + 1, H, theta, g, 0.0, 0, False)

        alpha = float(self.lr_at(state.t))
        if state.x_prev is None:
            alpha = min(1.0, 1.0 / float(np.abs(g).sum())) * alpha
        f = problem.value(theta)
        if self.line_search == "wolfe":
            _, _, alpha, evals, found = strong_wolfe(
                lambda x0, a, d: problem.value_and_grad(x0 + a * d),
                theta,
                alpha,
                p,
                f,
                g,
                gtp,
                c1=self.c1,
                c2=self.c2,
                max_ls=int(self.max_ls),
            )
        else:
            alpha, _, evals, found = backtracking(
                problem.value, theta, p, f, gtp, alpha, c1=self.c1, max_ls=int(self.max_ls)
            )
        if not found:
            return x, BFGSState(state.t + 1, H, theta, g, 0.0, evals, True)
        return problem.unravel(theta + alpha * p), BFGSState(state.t + 1, H, theta, g, alpha, evals, False)
