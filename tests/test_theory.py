"""gd.theory's derivations against the published closed forms (typed here from the sources) and against
rates measured with gd.run at κ = 10, 100, 1000."""

import math

import numpy as np
import pytest
import sympy as sp

import gdlib as gd

th = gd.theory
eta, lam, mu, L, kappa, eps = (th.SYMBOLS[k] for k in ("eta", "lambda", "mu", "L", "kappa", "epsilon"))
KAPPAS = [10.0, 100.0, 1000.0]


def measured_rate(opt, problem, steps):
    """Geometric rate of ‖θ_t − θ*‖ over the second half of a run (the transient excluded)."""
    r = gd.run(opt, problem, np.array([1.0, 1.0]), steps=steps)
    e = np.linalg.norm(r.xs - problem.x_star, axis=-1)
    half = steps // 2
    return (e[-1] / e[half]) ** (1.0 / (steps - half))


def test_contraction_factor():
    assert sp.simplify(th.gd_contraction()["factor"] - (1 - eta * lam)) == 0


def test_stability_bound_is_two_over_L():
    d = th.gd_stability()
    assert sp.simplify(d["bound"] - 2 / L) == 0  # Nesterov 2004 §1.2.3
    assert d["interval"] == sp.Interval.open(0, 2 / lam)


def test_optimal_step_and_rate():
    d = th.gd_optimal_step()
    assert sp.simplify(d["eta_star"] - 2 / (mu + L)) == 0  # Polyak 1987 §1.4
    assert sp.simplify(d["rate_kappa"] - (kappa - 1) / (kappa + 1)) == 0


@pytest.mark.parametrize("k", KAPPAS)
def test_optimal_rate_matches_simulation(k):
    q = gd.Quadratic.from_condition(kappa=k, L=1.0, angle=0.3)
    rate = float(th.gd_optimal_step()["rate_kappa"].subs(kappa, k))
    steps = int(min(20 * k, 4000))
    got = measured_rate(gd.GradientDescent(lr=2 / (q.mu + q.L)), q, steps)
    assert math.isclose(got, rate, rel_tol=1e-3), (got, rate)


@pytest.mark.parametrize("k", KAPPAS)
def test_iterations_to_epsilon_match_the_runner(k):
    d = th.iterations_to_epsilon()
    predicted = math.ceil(float(d["T"].subs({kappa: k, eps: 1e-6})))
    q = gd.Quadratic.from_condition(kappa=k, L=1.0)
    r = gd.run(gd.GradientDescent(lr=2 / (q.mu + q.L)), q, np.array([1.0, 1.0]), steps=predicted + 5)
    e = np.linalg.norm(r.xs - q.x_star, axis=-1) / np.linalg.norm(r.xs[0] - q.x_star)
    first = int(np.argmax(e <= 1e-6))
    assert abs(first - predicted) <= 1 and d["asymptote_ratio"] == 1


def test_smooth_convex_bound_holds_on_logcosh():
    d = th.smooth_convex_bound()
    assert d["identity_holds"]
    p = gd.LogCosh([1.0, 4.0])
    x0 = np.array([6.0, -3.0])
    r = gd.run(gd.GradientDescent(lr=1 / p.L), p, x0, steps=300)
    t = np.arange(1, 301)
    bound = p.L * np.sum(x0**2) / (2 * t)  # Nesterov 2004, Thm 2.1.14
    assert np.all(r.fs[1:] - p.f_star <= bound)
    assert sp.simplify(d["bound"] - L * sp.Symbol("D_0", real=True) ** 2 / (2 * th.SYMBOLS["T"])) == 0


