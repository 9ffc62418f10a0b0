"""Tests for `calcgrad check`, through click's CliRunner: output, JSON and exit statuses."""

from __future__ import annotations

import json

import pytest

from click.testing import CliRunner

from calcgrad import limits
from calcgrad.cli import main


def run(*args: str, **kwargs):
    """Invoke the calcgrad command group with the given arguments."""
    return CliRunner().invoke(main, list(args), **kwargs)


def test_correct_exits_0() -> None:
    """A right answer prints the verdict and exits 0."""
    result = run("check", "2x sin x + x^2 cos x", "--of", "x^2 sin x", "--format", "plain")
    assert 0 == result.exit_code, result.output
    assert "Verdict: ✓ correct" in result.stdout


def test_incorrect_exits_1_with_named_mistake() -> None:
    """A wrong answer prints the mistake and the step, and exits 1."""
    result = run("check", "-sin(3x)", "--of", "cos(3x)", "--format", "plain")
    assert 1 == result.exit_code
    assert "Mistakes: missing_chain_factor" in result.stdout
    assert "Step 1, chain rule on cos(3x): the inner derivative 3 is missing." in result.stdout
    assert "Correct derivative: −3·sin(3x)" in result.stdout


def test_json_contract() -> None:
    """--format json gives the documented keys."""
    result = run("check", "x^4", "--of", "x^5", "--format", "json")
    assert 1 == result.exit_code
    data = json.loads(result.stdout)
    assert {"verdict", "expected", "answer", "mistakes", "feedback", "step", "counterexample",
            "problem", "variables", "reading", "notes", "warnings"} == set(data)
    assert ("incorrect", ["power_coefficient_missing"]) == (data["verdict"], data["mistakes"])


def test_undetermined_exits_1() -> None:
    """Undetermined is not a pass."""
    result = run("check", "1/(2 sqrt(x - 10^7)) + sin^2 x + cos^2 x - 1", "--of", "sqrt(x - 10^7)",
                 "--format", "plain")
    assert 1 == result.exit_code
    assert "undetermined" in result.stdout


def test_gradient() -> None:
    """--grad checks a list entry by entry."""
    result = run("check", "[2x y, x^2]", "--of", "x^2 y", "--grad", "--format", "plain")
    assert 0 == result.exit_code, result.output
    assert "∂/∂y: correct." in result.stdout


def test_mixed_partial_and_order() -> None:
    """--wrt x,y and --order N are accepted as in calcgrad diff."""
    assert 0 == run("check", "6x^2 y", "--of", "x^3 y^2", "--wrt", "x,y").exit_code
    assert 0 == run("check", "6x", "--of", "x^3", "--order", "2").exit_code


def test_bad_input_exits_2_without_traceback() -> None:
    """An unreadable answer or a CAS command is a usage error (exit 2), never evaluated."""
    for answer in ("diff(x^2, x)", "2x +", "__import__('os').system('true')"):
        result = run("check", answer, "--of", "x^2")
        assert 2 == result.exit_code, (answer, result.output)
        assert "Traceback" not in result.output
        assert "cannot read the input" in result.stderr


def test_missing_answer_exits_2() -> None:
    """No ANSWER and no --solution is a usage error."""
    result = run("check", "--of", "x^2")
    assert 2 == result.exit_code
    assert "give the ANSWER" in result.stderr


def test_worked_solution_file(tmp_path) -> None:
    """--solution reports the first wrong line with its diagnosis, and exits 1."""
    path = tmp_path / "solution.txt"
    path.write_text("d/dx(x^2 sin x) = 2x sin x + x^2 cos x\n= 2x sin x - x^2 cos x\n", encoding="utf-8")
    result = run("check", "--solution", str(path), "--of", "x^2 sin x", "--wrt", "x", "--format", "plain")
    assert 1 == result.exit_code
    assert "✓ line 1" in result.stdout
    assert "✗ line 2" in result.stdout
    assert "trigonometric rule" in result.stdout
    data = json.loads(run("check", "--solution", str(path), "--of", "x^2 sin x", "--format", "json").stdout)
    assert 2 == data["first_wrong_line"]
    assert ["fine", "wrong"] == [line["status"] for line in data["lines"]]


def test_every_format_renders() -> None:
    """Each output format renders a verdict without error."""
    for output_format in ("rich", "plain", "latex", "markdown", "json"):
        result = run("check", "-sin(3x)", "--of", "cos(3x)", "--format", output_format)
        assert 1 == result.exit_code, (output_format, result.output)
        assert result.stdout.strip()


def test_help_shows_example() -> None:
    """--help lists examples."""
    result = run("check", "--help")
    assert 0 == result.exit_code
    assert 'calcgrad check "-sin(3x)" --of "cos(3x)"' in result.stdout


