"""Tests for worked solutions (calcgrad.grading.checking.check_steps): each line is a correct
step, follows from the wrong line before it (its error counted once), a new error, or
unreadable; lines may hold derivatives still to be taken."""

from __future__ import annotations

import sympy
import pytest
from hypothesis import HealthCheck, assume, given, settings

from calcgrad import limits
from calcgrad.grading.checking import check_steps, take_derivatives
from calcgrad.render.notation import to_ascii
from tests.strategies import one_variable_expressions, x

CHAIN_SLIP = """\
(x^2 sin(3x))' = (x^2)' sin(3x) + x^2 (sin(3x))'
= 2x sin(3x) + x^2 cos(3x)
= x (2 sin(3x) + x cos(3x))
= 2x sin(3x) + x^2 cos(3x)
"""


def statuses(solution) -> list[tuple[int, str, int | None]]:
    return [(line.number, line.status, line.follows_from) for line in solution.lines]


def test_chain_rule_slip_is_one_error_and_the_algebra_after_it_follows() -> None:
    """A missing inner derivative at line 2, then correct algebra: one error, the rest follow from line 2."""
    solution = check_steps(CHAIN_SLIP, of="x^2 sin(3x)")
    assert [(1, "fine", None), (2, "wrong", None), (3, "follows", 2), (4, "follows", 2)] == statuses(solution)
    assert [2] == [line.number for line in solution.errors]
    assert ("missing_chain_factor",) == solution.errors[0].mistakes
    assert "incorrect" == solution.verdict
    assert "follows from line 2: the step itself is right" in solution.lines[2].message
    assert "follows from line 2 (through line 3)" in solution.lines[3].message


SIGN_SLIP = """\
d/dx(x^2 sin x) = (x^2)' sin x + x^2 (sin x)'
= 2x sin x + x^2 cos x
= 2x sin x - x^2 cos x
= x(2 sin x - x cos x)
"""


def test_trig_sign_slip_at_line_3() -> None:
    """The first wrong line is found with its diagnosis; the factored line after it follows from it."""
    solution = check_steps(SIGN_SLIP, of="x^2 sin x", wrt="x")
    assert [(1, "fine", None), (2, "fine", None), (3, "wrong", None), (4, "follows", 3)] == statuses(solution)
    assert 3 == solution.first_wrong.number
    assert ("trig_sign",) == solution.first_wrong.mistakes
    assert "1 new error: line 3 (line 4 follows from it)." in solution.plain()


def test_worked_solution_all_fine() -> None:
    """Every readable line equal to the derivative: correct; blank and # lines are skipped."""
    solution = check_steps(["d/dx(x^3) = 3x^2", "# comment", "", "= 3 x x"], of="x^3")
    assert "correct" == solution.verdict
    assert [1, 4] == [line.number for line in solution.lines]


def test_a_second_slip_is_a_new_error() -> None:
    """A line that follows neither the derivative nor the wrong line before it is a new error."""
    solution = check_steps(CHAIN_SLIP + "= 2x sin(3x) - x^2 cos(3x)\n= x(2 sin(3x) - x cos(3x))\n",
                           of="x^2 sin(3x)")
    assert [(5, "wrong", None), (6, "follows", 5)] == statuses(solution)[4:]
    assert [2, 5] == [line.number for line in solution.errors]
    assert solution.lines[4].message.startswith("does not follow from line 4 either.")


def test_a_line_back_to_the_derivative_is_a_correct_step() -> None:
    """After a wrong line, a line equal to the derivative is correct again (the error is fixed)."""
    solution = check_steps(["2x cos(3x)", "2x cos(3x) - 3x^2 sin(3x)"], of="x^2 cos(3x)")
    assert [(1, "wrong", None), (2, "fine", None)] == statuses(solution)


def test_primes_and_d_dx_notation() -> None:
    """Derivatives still to be taken, in ' and d/dx notation and as f'(x), are taken, then compared."""
    solution = check_steps([
        "f'(x) = (x^2)' sin x + x^2 (sin x)'",
        "= d/dx(x^2) sin(x) + x^2 d/dx(sin x)",
        "= 2x sin x + x^2 cos x",
    ], of="x^2 sin x")
    assert ["fine"] * 3 == [line.status for line in solution.lines]
    assert sympy.Derivative(x**2, x) * sympy.sin(x) + x**2 * sympy.Derivative(sympy.sin(x), x) \
        == solution.lines[0].reading
    assert 2 * x * sympy.sin(x) + x**2 * sympy.cos(x) == solution.lines[0].expression
    assert "correct" == check_steps(["(d/dx) ln(x^2+1)", "1/(x^2+1) (x^2+1)'", "2x/(x^2+1)"],
                                    of="ln(x^2+1)").verdict


def test_pending_derivative_taken_before_a_carried_comparison() -> None:
    """A wrong line, then a line whose pending derivative equals it once taken: it follows."""
    solution = check_steps(["cos(x^2)", "cos(x^2) (x)'"], of="sin(x^2)")
    assert [(1, "wrong", None), (2, "follows", 1)] == statuses(solution)


def test_unreadable_line_has_a_caret_and_is_skipped_in_the_chain() -> None:
    """An unreadable line is reported with a caret; the next line is compared with the one before it."""
    solution = check_steps(["cos(x^2)", "x^2'", "cos(x^2)"], of="sin(x^2)")
    assert [(1, "wrong", None), (2, "unreadable", None), (3, "follows", 1)] == statuses(solution)
    line = solution.lines[1]
    assert "the prime at column 4 must follow a closing bracket" in line.message
    assert "x^2'\n   ^" == line.caret


