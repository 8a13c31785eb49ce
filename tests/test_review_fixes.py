"""Regression tests for the findings of docs/reviews/gdlib-0.2.md (the review's number in each test's name)."""

import numpy as np
import pytest

import gdlib as gd
from gdlib.precision import LossScaler

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


class WrongGradient(gd.Problem):
    """L = −½‖θ‖², with a 'gradient' (1, 1) that is not a descent direction: every Armijo trial fails."""

    d = 2

    def f(self, x):
        return -0.5 * np.sum(np.asarray(x) ** 2, -1)

    def grad(self, x):
        return np.ones_like(np.asarray(x, dtype=float))


# --- 1 (H): L-BFGS steps with the gradient it is handed ------------------------------------------------------


def test_1_lbfgs_uses_the_clipped_gradient():
    """The first L-BFGS step without a line search is θ₁ = θ₀ − min(1, 1/‖g‖₁)·η·g (torch's first step),
    with g the clipped gradient when run clips (torch's rule g·min(1, c/(‖g‖ + 1e-6)))."""
    rosen, x0, c = gd.Rosenbrock(), np.array([-1.2, 1.0]), 1e-3
    g = rosen.grad(x0)
    g_clipped = g * min(1.0, c / (np.linalg.norm(g) + 1e-6))
    expected = x0 - min(1.0, 1.0 / np.abs(g_clipped).sum()) * g_clipped
    clipped = gd.run(gd.LBFGS(), rosen, x0, steps=1, clip_norm=c)
    plain = gd.run(gd.LBFGS(), rosen, x0, steps=1)
    np.testing.assert_allclose(clipped.xs[1], expected, rtol=1e-14)
    assert np.abs(clipped.xs[1] - plain.xs[1]).max() > 1e-2


def test_1_lbfgs_low_precision_gradient_is_not_recomputed():
    """Under compute_dtype the step uses the bfloat16 gradient: one gradient evaluation per step, not two,
    and the first step is −min(1, 1/‖ĝ‖₁)·ĝ with ĝ that rounded gradient."""
    rosen, x0 = gd.Rosenbrock(), np.array([-1.2, 1.0], dtype=np.float32)
    result = gd.run(gd.LBFGS(), rosen, x0, steps=1, compute_dtype="bfloat16")
    g_hat = gd.precision.mixed_precision_grad(rosen.grad, x0, "bfloat16")
    expected = x0 - np.float32(min(1.0, 1.0 / float(np.abs(g_hat).sum()))) * g_hat
    np.testing.assert_allclose(result.xs[1], expected, rtol=1e-6)
    assert result.ngev == 1


def test_1_accumulated_lbfgs_steps_with_the_mean_gradient():
    """Accumulate(LBFGS, k=2) with gradients g_a, g_b at the same θ steps like LBFGS with (g_a + g_b)/2."""
    q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    x, oracle = np.array([1.0, 1.0]), gd.Oracle(q)
    ga, gb = np.array([3.0, 0.0]), np.array([1.0, 8.0])
    opt = gd.Accumulate(gd.LBFGS(), k=2)
    state = opt.init(x)
    x1, state = opt.step(x, ga, state, oracle=oracle)
    x2, _ = opt.step(x1, gb, state, oracle=oracle)
    mean = (ga + gb) / 2
    np.testing.assert_allclose(x2, x - min(1.0, 1.0 / np.abs(mean).sum()) * mean, rtol=1e-14)


# --- 2 (H): wrappers pass on the inner optimizer's failure and step size ------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        lambda o: gd.EMA(o),
        lambda o: gd.Lookahead(o, k=2),
        lambda o: gd.Accumulate(o, k=1),
        lambda o: gd.SAM(o, rho=0.01),
        lambda o: gd.EMA(gd.Lookahead(o, k=2)),
    ],
)
def test_2_wrapped_line_search_failure_stops_the_run(wrap):
    result = gd.run(wrap(gd.SteepestDescent("armijo")), WrongGradient(), [1.0, 1.0], steps=5)
    assert result.status == "line search failed"
    assert result.nit == 0


def test_2_wrapped_bfgs_failure_stops_the_run():
    result = gd.run(gd.SAM(gd.BFGS(), rho=0.01), WrongGradient(), [1.0, 1.0], steps=5)
    assert result.status == "line search failed"


