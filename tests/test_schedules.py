"""gdlib.schedules against learning rates (and the momentum of one-cycle) recorded from
torch.optim.lr_scheduler 2.13 and live torch; the schedules torch lacks against their papers' formulas and
optax."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import gdlib as gd
from conftest import require
from schedule_cases import BASE_LR, MOMENTUM_CASES, SCHEDULE_CASES

S = gd.schedules
FIXTURES = np.load(Path(__file__).parent / "fixtures" / "schedules.npz")


def test_fixtures_cover_every_schedule_for_1000_steps():
    assert str(FIXTURES["__torch_version__"]).startswith("2.13.0")
    names = {name.split("_")[0] for name, _, _ in SCHEDULE_CASES}
    assert {"step", "multistep", "exponential", "cosine", "warm", "linear", "one", "sequential", "warmup"} <= names
    assert {
        "warm_restarts_mult1",
        "warm_restarts_mult2",
        "one_cycle_cos",
        "one_cycle_linear",
        "one_cycle_three_phase",
    } <= {name for name, _, _ in SCHEDULE_CASES}
    assert all(len(FIXTURES[name]) >= 1000 for name, _, _ in SCHEDULE_CASES)
    assert all(len(FIXTURES[name]) >= 1000 for name, *_ in MOMENTUM_CASES)


def test_every_schedule_is_checked_against_an_oracle():
    """Each public schedule has a torch fixture, or (where torch has none) tests against its paper and optax."""
    fixture_of = {
        "step_lr": "step_lr",
        "multistep_lr": "multistep_lr_repeated",
        "exponential_lr": "exponential_lr",
        "cosine_annealing_lr": "cosine_annealing_lr",
        "cosine_annealing_warm_restarts": "warm_restarts_mult2",
        "linear_lr": "linear_lr",
        "one_cycle_lr": "one_cycle_cos",
        "one_cycle_momentum": "one_cycle_momentum_sgd",
        "sequential_lr": "sequential_three",
        "warmup_cosine": "warmup_cosine",
    }
    from_papers = {"inverse_sqrt_lr", "warmup_stable_decay_lr"}
    assert set(S.__all__) - {"Schedule"} == set(fixture_of) | from_papers
    assert set(fixture_of.values()) <= set(FIXTURES.files)


@pytest.mark.parametrize("name, make, _", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_matches_torch(name, make, _):
    want = FIXTURES[name]
    got = make().values(len(want))
    rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)  # exact zeros must match exactly
    assert rel.max() <= 1e-12, f"step {rel.argmax()}: {got[rel.argmax()]!r} vs torch {want[rel.argmax()]!r}"


@pytest.mark.parametrize("name, make, record, _", MOMENTUM_CASES, ids=[c[0] for c in MOMENTUM_CASES])
def test_one_cycle_momentum_matches_torch(name, make, record, _):
    want = FIXTURES[name]
    got = make().values(len(want))
    assert np.abs(got - want).max() <= 1e-12 * np.abs(want).max()
    assert want.max() - want.min() > 0.05, "the case must cycle"


def test_repeated_milestones_decay_once_per_repetition():
    f = S.multistep_lr(1.0, milestones=[2, 2, 5], gamma=0.5)
    assert [f(t) for t in range(7)] == [1.0, 1.0, 0.25, 0.25, 0.25, 0.125, 0.125]


def test_schedule_drives_an_optimizer():
    f = S.step_lr(0.1, step_size=2, gamma=0.5)
    opt = gd.SGD(lr=f)
    assert [opt.lr_at(t) for t in range(4)] == [0.1, 0.1, 0.05, 0.05]


def test_repr_is_readable():
    assert repr(S.cosine_annealing_lr(0.1, T_max=10)) == "cosine_annealing_lr(lr=0.1, T_max=10, eta_min=0)"
    assert repr(S.warmup_cosine(0.1, warmup_steps=10, total_steps=100)) == (
        "warmup_cosine(lr=0.1, warmup_steps=10, total_steps=100, start_factor=0.001, eta_min=0)"
    )
    assert repr(S.sequential_lr([S.exponential_lr(0.1, 0.9), S.step_lr(0.1, 5)], [10])) == (
        "sequential_lr([exponential_lr(lr=0.1, gamma=0.9), step_lr(lr=0.1, step_size=5, gamma=0.1)], milestones=[10])"
    )
    assert repr(S.inverse_sqrt_lr(0.1, 4000)) == "inverse_sqrt_lr(lr=0.1, warmup_steps=4000)"
    assert repr(S.warmup_stable_decay_lr(0.1, 10, 80, 10, decay="sqrt")) == (
        "warmup_stable_decay_lr(lr=0.1, warmup_steps=10, stable_steps=80, decay_steps=10, final_lr=0, decay='sqrt')"
    )
    assert repr(S.one_cycle_momentum(total_steps=100)) == (
        "one_cycle_momentum(total_steps=100, pct_start=0.3, anneal_strategy='cos', three_phase=False, "
        "base_momentum=0.85, max_momentum=0.95)"
    )


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
    assert restarts == [10, 30, 70, 150]  # T_0, T_0(1+2), T_0(1+2+4), ...


def test_warm_restarts_far_out():
    t = 10**12 + 3  # T_cur = t mod T_0 when T_mult = 1
    f = S.cosine_annealing_warm_restarts(1.0, T_0=7, eta_min=0.1)
    assert math.isclose(f(t), 0.1 + 0.45 * (1 + math.cos(math.pi * (t % 7) / 7)), rel_tol=1e-15)
    g = S.cosine_annealing_warm_restarts(1.0, T_0=3, T_mult=2)
    assert g(3 * (2**40 - 1)) == 1.0 and g(3 * (2**40 - 1) - 1) < 1e-20  # a restart, and the step before it


def test_growth_past_the_largest_float_is_inf_as_in_torch():
    # torch multiplies the rate by γ each step; the product reaches inf (γ^t itself would overflow in Python).
    assert S.exponential_lr(0.1, gamma=2.0)(1100) == math.inf
    assert S.step_lr(0.0, step_size=1, gamma=2.0)(1100) == 0.0
    assert S.exponential_lr(0.1, gamma=2.0)(1000) == 0.1 * 2.0**1000


def test_inverse_sqrt_is_the_transformer_schedule():
    """Vaswani et al. (2017), eq. 3, typed from the paper: lrate = d^-0.5 · min(n^-0.5, n · w^-1.5) at step
    number n = 1, 2, …; gdlib's step t is n = t + 1 and its lr is the peak d^-0.5 · w^-0.5."""
    d_model, w = 512, 4000
    f = S.inverse_sqrt_lr(d_model**-0.5 * w**-0.5, warmup_steps=w)
    for t in [0, 1, 2, 999, 3998, 3999, 4000, 4001, 10_000, 99_999, 10**7]:
        n = t + 1
        paper = d_model**-0.5 * min(n**-0.5, n * w**-1.5)
        assert math.isclose(f(t), paper, rel_tol=1e-14), t
    values = f.values(2 * w)
    assert values.argmax() == w - 1 and math.isclose(values.max(), d_model**-0.5 * w**-0.5, rel_tol=1e-15)


