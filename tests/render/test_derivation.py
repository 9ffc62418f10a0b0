"""Tests for the renderers: golden files, Rich, every step type in every format, the JSON contract."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
import sympy
from rich.console import Console

from calcgrad import Derivation, diff, parse
from calcgrad.render.json import render_json
from calcgrad.render.latex import render_latex
from calcgrad.render.markdown import render_markdown
from calcgrad.render.plain import render_plain
from calcgrad.engine.steps import ALL_STEP_TYPES

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CALCGRAD_REGENERATE_GOLDEN") == "1"

# name -> (expression, wrt, at): one derivation per rule family
CASES = {
    "sum_partial": ("x^2 + 3xy + y^2", "x", None),          # partial, held constant
    "product_chain": ("sin(3x) e^x", "x", None),            # product, chain, exp, trig
    "quotient_at_point": ("x/(x+1)", "x", "x=1"),           # quotient, evaluate
    "sigmoid_partial": ("sigmoid(w x)", "w", None),         # activation σ
    "typed_order": ("(w x + b - t)^2", "w", None),
    "constant_variable": ("7 + x", "x", None),               # constant, variable, sum
    "constant_multiple": ("5x^3", "x", None),
    "power_rewrite": ("1/sqrt(x)", "x", None),              # power rule with its rewrite
    "power_reciprocal": ("3/x^2", "x", None),
    "chain_power": ("(x^2 + 1)^5", "x", None),
    "log_chain": ("ln(x^2 + 1)", "x", None),
    "exponential_base": ("3^x", "x", None),
    "log_base": ("log_2 x", "x", None),
    "trig": ("tan(2x)", "x", None),
    "inverse_trig": ("arcsin(x^2)", "x", None),
    "hyperbolic": ("tanh(3x)", "x", None),
    "relu": ("relu(2x - 1)", "x", None),
    "logarithmic_differentiation": ("x^x", "x", None),
}

def rich_80(derivation: Derivation) -> str:
    """What Rich prints for a derivation, without colour, at 80 columns."""
    console = Console(width=80, color_system=None, record=True, file=io.StringIO())
    console.print(derivation)
    return console.export_text()


RENDERERS = {
    "plain": (render_plain, "txt"),
    "latex": (render_latex, "tex"),
    "markdown": (render_markdown, "md"),
    "json": (render_json, "json"),
    "rich": (rich_80, "rich.txt"),
}


def derivation_for(name: str) -> Derivation:
    """The derivation of one named golden case."""
    expression, wrt, at = CASES[name]
    return diff(expression, wrt, at=at)


def rich_text(derivation: Derivation, detail: str = "full") -> str:
    """What Rich prints for a derivation, without colour, at 100 columns (every step by default)."""
    console = Console(width=100, color_system=None, record=True, file=io.StringIO())
    console.print(derivation.rich(detail))
    return console.export_text()


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("name", list(CASES))
def test_golden(name: str, fmt: str) -> None:
    """Each renderer's output matches its golden file (CALCGRAD_REGENERATE_GOLDEN=1 rewrites it)."""
    render, ext = RENDERERS[fmt]
    actual = render(derivation_for(name))
    path = GOLDEN / f"{name}.{ext}"
    if REGENERATE:
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert expected == actual


# --- Rich ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_rich_shows_rules_and_result_without_ansi(name: str) -> None:
    """Rich output names every rule, states the result and has no terminal escape codes."""
    derivation = derivation_for(name)
    text = rich_text(derivation)
    for step in derivation.steps:
        for sub in step.walk():
            assert sub.title in text
    assert "Interpreted as" in text
    assert "Result" in text
    assert "\x1b" not in text


def test_rich_shows_the_result_expression() -> None:
    """Rich prints the derivative itself, in the same notation as plain text."""
    text = rich_text(derivation_for("sum_partial"))
    assert "2x + 3y" in text
    assert "holding y constant" in text


# --- every step type in every renderer ------------------------------------------------------

