"""The derivation engine: every rule, every step checked, and results equal to SymPy's."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings

from calcgrad import LimitError, UsageError
from calcgrad.engine.derive import derive_step, diff
from calcgrad.engine.functions import relu, sigmoid, softplus
from calcgrad.engine.steps import DiffStep, EvaluateStep, SimplifyStep
from tests.checks import agree
from tests.strategies import deep_expressions, expressions

x, y, z = sympy.symbols("x y z", real=True)


def assert_every_step_correct(derivation) -> None:
    """Each step's result equals the derivative (or value) of that step's own expression."""
    symbols = sorted(derivation.expression.free_symbols | set(derivation.variables) | {x},
                     key=lambda s: s.name)
    for top in derivation.steps:
        for step in top.walk():
            if isinstance(step, DiffStep):
                expected = sympy.diff(step.expression, step.variable)
                names = sorted(step.expression.free_symbols | {step.variable}, key=lambda s: s.name)
                same, _ = agree(step.result, expected, names, domain=step.expression, count=4)
                assert same, f"{step.rule}: d/d{step.variable} {step.expression} gave {step.result}, expected {expected}"
            elif isinstance(step, SimplifyStep):
                same, _ = agree(step.result, step.expression, symbols, count=4)
                assert same, f"simplify changed {step.expression} into {step.result}"


def assert_matches_sympy(expr, *variables) -> None:
    """The derivation's result equals sympy.diff at every usable point."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):  # only generated ones can
        assume(False)
    derivation = diff(expr, *variables)
    expected = sympy.diff(expr, *variables)
    symbols = sorted(expr.free_symbols | set(variables), key=lambda s: s.name)
    same, _ = agree(derivation.result, expected, symbols, domain=expr)
    assert same, f"d {expr} gave {derivation.result}, SymPy says {expected}"
    assert_every_step_correct(derivation)


RULE_TABLE = [
    ("constant", sympy.Integer(7), x, 0),
    ("constant", y**2, x, 0),
    ("variable", x, x, 1),
    ("constant_multiple", 5 * x**3, x, 15 * x**2),
    ("sum", x**2 + 3 * x * y + y**2, x, 2 * x + 3 * y),
    ("power", x**5, x, 5 * x**4),
    ("power", 1 / x**2, x, -2 / x**3),
    ("power", sympy.sqrt(x), x, 1 / (2 * sympy.sqrt(x))),
    ("power", sympy.cbrt(x), x, 1 / (3 * x ** sympy.Rational(2, 3))),
    ("product", x * sympy.exp(x), x, (x + 1) * sympy.exp(x)),
    ("product", x * sympy.sin(x) * sympy.exp(x), x,
     sympy.exp(x) * (sympy.sin(x) + x * sympy.cos(x) + x * sympy.sin(x))),
    ("quotient", x / (x + 1), x, 1 / (x + 1) ** 2),
    ("quotient", sympy.sin(x) / x, x, (x * sympy.cos(x) - sympy.sin(x)) / x**2),
    ("chain", sympy.cos(3 * x), x, -3 * sympy.sin(3 * x)),
    ("chain", (x**2 + 1) ** 10, x, 20 * x * (x**2 + 1) ** 9),
    ("exp", sympy.exp(x), x, sympy.exp(x)),
    ("exponential", 3**x, x, 3**x * sympy.log(3)),
    ("log", sympy.log(x), x, 1 / x),
    ("log_base", sympy.log(x, 2), x, 1 / (x * sympy.log(2))),
    ("trig", sympy.tan(x), x, sympy.sec(x) ** 2),
    ("trig", sympy.sec(x), x, sympy.sec(x) * sympy.tan(x)),
    ("trig", sympy.csc(x), x, -sympy.csc(x) * sympy.cot(x)),
    ("trig", sympy.cot(x), x, -sympy.csc(x) ** 2),
    ("inverse_trig", sympy.asin(x), x, 1 / sympy.sqrt(1 - x**2)),
    ("inverse_trig", sympy.atan(x), x, 1 / (1 + x**2)),
    ("inverse_trig", sympy.asec(x), x, 1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1))),
    ("hyperbolic", sympy.tanh(x), x, sympy.sech(x) ** 2),
    ("hyperbolic", sympy.cosh(x), x, sympy.sinh(x)),
    ("inverse_hyperbolic", sympy.asinh(x), x, 1 / sympy.sqrt(x**2 + 1)),
    ("inverse_hyperbolic", sympy.atanh(x), x, 1 / (1 - x**2)),
    ("abs", sympy.Abs(x), x, sympy.sign(x)),
    ("sigmoid", sigmoid(x), x, sigmoid(x) * (1 - sigmoid(x))),
    ("relu", relu(x), x, sympy.Heaviside(x, 0)),
    ("softplus", softplus(x), x, sigmoid(x)),
    ("logarithmic_differentiation", x**x, x, x**x * (sympy.log(x) + 1)),
    ("piecewise", sympy.Piecewise((x**2, x > 0), (-x, True)), x,
     sympy.Piecewise((2 * x, x > 0), (-1, True))),
    ("standard", sympy.erf(x), x, 2 * sympy.exp(-(x**2)) / sympy.sqrt(sympy.pi)),
]