def test_f_is_a_variable_when_the_question_uses_it() -> None:
    """When f is a variable of the question, f(x) is f·x, not the question's function."""
    solution = check_steps(["f", "f(x)'"], of="f x", wrt="x")
    assert ["fine", "fine"] == [line.status for line in solution.lines]


def test_take_derivatives_innermost_first() -> None:
    """Nested derivatives still to be taken are taken from the inside out."""
    inner = sympy.Derivative(x**3, x)
    assert 6 * x * sympy.cos(3 * x**2) == take_derivatives(sympy.Derivative(sympy.sin(inner), x))


@pytest.mark.parametrize("line, status", [
    ("(x^(10^100))'", "wrong"),
    ("((((x^2)')')')'", "wrong"),
    ("(x)" + "'" * 25, "unreadable"),
    ("(" * 60 + "x" + ")'" * 60, "unreadable"),
    ("(e^e^e^e^3 x)'", "unreadable"),
    ("((x^2)')" + "^2" * 50, "unreadable"),
    ("(x^2)'" + " + (x^2)'" * 1500, "unreadable"),
    ("(sin(sin(sin(sin(x)))))" + "'" * 20, "undetermined"),
], ids=["huge power", "nested primes", "25 primes", "60 nested primes", "tower", "power tower",
        "too long", "order 20 of a nested sine"])
def test_hostile_lines_are_reported_not_crashed(line: str, status: str, monkeypatch) -> None:
    """Huge powers, nested primes and costly derivatives end as a line status with a message."""
    monkeypatch.setattr(limits, "CHECK_SECONDS", 0.5)
    solution = check_steps([line, "2x"], of="x^2")
    assert status == solution.lines[0].status
    assert solution.lines[0].message
    assert "fine" == solution.lines[1].status


def test_lines_left_when_the_solution_time_runs_out_are_not_checked(monkeypatch) -> None:
    """Past the whole solution's time limit the remaining lines are reported as not checked."""
    monkeypatch.setattr(limits, "SOLUTION_SECONDS", 0.3)
    slow = "(sin(sin(sin(sin(x)))))" + "'" * 20
    solution = check_steps([slow, "2x", "# comment", "3x"], of="x^2")
    assert ["undetermined"] * 3 == [line.status for line in solution.lines]
    assert [1, 2, 4] == [line.number for line in solution.lines]
    assert "not checked" in solution.lines[-1].message


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(one_variable_expressions, one_variable_expressions)
def test_generated_product_rule_solutions_are_correct(u, v) -> None:
    """f = u·v, then (u)' (v) + (u) (v)', then SymPy's derivative: every line is a correct step."""
    assume(u.has(x) and v.has(x) and sympy.count_ops(u * v) <= 25)
    f = u * v
    assume(f.has(x))
    lines = [f"({to_ascii(u)})' ({to_ascii(v)}) + ({to_ascii(u)}) ({to_ascii(v)})'",
             f"d/dx({to_ascii(u)}) ({to_ascii(v)}) + ({to_ascii(u)}) d/dx({to_ascii(v)})",
             to_ascii(sympy.diff(f, x))]
    solution = check_steps(lines, of=to_ascii(f))
    assume(all(line.status != "undetermined" for line in solution.lines))  # no sample point in the domain
    assert ["fine"] * 3 == [line.status for line in solution.lines], solution.plain()


def test_a_derivative_sympy_cannot_take_is_undetermined() -> None:
    """polygamma differentiated by its order has no rule: the line is undetermined, with its reading."""
    solution = check_steps(["(polygamma(x, 2))'"], of="x^2")
    line = solution.lines[0]
    assert ("undetermined", None) == (line.status, line.expression)
    assert "the derivative of polygamma(x, 2) with respect to x cannot be taken" == line.message
    assert "Derivative" not in solution.render("json")


RESTATED = "{first}\ny' = (x^2)' sin x + x^2 (sin x)'\n= 2x sin x + x^2 cos x\n"


@pytest.mark.parametrize("first", ["y = x^2 sin x", "f(x) = x^2 sin x", "x^2 sin x", "y = sin(x) x^2"])
def test_a_first_line_restating_the_function_is_given_not_an_error(first: str) -> None:
    """The textbook first line y = f is "given": not counted; the lines after it are compared as usual."""
    solution = check_steps(RESTATED.format(first=first), of="x^2 sin x")
    assert [(1, "given", None), (2, "fine", None), (3, "fine", None)] == statuses(solution)
    assert ((), "correct") == (solution.errors, solution.verdict)


def test_a_slip_after_the_restated_function_is_still_found() -> None:
    solution = check_steps(["y = x^2 sin x", "y' = 2x cos x"], of="x^2 sin x")
    assert [(1, "given", None), (2, "wrong", None)] == statuses(solution)
    assert ("incorrect", 2) == (solution.verdict, solution.first_wrong.number)


@pytest.mark.parametrize("lines", [
    ["y' = 2x sin x + x^2 cos x", "y = x^2 sin x"],   # after a derivative line
    ["y' = x^2 sin x"],                                 # written as the derivative
    ["d/dx(x^2 sin x) = x^2 sin x"],
])
def test_the_function_as_a_derivative_line_is_still_an_error(lines: list[str]) -> None:
    solution = check_steps(lines, of="x^2 sin x")
    assert ("wrong", ("function_itself",)) == (solution.lines[-1].status, solution.lines[-1].mistakes)
    assert "incorrect" == solution.verdict


def test_only_the_function_restated_is_undetermined() -> None:
    """Nothing but y = f shows no derivative: neither correct nor incorrect."""
    solution = check_steps(["y = x^2 sin x"], of="x^2 sin x")
    assert ("undetermined", ["given"]) == (solution.verdict, [line.status for line in solution.lines])
