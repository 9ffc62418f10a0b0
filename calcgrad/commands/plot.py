"""`calcgrad plot`: a picture of a function and its tangent, or of a gradient field.

matplotlib is optional: it is imported only inside the command body, and without it the
command says how to install it and exits 1.
"""

from __future__ import annotations

import click

from calcgrad.cli import report_errors, variables_option

DEFAULT_OUT = "calcgrad-plot.png"


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("expression")
@click.option("--wrt", metavar="VAR", help="The variable on the x axis (needed when there are several).")
@click.option("--at", "at", metavar="3 | x=1,y=2",
              help="The point of the tangent (a number, or name=value for every variable).")
@click.option("--vars", "field_vars", metavar="X,Y",
              help="Plot two variables as contours with gradient arrows.")
@click.option("--out", metavar="FILE", help=f"Picture to write: .png, .svg or .pdf [default: {DEFAULT_OUT}].")
@click.option("--secants", is_flag=True, help="Add secant lines for h = 2, 1, 1/2, 1/4.")
@click.option("--animate", metavar="OUT.gif", help="Write the secants shrinking into the tangent as a GIF.")
@click.option("--derivative", is_flag=True, help="Also plot the derivative f′ below.")
@click.option("--range", "plot_range", metavar="A,B", help="The x range (both axes with --vars).")
@variables_option
@report_errors
def plot(expression: str, wrt: str | None, at: str | None, field_vars: str | None, out: str | None,
         secants: bool, animate: str | None, derivative: bool, plot_range: str | None,
         variables: tuple[str, ...]) -> None:
    """Draw EXPRESSION with its tangent line, secants and derivative, or its gradient field.

    \b
    Examples:
      calcgrad plot "x^2" --at 3 --secants --out tangent.png
      calcgrad plot "sin x" --at pi/4 --derivative --out sine.svg
      calcgrad plot "x^3 - 2x" --at 1 --animate secants.gif
      calcgrad plot "x^2 y" --wrt x --at "x=1, y=2"    (slice at y = 2; slope ∂f/∂x)
      calcgrad plot "x^2 + 3y^2" --vars x,y --at "x=1, y=1"

    Pictures are written to a file (never a window). Needs matplotlib:
    pip install "calcgrad[plot]".
    """
    from calcgrad.pictures import plotting
    from calcgrad.errors import UsageError

    plotting.require_matplotlib()
    if field_vars is not None:
        for flag, given in (("--wrt", wrt), ("--secants", secants), ("--animate", animate),
                            ("--derivative", derivative)):
            if given:
                raise UsageError(f"{flag} is for plots of one variable; leave it out with --vars")
        figure = plotting.plot_gradient_field(expression, field_vars, at, xy_range=plot_range,
                                              variables=variables)
    else:
        if (secants or animate) and at is None:
            raise UsageError("secant lines need a point: give it with --at (e.g. --at 3)")
        if animate is not None:
            written = plotting.save_secant_animation(expression, at, animate, wrt,
                                                     x_range=plot_range, variables=variables)
            click.echo(f"wrote {written}")
            if out is None and not (secants or derivative):
                return
        figure = plotting.plot_tangent(expression, at, wrt, secants=secants, derivative=derivative,
                                       x_range=plot_range, variables=variables)
    written = plotting.save_figure(figure, out or DEFAULT_OUT)
    hint = "" if out else " (choose the file with --out)"
    click.echo(f"wrote {written}{hint}")
