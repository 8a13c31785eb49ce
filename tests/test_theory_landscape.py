"""Chapter 9's derivations (gdlib.theory.landscape) against the published forms (typed here from the sources)
and against simulations with gdlib's problems and optimizers."""

import numpy as np
import pytest
import sympy as sp

import gdlib as gd
from gdlib.theory.landscape import gamma, r, s, sigma, tau, u0

th = gd.theory
eta, beta = th.SYMBOLS["eta"], th.SYMBOLS["beta"]


def test_saddle_escape_is_the_published_log_ratio():
    d = th.saddle_escape()
    n = d["n"]
    assert sp.simplify(d["u_t"] - u0 * (1 + eta * gamma) ** n) == 0
    assert sp.simplify(d["T"] - sp.log(r / u0) / sp.log(1 + eta * gamma)) == 0


@pytest.mark.parametrize("lr, b", [(0.1, 1.0), (0.05, 2.0), (0.3, 0.5)])
def test_saddle_escape_time_matches_gradient_descent_on_gd_saddle(lr, b):
    rng = np.random.default_rng(1)
    y0 = 10.0 ** rng.uniform(-9, -1, 50) * rng.choice([-1.0, 1.0], 50)
    x0 = np.stack([np.ones(50), y0], axis=1)
    run = gd.run(gd.SGD(lr=lr), gd.Saddle(a=1.0, b=b), x0, steps=2000)
    measured = np.argmax(np.abs(run.xs[:, :, 1]) >= 1.0, axis=0)
    T = sp.lambdify((r, u0, eta, gamma), th.saddle_escape()["T"])
    assert np.array_equal(measured, np.ceil(T(1.0, np.abs(y0), lr, b)))


def test_momentum_growth_is_the_larger_characteristic_root():
    rho = th.saddle_escape_momentum()["rho"]
    without_momentum = rho.subs(beta, 0).subs(sp.sqrt(sp.expand((1 + eta * gamma) ** 2)), 1 + eta * gamma)
    assert sp.factor(without_momentum) == 1 + eta * gamma
    for lr, g, b in [(0.1, 1.0, 0.9), (0.05, 2.0, 0.5), (0.2, 0.3, 0.99)]:
        value = float(rho.subs({eta: lr, gamma: g, beta: b}))
        assert np.isclose(value, np.max(np.roots([1.0, -(1 + b + lr * g), b]).real), rtol=1e-12)
        assert value > 1 + lr * g
        # the heavy ball on gd.Saddle: the escape coordinate grows by ρ₊ per step once the other root has died
        run = gd.run(gd.SGD(lr=lr, momentum=b), gd.Saddle(a=1.0, b=g), np.array([0.0, 1e-12]), steps=400)
        y = run.xs[:, 1]
        assert np.isclose(y[-1] / y[-2], value, rtol=1e-8)


def test_momentum_start_component_is_the_published_form_and_solves_the_start():
    d = th.saddle_escape_momentum()
    rho, rho_minus, c_plus = d["rho"], d["rho_minus"], d["c_plus"]
    q = 1 + eta * gamma
    c_minus = u0 - c_plus
    for point in [
        {eta: 0.1, gamma: 1.0, beta: 0.9},
        {eta: 0.05, gamma: 2.0, beta: 0.5},
        {eta: 0.3, gamma: 0.5, beta: 0.2},
    ]:
        cp, cm = float(c_plus.subs(point).subs(u0, 1)), float(c_minus.subs(point).subs(u0, 1))
        rp, rm = float(rho.subs(point)), float(rho_minus.subs(point))
        assert np.isclose(cp * rp + cm * rm, float(q.subs(point)), rtol=1e-12)  # u_1 = (1 + ηγ) u_0
        assert np.isclose(rp * rm, point[beta], rtol=1e-12)  # the product of the roots is β
    # β = 0.9, ηγ = 0.1: c₊ = 0.658 u₀, so T = log(r/c₊)/log ρ₊ is 1.52 steps more than log(r/u₀)/log ρ₊
    at = {eta: 0.1, gamma: 1.0, beta: 0.9, u0: 1e-6, r: 1.0}
    assert np.isclose(float(c_plus.subs(at)) / 1e-6, 0.6582, atol=1e-4)
    assert np.isclose(float(d["T"].subs(at) - sp.log(r / u0).subs(at) / sp.log(rho).subs(at)), 1.52, atol=0.01)


