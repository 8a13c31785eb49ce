r"""Weight decay (chapter 6): L2 penalty against decoupled decay for SGD, SGD with momentum and Adam, the
conversion between PyTorch's and the paper's decay under a schedule, and the equilibrium norm of a
scale-invariant weight, derived with SymPy. Each displayed line is a :class:`Textbook` form checked equal to
what SymPy derived."""

import sympy as sp

from ._base import Derivation, alpha, beta, eps, eta, lam
from .momentum import Textbook

__all__ = [
    "sgd_l2_equals_decoupled",
    "sgd_momentum_l2_vs_decoupled",
    "adamw_fixed_point",
    "decay_schedule_conversion",
    "scale_invariant_equilibrium",
]

theta, g = sp.symbols("theta g", real=True)
theta0, g0, g1 = sp.symbols("theta_0 g_0 g_1", real=True)
u = sp.Symbol("u", positive=True)  # |θ| of one coordinate, 0 < u < 1/λ
G = sp.Symbol("G", positive=True)  # ‖g̃‖: the gradient's norm at the unit-norm point w/‖w‖
N = sp.Symbol("N", positive=True)  # ‖w‖²
eta_t, lam_paper, lam_torch = sp.symbols("eta_t lambda_paper lambda_torch", positive=True)
_NAMES = {"theta": theta, "g": g, "theta0": theta0, "g0": g0, "g1": g1, "u": u, "G": G, "N": N}


def _tb(form, derived):
    """A Textbook line whose form may use this module's symbols as well as the book's."""
    names = {**_NAMES, "eta_t": eta_t, "lam_paper": lam_paper, "lam_torch": lam_torch, "eps": eps}
    return Textbook(form, derived, names=names)


def sgd_l2_equals_decoupled():
    r"""One step of SGD on L(θ) + ½λ‖θ‖² (PyTorch's ``SGD(weight_decay=λ)``) against decoupled weight decay
    (SGDW without momentum): the same update.

    .. math::
        \theta - \eta(g + \lambda\theta) = (1 - \eta\lambda)\,\theta - \eta g

    so for plain SGD an L2 penalty λ *is* weight decay at rate ηλ per step (Loshchilov & Hutter 2019,
    Proposition 1: their per-step decay factor λ equals ηλ here, i.e. their λ' = λ/α is this book's λ).

    >>> d = sgd_l2_equals_decoupled()
    >>> d["difference"]
    0

    Reference: I. Loshchilov, F. Hutter (2019), Decoupled weight decay regularization, ICLR
    (arXiv:1711.05101), §2 Proposition 1.
    """
    l2_step = theta - eta * (g + lam * theta)
    decoupled = (1 - eta * lam) * theta - eta * g
    collected = sp.collect(sp.expand(l2_step), theta)
    return Derivation(
        "Plain SGD: L2 penalty = decoupled decay",
        [
            ("SGD on L + ½λ‖θ‖² (gradient g + λθ)", _tb("theta - eta*(g + lam*theta)", l2_step)),
            ("expand and collect θ", _tb("(1 - eta*lam)*theta - eta*g", collected)),
            ("decoupled decay, then the gradient step", _tb("(1 - eta*lam)*theta - eta*g", decoupled)),
            ("difference", sp.simplify(l2_step - decoupled)),
        ],
        {"l2_step": l2_step, "decoupled_step": decoupled, "difference": sp.simplify(l2_step - decoupled)},
        "Loshchilov & Hutter (2019), ICLR, §2 Proposition 1",
    )


