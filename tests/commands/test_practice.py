"""`calcgrad practice --per-student`, --key-out and --no-answers through CliRunner: one version
per student, a key that `calcgrad grade` marks each student with, clear errors (exit 2)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.calculus.practice_sets import practice_per_student
from calcgrad.cli import main
from calcgrad.render.notation import to_ascii

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROSTER = EXAMPLES / "course" / "roster.csv"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_per_student_json_has_a_version_for_every_student_on_the_roster() -> None:
    """Each roster student, in order, with their name and their own exercises."""
    result = run("practice", "--rules", "chain", "--count", "2", "--seed", "4",
                 "--per-student", str(ROSTER), "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert ["s01", "s02", "s03", "s04", "s05", "s06", "s07"] == [s["student"] for s in data["students"]]
    assert "Ada Lovelace" == data["students"][0]["name"]
    assert 7 == len({tuple(e["expression"] for e in s["exercises"]) for s in data["students"]})


def test_the_same_command_gives_the_same_handout_and_key(tmp_path: Path) -> None:
    """Reproducible: two runs write identical sheets and identical keys."""
    outputs = []
    for name in ("a.toml", "b.toml"):
        result = run("practice", "--rules", "chain,product", "--count", "3", "--seed", "11",
                     "--per-student", str(ROSTER), "--key-out", str(tmp_path / name),
                     "--no-answers", "--format", "markdown")
        assert 0 == result.exit_code, result.output
        assert f"wrote the grading key to {tmp_path / name}" in result.stderr
        outputs.append((result.stdout, (tmp_path / name).read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]
    assert "Answer key" not in outputs[0][0]


def test_grade_marks_each_student_against_the_key_practice_wrote(tmp_path: Path) -> None:
    """The round trip a teacher makes: practice writes the key, students answer their own
    versions (one copies a neighbour's answer), grade marks each row against the right version."""
    key = tmp_path / "key.toml"
    assert 0 == run("practice", "--rules", "chain,quotient", "--count", "2", "--seed", "3",
                    "--per-student", str(ROSTER), "--key-out", str(key), "--format", "plain").exit_code
    versions = practice_per_student(ROSTER.read_text(encoding="utf-8"), "chain,quotient", count=2, seed=3)
    answers = {s.id: [to_ascii(e.answer) for e in v.exercises] for s, v in versions.versions}
    rows = [["student", "question", "answer"],
            ["S01 ", "q1", answers["s01"][0]], ["s01", "q2", answers["s01"][1]],
            ["s02", "q1", answers["s03"][0]],           # a neighbour's answer: wrong for s02
            ["s99", "q1", answers["s01"][0]]]           # not in the key
    submissions = tmp_path / "submissions.csv"
    with submissions.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    book = tmp_path / "gradebook.csv"
    result = run("grade", str(submissions), "--key", str(key), "--roster", str(ROSTER),
                 "--gradebook", str(book), "--format", "csv", "--no-progress")
    assert 0 == result.exit_code, result.output
    report = list(csv.DictReader(io.StringIO(result.stdout)))
    assert ["correct", "correct", "incorrect", "error"] == [row["verdict"] for row in report]
    assert "no version of q1 for student 's99'" in report[3]["error"]
    gradebook = book.read_text(encoding="utf-8").splitlines()
    assert ["student,q1,q2,total,out_of", "s01,1,1,2,2", "s02,0,,0,2"] == gradebook[:3]


def test_no_answers_makes_the_students_sheet_of_a_single_set() -> None:
    """--no-answers without a roster: the exercises of the one set, no key, no seed."""
    result = run("practice", "--count", "3", "--seed", "2", "--no-answers", "--format", "plain")
    assert 0 == result.exit_code, result.output
    assert "Exercises" in result.stdout and "Answer key" not in result.stdout
    assert "seed" not in result.stdout


def test_the_key_of_a_single_set_is_a_plain_key(tmp_path: Path) -> None:
    """--key-out without a roster writes one [qN] table per exercise with its expression."""
    key = tmp_path / "key.toml"
    result = run("practice", "--rules", "power", "--count", "2", "--seed", "1", "--key-out", str(key))
    assert 0 == result.exit_code, result.output
    text = key.read_text(encoding="utf-8")
    assert "[q1]" in text and "[q2]" in text and "expression = " in text and "[students" not in text


@pytest.mark.parametrize("roster, extra, message", [
    ("student,name\ns01,Ada\nS01,Ada again\n", [], "lists student 's01' twice (lines 2 and 3)"),
    ("", [], "the roster is empty"),
    ("student,name\n", [], "the roster lists no students"),
    ("s01,Ada\n", [], "must name its columns"),
    ("student\ns01\n", ["--key-out", "key.txt"], "--key-out must end in .toml"),
    ("student\ns01\n", ["--rules", "chian"], "unknown rule 'chian'"),
])
def test_bad_rosters_and_options_exit_2_with_one_message(tmp_path: Path, roster: str, extra: list,
                                                        message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(roster, encoding="utf-8")
    result = run("practice", "--count", "2", "--per-student", str(path),
                 *[str(tmp_path / e) if e.endswith(".txt") else e for e in extra])
    assert 2 == result.exit_code
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_key_never_overwrites_the_roster(tmp_path: Path) -> None:
    """--key-out naming the roster itself is refused before anything is written."""
    roster = tmp_path / "roster.toml"
    roster.write_text("student\ns01\n", encoding="utf-8")
    result = run("practice", "--per-student", str(roster), "--key-out", str(roster))
    assert 2 == result.exit_code
    assert "is one of the input files" in result.output
    assert "student\ns01\n" == roster.read_text(encoding="utf-8")


def test_help_shows_the_per_student_example() -> None:
    result = run("practice", "--help")
    assert 0 == result.exit_code
    assert "--per-student examples/course/roster.csv --key-out key.toml" in result.output
