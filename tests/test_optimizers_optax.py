"""LARS, LAMB, Lion and SAM against optax 0.2.8 in float64 (jax_enable_x64), on a flat vector and on a
two-array (dict) parameter tree; ASAM against the paper's equations written out here; and the properties
the book relies on (per-layer and per-run norms, the oracle's gradient count, purity, dtypes, clear errors).

Only the oracle tests need optax: each asks for it (skip locally without it, fail in CI)."""

import copy

import numpy as np
import pytest

import gdlib as gd
from conftest import require
from gdlib import tree
from gdlib.oracle import Oracle

STEPS = 60
TOL = 1e-10


# --- two small least-squares problems that compute in θ's dtype, with mini-batches and run axes ---


class FlatLeastSquares:
    """L(θ) = 1/(2B) Σ_{i∈B} (x_iᵀθ − y_i)², θ of shape (*runs, d)."""

    def __init__(self, n=24, d=6, seed=0):
        rng = np.random.default_rng(seed)
        self.X, self.y, self.n, self.d = rng.normal(size=(n, d)), rng.normal(size=n), n, d

    def _residual(self, theta, idx):
        theta = np.asarray(theta)
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        X, y = X.astype(theta.dtype), y.astype(theta.dtype)
        return theta @ X.T - y, X

    def f(self, theta, idx=None):
        r, _ = self._residual(theta, idx)
        return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, theta, idx=None):
        r, X = self._residual(theta, idx)
        return r @ X / X.shape[0]


class TreeLeastSquares:
    """L(W, b) = 1/(2B) Σ_{i∈B} ‖W x_i + b − y_i‖², θ = {"W": (*runs, p, q), "b": (*runs, p)}."""

    def __init__(self, n=24, p=2, q=3, seed=1):
        rng = np.random.default_rng(seed)
        self.X, self.Y, self.n = rng.normal(size=(n, q)), rng.normal(size=(n, p)), n
        self.shapes = {"W": (p, q), "b": (p,)}

    def _residual(self, theta, idx):
        W, b = np.asarray(theta["W"]), np.asarray(theta["b"])
        X, Y = (self.X, self.Y) if idx is None else (self.X[idx], self.Y[idx])
        X, Y = X.astype(W.dtype), Y.astype(W.dtype)
        return np.einsum("...pq,nq->...np", W, X) + b[..., None, :] - Y, X

    def f(self, theta, idx=None):
        R, _ = self._residual(theta, idx)
        return 0.5 * np.mean(np.sum(R * R, axis=-1), axis=-1)

    def grad(self, theta, idx=None):
        R, X = self._residual(theta, idx)
        return {"W": np.einsum("...np,nq->...pq", R, X) / X.shape[0], "b": R.sum(axis=-2) / X.shape[0]}


def start(kind, runs=(), dtype=np.float64, seed=2):
    """θ₀: a flat vector, or a dict tree whose bias starts at zero (so LARS/LAMB meet the ‖w‖ = 0 rule)."""
    rng = np.random.default_rng(seed)
    if kind == "flat":
        return rng.normal(size=runs + (6,)).astype(dtype), FlatLeastSquares()
    return {"W": rng.normal(size=runs + (2, 3)).astype(dtype), "b": np.zeros(runs + (2,), dtype)}, TreeLeastSquares()


def relative_error(ours, theirs):
    """max over steps and arrays of ‖ours − theirs‖∞ / max(‖theirs‖∞, 1e-3)."""
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        for p, q in zip(tree.leaves(a), tree.leaves(b), strict=True):
            q = np.asarray(q)
            worst = max(worst, float(np.abs(np.asarray(p) - q).max() / max(np.abs(q).max(), 1e-3)))
    return worst


def moved(path):
    return max(
        float(np.abs(np.asarray(p) - np.asarray(q)).max())
        for p, q in zip(tree.leaves(path[-1]), tree.leaves(path[0]), strict=True)
    )


