r"""Problems of the later chapters: two non-convex models with structured parameters (a matrix
factorisation and a deep linear network) and two functions built to defeat first-order methods (the
counterexample on which the heavy ball cycles, and Nesterov's worst-case quadratic).

``MatrixFactorization`` and ``DeepLinear`` take θ as a tuple of matrices (see :mod:`gdlib.tree`), each of
shape (*runs, rows, columns); ``LessardRechtPackard`` and ``NesterovWorstCase`` take a flat θ of shape
(*runs, d). All four compute in θ's floating dtype.
"""

import numpy as np

from .._checks import check_number
from .base import Problem, as_float, check_indices, random_start
from .synthetic import _factors

__all__ = ["MatrixFactorization", "DeepLinear", "LessardRechtPackard", "NesterovWorstCase"]

FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _T(a):
    """The transpose of the last two axes (one matrix per run)."""
    return np.swapaxes(a, -1, -2)


def _sq(a):
    """‖a‖²_F of the last two axes, one number per run."""
    return np.sum(a * a, axis=(-2, -1))


def _matrices(theta, shapes, name="theta", dtype=None):
    """θ, a tuple of matrices of the given shapes with common run axes, as arrays of one floating dtype.
    Returns (arrays, run shape, dtype); ``dtype`` forces that dtype (for a direction v beside θ)."""
    expected = ", ".join(f"(*runs, {r}, {c})" for r, c in shapes)
    if not isinstance(theta, (tuple, list)):
        raise TypeError(
            f"{name} must be a tuple of {len(shapes)} arrays of shapes {expected} "
            f"(got {type(theta).__name__}); init() makes one"
        )
    if len(theta) != len(shapes):
        raise ValueError(
            f"{name} must be a tuple of {len(shapes)} arrays of shapes {expected} (got {len(theta)} arrays)"
        )
    arrays, runs = [as_float(a) for a in theta], None
    for i, (a, shape) in enumerate(zip(arrays, shapes, strict=True)):
        lead = a.shape[:-2]
        if a.ndim < 2 or a.shape[-2:] != tuple(shape) or (runs is not None and lead != runs):
            also = "" if runs is None else f" with the run axes {runs} of {name}[0]"
            raise ValueError(f"{name}[{i}] must have shape (*runs, {shape[0]}, {shape[1]}){also} (got {a.shape})")
        runs = lead
    dtype = np.result_type(*arrays) if dtype is None else dtype
    return [a.astype(dtype, copy=False) for a in arrays], runs, dtype


def _direction(v, shapes, runs, dtype):
    """A direction v for hvp: θ's shapes, with θ's run axes or none, in θ's dtype."""
    arrays, v_runs, _ = _matrices(v, shapes, "v", dtype)
    if v_runs not in (runs, ()):
        raise ValueError(f"v must have θ's run axes {runs} or none (got {v_runs})")
    return arrays


def _random_matrices(shapes, seed, scale, n_runs, dtype):
    """Independent N(0, scale²) entries for every matrix; a leading run axis when ``n_runs`` is given."""
    check_number("scale", scale, low=0, allow_array=False)
    rng, runs = random_start(seed, n_runs, dtype)
    return tuple((scale * rng.standard_normal(runs + tuple(s))).astype(dtype) for s in shapes)


