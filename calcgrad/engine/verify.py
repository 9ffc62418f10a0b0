"""Every step checked when it is made: SymPy's own derivative against the step's result.

The rules of calcgrad.engine.derive compute each step's result from the step tree; this
module checks that result independently, against `sympy.diff` of the step's expression. The
deep-learning functions of the function table (σ, ReLU, softplus, GELU, SiLU) are first written
out by their definitions, so SymPy never uses calcgrad's own derivative formulas for them.

Two expressions count as equal when

1. they are the same tree (nine steps in ten), else
2. they agree to `DIGITS` significant digits at `MIN_POINTS` seeded random points, each side
   evaluated with mpmath; a point where any part of either side is undefined or not real is
   skipped (√x at x < 0), since the steps are about real functions. A disagreement is
   confirmed at twice the precision before it counts as a failed check.

When too few real points are usable (an empty or very narrow real domain, as for
asec(sin x)), the two sides are compared at the same points as complex numbers with SymPy's
evalf; agreement there counts, but a disagreement does not (formulas with |u| or sign(u) are
right only on the real line), and the check says None: not decided. The points come from a
seeded generator, so a derivation is checked the same way every time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from fractions import Fraction

import mpmath
import sympy
from sympy import Expr, Symbol

from calcgrad.engine.functions import DEEP_LEARNING_FUNCTIONS, FUNCTION_TABLE

DIGITS = 30
"""Working precision of the numeric comparison, in significant digits."""

MIN_POINTS = 3
"""Usable points at which the two sides must agree."""

CANDIDATES = 60
"""Points tried at most before the check gives up (says None)."""

RANGES = ((Fraction(1, 20), Fraction(19, 20)), (Fraction(-3), Fraction(-21, 20)),
          (Fraction(21, 20), Fraction(3)), (Fraction(-19, 20), Fraction(-1, 20)),
          (Fraction(3), Fraction(30)), (Fraction(-30), Fraction(-3)))
"""Where coordinates are drawn, in turn: inside (0, 1) (arcsin, ln), below −1, above 1
(arccosh), inside (−1, 0), and far out on both sides, so that a rule wrong on one side of 0
is caught."""

_SEED = 20261130


def derivative_matches(expression: Expr, variable: Symbol, result: Expr) -> bool | None:
    """Whether `result` is d(expression)/d(variable) as SymPy's own `diff` finds it (None: the
    check found no point where both sides are real)."""
    return same_value(sympy.diff(written_out(expression), variable), result)


def same_value(a: Expr, b: Expr) -> bool | None:
    """Whether two expressions are equal as real functions (see the module docstring); None
    when no point was found where both are real."""
    if a == b:
        return True
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    digits = _digits(a, b)
    needed = MIN_POINTS if symbols else 1
    usable = 0
    for point in _points(symbols) if symbols else [{}]:
        agreement = _agree(a, b, point, digits, DIGITS)
        if agreement is False:  # confirmed at twice the precision before it counts
            agreement = _agree(a, b, point, digits, 2 * DIGITS)
            if agreement is False:
                return False
        usable += agreement is True
        if usable >= needed:
            return True
    return True if _agree_off_the_real_line(a, b, symbols, digits, needed) else None


def _agree_off_the_real_line(a: Expr, b: Expr, symbols: list[Symbol], digits: int, needed: int) -> bool:
    """Whether a and b agree as complex numbers at `needed` of the seeded points."""
    agreed = 0
    for point in _points(symbols) if symbols else [{}]:
        values = {s: sympy.Rational(v.numerator, v.denominator) for s, v in point.items()}
        try:
            left, right = (sympy.N(e, DIGITS, subs=values) for e in (a, b))
        except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):
            continue
        if not (left.is_number and right.is_number) or any(
                v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) for v in (left, right)):
            continue
        difference = abs(complex(left - right))
        if difference > 10.0 ** -digits * max(1.0, abs(complex(left)), abs(complex(right))):
            return False
        agreed += 1
        if agreed >= needed:
            return True
    return False


def written_out(expr: Expr) -> Expr:
    """expr with calcgrad's own functions (σ, ReLU, …) replaced by their definitions."""
    if not expr.has(*DEEP_LEARNING_FUNCTIONS):
        return expr
    return expr.replace(lambda e: isinstance(e, DEEP_LEARNING_FUNCTIONS),
                        lambda e: type(e).definition(e.args[0]))


def _points(symbols: list[Symbol]) -> Iterator[dict]:
    """Seeded points; the first symbol takes each range in turn, the others a random one (so
    every combination of signs comes up); a symbol declared positive (or negative) keeps its sign."""
    rng = random.Random(_SEED)
    for k in range(CANDIDATES):
        point = {}
        for i, symbol in enumerate(symbols):
            low, high = RANGES[k % len(RANGES)] if i == 0 else rng.choice(RANGES)
            if symbol.is_positive and low < 0 or symbol.is_negative and low > 0:
                low, high = -high, -low
            point[symbol] = low + (high - low) * Fraction(rng.randrange(1, 10_000), 10_000)
        yield point


def _digits(a: Expr, b: Expr) -> int:
    """Digits that must agree: all but a few, or 10 when the expressions hold decimals (their
    53-bit rounding depends on the order in which SymPy and calcgrad combined them)."""
    return 10 if a.has(sympy.Float) or b.has(sympy.Float) else DIGITS - 10


