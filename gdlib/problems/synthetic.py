r"""Seeded synthetic data for the problems of the later chapters: a low-rank matrix with missing entries,
sparse features of very different frequencies, and a large noisy classification set.

Every generator is deterministic given ``seed`` and returns plain numpy arrays. The data are synthetic, so
they raise no licence or redistribution question.
"""

import numpy as np

from .._checks import check_number

__all__ = ["make_low_rank", "make_sparse_classification", "make_noise_scale_classification"]


def _factors(m, n, rank, observed, noise, seed):
    """(A, B, M, mask) of :func:`make_low_rank`: the factors as well, for a problem that wants x_star."""
    check_number("m", m, low=1, integer=True, allow_array=False)
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("rank", rank, low=1, high=min(m, n), integer=True, allow_array=False)
    check_number("observed", observed, low=0, high=1, low_open=True, allow_array=False)
    check_number("noise", noise, low=0, allow_array=False)
    rng = np.random.default_rng(seed)
    m, n, rank = int(m), int(n), int(rank)
    scale = rank**-0.25  # so that every entry of A Bᵀ has variance 1
    A = scale * rng.standard_normal((m, rank))
    B = scale * rng.standard_normal((n, rank))
    M = A @ B.T + noise * rng.standard_normal((m, n))
    mask = rng.random((m, n)) < observed
    return A, B, M, mask


def make_low_rank(m, n, rank, observed=0.3, noise=0.0, seed=0):
    r"""A seeded m×n matrix of rank ``rank`` plus noise, and a random mask of observed entries.

    .. math:: M = A B^\top + \sigma E, \qquad A_{ik}, B_{jk} \sim \mathcal N(0, 1/\sqrt r),\
              E_{ij} \sim \mathcal N(0, 1), \qquad (i, j) \in \Omega \text{ with probability } p

    ======  ============  ==========================================================
    symbol  argument      meaning
    ======  ============  ==========================================================
    m, n    ``m, n``      the matrix's shape
    r       ``rank``      its rank before noise, 1 ≤ r ≤ min(m, n)
    p       ``observed``  the probability that an entry is observed, 0 < p ≤ 1
    σ       ``noise``     standard deviation of the noise added to every entry
    ======  ============  ==========================================================

    The factor entries have variance 1/√r, so that every entry of ABᵀ has variance 1 whatever the rank.
    Each entry is observed independently (so a row or column may, rarely, have no observed entry).
    Returns ``(M, mask)``, M of shape (m, n) and mask a boolean array of the same shape, True where
    observed: the input of :class:`~gdlib.problems.models.MatrixFactorization`.

    >>> M, mask = make_low_rank(6, 5, rank=2, observed=0.5, seed=1)
    >>> M.shape, mask.dtype.name, int(np.linalg.matrix_rank(M))
    ((6, 5), 'bool', 2)
    """
    _, _, M, mask = _factors(m, n, rank, observed, noise, seed)
    return M, mask


