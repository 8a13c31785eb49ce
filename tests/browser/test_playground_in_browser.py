"""The playground chapter in JupyterLab in a real browser (Debian's Chromium, driven by playwright): typing a
function into its box and pressing Enter shows the new formula and a new picture; a hostile text is refused
with its message and leaves the picture alone; every slider answers the keyboard. Skips locally without
Chromium/playwright; fails instead when GDBOOK_REQUIRE_BROWSER=1."""

import time
from pathlib import Path

import pytest

from conftest import require_chromium
from notebook_checks import ROOT

sync_playwright = require_chromium()

from browser.lab import (  # noqa: E402
    chromium,
    jupyterlab,
    notebook_panel,
    open_and_run_all,
    slider_handles,
    widget_image_for,
)

pytestmark = pytest.mark.browser  # a slow real-client test: run by `make test-all`, not `make test`

CHAPTER = ROOT / "notebooks" / "13_playground.ipynb"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHANGED = "([img, old]) => img.getAttribute('src') !== old"


@pytest.fixture(scope="module")
def playground_page():
    with jupyterlab([CHAPTER]) as url, sync_playwright() as p, chromium(p) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            open_and_run_all(page, url, CHAPTER.name)
            slider_handles(page).first.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            yield page
        except Exception:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "13_playground.png"), full_page=True)
            raise
        finally:
            page.close()


def formula_box(page):
    return notebook_panel(page).locator(".widget-text input[type='text']").first


def figure_image(page):
    return widget_image_for(slider_handles(page).first)


def shot_on_failure(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"13_playground_{name}.png"), full_page=True)


def test_typing_a_function_redraws_and_typesets_it(playground_page):
    page = playground_page
    try:
        assert notebook_panel(page).get_by_text("Error displaying widget").count() == 0
        box, image = formula_box(page), figure_image(page)
        assert box.input_value() == "x^2 + 10*y^2"
        before = image.get_attribute("src")
        box.fill("sin(x)*cos(y) + 0.1*(x^2+y^2)")
        start = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(CHANGED, arg=[image.element_handle(), before], timeout=15_000, polling="raf")
        print(f"new function: Enter to new picture {1e3 * (time.perf_counter() - start):.0f} ms")
        # the formula is typeset (MathJax renders into a container element) and shows the new cosine
        math = notebook_panel(page).locator(".widget-htmlmath").first
        page.wait_for_function(
            "(el) => /cos/.test(el.textContent) && el.querySelector('mjx-container')",
            arg=math.element_handle(),
            timeout=15_000,
        )
        notebook_panel(page).locator(".widget-html th", has_text="measured rate").first.wait_for(timeout=5_000)
    except Exception:
        shot_on_failure(page, "typing")
        raise


def test_hostile_text_is_refused_in_the_page(playground_page):
    page = playground_page
    try:
        box, image = formula_box(page), figure_image(page)
        box.fill("x^2 + 10*y^2")
        box.press("Enter")
        page.wait_for_timeout(1500)
        before = image.get_attribute("src")
        box.fill("__import__('os').system('touch /tmp/pwned')")
        box.press("Enter")
        error = notebook_panel(page).locator(".widget-html pre").filter(has_text="pwned")  # the widget's message
        error.wait_for(timeout=15_000)
        message = error.inner_text()
        assert "is not allowed in a formula (at column 12)" in message and "^" in message
        page.wait_for_timeout(500)
        assert image.get_attribute("src") == before, "a refused text changed the picture"
        assert not Path("/tmp/pwned").exists()
        # a formula whose exact value would have 30,000+ digits: refused at once, with its message shown
        start = time.perf_counter()
        box.fill("(((2/3)^100)^100)^100*x + y")
        box.press("Enter")
        digits = notebook_panel(page).locator(".widget-html pre").filter(has_text="digits if computed exactly")
        digits.wait_for(timeout=15_000)
        assert time.perf_counter() - start < 5.0 and "^" in digits.inner_text()
        # a literal too long for a float (it used to escape as OverflowError, past the widget)
        box.fill("1" * 330 + " + x")
        box.press("Enter")
        notebook_panel(page).locator(".widget-html pre").filter(has_text="numbers must be at most").wait_for(
            timeout=15_000
        )
        assert image.get_attribute("src") == before, "a refused text changed the picture"
    except Exception:
        shot_on_failure(page, "hostile")
        raise


def test_every_slider_changes_the_picture_and_how_fast(playground_page):
    page = playground_page
    try:
        box = formula_box(page)
        box.fill("x^2 + 10*y^2")
        box.press("Enter")
        page.wait_for_timeout(1500)
        handles = slider_handles(page)
        assert handles.count() == 11
        latencies = []
        for i in range(handles.count()):
            handle = handles.nth(i)
            image = widget_image_for(handle)
            handle.scroll_into_view_if_needed()
            handle.focus()
            for _ in range(3):
                before = image.get_attribute("src")
                start = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(CHANGED, arg=[image.element_handle(), before], timeout=15_000, polling="raf")
                latencies.append(time.perf_counter() - start)
                page.wait_for_timeout(150)  # let the throttle window pass, as between key presses
        latencies.sort()
        print(f"slider key press to new picture: median {1e3 * latencies[len(latencies) // 2]:.0f} ms")
    except Exception:
        shot_on_failure(page, "sliders")
        raise
