"""BFGS, conjugate gradient, Newton, Gauss–Newton and Levenberg–Marquardt against scipy and NIST; the line
searches; the CurveFit problem; the contract every second-order optimizer keeps (pure steps, dtypes, trees,
clear errors, failures reported)."""

import numpy as np
import pytest

import gdlib as gd
from conftest import require
from gdlib.optimizers._wolfe import backtracking, strong_wolfe

ROSENBROCK_X0 = np.array([-1.2, 1.0])


def trajectory(opt, problem, x0, steps, stop_on_failure=True):
    """θ_0 … θ_T from init/step with a fresh oracle per step, and the last state."""
    x, xs = x0, [x0]
    state = opt.init(x0)
    for _ in range(steps):
        oracle = gd.Oracle(problem)
        x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
        xs.append(x)
        if stop_on_failure and getattr(state, "failed", False):
            break
    return np.array(xs), state


def breast_cancer(l2):
    data = gd.load_breast_cancer().standardized()
    return gd.LogisticRegression(data.X, data.y, l2=l2)


def root_of_gradient(problem, x0):
    """The minimiser as the root of ∇L (scipy's hybrid Powell method with the Hessian as Jacobian): an
    independent reference that, unlike any method comparing losses, resolves θ* to rounding error."""
    scipy_optimize = require("scipy").optimize
    solution = scipy_optimize.root(problem.grad, x0, jac=problem.hess, method="hybr", tol=1e-15)
    assert np.abs(problem.grad(solution.x)).max() < 1e-14  # converged to rounding error
    return solution.x


def relative(x, reference):
    return float(np.abs(np.asarray(x) - reference).max() / np.abs(reference).max())


# --- BFGS -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line_search", ["wolfe", "armijo"])
def test_bfgs_finds_scipys_minimiser_of_rosenbrock(line_search):
    scipy_optimize = require("scipy").optimize
    problem = gd.Rosenbrock()
    xs, state = trajectory(gd.BFGS(line_search=line_search), problem, ROSENBROCK_X0, 200)
    want = scipy_optimize.minimize(
        problem.f, ROSENBROCK_X0, jac=problem.grad, method="BFGS", options=dict(gtol=1e-12)
    ).x
    assert relative(xs[-1], want) <= 1e-8
    assert relative(xs[-1], np.ones(2)) <= 1e-8 and not state.failed


@pytest.mark.parametrize("line_search", ["wolfe", "armijo"])
def test_bfgs_finds_the_logistic_regression_minimiser_as_well_as_scipy(line_search):
    """L ≈ 0.2 here, so a change of θ by δ near θ* changes L by about μδ² ≈ 0.1 δ², below the rounding of L
    once δ < 1e-8: every method that compares losses stops near a relative error of 1e-8 (scipy's BFGS
    reports "precision loss" there). Both must land within 1e-7 of the root of ∇L."""
    scipy_optimize = require("scipy").optimize
    problem = breast_cancer(l2=0.1)
    x0 = np.zeros(problem.d)
    reference = root_of_gradient(problem, x0)
    xs, _ = trajectory(gd.BFGS(line_search=line_search), problem, x0, 400)
    theirs = scipy_optimize.minimize(problem.f, x0, jac=problem.grad, method="BFGS", options=dict(gtol=1e-12)).x
    assert relative(theirs, reference) <= 1e-7
    assert relative(xs[-1], reference) <= 1e-7
    assert relative(xs[-1], theirs) <= 1e-7


def test_bfgs_converges_superlinearly():
    """‖e_{t+1}‖/‖e_t‖ → 0: the last ratios before the error reaches 1e-10 are below 0.1, while gradient
    descent's ratio on the same problem stays near 1."""
    problem = gd.Rosenbrock()
    xs, _ = trajectory(gd.BFGS(), problem, ROSENBROCK_X0, 200)
    errors = np.linalg.norm(xs - 1.0, axis=1)
    errors = errors[: np.argmax(errors < 1e-10) + 1]
    ratios = errors[1:] / errors[:-1]
    assert errors[-1] < 1e-10 and np.all(ratios[-3:] < 0.1) and ratios[-1] < 1e-3
    gd_xs, _ = trajectory(gd.SteepestDescent("armijo"), problem, ROSENBROCK_X0, 500)
    gd_errors = np.linalg.norm(gd_xs - 1.0, axis=1)
    assert np.median(gd_errors[-50:][1:] / gd_errors[-50:][:-1]) > 0.9


