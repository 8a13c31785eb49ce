"""Chapter 8's derivations (gdlib.theory.engineering) against the published forms and against gdlib's own
clipping, accumulation and flop counts."""

import numpy as np
import pytest
import sympy as sp

import gdlib as gd
from gdlib.theory._base import eta
from gdlib.theory.engineering import G, c

rng = np.random.default_rng(0)


def test_clipping_is_an_adaptive_step_pascanu_algorithm_1():
    d = gd.theory.clipping_step_size()
    # the published form: η·min(1, c/‖g‖), step length η·min(‖g‖, c) ≤ ηc
    for value in (0.1, 1.0, 2.0, 50.0):
        assert sp.simplify(d["eta_eff"].subs({G: value, c: 1}) - eta * min(1.0, 1.0 / value)) == 0
        assert sp.simplify(d["step_length"].subs({G: value, c: 1}) - eta * min(value, 1.0)) == 0
    assert d["largest_step"] == c * eta
    # against gd.clip_grad_norm: the clipped gradient is g times η_eff/η (up to torch's 10⁻⁶)
    g = rng.normal(size=20) * 10
    clipped, norm = gd.clip_grad_norm(g, max_norm=1.0)
    ratio = float(d["eta_eff"].subs({G: float(norm), c: 1, eta: 1}))
    assert np.allclose(clipped, ratio * g, rtol=1e-5)
    assert np.linalg.norm(clipped) <= 1.0


@pytest.mark.parametrize("k, B", [(2, 2), (4, 3), (3, 5)])
def test_accumulation_identity_goyal_et_al(k, B):
    d = gd.theory.accumulation_identity(k=k, B=B)
    assert d["difference_mean"] == 0
    assert d["sum_over_large"] == k  # summing unscaled micro-batch means gives k times the gradient
    assert d["difference_scaled"] == 0


def test_accumulate_equals_the_large_batch_step_on_the_mlp():
    X, y = rng.normal(size=(48, 5)), rng.integers(0, 2, size=48)
    p = gd.MLP(X, y, widths=(8,))
    x_big = x_acc = p.init(seed=1)
    big, acc = gd.SGD(lr=0.1, momentum=0.9), gd.Accumulate(gd.SGD(lr=0.1, momentum=0.9), k=4)
    from gdlib.optimizers import tree_init, tree_step

    s_big, s_acc = tree_init(big, x_big), tree_init(acc, x_acc)
    for _ in range(5):
        idx = rng.permutation(48)[:24]
        x_big, s_big = tree_step(big, x_big, p.grad(x_big, idx), s_big)
        for j in range(4):
            x_acc, s_acc = tree_step(acc, x_acc, p.grad(x_acc, idx[6 * j : 6 * j + 6]), s_acc)
    for key in x_big:
        assert np.allclose(x_big[key], x_acc[key], rtol=1e-12, atol=1e-14)


def test_dense_layer_flops_kaplan_6n():
    d = gd.theory.dense_layer_flops()
    B, m, h = sp.symbols("B m h", positive=True, integer=True)
    assert sp.simplify(d["forward"] - 2 * B * m * h) == 0
    assert sp.simplify(d["backward"] - 4 * B * m * h) == 0
    assert d["backward_over_forward"] == 2
    assert d["per_param_per_example"] == 6
    # gdlib's MLP.cost: its matrix products are these counts (layer 1 without δ_in), plus the
    # elementwise terms (bias, φ, loss) it lists in its docstring
    n, d_in, hidden, out = 10, 7, 16, 3
    X, Y = rng.normal(size=(n, d_in)), rng.normal(size=(n, out))
    p = gd.MLP(X, Y, widths=(hidden,), activation="tanh", loss="squared")
    sizes = [(d_in, hidden), (hidden, out)]
    fwd = [int(d["forward"].subs({B: n, m: a, h: b})) for a, b in sizes]
    grad_W = int(d["backward"].subs({B: n, m: d_in, h: hidden}) / 2)  # layer 1: ∇W only
    assert p.cost(n, "forward") == sum(fwd) + n * hidden + n * out + n * hidden + 4 * n * out
    backward_2 = int(d["backward"].subs({B: n, m: hidden, h: out}))
    assert p.cost(n, "backward") == grad_W + backward_2 + n * out + n * hidden + n * out + 2 * n * hidden


def test_clipped_descent_lemma_on_a_quadratic():
    # the derived guaranteed decrease holds for clipped GD on f = ½ xᵀAx (L = λ_max(A)), for every ‖g‖,
    # and is positive whenever η < 2/L (Nesterov 2004, Lemma 1.2.3 with h = η_eff)
    from gdlib.theory._base import L

    d = gd.theory.clipping_step_size()
    assert d["stable_below"] == 2 / L
    A = np.diag([10.0, 3.0, 0.5])
    Lval, lr = 10.0, 0.19  # η < 2/L = 0.2
    f = lambda x: 0.5 * x @ A @ x  # noqa: E731
    for scale in (0.01, 1.0, 100.0):
        x = rng.normal(size=3) * scale
        for cval in (0.1, 1.0, 10.0):
            g = A @ x
            clipped, norm = gd.clip_grad_norm(g, max_norm=cval)
            x_new = x - lr * np.asarray(clipped)
            bound = float(d["decrease_clipped"].subs({G: float(norm), c: cval, eta: lr, L: Lval}))
            assert f(x) - f(x_new) >= bound * (1 - 1e-5) - 1e-12
            assert bound > 0
    # general k and B: the mean of micro-batch means is the large-batch mean
    assert gd.theory.accumulation_identity()["difference_general"] == 0
