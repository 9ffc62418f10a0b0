"""Is an answer equal to the expected expression? Sound (a wrong answer never passes) and kind
(any equal form passes).

Two stages, each bounded in time and size:

1. **Symbolic**: the difference is zero as SymPy builds it, or after a few cheap rewrites
   (multiplying out, one common denominator), each tried only on small expressions — SymPy's
   `simplify` and `equals` can run for minutes and are never called.
2. **Numeric**: both expressions are evaluated with mpmath at 50 significant digits at many
   seeded points inside the domain of both (and of the function differentiated): simple points
   first (1, 2, −1, ½ …, so a counterexample is easy to check by hand), then random points of
   both signs and several sizes, then points just beside the singularities and switching points
   that can be located. A point where either value is undefined or not real is skipped; a
   disagreement is confirmed at 100 digits before it counts. x² and x²(1 + 10⁻⁶) differ at the
   sixth digit, far above the 10⁻³⁰ tolerance.

The verdict is "equal" only when the expressions agree at every usable point and enough points
were usable; "different" comes with a counterexample; otherwise "undetermined" — never a guess.
Expressions are SymPy trees built by calcgrad's parser or engine; `lambdify` compiles those
trees, never user text.
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.errors import LimitError
from calcgrad.engine.functions import DEEP_LEARNING_FUNCTIONS, FUNCTION_TABLE, entry_for, numeric_functions
from calcgrad.engine.tidy import cheap_to_expand
from calcgrad.render.notation import to_ascii

EQUAL, DIFFERENT, UNDETERMINED = "equal", "different", "undetermined"

DIGITS = 50
"""Working precision of the numeric comparison, in significant digits."""

CONFIRM_DIGITS = 100
"""Precision at which a disagreement is confirmed before it counts."""

TOLERANCE = mpmath.mpf(10) ** -30
"""Largest relative difference still counted as equal (the values carry ~50 digits)."""

NICE_VALUES = (Fraction(1), Fraction(2), Fraction(-1), Fraction(1, 2), Fraction(-2), Fraction(3),
               Fraction(-1, 2), Fraction(3, 2), Fraction(-3, 2), Fraction(1, 3))
"""Tried first, in this order, so that a counterexample is one a student can check by hand."""

_SEED = 20240601


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Counterexample:
    """A point where the answer and the expected expression differ, with both values."""

    point: tuple[tuple[Symbol, Expr], ...]
    expected: str
    given: str

    def to_dict(self) -> dict:
        return {"point": {to_ascii(s): to_ascii(v) for s, v in self.point},
                "expected": self.expected, "given": self.given}


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing two expressions.

    `status` is "equal", "different" or "undetermined"; `method` says how it was decided
    ("symbolic", "numeric" or "none"); `points` counts the sample points compared;
    `exceptions` are isolated points where exactly one of the two is defined (a removable
    singularity, say), found by evaluating at located singularities.
    """

    status: str
    method: str
    points: int = 0
    counterexample: Counterexample | None = None
    exceptions: tuple[tuple[tuple[Symbol, Expr], ...], ...] = ()
    reason: str = ""

    def __bool__(self) -> bool:
        return self.status == EQUAL


# --- public entry point -------------------------------------------------------------------


def compare(expected: Expr, given: Expr, symbols=None, *, domain: Expr | None = None,
            seconds: float = limits.COMPARE_SECONDS) -> Comparison:
    """Compare `given` with `expected` as functions of `symbols` (default: all their symbols).

    `domain` is an expression that must be defined (real and finite) at a sample point for the
    point to count, usually the function that was differentiated. Never raises for
    expressions that cannot be evaluated; says "undetermined" instead.
    """
    expected, given = exact_decimals(expected), exact_decimals(given)
    if symbols is None:
        symbols = expected.free_symbols | given.free_symbols
    symbols = tuple(sorted(set(symbols) | expected.free_symbols | given.free_symbols,
                           key=lambda s: s.name))
    for expr in (expected, given):
        if sympy.count_ops(expr, visual=False) > limits.MAX_COMPARE_OPS:
            return Comparison(UNDETERMINED, "none", reason="the expression is too large to compare "
                              f"(more than {limits.MAX_COMPARE_OPS} operations)")
    deadline = time.monotonic() + seconds
    token = None
    try:
        with time_limit(seconds * 2) as token:
            return _compare(expected, given, symbols, domain, deadline)
    except CheckTimeout as error:
        if not owned(error, token):
            raise
        return Comparison(UNDETERMINED, "none",
                          reason=f"the comparison did not finish within {seconds:g} s")
    except (LimitError, RecursionError, MemoryError):
        return Comparison(UNDETERMINED, "none",
                          reason=f"the comparison did not finish within {seconds:g} s")


