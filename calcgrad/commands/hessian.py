"""`calcgrad hessian`: the matrix of second partial derivatives, and min/max/saddle at a point."""

from __future__ import annotations

import click

from calcgrad.cli import (RequestCommand, detail_option, emit, format_option, from_stdin, renamed_option,
                          report_errors, variables_option, verify_option, wrt_option)


@click.command(cls=RequestCommand)
@click.argument("expression", required=False)
@wrt_option("The variables, in order [default: every variable, alphabetically].")
@click.option("--at", "at", metavar="x=1,y=2",
              help="Evaluate the Hessian here and classify the point (minimum, maximum, saddle).")
@click.option("--entry", metavar="ROW,COL",
              help="Show the derivation of this entry, counted from 1 (e.g. 1,2).")
@format_option
@detail_option
@verify_option
@variables_option
@report_errors
@renamed_option("--vars", "--wrt", "wrt", multiple=True, metavar="x,y")
def hessian(expression: str | None, wrt: tuple[str, ...], at: str | None, entry: str | None,
            output_format: str | None, detail: str, verify: bool,
         variables: tuple[str, ...]) -> None:
    """The Hessian of EXPRESSION: entry (i, j) is ∂/∂xⱼ (∂f/∂xᵢ), each a derivation.

    \b
    Examples:
      calcgrad hessian "x^3 - 3x + y^2" --wrt x,y
      calcgrad hessian "x^3 - 3x + y^2" --at x=1,y=0     (a minimum)
      calcgrad hessian "x^2 - y^2" --at x=0,y=0          (a saddle)
      calcgrad hessian "x^2 y + y^3" --entry 1,2 --format markdown

    At a point, the second-derivative test uses the leading principal minors
    (Sylvester's criterion), or the eigenvalues when the determinant is 0.
    EXPRESSION '-' (or a pipe) reads it from standard input.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.multivar import hessian as compute

    expression = from_stdin(expression, "EXPRESSION")
    emit(compute(expression, wrt=wrt or None, at=at, entry=entry, variables=variables,
                 verify=verify), output_format, detail)
