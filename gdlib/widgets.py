r"""Slider-driven figures that answer at once — the only gdlib module that imports ipywidgets.

How a figure stays flicker-free in every front end (JupyterLab 4, Notebook 7, VS Code, Colab) with the
ordinary inline backend: the figure is a plain matplotlib Figure, drawn once; a slider move recomputes the
data (a pure function, testable without a browser), changes the data of the existing artists, renders the
figure to PNG and swaps the bytes of one fixed-size ``ipywidgets.Image``. No figure is rebuilt and no output
is cleared. While a slider is dragged, redraws are throttled (at most one per ``interval`` seconds, and the
last value is always drawn).
"""

import asyncio
import io
import time

import ipywidgets as W
import matplotlib as mpl
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from . import plots
from .runner import run

__all__ = ["Throttle", "SliderFigure", "slider", "path_explorer"]


class Throttle:
    """Call ``action`` at most once per ``interval`` seconds; a call that comes too soon is deferred to the
    end of the interval, and only the latest deferred call runs (a trailing throttle).

    ``clock`` and ``schedule(delay, callback)`` can be replaced (tests use a fake clock); by default the
    deferred call is scheduled on the kernel's running asyncio loop, or made at once if there is none.
    """

    def __init__(self, action, interval=0.05, clock=time.monotonic, schedule=None):
        self.action, self.interval, self.clock = action, interval, clock
        self.schedule = schedule or self._schedule_on_loop
        self.last = -np.inf
        self.pending = None
        self.scheduled = False

    @staticmethod
    def _schedule_on_loop(delay, callback):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            callback()
        else:
            loop.call_later(delay, callback)

    def __call__(self, *args):
        now = self.clock()
        if now - self.last >= self.interval and not self.scheduled:
            self.last = now
            self.action(*args)
            return
        self.pending = args
        if not self.scheduled:
            self.scheduled = True
            self.schedule(max(self.interval - (now - self.last), 0.0), self._flush)

    def _flush(self):
        self.scheduled = False
        if self.pending is not None:
            args, self.pending = self.pending, None
            self.last = self.clock()
            self.action(*args)


def slider(description, min, max, value, step=None, log=False, readout_format=".3g"):
    """A float slider with the book's layout; ``log=True`` gives a logarithmic slider (min and max are the
    values, not their exponents)."""
    style, layout = {"description_width": "initial"}, W.Layout(width="320px")
    if log:
        return W.FloatLogSlider(
            value=value,
            base=10,
            min=np.log10(min),
            max=np.log10(max),
            step=step or (np.log10(max) - np.log10(min)) / 100,
            description=description,
            readout_format=readout_format,
            continuous_update=True,
            style=style,
            layout=layout,
        )
    return W.FloatSlider(
        value=value,
        min=min,
        max=max,
        step=step or (max - min) / 100,
        description=description,
        readout_format=readout_format,
        continuous_update=True,
        style=style,
        layout=layout,
    )


