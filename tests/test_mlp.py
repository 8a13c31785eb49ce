"""gd.problems.MLP: loss, backpropagation and the R-operator Hessian-vector product against torch.autograd
(float64), finite differences, the properties of batch normalisation, run axes, dtypes and bad input."""

import numpy as np
import pytest

import gdlib as gd
from conftest import require
from gdlib.problems.mlp import MLP

RNG = np.random.default_rng(1234)
X = RNG.standard_normal((24, 5))
Y_BINARY = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
Y_MULTI = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])  # three classes 0, 1, 2
Y_REG1 = np.sin(X[:, 0]) + 0.1 * X[:, 1]
Y_REG2 = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1)
BATCH = np.array([3, 17, 5, 0, 11, 22, 8, 9, 14])

# (widths, activation, loss, targets, normalization, l2, idx, n_runs)
CASES = {
    "1 hidden tanh binary": ((7,), "tanh", "cross_entropy", Y_BINARY, None, 0.0, None, None),
    "2 hidden relu binary batch": ((6, 4), "relu", "cross_entropy", Y_BINARY, None, 0.0, BATCH, None),
    "1 hidden sigmoid softmax": ((6,), "sigmoid", "cross_entropy", Y_MULTI, None, 0.0, None, None),
    "2 hidden linear squared 2 out": ((4, 3), "linear", "squared", Y_REG2, None, 0.0, None, None),
    "1 hidden tanh squared l2 runs": ((5,), "tanh", "squared", Y_REG1, None, 0.1, None, 3),
    "2 hidden tanh softmax bn batch": ((5, 4), "tanh", "cross_entropy", Y_MULTI, "batch", 0.0, BATCH, None),
    "1 hidden relu binary bn l2": ((6,), "relu", "cross_entropy", Y_BINARY, "batch", 0.05, None, None),
    "2 hidden sigmoid squared bn runs": ((4, 3), "sigmoid", "squared", Y_REG2, "batch", 0.02, BATCH, 2),
    "2 hidden linear softmax l2 runs": ((3, 4), "linear", "cross_entropy", Y_MULTI, None, 0.1, BATCH, 2),
    "no hidden layer binary": ((), "linear", "cross_entropy", Y_BINARY, None, 0.0, None, None),
}


def make(case, eps=1e-5):
    widths, activation, loss, y, normalization, l2, idx, n_runs = CASES[case]
    p = MLP(X, y, widths=widths, activation=activation, loss=loss, normalization=normalization, l2=l2, eps=eps)
    theta = p.init(seed=7, scale=0.8, n_runs=n_runs)
    theta = {k: v + 0.3 * RNG.standard_normal(v.shape) for k, v in theta.items()}  # non-zero biases too
    v = {k: RNG.standard_normal(s) for k, s in p.shapes.items()}
    if n_runs is not None:
        v = {k: RNG.standard_normal((n_runs, *s)) for k, s in p.shapes.items()}
    return p, theta, v, idx, n_runs


def run_slices(theta, n_runs):
    """Each run's parameters: [θ] for a single run."""
    if n_runs is None:
        return [theta]
    return [run_of(theta, r) for r in range(n_runs)]


def run_of(theta, r):
    """Run r of a dict of arrays with a leading run axis."""
    return {k: a[r] for k, a in theta.items()}


def rel(ours, reference):
    """max |ours − reference| over every parameter of every leaf, relative to max |reference|."""
    a, b = gd.tree.ravel(ours, 0)[0], gd.tree.ravel(reference, 0)[0]
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# --- the oracle: torch.autograd on the network written from the formulas with torch.nn.functional ---


