"""Tests for the parser's worked-solution reading (PendingNotation): derivatives still to be
taken, written with primes or d/dx, read as unevaluated Derivative objects; the default
reading refuses them as before."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcgrad.errors import ParseError
from calcgrad.read.parser import ParseLimitError, PendingNotation, parse, read
from calcgrad.render.notation import to_ascii
from tests.strategies import one_variable_expressions, x, y

D = sympy.Derivative
F = x**2 * sympy.sin(x)
NOTATION = PendingNotation(x, "f", F)


def pending(text: str, notation: PendingNotation = NOTATION) -> sympy.Expr:
    return read(text, pending=notation).expression


@pytest.mark.parametrize("text, expected", [
    ("(x^2)' sin x + x^2 (sin x)'", D(x**2, x) * sympy.sin(x) + x**2 * D(sympy.sin(x), x)),
    ("d/dx(x^2) sin(x) + x^2 d/dx(sin x)", D(x**2, x) * sympy.sin(x) + x**2 * D(sympy.sin(x), x)),
    ("(d/dx) ln(x^2+1)", D(sympy.log(x**2 + 1), x)),
    ("d/dx ln(x^2+1)", D(sympy.log(x**2 + 1), x)),
    ("(d/dx x^2)", D(x**2, x)),
    ("sin(x)'", D(sympy.sin(x), x)),
    ("(x^3)''", D(x**3, (x, 2))),
    ("((x^3)')'", D(x**3, (x, 2))),
    ("(x^3)″", D(x**3, (x, 2))),
    ("(x^3)′", D(x**3, x)),
    ("d^2/dx^2 (x^3)", D(x**3, (x, 2))),
    ("d²/dx² x^3", D(x**3, (x, 2))),
    ("∂/∂y(x y)", D(x * y, y)),
    ("2d/dx(x^2)", 2 * D(x**2, x)),
    ("d/dx x^2 sin x", D(x**2, x) * sympy.sin(x)),
    ("f'(x)", D(F, x)),
    ("f''", D(F, (x, 2))),
    ("f(x)", F),
    ("(sin((x^2)'))'", D(sympy.sin(D(x**2, x)), x)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_pending_derivatives_are_read(text: str, expected: sympy.Expr) -> None:
    """Primes after a bracket, d/dx like a function name, and f for the question's function."""
    assert expected == pending(text)


@pytest.mark.parametrize("text, message", [
    ("x'", "must follow a closing bracket (it follows 'x')"),
    ("sin x'", "must follow a closing bracket (it follows 'x')"),
    ("x^2'", "must follow a closing bracket (it follows '2')"),
    ("(x+1)²'", "must follow a closing bracket"),
    ("'x", "the prime at column 1 has nothing before it"),
    ("g'(x)", "must follow a closing bracket (it follows 'g')"),
    ("f'(2x)", "'f(…)' at column 1 is read only at the variable"),
    ("d/dx^2(x)", "has different orders above and below"),
    ("d^2/dx(x)", "needs the order below too"),
], ids=lambda v: v)
def test_ambiguous_primes_are_refused(text: str, message: str) -> None:
    """A prime only right after a bracket, or on the question's own function name."""
    with pytest.raises(ParseError) as error:
        pending(text)
    assert message in str(error.value)


def test_primes_need_one_variable() -> None:
    """With several variables a prime does not say which: d/dx(…) is asked for instead."""
    with pytest.raises(ParseError, match="does not say which variable"):
        pending("(x y)'", PendingNotation(None))
    assert D(x * y, x) == pending("d/dx(x y)", PendingNotation(None))


def test_without_function_name_f_is_a_letter() -> None:
    """f is the question's function only when it is given one; otherwise f(x) is f·x."""
    assert sympy.Symbol("f", real=True) * x == pending("f(x)", PendingNotation(x))


def test_order_above_the_limit_is_refused() -> None:
    """Twenty-one primes (or nested ones adding up past MAX_ORDER) are a limit error, with a caret."""
    with pytest.raises(ParseLimitError, match="order 21"):
        pending("(x)" + "'" * 21)
    with pytest.raises(ParseLimitError, match="order 22"):
        pending("(" * 11 + "x" + ")''" * 11)


@pytest.mark.parametrize("text", ["(x^2)'", "d/dx(x^2)", "x′", "(d/dx) x"])
def test_default_reading_is_unchanged(text: str) -> None:
    """Without PendingNotation primes and d/dx are refused as before."""
    with pytest.raises(ParseError):
        parse(text)


def test_d_inside_a_word_is_not_an_operator() -> None:
    """A d that ends a word is a letter: 'and/dx' does not start d/dx (dx is refused as before)."""
    with pytest.raises(ParseError, match="'dx' is a command"):
        pending("ad/dx(x)")
    with pytest.raises(ParseError, match="'d/dx' at column 3 needs an argument"):
        pending("a d/dx")
    assert sympy.Symbol("d", real=True) / 2 == pending("d/2")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(one_variable_expressions, st.sampled_from(["({})'", "d/dx({})", "(d/dx)({})"]))
def test_any_expression_in_brackets_reads_as_its_pending_derivative(expr, template) -> None:
    """Whatever the default reading gives for E, the pending reading of (E)' is Derivative(E, x)."""
    text = to_ascii(expr)
    assert D(parse(text), x) == pending(template.format(text))


def test_bare_operator_followed_by_a_factor_is_flagged() -> None:
    """d/dx x^2 sin x is (x²)′·sin x, as sin x cos x is sin(x)·cos(x), with a warning saying so."""
    reading = read("d/dx x^2 sin x", pending=NOTATION)
    assert D(x**2, x) * sympy.sin(x) == reading.expression
    assert ("d/dx x^2 is read as d/dx(x^2) times what follows, as a function name is; for the "
            "derivative of more, write d/dx(…) around it",) == reading.warnings
    assert () == read("d/dx(x^2 sin x)", pending=NOTATION).warnings


def test_operator_variable_takes_its_index() -> None:
    """d/dw1 differentiates by w₁, as w1 is read as w₁ everywhere."""
    w1 = sympy.Symbol("w_1", real=True)
    assert D(w1**2, w1) == pending("d/dw1(w1^2)", PendingNotation(None))
    assert D(w1**2, w1) == pending("d/dw_1 w_1^2", PendingNotation(None))