def _compare(expected, given, symbols, domain, deadline) -> Comparison:
    """Structurally equal → equal; else the numeric verdict; the costlier symbolic rewrites only
    when the numbers cannot decide (they can prove equality, never disprove it)."""
    sampler = Sampler(symbols, domain)
    if expected - given == 0:
        return Comparison(EQUAL, "symbolic", 0, None, sampler.exceptions(expected, given, deadline))
    result = sampler.compare(expected, given, deadline)
    if result.status == DIFFERENT:
        return result
    if result.status == EQUAL:
        return Comparison(EQUAL, "numeric", result.points, None,
                          sampler.exceptions(expected, given, deadline))
    if symbolically_equal(expected, given):
        return Comparison(EQUAL, "symbolic", 0, None, sampler.exceptions(expected, given, deadline))
    return result


def exact_decimals(expr) -> Expr:
    """Decimals as the exact fractions they were written as (0.1 is 1/10, not its binary
    approximation), so that 0.1x passes for x/10 while 0.333x still fails for x/3."""
    expr = sympy.sympify(expr, strict=True)  # never text: that would run the text as code
    floats = expr.atoms(sympy.Float)
    if not floats:
        return expr
    return expr.xreplace({f: sympy.Rational(mpmath.nstr(mpmath.mpf(f._mpf_), 15))
                          for f in floats if f.is_finite})


# --- symbolic stage -----------------------------------------------------------------------


def symbolically_equal(a: Expr, b: Expr) -> bool:
    """True when a − b is zero as built or after cheap, size-guarded rewrites (never a guess)."""
    difference = a - b
    if difference == 0:
        return True
    if sympy.count_ops(difference) > limits.MAX_SYMBOLIC_OPS:
        return False
    difference = _rewrite_activations(difference)
    if _small(difference) and sympy.expand(difference) == 0:
        return True
    numerator, _ = sympy.fraction(sympy.together(difference))
    if numerator == 0:
        return True
    return _small(numerator) and sympy.expand(numerator) == 0


def _rewrite_activations(expr: Expr) -> Expr:
    """σ, softplus, SiLU … written out from their definitions, so that the cheap rewrites can see
    through them (ReLU stays: its definition, a Max, hides nothing)."""
    swaps = {}
    for f in expr.atoms(*DEEP_LEARNING_FUNCTIONS):
        if not entry_for(f.func).special_at_zero:  # ReLU stays: its definition, a Max, hides nothing
            swaps[f] = f.definition(f.args[0])
    return expr.xreplace(swaps) if swaps else expr


def _small(expr: Expr) -> bool:
    return cheap_to_expand(expr)


# --- numeric stage ------------------------------------------------------------------------


_MODULES = [numeric_functions(mpmath), "mpmath"]

_UNDEFINED = sympy.Dummy("undefined")


def numeric_function(symbols, expr: Expr):
    """expr as a function of mpmath numbers; None stands for undefined or not real.

    The tree is compiled into nested Python closures over mpmath (fast to build, no code
    generation); a function outside the table falls back to SymPy's lambdify of the same tree.
    """
    return _numeric_function(tuple(symbols), sympy.sympify(expr, strict=True))


@lru_cache(maxsize=512)
def _numeric_function(symbols: tuple, expr: Expr):
    index = {s: i for i, s in enumerate(symbols)}
    try:
        compiled = _compile(expr, index)
    except _Unsupported:
        compiled = _lambdified(symbols, expr)

    def function(*args):
        try:
            value = mpmath.mpmathify(compiled(args))
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError,
                AttributeError, NotImplementedError, MemoryError, _Undefined):
            return None
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(1, abs(value.real)):
                return None
            value = value.real
        if not mpmath.isfinite(value):
            return None
        return value

    return function


class _Unsupported(Exception):
    """A node the closure compiler has no entry for."""


class _Undefined(Exception):
    """Evaluation reached a value that is undefined (complex infinity, NaN)."""


def _real_only(value):
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(1, abs(value.real)):
            raise _Undefined
        return value.real
    return value


