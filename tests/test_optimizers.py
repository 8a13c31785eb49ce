"""gdlib's optimizers against golden trajectories recorded from torch.optim 2.13 (no torch needed here),
plus the properties the book relies on: purity, scalars, dtypes, sweeps through array hyperparameters,
schedules of momentum and β₁, clear errors. The generic tests run over optimizer_cases.OPTIMIZERS."""

import inspect
from pathlib import Path

import numpy as np
import pytest

import gdlib as gd
from optimizer_cases import CASES, DTYPES, OPTIMIZERS, TOLERANCE, X0, case_id, example, grad, relative_error, run_gdlib

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "optimizers.npz")
IDS = [case_id(name, kwargs, dtype) for name, kwargs in CASES for dtype in DTYPES]
PARAMS = [(name, kwargs, dtype) for name, kwargs in CASES for dtype in DTYPES]
NAMES = list(OPTIMIZERS)


def test_fixtures_come_from_torch_2_13():
    assert str(FIXTURES["__torch_version__"]).startswith("2.13.0")
    assert len(FIXTURES.files) - 1 == len(IDS)


@pytest.mark.parametrize("name, kwargs, dtype", PARAMS, ids=IDS)
def test_matches_torch_trajectory(name, kwargs, dtype):
    want = FIXTURES[case_id(name, kwargs, dtype)]
    got = run_gdlib(name, kwargs, dtype)
    assert got.dtype == np.dtype(dtype), "the computation must stay in x's dtype, as torch's does"
    assert np.all(np.isfinite(want)) and np.abs(want[-1] - want[0]).max() > 1e-2, "the case must move"
    err = relative_error(got, want)
    assert err <= TOLERANCE[dtype], f"relative error {err:.2e} over {TOLERANCE[dtype]:.0e}"


@pytest.mark.parametrize("name, kwargs, dtype", PARAMS, ids=IDS)
def test_fixture_case_is_well_conditioned(name, kwargs, dtype, monkeypatch):
    """Moving the start by one rounding error may move the trajectory by a few rounding errors, not more
    than half the tolerance. A case that amplifies round-off (RMSProp with a tiny ε near the
    minimum acts like sign descent and is chaotic) would compare one processor's rounding with another's,
    not gdlib with torch, and its fixture would fail on other machines."""
    import optimizer_cases

    ulp = float(np.finfo(dtype).eps)
    base = run_gdlib(name, kwargs, dtype)
    monkeypatch.setattr(optimizer_cases, "X0", X0 * (1 + ulp * np.array([1, -1, 1, -1, 1])))
    moved = run_gdlib(name, kwargs, dtype)
    assert np.any(moved[0] != base[0]), "the start must move"
    amplification = relative_error(moved, base) / ulp
    assert amplification <= TOLERANCE[dtype] / ulp / 2, f"round-off amplified {amplification:.1e} times"


def test_every_optimizer_has_fixture_cases():
    assert {name for name, _ in CASES} == {name for name, entry in OPTIMIZERS.items() if entry["torch"]}


def test_every_elementwise_optimizer_is_in_the_shared_list():
    """A new optimizer that steps one array with its gradient alone joins the generic tests by one entry in
    optimizer_cases.OPTIMIZERS; this test fails until it has one."""
    elementwise = {
        name
        for name in gd.optimizers.__all__
        if isinstance(getattr(gd.optimizers, name), type)
        and issubclass(getattr(gd.optimizers, name), gd.optimizers.Optimizer)
        and getattr(gd.optimizers, name) is not gd.optimizers.Optimizer
        and getattr(gd.optimizers, name).elementwise is True
        and getattr(gd.optimizers, name).uses_oracle is False
    }
    assert elementwise == set(OPTIMIZERS)


def test_gradient_descent_is_sgd_without_momentum():
    a = run_gdlib("GradientDescent", dict(lr=0.05), "float64")
    b = run_gdlib("SGD", dict(lr=0.05), "float64")
    assert np.array_equal(a, b)


