"""The problems and data sets of gdlib 0.2: matrix factorisation, deep linear network, the Lessard–Recht–Packard
counterexample, Nesterov's worst case, sparse features, the noise-scale set and the digits.

Oracles: torch autograd (values, gradients, Hessian-vector products), finite differences, numpy linear algebra
for every closed form, and published values (the heavy-ball 3-cycle of Lessard et al. App. B, Nesterov's
lower bounds, Saxe et al.'s exact learning curve, the UCI class counts of the digits).
"""

import hashlib
from functools import reduce

import numpy as np
import pytest

import gdlib as gd
from conftest import require
from gdlib.problems import data as data_module

RNG = np.random.default_rng(20240611)


# --- helpers: finite differences over a tuple of matrices ---


def fd_grad(f, theta, h=1e-6):
    """Central differences of f at every entry of every matrix of θ (one run)."""
    out = []
    for i, leaf in enumerate(theta):
        g = np.zeros_like(leaf)
        for j in np.ndindex(leaf.shape):
            plus, minus = [t.copy() for t in theta], [t.copy() for t in theta]
            plus[i][j] += h
            minus[i][j] -= h
            g[j] = (f(tuple(plus)) - f(tuple(minus))) / (2 * h)
        out.append(g)
    return out


def fd_hvp(grad, theta, v, h=1e-5):
    plus = grad(tuple(t + h * s for t, s in zip(theta, v, strict=True)))
    minus = grad(tuple(t - h * s for t, s in zip(theta, v, strict=True)))
    return [(a - b) / (2 * h) for a, b in zip(plus, minus, strict=True)]


def max_rel(a, b):
    """max |a − b| / max(1, |b|) over all leaves."""
    return max(
        float(np.max(np.abs(np.asarray(x) - np.asarray(y)) / np.maximum(1.0, np.abs(np.asarray(y)))))
        for x, y in zip(a, b, strict=True)
    )


def random_like(problem, runs=()):
    return tuple(RNG.standard_normal(runs + tuple(s)) for s in problem.shapes)


MF_CASES = [
    dict(M=(7, 5), rank=2, observed=0.6, seed=3),
    dict(M=(6, 9), rank=3, observed=0.4, noise=0.1, seed=4, l2=0.05),
    dict(M=gd.make_low_rank(4, 4, 2, observed=1.0, seed=5), rank=5, l2=0.2),  # over-parameterised, fully observed
]
DL_CASES = [
    dict(depth=1, width=3),
    dict(depth=2, width=3, target=RNG.standard_normal((4, 5))),  # width < rank: truncated minimum
    dict(depth=3, width=4),
    dict(depth=4, width=2, singular_values=[3.0, 1.0, 0.3]),
]


def mf(case):
    return gd.MatrixFactorization(**case)


def dl(case):
    return gd.DeepLinear(**case)


# --- MatrixFactorization and DeepLinear against torch autograd and finite differences ---


def torch_mf_loss(torch, p, idx=None):
    """L(U, V) written from the formula: the mean over the chosen observed entries, plus the penalty."""
    rows, cols = torch.tensor(p.rows), torch.tensor(p.cols)
    if idx is not None:
        rows, cols = rows[torch.tensor(idx)], cols[torch.tensor(idx)]
    M = torch.tensor(p.M)

    def loss(U, V):
        residual = (U[rows] * V[cols]).sum(dim=1) - M[rows, cols]
        return 0.5 * (residual**2).mean() + 0.5 * p.l2 * ((U**2).sum() + (V**2).sum())

    return loss


def torch_dl_loss(torch, p):
    M = torch.tensor(p.M)

    def loss(*W):
        product = reduce(lambda acc, W_l: W_l @ acc, W[1:], W[0])
        return 0.5 * ((product - M) ** 2).sum()

    return loss


TORCH_CASES = [(i, False) for i in range(len(MF_CASES) + len(DL_CASES))] + [
    (i, True) for i in range(len(MF_CASES))
]  # mini-batches of entries: MF only


@pytest.mark.parametrize("case, batch", TORCH_CASES)
def test_value_gradient_and_hvp_match_torch_autograd(case, batch):
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    if case < len(MF_CASES):
        p = mf(MF_CASES[case])
        idx = RNG.integers(0, p.n, 7) if batch else None  # with repeats, as sampling with replacement does
        loss = torch_mf_loss(torch, p, idx)
    else:
        p, idx = dl(DL_CASES[case - len(MF_CASES)]), None
        loss = torch_dl_loss(torch, p)
    theta, v = random_like(p), random_like(p)
    args = () if idx is None else (idx,)
    t_theta = tuple(torch.tensor(a, requires_grad=True) for a in theta)
    value = loss(*t_theta)
    grads = torch.autograd.grad(value, t_theta)
    _, hv = torch.autograd.functional.hvp(
        loss, tuple(torch.tensor(a) for a in theta), tuple(torch.tensor(a) for a in v)
    )
    assert abs(float(p.f(theta, *args)) - value.item()) <= 1e-12 * max(1.0, abs(value.item()))
    assert max_rel(p.grad(theta, *args), [g.numpy() for g in grads]) <= 1e-10
    assert max_rel(p.hvp(theta, v, *args), [h.numpy() for h in hv]) <= 1e-10
    f_vg, g_vg = p.value_and_grad(theta, *args)
    assert float(f_vg) == float(p.f(theta, *args)) and max_rel(g_vg, p.grad(theta, *args)) == 0


