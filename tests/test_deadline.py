"""Tests for calcgrad.deadline: a budget that nothing swallows, in any thread, nested safely."""

from __future__ import annotations

import threading
import time

import pytest

import calcgrad
from calcgrad.deadline import DeadlineExceeded, check, deadline, owns, remaining


def _spin_swallowing_errors() -> None:
    """A loop that catches what "undefined here" handlers catch, as SymPy and mpmath do."""
    while True:
        try:
            float("nan") / 0
        except (ValueError, ArithmeticError, TypeError, Exception):
            pass


def test_the_deadline_is_no_exception_subclass() -> None:
    """No `except Exception` (nor ValueError, ArithmeticError) can mistake it for a failure."""
    assert not issubclass(DeadlineExceeded, Exception)
    assert issubclass(DeadlineExceeded, BaseException)
    assert 2 == DeadlineExceeded.exit_code


def test_main_thread_loop_that_swallows_errors_is_stopped() -> None:
    """The timer signal stops a loop that swallows every Exception, on time."""
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as raised:
        with deadline(0.3, "spinning"):
            _spin_swallowing_errors()
    assert time.monotonic() - started < 2
    assert "spinning took longer than its time limit of 0.3 s" in str(raised.value)


def test_worker_thread_loop_is_stopped() -> None:
    """Outside the main thread (no signals there) a watchdog raises it in the thread."""
    outcome = {}

    def work():
        started = time.monotonic()
        try:
            with deadline(0.3, "threaded work") as budget:
                _spin_swallowing_errors()
        except DeadlineExceeded as error:
            outcome["owned"] = owns(error, budget)
            outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(10)
    assert not worker.is_alive()
    assert outcome["owned"] and outcome["seconds"] < 2


def test_an_outer_budget_passes_through_an_inner_one() -> None:
    """An inner budget never outlives the outer one, and the error names the outer one."""
    with pytest.raises(DeadlineExceeded) as raised:
        with deadline(0.2, "outer") as outer:
            with deadline(30, "inner") as inner:
                _spin_swallowing_errors()
    assert owns(raised.value, outer) and not owns(raised.value, inner)


def test_an_inner_budget_can_be_handled_inside_an_outer_one() -> None:
    """An inner budget that runs out is the inner caller's to handle; the outer one goes on."""
    with deadline(10, "outer"):
        with pytest.raises(DeadlineExceeded) as raised:
            with deadline(0.2, "inner") as inner:
                _spin_swallowing_errors()
        assert owns(raised.value, inner)
        assert 5 < remaining() <= 10


def test_no_late_alarm_after_the_block() -> None:
    """A block that ends in time leaves nothing behind to fire later, in any thread."""
    with deadline(0.2, "quick"):
        pass
    time.sleep(0.4)
    errors = []

    def work():
        try:
            with deadline(0.2, "quick"):
                pass
            time.sleep(0.4)
        except BaseException as error:  # noqa: BLE001 — the test looks for any stray raise
            errors.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(5)
    assert [] == errors


def test_check_raises_once_time_is_up() -> None:
    """check() is the cooperative point the engine's loops call."""
    assert remaining() is None
    check()  # no budget: nothing to do
    with pytest.raises(DeadlineExceeded):
        with deadline(0.05, "cooperative"):
            time.sleep(0.01)
            deadline_end = time.monotonic() + 0.2
            while time.monotonic() < deadline_end:
                check()


@pytest.fixture
def endless_tidy(monkeypatch):
    """A tidy-up that never ends (and swallows errors), standing in for SymPy on a bad day."""
    import calcgrad.engine.derive

    def tidy_with_reason(expr, prefer_sec=False):
        _spin_swallowing_errors()

    monkeypatch.setattr(calcgrad.engine.derive, "tidy_with_reason", tidy_with_reason)


def test_api_timeout_stops_a_long_derivation(endless_tidy) -> None:
    """calcgrad.diff(..., timeout=) ends at its budget with DeadlineExceeded."""
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        calcgrad.diff("x^2", timeout=0.3)
    assert time.monotonic() - started < 3


def test_api_timeout_in_a_thread(endless_tidy) -> None:
    """The same in a worker thread, as a web server runs requests."""
    outcome = []

    def work():
        try:
            calcgrad.diff("x^2", timeout=0.3)
        except DeadlineExceeded as error:
            outcome.append(error)

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    worker.join(20)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert 1 == len(outcome)


def test_cli_timeout_is_a_message_and_exit_2(endless_tidy) -> None:
    """`calcgrad --timeout` bounds the command: one message, exit status 2."""
    from click.testing import CliRunner

    from calcgrad.cli import main

    started = time.monotonic()
    result = CliRunner().invoke(main, ["--timeout", "0.3", "diff", "x^2", "--format", "plain"])
    assert time.monotonic() - started < 5
    assert 2 == result.exit_code
    assert "took longer than its time limit of 0.3 s" in result.output
