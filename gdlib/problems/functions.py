r"""Test functions of two or more variables: value, gradient and Hessian, minimiser and minimum.

Every function accepts θ with leading batch dimensions, shape (..., d): ``f`` returns shape (...),
``grad`` shape (..., d) and ``hess`` shape (..., d, d). The parameters that define each function are plain
attributes, from which ``gd.theory.symbolic(problem)`` builds its SymPy form.
"""

import math

import numpy as np

from .._checks import check_number
from .base import Problem

__all__ = ["Problem", "Quadratic", "Rosenbrock", "Saddle", "Himmelblau", "Valley", "LogCosh"]


def _rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


class Quadratic(Problem):
    r"""The quadratic bowl, the model problem of the whole book.

    .. math:: L(\theta) = \tfrac12\, \theta^\top A \theta - b^\top \theta + c,
              \qquad \nabla L = A\theta - b, \qquad \nabla^2 L = A

    with A symmetric positive semi-definite. Its eigenvalues λ_i give the smoothness L = λ_max, the strong
    convexity μ = λ_min and the condition number κ = L/μ (∞ when μ = 0). The minimiser solves Aθ* = b
    (the minimum-norm one when A is singular and b lies in its range).

    >>> q = Quadratic.from_condition(kappa=10.0, L=1.0)
    >>> q
    Quadratic(d=2, mu=0.1, L=1, kappa=10)
    >>> float(q.f([1.0, 1.0]))
    0.55
    """

    def __init__(self, A, b=None, c=0.0):
        A = np.asarray(A, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix (got shape {A.shape})")
        if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
            raise ValueError("A must be symmetric")
        self.A = (A + A.T) / 2
        self.d = A.shape[0]
        self.b = np.zeros(self.d) if b is None else np.asarray(b, dtype=float)
        if self.b.shape != (self.d,):
            raise ValueError(f"b must have shape ({self.d},) (got {self.b.shape})")
        self.c = float(c)
        self.eigenvalues = np.linalg.eigvalsh(self.A)
        if self.eigenvalues[0] < -1e-12 * max(1.0, abs(self.eigenvalues[-1])):
            raise ValueError(f"A must be positive semi-definite (smallest eigenvalue {self.eigenvalues[0]:.3g})")
        self.eigenvalues = np.clip(self.eigenvalues, 0.0, None)
        self.L = float(self.eigenvalues[-1])
        self.mu = float(self.eigenvalues[0]) if self.eigenvalues[0] > 1e-14 * self.L else 0.0
        self.kappa = self.L / self.mu if self.mu > 0 else np.inf
        x_star = np.linalg.pinv(self.A) @ self.b
        if np.allclose(self.A @ x_star, self.b, atol=1e-10 * max(1.0, np.abs(self.b).max())):
            self.x_star, self.f_star = x_star, float(self.f(x_star))

    @classmethod
    def from_eigenvalues(cls, eigenvalues, angle=0.0, rotation=None, x_star=None):
        """A = Q diag(λ) Qᵀ; in 2-D Q rotates by ``angle`` (radians), in d-D pass an orthogonal ``rotation``;
        the minimiser is ``x_star`` (the origin by default)."""
        lam = np.asarray(eigenvalues, dtype=float)
        check_number("eigenvalues", lam, low=0)
        d = lam.size
        if rotation is None:
            if d != 2 and angle != 0.0:
                raise ValueError(f"angle is for 2-D quadratics; pass rotation= for d = {d}")
            Q = _rotation(angle) if d == 2 else np.eye(d)
        else:
            Q = np.asarray(rotation, dtype=float)
            if Q.shape != (d, d) or not np.allclose(Q.T @ Q, np.eye(d), atol=1e-10):
                raise ValueError(f"rotation must be an orthogonal {d}x{d} matrix")
        A = Q @ np.diag(lam) @ Q.T
        b = None if x_star is None else A @ np.asarray(x_star, dtype=float)
        return cls(A, b)

    @classmethod
    def from_condition(cls, kappa, L=1.0, d=2, angle=0.0, x_star=None):
        """Eigenvalues spread geometrically from μ = L/κ to L."""
        check_number("kappa", kappa, low=1, allow_array=False)
        check_number("L", L, low=0, low_open=True, allow_array=False)
        check_number("d", d, low=1, integer=True, allow_array=False)
        lam = np.geomspace(L / kappa, L, int(d))
        return cls.from_eigenvalues(lam, angle=angle if d == 2 else 0.0, x_star=x_star)

    def f(self, x):
        x = self._x(x)
        A, b = self._in(x.dtype, "A", "b")
        return 0.5 * np.einsum("...i,ij,...j->...", x, A, x) - x @ b + self.c

    def grad(self, x):
        x = self._x(x)
        A, b = self._in(x.dtype, "A", "b")
        return x @ A - b

    def hess(self, x):
        x = self._x(x)
        (A,) = self._in(x.dtype, "A")
        return np.broadcast_to(A, x.shape[:-1] + (self.d, self.d)).copy()

    def __repr__(self):
        return f"Quadratic(d={self.d}, mu={self.mu:g}, L={self.L:g}, kappa={self.kappa:g})"


class Rosenbrock(Problem):
    r"""Rosenbrock's banana-shaped valley (Rosenbrock 1960).

    .. math:: L(x, y) = (a - x)^2 + b\,(y - x^2)^2, \qquad \theta^\star = (a, a^2),\ L^\star = 0

    >>> r = Rosenbrock()
    >>> float(r.f([1.0, 1.0])), bool(np.all(r.grad([1.0, 1.0]) == 0))
    (0.0, True)

    Reference: H. H. Rosenbrock (1960), An automatic method for finding the greatest or least value of a
    function, The Computer Journal 3(3), 175–184.
    """

    d = 2

    def __init__(self, a=1.0, b=100.0):
        check_number("b", b, low=0, low_open=True, allow_array=False)
        self.a, self.b = float(a), float(b)
        self.x_star, self.f_star = np.array([self.a, self.a**2]), 0.0

    def f(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u**2) ** 2

    def grad(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * (v - u**2), 2 * self.b * (v - u**2)], axis=-1)

    def hess(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        h11 = 2 - 4 * self.b * (v - u**2) + 8 * self.b * u**2
        h12 = -4 * self.b * u
        h22 = np.full_like(u, 2 * self.b)
        return np.stack([np.stack([h11, h12], -1), np.stack([h12, h22], -1)], -2)

    def __repr__(self):
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"


class Saddle(Problem):
    r"""A saddle point at the origin: a minimum along x, a maximum along y; no minimiser.

    .. math:: L(x, y) = \tfrac12 (a\, x^2 - b\, y^2)

    >>> Saddle().hess([0.0, 0.0]).tolist()
    [[1.0, 0.0], [0.0, -1.0]]
    """

    d = 2

    def __init__(self, a=1.0, b=1.0):
        check_number("a", a, low=0, low_open=True, allow_array=False)
        check_number("b", b, low=0, low_open=True, allow_array=False)
        self.a, self.b = float(a), float(b)

    def f(self, x):
        x = self._x(x)
        return 0.5 * (self.a * x[..., 0] ** 2 - self.b * x[..., 1] ** 2)

    def grad(self, x):
        x = self._x(x)
        return np.stack([self.a * x[..., 0], -self.b * x[..., 1]], axis=-1)

    def hess(self, x):
        x = self._x(x)
        return np.broadcast_to(np.diag([self.a, -self.b]), x.shape[:-1] + (2, 2)).copy()

    def __repr__(self):
        return f"Saddle(a={self.a:g}, b={self.b:g})"


class Himmelblau(Problem):
    r"""Himmelblau's function: four minima of equal value 0, a local maximum and four saddles.

    .. math:: L(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    ``minima`` lists the four minimisers (one exact, (3, 2); three found by Newton's method from their
    published four-digit values); ``x_star`` is (3, 2).

    >>> h = Himmelblau()
    >>> [round(float(h.f(m)), 12) for m in h.minima]
    [0.0, 0.0, 0.0, 0.0]

    Reference: D. M. Himmelblau (1972), Applied Nonlinear Programming, McGraw-Hill.
    """

    d = 2
    published_minima = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))

    def __init__(self):
        minima = []
        for start in self.published_minima:
            m = np.array(start)
            for _ in range(20):
                m = m - np.linalg.solve(self.hess(m), self.grad(m))
            minima.append(m)
        self.minima = np.array(minima)
        self.x_star, self.f_star = np.array([3.0, 2.0]), 0.0

    def f(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        return (u**2 + v - 11) ** 2 + (u + v**2 - 7) ** 2

    def grad(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        p, q = u**2 + v - 11, u + v**2 - 7
        return np.stack([4 * u * p + 2 * q, 2 * p + 4 * v * q], axis=-1)

    def hess(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        h11 = 4 * (u**2 + v - 11) + 8 * u**2 + 2
        h12 = 4 * u + 4 * v
        h22 = 2 + 4 * (u + v**2 - 7) + 8 * v**2
        return np.stack([np.stack([h11, h12], -1), np.stack([h12, h22], -1)], -2)

    def __repr__(self):
        return "Himmelblau()"


class Valley(Problem):
    r"""A curved, ill-conditioned valley: steep walls across the curve y = c·sin x, a gentle slope along it.

    .. math:: L(x, y) = \frac{x^2}{2\kappa} + \tfrac12\bigl(y - c \sin x\bigr)^2,
              \qquad \theta^\star = (0, 0),\ L^\star = 0

    Across the valley the curvature is about 1 + c², along it about 1/κ, so gradient descent needs small
    steps for the walls and many of them to travel along the floor — like a quadratic of condition number
    ≈ κ(1 + c²), but the valley bends.

    >>> v = Valley(kappa=100.0)
    >>> float(v.f([0.0, 0.0])), v.grad([0.0, 0.0]).tolist()
    (0.0, [0.0, 0.0])
    """

    d = 2

    def __init__(self, kappa=100.0, curvature=1.0):
        check_number("kappa", kappa, low=1, allow_array=False)
        check_number("curvature", curvature, low=0, allow_array=False)
        self.kappa, self.curvature = float(kappa), float(curvature)
        self.x_star, self.f_star = np.zeros(2), 0.0

    def f(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        return u**2 / (2 * self.kappa) + 0.5 * (v - self.curvature * np.sin(u)) ** 2

    def grad(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        r = v - self.curvature * np.sin(u)
        return np.stack([u / self.kappa - r * self.curvature * np.cos(u), r], axis=-1)

    def hess(self, x):
        x = self._x(x)
        u, v = x[..., 0], x[..., 1]
        c, r = self.curvature, v - self.curvature * np.sin(u)
        h11 = 1 / self.kappa + c**2 * np.cos(u) ** 2 + r * c * np.sin(u)
        h12 = -c * np.cos(u)
        return np.stack([np.stack([h11, h12], -1), np.stack([h12, np.ones_like(u)], -1)], -2)

    def __repr__(self):
        return f"Valley(kappa={self.kappa:g}, curvature={self.curvature:g})"


class LogCosh(Problem):
    r"""A smooth convex function that is *not* strongly convex: it grows only linearly far from its minimum.

    .. math:: L(\theta) = \sum_i s_i \log\cosh(\theta_i), \qquad \nabla L = s \odot \tanh\theta,
              \qquad 0 \prec \nabla^2 L = \mathrm{diag}\bigl(s_i\,\mathrm{sech}^2\theta_i\bigr) \preceq L\,I

    with L = max s_i and no μ > 0 bounding the curvature from below (it tends to 0 as |θ| grows):
    the setting of the O(1/T) bound for gradient descent.

    >>> p = LogCosh([1.0, 4.0])
    >>> p.L, p.mu, float(p.f([0.0, 0.0]))
    (4.0, 0.0, 0.0)
    """

    def __init__(self, scales=(1.0, 1.0)):
        s = np.asarray(scales, dtype=float)
        check_number("scales", s, low=0, low_open=True)
        self.scales, self.d = s, s.size
        self.L, self.mu = float(s.max()), 0.0
        self.x_star, self.f_star = np.zeros(self.d), 0.0

    def f(self, x):
        x = self._x(x)
        (scales,) = self._in(x.dtype, "scales")
        a = np.abs(x)
        return np.sum(scales * (a + np.log1p(np.exp(-2 * a)) - math.log(2.0)), axis=-1)

    def grad(self, x):
        x = self._x(x)
        (scales,) = self._in(x.dtype, "scales")
        return scales * np.tanh(x)

    def hess(self, x):
        x = self._x(x)
        (scales,) = self._in(x.dtype, "scales")
        diag = scales / np.cosh(np.clip(x, -350, 350)) ** 2
        return diag[..., :, None] * np.eye(self.d)

    def __repr__(self):
        return f"LogCosh(scales={self.scales.tolist()})"
