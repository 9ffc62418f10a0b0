"""`calcgrad check`: is this derivative right, and if not, which mistake was made?"""

from __future__ import annotations

import sys

import click

from calcgrad.cli import emit, format_option, report_errors, variables_option


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("answer", required=False)
@click.option("--of", "expression", required=True, metavar="EXPR",
              help="The expression that was differentiated.")
@click.option("--wrt", multiple=True, metavar="VAR",
              help="Variable(s): repeat it or write x,y for a mixed partial (or the gradient's variables with --grad).")
@click.option("--order", type=click.IntRange(min=1), default=1, show_default=True,
              help="Order of the derivative in a single variable.")
@click.option("--grad", is_flag=True, help="The answer is the gradient, a list such as \"[2x, 2y]\".")
@click.option("--steps", "steps_file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              metavar="FILE", help="Check a worked solution, one expression per line ('-' for stdin).")
@format_option
@variables_option
@report_errors
def check(answer: str | None, expression: str, wrt: tuple[str, ...], order: int, grad: bool,
          steps_file, output_format: str | None, variables: tuple[str, ...]) -> None:
    """Check ANSWER, a derivative of EXPR; name the mistake if it is wrong.

    \b
    Examples:
      calcgrad check "-sin(3x)" --of "cos(3x)"
      calcgrad check "2x sin x + x^2 cos x" --of "x^2 sin x" --format json
      calcgrad check "[2x y, x^2]" --of "x^2 y" --grad
      calcgrad check "6x" --of "x^3" --order 2
      calcgrad check --steps solution.txt --of "x^2 sin x" --wrt x

    Exit status: 0 correct, 1 incorrect or undetermined, 2 unreadable input.
    A solution file has one expression per line; a leading "d/dx(...) =" or "="
    is dropped, blank lines and lines starting with # are skipped.
    """
    from calcgrad.errors import UsageError

    names = tuple(name for item in wrt for name in item.split(",") if name.strip())
    if steps_file is not None:
        if answer is not None:
            raise UsageError("give either an ANSWER or --steps FILE, not both")
        if grad:
            raise UsageError("--steps checks one derivative; it does not combine with --grad")
        from calcgrad.grading.checking import check_steps

        if steps_file == "-":
            text = click.get_text_stream("stdin").read(1_000_001)
            if len(text) > 1_000_000:
                raise UsageError("the solution is larger than 1 MB")
        else:
            from calcgrad.files import read_text

            text = read_text(steps_file, 1_000_000, "--steps")
        result = check_steps(text, of=expression, wrt=names, order=order, variables=variables)
    else:
        if answer is None:
            raise UsageError("give the ANSWER to check (or --steps FILE for a worked solution)")
        from calcgrad.grading.checking import check as check_answer

        result = check_answer(answer, of=expression, wrt=names, order=order, grad=grad,
                              variables=variables)
    emit(result, output_format)
    sys.exit(0 if result else 1)
