"""`make bench` must keep working: its optimizer and runner benchmarks run here on small sizes (speed is
never asserted, only that each benchmark runs, checks its own result and returns positive times)."""

import sys
from pathlib import Path

import pytest

from conftest import is_required

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_mlp  # noqa: E402
import bench_optimizers  # noqa: E402
import bench_runner  # noqa: E402


def test_sweeps_agree_with_their_hand_written_loops():
    """Each sweep benchmark asserts that gdlib and the numpy loop reach the same iterates before timing."""
    for sweep in (bench_runner.sweep_row, bench_optimizers.sweep_row):
        label, ours, reference = sweep(n_runs=400, steps=20)
        assert label.startswith(("gd.run: 400", "400 runs")) and ours > 0 and reference > 0


def test_step_rows_time_both_libraries():
    rows = bench_optimizers.step_rows(sizes=(10_000,), repeat=1)
    assert [label for label, *_ in rows] == ["Adam step, 0.01M float64", "SGD momentum step, 0.01M float64"]
    for _label, ours, torch_time, torch_one_thread in rows:
        assert ours > 0
        if torch_time is None:
            if is_required("torch"):
                pytest.fail("GDBOOK_REQUIRE_TORCH=1 but the benchmark found no torch")
        else:
            assert torch_time > 0 and torch_one_thread > 0


def test_mlp_benchmark_checks_its_gradient_against_the_fewest_numpy_lines():
    row = bench_mlp.pass_rows(repeat=1)  # asserts the two gradients agree first
    assert row["forward"] > 0 and row["gradient"] > 0 and 1.5 < row["flop_ratio"] < 3.5
    runs = bench_mlp.runs_row(n_runs=20, repeat=1)  # asserts the runs equal single runs
    assert runs["per_run"] > 0


def test_lbfgs_benchmark_counts_points_for_both_methods():
    from conftest import require

    require("scipy")
    import bench_lbfgs

    m = bench_lbfgs.measure()
    assert m["points"] > 10 and m["scipy_points"] > 10 and m["steps"] <= m["points"]
