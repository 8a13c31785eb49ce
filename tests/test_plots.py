"""What the plotting functions draw (Agg backend)."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import numpy as np  # noqa: E402

import gdlib as gd  # noqa: E402


def _all_distinct(colors):
    return len({mcolors.to_hex(c) for c in colors}) == len(colors)


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008), the eight colours of "Color Universal Design"
    assert [c.upper() for c in gd.plots.PALETTE] == [
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#D55E00",
        "#CC79A7",
        "#56B4E9",
        "#F0E442",
        "#000000",
    ]
    assert _all_distinct(gd.plots.PALETTE)


def test_contour_and_path():
    fig, ax = gd.plots.figure()
    q = gd.Quadratic.from_condition(10.0, angle=0.3)
    cs = gd.plots.contour(ax, q, (-2, 2), (-1, 1))
    r = gd.run(gd.GradientDescent(lr=1.0), q, [1.5, 0.5], steps=10)
    line = gd.plots.path(ax, r.xs, label="GD")
    assert len(cs.levels) == 20 and np.all(np.diff(cs.levels) > 0)
    np.testing.assert_array_equal(np.asarray(line.get_xydata()), r.xs)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 1)


def test_loss_curves_draw_theory_dashed_in_the_same_colour():
    fig, ax = gd.plots.figure()
    lines = gd.plots.loss_curves(ax, {"GD": np.geomspace(1, 1e-6, 50)}, {"GD": np.geomspace(2, 1e-5, 50)})
    assert ax.get_yscale() == "log"
    theory = [l for l in ax.get_lines() if l.get_linestyle() == "--"]
    assert len(theory) == 1 and theory[0].get_color() == lines["GD"].get_color()


def test_convergence_map_masks_divergence():
    fig, ax = gd.plots.figure()
    rates = np.array([[0.5, 0.9], [1.2, np.inf]])
    image = gd.plots.convergence_map(ax, rates, [0.1, 0.2], [0.0, 0.5], "lr", "momentum")
    assert np.ravel(image.get_array().mask).tolist() == [False, False, True, True]


def test_timeline_places_every_event_in_order():
    events = [(1847, "Cauchy", "ref"), (1851, "Polyak:\nheavy ball", "ref"), (2014, "Adam", "ref")]
    fig = gd.plots.timeline(events)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1847", "Cauchy", "1851", "Polyak: heavy ball", "2014", "Adam"]
    heights = [t.get_position()[1] for t in ax.texts[::2]]
    assert heights == sorted(heights, reverse=True)  # read top to bottom
    styles = [line.get_linestyle() for line in ax.get_lines()[:2]]
    assert styles == ["-", ":"]  # 4 years apart: solid; 163 years skipped: dotted
    assert [line.get_linestyle() for line in gd.plots.timeline(events, gap=200).axes[0].get_lines()[:2]] == ["-", "-"]


def test_timeline_of_thirty_events_is_legible():
    # The preface draws ~27 events: no two labels may overlap, none may leave the figure, and the type stays
    # at 9 pt or more (legible on a projector at the book's 2x resolution).
    events = [(1840 + 6 * i, f"Author{i} et al.: a method with a fairly long name {i}", "ref") for i in range(30)]
    fig = gd.plots.timeline(events)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    figure_box = fig.bbox
    for i, a in enumerate(boxes):
        assert figure_box.x0 <= a.x0 and a.x1 <= figure_box.x1 and figure_box.y0 <= a.y0 and a.y1 <= figure_box.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 9


def test_use_book_style_outside_ipython_sets_style_only():
    # returns None (a cell ending with the call shows nothing); no IPython shell here: nothing to set at 2x
    assert gd.plots.use_book_style() is None and gd.plots._inline_figures_at_2x() is False
    assert matplotlib.rcParams["figure.dpi"] == gd.plots.STYLE["figure.dpi"]


def test_use_book_style_makes_inline_figures_2x():
    # In an IPython shell the figure's PNG is stored at twice the pixels of its display size (in the
    # output's metadata): what a notebook cell stores, checked by the hygiene rule on every chapter.
    script = """
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import gdlib as gd, matplotlib.pyplot as plt, struct
assert gd.plots.use_book_style() is None
fig, ax = gd.plots.figure()
ax.plot([0, 1])
data, metadata = shell.display_formatter.format(fig)
png = __import__("base64").b64decode(data["image/png"])
width, height = struct.unpack(">II", png[16:24])
print(width, height, metadata["image/png"]["width"], metadata["image/png"]["height"])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    width, height, css_width, css_height = map(int, out.split())
    dpi, figsize = gd.plots.STYLE["figure.dpi"], gd.plots.STYLE["figure.figsize"]
    assert abs(css_width - figsize[0] * dpi) < 0.05 * css_width  # the page size is unchanged (tight bbox)
    assert width in (2 * css_width, 2 * css_width + 1) and height in (2 * css_height, 2 * css_height + 1)


def test_decade_formatter():
    f = gd.plots.decade_formatter()
    assert [f(v, None) for v in (1e-3, 1.0, 1e5)] == ["1e-3", "1", "1e5"]