WSD = [
    (w, s, d, final, decay)
    for w, s, d, final in [(10, 50, 20, 0.0), (0, 5, 7, 0.01), (3, 0, 1, 0.02)]
    for decay in ("linear", "cosine", "sqrt")
]


@pytest.mark.parametrize("w, s, d, final, decay", WSD)
def test_warmup_stable_decay_follows_its_definition(w, s, d, final, decay):
    """The three phases, typed from Hägele et al. (2024), section 3: warm-up η·t/w, constant η, then a
    cool-down to η_f that is linear, a half cosine, or 1 − √u."""
    lr = 0.3
    f = S.warmup_stable_decay_lr(lr, warmup_steps=w, stable_steps=s, decay_steps=d, final_lr=final, decay=decay)
    t = np.arange(w + s + d + 5)
    u = np.clip((t - w - s) / d, 0.0, 1.0)
    shape = {"linear": 1 - u, "cosine": 0.5 * (1 + np.cos(np.pi * u)), "sqrt": 1 - np.sqrt(u)}[decay]
    want = np.where(t < w, lr * t / max(w, 1), np.where(t < w + s, lr, final + (lr - final) * shape))
    np.testing.assert_allclose(f.values(len(t)), want, rtol=1e-14, atol=1e-17)
    assert f(w + s + d) == pytest.approx(final, abs=1e-17) and f(10**9) == final


