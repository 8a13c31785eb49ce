r"""Adaptive methods (chapter 5): the exponential moving average behind RMSProp and Adam, Adam's bias
correction, the two placements of Adam's ε, and RAdam's variance rectification, derived with SymPy.

Each derived expression is displayed as a textbook writes it (:func:`_form`, the same check as
:class:`~gdlib.theory.momentum.Textbook`: the written form must equal what SymPy derived).
"""

import sympy as sp

from ._base import Derivation, beta, eta
from .momentum import Textbook, _equal

__all__ = ["ema_memory", "adam_bias_correction", "adam_epsilon_hat", "radam_rectification"]

k, i = sp.symbols("k i", integer=True, nonnegative=True)
t = sp.Symbol("t", integer=True, positive=True)
h = sp.Symbol("h", positive=True)
beta1, beta2 = sp.symbols("beta_1 beta_2", positive=True)
g_mean, g2_mean = sp.Symbol("E[g]", positive=True), sp.Symbol("E[g²]", positive=True)  # of a stationary g
m, v, eps = sp.symbols("m v epsilon", positive=True)
eps_hat = sp.Symbol("epsilonhat", positive=True)
rho, rho_t = sp.symbols("rho rho_t", positive=True)
rho_inf = sp.Symbol(r"rho_\infty", positive=True)
sigma = sp.Symbol("sigma", positive=True)
x_chi = sp.Symbol("x", positive=True)
_NAMES = {
    "beta": beta,
    "beta_1": beta1,
    "beta_2": beta2,
    "k": k,
    "i": i,
    "t": t,
    "h": h,
    "Eg": g_mean,
    "Eg2": g2_mean,
    "m": m,
    "v": v,
    "eta": eta,
    "epsilon": eps,
    "epsilonhat": eps_hat,
    "rho": rho,
    "rho_t": rho_t,
    "rho_oo": rho_inf,
    "sigma": sigma,
    "g_i": sp.Symbol("g_i"),
}


class _Form(Textbook):
    """A derived expression shown in its textbook form, parsed with this module's symbols."""

    def __new__(cls, form, derived):
        return super().__new__(cls, form, derived, names=_NAMES)

    def _latex(self, printer):
        try:
            return super()._latex(printer)
        except TypeError:  # a Sum cannot be rebuilt unevaluated by Textbook's tidying: print it as parsed
            return sp.latex(self.args[0], order="none")


def _for_beta_below_one(series_sum):
    """The value of a summed geometric series on its branch of convergence, 0 < β < 1 (SymPy returns a
    Piecewise whose first branch carries the condition β < 1)."""
    value, condition = series_sum.args[0]
    assert condition == (beta < 1), condition
    return value


def _for_beta_2_below_one(expression):
    """SymPy's closed form of a finite geometric sum on the branch β₂ ≠ 1 (the last of its Piecewise)."""
    if isinstance(expression, sp.Piecewise):
        value, condition = expression.args[-1]
        assert condition == sp.true, condition
        return value
    return expression