@pytest.fixture
def jax_x64():
    """jax and optax with 64-bit floats, for this test only."""
    jax, optax = require("jax"), require("optax")
    with jax.enable_x64(True):
        yield jax, optax


def to_jax(jax, x):
    return jax.tree.map(lambda p: jax.numpy.asarray(p), x)


def to_numpy(jax, x):
    return jax.tree.map(lambda p: np.asarray(p), x)


def trajectories(jax, optax, ours, theirs, x0, grad, steps=STEPS, before_step=None):
    """Both optimizers from x0, each on its own gradients; the paths of x."""
    x, state = x0, ours.init(x0)
    p = to_jax(jax, x0)
    s = theirs.init(p)
    mine, other = [x0], [x0]
    for _ in range(steps):
        g = grad(x)
        if before_step is not None:
            before_step(g, state)
        x, state = ours.step(x, g, state)
        updates, s = theirs.update(to_jax(jax, grad(to_numpy(jax, p))), s, p)
        p = optax.apply_updates(p, updates)
        mine.append(x)
        other.append(to_numpy(jax, p))
    return mine, other


def path(opt, x0, grad, steps):
    """gdlib's path alone (for a contrast that the oracle comparison does not need)."""
    x, state, out = x0, opt.init(x0), [x0]
    for _ in range(steps):
        x, state = opt.step(x, grad(x), state)
        out.append(x)
    return out


def w_only(params):
    return {k: k == "W" for k in params}


# --- LARS -----------------------------------------------------------------------------------------

LARS_CASES = {
    "momentum": (dict(lr=1.0, momentum=0.9, weight_decay=1e-2, trust_coefficient=0.02), {}),
    "nesterov": (dict(lr=1.0, momentum=0.8, nesterov=True, weight_decay=1e-2, trust_coefficient=0.02, eps=1e-3), {}),
    "schedule": (dict(lr=lambda t: 2.0 * 0.97**t, momentum=0.5, trust_coefficient=0.01), {}),
    "defaults": (dict(lr=20.0), {}),
}
LARS_MASKS = {
    "decay W only": dict(weight_decay_mask={"W": True, "b": False}),
    "trust W only": dict(trust_ratio_mask=w_only),
    "both masks": dict(weight_decay_mask=w_only, trust_ratio_mask={"W": True, "b": False}),
}


def _optax_lars(optax, kw):
    kw = dict(kw)
    return optax.lars(kw.pop("lr"), **kw)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("case", LARS_CASES)
def test_lars_matches_optax(jax_x64, kind, case):
    jax, optax = jax_x64
    kw, _ = LARS_CASES[case]
    x0, problem = start(kind)
    ours, theirs = trajectories(jax, optax, gd.LARS(**kw), _optax_lars(optax, kw), x0, problem.grad)
    assert moved(theirs) > 0.05, "the case must move"
    assert relative_error(ours, theirs) <= TOL


@pytest.mark.parametrize("masks", LARS_MASKS)
def test_lars_masks_match_optax(jax_x64, masks):
    jax, optax = jax_x64
    kw = dict(lr=1.0, momentum=0.9, weight_decay=0.05, trust_coefficient=0.02, **LARS_MASKS[masks])
    x0, problem = start("tree")
    ours, theirs = trajectories(jax, optax, gd.LARS(**kw), _optax_lars(optax, kw), x0, problem.grad)
    unmasked = path(gd.LARS(lr=1.0, momentum=0.9, weight_decay=0.05, trust_coefficient=0.02), x0, problem.grad, 5)
    assert moved(theirs) > 0.05
    assert relative_error(ours[:6], unmasked) > 1e-3, "the mask must change the path"
    assert relative_error(ours, theirs) <= TOL


# --- LAMB -----------------------------------------------------------------------------------------

