"""Schedules built from half cosines: cosine annealing, warm restarts, one-cycle and warm-up + cosine
(torch's CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR; SequentialLR of LinearLR and
CosineAnnealingLR)."""

import math

from .._checks import check_choice, check_number
from ._base import Schedule, _lr, _positive_int
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
    base = _lr("lr", lr)
    T_max = _positive_int("T_max", T_max)
    eta_min = _lr("eta_min", eta_min)

    def step(prev, t):
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return prev + (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        return ((1 + math.cos(math.pi * t / T_max)) / (1 + math.cos(math.pi * (t - 1) / T_max))
                * (prev - eta_min) + eta_min)

    return Schedule(f"cosine_annealing_lr(lr={base:g}, T_max={T_max}, eta_min={eta_min:g})",
                    first=base, recursion=step)


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
    base = _lr("lr", lr)
    T_0 = _positive_int("T_0", T_0)
    T_mult = _positive_int("T_mult", T_mult)
    eta_min = _lr("eta_min", eta_min)

    def rule(t):
        if T_mult == 1:
            T_cur, T_i = t % T_0, T_0
        else:
            T_cur, T_i = t, T_0
            while T_cur >= T_i:                       # at most log_{T_mult}(t/T_0) + 1 cycles
                T_cur, T_i = T_cur - T_i, T_i * T_mult
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2

    return Schedule(f"cosine_annealing_warm_restarts(lr={base:g}, T_0={T_0}, T_mult={T_mult}, "
                    f"eta_min={eta_min:g})", rule=rule)


def one_cycle_lr(max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4, three_phase=False):
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

    >>> f = one_cycle_lr(1.0, total_steps=10, anneal_strategy="linear")
    >>> [round(f(t), 4) for t in (0, 2, 9)]
    [0.04, 1.0, 0.0]

    Reference: L. N. Smith, N. Topin (2019), Super-convergence: very fast training of neural networks
    using large learning rates, Proc. SPIE 11006.
    """
    max_lr = _lr("max_lr", max_lr)
    if total_steps is not None:
        total = _positive_int("total_steps", total_steps)
    elif epochs is not None and steps_per_epoch is not None:
        total = _positive_int("epochs", epochs) * _positive_int("steps_per_epoch", steps_per_epoch)
    else:
        raise ValueError("one_cycle_lr needs total_steps, or both epochs and steps_per_epoch")
    check_number("pct_start", pct_start, low=0, high=1, allow_array=False)
    check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    check_number("div_factor", div_factor, low=0, low_open=True, allow_array=False)
    check_number("final_div_factor", final_div_factor, low=0, low_open=True, allow_array=False)
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    if three_phase:
        phases = [(float(pct_start * total) - 1, initial, max_lr),
                  (float(2 * pct_start * total) - 2, max_lr, initial),
                  (total - 1, initial, minimum)]
    else:
        phases = [(float(pct_start * total) - 1, initial, max_lr), (total - 1, max_lr, minimum)]

    def anneal(start, end, pct):
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def rule(t):
        start_step = 0.0
        for i, (end_step, start, end) in enumerate(phases):
            if t <= end_step or i == len(phases) - 1:
                if end_step == start_step:
                    raise ValueError(f"pct_start={pct_start} with total_steps={total} leaves phase {i + 1} of "
                                     f"the cycle empty, so step t={t} has no learning rate (torch divides by "
                                     f"zero here); choose another pct_start")
                return anneal(start, end, (t - start_step) / (end_step - start_step))
            start_step = end_step

    rule(0)                                           # an empty first phase fails here, as torch's does
    return Schedule(f"one_cycle_lr(max_lr={max_lr:g}, total_steps={total}, pct_start={pct_start:g}, "
                    f"anneal_strategy={anneal_strategy!r}, div_factor={div_factor:g}, "
                    f"final_div_factor={final_div_factor:g}, three_phase={three_phase})",
                    rule=rule, last_step=total)


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
    warmup_steps = _positive_int("warmup_steps", warmup_steps)
    total_steps = _positive_int("total_steps", total_steps)
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps must be in [{warmup_steps + 1}, inf), greater than "
                         f"warmup_steps={warmup_steps} (got {total_steps})")
    composed = sequential_lr([linear_lr(lr, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps),
                              cosine_annealing_lr(lr, T_max=total_steps - warmup_steps, eta_min=eta_min)],
                             [warmup_steps])
    return Schedule(f"warmup_cosine(lr={float(lr):g}, warmup_steps={warmup_steps}, total_steps={total_steps}, "
                    f"start_factor={float(start_factor):g}, eta_min={float(eta_min):g})", rule=composed)
