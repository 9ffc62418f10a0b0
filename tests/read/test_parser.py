"""Tests for calcgrad.read.parser: notation, errors, confusables, cost limits and safety."""

from __future__ import annotations

import builtins

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import (
    E, Abs, DiracDelta, Heaviside, Max, Piecewise, Rational, acosh, acot, asin, asinh, atan, atanh, cbrt,
    cos, erf, erfc, exp, factorial, gamma, log, oo, pi, polygamma, sign, sin, sinh, sqrt, tan,
)

from calcgrad import limits
from calcgrad.errors import LimitError, ParseError
from calcgrad.engine.functions import relu, sigmoid, softplus
from calcgrad.read.parser import ParseLimitError, parse, parse_point, parse_symbol, symbol
from tests.parsing_strategies import expressions, math_text

R = dict(real=True)
x, y, z, r, a, b, c, f, n = sympy.symbols("x y z r a b c f n", **R)
w_1, w_2, x_12, x_i, w_ij, b_2 = sympy.symbols("w_1 w_2 x_12 x_i w_ij b_2", **R)
theta, alpha, sigma, lam, gamma_, phi, eps, e_sym = sympy.symbols(
    "theta alpha sigma lambda gamma phi epsilon e", **R)
loss, lr = sympy.symbols("loss lr", **R)

