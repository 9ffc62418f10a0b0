"""Tests for calcgrad.grading.batch: every row reported, bad rows isolated, summaries and groups."""

from __future__ import annotations

import pytest

from calcgrad import limits
from calcgrad.errors import UsageError
from calcgrad.grading.batch import grade, read_key

KEY = """
[q1]
expression = "x^2 sin x"
wrt = "x"

[q2]
expression = "cos(3x)"

[grad]
expression = "x^2 y"
kind = "gradient"

[second]
expression = "x^3"
order = 2
"""

CSV = """student,question,answer
ada,q1,2x sin x + x^2 cos x
bo,q2,-sin(3x)
cy,q2,-sin(3*x)
dee,q2,-3 sin(3x)
eve,grad,"[2x y, x^2]"
fay,second,6x
gus,q9,2x
hal,q1,diff(x^2 sin x)
ida,q1
jo,q1,
kim,q1,"__import__('os').system('echo hacked')"
lee,q1,x+++
"""


def test_every_row_is_reported_in_order() -> None:
    """Good, malformed and hostile rows all appear, with their line numbers."""
    report = grade(CSV, KEY, jobs=1)
    assert list(range(2, 14)) == [row.line for row in report.rows]
    verdicts = [row.verdict for row in report.rows]
    assert ["correct", "incorrect", "incorrect", "correct", "correct", "correct",
            "error", "error", "error", "no answer", "error", "error"] == verdicts


def test_errors_say_why() -> None:
    """Each unusable row carries its own reason."""
    errors = {row.student: row.error for row in grade(CSV, KEY, jobs=1).rows if row.error}
    assert "unknown question 'q9'" in errors["gus"]
    assert "'diff' is a command" in errors["hal"]
    assert "expected 3 fields, found 2" == errors["ida"]
    assert "jo" not in errors  # an empty answer is "no answer", not an unusable row
    assert "cannot check this answer" in errors["kim"]
    assert "cannot check this answer" in errors["lee"]


def test_summary_counts_mistakes_and_groups_equal_wrong_answers() -> None:
    """Identical wrong answers in different forms form one group."""
    report = grade(CSV, KEY, jobs=1)
    q2 = next(s for s in report.summaries if s.question == "q2")
    assert (3, 1, 2) == (q2.answered, q2.correct, q2.incorrect)
    assert 33.3 == q2.percent_correct
    assert (("missing_chain_factor", 2),) == q2.common_mistakes
    assert 1 == len(q2.groups)
    assert ["-sin(3x)", "-sin(3*x)"] == q2.groups[0]["answers"]
    assert [3, 4] == q2.groups[0]["lines"]


def test_per_answer_time_limit(monkeypatch) -> None:
    """An answer whose check runs past the limit is stopped and reported; the batch goes on."""
    import calcgrad.grading.checking

    real_check = calcgrad.grading.checking.check

    def slow_for_bo(answer, **kwargs):
        if answer == "-sin(3x)":
            while True:  # a pathological answer: never finishes on its own
                pass
        return real_check(answer, **kwargs)

    monkeypatch.setattr(calcgrad.grading.checking, "check", slow_for_bo)
    report = grade(CSV, KEY, jobs=1, seconds=0.3)
    assert 12 == len(report.rows)
    stopped = [row for row in report.rows if "took longer than" in " ".join(row.feedback)]
    assert ["bo"] == [row.student for row in stopped]
    assert "undetermined" == stopped[0].verdict
    assert "correct" == report.rows[0].verdict


def test_processes_give_the_same_report(monkeypatch) -> None:
    """Grading over worker processes gives the same rows as grading in one process."""
    monkeypatch.setattr(limits, "PARALLEL_ROWS", 4)
    serial = grade(CSV, KEY, jobs=1)
    parallel = grade(CSV, KEY, jobs=2)
    assert serial.rows == parallel.rows


def test_csv_report_has_every_row_and_is_formula_safe() -> None:
    """The CSV report has a header and one row per input row; leading = + - @ are defused."""
    text = grade(CSV, KEY, jobs=1).csv()
    lines = text.strip().splitlines()
    assert ("line,student,question,answer,verdict,mistakes,feedback,error,reading,notes,points,"
            "max_points,superseded") == lines[0]
    assert 13 == len(lines)
    assert "'-sin(3x)" in text


def test_json_report() -> None:
    """to_dict has rows, summary, students, notes and the keep policy."""
    data = grade(CSV, KEY, jobs=1).to_dict()
    assert {"rows", "summary", "students", "notes", "keep"} == set(data)
    assert {"question", "submissions", "answered", "correct", "incorrect", "undetermined",
            "no_answer", "errors", "superseded", "percent_correct", "max_points", "mean_points",
            "common_mistakes", "wrong_answer_groups"} == set(data["summary"][0])


@pytest.mark.parametrize("key, message", [
    ("not toml [", "not valid TOML"),
    ("", "no questions"),
    ("q1 = 3", "must be a table"),
    ("[q1]\nwrt = 'x'", "needs an expression"),
    ("[q1]\nexpression = 'x^2'\norder = 0", "order must be"),
    ("[q1]\nexpression = 'x^2'\nkind = 'integral'", "kind must be"),
    ("[q1]\nexpression = 'sine(x)'", "cannot read its expression"),
    ("[q1]\nexpression = 'x^2'\nanswer = '2x'", "unknown field"),
])
def test_bad_key_is_a_usage_error(key: str, message: str) -> None:
    """A key that cannot be used fails before any row is graded, saying what is wrong."""
    with pytest.raises(UsageError, match=message):
        read_key(key)


def test_bad_header_is_a_usage_error() -> None:
    """The CSV must name the columns student, question, answer."""
    with pytest.raises(UsageError, match="missing answer"):
        grade("student,question\nada,q1\n", KEY)


def test_columns_in_any_order() -> None:
    """Columns are found by name."""
    report = grade("answer,question,student\n2x sin x + x^2 cos x,q1,ada\n", KEY, jobs=1)
    assert "correct" == report.rows[0].verdict
