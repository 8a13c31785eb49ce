r"""The loss landscape (chapter 9), derived with SymPy: how long gradient descent takes to leave a strict
saddle (plain, with momentum, with noise), the sigmoidal learning of one mode of a deep linear network, and
the ascent step of sharpness-aware minimisation."""

import sympy as sp

from ._base import Derivation, beta, eta
from .momentum import Textbook

__all__ = [
    "saddle_escape",
    "saddle_escape_momentum",
    "saddle_escape_noise",
    "saxe_mode",
    "deep_linear_mode",
    "sam_ascent",
]

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
    T = sp.Symbol("T", positive=True)
    step = sp.Eq(u(n + 1), u(n) - eta * (-gamma * u(n)))
    solution = sp.rsolve(step.lhs - step.rhs, u(n), {u(0): u0})
    reach = sp.Eq(sp.Pow(1 + eta * gamma, T, evaluate=False), r / u0)  # u_T = u_0 (1 + ηγ)^T = r
    solved = sp.solve(sp.Eq((1 + eta * gamma) ** T, r / u0), T)[0]
    escape = sp.logcombine(sp.numer(sp.together(solved)), force=True) / sp.denom(sp.together(solved))
    return Derivation(
        "Escaping a strict saddle by gradient descent (unstable direction, curvature −γ)",
        [
            ("one step along the escape direction", step),
            ("collected", sp.Eq(u(n + 1), Textbook("(1 + eta*gamma)*u(n)", step.rhs, {**_NAMES, "u": u, "n": n}))),
            ("solved (rsolve)", sp.Eq(u(n), Textbook("u_0*(1 + eta*gamma)**n", solution, {**_NAMES, "n": n}))),
            ("the iterate reaches r at step T", reach),
            ("solved for T", sp.Eq(T, Textbook("log(r/u_0)/log(1 + eta*gamma)", escape, _NAMES))),
        ],
        {"u_t": solution, "T": escape, "n": n},
        "Lee, Simchowitz, Jordan, Recht (2016), COLT, Thm 4 (escape almost surely); the time by linearisation",
    )


def saddle_escape_momentum():
    r"""The heavy ball u_{t+1} = u_t + ηγ u_t + β(u_t − u_{t−1}) along the escape direction: characteristic
    polynomial z² − (1 + β + ηγ) z + β, with roots ρ₊ > 1 + ηγ > ρ₋ > 0, so u_t = c₊ρ₊ᵗ + c₋ρ₋ᵗ. The start
    fixes the constants: u₀, and u₁ = (1 + ηγ)u₀ (the first step has no velocity yet, as in torch's SGD), so
    c₊ = u₀(1 + ηγ − ρ₋)/(ρ₊ − ρ₋). Once the ρ₋ term has died out, |u| reaches r after
    T = log(r/c₊)/log ρ₊ steps (the escape step is T rounded up).

    >>> saddle_escape_momentum()["rho"].subs({beta: 0, eta: sp.Rational(1, 10), gamma: 1})
    11/10
    >>> d = saddle_escape_momentum(); round(float(d["c_plus"].subs({beta: 0.9, eta: 0.1, gamma: 1, u0: 1})), 4)
    0.6581
    """
    z = sp.Symbol("z")
    rp, rm = sp.symbols("rho_+ rho_-", positive=True)
    cp, cm = sp.symbols("c_+ c_-")
    T = sp.Symbol("T", positive=True)
    poly = z**2 - (1 + beta + eta * gamma) * z + beta
    roots = sp.solve(poly, z)
    at = {beta: sp.Rational(1, 2), eta: sp.Rational(1, 10), gamma: 1}
    rho = max(roots, key=lambda e: e.subs(at))
    rho_minus = min(roots, key=lambda e: e.subs(at))
    start = [sp.Eq(cp + cm, u0), sp.Eq(cp * rp + cm * rm, (1 + eta * gamma) * u0)]  # u_0 and u_1
    constants = sp.solve(start, [cp, cm], dict=True)[0]
    c_plus_shown = constants[cp]
    c_plus = c_plus_shown.subs({rp: rho, rm: rho_minus})
    escape_shown = sp.solve(sp.Eq(cp * rp**T, r), T)[0]  # c₊ρ₊ᵀ = r
    escape = escape_shown.subs(cp, c_plus).subs(rp, rho)
    names = {**_NAMES, "rho_p": rp, "rho_m": rm, "c_p": cp}
    return Derivation(
        "Escaping a strict saddle with the heavy ball",
        [
            ("characteristic polynomial (chapter 4 with λ = −γ)", sp.Eq(poly, 0)),
            (
                "larger root: the growth per step",
                sp.Eq(rp, Textbook("(1 + beta + eta*gamma + sqrt((1 + beta + eta*gamma)**2 - 4*beta))/2", rho, _NAMES)),
            ),
            ("the start fixes the constants: step 0", start[0]),
            ("and step 1, with no velocity yet", start[1]),
            (
                "solved: the start's component along the larger root",
                sp.Eq(cp, Textbook("u_0*(1 + eta*gamma - rho_m)/(rho_p - rho_m)", c_plus_shown, names)),
            ),
            ("the growing term reaches r at step T", sp.Eq(cp * sp.Pow(rp, T, evaluate=False), r)),
            ("solved for T", sp.Eq(T, Textbook("log(r/c_p)/log(rho_p)", escape_shown, names))),
        ],
        {"poly": poly, "rho": rho, "rho_minus": rho_minus, "c_plus": c_plus, "T": escape},
        "Polyak (1964); the characteristic polynomial as in chapter 4 with λ = −γ",
    )