@pytest.mark.parametrize("problem", [mf(c) for c in MF_CASES] + [dl(c) for c in DL_CASES], ids=repr)
def test_gradient_and_hvp_match_finite_differences(problem):
    theta, v = random_like(problem), random_like(problem)
    assert max_rel(problem.grad(theta), fd_grad(problem.f, theta)) < 1e-6
    assert max_rel(problem.hvp(theta, v), fd_hvp(problem.grad, theta, v)) < 1e-6
    u = random_like(problem)  # the Hessian is symmetric: ⟨u, Hv⟩ = ⟨v, Hu⟩
    assert np.isclose(gd.tree.vdot(u, problem.hvp(theta, v)), gd.tree.vdot(v, problem.hvp(theta, u)), rtol=1e-10)


@pytest.mark.parametrize("problem", [mf(MF_CASES[1]), dl(DL_CASES[2])], ids=repr)
def test_run_axes_and_float32(problem):
    theta, v = random_like(problem, runs=(3,)), random_like(problem)
    f, g, hv = problem.f(theta), problem.grad(theta), problem.hvp(theta, v)
    assert f.shape == (3,) and gd.tree.run_ndim_of(g, problem.shapes) == 1
    for r in range(3):
        one = tuple(leaf[r] for leaf in theta)
        assert np.isclose(f[r], problem.f(one), rtol=1e-13)
        assert max_rel([leaf[r] for leaf in g], problem.grad(one)) < 1e-13
        assert max_rel([leaf[r] for leaf in hv], problem.hvp(one, v)) < 1e-13
    low = tuple(leaf.astype(np.float32) for leaf in theta)
    assert problem.f(low).dtype == np.float32
    assert all(leaf.dtype == np.float32 for leaf in problem.grad(low) + problem.hvp(low, v))
    assert max_rel(problem.grad(low), g) < 1e-3
    init = problem.init(seed=1, scale=0.1, n_runs=4, dtype=np.float32)
    assert all(
        leaf.shape == (4,) + tuple(s) and leaf.dtype == np.float32 for leaf, s in zip(init, problem.shapes, strict=True)
    )
    before = [leaf.copy() for leaf in theta]
    problem.hvp(theta, v)
    assert all(np.array_equal(a, b) for a, b in zip(before, theta, strict=True))  # inputs are never modified


# --- MatrixFactorization ---


def test_low_rank_generator_and_minimiser():
    M, mask = gd.make_low_rank(40, 30, rank=3, observed=0.3, seed=7)
    again = gd.make_low_rank(40, 30, rank=3, observed=0.3, seed=7)
    assert np.array_equal(M, again[0]) and np.array_equal(mask, again[1])
    assert np.linalg.matrix_rank(M) == 3
    assert abs(mask.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / mask.size)  # binomial: 4 standard errors
    second_moments = [np.mean(gd.make_low_rank(10, 8, rank=3, seed=s)[0] ** 2) for s in range(300)]
    assert abs(np.mean(second_moments) - 1) < 0.05  # entries of variance 1
    p = gd.MatrixFactorization((40, 30), rank=3, observed=0.3, seed=7)
    assert np.array_equal(p.M[p.mask], M[mask]) and p.n == mask.sum() and p.shapes == ((40, 3), (30, 3))
    assert p.f_star == 0.0 and float(p.f(p.x_star)) < 1e-28
    assert gd.tree.norm(p.grad(p.x_star)) < 1e-14
    U, V = p.x_star
    np.testing.assert_allclose(U @ V.T, M, atol=1e-12)  # the generating factors
    assert gd.MatrixFactorization((40, 30), rank=3, noise=0.1, seed=7).x_star is None


def test_matrix_forms_and_mini_batches_of_entries():
    M, mask = gd.make_low_rank(6, 5, rank=2, observed=0.5, seed=2)
    with_nan = np.where(mask, M, np.nan)
    a, b = gd.MatrixFactorization((M, mask), 2), gd.MatrixFactorization(M, 2, mask=mask)
    c = gd.MatrixFactorization(with_nan, 2)  # NaN marks a missing entry
    theta = random_like(a)
    assert a.f(theta) == b.f(theta) == c.f(theta)
    # each observed entry is one example: the mean over single-entry batches is the full loss and gradient
    fs = [a.f(theta, [k]) for k in range(a.n)]
    gs = [a.grad(theta, [k]) for k in range(a.n)]
    assert np.isclose(np.mean(fs), a.f(theta), rtol=1e-13)
    assert max_rel([np.mean([g[i] for g in gs], axis=0) for i in range(2)], a.grad(theta)) < 1e-13
    k = 3
    i, j = a.rows[k], a.cols[k]
    assert np.isclose(a.f(theta, [k]), 0.5 * (theta[0][i] @ theta[1][j] - M[i, j]) ** 2)


