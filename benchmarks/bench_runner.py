"""The runner's vectorised sweep: 40,000 heavy-ball runs x 200 steps on a 2-D quadratic through gd.run,
against a hand-written numpy loop. Run: python benchmarks/bench_runner.py"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import heavy_ball_grid, median_time  # noqa: E402

import gdlib as gd  # noqa: E402


def sweep_row(n_runs=40_000, steps=200):
    q, lr, mom, x0 = heavy_ball_grid(n_runs)

    def with_runner():
        return gd.run(gd.SGD(lr=lr, momentum=mom), q, x0, steps=steps, record="final")

    def by_hand():
        x, v = x0, np.zeros_like(x0)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                g = x @ q.A - q.b
                v = mom * v + g
                x = x - lr * v
        return x

    result, manual = with_runner(), by_hand()
    converging = result.status != "diverged"
    np.testing.assert_allclose(result.x[converging], manual[converging], rtol=1e-10, atol=1e-300)
    return (f"gd.run: {lr.size} heavy-ball runs x {steps} steps", median_time(with_runner, 5), median_time(by_hand, 5))


def main():
    label, ours, ref = sweep_row()
    print(f"{'benchmark':44s} {'gdlib':>10s} {'numpy loop':>10s} {'ratio':>7s}")
    print(f"{label:44s} {ours * 1e3:8.1f}ms {ref * 1e3:8.1f}ms {ours / ref:7.2f}")


if __name__ == "__main__":
    main()
