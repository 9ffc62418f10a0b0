"""Gradient, directional derivative, Jacobian and Hessian: values, errors, renderers, and SymPy."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

import calcgrad
from calcgrad import Derivation, LimitError, ParseError, UsageError, parse
from calcgrad.calculus.multivar import Gradient, Hessian, gradient, hessian, jacobian
from tests.checks import agree
from tests.strategies import function_lists, multivar_expressions, symmetric_integer_matrices

x, y, z, a = sympy.symbols("x y z a", real=True)
theta, r = sympy.symbols("theta r", real=True)


def rich_text(result) -> str:
    """What Rich prints for a result, without colour, at 100 columns."""
    console = Console(width=100, color_system=None, record=True, file=io.StringIO())
    console.print(result)
    return console.export_text()


def reads_back(text: str, expected) -> bool:
    """The text parses back to the expected value (exactly, or numerically for floats)."""
    value = parse(text)
    return sympy.simplify(value - expected) == 0


# --- gradient --------------------------------------------------------------------------------


def test_gradient_of_sum_of_squares() -> None:
    """∇(x² + y²) = [2x, 2y]; at (1, 2) it is [2, 4] with norm 2√5."""
    g = gradient("x^2 + y^2", at="x=1, y=2")
    assert (x, y) == g.variables
    assert (2 * x, 2 * y) == g.components
    assert (2, 4) == g.value
    assert 2 * sympy.sqrt(5) == g.norm
    assert not g.order_given


def test_gradient_entries_are_engine_derivations() -> None:
    """Each component is a calcgrad Derivation with respect to one variable, steps and all."""
    g = gradient("x^2 y + sin(x y)")
    assert all(isinstance(d, Derivation) for d in g.derivations)
    assert [(x,), (y,)] == [d.variables for d in g.derivations]
    assert all(d.stages for d in g.derivations)


def test_variables_in_the_order_given() -> None:
    """--vars y,x puts ∂f/∂y first and says the order was given."""
    g = gradient("x^2 + 3y", wrt="y,x")
    assert (y, x) == g.variables
    assert (3, 2 * x) == g.components
    assert g.order_given
    assert "in the order given" in g.plain()


def test_alphabetical_order_puts_w2_before_w10() -> None:
    """Numbered names sort by number, not character by character."""
    g = gradient("w_10 + 2 w_2 + 3 w_1")
    assert ["w_1", "w_2", "w_10"] == [v.name for v in g.variables]
    assert "in alphabetical order" in g.plain()


def test_other_symbols_are_held_constant_parameters() -> None:
    """Symbols not among --vars are parameters: held constant and named as such."""
    g = gradient("a x^2 + y", wrt=["x", "y"])
    assert (2 * a * x, 1) == g.components
    assert (a,) == g.parameters
    assert "a is not among the variables and is held constant" in g.plain()


def test_variable_absent_from_expression_has_zero_partial() -> None:
    """A listed variable the expression does not contain has partial derivative 0."""
    g = gradient("x^2", wrt="x,y", at="x=1, y=2")
    assert (2 * x, 0) == g.components
    assert (2, 0) == g.value


def test_sympy_expression_and_symbols_accepted() -> None:
    """A SymPy expression and Symbol variables work; plain symbols are made real."""
    px, py = sympy.symbols("x y")
    g = gradient(px * py, wrt=[py, px], at={"x": 2, "y": Fraction(1, 2)})
    assert (x, y) == g.components
    assert (2, sympy.Rational(1, 2)) == g.value


def test_directional_derivative_along_one_one() -> None:
    """Along (1, 1): u = (1/√2, 1/√2) and D_u f = ∇f·u, symbolic and at the point."""
    g = gradient("x^2 + y^2", at="x=1, y=2", direction="1,1")
    half_root = sympy.sqrt(2) / 2
    assert (half_root, half_root) == g.unit_direction
    assert sympy.sqrt(2) == g.direction_length
    assert 0 == sympy.simplify(g.directional_derivative - sympy.sqrt(2) * (x + y))
    assert 3 * sympy.sqrt(2) == g.directional_value
    assert "u = v/‖v‖ = (√2/2, √2/2)" in g.plain()


def test_direction_as_a_list_of_numbers() -> None:
    """A direction may be a list of numbers; (3, 4) normalises to (3/5, 4/5)."""
    g = gradient("x y", direction=[3, 4])
    assert (sympy.Rational(3, 5), sympy.Rational(4, 5)) == g.unit_direction
    assert sympy.Rational(3, 5) * y + sympy.Rational(4, 5) * x == sympy.expand(g.directional_derivative)


@pytest.mark.parametrize("direction", ["(1, 2)", "[1,2]", " 1 , 2 "])
def test_direction_may_be_bracketed(direction: str) -> None:
    """(1, 2) and [1,2] are read as the vector 1,2."""
    assert (1, 2) == gradient("x y", direction=direction).direction


@pytest.mark.parametrize("direction, message", [
    pytest.param("0,0", "length zero", id="zero"),
    pytest.param([0, 0.0], "length zero", id="zero-list"),
    pytest.param("1,2,3", "3 components but there are 2 variables", id="too-many"),
    pytest.param("1", "1 component but there are 2 variables", id="too-few"),
    pytest.param("1,a", "must be a number", id="symbol"),
    pytest.param("1,", "empty", id="empty-component"),
    pytest.param("", "empty", id="empty"),
    pytest.param(["1", True], "must be a number", id="bool"),
])
def test_bad_directions(direction, message: str) -> None:
    """A zero, wrongly sized or non-numeric direction is a UsageError that says what was wrong."""
    with pytest.raises(UsageError, match=message):
        gradient("x^2 + y^2", direction=direction)


@pytest.mark.parametrize("at, error, message", [
    pytest.param("z=1", UsageError, "gives z, which is not a variable of the expression", id="unknown"),
    pytest.param("x=1", UsageError, "missing: y", id="missing"),
    pytest.param("x=a, y=1", ParseError, "must be a number", id="symbolic"),
    pytest.param("x=one, y=1", ParseError, "must be a number", id="word"),
    pytest.param({"x": "sqrt(-1)", "y": 1}, ParseError, "real", id="imaginary"),
    pytest.param({"x": [1], "y": 1}, UsageError, "must be a number", id="list"),
    pytest.param(3, UsageError, "single value", id="not-a-point"),
])
def test_bad_points(at, error, message: str) -> None:
    """A point with an unknown, missing or non-numeric coordinate is refused with a message."""
    with pytest.raises(error, match=message):
        gradient("x^2 + y^2", at=at)


@pytest.mark.parametrize("kwargs, error, message", [
    pytest.param({"expr": "3"}, UsageError, "no variable", id="no-variable"),
    pytest.param({"expr": "x + y", "wrt": "x,x"}, UsageError, "listed twice", id="repeated"),
    pytest.param({"expr": "x", "wrt": "2x"}, ParseError, "not a variable name", id="bad-name"),
    pytest.param({"expr": 3}, UsageError, "text or a SymPy expression", id="not-text"),
    pytest.param({"expr": "+".join(f"x_{i}" for i in range(11))}, LimitError, "too many",
                 id="too-many-variables"),
])
def test_bad_gradient_requests(kwargs, error, message: str) -> None:
    """Requests that cannot be met fail at once with a calcgrad error."""
    with pytest.raises(error, match=message):
        gradient(**kwargs)


def test_steps_flag_shows_every_step() -> None:
    """Collapsed by default (one line per partial); with steps every rule is written out."""
    g = gradient("x^2 y + sin(x y)")
    assert "Chain rule" not in g.plain()
    assert "[Sum rule, " in g.plain()
    full = g.with_steps()
    assert isinstance(full, Gradient) and full.show_steps
    assert "Chain rule: ∂/∂x (sin(xy)) = y·cos(xy)" in full.plain()
    assert full.to_dict() == g.to_dict()


# --- Jacobian --------------------------------------------------------------------------------


def test_jacobian_of_polar_coordinates() -> None:
    """J of (r cos θ, r sin θ) in the order (r, θ), and its value at r = 2, θ = π/4."""
    j = jacobian("r cos(theta); r sin(theta)", wrt="r, theta", at="r=2, theta=pi/4")
    assert (r, theta) == j.variables
    assert sympy.Matrix([[sympy.cos(theta), -r * sympy.sin(theta)],
                         [sympy.sin(theta), r * sympy.cos(theta)]]) == j.matrix
    root = sympy.sqrt(2)
    assert sympy.Matrix([[root / 2, -root], [root / 2, root]]) == j.value
    assert (2, 2) == j.shape


def test_jacobian_list_form_equals_semicolon_form() -> None:
    """A list of functions gives the same matrix as one text separated by ';'."""
    assert jacobian("x^2 y; x + y").matrix == jacobian(["x^2 y", "x + y"]).matrix
    assert jacobian(["x^2 y; x + y", "y"]).shape == (3, 2)


def test_jacobian_need_not_be_square() -> None:
    """Three functions of two variables give a 3×2 matrix; one function a 1×n row."""
    assert (3, 2) == jacobian("x; y; x y").shape
    assert sympy.Matrix([[y, x]]) == jacobian("x y").matrix


def test_jacobian_entry_derivation() -> None:
    """--entry 2,1 is ∂f₂/∂x, a derivation of its own, counted from 1."""
    j = jacobian("x^2 y; 5x + sin y", entry="2,1")
    assert (2, 1) == j.entry
    assert 5 == j.entry_derivation.result
    assert j.derivation(1, 2).result == x**2
    assert "Entry (2, 1)" in j.plain() and "∂f₂/∂x" in j.plain()


@pytest.mark.parametrize("functions, kwargs, message", [
    pytest.param("x; ; y", {}, "function 2 is empty", id="empty-function"),
    pytest.param("x;", {}, "function 2 is empty", id="trailing-separator"),
    pytest.param([], {}, "no functions", id="no-functions"),
    pytest.param("x y; x", {"entry": "3,1"}, "outside the 2×2 matrix", id="entry-row"),
    pytest.param("x y; x", {"entry": (1, 3)}, "outside the 2×2 matrix", id="entry-column"),
    pytest.param("x y; x", {"entry": "1"}, "row and a column", id="entry-one-number"),
    pytest.param("x y; x", {"entry": "a,b"}, "row and a column", id="entry-letters"),
    pytest.param("x y; x", {"at": "x=1"}, "missing: y", id="point-missing"),
    pytest.param(";".join(["x"] * 11), {}, "too many", id="too-many-functions"),
    pytest.param(5, {}, "as text separated by ';' or as a list", id="not-a-list"),
])
def test_bad_jacobian_requests(functions, kwargs, message: str) -> None:
    """Mismatched sizes and malformed input are UsageErrors (or LimitErrors) with a message."""
    with pytest.raises((UsageError, LimitError), match=message):
        jacobian(functions, **kwargs)


def test_jacobian_semicolon_is_split_before_parsing() -> None:
    """The parser rejects ';', so a parse error names only the faulty function."""
    with pytest.raises(ParseError) as caught:
        jacobian("x y; sine(x)")
    assert "sine(x)" == caught.value.text


# --- Hessian ---------------------------------------------------------------------------------


def test_hessian_matrix_and_symmetry() -> None:
    """H of x³ + xyz − 3x + y² is symmetric, its mixed partials agreeing."""
    h = hessian("x^3 + x y z - 3x + y^2")
    assert sympy.Matrix([[6 * x, z, y], [z, 2, x], [y, x, 0]]) == h.matrix
    assert h.symmetric
    assert "Schwarz's theorem" in h.plain()
    assert (3 * x**2 + y * z - 3, x * z + 2 * y, x * y) == h.gradient


def test_hessian_entries_are_two_stage_derivations() -> None:
    """Entry (i, j) differentiates by xᵢ, then by xⱼ, each stage from the engine."""
    h = hessian("x^2 y^3", entry=(1, 2))
    d = h.entry_derivation
    assert (x, y) == d.variables
    assert 2 == len(d.stages)
    assert 6 * x * y**2 == d.result
    assert "∂²f/∂y∂x" in h.plain()


@pytest.mark.parametrize("expression, at, kind, test, numbers", [
    pytest.param("x^3 - 3x + y^2", "x=1, y=0", "minimum", "leading minors", (6, 12), id="minimum"),
    pytest.param("x y - x^2 - y^2", "x=0, y=0", "maximum", "leading minors", (-2, 3), id="maximum"),
    pytest.param("x^2 - y^2", "x=0, y=0", "saddle", "leading minors", (2, -4), id="saddle"),
    pytest.param("x^2 - y^2 + z^3", "x=0, y=0, z=0", "saddle", "eigenvalues", (-2, 0, 2),
                 id="singular-saddle"),
    pytest.param("x^4 + y^2", "x=0, y=0", "inconclusive", "eigenvalues", (0, 2),
                 id="semidefinite"),
    pytest.param("x^2 y + y^3", "x=0, y=0", "inconclusive", "eigenvalues", (0, 0), id="zero"),
    pytest.param("x^2 + y^2", "x=1, y=0", "not a critical point", "leading minors", (2, 4),
                 id="not-critical"),
])
def test_hessian_classification(expression, at, kind, test, numbers) -> None:
    """At a point the test used and its numbers are stated, and the point classified."""
    c = hessian(expression, at=at).classification
    assert kind == c.kind
    assert test == c.test
    assert numbers == c.numbers


def test_classification_with_transcendental_values() -> None:
    """Values like cos(1) are compared by sign exactly enough to classify."""
    h = hessian("cos(x) + cos(y)", at="x=0, y=pi")
    assert "saddle" == h.classification.kind
    assert (-1, -1) == h.classification.numbers


def test_undefined_hessian_is_said_so() -> None:
    """Where a second derivative is undefined, the classification says so instead of guessing."""
    h = hessian("x^(3/2) + y^2", at="x=0, y=0")
    assert "undefined" == h.classification.kind
    assert "Classification: undefined" in h.plain() and "critical" not in h.plain()
    h = hessian("1/x + y^2", wrt="x,y", at="x=0, y=1")
    assert "undefined" == h.classification.kind


def test_hessian_needs_no_classification_without_point() -> None:
    assert hessian("x^2 + y^2").classification is None
    assert hessian("x^2 + y^2").value is None


def test_public_api_names() -> None:
    """gradient, jacobian, hessian and their result types are in calcgrad's public API."""
    assert calcgrad.gradient.__wrapped__ is gradient and calcgrad.Hessian is Hessian  # wrapped: timeout=
    assert {"gradient", "jacobian", "hessian", "Gradient", "Jacobian", "Hessian"} <= set(calcgrad.__all__)


