"""The independent check of each step: SymPy's own derivative against the step's result."""

from __future__ import annotations

import pytest
import sympy

from calcgrad.engine.functions import relu, sigmoid
from calcgrad.engine.verify import derivative_matches, same_value, written_out

x, y = sympy.symbols("x y", real=True)


@pytest.mark.parametrize("expression, result", [
    (x**3, 3 * x**2),
    (sympy.sin(x) * x, x * sympy.cos(x) + sympy.sin(x)),
    (sigmoid(x), sigmoid(x) * (1 - sigmoid(x))),
    (relu(x), sympy.Heaviside(x, 0)),
    (sympy.asin(x + 1), 1 / sympy.sqrt(-x * (x + 2))),   # real only for −2 < x < 0
    (x * y**2, y**2),
    (sympy.Float(0.1) * x**2, sympy.Float(0.2) * x),
], ids=["power", "product", "sigmoid", "relu", "narrow-domain", "partial", "decimals"])
def test_right_derivatives_pass(expression, result) -> None:
    """A right step passes, in another form than SymPy's too."""
    assert derivative_matches(expression, x, result) is True


@pytest.mark.parametrize("expression, wrong", [
    (x**3, 3 * x**3),
    (sympy.sin(x**2), sympy.cos(x**2)),                  # the chain factor missing
    (sigmoid(x), sigmoid(x)),
    (sympy.Abs(x), sympy.Integer(1)),                    # right only for x > 0
    (sympy.sqrt(x), 1 / sympy.sqrt(x) + sympy.Float(1e-25)),
], ids=["power", "chain", "sigmoid", "abs-one-side", "tiny-difference"])
def test_wrong_derivatives_fail(expression, wrong) -> None:
    """A wrong step fails, even when it is right on one side of 0 or off in the 25th digit."""
    assert derivative_matches(expression, x, wrong) is False


def test_complex_points_are_skipped() -> None:
    """|√x| is real for x < 0 where its parts are not; such points do not count."""
    good = sympy.sign(sympy.sqrt(x)) / (2 * sympy.sqrt(x))
    assert derivative_matches(sympy.Abs(sympy.sqrt(x)), x, good) is True


def test_no_real_point_is_undecided() -> None:
    """Where no point makes both sides real, the check says None, never a guess."""
    assert same_value(sympy.sqrt(-x**2 - 1), sympy.sqrt(-x**2 - 2)) is None


def test_own_functions_are_written_out() -> None:
    """σ is replaced by its definition, so SymPy never uses calcgrad's own σ′."""
    assert 1 / (1 + sympy.exp(-x)) == written_out(sigmoid(x))


def test_empty_real_domain_is_compared_off_the_real_line() -> None:
    """asec(sin x) is real only where sin x = ±1; its step is checked at complex points instead."""
    import calcgrad

    derivation = calcgrad.diff("asec(sin(x))", "x")
    assert {True} == {s.verified for top in derivation.steps for s in top.walk()}


def test_values_not_settled_at_30_digits_are_skipped() -> None:
    """cos(sinh(t)) for large t needs far more than 30 digits; such points are skipped, not failed."""
    import calcgrad

    derivation = calcgrad.diff("2x sin(sinh((x + y)(4x^2 + x)))", "x")
    assert {True} == {s.verified for top in derivation.steps for s in top.walk()}
