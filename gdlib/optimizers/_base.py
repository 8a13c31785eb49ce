"""What every optimizer shares: hyperparameters that are numbers or arrays, a learning rate (and a few other
hyperparameters) that may follow a schedule, explicit state, and checks on what `step` receives.

An optimizer is a frozen dataclass of hyperparameters (so its signature, defaults and repr are those of
its fields) with two methods:

    state = opt.init(x)                   # a NamedTuple whose field t counts the steps taken
    x_new, state = opt.step(x, g, state)  # pure: x, g and the old state are never modified

x may be an array of any shape, including a 0-d array or a plain number (then x_new is a numpy scalar).
A hyperparameter given as an array (one value per run, broadcast against x) is used in x's floating dtype,
so float32 parameters stay float32 (like a float32 tensor hyperparameter in torch: then 1 − β^t carries
float32 rounding, where a Python-float β gives it in float64).

Two class attributes tell ``gd.run`` how to call an optimizer:

- ``elementwise = True`` (the default): the step treats each array on its own, as torch's optimizers loop
  over a model's parameters. For structured parameters (a tuple, list or dict of arrays, see
  :mod:`gdlib.tree`) :func:`tree_init` / :func:`tree_step` step every array separately with its own state.
  An optimizer that needs the whole model at once (per-layer trust ratios, L-BFGS's flat vector) sets it to
  False and handles trees itself.
- ``uses_oracle = False`` (the default): ``step(x, g, state)`` needs only the gradient. An optimizer that asks
  the problem for more (a line search, Hessian-vector products, SAM's second gradient) sets it to True and
  takes ``step(x, g, state, oracle=None)``; see :mod:`gdlib.oracle`.

A third, ``schedulable``, names the hyperparameters that may be a schedule (a callable of the step t, such
as ``gd.schedules.one_cycle_momentum(...)``): ``lr`` always; ``momentum`` or ``betas`` where torch's
schedulers change them too. A step reads hyperparameters with ``self._at(t, x, "lr", ...)``, which calls
the schedules and checks the values they return.
"""

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import numpy as np

# The validators live in gdlib._checks; the three imported "as" themselves are re-exported for optimizers
# that import them from here.
from .. import tree
from .._checks import (
    check_adam_family as check_adam_family,
    check_non_negative as check_non_negative,
    check_number,
    check_same_shape,
    check_unit_interval as check_unit_interval,
)

__all__ = ["Optimizer", "lerp", "zeros_like", "tree_init", "tree_step", "LeafwiseState"]


def lerp(start, end, weight):
    """``start + weight * (end - start)``, computed as torch's ``lerp`` does.

    Algebraically this is the moving average ``(1 − weight)·start + weight·end``. torch evaluates it as
    ``start + weight·(end − start)`` when ``|weight| < 0.5`` and as ``end − (end − start)·(1 − weight)``
    otherwise; we do the same, so that the last bits agree with PyTorch.

    >>> float(lerp(1.0, 3.0, 0.25)), float(lerp(1.0, 3.0, 0.75))
    (1.5, 2.5)
    """
    small = np.abs(weight) < 0.5
    if np.ndim(small) == 0:
        return start + weight * (end - start) if small else end - (end - start) * (1 - weight)
    return np.where(small, start + weight * (end - start), end - (end - start) * (1 - weight))


def zeros_like(x):
    """Zeros of x's shape, in x's floating dtype (float64 for integer input): a fresh state buffer."""
    return np.zeros(np.shape(x), dtype=_float_dtype(x))


def _float_dtype(x):
    """x's floating dtype; float64 for integers and Python numbers."""
    dtype = getattr(x, "dtype", None)
    return dtype if dtype is not None and dtype.kind == "f" else np.dtype(float)


def apply_weight_decay(x, g, lr, weight_decay, decoupled=False):
    r"""Weight decay as torch applies it, the one helper every optimizer uses.

    .. math::
        g_t \leftarrow g_t + \lambda\,\theta_t \quad\text{(L2 penalty)} \qquad\text{or}\qquad
        \theta_t \leftarrow (1 - \eta\lambda)\,\theta_t \quad\text{(decoupled, as AdamW)}

    ======  ================  =====================================================
    symbol  argument          meaning
    ======  ================  =====================================================
    θ, g    ``x``, ``g``      the parameters and the gradient of this step
    η       ``lr``            the learning rate of this step
    λ       ``weight_decay``  the decay coefficient (a number or one per run)
    —       ``decoupled``     shrink θ instead of adding λθ to g
    ======  ================  =====================================================

    Returns the (x, g) the rest of the step uses. Where λ = 0 for every run nothing is computed, as torch
    skips the line when ``weight_decay == 0``.

    >>> import numpy as np
    >>> x, g = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    >>> apply_weight_decay(x, g, 0.1, 0.5)[1].tolist()                  # g + λθ
    [1.0, 1.5]
    >>> apply_weight_decay(x, g, 0.1, 0.5, decoupled=True)[0].tolist()  # (1 − ηλ)θ
    [0.95, 1.9]

    Reference: I. Loshchilov, F. Hutter (2017), Decoupled weight decay regularization, arXiv:1711.05101
    (ICLR 2019), who show the two differ for adaptive methods.
    """
    if np.all(weight_decay == 0):
        return x, g
    if decoupled:
        return x * (1 - lr * weight_decay), g
    return x, g + weight_decay * x


