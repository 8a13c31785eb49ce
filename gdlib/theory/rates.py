r"""Gradient descent's rates beyond quadratics (chapter 2, §2.0 and §2.4–2.5), derived with SymPy.

=============================  ==========================================  ==========================================
function                       result                                      assumption, source of the form
=============================  ==========================================  ==========================================
:func:`descent_lemma`          L(θ − ηg) ≤ L(θ) − η(1 − Lη/2)‖g‖²          L-smooth; Nesterov (2004) Lemma 1.2.3
:func:`smooth_convex_bound`    L(θ_T) − L* ≤ L‖θ₀ − θ*‖²/(2T)              convex, L-smooth; Beck (2017) Thm 10.21
:func:`strongly_convex_rate`   ‖e_{t+1}‖ ≤ (κ−1)/(κ+1) ‖e_t‖               μ-strongly convex, L-smooth; Nesterov
                                                                           (2004) Thm 2.1.15
:func:`pl_rate`                gap_{t+1} ≤ (1 − μ/L) gap_t                 PL, L-smooth; Karimi et al. (2016) Thm 1
:func:`nonconvex_stationarity` min_t ‖∇L(θ_t)‖² ≤ 2L(L(θ₀) − L*)/T          L-smooth only; Nesterov (2004) §1.2.3
=============================  ==========================================  ==========================================
"""

import sympy as sp

from ._base import Derivation, L, T, eta, kappa, mu
from ._display import LATEX_NAMES, Shown, frac, one_minus

U = lambda *factors: sp.Mul(*factors, evaluate=False)  # noqa: E731  a product kept in the order written

__all__ = ["descent_lemma", "smooth_convex_bound", "strongly_convex_rate", "pl_rate", "nonconvex_stationarity"]

t = sp.Symbol("t", integer=True, nonnegative=True)
#: norms and gaps, named as the chapter writes them
g_norm = sp.Symbol("‖g‖", positive=True)  # ‖∇L(θ)‖
e_norm = sp.Symbol("‖e‖", positive=True)  # ‖θ − θ*‖
R = sp.Symbol("R", positive=True)  # ‖θ₀ − θ*‖
gap = sp.Symbol("Delta", positive=True)  # L(θ) − L*
LATEX_NAMES.update({g_norm: r"\lVert g\rVert", e_norm: r"\lVert e\rVert"})


def descent_lemma():
    r"""The descent lemma, derived: for L-smooth f, f(θ + d) ≤ f(θ) + gᵀd + (L/2)‖d‖², hence a gradient step
    lowers f by at least η(1 − Lη/2)‖g‖²; the best guarantee is at η = 1/L: ‖g‖²/(2L).

    The integral form of Taylor's theorem along the segment θ + sd, s ∈ [0, 1], gives
    f(θ + d) − f(θ) − gᵀd = ∫₀¹ (∇f(θ + sd) − ∇f(θ))ᵀ d ds ≤ ∫₀¹ L s ‖d‖² ds (Cauchy–Schwarz and L-smoothness);
    SymPy evaluates the integral, substitutes d = −ηg and maximises the guaranteed decrease over η.

    >>> descent_lemma()["eta_best"]
    1/L
    """
    s = sp.Symbol("s", positive=True)
    d_norm = sp.Symbol("‖d‖", positive=True)
    remainder = sp.integrate(L * s * d_norm**2, (s, 0, 1))
    # the gradient step d = −ηg: gᵀd = −η‖g‖², ‖d‖² = η²‖g‖²
    change = sp.expand(-eta * g_norm**2 + remainder.subs(d_norm, eta * g_norm))
    decrease = sp.factor(-change)  # the guaranteed decrease η(1 − Lη/2)‖g‖² (factored)
    positive = sp.solve_univariate_inequality(decrease > 0, eta, relational=False)
    eta_best = sp.solve(sp.diff(decrease, eta), eta)[0]
    best = sp.simplify(decrease.subs(eta, eta_best))
    return Derivation(
        "The descent lemma for an L-smooth function (g = ∇L(θ))",
        [
            (
                "Taylor, integral form, along θ + sd (by hand)",
                Shown(
                    None,
                    r"L(\theta + d) = L(\theta) + g^\top d"
                    r" + \int_0^1 \bigl(\nabla L(\theta + s d) - g\bigr)^\top d\, ds",
                    text="L(θ + d) = L(θ) + gᵀd + ∫₀¹ (∇L(θ + sd) − g)ᵀd ds",
                ),
            ),
            (
                "L-smooth + Cauchy–Schwarz: integrand ≤ L s ‖d‖²; the integral",
                Shown(
                    remainder,
                    display=U(frac(L, 2), d_norm**2),
                    lhs=r"\int_0^1 L s \lVert d\rVert^2\, ds = ",
                    names={d_norm: r"\lVert d\rVert"},
                ),
            ),
            (
                "gradient step d = −ηg: change of the loss at most",
                Shown(change, display=sp.Add(-U(eta, g_norm**2), U(frac(U(L, eta**2), 2), g_norm**2), evaluate=False)),
            ),
            (
                "guaranteed decrease",
                Shown(decrease, display=U(eta, one_minus(frac(U(L, eta), 2)), g_norm**2)),
            ),
            ("positive for", positive),
            ("largest guarantee: d/dη = 0 at", eta_best),
            ("decrease with η = 1/L", Shown(best)),
        ],
        {
            "remainder": remainder,
            "decrease": decrease,
            "positive": positive,
            "eta_best": eta_best,
            "best_decrease": best,
            "g_norm": g_norm,
        },
        "Nesterov (2004), Introductory Lectures, Lemma 1.2.3 and §1.2.3",
    )


