r"""A function the reader types, turned into a problem — without ever running the text.

:func:`parse_function` reads ``"(1-x)^2 + 100*(y-x^2)^2"`` and returns a :class:`ParsedFunction`, a gdlib
problem whose f, gradient and Hessian come from SymPy and are compiled to numpy, usable with ``gd.run``.

**Safety.** The text is never given to ``eval``, ``exec``, ``sympify`` or ``parse_expr`` (all of which run
Python). It is checked in four stages, and anything outside them raises :class:`ParseError`, whose message
shows the text with a caret under the offending part:

1. characters: ASCII only (Python's parser would NFKC-normalise look-alikes such as ``ｘ`` or ``𝑥`` into
   ``x``), and only letters, digits, spaces and ``+ - * / ^ ( ) . , _`` (the underscore because Python
   reads ``1_000`` as 1000; hexadecimal, octal and binary literals are refused at stage 3); at most
   :data:`MAX_LENGTH` of them;
2. syntax: ``^`` becomes ``**`` and Python's :mod:`ast` parses the text as one expression;
3. the tree: only numbers, the named variables, the constants ``pi`` and ``e``, + − × ÷, powers and calls
   of the functions in :data:`FUNCTIONS` (one positional argument each) are admitted; at most
   :data:`MAX_DEPTH` levels and :data:`MAX_NODES` nodes; literals at most :data:`MAX_NUMBER` in size;
   a constant exponent at most :data:`MAX_EXPONENT`; every constant sub-expression is evaluated in floating
   point first, so that an overflow (``9^9^9``) or a division by zero is refused *before* SymPy, which
   would evaluate ``9**9**9`` exactly, in C, where nothing can interrupt it; and, since a harmless float
   value can hide a huge exact one (``((2/3)^100)^100`` is about 1e-3522 but has 30,000 digits as an
   exact fraction), every node also carries an upper bound on the digits of its exact value (digits add
   under + − × ÷ and multiply by the exponent under a power), refused above :data:`MAX_DIGITS`;
4. the SymPy expression is built from the checked tree node by node; a node that is undefined or complex
   (``log(0)``, ``sqrt(-1)``, ``1/sin(pi)``), or whose combined exponents exceed :data:`MAX_EXPONENT`
   (``(x^10)^11`` is ``x^110``), is refused with a caret under it. Any other exception of these stages
   (SymPy's, Python's digit limit…) also becomes a :class:`ParseError`.

The only code ever executed is what ``lambdify`` prints from the checked SymPy expression: numbers, the
variable names and numpy functions.

**Non-smooth functions.** The variables are real SymPy symbols, so ``abs(x)`` differentiates to
``sign(x)``. Its second derivative, ``2 δ(x)``, is a distribution, not a number: the Hessian is reported
as NaN (undefined) where the argument of δ is zero and 0 elsewhere.
"""

import ast
import math
import string

import numpy as np

from .problems.base import Problem

__all__ = ["ParseError", "ParsedFunction", "parse_function", "FUNCTIONS"]

MAX_LENGTH = 500  #: characters of text
MAX_DEPTH = 30  #: levels of the syntax tree
MAX_NODES = 300  #: nodes of the syntax tree
MAX_NUMBER = 1e15  #: largest literal
MAX_EXPONENT = 100  #: largest constant exponent |p| in a**p
MAX_CONSTANT = 1e100  #: largest value of a constant sub-expression
MAX_DIGITS = 2000  #: largest bound on the digits of a sub-expression's exact value (numerator + denominator)
_NEAR_BOUNDARY = 1e-12  #: float rounding this close to a domain boundary (sqrt(-1e-16)) is left to SymPy

#: The functions a formula may call, with the numpy function that evaluates a constant argument.
FUNCTIONS = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_ALLOWED_CHARACTERS = set(string.ascii_letters + string.digits + " +-*/^().,_")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


