r"""Run an optimizer on a problem and record what happened.

:func:`run` is the one loop of the book: it steps any gdlib optimizer on any problem, optionally with
mini-batches, gradient clipping, emulated low precision, a callback and stopping rules, and returns a
:class:`RunResult`. Give it ``x0`` of shape (n_runs, d) and hyperparameters of shape (n_runs, 1) and it runs
n_runs independent trajectories at once, each with its own status. Line searches, Newton's method and the
other optimizers that ask the problem for more than the gradient run in the same loop: ``run`` hands them
an :class:`~gdlib.oracle.Oracle` for the step's mini-batch.
"""

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from . import tree
from ._checks import check_choice, check_number
from .clipping import clip_grad_norm
from .optimizers._base import tree_init, tree_step
from .oracle import Oracle
from .problems.base import as_float

__all__ = ["run", "RunResult", "StepInfo", "STATUSES", "minibatches"]

STATUSES = (
    "converged (gradient norm)",
    "converged (change in loss)",
    "converged (no further decrease)",
    "step budget reached",
    "diverged",
    "line search failed",
)


@dataclass
class RunResult:
    r"""What a run recorded.

    =================== =====================================================================================
    field               meaning
    =================== =====================================================================================
    ``xs``              iterates θ_t at the recorded steps, shape (n_records, *runs, d); xs[0] = θ₀ (for
                        structured parameters a tree of such arrays)
    ``fs``              full-batch loss L(θ_t) at the recorded steps, shape (n_records, *runs)
    ``grad_norms``      full-batch ‖∇L(θ_t)‖ at the recorded steps, shape (n_records, *runs)
    ``lrs``             the step size of the step taken at each recorded step (NaN at the last record,
                        after which no step is taken); for a line search, the η it chose
    ``ts``              the step index t of each record, shape (n_records,)
    ``nit``             steps taken (an int for one run, an array with one entry per run)
    ``status``          one of :data:`STATUSES` (a str for one run, an array of str per run)
    ``message``         a sentence saying why the run stopped, naming the step
    ``x_star``          the problem's minimiser, when known (for :meth:`rate`)
    ``nfev``            evaluations of L the method made (line searches, L-BFGS); monitoring not counted
    ``ngev``            evaluations of ∇L the method made, the step's own gradient included
    ``nhev``            Hessians or Hessian-vector products the method evaluated
    ``skipped``         steps skipped by dynamic loss scaling because the scaled gradient overflowed
    ``callback_ts``     the steps at which the callback returned a value
    ``callback_values`` what it returned there
    =================== =====================================================================================

    One call evaluating all runs at once counts once. The lengths of ``xs``, ``fs``, ``grad_norms``,
    ``lrs`` and ``ts`` are always equal (checked on construction).
    """

    xs: Any
    fs: np.ndarray
    grad_norms: np.ndarray
    lrs: list
    ts: np.ndarray
    nit: Any
    status: Any
    message: str
    x_star: Any = None
    nfev: int = 0
    ngev: int = 0
    nhev: int = 0
    skipped: int = 0
    callback_ts: list = field(default_factory=list)
    callback_values: list = field(default_factory=list)

    def __post_init__(self):
        n = len(self.ts)
        lengths = {
            "xs": len(tree.leaves(self.xs)[0]),
            "fs": len(self.fs),
            "grad_norms": len(self.grad_norms),
            "lrs": len(self.lrs),
        }
        wrong = {k: v for k, v in lengths.items() if v != n}
        if wrong:
            raise ValueError(f"a RunResult needs one entry per record ({n} ts); got {wrong}")
        if np.shape(self.status) != np.shape(self.nit) or np.shape(self.status) != np.shape(self.fs)[1:]:
            raise ValueError("status and nit need one entry per run")
        if len(self.callback_ts) != len(self.callback_values):
            raise ValueError("callback_ts and callback_values must have the same length")

    @property
    def x(self):
        """The last iterate."""
        return tree.tree_map(lambda a: a[-1], self.xs)

    @property
    def success(self):
        """True for a run that converged (per run for vectorised runs)."""
        return np.char.startswith(np.asarray(self.status, dtype=str), "converged")[()]

    def rate(self):
        """Per-step contraction of the distance to θ*: (‖θ_T − θ*‖ / ‖θ₀ − θ*‖)^(1/T), per run
        (∞ for a diverged run)."""
        if self.x_star is None:
            raise ValueError("rate() needs a problem with a known minimiser x_star")
        run_ndim = np.ndim(self.fs) - 1
        first = tree.tree_map(lambda a, s: a[0] - s, self.xs, self.x_star)
        last = tree.tree_map(lambda a, s: a[-1] - s, self.xs, self.x_star)
        e0, eT = tree.norm(first, run_ndim), tree.norm(last, run_ndim)
        nit = np.maximum(np.asarray(self.nit), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (eT / e0) ** (1.0 / nit)
        return np.where(np.asarray(self.status) == "diverged", np.inf, r)

    def __repr__(self):
        if np.ndim(self.fs) == 1:
            return (
                f"RunResult({self.status}, nit={self.nit}, loss {self.fs[0]:.4g} → {self.fs[-1]:.4g}, "
                f"‖∇L‖ {self.grad_norms[-1]:.3g}, {len(self.ts)} records)"
            )
        runs = np.shape(self.fs)[1:]
        statuses, counts = np.unique(np.asarray(self.status), return_counts=True)
        summary = ", ".join(f"{c} {s}" for s, c in zip(statuses, counts, strict=True))
        size = sum(int(np.prod(np.shape(leaf)[1 + len(runs) :])) for leaf in tree.leaves(self.xs))
        return f"RunResult({int(np.prod(runs))} runs of d={size}: {summary}; {len(self.ts)} records)"


class StepInfo(NamedTuple):
    """What a callback of :func:`run` receives at step t (before the step is taken)."""

    t: int  #: the step index
    x: Any  #: the iterate θ_t
    g: Any  #: the gradient the step uses (mini-batch, clipped), or the full gradient at the end
    oracle: Oracle  #: a full-batch oracle at θ_t, whose evaluations are not counted in the run's nfev/ngev/nhev
    state: Any  #: the optimizer's state


def minibatches(n, batch_size, sampling="shuffle", seed=0):
    r"""The mini-batches :func:`run` draws: an endless sequence of arrays of example indices.

    ``sampling="shuffle"`` visits the n examples in a fresh random order every epoch and cuts it into
    ⌈n/B⌉ batches (the last one smaller when B does not divide n), so each example is seen once per epoch;
    ``"replacement"`` draws every batch independently, B indices uniformly with replacement.

    >>> batches = minibatches(5, 2, seed=0)
    >>> epoch = [next(batches) for _ in range(3)]
    >>> sorted(int(i) for batch in epoch for i in batch)
    [0, 1, 2, 3, 4]
    """
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("batch_size", batch_size, low=1, high=n, integer=True, allow_array=False)
    check_choice("sampling", sampling, ("shuffle", "replacement"))
    n, batch_size, rng = int(n), int(batch_size), np.random.default_rng(seed)

    def draw():
        while True:
            if sampling == "replacement":
                yield rng.integers(0, n, batch_size)
            else:
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    yield order[start : start + batch_size]

    return draw()


class _Status:
    """Per-run status, steps taken and the first step at which each kind of stop happened."""

    def __init__(self, runs, steps):
        self.steps = steps
        self.active = np.ones(runs, dtype=bool)
        self.status = np.full(runs, "step budget reached", dtype=object)
        self.nit = np.full(runs, steps)
        self.first = {}

    def stop(self, mask, why, t, detail=""):
        """Stop the still-active runs in ``mask`` at step t for reason ``why``."""
        mask = self.active & mask
        if not np.any(mask):
            return
        self.status[mask], self.nit[mask], self.active[mask] = why, t, False
        self.first.setdefault(why, (t, detail))

    def result(self):
        """(status, nit, message): a str and an int for one run, arrays for many."""
        status, nit = self.status, self.nit
        if status.ndim == 0:
            status, nit = str(status[()]), int(nit[()])
            if status == "step budget reached":
                return status, nit, f"step budget reached: {self.steps} steps taken"
            t, detail = self.first[status]
            return status, nit, f"{status} at step {t}{detail}"
        values, counts = np.unique(status.astype(str), return_counts=True)
        parts = []
        for value, count in zip(values, counts, strict=True):
            where = f" (first at step {self.first[value][0]})" if value in self.first else ""
            parts.append(f"{count} {value}{where}")
        return status.astype(str), nit, f"{status.size} runs: " + ", ".join(parts)


def _divergence_detail(norms, mask, limit):
    value = np.asarray(norms)[mask].ravel()[0] if np.ndim(norms) else float(norms)
    if np.isfinite(value):
        return f": gradient norm {value:.3g} exceeds {limit:.3g}"
    return ": the gradient is not finite"


class _Recorder:
    """The records of a run: which steps to keep, and the lists they go into."""

    def __init__(self, record, record_every, steps):
        self.record, self.every, self.steps = record, record_every, steps
        self.xs, self.fs, self.gns, self.lrs, self.ts = [], [], [], [], []

    def wants(self, t):
        if self.record == "final":
            return t == 0
        return t % self.every == 0 or t == self.steps

    def add(self, t, x, f, g_norm):
        self.xs.append(x)
        self.fs.append(f)
        self.gns.append(g_norm)
        self.ts.append(t)
        self.lrs.append(np.nan)  # filled in by set_lr when a step is taken from this record

    def set_lr(self, t, lr):
        if self.ts and self.ts[-1] == t:
            self.lrs[-1] = lr


def _params(problem, x0):
    """θ₀ as floating arrays (their dtype kept), checked against the problem's shape; and its run axes.
    A problem with ``shapes`` takes a tree; any other takes an array (a list of numbers is an array)."""
    shapes = getattr(problem, "shapes", None)
    if shapes is not None and tree.is_tree(shapes):
        if not tree.is_tree(x0):
            raise ValueError(f"x0 must be structured like the problem's parameters {shapes} (got {type(x0).__name__})")
        x = tree.tree_map(as_float, x0)
        try:
            return x, tree.run_ndim_of(x, shapes)
        except ValueError as exc:
            raise ValueError(f"x0 does not match the problem's parameter shapes: {exc}") from None
    try:
        x = as_float(x0)
    except (TypeError, ValueError):
        raise TypeError(f"x0 must be an array of numbers of shape ({problem.d},) or (n_runs, {problem.d})") from None
    if x.ndim == 0 or x.shape[-1] != problem.d:
        raise ValueError(f"x0 must have shape ({problem.d},) or (n_runs, {problem.d}) (got {x.shape})")
    return x, x.ndim - 1


def _where(active, new, old, run_ndim, state):
    """Per run: the new parameters where the run is active, the old ones where it has stopped. A fresh array
    the step made (owned by no one else: not a view, not the old θ, not held by the state) is overwritten in
    place, which saves a copy per step in large sweeps; anything else is combined with np.where."""
    held = {id(a) for a in (state if isinstance(state, tuple) else ()) if isinstance(a, np.ndarray)}

    def pick(a, b):
        mask = active.reshape(active.shape + (1,) * (np.ndim(a) - run_ndim))
        fresh = (
            isinstance(a, np.ndarray)
            and a.base is None
            and a.flags.writeable
            and a is not b
            and id(a) not in held
            and a.shape == np.shape(b)
            and a.dtype == np.asarray(b).dtype
        )
        if fresh:
            np.copyto(a, b, where=~mask)
            return a
        return np.where(mask, a, b)

    return tree.tree_map(pick, new, old)


def _inner(state, name):
    """``state.name``, looked up through wrapper states (``inner_state`` of Accumulate, Lookahead and EMA,
    ``base_state`` of SAM) down to the optimizer that has it; None when none has it."""
    while state is not None:
        value = getattr(state, name, None)
        if value is not None:
            return value
        state = getattr(state, "inner_state", getattr(state, "base_state", None))
    return None


def _lr_of(opt, state, t):
    """The step size of the step just taken: a line search's choice (``state.lr``, also inside a wrapper's
    state), 0 when the optimizer stayed put, or ``opt.lr_at(t)``."""
    if _inner(state, "status") in _STAYED:
        return 0.0
    chosen = _inner(state, "lr")
    if chosen is not None:
        return chosen
    lr_at = getattr(opt, "lr_at", None)
    return lr_at(t) if lr_at is not None else np.nan


# what an optimizer's ``state.status`` (L-BFGS) may say about a step it did not take, and how run reports it
_STAYED = {
    "converged": ("converged (gradient norm)", ": the optimizer's own test ‖g‖∞ ≤ tolerance_grad held"),
    "no descent": ("converged (no further decrease)", ": the slope along the search direction is ≥ −tolerance_change"),
}


_ROUNDING = ": the line search found no lower point and ‖g‖ ≤ √ε·max(1, |L|) (rounding level)"


def _at_rounding_level(problem, x, g_norm):
    """Per run: ‖g‖ ≤ √ε·max(1, |L(θ)|), ε the machine epsilon of θ's dtype, where a failed line search
    means that L cannot decrease any further in floating point rather than that the method broke down."""
    eps = np.finfo(np.result_type(tree.leaves(x)[0])).eps
    return np.asarray(g_norm <= np.sqrt(eps) * np.maximum(1.0, np.abs(problem.f(x))))


def _stop_diverged(status, t, norm, limit, skip, scale_used, compute_dtype):
    """Stop the runs whose step gradient norm says divergence: not finite or above ``limit``. On a step
    skipped by dynamic loss scaling only a finite norm above the limit counts, or a non-finite one when the
    scale used was already ≤ 1 (the overflow is then the gradient's own, not the scale's)."""
    if not skip:
        bad = ~(np.isfinite(norm) & (norm <= limit))
    elif scale_used <= 1.0:
        bad = ~np.isfinite(norm)
    else:
        bad = np.isfinite(norm) & (norm > limit)
    bad = bad & status.active
    if not np.any(bad):
        return
    if "diverged" in status.first:
        detail = ""
    elif skip and scale_used <= 1.0:
        detail = f": the gradient overflows {compute_dtype} with the loss scale at {scale_used:g} ≤ 1"
    else:
        detail = _divergence_detail(norm, bad, limit)
    status.stop(bad, "diverged", t, detail)


def _stop_by_state(status, t, state, problem, x, g_norm):
    """Stop the runs the optimizer's state (or the inner state of a wrapper) says are done: L-BFGS stayed
    by its own test, or a line search failed (converged when ‖g‖ is at rounding level)."""
    stayed = _STAYED.get(_inner(state, "status"))
    if stayed is not None:
        status.stop(np.ones(status.active.shape, dtype=bool), stayed[0], t, stayed[1])
    failed = _inner(state, "failed")
    if failed is not None and np.any(failed):
        failed = np.broadcast_to(np.asarray(failed, dtype=bool), status.active.shape)
        status.stop(failed & _at_rounding_level(problem, x, g_norm), "converged (no further decrease)", t, _ROUNDING)
        status.stop(failed, "line search failed", t, ": no step length satisfied the line search's condition")


def _check_opt_and_problem(opt, problem):
    """Refuse an optimizer class, something that is not an optimizer, and a problem without a dimension
    (the usual slip: opt and problem swapped, or the function L passed instead of the problem)."""
    if isinstance(opt, type):
        raise TypeError(f"opt is the class {opt.__name__}; pass an instance such as gd.{opt.__name__}(lr=0.1)")
    if not (callable(getattr(opt, "init", None)) and callable(getattr(opt, "step", None))):
        hint = "; did you swap opt and problem?" if hasattr(opt, "grad") else ""
        raise TypeError(f"opt must be a gdlib optimizer such as gd.SGD(lr=0.1) (got {type(opt).__name__}){hint}")
    sized = getattr(problem, "d", None) is not None or getattr(problem, "shapes", None) is not None
    if isinstance(problem, type) or not sized or not callable(getattr(problem, "grad", None)):
        hint = "; did you swap opt and problem?" if hasattr(problem, "init") and hasattr(problem, "step") else ""
        raise TypeError(
            f"problem must be a gdlib problem with d, f and grad such as gd.Quadratic.from_condition(10.0) "
            f"(got {getattr(problem, '__name__', type(problem).__name__)}){hint}"
        )


def _check_schedules(opt, steps):
    """Refuse, before the first step, a schedule of ``opt`` (or of an optimizer it wraps) that ends before
    the last step t = steps − 1 the run can take (Accumulate's inner optimizer takes one step per k)."""
    from dataclasses import fields, is_dataclass

    from .optimizers.wrappers import Accumulate

    for f in fields(opt) if is_dataclass(opt) else ():
        value = getattr(opt, f.name)
        if f.name in ("inner", "base") and hasattr(value, "init"):
            inner_steps = -(-steps // opt.k) if isinstance(opt, Accumulate) else steps
            _check_schedules(value, inner_steps)
            continue
        for v in value if isinstance(value, tuple) else (value,):
            last = getattr(v, "_last_step", None)
            if callable(v) and last is not None and last < steps - 1:
                raise ValueError(
                    f"{type(opt).__name__}'s {f.name} schedule ends at step {last} but the run takes up to "
                    f"{steps} steps (t = 0 … {steps - 1}): make the schedule longer or take fewer steps"
                )


def _full_batch(opt):
    """The optimizer (``opt`` or one it wraps) that is a full-batch method, or None."""
    while opt is not None:
        if getattr(opt, "full_batch", False):
            return opt
        opt = getattr(opt, "inner", getattr(opt, "base", None))
    return None


def _check_hyperparameters(opt, x, run_ndim):
    """Per-run array hyperparameters must fit the runs: on flat θ they must broadcast against θ's shape; on
    structured parameters they must have the run shape R or (*R, 1) (an elementwise optimizer then applies
    them per run to every array) and are refused by optimizers that take the whole tree at once."""
    from .optimizers._base import _hyperparameter_arrays, per_run_shape

    inner = getattr(opt, "inner", getattr(opt, "base", None))
    if inner is not None and hasattr(inner, "init"):
        _check_hyperparameters(inner, x, run_ndim)
    for label, _, _, a in _hyperparameter_arrays(opt):
        if not tree.is_tree(x):
            try:
                fits = np.broadcast_shapes(a.shape, x.shape) == x.shape
            except ValueError:
                fits = False
            if not fits:
                runs = x.shape[:run_ndim]
                raise ValueError(
                    f"{label} has shape {a.shape}, which does not fit θ of shape {x.shape}: a per-run "
                    f"hyperparameter must have shape {runs + (1,)}"
                )
        elif opt.elementwise:
            per_run_shape(label, a, tree.leaves(x)[0], run_ndim)
        else:
            raise ValueError(
                f"{type(opt).__name__} takes structured parameters as a whole and accepts no per-run "
                f"{label} (got shape {a.shape}); run the settings separately"
            )


def _low_precision_grad(oracle, x, compute_dtype, loss_scale, scaler, scaler_state):
    """The gradient a low-precision forward/backward pass hands to the float32 master weights
    (:func:`gdlib.precision.mixed_precision_grad`): weights rounded to ``compute_dtype``, the gradient of the
    scaled loss rounded to it, then unscaled. With a dynamic :class:`~gdlib.precision.LossScaler` also
    whether the scaled gradient overflowed (the step is then skipped) and the scaler's next state."""
    from .precision import mixed_precision_grad, round_to

    if scaler is None:
        return mixed_precision_grad(oracle.grad, x, compute_dtype, loss_scale), False, None, None
    g = oracle.grad(round_to(x, compute_dtype))
    scaled = round_to(scaler.scale(g, scaler_state), compute_dtype)
    g, found_inf = scaler.unscale(scaled, scaler_state)
    return g, bool(np.any(found_inf)), scaler.update(scaler_state, found_inf), float(np.max(scaler_state.scale))


def run(
    opt,
    problem,
    x0,
    steps=100,
    *,
    batch_size=None,
    epochs=None,
    sampling="shuffle",
    seed=0,
    clip_norm=None,
    clip_per_leaf=False,
    tol_grad=None,
    tol_loss=None,
    record_every=1,
    record="all",
    diverge_above=1e12,
    callback=None,
    callback_every=1,
    compute_dtype=None,
    loss_scale=1.0,
):
    r"""Run ``opt`` on ``problem`` from ``x0`` and record the trajectory.

    Each step t computes the gradient g_t (on a mini-batch when ``batch_size`` is given), clips it when
    ``clip_norm`` is given, and calls ``x, state = opt.step(x, g_t, state)`` (with ``oracle=`` for an
    optimizer that asks the problem for more, see :mod:`gdlib.oracle`). A run stops when

    - its full-batch gradient norm ‖∇L(θ_t)‖ ≤ ``tol_grad`` — *converged (gradient norm)*;
    - |L(θ_{t+1}) − L(θ_t)| ≤ ``tol_loss`` — *converged (change in loss)*;
    - ‖g_t‖ is not finite or exceeds ``diverge_above`` — *diverged* (the message names the step). With
      ``clip_norm`` the clipped norm is tested, so a clipped run diverges only through non-finite values;
    - the budget of ``steps`` (or ``epochs`` passes over the data) is spent — *step budget reached*;
    - the optimizer's line search found no acceptable step (its state's ``failed`` is True, also when the
      optimizer is wrapped in gd.EMA, gd.Lookahead, gd.Accumulate or gd.SAM) — *line search failed* (the
      run stays where it was), unless ‖g_t‖ ≤ √ε·max(1, |L(θ_t)|) with ε the machine epsilon of θ's dtype:
      then L cannot decrease any further in floating point — *converged (no further decrease)*;
    - the optimizer stayed put by its own test (L-BFGS's ``state.status``): ‖g_t‖∞ ≤ tolerance_grad —
      *converged (gradient norm)*; slope along its direction ≥ −tolerance_change — *converged (no further
      decrease)*.

    With a dynamic :class:`~gdlib.precision.LossScaler` a step whose scaled gradient overflowed is skipped,
    and the divergence test then reads as follows: a run whose unscaled gradient is finite with a norm above
    ``diverge_above`` has diverged; a run whose gradient is not finite while the scale used was already ≤ 1
    (so the overflow is the gradient's own, not the scale's) has diverged; otherwise the skip is the scaler's
    normal back-off. The message then ends with how many steps were skipped.

    A per-run hyperparameter (an array field of ``opt``) has shape (n_runs, 1) on flat θ (anything that
    broadcasts against θ's shape); on structured parameters it has the run shape (n_runs,) or (n_runs, 1)
    and an elementwise optimizer applies it per run to every array. Methods that compare losses of one
    fixed function (``full_batch``: L-BFGS, BFGS, nonlinear CG) refuse ``batch_size`` and ``epochs``.

    A run that stops is frozen where it stopped while the others go on. Nothing warns: overflow in a
    diverging run is caught and reported.

    =================  ==========================================================================
    argument           meaning
    =================  ==========================================================================
    ``x0``             θ₀, shape (d,) or (n_runs, d) for n_runs independent runs; for a problem with
                       structured parameters a tree (see :mod:`gdlib.tree`). Its floating dtype is kept
                       (float32 runs in float32); integers become float64
    ``steps``          step budget T (ignored when ``epochs`` is given)
    ``batch_size``     B examples per stochastic gradient (data problems only; None: full batch)
    ``epochs``         budget in passes over the data: ⌈n/B⌉ steps per epoch
    ``sampling``       'shuffle' (reshuffle every epoch, no repeats within one) or 'replacement'
                       (see :func:`minibatches`)
    ``seed``           seed of the mini-batch generator
    ``clip_norm``      clip each run's gradient to this norm (torch's rule, gd.clip_grad_norm)
    ``clip_per_leaf``  False: one norm over all parameters; True: each array (layer) clipped on its own
    ``tol_grad``       stop a run when its full-batch ‖∇L‖ ≤ tol_grad
    ``tol_loss``       stop a run when its full-batch loss changes by at most tol_loss in a step
    ``diverge_above``  a gradient norm above this counts as divergence (default 1e12)
    ``record_every``   record every k-th step (and always the first and last)
    ``record``         'all' as above, or 'final': keep only θ₀ and the last iterate
    ``callback``       a function of :class:`StepInfo` (t, x, g, oracle, state) called before the step at
                       every ``callback_every``-th step and at the end; what it returns (unless None) is
                       kept in ``callback_values`` with its step in ``callback_ts``
    ``compute_dtype``  None, 'float16' or 'bfloat16': emulate low-precision compute with float32 master
                       weights (x0 must be float32; see :mod:`gdlib.precision`)
    ``loss_scale``     multiply the loss by this before the low-precision gradient and divide after
                       (a number), or a :class:`gdlib.precision.LossScaler` for dynamic scaling, which
                       skips a step whose scaled gradient overflowed (one scale shared by all runs, as
                       one scale serves all the workers of a data-parallel job)
    =================  ==========================================================================

    >>> import gdlib as gd
    >>> result = gd.run(gd.GradientDescent(lr=1.0), gd.Quadratic.from_condition(10.0), [1.0, 1.0],
    ...                 steps=500, tol_grad=1e-8)
    >>> result.status, int(result.nit)
    ('converged (gradient norm)', 153)
    """
    _check_opt_and_problem(opt, problem)
    x, run_ndim = _params(problem, x0)
    check_choice("sampling", sampling, ("shuffle", "replacement"))
    check_choice("record", record, ("all", "final"))
    check_number("record_every", record_every, low=1, integer=True, allow_array=False)
    check_number("callback_every", callback_every, low=1, integer=True, allow_array=False)
    check_number("diverge_above", diverge_above, low=0, low_open=True, allow_array=False)
    check_choice("compute_dtype", compute_dtype, (None, "float16", "bfloat16"))
    for name, value in (("tol_grad", tol_grad), ("tol_loss", tol_loss), ("clip_norm", clip_norm)):
        if value is not None:
            check_number(name, value, low=0, allow_array=False)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of a StepInfo (got {type(callback).__name__})")
    if isinstance(loss_scale, np.ndarray) and loss_scale.ndim == 0:
        loss_scale = loss_scale[()]
    scaler = None if isinstance(loss_scale, (int, float, np.integer, np.floating)) else loss_scale
    if scaler is None:
        check_number("loss_scale", loss_scale, low=0, low_open=True, allow_array=False)
    elif not (hasattr(scaler, "init") and hasattr(scaler, "unscale") and hasattr(scaler, "update")):
        raise TypeError(f"loss_scale must be a single number or a gd.LossScaler (got {type(loss_scale).__name__})")
    if (scaler is not None or loss_scale != 1.0) and compute_dtype is None:
        raise ValueError("loss_scale needs compute_dtype='float16' or 'bfloat16' (full precision needs no scaling)")
    if compute_dtype is not None and any(np.asarray(leaf).dtype != np.float32 for leaf in tree.leaves(x)):
        raise ValueError(
            f"compute_dtype={compute_dtype!r} keeps float32 master weights: pass x0 as float32 "
            f"(got {tree.leaves(x)[0].dtype})"
        )
    batches = None
    if batch_size is not None or epochs is not None:
        if getattr(problem, "n", None) is None:
            raise ValueError(f"batch_size and epochs need a data problem with n examples (got {problem!r})")
        full = _full_batch(opt)
        if full is not None:
            raise ValueError(
                f"{type(full).__name__} is a full-batch method (its steps compare losses and gradients of one "
                "fixed loss): drop batch_size/epochs"
            )
        B = problem.n if batch_size is None else batch_size
        check_number("batch_size", B, low=1, high=problem.n, integer=True, allow_array=False)
        batches = minibatches(problem.n, B, sampling, seed)
        if epochs is not None:
            check_number("epochs", epochs, low=1, integer=True, allow_array=False)
            steps = int(epochs) * -(-problem.n // int(B))
    check_number("steps", steps, low=1, integer=True, allow_array=False)
    steps = int(steps)

    _check_hyperparameters(opt, x, run_ndim)
    _check_schedules(opt, steps)
    runs = tree.run_shape(x, run_ndim)
    status = _Status(runs, steps)
    rec = _Recorder(record, int(record_every), steps)
    counts = {"nfev": 0, "ngev": 0, "nhev": 0}
    callback_ts, callback_values = [], []
    skipped = 0
    state = tree_init(opt, x)
    scaler_state = scaler.init() if scaler is not None else None

    def monitor(t, x, g_full):
        """Record θ_t with its full-batch loss and gradient norm (not counted as the method's evaluations)."""
        g_norm = tree.norm(g_full if g_full is not None else problem.grad(x), run_ndim)
        rec.add(t, x, problem.f(x), g_norm)
        return g_norm

    def call_back(t, x, g):
        if callback is None or not (t % callback_every == 0 or t == steps):
            return
        value = callback(StepInfo(t, x, g, Oracle(problem, None, run_ndim), state))
        if value is not None:
            callback_ts.append(t)
            callback_values.append(value)

    with np.errstate(all="ignore"):
        f_prev = problem.f(x) if tol_loss is not None else None
        t = 0
        for t in range(steps + 1):
            oracle = Oracle(problem, None if batches is None else next(batches), run_ndim) if t < steps else None
            full_batch_step = oracle is not None and oracle.idx is None and compute_dtype is None
            g_full = oracle.grad(x) if full_batch_step else None
            g_norm = None
            if rec.wants(t):
                g_norm = monitor(t, x, g_full)
            if t == steps:
                call_back(t, x, g_full if g_full is not None else problem.grad(x))
                break
            if tol_grad is not None:
                if g_norm is None:
                    g_norm = tree.norm(g_full if g_full is not None else problem.grad(x), run_ndim)
                status.stop(g_norm <= tol_grad, "converged (gradient norm)", t)
            skip, scale_used = False, None
            if compute_dtype is not None:
                g, skip, scaler_state, scale_used = _low_precision_grad(
                    oracle, x, compute_dtype, loss_scale, scaler, scaler_state
                )
            else:
                g = g_full if g_full is not None else oracle.grad(x)
            if clip_norm is not None:
                g = _clip(g, clip_norm, run_ndim, clip_per_leaf)
            norm = tree.norm(g, run_ndim)
            _stop_diverged(status, t, norm, diverge_above, skip, scale_used, compute_dtype)
            call_back(t, x, g)
            if not status.active.any():
                break
            if skip:
                rec.set_lr(t, np.nan)
                skipped += 1
            else:
                x_new, state = tree_step(opt, x, g, state, oracle)
                rec.set_lr(t, _lr_of(opt, state, t))
                x = x_new if status.active.all() else _where(status.active, x_new, x, run_ndim, state)
                _stop_by_state(status, t, state, problem, x, norm)
            for key, value in oracle.counts().items():
                counts[key] += value
            if tol_loss is not None:
                f_new = problem.f(x)
                status.stop(np.abs(f_new - f_prev) <= tol_loss, "converged (change in loss)", t + 1)
                f_prev = f_new
        if record == "final" or rec.ts[-1] != t:
            monitor(t, x, None)
    final_status, nit, message = status.result()
    if skipped:
        message += f"; {skipped} of {int(np.max(nit))} steps skipped by loss scaling"
    xs = tree.tree_map(lambda *leaves: np.stack(leaves), *rec.xs) if tree.is_tree(x) else np.array(rec.xs)
    return RunResult(
        xs,
        np.array(rec.fs),
        np.array(rec.gns),
        rec.lrs,
        np.array(rec.ts),
        nit,
        final_status,
        message,
        getattr(problem, "x_star", None),
        callback_ts=callback_ts,
        callback_values=callback_values,
        skipped=skipped,
        **counts,
    )


def _clip(g, max_norm, run_ndim, per_leaf):
    """Norm clipping with torch's coefficient min(1, c/(‖g‖ + 10⁻⁶)), one norm per run: over all the
    parameters (global, as torch.nn.utils.clip_grad_norm_), or over each array separately (per layer)."""
    if not tree.is_tree(g) and run_ndim == 0:
        return clip_grad_norm(g, max_norm)[0]  # the torch-tested path for one flat run
    norms = tree.leaf_norms(g, run_ndim) if per_leaf else tree.tree_map(lambda _: tree.norm(g, run_ndim), g)

    def scale(a, n):
        coef = np.minimum(float(max_norm) / (n + 1e-6), 1.0)
        return a * np.asarray(coef, dtype=a.dtype).reshape(np.shape(coef) + (1,) * (a.ndim - np.ndim(coef)))

    return tree.tree_map(scale, g, norms)
