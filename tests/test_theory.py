"""gd.theory's derivations against the published closed forms (typed here from the sources) and against
rates measured with gd.run at κ = 10, 100, 1000."""

import math
import re

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
    assert d["identity_holds"] and d["difference"] == 0
    D = sp.IndexedBase("D")
    assert sp.simplify(d["telescoped"] - (D[0] - D[4])) == 0
    p = gd.LogCosh([1.0, 4.0])
    x0 = np.array([6.0, -3.0])
    r = gd.run(gd.GradientDescent(lr=1 / p.L), p, x0, steps=300)
    t = np.arange(1, 301)
    bound = p.L * np.sum(x0**2) / (2 * t)  # Beck 2017, Thm 10.21
    assert np.all(r.fs[1:] - p.f_star <= bound)
    R = sp.Symbol("R", positive=True)  # ‖θ₀ − θ*‖
    assert sp.simplify(d["bound"] - L * R**2 / (2 * th.SYMBOLS["T"])) == 0
    # Nesterov 2004, Cor. 2.1.2 states 2LR²/(T+4): four times weaker for large T
    assert sp.simplify(d["nesterov_bound"] - 2 * L * R**2 / (th.SYMBOLS["T"] + 4)) == 0 and d["ratio"] == 4


def test_descent_lemma_is_derived():
    d = th.descent_lemma()
    g = d["g_norm"]
    assert sp.simplify(d["decrease"] - eta * (1 - L * eta / 2) * g**2) == 0  # Nesterov 2004, Lemma 1.2.3
    assert d["positive"] == sp.Interval.open(0, 2 / L)
    assert sp.simplify(d["eta_best"] - 1 / L) == 0 and sp.simplify(d["best_decrease"] - g**2 / (2 * L)) == 0


@pytest.mark.parametrize("lr_times_L", [0.5, 1.0, 1.9])
def test_descent_lemma_holds_on_logistic_regression(lr_times_L):
    data = gd.load_breast_cancer().standardized()
    p = gd.LogisticRegression(data.X, data.y, l2=0.01)
    decrease = sp.lambdify((eta, L, th.descent_lemma()["g_norm"]), th.descent_lemma()["decrease"])
    x = np.random.default_rng(0).standard_normal((20, p.d))
    lr = lr_times_L / p.L
    g = p.grad(x)
    drop = p.f(x) - p.f(x - lr * g)
    assert np.all(drop >= decrease(lr, p.L, np.linalg.norm(g, axis=-1)) * (1 - 1e-9))


def test_optimal_step_is_a_minimax():
    d = th.gd_optimal_step()
    assert d["roots"] == {mu: 1 / mu, L: 1 / L} and d["slopes"] == (-mu, L) and d["ends_equal"]
    # the minimax over a grid of steps, for eigenvalues filling [μ, L]
    lams = np.linspace(0.1, 1.0, 50)
    etas = np.linspace(0.01, 2.5, 24901)
    worst = np.abs(1 - etas[:, None] * lams).max(axis=1)
    assert abs(etas[np.argmin(worst)] - float(d["eta_star"].subs({mu: 0.1, L: 1.0}))) < 2e-4


def test_strongly_convex_rate_is_nesterovs_2_1_15():
    d = th.strongly_convex_rate()
    assert sp.simplify(d["eta_star"] - 2 / (mu + L)) == 0
    assert sp.simplify(d["rate_kappa"] - (kappa - 1) / (kappa + 1)) == 0


def test_strongly_convex_rate_holds_on_regularised_logistic_regression():
    data = gd.load_breast_cancer().standardized()
    p = gd.LogisticRegression(data.X, data.y, l2=0.1)
    rho = float(th.strongly_convex_rate()["rate_kappa"].subs(kappa, p.kappa))
    x0 = np.full(p.d, 1.0)
    r = gd.run(gd.GradientDescent(lr=2 / (p.mu + p.L)), p, x0, steps=200)
    e = np.linalg.norm(r.xs - p.x_star, axis=-1)
    assert np.all(e <= e[0] * rho ** np.arange(201) * (1 + 1e-9) + 1e-12)


