"""`calcgrad practice`: differentiation exercises with an answer key, reproducible from a seed;
with --per-student, one version per student of a roster and the key `calcgrad grade` marks
each student against their own version with."""

from __future__ import annotations

from pathlib import Path

import click

from calcgrad import limits
from calcgrad.cli import emit, format_option, report_errors
from calcgrad.errors import UsageError
from calcgrad.files import check_writable, read_text, write_atomically


@click.command()
@click.option("--rules", default="chain", show_default=True, metavar="RULE,...",
              help="Rules to practise: power, product, quotient, chain, exp, log, trig, "
                   "inverse_trig, sigmoid, relu, softplus, gelu, silu, partial.")
@click.option("--count", type=int, default=10, show_default=True, help="Number of exercises.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed always gives the same set (and the same version per student).")
@click.option("--difficulty", default="medium", show_default=True, metavar="easy|medium|hard",
              help="How nested and large the expressions are.")
@click.option("--per-student", "roster_path", metavar="ROSTER.csv", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="One version per student of this roster (header row with a student column, "
                   "optionally name), seeded from each student's id.")
@click.option("--key-out", "key_path", metavar="KEY.toml", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the grading key for `calcgrad grade --key` (per student with "
                   "--per-student).")
@click.option("--no-answers", is_flag=True,
              help="Write the students' sheet: the exercises without the answer key.")
@format_option
@report_errors
def practice(rules: str, count: int, seed: int, difficulty: str, roster_path: Path | None,
             key_path: Path | None, no_answers: bool, output_format: str | None) -> None:
    """Make differentiation exercises, then an answer key with worked solutions.

    \b
    Examples:
      calcgrad practice --rules chain,product --count 10 --seed 7
      calcgrad practice --rules sigmoid,partial --difficulty hard --format markdown
      calcgrad practice --rules power --count 3 --seed 1 --format json
      calcgrad practice --seed 7 --per-student examples/course/roster.csv --key-out key.toml
      calcgrad practice --seed 7 --per-student roster.csv --no-answers --format latex --standalone

    With --per-student every student gets their own version (the same roster and
    seed always give each student the same one), written one section per student
    (a page each with --format latex --standalone); --key-out writes the key that
    `calcgrad grade submissions.csv --key KEY.toml` marks each student with.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.practice_sets import practice as make_practice
    from calcgrad.calculus.practice_sets import practice_per_student

    inputs = (roster_path,) if roster_path is not None else ()
    if key_path is not None:
        if key_path.suffix.lower() != ".toml":
            raise UsageError(f"--key-out must end in .toml, not {key_path.name!r}")
        check_writable(key_path, inputs=inputs, what="--key-out")
    if roster_path is not None:
        roster = read_text(roster_path, limits.MAX_GRADE_FILE_BYTES, "--per-student", "utf-8-sig")
        result = practice_per_student(roster, rules, count=count, seed=seed, difficulty=difficulty)
    else:
        result = make_practice(rules, count=count, seed=seed, difficulty=difficulty)
    if key_path is not None:
        write_atomically(key_path, result.grading_key())
        click.echo(f"wrote the grading key to {key_path}", err=True)
    emit(result.without_answers() if no_answers else result, output_format)