class ParseError(ValueError):
    """The text is not a formula :func:`parse_function` admits; the message points at the offending part.

    ``position`` is the 0-based index in the text where the problem starts (None when it is the whole text).
    """

    def __init__(self, text, reason, start=None, end=None):
        if start is not None:  # a caret on a leading blank moves to the first character; at most one past the end
            start = min(start, len(text))
            while start < len(text) and text[start].isspace() and not text[:start].strip():
                start += 1
            end = max(start + 1, end if end is not None else start + 1)
        self.text, self.reason, self.position = text, reason, start
        shown = "".join(c if c.isascii() and c.isprintable() else "?" for c in text)
        lo = 0  # a long text is shown as a window of 114 characters around the offending part
        if len(shown) > 120:
            lo = 0 if start is None else max(0, min(start - 40, len(shown) - 114))
            shown = ("..." if lo else "") + shown[lo : lo + 114] + ("..." if lo + 114 < len(text) else "")
            lo -= 3 if lo else 0
        if start is None:
            message = f"{reason}\n    {shown}"
        else:
            width = max(1, min(end, len(shown) + lo) - start)
            message = f"{reason} (at column {start + 1})\n    {shown}\n    {' ' * (start - lo)}{'^' * width}"
        super().__init__(message)


def _check_characters(text):
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__})")
    for i, ch in enumerate(text):
        if not ch.isascii():
            raise ParseError(text, f"only ASCII characters are allowed, not {ch!r} (U+{ord(ch):04X})", i)
    if not text.strip():
        raise ParseError(text, "the formula is empty")
    if len(text) > MAX_LENGTH:
        raise ParseError(text, f"the formula is longer than {MAX_LENGTH} characters ({len(text)})")
    for i, ch in enumerate(text):
        if ch not in _ALLOWED_CHARACTERS:
            raise ParseError(text, f"the character {ch!r} is not allowed in a formula", i)


def _parse_tree(text):
    """The ast of the text with ^ read as **; and a map from the parsed text's columns back to the text's."""
    columns, parsed = [], []
    for i, ch in enumerate(text):
        if ch == "^":
            parsed.append("**"), columns.extend((i, i))
        else:
            parsed.append(ch), columns.append(i)
    columns.append(len(text))
    source = "".join(parsed)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        offset = len(source) - len(source.lstrip())
        if exc.offset is None:
            column = None
        elif exc.offset == 0:  # Python's way of saying "at the end of the input": one past the last character
            column = len(text.rstrip())
        else:
            column = columns[min(offset + exc.offset - 1, len(columns) - 1)]
        raise ParseError(text, f"not a formula: {exc.msg}", column) from None
    except (MemoryError, RecursionError, ValueError, OverflowError) as exc:
        raise ParseError(text, f"the formula cannot be parsed ({type(exc).__name__})") from None
    shift = len(source) - len(source.lstrip())

    def span(node):
        start = getattr(node, "col_offset", None)
        if start is None:
            return None, None
        end = getattr(node, "end_col_offset", None) or start + 1
        return columns[min(start + shift, len(columns) - 1)], columns[min(end + shift, len(columns) - 1)]

    return tree.body, span


