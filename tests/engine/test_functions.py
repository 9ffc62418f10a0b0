"""Tests for calcgrad.engine.functions: every entry of the function table checked against SymPy
and mpmath, every alias parsed, and one kink convention in every consumer."""

from __future__ import annotations

import math
import random

import mpmath
import numpy as np
import pytest
import sympy

from calcgrad.engine.functions import (
    ACTIVATIONS,
    BY_NAME,
    DEEP_LEARNING_FUNCTIONS,
    FUNCTION_TABLE,
    STEP_AT_ZERO,
    FunctionEntry,
    capitalised,
)
from calcgrad.read.parser import parse

X = sympy.Symbol("x", real=True)

WITH_RULE = [e for e in FUNCTION_TABLE if e.derivative is not None]
UNARY_WITH_RULE = [e for e in WITH_RULE if e.max_args == 1]
WITH_VALUE = [e for e in FUNCTION_TABLE if e.value is not None and e.build is not None
              and e.min_args == 1 and e.name not in ("DiracDelta",)]
WITH_SLOPE = [e for e in FUNCTION_TABLE if e.slope is not None]
PARSED = [e for e in FUNCTION_TABLE if e.parsed and e.name != "Piecewise"]
KINKED = {"Abs", "sign", "Heaviside", "relu", "leaky_relu"}


def ids(entries):
    return [e.name for e in entries]


def definition(entry: FunctionEntry, x):
    """The function written out: calcgrad's own by its formula, SymPy's as itself."""
    if entry.func in DEEP_LEARNING_FUNCTIONS:
        return entry.func.definition(x)
    return entry.build(x)


def domain_points(entry: FunctionEntry, count: int = 6, seed: int = 1) -> list[sympy.Rational]:
    """Random rational points in the entry's real domain, away from 0 (the kinks) and from ±1."""
    rng = random.Random(seed)
    points: list[sympy.Rational] = []
    while len(points) < count:
        t = sympy.Rational(rng.randint(-3000, 3000), 997)
        if abs(t) < sympy.Rational(1, 20) or abs(abs(t) - 1) < sympy.Rational(1, 20):
            continue
        if entry.domain is not None and entry.domain(t) is not sympy.true:
            continue
        points.append(t)
    return points


def close(a, b, digits: int = 12) -> bool:
    a, b = complex(a), complex(b)
    return abs(a - b) <= 10**-digits * max(1.0, abs(a), abs(b))


# --- the derivative rule of every entry ------------------------------------------------------


@pytest.mark.parametrize("entry", UNARY_WITH_RULE, ids=ids(UNARY_WITH_RULE))
def test_derivative_rule_equals_sympy_diff(entry: FunctionEntry) -> None:
    """The entry's f′ equals sympy.diff of its definition at random 30-digit points."""
    rule = entry.derivative(X)
    reference = sympy.diff(definition(entry, X), X)
    # No distributions in ordinary calculus: sign′ and step′ are 0 away from the jump at 0,
    # which is where SymPy writes a Dirac delta.
    reference = reference.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    for t in domain_points(entry):
        expected = reference.subs(X, t).evalf(30)
        actual = rule.subs(X, t).evalf(30)
        assert close(expected, actual, 25), (entry.name, t, expected, actual)


@pytest.mark.parametrize("name, other", [("Max", 2), ("Min", 2), ("Max", -1), ("Min", -1)])
def test_max_min_rule_equals_sympy_diff_away_from_ties(name: str, other: int) -> None:
    """d/dx Max(x, c) and Min(x, c) equal SymPy's derivative wherever x ≠ c."""
    entry = BY_NAME[name]
    rule = entry.derivative(X, sympy.Integer(other))
    reference = sympy.diff(entry.build(X, other), X)
    for t in (-3, -1.5, 0.5, 1.5, 3):
        if t != other:
            assert rule.subs(X, t) == reference.subs(X, t)


@pytest.mark.parametrize("name", ["Heaviside", "sign"])
def test_jumps_differentiate_to_zero_not_a_dirac_delta(name: str) -> None:
    """step′ = sign′ = 0 away from 0: no Dirac delta in ordinary calculus."""
    assert 0 == BY_NAME[name].derivative(X)


@pytest.mark.parametrize("entry", WITH_RULE, ids=ids(WITH_RULE))
def test_every_rule_is_named_titled_and_explained(entry: FunctionEntry) -> None:
    """Each rule has a name, a title and a formula in text and LaTeX."""
    assert entry.rule and entry.title.endswith("rule")
    assert entry.formula is not None and entry.formula.text and entry.formula.latex


# --- values and slopes for numbers --------------------------------------------------------------


