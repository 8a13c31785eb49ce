"""The problem and the cases shared by the optimizer fixtures, the fixture tests and the live torch tests.

The gradient depends on the iterate (a rotated ill-conditioned quadratic plus a small quartic term), so an
optimizer that goes wrong at any step leaves the reference trajectory for good.
"""

import dataclasses

import numpy as np

import gdlib as gd

D = 5
STEPS = 200


def _problem():
    rng = np.random.default_rng(1847)
    q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    A = q @ np.diag(np.geomspace(0.5, 5.0, D)) @ q.T
    b = rng.standard_normal(D)
    x0 = rng.standard_normal(D)
    return A, b, x0


A, B, X0 = _problem()


def grad(x):
    """∇ of ½xᵀAx − bᵀx + ¼·0.1·Σx⁴, computed in x's dtype.

    Ax is summed column by column in a fixed order, not by BLAS: BLAS kernels differ between processors
    (fused multiply-add, summation order), and the golden trajectories must not depend on the machine."""
    A_, b_ = A.astype(x.dtype), B.astype(x.dtype)
    Ax = A_[:, 0] * x[..., 0:1]
    for j in range(1, D):
        Ax = Ax + A_[:, j] * x[..., j : j + 1]
    return Ax - b_ + np.asarray(0.1, dtype=x.dtype) * x**3


def schedule(t):
    """A learning-rate factor that changes every step (used as LambdaLR in torch)."""
    return 1.0 / (1.0 + 0.05 * t)


# torch's OneCycleLR(cycle_momentum=True) over the STEPS steps: its keyword arguments besides max_lr (the case's lr).
ONE_CYCLE = {
    "cos": dict(pct_start=0.25, div_factor=10.0, base_momentum=0.8, max_momentum=0.95),
    "linear3": dict(pct_start=0.3, anneal_strategy="linear", three_phase=True, base_momentum=0.85, max_momentum=0.9),
}

# Every optimizer that steps one array with its gradient alone (elementwise, no oracle): the one list the
# generic tests (purity, scalars, dtypes, vectorised runs, state and shape checks) run over. "example"
# exercises most of its branches; "sweep" gives three values per run to some hyperparameters; "torch" says
# whether torch.optim has it under the same name (then CASES must hold cases for it, recorded from torch).
OPTIMIZERS = {
    "GradientDescent": dict(example=dict(lr=0.1), sweep=dict(lr=[0.01, 0.05, 0.1]), torch=False),
    "SGD": dict(
        example=dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        sweep=dict(lr=[0.01, 0.05, 0.1], momentum=[0.0, 0.5, 0.9], weight_decay=[0.0, 0.1, 0.0]),
        torch=True,
    ),
    "Adagrad": dict(
        example=dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
        sweep=dict(lr=[0.1, 0.2, 0.3], lr_decay=[0.0, 0.01, 0.1], initial_accumulator_value=[0, 0.1, 1]),
        torch=True,
    ),
    "RMSprop": dict(
        example=dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
        sweep=dict(lr=[0.01, 0.02, 0.005], alpha=[0.9, 0.99, 0.5], momentum=[0.0, 0.5, 0.9]),
        torch=True,
    ),
    "Adadelta": dict(example=dict(weight_decay=0.1), sweep=dict(lr=[0.5, 1.0, 2.0], rho=[0.8, 0.9, 0.95]), torch=True),
    "Adam": dict(
        example=dict(lr=0.1, amsgrad=True, weight_decay=0.1),
        sweep=dict(lr=[0.01, 0.05, 0.1], betas=([0.5, 0.8, 0.9], [0.9, 0.99, 0.999]), eps=[1e-8, 1e-6, 1e-3]),
        torch=True,
    ),
    "AdamW": dict(example=dict(lr=0.1), sweep=dict(lr=[0.01, 0.05, 0.1], weight_decay=[0.0, 0.01, 0.1]), torch=True),
    "NAdam": dict(
        example=dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True),
        sweep=dict(
            lr=[0.01, 0.05, 0.1], momentum_decay=[0.001, 0.004, 0.01], betas=([0.8, 0.9, 0.9], [0.9, 0.99, 0.999])
        ),
        torch=True,
    ),
    "RAdam": dict(
        example=dict(lr=0.1, weight_decay=0.1),
        sweep=dict(lr=[0.01, 0.05, 0.1], betas=([0.8, 0.9, 0.9], [0.9, 0.99, 0.999])),
        torch=True,
    ),
}


