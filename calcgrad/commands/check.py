"""`calcgrad check`: is this derivative right, and if not, which mistake was made?"""

from __future__ import annotations

import sys

import click

from calcgrad.cli import (RequestCommand, emit, format_option, from_stdin, renamed_option,
                          report_errors, variables_option, wrt_option)
from calcgrad.errors import LimitError, UsageError
from calcgrad.files import read_text

MAX_SOLUTION_BYTES = 1_000_000
"""Largest worked-solution file read (its lines are limited by limits.MAX_SOLUTION_LINES)."""


@click.command(cls=RequestCommand)
@click.argument("answer", required=False)
@click.option("--of", "expression", required=True, metavar="EXPR",
              help="The expression that was differentiated.")
@wrt_option("Variable(s) differentiated by (or the gradient's variables with --grad).")
@click.option("--order", type=click.IntRange(min=1), default=1, show_default=True,
              help="Order of the derivative in a single variable.")
@click.option("--grad", is_flag=True, help="The answer is the gradient, a list such as \"[2x, 2y]\".")
@click.option("--at", "at", metavar="3 | x=3,y=1", default=None,
              help="The answer is the derivative's value at this point (a number), as a grade "
                   "key's at = \"x=3\".")
@click.option("--tolerance", type=click.FloatRange(min=0), default=None,
              help="With --at: a decimal within this distance passes (relative above 1); off by default.")
@click.option("--solution", "solution_file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              metavar="FILE", help="Check a worked solution, one expression per line ('-' for stdin).")
@format_option
@variables_option
@report_errors
@renamed_option("--steps", "--solution", "solution_file",
                type=click.Path(dir_okay=False, allow_dash=True), default=None, metavar="FILE")
def check(answer: str | None, expression: str, wrt: tuple[str, ...], order: int, grad: bool,
          at: str | None, tolerance: float | None, solution_file, output_format: str | None,
          variables: tuple[str, ...]) -> None:
    """Check ANSWER, a derivative of EXPR; name the mistake if it is wrong.

    \b
    Examples:
      calcgrad check "-sin(3x)" --of "cos(3x)"
      calcgrad check "2x sin x + x^2 cos x" --of "x^2 sin x" --format json
      calcgrad check "[2x y, x^2]" --of "x^2 y" --grad
      calcgrad check "6x" --of "x^3" --order 2
      calcgrad check "12" --of "x^3" --at 2
      calcgrad check --solution solution.txt --of "x^2 sin x" --wrt x
      echo "-sinh x" | calcgrad check --of "cosh x"

    Exit status: 0 correct, 1 incorrect, undetermined or no answer ("idk",
    "?", blank), 2 unreadable input. Notation in front ("dy/dx =", "f'(x) =")
    is removed and the verdict says so; "+ C" is named as a mistake.
    ANSWER may start with '-' ("-sinh x"); '-' (or a pipe) reads it from
    standard input. A solution file has one expression per line; a leading
    "d/dx(...) =" or "=" is dropped, blank lines and lines starting with # are
    skipped. Its lines may hold derivatives still to be taken: (x^2)' sin x,
    d/dx(x^2), f'(x). A line that follows correctly from a wrong line before
    it is marked "follows from line N", and that error is counted once.
    """
    if solution_file is not None:
        if at is not None or tolerance is not None:
            raise UsageError("--at checks one value; it does not combine with --solution")
        if answer is not None:
            raise UsageError("give either an ANSWER or --solution FILE, not both")
        if grad:
            raise UsageError("--solution checks one derivative; it does not combine with --grad")
        # lazy: start-up speed (the command's code and SymPy load only when it runs)
        from calcgrad.grading.checking import check_steps

        if solution_file == "-":
            text = sys.stdin.read(MAX_SOLUTION_BYTES + 1)
            if len(text) > MAX_SOLUTION_BYTES:
                raise LimitError("the solution is larger than 1 MB")
        else:
            text = read_text(solution_file, MAX_SOLUTION_BYTES, "--solution")
        result = check_steps(text, of=expression, wrt=wrt, order=order, variables=variables)
    else:
        # lazy: start-up speed (the command's code and SymPy load only when it runs)
        from calcgrad.grading.checking import check_typed

        answer = from_stdin(answer, "ANSWER (or --solution FILE for a worked solution)")
        result = check_typed(answer, of=expression, wrt=wrt, order=order, grad=grad, at=at,
                             tolerance=tolerance, variables=variables)
    emit(result, output_format)
    sys.exit(0 if result else 1)