def test_gradient_descent_completes_the_matrix_from_a_small_start():
    # benign non-convexity in practice: from small random starts plain GD reaches a global minimum (f* = 0)
    p = gd.MatrixFactorization((20, 15), rank=2, observed=0.5, seed=1)
    theta = p.init(seed=0, scale=1e-2, n_runs=5)
    for _ in range(3000):
        g = p.grad(theta)
        theta = tuple(t - 2.0 * s for t, s in zip(theta, g, strict=True))
    assert np.all(p.f(theta) < 1e-12)
    U, V = theta  # and recovers the unobserved entries too
    assert np.max(np.abs(U @ np.swapaxes(V, -1, -2) - p.x_star[0] @ p.x_star[1].T)) < 1e-3


# --- DeepLinear ---


@pytest.mark.parametrize("case", DL_CASES, ids=str)
def test_deep_linear_minimum_is_eckart_young(case):
    p = dl(case)
    s = np.linalg.svd(p.M, compute_uv=False)
    w = len(s) if p.depth == 1 else min(p.width, len(s))
    assert np.isclose(p.f_star, 0.5 * np.sum(s[w:] ** 2), atol=1e-15)
    assert np.isclose(p.f(p.x_star), p.f_star, atol=1e-12) and gd.tree.norm(p.grad(p.x_star)) < 1e-10
    product = reduce(lambda acc, W: W @ acc, p.x_star[1:], p.x_star[0])
    best = np.linalg.svd(p.M)[0][:, :w] @ np.diag(s[:w]) @ np.linalg.svd(p.M)[2][:w]
    np.testing.assert_allclose(product, best, atol=1e-10)  # the best rank-w approximation
    theta = p.init(seed=2, scale=0.5)  # GD from a random start gets there
    for _ in range(4000):
        theta = tuple(t - 0.02 * g for t, g in zip(theta, p.grad(theta), strict=True))
    assert p.f_star - 1e-12 <= p.f(theta) < p.f_star + 1e-6


def test_deep_linear_follows_saxe_exact_learning_curve():
    # depth 2, M = diag(s), balanced start W1 = W2 = √u0·I: every mode obeys du/dt = 2u(s − u), solved by
    # u(t) = s e^{2st} / (e^{2st} − 1 + s/u0) (Saxe, McClelland & Ganguli 2014); GD with step η is its Euler method
    s, u0 = np.array([4.0, 2.0, 1.0, 0.5]), 1e-3
    p = gd.DeepLinear(2, 4, target=np.diag(s))
    errors = []
    for eta, steps in ((2e-3, 6000), (1e-3, 12000)):
        W, worst = (np.sqrt(u0) * np.eye(4), np.sqrt(u0) * np.eye(4)), 0.0
        for t in range(steps + 1):
            if t % 50 == 0:
                e = np.exp(2 * s * eta * t)
                worst = max(worst, np.max(np.abs(np.diag(W[1] @ W[0]) - s * e / (e - 1 + s / u0)) / s))
            W = tuple(w - eta * g for w, g in zip(W, p.grad(W), strict=True))
        errors.append(worst)
    assert errors[1] < 0.01  # within 1 % of each mode's strength s
    assert 1.6 < errors[0] / errors[1] < 2.4  # first-order convergence to the exact solution


def test_deep_linear_small_start_plateaus_then_learns_modes_largest_first():
    p = gd.DeepLinear(3, 4)
    theta, losses, learned = p.init(seed=0, scale=0.05), [], {}
    for t in range(3000):
        losses.append(float(p.f(theta)))
        product = reduce(lambda acc, W: W @ acc, theta[1:], theta[0])
        strengths = np.linalg.svd(product, compute_uv=False)
        for i, s in enumerate(p.singular_values):
            if i not in learned and strengths[i] > s / 2:
                learned[i] = t
        theta = tuple(w - 0.02 * g for w, g in zip(theta, p.grad(theta), strict=True))
    half = 0.5 * np.sum(p.singular_values**2)
    assert losses[0] > 0.99 * half and losses[100] > 0.99 * half  # the plateau
    assert losses[-1] < 1e-3 * half  # then it learns
    assert sorted(learned) == [0, 1, 2, 3] and learned[0] < learned[1] < learned[2] < learned[3]


# --- Lessard, Recht & Packard (2016) ---


def heavy_ball_direct(grad, x0, alpha, beta, steps):
    """x_{t+1} = x_t − α∇f(x_t) + β(x_t − x_{t−1}), x_{−1} = x_0: the method as the paper writes it."""
    xs, prev, x = [x0], x0, x0
    for _ in range(steps):
        prev, x = x, x - alpha * grad(x) + beta * (x - prev)
        xs.append(x)
    return np.array(xs)


def run_optimizer(opt, grad, x0, steps):
    x, state, xs = np.asarray(x0, dtype=float), opt.init(np.asarray(x0, dtype=float)), [x0]
    for _ in range(steps):
        x, state = opt.step(x, grad(x), state)
        xs.append(x)
    return np.array(xs)


