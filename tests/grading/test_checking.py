"""Tests for calcgrad.grading.checking: verdicts, gradients, worked solutions, and the property that a
right answer in any form is never called wrong and a perturbed one never right."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings

import calcgrad
from calcgrad.grading.checking import check, split_list, strip_prefix
from calcgrad.errors import LimitError, ParseError, UsageError
from calcgrad.read.parser import parse
from tests.strategies import expressions, x, y


def test_correct_answer() -> None:
    """A right answer in another form is correct, and bool() says so."""
    verdict = check("2x sin x + x^2 cos x", of="x^2 sin x", wrt="x")
    assert "correct" == verdict.verdict
    assert verdict
    assert ("Correct.",) == verdict.feedback
    assert (None, None, ()) == (verdict.step, verdict.counterexample, verdict.mistakes)


def test_incorrect_answer_is_falsy_with_counterexample() -> None:
    """A wrong answer is falsy and carries a point with both values."""
    verdict = check("2x", of="x^3")
    assert "incorrect" == verdict.verdict
    assert not verdict
    assert ((x, 1),) == verdict.counterexample.point
    assert ("3", "2") == (verdict.counterexample.expected, verdict.counterexample.given)


def test_undetermined_is_falsy() -> None:
    """When no sample point is inside the domain the verdict is undetermined, not a guess."""
    verdict = check("1/(2 sqrt(x - 10^7)) + sin^2 x + cos^2 x - 1", of="sqrt(x - 10^7)")
    assert "undetermined" == verdict.verdict
    assert not verdict
    assert "Could not decide" in verdict.feedback[0]


def test_json_contract_keys() -> None:
    """to_dict has the documented keys, with math as text the parser reads back."""
    data = check("-sin(3x)", of="cos(3x)").to_dict()
    assert {"verdict", "problem", "variables", "expected", "answer", "mistakes", "feedback",
            "step", "counterexample", "reading", "notes", "warnings"} == set(data)
    assert parse(data["expected"]) == parse("-3 sin(3x)")
    assert ["missing_chain_factor"] == data["mistakes"]
    assert "1" == data["step"]["number"]
    assert {"x": "1"} == data["counterexample"]["point"]


def test_mixed_partial_and_order() -> None:
    """--wrt x,y and --order work as in calcgrad diff."""
    assert check("6x^2 y", of="x^3 y^2", wrt="x,y")
    assert not check("6x y^2", of="x^3 y^2", wrt="x,y")
    assert check("6x", of="x^3", order=2)
    assert not check("3x^2", of="x^3", order=2)


def test_removable_singularity_is_correct_with_a_note() -> None:
    """An answer defined where the derivative is not (a removable singularity) passes, with a note."""
    verdict = check("1", of="(x^2 - x)/(x - 1)")
    assert "correct" == verdict.verdict
    assert any("removable singularity" in sentence for sentence in verdict.feedback)


def test_gradient_entry_by_entry() -> None:
    """A gradient answer is checked entry by entry; feedback names each partial derivative."""
    verdict = check("[2x y, x^2 + 1]", of="x^2 y + y", grad=True)
    assert verdict
    wrong = check("[2x y, 2x]", of="x^2 y", grad=True)
    assert "incorrect" == wrong.verdict
    assert ("∂/∂x: correct.", "∂/∂y: At x = 1, y = 1/2 the derivative is 1, but your answer gives 2.") == wrong.feedback
    assert ["2*x*y", "x**2"] == wrong.to_dict()["expected"]
    assert wrong.counterexample is not None


def test_gradient_mistakes_are_named() -> None:
    """A named mistake in one entry of a gradient is reported with that entry."""
    verdict = check("[cos(x y), x cos(x y)]", of="sin(x y)", grad=True)
    assert ["missing_chain_factor"] == list(verdict.mistakes)
    assert verdict.feedback[0].startswith("∂/∂x: Step 1, chain rule")


def test_gradient_wrong_length_is_incorrect() -> None:
    """A gradient with the wrong number of entries is incorrect, saying how many are needed."""
    verdict = check("[2x]", of="x^2 + y^2", grad=True)
    assert "incorrect" == verdict.verdict
    assert "2 entries" in verdict.feedback[0]


@pytest.mark.parametrize("text, parts", [
    ("[2x, 2y]", ["2x", "2y"]),
    ("[f(x, 2), sin(x), log(x, 2)]", ["f(x, 2)", "sin(x)", "log(x, 2)"]),
    ("(1, [2, 3])", ["1", "[2, 3]"]),
])
def test_split_list(text: str, parts: list[str]) -> None:
    """Lists are split at top-level commas only."""
    assert parts == split_list(text)


@pytest.mark.parametrize("text", ["2x, 2y", "[2x, ]", "[2x, (y]", "[x))"])
def test_split_list_rejects_malformed(text: str) -> None:
    """Malformed lists are a usage error naming the text."""
    with pytest.raises(UsageError):
        split_list(text)


@pytest.mark.parametrize("answer", ["diff(x^2, x)", "integrate(x)", "__import__('os')", "2x; 3"])
def test_cas_calls_are_rejected_not_evaluated(answer: str) -> None:
    """Commands typed as answers are parse errors, never evaluated."""
    with pytest.raises(ParseError):
        check(answer, of="x^2")


def test_unevaluated_sympy_derivative_is_rejected() -> None:
    """A SymPy answer holding an unevaluated derivative is not accepted as an answer."""
    with pytest.raises(UsageError):
        check(sympy.Derivative(x**2, x), of="x^2")


def test_sympy_expressions_accepted() -> None:
    """Answers and problems may be SymPy expressions (symbols made real)."""
    t = sympy.Symbol("x")
    assert check(2 * t, of=t**2)


def test_foreign_symbol_is_mentioned() -> None:
    """An answer using a letter the problem does not have says so."""
    verdict = check("2x + k", of="x^2")
    assert any("k, which is not a variable" in s for s in verdict.feedback)


def test_huge_answer_is_limited() -> None:
    """An answer beyond the parser's size limit fails fast with a LimitError."""
    with pytest.raises(LimitError):
        check("x+" * 6000 + "x", of="x^2")