READS = [
    # numbers
    ("42", sympy.Integer(42)),
    ("0.5", sympy.Float("0.5")),
    (".5", sympy.Float("0.5")),
    ("1e-3", sympy.Float("1e-3")),
    ("2.5E4", sympy.Float("2.5e4")),
    ("2e^x", 2 * exp(x)),
    ("2e", 2 * E),
    ("1/2", Rational(1, 2)),
    # operators
    ("x**2", x**2),
    ("x^2", x**2),
    ("2^3^2", sympy.Integer(512)),
    ("x²", x**2),
    ("x³", x**3),
    ("x⁻¹", 1 / x),
    ("x²³", x**23),
    ("(x+1)²", (x + 1) ** 2),
    ("x*y", x * y),
    ("x·y", x * y),
    ("x×y", x * y),
    ("x/y", x / y),
    ("x÷y", x / y),
    ("x - y", x - y),
    ("x − y", x - y),
    ("-x^2", -(x**2)),
    ("-2^2", sympy.Integer(-4)),
    ("+x", x),
    ("x*-y", -x * y),
    ("--x", x),
    ("[x+1]*{x-1}", (x + 1) * (x - 1)),
    ("x\ty\nz", x * y * z),
    # implicit multiplication
    ("3x", 3 * x),
    ("3xy", 3 * x * y),
    ("2(x+1)", 2 * (x + 1)),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x sin(x)", x * sin(x)),
    ("2 pi r", 2 * pi * r),
    ("1/2(x+1)", (x + 1) / 2),
    ("1/2x", x / 2),
    ("x/2y", x * y / 2),
    ("x(x+1)", x * (x + 1)),
    ("f(x)", f * x),
    # powers and signed exponents
    ("e^-x", exp(-x)),
    ("2^-n", 2**-n),
    ("x^-2", x**-2),
    ("e^-x^2", exp(-(x**2))),
    ("x^2y", x**2 * y),
    ("e^2x", exp(2) * x),
    ("x^(1/3)", x ** Rational(1, 3)),
    ("x^{n+1}", x ** (n + 1)),
    ("e^sin x", exp(sin(x))),
    # functions
    ("sin(x)", sin(x)),
    ("arcsin(x)", asin(x)),
    ("atan(x)", atan(x)),
    ("arccot(x)", acot(x)),
    ("sinh(x)", sinh(x)),
    ("arsinh(x)", asinh(x)),
    ("arctanh(x)", atanh(x)),
    ("exp(x)", exp(x)),
    ("ln(x)", log(x)),
    ("log(x)", log(x)),
    ("log(x, 2)", log(x, 2)),
    ("log_2(x)", log(x, 2)),
    ("log_2 x", log(x, 2)),
    ("log_{10}(x)", log(x, 10)),
    ("log10(x)", log(x, 10)),
    ("log2(x)", log(x, 2)),
    ("log₂x", log(x, 2)),
    ("sqrt(x)", sqrt(x)),
    ("cbrt(x)", cbrt(x)),
    ("√x", sqrt(x)),
    ("√(x+1)", sqrt(x + 1)),
    ("2√x", 2 * sqrt(x)),
    ("∛x", cbrt(x)),
    ("abs(x)", Abs(x)),
    ("Abs(x)", Abs(x)),
    ("|x|", Abs(x)),
    ("|x - 1| + 2", Abs(x - 1) + 2),
    ("2|x|", 2 * Abs(x)),
    ("||x|-|y||", Abs(Abs(x) - Abs(y))),
    ("|x|y|z|", Abs(x) * y * Abs(z)),
    ("sigmoid(x)", sigmoid(x)),
    ("σ(x)", sigmoid(x)),
    ("sigma(x)", sigmoid(x)),
    ("σ x", sigma * x),
    ("sigma", sigma),
    ("relu(x)", relu(x)),
    ("ReLU(x)", relu(x)),
    ("softplus(x)", softplus(x)),
    ("sign(x)", sign(x)),
    ("sgn(x)", sign(x)),
    ("Heaviside(x)", Heaviside(x, 0)),  # the kink convention: step(0) = 0
    ("Heaviside(x, 0)", Heaviside(x, 0)),
    ("step(x)", Heaviside(x, 0)),
    ("DiracDelta(x)", DiracDelta(x)),
    ("DiracDelta(x, 1)", DiracDelta(x, 1)),
    ("erf(x) + erfc(x)", erf(x) + erfc(x)),
    ("gamma(x)", gamma(x)),
    ("gamma", gamma_),
    ("polygamma(0, x)", polygamma(0, x)),
    ("factorial(x)", factorial(x)),
    ("factorial(5)", sympy.Integer(120)),
    ("Max(0, x)", relu(x)),  # every spelling of ReLU is ReLU
    ("max(x, 0)", relu(x)),
    ("Max(1, x)", Max(1, x)),
    ("E", E),
    ("pi", pi),
    ("π", pi),
    ("e", E),
    ("oo", oo),
    ("EulerGamma", sympy.EulerGamma),
    ("-oo", -oo),
    ("∞", oo),
    ("Piecewise((x, x > 0), (0, True))", Piecewise((x, x > 0), (0, True))),
    ("Piecewise((x, x >= 1), (-x, x <= -1), (0, True))", Piecewise((x, x >= 1), (-x, x <= -1), (0, True))),
    ("Piecewise((x, (x > 0) & (y < 1)), (0, True))", Piecewise((x, (x > 0) & (y < 1)), (0, True))),
    ("Piecewise((x, (x > 0) | (x < -1)), (0, True))", Piecewise((x, (x > 0) | (x < -1)), (0, True))),
    ("Piecewise((x, (x+1)*2 > 0), (0, True))", Piecewise((x, 2 * x + 2 > 0), (0, True))),
    # powers of functions and inverses
    ("sin^2(x)", sin(x) ** 2),
    ("sin^2 x", sin(x) ** 2),
    ("sin²x", sin(x) ** 2),
    ("sin(x)^2", sin(x) ** 2),
    ("sin(x)²", sin(x) ** 2),
    ("sin^-1(x)", asin(x)),
    ("sin^(-1)(x)", asin(x)),
    ("sin⁻¹x", asin(x)),
    ("tan^-1 x", atan(x)),
    ("cosh^-1(x)", acosh(x)),
    # functions without brackets
    ("sin x", sin(x)),
    ("cos 3x", cos(3 * x)),
    ("ln x^2", log(x**2)),
    ("y cos xy", y * cos(x * y)),
    ("sin x cos x", sin(x) * cos(x)),
    ("sin 2x/3", sin(2 * x) / 3),
    ("sin x + 1", sin(x) + 1),
    ("sin(x+1) y", sin(x + 1) * y),
    ("sin (x+1) y", sin(x + 1) * y),
    ("sin sin x", sin(sin(x))),
    ("tan x sec x", tan(x) * sympy.sec(x)),
    # letter runs
    ("xy", x * y),
    ("sinx", sin(x)),
    ("xsin(x)", x * sin(x)),
    ("theta", theta),
    ("θ", theta),
    ("pix", pi * x),
    ("alpha x", alpha * x),
    ("λ", lam),
    ("lambda", lam),
    ("ϕ + ϵ", phi + eps),
    ("abc(x)", a * b * c * x),
    # indexed names
    ("w1", w_1),
    ("w_1", w_1),
    ("w₁", w_1),
    ("w_{1}", w_1),
    ("w1 + w_1", 2 * w_1),
    ("x_12", x_12),
    ("x_i", x_i),
    ("w_ij", w_ij),
    ("w_{ij}", w_ij),
    ("b2 w2", b_2 * w_2),
    ("θ₁", sympy.Symbol("theta_1", **R)),
    ("theta1", sympy.Symbol("theta_1", **R)),
    ("2x_1", 2 * sympy.Symbol("x_1", **R)),
    # characters
    ("ｘ + （1）", x + 1),
    ("𝑥^2", x**2),
]


