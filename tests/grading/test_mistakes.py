"""Tests for calcgrad.grading.mistakes: each named mistake is found on many problems, pairs too."""

from __future__ import annotations

import pytest
import sympy

import calcgrad
from calcgrad.engine.derive import diff
from calcgrad.grading.mistakes import CODES, FaultyStep, apply, diagnose, mutations
from calcgrad.read.parser import parse

TABLE = [  # (problem, wrt, answer, verdict, mistake codes)
    # missing_chain_factor
    ("cos(3x)", "x", "-sin(3x)", "incorrect", ["missing_chain_factor"]),
    ("sin(x^2)", "x", "cos(x^2)", "incorrect", ["missing_chain_factor"]),
    ("e^(5x)", "x", "e^(5x)", "incorrect", ["missing_chain_factor"]),
    ("(2x+1)^3", "x", "3(2x+1)^2", "incorrect", ["missing_chain_factor"]),
    ("sqrt(x^2+1)", "x", "1/(2 sqrt(x^2+1))", "incorrect", ["missing_chain_factor"]),
    ("tan(4x)", "x", "sec^2(4x)", "incorrect", ["missing_chain_factor"]),
    ("sigmoid(w x + b)", "w", "sigmoid(w x + b)(1 - sigmoid(w x + b))", "incorrect", ["missing_chain_factor"]),
    # function_derivative_wrong (the function table's common wrong derivatives)
    ("tan x", "x", "sec x", "incorrect", ["function_derivative_wrong"]),
    ("sigmoid(x)", "x", "sigmoid(x)", "incorrect", ["function_derivative_wrong"]),
    ("gelu(x)", "x", "(1 + erf(x/sqrt(2)))/2", "incorrect", ["function_derivative_wrong"]),
    ("gelu(2x)", "x", "1 + erf(sqrt(2) x)", "incorrect", ["function_derivative_wrong"]),
    ("silu(x)", "x", "sigmoid(x)", "incorrect", ["function_derivative_wrong"]),
    ("silu(3x)", "x", "3 sigmoid(3x)(1 - sigmoid(3x))", "incorrect", ["function_derivative_wrong"]),
    # product_as_product_of_derivatives
    ("x e^x", "x", "e^x", "incorrect", ["product_as_product_of_derivatives"]),
    ("x^2 sin x", "x", "2x cos x", "incorrect", ["product_as_product_of_derivatives"]),
    ("x^3 ln x", "x", "3x^2/x", "incorrect", ["product_as_product_of_derivatives"]),
    ("sin x cos x", "x", "-cos x sin x", "incorrect", ["product_as_product_of_derivatives"]),
    # quotient_numerator_reversed
    ("x/(x+1)", "x", "-1/(x+1)^2", "incorrect", ["quotient_numerator_reversed"]),
    ("sin x / x", "x", "(sin x - x cos x)/x^2", "incorrect", ["quotient_numerator_reversed"]),
    ("x^2/(x^2+1)", "x", "(2x^3 - 2x(x^2+1))/(x^2+1)^2", "incorrect", ["quotient_numerator_reversed"]),
    ("e^x/x", "x", "(e^x - x e^x)/x^2", "incorrect", ["quotient_numerator_reversed"]),
    # quotient_missing_square
    ("1/(x+1)", "x", "-1/(x+1)", "incorrect", ["quotient_missing_square"]),
    ("x/(x+1)", "x", "1/(x+1)", "incorrect", ["quotient_missing_square"]),
    ("sin x / x", "x", "(x cos x - sin x)/x", "incorrect", ["quotient_missing_square"]),
    ("(x+2)/(x-3)", "x", "((x-3) - (x+2))/(x-3)", "incorrect", ["quotient_missing_square"]),
    # trig_sign
    ("sec x", "x", "-sec x tan x", "incorrect", ["trig_sign"]),
    ("cos x", "x", "sin x", "incorrect", ["trig_sign"]),
    ("cot x", "x", "csc^2 x", "incorrect", ["trig_sign"]),
    ("csc x", "x", "csc x cot x", "incorrect", ["trig_sign"]),
    ("x^2 + cos x", "x", "2x + sin x", "incorrect", ["trig_sign"]),
    ("cosh x", "x", "-sinh x", "incorrect", ["trig_sign"]),
    ("cos(2x)", "x", "2 sin(2x)", "incorrect", ["trig_sign"]),
    # power_not_reduced
    ("x^5", "x", "5x^5", "incorrect", ["power_not_reduced"]),
    ("3x^4", "x", "12x^4", "incorrect", ["power_not_reduced"]),
    ("x^3 + x^2", "x", "3x^3 + 2x", "incorrect", ["power_not_reduced"]),
    ("sqrt x", "x", "sqrt(x)/2", "incorrect", ["power_not_reduced"]),
    ("x^-2", "x", "-2x^-2", "incorrect", ["power_not_reduced"]),
    # power_coefficient_missing
    ("x^5", "x", "x^4", "incorrect", ["power_coefficient_missing"]),
    ("x^3 + 2x", "x", "x^2 + 2", "incorrect", ["power_coefficient_missing"]),
    ("(x^2+1)^3", "x", "(x^2+1)^2 * 2x", "incorrect", ["power_coefficient_missing"]),
    ("x^10", "x", "x^9", "incorrect", ["power_coefficient_missing"]),
    # exponential_as_power
    ("3^x", "x", "x 3^(x-1)", "incorrect", ["exponential_as_power"]),
    ("2^x", "x", "x 2^(x-1)", "incorrect", ["exponential_as_power"]),
    ("e^x", "x", "x e^(x-1)", "incorrect", ["exponential_as_power"]),
    ("x^2 + 10^x", "x", "2x + x 10^(x-1)", "incorrect", ["exponential_as_power"]),
    # log_derivative_wrong
    ("ln x", "x", "1/ln x", "incorrect", ["log_derivative_wrong"]),
    ("ln(x^2+1)", "x", "2x/ln(x^2+1)", "incorrect", ["log_derivative_wrong"]),
    ("log_2 x", "x", "1/x", "incorrect", ["log_derivative_wrong"]),
    # ln u without u′ is the chain rule's slip, named as for every other outer function
    ("ln(x^2+1)", "x", "1/(x^2+1)", "incorrect", ["missing_chain_factor"]),
    ("ln(3x)", "x", "1/(3x)", "incorrect", ["missing_chain_factor"]),
    ("ln(sin x)", "x", "1/sin x", "incorrect", ["missing_chain_factor"]),
    ("x + ln(3x+1)", "x", "1 + 1/(3x+1)", "incorrect", ["missing_chain_factor"]),
    ("log_2(x^2+1)", "x", "1/((x^2+1) ln 2)", "incorrect", ["missing_chain_factor"]),
    ("ln(x^2+1)", "x", "1/ln(x^2+1)", "incorrect", ["missing_chain_factor", "log_derivative_wrong"]),
    # held_constant_differentiated
    ("x^2 y + x", "y", "2xy + 1", "incorrect", ["held_constant_differentiated", "wrong_variable"]),
    ("x^2 y^3 + y", "x", "2x y^3 + 1", "incorrect", ["held_constant_differentiated"]),
    ("x y^2", "x", "y^2 + 2xy", "incorrect", ["held_constant_differentiated"]),
    ("x^2 + y^2", "x", "2x + 2y", "incorrect", ["held_constant_differentiated"]),
    ("x^2 + sin y", "x", "2x + cos y", "incorrect", ["held_constant_differentiated"]),
    # constant_not_dropped
    ("x^2 + 7", "x", "2x + 7", "incorrect", ["constant_not_dropped"]),
    ("sin x + 3", "x", "cos x + 3", "incorrect", ["constant_not_dropped"]),
    ("x^3 - 5", "x", "3x^2 - 5", "incorrect", ["constant_not_dropped"]),
    ("x^2 + y", "x", "2x + y", "incorrect", ["constant_not_dropped"]),
    # integrated_instead
    ("x^2", "x", "x^3/3", "incorrect", ["integrated_instead"]),
    ("cos x", "x", "sin x", "incorrect", ["trig_sign"]),
    ("sin x", "x", "-cos x", "incorrect", ["trig_sign"]),
    ("x^3 + 2x", "x", "x^4/4 + x^2", "incorrect", ["integrated_instead"]),
    ("x^2 + 1", "x", "x^3/3 + x", "incorrect", ["integrated_instead"]),
    ("e^(2x)", "x", "e^(2x)/2", "incorrect", ["integrated_instead"]),
    ("1/x", "x", "ln|x|", "incorrect", ["integrated_instead"]),
    # wrong_variable
    ("x^2", "x", "2t", "incorrect", ["wrong_variable"]),
    ("sin x", "x", "cos t", "incorrect", ["wrong_variable"]),
    ("x^3 y", "x", "x^3", "incorrect", ["held_constant_differentiated"]),
    ("w^2 b", "b", "2 w b", "incorrect", ["held_constant_differentiated"]),
    ("x^2 + x y", "y", "2x + y", "incorrect", ["held_constant_differentiated", "wrong_variable"]),
    # constant_factor
    ("sin(x^2)", "x", "x cos(x^2)", "incorrect", ["power_coefficient_missing"]),
    ("sin(x^2)", "x", "4x cos(x^2)", "incorrect", ["constant_factor"]),
    ("x^2", "x", "4x", "incorrect", ["constant_factor"]),
    ("3^x", "x", "3^x", "incorrect", ["constant_factor"]),
    ("4 sin x", "x", "cos x", "incorrect", ["constant_factor"]),
    ("e^x sin x", "x", "2 e^x (sin x + cos x)", "incorrect", ["constant_factor"]),
    # sign_error
    ("x^2 sin x", "x", "-2x sin x - x^2 cos x", "incorrect", ["sign_error"]),
    ("e^x + x", "x", "-e^x - 1", "incorrect", ["sign_error"]),
    ("ln x + x^3", "x", "-1/x - 3x^2", "incorrect", ["sign_error"]),
    # pairs
    ("sin(3x) x^2", "x", "cos(3x) 2x", "incorrect", ["product_as_product_of_derivatives", "missing_chain_factor"]),
    ("x^3 + sin(2x)", "x", "3x^3 + cos(2x)", "incorrect", ["power_not_reduced", "missing_chain_factor"]),
    ("x^2 + cos x + 4", "x", "2x + sin x + 4", "incorrect", ["trig_sign", "constant_not_dropped"]),
    # correct forms
    ("x^2 sin x", "x", "2x sin x + x^2 cos x", "correct", []),
    ("sin(2x)", "x", "2cos(2x)", "correct", []),
    ("sin^2 x", "x", "sin 2x", "correct", []),
    ("sin^2 x", "x", "2 sin x cos x", "correct", []),
    ("sigmoid(x)", "x", "e^-x/(1+e^-x)^2", "correct", []),
    ("ln|x|", "x", "1/x", "correct", []),
    ("ln(x^2)", "x", "2/x", "correct", []),
    ("x/(x+1)", "x", "1/(x+1)^2", "correct", []),
    ("tan x", "x", "1 + tan^2 x", "correct", []),
    ("sqrt x", "x", "0.5 x^(-1/2)", "correct", []),
    ("x^x", "x", "x^x (ln x + 1)", "correct", []),
    ("softplus(x)", "x", "1/(1+e^-x)", "correct", []),
    ("relu(x)", "x", "step(x)", "correct", []),
    ("|x|", "x", "x/|x|", "correct", []),
    ("e^(x^2)", "x", "2x e^(x^2)", "correct", []),
    ("log_10 x", "x", "1/(x ln 10)", "correct", []),
    ("atan x", "x", "1/(1+x^2)", "correct", []),
    ("x^2 y + x", "y", "x^2", "correct", []),
    # near misses
    ("x^2", "x", "2.0001x", "incorrect", []),
    ("sin(2x)", "x", "2cos(2x) + 10^-9", "incorrect", []),
    ("x^3", "x", "3x^2 + 1", "incorrect", []),
    # sign_slip: one term's sign flipped (and never two contradictory sign mistakes)
    ("x^3 - 5x", "x", "3x^2 + 5", "incorrect", ["sign_slip"]),
    ("sin(x)/x", "x", "(x cos x + sin x)/x^2", "incorrect", ["sign_slip"]),
    ("x^4 - 2x^2", "x", "4x^3 + 4x", "incorrect", ["sign_slip"]),
    # sign_error from a dropped factor −1 (the inner derivative's minus), not constant_factor
    ("sqrt(1 - e^x)", "x", "e^x/(2 sqrt(1 - e^x))", "incorrect", ["sign_error"]),
    ("x^2 - e^x", "x", "2x + e^x", "incorrect", ["sign_error"]),
    # dropped_term
    ("x^3 - 5x", "x", "3x^2", "incorrect", ["dropped_term"]),
    ("x^2 sin x", "x", "2x sin x", "incorrect", ["dropped_term"]),
    ("e^x + ln x", "x", "e^x", "incorrect", ["dropped_term"]),
    # quotient_of_derivatives
    ("sin(x)/x^2", "x", "cos(x)/(2x)", "incorrect", ["quotient_of_derivatives"]),
    ("(x^2+1)/(x-1)", "x", "2x", "incorrect", ["quotient_of_derivatives"]),
    ("e^x/x^3", "x", "e^x/(3x^2)", "incorrect", ["quotient_of_derivatives"]),
    # function_itself
    ("cos(3x)", "x", "cos(3x)", "incorrect", ["function_itself"]),
    ("x^2 sin x", "x", "x^2 sin x", "incorrect", ["function_itself"]),
    ("ln(x^2+1)", "x", "ln(x^2+1)", "incorrect", ["function_itself"]),
    # wrong_order: f′ where f″ was asked (wrt "x,x"), and the reverse
    ("x^3", "x,x", "3x^2", "incorrect", ["wrong_order"]),
    ("x^4", "x,x,x", "12x^2", "incorrect", ["wrong_order"]),
    ("sin(2x)", "x", "-4 sin(2x)", "incorrect", ["wrong_order"]),
    # constant_of_integration (the rest judged on its own)
    ("x^2", "x", "2x + C", "incorrect", ["constant_of_integration"]),
    ("sin x", "x", "cos x + C", "incorrect", ["constant_of_integration"]),
    ("cos(3x)", "x", "-sin(3x) + C", "incorrect", ["constant_of_integration", "missing_chain_factor"]),
]


