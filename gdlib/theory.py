r"""Convergence theory, derived with SymPy — the only module of gdlib that imports it.

Each function builds its result from the model, step by step, and returns a :class:`Derivation` whose
steps a chapter can display (as LaTeX in a notebook, as text elsewhere) and whose ``result`` holds the
final SymPy expressions. Nothing here is a stored answer: change a line of a model and the result changes.
"""

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "Derivation",
    "gd_contraction",
    "gd_stability",
    "gd_optimal_step",
    "iterations_to_epsilon",
    "smooth_convex_bound",
    "kantorovich_bound",
    "heavy_ball",
    "nesterov_rate",
    "symbolic",
    "SYMBOLS",
]

eta, lam, mu, L, kappa, eps, T = sp.symbols("eta lambda mu L kappa epsilon T", positive=True)
alpha, beta = sp.symbols("alpha beta", positive=True)
z = sp.Symbol("z")
#: The book's symbols, by name.
SYMBOLS = {
    "eta": eta,
    "lambda": lam,
    "mu": mu,
    "L": L,
    "kappa": kappa,
    "epsilon": eps,
    "T": T,
    "alpha": alpha,
    "beta": beta,
    "z": z,
}


@dataclass
class Derivation:
    """A derivation: a title, the steps (explanation, SymPy expression), the results and the source."""

    title: str
    steps: list
    result: dict
    reference: str = ""

    def __getitem__(self, key):
        return self.result[key]

    def _repr_latex_(self):
        rows = [rf"\textbf{{{self.title}}}\\"]
        rows += [rf"\text{{{text}}}\quad & {sp.latex(expr)}\\" for text, expr in self.steps]
        if self.reference:
            rows.append(rf"\text{{Source: {self.reference}}}")
        return r"$\begin{aligned}" + "\n".join(rows) + r"\end{aligned}$"

    def __repr__(self):
        lines = [self.title]
        lines += [f"  {text}: {sp.sstr(expr)}" for text, expr in self.steps]
        if self.reference:
            lines.append(f"  Source: {self.reference}")
        return "\n".join(lines)


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


@dataclass
class Symbolic:
    """A problem in SymPy: the expression, its variables, gradient and Hessian."""

    expr: sp.Expr
    variables: tuple
    gradient: sp.Matrix
    hessian: sp.Matrix

    def __repr__(self):
        return f"Symbolic({sp.sstr(self.expr)})"


def symbolic(problem):
    """The SymPy form of a gdlib problem, built from its parameters, with its symbolic gradient and Hessian."""
    from . import problems as P

    d = problem.d
    v = sp.symbols(f"theta1:{d + 1}", real=True) if d > 2 else sp.symbols("x y", real=True)
    x = sp.Matrix(v)
    num = lambda value: sp.nsimplify(float(value), rational=True, tolerance=1e-12)  # noqa: E731
    if isinstance(problem, P.Quadratic):
        A = sp.Matrix(d, d, lambda i, j: num(problem.A[i, j]))
        b = sp.Matrix([num(bi) for bi in problem.b])
        expr = (x.T * A * x)[0] / 2 - (b.T * x)[0] + num(problem.c)
    elif isinstance(problem, P.Rosenbrock):
        expr = (num(problem.a) - v[0]) ** 2 + num(problem.b) * (v[1] - v[0] ** 2) ** 2
    elif isinstance(problem, P.Saddle):
        expr = (num(problem.a) * v[0] ** 2 - num(problem.b) * v[1] ** 2) / 2
    elif isinstance(problem, P.Himmelblau):
        expr = (v[0] ** 2 + v[1] - 11) ** 2 + (v[0] + v[1] ** 2 - 7) ** 2
    elif isinstance(problem, P.Valley):
        expr = v[0] ** 2 / (2 * num(problem.kappa)) + (v[1] - num(problem.curvature) * sp.sin(v[0])) ** 2 / 2
    elif isinstance(problem, P.LogCosh):
        expr = sum(num(s) * sp.log(sp.cosh(vi)) for s, vi in zip(problem.scales, v, strict=True))
    else:
        raise TypeError(f"no symbolic form for {type(problem).__name__}")
    gradient = sp.Matrix([sp.diff(expr, vi) for vi in v])
    return Symbolic(sp.expand(expr), tuple(v), gradient, sp.hessian(expr, v))