@pytest.mark.parametrize("text, expected", READS, ids=[t for t, _ in READS])
def test_reads(text, expected):
    """The text reads as the SymPy expression written out by hand."""
    assert expected == parse(text)


def test_symbols_are_real():
    """Every symbol the parser makes is real."""
    assert all(s.is_real for s in parse("x + w1 + theta + y_hat").free_symbols)


def test_declared_variables():
    """Declared names are single symbols; e becomes a variable when declared."""
    assert loss * lr == parse("loss lr", variables=["loss", "lr"])
    assert 2 * loss == parse("2loss", variables=["loss"])
    assert e_sym * x == parse("e x", variables=["e"])
    assert exp(x) == parse("exp(x)", variables=["e"])
    assert x * loss == parse("xloss", variables=["loss"])


def test_numbers_are_exact():
    """Integers and fractions stay exact."""
    assert sympy.Integer(10) ** 30 == parse("1000000000000000000000000000000")
    assert Rational(1, 3) == parse("1/3")


ERRORS = [
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    ("(x+1", 0, "'(' at column 1 is never closed"),
    ("x + (y", 4, "'(' at column 5 is never closed"),
    ("x+1)", 3, "')' at column 4 has no matching '('"),
    ("(x]", 2, "closed by ']'"),
    ("x +", 2, "expression ends after '+'; something is missing after it"),
    ("x^", 1, "the exponent is missing"),
    ("x + * y", 4, "two operators in a row"),
    ("* x", 0, "starts with '*'"),
    ("()", 0, "empty brackets"),
    ("x = 3", 2, "give an expression, not an equation"),
    ("y = x^2", 2, "give an expression, not an equation"),
    ("x < 1", 2, "give an expression, not an equation"),
    ("2 3", 2, "two numbers in a row"),
    ("x, y", 1, "can only separate function arguments"),
    ("|x", 0, "'|' at column 1 is never closed"),
    ("sin", 0, "'sin' at column 1 needs an argument"),
    ("sin + x", 0, "needs an argument"),
    ("sin()", 3, "nothing inside its brackets"),
    ("log(x, 2, 3)", 0, "takes 1 or 2 arguments, got 3"),
    ("polygamma x", 0, "needs brackets"),
    ("SIN(x)", 0, "unknown function 'SIN'"),  # Sin(x) is sin(x) (issue 10.4); shouting is not
    ("sine(x)", 0, "unknown function 'sine'"),
    ("cosine(x)", 0, "unknown function 'cosine'"),
    ("sqr(x)", 0, "unknown function 'sqr'"),
    ("sigmod(x)", 0, "unknown function 'sigmod'"),
    ("diff(x^2, x)", 0, "'diff' is a command, not part of an expression"),
    ("integrate(x)", 0, "'integrate' is a command"),
    ("solve(x)", 0, "'solve' is a command"),
    ("simplify(x)", 0, "'simplify' is a command"),
    ("eval(x)", 0, "'eval' is a command"),
    ("exec(x)", 0, "'exec' is a command"),
    ("lambda(x)", 0, "'lambda' is a command"),
    ("import os", 0, "'import' is a command"),
    ("__import__('os').getpid()", 0, "'_' at column 1"),
    ("os.system", 2, "'.' at column 3"),
    ("1.2.3", 3, "'.' at column 4"),
    ("x;y", 1, "character ';' (SEMICOLON) at column 2"),
    ("'x'", 0, "character ''' (APOSTROPHE) at column 1"),
    ('"x"', 0, "QUOTATION MARK"),
    ("x!", 1, "EXCLAMATION MARK"),
    ("x–1", 1, "EN DASH"),
    ("x\u200by", 1, "ZERO WIDTH SPACE"),
    ("x_", 1, "'_' at column 2 must be followed by an index"),
    ("x_1_2", 3, "'_' at column 4"),
    ("₁x", 0, "must follow a variable name"),
    ("²", 0, "nothing before it"),
    ("x/0", 1, "division by zero"),
    ("True", 0, "Piecewise condition"),
    ("x & y", 2, "only joins conditions"),
    ("zoo", 0, "complex infinity"),
    ("½", 0, "VULGAR FRACTION ONE HALF"),
    ("Piecewise((x, x), (0, True))", 15, "expected a comparison"),
    ("floor(x)", 0, "calcgrad has no function 'floor'"),  # never f·l·o²·r·x
    ("x + ceil(x)", 4, "calcgrad has no function 'ceil'"),
    ("round(2x)", 0, "no function 'round'"),
    ("mod(x, 3)", 0, "no function 'mod'"),
    ("softmax(x)", 0, "no function 'softmax'"),  # never s·o·f·t·max(x)
    ("deg(x)", 0, "no function 'deg'"),
    ("exp2(x)", 0, "unknown function 'exp2'"),  # 2^x or e^(2x)? refused, never read as e^(2x)
]


