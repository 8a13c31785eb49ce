r"""Line searches of the second-order and quasi-Newton methods, and the flat view of the problem they share.

Along a descent direction p from θ (slope ∇L(θ)ᵀp < 0), a line search picks the step length α of
θ + αp. Two conditions, with 0 < c₁ < c₂ < 1 (Nocedal & Wright 2006, §3.1):

.. math::
    L(\theta + \alpha p) &\le L(\theta) + c_1\,\alpha\,\nabla L(\theta)^\top p
        \qquad\text{(sufficient decrease, Armijo)} \\
    \lvert\nabla L(\theta + \alpha p)^\top p\rvert &\le c_2\,\lvert\nabla L(\theta)^\top p\rvert
        \qquad\text{(strong curvature condition)}

- :func:`strong_wolfe` is PyTorch's ``_strong_wolfe`` (torch/optim/lbfgs.py, itself a port of minFunc's
  ``lswolfe``) line for line: it brackets an interval holding a strong-Wolfe point by cubic extrapolation,
  then zooms in by safeguarded cubic interpolation (:func:`cubic_interpolate`), the scheme of N&W
  Algorithms 3.5 and 3.6. L-BFGS needs exactly this search to reproduce ``torch.optim.LBFGS``; BFGS and
  nonlinear conjugate gradient use it too.
- :func:`backtracking` is N&W Algorithm 3.1: α = α₀, ρα₀, ρ²α₀, … until sufficient decrease holds.

Neither fails silently: each returns whether its condition was met, and the optimizers carry that in
their state (``failed`` stops ``gd.run`` with the status *line search failed*).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .. import tree

__all__ = ["cubic_interpolate", "strong_wolfe", "backtracking", "FlatProblem", "flat_problem"]


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    r"""The minimiser of the cubic through (x₁, f₁) and (x₂, f₂) with slopes g₁, g₂, clipped to ``bounds``
    (default: the interval between x₁ and x₂); the interval's midpoint when the cubic has no minimiser.

    .. math::
        d_1 = g_1 + g_2 - 3\frac{f_1 - f_2}{x_1 - x_2}, \quad d_2 = \sqrt{d_1^2 - g_1 g_2}, \quad
        x^\star = x_2 - (x_2 - x_1)\frac{g_2 + d_2 - d_1}{g_2 - g_1 + 2 d_2}

    (N&W eq. 3.59), computed as torch's ``_cubic_interpolate``.

    >>> cubic_interpolate(0.0, 0.0, -1.0, 2.0, 0.0, 1.0)   # L = α²/2 − α: f(0) = f(2) = 0
    1.0
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = float(np.sqrt(d2_square))
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    r"""A step length t along d satisfying the strong Wolfe conditions, by torch's ``_strong_wolfe``.

    ==========  ====================  ==================================================================
    symbol      argument              meaning
    ==========  ====================  ==================================================================
    —           ``obj_func``          ``obj_func(x, t, d) -> (L(x + t d), ∇L(x + t d))`` (a float, a vector)
    θ, α₀, p    ``x``, ``t``, ``d``   the point, the first trial step length and the direction
    L, ∇L       ``f``, ``g``          the loss and gradient at x
    ∇Lᵀp        ``gtd``               the slope at x along d (negative)
    c₁, c₂      ``c1``, ``c2``        sufficient decrease and curvature constants, 0 < c₁ < c₂ < 1
    —           ``tolerance_change``  stop zooming when the bracket is shorter than this (times ‖d‖∞)
    —           ``max_ls``            the most evaluations of ``obj_func`` the search may make
    ==========  ====================  ==================================================================

    Returns ``(f_new, g_new, t, evaluations, done)``: the loss, gradient and step length of the lowest point
    found, the number of evaluations, and ``done``, whether that point satisfies the strong Wolfe
    conditions. When it does not (the budget ran out, or the bracket shrank below ``tolerance_change``),
    the step is still the lowest point found, as in torch — t = 0 if no trial point was lower than x.

    >>> import numpy as np
    >>> obj = lambda x, t, d: (float(((x + t * d) ** 2).sum()), 2 * (x + t * d))   # L(θ) = ‖θ‖²
    >>> x = np.array([1.0, 2.0]); g = 2 * x; d = -g
    >>> f_new, g_new, t, evals, done = strong_wolfe(obj, x, 1.0, d, 5.0, g, float(g @ d))
    >>> round(t, 12), evals, done                       # the exact minimiser along d, found by interpolation
    (0.5, 2, True)
    """
    d_norm = float(np.abs(d).max())
    # evaluate objective and gradient using initial step
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = float(g_new @ d)

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        # check conditions
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g = [t_prev, t], [f_prev, f_new], [g_prev, g_new]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g = [t_prev, t], [f_prev, f_new], [g_prev, g_new]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        # interpolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        # next step
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1

    # reached max number of iterations?
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: we now have a point satisfying the criteria, or a bracket around it; refine the bracket
    # until we find the exact point satisfying the criteria
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        # line-search bracket is so small
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        # compute new trial value
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # test that we are making sufficient progress: if t is close to a boundary and either the last step
        # made insufficient progress or t is at a boundary, move t to 0.1 of the bracket from that boundary
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            # interpolation close to boundary
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                # evaluate at 0.1 away from boundary
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        # evaluate new point
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition not satisfied or not lower than lowest point
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                # Wolfe conditions satisfied
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # old high becomes new low
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            # new point becomes new low
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    # return stuff
    t = bracket[low_pos]
    return bracket_f[low_pos], bracket_g[low_pos], t, ls_func_evals, done