def test_adamw_is_adam_with_decoupled_weight_decay():
    a = run_gdlib("AdamW", dict(lr=0.05, amsgrad=True), "float64")
    b = run_gdlib("Adam", dict(lr=0.05, amsgrad=True, decoupled_weight_decay=True, weight_decay=1e-2), "float64")
    assert np.array_equal(a, b)
    assert gd.AdamW().decoupled_weight_decay is True and gd.Adam().decoupled_weight_decay is False
    # torch 2.13's AdamW takes no decoupled_weight_decay argument; neither does ours
    assert "decoupled_weight_decay" not in inspect.signature(gd.AdamW).parameters
    assert inspect.signature(gd.Adam).parameters["decoupled_weight_decay"].default is False


@pytest.mark.parametrize("name", NAMES)
def test_step_is_pure(name):
    opt = example(name)
    x = X0.copy()
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.step(x, grad(x), state)
    x_before, state_before = x.copy(), [np.copy(s) if s is not None else None for s in state]
    g = grad(x)
    g_before = g.copy()
    opt.step(x, g, state)
    assert np.array_equal(x, x_before) and np.array_equal(g, g_before)
    for kept, now in zip(state_before, state, strict=True):
        assert (kept is None and now is None) or np.array_equal(kept, now)


def _sweep_columns(sweep, dtype=float):
    """Each swept hyperparameter as a column of shape (n_runs, 1): one value per run."""
    column = lambda values: np.array(values, dtype=dtype)[:, None]  # noqa: E731
    return {k: (tuple(column(b) for b in v) if k == "betas" else column(v)) for k, v in sweep.items()}


def _sweep_run(sweep, i):
    return {k: (tuple(float(b[i]) for b in v) if k == "betas" else v[i]) for k, v in sweep.items()}


@pytest.mark.parametrize("name", NAMES)
def test_array_hyperparameters_run_independent_runs(name):
    """One call with hyperparameters of shape (n_runs, 1) equals n_runs separate scalar runs."""
    sweep = OPTIMIZERS[name]["sweep"]
    opt = getattr(gd, name)(**_sweep_columns(sweep))
    x = np.tile(X0, (3, 1))
    state = opt.init(x)
    for _ in range(50):
        x, state = opt.step(x, grad(x), state)
    for i in range(3):
        want = run_gdlib(name, _sweep_run(sweep, i), "float64", steps=50)[-1]
        np.testing.assert_allclose(x[i], want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_float32_parameters_stay_float32_with_array_hyperparameters(name):
    """Array hyperparameters (stored as float64) are used in x's dtype: x and every state array stay
    float32, and each run agrees with its own scalar float32 run. Not to the last bit: a scalar β is a Python
    float, so 1 − β^t is computed in float64 as torch does, while β from an array is a float32 number and
    1 − β^t carries its rounding (relative 6e-8 / (1 − β^t), up to ~3e-5 for β = 0.999); measured ≤ 1.1e-5."""
    sweep = OPTIMIZERS[name]["sweep"]
    opt = getattr(gd, name)(**_sweep_columns(sweep))
    x = np.tile(X0, (3, 1)).astype(np.float32)
    state = opt.init(x)
    for _ in range(50):
        x, state = opt.step(x, grad(x), state)
        assert x.dtype == np.float32
    assert all(np.asarray(s).dtype == np.float32 for s in state[1:] if s is not None)
    for i in range(3):
        want = run_gdlib(name, _sweep_run(sweep, i), "float32", steps=50)
        assert relative_error(x[i][None], want[-1][None]) <= 1e-4


# --- scalars and 0-d arrays (torch accepts 0-d tensors as parameters) ---


def _scalar_run(opt, x, steps=30):
    """Steps on L(θ) = θ² − θ + 0.025θ⁴ for one parameter given as ``x`` (a number, 0-d or (1,) array)."""
    state = opt.init(x)
    xs = []
    for _ in range(steps):
        g = 2 * x - 1 + 0.1 * x**3
        x, state = opt.step(x, g, state)
        xs.append(x)
    return xs


@pytest.mark.parametrize("kind", ["python float", "numpy float64", "0-d float64", "0-d float32"])
@pytest.mark.parametrize("name", NAMES)
def test_scalar_and_0d_parameters(name, kind):
    """A single parameter as a number or a 0-d array takes the same steps as the (1,) array the torch
    fixtures check, keeps its dtype and stays 0-d."""
    opt = example(name)
    dtype = np.float32 if kind.endswith("float32") else np.float64
    start = {
        "python float": 0.3,
        "numpy float64": np.float64(0.3),
        "0-d float64": np.array(0.3),
        "0-d float32": np.array(0.3, dtype=np.float32),
    }[kind]
    got = _scalar_run(opt, start)
    want = _scalar_run(opt, np.array([0.3], dtype=dtype))
    assert all(np.shape(x) == () and np.result_type(x) == dtype for x in got)
    assert abs(float(want[-1][0]) - 0.3) > 1e-2, "the run must move"
    np.testing.assert_array_equal(np.array([float(x) for x in got]), np.array([float(w[0]) for w in want]))


# --- schedules of hyperparameters other than lr ---

CONSTANT_SCHEDULES = [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1), "momentum"),
    ("RMSprop", dict(lr=0.005, momentum=0.9, centered=True), "momentum"),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True), "betas"),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99)), "betas"),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.99)), "betas"),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.99)), "betas"),
]


