"""Gradient descent, traced: w ← w − η∇f(w), or with momentum v ← μv − η∇f(w), w ← w + v.

The gradient is found once, symbolically, by the calcgrad engine (one Derivation per variable).
The iteration then runs in plain Python floats through functions lambdified with modules="math"
from that SymPy tree: safe, because the tree came from calcgrad's own parser and engine, never
from user text. Overflow, domain errors, division by zero and NaN stop the run with a reason.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

import warnings

import sympy
from sympy import Expr, Symbol

from calcgrad import deadline, limits
from calcgrad.render.notation import to_text
from calcgrad.engine.derivation import Derivation
from calcgrad.engine.functions import numeric_functions
from calcgrad.engine.pointwise import real_roots
from calcgrad.errors import LimitError, UsageError
from calcgrad.render.protocol import Rendered
from calcgrad.engine.derive import diff as derive
from calcgrad.read import request

DIVERGENCE_BOUND = 1e100
"""A coordinate larger than this in size counts as diverged."""


@dataclass(frozen=True)
class Iteration:
    """One row of the trace: w⁽ᵏ⁾, ∇f(w⁽ᵏ⁾), f(w⁽ᵏ⁾) and the length of the step that led here."""

    k: int
    point: tuple[float, ...]
    gradient: tuple[float, ...]
    f: float
    step: float | None  # ‖w⁽ᵏ⁾ − w⁽ᵏ⁻¹⁾‖; None for the start point

    @property
    def gradient_norm(self) -> float:
        return math.hypot(*self.gradient)


@dataclass(frozen=True)
class Descent(Rendered):
    """A gradient-descent run: the symbolic gradient, the trace, and why it stopped."""

    RENDERER: ClassVar[str] = "calcgrad.render.descent"
    TABLE: ClassVar[bool] = True    # the trace is also written as CSV

    expression: Expr
    variables: tuple[Symbol, ...]
    derivations: tuple[Derivation, ...]
    learning_rate: float
    momentum: float
    max_steps: int
    tolerance: float
    trace: tuple[Iteration, ...]
    converged: bool
    reason: str
    warnings: tuple[str, ...] = ()
    stable_learning_rate: float | None = None
    source: str | None = None
    written: tuple = ()
    """The input's sums and products in the order they were typed (for 'Interpreted as')."""

    @property
    def gradient(self) -> tuple[Expr, ...]:
        """∇f as the engine found it, one partial derivative per variable."""
        return tuple(d.result for d in self.derivations)

    @property
    def final(self) -> Iteration:
        return self.trace[-1]


MATH_FUNCTIONS = numeric_functions(math)
"""Plain-float versions of the function table's functions (σ, ReLU, GELU, step with the kink
convention …), beside Python's math module."""


def numeric(variables: tuple[Symbol, ...], expr: Expr) -> Callable[..., float]:
    """expr as a plain-Python function of the variables (SymPy tree → math module, then mpmath
    for what math lacks, such as polygamma). Odd roots of negative numbers are real (∛(−8) = −2),
    as calcgrad diff takes them. A function neither provides is refused here, with its name,
    rather than failing with NameError in the middle of the iteration."""
    function = sympy.lambdify(variables, real_roots(expr),
                              modules=[MATH_FUNCTIONS, "math", "mpmath"])
    missing = sorted(name for name in function.__code__.co_names
                     if name not in function.__globals__ and not hasattr(builtins, name))
    if missing:
        raise UsageError(f"{', '.join(missing)} (in {to_text(expr)}) has no numeric "
                         "implementation, so this cannot be iterated with numbers; "
                         "use calcgrad diff to see the derivative")
    return function


# --- the public entry point ------------------------------------------------------------------


