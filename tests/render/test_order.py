"""Textbook order: the input as typed under 'Interpreted as', calcgrad's own expressions as a
textbook writes them, the same in every format, and still read back by the parser."""

from __future__ import annotations

import json

import pytest
import sympy
from click.testing import CliRunner

from calcgrad import diff, gradient, hessian, parse
from calcgrad.cli import main
from calcgrad.read.parser import read
from calcgrad.render.notation import to_ascii, to_latex, to_text

TYPED = {
    "sum-as-typed": ("(w x + b - t)^2", "(wx + b − t)²", r"\left(w x + b - t\right)^{2}"),
    "polynomial-before-exponential": ("(2x+1) e^x", "(2x + 1)·e^x", r"\left(2 x + 1\right) e^{x}"),
    "letters-as-typed": ("idk", "idk", "i d k"),
    "negative-term-first-as-typed": ("-x + 1", "−x + 1", "- x + 1"),
    "constant-first-as-typed": ("3 + x^2 + 2x", "3 + x² + 2x", "3 + x^{2} + 2 x"),
    "repeated-letters-per-product": ("sin(x y z) + e^(x^2 y) + ln(1 + z^2)",
                                     "sin(xyz) + e^(x²y) + ln(1 + z²)",
                                     r"\sin{\left(x y z \right)} + e^{x^{2} y} + \ln{\left(1 + z^{2} \right)}"),
    "coefficient-leads": ("y x 3", "3yx", "3 y x"),
}


@pytest.mark.parametrize(("text", "expected_text", "expected_latex"), list(TYPED.values()), ids=list(TYPED))
def test_typed_order(text: str, expected_text: str, expected_latex: str) -> None:
    """A reading prints its sums and products in the order they were typed, in text and LaTeX."""
    reading = read(text)
    assert (expected_text, expected_latex) == (to_text(reading.expression, reading.written),
                                               to_latex(reading.expression, reading.written))


@pytest.mark.parametrize("text", [t for t, _, _ in TYPED.values()], ids=list(TYPED))
def test_typed_order_reads_back(text: str) -> None:
    """Printed in typed order, text and ASCII still read back as the same expression."""
    reading = read(text)
    assert (reading.expression, reading.expression) == (
        parse(to_text(reading.expression, reading.written)),
        parse(to_ascii(reading.expression, reading.written)))


def test_typed_order_does_not_change_the_expression() -> None:
    """The engine differentiates the same SymPy expression whatever order it was typed in."""
    assert diff("b - t + w x", "w").expression == diff("w x + b - t", "w").expression


@pytest.mark.parametrize(("result", "expected"), [
    (lambda: diff("(w x + b - t)^2", "w").plain().splitlines()[0], "Interpreted as: (wx + b − t)²"),
    (lambda: diff("(2x+1) e^x").plain().splitlines()[1], "d/dx ((2x + 1)·e^x)"),
    (lambda: json.loads(diff("idk", "d").render("json"))["interpreted_as"], "idk"),
    (lambda: gradient("y^2 + x^2").plain().splitlines()[0], "Interpreted as: y² + x²"),
    (lambda: hessian("e^(x^2 y) + sin(x y)").plain().splitlines()[0], "Interpreted as: e^(x²y) + sin(xy)"),
], ids=["diff", "diff-heading", "diff-json", "gradient", "hessian"])
def test_interpreted_as_keeps_typed_order(result, expected: str) -> None:
    """'Interpreted as' shows what was typed, in the order it was typed, in every command."""
    assert expected == result()


x, y, a, b, w = sympy.symbols("x y a b w", real=True)

TEXTBOOK = {
    "descending-powers": (1 - 2 * x + x**2, "x² − 2x + 1"),
    "positive-term-first": (y - a, "y − a"),
    "one-minus-square": (1 - x**2, "1 − x²"),
    "weight-before-activation-bias-last": (a * w + b, "wa + b"),
    "polynomial-factor-before-function": ((1 - y) * sympy.log(1 - a), "(1 − y)·ln(1 − a)"),
    "function-before-its-complement": (sympy.sin(x) * (1 - sympy.sin(x)), "sin(x)·(1 − sin(x))"),
    "cross-entropy": (-y * sympy.log(a) - (1 - y) * sympy.log(1 - a), "−(y·ln(a) + (1 − y)·ln(1 − a))"),
    "number-before-root": (sympy.sqrt(2) * x, "√2·x"),
}


@pytest.mark.parametrize(("expr", "expected"), list(TEXTBOOK.values()), ids=list(TEXTBOOK))
def test_textbook_order(expr, expected: str) -> None:
    """calcgrad's own expressions print in textbook order and read back unchanged."""
    assert (expected, expr) == (to_text(expr), parse(to_text(expr)))


def test_cross_entropy_latex_and_ascii() -> None:
    """Binary cross-entropy prints as −(y ln a + (1 − y) ln(1 − a)) in LaTeX too; ASCII reads back."""
    expr = -y * sympy.log(a) - (1 - y) * sympy.log(1 - a)
    assert r"- \left(y \ln{\left(a \right)} + \left(1 - y\right) \ln{\left(1 - a \right)}\right)" == to_latex(expr)
    assert expr == parse(to_ascii(expr))


@pytest.mark.parametrize(("args", "expected"), [
    (["--layers", "3"], ["z⁽¹⁾ = w⁽¹⁾x + b⁽¹⁾", "z⁽²⁾ = w⁽²⁾a⁽¹⁾ + b⁽²⁾", "z⁽³⁾ = w⁽³⁾a⁽²⁾ + b⁽³⁾",
                         "L = (y − a⁽³⁾)²"]),
    (["--layers", "2", "--loss", "bce"], ["z⁽¹⁾ = w⁽¹⁾x + b⁽¹⁾", "L = −(y·ln(a⁽²⁾) + (1 − y)·ln(1 − a⁽²⁾))"]),
], ids=["mse", "bce"])
def test_network_chain_in_textbook_order(args: list[str], expected: list[str]) -> None:
    """The forward definitions read z = w a + b (bias last) and L = (y − a)², as the course writes them."""
    result = CliRunner().invoke(main, ["network", *args, "--format", "plain"])
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert (0, expected) == (result.exit_code, [line for line in lines if line in expected])
