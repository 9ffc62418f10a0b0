"""Tests for calcgrad.grading.executors: a Dask cluster grades exactly as the local pool does.

The cluster is a LocalCluster in this process (threads, no extra worker processes), so the
tests stay fast; each Dask task still starts its own Python process for its chunk, as on a real
cluster, and that process imports calcgrad (and tests.grading.sabotage) from this checkout.
"""

from __future__ import annotations

import sys

import distributed  # in the test extra, as in the dask extra: CI always runs these tests
import pytest
from click.testing import CliRunner

from calcgrad import limits
from calcgrad.cli import main
from calcgrad.errors import UsageError
from calcgrad.grading import executors
from calcgrad.grading.batch import grade, grade_row, read_key, read_submissions, unfinished_row

from .sabotage import HOSTILE, sabotaged_grade_row

KEY = """
[q1]
expression = "x^2 sin x"
points = 2

[q1.mistakes]
missing_chain_factor = { points = 1, feedback = "Remember the inner derivative." }

[q2]
expression = "cos(3x)"

[grad]
expression = "x^2 y"
kind = "gradient"
"""

ROWS = [  # (student, question, answer as written in the CSV), with the verdict it must get
    ("ada", "q1", "2x sin x + x^2 cos x", "correct"),
    ("bo", "q2", "-sin(3x)", "incorrect"),
    ("cy", "q2", "-3 sin(3x)", "correct"),
    ("dee", "q2", "-sin(3x)", "incorrect"),            # a repeated wrong answer: one group
    ("eve", "grad", '"[2x y, x^2]"', "correct"),
    ("fay", "q1", "x + (x", "error"),                    # unreadable
    ("gus", "q1", "x  +  (x", "error"),                  # the same, spaced: its own column
    ("hal", "q1", "", "no answer"),                      # blank answer
    ("ida", "q1", "idk", "no answer"),
    ("", "", "", "error"),                               # a blank line
    ("jo", "q1", "\"__import__('os').system('echo hacked')\"", "error"),  # hostile
    ("kim", "q1", "9^9^9^9", "error"),                   # hostile: a 369-million-digit number
    ("lee", "q1", "x^(10^(10^10))", "error"),
    ("mo", "q1", "factorial(100000)", "error"),
    ("ned", "q1", "(" * 400 + "x" + ")" * 400, "error"),  # nested past the parser's limit
    ("ada", "q1", "2x cos x", "incorrect"),              # a resubmission (--keep last)
    ("ADA ", "q2", "-3 sin(3x)", "correct"),            # the same student, spelled otherwise
    ("pat", "q9", "2x", "error"),                        # unknown question
    ("quin", "q1", "x^2 cos x + 2x sin x", "correct"),
]


def _csv(rows) -> str:
    lines = ["student,question,answer"]
    for student, question, answer, _ in rows:
        lines.append(f"{student},{question},{answer}" if student or question or answer else "")
    return "\n".join(lines) + "\n"


CSV = _csv(ROWS)


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster with one in-process worker of two threads."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as local:
        yield local


def test_dask_report_equals_the_local_pool_report_byte_for_byte(cluster, monkeypatch) -> None:
    """On a batch with correct, wrong, unreadable, blank, duplicate and hostile rows, the report
    graded on Dask is the local pool's, byte for byte, in every format."""
    monkeypatch.setattr(limits, "PARALLEL_ROWS", 2)      # the local pool even for a small batch
    monkeypatch.setattr(executors, "MIN_CHUNK_ITEMS", 4)  # several Dask tasks, answered in any order
    local = grade(CSV, KEY, jobs=2)
    on_dask = grade(CSV, KEY, scheduler=cluster.scheduler_address)
    assert [verdict for *_, verdict in ROWS] == [row.verdict for row in local.rows]
    for output in ("json", "csv", "plain", "markdown"):
        assert local.render(output) == on_dask.render(output), output
    assert local.gradebook() == on_dask.gradebook()


def test_dask_rows_equal_rows_graded_one_by_one(cluster) -> None:
    """Sharing a check between equal answers changes no row: each equals its own check
    (columns in messages included: 'x + (x' and 'x  +  (x' are told apart)."""
    key = read_key(KEY)
    one_by_one = [grade_row((row, key.get(row.question), limits.GRADE_ANSWER_SECONDS))
                  for row in read_submissions(CSV) if row.question in key and row.answer]
    on_dask = {row.line: row for row in grade(CSV, KEY, scheduler=cluster.scheduler_address).rows}
    assert 16 == len(one_by_one)
    assert [_outcome(row) for row in one_by_one] == [_outcome(on_dask[row.line]) for row in one_by_one]
    assert "column 5" in on_dask[7].error and "column 7" in on_dask[8].error


