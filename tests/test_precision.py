"""gdlib.precision: float16/bfloat16 rounding against ml_dtypes, numpy and torch (bit for bit), the format
facts against np.finfo / ml_dtypes.finfo and the published constants, and LossScaler against
torch.amp.GradScaler and torch's _amp_update_scale_ kernel."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import gdlib as gd
from conftest import require
from gdlib.precision import LossScaler, LossScalerState, format_info, mixed_precision_grad, round_to

# --- float32 bit patterns that exercise every rounding case --------------------------------------------------


def _sample_patterns():
    rng = np.random.default_rng(2024)
    random = rng.integers(0, 2**32, size=2**20, dtype=np.uint64).astype(np.uint32)
    # every bfloat16 number (top 16 bits) with the low halves that decide the rounding: exact, just below,
    # at and just above the tie, and the largest
    top = np.arange(2**16, dtype=np.uint32) << 16
    low = np.array([0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF], dtype=np.uint32)
    ties = (top[:, None] | low[None, :]).ravel()
    # float16: every value, the midpoints between neighbours (incl. subnormals, and max..2^16 for the
    # overflow tie at 65520) and one float32 ulp either side of each midpoint
    h = np.arange(2**16, dtype=np.uint16).view(np.float16).astype(np.float64)
    h = np.sort(h[np.isfinite(h)])
    mids = np.concatenate([(h[1:] + h[:-1]) / 2, [65520.0, -65520.0]]).astype(np.float32)
    around = np.concatenate(
        [mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf)), h.astype(np.float32)]
    ).view(np.uint32)
    special = np.array(
        [
            0x00000000,
            0x80000000,
            0x00000001,
            0x007FFFFF,
            0x00800000,
            0x7F7FFFFF,
            0x7F7F7FFF,
            0x7F7F8000,
            0xFF7F8000,
            0x7F800000,
            0xFF800000,
            0x7FC00000,
            0xFFC00000,
            0x7F800001,
            0xFFFFFFFF,
        ],
        dtype=np.uint32,
    )
    return np.concatenate([random, ties, around, special]).view(np.float32)


PATTERNS = _sample_patterns()


def _same_bits_or_both_nan(ours, theirs):
    ours, theirs = np.asarray(ours, dtype=np.float32), np.asarray(theirs, dtype=np.float32)
    nan = np.isnan(ours)
    assert np.array_equal(nan, np.isnan(theirs))
    mismatched = ours[~nan].view(np.uint32) != theirs[~nan].view(np.uint32)
    assert not mismatched.any(), f"{mismatched.sum()} values differ, first {ours[~nan][mismatched][:3]}"


def test_sample_covers_the_hard_cases():
    kinds = {
        "subnormal": (np.abs(PATTERNS) < 2**-126) & (PATTERNS != 0),
        "inf": np.isinf(PATTERNS),
        "nan": np.isnan(PATTERNS),
        "bfloat16 tie": (PATTERNS.view(np.uint32) & 0xFFFF) == 0x8000,
        "float16 overflow tie": np.abs(PATTERNS) == 65520.0,
    }
    for kind, mask in kinds.items():
        assert mask.sum() > 0, kind
    assert kinds["bfloat16 tie"].sum() >= 2**16


# --- round_to against independent implementations ---------------------------------------------------------


def test_bfloat16_matches_ml_dtypes_bit_for_bit():
    ml_dtypes = require("ml_dtypes")
    with np.errstate(over="ignore", invalid="ignore"):
        theirs = PATTERNS.astype(ml_dtypes.bfloat16).astype(np.float32)
    ours = round_to(PATTERNS, "bfloat16")
    assert ours.dtype == np.float32
    # NaN included: both give the quiet NaN 0x7FC0 with the input's sign
    assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))


def test_float16_matches_numpy_bit_for_bit():
    with np.errstate(over="ignore", invalid="ignore"):
        theirs = PATTERNS.astype(np.float16).astype(np.float32)
    assert np.array_equal(round_to(PATTERNS, "float16").view(np.uint32), theirs.view(np.uint32))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_matches_torch_bit_for_bit(dtype):
    torch = require("torch")
    theirs = torch.from_numpy(PATTERNS.copy()).to(getattr(torch, dtype)).to(torch.float32).numpy()
    # torch writes every NaN as its canonical NaN, so NaN is compared as NaN
    _same_bits_or_both_nan(round_to(PATTERNS, dtype), theirs)


def test_float32_is_numpy_float32():
    x = np.random.default_rng(1).standard_normal(1000) * 10.0 ** np.arange(-20, 30, 0.05)
    assert np.array_equal(round_to(x, "float32"), x.astype(np.float32))


@pytest.mark.parametrize(
    "dtype, cases",
    [
        (
            "float16",
            [
                (65504.0, 65504.0),
                (65519.0, 65504.0),
                (65520.0, math.inf),
                (-7e4, -math.inf),
                (2.0**-24, 2.0**-24),
                (2.0**-25, 0.0),
                (1.5 * 2.0**-25, 2.0**-24),
                (1 + 2.0**-11, 1.0),
                (1 + 3 * 2.0**-11, 1 + 2 * 2.0**-10),
                (1e-8, 0.0),
            ],
        ),
        (
            "bfloat16",
            [
                (1 + 2.0**-8, 1.0),
                (1 + 3 * 2.0**-8, 1 + 2.0**-6),
                (1e5, 99840.0),
                (2.0**-133, 2.0**-133),
                (2.0**-134, 0.0),
                (3.3895313892515355e38, 3.3895313892515355e38),
                (3.4e38, math.inf),
            ],
        ),
    ],
)
def test_published_roundings(dtype, cases):
    # hand-derived: ties go to the even neighbour, float16 overflows at max + ulp/2 = 65504 + 16
    x = np.array([c[0] for c in cases], dtype=np.float32)
    assert round_to(x, dtype).tolist() == [c[1] for c in cases]


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_relative_error_is_at_most_the_unit_roundoff(v):
    for dtype in ("float16", "bfloat16"):
        info = format_info(dtype)
        if info.smallest_normal <= abs(v) <= info.max:
            r = float(round_to(np.float32(v), dtype))
            assert abs(r - v) <= info.eps / 2 * abs(v)
            assert float(round_to(np.float32(r), dtype)) == r  # idempotent: r is in the format


def test_trees_scalars_dtypes_and_purity():
    x = {"w": np.array([[1.0, 1e-9], [7e4, np.nan]]), "b": (np.float32(3.14159), [2.0**-20])}
    before = x["w"].copy()
    out = round_to(x, "float16")
    assert set(out) == {"w", "b"} and isinstance(out["b"], tuple) and isinstance(out["b"][1], list)
    assert out["w"].dtype == np.float32 and out["w"].shape == (2, 2)
    assert out["w"][0].tolist() == [1.0, 0.0] and out["w"][1, 0] == np.inf and np.isnan(out["w"][1, 1])
    assert isinstance(out["b"][0], np.float32) and float(out["b"][0]) == 3.140625
    assert np.array_equal(x["w"], before, equal_nan=True)
    assert round_to(3, np.float16) == 3.0 and round_to(1.0, "float32").dtype == np.float32


# --- format facts -------------------------------------------------------------------------------------------


def test_format_info_published_values():
    f16, bf16, f32 = (format_info(d) for d in ("float16", "bfloat16", "float32"))
    assert (f16.max, f16.smallest_normal, f16.smallest_subnormal, f16.eps) == (65504.0, 2**-14, 2**-24, 2**-10)
    assert f"{f16.smallest_subnormal:.2e}" == "5.96e-08"
    assert f"{bf16.max:.2e}" == "3.39e+38" and bf16.eps == 2**-7 and bf16.smallest_normal == 2.0**-126
    assert (f16.bits, bf16.bits, f32.bits) == (16, 16, 32)
    assert (f16.significand_bits, bf16.significand_bits, f32.significand_bits) == (11, 8, 24)


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32"])
def test_format_info_matches_finfo(name):
    if name == "bfloat16":
        finfo = require("ml_dtypes").finfo(require("ml_dtypes").bfloat16)
    else:
        finfo = np.finfo(getattr(np, name))
    info = format_info(name)
    assert info.max == float(finfo.max)
    assert info.smallest_normal == float(finfo.smallest_normal)
    assert info.smallest_subnormal == float(finfo.smallest_subnormal)
    assert info.eps == float(finfo.eps)
    assert info.decimal_digits == finfo.precision
    assert info.significand_bits == finfo.nmant + 1 and info.exponent_bits == finfo.nexp


# --- the underflow / overflow story of the chapter -------------------------------------------------------


def test_loss_scaling_rescues_a_small_gradient_in_float16():
    def grad(theta):
        return np.full_like(theta, 1e-8)

    theta = np.zeros(3, dtype=np.float32)
    assert mixed_precision_grad(grad, theta, "float16").tolist() == [0.0, 0.0, 0.0]
    g = mixed_precision_grad(grad, theta, "float16", loss_scale=2.0**16)
    assert g.dtype == np.float32
    assert np.all(np.abs(g - 1e-8) <= 2.0**-11 * 1e-8)  # float16's unit roundoff
    assert mixed_precision_grad(grad, theta, "bfloat16").min() > 0  # bfloat16 has float32's range


def test_a_large_gradient_overflows_float16_but_not_bfloat16():
    def grad(theta):
        return np.full_like(theta, 1e5)

    theta = np.zeros(2, dtype=np.float32)
    assert np.all(np.isinf(mixed_precision_grad(grad, theta, "float16")))
    g = mixed_precision_grad(grad, theta, "bfloat16")
    assert np.all(np.abs(g - 1e5) <= 2.0**-8 * 1e5)
    scaler = LossScaler(init_scale=1.0)
    state = scaler.init()
    _, found_inf = scaler.unscale(round_to(scaler.scale(grad(theta), state), "float16"), state)
    assert found_inf  # the step would be skipped


def test_weights_are_rounded_before_the_gradient():
    seen = []

    def grad(theta):
        seen.append(theta)
        return 2 * theta

    theta = np.array([1 + 2.0**-9, 0.1], dtype=np.float32)
    g = mixed_precision_grad(grad, theta, "bfloat16")
    assert np.array_equal(seen[0], round_to(theta, "bfloat16")) and seen[0][0] == 1.0
    assert np.array_equal(g, round_to(2 * seen[0], "bfloat16"))


def test_mixed_precision_grad_equals_the_loss_scaler_path():
    # the same float32 bits by mixed_precision_grad and by scale → round → unscale, for an odd scale
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(200) * 10.0 ** rng.uniform(-9, 4, 200)).astype(np.float32)

    def grad(theta):
        return a * theta

    theta = rng.standard_normal(200).astype(np.float32)
    scaler = LossScaler(init_scale=1000.0)
    state = scaler.init()
    manual, _ = scaler.unscale(round_to(scaler.scale(grad(round_to(theta, "float16")), state), "float16"), state)
    assert np.array_equal(mixed_precision_grad(grad, theta, "float16", loss_scale=state.scale), manual)


def test_mixed_precision_grad_on_trees_with_per_run_scales():
    def grad(theta):
        return {"w": theta["w"] * 1e-6, "b": theta["b"] * 1e-6}

    theta = {"w": np.ones((2, 3, 4), dtype=np.float32), "b": np.ones((2, 4), dtype=np.float32)}
    g = mixed_precision_grad(grad, theta, "float16", loss_scale=np.array([1.0, 2.0**10]))
    for name in ("w", "b"):
        alone = [
            mixed_precision_grad(lambda t: t * 1e-6, theta[name][r], "float16", loss_scale=s)
            for r, s in enumerate([1.0, 2.0**10])
        ]
        assert np.array_equal(g[name], np.stack(alone))
    assert g["w"][0, 0, 0] != g["w"][1, 0, 0]  # 1e-6 is subnormal in float16: the scale matters


# --- LossScaler against torch -------------------------------------------------------------------------------


def _gradient(x, t):
    """∇ of a small float32 model at step t, with an inf, a NaN and a stretch of huge gradients."""
    rng = np.random.default_rng(t)
    a = np.float32([1.0, 0.5, 2.0, 0.25]) * x + rng.standard_normal(4).astype(np.float32)
    if t == 5:
        a[1] = np.inf
    if t == 12:
        a[2] = np.nan
    if 20 <= t <= 23 or t in (30, 40):
        a[0] = np.float32(1e36)  # overflows float32 once multiplied by a scale > 340
    return a


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(init_scale=2.0**16, growth_interval=3),
        dict(init_scale=1000.0, growth_factor=1.5, backoff_factor=0.3, growth_interval=4),
    ],
)
def test_loss_scaler_matches_torch_grad_scaler(kwargs):
    torch = require("torch")
    x0 = np.float32([1.0, -2.0, 0.5, 3.0])
    p = torch.nn.Parameter(torch.from_numpy(x0.copy()))
    # η and β are powers of two, so SGD's own products are exact: torch's add_ may fuse a multiply-add (one
    # rounding where numpy makes two), and with these values that cannot change a bit
    topt = torch.optim.SGD([p], lr=2.0**-6, momentum=0.5)
    tscaler = torch.amp.GradScaler("cpu", **kwargs)
    scaler, opt = LossScaler(**kwargs), gd.SGD(lr=2.0**-6, momentum=0.5)
    x, state, opt_state = x0.copy(), scaler.init(), opt.init(x0)
    skipped, grown = 0, 0
    for t in range(50):
        topt.zero_grad()
        a = torch.from_numpy(_gradient(p.detach().numpy().copy(), t))
        tscaler.scale((p * a).sum()).backward()  # p.grad = S·a in float32
        tscaler.unscale_(topt)
        their_g = p.grad.numpy().copy()
        their_scale = tscaler.get_scale()
        tscaler.step(topt)
        tscaler.update()
        their_skip = tscaler.get_scale() < their_scale

        g_hat = scaler.scale(_gradient(x, t), state)
        g, found_inf = scaler.unscale(g_hat, state)
        if not found_inf:
            x, opt_state = opt.step(x, g, opt_state)
        old_scale = float(state.scale)
        state = scaler.update(state, found_inf)

        assert np.array_equal(g, their_g, equal_nan=True), t
        assert found_inf == their_skip, t
        assert float(state.scale) == tscaler.get_scale(), t
        assert int(state.growth_tracker) == tscaler.state_dict()["_growth_tracker"], t
        assert np.array_equal(x, p.detach().numpy()), t
        assert state.scale.dtype == np.float32 and state.growth_tracker.dtype == np.int32
        skipped += found_inf
        grown += float(state.scale) > old_scale
    assert skipped >= 4 and grown >= 4  # both branches of the rule were exercised


@pytest.mark.parametrize(
    "init_scale, growth, backoff, interval",
    [
        (2.0**126, 2.0, 0.5, 1),  # grows to 2^127, then a growth to inf is refused
        (3.0e38, 1.1, 0.5, 2),  # just below float32's max
        (2.0**-140, 2.0, 0.5, 5),  # backs off through the subnormals to 0
        (1000.0, 1.7, 0.3, 3),  # factors whose products round in float32
        (7.0, 1.0001, 0.9999, 1),
    ],
)
def test_update_matches_torch_kernel_at_the_limits(init_scale, growth, backoff, interval):
    torch = require("torch")
    rng = np.random.default_rng(int(interval))
    scaler = LossScaler(init_scale, growth, backoff, interval)
    state = scaler.init()
    scale, tracker = torch.full((), init_scale, dtype=torch.float32), torch.zeros((), dtype=torch.int32)
    steps = rng.random(120) < (0.3 if init_scale > 1 else 0.9)
    for found in steps:
        torch._amp_update_scale_(scale, tracker, torch.full((), float(found)), growth, backoff, interval)
        state = scaler.update(state, bool(found))
        assert state.scale.view(np.uint32) == scale.numpy().view(np.uint32)
        assert int(state.growth_tracker) == int(tracker)
    if init_scale == 2.0**-140:
        assert float(state.scale) == 0.0
    if init_scale == 2.0**126:
        assert float(state.scale) <= 2.0**127 and np.isfinite(state.scale)


@pytest.mark.parametrize("scale", [2.0**16, 3.0, 1000.0, 1e-3, 2.0**-140, 0.0])
def test_unscale_matches_torch_kernel(scale):
    torch = require("torch")
    rng = np.random.default_rng(5)
    g = (rng.standard_normal(500) * 10.0 ** rng.uniform(-30, 30, 500)).astype(np.float32)
    g[[3, 7]] = [np.inf, np.nan]
    s = torch.full((), scale, dtype=torch.float32)
    inv = s.double().reciprocal().float()  # as GradScaler.unscale_
    tg, found = torch.from_numpy(g.copy()), torch.zeros(())
    torch._amp_foreach_non_finite_check_and_unscale_([tg], found, inv)
    ours, found_inf = LossScaler().unscale(g, LossScalerState(np.float32(scale), np.int32(0)))
    assert np.array_equal(ours.view(np.uint32)[~np.isnan(ours)], tg.numpy().view(np.uint32)[~np.isnan(ours)])
    assert np.array_equal(np.isnan(ours), np.isnan(tg.numpy()))
    assert found_inf and float(found) == 1.0
    _, found_inf = LossScaler().unscale(g[10:], LossScalerState(np.float32(scale), np.int32(0)))
    assert not found_inf


def test_disabled_scaler_matches_torch():
    torch = require("torch")
    tscaler = torch.amp.GradScaler("cpu", enabled=False)
    scaler = LossScaler(enabled=False)
    state = scaler.init()
    g = np.float32([np.inf, 1.0])
    assert float(state.scale) == tscaler.get_scale() == 1.0
    assert scaler.scale(g, state) is g and scaler.unscale(g, state) == (g, False)  # nothing checked, not skipped
    assert scaler.update(state, True) == state


def test_per_run_scalers_are_independent():
    scaler = LossScaler(init_scale=4.0, growth_interval=2)
    state = scaler.init(run_shape=(3,))
    alone = [scaler.init() for _ in range(3)]
    rng = np.random.default_rng(7)
    for _ in range(30):
        g = {"w": rng.standard_normal((3, 2, 2)).astype(np.float32), "b": np.ones((3, 2), dtype=np.float32)}
        g["w"][rng.random(3) < 0.3] = np.inf
        unscaled, found = scaler.unscale(g, state)
        assert found.shape == (3,)
        for r in range(3):
            u, f = scaler.unscale({"w": g["w"][r], "b": g["b"][r]}, alone[r])
            assert f == found[r] and np.array_equal(u["w"], unscaled["w"][r])
            alone[r] = scaler.update(alone[r], f)
        state = scaler.update(state, found)
        assert state.scale.tolist() == [float(s.scale) for s in alone]
        assert state.growth_tracker.tolist() == [int(s.growth_tracker) for s in alone]
    assert len(set(state.scale.tolist())) > 1


def test_state_is_never_modified_and_repr():
    scaler = LossScaler(init_scale=2.0, growth_interval=1)
    state = scaler.init(run_shape=(2,))
    g = np.ones((2, 3), dtype=np.float32)
    scale_before, g_before = state.scale.copy(), g.copy()
    new = scaler.update(state, scaler.unscale(scaler.scale(g, state), state)[1])
    assert np.array_equal(state.scale, scale_before) and np.array_equal(g, g_before)
    assert new.scale.tolist() == [4.0, 4.0]
    assert repr(LossScaler().init()) == "LossScalerState(scale=65536, growth_tracker=0)"
    assert "LossScaler(init_scale=65536.0" in repr(LossScaler())


def test_exported():
    assert gd.round_to is round_to and gd.LossScaler is LossScaler and gd.precision.format_info is format_info
    assert gd.mixed_precision_grad is mixed_precision_grad and gd.LossScalerState is LossScalerState


# --- bad input --------------------------------------------------------------------------------------------

_state = LossScaler().init()
_x = np.ones(3, dtype=np.float32)

BAD = [
    (lambda: round_to(_x, "float8"), ValueError, "dtype must be one of 'float16', 'bfloat16', 'float32'"),
    (lambda: round_to(_x, np.float64), ValueError, r"dtype must be one of .*got 'float64'"),
    (lambda: round_to(_x, 16), TypeError, r"dtype must be one of .*\(got 16\)"),
    (lambda: round_to("abc", "float16"), TypeError, "x must hold real numbers"),
    (lambda: round_to(np.array([1 + 2j]), "bfloat16"), TypeError, "x must hold real numbers"),
    (lambda: format_info("int8"), ValueError, "dtype must be one of"),
    (lambda: LossScaler(init_scale=0), ValueError, r"init_scale must be in \[1.4013e-45, 3.40282e\+38\]"),
    (lambda: LossScaler(init_scale=1e39), ValueError, "init_scale must be in"),
    (lambda: LossScaler(init_scale=math.inf), ValueError, "init_scale must be in"),
    (lambda: LossScaler(init_scale="big"), TypeError, "init_scale must be a number"),
    (lambda: LossScaler(growth_factor=1.0), ValueError, r"growth_factor must be in \(1, inf\)"),
    (lambda: LossScaler(growth_factor=math.inf), ValueError, r"growth_factor must be in \(1, inf\)"),
    (lambda: LossScaler(backoff_factor=1.0), ValueError, r"backoff_factor must be in \(0, 1\)"),
    (lambda: LossScaler(backoff_factor=0.0), ValueError, r"backoff_factor must be in \(0, 1\)"),
    (lambda: LossScaler(backoff_factor=math.nan), ValueError, "backoff_factor must be in"),
    (lambda: LossScaler(growth_interval=0), ValueError, r"growth_interval must be in \[1, "),
    (lambda: LossScaler(growth_interval=2**31), ValueError, "growth_interval must be in"),
    (lambda: LossScaler(growth_interval=2.5), ValueError, "growth_interval must be an integer"),
    (lambda: LossScaler(growth_interval="3"), TypeError, "growth_interval must be an integer"),
    (lambda: LossScaler(enabled="yes"), TypeError, "enabled must be True or False"),
    (lambda: LossScaler().update(_state, np.array([True, False])), ValueError, "found_inf must have the shape"),
    (lambda: LossScaler().update(_state, "no"), TypeError, "found_inf must be a bool"),
    (lambda: LossScaler().update((1.0, 0), False), TypeError, "state must be a LossScalerState"),
    (lambda: LossScaler().unscale(_x, None), TypeError, "state must be a LossScalerState"),
    (lambda: LossScaler().unscale(np.ones((2, 3)), LossScaler().init((4,))), ValueError, "not the run axes"),
    (lambda: mixed_precision_grad(None, _x, "float16"), TypeError, "grad_fn must be a function"),
    (lambda: mixed_precision_grad(lambda t: t, _x, "half"), ValueError, "dtype must be one of"),
    (lambda: mixed_precision_grad(lambda t: t, _x, "float16", loss_scale=0.0), ValueError, "loss_scale must be in"),
    (lambda: mixed_precision_grad(lambda t: t, _x, "float16", loss_scale=-1.0), ValueError, "loss_scale must be in"),
    (lambda: mixed_precision_grad(lambda t: t, _x, "float16", loss_scale=math.nan), ValueError, "loss_scale"),
    (lambda: mixed_precision_grad(lambda t: t, _x, "float16", loss_scale=[1.0, 2.0]), ValueError, "run axes"),
    (
        lambda: mixed_precision_grad(lambda t: t.astype(complex), _x, "float16"),
        TypeError,
        r"grad_fn\(θ\) must hold real numbers",
    ),
]


@pytest.mark.parametrize("call, error, match", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