@pytest.mark.parametrize("lr, g, b", [(0.1, 1.0, 0.9), (0.05, 2.0, 0.5), (0.2, 0.5, 0.7)])
def test_momentum_escape_time_matches_the_heavy_ball_on_gd_saddle(lr, g, b):
    rng = np.random.default_rng(2)
    y0 = 10.0 ** rng.uniform(-9, -2, 60) * rng.choice([-1.0, 1.0], 60)
    x0 = np.stack([np.ones(60), y0], axis=1)
    run = gd.run(gd.SGD(lr=lr, momentum=b), gd.Saddle(a=1.0, b=g), x0, steps=1500)
    measured = np.argmax(np.abs(run.xs[:, :, 1]) >= 1.0, axis=0)
    T = sp.lambdify((r, u0, eta, gamma, beta), th.saddle_escape_momentum()["T"])
    gap = measured - T(1.0, np.abs(y0), lr, g, b)
    assert np.all(np.abs(run.xs[-1, :, 1]) >= 1.0)
    assert np.all((gap > -1e-6) & (gap < 1.0)), (gap.min(), gap.max())  # the escape step is T rounded up


def test_noise_variance_and_escape_time_against_monte_carlo():
    d = th.saddle_escape_noise()
    n = d["n"]
    assert sp.simplify(d["v_t"] - sigma**2 * ((1 + eta * gamma) ** (2 * n) - 1) / ((1 + eta * gamma) ** 2 - 1)) == 0
    assert sp.simplify(d["v_t"].subs(n, 0)) == 0
    lr, g, sd, steps = 0.1, 1.0, 1e-3, 30
    rng = np.random.default_rng(0)
    u = np.zeros(200_000)
    for _ in range(steps):
        u = (1 + lr * g) * u + sd * rng.standard_normal(u.size)
    predicted = float(d["v_t"].subs({n: steps, eta: lr, gamma: g, sigma: sd}))
    assert abs(np.mean(u**2) / predicted - 1) < 0.02
    # T solves v_T = r²
    T = d["T"].subs({r: 1, eta: lr, gamma: g, sigma: sd})
    assert abs(float(d["closed"].subs({n: T, eta: lr, gamma: g, sigma: sd})) - 1.0) < 1e-9


def test_saxe_mode_is_the_published_solution():
    d = th.saxe_mode()
    t = sp.Symbol("t", nonnegative=True)
    published = s * sp.exp(2 * s * t / tau) / (sp.exp(2 * s * t / tau) - 1 + s / u0)  # Saxe et al. 2014, §1
    assert sp.simplify(d["u"] - published) == 0
    assert sp.simplify(d["u"].subs(t, 0) - u0) == 0
    u = sp.Function("u")
    assert sp.simplify(d["ode"].rhs - 2 * u(t) * (s - u(t))) == 0  # derived from the two-layer flow
    assert sp.simplify(tau * sp.diff(d["u"], t) - 2 * d["u"] * (s - d["u"])) == 0  # it solves the ODE
    assert sp.simplify(d["t_half"] - tau / (2 * s) * sp.log(s / u0 - 1)) == 0
    uf = sp.Symbol("u_f", positive=True)
    published_time = tau / (2 * s) * sp.log(uf * (s - u0) / (u0 * (s - uf)))
    assert sp.simplify(d["t_f"] - published_time) == 0