def backtracking(value, x, p, f, gtp, alpha=1.0, c1=1e-4, shrink=0.5, max_ls=30):
    r"""Backtracking (N&W Algorithm 3.1): the first α in α₀, ρα₀, ρ²α₀, … with
    L(θ + αp) ≤ L(θ) + c₁ α ∇L(θ)ᵀp.

    ``value(v)`` is L at a point v, ``f`` = L(θ) and ``gtp`` = ∇L(θ)ᵀp. Returns ``(alpha, f_new,
    evaluations, found)``; when none of the ``max_ls`` trials satisfies the condition, ``found`` is False
    and alpha is 0 (no step).

    >>> import numpy as np
    >>> value = lambda v: float(v @ v)                  # L(θ) = ‖θ‖², θ = 1, p = −∇L = −2
    >>> backtracking(value, np.array([1.0]), np.array([-2.0]), 1.0, -4.0)
    (0.5, 0.0, 2, True)
    """
    for evaluations in range(1, max_ls + 1):
        f_new = value(x + alpha * p)
        if f_new <= f + c1 * alpha * gtp:
            return alpha, f_new, evaluations, True
        alpha = alpha * shrink
    return 0.0, f, max_ls, False


class FlatProblem(NamedTuple):
    """The problem as the second-order methods see it: θ and ∇L(θ) as flat vectors of shape (D,), and L,
    ∇L, ∇²L·v, ∇²L at other flat points through the step's oracle (so every evaluation is counted)."""

    x: np.ndarray  #: θ flattened
    g: np.ndarray  #: ∇L(θ) flattened
    unravel: Callable  #: a flat vector back to θ's structure
    value: Callable  #: v ↦ L(v), a float
    value_and_grad: Callable  #: v ↦ (L(v), ∇L(v))
    hvp: Callable  #: (v, u) ↦ ∇²L(v)·u
    hess: Callable  #: v ↦ ∇²L(v), shape (D, D)


def flat_problem(name, x, g, oracle):
    """The :class:`FlatProblem` for a step of the optimizer ``name`` at θ = ``x`` with gradient ``g``.

    Raises ``TypeError`` without an oracle and ``ValueError`` for run axes: these methods run one problem
    at a time.
    """
    if oracle is None:
        raise TypeError(f"{name} needs the problem: run it with gd.run(...) or pass oracle=gd.Oracle(problem)")
    tree.check_params("x", x)
    flat_x, unravel = tree.ravel(x, oracle.run_ndim)
    if flat_x.ndim != 1:
        raise ValueError(
            f"{name} runs one problem at a time: θ must have shape (d,) or be one run's arrays "
            f"(got run axes of shape {flat_x.shape[:-1]})"
        )
    flat_g = tree.ravel(g, oracle.run_ndim)[0]
    if flat_g.shape != flat_x.shape:
        raise ValueError(f"x and g must have the same shape (got {flat_x.shape} and {flat_g.shape} flattened)")

    def flat(v):
        return tree.ravel(v, oracle.run_ndim)[0]

    def value(v):
        return float(oracle.f(unravel(v)))

    def value_and_grad(v):
        f, grad = oracle.value_and_grad(unravel(v))
        return float(f), flat(grad)

    def hvp(v, u):
        return flat(oracle.hvp(unravel(v), unravel(u)))

    def hess(v):
        if tree.is_tree(x):
            raise ValueError(
                f"{name} with a dense Hessian needs a flat θ; use solver='cg' (Hessian-vector "
                "products) for structured parameters"
            )
        return np.asarray(oracle.hess(v))

    return FlatProblem(flat_x, flat_g, unravel, value, value_and_grad, hvp, hess)