# --- renderers -------------------------------------------------------------------------------

RESULTS = {
    "gradient": lambda: gradient("x^2 + y^2", at="x=1, y=2", direction="1,1"),
    "gradient-steps": lambda: gradient("x^2 y", steps=True),
    "jacobian": lambda: jacobian("x^2 y; 5x + sin y", at="x=1, y=0", entry="1,2"),
    "hessian": lambda: hessian("x^3 - 3x + y^2", at="x=1, y=0", entry="2,2"),
}


@pytest.mark.parametrize("name", list(RESULTS))
def test_every_format_renders(name: str) -> None:
    """Plain, Rich, LaTeX, Markdown, JSON and Jupyter output all render without terminal codes."""
    result = RESULTS[name]()
    plain = result.plain()
    assert plain.startswith("Interpreted as: ") and "\x1b" not in plain
    assert str(result) == plain
    assert "Interpreted as" in rich_text(result)
    latex = result.latex()
    assert latex.startswith("\\begin{align*}") and latex.count("\\begin{align*}") == latex.count("\\end{align*}")
    assert result._repr_latex_().startswith("$$\\begin{aligned}")
    assert result._repr_markdown_() == result.markdown()
    assert result.markdown().startswith("**Interpreted as**")
    json.dumps(result.to_dict())


