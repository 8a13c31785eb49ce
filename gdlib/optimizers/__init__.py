"""The optimizers of the book, each reproducing its torch.optim namesake to floating-point precision.

Every optimizer is a frozen dataclass of hyperparameters with ``init(x) -> state`` and
``step(x, g, state) -> (x_new, state)``; see ``_base.py``.

Second-order and quasi-Newton methods ask the problem for more than the gradient (``uses_oracle``), take
the whole parameter vector at once and run one problem at a time:

======================  ==============================================================  ======================
optimizer               one step                                                        checked against
======================  ==============================================================  ======================
``LBFGS``               two-loop recursion, fixed step or strong Wolfe (torch's port)  torch.optim.LBFGS
``BFGS``                inverse-Hessian update (N&W Alg. 6.1), Wolfe or Armijo search   scipy BFGS
``ConjugateGradient``   linear CG (exact step, Hessian-vector products), FR, PR+        scipy cg, scipy CG
``Newton``              (∇²L + λI) p = −g, dense or truncated CG; optional Armijo      scipy Newton-CG
``GaussNewton``         J p = −r in the least-squares sense                            NIST Misra1a
``LevenbergMarquardt``  (JᵀJ + λI) p = −Jᵀr, λ ×10 / ÷10 (Marquardt)                   scipy least_squares lm
======================  ==============================================================  ======================
"""

from ._base import LeafwiseState, Optimizer, lerp, tree_init, tree_step
from .adadelta import Adadelta, AdadeltaState
from .adagrad import Adagrad, AdagradState
from .adam import Adam, AdamState, AdamW
from .cg import ConjugateGradient, ConjugateGradientState
from .lars import LAMB, LARS, LAMBState, LARSState
from .lbfgs import LBFGS, LBFGSState
from .lion import Lion, LionState
from .nadam import NAdam, NAdamState
from .newton import GaussNewton, GaussNewtonState, LevenbergMarquardt, LevenbergMarquardtState, Newton, NewtonState
from .quasi_newton import BFGS, BFGSState
from .radam import RAdam, RAdamState
from .rmsprop import RMSprop, RMSpropState
from .sam import SAM, SAMState
from .sgd import SGD, GradientDescent, GradientDescentState, SGDState
from .wrappers import (
    EMA,
    Accumulate,
    AccumulateState,
    EMAState,
    Lookahead,
    LookaheadState,
    ParamGroups,
    ParamGroupsState,
)

__all__ = [
    "Optimizer",
    "lerp",
    "tree_init",
    "tree_step",
    "LeafwiseState",
    "GradientDescent",
    "GradientDescentState",
    "SGD",
    "SGDState",
    "Adagrad",
    "AdagradState",
    "RMSprop",
    "RMSpropState",
    "Adadelta",
    "AdadeltaState",
    "Adam",
    "AdamState",
    "AdamW",
    "NAdam",
    "NAdamState",
    "RAdam",
    "RAdamState",
    "LARS",
    "LARSState",
    "LAMB",
    "LAMBState",
    "Lion",
    "LionState",
    "SAM",
    "SAMState",
    "Accumulate",
    "AccumulateState",
    "Lookahead",
    "LookaheadState",
    "EMA",
    "EMAState",
    "ParamGroups",
    "ParamGroupsState",
    "LBFGS",
    "LBFGSState",
    "BFGS",
    "BFGSState",
    "ConjugateGradient",
    "ConjugateGradientState",
    "Newton",
    "NewtonState",
    "GaussNewton",
    "GaussNewtonState",
    "LevenbergMarquardt",
    "LevenbergMarquardtState",
]
