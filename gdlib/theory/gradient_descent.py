r"""Gradient descent on quadratics (chapters 1 and 2), derived with SymPy.

Each function shows the step that produces its result (the root, the minimax, the series, the exact step) and
returns a :class:`~gdlib.theory.Derivation`. Expressions are *displayed* in textbook order (1 − ηλ, not
−ηλ + 1) by :class:`~gdlib.theory.Shown`; the ``result`` dict holds plain SymPy expressions. The rates beyond
quadratics (descent lemma, smooth convex, strongly convex, PL, non-convex) are in :mod:`gdlib.theory.rates`.

=============================  ==========================================  ==========================================
function                       result                                      assumption, source of the form
=============================  ==========================================  ==========================================
:func:`gd_contraction`         e_{t+1} = (1 − ηλ) e_t                      quadratic, eigendirection
:func:`gd_stability`           η < 2/L                                     quadratic
:func:`gd_optimal_step`        η* = 2/(μ+L), rate (κ−1)/(κ+1) (minimax)    quadratic; Polyak (1987) §1.4 Thm 3
:func:`iterations_to_epsilon`  T = log(1/ε)/log(1/ρ) ≈ (κ/2) log(1/ε)      quadratic (or Thm 2.1.15's rate)
:func:`kantorovich_bound`      ((κ−1)/(κ+1))² per step on the loss         quadratic, exact line search
=============================  ==========================================  ==========================================
"""

import sympy as sp

from ._base import Derivation, L, T, eps, eta, kappa, lam, mu
from ._display import Shown, frac, one_minus

U = lambda *factors: sp.Mul(*factors, evaluate=False)  # noqa: E731  a product kept in the order written

__all__ = [
    "gd_contraction",
    "gd_stability",
    "gd_optimal_step",
    "iterations_to_epsilon",
    "kantorovich_bound",
]


def gd_contraction():
    r"""Gradient descent on one eigendirection of a quadratic: the error is multiplied by 1 − ηλ.

    >>> gd_contraction()["factor"]
    -eta*lambda + 1
    """
    e = sp.Symbol("e")
    loss = lam * e**2 / 2
    grad = sp.diff(loss, e)
    update = sp.expand(e - eta * grad)
    factor = sp.factor(update / e)
    return Derivation(
        "Gradient descent along an eigenvector of A (eigenvalue λ, error e = θ − θ*)",
        [
            ("loss along the eigenvector", Shown(loss, display=frac(U(lam, e**2), 2))),
            ("its gradient", Shown(grad, display=sp.Mul(lam, e, evaluate=False))),
            (
                "one step e − η·(gradient)",
                Shown(update, display=sp.Add(e, -sp.Mul(eta, lam, e, evaluate=False), evaluate=False)),
            ),
            ("contraction factor eₜ₊₁/eₜ", Shown(one_minus(eta * lam))),
        ],
        {"factor": factor},
        "Cauchy (1847); e.g. Polyak (1987), Introduction to Optimization, §1.4",
    )


def gd_stability():
    r"""|1 − ηλ| < 1 for every λ ∈ [μ, L] ⇔ 0 < η < 2/L.

    >>> gd_stability()["bound"]
    2/L
    """
    factor = gd_contraction()["factor"]
    per_direction = sp.solve_univariate_inequality(sp.Abs(factor) < 1, eta, relational=False)
    bound = per_direction.sup
    worst = bound.subs(lam, L)
    return Derivation(
        "Stability of gradient descent on a quadratic",
        [
            (
                "condition per direction",
                Shown(sp.Abs(factor) < 1, display=sp.StrictLessThan(sp.Abs(one_minus(eta * lam), evaluate=False), 1)),
            ),
            ("solved for η", per_direction),
            ("largest allowed step for eigenvalue λ (not attained: the interval is open)", bound),
            ("all λ ≤ L: the bound is set by λ = L", eta < worst),
        ],
        {"bound": worst, "interval": per_direction},
        "e.g. Nesterov (2004), Introductory Lectures, §1.2.3",
    )