@pytest.mark.parametrize("text, position, fragment", ERRORS, ids=[t or "<empty>" for t, _, _ in ERRORS])
def test_errors(text, position, fragment):
    """Bad input raises ParseError at the right place with a message that says what is wrong."""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert position == info.value.position
    assert fragment in str(info.value)


def test_error_hints():
    """Common slips come with a hint that suggests the fix."""
    with pytest.raises(ParseError) as info:
        parse("sine(x)")
    assert "did you mean sin? (to multiply letters, write s*i*n*e)" == info.value.hint
    with pytest.raises(ParseError) as info:
        parse("2 3")
    assert "2*3" in info.value.hint


def test_caret_points_at_the_fault():
    """The caret line sits under the offending character."""
    with pytest.raises(ParseError) as info:
        parse("x + (y")
    assert "x + (y\n    ^" == info.value.caret()


def test_exit_status_is_two():
    """Parse errors map to exit status 2."""
    assert 2 == ParseError.exit_code == ParseLimitError.exit_code


CONFUSABLES = [
    ("2х", "х", "CYRILLIC SMALL LETTER HA", "x"),
    ("а+1", "а", "CYRILLIC SMALL LETTER A", "a"),
    ("xе", "е", "CYRILLIC SMALL LETTER IE", "e"),
    ("о", "о", "CYRILLIC SMALL LETTER O", "o"),
    ("р", "р", "CYRILLIC SMALL LETTER ER", "p"),
    ("с", "с", "CYRILLIC SMALL LETTER ES", "c"),
    ("у", "у", "CYRILLIC SMALL LETTER U", "y"),
    ("Α", "Α", "GREEK CAPITAL LETTER ALPHA", "A"),
    ("Χ", "Χ", "GREEK CAPITAL LETTER CHI", "X"),
    ("ο", "ο", "GREEK SMALL LETTER OMICRON", "o"),
]


@pytest.mark.parametrize("text, char, name, latin", CONFUSABLES, ids=[c[2] for c in CONFUSABLES])
def test_confusables_are_rejected(text, char, name, latin):
    """A letter that only looks Latin is refused with its Unicode name, never made a symbol."""
    with pytest.raises(ParseError) as info:
        parse(text)
    column = text.index(char) + 1
    assert f"character '{char}' ({name}) at column {column} looks like the Latin letter {latin}" == \
        info.value.message


