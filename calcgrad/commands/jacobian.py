"""`calcgrad jacobian`: the matrix of partial derivatives ∂fᵢ/∂xⱼ of several functions."""

from __future__ import annotations

import click

from calcgrad.cli import (RequestCommand, detail_option, emit, format_option, from_stdin,
                          renamed_option, report_errors, variables_option, verify_option,
                          wrt_option)


@click.command(cls=RequestCommand)
@click.argument("functions", nargs=-1)
@wrt_option("The variables (columns), in order [default: all, alphabetically].")
@click.option("--at", "at", metavar="x=1,y=2", help="Evaluate the matrix here.")
@click.option("--entry", metavar="ROW,COL",
              help="Show the derivation of this entry, counted from 1 (e.g. 1,2).")
@format_option
@detail_option
@verify_option
@variables_option
@report_errors
@renamed_option("--vars", "--wrt", "wrt", multiple=True, metavar="x,y")
def jacobian(functions: tuple[str, ...], wrt: tuple[str, ...], at: str | None,
             entry: str | None, output_format: str | None, detail: str, verify: bool,
             variables: tuple[str, ...]) -> None:
    """The Jacobian of FUNCTIONS: entry (i, j) is ∂fᵢ/∂xⱼ, each a derivation.

    Separate the functions with ';' in one argument, or give one argument each;
    '-' (or a pipe) reads them from standard input, one per line or ';'-separated.

    \b
    Examples:
      calcgrad jacobian "x^2 y; 5x + sin y" --wrt x,y
      calcgrad jacobian "r cos(theta)" "r sin(theta)" --wrt r,theta --at "r=2, theta=pi/4"
      calcgrad jacobian "x y; x + y" --entry 1,2 --format latex
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.multivar import jacobian as compute

    if not functions or functions == ("-",):
        text = from_stdin(None if not functions else "-", "FUNCTIONS")
        functions = ("; ".join(line for line in text.splitlines() if line.strip()),)
    emit(compute(list(functions), wrt=wrt or None, at=at, entry=entry, variables=variables,
                 verify=verify), output_format, detail)
