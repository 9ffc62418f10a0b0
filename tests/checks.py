"""Numeric comparison of expressions, independent of the code under test.

Two expressions count as equal when, at every sample point where both (and the function they
came from) are real and finite, their values agree to high precision. Evaluation uses mpmath
through SymPy's lambdify on expressions the tests build themselves, never on user text.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

import mpmath
import sympy

from calcgrad.engine.functions import relu, sigmoid, softplus

SAMPLES = (-2.37, -1.31, -0.58, 0.29, 0.83, 1.47, 2.71)
_MODULES = [{
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "relu": lambda t: t if t > 0 else mpmath.mpf(0),
    "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)),
    "gelu": lambda t: t * (1 + mpmath.erf(t / mpmath.sqrt(2))) / 2,
    "silu": lambda t: t / (1 + mpmath.exp(-t)),
    "Heaviside": lambda t, h0=mpmath.mpf(0.5): mpmath.mpf(1) if t > 0 else (mpmath.mpf(0) if t < 0 else h0),
    "sign": lambda t: mpmath.sign(t),
}, "mpmath"]


class _TooSlow(Exception):
    """Evaluating at a point took too long or too much memory (exp of a huge number)."""


@contextmanager
def _time_limit(seconds: float):
    def stop(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _value(function, args, digits: int = 40):
    """The real, finite value of function at args, else None; _TooSlow past half a second."""
    try:
        with _time_limit(0.5), mpmath.workdps(digits):
            value = function(*(mpmath.mpf(a) for a in args))
            value = mpmath.mpmathify(value)
    except MemoryError:  # exp of an enormous number: mpmath asks for ln 2 to as many bits
        raise _TooSlow from None
    except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** -25 * max(1, abs(value.real)):
            return None
        value = value.real
    if not mpmath.isfinite(value):
        return None
    return value


_UNDEFINED = sympy.Dummy("undefined")


def _function(symbols, expr):
    """A numeric function of the symbols in which complex infinity and NaN evaluate as NaN.

    They enter as an extra argument rather than as SymPy's own nan, which SymPy cannot sort
    inside a product and lambdify cannot print for mpmath.
    """
    expr = sympy.sympify(expr)
    undefined = expr.xreplace({sympy.zoo: _UNDEFINED, sympy.nan: _UNDEFINED})
    try:
        function = sympy.lambdify((*symbols, _UNDEFINED), undefined, modules=_MODULES)
    except (KeyError, TypeError):  # the printer itself met 1/0, as in asec(0) = acos(1/0)
        return lambda *args: _evaluated(expr, symbols, args)
    return lambda *args: function(*args, mpmath.nan)


def _evaluated(expr, symbols, args):
    """The value of expr at args by SymPy's own evaluation: slower, for what lambdify cannot print."""
    digits = mpmath.mp.dps
    value = expr.xreplace({s: sympy.Float(a, digits) for s, a in zip(symbols, args)}).evalf(digits)
    real, imag = (mpmath.mpf(str(part)) for part in value.as_real_imag())
    return mpmath.mpc(real, imag)


def _points(symbols, count):
    symbols = list(symbols)
    for i in range(count):
        yield [SAMPLES[(i + 3 * k) % len(SAMPLES)] * (1 + 0.1 * k) for k in range(len(symbols))]


def agree(a, b, symbols, *, domain=None, count: int = 7, tolerance: float = 1e-15) -> tuple[bool, int]:
    """(whether a and b agree at every usable sample point, how many points were usable)."""
    symbols = tuple(symbols)
    fa, fb = _function(symbols, a), _function(symbols, b)
    fd = _function(symbols, domain) if domain is not None else None
    inner = [_function(symbols, part) for part in _real_parts(domain)] if domain is not None else []
    usable = 0
    for point in _points(symbols, count):
        try:
            if fd is not None and _value(fd, point) is None:
                continue
            if any(_value(f, point) is None for f in inner):
                continue  # √x·acsch(√x) at x < 0 is real, but √x is not: outside the real domain
            va, vb = _value(fa, point), _value(fb, point)
        except _TooSlow:  # a point nobody can evaluate in time tells nothing either way
            continue
        if va is None and vb is None:
            continue
        if va is None or vb is None:
            if fd is None:
                continue
            return False, usable
        if _differ(va, vb, tolerance):
            try:
                sharper = _value(fa, point, 80), _value(fb, point, 80)
            except _TooSlow:
                continue
            if None in sharper or _differ(va, sharper[0], tolerance) or _differ(vb, sharper[1], tolerance):
                continue  # ill-conditioned here (x^(2^143)): 40 digits do not settle the value
            if _differ(*sharper, tolerance):
                return False, usable
        usable += 1
    return True, usable


def _real_parts(expr) -> list:
    """The even roots and logarithms inside expr: over the reals each must itself be real."""
    return [node for node in sympy.preorder_traversal(expr)
            if (node.is_Pow and node.exp.is_Rational and node.exp.q % 2 == 0)
            or isinstance(node, sympy.log)]


def _differ(u, v, tolerance: float) -> bool:
    return abs(u - v) > tolerance * max(1, abs(u), abs(v))


__all__ = ["agree", "relu", "sigmoid", "softplus"]
