r"""Problems built from data: least squares and logistic regression with full-batch and mini-batch
gradients, the two shipped real data sets, and seeded synthetic generators.

θ may have leading batch dimensions (..., d): one row of parameters per run.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import check_number
from .base import check_indices
from .functions import Problem

__all__ = [
    "LinearRegression",
    "LogisticRegression",
    "Dataset",
    "load_diabetes",
    "load_breast_cancer",
    "make_regression",
    "make_classification",
    "CHECKSUMS",
]

DATA = Path(__file__).resolve().parent.parent / "data"
CHECKSUMS = {
    "diabetes.csv": "36e3fd6f8158bdc41f916d8989653227e5a5dd506c508de3f33febb48213e641",
    "breast_cancer.csv": "24e220f06a0844385ea0e0f551c2ee1f9725e248e1dd662fafca95e0c7d1a0bf",
    "digits.csv": "592cc047d0a1cc7fdef9fd724514209dcb45a80aa147dc3ab375e3e1a9a380f4",
}


class _DataProblem(Problem):
    def __init__(self, X, y, l2=0.0):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be a matrix of shape (n, d) (got shape {X.shape})")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X (got {y.shape})")
        check_number("l2", l2, low=0, allow_array=False)
        self.X, self.y, self.l2 = X, y, float(l2)
        self.n, self.d = X.shape

    def _batch(self, idx, dtype=np.float64):
        """The examples of the mini-batch ``idx`` (all when None), in θ's dtype so float32 runs stay float32."""
        X, y = self._data(dtype)
        if idx is None:
            return X, y
        idx = check_indices(idx, self.n)
        return X[idx], y[idx]

    def _data(self, dtype):
        if dtype == np.float64:
            return self.X, self.y
        cache = self.__dict__.setdefault("_cast", {})
        if dtype not in cache:
            cache[dtype] = (self.X.astype(dtype), self.y.astype(dtype))
        return cache[dtype]

    def _penalty(self, theta):
        return 0.5 * self.l2 * np.sum(theta * theta, axis=-1)


class LinearRegression(_DataProblem):
    r"""Least squares, optionally with an L2 penalty (ridge regression).

    .. math::
        L(\theta) = \frac{1}{2n}\lVert X\theta - y\rVert^2 + \frac{\lambda}{2}\lVert\theta\rVert^2,\qquad
        g_B(\theta) = \frac1B X_B^\top (X_B\theta - y_B) + \lambda\theta

    over a mini-batch B of example indices (all n when ``idx`` is None). The Hessian XᵀX/n + λI is
    constant, so L and μ are its extreme eigenvalues and ``solve()`` is exact.

    Cost of one gradient on a batch of B examples (``cost(B)``, in floating-point operations): 2Bd for
    X_Bθ, B for the residual, 2Bd for X_Bᵀr, d for the division by B and 2d for adding λθ:
    4Bd + B + 3d.

    >>> p = LinearRegression(np.eye(2), np.array([1.0, 2.0]))
    >>> p.solve().tolist(), p.L, p.mu
    ([1.0, 2.0], 0.5, 0.5)
    """

    def __init__(self, X, y, l2=0.0):
        super().__init__(X, y, l2)
        self._H = self.X.T @ self.X / self.n + self.l2 * np.eye(self.d)
        eig = np.linalg.eigvalsh(self._H)
        self.L, self.mu = float(eig[-1]), float(max(eig[0], 0.0))
        self.kappa = self.L / self.mu if self.mu > 0 else np.inf
        self.x_star = self.solve()
        self.f_star = float(self.f(self.x_star))

    def f(self, theta, idx=None):
        theta = self._x(theta)
        X, y = self._batch(idx, theta.dtype)
        r = theta @ X.T - y
        return 0.5 * np.mean(r * r, axis=-1) + self._penalty(theta)

    def grad(self, theta, idx=None):
        theta = self._x(theta)
        X, y = self._batch(idx, theta.dtype)
        r = theta @ X.T - y
        return r @ X / len(y) + self.l2 * theta

    def hess(self, theta):
        theta = self._x(theta)
        return np.broadcast_to(self._H, theta.shape[:-1] + (self.d, self.d)).copy()

    def solve(self):
        """The exact minimiser: (XᵀX/n + λI)⁻¹ Xᵀy/n (minimum-norm when singular)."""
        return np.linalg.lstsq(self._H, self.X.T @ self.y / self.n, rcond=None)[0]

    def cost(self, batch_size):
        """Floating-point operations of one gradient on ``batch_size`` examples: 4Bd + B + 3d."""
        B = check_number("batch_size", batch_size, low=1, high=self.n, integer=True, allow_array=False)
        return 4 * B * self.d + B + 3 * self.d

    def __repr__(self):
        return f"LinearRegression(n={self.n}, d={self.d}, l2={self.l2:g}, kappa={self.kappa:.4g})"