def test_bfgs_update_keeps_the_secant_equation():
    """After an update H y = s for the last pair (N&W eq. 6.17 satisfies the secant equation exactly)."""
    problem = breast_cancer(l2=0.1)
    opt = gd.BFGS()
    x, state = np.zeros(problem.d), opt.init(np.zeros(problem.d))
    for _ in range(5):
        oracle = gd.Oracle(problem)
        x_prev, g_prev = x, oracle.grad(x)
        x, state = opt.step(x, g_prev, state, oracle=oracle)
    oracle = gd.Oracle(problem)
    _, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    s, y = x - x_prev, problem.grad(x) - g_prev
    np.testing.assert_allclose(state.H @ y, s, rtol=1e-10, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(state.H) > 0)


# --- conjugate gradient ------------------------------------------------------------------------------------


def rotated_quadratic(eigenvalues, seed=3):
    rng = np.random.default_rng(seed)
    d = len(eigenvalues)
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    return gd.Quadratic.from_eigenvalues(eigenvalues, rotation=Q, x_star=rng.standard_normal(d))


def test_linear_cg_matches_scipy_cg_iterate_by_iterate_and_ends_in_d_steps():
    sparse_linalg = require("scipy").sparse.linalg
    d = 10
    q = rotated_quadratic(np.linspace(1.0, 10.0, d))
    theirs = []
    sparse_linalg.cg(q.A, q.b, x0=np.zeros(d), rtol=1e-14, maxiter=d, callback=lambda xk: theirs.append(xk.copy()))
    xs, _ = trajectory(gd.ConjugateGradient("linear"), q, np.zeros(d), d)
    assert len(theirs) == d
    for mine, want in zip(xs[1:], theirs, strict=True):
        assert relative(mine, want) <= 1e-12
    residual = np.linalg.norm(q.grad(xs[d])) / np.linalg.norm(q.grad(xs[0]))
    assert residual <= 1e-10 and np.linalg.norm(q.grad(xs[d - 1])) / np.linalg.norm(q.grad(xs[0])) > 1e-6


def test_linear_cg_needs_as_many_steps_as_distinct_eigenvalues():
    q = rotated_quadratic(np.repeat([1.0, 4.0, 9.0], 10))  # d = 30, three distinct eigenvalues
    xs, _ = trajectory(gd.ConjugateGradient("linear"), q, np.zeros(30), 3)
    assert np.linalg.norm(q.grad(xs[3])) <= 1e-10 * np.linalg.norm(q.grad(xs[0]))
    assert np.linalg.norm(q.grad(xs[2])) > 1e-3 * np.linalg.norm(q.grad(xs[0]))


def test_linear_cg_obeys_the_sqrt_kappa_bound_in_the_A_norm():
    """‖e_k‖_A ≤ 2 ((√κ − 1)/(√κ + 1))^k ‖e_0‖_A (N&W eq. 5.36), for κ = 10³ in d = 20."""
    q = rotated_quadratic(np.geomspace(1.0, 1e3, 20))
    xs, _ = trajectory(gd.ConjugateGradient("linear"), q, np.zeros(20), 20)
    e = xs - q.x_star
    a_norm = np.sqrt(np.einsum("ki,ij,kj->k", e, q.A, e))
    rate = (np.sqrt(q.kappa) - 1) / (np.sqrt(q.kappa) + 1)
    bound = 2 * rate ** np.arange(21) * a_norm[0]
    assert np.all(a_norm <= bound) and a_norm[-1] < 0.05 * bound[-1]