class MatrixFactorization(Problem):
    r"""Matrix completion by factorisation: fit M ≈ U Vᵀ on its observed entries Ω.

    .. math::
        L(U, V) &= \frac{1}{2|\Omega|} \sum_{(i,j)\in\Omega} \bigl(u_i^\top v_j - M_{ij}\bigr)^2
                  + \frac{\lambda}{2}\bigl(\lVert U\rVert_F^2 + \lVert V\rVert_F^2\bigr) \\
        \nabla_U L &= R\,V + \lambda U, \qquad \nabla_V L = R^\top U + \lambda V, \qquad
        R = \tfrac{1}{|\Omega|} P_\Omega(U V^\top - M)

    where u_i, v_j are the rows of U (m×r) and V (n×r) and P_Ω keeps the observed entries and zeroes the
    others. The Hessian-vector product along (U̇, V̇), with Ṙ = (1/|Ω|) P_Ω(U̇Vᵀ + UV̇ᵀ), is exact:

    .. math:: \nabla^2 L\,(\dot U, \dot V) = \bigl(\dot R V + R \dot V + \lambda \dot U,\
              \dot R^\top U + R^\top \dot U + \lambda \dot V\bigr)

    ======  ===========  ===============================================================================
    symbol  argument     meaning
    ======  ===========  ===============================================================================
    M, Ω    ``M``        the matrix, and ``mask`` (True where observed; default: the finite entries of M).
                         ``M`` may also be the pair ``(M, mask)`` of :func:`make_low_rank`, or a shape
                         ``(m, n)``: then M is ``make_low_rank(m, n, rank, observed, noise, seed)``
    r       ``rank``     the number of columns of U and V
    λ       ``l2``       L2 penalty on both factors, λ ≥ 0
    ======  ===========  ===============================================================================

    θ is the pair ``(U, V)`` (``shapes = ((m, r), (n, r))``). The examples are the observed entries:
    ``n = |Ω|``, and ``idx`` picks entries of Ω (numbered row by row) for a mini-batch, over which the
    sum is averaged instead (the penalty is kept whole), so SGD on entries is ``gd.run(..., batch_size=B)``.
    The arithmetic is dense (a weight |Ω|⁻¹ on every observed entry, 0 elsewhere), fine for the book's
    matrices of a few hundred rows. When built from a shape with ``noise=0`` and ``l2=0``, ``x_star``
    is the generating pair (A, B) — one minimiser of many, since (AG, BG⁻ᵀ) fits as well for every
    invertible G — and ``f_star = 0``.

    The loss is non-convex (it is unchanged by U → UG, V → VG⁻ᵀ, and (0, 0) is a saddle), yet for
    enough random observations of an incoherent low-rank M it has no spurious local minima: Ge, Lee & Ma
    (2016) prove this for the symmetric case M = XXᵀ with a regulariser against large rows, and Ge, Jin &
    Zheng (2017) for U Vᵀ with a balancing regulariser; plain gradient descent from a small random start
    finds a global minimum in practice.

    >>> p = MatrixFactorization((8, 6), rank=2, observed=0.6, seed=0)
    >>> p
    MatrixFactorization(shape=(8, 6), rank=2, observed=23, l2=0)
    >>> U, V = p.x_star
    >>> float(p.f((U, V))), float(p.f(p.init(seed=1, scale=0.1))) > 0.1
    (0.0, True)

    References: Y. Koren, R. Bell, C. Volinsky (2009), Matrix factorization techniques for recommender
    systems, IEEE Computer 42(8), 30–37; R. Ge, J. D. Lee, T. Ma (2016), Matrix completion has no spurious
    local minimum, NeurIPS; R. Ge, C. Jin, Y. Zheng (2017), No spurious local minima in nonconvex low rank
    problems: a unified geometric analysis, ICML.
    """

    def __init__(self, M, rank, mask=None, l2=0.0, observed=0.3, noise=0.0, seed=0):
        check_number("rank", rank, low=1, integer=True, allow_array=False)
        check_number("l2", l2, low=0, allow_array=False)
        factors = None
        if isinstance(M, tuple) and len(M) == 2 and all(np.ndim(s) == 0 for s in M):
            if mask is not None:
                raise ValueError("mask is for a given matrix M; a shape (m, n) makes its own mask")
            A, B, M, mask = _factors(M[0], M[1], rank, observed, noise, seed)
            factors = (A, B)
        elif isinstance(M, tuple) and len(M) == 2 and np.ndim(M[0]) == 2:
            if mask is not None:
                raise ValueError("pass the mask either inside M = (M, mask) or as mask=, not both")
            M, mask = M
        try:
            M = np.array(M, dtype=float)
        except (TypeError, ValueError):
            raise TypeError("M must be a matrix of numbers, a pair (M, mask) or a shape (m, n)") from None
        if M.ndim != 2 or M.size == 0:
            raise ValueError(f"M must be a matrix of shape (m, n) (got shape {M.shape})")
        mask = np.isfinite(M) if mask is None else np.asarray(mask)
        if mask.shape != M.shape or not (mask.dtype == bool or np.all((mask == 0) | (mask == 1))):
            raise ValueError(
                f"mask must be a boolean array of M's shape {M.shape} (got shape {mask.shape}, dtype {mask.dtype})"
            )
        mask = mask.astype(bool)
        if not mask.any():
            raise ValueError("mask must mark at least one observed entry")
        if not np.all(np.isfinite(M[mask])):
            raise ValueError("M must be finite on its observed entries")
        M[~mask] = 0.0  # unobserved entries never enter the loss
        self.M, self.mask, self.rank, self.l2 = M, mask, int(rank), float(l2)
        self.rows, self.cols = np.nonzero(mask)  # Ω, row by row: example k is the entry (rows[k], cols[k])
        self.n = self.rows.size
        m, n_cols = M.shape
        self.shapes = ((m, self.rank), (n_cols, self.rank))
        self.d = (m + n_cols) * self.rank
        if factors is not None and noise == 0 and self.l2 == 0:
            self.x_star, self.f_star = factors, 0.0
        self._full = mask / self.n
        self._cache = {}

    def _weights(self, idx, dtype):
        """(W, M) in ``dtype``: W puts 1/|B| on each entry of the mini-batch (counted with repeats)."""
        if idx is None:
            if dtype not in self._cache:
                self._cache[dtype] = (self._full.astype(dtype), self.M.astype(dtype))
            return self._cache[dtype]
        idx = check_indices(idx, self.n, "indices of observed entries")
        W = np.zeros(self.M.shape)
        np.add.at(W, (self.rows[idx], self.cols[idx]), 1.0 / idx.size)
        return W.astype(dtype), self.M.astype(dtype, copy=False)

    def _penalty(self, U, V):
        return 0.5 * self.l2 * (_sq(U) + _sq(V))

    def f(self, theta, idx=None):
        (U, V), _, dtype = _matrices(theta, self.shapes)
        W, M = self._weights(idx, dtype)
        R = U @ _T(V) - M
        return 0.5 * np.sum(W * R * R, axis=(-2, -1)) + self._penalty(U, V)

    def value_and_grad(self, theta, idx=None):
        (U, V), _, dtype = _matrices(theta, self.shapes)
        W, M = self._weights(idx, dtype)
        E = U @ _T(V) - M
        R = W * E  # R = P_Ω(UVᵀ − M) / |Ω|
        value = 0.5 * np.sum(R * E, axis=(-2, -1)) + self._penalty(U, V)
        return value, (R @ V + self.l2 * U, _T(R) @ U + self.l2 * V)

    def grad(self, theta, idx=None):
        return self.value_and_grad(theta, idx)[1]

    def hvp(self, theta, v, idx=None):
        """The exact Hessian-vector product along v = (U̇, V̇) (with θ's run axes or none)."""
        (U, V), runs, dtype = _matrices(theta, self.shapes)
        dU, dV = _direction(v, self.shapes, runs, dtype)
        W, M = self._weights(idx, dtype)
        R = W * (U @ _T(V) - M)
        dR = W * (dU @ _T(V) + U @ _T(dV))
        return (dR @ V + R @ dV + self.l2 * dU, _T(dR) @ U + _T(R) @ dU + self.l2 * dV)

    def init(self, seed=0, scale=0.1, n_runs=None, dtype=np.float64):
        """A random start (U, V) with independent N(0, scale²) entries; a leading run axis of length
        ``n_runs`` when given. A small scale starts near the saddle at (0, 0)."""
        return _random_matrices(self.shapes, seed, scale, n_runs, dtype)

    def __repr__(self):
        return f"MatrixFactorization(shape={self.M.shape}, rank={self.rank}, observed={self.n}, l2={self.l2:g})"


