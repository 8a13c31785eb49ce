"""L-BFGS (history 10, strong Wolfe) against scipy's L-BFGS-B on the breast-cancer logistic regression
(569 examples, 30 standardised features, L2 penalty λ = 10⁻³): how many distinct points each evaluates
(loss and gradient) before the first point with ‖∇L‖∞ ≤ 10⁻⁶. Goal: gdlib ≤ 1.5 × scipy.

gdlib is driven as ``gd.run`` drives it: one ``step`` per iteration, with a fresh ``gd.Oracle`` whose first
evaluation is the gradient at θ_t (the point the line search of the previous step ended on, so counted
once as a distinct point but twice in the evaluation counts). ``tolerance_change`` is lowered to 10⁻¹⁵
so that torch's early stop on a small slope does not end the run before the goal.

Run: python benchmarks/bench_lbfgs.py
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import gdlib as gd  # noqa: E402


class Counting(gd.Problem):
    """A problem that remembers every distinct point where L or ∇L was evaluated."""

    def __init__(self, inner):
        self.inner, self.d, self.points = inner, inner.d, {}

    def _see(self, x):
        key = np.asarray(x, dtype=float).tobytes()
        self.points.setdefault(key, len(self.points))

    def f(self, x):
        self._see(x)
        return self.inner.f(x)

    def grad(self, x):
        self._see(x)
        return self.inner.grad(x)

    def value_and_grad(self, x):
        self._see(x)
        return self.inner.f(x), self.inner.grad(x)


def breast_cancer(l2):
    data = gd.load_breast_cancer().standardized()
    return gd.LogisticRegression(data.X, data.y, l2=l2)


def gdlib_lbfgs(l2=1e-3, goal=1e-6, history=10, max_steps=1000):
    """(distinct points, steps, nfev, ngev) of gd.LBFGS until ‖∇L‖∞ ≤ goal."""
    problem = Counting(breast_cancer(l2))
    opt = gd.LBFGS(history_size=history, line_search_fn="strong_wolfe", tolerance_change=1e-15)
    x = np.zeros(problem.d)
    state, nfev, ngev = opt.init(x), 0, 0
    for step in range(max_steps):
        oracle = gd.Oracle(problem)
        g = oracle.grad(x)
        if np.abs(g).max() <= goal:
            nfev, ngev = nfev + oracle.nfev, ngev + oracle.ngev
            return len(problem.points), step, nfev, ngev
        x, state = opt.step(x, g, state, oracle=oracle)
        nfev, ngev = nfev + oracle.nfev, ngev + oracle.ngev
    raise RuntimeError(f"gd.LBFGS did not reach ‖∇L‖∞ ≤ {goal:g} in {max_steps} steps")


def scipy_lbfgsb(l2=1e-3, goal=1e-6, history=10):
    """(distinct points until the first with ‖∇L‖∞ ≤ goal, iterations) of scipy's L-BFGS-B."""
    from scipy.optimize import minimize

    problem = breast_cancer(l2)
    seen, first_good = {}, []

    def fun(x):
        key = x.tobytes()
        seen.setdefault(key, len(seen))
        g = problem.grad(x)
        if np.abs(g).max() <= goal and not first_good:
            first_good.append(len(seen))
        return problem.f(x), g

    result = minimize(
        fun,
        np.zeros(problem.d),
        jac=True,
        method="L-BFGS-B",
        options=dict(maxcor=history, gtol=goal, ftol=0.0, maxiter=1000),
    )
    if not first_good:
        raise RuntimeError(f"L-BFGS-B stopped ({result.message}) before ‖∇L‖∞ ≤ {goal:g}")
    return first_good[0], result.nit


def measure(l2=1e-3, goal=1e-6, history=10):
    """The benchmark's numbers, as a dict."""
    start = time.perf_counter()
    points, steps, nfev, ngev = gdlib_lbfgs(l2, goal, history)
    seconds = time.perf_counter() - start
    scipy_points, scipy_iterations = scipy_lbfgsb(l2, goal, history)
    return dict(
        points=points,
        steps=steps,
        nfev=nfev,
        ngev=ngev,
        seconds=seconds,
        scipy_points=scipy_points,
        scipy_iterations=scipy_iterations,
        ratio=points / scipy_points,
    )


def main():
    m = measure()
    print("L-BFGS, history 10, strong Wolfe; breast-cancer logistic regression, λ = 1e-3; until ‖∇L‖∞ ≤ 1e-6")
    print(
        f"  gdlib  : {m['points']:4d} distinct points in {m['steps']} steps "
        f"(oracle counts nfev={m['nfev']}, ngev={m['ngev']}; {m['seconds'] * 1e3:.0f} ms)"
    )
    print(f"  scipy  : {m['scipy_points']:4d} distinct points in {m['scipy_iterations']} iterations (L-BFGS-B)")
    verdict = "meets" if m["ratio"] <= 1.5 else "MISSES"
    print(f"  ratio  : {m['ratio']:.2f}   (goal ≤ 1.5: {verdict} goal)")


if __name__ == "__main__":
    main()