LAMB_CASES = {
    "plain": dict(lr=0.05),
    "decay": dict(lr=0.05, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.1),
    "masked decay": dict(lr=0.05, weight_decay=0.1, weight_decay_mask={"W": True, "b": False}),
    "schedule": dict(lr=lambda t: 0.1 / (1 + t), weight_decay=0.01),
}


def _optax_lamb(optax, kw):
    kw = dict(kw)
    lr, (b1, b2) = kw.pop("lr"), kw.pop("betas", (0.9, 0.999))
    if "weight_decay_mask" in kw:
        kw["mask"] = kw.pop("weight_decay_mask")
    return optax.lamb(lr, b1=b1, b2=b2, **kw)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("case", LAMB_CASES)
def test_lamb_matches_optax(jax_x64, kind, case):
    jax, optax = jax_x64
    kw = LAMB_CASES[case]
    if kind == "flat" and "weight_decay_mask" in kw:
        kw = dict(kw, weight_decay_mask=False)
    x0, problem = start(kind)
    ours, theirs = trajectories(jax, optax, gd.LAMB(**kw), _optax_lamb(optax, kw), x0, problem.grad)
    assert moved(theirs) > 0.05
    assert relative_error(ours, theirs) <= TOL


# --- Lion -----------------------------------------------------------------------------------------

LION_CASES = {
    "defaults": dict(lr=0.01),
    "decay": dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.3),
    "masked decay": dict(lr=0.01, weight_decay=0.3, weight_decay_mask=w_only),
    "schedule": dict(lr=lambda t: 0.02 * 0.98**t),
}


def _optax_lion(optax, kw):
    kw = dict(kw)
    lr, (b1, b2) = kw.pop("lr"), kw.pop("betas", (0.9, 0.99))
    if "weight_decay_mask" in kw:
        kw["mask"] = kw.pop("weight_decay_mask")
    return optax.lion(lr, b1=b1, b2=b2, **kw)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("case", LION_CASES)
def test_lion_matches_optax(jax_x64, kind, case):
    jax, optax = jax_x64
    kw = LION_CASES[case]
    if kind == "flat" and "weight_decay_mask" in kw:
        kw = dict(kw, weight_decay_mask=True)
    beta1 = kw.get("betas", (0.9, 0.99))[0]
    smallest = []

    def interpolation(g, state):  # |c| far from 0, so that no sign is decided by rounding
        c = tree.tree_map(lambda m, g: (1 - beta1) * g + beta1 * m, state.m, g)
        smallest.append(min(float(np.abs(leaf).min()) for leaf in tree.leaves(c)))

    x0, problem = start(kind)
    x0 = tree.tree_map(lambda p: p + 3.0, x0)  # far from the minimiser: no sign ties on the way
    ours, theirs = trajectories(
        jax, optax, gd.Lion(**kw), _optax_lion(optax, kw), x0, problem.grad, before_step=interpolation
    )
    assert min(smallest) > 1e-6
    assert moved(theirs) > 0.3
    assert relative_error(ours, theirs) <= TOL


def test_lion_default_weight_decay_is_optax_s():
    optax = require("optax")
    import inspect

    default = inspect.signature(optax.lion).parameters["weight_decay"].default
    assert gd.Lion().weight_decay == default == 1e-3
    assert gd.Lion().betas == (0.9, 0.99)


# --- SAM ------------------------------------------------------------------------------------------