def torch_loss(torch, p, params, X_B, y_B):
    """L(θ) in torch for one run: ``params`` a dict of tensors; F.linear, F.batch_norm and torch's losses."""
    F = torch.nn.functional
    act = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}[p.activation]
    a = X_B
    for layer in range(1, len(p.widths) + 1):
        z = F.linear(a, params[f"W{layer}"], params[f"b{layer}"])
        if p.normalization == "batch":
            z = F.batch_norm(z, None, None, training=True, eps=p.eps)
        a = act(z)
    last = len(p.widths) + 1
    out = F.linear(a, params[f"W{last}"], params[f"b{last}"])
    if p.loss == "squared":
        loss = F.mse_loss(out, y_B.reshape(out.shape), reduction="sum") / (2 * out.shape[0])
    elif p.classes == 2:
        loss = F.binary_cross_entropy_with_logits(out[:, 0], y_B)
    else:
        loss = F.cross_entropy(out, y_B.long())
    return loss + p.l2 / 2 * sum((params[f"W{layer}"] ** 2).sum() for layer in range(1, last + 1))


def torch_reference(torch, p, theta, v, idx):
    """(L, ∇L, ∇²L·v) from torch.autograd for a single run."""
    keys = list(p.shapes)
    rows = slice(None) if idx is None else idx
    X_B = torch.tensor(X[rows], dtype=torch.float64)
    y_B = torch.tensor(np.asarray(p.y, dtype=float)[rows], dtype=torch.float64)

    def loss_of(*tensors):
        return torch_loss(torch, p, dict(zip(keys, tensors, strict=True)), X_B, y_B)

    inputs = tuple(torch.tensor(theta[k], dtype=torch.float64, requires_grad=True) for k in keys)
    value = loss_of(*inputs)
    grads = torch.autograd.grad(value, inputs)
    _, hv = torch.autograd.functional.hvp(
        loss_of, tuple(t.detach() for t in inputs), tuple(torch.tensor(v[k], dtype=torch.float64) for k in keys)
    )

    def as_dict(tensors):
        return {k: t.detach().numpy() for k, t in zip(keys, tensors, strict=True)}

    return value.item(), as_dict(grads), as_dict(hv)


@pytest.mark.parametrize("case", CASES)
def test_value_gradient_and_hvp_equal_torch_autograd(case):
    torch = require("torch")
    p, theta, v, idx, n_runs = make(case)
    f, g = p.value_and_grad(theta, idx)
    hv = p.hvp(theta, v, idx)
    assert np.shape(f) == (() if n_runs is None else (n_runs,))
    for r, (theta_r, v_r) in enumerate(zip(run_slices(theta, n_runs), run_slices(v, n_runs), strict=True)):
        f_t, g_t, hv_t = torch_reference(torch, p, theta_r, v_r, idx)
        f_r, g_r, hv_r = (f, g, hv) if n_runs is None else (f[r], run_of(g, r), run_of(hv, r))
        assert abs(f_r - f_t) <= 1e-12 * abs(f_t)
        assert rel(g_r, g_t) <= 1e-10
        assert rel(hv_r, hv_t) <= 1e-10
    # f and grad alone agree with value_and_grad
    np.testing.assert_array_equal(p.f(theta, idx), f)
    assert rel(p.grad(theta, idx), g) == 0.0


def test_binary_and_softmax_losses_use_the_classes_they_were_given():
    p2 = MLP(X, Y_BINARY, widths=(3,))
    p3 = MLP(X, Y_MULTI, widths=(3,))
    assert (p2.out, p2.classes, p3.out, p3.classes) == (1, 2, 3, 3)
    assert MLP(X, Y_BINARY, widths=(3,), classes=4).out == 4


