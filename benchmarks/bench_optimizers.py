"""gdlib's optimizer steps against torch.optim, and a 40,000-run sweep through array hyperparameters
against a hand-written numpy loop. Run: python benchmarks/bench_optimizers.py"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import heavy_ball_grid, median_time  # noqa: E402

import gdlib as gd  # noqa: E402


def step_rows(sizes=(1_000_000, 10_000_000), repeat=5):
    """(label, gdlib seconds per step, torch seconds per step, torch seconds per step on one thread).

    The torch figures are None without torch. torch updates in place on all cores (2 here); numpy's
    elementwise operations use one core, and gdlib's pure step must write new arrays, so the one-thread
    figure is given beside the default one to show how much of the gap is threads."""
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    for n in sizes:
        rng = np.random.default_rng(0)
        x0, g = rng.standard_normal(n), rng.standard_normal(n)
        for name, ours, theirs in (
            ("Adam", gd.Adam(lr=1e-3), lambda p: torch.optim.Adam([p], lr=1e-3)),
            ("SGD momentum", gd.SGD(lr=1e-3, momentum=0.9), lambda p: torch.optim.SGD([p], lr=1e-3, momentum=0.9)),
        ):
            box = {"x": x0, "s": ours.init(x0)}
            box["x"], box["s"] = ours.step(box["x"], g, box["s"])  # past the first step's special case

            def ours_step(box=box, ours=ours, g=g):
                box["x"], box["s"] = ours.step(box["x"], g, box["s"])

            t_ours = median_time(ours_step, repeat=repeat)
            t_theirs = t_one_thread = None
            if torch is not None:
                p = torch.nn.Parameter(torch.tensor(x0))
                p.grad = torch.tensor(g)
                opt = theirs(p)
                opt.step()
                t_theirs = median_time(opt.step, repeat=repeat)
                threads = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    t_one_thread = median_time(opt.step, repeat=repeat)
                finally:
                    torch.set_num_threads(threads)
            rows.append((f"{name} step, {n / 1e6:g}M float64", t_ours, t_theirs, t_one_thread))
    return rows


def sweep_row(n_runs=40_000, steps=200):
    """Heavy ball over a 200x200 grid of (lr, momentum) on a 2-D quadratic: gdlib optimizer vs numpy loop."""
    q, lr, mom, x0 = heavy_ball_grid(n_runs)
    opt = gd.SGD(lr=lr, momentum=mom)

    def with_gdlib():
        x, s = x0, opt.init(x0)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                x, s = opt.step(x, x @ q.A, s)
        return x

    def by_hand():
        x, v = x0, np.zeros_like(x0)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                g = x @ q.A
                v = mom * v + g
                x = x - lr * v
        return x

    np.testing.assert_allclose(with_gdlib(), by_hand(), rtol=1e-12, equal_nan=True)
    return (f"{lr.size} runs x {steps} steps, optimizer.step", median_time(with_gdlib, 5), median_time(by_hand, 5))


def main():
    print(f"{'benchmark':44s} {'gdlib':>10s} {'reference':>10s} {'ratio':>7s}")
    for label, ours, ref, *one_thread in step_rows() + [sweep_row()]:
        ratio = f"{ours / ref:7.2f}" if ref else "    n/a"
        ref_s = f"{ref * 1e3:8.2f}ms" if ref else "  no torch"
        print(f"{label:44s} {ours * 1e3:8.2f}ms {ref_s} {ratio}")
        if one_thread and one_thread[0]:
            print(f"{'  torch on one thread':44s} {'':10s} {one_thread[0] * 1e3:8.2f}ms {ours / one_thread[0]:7.2f}")


if __name__ == "__main__":
    main()
