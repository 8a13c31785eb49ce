"""What the plotting functions draw (Agg backend)."""

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
    events = [(1847, "Cauchy", "ref"), (1964, "Polyak", "ref"), (2014, "Adam", "ref")]
    fig = gd.plots.timeline(events)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1847\nCauchy", "1964\nPolyak", "2014\nAdam"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1847", "1964", "2014"]


def test_decade_formatter():
    f = gd.plots.decade_formatter()
    assert [f(v, None) for v in (1e-3, 1.0, 1e5)] == ["1e-3", "1", "1e5"]
