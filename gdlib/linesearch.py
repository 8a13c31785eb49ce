r"""Steepest descent with a line search: the step size η_t is chosen at every step instead of fixed.

- ``"exact"`` (Cauchy 1847), on a quadratic: the η that minimises L along −g exactly,
  η_t = gᵀg / gᵀAg. Consecutive gradients are then orthogonal — the right-angle zig-zag.
- ``"armijo"`` (Armijo 1966), on any problem: start from η₀ and shrink by ρ until the loss drops by at
  least a fraction c of what the slope promises, L(θ − ηg) ≤ L(θ) − c η ‖g‖².
"""

import numpy as np

from ._checks import check_choice, check_number
from .runner import RunResult, _message, _norm

__all__ = ["steepest_descent", "exact_step", "armijo_step"]


def exact_step(problem, x, g):
    r"""η = gᵀg / gᵀAg, the minimiser of η ↦ L(θ − ηg) on a quadratic (Cauchy 1847)."""
    if not hasattr(problem, "A"):
        raise ValueError(f"the exact line search needs a Quadratic (got {problem!r}); use line_search='armijo'")
    gAg = np.einsum("...i,ij,...j->...", g, problem.A, g)
    return np.sum(g * g, axis=-1) / gAg


def armijo_step(problem, x, g, lr0=1.0, c=1e-4, shrink=0.5, max_halvings=60):
    r"""Backtracking: the first η in η₀, ρη₀, ρ²η₀, … with L(θ − ηg) ≤ L(θ) − c η ‖g‖² (Armijo 1966)."""
    f0, slope = problem.f(x), np.sum(g * g, axis=-1)
    eta = np.full(np.shape(f0), float(lr0))
    for _ in range(max_halvings):
        too_long = problem.f(x - eta[..., None] * g) > f0 - c * eta * slope
        if not np.any(too_long):
            break
        eta = np.where(too_long, eta * shrink, eta)
    return eta


def steepest_descent(problem, x0, steps=100, line_search="exact", *, lr0=1.0, c=1e-4, shrink=0.5,
                     tol_grad=None):
    r"""Gradient descent θ_{t+1} = θ_t − η_t ∇L(θ_t) with η_t chosen by a line search.

    ===============  ============================================================
    argument         meaning
    ===============  ============================================================
    ``line_search``  'exact' (quadratics: η_t = gᵀg/gᵀAg) or 'armijo'
    ``lr0``          η₀, the first step tried by Armijo's rule, > 0
    ``c``            sufficient-decrease fraction, in (0, 1)
    ``shrink``       ρ, the factor that shortens a rejected step, in (0, 1)
    ``tol_grad``     stop when ‖∇L‖ ≤ tol_grad
    ===============  ============================================================

    Returns a :class:`~gdlib.runner.RunResult` whose ``lrs`` are the chosen η_t.

    >>> import gdlib as gd
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    >>> r = gd.steepest_descent(q, [10.0, 1.0], steps=3)
    >>> g0, g1 = q.grad(r.xs[0]), q.grad(r.xs[1])
    >>> abs(float(g0 @ g1)) < 1e-12                    # consecutive gradients at right angles
    True

    References: A.-L. Cauchy (1847), Comptes rendus 25, 536–538; L. Armijo (1966), Minimization of
    functions having Lipschitz continuous first partial derivatives, Pacific J. Math. 16(1), 1–3.
    """
    check_choice("line_search", line_search, ("exact", "armijo"))
    check_number("steps", steps, low=1, integer=True, allow_array=False)
    check_number("lr0", lr0, low=0, low_open=True, allow_array=False)
    check_number("c", c, low=0, high=1, low_open=True, high_open=True, allow_array=False)
    check_number("shrink", shrink, low=0, high=1, low_open=True, high_open=True, allow_array=False)
    x = np.asarray(x0, dtype=float)
    if x.ndim == 0 or x.shape[-1] != problem.d:
        raise ValueError(f"x0 must have shape ({problem.d},) or (n_runs, {problem.d}) (got {x.shape})")
    xs, fs, gns, lrs = [x], [problem.f(x)], [], []
    status, nit, event = "step budget reached", steps, {}
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = problem.grad(x)
            gns.append(_norm(g))
            if tol_grad is not None and np.all(gns[-1] <= tol_grad):
                status, nit, event = "converged (gradient norm)", t, {"converged (gradient norm)": (t, "")}
                break
            eta = exact_step(problem, x, g) if line_search == "exact" else armijo_step(problem, x, g, lr0, c, shrink)
            eta = np.where(np.sum(g * g, axis=-1) == 0, 0.0, eta)      # at a stationary point: stay
            x = x - eta[..., None] * g
            xs.append(x), fs.append(problem.f(x)), lrs.append(eta)
        gns.append(_norm(problem.grad(x)))
    return RunResult(np.array(xs), np.array(fs), np.array(gns), lrs, np.arange(len(xs)), nit, status,
                     _message(status, nit, steps, event), getattr(problem, "x_star", None))
