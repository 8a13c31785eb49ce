"""Schedules and clipping cases shared by the fixture script and the tests (see make_schedule_fixtures.py)."""

import math

import numpy as np

import gdlib as gd

STEPS = 1200
BASE_LR = 0.1

# (name, gdlib factory, torch factory(optimizer)) — the torch side is built only when torch is present.
SCHEDULE_CASES = [
    (
        "step_lr",
        lambda: gd.schedules.step_lr(BASE_LR, step_size=30, gamma=0.7),
        lambda T, o: T.StepLR(o, step_size=30, gamma=0.7),
    ),
    ("step_lr_defaults", lambda: gd.schedules.step_lr(BASE_LR, step_size=100), lambda T, o: T.StepLR(o, step_size=100)),
    (
        "multistep_lr",
        lambda: gd.schedules.multistep_lr(BASE_LR, milestones=[100, 400, 900], gamma=0.3),
        lambda T, o: T.MultiStepLR(o, milestones=[100, 400, 900], gamma=0.3),
    ),
    (
        "multistep_lr_repeated",
        lambda: gd.schedules.multistep_lr(BASE_LR, milestones=[2, 2, 5, 400, 400, 400], gamma=0.5),
        lambda T, o: T.MultiStepLR(o, milestones=[2, 2, 5, 400, 400, 400], gamma=0.5),
    ),
    (
        "step_lr_every_step",
        lambda: gd.schedules.step_lr(BASE_LR, step_size=1, gamma=0.97),
        lambda T, o: T.StepLR(o, step_size=1, gamma=0.97),
    ),
    (
        "exponential_lr",
        lambda: gd.schedules.exponential_lr(BASE_LR, gamma=0.995),
        lambda T, o: T.ExponentialLR(o, gamma=0.995),
    ),
    (
        "exponential_lr_growth",
        lambda: gd.schedules.exponential_lr(BASE_LR, gamma=1.003),
        lambda T, o: T.ExponentialLR(o, gamma=1.003),
    ),
    (
        "cosine_annealing_lr",
        lambda: gd.schedules.cosine_annealing_lr(BASE_LR, T_max=500),
        lambda T, o: T.CosineAnnealingLR(o, T_max=500),
    ),
    (
        "cosine_annealing_lr_eta_min",
        lambda: gd.schedules.cosine_annealing_lr(BASE_LR, T_max=300, eta_min=1e-3),
        lambda T, o: T.CosineAnnealingLR(o, T_max=300, eta_min=1e-3),
    ),
    (
        "cosine_annealing_lr_short",
        lambda: gd.schedules.cosine_annealing_lr(BASE_LR, T_max=7, eta_min=2e-3),
        lambda T, o: T.CosineAnnealingLR(o, T_max=7, eta_min=2e-3),
    ),
    (
        "cosine_annealing_lr_382",
        lambda: gd.schedules.cosine_annealing_lr(BASE_LR, T_max=382),  # see test_schedules
        lambda T, o: T.CosineAnnealingLR(o, T_max=382),
    ),
    (
        "warm_restarts_mult1",
        lambda: gd.schedules.cosine_annealing_warm_restarts(BASE_LR, T_0=100),
        lambda T, o: T.CosineAnnealingWarmRestarts(o, T_0=100),
    ),
    (
        "warm_restarts_mult2",
        lambda: gd.schedules.cosine_annealing_warm_restarts(BASE_LR, T_0=50, T_mult=2, eta_min=1e-4),
        lambda T, o: T.CosineAnnealingWarmRestarts(o, T_0=50, T_mult=2, eta_min=1e-4),
    ),
    (
        "warm_restarts_mult3",
        lambda: gd.schedules.cosine_annealing_warm_restarts(BASE_LR, T_0=7, T_mult=3),
        lambda T, o: T.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=3),
    ),
    (
        "linear_lr",
        lambda: gd.schedules.linear_lr(BASE_LR, start_factor=0.01, end_factor=1.0, total_iters=200),
        lambda T, o: T.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=200),
    ),
    (
        "linear_lr_decay",
        lambda: gd.schedules.linear_lr(BASE_LR, start_factor=1.0, end_factor=0.05, total_iters=1000),
        lambda T, o: T.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=1000),
    ),
    ("linear_lr_defaults", lambda: gd.schedules.linear_lr(BASE_LR), lambda T, o: T.LinearLR(o)),
    (
        "one_cycle_cos",
        lambda: gd.schedules.one_cycle_lr(1.0, total_steps=STEPS),
        lambda T, o: T.OneCycleLR(o, max_lr=1.0, total_steps=STEPS, cycle_momentum=False),
    ),
    (
        "one_cycle_linear",
        lambda: gd.schedules.one_cycle_lr(0.5, total_steps=STEPS, anneal_strategy="linear", pct_start=0.25),
        lambda T, o: T.OneCycleLR(
            o, max_lr=0.5, total_steps=STEPS, anneal_strategy="linear", pct_start=0.25, cycle_momentum=False
        ),
    ),
    (
        "one_cycle_three_phase",
        lambda: gd.schedules.one_cycle_lr(
            0.5, epochs=10, steps_per_epoch=120, three_phase=True, div_factor=10.0, final_div_factor=100.0
        ),
        lambda T, o: T.OneCycleLR(
            o,
            max_lr=0.5,
            epochs=10,
            steps_per_epoch=120,
            three_phase=True,
            div_factor=10.0,
            final_div_factor=100.0,
            cycle_momentum=False,
        ),
    ),
    (
        "one_cycle_three_phase_linear",
        lambda: gd.schedules.one_cycle_lr(
            2.0, total_steps=STEPS, pct_start=0.4, anneal_strategy="linear", three_phase=True
        ),
        lambda T, o: T.OneCycleLR(
            o,
            max_lr=2.0,
            total_steps=STEPS,
            pct_start=0.4,
            anneal_strategy="linear",
            three_phase=True,
            cycle_momentum=False,
        ),
    ),
    (
        "sequential_linear_cosine",
        lambda: gd.schedules.sequential_lr(
            [
                gd.schedules.linear_lr(BASE_LR, start_factor=0.1, total_iters=100),
                gd.schedules.cosine_annealing_lr(BASE_LR, T_max=1100),
            ],
            [100],
        ),
        lambda T, o: T.SequentialLR(
            o, [T.LinearLR(o, start_factor=0.1, total_iters=100), T.CosineAnnealingLR(o, T_max=1100)], milestones=[100]
        ),
    ),
    (
        "warmup_cosine",
        lambda: gd.schedules.warmup_cosine(BASE_LR, warmup_steps=100, total_steps=1000, start_factor=0.01),
        lambda T, o: T.SequentialLR(
            o, [T.LinearLR(o, start_factor=0.01, total_iters=100), T.CosineAnnealingLR(o, T_max=900)], milestones=[100]
        ),
    ),
    (
        "sequential_three",
        lambda: gd.schedules.sequential_lr(
            [
                gd.schedules.linear_lr(BASE_LR, start_factor=0.5, total_iters=50),
                gd.schedules.exponential_lr(BASE_LR, gamma=0.99),
                gd.schedules.step_lr(BASE_LR, step_size=100, gamma=0.5),
            ],
            [50, 400],
        ),
        lambda T, o: T.SequentialLR(
            o,
            [
                T.LinearLR(o, start_factor=0.5, total_iters=50),
                T.ExponentialLR(o, gamma=0.99),
                T.StepLR(o, step_size=100, gamma=0.5),
            ],
            milestones=[50, 400],
        ),
    ),
    (
        "sequential_cosine_restarts_multistep",
        lambda: gd.schedules.sequential_lr(
            [
                gd.schedules.cosine_annealing_lr(BASE_LR, T_max=100, eta_min=1e-3),
                gd.schedules.cosine_annealing_warm_restarts(BASE_LR, T_0=60, T_mult=2),
                gd.schedules.multistep_lr(BASE_LR, milestones=[100, 300], gamma=0.5),
            ],
            [250, 700],
        ),
        lambda T, o: T.SequentialLR(
            o,
            [
                T.CosineAnnealingLR(o, T_max=100, eta_min=1e-3),
                T.CosineAnnealingWarmRestarts(o, T_0=60, T_mult=2),
                T.MultiStepLR(o, milestones=[100, 300], gamma=0.5),
            ],
            milestones=[250, 700],
        ),
    ),
]


