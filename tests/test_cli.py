"""Tests for the command line, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import calcgrad.engine.derive
from calcgrad import __version__
from calcgrad.cli import main


def run(*args: str, **kwargs):
    """Invoke the calcgrad command group with the given arguments."""
    return CliRunner().invoke(main, list(args), **kwargs)


# --- successful runs -------------------------------------------------------------------------


def test_partial_derivative_plain() -> None:
    """A partial derivative shows how the input was read, the result and what is held constant."""
    result = run("diff", "x^2 + 3xy + y^2", "--wrt", "x")
    assert 0 == result.exit_code, result.output
    assert "Interpreted as" in result.stdout
    assert "2x + 3y" in result.stdout
    assert "held constant" in result.stdout
    assert "Traceback" not in result.output


def test_json_format() -> None:
    """--format json writes the JSON contract with the result in SymPy text."""
    result = run("diff", "x^2 + 3xy + y^2", "--wrt", "x", "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert "2*x + 3*y" == data["result"]
    assert ["x"] == data["variables"]


@pytest.mark.parametrize("fmt, marker", [
    pytest.param("latex", "\\begin{align*}", id="latex"),
    pytest.param("markdown", "**Result**", id="markdown"),
    pytest.param("plain", "Result: ", id="plain"),
    pytest.param("rich", "Result", id="rich"),
])
def test_other_formats(fmt: str, marker: str) -> None:
    """Every output format runs and writes its own kind of document."""
    result = run("diff", "x^2 + 3xy + y^2", "--wrt", "x", "--format", fmt)
    assert 0 == result.exit_code, result.output
    assert marker in result.stdout


def test_default_format_is_plain_when_not_a_terminal() -> None:
    """Without --format and without a terminal the output is plain text with no escape codes."""
    result = run("diff", "x^2")
    assert 0 == result.exit_code, result.output
    assert "Result: d/dx (x²) = 2x" in result.stdout
    assert "\x1b" not in result.stdout


def test_at_point() -> None:
    """--at evaluates the derivative at the point."""
    result = run("diff", "x^2", "--at", "x=3", "--format", "json")
    assert 0 == result.exit_code, result.output
    assert "6" == json.loads(result.stdout)["value"]
    plain = run("diff", "x^2", "--at", "x=3")
    assert "Value: at x = 3: 6" in plain.stdout


def test_order() -> None:
    """--order 2 gives the second derivative."""
    result = run("diff", "x^3", "--order", "2")
    assert 0 == result.exit_code, result.output
    assert "Result: d²/dx² (x³) = 6x" in result.stdout


@pytest.mark.parametrize("wrt", [
    pytest.param(["--wrt", "x", "--wrt", "y"], id="repeated-wrt"),
    pytest.param(["--wrt", "x,y"], id="comma-wrt"),
])
def test_mixed_partial(wrt: list[str]) -> None:
    """A mixed partial can be asked for by repeating --wrt or by a comma list."""
    result = run("diff", "x^2 y^3", *wrt)
    assert 0 == result.exit_code, result.output
    assert "= 6xy²" in result.stdout
    data = json.loads(run("diff", "x^2 y^3", *wrt, "--format", "json").stdout)
    assert "6*x*y**2" == data["result"]
    assert ["x", "y"] == data["variables"]


def test_declared_variable() -> None:
    """--var lets a multi-letter name be one variable."""
    result = run("diff", "loss^2", "--wrt", "loss", "--var", "loss")
    assert 0 == result.exit_code, result.output
    assert "= 2·loss" in result.stdout
    data = json.loads(run("diff", "loss^2", "--var", "loss", "--format", "json").stdout)
    assert "2*loss" == data["result"]


def test_expression_starting_with_minus() -> None:
    """An expression that begins with '-' is not taken for an option."""
    result = run("diff", "-x^2")
    assert 0 == result.exit_code, result.output
    assert "= −2x" in result.stdout


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    pytest.param(["sine(x)"], ["sin", "^"], id="unknown-function"),
    pytest.param(["(x+1"], ["never closed", "^"], id="unclosed-bracket"),
    pytest.param(["x y"], ["x, y", "--wrt"], id="several-variables-no-wrt"),
    pytest.param(["10^10^10"], ["digits"], id="huge-power"),
    pytest.param(["(" * 10000], ["nested"], id="deep-nesting"),
    pytest.param(["x" * 1_000_000], ["limit"], id="one-megabyte"),
    pytest.param(["__import__('os').getpid()"], ["cannot read"], id="python-code"),
    pytest.param(["x^2", "--at", "z=1"], ["z"], id="point-not-a-variable"),
    pytest.param(["x^2", "--order", "0"], ["--order"], id="order-zero"),
    pytest.param(["x^2", "--format", "html"], ["--format"], id="unknown-format"),
])
def test_errors_exit_2_without_traceback(args: list[str], expected: list[str]) -> None:
    """Bad input exits with status 2 and a short message, never a traceback."""
    result = run("diff", *args)
    assert 2 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "" == result.stdout
    for word in expected:
        assert word in result.stderr
    assert len(result.stderr) < 2000


def test_unknown_function_message_points_at_it() -> None:
    """The message for a misspelt function quotes the input and puts a caret under it."""
    result = run("diff", "sine(x)")
    lines = result.stderr.splitlines()
    assert "  sine(x)" in lines
    assert "  ^" in lines
    assert any("did you mean sin" in line for line in lines)


def test_internal_error_exits_1(monkeypatch) -> None:
    """A bug inside calcgrad exits with status 1 and a one-line message, not a traceback."""

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.delenv("CALCGRAD_DEBUG", raising=False)
    monkeypatch.setattr(calcgrad.engine.derive, "diff", broken)
    result = run("diff", "x^2")
    assert 1 == result.exit_code
    assert "Traceback" not in result.output
    assert "internal error (RuntimeError: boom)" in result.stderr


# --- version and help -------------------------------------------------------------------------


def test_version() -> None:
    """--version prints the program name and version."""
    result = run("--version")
    assert 0 == result.exit_code
    assert __version__ in result.stdout
    assert "calcgrad" in result.stdout


@pytest.mark.parametrize("args", [
    pytest.param(["--help"], id="main"),
    pytest.param(["diff", "--help"], id="diff"),
    pytest.param(["-h"], id="main-short"),
])
def test_help_has_examples(args: list[str]) -> None:
    """Help text for the group and for diff includes examples."""
    result = run(*args)
    assert 0 == result.exit_code
    assert "Examples" in result.stdout


def test_python_dash_m() -> None:
    """`python -m calcgrad --version` runs and prints the version."""
    completed = subprocess.run([sys.executable, "-m", "calcgrad", "--version"],
                               capture_output=True, text=True, timeout=60)
    assert 0 == completed.returncode, completed.stderr
    assert __version__ in completed.stdout


# --- what a user writes always reaches calcgrad as text (issue 12) -----------------------------

DASH_ANSWERS = [
    ("-sinh x", "cosh x"), ("-2x sinh(x^2)", "cosh(x^2)"), ("-sech^2 x", "tanh x"),
    ("-theta", "theta^2/2"), ("-h", "h^2/2"), ("-sin x", "cos x"), ("-x", "x^2"),
    ("-1/x^2", "1/x"), ("-2x", "x^2"), ("-e^-x", "e^-x"), ("-(2x)", "x^2"),
    ("-csch x coth x", "csch x"), ("-hx", "h x^2/2"), ("-sinh(x) - cosh(x)", "cosh x"),
    ("-tanh x sech x", "sech x"), ("-hl", "h l^2/2"),
]


@pytest.mark.parametrize("answer, of", DASH_ANSWERS, ids=[a for a, _ in DASH_ANSWERS])
def test_answers_starting_with_minus_get_a_verdict_never_help(answer: str, of: str) -> None:
    """An answer starting with '-' (with an h or not) is checked: a verdict, never the help."""
    wrt = "l" if "l" in of else "x" if "x" in of else "h" if "h" in of else "theta"
    result = run("check", answer, "--of", of, "--wrt", wrt, "--format", "json")
    assert "Usage:" not in result.output
    assert result.exit_code in (0, 1), result.output
    verdict = json.loads(result.stdout)["verdict"]
    assert ("correct" if result.exit_code == 0 else "incorrect") == verdict


def test_the_issue_12_answer_is_incorrect_and_exits_1() -> None:
    """`check '-sinh x' --of 'cosh x'` is wrong (the sign), and exits 1, not 0."""
    result = run("check", "-sinh x", "--of", "cosh x", "--wrt", "x", "--format", "json")
    assert 1 == result.exit_code, result.output
    assert ["trig_sign"] == json.loads(result.stdout)["mistakes"]


def test_answer_after_the_options_and_with_a_double_dash() -> None:
    """The answer may come anywhere, and `--` still works as the end of the options."""
    assert 0 == run("check", "--of", "cosh x", "sinh x", "--format", "json").exit_code
    result = run("check", "--of", "cosh x", "--format", "json", "--", "-sinh x")
    assert 1 == result.exit_code, result.output


def test_a_solution_file_with_minus_lines_is_checked(tmp_path) -> None:
    """Lines starting with '-' in a worked solution are answers too."""
    path = tmp_path / "solution.txt"
    path.write_text("-sinh x\n", encoding="utf-8")
    result = run("check", "--solution", str(path), "--of", "cosh x", "--format", "json")
    assert 1 == result.exit_code, result.output
    assert "Usage:" not in result.output


@pytest.mark.parametrize("args, shown", [
    pytest.param(["diff", "-x^2", "--at", "3"], "−6", id="diff"),
    pytest.param(["diff", "-h"], "−1", id="diff-minus-h"),
    pytest.param(["first-principles", "-x^2"], "−2x", id="first-principles"),
    pytest.param(["grad", "-x^2 - y^2"], "[−2x, −2y]", id="grad"),
    pytest.param(["hessian", "-x^2 - y^2"], "−2", id="hessian"),
    pytest.param(["jacobian", "-x y", "-x - y"], "−1", id="jacobian"),
    pytest.param(["descend", "-sin x", "--start", "-1", "--lr", "0.1", "--iterations", "2"],
                 "k", id="descend"),
])
def test_expression_arguments_may_start_with_minus(args: list[str], shown: str) -> None:
    """Every command reads an expression that starts with '-' as an expression."""
    result = run(*args, "--format", "plain")
    assert 0 == result.exit_code, result.output
    assert "Usage:" not in result.output
    assert shown in result.stdout


# --- standard input (issue 11) ------------------------------------------------------------------


@pytest.mark.parametrize("args, stdin, shown", [
    pytest.param(["diff"], "x^3\n", "3x²", id="diff-piped"),
    pytest.param(["diff", "-"], "-x^2", "−2x", id="diff-dash"),
    pytest.param(["first-principles", "-"], "x^2", "2x", id="first-principles"),
    pytest.param(["grad", "--at", "x=1,y=1"], "x^2 + y^2", "[2x, 2y]", id="grad"),
    pytest.param(["hessian"], "x^2 y", "2y", id="hessian"),
    pytest.param(["jacobian", "--wrt", "x,y"], "x y\nx + y\n", "f₁ = xy; f₂ = x + y",
                 id="jacobian-lines"),
    pytest.param(["descend", "--start", "1", "--lr", "0.1"], "x^2", "k", id="descend"),
    pytest.param(["check", "--of", "cosh x"], "-sinh x\n", "incorrect", id="check-answer"),
])
def test_expression_from_standard_input(args: list[str], stdin: str, shown: str) -> None:
    """'-' or a missing argument with text piped in reads the expression from standard input."""
    result = run(*args, "--format", "plain", input=stdin)
    assert result.exit_code in (0, 1), result.output
    assert shown in result.stdout


def test_empty_standard_input_is_a_usage_error() -> None:
    """No argument and nothing piped in says how to give the expression."""
    result = run("diff", input="")
    assert 2 == result.exit_code
    assert "give the EXPRESSION as an argument" in result.stderr


def test_standard_input_has_the_parser_size_limit() -> None:
    """More than MAX_INPUT_CHARS on standard input is refused before it is parsed."""
    from calcgrad import limits

    result = run("diff", "-", input="x+" * limits.MAX_INPUT_CHARS)
    assert 2 == result.exit_code
    assert "MAX_INPUT_CHARS" in result.stderr


# --- options mean the same everywhere ---------------------------------------------------------


@pytest.mark.parametrize("args, typo, meant", [
    pytest.param(["diff", "x^2", "--foramt", "json"], "--foramt", "--format", id="diff"),
    pytest.param(["check", "2x", "--of", "x^2", "--foramt", "json"], "--foramt", "--format",
                 id="check"),
    pytest.param(["grad", "x^2", "--wtr", "x"], "--wtr", "--wrt", id="grad"),
    pytest.param(["plot", "x^2", "--att", "3"], "--att", "--at", id="plot"),
    pytest.param(["jacobian", "x^2", "--foramt", "json"], "--foramt", "--format", id="jacobian"),
    pytest.param(["descend", "x^2", "--start", "1", "--lr", "1", "--iteration", "3"],
                 "--iteration", "--iterations", id="descend"),
    pytest.param(["network", "--layer", "3"], "--layer", "--layers", id="network"),
])
def test_mistyped_option_gets_did_you_mean(args: list[str], typo: str, meant: str) -> None:
    """A typo in an option is named, with click's suggestion, in every command."""
    result = run(*args)
    assert 2 == result.exit_code
    assert f"No such option '{typo}'" in result.stderr
    assert f"'{meant}'" in result.stderr