def ema_memory():
    r"""The memory of an exponential moving average :math:`a_t = \beta a_{t-1} + (1-\beta)\,x_t`, a_0 = 0.

    .. math::
        a_t = (1-\beta)\sum_{k=0}^{t-1} \beta^k x_{t-k}, \qquad
        \sum_{k=0}^{\infty} (1-\beta)\beta^k = 1, \qquad
        \sum_{k=0}^{\infty} k\,(1-\beta)\beta^k = \frac{\beta}{1-\beta}, \qquad
        h = \frac{\ln 2}{-\ln\beta} \approx \frac{\ln 2}{1-\beta}

    The weight of the value k steps old is (1 − β)βᵏ; the weights sum to 1 (to 1 − βᵗ after t steps: the
    bias Adam corrects); their mean age is β/(1 − β), so counting the newest value as one step the average
    spans 1 + β/(1 − β) = 1/(1 − β) steps — RMSProp's and Adam's "memory" of about 1/(1 − β) gradients
    (10 for β = 0.9, 1,000 for β = 0.999). The half-life h, the age at which a weight has halved, is
    ln 2/(−ln β). The average is the one of RMSProp (Tieleman & Hinton 2012, lecture 6e) and of Adam's two
    moments (Kingma & Ba 2015, Algorithm 1).

    >>> d = ema_memory()
    >>> d["memory"], d["mean_age"]
    (-1/(beta - 1), -beta/(beta - 1))
    >>> round(float(d["half_life"].subs(beta, 0.9)), 4)
    6.5788
    """
    weight = (1 - beta) * beta**k
    total_t = sp.factor(sp.summation(weight, (k, 0, t - 1)))
    total = sp.simplify((1 - beta) * _for_beta_below_one(sp.summation(beta**k, (k, 0, sp.oo))))
    mean_age = sp.simplify((1 - beta) * _for_beta_below_one(sp.summation(k * beta**k, (k, 0, sp.oo))))
    memory = sp.simplify(1 + mean_age)
    half_life = sp.solve(sp.Eq(beta**h, sp.Rational(1, 2)), h)[0]
    return Derivation(
        "Memory of an exponential moving average",
        [
            ("weight of the value k steps old", _Form("(1 - beta)*beta**k", weight)),
            ("the weights of t values sum to", _Form("1 - beta**t", total_t)),
            ("all weights (t → ∞) sum to", _Form("1", total)),
            ("mean age of the averaged values", _Form("beta/(1 - beta)", mean_age)),
            ("memory: the newest value counts as one step", _Form("1/(1 - beta)", memory)),
            ("half-life h: βʰ = 1/2", _Form("log(2)/log(1/beta)", half_life)),
        ],
        {
            "weight": weight,
            "total_t": total_t,
            "total": total,
            "mean_age": mean_age,
            "memory": memory,
            "half_life": half_life,
        },
        "Tieleman & Hinton (2012), Lecture 6e (RMSProp); Kingma & Ba (2015), Algorithm 1",
    )