def test_saxe_half_times_match_gd_on_deep_linear_from_an_aligned_start():
    p = gd.DeepLinear(depth=2, width=3, singular_values=[3.0, 1.0, 0.4], seed=3)
    U, sv, Vt = np.linalg.svd(p.M)
    start, lr = 1e-5, 0.005
    run = gd.run(gd.SGD(lr=lr), p, (np.sqrt(start) * Vt[:, :], np.sqrt(start) * U), steps=5000)
    W1, W2 = run.xs
    modes = np.einsum("ai,tab,bi->ti", U, W2 @ W1, Vt.T)
    measured = (modes >= sv / 2).argmax(axis=0)
    t_half = sp.lambdify((s, u0, tau), th.saxe_mode()["t_half"])
    predicted = t_half(sv, start, 1.0) / lr
    assert np.all(np.abs(measured / predicted - 1) < 0.02)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_sam_ascent_is_rho_g_over_norm(d):
    res = th.sam_ascent(d)
    g, rho = res["g"], res["rho"]
    norm = sp.sqrt(sum(x**2 for x in g))
    assert sp.simplify(res["eps_hat"] - rho * g / norm) == sp.zeros(d, 1)  # Foret et al. 2021, eq. (2), p = 2
    assert sp.simplify(res["value"] - rho * norm) == 0
    # numerically: no point of the sphere does better, and gd.SAM's ε is this one
    rng = np.random.default_rng(d)
    gv, rv = rng.standard_normal(d), 0.3
    best = np.array(res["eps_hat"].subs({**dict(zip(g, gv, strict=True)), rho: rv}), dtype=float).ravel()
    others = rng.standard_normal((5000, d))
    others = rv * others / np.linalg.norm(others, axis=1, keepdims=True)
    assert np.all(others @ gv <= best @ gv + 1e-12)
    q = gd.Quadratic(np.eye(d))  # ∇L(θ) = θ, so SAM with lr 1 from θ steps to θ − (θ + ε) = −ε
    theta = gv.copy()
    after = gd.run(gd.SAM(gd.SGD(lr=1.0), rho=rv), q, theta, steps=1).xs[-1]
    assert np.allclose(-after, rv * gv / np.linalg.norm(gv), atol=1e-12)


def test_every_derivation_displays_without_raw_text_artefacts():
    from gdlib.theory.landscape import deep_linear_mode

    for f in (
        th.saddle_escape,
        th.saddle_escape_momentum,
        th.saddle_escape_noise,
        th.saxe_mode,
        deep_linear_mode,
        th.sam_ascent,
    ):
        latex = f()._repr_latex_()
        assert "\\text{" in latex  # the explanations
        for piece in latex.split("\\text{")[1:]:
            text = piece.split("}")[0]
            assert "_" not in text and "^" not in text, text


def test_deep_linear_mode_reduces_to_saxe_and_has_the_power_law_plateau():
    from gdlib.theory.landscape import deep_linear_mode

    v = sp.Symbol("u", positive=True)
    assert sp.simplify(deep_linear_mode(2)["rate"] - 2 * v * (s - v)) == 0  # depth 2: Saxe's Bernoulli equation
    for depth in (3, 4, 5):
        d = deep_linear_mode(depth)
        assert sp.simplify(d["rate"] - depth * v ** (2 - sp.Rational(2, depth)) * (s - v)) == 0
        # the leading-order time to leave u0: τ u0^{-(1 - 2/L)} / ((L - 2) s)
        assert sp.simplify(d["plateau"] - tau * u0 ** (-(1 - sp.Rational(2, depth))) / ((depth - 2) * s)) == 0


@pytest.mark.parametrize("depth", [3, 4])
def test_deep_linear_mode_half_times_match_gd_on_deep_linear(depth):
    from gdlib.theory.landscape import deep_linear_mode

    p = gd.DeepLinear(depth=depth, width=3, singular_values=[3.0, 1.5, 1.0], seed=1)
    U, sv, Vt = np.linalg.svd(p.M)
    start, lr = 1e-3, 0.005
    a0 = start ** (1 / depth)
    run = gd.run(gd.SGD(lr=lr), p, tuple([a0 * Vt] + [a0 * np.eye(3)] * (depth - 2) + [a0 * U]), steps=5000)
    product = run.xs[0]
    for W in run.xs[1:]:
        product = W @ product
    modes = np.einsum("ai,tab,bi->ti", U, product, Vt.T)
    measured = (modes >= sv / 2).argmax(axis=0)
    rate = sp.lambdify((sp.Symbol("u", positive=True), s), deep_linear_mode(depth)["rate"])
    predicted = []
    for s_i in sv:
        grid = np.geomspace(start, s_i / 2, 20000)
        predicted.append(np.trapezoid(1 / rate(grid, s_i), grid) / lr)
    assert np.all(measured > 0)
    assert np.all(np.abs(measured / np.array(predicted) - 1) < 0.03)
