"""Momentum's convergence theory (chapter 4): the heavy ball and Nesterov's method on a quadratic, derived with
SymPy. Each derived expression is displayed in the form a textbook writes it (:class:`Textbook`), which is
checked equal to what SymPy derived."""

import random

import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

from ._base import SYMBOLS, Derivation, L, alpha, beta, kappa, lam, mu, z

__all__ = ["Textbook", "heavy_ball", "nesterov_rate"]

c = sp.Symbol("c", nonnegative=True)  # c = 1 − αλ, Nesterov's contraction of the look-ahead step
z1, z2 = sp.symbols("z_1 z_2")
_NAMES = {**SYMBOLS, "lam": lam, "c": c, "z1": z1, "z2": z2}


class Textbook(sp.Expr):
    """A derived expression shown as a textbook writes it.

    ``form`` is SymPy syntax with the terms in the order they are written (``lam`` for λ); it is parsed
    without evaluation, checked equal to ``derived`` (an expression or an equation; symbolically, or at random
    positive points when ``simplify`` cannot decide), and printed as written. ``names`` adds symbols the form
    may use beside the book's (a module's own, say).

    >>> Textbook("1 + beta", beta + 1)
    1 + beta
    """

    def __new__(cls, form, derived, names=None):
        shown = parse_expr(form, local_dict={**_NAMES, **(names or {})}, evaluate=False)
        if not _equal(shown, derived):
            raise ValueError(f"{form} is not equal to the derived {derived}")
        obj = sp.Expr.__new__(cls, shown)
        obj.form, obj.derived = form, derived
        return obj

    def _latex(self, printer):
        return sp.latex(_tidy(self.args[0]), order="none")

    def _sympystr(self, printer):
        return self.form


def _tidy(e):
    """Drop the factors 1 that unevaluated parsing leaves in a quotient (1/κ parses as 1·κ⁻¹)."""
    if isinstance(e, sp.MatrixBase) or not e.args:
        return e
    args = [_tidy(a) for a in e.args]
    if e.is_Mul:
        args = [a for a in args if a != 1] or [sp.Integer(1)]
        if len(args) == 1:
            return args[0]
    return e.func(*args, evaluate=False)


def _difference(e):
    e = e.doit() if hasattr(e, "doit") else e
    return e.lhs - e.rhs if isinstance(e, sp.Equality) else e


def _equal(a, b):
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        return all(_equal(x, y) for x, y in zip(sp.Matrix(a.doit()), sp.Matrix(b), strict=True))
    d = sp.simplify(_difference(a) - _difference(b))
    if d == 0:
        return True
    rng = random.Random(0)
    for _ in range(4):
        point = {s: sp.Rational(rng.randint(2, 40), rng.randint(41, 60)) for s in d.free_symbols}
        point.update({s: rng.randint(2, 9) for s in d.free_symbols if s in (L, kappa)})
        if abs(complex(d.subs(point).evalf())) > 1e-12:
            return False
    return True