def test_var_declares_and_wrt_chooses_in_every_command() -> None:
    """--var x,y declares names (harmless for one letter); --wrt x,y chooses the variables."""
    for command in ("grad", "hessian"):
        result = run(command, "x^2+y^2", "--var", "x,y", "--wrt", "x,y", "--format", "json")
        assert 0 == result.exit_code, result.output
        assert ["x", "y"] == json.loads(result.stdout)["variables"]
    result = run("diff", "loss^2 lr", "--var", "loss,lr", "--wrt", "loss", "--format", "json")
    assert 0 == result.exit_code, result.output
    assert "2*loss*lr" == json.loads(result.stdout)["result"]


@pytest.mark.parametrize("old, new", [
    pytest.param(["grad", "x y", "--vars", "y,x"], ["grad", "x y", "--wrt", "y,x"], id="grad-vars"),
    pytest.param(["hessian", "x y", "--vars", "y,x"], ["hessian", "x y", "--wrt", "y,x"],
                 id="hessian-vars"),
    pytest.param(["jacobian", "x y", "--vars", "y,x"], ["jacobian", "x y", "--wrt", "y,x"],
                 id="jacobian-vars"),
    pytest.param(["grad", "x y", "--steps"], ["grad", "x y", "--show-steps"], id="grad-steps"),
    pytest.param(["descend", "x^2", "--start", "1", "--lr", "0.1", "--steps", "3"],
                 ["descend", "x^2", "--start", "1", "--lr", "0.1", "--iterations", "3"],
                 id="descend-steps"),
])
def test_old_option_names_still_work_with_a_note(old: list[str], new: list[str]) -> None:
    """An old spelling gives the same result, with a deprecation note on stderr and in --help."""
    before, after = run(*old, "--format", "json"), run(*new, "--format", "json")
    assert 0 == before.exit_code == after.exit_code, before.output
    assert after.stdout == before.stdout
    assert "is deprecated; use" in before.stderr
    assert "Deprecated" in run(old[0], "--help").stdout