def saddle_escape_noise():
    r"""Perturbed gradient descent exactly at the saddle (u₀ = 0): u_{t+1} = (1 + ηγ) u_t + ξ_t with
    independent ξ_t of variance σ². The variance v_t = E u_t² obeys v_{t+1} = q² v_t + σ², q = 1 + ηγ, so
    v_t = σ² (q^{2t} − 1)/(q² − 1) (rsolve), and the root-mean-square |u_t| reaches r after
    T = log(1 + r²(q² − 1)/σ²) / (2 log q) steps: logarithmic in 1/σ, the dependence on the noise in
    Jin et al. (2017)'s Thm 3.

    >>> d = saddle_escape_noise(); sp.simplify(d["v_t"].subs(d["n"], 1) - sigma**2)
    0
    """
    n = sp.Symbol("n", integer=True, nonnegative=True)
    q = 1 + eta * gamma
    recursion = sp.Eq(v(n + 1), q**2 * v(n) + sigma**2)
    solution = sp.rsolve(recursion.lhs - recursion.rhs, v(n), {v(0): 0})
    closed = sigma**2 * (q ** (2 * n) - 1) / (q**2 - 1)
    T = sp.Symbol("T", positive=True)
    reach = sp.Eq(sigma**2 * (sp.Pow(q, 2 * T, evaluate=False) - 1) / (q**2 - 1), r**2)
    Q = sp.Symbol("Q", positive=True)  # Q = q^{2T}: the equation is linear in it
    growth = sp.solve(sp.Eq(sigma**2 * (Q - 1) / (q**2 - 1), r**2), Q)[0]
    shown = sp.log(growth) / (2 * sp.log(q))  # q^{2T} = growth, so T = log(growth)/(2 log q)
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
            ("the root-mean-square of u reaches r at step T", reach),
            (
                "solved for T",
                sp.Eq(
                    T,
                    Textbook("log(1 + r**2*((1 + eta*gamma)**2 - 1)/sigma**2)/(2*log(1 + eta*gamma))", shown, _NAMES),
                ),
            ),
        ],
        {"v_t": solution, "closed": closed, "T": shown, "n": n},
        "Jin, Ge, Netrapalli, Kakade, Jordan (2017), ICML, Thm 3 (perturbed GD; the book's per-step noise version)",
    )