def adam_bias_correction():
    r"""Why Adam divides by 1 − β₁ᵗ and 1 − β₂ᵗ: with m_0 = 0 and m_t = β₁m_{t−1} + (1 − β₁)g_t,

    .. math::
        m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i, \qquad
        \mathbb{E}[m_t] = (1-\beta_1^t)\,\mathbb{E}[g], \qquad \mathbb{E}[v_t] = (1-\beta_2^t)\,\mathbb{E}[g^2]

    for gradients whose mean E[g] (and mean square E[g²]) does not change with t. Dividing by
    1 − β₁ᵗ and 1 − β₂ᵗ makes both estimates unbiased. Without either division the first step (ε = 0) is
    (1 − β₁)/√(1 − β₂) times the corrected one, η: ≈ 3.16η with the defaults 0.9, 0.999 — too long.
    Kingma & Ba (2015), §3 (initialization bias correction), the derivation of E[v_t] there; Algorithm 1
    divides both moments. Here the means are derived by solving the recursion for E[m_t] (``rsolve``), and the
    first-step ratio by substituting m_1, v_1 into both steps.

    >>> d = adam_bias_correction()
    >>> d["mean_m"].subs({beta1: sp.Rational(9, 10), t: 1})      # E[m_1] = (1 − β₁)E[g]
    E[g]/10
    >>> round(float(d["uncorrected_first_step"].subs({beta1: 0.9, beta2: 0.999})), 4)
    3.1623
    """
    g_i, g_1, g_2, g_3 = sp.symbols("g_i g_1 g_2 g_3")
    m_t = (1 - beta1) * sp.Sum(beta1 ** (t - i) * g_i, (i, 1, t))  # the sum the recursion unrolls to
    # unroll the recursion m_t = β₁m_{t−1} + (1 − β₁)g_t from m_0 = 0 three times: it is the sum above at t = 3
    m_3 = 0
    for g_step in (g_1, g_2, g_3):
        m_3 = beta1 * m_3 + (1 - beta1) * g_step
    unrolled = (1 - beta1) * sum(beta1 ** (3 - j) * g_j for j, g_j in enumerate((g_1, g_2, g_3), start=1))
    # the mean obeys the same recursion with g_t replaced by E[g]: solve it (rsolve), E[m_0] = 0
    M = sp.Function("M")
    mean_m = sp.factor(sp.rsolve(M(t) - beta1 * M(t - 1) - (1 - beta1) * g_mean, M(t), {M(0): 0}))
    mean_v = mean_m.subs({beta1: beta2, g_mean: g2_mean})  # the same recursion for v_t and E[g²]
    # first step, g_1 = g > 0, ε = 0: m_1 = (1 − β₁)g, v_1 = (1 − β₂)g²; corrected m̂_1 = g, v̂_1 = g²
    g = sp.Symbol("g", positive=True)
    m_1, v_1 = (1 - beta1) * g, (1 - beta2) * g**2
    uncorrected, corrected = m_1 / sp.sqrt(v_1), (m_1 / (1 - beta1)) / sp.sqrt(v_1 / (1 - beta2))
    ratio = sp.simplify(uncorrected / corrected)  # uncorrected over corrected step length at t = 1
    return Derivation(
        "Adam's bias correction",
        [
            (
                "three substitutions of the recursion from m₀ = 0",
                _Form("(1 - beta_1)*(beta_1**2*g_1 + beta_1*g_2 + g_3)", m_3),
            ),
            ("so, unrolled", _Form("(1 - beta_1)*Sum(beta_1**(t - i)*g_i, (i, 1, t))", m_t)),
            ("its mean solves E[mₜ] = β₁E[mₜ₋₁] + (1 − β₁)E[g], E[m₀] = 0", _Form("(1 - beta_1**t)*Eg", mean_m)),
            ("the same recursion for the second moment", _Form("(1 - beta_2**t)*Eg2", mean_v)),
            (
                "so m/(1 − β₁ᵗ), v/(1 − β₂ᵗ) are unbiased; at t = 1, uncorrected step / corrected step",
                _Form("(1 - beta_1)/sqrt(1 - beta_2)", ratio),
            ),
        ],
        {
            "m_t": m_t,
            "m_3_by_substitution": m_3,
            "unrolled_matches": sp.simplify(sp.expand(m_3 - unrolled)) == 0,
            "mean_m": mean_m,
            "mean_v": mean_v,
            "uncorrected_first_step": ratio,
        },
        "Kingma & Ba (2015), §3 and Algorithm 1",
    )


def adam_epsilon_hat():
    r"""The two placements of Adam's ε. Algorithm 1 of Kingma & Ba (2015) (and torch.optim.Adam) adds ε to
    the root of the *corrected* second moment; the paragraph of their §2 just before §2.1 rewrites the step with the
    corrections folded into the step size, and ε̂ added to the root of the *raw* v (the form of Keras/TF):

    .. math::
        \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}
        \;=\; \frac{\eta\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t} + \hat\epsilon}
        \quad\Longleftrightarrow\quad \hat\epsilon = \epsilon\sqrt{1-\beta_2^t}

    So the same number used as ε in one form and as ε̂ in the other gives different steps while t is small
    compared with 1/(1 − β₂): with ε̂ = ε the Keras form has the larger effective ε, ε/√(1 − β₂ᵗ) (≈ 31.6·ε at
    t = 1 for β₂ = 0.999).

    >>> adam_epsilon_hat()["epsilon_hat"]
    epsilon*sqrt(1 - beta_2**t)
    """
    torch_form = eta / (1 - beta1**t) * m / (sp.sqrt(v) / sp.sqrt(1 - beta2**t) + eps)
    hat_form = eta * sp.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sp.sqrt(v) + eps_hat)
    solution = sp.solve(sp.Eq(torch_form, hat_form), eps_hat)
    epsilon_hat = sp.factor(solution[0])
    same_number = sp.simplify(eps / sp.sqrt(1 - beta2**t))  # the ε of the torch form equal to ε̂ = ε
    return Derivation(
        "Where ε goes in Adam",
        [
            (
                "Algorithm 1 (torch): ε after the corrected root",
                _Form("eta*m/((1 - beta_1**t)*(sqrt(v)/sqrt(1 - beta_2**t) + epsilon))", torch_form),
            ),
            (
                "§2, before §2.1 (Keras/TF): ε̂ after the raw root",
                _Form("eta*sqrt(1 - beta_2**t)/(1 - beta_1**t)*m/(sqrt(v) + epsilonhat)", hat_form),
            ),
            ("equal at every step exactly when", sp.Eq(eps_hat, _Form("epsilon*sqrt(1 - beta_2**t)", epsilon_hat))),
            (
                "ε̂ = ε in the Keras form acts as this ε in the torch form",
                _Form("epsilon/sqrt(1 - beta_2**t)", same_number),
            ),
        ],
        {"torch_form": torch_form, "hat_form": hat_form, "epsilon_hat": epsilon_hat, "same_number_as": same_number},
        "Kingma & Ba (2015), Algorithm 1 and §2 (the paragraph before §2.1)",
    )


