"""Tests for calcgrad.read.request: every request read one way, with the same errors everywhere."""

from __future__ import annotations

import warnings
from fractions import Fraction

import pytest
import sympy
from sympy import Rational, Symbol, pi

import calcgrad
from calcgrad.errors import ParseError, UsageError
from calcgrad.read import request

x, y, z = (Symbol(name, real=True) for name in "xyz")
loss, lr = Symbol("loss", real=True), Symbol("lr", real=True)


# --- declared names and variables ---------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    pytest.param(None, (), id="none"),
    pytest.param("loss", ("loss",), id="one-name-not-split-into-letters"),
    pytest.param("loss,lr", ("loss", "lr"), id="comma-list"),
    pytest.param(["loss", "lr, w1"], ("loss", "lr", "w1"), id="list-of-comma-lists"),
    pytest.param(("loss", "loss"), ("loss",), id="repeat-kept-once"),
])
def test_declared_names(given, expected) -> None:
    """Declared names come as a name, a comma list or a list of either."""
    assert expected == request.declared_names(given)


@pytest.mark.parametrize("given, expected", [
    pytest.param(None, (), id="none"),
    pytest.param("x", (x,), id="name"),
    pytest.param("x,y", (x, y), id="comma-list"),
    pytest.param(" y , x ", (y, x), id="spaces-and-order"),
    pytest.param(["x", "y"], (x, y), id="list"),
    pytest.param(("x,y", "x"), (x, y, x), id="repeats-kept-for-mixed-partials"),
    pytest.param(Symbol("x"), (x,), id="symbol-made-real"),
    pytest.param([Symbol("y"), "x"], (y, x), id="symbols-and-names"),
])
def test_variables(given, expected) -> None:
    """The variables to differentiate by: a name, "x,y", Symbols or a list, in order."""
    assert expected == request.variables(given)


def test_variables_use_declared_names() -> None:
    """A declared multi-letter name is one variable, not a product of letters."""
    assert (loss, lr) == request.variables("loss,lr", declared=("loss", "lr"))


def test_undeclared_multi_letter_variable_says_how_to_declare_it() -> None:
    """A run of letters that is not declared is refused with the hint to declare it."""
    with pytest.raises(ParseError, match="declare it"):
        request.variables("loss")


def test_variables_reject_other_types() -> None:
    """A number is not a variable."""
    with pytest.raises(UsageError, match="must be a name such as x, not int"):
        request.variables([1])


# --- expressions and numbers --------------------------------------------------------------------


def test_expression_reads_text_and_passes_sympy_through_made_real() -> None:
    """Text goes through the parser; a SymPy expression keeps its form with real symbols."""
    assert x**2 + 3 * y == request.expression("x^2 + 3y")
    assert x**2 == request.expression(Symbol("x") ** 2)


@pytest.mark.parametrize("given, error, message", [
    pytest.param("", ParseError, "the expression is empty", id="empty"),
    pytest.param(3, UsageError, "must be text or a SymPy expression, not int", id="int"),
    pytest.param(None, UsageError, "not NoneType", id="none"),
])
def test_expression_errors(given, error, message: str) -> None:
    """What is not an expression is refused saying what was expected."""
    with pytest.raises(error, match=message):
        request.expression(given)


@pytest.mark.parametrize("value, expected", [
    pytest.param("pi/4", pi / 4, id="text"),
    pytest.param(3, sympy.Integer(3), id="int"),
    pytest.param(0.5, sympy.Float(0.5), id="float"),
    pytest.param(Fraction(1, 3), Rational(1, 3), id="fraction"),
    pytest.param(sympy.sqrt(2), sympy.sqrt(2), id="sympy"),
])
def test_number_reads_every_kind_of_constant(value, expected) -> None:
    """A user's constant comes back as a SymPy number, whatever Python type it arrived in."""
    assert expected == request.number(value, "the value")


@pytest.mark.parametrize("value, message", [
    pytest.param("", "the value is empty", id="empty"),
    pytest.param(True, "must be a number, not True", id="bool"),
    pytest.param([1], "must be a number, not list", id="list"),
    pytest.param("2y", "but it contains y", id="symbol"),
    pytest.param("asin(2)", "must be a finite real number", id="imaginary"),
    pytest.param(float("inf"), "must be a finite real number", id="infinite-float"),
])
def test_number_names_what_is_wrong(value, message: str) -> None:
    """A value that is not a finite real constant is a UsageError naming what was expected."""
    with pytest.raises(UsageError, match=message):
        request.number(value, "the value")


# --- points -------------------------------------------------------------------------------------