COVERAGE_EXPRESSIONS = [
    "7 + x", "x", "5x^3", "x^5", "x e^x", "x/(x+1)", "cos(3x)", "e^x", "3^x", "ln x",
    "log_2 x", "tan x", "arcsin x", "tanh x", "arsinh x", "|x|", "sigmoid(x)", "relu(x)",
    "softplus(x)", "gelu(x)", "silu(x)", "Max(0, x)", "Max(1, x)", "sign(x)", "step(x)", "x^x",
    "Piecewise((x^2, x > 0), (-x, True))", "erf(x)",
]

ALL_FORMATS = {
    "plain": lambda d: d.render("plain", detail="full"),
    "latex": lambda d: d.render("latex", detail="full"),
    "markdown": lambda d: d.render("markdown", detail="full"),
    "json": render_json,
    "rich": rich_text,
}

FORBIDDEN = ["Step(", "<calcgrad", "object at 0x", "Symbol(", "Integer(", "Rational(", "Add(",
             "Mul(", "Pow(", "Function("]


@pytest.fixture(scope="module")
def coverage_derivations() -> dict[str, Derivation]:
    """One derivation, evaluated at x = 1/2, per coverage expression."""
    return {text: diff(text, "x", at="x=1/2") for text in COVERAGE_EXPRESSIONS}


def test_coverage_expressions_use_every_step_type(coverage_derivations) -> None:
    """Together the coverage expressions produce every step type there is."""
    seen = {type(sub) for d in coverage_derivations.values() for step in d.steps for sub in step.walk()}
    assert {t.__name__ for t in ALL_STEP_TYPES} == {t.__name__ for t in seen}


@pytest.mark.parametrize("fmt", list(ALL_FORMATS))
@pytest.mark.parametrize("text", COVERAGE_EXPRESSIONS)
def test_every_step_rendered_by_title_never_by_repr(coverage_derivations, text: str, fmt: str) -> None:
    """Each renderer writes every step's title and never falls back to a Python or SymPy repr."""
    derivation = coverage_derivations[text]
    output = ALL_FORMATS[fmt](derivation)
    for step in derivation.steps:
        for sub in step.walk():
            assert sub.title in output
    for bad in FORBIDDEN:
        assert bad not in output


# --- JSON contract ----------------------------------------------------------------------------

TOP_KEYS = {"warnings", "expression", "interpreted_as", "variables", "result", "result_latex", "steps",
            "verified", "failed_checks"}
POINT_KEYS = {"point", "value", "value_latex", "value_status"}
STEP_KEYS = {"rule", "title", "expression", "result", "explanation", "verified", "substeps"}


def same(text: str, expected: sympy.Expr) -> bool:
    """True when text read back by calcgrad.parse is the expected expression."""
    actual = parse(text)
    return actual == expected or sympy.simplify(actual - expected) == 0


def check_step(data: dict, step) -> None:
    """A step's JSON has the contract's keys and math that reads back to the step's own values."""
    assert STEP_KEYS <= set(data)
    assert step.rule == data["rule"]
    assert same(data["expression"], step.expression), data["expression"]
    if data["result"] is None:  # a value that does not exist at the point
        assert data["rule"] == "evaluate" and data["status"]["exists"] is False
    else:
        assert same(data["result"], step.result), data["result"]
    assert isinstance(data["explanation"], str)
    assert len(step.substeps) == len(data["substeps"])
    for sub_data, sub in zip(data["substeps"], step.substeps):
        check_step(sub_data, sub)


def all_contract_derivations() -> list[tuple[str, Derivation]]:
    """The golden cases and the coverage expressions, by a readable id."""
    cases = [(name, derivation_for(name)) for name in CASES]
    cases += [(text, diff(text, "x", at="x=1/2")) for text in COVERAGE_EXPRESSIONS]
    return cases


CONTRACT = all_contract_derivations()