def test_gradient_text_writes_the_vector_out() -> None:
    """The plain text has ∇(x² + y²) = [2x, 2y], the value, the norm and the direction."""
    text = gradient("x^2 + y^2", at="x=1, y=2", direction="1,1").plain()
    assert "∇(x² + y²) = [2x, 2y]" in text
    assert "∇f = [2, 4]" in text
    assert "‖∇f‖ = √(2² + 4²) = 2√5 ≈ 4.472135955" in text
    assert "at x = 1, y = 2: D_u f = 3√2 ≈ 4.242640687" in text


def test_latex_uses_pmatrix_for_vectors_and_bmatrix_for_matrices() -> None:
    assert "\\nabla f &= \\begin{pmatrix} 2 x \\\\ 2 y \\end{pmatrix}" in gradient("x^2 + y^2").latex()
    assert "\\begin{bmatrix} 6 x & 0 \\\\ 0 & 2 \\end{bmatrix}" in hessian("x^3 - 3x + y^2").latex()


def test_plain_matrix_layout() -> None:
    """A matrix is written as aligned columns in tall brackets."""
    text = hessian("x^3 - 3x + y^2").plain()
    assert "H = ⎡ 6x  0 ⎤\n    ⎣  0  2 ⎦" in text


def test_gradient_json_contract() -> None:
    """The gradient's JSON keys are documented and every math field reads back through parse."""
    data = gradient("x^2 + y^2", at="x=1, y=2", direction="1,1").to_dict()
    assert ["expression", "interpreted_as", "variables", "variable_order", "gradient",
            "gradient_latex", "point", "value", "value_latex", "norm", "norm_latex", "direction",
            "unit_direction", "directional_derivative", "directional_derivative_latex",
            "directional_derivative_value", "derivations"] == list(data)
    assert ["x", "y"] == data["variables"]
    assert ["2*x", "2*y"] == data["gradient"]
    assert ["2", "4"] == data["value"]
    assert reads_back(data["norm"], 2 * sympy.sqrt(5))
    assert all(reads_back(u, sympy.sqrt(2) / 2) for u in data["unit_direction"])
    assert reads_back(data["directional_derivative"], sympy.sqrt(2) * (x + y))
    assert reads_back(data["directional_derivative_value"], 3 * sympy.sqrt(2))
    assert ["2*x", "2*y"] == [d["result"] for d in data["derivations"]]