# The momentum (of SGD) or β₁ (of Adam) torch's OneCycleLR(cycle_momentum=True) writes into the optimizer:
# (name, gdlib factory, what torch_schedule records, torch factory(optimizer)).
MOMENTUM_CASES = [
    (
        "one_cycle_momentum_sgd",
        lambda: gd.schedules.one_cycle_momentum(total_steps=STEPS, base_momentum=0.8),
        "momentum",
        lambda T, o: T.OneCycleLR(o, max_lr=1.0, total_steps=STEPS, base_momentum=0.8),
    ),
    (
        "one_cycle_momentum_sgd_defaults_epochs",
        lambda: gd.schedules.one_cycle_momentum(epochs=10, steps_per_epoch=120),
        "momentum",
        lambda T, o: T.OneCycleLR(o, max_lr=1.0, epochs=10, steps_per_epoch=120),
    ),
    (
        "one_cycle_momentum_adam_linear",
        lambda: gd.schedules.one_cycle_momentum(
            0.5, total_steps=STEPS, pct_start=0.25, anneal_strategy="linear", base_momentum=0.7, max_momentum=0.9
        ),
        "beta1",
        lambda T, o: T.OneCycleLR(
            o,
            max_lr=0.5,
            total_steps=STEPS,
            pct_start=0.25,
            anneal_strategy="linear",
            base_momentum=0.7,
            max_momentum=0.9,
        ),
    ),
    (
        "one_cycle_momentum_adam_three_phase",
        lambda: gd.schedules.one_cycle_momentum(
            total_steps=STEPS, pct_start=0.4, three_phase=True, base_momentum=0.85, max_momentum=0.98
        ),
        "beta1",
        lambda T, o: T.OneCycleLR(
            o, max_lr=1.0, total_steps=STEPS, pct_start=0.4, three_phase=True, base_momentum=0.85, max_momentum=0.98
        ),
    ),
]


