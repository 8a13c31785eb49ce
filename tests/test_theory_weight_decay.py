"""Chapter 6's derivations (gdlib.theory.weight_decay) against the published forms and against simulations,
torch.optim.SGD and torch.optim.AdamW as oracles."""

import numpy as np
import pytest
import sympy as sp

import gdlib as gd
from conftest import require
from gdlib.theory._base import alpha, beta, eps, eta, lam

rng = np.random.default_rng(0)


def test_plain_sgd_l2_is_decoupled_decay_loshchilov_hutter_proposition_1():
    d = gd.theory.sgd_l2_equals_decoupled()
    assert d["difference"] == 0
    # numerically: gd.SGD(weight_decay) against a decoupled step, on a random problem
    x, lam_, eta_ = rng.normal(size=5), 0.3, 0.1
    q = gd.Quadratic(np.diag([1.0, 2.0, 3.0, 4.0, 5.0]))
    lib = gd.run(gd.SGD(lr=eta_, weight_decay=lam_), q, x, steps=20).xs[-1]
    for _ in range(20):
        x = (1 - eta_ * lam_) * x - eta_ * q.grad(x)
    assert np.allclose(lib, x, rtol=1e-13, atol=1e-15)


def test_momentum_two_step_difference_is_minus_eta_beta_lambda_theta0():
    d = gd.theory.sgd_momentum_l2_vs_decoupled()
    theta0 = sp.Symbol("theta_0", real=True)
    assert sp.simplify(d["difference_step1"]) == 0
    assert sp.simplify(d["difference_step2"] + eta * beta * lam * theta0) == 0
    # simulate: L = 0 (g = 0), torch-style SGD with L2 and a hand-written SGDW
    eta_, beta_, lam_, th0 = 0.1, 0.9, 0.5, 1.0
    l2 = gd.run(
        gd.SGD(lr=eta_, momentum=beta_, weight_decay=lam_), gd.Quadratic(np.zeros((1, 1))), np.array([th0]), steps=2
    ).xs[:, 0]
    w = [th0]
    for _ in range(2):
        w.append((1 - eta_ * lam_) * w[-1])
    assert l2[1] == pytest.approx(w[1], rel=1e-14)
    assert l2[2] - w[2] == pytest.approx(-eta_ * beta_ * lam_ * th0, rel=1e-12)


