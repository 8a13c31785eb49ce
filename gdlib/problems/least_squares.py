r"""Nonlinear least squares: fitting a curve y ≈ φ(t; θ) to m data points, the problem of Gauss–Newton
and Levenberg–Marquardt.

θ may have leading run axes (..., d), as for every problem; ``residuals`` and ``jacobian`` then carry
them too.
"""

import numpy as np

from .._checks import check_choice, check_number
from .base import Problem

__all__ = ["CurveFit"]


def _exp_decay(t, theta):
    """φ = a e^{−bt}: values, first derivatives (∂a, ∂b) and second derivatives (∂aa, ∂ab, ∂bb)."""
    a, b = theta[..., 0:1], theta[..., 1:2]
    e = np.exp(-b * t)
    return a * e, (e, -a * t * e), (np.zeros_like(e), -t * e, a * t * t * e)


def _exp_rise(t, theta):
    """φ = a (1 − e^{−bt}): values, first and second derivatives, as for _exp_decay."""
    a, b = theta[..., 0:1], theta[..., 1:2]
    e = np.exp(-b * t)
    return a * (1 - e), (1 - e, a * t * e), (np.zeros_like(e), t * e, -a * t * t * e)


_MODELS = {"exp_decay": _exp_decay, "exp_rise": _exp_rise}

# NIST StRD, nonlinear regression, Misra1a (Misra 1978, dental research monomolecular adsorption study):
# y = volume, t = pressure, model y = b1 (1 − exp(−b2 t)); certified values to 11 significant digits.
_MISRA1A_T = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0]
_MISRA1A_Y = [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78]
_MISRA1A_CERTIFIED = (2.3894212918e02, 5.5015643181e-04)
_MISRA1A_RSS = 1.2455138894e-01


class CurveFit(Problem):
    r"""Least-squares fit of a two-parameter exponential model to data points (t_i, y_i), i = 1 … m.

    .. math::
        r_i(\theta) &= \varphi(t_i; \theta) - y_i, \qquad
        L(\theta) = \frac{1}{2m} \lVert r(\theta)\rVert^2, \qquad
        \nabla L = \frac1m J^\top r, \qquad J_{ij} = \frac{\partial r_i}{\partial\theta_j} \\
        \nabla^2 L &= \frac1m \Bigl(J^\top J + \sum_i r_i\, \nabla^2 \varphi(t_i; \theta)\Bigr)

    L is the *mean* squared residual (halved), like the book's other data problems; Gauss–Newton and
    Levenberg–Marquardt work with r and J themselves, where the factor 1/m cancels (or sets the units of the
    damping λ, see :class:`gdlib.LevenbergMarquardt`).

    =============  ======================================  ===================
    ``model``      φ(t; a, b)                              θ
    =============  ======================================  ===================
    ``exp_decay``  a e^{−bt}  (exponential decay)          (a, b)
    ``exp_rise``   a (1 − e^{−bt})  (saturation, Misra1a)  (a, b)
    =============  ======================================  ===================

    ``residuals(θ)`` has shape (..., m), ``jacobian(θ)`` shape (..., m, 2). ``x_star`` is set when Gauss–Newton
    from ``guess`` converges (to a local minimiser: these problems are not convex).

    :meth:`misra1a` loads NIST's Misra1a data set with its certified parameters; :meth:`exponential_decay`
    makes a seeded synthetic one.

    >>> p = CurveFit.misra1a()
    >>> p
    CurveFit(model='exp_rise', m=14)
    >>> bool(np.allclose(p.x_star, p.certified, rtol=1e-9)), round(2 * p.m * float(p.f_star), 10)
    (True, 0.1245513889)

    Reference: NIST Statistical Reference Datasets, nonlinear regression, Misra1a (Misra, D., 1978, Dental
    research monomolecular adsorption study), https://www.itl.nist.gov/div898/strd/nls/data/misra1a.shtml.
    """

    d = 2

    def __init__(self, t, y, model="exp_decay", guess=None):
        check_choice("model", model, tuple(_MODELS))
        t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
        if t.ndim != 1 or t.size < 2:
            raise ValueError(f"t must be a 1-D array of at least 2 points (got shape {t.shape})")
        if y.shape != t.shape:
            raise ValueError(f"y must have the shape of t, {t.shape} (got {y.shape})")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
            raise ValueError("t and y must be finite")
        self.t, self.y, self.model, self.m = t, y, model, t.size
        if guess is not None:
            self.x_star = self._gauss_newton(np.asarray(guess, dtype=float))
            self.f_star = None if self.x_star is None else float(self.f(self.x_star))

    @classmethod
    def misra1a(cls):
        """NIST's Misra1a: 14 points, φ = b₁(1 − e^{−b₂t}); ``certified`` holds the certified (b₁, b₂),
        ``certified_rss`` the certified residual sum of squares ‖r‖², ``starts`` NIST's two starting
        points."""
        problem = cls(_MISRA1A_T, _MISRA1A_Y, model="exp_rise", guess=_MISRA1A_CERTIFIED)
        problem.certified = np.array(_MISRA1A_CERTIFIED)
        problem.certified_rss = _MISRA1A_RSS
        problem.starts = (np.array([500.0, 1e-4]), np.array([250.0, 5e-4]))
        return problem

    @classmethod
    def exponential_decay(cls, m=30, a=2.0, b=0.5, noise=0.05, t_max=10.0, seed=0):
        """Seeded synthetic data y_i = a e^{−b t_i} + noise·ε_i at m points evenly spaced in [0, t_max]."""
        check_number("m", m, low=2, integer=True, allow_array=False)
        check_number("b", b, low=0, allow_array=False)
        check_number("noise", noise, low=0, allow_array=False)
        check_number("t_max", t_max, low=0, low_open=True, allow_array=False)
        t = np.linspace(0.0, t_max, int(m))
        y = a * np.exp(-b * t) + noise * np.random.default_rng(seed).standard_normal(int(m))
        return cls(t, y, model="exp_decay", guess=(a, b))

    def _gauss_newton(self, theta, steps=50):
        """A local minimiser by Gauss–Newton from ``theta``, or None if it does not converge."""
        for _ in range(steps):
            step = np.linalg.lstsq(self.jacobian(theta), -self.residuals(theta), rcond=None)[0]
            theta = theta + step
            if np.all(np.abs(step) <= 1e-15 * np.abs(theta)):
                return theta
        return None

    def _parts(self, theta):
        theta = self._x(theta)
        t, y = self._in(theta.dtype, "t", "y")
        phi, first, second = _MODELS[self.model](t, theta)
        return theta, phi - y, first, second

    def residuals(self, theta):
        """r(θ) = φ(t; θ) − y, shape (..., m)."""
        return self._parts(theta)[1]

    def jacobian(self, theta):
        """J(θ) = ∂r/∂θ, shape (..., m, 2)."""
        return np.stack(self._parts(theta)[2], axis=-1)

    def f(self, theta):
        r = self.residuals(theta)
        return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, theta):
        _, r, first, _ = self._parts(theta)
        return np.stack([np.mean(r * dj, axis=-1) for dj in first], axis=-1)

    def hess(self, theta):
        _, r, (da, db), (daa, dab, dbb) = self._parts(theta)
        h_aa = np.mean(da * da + r * daa, axis=-1)
        h_ab = np.mean(da * db + r * dab, axis=-1)
        h_bb = np.mean(db * db + r * dbb, axis=-1)
        return np.stack([np.stack([h_aa, h_ab], -1), np.stack([h_ab, h_bb], -1)], -2)

    def __repr__(self):
        return f"CurveFit(model={self.model!r}, m={self.m})"
