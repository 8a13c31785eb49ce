r"""Structured parameters: a model's parameters as a tuple, list or dict of arrays (a *tree*).

A linear model has one parameter vector θ of shape (d,). A network has one array per layer, and a matrix
factorisation a pair (U, V); gdlib then takes θ as a tree of arrays, ``{"W1": ..., "b1": ..., ...}`` or
``(U, V)``, the way torch's optimizers take a list of tensors. A plain array is a tree with one leaf.

**Run axes.** Vectorised runs stack θ along leading axes: a flat θ has shape (*runs, d) and each leaf of a
tree has shape (*runs, *leaf_shape). The number of run axes, ``run_ndim``, is what the functions below
need in order to reduce over a leaf's own axes only (one norm per run, not one for all runs together).
For a plain array the book's convention is that the last axis holds the parameters, so
``run_ndim = ndim − 1``; for a tree, :func:`run_ndim_of` reads it off a problem's ``shapes``.

>>> import numpy as np
>>> theta = {"w": np.ones((3, 2)), "b": np.zeros(2)}
>>> norm(theta, run_ndim=0).item()           # √6: the global norm of all the leaves
2.449489742783178
>>> flat, unravel = ravel(theta, run_ndim=0)
>>> flat.shape, unravel(flat)["w"].shape
((8,), (3, 2))
"""

import numpy as np

__all__ = [
    "is_tree",
    "is_number_list",
    "check_params",
    "leaves",
    "unflatten",
    "tree_map",
    "ravel",
    "run_ndim_of",
    "vdot",
    "norm",
    "leaf_norms",
    "astype",
    "zeros_like",
    "run_shape",
    "is_finite",
]


def is_tree(x):
    """True for a tuple, list or dict of arrays (structured parameters); False for one array or number.
    A list of numbers is a tree of 0-d leaves here: optimizers refuse it as θ (see :func:`check_params`)."""
    return isinstance(x, (tuple, list, dict))


def is_number_list(x):
    """True for a non-empty list or tuple whose entries are all numbers, such as [3.0, 4.0]."""
    return isinstance(x, (tuple, list)) and len(x) > 0 and all(isinstance(v, (int, float, np.number)) for v in x)


def check_params(name, x):
    """Refuse a list or tuple of numbers as parameters ``name``: it would be read as one 0-d array per
    number (a layer each), which silently changes what layer-wise methods such as LARS do."""
    if is_number_list(x):
        raise TypeError(
            f"{name} is a {type(x).__name__} of {len(x)} numbers; pass it as an array, np.array({name}) "
            "(a list or tuple is read as structured parameters, one array per entry)"
        )


def _items(x):
    # dict leaves are visited in sorted key order, so two dicts with the same keys line up
    return [(k, x[k]) for k in sorted(x)] if isinstance(x, dict) else list(enumerate(x))


def leaves(x):
    """The arrays of a tree in a fixed order (dicts by sorted key); ``[x]`` for a single array."""
    if not is_tree(x):
        return [x]
    return [leaf for _, value in _items(x) for leaf in leaves(value)]


def tree_map(f, x, *rest):
    """Apply ``f`` leaf by leaf: ``f(leaf_of_x, leaf_of_rest_0, …)``, keeping x's structure.

    >>> tree_map(lambda a, b: a + b, (1.0, {"c": 2.0}), (10.0, {"c": 20.0}))
    (11.0, {'c': 22.0})
    """
    if not is_tree(x):
        return f(x, *rest)
    for other in rest:
        if type(other) is not type(x) or len(other) != len(x) or (isinstance(x, dict) and set(other) != set(x)):
            raise ValueError(f"the trees must have the same structure (got {_describe(x)} and {_describe(other)})")
    if isinstance(x, dict):
        return {k: tree_map(f, x[k], *(o[k] for o in rest)) for k in x}
    out = [tree_map(f, a, *(o[i] for o in rest)) for i, a in enumerate(x)]
    return tuple(out) if isinstance(x, tuple) else out


def _describe(x):
    if isinstance(x, dict):
        return "a dict with keys " + ", ".join(map(repr, sorted(x)))
    if is_tree(x):
        return f"a {type(x).__name__} of {len(x)}"
    return f"an array of shape {np.shape(x)}"


def _default_run_ndim(x, run_ndim):
    if run_ndim is not None:
        return int(run_ndim)
    if is_tree(x):
        return 0
    return max(np.ndim(x) - 1, 0)


def _shape_leaves(shapes):
    """The leaf shapes of a tree of shapes: a tuple of ints is a shape, not a tree."""
    if isinstance(shapes, tuple) and all(isinstance(n, (int, np.integer)) for n in shapes):
        return [shapes]
    if not is_tree(shapes):
        raise ValueError(f"shapes must be a tree of tuples of ints (got {shapes!r})")
    return [leaf for _, value in _items(shapes) for leaf in _shape_leaves(value)]