def _softplus(z):
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid(z):
    """1/(1 + e^{−z}) without overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class LogisticRegression(_DataProblem):
    r"""Logistic regression (mean cross-entropy) with labels y ∈ {0, 1}, optionally with an L2 penalty.

    .. math::
        L(\theta) = \frac1n \sum_i \bigl(\log(1 + e^{z_i}) - y_i z_i\bigr) + \frac{\lambda}{2}\lVert\theta\rVert^2,
        \quad z = X\theta, \qquad
        g_B(\theta) = \frac1B X_B^\top\bigl(\sigma(z_B) - y_B\bigr) + \lambda\theta

    The Hessian Xᵀ diag(σ(1−σ)) X / n + λI is bounded by L = λ_max(XᵀX)/(4n) + λ; μ = λ is the strong
    convexity that holds everywhere. Both log(1 + e^z) and σ are evaluated without overflow.

    Cost of one gradient on B examples (``cost(B)``): 2Bd for z, 4B for σ (exp, add, divide, subtract
    y; exp counted as one operation), 2Bd for X_Bᵀ(σ − y), d for the division and 2d for λθ: 4Bd + 4B + 3d.

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); y = np.array([1.0, 0.0, 1.0])
    >>> p = LogisticRegression(X, y, l2=0.1)
    >>> bool(np.linalg.norm(p.grad(p.solve())) < 1e-12)
    True
    """

    def __init__(self, X, y, l2=0.0):
        super().__init__(X, y, l2)
        if not np.all((self.y == 0) | (self.y == 1)):
            raise ValueError("y must contain labels 0 and 1 only")
        self.L = float(np.linalg.eigvalsh(self.X.T @ self.X)[-1] / (4 * self.n) + self.l2)
        self.mu = self.l2
        self.kappa = self.L / self.mu if self.mu > 0 else np.inf
        if self.l2 > 0:
            self.x_star = self.solve()
            self.f_star = float(self.f(self.x_star))

    def f(self, theta, idx=None):
        theta = self._x(theta)
        X, y = self._batch(idx, theta.dtype)
        z = theta @ X.T
        return np.mean(_softplus(z) - y * z, axis=-1) + self._penalty(theta)

    def grad(self, theta, idx=None):
        theta = self._x(theta)
        X, y = self._batch(idx, theta.dtype)
        return (_sigmoid(theta @ X.T) - y) @ X / len(y) + self.l2 * theta

    def hess(self, theta):
        theta = self._x(theta)
        s = _sigmoid(theta @ self.X.T)
        w = s * (1 - s) / self.n
        return np.einsum("...i,ij,ik->...jk", w, self.X, self.X) + self.l2 * np.eye(self.d)

    def solve(self, tol=1e-12, max_iter=100):
        """The minimiser, by Newton's method to a gradient norm below ``tol`` (needs l2 > 0 or
        non-separable data)."""
        theta = np.zeros(self.d)
        for _ in range(max_iter):
            g = self.grad(theta)
            if np.linalg.norm(g) < tol:
                return theta
            theta = theta - np.linalg.solve(self.hess(theta), g)
        raise RuntimeError(
            f"Newton's method did not reach a gradient norm below {tol:g} in {max_iter} "
            "iterations (is the data separable with l2 = 0?)"
        )

    def cost(self, batch_size):
        """Floating-point operations of one gradient on ``batch_size`` examples: 4Bd + 4B + 3d."""
        B = check_number("batch_size", batch_size, low=1, high=self.n, integer=True, allow_array=False)
        return 4 * B * self.d + 4 * B + 3 * self.d

    def __repr__(self):
        return f"LogisticRegression(n={self.n}, d={self.d}, l2={self.l2:g})"


@dataclass(frozen=True)
class Dataset:
    """A small data set: features ``X`` (n, d), targets ``y`` (n,), and where they come from."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_name: str
    description: str
    source: str = field(repr=False, default="")

    def standardized(self):
        """The same data with every feature centred and scaled to unit standard deviation; a constant feature
        (the digits' always-blank corner pixels) is centred to 0 and left unscaled instead of divided by 0."""
        std = self.X.std(axis=0)
        X = (self.X - self.X.mean(axis=0)) / np.where(std > 0, std, 1.0)
        return Dataset(
            X, self.y, self.feature_names, self.target_name, self.description + " (standardised features)", self.source
        )

    def __repr__(self):
        return f"Dataset({self.description}: n={self.X.shape[0]}, d={self.X.shape[1]}, target={self.target_name!r})"