def test_old_check_steps_file_still_works(tmp_path) -> None:
    """check --steps FILE is the old name of --solution FILE."""
    path = tmp_path / "solution.txt"
    path.write_text("2x\n", encoding="utf-8")
    result = run("check", "--steps", str(path), "--of", "x^2", "--format", "json")
    assert 0 == result.exit_code, result.output
    assert "--steps is deprecated; use --solution" in result.stderr


def test_first_principles_takes_one_variable() -> None:
    """first-principles --wrt takes one variable, like the API."""
    result = run("first-principles", "x y", "--wrt", "x,y")
    assert 2 == result.exit_code
    assert "one variable at a time" in result.stderr


@pytest.mark.parametrize("args", [
    pytest.param(["diff", "x^2", "--at", "3"], id="diff"),
    pytest.param(["first-principles", "x^2", "--at", "3"], id="first-principles"),
    pytest.param(["grad", "x^2", "--at", "3"], id="grad"),
    pytest.param(["hessian", "x^3", "--at", "3"], id="hessian"),
    pytest.param(["descend", "x^2", "--start", "3", "--lr", "0.1", "--iterations", "1"],
                 id="descend"),
])
def test_bare_point_with_one_variable_in_every_command(args: list[str]) -> None:
    """`--at 3` is accepted by every command when there is one variable."""
    result = run(*args, "--format", "json")
    assert 0 == result.exit_code, result.output


