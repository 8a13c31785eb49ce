r"""What a learning-rate schedule buys (chapter 7), derived with SymPy.

=================================  ==========================================  ====================================
function                           result                                      assumption, source of the form
=================================  ==========================================  ====================================
:func:`noise_floor_recursion`      ησ²/(2(2 − ηλ)) ≈ ησ²/4 per direction        quadratic, additive noise of constant
                                                                               variance σ²; chapter 3, §3.4
:func:`constant_step_floor`        E[L − L*] → ηLM/(2μ)                        μ-strongly convex, L-smooth, E‖g −
                                                                               ∇L‖² ≤ M, η ≤ 1/L; Bottou, Curtis &
                                                                               Nocedal (2018) Thm 4.6
:func:`diminishing_step_rate`      E[L − L*] ≤ ν/(γ + k), η_k = β/(γ + k)      same, β > 1/μ; BCN (2018) Thm 4.7
:func:`step_decay_rate`            halving η at twice the floor: O(1/t)        same; BCN (2018) §4.2, after Thm 4.6
=================================  ==========================================  ====================================

Bottou, Curtis and Nocedal write c for the strong-convexity constant and μ, μ_G, M, M_V, M_G for the moments
of the stochastic direction. For unbiased SGD, μ = μ_G = 1; with a variance bound E‖g − ∇L‖² ≤ M that does not
grow with ‖∇L‖, M_V = 0 and M_G = 1. With those values their c is the book's μ, and that is how this module
writes their results. Indices k start at 1 there (θ₁ is the starting point), so the book's step t is k = t + 1.
"""

import sympy as sp

from ._base import Derivation, L, beta, eta, mu
from ._display import Shown, frac, one_minus

__all__ = ["noise_floor_recursion", "constant_step_floor", "diminishing_step_rate", "step_decay_rate"]

U = lambda *factors: sp.Mul(*factors, evaluate=False)  # noqa: E731  a product kept in the order written
P = lambda *terms: sp.Add(*terms, evaluate=False)  # noqa: E731  a sum kept in the order written

lam = sp.Symbol("lambda", positive=True)  # one eigenvalue of the Hessian
sigma = sp.Symbol("sigma", positive=True)  # noise standard deviation along that eigenvector
M = sp.Symbol("M", positive=True)  # the variance bound E‖g − ∇L‖² ≤ M
v, phi, phi1 = sp.symbols("v varphi varphi_1", positive=True)
gamma, nu = sp.symbols("gamma nu", positive=True)
khat = sp.Symbol("khat", positive=True)  # γ + k
k = sp.Symbol("k", integer=True, positive=True)
r, R = sp.symbols("r R", integer=True, positive=True)
eta0 = sp.Symbol("eta_0", positive=True)


def noise_floor_recursion():
    r"""Chapter 3's noise floor, from the per-direction recursion it rests on.

    Along an eigenvector of a quadratic's Hessian (eigenvalue λ), SGD with step η and additive gradient noise of
    variance σ² moves the error by e ← (1 − ηλ)e − ηξ, so its second moment v = E[e²] follows

    .. math:: v_{t+1} = (1 - \eta\lambda)^2 v_t + \eta^2\sigma^2 ,

    whose fixed point gives the excess loss ½λv* = ησ²/(2(2 − ηλ)) = ησ²/4 + O(η²): summed over directions,
    chapter 3's η tr Σ/4 (§3.4), approached geometrically at the rate (1 − ηλ)² per step.

    >>> d = noise_floor_recursion()
    >>> d["first_order"], d["second_order"]
    (eta*sigma**2/4, eta**2*lambda*sigma**2/8)
    """
    recursion = (1 - eta * lam) ** 2 * v + eta**2 * sigma**2
    v_star = sp.factor(sp.solve(sp.Eq(v, recursion), v)[0])
    floor = sp.factor(lam * v_star / 2)
    series = sp.series(floor, eta, 0, 3).removeO()
    first_order = sp.expand(series).coeff(eta, 1) * eta
    second_order = sp.expand(series).coeff(eta, 2) * eta**2
    contraction = sp.factor(sp.diff(recursion, v))
    return Derivation(
        "The noise floor of constant-step SGD along one eigendirection",
        [
            (
                "second moment of the error, one step",
                Shown(
                    recursion,
                    display=P(U((1 - eta * lam) ** 2, v), U(eta**2, sigma**2)),
                    lhs=r"v_{t+1} = ",
                    names={v: "v_t"},
                ),
            ),
            (
                "its fixed point",
                Shown(v_star, display=frac(U(eta, sigma**2), U(lam, P(2, -U(eta, lam)))), lhs=r"v^\star = "),
            ),
            (
                "the excess loss",
                Shown(
                    floor, display=frac(U(eta, sigma**2), U(2, P(2, -U(eta, lam)))), lhs=r"\tfrac12\lambda v^\star = "
                ),
            ),
            (
                "in powers of the step (chapter 3, summed over directions)",
                Shown(
                    first_order + second_order,
                    display=P(frac(U(eta, sigma**2), 4), frac(U(eta**2, lam, sigma**2), 8)),
                    rhs=r" + O(\eta^3)",
                ),
            ),
            (
                "reached geometrically: per step the distance to the fixed point shrinks by the factor",
                Shown(contraction, display=(1 - eta * lam) ** 2),
            ),
        ],
        {
            "recursion": recursion,
            "v_star": v_star,
            "floor": floor,
            "first_order": first_order,
            "second_order": second_order,
            "contraction": contraction,
        },
        "chapter 3, §3.4 (stationary covariance of e ← (I − ηH)e − ηξ); exact for additive noise of constant variance",
    )


