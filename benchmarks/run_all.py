"""`make bench`: every benchmark of the book in one table, each figure a median of repeated runs, ratios
taken within the same run. Optional rows (torch, the browser) say so when their tool is missing."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_lbfgs  # noqa: E402
import bench_mlp  # noqa: E402
import bench_notebooks  # noqa: E402
import bench_optimizers  # noqa: E402
import bench_playground  # noqa: E402
import bench_runner  # noqa: E402


def row(label, value, goal, ok):
    mark = "" if ok is None else ("meets goal" if ok else "MISSES goal")
    print(f"{label:58s} {value:>14s}   {goal:>10s}   {mark}")


def main():
    print(f"{'benchmark':58s} {'measured':>14s}   {'goal':>10s}")
    chapters, widgets = bench_notebooks.measure(repeat=3)
    for name, seconds in chapters:
        row(f"chapter {name} (execution, kernel start excluded)", f"{seconds:.2f} s", "≤ 12 s", seconds <= 12)
    total = sum(s for _, s in chapters)
    row(f"all {len(chapters)} notebooks together", f"{total:.2f} s", "≤ 60 s", total <= 60)
    for name, seconds in widgets.items():
        row(f"widget update {name}", f"{seconds * 1e3:.1f} ms", "≤ 30 ms", seconds <= 0.030)
    try:
        import bench_browser

        if not os.path.exists("/usr/bin/chromium"):
            raise ImportError("no /usr/bin/chromium")
        for name, latency in bench_browser.measure().items():
            row(
                f"{name}: first slider, key press to new picture (Chromium)",
                f"{latency * 1e3:.0f} ms",
                "≤ 50 ms",
                latency <= 0.050,
            )
    except ImportError as exc:
        row("slider key press to new picture (Chromium)", "not measured", "≤ 50 ms", None)
        print(f"    ({exc}: pip install -r requirements-oracles.txt; apt-get install chromium)")
    play = bench_playground.kernel_times()
    row(
        "playground: slider move (4 optimizers x 200 steps + redraw)",
        f"{play['slider'] * 1e3:.1f} ms",
        "≤ 30 ms",
        play["slider"] <= 0.030,
    )
    row(
        "playground: a new function (parse, derive, race, redraw)",
        f"{play['new_function'] * 1e3:.1f} ms",
        "≤ 150 ms",
        play["new_function"] <= 0.150,
    )
    label, ours, ref = bench_runner.sweep_row()
    row(label + " vs numpy loop", f"{ours / ref:.2f}x", "≤ 2x", ours / ref <= 2)
    label, ours, ref = bench_optimizers.sweep_row()
    row(label + " vs numpy loop", f"{ours / ref:.2f}x", "≤ 2x", ours / ref <= 2)
    mlp = bench_mlp.pass_rows()
    row("MLP gradient / forward pass (breast cancer, width 32)", f"{mlp['ratio']:.2f}x", "≤ 3x", mlp["ratio"] <= 3)
    runs = bench_mlp.runs_row()
    row("MLP: 1,000 vectorised runs at B = 32, per run / one run", f"{runs['ratio']:.2f}x", "≤ 1x", runs["ratio"] <= 1)
    try:
        lbfgs = bench_lbfgs.measure()
        row(
            "L-BFGS distinct points / scipy L-BFGS-B (to ‖∇L‖∞ ≤ 1e-6)",
            f"{lbfgs['ratio']:.2f}x",
            "≤ 1.5x",
            lbfgs["ratio"] <= 1.5,
        )
    except ImportError as exc:
        row("L-BFGS distinct points / scipy L-BFGS-B", "no scipy", "≤ 1.5x", None)
        print(f"    ({exc}: pip install -r requirements-oracles.txt)")
    for label, ours, ref, ref_one_thread in bench_optimizers.step_rows():
        if ref is None:
            row(label + " vs torch.optim", "no torch", "≤ 1.5x", None)
        else:
            row(label + " vs torch.optim", f"{ours / ref:.2f}x", "≤ 1.5x", ours / ref <= 1.5)
            row("    the same, torch on one thread (for comparison)", f"{ours / ref_one_thread:.2f}x", "", None)


if __name__ == "__main__":
    main()