def test_cyrillic_message_in_full():
    """The message for a Cyrillic x reads as the brief describes."""
    with pytest.raises(ParseError) as info:
        parse("2xх")
    assert str(info.value).startswith(
        "character 'х' (CYRILLIC SMALL LETTER HA) at column 3 looks like the Latin letter x")


LIMITS = [
    ("x" * (limits.MAX_INPUT_CHARS + 1), "MAX_INPUT_CHARS"),
    ("x" * 1_000_000, "MAX_INPUT_CHARS"),
    ("(" * 10_000 + "x" + ")" * 10_000, "MAX_INPUT_CHARS"),
    ("(" * (limits.MAX_NESTING + 1) + "x" + ")" * (limits.MAX_NESTING + 1), "MAX_NESTING"),
    ("sin(" * (limits.MAX_NESTING + 1) + "x" + ")" * (limits.MAX_NESTING + 1), "MAX_NESTING"),
    ("sin " * (limits.MAX_NESTING + 1) + "x", "MAX_NESTING"),
    ("|" * 4000 + "x" + "|" * 4000, "MAX_NESTING"),
    ("√" * 5000 + "x", "MAX_NESTING"),
    ("x^" * 3000 + "x", "MAX_NESTING"),
    ("1" * (limits.MAX_NUMBER_DIGITS + 1), "MAX_NUMBER_DIGITS"),
    ("0." + "1" * (limits.MAX_NUMBER_DIGITS + 1), "MAX_NUMBER_DIGITS"),
    ("1e999999", "MAX_RESULT_DIGITS"),
    ("10^10^10", "MAX_RESULT_DIGITS"),
    ("9^9^9", "MAX_RESULT_DIGITS"),
    ("2^(10^6)", "MAX_RESULT_DIGITS"),
    ("(1/3)^(10^6)", "MAX_RESULT_DIGITS"),
    ("(2x)^(10^6)", "MAX_RESULT_DIGITS"),
    ("sqrt(2)^(10^6)", "MAX_RESULT_DIGITS"),
    ("exp(10^6 log(2))", "MAX_RESULT_DIGITS"),
    ("e^(10^6 log(2))", "MAX_RESULT_DIGITS"),
    ("9^4000 * 9^4000", "MAX_RESULT_DIGITS"),
    ("1.5^(10^999)", "MAX_RESULT_DIGITS"),
    ("polygamma(20, 1000)", "MAX_RESULT_DIGITS"),
    ("factorial(1001)", "MAX_FACTORIAL"),
    ("factorial(10^6)", "MAX_FACTORIAL"),
    ("gamma(10^6)", "MAX_FACTORIAL"),
]


@pytest.mark.parametrize("text, limit", LIMITS, ids=[f"{t[:24]}…{len(t)}" for t, _ in LIMITS])
def test_cost_limits(text, limit):
    """Input over a cost limit fails fast with a ParseError naming the limit."""
    with pytest.raises(ParseLimitError) as info:
        parse(text)
    assert f"calcgrad.limits.{limit}" in info.value.hint
    assert isinstance(info.value, LimitError)


def test_symbolic_big_powers_are_fine():
    """A symbolic base may have a huge exponent: SymPy does not expand it."""
    assert (x + 1) ** 1_000_000 == parse("(x+1)^(10^6)")
    assert (x + 2) ** 1_000_000 == parse("(x+2)^(10^6)")
    assert pi**1_000_000 == parse("pi^(10^6)")


def test_limits_right_at_the_edge_are_allowed():
    """Exactly MAX_NESTING brackets and MAX_NUMBER_DIGITS digits still read."""
    depth = limits.MAX_NESTING
    assert x == parse("(" * depth + "x" + ")" * depth)
    assert sympy.Integer("9" * limits.MAX_NUMBER_DIGITS) == parse("9" * limits.MAX_NUMBER_DIGITS)
    assert sympy.Integer(2) ** 1000 == parse("2^1000")


def test_no_recursion_error_escapes():
    """Even with little stack left, deep input gives a ParseError, never a RecursionError."""
    import inspect
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        with pytest.raises(ParseError):
            parse("(" * 90 + "x" + ")" * 90)
    finally:
        sys.setrecursionlimit(old)


