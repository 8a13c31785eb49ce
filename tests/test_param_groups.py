"""Parameter groups (gd.ParamGroups) against torch.optim's per-parameter options and optax's multi_transform,
and per-run schedules on structured parameters against the same runs made one by one."""

import numpy as np
import pytest

import gdlib as gd
from conftest import require

rng = np.random.default_rng(0)


def mlp_and_start(n_runs=None, seed=0):
    d = gd.load_breast_cancer().standardized()
    p = gd.MLP(d.X, d.y, widths=(8,))
    return p, p.init(seed=seed, n_runs=n_runs) if n_runs else p.init(seed=seed)


def no_decay_on_biases(params):
    return {k: "no_decay" if k.startswith("b") else "decay" for k in params}


def adamw_groups(lr_decay=0.01, lr_no_decay=0.02, wd=0.3):
    return gd.ParamGroups(
        {"decay": gd.AdamW(lr=lr_decay, weight_decay=wd), "no_decay": gd.AdamW(lr=lr_no_decay, weight_decay=0.0)},
        labels=no_decay_on_biases,
    )


def test_matches_torch_parameter_groups():
    """AdamW with decay and lr 0.01 on the weights, no decay and lr 0.02 on the biases: torch.optim.AdamW with
    two parameter groups, 40 full-batch steps of the MLP, gradients from gdlib at torch's current point."""
    torch = require("torch")
    p, x = mlp_and_start()
    opt = adamw_groups()
    names = sorted(x)
    tparams = {k: torch.tensor(x[k], dtype=torch.float64, requires_grad=True) for k in names}
    topt = torch.optim.AdamW(
        [
            {"params": [tparams[k] for k in names if not k.startswith("b")], "lr": 0.01, "weight_decay": 0.3},
            {"params": [tparams[k] for k in names if k.startswith("b")], "lr": 0.02, "weight_decay": 0.0},
        ]
    )
    state = opt.init(x)
    worst = 0.0
    for _ in range(40):
        g = p.grad(x)
        for k in names:
            tparams[k].grad = torch.tensor(g[k], dtype=torch.float64)
        topt.step()
        x, state = opt.step(x, g, state)
        worst = max(worst, max(np.max(np.abs(x[k] - tparams[k].detach().numpy())) for k in names))
    assert worst < 1e-12, f"largest difference from torch's parameter groups: {worst:.3g}"
    # the biases did not decay: with a zero gradient their update is zero under no_decay only
    assert state.labels == {"W1": "decay", "W2": "decay", "b1": "no_decay", "b2": "no_decay"}


def test_matches_optax_multi_transform():
    """SGD with momentum on the weights and Adam on the biases: optax.multi_transform, 30 steps."""
    jax, optax = require("jax"), require("optax")
    with jax.enable_x64(True):
        import jax.numpy as jnp

        p, x = mlp_and_start(seed=3)
        opt = gd.ParamGroups(
            {"w": gd.SGD(lr=0.05, momentum=0.9), "b": gd.Adam(lr=0.01)},
            labels={"W1": "w", "W2": "w", "b1": "b", "b2": "b"},
        )
        tx = optax.multi_transform(
            {"w": optax.sgd(0.05, momentum=0.9), "b": optax.adam(0.01, eps=1e-8)},
            {"W1": "w", "W2": "w", "b1": "b", "b2": "b"},
        )
        jx = {k: jnp.asarray(v) for k, v in x.items()}
        jstate = tx.init(jx)
        state = opt.init(x)
        worst = 0.0
        for _ in range(30):
            g = p.grad(x)
            jg = {k: jnp.asarray(p.grad({k2: np.asarray(v2) for k2, v2 in jx.items()})[k]) for k in x}
            updates, jstate = tx.update(jg, jstate, jx)
            jx = optax.apply_updates(jx, updates)
            x, state = opt.step(x, g, state)
            worst = max(worst, max(float(np.max(np.abs(x[k] - np.asarray(jx[k])))) for k in x))
        assert worst < 1e-12, f"largest difference from optax.multi_transform: {worst:.3g}"


def test_one_group_is_the_optimizer_itself():
    p, x0 = mlp_and_start(n_runs=4)
    single = gd.run(gd.Adam(lr=0.01), p, x0, steps=25, batch_size=32, seed=2)
    grouped = gd.run(
        gd.ParamGroups({"all": gd.Adam(lr=0.01)}, labels=lambda params: {k: "all" for k in params}),
        p,
        x0,
        steps=25,
        batch_size=32,
        seed=2,
    )
    assert np.array_equal(single.fs, grouped.fs)


