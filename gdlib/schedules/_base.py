"""The Schedule object every schedule function returns (their argument checks are in gdlib._checks)."""

from array import array

import numpy as np

from .._checks import check_number


class Schedule:
    """A learning-rate schedule: ``f(t)`` is η at step t (an int or an int array); ``f.values(T)`` the first T.

    Built from a closed form ``rule(t)`` or from a recursion ``first, step(lr_prev, t)`` whose values are
    remembered (8 bytes per step); ``last_step`` is the last valid t, if any.

    >>> f = Schedule("halving", rule=lambda t: 0.5 ** t)
    >>> f(3), f(np.array([0, 1, 2])), f
    (0.125, array([1.  , 0.5 , 0.25]), halving)
    """

    def __init__(self, description, rule=None, first=None, recursion=None, last_step=None):
        self.description = description
        self._rule, self._recursion, self._last_step = rule, recursion, last_step
        self._memo = array("d", [first]) if recursion is not None else None

    def __call__(self, t):
        if isinstance(t, np.ndarray) and np.issubdtype(t.dtype, np.integer):
            return np.array([self(int(s)) for s in t.ravel()], dtype=float).reshape(t.shape)
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"t must be a whole number of steps or an integer array (got {type(t).__name__})")
        if t < 0:
            raise ValueError(f"t must be in [0, inf) (got {t})")
        if self._last_step is not None and t > self._last_step:
            raise ValueError(f"t must be in [0, {self._last_step}] for {self.description} (got {t})")
        t = int(t)
        if self._rule is not None:
            return self._rule(t)
        while len(self._memo) <= t:
            self._memo.append(self._recursion(self._memo[-1], len(self._memo)))
        return self._memo[t]

    def values(self, T):
        """The learning rates of steps 0, 1, …, T − 1 as an array."""
        check_number("T", T, low=0, integer=True, allow_array=False)
        return np.array([self(t) for t in range(int(T))], dtype=float)

    def __repr__(self):
        return self.description
