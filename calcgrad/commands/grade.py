"""`calcgrad grade`: grade a CSV of answers against a key, row by row, in isolation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calcgrad.cli import emit, report_errors, table_format_option
from calcgrad import limits
from calcgrad.errors import UsageError
from calcgrad.files import check_writable, read_text, write_atomically


@click.command()
@click.argument("submissions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_path", required=True, metavar="KEY.toml",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The key: one TOML table per question (expression, wrt, order, kind), "
                   "and [students.ID] tables in a per-student key.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every row's result to report.csv or report.json.")
@click.option("--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE.csv",
              help="Write a gradebook: one row per student, one column per question, the total.")
@click.option("--roster", "roster_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="ROSTER.csv",
              help="CSV with a student column: every student on it gets a gradebook row, in its order.")
@click.option("--keep", type=click.Choice(["last", "best", "first"]), default="last", show_default=True,
              help="Which submission counts when a student answers a question twice; the others are marked superseded.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes, at most one per core [default: one per core for 200 rows or more].")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Grade on this Dask cluster instead of local processes (same report; needs "
                   'pip install "calcgrad[dask]" here and on every worker).')
@click.option("--timeout", "seconds", type=click.FloatRange(min=0.1, max=600), default=None,
              help="Time limit per answer in seconds; a worker past it is stopped [default: 10].")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar [default: when stderr is a terminal].")
@table_format_option
@report_errors
def grade(submissions: Path, key_path: Path, out_path: Path | None, gradebook_path: Path | None,
          roster_path: Path | None, keep: str, jobs: int | None, scheduler: str | None,
          seconds: float | None, progress: bool | None, output_format: str | None) -> None:
    """Grade SUBMISSIONS (CSV: student,question,answer) against a key.

    \b
    Examples:
      calcgrad grade examples/submissions.csv --key examples/key.toml
      calcgrad grade submissions.csv --key key.toml --out report.csv
      calcgrad grade submissions.csv --key key.toml --out report.json --jobs 2
      calcgrad grade submissions.csv --key key.toml --scheduler tcp://HOST:8786
      calcgrad grade examples/course/submissions.csv --key examples/course/key.toml \
          --roster examples/course/roster.csv --gradebook gradebook.csv --keep best

    Every input row appears in the report (unusable ones with their line number
    and the reason); the summary per question gives % correct (of every
    submission, blank and unreadable ones included), mean points, the commonest
    mistakes and groups of identical wrong answers. Student ids are matched
    ignoring case and surrounding spaces. The key may give points per question,
    partial credit and feedback per mistake, a tolerance for decimal answers and
    a point to ask for a value (see examples/course/key.toml). A per-student key
    (`calcgrad practice --per-student ROSTER.csv --key-out KEY.toml`) marks each
    student against their own version (see examples/course/week5_key.toml).
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.grading.batch import grade as grade_batch

    if jobs is not None and scheduler is not None:
        raise UsageError("--jobs sets local worker processes and --scheduler grades on a Dask "
                         "cluster instead; give one of them")
    if out_path is not None and out_path.suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"--out must end in .csv or .json, not {out_path.name!r}")
    if out_path is not None:
        check_writable(out_path, inputs=(submissions, key_path))
    if gradebook_path is not None:
        if gradebook_path.suffix.lower() != ".csv":
            raise UsageError(f"--gradebook must end in .csv, not {gradebook_path.name!r}")
        if out_path is not None and gradebook_path.resolve() == out_path.resolve():
            raise UsageError("--gradebook and --out must be different files")
        check_writable(gradebook_path, inputs=(submissions, key_path))
    texts = [read_text(submissions, limits.MAX_GRADE_FILE_BYTES, "submissions", "utf-8-sig"),
             read_text(key_path, limits.MAX_GRADE_FILE_BYTES, "--key", "utf-8-sig")]
    show = sys.stderr.isatty() if progress is None else progress
    options = {"jobs": jobs, "keep": keep, "scheduler": scheduler}
    if roster_path is not None:
        options["roster"] = read_text(roster_path, limits.MAX_GRADE_FILE_BYTES, "--roster", "utf-8-sig")
    if seconds is not None:
        options["seconds"] = seconds
    if show:
        # lazy: start-up speed (Rich loads only for the terminal view)
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("grading", total=texts[0].count("\n"))
            report = grade_batch(texts[0], texts[1], progress=lambda n: bar.advance(task, n), **options)
    else:
        report = grade_batch(texts[0], texts[1], **options)
    if out_path is not None:
        write_atomically(out_path, report.render(out_path.suffix.lower().lstrip(".")))
        click.echo(f"wrote {len(report.rows)} rows to {out_path}", err=True)
    if gradebook_path is not None:
        write_atomically(gradebook_path, report.gradebook())
        click.echo(f"wrote {len(report.students)} students to {gradebook_path}", err=True)
    emit(report, output_format)