def heavy_ball():
    r"""Polyak's heavy ball θ_{t+1} = θ_t − α∇L(θ_t) + β(θ_t − θ_{t−1}) on one eigendirection (eigenvalue λ)
    of a quadratic: its 2×2 iteration matrix, characteristic polynomial z² − (1 + β − αλ)z + β, and the
    minimax over λ ∈ [μ, L] that gives α* = 4/(√L + √μ)², β* = ((√κ − 1)/(√κ + 1))² and the rate
    (√κ − 1)/(√κ + 1) (Polyak 1964; Polyak 1987, §3.2.1).

    The minimax is derived, not assumed: the roots multiply to β, so the radius is ≥ √β for every λ, with
    equality exactly when the roots are complex or double, i.e. (1 − √β)² ≤ αλ ≤ (1 + √β)². The smallest
    r = √β that keeps all of [αμ, αL] in that band needs r ≥ 1 − √(αμ) (falling in α) and r ≥ √(αL) − 1
    (rising in α), so the best α makes the two equal. Leaving the band cannot help: at z = 1 − √(αλ) the
    polynomial equals √(αλ)(β − (1 − √(αλ))²), which is ≤ 0 outside the band, so a real root lies beyond
    1 − √(αλ) and the radius is ≥ |1 − √(αλ)| for every (α, β); the two bounds hold for every (α, β).
    """
    M = sp.Matrix([[1 + beta - alpha * lam, -beta], [1, 0]])
    charpoly = sp.expand((z * sp.eye(2) - M).det())
    coeffs = sp.Poly(charpoly, z).all_coeffs()  # [1, −(1 + β − αλ), β]
    product = coeffs[2]  # Vieta: z₁z₂ = β
    disc = sp.discriminant(charpoly, z)
    band = sorted(sp.solve(sp.Eq(disc, 0), lam), key=lambda e: float(e.subs({alpha: 1, beta: sp.Rational(1, 4)})))
    beta_crit = [b for b in sp.solve(sp.Eq(disc, 0), beta) if b.subs({alpha: sp.Rational(1, 4), lam: 1}) < 1][0]
    at_edge = sp.factor(sp.expand(charpoly.subs(z, 1 - sp.sqrt(alpha * lam))))  # √(αλ)(β − (1 − √(αλ))²)
    low, high = 1 - sp.sqrt(alpha * mu), sp.sqrt(alpha * L) - 1  # r ≥ low (λ = μ), r ≥ high (λ = L)
    falls = sp.simplify(sp.diff(low, alpha)) < 0
    rises = sp.simplify(sp.diff(high, alpha)) > 0
    alpha_star = sp.solve(sp.Eq(low, high), alpha)[0]
    rate = sp.factor(sp.simplify(low.subs(alpha, alpha_star)))
    beta_star = sp.factor(rate**2)
    rate_kappa = sp.factor(sp.simplify(rate.subs(L, kappa * mu)))
    return Derivation(
        "Heavy-ball momentum on a quadratic",
        [
            (
                "iteration matrix on the pair (current error, previous error)",
                Textbook("Matrix([[1 + beta - alpha*lam, -beta], [1, 0]])", M),
            ),
            ("characteristic polynomial", Textbook("Eq(z**2 - (1 + beta - alpha*lam)*z + beta, 0)", charpoly)),
            (
                "the roots multiply to β, so the larger has modulus ≥ √β",
                Textbook("Eq(z1*z2, beta)", sp.Eq(z1 * z2, product)),
            ),
            (
                "discriminant (negative: complex roots of modulus √β)",
                Textbook("(1 + beta - alpha*lam)**2 - 4*beta", disc),
            ),
            (
                "it vanishes at the edges of the band of complex roots",
                Textbook("Eq(lam, (1 - sqrt(beta))**2/alpha)", sp.Eq(lam, band[0])),
            ),
            ("and", Textbook("Eq(lam, (1 + sqrt(beta))**2/alpha)", sp.Eq(lam, band[1]))),
            (
                "outside the band it is ≤ 0 at z = 1 − √(αλ), so a real root lies beyond: radius ≥ |1 − √(αλ)|",
                Textbook("sqrt(alpha*lam)*(beta - (1 - sqrt(alpha*lam))**2)", at_edge),
            ),
            (
                "so for every (α, β) the worst radius is ≥ √β and ≥ (falls as α grows)",
                Textbook("1 - sqrt(alpha*mu)", low),
            ),
            ("and ≥ (rises as α grows): the minimax sets them equal", Textbook("sqrt(alpha*L) - 1", high)),
            ("optimal step", Textbook("Eq(alpha, 4/(sqrt(L) + sqrt(mu))**2)", sp.Eq(alpha, alpha_star))),
            (
                "optimal momentum",
                Textbook("Eq(beta, ((sqrt(L) - sqrt(mu))/(sqrt(L) + sqrt(mu)))**2)", sp.Eq(beta, beta_star)),
            ),
            ("rate", Textbook("(sqrt(L) - sqrt(mu))/(sqrt(L) + sqrt(mu))", rate)),
            ("with L = κμ", Textbook("(sqrt(kappa) - 1)/(sqrt(kappa) + 1)", rate_kappa)),
        ],
        {
            "matrix": M,
            "charpoly": charpoly,
            "discriminant": disc,
            "band": band,
            "at_edge": at_edge,
            "beta_critical": beta_crit,
            "monotone": bool(falls) and bool(rises),
            "alpha_star": alpha_star,
            "beta_star": beta_star,
            "rate": rate,
            "rate_kappa": rate_kappa,
        },
        "Polyak (1964); Polyak (1987), Introduction to Optimization, §3.2.1; on quadratics only",
    )


