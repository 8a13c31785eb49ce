"""Shared helpers for the benchmarks: the median of repeated runs, and the heavy-ball sweep grid."""

import statistics
import time

import numpy as np


def median_time(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs (after ``warmup`` untimed runs)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_ball_grid(n_runs=40_000):
    """The (lr, momentum) grid of the sweep benchmarks, as columns of shape (n_runs, 1), on a 2-D quadratic
    with κ = 10; returns (problem, lr, momentum, x0)."""
    import gdlib as gd

    q = gd.Quadratic.from_condition(kappa=10.0, L=1.0, angle=0.3)
    side = int(np.sqrt(n_runs))
    lr, mom = np.meshgrid(np.linspace(0.01, 3.0, side), np.linspace(0.0, 0.99, side))
    lr, mom = lr.reshape(-1, 1), mom.reshape(-1, 1)
    return q, lr, mom, np.ones((lr.size, 2))
