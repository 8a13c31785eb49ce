"""gdlib against live torch.optim with hyperparameters drawn by hypothesis (needs torch; CI requires it)."""

import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import gdlib as gd
from conftest import require
from optimizer_cases import OPTIMIZERS, TOLERANCE, relative_error

torch = require("torch")

unit = st.floats(0.0, 0.95)
small = st.floats(0.0, 0.2)
lr = st.floats(1e-4, 0.05)
flag = st.booleans()
adam_lr = st.floats(1e-4, 5e-3)
betas = st.tuples(st.floats(0.5, 0.95), st.floats(0.9, 0.9999))

SPACES = {
    "SGD": st.fixed_dictionaries(
        {"lr": lr, "momentum": unit, "dampening": st.floats(0, 0.5), "weight_decay": small, "maximize": flag}
    ),
    "SGD-nesterov": st.fixed_dictionaries(
        {"lr": lr, "momentum": st.floats(0.05, 0.95), "nesterov": st.just(True), "weight_decay": small}
    ),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": lr,
            "lr_decay": small,
            "weight_decay": small,
            "initial_accumulator_value": small,
            "eps": st.floats(1e-10, 1e-3),
        }
    ),
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 2e-3),
            "alpha": st.floats(0.5, 0.999),
            "eps": st.floats(1e-8, 1e-3),
            "weight_decay": small,
            "momentum": unit,
            "centered": flag,
        }
    ),
    "Adadelta": st.fixed_dictionaries(
        {"lr": st.floats(0.1, 2.0), "rho": st.floats(0.5, 0.99), "eps": st.floats(1e-7, 1e-3), "weight_decay": small}
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": adam_lr,
            "betas": betas,
            "eps": st.floats(1e-8, 1e-4),
            "weight_decay": small,
            "amsgrad": flag,
            "decoupled_weight_decay": flag,
        }
    ),
    "AdamW": st.fixed_dictionaries(
        {"lr": adam_lr, "betas": betas, "weight_decay": small, "amsgrad": flag, "maximize": flag}
    ),
    "NAdam": st.fixed_dictionaries(
        {
            "lr": adam_lr,
            "betas": betas,
            "momentum_decay": st.floats(0, 0.01),
            "weight_decay": small,
            "decoupled_weight_decay": flag,
        }
    ),
    "RAdam": st.fixed_dictionaries(
        {
            "lr": adam_lr,
            "betas": st.tuples(st.floats(0.5, 0.95), st.floats(0.9, 0.999)),
            "weight_decay": small,
            "decoupled_weight_decay": flag,
        }
    ),
}
TORCH_NAMES = [name for name, entry in OPTIMIZERS.items() if entry["torch"]]
# torch's arguments that choose an implementation, not the mathematics: gdlib has no counterpart
IMPLEMENTATION_SWITCHES = {"params", "foreach", "capturable", "differentiable", "fused"}


def test_every_torch_optimizer_has_a_search_space():
    assert {space.split("-")[0] for space in SPACES} == set(TORCH_NAMES)


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_arguments_and_defaults_are_torchs(name):
    """gdlib's fields are torch's arguments with torch's defaults, and torch has no other mathematical
    argument (so, e.g., Adam has decoupled_weight_decay and AdamW has not, in both)."""
    ours = {f.name: f.default for f in dataclasses.fields(getattr(gd, name)) if f.init}
    theirs = {
        k: p.default
        for k, p in inspect.signature(getattr(torch.optim, name)).parameters.items()
        if k not in IMPLEMENTATION_SWITCHES
    }
    assert set(ours) == set(theirs)
    for arg, default in ours.items():
        assert default == theirs[arg], f"{name}({arg}=…): gdlib's default {default!r}, torch's {theirs[arg]!r}"