def descend(
    expr,
    start,
    lr: float,
    iterations: int | None = None,
    tol: float = 1e-8,
    momentum: float = 0.0,
    variables: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
    *,
    steps: int | None = None,
) -> Descent:
    """Minimise `expr` by gradient descent from `start` with learning rate η = `lr`.

    `start` is text ("x=1, y=2"), a mapping, or a bare number when there is one variable; its
    order is the variables' order. Stops when ‖∇f(w)‖ ≤ `tol` (Euclidean norm), after
    `iterations` updates (default 50; `steps=` is its old name), or when the numbers overflow or
    leave f's domain. With `momentum` μ > 0: v ← μv − η∇f(w), w ← w + v, starting from v = 0.
    `progress`, when given, is called with k after each iteration (for a progress bar).
    """

    declared = request.declared_names(variables)
    source = expr if isinstance(expr, str) else None
    reading = request.reading(expr, declared)
    expression = reading.expression
    learning_rate = _positive_number("the learning rate η (--lr)", lr)
    tolerance = _number("the tolerance (--tol)", tol)
    if tolerance < 0:
        raise UsageError(f"the tolerance (--tol) must be ≥ 0, not {tol}")
    mu = _number("the momentum μ (--momentum)", momentum)
    if not 0 <= mu < 1:
        raise UsageError(f"the momentum μ (--momentum) must be in [0, 1), not {momentum}")
    max_steps = _iterations(_renamed(iterations, steps))
    start_point = _start(start, expression, declared)
    names = tuple(start_point)

    derivations = tuple(derive(expression, v) for v in names)
    f = numeric(names, expression)
    partials = [numeric(names, d.result) for d in derivations]
    trace, converged, reason = _iterate(f, partials, list(start_point.values()), learning_rate,
                                        mu, max_steps, tolerance, progress)
    if not trace:  # f or ∇f failed at the start itself: bad input, not a broken-down run
        where = ", ".join(f"{to_text(s)} = {c:g}" for s, c in start_point.items())
        why = reason.removesuffix(" at step 0").removesuffix(" at the point reached")
        raise UsageError(f"cannot start at {where}: {why}; "
                         f"choose a start point where {to_text(expression)} and its gradient "
                         f"are defined")
    stable, warnings = _advice(expression, names, learning_rate, mu, trace, converged, reason)
    return Descent(expression, names, derivations, learning_rate, mu, max_steps, tolerance,
                   tuple(trace), converged, reason, tuple(warnings), stable, source, reading.written)


def _iterate(f, partials, w: list[float], lr: float, mu: float, max_steps: int, tol: float,
             progress) -> tuple[list[Iteration], bool, str]:
    trace: list[Iteration] = []
    velocity = [0.0] * len(w)
    step: float | None = None
    for k in range(max_steps + 1):
        deadline.check()  # cooperative, beside the interrupting timer: cheap, and always heard
        try:
            value = _real(f(*w))
            gradient = [_real(g(*w)) for g in partials]
        except OverflowError:
            return trace, False, f"overflow: the numbers grew too large to compute at step {k}"
        except ZeroDivisionError:
            return trace, False, f"division by zero while computing f or ∇f at step {k}"
        except (ValueError, TypeError):
            return trace, False, (f"f or ∇f is not defined (over the real numbers) at the point "
                                  f"reached at step {k}")
        if not all(math.isfinite(number) for number in (value, *gradient)):
            trace.append(Iteration(k, tuple(w), tuple(gradient), value, step))
            return trace, False, f"f or ∇f is not a finite number (NaN or overflow) at step {k}"
        trace.append(Iteration(k, tuple(w), tuple(gradient), value, step))
        norm = math.hypot(*gradient)
        if norm <= tol:
            return trace, True, f"‖∇f‖ = {norm:.3g} ≤ tolerance {tol:g} at step {k}"
        if k == max_steps:
            return trace, False, (f"reached the step limit ({max_steps}) with ‖∇f‖ = {norm:.3g} "
                                  f"> tolerance {tol:g}")
        if mu:
            velocity = [mu * v - lr * g for v, g in zip(velocity, gradient)]
            new = [wi + v for wi, v in zip(w, velocity)]
        else:
            new = [wi - lr * g for wi, g in zip(w, gradient)]
        step = math.hypot(*(a - b for a, b in zip(new, w)))
        w = new
        if progress is not None:
            progress(k + 1)
        if not all(math.isfinite(c) and abs(c) <= DIVERGENCE_BOUND for c in w):
            return trace, False, (f"diverged: a coordinate exceeded {DIVERGENCE_BOUND:g} in size "
                                  f"at step {k + 1}")
    raise AssertionError("unreachable")  # pragma: no cover


def _real(value) -> float:
    if isinstance(value, complex):
        raise ValueError("complex value")
    return float(value)


