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


def use_book_style():
    """Set the book's matplotlib style (palette, size, fonts) for the rest of the session."""
    mpl.rcParams.update(STYLE)


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


def timeline(events, ax=None):
    """A time line: events are (year, label, reference) triples in order, drawn evenly spaced (the years
    are far from evenly spread: a century separates the first two) with stems alternating above and below.
    Returns the figure."""
    if ax is None:
        fig, ax = figure(figsize=(9.5, 3.4))
    else:
        fig = ax.figure
    positions = np.arange(len(events))
    heights = [(1.0 if i % 2 == 0 else -1.0) * (0.5 + 0.4 * ((i // 2) % 2)) for i in positions]
    ax.axhline(0, color=COLORS["black"], linewidth=1)
    ax.vlines(positions, 0, heights, color=COLORS["sky"], linewidth=1)
    ax.plot(positions, np.zeros(len(events)), "o", color=COLORS["blue"], markersize=6)
    for x, h, (year, label, _) in zip(positions, heights, events, strict=True):
        ax.annotate(f"{year}\n{label}", (x, h), ha="center", va="bottom" if h > 0 else "top", fontsize=8)
    ax.set_ylim(-1.9, 1.9)
    ax.set_xlim(-0.7, len(events) - 0.3)
    ax.set_xticks(positions, [str(e[0]) for e in events], fontsize=8)
    ax.set_yticks([]), ax.grid(False)
    ax.spines["left"].set_visible(False)
    return fig