def test_gradient_json_without_point_or_direction() -> None:
    """value, norm and direction keys appear only when asked for."""
    data = gradient("x^2 + y^2").to_dict()
    assert {"value", "norm", "direction", "directional_derivative"}.isdisjoint(data)
    assert "alphabetical" == data["variable_order"]


def test_hessian_json_contract() -> None:
    """variables, matrix, value, classification (with its test and numbers) and the entry."""
    data = hessian("x^3 - 3x + y^2", at="x=1, y=0", entry="1,1").to_dict()
    assert {"variables", "matrix", "matrix_latex", "symmetric", "value", "classification",
            "gradient_value", "entry"} <= set(data)
    assert [["6*x", "0"], ["0", "2"]] == data["matrix"]
    assert [["6", "0"], ["0", "2"]] == data["value"]
    assert {"kind": "minimum", "definiteness": "positive definite", "test": "leading minors",
            "numbers": ["6", "12"], "critical_point": True} == {
        k: v for k, v in data["classification"].items() if k != "reason"}
    assert {"row": 1, "column": 1} == {k: data["entry"][k] for k in ("row", "column")}
    assert "6*x" == data["entry"]["derivation"]["result"]
    assert all(reads_back(cell, parse(cell)) for row in data["matrix"] for cell in row)


