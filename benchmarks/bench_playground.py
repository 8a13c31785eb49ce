"""The playground chapter's speed: a slider move (four optimizers re-run for 200 steps, then the redraw) and a
newly typed function (parse, derive, compile, contours, race, redraw), measured inside the chapter's own
kernel; and, when Chromium is there, the key press to new picture and the Enter to new picture in JupyterLab.
Run: python benchmarks/bench_playground.py"""

import json
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "notebooks" / "13_playground.ipynb"
sys.path.insert(0, str(ROOT / "tests"))

# Runs in the chapter's kernel after its last cell.
PROBE = r"""
import json as _json, time as _time, statistics as _st
_fig = playground.figure
def _median(fn, repeat=21):
    _times = []
    for _k in range(repeat):
        _t = _time.perf_counter(); fn(_k); _times.append(_time.perf_counter() - _t)
    return _st.median(_times)
_lr = _fig.sliders["lr1"].value
_out = {"slider": _median(lambda k: _fig.set(lr1=_lr * (1.02 if k % 2 else 1.0)))}
_out["compute"] = _median(lambda k: _fig.compute(**_fig.values))
_data = _fig.compute(**_fig.values)
def _redraw(k):
    _fig._update_artists(_fig.artists, _data)
    _fig._render()
_out["redraw"] = _median(_redraw)
_texts = ["sin(x)*cos(y) + 0.1*(x^2+y^2)", "x^2 + 10*y^2"]
_out["new_function"] = _median(lambda k: playground.new_function(_texts[k % 2]), repeat=11)
_out["parse"] = _median(lambda k: gd.parse_function(_texts[k % 2]), repeat=11)
print(_json.dumps(_out))
"""


def kernel_times():
    """Median seconds in the kernel: {'slider', 'compute', 'redraw', 'new_function', 'parse'}."""
    nb = nbformat.read(CHAPTER, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(CHAPTER.parent)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        probe = nbformat.v4.new_code_cell(PROBE)
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    return json.loads(text.strip().splitlines()[-1])


def browser_times(presses=15):
    """Median seconds in JupyterLab/Chromium: (ArrowRight on the first slider → new picture, Enter on a new
    formula → new picture)."""
    from playwright.sync_api import sync_playwright

    from browser.lab import chromium, jupyterlab, notebook_panel, open_and_run_all, slider_handles, widget_image_for

    changed = "([img, old]) => img.getAttribute('src') !== old"
    with jupyterlab([CHAPTER]) as url, sync_playwright() as p, chromium(p) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_and_run_all(page, url, CHAPTER.name)
        handle = slider_handles(page).first
        handle.wait_for(timeout=60_000)
        image = widget_image_for(handle)
        image.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)

        def latency(action):
            before = image.get_attribute("src")
            start = time.perf_counter()
            action()
            page.wait_for_function(changed, arg=[image.element_handle(), before], timeout=15_000, polling="raf")
            elapsed = time.perf_counter() - start
            page.wait_for_timeout(200)  # let the throttle window pass, as between key presses
            return elapsed

        box = notebook_panel(page).locator(".widget-text input[type='text']").first
        texts = ["sin(x)*cos(y) + 0.1*(x^2+y^2)", "x^2 + 10*y^2"]
        typed = []
        for k in range(6):
            box.fill(texts[k % 2])
            typed.append(latency(lambda: box.press("Enter")))
        handle.scroll_into_view_if_needed()
        handle.focus()
        keys = [latency(lambda: page.keyboard.press("ArrowRight")) for _ in range(presses)]
        return statistics.median(keys), statistics.median(typed)


def main():
    k = kernel_times()
    print(f"{'playground (in the kernel)':52s} {'median ms':>9s}   goal")
    print(f"{'slider move: 4 optimizers x 200 steps + redraw':52s} {k['slider'] * 1e3:9.1f}   ≤ 30 ms")
    print(f"{'    of which the race (compute)':52s} {k['compute'] * 1e3:9.1f}")
    print(f"{'    of which the redraw (update + render, blitted)':52s} {k['redraw'] * 1e3:9.1f}")
    print(f"{'new function: parse, derive, contours, race, redraw':52s} {k['new_function'] * 1e3:9.1f}   ≤ 150 ms")
    print(f"{'    of which parse + SymPy + lambdify':52s} {k['parse'] * 1e3:9.1f}")
    try:
        import playwright  # noqa: F401

        if not Path("/usr/bin/chromium").exists():
            raise ImportError("no /usr/bin/chromium")
    except ImportError as exc:
        print(f"browser figures not measured ({exc})")
        return
    key, enter = browser_times()
    print(f"{'slider: key press to new picture (Chromium)':52s} {key * 1e3:9.0f}")
    print(f"{'new function: Enter to new picture (Chromium)':52s} {enter * 1e3:9.0f}")


if __name__ == "__main__":
    main()