def smooth_convex_bound():
    r"""For L-smooth convex f and η = 1/L: f(θ_T) − f* ≤ L‖θ₀ − θ*‖²/(2T).

    This form and constant are Beck (2017), First-Order Methods in Optimization, Thm 10.21 (with g ≡ 0) and
    Garrigos and Gower (2023), §3. Nesterov (2004), Thm 2.1.14 with Cor. 2.1.2, states the weaker
    2L‖θ₀ − θ*‖²/(T + 4) (four times larger for large T), also returned (``nesterov_bound``).

    The one-step identity is checked on 2-D vectors (every term is an inner product, so 2-D is generic),
    and the telescoping sum is written out for T = 4.
    """
    dl = descent_lemma()
    th = sp.Matrix(sp.symbols("theta_1 theta_2", real=True))
    ths = sp.Matrix(sp.symbols("theta^*_1 theta^*_2", real=True))
    g = sp.Matrix(sp.symbols("g_1 g_2", real=True))
    nxt = th - g / L
    sq = lambda v: (v.T * v)[0]  # noqa: E731
    per_step = (g.T * (th - ths))[0] - sq(g) / (2 * L)  # convexity + descent lemma
    distance_drop = L / 2 * (sq(th - ths) - sq(nxt - ths))
    difference = sp.expand(distance_drop - per_step)
    holds = difference == 0
    D = sp.IndexedBase("D")  # D_t = ‖θ_t − θ*‖², so D_0 = R²
    telescoped = sp.Sum(D[t] - D[t + 1], (t, 0, 3)).doit()
    bound = L * R**2 / (2 * T)
    nesterov = 2 * L * R**2 / (T + 4)
    ratio = sp.limit(nesterov / bound, T, sp.oo)
    return Derivation(
        "O(1/T) for gradient descent with η = 1/L on an L-smooth convex function",
        [
            (
                "descent lemma with η = 1/L",
                Shown(
                    dl["best_decrease"],
                    lhs=r"L(\theta_{t+1}) \le L(\theta_t) - ",
                    names={g_norm: r"\lVert g_t\rVert"},
                ),
            ),
            (
                "convexity (by hand)",
                Shown(
                    None,
                    r"L(\theta_t) - L^\star \le g_t^\top(\theta_t - \theta^\star)",
                    text="L(θₜ) − L* ≤ gₜᵀ(θₜ − θ*)",
                ),
            ),
            (
                "add them (by hand)",
                Shown(
                    None,
                    r"L(\theta_{t+1}) - L^\star \le g_t^\top(\theta_t - \theta^\star) - \frac{\lVert g_t\rVert^2}{2L}",
                    text="L(θₜ₊₁) − L* ≤ gₜᵀ(θₜ − θ*) − ‖gₜ‖²/(2L)",
                ),
            ),
            (
                "= (L/2)(‖θₜ − θ*‖² − ‖θₜ₊₁ − θ*‖²): on 2-D vectors the difference expands to",
                difference,
            ),
            (
                "sum over t < T telescopes (written out for T = 4, Dₜ = ‖θₜ − θ*‖²)",
                Shown(
                    telescoped,
                    display=sp.Add(D[0], -D[4], evaluate=False),
                    lhs=r"\sum_{t=0}^{3} \left(D_t - D_{t+1}\right) = ",
                ),
            ),
            (
                "L(θₜ) decreases, so T times the last gap is at most the sum (by hand)",
                Shown(
                    None,
                    r"T\,\bigl(L(\theta_T) - L^\star\bigr) \le \sum_{t=1}^{T} \bigl(L(\theta_t) - L^\star\bigr)"
                    r" \le \frac{L}{2}\lVert\theta_0 - \theta^\star\rVert^2",
                    text="T·(L(θ_T) − L*) ≤ Σ (L(θₜ) − L*) ≤ (L/2)‖θ₀ − θ*‖²",
                ),
            ),
            ("bound, R = ‖θ₀ − θ*‖ (so D₀ = R²)", Shown(bound, lhs=r"L(\theta_T) - L^\star \le ")),
            ("Nesterov (2004) Cor. 2.1.2 states", nesterov),
            ("ratio of the two as T → ∞", ratio),
        ],
        {
            "bound": bound,
            "nesterov_bound": nesterov,
            "ratio": ratio,
            "identity_holds": holds,
            "difference": difference,
            "telescoped": telescoped,
        },
        "Beck (2017), First-Order Methods in Optimization, Thm 10.21; Garrigos and Gower (2023), §3",
    )