def test_jacobian_json_contract() -> None:
    data = jacobian("r cos(theta); r sin(theta)", wrt="r,theta", at="r=2, theta=pi/2").to_dict()
    assert ["functions", "interpreted_as", "variables", "variable_order", "matrix",
            "matrix_latex", "point", "value", "value_latex"] == list(data)
    assert ["r*cos(theta)", "r*sin(theta)"] == data["functions"]
    assert "given" == data["variable_order"]
    assert reads_back(data["matrix"][0][1], -r * sympy.sin(theta))
    assert [["0", "-2"], ["1", "0"]] == data["value"]


# --- property tests against SymPy's own functions --------------------------------------------


def usable(expr) -> bool:
    return not expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(multivar_expressions)
def test_property_gradient_equals_derive_by_array(expr) -> None:
    """Every gradient component equals sympy.derive_by_array's, at every usable sample point."""
    assume(usable(expr) and expr.free_symbols)
    g = gradient(expr)
    expected = sympy.derive_by_array(expr, list(g.variables))
    for component, want in zip(g.components, expected):
        same, _ = agree(component, want, g.variables, domain=expr)
        assert same, f"∇ {expr}: {component} but SymPy says {want}"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(multivar_expressions)
def test_property_hessian_equals_sympy_hessian(expr) -> None:
    """Every Hessian entry equals sympy.hessian's, at every usable sample point."""
    assume(usable(expr) and 1 <= len(expr.free_symbols) <= 2)
    h = hessian(expr)
    expected = sympy.hessian(expr, list(h.variables))
    for i in range(len(h.variables)):
        for j in range(len(h.variables)):
            same, _ = agree(h.matrix[i, j], expected[i, j], h.variables, domain=expr)
            assert same, f"H {expr} ({i + 1}, {j + 1}): {h.matrix[i, j]}, SymPy {expected[i, j]}"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(function_lists)