@pytest.mark.parametrize("derivation", [d for _, d in CONTRACT], ids=[n for n, _ in CONTRACT])
def test_json_contract_reads_back(derivation: Derivation) -> None:
    """Every math field in the JSON reads back with calcgrad.parse to the Derivation's own value."""
    data = json.loads(render_json(derivation))
    expected_keys = TOP_KEYS | (POINT_KEYS if derivation.value is not None else set())
    assert expected_keys == set(data)
    assert same(data["expression"], derivation.expression)
    assert [v.name for v in derivation.variables] == data["variables"]
    assert same(data["result"], derivation.result)
    if derivation.value is not None:
        assert same(data["value"], derivation.value)
        for name, value in derivation.point:
            assert same(data["point"][name.name], value)
    assert len(derivation.steps) == len(data["steps"])
    for step_data, step in zip(data["steps"], derivation.steps):
        check_step(step_data, step)


@pytest.mark.parametrize("derivation", [d for _, d in CONTRACT], ids=[n for n, _ in CONTRACT])
def test_to_dict_equals_json(derivation: Derivation) -> None:
    """Derivation.to_dict() is exactly what the JSON renderer writes."""
    assert json.loads(render_json(derivation)) == derivation.to_dict()


def test_json_evaluate_step_has_point() -> None:
    """The evaluation step in JSON names the point it substitutes."""
    data = derivation_for("quotient_at_point").to_dict()
    last = data["steps"][-1]
    assert "evaluate" == last["rule"]
    assert {"x": "1"} == last["point"]
    assert "1/4" == data["value"]


# --- Derivation's own views -------------------------------------------------------------------


def test_derivation_views() -> None:
    """A Derivation renders itself as LaTeX, Markdown and for Jupyter."""
    derivation = derivation_for("product_chain")
    assert render_latex(derivation) == derivation.latex()
    assert render_markdown(derivation) == derivation.markdown()
    assert render_markdown(derivation) == derivation._repr_markdown_()
    assert render_plain(derivation) == str(derivation)
    latex = derivation._repr_latex_()
    assert latex.startswith("$$")
    assert latex.endswith("$$")


# --- LaTeX well-formedness --------------------------------------------------------------------


