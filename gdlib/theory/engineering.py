r"""Engineering for large models (chapter 8): norm clipping as an adaptive step size, gradient accumulation
as the large-batch step (and the 1/k loss scaling), and the floating-point operations of a dense layer that
give the 6·N·tokens rule, derived with SymPy."""

import sympy as sp

from ._base import Derivation, L, eta

__all__ = ["clipping_step_size", "accumulation_identity", "dense_layer_flops"]

c = sp.Symbol("c", positive=True)  # the clipping threshold
G = sp.Symbol(r"{\lVert g\rVert}", positive=True)  # ‖g‖, the gradient's norm


def clipping_step_size():
    r"""Gradient descent with the gradient clipped by its norm is gradient descent with an adaptive step, and
    on an L-smooth loss every clipped step with η < 2/L decreases the loss, however large the gradient.

    .. math::
        \theta_{t+1} = \theta_t - \eta \min\Bigl(1, \frac{c}{\lVert g\rVert}\Bigr) g
        = \theta_t - \eta_{\mathrm{eff}}\, g, \qquad
        \eta_{\mathrm{eff}} = \begin{cases} \eta & \lVert g\rVert \le c \\ \eta c/\lVert g\rVert &
        \lVert g\rVert > c \end{cases}, \qquad
        \lVert\theta_{t+1} - \theta_t\rVert = \eta\min(\lVert g\rVert, c) \le \eta c

    Derived: min(1, c/‖g‖) rewritten as cases, the case condition c/‖g‖ ≥ 1 solved for ‖g‖, the length as
    η_eff‖g‖. Then the descent lemma f(θ − h g) ≤ f(θ) − h‖g‖² + (L/2)h²‖g‖² for an L-smooth f (Nesterov
    2004, Lemma 1.2.3) with h = η_eff: the guaranteed decrease h‖g‖²(1 − Lh/2) is positive exactly for
    0 < h < 2/L, and since η_eff ≤ η, η < 2/L makes every clipped step a descent step; above the threshold
    the decrease is ηc‖g‖ − Lη²c²/2, linear in ‖g‖ (without clipping it is quadratic in ‖g‖ and negative
    for η > 2/L).

    >>> d = clipping_step_size()
    >>> d["largest_step"]
    c*eta
    >>> d["stable_below"]
    2/L

    References: R. Pascanu, T. Mikolov, Y. Bengio (2013), On the difficulty of training recurrent neural
    networks, ICML, §3.2, Algorithm 1 (the clipping rule, without the 10⁻⁶ that torch adds to the norm);
    J. Zhang, T. He, S. Sra, A. Jadbabaie (2020), Why gradient clipping accelerates training: a theoretical
    justification for adaptivity, ICLR (clipped GD as this adaptive step); Y. Nesterov (2004), Introductory
    Lectures on Convex Optimization, Lemma 1.2.3 (the descent lemma).
    """
    coef = sp.Min(1, c / G)  # the clipping coefficient min(1, c/‖g‖)
    cases = coef.rewrite(sp.Piecewise)  # (1, c/‖g‖ ≥ 1), (c/‖g‖, otherwise)
    (one, cond), (other, _) = cases.args
    below = sp.solve_univariate_inequality(cond, G, relational=True)  # c/‖g‖ ≥ 1  ⇔  ‖g‖ ≤ c
    eta_eff = sp.Piecewise((eta * one, below), (eta * other, True))
    length = sp.piecewise_fold(eta_eff * G)  # ‖Δθ‖ = η_eff ‖g‖
    length = sp.Piecewise(*[(sp.simplify(e), cond_) for e, cond_ in length.args])
    largest = sp.Max(*[e for e, _ in length.args]).subs(G, c)  # both branches equal ηc at ‖g‖ = c …
    assert sp.simplify(length.args[1][0] - largest) == 0  # … and the upper branch is that constant
    h = sp.Symbol(r"\eta_{\mathrm{eff}}", positive=True)
    decrease = sp.factor(h * G**2 - L / 2 * h**2 * G**2)  # f(θ) − f(θ⁺) ≥ this (descent lemma)
    roots = sp.solve(sp.Eq(decrease, 0), h)  # the decrease changes sign at h = 2/L
    assert len(roots) == 1
    stable = roots[0]
    decrease_clipped = sp.Piecewise(
        (sp.factor(decrease.subs(h, eta)), below), (sp.expand(decrease.subs(h, eta * c / G)), True)
    )
    return Derivation(
        "Norm clipping as a step size",
        [
            ("clipped step", sp.Eq(sp.Symbol(r"\Delta\theta"), -eta * coef * sp.Symbol("g"))),
            ("effective step size", sp.Eq(sp.Symbol(r"\eta_{\mathrm{eff}}"), eta_eff)),
            ("step length = eff. step × ‖g‖", sp.Eq(sp.Symbol(r"\lVert\Delta\theta\rVert"), length)),
            ("descent lemma, L-smooth f", sp.Ge(sp.Symbol(r"f(\theta) - f(\theta^{+})"), decrease)),
            ("the bound is positive for", sp.Lt(h, stable)),
            ("clipped step: the bound", decrease_clipped),
        ],
        {
            "eta_eff": eta_eff,
            "step_length": length,
            "largest_step": largest,
            "decrease": decrease,
            "eta_eff_symbol": h,
            "stable_below": stable,
            "decrease_clipped": decrease_clipped,
        },
        "Pascanu, Mikolov & Bengio (2013), ICML, §3.2, Alg. 1; Nesterov (2004), Lemma 1.2.3",
    )


