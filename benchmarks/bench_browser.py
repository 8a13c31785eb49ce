"""Slider key press to new picture, in JupyterLab in Chromium, for the first slider of every chapter that
displays a widget: the latency a reader feels. Run: python benchmarks/bench_browser.py (needs playwright and
/usr/bin/chromium)."""

import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser.lab import (  # noqa: E402
    chromium,
    jupyterlab,
    key_with_room,
    open_and_run_all,
    slider_handles,
    widget_image_for,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_chapters():
    """The chapters whose stored outputs display a widget (the playground has its own benchmark)."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        shows = any(WIDGET_VIEW in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
        if shows and "playground" not in path.stem:
            found.append(path)
    return found


# Set up in the page before each key press: the time from the keydown event to the frame after the widget's new
# picture is decoded, measured by the page's own clock (performance.now), so the harness's round trips to the
# browser are not counted.
ARM = """([img]) => {
  window.__latency = new Promise((resolve) => {
    let t0 = null;
    document.addEventListener("keydown", () => { t0 = performance.now(); }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      observer.disconnect();
      img.decode().catch(() => {}).then(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    observer.observe(img, { attributes: true, attributeFilter: ["src"] });
  });
}"""


def latency(page, url, chapter, presses):
    """Median seconds from a key press on the chapter's first slider (right, or left from its maximum) to the
    first frame after the widget's new picture is decoded."""
    open_and_run_all(page, url, chapter)
    handle = slider_handles(page).first
    handle.wait_for(timeout=60_000)
    image = widget_image_for(handle)
    image.wait_for(timeout=30_000)
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.wait_for_timeout(1000)
    latencies = []
    for _ in range(presses):
        page.evaluate(ARM, [image.element_handle()])
        page.keyboard.press(key_with_room(handle))
        latencies.append(page.evaluate("() => window.__latency") / 1e3)
        page.wait_for_timeout(150)  # let the throttle window pass, as between key presses
    return statistics.median(latencies)


def measure(presses=20, chapters=None):
    """{chapter stem: median seconds from key press to new picture} for each widget chapter."""
    from playwright.sync_api import sync_playwright

    paths = chapters or widget_chapters()
    out = {}
    with jupyterlab(paths) as url, sync_playwright() as p, chromium(p) as browser:
        for path in paths:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                out[path.stem] = latency(page, url, path.name, presses)
            finally:
                page.close()
    return out


if __name__ == "__main__":
    for name, seconds in measure().items():
        print(f"{name}: first slider, key press to new picture: median {seconds * 1e3:.0f} ms")