def test_lessard_function_is_the_papers_and_smooth_strongly_convex():
    p = gd.LessardRechtPackard()

    def g_paper(x):  # eq. (4.11) of the paper, written independently
        return 25 * x if x < 1 else (x + 24 if x < 2 else 25 * x - 24)

    xs = np.linspace(-3, 5, 801)
    np.testing.assert_array_equal(p.grad(xs[:, None])[:, 0], [g_paper(x) for x in xs])
    np.testing.assert_allclose(gd.numerical_grad(p.f, xs[:, None] + 1e-3), p.grad(xs[:, None] + 1e-3), atol=1e-6)
    for kink in (1.0, 2.0):  # L is continuous with a continuous gradient at the kinks
        assert abs(p.f([kink - 1e-12]) - p.f([kink])) < 1e-9 and abs(p.grad([kink - 1e-12]) - p.grad([kink])) < 1e-9
    a, b = RNG.uniform(-5, 6, (2, 10_000))
    slopes = (p.grad(a[:, None]) - p.grad(b[:, None]))[:, 0] / (a - b)
    assert slopes.min() >= p.mu - 1e-9 and slopes.max() <= p.L + 1e-9  # μ = 1 and L = 25 ...
    assert slopes.min() < 1.01 and slopes.max() > 24.99  # ... and both are tight
    assert np.all(np.isin(p.hess(xs[:, None])[:, 0, 0], [1.0, 25.0])) and p.f(p.x_star) == p.f_star == 0.0
    three = gd.LessardRechtPackard(d=3)
    assert np.isclose(three.f([0.5, 1.5, 3.0]), sum(p.f([x]) for x in (0.5, 1.5, 3.0)))
    np.testing.assert_allclose(three.hvp([0.5, 1.5, 3.0], [1.0, 1.0, 1.0]), [25.0, 1.0, 25.0])
    low = np.array([[0.5, 1.5, 3.0]], dtype=np.float32)
    assert three.f(low).dtype == three.grad(low).dtype == three.hess(low).dtype == np.float32


def test_heavy_ball_cycles_on_lessard_but_nesterov_converges():
    p = gd.LessardRechtPackard()
    alpha, beta = p.heavy_ball_lr, p.heavy_ball_momentum
    assert np.isclose(alpha, 1 / 9) and np.isclose(beta, 4 / 9)  # Proposition 1's tuning for L = 25, μ = 1
    # gd.SGD(lr=α, momentum=β) is the heavy ball with x_{−1} = x_0 (torch's first buffer is g_0 itself)
    hb = run_optimizer(gd.SGD(lr=alpha, momentum=beta), p.grad, [3.3], 3000)[:, 0]
    direct = heavy_ball_direct(lambda x: p.grad([x])[0], 3.3, alpha, beta, 3000)
    np.testing.assert_allclose(hb, direct, rtol=1e-12, atol=1e-12)
    # the iterates settle into the 3-cycle (B.3) of the paper's Appendix B, far from the minimiser 0
    tail = hb[-999:]
    assert np.min(np.abs(tail)) > 0.6
    cycle = np.array(p.cycle)
    offset = int(np.argmin(np.abs(cycle - tail[0])))
    np.testing.assert_allclose(tail, np.resize(np.roll(cycle, -offset), tail.size), atol=1e-9)
    # not a knife-edge: every start in [3.1, 3.45] (run side by side as 36 runs) ends on the same cycle
    starts = np.linspace(3.1, 3.45, 36)[:, None]
    many = run_optimizer(gd.SGD(lr=alpha, momentum=beta), p.grad, starts, 3000)[-3:, :, 0]
    np.testing.assert_allclose(np.sort(many, axis=0), np.sort(cycle)[:, None] + 0 * many, atol=1e-9)
    # on the quadratic L(x) = 25x²/2 of the same class the same tuning converges: the cycle is the nonlinearity's
    quad = run_optimizer(gd.SGD(lr=alpha, momentum=beta), lambda x: 25 * x, [3.3], 3000)[:, 0]
    assert abs(quad[-1]) < 1e-12
    # Nesterov's method (α = 1/L, β = (√κ − 1)/(√κ + 1)) converges, at least as fast as (1 − 1/√κ)^t in L
    kappa = p.L / p.mu
    nag = run_optimizer(
        gd.SGD(lr=1 / p.L, momentum=(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), nesterov=True), p.grad, [3.3], 300
    )
    assert abs(nag[-1, 0]) < 1e-12
    everywhere = run_optimizer(
        gd.SGD(lr=1 / p.L, momentum=(np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), nesterov=True),
        p.grad,
        np.linspace(-5, 10, 31)[:, None],
        300,
    )
    assert np.all(np.abs(everywhere[-1]) < 1e-12)
    bound = (1 - 1 / np.sqrt(kappa)) ** np.arange(301) * (p.f([3.3]) + p.mu / 2 * 3.3**2)
    assert np.all(p.f(nag) <= bound * 10)  # torch's form steps the look-ahead point: a constant factor


# --- Nesterov's worst case ---

NWC = [dict(d=7, L=1.0), dict(d=9, L=4.0, k=5), dict(d=8, L=10.0, mu=1.0), dict(d=10, L=3.0, mu=0.3, k=6)]