def accumulation_identity(k=4, B=3):
    r"""k micro-batches of B examples, their mean gradients averaged, give the gradient of the mean loss over
    the kB examples; summed instead of averaged (what ``loss.backward()`` does k times in torch), they give k
    times it, hence the 1/k on each micro-batch's loss.

    .. math::
        \frac1k \sum_{j=1}^{k} \frac1B \sum_{i=1}^{B} g_{j,i} = \frac{1}{kB}\sum_{j=1}^{k}\sum_{i=1}^{B}
        g_{j,i}, \qquad \sum_{j=1}^{k} \nabla\Bigl(\frac1k L_{B_j}\Bigr) = \nabla L_{B_1\cup\dots\cup B_k}

    Derived twice: for symbolic k and B with ``Sum`` (the step is pulling the constant 1/B out of the sum
    over micro-batches), and on one symbol per example gradient g_{j,i} for the given k and B. The identity
    needs every micro-batch to have the same size B (a short last micro-batch, or a loss normalised by a
    count that varies, breaks it) and the loss of an example to depend on that example only: with batch
    normalisation the micro-batch's statistics enter every ℓ_i and it fails (chapter 8 measures by how much).

    >>> d = accumulation_identity(k=2, B=2)
    >>> d["difference_mean"], d["sum_over_large"], d["difference_general"]
    (0, 2, 0)

    Reference: P. Goyal et al. (2017), Accurate, large minibatch SGD: training ImageNet in 1 hour,
    arXiv:1706.02677, §2 and §3 (the large-batch gradient as the mean of per-worker means, and the loss
    normalised by the total batch size kB, not by B).
    """
    # the general identity, k and B symbolic
    K, Bs = sp.symbols("k B", positive=True, integer=True)
    i, j = sp.symbols("i j", positive=True, integer=True)
    gj = sp.IndexedBase("g")
    general_acc = sp.Sum(sp.Sum(gj[j, i], (i, 1, Bs)) / Bs, (j, 1, K)) / K  # mean of the micro-batch means
    pulled = sp.factor_terms(general_acc)  # 1/B is constant in j: it leaves the sum over j
    general_large = sp.Sum(gj[j, i], (i, 1, Bs), (j, 1, K)) / (K * Bs)  # mean over all kB examples
    difference_general = sp.simplify(pulled - general_large)
    # g_{j,i}: the gradient of example i of micro-batch j, for the given k and B
    g = [sp.Symbol(f"g_{{{j_},{i_}}}") for j_ in range(1, k + 1) for i_ in range(1, B + 1)]
    micro_means = [sp.Add(*g[j_ * B : (j_ + 1) * B]) / B for j_ in range(k)]
    accumulated_mean = sp.Add(*micro_means) / k  # Accumulate: the running mean of the k means
    large_batch = sp.Add(*g) / (k * B)
    summed = sp.Add(*micro_means)  # k backward passes of the unscaled micro-batch losses
    difference_mean = sp.simplify(accumulated_mean - large_batch)
    ratio = sp.simplify(summed / large_batch)
    difference_scaled = sp.simplify(sp.Add(*[m / k for m in micro_means]) - large_batch)
    return Derivation(
        f"Gradient accumulation (equal micro-batches; checked at k = {k}, B = {B})",
        [
            ("mean of the micro-batch means", general_acc),
            ("1/B out of the sum over j", pulled),
            ("minus the large-batch mean gradient", difference_general),
            (f"k = {k}, B = {B}: difference", difference_mean),
            ("sum of the micro-batch means / large-batch", ratio),
            ("with the loss of each micro-batch divided by k: difference", difference_scaled),
        ],
        {
            "difference_mean": difference_mean,
            "sum_over_large": ratio,
            "difference_scaled": difference_scaled,
            "difference_general": difference_general,
            "general_accumulated": general_acc,
            "general_large": general_large,
        },
        "Goyal et al. (2017), arXiv:1706.02677, §2–3",
    )