class DeepLinear(Problem):
    r"""A deep linear network W_L ⋯ W_1 learning a linear map M from whitened inputs (Saxe et al. 2014).

    .. math::
        L(W_1, \dots, W_L) &= \tfrac12 \lVert W_L \cdots W_1 - M \rVert_F^2 \\
        \nabla_{W_l} L &= (W_L \cdots W_{l+1})^\top\, E\, (W_{l-1} \cdots W_1)^\top,
        \qquad E = W_L \cdots W_1 - M

    This is the mean squared error ½ E‖y − W_L⋯W_1 x‖² of inputs x with E[xxᵀ] = I (whitened) and
    targets y with input-output correlation M = E[yxᵀ], less the constant ½(E‖y‖² − ‖M‖²_F): the form of
    Saxe, McClelland & Ganguli (2014). Gradient descent with step η is the Euler method, with time step
    η/τ, for their gradient flow τ dW_l/dt = −∇_{W_l}L. The Hessian-vector product is exact (the
    directional derivative of every partial product, by the product rule).

    ======  ===================  =========================================================================
    symbol  argument             meaning
    ======  ===================  =========================================================================
    L       ``depth``            number of weight matrices, L ≥ 1
    —       ``width``            the width of every hidden layer
    M       ``target``           the map to learn, shape (d_out, d_in); or
    s       ``singular_values``  M's singular values, M = Q_out diag(s) Q_inᵀ with random orthogonal
                                 Q's (seeded by ``seed``); default s = (4, 2, 1, ½), so M is 4×4
    ======  ===================  =========================================================================

    θ is the tuple (W_1, …, W_L) with W_1 of shape (width, d_in), W_2 … W_{L−1} (width, width) and
    W_L (d_out, width) (for L = 1 the single matrix is (d_out, d_in)). From a small random start the loss
    stays on a plateau and then falls in one sigmoidal drop per singular value, the largest first: for
    L = 2 and a balanced start aligned with M's singular vectors, each mode's strength u follows
    u(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/u₀) (Saxe et al.'s exact solution). The product has rank at
    most w = min(width, d_in, d_out), so the minimum is f_star = ½ Σ_{i>w} s_i² (Eckart–Young), reached
    by ``x_star``, the balanced factorisation W_l = diag(s_{1..w})^{1/L} in M's singular bases (every
    local minimum is global: Kawaguchi 2016).

    >>> p = DeepLinear(depth=3, width=4)
    >>> p
    DeepLinear(depth=3, width=4, d_in=4, d_out=4, singular_values=[4, 2, 1, 0.5])
    >>> float(p.f(p.x_star)) < 1e-24, round(float(p.f(p.init(scale=1e-3))), 4)      # ½‖M‖² = 10.625
    (True, 10.625)

    References: A. M. Saxe, J. L. McClelland, S. Ganguli (2014), Exact solutions to the nonlinear dynamics
    of learning in deep linear neural networks, ICLR; K. Kawaguchi (2016), Deep learning without poor
    local minima, NeurIPS.
    """

    def __init__(self, depth, width, target=None, singular_values=None, seed=0):
        check_number("depth", depth, low=1, integer=True, allow_array=False)
        check_number("width", width, low=1, integer=True, allow_array=False)
        if target is not None and singular_values is not None:
            raise ValueError("pass either target or singular_values, not both")
        if target is None:
            s = np.asarray((4.0, 2.0, 1.0, 0.5) if singular_values is None else singular_values, dtype=float)
            if s.ndim != 1 or s.size == 0:
                raise ValueError(f"singular_values must be a non-empty 1-D list of numbers (got shape {s.shape})")
            check_number("singular_values", s, low=0)
            rng = np.random.default_rng(seed)
            Q_out, Q_in = (np.linalg.qr(rng.standard_normal((s.size, s.size)))[0] for _ in range(2))
            target = Q_out @ np.diag(s) @ Q_in.T
        try:
            M = np.array(target, dtype=float)
        except (TypeError, ValueError):
            raise TypeError("target must be a matrix of numbers") from None
        if M.ndim != 2 or M.size == 0 or not np.all(np.isfinite(M)):
            raise ValueError(f"target must be a finite matrix of shape (d_out, d_in) (got shape {M.shape})")
        self.M, self.depth, self.width = M, int(depth), int(width)
        self.d_out, self.d_in = M.shape
        if self.depth == 1:
            self.shapes = ((self.d_out, self.d_in),)
        else:
            hidden = ((self.width, self.width),) * (self.depth - 2)
            self.shapes = ((self.width, self.d_in),) + hidden + ((self.d_out, self.width),)
        self.d = sum(r * c for r, c in self.shapes)
        self._balanced_minimiser()
        self._cache = {}

    def _balanced_minimiser(self):
        """x_star = W_l = diag(s_{1..w})^{1/L} in M's singular bases (zero-padded), f_star = ½ Σ_{i>w} s_i²."""
        U, s, Vt = np.linalg.svd(self.M, full_matrices=False)
        self.singular_values = s
        w = len(s) if self.depth == 1 else min(self.width, len(s))
        root = s[:w] ** (1.0 / self.depth)
        layers = []
        for l, (rows, cols) in enumerate(self.shapes):
            left = U[:, :w] if l == self.depth - 1 else np.eye(rows, w)
            right = Vt[:w] if l == 0 else np.eye(w, cols)
            layers.append(left @ np.diag(root) @ right)
        self.x_star = tuple(layers)
        self.f_star = float(0.5 * np.sum(s[w:] ** 2))

    def _target(self, dtype):
        if dtype not in self._cache:
            self._cache[dtype] = self.M.astype(dtype)
        return self._cache[dtype]

    def _partial_products(self, W, dtype):
        """A[l] = W_{l−1}⋯W_1 (what enters layer l; A[0] = I) and S[l] = W_L⋯W_{l+1} (S[L−1] = I)."""
        A = [np.eye(self.d_in, dtype=dtype)]
        for W_l in W:
            A.append(W_l @ A[-1])
        S = [np.eye(self.d_out, dtype=dtype)]
        for W_l in W[:0:-1]:
            S.insert(0, S[0] @ W_l)
        return A, S

    def f(self, theta, idx=None):
        W, _, dtype = _matrices(theta, self.shapes)
        self._no_batches(idx)
        A, _ = self._partial_products(W, dtype)
        return 0.5 * _sq(A[-1] - self._target(dtype))

    def value_and_grad(self, theta, idx=None):
        W, _, dtype = _matrices(theta, self.shapes)
        self._no_batches(idx)
        A, S = self._partial_products(W, dtype)
        E = A[-1] - self._target(dtype)
        return 0.5 * _sq(E), tuple(_T(S[l]) @ E @ _T(A[l]) for l in range(self.depth))

    def grad(self, theta, idx=None):
        return self.value_and_grad(theta, idx)[1]

    def hvp(self, theta, v, idx=None):
        """The exact Hessian-vector product along v = (V_1, …, V_L) (with θ's run axes or none): the
        directional derivatives dA, dS of the partial products enter ∇_{W_l}L = S_lᵀ E A_lᵀ three times."""
        W, runs, dtype = _matrices(theta, self.shapes)
        V = _direction(v, self.shapes, runs, dtype)
        self._no_batches(idx)
        A, S = self._partial_products(W, dtype)
        dA = [np.zeros_like(A[0])]
        for l in range(self.depth):
            dA.append(V[l] @ A[l] + W[l] @ dA[l])
        dS = [np.zeros_like(S[-1])]
        for l in range(self.depth - 1, 0, -1):
            dS.insert(0, dS[0] @ W[l] + S[l] @ V[l])
        E, dE = A[-1] - self._target(dtype), dA[-1]
        return tuple(
            _T(dS[l]) @ E @ _T(A[l]) + _T(S[l]) @ dE @ _T(A[l]) + _T(S[l]) @ E @ _T(dA[l]) for l in range(self.depth)
        )

    def _no_batches(self, idx):
        if idx is not None:
            raise ValueError("DeepLinear is a population loss with no examples: idx must be None")

    def init(self, seed=0, scale=0.1, n_runs=None, dtype=np.float64):
        """A random start (W_1, …, W_L) with independent N(0, scale²) entries; a leading run axis of length
        ``n_runs`` when given. The smaller the scale, the longer the first plateau."""
        return _random_matrices(self.shapes, seed, scale, n_runs, dtype)

    def __repr__(self):
        s = ", ".join(f"{v:g}" for v in self.singular_values)
        return (
            f"DeepLinear(depth={self.depth}, width={self.width}, d_in={self.d_in}, d_out={self.d_out}, "
            f"singular_values=[{s}])"
        )


