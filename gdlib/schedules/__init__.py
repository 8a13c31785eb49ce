r"""Learning-rate schedules: functions of the step index t that give the learning rate η_t.

Each function takes the base learning rate first (``max_lr`` for one-cycle), then the keyword arguments of
its torch.optim.lr_scheduler namesake with the same defaults, and returns a :class:`Schedule` ``f`` with
``f(t)`` equal to the learning rate torch's scheduler gives optimizer step t (t = 0 is the first step,
before any ``scheduler.step()``). Pass it as ``lr=`` to any gdlib optimizer.
:func:`one_cycle_momentum` gives the momentum (or β₁) torch's OneCycleLR cycles with the rate, for
``momentum=`` or ``betas=(…, β₂)``. :func:`inverse_sqrt_lr` (the Transformer's) and
:func:`warmup_stable_decay_lr` have no torch scheduler; they follow their papers' formulas.

Where torch computes a schedule by a recursion on the previous rate whose rounding differs from the closed
form (cosine annealing, linear warm-up), we run the same recursion, so the numbers agree to the last bits.
Step, multi-step and exponential decay use the closed form η·γ^k, which torch's repeated multiplication by γ
equals up to one rounding per decay; warm restarts and one-cycle are computed from t by torch too.
"""

from ._base import Schedule
from .cosine import (
    cosine_annealing_lr,
    cosine_annealing_warm_restarts,
    one_cycle_lr,
    one_cycle_momentum,
    warmup_cosine,
    warmup_stable_decay_lr,
)
from .decay import exponential_lr, inverse_sqrt_lr, linear_lr, multistep_lr, step_lr
from .sequential import sequential_lr

__all__ = [
    "Schedule",
    "step_lr",
    "multistep_lr",
    "exponential_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "linear_lr",
    "one_cycle_lr",
    "one_cycle_momentum",
    "sequential_lr",
    "warmup_cosine",
    "warmup_stable_decay_lr",
    "inverse_sqrt_lr",
]