@pytest.mark.parametrize("args", [
    pytest.param(["diff", "x y", "--wrt", "x", "--at", "x=1, z=2"], id="diff"),
    pytest.param(["grad", "x y", "--at", "x=1, z=2"], id="grad"),
    pytest.param(["hessian", "x y", "--at", "x=1, z=2"], id="hessian"),
    pytest.param(["first-principles", "x y", "--wrt", "x", "--at", "x=1, z=2"],
                 id="first-principles"),
])
def test_unknown_name_in_a_point_is_the_same_message_in_every_command(args: list[str]) -> None:
    """Every command names an unknown coordinate the same way."""
    result = run(*args)
    assert 2 == result.exit_code
    assert "the point gives z, which is not a variable of the expression" in result.stderr


def test_a_command_loads_sympy_with_its_objects_frozen_and_the_collector_back_on() -> None:
    """The start-up speed-up of `load_sympy_quietly` must leave the collector running."""
    code = ("import gc, sys\n"
            "from calcgrad.cli import load_sympy_quietly\n"
            "assert 'sympy' not in sys.modules\n"
            "load_sympy_quietly()\n"
            "print('sympy' in sys.modules, gc.isenabled(), gc.get_freeze_count() > 1000)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["True", "True", "True"]


def test_a_process_that_already_has_sympy_is_left_as_it_is() -> None:
    code = ("import gc, sympy\n"
            "from calcgrad.cli import load_sympy_quietly\n"
            "gc.disable()\n"
            "load_sympy_quietly()\n"
            "print(gc.isenabled(), gc.get_freeze_count())\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "0"]
