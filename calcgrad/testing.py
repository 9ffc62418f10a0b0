"""Helpers for pytest-based autograders: a failing check fails the test with its feedback."""

from __future__ import annotations

from collections.abc import Iterable
from calcgrad.grading.checking import check


def assert_derivative(answer, of, wrt=(), order: int = 1, *, grad: bool = False,
                      variables: Iterable[str] = ()) -> None:
    """Fail with the feedback sentences unless `answer` is the derivative of `of`.

    An undetermined check fails too: an autograder should not pass what it could not verify.
    """
    verdict = check(answer, of=of, wrt=wrt, order=order, grad=grad, variables=variables)
    if not verdict:
        codes = f" [{', '.join(verdict.mistakes)}]" if verdict.mistakes else ""
        raise AssertionError(f"{verdict.verdict}{codes}: " + " ".join(verdict.feedback))


__all__ = ["assert_derivative"]
