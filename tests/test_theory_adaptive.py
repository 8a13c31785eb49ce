"""gd.theory's chapter-5 derivations (gdlib/theory/adaptive.py) against the published forms (typed here from
the sources) and against simulations: Monte Carlo means of Adam's moments, gd.Adam and hand-written ε-hat
Adam, gd.RAdam and torch.optim.RAdam."""

import numpy as np
import pytest
import sympy as sp

import gdlib as gd
from gdlib.theory.adaptive import beta1, beta2, eps, eps_hat, rho_inf, rho_t, t

th = gd.theory
beta = gd.theory.SYMBOLS["beta"]


def test_ema_memory_published_forms():
    d = th.ema_memory()
    assert sp.simplify(d["total"] - 1) == 0
    assert sp.simplify(d["total_t"] - (1 - beta**t)) == 0
    assert sp.simplify(d["mean_age"] - beta / (1 - beta)) == 0
    assert sp.simplify(d["memory"] - 1 / (1 - beta)) == 0
    assert sp.simplify(d["half_life"] - sp.log(2) / sp.log(1 / beta)) == 0


@pytest.mark.parametrize("b", [0.5, 0.9, 0.99])
def test_ema_memory_matches_a_simulated_average(b):
    d = th.ema_memory()
    a, weights = 1.0, []  # impulse response: a value 1 at age 0, then zeros
    a = (1 - b) * 1.0
    for _ in range(20000):
        weights.append(a)
        a = b * a
    w = np.array(weights)
    age = np.arange(len(w))
    assert abs(w.sum() - 1) < 1e-9
    assert abs((age * w).sum() - float(d["mean_age"].subs(beta, b))) < 1e-6
    h = float(d["half_life"].subs(beta, b))
    assert abs(w[0] * 0.5 - (1 - b) * b**h) < 1e-12  # the weight has halved after h steps
    assert abs(h - np.log(0.5) / np.log(b)) < 1e-12


def test_bias_correction_published_form_and_monte_carlo():
    d = th.adam_bias_correction()
    assert d["unrolled_matches"]  # three substitutions of the recursion equal the unrolled sum at t = 3
    mean_g, mean_g2 = d["mean_m"].free_symbols - {beta1, t}, d["mean_v"].free_symbols - {beta2, t}
    (Eg,), (Eg2,) = mean_g, mean_g2
    assert sp.simplify(d["mean_m"] - (1 - beta1**t) * Eg) == 0  # Kingma & Ba (2015), §3
    assert sp.simplify(d["mean_v"] - (1 - beta2**t) * Eg2) == 0
    rng = np.random.default_rng(0)
    mu, b1, b2, n = 0.5, 0.9, 0.99, 200_000
    m = v = np.zeros(n)
    for step in range(1, 31):
        g = mu + rng.standard_normal(n)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        if step in (1, 5, 30):
            predicted_m = float(d["mean_m"].subs({beta1: b1, t: step, Eg: mu}))
            predicted_v = float(d["mean_v"].subs({beta2: b2, t: step, Eg2: mu**2 + 1}))
            assert abs(m.mean() - predicted_m) < 5 * m.std() / np.sqrt(n)
            assert abs(v.mean() - predicted_v) < 5 * v.std() / np.sqrt(n)


def test_uncorrected_first_step_against_gd_adam():
    ratio = float(th.adam_bias_correction()["uncorrected_first_step"].subs({beta1: 0.9, beta2: 0.999}))
    g, lr = np.array([0.3, -2.0]), 0.01
    x1, _ = gd.Adam(lr=lr, eps=0.0).step(np.zeros(2), g, gd.Adam(lr=lr, eps=0.0).init(np.zeros(2)))
    m, v = 0.1 * g, 0.001 * g * g  # uncorrected moments after one step
    uncorrected = -lr * m / np.sqrt(v)
    assert np.allclose(np.abs(x1), lr)  # the corrected first step is η in every coordinate
    assert np.allclose(np.abs(uncorrected) / np.abs(x1), ratio, rtol=1e-12)


