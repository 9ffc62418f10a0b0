"""SymPy → MathML for the pages: elements browsers display, tight parentheses, layer indices."""

from __future__ import annotations

import sympy

from calcgrad.web.mathml import explanation, math, vector

x, y = sympy.symbols("x y")


def test_expression_is_a_math_element_with_a_text_label() -> None:
    """An expression becomes <math> with SymPy's presentation MathML and a readable label."""
    assert ('<math display="inline" aria-label="x²"><msup><mi>x</mi><mn>2</mn></msup></math>'
            == str(math(x**2)))


def test_parentheses_do_not_stretch_or_pad() -> None:
    """SymPy's bare parentheses get no stretching and no operator spacing."""
    shown = str(math(sympy.sin(x)))
    assert '<mo stretchy="false" lspace="0" rspace="0">(</mo>' in shown
    assert "<mo>(</mo>" not in shown


def test_network_layer_index_is_a_parenthesised_superscript() -> None:
    """The symbol a^{(2)} prints as a with the superscript (2), not the text {(2)}."""
    shown = str(math(sympy.Symbol("a^{(2)}")))
    assert "{(2)}" not in shown
    assert '<msup><mi>a</mi><mrow><mo stretchy="false">(</mo><mn>2</mn><mo stretchy="false">)</mo></mrow></msup>' in shown


def test_vector_is_a_column() -> None:
    """A gradient's components print as a one-column table."""
    shown = str(vector((2 * x, 2 * y)))
    assert 2 == shown.count("<mtr>")


def test_explanation_escapes_words_and_prints_math() -> None:
    """An explanation's words are escaped, its expressions are MathML."""
    shown = str(explanation(("if a < b then ", x**2)))
    assert shown.startswith("if a &lt; b then <math")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in shown
