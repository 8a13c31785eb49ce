"""gd.LBFGS against torch.optim.LBFGS (max_iter=1, one step(closure) per gdlib step): the golden
trajectories of tests/fixtures/lbfgs.npz (no torch needed) and live torch."""

import sys
from pathlib import Path

import numpy as np
import pytest

import gdlib as gd
from conftest import require

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
from make_lbfgs_fixtures import CASES, PROBLEMS, case_id, run_torch  # noqa: E402

FIXTURES = np.load(Path(__file__).resolve().parent / "fixtures" / "lbfgs.npz")
TOLERANCE = 1e-10  # relative, float64


def run_gdlib(problem_name, kwargs, steps):
    """θ_0 … θ_T, (n_iter, func_evals, step length, H_diag) after each step, and the statuses."""
    make, x0 = PROBLEMS[problem_name]
    problem, opt = make(), gd.LBFGS(**kwargs)
    x, xs, info, statuses = x0.copy(), [x0.copy()], [], []
    state = opt.init(x)
    for _ in range(steps):
        oracle = gd.Oracle(problem)
        x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
        xs.append(x)
        info.append([state.n_iter, state.func_evals, np.nan if state.lr is None else state.lr, state.H_diag])
        statuses.append(state.status)
    return np.array(xs), np.array(info, dtype=float), statuses


def relative_error(got, want):
    """max over steps of ‖got_t − want_t‖∞ / max(‖want_t‖∞, 1e-3)."""
    scale = np.maximum(np.abs(want).max(axis=-1), 1e-3)
    return float((np.abs(got - want).max(axis=-1) / scale).max())


def check_against(xs, info, want_xs, want_info):
    assert relative_error(xs, want_xs) <= TOLERANCE
    np.testing.assert_array_equal(info[:, :2], want_info[:, :2])  # n_iter and func_evals, exactly
    np.testing.assert_allclose(info[:, 2], want_info[:, 2], rtol=1e-8)  # the step lengths α_t


