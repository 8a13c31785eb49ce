r"""The oracle: what an optimizer may ask of the problem during one step.

A first-order method needs only the gradient g_t, and ``gd.run`` hands it over. Other methods need more
at the same step: a line search evaluates L at trial points, Newton and conjugate gradient need
Hessian-vector products, SAM a second gradient at a perturbed point, L-BFGS the loss beside the gradient.
``run`` gives such an optimizer an :class:`Oracle` for the step (``opt.step(x, g, state, oracle=…)``),
bound to the step's mini-batch.

The contract:

- ``f(θ)``, ``grad(θ)``, ``value_and_grad(θ)``, ``hvp(θ, v)``, ``hess(θ)`` evaluate the problem on the
  step's mini-batch (all examples when the run is full-batch). θ may carry run axes like the iterate.
- The oracle remembers the last point it evaluated: asking again for L or ∇L at that same θ costs
  nothing and is not counted again (the runner's gradient g_t at θ_t is such a point).
- It counts what it evaluated: ``nfev`` (values of L), ``ngev`` (gradients), ``nhev`` (Hessian-vector
  products and Hessians). ``run`` adds these up in :class:`~gdlib.RunResult`. One call counts once even
  when it evaluates many runs at once.
- ``run_ndim`` says how many leading axes of θ are run axes (for per-run norms), and ``problem`` is
  the problem itself, for anything else (its ``A``, ``L``, ``x_star``).

An optimizer that uses the oracle sets the class attribute ``uses_oracle = True``; ``run`` passes the
oracle only to those, so a first-order optimizer's ``step(x, g, state)`` stays as it was.

>>> import gdlib as gd, numpy as np
>>> oracle = gd.Oracle(gd.Quadratic.from_eigenvalues([1.0, 10.0]))
>>> x = np.array([1.0, 1.0])
>>> g = oracle.grad(x); f, g_again = oracle.value_and_grad(x)   # the gradient at x is not recomputed
>>> float(f), oracle.nfev, oracle.ngev
(5.5, 1, 1)
"""

import numpy as np

from . import tree

__all__ = ["Oracle"]


def _same(a, b):
    if a is b:
        return True
    la, lb = tree.leaves(a), tree.leaves(b)
    return len(la) == len(lb) and all(
        np.shape(p) == np.shape(q) and np.array_equal(p, q) for p, q in zip(la, lb, strict=True)
    )


class Oracle:
    """Loss, gradient and curvature of ``problem`` on one mini-batch ``idx`` (None: all examples), with a
    one-point cache and evaluation counts. See the module docstring for the contract."""

    def __init__(self, problem, idx=None, run_ndim=None):
        self.problem = problem
        self.idx = idx
        self.run_ndim = run_ndim
        self.nfev = self.ngev = self.nhev = 0
        self._x = self._f = self._g = None

    def _args(self):
        return () if self.idx is None else (self.idx,)

    def _lookup(self, x):
        if self._x is not None and _same(x, self._x):
            return True
        self._x, self._f, self._g = x, None, None
        return False

    def f(self, x):
        """L(θ) on the step's mini-batch."""
        if not self._lookup(x) or self._f is None:
            self._f = self.problem.f(x, *self._args())
            self.nfev += 1
        return self._f

    def grad(self, x):
        """∇L(θ) on the step's mini-batch."""
        if not self._lookup(x) or self._g is None:
            self._g = self.problem.grad(x, *self._args())
            self.ngev += 1
        return self._g

    def value_and_grad(self, x):
        """(L(θ), ∇L(θ)) on the step's mini-batch; each is computed only if not already known at θ."""
        known = self._lookup(x)
        if not known or (self._f is None and self._g is None):
            self._f, self._g = self.problem.value_and_grad(x, *self._args())
            self.nfev += 1
            self.ngev += 1
        elif self._f is None:
            self._f = self.problem.f(x, *self._args())
            self.nfev += 1
        elif self._g is None:
            self._g = self.problem.grad(x, *self._args())
            self.ngev += 1
        return self._f, self._g

    def hvp(self, x, v):
        """The Hessian-vector product ∇²L(θ)·v on the step's mini-batch."""
        self.nhev += 1
        return self.problem.hvp(x, v, *self._args())

    def hess(self, x):
        """The dense Hessian ∇²L(θ) (full batch; flat problems only)."""
        if not callable(getattr(self.problem, "hess", None)):
            raise ValueError(f"{type(self.problem).__name__} has no dense Hessian; use oracle.hvp(x, v)")
        if self.idx is not None:
            raise ValueError("the dense Hessian is full-batch only; use oracle.hvp(x, v) on a mini-batch")
        self.nhev += 1
        return self.problem.hess(x)

    def counts(self):
        """The evaluations so far, as a dict {'nfev', 'ngev', 'nhev'}."""
        return {"nfev": self.nfev, "ngev": self.ngev, "nhev": self.nhev}

    def __repr__(self):
        batch = "full batch" if self.idx is None else f"mini-batch of {len(self.idx)}"
        return f"Oracle({type(self.problem).__name__}, {batch}; nfev={self.nfev}, ngev={self.ngev}, nhev={self.nhev})"