def test_2_wrapped_lrs_are_the_chosen_step_sizes():
    """Under Lookahead the recorded η are the line search's, which on ½θᵀdiag(1, 10)θ from (1, 1) halves
    from 1 until the Armijo condition holds: 0.125 (not the inner lr_at, 1.0)."""
    q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    plain = gd.run(gd.SteepestDescent("armijo"), q, [1.0, 1.0], steps=2)
    wrapped = gd.run(gd.Lookahead(gd.SteepestDescent("armijo"), k=5), q, [1.0, 1.0], steps=2)
    assert float(plain.lrs[0]) == 0.125
    np.testing.assert_array_equal(np.array(wrapped.lrs[:2], dtype=float), np.array(plain.lrs[:2], dtype=float))


# --- 3 and 13 (H, M): per-run hyperparameters on structured parameters --------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda lr: gd.SGD(lr=lr, momentum=0.9),
        lambda lr: gd.Adam(lr=lr),
        lambda lr: gd.EMA(gd.SGD(lr=lr), decay=0.9),
    ],
)
@pytest.mark.parametrize("column", [True, False])
def test_3_per_run_lr_on_an_mlp_equals_separate_runs(make, column):
    problem = gd.MLP(XOR_X, XOR_Y, widths=(4,))
    theta = problem.init(seed=0, n_runs=3)
    lrs = np.array([0.05, 0.2, 0.5])
    together = gd.run(make(lrs[:, None] if column else lrs), problem, theta, steps=5)
    for i, lr in enumerate(lrs):
        alone = gd.run(make(lr), problem, {k: v[i] for k, v in theta.items()}, steps=5)
        for key in theta:
            assert together.x[key][i].shape == alone.x[key].shape
            np.testing.assert_allclose(together.x[key][i], alone.x[key], rtol=1e-12, atol=1e-15)


def test_3_bad_per_run_hyperparameters_are_named():
    problem = gd.MLP(XOR_X, XOR_Y, widths=(4,))
    theta = problem.init(seed=0, n_runs=3)
    with pytest.raises(ValueError, match=r"lr has shape \(4, 1\).*run shape \(3,\) or \(3, 1\)"):
        gd.run(gd.SGD(lr=np.ones((4, 1))), problem, theta, steps=1)
    with pytest.raises(ValueError, match=r"LARS .* no per-run trust_coefficient"):
        gd.run(gd.LARS(lr=0.1, trust_coefficient=np.full((3, 1), 0.01)), problem, theta, steps=1)
    with pytest.raises(ValueError, match=r"lr has shape \(3,\), which does not fit θ of shape \(2, 2\)"):
        gd.run(gd.SGD(lr=np.array([0.0, 0.1, 0.2])), gd.Quadratic.from_eigenvalues([1.0, 2.0]), np.ones((2, 2)))


def test_3_per_leaf_reshape_direct_tree_step():
    """Without run(): tree_step infers the run shape from the hyperparameter (R or (*R, 1))."""
    problem = gd.MLP(XOR_X, XOR_Y, widths=(4,))
    theta = problem.init(seed=0, n_runs=4)
    opt = gd.SGD(lr=np.array([[0.0], [0.0], [0.0], [1.0]]))
    new, _ = gd.optimizers.tree_step(opt, theta, problem.grad(theta), gd.optimizers.tree_init(opt, theta))
    for key in theta:
        assert new[key].shape == theta[key].shape
        moved = [bool(np.any(new[key][i] != theta[key][i])) for i in range(4)]
        assert moved == [False, False, False, True]


# --- 4 (H): dynamic loss scaling does not hide divergence ----------------------------------------------------


def test_4_loss_scaling_reports_divergence_and_skips():
    """SGD with η = 0.3 on eigenvalues (1, 10) diverges (|1 − 3| > 1): in full precision and under float16
    with a dynamic loss scaler alike; the message counts the skipped steps."""
    q, x0 = gd.Quadratic.from_eigenvalues([1.0, 10.0]), np.array([1.0, 1.0], dtype=np.float32)
    assert gd.run(gd.SGD(lr=0.3), q, x0, steps=200).status == "diverged"
    result = gd.run(
        gd.SGD(lr=0.3), q, x0, steps=200, compute_dtype="float16", loss_scale=LossScaler(growth_interval=10)
    )
    assert result.status == "diverged"
    assert result.skipped > 0
    assert f"{result.skipped} of {result.nit} steps skipped by loss scaling" in result.message


def test_4_converging_run_with_loss_scaling_is_not_diverged():
    q, x0 = gd.Quadratic.from_eigenvalues([1.0, 10.0]), np.array([1.0, 1.0], dtype=np.float32)
    result = gd.run(gd.SGD(lr=0.1), q, x0, steps=50, compute_dtype="float16", loss_scale=LossScaler())
    assert result.status == "step budget reached"


