"""gd.MLP on the breast-cancer data (30 standardised features, one hidden layer of 32 tanh units, binary
cross-entropy): the cost of a gradient against a forward pass, and 1,000 vectorised runs against single runs.
Run: python benchmarks/bench_mlp.py. On a busy machine numpy's multithreaded BLAS can turn a 0.1 ms product into
milliseconds of waiting for threads; OPENBLAS_NUM_THREADS=1 python benchmarks/bench_mlp.py then gives stable
figures (the script prints the setting it ran with)."""

import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_time  # noqa: E402

import gdlib as gd  # noqa: E402


def problem(width=32, normalization=None):
    data = gd.load_breast_cancer().standardized()
    return gd.MLP(data.X, data.y, widths=(width,), normalization=normalization)


def by_hand(X, y, W1, b1, W2, b2):
    """The same network in the fewest numpy lines: L and ∇L for one tanh layer and binary cross-entropy."""
    B = len(y)
    a = np.tanh(X @ W1.T + b1)
    z = a @ W2.T + b2
    loss = np.mean(np.logaddexp(0, z[:, 0]) - y * z[:, 0])
    delta = (1 / (1 + np.exp(-z)) - y[:, None]) / B
    hidden = (delta @ W2) * (1 - a * a)
    return loss, {"W1": hidden.T @ X, "b1": hidden.sum(0), "W2": delta.T @ a, "b2": delta.sum(0)}


def forward_by_hand(X, W1, b1, W2, b2):
    return np.tanh(X @ W1.T + b1) @ W2.T + b2


def pass_rows(normalization=None, repeat=51):
    """Full-batch forward pass (the loss), gradient (one forward + one backward) and Hessian-vector product,
    in seconds, with the gradient/forward ratio (goal ≤ 3); without batch normalisation also the same
    network written in the fewest numpy lines (:func:`by_hand`), which must give the same gradient."""
    p = problem(normalization=normalization)
    theta = p.init(seed=0)
    v = p.init(seed=1)
    f, g = p.value_and_grad(theta)
    assert np.isfinite(f) and f == p.f(theta) and all(np.all(np.isfinite(a)) for a in gd.tree.leaves(g))
    row = {
        "problem": repr(p),
        "forward": median_time(lambda: p.f(theta), repeat),
        "gradient": median_time(lambda: p.value_and_grad(theta), repeat),
        "hvp": median_time(lambda: p.hvp(theta, v), repeat),
        "flop_ratio": p.cost(p.n) / p.cost(p.n, "forward"),
    }
    row["ratio"] = row["gradient"] / row["forward"]
    if normalization is None:
        args = (p.X, p.y, theta["W1"], theta["b1"], theta["W2"], theta["b2"])
        f_hand, g_hand = by_hand(*args)
        assert abs(f_hand - f) <= 1e-12 * f
        for k in g:
            np.testing.assert_allclose(g[k], g_hand[k], rtol=1e-10, atol=1e-14)
        row["forward_by_hand"] = median_time(lambda: forward_by_hand(p.X, *args[2:]), repeat)
        row["gradient_by_hand"] = median_time(lambda: by_hand(*args), repeat)
    return row


def runs_row(n_runs=1_000, batch_size=32, repeat=7):
    """One mini-batch gradient for ``n_runs`` runs at once, per run, against one run alone (goal ≤ 1)."""
    p = problem()
    idx = np.random.default_rng(0).choice(p.n, batch_size, replace=False)
    many = p.init(seed=0, n_runs=n_runs)
    one = {k: a[0] for k, a in many.items()}
    g_many, g_one = p.grad(many, idx), p.grad(one, idx)
    for k in g_one:  # the vectorised runs compute what single runs compute
        np.testing.assert_allclose(g_many[k][0], g_one[k], rtol=1e-12, atol=1e-15)
    single = median_time(lambda: p.grad(one, idx), repeat * 10)
    batched = median_time(lambda: p.grad(many, idx), repeat)
    return {
        "n_runs": n_runs,
        "batch_size": batch_size,
        "single": single,
        "per_run": batched / n_runs,
        "ratio": batched / n_runs / single,
    }


def main():
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    for normalization in (None, "batch"):
        r = pass_rows(normalization)
        print(r["problem"])
        print(
            f"  full batch: forward {r['forward'] * 1e6:8.1f} µs   gradient {r['gradient'] * 1e6:8.1f} µs   "
            f"hvp {r['hvp'] * 1e6:8.1f} µs"
        )
        print(
            f"  gradient / forward: {r['ratio']:.2f} measured, {r['flop_ratio']:.2f} by cost()   (goal ≤ 3: "
            f"{'meets goal' if r['ratio'] <= 3 else 'MISSES goal'})"
        )
        if "gradient_by_hand" in r:
            print(
                f"  the fewest numpy lines: forward {r['forward_by_hand'] * 1e6:8.1f} µs   gradient "
                f"{r['gradient_by_hand'] * 1e6:8.1f} µs   ratio {r['gradient_by_hand'] / r['forward_by_hand']:.2f}; "
                f"gd.MLP's gradient takes {r['gradient'] / r['gradient_by_hand']:.2f}x theirs"
            )
    r = runs_row()
    print(
        f"mini-batch {r['batch_size']} gradient: one run {r['single'] * 1e6:.1f} µs; {r['n_runs']} runs at once "
        f"{r['per_run'] * 1e6:.2f} µs per run; ratio {r['ratio']:.3f}   (goal ≤ 1: "
        f"{'meets goal' if r['ratio'] <= 1 else 'MISSES goal'})"
    )


if __name__ == "__main__":
    main()
