"""Self-check for the exercises at the end of each chapter: compare a reader's answer with the expected
value and say clearly what is right or wrong.

:func:`check_answer` compares with a *key* — a hash of the expected value rounded to a few significant
digits — so the exercise cell never shows the answer; :func:`answer_key` makes the key when the chapter is
written. :func:`check` compares with a value given in the open (for tasks whose answer is not the point)."""

import hashlib

import numpy as np

__all__ = ["check", "check_answer", "answer_key", "attempt", "expect_close"]


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


def _digest(value, digits):
    """The key's hash part: every entry rounded to ``digits`` significant digits, in a canonical text."""
    flat = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    text = f"{np.shape(value)}|" + ",".join(f"{v:.{digits - 1}e}" if v != 0 else "0" for v in flat + 0.0)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def answer_key(value, digits=4):
    """The key that :func:`check_answer` compares with: ``"<digits>:<hash>"`` of ``value`` (a number or an
    array) rounded to ``digits`` significant digits. Authors compute it once and paste it into the exercise.

    >>> answer_key(2 / (0.5 + 50))
    '4:68251280e7f4d804'
    """
    if not (isinstance(digits, int) and 2 <= digits <= 12):
        raise ValueError(f"digits must be an integer in [2, 12] (got {digits!r})")
    return f"{digits}:{_digest(value, digits)}"


def check_answer(answer, key, *, what="your answer", hint=None):
    """Say whether ``answer`` equals the hidden value behind ``key`` (made by :func:`answer_key`) to the
    key's significant digits, without showing that value. ``None`` means "not answered yet"; a wrong answer
    raises an AssertionError that gives the ``hint`` but not the answer.

    >>> key = answer_key(0.5)
    >>> check_answer(None, key)
    Not answered yet: replace None with your answer and run the cell again.
    >>> check_answer(0.50000001, key)
    Correct: your answer = 0.5 matches (to 4 significant digits).
    >>> check_answer(0.6, key, hint="compare the two extremes")
    Traceback (most recent call last):
    ...
    AssertionError: your answer = 0.6 is not right yet (checked to 4 significant digits). Hint: compare the two extremes
    """
    if not (isinstance(key, str) and ":" in key and key.split(":")[0].isdigit()):
        raise ValueError(f"key must be made by gd.answer_key (got {key!r})")
    if answer is None:
        print("Not answered yet: replace None with your answer and run the cell again.")
        return
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} must be a number or an array of numbers (got {answer!r})") from None
    digits, digest = int(key.split(":")[0]), key.split(":")[1]
    shown = f"{float(got):.6g}" if got.ndim == 0 else np.array2string(got, precision=6)
    # an answer a hair from a rounding boundary must not fail: try it nudged by far less than the tolerance
    for nudge in (0.0, 1e-9, -1e-9):
        if _digest(got * (1 + nudge), digits) == digest:
            print(f"Correct: {what} = {shown} matches (to {digits} significant digits).")
            return
    message = f"{what} = {shown} is not right yet (checked to {digits} significant digits)."
    raise AssertionError(message + (f" Hint: {hint}" if hint else ""))


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