def balanced(text: str) -> bool:
    """True when unescaped braces in LaTeX source are balanced."""
    depth = 0
    for match in re.finditer(r"\\.|[{}]", text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


LATEX_CASES = [(name, derivation_for(name)) for name in CASES] + [
    (text, diff(text, "x", at="x=1/2")) for text in COVERAGE_EXPRESSIONS
]


@pytest.mark.parametrize("derivation", [d for _, d in LATEX_CASES], ids=[n for n, _ in LATEX_CASES])
def test_latex_is_well_formed(derivation: Derivation) -> None:
    """The LaTeX is one align* block with balanced braces and no Unicode minus or superscripts."""
    for latex in (derivation.latex(), derivation._repr_latex_()):
        assert balanced(latex)
        for bad in ("−", "²", "³", "⁻", "ⁿ", "∂", "σ", "·"):
            assert bad not in latex, bad
    latex = derivation.latex()
    assert latex.startswith("\\begin{align*}")
    assert latex.rstrip().endswith("\\end{align*}")
    assert 1 == latex.count("\\begin{align*}")


def test_markdown_math_is_balanced() -> None:
    """Markdown output has an even number of unescaped dollar signs on every line."""
    for _, derivation in LATEX_CASES:
        for line in derivation.markdown().splitlines():
            assert 0 == len(re.findall(r"(?<!\\)\$", line)) % 2, line


# --- detail levels and the checks of each step ----------------------------------------------


def test_detail_levels_show_less_and_less() -> None:
    """full shows every leaf, normal names constant/variable leaves on the parent, brief is one line a step."""
    derivation = diff("x sin(x) + 3x + 5", "x")
    full, normal, brief = (derivation.plain(detail=level) for level in ("full", "normal", "brief"))
    assert "Variable rule" in full and "Constant rule" in full
    assert "Variable rule" not in normal and "with d/dx (x) = 1" in normal
    def statements(text):
        return [line for line in text.splitlines() if line.lstrip().startswith("rule: ")]

    assert statements(normal) and not statements(brief)
    assert "Constant multiple rule" in normal and "Constant multiple rule" not in brief
    assert len(brief.splitlines()) < len(normal.splitlines()) < len(full.splitlines())
    assert "   1.1. Product rule: d/dx (x·sin(x)) = x·cos(x) + sin(x) ✓" in brief.splitlines()


def test_default_detail_is_normal_in_every_text_format() -> None:
    """render(fmt) without a level is render(fmt, detail="normal"); JSON always has every step."""
    derivation = diff("x e^x", "x")
    for fmt in ("plain", "latex", "markdown"):
        assert derivation.render(fmt, detail="normal") == derivation.render(fmt)
    assert derivation.render("json", detail="brief") == derivation.render("json", detail="full")


def test_unknown_detail_is_a_usage_error() -> None:
    """A level that does not exist is refused with the levels named."""
    from calcgrad import UsageError

    with pytest.raises(UsageError, match="full, normal, brief"):
        diff("x^2", "x").render("plain", detail="short")


def test_rich_detail_reaches_nested_derivations() -> None:
    """rich(detail) holds for derivations inside another result (a gradient's partials)."""
    from calcgrad import gradient

    console = Console(width=100, color_system=None, record=True, file=io.StringIO())
    console.print(gradient("x^2 y + x", steps=True).rich("brief"))
    text = console.export_text()
    assert "Power rule" in text and "bring down the exponent" not in text


@pytest.mark.parametrize("fmt, expected", [
    ("plain", "write 1/√x as x^(−1/2)"),
    ("markdown", r"write $\frac{1}{\sqrt{x}}$ as $x^{-1/2}$"),
    ("latex", r"write $\frac{1}{\sqrt{x}}$ as $x^{-1/2}$"),
    ("json", "write 1/√x as x^(−1/2)"),
])
def test_rewrites_name_the_power_form(fmt: str, expected: str) -> None:
    """The power rule's rewrite writes the power itself, not the same fraction again."""
    assert expected in diff("1/sqrt(x)", "x").render(fmt)


@pytest.mark.parametrize("text, plain", [("1/x", "write 1/x as x⁻¹"), ("sqrt(x)", "write √x as x^(1/2)"),
                                         ("1/x^2", "write 1/x² as x⁻²")])
def test_rewrites_of_reciprocals_and_roots(text: str, plain: str) -> None:
    """1/x, √x and 1/x² are each rewritten as the power the rule uses."""
    assert plain in diff(text, "x").plain()


def test_every_step_marked_checked_and_the_mark_explained() -> None:
    """Each checked step ends with ✓, and one line says what ✓ means; unchecked steps have none."""
    checked = diff("sin(x^2)", "x").plain()
    unchecked = diff("sin(x^2)", "x", verify=False).plain()
    assert all(line.endswith("✓") for line in checked.splitlines() if ". " in line and ":" in line
               and line.lstrip()[0].isdigit())
    assert "✓ = step checked independently against SymPy as it was made" in checked
    assert "✓" not in unchecked


def failed(derivation: Derivation) -> Derivation:
    """The derivation with its first step marked as failing its check (as a bug would)."""
    import dataclasses

    first = dataclasses.replace(derivation.steps[0], verified=False)
    return dataclasses.replace(derivation, steps=(first, *derivation.steps[1:]))


@pytest.mark.parametrize("fmt", ["plain", "latex", "markdown"])
def test_a_failed_check_is_loud_in_every_text_format(fmt: str) -> None:
    """A step whose check failed is named in a message that cannot be missed."""
    output = failed(diff("x^3", "x")).render(fmt)
    assert "CHECK FAILED at step 1" in output
    assert "bug in calcgrad" in output


def test_a_failed_check_in_json() -> None:
    """JSON says verified false on the step and on the derivation, and lists the step."""
    data = json.loads(failed(diff("x^3", "x")).render("json"))
    assert data["steps"][0]["verified"] is False
    assert data["verified"] is False
    assert ["1"] == data["failed_checks"]


def test_json_marks_every_step_verified() -> None:
    """Every step of the JSON tree carries "verified": true after the checks."""
    def marks(step):
        yield step["verified"]
        for sub in step["substeps"]:
            yield from marks(sub)

    data = json.loads(diff("x^2 sin(x)/(1 + x)", "x").render("json"))
    assert {True} == {m for step in data["steps"] for m in marks(step)}
    assert data["verified"] is True