@pytest.mark.parametrize("variant", ["FR", "PR+"])
def test_nonlinear_cg_finds_scipys_minimiser(variant):
    scipy_optimize = require("scipy").optimize
    rosenbrock = gd.Rosenbrock()
    xs, _ = trajectory(gd.ConjugateGradient(variant), rosenbrock, ROSENBROCK_X0, 500)
    want = scipy_optimize.minimize(
        rosenbrock.f, ROSENBROCK_X0, jac=rosenbrock.grad, method="CG", options=dict(gtol=1e-12)
    ).x
    assert relative(xs[-1], want) <= 1e-8 and relative(xs[-1], np.ones(2)) <= 1e-8
    # the loss-comparison floor of 1e-8 again (see the BFGS test)
    problem = breast_cancer(l2=0.1)
    x0 = np.zeros(problem.d)
    reference = root_of_gradient(problem, x0)
    xs, _ = trajectory(gd.ConjugateGradient(variant), problem, x0, 500)
    theirs = scipy_optimize.minimize(problem.f, x0, jac=problem.grad, method="CG", options=dict(gtol=1e-12)).x
    assert relative(xs[-1], reference) <= 1e-7 and relative(theirs, reference) <= 1e-7


def test_polak_ribiere_beats_fletcher_reeves_on_rosenbrock():
    """N&W §5.2: PR+ recovers from small steps where FR keeps taking them (here 24 against 64 steps)."""
    problem = gd.Rosenbrock()
    steps = {}
    for variant in ("FR", "PR+"):
        xs, _ = trajectory(gd.ConjugateGradient(variant), problem, ROSENBROCK_X0, 500)
        steps[variant] = int(np.argmax(np.linalg.norm(xs - 1.0, axis=1) < 1e-8))
    assert 0 < steps["PR+"] < steps["FR"]


# --- Newton ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["hess", "cg"])
@pytest.mark.parametrize("line_search", [None, "armijo"])
def test_newton_doubles_the_digits_and_finds_scipys_minimiser(solver, line_search):
    scipy_optimize = require("scipy").optimize
    problem = breast_cancer(l2=1e-2)
    x0 = np.zeros(problem.d)
    reference = root_of_gradient(problem, x0)
    xs, _ = trajectory(gd.Newton(solver=solver, line_search=line_search), problem, x0, 12)
    errors = np.abs(xs - reference).max(axis=1) / np.abs(reference).max()
    assert errors[-1] <= 1e-12
    digits = -np.log10(errors)
    fast = [(a, b) for a, b in zip(digits[:-1], digits[1:], strict=True) if a > 1.4 and b < 14]  # above rounding
    assert len(fast) >= 2 and all(b >= 1.8 * a for a, b in fast)  # the digits (nearly) double
    theirs = scipy_optimize.minimize(
        problem.f, x0, jac=problem.grad, hess=problem.hess, method="Newton-CG", options=dict(xtol=1e-12)
    ).x
    # scipy's Newton-CG stops about 1e-6 from θ* (its Wolfe search meets the rounding of L first); ours reaches
    # θ* to 1e-12 above
    assert relative(theirs, reference) <= 1e-5 and relative(xs[-1], theirs) <= 1e-5


def test_newton_solves_a_quadratic_in_one_step_and_damping_shortens_it():
    q = gd.Quadratic.from_eigenvalues([1.0, 100.0], angle=0.3, x_star=[1.0, -2.0])
    x0 = np.zeros(2)
    xs, _ = trajectory(gd.Newton(), q, x0, 1)
    assert relative(xs[1], q.x_star) <= 1e-14
    xs, _ = trajectory(gd.Newton(damping=1.0), q, x0, 1)
    want = np.linalg.solve(q.A + np.eye(2), -q.grad(x0))
    np.testing.assert_allclose(xs[1], want, rtol=1e-14)
    xs, state = trajectory(gd.Newton(solver="cg"), q, x0, 4)  # CG to the forcing tolerance min(½, ‖g‖)‖g‖
    assert relative(xs[1], q.x_star) > 1e-3 and relative(xs[-1], q.x_star) <= 1e-12 and state.cg_iterations <= 2


