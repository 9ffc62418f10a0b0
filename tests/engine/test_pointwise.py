"""Tests for calcgrad/engine/pointwise.py: a value only where the function and derivative exist."""

from __future__ import annotations

import json

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import calcgrad
from calcgrad.engine.functions import numeric_functions
from calcgrad.engine.pointwise import real_roots
from calcgrad.errors import CalcgradError
from tests.strategies import expressions

NOT_DEFINED = [
    ("ln x", "x=-1", "outside_domain"),
    ("arctanh x", "x=2", "outside_domain"),
    ("ln(sin x)", "x=-pi/2", "outside_domain"),
    ("sqrt(x)", "x=-4", "outside_domain"),
    ("arcsin x", "x=2", "outside_domain"),
    ("(x^2-1)/(x-1)", "x=1", "removable_hole"),
    ("sin(x)/x", "x=0", "removable_hole"),
    ("1/x", "x=0", "outside_domain"),
    ("|x|", "x=0", "corner"),
    ("Piecewise((x^2, x > 0), (x, True))", "x=0", "corner"),
    ("Piecewise((x^2 + 1, x > 0), (x, True))", "x=0", "jump"),
    ("sqrt(x)", "x=0", "infinite_slope"),
    ("cbrt(x)", "x=0", "infinite_slope"),
    ("|x - 2| + x^2", "x=2", "corner"),
]


@pytest.mark.parametrize("expression,at,code", NOT_DEFINED, ids=[f"{e} at {a}" for e, a, _ in NOT_DEFINED])
def test_no_value_where_there_is_no_derivative(expression: str, at: str, code: str) -> None:
    """Where the function or its derivative does not exist, no value is given, and the reason is named."""
    derivation = calcgrad.diff(expression, at=at)
    step = derivation.steps[-1]
    assert (False, code) == (step.exists, step.status.code)
    data = derivation.to_dict()
    assert data["value"] is None
    assert code == data["value_status"]["code"]
    assert step.status.message


def test_corner_gives_both_one_sided_slopes() -> None:
    """At the corner of |x| the slopes from the left (−1) and right (1) are both given."""
    status = calcgrad.diff("|x|", at="x=0").steps[-1].status
    assert (-1, 1) == (status.left, status.right)
    data = calcgrad.diff("|x|", at="x=0").to_dict()["value_status"]
    assert ("-1", "1") == (data["left"], data["right"])


REAL_ROOTS = [
    ("cbrt(x)", "x=-8", sympy.Rational(1, 12)),
    ("x^(1/3)", "x=-8", sympy.Rational(1, 12)),
    ("x^(2/3)", "x=-8", sympy.Rational(-1, 3)),
    ("x^(5/3)", "x=-8", sympy.Rational(20, 3)),
    ("x|x|", "x=0", 0),
    ("|x^3|", "x=0", 0),
    ("x^2", "x=3", 6),
    # f′ oscillates near 0 (cos(1/x) has no limit) but the difference quotient h·sin(1/h) → 0
    ("Piecewise((x^2 sin(1/x), x > 0), (0, True))", "x=0", 0),
]


@pytest.mark.parametrize("expression,at,value", REAL_ROOTS, ids=[f"{e} at {a}" for e, a, _ in REAL_ROOTS])
def test_values_where_the_derivative_exists(expression: str, at: str, value) -> None:
    """Odd roots of negatives are real, and a kink with equal one-sided slopes has a value, without warning."""
    derivation = calcgrad.diff(expression, at=at)
    assert value == derivation.value
    assert ("ok", "") == (derivation.steps[-1].status.code, derivation.steps[-1].status.message)


@pytest.mark.parametrize("spelling", ["relu(x)", "Max(0, x)", "Max(x, 0)"])
def test_relu_convention_at_zero(spelling: str) -> None:
    """ReLU′(0) is 0 by the deep-learning convention, said once, for every spelling of ReLU."""
    step = calcgrad.diff(spelling, at="x=0").steps[-1]
    assert (0, "convention") == (step.result, step.status.code)


def test_second_derivative_of_abs_at_zero_does_not_exist() -> None:
    """|x|″ at 0: the first derivative sign(x) jumps there."""
    step = calcgrad.diff("|x|", order=2, at="x=0").steps[-1]
    assert (False, "jump") == (step.exists, step.status.code)


def test_partial_derivative_kink_in_one_variable() -> None:
    """∂/∂x |x| y at x = 0 is a corner in x, with y held at 2."""
    status = calcgrad.diff("|x| y", "x", at="x=0, y=2").steps[-1].status
    assert ("corner", -2, 2) == (status.code, status.left, status.right)