def make_sparse_classification(n=2000, d=50, frequencies=(0.5, 0.002), weights=(1.0, 4.0), seed=0):
    r"""Binary features of very different frequencies, the rare ones the most informative; logistic labels.

    .. math:: X_{ij} \sim \mathrm{Bernoulli}(p_j),\quad p_j \text{ geometric from } p_{\max} \text{ to }
              p_{\min}, \qquad \theta^\star_j = \pm w_j,\quad w_j \text{ linear from } w_{\min}
              \text{ to } w_{\max}, \qquad P(y_i = 1) = \sigma(x_i^\top \theta^\star)

    ================  ===============  ====================================================================
    symbol            argument         meaning
    ================  ===============  ====================================================================
    n, d              ``n, d``         examples and features
    p_max, p_min      ``frequencies``  how often the most common and the rarest feature is 1 (0 < p ≤ 1)
    w_min, w_max      ``weights``      |θ*_j| of the most common and of the rarest feature (signs random)
    ================  ===============  ====================================================================

    Feature j is present in a fraction p_j of the examples, so its gradient coordinate is about p_j times
    smaller than a common feature's: one global step size that is stable for the common features barely
    moves the rare ones, while AdaGrad's per-coordinate step η/√(Σ g_j²) is larger exactly where g_j is
    rarely non-zero — the setting Duchi, Hazan & Singer (2011) designed it for (their "rare but highly
    informative features"). Returns ``(X, y, theta_true)`` for :class:`~gdlib.LogisticRegression`.

    >>> X, y, theta = make_sparse_classification(n=1000, d=5, frequencies=(0.5, 0.01), seed=0)
    >>> np.round(X.mean(axis=0), 2).tolist()            # p_j = 0.5, 0.19, 0.07, 0.03, 0.01
    [0.49, 0.21, 0.07, 0.03, 0.01]

    Reference: J. Duchi, E. Hazan, Y. Singer (2011), Adaptive subgradient methods for online learning and
    stochastic optimization, JMLR 12, 2121–2159.
    """
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("d", d, low=1, integer=True, allow_array=False)
    if not isinstance(frequencies, (tuple, list)) or len(frequencies) != 2:
        raise ValueError(f"frequencies must be a pair (p_max, p_min) (got {frequencies!r})")
    if not isinstance(weights, (tuple, list)) or len(weights) != 2:
        raise ValueError(f"weights must be a pair (w_min, w_max) (got {weights!r})")
    for name, p in zip(("frequencies[0] (p_max)", "frequencies[1] (p_min)"), frequencies, strict=True):
        check_number(name, p, low=0, high=1, low_open=True, allow_array=False)
    for name, w in zip(("weights[0] (w_min)", "weights[1] (w_max)"), weights, strict=True):
        check_number(name, w, low=0, allow_array=False)
    rng = np.random.default_rng(seed)
    p = np.geomspace(frequencies[0], frequencies[1], int(d))
    X = (rng.random((int(n), int(d))) < p).astype(float)
    theta = rng.choice([-1.0, 1.0], int(d)) * np.linspace(weights[0], weights[1], int(d))
    z = X @ theta
    y = (rng.random(int(n)) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    return X, y, theta


def make_noise_scale_classification(n=50_000, d=50, label_noise=0.1, kappa=10.0, seed=0):
    r"""A large classification set with label noise, whose gradient noise scale stays far below n.

    .. math:: x_i \sim \mathcal N(0, \mathrm{diag}(s)),\quad s_j \text{ geometric from } 1 \text{ to }
              1/\kappa, \qquad y_i = [x_i^\top\theta^\star > 0] \text{, flipped with probability } \rho

    ======  ===============  ==========================================================================
    symbol  argument         meaning
    ======  ===============  ==========================================================================
    n, d    ``n, d``         examples (default 50,000) and features (default 50)
    ρ       ``label_noise``  probability that a label is flipped, 0 ≤ ρ < ½
    κ       ``kappa``        ratio of the largest to the smallest feature variance, κ ≥ 1
    ======  ===============  ==========================================================================

    Flipped labels keep every example's gradient away from zero, so the per-example gradient covariance
    Σ stays large while the mean gradient G shrinks. The simple noise scale of McCandlish, Kaplan, Amodei
    et al. (2018, §2.2), B_simple = tr(Σ)/‖G‖², about the batch size beyond which larger batches stop
    saving steps, is then a small fraction of n for most of training: with the defaults and gradient
    descent from θ = 0 on :class:`~gdlib.LogisticRegression`, about 290 when the excess loss has halved,
    2,500 (n/20) at a tenth of it and 10,000 (n/5) at 3 % — so a knee in steps-to-target against the
    batch size B can show. On the 569 examples of :func:`~gdlib.load_breast_cancer` it passes n before
    the excess loss reaches 3 % of its start. Returns ``(X, y, theta_true)``; θ* has independent standard
    normal entries.

    >>> X, y, theta = make_noise_scale_classification(n=2000, d=5, seed=0)
    >>> X.shape, round(float(np.mean(y != (X @ theta > 0))), 2)       # about ρ = 10 % flipped
    ((2000, 5), 0.1)

    Reference: S. McCandlish, J. Kaplan, D. Amodei and the OpenAI Dota team (2018), An empirical model of
    large-batch training, arXiv:1812.06162.
    """
    check_number("n", n, low=1, integer=True, allow_array=False)
    check_number("d", d, low=1, integer=True, allow_array=False)
    check_number("label_noise", label_noise, low=0, high=0.5, high_open=True, allow_array=False)
    check_number("kappa", kappa, low=1, allow_array=False)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((int(n), int(d))) * np.sqrt(np.geomspace(1.0, 1.0 / kappa, int(d)))
    theta = rng.standard_normal(int(d))
    y = (X @ theta > 0).astype(float)
    flip = rng.random(int(n)) < label_noise
    y[flip] = 1.0 - y[flip]
    return X, y, theta
