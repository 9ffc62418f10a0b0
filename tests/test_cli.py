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