def nesterov_rate():
    r"""Nesterov's method with constant momentum, y_t = θ_t + β(θ_t − θ_{t−1}), θ_{t+1} = y_t − α∇L(y_t),
    on a quadratic with α = 1/L (the step of Nesterov 2004, Thm 2.2.3) and β = (√κ − 1)/(√κ + 1): with
    c = 1 − αλ the characteristic polynomial is z² − (1 + β)c z + βc; for λ ∈ (μ, L) its roots are complex of
    modulus √(βc), which increases with c (its derivative in c is positive), at λ = L (c = 0) both are 0,
    and at λ = μ they are double; so the worst direction is λ = μ and the rate is 1 − 1/√κ (Nesterov 2004,
    §2.2.1, Thm 2.2.3, which also holds for every L-smooth μ-strongly convex function, up to a constant)."""
    M = sp.Matrix([[(1 + beta) * (1 - alpha * lam), -beta * (1 - alpha * lam)], [1, 0]])
    charpoly = sp.expand((z * sp.eye(2) - M).det())
    poly_c = sp.collect(sp.expand(charpoly.subs(alpha * lam, 1 - c)), z)
    disc_c = sp.factor(sp.discriminant(poly_c, z))  # c((1 + β)²c − 4β)
    c_edge = [s for s in sp.solve(disc_c, c) if s != 0][0]  # complex roots for 0 < c < 4β/(1 + β)²
    modulus = sp.sqrt(sp.Poly(poly_c, z).all_coeffs()[2])  # complex roots: |z|² = z₁z₂ = βc
    s = sp.Symbol("s", positive=True)  # s = √κ
    beta_n = (s - 1) / (s + 1)
    c_mu = 1 - 1 / s**2  # c at λ = μ with α = 1/L
    edge_at_mu = sp.simplify(c_edge.subs(beta, beta_n) - c_mu)  # 0: λ = μ sits exactly on the edge
    poly_mu = sp.factor(sp.expand(poly_c.subs({beta: beta_n, c: c_mu})))
    disc = sp.simplify(sp.discriminant(poly_mu, z))
    root = sp.solve(poly_mu, z)[0]
    rate = 1 - 1 / sp.sqrt(kappa)
    root_kappa = root.subs(s, sp.sqrt(kappa))
    worst = sp.simplify(sp.factor(modulus.subs({beta: beta_n, c: c_mu})) - root)  # √(βc) at λ = μ equals the root
    return Derivation(
        "Nesterov's method (constant momentum) on a quadratic",
        [
            (
                "iteration matrix on the pair (current error, previous error)",
                Textbook("Matrix([[(1 + beta)*(1 - alpha*lam), -beta*(1 - alpha*lam)], [1, 0]])", M),
            ),
            ("characteristic polynomial, with c = 1 − αλ", Textbook("Eq(z**2 - (1 + beta)*c*z + beta*c, 0)", poly_c)),
            (
                "discriminant: complex roots of modulus √(βc) while negative",
                Textbook("c*((1 + beta)**2*c - 4*beta)", disc_c),
            ),
            ("so the roots are complex for c below", Textbook("4*beta/(1 + beta)**2", c_edge)),
            (
                "√(βc) increases with c: its derivative in c is positive",
                Textbook("sqrt(beta)/(2*sqrt(c))", sp.diff(sp.sqrt(beta * c), c)),
            ),
            (
                "with α = 1/L (Thm 2.2.3's step), c = 1 − λ/L is largest at λ = μ",
                Textbook("1 - 1/kappa", c_mu.subs(s, sp.sqrt(kappa))),
            ),
            (
                "with β = (√κ − 1)/(√κ + 1) the edge 4β/(1 + β)² is exactly there",
                Textbook("1 - 1/kappa", c_edge.subs(beta, beta_n).subs(s, sp.sqrt(kappa))),
            ),
            (
                "so every λ in (μ, L) has complex roots (at λ = L both are 0); at λ = μ a double root",
                Textbook("Eq((z - (sqrt(kappa) - 1)/sqrt(kappa))**2, 0)", poly_mu.subs(s, sp.sqrt(kappa))),
            ),
            ("rate, the worst over all λ in [μ, L]", Textbook("1 - 1/sqrt(kappa)", root_kappa)),
        ],
        {
            "matrix": M,
            "charpoly": charpoly,
            "charpoly_c": poly_c,
            "c_edge": c_edge,
            "modulus": modulus,
            "edge_at_mu": edge_at_mu == 0,
            "root": root_kappa,
            "rate": rate,
            "discriminant": disc,
            "root_equals_rate": sp.simplify(root_kappa - rate) == 0 and worst == 0,
        },
        "Nesterov (1983); Nesterov (2004), Introductory Lectures on Convex Optimization, §2.2.1, Thm 2.2.3",
    )