def run_ndim_of(x, shapes=None):
    """How many leading run axes θ has: ndim − 1 for a flat array, and for a tree the extra axes of its
    leaves beyond the problem's ``shapes`` (a tree of the leaf shapes of one run)."""
    if shapes is None or not is_tree(x):
        return _default_run_ndim(x, None)
    shape_list, arrays = _shape_leaves(shapes), leaves(x)
    if len(shape_list) != len(arrays):
        raise ValueError(f"θ has {len(arrays)} arrays where {len(shape_list)} are expected")
    nd = np.ndim(arrays[0]) - len(shape_list[0])
    for leaf, s in zip(arrays, shape_list, strict=True):
        if np.ndim(leaf) - len(s) != nd or tuple(np.shape(leaf)[nd:]) != tuple(s):
            raise ValueError(f"a parameter of shape {np.shape(leaf)} does not end in the expected shape {tuple(s)}")
    return nd


def run_shape(x, run_ndim=None):
    """The shape of the run axes: () for a single run."""
    nd = _default_run_ndim(x, run_ndim)
    return tuple(np.shape(leaves(x)[0])[:nd])


def ravel(x, run_ndim=None):
    """Flatten a tree into one vector per run, shape (*runs, D); returns it and the inverse ``unravel``.

    Optimizers that need the whole parameter vector at once (BFGS, L-BFGS, conjugate gradient, Newton)
    work on ``ravel(θ)`` and hand back ``unravel(θ_flat)``.
    """
    nd = _default_run_ndim(x, run_ndim)
    if not is_tree(x):
        x = np.asarray(x)
        if nd == x.ndim - 1:
            return x, lambda flat: flat
    parts = leaves(x)
    runs = tuple(np.shape(parts[0])[:nd])
    shapes = [np.shape(p)[nd:] for p in parts]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = np.concatenate([np.reshape(p, runs + (-1,)) for p in parts], axis=-1)

    def unravel(vector):
        vector = np.asarray(vector)
        lead = vector.shape[:-1]
        pieces = np.split(vector, np.cumsum(sizes)[:-1], axis=-1)
        return unflatten(x, [p.reshape(lead + s) for p, s in zip(pieces, shapes, strict=True)])

    return flat, unravel


def unflatten(like, arrays):
    """A tree structured like ``like`` whose arrays are ``arrays``, given in :func:`leaves` order."""
    it = iter(arrays)

    def rebuild(x):
        if not is_tree(x):
            return next(it)
        if isinstance(x, dict):
            done = {k: rebuild(x[k]) for k in sorted(x)}
            return {k: done[k] for k in x}
        out = [rebuild(v) for v in x]
        return tuple(out) if isinstance(x, tuple) else out

    return rebuild(like)


def _leaf_axes(leaf, nd):
    return tuple(range(nd, np.ndim(leaf)))


def vdot(a, b, run_ndim=None):
    """⟨a, b⟩ summed over every parameter of every leaf, one number per run."""
    nd = _default_run_ndim(a, run_ndim)
    if not is_tree(a) and np.ndim(a) == nd + 1:
        return np.einsum("...i,...i->...", a, b)  # one flat vector per run: the fast path
    return sum(np.sum(p * q, axis=_leaf_axes(p, nd)) for p, q in zip(leaves(a), leaves(b), strict=True))


def norm(x, run_ndim=None):
    """The global Euclidean norm ‖θ‖ over all leaves, one number per run."""
    return np.sqrt(vdot(x, x, run_ndim))


def leaf_norms(x, run_ndim=None):
    """The Euclidean norm of each leaf separately (per layer), as a tree of per-run numbers."""
    nd = _default_run_ndim(x, run_ndim)
    return tree_map(lambda p: np.sqrt(np.sum(p * p, axis=_leaf_axes(p, nd))), x)


def astype(x, dtype):
    """Every leaf as an array of ``dtype``."""
    return tree_map(lambda p: np.asarray(p, dtype=dtype), x)


def zeros_like(x):
    """Zeros of x's structure and shapes, in each leaf's floating dtype (float64 for integers)."""

    def zeros(p):
        p = np.asarray(p)
        return np.zeros(p.shape, dtype=p.dtype if np.issubdtype(p.dtype, np.floating) else float)

    return tree_map(zeros, x)


def is_finite(x, run_ndim=None):
    """Per run: True when every entry of every leaf is finite."""
    nd = _default_run_ndim(x, run_ndim)
    out = True
    for p in leaves(x):
        out = out & np.all(np.isfinite(p), axis=_leaf_axes(p, nd))
    return out
