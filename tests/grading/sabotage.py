"""A grade_row that misbehaves on marked answers, as hostile input could make SymPy misbehave.

A module of its own (not a test file) so that worker processes, local or on a Dask worker, can
import it by name: the work function travels to them by reference.
"""

from __future__ import annotations

import os
import signal
from unittest import mock

import calcgrad.grading.checking
from calcgrad.grading.batch import GradedRow, grade_row

HOSTILE = ("hang in C", "hang in Python", "eat memory", "crash")


def sabotaged_check(real_check):
    """check() that misbehaves on the answers in HOSTILE."""

    def check(answer, **kwargs):
        if answer == "hang in C":
            sum(range(10**13))  # one C call: no signal or check() interrupts it
        if answer == "hang in Python":
            while True:
                try:
                    sum(i for i in range(1000))
                except Exception:  # an "undefined here" handler must not swallow the deadline
                    pass
        if answer == "eat memory":
            "x" * 5_000_000_000  # more than a worker may have: MemoryError at once
        if answer == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_check(answer, **kwargs)

    return check


def sabotaged_grade_row(task) -> GradedRow:
    """grade_row, with checking.check misbehaving on the answers in HOSTILE."""
    with mock.patch.object(calcgrad.grading.checking, "check",
                           sabotaged_check(calcgrad.grading.checking.check)):
        return grade_row(task)