def _sam_paths(jax, optax, base, optax_base, rho, kind, steps=STEPS, batch=6):
    """gd.SAM and optax.contrib.sam (opaque, adversary normalize + sgd(ρ)) on the same mini-batches."""
    x0, problem = start(kind)
    sam = gd.SAM(base, rho=rho)
    theirs = optax.contrib.sam(
        optax_base, optax.chain(optax.contrib.normalize(), optax.sgd(rho)), sync_period=2, opaque_mode=True
    )
    rng = np.random.default_rng(5)
    x, state = x0, sam.init(x0)
    p = to_jax(jax, x0)
    s = theirs.init(p)
    mine, other, counts = [x0], [x0], []
    for _ in range(steps):
        idx = rng.choice(problem.n, size=batch, replace=False)
        oracle = Oracle(problem, idx=idx)
        x, state = sam.step(x, oracle.grad(x), state, oracle=oracle)
        counts.append(oracle.ngev)

        def grad_fn(params, _, idx=idx):
            return to_jax(jax, problem.grad(to_numpy(jax, params), idx))

        updates, s = theirs.update(grad_fn(p, 0), s, p, grad_fn=grad_fn)
        p = optax.apply_updates(p, updates)
        mine.append(x)
        other.append(to_numpy(jax, p))
    return mine, other, counts


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("base", ["SGD", "Adam"])
def test_sam_matches_optax_contrib_sam(jax_x64, kind, base):
    jax, optax = jax_x64
    if base == "SGD":
        ours, theirs = gd.SGD(lr=0.05, momentum=0.9), optax.sgd(0.05, momentum=0.9)
    else:
        ours, theirs = gd.Adam(lr=0.02, betas=(0.9, 0.99), eps=1e-8), optax.adam(0.02, b1=0.9, b2=0.99, eps=1e-8)
    mine, other, counts = _sam_paths(jax, optax, ours, theirs, rho=0.1, kind=kind)
    assert counts == [2] * STEPS, "two gradients per step: g at θ and the one at θ + ε"
    assert moved(other) > 0.1
    assert relative_error(mine, other) <= TOL
    without, _, _ = _sam_paths(jax, optax, ours, theirs, rho=0.0, kind=kind, steps=10)
    assert relative_error(mine[:11], without) > 1e-3, "ρ must change the path"


def _asam_reference(x, g, grad_at, rho, eta):
    """Kwon et al. (2021)'s perturbation ε = ρ T² g / ‖T g‖ written coordinate by coordinate, T_i = |w_i| + η:
    ε_i = ρ T_i² g_i / sqrt(Σ_j (T_j g_j)²); returns the gradient at w + ε."""
    flat_x, flat_g = [], []
    for leaf_x, leaf_g in zip(tree.leaves(x), tree.leaves(g), strict=True):
        flat_x += list(np.ravel(leaf_x))
        flat_g += list(np.ravel(leaf_g))
    T = [abs(w) + eta for w in flat_x]
    norm = sum((t * gi) ** 2 for t, gi in zip(T, flat_g, strict=True)) ** 0.5
    eps = [rho * t * t * gi / norm for t, gi in zip(T, flat_g, strict=True)]
    it = iter(eps)
    perturbed = tree.tree_map(
        lambda leaf: leaf + np.reshape([next(it) for _ in range(np.size(leaf))], np.shape(leaf)), x
    )
    return grad_at(perturbed)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("eta", [0.0, 0.01])
def test_asam_matches_the_paper_s_equations(kind, eta):
    x0, problem = start(kind)
    x0 = tree.tree_map(lambda p: p + 0.5, x0)  # no zero weights: T = |w| matters everywhere
    lr, rho = 0.05, 0.5
    sam = gd.SAM(gd.SGD(lr=lr), rho=rho, adaptive=True, eta=eta)
    x, state, ref = x0, sam.init(x0), x0
    for _ in range(30):
        oracle = Oracle(problem)
        x, state = sam.step(x, oracle.grad(x), state, oracle=oracle)
        g_adv = _asam_reference(ref, problem.grad(ref), problem.grad, rho, eta)
        ref = tree.tree_map(lambda w, g: w - lr * g, ref, g_adv)
        assert relative_error([x], [ref]) <= 1e-12
    plain_sam = gd.SAM(gd.SGD(lr=lr), rho=rho)
    y, s = x0, plain_sam.init(x0)
    for _ in range(30):
        oracle = Oracle(problem)
        y, s = plain_sam.step(y, oracle.grad(y), s, oracle=oracle)
    assert relative_error([y], [x]) > 1e-3, "ASAM must differ from SAM here"