def test_newton_goes_to_a_saddle_but_armijo_refuses_to():
    saddle, x0 = gd.Saddle(), np.array([0.5, 1.0])  # L = ½(x² − y²), p = −(x, y)
    xs, _ = trajectory(gd.Newton(), saddle, x0, 1)
    assert np.abs(xs[1]).max() < 1e-15  # the pure step lands on the saddle
    xs, state = trajectory(gd.Newton(line_search="armijo"), saddle, x0, 1)
    assert state.failed and np.array_equal(xs[1], x0)  # gᵀp = −x² + y² = 0.75 > 0


def test_truncated_cg_stops_on_negative_curvature():
    H = np.diag([2.0, -1.0])
    p, iterations = gd.optimizers.newton.truncated_cg(lambda v: H @ v, np.array([0.0, 1.0]))
    assert iterations == 1 and p.tolist() == [-0.0, -1.0]  # −g at once
    p, iterations = gd.optimizers.newton.truncated_cg(lambda v: H @ v, np.array([1.0, 1.0]), tol=0.0)
    assert iterations == 2 and p.tolist() == [-2.0, -2.0]  # the first CG step, then dᵀHd < 0


# --- Gauss–Newton, Levenberg–Marquardt and CurveFit --------------------------------------------------------


@pytest.mark.parametrize("opt", [gd.GaussNewton(), gd.LevenbergMarquardt()], ids=repr)
@pytest.mark.parametrize("start", [0, 1])
def test_least_squares_methods_match_scipy_lm_and_nist(opt, start):
    scipy_optimize = require("scipy").optimize
    problem = gd.CurveFit.misra1a()
    x0 = problem.starts[start]
    xs, _ = trajectory(opt, problem, x0, 60)
    theirs = scipy_optimize.least_squares(
        problem.residuals, x0, jac=problem.jacobian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    ).x
    assert relative(xs[-1], theirs) <= 1e-8
    np.testing.assert_allclose(xs[-1], problem.certified, rtol=2e-10)  # certified to 11 significant digits
    rss = float(problem.residuals(xs[-1]) @ problem.residuals(xs[-1]))
    assert abs(rss - problem.certified_rss) <= 1e-9 * problem.certified_rss


def test_levenberg_marquardt_on_synthetic_decay_matches_scipy():
    scipy_optimize = require("scipy").optimize
    problem = gd.CurveFit.exponential_decay(m=40, a=3.0, b=0.8, noise=0.1, seed=4)
    x0 = np.array([1.0, 3.0])
    xs, _ = trajectory(gd.LevenbergMarquardt(damping=1.0), problem, x0, 80)
    theirs = scipy_optimize.least_squares(
        problem.residuals, x0, jac=problem.jacobian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    ).x
    assert relative(xs[-1], theirs) <= 1e-8 and relative(xs[-1], problem.x_star) <= 1e-8


def test_levenberg_marquardt_follows_marquardts_rule():
    """Accepted: θ moves and λ ÷ 10, and r at the new θ is reused (J only is new); rejected: θ stays, λ × 10,
    and r, J are reused (one residual only)."""
    problem = gd.CurveFit.misra1a()
    opt = gd.LevenbergMarquardt(damping=1e-3)
    x, state = problem.starts[0], opt.init(problem.starts[0])
    seen = set()
    for _ in range(30):
        oracle = gd.Oracle(problem)
        lam, r_known = state.damping, state.cache is not None
        J_known = r_known and state.cache[2] is not None
        x_new, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
        loss_fell = problem.f(
            x
            + np.linalg.solve(
                problem.jacobian(x).T @ problem.jacobian(x) + lam * np.eye(2),
                -problem.jacobian(x).T @ problem.residuals(x),
            )
        ) < problem.f(x)
        assert state.accepted == loss_fell
        if state.accepted:
            assert state.damping == lam / 10 and not np.array_equal(x_new, x)
        else:
            assert state.damping == lam * 10 and np.array_equal(x_new, x)
        # the runner's gradient, then r and J unless known, then r at the trial point
        assert oracle.counts() == {"nfev": 1 + (not r_known), "ngev": 1 + (not J_known), "nhev": 0}
        seen.add(state.accepted)
        x = x_new
    assert seen == {True, False}


