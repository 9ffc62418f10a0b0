"""`calcgrad diff`: one derivative, step by step."""

from __future__ import annotations

import click

from calcgrad.cli import (RequestCommand, detail_option, emit, format_option, from_stdin,
                          report_errors, variables_option, verify_option, wrt_option)


@click.command(cls=RequestCommand)
@click.argument("expression", required=False)
@wrt_option("Variable(s) to differentiate by, in order (mixed partials).")
@click.option("--order", type=click.IntRange(min=1), default=1, show_default=True,
              help="Order of the derivative in a single variable.")
@click.option("--at", "at", metavar="3 | x=3,y=1",
              help="Evaluate the derivative here (a bare number when there is one variable).")
@format_option
@detail_option
@verify_option
@variables_option
@report_errors
def diff(expression: str | None, wrt: tuple[str, ...], order: int, at: str | None,
         output_format: str | None, detail: str, verify: bool, variables: tuple[str, ...]) -> None:
    """Differentiate EXPRESSION step by step ('-' or a pipe: read it from standard input).

    \b
    Examples:
      calcgrad diff "x^2 + 3xy + y^2" --wrt x
      calcgrad diff "x^2 y" --wrt x,y              (mixed partial ∂²/∂y∂x)
      calcgrad diff "sin x^2" --order 2 --at 0
      calcgrad diff "-x^2" --at 3
      calcgrad diff "sigmoid(w x + b)" --wrt w --format markdown
      calcgrad diff "loss^2" --var loss --format json
      calcgrad diff "x^2 sin x" --detail brief     (one line per step)
      echo "x^3" | calcgrad diff

    Input is read the way textbooks print it: 3xy is 3·x·y, sin x is sin(x),
    sin^2 x is (sin x)², e^-x and |x| work; the first line of the output shows
    how it was read.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.engine.derive import diff as derive

    expression = from_stdin(expression, "EXPRESSION")
    emit(derive(expression, wrt=wrt, order=order, at=at, variables=variables, verify=verify),
         output_format, detail)
