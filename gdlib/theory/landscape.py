r"""The loss landscape (chapter 9), derived with SymPy: how long gradient descent takes to leave a strict
saddle (plain, with momentum, with noise), the sigmoidal learning of one mode of a deep linear network, and
the ascent step of sharpness-aware minimisation."""

import sympy as sp

from ._base import Derivation, beta, eta
from .momentum import Textbook

__all__ = ["saddle_escape", "saddle_escape_momentum", "saddle_escape_noise", "saxe_mode", "sam_ascent"]

gamma = sp.Symbol("gamma", positive=True)  # |λ_min|, the curvature of the escape direction
u0, r, sigma, s, tau = sp.symbols("u_0 r sigma s tau", positive=True)
t = sp.Symbol("t", nonnegative=True)
u = sp.Function("u")
v = sp.Function("v")
_NAMES = {"gamma": gamma, "u_0": u0, "r": r, "sigma": sigma, "s": s, "tau": tau, "t": t}


def saddle_escape():
    r"""Gradient descent near a strict saddle, along the eigenvector of the Hessian's eigenvalue −γ < 0:
    u_{t+1} = u_t − η(−γ u_t) = (1 + ηγ) u_t, so u_t = (1 + ηγ)^t u₀ (solved by ``rsolve``), and the first
    t with |u_t| ≥ r is T = log(r/|u₀|) / log(1 + ηγ) rounded up: logarithmic in 1/|u₀|, infinite for u₀ = 0
    (the stable manifold, which a random start misses with probability one: Lee et al. 2016, Thm 4).

    >>> saddle_escape()["T"]
    log(r/u_0)/log(eta*gamma + 1)
    """
    n = sp.Symbol("n", integer=True, nonnegative=True)
    Q = sp.Symbol("Q", positive=True)  # Q = (1 + ηγ)^T
    step = sp.Eq(u(n + 1), u(n) - eta * (-gamma * u(n)))
    solution = sp.rsolve(step.lhs - step.rhs, u(n), {u(0): u0})
    growth = sp.solve(sp.Eq(u0 * Q, r), Q)[0]  # u_T = u_0 Q = r
    escape = sp.log(growth) / sp.log(1 + eta * gamma)
    return Derivation(
        "Escaping a strict saddle by gradient descent (unstable direction, curvature −γ)",
        [
            ("one step along the escape direction", step),
            ("solved (rsolve)", sp.Eq(u(n), Textbook("u_0*(1 + eta*gamma)**n", solution, {**_NAMES, "n": n}))),
            ("the iterate at step T equals r: solved for Q = (1 + ηγ)ᵀ", sp.Eq(Q, growth)),
            (
                "steps until |u| reaches r",
                sp.Eq(sp.Symbol("T"), Textbook("log(r/u_0)/log(1 + eta*gamma)", escape, _NAMES)),
            ),
        ],
        {"u_t": solution, "T": escape, "n": n},
        "Lee, Simchowitz, Jordan, Recht (2016), COLT, Thm 4 (escape almost surely); the time by linearisation",
    )


def saddle_escape_momentum():
    r"""The heavy ball u_{t+1} = u_t + ηγ u_t + β(u_t − u_{t−1}) along the escape direction: characteristic
    polynomial z² − (1 + β + ηγ) z + β, whose larger root ρ₊ > 1 + ηγ is the growth per step; the escape time
    log(r/|u₀|)/log ρ₊ (for large t, the component along the larger root dominates).

    >>> saddle_escape_momentum()["rho"].subs({beta: 0, eta: sp.Rational(1, 10), gamma: 1})
    11/10
    """
    z = sp.Symbol("z")
    poly = z**2 - (1 + beta + eta * gamma) * z + beta
    roots = sp.solve(poly, z)
    rho = max(roots, key=lambda e: e.subs({beta: sp.Rational(1, 2), eta: sp.Rational(1, 10), gamma: 1}))
    escape = sp.log(r / u0) / sp.log(rho)
    return Derivation(
        "Escaping a strict saddle with the heavy ball",
        [
            ("characteristic polynomial (chapter 4 with λ = −γ)", sp.Eq(poly, 0)),
            (
                "larger root: the growth per step",
                Textbook("(1 + beta + eta*gamma + sqrt((1 + beta + eta*gamma)**2 - 4*beta))/2", rho, _NAMES),
            ),
            (
                "steps until |u| reaches r (c₊: the start's component along ρ₊)",
                Textbook(
                    "log(r/c_p)/log(rho_p)",
                    sp.log(r / sp.Symbol("c_+")) / sp.log(sp.Symbol("rho_+")),
                    {**_NAMES, "c_p": sp.Symbol("c_+"), "rho_p": sp.Symbol("rho_+")},
                ),
            ),
        ],
        {"poly": poly, "rho": rho, "T": escape},
        "Polyak (1964); the characteristic polynomial as in chapter 4 with λ = −γ",
    )


