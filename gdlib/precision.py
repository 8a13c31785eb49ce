r"""Low precision: float16 and bfloat16 rounding, emulated on float32, and dynamic loss scaling.

Mixed-precision training keeps the *master weights* θ in float32 and computes in a 16-bit format: float16
(IEEE binary16: 5 exponent bits, 10 fraction bits) or bfloat16 (8 exponent bits, as float32, and 7
fraction bits). numpy's float16 has no BLAS and numpy has no bfloat16, so gdlib *emulates* the 16-bit
formats: a number "in bfloat16" is a float32 whose value is exactly representable in bfloat16, and every
arithmetic operation runs in float32. What the emulation gets exactly right is where a value lands when it
is stored in the format — the nearest representable number, ties to even, ±inf above the largest finite
value, gradual underflow through the subnormals to ±0 — which is where float16 training loses small
gradients and overflows on large ones.

- :func:`round_to` rounds to a format; :func:`format_info` states a format's range and precision.
- :func:`mixed_precision_grad` makes one emulated mixed-precision gradient.
- :class:`LossScaler` is the dynamic loss-scaling rule of ``torch.amp.GradScaler``.

>>> import numpy as np
>>> g = np.array([1e-8, 1e-3, 1e5], dtype=np.float32)
>>> round_to(g, "float16").tolist()              # 1e-8 underflows to 0, 1e5 overflows to inf
[0.0, 0.0010004043579101562, inf]
>>> round_to(g, "bfloat16").tolist()             # float32's range, but only 8 significant bits
[1.0011717677116394e-08, 0.00099945068359375, 99840.0]
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import tree
from ._checks import check_choice, check_number

__all__ = ["FORMATS", "FormatInfo", "format_info", "round_to", "mixed_precision_grad", "LossScaler", "LossScalerState"]

FORMATS = ("float16", "bfloat16", "float32")
_LAYOUT = {"float16": (5, 10), "bfloat16": (8, 7), "float32": (8, 23)}  # (exponent bits, fraction bits)
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_FLOAT32_TINIEST = 2.0**-149  # float32's smallest subnormal


def _format_name(dtype):
    """The format's name from a string or a numpy dtype (``np.float16``, ``ml_dtypes.bfloat16``)."""
    if isinstance(dtype, str):
        name = dtype
    elif isinstance(dtype, (np.dtype, type)):
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = getattr(dtype, "__name__", repr(dtype))
    else:
        raise TypeError(f"dtype must be one of {', '.join(map(repr, FORMATS))} (got {dtype!r})")
    return check_choice("dtype", name, FORMATS)


class FormatInfo(NamedTuple):
    """Range and precision of a floating-point format (the facts ``np.finfo`` gives)."""

    name: str
    bits: int  #: total width: 1 sign bit + exponent bits + fraction bits
    exponent_bits: int
    significand_bits: int  #: p: the stored fraction bits plus the implicit leading 1
    max: float  #: the largest finite number, (2 − 2^(1−p))·2^emax
    smallest_normal: float  #: 2^emin
    smallest_subnormal: float  #: 2^(emin − p + 1), the spacing of the numbers below 2^emin
    eps: float  #: machine epsilon 2^(1−p), the spacing of the numbers just above 1
    decimal_digits: int  #: ⌊(p − 1)·log₁₀ 2⌋ decimal digits survive a round trip (np.finfo's precision)