def test_curve_fit_derivatives_against_finite_differences():
    for problem, x in [
        (gd.CurveFit.misra1a(), np.array([240.0, 5.4e-4])),
        (gd.CurveFit.exponential_decay(), np.array([1.5, 0.7])),
    ]:
        h = 1e-6 * np.abs(x)
        fd_grad, fd_hess, fd_jac = np.zeros(2), np.zeros((2, 2)), np.zeros((problem.m, 2))
        for j in range(2):
            e = np.zeros(2)
            e[j] = h[j]
            fd_grad[j] = (problem.f(x + e) - problem.f(x - e)) / (2 * h[j])
            fd_hess[:, j] = (problem.grad(x + e) - problem.grad(x - e)) / (2 * h[j])
            fd_jac[:, j] = (problem.residuals(x + e) - problem.residuals(x - e)) / (2 * h[j])
        np.testing.assert_allclose(problem.grad(x), fd_grad, rtol=1e-8)
        np.testing.assert_allclose(problem.hess(x), fd_hess, rtol=1e-7)
        np.testing.assert_allclose(problem.jacobian(x), fd_jac, rtol=1e-7, atol=1e-9 * np.abs(fd_jac).max())
        r, J = problem.residuals(x), problem.jacobian(x)
        np.testing.assert_allclose(problem.grad(x), J.T @ r / problem.m, rtol=1e-12)


def test_curve_fit_matches_nist_and_keeps_run_axes_and_dtype():
    problem = gd.CurveFit.misra1a()
    np.testing.assert_allclose(problem.x_star, problem.certified, rtol=2e-10)
    assert abs(2 * problem.m * problem.f_star - problem.certified_rss) <= 1e-9 * problem.certified_rss
    thetas = np.array([[240.0, 5e-4], [250.0, 6e-4], [230.0, 4e-4]])
    np.testing.assert_allclose(problem.f(thetas), [problem.f(t) for t in thetas], rtol=1e-15)
    np.testing.assert_allclose(problem.hess(thetas)[1], problem.hess(thetas[1]), rtol=1e-15)
    assert problem.jacobian(thetas).shape == (3, 14, 2)
    assert problem.grad(thetas.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd.CurveFit([1.0, 2.0], [1.0, 2.0], model="cubic"), ValueError, "model must be one of"),
        (lambda: gd.CurveFit([1.0], [1.0]), ValueError, "at least 2 points"),
        (lambda: gd.CurveFit([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "y must have the shape of t"),
        (lambda: gd.CurveFit([1.0, np.nan], [1.0, 2.0]), ValueError, "must be finite"),
        (lambda: gd.CurveFit.exponential_decay(m=1), ValueError, r"m must be in \[2, inf\)"),
        (lambda: gd.CurveFit.exponential_decay(noise=-1.0), ValueError, "noise must be in"),
        (lambda: gd.CurveFit.misra1a().f([1.0, 2.0, 3.0]), ValueError, r"x must have shape \(\.\.\., 2\)"),
    ],
)
def test_curve_fit_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- line searches -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_strong_wolfe_returns_a_point_satisfying_both_conditions(seed):
    rng = np.random.default_rng(seed)
    problem = gd.Rosenbrock()
    x = rng.uniform(-2.0, 2.0, 2)
    g = problem.grad(x)
    d = -g / np.abs(g).sum()
    f, gtd = float(problem.f(x)), float(g @ d)

    def obj(x0, t, direction):
        return float(problem.f(x0 + t * direction)), problem.grad(x0 + t * direction)

    f_new, g_new, t, evals, done = strong_wolfe(obj, x, 1.0, d, f, g, gtd)
    assert done and t > 0 and evals >= 1
    assert f_new <= f + 1e-4 * t * gtd and abs(g_new @ d) <= 0.9 * abs(gtd)
    assert f_new == problem.f(x + t * d)