def saxe_mode():
    r"""One mode of a two-layer linear network (three layers of units in Saxe et al.'s terms: input, hidden,
    output) from a balanced start aligned with the target's singular vectors (Saxe et al. 2014, §1). Along the
    mode the layers' weights a and b follow the gradient flow of ½(s − ab)²: τ da/dt = b(s − ab),
    τ db/dt = a(s − ab). The product u = ab then obeys τ du/dt = (a² + b²)(s − ab), and a balanced start
    (a = b, kept by the flow) gives a² + b² = 2u: τ du/dt = 2u(s − u), a Bernoulli equation. ``dsolve`` gives
    u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u₀), a sigmoid; it reaches u_f after
    t = (τ/2s) log(u_f(s − u₀)/(u₀(s − u_f))), so half of s after t_½ = (τ/2s) log(s/u₀ − 1): inversely
    proportional to s, logarithmic in 1/u₀.

    >>> sp.simplify(saxe_mode()["t_half"] - tau / (2 * s) * sp.log(s / u0 - 1))
    0
    """
    a, b = sp.Function("a")(t), sp.Function("b")(t)
    flow = {a.diff(t): b * (s - a * b) / tau, b.diff(t): a * (s - a * b) / tau}  # −∂/∂a, −∂/∂b of ½(s − ab)²
    assert sp.simplify(flow[a.diff(t)] + sp.diff((s - a * b) ** 2 / 2, a) / tau) == 0
    product_rate = sp.factor(tau * sp.diff(a * b, t).subs(flow))  # τ d(ab)/dt
    w = sp.Symbol("w", positive=True)  # a = b = w, u = w²
    balanced = sp.factor(product_rate.subs({a: w, b: w}).subs(w, sp.sqrt(u(t))))
    ode = sp.Eq(tau * u(t).diff(t), balanced)
    assert sp.simplify(ode.rhs - 2 * u(t) * (s - u(t))) == 0
    general = sp.dsolve(ode, u(t), hint="Bernoulli").rhs  # a Bernoulli equation: 1/u solves a linear one
    C1 = sp.Symbol("C1")
    constant = sp.solve(sp.Eq(general.subs(t, 0), u0), C1)[0]
    solution = general.subs(C1, constant)
    published = s * sp.exp(2 * s * t / tau) / (sp.exp(2 * s * t / tau) - 1 + s / u0)
    uf = sp.Symbol("u_f", positive=True)
    E = sp.Symbol("E", positive=True)  # E = exp(2st/τ): u(t) = u_f is linear in it
    growth = sp.factor(sp.solve(sp.Eq(published.subs(sp.exp(2 * s * t / tau), E), uf), E)[0])
    t_f_shown = tau / (2 * s) * sp.log(growth)  # exp(2 s t_f/τ) = growth
    t_half = sp.simplify(t_f_shown.subs(uf, s / 2))
    names = {**_NAMES, "u_f": uf}
    return Derivation(
        "Learning one mode of a deep linear network (Saxe et al.)",
        [
            ("gradient flow of the two layers along the mode", sp.Eq(tau * a.diff(t), flow[a.diff(t)] * tau)),
            ("and", sp.Eq(tau * b.diff(t), flow[b.diff(t)] * tau)),
            ("so the product u = ab moves as", sp.Eq(tau * sp.Derivative(a * b, t), product_rate)),
            ("balanced start, a = b: the mode strength", ode),
            ("general solution (dsolve, Bernoulli)", sp.Eq(u(t), general)),
            ("the start u(0) = u0 fixes the constant", sp.Eq(C1, constant)),
            ("so", sp.Eq(u(t), Textbook("s*exp(2*s*t/tau)/(exp(2*s*t/tau) - 1 + s/u_0)", solution, _NAMES))),
            (
                "solved for the time to reach a target strength",
                sp.Eq(sp.Symbol("t_f"), Textbook("tau/(2*s)*log(u_f*(s - u_0)/(u_0*(s - u_f)))", t_f_shown, names)),
            ),
            ("half of s", sp.Eq(sp.Symbol("t_{1/2}"), Textbook("tau/(2*s)*log(s/u_0 - 1)", t_half, _NAMES))),
        ],
        {"u": solution, "ode": ode, "published": published, "t_f": t_f_shown, "t_half": t_half},
        "Saxe, McClelland, Ganguli (2014), ICLR, §1 (the one-mode dynamics, its exact solution and the learning time)",
    )