def sgd_momentum_l2_vs_decoupled():
    r"""Two steps of PyTorch's SGD with momentum β and L2 penalty λ against SGDW (decay applied to θ, the
    buffer holds gradients only), with the same gradients g₀, g₁ of the loss.

    .. math::
        \text{L2:}\quad v_1 = g_0 + \lambda\theta_0,\ \theta_1 = \theta_0 - \eta v_1,\
            v_2 = \beta v_1 + g_1 + \lambda\theta_1,\ \theta_2 = \theta_1 - \eta v_2 \\
        \text{SGDW:}\quad v_1 = g_0,\ \theta_1 = (1 - \eta\lambda)\theta_0 - \eta v_1,\
            v_2 = \beta v_1 + g_1,\ \theta_2 = (1 - \eta\lambda)\theta_1 - \eta v_2

    The first steps agree; the second differ by θ₂^L2 − θ₂^W = −ηβλθ₀: under L2 the decay of θ₀ stays in
    the buffer and is applied again, so with momentum the decay is amplified (towards λ/(1 − β)), whereas
    SGDW decays by exactly ηλ per step (Loshchilov & Hutter 2019, Algorithm 1).

    >>> d = sgd_momentum_l2_vs_decoupled()
    >>> d["difference_step2"]
    -beta*eta*lambda*theta_0

    Reference: I. Loshchilov, F. Hutter (2019), Decoupled weight decay regularization, ICLR, Algorithm 1.
    """
    v1 = g0 + lam * theta0
    th1 = theta0 - eta * v1
    v2 = beta * v1 + g1 + lam * th1
    th2 = th1 - eta * v2
    w1 = (1 - eta * lam) * theta0 - eta * g0
    w2 = (1 - eta * lam) * w1 - eta * (beta * g0 + g1)
    d1 = sp.simplify(th1 - w1)
    d2 = sp.factor(sp.expand(th2 - w2))
    return Derivation(
        "SGD with momentum: L2 penalty against decoupled decay (two steps)",
        [
            ("L2, first step", _tb("theta0 - eta*(g0 + lam*theta0)", th1)),
            ("SGDW, first step (the same)", _tb("(1 - eta*lam)*theta0 - eta*g0", w1)),
            (
                "L2, second step: the buffer still holds λθ₀",
                _tb(
                    "theta0 - eta*(g0 + lam*theta0) - eta*(beta*(g0 + lam*theta0) + g1"
                    " + lam*(theta0 - eta*(g0 + lam*theta0)))",
                    th2,
                ),
            ),
            ("SGDW, second step", _tb("(1 - eta*lam)*((1 - eta*lam)*theta0 - eta*g0) - eta*(beta*g0 + g1)", w2)),
            ("difference after two steps", _tb("-eta*beta*lam*theta0", d2)),
        ],
        {"difference_step1": d1, "difference_step2": d2, "l2_step2": th2, "decoupled_step2": w2},
        "Loshchilov & Hutter (2019), ICLR, Algorithm 1 (SGD with momentum, L2 against SGDW)",
    )


