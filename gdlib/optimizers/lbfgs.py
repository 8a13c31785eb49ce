"""L-BFGS (Liu & Nocedal 1989), one iteration per step, as torch.optim.LBFGS with max_iter=1."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_number
from ._base import Optimizer
from ._wolfe import flat_problem, strong_wolfe

__all__ = ["LBFGS", "LBFGSState"]


class LBFGSState(NamedTuple):
    t: int  #: steps taken (calls of step)
    n_iter: int  #: L-BFGS iterations made (torch's state['n_iter']; a converged step makes none)
    func_evals: int  #: evaluations of L and ∇L, the one at θ_t included (torch's state['func_evals'])
    d: np.ndarray | None  #: the last search direction (flat)
    lr: float | None  #: the last step length α_t (torch's state['t'])
    old_dirs: tuple  #: the stored y_i = ∇L_{i+1} − ∇L_i, oldest first
    old_stps: tuple  #: the stored s_i = θ_{i+1} − θ_i, oldest first
    ro: tuple  #: ρ_i = 1/(y_iᵀs_i)
    H_diag: float  #: γ, the scale of the initial inverse Hessian H₀ = γI
    prev_flat_grad: np.ndarray | None  #: ∇L at the previous iterate
    prev_loss: float | None  #: L at the previous iterate
    status: str  #: what the last step did (see LBFGS)
    failed: bool  #: True when the last line search found no point lower than θ_t (no step was taken)


@dataclass(frozen=True, repr=False)
class LBFGS(Optimizer):
    r"""Limited-memory BFGS: a quasi-Newton step whose inverse Hessian is built from the last m pairs of
    steps and gradient changes, by the two-loop recursion.

    .. math::
        s_i &= \theta_{i+1} - \theta_i, \quad y_i = g_{i+1} - g_i, \quad \rho_i = 1/(y_i^\top s_i)
            \qquad\text{(a pair is stored only if } y_i^\top s_i > 10^{-10}\text{)} \\
        q &= -g_t;\quad \text{for } i = t-1, \dots, t-m:\ a_i = \rho_i s_i^\top q,\ q \leftarrow q - a_i y_i \\
        r &= \gamma\, q,\quad \gamma = \frac{s_{t-1}^\top y_{t-1}}{y_{t-1}^\top y_{t-1}};\quad
            \text{for } i = t-m, \dots, t-1:\ b_i = \rho_i y_i^\top r,\ r \leftarrow r + (a_i - b_i) s_i \\
        d_t &= r \quad(d_0 = -g_0), \qquad \theta_{t+1} = \theta_t + \alpha_t\, d_t

    with α_t = η (α₀ = η·min(1, 1/‖g₀‖₁) on the first iteration), or the step a strong-Wolfe line search
    finds starting from that value.

    ====================  ====================  ===================================================
    symbol                argument              meaning
    ====================  ====================  ===================================================
    η                     ``lr``                step length, or the line search's first trial, ≥ 0
    m                     ``history_size``      how many pairs (s_i, y_i) are kept, ≥ 1
    —                     ``tolerance_grad``    no step when ‖g_t‖∞ ≤ this (converged)
    —                     ``tolerance_change``  no step when the slope g_tᵀd_t > −this; also the
                                                shortest bracket the line search zooms into
    —                     ``line_search_fn``    None (fixed step η) or ``"strong_wolfe"``
    —                     ``max_eval``          evaluations per step; the line search gets max_eval − 1
    ====================  ====================  ===================================================

    One ``step`` is one call of ``torch.optim.LBFGS(..., max_iter=1, max_eval=max_eval).step(closure)``,
    and reproduces it to rounding error (float64; tests/test_lbfgs_torch.py), including torch's
    conventions: a pair is stored only when yᵀs > 10⁻¹⁰; γ is refreshed only then; the first step is
    scaled by min(1, 1/‖g₀‖₁); the line search is torch's ``_strong_wolfe`` (c₁ = 10⁻⁴, c₂ = 0.9;
    :func:`gdlib.optimizers._wolfe.strong_wolfe`); and the early returns on ``tolerance_grad`` and
    ``tolerance_change``. torch's own default for one iteration is ``max_eval = max_iter·5//4 = 1``, which
    leaves the line search no trial beyond the first; gdlib's default is ``max_eval = 25``.

    ``state.status`` says what the last step did: ``"step"``; ``"converged"`` (‖g_t‖∞ ≤ tolerance_grad,
    no step, as torch returns at once); ``"no descent"`` (g_tᵀd_t > −tolerance_change, no step: torch's
    early stop, after which L-BFGS stays put); ``"wolfe not met"`` (the line search ran out of evaluations
    or bracket and, like torch, stepped to the lowest point it found); ``"line search failed"`` (no trial
    point was lower than θ_t: no step, ``state.failed`` is True and ``gd.run`` stops the run).

    L-BFGS needs the loss beside the gradient, so it takes the step's oracle (``uses_oracle``). It works on
    the whole parameter vector at once (structured parameters are flattened, ``elementwise = False``) and
    runs one problem at a time (no run axes). It is a full-batch method
    (``full_batch``: ``gd.run`` refuses ``batch_size``).

    >>> import gdlib as gd, numpy as np
    >>> problem = gd.Rosenbrock()
    >>> opt = LBFGS(line_search_fn="strong_wolfe", tolerance_change=1e-15)
    >>> x = np.array([-1.2, 1.0]); state = opt.init(x)
    >>> for _ in range(40):
    ...     oracle = gd.Oracle(problem)
    ...     x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> np.round(x, 6).tolist(), state.status         # the slope fell below 1e-15: L-BFGS stays
    ([1.0, 1.0], 'no descent')

    With torch's default ``tolerance_change=1e-9`` the same run stops at θ ≈ (0.99998, 0.99996).

    References: D. C. Liu, J. Nocedal (1989), On the limited memory BFGS method for large scale
    optimization, Mathematical Programming 45, 503–528; J. Nocedal, S. J. Wright (2006), Numerical
    Optimization, 2nd ed., Springer, Algorithm 7.4 (two-loop recursion) and Algorithm 7.5.
    """

    lr: float = 1.0
    history_size: int = 100
    tolerance_grad: float = 1e-7
    tolerance_change: float = 1e-9
    line_search_fn: str | None = None
    max_eval: int = 25

    State = LBFGSState
    elementwise = False
    uses_oracle = True
    full_batch = True

    def _check(self):
        if not callable(self.lr):
            check_number("lr", self.lr, low=0, allow_array=False)
        check_number("history_size", self.history_size, low=1, integer=True, allow_array=False)
        check_number("tolerance_grad", self.tolerance_grad, low=0, allow_array=False)
        check_number("tolerance_change", self.tolerance_change, low=0, allow_array=False)
        check_choice("line_search_fn", self.line_search_fn, (None, "strong_wolfe"))
        check_number("max_eval", self.max_eval, low=1, integer=True, allow_array=False)

    def init(self, x):
        return LBFGSState(
            t=0,
            n_iter=0,
            func_evals=0,
            d=None,
            lr=None,
            old_dirs=(),
            old_stps=(),
            ro=(),
            H_diag=1.0,
            prev_flat_grad=None,
            prev_loss=None,
            status="",
            failed=False,
        )

    def step(self, x, g, state, oracle=None):
        if not isinstance(state, LBFGSState):
            raise TypeError(f"state must be a LBFGSState made by LBFGS.init(x) (got a {type(state).__name__})")
        problem = flat_problem("LBFGS", x, g, oracle)
        lr, m = float(self.lr_at(state.t)), int(self.history_size)
        # ∇L(θ_t) is the g handed over (clipped, low-precision or averaged by the caller), never recomputed;
        # L(θ_t) comes from the oracle (in a plain run a cache hit beside that gradient, as torch's closure)
        flat_grad, loss = problem.g, problem.value(problem.x)
        func_evals = state.func_evals + 1
        if np.abs(flat_grad).max() <= self.tolerance_grad:  # optimal condition
            return x, state._replace(t=state.t + 1, func_evals=func_evals, status="converged", failed=False)

        n_iter = state.n_iter + 1
        old_dirs, old_stps, ro, H_diag = list(state.old_dirs), list(state.old_stps), list(state.ro), state.H_diag
        if n_iter == 1:
            d = -flat_grad
            old_dirs, old_stps, ro, H_diag = [], [], [], 1.0
        else:
            y = flat_grad - state.prev_flat_grad
            s = state.d * state.lr
            ys = float(y @ s)
            if ys > 1e-10:
                if len(old_dirs) == m:  # forget the oldest pair
                    del old_dirs[0], old_stps[0], ro[0]
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                H_diag = ys / float(y @ y)  # γ = sᵀy / yᵀy
            # the two-loop recursion: d = −H g
            al = [0.0] * len(old_dirs)
            q = -flat_grad
            for i in range(len(old_dirs) - 1, -1, -1):
                al[i] = float(old_stps[i] @ q) * ro[i]
                q = q - al[i] * old_dirs[i]
            r = q * H_diag
            for i in range(len(old_dirs)):
                be_i = float(old_dirs[i] @ r) * ro[i]
                r = r + (al[i] - be_i) * old_stps[i]
            d = r
        prev_flat_grad, prev_loss = flat_grad, loss

        alpha = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if n_iter == 1 else lr
        gtd = float(flat_grad @ d)  # the slope along d
        new_state = LBFGSState(
            state.t + 1,
            n_iter,
            func_evals,
            d,
            alpha,
            tuple(old_dirs),
            tuple(old_stps),
            tuple(ro),
            H_diag,
            prev_flat_grad,
            prev_loss,
            "step",
            False,
        )
        if gtd > -self.tolerance_change:  # no descent along d: stay
            return x, new_state._replace(status="no descent")

        if self.line_search_fn is None:
            return problem.unravel(problem.x + alpha * d), new_state

        def obj_func(x0, t, direction):
            return problem.value_and_grad(x0 + t * direction)

        _, _, alpha, ls_evals, done = strong_wolfe(
            obj_func,
            problem.x,
            alpha,
            d,
            loss,
            flat_grad,
            gtd,
            tolerance_change=self.tolerance_change,
            max_ls=int(self.max_eval) - 1,
        )
        status = "step" if done else ("line search failed" if alpha == 0 else "wolfe not met")
        new_state = new_state._replace(func_evals=func_evals + ls_evals, lr=alpha, status=status, failed=alpha == 0)
        return problem.unravel(problem.x + alpha * d), new_state