def strongly_convex_rate():
    r"""μ-strongly convex, L-smooth f (not only quadratics), η = 2/(μ + L):
    ‖θ_{t+1} − θ*‖ ≤ (κ−1)/(κ+1) ‖θ_t − θ*‖ (Nesterov 2004, Thm 2.1.15).

    With e = θ_t − θ*, g = ∇f(θ_t): ‖e − ηg‖² = ‖e‖² − 2η gᵀe + η²‖g‖², and Nesterov's Thm 2.1.12
    (gᵀe ≥ μL/(μ+L) ‖e‖² + 1/(μ+L) ‖g‖²) bounds the middle term; at η = 2/(μ+L) the ‖g‖² terms cancel.
    """
    ip = sp.Symbol("gᵀe", real=True)
    names = {ip: r"g^\top e"}
    lower = mu * L / (mu + L) * e_norm**2 + g_norm**2 / (mu + L)
    expanded = e_norm**2 - 2 * eta * ip + eta**2 * g_norm**2
    bounded = sp.expand(expanded.subs(ip, lower))
    coefficient_g = sp.factor(bounded.coeff(g_norm, 2))
    eta_star = sp.solve(coefficient_g, eta)[0]
    factor_sq = sp.factor(sp.simplify(bounded.subs(eta, eta_star) / e_norm**2))
    rate = sp.sqrt(factor_sq)
    rate = sp.factor(sp.simplify(sp.refine(rate, sp.Q.gt(L, mu))))
    rate_kappa = sp.simplify(rate.subs(L, kappa * mu))
    gap_factor = sp.simplify(L / 2 * rate_kappa ** (2 * T))
    return Derivation(
        "Gradient descent on a μ-strongly convex, L-smooth function",
        [
            (
                "one step: ‖e − ηg‖² expands to",
                Shown(
                    expanded,
                    display=sp.Add(e_norm**2, -U(2, eta, ip), U(eta**2, g_norm**2), evaluate=False),
                    names=names,
                ),
            ),
            (
                "Nesterov's Thm 2.1.12 (strong co-coercivity)",
                Shown(
                    lower,
                    display=sp.Add(U(frac(U(mu, L), L + mu), e_norm**2), frac(g_norm**2, L + mu), evaluate=False),
                    lhs=r"g^\top e \ge ",
                ),
            ),
            (
                "coefficient of ‖g‖² after substituting",
                Shown(coefficient_g, display=frac(U(eta, sp.Add(U(L + mu, eta), -2, evaluate=False)), L + mu)),
            ),
            (
                "it vanishes at (below it the ‖g‖² term is negative and is dropped, leaving the factor"
                " 1 − 2ημL/(μ + L), which falls with η: the largest such η is best)",
                eta_star,
            ),
            ("then ‖eₜ₊₁‖²/‖eₜ‖² ≤", factor_sq),
            ("rate on ‖e‖ with L = κμ", rate_kappa),
            (
                "and on the loss (L-smoothness: gap ≤ (L/2)‖e‖²)",
                Shown(
                    gap_factor,
                    display=U(
                        frac(L, 2),
                        sp.Pow(
                            frac(sp.Add(kappa, -1, evaluate=False), sp.Add(kappa, 1, evaluate=False)),
                            2 * T,
                            evaluate=False,
                        ),
                    ),
                    lhs=r"L(\theta_T) - L^\star \le ",
                    rhs=r"\lVert\theta_0 - \theta^\star\rVert^2",
                ),
            ),
        ],
        {"eta_star": eta_star, "rate_sq": factor_sq, "rate": rate, "rate_kappa": rate_kappa},
        "Nesterov (2004), Introductory Lectures on Convex Optimization, Thm 2.1.15 (with Thm 2.1.12)",
    )


