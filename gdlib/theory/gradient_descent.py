"""Gradient descent's convergence theory (chapters 1 and 2), derived with SymPy."""

import sympy as sp

from ._base import Derivation, L, T, eps, eta, kappa, lam, mu

__all__ = [
    "gd_contraction",
    "gd_stability",
    "gd_optimal_step",
    "iterations_to_epsilon",
    "smooth_convex_bound",
    "kantorovich_bound",
]


def gd_contraction():
    r"""Gradient descent on one eigendirection of a quadratic: the error is multiplied by 1 − ηλ."""
    e = sp.Symbol("e")
    loss = lam * e**2 / 2
    grad = sp.diff(loss, e)
    update = sp.expand(e - eta * grad)
    factor = sp.factor(update / e)
    return Derivation(
        "Gradient descent along an eigenvector of A (eigenvalue λ, error e = θ − θ*)",
        [
            ("loss along the eigenvector", loss),
            ("its gradient", grad),
            ("one step e − η ∂L/∂e", update),
            ("contraction factor e_{t+1}/e_t", factor),
        ],
        {"factor": factor},
        "Cauchy (1847); e.g. Polyak (1987), Introduction to Optimization, §1.4",
    )


def gd_stability():
    r"""|1 − ηλ| < 1 for every λ ∈ [μ, L] ⇔ 0 < η < 2/L."""
    factor = gd_contraction()["factor"]
    per_direction = sp.solve_univariate_inequality(sp.Abs(factor) < 1, eta, relational=False)
    bound = per_direction.sup
    worst = bound.subs(lam, L)
    return Derivation(
        "Stability of gradient descent on a quadratic",
        [
            ("condition per direction", sp.Abs(factor) < 1),
            ("solved for η", per_direction),
            ("largest allowed step for eigenvalue λ", bound),
            ("all λ ≤ L: the bound is set by λ = L", eta < worst),
        ],
        {"bound": worst, "interval": per_direction},
        "e.g. Nesterov (2004), Introductory Lectures, §1.2.3",
    )


def gd_optimal_step():
    r"""The η minimising max(|1 − ημ|, |1 − ηL|): η* = 2/(μ + L), rate (κ − 1)/(κ + 1)."""
    balance = sp.Eq(1 - eta * mu, -(1 - eta * L))
    eta_star = sp.solve(balance, eta)[0]
    rate = sp.simplify(1 - eta_star * mu)
    rate_kappa = sp.simplify(rate.subs(L, kappa * mu))
    return Derivation(
        "Optimal constant step for gradient descent on a quadratic",
        [
            ("the worst directions are λ = μ and λ = L; the max is smallest when they balance", balance),
            ("optimal step η*", eta_star),
            ("rate 1 − η*μ", rate),
            ("with L = κμ", rate_kappa),
        ],
        {"eta_star": eta_star, "rate": rate, "rate_kappa": rate_kappa},
        "Polyak (1987), Introduction to Optimization, §1.4, Thm 3",
    )


def iterations_to_epsilon():
    r"""Steps T for ‖θ_T − θ*‖ ≤ ε‖θ₀ − θ*‖ at rate ρ = (κ−1)/(κ+1): T = log(1/ε)/log(1/ρ) ≈ (κ/2) log(1/ε)."""
    rho = gd_optimal_step()["rate_kappa"]
    T_exact = sp.log(1 / eps) / sp.log(1 / rho)
    ratio = sp.limit(T_exact / (kappa / 2 * sp.log(1 / eps)), kappa, sp.oo)
    return Derivation(
        "Iterations to reach relative accuracy ε",
        [
            ("require ρ^T ≤ ε", sp.Le(rho**T, eps)),
            ("smallest T (round up)", T_exact),
            ("ratio to (κ/2)·log(1/ε) as κ → ∞", ratio),
        ],
        {"T": T_exact, "asymptote": kappa / 2 * sp.log(1 / eps), "asymptote_ratio": ratio},
        "e.g. Boyd & Vandenberghe (2004), Convex Optimization, §9.3",
    )


def smooth_convex_bound():
    r"""For L-smooth convex f and η = 1/L: f(θ_T) − f* ≤ L‖θ₀ − θ*‖²/(2T) (Nesterov 2004, Thm 2.1.14).

    The key algebraic identity of the proof is checked by SymPy (in one coordinate; the vector case is the
    same identity with inner products)."""
    th, ths, g, D0 = sp.symbols("theta theta_star g D_0", real=True)
    nxt = th - g / L
    descent = -(g**2) / (2 * L)
    identity_lhs = L / 2 * ((th - ths) ** 2 - (nxt - ths) ** 2)
    identity_rhs = g * (th - ths) - g**2 / (2 * L)
    holds = sp.simplify(identity_lhs - identity_rhs) == 0
    bound = L * D0**2 / (2 * T)
    return Derivation(
        "O(1/T) for gradient descent with η = 1/L on an L-smooth convex function",
        [
            ("descent lemma: f(θ_{t+1}) − f(θ_t) ≤", descent),
            ("convexity: f(θ_t) − f* ≤ g·(θ_t − θ*), so f(θ_{t+1}) − f* ≤", identity_rhs),
            ("which equals (L/2)(‖θ_t−θ*‖² − ‖θ_{t+1}−θ*‖²) — SymPy checks", sp.Eq(identity_lhs, identity_rhs)),
            ("sum over t < T (telescopes; f(θ_t) decreases): T·(f(θ_T) − f*) ≤", L * D0**2 / 2),
            ("bound, D₀ = ‖θ₀ − θ*‖", bound),
        ],
        {"bound": bound, "identity_holds": holds},
        "Nesterov (2004), Introductory Lectures on Convex Optimization, Thm 2.1.14",
    )


def kantorovich_bound():
    r"""Exact line search on a quadratic: f(θ_{t+1}) − f* ≤ ((κ−1)/(κ+1))² (f(θ_t) − f*), with equality
    from the worst starting point θ ∝ (1/μ, 1/L) (Kantorovich 1948; Akaike 1959)."""
    x0 = sp.Matrix([1 / mu, 1 / L])
    A = sp.diag(mu, L)
    f = lambda v: (v.T * A * v)[0] / 2  # noqa: E731
    g = A * x0
    step = (g.T * g)[0] / (g.T * A * g)[0]
    x1 = x0 - step * g
    ratio = sp.factor(sp.simplify(f(x1) / f(x0)))
    ratio_kappa = sp.factor(sp.simplify(ratio.subs(L, kappa * mu)))
    return Derivation(
        "Kantorovich bound for steepest descent with exact line search",
        [
            ("worst start on diag(μ, L)", x0.T),
            ("exact step η = gᵀg / gᵀAg", sp.simplify(step)),
            ("f(θ₁)/f(θ₀)", ratio),
            ("with L = κμ", ratio_kappa),
        ],
        {"ratio": ratio, "ratio_kappa": ratio_kappa},
        "Kantorovich (1948); Akaike (1959); Luenberger & Ye (2008), Linear and Nonlinear Programming, §8.6",
    )
