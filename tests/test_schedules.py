"""gdlib.schedules against learning rates recorded from torch.optim.lr_scheduler 2.13 (and live torch)."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import gdlib as gd
from conftest import require
from schedule_cases import BASE_LR, SCHEDULE_CASES, torch_schedule

S = gd.schedules
FIXTURES = np.load(Path(__file__).parent / "fixtures" / "schedules.npz")


def test_fixtures_cover_every_schedule_for_1000_steps():
    assert str(FIXTURES["__torch_version__"]).startswith("2.13.0")
    names = {name.split("_")[0] for name, _, _ in SCHEDULE_CASES}
    assert {"step", "multistep", "exponential", "cosine", "warm", "linear", "one", "sequential", "warmup"} <= names
    assert {"warm_restarts_mult1", "warm_restarts_mult2", "one_cycle_cos", "one_cycle_linear",
            "one_cycle_three_phase"} <= {name for name, _, _ in SCHEDULE_CASES}
    assert all(len(FIXTURES[name]) >= 1000 for name, _, _ in SCHEDULE_CASES)


@pytest.mark.parametrize("name, make, _", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_matches_torch(name, make, _):
    want = FIXTURES[name]
    got = make().values(len(want))
    rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)      # exact zeros must match exactly
    assert rel.max() <= 1e-12, f"step {rel.argmax()}: {got[rel.argmax()]!r} vs torch {want[rel.argmax()]!r}"


def test_schedule_drives_an_optimizer():
    f = S.step_lr(0.1, step_size=2, gamma=0.5)
    opt = gd.SGD(lr=f)
    assert [opt.lr_at(t) for t in range(4)] == [0.1, 0.1, 0.05, 0.05]


def test_repr_is_readable():
    assert repr(S.cosine_annealing_lr(0.1, T_max=10)) == "cosine_annealing_lr(lr=0.1, T_max=10, eta_min=0)"
    assert repr(S.warmup_cosine(0.1, warmup_steps=10, total_steps=100)) == (
        "warmup_cosine(lr=0.1, warmup_steps=10, total_steps=100, start_factor=0.001, eta_min=0)")
    assert repr(S.sequential_lr([S.exponential_lr(0.1, 0.9), S.step_lr(0.1, 5)], [10])) == (
        "sequential_lr([exponential_lr(lr=0.1, gamma=0.9), step_lr(lr=0.1, step_size=5, gamma=0.1)], milestones=[10])")


@pytest.mark.parametrize("name, make, _", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_integer_arrays_of_steps(name, make, _):
    f = make()
    t = np.array([[0, 5, 17], [999, 3, 1000]])
    assert np.array_equal(f(t), np.array([[f(int(s)) for s in row] for row in t]))
    assert np.array_equal(f(np.arange(50)), f.values(50))


# Independent closed forms (typed from the papers' formulas) agree with the recursions torch uses.

def test_cosine_recursion_equals_closed_form():
    f = S.cosine_annealing_lr(0.2, T_max=100, eta_min=0.01)
    for t in range(0, 301, 7):
        closed = 0.01 + 0.5 * (0.2 - 0.01) * (1 + math.cos(math.pi * t / 100))
        assert math.isclose(f(t), closed, rel_tol=1e-9, abs_tol=1e-15)


def test_torch_cosine_recursion_is_not_its_closed_form():
    # Why cosine_annealing_lr runs torch's recursion: after the first minimum of T_max = 382, torch's numbers
    # leave the closed form by more than the 1e-12 the fixtures are compared at.
    want = FIXTURES["cosine_annealing_lr_382"]
    t = np.arange(len(want))
    closed = BASE_LR * (1 + np.cos(np.pi * t / 382)) / 2
    assert (np.abs(closed - want) / np.maximum(want, 1e-300)).max() > 1e-12


def test_linear_recursion_equals_closed_form():
    f = S.linear_lr(1.0, start_factor=0.1, end_factor=0.9, total_iters=50)
    for t in range(80):
        assert math.isclose(f(t), 0.1 + 0.8 * min(t, 50) / 50, rel_tol=1e-12)


def test_warm_restarts_restart_at_the_published_points():
    f = S.cosine_annealing_warm_restarts(1.0, T_0=10, T_mult=2)
    restarts = [t for t in range(1, 200) if f(t) == 1.0]
    assert restarts == [10, 30, 70, 150]          # T_0, T_0(1+2), T_0(1+2+4), ...


def test_warm_restarts_far_out():
    t = 10**12 + 3                                 # T_cur = t mod T_0 when T_mult = 1
    f = S.cosine_annealing_warm_restarts(1.0, T_0=7, eta_min=0.1)
    assert math.isclose(f(t), 0.1 + 0.45 * (1 + math.cos(math.pi * (t % 7) / 7)), rel_tol=1e-15)
    g = S.cosine_annealing_warm_restarts(1.0, T_0=3, T_mult=2)
    assert g(3 * (2**40 - 1)) == 1.0 and g(3 * (2**40 - 1) - 1) < 1e-20   # a restart, and the step before it


def test_growth_past_the_largest_float_is_inf_as_in_torch():
    # torch multiplies the rate by γ each step; the product reaches inf (γ^t itself would overflow in Python).
    assert S.exponential_lr(0.1, gamma=2.0)(1100) == math.inf
    assert S.step_lr(0.0, step_size=1, gamma=2.0)(1100) == 0.0
    assert S.exponential_lr(0.1, gamma=2.0)(1000) == 0.1 * 2.0**1000


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_passes_through_its_defining_points(strategy, three_phase):
    T, p, d, d_f = 1000, 0.25, 20.0, 50.0         # p·T − 1 = 249: the peak; T − 1: the end of the cycle
    f = S.one_cycle_lr(2.0, total_steps=T, pct_start=p, anneal_strategy=strategy, div_factor=d,
                       final_div_factor=d_f, three_phase=three_phase)
    assert math.isclose(f(0), 2.0 / d, rel_tol=1e-15) and math.isclose(f(249), 2.0, rel_tol=1e-15)
    assert math.isclose(f(T - 1), 2.0 / (d * d_f), rel_tol=1e-12)
    if three_phase:
        assert math.isclose(f(498), 2.0 / d, rel_tol=1e-15)
    assert max(f.values(T)) == f(249)


BAD = [
    (lambda: S.step_lr(-0.1, step_size=10), ValueError, r"lr must be in \[0, inf\)"),
    (lambda: S.step_lr(0.1, step_size=0), ValueError, r"step_size must be in \[1, inf\)"),
    (lambda: S.step_lr(0.1, step_size=2.5), ValueError, "step_size must be an integer"),
    (lambda: S.step_lr(0.1, step_size=10, gamma=0.0), ValueError, r"gamma must be in \(0, inf\)"),
    (lambda: S.multistep_lr(0.1, milestones=[30, 10]), ValueError, "milestones must be strictly increasing"),
    (lambda: S.multistep_lr(0.1, milestones=[0, 10]), ValueError, r"milestones must be in \[1, inf\)"),
    (lambda: S.multistep_lr(0.1, milestones=[10], gamma=-1), ValueError, r"gamma must be in \(0, inf\)"),
    (lambda: S.exponential_lr(0.1, gamma=-0.5), ValueError, r"gamma must be in \(0, inf\)"),
    (lambda: S.cosine_annealing_lr(0.1, T_max=0), ValueError, r"T_max must be in \[1, inf\)"),
    (lambda: S.cosine_annealing_lr(0.1, T_max=10, eta_min=-1), ValueError, r"eta_min must be in \[0, inf\)"),
    (lambda: S.cosine_annealing_warm_restarts(0.1, T_0=0), ValueError, r"T_0 must be in \[1, inf\)"),
    (lambda: S.cosine_annealing_warm_restarts(0.1, T_0=10, T_mult=0), ValueError, r"T_mult must be in \[1, inf\)"),
    (lambda: S.cosine_annealing_warm_restarts(0.1, T_0=10, T_mult=1.5), ValueError, "T_mult must be an integer"),
    (lambda: S.linear_lr(0.1, start_factor=0.0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda: S.linear_lr(0.1, start_factor=1.5), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda: S.linear_lr(0.1, end_factor=1.5), ValueError, r"end_factor must be in \[0, 1\]"),
    (lambda: S.linear_lr(0.1, total_iters=0), ValueError, r"total_iters must be in \[1, inf\)"),
    (lambda: S.one_cycle_lr(1.0), ValueError, "needs total_steps, or both epochs and steps_per_epoch"),
    (lambda: S.one_cycle_lr(1.0, total_steps=0), ValueError, r"total_steps must be in \[1, inf\)"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=1.5), ValueError, r"pct_start must be in \[0, 1\]"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, anneal_strategy="cosine"), ValueError,
     "anneal_strategy must be one of 'cos', 'linear'"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, div_factor=0), ValueError, r"div_factor must be in \(0, inf\)"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10)(11), ValueError, r"t must be in \[0, 10\]"),
    (lambda: S.one_cycle_lr(-1.0, total_steps=10), ValueError, r"max_lr must be in \[0, inf\)"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)], [5]), ValueError, "milestones must have one entry fewer"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)] * 3, [20, 10]), ValueError, "strictly increasing"),
    (lambda: S.warmup_cosine(0.1, warmup_steps=100, total_steps=50), ValueError, r"total_steps must be in \[101, inf\)"),
    (lambda: S.warmup_cosine(0.1, warmup_steps=0, total_steps=50), ValueError, r"warmup_steps must be in \[1, inf\)"),
    (lambda: S.warmup_cosine(0.1, 10, 50, start_factor=0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda: S.warmup_cosine(-0.1, 10, 50), ValueError, r"lr must be in \[0, inf\)"),
    (lambda: S.step_lr(math.nan, step_size=10), ValueError, r"lr must be in \[0, inf\) \(got nan\)"),
    (lambda: S.cosine_annealing_lr(0.1, T_max=2.5), ValueError, "T_max must be an integer"),
    (lambda: S.multistep_lr(0.1, milestones=10), TypeError, "milestones must be a list"),
    (lambda: S.one_cycle_lr(1.0, epochs=0, steps_per_epoch=10), ValueError, r"epochs must be in \[1, inf\)"),
    (lambda: S.one_cycle_lr(1.0, epochs=3, steps_per_epoch=0), ValueError, r"steps_per_epoch must be in \[1, inf\)"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, final_div_factor=0), ValueError,
     r"final_div_factor must be in \(0, inf\)"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=0.1), ValueError, "pct_start=0.1 .* leaves phase 1"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=1.0)(10), ValueError, "leaves phase 2 of the cycle"),
    (lambda: S.one_cycle_lr(1.0, total_steps=9, pct_start=5 / 9, three_phase=True)(9), ValueError,
     "leaves phase 3 of the cycle"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9), 0.1], [5]), ValueError, "schedules must be a non-empty"),
    (lambda: S.sequential_lr([], []), ValueError, "schedules must be a non-empty"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)] * 2, [0]), ValueError, r"milestones must be in \[1, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(np.array([3, -1])), ValueError, r"t must be in \[0, inf\) \(got -1\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(np.array([0.5])), TypeError, "t must be a whole number"),
    (lambda: S.exponential_lr(0.1, 0.9).values(-1), ValueError, r"T must be in \[0, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(-1), ValueError, r"t must be in \[0, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(1.5), TypeError, "t must be a whole number"),
]


@pytest.mark.parametrize("make, error, message", BAD, ids=[f"{i}-{message.split()[0]}" for i, (_, _, message) in enumerate(BAD)])
def test_invalid_argument_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def _pair(kind, lr, a, b, x, y, strategy, three_phase, milestones):
    """The same schedule from gdlib and (as a function of torch's lr_scheduler module and an optimizer) torch."""
    if kind == "step":
        return S.step_lr(lr, step_size=a, gamma=x), lambda T, o: T.StepLR(o, step_size=a, gamma=x)
    if kind == "multistep":
        return (S.multistep_lr(lr, milestones=milestones, gamma=x),
                lambda T, o: T.MultiStepLR(o, milestones=milestones, gamma=x))
    if kind == "exp":
        return S.exponential_lr(lr, gamma=x), lambda T, o: T.ExponentialLR(o, gamma=x)
    if kind == "cos":
        return (S.cosine_annealing_lr(lr, T_max=a, eta_min=lr * y / 10),
                lambda T, o: T.CosineAnnealingLR(o, T_max=a, eta_min=lr * y / 10))
    if kind == "restarts":
        return (S.cosine_annealing_warm_restarts(lr, T_0=a, T_mult=b, eta_min=lr * y / 10),
                lambda T, o: T.CosineAnnealingWarmRestarts(o, T_0=a, T_mult=b, eta_min=lr * y / 10))
    if kind == "linear":
        return (S.linear_lr(lr, start_factor=x, end_factor=y, total_iters=a),
                lambda T, o: T.LinearLR(o, start_factor=x, end_factor=y, total_iters=a))
    if kind == "onecycle":
        total = 149 + a                               # torch raises past total_steps
        return (S.one_cycle_lr(lr, total_steps=total, pct_start=x, anneal_strategy=strategy, three_phase=three_phase,
                               div_factor=1 + 50 * y),
                lambda T, o: T.OneCycleLR(o, max_lr=lr, total_steps=total, pct_start=x, anneal_strategy=strategy,
                                          three_phase=three_phase, div_factor=1 + 50 * y, cycle_momentum=False))
    # "sequential": a warm-up, then cosine annealing or warm restarts, then exponential decay
    first, second = milestones[0], milestones[0] + a
    return (S.sequential_lr([S.linear_lr(lr, start_factor=x, total_iters=b * 7),
                             S.cosine_annealing_lr(lr, T_max=a) if b == 1 else S.cosine_annealing_warm_restarts(lr, a),
                             S.exponential_lr(lr, gamma=0.5 + y / 2)], [first, second]),
            lambda T, o: T.SequentialLR(o, [T.LinearLR(o, start_factor=x, total_iters=b * 7),
                                            T.CosineAnnealingLR(o, T_max=a) if b == 1
                                            else T.CosineAnnealingWarmRestarts(o, a),
                                            T.ExponentialLR(o, gamma=0.5 + y / 2)], milestones=[first, second]))


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(["step", "multistep", "exp", "cos", "restarts", "linear", "onecycle", "sequential"]),
       a=st.integers(1, 60), b=st.integers(1, 3), x=st.floats(0.05, 0.95), y=st.floats(0.0, 1.0),
       lr=st.floats(1e-4, 1.0), strategy=st.sampled_from(["cos", "linear"]), three_phase=st.booleans(),
       milestones=st.lists(st.integers(1, 149), min_size=1, max_size=4, unique=True).map(sorted))
def test_matches_live_torch_with_random_arguments(kind, a, b, x, y, lr, strategy, three_phase, milestones):
    torch = require("torch")
    ours, theirs = _pair(kind, lr, a, b, x, y, strategy, three_phase, milestones)
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    sched = theirs(torch.optim.lr_scheduler, opt)
    for t in range(150):
        want = opt.param_groups[0]["lr"]
        assert math.isclose(ours(t), want, rel_tol=1e-12, abs_tol=1e-300), (kind, t, ours(t), want)
        opt.step()
        if t < 149:
            sched.step()
