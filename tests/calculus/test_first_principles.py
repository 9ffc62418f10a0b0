"""Tests for the derivative from first principles (calcgrad.calculus.first_principles)."""

from __future__ import annotations

import json

import mpmath
import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings

from calcgrad import LimitError, UsageError
from calcgrad.cli import main
from calcgrad.calculus.first_principles import first_principles
from calcgrad.read.parser import parse
from tests.checks import agree
from tests.strategies import (
    polynomials,
    rational_functions,
    square_roots,
    standard_limit_sums,
    x,
    y,
)

h = sympy.Symbol("h", real=True)


def equals_sympy_diff(expr) -> bool:
    """The first-principles result equals sympy.diff exactly (after cancelling)."""
    fp = first_principles(expr, wrt="x")
    difference = fp.result - sympy.diff(expr, x)
    expanded = sympy.expand(difference)
    return expanded == 0 or sympy.cancel(sympy.together(expanded)) == 0


def forms_equal_quotient(fp) -> bool:
    """Every form under the limit equals the difference quotient itself (the steps are honest)."""
    f = fp.expression
    quotient = (f.subs(x, x + h) - f) / h
    for step in fp.steps:
        if step.under_limit:
            for form in step.forms:
                same, usable = agree(form, quotient, (x, h, y), tolerance=1e-20)
                if not same:
                    return False
    return True


# --- the routes, checked against SymPy's own diff ------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(polynomials())
def test_polynomials_match_sympy(expr) -> None:
    """Any polynomial goes by expand-and-cancel and ends at sympy.diff."""
    fp = first_principles(expr, wrt="x")
    assert "polynomial" == fp.route
    assert equals_sympy_diff(expr)
    assert fp.agrees


@pytest.mark.slow  # each route also has explicit cases in test_steps_are_equal_forms
@settings(max_examples=20, deadline=None)
@given(rational_functions())
def test_rational_functions_match_sympy(expr) -> None:
    """A rational function goes by a common denominator and ends at sympy.diff."""
    fp = first_principles(expr, wrt="x")
    assert fp.route in ("rational", "polynomial")  # P/Q may cancel to a polynomial
    assert equals_sympy_diff(expr)
    assert fp.agrees


@pytest.mark.slow  # each route also has explicit cases in test_steps_are_equal_forms
@settings(max_examples=15, deadline=None)
@given(square_roots())
def test_square_roots_match_sympy(expr) -> None:
    """c·√P goes by the conjugate and ends at sympy.diff."""
    fp = first_principles(expr, wrt="x")
    assert "root" == fp.route
    assert equals_sympy_diff(expr)
    assert fp.agrees


@pytest.mark.slow  # each route also has explicit cases in test_steps_are_equal_forms
@settings(max_examples=20, deadline=None)
@given(standard_limit_sums())
def test_standard_limit_sums_match_sympy(expr) -> None:
    """Sums of eˣ, sin, cos terms with a polynomial go by the standard limits to sympy.diff."""
    fp = first_principles(expr, wrt="x")
    assert "standard_limits" == fp.route
    assert equals_sympy_diff(expr)
    assert fp.agrees


@settings(max_examples=15, deadline=None)
@given(polynomials(max_degree=3))
def test_polynomial_steps_are_equal_forms(expr) -> None:
    """Every rewritten quotient equals the difference quotient at sample points."""
    assert forms_equal_quotient(first_principles(expr, wrt="x"))


@pytest.mark.parametrize("text", ["1/x", "(x+1)/(x-1)", "x + 1/x", "sqrt(x)", "3sqrt(x^2+1)",
                                  "sin x", "cos x", "e^x", "3 sin x + x^2 - 2e^x", "cos(3x + 1)"])
def test_steps_are_equal_forms(text: str) -> None:
    """Each form of each named route equals the difference quotient."""
    assert forms_equal_quotient(first_principles(text))


# --- the steps say what they do -------------------------------------------------------------------


