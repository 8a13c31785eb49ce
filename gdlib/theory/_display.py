"""Display helpers for the derivations: expressions shown in textbook term order.

A row of a derivation shows either the computed expression itself, or a *display expression*: an unevaluated
SymPy expression in textbook order (``display=``) that must equal the computed one (``tests/test_theory.py``
checks ``sp.simplify(display - expr) == 0`` for every such row). Its LaTeX is printed from it by SymPy, never
typed, so an edit to a derivation cannot leave the page showing an old formula. Only the context around a
formula (``lhs``, ``rhs``: "L(θ_T) − L* ≤", "‖θ₀ − θ*‖²") and the rows with no computed expression (a step
argued in words, marked "(by hand)" in its explanation) are typed by hand (``latex=``).
"""

import sympy as sp

__all__ = ["Shown", "one_minus", "frac", "LATEX_NAMES"]

#: LaTeX for symbols whose names are plain text (‖g‖ → \lVert g\rVert); filled by the modules that define them.
LATEX_NAMES = {}


class Shown:
    """A SymPy expression displayed in a natural term order.

    ``display`` (optional) is an unevaluated expression equal to ``expr``, printed instead of it (with
    ``order="none"``, so the order in which it was built is kept); ``lhs``/``rhs`` are LaTeX context printed
    before/after it; ``latex`` is a hand-typed formula, allowed only for rows with ``expr=None`` (by hand).
    Only the display changes: ``expr`` is what was computed."""

    def __init__(self, expr, latex=None, order="none", text=None, display=None, lhs="", rhs="", names=None):
        if latex is not None and expr is not None:
            raise ValueError("a computed row is printed from its expression (use display=), not hand-typed LaTeX")
        self.expr, self.latex, self.order, self.text = expr, latex, order, text
        self.display, self.lhs, self.rhs = display, lhs, rhs
        self.names = {**LATEX_NAMES, **(names or {})}

    @property
    def shown(self):
        """The expression whose printing is displayed (``display`` if given, else ``expr``)."""
        return self.display if self.display is not None else self.expr

    def _latex(self, printer):
        if self.latex is not None:
            return self.latex
        body = sp.latex(self.shown, order=self.order, symbol_names=self.names)
        return f"{self.lhs}{body}{self.rhs}"

    def _sympystr(self, printer):
        return self.text if self.text is not None else sp.sstr(self.shown, order=self.order)


def one_minus(x):
    """1 − x, kept in that order for display."""
    return sp.Add(1, -x, evaluate=False)


def frac(numerator, denominator):
    """numerator/denominator, unevaluated (so both keep the order in which they were built)."""
    return sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)