def test_ten_thousand_brackets_without_the_length_limit(monkeypatch):
    """With the length limit lifted, 10,000 nested brackets still fail cleanly on nesting."""
    monkeypatch.setattr(limits, "MAX_INPUT_CHARS", 10**6)
    with pytest.raises(ParseLimitError) as info:
        parse("(" * 10_000 + "x" + ")" * 10_000)
    assert "calcgrad.limits.MAX_NESTING" in info.value.hint


def test_variables_may_be_one_string():
    """A single declared name may be passed as a plain string."""
    assert 2 * loss == parse("2 loss", variables="loss")


CORPUS = [t for t, _ in READS] + [t for t, _, _ in ERRORS] + ["x=3, y=1/2"]


def test_never_evaluates_text(monkeypatch):
    """eval, exec, sympify and parse_expr are never called while parsing."""

    def forbidden(*args, **kwargs):
        raise AssertionError("user text reached an evaluator")

    import sys

    import sympy.parsing.sympy_parser

    sympify_module = sys.modules["sympy.core.sympify"]
    original = sympify_module.sympify

    def guarded(a, *args, **kwargs):
        if isinstance(a, str):
            raise AssertionError(f"a string reached sympify: {a!r}")
        return original(a, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy, "parse_expr", forbidden)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(sympify_module, "sympify", guarded)
    for text in CORPUS:
        try:
            parse(text)
        except ParseError:
            pass


def test_parse_symbol():
    """--wrt names read as one canonical symbol."""
    assert x == parse_symbol("x")
    assert w_1 == parse_symbol("w1")
    assert w_1 == parse_symbol("w_{1}")
    assert theta == parse_symbol("θ")
    assert theta == parse_symbol(" theta ")
    assert loss == parse_symbol("loss", variables=["loss"])
    assert e_sym == parse_symbol("e", variables=["e"])


@pytest.mark.parametrize("name", ["xy", "sin", "2", "x+1", "e", "pi", "", "loss"])
def test_parse_symbol_rejects(name):
    """Anything but a single name is refused."""
    with pytest.raises(ParseError):
        parse_symbol(name)


def test_symbol_is_canonical():
    """symbol() gives the same real symbol for every spelling of a name."""
    assert w_1 == symbol("w1") == symbol("w_1") == symbol("w₁") == symbol("w_{1}")
    assert theta == symbol("θ") == symbol("theta")
    assert loss == symbol("loss")
    assert symbol("x").is_real


def test_parse_point():
    """A point reads into a dict of constants keyed by canonical symbols."""
    assert {x: 3, y: Rational(1, 2), theta: pi / 4} == parse_point("x=3, y=1/2, theta=pi/4")
    assert {w_1: sympy.Integer(2), x: Rational(1, 2)} == parse_point("w1 = 2, x = log_2(2)/2")
    assert {x: sympy.Max(1, 2)} == parse_point("x=Max(1, 2)")


@pytest.mark.parametrize("text, fragment", [
    ("x=3, x=4", "given twice"),
    ("w1=1, w_1=2", "given twice"),
    ("x=y", "must be a number"),
    ("x", "expected name=value"),
    ("x=", "no value after '='"),
    ("xy=1", "expected name=value"),
    ("x=1,,y=2", "empty entry"),
    ("", "empty point"),
    ("3=x", "not a variable name"),
])
def test_parse_point_errors(text, fragment):
    """Bad points raise ParseError saying what is wrong."""
    with pytest.raises(ParseError) as info:
        parse_point(text)
    assert fragment in str(info.value)


def test_bad_declared_variable():
    """Declared names must be identifiers and not function names."""
    for name in ("sin", "2x", "a b", "__class__"):
        with pytest.raises(ParseError):
            parse("x", variables=[name])


def test_sympy_expression_passes_through():
    """A SymPy expression given to parse is returned as it is."""
    assert x**2 == parse(x**2)


