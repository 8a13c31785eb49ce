r"""Finite-difference checks of gradients and Hessians.

Central differences have error O(h²): with h ≈ 1e-5 and double precision, agreement to about 1e-8 relative
is what a correct gradient shows and a wrong one does not.
"""

import numpy as np

__all__ = ["numerical_grad", "numerical_hess", "check_grad"]


def numerical_grad(f, x, h=1e-6):
    r"""Central-difference gradient: ∂f/∂θ_i ≈ (f(θ + h e_i) − f(θ − h e_i)) / 2h, for θ of shape (..., d)."""
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        g[..., i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numerical_hess(grad, x, h=1e-5):
    r"""Central differences of the gradient: H_ij ≈ (g_j(θ + h e_i) − g_j(θ − h e_i)) / 2h, symmetrised."""
    x = np.asarray(x, dtype=float)
    d = x.shape[-1]
    H = np.empty(x.shape + (d,))
    for i in range(d):
        e = np.zeros(d)
        e[i] = h
        H[..., i, :] = (grad(x + e) - grad(x - e)) / (2 * h)
    return 0.5 * (H + np.swapaxes(H, -1, -2))


def check_grad(f, grad, x, h=1e-6):
    """The largest relative difference between ``grad(x)`` and the central-difference gradient of ``f``,
    relative to max(1, |∇f|). ``f`` may also be a problem (then ``grad`` may be None)."""
    if grad is None:
        f, grad = f.f, f.grad
    exact = np.asarray(grad(x))
    approx = numerical_grad(f, x, h)
    return float(np.max(np.abs(exact - approx) / np.maximum(1.0, np.abs(exact))))