def test_torch_sgd_weight_decay_is_l2_and_momentum_matches():
    torch = require("torch")
    x0 = rng.normal(size=4)
    q = gd.Quadratic(np.diag([1.0, 2.0, 5.0, 9.0]))
    for momentum in (0.0, 0.9):
        p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.05, momentum=momentum, weight_decay=0.2)
        for _ in range(15):
            opt.zero_grad()
            p.grad = torch.tensor(q.grad(p.detach().numpy()))
            opt.step()
        ours = gd.run(gd.SGD(lr=0.05, momentum=momentum, weight_decay=0.2), q, x0, steps=15).xs[-1]
        assert np.allclose(ours, p.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_adamw_fixed_point_matches_published_forms():
    d = gd.theory.adamw_fixed_point()
    u = sp.Symbol("u", positive=True)
    # the ε-penalty's derivative is the gradient magnitude at the fixed point; convex; box at 1/λ
    assert sp.simplify(eps * d["penalty_prime"] - d["abs_gradient"]) == 0
    # the penalty is derived by integration; it is the real barrier −u − log(1 − λu)/λ with φ(0) = 0
    assert sp.simplify(d["penalty"] - (-u - sp.log(1 - lam * u) / lam)) == 0
    assert d["penalty"].subs(u, 0) == 0 and not d["penalty"].has(sp.I)
    assert sp.simplify(d["penalty_second"] - lam / (1 - lam * u) ** 2) == 0
    assert d["box"] == 1 / lam
    # ε → 0: the fixed-point gradient vanishes inside the box (Xie & Li 2024, Thm 1.1: KKT of ‖θ‖∞ ≤ 1/λ)
    assert sp.limit(d["gradient_at_fixed_point"], eps, 0) == 0
    # a simulated AdamW fixed point on a 1-D quadratic L = ½a(θ − c)²: the solution of λθ + g/(|g| + ε) = 0
    a_, c_, lam_, eps_ = 1.0, 3.0, 0.5, 0.1
    fp = float(sp.nsolve(lam_ * u - (a_ * (c_ - u)) / (a_ * (c_ - u) + eps_), u, 1.9))
    r = gd.run(
        gd.AdamW(lr=0.01, weight_decay=lam_, eps=eps_),  # v̂ forgets the early gradients: constant η
        gd.Quadratic(np.array([[a_]]), b=np.array([a_ * c_])),
        np.array([0.0]),
        steps=20000,
    )
    assert r.xs[-1, 0] == pytest.approx(fp, abs=2e-4)
    assert fp < 1 / lam_ < c_  # the box binds: the unregularised minimiser c lies outside it


def test_adam_l2_fixed_point_is_the_ridge_solution():
    a_, c_, lam_ = 1.0, 3.0, 0.5
    r = gd.run(
        gd.Adam(lr=0.05, weight_decay=lam_),
        gd.Quadratic(np.array([[a_]]), b=np.array([a_ * c_])),
        np.array([0.0]),
        steps=10000,
    )
    assert r.xs[-1, 0] == pytest.approx(a_ * c_ / (a_ + lam_), abs=1e-4)


def test_decay_conversion_with_a_schedule():
    d = gd.theory.decay_schedule_conversion()
    lam_paper = sp.Symbol("lambda_paper", positive=True)
    assert sp.simplify(d["lambda_torch"] - lam_paper / alpha) == 0
    # gd.AdamW(lr = α·η_t, weight_decay = λ_paper/α) against the paper's Algorithm 2 written out
    q = gd.Quadratic(np.diag([1.0, 10.0]))
    x0, base, lam_p, T = np.array([1.0, -2.0]), 0.05, 0.02, 60
    mult = lambda t: 0.5 * (1 + np.cos(np.pi * t / T))  # noqa: E731
    lib = gd.run(gd.AdamW(lr=lambda t: base * mult(t), weight_decay=lam_p / base), q, x0, steps=T).xs[-1]
    x, m, v = x0.copy(), np.zeros(2), np.zeros(2)
    for t in range(1, T + 1):
        g = q.grad(x)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        mh, vh = m / (1 - 0.9**t), v / (1 - 0.999**t)
        x = x - mult(t - 1) * (base * mh / (np.sqrt(vh) + 1e-8) + lam_p * x)
    assert np.allclose(lib, x, rtol=1e-10, atol=1e-12)


def test_torch_adamw_matches_gdlib_with_schedule():
    torch = require("torch")
    q = gd.Quadratic(np.diag([1.0, 10.0]))
    x0 = np.array([1.0, -2.0])
    p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=0.05, weight_decay=0.4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30)
    for _ in range(30):
        opt.zero_grad()
        p.grad = torch.tensor(q.grad(p.detach().numpy()))
        opt.step()
        sched.step()
    ours = gd.run(gd.AdamW(lr=gd.schedules.cosine_annealing_lr(0.05, 30), weight_decay=0.4), q, x0, steps=30).xs[-1]
    assert np.allclose(ours, p.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_scale_invariant_equilibrium_against_published_form_and_simulation():
    d = gd.theory.scale_invariant_equilibrium()
    G = sp.Symbol("G", positive=True)
    assert sp.simplify(d["norm4_small_step"] - eta * G**2 / (2 * lam)) == 0  # van Laarhoven 2017; Wan et al. 2021
    assert sp.simplify(d["effective_lr"] - sp.sqrt(2 * eta * lam) / G) == 0
    # simulate the exact recursion for a scale-invariant loss: w ⟂ g with ‖g‖ = G/‖w‖ (a random direction)
    eta_, lam_, G_ = 0.1, 1e-3, 1.0
    w = np.ones(50) * 0.01
    r = np.random.default_rng(1)
    for _ in range(60000):
        z = r.normal(size=50)
        z -= (z @ w) / (w @ w) * w
        w = (1 - eta_ * lam_) * w - eta_ * G_ / np.linalg.norm(w) * z / np.linalg.norm(z)
    predicted = float(d["norm4"].subs({eta: eta_, lam: lam_, G: G_})) ** 0.25
    assert np.linalg.norm(w) == pytest.approx(predicted, rel=1e-3)