@pytest.mark.parametrize("kind", ["flat", "tree"])
def test_sam_norms_are_per_run(kind):
    """Three runs stacked along a leading axis step exactly as three separate runs (one norm each)."""
    xs, problem = start(kind, runs=(3,))
    sam = gd.SAM(gd.Adam(lr=0.05), rho=0.2, adaptive=True)
    x, state = xs, sam.init(xs)
    singles = [tree.tree_map(lambda p, r=r: p[r], xs) for r in range(3)]
    single_states = [sam.init(s) for s in singles]
    for _ in range(10):
        oracle = Oracle(problem, run_ndim=1)
        x, state = sam.step(x, oracle.grad(x), state, oracle=oracle)
        assert oracle.ngev == 2, "one call evaluates all the runs at once"
        for r in range(3):
            o = Oracle(problem, run_ndim=0)
            singles[r], single_states[r] = sam.step(singles[r], o.grad(singles[r]), single_states[r], oracle=o)
    for r in range(3):
        assert relative_error([tree.tree_map(lambda p, r=r: p[r], x)], [singles[r]]) <= 1e-14


def test_sam_with_zero_gradient_takes_the_base_step():
    problem = FlatLeastSquares()
    x = np.linalg.lstsq(problem.X, problem.y, rcond=None)[0]
    oracle = Oracle(problem)
    g = np.zeros_like(x)
    sam = gd.SAM(gd.SGD(lr=0.1), rho=0.5)
    x_new, _ = sam.step(x, g, sam.init(x), oracle=oracle)
    assert np.all(np.isfinite(x_new))
    np.testing.assert_allclose(x_new, x - 0.1 * problem.grad(x), rtol=0, atol=1e-15)


# --- per-layer and per-run trust ratios -----------------------------------------------------------


def test_lars_has_one_trust_ratio_per_layer():
    """With μ = 0 each layer moves by η c ‖w_layer‖ (its own norm), whatever the size of its gradient."""
    x = {"W": np.full((2, 3), 2.0), "b": np.array([3.0, 4.0])}
    g = {"W": np.full((2, 3), 1e-4), "b": np.array([100.0, -7.0])}
    opt = gd.LARS(lr=0.5, momentum=0.0, trust_coefficient=0.1)
    x_new, _ = opt.step(x, g, opt.init(x))
    for name, size in [("W", np.sqrt(24.0)), ("b", 5.0)]:
        assert np.linalg.norm(x_new[name] - x[name]) == pytest.approx(0.5 * 0.1 * size, rel=1e-14)


@pytest.mark.parametrize("name", ["LARS", "LAMB"])
@pytest.mark.parametrize("kind", ["flat", "tree"])
def test_layerwise_norms_are_per_run(name, kind):
    xs, problem = start(kind, runs=(3,))
    xs = tree.tree_map(lambda p: p + 0.1, xs)
    opt = getattr(gd, name)(lr=0.5, weight_decay=0.01)
    run_ndim = 1
    x, state = xs, opt.init(xs)
    singles = [tree.tree_map(lambda p, r=r: p[r], xs) for r in range(3)]
    single_states = [opt.init(s) for s in singles]
    for _ in range(10):
        x, state = opt.step(x, problem.grad(x), state, oracle=Oracle(problem, run_ndim=run_ndim))
        for r in range(3):
            singles[r], single_states[r] = opt.step(
                singles[r], problem.grad(singles[r]), single_states[r], oracle=Oracle(problem, run_ndim=0)
            )
    for r in range(3):
        assert relative_error([tree.tree_map(lambda p, r=r: p[r], x)], [singles[r]]) <= 1e-14


def test_flat_convention_without_an_oracle():
    """Without an oracle a plain (runs, d) array has one norm per row, a tree no run axes."""
    xs, problem = start("flat", runs=(3,))
    opt = gd.LAMB(lr=0.5)
    a, _ = opt.step(xs, problem.grad(xs), opt.init(xs))
    b, _ = opt.step(xs, problem.grad(xs), opt.init(xs), oracle=Oracle(problem, run_ndim=1))
    assert np.array_equal(a, b)