@pytest.mark.parametrize("at, expected", [
    pytest.param("3", {x: 3}, id="bare-text"),
    pytest.param(3, {x: 3}, id="bare-int"),
    pytest.param("pi/4", {x: pi / 4}, id="bare-constant"),
    pytest.param(Fraction(1, 2), {x: Rational(1, 2)}, id="bare-fraction"),
    pytest.param("x=3", {x: 3}, id="assignment"),
    pytest.param({"x": "1/2"}, {x: Rational(1, 2)}, id="mapping"),
    pytest.param({Symbol("x"): 2}, {x: 2}, id="mapping-by-symbol"),
])
def test_point_with_one_variable(at, expected) -> None:
    """With one variable a bare value is accepted as well as name=value."""
    assert expected == request.point(at, (x,))


def test_point_is_ordered_like_the_variables() -> None:
    """The point comes back in the order of the variables, whatever order it was written in."""
    assert [y, x] == list(request.point("x=1, y=2", (y, x)))
    assert [x, y] == list(request.point("x=1, y=2", (y, x), given_order=True))


@pytest.mark.parametrize("at, message", [
    pytest.param("3", 'single value (3), but there are several variables (x, y); give '
                      'name=value for each, e.g. --at "x=1, y=1"', id="bare-with-two"),
    pytest.param("x=1, z=2", "gives z, which is not a variable of the expression "
                             "(its variables: x, y)", id="unknown"),
    pytest.param("x=1", 'must give every variable; missing: y (write, e.g., --at "x=1, y=1")',
                 id="missing"),
    pytest.param("x=asin(2), y=0", "the value of x must be a finite real number", id="imaginary"),
    pytest.param({"x": "y", "y": 1}, "the value of x must be a number, but it contains y",
                 id="symbolic-value"),
    pytest.param([1, 2], "must be text such as 'x=3, y=1', a mapping", id="list"),
    pytest.param(" ", 'the point is empty; give it as, e.g., --at "x=1, y=1"', id="empty"),
])
def test_point_errors(at, message: str) -> None:
    """Bad points get one message, the same in every command."""
    with pytest.raises(UsageError) as error:
        request.point(at, (x, y))
    assert message in str(error.value)


def test_point_names_its_option_and_what_it_is() -> None:
    """The start point of descent is named as such, with its own option in the example."""
    with pytest.raises(UsageError, match='the start point must give every variable; missing: y '
                                         r'\(write, e.g., --start "x=1, y=1"\)'):
        request.point("x=1", (x, y), what="the start point", option="--start")


def test_point_may_leave_out_what_is_not_required() -> None:
    """Only the required variables must be given (a plot's own axes may be left free)."""
    assert {z: 2} == request.point("z=2", (x, y, z), required=(z,))


@pytest.mark.parametrize("call", [
    pytest.param(lambda: calcgrad.diff("x^2 y", wrt="x", at="x=1, z=2"), id="diff"),
    pytest.param(lambda: calcgrad.gradient("x^2 y", at="x=1, z=2"), id="gradient"),
    pytest.param(lambda: calcgrad.hessian("x^2 y", at="x=1, z=2"), id="hessian"),
    pytest.param(lambda: calcgrad.jacobian("x^2 y; y", at="x=1, z=2"), id="jacobian"),
    pytest.param(lambda: calcgrad.first_principles("x^2 y", wrt="x", at="x=1, z=2"),
                 id="first-principles"),
])
def test_unknown_name_in_a_point_is_the_same_message_everywhere(call) -> None:
    """Every API function names an unknown coordinate the same way."""
    with pytest.raises(UsageError, match=r"the point gives z, which is not a variable of the "
                                         r"expression \(its variables: "):
        call()


def test_bare_point_works_in_every_function_of_one_variable() -> None:
    """`at=3` (or "3") is accepted wherever there is one variable."""
    assert 6 == calcgrad.diff("x^2", at=3).value
    assert 6 == calcgrad.first_principles("x^2", at=3).value
    assert (6,) == calcgrad.gradient("x^2", at="3").value
    assert 1 == len(calcgrad.descend("x^2", 1, 0.1, iterations=1).trace) - 1


# --- directions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1,1", "(1, 1)", "[1,1]", [1, 1], ("1", 1)])
def test_direction_forms(given) -> None:
    """A direction is written as on paper or given as a list."""
    assert (1, 1) == request.direction(given, (x, y))


