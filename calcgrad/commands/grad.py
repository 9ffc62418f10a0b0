"""`calcgrad grad`: the gradient ∇f, one derivation per variable, and a directional derivative."""

from __future__ import annotations

import click

from calcgrad.cli import emit, format_option, report_errors, variables_option


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--vars", "names", multiple=True, metavar="x,y",
              help="The variables, in order [default: every variable, alphabetically].")
@click.option("--at", "at", metavar="x=1,y=2", help="Evaluate the gradient and its norm here.")
@click.option("--direction", metavar="1,1",
              help="Directional derivative along this vector (normalised to length 1).")
@click.option("--steps", is_flag=True, help="Show every step of every partial derivative.")
@format_option
@variables_option
@report_errors
def grad(expression: str, names: tuple[str, ...], at: str | None, direction: str | None,
         steps: bool, output_format: str | None, variables: tuple[str, ...]) -> None:
    """The gradient ∇f of EXPRESSION: each partial derivative, step by step.

    \b
    Examples:
      calcgrad grad "x^2 + y^2"
      calcgrad grad "x^2 y + sin(x y)" --at x=1,y=2 --steps
      calcgrad grad "x^2 + y^2" --at x=1,y=2 --direction 1,1
      calcgrad grad "(w x + b - t)^2" --vars w,b --at w=1,b=0,x=2,t=1 --format json

    The variables are taken in the order of --vars, else alphabetically; other
    symbols are held constant. At a point, the gradient's value and its norm
    ‖∇f‖ are shown; --direction v gives D_u f = ∇f·u with u = v/‖v‖.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.multivar import gradient

    emit(gradient(expression, vars=names or None, at=at, direction=direction,
                  variables=variables, steps=steps), output_format)
