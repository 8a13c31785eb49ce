"""The wrapper optimizers: gradient accumulation equals the large batch; Accumulate, Lookahead and EMA against
optax (MultiSteps, lookahead, ema; each such test asks for optax) and against closed forms written here;
trees, run axes, the oracle passed through, purity, dtypes and clear errors."""

import copy

import numpy as np
import pytest

import gdlib as gd
from conftest import require
from gdlib import tree
from gdlib.oracle import Oracle
from test_optimizers_optax import FlatLeastSquares, TreeLeastSquares, moved, relative_error, start, to_jax, to_numpy


@pytest.fixture
def jax_x64():
    """jax and optax with 64-bit floats, for this test only."""
    jax, optax = require("jax"), require("optax")
    with jax.enable_x64(True):
        yield jax, optax


# --- accumulation -----------------------------------------------------------------------------------

INNERS = {
    "SGD momentum": lambda: gd.SGD(lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda: gd.Adam(lr=0.05, weight_decay=0.01),
}


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("inner", INNERS)
def test_k_micro_batches_equal_one_large_batch(kind, inner):
    """The loss is a mean over 24 examples; 4 micro-batches of 6 accumulated give the steps of the full
    batch (shuffled differently in every step), to round-off."""
    x0, problem = start(kind)
    k, steps = 4, 60
    acc, big = gd.Accumulate(INNERS[inner](), k=k), INNERS[inner]()
    x, state = x0, acc.init(x0)
    y, big_state = x0, gd.optimizers.tree_init(big, x0)
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(steps):
        for j, idx in enumerate(np.split(rng.permutation(problem.n), k)):
            x_before = x
            x, state = acc.step(x, problem.grad(x, idx), state)
            if j < k - 1:
                assert relative_error([x], [x_before]) == 0.0, "x must not move between the k gradients"
        y, big_state = gd.optimizers.tree_step(big, y, problem.grad(y), big_state)
        worst = max(worst, relative_error([x], [y]))
    assert moved([x0, y]) > 0.1
    assert worst <= 1e-12
    assert state.t == k * steps and state.inner_state.t == steps


def test_accumulate_with_k_1_is_the_inner_optimizer():
    x0, problem = start("flat")
    acc, adam = gd.Accumulate(gd.Adam(lr=0.05), k=1), gd.Adam(lr=0.05)
    x, s, y, t = x0, acc.init(x0), x0, adam.init(x0)
    for _ in range(20):
        x, s = acc.step(x, problem.grad(x), s)
        y, t = adam.step(y, problem.grad(y), t)
    assert np.array_equal(x, y)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("inner", ["sgd", "adam"])
def test_accumulate_matches_optax_multisteps(jax_x64, kind, inner):
    jax, optax = jax_x64
    k = 3
    if inner == "sgd":
        ours, theirs = gd.SGD(lr=0.1, momentum=0.9), optax.sgd(0.1, momentum=0.9)
    else:
        ours, theirs = gd.Adam(lr=0.05, betas=(0.9, 0.99)), optax.adam(0.05, b1=0.9, b2=0.99)
    acc = gd.Accumulate(ours, k=k)
    multi = optax.MultiSteps(theirs, every_k_schedule=k, accumulator_dtype=jax.numpy.float64)
    x0, problem = start(kind)
    x, state, p = x0, acc.init(x0), to_jax(jax, x0)
    s = multi.init(p)
    update = jax.jit(multi.update)  # MultiSteps branches with lax.cond: compile it once, not at every call
    rng = np.random.default_rng(4)
    mine, other = [x0], [x0]
    for _ in range(90):
        idx = rng.choice(problem.n, size=5, replace=False)
        x, state = acc.step(x, problem.grad(x, idx), state)
        updates, s = update(to_jax(jax, problem.grad(to_numpy(jax, p), idx)), s, p)
        p = optax.apply_updates(p, updates)
        mine.append(x)
        other.append(to_numpy(jax, p))
    assert moved(other) > 0.1
    assert relative_error(mine, other) <= 1e-10


# --- lookahead --------------------------------------------------------------------------------------


def test_lookahead_closed_form():
    """Gradient descent on L = ½θ² multiplies θ by (1 − η) per fast step, so each slow step multiplies φ
    by 1 + α((1 − η)^k − 1), and the fast weights restart at φ."""
    eta, k, alpha = 0.2, 4, 0.3
    opt = gd.Lookahead(gd.GradientDescent(lr=eta), k=k, alpha=alpha)
    x = np.array([2.0, -1.0])
    x0, state = x.copy(), opt.init(x)
    for j in range(1, 11):
        for i in range(1, k + 1):
            x, state = opt.step(x, x, state)
            if i < k:
                np.testing.assert_allclose(x, (1 - eta) ** i * state.slow, rtol=1e-14)
        slow = (1 + alpha * ((1 - eta) ** k - 1)) ** j * x0
        np.testing.assert_allclose(state.slow, slow, rtol=1e-13)
        assert np.array_equal(x, state.slow)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("case", ["sgd k=5", "adam k=3 reset"])
def test_lookahead_matches_optax(jax_x64, kind, case):
    jax, optax = jax_x64
    if case == "sgd k=5":
        ours = gd.Lookahead(gd.SGD(lr=0.1, momentum=0.9), k=5, alpha=0.5)
        theirs = optax.lookahead(optax.sgd(0.1, momentum=0.9), sync_period=5, slow_step_size=0.5)
    else:
        ours = gd.Lookahead(gd.Adam(lr=0.05), k=3, alpha=0.8, reset_state=True)
        theirs = optax.lookahead(optax.adam(0.05), sync_period=3, slow_step_size=0.8, reset_state=True)
    x0, problem = start(kind)
    x, state = x0, ours.init(x0)
    p = optax.LookaheadParams.init_synced(to_jax(jax, x0))
    s = theirs.init(p)
    fast, slow, their_fast, their_slow = [], [], [], []
    for _ in range(60):
        x, state = ours.step(x, problem.grad(x), state)
        updates, s = theirs.update(to_jax(jax, problem.grad(to_numpy(jax, p.fast))), s, p)
        p = optax.apply_updates(p, updates)
        fast.append(x), slow.append(state.slow)
        their_fast.append(to_numpy(jax, p.fast)), their_slow.append(to_numpy(jax, p.slow))
    assert moved([x0, their_slow[-1]]) > 0.1
    assert relative_error(fast, their_fast) <= 1e-10
    assert relative_error(slow, their_slow) <= 1e-10


# --- EMA of the weights -----------------------------------------------------------------------------


@pytest.mark.parametrize("debias", [True, False])
def test_ema_is_the_weighted_sum_of_the_iterates(debias):
    """θ̄_t = Σ_s (1 − β) β^{t−s} θ_s, divided by 1 − β^t when debiased: the sum written out."""
    beta = 0.8
    x0, problem = start("flat")
    opt = gd.EMA(gd.SGD(lr=0.1, momentum=0.5), decay=beta, debias=debias)
    x, state, iterates = x0, opt.init(x0), []
    for t in range(1, 41):
        x, state = opt.step(x, problem.grad(x), state)
        iterates.append(x)
        want = sum((1 - beta) * beta ** (t - s) * theta for s, theta in enumerate(iterates, start=1))
        if debias:
            want = want / (1 - beta**t)
        np.testing.assert_allclose(state.average, want, rtol=1e-13, atol=1e-15)
    assert not np.allclose(state.average, x, atol=1e-3), "the average lags the iterate"


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("debias", [True, False])
def test_ema_matches_optax_ema_of_the_iterates(jax_x64, kind, debias):
    jax, optax = jax_x64
    x0, problem = start(kind)
    opt = gd.EMA(gd.Adam(lr=0.05), decay=0.9, debias=debias)
    theirs = optax.ema(0.9, debias=debias, accumulator_dtype=jax.numpy.float64)
    x, state = x0, opt.init(x0)
    s = theirs.init(to_jax(jax, x0))
    mine, other = [], []
    for _ in range(60):
        x, state = opt.step(x, problem.grad(x), state)
        average, s = theirs.update(to_jax(jax, x), s)
        mine.append(state.average), other.append(to_numpy(jax, average))
    assert relative_error(mine, other) <= 1e-12


def test_ema_leaves_the_iterates_alone():
    x0, problem = start("tree")
    ema, adam = gd.EMA(gd.Adam(lr=0.05), decay=0.99), gd.Adam(lr=0.05)
    x, s = x0, ema.init(x0)
    y, t = x0, gd.optimizers.tree_init(adam, x0)
    for _ in range(10):
        x, s = ema.step(x, problem.grad(x), s)
        y, t = gd.optimizers.tree_step(adam, y, problem.grad(y), t)
    assert relative_error([x], [y]) == 0.0


# --- shared properties --------------------------------------------------------------------------------


def _wrappers():
    return [
        gd.Accumulate(gd.SGD(lr=0.1, momentum=0.9), k=2),
        gd.Accumulate(gd.LAMB(lr=0.05), k=3),
        gd.Lookahead(gd.Adam(lr=0.05), k=2),
        gd.Lookahead(gd.Lion(lr=0.01), k=3, reset_state=True),
        gd.EMA(gd.RMSprop(lr=0.01), decay=0.9),
        gd.EMA(gd.SAM(gd.SGD(lr=0.1)), decay=0.5),
    ]


def _step(opt, x, state, problem, run_ndim=None):
    oracle = Oracle(problem, run_ndim=run_ndim)
    return gd.optimizers.tree_step(opt, x, oracle.grad(x), state, oracle)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("opt", _wrappers(), ids=repr)
def test_step_is_pure(opt, kind):
    x, problem = start(kind)
    state = opt.init(x)
    for _ in range(4):
        x, state = _step(opt, x, state, problem)
    x_before, state_before = copy.deepcopy(x), copy.deepcopy(state)
    g = problem.grad(x)
    g_before = copy.deepcopy(g)
    for _ in range(3):  # every phase of the cycle
        gd.optimizers.tree_step(opt, x, g, state, Oracle(problem))
        assert relative_error([x, g], [x_before, g_before]) == 0.0
        assert repr(state) == repr(state_before)
        x, state = gd.optimizers.tree_step(opt, x, g, state, Oracle(problem))
        x_before, state_before = copy.deepcopy(x), copy.deepcopy(state)


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("opt", _wrappers(), ids=repr)
def test_float32_stays_float32(opt, kind):
    x, problem = start(kind, dtype=np.float32)
    state = opt.init(x)
    for _ in range(6):
        x, state = _step(opt, x, state, problem)
    assert all(leaf.dtype == np.float32 for leaf in tree.leaves(x))
    parts = [getattr(state, name) for name in ("mean_grad", "slow", "average") if hasattr(state, name)]
    assert all(leaf.dtype == np.float32 for leaf in tree.leaves(parts))


@pytest.mark.parametrize("kind", ["flat", "tree"])
@pytest.mark.parametrize("opt", _wrappers(), ids=repr)
def test_runs_step_as_separate_runs(opt, kind):
    xs, problem = start(kind, runs=(3,))
    x, state = xs, opt.init(xs)
    singles = [tree.tree_map(lambda p, r=r: p[r], xs) for r in range(3)]
    single_states = [opt.init(s) for s in singles]
    for _ in range(6):
        x, state = _step(opt, x, state, problem, run_ndim=1)
        for r in range(3):
            singles[r], single_states[r] = _step(opt, singles[r], single_states[r], problem, run_ndim=0)
    for r in range(3):
        assert relative_error([tree.tree_map(lambda p, r=r: p[r], x)], [singles[r]]) <= 1e-14


def test_the_oracle_is_passed_to_the_inner_optimizer():
    x, problem = start("flat")
    for opt in [
        gd.Lookahead(gd.SAM(gd.SGD(lr=0.1))),
        gd.EMA(gd.SAM(gd.SGD(lr=0.1))),
        gd.Accumulate(gd.SAM(gd.SGD(lr=0.1)), k=1),
    ]:
        assert opt.uses_oracle
        oracle = Oracle(problem)
        gd.optimizers.tree_step(opt, x, oracle.grad(x), opt.init(x), oracle)
        assert oracle.ngev == 2
    assert not gd.EMA(gd.SGD()).uses_oracle


def test_learning_rate_is_the_inner_one():
    def schedule(t):
        return 0.1 / (1 + t)

    assert gd.Lookahead(gd.SGD(lr=schedule)).lr_at(3) == schedule(3)
    assert gd.EMA(gd.SGD(lr=schedule)).lr_at(3) == schedule(3)
    assert gd.Accumulate(gd.SGD(lr=schedule), k=4).lr_at(9) == schedule(2)
    assert gd.SAM(gd.Adam(lr=schedule)).lr_at(5) == schedule(5)


BAD = [
    (lambda: gd.Accumulate(None, k=2), TypeError, r"inner must be a gdlib optimizer"),
    (lambda: gd.Accumulate(gd.SGD(), k=0), ValueError, r"k must be in \[1, inf\)"),
    (lambda: gd.Accumulate(gd.SGD(), k=1.5), ValueError, r"k must be an integer in \[1, inf\)"),
    (lambda: gd.Accumulate(gd.SGD(), k="4"), TypeError, r"k must be an integer"),
    (lambda: gd.Lookahead("adam"), TypeError, r"inner must be a gdlib optimizer"),
    (lambda: gd.Lookahead(gd.SGD(), k=0), ValueError, r"k must be in \[1, inf\)"),
    (lambda: gd.Lookahead(gd.SGD(), alpha=1.5), ValueError, r"alpha must be in \[0, 1\]"),
    (lambda: gd.Lookahead(gd.SGD(), alpha=float("nan")), ValueError, r"alpha must be in \[0, 1\]"),
    (lambda: gd.Lookahead(gd.SGD(), reset_state="no"), TypeError, r"reset_state must be True or False"),
    (lambda: gd.EMA(gd.SGD(), decay=1.0), ValueError, r"decay must be in \[0, 1\)"),
    (lambda: gd.EMA(gd.SGD(), decay=-0.1), ValueError, r"decay must be in \[0, 1\)"),
    (lambda: gd.EMA(gd.SGD(), decay=[0.9, 0.99]), TypeError, r"decay must be a number"),
    (lambda: gd.EMA(gd.SGD(), debias=1), TypeError, r"debias must be True or False"),
]


@pytest.mark.parametrize("make, error, match", BAD, ids=[m for _, _, m in BAD])
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_steps_are_named():
    x, problem = start("tree")
    acc = gd.Accumulate(gd.SGD(lr=0.1), k=2)
    with pytest.raises(TypeError, match=r"state must be of type AccumulateState, made by Accumulate.init\(x\)"):
        acc.step(x, problem.grad(x), gd.EMA(gd.SGD()).init(x))
    with pytest.raises(ValueError, match="x and g must have the same shape"):
        acc.step(x, {"W": np.zeros((3, 3)), "b": np.zeros(2)}, acc.init(x))


def test_repr_names_the_inner_optimizer():
    assert repr(gd.Accumulate(gd.SGD(lr=0.1), k=4)) == "Accumulate(inner=SGD(lr=0.1), k=4)"
    assert repr(gd.Lookahead(gd.Adam(lr=0.01))) == "Lookahead(inner=Adam(lr=0.01))"
    assert repr(gd.SAM(gd.SGD(lr=0.1), rho=0.1)) == "SAM(base=SGD(lr=0.1), rho=0.1)"


def test_problems_here_are_mean_losses():
    """The accumulation test relies on it: the full-batch gradient is the mean of the micro-batch ones."""
    for problem, x in [(FlatLeastSquares(), start("flat")[0]), (TreeLeastSquares(), start("tree")[0])]:
        parts = [problem.grad(x, idx) for idx in np.split(np.arange(problem.n), 4)]
        mean = tree.tree_map(lambda *leaves: sum(leaves) / 4, *parts)
        assert relative_error([mean], [problem.grad(x)]) <= 1e-14