@pytest.mark.parametrize("case", NWC, ids=str)
def test_worst_case_closed_forms(case):
    p = gd.NesterovWorstCase(**case)
    np.testing.assert_allclose(p.eigenvalues, np.linalg.eigvalsh(p.A), atol=1e-13)
    assert p.mu - 1e-13 <= p.eigenvalues.min() and p.eigenvalues.max() <= p.L
    x_star = np.linalg.lstsq(p.A, p.b, rcond=None)[0]  # minimum-norm: zero beyond k
    np.testing.assert_allclose(p.x_star, x_star, atol=1e-13)
    assert np.isclose(p.f_star, p.f(x_star), atol=1e-14) and np.isclose(p.f_star, -0.5 * p.b @ x_star, atol=1e-14)
    theta = RNG.standard_normal((4, p.d))
    np.testing.assert_allclose(p.f(theta), 0.5 * np.einsum("ri,ij,rj->r", theta, p.A, theta) - theta @ p.b)
    assert gd.check_grad(p, None, theta) < 1e-8
    np.testing.assert_allclose(p.hess(theta), np.broadcast_to(p.A, (4, p.d, p.d)))
    low = theta.astype(np.float32)
    assert p.f(low).dtype == p.grad(low).dtype == p.hvp(low, theta[0]).dtype == np.float32
    for t in range(p.k + 1):  # the bound is the minimum over span{e_1, …, e_t}
        sub = np.linalg.solve(p.A[:t, :t], p.b[:t]) if t else np.zeros(0)
        best = p.f(np.concatenate([sub, np.zeros(p.d - t)])) - p.f_star
        assert np.isclose(p.lower_bound(t), best, atol=1e-14)
    if p.mu == 0:  # Nesterov (2004), §2.1.2: f* = (L/8)(−1 + 1/(k+1))
        assert np.isclose(p.f_star, p.L / 8 * (-1 + 1 / (p.k + 1)))
        assert p.x_star @ p.x_star <= (p.k + 1) / 3


KRYLOV = {
    "GD": lambda: gd.GradientDescent(lr=1.0),
    "heavy ball": lambda: gd.SGD(lr=0.8, momentum=0.6),
    "Nesterov": lambda: gd.SGD(lr=1.0, momentum=0.7, nesterov=True),
    "Adam": lambda: gd.Adam(lr=0.1),
    "AdaGrad": lambda: gd.Adagrad(lr=0.5),
}


@pytest.mark.parametrize("name", KRYLOV)
@pytest.mark.parametrize("mu", [0.0, 0.05])
def test_krylov_property_and_lower_bound(name, mu):
    p = gd.NesterovWorstCase(d=30, L=1.0, mu=mu)
    xs = run_optimizer(KRYLOV[name](), p.grad, np.zeros(p.d), 20)
    for t, x in enumerate(xs):
        assert np.all(x[t:] == 0) and (t == 0 or x[t - 1] != 0)  # one new coordinate per step
        assert p.f(x) - p.f_star >= p.lower_bound(t) - 1e-15


def test_nesterov_lower_bounds_as_published():
    # Theorem 2.1.7 (μ = 0, k = 2t + 1): f(x_t) − f* ≥ 3L‖x0 − x*‖²/(32(t+1)²),
    # and ‖x_t − x*‖² ≥ ‖x0 − x*‖²/8
    for t in (1, 5, 20):
        p = gd.NesterovWorstCase(d=2 * t + 1, L=2.0)
        assert p.lower_bound(t) >= 3 * p.L * (p.x_star @ p.x_star) / (32 * (t + 1) ** 2)
        x = run_optimizer(gd.SGD(lr=1 / p.L, momentum=0.9, nesterov=True), p.grad, np.zeros(p.d), t)[-1]
        assert np.sum((x - p.x_star) ** 2) >= (p.x_star @ p.x_star) / 8
    # Theorem 2.1.13 (μ > 0): x*_i = q^i in ℓ₂, and ‖x_t − x*‖² ≥ q^{2t}‖x0 − x*‖²
    p = gd.NesterovWorstCase(d=400, L=100.0, mu=1.0)
    q = (np.sqrt(100.0) - 1) / (np.sqrt(100.0) + 1)
    assert np.isclose(p.q, q)
    np.testing.assert_allclose(p.x_star[:200], q ** np.arange(1, 201), rtol=1e-12, atol=1e-300)
    xs = run_optimizer(
        gd.SGD(lr=1 / p.L, momentum=(np.sqrt(100) - 1) / (np.sqrt(100) + 1), nesterov=True), p.grad, np.zeros(p.d), 60
    )
    distances = np.sum((xs - p.x_star) ** 2, axis=1)
    assert np.all(distances >= (1 - 1e-9) * q ** (2 * np.arange(61)) * (p.x_star @ p.x_star))


# --- sparse features: AdaGrad's per-coordinate steps ---

LRS = np.geomspace(0.05, 16, 10)[:, None]  # one run per step size, all at once