# --- advice: divergence and the stable learning rate of a quadratic ---------------------------


def _advice(expression, names, lr, mu, trace, converged, reason) -> tuple[float | None, list[str]]:
    warnings = []
    stable, note = _quadratic_bound(expression, names, mu)
    if note:
        warnings.append(note)
    if converged:
        return stable, warnings
    values = [row.f for row in trace if math.isfinite(row.f)]
    grew = len(values) >= 2 and values[-1] > values[0]
    failed = not reason.startswith("reached the step limit")
    if grew or failed:
        message = ("the iteration is diverging" if grew or reason.startswith("diverged")
                   else "the iteration broke down")
        if len(values) >= 2 and grew:
            message += f": f grew from {values[0]:.6g} to {values[-1]:.6g}"
        message += f"; try a smaller learning rate than η = {lr:g}"
        if stable is not None:
            rule = "2(1 + μ)/λ_max" if mu else "2/λ_max"
            message += (f". For this quadratic, descent is stable exactly when η < {rule} = "
                        f"{stable:.6g} (λ_max = largest eigenvalue of the Hessian)")
        warnings.append(message)
    elif stable is not None and lr >= stable:
        warnings.append(f"η = {lr:g} is not below the stable bound {stable:.6g} for this quadratic")
    return stable, warnings


def _quadratic_bound(expression, names, mu) -> tuple[float | None, str]:
    """2/λ_max (2(1 + μ)/λ_max with momentum) when f is a quadratic in the variables."""
    if len(names) > limits.MAX_DESCENT_HESSIAN_VARIABLES or not expression.is_polynomial(*names):
        return None, ""
    if sympy.Poly(expression, *names).total_degree() != 2:
        return None, ""
    hessian = sympy.hessian(expression, names)
    if hessian.free_symbols:
        return None, ""
    eigenvalues = [float(sympy.re(sympy.N(e))) for e in hessian.eigenvals()]
    largest, smallest = max(eigenvalues), min(eigenvalues)
    if smallest < 0:
        return None, (f"f has no minimum: its Hessian has a negative eigenvalue ({smallest:.6g}), "
                      "so f decreases without bound along that direction")
    if largest <= 0:
        return None, ""
    return 2 * (1 + mu) / largest, ""


# --- input -----------------------------------------------------------------------------------


def _number(what: str, value) -> float:

    number = float(request.number(value, what))
    if not math.isfinite(number):
        raise UsageError(f"{what} is too large to compute with in floating point, not {value}")
    return number


def _positive_number(what: str, value) -> float:
    number = _number(what, value)
    if number <= 0:
        raise UsageError(f"{what} must be greater than 0, not {value}")
    return number


def _renamed(iterations, steps) -> int:
    """`iterations`, or its old name `steps=` (still accepted, with a DeprecationWarning)."""
    if steps is None:
        return 50 if iterations is None else iterations

    warnings.warn("descend(steps=...) is deprecated; use iterations=...", DeprecationWarning,
                  stacklevel=3)
    if iterations is not None:
        raise UsageError("descend: give the number of iterations once, as iterations= "
                         "(steps= is its old name)")
    return steps


def _iterations(count) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise UsageError(f"the number of iterations (--iterations) must be a whole number ≥ 0, "
                         f"not {count!r}")
    if count > limits.MAX_DESCENT_STEPS:
        raise LimitError(f"{count} iterations are too many (at most {limits.MAX_DESCENT_STEPS}); "
                         "try a larger learning rate or a looser tolerance")
    return count


def _start(start, expression: Expr, declared) -> dict[Symbol, float]:

    if start is None or (isinstance(start, str) and not start.strip()):
        raise UsageError("give a start point, such as --start x=1,y=2")
    known = sorted(expression.free_symbols, key=lambda s: s.name)
    if not known:
        raise UsageError("the expression has no variable to descend along")
    point = request.point(start, known, declared, what="the start point", option="--start",
                          given_order=True)
    values = {}
    for symbol, value in point.items():
        number = float(sympy.N(value, 20))
        if not math.isfinite(number):
            raise UsageError(f"the start value of {symbol.name} is too large to compute with in "
                             f"floating point (about {sympy.N(value, 3)})")
        values[symbol] = number
    return values
