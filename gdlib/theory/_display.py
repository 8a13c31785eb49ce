"""Display helpers for the derivations: expressions shown in textbook term order."""

import sympy as sp

__all__ = ["Shown", "one_minus"]


class Shown:
    """A SymPy expression displayed in a natural term order (``order="none"`` keeps the order in which the
    expression was built; ``latex`` overrides the LaTeX entirely). Only the display changes."""

    def __init__(self, expr, latex=None, order="none", text=None):
        self.expr, self.latex, self.order, self.text = expr, latex, order, text

    def _latex(self, printer):
        return self.latex if self.latex is not None else sp.latex(self.expr, order=self.order)

    def _sympystr(self, printer):
        return self.text if self.text is not None else sp.sstr(self.expr, order=self.order)


def one_minus(x):
    """1 − x, kept in that order for display."""
    return sp.Add(1, -x, evaluate=False)