def final_excess_loss(opt, problem, seed, steps=300, batch_size=16):
    rng, x = np.random.default_rng(seed), np.zeros((len(LRS), problem.d))
    state = opt.init(x)
    for _ in range(steps):
        x, state = opt.step(x, problem.grad(x, rng.integers(0, problem.n, batch_size)), state)
    return problem.f(x) - problem.f_star


def adagrad_norm_excess_loss(problem, seed, steps=300, batch_size=16):
    """AdaGrad with ONE accumulator for all coordinates: η/√(Σ_s ‖g_s‖²), the same steps but global."""
    rng, x, G = np.random.default_rng(seed), np.zeros((len(LRS), problem.d)), 0.0
    for _ in range(steps):
        g = problem.grad(x, rng.integers(0, problem.n, batch_size))
        G = G + np.sum(g * g, axis=-1, keepdims=True)
        x = x - LRS * g / np.sqrt(G)
    return problem.f(x) - problem.f_star


def test_sparse_features_generator():
    X, y, theta = gd.make_sparse_classification(n=20_000, d=6, frequencies=(0.5, 0.005), weights=(1.0, 3.0), seed=1)
    p = np.geomspace(0.5, 0.005, 6)
    assert set(np.unique(X)) <= {0.0, 1.0}
    assert np.all(np.abs(X.mean(axis=0) - p) < 4 * np.sqrt(p * (1 - p) / 20_000))
    np.testing.assert_allclose(np.abs(theta), np.linspace(1.0, 3.0, 6))
    z = X @ theta  # labels follow the logistic model: calibration within 2 %
    assert abs(y.mean() - np.mean(1 / (1 + np.exp(-z)))) < 0.02


def test_adagrad_beats_a_single_global_step_on_sparse_features():
    adagrad_vs_sgd, adagrad_vs_norm, control = [], [], []
    for seed in range(10):
        p = gd.LogisticRegression(*gd.make_sparse_classification(seed=seed)[:2], l2=1e-3)
        ada = final_excess_loss(gd.Adagrad(lr=LRS), p, seed).min()
        adagrad_vs_sgd.append(ada / final_excess_loss(gd.SGD(lr=LRS), p, seed).min())
        adagrad_vs_norm.append(ada / adagrad_norm_excess_loss(p, seed).min())
        same = gd.LogisticRegression(*gd.make_sparse_classification(frequencies=(0.05, 0.05), seed=seed)[:2], l2=1e-3)
        control.append(
            final_excess_loss(gd.Adagrad(lr=LRS), same, seed).min() / adagrad_norm_excess_loss(same, seed).min()
        )
    # each method with its best of the same 10 step sizes, same budget and batches; measured maxima 0.46 and 0.67
    assert max(adagrad_vs_sgd) < 0.6 and max(adagrad_vs_norm) < 0.75
    # with every feature equally frequent the per-coordinate steps buy nothing over one global adaptive step
    # (measured 0.93–1.05), so the advantage above is the sparsity's, not AdaGrad's decaying step size
    assert min(control) > 0.85


# --- the noise-scale set (McCandlish et al. 2018) ---


def simple_noise_scale(problem, theta):
    """B_simple = tr(Σ)/‖G‖², Σ the covariance of the per-example gradients over the n examples."""
    residual = 1 / (1 + np.exp(-(problem.X @ theta))) - problem.y
    per_example = residual[:, None] * problem.X + problem.l2 * theta
    G = per_example.mean(axis=0)
    return np.mean(np.sum((per_example - G) ** 2, axis=1)) / (G @ G), per_example, G


def minimum(problem):
    """L* by Newton's method with the Hessian Xᵀ diag(σ(1 − σ)) X / n + λI formed by one matrix product."""
    theta, g = np.zeros(problem.d), problem.grad(np.zeros(problem.d))
    for _ in range(30):
        s = 1 / (1 + np.exp(-(problem.X @ theta)))
        H = (problem.X.T * (s * (1 - s))) @ problem.X / problem.n + problem.l2 * np.eye(problem.d)
        theta = theta - np.linalg.solve(H, g)
        g = problem.grad(theta)
        if np.linalg.norm(g) < 1e-12:
            return float(problem.f(theta))
    raise AssertionError("Newton's method did not converge")


def gd_until(problem, fraction, f_star):
    """Full-batch GD with η = 1/L from 0 until L(θ) − L* ≤ fraction·(L(0) − L*)."""
    theta, start = np.zeros(problem.d), problem.f(np.zeros(problem.d)) - f_star
    while problem.f(theta) - f_star > fraction * start:
        theta = theta - problem.grad(theta) / problem.L
    return theta