def _same(a, b) -> bool:
    """Equal, or (when SymPy's canonical forms differ) equal after simplification or printing."""
    if a == b:
        return True
    a, b = (e.replace(relu, lambda u: sympy.Max(0, u)) for e in (a, b))  # Max(0, u) reads as relu
    if a == b:
        return True
    if a.has(sympy.Float) and sympy.sstr(a, order=None) == sympy.sstr(b, order=None):
        return True  # 15 printed digits need not hold every bit
    difference = sympy.simplify(a - b)
    if difference == 0 or not difference.has(sympy.Float):
        return difference == 0
    point = {s: Rational(k + 2, 7) for k, s in enumerate(sorted(a.free_symbols, key=str))}
    return abs(complex(difference.subs(point).evalf())) < 1e-9 * (1 + abs(complex(a.subs(point).evalf())))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions)
def test_sstr_reads_back(expr):
    """What SymPy prints (sstr) reads back as the same expression."""
    if expr.has(sympy.zoo, sympy.nan, sympy.I, sympy.AccumBounds) or not isinstance(expr, sympy.Expr):
        return
    if any(p.base.is_number and p.base.is_negative and not p.exp.is_Integer
           for p in expr.atoms(sympy.Pow)):
        return  # SymPy's (−1)^(1/3) is the complex principal root; calcgrad reads the real root
    try:
        text = sympy.sstr(expr, order=None)
    except ValueError:  # an integer too long for Python to print; not the parser's concern
        return
    assert _same(expr, parse(text)), text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=40))
def test_any_text_raises_only_parse_error(text):
    """Arbitrary text either parses or raises ParseError, nothing else."""
    try:
        parse(text)
    except ParseError:
        pass


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(math_text)
def test_math_like_text_raises_only_parse_error(text):
    """Text made of operators, names and brackets either parses or raises ParseError."""
    try:
        parse(text)
    except ParseError:
        pass
    try:
        parse_point(text)
    except ParseError:
        pass


# --- notation never silently misread (issue: right at the edges) ----------------------------

NOTATION = [
    ("1e-3x", sympy.Float("0.001") * x),
    ("2.5e2 x", sympy.Float(250) * x),
    ("sqrt[3](x)", x ** sympy.Rational(1, 3)),
    ("sqrt[4] x", x ** sympy.Rational(1, 4)),
    ("root(x, 3)", x ** sympy.Rational(1, 3)),
    ("√x^2", sympy.sqrt(x**2)),
    ("sqrt x^2", sympy.sqrt(x**2)),
    ("sin x e^x", sympy.sin(x) * sympy.exp(x)),
    ("sin x (x + 1)", sympy.sin(x) * (x + 1)),
    ("sqrt x (x - 1)", sympy.sqrt(x) * (x - 1)),
    ("cos x x^2", x**2 * sympy.cos(x)),
    ("cos xy", sympy.cos(x * y)),
    ("sin 2x", sympy.sin(2 * x)),
    ("sin x^2", sympy.sin(x**2)),
    ("(-8)^(1/3)", sympy.Integer(-2)),
    ("sqrt[3](-8)", sympy.Integer(-2)),
    ("(-8)^(2/3)", sympy.Integer(4)),
]


@pytest.mark.parametrize("text,expected", NOTATION, ids=[t for t, _ in NOTATION])
def test_textbook_notation(text: str, expected: sympy.Expr) -> None:
    """Scientific notation, n-th roots, bracketless arguments up to the next space, real odd roots."""
    assert expected == parse(text)


@pytest.mark.parametrize("text", ["sqrt(-1)", "(-4)^(1/2)", "ln(-2)", "log(-1)", "sqrt(-4) + x"])
def test_complex_numbers_refused(text: str) -> None:
    """Anything that needs complex numbers is refused with a message: calcgrad works over the reals."""
    with pytest.raises(ParseError, match="real"):
        parse(text)


@pytest.mark.parametrize("text", ["sine x", "cosine(x)", "tangent x", "logarithm x"])
def test_spelled_out_function_names_are_not_split(text: str) -> None:
    """'sine x' is never sin(e·x): a misspelt function name is refused with a did-you-mean."""
    with pytest.raises(ParseError, match="did you mean"):
        parse(text)


WARNED = [
    ("e^2x", "e^(2x)"),
    ("e^-2x", "e^(-2x)"),
    ("1/2x", "1/(2x)"),
    ("a/bc", "a/(bc)"),
    ("2^3x", "2^(3x)"),
    ("x^1/2", "x^(1/2)"),
    ("x^-1/2", "x^(-1/2)"),
    ("x^3/2", "x^(3/2)"),
]


