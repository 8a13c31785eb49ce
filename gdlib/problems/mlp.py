r"""A small multilayer perceptron as a gdlib problem: hand-written backpropagation, exact Hessian-vector
products by the R-operator, optional batch normalisation, and many runs at once.

The parameters are a dict of arrays (structured parameters, see :mod:`gdlib.tree`): ``W1``, ``b1`` for the
first layer up to ``WL``, ``bL`` for the output layer. Every method takes θ with leading run axes as well:
each leaf of shape (*runs, *leaf_shape) gives one loss per run, shape (*runs).
"""

from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_number
from .base import Problem, check_indices, random_start
from .data import _sigmoid, _softplus

__all__ = ["MLP"]


def _T(W):
    """Wᵀ of the last two axes (the run axes stay in front)."""
    return np.swapaxes(W, -1, -2)


class _Activation(NamedTuple):
    phi: object  #: a = φ(z)
    d1: object  #: φ′, as a function of (z, a)
    d2: object  #: φ″, as a function of (z, a)


ACTIVATIONS = {
    "tanh": _Activation(np.tanh, lambda z, a: 1 - a * a, lambda z, a: -2 * a * (1 - a * a)),
    "relu": _Activation(
        lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype), lambda z, a: np.zeros_like(z)
    ),
    "sigmoid": _Activation(_sigmoid, lambda z, a: a * (1 - a), lambda z, a: a * (1 - a) * (1 - 2 * a)),
    "linear": _Activation(lambda z: z, lambda z, a: np.ones_like(z), lambda z, a: np.zeros_like(z)),
}
LOSSES = ("cross_entropy", "squared")
FLOATS = (np.float16, np.float32, np.float64)


def _mean_b(x):
    """The mean over the examples of the batch (axis −2), kept as an axis of length 1."""
    return x.mean(axis=-2, keepdims=True)


def _batch_norm(z, eps):
    """ẑ = (z − mean z) / s with s = √(var z + ε), per unit over the batch (biased variance); (ẑ, s)."""
    centred = z - _mean_b(z)
    s = np.sqrt(_mean_b(centred * centred) + eps)
    return centred / s, s


def _batch_norm_back(g, z_hat, s):
    """gᵀ ∂ẑ/∂z = (g − mean g − ẑ · mean(g ẑ)) / s; the Jacobian ∂ẑ/∂z is symmetric, so it is also ∂ẑ/∂z · g."""
    return (g - _mean_b(g) - z_hat * _mean_b(g * z_hat)) / s


def _batch_norm_back_dir(g, Rg, z_hat, Rz, Rz_hat, s):
    """R{_batch_norm_back(g, ẑ, s)} when z moves by Rz (so ẑ by Rẑ and s by mean(ẑ Rz)) and g by Rg."""
    back = _batch_norm_back(g, z_hat, s)
    R_s = _mean_b(z_hat * Rz)
    return (
        Rg - _mean_b(Rg) - Rz_hat * _mean_b(g * z_hat) - z_hat * _mean_b(Rg * z_hat + g * Rz_hat)
    ) / s - back * R_s / s


class _Forward(NamedTuple):
    a: dict  #: a[0] = X, a[l] = φ(ẑ_l): the input of layer l + 1
    z_hat: dict  #: ẑ_l: z_l normalised over the batch (z_l itself without normalisation)
    s: dict  #: the batch standard deviations √(var z_l + ε) (empty without normalisation)
    out: np.ndarray  #: the network's output z_L, shape (*runs, B, out)