def test_pl_rate_holds_on_a_nonconvex_function():
    assert sp.simplify(th.pl_rate()["rate"] - (1 - mu / L)) == 0  # Karimi et al. 2016, Thm 1
    # f(x) = x² + 3 sin²x: non-convex, L = 8, PL with μ = 1/32 (Karimi et al. 2016)
    x = np.linspace(-3, 3, 41)
    f = lambda x: x**2 + 3 * np.sin(x) ** 2  # noqa: E731
    fs = [f(x)]
    for _ in range(100):
        x = x - (2 * x + 3 * np.sin(2 * x)) / 8
        fs.append(f(x))
    fs = np.array(fs)
    assert np.all(fs <= fs[0] * (1 - 1 / 32 / 8) ** np.arange(101)[:, None] + 1e-15)


def test_nonconvex_stationarity_bound_on_rosenbrock():
    d = th.nonconvex_stationarity()
    D0 = d["Delta_0"]
    assert sp.simplify(d["bound"] - 2 * L * D0 / th.SYMBOLS["T"]) == 0  # Nesterov 2004, §1.2.3
    # Rosenbrock from (−1.2, 1) with a step below 1/L on its sublevel set
    p = gd.Rosenbrock()
    lr, T = 1e-3, 2000
    r = gd.run(gd.GradientDescent(lr=lr), p, np.array([-1.2, 1.0]), steps=T)
    assert np.all(np.diff(r.fs) <= 0)
    g2 = r.grad_norms[:-1] ** 2
    Lhat = 1 / lr  # any L ≥ the curvature met; the bound with η = 1/L
    assert g2.min() <= 2 * Lhat * (r.fs[0] - p.f_star) / T


@pytest.mark.parametrize("k", KAPPAS)
def test_kantorovich_bound_is_attained_from_the_worst_start(k):
    ratio = float(th.kantorovich_bound()["ratio_kappa"].subs(kappa, k))
    assert math.isclose(ratio, ((k - 1) / (k + 1)) ** 2, rel_tol=1e-12)  # Luenberger & Ye §8.6
    q = gd.Quadratic.from_eigenvalues([1.0 / k, 1.0])
    r = gd.steepest_descent(q, np.array([k, 1.0]), steps=10)
    np.testing.assert_allclose(r.fs[1:] / r.fs[:-1], ratio, rtol=1e-9)


def test_kantorovich_step_is_derived_not_assumed():
    d = th.kantorovich_bound()
    a, b = sp.symbols("a b", positive=True)
    assert sp.simplify(d["step_general"] - (mu**2 * a**2 + L**2 * b**2) / (mu**3 * a**2 + L**3 * b**2)) == 0
    assert sp.simplify(d["step"] - 2 / (mu + L)) == 0


def test_kantorovich_worst_start_is_derived():
    # the one-step ratio depends on s = (μa)²/(Lb)² only; its only critical point is s = 1, and r → 0 at both ends
    d = th.kantorovich_bound()
    s = sp.Symbol("s", positive=True)
    assert sp.simplify(d["ratio_s"] - s * (L - mu) ** 2 / ((L + mu * s) * (L * s + mu))) == 0
    assert d["critical"] == [1] and d["ends"] == (0, 0)
    assert sp.simplify(d["ratio"] - ((L - mu) / (L + mu)) ** 2) == 0
    # numerically: no start on the unit circle beats the bound (κ = 10)
    q = gd.Quadratic.from_eigenvalues([0.1, 1.0])
    angles = np.linspace(0, np.pi, 2001)[1:-1]
    r = gd.steepest_descent(q, np.stack([np.cos(angles), np.sin(angles)], axis=-1), steps=1)
    assert np.max(r.fs[1] / r.fs[0]) <= (9 / 11) ** 2 * (1 + 1e-12)


@pytest.mark.parametrize("k", KAPPAS)
def test_akaike_many_dimensions_is_close_to_the_bound(k):
    # d = 50, eigenvalues filling [1/κ, 1]: the median asymptotic ratio is within 0.5% of the bound
    q = gd.Quadratic.from_eigenvalues(np.linspace(1 / k, 1, 50))
    r = gd.steepest_descent(q, np.random.default_rng(0).standard_normal((40, 50)), steps=400)
    ratio = np.median((r.fs[-1] / r.fs[-101]) ** (1 / 100))
    bound = ((k - 1) / (k + 1)) ** 2
    assert ratio <= bound * (1 + 1e-9) and ratio >= bound - 0.005