# --- 5 (M): SteepestDescent keeps float32 ---------------------------------------------------------------------


@pytest.mark.parametrize("line_search", ["exact", "armijo"])
def test_5_steepest_descent_keeps_float32(line_search):
    q = gd.Quadratic.from_eigenvalues([1.0, 10.0])
    result = gd.run(gd.SteepestDescent(line_search), q, np.array([1.0, 1.0], dtype=np.float32), steps=3)
    assert result.xs.dtype == np.float32


# --- 6 (M): a line search that fails at rounding level is convergence -----------------------------------------


def test_6_armijo_at_machine_precision_is_converged_not_failed():
    """Armijo on ½θᵀdiag(1, 10)θ reaches L = 0 in float64 (‖∇L‖ ~ 1e-162), where no trial can be lower."""
    result = gd.run(gd.SteepestDescent("armijo"), gd.Quadratic.from_eigenvalues([1.0, 10.0]), [1.0, 1.0], steps=2000)
    assert result.status == "converged (no further decrease)"
    assert result.success
    assert result.grad_norms[-1] < 1e-100


def test_6_a_real_line_search_failure_is_still_reported():
    assert gd.run(gd.SteepestDescent("armijo"), WrongGradient(), [1.0, 1.0], steps=5).status == "line search failed"


# --- 7 (M): the L-BFGS stop is seen by run --------------------------------------------------------------------


def test_7_lbfgs_own_stop_ends_the_run():
    """With torch's defaults L-BFGS on Rosenbrock stalls near (1, 1): run must stop there, not spend the budget."""
    result = gd.run(gd.LBFGS(), gd.Rosenbrock(), [-1.2, 1.0], steps=300)
    assert result.status.startswith("converged")
    assert result.nit < 300
    assert np.abs(result.x - 1.0).max() < 1e-3


def test_7_lbfgs_gradient_test_gives_converged_gradient_norm():
    """θ₀ = θ*: ‖g‖∞ = 0 ≤ tolerance_grad, L-BFGS stays at step 0 and run says so, with η = 0 recorded."""
    result = gd.run(gd.LBFGS(), gd.Rosenbrock(), [1.0, 1.0], steps=10)
    assert result.status == "converged (gradient norm)" and result.nit == 0
    assert float(result.lrs[0]) == 0.0


# --- 8 (M): full-batch methods refuse mini-batches ------------------------------------------------------------


@pytest.mark.parametrize(
    "opt",
    [gd.LBFGS(line_search_fn="strong_wolfe"), gd.BFGS(), gd.ConjugateGradient("PR+"), gd.EMA(gd.LBFGS())],
    ids=["LBFGS", "BFGS", "CG", "EMA(LBFGS)"],
)
def test_8_full_batch_methods_refuse_batch_size(opt):
    rng = np.random.default_rng(0)
    problem = gd.LinearRegression(rng.standard_normal((40, 3)), rng.standard_normal(40))
    with pytest.raises(ValueError, match="is a full-batch method.*drop batch_size"):
        gd.run(opt, problem, np.zeros(3), steps=2, batch_size=8)


# --- 9 (M): a singular Hessian ------------------------------------------------------------------------------


def test_9_newton_singular_hessian_names_damping():
    q = gd.Quadratic.from_eigenvalues([0.0, 1.0])
    with pytest.raises(ValueError, match=r"Hessian .* singular at step 0; add damping > 0 or use solver='cg'"):
        gd.run(gd.Newton(), q, [1.0, 1.0], steps=2)
    damped = gd.run(gd.Newton(damping=1.0), q, [1.0, 1.0], steps=1)  # (H + I)p = −g = −(0, 1): p = (0, −½)
    np.testing.assert_allclose(damped.x, [1.0, 0.5], rtol=1e-15)


# --- 10 (M), 20 (L): the arguments of run and of the wrappers -------------------------------------------------