def constant_step_floor():
    r"""Bottou, Curtis & Nocedal (2018), Theorem 4.6, for unbiased SGD with a fixed step η ≤ 1/L on an L-smooth,
    μ-strongly convex L with E‖g − ∇L‖² ≤ M, derived from its two ingredients.

    The descent lemma in expectation, with E‖g‖² = ‖∇L‖² + E‖g − ∇L‖² ≤ G + M (G = ‖∇L(θ_k)‖²), gives
    E[L(θ_{k+1})] ≤ L − ηG + (Lη²/2)(G + M) = L − η(1 − Lη/2)G + Lη²M/2. For η ≤ 1/L the factor 1 − Lη/2 is at
    least ½ (their difference is (1 − Lη)/2 ≥ 0), so the bound is at most L − (η/2)G + Lη²M/2; then
    G ≥ 2μ(L − L*) (strong convexity) gives, for the expected gap φ_k = E[L(θ_k) − L*],

    .. math:: \varphi_{k+1} \le (1 - \eta\mu)\,\varphi_k + \tfrac12\eta^2 L M ,

    a linear recurrence that SymPy solves (``rsolve``, from φ₁):
    φ_k ≤ ηLM/(2μ) + (1 − ημ)^{k−1}(φ₁ − ηLM/(2μ)): a floor proportional to η, reached at a linear rate.

    >>> constant_step_floor()["floor"]
    L*M*eta/(2*mu)
    """
    F, Fs, G = sp.symbols("L_k L^star G", positive=True)  # L(θ_k), L*, ‖∇L(θ_k)‖²
    lemma = F - eta * G + L * eta**2 / 2 * (G + M)  # descent lemma in expectation, E‖g‖² ≤ G + M
    coeff = sp.factor(-sp.expand(lemma).coeff(G))  # η(1 − Lη/2) multiplies −G
    slack = sp.factor(coeff / eta - sp.Rational(1, 2))  # (1 − Lη)/2: ≥ 0 exactly when η ≤ 1/L
    halved = F - eta / 2 * G + L * eta**2 * M / 2  # the factor replaced by its lower bound ½
    bound = sp.collect(sp.expand(halved.subs(G, 2 * mu * (F - Fs)).subs(F, phi + Fs) - Fs), phi)
    f = sp.Function("varphi")
    solved = sp.rsolve(f(k + 1) - (1 - eta * mu) * f(k) - eta**2 * L * M / 2, f(k), {f(1): phi1})
    floor = sp.solve(sp.Eq(phi, bound), phi)[0]
    solution = floor + (1 - eta * mu) ** (k - 1) * (phi1 - floor)
    x = sp.Symbol("x", positive=True)  # x = 1 − ημ, so that the powers combine
    same = sp.expand(sp.powsimp(sp.expand((solved - solution).subs(eta, (1 - x) / mu)), force=True)) == 0
    recursion_ok = sp.expand(bound - ((1 - eta * mu) * phi + eta**2 * L * M / 2)) == 0
    return Derivation(
        "Constant step (Bottou, Curtis and Nocedal 2018, Thm 4.6), with G the squared gradient norm",
        [
            (
                "descent lemma in expectation, the second moment of g at most G + M",
                Shown(
                    lemma,
                    display=P(F, -U(eta, G), U(frac(U(L, eta**2), 2), P(G, M))),
                    lhs=r"\mathbb E[L_{k+1}] \le ",
                ),
            ),
            ("the factor of minus G", Shown(coeff, display=U(eta, one_minus(frac(U(L, eta), 2))))),
            (
                "exceeds one half of eta by eta times",
                Shown(slack, display=frac(one_minus(U(L, eta)), 2), rhs=r" \ge 0 \quad (\eta \le 1/L)"),
            ),
            (
                "so, with G at least twice mu times the gap, for the gap",
                Shown(
                    bound,
                    display=P(U(one_minus(U(eta, mu)), phi), frac(U(eta**2, L, M), 2)),
                    lhs=r"\varphi_{k+1} \le ",
                    names={phi: r"\varphi_k"},
                ),
            ),
            (
                "solved from the first gap (rsolve)",
                Shown(
                    solution,
                    display=P(
                        frac(U(eta, L, M), U(2, mu)),
                        U(
                            sp.Pow(one_minus(U(eta, mu)), P(k, -1), evaluate=False),
                            P(phi1, -frac(U(eta, L, M), U(2, mu))),
                        ),
                    ),
                    lhs=r"\varphi_k \le ",
                ),
            ),
            ("its floor", Shown(floor, display=frac(U(eta, L, M), U(2, mu)), lhs=r"\varphi^\star = ")),
        ],
        {
            "lemma": lemma,
            "coefficient": coeff,
            "slack": slack,
            "recursion": bound,
            "floor": floor,
            "solution": solution,
            "rsolve": solved,
            "solves": bool(same and recursion_ok),
        },
        "Bottou, Curtis and Nocedal (2018), SIAM Review 60(2), Theorem 4.6 (their c is μ; unbiased SGD, variance ≤ M)",
    )