def test_heavy_ball_closed_forms():
    d = th.heavy_ball()
    assert sp.simplify(d["alpha_star"] - 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2) == 0  # Polyak 1964
    assert sp.simplify(d["beta_star"] - ((sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu))) ** 2) == 0
    z = th.SYMBOLS["z"]
    alpha, beta = th.SYMBOLS["alpha"], th.SYMBOLS["beta"]
    assert sp.expand(d["charpoly"] - (z**2 - (1 + beta - alpha * lam) * z + beta)) == 0
    # the minimax is derived: the band of complex roots (1 ∓ √β)²/α, and the two bounds on √β cross at α*
    lo, hi = d["band"]
    assert (
        sp.simplify(lo - (1 - sp.sqrt(beta)) ** 2 / alpha) == 0
        and sp.simplify(hi - (1 + sp.sqrt(beta)) ** 2 / alpha) == 0
    )
    assert d["monotone"]


def test_heavy_ball_minimax_by_brute_force():
    # no (α, β) on a grid does better over eigenvalues filling [μ, L] than √β* (Polyak 1964)
    m, big = 0.01, 1.0
    A, B, lams = np.meshgrid(
        np.linspace(0.5, 4.5, 161), np.linspace(0, 0.99, 160), np.linspace(m, big, 30), indexing="ij"
    )
    s = 1 + B - A * lams
    root = np.sqrt((s * s - 4 * B).astype(complex))
    worst = np.maximum(np.abs((s + root) / 2), np.abs((s - root) / 2)).max(axis=-1)
    rate = float(th.heavy_ball()["rate"].subs({L: big, mu: m}))
    assert math.isclose(rate, 9 / 11, rel_tol=1e-12) and worst.min() >= rate - 1e-3


def test_textbook_forms_are_checked():
    with pytest.raises(ValueError, match="is not equal"):
        th.Textbook("1 - beta", 1 + th.SYMBOLS["beta"])


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
    assert d["discriminant"] == 0 and d["root_equals_rate"] and d["edge_at_mu"]
    rate = 1 - 1 / math.sqrt(k)
    # every λ in [μ, L] is no worse than λ = μ (Nesterov 2004, §2.2.1): the roots of z² − (1+β)cz + βc
    beta_k = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    c = 1 - np.linspace(1 / k, 1.0, 400)
    disc = ((1 + beta_k) * c) ** 2 - 4 * beta_k * c
    worst = np.abs(((1 + beta_k) * c + np.sqrt(disc.astype(complex))) / 2)
    assert worst.max() <= rate + 1e-6 and math.isclose(worst[0], rate, rel_tol=1e-6)
    q = gd.Quadratic.from_condition(kappa=k, L=1.0)
    b = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    got = measured_rate(gd.SGD(lr=1.0, momentum=b, nesterov=True), q, int(min(60 * math.sqrt(k), 3000)))
    assert math.isclose(got, rate, rel_tol=0.03), (got, rate)


def test_heavy_ball_outside_band_bound():
    # the polynomial at z = 1 − √(αλ) is √(αλ)(β − (1 − √(αλ))²): ≤ 0 outside the band, so radius ≥ |1 − √(αλ)|
    d = th.heavy_ball()
    x = sp.Rational(3, 7)
    vals = {th.SYMBOLS["alpha"]: 1, th.SYMBOLS["beta"]: sp.Rational(1, 9), th.SYMBOLS["lambda"]: x}
    got = d["at_edge"].subs(vals)
    assert sp.simplify(got - sp.sqrt(x) * (sp.Rational(1, 9) - (1 - sp.sqrt(x)) ** 2)) == 0
    rng = np.random.default_rng(0)
    for _ in range(200):
        beta_, x_ = rng.uniform(0, 1), rng.uniform(0, 5)
        s_ = 1 + beta_ - x_
        r_ = np.max(np.abs(np.roots([1, -s_, beta_])))
        assert r_ >= max(np.sqrt(beta_), abs(1 - np.sqrt(x_))) - 1e-12


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_nesterov_stability_edge(beta):
    # nesterov=True on quadratics with λ ≤ L: stable iff αL < 2(1 + β)/(1 + 2β) (chapter 4, Exercise 4.3)
    edge = 2 * (1 + beta) / (1 + 2 * beta)
    q = gd.Quadratic.from_condition(kappa=10.0, L=1.0)
    for factor, stable in ((0.98, True), (1.02, False)):
        r = gd.run(gd.SGD(lr=factor * edge, momentum=beta, nesterov=True), q, np.array([1.0, 1.0]), steps=3000)
        err = float(np.linalg.norm(r.xs[-1] - q.x_star))
        assert (err < 1e-6) if stable else not (err < 1.0), (beta, factor, err)


