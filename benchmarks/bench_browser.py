"""Slider key press to new picture, in JupyterLab in Chromium, for the chapter-1 widget: the latency a
reader feels. Run: python benchmarks/bench_browser.py (needs playwright and /usr/bin/chromium)."""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser.lab import chromium, jupyterlab, open_and_run_all, slider_handles, widget_image_for  # noqa: E402


def measure(presses=20, chapter="01_steepest_descent.ipynb"):
    """Median seconds from an ArrowRight on the first slider to the widget's image changing."""
    from playwright.sync_api import sync_playwright

    with jupyterlab([ROOT / "notebooks" / chapter]) as url, sync_playwright() as p, chromium(p) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
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
            before = image.get_attribute("src")
            start = time.perf_counter()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([img, old]) => img.getAttribute('src') !== old",
                arg=[image.element_handle(), before],
                timeout=10_000,
                polling="raf",
            )
            latencies.append(time.perf_counter() - start)
            page.wait_for_timeout(150)  # let the throttle window pass, as between key presses
        return statistics.median(latencies)


if __name__ == "__main__":
    print(f"chapter-1 slider, key press to new picture: median {measure() * 1e3:.0f} ms")