def format_info(dtype):
    r"""Range and precision of float16, bfloat16 or float32, computed from the format's layout.

    .. math::
        e_{\max} = 2^{k-1} - 1, \quad e_{\min} = 1 - e_{\max}, \quad
        \text{max} = (2 - 2^{1-p})\, 2^{e_{\max}}, \quad
        \text{smallest normal} = 2^{e_{\min}}, \quad
        \text{smallest subnormal} = 2^{e_{\min} + 1 - p}, \quad
        \varepsilon = 2^{1-p}

    ======  ====================  ==================================================
    symbol  field                 meaning
    ======  ====================  ==================================================
    k       ``exponent_bits``     5 (float16), 8 (bfloat16, float32)
    p       ``significand_bits``  11, 8, 24: the fraction bits plus the implicit 1
    ε       ``eps``               machine epsilon 2^(1−p): 2^-10, 2^-7, 2^-23
    ======  ====================  ==================================================

    Rounding to nearest makes a relative error of at most the unit roundoff u = ε/2 for every number
    between the smallest normal and max (2^-11 ≈ 4.9·10⁻⁴ for float16, 2^-8 ≈ 3.9·10⁻³ for bfloat16).
    ``eps`` is the spacing above 1 (numpy's ``finfo.eps``, C's ``FLT_EPSILON``), not u.

    >>> info = format_info("float16")
    >>> info.max, info.smallest_subnormal == 2.0 ** -24, info.eps == 2.0 ** -10
    (65504.0, True, True)
    >>> f"{format_info('bfloat16').max:.4e}"
    '3.3895e+38'

    References: IEEE 754-2008, Standard for floating-point arithmetic (binary16, binary32); bfloat16 as
    defined in D. Kalamkar et al. (2019), A study of BFLOAT16 for deep learning training, arXiv:1905.12322.
    """
    name = _format_name(dtype)
    k, fraction = _LAYOUT[name]
    p = fraction + 1
    emax = 2 ** (k - 1) - 1
    emin = 1 - emax
    return FormatInfo(
        name=name,
        bits=1 + k + fraction,
        exponent_bits=k,
        significand_bits=p,
        max=(2.0 - 2.0 ** (1 - p)) * 2.0**emax,
        smallest_normal=2.0**emin,
        smallest_subnormal=2.0 ** (emin + 1 - p),
        eps=2.0 ** (1 - p),
        decimal_digits=math.floor((p - 1) * math.log10(2)),
    )


def _as_float32(x, name):
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (got an array of dtype {a.dtype})")
    with np.errstate(over="ignore"):
        return a.astype(np.float32)  # a new array: the caller's is never modified


def _round_bfloat16(a):
    """float32 → bfloat16 → float32: keep the top 16 of the 32 bits, rounding to nearest, ties to even."""
    bits = a.view(np.uint32)
    lowest_kept = (bits >> 16) & 1  # the last bit that bfloat16 keeps
    rounded = (bits + np.uint32(0x7FFF) + lowest_kept) & np.uint32(0xFFFF0000)
    quiet_nan = (bits & np.uint32(0x80000000)) | np.uint32(0x7FC00000)  # NaN stays NaN (with its sign)
    return np.where(np.isnan(a), quiet_nan, rounded).view(np.float32)


def round_to(x, dtype):
    r"""Round x to the nearest number of a format: float16, bfloat16 or float32 (returned as float32).

    .. math::
        \operatorname{round}(x) = \text{the number of the format nearest to } x
        \text{ (ties to the one with an even last bit)}, \qquad
        |\operatorname{round}(x) - x| \le u\,|x| \ \text{ for } 2^{e_{\min}} \le |x| \le \text{max}

    ======  ==========  ==================================================
    symbol  argument    meaning
    ======  ==========  ==================================================
    x       ``x``       an array, a number or a tree of arrays (:mod:`gdlib.tree`)
    —       ``dtype``   ``"float16"``, ``"bfloat16"`` or ``"float32"``
    u       —           unit roundoff ε/2 of the format (:func:`format_info`)
    ======  ==========  ==================================================

    The result is a float32 array (a tree of them for a tree) whose values are exactly representable in
    ``dtype``, as the real format stores them: round to nearest, ties to even; a number at or beyond
    max + ulp(max)/2 becomes ±inf (65520 for float16); below the smallest normal the numbers are the
    subnormals, spaced by the smallest subnormal (2^-24 for float16, 2^-133 for bfloat16), and anything
    under half of it becomes ±0; ±inf and NaN stay. x is first converted to float32 (no change for float32
    master weights; a float64 x is rounded twice, once to float32, as torch's ``.to(torch.bfloat16)`` of
    a float64 tensor does). float16 uses numpy's IEEE conversion; bfloat16 keeps the top 16 bits of each
    float32, rounded to nearest even, and equals ``ml_dtypes.bfloat16`` and ``torch.bfloat16``.

    >>> import numpy as np
    >>> round_to(np.array([1 + 2**-11, 1 + 3 * 2**-11, 65519.0, 65520.0]), "float16").tolist()
    [1.0, 1.001953125, 65504.0, inf]
    >>> float(round_to(np.pi, "bfloat16"))         # 8 significant bits: 1.1001001₂ · 2
    3.140625

    Reference: IEEE 754-2008, Standard for floating-point arithmetic, §4.3.1 (round to nearest, ties to
    even) and §7.4 (overflow); D. Kalamkar et al. (2019), A study of BFLOAT16 for deep learning training,
    arXiv:1905.12322.
    """
    name = _format_name(dtype)

    def round_leaf(leaf):
        a = _as_float32(leaf, "x")
        if name == "float16":
            with np.errstate(over="ignore", invalid="ignore"):
                a = a.astype(np.float16).astype(np.float32)  # numpy's IEEE conversion
        elif name == "bfloat16":
            a = _round_bfloat16(a)
        return a[()] if a.ndim == 0 else a

    return tree.tree_map(round_leaf, x)