@pytest.mark.parametrize("problem, wrt, answer, verdict, codes", TABLE,
                         ids=[f"d{w}({p}) = {a}" for p, w, a, _, _ in TABLE])
def test_named_mistakes(problem: str, wrt: str, answer: str, verdict: str, codes: list[str]) -> None:
    """Each answer gets the expected verdict and exactly the expected mistake codes."""
    result = calcgrad.check(answer, of=problem, wrt=wrt)
    assert (verdict, codes) == (result.verdict, list(result.mistakes)), result.feedback


def test_every_code_is_covered_several_times() -> None:
    """The table exercises every mistake code on at least three problems."""
    counts = {code: sum(code in codes for *_, codes in TABLE) for code in CODES}
    assert {code: n for code, n in counts.items() if n < 3} == {}


def test_feedback_names_rule_and_step() -> None:
    """The feedback says which step, which rule, on what, and what is missing."""
    result = calcgrad.check("-sin(3x)", of="cos(3x)")
    assert "Step 1, chain rule on cos(3x): the inner derivative 3 is missing." == result.feedback[0]
    assert ("1", "chain") == (result.step.number, result.step.rule)
    assert parse("-3 sin(3x)") == result.step.expected
    assert parse("-sin(3x)") == result.step.given


def test_step_numbers_follow_the_outline() -> None:
    """A mistake deep in the tree is located by its outline number, as `calcgrad diff` shows it."""
    result = calcgrad.check("2x + sin x + 4", of="x^2 + cos x + 4")
    assert ["trig_sign", "constant_not_dropped"] == list(result.mistakes)
    assert "1.2" == result.step.number
    assert result.feedback[0].startswith("Step 1.2, trigonometric rule on cos(x)")
    assert result.feedback[1].startswith("Step 1.3, constant rule on 4")