def adamw_fixed_point():
    r"""Where Adam with an L2 penalty and AdamW stop, per coordinate. At a fixed point the gradient g no
    longer changes, so m̂ = g and v̂ = g²; the update is zero when

    .. math::
        \text{Adam + L2:}\quad g + \lambda\theta = 0, \qquad
        \text{AdamW:}\quad \frac{g}{|g| + \epsilon} + \lambda\theta = 0

    Solving AdamW's condition for g (θ ≠ 0, |θ| < 1/λ) gives g = −ελθ/(1 − λ|θ|): the gradient of the
    convex penalty εφ(θ) with φ(θ) = −|θ| − log(1 − λ|θ|)/λ (found by integrating |g|/ε from 0), a barrier at
    |θ| = 1/λ: AdamW's fixed points are the stationary points of L + εΣφ(θᵢ) (its minimisers when L is
    convex). As ε → 0 the penalty vanishes inside the box and is infinite outside, and the fixed points become
    the stationary (KKT) points of L under the constraint ‖θ‖_∞ ≤ 1/λ, while Adam + L2's are those of
    L + ½λ‖θ‖². This is about fixed points; Xie & Li (2024, Theorem 1.1) show that *if* full-batch AdamW
    converges (non-increasing learning rates with a divergent sum, β₁ ≤ β₂), its limit is such a KKT point.

    >>> d = adamw_fixed_point()
    >>> d["gradient_at_fixed_point"]
    epsilon*lambda*u/(lambda*u - 1)

    References: I. Loshchilov, F. Hutter (2019), Decoupled weight decay regularization, ICLR, Algorithm 2;
    S. Xie, Z. Li (2024), Implicit bias of AdamW: ℓ∞-norm constrained optimization, ICML
    (arXiv:2404.04454), Theorem 1.1.
    """
    # one coordinate with θ = u > 0 (the case θ < 0 is the mirror image); at the fixed point g < 0 there
    gn = sp.Symbol("gamma", positive=True)  # γ = |g| = −g
    adamw_condition = sp.Eq(-gn / (gn + eps) + lam * u, 0)
    gamma = sp.solve(adamw_condition, gn)[0]  # |g| = ελu/(1 − λu)
    grad_at_fp = sp.simplify(-gamma)
    s = sp.Symbol("s", positive=True)
    phi = sp.integrate((gamma / eps).subs(u, s), (s, 0, u))  # φ(u) = ∫₀ᵘ |g(s)|/ε ds
    # SymPy writes the antiderivative with log(λu − 1); on 0 < λu < 1 that is log(1 − λu) + iπ
    phi = sp.expand(sp.expand(phi).subs(sp.log(lam * u - 1), sp.log(1 - lam * u) + sp.I * sp.pi))
    phi_prime = sp.simplify(sp.diff(phi, u))
    phi_second = sp.simplify(sp.diff(phi, u, 2))
    l2_condition = sp.Eq(g + lam * theta, 0)
    l2_solution = sp.solve(l2_condition, g)[0]
    return Derivation(
        "Fixed points of Adam + L2 and of AdamW (one coordinate, θ = u > 0)",
        [
            ("Adam + L2 stops where m̂ = g + λθ = 0", _tb("Eq(g, -lam*theta)", sp.Eq(g, l2_solution))),
            (
                "AdamW stops where g/(|g| + ε) + λθ = 0 (m̂ = g, v̂ = g²), so |g| = −g =",
                _tb("eps*lam*u/(1 - lam*u)", gamma),
            ),
            ("so |g| = εφ′(u), with φ(u) = ∫₀ᵘ |g(s)|/ε ds =", _tb("-u - log(1 - lam*u)/lam", phi)),
            ("check: φ′(u) = |g|/ε =", _tb("lam*u/(1 - lam*u)", phi_prime)),
            ("φ″(u) > 0, so φ is convex, with a barrier at u = 1/λ", _tb("lam/(1 - lam*u)**2", phi_second)),
        ],
        {
            "l2_gradient": l2_solution,
            "abs_gradient": gamma,
            "gradient_at_fixed_point": grad_at_fp,
            "penalty": phi,
            "penalty_prime": phi_prime,
            "penalty_second": phi_second,
            "box": 1 / lam,
        },
        "Loshchilov & Hutter (2019), Algorithm 2; Xie & Li (2024), ICML, Theorem 1.1 (the ε → 0 limit)",
    )