class LessardRechtPackard(Problem):
    r"""The smooth, strongly convex function on which the heavy ball, tuned as for quadratics, never
    converges (Lessard, Recht & Packard 2016, §4.6).

    .. math::
        \nabla L(x) = \begin{cases} 25x & x < 1 \\ x + 24 & 1 \le x < 2 \\ 25x - 24 & x \ge 2 \end{cases}
        \qquad
        L(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1 \\ \tfrac12 x^2 + 24x - 12 & 1 \le x < 2 \\
        \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2 \end{cases}

    summed over the coordinates when d > 1 (L(θ) = Σ_i L(θ_i)). The gradient is the paper's eq. (4.11);
    L is its integral with L(0) = 0, continuous with a continuous gradient at x = 1 and x = 2. The
    second derivative is 25 or 1, so the function is μ-strongly convex and L-smooth with μ = 1, L = 25
    (κ = 25), minimised at θ* = 0 with L* = 0.

    The heavy ball θ_{t+1} = θ_t − α∇L(θ_t) + β(θ_t − θ_{t−1}) with the tuning that is optimal on
    quadratics, α = 4/(√L + √μ)² = 1/9 and β = ((√κ − 1)/(√κ + 1))² = 4/9 (``heavy_ball_lr``,
    ``heavy_ball_momentum``; ``gd.SGD(lr=α, momentum=β)`` is this method with θ_{−1} = θ_0), settles from
    θ_0 = 3.3 into the 3-cycle ``cycle`` = (792, −2208, 2592)/1225 of the paper's Appendix B (eq. B.3) —
    so does every start between about 3.07 and 3.46, while from most other starts it converges — and
    Nesterov's method with α = 1/L, β = (√κ − 1)/(√κ + 1) converges from every start.

    >>> p = LessardRechtPackard()
    >>> p.L, p.mu, p.heavy_ball_lr, p.heavy_ball_momentum
    (25.0, 1.0, 0.1111111111111111, 0.4444444444444444)
    >>> p.grad([[0.5], [1.5], [3.0]]).ravel().tolist(), p.hess([1.5]).tolist()
    ([12.5, 25.5, 51.0], [[1.0]])

    Reference: L. Lessard, B. Recht, A. Packard (2016), Analysis and design of optimization algorithms via
    integral quadratic constraints, SIAM J. Optim. 26(1), 57–95 (§4.6 and Appendix B; arXiv:1408.3595).
    """

    cycle = (792 / 1225, -2208 / 1225, 2592 / 1225)

    def __init__(self, d=1):
        check_number("d", d, low=1, integer=True, allow_array=False)
        self.d = int(d)
        self.L, self.mu = 25.0, 1.0
        self.x_star, self.f_star = np.zeros(self.d), 0.0
        kappa = self.L / self.mu
        self.heavy_ball_lr = 4 / (self.L**0.5 + self.mu**0.5) ** 2
        self.heavy_ball_momentum = ((kappa**0.5 - 1) / (kappa**0.5 + 1)) ** 2

    def f(self, x):
        x = self._x(x)
        middle, right = 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36
        return np.sum(np.where(x < 1, 12.5 * x**2, np.where(x < 2, middle, right)), axis=-1)

    def grad(self, x):
        x = self._x(x)
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))

    def _curvature(self, x):
        return np.where((x >= 1) & (x < 2), 1.0, 25.0).astype(x.dtype)

    def hess(self, x):
        x = self._x(x)
        return self._curvature(x)[..., :, None] * np.eye(self.d, dtype=x.dtype)

    def hvp(self, x, v, idx=None):
        if idx is not None:
            raise ValueError("LessardRechtPackard has no examples: idx must be None")
        x = self._x(x)
        return self._curvature(x) * np.asarray(v, dtype=x.dtype)

    def __repr__(self):
        return f"LessardRechtPackard(d={self.d})"


