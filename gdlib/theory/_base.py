"""The book's symbols and the Derivation record every derivation of gdlib.theory returns."""

from dataclasses import dataclass

import sympy as sp

__all__ = ["SYMBOLS", "Derivation"]

eta, lam, mu, L, kappa, eps, T = sp.symbols("eta lambda mu L kappa epsilon T", positive=True)
alpha, beta = sp.symbols("alpha beta", positive=True)
z = sp.Symbol("z")
#: The book's symbols, by name.
SYMBOLS = {
    "eta": eta,
    "lambda": lam,
    "mu": mu,
    "L": L,
    "kappa": kappa,
    "epsilon": eps,
    "T": T,
    "alpha": alpha,
    "beta": beta,
    "z": z,
}


@dataclass
class Derivation:
    """A derivation: a title, the steps (explanation, SymPy expression), the results and the source."""

    title: str
    steps: list
    result: dict
    reference: str = ""

    def __getitem__(self, key):
        return self.result[key]

    def _repr_latex_(self):
        rows = [rf"\textbf{{{self.title}}}\\"]
        rows += [rf"\text{{{text}}}\quad & {sp.latex(expr)}\\" for text, expr in self.steps]
        if self.reference:
            rows.append(rf"\text{{Source: {self.reference}}}")
        return r"$\begin{aligned}" + "\n".join(rows) + r"\end{aligned}$"

    def __repr__(self):
        lines = [self.title]
        lines += [f"  {text}: {sp.sstr(expr)}" for text, expr in self.steps]
        if self.reference:
            lines.append(f"  Source: {self.reference}")
        return "\n".join(lines)