def pl_rate():
    r"""L-smooth f satisfying the Polyak–Łojasiewicz inequality ½‖∇f‖² ≥ μ(f − f*), η = 1/L:
    f(θ_{t+1}) − f* ≤ (1 − μ/L)(f(θ_t) − f*). No convexity is needed.

    >>> pl_rate()["rate"]
    1 - mu/L
    """
    dl = descent_lemma()
    after = gap - dl["best_decrease"]  # descent lemma, η = 1/L
    pl_bound = sp.expand(after.subs(g_norm, sp.sqrt(2 * mu * gap)))  # ‖g‖² ≥ 2μ·gap makes it smaller
    rate = sp.expand(pl_bound / gap)
    return Derivation(
        "Gradient descent under the Polyak–Łojasiewicz condition (Δ = L(θₜ) − L*)",
        [
            (
                "descent lemma, η = 1/L: Δₜ₊₁ ≤",
                Shown(after, display=sp.Add(gap, -frac(g_norm**2, U(2, L)), evaluate=False)),
            ),
            ("PL inequality (assumed)", Shown(None, r"\tfrac12\lVert g\rVert^2 \ge \mu\,\Delta", text="½‖g‖² ≥ μΔ")),
            ("substitute ‖g‖² ≥ 2μΔ", Shown(pl_bound, display=sp.Add(gap, -U(frac(mu, L), gap), evaluate=False))),
            ("contraction of the gap per step", Shown(rate, display=one_minus(frac(mu, L)))),
        ],
        {"rate": rate},
        "Polyak (1963); Karimi, Nutini and Schmidt (2016), Thm 1",
    )


def nonconvex_stationarity():
    r"""L-smooth f bounded below (no convexity): min_{t<T} ‖∇f(θ_t)‖² ≤ (f(θ₀) − f*)/(T η (1 − Lη/2)) for
    0 < η < 2/L, which is 2L(f(θ₀) − f*)/T at η = 1/L. Sum the descent lemma over t < T; it telescopes.
    """
    dl = descent_lemma()
    f0_gap, min_g2 = sp.Symbol("Delta_0", positive=True), sp.Symbol("m", positive=True)
    # Σ_t decrease_t ≤ f(θ₀) − f(θ_T) ≤ Δ₀ and Σ_t ‖g_t‖² ≥ T·min_t ‖g_t‖² = T m
    per_unit = sp.factor(dl["decrease"] / g_norm**2)
    bound_eta = sp.solve(sp.Eq(T * per_unit * min_g2, f0_gap), min_g2)[0]
    bound = sp.simplify(bound_eta.subs(eta, 1 / L))
    return Derivation(
        "Gradient descent on an L-smooth function, no convexity: min ‖∇L‖² = O(1/T), so ‖∇L‖ ≤ ε within O(1/ε²) steps",
        [
            (
                "descent lemma per step: L(θₜ) − L(θₜ₊₁) ≥ c‖gₜ‖² with c",
                Shown(per_unit, display=U(eta, one_minus(frac(U(L, eta), 2)))),
            ),
            (
                "sum over t < T (telescopes), Δ₀ = L(θ₀) − L* (by hand)",
                Shown(
                    None,
                    r"c \sum_{t<T} \lVert g_t\rVert^2 \le L(\theta_0) - L(\theta_T) \le \Delta_0,"
                    r"\qquad \sum_{t<T} \lVert g_t\rVert^2 \ge T \min_{t<T}\lVert g_t\rVert^2",
                    text="c·Σ‖gₜ‖² ≤ L(θ₀) − L(θ_T) ≤ Δ₀ and Σ‖gₜ‖² ≥ T·min‖gₜ‖²",
                ),
            ),
            (
                "so min ‖gₜ‖² is at most",
                Shown(bound_eta, display=frac(f0_gap, U(T, eta, one_minus(frac(U(L, eta), 2))))),
            ),
            ("with η = 1/L", Shown(bound, display=frac(U(2, L, f0_gap), T), lhs=r"\min_{t<T}\lVert g_t\rVert^2 \le ")),
        ],
        {"bound": bound, "bound_eta": bound_eta, "Delta_0": f0_gap},
        "Nesterov (2004), Introductory Lectures, §1.2.3; Garrigos and Gower (2023), §3",
    )