@pytest.mark.parametrize("given, message", [
    pytest.param("", "the direction is empty", id="empty"),
    pytest.param("1", r"has 1 component but there are 2 variables \(x, y\)", id="too-short"),
    pytest.param("0,0", "length zero", id="zero"),
    pytest.param("1,i", "direction component 2", id="not-real"),
])
def test_direction_errors(given, message: str) -> None:
    """A direction that cannot be used says why."""
    with pytest.raises(UsageError, match=message):
        request.direction(given, (x, y))


# --- the wrt keyword and its old name -----------------------------------------------------------


def test_wrt_keyword_everywhere() -> None:
    """Every API function takes the variables as wrt=."""
    assert 2 * x * y == calcgrad.diff("x^2 y", wrt="x").result
    assert 2 == calcgrad.diff("x^2 y", wrt="x,y").result.diff(x)
    assert (y, x) == calcgrad.gradient("x y", wrt="y,x").variables
    assert (y, x) == calcgrad.hessian("x y", wrt=["y", "x"]).variables
    assert (y, x) == calcgrad.jacobian("x y", wrt="y,x").variables
    assert x == calcgrad.first_principles("x^2 y", wrt="x").variable


@pytest.mark.parametrize("function", [calcgrad.gradient, calcgrad.hessian, calcgrad.jacobian])
def test_old_vars_keyword_still_works_with_a_deprecation_warning(function) -> None:
    """vars= is the old name of wrt=: accepted, with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match="use wrt="):
        result = function("x y", vars="y,x")
    assert (y, x) == result.variables


def test_vars_and_wrt_together_are_refused() -> None:
    """The variables are given once."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(UsageError, match="give the variables once"):
            calcgrad.gradient("x y", wrt="x", vars="y")


def test_descend_old_steps_keyword() -> None:
    """descend(steps=) is the old name of iterations=."""
    with pytest.warns(DeprecationWarning, match="use iterations="):
        old = calcgrad.descend("x^2", "x=1", 0.1, steps=3)
    assert old.trace == calcgrad.descend("x^2", "x=1", 0.1, iterations=3).trace


# --- network parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("key, expected", [
    pytest.param("W1[3,1]", ("W", 1, 2, 0), id="weight"),
    pytest.param(" w2 [ 1 , 3 ] ", ("W", 2, 0, 2), id="lowercase-spaces"),
    pytest.param("b1[2]", ("b", 1, 1, None), id="bias"),
    pytest.param("W1[2,0]", ("W", 1, 2, 0), id="old-zero-based"),
    pytest.param("b2[0]", ("b", 2, 0, None), id="old-zero-based-bias"),
])
def test_parameter_keys_count_from_one(key: str, expected) -> None:
    """--param counts from 1; the old 0-based form is read when it has an index 0."""
    assert expected == request.parameter(key, (2, 3, 1))
    canonical = request.parameter_key(*expected)
    assert expected == request.parameter(canonical, (2, 3, 1))


def test_parameter_key_prints_counting_from_one() -> None:
    """The printed key of array indices (2, 0) of W1 is W1[3,1]; of b2[0] it is b2[1]."""
    assert "W1[3,1]" == request.parameter_key("W", 1, 2, 0)
    assert "b2[1]" == request.parameter_key("b", 2, 0)


@pytest.mark.parametrize("key, message", [
    pytest.param("W1[4,1]", r"outside W1, whose shape is \(3, 2\) \(rows 1…3, columns 1…2, "
                            r"counted from 1\)", id="row"),
    pytest.param("W3[1,1]", "layers 1…2", id="layer"),
    pytest.param("b1[1,1]", r"a bias one b1\[j\]", id="bias-two-indices"),
    pytest.param("x1", "count from 1", id="garbage"),
])
def test_parameter_errors(key: str, message: str) -> None:
    """A key outside the network says which ranges are valid."""
    with pytest.raises(UsageError, match=message):
        request.parameter(key, (2, 3, 1))


# --- matrix entries -----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1,2", " 1 , 2 ", (1, 2), [1, 2]])
def test_entry_counts_from_one(given) -> None:
    """--entry 1,2 (or (1, 2)) is row 1, column 2, as on paper."""
    assert (1, 2) == request.entry(given, (2, 3))


@pytest.mark.parametrize("given, message", [
    pytest.param("0,1", "outside the 2×3 matrix; rows run 1…2 and columns 1…3", id="zero"),
    pytest.param("3,1", "outside the 2×3 matrix", id="row"),
    pytest.param("1", "a row and a column counted from 1", id="one-number"),
    pytest.param((1.0, 2), "counted from 1, not", id="float"),
])
def test_entry_errors(given, message: str) -> None:
    """An entry outside the matrix says which rows and columns there are."""
    with pytest.raises(UsageError, match=message):
        request.entry(given, (2, 3))
