"""The optimizers of the book, each reproducing its torch.optim namesake to floating-point precision.

Every optimizer is a frozen dataclass of hyperparameters with ``init(x) -> state`` and
``step(x, g, state) -> (x_new, state)``; see ``_base.py``.
"""

from ._base import LeafwiseState, Optimizer, lerp, tree_init, tree_step
from .adadelta import Adadelta, AdadeltaState
from .adagrad import Adagrad, AdagradState
from .adam import Adam, AdamState, AdamW
from .nadam import NAdam, NAdamState
from .radam import RAdam, RAdamState
from .rmsprop import RMSprop, RMSpropState
from .sgd import SGD, GradientDescent, GradientDescentState, SGDState

__all__ = ["Optimizer", "lerp", "tree_init", "tree_step", "LeafwiseState", "GradientDescent", "GradientDescentState", "SGD", "SGDState", "Adagrad",
           "AdagradState", "RMSprop", "RMSpropState", "Adadelta", "AdadeltaState", "Adam", "AdamState",
           "AdamW", "NAdam", "NAdamState", "RAdam", "RAdamState"]
