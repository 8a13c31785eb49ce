"""Momentum's convergence theory (chapter 4): the heavy ball and Nesterov's method, derived with SymPy."""

import sympy as sp

from ._base import Derivation, L, alpha, beta, kappa, lam, mu, z

__all__ = ["heavy_ball", "nesterov_rate"]


def heavy_ball():
    r"""Polyak's heavy ball θ_{t+1} = θ_t − α∇L(θ_t) + β(θ_t − θ_{t−1}) on one eigendirection: its 2×2
    iteration matrix, characteristic polynomial, critical damping, the optimal (α, β) and the rate
    (√κ − 1)/(√κ + 1) (Polyak 1964)."""
    M = sp.Matrix([[1 + beta - alpha * lam, -beta], [1, 0]])
    charpoly = sp.expand((M - z * sp.eye(2)).det())
    disc = sp.discriminant(charpoly, z)
    beta_critical = sp.solve(sp.Eq(disc, 0), beta)
    beta_crit = [b for b in beta_critical if b.subs({alpha: sp.Rational(1, 4), lam: 1}) < 1][0]
    s = sp.Symbol("s", positive=True)  # s = √α
    balance = sp.Eq(1 - s * sp.sqrt(mu), s * sp.sqrt(L) - 1)
    s_star = sp.solve(balance, s)[0]
    alpha_star = sp.simplify(s_star**2)
    beta_star = sp.simplify((1 - s_star * sp.sqrt(mu)) ** 2)
    rate = sp.simplify(sp.sqrt(beta_star))
    rate_kappa = sp.simplify(rate.subs(L, kappa * mu))
    return Derivation(
        "Heavy-ball momentum on a quadratic",
        [
            ("iteration matrix acting on (e_t, e_{t−1})", M),
            ("characteristic polynomial", sp.Eq(charpoly, 0)),
            ("discriminant", sp.factor(disc)),
            ("critical damping (double root)", sp.Eq(beta, beta_crit)),
            ("complex roots have modulus √β; choose μ and L both critically damped", balance),
            ("optimal α", alpha_star),
            ("optimal β", beta_star),
            ("rate √β", rate),
            ("with L = κμ", rate_kappa),
        ],
        {
            "matrix": M,
            "charpoly": charpoly,
            "beta_critical": beta_crit,
            "alpha_star": alpha_star,
            "beta_star": beta_star,
            "rate": rate,
            "rate_kappa": rate_kappa,
        },
        "Polyak (1964), Some methods of speeding up the convergence of iteration methods; Polyak (1987) §3.2",
    )


def nesterov_rate():
    r"""Nesterov's method on a quadratic with α = 1/L, β = (√κ−1)/(√κ+1): along λ = μ the iteration
    matrix has a double eigenvalue 1 − 1/√κ (Nesterov 1983; 2004, §2.2)."""
    c = 1 - alpha * lam
    M = sp.Matrix([[(1 + beta) * c, -beta * c], [1, 0]])
    charpoly = sp.expand((M - z * sp.eye(2)).det())
    k = sp.Symbol("kappa", positive=True)
    choice = {alpha: 1 / L, beta: (sp.sqrt(k) - 1) / (sp.sqrt(k) + 1), lam: mu}
    poly_mu = sp.simplify(charpoly.subs(choice).subs(L, k * mu))
    disc = sp.simplify(sp.discriminant(poly_mu, z))
    root = sp.simplify(sp.solve(poly_mu, z)[0])
    rate = sp.simplify(1 - 1 / sp.sqrt(k))
    return Derivation(
        "Nesterov's accelerated gradient on a quadratic",
        [
            ("look-ahead y_t = θ_t + β(θ_t − θ_{t−1}), θ_{t+1} = y_t − α∇L(y_t): matrix", M),
            ("characteristic polynomial", sp.Eq(charpoly, 0)),
            ("with α = 1/L, β = (√κ−1)/(√κ+1), λ = μ", sp.Eq(poly_mu, 0)),
            ("discriminant", disc),
            ("double root", root),
            ("equals 1 − 1/√κ", sp.Eq(root, rate)),
        ],
        {
            "matrix": M,
            "root": root,
            "rate": rate,
            "discriminant": disc,
            "root_equals_rate": sp.simplify(root - rate) == 0,
        },
        "Nesterov (1983); Nesterov (2004), Introductory Lectures on Convex Optimization, §2.2",
    )
