"""`calcgrad descend`: gradient descent on an expression, traced step by step."""

from __future__ import annotations

import sys

import click

from calcgrad.cli import FORMATS, emit, report_errors, variables_option

PROGRESS_MIN_STEPS = 1000
"""Runs allowed at least this many steps show a progress bar (in a terminal only)."""


@click.command()
@click.argument("expression")
@click.option("--start", required=True, metavar="x=1,y=2",
              help="Start point; its order is the order of the variables.")
@click.option("--lr", type=float, required=True, metavar="η", help="Learning rate η (> 0).")
@click.option("--steps", type=int, default=50, show_default=True, help="Most updates to take.")
@click.option("--tol", type=float, default=1e-8, show_default=True,
              help="Stop when the gradient's norm ‖∇f‖ is at most this.")
@click.option("--momentum", type=float, default=0.0, show_default=True, metavar="μ",
              help="Momentum μ in [0, 1): v ← μv − η∇f, w ← w + v.")
@click.option("--format", "output_format", type=click.Choice(FORMATS + ("csv",)), default=None,
              help="Output format [default: rich in a terminal, else plain]; csv and json give "
                   "the whole trace.")
@click.option("--plot", "plot_out", metavar="FILE",
              help="Also draw the path (.png, .svg or .pdf): on the contours for two variables, "
                   "on the curve for one. Needs matplotlib.")
@variables_option
@report_errors
def descend(expression: str, start: str, lr: float, steps: int, tol: float, momentum: float,
            output_format: str | None, plot_out: str | None, variables: tuple[str, ...]) -> None:
    """Minimise EXPRESSION by gradient descent: w ← w − η∇f(w).

    \b
    Examples:
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.4     (too large: diverges)
      calcgrad descend "(x-1)^2 + 10(y+2)^2" --start x=0,y=0 --lr 0.02 --momentum 0.9 --steps 500
      calcgrad descend "x^4 - 3x" --start x=2 --lr 0.05 --format csv
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1 --plot path.png

    The gradient is found once, symbolically, and shown; then each iteration
    k, its point, gradient, f and step length. It stops when ‖∇f‖ ≤ --tol.
    """
    from calcgrad.calculus.descent import descend as run

    if plot_out is not None:  # matplotlib only when a picture is asked for; fail before the work
        from calcgrad.pictures import plotting

        plotting.require_matplotlib()
        plotting.picture_format(plot_out)
    show_bar = (steps >= PROGRESS_MIN_STEPS and output_format in (None, "rich")
                and sys.stdout.isatty() and sys.stderr.isatty())
    if not show_bar:
        result = run(expression, start, lr, steps=steps, tol=tol, momentum=momentum,
                     variables=variables)
    else:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("descending", total=steps)
            result = run(expression, start, lr, steps=steps, tol=tol, momentum=momentum,
                         variables=variables, progress=lambda k: bar.update(task, completed=k))
    if output_format == "csv":
        click.echo(result.csv(), nl=False)
    else:
        emit(result, output_format)
    if plot_out is not None:
        written = plotting.save_figure(plotting.plot_descent(result), plot_out)
        click.echo(f"wrote {written}", err=True)  # stderr: stdout stays the trace (json, csv)
