"""gdlib's optimizers against golden trajectories recorded from torch.optim 2.13 (no torch needed here),
plus the properties the book relies on: purity, sweeps through array hyperparameters, clear errors."""

from pathlib import Path

import numpy as np
import pytest

import gdlib as gd
from optimizer_cases import CASES, DTYPES, TOLERANCE, X0, case_id, grad, relative_error, run_gdlib

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "optimizers.npz")
IDS = [case_id(name, kwargs, dtype) for name, kwargs in CASES for dtype in DTYPES]
PARAMS = [(name, kwargs, dtype) for name, kwargs in CASES for dtype in DTYPES]


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
    names = {name for name, _ in CASES}
    assert names == {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "RAdam"}


def test_gradient_descent_is_sgd_without_momentum():
    a = run_gdlib("GradientDescent", dict(lr=0.05), "float64")
    b = run_gdlib("SGD", dict(lr=0.05), "float64")
    assert np.array_equal(a, b)


OPTIMIZERS = [gd.GradientDescent(lr=0.1), gd.SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
              gd.Adagrad(lr=0.1), gd.RMSprop(lr=0.01, momentum=0.5, centered=True), gd.Adadelta(),
              gd.Adam(lr=0.1, amsgrad=True), gd.AdamW(lr=0.1), gd.NAdam(lr=0.1), gd.RAdam(lr=0.1)]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=lambda o: type(o).__name__)
def test_step_is_pure(opt):
    x = X0.copy()
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.step(x, grad(x), state)
    x_before, state_before = x.copy(), [np.copy(s) if s is not None else None for s in state]
    g = grad(x)
    g_before = g.copy()
    opt.step(x, g, state)
    assert np.array_equal(x, x_before) and np.array_equal(g, g_before)
    for kept, now in zip(state_before, state):
        assert (kept is None and now is None) or np.array_equal(kept, now)


SWEEPS = [
    ("SGD", dict(lr=[0.01, 0.05, 0.1], momentum=[0.0, 0.5, 0.9])),
    ("Adam", dict(lr=[0.01, 0.05, 0.1], betas=([0.5, 0.8, 0.9], [0.9, 0.99, 0.999]))),
    ("RMSprop", dict(lr=[0.01, 0.02, 0.005], alpha=[0.9, 0.99, 0.5], momentum=[0.0, 0.5, 0.9])),
    ("Adagrad", dict(lr=[0.1, 0.2, 0.3], lr_decay=[0.0, 0.01, 0.1])),
    ("Adadelta", dict(lr=[0.5, 1.0, 2.0], rho=[0.8, 0.9, 0.95])),
    ("NAdam", dict(lr=[0.01, 0.05, 0.1], momentum_decay=[0.001, 0.004, 0.01])),
    ("RAdam", dict(lr=[0.01, 0.05, 0.1], betas=([0.8, 0.9, 0.9], [0.9, 0.99, 0.999]))),
    ("AdamW", dict(lr=[0.01, 0.05, 0.1], weight_decay=[0.0, 0.01, 0.1])),
]


@pytest.mark.parametrize("name, sweep", SWEEPS, ids=[s[0] for s in SWEEPS])
def test_array_hyperparameters_run_independent_runs(name, sweep):
    """One call with hyperparameters of shape (n_runs, 1) equals n_runs separate scalar runs."""
    n = 3
    column = {k: (tuple(np.array(b)[:, None] for b in v) if k == "betas" else np.array(v)[:, None])
              for k, v in sweep.items()}
    opt = getattr(gd, name)(**column)
    x = np.tile(X0, (n, 1))
    state = opt.init(x)
    for _ in range(50):
        x, state = opt.step(x, grad(x), state)
    for i in range(n):
        single = {k: (tuple(float(b[i]) for b in v) if k == "betas" else v[i]) for k, v in sweep.items()}
        want = run_gdlib(name, single, "float64", steps=50)[-1]
        np.testing.assert_allclose(x[i], want, rtol=1e-13, atol=1e-15)


def test_schedule_is_called_with_the_step_index():
    seen = []
    opt = gd.SGD(lr=lambda t: seen.append(t) or 0.1)
    x, state = np.ones(2), opt.init(np.ones(2))
    for _ in range(3):
        x, state = opt.step(x, x, state)
    assert seen == [0, 1, 2] and opt.lr_at(7) == 0.1