def test_second_derivative_mistake_is_found_in_its_stage() -> None:
    """In d²/dx², a slip in the second stage is named with that stage's step number."""
    result = calcgrad.check("6x^2", of="x^3", order=2)
    assert ["power_not_reduced"] == list(result.mistakes)
    assert result.step.number.startswith("3")


def test_mutations_leave_the_engine_untouched() -> None:
    """Applying every mutation rebuilds copies; the correct derivation keeps its result."""
    derivation = diff("x^2 sin(3x) + ln(x^2 + 1)/x", "x")
    before = derivation.result
    faults = mutations(derivation)
    assert len(faults) >= 8
    for mutation in faults:
        apply(derivation, (mutation,))
    assert before == derivation.result
    assert not any(isinstance(step, FaultyStep) for stage in derivation.stages for step in stage.walk())


def test_mutated_result_flows_through_the_tree() -> None:
    """A faulty inner step changes the final result the way the student's slip would."""
    derivation = diff("sin(x^3)", "x")
    power = next(m for m in mutations(derivation) if m.code == "power_not_reduced")
    assert sympy.simplify(apply(derivation, (power,)) - parse("3x^3 cos(x^3)")) == 0


def test_unexplained_wrong_answer_has_no_codes_but_a_counterexample() -> None:
    """A wrong answer no mistake explains is still incorrect, with a checkable counterexample."""
    result = calcgrad.check("x^2 + 1", of="x^3")
    assert ("incorrect", ()) == (result.verdict, result.mistakes)
    assert "At x = 1 the derivative is 3, but your answer gives 2." == result.feedback[-1]


def test_diagnose_returns_none_for_unrelated_answer() -> None:
    """diagnose does not invent a mistake."""
    assert diagnose(diff("x^2", "x"), parse("sin x")) is None


def test_wrong_order_says_which_order() -> None:
    """f′ given for f″ names both orders."""
    result = calcgrad.check("3x^2", of="x^3", order=2)
    assert ("Your answer is the first derivative; the question asks for the second derivative.",
            ) == result.feedback[:1]


def test_no_answer_is_named_two_sign_flips() -> None:
    """No diagnosis pairs two sign flips (a reversed numerator with a trig sign)."""
    from calcgrad.grading.mistakes import SIGN_FLIPS

    for problem, wrt, answer, _, _ in TABLE:
        codes = calcgrad.check(answer, of=problem, wrt=wrt).mistakes
        assert len(SIGN_FLIPS.intersection(codes)) <= 1, (problem, answer, codes)
