"""`calcgrad grad`: the gradient ∇f, one derivation per variable, and a directional derivative."""

from __future__ import annotations

import click

from calcgrad.cli import (RequestCommand, detail_option, emit, format_option, from_stdin, renamed_option,
                          report_errors, variables_option, verify_option, wrt_option)


@click.command(cls=RequestCommand)
@click.argument("expression", required=False)
@wrt_option("The variables, in order [default: every variable, alphabetically].")
@click.option("--at", "at", metavar="x=1,y=2", help="Evaluate the gradient and its norm here.")
@click.option("--direction", metavar="1,1",
              help="Directional derivative along this vector (normalised to length 1).")
@click.option("--show-steps", is_flag=True, help="Show every step of every partial derivative.")
@format_option
@detail_option
@verify_option
@variables_option
@report_errors
@renamed_option("--vars", "--wrt", "wrt", multiple=True, metavar="x,y")
@renamed_option("--steps", "--show-steps", "show_steps", is_flag=True)
def grad(expression: str | None, wrt: tuple[str, ...], at: str | None, direction: str | None,
         show_steps: bool, output_format: str | None, detail: str, verify: bool,
         variables: tuple[str, ...]) -> None:
    """The gradient ∇f of EXPRESSION: each partial derivative, step by step.

    \b
    Examples:
      calcgrad grad "x^2 + y^2"
      calcgrad grad "x^2 y + sin(x y)" --at x=1,y=2 --show-steps
      calcgrad grad "x^2 + y^2" --at x=1,y=2 --direction 1,1
      calcgrad grad "(w x + b - t)^2" --wrt w,b --at w=1,b=0,x=2,t=1 --format json

    The variables are taken in the order of --wrt, else alphabetically; other
    symbols are held constant. At a point, the gradient's value and its norm
    ‖∇f‖ are shown; --direction v gives D_u f = ∇f·u with u = v/‖v‖.
    EXPRESSION '-' (or a pipe) reads it from standard input.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.multivar import gradient

    expression = from_stdin(expression, "EXPRESSION")
    emit(gradient(expression, wrt=wrt or None, at=at, direction=direction,
                  variables=variables, steps=show_steps, verify=verify), output_format, detail)