def dense_layer_flops():
    r"""Floating-point operations of a dense layer z = W a (W of shape h × m) on B examples, counted entry
    by entry: forward 2Bmh, backward 4Bmh (∇W = δ aᵀ and δ_in = Wᵀ δ, each 2Bmh), so per example and per
    parameter (N = mh) 2N forward, 4N backward, 6N in all: the rule C ≈ 6·N·tokens of Kaplan et al. (2020,
    §2.1, Table 1), which counts the weights' multiply-adds and neglects biases, nonlinearities and the
    attention's context-dependent term.

    .. math::
        C_{\text{forward}} = \sum_{b=1}^{B}\sum_{i=1}^{h}\sum_{j=1}^{m} 2 = 2Bmh, \qquad
        C_{\nabla W} = C_{\delta_{\text{in}}} = 2Bmh, \qquad \frac{C}{BN} = 6

    A multiply and an add count as two operations. The first layer needs no δ_in (nobody uses the gradient
    with respect to the data), so its backward pass costs 2N, not 4N.

    >>> d = dense_layer_flops()
    >>> d["per_param_per_example"]
    6

    Reference: J. Kaplan et al. (2020), Scaling laws for neural language models, arXiv:2001.08361, §2.1
    (C_forward ≈ 2N, the backward pass twice the forward, C ≈ 6N per training token).
    """
    B, m, h = sp.symbols("B m h", positive=True, integer=True)
    b, i, j = sp.symbols("b i j", positive=True, integer=True)
    # z[b, i] = Σ_j W[i, j] a[b, j]: one multiply and one add per (b, i, j)
    forward = sp.Sum(2, (j, 1, m), (i, 1, h), (b, 1, B)).doit()
    # ∇W[i, j] = Σ_b δ[b, i] a[b, j]: one multiply and one add per (i, j, b)
    grad_W = sp.Sum(2, (b, 1, B), (j, 1, m), (i, 1, h)).doit()
    # δ_in[b, j] = Σ_i W[i, j] δ[b, i]: one multiply and one add per (b, j, i)
    grad_in = sp.Sum(2, (i, 1, h), (j, 1, m), (b, 1, B)).doit()
    backward = grad_W + grad_in
    N = m * h
    ratio = sp.simplify(backward / forward)
    per = sp.simplify((forward + backward) / (B * N))
    return Derivation(
        "The flops of a dense layer",
        [
            ("forward, z = W a", sp.Eq(sp.Symbol("C_{fwd}"), forward)),
            ("backward, gradient of W", sp.Eq(sp.Symbol(r"C_{\nabla W}"), grad_W)),
            ("backward, gradient of the input", sp.Eq(sp.Symbol(r"C_{\delta}"), grad_in)),
            ("backward / forward", ratio),
            ("(forward + backward) / (B N), N = mh", per),
        ],
        {"forward": forward, "backward": backward, "backward_over_forward": ratio, "per_param_per_example": per},
        "Kaplan et al. (2020), arXiv:2001.08361, §2.1",
    )
