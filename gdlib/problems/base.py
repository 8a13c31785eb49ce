r"""What a problem is: the contract every gdlib problem keeps, and the base class that states it.

A *problem* is a loss L(θ) that ``gd.run`` can minimise. Required:

==================  ==========================================================================
member              contract
==================  ==========================================================================
``f(θ)``            the loss, one number per run: θ of shape (*runs, d) → shape (*runs)
``grad(θ)``         ∇L(θ), the shape of θ
``d``               the number of parameters of one run
==================  ==========================================================================

Optional (each is ``None`` or missing when the problem does not know it; ask :meth:`Problem.has`):

==================  ==========================================================================
``hess(θ)``         ∇²L(θ), shape (*runs, d, d) (flat problems only)
``hvp(θ, v)``       the Hessian-vector product ∇²L(θ)·v, the shape of θ, without forming ∇²L
``n``               a data problem's number of examples; then ``f(θ, idx)``, ``grad(θ, idx)`` and
                    ``hvp(θ, v, idx)`` take a mini-batch of example indices (None: all n)
``per_example_grads(θ, idx)``  the gradient of each example's loss, shape (*runs, B, d)
``shapes``          structured parameters: a tree (tuple, list or dict) of the shapes of one run's
                    arrays, e.g. ``{"W1": (32, 30), "b1": (32,), …}``; θ is then such a tree
``x_star, f_star``  a minimiser and the minimum
``L, mu``           smoothness and strong-convexity constants
==================  ==========================================================================

**Dtypes.** A problem computes in the floating dtype of θ (float64, float32 or float16); integer θ is
taken as float64.

>>> import gdlib as gd
>>> q = gd.Quadratic.from_condition(10.0)
>>> q.has("hess"), q.has("hvp"), q.has("n")
(True, True, False)
"""

from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Problem", "ProblemLike"]


@runtime_checkable
class ProblemLike(Protocol):
    """The two methods every problem has (see the module docstring for the optional ones)."""

    def f(self, x): ...

    def grad(self, x): ...


def as_float(x):
    """θ as an array of a floating dtype: float16/32/64 are kept, anything else becomes float64."""
    x = np.asarray(x)
    if x.dtype in (np.float16, np.float32, np.float64):
        return x
    return x.astype(np.float64)


def check_indices(idx, n, what="example indices"):
    """A mini-batch ``idx`` as an integer array, checked: non-empty, 1-D, integers in [0, n − 1]; the error
    names ``what`` the indices select."""
    idx = np.asarray(idx)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"idx must be a non-empty 1-D array of integer {what} in [0, {n - 1}]")
    return idx


def random_start(seed, n_runs, dtype):
    """The checks and the generator every problem's ``init`` shares: (rng seeded by ``seed``, the run axes —
    () for one run, (n_runs,) for vectorised runs)."""
    from .._checks import check_number

    if seed is not None:
        check_number("seed", seed, low=0, integer=True, allow_array=False)
    if n_runs is not None:
        check_number("n_runs", n_runs, low=1, integer=True, allow_array=False)
    if np.dtype(dtype) not in (np.float16, np.float32, np.float64):
        raise ValueError(f"dtype must be float16, float32 or float64 (got {np.dtype(dtype)})")
    return np.random.default_rng(seed), (() if n_runs is None else (int(n_runs),))


class Problem:
    """Base class of the book's problems: see the module docstring for the contract."""

    x_star = None
    f_star = None
    L = None
    mu = None
    n = None
    shapes = None
    hess = None

    def _x(self, x):
        """θ checked against the problem's dimension and kept in its floating dtype."""
        x = as_float(x)
        if x.ndim == 0 or x.shape[-1] != self.d:
            raise ValueError(f"x must have shape (..., {self.d}) for {type(self).__name__} (got {x.shape})")
        return x

    def _in(self, dtype, *names):
        """The problem's constant arrays ``names`` in ``dtype`` (cast once, then cached), so that a float32 θ
        is not promoted to float64 by a float64 constant."""
        if dtype == np.float64:
            return tuple(getattr(self, name) for name in names)
        cache = self.__dict__.setdefault("_constants", {})
        out = []
        for name in names:
            key = (name, np.dtype(dtype))
            if key not in cache:
                cache[key] = np.asarray(getattr(self, name)).astype(dtype)
            out.append(cache[key])
        return tuple(out)

    def has(self, member):
        """Whether this problem provides ``member`` ('hess', 'hvp', 'n', 'per_example_grads', 'x_star', …)."""
        if member == "hvp":
            return callable(getattr(self, "hess", None)) or type(self).hvp is not Problem.hvp
        value = getattr(self, member, None)
        return value is not None

    def value_and_grad(self, x, *idx):
        """(L(θ), ∇L(θ)) together; problems that share work between the two override it."""
        return self.f(x, *idx), self.grad(x, *idx)

    def hvp(self, x, v, *idx):
        """∇²L(θ)·v. The default multiplies by the dense Hessian; large problems override it."""
        if not callable(getattr(self, "hess", None)):
            raise ValueError(f"{type(self).__name__} provides neither hess nor hvp")
        if idx and idx[0] is not None:
            raise ValueError(f"{type(self).__name__}.hvp has no mini-batch version")
        return np.einsum("...ij,...j->...i", self.hess(x), np.asarray(v))
