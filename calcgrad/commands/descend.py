"""`calcgrad descend`: gradient descent on an expression, traced step by step."""

from __future__ import annotations

import sys

import click

from calcgrad.cli import (FORMATS, TABLE_FORMATS, RequestCommand, emit, from_stdin, renamed_option,
                          report_errors, standalone_option, variables_option)

PROGRESS_MIN_STEPS = 1000
"""Runs allowed at least this many steps show a progress bar (in a terminal only)."""


@click.command(cls=RequestCommand)
@click.argument("expression", required=False)
@click.option("--start", required=True, metavar="x=1,y=2",
              help="Start point (a bare number when there is one variable); its order is the "
                   "order of the variables.")
@click.option("--lr", type=float, required=True, metavar="η", help="Learning rate η (> 0).")
@click.option("--iterations", type=int, default=None, help="Most updates to take [default: 50].")
@click.option("--tol", type=float, default=1e-8, show_default=True,
              help="Stop when the gradient's norm ‖∇f‖ is at most this.")
@click.option("--momentum", type=float, default=0.0, show_default=True, metavar="μ",
              help="Momentum μ in [0, 1): v ← μv − η∇f, w ← w + v.")
@standalone_option
@click.option("--format", "output_format", type=click.Choice(FORMATS + TABLE_FORMATS), default=None,
              help="Output format [default: rich in a terminal, else plain]; csv and json give "
                   "the whole trace.")
@click.option("--plot", "plot_out", metavar="FILE",
              help="Also draw the path (.png, .svg or .pdf): on the contours for two variables, "
                   "on the curve for one. Needs matplotlib.")
@variables_option
@report_errors
@renamed_option("--steps", "--iterations", "iterations", type=int, default=None)
def descend(expression: str | None, start: str, lr: float, iterations: int | None, tol: float,
            momentum: float, output_format: str | None, plot_out: str | None,
            variables: tuple[str, ...]) -> None:
    """Minimise EXPRESSION by gradient descent: w ← w − η∇f(w).

    \b
    Examples:
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.4     (too large: diverges)
      calcgrad descend "(x-1)^2 + 10(y+2)^2" --start x=0,y=0 --lr 0.02 --momentum 0.9 --iterations 500
      calcgrad descend "x^4 - 3x" --start x=2 --lr 0.05 --format csv
      calcgrad descend "x^2 + 3y^2" --start x=1,y=2 --lr 0.1 --plot path.png

    The gradient is found once, symbolically, and shown; then each iteration
    k, its point, gradient, f and step length. It stops when ‖∇f‖ ≤ --tol.
    EXPRESSION '-' (or a pipe) reads it from standard input.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.descent import descend as run

    if plot_out is not None:  # matplotlib only when a picture is asked for; fail before the work
        # lazy: start-up speed (pictures and matplotlib load only when a picture is asked for)
        from calcgrad.pictures import plotting

        plotting.require_matplotlib()
        plotting.picture_format(plot_out)
    expression = from_stdin(expression, "EXPRESSION")
    iterations = 50 if iterations is None else iterations
    show_bar = (iterations >= PROGRESS_MIN_STEPS and output_format in (None, "rich")
                and sys.stdout.isatty() and sys.stderr.isatty())
    if not show_bar:
        result = run(expression, start, lr, iterations=iterations, tol=tol, momentum=momentum,
                     variables=variables)
    else:
        # lazy: start-up speed (Rich loads only for the terminal view)
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("descending", total=iterations)
            result = run(expression, start, lr, iterations=iterations, tol=tol, momentum=momentum,
                         variables=variables, progress=lambda k: bar.update(task, completed=k))
    emit(result, output_format)
    if plot_out is not None:
        written = plotting.save_figure(plotting.plot_descent(result), plot_out)
        click.echo(f"wrote {written}", err=True)  # stderr: stdout stays the trace (json, csv)