def _per_run(value, leaf, name):
    """A per-run number (shape = the run axes) reshaped to broadcast against a leaf (*runs, *leaf_shape)."""
    value = np.asarray(value)
    if value.shape != np.shape(leaf)[: value.ndim]:
        raise ValueError(
            f"{name} has shape {value.shape}, which is not the run axes of a parameter of shape {np.shape(leaf)}"
        )
    return value.reshape(value.shape + (1,) * (np.ndim(leaf) - value.ndim))


def _reciprocal(scale):
    # torch's GradScaler takes 1/S in float64 and rounds it to float32; for 0 it is inf, as in torch
    with np.errstate(divide="ignore", over="ignore"):
        return (1.0 / np.asarray(scale, dtype=np.float64)).astype(np.float32)


def _unscale(g, scale):
    """g · (1/S) with the float32 reciprocal, leaf by leaf (exact division when S is a power of 2)."""
    inv = _reciprocal(scale)
    return tree.tree_map(lambda leaf: leaf * _per_run(inv, leaf, "the loss scale"), g)


def mixed_precision_grad(grad_fn, x_master, dtype, loss_scale=1.0):
    r"""One emulated mixed-precision gradient: the float32 gradient an optimizer gets from a model whose
    weights and gradients are stored in ``dtype``, with loss scaling.

    .. math::
        \tilde\theta &= \operatorname{round}(\theta) \\
        \hat g &= \operatorname{round}\bigl(S \cdot \nabla L(\tilde\theta)\bigr) \\
        g &= \hat g \,/\, S

    ======  ================  ==================================================
    symbol  argument          meaning
    ======  ================  ==================================================
    ∇L      ``grad_fn``       θ ↦ gradient (an array or a tree), evaluated in float32
    θ       ``x_master``      the master weights (float32; an array or a tree)
    round   ``dtype``         ``"float16"``, ``"bfloat16"`` or ``"float32"`` (:func:`round_to`)
    S       ``loss_scale``    S > 0: a number, or one per run (an array of the run axes' shape)
    ======  ================  ==================================================

    Which roundings are emulated: (1) the weights are rounded to ``dtype`` before the gradient is taken
    (the float16/bfloat16 copy of the master weights); (2) the gradient, computed in float32 at those
    weights and multiplied by S in float32, is rounded to ``dtype`` — this is where a small gradient
    underflows to 0 without S and a large one overflows to inf; (3) it is divided by S as torch's GradScaler
    does, times the float32 reciprocal 1/S (exact for the powers of two of dynamic loss scaling), giving the
    float32 gradient for the float32 optimizer step. An inf or NaN in the result means the step must be
    skipped (see :class:`LossScaler`).

    What is not modelled: the activations and the intermediate results of the forward and backward passes
    are not rounded (the whole gradient is computed in float32 from the rounded weights, whereas real
    hardware stores every layer's activations and gradients in ``dtype``); the products inside a matrix
    multiply are accumulated in float32 on tensor cores anyway, which the float32 computation matches;
    scaling the gradient by S equals scaling the loss only up to those unmodelled intermediate roundings.

    >>> import numpy as np
    >>> grad = lambda theta: 1e-8 * theta                  # a gradient below float16's subnormals
    >>> theta = np.array([1.0, 2.0], dtype=np.float32)
    >>> mixed_precision_grad(grad, theta, "float16").tolist()
    [0.0, 0.0]
    >>> g = mixed_precision_grad(grad, theta, "float16", loss_scale=2.0 ** 16)
    >>> np.round(g / 1e-8, 2).tolist()                     # scaled by 2^16 it survives (relative error ≤ 2^-11)
    [1.0, 2.0]

    Reference: P. Micikevicius et al. (2018), Mixed precision training, ICLR (float32 master weights,
    float16 storage, loss scaling).
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be a function θ ↦ ∇L(θ) (got a {type(grad_fn).__name__})")
    name = _format_name(dtype)
    check_number("loss_scale", loss_scale, low=_FLOAT32_TINIEST, high=_FLOAT32_MAX)
    scale = np.asarray(loss_scale, dtype=np.float32)
    theta = round_to(x_master, name)  # θ̃ = round(θ)
    g = tree.tree_map(lambda leaf: _as_float32(leaf, "grad_fn(θ)"), grad_fn(theta))  # ∇L(θ̃) in float32
    with np.errstate(over="ignore"):
        g_scaled = tree.tree_map(lambda leaf: leaf * _per_run(scale, leaf, "loss_scale"), g)
    g_hat = round_to(g_scaled, name)  # ĝ = round(S ∇L(θ̃))
    with np.errstate(over="ignore", invalid="ignore"):
        return _unscale(g_hat, scale)  # g = ĝ / S


class LossScalerState(NamedTuple):
    """The state of :class:`LossScaler`: the scale and the count of good steps (one of each per run)."""

    scale: np.ndarray  #: S, float32 (one per run with run axes)
    growth_tracker: np.ndarray  #: consecutive steps without inf/NaN since the last change of S, int32

    def __repr__(self):
        if np.ndim(self.scale) == 0:
            return f"LossScalerState(scale={float(self.scale):g}, growth_tracker={int(self.growth_tracker)})"
        return f"LossScalerState(scale=array{np.shape(self.scale)}, growth_tracker=array{np.shape(self.scale)})"


@dataclass(frozen=True)
class LossScaler:
    r"""Dynamic loss scaling, as ``torch.amp.GradScaler``: multiply the loss by S so that small gradients
    survive float16, halve S whenever a gradient overflows (and skip that step), double it after a run of
    good steps.

    .. math::
        \text{found\_inf} &= \text{some entry of } \hat g \text{ is } \pm\infty \text{ or NaN}
            \qquad (\hat g = S_t \nabla L \text{ in low precision}) \\
        g_t &= \hat g \cdot (1/S_t) \qquad \text{(the step is skipped if found\_inf)} \\
        \text{found\_inf}: \quad & S_{t+1} = \beta\, S_t, \quad n_{t+1} = 0 \\
        \text{otherwise}: \quad & n_{t+1} = n_t + 1; \text{ if } n_{t+1} = N:
            \ S_{t+1} = \gamma\, S_t \text{ (unless that is inf)}, \ n_{t+1} = 0

    ======  ===================  ==================================================
    symbol  argument             meaning
    ======  ===================  ==================================================
    S₀      ``init_scale``       the first scale, default 2^16
    γ       ``growth_factor``    γ > 1, default 2
    β       ``backoff_factor``   0 < β < 1, default 1/2
    N       ``growth_interval``  consecutive good steps before S grows, an integer ≥ 1
    n       growth_tracker       the count of good steps, kept in the state
    —       ``enabled``          False: S = 1, nothing is checked and no step is skipped (torch's option)
    ======  ===================  ==================================================

    One step (a pure object: every method returns, none modifies its arguments)::

        state = scaler.init()
        g_hat = round_to(scaler.scale(grad_fn(round_to(x, "float16")), state), "float16")   # S ∇L, stored in float16
        g, found_inf = scaler.unscale(g_hat, state)
        if not found_inf:                                       # skip the step on inf/NaN
            x, opt_state = opt.step(x, g, opt_state)
        state = scaler.update(state, found_inf)

    (``g`` equals :func:`mixed_precision_grad` ``(grad_fn, x, "float16", loss_scale=state.scale)``.)

    Exactly as torch's CPU kernels (``_amp_foreach_non_finite_check_and_unscale_`` and
    ``_amp_update_scale_``): S is a float32, and γS and βS are computed in float64 and rounded to float32; a
    growth that would overflow float32 leaves S unchanged but still resets n; S is not kept from shrinking
    (repeated overflows drive it through float32's subnormals to 0); the inf/NaN check looks at the scaled
    gradient, and unscaling multiplies by 1/S computed in float64 and rounded to float32. Beyond torch,
    ``init(run_shape)`` gives every vectorised run its own S and n (torch has one scaler per model).

    >>> import numpy as np
    >>> scaler = LossScaler(init_scale=8.0, growth_interval=2)
    >>> state = scaler.init()
    >>> for g_hat in ([8.0, 16.0], [np.inf, 1.0], [8.0, 8.0], [8.0, 8.0]):
    ...     g, found_inf = scaler.unscale(np.array(g_hat, dtype=np.float32), state)
    ...     state = scaler.update(state, found_inf)
    ...     print(found_inf, state)
    False LossScalerState(scale=8, growth_tracker=1)
    True LossScalerState(scale=4, growth_tracker=0)
    False LossScalerState(scale=4, growth_tracker=1)
    False LossScalerState(scale=8, growth_tracker=0)

    References: P. Micikevicius et al. (2018), Mixed precision training, ICLR (loss scaling, and skipping the
    update when the gradient overflows, §3.2); the dynamic rule for S and its defaults are those of PyTorch's
    ``torch.amp.GradScaler``.
    """

    init_scale: float = 2.0**16
    growth_factor: float = 2.0
    backoff_factor: float = 0.5
    growth_interval: int = 2000
    enabled: bool = True

    def __post_init__(self):
        check_number("init_scale", self.init_scale, low=_FLOAT32_TINIEST, high=_FLOAT32_MAX, allow_array=False)
        check_number(
            "growth_factor", self.growth_factor, low=1, low_open=True, high=math.inf, high_open=True, allow_array=False
        )
        check_number(
            "backoff_factor", self.backoff_factor, low=0, high=1, low_open=True, high_open=True, allow_array=False
        )
        check_number("growth_interval", self.growth_interval, low=1, high=2**31 - 1, integer=True, allow_array=False)
        if not isinstance(self.enabled, (bool, np.bool_)):
            raise TypeError(f"enabled must be True or False (got {self.enabled!r})")
        for name, kind in (
            ("init_scale", float),
            ("growth_factor", float),
            ("backoff_factor", float),
            ("growth_interval", int),
            ("enabled", bool),
        ):
            object.__setattr__(self, name, kind(getattr(self, name)))

    def init(self, run_shape=()):
        """The state before the first step: S = S₀ (1 when disabled) as float32 and n = 0 as int32; with
        ``run_shape`` (the shape of the run axes) one of each per run."""
        run_shape = (int(run_shape),) if isinstance(run_shape, (int, np.integer)) else tuple(run_shape)
        first = self.init_scale if self.enabled else 1.0
        scale, tracker = np.full(run_shape, first, dtype=np.float32), np.zeros(run_shape, dtype=np.int32)
        return LossScalerState(scale[()], tracker[()])

    def _check_state(self, state):
        if not isinstance(state, LossScalerState):
            raise TypeError(f"state must be a LossScalerState made by LossScaler.init() (got a {type(state).__name__})")

    def scale(self, y, state):
        """y · S (a loss, or a gradient computed from the unscaled loss; an array, number or tree)."""
        self._check_state(state)
        if not self.enabled:
            return y
        with np.errstate(over="ignore", invalid="ignore"):
            return tree.tree_map(lambda leaf: np.asarray(leaf) * _per_run(state.scale, leaf, "state.scale"), y)

    def unscale(self, g_scaled, state):
        """``(g, found_inf)``: the gradient divided by S (times 1/S in float32) and whether the *scaled*
        gradient held an inf or NaN (one bool per run with run axes) — then the step must be skipped."""
        self._check_state(state)
        if not self.enabled:
            return g_scaled, False
        found_inf = ~tree.is_finite(g_scaled, run_ndim=np.ndim(state.scale))
        with np.errstate(over="ignore", invalid="ignore"):
            g = _unscale(g_scaled, state.scale)
        return g, (bool(found_inf) if np.ndim(found_inf) == 0 else found_inf)

    def update(self, state, found_inf):
        """The state after one step: back off on inf/NaN, otherwise count the good step and grow S after
        ``growth_interval`` of them (see the class docstring)."""
        self._check_state(state)
        found = np.asarray(found_inf)
        if found.dtype.kind not in "biuf":
            raise TypeError(f"found_inf must be a bool or an array of bools (got dtype {found.dtype})")
        if found.shape != np.shape(state.scale):
            raise ValueError(
                f"found_inf must have the shape of state.scale, one per run "
                f"(got {found.shape} and {np.shape(state.scale)})"
            )
        if not self.enabled:
            return state
        found = found != 0
        scale = np.asarray(state.scale, dtype=np.float64)  # torch: float32 S times a float64 factor
        with np.errstate(over="ignore", under="ignore"):
            backed_off = (scale * self.backoff_factor).astype(np.float32)  # S ← βS
            grown = (scale * self.growth_factor).astype(np.float32)  # S ← γS
        good_steps = state.growth_tracker + 1  # n ← n + 1
        grow = ~found & (good_steps == self.growth_interval)
        new_scale = np.where(found, backed_off, np.where(grow & np.isfinite(grown), grown, state.scale))
        new_tracker = np.where(found | grow, 0, good_steps).astype(np.int32)  # n ← 0 after a change
        return LossScalerState(new_scale.astype(np.float32)[()], new_tracker[()])
