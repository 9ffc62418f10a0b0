"""`calcgrad diff`: one derivative, step by step."""

from __future__ import annotations

import click

from calcgrad.cli import emit, format_option, report_errors, variables_option


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--wrt", multiple=True, metavar="VAR",
              help="Variable to differentiate with respect to; repeat it or write x,y for mixed partials.")
@click.option("--order", type=click.IntRange(min=1), default=1, show_default=True,
              help="Order of the derivative in a single variable.")
@click.option("--at", "at", metavar="x=3,...", help="Evaluate the derivative at this point.")
@format_option
@variables_option
@report_errors
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
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.engine.derive import diff as derive

    emit(derive(expression, *wrt, order=order, at=at, variables=variables), output_format)
