"""gdlib.theory.schedules (chapter 7) against the published forms and against simulation."""

import math
import re

import numpy as np
import pytest
import sympy as sp

import gdlib as gd
from gdlib.theory import schedules as S
from gdlib.theory._base import L, beta, eta, mu

M, lam, sigma, khat, k = S.M, S.lam, S.sigma, S.khat, S.k


def _rows(d):
    """Every displayed row equals what was computed."""
    for text, shown in d.steps:
        if getattr(shown, "display", None) is not None and shown.expr is not None:
            assert sp.simplify(shown.display - shown.expr) == 0, text


@pytest.mark.parametrize(
    "make",
    [
        gd.theory.noise_floor_recursion,
        gd.theory.constant_step_floor,
        gd.theory.diminishing_step_rate,
        gd.theory.step_decay_rate,
    ],
)
def test_displayed_rows_equal_the_derived_expressions(make):
    d = make()
    _rows(d)
    assert "\\text{" not in "".join(sp.latex(s) for _, s in d.steps)  # no raw text artefacts in the formulas
    texts = re.findall(r"\\text\{([^}]*)\}", d._repr_latex_())
    assert texts and not any(c in x for x in texts for c in "_^\\&%"), texts  # plain text in \text{}
    assert d.reference and d._repr_latex_().startswith("$")


def test_noise_floor_is_chapter_3s_first_order_and_exact_for_the_recursion():
    d = gd.theory.noise_floor_recursion()
    assert sp.simplify(d["floor"] - eta * sigma**2 / (2 * (2 - eta * lam))) == 0
    assert sp.simplify(d["first_order"] - eta * sigma**2 / 4) == 0  # chapter 3: η tr Σ / 4
    assert sp.simplify(d["contraction"] - (1 - eta * lam) ** 2) == 0
    # iterate the recursion numerically: it converges to the floor
    e, l, s2 = 0.3, 0.7, 2.0
    v = 5.0
    for _ in range(2000):
        v = (1 - e * l) ** 2 * v + e**2 * s2
    assert math.isclose(l * v / 2, float(d["floor"].subs({eta: e, lam: l, sigma: math.sqrt(s2)})), rel_tol=1e-12)


def test_noise_floor_matches_a_simulation_over_many_seeds():
    d = gd.theory.noise_floor_recursion()
    rng = np.random.default_rng(0)
    e_, l, s = 0.2, 1.5, 0.8
    runs, steps = 4000, 400
    x = np.zeros(runs)
    tail = []
    for t in range(steps):
        x = x - e_ * (l * x + s * rng.standard_normal(runs))
        if t >= steps // 2:
            tail.append(0.5 * l * x**2)
    tail = np.array(tail).mean(axis=0)
    want = float(d["floor"].subs({eta: e_, lam: l, sigma: s}))
    assert abs(tail.mean() - want) < 4 * tail.std(ddof=1) / np.sqrt(runs)


def test_constant_step_is_bottou_curtis_nocedal_theorem_4_6():
    d = gd.theory.constant_step_floor()
    # BCN (4.14) with c = μ, their μ = 1: F_α = ᾱLM/(2cμ)
    assert sp.simplify(d["floor"] - eta * L * M / (2 * mu)) == 0
    assert d["solves"]
    # the published bound, ᾱLM/(2cμ) + (1 − ᾱcμ)^(k−1)(F(x₁) − F* − ᾱLM/(2cμ)), at a numeric point
    point = {eta: 0.1, L: 2.0, M: 3.0, mu: 0.5, k: 7, S.phi1: 4.0}
    published = 0.1 * 2 * 3 / (2 * 0.5) + (1 - 0.1 * 0.5) ** 6 * (4.0 - 0.1 * 2 * 3 / (2 * 0.5))
    assert math.isclose(float(d["solution"].subs(point)), published, rel_tol=1e-12)


def test_constant_step_bound_holds_on_a_noisy_quadratic():
    """E[L − L*] stays below the Thm 4.6 bound at every step (quadratic, additive noise, η ≤ 1/L)."""
    d = gd.theory.constant_step_floor()
    lams, s2, e_, runs = np.array([1.0, 0.25]), np.array([0.5, 0.5]), 0.3, 2000
    rng = np.random.default_rng(1)
    x = np.tile([4.0, 4.0], (runs, 1))
    phi1 = 0.5 * (16 * lams).sum()
    for t in range(1, 300):
        x = x - e_ * (lams * x + np.sqrt(s2) * rng.standard_normal(x.shape))
        gap = 0.5 * (x**2 @ lams)
        bound = float(d["solution"].subs({eta: e_, L: 1.0, M: s2.sum(), mu: 0.25, k: t + 1, S.phi1: phi1}))
        assert gap.mean() - 4 * gap.std(ddof=1) / np.sqrt(runs) < bound


