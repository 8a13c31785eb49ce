"""Every chapter with widgets, run in JupyterLab in a real browser (Debian's Chromium, driven by playwright):
all cells run without error, every widget renders, and moving each slider with the keyboard changes the
picture it drives. Skips locally without Chromium/playwright; fails instead when GDBOOK_REQUIRE_BROWSER=1."""

import json
from pathlib import Path

import pytest

from conftest import require_chromium
from notebook_checks import ROOT, WIDGET_VIEW

sync_playwright = require_chromium()

from browser.lab import (  # noqa: E402
    chromium,
    jupyterlab,
    key_with_room,
    notebook_panel,
    open_and_run_all,
    slider_handles,
    widget_image_for,
)

pytestmark = pytest.mark.browser  # a slow real-client test: run by `make test-all`, not `make test`

SCREENSHOTS = Path(__file__).parent / "screenshots"


def widget_chapters():
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        if any(WIDGET_VIEW in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])):
            found.append(path)
    return found


CHAPTERS = widget_chapters()


@pytest.fixture(scope="module")
def lab_and_browser():
    with jupyterlab(CHAPTERS) as url, sync_playwright() as p, chromium(p) as browser:
        yield url, browser


@pytest.fixture
def browser_page(lab_and_browser):
    url, browser = lab_and_browser
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield url, page
    page.close()


def test_there_are_widget_chapters():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_widgets_render_and_answer_the_keyboard(browser_page, path):
    url, page = browser_page
    try:
        open_and_run_all(page, url, path.name)
        handles = slider_handles(page)
        handles.first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        assert notebook_panel(page).get_by_text("Error displaying widget").count() == 0, "a widget failed to display"
        errors = notebook_panel(page).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"error or warning output: {errors.first.inner_text()[:500]}"
        count = handles.count()
        assert count >= 1
        for i in range(count):
            handle = handles.nth(i)
            image = widget_image_for(handle)
            image.wait_for(timeout=30_000)
            before = image.get_attribute("src")
            handle.scroll_into_view_if_needed()
            handle.focus()
            key = key_with_room(handle)  # one direction for all three presses
            for _ in range(3):
                page.keyboard.press(key)
            page.wait_for_function(
                "([img, old]) => img.getAttribute('src') !== old", arg=[image.element_handle(), before], timeout=15_000
            )
            assert image.get_attribute("src") != before, f"slider {i} did not change its figure"
    except Exception:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"), full_page=True)
        raise
