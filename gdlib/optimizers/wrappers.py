r"""Optimizers that wrap others: gradient accumulation (optax's ``MultiSteps``), Lookahead (Zhang et al.
2019), an exponential moving average of the weights (optax's ``ema``) and parameter groups (torch's param
groups, optax's ``multi_transform``).

Each is a frozen dataclass holding the ``inner`` optimizer, with a state that contains the inner state. They
take an array or structured parameters (stepping the inner optimizer through :func:`tree_init` /
:func:`tree_step`), and pass the oracle on when the inner optimizer uses one.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import tree
from .._checks import check_number
from ._base import Optimizer, for_leaf, tree_init, tree_step
from .lars import _prepare_tree_step

__all__ = [
    "Accumulate",
    "AccumulateState",
    "Lookahead",
    "LookaheadState",
    "EMA",
    "EMAState",
    "ParamGroups",
    "ParamGroupsState",
]


def _check_inner(inner):
    if isinstance(inner, type):
        raise TypeError(f"inner is the class {inner.__name__}; pass an instance such as gd.{inner.__name__}(lr=0.1)")
    if not (callable(getattr(inner, "init", None)) and callable(getattr(inner, "step", None))):
        raise TypeError(f"inner must be a gdlib optimizer such as gd.SGD(lr=0.1) (got {inner!r})")


def _copy(x):
    return tree.tree_map(lambda p: np.array(p, copy=True), x)


@dataclass(frozen=True, repr=False)
class _Wrapper(Optimizer):
    """What the wrappers share: the inner optimizer's learning rate and its use of the oracle."""

    elementwise = False

    @property
    def uses_oracle(self):
        return bool(getattr(self.inner, "uses_oracle", False))

    def lr_at(self, t):
        """The inner optimizer's learning rate at step ``t``."""
        return self.inner.lr_at(t)


class AccumulateState(NamedTuple):
    t: int  #: calls so far (micro-batches seen)
    n: int  #: gradients in the running mean, 0 ≤ n < k
    mean_grad: object  #: ḡ, the mean of those n gradients, shaped like x
    inner_state: object  #: the inner optimizer's state (it has taken t // k steps)


