"""One deadline for all work on user input, which no `except` clause can swallow.

`with deadline(seconds, "this derivative"):` bounds a block of work. Budgets nest: an inner
one never outlives an outer one. Time running out raises `DeadlineExceeded`, which derives
from BaseException (as KeyboardInterrupt does) on purpose: code that catches ValueError,
ArithmeticError or even Exception to mean "undefined here" (ours, SymPy's, mpmath's) cannot
mistake it for a failed evaluation and carry on.

The deadline interrupts work three ways, so that it holds in any thread:

- `check()`, called at the loop points of the engine (each derivation step, each tidy-up
  candidate, each sample point, each printed node), raises as soon as time is up;
- in the main thread, a timer signal (SIGALRM) raises it inside SymPy's own loops;
- in any other thread (a web server's request), a watchdog timer raises it asynchronously in
  that thread, at its next Python instruction.

A single long C call (one huge integer multiplication) cannot be interrupted in-process; the
size guards in limits.py refuse such work before it starts, and untrusted batch work runs in
worker processes that are killed at their deadline (grading.batch).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from calcgrad import limits


class DeadlineExceeded(BaseException):
    """A time budget ran out. Not an Exception subclass, so no "undefined here" handler
    catches it; the CLI turns it into a message and exit status 2.

    `budget` is the budget that ran out, so a caller can tell its own from an outer one.
    """

    exit_code = 2
    budget: Budget | None = None

    def __init__(self, budget: Budget | None = None):
        if budget is not None:
            self.budget = budget
        super().__init__(str(self))

    def __str__(self) -> str:
        budget = self.budget
        if budget is None:
            return "the time limit ran out"
        return (f"{budget.what} took longer than its time limit of {budget.seconds:g} s and was "
                "stopped; try a smaller input or a larger --timeout")


@dataclass(eq=False)
class Budget:
    """One time budget: how long, for what, and until when (time.monotonic())."""

    seconds: float
    what: str
    expires: float
    raised: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def left(self) -> float:
        return self.expires - time.monotonic()


_active: ContextVar[tuple[Budget, ...]] = ContextVar("calcgrad_deadlines", default=())


def remaining() -> float | None:
    """Seconds left before the nearest deadline, or None when no budget is running."""
    budgets = _active.get()
    if not budgets:
        return None
    return min(b.expires for b in budgets) - time.monotonic()


def check() -> None:
    """Raise DeadlineExceeded when a running budget has run out (cheap: call it in loops)."""
    budgets = _active.get()
    if budgets:
        now = time.monotonic()
        for budget in budgets:  # outermost first: the widest budget that ran out is named
            if now >= budget.expires:
                budget.raised = True
                raise DeadlineExceeded(budget)


def owns(error: DeadlineExceeded, budget: Budget) -> bool:
    """True when `error` is `budget` running out (not an outer budget's)."""
    return error.budget is budget


@contextlib.contextmanager
def deadline(seconds: float | None, what: str = "this work"):
    """Run the block under a budget of `seconds` (None: the default, limits.API_SECONDS).

    Yields the Budget, so that a caller that wants to turn its own timeout into a result
    ("undetermined") can tell it apart with `owns`; an outer budget's expiry always passes
    through.
    """
    seconds = limits.API_SECONDS if seconds is None else float(seconds)
    now = time.monotonic()
    outer = _active.get()
    budget = Budget(seconds, what, now + seconds)
    token = _active.set(outer + (budget,))
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        interrupter = _SignalInterrupter(budget)
    else:
        interrupter = _ThreadInterrupter(budget)
    interrupter.start()
    try:
        yield budget
    finally:
        interrupter.stop()
        _active.reset(token)


# --- interrupting work that does not call check() -----------------------------------------


def _expired_budget() -> Budget | None:
    now = time.monotonic()
    for budget in _active.get():
        if now >= budget.expires - 0.001 and not budget.closed:
            return budget
    return None


def _on_alarm(signum, frame) -> None:
    """SIGALRM: raise for the budget that ran out (re-arm if the alarm came early)."""
    budget = _expired_budget()
    if budget is not None:
        with budget.lock:
            if budget.raised or budget.closed:
                return
            budget.raised = True
        raise DeadlineExceeded(budget)
    left = remaining()
    if left is not None:
        signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


class _SignalInterrupter:
    """Main thread: one real-time timer armed for the nearest deadline; nested budgets re-arm
    the outer one's time when they end."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.previous_handler = None
        self.previous_timer = 0.0
        self.started = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self.previous_timer = signal.getitimer(signal.ITIMER_REAL)[0]
        self.previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
        delay = self.budget.seconds
        if self.previous_timer > 0:
            delay = min(delay, self.previous_timer)
        signal.setitimer(signal.ITIMER_REAL, max(delay, 0.001))

    def stop(self) -> None:
        with self.budget.lock:
            self.budget.closed = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        # A foreign handler is put back; the default one (which would end the process on a
        # late alarm) is not: ours ignores alarms when no budget has run out.
        if callable(self.previous_handler) and self.previous_handler is not _on_alarm:
            signal.signal(signal.SIGALRM, self.previous_handler)
        if self.previous_timer > 0:
            left = self.previous_timer - (time.monotonic() - self.started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def _set_async_exc(thread_id: int, error) -> None:
    """Raise `error` (a class) in thread `thread_id`, or cancel a pending one (None)."""
    # lazy: start-up speed (ctypes, ~3 ms, only when a budget runs outside the main thread)
    import ctypes

    set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async_exc.restype = ctypes.c_int
    set_async_exc(ctypes.c_ulong(thread_id),
                  ctypes.py_object(error) if error is not None else ctypes.c_void_p(None))


class _ThreadInterrupter:
    """Any other thread: a watchdog timer raises DeadlineExceeded in the working thread (a
    subclass made for this budget, since only a class can be raised this way)."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.thread_id = threading.get_ident()
        self.fired = False
        self.timer = threading.Timer(max(budget.seconds, 0.001), self._fire)
        self.timer.daemon = True

    def start(self) -> None:
        self.timer.start()

    def _fire(self) -> None:
        with self.budget.lock:
            if self.budget.raised or self.budget.closed:
                return
            self.budget.raised = True
            self.fired = True
            error_type = type("DeadlineExceeded", (DeadlineExceeded,), {"budget": self.budget})
            _set_async_exc(self.thread_id, error_type)

    def stop(self) -> None:
        self.timer.cancel()
        with self.budget.lock:
            self.budget.closed = True
            if self.fired:  # raised but maybe not yet delivered: never let it land later
                _set_async_exc(self.thread_id, None)
