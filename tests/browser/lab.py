"""Start JupyterLab and headless Chromium for the browser tests and the browser benchmark.

JupyterLab runs on a free loopback port, without token, on a temporary copy of the notebooks, with its own
settings: notebook windowing off (every cell is on the page), news and update checks off. Chromium is
Debian's (/usr/bin/chromium), driven by playwright; no browser is downloaded.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(notebooks, timeout=60):
    """Serve a temporary copy of ``notebooks`` (paths); yields the base URL. Stops the server (and its
    kernels) on exit, whatever happened."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "root"
        root.mkdir()
        for path in notebooks:
            shutil.copy(path, root / Path(path).name)
        for name, values in SETTINGS.items():
            target = tmp / "settings" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={tmp / 'settings'}",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            "--LabApp.news_url=",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.log_level=WARN",
        ]
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        log = open(tmp / "lab.log", "w")
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(f"JupyterLab did not start: {(tmp / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.25)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, 15)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
                server.wait()
            log.close()


@contextlib.contextmanager
def chromium(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


# The notebook on show, its kernel and its code cells, read through the application object that
# --LabApp.expose_app_in_browser puts on window.jupyterapp.
NOTEBOOK_STATE = """(name) => {
    const panel = window.jupyterapp?.shell.currentWidget;
    if (!panel || !panel.context || !panel.context.path.endsWith(name)) return null;
    const kernel = panel.sessionContext?.session?.kernel;
    const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
    return {ready: panel.sessionContext.isReady && !!kernel, connection: kernel?.connectionStatus ?? 'none',
            status: kernel?.status ?? 'none', cells: prompts.length,
            done: prompts.filter(p => /\\[\\d+\\]/.test(p)).length,
            started: prompts.filter(p => /\\[(\\d+|\\*)\\]/.test(p)).length};
}"""


def notebook_state(page, name):
    """The notebook's kernel and how many code cells have started and finished (None until it is on show)."""
    return page.evaluate(NOTEBOOK_STATE, name)


def open_and_run_all(page, url, name, timeout_ms=120_000):
    """Open a notebook, wait for its kernel, run all its cells, and wait until every code cell has run.

    Run All is issued through JupyterLab's command registry once the kernel is connected and idle; if no
    cell has started 20 s later (a kernel still settling may drop the request), it is issued once more.
    A timeout reports the notebook's state instead of a bare playwright error."""
    page.goto(f"{url}/lab/tree/{name}?reset", wait_until="domcontentloaded")  # ?reset: no restored tabs
    deadline = time.monotonic() + timeout_ms / 1000

    def wait_until(condition, what, limit):
        state = None
        while time.monotonic() < min(deadline, limit):
            state = notebook_state(page, name)
            if state and condition(state):
                return True
            page.wait_for_timeout(100)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{name}: {what} within {timeout_ms / 1000:.0f} s; last state {state}")
        return False

    wait_until(
        lambda s: s["ready"] and s["connection"] == "connected" and s["status"] == "idle" and s["cells"] > 0,
        "the kernel was not connected and idle",
        deadline,
    )
    for _attempt in range(2):
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        if wait_until(lambda s: s["started"] > 0, "no cell started", time.monotonic() + 20):
            break
        print(f"{name}: no cell started 20 s after Run All; issuing it again", file=sys.stderr)
    wait_until(lambda s: s["done"] == s["cells"], "not every code cell ran", deadline)


def notebook_panel(page):
    """The notebook on show (other tabs stay in the page, hidden)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def slider_handles(page):
    return notebook_panel(page).locator(".widget-slider .noUi-handle")


def widget_image_for(handle):
    """The image of the widget box that contains this slider."""
    box = handle.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    return box.locator("img").first


def key_with_room(handle):
    """The arrow key that moves this (focused) slider: ArrowRight, or ArrowLeft when the slider stands at its
    maximum (noUiSlider keeps the handle's range in its aria attributes)."""
    now, high = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    try:
        at_max = float(now) >= float(high)
    except (TypeError, ValueError):
        at_max = False
    return "ArrowLeft" if at_max else "ArrowRight"