@pytest.mark.parametrize("text,alternative", WARNED, ids=[t for t, _ in WARNED])
def test_easily_misread_readings_carry_a_warning(text: str, alternative: str) -> None:
    """A documented reading that is often not what was meant says so, with the other spelling."""
    from calcgrad.read.parser import read

    warnings = read(text).warnings
    assert 1 == len(warnings)
    assert alternative in warnings[0]


@pytest.mark.parametrize("text", ["x^2y", "e^(2x)", "1/(2x)", "x^2 y", "1/2 x", "e^x sin x",
                                  "x^2/2", "x^4/4", "x^(1/2)", "x^2/y"])
def test_clear_readings_carry_no_warning(text: str) -> None:
    """x²y, bracketed and spaced forms are clear: no warning."""
    from calcgrad.read.parser import read

    assert () == read(text).warnings


def test_warnings_reach_every_format() -> None:
    """The warning is under "Interpreted as" in text and in the JSON "warnings" list."""
    import calcgrad

    derivation = calcgrad.diff("e^2x")
    assert "e^(2x)" in derivation.plain().splitlines()[1]
    assert "e^(2x)" in derivation.to_dict()["warnings"][0]
    assert "e^(2x)" in derivation.markdown()


def test_tower_inside_a_function_is_refused_before_the_function_is_built() -> None:
    """sin(e^e^e^e^3 x): refused while reading, before SymPy's sin() evaluates the tower."""
    with pytest.raises(ParseError, match="too large"):
        parse("sin(e^e^e^e^3 x)")
JUXTAPOSED_AFTER_POWER = [
    ("(3x^2+1)^4 6x", "6*x*(3*x**2 + 1)**4"),
    ("x^2 3", "3*x**2"),
    ("x^-2 3", "3/x**2"),
    ("(x+1)^2 2(x+1)", "2*(x + 1)**3"),
]


@pytest.mark.parametrize("text,expected", JUXTAPOSED_AFTER_POWER, ids=[t for t, _ in JUXTAPOSED_AFTER_POWER])
def test_a_number_after_an_exponent_is_a_factor(text: str, expected: str) -> None:
    """A chain-rule answer such as (3x^2+1)^4 6x multiplies, with a warning naming the reading."""
    from calcgrad.read.parser import read

    reading = read(text)
    assert parse(expected) == reading.expression
    assert 1 == len(reading.warnings)
    assert "is read as the power" in reading.warnings[0]


@pytest.mark.parametrize("text", ["2 3", "x 2 3", "sin(x) 2 3"])
def test_two_plain_numbers_in_a_row_stay_an_error(text: str) -> None:
    """Two numbers that are not an exponent and a factor are still refused."""
    with pytest.raises(ParseError, match="two numbers in a row"):
        parse(text)


@pytest.mark.parametrize("text, hint", [
    ("floor(x)", "write f*l*o*o*r"),
    ("softmax(x)", "calcgrad network"),
    ("deg(x)", "x*pi/180"),
    ("exp2(x)", "write 2^x"),
])
def test_functions_not_offered_say_what_to_write(text: str, hint: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert hint in info.value.hint


def test_names_not_offered_still_read_as_letters_without_a_bracket_or_when_declared() -> None:
    x, d, g = sympy.symbols("x d g", real=True)
    assert d * sympy.E * g * x == parse("deg x")  # e is Euler's number, as everywhere
    assert sympy.Symbol("mod", real=True) * x == parse("mod(x)", variables=["mod"])
    assert sympy.exp(2 * x) == parse("exp(2x)")


@pytest.mark.parametrize("text, place", [("e^xsinx", "exponent"), ("1/2sqrt(x)", "denominator")])
def test_a_function_right_after_a_power_or_divisor_gets_a_note_that_reads(text: str, place: str) -> None:
    """The note names the function with its argument to come, never 'e^(xsin)'."""
    from calcgrad.read.parser import read

    (warning,) = read(text).warnings
    assert f"in the {place} write brackets" in warning
    assert "(xsin)" not in warning and "(2sqrt)" not in warning
