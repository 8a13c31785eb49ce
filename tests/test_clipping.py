"""gd.clip_grad_norm / clip_grad_value against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ results
recorded from torch 2.13 (tests/fixtures/clipping.npz), live torch when installed, and closed forms."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import gdlib as gd
from conftest import require
from schedule_cases import as_dtype, clip_cases, value_cases

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "clipping.npz")
DTYPES = ("float64", "float32")
# float64 agrees to rounding; float32 norms are sums of many float32 terms added in another order than torch's.
TOL = {"float64": 1e-12, "float32": 1e-5}
NORM_CASES = [(*case, dtype) for case in clip_cases() for dtype in DTYPES]
VALUE_CASES = [(*case, dtype) for case in value_cases() for dtype in DTYPES]


def test_fixtures_come_from_torch_2_13():
    assert str(FIXTURES["__torch_version__"]).startswith("2.13.0")


@pytest.mark.parametrize(
    "name, kind, arrays, max_norm, p, dtype", NORM_CASES, ids=[f"{c[0]}|{c[5]}" for c in NORM_CASES]
)
def test_clip_grad_norm_matches_torch(name, kind, arrays, max_norm, p, dtype):
    arrays = [as_dtype(a, dtype) for a in arrays]
    before = [a.copy() for a in arrays]
    given = arrays if kind == "list" else arrays[0]
    clipped, total = gd.clip_grad_norm(given, max_norm, norm_type=p, axis=-1 if kind == "rows" else None)
    np.testing.assert_allclose(total, FIXTURES[f"{name}|{dtype}|norm"], rtol=TOL[dtype], atol=0)
    assert np.asarray(total).dtype == np.dtype(dtype)
    for i, got in enumerate(clipped if kind == "list" else [clipped]):
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, FIXTURES[f"{name}|{dtype}|{i}"], rtol=TOL[dtype], atol=0)  # NaN == NaN
    for a, b in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(a, b, err_msg="clip_grad_norm must not modify its input")


@pytest.mark.parametrize("name, arrays, clip_value, dtype", VALUE_CASES, ids=[f"{c[0]}|{c[3]}" for c in VALUE_CASES])
def test_clip_grad_value_matches_torch(name, arrays, clip_value, dtype):
    arrays = [as_dtype(a, dtype) for a in arrays]
    before = [a.copy() for a in arrays]
    clipped = gd.clip_grad_value(arrays if len(arrays) > 1 else arrays[0], clip_value)
    for i, got in enumerate(clipped if len(arrays) > 1 else [clipped]):
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, FIXTURES[f"value {name}|{dtype}|{i}"])
    for a, b in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(a, b)


# Closed forms, independent of torch.


def test_norm_at_the_limit_is_scaled_by_the_1e6_term():
    g = np.array([3.0, 4.0])
    clipped, total = gd.clip_grad_norm(g, max_norm=5.0)
    assert total == 5.0 and np.allclose(clipped, g * 5.0 / (5.0 + 1e-6), rtol=1e-15)
    assert not np.array_equal(clipped, g)


def test_rows_are_clipped_separately():
    g = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    clipped, norms = gd.clip_grad_norm(g, max_norm=1.0, axis=-1)
    assert np.allclose(norms, [5.0, 0.5, 10.0])
    assert np.allclose(np.linalg.norm(clipped, axis=-1), [1.0, 0.5, 1.0], rtol=1e-5)


@pytest.mark.parametrize("p, want", [(1.0, 11.0), (2.0, math.sqrt(59.0)), (3.0, 371.0 ** (1 / 3)), (math.inf, 7.0)])
def test_p_norms_of_a_small_vector(p, want):
    _, total = gd.clip_grad_norm(np.array([1.0, -7.0, 3.0]), 1.0, norm_type=p)
    assert math.isclose(total, want, rel_tol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_gradient_norm_against_an_exactly_rounded_sum(dtype):
    g = np.random.default_rng(12).standard_normal(200_001).astype(dtype)
    exact = math.sqrt(math.fsum(float(x) ** 2 for x in g))
    _, total = gd.clip_grad_norm(g, 1.0)
    assert math.isclose(total, exact, rel_tol=TOL[dtype] / 10)


def test_a_list_is_clipped_by_the_norm_of_everything():
    parts = [np.array([3.0]), np.array([[4.0, 0.0]])]
    clipped, total = gd.clip_grad_norm(parts, max_norm=1.0)
    assert total == 5.0
    assert np.allclose(clipped[0], [0.6]) and np.allclose(clipped[1], [[0.8, 0.0]])


def test_integer_gradients_are_clipped_as_floats():
    clipped, total = gd.clip_grad_norm(np.array([3, 4]), max_norm=1.0)
    assert total == 5.0 and np.allclose(clipped, [0.6, 0.8], rtol=1e-6)
    assert gd.clip_grad_value(np.array([-3, 0, 2]), 0.5).tolist() == [-0.5, 0.0, 0.5]


def test_empty_list_has_norm_zero_as_in_torch():
    clipped, total = gd.clip_grad_norm([], max_norm=1.0)
    assert clipped == [] and total == 0.0


def test_non_finite_norm_raises_when_asked():
    with pytest.raises(ValueError, match="norm of order 2 of g is inf"):
        gd.clip_grad_norm(np.array([np.inf, 1.0]), 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="norm of order 2 of g is nan"):
        gd.clip_grad_norm(np.array([[1.0, 1.0], [np.nan, 1.0]]), 1.0, axis=-1, error_if_nonfinite=True)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gd.clip_grad_norm(np.ones(3), -1.0), r"max_norm must be in \[0, inf\)"),
        (lambda: gd.clip_grad_norm(np.ones(3), math.nan), r"max_norm must be in \[0, inf\)"),
        (lambda: gd.clip_grad_norm(np.ones(3), 1.0, norm_type=0), r"norm_type must be in \(0, inf\)"),
        (lambda: gd.clip_grad_norm(np.ones(3), 1.0, norm_type=-2), r"norm_type must be in \(0, inf\)"),
        (lambda: gd.clip_grad_norm([np.ones(3)], 1.0, axis=-1), "axis must be None when g is a list"),
        (lambda: gd.clip_grad_norm(np.ones((2, 3)), 1.0, axis=2), r"axis must be in \[-2, 1\]"),
        (lambda: gd.clip_grad_norm(np.ones((2, 3)), 1.0, axis=0.5), "axis must be an integer"),
        (lambda: gd.clip_grad_value(np.ones(3), -0.1), r"clip_value must be in \[0, inf\)"),
    ],
    ids=[
        "max_norm",
        "max_norm-nan",
        "norm_type-0",
        "norm_type-negative",
        "axis-list",
        "axis-range",
        "axis-float",
        "clip_value",
    ],
)
def test_invalid_argument_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=40, deadline=None)
@given(
    shapes=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 4)), min_size=1, max_size=3),
    p=st.sampled_from([1.0, 2.0, math.inf]) | st.floats(0.5, 8.0),
    scale=st.floats(0.01, 100.0),
    ratio=st.sampled_from([0.3, 1.0, 3.0]),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_clip_grad_norm_matches_live_torch(shapes, p, scale, ratio, dtype, seed):
    torch = require("torch")
    rng = np.random.default_rng(seed)
    arrays = [(scale * rng.standard_normal(shape)).astype(dtype) for shape in shapes]
    _, total = gd.clip_grad_norm(arrays, 1.0, norm_type=p)
    max_norm = ratio * float(total)  # below, at or above the limit
    clipped, total = gd.clip_grad_norm(arrays, max_norm, norm_type=p)
    params = [torch.zeros(shape, dtype=getattr(torch, dtype)) for shape in shapes]
    for param, a in zip(params, arrays, strict=True):
        param.grad = torch.tensor(a)
    want_total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=p).item()
    assert math.isclose(total, want_total, rel_tol=TOL[dtype])
    for got, param in zip(clipped, params, strict=True):
        np.testing.assert_allclose(got, param.grad.numpy(), rtol=TOL[dtype], atol=0)
