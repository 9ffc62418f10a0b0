"""The grad, jacobian and hessian commands, through click's CliRunner: formats, exit codes, errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from calcgrad.cli import main


def run(*args: str):
    """Invoke the calcgrad command group with the given arguments."""
    return CliRunner().invoke(main, list(args))


COMMANDS = {
    "grad": ["grad", "x^2 + y^2", "--at", "x=1,y=2", "--direction", "1,1"],
    "grad-steps": ["grad", "x^2 y + sin(x y)", "--show-steps"],
    "jacobian": ["jacobian", "x^2 y; 5x + sin y", "--wrt", "x,y", "--at", "x=1,y=0",
                 "--entry", "1,2"],
    "hessian": ["hessian", "x^3 - 3x + y^2", "--at", "x=1,y=0", "--entry", "2,1"],
}

MARKERS = {
    "plain": "Interpreted as: ",
    "rich": "Interpreted as ",
    "latex": "\\begin{align*}",
    "markdown": "**Interpreted as**",
}


@pytest.mark.parametrize("fmt", [*MARKERS, "json"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_in_every_format(name: str, fmt: str) -> None:
    """Each command writes each format, exits 0, and JSON output parses."""
    result = run(*COMMANDS[name], "--format", fmt)
    assert 0 == result.exit_code, result.output
    if fmt == "json":
        json.loads(result.stdout)
    else:
        assert MARKERS[fmt] in result.stdout


def test_grad_plain_output() -> None:
    """The gradient vector, its value and norm, and the directional derivative are written out."""
    result = run(*COMMANDS["grad"])
    assert 0 == result.exit_code, result.output
    assert "(in alphabetical order)" in result.stdout
    assert "∇(x² + y²) = [2x, 2y]" in result.stdout
    assert "‖∇f‖ = √(2² + 4²) = 2√5" in result.stdout
    assert "u = v/‖v‖ = (√2/2, √2/2)" in result.stdout
    assert "D_u f = 3√2" in result.stdout


def test_grad_vars_give_the_order() -> None:
    result = run("grad", "x^2 + 3y", "--wrt", "y,x", "--format", "json")
    data = json.loads(result.stdout)
    assert ["y", "x"] == data["variables"]
    assert "given" == data["variable_order"]
    assert ["3", "2*x"] == data["gradient"]


def test_grad_repeated_vars_option() -> None:
    """--wrt may be repeated instead of comma-separated."""
    result = run("grad", "x y", "--wrt", "y", "--wrt", "x", "--format", "json")
    assert ["y", "x"] == json.loads(result.stdout)["variables"]


def test_grad_declared_multi_letter_variable() -> None:
    """--var declares a multi-letter name, which --wrt can then use."""
    result = run("grad", "loss^2 + w", "--var", "loss", "--wrt", "loss,w", "--format", "json")
    assert 0 == result.exit_code, result.output
    assert ["2*loss", "1"] == json.loads(result.stdout)["gradient"]


def test_grad_negative_direction_and_expression() -> None:
    """A leading minus in the expression or the direction is not taken for an option."""
    result = run("grad", "-x^2 - y^2", "--direction", "-1,0", "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert ["-1", "0"] == data["unit_direction"]
    assert "2*x" == data["directional_derivative"]


def test_grad_steps_flag() -> None:
    """One line per partial by default; --show-steps writes every rule."""
    assert "Trigonometric rule" not in run("grad", "sin(x y)").stdout
    assert "Trigonometric rule" in run("grad", "sin(x y)", "--show-steps").stdout


def test_jacobian_list_form() -> None:
    """The functions may be separate arguments instead of one text with ';'."""
    one = run("jacobian", "x^2 y; x + y", "--format", "json")
    many = run("jacobian", "x^2 y", "x + y", "--format", "json")
    assert 0 == many.exit_code, many.output
    assert json.loads(one.stdout)["matrix"] == json.loads(many.stdout)["matrix"]


def test_hessian_classification_output() -> None:
    """At a point the test, its numbers and the classification are stated."""
    result = run("hessian", "x^2 - y^2", "--at", "x=0,y=0")
    assert 0 == result.exit_code, result.output
    assert "leading principal minors (Sylvester's criterion): D₁ = 2, D₂ = −4" in result.stdout
    assert "Classification: saddle" in result.stdout
    data = json.loads(run("hessian", "x^2 - y^2", "--at", "x=0,y=0", "--format", "json").stdout)
    assert "saddle" == data["classification"]["kind"]


def test_hessian_entry_shows_its_derivation() -> None:
    result = run("hessian", "x^2 y^3", "--entry", "1,2")
    assert 0 == result.exit_code, result.output
    assert "Entry (1, 2)" in result.stdout and "∂²f/∂y∂x" in result.stdout
    assert "Result: ∂²/∂y∂x (x²y³) = 6xy²" in result.stdout


@pytest.mark.parametrize("args, message", [
    pytest.param(["grad", "x^2 + y^2", "--at", "z=1"], "gives z, which is not a variable",
                 id="grad-unknown-variable-at"),
    pytest.param(["grad", "x^2 + y^2", "--at", "x=1"], "missing: y", id="grad-missing-at"),
    pytest.param(["grad", "x^2 + y^2", "--at", "x=one,y=2"], "must be a number",
                 id="grad-non-numeric-point"),
    pytest.param(["grad", "x^2 + y^2", "--direction", "0,0"], "length zero", id="grad-zero-direction"),
    pytest.param(["grad", "x^2 + y^2", "--direction", "1,2,3"], "3 components but there are 2",
                 id="grad-direction-size"),
    pytest.param(["grad", "x^2 + y^2", "--direction", "1,b"], "must be a number",
                 id="grad-direction-symbol"),
    pytest.param(["grad", "7"], "no variable", id="grad-constant"),
    pytest.param(["grad", "sine(x)"], "unknown function 'sine'", id="grad-parse-error"),
    pytest.param(["jacobian", "x y; x", "--entry", "3,1"], "outside the 2×2 matrix",
                 id="jacobian-entry-outside"),
    pytest.param(["jacobian", "x y; x", "--entry", "1;2"], "row and a column",
                 id="jacobian-entry-malformed"),
    pytest.param(["jacobian", "x y;; x"], "function 2 is empty", id="jacobian-empty-function"),
    pytest.param(["jacobian", "x y; x", "--at", "x=1,y=2,z=3"], "gives z", id="jacobian-unknown-at"),
    pytest.param(["hessian", "x^2 y", "--entry", "0,1"], "outside the 2×2 matrix",
                 id="hessian-entry-outside"),
    pytest.param(["hessian", "x^2 y", "--at", "x=1,y=pi+a"], "must be a number",
                 id="hessian-non-numeric-point"),
    pytest.param(["hessian", "x^2 y", "--wrt", "x,x"], "listed twice", id="hessian-repeated-var"),
])
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    """Bad input exits with status 2 and one short message naming the fault, never a traceback."""
    result = run(*args)
    assert 2 == result.exit_code, result.output
    assert message in result.stderr
    assert result.stderr.startswith("calcgrad: ")
    assert "Traceback" not in result.output
    assert "" == result.stdout


@pytest.mark.parametrize("command", ["grad", "jacobian", "hessian"])
def test_help_shows_an_example(command: str) -> None:
    result = run(command, "--help")
    assert 0 == result.exit_code
    assert f"calcgrad {command} \"" in result.stdout


def test_commands_are_listed() -> None:
    result = run("--help")
    for command in ("grad", "jacobian", "hessian"):
        assert command in result.stdout
