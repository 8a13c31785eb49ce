"""Each chapter's execution time (fresh kernel, top to bottom, as `make execute` runs it) and the update
time of every widget the chapter displays (compute + redraw, measured inside the chapter's own kernel).
Run: python benchmarks/bench_notebooks.py"""

import json
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Runs in the chapter's kernel after its last cell: moves every slider of every SliderFigure over its range.
MEASURE = r"""
import json as _json, time as _time, statistics as _st
from gdlib.widgets import SliderFigure as _SF
_out = {}
for _name, _w in list(globals().items()):
    if isinstance(_w, _SF) and not _name.startswith("_"):
        for _s, _slider in _w.sliders.items():
            _times = []
            for _k in range(21):
                _v = _slider.min + (_slider.max - _slider.min) * _k / 20
                _t = _time.perf_counter(); _w.set(**{_s: _v}); _times.append(_time.perf_counter() - _t)
            _out[f"{_name}.{_s}"] = _st.median(_times)
print(_json.dumps(_out))
"""


def run_chapter(path):
    """(seconds to execute the chapter, {widget.slider: median seconds per update})."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - start
        widgets = {}
        if any(WIDGET_VIEW in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])):
            probe = nbformat.v4.new_code_cell(MEASURE)
            nb.cells.append(probe)
            client.execute_cell(probe, len(nb.cells) - 1)
            text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
            widgets = json.loads(text.strip().splitlines()[-1])
    return elapsed, widgets


def measure(repeat=3):
    rows, widgets = [], {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        times = []
        for _ in range(repeat):
            elapsed, found = run_chapter(path)
            times.append(elapsed)
            for key, value in found.items():
                widgets.setdefault(f"{path.stem}: {key}", []).append(value)
        rows.append((path.stem, statistics.median(times)))
    return rows, {k: statistics.median(v) for k, v in widgets.items()}


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows, widgets = measure(repeat)
    print(f"{'chapter (kernel start excluded)':40s} {'median s':>9s}")
    for name, seconds in rows:
        print(f"{name:40s} {seconds:9.2f}")
    print(f"{'all chapters':40s} {sum(s for _, s in rows):9.2f}")
    print(f"\n{'widget update (compute + redraw)':48s} {'median ms':>9s}")
    for name, seconds in widgets.items():
        print(f"{name:48s} {seconds * 1e3:9.1f}")


if __name__ == "__main__":
    main()
