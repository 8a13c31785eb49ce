r"""Steepest descent with a line search: the step size η_t is chosen at every step instead of fixed.

- ``"exact"`` (Cauchy 1847), on a quadratic: the η that minimises L along −g exactly,
  η_t = gᵀg / gᵀAg. Consecutive gradients are then orthogonal — the right-angle zig-zag.
- ``"armijo"`` (Armijo 1966), on any problem: start from η₀ and shrink by ρ until the loss drops by at
  least a fraction c of what the slope promises, L(θ − ηg) ≤ L(θ) − c η ‖g‖².

:class:`SteepestDescent` is an optimizer like any other: ``gd.run`` drives it and hands it the oracle it
needs to evaluate L at trial points. :func:`steepest_descent` is a shortcut for that run.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._checks import check_choice, check_number
from .optimizers._base import Optimizer

__all__ = ["steepest_descent", "SteepestDescent", "SteepestDescentState", "exact_step", "armijo_step"]


def exact_step(problem, x, g):
    r"""η = gᵀg / gᵀAg, the minimiser of η ↦ L(θ − ηg) on a quadratic (Cauchy 1847).

    ``x`` is not used (the step along −g from any point of a quadratic depends on g only); it is there so
    that every step rule takes (problem, x, g)."""
    A = getattr(problem, "A", None)
    if A is None:
        raise ValueError(f"the exact line search needs a Quadratic (got {problem!r}); use line_search='armijo'")
    gAg = np.einsum("...i,ij,...j->...", g, np.asarray(A, dtype=np.result_type(g)), g)
    return np.sum(g * g, axis=-1) / gAg


def _backtrack(f, x, g, f0, lr0, c, shrink, max_halvings):
    """(η, found): the first η in η₀, ρη₀, ρ²η₀, … with f(θ − ηg) ≤ f(θ) − c η ‖g‖², per run. A trial must
    also lower f for real: in floating point a step too small to change f passes the inequality as
    f(θ) ≤ f(θ), and accepting it would hide a failed search. ``found`` is False for a run where none of
    the ``max_halvings + 1`` trials passed (and True where g = 0: there is nothing to search)."""
    slope = np.sum(g * g, axis=-1)
    eta = np.full(np.shape(f0), float(lr0), dtype=np.result_type(g))
    too_long = slope > 0
    for _ in range(max_halvings + 1):
        f_trial = f(x - eta[..., None] * g)
        too_long = ~((f_trial <= f0 - c * eta * slope) & (f_trial < f0)) & (slope > 0)
        if not np.any(too_long):
            break
        eta = np.where(too_long, eta * shrink, eta)
    return eta, ~too_long


def armijo_step(problem, x, g, lr0=1.0, c=1e-4, shrink=0.5, max_halvings=60):
    r"""Backtracking: the first η in η₀, ρη₀, ρ²η₀, … with L(θ − ηg) ≤ L(θ) − c η ‖g‖² (Armijo 1966).

    Raises ``ValueError`` where no step of the ``max_halvings + 1`` tried satisfies the condition (−g is
    then not a descent direction, or the loss is not finite), rather than returning a meaningless η."""
    eta, found = _backtrack(problem.f, x, g, problem.f(x), lr0, c, shrink, max_halvings)
    if not np.all(found):
        raise ValueError(
            f"no step in {lr0:g}·{shrink:g}^k, k ≤ {max_halvings}, satisfies Armijo's condition: "
            "is −g a descent direction?"
        )
    return eta


class SteepestDescentState(NamedTuple):
    t: int  #: steps taken
    lr: Any  #: the step size η_t chosen by the last step (one per run)
    failed: Any  #: True for a run whose last line search found no acceptable step (it then stays put)


@dataclass(frozen=True, repr=False)
class SteepestDescent(Optimizer):
    r"""Gradient descent θ_{t+1} = θ_t − η_t ∇L(θ_t) with η_t chosen by a line search at every step.

    ==============  ================  ============================================================
    symbol          argument          meaning
    ==============  ================  ============================================================
    —               ``line_search``   'exact' (quadratics: η_t = gᵀg/gᵀAg) or 'armijo'
    η₀              ``lr``            the first step tried by Armijo's rule, > 0
    c               ``c``             sufficient-decrease fraction, in (0, 1)
    ρ               ``shrink``        the factor that shortens a rejected step, in (0, 1)
    —               ``max_halvings``  how many times ρ may shorten the step before the search fails
    ==============  ================  ============================================================

    The Armijo search evaluates L at trial points of the step's own mini-batch through the oracle (each
    trial counts in ``RunResult.nfev``). If no trial satisfies the condition the run takes no step and
    ``gd.run`` stops it with the status *line search failed*, naming the step.

    >>> import gdlib as gd
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    >>> r = gd.run(gd.SteepestDescent("exact"), q, [10.0, 1.0], steps=3)
    >>> g0, g1 = q.grad(r.xs[0]), q.grad(r.xs[1])
    >>> abs(float(g0 @ g1)) < 1e-12                    # consecutive gradients at right angles
    True

    References: A.-L. Cauchy (1847), Comptes rendus 25, 536–538; L. Armijo (1966), Minimization of
    functions having Lipschitz continuous first partial derivatives, Pacific J. Math. 16(1), 1–3.
    """

    line_search: str = "exact"
    lr: float = 1.0
    c: float = 1e-4
    shrink: float = 0.5
    max_halvings: int = 60
    maximize: bool = False

    State = SteepestDescentState
    elementwise = False
    uses_oracle = True

    def _check(self):
        check_choice("line_search", self.line_search, ("exact", "armijo"))
        check_number("lr", self.lr, low=0, low_open=True, allow_array=False)
        check_number("c", self.c, low=0, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("shrink", self.shrink, low=0, high=1, low_open=True, high_open=True, allow_array=False)
        check_number("max_halvings", self.max_halvings, low=0, integer=True, allow_array=False)
        if self.maximize:
            raise ValueError("maximize=True is not supported by the line searches (they test a decrease)")

    def init(self, x):
        return SteepestDescentState(t=0, lr=None, failed=None)

    def step(self, x, g, state, oracle=None):
        g = self._prepare(x, g, state)
        if oracle is None:
            raise ValueError(
                "SteepestDescent needs the problem: run it with gd.run(...) or pass oracle=gd.Oracle(problem)"
            )
        if self.line_search == "exact":
            eta = exact_step(oracle.problem, x, g)
            found = np.ones(np.shape(eta), dtype=bool)
        else:
            eta, found = _backtrack(oracle.f, x, g, oracle.f(x), self.lr, self.c, self.shrink, int(self.max_halvings))
        eta = np.where((np.sum(g * g, axis=-1) == 0) | ~found, 0.0, eta).astype(np.result_type(g), copy=False)
        return x - eta[..., None] * g, SteepestDescentState(state.t + 1, eta[()], ~found)


def steepest_descent(problem, x0, steps=100, line_search="exact", *, lr0=1.0, c=1e-4, shrink=0.5, tol_grad=None):
    r"""Run :class:`SteepestDescent` on ``problem`` from ``x0``: ``gd.run(SteepestDescent(line_search, lr=lr0,
    c=c, shrink=shrink), problem, x0, steps, tol_grad=tol_grad)``.

    Returns a :class:`~gdlib.runner.RunResult` whose ``lrs`` are the chosen η_t.

    >>> import gdlib as gd
    >>> q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    >>> r = gd.steepest_descent(q, [10.0, 1.0], steps=3)
    >>> [round(float(eta), 4) for eta in r.lrs[:2]]      # from this start every exact step is 2/11
    [0.1818, 0.1818]
    """
    from .runner import run

    opt = SteepestDescent(line_search, lr=lr0, c=c, shrink=shrink)
    return run(opt, problem, x0, steps, tol_grad=tol_grad)