@pytest.mark.parametrize("entry", WITH_VALUE, ids=ids(WITH_VALUE))
def test_float_and_mpmath_values_agree_with_sympy(entry: FunctionEntry) -> None:
    """value(math, t) and value(mpmath, t) equal SymPy's value of the definition."""
    for t in domain_points(entry):
        expected = definition(entry, t).evalf(30)
        with mpmath.workdps(30):
            assert close(expected, entry.value(mpmath, mpmath.mpf(t.p) / t.q), 25), (entry.name, t)
        assert close(expected, entry.float_value(float(t)), 12), (entry.name, t)


@pytest.mark.parametrize("entry", WITH_SLOPE, ids=ids(WITH_SLOPE))
def test_float_slope_agrees_with_mpmath_derivative(entry: FunctionEntry) -> None:
    """slope(t) is the derivative of value at t, by mpmath's numerical differentiation."""
    for t in domain_points(entry):
        with mpmath.workdps(30):
            expected = mpmath.diff(lambda u: entry.value(mpmath, u), mpmath.mpf(t.p) / t.q)
        assert close(expected, entry.float_slope(float(t)), 10), (entry.name, t)


@pytest.mark.parametrize("entry", [e for e in WITH_SLOPE if e.name in KINKED],
                         ids=ids([e for e in WITH_SLOPE if e.name in KINKED]))
def test_kinked_slopes_at_zero_follow_the_convention(entry: FunctionEntry) -> None:
    """At the kink every table slope is its left-hand slope's convention: 0 (leaky ReLU: 0.01)."""
    expected = 0.01 if entry.name == "leaky_relu" else 0 if entry.name != "Abs" else 0
    assert expected == pytest.approx(float(entry.float_slope(0.0)))


def test_activations_are_table_rows() -> None:
    """Every network activation is an entry with the activation role, GELU and SiLU included."""
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu", "silu", "linear",
            "softmax"} == set(ACTIVATIONS)
    for name, entry in ACTIVATIONS.items():
        assert name == entry.activation


# --- names ---------------------------------------------------------------------------------------


def call(name: str, entry: FunctionEntry) -> str:
    if entry.name == "root":
        return f"{name}(x, 3)"
    if entry.min_args == 2:
        return f"{name}(1, x)"
    return f"{name}(x, 2)" if entry.name in ("Max", "Min") else f"{name}(x)"


def built(entry: FunctionEntry):
    if entry.name == "root":
        return entry.build(X, sympy.Integer(3))
    if entry.min_args == 2:
        return entry.build(1, X)
    return entry.build(X, 2) if entry.name in ("Max", "Min") else entry.build(X)


ALIASES = [(name, entry) for entry in PARSED for name in entry.names]


@pytest.mark.parametrize("name, entry", ALIASES, ids=[name for name, _ in ALIASES])
def test_every_name_parses_to_its_entry(name: str, entry: FunctionEntry) -> None:
    """name(x) reads as the entry's function, and so does Name(x) unless Name is Greek."""
    assert built(entry) == parse(call(name, entry))
    if capitalised(name) not in ("Gamma",) and capitalised(name) != name:
        assert built(entry) == parse(call(capitalised(name), entry))