def _plain(value):
    """A hyperparameter as stored: a Python float (numpy treats it as weak, so float32 arrays stay float32),
    a float array (cast to x's dtype when a step uses it), a bool, or a schedule (a callable) as given."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return np.asarray(value, dtype=float)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return value


def _is_default(value, default):
    if isinstance(value, tuple) and isinstance(default, tuple) and len(value) == len(default):
        return all(_is_default(v, d) for v, d in zip(value, default, strict=True))
    if isinstance(value, (np.ndarray, tuple)) or callable(value):
        return False
    return value == default


def _shown(value):
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return f"{value:g}" if isinstance(value, float) else repr(value)


@dataclass(frozen=True, repr=False)
class Optimizer:
    """Base class: see the module docstring. Subclasses define their fields, ``State``, ``init`` and
    ``step``, and call ``self._prepare(x, g, state)`` first thing in ``step``."""

    State = None
    elementwise = True
    uses_oracle = False
    full_batch = False  # True: the method needs the same loss at every step; gd.run refuses mini-batches
    #: hyperparameters that may be a schedule, with the range (check_number's keywords) of the schedule's values
    schedulable = {"lr": dict(low=0)}

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "betas":
                if not (isinstance(value, (tuple, list)) and len(value) == 2):
                    raise ValueError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1) (got {value!r})")
                value = tuple(_plain(b) for b in value)
            else:
                value = _plain(value)
            parts = value if isinstance(value, tuple) else (value,)
            if f.name not in self.schedulable and any(callable(part) for part in parts):
                raise TypeError(
                    f"{f.name} must be a number or an array, not a schedule ({type(self).__name__} "
                    f"lets only {', '.join(self.schedulable)} follow a schedule)"
                )
            object.__setattr__(self, f.name, value)
        if not callable(self.lr):
            check_number("lr", self.lr, **self.schedulable["lr"])
        self._check()

    def _check(self):
        """Validate the hyperparameters (each subclass names its own ranges; a schedule's values are checked
        when it is called)."""

    def lr_at(self, t):
        """The learning rate η used by step ``t`` (``t = 0`` is the first step): a float or a float64 array."""
        return self._value("lr", self.lr, t, None, "lr")

    def _at(self, t, x, *names):
        """The hyperparameters ``names`` as step ``t`` uses them on ``x``: a schedule is called with t and its
        value checked; an array gets x's floating dtype; a number stays a Python float. One name gives its
        value (a pair for ``betas``), several names a tuple of values."""
        values = []
        for name in names:
            value = getattr(self, name)
            if isinstance(value, tuple):  # betas: each entry on its own
                values.append(tuple(self._value(name, v, t, x, f"{name}[{i}]") for i, v in enumerate(value)))
            else:
                values.append(self._value(name, value, t, x, name))
        return values[0] if len(values) == 1 else tuple(values)

    def _value(self, name, value, t, x, label):
        """One hyperparameter at step t: a float, or an array in x's floating dtype (float64 if x is None)."""
        if callable(value):
            value = value(t)
            check_number(f"{label} from its schedule at t={t}", value, **self.schedulable[name])
        if isinstance(value, float):
            return value
        if np.ndim(value) == 0:
            return float(value)
        return np.asarray(value, dtype=_float_dtype(x))

    def _prepare(self, x, g, state):
        """Check what `step` was given; return the gradient with the sign `maximize` asks for."""
        if not isinstance(state, self.State):
            raise TypeError(
                f"state must be of type {self.State.__name__}, made by {type(self).__name__}.init(x) "
                f"(got {type(state).__name__}: a state from another optimizer?)"
            )
        tree.check_params("x", x)
        tree.check_params("g", g)
        check_same_shape("x", x, "g", g)
        return -g if self.maximize else g

    def __repr__(self):
        changed = [
            f"{f.name}={_shown(getattr(self, f.name))}"
            for f in fields(self)
            if f.name == "lr" or not _is_default(getattr(self, f.name), f.default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


class LeafwiseState(NamedTuple):
    """The state of an elementwise optimizer on structured parameters: one state per array."""

    t: int  #: steps taken
    leaves: tuple  #: the optimizer's own state for each array, in gdlib.tree.leaves order


def tree_init(opt, x):
    """``opt.init(x)`` for a single array or an optimizer that handles trees; one state per array
    (:class:`LeafwiseState`) for an elementwise optimizer on structured parameters."""
    tree.check_params("x", x)
    if tree.is_tree(x) and opt.elementwise:
        return LeafwiseState(0, tuple(opt.init(leaf) for leaf in tree.leaves(x)))
    return opt.init(x)


def tree_step(opt, x, g, state, oracle=None):
    """One step of ``opt`` on parameters ``x`` (an array or a tree) with gradient ``g``: what ``gd.run``
    calls. An elementwise optimizer steps each array with its own state; an optimizer with
    ``uses_oracle`` also gets the oracle."""
    tree.check_params("x", x)
    if tree.is_tree(x) and opt.elementwise:
        if not isinstance(state, LeafwiseState):
            raise TypeError(
                "state must be made by gd.optimizers.tree_init(opt, x) for structured parameters "
                f"(got a {type(state).__name__})"
            )
        new_leaves, new_states = [], []
        run_ndim = getattr(oracle, "run_ndim", None)
        for leaf_x, leaf_g, leaf_state in zip(tree.leaves(x), tree.leaves(g), state.leaves, strict=True):
            leaf_new, leaf_state = for_leaf(opt, leaf_x, run_ndim, t=state.t).step(leaf_x, leaf_g, leaf_state)
            new_leaves.append(leaf_new)
            new_states.append(leaf_state)
        # put the new arrays back in x's structure (gdlib.tree.leaves visits dicts in sorted key order)
        return tree.unflatten(x, new_leaves), LeafwiseState(state.t + 1, tuple(new_states))
    if opt.uses_oracle:
        return opt.step(x, g, state, oracle=oracle)
    return opt.step(x, g, state)


def _hyperparameter_arrays(opt):
    """The array hyperparameters of ``opt`` as (label, field, index or None, array): fields (or entries of a
    tuple field such as ``betas``) that are numbers with at least one axis."""
    found = []
    for f in fields(opt):
        value = getattr(opt, f.name)
        entries = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for i, v in entries:
            if callable(v) or isinstance(v, (str, bool, Optimizer)) or v is None or np.ndim(v) == 0:
                continue
            a = np.asarray(v)
            if a.dtype.kind in "fiu":
                found.append((f.name if i is None else f"{f.name}[{i}]", f.name, i, a))
    return found


def per_run_shape(label, a, x_leaf, run_ndim=None):
    """The run shape a per-run hyperparameter ``a`` of structured parameters stands for: it must have the
    run shape R or (*R, 1), where R = ``x_leaf.shape[:run_ndim]`` (inferred from ``a`` when run_ndim is None)."""
    if run_ndim is None:
        runs = a.shape[:-1] if a.shape[-1:] == (1,) else a.shape
    else:
        runs = tuple(np.shape(x_leaf)[:run_ndim])
    if np.shape(x_leaf)[: len(runs)] != runs or a.shape not in (runs, runs + (1,)):
        raise ValueError(
            f"{label} has shape {a.shape}; a per-run hyperparameter of structured parameters must have the run "
            f"shape {runs} or {runs + (1,)} (parameter arrays have shape {np.shape(x_leaf)}, run axes first)"
        )
    return runs


def _per_run_schedules(opt, t):
    """The schedules of ``opt`` whose value at step ``t`` is an array (one rate per run), as (label, field, index
    or None, value at t)."""
    found = []
    for name in opt.schedulable:
        value = getattr(opt, name, None)
        entries = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for i, v in entries:
            if callable(v) and not isinstance(v, Optimizer):
                at_t = v(t)
                if np.ndim(at_t) > 0:
                    found.append(
                        (
                            f"{name} from its schedule at t={t}" if i is None else f"{name}[{i}] at t={t}",
                            name,
                            i,
                            np.asarray(at_t, dtype=float),
                        )
                    )
    return found


def for_leaf(opt, x_leaf, run_ndim=None, t=None):
    """``opt`` with each per-run array hyperparameter (shape R or (*R, 1), R the run shape) reshaped to
    (*R, 1, …, 1) so that it broadcasts over the axes of the array ``x_leaf`` (run axes first); ``opt``
    itself when it has none. Given the step ``t``, a schedule whose value at t is a per-run array is
    replaced by that value, reshaped the same way (the returned optimizer is for step t only)."""
    arrays = _hyperparameter_arrays(opt)
    if t is not None:
        arrays += _per_run_schedules(opt, t)
    if not arrays:
        return opt
    changes = {}
    for label, name, i, a in arrays:
        runs = per_run_shape(label, a, x_leaf, run_ndim)
        shaped = a.reshape(runs + (1,) * (np.ndim(x_leaf) - len(runs)))
        if i is None:
            changes[name] = shaped
        else:
            entries = list(changes.get(name, getattr(opt, name)))
            entries[i] = shaped
            changes[name] = tuple(entries)
    return replace(opt, **changes)
