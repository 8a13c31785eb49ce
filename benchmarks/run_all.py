"""`make bench`: every benchmark of the book in one table, each figure a median of repeated runs, ratios
taken within the same run. Optional rows (torch, the browser) say so when their tool is missing."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_notebooks  # noqa: E402
import bench_optimizers  # noqa: E402
import bench_runner  # noqa: E402


def row(label, value, goal, ok):
    mark = "" if ok is None else ("meets goal" if ok else "MISSES goal")
    print(f"{label:58s} {value:>14s}   {goal:>10s}   {mark}")


def main():
    print(f"{'benchmark':58s} {'measured':>14s}   {'goal':>10s}")
    chapters, widgets = bench_notebooks.measure(repeat=3)
    for name, seconds in chapters:
        row(f"chapter {name} (execution, kernel start excluded)", f"{seconds:.2f} s", "≤ 8 s", seconds <= 8)
    total = sum(s for _, s in chapters)
    row("chapters 0-4 together", f"{total:.2f} s", "≤ 60 s", total <= 60)
    for name, seconds in widgets.items():
        row(f"widget update {name}", f"{seconds * 1e3:.1f} ms", "≤ 30 ms", seconds <= 0.030)
    try:
        import bench_browser

        if not os.path.exists("/usr/bin/chromium"):
            raise ImportError("no /usr/bin/chromium")
        latency = bench_browser.measure()
        row(
            "chapter-1 slider: key press to new picture (Chromium)",
            f"{latency * 1e3:.0f} ms",
            "≤ 150 ms",
            latency <= 0.150,
        )
    except ImportError as exc:
        row("chapter-1 slider: key press to new picture (Chromium)", "not measured", "≤ 150 ms", None)
        print(f"    ({exc}: pip install -r requirements-oracles.txt; apt-get install chromium)")
    label, ours, ref = bench_runner.sweep_row()
    row(label + " vs numpy loop", f"{ours / ref:.2f}x", "≤ 2x", ours / ref <= 2)
    label, ours, ref = bench_optimizers.sweep_row()
    row(label + " vs numpy loop", f"{ours / ref:.2f}x", "≤ 2x", ours / ref <= 2)
    for label, ours, ref, ref_one_thread in bench_optimizers.step_rows():
        if ref is None:
            row(label + " vs torch.optim", "no torch", "≤ 1.5x", None)
        else:
            row(label + " vs torch.optim", f"{ours / ref:.2f}x", "≤ 1.5x", ours / ref <= 1.5)
            row("    the same, torch on one thread (for comparison)", f"{ours / ref_one_thread:.2f}x", "", None)


if __name__ == "__main__":
    main()