def _compare_values(relation, a, b) -> bool:
    a, b = _real_only(a), _real_only(b)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[relation]


MAX_EXPONENT = mpmath.mpf(10) ** 6
"""exp(t) for |t| beyond this counts as overflow (undefined): e^(10⁶) dwarfs any sensible value,
and mpmath would try to build numbers with astronomically many bits for much larger t."""


def _guarded(function):
    """An exponential-type function that refuses arguments whose result would not fit."""

    def guarded(t):
        if abs(t) > MAX_EXPONENT:
            raise _Undefined
        return function(t)

    return guarded


def _power(base, exponent):
    if exponent != 0 and base != 0 and abs(exponent) * abs(mpmath.log(abs(base))) > MAX_EXPONENT:
        raise _Undefined
    return mpmath.power(base, exponent)


def _integer_power(base, n: int):
    if base != 0 and abs(n) * abs(mpmath.log(abs(base))) > MAX_EXPONENT:
        raise _Undefined
    return base ** n


def _table_function(entry):
    """An entry's mpmath value on real arguments (a complex argument is undefined), guarded
    against overflow for exponential-type functions."""

    def function(*args):
        return entry.value(mpmath, *(_real_only(a) for a in args))

    return _guarded(function) if entry.grows_exponentially else function


_FUNCTIONS = {entry.func: _table_function(entry) for entry in FUNCTION_TABLE
              if entry.func is not None and entry.value is not None}
"""mpmath values of every table function, on real arguments (from the function table)."""

_CONSTANTS = {sympy.pi: lambda: +mpmath.pi, sympy.E: lambda: +mpmath.e,
              sympy.EulerGamma: lambda: +mpmath.euler}


def _compile(expr, index: dict):
    """A closure computing expr from a tuple of argument values."""
    if expr.is_Symbol:
        if expr not in index:
            raise _Unsupported(expr)
        i = index[expr]
        return lambda args: args[i]
    if expr.is_Integer:
        value = int(expr)
        return lambda args: mpmath.mpf(value)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda args: mpmath.mpf(p) / q
    if expr.is_Float:
        mpf_value = expr._mpf_
        return lambda args: mpmath.mpf(mpf_value)
    if expr in _CONSTANTS:
        return lambda args, c=_CONSTANTS[expr]: c()
    if expr in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        def undefined(args):
            raise _Undefined
        return undefined
    parts = [_compile(a, index) for a in expr.args] if not expr.is_Piecewise else None
    if expr.is_Add:
        return lambda args: mpmath.fsum(part(args) for part in parts)
    if expr.is_Mul:
        def product(args):
            value = parts[0](args)
            for part in parts[1:]:
                value = value * part(args)
            return value
        return product
    if expr.is_Pow:
        base, exponent = parts
        if expr.exp.is_Integer:
            n = int(expr.exp)
            return lambda args: _integer_power(base(args), n)
        if expr.exp == sympy.S.Half:
            return lambda args: mpmath.sqrt(base(args))
        return lambda args: _power(base(args), exponent(args))
    if expr.is_Piecewise:
        pieces = [(_compile(e, index), _compile_condition(c, index)) for e, c in expr.args]

        def piecewise(args):
            for value, condition in pieces:
                if condition(args):
                    return value(args)
            raise _Undefined
        return piecewise
    function = _FUNCTIONS.get(expr.func)
    if function is None:
        raise _Unsupported(expr.func)
    return lambda args: function(*(part(args) for part in parts))


def _compile_condition(condition, index: dict):
    if condition is sympy.true:
        return lambda args: True
    if condition is sympy.false:
        return lambda args: False
    if isinstance(condition, sympy.core.relational.Relational):
        lhs, rhs = _compile(condition.lhs, index), _compile(condition.rhs, index)
        op = condition.rel_op
        return lambda args: _compare_values(op, lhs(args), rhs(args))
    if isinstance(condition, (sympy.And, sympy.Or, sympy.Not)):
        parts = [_compile_condition(c, index) for c in condition.args]
        if isinstance(condition, sympy.And):
            return lambda args: all(p(args) for p in parts)
        if isinstance(condition, sympy.Or):
            return lambda args: any(p(args) for p in parts)
        return lambda args: not parts[0](args)
    raise _Unsupported(condition)


