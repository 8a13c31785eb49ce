r"""Sharpness-aware minimisation (Foret et al. 2021) and its adaptive form ASAM (Kwon et al. 2021): the
gradient is taken at the worst nearby point of a small ball, then any optimizer steps with it."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_number
from ._base import Optimizer, tree_init, tree_step
from .lars import _per_run, _prepare_tree_step, _run_ndim

__all__ = ["SAM", "SAMState"]


class SAMState(NamedTuple):
    t: int  #: steps taken
    base_state: object  #: the base optimizer's own state


@dataclass(frozen=True, repr=False)
class SAM(Optimizer):
    r"""SAM: step with the gradient at the worst point of a ball of radius ρ around θ (to first order),
    on the same mini-batch, using any optimizer as the base.

    .. math::
        \epsilon_t &= \rho\, \frac{T^2 g_t}{\lVert T g_t\rVert}, \qquad
            T = I \ \text{(SAM)} \quad\text{or}\quad T = \operatorname{diag}(\lvert\theta_t\rvert + \eta_T)
            \ \text{(ASAM)} \\
        \tilde g_t &= \nabla L_B(\theta_t + \epsilon_t) \qquad\text{(the same mini-batch } B
            \text{ as } g_t = \nabla L_B(\theta_t)) \\
        \theta_{t+1} &= \text{the base optimizer's step from } \theta_t \text{ with the gradient } \tilde g_t

    ======  ==============  ========================================================================
    symbol  argument        meaning
    ======  ==============  ========================================================================
    —       ``base``        the optimizer that takes the step (gd.SGD, gd.Adam, …); its state lives
                            inside SAM's state
    ρ       ``rho``         radius of the neighbourhood, ρ ≥ 0 (0: the base optimizer alone)
    —       ``adaptive``    ASAM: scale the ball by the size of each weight, T = |θ| + η_T
    η_T     ``eta``         ASAM's offset in T (Kwon et al. use 0.01; 0, the default, is the common
                            ``adaptive=True`` implementation of SAM), η_T ≥ 0
    ======  ==============  ========================================================================

    The norm ‖T g‖ is global (over all arrays of structured parameters), one per run when θ carries run axes.
    When it is zero, ε = 0 (the paper's formula is undefined there; optax's gives NaN). Each step costs two
    gradients: the runner's g_t and the one at θ + ε, visible in ``oracle.ngev``; SAM therefore needs the
    oracle (``gd.run`` passes it). This is optax's ``contrib.sam`` in opaque mode with the adversarial
    optimizer ``chain(normalize(), sgd(rho))`` and ``sync_period=2``.

    >>> import gdlib as gd, numpy as np
    >>> from gdlib.oracle import Oracle
    >>> oracle = Oracle(gd.Quadratic.from_eigenvalues([1.0, 10.0]))
    >>> opt = SAM(gd.SGD(lr=0.1), rho=0.5)
    >>> x = np.array([0.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    >>> x.tolist(), oracle.ngev          # ε = (0, 0.5): the gradient is taken at (0, 1.5)
    ([0.0, -0.5], 2)

    References: P. Foret, A. Kleiner, H. Mobahi, B. Neyshabur (2021), Sharpness-aware minimization for
    efficiently improving generalization, ICLR (arXiv:2010.01412); J. Kwon, J. Kim, H. Park, I. K. Choi (2021),
    ASAM: adaptive sharpness-aware minimization for scale-invariant learning of deep neural networks, ICML.
    """

    base: Optimizer = None
    rho: float = 0.05
    adaptive: bool = False
    eta: float = 0.0

    State = SAMState
    elementwise = False
    uses_oracle = True

    def __post_init__(self):
        if isinstance(self.base, type):
            raise TypeError(
                f"base is the class {self.base.__name__}; pass an instance such as gd.{self.base.__name__}(lr=0.1)"
            )
        if not (callable(getattr(self.base, "init", None)) and callable(getattr(self.base, "step", None))):
            raise TypeError(f"base must be a gdlib optimizer such as gd.SGD(lr=0.1) (got {self.base!r})")
        if not isinstance(self.adaptive, (bool, np.bool_)):
            raise TypeError(f"adaptive must be True or False (got {self.adaptive!r})")
        object.__setattr__(self, "rho", check_number("rho", self.rho, low=0, allow_array=False))
        object.__setattr__(self, "eta", check_number("eta", self.eta, low=0, allow_array=False))

    def lr_at(self, t):
        """The base optimizer's learning rate at step ``t``."""
        return self.base.lr_at(t)

    def init(self, x):
        return SAMState(t=0, base_state=tree_init(self.base, x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        if oracle is None:
            raise ValueError(
                "SAM needs the oracle for its second gradient: "
                "step(x, g, state, oracle=gd.Oracle(problem)) (gd.run passes it)"
            )
        nd = _run_ndim(x, oracle)
        T = tree.tree_map(lambda w: np.abs(w) + self.eta if self.adaptive else 1, x)
        Tg = tree.tree_map(lambda T, g: T * g, T, g)
        Tg_norm = tree.norm(Tg, nd)
        Tg_norm = np.where(Tg_norm == 0, np.inf, Tg_norm)  # so that ε = 0 where ‖Tg‖ = 0
        eps = tree.tree_map(lambda T, Tg: self.rho * T * Tg / _per_run(Tg_norm, Tg, nd), T, Tg)
        g_sam = oracle.grad(tree.tree_map(lambda w, e: w + e, x, eps))
        x_new, base_state = tree_step(self.base, x, g_sam, state.base_state, oracle)
        return x_new, SAMState(state.t + 1, base_state)