class NesterovWorstCase(Problem):
    r"""Nesterov's worst-case quadratic: no first-order method can minimise it faster than his lower bounds.

    .. math::
        L(\theta) &= \frac{L - \mu}{8}\Bigl(\theta_1^2 + \sum_{i=1}^{k-1} (\theta_i - \theta_{i+1})^2
                     + \theta_k^2 - 2\theta_1\Bigr) + \frac{\mu}{2}\lVert\theta\rVert^2
                   = \tfrac12\,\theta^\top A\theta - b^\top\theta, \\
        A &= \tfrac{L - \mu}{4}\, T_k + \mu I, \qquad b = \tfrac{L - \mu}{4}\, e_1

    with T_k the k×k tridiagonal matrix (2 on the diagonal, −1 beside it) in the top-left corner of a
    d×d zero matrix. μ = 0 gives Nesterov's f_k = (L/4)(½θᵀT_kθ − θ_1) of Introductory Lectures on Convex
    Optimization (2004, §2.1.2; his Theorem 2.1.7 takes k = 2t + 1), μ > 0 the d-dimensional
    truncation of his strongly convex f (§2.1.4, Theorem 2.1.13), whose ℓ₂ minimiser is θ*_i = q^i.

    ======  ========  ==========================================================
    symbol  argument  meaning
    ======  ========  ==========================================================
    d       ``d``     dimension
    L       ``L``     smoothness constant of the class, L > 0
    μ       ``mu``    strong-convexity constant of the class, 0 ≤ μ < L
    k       ``k``     size of the tridiagonal block, 1 ≤ k ≤ d (default d)
    ======  ========  ==========================================================

    Closed forms (checked in the tests): the eigenvalues of A are (L − μ) sin²(jπ/(2(k+1))) + μ,
    j = 1…k, and μ (d − k times), all in [μ, L], so ``L`` and ``mu`` are valid constants (the extreme
    eigenvalues approach them as k grows). The minimiser is θ*_i = 1 − i/(k+1) for μ = 0 and, with
    q = (√κ − 1)/(√κ + 1), κ = L/μ,

    .. math:: \theta^\star_i = \frac{q^i - q^{2(k+1) - i}}{1 - q^{2(k+1)}}\ (i \le k), \qquad
              \theta^\star_i = 0\ (i > k), \qquad L^\star = -\tfrac{L - \mu}{8}\,\theta^\star_1

    **Why it is hard.** The gradient at a point supported on the first i coordinates is supported on the
    first i + 1, so any method with θ_t ∈ θ_0 + span{∇L(θ_0), …, ∇L(θ_{t−1})} — and any method that
    scales each coordinate of the gradient, like Adam — started at θ_0 = 0 has zeros beyond coordinate t
    after t steps. :meth:`lower_bound` is the smallest L(θ_t) − L* such a θ_t can have (t < k).

    >>> p = NesterovWorstCase(d=5, L=4.0)
    >>> np.round(p.x_star, 4).tolist(), round(p.f_star, 4)      # 1 − i/(k+1) and −(L/8)·k/(k+1)
    ([0.8333, 0.6667, 0.5, 0.3333, 0.1667], -0.4167)
    >>> round(p.lower_bound(2), 6)               # (L/8)(1/(t+1) − 1/(k+1)) for μ = 0
    0.083333

    Reference: Yu. Nesterov (2004), Introductory Lectures on Convex Optimization: A Basic Course, Kluwer,
    §2.1.2 (Theorem 2.1.7) and §2.1.4 (Theorem 2.1.13); the same in Lectures on Convex Optimization (2018),
    Springer, §2.1.
    """

    def __init__(self, d, L=1.0, mu=0.0, k=None):
        check_number("d", d, low=1, integer=True, allow_array=False)
        check_number("L", L, low=0, low_open=True, allow_array=False)
        check_number("mu", mu, low=0, high=L, high_open=True, allow_array=False)
        k = d if k is None else k
        check_number("k", k, low=1, high=d, integer=True, allow_array=False)
        self.d, self.k, self.L, self.mu = int(d), int(k), float(L), float(mu)
        c = (self.L - self.mu) / 4
        T = 2 * np.eye(self.k) - np.eye(self.k, k=1) - np.eye(self.k, k=-1)
        self.A = self.mu * np.eye(self.d)
        self.A[: self.k, : self.k] += c * T
        self.b = np.zeros(self.d)
        self.b[0] = c
        j = np.arange(1, self.k + 1)
        block = (self.L - self.mu) * np.sin(j * np.pi / (2 * (self.k + 1))) ** 2 + self.mu
        self.eigenvalues = np.sort(np.concatenate([block, np.full(self.d - self.k, self.mu)]))
        self.q = None if self.mu == 0 else (np.sqrt(self.L / self.mu) - 1) / (np.sqrt(self.L / self.mu) + 1)
        self.x_star = np.zeros(self.d)
        self.x_star[: self.k] = self._block_minimiser(self.k)
        self.f_star = float(-(self.L - self.mu) / 8 * self.x_star[0])

    def _block_minimiser(self, k):
        """The minimiser over the first k coordinates (the rest held at 0), a vector of length k."""
        i = np.arange(1, k + 1)
        if self.q is None:
            return 1 - i / (k + 1)
        q = self.q
        return (q**i - q ** (2 * (k + 1) - i)) / (1 - q ** (2 * (k + 1)))

    def lower_bound(self, t):
        r"""min L(θ) − L* over θ supported on the first t coordinates: (L − μ)/8 · (θ*_1(k) − θ*_1(t)),
        where θ*_1(j) is the first coordinate of the minimiser of the block of size j (0 for j = 0).

        For μ = 0 and k = 2t + 1 it is L/(16(t + 1)) ≥ 3L‖θ_0 − θ*‖²/(32(t + 1)²) from θ_0 = 0,
        Nesterov's Theorem 2.1.7."""
        check_number("t", t, low=0, integer=True, allow_array=False)
        t = min(int(t), self.k)
        first = self._block_minimiser(t)[0] if t > 0 else 0.0
        return float((self.L - self.mu) / 8 * (self.x_star[0] - first))

    def f(self, x):
        x = self._x(x)
        k, c = self.k, (self.L - self.mu) / 8
        diffs = np.sum((x[..., : k - 1] - x[..., 1:k]) ** 2, axis=-1)
        chain = x[..., 0] ** 2 + diffs + x[..., k - 1] ** 2 - 2 * x[..., 0]
        return c * chain + self.mu / 2 * np.sum(x * x, axis=-1)

    def grad(self, x):
        x = self._x(x)
        return x @ self.A.astype(x.dtype) - self.b.astype(x.dtype)

    def hess(self, x):
        x = self._x(x)
        return np.broadcast_to(self.A.astype(x.dtype), x.shape[:-1] + (self.d, self.d)).copy()

    def hvp(self, x, v, idx=None):
        if idx is not None:
            raise ValueError("NesterovWorstCase has no examples: idx must be None")
        x = self._x(x)
        return np.asarray(v, dtype=x.dtype) @ self.A.astype(x.dtype)

    def __repr__(self):
        return f"NesterovWorstCase(d={self.d}, L={self.L:g}, mu={self.mu:g}, k={self.k})"
