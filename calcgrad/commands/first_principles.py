"""`calcgrad first-principles`: the derivative as the limit of the difference quotient."""

from __future__ import annotations

import click

from calcgrad.cli import (RequestCommand, detail_option, emit, format_option, from_stdin,
                          report_errors, variables_option, wrt_option)


@click.command("first-principles", cls=RequestCommand)
@click.argument("expression", required=False)
@wrt_option("The variable (needed when there are several).")
@click.option("--at", "at", metavar="2 | x=2,y=1",
              help="A point: the derivative's value there and a table of difference quotients.")
@format_option
@detail_option
@variables_option
@report_errors
def first_principles(expression: str | None, wrt: tuple[str, ...], at: str | None,
                     output_format: str | None, detail: str, variables: tuple[str, ...]) -> None:
    """Differentiate EXPRESSION from the definition f′(x) = lim (f(x+h) − f(x))/h.

    \b
    Examples:
      calcgrad first-principles "x^2"
      calcgrad first-principles "1/x" --at 2
      calcgrad first-principles "sqrt(x)" --format latex
      calcgrad first-principles "3 sin x + x^2" --at x=0 --format markdown
      calcgrad first-principles "x^2 y" --wrt x --format json

    Polynomials, rational functions, square roots and sums of eˣ, sin x, cos x
    terms are worked by hand (expand, common denominator, conjugate, the
    standard limits); anything else is said so and SymPy's limit is shown.
    EXPRESSION '-' (or a pipe) reads it from standard input.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.first_principles import first_principles as work

    expression = from_stdin(expression, "EXPRESSION")
    emit(work(expression, wrt=wrt or None, at=at, variables=variables), output_format, detail)
