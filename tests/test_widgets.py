"""Widgets without a browser: the pure computation, in-place updates, and the throttle (fake clock)."""

import numpy as np

import gdlib as gd

W = gd.widgets


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.pending = []

    def __call__(self):
        return self.now

    def schedule(self, delay, callback):
        self.pending.append((self.now + delay, callback))

    def advance(self, dt):
        self.now += dt
        due = [cb for when, cb in self.pending if when <= self.now + 1e-12]
        self.pending = [(w, cb) for w, cb in self.pending if w > self.now + 1e-12]
        for cb in due:
            cb()


def test_throttle_runs_first_call_then_only_the_last_of_a_burst():
    clock, calls = FakeClock(), []
    throttle = W.Throttle(calls.append, interval=0.05, clock=clock, schedule=clock.schedule)
    throttle(1)
    for v in (2, 3, 4):
        clock.now += 0.01
        throttle(v)
    assert calls == [1]
    clock.advance(0.05)
    assert calls == [1, 4]
    clock.advance(1.0)
    throttle(5)
    assert calls == [1, 4, 5]


def test_throttle_never_drops_the_final_value():
    clock, calls = FakeClock(), []
    throttle = W.Throttle(calls.append, interval=0.1, clock=clock, schedule=clock.schedule)
    for i in range(100):
        throttle(i)
        clock.advance(0.003)
    clock.advance(0.2)
    assert calls[-1] == 99 and len(calls) <= 100 * 0.003 / 0.1 + 2


def _explorer():
    q = gd.Quadratic.from_condition(10.0, angle=0.4)
    return q, W.path_explorer(
        q,
        lambda lr: gd.GradientDescent(lr=lr),
        {"lr": W.slider("learning rate η", 0.05, 2.5, 0.5)},
        x0=[1.5, 1.0],
        steps=200,
    )


def test_compute_is_pure_and_reports_divergence():
    q, w = _explorer()
    ok = w.compute(lr=1.0)
    bad = w.compute(lr=2.4)
    assert ok["status"] == "step budget reached" and ok["xs"].shape == (201, 2)
    assert bad["status"] == "diverged" and bad["message"].startswith("diverged at step")
    np.testing.assert_allclose(ok["gap"][0], q.f([1.5, 1.0]) - q.f_star)


def test_slider_move_updates_the_same_figure_in_place():
    q, w = _explorer()
    fig, image, first = w.fig, w.image, w.png
    path = w.artists["path"]
    w.set(lr=1.8)
    assert w.fig is fig and w.image is image and w.artists["path"] is path  # nothing rebuilt
    assert w.png != first and image.value == w.png
    np.testing.assert_allclose(path.get_xydata(), w.compute(lr=1.8)["xs"])
    w.set(lr=2.4)
    assert w.status.value.startswith("diverged at step")


def test_moving_the_slider_widget_redraws():
    q, w = _explorer()
    before = w.png
    w.sliders["lr"].value = 1.2  # as the browser would; no running loop: drawn at once
    assert w.png != before


def test_problem_can_follow_a_slider():
    w = W.path_explorer(
        lambda kappa: gd.Quadratic.from_condition(kappa),
        lambda kappa: gd.GradientDescent(lr=1.0),
        {"kappa": W.slider("κ", 1, 100, 10, log=True)},
        x0=[1.0, 1.0],
        steps=50,
    )
    contours = w.artists["contours"]
    w.set(kappa=50.0)
    assert w.artists["contours"] is not contours


def test_figure_has_a_fixed_size():
    _, w = _explorer()
    assert (int(w.image.width), int(w.image.height)) == (640, 272)
    w.set(lr=2.4)
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(w.png)).size == (640, 272)


def test_options_pass_run_arguments_such_as_a_batch_size():
    X, y, _ = gd.make_regression(n=100, d=2, noise=1.0, seed=0)
    p = gd.LinearRegression(X, y)
    w = W.path_explorer(
        p,
        lambda B: gd.SGD(lr=0.05),
        {"B": W.slider("batch size B", 1, 100, 1, step=1)},
        x0=[0.0, 0.0],
        steps=100,
        options=lambda B: {"batch_size": int(B), "seed": 0},
    )
    noisy, exact = w.compute(B=1), w.compute(B=100)
    full = gd.run(gd.SGD(lr=0.05), p, [0.0, 0.0], steps=100)
    np.testing.assert_allclose(exact["xs"], full.xs, rtol=1e-12)  # B = n is full-batch descent
    assert not np.allclose(noisy["xs"], full.xs)


def test_redraws_do_not_pile_up_artists():
    w = W.path_explorer(
        lambda kappa: gd.Quadratic.from_condition(kappa),
        lambda kappa: gd.GradientDescent(lr=1.0),
        {"kappa": W.slider("κ", 1, 100, 10, log=True)},
        x0=[1.0, 1.0],
        steps=50,
    )
    left = w.artists["left"]
    counts = (len(left.lines), len(left.collections))
    for kappa in (2.0, 20.0, 80.0, 5.0):
        w.set(kappa=kappa)
    assert (len(left.lines), len(left.collections)) == counts
    assert w.artists["contours"] in w.artists["dynamic"]
