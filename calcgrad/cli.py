"""The command line: each command parses its options, calls the API and hands off to a renderer.

Heavy modules (SymPy, Rich) are imported inside the commands so that `calcgrad --help` is quick.
"""

from __future__ import annotations

import os
import sys
from functools import wraps

import click

from calcgrad._version import __version__
from calcgrad.errors import CalcgradError, ParseError

FORMATS = ("rich", "plain", "latex", "markdown", "json")


def _report_errors(command):
    """Turn calcgrad's errors into a short message and its exit status; never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ParseError as error:
            where = "" if "column" in error.message else f" (column {error.column})"
            click.echo(f"calcgrad: cannot read the input: {error.message}{where}", err=True)
            if error.text:
                for line in error.caret().splitlines():
                    click.echo(f"  {line}", err=True)
            if error.hint:
                click.echo(f"hint: {error.hint}", err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calcgrad")
def main() -> None:
    """Derivatives, step by step: every rule named, explained and checked.

    \b
    Examples:
      calcgrad diff "x^2 + 3xy + y^2" --wrt x
      calcgrad diff "sin^2 x" --format latex
    """


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--wrt", multiple=True, metavar="VAR",
              help="Variable to differentiate with respect to; repeat it or write x,y for mixed partials.")
@click.option("--order", type=click.IntRange(min=1), default=1, show_default=True,
              help="Order of the derivative in a single variable.")
@click.option("--at", "at", metavar="x=3,...", help="Evaluate the derivative at this point.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="Output format [default: rich in a terminal, else plain].")
@click.option("--var", "variables", multiple=True, metavar="NAME",
              help="Declare a multi-letter variable name, such as loss (repeatable).")
@_report_errors
def diff(expression: str, wrt: tuple[str, ...], order: int, at: str | None,
         output_format: str | None, variables: tuple[str, ...]) -> None:
    """Differentiate EXPRESSION step by step.

    \b
    Examples:
      calcgrad diff "x^2 + 3xy + y^2" --wrt x
      calcgrad diff "x^2 y" --wrt x --wrt y        (mixed partial ∂²/∂y∂x)
      calcgrad diff "sin x^2" --order 2 --at x=0
      calcgrad diff "sigmoid(w x + b)" --wrt w --format markdown
      calcgrad diff "loss^2" --var loss --format json

    Input is read the way textbooks print it: 3xy is 3·x·y, sin x is sin(x),
    sin^2 x is (sin x)², e^-x and |x| work; the first line of the output shows
    how it was read.
    """
    from calcgrad.derive import diff as derive

    derivation = derive(expression, *wrt, order=order, at=at, variables=variables)
    _emit(derivation, output_format)


def _emit(derivation, output_format: str | None) -> None:
    """Write a derivation in the chosen format (rich in a terminal, plain otherwise)."""
    if output_format is None:
        output_format = "rich" if sys.stdout.isatty() else "plain"
    if output_format == "rich":
        from rich.console import Console

        Console().print(derivation)
        return
    from calcgrad.render import json, latex, markdown, plain

    render = {
        "plain": plain.render_plain,
        "latex": latex.render_latex,
        "markdown": markdown.render_markdown,
        "json": json.render_json,
    }[output_format]
    click.echo(render(derivation), nl=False)