def test_nesterov_rate_modulus_increases_with_c():
    d = th.nesterov_rate()
    assert any("derivative in c is positive" in step[0] for step in d.steps)


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
    assert repr(d).splitlines()[0].startswith("Optimal constant step for gradient descent on a quadratic")
    assert "2/(L + mu)" in repr(d) and d._repr_latex_().startswith("$\\begin{aligned}")


GD_DERIVATIONS = [
    "gd_contraction",
    "gd_stability",
    "gd_optimal_step",
    "iterations_to_epsilon",
    "descent_lemma",
    "smooth_convex_bound",
    "strongly_convex_rate",
    "pl_rate",
    "nonconvex_stationarity",
    "kantorovich_bound",
]


@pytest.mark.parametrize("name", GD_DERIVATIONS)
def test_gradient_descent_derivations_read_like_a_textbook(name):
    latex = getattr(th, name)()._repr_latex_()
    texts = re.findall(r"\\text\{([^}]*)\}", latex)
    assert texts and not any("_" in x or "^" in x or "\\" in x for x in texts), texts  # no raw subscripts
    assert not any("&" in x or "%" in x for x in texts), texts  # LaTeX specials inside \text{}
    assert r"- \eta \lambda + 1" not in latex and r"\left|-1" not in latex  # 1 − ηλ, not −ηλ + 1


def _same(shown, computed):
    """sp.simplify(shown − computed) == 0, side by side for relations and entry by entry for tuples."""
    if isinstance(computed, sp.core.relational.Relational):
        return type(shown) is type(computed) and _same(shown.lhs, computed.lhs) and _same(shown.rhs, computed.rhs)
    if isinstance(computed, sp.Tuple):
        return len(shown) == len(computed) and all(_same(a, b) for a, b in zip(shown, computed, strict=True))
    return sp.simplify(sp.sympify(shown).doit() - computed) == 0


@pytest.mark.parametrize("name", GD_DERIVATIONS)
def test_displayed_formulas_are_the_computed_ones(name):
    # every displayed formula of a computed row is printed by SymPy from a display expression that simplifies
    # to the computed one (no hand-typed LaTeX for it); hand-typed rows have no computed expression and say so
    d = getattr(th, name)()
    for text, row in d.steps:
        if not isinstance(row, th.Shown):
            continue
        if row.expr is None:
            assert row.latex is not None and ("(by hand)" in text or "(assumed)" in text), text
            continue
        assert row.latex is None, text
        assert _same(row.shown, row.expr), (text, row.shown, row.expr)
        shown_latex = d._repr_latex_()
        assert sp.latex(row.shown, order=row.order, symbol_names=row.names) in shown_latex, text


def test_shown_refuses_hand_latex_for_a_computed_row():
    with pytest.raises(ValueError, match="not hand-typed LaTeX"):
        th.Shown(mu + L, latex=r"\mu + L")


def test_iterations_series_next_term_is_kappa_to_the_minus_five():
    series = th.iterations_to_epsilon()["series"]
    rho = (kappa - 1) / (kappa + 1)
    rest = sp.series(sp.log(1 / rho), kappa, sp.oo, 6).removeO() - series
    assert sp.simplify(rest - sp.Rational(2, 5) / kappa**5) == 0


def test_exercise_2_5_global_bound_is_tight_at_eta_star():
    # chapter 2, exercise 2.5 model answer: at η = 2/(μ + L) the global bound equals the local prediction on the
    # breast-cancer data for every λ (a direction with no data curvature leaves only the penalty), while the
    # largest local eigenvalue is far below L, so a much larger step is stable near θ*
    cancer = gd.load_breast_cancer().standardized()
    for lam_ in (1e-3, 1e-2, 1e-1, 1.0):
        p = gd.LogisticRegression(cancer.X, cancer.y, l2=lam_)
        ev = np.linalg.eigvalsh(p.hess(p.x_star))
        step = 2 / (p.mu + p.L)
        bound, local = (p.kappa - 1) / (p.kappa + 1), np.max(np.abs(1 - step * ev))
        assert abs(ev[0] - lam_) < 0.01 * lam_ and abs(local - bound) < 1e-5
        assert 2 / ev[-1] > 2 * step and (lam_ > 1e-3 or 2 / ev[-1] > 20 * step)  # 24× larger at λ = 1e-3
        local_best = (ev[-1] - ev[0]) / (ev[-1] + ev[0])  # at the locally optimal step 2/(λ_min + λ_max)
        assert local_best < bound