def test_runs_with_per_run_rates_equal_the_runs_made_one_by_one():
    """Vectorised runs (a per-run lr array inside a group) equal each run made alone."""
    p, x0 = mlp_and_start(n_runs=3, seed=5)
    lrs = np.array([0.005, 0.01, 0.05])
    together = gd.run(
        gd.ParamGroups(
            {"decay": gd.AdamW(lr=lrs, weight_decay=0.1), "no_decay": gd.AdamW(lr=lrs, weight_decay=0.0)},
            labels=no_decay_on_biases,
        ),
        p,
        x0,
        steps=20,
        batch_size=64,
        seed=4,
    )
    for k in range(3):
        alone = gd.run(
            adamw_groups(lrs[k], lrs[k], 0.1), p, {n: a[k] for n, a in x0.items()}, steps=20, batch_size=64, seed=4
        )
        np.testing.assert_allclose(together.fs[:, k], alone.fs, rtol=1e-12, atol=0)


def test_step_is_pure_and_keeps_float32():
    p, x = mlp_and_start()
    x32 = {k: v.astype(np.float32) for k, v in x.items()}
    before = {k: v.copy() for k, v in x32.items()}
    opt = adamw_groups()
    state = opt.init(x32)
    g = {k: np.ones_like(v) for k, v in x32.items()}
    new, _ = opt.step(x32, g, state)
    assert all(np.array_equal(x32[k], before[k]) for k in x32)
    assert all(new[k].dtype == np.float32 for k in new)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: gd.ParamGroups({}, labels={}), TypeError, "groups must be a non-empty dict"),
        (lambda: gd.ParamGroups({"a": gd.SGD}, labels={}), TypeError, "inner is the class SGD"),
        (lambda: gd.ParamGroups({"a": gd.LBFGS()}, labels={}), ValueError, r"groups\['a'\] is LBFGS"),
        (lambda: gd.ParamGroups({"a": gd.SGD(lr=0.1)}), TypeError, "labels is required"),
    ],
)
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_labels_are_named():
    x = {"W": np.ones(2), "b": np.ones(1)}
    opt = gd.ParamGroups({"a": gd.SGD(lr=0.1)}, labels={"W": "a", "b": "c"})
    with pytest.raises(ValueError, match="labels names group 'c', which is not in groups"):
        opt.init(x)
    with pytest.raises(ValueError, match="labels must have the structure of the parameters"):
        gd.ParamGroups({"a": gd.SGD(lr=0.1)}, labels={"W": "a"}).init(x)
    with pytest.raises(TypeError, match="ParamGroups splits structured parameters"):
        gd.ParamGroups({"a": gd.SGD(lr=0.1)}, labels="a").init(np.ones(3))


# --- per-run schedules on structured parameters -------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda sched: gd.SGD(lr=sched, momentum=0.9),
        lambda sched: gd.Adam(lr=sched),
    ],
)
def test_a_schedule_with_one_rate_per_run_equals_the_runs_made_one_by_one(make):
    """A schedule returning one rate per run (warm-up to three different peaks) on the MLP's dict of
    arrays: each run equals the run made alone with its own scalar schedule."""
    p, x0 = mlp_and_start(n_runs=3, seed=1)
    peaks = np.array([0.01, 0.03, 0.1])
    together = gd.run(make(lambda t: peaks * min(1.0, (t + 1) / 10)), p, x0, steps=30, batch_size=32, seed=7)
    assert np.shape(together.lrs[0]) == (3,) and np.allclose(together.lrs[9], peaks)
    for k in range(3):
        alone = gd.run(
            make(lambda t, k=k: peaks[k] * min(1.0, (t + 1) / 10)),
            p,
            {n: a[k] for n, a in x0.items()},
            steps=30,
            batch_size=32,
            seed=7,
        )
        np.testing.assert_allclose(together.fs[:, k], alone.fs, rtol=1e-12, atol=0)


def test_a_per_run_schedule_of_the_wrong_shape_is_named():
    p, x0 = mlp_and_start(n_runs=3)
    with pytest.raises(ValueError, match=r"lr from its schedule at t=0 has shape \(2,\)"):
        gd.run(gd.SGD(lr=lambda t: np.array([0.1, 0.2])), p, x0, steps=2)