def test_no_hidden_layer_is_linear_and_logistic_regression():
    """With widths=() and b = 0 the MLP is the book's LinearRegression / LogisticRegression."""
    theta_flat = RNG.standard_normal(5)
    for loss, y, reference in (
        ("squared", Y_REG1, gd.LinearRegression(X, Y_REG1, l2=0.3)),
        ("cross_entropy", Y_BINARY, gd.LogisticRegression(X, Y_BINARY, l2=0.3)),
    ):
        p = MLP(X, y, widths=(), activation="linear", loss=loss, l2=0.3)
        theta = {"W1": theta_flat[None, :], "b1": np.zeros(1)}
        assert abs(p.f(theta) - reference.f(theta_flat)) <= 1e-13
        np.testing.assert_allclose(p.grad(theta)["W1"][0], reference.grad(theta_flat), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(
            p.hvp(theta, {"W1": theta_flat[None, :], "b1": np.zeros(1)})["W1"][0],
            reference.hess(theta_flat) @ theta_flat,
            rtol=1e-12,
            atol=1e-14,
        )


# --- torch-free checks: finite differences and symmetry ---


@pytest.mark.parametrize(
    "case",
    [
        "1 hidden tanh binary",
        "2 hidden tanh softmax bn batch",
        "1 hidden sigmoid softmax",
        "2 hidden linear squared 2 out",
    ],
)
def test_gradient_and_hvp_match_finite_differences(case):
    p, theta, v, idx, _ = make(case)
    flat, unravel = gd.tree.ravel(theta, 0)

    def f_flat(x):
        return p.f(unravel(x), idx)

    def g_flat(x):
        return gd.tree.ravel(p.grad(unravel(x), idx), 0)[0]

    assert gd.check_grad(f_flat, g_flat, flat) < 1e-7
    v_flat = gd.tree.ravel(v, 0)[0]
    h = 1e-5
    fd = (g_flat(flat + h * v_flat) - g_flat(flat - h * v_flat)) / (2 * h)
    exact = gd.tree.ravel(p.hvp(theta, v, idx), 0)[0]
    assert np.max(np.abs(fd - exact)) <= 1e-6 * np.max(np.abs(exact))


@pytest.mark.parametrize(
    "case", ["2 hidden relu binary batch", "2 hidden tanh softmax bn batch", "2 hidden sigmoid squared bn runs"]
)
def test_hvp_is_symmetric(case):
    p, theta, v, idx, n_runs = make(case)
    u = {k: RNG.standard_normal(a.shape) for k, a in v.items()}
    nd = 0 if n_runs is None else 1
    left = gd.tree.vdot(u, p.hvp(theta, v, idx), nd)
    right = gd.tree.vdot(v, p.hvp(theta, u, idx), nd)
    np.testing.assert_allclose(left, right, rtol=1e-11)


# --- batch normalisation ---


@pytest.mark.parametrize("eps, tol", [(0.0, 1e-13), (1e-5, 1e-3)])
def test_batch_norm_makes_the_loss_invariant_to_the_scale_of_the_weights_before_it(eps, tol):
    """Exact with ε = 0; with ε > 0 only while ε is small beside the variance of the units."""
    p = MLP(X, Y_MULTI, widths=(5, 4), normalization="batch", eps=eps)
    theta = p.init(seed=3)
    g = p.grad(theta)
    for key in ("W1", "W2"):
        for c in (0.25, 3.7):
            scaled = dict(theta, **{key: c * theta[key]})
            assert abs(p.f(scaled) - p.f(theta)) <= tol * p.f(theta)
            # L(cW) = L(W) gives ∇L(cW) = ∇L(W)/c and ⟨∇_W L, W⟩ = 0
            np.testing.assert_allclose(c * p.grad(scaled)[key], g[key], rtol=0, atol=tol * np.abs(g[key]).max())
        assert abs(np.sum(g[key] * theta[key])) <= tol * np.abs(g[key]).max() * np.abs(theta[key]).max()
    # the output layer is not normalised: its scale matters
    assert abs(p.f(dict(theta, W3=2 * theta["W3"])) - p.f(theta)) > 1e-3


def test_batch_norm_makes_the_mean_of_batch_gradients_differ_from_the_full_gradient():
    batches = np.arange(24).reshape(4, 6)
    for normalization, differs in ((None, False), ("batch", True)):
        p = MLP(X, Y_BINARY, widths=(6,), normalization=normalization)
        theta = p.init(seed=5)
        mean_of_batches = gd.tree.tree_map(lambda *gs: np.mean(gs, axis=0), *(p.grad(theta, b) for b in batches))
        gap = rel(mean_of_batches, p.grad(theta))
        assert (gap > 1e-2) if differs else (gap < 1e-13), (normalization, gap)


def test_per_example_gradients_average_to_the_batch_gradient():
    p, theta, _, idx, n_runs = make("2 hidden linear softmax l2 runs")
    per = p.per_example_grads(theta, idx)
    for k, shape in p.shapes.items():
        assert per[k].shape == (n_runs, len(idx), *shape)
    assert rel({k: a.mean(axis=1) for k, a in per.items()}, p.grad(theta, idx)) < 1e-13
    for j in (0, 4):  # each is the gradient of its example alone
        assert rel({k: a[:, j] for k, a in per.items()}, p.grad(theta, idx[j : j + 1])) < 1e-13
    bn = MLP(X, Y_BINARY, widths=(3,), normalization="batch")
    assert p.has("per_example_grads") and not bn.has("per_example_grads") and bn.has("hvp")
    with pytest.raises(ValueError, match="undefined with batch normalisation"):
        bn.per_example_grads(bn.init(), idx)


# --- run axes, dtypes, the oracle, structure ---


def test_run_axes_equal_single_runs_and_ravel_round_trips():
    p, theta, v, idx, n_runs = make("2 hidden sigmoid squared bn runs")
    f, g, hv = p.f(theta, idx), p.grad(theta, idx), p.hvp(theta, v, idx)
    for r, (theta_r, v_r) in enumerate(zip(run_slices(theta, n_runs), run_slices(v, n_runs), strict=True)):
        assert abs(f[r] - p.f(theta_r, idx)) <= 1e-14
        assert rel(run_of(g, r), p.grad(theta_r, idx)) < 1e-13
        assert rel(run_of(hv, r), p.hvp(theta_r, v_r, idx)) < 1e-13
    # v without run axes is the same direction for every run
    shared = run_of(v, 0)
    assert rel(run_of(p.hvp(theta, shared, idx), 1), p.hvp(run_of(theta, 1), shared, idx)) < 1e-13
    assert gd.tree.run_ndim_of(theta, p.shapes) == 1
    flat, unravel = gd.tree.ravel(theta, 1)
    assert flat.shape == (n_runs, p.d)
    assert all(np.array_equal(unravel(flat)[k], theta[k]) for k in theta)


@pytest.mark.parametrize(
    "case", ["1 hidden tanh binary", "2 hidden tanh softmax bn batch", "1 hidden tanh squared l2 runs"]
)
def test_float32_stays_float32(case):
    p, theta, v, idx, _ = make(case)
    theta32, v32 = gd.tree.astype(theta, np.float32), gd.tree.astype(v, np.float32)
    f, g = p.value_and_grad(theta32, idx)
    hv = p.hvp(theta32, v32, idx)
    assert np.asarray(f).dtype == np.float32
    assert all(a.dtype == np.float32 for a in gd.tree.leaves(g) + gd.tree.leaves(hv))
    assert p.output(theta32).dtype == np.float32
    np.testing.assert_allclose(f, p.f(theta, idx), rtol=1e-5)
    assert rel(g, p.grad(theta, idx)) < 1e-4 and rel(hv, p.hvp(theta, v, idx)) < 1e-4
    if not p.normalization:
        assert all(a.dtype == np.float32 for a in gd.tree.leaves(p.per_example_grads(theta32, idx)))
    assert p.init(dtype=np.float32)["W1"].dtype == np.float32


def test_oracle_caches_the_gradient_and_counts():
    p, theta, v, idx, _ = make("2 hidden relu binary batch")
    oracle = gd.Oracle(p, idx=idx)
    g = oracle.grad(theta)
    f, g_again = oracle.value_and_grad(theta)
    oracle.hvp(theta, v)
    assert g_again is g and (oracle.nfev, oracle.ngev, oracle.nhev) == (1, 1, 1)
    assert f == p.f(theta, idx)


def test_init_scales_follow_glorot_and_he():
    p = MLP(np.ones((3, 400)), [0, 1, 0], widths=(300,))
    glorot, he = p.init(seed=1, scale="glorot")["W1"], p.init(seed=1, scale="he")["W1"]
    bound = np.sqrt(6 / (400 + 300))
    assert np.abs(glorot).max() <= bound and abs(glorot.var() / (bound**2 / 3) - 1) < 0.02
    assert abs(he.std() / np.sqrt(2 / 400) - 1) < 0.02
    assert not np.any(p.init(seed=1)["b1"]) and np.array_equal(p.init(seed=1)["W1"], glorot)
    runs = p.init(seed=2, n_runs=2)["W1"]
    assert runs.shape == (2, 300, 400) and not np.allclose(runs[0], runs[1])
    assert np.array_equal(
        MLP(np.ones((3, 4)), [0, 1, 0], widths=(3,), activation="relu").init(seed=4)["W1"],
        MLP(np.ones((3, 4)), [0, 1, 0], widths=(3,)).init(seed=4, scale="he")["W1"],
    )


def test_shapes_repr_predict_accuracy_and_cost():
    assert gd.MLP is gd.problems.MLP is MLP and "MLP" in gd.__all__ and "MLP" in gd.problems.__all__
    data = gd.load_breast_cancer().standardized()
    p = MLP(data.X, data.y, widths=(32,))
    assert repr(p) == "MLP(n=569, d_in=30, widths=(32,), out=1, tanh, cross_entropy, d=1025)"
    assert p.shapes == {"W1": (32, 30), "b1": (32,), "W2": (1, 32), "b2": (1,)} and p.d == 30 * 32 + 32 + 32 + 1
    deep = MLP(X, Y_MULTI, widths=[4, 4], activation="relu", normalization="batch", l2=0.01)
    assert deep.d == (5 * 4 + 4) + (4 * 4 + 4) + (4 * 3 + 3)
    assert repr(deep) == "MLP(n=24, d_in=5, widths=(4, 4), out=3, relu, cross_entropy, batch norm, l2=0.01, d=59)"
    theta = p.init(seed=0)
    out = p.output(theta)
    assert np.array_equal(p.predict(theta), (out[:, 0] > 0).astype(int))
    assert p.accuracy(theta) == np.mean(p.predict(theta) == data.y)
    assert p.accuracy(theta, data.X[:10], data.y[:10]) == np.mean(p.predict(theta)[:10] == data.y[:10])
    multi = MLP(X, Y_MULTI, widths=(4,))
    assert np.array_equal(multi.predict(multi.init()), multi.output(multi.init()).argmax(-1))
    # the documented count, by hand for B = 10: forward 4·10 + (2·10·30·32 + 320 + 320) + (2·10·32 + 10)
    assert p.cost(10, "forward") == 40 + 19200 + 640 + 650
    assert p.cost(10, "backward") == 10 + (19200 + 320) + (640 + 10 + 640 + 640)
    assert p.cost(10) == p.cost(10, "forward") + p.cost(10, "backward")


# --- bad input ---

GOOD = {"X": X, "y": Y_BINARY}
BAD_CONSTRUCTOR = [
    ({"widths": (4, 0)}, ValueError, r"widths\[1\] must be in \[1, inf\)"),
    ({"widths": (2.5,)}, ValueError, r"widths\[0\] must be an integer"),
    ({"widths": "32"}, TypeError, "widths must be a tuple"),
    ({"activation": "softsign"}, ValueError, "activation must be one of 'tanh', 'relu'"),
    ({"loss": "hinge"}, ValueError, "loss must be one of 'cross_entropy', 'squared'"),
    ({"normalization": "layer"}, ValueError, "normalization must be one of None, 'batch'"),
    ({"normalization": "batch", "widths": ()}, ValueError, "needs at least one hidden layer"),
    ({"l2": -0.1}, ValueError, r"l2 must be in \[0, inf\)"),
    ({"eps": -1.0}, ValueError, r"eps must be in \[0, inf\)"),
    ({"y": Y_MULTI}, None, None),
    ({"y": Y_MULTI, "classes": 2}, ValueError, r"labels in \[0, 1\] for classes=2"),
    ({"y": Y_BINARY - 1}, ValueError, "integer class labels"),
    ({"y": Y_BINARY + 0.5}, ValueError, "integer class labels"),
    ({"y": Y_BINARY[:-1]}, ValueError, "vector of 24 integer labels"),
    ({"y": Y_REG1, "loss": "squared", "classes": 3}, ValueError, "classes is for loss='cross_entropy'"),
    ({"y": Y_REG1[:5], "loss": "squared"}, ValueError, r"y must have shape \(24,\) or \(24, out\)"),
    ({"X": X[0]}, ValueError, r"X must be a matrix of shape \(n, d_in\)"),
    ({"X": [["a", "b"]]}, TypeError, "X must be a matrix of numbers"),
    ({"X": np.where(X > 2.5, np.nan, X)}, ValueError, "X must hold finite numbers"),
    ({"y": np.full(24, np.inf), "loss": "squared"}, ValueError, "y must hold finite numbers"),
]


@pytest.mark.parametrize("kwargs, error, match", BAD_CONSTRUCTOR)
def test_bad_constructor_arguments(kwargs, error, match):
    if error is None:
        MLP(**{**GOOD, **kwargs})
        return
    with pytest.raises(error, match=match):
        MLP(**{**GOOD, **kwargs})


P = MLP(X, Y_BINARY, widths=(3,))
P_BN = MLP(X, Y_BINARY, widths=(3,), normalization="batch")
THETA = P.init()
BAD_CALLS = [
    (lambda: P.f(np.zeros(P.d)), TypeError, "theta must be a dict of arrays with keys W1, b1, W2, b2"),
    (lambda: P.f({"W1": THETA["W1"]}), ValueError, "theta must have the keys W1, b1, W2, b2"),
    (lambda: P.f(dict(THETA, W1=THETA["W1"].T)), ValueError, r"theta\['W1'\] must have shape \(\*runs, 3, 5\)"),
    (lambda: P.f(dict(THETA, b1=np.zeros((2, 3)))), ValueError, r"theta\['b1'\] .* same run axes \(\)"),
    (lambda: P.grad(THETA, [0, 24]), ValueError, r"idx must be .* in \[0, 23\]"),
    (lambda: P.grad(THETA, [-1]), ValueError, r"idx must be .* in \[0, 23\]"),
    (lambda: P.grad(THETA, []), ValueError, "non-empty"),
    (lambda: P.grad(THETA, [0.5, 1.0]), ValueError, "integer example indices"),
    (lambda: P_BN.grad(THETA, [4]), ValueError, "at least 2 examples"),
    (lambda: P.hvp(THETA, {"W1": 1.0}), ValueError, "v must have the keys"),
    (lambda: P.hvp(THETA, P.init(n_runs=2)), ValueError, r"v must have θ's run axes \(\) or none"),
    (lambda: P.init(scale="lecun"), ValueError, "scale must be one of 'glorot', 'he'"),
    (lambda: P.init(scale=-1.0), ValueError, r"scale must be in \[0, inf\)"),
    (lambda: P.init(n_runs=0), ValueError, r"n_runs must be in \[1, inf\)"),
    (lambda: P.init(dtype=np.int32), ValueError, "dtype must be float16, float32 or float64"),
    (lambda: P.predict(THETA, X[:, :3]), ValueError, r"X must have shape \(m, 5\)"),
    (lambda: P.accuracy(THETA, X), ValueError, "pass both X and y"),
    (lambda: MLP(X, Y_REG1, loss="squared").accuracy(THETA), ValueError, "accuracy is for loss='cross_entropy'"),
    (lambda: P.cost(0), ValueError, r"batch_size must be in \[1, inf\)"),
    (lambda: P.cost(8, "both"), ValueError, "part must be one of"),
]


@pytest.mark.parametrize("call, error, match", BAD_CALLS)
def test_bad_calls(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_steps_do_not_modify_their_inputs():
    p, theta, v, idx, _ = make("2 hidden tanh softmax bn batch")
    before = {k: a.copy() for k, a in theta.items()}, {k: a.copy() for k, a in v.items()}, p.X.copy()
    p.value_and_grad(theta, idx), p.hvp(theta, v, idx), p.predict(theta)
    assert all(np.array_equal(theta[k], before[0][k]) and np.array_equal(v[k], before[1][k]) for k in theta)
    assert np.array_equal(p.X, before[2])