def test_backtracking_demands_sufficient_decrease():
    value = lambda v: float(v @ v)  # noqa: E731
    # α = 1 leaves L at 1 = L(θ): no decrease, rejected although L did not rise; α = ½ reaches 0
    assert backtracking(value, np.array([1.0]), np.array([-2.0]), 1.0, -4.0) == (0.5, 0.0, 2, True)
    # L(θ + αp) = (1 − α)², slope −2, c₁ = 0.4: accepted iff (1 − α)² ≤ 1 − 0.8α, i.e. α ≤ 1.2. From α = 3:
    # 3 and 1.5 are rejected (1.5 although L falls from 1 to 0.25), 0.75 is accepted
    assert backtracking(value, np.array([1.0]), np.array([-1.0]), 1.0, -2.0, alpha=3.0, c1=0.4)[:3] == (0.75, 0.0625, 3)


def test_line_searches_report_failure_instead_of_failing_silently():
    value = lambda v: float(v @ v)  # noqa: E731
    alpha, f_new, evals, found = backtracking(value, np.array([1.0]), np.array([1.0]), 1.0, 2.0)  # ascent
    assert (alpha, f_new, evals, found) == (0.0, 1.0, 30, False)
    obj = lambda x, t, d: (float((x + t * d) @ (x + t * d)), 2 * (x + t * d))  # noqa: E731
    x, d = np.array([1.0]), np.array([1.0])  # d points uphill
    *_, t, _, done = strong_wolfe(obj, x, 1.0, d, 1.0, 2 * x, -2.0)  # told the slope is −2
    assert t == 0 and not done


class Lying(gd.Problem):
    """Rosenbrock with its gradient negated: every 'descent' direction goes uphill."""

    d = 2

    def f(self, x):
        return gd.Rosenbrock().f(x)

    def grad(self, x):
        return -gd.Rosenbrock().grad(x)

    def hess(self, x):
        return -gd.Rosenbrock().hess(x)


@pytest.mark.parametrize(
    "opt",
    [
        gd.LBFGS(line_search_fn="strong_wolfe"),
        gd.BFGS(),
        gd.BFGS(line_search="armijo"),
        gd.ConjugateGradient("FR"),
        gd.ConjugateGradient("PR+"),
        gd.Newton(damping=1e3, line_search="armijo"),
    ],
    ids=repr,
)
def test_a_failed_line_search_stays_and_stops_the_run(opt):
    x0 = np.array([-1.2, 1.0])
    xs, state = trajectory(opt, Lying(), x0, 1)
    assert state.failed and np.array_equal(xs[1], x0)
    result = gd.run(opt, Lying(), x0, steps=20)
    assert result.status == "line search failed" and np.array_equal(result.x, x0)


def test_linear_cg_reports_a_direction_of_negative_curvature():
    xs, state = trajectory(gd.ConjugateGradient("linear"), gd.Saddle(), np.array([0.0, 1.0]), 1)
    assert state.failed and np.array_equal(xs[1], xs[0])


# --- the contract: gd.run, trees, purity, dtypes, errors ----------------------------------------------------

ALL = [
    gd.LBFGS(line_search_fn="strong_wolfe"),
    gd.LBFGS(lr=0.5),
    gd.BFGS(),
    gd.BFGS(line_search="armijo"),
    gd.ConjugateGradient("linear"),
    gd.ConjugateGradient("FR"),
    gd.ConjugateGradient("PR+"),
    gd.Newton(),
    gd.Newton(solver="cg", line_search="armijo"),
]
LEAST_SQUARES = [gd.GaussNewton(), gd.LevenbergMarquardt()]