# --- purity, dtypes, errors -----------------------------------------------------------------------


def _all_optimizers():
    return [
        gd.LARS(lr=0.5, weight_decay=0.01, trust_coefficient=0.01),
        gd.LARS(lr=0.5, nesterov=True),
        gd.LAMB(lr=0.05, weight_decay=0.01),
        gd.Lion(lr=0.01),
        gd.SAM(gd.SGD(lr=0.05, momentum=0.9)),
        gd.SAM(gd.Adam(lr=0.05), adaptive=True),
    ]


def _step(opt, x, state, problem):
    oracle = Oracle(problem)
    if opt.uses_oracle:
        return opt.step(x, oracle.grad(x), state, oracle=oracle)
    return opt.step(x, problem.grad(x), state)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("opt", _all_optimizers(), ids=repr)
def test_step_is_pure(opt, kind):
    x, problem = start(kind)
    state = opt.init(x)
    for _ in range(3):
        x, state = _step(opt, x, state, problem)
    x_before, state_before = copy.deepcopy(x), copy.deepcopy(state)
    g = problem.grad(x)
    g_before = copy.deepcopy(g)
    oracle = Oracle(problem)
    if opt.uses_oracle:
        opt.step(x, g, state, oracle=oracle)
    else:
        opt.step(x, g, state)
    assert relative_error([x, g], [x_before, g_before]) == 0.0
    assert repr(state) == repr(state_before)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("opt", _all_optimizers(), ids=repr)
def test_float32_stays_float32(opt, kind):
    x, problem = start(kind, dtype=np.float32)
    state = opt.init(x)
    for _ in range(3):
        x, state = _step(opt, x, state, problem)
    assert all(leaf.dtype == np.float32 for leaf in tree.leaves(x))
    assert all(
        leaf.dtype == np.float32 for part in state[1:] for leaf in tree.leaves(part) if isinstance(leaf, np.ndarray)
    )


BAD = [
    (lambda: gd.LARS(lr=-1.0), ValueError, r"lr must be in \[0, inf\)"),
    (lambda: gd.LARS(momentum=-0.1), ValueError, r"momentum must be in \[0, inf\)"),
    (lambda: gd.LARS(weight_decay=-1.0), ValueError, r"weight_decay must be in \[0, inf\)"),
    (lambda: gd.LARS(trust_coefficient=-1.0), ValueError, r"trust_coefficient must be in \[0, inf\)"),
    (lambda: gd.LARS(eps=float("nan")), ValueError, r"eps must be in \[0, inf\)"),
    (lambda: gd.LARS(weight_decay_mask="b"), TypeError, r"weight_decay_mask must be True, False, a tree"),
    (lambda: gd.LARS(trust_ratio_mask=0.5), TypeError, r"trust_ratio_mask must be True, False, a tree"),
    (lambda: gd.LAMB(betas=(1.0, 0.9)), ValueError, r"betas\[0\] \(beta1\) must be in \[0, 1\)"),
    (lambda: gd.LAMB(eps=-1e-6), ValueError, r"eps must be in \[0, inf\)"),
    (lambda: gd.LAMB(betas=0.9), ValueError, r"betas must be a pair"),
    (lambda: gd.Lion(betas=(0.9, 1.0)), ValueError, r"betas\[1\] \(beta2\) must be in \[0, 1\)"),
    (lambda: gd.Lion(weight_decay=-1e-3), ValueError, r"weight_decay must be in \[0, inf\)"),
    (lambda: gd.Lion(lr="fast"), TypeError, r"lr must be a number"),
    (lambda: gd.SAM("sgd"), TypeError, r"base must be a gdlib optimizer"),
    (lambda: gd.SAM(), TypeError, r"base must be a gdlib optimizer"),
    (lambda: gd.SAM(gd.SGD(), rho=-0.05), ValueError, r"rho must be in \[0, inf\)"),
    (lambda: gd.SAM(gd.SGD(), rho=float("nan")), ValueError, r"rho must be in \[0, inf\)"),
    (lambda: gd.SAM(gd.SGD(), rho=[0.1, 0.2]), TypeError, r"rho must be a number"),
    (lambda: gd.SAM(gd.SGD(), adaptive="yes"), TypeError, r"adaptive must be True or False"),
    (lambda: gd.SAM(gd.SGD(), eta=-0.01), ValueError, r"eta must be in \[0, inf\)"),
]