_Q = gd.Quadratic.from_eigenvalues([1.0, 10.0])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.run(_Q, gd.SGD(lr=0.1), [1.0, 1.0]), TypeError, r"opt must be .*did you swap opt and problem"),
        (lambda: gd.run(gd.SGD, _Q, [1.0, 1.0]), TypeError, r"opt is the class SGD; pass an instance"),
        (lambda: gd.run(gd.SGD(lr=0.1), _Q.f, [1.0, 1.0]), TypeError, r"problem must be a gdlib problem"),
        (lambda: gd.Accumulate(gd.SGD, k=2), TypeError, r"inner is the class SGD"),
        (lambda: gd.EMA(gd.Adam), TypeError, r"inner is the class Adam"),
        (lambda: gd.SAM(gd.SGD), TypeError, r"base is the class SGD"),
        (
            lambda: gd.run(gd.SGD(lr=gd.schedules.one_cycle_lr(0.1, total_steps=10)), _Q, [1.0, 1.0], steps=30),
            ValueError,
            r"SGD's lr schedule ends at step 10 but the run takes up to 30 steps",
        ),
    ],
)
def test_10_20_21_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_21_a_schedule_that_covers_the_run_is_accepted():
    opt = gd.SGD(lr=gd.schedules.one_cycle_lr(0.1, total_steps=10))
    assert gd.run(opt, _Q, [1.0, 1.0], steps=11).nit == 11


# --- 11 (M): no control characters in the sources -------------------------------------------------------------


def test_11_no_control_characters_in_gdlib_sources():
    from pathlib import Path

    root = Path(gd.__file__).parent
    bad = {
        str(path.relative_to(root)): sorted({hex(ord(c)) for c in path.read_text() if ord(c) < 32 and c != "\n"})
        for path in root.rglob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}
    assert "\\beta_t = \\text{anneal}\\bigl(" in gd.schedules.one_cycle_momentum.__doc__


# --- 12 (M): a list of numbers is one vector ------------------------------------------------------------------


def test_12_list_of_numbers_is_refused_as_parameters():
    """A list of numbers would be one 0-d layer per number (LARS: a trust ratio per coordinate): refused."""
    opt = gd.LARS(lr=1.0, momentum=0.0, trust_coefficient=0.1, weight_decay=0.0)
    x = np.array([3.0, 4.0])
    with pytest.raises(TypeError, match=r"x is a list of 2 numbers; pass it as an array"):
        opt.step([3.0, 4.0], [3.0, 40.0], opt.init(x), oracle=gd.Oracle(_Q))
    with pytest.raises(TypeError, match=r"x is a list of 2 numbers"):
        gd.SGD(lr=0.1).step([1.0, 2.0], [1.0, 1.0], gd.SGD(lr=0.1).init(x))
    with pytest.raises(TypeError, match=r"g is a tuple of 2 numbers"):
        gd.SGD(lr=0.1).step(x, (1.0, 1.0), gd.SGD(lr=0.1).init(x))
    with pytest.raises(TypeError, match=r"x is a list of 2 numbers"):
        gd.optimizers.tree_init(gd.Adam(), [1.0, 2.0])
    # the array is one layer: trust ratio c‖θ‖/‖g‖ (LARS's doctest setting), and run() takes a list as an array
    g = np.array([3.0, 40.0])
    stepped, _ = opt.step(x, g, opt.init(x), oracle=gd.Oracle(_Q))
    np.testing.assert_allclose(stepped, x - 0.1 * 5.0 / np.linalg.norm(g) * g, rtol=1e-12)
    assert gd.run(gd.SGD(lr=0.1), _Q, [1.0, 1.0], steps=2).xs.shape == (3, 2)


# --- 19 (L): a 0-d array loss scale ---------------------------------------------------------------------------


def test_19_zero_d_array_loss_scale():
    x0 = np.array([1.0, 1.0], dtype=np.float32)
    a = gd.run(gd.SGD(lr=0.1), _Q, x0, steps=5, compute_dtype="float16", loss_scale=np.array(8.0))
    b = gd.run(gd.SGD(lr=0.1), _Q, x0, steps=5, compute_dtype="float16", loss_scale=8.0)
    np.testing.assert_array_equal(a.xs, b.xs)


# --- 14 (L): Levenberg–Marquardt evaluates each new point once ------------------------------------------------


def test_14_levenberg_marquardt_counts():
    """r at θ₀ and at each of the T trial points (T + 1 nfev); J at θ₀ and at each accepted point, plus the
    runner's own gradient every step (T + 1 + accepted ngev)."""
    problem, steps = gd.CurveFit.misra1a(), 30
    result = gd.run(gd.LevenbergMarquardt(), problem, [500.0, 1e-4], steps=steps)
    accepted = int(np.sum(np.any(np.diff(result.xs, axis=0) != 0, axis=1)))
    assert result.nfev == steps + 1
    assert result.ngev == steps + 1 + accepted
    np.testing.assert_allclose(result.x, problem.certified, rtol=1e-9)
