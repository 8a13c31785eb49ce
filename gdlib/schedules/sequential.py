"""One schedule after another (torch's SequentialLR)."""

from bisect import bisect_right

from .._checks import check_milestones
from ._base import Schedule


def sequential_lr(schedules, milestones):
    r"""Run ``schedules[0]`` until ``milestones[0]``, then ``schedules[1]`` restarted at t = 0, and so
    on (torch's SequentialLR).

    .. math:: \eta_t = f_i(t - m_i) \quad\text{for } m_i \le t < m_{i+1} \quad (m_0 = 0)

    ======  ==============  ===================================================
    symbol  argument        meaning
    ======  ==============  ===================================================
    f_i     ``schedules``   the schedules (any callables of t), in order
    m_i     ``milestones``  steps where the next one starts, strictly increasing
    ======  ==============  ===================================================

    >>> from gdlib.schedules import exponential_lr, linear_lr
    >>> f = sequential_lr([linear_lr(1.0, start_factor=0.5, total_iters=2), exponential_lr(1.0, 0.5)], [2])
    >>> [f(t) for t in range(5)]
    [0.5, 0.75, 1.0, 0.5, 0.25]

    Reference: P. Goyal et al. (2017), Accurate, large minibatch SGD: training ImageNet in 1 hour,
    arXiv:1706.02677 (a warm-up followed by the usual decay).
    """
    schedules = list(schedules) if isinstance(schedules, (list, tuple)) else None
    if not schedules or not all(callable(s) for s in schedules):
        raise ValueError("schedules must be a non-empty list of schedules (callables of t)")
    milestones = check_milestones(milestones)
    if len(milestones) != len(schedules) - 1:
        raise ValueError(
            f"milestones must have one entry fewer than schedules "
            f"(got {len(milestones)} milestones for {len(schedules)} schedules)"
        )
    starts = [0] + milestones

    def rule(t):
        i = bisect_right(milestones, t)
        return schedules[i](t - starts[i])

    return Schedule(f"sequential_lr({schedules}, milestones={milestones})", rule=rule)
