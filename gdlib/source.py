"""``gd.show_source(obj)``: a gdlib function's or class's source, highlighted, inside a notebook."""

import inspect

__all__ = ["show_source", "Source"]


class Source:
    """Source code that shows itself highlighted in a notebook (HTML) and as plain text elsewhere."""

    def __init__(self, text):
        self.text = text

    def _repr_html_(self):
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        formatter = HtmlFormatter(noclasses=True, style="friendly", nobackground=True)
        return f"<div style='font-size: 85%'>{highlight(self.text, PythonLexer(), formatter)}</div>"

    def __repr__(self):
        return self.text.rstrip("\n")


def show_source(obj):
    """The source of ``obj`` (a gdlib function, class or method), to display in a notebook.

    >>> from gdlib.optimizers import GradientDescent
    >>> print(repr(show_source(GradientDescent)).splitlines()[1])
    class GradientDescent(Optimizer):
    """
    try:
        text = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source needs a function, class or method defined in Python (got {obj!r})") from exc
    return Source(text)