def gd_optimal_step():
    r"""The η minimising ρ(η) = max_{λ∈[μ,L]} |1 − ηλ|, derived as a minimax: η* = 2/(μ + L), rate (κ − 1)/(κ + 1).

    1. |1 − ηλ| is convex in λ, so its maximum over [μ, L] sits at λ = μ or λ = L.
    2. |1 − ηL| falls on [0, 1/L] and rises after; |1 − ημ| falls on [0, 1/μ] (the roots of 1 − ηλ).
    3. For η ≤ 1/L both fall, for η ≥ 1/μ both rise: the minimiser lies in [1/L, 1/μ], where ρ is the larger of
       the falling 1 − ημ (slope −μ) and the rising ηL − 1 (slope +L); the maximum of a falling and a rising
       line is smallest where they cross.

    >>> gd_optimal_step()["eta_star"]
    2/(L + mu)
    """
    roots = {lam_: sp.solve(sp.Eq(1 - eta * lam_, 0), eta)[0] for lam_ in (mu, L)}
    falling, rising = 1 - eta * mu, eta * L - 1
    slopes = (sp.diff(falling, eta), sp.diff(rising, eta))
    balance = sp.Eq(falling, rising)
    eta_star = sp.solve(balance, eta)[0]
    rate = sp.simplify(1 - eta_star * mu)
    rate_kappa = sp.simplify(rate.subs(L, kappa * mu))
    # every interior eigenvalue is no worse: |1 − η*λ| is linear in λ on each side of 1/η*, so its maximum
    # over [μ, L] is at an end; both ends give the rate (L = μ + δ with δ > 0 lets SymPy drop the |·|)
    delta = sp.Symbol("delta", positive=True)
    ends = [sp.simplify(sp.Abs(1 - eta_star * x).subs(L, mu + delta)) for x in (mu, L)]
    ends_equal = all(sp.simplify(e_ - rate.subs(L, mu + delta)) == 0 for e_ in ends)
    return Derivation(
        "Optimal constant step for gradient descent on a quadratic (minimax over λ ∈ [μ, L])",
        [
            (
                "|1 − ηλ| is convex in λ: its max over [μ, L] is at an end",
                Shown(
                    sp.Max(sp.Abs(1 - eta * mu), sp.Abs(1 - eta * L)),
                    display=sp.Max(
                        sp.Abs(one_minus(eta * mu), evaluate=False),
                        sp.Abs(one_minus(U(eta, L)), evaluate=False),
                        evaluate=False,
                    ),
                    lhs=r"\rho(\eta) = ",
                ),
            ),
            ("|1 − ηL| falls until its root, then rises; the root", roots[L]),
            ("|1 − ημ| falls until its root", roots[mu]),
            (
                "on [1/L, 1/μ]: slopes of the falling 1 − ημ and the rising ηL − 1",
                sp.Tuple(*slopes),
            ),
            (
                "the max of a falling and a rising line is least where they cross",
                Shown(balance, display=sp.Eq(one_minus(eta * mu), sp.Add(L * eta, -1, evaluate=False), evaluate=False)),
            ),
            ("optimal step η*", eta_star),
            ("rate ρ(η*) = 1 − η*μ", rate),
            ("with L = κμ", rate_kappa),
        ],
        {
            "eta_star": eta_star,
            "rate": rate,
            "rate_kappa": rate_kappa,
            "roots": roots,
            "slopes": slopes,
            "ends_equal": ends_equal,
        },
        "Polyak (1987), Introduction to Optimization, §1.4, Thm 3",
    )


def iterations_to_epsilon():
    r"""Steps T for ‖θ_T − θ*‖ ≤ ε‖θ₀ − θ*‖ at rate ρ = (κ−1)/(κ+1): T = log(1/ε)/log(1/ρ) ≈ (κ/2) log(1/ε).

    The asymptote comes from the series log((κ+1)/(κ−1)) = 2/κ + 2/(3κ³) + …, derived below.
    """
    rho = gd_optimal_step()["rate_kappa"]
    T_exact = sp.log(1 / eps) / sp.log(1 / rho)
    series = sp.series(sp.log(1 / rho), kappa, sp.oo, 4).removeO()
    leading = sp.limit(kappa * sp.log(1 / rho), kappa, sp.oo) / kappa
    ratio = sp.limit(T_exact / (kappa / 2 * sp.log(1 / eps)), kappa, sp.oo)
    return Derivation(
        "Iterations to reach relative accuracy ε",
        [
            ("require T steps at rate ρ to reach ε", sp.Le(rho**T, eps)),
            (
                "take logarithms (log ρ < 0 flips the inequality): smallest T, rounded up",
                Shown(T_exact, order=None, lhs=r"T = \left\lceil ", rhs=r"\right\rceil"),
            ),
            (
                "series of log(1/ρ) for large κ",
                Shown(
                    series,
                    display=sp.Add(2 / kappa, 2 / (3 * kappa**3), evaluate=False),
                    lhs=r"\log\frac{\kappa + 1}{\kappa - 1} = ",
                    rhs=r" + O(\kappa^{-5})",
                ),
            ),
            ("keep the leading term", leading),
            ("so T ≈ (κ/2) log(1/ε): ratio of the exact T to it as κ → ∞", ratio),
        ],
        {"T": T_exact, "asymptote": kappa / 2 * sp.log(1 / eps), "asymptote_ratio": ratio, "series": series},
        "the rate of Polyak (1987), Introduction to Optimization, §1.4, Thm 3, raised to the power T",
    )