def diminishing_step_rate():
    r"""Bottou, Curtis & Nocedal (2018), Theorem 4.7: with η_k = β/(γ + k), β > 1/μ, γ > 0 and η₁ ≤ 1/L,

    .. math:: \mathbb E[L(\theta_k) - L^\star] \le \frac{\nu}{\gamma + k},\qquad
        \nu = \max\Bigl(\frac{\beta^2 L M}{2(\beta\mu - 1)},\ (\gamma + 1)\,\varphi_1\Bigr).

    The induction step is derived: write k̂ = γ + k and assume φ_k ≤ ν/k̂. The recursion of Thm 4.6 with η_k gives
    φ_{k+1} ≤ (k̂ − 1)ν/k̂² − ((βμ − 1)ν − β²LM/2)/k̂²; the bracket is ≥ 0 exactly when ν ≥ β²LM/(2(βμ − 1)), and
    (k̂ − 1)/k̂² ≤ 1/(k̂ + 1) since their difference is 1/(k̂²(k̂ + 1)) > 0. The first entry of ν is smallest at
    β = 2/μ, where it is 2LM/μ².

    >>> d = diminishing_step_rate()
    >>> d["nu_min"], d["beta_best"]
    (2*L*M/mu**2, 2/mu)
    """
    step = beta / khat
    after = (1 - step * mu) * nu / khat + step**2 * L * M / 2  # the recursion of Thm 4.6 applied to φ_k = ν/k̂
    rest = sp.factor(sp.simplify((khat - 1) * nu / khat**2 - after))  # what the step removes beyond (k̂ − 1)ν/k̂²
    nu_needed = sp.solve(sp.Eq(rest, 0), nu)[0]
    margin = sp.factor(sp.simplify(1 / (khat + 1) - (khat - 1) / khat**2))
    beta_best = [b for b in sp.solve(sp.diff(nu_needed, beta), beta) if b.is_positive][0]
    nu_min = sp.simplify(nu_needed.subs(beta, beta_best))
    return Derivation(
        "Diminishing step β/(γ + k) (Bottou, Curtis and Nocedal 2018, Thm 4.7), with k̂ = γ + k",
        [
            (
                "assume the claim at step k; one step of the recursion",
                Shown(
                    after,
                    display=P(
                        U(one_minus(frac(U(beta, mu), khat)), frac(nu, khat)), frac(U(beta**2, L, M), U(2, khat**2))
                    ),
                    lhs=r"\varphi_{k+1} \le ",
                ),
            ),
            (
                "rearranged",
                Shown(
                    rest,
                    display=frac(P(U(2, P(U(beta, mu), -1), nu), -U(beta**2, L, M)), U(2, khat**2)),
                    lhs=r"\varphi_{k+1} \le \frac{(\hat k - 1)\,\nu}{\hat k^2} - ",
                ),
            ),
            (
                "the subtracted term is not negative when",
                Shown(nu_needed, display=frac(U(beta**2, L, M), U(2, P(U(beta, mu), -1))), lhs=r"\nu \ge "),
            ),
            (
                "and the first term is below the claim at step k + 1, since",
                Shown(
                    margin,
                    display=sp.Pow(U(khat**2, P(khat, 1)), -1, evaluate=False),
                    lhs=r"\frac{1}{\hat k + 1} - \frac{\hat k - 1}{\hat k^2} = ",
                ),
            ),
            (
                "the first entry of the maximum defining nu is smallest at",
                Shown(beta_best, display=frac(2, mu), lhs=r"\beta = "),
            ),
            ("where it is", Shown(nu_min, display=frac(U(2, L, M), mu**2), lhs=r"\nu = ")),
        ],
        {"after": after, "rest": rest, "nu": nu_needed, "margin": margin, "beta_best": beta_best, "nu_min": nu_min},
        "Bottou, Curtis and Nocedal (2018), SIAM Review 60(2), Theorem 4.7 (their c is μ; unbiased SGD, variance ≤ M)",
    )