def test_noise_scale_set_has_a_small_critical_batch_but_breast_cancer_does_not():
    X, y, _ = gd.make_noise_scale_classification(seed=0)
    assert X.shape == (50_000, 50) and abs(np.mean(y) - 0.5) < 0.05
    big = gd.LogisticRegression(X, y)  # label noise: not separable, a minimum without l2
    big_star = minimum(big)
    B_big, per_example, G = simple_noise_scale(big, gd_until(big, 0.1, big_star))
    assert 50 < B_big < big.n / 10  # measured ≈ 2,500 = n/20 at 10 % of the initial excess loss
    # tr(Σ) checked against its meaning: E‖G_B − G‖² = tr(Σ)/B for B draws with replacement
    rng = np.random.default_rng(0)
    spread = [np.sum((per_example[rng.integers(0, big.n, 64)].mean(axis=0) - G) ** 2) for _ in range(400)]
    trace = B_big * (G @ G)
    assert 0.85 < np.mean(spread) / (trace / 64) < 1.15
    cancer = gd.load_breast_cancer().standardized()
    small = gd.LogisticRegression(cancer.X, cancer.y, l2=1e-4)  # nearly separable: l2 keeps a minimum
    B_small, _, _ = simple_noise_scale(small, gd_until(small, 0.03, minimum(small)))
    B_later, _, _ = simple_noise_scale(big, gd_until(big, 0.03, big_star))
    assert B_small > small.n and B_later < big.n / 4  # measured ≈ 1,430 > 569 and ≈ 10,400 = n/5


# --- digits ---


