"""Argument checks shared by every module: an invalid value gets an error that names the argument and the
valid range, before any arithmetic runs (so no reader meets a traceback from deep inside numpy).

This is the one home of gdlib's validators: the general ones (:func:`check_number`, :func:`check_choice`,
:func:`check_same_shape`), the optimizers' (:func:`check_non_negative`, :func:`check_unit_interval`,
:func:`check_adam_family`) and the schedules' (:func:`check_positive_int`, :func:`check_non_negative_int`,
:func:`check_non_negative_float`, :func:`check_milestones`).
"""

import math
from itertools import pairwise
from numbers import Real

import numpy as np

__all__ = [
    "check_number",
    "check_choice",
    "check_same_shape",
    "check_non_negative",
    "check_unit_interval",
    "check_adam_family",
    "check_positive_int",
    "check_non_negative_int",
    "check_non_negative_float",
    "check_milestones",
]


def _interval(low, high, low_open, high_open):
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False, integer=False, allow_array=True):
    """Check that ``value`` (a number, or an array of numbers if ``allow_array``) lies in the interval.

    Returns the value unchanged (a number stays a number, an array becomes a float ndarray).
    Raises ``TypeError`` for something that is not a number and ``ValueError`` naming ``name`` and the
    valid range otherwise; NaN is always rejected, and so is ±inf where an integer is asked for.

    >>> check_number("lr", 0.1, low=0)
    0.1
    >>> check_number("lr", -1, low=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be in [0, inf) (got -1)
    >>> check_number("steps", float("inf"), low=0, integer=True)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [0, inf) (got inf)
    """
    what = "an integer" if integer else "a number"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {what}, not a bool")
    if isinstance(value, (Real, np.integer, np.floating)):
        vals = np.asarray([value], dtype=float)
        shown = value
    elif allow_array and not integer and isinstance(value, (np.ndarray, list, tuple)):
        try:
            vals = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be {what} or an array of numbers (got {type(value).__name__})") from None
        value = vals
        shown = "an array"
    else:
        kind = " or an array of numbers" if allow_array and not integer else ""
        raise TypeError(f"{name} must be {what}{kind} (got {type(value).__name__})")
    interval = _interval(low, high, low_open, high_open)
    if integer and not (math.isfinite(float(value)) and float(value) == math.floor(float(value))):
        raise ValueError(f"{name} must be an integer in {interval} (got {value})")
    bad = np.isnan(vals)
    if low is not None:
        bad |= (vals <= low) if low_open else (vals < low)
    if high is not None:
        bad |= (vals >= high) if high_open else (vals > high)
    if bad.any():
        if shown == "an array":
            shown = f"{vals[bad].ravel()[0]:g} among its entries"
        raise ValueError(f"{name} must be in {interval} (got {shown})")
    return value


def check_choice(name, value, choices):
    """Check that ``value`` is one of ``choices``; the error lists them.

    >>> check_choice("decay", "cosine", ("linear", "cosine"))
    'cosine'
    """
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed} (got {value!r})")
    return value


def check_same_shape(name_a, a, name_b, b):
    """Check that two arrays have the same shape; the error names both and shows the shapes.

    >>> check_same_shape("x", np.ones(3), "g", np.ones(4))
    Traceback (most recent call last):
    ...
    ValueError: x and g must have the same shape (got (3,) and (4,))
    """
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_a} and {name_b} must have the same shape (got {np.shape(a)} and {np.shape(b)})")


# --- optimizers' hyperparameters: numbers or arrays (one value per run) ---
# A hyperparameter that an optimizer lets follow a schedule (a callable of the step t, see
# Optimizer.schedulable) passes these checks; the optimizer checks each value the schedule returns.


def check_non_negative(name, value):
    """λ ≥ 0 and the like (a number or an array)."""
    if not callable(value):
        check_number(name, value, low=0)


def check_unit_interval(name, value, *, closed=False):
    """Coefficients such as β must lie in [0, 1) (or [0, 1] when ``closed``)."""
    if not callable(value):
        check_number(name, value, low=0, high=1, high_open=not closed)


def check_adam_family(opt):
    """The checks every Adam-like optimizer shares: β₁, β₂ ∈ [0, 1), ε ≥ 0, λ ≥ 0."""
    check_unit_interval("betas[0] (beta1)", opt.betas[0])
    check_unit_interval("betas[1] (beta2)", opt.betas[1])
    check_non_negative("eps", opt.eps)
    check_non_negative("weight_decay", opt.weight_decay)


# --- schedules' arguments: plain numbers ---


def check_positive_int(name, value):
    """A whole number ≥ 1 (a number of steps), returned as an int.

    >>> check_positive_int("T_max", 10.0)
    10
    """
    check_number(name, value, low=1, integer=True, allow_array=False)
    return int(value)


def check_non_negative_int(name, value):
    """A whole number ≥ 0 (a number of steps that may be zero), returned as an int."""
    check_number(name, value, low=0, integer=True, allow_array=False)
    return int(value)


def check_non_negative_float(name, value):
    """A number ≥ 0 (a learning rate), returned as a float."""
    check_number(name, value, low=0, allow_array=False)
    return float(value)


def check_milestones(milestones, *, repeats=False):
    """Milestones: a list of whole numbers ≥ 1, strictly increasing (or, with ``repeats``, non-decreasing:
    a repeated milestone counts once per repetition, as in torch's MultiStepLR). Returned as a list of ints.

    >>> check_milestones([2, 2, 5], repeats=True)
    [2, 2, 5]
    """
    if not isinstance(milestones, (list, tuple, range, np.ndarray)):
        raise TypeError(f"milestones must be a list of whole numbers ≥ 1 (got {type(milestones).__name__})")
    for m in milestones:
        check_number("milestones", m, low=1, integer=True, allow_array=False)
    milestones = [int(m) for m in milestones]
    if repeats and any(b < a for a, b in pairwise(milestones)):
        raise ValueError(f"milestones must be non-decreasing whole numbers ≥ 1 (got {milestones})")
    if not repeats and any(b <= a for a, b in pairwise(milestones)):
        raise ValueError(f"milestones must be strictly increasing whole numbers ≥ 1 (got {milestones})")
    return milestones
