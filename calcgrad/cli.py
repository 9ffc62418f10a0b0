"""The command line: a group whose commands live in calcgrad/commands/, one module each.

A command is imported only when it runs (or when --help lists it), and each command imports
SymPy and Rich only inside its body, so `calcgrad --help` and every command start fast.
Commands parse options, call the API and hand the result to `emit`; errors become a short
message and an exit status in `report_errors`.
"""

from __future__ import annotations

import os
import sys
from functools import wraps
from importlib import import_module

import click

from calcgrad._version import __version__
from calcgrad.errors import CalcgradError, ParseError
from calcgrad.render.protocol import FORMATS, TABLE_FORMATS

COMMANDS = {
    "check": "calcgrad.commands.check",
    "descend": "calcgrad.commands.descend",
    "diff": "calcgrad.commands.diff",
    "first-principles": "calcgrad.commands.first_principles",
    "grad": "calcgrad.commands.grad",
    "grade": "calcgrad.commands.grade",
    "hessian": "calcgrad.commands.hessian",
    "jacobian": "calcgrad.commands.jacobian",
    "network": "calcgrad.commands.network",
    "plot": "calcgrad.commands.plot",
    "practice": "calcgrad.commands.practice",
}
"""Command name → the module that defines it (as a click command of the same name)."""


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return getattr(import_module(COMMANDS[name]), name.replace("-", "_"))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calcgrad")
def main() -> None:
    """Derivatives, gradients and backpropagation, step by step: every rule named, explained and checked.

    \b
    Examples:
      calcgrad diff "x^2 + 3xy + y^2" --wrt x
      calcgrad diff "sin^2 x" --format latex
      calcgrad grad "x^2 + 3y^2" --at x=1,y=1
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1
      calcgrad network --layers 3 --activation sigmoid --loss mse
      calcgrad check "-sin(3x)" --of "cos(3x)"
    """


def report_errors(command):
    """Turn calcgrad's errors into a short message and its exit status; never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ParseError as error:
            _report_parse_error(error)
            sys.exit(error.exit_code)
        except CalcgradError as error:
            click.echo(f"calcgrad: {error}", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug in calcgrad: say so briefly
            if os.environ.get("CALCGRAD_DEBUG"):
                raise
            click.echo(f"calcgrad: internal error ({type(error).__name__}: {error}); "
                       "set CALCGRAD_DEBUG=1 to see the traceback", err=True)
            sys.exit(1)

    return wrapper


def _report_parse_error(error: ParseError) -> None:
    where = "" if "column" in error.message else f" (column {error.column})"
    click.echo(f"calcgrad: cannot read the input: {error.message}{where}", err=True)
    if error.text:
        for line in error.caret().splitlines():
            click.echo(f"  {line}", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)


def format_option(command):
    """The --format option every command shares."""
    return click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
                        help="Output format [default: rich in a terminal, else plain].")(command)


def table_format_option(command):
    """--format for commands whose result can be a table: the formats and also csv."""
    return click.option("--format", "output_format", type=click.Choice(FORMATS + TABLE_FORMATS),
                        default=None, help="Output format [default: rich in a terminal, else "
                                           "plain]; csv writes the table (grade report rows, "
                                           "walkthrough parameters).")(command)


def variables_option(command):
    """The --var option every command that reads expressions shares."""
    return click.option("--var", "variables", multiple=True, metavar="NAME",
                        help="Declare a multi-letter variable name, such as loss (repeatable).")(command)


def emit(result, output_format: str | None) -> None:
    """Write a result in the chosen format (rich in a terminal, plain otherwise).

    Every result type calcgrad returns renders through one protocol
    (calcgrad.render.protocol.Rendered): Rich for the terminal, `render(format)` for text.
    """
    if output_format is None:
        output_format = "rich" if sys.stdout.isatty() else "plain"
    if output_format == "rich":
        from rich.console import Console  # lazy: start-up speed (plain, JSON … never load Rich)

        Console().print(result)
    else:
        text = result.render(output_format)
        click.echo(text, nl=not text.endswith("\n"))
