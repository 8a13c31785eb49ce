"""Schedules built from half cosines: cosine annealing, warm restarts, one-cycle (its learning rate and its
momentum), warm-up + cosine (torch's CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR; SequentialLR
of LinearLR and CosineAnnealingLR), and warm-up–stable–decay."""

import math

from .._checks import check_choice, check_non_negative_float, check_non_negative_int, check_number, check_positive_int
from ._base import Schedule
from .decay import linear_lr
from .sequential import sequential_lr


def cosine_annealing_lr(lr, T_max, eta_min=0.0):
    r"""Cosine annealing from η down to η_min over T_max steps (torch's CosineAnnealingLR). Past T_max
    the cosine continues, rising again, as torch's does.

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})\bigl(1 + \cos(\pi t / T_{\max})\bigr)

    ======  ===========  ===================================
    symbol  argument     meaning
    ======  ===========  ===================================
    η       ``lr``       base (largest) learning rate, ≥ 0
    T_max   ``T_max``    steps from η down to η_min, ≥ 1
    η_min   ``eta_min``  smallest learning rate, ≥ 0
    ======  ===========  ===================================

    torch evaluates this by the recursion
    :math:`\eta_t = \eta_{\min} + (\eta_{t-1} - \eta_{\min}) \frac{1 + \cos(\pi t/T)}{1 + \cos(\pi (t-1)/T)}`
    (with an additive step where the cosine passes its minimum); we run the same recursion, because after
    a minimum torch's numbers can leave the closed form by more than 1e-12 (3e-12 for T_max = 382).

    >>> f = cosine_annealing_lr(1.0, T_max=4)
    >>> [round(f(t), 6) for t in range(5)]
    [1.0, 0.853553, 0.5, 0.146447, 0.0]

    Reference: I. Loshchilov, F. Hutter (2017), SGDR: stochastic gradient descent with warm restarts, ICLR.
    """
    base = check_non_negative_float("lr", lr)
    T_max = check_positive_int("T_max", T_max)
    eta_min = check_non_negative_float("eta_min", eta_min)

    def step(prev, t):
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return prev + (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        return (1 + math.cos(math.pi * t / T_max)) / (1 + math.cos(math.pi * (t - 1) / T_max)) * (
            prev - eta_min
        ) + eta_min

    return Schedule(f"cosine_annealing_lr(lr={base:g}, T_max={T_max}, eta_min={eta_min:g})", first=base, recursion=step)


def cosine_annealing_warm_restarts(lr, T_0, T_mult=1, eta_min=0.0):
    r"""Cosine annealing restarted from η after T_0, T_0·T_mult, T_0·T_mult², … steps (torch's
    CosineAnnealingWarmRestarts, computed like torch from the whole numbers T_cur and T_i).

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})\bigl(1 + \cos(\pi T_{cur} / T_i)\bigr)

    ======  ===========  ==================================================
    symbol  argument     meaning
    ======  ===========  ==================================================
    η       ``lr``       learning rate at each restart, ≥ 0
    T_0     ``T_0``      length of the first cycle, ≥ 1
    —       ``T_mult``   factor between cycle lengths, T_i = T_0·T_mult^i
    η_min   ``eta_min``  smallest learning rate, ≥ 0
    ======  ===========  ==================================================

    T_cur counts the steps since the last restart and T_i is the length of the current cycle.

    >>> f = cosine_annealing_warm_restarts(1.0, T_0=2)
    >>> [round(f(t), 6) for t in range(5)]
    [1.0, 0.5, 1.0, 0.5, 1.0]

    Reference: I. Loshchilov, F. Hutter (2017), SGDR: stochastic gradient descent with warm restarts, ICLR.
    """
    base = check_non_negative_float("lr", lr)
    T_0 = check_positive_int("T_0", T_0)
    T_mult = check_positive_int("T_mult", T_mult)
    eta_min = check_non_negative_float("eta_min", eta_min)

    def rule(t):
        if T_mult == 1:
            T_cur, T_i = t % T_0, T_0
        else:
            T_cur, T_i = t, T_0
            while T_cur >= T_i:  # at most log_{T_mult}(t/T_0) + 1 cycles
                T_cur, T_i = T_cur - T_i, T_i * T_mult
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2

    return Schedule(
        f"cosine_annealing_warm_restarts(lr={base:g}, T_0={T_0}, T_mult={T_mult}, eta_min={eta_min:g})", rule=rule
    )


def one_cycle_lr(
    max_lr,
    total_steps=None,
    epochs=None,
    steps_per_epoch=None,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
):
    r"""The one-cycle policy (torch's OneCycleLR): warm up from η_max/d to η_max over the first
    ``pct_start`` of the steps, then anneal to η_max/(d·d_f).

    .. math::
        \eta_t = \text{anneal}\bigl(\eta_{a}, \eta_{b}, \tfrac{t - a}{b - a}\bigr),\quad
        \text{anneal}_{\cos}(u, v, p) = v + \tfrac{u - v}{2}(1 + \cos \pi p),\quad
        \text{anneal}_{lin}(u, v, p) = u + (v - u) p

    over the phase [a, b] holding t, from rate η_a to η_b. As in torch, the phases are [0, pT − 1] (η_max/d →
    η_max) and [pT − 1, T − 1] (→ η_max/(d·d_f)); with ``three_phase``, [0, pT − 1], [pT − 1, 2pT − 2] (back
    to η_max/d) and [2pT − 2, T − 1]. t = T is allowed, as in torch, and continues the last phase.

    ======  ====================  ===========================================================
    symbol  argument              meaning
    ======  ====================  ===========================================================
    η_max   ``max_lr``            peak learning rate, ≥ 0
    T       ``total_steps``       steps in the cycle (or ``epochs`` · ``steps_per_epoch``), ≥ 1
    p       ``pct_start``         fraction of the steps spent warming up, in [0, 1]
    —       ``anneal_strategy``   'cos' or 'linear'
    d       ``div_factor``        η at t = 0 is η_max/d, > 0
    d_f     ``final_div_factor``  the final rate is η_max/(d·d_f), > 0
    —       ``three_phase``       add a phase back down to η_max/d before the final annealing
    ======  ====================  ===========================================================

    torch's OneCycleLR also cycles the momentum (or Adam's β₁) by default, ``cycle_momentum=True``; pass
    :func:`one_cycle_momentum` with the same arguments as ``momentum=`` (or β₁) to do the same.

    >>> f = one_cycle_lr(1.0, total_steps=10, anneal_strategy="linear")
    >>> [round(f(t), 4) for t in (0, 2, 9)]
    [0.04, 1.0, 0.0]

    Reference: L. N. Smith, N. Topin (2019), Super-convergence: very fast training of neural networks
    using large learning rates, Proc. SPIE 11006.
    """
    max_lr = check_non_negative_float("max_lr", max_lr)
    total = _one_cycle_steps("one_cycle_lr", total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy)
    check_number("div_factor", div_factor, low=0, low_open=True, allow_array=False)
    check_number("final_div_factor", final_div_factor, low=0, low_open=True, allow_array=False)
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    if three_phase:
        rates = [(initial, max_lr), (max_lr, initial), (initial, minimum)]
    else:
        rates = [(initial, max_lr), (max_lr, minimum)]
    rule = _one_cycle_rule("learning rate", total, pct_start, anneal_strategy, rates)
    return Schedule(
        f"one_cycle_lr(max_lr={max_lr:g}, total_steps={total}, pct_start={pct_start:g}, "
        f"anneal_strategy={anneal_strategy!r}, div_factor={div_factor:g}, "
        f"final_div_factor={final_div_factor:g}, three_phase={three_phase})",
        rule=rule,
        last_step=total,
    )


def one_cycle_momentum(
    max_lr=None,
    total_steps=None,
    epochs=None,
    steps_per_epoch=None,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
    base_momentum=0.85,
    max_momentum=0.95,
):
    r"""The momentum (or Adam's β₁) that torch's OneCycleLR writes into the optimizer when
    ``cycle_momentum=True`` (its default): it moves against the learning rate of :func:`one_cycle_lr`,
    from β_max down to β_base while η warms up, and back up to β_max while η anneals.

    .. math::
        \beta_t = \text{anneal}\bigl(\beta_{a}, \beta_{b}, \tfrac{t - a}{b - a}\bigr)

    over the same phases [a, b] and with the same anneal function as :func:`one_cycle_lr`, from β_max to
    β_base in the first phase and from β_base to β_max in the second; with ``three_phase``, β_max → β_base,
    β_base → β_max, and β_max held during the final annealing.

    ======  =====================  ===========================================================
    symbol  argument               meaning
    ======  =====================  ===========================================================
    β_base  ``base_momentum``      momentum when η peaks, ≥ 0
    β_max   ``max_momentum``       momentum at the start and the end of the cycle, ≥ 0
    —       the others             as :func:`one_cycle_lr` (``max_lr``, ``div_factor`` and
                                   ``final_div_factor`` do not change the momentum and may be
                                   left out)
    ======  =====================  ===========================================================

    Pass it where torch's scheduler writes: ``gd.SGD(lr=one_cycle_lr(**kw), momentum=one_cycle_momentum(**kw))``
    or ``gd.Adam(lr=one_cycle_lr(**kw), betas=(one_cycle_momentum(**kw), 0.999))`` with the same ``kw``.
    torch sets the momentum to β_max when the scheduler is built, then to the value of this formula at
    t = 0 (equal to β_max up to rounding), so step t uses β_t as here.

    >>> f = one_cycle_momentum(total_steps=10, anneal_strategy="linear")
    >>> [round(f(t), 4) for t in (0, 2, 9)]
    [0.95, 0.85, 0.95]

    Reference: L. N. Smith (2018), A disciplined approach to neural network hyper-parameters: part 1 —
    learning rate, batch size, momentum, and weight decay, arXiv:1803.09820 (cyclical momentum).
    """
    if max_lr is not None:
        check_non_negative_float("max_lr", max_lr)
    total = _one_cycle_steps("one_cycle_momentum", total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy)
    check_number("div_factor", div_factor, low=0, low_open=True, allow_array=False)
    check_number("final_div_factor", final_div_factor, low=0, low_open=True, allow_array=False)
    base = check_non_negative_float("base_momentum", base_momentum)
    peak = check_non_negative_float("max_momentum", max_momentum)
    if three_phase:
        values = [(peak, base), (base, peak), (peak, peak)]
    else:
        values = [(peak, base), (base, peak)]
    rule = _one_cycle_rule("momentum", total, pct_start, anneal_strategy, values)
    return Schedule(
        f"one_cycle_momentum(total_steps={total}, pct_start={pct_start:g}, "
        f"anneal_strategy={anneal_strategy!r}, three_phase={three_phase}, base_momentum={base:g}, "
        f"max_momentum={peak:g})",
        rule=rule,
        last_step=total,
    )


def _one_cycle_steps(name, total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy):
    """The checks one_cycle_lr and one_cycle_momentum share; returns T."""
    if total_steps is not None:
        total = check_positive_int("total_steps", total_steps)
    elif epochs is not None and steps_per_epoch is not None:
        total = check_positive_int("epochs", epochs) * check_positive_int("steps_per_epoch", steps_per_epoch)
    else:
        raise ValueError(f"{name} needs total_steps, or both epochs and steps_per_epoch")
    check_number("pct_start", pct_start, low=0, high=1, allow_array=False)
    check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    return total


def _one_cycle_rule(what, total, pct_start, anneal_strategy, values):
    """torch OneCycleLR's rule: phase i runs from values[i][0] to values[i][1] over its steps."""
    if len(values) == 3:
        ends = [float(pct_start * total) - 1, float(2 * pct_start * total) - 2, total - 1]
    else:
        ends = [float(pct_start * total) - 1, total - 1]
    phases = [(end, start_value, end_value) for end, (start_value, end_value) in zip(ends, values, strict=True)]

    def anneal(start, end, pct):
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def rule(t):
        start_step = 0.0
        for i, (end_step, start, end) in enumerate(phases):
            if t <= end_step or i == len(phases) - 1:
                if end_step == start_step:
                    raise ValueError(
                        f"pct_start={pct_start} with total_steps={total} leaves phase {i + 1} of "
                        f"the cycle empty, so step t={t} has no {what} (torch divides by "
                        f"zero here); choose another pct_start"
                    )
                return anneal(start, end, (t - start_step) / (end_step - start_step))
            start_step = end_step

    rule(0)  # an empty first phase fails here, as torch's does
    return rule


def warmup_cosine(lr, warmup_steps, total_steps, start_factor=1e-3, eta_min=0.0):
    r"""Linear warm-up for ``warmup_steps`` steps, then cosine annealing to η_min at ``total_steps``:
    the recipe most transformer training uses.

    .. math::
        \eta_t = \eta\bigl(s + (1 - s)\,t/w\bigr) \ (t < w), \qquad
        \eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})\bigl(1 + \cos\tfrac{\pi (t - w)}{T - w}\bigr)
        \ (t \ge w)

    ======  ================  ==============================================
    symbol  argument          meaning
    ======  ================  ==============================================
    η       ``lr``            peak learning rate, ≥ 0
    w       ``warmup_steps``  steps of the linear warm-up, ≥ 1
    T       ``total_steps``   step where η_min is reached, > w
    s       ``start_factor``  η_0 = s·η, in (0, 1]
    η_min   ``eta_min``       final learning rate, ≥ 0
    ======  ================  ==============================================

    Equal to ``sequential_lr([linear_lr(lr, s, 1, w), cosine_annealing_lr(lr, T - w, eta_min)], [w])``,
    i.e. torch's SequentialLR of LinearLR and CosineAnnealingLR, with the same recursions.

    >>> f = warmup_cosine(1.0, warmup_steps=2, total_steps=6, start_factor=0.5)
    >>> [round(f(t), 4) for t in range(7)]
    [0.5, 0.75, 1.0, 0.8536, 0.5, 0.1464, 0.0]

    References: P. Goyal et al. (2017), arXiv:1706.02677 (warm-up); I. Loshchilov, F. Hutter (2017),
    SGDR, ICLR (cosine annealing).
    """
    warmup_steps = check_positive_int("warmup_steps", warmup_steps)
    total_steps = check_positive_int("total_steps", total_steps)
    if total_steps <= warmup_steps:
        raise ValueError(
            f"total_steps must be in [{warmup_steps + 1}, inf), greater than "
            f"warmup_steps={warmup_steps} (got {total_steps})"
        )
    composed = sequential_lr(
        [
            linear_lr(lr, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps),
            cosine_annealing_lr(lr, T_max=total_steps - warmup_steps, eta_min=eta_min),
        ],
        [warmup_steps],
    )
    return Schedule(
        f"warmup_cosine(lr={float(lr):g}, warmup_steps={warmup_steps}, total_steps={total_steps}, "
        f"start_factor={float(start_factor):g}, eta_min={float(eta_min):g})",
        rule=composed,
    )


def warmup_stable_decay_lr(lr, warmup_steps, stable_steps, decay_steps, final_lr=0.0, decay="linear"):
    r"""Warm-up, stable, decay (WSD): a linear warm-up from 0 to η over w steps, η held for s steps, then a
    short decay to η_f over d steps. Unlike cosine annealing, the length of training need not be fixed in
    advance: the stable phase can run on and the decay be started from any of its checkpoints.

    .. math::
        \eta_t = \begin{cases}
            \eta\, t / w & 0 \le t < w \\
            \eta & w \le t < w + s \\
            \eta_f + (\eta - \eta_f)\, D\bigl(\tfrac{t - w - s}{d}\bigr) & w + s \le t \le w + s + d \\
            \eta_f & t > w + s + d
        \end{cases}
        \qquad D_{\text{linear}}(u) = 1 - u,\quad D_{\text{cosine}}(u) = \tfrac12(1 + \cos \pi u),\quad
        D_{\text{sqrt}}(u) = 1 - \sqrt{u}

    ======  ================  ===========================================================
    symbol  argument          meaning
    ======  ================  ===========================================================
    η       ``lr``            the stable (peak) learning rate, ≥ 0
    w       ``warmup_steps``  steps of the linear warm-up from 0, ≥ 0 (0: none)
    s       ``stable_steps``  steps at η, ≥ 0
    d       ``decay_steps``   steps of the decay (the "cooldown"), ≥ 1
    η_f     ``final_lr``      the rate at the end of the decay and after it, ≥ 0
    D       ``decay``         the shape of the decay: 'linear', 'cosine' or 'sqrt' (1 − √u)
    ======  ================  ===========================================================

    The warm-up starts at η_0 = 0, as optax's ``linear_schedule(0, η, w)`` does (torch's LinearLR starts at
    start_factor·η instead). Hägele et al. find the '1 − sqrt' decay over about 20 % of the steps matches a
    cosine schedule tuned to the full length; Hu et al. (MiniCPM) name the schedule.

    >>> f = warmup_stable_decay_lr(1.0, warmup_steps=2, stable_steps=2, decay_steps=4, decay="sqrt")
    >>> [round(f(t), 4) for t in range(10)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.2929, 0.134, 0.0, 0.0]

    References: S. Hu et al. (2024), MiniCPM: unveiling the potential of small language models with scalable
    training strategies, arXiv:2404.06395; A. Hägele, E. Bakouch, A. Kosson, L. Ben Allal, L. Von Werra,
    M. Jaggi (2024), Scaling laws and compute-optimal training beyond fixed training durations, NeurIPS
    (arXiv:2405.18392).
    """
    peak = check_non_negative_float("lr", lr)
    w = check_non_negative_int("warmup_steps", warmup_steps)
    s = check_non_negative_int("stable_steps", stable_steps)
    d = check_positive_int("decay_steps", decay_steps)
    final = check_non_negative_float("final_lr", final_lr)
    check_choice("decay", decay, ("linear", "cosine", "sqrt"))
    shape = {
        "linear": lambda u: 1.0 - u,
        "cosine": lambda u: (1.0 + math.cos(math.pi * u)) / 2.0,
        "sqrt": lambda u: 1.0 - math.sqrt(u),
    }[decay]

    def rule(t):
        if t < w:
            return peak * t / w
        if t < w + s:
            return peak
        if t <= w + s + d:
            return final + (peak - final) * shape((t - w - s) / d)
        return final

    return Schedule(
        f"warmup_stable_decay_lr(lr={peak:g}, warmup_steps={w}, stable_steps={s}, decay_steps={d}, "
        f"final_lr={final:g}, decay={decay!r})",
        rule=rule,
    )