def test_solution_on_standard_input_with_minus_lines() -> None:
    """--solution - reads the worked solution from stdin; lines starting with '-' are answers."""
    result = run("check", "--solution", "-", "--of", "cosh x", "--format", "json",
                 input="-sinh x\nsinh x\n")
    assert 1 == result.exit_code, result.output
    assert "Usage:" not in result.output
    assert 2 == len(json.loads(result.stdout)["lines"])


def test_answer_dash_reads_standard_input() -> None:
    """ANSWER '-' reads the answer from stdin, even one that starts with '-'."""
    result = run("check", "-", "--of", "cos x", "--format", "json", input="-sin x\n")
    assert 0 == result.exit_code, result.output
    assert "correct" == json.loads(result.stdout)["verdict"]


def test_no_answer_exits_as_incorrect_with_its_own_verdict() -> None:
    """`check idk` says "no answer" and exits 1, like an incorrect answer."""
    result = CliRunner().invoke(main, ["check", "idk", "--of", "x^2", "--format", "json"])
    assert (1, "no answer") == (result.exit_code, json.loads(result.stdout)["verdict"])


def test_prefix_is_read_past_and_reported() -> None:
    """`check "dy/dx = 2x"` is correct for x^2 and the text says what was removed."""
    result = CliRunner().invoke(main, ["check", "dy/dx = 2x", "--of", "x^2", "--format", "plain"])
    assert 0 == result.exit_code
    assert "Read as 2x, after removing 'dy/dx ='." in result.stdout


def test_no_answer_in_markdown_is_text_not_math_letters() -> None:
    """Markdown shows no answer as \\text{(no answer)}, not as italic letters."""
    result = CliRunner().invoke(main, ["check", "?", "--of", "x^2", "--format", "markdown"])
    assert 1 == result.exit_code
    assert r"**Your answer:** $\text{(no answer)}$" in result.stdout


def test_worked_solution_with_primes_carries_the_error_forward(tmp_path) -> None:
    """--solution reads (x^2)' and d/dx lines; algebra after a slip follows from it (one error)."""
    path = tmp_path / "solution.txt"
    path.write_text("(x^2 sin(3x))' = (x^2)' sin(3x) + x^2 d/dx(sin(3x))\n"
                    "= 2x sin(3x) + x^2 cos(3x)\n= x(2 sin(3x) + x cos(3x))\n", encoding="utf-8")
    result = run("check", "--solution", str(path), "--of", "x^2 sin(3x)", "--format", "json")
    assert 1 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert ["fine", "wrong", "follows"] == [line["status"] for line in data["lines"]]
    assert [2] == data["error_lines"]
    assert "1 new error: line 2 (line 3 follows from it)." == data["summary"]
    plain = run("check", "--steps", str(path), "--of", "x^2 sin(3x)", "--format", "plain").stdout
    assert "→ line 3: = x(2 sin(3x) + x cos(3x))" in plain
    assert "read as (x²)′·sin(3x) + x²·(sin(3x))′" in plain


def test_hostile_worked_solution_lines_are_reported(tmp_path, monkeypatch) -> None:
    """Huge powers, nested primes and a costly derivative: each line reported, no traceback, exit 1."""
    monkeypatch.setattr(limits, "CHECK_SECONDS", 0.5)
    path = tmp_path / "solution.txt"
    path.write_text("(x^(10^100))'\n" + "(" * 30 + "x" + ")'" * 30 + "\n"
                    + "(sin(sin(sin(sin(x)))))" + "'" * 20 + "\n2x\n", encoding="utf-8")
    result = run("check", "--solution", str(path), "--of", "x^2", "--format", "json")
    assert 1 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert ["wrong", "unreadable", "undetermined", "fine"] == [line["status"] for line in data["lines"]]
    assert "derivatives above order 20 are not taken" in data["lines"][1]["message"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, code", [
    (["12", "--of", "x^3", "--at", "2"], 0),
    (["11", "--of", "x^3", "--at", "x=2"], 1),
    (["0.333", "--of", "ln x", "--at", "3", "--tolerance", "0.001"], 0),
    (["0.333", "--of", "ln x", "--at", "3"], 1),  # exact unless a tolerance is given
])
def test_a_value_at_a_point_is_checked_like_a_grade_key_at(args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, ["check", *args])
    assert code == result.exit_code, result.output


def test_tolerance_needs_a_point() -> None:
    result = CliRunner().invoke(main, ["check", "2x", "--of", "x^2", "--tolerance", "0.1"])
    assert 2 == result.exit_code
    assert "--tolerance is for a value at a point" in result.output