def decay_schedule_conversion():
    r"""The paper's AdamW against PyTorch's under a learning-rate schedule. Loshchilov & Hutter's
    Algorithm 2 (line 12) writes, with base rate α and schedule multiplier η_t,

    .. math::
        \theta_t = \theta_{t-1} - \eta_t\Bigl(\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
            + \lambda_{\text{paper}}\,\theta_{t-1}\Bigr)

    PyTorch's ``AdamW(lr, weight_decay)`` with ``lr_t = αη_t`` decays by (1 − lr_t λ_torch). Matching the
    decay terms gives λ_torch = λ_paper/α: the same run for every schedule, because both decays follow η_t.
    A library that decays by λ_ind·η_t/η_0 ("independent" of the base rate, e.g. Composer's DecoupledAdamW)
    is the paper's form with λ_paper = λ_ind.

    >>> decay_schedule_conversion()["lambda_torch"]
    lambda_paper/alpha

    Reference: I. Loshchilov, F. Hutter (2019), Decoupled weight decay regularization, ICLR, Algorithm 2.
    """
    paper_decay = eta_t * lam_paper * theta
    torch_decay = (alpha * eta_t) * lam_torch * theta
    solution = sp.solve(sp.Eq(paper_decay, torch_decay), lam_torch)[0]
    return Derivation(
        "AdamW's decay: the paper's λ against PyTorch's",
        [
            ("paper (Algorithm 2): decay term of step t", _tb("eta_t*lam_paper*theta", paper_decay)),
            ("PyTorch with learning rate αηₜ", _tb("alpha*eta_t*lam_torch*theta", torch_decay)),
            ("equal for every t and θ when", _tb("Eq(lam_torch, lam_paper/alpha)", sp.Eq(lam_torch, solution))),
        ],
        {"lambda_torch": solution, "lambda_paper": sp.solve(sp.Eq(paper_decay, torch_decay), lam_paper)[0]},
        "Loshchilov & Hutter (2019), ICLR, Algorithm 2; torch.optim.AdamW documentation",
    )


def scale_invariant_equilibrium():
    r"""The norm of a scale-invariant weight under SGD with weight decay. If L(cw) = L(w) for c > 0 then
    ⟨∇L(w), w⟩ = 0 and ∇L(cw) = ∇L(w)/c, so ‖∇L(w)‖ = G/‖w‖ with G = ‖∇L(w/‖w‖)‖. The step
    w ← (1 − ηλ)w − η∇L(w) then changes N = ‖w‖² by Pythagoras:

    .. math::
        N_{t+1} = (1 - \eta\lambda)^2 N_t + \eta^2 G^2 / N_t, \qquad
        N^{*2} = \frac{\eta G^2}{\lambda(2 - \eta\lambda)} \approx \frac{\eta G^2}{2\lambda}

    so ‖w‖⁴ ≈ ηG²/(2λ) for ηλ ≪ 1, and the effective learning rate η/‖w‖² settles at √(2ηλ)/G. Without
    decay N only grows and the effective rate decays (van Laarhoven 2017, §3; the equilibrium and the angular
    update √(2ηλ): Wan, Zhu, Zhang & Sun 2021).

    >>> sp.simplify(scale_invariant_equilibrium()["norm4_small_step"])
    G**2*eta/(2*lambda)

    References: T. van Laarhoven (2017), L2 regularization versus batch and weight normalization,
    arXiv:1706.05350; R. Wan, Z. Zhu, X. Zhang, J. Sun (2021), Spherical motion dynamics: learning dynamics
    of normalized neural network using SGD and weight decay, NeurIPS (arXiv:2006.08419).
    """
    step = (1 - eta * lam) ** 2 * N + eta**2 * G**2 / N
    fixed = sp.solve(sp.Eq(step, N), N)[0]
    norm4 = sp.factor(sp.simplify(fixed**2))
    small = sp.limit(norm4 / eta, eta, 0) * eta  # leading order in η (λ fixed)
    eff = sp.simplify(eta / sp.sqrt(small))
    return Derivation(
        "Scale-invariant weights: the equilibrium norm under weight decay",
        [
            ("‖w‖² after one step (∇L ⟂ w, ‖∇L‖ = G/‖w‖)", _tb("(1 - eta*lam)**2*N + eta**2*G**2/N", step)),
            ("at equilibrium Nₜ₊₁ = Nₜ, so ‖w‖⁴ = N² =", _tb("eta*G**2/(lam*(2 - eta*lam))", norm4)),
            ("to leading order in ηλ", _tb("eta*G**2/(2*lam)", small)),
            ("effective learning rate η/‖w‖²", _tb("sqrt(2*eta*lam)/G", eff)),
        ],
        {"norm_sq_step": step, "norm4": norm4, "norm4_small_step": small, "effective_lr": eff},
        "van Laarhoven (2017), §3; Wan, Zhu, Zhang & Sun (2021), NeurIPS",
    )