def _chi2_inverse_moment(power):
    r"""E[X^power] for X ~ χ²(ρ), integrated from the density, with the condition on ρ under which the
    integral converges (SymPy returns it as the first branch of a Piecewise)."""
    density = x_chi ** (rho / 2 - 1) * sp.exp(-x_chi / 2) / (2 ** (rho / 2) * sp.gamma(rho / 2))
    value, condition = sp.integrate(x_chi**power * density, (x_chi, 0, sp.oo)).args[0]
    return sp.factor(sp.gammasimp(value)), condition


def radam_rectification():
    r"""RAdam's variance rectification (Liu et al. 2020, §3–4, Algorithm 2). Match the exponential moving
    average of t squared gradients to a simple moving average of length ρ by their mean age ((ρ − 1)/2 for
    the simple one); model the adaptive factor ψ = 1/√v̂ by ψ² = ρ/(σ²X), X ~ χ²(ρ) (ψ² scaled-inverse-χ²
    with ρ degrees of freedom, the paper's assumption), and take the variance of ψ to first order:

    .. math::
        \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}, \qquad \rho_\infty = \frac{2}{1-\beta_2} - 1,
        \qquad \operatorname{Var}\psi \approx \frac{\operatorname{Var}\psi^2}{4\,\mathbb{E}\psi^2}
        = \frac{\rho}{2(\rho-2)(\rho-4)\sigma^2}, \qquad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}

    E[ψ²] needs E[1/X], which exists for ρ > 2, and Var ψ² needs E[1/X²], which exists only for ρ > 4 — the
    threshold, derived here from the integrals' conditions. r_t = √(Var ψ_∞/Var ψ_t). Algorithm 2 takes the
    rectified Adam step when ρ_t > 4 and a momentum-SGD step (m̂ alone) otherwise; torch.optim.RAdam (and
    gd.RAdam) switch at ρ_t > 5. ρ_1 = 1 for every β₂, and ρ_t ≈ t while t ≪ 1/(1 − β₂); ρ_∞ is the limit
    t → ∞ for every 0 < β₂ < 1 (taken with β₂ = e^{−λ}, λ > 0).

    >>> d = radam_rectification()
    >>> d["rho_1"]
    1
    >>> d["var_psi"]
    rho/(2*sigma**2*(rho - 4)*(rho - 2))
    >>> d["switch_paper"](0.999), d["switch_torch"](0.999)
    (5, 6)
    """
    weight = beta2 ** (t - i) * (1 - beta2) / (1 - beta2**t)  # weight of g_i² in v_t/(1 − β₂ᵗ)
    # with the age k = t − i (k = 0, …, t − 1) the weight is β₂ᵏ times a constant: sum k·β₂ᵏ, then scale
    constant = sp.simplify(weight.subs(i, t - k) / beta2**k)
    mean_age = sp.simplify(constant * _for_beta_2_below_one(sp.summation(k * beta2**k, (k, 0, t - 1))))
    sma_length = sp.solve(sp.Eq((rho - 1) / 2, mean_age), rho)[0]
    rho_t_expr = sp.simplify(sma_length)
    lam = sp.Symbol("lambda", positive=True)  # β₂ = e^{−λ}: every 0 < β₂ < 1
    limit = sp.limit(rho_t_expr.subs(beta2, sp.exp(-lam)), t, sp.oo)
    rho_inf_expr = sp.factor(sp.simplify(limit.subs(lam, -sp.log(beta2))))
    published = 2 / (1 - beta2) - 1 - 2 * t * beta2**t / (1 - beta2**t)
    # the variance of ψ, ψ² = ρ/(σ²X), X ~ χ²(ρ)
    inv_mean, inv_mean_condition = _chi2_inverse_moment(-1)
    inv_square, inv_square_condition = _chi2_inverse_moment(-2)
    mean_psi2 = sp.factor(rho / sigma**2 * inv_mean)
    var_psi2 = sp.factor(sp.simplify((rho / sigma**2) ** 2 * inv_square - mean_psi2**2))
    var_psi = sp.factor(sp.simplify(var_psi2 / (4 * mean_psi2)))  # delta method: Var √Y ≈ Var Y/(4 E Y)
    r_t = sp.sqrt(var_psi.subs(rho, rho_inf) / var_psi.subs(rho, rho_t))
    rho_1 = sp.simplify(rho_t_expr.subs(t, 1))

    def _switch(threshold):
        def first_step(b2):
            f = sp.lambdify(t, rho_t_expr.subs(beta2, sp.nsimplify(b2)))
            step = 1
            while f(step) <= threshold:
                step += 1
            return step

        return first_step

    return Derivation(
        "RAdam's rectification",
        [
            (
                "weight of gᵢ² in the corrected second moment",
                _Form("beta_2**(t - i)*(1 - beta_2)/(1 - beta_2**t)", weight),
            ),
            ("mean age of the averaged squares", _Form("beta_2/(1 - beta_2) - t*beta_2**t/(1 - beta_2**t)", mean_age)),
            (
                "a simple average of length ρ has mean age (ρ − 1)/2: equal mean ages give",
                sp.Eq(rho_t, _Form("2/(1 - beta_2) - 1 - 2*t*beta_2**t/(1 - beta_2**t)", rho_t_expr)),
            ),
            ("its limit t → ∞ (0 < β₂ < 1)", sp.Eq(rho_inf, _Form("2/(1 - beta_2) - 1", rho_inf_expr))),
            ("ψ² = ρ/(σ²X), X ~ χ²(ρ): E[1/X], finite for ρ > 2", _Form("1/(rho - 2)", inv_mean)),
            ("E[1/X²], finite only for ρ > 4", _Form("1/((rho - 2)*(rho - 4))", inv_square)),
            ("so E[ψ²]", _Form("rho/((rho - 2)*sigma**2)", mean_psi2)),
            ("and Var ψ²", _Form("2*rho**2/((rho - 2)**2*(rho - 4)*sigma**4)", var_psi2)),
            ("first order, Var ψ ≈ Var ψ²/(4E[ψ²])", _Form("rho/(2*(rho - 2)*(rho - 4)*sigma**2)", var_psi)),
            (
                "rectification rₜ = √(Var ψ∞ / Var ψₜ)",
                _Form("sqrt((rho_t - 4)*(rho_t - 2)*rho_oo/((rho_oo - 4)*(rho_oo - 2)*rho_t))", r_t),
            ),
        ],
        {
            "mean_age": mean_age,
            "rho_t": rho_t_expr,
            "rho_inf": rho_inf_expr,
            "published_rho_t": published,
            "matches_published": _equal(rho_t_expr, published),
            "inverse_moment_conditions": (inv_mean_condition, inv_square_condition),
            "mean_psi2": mean_psi2,
            "var_psi2": var_psi2,
            "var_psi": var_psi,
            "r_t": r_t,
            "rho_1": rho_1,
            "switch_paper": _switch(4),
            "switch_torch": _switch(5),
        },
        "Liu et al. (2020), On the variance of the adaptive learning rate and beyond, ICLR, §3–4 and Algorithm 2",
    )