# --- worked solutions -------------------------------------------------------------------


@pytest.mark.parametrize("line, expression", [
    ("d/dx(x^2) = 2x", "2x"),
    ("= 2x", "2x"),
    ("2x", "2x"),
    ("f'(x) = (x+1)(x-1)", "(x+1)(x-1)"),
    ("d/dx [f(x = 1)] = 3", "3"),
])
def test_strip_prefix(line: str, expression: str) -> None:
    """The expression is what follows the last top-level '='."""
    assert expression == strip_prefix(line)


# --- the property: right answers pass, perturbed ones never do ------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_sympy_derivative_never_incorrect_and_perturbation_never_correct(expr) -> None:
    """SymPy's derivative (another form) is never incorrect; nudged by 10⁻⁹ it is never correct."""
    assume(sympy.count_ops(expr) <= 30 and expr.has(x))
    try:
        calcgrad.diff(expr, "x")
    except LimitError:
        assume(False)
    reference = sympy.diff(expr, x)
    assume(not reference.has(sympy.Derivative, sympy.Subs))
    assert "incorrect" != check(reference, of=expr, wrt="x").verdict
    nudged = reference + sympy.Rational(1, 10**9) * (x**2 + y**2 + 1)
    assert "correct" != check(nudged, of=expr, wrt="x").verdict


STUDENT_WRITING = [
    ("f'(x) = 2x - 5", "x^2 - 5x", "correct", "after removing 'f'(x) ='"),
    ("dy/dx = 2x - 5", "x^2 - 5x", "correct", "after removing 'dy/dx ='"),
    ("d/dx ln(x^2+1) = 2x/(x^2+1)", "ln(x^2+1)", "correct", "after removing 'd/dx ln(x^2+1) ='"),
    ("y' = 2x", "x^2 - 5x", "incorrect", "after removing 'y' ='"),
]


@pytest.mark.parametrize("answer,of,verdict,note", STUDENT_WRITING, ids=[a for a, *_ in STUDENT_WRITING])
def test_derivative_notation_is_read_past_and_said(answer: str, of: str, verdict: str, note: str) -> None:
    """The verdict judges what follows the notation and says what was removed."""
    result = check(answer, of=of)
    assert (verdict, (note,)) == (result.verdict, result.notes)


def test_juxtaposed_chain_factor_multiplies_with_a_warning() -> None:
    """(3x^2+1)^4 6x is the product, correct for (3x^2+1)^5/5, and the reading is noted."""
    result = check("(3x^2+1)^4 6x", of="(3x^2+1)^5/5")
    assert "correct" == result.verdict
    assert 1 == len(result.warnings)
    assert "6x·(3x² + 1)⁴" == result.reading


def test_plus_c_is_incorrect_with_its_own_mistake() -> None:
    """A + C is named constant_of_integration, and the rest is judged on its own."""
    result = check("2x - 5 + C", of="x^2 - 5x")
    assert ("incorrect", ("constant_of_integration",)) == (result.verdict, result.mistakes)
    assert "Without '+ C' your answer is correct." in result.feedback


def test_plus_c_is_a_variable_when_the_problem_has_c() -> None:
    """When C is a variable of the problem, + C is part of the answer."""
    result = check("2C x + C", of="C x^2 + C x", wrt="x")
    assert ("correct", ()) == (result.verdict, result.notes)


@pytest.mark.parametrize("answer", ["", "idk", "?", "-", "n/a", "dunno"])
def test_placeholders_get_no_answer(answer: str) -> None:
    """A blank or a placeholder is "no answer", not an incorrect answer with a counterexample."""
    result = check(answer, of="x^2")
    assert ("no answer", None, (), None) == (result.verdict, result.answer, result.mistakes,
                                             result.counterexample)
    assert not result
    assert result.to_dict()["answer"] is None


def test_gradient_placeholder_is_no_answer() -> None:
    """A gradient question answered "idk" is no answer too."""
    assert "no answer" == check("idk", of="x^2 y", grad=True).verdict


def test_decimal_answers_fail_without_a_tolerance_and_pass_with_one() -> None:
    """0.3333x^2 is not x^2/3 exactly; within 1e-3 it is accepted, with a sentence saying so."""
    from calcgrad.grading.checking import within_tolerance

    exact = check("0.3333x^2", of="x^3/9")
    assert "incorrect" == exact.verdict
    close = within_tolerance(exact, 1e-3)
    assert ("correct", ("Correct within the tolerance 0.001 (a decimal answer).",)) == \
        (close.verdict, close.feedback)
    assert "incorrect" == within_tolerance(check("0.3x^2", of="x^3/9"), 1e-3).verdict


def test_value_at_a_point() -> None:
    """A value at a point is compared exactly (or within a tolerance); a formula is refused."""
    from calcgrad.grading.checking import check_value

    assert "correct" == check_value("8", of="x^3 - 4x", at="x=2").verdict
    assert "incorrect" == check_value("8.001", of="x^3 - 4x", at="x=2").verdict
    assert "correct" == check_value("8.001", of="x^3 - 4x", at="x=2", tolerance=1e-3).verdict
    formula = check_value("3x^2 - 4", of="x^3 - 4x", at="x=2")
    assert "incorrect" == formula.verdict
    assert "a number; your answer contains x" in formula.feedback[0]
    assert "no answer" == check_value("idk", of="x^3 - 4x", at="x=2").verdict