@pytest.mark.parametrize(("rule", "expr", "variable", "expected"), RULE_TABLE,
                         ids=[f"{r}:{e}" for r, e, _, _ in RULE_TABLE])
def test_rule_table(rule, expr, variable, expected):
    """Each rule is chosen for its textbook case and gives the textbook derivative."""
    step = derive_step(expr, variable)
    assert rule == step.rule
    same, usable = agree(step.result, expected, sorted(expr.free_symbols | {variable}, key=str),
                         domain=expr)
    assert same and usable > 0
    assert_matches_sympy(expr, variable)


def test_partial_derivative_names_held_constant():
    """∂/∂x of x² + 3xy + y² is 2x + 3y, and the y² term says y is held constant."""
    derivation = diff(x**2 + 3 * x * y + y**2, x)
    assert 2 * x + 3 * y == derivation.result
    assert derivation.partial
    constant = [s for s in derivation.steps[0].walk() if s.rule == "constant"]
    assert [y**2] == [s.expression for s in constant]
    assert y in constant[0].explanation and any("held constant" in str(p) for p in constant[0].explanation)


def test_chain_rule_names_inner_function_and_derives_it():
    """The chain rule on cos(3x) lets u = 3x and shows du/dx = 3 as its own sub-derivation."""
    step = derive_step(sympy.cos(3 * x), x)
    assert "chain" == step.rule
    assert 3 * x == step.inner
    assert sympy.cos(step.u) == step.outer.expression
    assert 3 == step.inner_step.result


def test_nested_chain_rules_use_different_letters():
    """A chain inside a chain names its inner function with a new letter."""
    step = derive_step(sympy.sin(sympy.cos(x**2)), x)
    assert step.u != step.inner_step.u


def test_inner_letter_avoids_the_expressions_own_symbols():
    """An expression that already uses u gets a different letter for its inner function."""
    u = sympy.Symbol("u", real=True)
    step = derive_step(sympy.sin(u * x), x)
    assert u != step.u


def test_second_order_is_two_successive_derivations():
    """--order 2 differentiates twice, each with its own steps and simplification."""
    derivation = diff(x**3, x, order=2)
    assert (x, x) == derivation.variables
    assert [3 * x**2, 6 * x] == [s.result for s in derivation.steps if isinstance(s, SimplifyStep)]
    assert 6 * x == derivation.result


def test_mixed_partial_in_the_order_given():
    """∂/∂x then ∂/∂y of x²y³ is 6xy²."""
    derivation = diff(x**2 * y**3, x, y)
    assert (x, y) == derivation.variables
    assert 6 * x * y**2 == derivation.result