def test_polynomial_steps_are_named() -> None:
    """x² shows substitution, expansion, cancellation of h and the limit, in that order."""
    fp = first_principles("x^2")
    assert ["substitute", "expand", "cancel", "limit"] == [s.rule for s in fp.steps]
    assert 2 * x == fp.result


@pytest.mark.parametrize("text, limits", [
    pytest.param("sin x", {"sin h / h → 1", "(cos h − 1)/h → 0"}, id="sin"),
    pytest.param("cos x", {"sin h / h → 1", "(cos h − 1)/h → 0"}, id="cos"),
    pytest.param("e^x", {"(e^h − 1)/h → 1"}, id="exp"),
])
def test_standard_limits_are_named(text: str, limits: set[str]) -> None:
    """The limit step names each standard limit it uses, and only those."""
    fp = first_principles(text)
    assert limits == {s.name for s in fp.steps[-1].standard_limits}
    assert "addition_formula" in [s.rule for s in fp.steps]


def test_root_multiplies_by_conjugate() -> None:
    """√x is worked by the conjugate."""
    fp = first_principles("sqrt(x)")
    assert "conjugate" in [s.rule for s in fp.steps]
    assert 1 / (2 * sympy.sqrt(x)) == fp.result


def test_rational_uses_common_denominator() -> None:
    """1/x is worked over a common denominator."""
    fp = first_principles("1/x")
    assert "common_denominator" in [s.rule for s in fp.steps]
    assert -1 / x**2 == fp.result


def test_no_elementary_route_says_so() -> None:
    """ln x has no elementary route here: the output says so and shows SymPy's limit."""
    fp = first_principles("ln x")
    assert "sympy_limit" == fp.route
    assert "no elementary" in fp.steps[-1].explanation[0]
    assert 1 / x == fp.result
    assert fp.agrees


def test_limit_sympy_cannot_find_is_not_faked() -> None:
    """For x^x SymPy's limit fails: no result is claimed, the rules' answer is given."""
    fp = first_principles("x^x")
    assert fp.result is None
    assert not fp.agrees
    assert "did not find" in fp.note
    assert "no first-principles result" in fp.plain()


def test_partial_holds_other_variables() -> None:
    """With --wrt x, y is a constant of the limit."""
    fp = first_principles("x^2 y", wrt="x")
    assert 2 * x * y == fp.result
    assert "holding y constant" in fp.plain()


# --- the table at a point ---------------------------------------------------------------------------


def test_table_converges_to_the_derivative() -> None:
    """Difference quotients of x² at 2 are 4 + h, and approach f′(2) = 4 from both sides."""
    fp = first_principles("x^2", at="2")
    assert 4 == fp.value
    assert 14 == len(fp.table)
    for row in fp.table:
        assert pytest.approx(4 + float(row.h), abs=1e-12) == row.quotient
    errors = [abs(row.error) for row in fp.table if row.h > 0]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1e-5


def test_table_of_cube_root_at_a_negative_point() -> None:
    """∛x at −8 (∛(−8) = −2, real): the quotients exist and approach f′(−8) = 1/12."""
    fp = first_principles("cbrt(x)", at="-8")
    assert sympy.Rational(1, 12) == fp.value
    assert 14 == len(fp.table)
    with mpmath.workdps(40):
        for row in fp.table:
            h = mpmath.mpf(row.h.p) / row.h.q
            real_cube_root = mpmath.re(mpmath.root(-8 + h, 3, 1))  # the real branch for -8 + h < 0
            assert pytest.approx(float((real_cube_root + 2) / h), rel=1e-12) == row.quotient
    errors = [abs(row.error) for row in fp.table if row.h > 0]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1e-8
    result = CliRunner().invoke(main, ["first-principles", "cbrt(x)", "--at", "-8"])
    assert 0 == result.exit_code, result.output
    assert "undefined" not in result.output