def test_real_roots_rewrite_only_odd_roots() -> None:
    """∛(−8) = −2 after the rewrite; √ stays a principal (even) root."""
    x = sympy.Symbol("x", real=True)
    assert -2 == real_roots(x ** sympy.Rational(1, 3)).subs(x, -8)
    assert x ** sympy.Rational(1, 2) == real_roots(x ** sympy.Rational(1, 2))


def _slope(f, a: float, side: int) -> float:
    """One-sided numeric slope of f at a, at 50 digits."""
    with mpmath.workdps(50):
        h = mpmath.mpf(10) ** -20
        return float((f(a + side * h) - f(a)) / (side * h))


KINKED = ["|x - a|", "|x^2 - a^2|", "x|x - a|", "|x - a|^3", "relu(x - a) + x"]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KINKED), st.integers(-3, 3), st.integers(-6, 6))
def test_does_not_exist_exactly_where_one_sided_slopes_disagree(template: str, a: int, at: int) -> None:
    """A value is given exactly where numerical one-sided slopes agree (ReLU's kink by convention)."""
    text = template.replace("a", f"({a})")
    x = sympy.Symbol("x", real=True)
    f = sympy.lambdify(x, calcgrad.parse(text).rewrite(sympy.Max), "mpmath")
    derivation = calcgrad.diff(text, at=f"x={at}")
    left, right = _slope(f, at, -1), _slope(f, at, 1)
    agree = abs(left - right) < 1e-9
    step = derivation.steps[-1]
    if step.status.code == "convention":
        assert "relu" in template
    else:
        assert agree == step.exists
    if step.exists and agree:
        assert float(derivation.value) == pytest.approx(right, abs=1e-9)


def test_json_value_null_reads_as_no_value() -> None:
    """JSON carries null, not the text 'nan', where the value does not exist."""
    text = calcgrad.diff("ln x", at="x=-1").to_dict()
    assert None is json.loads(json.dumps(text))["value"]


def _real_function(expr):
    """expr as an mpmath function of x, odd roots real, ReLU as max(0, u)."""
    x = sympy.Symbol("x", real=True)
    return sympy.lambdify(x, real_roots(expr), [numeric_functions(mpmath), "mpmath"])


def _numeric_slopes(f, a) -> tuple | None:
    """(f(a), left slope, right slope) at 60 digits, or None when f(a) is not a finite real."""
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -25
        try:
            here = f(a)
            left, right = (here - f(a - h)) / h, (f(a + h) - here) / h
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        values = (here, left, right)
        if any(isinstance(v, mpmath.mpc) and abs(v.imag) > 1e-30 for v in values):
            return None
        values = tuple(mpmath.re(v) for v in values)
        if not all(mpmath.isfinite(v) for v in values):
            return None
        return values


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions, st.sampled_from([sympy.Rational(k, 2) for k in range(-6, 7)]))
def test_values_agree_with_numerical_slopes(expr, a) -> None:
    """Wherever a value is given it matches high-precision one-sided slopes; a corner never gets one."""
    x, y = sympy.symbols("x y", real=True)
    expr = expr.subs(y, sympy.Rational(3, 2))
    assume(expr.has(x) and not expr.has(sympy.Heaviside))
    try:
        derivation = calcgrad.diff(expr, x, at={"x": a})
    except CalcgradError:
        return
    step = derivation.steps[-1]
    numeric = _numeric_slopes(_real_function(expr), mpmath.mpf(a.p) / a.q)
    if numeric is None:
        return  # not defined near the point over the reals (or too large to evaluate)
    _, left, right = numeric
    scale = 1 + abs(left) + abs(right)
    if abs(left - right) > 1e-6 * scale and step.status.code != "convention":
        assert not step.exists, f"{expr} at x = {a}: one-sided slopes {left}, {right}"
    elif step.exists and abs(left - right) < 1e-12 * scale:
        assert abs(mpmath.mpf(str(sympy.N(derivation.value, 40))) - right) < 1e-8 * scale


def test_an_oscillating_difference_quotient_has_no_derivative() -> None:
    """x·sin(1/x) (0 at 0) is continuous at 0, but sin(1/h) has no limit: no derivative."""
    derivation = calcgrad.diff("Piecewise((x sin(1/x), x > 0), (0, True))", at="x=0")
    assert derivation.value is None or derivation.value is sympy.nan
    assert "ok" != derivation.steps[-1].status.code
