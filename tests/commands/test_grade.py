"""Tests for `calcgrad grade` through CliRunner, on the examples the README uses."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_grade_examples_plain() -> None:
    """The README's example grades every row and prints the summary."""
    result = run("grade", str(EXAMPLES / "submissions.csv"), "--key", str(EXAMPLES / "key.toml"),
                 "--format", "plain", "--no-progress")
    assert 0 == result.exit_code, result.output
    assert "q2: 1/5 correct (20%)" in result.stdout  # fay's unusable q2 row counts too
    assert "same wrong answer ×2" in result.stdout
    assert "line 21: dee q7 error — unknown question 'q7'" in result.stdout


def test_grade_out_csv_and_json(tmp_path) -> None:
    """--out writes one row per input row, as CSV or JSON."""
    for name in ("report.csv", "report.json"):
        out = tmp_path / name
        result = run("grade", str(EXAMPLES / "submissions.csv"), "--key", str(EXAMPLES / "key.toml"),
                     "--out", str(out), "--format", "json", "--no-progress")
        assert 0 == result.exit_code, result.output
        if name.endswith(".csv"):
            rows = list(csv.DictReader(out.open(encoding="utf-8")))
        else:
            rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
        assert 22 == len(rows)


def test_bad_key_exits_2(tmp_path) -> None:
    """A key that cannot be read stops with exit status 2 and a message."""
    key = tmp_path / "key.toml"
    key.write_text("[q1]\nexpression = 'sine(x)'\n", encoding="utf-8")
    result = run("grade", str(EXAMPLES / "submissions.csv"), "--key", str(key))
    assert 2 == result.exit_code
    assert "cannot read its expression" in result.stderr


def test_bad_out_suffix_exits_2(tmp_path) -> None:
    """--out must be .csv or .json."""
    result = run("grade", str(EXAMPLES / "submissions.csv"), "--key", str(EXAMPLES / "key.toml"),
                 "--out", str(tmp_path / "report.xlsx"))
    assert 2 == result.exit_code


def test_gradebook_is_written_with_one_row_per_student(tmp_path) -> None:
    """--gradebook writes student, one column per question, total and out_of."""
    book = tmp_path / "gradebook.csv"
    course = EXAMPLES / "course"
    result = run("grade", str(course / "submissions.csv"), "--key", str(course / "key.toml"),
                 "--roster", str(course / "roster.csv"), "--gradebook", str(book),
                 "--format", "plain", "--no-progress")
    assert 0 == result.exit_code, result.output
    assert (course / "gradebook.csv").read_text() == book.read_text()
    assert "s07,,,,,,0,8" in book.read_text()  # on the roster, nothing submitted
    # 1/(x^2+1) for ln(x^2+1) is the key's missing_chain_factor (1 point), as for any outer function
    assert "line 9: s02 q3 incorrect 1/2 — missing_chain_factor" in result.stdout
    assert "Not on the roster: s99." in result.stdout
    assert "Needs a look (6 rows)" in result.stdout


@pytest.mark.parametrize("name, message", [("book.txt", "--gradebook must end in .csv"),
                                           ("report.csv", "must be different files")])
def test_gradebook_path_is_checked_before_grading(tmp_path, name: str, message: str) -> None:
    """A bad --gradebook path is refused (exit 2) before any row is graded."""
    result = run("grade", str(EXAMPLES / "submissions.csv"), "--key", str(EXAMPLES / "key.toml"),
                 "--out", str(tmp_path / "report.csv"), "--gradebook", str(tmp_path / name),
                 "--no-progress")
    assert 2 == result.exit_code
    assert message in result.output
    assert not (tmp_path / "report.csv").exists()


def test_keep_best_is_an_option() -> None:
    """--keep best is accepted and named in the report's notes."""
    result = run("grade", str(EXAMPLES / "course" / "submissions.csv"), "--key",
                 str(EXAMPLES / "course" / "key.toml"), "--keep", "best", "--format", "json",
                 "--no-progress")
    assert 0 == result.exit_code, result.output
    assert "best" == json.loads(result.stdout)["keep"]


def test_per_student_course_example_gives_its_gradebook(tmp_path) -> None:
    """examples/course/week5_*: a per-student key (with the teacher's partial credit) marks each
    student against their own version and writes the committed gradebook."""
    book = tmp_path / "gradebook.csv"
    course = EXAMPLES / "course"
    result = run("grade", str(course / "week5_submissions.csv"), "--key", str(course / "week5_key.toml"),
                 "--roster", str(course / "roster.csv"), "--gradebook", str(book),
                 "--format", "plain", "--no-progress")
    assert 0 == result.exit_code, result.output
    assert (course / "week5_gradebook.csv").read_text() == book.read_text()
    assert "line 5: s02 q1 incorrect 1/2 — missing_chain_factor" in result.stdout   # partial credit
    assert "line 10: s03 q3 incorrect 0/1" in result.stdout   # s01's answer is wrong for s03's version
    assert "no version of q1 for student 's99'" in result.stdout


def test_per_student_course_key_is_what_practice_writes(tmp_path) -> None:
    """The example key's versions are exactly what its `calcgrad practice` command makes today
    (the teacher's edits are only in the shared [qN] tables)."""
    import tomllib

    key = tmp_path / "key.toml"
    course = EXAMPLES / "course"
    result = run("practice", "--rules", "chain,product,quotient", "--count", "3", "--seed", "6",
                 "--per-student", str(course / "roster.csv"), "--key-out", str(key), "--format", "json")
    assert 0 == result.exit_code, result.output
    made = tomllib.loads(key.read_text(encoding="utf-8"))
    committed = tomllib.loads((course / "week5_key.toml").read_text(encoding="utf-8"))
    assert made["students"] == committed["students"]
    assert sorted(made) == sorted(committed)