def _lambdified(symbols, expr):
    """SymPy's lambdify for mpmath, for the rare function the closure compiler lacks."""
    marked = expr.xreplace({sympy.zoo: _UNDEFINED, sympy.nan: _UNDEFINED})
    try:
        compiled = sympy.lambdify((*symbols, _UNDEFINED), marked, modules=_MODULES)
        return lambda args: compiled(*args, mpmath.nan)
    except Exception:  # the printer met something it cannot print: SymPy's own evaluation
        def evaluated(args):
            values = {s: sympy.Float(mpmath.nstr(a, mpmath.mp.dps), mpmath.mp.dps)
                      for s, a in zip(symbols, args)}
            value = expr.xreplace(values).evalf(mpmath.mp.dps)
            real, imag = value.as_real_imag()
            return mpmath.mpc(mpmath.mpf(str(real)), mpmath.mpf(str(imag)))
        return evaluated


def values_differ(a, b) -> bool:
    """True when two mpmath values differ by more than the relative tolerance."""
    scale = max(abs(a), abs(b))
    return abs(a - b) > TOLERANCE * scale and abs(a - b) > mpmath.mpf(10) ** -(DIGITS - 5)


@dataclass
class Sampler:
    """Seeded sample points for some symbols, restricted to where `domain` is defined."""

    symbols: tuple[Symbol, ...]
    domain: Expr | None = None
    wanted: int = 12
    """Agreeing points needed before two expressions count as equal."""
    minimum: int = 6
    """Fewest usable points for any verdict of equality (else undetermined)."""
    _domain_function: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.domain is not None:
            self._domain_function = numeric_function(self.symbols, self.domain)

    def points_nice(self) -> list:
        return list(sample_points(len(self.symbols))[:len(NICE_VALUES)])

    def points(self):
        """Nice points, then seeded random ones of both signs and several sizes."""
        return iter(sample_points(len(self.symbols)))

    def in_domain(self, args) -> bool:
        return self._domain_function is None or self._domain_function(*args) is not None

    def compare(self, expected: Expr, given: Expr, deadline: float) -> Comparison:
        f_expected = numeric_function(self.symbols, expected)
        f_given = numeric_function(self.symbols, given)
        first = [*self.points_nice(), *self._near_singularities(expected, given)]
        candidates = first + list(self.points())[len(NICE_VALUES):]
        agreed = 0
        for index, point in enumerate(candidates):
            if time.monotonic() > deadline:
                return Comparison(UNDETERMINED, "numeric", agreed,
                                  reason="the numeric comparison ran out of time after "
                                  f"{agreed} agreeing points")
            with mpmath.workdps(DIGITS):
                args = [mpmath.mpf(p.numerator) / p.denominator for p in point]
                if not self.in_domain(args):
                    continue
                a, b = f_expected(*args), f_given(*args)
            if a is None or b is None:
                continue
            if values_differ(a, b) and self._confirmed(f_expected, f_given, point):
                return Comparison(DIFFERENT, "numeric", agreed + 1,
                                  self._counterexample(point, a, b))
            agreed += 1
            if agreed >= self.wanted and index >= len(first):
                break
        if agreed < self.minimum:
            return Comparison(UNDETERMINED, "numeric", agreed,
                              reason=f"only {agreed} sample points were inside the domain of "
                              "both expressions; too few to decide")
        return Comparison(EQUAL, "numeric", agreed)

    def _confirmed(self, f_expected, f_given, point) -> bool:
        with mpmath.workdps(CONFIRM_DIGITS):
            args = [mpmath.mpf(p.numerator) / p.denominator for p in point]
            a, b = f_expected(*args), f_given(*args)
            return a is not None and b is not None and values_differ(a, b)

    def _counterexample(self, point, a, b) -> Counterexample:
        coordinates = tuple((s, sympy.Rational(p.numerator, p.denominator))
                            for s, p in zip(self.symbols, point))
        return Counterexample(coordinates, _decimal(a, b), _decimal(b, a))

    def _near_singularities(self, expected, given) -> list:
        """Points just beside located singularities and switching points (one variable only)."""
        if len(self.symbols) != 1:
            return []
        near = []
        for root in _special_points(self.symbols[0], expected, given):
            for offset in (Fraction(1, 1000), Fraction(1, 10**7)):
                near += [(root + offset,), (root - offset,)]
        return near

    def exceptions(self, expected, given, deadline) -> tuple:
        """Located points where exactly one of the two is defined (the expected one counting as
        defined only where the domain expression is too)."""
        if len(self.symbols) != 1:
            return ()
        f_expected = numeric_function(self.symbols, expected)
        f_given = numeric_function(self.symbols, given)
        extra = (self.domain,) if self.domain is not None else ()
        found = []
        for root in _special_points(self.symbols[0], expected, given, *extra):  # cached
            if time.monotonic() > deadline:
                break
            with mpmath.workdps(DIGITS):
                args = [mpmath.mpf(root.numerator) / root.denominator]
                defined = (f_expected(*args) is not None and self.in_domain(args),
                           f_given(*args) is not None)
            if defined[0] != defined[1]:
                found.append(((self.symbols[0], sympy.Rational(root.numerator, root.denominator)),))
        return tuple(found)


