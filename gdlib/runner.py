r"""Run an optimizer on a problem and record what happened.

:func:`run` is the loop every chapter uses: it steps any gdlib optimizer on any problem, optionally with
mini-batches, gradient clipping and stopping rules, and returns a :class:`RunResult`. Give it ``x0`` of
shape (n_runs, d) and hyperparameters of shape (n_runs, 1) and it runs n_runs independent trajectories at
once, each with its own status.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import check_choice, check_number
from .clipping import clip_grad_norm

__all__ = ["run", "RunResult", "STATUSES"]

STATUSES = ("converged (gradient norm)", "converged (change in loss)", "step budget reached", "diverged")


@dataclass
class RunResult:
    r"""What a run recorded.

    =============  ===========================================================================
    field          meaning
    =============  ===========================================================================
    ``xs``         iterates θ_t at the recorded steps, shape (n_records, *runs, d); xs[0] = θ₀
    ``fs``         loss L(θ_t) at the recorded steps, shape (n_records, *runs)
    ``grad_norms`` ‖∇L(θ_t)‖ (full batch) at the recorded steps, shape (n_records, *runs)
    ``lrs``        the learning rate used by the step taken at each recorded step
    ``ts``         the step index t of each record
    ``nit``        steps taken (an int, or an array with one entry per run)
    ``status``     one of :data:`STATUSES` (a string, or an array of strings per run)
    ``message``    a sentence saying why the run stopped, naming the step
    ``x_star``     the problem's minimiser, when known (for :meth:`rate`)
    =============  ===========================================================================
    """

    xs: np.ndarray
    fs: np.ndarray
    grad_norms: np.ndarray
    lrs: list
    ts: np.ndarray
    nit: object
    status: object
    message: str
    x_star: object = None

    @property
    def x(self):
        """The last iterate."""
        return self.xs[-1]

    def rate(self):
        """Per-step contraction of the distance to θ*: (‖θ_T − θ*‖ / ‖θ₀ − θ*‖)^(1/T), per run
        (∞ for a diverged run)."""
        if self.x_star is None:
            raise ValueError("rate() needs a problem with a known minimiser x_star")
        e0 = np.linalg.norm(self.xs[0] - self.x_star, axis=-1)
        eT = np.linalg.norm(self.xs[-1] - self.x_star, axis=-1)
        nit = np.maximum(np.asarray(self.nit), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (eT / e0) ** (1.0 / nit)
        return np.where(np.asarray(self.status) == "diverged", np.inf, r)

    def __repr__(self):
        runs = self.xs.shape[1:-1]
        if not runs:
            return (f"RunResult({self.status}, nit={self.nit}, loss {self.fs[0]:.4g} → {self.fs[-1]:.4g}, "
                    f"‖∇L‖ {self.grad_norms[-1]:.3g}, {len(self.ts)} records)")
        statuses, counts = np.unique(np.asarray(self.status), return_counts=True)
        summary = ", ".join(f"{c} {s}" for s, c in zip(statuses, counts))
        return f"RunResult({int(np.prod(runs))} runs of d={self.xs.shape[-1]}: {summary}; {len(self.ts)} records)"


def _norm(g):
    return np.sqrt(np.einsum("...i,...i->...", g, g))


def _batches(n, batch_size, sampling, rng):
    """Endless mini-batches of example indices: reshuffled epochs, or draws with replacement."""
    while True:
        if sampling == "replacement":
            yield rng.integers(0, n, batch_size)
        else:
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                yield order[start:start + batch_size]


def run(opt, problem, x0, steps=100, *, batch_size=None, epochs=None, sampling="shuffle", seed=0,
        clip_norm=None, tol_grad=None, tol_loss=None, record_every=1, record="all", diverge_above=1e12):
    r"""Run ``opt`` on ``problem`` from ``x0`` and record the trajectory.

    Each step t computes the gradient g_t (on a mini-batch when ``batch_size`` is given), clips it when
    ``clip_norm`` is given, and calls ``x, state = opt.step(x, g_t, state)``. A run stops when

    - its full-batch gradient norm ‖∇L(θ_t)‖ ≤ ``tol_grad`` — *converged (gradient norm)*;
    - |L(θ_{t+1}) − L(θ_t)| ≤ ``tol_loss`` — *converged (change in loss)*;
    - ‖g_t‖ is not finite or exceeds ``diverge_above`` — *diverged* (the message names the step);
    - the budget of ``steps`` (or ``epochs`` passes over the data) is spent — *step budget reached*.

    A run that stops is frozen where it stopped while the others go on. Nothing warns: overflow in a
    diverging run is caught and reported.

    =================  ==========================================================================
    argument           meaning
    =================  ==========================================================================
    ``x0``             θ₀, shape (d,) or (n_runs, d) for n_runs independent runs
    ``steps``          step budget T (ignored when ``epochs`` is given)
    ``batch_size``     B examples per stochastic gradient (data problems only; None: full batch)
    ``epochs``         budget in passes over the data: ⌈n/B⌉ steps per epoch
    ``sampling``       'shuffle' (reshuffle every epoch, no repeats within one) or 'replacement'
    ``seed``           seed of the mini-batch generator
    ``clip_norm``      clip each run's gradient to this norm (gd.clip_grad_norm)
    ``record_every``   record every k-th step (and always the first and last)
    ``record``         'all' as above, or 'final': keep only θ₀ and the last iterate
    =================  ==========================================================================

    >>> import gdlib as gd
    >>> result = gd.run(gd.GradientDescent(lr=1.0), gd.Quadratic.from_condition(10.0), [1.0, 1.0],
    ...                 steps=500, tol_grad=1e-8)
    >>> result.status, int(result.nit)
    ('converged (gradient norm)', 153)
    """
    x = np.asarray(x0, dtype=float)
    if x.ndim == 0 or x.shape[-1] != problem.d:
        raise ValueError(f"x0 must have shape ({problem.d},) or (n_runs, {problem.d}) (got {x.shape})")
    check_choice("sampling", sampling, ("shuffle", "replacement"))
    check_choice("record", record, ("all", "final"))
    check_number("record_every", record_every, low=1, integer=True, allow_array=False)
    check_number("diverge_above", diverge_above, low=0, low_open=True, allow_array=False)
    for name, value in (("tol_grad", tol_grad), ("tol_loss", tol_loss), ("clip_norm", clip_norm)):
        if value is not None:
            check_number(name, value, low=0, allow_array=False)
    batches = None
    if batch_size is not None or epochs is not None:
        if not hasattr(problem, "n"):
            raise ValueError(f"batch_size and epochs need a data problem with n examples (got {problem!r})")
        B = problem.n if batch_size is None else batch_size
        check_number("batch_size", B, low=1, high=problem.n, integer=True, allow_array=False)
        batches = _batches(problem.n, int(B), sampling, np.random.default_rng(seed))
        if epochs is not None:
            check_number("epochs", epochs, low=1, integer=True, allow_array=False)
            steps = int(epochs) * -(-problem.n // int(B))
    check_number("steps", steps, low=1, integer=True, allow_array=False)
    steps = int(steps)

    runs = x.shape[:-1]
    active = np.ones(runs, dtype=bool)
    status = np.full(runs, "step budget reached", dtype=object)
    nit = np.full(runs, steps)
    first_event = {}
    xs, fs, gns, lrs, ts = [], [], [], [], []
    state = opt.init(x)
    with np.errstate(all="ignore"):
        f_prev = problem.f(x) if tol_loss is not None else None
        for t in range(steps + 1):
            recording = record == "all" and (t % record_every == 0 or t == steps) or (record == "final" and t == 0)
            if batches is None or recording or tol_grad is not None:     # the full gradient only when needed
                g_full = problem.grad(x)
                g_norm = _norm(g_full)
            if recording:
                xs.append(x), fs.append(problem.f(x)), gns.append(g_norm), ts.append(t)
                lrs.append(opt.lr_at(t) if t < steps else np.nan)
            if t == steps:
                break
            if tol_grad is not None:
                done = active & (g_norm <= tol_grad)
                _stop(done, "converged (gradient norm)", t, status, nit, active, first_event)
            g, norm = (g_full, g_norm) if batches is None else (problem.grad(x, next(batches)), None)
            if clip_norm is not None:
                g, norm = clip_grad_norm(g, clip_norm, axis=-1 if runs else None)
                norm = None
            norm = _norm(g) if norm is None else norm
            bad = active & ~(np.isfinite(norm) & (norm <= diverge_above))
            _stop(bad, "diverged", t, status, nit, active, first_event, norm, diverge_above)
            if not active.any():
                break
            x_new, state = opt.step(x, g, state)
            x = x_new if active.all() else np.where(active[..., None], x_new, x)
            if tol_loss is not None:
                f_new = problem.f(x)
                done = active & (np.abs(f_new - f_prev) <= tol_loss)
                f_prev = f_new
                _stop(done, "converged (change in loss)", t + 1, status, nit, active, first_event)
        if record == "final" or ts[-1] != t:
            g_norm = _norm(problem.grad(x))
            xs.append(x), fs.append(problem.f(x)), gns.append(g_norm), ts.append(t), lrs.append(np.nan)
    if not runs:
        status, nit = str(status[()]), int(nit[()])
    return RunResult(np.array(xs), np.array(fs), np.array(gns), lrs, np.array(ts), nit, status,
                     _message(status, nit, steps, first_event), getattr(problem, "x_star", None))


def _stop(mask, why, t, status, nit, active, first_event, norms=None, limit=None):
    if not np.any(mask):
        return
    status[mask], nit[mask], active[mask] = why, t, False
    if why not in first_event:
        detail = ""
        if norms is not None:
            value = np.asarray(norms)[mask].ravel()[0] if np.ndim(norms) else float(norms)
            detail = (f": gradient norm {value:.3g} exceeds {limit:.3g}" if np.isfinite(value)
                      else ": the gradient is not finite")
        first_event[why] = (t, detail)


def _message(status, nit, steps, first_event):
    if isinstance(status, str):
        if status == "step budget reached":
            return f"step budget reached: {steps} steps taken"
        t, detail = first_event[status]
        return f"{status} at step {t}{detail}"
    values, counts = np.unique(status.astype(str), return_counts=True)
    parts = []
    for value, count in zip(values, counts):
        where = f" (first at step {first_event[value][0]})" if value in first_event else ""
        parts.append(f"{count} {value}{where}")
    return f"{status.size} runs: " + ", ".join(parts)
