"""Newton's method (dense or Hessian-free), Gauss–Newton and Levenberg–Marquardt."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_choice, check_number
from ._base import Optimizer
from ._wolfe import backtracking, flat_problem

__all__ = [
    "Newton",
    "NewtonState",
    "GaussNewton",
    "GaussNewtonState",
    "LevenbergMarquardt",
    "LevenbergMarquardtState",
    "truncated_cg",
]


def truncated_cg(hvp, g, damping=0.0, tol=None, max_iter=None):
    r"""An approximate solution of (H + λI) p = −g by conjugate gradient on Hessian-vector products,
    stopped early (N&W Algorithm 7.1, the inner loop of Newton-CG).

    ``hvp(v)`` is H·v. CG stops when the residual ‖(H + λI)p + g‖ ≤ ``tol`` (default
    min(½, ‖g‖)·‖g‖, the forcing sequence of N&W Theorem 7.2 that keeps Newton's quadratic rate), after
    ``max_iter`` iterations (default: the dimension), or on a direction of non-positive curvature, where it
    returns the p so far (−g if that happens on the first iteration). Returns ``(p, iterations)``.

    >>> import numpy as np
    >>> H = np.array([[4.0, 1.0], [1.0, 3.0]]); g = np.array([1.0, 2.0])
    >>> p, k = truncated_cg(lambda v: H @ v, g, tol=1e-12)
    >>> bool(np.allclose(H @ p, -g)), k                 # exact after d = 2 iterations
    (True, 2)
    """
    g_norm = float(np.linalg.norm(g))
    tol = min(0.5, g_norm) * g_norm if tol is None else tol
    max_iter = g.size if max_iter is None else max_iter
    p = np.zeros_like(g)
    r, d = g, -g  # r = (H + λI)p + g, the residual
    rr = float(r @ r)
    for j in range(1, max_iter + 1):
        Bd = hvp(d) + damping * d
        dBd = float(d @ Bd)
        if dBd <= 0:  # negative curvature: stop
            return (-g if j == 1 else p), j
        a = rr / dBd
        p = p + a * d
        r = r + a * Bd
        rr_new = float(r @ r)
        if np.sqrt(rr_new) <= tol:
            return p, j
        d = -r + (rr_new / rr) * d
        rr = rr_new
    return p, max_iter


class NewtonState(NamedTuple):
    t: int  #: steps taken
    lr: float | None  #: the step length α_t of the last step (0: no step)
    cg_iterations: int  #: conjugate-gradient iterations of the last step (solver="cg")
    failed: bool  #: True when the line search found no acceptable step, or p was no descent direction


@dataclass(frozen=True, repr=False)
class Newton(Optimizer):
    r"""Newton's method: step to the minimiser of the local quadratic model, optionally damped and with
    Armijo backtracking.

    .. math::
        (\nabla^2 L(\theta_t) + \lambda I)\, p_t = -g_t, \qquad \theta_{t+1} = \theta_t + \alpha_t\, p_t

    with α_t = η, or the first of η, η/2, η/4, … with L(θ_t + αp_t) ≤ L(θ_t) + c₁ α g_tᵀp_t (Armijo).

    =====  ================  =====================================================================
    symbol argument          meaning
    =====  ================  =====================================================================
    λ      ``damping``       added to the Hessian's diagonal, λ ≥ 0 (0: the pure Newton step)
    —      ``line_search``   None (step α = η) or ``"armijo"`` (backtracking from η)
    —      ``solver``        ``"hess"``: dense ∇²L from the oracle and a linear solve;
                             ``"cg"``: Hessian-free, truncated CG on ``oracle.hvp`` (:func:`truncated_cg`)
    η      ``lr``            the step length, or the first one backtracking tries
    c₁     ``c1``            sufficient decrease of the Armijo condition, in (0, 1)
    —      ``max_ls``        trial steps backtracking may make, ≥ 1
    =====  ================  =====================================================================

    Near a minimiser with a positive definite Hessian the full step converges quadratically: the error
    squares at each step (N&W Theorem 3.5; Theorem 7.2 for Newton-CG with the forcing term min(½, ‖g‖)).
    Far from it, or where the Hessian is indefinite, p may not be a descent direction: without a line search
    the step is taken anyway (Newton heads for saddle points too); with ``"armijo"`` θ stays and
    ``state.failed`` is True (add damping). If backtracking finds no acceptable step, θ stays, ``failed``
    is True and ``gd.run`` stops the run.

    >>> import gdlib as gd, numpy as np
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 100.0], angle=0.3, x_star=[1.0, -2.0])
    >>> x = np.zeros(2); opt = Newton(); state = opt.init(x); oracle = gd.Oracle(q)
    >>> x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> np.round(x, 12).tolist()                        # one step solves a quadratic
    [1.0, -2.0]

    References: J. Nocedal, S. J. Wright (2006), Numerical Optimization, 2nd ed., Springer: §3.3 (Theorem 3.5),
    Algorithm 3.1 (backtracking), §7.1 and Algorithm 7.1 (Newton-CG, Hessian-free).
    """

    lr: float = 1.0
    damping: float = 0.0
    line_search: str | None = None
    solver: str = "hess"
    c1: float = 1e-4
    max_ls: int = 30

    State = NewtonState
    elementwise = False
    uses_oracle = True

    def _check(self):
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, low_open=True, allow_array=False)
        check_number("damping", self.damping, low=0, allow_array=False)
        check_choice("line_search", self.line_search, (None, "armijo"))
        check_choice("solver", self.solver, ("hess", "cg"))
        check_number("c1", self.c1, low=0, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("max_ls", self.max_ls, low=1, integer=True, allow_array=False)

    def init(self, x):
        return NewtonState(t=0, lr=None, cg_iterations=0, failed=False)

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, NewtonState):
            raise TypeError(f"state must be a NewtonState made by Newton.init(x) (got a {type(state).__name__})")
        problem = flat_problem("Newton", x, g, oracle)
        theta, g = problem.x, problem.g
        cg_iterations = 0
        if self.solver == "hess":
            H = problem.hess(theta) + self.damping * np.eye(theta.size)
            try:
                p = np.linalg.solve(H, -g).astype(theta.dtype, copy=False)
            except np.linalg.LinAlgError:
                raise ValueError(
                    f"Newton: the Hessian (+ damping {self.damping:g}·I) is singular at step {state.t}; "
                    "add damping > 0 or use solver='cg'"
                ) from None
        else:
            p, cg_iterations = truncated_cg(lambda v: problem.hvp(theta, v), g, self.damping)
        alpha = float(self.lr_at(state.t))
        if self.line_search is None:
            return problem.unravel(theta + alpha * p), NewtonState(state.t + 1, alpha, cg_iterations, False)

        gtp = float(g @ p)
        if gtp == 0:  # a stationary point: stay
            return x, NewtonState(state.t + 1, 0.0, cg_iterations, False)
        found = False
        if gtp < 0:
            alpha, _, _, found = backtracking(
                problem.value, theta, p, problem.value(theta), gtp, alpha, c1=self.c1, max_ls=int(self.max_ls)
            )
        if not found:  # no descent direction, or no acceptable step
            return x, NewtonState(state.t + 1, 0.0, cg_iterations, True)
        return problem.unravel(theta + alpha * p), NewtonState(state.t + 1, alpha, cg_iterations, False)


def _residuals_and_jacobian(name, oracle, x):
    """r(θ) and J(θ) of a least-squares problem; the residuals count as one evaluation of L in the oracle's
    ``nfev`` and the Jacobian as one gradient in ``ngev``."""
    if oracle is None:
        raise TypeError(f"{name} needs the problem: run it with gd.run(...) or pass oracle=gd.Oracle(problem)")
    problem = oracle.problem
    if not (callable(getattr(problem, "residuals", None)) and callable(getattr(problem, "jacobian", None))):
        raise ValueError(
            f"{name} needs a least-squares problem with residuals(θ) and jacobian(θ), such as "
            f"gd.CurveFit (got {type(problem).__name__})"
        )
    if tree.is_tree(x) or np.ndim(x) != 1:
        raise ValueError(f"{name} runs one problem at a time: θ must have shape (d,) (got shape {np.shape(x)})")
    oracle.nfev += 1
    oracle.ngev += 1
    return problem.residuals(x), problem.jacobian(x)


class GaussNewtonState(NamedTuple):
    t: int  #: steps taken


@dataclass(frozen=True, repr=False)
class GaussNewton(Optimizer):
    r"""Gauss–Newton for nonlinear least squares L(θ) = ½‖r(θ)‖²/m: Newton's method with the Hessian
    replaced by JᵀJ (the second derivatives of the residuals dropped).

    .. math::
        p_t = -(J^\top J)^{-1} J^\top r, \qquad \theta_{t+1} = \theta_t + \eta\, p_t,
        \qquad r = r(\theta_t),\ J = \partial r/\partial\theta\,(\theta_t)

    ======  ========  ========================================================
    symbol  argument  meaning
    ======  ========  ========================================================
    η       ``lr``    step length (1: the Gauss–Newton step; < 1: damped)
    ======  ========  ========================================================

    p_t is computed as the least-squares solution of J p = −r (numpy's ``lstsq``: the same p when J has full
    column rank, the minimum-norm one otherwise), which avoids squaring J's condition number. The factor 1/m
    cancels from the step. The problem must provide ``residuals(θ)`` and ``jacobian(θ)`` (as
    :class:`gdlib.CurveFit` does); each step evaluates both once (counted as one ``nfev`` and one ``ngev``);
    under ``gd.run``, whose own gradient at θ_t is one more ``ngev``, a step counts one ``nfev`` and two
    ``ngev``.
    Near a minimiser with small residuals the convergence is almost quadratic; with large residuals it
    can be slow or fail — :class:`LevenbergMarquardt` is the safeguarded version.

    >>> import gdlib as gd, numpy as np
    >>> problem = gd.CurveFit.misra1a()
    >>> opt = GaussNewton(); x = np.array([250.0, 5e-4]); state = opt.init(x)
    >>> for _ in range(6):
    ...     oracle = gd.Oracle(problem)
    ...     x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> bool(np.allclose(x, problem.certified, rtol=1e-9))   # NIST's certified values
    True

    Reference: C. F. Gauss (1809), Theoria motus corporum coelestium; J. Nocedal, S. J. Wright (2006),
    Numerical Optimization, 2nd ed., Springer, §10.3.
    """

    lr: float = 1.0

    State = GaussNewtonState
    elementwise = False
    uses_oracle = True

    def _check(self):
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, low_open=True, allow_array=False)

    def init(self, x):
        return GaussNewtonState(t=0)

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, GaussNewtonState):
            raise TypeError(
                f"state must be a GaussNewtonState made by GaussNewton.init(x) (got a {type(state).__name__})"
            )
        r, J = _residuals_and_jacobian("GaussNewton", oracle, x)
        p = np.linalg.lstsq(J, -r, rcond=None)[0].astype(np.result_type(x), copy=False)
        return x + self.lr_at(state.t) * p, GaussNewtonState(state.t + 1)


class LevenbergMarquardtState(NamedTuple):
    t: int  #: steps taken
    damping: float  #: λ for the next step
    accepted: bool | None  #: whether the last trial step was taken (None before the first step)
    cache: tuple | None  #: (θ, r, J) at the current point, reused after a rejected step


@dataclass(frozen=True, repr=False)
class LevenbergMarquardt(Optimizer):
    r"""Levenberg–Marquardt for nonlinear least squares L(θ) = ½‖r(θ)‖²/m: a Gauss–Newton step damped by
    λI, with λ adapted by Marquardt's rule.

    .. math::
        p_t &= -(J^\top J + \lambda_t I)^{-1} J^\top r \\
        \theta_{t+1} &= \theta_t + \eta\, p_t,\ \lambda_{t+1} = \lambda_t / \nu
            \quad\text{if } L(\theta_t + \eta p_t) < L(\theta_t)\ \text{(accepted)} \\
        \theta_{t+1} &= \theta_t,\ \lambda_{t+1} = \nu\, \lambda_t \quad\text{otherwise (rejected)}

    ======  =============  ===================================================================
    symbol  argument       meaning
    ======  =============  ===================================================================
    λ₀      ``damping``    the initial damping, > 0 (small: Gauss–Newton; large: a short gradient step)
    ν       ``factor``     how much λ shrinks after an accepted step and grows after a rejected one, > 1
    η       ``lr``         step length (1: the Levenberg–Marquardt step)
    ======  =============  ===================================================================

    λI is Levenberg's (1944) damping, in the units of JᵀJ (with r and J of the whole data set, not divided
    by m); the ×ν/÷ν adaptation with ν = 10 is Marquardt's (1963). (Marquardt also scaled the damping by
    diag(JᵀJ); N&W §10.3 adapt λ through a trust region instead — here the plain rule.) A rejected step is
    part of the method, not a failure: θ stays, λ grows and the next step is shorter and closer to −∇L.
    After a rejected step r and J at θ are reused, so that step costs one residual evaluation. Each new
    point costs one evaluation of r (``nfev``) and, once accepted, one of J (``ngev``); ``gd.run``'s own
    gradient at θ_t adds one ``ngev`` per step.

    >>> import gdlib as gd, numpy as np
    >>> problem = gd.CurveFit.misra1a()
    >>> opt = LevenbergMarquardt(); x = np.array([500.0, 1e-4]); state = opt.init(x)
    >>> for _ in range(30):
    ...     oracle = gd.Oracle(problem)
    ...     x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> bool(np.allclose(x, problem.certified, rtol=1e-9))   # NIST's certified values
    True

    References: K. Levenberg (1944), A method for the solution of certain non-linear problems in least
    squares, Quarterly of Applied Mathematics 2(2), 164–168; D. W. Marquardt (1963), An algorithm for
    least-squares estimation of nonlinear parameters, J. SIAM 11(2), 431–441; J. Nocedal, S. J. Wright
    (2006), Numerical Optimization, 2nd ed., Springer, §10.3.
    """

    damping: float = 1e-3
    factor: float = 10.0
    lr: float = 1.0

    State = LevenbergMarquardtState
    elementwise = False
    uses_oracle = True

    def _check(self):
        check_number("damping", self.damping, low=0, low_open=True, allow_array=False)
        check_number("factor", self.factor, low=1, low_open=True, allow_array=False)
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, low_open=True, allow_array=False)

    def init(self, x):
        return LevenbergMarquardtState(t=0, damping=self.damping, accepted=None, cache=None)

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, LevenbergMarquardtState):
            raise TypeError(
                "state must be a LevenbergMarquardtState made by LevenbergMarquardt.init(x) "
                f"(got a {type(state).__name__})"
            )
        if state.cache is not None and np.array_equal(state.cache[0], x):
            r, J = state.cache[1], state.cache[2]  # θ is the last trial point or did not move: r is known
            if J is None:  # an accepted trial point: only J is new
                J = oracle.problem.jacobian(x)
                oracle.ngev += 1
        else:
            r, J = _residuals_and_jacobian("LevenbergMarquardt", oracle, x)
        lam = state.damping
        p = np.linalg.solve(J.T @ J + lam * np.eye(J.shape[1]), -(J.T @ r)).astype(np.result_type(x), copy=False)
        x_trial = x + self.lr_at(state.t) * p
        r_trial = oracle.problem.residuals(x_trial)
        oracle.nfev += 1
        if float(r_trial @ r_trial) < float(r @ r):  # accepted: move, and trust the model more
            return x_trial, LevenbergMarquardtState(state.t + 1, lam / self.factor, True, (x_trial, r_trial, None))
        return x, LevenbergMarquardtState(state.t + 1, lam * self.factor, False, (x, r, J))