@pytest.mark.parametrize("k", KAPPAS)
def test_kantorovich_bound_is_attained_from_the_worst_start(k):
    ratio = float(th.kantorovich_bound()["ratio_kappa"].subs(kappa, k))
    assert math.isclose(ratio, ((k - 1) / (k + 1)) ** 2, rel_tol=1e-12)  # Luenberger & Ye §8.6
    q = gd.Quadratic.from_eigenvalues([1.0 / k, 1.0])
    r = gd.steepest_descent(q, np.array([k, 1.0]), steps=10)
    np.testing.assert_allclose(r.fs[1:] / r.fs[:-1], ratio, rtol=1e-9)


def test_heavy_ball_closed_forms():
    d = th.heavy_ball()
    assert sp.simplify(d["alpha_star"] - 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2) == 0  # Polyak 1964
    assert sp.simplify(d["beta_star"] - ((sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu))) ** 2) == 0
    z = th.SYMBOLS["z"]
    alpha, beta = th.SYMBOLS["alpha"], th.SYMBOLS["beta"]
    assert sp.expand(d["charpoly"] - (z**2 - (1 + beta - alpha * lam) * z + beta)) == 0


@pytest.mark.parametrize("k", KAPPAS)
def test_heavy_ball_rate_matches_simulation(k):
    d = th.heavy_ball()
    rate = float(d["rate_kappa"].subs(kappa, k))
    assert math.isclose(rate, (math.sqrt(k) - 1) / (math.sqrt(k) + 1), rel_tol=1e-12)
    q = gd.Quadratic.from_condition(kappa=k, L=1.0, angle=0.2)
    a = float(d["alpha_star"].subs({L: 1.0, mu: 1 / k}))
    b = float(d["beta_star"].subs({L: 1.0, mu: 1 / k}))
    # PyTorch's form with lr = α, momentum = β is Polyak's heavy ball (chapter 4 proves the change of variables)
    got = measured_rate(gd.SGD(lr=a, momentum=b), q, int(min(60 * math.sqrt(k), 3000)))
    assert math.isclose(got, rate, rel_tol=0.03), (got, rate)  # critically damped: a polynomial factor t·ρ^t


@pytest.mark.parametrize("k", KAPPAS)
def test_nesterov_rate_matches_simulation(k):
    d = th.nesterov_rate()
    assert d["discriminant"] == 0 and d["root_equals_rate"]
    rate = 1 - 1 / math.sqrt(k)
    q = gd.Quadratic.from_condition(kappa=k, L=1.0)
    b = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    got = measured_rate(gd.SGD(lr=1.0, momentum=b, nesterov=True), q, int(min(60 * math.sqrt(k), 3000)))
    assert math.isclose(got, rate, rel_tol=0.03), (got, rate)


@pytest.mark.parametrize(
    "problem",
    [
        gd.Quadratic.from_condition(5.0, angle=0.4, x_star=[1.0, 2.0]),
        gd.Rosenbrock(),
        gd.Saddle(2.0, 1.0),
        gd.Himmelblau(),
        gd.Valley(20.0, 1.5),
        gd.LogCosh([1.0, 2.0]),
    ],
    ids=repr,
)
def test_symbolic_form_agrees_with_the_numeric_problem(problem):
    s = th.symbolic(problem)
    f = sp.lambdify(s.variables, s.expr)
    g = sp.lambdify(s.variables, s.gradient)
    H = sp.lambdify(s.variables, s.hessian)
    for point in np.random.default_rng(0).uniform(-2, 2, (5, 2)):
        assert math.isclose(f(*point), float(problem.f(point)), rel_tol=1e-9, abs_tol=1e-9)
        np.testing.assert_allclose(np.array(g(*point), dtype=float).ravel(), problem.grad(point), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(np.array(H(*point), dtype=float), problem.hess(point), rtol=1e-9, atol=1e-9)


def test_derivations_display_as_text_and_latex():
    d = th.gd_optimal_step()
    assert repr(d).splitlines()[0] == "Optimal constant step for gradient descent on a quadratic"
    assert "2/(L + mu)" in repr(d) and d._repr_latex_().startswith("$\\begin{aligned}")