@pytest.mark.parametrize("make, error, match", BAD, ids=[m for _, _, m in BAD])
def test_bad_hyperparameters_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_steps_are_named():
    x, problem = start("tree")
    g = problem.grad(x)
    lars = gd.LARS(weight_decay_mask={"W": True})
    with pytest.raises(ValueError, match="weight_decay_mask must have the structure of the parameters"):
        lars.step(x, g, lars.init(x))
    lars = gd.LARS(trust_ratio_mask={"W": True, "b": 1})
    with pytest.raises(TypeError, match="trust_ratio_mask must hold one True/False per parameter array"):
        lars.step(x, g, lars.init(x))
    lamb = gd.LAMB()
    with pytest.raises(TypeError, match=r"state must be of type LAMBState, made by LAMB.init\(x\)"):
        lamb.step(x, g, gd.Lion().init(x))
    with pytest.raises(ValueError, match="x and g must have the same shape"):
        lamb.step(x, {"W": g["W"], "b": np.zeros(3)}, lamb.init(x))
    with pytest.raises(ValueError, match="the trees must have the same structure"):
        gd.Lion().step(x, {"W": g["W"]}, gd.Lion().init(x))
    sam = gd.SAM(gd.SGD(lr=0.1))
    with pytest.raises(ValueError, match="SAM needs the oracle"):
        sam.step(x, g, sam.init(x))


SWEEPS = {
    "LARS": dict(
        lr=[0.5, 1.0, 2.0],
        momentum=[0.0, 0.5, 0.9],
        trust_coefficient=[0.01, 0.02, 0.05],
        weight_decay=[0.0, 0.01, 0.1],
        eps=[0.0, 1e-3, 1e-2],
    ),
    "LAMB": dict(lr=[0.01, 0.05, 0.1], betas=([0.8, 0.9, 0.95], [0.9, 0.99, 0.999]), weight_decay=[0, 0.01, 0.1]),
    "Lion": dict(lr=[0.01, 0.02, 0.05], betas=([0.8, 0.9, 0.95], [0.9, 0.99, 0.999]), weight_decay=[0, 0.1, 1]),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", SWEEPS)
def test_array_hyperparameters_run_independent_runs(name, dtype):
    """Hyperparameters of shape (n_runs, 1) on θ of shape (n_runs, d): each row is its own scalar run, and
    float32 stays float32."""
    sweep = SWEEPS[name]
    column = lambda values: np.array(values, dtype=float)[:, None]  # noqa: E731
    opt = getattr(gd, name)(**{k: tuple(map(column, v)) if k == "betas" else column(v) for k, v in sweep.items()})
    xs, problem = start("flat", runs=(3,), dtype=dtype)
    x, state = xs, opt.init(xs)
    for _ in range(20):
        x, state = opt.step(x, problem.grad(x), state)
    assert x.dtype == dtype
    for r in range(3):
        single = getattr(gd, name)(
            **{k: tuple(float(b[r]) for b in v) if k == "betas" else v[r] for k, v in sweep.items()}
        )
        y = path(single, xs[r], problem.grad, 20)[-1]
        assert relative_error([x[r]], [y]) <= (1e-13 if dtype == np.float64 else 1e-5)
