"""The runner: statuses and messages, vectorised runs, mini-batches, clipping, and the line searches."""

import warnings

import numpy as np
import pytest

import gdlib as gd

Q = gd.Quadratic.from_condition(kappa=10.0, L=1.0)


def test_gradient_descent_on_a_quadratic_follows_the_eigen_contraction():
    # Independent oracle: in the eigenbasis each coordinate is multiplied by (1 − ηλ) per step.
    q = gd.Quadratic.from_eigenvalues([0.2, 1.0])
    r = gd.run(gd.GradientDescent(lr=0.5), q, [1.0, 1.0], steps=20)
    expected = np.array(
        [(1 - 0.5 * 0.2) ** t * np.array([1.0, 1.0]) * [1, (1 - 0.5) ** t / (1 - 0.1) ** t] for t in range(21)]
    )
    np.testing.assert_allclose(r.xs, expected, rtol=1e-12)
    assert r.status == "step budget reached" and r.nit == 20 and r.message == "step budget reached: 20 steps taken"


def test_divergence_is_reported_with_its_step_and_no_warning():
    # |1 − ηL| = 1.5 with η = 2.5: ‖g_t‖ = 1.5^t·‖g_0‖ ≥ 1e12 first at t = ⌈log(1e12/‖g_0‖)/log 1.5⌉.
    x0 = np.array([0.0, 1.0])
    first = int(np.ceil(np.log(1e12 / np.linalg.norm(Q.grad(x0))) / np.log(1.5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gd.run(gd.GradientDescent(lr=2.5), Q, x0, steps=1000)
    assert r.status == "diverged" and r.nit == first
    assert r.message.startswith(f"diverged at step {first}: gradient norm")


def test_overflow_to_infinity_is_caught():
    r = gd.run(gd.GradientDescent(lr=1e200), Q, [1.0, 1.0], steps=10, diverge_above=np.inf)
    assert r.status == "diverged" and "not finite" in r.message and np.all(np.isfinite(r.xs))


def test_tolerances():
    r = gd.run(gd.GradientDescent(lr=1.0), Q, [1.0, 1.0], steps=1000, tol_grad=1e-6)
    assert r.status == "converged (gradient norm)" and r.grad_norms[-1] <= 1e-6 < r.grad_norms[-2]
    r = gd.run(gd.GradientDescent(lr=1.0), Q, [1.0, 1.0], steps=1000, tol_loss=1e-12)
    assert r.status == "converged (change in loss)" and abs(r.fs[-1] - r.fs[-2]) <= 1e-12


def test_vectorised_runs_equal_separate_runs_and_keep_their_own_status():
    lrs = np.array([0.5, 1.0, 1.9, 2.5])[:, None]
    x0 = np.tile([1.0, 1.0], (4, 1))
    r = gd.run(gd.SGD(lr=lrs, momentum=0.3), Q, x0, steps=300, tol_grad=1e-9)
    assert list(r.status[:3]) == ["converged (gradient norm)"] * 3
    for i in range(4):
        single = gd.run(gd.SGD(lr=float(lrs[i, 0]), momentum=0.3), Q, x0[i], steps=300, tol_grad=1e-9)
        assert single.status == r.status[i] and single.nit == r.nit[i]
        np.testing.assert_allclose(r.x[i], single.x, rtol=1e-12)


def test_rate_of_gradient_descent_is_the_published_rate():
    # optimal step 2/(μ+L): contraction (κ−1)/(κ+1) per step (e.g. Polyak 1987, §1.4)
    q = gd.Quadratic.from_eigenvalues([0.1, 1.0])
    r = gd.run(gd.GradientDescent(lr=2 / 1.1), q, [1.0, 1.0], steps=50)
    assert np.isclose(r.rate(), 9 / 11, rtol=1e-9)


def test_record_every_and_final():
    r = gd.run(gd.GradientDescent(lr=0.1), Q, [1.0, 1.0], steps=25, record_every=10)
    assert r.ts.tolist() == [0, 10, 20, 25] and r.xs.shape == (4, 2)
    r = gd.run(gd.GradientDescent(lr=0.1), Q, np.ones((7, 2)), steps=25, record="final")
    assert r.ts.tolist() == [0, 25] and r.xs.shape == (2, 7, 2)


def test_minibatches_cover_each_epoch_once():
    X, y, _ = gd.make_regression(n=10, d=2, seed=0)
    p = gd.LinearRegression(X, y)
    seen = []
    original = p.grad
    p.grad = lambda x, idx=None: (seen.append(None if idx is None else tuple(idx)), original(x, idx))[1]
    gd.run(gd.SGD(lr=0.01), p, [0.0, 0.0], batch_size=3, epochs=2, record="final")
    batches = [b for b in seen if b is not None]
    assert len(batches) == 8  # ⌈10/3⌉ = 4 steps per epoch
    assert sorted(sum(batches[:4], ())) == list(range(10)) == sorted(sum(batches[4:], ()))


def test_same_seed_same_run():
    X, y, _ = gd.make_regression(n=50, d=2, seed=0)
    p = gd.LinearRegression(X, y)
    a = gd.run(gd.SGD(lr=0.1), p, [0.0, 0.0], batch_size=5, epochs=3, seed=7)
    b = gd.run(gd.SGD(lr=0.1), p, [0.0, 0.0], batch_size=5, epochs=3, seed=7)
    c = gd.run(gd.SGD(lr=0.1), p, [0.0, 0.0], batch_size=5, epochs=3, seed=8)
    assert np.array_equal(a.xs, b.xs) and not np.array_equal(a.xs, c.xs)


def test_clipping_limits_each_step():
    r = gd.run(
        gd.GradientDescent(lr=1.0), gd.Quadratic.from_eigenvalues([1.0, 1.0]), [100.0, 0.0], steps=5, clip_norm=1.0
    )
    steps = np.linalg.norm(np.diff(r.xs, axis=0), axis=-1)
    assert np.allclose(steps, 1.0 / (1.0 + 1e-6 / np.linalg.norm(r.xs[:-1], axis=-1)), rtol=1e-9)


def test_exact_line_search_zigzags_at_right_angles():
    q = gd.Quadratic.from_eigenvalues([1.0, 10.0], angle=0.3)
    r = gd.steepest_descent(q, [5.0, 2.0], steps=20)
    g = q.grad(r.xs)
    cosines = np.sum(g[1:] * g[:-1], axis=-1) / (np.linalg.norm(g[1:], axis=-1) * np.linalg.norm(g[:-1], axis=-1))
    assert np.all(np.abs(cosines) < 1e-10)
    # Kantorovich: f − f* shrinks by at most ((κ−1)/(κ+1))² per step
    gaps = r.fs - q.f_star
    assert np.all(gaps[1:] <= (9 / 11) ** 2 * gaps[:-1] * (1 + 1e-12))


def test_armijo_decreases_rosenbrock():
    r = gd.steepest_descent(gd.Rosenbrock(), [-1.2, 1.0], steps=200, line_search="armijo")
    assert np.all(np.diff(r.fs) <= 0) and r.fs[-1] < 0.5 * r.fs[0]
    assert all(eta <= 1.0 for eta in r.lrs[:-1]) and np.isnan(r.lrs[-1])  # no step from the last record


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0, 1.0]), r"x0 must have shape \(2,\) or \(n_runs, 2\)"),
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0], steps=0), r"steps must be in \[1, inf\)"),
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0], record_every=0), r"record_every must be in \[1, inf\)"),
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0], batch_size=2), "need a data problem"),
        (
            lambda: gd.run(gd.SGD(lr=0.1), gd.LinearRegression(np.eye(3), np.ones(3)), np.zeros(3), batch_size=4),
            r"batch_size must be in \[1, 3\]",
        ),
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0], sampling="bootstrap"), "sampling must be one of"),
        (lambda: gd.run(gd.SGD(lr=0.1), Q, [1.0, 1.0], tol_grad=-1), r"tol_grad must be in \[0, inf\)"),
        (lambda: gd.steepest_descent(gd.Rosenbrock(), [0.0, 0.0]), "exact line search needs a Quadratic"),
        (lambda: gd.steepest_descent(Q, [0.0, 0.0], line_search="wolfe"), "line_search must be one of"),
        (lambda: gd.steepest_descent(Q, [0.0, 0.0], line_search="armijo", shrink=1.0), r"shrink must be in \(0, 1\)"),
    ],
    ids=[
        "x0",
        "steps",
        "record_every",
        "batch-on-function",
        "batch_size",
        "sampling",
        "tol_grad",
        "exact-on-rosenbrock",
        "line_search",
        "shrink",
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
