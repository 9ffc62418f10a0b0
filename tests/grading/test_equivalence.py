"""Tests for calcgrad.grading.equivalence: equal forms pass, near misses fail, undecidable cases say so."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings

from calcgrad import limits
from calcgrad.grading.equivalence import (
    DIFFERENT,
    EQUAL,
    UNDETERMINED,
    compare,
    exact_decimals,
    numeric_function,
    symbolically_equal,
    time_limit,
)
from calcgrad.read.parser import parse
from tests.strategies import expressions, x

EQUAL_FORMS = [
    ("sin 2x", "2 sin x cos x", None),
    ("sigma(x)(1 - sigma(x))", "e^-x/(1 + e^-x)^2", None),
    ("sign(x)/|x|", "1/x", "ln|x|"),
    ("1/x", "1/x", "ln|x|"),
    ("1/x", "1/|x|", "ln x"),
    ("2x + 3y", "3y + 2x", None),
    ("1/(2 sqrt x)", "0.5 x^-0.5", "sqrt x"),
    ("x/10", "0.1x", None),
    ("sec^2 x", "1 + tan^2 x", None),
    ("cos^2 x - sin^2 x", "cos 2x", None),
    ("e^(2x)", "(e^x)^2", None),
    ("2x e^(x^2)", "2 x exp(x^2)", None),
    ("1/(x ln 2)", "log_2(e)/x", "log_2 x"),
    ("-1/(x+1)^2", "-1/(x^2 + 2x + 1)", None),
    ("(x - 1)/x^2", "1/x - 1/x^2", None),
    ("cosh x", "(e^x + e^-x)/2", None),
    ("step(x)", "Heaviside(x, 0)", "relu(x)"),
    ("2(x+1)", "2x+2", None),
    ("x^2 y cos(x y^2)", "x^2 y cos(y^2 x)", None),
]


@pytest.mark.parametrize("expected, given, domain", EQUAL_FORMS, ids=[f"{a} = {b}" for a, b, _ in EQUAL_FORMS])
def test_equal_forms_are_equal(expected: str, given: str, domain: str | None) -> None:
    """Every equal form of the same function passes."""
    result = compare(parse(expected), parse(given), domain=parse(domain) if domain else None)
    assert EQUAL == result.status, result


NEAR_MISSES = [
    ("x^2", "x^2(1 + 10^-6)"),
    ("x^2", "x^2 + 10^-20"),
    ("sin 2x", "2 sin x cos x + 10^-12 x"),
    ("1/x", "1/|x|"),
    ("x/3", "0.333x"),
    ("sigma(x)(1 - sigma(x))", "sigma(x)(1 + sigma(x))"),
    ("2x + 3y", "2x + 3.0000001y"),
    ("e^x", "e^(x + 10^-15)"),
    ("cos x", "cos(x + 2 pi 10^-9)"),
    ("x^2", "x^2 + Heaviside(x - 3/4, 0)"),
]


@pytest.mark.parametrize("expected, given", NEAR_MISSES, ids=[f"{a} ≠ {b}" for a, b in NEAR_MISSES])
def test_near_misses_differ(expected: str, given: str) -> None:
    """An expression that differs anywhere, however slightly, is told apart with a counterexample."""
    result = compare(parse(expected), parse(given))
    assert DIFFERENT == result.status, result
    assert result.counterexample is not None
    assert result.counterexample.expected != result.counterexample.given


def test_counterexample_is_a_simple_point() -> None:
    """The first point tried is x = 1, so the counterexample can be checked by hand."""
    result = compare(parse("2x"), parse("x^2"), domain=parse("x^2"))
    assert DIFFERENT == result.status
    assert ((x, sympy.Integer(1)),) == result.counterexample.point
    assert ("2", "1") == (result.counterexample.expected, result.counterexample.given)


def test_domain_restricts_points() -> None:
    """1/x and 1/|x| agree where ln x is defined, so as derivatives of ln x both are right."""
    assert EQUAL == compare(parse("1/x"), parse("1/|x|"), domain=parse("ln x")).status
    assert DIFFERENT == compare(parse("1/x"), parse("1/|x|"), domain=parse("ln |x|")).status


def test_removable_singularity_is_reported() -> None:
    """x + 1 equals (x² − 1)/(x − 1) except at x = 1, where only x + 1 is defined."""
    result = compare(parse("(x^2 - 1)/(x - 1)"), parse("x + 1"))
    assert EQUAL == result.status
    assert (((x, sympy.Integer(1)),),) == result.exceptions


def test_narrow_domain_is_undetermined() -> None:
    """With no sample point inside the domain, the answer is undetermined, never a guess."""
    result = compare(parse("sqrt(x - 10^7)"), parse("sqrt(x - 10^7) + 1"))
    assert UNDETERMINED == result.status
    assert "too few" in result.reason


def test_nowhere_defined_answer_is_undetermined() -> None:
    """An answer that is undefined everywhere cannot be compared."""
    assert UNDETERMINED == compare(parse("2x"), parse("ln(-x^2 - 1)")).status


def test_too_large_is_undetermined() -> None:
    """Expressions over the size limit are not compared at all."""
    huge = sympy.Add(*[sympy.sin(k * x) for k in range(1, limits.MAX_COMPARE_OPS)])
    result = compare(huge, huge + 1)
    assert UNDETERMINED == result.status
    assert "too large" in result.reason


def test_symbolic_stage_is_exact() -> None:
    """Equal after multiplying out is proved; a different expression is never called equal."""
    assert symbolically_equal(parse("(x+1)^2"), parse("x^2 + 2x + 1"))
    assert not symbolically_equal(parse("(x+1)^2"), parse("x^2 + 2x + 1.0000001"))


def test_exact_decimals() -> None:
    """Decimals mean the fractions they were written as."""
    assert parse("x/10 + 1/400") == exact_decimals(parse("0.1x + 2.5e-3"))
    assert parse("333x/1000") == exact_decimals(parse("0.333x"))


def test_time_limit_interrupts() -> None:
    """A block that runs too long is interrupted with DeadlineExceeded, which no ValueError
    handler can swallow."""
    from calcgrad.deadline import DeadlineExceeded

    assert not issubclass(DeadlineExceeded, Exception)
    with pytest.raises(DeadlineExceeded):
        with time_limit(0.05):
            while True:
                pass


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_other_forms_never_differ_and_perturbations_never_pass(expr) -> None:
    """For generated expressions, an expanded form never differs and a perturbed one never passes."""
    if sympy.count_ops(expr) > 60:
        return
    other = sympy.factor_terms(expr)
    assert DIFFERENT != compare(expr, other, domain=expr).status
    perturbed = expr + sympy.Rational(1, 10**9) * (x**2 + 1)
    assert EQUAL != compare(expr, perturbed, domain=expr).status


def test_astronomical_values_are_skipped_not_exhausting_memory() -> None:
    """exp(cosh(cosh(x⁴ + y))) overflows any sensible size at most points: those points are
    skipped (undefined) instead of mpmath building numbers with 10²³ bits."""
    y = sympy.Symbol("y", real=True)
    f = sympy.exp(sympy.cosh(sympy.cosh(x**4 + y))) / 17
    derivative = sympy.diff(f, x)
    assert EQUAL == compare(derivative, sympy.factor_terms(derivative), domain=f).status
    assert DIFFERENT == compare(derivative, 2 * derivative, domain=f).status


@pytest.mark.parametrize("function", [exact_decimals, lambda text: numeric_function((), text)],
                         ids=["exact_decimals", "numeric_function"])
def test_text_is_refused_not_run(function) -> None:
    """Text never reaches SymPy's string parser here (it would run it as code): it is refused."""
    with pytest.raises(sympy.SympifyError):
        function("__import__('os').getpid()")