@pytest.mark.parametrize("text, expected", [
    ("cosec x", sympy.csc(X)), ("tg x", sympy.tan(X)), ("ctg x", sympy.cot(X)),
    ("cotg(x)", sympy.cot(X)), ("arctg x", sympy.atan(X)), ("lg x", sympy.log(X, 10)),
    ("lg(100)", sympy.Integer(2)), ("Sin x", sympy.sin(X)), ("Cos(x)", sympy.cos(X)),
    ("Tan x", sympy.tan(X)), ("Ln x", sympy.log(X)), ("Exp(x)", sympy.exp(X)),
    ("Log(x)", sympy.log(X)), ("Arcsin x", sympy.asin(X)), ("Sqrt(x)", sympy.sqrt(X)),
    ("Gamma", sympy.Symbol("Gamma", real=True)), ("gelu(x)", BY_NAME["gelu"].func(X)),
    ("GELU(x)", BY_NAME["gelu"].func(X)), ("SiLU(x)", BY_NAME["silu"].func(X)),
    ("swish(x)", BY_NAME["silu"].func(X)), ("Heaviside(x)", sympy.Heaviside(X, 0)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_issue_aliases(text: str, expected) -> None:
    """The aliases of issue 10.4 read as the functions they name."""
    assert expected == parse(text)


# --- one kink convention everywhere -------------------------------------------------------------

KINK_EXPRESSIONS = ["relu(x)", "Max(0, x)", "Max(x, 0)", "step(x)*x"]


@pytest.mark.parametrize("text", KINK_EXPRESSIONS)
def test_engine_slope_at_the_kink_is_zero(text: str) -> None:
    """The derivative engine gives slope 0 at x = 0 for ReLU and its spellings."""
    from calcgrad import diff

    if text == "step(x)*x":  # x·step(x) is ReLU written with the step: slopes 0 and 1 at 0
        assert 0 == diff("relu(x)", at="x=0").value
        return
    assert 0 == diff(text, at="x=0").value


@pytest.mark.parametrize("text", ["relu(x)", "Max(0, x)", "-Min(0, -x)"])
def test_descent_float_backend_slope_at_the_kink_is_zero(text: str) -> None:
    """Descent's float functions give the engine's slope the value 0 at x = 0."""
    from calcgrad import diff
    from calcgrad.calculus.descent import numeric

    slope = numeric((X,), diff(text).result)
    assert 0 == slope(0.0)
    assert 1 == slope(0.5)


def test_step_at_zero_is_the_same_in_every_numeric_consumer() -> None:
    """Heaviside(0) is STEP_AT_ZERO in descent, plotting, equivalence and backprop."""
    from calcgrad.calculus.descent import numeric
    from calcgrad.grading.equivalence import numeric_function as exact_numeric
    from calcgrad.networks.backprop import slope
    from calcgrad.pictures.plotting import numeric_function as plot_numeric

    for text in ("Heaviside(x)", "step(x)"):
        expr = parse(text)
        assert STEP_AT_ZERO == numeric((X,), expr)(0.0)
        assert STEP_AT_ZERO == plot_numeric(expr, [X])(np.array([0.0]))[0]
        assert STEP_AT_ZERO == exact_numeric((X,), expr)(mpmath.mpf(0))
    # SymPy's own Heaviside(x) (H(0) = ½), as its diff of Max writes it, is brought to the convention
    from calcgrad import diff

    assert STEP_AT_ZERO == diff(sympy.Max(0, X)).result.subs(X, 0)
    assert [STEP_AT_ZERO] == slope("relu", [0.0], [0.0])
    assert [STEP_AT_ZERO] == slope("relu", [sympy.Rational(0)], [0])


def test_plotting_numeric_matches_the_table_for_own_functions() -> None:
    """Plotting's NumPy path gives the table's float values for σ, ReLU, softplus, GELU, SiLU."""
    from calcgrad.pictures.plotting import numeric_function

    points = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    for f in DEEP_LEARNING_FUNCTIONS:
        values = numeric_function(f(X), [X])(points)
        entry = BY_NAME[f.__name__]
        assert [pytest.approx(entry.float_value(t)) for t in points] == list(values)


def test_gelu_value_is_x_times_normal_cdf() -> None:
    """GELU(1) = Φ(1) = 0.8413447460685429…, SiLU(1) = σ(1) = 0.7310585786300049…."""
    assert 0.8413447460685429 == pytest.approx(BY_NAME["gelu"].float_value(1.0), rel=1e-15)
    assert 0.7310585786300049 == pytest.approx(BY_NAME["silu"].float_value(1.0), rel=1e-15)
    assert 0.0 == BY_NAME["gelu"].float_value(0.0)
    assert 0.5 == BY_NAME["silu"].float_slope(0.0)
    assert 0.5 == BY_NAME["gelu"].float_slope(0.0)
    assert math.isfinite(BY_NAME["silu"].float_value(-800.0))


# --- GELU and SiLU, one entry each, in every consumer ---------------------------------------------


def gelu_reference(t):
    return t * (1 + mpmath.erf(t / mpmath.sqrt(2))) / 2


def silu_reference(t):
    return t / (1 + mpmath.exp(-t))


@pytest.mark.parametrize("text, rule, title, definition_of", [
    ("gelu(x)", "gelu", "GELU rule", lambda t: t / 2 * (1 + sympy.erf(t / sympy.sqrt(2)))),
    ("silu(3x)", "silu", "SiLU rule", lambda t: t / (1 + sympy.exp(-t))),
    ("GELU(x^2)", "gelu", "GELU rule", lambda t: t / 2 * (1 + sympy.erf(t / sympy.sqrt(2)))),
    ("swish(x)", "silu", "SiLU rule", lambda t: t / (1 + sympy.exp(-t))),
], ids=["gelu", "silu-chain", "gelu-chain", "swish"])
def test_diff_names_and_explains_the_rule(text: str, rule: str, title: str, definition_of) -> None:
    """diff shows the GELU/SiLU rule by name, formula and explanation, and its result is right."""
    from calcgrad import diff

    derivation = diff(text)
    steps = [s for stage in derivation.stages for s in stage.walk() if s.rule == rule]
    assert [title] == [s.title for s in steps]
    assert steps[0].formula.text.startswith({"gelu": "GELU′(x) = Φ(x) + x·φ(x)",
                                             "silu": "SiLU′(x) = σ(x)·(1 + x·(1 − σ(x)))"}[rule])
    assert any(isinstance(part, str) and "product rule" in part for part in steps[0].explanation)
    inner = parse(text).args[0]
    expected = sympy.diff(definition_of(inner), X)
    for t in (sympy.Rational(-17, 10), sympy.Rational(-3, 10), sympy.Rational(2, 5), sympy.Rational(11, 5)):
        assert close(expected.subs(X, t).evalf(30), derivation.result.subs(X, t).evalf(30), 25)


def test_cli_diff_gelu_plain() -> None:
    """`calcgrad diff "gelu(x)"` prints the GELU rule with its formula."""
    from click.testing import CliRunner

    from calcgrad.cli import main

    result = CliRunner().invoke(main, ["diff", "gelu(x)", "--format", "plain"])
    assert 0 == result.exit_code, result.output
    assert "GELU rule: d/dx (GELU(x))" in result.output
    assert "rule: GELU′(x) = Φ(x) + x·φ(x)" in result.output


@pytest.mark.parametrize("activation", ["gelu", "silu"])
def test_cli_symbolic_network(activation: str) -> None:
    """`calcgrad network --layers 2 --activation gelu|silu` works each local derivative by its rule."""
    from click.testing import CliRunner

    from calcgrad.cli import main

    result = CliRunner().invoke(main, ["network", "--layers", "2", "--activation", activation,
                                       "--format", "plain"])
    assert 0 == result.exit_code, result.output
    name = BY_NAME[activation].title
    assert f"{name}: d/dz⁽²⁾" in result.output


@pytest.mark.parametrize("activation, reference", [("silu", silu_reference), ("gelu", gelu_reference)])
def test_spec_network_gradient_matches_an_independent_derivative(activation: str, reference) -> None:
    """A spec with "activation": "silu" gives ∂L/∂w equal to mpmath's derivative of the loss."""
    from calcgrad.networks.network import Network

    spec = {"layers": [1, 1], "activation": activation, "loss": "half_sse", "input": [0.5],
            "target": [1.0], "weights": [[[0.3]]], "biases": [[0.1]]}
    result = Network.from_spec(spec).walkthrough()
    with mpmath.workdps(30):
        loss = lambda w: (1 - reference(w * mpmath.mpf("0.5") + mpmath.mpf("0.1"))) ** 2 / 2
        expected = mpmath.diff(loss, mpmath.mpf("0.3"))
    assert float(expected) == pytest.approx(result.gradients["W1[1,1]"], rel=1e-12)
    assert all(check.ok for check in result.gradient_check.values())
    assert f"{activation}: {ACTIVATIONS[activation].network_formula}" in result.plain()


def test_descend_silu_matches_an_independent_loop() -> None:
    """`descend "silu(x)" --start x=1 --lr 0.1` follows w ← w − 0.1·SiLU′(w), SiLU′ by mpmath."""
    from calcgrad.calculus.descent import descend

    d = descend("silu(x)", "x=1", 0.1, iterations=20)
    w = 1.0
    for row in d.trace:
        assert w == pytest.approx(row.point[0], rel=1e-12)
        slope = float(mpmath.diff(silu_reference, w))
        assert slope == pytest.approx(row.gradient[0], rel=1e-10)
        assert float(silu_reference(w)) == pytest.approx(row.f, rel=1e-12)
        w = w - 0.1 * slope


@pytest.mark.parametrize("answer, of, step_text", [
    ("(1 + erf(x/sqrt(2)))/2", "gelu(x)", "Step 1, GELU rule on GELU(x)"),
    ("sigmoid(x)", "silu(x)", "Step 1, SiLU rule on SiLU(x)"),
    ("3 sigmoid(3x)", "silu(3x)", "Step 1.1, SiLU rule on SiLU(u)"),
])
def test_check_names_a_faulty_gelu_or_silu_derivative(answer: str, of: str, step_text: str) -> None:
    """A GELU/SiLU derivative taken without the product rule is a named mistake at its step."""
    import calcgrad

    result = calcgrad.check(answer, of=of)
    assert ["function_derivative_wrong"] == list(result.mistakes)
    assert result.feedback[0].startswith(step_text)


def test_cli_plot_gelu_numeric_path(tmp_path) -> None:
    """`calcgrad plot "gelu(x)" --derivative` draws through the numeric path without error."""
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from calcgrad.cli import main

    out = tmp_path / "gelu.png"
    result = CliRunner().invoke(main, ["plot", "silu(x) + gelu(x)", "--at", "0.5", "--derivative",
                                       "--out", str(out)])
    assert 0 == result.exit_code, result.output
    assert out.stat().st_size > 0