@dataclass(frozen=True, repr=False)
class Accumulate(_Wrapper):
    r"""Gradient accumulation: average the gradients of k consecutive calls (k micro-batches) and let the
    inner optimizer take one step with the mean, as optax's ``MultiSteps``.

    .. math::
        \bar g &\leftarrow \bar g + \frac{g_t - \bar g}{n + 1}, \qquad n \leftarrow n + 1
            \qquad\text{(the running mean of the } n \text{ gradients so far)} \\
        \theta &\leftarrow \begin{cases} \text{the inner step from } \theta \text{ with } \bar g,
            \text{ then } \bar g \leftarrow 0,\ n \leftarrow 0 & \text{if } n = k \\
            \theta \text{ unchanged} & \text{otherwise} \end{cases}

    ======  ==========  ================================================================
    symbol  argument    meaning
    ======  ==========  ================================================================
    —       ``inner``   the optimizer that takes the step (gd.SGD, gd.Adam, …)
    k       ``k``       number of gradients per step, an integer ≥ 1 (k = 1: ``inner``)
    ======  ==========  ================================================================

    For a loss that is a mean over examples, k micro-batches of B examples accumulated give the gradient
    of the batch of kB examples, so the steps are those of the large batch at 1/k of its memory. The inner
    state (momentum, Adam's moments, its step count) advances only on the k-th call, unlike optax's
    ``apply_every``. ``lr_at(t)`` is the inner rate of the step call t contributes to, ``inner.lr_at(t // k)``.
    An inner optimizer that uses the oracle (a line search, L-BFGS, SAM) steps with the mean ḡ but evaluates
    L at trial points on the k-th micro-batch only, the one whose oracle it is handed.

    >>> import numpy as np, gdlib as gd
    >>> opt = Accumulate(gd.SGD(lr=0.5), k=2)
    >>> x = np.array([1.0, 1.0]); state = opt.init(x)
    >>> x, state = opt.step(x, np.array([1.0, 0.0]), state); x.tolist()   # first micro-batch: no step
    [1.0, 1.0]
    >>> x, state = opt.step(x, np.array([0.0, 1.0]), state); x.tolist()   # the mean (½, ½), one step
    [0.75, 0.75]

    References: optax's ``MultiSteps`` (DeepMind et al. 2020, The DeepMind JAX ecosystem); the large-batch
    equivalence is what P. Goyal et al. (2017), Accurate, large minibatch SGD: training ImageNet in 1 hour,
    arXiv:1706.02677, build on.
    """

    inner: Optimizer = None
    k: int = 1

    State = AccumulateState

    def __post_init__(self):
        _check_inner(self.inner)
        object.__setattr__(self, "k", int(check_number("k", self.k, low=1, integer=True, allow_array=False)))

    def lr_at(self, t):
        """The inner optimizer's learning rate for the step that call ``t`` contributes to."""
        return self.inner.lr_at(t // self.k)

    def init(self, x):
        return AccumulateState(t=0, n=0, mean_grad=tree.zeros_like(x), inner_state=tree_init(self.inner, x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        n = state.n + 1
        mean_grad = tree.tree_map(lambda m, g: m + (g - m) / n, state.mean_grad, g)
        if n < self.k:
            return _copy(x), AccumulateState(state.t + 1, n, mean_grad, state.inner_state)
        x_new, inner_state = tree_step(self.inner, x, mean_grad, state.inner_state, oracle)
        return x_new, AccumulateState(state.t + 1, 0, tree.zeros_like(x), inner_state)


class LookaheadState(NamedTuple):
    t: int  #: fast steps taken
    slow: object  #: φ, the slow weights (use these for evaluation), shaped like x
    inner_state: object  #: the inner (fast) optimizer's state


@dataclass(frozen=True, repr=False)
class Lookahead(_Wrapper):
    r"""Lookahead: the inner optimizer moves fast weights θ for k steps, then the slow weights φ move a
    fraction α of the way towards them and the fast weights restart from there.

    .. math::
        \theta_{t+1} &= \text{the inner step from } \theta_t \\
        \text{every } k \text{ steps:}\quad \phi &\leftarrow \phi + \alpha\,(\theta_{t+1} - \phi), \qquad
            \theta_{t+1} \leftarrow \phi

    ======  ================  ==============================================================
    symbol  argument          meaning
    ======  ================  ==============================================================
    —       ``inner``         the fast optimizer (gd.SGD, gd.Adam, …)
    k       ``k``             fast steps per slow step, an integer ≥ 1
    α       ``alpha``         slow step size, α ∈ [0, 1]
    —       ``reset_state``   restart the inner state after each slow step (optax's option)
    ======  ================  ==============================================================

    The iterate x returned by ``step`` holds the fast weights, where the gradients are taken; the slow
    weights are ``state.slow``. This is optax's ``lookahead(fast_optimizer, sync_period=k,
    slow_step_size=alpha)``, which returns both as ``LookaheadParams(fast, slow)``.

    >>> import numpy as np, gdlib as gd
    >>> opt = Lookahead(gd.GradientDescent(lr=0.5), k=2, alpha=0.5)
    >>> x = np.array([4.0]); state = opt.init(x)
    >>> for _ in range(2):
    ...     x, state = opt.step(x, x, state)           # L = ½θ²: fast 4 → 2 → 1
    >>> x.tolist(), state.slow.tolist()              # φ = 4 + ½(1 − 4), and θ restarts at φ
    ([2.5], [2.5])

    Reference: M. R. Zhang, J. Lucas, G. Hinton, J. Ba (2019), Lookahead optimizer: k steps forward, 1 step
    back, NeurIPS (arXiv:1907.08610).
    """

    inner: Optimizer = None
    k: int = 5
    alpha: float = 0.5
    reset_state: bool = False

    State = LookaheadState

    def __post_init__(self):
        _check_inner(self.inner)
        object.__setattr__(self, "k", int(check_number("k", self.k, low=1, integer=True, allow_array=False)))
        object.__setattr__(self, "alpha", float(check_number("alpha", self.alpha, low=0, high=1, allow_array=False)))
        if not isinstance(self.reset_state, (bool, np.bool_)):
            raise TypeError(f"reset_state must be True or False (got {self.reset_state!r})")

    def init(self, x):
        return LookaheadState(t=0, slow=_copy(x), inner_state=tree_init(self.inner, x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        fast, inner_state = tree_step(self.inner, x, g, state.inner_state, oracle)
        t, slow, alpha = state.t + 1, state.slow, self.alpha
        if t % self.k == 0:
            slow = tree.tree_map(lambda phi, theta: phi + alpha * (theta - phi), slow, fast)
            fast = _copy(slow)
            if self.reset_state:
                inner_state = tree_init(self.inner, fast)
        return fast, LookaheadState(t, slow, inner_state)


class EMAState(NamedTuple):
    t: int  #: steps taken
    average: object  #: θ̄, the moving average of the weights (use these for evaluation), shaped like x
    inner_state: object  #: the inner optimizer's state


@dataclass(frozen=True, repr=False)
class EMA(_Wrapper):
    r"""An exponential moving average of the weights beside any optimizer (the exponential form of
    Polyak–Ruppert averaging), as optax's ``ema`` applied to the iterates.

    .. math::
        \theta_{t+1} &= \text{the inner step from } \theta_t \\
        \bar\theta_{t+1} &= \bar\theta_t + w_{t+1}\,(\theta_{t+1} - \bar\theta_t), \qquad
            w_{t+1} = \frac{1 - \beta}{1 - \beta^{t+1}} \ \text{(debiased) or } 1 - \beta, \qquad \bar\theta_0 = 0

    ======  ===========  ===================================================================
    symbol  argument     meaning
    ======  ===========  ===================================================================
    —       ``inner``    the optimizer that moves θ (gd.SGD, gd.Adam, …)
    β       ``decay``    decay of the average, β ∈ [0, 1)
    —       ``debias``   divide by 1 − β^t as optax's ``ema(debias=True)`` (the default)
    ======  ===========  ===================================================================

    The update of θ̄ is the moving average m_{t+1} = β m_t + (1 − β) θ_{t+1} (m_0 = 0) followed by
    optax's debiasing θ̄ = m/(1 − β^{t+1}), rewritten as one recursion in θ̄ (the two are equal algebraically;
    with debiasing θ̄_1 = θ_1, without it θ̄ starts near 0). The average never feeds back into the steps:
    x stays the inner optimizer's iterate, and ``state.average`` holds θ̄. torch's
    ``AveragedModel(get_ema_multi_avg_fn(β))`` instead starts the average at θ_1 with weight 1 and then
    uses 1 − β, which is neither form.

    >>> import numpy as np, gdlib as gd
    >>> opt = EMA(gd.GradientDescent(lr=0.5), decay=0.5)
    >>> x = np.array([4.0]); state = opt.init(x)
    >>> for _ in range(2):
    ...     x, state = opt.step(x, x, state)           # L = ½θ²: θ = 2, then 1
    >>> x.tolist(), np.round(state.average, 12).tolist()   # m = ½(½·2) + ½·1 = 1, debiased 1/(1 − ¼)
    ([1.0], [1.333333333333])

    References: B. T. Polyak, A. B. Juditsky (1992), Acceleration of stochastic approximation by averaging,
    SIAM J. Control Optim. 30(4); optax's ``ema`` (DeepMind et al. 2020, The DeepMind JAX ecosystem).
    """

    inner: Optimizer = None
    decay: float = 0.999
    debias: bool = True

    State = EMAState

    def __post_init__(self):
        _check_inner(self.inner)
        object.__setattr__(
            self, "decay", float(check_number("decay", self.decay, low=0, high=1, high_open=True, allow_array=False))
        )
        if not isinstance(self.debias, (bool, np.bool_)):
            raise TypeError(f"debias must be True or False (got {self.debias!r})")

    def init(self, x):
        return EMAState(t=0, average=tree.zeros_like(x), inner_state=tree_init(self.inner, x))

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        x_new, inner_state = tree_step(self.inner, x, g, state.inner_state, oracle)
        t, beta = state.t + 1, self.decay
        w = (1 - beta) / (1 - beta**t) if self.debias else 1 - beta
        average = tree.tree_map(lambda avg, theta: avg + w * (theta - avg), state.average, x_new)
        return x_new, EMAState(t, average, inner_state)


class ParamGroupsState(NamedTuple):
    t: int  #: steps taken
    labels: object  #: the group label of each parameter array, a tree of x's structure
    leaves: tuple  #: each array's state under its group's optimizer, in gdlib.tree.leaves order


@dataclass(frozen=True, repr=False)
class ParamGroups(_Wrapper):
    r"""Different optimizers (or the same one with different hyperparameters) for different parameter arrays:
    torch's parameter groups, optax's ``multi_transform``.

    .. math::
        \theta^{(a)}_{t+1} = \mathrm{step}_{\,\mathrm{opt}[\ell(a)]}\bigl(\theta^{(a)}_t,\ g^{(a)}_t\bigr)
        \qquad \text{for every parameter array } a

    ======  ============  ======================================================================
    symbol  argument      meaning
    ======  ============  ======================================================================
    opt     ``groups``    a dict from group label to optimizer, e.g. ``{"decay": gd.AdamW(...),
                          "no_decay": gd.AdamW(..., weight_decay=0.0)}``
    ℓ       ``labels``    the label of each array: a tree of labels with the parameters' structure,
                          or a function of the parameters returning one (as optax's ``param_labels``)
    ======  ============  ======================================================================

    The usual use is to exclude biases and normalisation gains from weight decay (Loshchilov & Hutter 2019
    decay every weight; most training code since exempts biases and gains, e.g. the GPT-2 and BERT code).
    Each array keeps its own state under its group's optimizer, which must be elementwise (SGD, Adam, …: a
    method that needs the whole model at once, L-BFGS say, cannot be split). ``lr_at(t)`` — the rate
    ``gd.run`` records — is the rate of the first group in ``groups``; with per-group rates, read each
    group's ``lr_at``.

    >>> import numpy as np, gdlib as gd
    >>> opt = ParamGroups({"decay": gd.SGD(lr=0.1, weight_decay=1.0), "no_decay": gd.SGD(lr=0.1)},
    ...                   labels=lambda params: {k: "no_decay" if k.startswith("b") else "decay" for k in params})
    >>> x = {"W": np.array([1.0, 1.0]), "b": np.array([1.0])}; state = opt.init(x)
    >>> x, state = opt.step(x, {"W": np.zeros(2), "b": np.zeros(1)}, state)
    >>> x["W"].tolist(), x["b"].tolist()        # only W decays: (1 − ηλ)·1 = 0.9
    ([0.9, 0.9], [1.0])

    References: torch.optim's per-parameter options ("param groups"); optax's ``multi_transform`` (DeepMind et
    al. 2020, The DeepMind JAX ecosystem); I. Loshchilov, F. Hutter (2019), Decoupled weight decay
    regularization, ICLR.
    """

    groups: dict = None
    labels: object = None

    State = ParamGroupsState
    uses_oracle = True  # for oracle.run_ndim only

    def __post_init__(self):
        if not isinstance(self.groups, dict) or not self.groups:
            raise TypeError(
                "groups must be a non-empty dict from label to optimizer, e.g. "
                f"{{'decay': gd.AdamW(lr=1e-3), 'no_decay': gd.AdamW(lr=1e-3, weight_decay=0.0)}} (got {self.groups!r})"
            )
        for label, opt in self.groups.items():
            _check_inner(opt)
            if not getattr(opt, "elementwise", False):
                raise ValueError(
                    f"groups[{label!r}] is {type(opt).__name__}, which works on all parameters at once and cannot "
                    "be split into groups; use elementwise optimizers (SGD, Adam, AdamW, …)"
                )
        if self.labels is None:
            raise TypeError("labels is required: a tree of group labels shaped like the parameters, or a function")

    @property
    def inner(self):
        return next(iter(self.groups.values()))

    def _labels(self, x):
        if not tree.is_tree(x):
            raise TypeError(
                "ParamGroups splits structured parameters (a tuple or dict of arrays); for one array use the "
                f"optimizer itself (got {tree._describe(x)})"
            )
        value = self.labels(x) if callable(self.labels) else self.labels

        def leaf(_, label):
            if label not in self.groups:
                raise ValueError(
                    f"labels names group {label!r}, which is not in groups ({', '.join(map(repr, self.groups))})"
                )
            return label

        try:
            return tree.tree_map(leaf, x, value)
        except ValueError as exc:
            if "same structure" in str(exc):
                raise ValueError(f"labels must have the structure of the parameters: {exc}") from None
            raise

    def init(self, x):
        labels = self._labels(x)
        states = tuple(self.groups[label].init(a) for a, label in zip(tree.leaves(x), tree.leaves(labels), strict=True))
        return ParamGroupsState(0, labels, states)

    def step(self, x, g, state, oracle=None):
        _prepare_tree_step(self, x, g, state)
        run_ndim = getattr(oracle, "run_ndim", None)
        new_leaves, new_states = [], []
        for a, ga, label, s in zip(
            tree.leaves(x), tree.leaves(g), tree.leaves(state.labels), state.leaves, strict=True
        ):
            a_new, s_new = for_leaf(self.groups[label], a, run_ndim, t=state.t).step(a, ga, s)
            new_leaves.append(a_new)
            new_states.append(s_new)
        return tree.unflatten(x, new_leaves), ParamGroupsState(state.t + 1, state.labels, tuple(new_states))