def example(name):
    """The optimizer ``name`` with its example hyperparameters (from OPTIMIZERS)."""
    return getattr(gd, name)(**OPTIMIZERS[name]["example"])


# (optimizer name, keyword arguments); "lr_schedule": True means lr = base_lr · schedule(t);
# "one_cycle": a key of ONE_CYCLE means torch's OneCycleLR with max_lr = lr, cycling the momentum (or β₁) too.
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, lr_schedule=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, one_cycle="cos")),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, one_cycle="linear3")),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3)),
    ("Adagrad", dict(lr=0.1, maximize=True, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.3, lr_schedule=True)),
    ("RMSprop", dict(lr=0.002)),
    ("RMSprop", dict(lr=0.002, alpha=0.9, eps=1e-2)),
    ("RMSprop", dict(lr=0.002, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.002, maximize=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.02, lr_schedule=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.9, one_cycle="cos")),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.95, eps=1e-4)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict(lr=2.0, lr_schedule=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.1, lr_schedule=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.1, one_cycle="cos")),
    ("Adam", dict(lr=0.1, betas=(0.9, 0.99), weight_decay=0.05, one_cycle="linear3")),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.1, weight_decay=0.05, lr_schedule=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, betas=(0.8, 0.99))),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True, eps=1e-5)),
    ("NAdam", dict(lr=0.1, lr_schedule=True)),
    ("NAdam", dict(lr=0.05, one_cycle="cos")),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.99))),
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.1, lr_schedule=True, eps=1e-5)),
    ("RAdam", dict(lr=0.1, one_cycle="cos")),
]
DTYPES = ("float64", "float32")


def case_id(name, kwargs, dtype):
    args = ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    return f"{name}({args})|{dtype}"


def gdlib_optimizer(name, kwargs):
    kwargs = dict(kwargs)
    if kwargs.pop("lr_schedule", False):
        base = kwargs.pop("lr")
        kwargs["lr"] = lambda t: base * schedule(t)
    one_cycle = kwargs.pop("one_cycle", None)
    if one_cycle is not None:
        spec = dict(ONE_CYCLE[one_cycle], max_lr=kwargs.pop("lr"), total_steps=STEPS)
        kwargs["lr"] = gd.schedules.one_cycle_lr(**{k: v for k, v in spec.items() if "momentum" not in k})
        momentum = gd.schedules.one_cycle_momentum(**spec)
        if "betas" in [f.name for f in dataclasses.fields(getattr(gd, name))]:
            kwargs["betas"] = (momentum, kwargs.get("betas", (0.9, 0.999))[1])
        else:
            kwargs["momentum"] = momentum
    return getattr(gd, name)(**kwargs)


def run_gdlib(name, kwargs, dtype, steps=STEPS):
    """The trajectory (steps + 1, D) of gdlib's optimizer on the shared problem."""
    opt = gdlib_optimizer(name, kwargs)
    x = X0.astype(dtype)
    state = opt.init(x)
    sign = -1 if kwargs.get("maximize") else 1
    xs = [x]
    for _ in range(steps):
        x, state = opt.step(x, sign * grad(x), state)
        xs.append(x)
    return np.array(xs)


def run_torch(torch, name, kwargs, dtype, steps=STEPS):
    """The same trajectory from torch.optim (the gradient is the same numpy function, fed to p.grad)."""
    kwargs = dict(kwargs)
    use_schedule = kwargs.pop("lr_schedule", False)
    one_cycle = kwargs.pop("one_cycle", None)
    p = torch.nn.Parameter(torch.tensor(X0.astype(dtype)))
    opt = getattr(torch.optim, name)([p], **kwargs)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if use_schedule else None
    if one_cycle is not None:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=kwargs["lr"], total_steps=steps, cycle_momentum=True, **ONE_CYCLE[one_cycle]
        )
    sign = -1 if kwargs.get("maximize") else 1
    xs = [p.detach().numpy().copy()]
    for _ in range(steps):
        x = p.detach().numpy()
        p.grad = torch.from_numpy(sign * grad(x.copy()))
        opt.step()
        if scheduler is not None:
            scheduler.step()
        xs.append(p.detach().numpy().copy())
    return np.array(xs)


def relative_error(got, want):
    """max over steps of ‖got_t − want_t‖∞ / max(‖want_t‖∞, 1e-3)."""
    scale = np.maximum(np.abs(want).max(axis=-1), 1e-3)
    return float((np.abs(got - want).max(axis=-1) / scale).max())


TOLERANCE = {"float64": 1e-12, "float32": 1e-5}
