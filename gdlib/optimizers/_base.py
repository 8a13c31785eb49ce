"""What every optimizer shares: hyperparameters that are numbers or arrays, a learning rate that may be a
schedule, explicit state, and checks on what `step` receives.

An optimizer is a frozen dataclass of hyperparameters (so its signature, defaults and repr are those of
its fields) with two methods:

    state = opt.init(x)                   # a NamedTuple whose field t counts the steps taken
    x_new, state = opt.step(x, g, state)  # pure: x, g and the old state are never modified

Two class attributes tell ``gd.run`` how to call an optimizer:

- ``elementwise = True`` (the default): the step treats each array on its own, as torch's optimizers loop
  over a model's parameters. For structured parameters (a tuple, list or dict of arrays, see
  :mod:`gdlib.tree`) :func:`tree_init` / :func:`tree_step` step every array separately with its own state.
  An optimizer that needs the whole model at once (per-layer trust ratios, L-BFGS's flat vector) sets it to
  False and handles trees itself.
- ``uses_oracle = False`` (the default): ``step(x, g, state)`` needs only the gradient. An optimizer that asks
  the problem for more (a line search, Hessian-vector products, SAM's second gradient) sets it to True and
  takes ``step(x, g, state, oracle=None)``; see :mod:`gdlib.oracle`.
"""

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_number

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
    x = np.asarray(x)
    return np.zeros(x.shape, dtype=x.dtype if np.issubdtype(x.dtype, np.floating) else float)


def _plain(value):
    """A hyperparameter as stored: a Python float (so float32 arrays stay float32) or a float array."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return np.asarray(value, dtype=float)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return value


def _is_default(value, default):
    if isinstance(value, np.ndarray) or callable(value):
        return False
    return value == default


@dataclass(frozen=True, repr=False)
class Optimizer:
    """Base class: see the module docstring. Subclasses define their fields, ``State``, ``init`` and
    ``step``, and call ``self._prepare(x, g, state)`` first thing in ``step``."""

    State = None
    elementwise = True
    uses_oracle = False

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "betas":
                if not (isinstance(value, (tuple, list)) and len(value) == 2):
                    raise ValueError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1) (got {value!r})")
                value = tuple(_plain(b) for b in value)
            elif f.name != "lr" or not callable(value):
                value = _plain(value)
            object.__setattr__(self, f.name, value)
        if not callable(self.lr):
            check_number("lr", self.lr, low=0)
        self._check()

    def _check(self):
        """Validate the hyperparameters (each subclass names its own ranges)."""

    def lr_at(self, t):
        """The learning rate η used by step ``t`` (``t = 0`` is the first step)."""
        lr = self.lr(t) if callable(self.lr) else self.lr
        return float(lr) if np.ndim(lr) == 0 else np.asarray(lr, dtype=float)

    def _prepare(self, x, g, state):
        """Check what `step` was given; return the gradient with the sign `maximize` asks for."""
        if not isinstance(state, self.State):
            made_by = type(state).__name__
            raise TypeError(f"state must be a {self.State.__name__} made by {type(self).__name__}.init(x) "
                            f"(got a {made_by}: a state from another optimizer?)")
        if np.shape(x) != np.shape(g):
            raise ValueError(f"x and g must have the same shape (got {np.shape(x)} and {np.shape(g)})")
        return -g if self.maximize else g

    def __repr__(self):
        changed = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "lr" or not _is_default(value, f.default):
                if isinstance(value, np.ndarray):
                    shown = f"array{value.shape}"
                else:
                    shown = repr(value) if not isinstance(value, float) else f"{value:g}"
                changed.append(f"{f.name}={shown}")
        return f"{type(self).__name__}({', '.join(changed)})"


def check_unit_interval(name, value, *, closed=False):
    """Coefficients such as β must lie in [0, 1) (or [0, 1] when ``closed``)."""
    check_number(name, value, low=0, high=1, high_open=not closed)


def check_non_negative(name, value):
    check_number(name, value, low=0)


def apply_weight_decay(x, g, lr, weight_decay, decoupled):
    """Weight decay as torch applies it: an L2 penalty adds λθ to the gradient; decoupled decay (AdamW)
    shrinks θ by the factor (1 − ηλ) instead. Returns the (x, g) the rest of the step uses."""
    if np.all(np.asarray(weight_decay) == 0):
        return x, g
    if decoupled:
        return x * (1 - lr * weight_decay), g
    return x, g + weight_decay * x


def check_adam_family(opt):
    """The checks every Adam-like optimizer shares: β₁, β₂ ∈ [0, 1), ε ≥ 0, λ ≥ 0."""
    check_unit_interval("betas[0] (beta1)", opt.betas[0])
    check_unit_interval("betas[1] (beta2)", opt.betas[1])
    check_non_negative("eps", opt.eps)
    check_non_negative("weight_decay", opt.weight_decay)


class LeafwiseState(NamedTuple):
    """The state of an elementwise optimizer on structured parameters: one state per array."""

    t: int  #: steps taken
    leaves: tuple  #: the optimizer's own state for each array, in gdlib.tree.leaves order


def tree_init(opt, x):
    """``opt.init(x)`` for a single array or an optimizer that handles trees; one state per array
    (:class:`LeafwiseState`) for an elementwise optimizer on structured parameters."""
    if tree.is_tree(x) and opt.elementwise:
        return LeafwiseState(0, tuple(opt.init(leaf) for leaf in tree.leaves(x)))
    return opt.init(x)


def tree_step(opt, x, g, state, oracle=None):
    """One step of ``opt`` on parameters ``x`` (an array or a tree) with gradient ``g``: what ``gd.run``
    calls. An elementwise optimizer steps each array with its own state; an optimizer with
    ``uses_oracle`` also gets the oracle."""
    if tree.is_tree(x) and opt.elementwise:
        if not isinstance(state, LeafwiseState):
            raise TypeError("state must be made by gd.optimizers.tree_init(opt, x) for structured parameters "
                            f"(got a {type(state).__name__})")
        new_leaves, new_states = [], []
        for leaf_x, leaf_g, leaf_state in zip(tree.leaves(x), tree.leaves(g), state.leaves, strict=True):
            leaf_new, leaf_state = opt.step(leaf_x, leaf_g, leaf_state)
            new_leaves.append(leaf_new)
            new_states.append(leaf_state)
        # put the new arrays back in x's structure (gdlib.tree.leaves visits dicts in sorted key order)
        return _rebuild(x, iter(new_leaves)), LeafwiseState(state.t + 1, tuple(new_states))
    if opt.uses_oracle:
        return opt.step(x, g, state, oracle=oracle)
    return opt.step(x, g, state)


def _rebuild(x, it):
    """A tree of x's structure whose arrays are taken from ``it`` in gdlib.tree.leaves order."""
    if not tree.is_tree(x):
        return next(it)
    if isinstance(x, dict):
        rebuilt = {k: _rebuild(x[k], it) for k in sorted(x)}
        return {k: rebuilt[k] for k in x}
    out = [_rebuild(v, it) for v in x]
    return tuple(out) if isinstance(x, tuple) else out