class MLP(Problem):
    r"""A multilayer perceptron with L = len(widths) + 1 layers, trained on (X, y).

    .. math::
        a_0 &= x, \qquad z_l = W_l a_{l-1} + b_l, \qquad \hat z_l = \mathrm{BN}(z_l)
            \text{ (optional)}, \qquad a_l = \varphi(\hat z_l) \qquad (l = 1, \dots, L-1) \\
        f_\theta(x) &= z_L = W_L a_{L-1} + b_L, \qquad
        L(\theta) = \frac1B \sum_{i \in B} \ell\bigl(f_\theta(x_i), y_i\bigr)
            + \frac\lambda2 \sum_l \lVert W_l\rVert_F^2 \\
        \delta_L &= \partial \ell / \partial z_L, \qquad
        \nabla_{W_l} L = \frac1B \sum_i \delta_{l,i}\, a_{l-1,i}^\top + \lambda W_l, \qquad
        \nabla_{b_l} L = \frac1B \sum_i \delta_{l,i} \\
        \delta_{l-1} &= \mathrm{BN}'^\top\bigl((W_l^\top \delta_l) \odot \varphi'(\hat z_{l-1})\bigr)

    over the mini-batch B (all n examples when ``idx`` is None). The losses: squared,
    ℓ = ½‖f − y‖²; binary cross-entropy (two classes, one output unit), ℓ = log(1 + e^f) − y f;
    softmax cross-entropy (K ≥ 3 classes, K outputs), ℓ = log Σ_k e^{f_k} − f_y.
    Batch normalisation (no learned scale or shift, as torch's ``batch_norm(affine=False)`` in training
    mode) is BN(z) = (z − mean_B z)/√(var_B z + ε) per unit with the biased variance, applied to every
    hidden layer before φ. It makes L invariant to the scale of the weights W_l that feed it, and makes
    the loss of an example depend on the other examples of its batch.

    ==========  ===================  =======================================================================
    symbol      argument             meaning
    ==========  ===================  =======================================================================
    x_i, y_i    ``X``, ``y``         examples (n, d_in); targets: (n,) or (n, out) for ``"squared"``,
                                     integer labels 0 … K−1 for ``"cross_entropy"``
    —           ``widths``           the hidden layers' sizes, e.g. (32,) or (64, 64); () is a linear model
    φ           ``activation``       ``"tanh"``, ``"relu"``, ``"sigmoid"`` or ``"linear"`` (identity)
    ℓ           ``loss``             ``"cross_entropy"`` or ``"squared"``
    BN          ``normalization``    None or ``"batch"``
    λ           ``l2``               penalty on the weights W_l (not on the biases), λ ≥ 0
    ε           ``eps``              added to the variance inside the square root of BN, ε ≥ 0
    K           ``classes``          number of classes (default: largest label + 1)
    ==========  ===================  =======================================================================

    ``grad`` is backpropagation: the forward pass keeps every a_l, the backward pass carries δ_l from the
    output to the input. ``hvp`` is exact (not a finite difference): Pearlmutter's R-operator
    R{·} = d/dε (·)(θ + εv) at ε = 0 applied to every line of the forward and the backward pass.
    The code treats the whole batch at once with one example per row, as X and torch's ``F.linear`` do:
    ``z = a @ Wᵀ + b`` is z_l = W_l a_{l−1} + b_l for every example, and ``δᵀ @ a`` is Σ_i δ_{l,i} a_{l−1,i}ᵀ.

    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1, 1, 0])
    >>> p = MLP(X, y, widths=(4,))                # XOR
    >>> p
    MLP(n=4, d_in=2, widths=(4,), out=1, tanh, cross_entropy, d=17)
    >>> p.shapes
    {'W1': (4, 2), 'b1': (4,), 'W2': (1, 4), 'b2': (1,)}
    >>> round(float(p.f(p.init(scale=0.0))), 6)   # all outputs 0: the loss is log 2
    0.693147
    >>> theta = p.init(seed=0, n_runs=3)          # three runs at once
    >>> p.f(theta).shape, p.grad(theta)["W1"].shape
    ((3,), (3, 4, 2))

    References: D. E. Rumelhart, G. E. Hinton, R. J. Williams (1986), Learning representations by
    back-propagating errors, Nature 323, 533–536; B. A. Pearlmutter (1994), Fast exact multiplication by
    the Hessian, Neural Computation 6(1), 147–160; S. Ioffe, C. Szegedy (2015), Batch normalization:
    accelerating deep network training by reducing internal covariate shift, ICML; X. Glorot, Y. Bengio
    (2010), Understanding the difficulty of training deep feedforward neural networks, AISTATS;
    K. He, X. Zhang, S. Ren, J. Sun (2015), Delving deep into rectifiers, ICCV.
    """

    def __init__(
        self,
        X,
        y,
        widths=(32,),
        activation="tanh",
        loss="cross_entropy",
        normalization=None,
        l2=0.0,
        eps=1e-5,
        classes=None,
    ):
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError("X must be a matrix of numbers of shape (n, d_in)") from None
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must be a matrix of shape (n, d_in) with n, d_in ≥ 1 (got shape {X.shape})")
        if not np.all(np.isfinite(X)):
            raise ValueError("X must hold finite numbers (it has NaN or infinite entries)")
        if isinstance(widths, (int, np.integer)) and not isinstance(widths, bool):
            widths = (widths,)
        if not isinstance(widths, (tuple, list)):
            raise TypeError(f"widths must be a tuple of hidden-layer sizes such as (32,) (got {widths!r})")
        for i, w in enumerate(widths):
            check_number(f"widths[{i}]", w, low=1, integer=True, allow_array=False)
        check_choice("activation", activation, tuple(ACTIVATIONS))
        check_choice("loss", loss, LOSSES)
        check_choice("normalization", normalization, (None, "batch"))
        check_number("l2", l2, low=0, allow_array=False)
        check_number("eps", eps, low=0, allow_array=False)
        if normalization == "batch" and len(widths) == 0:
            raise ValueError("normalization='batch' needs at least one hidden layer (widths is empty)")
        if normalization == "batch" and X.shape[0] < 2:
            raise ValueError("normalization='batch' needs at least 2 examples")
        self.X, self.n, self.d_in = X, X.shape[0], X.shape[1]
        self.widths, self.activation, self.loss = tuple(int(w) for w in widths), activation, loss
        self.normalization, self.l2, self.eps = normalization, float(l2), float(eps)
        self.y, self._targets, self.classes = self._check_targets(y, classes)
        self.out = self._targets.shape[1]
        self.depth = len(self.widths) + 1
        sizes = (self.d_in, *self.widths, self.out)
        self.shapes = {}
        for l in range(1, self.depth + 1):
            self.shapes[f"W{l}"], self.shapes[f"b{l}"] = (sizes[l], sizes[l - 1]), (sizes[l],)
        self.d = sum(int(np.prod(s)) for s in self.shapes.values())
        self._phi = ACTIVATIONS[activation]
        self._cache = {}

    def _check_targets(self, y, classes):
        """y as given, the targets as a float matrix (n, out) (one-hot for softmax), and K (None: regression)."""
        try:
            y = np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            raise TypeError("y must be an array of numbers") from None
        n = self.n
        if self.loss == "squared":
            if not (y.shape == (n,) or (y.ndim == 2 and y.shape[0] == n and y.shape[1] >= 1)):
                raise ValueError(f"y must have shape ({n},) or ({n}, out) to match X (got {y.shape})")
            if classes is not None:
                raise ValueError("classes is for loss='cross_entropy' only")
            if not np.all(np.isfinite(y)):
                raise ValueError("y must hold finite numbers (it has NaN or infinite entries)")
            return y, y.reshape(n, -1), None
        if y.shape != (n,):
            raise ValueError(f"y must be a vector of {n} integer labels to match X (got shape {y.shape})")
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or np.any(y < 0):
            raise ValueError("y must hold integer class labels 0, 1, …, K−1 for loss='cross_entropy'")
        if classes is None:
            classes = max(int(y.max()) + 1, 2)
        check_number("classes", classes, low=2, integer=True, allow_array=False)
        classes = int(classes)
        if y.max() >= classes:
            raise ValueError(f"y must hold labels in [0, {classes - 1}] for classes={classes} (got {y.max():g})")
        labels = y.astype(int)
        targets = y.reshape(n, 1) if classes == 2 else np.eye(classes)[labels]
        return labels, targets, classes

    # --- inputs: parameters, mini-batches, dtypes ---

    def _unpack(self, theta, name="theta"):
        """θ as dicts {l: W_l}, {l: b_l} in one floating dtype; also its run shape and that dtype."""
        keys = ", ".join(self.shapes)
        if not isinstance(theta, dict):
            raise TypeError(
                f"{name} must be a dict of arrays with keys {keys} (got {type(theta).__name__}); MLP.init() makes one"
            )
        if set(theta) != set(self.shapes):
            raise ValueError(f"{name} must have the keys {keys} (got {', '.join(map(str, theta))})")
        arrays = {k: np.asarray(theta[k]) for k in self.shapes}
        runs = None
        for k, shape in self.shapes.items():
            a = arrays[k]
            lead = a.shape[: a.ndim - len(shape)]
            if a.ndim < len(shape) or a.shape[len(lead) :] != shape or (runs is not None and lead != runs):
                expected = ", ".join(map(str, shape))
                also = "" if runs is None else f" with the same run axes {runs} as the other arrays"
                raise ValueError(f"{name}['{k}'] must have shape (*runs, {expected}){also} (got {a.shape})")
            runs = lead
        dtype = np.result_type(*arrays.values())
        dtype = dtype if dtype in FLOATS else np.dtype(np.float64)
        W = {l: arrays[f"W{l}"].astype(dtype, copy=False) for l in range(1, self.depth + 1)}
        b = {l: arrays[f"b{l}"].astype(dtype, copy=False) for l in range(1, self.depth + 1)}
        return W, b, runs, dtype

    def _data(self, dtype):
        """(X, targets) cast to ``dtype`` once and kept."""
        if dtype not in self._cache:
            self._cache[dtype] = (self.X.astype(dtype), self._targets.astype(dtype))
        return self._cache[dtype]

    def _batch(self, idx, dtype):
        X, T = self._data(dtype)
        if idx is None:
            return X, T
        idx = check_indices(idx, self.n)
        if self.normalization == "batch" and idx.size < 2:
            raise ValueError("batch normalisation needs a mini-batch of at least 2 examples (got idx of size 1)")
        return X[idx], T[idx]

    # --- the network ---

    def _forward(self, W, b, X):
        """The forward pass: every layer's input a_{l−1} is kept for the backward pass."""
        a, z_hat, s = {0: X}, {}, {}
        for l in range(1, self.depth):
            z = a[l - 1] @ _T(W[l]) + b[l][..., None, :]
            if self.normalization == "batch":
                z_hat[l], s[l] = _batch_norm(z, self.eps)
            else:
                z_hat[l] = z
            a[l] = self._phi.phi(z_hat[l])
        L = self.depth
        return _Forward(a, z_hat, s, a[L - 1] @ _T(W[L]) + b[L][..., None, :])

    def _loss(self, out, T):
        """The mean loss over the batch (one per run) and each example's ∂ℓ_i/∂z_L (not divided by B)."""
        if self.loss == "squared":
            r = out - T
            return 0.5 * np.sum(r * r, axis=-1).mean(axis=-1), r
        if self.classes == 2:
            return np.sum(_softplus(out) - T * out, axis=-1).mean(axis=-1), _sigmoid(out) - T
        top = out.max(axis=-1, keepdims=True)
        log_sum_exp = top + np.log(np.sum(np.exp(out - top), axis=-1, keepdims=True))
        return (log_sum_exp[..., 0] - np.sum(T * out, axis=-1)).mean(axis=-1), np.exp(out - log_sum_exp) - T

    def _loss_curvature(self, out, R_out):
        """∂²ℓ_i/∂z_L² · R{z_L} for each example: the directional derivative of ``_loss``'s second output."""
        if self.loss == "squared":
            return R_out
        if self.classes == 2:
            sigma = _sigmoid(out)
            return sigma * (1 - sigma) * R_out
        p = np.exp(out - out.max(axis=-1, keepdims=True))
        p = p / p.sum(axis=-1, keepdims=True)
        return p * R_out - p * np.sum(p * R_out, axis=-1, keepdims=True)

    def _penalty(self, W):
        return 0.5 * self.l2 * sum(np.sum(W[l] * W[l], axis=(-2, -1)) for l in W)

    def _backward(self, W, fwd, delta, per_example=False):
        """The backward pass from δ_L = ``delta`` (B times the mean loss's ∂/∂z_L) to every layer's gradient.
        ``per_example`` keeps one gradient per example (axis −3 of W, −2 of b) instead of their mean."""
        B = delta.shape[-2]
        grad = {}
        for l in range(self.depth, 0, -1):
            a_in = fwd.a[l - 1]
            if per_example:
                grad[f"W{l}"] = delta[..., :, :, None] * a_in[..., :, None, :] + self.l2 * W[l][..., None, :, :]
                grad[f"b{l}"] = delta
            else:
                grad[f"W{l}"] = _T(delta) @ a_in / B + self.l2 * W[l]
                grad[f"b{l}"] = delta.sum(axis=-2) / B
            if l > 1:
                delta = (delta @ W[l]) * self._phi.d1(fwd.z_hat[l - 1], fwd.a[l - 1])
                if self.normalization == "batch":
                    delta = _batch_norm_back(delta, fwd.z_hat[l - 1], fwd.s[l - 1])
        return {k: grad[k] for k in self.shapes}

    # --- the problem contract ---

    def f(self, theta, idx=None):
        """L(θ) on the mini-batch ``idx`` (None: all examples), one number per run."""
        W, b, _, dtype = self._unpack(theta)
        X, T = self._batch(idx, dtype)
        return self._loss(self._forward(W, b, X).out, T)[0] + self._penalty(W)

    def value_and_grad(self, theta, idx=None):
        """(L(θ), ∇L(θ)) by one forward and one backward pass; ∇L is a dict shaped like θ."""
        W, b, _, dtype = self._unpack(theta)
        X, T = self._batch(idx, dtype)
        fwd = self._forward(W, b, X)
        loss, delta = self._loss(fwd.out, T)
        return loss + self._penalty(W), self._backward(W, fwd, delta)

    def grad(self, theta, idx=None):
        """∇L(θ) on the mini-batch ``idx`` by backpropagation, a dict shaped like θ."""
        return self.value_and_grad(theta, idx)[1]

    def per_example_grads(self, theta, idx=None):
        """The gradient of each example's own loss ℓ_i + λ/2 Σ‖W_l‖² (their mean is ``grad(θ, idx)``): each
        leaf of shape (*runs, B, *leaf_shape). Undefined with batch normalisation, where an example's loss
        depends on the whole batch."""
        if self.normalization is not None:
            raise ValueError(
                "per-example gradients are undefined with batch normalisation: each example's loss "
                "depends on the other examples of its batch"
            )
        W, b, _, dtype = self._unpack(theta)
        X, T = self._batch(idx, dtype)
        fwd = self._forward(W, b, X)
        return self._backward(W, fwd, self._loss(fwd.out, T)[1], per_example=True)

    def has(self, member):
        """As :meth:`Problem.has`; with batch normalisation there are no per-example gradients."""
        if member == "per_example_grads" and self.normalization is not None:
            return False
        return super().has(member)

    def hvp(self, theta, v, idx=None):
        r"""The exact Hessian-vector product ∇²L(θ)·v on the mini-batch ``idx``, a dict shaped like θ.

        Pearlmutter's R-operator: R{u} = d/dε u(θ + εv)|₀ for every quantity u of the forward and backward
        passes, by the product and chain rules line by line (R{θ} = v, R{X} = 0); then R{∇L} = ∇²L·v.
        ``v`` is a dict like θ, with θ's run axes or none.
        """
        W, b, runs, dtype = self._unpack(theta)
        V, c, v_runs, _ = self._unpack(v, "v")
        if v_runs not in (runs, ()):
            raise ValueError(f"v must have θ's run axes {runs} or none (got {v_runs})")
        V = {l: V[l].astype(dtype, copy=False) for l in V}
        c = {l: c[l].astype(dtype, copy=False) for l in c}
        X, T = self._batch(idx, dtype)
        B, L, phi, batch_norm = X.shape[0], self.depth, self._phi, self.normalization == "batch"
        # forward pass and its directional derivative
        a, z_hat, s, Ra, Rz_pre, Rz_hat = {0: X}, {}, {}, {}, {}, {}
        for l in range(1, L + 1):
            z = a[l - 1] @ _T(W[l]) + b[l][..., None, :]
            Rz = a[l - 1] @ _T(V[l]) + c[l][..., None, :]
            if l > 1:
                Rz = Rz + Ra[l - 1] @ _T(W[l])
            if l == L:
                break
            if batch_norm:
                z_hat[l], s[l] = _batch_norm(z, self.eps)
                Rz_pre[l], Rz_hat[l] = Rz, _batch_norm_back(Rz, z_hat[l], s[l])
            else:
                z_hat[l], Rz_hat[l] = z, Rz
            a[l] = phi.phi(z_hat[l])
            Ra[l] = phi.d1(z_hat[l], a[l]) * Rz_hat[l]
        # backward pass and its directional derivative
        _, delta = self._loss(z, T)
        R_delta = self._loss_curvature(z, Rz)
        Hv = {}
        for l in range(L, 0, -1):
            RgW = _T(R_delta) @ a[l - 1]
            if l > 1:
                RgW = RgW + _T(delta) @ Ra[l - 1]
            Hv[f"W{l}"] = RgW / B + self.l2 * V[l]
            Hv[f"b{l}"] = R_delta.sum(axis=-2) / B
            if l > 1:
                d1, d2 = phi.d1(z_hat[l - 1], a[l - 1]), phi.d2(z_hat[l - 1], a[l - 1])
                g, Rg = delta @ W[l], R_delta @ W[l] + delta @ V[l]
                g, Rg = g * d1, Rg * d1 + g * d2 * Rz_hat[l - 1]
                if batch_norm:
                    delta = _batch_norm_back(g, z_hat[l - 1], s[l - 1])
                    R_delta = _batch_norm_back_dir(g, Rg, z_hat[l - 1], Rz_pre[l - 1], Rz_hat[l - 1], s[l - 1])
                else:
                    delta, R_delta = g, Rg
        return {k: Hv[k] for k in self.shapes}

    # --- helpers for the chapters ---

    def init(self, seed=0, scale=None, n_runs=None, dtype=np.float64):
        r"""Random initial parameters: zero biases and weights with independent zero-mean entries.

        ==============  ===============================================================================
        ``scale``       entries of W_l (m = fan-in, h = fan-out of the layer)
        ==============  ===============================================================================
        ``"glorot"``    uniform on [−a, a], a = √(6/(m + h)) (Glorot & Bengio 2010, their eq. 16)
        ``"he"``        normal with variance 2/m (He et al. 2015, the fan-in form of their eq. 10)
        a number σ      normal with standard deviation σ (0 gives all-zero parameters)
        None            ``"he"`` for ``activation="relu"``, ``"glorot"`` otherwise
        ==============  ===============================================================================

        With ``n_runs`` every leaf gets a leading run axis of that length, each run drawn independently.
        """
        if scale is None:
            scale = "he" if self.activation == "relu" else "glorot"
        if isinstance(scale, str):
            check_choice("scale", scale, ("glorot", "he"))
        else:
            check_number("scale", scale, low=0, allow_array=False)
        rng, runs = random_start(seed, n_runs, dtype)
        theta = {}
        for l in range(1, self.depth + 1):
            h, m = self.shapes[f"W{l}"]
            if scale == "glorot":
                bound = np.sqrt(6.0 / (m + h))
                W = rng.uniform(-bound, bound, size=runs + (h, m))
            else:
                std = np.sqrt(2.0 / m) if scale == "he" else float(scale)
                W = std * rng.standard_normal(runs + (h, m))
            theta[f"W{l}"], theta[f"b{l}"] = W.astype(dtype), np.zeros(runs + (h,), dtype=dtype)
        return theta

    def _inputs(self, X, dtype):
        if X is None:
            return self._data(dtype)[0]
        X = np.asarray(X, dtype=dtype)
        if X.ndim != 2 or X.shape[1] != self.d_in:
            raise ValueError(f"X must have shape (m, {self.d_in}) (got {X.shape})")
        if self.normalization == "batch" and X.shape[0] < 2:
            raise ValueError("batch normalisation needs at least 2 examples in X")
        return X

    def output(self, theta, X=None):
        """The network's output f_θ(x) for each row of X (default: the training examples), shape
        (*runs, m, out). With batch normalisation the statistics are those of X itself."""
        W, b, _, dtype = self._unpack(theta)
        return self._forward(W, b, self._inputs(X, dtype)).out

    def predict(self, theta, X=None):
        """Predicted class labels (cross-entropy), shape (*runs, m), or the outputs (squared loss; shape
        (*runs, m) when y was a vector)."""
        out = self.output(theta, X)
        if self.loss == "squared":
            return out[..., 0] if self.y.ndim == 1 else out
        if self.classes == 2:
            return (out[..., 0] > 0).astype(int)
        return out.argmax(axis=-1)

    def accuracy(self, theta, X=None, y=None):
        """The fraction of correctly classified examples, one number per run (default: the training data)."""
        if self.loss != "cross_entropy":
            raise ValueError("accuracy is for loss='cross_entropy'")
        if (X is None) != (y is None):
            raise ValueError("pass both X and y, or neither (the training data)")
        y = self.y if y is None else np.asarray(y)
        predicted = self.predict(theta, X)
        if y.shape != predicted.shape[-1:]:
            raise ValueError(f"y must have shape ({predicted.shape[-1]},) to match X (got {y.shape})")
        return np.mean(predicted == y, axis=-1)

    def cost(self, batch_size, part="gradient"):
        r"""Floating-point operations of one pass on ``batch_size`` examples: ``part`` = ``"forward"`` (the
        loss), ``"backward"`` or ``"gradient"`` (both).

        Counted: a product of a (B × m) by an (m × h) matrix as 2Bmh, and every elementwise operation on a
        (B × h) array (add, multiply, φ, φ′, exp …; a special function counts as one) as Bh; operations
        on single rows and the λW terms are left out. Per layer of fan-in m and fan-out h:

        - forward: 2Bmh + Bh (product, bias), then Bh for φ and 5Bh for batch normalisation (mean, centre,
          square, mean, divide) on hidden layers; the loss 4B·out;
        - backward: B·out for δ_L, 2Bmh + Bh for ∇W_l and ∇b_l, and for l > 1 2Bmh + 2Bm for δ_{l−1}
          (product, φ′, multiply) plus 7Bm for batch normalisation.
        """
        B = check_number("batch_size", batch_size, low=1, integer=True, allow_array=False)
        check_choice("part", part, ("forward", "backward", "gradient"))
        sizes = (self.d_in, *self.widths, self.out)
        bn = 1 if self.normalization == "batch" else 0
        forward, backward = 4 * B * self.out, B * self.out
        for l in range(1, self.depth + 1):
            m, h = sizes[l - 1], sizes[l]
            forward += 2 * B * m * h + B * h + (B * h + 5 * bn * B * h if l < self.depth else 0)
            backward += 2 * B * m * h + B * h + (2 * B * m * h + 2 * B * m + 7 * bn * B * m if l > 1 else 0)
        return {"forward": forward, "backward": backward, "gradient": forward + backward}[part]

    def __repr__(self):
        extras = (", batch norm" if self.normalization else "") + (f", l2={self.l2:g}" if self.l2 else "")
        return (
            f"MLP(n={self.n}, d_in={self.d_in}, widths={self.widths}, out={self.out}, {self.activation}, "
            f"{self.loss}{extras}, d={self.d})"
        )