class _Checker:
    """Walks the ast, admitting only the formula grammar; returns each node's float value when constant."""

    def __init__(self, text, variables, span):
        self.text, self.variables, self.span, self.nodes = text, variables, span, 0
        self.digits = {}  # id(node): upper bound on the digits of the node's exact value

    def check(self, node, depth=1):
        value = self._check(node, depth)
        if self.digits.get(id(node), 0) > MAX_DIGITS:
            self.fail(
                node,
                f"this part would have more than {MAX_DIGITS} digits if computed exactly "
                "(exact fractions and powers of powers grow fast)",
            )
        return value

    def size(self, node):
        return self.digits.get(id(node), 0)

    def fail(self, node, reason):
        raise ParseError(self.text, reason, *self.span(node))

    def _check(self, node, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(node, f"the formula has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            self.fail(node, f"the formula is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(node, f"only numbers are allowed as constants, not {type(value).__name__}")
            # an int is compared exactly: float() of an int with 310 digits or more raises OverflowError
            if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_NUMBER:
                self.fail(node, f"numbers must be at most {MAX_NUMBER:.0e} in size")
            literal = self.text[slice(*self.span(node))].lower()
            if isinstance(value, int) and literal.startswith(("0x", "0o", "0b")):
                self.fail(node, "only decimal numbers are allowed (not hexadecimal, octal or binary)")
            self.digits[id(node)] = sum(c.isdigit() for c in repr(value))
            return float(value)
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return None
            if node.id in CONSTANTS:
                self.digits[id(node)] = 1
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                self.fail(node, f"the function {node.id} needs an argument: {node.id}(...)")
            self.fail(node, f"unknown name {node.id!r}: the variables are {', '.join(self.variables)}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value = self.check(node.operand, depth + 1)
            self.digits[id(node)] = self.size(node.operand)
            return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            a = self.check(node.left, depth + 1)
            b = self.check(node.right, depth + 1)
            if isinstance(node.op, ast.Pow) and b is not None and abs(b) > MAX_EXPONENT:
                self.fail(node.right, f"exponents must be at most {MAX_EXPONENT} in size")
            if isinstance(node.op, ast.Pow) and b is not None:  # (p/q)^n has about n times the digits of p/q
                self.digits[id(node)] = self.size(node.left) * max(1, math.ceil(abs(b))) + self.size(node.right)
            else:  # (a/b) ∘ (c/d) has at most the digits of a, b, c, d and one more
                self.digits[id(node)] = self.size(node.left) + self.size(node.right) + 1
            if a is None or b is None:
                return None
            return self.fold(node, a, b)
        if isinstance(node, ast.Call):
            return self.check_call(node, depth)
        self.fail(node, f"{self.describe(node)} is not allowed in a formula")

    def check_call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            self.fail(node.func, f"{self.describe(node.func)} cannot be called")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            self.fail(node.func, f"unknown function {name!r}: the functions are {allowed}")
        if node.keywords:
            self.fail(node.keywords[0].value, f"{name}() takes no keyword arguments")
        if len(node.args) != 1:
            self.fail(node, f"{name}() takes exactly one argument (got {len(node.args)})")
        (arg,) = node.args
        if isinstance(arg, ast.Starred):
            self.fail(arg, f"{name}() takes no starred argument")
        value = self.check(arg, depth + 1)
        self.digits[id(node)] = self.size(arg) + 1
        if value is None:
            return None
        try:
            result = float(FUNCTIONS[name](value))
        except OverflowError:
            self.fail(node, f"this constant is larger than {MAX_CONSTANT:.0e}")
        except ValueError:
            # sqrt(-sin(pi)) is sqrt(-1.2e-16) in floating point but sqrt(0) exactly: leave it to SymPy
            if name == "sqrt" and -_NEAR_BOUNDARY < value < 0:
                result = 0.0
            elif name in ("asin", "acos") and abs(value) - 1 < _NEAR_BOUNDARY:
                result = float(FUNCTIONS[name](math.copysign(1.0, value)))
            else:
                self.fail(node, f"{name}({value:g}) is not a real number")
        return self.bounded(node, result)

    def fold(self, node, a, b):
        """The float value of a constant a ∘ b, refused when it is undefined, complex or too large."""
        if isinstance(node.op, ast.Pow) and a < 0 and b != int(b):
            if a > -_NEAR_BOUNDARY and b > 0:  # float rounding of an exact 0: leave it to SymPy
                a = 0.0
            else:
                self.fail(node, "a negative number to a fractional power is not a real number")
        if (isinstance(node.op, ast.Div) and b == 0) or (isinstance(node.op, ast.Pow) and a == 0 and b < 0):
            self.fail(node, "division by zero")
        try:
            if isinstance(node.op, ast.Add):
                result = a + b
            elif isinstance(node.op, ast.Sub):
                result = a - b
            elif isinstance(node.op, ast.Mult):
                result = a * b
            elif isinstance(node.op, ast.Div):
                result = a / b
            else:
                result = math.pow(a, b)
        except ZeroDivisionError:
            self.fail(node, "division by zero")
        except (OverflowError, ValueError):
            self.fail(node, f"this constant is larger than {MAX_CONSTANT:.0e}")
        return self.bounded(node, result)

    def bounded(self, node, value):
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            self.fail(node, f"this constant is larger than {MAX_CONSTANT:.0e}")
        return value

    @staticmethod
    def describe(node):
        names = {
            ast.Attribute: "attribute access (a.b)",
            ast.Subscript: "a subscript (a[i])",
            ast.Lambda: "a lambda",
            ast.ListComp: "a comprehension",
            ast.GeneratorExp: "a generator",
            ast.Compare: "a comparison",
            ast.BoolOp: "and/or",
            ast.IfExp: "if/else",
            ast.NamedExpr: "an assignment (:=)",
            ast.JoinedStr: "an f-string",
            ast.Tuple: "a tuple",
        }
        operators = {
            ast.FloorDiv: "// (integer division)", ast.Mod: "% (remainder)", ast.MatMult: "@",
            ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "the bitwise ^ (write powers as ^ or **)",
            ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~",
        }  # fmt: skip
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            return f"the operator {operators.get(type(node.op), type(node.op).__name__)}"
        if isinstance(node, ast.Call):
            return "the result of a call"
        return names.get(type(node), type(node).__name__)


def _to_sympy(node, symbols, fail=None):
    """The SymPy expression of a checked tree, built node by node (no text is ever handed to SymPy); each
    node is refused through ``fail(node, reason)`` when it is undefined, complex, or its exponents, combined
    by SymPy ((x^10)^11 = x^110, x^60·x^60 = x^120), exceed MAX_EXPONENT."""
    import sympy as sp

    def fail_at(n, reason):
        if fail is None:
            raise ValueError(reason)
        fail(n, reason)

    def checked(n, expr):
        if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            fail_at(n, "this part is undefined (a division by zero, or the log of 0?)")
        if expr.has(sp.I):
            fail_at(n, "this part is not a real number (a square root or log of a negative number, an acos beyond ±1?)")
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Pow, ast.Mult, ast.Div)):
            for p in expr.atoms(sp.Pow):
                if p.exp.is_Number and abs(p.exp) > MAX_EXPONENT:
                    fail_at(
                        n,
                        f"exponents must be at most {MAX_EXPONENT} in size, also once powers of powers "
                        f"and products are combined (this part has the power {sp.sstr(p)})",
                    )
        return expr

    functions = {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "ln": sp.log,
        "sqrt": sp.sqrt, "abs": sp.Abs,
    }  # fmt: skip

    def build(n):
        return checked(n, build_node(n))

    def build_node(n):
        if isinstance(n, ast.Constant):
            return sp.Integer(n.value) if isinstance(n.value, int) else sp.Float(repr(n.value))
        if isinstance(n, ast.Name):
            return symbols[n.id] if n.id in symbols else {"pi": sp.pi, "e": sp.E}[n.id]
        if isinstance(n, ast.UnaryOp):
            return -build(n.operand) if isinstance(n.op, ast.USub) else build(n.operand)
        if isinstance(n, ast.Call):
            return functions[n.func.id](build(n.args[0]))
        a, b = build(n.left), build(n.right)
        if isinstance(n.op, ast.Add):
            return a + b
        if isinstance(n.op, ast.Sub):
            return a - b
        if isinstance(n.op, ast.Mult):
            return a * b
        if isinstance(n.op, ast.Div):
            return a / b
        return a**b

    return build(node)


def _undefined_at_kinks(expr):
    """δ(u) (from differentiating sign) replaced by NaN where u = 0 and 0 elsewhere: undefined at a kink."""
    import sympy as sp

    def kink(arg, *order):
        return sp.Piecewise((sp.nan, sp.Eq(arg, 0)), (0, True))

    return expr.replace(sp.DiracDelta, kink)


def _check_variables(variables):
    if isinstance(variables, str) or not isinstance(variables, (tuple, list)) or not variables:
        raise TypeError(f"variables must be a tuple of names such as ('x', 'y') (got {variables!r})")
    for v in variables:
        if not (isinstance(v, str) and v.isascii() and v.isidentifier() and not v.startswith("_")):
            raise ValueError(f"variables must be ASCII identifiers not starting with '_' (got {v!r})")
        if v in FUNCTIONS or v in CONSTANTS:
            raise ValueError(f"variables must not be a function or constant name such as {v!r}")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables must be distinct (got {variables!r})")
    if len(variables) > 10:
        raise ValueError(f"variables must be at most 10 names (got {len(variables)})")
    return tuple(variables)


def parse_function(text, variables=("x", "y")):
    r"""The problem L(θ) written in ``text``, with its gradient and Hessian derived by SymPy.

    .. math:: \text{"(1-x)^2 + 100*(y-x^2)^2"} \;\mapsto\; L(x, y) = (1-x)^2 + 100\,(y-x^2)^2,
              \quad \nabla L, \quad \nabla^2 L

    ==============  ======================================================================================
    argument        meaning
    ==============  ======================================================================================
    ``text``        the formula in ordinary notation: numbers, the variables, ``pi``, ``e``,
                    ``+ - * /``, powers ``^`` or ``**``, and the functions of :data:`FUNCTIONS`
    ``variables``   the names of θ's components, in order (default ``("x", "y")``)
    ==============  ======================================================================================

    Returns a :class:`ParsedFunction`. The text is never executed (see the module docstring for the four
    checks); anything else raises :class:`ParseError` (a ``ValueError``) pointing at the offending part.

    >>> import gdlib as gd
    >>> p = gd.parse_function("(1-x)^2 + 100*(y-x^2)^2")
    >>> p.grad([0.0, 0.0]).tolist(), float(p.f([1.0, 1.0]))
    ([-2.0, 0.0], 0.0)
    >>> gd.parse_function("__import__('os')")
    Traceback (most recent call last):
    ...
    gdlib.parse.ParseError: the character "'" is not allowed in a formula (at column 12)
        __import__('os')
                   ^

    Reference: the safe subset follows the approach of Python's own ``ast.literal_eval`` (parse, then admit
    only whitelisted node types); SymPy: Meurer et al. (2017), *SymPy: symbolic computing in Python*,
    PeerJ Computer Science 3:e103.
    """
    variables = _check_variables(variables)
    _check_characters(text)
    node, span = _parse_tree(text)
    try:
        _Checker(text, variables, span).check(node)
    except ParseError:
        raise
    except Exception as exc:  # a bug or an unforeseen limit of the checks: still a ParseError
        raise ParseError(text, f"the formula cannot be checked ({type(exc).__name__}: {exc})") from None
    return ParsedFunction(text, variables, node, span)


class ParsedFunction(Problem):
    r"""A problem built from a checked formula: L, ∇L and ∇²L from SymPy, compiled to numpy.

    ``f(θ)``, ``grad(θ)`` and ``hess(θ)`` take θ of shape (*runs, d) and compute in θ's floating dtype.
    ``expr``, ``gradient`` and ``hessian`` are the SymPy forms (the Hessian of ``abs`` holds Dirac's δ;
    the compiled ``hess`` gives NaN at its kinks, see the module docstring); ``latex`` renders them.
    Nothing about a minimiser is known: ``x_star`` and ``f_star`` are None.

    >>> import gdlib as gd
    >>> p = gd.parse_function("abs(x) + y^2")
    >>> p.gradient.T
    Matrix([[sign(x), 2*y]])
    >>> p.hess([[0.5, 1.0], [0.0, 1.0]])[:, 0, 0].tolist()
    [0.0, nan]
    """

    def __init__(self, text, variables, node, span=None):
        import sympy as sp

        self.text, self.variables, self.d = text, variables, len(variables)
        self.symbols = {v: sp.Symbol(v, real=True) for v in variables}
        xs = [self.symbols[v] for v in variables]

        def fail(n, reason):
            raise ParseError(text, reason, *(span(n) if span is not None else (None, None)))

        try:  # every exception of SymPy or of the compiler becomes a ParseError
            expr = _to_sympy(node, self.symbols, fail)
            self.expr = expr
            self.gradient = sp.Matrix([sp.diff(expr, v) for v in xs])
            self.hessian = sp.hessian(expr, xs)
            self._f = sp.lambdify(xs, expr, "numpy")
            self._grad = sp.lambdify(xs, list(self.gradient), "numpy")
            self._hess = sp.lambdify(xs, list(_undefined_at_kinks(self.hessian)), "numpy")
        except ParseError:
            raise
        except Exception as exc:
            raise ParseError(text, f"the formula cannot be built ({type(exc).__name__}: {exc})") from None

    def _evaluate(self, fn, x, shape):
        x = self._x(x)
        runs = x.shape[:-1]
        with np.errstate(all="ignore"):  # outside the domain (log of a negative number) L is NaN, silently
            values = fn(*[x[..., i] for i in range(self.d)])
            if not isinstance(values, list):
                values = np.asarray(values, dtype=x.dtype)
                return values if values.shape == runs else np.broadcast_to(values, runs).copy()
            out = np.empty(runs + (len(values),), dtype=x.dtype)
            for i, v in enumerate(values):
                out[..., i] = v
        return out.reshape(runs + shape)

    def f(self, x):
        """L(θ), shape (*runs)."""
        return self._evaluate(self._f, x, ())

    def grad(self, x):
        """∇L(θ), the shape of θ."""
        return self._evaluate(self._grad, x, (self.d,))

    def hess(self, x):
        """∇²L(θ), shape (*runs, d, d); NaN where it is undefined (a kink of abs, say)."""
        return self._evaluate(self._hess, x, (self.d, self.d))

    def check_start(self, x0):
        """Raise a ValueError naming the point when L or ∇L is not finite at θ₀ (a division by zero there,
        the log of a negative number…): a run from there could not take its first step."""
        x0 = self._x(x0)
        f, g = self.f(x0), self.grad(x0)
        bad = ~(np.isfinite(f) & np.isfinite(g).all(axis=-1))
        if bad.any():
            point = x0[bad][0] if x0.ndim > 1 else x0
            which = "L" if not np.all(np.isfinite(f)) else "its gradient"
            shown = ", ".join(f"{v}={c:.4g}" for v, c in zip(self.variables, point, strict=True))
            raise ValueError(
                f"the start point must be where L and its gradient are finite; {which} is not finite at "
                f"{shown} (a division by zero or a value outside the domain of log or sqrt?)"
            )

    @property
    def latex(self):
        """LaTeX of L, ∇L and ∇²L, one equation each."""
        import sympy as sp

        names = ", ".join(self.variables)
        return {
            "f": f"L({names}) = {sp.latex(self.expr)}",
            "grad": rf"\nabla L = {sp.latex(self.gradient)}",
            "hess": rf"\nabla^2 L = {sp.latex(self.hessian)}",
        }

    def _repr_latex_(self):
        return f"$${self.latex['f']}$$"

    def __repr__(self):
        return f"parse_function({self.text!r})"