def _outcome(row) -> tuple:
    """What checking decided for a row (not the student id or the --keep mark, set later)."""
    return (row.line, row.answer, row.verdict, row.mistakes, row.feedback, row.error,
            row.reading, row.notes, row.warnings, row.points, row.max_points, row.fingerprint)


def test_progress_counts_every_row(cluster) -> None:
    """The progress callback adds up to the number of rows, as locally."""
    done = []
    grade(CSV, KEY, scheduler=cluster.scheduler_address, progress=done.append)
    assert len(ROWS) == sum(done)


@pytest.mark.slow
def test_hostile_items_are_marked_on_dask_as_in_the_local_pool(cluster) -> None:
    """An answer that hangs in C, loops, eats memory or kills its process is marked with the
    same reason on Dask as locally, and every other row is graded."""
    key = read_key(KEY)
    good = ["2x sin x + x^2 cos x", "2x cos x"]
    rows = read_submissions("student,question,answer\n" + "".join(
        f"s{i},q1,{answer}\n" for i, answer in enumerate(HOSTILE + tuple(good))))
    tasks = [(row, key["q1"], 1.0) for row in rows]
    options = dict(hard_seconds=4.0, on_failure=unfinished_row)
    local = executors.run_in_processes(sabotaged_grade_row, tasks, workers=2, **options)
    on_dask = executors.run_on_dask(sabotaged_grade_row, tasks,
                                    scheduler=cluster.scheduler_address, **options)
    assert local == on_dask
    assert ["undetermined", "undetermined", "error", "error", "correct", "incorrect"] == \
        [row.verdict for row in on_dask]
    assert "took longer than 1 s" in on_dask[0].feedback[0]  # killed at the hard limit
    assert "took longer than 1 s" in on_dask[1].feedback[0]  # stopped by its own deadline
    assert "memory" in on_dask[2].error
    assert "worker process ended (killed by SIGKILL)" in on_dask[3].error


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "s.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "k.toml").write_text(KEY, encoding="utf-8")
    return tmp_path


def test_cli_scheduler_option(cluster, files) -> None:
    """`grade --scheduler ADDRESS` writes the same report as the local default."""
    local = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                "--out", str(files / "local.json"))
    remote = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                 "--scheduler", cluster.scheduler_address, "--out", str(files / "dask.json"))
    assert (0, 0) == (local.exit_code, remote.exit_code), remote.output
    assert (files / "local.json").read_bytes() == (files / "dask.json").read_bytes()


def test_unreachable_scheduler_is_one_message(files, monkeypatch) -> None:
    """No scheduler at the address: one message within the connect timeout, exit 2."""
    monkeypatch.setattr(executors, "DASK_CONNECT_SECONDS", 1.0)
    result = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                 "--scheduler", "tcp://127.0.0.1:1")
    assert 2 == result.exit_code
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1 within 1 s" in result.output
    assert "Traceback" not in result.output


def test_a_scheduler_without_workers_is_one_message(files, monkeypatch) -> None:
    """A scheduler with no worker: one message naming `dask worker`, exit 2."""
    monkeypatch.setattr(executors, "DASK_CONNECT_SECONDS", 1.0)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        result = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                     "--scheduler", empty.scheduler_address)
    assert 2 == result.exit_code
    assert f"has no workers after 1 s; start some with `dask worker {empty.scheduler_address}`" \
        in result.output


@pytest.mark.parametrize("address, message", [
    ("localhost", "missing port number"),
    ("udp://localhost:8786", "unknown address scheme 'udp'"),
])
def test_bad_scheduler_address_is_one_message(files, address: str, message: str) -> None:
    """An address Dask cannot use is refused at once, saying how to write one."""
    result = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                 "--scheduler", address)
    assert 2 == result.exit_code
    assert message in result.output and "tcp://HOST:8786" in result.output


def test_without_the_dask_extra_the_message_says_what_to_install(files, monkeypatch) -> None:
    """--scheduler without Dask installed: exit 2 and the pip command."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    result = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"), "--no-progress",
                 "--scheduler", "tcp://127.0.0.1:8786")
    assert 2 == result.exit_code
    assert 'pip install "calcgrad[dask]"' in result.output


def test_jobs_and_scheduler_together_are_refused(files) -> None:
    """--jobs is for local processes: with --scheduler it is one message, exit 2."""
    result = run("grade", str(files / "s.csv"), "--key", str(files / "k.toml"),
                 "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2")
    assert 2 == result.exit_code
    assert "give one of them" in result.output


def other_version() -> str:
    """What an outdated worker would answer when asked its calcgrad version."""
    return "0.0.1"


def test_a_worker_with_another_calcgrad_version_is_refused(cluster, monkeypatch) -> None:
    """Rows are graded by the workers' code: a different version there stops the run."""
    monkeypatch.setattr(executors, "calcgrad_version", other_version)
    with pytest.raises(UsageError, match="has 0.0.1; install the same version everywhere"):
        grade(CSV, KEY, scheduler=cluster.scheduler_address)