def test_repr_shows_what_differs_from_the_defaults():
    assert repr(gd.Adam(lr=0.01, amsgrad=True)) == "Adam(lr=0.01, amsgrad=True)"
    assert repr(gd.SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(gd.SGD(lr=np.ones((4, 1)))) == "SGD(lr=array(4, 1))"


def test_defaults_are_torchs():
    # torch 2.13's defaults, typed from its documentation
    assert gd.SGD().lr == 1e-3 and gd.Adam().betas == (0.9, 0.999) and gd.Adam().eps == 1e-8
    assert gd.AdamW().weight_decay == 1e-2 and gd.Adam().weight_decay == 0
    assert gd.Adagrad().lr == 1e-2 and gd.Adagrad().eps == 1e-10
    assert gd.RMSprop().alpha == 0.99 and gd.RMSprop().lr == 1e-2
    assert gd.Adadelta().lr == 1.0 and gd.Adadelta().rho == 0.9 and gd.Adadelta().eps == 1e-6
    assert gd.NAdam().lr == 2e-3 and gd.NAdam().momentum_decay == 4e-3


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
    ("Adam", dict(betas=(1.0, 0.999)), ValueError, r"betas\[0\] \(beta1\) must be in \[0, 1\)"),
    ("Adam", dict(betas=(0.9, -0.1)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("Adam", dict(betas=0.9), ValueError, r"betas must be a pair"),
    ("Adam", dict(eps=-1e-8), ValueError, r"eps must be in \[0, inf\)"),
    ("Adam", dict(weight_decay=-0.1), ValueError, r"weight_decay must be in \[0, inf\)"),
    ("AdamW", dict(weight_decay=-0.1), ValueError, r"weight_decay must be in \[0, inf\)"),
    ("AdamW", dict(betas=(0.9, 1.5)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("Adagrad", dict(lr_decay=-1.0), ValueError, r"lr_decay must be in \[0, inf\)"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), ValueError, r"initial_accumulator_value must be in"),
    ("Adagrad", dict(eps=-1.0), ValueError, r"eps must be in \[0, inf\)"),
    ("Adagrad", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("RMSprop", dict(alpha=-0.5), ValueError, r"alpha must be in \[0, inf\)"),
    ("RMSprop", dict(eps=-1.0), ValueError, r"eps must be in"),
    ("RMSprop", dict(momentum=-0.9), ValueError, r"momentum must be in \[0, inf\)"),
    ("RMSprop", dict(weight_decay=-0.9), ValueError, r"weight_decay must be in"),
    ("Adadelta", dict(rho=1.5), ValueError, r"rho must be in \[0, 1\]"),
    ("Adadelta", dict(eps=-1e-6), ValueError, r"eps must be in"),
    ("Adadelta", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("NAdam", dict(momentum_decay=-1.0), ValueError, r"momentum_decay must be in \[0, inf\)"),
    ("NAdam", dict(betas=(0.9, 1.0)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    ("NAdam", dict(eps=-1.0), ValueError, r"eps must be in"),
    ("RAdam", dict(betas=(-0.1, 0.999)), ValueError, r"betas\[0\] \(beta1\) must be in \[0, 1\)"),
    ("RAdam", dict(weight_decay=-1.0), ValueError, r"weight_decay must be in"),
    ("GradientDescent", dict(lr=-1.0), ValueError, r"lr must be in \[0, inf\)"),
]


@pytest.mark.parametrize("name, kwargs, error, message", BAD,
                         ids=[f"{n}-{'-'.join(k)}-{i}" for i, (n, k, _, _) in enumerate(BAD)])
def test_invalid_hyperparameter_is_named(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(gd, name)(**kwargs)


def test_state_from_another_optimizer_is_rejected():
    x = np.ones(3)
    with pytest.raises(TypeError, match=r"state must be a AdamState made by Adam.init\(x\).*SGDState"):
        gd.Adam().step(x, x, gd.SGD().init(x))


def test_x_and_g_of_different_shapes_are_rejected():
    opt = gd.Adam()
    with pytest.raises(ValueError, match=r"x and g must have the same shape \(got \(3,\) and \(4,\)\)"):
        opt.step(np.ones(3), np.ones(4), opt.init(np.ones(3)))