@pytest.mark.parametrize("name, kwargs, field", CONSTANT_SCHEDULES, ids=[c[0] for c in CONSTANT_SCHEDULES])
def test_a_constant_schedule_equals_the_number(name, kwargs, field):
    """momentum / β₁ / β₂ given as schedules that return the number take exactly the steps of the number
    (the torch fixtures with one_cycle check a schedule that changes)."""
    plain = run_gdlib(name, kwargs, "float64", steps=60)
    scheduled = dict(kwargs)
    if field == "betas":
        b1, b2 = kwargs["betas"]
        scheduled["betas"] = (lambda t: b1, lambda t: b2)
    else:
        scheduled[field] = lambda t, value=kwargs[field]: value
    assert np.array_equal(run_gdlib(name, scheduled, "float64", steps=60), plain)


def test_schedule_is_called_with_the_step_index():
    seen = []
    opt = gd.SGD(lr=lambda t: seen.append(t) or 0.1)
    x, state = np.ones(2), opt.init(np.ones(2))
    for _ in range(3):
        x, state = opt.step(x, x, state)
    assert seen == [0, 1, 2] and opt.lr_at(7) == 0.1


SCHEDULE_VALUES_CHECKED = [
    (gd.SGD(lr=lambda t: -0.1), ValueError, r"lr from its schedule at t=0 must be in \[0, inf\) \(got -0.1\)"),
    (
        gd.SGD(momentum=lambda t: [0.9, 0.5, -0.25][t]),
        ValueError,
        r"momentum from its schedule at t=2 must be in \[0, inf\) \(got -0.25\)",
    ),
    (gd.RMSprop(momentum=lambda t: "high"), TypeError, "momentum from its schedule at t=0 must be a number"),
    (
        gd.Adam(betas=(lambda t: 0.9 + 0.1 * t, 0.999)),
        ValueError,
        r"betas\[0\] from its schedule at t=1 must be in \[0, 1\) \(got 1.0\)",
    ),
    (
        gd.NAdam(betas=(0.9, lambda t: np.array([0.9, 1.5]))),
        ValueError,
        r"betas\[1\] from its schedule at t=0 must be in \[0, 1\) \(got 1.5 among its entries\)",
    ),
]


