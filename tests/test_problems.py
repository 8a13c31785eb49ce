"""Every problem's gradient and Hessian against finite differences, and published minimisers."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import gdlib as gd

X_REG, Y_REG, _ = gd.make_regression(n=60, d=3, noise=0.5, seed=1)
X_CLS, Y_CLS, _ = gd.make_classification(n=80, d=3, separation=2.0, seed=2)

PROBLEMS = [
    gd.Quadratic.from_condition(kappa=50.0, L=2.0, angle=0.4, x_star=[1.0, -2.0]),
    gd.Quadratic.from_eigenvalues([0.5, 1.0, 3.0, 9.0], rotation=np.linalg.qr(np.arange(16.0).reshape(4, 4) ** 0.5)[0]),
    gd.Rosenbrock(),
    gd.Rosenbrock(a=2.0, b=10.0),
    gd.Saddle(a=1.0, b=3.0),
    gd.Himmelblau(),
    gd.Valley(kappa=50.0, curvature=1.5),
    gd.LogCosh([1.0, 3.0]),
    gd.LinearRegression(X_REG, Y_REG, l2=0.1),
    gd.LogisticRegression(X_CLS, Y_CLS, l2=0.05),
]


@pytest.mark.parametrize("problem", PROBLEMS, ids=repr)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_gradient_and_hessian_match_finite_differences(problem, seed):
    x = np.random.default_rng(seed).uniform(-2, 2, (3, problem.d))  # a batch of three points
    assert problem.f(x).shape == (3,) and problem.grad(x).shape == (3, problem.d)
    assert gd.check_grad(problem, None, x) < 1e-6
    H = problem.hess(x)
    assert H.shape == (3, problem.d, problem.d)
    np.testing.assert_allclose(H, gd.numerical_hess(problem.grad, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("problem", [p for p in PROBLEMS if p.x_star is not None], ids=repr)
def test_minimiser_is_stationary_with_the_stated_minimum(problem):
    assert np.linalg.norm(problem.grad(problem.x_star)) < 1e-9
    assert abs(float(problem.f(problem.x_star)) - problem.f_star) < 1e-12
    rng = np.random.default_rng(0)
    assert np.all(problem.f(problem.x_star + 0.1 * rng.standard_normal((20, problem.d))) >= problem.f_star)


def test_gradient_checker_catches_a_wrong_gradient():
    q = gd.Quadratic.from_condition(10.0)
    assert gd.check_grad(q.f, lambda x: 1.01 * q.grad(x), np.array([1.0, 2.0])) > 1e-3


def test_quadratic_constants():
    q = gd.Quadratic.from_condition(kappa=100.0, L=4.0, d=5)
    assert np.isclose(q.L, 4.0) and np.isclose(q.mu, 0.04) and np.isclose(q.kappa, 100.0)
    np.testing.assert_allclose(q.eigenvalues, np.geomspace(0.04, 4.0, 5))
    singular = gd.Quadratic(np.diag([0.0, 2.0]), b=[0.0, 2.0])
    assert singular.mu == 0 and singular.kappa == np.inf and singular.x_star.tolist() == [0.0, 1.0]


def test_published_minima():
    assert gd.Rosenbrock(a=2.0).x_star.tolist() == [2.0, 4.0]  # (a, a²), Rosenbrock 1960
    h = gd.Himmelblau()
    published = np.array(gd.Himmelblau.published_minima)
    np.testing.assert_allclose(h.minima, published, atol=1e-6)  # four-digit table values
    assert np.all(np.abs(h.f(h.minima)) < 1e-20)


def test_least_squares_solution_and_constants():
    p = gd.LinearRegression(X_REG, Y_REG, l2=0.1)
    H = X_REG.T @ X_REG / 60 + 0.1 * np.eye(3)
    np.testing.assert_allclose(p.solve(), np.linalg.solve(H, X_REG.T @ Y_REG / 60), rtol=1e-12)
    assert np.isclose(p.L, np.linalg.eigvalsh(H).max()) and np.isclose(p.mu, np.linalg.eigvalsh(H).min())
    assert p.cost(10) == 4 * 10 * 3 + 10 + 3 * 3


def test_minibatch_gradient_is_unbiased():
    p = gd.LinearRegression(X_REG, Y_REG)
    theta = np.array([0.3, -0.2, 1.0])
    singles = np.array([p.grad(theta, [i]) for i in range(p.n)])
    np.testing.assert_allclose(singles.mean(axis=0), p.grad(theta), rtol=1e-12)


def test_logistic_is_stable_for_huge_margins():
    p = gd.LogisticRegression(X_CLS, Y_CLS)
    theta = np.full(3, 1e4)
    assert np.isfinite(p.f(theta)) and np.all(np.isfinite(p.grad(theta)))


def test_shipped_data():
    diabetes, cancer = gd.load_diabetes(), gd.load_breast_cancer()
    assert diabetes.X.shape == (442, 10) and diabetes.y.shape == (442,)
    assert cancer.X.shape == (569, 30) and int(cancer.y.sum()) == 212  # 212 malignant (UCI)
    z = diabetes.standardized().X
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-12)


def test_modified_data_file_is_refused(tmp_path, monkeypatch):
    from gdlib.problems import data

    (tmp_path / "diabetes.csv").write_bytes((data.DATA / "diabetes.csv").read_bytes() + b"1,2\n")
    monkeypatch.setattr(data, "DATA", tmp_path)
    with pytest.raises(RuntimeError, match="checksum"):
        gd.load_diabetes()


def test_make_regression_condition_number():
    X, y, theta = gd.make_regression(n=500, d=4, kappa=1000.0, seed=3)
    eig = np.linalg.eigvalsh(X.T @ X / 500)
    assert np.isclose(eig.max() / eig.min(), 1000.0, rtol=1e-9)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: gd.Quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError, "A must be symmetric"),
        (lambda: gd.Quadratic(np.diag([1.0, -1.0])), ValueError, "positive semi-definite"),
        (lambda: gd.Quadratic.from_condition(kappa=0.5), ValueError, r"kappa must be in \[1, inf\)"),
        (lambda: gd.Quadratic.from_eigenvalues([1.0, -2.0]), ValueError, r"eigenvalues must be in \[0, inf\)"),
        (lambda: gd.Rosenbrock().f(np.ones(3)), ValueError, r"x must have shape \(\.\.\., 2\)"),
        (lambda: gd.LinearRegression(np.ones((3, 2)), np.ones(4)), ValueError, r"y must have shape \(3,\)"),
        (lambda: gd.LinearRegression(np.ones((3, 2)), np.ones(3), l2=-1), ValueError, r"l2 must be in \[0, inf\)"),
        (lambda: gd.LogisticRegression(np.ones((3, 2)), np.array([0.0, 1.0, 2.0])), ValueError, "labels 0 and 1"),
        (lambda: gd.LinearRegression(X_REG, Y_REG).grad(np.zeros(3), [0, 99]), ValueError, r"indices in \[0, 59\]"),
        (lambda: gd.LinearRegression(X_REG, Y_REG).cost(61), ValueError, r"batch_size must be in \[1, 60\]"),
    ],
    ids=["asymmetric", "indefinite", "kappa", "eigenvalues", "x-shape", "y-shape", "l2", "labels", "idx", "cost"],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