def test_gd_run_drives_them_and_counts_their_evaluations():
    problem = breast_cancer(l2=0.1)
    result = gd.run(
        gd.LBFGS(line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15),
        problem,
        np.zeros(problem.d),
        steps=60,
        tol_grad=1e-7,
    )
    assert result.status == "converged (gradient norm)" and result.nfev >= result.nit
    result = gd.run(gd.Newton(solver="cg"), problem, np.zeros(problem.d), steps=10)
    assert result.nhev > result.nit and result.grad_norms[-1] < 1e-12
    result = gd.run(gd.LevenbergMarquardt(), gd.CurveFit.misra1a(), [250.0, 5e-4], steps=20)
    np.testing.assert_allclose(result.x, gd.CurveFit.misra1a().certified, rtol=2e-10)


class SplitLogistic(gd.Problem):
    """The breast-cancer logistic regression (l2 = 0.1) with θ as a dict of two arrays."""

    shapes = {"a": (12,), "b": (18,)}
    d = 30

    def __init__(self):
        self.inner = breast_cancer(l2=0.1)

    def _flat(self, theta):
        return np.concatenate([theta["a"], theta["b"]])

    def f(self, theta):
        return self.inner.f(self._flat(theta))

    def grad(self, theta):
        g = self.inner.grad(self._flat(theta))
        return {"a": g[:12], "b": g[12:]}

    def hvp(self, theta, v):
        hv = self.inner.hess(self._flat(theta)) @ self._flat(v)
        return {"a": hv[:12], "b": hv[12:]}


@pytest.mark.parametrize("opt", [o for o in ALL if o != gd.Newton()], ids=repr)
def test_structured_parameters_give_the_flat_trajectory(opt):
    flat_problem, tree_problem = breast_cancer(l2=0.1), SplitLogistic()
    flat_xs, _ = trajectory(opt, flat_problem, np.zeros(30), 8)
    theta, state = {"a": np.zeros(12), "b": np.zeros(18)}, opt.init({"a": np.zeros(12), "b": np.zeros(18)})
    for _ in range(8):
        oracle = gd.Oracle(tree_problem)
        theta, state = opt.step(theta, oracle.grad(theta), state, oracle=oracle)
    assert set(theta) == {"a", "b"} and theta["a"].shape == (12,)
    np.testing.assert_allclose(np.concatenate([theta["a"], theta["b"]]), flat_xs[-1], rtol=1e-12, atol=1e-14)


def snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        items = [snapshot(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(u, v) for u, v in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("opt", ALL + LEAST_SQUARES, ids=repr)
def test_steps_are_pure_and_keep_float32(opt):
    least_squares = type(opt) in (gd.GaussNewton, gd.LevenbergMarquardt)
    problem = gd.CurveFit.misra1a() if least_squares else gd.Rosenbrock()
    x0 = np.array([250.0, 5e-4]) if least_squares else ROSENBROCK_X0
    _, state = trajectory(opt, problem, x0, 3)
    x = np.array([240.0, 5.2e-4]) if least_squares else np.array([0.5, 0.3])
    oracle = gd.Oracle(problem)
    g = oracle.grad(x)
    before = snapshot((x, g, state))
    opt.step(x, g, state, oracle=oracle)
    assert same((x, g, state), before)
    x32 = x.astype(np.float32)
    state32 = opt.init(x32)
    for _ in range(2):
        oracle = gd.Oracle(problem)
        x32, state32 = opt.step(x32, oracle.grad(x32), state32, oracle=oracle)
    assert x32.dtype == np.float32


@pytest.mark.parametrize("opt", ALL + LEAST_SQUARES, ids=repr)
def test_step_errors_name_what_is_missing(opt):
    x = np.array([0.5, 0.3])
    problem = gd.Rosenbrock()
    state = opt.init(x)
    with pytest.raises(TypeError, match=r"needs the problem: run it with gd.run\(...\) or pass oracle=gd.Oracle"):
        opt.step(x, problem.grad(x), state)
    with pytest.raises(TypeError, match="state must be a"):
        opt.step(x, problem.grad(x), gd.SGD().init(x), oracle=gd.Oracle(problem))
    runs = np.array([[0.5, 0.3], [0.1, 0.2]])
    target = gd.CurveFit.misra1a() if type(opt) in (gd.GaussNewton, gd.LevenbergMarquardt) else problem
    with pytest.raises(ValueError, match="one problem at a time"):
        opt.step(runs, target.grad(runs), state, oracle=gd.Oracle(target))


@pytest.mark.parametrize("opt", LEAST_SQUARES, ids=repr)
def test_least_squares_methods_need_residuals(opt):
    x = np.array([0.5, 0.3])
    with pytest.raises(ValueError, match=r"residuals\(θ\) and jacobian\(θ\), such as gd.CurveFit \(got Rosenbrock\)"):
        opt.step(x, x, opt.init(x), oracle=gd.Oracle(gd.Rosenbrock()))


def test_dense_newton_on_structured_parameters_points_to_cg():
    theta = {"a": np.zeros(12), "b": np.zeros(18)}
    problem = SplitLogistic()
    oracle = gd.Oracle(problem)
    with pytest.raises(ValueError, match="solver='cg'"):
        gd.Newton().step(theta, oracle.grad(theta), gd.Newton().init(theta), oracle=oracle)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: gd.LBFGS(lr=-1.0), ValueError, r"lr must be in \[0, inf\)"),
        (lambda: gd.LBFGS(history_size=0), ValueError, r"history_size must be in \[1, inf\)"),
        (lambda: gd.LBFGS(history_size=2.5), ValueError, "history_size must be an integer"),
        (lambda: gd.LBFGS(history_size="10"), TypeError, "history_size must be an integer"),
        (lambda: gd.LBFGS(tolerance_grad=-1e-7), ValueError, "tolerance_grad must be in"),
        (lambda: gd.LBFGS(tolerance_change=np.nan), ValueError, "tolerance_change must be in"),
        (lambda: gd.LBFGS(line_search_fn="wolfe"), ValueError, "line_search_fn must be one of None, 'strong_wolfe'"),
        (lambda: gd.LBFGS(max_eval=0), ValueError, r"max_eval must be in \[1, inf\)"),
        (lambda: gd.LBFGS(lr=[1.0, 2.0]), TypeError, "lr must be a number"),
        (lambda: gd.BFGS(line_search="exact"), ValueError, "line_search must be one of 'wolfe', 'armijo'"),
        (lambda: gd.BFGS(lr=0.0), ValueError, r"lr must be in \(0, inf\)"),
        (lambda: gd.BFGS(c1=0.0), ValueError, r"c1 must be in \(0, 1\)"),
        (lambda: gd.BFGS(c1=0.5, c2=0.4), ValueError, r"c2 must be in \(0.5, 1\)"),
        (lambda: gd.BFGS(max_ls=0), ValueError, r"max_ls must be in \[1, inf\)"),
        (lambda: gd.ConjugateGradient("HS"), ValueError, "variant must be one of 'linear', 'FR', 'PR\\+'"),
        (lambda: gd.ConjugateGradient("FR", c2=1.0), ValueError, r"c2 must be in \(0.0001, 1\)"),
        (lambda: gd.Newton(damping=-1.0), ValueError, r"damping must be in \[0, inf\)"),
        (lambda: gd.Newton(solver="lu"), ValueError, "solver must be one of 'hess', 'cg'"),
        (lambda: gd.Newton(line_search="wolfe"), ValueError, "line_search must be one of None, 'armijo'"),
        (lambda: gd.Newton(max_ls=0), ValueError, r"max_ls must be in \[1, inf\)"),
        (lambda: gd.GaussNewton(lr=0.0), ValueError, r"lr must be in \(0, inf\)"),
        (lambda: gd.LevenbergMarquardt(damping=0.0), ValueError, r"damping must be in \(0, inf\)"),
        (lambda: gd.LevenbergMarquardt(factor=1.0), ValueError, r"factor must be in \(1, inf\)"),
    ],
)
def test_bad_hyperparameters(make, error, match):
    with pytest.raises(error, match=match):
        make()