def schedule_steps(name):
    return STEPS + 1 if name.startswith("one_cycle") else STEPS


def torch_schedule(torch, name, factory, record="lr"):
    """What torch's scheduler gives optimizer step t, for t = 0 … (recorded before each step): the lr of an
    SGD, or the momentum of an SGD with momentum, or β₁ of an Adam ("lr", "momentum", "beta1")."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    if record == "lr":
        opt = torch.optim.SGD([p], lr=BASE_LR)
    else:
        opt = torch.optim.SGD([p], lr=BASE_LR, momentum=0.5) if record == "momentum" else torch.optim.Adam([p])
    scheduler = factory(torch.optim.lr_scheduler, opt)
    values = []
    for t in range(schedule_steps(name)):
        group = opt.param_groups[0]
        values.append(
            {
                "lr": group["lr"],
                "momentum": group.get("momentum"),
                "beta1": group["betas"][0] if "betas" in group else None,
            }[record]
        )
        opt.step()
        if t < schedule_steps(name) - 1:
            scheduler.step()
    return values


def as_dtype(a, dtype):
    """``a`` in ``dtype``; values too large for float32 become inf, as the non-finite cases intend."""
    with np.errstate(over="ignore"):
        return np.asarray(a).astype(dtype)


# Clipping by norm: (name, kind, gradient arrays, max_norm, norm_type); kind is "single" (one array), "list"
# (a list of parameters, one total norm) or "rows" (each row of a matrix clipped on its own, as one run each).
def clip_cases():
    rng = np.random.default_rng(1983)
    g = rng.standard_normal(50)
    parts = [rng.standard_normal((3, 4)), rng.standard_normal(7), rng.standard_normal((2, 2, 2))]
    rows = rng.standard_normal((6, 5)) * np.array([0.1, 0.5, 1.0, 2.0, 10.0, 0.0])[:, None]
    n2 = float(np.sqrt(np.sum(g * g)))
    cases = []
    for p in (1.0, 2.0, 3.5, math.inf):
        for scale in (0.5, 1.0, 2.0):
            cases.append((f"single p={p} x{scale}", "single", [g], scale * n2, p))
            cases.append((f"list p={p} x{scale}", "list", parts, scale * 3.0, p))
        cases.append((f"rows p={p}", "rows", [rows], 1.0, p))
    cases.append(("at the limit exactly", "single", [g], n2, 2.0))
    cases.append(("zero gradient", "single", [np.zeros(5)], 1.0, 2.0))
    cases.append(("max_norm zero", "list", parts, 0.0, 2.0))
    for p in (2.0, 3.5, math.inf):
        cases.append((f"inf entry p={p}", "single", [np.array([np.inf, 1.0, -2.0])], 1.0, p))
        cases.append((f"nan entry p={p}", "list", [np.array([np.nan, 1.0]), np.ones(3)], 1.0, p))
        cases.append((f"overflow p={p}", "single", [np.array([1e20, -1e20, 1.0]) ** (1 if p != 3.5 else 5)], 1.0, p))
    return cases


# Clipping by value: (name, gradient arrays, clip_value).
def value_cases():
    rng = np.random.default_rng(1847)
    g = 3 * rng.standard_normal(40)
    return [
        ("single c=1", [g], 1.0),
        ("single c=0", [g], 0.0),
        ("single c=10", [g], 10.0),
        ("list c=0.5", [g[:10].reshape(2, 5), g[10:]], 0.5),
        ("non-finite c=1", [np.array([np.inf, -np.inf, np.nan, 0.5, -7.0])], 1.0),
    ]