def _read(name):
    path = DATA / name
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != CHECKSUMS[name]:
        raise RuntimeError(
            f"{name}: checksum {digest} differs from the recorded {CHECKSUMS[name]}; the shipped data file was modified"
        )
    header, *rows = raw.decode("ascii").strip().splitlines()
    table = np.array([[float(v) for v in row.split(",")] for row in rows])
    return header.split(","), table


def load_diabetes():
    """442 diabetes patients: 10 raw baseline features, target = disease progression after one year
    (Efron, Hastie, Johnstone & Tibshirani 2004). See gdlib/data/README.md."""
    names, table = _read("diabetes.csv")
    return Dataset(
        table[:, :-1],
        table[:, -1],
        tuple(names[:-1]),
        names[-1],
        "diabetes",
        "Efron, Hastie, Johnstone & Tibshirani (2004), Least angle regression, Ann. Statist. 32(2)",
    )


def load_breast_cancer():
    """569 breast masses, 30 image features, label 1 = malignant (Wisconsin Diagnostic; Street, Wolberg &
    Mangasarian 1993). See gdlib/data/README.md."""
    names, table = _read("breast_cancer.csv")
    return Dataset(
        table[:, :-1],
        table[:, -1],
        tuple(names[:-1]),
        names[-1],
        "breast cancer (Wisconsin)",
        "Street, Wolberg & Mangasarian (1993), Nuclear feature extraction for breast tumor diagnosis",
    )


def load_digits():
    """1,797 handwritten digits as 8×8 images: 64 pixel counts in 0–16 (row by row, ``pixel_r_c``), label
    0–9 (the test set of the UCI Optical Recognition of Handwritten Digits data; Alpaydin & Kaynak 1998).
    Some border pixels are 0 in every image, so scale by 1/16 rather than standardise. See
    gdlib/data/README.md."""
    names, table = _read("digits.csv")
    return Dataset(
        table[:, :-1],
        table[:, -1],
        tuple(names[:-1]),
        names[-1],
        "handwritten digits (8×8)",
        "E. Alpaydin, C. Kaynak (1998), Optical Recognition of Handwritten Digits, UCI Machine Learning Repository",
    )


def make_regression(n=200, d=2, noise=0.1, kappa=None, seed=0):
    """A seeded synthetic least-squares problem: returns (X, y, theta_true) with y = Xθ_true + noise·ε.

    With ``kappa`` the columns are mixed so that XᵀX/n has condition number exactly κ.
    """
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("d", d, low=1, integer=True, allow_array=False)
    check_number("noise", noise, low=0, allow_array=False)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if kappa is not None:
        check_number("kappa", kappa, low=1, allow_array=False)
        if n < d:
            raise ValueError(f"kappa needs n ≥ d (got n={n}, d={d})")
        U, _, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
        s = np.sqrt(n * np.geomspace(1.0, 1.0 / kappa, d))
        X = U @ np.diag(s) @ Vt
    theta = rng.standard_normal(d)
    return X, X @ theta + noise * rng.standard_normal(n), theta


def make_classification(n=200, d=2, separation=1.0, seed=0):
    """A seeded synthetic logistic-regression problem: returns (X, y, theta_true); labels drawn from the
    logistic model P(y = 1) = σ(separation · xᵀθ_true) with ‖θ_true‖ = 1."""
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("d", d, low=1, integer=True, allow_array=False)
    check_number("separation", separation, low=0, allow_array=False)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    theta = rng.standard_normal(d)
    theta /= np.linalg.norm(theta)
    y = (rng.random(n) < _sigmoid(separation * (X @ theta))).astype(float)
    return X, y, theta
