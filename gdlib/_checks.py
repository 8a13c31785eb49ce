"""Argument checks shared by every module: an invalid value gets an error that names the argument and the
valid range, before any arithmetic runs (so no reader meets a traceback from deep inside numpy)."""

import math
from numbers import Real

import numpy as np

__all__ = ["check_number", "check_choice", "check_same_shape"]


def _interval(low, high, low_open, high_open):
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False, allow_array=True):
    """Check that ``value`` (a number, or an array of numbers if ``allow_array``) lies in the interval.

    Returns the value unchanged (a number stays a number, an array becomes a float ndarray).
    Raises ``TypeError`` for something that is not a number and ``ValueError`` naming ``name`` and the
    valid range otherwise; NaN is always rejected.

    >>> check_number("lr", 0.1, low=0)
    0.1
    >>> check_number("lr", -1, low=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be in [0, inf) (got -1)
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
    if integer and float(value) != math.floor(float(value)):
        raise ValueError(f"{name} must be an integer (got {value})")
    bad = np.isnan(vals)
    if low is not None:
        bad |= (vals <= low) if low_open else (vals < low)
    if high is not None:
        bad |= (vals >= high) if high_open else (vals > high)
    if bad.any():
        if shown == "an array":
            shown = f"{vals[bad].ravel()[0]:g} among its entries"
        raise ValueError(f"{name} must be in {_interval(low, high, low_open, high_open)} (got {shown})")
    return value


def check_choice(name, value, choices):
    """Check that ``value`` is one of ``choices``; the error lists them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed} (got {value!r})")
    return value


def check_same_shape(name_a, a, name_b, b):
    """Check that two arrays have the same shape; the error names both and shows the shapes."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_a} and {name_b} must have the same shape "
                         f"(got {np.shape(a)} and {np.shape(b)})")