def step_decay_rate():
    r"""Step decay by halving (Bottou, Curtis & Nocedal 2018, §4.2, the discussion after Theorem 4.6): run with
    η_r = η₀/2^r until the gap reaches twice its floor F_r = η_r LM/(2μ), then halve.

    A phase starts at 2F_{r−1} = 4F_r, and the bound of Thm 4.6 gives F_r + (1 − η_r μ)^k·3F_r, which reaches 2F_r
    after k_r = log 3/(−log(1 − η_r μ)) ≈ log 3/(η_r μ) steps: each phase is twice as long as the one before and
    ends with half the gap. After R phases, t ≈ (2^{R+1} − 2) log 3/(η₀μ) steps and the gap is 2F_R, so

    .. math:: t\,\mathbb E[L - L^\star] \approx 2\log 3\,\frac{LM}{\mu^2}\,(1 - 2^{-R}) ,

    an O(1/t) rate whose constant, at the end of each phase, is only log 3 ≈ 1.10 times Theorem 4.7's best,
    2LM/μ² (between phase ends t·bound rises by at most about 3 %), with no β to tune against μ: it needs the
    floor F_r (which contains μ) to know when a phase ends, but no step-size constant matched to μ.

    >>> d = step_decay_rate()
    >>> d["t_gap_limit"]
    2*L*M*log(3)/mu**2
    """
    eta_r = eta0 / 2**r
    F = lambda step: step * L * M / (2 * mu)  # noqa: E731  Thm 4.6's floor
    h, q, kk = sp.symbols("eta_r q k", positive=True)  # the phase's step, its contraction 1 − η_r μ, steps taken
    start = 2 * F(2 * h)  # twice the floor of the previous phase, whose step was 2η_r
    bound = F(h) + q**kk * (start - F(h))
    k_exact = sp.simplify(sp.solve(sp.Eq(bound, 2 * F(h)), kk)[0].subs(q, 1 - h * mu))
    k_small = sp.simplify(sp.limit(k_exact * h, h, 0) / h)  # leading term for small η_r μ
    k_small = k_small.subs(h, eta_r)
    t_R = sp.simplify(sp.summation(k_small, (r, 1, R)))
    gap_R = sp.simplify(2 * F(eta0 / 2**R))
    product = sp.simplify(sp.expand(t_R * gap_R))
    limit = sp.limit(product, R, sp.oo)
    return Derivation(
        "Step decay: halve η when the gap reaches twice its floor",
        [
            (
                "phase r (step η₀/2ʳ) starts at twice the previous floor, four times its own: bound after k steps",
                Shown(
                    bound,
                    display=P(frac(U(h, L, M), U(2, mu)), U(q**kk, frac(U(3, h, L, M), U(2, mu)))),
                    lhs=r"\varphi \le ",
                ),
            ),
            (
                "reaches twice its floor after (q = 1 − ημ at this phase's step)",
                Shown(
                    k_exact,
                    display=sp.Mul(-1, frac(sp.log(3), sp.log(one_minus(U(h, mu)))), evaluate=False),
                    lhs=r"k_r = ",
                ),
            ),
            ("for small ημ", Shown(k_small, display=frac(U(2**r, sp.log(3)), U(eta0, mu)), lhs=r"k_r \approx ")),
            (
                "steps of R phases",
                Shown(t_R, display=frac(U(P(2 ** (R + 1), -2), sp.log(3)), U(eta0, mu)), lhs=r"t_R \approx "),
            ),
            ("gap at the end of phase R", Shown(gap_R, display=frac(U(eta0, L, M), U(2**R, mu)), lhs=r"2F_R = ")),
            (
                "their product: an O(1/t) rate with constant",
                Shown(limit, display=U(2, sp.log(3), frac(U(L, M), mu**2)), lhs=r"t_R\, 2F_R \to "),
            ),
        ],
        {"k_exact": k_exact, "k_small": k_small, "t_R": t_R, "gap_R": gap_R, "product": product, "t_gap_limit": limit},
        "Bottou, Curtis and Nocedal (2018), SIAM Review 60(2), §4.2, discussion after Theorem 4.6",
    )