@pytest.mark.parametrize("opt, error, message", SCHEDULE_VALUES_CHECKED, ids=range(len(SCHEDULE_VALUES_CHECKED)))
def test_schedule_values_are_checked_when_called(opt, error, message):
    with pytest.raises(error, match=message):
        _three_steps(opt)


def _three_steps(opt):
    x = np.ones(2)
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.step(x, x, state)


def test_repr_shows_what_differs_from_the_defaults():
    assert repr(gd.Adam(lr=0.01, amsgrad=True)) == "Adam(lr=0.01, amsgrad=True)"
    assert repr(gd.SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(gd.SGD(lr=np.ones((4, 1)))) == "SGD(lr=array(4, 1))"
    assert repr(gd.Adam(decoupled_weight_decay=True)) == "Adam(lr=0.001, decoupled_weight_decay=True)"
    assert repr(gd.AdamW(weight_decay=0.1)) == "AdamW(lr=0.001, weight_decay=0.1)"
    assert repr(gd.Adam(betas=(np.full((3, 1), 0.9), 0.999))) == "Adam(lr=0.001, betas=(array(3, 1), 0.999))"
    f = gd.schedules.one_cycle_momentum(total_steps=10)
    assert repr(gd.SGD(momentum=f)).startswith("SGD(lr=0.001, momentum=one_cycle_momentum(total_steps=10")


def test_defaults_are_torchs():
    # torch 2.13's defaults, typed from its documentation (test_optimizers_torch compares the signatures live)
    assert gd.SGD().lr == 1e-3 and gd.Adam().betas == (0.9, 0.999) and gd.Adam().eps == 1e-8
    assert gd.AdamW().weight_decay == 1e-2 and gd.Adam().weight_decay == 0
    assert gd.Adagrad().lr == 1e-2 and gd.Adagrad().eps == 1e-10
    assert gd.RMSprop().alpha == 0.99 and gd.RMSprop().lr == 1e-2
    assert gd.Adadelta().lr == 1.0 and gd.Adadelta().rho == 0.9 and gd.Adadelta().eps == 1e-6
    assert gd.NAdam().lr == 2e-3 and gd.NAdam().momentum_decay == 4e-3


@pytest.mark.parametrize("name", [n for n in NAMES if "weight_decay" in inspect.signature(getattr(gd, n)).parameters])
def test_weight_decay_goes_through_the_one_helper(name):
    """Every optimizer with a weight_decay applies it with optimizers._base.apply_weight_decay (the torch
    fixtures check the numbers; this checks there is one way to write it)."""
    assert "apply_weight_decay(" in inspect.getsource(getattr(gd, name).step)


# --- bad input: one case per invalid value, each error naming the argument and its range ---

BAD = [
    ("SGD", dict(lr=-0.1), ValueError, r"lr must be in \[0, inf\)"),
    ("SGD", dict(lr=float("nan")), ValueError, "lr must be in"),
    ("SGD", dict(lr="fast"), TypeError, "lr must be a number"),
    ("SGD", dict(lr=np.array([0.1, -1.0])), ValueError, r"lr must be in \[0, inf\) \(got -1"),
    ("SGD", dict(momentum=-0.5), ValueError, r"momentum must be in \[0, inf\)"),
    ("SGD", dict(dampening=-0.1), ValueError, r"dampening must be in \[0, inf\)"),
    ("SGD", dict(weight_decay=-1e-4), ValueError, r"weight_decay must be in \[0, inf\)"),
    ("SGD", dict(nesterov=True), ValueError, "nesterov=True needs momentum > 0 and dampening = 0"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), ValueError, "nesterov=True needs momentum > 0"),
    (
        "SGD",
        dict(dampening=lambda t: 0.1),
        TypeError,
        r"dampening must be a number or an array, not a schedule \(SGD lets only lr, momentum follow a schedule\)",
    ),
    ("Adam", dict(betas=(1.0, 0.999)), ValueError, r"betas\[0\] \(beta1\) must be in \[0, 1\)"),
    ("Adam", dict(betas=(0.9, -0.1)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("Adam", dict(betas=0.9), ValueError, r"betas must be a pair"),
    ("Adam", dict(eps=-1e-8), ValueError, r"eps must be in \[0, inf\)"),
    ("Adam", dict(weight_decay=-0.1), ValueError, r"weight_decay must be in \[0, inf\)"),
    ("Adam", dict(eps=lambda t: 1e-8), TypeError, "eps must be a number or an array, not a schedule"),
    ("AdamW", dict(weight_decay=-0.1), ValueError, r"weight_decay must be in \[0, inf\)"),
    ("AdamW", dict(betas=(0.9, 1.5)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("AdamW", dict(decoupled_weight_decay=False), TypeError, "unexpected keyword argument 'decoupled_weight_decay'"),
    ("Adagrad", dict(lr_decay=-1.0), ValueError, r"lr_decay must be in \[0, inf\)"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), ValueError, r"initial_accumulator_value must be in"),
    ("Adagrad", dict(eps=-1.0), ValueError, r"eps must be in \[0, inf\)"),
    ("Adagrad", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("RMSprop", dict(alpha=-0.5), ValueError, r"alpha must be in \[0, inf\)"),
    ("RMSprop", dict(eps=-1.0), ValueError, r"eps must be in"),
    ("RMSprop", dict(momentum=-0.9), ValueError, r"momentum must be in \[0, inf\)"),
    ("RMSprop", dict(weight_decay=-0.9), ValueError, r"weight_decay must be in"),
    ("RMSprop", dict(alpha=lambda t: 0.9), TypeError, "alpha must be a number or an array, not a schedule"),
    ("Adadelta", dict(rho=1.5), ValueError, r"rho must be in \[0, 1\]"),
    ("Adadelta", dict(eps=-1e-6), ValueError, r"eps must be in"),
    ("Adadelta", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("Adadelta", dict(rho=lambda t: 0.9), TypeError, r"rho must be a number or an array, not a schedule \(Adadelta"),
    ("NAdam", dict(momentum_decay=-1.0), ValueError, r"momentum_decay must be in \[0, inf\)"),
    ("NAdam", dict(betas=(0.9, 1.0)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("NAdam", dict(eps=-1.0), ValueError, r"eps must be in"),
    ("RAdam", dict(betas=(-0.1, 0.999)), ValueError, r"betas\[0\] \(beta1\) must be in \[0, 1\)"),
    ("RAdam", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("GradientDescent", dict(lr=-1.0), ValueError, r"lr must be in \[0, inf\)"),
]


@pytest.mark.parametrize(
    "name, kwargs, error, message", BAD, ids=[f"{n}-{'-'.join(k)}-{i}" for i, (n, k, _, _) in enumerate(BAD)]
)
def test_invalid_hyperparameter_is_named(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(gd, name)(**kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_state_from_another_optimizer_is_rejected(name):
    opt = example(name)
    other = gd.SGD() if name != "SGD" else gd.Adam()
    x = np.ones(3)
    message = (
        rf"state must be of type {opt.State.__name__}, made by {name}.init\(x\) "
        rf"\(got {other.State.__name__}: a state from another optimizer\?\)"
    )
    with pytest.raises(TypeError, match=message):
        opt.step(x, x, other.init(x))


@pytest.mark.parametrize("name", NAMES)
def test_x_and_g_of_different_shapes_are_rejected(name):
    opt = example(name)
    with pytest.raises(ValueError, match=r"x and g must have the same shape \(got \(3,\) and \(4,\)\)"):
        opt.step(np.ones(3), np.ones(4), opt.init(np.ones(3)))
    with pytest.raises(ValueError, match=r"x and g must have the same shape \(got \(\) and \(1,\)\)"):
        opt.step(1.0, np.ones(1), opt.init(1.0))