def test_diminishing_step_is_theorem_4_7():
    d = gd.theory.diminishing_step_rate()
    # BCN (4.21): ν ≥ β²LM/(2(βcμ − 1)) with c = μ, μ = 1
    assert sp.simplify(d["nu"] - beta**2 * L * M / (2 * (beta * mu - 1))) == 0
    assert sp.simplify(d["margin"] - 1 / (khat**2 * (khat + 1))) == 0
    assert d["beta_best"] == 2 / mu and sp.simplify(d["nu_min"] - 2 * L * M / mu**2) == 0
    # the induction step: with ν at its threshold, one step of the recursion lands at or below ν/(k̂ + 1)
    point = {beta: 3.0, mu: 0.5, L: 1.0, M: 2.0}
    nu = float(d["nu"].subs(point))
    for kh in (1.5, 3.0, 10.0, 1000.0):
        after = float(d["after"].subs({**point, khat: kh, S.nu: nu}))
        assert after <= nu / (kh + 1) + 1e-15


def test_diminishing_step_bound_holds_in_simulation():
    lams, s2, runs = np.array([1.0, 0.2]), np.array([1.0, 1.0]), 2000
    b = 2 / 0.2
    g = b * 1.0 - 1  # η₁ = β/(γ + 1) = 1/L
    rng = np.random.default_rng(2)
    x = np.tile([5.0, 5.0], (runs, 1))
    phi1 = 0.5 * (25 * lams).sum()
    nu = max(float(gd.theory.diminishing_step_rate()["nu"].subs({beta: b, mu: 0.2, L: 1.0, M: 2.0})), (g + 1) * phi1)
    for t in range(2000):
        x = x - b / (g + t + 1) * (lams * x + np.sqrt(s2) * rng.standard_normal(x.shape))
        gap = 0.5 * (x**2 @ lams)
        assert gap.mean() - 4 * gap.std(ddof=1) / np.sqrt(runs) <= nu / (g + t + 2)


def test_step_decay_constant_is_two_log_three():
    d = gd.theory.step_decay_rate()
    assert sp.simplify(d["t_gap_limit"] - 2 * sp.log(3) * L * M / mu**2) == 0
    assert sp.simplify(d["k_exact"] + sp.log(3) / sp.log(1 - sp.Symbol("eta_r", positive=True) * mu)) == 0
    # the product t_R·2F_R approaches its limit from below as R grows
    prod = d["product"].subs({L: 1, M: 1, mu: 1})
    values = [float(prod.subs(S.R, r)) for r in (1, 2, 5, 20)]
    assert values == sorted(values) and abs(values[-1] - 2 * math.log(3)) < 1e-5


def test_step_decay_phases_halve_the_gap_in_simulation():
    """Following the derived phase lengths, the expected gap (exact recursion) ends each phase below 2F_r."""
    lams, s2, mu_, L_ = np.array([1.0, 0.2]), np.array([1.0, 1.0]), 0.2, 1.0
    F = lambda e: e * L_ * s2.sum() / (2 * mu_)  # noqa: E731
    v = np.array([100.0, 100.0])
    gap = lambda v: 0.5 * v @ lams  # noqa: E731
    e_ = 1.0
    while gap(v) > 2 * F(e_):
        v = (1 - e_ * lams) ** 2 * v + e_**2 * s2
    for _ in range(6):
        e_ /= 2
        steps = math.ceil(math.log(3) / -math.log(1 - e_ * mu_))
        for _ in range(steps):
            v = (1 - e_ * lams) ** 2 * v + e_**2 * s2
        assert gap(v) <= 2 * F(e_)


def test_constant_step_recursion_is_derived_from_the_descent_lemma():
    """Row 1 of Thm 4.6 is produced (descent lemma, η ≤ 1/L, strong convexity), and rsolve gives the closed form."""
    d = gd.theory.constant_step_floor()
    G = sp.Symbol("G", positive=True)
    assert sp.simplify(d["coefficient"] - eta * (1 - L * eta / 2)) == 0
    assert sp.simplify(d["slack"] - (1 - L * eta) / 2) == 0  # ≥ 0 exactly when η ≤ 1/L
    assert sp.simplify(d["recursion"] - ((1 - eta * mu) * S.phi + eta**2 * L * M / 2)) == 0
    assert G not in d["recursion"].free_symbols
    point = {eta: 0.3, L: 2.0, M: 1.5, mu: 0.4, S.phi1: 5.0}
    for kk in (1, 2, 9):
        assert math.isclose(float(d["rsolve"].subs({**point, k: kk})), float(d["solution"].subs({**point, k: kk})))