def test_value_at_a_point_is_exact():
    """d/dx x² at x = 3 is exactly 6, from a final evaluation step."""
    derivation = diff(x**2, x, at={x: 3})
    assert isinstance(derivation.steps[-1], EvaluateStep)
    assert sympy.Integer(6) == derivation.value


def test_value_where_derivative_is_undefined_says_so():
    """d/dx ln x at x = 0 is reported as undefined, not as a number."""
    derivation = diff(sympy.log(x), x, at={x: 0})
    assert sympy.nan == derivation.value
    assert "not defined" in derivation.steps[-1].note


def test_relu_kink_is_noted():
    """At x = 0 the ReLU derivative is taken as 0 and the step says so."""
    derivation = diff(relu(x), x, at={x: 0})
    assert 0 == derivation.value
    assert "ReLU" in derivation.steps[-1].note


def test_several_variables_without_wrt_is_a_usage_error():
    """With x and y free and no variable named, the error names both."""
    with pytest.raises(UsageError, match="x, y"):
        diff(x * y)


def test_point_with_unknown_variable_is_a_usage_error():
    """A point naming a variable the expression lacks is refused."""
    with pytest.raises(UsageError, match="z"):
        diff(x**2, x, at={z: 1})


def test_order_too_high_is_a_limit_error():
    """Orders above the limit fail at once with a message."""
    with pytest.raises(LimitError):
        diff(x**2, x, order=1000)


def test_huge_product_is_a_limit_error():
    """A product of very many factors is refused instead of written out."""
    expr = sympy.Mul(*[x + k for k in range(1, 200)], evaluate=False)
    with pytest.raises(LimitError):
        diff(sympy.Mul(*expr.args), x)


def test_result_is_computed_from_the_tree():
    """The derivation's result is the last simplification's result, which rests on the steps."""
    derivation = diff(sympy.sin(x) * x, x)
    assert derivation.steps[1].expression == derivation.steps[0].result
    assert derivation.result == derivation.steps[1].result


def test_steps_are_immutable():
    """Steps are frozen: assigning to a field fails."""
    step = derive_step(x**2, x)
    with pytest.raises(AttributeError):
        step.expression = x  # type: ignore[misc]


def test_sympy_expression_symbols_are_made_real():
    """A plain SymPy symbol is taken as real, so d|x|/dx is sign(x)."""
    plain = sympy.Symbol("x")
    assert sympy.sign(x) == diff(sympy.Abs(plain), plain).result


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions)
def test_property_every_derivation_matches_sympy(expr):
    """For generated expressions of every rule family, result and every step agree with SymPy."""
    assume(expr.has(x))
    assert_matches_sympy(expr, x)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(deep_expressions(depth=5))
def test_property_deep_nesting_matches_sympy(expr):
    """Expressions nested five layers deep derive correctly, step by step."""
    assert_matches_sympy(expr, x)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions)
def test_property_partial_derivatives_in_y(expr):
    """Partial derivatives with respect to y, holding x constant, agree with SymPy."""
    assume(expr.has(y))
    assert_matches_sympy(expr, y)


# The fast tier (pytest -m "not slow") runs a few examples of each property above, so the
# inner loop still checks the engine against SymPy; the full run keeps their full strength.


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions)
def test_property_every_derivation_matches_sympy_quick(expr):
    """A few generated expressions of every rule family agree with SymPy, step by step."""
    assume(expr.has(x))
    assert_matches_sympy(expr, x)


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(deep_expressions(depth=5))
def test_property_deep_nesting_matches_sympy_quick(expr):
    """A few expressions nested five layers deep derive correctly, step by step."""
    assert_matches_sympy(expr, x)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions)
def test_property_partial_derivatives_in_y_quick(expr):
    """A few partial derivatives with respect to y, holding x constant, agree with SymPy."""
    assume(expr.has(y))
    assert_matches_sympy(expr, y)