def saddle_escape_noise():
    r"""Perturbed gradient descent exactly at the saddle (u₀ = 0): u_{t+1} = (1 + ηγ) u_t + ξ_t with
    independent ξ_t of variance σ². The variance v_t = E u_t² obeys v_{t+1} = q² v_t + σ², q = 1 + ηγ, so
    v_t = σ² (q^{2t} − 1)/(q² − 1) (rsolve), and the root-mean-square |u_t| reaches r after
    T = log(1 + r²(q² − 1)/σ²) / (2 log q) steps: logarithmic in 1/σ, as in Jin et al. (2017)'s polylog bound.

    >>> d = saddle_escape_noise(); sp.simplify(d["v_t"].subs(d["n"], 1) - sigma**2)
    0
    """
    n = sp.Symbol("n", integer=True, nonnegative=True)
    q = 1 + eta * gamma
    recursion = sp.Eq(v(n + 1), q**2 * v(n) + sigma**2)
    solution = sp.rsolve(recursion.lhs - recursion.rhs, v(n), {v(0): 0})
    closed = sigma**2 * (q ** (2 * n) - 1) / (q**2 - 1)
    Q = sp.Symbol("Q", positive=True)  # Q = q^{2T}
    growth = sp.solve(sp.Eq(sigma**2 * (Q - 1) / (q**2 - 1), r**2), Q)[0]
    shown = sp.log(growth) / (2 * sp.log(q))
    return Derivation(
        "Escaping from the saddle itself with noise (perturbed gradient descent)",
        [
            ("variance of the escape coordinate, one step", recursion),
            (
                "solved (rsolve), starting from variance 0",
                sp.Eq(
                    v(n),
                    Textbook(
                        "sigma**2*((1 + eta*gamma)**(2*n) - 1)/((1 + eta*gamma)**2 - 1)", solution, {**_NAMES, "n": n}
                    ),
                ),
            ),
            (
                "the variance at step T equals r²: solved for Q = (1 + ηγ)²ᵀ",
                sp.Eq(Q, Textbook("1 + r**2*((1 + eta*gamma)**2 - 1)/sigma**2", growth, _NAMES)),
            ),
            (
                "steps until the root-mean-square of u reaches r",
                sp.Eq(
                    sp.Symbol("T"),
                    Textbook("log(1 + r**2*((1 + eta*gamma)**2 - 1)/sigma**2)/(2*log(1 + eta*gamma))", shown, _NAMES),
                ),
            ),
        ],
        {"v_t": solution, "closed": closed, "T": shown, "n": n},
        "Jin, Ge, Netrapalli, Kakade, Jordan (2017), ICML, Thm 3 (perturbed GD escapes in polylog steps)",
    )


