"""Self-check for the exercises at the end of each chapter: compare a reader's answer with the expected
value and say clearly what is right or wrong."""

import numpy as np

__all__ = ["check", "attempt", "expect_close"]


def check(answer, expected, *, rtol=1e-6, atol=0.0, what="your answer"):
    """Print a confirmation if ``answer`` matches ``expected`` (numbers or arrays, to ``rtol``/``atol``);
    raise an AssertionError that shows both values otherwise. ``None`` means "not answered yet".

    >>> check(None, 2.0)
    Not answered yet: replace None with your answer and run the cell again.
    >>> check(2.0000001, 2.0)
    Correct: your answer = 2 matches.
    >>> check(3.0, 2.0)
    Traceback (most recent call last):
    ...
    AssertionError: your answer = 3 but the expected value is 2 (relative tolerance 1e-06)
    """

    def show(a):
        return f"{float(a):.6g}" if a.ndim == 0 else np.array2string(a, precision=6)

    if answer is None:
        print("Not answered yet: replace None with your answer and run the cell again.")
        return
    got, want = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        raise AssertionError(f"{what} has shape {got.shape} but the expected value has shape {want.shape}")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise AssertionError(
            f"{what} = {show(got)} but the expected value is {show(want)} (relative tolerance {rtol:g})"
        )
    print(f"Correct: {what} = {show(got)} matches.")


def attempt(task, function, *args, **kwargs):
    """Call a student's ``function``; if it is still the stub, fail with a message naming the task.

    >>> def stub():
    ...     raise NotImplementedError()
    >>> attempt("Task 1", stub)
    Traceback (most recent call last):
    ...
    AssertionError: Task 1: stub is not implemented yet (it still raises NotImplementedError)
    """
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(
            f"{task}: {function.__name__} is not implemented yet (it still raises NotImplementedError)"
        ) from None


def expect_close(task, got, want, *, rtol=1e-10, atol=1e-12):
    """Assert that ``got`` equals ``want`` to the tolerance; the failure says what was expected and what
    came back.

    >>> expect_close("Task 2", [1.0, 2.5], [1.0, 2.0])
    Traceback (most recent call last):
    ...
    AssertionError: Task 2: expected [1. 2.], got [1.  2.5]
    """
    try:
        got_a = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{task}: expected a number or an array of numbers, got {got!r}") from None
    want_a = np.asarray(want, dtype=float)
    if got_a.shape != want_a.shape:
        raise AssertionError(f"{task}: expected shape {want_a.shape}, got shape {got_a.shape}")
    if not np.allclose(got_a, want_a, rtol=rtol, atol=atol):
        raise AssertionError(
            f"{task}: expected {np.array2string(want_a, precision=8)}, got {np.array2string(got_a, precision=8)}"
        )