def _adam_eps_hat(g_seq, lr, b1, b2, eps_of_t):
    """Kingma & Ba (2015) §2, last paragraph: α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ), θ ← θ − α_t m/(√v + ε̂)."""
    x, m, v, xs = np.zeros_like(g_seq[0]), 0.0, 0.0, []
    for step, g in enumerate(g_seq, start=1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        x = x - lr * np.sqrt(1 - b2**step) / (1 - b1**step) * m / (np.sqrt(v) + eps_of_t(step))
        xs.append(x)
    return np.array(xs)


def test_epsilon_hat_relation_against_gd_adam():
    d = th.adam_epsilon_hat()
    assert sp.simplify(d["epsilon_hat"] - eps * sp.sqrt(1 - beta2**t)) == 0
    assert sp.simplify(d["torch_form"] - d["hat_form"].subs(eps_hat, d["epsilon_hat"])) == 0
    rng = np.random.default_rng(1)
    g_seq = 1e-3 * rng.standard_normal((50, 3))  # small gradients: ε matters
    lr, b1, b2, e = 0.01, 0.9, 0.999, 1e-4
    opt = gd.Adam(lr=lr, betas=(b1, b2), eps=e)
    x, state, library = np.zeros(3), opt.init(np.zeros(3)), []
    for g in g_seq:
        x, state = opt.step(x, g, state)
        library.append(x)
    library = np.array(library)
    eps_hat_of = sp.lambdify(t, d["epsilon_hat"].subs({eps: e, beta2: b2}))
    matched = _adam_eps_hat(g_seq, lr, b1, b2, eps_hat_of)
    same_number = _adam_eps_hat(g_seq, lr, b1, b2, lambda _: e)
    assert np.allclose(library, matched, rtol=1e-12, atol=1e-15)
    assert np.max(np.abs(library - same_number)) > 1e-3 * np.max(np.abs(library))


def test_radam_rho_published_form():
    d = th.radam_rectification()
    published = 2 / (1 - beta2) - 1 - 2 * t * beta2**t / (1 - beta2**t)  # Liu et al. (2020), Algorithm 2
    assert d["matches_published"]
    for b in (0.9, 0.99, 0.999):
        for step in (1, 2, 7, 100):
            got = float(d["rho_t"].subs({beta2: b, t: step}))
            assert abs(got - float(published.subs({beta2: b, t: step}))) < 1e-9
    assert sp.simplify(d["rho_inf"] - (2 / (1 - beta2) - 1)) == 0  # derived as the limit t → ∞, any 0 < β₂ < 1
    assert d["rho_inf"].subs(beta2, sp.Rational(999, 1000)) == 1999
    assert d["rho_1"] == 1
    assert d["switch_paper"](0.999) == 5 and d["switch_torch"](0.999) == 6
    r = d["r_t"]
    expected = sp.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    assert sp.simplify(r - expected) == 0


def _first_rectified_step(d, lr, b1, b2, g):
    """θ after the first step with ρ_t > 5, for a constant gradient g and ε = 0 (so m̂ = g, √v̂ = |g|)."""
    x, switch = 0.0, d["switch_torch"](b2)
    for step in range(1, switch + 1):
        if step < switch:
            x -= lr * g  # the un-rectified steps: m̂ = g
        else:
            rho = float(d["rho_t"].subs({beta2: b2, t: step}))
            r = float(d["r_t"].subs({rho_t: rho, rho_inf: 2 / (1 - b2) - 1}))
            x -= lr * r * np.sign(g)
    return x, switch


def test_radam_first_rectified_step_against_gd_radam():
    d = th.radam_rectification()
    lr, b1, b2, g = 0.1, 0.9, 0.999, 0.7
    expected, switch = _first_rectified_step(d, lr, b1, b2, g)
    opt = gd.RAdam(lr=lr, betas=(b1, b2), eps=0.0)
    x, state = np.array([0.0]), opt.init(np.array([0.0]))
    for _ in range(switch):
        x, state = opt.step(x, np.array([g]), state)
    assert abs(x[0] - expected) < 1e-12


def test_radam_first_rectified_step_against_torch():
    from conftest import require

    torch = require("torch")
    d = th.radam_rectification()
    lr, b1, b2, g = 0.1, 0.9, 0.999, 0.7
    expected, switch = _first_rectified_step(d, lr, b1, b2, g)
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RAdam([p], lr=lr, betas=(b1, b2), eps=0.0)
    for _ in range(switch):
        p.grad = torch.full((1,), g, dtype=torch.float64)
        opt.step()
    assert abs(p.item() - expected) < 1e-12


def test_radam_variance_published_forms_and_monte_carlo():
    """The moments of ψ² ~ scaled-inv-χ²(ρ, 1/σ²) (published: mean ρ/((ρ − 2)σ²), variance
    2ρ²/((ρ − 2)²(ρ − 4)σ⁴)), their conditions, the first-order Var ψ = ρ/(2(ρ − 2)(ρ − 4)σ²) of Liu et al.
    (2020), and a simulation."""
    from gdlib.theory.adaptive import rho, sigma

    d = th.radam_rectification()
    assert d["inverse_moment_conditions"] == (rho > 2, rho > 4)  # the threshold ρ > 4, from the integral
    assert sp.simplify(d["mean_psi2"] - rho / ((rho - 2) * sigma**2)) == 0
    assert sp.simplify(d["var_psi2"] - 2 * rho**2 / ((rho - 2) ** 2 * (rho - 4) * sigma**4)) == 0
    assert sp.simplify(d["var_psi"] - rho / (2 * (rho - 2) * (rho - 4) * sigma**2)) == 0
    rng = np.random.default_rng(0)
    r, s_ = 40.0, 0.5
    psi2 = r / (s_**2 * rng.chisquare(r, 1_000_000))
    assert abs(psi2.mean() / float(d["mean_psi2"].subs({rho: r, sigma: s_})) - 1) < 0.005
    assert abs(psi2.var() / float(d["var_psi2"].subs({rho: r, sigma: s_})) - 1) < 0.05
    # first order: an approximation that improves as ρ grows (about 13 % low at ρ = 20, 1 % at ρ = 200)
    errors = []
    for r in (20.0, 200.0):
        psi = np.sqrt(r / (s_**2 * rng.chisquare(r, 1_000_000)))
        errors.append(abs(psi.var() / float(d["var_psi"].subs({rho: r, sigma: s_})) - 1))
    assert errors[1] < 0.03 and errors[1] < errors[0] / 4
