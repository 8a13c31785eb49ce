r"""The book's figures: one style, one colour-blind-safe palette, and the plots every chapter reuses.

The only gdlib module that imports matplotlib. Functions draw into a given Axes (or make a figure of the
book's standard size) and return what they drew, so a widget can later update it in place.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter

__all__ = [
    "PALETTE",
    "COLORS",
    "STYLE",
    "use_book_style",
    "decade_formatter",
    "figure",
    "contour",
    "path",
    "loss_curves",
    "convergence_map",
    "timeline",
]

#: Okabe & Ito (2008), "Color universal design": distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
COLORS = dict(zip(("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black"), PALETTE, strict=True))

STYLE = {
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 10,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}


def decade_formatter():
    """Log-axis tick labels as plain text (1e-3, 1, 1e+3): cheap to redraw, unlike mathtext."""

    def label(value, _):
        if value <= 0:
            return ""
        exponent = int(np.round(np.log10(value)))
        return "1" if exponent == 0 else f"1e{exponent:+d}".replace("+", "")

    return FuncFormatter(label)


def use_book_style(retina=True):
    """Set the book's matplotlib style (palette, size, fonts) for the rest of the session.

    In a Jupyter kernel it also has the inline backend store every static figure as a PNG at twice the
    resolution (IPython's ``'retina'`` format, with the display size in the output's metadata), so the
    figures stay sharp on HiDPI screens and projectors at the same size on the page. Widget pictures
    (``gdlib.widgets``) are rendered by gdlib itself and stay at 1×. ``retina=False`` keeps 1× figures.
    Returns None, so that a cell ending with this call shows nothing."""
    mpl.rcParams.update(STYLE)
    if retina:
        _inline_figures_at_2x()


def _inline_figures_at_2x():
    """Select the 'retina' (2× PNG) format of matplotlib's inline backend when IPython is running; False
    outside IPython (a script, the tests) or without matplotlib-inline."""
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    if get_ipython() is None:
        return False
    try:
        from matplotlib_inline.backend_inline import InlineBackend, set_matplotlib_formats
    except ImportError:
        return False
    InlineBackend.instance().figure_formats = {"retina"}  # kept if the backend is configured again later
    set_matplotlib_formats("retina")  # and applied to the running shell now
    return True


def figure(ncols=1, figsize=None):
    """A figure of the book's size with ``ncols`` axes side by side; returns (fig, axes)."""
    with mpl.rc_context(STYLE):
        return plt.subplots(1, ncols, figsize=figsize or STYLE["figure.figsize"])


def contour(ax, problem, xlim=(-2, 2), ylim=(-2, 2), levels=20, resolution=200, log=True, mark_minimum=True):
    """Contour lines of a 2-D problem over a box (log-spaced levels above the minimum by default);
    marks the minimiser when known (unless ``mark_minimum=False``). Returns the contour set."""
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    values = problem.f(grid)
    if log:
        floor = problem.f_star if problem.f_star is not None else values.min()
        gap = values - floor
        positive = gap[gap > 0]
        lv = np.geomspace(max(positive.min(), positive.max() * 1e-6), positive.max(), levels)
        cs = ax.contour(xs, ys, gap, levels=lv, colors="0.6", linewidths=0.7)
    else:
        cs = ax.contour(xs, ys, values, levels=levels, colors="0.6", linewidths=0.7)
    if mark_minimum and problem.x_star is not None and problem.d == 2:
        ax.plot(*problem.x_star, marker="*", color=COLORS["black"], markersize=10, linestyle="none")
    ax.set_xlim(xlim), ax.set_ylim(ylim), ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(r"$\theta_1$"), ax.set_ylabel(r"$\theta_2$")
    return cs