def test_table_of_even_root_at_a_negative_point_stays_undefined() -> None:
    """x^(3/2) at 1/2: a + h = −1/2 (h = −1) has no real value, so that quotient is undefined."""
    rows = {row.h: row.quotient for row in first_principles("x^(3/2)", at="1/2").table}
    assert rows[-1] is None
    assert all(quotient is not None for h, quotient in rows.items() if h != -1)


def test_table_point_as_assignment() -> None:
    """--at accepts x=… as well as a bare number."""
    assert first_principles("sin x", at="x=0").value == 1


# --- limits and bad input ---------------------------------------------------------------------------


def test_degree_limit() -> None:
    """A degree beyond the limit fails fast with LimitError."""
    with pytest.raises(LimitError, match="degree"):
        first_principles("x^40")


def test_size_limit() -> None:
    """An expression beyond the size limit fails fast with LimitError."""
    with pytest.raises(LimitError, match="too large"):
        first_principles(" + ".join(f"sin({k}x)" for k in range(1, 30)))


@pytest.mark.parametrize("args, message", [
    pytest.param(("x^2", "--at", "z=1"), "not a variable", id="unknown-variable"),
    pytest.param(("x^2 y",), "several variables", id="missing-wrt"),
    pytest.param(("x^2 y", "--wrt", "x", "--at", "x=1"), "missing: y", id="missing-point"),
    pytest.param(("x^2", "--at", "sqrt(-1)"), "real number", id="complex-point"),
    pytest.param(("x^40",), "degree", id="too-high"),
    pytest.param(("sine(x)",), "cannot read", id="parse-error"),
])
def test_cli_bad_input(args, message: str) -> None:
    """Bad input is one clear message and exit status 2, never a traceback."""
    result = CliRunner().invoke(main, ["first-principles", *args])
    assert 2 == result.exit_code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_api_bad_point() -> None:
    """A point that names an unknown variable is a UsageError."""
    with pytest.raises(UsageError):
        first_principles("x^2", at="y=1")


# --- renderers and the command ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt, marker", [
    pytest.param("plain", "Result: f′(x) = 2x", id="plain"),
    pytest.param("rich", "Result", id="rich"),
    pytest.param("latex", "\\begin{align*}", id="latex"),
    pytest.param("markdown", "**Result**", id="markdown"),
])
def test_cli_formats(fmt: str, marker: str) -> None:
    """Every format runs and writes its own kind of document, with the table at a point."""
    result = CliRunner().invoke(main, ["first-principles", "x^2", "--at", "2", "--format", fmt])
    assert 0 == result.exit_code, result.output
    assert marker in result.stdout
    assert "0.001" in result.stdout


def test_json_reads_back() -> None:
    """JSON holds the steps, result and table; every math field reads back through parse."""
    result = CliRunner().invoke(main, ["first-principles", "3 sin x + x^2", "--at", "0",
                                       "--format", "json"])
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert "standard_limits" == data["route"]
    assert parse(data["result"]) == parse("2x + 3cos x")
    assert data["agrees_with_rules"] is True
    assert "3" == data["value"]
    for step in data["steps"]:
        for form in step["forms"]:
            parse(form, variables=["h"])
    assert 14 == len(data["table"])


def test_jupyter_display() -> None:
    """The result displays itself in Jupyter as LaTeX and Markdown."""
    fp = first_principles("x^2")
    assert fp._repr_latex_().startswith("$$")
    assert "**Result**" in fp._repr_markdown_()
    assert str(fp) == fp.plain()


def test_outside_the_domain_there_are_no_quotients_and_the_reason_is_the_domain() -> None:
    """ln x at −1: the caption says f is not defined there (not that quotients fail to settle),
    and no empty table is printed."""
    text = first_principles("ln x", at="x=-1").render("plain")
    assert "f is not defined at x = −1: there are none to take" in text
    assert "do not settle" not in text and "difference from f′(a)" not in text


def test_a_limit_sympy_cannot_take_is_said_without_its_internal_form() -> None:
    text = first_principles("x^x").render("plain")
    assert "SymPy's limit did not find this limit either" in text
    assert "oo*sign" not in text