def deep_linear_mode(depth=3):
    r"""One mode of a linear network with ``depth`` weight layers (depth + 1 layers of units in Saxe et al.'s
    terms), balanced and aligned as in :func:`saxe_mode`: the layers' weights a_1, …, a_L along the mode follow
    the gradient flow of ½(s − a_1⋯a_L)², τ da_l/dt = (∏_{k≠l} a_k)(s − u) with u = a_1⋯a_L, so
    τ du/dt = (s − u) Σ_l ∏_{k≠l} a_k², and a balanced start (all a_l equal, kept by the flow) gives
    τ du/dt = L u^{2−2/L}(s − u) (Saxe et al. 2014, deeper multilayer networks). For L = 2 this is 2u(s − u). For
    L ≥ 3 the time to leave a small start is dominated by ∫ du/(L s u^{2−2/L}) from u₀ on:
    τ u₀^{−(1−2/L)}/((L − 2)s), a power of 1/u₀ instead of the logarithm of depth 2.

    >>> deep_linear_mode(3)["rate"]
    u**(4/3)*(3*s - 3*u)
    >>> deep_linear_mode(4)["plateau"]
    tau/(2*s*sqrt(u_0))
    """
    L = int(depth)
    if L < 2:
        raise ValueError(f"depth must be at least 2 (got {depth})")
    a = [sp.Function(f"a_{l + 1}")(t) for l in range(L)]
    product = sp.Mul(*a)
    loss = (s - product) ** 2 / 2
    flow = {x.diff(t): -sp.diff(loss, x) / tau for x in a}  # gradient flow of each layer's weight
    product_rate = sp.factor(tau * sp.diff(product, t).subs(flow))  # τ d(a_1⋯a_L)/dt
    w = sp.Symbol("w", positive=True)  # balanced: every a_l = w, u = w^L
    balanced = product_rate.subs({x: w for x in a})
    rate = sp.powsimp(sp.expand_power_base(balanced.subs(w, u(t) ** sp.Rational(1, L)), force=True), force=True)
    names = {**_NAMES, "u": u}
    shown = Textbook(f"{L}*u(t)**({sp.Rational(2 * L - 2, L)})*(s - u(t))", rate, names)
    ode = sp.Eq(tau * u(t).diff(t), shown)
    v = sp.Symbol("u", positive=True)
    power = 2 - sp.Rational(2, L)
    leading = sp.limit(rate.subs(u(t), v) / v**power, v, 0)  # small u: τ du/dt ≈ L s u^{2−2/L}
    steps = [
        ("gradient flow of layer 1 along the mode", sp.Eq(tau * a[0].diff(t), tau * flow[a[0].diff(t)])),
        ("so the product moves as", sp.Eq(tau * sp.Derivative(product, t), product_rate)),
        ("balanced start, all layers equal: the mode strength u", ode),
        ("while u is much smaller than s", sp.Eq(tau * u(t).diff(t), leading * u(t) ** power)),
    ]
    result = {"ode": ode, "rate": rate.subs(u(t), v), "u": v, "depth": L}
    if L >= 3:
        plateau = sp.simplify(tau * sp.integrate(1 / (leading * v**power), (v, u0, sp.oo)))
        steps.append(("time to leave a small start u0 (integrating dt)", sp.Eq(sp.Symbol("t_plateau"), plateau)))
        result["plateau"] = plateau
    return Derivation(
        f"Learning one mode of a linear network with {L} weight layers",
        steps,
        result,
        "Saxe, McClelland, Ganguli (2014), ICLR, the analysis of deeper multilayer networks (the same reduction)",
    )


def sam_ascent(d=3):
    r"""SAM's inner maximisation to first order: maximise the linear function gᵀε over the ball ‖ε‖ ≤ ρ. For
    g ≠ 0 a linear function has no stationary point inside the ball, so its maximum lies on the boundary
    ‖ε‖² = ρ², where Lagrange multipliers (d dimensions) find it: the stationary points are ε = ±ρ g/‖g‖,
    and the maximiser is ε̂ = ρ g/‖g‖ (Foret et al. 2021, eq. 2 with p = 2), with the value ρ‖g‖.

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
            ("for g ≠ 0 the maximum over the ball lies on the sphere; Lagrangian there", lagrangian),
            *[
                (f"stationary point {i + 1}", sp.Eq(sp.Symbol("epsilon"), sp.simplify(e.subs(p)), evaluate=False))
                for i, p in enumerate(points)
            ],
            ("the maximiser", sp.Eq(sp.Symbol("epsilonhat"), rho * g / norm, evaluate=False)),
            ("the maximum", values[best]),
        ],
        {"eps_hat": eps_hat, "value": values[best], "g": g, "rho": rho},
        "Foret, Kleiner, Mobahi, Neyshabur (2021), ICLR, §2, eq. (2) with p = 2",
    )