def path(ax, xs, label=None, color=None, marker="o", markersize=3):
    """An optimizer's path θ₀, θ₁, … (an array of shape (T, 2)) as a line with dots; returns the Line2D."""
    xs = np.asarray(xs)
    (line,) = ax.plot(xs[:, 0], xs[:, 1], marker=marker, markersize=markersize, label=label, color=color, linewidth=1.2)
    return line


def loss_curves(ax, measured, theory=None, ylabel=r"$L(\theta_t) - L^\star$", xlabel="step $t$"):
    """Measured curves (solid) and theory lines (dashed, same colour) on a log scale.

    ``measured`` maps a label to a 1-D array (or (steps, values)); ``theory`` maps the same labels to the
    bound or rate to draw beside it. Returns {label: Line2D} of the measured lines."""
    lines = {}
    for i, (label, values) in enumerate(measured.items()):
        color = PALETTE[i % len(PALETTE)]
        t, v = values if isinstance(values, tuple) else (np.arange(len(values)), values)
        (lines[label],) = ax.semilogy(t, v, color=color, label=label)
        if theory and label in theory:
            tt, tv = (
                theory[label] if isinstance(theory[label], tuple) else (np.arange(len(theory[label])), theory[label])
            )
            ax.semilogy(tt, tv, color=color, linestyle="--", linewidth=1.2, label=f"{label}: theory")
    ax.set_xlabel(xlabel), ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return lines


def convergence_map(ax, rates, x_values, y_values, xlabel, ylabel, vmin=None, vmax=1.0):
    """A convergence map: the per-step rate of each (x, y) hyperparameter pair, darker = faster; runs that
    diverged (rate ≥ 1 or ∞) are drawn white and hatched. Returns the image."""
    rates = np.asarray(rates, dtype=float)
    shown = np.ma.masked_where(~np.isfinite(rates) | (rates >= 1.0), rates)
    vmin = vmin or max(np.nanmin(shown) if shown.count() else 1e-3, 1e-6)
    image = ax.pcolormesh(x_values, y_values, shown, norm=LogNorm(vmin=vmin, vmax=vmax), cmap="viridis", shading="auto")
    ax.set_facecolor("white")
    ax.contourf(x_values, y_values, ~np.ma.getmaskarray(shown), levels=[-0.5, 0.5], hatches=["////"], colors="none")
    ax.figure.colorbar(image, ax=ax, label="rate per step (diverged: hatched)")
    ax.set_xlabel(xlabel), ax.set_ylabel(ylabel)
    return image


def timeline(events, ax=None, gap=15):
    """A time line read top to bottom, one row per event: events are (year, label, reference) triples in
    order of year. Rows are evenly spaced (the years are not: a century separates the first two), the year
    left of the line and the label right of it on one line (a newline in a label becomes a space), so some
    thirty events stay legible. The line is dotted between two events ``gap`` years or more apart.
    Returns the figure."""
    n = len(events)
    if ax is None:
        fig, ax = figure(figsize=(8.0, 0.6 + 0.25 * n))
    else:
        fig = ax.figure
    rows = -np.arange(n, dtype=float)  # the first event on top
    years = [year for year, _, _ in events]
    for i in range(n - 1):  # the line between two events: dotted where it skips `gap` years or more
        style = ":" if years[i + 1] - years[i] >= gap else "-"
        ax.plot([0.0, 0.0], [rows[i], rows[i + 1]], linestyle=style, color=COLORS["sky"], linewidth=1.5)
    ax.plot(np.zeros(n), rows, "o", color=COLORS["blue"], markersize=5)
    for y, (year, label, _) in zip(rows, events, strict=True):
        ax.text(-0.03, y, str(year), ha="right", va="center", fontsize=9, fontweight="bold")
        ax.text(0.03, y, " ".join(label.split()), ha="left", va="center", fontsize=9)
    ax.set_xlim(-0.12, 1.0)
    ax.set_ylim(rows[-1] - 0.7, 0.7)
    ax.set_xticks([]), ax.set_yticks([]), ax.grid(False)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    return fig