def _agree(a: Expr, b: Expr, point: dict, digits: int, precision: int) -> bool | None:
    """Whether a and b agree to `digits` digits at the point; None when either is not real
    there, or when its value is not yet settled at this precision (cos(sinh(100)) needs far
    more digits than 30: the same side evaluated with GUARD more digits must agree with it)."""
    left, right = _settled(a, point, digits, precision), _settled(b, point, digits, precision)
    if left is None or right is None:
        return None
    scale = max(1, abs(left), abs(right))
    return bool(abs(left - right) <= scale * mpmath.mpf(10) ** -digits)


GUARD = 15
"""Extra digits with which a value is evaluated again to see that it has settled."""


def _settled(expr: Expr, point: dict, digits: int, precision: int):
    with mpmath.workdps(precision):
        value = real_value(expr, point)
    if value is None:
        return None
    with mpmath.workdps(precision + GUARD):
        again = real_value(expr, point)
        if again is None or abs(again - value) > max(1, abs(again)) * mpmath.mpf(10) ** -digits:
            return None
    return value


class _NotReal(Exception):
    """Some part of the expression is undefined or not a real number at the point."""


def real_value(expr: Expr, point: dict):
    """expr at the point (symbols → Fractions) as an mpmath number at the current precision, or
    None when any part of it is undefined or not real there."""
    try:
        value = _value(expr, point, {})
    except (_NotReal, ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    return value if mpmath.isfinite(value) else None


def _real(value):
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** (5 - mpmath.mp.dps) * max(1, abs(value.real)):
            raise _NotReal
        value = value.real
    if not mpmath.isfinite(value):
        raise _NotReal
    return value


_VALUES = {entry.func: entry.value for entry in FUNCTION_TABLE
           if entry.func is not None and entry.value is not None}
"""Each table function's value for mpmath numbers (the function table, calcgrad.engine.functions)."""

_CONSTANTS = {sympy.pi: lambda: +mpmath.pi, sympy.E: lambda: +mpmath.e,
              sympy.EulerGamma: lambda: +mpmath.euler}


def _value(expr: Expr, point: dict, memo: dict):
    """expr's real value, sub-expressions first (memoised); _NotReal where it has none."""
    if expr in memo:
        return memo[expr]
    if expr.is_Symbol:
        fraction = point[expr]
        value = mpmath.mpf(fraction.numerator) / fraction.denominator
    elif expr.is_Rational:
        value = mpmath.mpf(int(expr.p)) / int(expr.q)
    elif expr.is_Float:
        value = mpmath.mpf(expr._mpf_)
    elif expr in _CONSTANTS:
        value = _CONSTANTS[expr]()
    elif expr.is_Add:
        value = mpmath.fsum(_value(a, point, memo) for a in expr.args)
    elif expr.is_Mul:
        value = mpmath.fprod(_value(a, point, memo) for a in expr.args)
    elif expr.is_Pow:
        value = _power(_value(expr.base, point, memo), expr.exp, point, memo)
    elif expr.is_Piecewise:
        value = _piecewise(expr, point, memo)
    elif expr.func in _VALUES:
        value = _VALUES[expr.func](mpmath, *(_value(a, point, memo) for a in expr.args))
    else:  # a function outside the table (erf's relatives, polylog …): SymPy's own evalf
        value = _evaluated(expr, point)
    memo[expr] = value = _real(value)
    return value


def _power(base, exponent: Expr, point: dict, memo: dict):
    if exponent.is_Integer:
        if base == 0 and exponent < 0:
            raise _NotReal
        return base ** int(exponent)
    if base < 0 or base == 0 and not exponent.is_positive:
        raise _NotReal  # principal roots of negative numbers are complex (x^(1/3) too)
    return mpmath.power(base, _value(exponent, point, memo))


def _piecewise(expr: Expr, point: dict, memo: dict):
    for piece, condition in expr.args:
        if _holds(condition, point, memo):
            return _value(piece, point, memo)
    raise _NotReal


def _holds(condition, point: dict, memo: dict) -> bool:
    if condition is sympy.true or condition is sympy.false:
        return bool(condition)
    if isinstance(condition, sympy.And):
        return all(_holds(c, point, memo) for c in condition.args)
    if isinstance(condition, sympy.Or):
        return any(_holds(c, point, memo) for c in condition.args)
    if isinstance(condition, sympy.Not):
        return not _holds(condition.args[0], point, memo)
    if isinstance(condition, sympy.core.relational.Relational):
        left, right = _value(condition.lhs, point, memo), _value(condition.rhs, point, memo)
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                "==": left == right, "!=": left != right}[condition.rel_op]
    raise _NotReal


def _evaluated(expr: Expr, point: dict):
    values = {s: sympy.Rational(v.numerator, v.denominator) for s, v in point.items()}
    value = expr.evalf(mpmath.mp.dps, subs=values)
    if not value.is_number:
        raise _NotReal
    real, imaginary = value.as_real_imag()
    if not (real.is_Number and (imaginary == 0 or imaginary.is_Number)):
        raise _NotReal
    return mpmath.mpc(real._to_mpmath(mpmath.mp.prec), imaginary._to_mpmath(mpmath.mp.prec))