@lru_cache(maxsize=16)
def sample_points(n: int) -> tuple:
    """The sample points for n variables: nice ones first, then seeded random ones."""
    nice = [tuple(NICE_VALUES[(i + 3 * k) % len(NICE_VALUES)] for k in range(n))
            for i in range(len(NICE_VALUES))]
    rng = random.Random(_SEED + n)
    drawn = [tuple(_random_value(rng, scale) for _ in range(n))
             for scale in (1, 4, 1, 20, 0.1, 4, 1, 100, 0.01, 1000) for _ in range(4)]
    return tuple(nice + drawn)


def _random_value(rng: random.Random, scale: float) -> Fraction:
    magnitude = Fraction(rng.uniform(0.05, 1.0) * scale).limit_denominator(1000)
    if magnitude == 0:
        magnitude = Fraction(1, 1000)
    return magnitude if rng.random() < 0.5 else -magnitude


def _decimal(value, other=None) -> str:
    """value to 15 significant digits, or more when needed to tell it apart from `other`."""
    for digits in (15, 25, 40):
        text = _nstr(value, digits)
        if other is None or text != _nstr(other, digits):
            return text
    return text


def _nstr(value, digits: int) -> str:
    text = mpmath.nstr(value, digits, min_fixed=-6, max_fixed=digits)
    return text[:-2] if text.endswith(".0") else text


_SPECIAL_AT_ZERO = {entry.func: True for entry in FUNCTION_TABLE
                    if entry.func is not None and entry.special_at_zero}
"""Functions whose argument's zero is a kink, a jump or a domain edge (from the function table)."""


@lru_cache(maxsize=512)
def _special_points(x: Symbol, *exprs: Expr) -> list[Fraction]:
    """Rational real roots of the denominators, log arguments and switching conditions.

    Only polynomial candidates of low degree are solved (exactly, with their rational roots);
    anything else is left to the random points.
    """
    candidates: set[Expr] = set()
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            if node.is_Pow and node.exp.is_negative:
                candidates.add(node.base)
            elif _SPECIAL_AT_ZERO.get(node.func, False):
                candidates.add(node.args[0])
            elif isinstance(node, sympy.core.relational.Relational):
                candidates.add(node.lhs - node.rhs)
            if len(candidates) > limits.MAX_SPECIAL_CANDIDATES:
                break
    roots: set[Fraction] = set()
    for candidate in candidates:
        if not candidate.has(x) or not candidate.is_polynomial(x):
            continue
        try:
            poly = sympy.Poly(candidate, x)
        except sympy.PolynomialError:
            continue
        if poly.degree() > 4 or not all(c.is_Rational for c in poly.all_coeffs()):
            continue
        for root in sympy.roots(poly, filter="Q") if poly.degree() > 0 else ():
            if root.is_Rational and abs(root) < 10**6:
                roots.add(Fraction(int(root.p), int(root.q)))
    return sorted(roots)


# --- a time limit that interrupts pure-Python work ----------------------------------------


class CheckTimeout(LimitError):
    """A time limit set by `time_limit` ran out; `token` says which one."""

    def __init__(self, message: str, token: object):
        super().__init__(message)
        self.token = token


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise CheckTimeout if the block runs longer than `seconds`.

    Uses a timer signal, so only in the main thread and only when no other limit is running
    (an outer limit already bounds the block); yields a token that the raised error carries,
    or None when no timer was set, so a caller can tell its own timeout from an outer one.
    """
    usable = (threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield None
        return
    token = object()

    def expire(signum, frame):
        raise CheckTimeout(f"this check took longer than {seconds:g} s", token)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield token
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def owned(error: CheckTimeout, token) -> bool:
    """True when the timeout is the one this caller set (not an outer limit's)."""
    return token is not None and error.token is token