def kantorovich_bound():
    r"""Exact line search on a quadratic: f(θ_{t+1}) − f* ≤ ((κ−1)/(κ+1))² (f(θ_t) − f*), with equality
    from the worst starting point θ ∝ (1/μ, 1/L) (Kantorovich 1948; Akaike 1959).

    The exact step is derived (minimise φ(η) = f(θ − ηg): φ′(η) = 0), not assumed; on a quadratic
    g_{t+1} = g_t − η_t A g_t, so the product A g_t it needs is the only one per step. The worst start is
    derived too: in 2-D the one-step ratio from θ = (a, b) depends only on s = (μa)²/(Lb)², and dr/ds = 0 at
    s = 1 only (r → 0 as s → 0 or ∞), so no start is worse than θ ∝ (1/μ, 1/L). In d > 2 dimensions the
    bound is the Kantorovich inequality (Luenberger and Ye 2008, §8.6).

    >>> kantorovich_bound()["worst_s"]
    1
    """
    a, b = sp.symbols("a b", positive=True)
    s = sp.Symbol("s", positive=True)
    A = sp.diag(mu, L)
    f = lambda v: (v.T * A * v)[0] / 2  # noqa: E731
    x = sp.Matrix([a, b])
    g = A * x
    phi = sp.expand(f(x - eta * g))
    step_general = sp.factor(sp.solve(sp.diff(phi, eta), eta)[0])
    ratio_general = sp.factor(sp.simplify(f(x - step_general * g) / f(x)))
    ratio_s = sp.factor(sp.simplify(ratio_general.subs(a, sp.sqrt(s) * L * b / mu)))
    critical = sp.solve(sp.diff(ratio_s, s), s)
    worst_s = critical[0]
    ends = (sp.limit(ratio_s, s, 0), sp.limit(ratio_s, s, sp.oo))
    ratio = sp.factor(sp.simplify(ratio_s.subs(s, worst_s)))
    worst = {a: 1 / mu, b: 1 / L}  # s = 1: μa = Lb
    step = sp.simplify(step_general.subs(worst))
    ratio_kappa = sp.factor(sp.simplify(ratio.subs(L, kappa * mu)))
    return Derivation(
        "Kantorovich bound for steepest descent with exact line search, A = diag(μ, L)",
        [
            (
                "start θ = (a, b): minimise φ(η) = f(θ − ηg); φ′(η) = 0 at",
                Shown(
                    step_general,
                    display=frac(
                        sp.Add(U(mu**2, a**2), U(L**2, b**2), evaluate=False),
                        sp.Add(U(mu**3, a**2), U(L**3, b**2), evaluate=False),
                    ),
                ),
            ),
            ("one-step ratio f(θ₁)/f(θ₀), with s = (μa)²/(Lb)²", ratio_s),
            ("worst start: dr/ds = 0 only at (r → 0 as s → 0 or s → ∞)", Shown(worst_s, lhs="s = ")),
            ("so θ ∝ (1/μ, 1/L); its exact step", step),
            ("largest f(θ₁)/f(θ₀)", ratio),
            ("with L = κμ", ratio_kappa),
        ],
        {
            "ratio": ratio,
            "ratio_kappa": ratio_kappa,
            "step_general": step_general,
            "step": step,
            "ratio_s": ratio_s,
            "worst_s": worst_s,
            "critical": critical,
            "ends": ends,
        },
        "Kantorovich (1948); Akaike (1959); Luenberger and Ye (2008), Linear and Nonlinear Programming, §8.6",
    )
