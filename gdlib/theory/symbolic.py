"""A gdlib problem in SymPy: its expression, gradient and Hessian."""

from dataclasses import dataclass

import sympy as sp

__all__ = ["Symbolic", "symbolic"]


@dataclass
class Symbolic:
    """A problem in SymPy: the expression, its variables, gradient and Hessian."""

    expr: sp.Expr
    variables: tuple
    gradient: sp.Matrix
    hessian: sp.Matrix

    def __repr__(self):
        return f"Symbolic({sp.sstr(self.expr)})"


def symbolic(problem):
    """The SymPy form of a gdlib problem, built from its parameters, with its symbolic gradient and Hessian."""
    from .. import problems as P

    d = problem.d
    v = sp.symbols(f"theta1:{d + 1}", real=True) if d > 2 else sp.symbols("x y", real=True)
    x = sp.Matrix(v)
    num = lambda value: sp.nsimplify(float(value), rational=True, tolerance=1e-12)  # noqa: E731
    if isinstance(problem, P.Quadratic):
        A = sp.Matrix(d, d, lambda i, j: num(problem.A[i, j]))
        b = sp.Matrix([num(bi) for bi in problem.b])
        expr = (x.T * A * x)[0] / 2 - (b.T * x)[0] + num(problem.c)
    elif isinstance(problem, P.Rosenbrock):
        expr = (num(problem.a) - v[0]) ** 2 + num(problem.b) * (v[1] - v[0] ** 2) ** 2
    elif isinstance(problem, P.Saddle):
        expr = (num(problem.a) * v[0] ** 2 - num(problem.b) * v[1] ** 2) / 2
    elif isinstance(problem, P.Himmelblau):
        expr = (v[0] ** 2 + v[1] - 11) ** 2 + (v[0] + v[1] ** 2 - 7) ** 2
    elif isinstance(problem, P.Valley):
        expr = v[0] ** 2 / (2 * num(problem.kappa)) + (v[1] - num(problem.curvature) * sp.sin(v[0])) ** 2 / 2
    elif isinstance(problem, P.LogCosh):
        expr = sum(num(s) * sp.log(sp.cosh(vi)) for s, vi in zip(problem.scales, v, strict=True))
    else:
        raise TypeError(f"no symbolic form for {type(problem).__name__}")
    gradient = sp.Matrix([sp.diff(expr, vi) for vi in v])
    return Symbolic(sp.expand(expr), tuple(v), gradient, sp.hessian(expr, v))