class SliderFigure:
    """A figure driven by sliders.

    - ``compute(**values) -> data``: pure, no drawing (test it on its own);
    - ``draw(fig, data) -> artists``: called once, builds the figure;
    - ``update(artists, data) -> str``: changes the artists' data in place; may return a status line.

    Speed: artists listed in ``artists["dynamic"]`` are drawn on top of a cached picture of everything else
    (blitting), so a redraw costs only what moves. An ``update`` that changes the static part (new contours,
    say) sets ``artists["background_changed"] = True`` and the next redraw rebuilds the cache.

    ``widget`` is what a notebook displays (the object also displays itself). ``set(**values)`` moves the
    sliders from code; ``refresh()`` redraws at once. ``png`` holds the bytes of the picture shown.
    """

    def __init__(self, sliders, compute, draw, update, figsize=(8.0, 3.4), dpi=80, interval=0.05):
        self.sliders = dict(sliders)
        self.compute, self._update_artists = compute, update
        with mpl.rc_context(plots.STYLE):
            self.fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
            data = compute(**self.values)
            self.artists = draw(self.fig, data)
            status = update(self.artists, data)
        width, height = int(figsize[0] * dpi), int(figsize[1] * dpi)
        self.image = W.Image(
            format="png", width=width, height=height, layout=W.Layout(width=f"{width}px", height=f"{height}px")
        )
        self.status = W.HTML(value=status or "")
        self._background = None
        self._render()
        self.fig.set_layout_engine("none")  # the layout is fixed once drawn: later redraws skip it
        self._throttle = Throttle(lambda: self.refresh(), interval=interval)
        self._moving_from_code = False
        for s in self.sliders.values():
            s.observe(self._on_slider, names="value")
        self.widget = W.VBox(
            [W.HBox(list(self.sliders.values()), layout=W.Layout(flex_flow="row wrap")), self.image, self.status]
        )

    @property
    def values(self):
        return {name: s.value for name, s in self.sliders.items()}

    def refresh(self):
        """Recompute for the current slider values and redraw in place."""
        data = self.compute(**self.values)
        with mpl.rc_context(plots.STYLE):
            status = self._update_artists(self.artists, data)
        self.status.value = status or ""
        self._render()

    def _on_slider(self, change):
        if not self._moving_from_code:
            self._throttle()

    def set(self, **values):
        """Move sliders from code (as a reader would) and redraw once."""
        self._moving_from_code = True
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._moving_from_code = False
        self.refresh()

    def _render(self):
        canvas = self.fig.canvas if isinstance(self.fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(self.fig)
        dynamic = self.artists.get("dynamic", []) if isinstance(self.artists, dict) else []
        if self._background is None or self.artists.get("background_changed"):
            for a in dynamic:
                a.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self.artists["background_changed"] = False
        else:
            canvas.restore_region(self._background)
        for a in dynamic:
            a.axes.draw_artist(a)
        buffer = io.BytesIO()
        PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).save(
            buffer, format="png", compress_level=1
        )
        self.png = buffer.getvalue()
        self.image.value = self.png

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def path_explorer(
    problem,
    optimizer,
    sliders,
    x0,
    steps=100,
    xlim=(-2.0, 2.0),
    ylim=(-2.0, 2.0),
    theory=None,
    options=None,
    interval=0.05,
):
    """Contours of a 2-D problem with an optimizer's path (left) and its loss gap on a log scale (right).

    ``problem`` is a Problem, or a function of the slider values that returns one (then the contours are
    redrawn when it changes); ``optimizer(**values)`` returns the optimizer to run from ``x0`` for
    ``steps`` steps; ``theory(problem, values, t)``, if given, returns the theoretical loss gap drawn dashed;
    ``options(**values)``, if given, returns extra keyword arguments for :func:`~gdlib.runner.run` (a batch
    size, say).
    The status line says how the run ended (converging, or the step where it diverged).
    """
    sliders = dict(sliders)
    fixed = problem if not callable(problem) or hasattr(problem, "f") else None

    def compute(**values):
        p = fixed or problem(**values)
        extra = options(**values) if options is not None else {}
        result = run(optimizer(**values), p, x0, steps=steps, **extra)
        with np.errstate(all="ignore"):
            gap = np.maximum(np.asarray(result.fs) - (p.f_star or 0.0), 1e-300)
        t = np.asarray(result.ts)
        expected = None if theory is None else np.maximum(theory(p, values, t), 1e-300)
        return {
            "problem": p,
            "xs": result.xs,
            "t": t,
            "gap": gap,
            "theory": expected,
            "status": result.status,
            "message": result.message,
        }

    def draw(fig, data):
        left, right = fig.subplots(1, 2)
        art = {"left": left, "right": right, "problem": data["problem"]}
        art["contours"] = plots.contour(left, data["problem"], xlim, ylim, resolution=120, mark_minimum=False)
        (art["star"],) = left.plot([], [], "*", color=plots.COLORS["black"], markersize=10)
        (art["path"],) = left.plot([], [], "o-", color=plots.COLORS["vermillion"], markersize=2.5, linewidth=1.1)
        (art["loss"],) = right.semilogy([], [], color=plots.COLORS["blue"], label="measured")
        (art["theory"],) = right.semilogy([], [], "--", color=plots.COLORS["black"], linewidth=1.0, label="theory")
        right.set_xlabel("step $t$"), right.set_ylabel(r"$L(\theta_t) - L^\star$")
        right.set_xlim(0, steps)
        right.yaxis.set_major_formatter(plots.decade_formatter())  # plain text: no mathtext per redraw
        right.yaxis.set_minor_formatter(NullFormatter())
        right.legend(loc="upper right", fontsize=8)
        top = float(np.nanmax(data["gap"][:1])) * 1e3
        right.set_ylim(top * 1e-19, top)  # fixed: the axis never jumps between moves
        art["dynamic"] = [art["star"], art["path"], art["loss"], art["theory"]]
        if fixed is None:  # the contours follow a slider: redraw them with what moves
            art["dynamic"].insert(0, art["contours"])
        return art

    def update(art, data):
        if data["problem"] is not art["problem"]:
            old = art["contours"]
            art["contours"] = plots.contour(
                art["left"], data["problem"], xlim, ylim, resolution=120, mark_minimum=False
            )
            art["contours"].set_animated(True)
            art["dynamic"][art["dynamic"].index(old)] = art["contours"]
            old.remove()
            art["problem"] = data["problem"]
        star = data["problem"].x_star
        art["star"].set_data([], []) if star is None else art["star"].set_data([star[0]], [star[1]])
        xs = np.clip(data["xs"], -1e6, 1e6)
        art["path"].set_data(xs[:, 0], xs[:, 1])
        art["loss"].set_data(data["t"], data["gap"])
        if data["theory"] is not None:
            art["theory"].set_data(data["t"], data["theory"])
        return data["message"]

    return SliderFigure(sliders, compute, draw, update, interval=interval)