def test_property_jacobian_equals_matrix_jacobian(functions) -> None:
    """Every Jacobian entry equals SymPy's Matrix.jacobian, at every usable sample point."""
    assume(all(usable(f) for f in functions))
    assume(set().union(*(f.free_symbols for f in functions)))
    j = jacobian(functions)
    expected = sympy.Matrix(functions).jacobian(list(j.variables))
    domain = sympy.Add(*functions)
    for i in range(len(functions)):
        for k in range(len(j.variables)):
            same, _ = agree(j.matrix[i, k], expected[i, k], j.variables, domain=domain)
            assert same, f"J {functions} ({i + 1}, {k + 1}): {j.matrix[i, k]}, SymPy {expected[i, k]}"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=2, max_size=2).filter(any),
       st.integers(-3, 3), st.integers(-3, 3))
def test_property_directional_derivative_is_gradient_dot_unit(direction, px, py) -> None:
    """D_u f equals derive_by_array·v/‖v‖, symbolically and at the point."""
    f = x**2 * y + sympy.sin(x) * y**3
    g = gradient(f, at={"x": px, "y": py}, direction=direction)
    v = sympy.Matrix(direction)
    expected = (sympy.Matrix(sympy.derive_by_array(f, [x, y])).T * v)[0] / v.norm()
    assert agree(g.directional_derivative, expected, (x, y))[0]
    assert 0 == sympy.simplify(g.directional_value - expected.subs({x: px, y: py}))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3).flatmap(symmetric_integer_matrices))
def test_property_classification_matches_sympy_definiteness(matrix) -> None:
    """At the origin of ½·xᵀAx the verdict follows SymPy's own definiteness of A."""
    symbols = (x, y, z)[: matrix.rows]
    vector = sympy.Matrix(symbols)
    f = sympy.expand((vector.T * matrix * vector)[0] / 2)
    assume(f.free_symbols == set(symbols))
    h = hessian(f, wrt=list(symbols), at={s: 0 for s in symbols})
    assert matrix == h.value
    assert expected_kind(matrix) == h.classification.kind


def expected_kind(matrix) -> str:
    """SymPy's own verdict on definiteness; mpmath's eigenvalues where SymPy cannot decide."""
    if matrix.is_positive_definite:
        return "minimum"
    if matrix.is_negative_definite:
        return "maximum"
    if matrix.is_indefinite:
        return "saddle"
    if matrix.is_indefinite is None:
        with mpmath.workdps(40):
            values = mpmath.eigsy(mpmath.matrix(matrix.tolist()), eigvals_only=True)
        if min(values) < -1e-20 and max(values) > 1e-20:
            return "saddle"
    return "inconclusive"


def test_singular_indefinite_matrix_sympy_cannot_decide() -> None:
    """[[0,0,1],[0,1,1],[1,1,0]] (D₁ = D₂ = 0, D₃ = −1) is a saddle; SymPy's is_indefinite is None."""
    f = x * z + y**2 / 2 + y * z
    c = hessian(f, wrt="x,y,z", at="x=0, y=0, z=0").classification
    assert ("saddle", "leading minors", (0, 0, -1)) == (c.kind, c.test, c.numbers)
