"""Schedules that decay (or ramp) η by factors: step, multi-step, exponential and linear (torch's StepLR,
MultiStepLR, ExponentialLR and LinearLR)."""

import math
from bisect import bisect_right

from .._checks import check_milestones, check_non_negative_float, check_number, check_positive_int
from ._base import Schedule


def _decayed(lr, gamma, k):
    """η·γ^k; where γ^k overflows a float, inf (0 if η = 0), as torch's repeated multiplication gives."""
    try:
        return lr * gamma**k
    except OverflowError:
        return math.inf if lr > 0 else 0.0


def step_lr(lr, step_size, gamma=0.1):
    r"""Multiply η by γ every ``step_size`` steps (torch's StepLR).

    .. math:: \eta_t = \eta\, \gamma^{\lfloor t / s \rfloor}

    ======  =============  ==========================
    symbol  argument       meaning
    ======  =============  ==========================
    η       ``lr``         base learning rate, ≥ 0
    s       ``step_size``  steps between decays, ≥ 1
    γ       ``gamma``      decay factor, > 0
    ======  =============  ==========================

    >>> f = step_lr(0.1, step_size=2, gamma=0.5)
    >>> [f(t) for t in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]

    Reference: K. He, X. Zhang, S. Ren, J. Sun (2016), Deep residual learning for image recognition, CVPR.
    """
    lr, step_size = check_non_negative_float("lr", lr), check_positive_int("step_size", step_size)
    check_number("gamma", gamma, low=0, low_open=True, allow_array=False)
    return Schedule(
        f"step_lr(lr={lr:g}, step_size={step_size}, gamma={gamma:g})",
        rule=lambda t: _decayed(lr, gamma, t // step_size),
    )


def multistep_lr(lr, milestones, gamma=0.1):
    r"""Multiply η by γ at each milestone (torch's MultiStepLR).

    .. math:: \eta_t = \eta\, \gamma^{\#\{i \,:\, m_i \le t\}}

    ======  ==============  ==============================================
    symbol  argument        meaning
    ======  ==============  ==============================================
    η       ``lr``          base learning rate, ≥ 0
    m_i     ``milestones``  steps where η is decayed, non-decreasing
    γ       ``gamma``       decay factor, > 0
    ======  ==============  ==============================================

    A milestone repeated k times multiplies η by γ^k there, as torch's MultiStepLR (which counts its
    milestones) does; torch also accepts them unsorted, we ask for them in order.

    >>> f = multistep_lr(1.0, milestones=[2, 4], gamma=0.1)
    >>> [round(f(t), 12) for t in range(6)]
    [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]

    Reference: K. He et al. (2016), Deep residual learning for image recognition, CVPR.
    """
    lr, milestones = check_non_negative_float("lr", lr), check_milestones(milestones, repeats=True)
    check_number("gamma", gamma, low=0, low_open=True, allow_array=False)
    return Schedule(
        f"multistep_lr(lr={lr:g}, milestones={milestones}, gamma={gamma:g})",
        rule=lambda t: _decayed(lr, gamma, bisect_right(milestones, t)),
    )


def exponential_lr(lr, gamma):
    r"""Multiply η by γ every step (torch's ExponentialLR).

    .. math:: \eta_t = \eta\, \gamma^{t}

    ======  ==========  ========================
    symbol  argument    meaning
    ======  ==========  ========================
    η       ``lr``      base learning rate, ≥ 0
    γ       ``gamma``   decay factor, > 0
    ======  ==========  ========================

    >>> [exponential_lr(1.0, gamma=0.5)(t) for t in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """
    lr = check_non_negative_float("lr", lr)
    check_number("gamma", gamma, low=0, low_open=True, allow_array=False)
    return Schedule(f"exponential_lr(lr={lr:g}, gamma={gamma:g})", rule=lambda t: _decayed(lr, gamma, t))


def linear_lr(lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    r"""Scale η linearly from ``start_factor``·η to ``end_factor``·η over ``total_iters`` steps (torch's
    LinearLR), the usual linear warm-up.

    .. math:: \eta_t = \eta \Bigl(s + (e - s)\,\frac{\min(t, n)}{n}\Bigr)

    ======  ================  =================================
    symbol  argument          meaning
    ======  ================  =================================
    η       ``lr``            base learning rate, ≥ 0
    s       ``start_factor``  factor at t = 0, in (0, 1]
    e       ``end_factor``    factor from t = n on, in [0, 1]
    n       ``total_iters``   steps of the ramp, ≥ 1
    ======  ================  =================================

    torch evaluates this by multiplying the previous rate by
    :math:`1 + \frac{e - s}{n s + (t - 1)(e - s)}`; we run the same recursion (its rounding differs from
    the closed form's in the last bits).

    >>> f = linear_lr(1.0, start_factor=0.25, total_iters=3)
    >>> [round(f(t), 6) for t in range(5)]
    [0.25, 0.5, 0.75, 1.0, 1.0]

    Reference: P. Goyal et al. (2017), Accurate, large minibatch SGD: training ImageNet in 1 hour,
    arXiv:1706.02677.
    """
    base = check_non_negative_float("lr", lr)
    check_number("start_factor", start_factor, low=0, high=1, low_open=True, allow_array=False)
    check_number("end_factor", end_factor, low=0, high=1, allow_array=False)
    total_iters = check_positive_int("total_iters", total_iters)
    s, e, n = float(start_factor), float(end_factor), total_iters

    def step(prev, t):
        if t > n:
            return prev
        return prev * (1.0 + (e - s) / (n * s + (t - 1) * (e - s)))

    return Schedule(
        f"linear_lr(lr={base:g}, start_factor={s:g}, end_factor={e:g}, total_iters={n})", first=base * s, recursion=step
    )


def inverse_sqrt_lr(lr, warmup_steps):
    r"""The Transformer's schedule (Vaswani et al. 2017, eq. 3): a linear warm-up over w steps, then decay
    as the inverse square root of the step number, normalised here so that the peak (at t = w − 1) is η.

    .. math:: \eta_t = \eta \min\Bigl(\frac{t + 1}{w},\ \sqrt{\frac{w}{t + 1}}\Bigr)

    ======  ================  ====================================
    symbol  argument          meaning
    ======  ================  ====================================
    η       ``lr``            the peak learning rate, ≥ 0
    w       ``warmup_steps``  steps to the peak, ≥ 1
    ======  ================  ====================================

    The paper writes :math:`d_{\text{model}}^{-0.5} \min(n^{-0.5},\ n\, w^{-1.5})` with the step number
    n = t + 1 ≥ 1; dividing by its peak :math:`d_{\text{model}}^{-0.5} w^{-0.5}` gives the formula above, so
    the paper's schedule is ``inverse_sqrt_lr(d_model ** -0.5 * w ** -0.5, w)`` (d_model = 512, w = 4000).

    >>> f = inverse_sqrt_lr(1.0, warmup_steps=4)
    >>> [round(f(t), 4) for t in (0, 1, 3, 15)]
    [0.25, 0.5, 1.0, 0.5]

    Reference: A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser,
    I. Polosukhin (2017), Attention is all you need, NeurIPS, eq. (3).
    """
    peak = check_non_negative_float("lr", lr)
    w = check_positive_int("warmup_steps", warmup_steps)
    return Schedule(
        f"inverse_sqrt_lr(lr={peak:g}, warmup_steps={w})",
        rule=lambda t: peak * min((t + 1) / w, math.sqrt(w / (t + 1))),
    )
