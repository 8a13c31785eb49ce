"""gdlib._checks, the one home of the argument checks: every bad value gets a ValueError or TypeError naming
the argument and the valid range, never a raw Python or numpy error."""

import math

import numpy as np
import pytest

from gdlib import _checks as C

BAD = [
    # integers: infinities and NaN are tested before any int() or floor()
    (
        lambda: C.check_number("steps", math.inf, low=0, integer=True),
        ValueError,
        r"steps must be an integer in \[0, inf\) \(got inf\)",
    ),
    (
        lambda: C.check_number("steps", -math.inf, low=0, integer=True),
        ValueError,
        r"steps must be an integer in \[0, inf\) \(got -inf\)",
    ),
    (
        lambda: C.check_number("steps", math.nan, low=0, integer=True),
        ValueError,
        r"steps must be an integer in \[0, inf\) \(got nan\)",
    ),
    (
        lambda: C.check_number("steps", np.float32("inf"), integer=True),
        ValueError,
        r"steps must be an integer in \(-inf, inf\) \(got inf\)",
    ),
    (lambda: C.check_number("steps", 2.5, low=1, integer=True), ValueError, r"steps must be an integer in \[1, inf\)"),
    (lambda: C.check_number("steps", 0, low=1, integer=True), ValueError, r"steps must be in \[1, inf\) \(got 0\)"),
    (lambda: C.check_number("steps", [1, 2], integer=True), TypeError, r"steps must be an integer \(got list\)"),
    (lambda: C.check_number("steps", True, integer=True), TypeError, "steps must be an integer, not a bool"),
    # numbers and arrays
    (lambda: C.check_number("lr", math.nan, low=0), ValueError, r"lr must be in \[0, inf\) \(got nan\)"),
    (
        lambda: C.check_number("beta", [0.5, 1.0], low=0, high=1, high_open=True),
        ValueError,
        r"beta must be in \[0, 1\) \(got 1 among its entries\)",
    ),
    (lambda: C.check_number("lr", "fast"), TypeError, r"lr must be a number or an array of numbers \(got str\)"),
    (lambda: C.check_number("lr", ["a"]), TypeError, r"lr must be a number or an array of numbers \(got list\)"),
    (
        lambda: C.check_choice("decay", "exp", ("linear", "cosine")),
        ValueError,
        r"decay must be one of 'linear', 'cosine' \(got 'exp'\)",
    ),
    (
        lambda: C.check_same_shape("x", np.ones(3), "g", 1.0),
        ValueError,
        r"x and g must have the same shape \(got \(3,\) and \(\)\)",
    ),
    # the optimizers' and the schedules' validators
    (lambda: C.check_non_negative("eps", -1e-8), ValueError, r"eps must be in \[0, inf\)"),
    (lambda: C.check_unit_interval("rho", 1.0), ValueError, r"rho must be in \[0, 1\)"),
    (lambda: C.check_unit_interval("rho", 1.5, closed=True), ValueError, r"rho must be in \[0, 1\]"),
    (lambda: C.check_positive_int("T_max", math.inf), ValueError, r"T_max must be an integer in \[1, inf\)"),
    (lambda: C.check_positive_int("T_max", np.array([3])), TypeError, r"T_max must be an integer \(got ndarray\)"),
    (lambda: C.check_non_negative_int("warmup_steps", -1), ValueError, r"warmup_steps must be in \[0, inf\)"),
    (lambda: C.check_non_negative_float("eta_min", [0.1]), TypeError, r"eta_min must be a number \(got list\)"),
    (lambda: C.check_milestones([3, 2]), ValueError, "milestones must be strictly increasing"),
    (lambda: C.check_milestones([2, 2]), ValueError, "milestones must be strictly increasing"),
    (lambda: C.check_milestones([3, 2], repeats=True), ValueError, "milestones must be non-decreasing"),
    (lambda: C.check_milestones([1, math.inf], repeats=True), ValueError, "milestones must be an integer"),
    (lambda: C.check_milestones(5), TypeError, "milestones must be a list of whole numbers"),
]


@pytest.mark.parametrize("call, error, message", BAD, ids=range(len(BAD)))
def test_bad_value_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_good_values_come_back():
    assert C.check_number("steps", 3.0, low=0, integer=True) == 3.0
    assert C.check_number("lr", math.inf, low=0) == math.inf  # an infinite rate is a number, if a silly one
    assert C.check_positive_int("T_max", 10.0) == 10 and type(C.check_positive_int("T_max", np.int64(4))) is int
    assert C.check_non_negative_int("warmup_steps", 0) == 0
    assert C.check_non_negative_float("lr", np.float32(0.5)) == 0.5
    assert C.check_milestones((2, 2, 5), repeats=True) == [2, 2, 5]
    assert C.check_milestones(range(1, 4)) == [1, 2, 3]
    assert C.check_same_shape("x", np.ones((2, 3)), "g", np.zeros((2, 3))) is None


def test_schedules_pass_the_optimizer_checks():
    """A schedule (a callable of t) passes the optimizer validators; Optimizer checks its values when called."""
    schedule = lambda t: -1.0  # noqa: E731
    assert C.check_non_negative("momentum", schedule) is None
    assert C.check_unit_interval("betas[0] (beta1)", schedule) is None


def test_validators_live_in_one_module():
    """The optimizers and schedules import their validators from gdlib._checks (those the optimizers' _base
    re-exports are the same functions)."""
    from gdlib.optimizers import _base
    from gdlib.schedules import _base as schedules_base

    assert _base.check_non_negative is C.check_non_negative and _base.check_adam_family is C.check_adam_family
    assert not any(name.startswith(("_lr", "_positive_int", "_milestones")) for name in vars(schedules_base))