IDS = [case_id(*case) for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden_trajectories(case):
    key = case_id(*case)
    want_xs, want_info = FIXTURES[key + "|xs"], FIXTURES[key + "|info"]
    assert np.abs(want_xs[-1] - want_xs[0]).max() > 1e-2  # the case moves
    xs, info, _ = run_gdlib(*case)
    check_against(xs, info, want_xs, want_info)


def test_golden_cases_reach_every_early_return():
    statuses = set()
    for case in CASES:
        statuses |= set(run_gdlib(*case)[2])
    assert statuses == {"step", "converged", "no descent", "wolfe not met", "line search failed"}


def test_fixture_was_recorded_with_the_pinned_torch():
    assert str(FIXTURES["__torch_version__"]).startswith("2.13.0")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_live_torch(case):
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    want_xs, want_info = run_torch(torch, *case)
    xs, info, _ = run_gdlib(*case)
    check_against(xs, info, want_xs, want_info)


def state_from_torch(torch_state, t):
    """torch.optim.LBFGS's state dict as a gd.LBFGSState (before torch's first step: LBFGS.init)."""
    if "d" not in torch_state:
        return gd.LBFGS().init(None)._replace(t=t, func_evals=torch_state.get("func_evals", 0))

    def vec(v):
        return v.detach().numpy().copy()

    return gd.LBFGSState(
        t=t,
        n_iter=torch_state["n_iter"],
        func_evals=torch_state["func_evals"],
        d=vec(torch_state["d"]),
        lr=float(torch_state["t"]),
        old_dirs=tuple(vec(v) for v in torch_state["old_dirs"]),
        old_stps=tuple(vec(v) for v in torch_state["old_stps"]),
        ro=tuple(float(r) for r in torch_state["ro"]),
        H_diag=float(torch_state["H_diag"]),
        prev_flat_grad=vec(torch_state["prev_flat_grad"]),
        prev_loss=float(torch_state["prev_loss"]),
        status="step",
        failed=False,
    )


@pytest.mark.parametrize("history_size", [1, 3])
def test_live_torch_one_step_at_a_time_on_a_chaotic_run(history_size):
    """With 1 or 3 pairs, L-BFGS on Rosenbrock multiplies rounding differences by about three per step, so
    whole trajectories agree only for the first ~20 steps (the fixture stops there). Here every one of 40
    steps starts from torch's own θ and state, and gdlib's step must equal torch's."""
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    problem = gd.Rosenbrock()
    kwargs = dict(line_search_fn="strong_wolfe", history_size=history_size, max_eval=5)
    p = torch.nn.Parameter(torch.tensor([-1.2, 1.0]))
    torch_opt, opt = torch.optim.LBFGS([p], max_iter=1, **kwargs), gd.LBFGS(**kwargs)

    def closure():
        x = p.detach().numpy().copy()
        p.grad = torch.from_numpy(problem.grad(x))
        return torch.tensor(float(problem.f(x)))

    worst, moved = 0.0, 0.0
    for t in range(40):
        x = p.detach().numpy().copy()
        state = state_from_torch(torch_opt.state[p], t)
        oracle = gd.Oracle(problem)
        x_new, new_state = opt.step(x, oracle.grad(x), state, oracle=oracle)
        torch_opt.step(closure)
        want = p.detach().numpy()
        worst = max(worst, np.abs(x_new - want).max() / np.abs(want).max())
        moved = max(moved, np.abs(want - x).max())
        assert new_state.func_evals == torch_opt.state[p]["func_evals"]
    assert moved > 1e-3
    assert worst <= 1e-12


def test_live_torch_default_max_eval_is_one():
    """torch's default max_eval for max_iter=1 is 1 (max_iter·5//4): LBFGS(max_eval=1) reproduces it."""
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    make, x0 = PROBLEMS["logistic"]
    problem = make()
    p = torch.nn.Parameter(torch.tensor(x0))
    torch_opt = torch.optim.LBFGS([p], max_iter=1, line_search_fn="strong_wolfe")
    assert torch_opt.param_groups[0]["max_eval"] == 1

    def closure():
        x = p.detach().numpy().copy()
        p.grad = torch.from_numpy(problem.grad(x))
        return torch.tensor(float(problem.f(x)))

    opt = gd.LBFGS(line_search_fn="strong_wolfe", max_eval=1)
    x, state = x0.copy(), opt.init(x0)
    for _ in range(15):
        torch_opt.step(closure)
        oracle = gd.Oracle(problem)
        x, state = opt.step(x, oracle.grad(x), state, oracle=oracle)
    want = p.detach().numpy()
    assert np.abs(x - want).max() <= TOLERANCE * np.abs(want).max()


class SplitLogistic(gd.Problem):
    """The breast-cancer logistic regression with θ given as two arrays (w₁ of 12 entries, w₂ of 18)."""

    shapes = ((12,), (18,))
    d = 30

    def __init__(self):
        self.inner = PROBLEMS["logistic"][0]()

    def f(self, theta):
        return self.inner.f(np.concatenate(theta))

    def grad(self, theta):
        g = self.inner.grad(np.concatenate(theta))
        return (g[:12], g[12:])


def test_live_torch_with_two_parameter_tensors():
    """Structured parameters: gdlib flattens the tuple (w₁, w₂) in order, as torch concatenates its
    parameter list."""
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    problem = SplitLogistic()
    p1, p2 = torch.nn.Parameter(torch.zeros(12)), torch.nn.Parameter(torch.zeros(18))
    kwargs = dict(line_search_fn="strong_wolfe", history_size=5, max_eval=25)
    torch_opt, opt = torch.optim.LBFGS([p1, p2], max_iter=1, **kwargs), gd.LBFGS(**kwargs)

    def closure():
        theta = (p1.detach().numpy().copy(), p2.detach().numpy().copy())
        g1, g2 = problem.grad(theta)
        p1.grad, p2.grad = torch.from_numpy(g1.copy()), torch.from_numpy(g2.copy())
        return torch.tensor(float(problem.f(theta)))

    theta = (np.zeros(12), np.zeros(18))
    state = opt.init(theta)
    for _ in range(20):
        torch_opt.step(closure)
        oracle = gd.Oracle(problem)
        theta, state = opt.step(theta, oracle.grad(theta), state, oracle=oracle)
    assert isinstance(theta, tuple) and theta[0].shape == (12,) and theta[1].shape == (18,)
    want = np.concatenate([p1.detach().numpy(), p2.detach().numpy()])
    assert np.abs(np.concatenate(theta) - want).max() <= TOLERANCE * np.abs(want).max()
    assert np.abs(want).max() > 0.1


def test_benchmark_counts_distinct_points_against_scipy():
    """benchmarks/bench_lbfgs.py: evaluation counts, not times, so they can be asserted (goal ≤ 1.5×)."""
    require("scipy")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_lbfgs

    m = bench_lbfgs.measure()
    assert m["steps"] > 10 and m["scipy_points"] > 10
    assert m["steps"] < m["points"] <= m["ngev"]  # each point's gradient was counted
    assert m["ratio"] <= 1.5