def _trajectories(name, kwargs, x0, grads_fn, dtype, steps):
    import gdlib as gd

    opt = getattr(gd, name)(**kwargs)
    x = x0.astype(dtype)
    state = opt.init(x)
    p = torch.nn.Parameter(torch.tensor(x0.astype(dtype)))
    topt = getattr(torch.optim, name)([p], **kwargs)
    ours, theirs = [], []
    for _ in range(steps):
        x, state = opt.step(x, grads_fn(x), state)
        p.grad = torch.from_numpy(grads_fn(p.detach().numpy().copy()))
        topt.step()
        ours.append(x)
        theirs.append(p.detach().numpy().copy())
    return np.array(ours), np.array(theirs)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), d=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_matches_live_torch(space, dtype, data, d, seed):
    torch.set_default_dtype(getattr(torch, dtype))
    try:
        name = space.split("-")[0]
        kwargs = data.draw(SPACES[space])
        rng = np.random.default_rng(seed)
        curv = rng.uniform(0.5, 3.0, d).astype(dtype)
        x0 = rng.standard_normal(d)
        sign = -1 if kwargs.get("maximize") else 1
        grads = lambda x: sign * (curv * x + np.asarray(0.05, dtype) * x**3)  # noqa: E731
        ours, theirs = _trajectories(name, kwargs, x0, grads, dtype, steps=30)
        assert ours.dtype == np.dtype(dtype)
        assert relative_error(ours, theirs) <= TOLERANCE[dtype] * 10
    finally:
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", TORCH_NAMES)
def test_0d_parameter_matches_a_0d_tensor(name, dtype):
    """A parameter that is a single number: gdlib on a 0-d array against torch on a 0-d tensor."""
    kwargs = OPTIMIZERS[name]["example"]
    opt = getattr(gd, name)(**kwargs)
    x = np.array(0.7, dtype=dtype)
    state = opt.init(x)
    torch.set_default_dtype(getattr(torch, dtype))  # torch keeps scalar state in the default dtype
    try:
        p = torch.nn.Parameter(torch.tensor(0.7, dtype=getattr(torch, dtype)))
        topt = getattr(torch.optim, name)([p], **kwargs)
        ours, theirs = [], []
        for _ in range(30):
            x, state = opt.step(x, 2 * x - 1, state)
            p.grad = 2 * p.detach() - 1
            topt.step()
            ours.append(x)
            theirs.append(p.detach().numpy().copy())
    finally:
        torch.set_default_dtype(torch.float32)
    assert np.shape(ours[-1]) == () and np.result_type(ours[-1]) == np.dtype(dtype)
    assert abs(float(theirs[-1]) - 0.7) > 1e-2, "the run must move"
    assert relative_error(np.array(ours)[:, None], np.array(theirs)[:, None]) <= TOLERANCE[dtype]


@pytest.mark.parametrize("weight", [0.1, 0.49, 0.5, 0.7, 0.95])
def test_lerp_matches_torch_in_both_branches(weight):
    from gdlib.optimizers import lerp

    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(1000), rng.standard_normal(1000)
    want = torch.tensor(a).lerp(torch.tensor(b), weight).numpy()
    np.testing.assert_allclose(lerp(a, b, weight), want, rtol=0, atol=4 * np.finfo(float).eps)


STATE_CASES = [
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.9}),
    ("RMSprop", {"centered": True, "momentum": 0.9}),
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("Adagrad", {}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("Adadelta", {}),
]


@pytest.mark.parametrize("name, kwargs", STATE_CASES, ids=[f"{n}{k or ''}" for n, k in STATE_CASES])
def test_state_holds_as_many_parameter_sized_arrays_as_torchs(name, kwargs):
    """The memory an optimizer's state costs: after two steps, the number of parameter-sized arrays in gdlib's
    state equals the number of parameter-sized tensors in torch's (nothing allocated that a step never uses)."""
    d = 7
    x = np.linspace(-1.0, 1.0, d)
    opt = getattr(gd, name)(lr=0.01, **kwargs)
    state = opt.init(x)
    p = torch.tensor(x, requires_grad=True)
    topt = getattr(torch.optim, name)([p], lr=0.01, **kwargs)
    for step in range(2):
        g = np.cos(3.0 * x + step)
        x, state = opt.step(x, g, state)
        p.grad = torch.tensor(g)
        topt.step()
    ours = sum(isinstance(v, np.ndarray) and v.shape == (d,) for v in state)
    theirs = sum(torch.is_tensor(v) and tuple(v.shape) == (d,) for v in topt.state[p].values())
    assert ours == theirs, f"{name}{kwargs}: gdlib keeps {ours} arrays of θ's size, torch {theirs}"
