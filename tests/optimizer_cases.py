"""The problem and the cases shared by the optimizer fixtures, the fixture tests and the live torch tests.

The gradient depends on the iterate (a rotated ill-conditioned quadratic plus a small quartic term), so an
optimizer that goes wrong at any step leaves the reference trajectory for good.
"""

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
        Ax = Ax + A_[:, j] * x[..., j:j + 1]
    return Ax - b_ + np.asarray(0.1, dtype=x.dtype) * x ** 3


def schedule(t):
    """A learning-rate factor that changes every step (used as LambdaLR in torch)."""
    return 1.0 / (1.0 + 0.05 * t)


# (optimizer name, keyword arguments); "lr_schedule": True means lr = base_lr · schedule(t).
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, lr_schedule=True)),
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
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.99))),
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.1, lr_schedule=True, eps=1e-5)),
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
    p = torch.nn.Parameter(torch.tensor(X0.astype(dtype)))
    opt = getattr(torch.optim, name)([p], **kwargs)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if use_schedule else None
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