@pytest.mark.parametrize("decay", ["linear", "cosine"])
def test_warmup_stable_decay_matches_optax(decay):
    optax = require("optax")
    import jax

    jax.config.update("jax_enable_x64", True)
    lr, w, s, d, final = 0.3, 10, 50, 40, 0.003
    cool = (
        optax.schedules.linear_schedule(lr, final, d)
        if decay == "linear"
        else optax.schedules.cosine_decay_schedule(lr, d, alpha=final / lr)
    )
    theirs = optax.schedules.join_schedules(
        [optax.schedules.linear_schedule(0.0, lr, w), optax.schedules.constant_schedule(lr), cool], [w, w + s]
    )
    ours = S.warmup_stable_decay_lr(lr, w, s, d, final_lr=final, decay=decay)
    want = np.array([float(theirs(np.int64(t))) for t in range(w + s + d + 10)])
    np.testing.assert_allclose(ours.values(len(want)), want, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_passes_through_its_defining_points(strategy, three_phase):
    T, p, d, d_f = 1000, 0.25, 20.0, 50.0  # p·T − 1 = 249: the peak; T − 1: the end of the cycle
    f = S.one_cycle_lr(
        2.0,
        total_steps=T,
        pct_start=p,
        anneal_strategy=strategy,
        div_factor=d,
        final_div_factor=d_f,
        three_phase=three_phase,
    )
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
    (lambda: S.multistep_lr(0.1, milestones=[30, 10]), ValueError, "milestones must be non-decreasing"),
    (lambda: S.step_lr(0.1, step_size=math.inf), ValueError, r"step_size must be an integer in \[1, inf\) \(got inf\)"),
    (lambda: S.step_lr(0.1, step_size=math.nan), ValueError, r"step_size must be an integer in \[1, inf\) \(got nan\)"),
    (lambda: S.cosine_annealing_lr(0.1, T_max=-math.inf), ValueError, r"T_max must be an integer in \[1, inf\)"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)] * 3, [5, 5]), ValueError, "milestones must be strictly"),
    (lambda: S.one_cycle_momentum(), ValueError, "one_cycle_momentum needs total_steps, or both epochs"),
    (
        lambda: S.one_cycle_momentum(total_steps=10, base_momentum=-0.1),
        ValueError,
        r"base_momentum must be in \[0, inf\)",
    ),
    (lambda: S.one_cycle_momentum(total_steps=10, max_momentum="high"), TypeError, "max_momentum must be a number"),
    (lambda: S.one_cycle_momentum(-1.0, total_steps=10), ValueError, r"max_lr must be in \[0, inf\)"),
    (lambda: S.one_cycle_momentum(total_steps=10, pct_start=0.1), ValueError, "leaves phase 1 .* has no momentum"),
    (lambda: S.one_cycle_momentum(total_steps=10, anneal_strategy="cosine"), ValueError, "anneal_strategy must be"),
    (lambda: S.inverse_sqrt_lr(0.1, warmup_steps=0), ValueError, r"warmup_steps must be in \[1, inf\)"),
    (lambda: S.inverse_sqrt_lr(-0.1, warmup_steps=10), ValueError, r"lr must be in \[0, inf\)"),
    (lambda: S.warmup_stable_decay_lr(0.1, -1, 10, 10), ValueError, r"warmup_steps must be in \[0, inf\)"),
    (lambda: S.warmup_stable_decay_lr(0.1, 10, 2.5, 10), ValueError, "stable_steps must be an integer"),
    (lambda: S.warmup_stable_decay_lr(0.1, 10, 10, 0), ValueError, r"decay_steps must be in \[1, inf\)"),
    (lambda: S.warmup_stable_decay_lr(0.1, 10, 10, 10, final_lr=-1), ValueError, r"final_lr must be in \[0, inf\)"),
    (
        lambda: S.warmup_stable_decay_lr(0.1, 10, 10, 10, decay="exp"),
        ValueError,
        "decay must be one of 'linear', 'cosine', 'sqrt'",
    ),
    (lambda: S.warmup_stable_decay_lr(math.inf * 0, 10, 10, 10), ValueError, r"lr must be in \[0, inf\) \(got nan\)"),
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
    (
        lambda: S.one_cycle_lr(1.0, total_steps=10, anneal_strategy="cosine"),
        ValueError,
        "anneal_strategy must be one of 'cos', 'linear'",
    ),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, div_factor=0), ValueError, r"div_factor must be in \(0, inf\)"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10)(11), ValueError, r"t must be in \[0, 10\]"),
    (lambda: S.one_cycle_lr(-1.0, total_steps=10), ValueError, r"max_lr must be in \[0, inf\)"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)], [5]), ValueError, "milestones must have one entry fewer"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)] * 3, [20, 10]), ValueError, "strictly increasing"),
    (
        lambda: S.warmup_cosine(0.1, warmup_steps=100, total_steps=50),
        ValueError,
        r"total_steps must be in \[101, inf\)",
    ),
    (lambda: S.warmup_cosine(0.1, warmup_steps=0, total_steps=50), ValueError, r"warmup_steps must be in \[1, inf\)"),
    (lambda: S.warmup_cosine(0.1, 10, 50, start_factor=0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda: S.warmup_cosine(-0.1, 10, 50), ValueError, r"lr must be in \[0, inf\)"),
    (lambda: S.step_lr(math.nan, step_size=10), ValueError, r"lr must be in \[0, inf\) \(got nan\)"),
    (lambda: S.cosine_annealing_lr(0.1, T_max=2.5), ValueError, "T_max must be an integer"),
    (lambda: S.multistep_lr(0.1, milestones=10), TypeError, "milestones must be a list"),
    (lambda: S.one_cycle_lr(1.0, epochs=0, steps_per_epoch=10), ValueError, r"epochs must be in \[1, inf\)"),
    (lambda: S.one_cycle_lr(1.0, epochs=3, steps_per_epoch=0), ValueError, r"steps_per_epoch must be in \[1, inf\)"),
    (
        lambda: S.one_cycle_lr(1.0, total_steps=10, final_div_factor=0),
        ValueError,
        r"final_div_factor must be in \(0, inf\)",
    ),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=0.1), ValueError, "pct_start=0.1 .* leaves phase 1"),
    (lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=1.0)(10), ValueError, "leaves phase 2 of the cycle"),
    (
        lambda: S.one_cycle_lr(1.0, total_steps=9, pct_start=5 / 9, three_phase=True)(9),
        ValueError,
        "leaves phase 3 of the cycle",
    ),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9), 0.1], [5]), ValueError, "schedules must be a non-empty"),
    (lambda: S.sequential_lr([], []), ValueError, "schedules must be a non-empty"),
    (lambda: S.sequential_lr([S.exponential_lr(0.1, 0.9)] * 2, [0]), ValueError, r"milestones must be in \[1, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(np.array([3, -1])), ValueError, r"t must be in \[0, inf\) \(got -1\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(np.array([0.5])), TypeError, "t must be a whole number"),
    (lambda: S.exponential_lr(0.1, 0.9).values(-1), ValueError, r"T must be in \[0, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(-1), ValueError, r"t must be in \[0, inf\)"),
    (lambda: S.exponential_lr(0.1, 0.9)(1.5), TypeError, "t must be a whole number"),
]


@pytest.mark.parametrize(
    "make, error, message", BAD, ids=[f"{i}-{message.split()[0]}" for i, (_, _, message) in enumerate(BAD)]
)
def test_invalid_argument_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def _pair(kind, lr, a, b, x, y, strategy, three_phase, milestones):
    """The same schedule from gdlib and (as a function of torch's lr_scheduler module and an optimizer) torch."""
    if kind == "step":
        return S.step_lr(lr, step_size=a, gamma=x), lambda T, o: T.StepLR(o, step_size=a, gamma=x)
    if kind == "multistep":
        return (
            S.multistep_lr(lr, milestones=milestones, gamma=x),
            lambda T, o: T.MultiStepLR(o, milestones=milestones, gamma=x),
        )
    if kind == "exp":
        return S.exponential_lr(lr, gamma=x), lambda T, o: T.ExponentialLR(o, gamma=x)
    if kind == "cos":
        return (
            S.cosine_annealing_lr(lr, T_max=a, eta_min=lr * y / 10),
            lambda T, o: T.CosineAnnealingLR(o, T_max=a, eta_min=lr * y / 10),
        )
    if kind == "restarts":
        return (
            S.cosine_annealing_warm_restarts(lr, T_0=a, T_mult=b, eta_min=lr * y / 10),
            lambda T, o: T.CosineAnnealingWarmRestarts(o, T_0=a, T_mult=b, eta_min=lr * y / 10),
        )
    if kind == "linear":
        return (
            S.linear_lr(lr, start_factor=x, end_factor=y, total_iters=a),
            lambda T, o: T.LinearLR(o, start_factor=x, end_factor=y, total_iters=a),
        )
    if kind == "onecycle":
        total = 149 + a  # torch raises past total_steps
        return (
            S.one_cycle_lr(
                lr,
                total_steps=total,
                pct_start=x,
                anneal_strategy=strategy,
                three_phase=three_phase,
                div_factor=1 + 50 * y,
            ),
            lambda T, o: T.OneCycleLR(
                o,
                max_lr=lr,
                total_steps=total,
                pct_start=x,
                anneal_strategy=strategy,
                three_phase=three_phase,
                div_factor=1 + 50 * y,
                cycle_momentum=False,
            ),
        )
    # "sequential": a warm-up, then cosine annealing or warm restarts, then exponential decay
    first, second = milestones[0], milestones[0] + a
    return (
        S.sequential_lr(
            [
                S.linear_lr(lr, start_factor=x, total_iters=b * 7),
                S.cosine_annealing_lr(lr, T_max=a) if b == 1 else S.cosine_annealing_warm_restarts(lr, a),
                S.exponential_lr(lr, gamma=0.5 + y / 2),
            ],
            [first, second],
        ),
        lambda T, o: T.SequentialLR(
            o,
            [
                T.LinearLR(o, start_factor=x, total_iters=b * 7),
                T.CosineAnnealingLR(o, T_max=a) if b == 1 else T.CosineAnnealingWarmRestarts(o, a),
                T.ExponentialLR(o, gamma=0.5 + y / 2),
            ],
            milestones=[first, second],
        ),
    )


@settings(max_examples=80, deadline=None)
@given(
    kind=st.sampled_from(["step", "multistep", "exp", "cos", "restarts", "linear", "onecycle", "sequential"]),
    a=st.integers(1, 60),
    b=st.integers(1, 3),
    x=st.floats(0.05, 0.95),
    y=st.floats(0.0, 1.0),
    lr=st.floats(1e-4, 1.0),
    strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
    milestones=st.lists(st.integers(1, 149), min_size=1, max_size=4).map(sorted),
)
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


@settings(max_examples=40, deadline=None)
@given(
    use_beta1=st.booleans(),
    total=st.integers(20, 200),
    pct=st.floats(0.1, 0.9),
    strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
    base=st.floats(0.5, 0.9),
    extra=st.floats(0.0, 0.09),
)
def test_one_cycle_momentum_matches_live_torch(use_beta1, total, pct, strategy, three_phase, base, extra):
    """The momentum (SGD) or β₁ (Adam) torch's OneCycleLR writes, step by step, for random arguments."""
    torch = require("torch")
    assume(not (three_phase and float(2 * pct * total) - 2 == total - 1))  # an empty last phase: torch divides by 0
    kw = dict(
        total_steps=total,
        pct_start=pct,
        anneal_strategy=strategy,
        three_phase=three_phase,
        base_momentum=base,
        max_momentum=base + extra,
    )
    ours = S.one_cycle_momentum(**kw)
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.Adam([p]) if use_beta1 else torch.optim.SGD([p], lr=0.1, momentum=0.5)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, **kw)
    for t in range(total):
        group = opt.param_groups[0]
        want = group["betas"][0] if use_beta1 else group["momentum"]
        assert math.isclose(ours(t), want, rel_tol=1e-12), (t, ours(t), want)
        opt.step()
        sched.step()