def test_digits_checksum_shape_and_published_class_counts():
    raw = (data_module.DATA / "digits.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == gd.problems.CHECKSUMS["digits.csv"]
    digits = gd.load_digits()
    assert digits.X.shape == (1797, 64) and digits.target_name == "digit" and len(digits.feature_names) == 64
    # UCI optdigits.names, class distribution of the test set (optdigits.tes): 1,797 instances
    assert np.bincount(digits.y.astype(int)).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.array_equal(digits.X, np.round(digits.X)) and digits.X.min() == 0 and digits.X.max() == 16
    assert digits.feature_names[:2] == ("pixel_0_0", "pixel_0_1") and digits.feature_names[-1] == "pixel_7_7"


def test_a_modified_digits_file_is_refused(monkeypatch):
    monkeypatch.setitem(data_module.CHECKSUMS, "digits.csv", "0" * 64)
    with pytest.raises(RuntimeError, match="digits.csv: checksum"):
        gd.load_digits()


# --- bad input ---

MF_OK = gd.MatrixFactorization((5, 4), rank=2, observed=0.8, seed=0)
DL_OK = gd.DeepLinear(2, 3)

BAD = [
    (lambda: gd.MatrixFactorization((5, 4), rank=0), ValueError, r"rank must be in \[1, inf\)"),
    (lambda: gd.MatrixFactorization((5, 4), rank=1.5), ValueError, "rank must be an integer"),
    (lambda: gd.MatrixFactorization((5, 4), rank=2, l2=-1), ValueError, r"l2 must be in \[0, inf\)"),
    (lambda: gd.MatrixFactorization((5, 4), rank=5), ValueError, r"rank must be in \[1, 4\]"),
    (lambda: gd.MatrixFactorization((5, 4), rank=2, observed=0), ValueError, r"observed must be in \(0, 1\]"),
    (lambda: gd.MatrixFactorization((5, 4), rank=2, noise=-0.1), ValueError, r"noise must be in \[0, inf\)"),
    (lambda: gd.MatrixFactorization((5, 4), rank=2, mask=np.ones((5, 4))), ValueError, "mask is for a given matrix"),
    (lambda: gd.MatrixFactorization(np.ones(5), rank=2), ValueError, r"M must be a matrix of shape \(m, n\)"),
    (lambda: gd.MatrixFactorization("abc", rank=2), TypeError, "M must be a matrix of numbers"),
    (
        lambda: gd.MatrixFactorization(np.ones((3, 3)), 1, mask=np.ones((3, 2), bool)),
        ValueError,
        "mask must be a boolean",
    ),
    (lambda: gd.MatrixFactorization(np.ones((3, 3)), 1, mask=np.full((3, 3), 2)), ValueError, "mask must be a boolean"),
    (lambda: gd.MatrixFactorization(np.ones((3, 3)), 1, mask=np.zeros((3, 3), bool)), ValueError, "at least one"),
    (
        lambda: gd.MatrixFactorization(np.full((3, 3), np.inf), 1, mask=np.ones((3, 3), bool)),
        ValueError,
        "finite on its observed",
    ),
    (
        lambda: gd.MatrixFactorization((np.ones((3, 3)), np.ones((3, 3), bool)), 1, mask=np.ones((3, 3), bool)),
        ValueError,
        "either inside M",
    ),
    (lambda: MF_OK.f(np.ones(18)), TypeError, r"theta must be a tuple of 2 arrays of shapes \(\*runs, 5, 2\)"),
    (lambda: MF_OK.f((np.ones((5, 2)),)), ValueError, r"got 1 arrays"),
    (lambda: MF_OK.f((np.ones((5, 2)), np.ones((4, 3)))), ValueError, r"theta\[1\] must have shape \(\*runs, 4, 2\)"),
    (lambda: MF_OK.f((np.ones((2, 5, 2)), np.ones((3, 4, 2)))), ValueError, r"with the run axes \(2,\)"),
    (lambda: MF_OK.f(MF_OK.init(), [MF_OK.n]), ValueError, "idx must be a non-empty 1-D array"),
    (lambda: MF_OK.f(MF_OK.init(), []), ValueError, "idx must be a non-empty 1-D array"),
    (lambda: MF_OK.f(MF_OK.init(), [0.5]), ValueError, "idx must be a non-empty 1-D array"),
    (lambda: MF_OK.hvp(MF_OK.init(n_runs=2), MF_OK.init(n_runs=3)), ValueError, r"v must have θ's run axes \(2,\)"),
    (lambda: MF_OK.hvp(MF_OK.init(), (np.ones((5, 2)),)), ValueError, r"v must be a tuple of 2 arrays"),
    (lambda: MF_OK.init(scale=-1), ValueError, r"scale must be in \[0, inf\)"),
    (lambda: MF_OK.init(n_runs=0), ValueError, r"n_runs must be in \[1, inf\)"),
    (lambda: MF_OK.init(dtype=np.int32), ValueError, "dtype must be float16, float32 or float64"),
    (lambda: gd.make_low_rank(0, 4, 1), ValueError, r"m must be in \[1, inf\)"),
    (lambda: gd.make_low_rank(5, 4, 2, observed=1.5), ValueError, r"observed must be in \(0, 1\]"),
    (lambda: gd.DeepLinear(0, 3), ValueError, r"depth must be in \[1, inf\)"),
    (lambda: gd.DeepLinear(2, 0), ValueError, r"width must be in \[1, inf\)"),
    (lambda: gd.DeepLinear(2, 2.5), ValueError, "width must be an integer"),
    (lambda: gd.DeepLinear(2, 3, target=np.eye(2), singular_values=[1.0]), ValueError, "either target or"),
    (lambda: gd.DeepLinear(2, 3, singular_values=[1.0, -1.0]), ValueError, r"singular_values must be in \[0, inf\)"),
    (lambda: gd.DeepLinear(2, 3, singular_values=[]), ValueError, "singular_values must be a non-empty"),
    (lambda: gd.DeepLinear(2, 3, target=np.ones(3)), ValueError, r"target must be a finite matrix"),
    (lambda: gd.DeepLinear(2, 3, target=[[1.0, np.nan]]), ValueError, r"target must be a finite matrix"),
    (lambda: gd.DeepLinear(2, 3, target="x"), TypeError, "target must be a matrix of numbers"),
    (lambda: DL_OK.f(DL_OK.init(), [0]), ValueError, "idx must be None"),
    (
        lambda: DL_OK.grad((np.ones((3, 4)), np.ones((4, 4)))),
        ValueError,
        r"theta\[1\] must have shape \(\*runs, 4, 3\)",
    ),
    (lambda: DL_OK.f({"W1": 1}), TypeError, "theta must be a tuple of 2 arrays"),
    (lambda: gd.LessardRechtPackard(d=0), ValueError, r"d must be in \[1, inf\)"),
    (lambda: gd.LessardRechtPackard().f([1.0, 2.0]), ValueError, r"x must have shape \(\.\.\., 1\)"),
    (lambda: gd.LessardRechtPackard().hvp([1.0], [1.0], [0]), ValueError, "idx must be None"),
    (lambda: gd.NesterovWorstCase(0), ValueError, r"d must be in \[1, inf\)"),
    (lambda: gd.NesterovWorstCase(5, L=0), ValueError, r"L must be in \(0, inf\)"),
    (lambda: gd.NesterovWorstCase(5, L=1.0, mu=1.0), ValueError, r"mu must be in \[0, 1\)"),
    (lambda: gd.NesterovWorstCase(5, mu=-0.1), ValueError, r"mu must be in \[0, 1\)"),
    (lambda: gd.NesterovWorstCase(5, k=6), ValueError, r"k must be in \[1, 5\]"),
    (lambda: gd.NesterovWorstCase(5, k=0), ValueError, r"k must be in \[1, 5\]"),
    (lambda: gd.NesterovWorstCase(5).lower_bound(-1), ValueError, r"t must be in \[0, inf\)"),
    (lambda: gd.NesterovWorstCase(5).grad(np.ones(4)), ValueError, r"x must have shape \(\.\.\., 5\)"),
    (lambda: gd.make_sparse_classification(n=0), ValueError, r"n must be in \[1, inf\)"),
    (lambda: gd.make_sparse_classification(frequencies=(0.5,)), ValueError, "frequencies must be a pair"),
    (lambda: gd.make_sparse_classification(frequencies=(1.5, 0.1)), ValueError, r"frequencies\[0\] \(p_max\) must be"),
    (lambda: gd.make_sparse_classification(frequencies=(0.5, 0.0)), ValueError, r"frequencies\[1\] \(p_min\) must be"),
    (lambda: gd.make_sparse_classification(weights=1.0), ValueError, "weights must be a pair"),
    (lambda: gd.make_sparse_classification(weights=(-1.0, 1.0)), ValueError, r"weights\[0\] \(w_min\) must be"),
    (lambda: gd.make_noise_scale_classification(d=0), ValueError, r"d must be in \[1, inf\)"),
    (lambda: gd.make_noise_scale_classification(label_noise=0.5), ValueError, r"label_noise must be in \[0, 0.5\)"),
    (lambda: gd.make_noise_scale_classification(kappa=0.5), ValueError, r"kappa must be in \[1, inf\)"),
]


@pytest.mark.parametrize("call, error, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
