"""Tests for calcgrad.render.worked_solution: each line with its reading and its verdict, in
every format, and derivatives still to be taken never printed as SymPy's Derivative(…)."""

from __future__ import annotations

import json

import pytest
import sympy
from rich.console import Console

from calcgrad.grading.checking import check_steps
from calcgrad.read.parser import PendingNotation, read
from calcgrad.render.worked_solution import reading_ascii, reading_latex, reading_text
from tests.strategies import x, y

LINES = ["(x^2 sin x)' = (x^2)' sin x + x^2 (sin x)'", "= 2x sin x - x^2 cos x",
         "= x(2 sin x - x cos x)", "x^2 +"]


@pytest.fixture(scope="module")
def solution():
    return check_steps(LINES, of="x^2 sin x")


def _rich_text(renderable) -> str:
    console = Console(width=100, color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def test_plain(solution) -> None:
    """Plain text: each line, its reading, its verdict; the summary counts the error once."""
    expected = """\
Problem: d/dx (x²·sin(x))
Verdict: ✗ incorrect

✓ line 1: (x^2 sin x)' = (x^2)' sin x + x^2 (sin x)'
    read as (x²)′·sin(x) + x²·(sin(x))′
    correct step
✗ line 2: = 2x sin x - x^2 cos x
    read as 2x·sin(x) − x²·cos(x)
    new error (trig_sign): Step 1.2, trigonometric rule on sin(x): the sign is wrong: the derivative of sin(x) is cos(x). At x = 1 the derivative is 2.22324427548393, but your answer gives 1.14263966374765.
→ line 3: = x(2 sin x - x cos x)
    read as x·(2·sin(x) − x·cos(x))
    follows from line 2: the step itself is right, and the error of line 2 is not counted again
… line 4: x^2 +
    unreadable: expression ends after '+'; something is missing after it (at column 5)
    x^2 +
        ^

1 new error: line 2 (line 3 follows from it). Line 4 could not be checked.
Correct derivative: x·(x·cos(x) + 2·sin(x))
"""
    assert expected == solution.plain()


def test_json(solution) -> None:
    """JSON: status, label, reading (primes, readable again), value, follows_from, caret; no Derivative(…)."""
    data = solution.to_dict()
    text = json.dumps(data)
    assert "Derivative" not in text
    assert [2] == data["error_lines"]
    assert 2 == data["first_wrong_line"]
    first, _, third, fourth = data["lines"]
    assert ("fine", "correct step") == (first["status"], first["label"])
    assert "(x**2)'*sin(x) + x**2*(sin(x))'" == first["reading"]
    assert "x**2*cos(x) + 2*x*sin(x)" == first["expression"]
    assert ("follows", 2, "follows from line 2") == (third["status"], third["follows_from"], third["label"])
    assert ("unreadable", "x^2 +\n    ^") == (fourth["status"], fourth["caret"])
    notation = PendingNotation(x)
    assert read("(x^2)' sin x + x^2 (sin x)'", pending=notation).expression \
        == read(first["reading"], pending=notation).expression


def test_markdown_latex_and_rich(solution) -> None:
    """Markdown and LaTeX rows carry the verdict and the reading; Rich shows the same lines."""
    markdown = solution.markdown()
    assert "| 3 | → follows from line 2 | = x(2 sin x - x cos x) | x·(2·sin(x) − x·cos(x)) |  |" in markdown
    assert "| 2 | ✗ new error (trig\\_sign) |" in markdown
    latex = solution.latex()
    assert r"&\left(x^{2}\right)' \sin{\left(x \right)} + x^{2} \left(\sin{\left(x \right)}\right)' && \text{1: correct step} \\" in latex
    assert "Derivative" not in markdown + latex
    text = _rich_text(solution)
    assert "Verdict ✗ incorrect" == text.splitlines()[1]  # the verdict on top, as in plain
    assert "→ line 3: = x(2 sin x - x cos x)" in text
    assert "read as (x²)′·sin(x) + x²·(sin(x))′" in text
    assert "1 new error: line 2 (line 3 follows from it)." in text


@pytest.mark.parametrize("expr, text, ascii_text, latex", [
    (sympy.Derivative(x**2, x), "(x²)′", "(x**2)'", r"\left(x^{2}\right)'"),
    (sympy.Derivative(x**3, (x, 2)), "(x³)″", "(x**3)''", r"\left(x^{3}\right)''"),
    (sympy.Derivative(x * y, y), "d/dy(xy)", "d/dy(x*y)", r"\frac{d}{dy}\left(x y\right)"),
    (sympy.Derivative(x**5, (x, 4)), "d⁴/dx⁴(x⁵)", "d^4/dx^4(x**5)", r"\frac{d^{4}}{dx^{4}}\left(x^{5}\right)"),
    (sympy.Derivative(x * y, x, y), "d/dy((xy)′)", "d/dy((x*y)')", r"\frac{d}{dy}\left(\left(x y\right)'\right)"),
], ids=["prime", "two primes", "other variable", "order 4", "mixed"])
def test_pending_derivative_printing(expr, text: str, ascii_text: str, latex: str) -> None:
    """Primes for the question's variable up to order 3, d/dy(…) otherwise, in each notation."""
    assert (text, ascii_text, latex) == (reading_text(expr, x), reading_ascii(expr, x), reading_latex(expr, x))


def test_a_restated_function_in_every_format() -> None:
    """The first line y = f is shown as "restates the function" (JSON status "given"), not counted."""
    solution = check_steps(["y = x^2 sin x", "y' = (x^2)' sin x + x^2 (sin x)'"], of="x^2 sin x")
    plain = solution.plain()
    assert "· line 1: y = x^2 sin x\n    read as x²·sin(x)\n    restates the function\n" in plain
    assert "Every line after the restated function equals the derivative." in plain
    first = solution.to_dict()["lines"][0]
    assert ("given", "restates the function", "") == (first["status"], first["label"], first["message"])
    assert [] == solution.to_dict()["error_lines"]
    assert "| 1 | · restates the function | y = x^2 sin x | x²·sin(x) |  |" in solution.markdown()
    assert r"&x^{2} \sin{\left(x \right)} && \text{1: restates the function} \\" in solution.latex()
    assert "· line 1: y = x^2 sin x" in _rich_text(solution)
    assert "restates the function" in _rich_text(solution)
