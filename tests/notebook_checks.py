"""Hygiene rules for the stored notebooks, as functions that return a list of problems (empty = clean).

Kept apart from the tests so that tests/test_notebook_hygiene.py can also prove that each rule fires on a
deliberately broken notebook.
"""

import base64
import json
import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 1_500_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORE_TAG = "nbval-ignore-output"
# nbval markers that would weaken the comparison; only IGNORE_TAG is allowed, and only on widget cells.
FORBIDDEN_TAGS = {"nbval-skip", "nbval-raises-exception", "raises-exception", "nbval-check-output"}
PRIVATE = re.compile(r"(/root/|/home/\w|/Users/\w|/tmp/|/work/|[A-Za-z]:\\\\?Users|site-packages|\.venv/)")
TEXT_TYPES = ("text/plain", "text/html", "text/latex", "text/markdown")


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def output_texts(cell):
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            yield "".join(out["text"])
        for mime in TEXT_TYPES:
            if mime in out.get("data", {}):
                value = out["data"][mime]
                yield value if isinstance(value, str) else "".join(value)


def execution_problems(nb):
    counts = [c.get("execution_count") for c in code_cells(nb)]
    if not counts:
        return ["has no code cell"]
    if None in counts:
        return [f"{counts.count(None)} code cell(s) were never executed"]
    if counts != list(range(1, len(counts) + 1)):
        return [f"execution counts {counts[:12]}... are not 1, 2, 3, ...: not run top to bottom in one fresh kernel"]
    return []


def output_problems(nb):
    problems = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                problems.append(f"cell {i} stores an error: {out.get('ename')}: {out.get('evalue')}")
            if out["output_type"] == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {i} stores stderr output (a warning?): {''.join(out['text'])[:120]!r}")
        for text in output_texts(cell):
            match = PRIVATE.search(text)
            if match:
                problems.append(f"cell {i} output shows a local path or user name: {match.group(0)!r}")
    return problems


def metadata_problems(nb, path_size):
    problems = []
    name = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if name != "python3":
        problems.append(f"kernelspec is {name!r}, not 'python3'")
    if path_size > MAX_BYTES:
        problems.append(f"file is {path_size / 1e6:.2f} MB, over the {MAX_BYTES / 1e6:.1f} MB bound")
    return problems


def opening_problems(nb):
    first = nb["cells"][0] if nb["cells"] else None
    if first is None or first["cell_type"] != "markdown":
        return ["the first cell is not a markdown cell"]
    text = "".join(first["source"])
    problems = []
    if not re.match(r"\s*# \S", text):
        problems.append("the first cell does not start with a '# Title'")
    if not re.search(r"learning objectives", text, re.IGNORECASE):
        problems.append("the first cell has no learning objectives")
    return problems


def tag_problems(nb):
    problems = []
    for i, cell in enumerate(nb["cells"]):
        tags = set(cell.get("metadata", {}).get("tags", []))
        for tag in sorted(tags & FORBIDDEN_TAGS):
            problems.append(f"cell {i} carries the tag {tag!r}")
        if IGNORE_TAG in tags:
            shows_widget = any(WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))
            if not shows_widget:
                problems.append(f"cell {i} carries {IGNORE_TAG!r} but displays no live widget")
    return problems


def install_cell_problems(nb):
    for cell in code_cells(nb)[:2]:
        source = "".join(cell["source"])
        if "import gdlib" in source and "except ImportError" in source and "pip install" in source:
            return []
    return ["no cell among the first two code cells installs gdlib when it is missing (Colab, Binder)"]


def png_size(data):
    """(width, height) in pixels of a base64-encoded PNG, read from its IHDR chunk."""
    raw = base64.b64decode(data if isinstance(data, str) else "".join(data))
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", raw[16:24])


def image_problems(nb):
    """Static figures are stored at 2x (HiDPI, projectors): each PNG output carries its display size in the
    output's metadata (IPython's 'retina' format, set by gd.plots.use_book_style()) and has twice as many
    pixels (one more allowed for rounding). Widget pictures live in the widget state, not in outputs."""
    problems = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" not in data or WIDGET_VIEW in data:
                continue
            shown = out.get("metadata", {}).get("image/png", {})
            try:
                width, height = png_size(data["image/png"])
            except ValueError:
                problems.append(f"cell {i} stores image/png data that is not a PNG")
                continue
            if "width" not in shown or "height" not in shown:
                problems.append(
                    f"cell {i} stores a {width}x{height} PNG at 1x (no display size in its metadata): "
                    "call gd.plots.use_book_style() before drawing"
                )
            elif width - 2 * shown["width"] not in (0, 1) or height - 2 * shown["height"] not in (0, 1):
                problems.append(
                    f"cell {i} stores a {width}x{height} PNG shown at {shown['width']}x{shown['height']}: not 2x"
                )
    return problems


def all_problems(path):
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    return (
        execution_problems(nb)
        + output_problems(nb)
        + metadata_problems(nb, path.stat().st_size)
        + opening_problems(nb)
        + tag_problems(nb)
        + install_cell_problems(nb)
        + image_problems(nb)
    )