def saxe_mode():
    r"""One mode of a two-layer linear network from a balanced start aligned with the target's singular
    vectors (Saxe et al. 2014, §1): the mode strength u (the product of the two layers' weights along the
    mode) follows τ du/dt = 2u(s − u), a Bernoulli equation. ``dsolve`` gives
    u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u₀), a sigmoid; it reaches u_f after
    t = (τ/2s) log(u_f(s − u₀)/(u₀(s − u_f))), so half of s after t_½ = (τ/2s) log(s/u₀ − 1): inversely
    proportional to s, logarithmic in 1/u₀.

    >>> sp.simplify(saxe_mode()["t_half"] - tau / (2 * s) * sp.log(s / u0 - 1))
    0
    """
    ode = sp.Eq(tau * u(t).diff(t), 2 * u(t) * (s - u(t)))
    general = sp.dsolve(ode, u(t), hint="Bernoulli").rhs  # a Bernoulli equation: 1/u solves a linear one
    C1 = sp.Symbol("C1")
    constant = sp.solve(sp.Eq(general.subs(t, 0), u0), C1)[0]
    solution = general.subs(C1, constant)
    published = s * sp.exp(2 * s * t / tau) / (sp.exp(2 * s * t / tau) - 1 + s / u0)
    uf, E = sp.Symbol("u_f", positive=True), sp.Symbol("E", positive=True)  # E = e^{2st/τ}
    growth = sp.factor(sp.solve(sp.Eq(published.subs(sp.exp(2 * s * t / tau), E), uf), E)[0])
    t_f_shown = tau / (2 * s) * sp.log(growth)
    t_half = sp.simplify(t_f_shown.subs(uf, s / 2))
    return Derivation(
        "Learning one mode of a deep linear network (Saxe et al.)",
        [
            ("gradient flow of the mode strength", ode),
            ("general solution (dsolve, Bernoulli)", sp.Eq(u(t), general)),
            ("the start u(0) = u₀ fixes the constant", sp.Eq(C1, constant)),
            ("so", sp.Eq(u(t), Textbook("s*exp(2*s*t/tau)/(exp(2*s*t/tau) - 1 + s/u_0)", solution, _NAMES))),
            ("u(t) equals a target strength: solved for E = exp(2st/τ)", sp.Eq(E, growth)),
            ("time to reach the target", t_f_shown),
            ("time to reach s/2", Textbook("tau/(2*s)*log(s/u_0 - 1)", t_half, _NAMES)),
        ],
        {"u": solution, "published": published, "t_f": t_f_shown, "t_half": t_half},
        "Saxe, McClelland, Ganguli (2014), ICLR, §1 (the exact solution and the learning time)",
    )


def sam_ascent(d=3):
    r"""SAM's inner maximisation to first order: maximise gᵀε subject to ‖ε‖² = ρ², by Lagrange multipliers
    in d dimensions: the stationary points are ε = ±ρ g/‖g‖, and the maximiser is ε̂ = ρ g/‖g‖ (Foret et al.
    2021, eq. 2 with p = 2), with the value ρ‖g‖.

    >>> sam_ascent(2)["value"]
    rho*sqrt(g_1**2 + g_2**2)
    """
    g = sp.Matrix(sp.symbols(f"g_1:{d + 1}", real=True))
    e = sp.Matrix(sp.symbols(f"epsilon_1:{d + 1}", real=True))
    rho, mult = sp.Symbol("rho", positive=True), sp.Symbol("nu", real=True)
    lagrangian = (g.T * e)[0] - mult * ((e.T * e)[0] - rho**2)
    equations = [sp.diff(lagrangian, x) for x in e] + [sp.diff(lagrangian, mult)]
    points = sp.solve(equations, list(e) + [mult], dict=True)
    values = [sp.simplify((g.T * e.subs(p))[0]) for p in points]
    best = max(range(len(points)), key=lambda i: values[i].subs({x: 1 for x in g}).subs(rho, 1))
    eps_hat = sp.simplify(e.subs(points[best]))
    norm = sp.sqrt(sum(x**2 for x in g))
    assert sp.simplify(eps_hat - rho * g / norm) == sp.zeros(d, 1)
    return Derivation(
        "SAM's ascent step: the first-order worst point of the ball",
        [
            ("Lagrangian of max gᵀε s.t. ‖ε‖ = ρ", lagrangian),
            ("stationary points", sp.Matrix([[sp.simplify(e.subs(p)).T] for p in points])),
            ("the maximiser", sp.Eq(sp.Symbol("epsilonhat"), rho * g / norm, evaluate=False)),
            ("the maximum", values[best]),
        ],
        {"eps_hat": eps_hat, "value": values[best], "g": g, "rho": rho},
        "Foret, Kleiner, Mobahi, Neyshabur (2021), ICLR, §2, eq. (2) with p = 2",
    )
