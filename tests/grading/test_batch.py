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
    assert ("line,student,question,answer,verdict,mistakes,feedback,error,reading,notes,warnings,points,"
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


COURSE_KEY = """
[q1]
expression = "sin(x^2)"
points = 2

[q1.mistakes]
missing_chain_factor = { points = 1, feedback = "Remember the inner derivative." }

[q2]
expression = "x^3/9"
tolerance = 1e-3

[q3]
expression = "x^2 sin x"
at = "x=0"
"""

COURSE_CSV = """student,question,answer
S12 ,q1,cos(x^2)
s12,q1,2x cos(x^2)
ann,q1,idk
ann,q2,0.3333x^2
ann,q3,0
bob,q1,dy/dx = 2x cos(x^2)
bob,q1,cos(x^2)
bob,q2,x^2/3 + C
"""


def test_partial_credit_and_teacher_feedback() -> None:
    """A forgiven mistake earns its points and shows the teacher's feedback."""
    rows = grade(COURSE_CSV, COURSE_KEY, jobs=1, keep="first").rows
    first = rows[0]
    assert ("s12", "incorrect", 1.0, 2.0) == (first.student, first.verdict, first.points,
                                              first.max_points)
    assert "Remember the inner derivative." == first.feedback[0]


def test_ids_are_normalised_and_the_report_says_so() -> None:
    """'S12 ' and 's12' are one student, s12, and a note says which spelling was changed."""
    report = grade(COURSE_CSV, COURSE_KEY, jobs=1)
    assert ["s12", "ann", "bob"] == [t.student for t in report.students]
    assert ["Student ids are normalised (spaces trimmed, case folded): 'S12 ' (line 2) → s12."] \
        == [note for note in report.notes if note.startswith("Student ids")]


@pytest.mark.parametrize("keep,kept_lines", [("last", [3, 8]), ("first", [2, 7]), ("best", [3, 7])])
def test_keep_policy_marks_the_others_superseded(keep: str, kept_lines: list[int]) -> None:
    """One submission per student and question counts; the rest stay, marked superseded."""
    report = grade(COURSE_CSV, COURSE_KEY, jobs=1, keep=keep)
    q1_rows = [r for r in report.rows if r.question == "q1" and r.student != "ann"]
    assert kept_lines == [r.line for r in q1_rows if not r.superseded]
    assert 2 == sum(r.superseded for r in q1_rows)
    assert any(f"the {keep} submission counts" in note for note in report.notes)


def test_percent_correct_counts_every_submission() -> None:
    """No answer counts in the denominator: q1 under --keep last is 1 of 3 correct."""
    q1 = grade(COURSE_CSV, COURSE_KEY, jobs=1).summaries[0]
    assert (3, 1, 1, 1, 2) == (q1.submissions, q1.correct, q1.no_answer, q1.incorrect, q1.superseded)
    assert 33.3 == q1.percent_correct
    assert 1.0 == q1.mean_points  # (2 + 0 + 1) / 3


def test_student_totals_and_gradebook() -> None:
    """One gradebook row per student: points per question, empty where nothing was submitted."""
    report = grade(COURSE_CSV, COURSE_KEY, jobs=1)
    assert ["student,q1,q2,q3,total,out_of", "s12,2,,,2,4", "ann,0,1,1,2,4", "bob,1,0,,1,4"] == \
        report.gradebook().strip().splitlines()


def test_tolerance_value_at_a_point_and_constant() -> None:
    """A decimal within the tolerance passes; a value at a point is a number; + C is named."""
    rows = {(r.student, r.question): r for r in grade(COURSE_CSV, COURSE_KEY, jobs=1).rows}
    assert "correct" == rows[("ann", "q2")].verdict
    assert "correct" == rows[("ann", "q3")].verdict
    assert ("incorrect", ("constant_of_integration",)) == (rows[("bob", "q2")].verdict,
                                                          rows[("bob", "q2")].mistakes)
    assert ("after removing '+ C'",) == rows[("bob", "q2")].notes


def test_reading_and_removed_prefix_are_in_the_row() -> None:
    """The row says how the answer was read and what was removed."""
    row = next(r for r in grade(COURSE_CSV, COURSE_KEY, jobs=1).rows if r.line == 7)
    assert ("2x·cos(x²)", ("after removing 'dy/dx ='",)) == (row.reading, row.notes)


def test_rows_needing_a_look() -> None:
    """No answer and superseded rows are listed for the teacher."""
    looks = {r.line: r.needs_a_look for r in grade(COURSE_CSV, COURSE_KEY, jobs=1).needing_a_look}
    assert [2, 4, 7] == sorted(looks)
    assert "no answer" == looks[4]


@pytest.mark.parametrize("key, message", [
    ('[q1]\nexpression = "x^2"\npoints = -1', "points must be a number"),
    ('[q1]\nexpression = "x^2"\n[q1.mistakes]\nnot_a_code = { points = 1 }', "unknown mistake code"),
    ('[q1]\nexpression = "x^2"\npoints = 1\n[q1.mistakes]\nsign_error = { points = 2 }', "more than"),
    ('[q1]\nexpression = "x^2"\ntolerance = 2', "tolerance must be"),
    ('[q1]\nexpression = "x^2"\nat = "y=1"', "not a variable"),
    ('[q1]\nexpression = "1/x"\nat = "x=0"', "no real value"),
])
def test_bad_partial_credit_keys_fail_before_grading(key: str, message: str) -> None:
    """A key with bad points, codes, tolerance or point is refused with one message."""
    with pytest.raises(UsageError, match=message):
        read_key(key)


def test_repeated_answers_are_checked_once_with_an_identical_report(monkeypatch) -> None:
    """Each distinct (question, answer) is checked once; every row still gets its own outcome."""
    import calcgrad.grading.checking
    from calcgrad.grading.batch import grade_row, read_key, read_submissions

    csv_text = "student,question,answer\n" + "".join(
        f"s{i},q2,{answer}\n" for i, answer in enumerate(["-sin(3x)", "-3 sin(3x)", "-sin(3x)",
                                                          "-sin(3x) ", "-3  sin(3x)"] * 4))
    key = read_key(KEY)
    one_by_one = [grade_row((row, key.get(row.question), limits.GRADE_ANSWER_SECONDS))
                  for row in read_submissions(csv_text)]
    calls = []
    real_check = calcgrad.grading.checking.check
    monkeypatch.setattr(calcgrad.grading.checking, "check",
                        lambda answer, **kw: calls.append(answer) or real_check(answer, **kw))
    report = grade(csv_text, key, jobs=1)
    assert ["-sin(3x)", "-3 sin(3x)", "-3  sin(3x)"] == calls  # trimmed when read; inner spaces count
    assert one_by_one == list(report.rows)
    assert [r.answer for r in one_by_one] == [r.answer for r in report.rows]


# --- per-student keys -----------------------------------------------------------------------


PER_STUDENT_KEY = """
[q1]
points = 2
[q1.mistakes]
missing_chain_factor = { points = 1, feedback = "Multiply by the inner derivative." }

[q2]
expression = "x^3"          # shared: every student without a version of their own answers this

[students.s01]
name = "Ada Lovelace"
q1 = "sin(2x)"

[students." S02"]
q1 = { expression = "x^2 y", wrt = "y" }
q2 = "x^4"
"""


def test_a_per_student_key_gives_each_student_their_version() -> None:
    """Versions are read per normalised id; the shared table's points and credits apply to each."""
    key = read_key(PER_STUDENT_KEY)
    assert ["q1", "q2"] == list(key)
    ada, bo = key["q1"].for_student("s01"), key["q1"].for_student("s02")
    assert ("sin(2x)", (), 2.0) == (ada.expression, ada.wrt, ada.points)
    assert ("x^2 y", ("y",), 2.0) == (bo.expression, bo.wrt, bo.points)
    assert "missing_chain_factor" == ada.credit("missing_chain_factor").code
    assert key["q1"].for_student("s03") is None           # no version and no shared expression
    assert "x^3" == key["q2"].for_student("s01").expression  # the shared question
    assert "x^4" == key["q2"].for_student("s02").expression


def test_each_student_is_marked_against_their_own_version() -> None:
    """The same answer text is right for one student's version and wrong for another's, and a
    student missing from the key gets an error row saying so (kept, counted, not dropped)."""
    submissions = ("student,question,answer\n"
                   "s01,q1,2cos(2x)\n"
                   "S02 ,q1,2cos(2x)\n"
                   "s02,q1,x^2\n"
                   "s01,q1,cos(2x)\n"
                   "s03,q1,2cos(2x)\n"
                   "s03,q2,3x^2\n"
                   "s02,q2,4x^3\n")
    report = grade(submissions, PER_STUDENT_KEY, jobs=1, keep="first")
    outcome = [(row.student, row.verdict, row.points) for row in report.rows]
    assert [("s01", "correct", 2.0), ("s02", "incorrect", 0.0), ("s02", "correct", 2.0),
            ("s01", "incorrect", 1.0), ("s03", "error", 0.0), ("s03", "correct", 1.0),
            ("s02", "correct", 1.0)] == outcome
    assert report.rows[3].superseded and report.rows[2].superseded  # --keep first
    missing = report.rows[4]
    assert "no version of q1 for student 's03'" in missing.error
    assert 2.0 == missing.max_points
    assert any("Per-student key" in note for note in report.notes)
    q1 = report.summaries[0]
    assert (3, 1, 1, 1) == (q1.submissions, q1.correct, q1.incorrect, q1.errors)


def test_partial_credit_of_the_shared_table_applies_to_each_version() -> None:
    """A missing inner derivative in one student's version earns the shared table's credit."""
    report = grade("student,question,answer\ns01,q1,cos(2x)\n", PER_STUDENT_KEY, jobs=1)
    row = report.rows[0]
    assert (("missing_chain_factor",), 1.0) == (row.mistakes, row.points)
    assert "Multiply by the inner derivative." in row.feedback


@pytest.mark.parametrize("key, message", [
    ('[q1]\npoints = 1\n', "key entry 'q1' needs an expression"),
    ('[q1]\npoints = 1\n[students.s01]\nq2 = "x^2"\n', "key entry 'q1' needs an expression, or one per student"),
    ('students = 3\n', "students table is not as expected"),
    ('[students]\nexpression = "x^2"\n', "students table is not as expected"),
    ('[students.s01]\nq1 = "x^2"\n[students.S01]\nq1 = "x^3"\n', "lists student 's01' twice"),
    ('[students." "]\nq1 = "x^2"\n', "has no student id"),
    ('[students.s01]\nq1 = { expression = "x^2", points = 5 }\n', "[students.s01] q1 must be an expression"),
    ('[students.s01]\nq1 = 3\n', "[students.s01] q1 must be an expression"),
    ('[students.s01]\nname = 3\nq1 = "x"\n', "[students.s01] name must be the student's name"),
    ('[students.s01]\nq1 = "sine(x)"\n', "[students.s01] q1: cannot read its expression"),
    ('[q1]\nat = "x=0"\n[students.s01]\nq1 = "ln x"\n', "[students.s01] q1: the derivative has no real value"),
])
def test_bad_per_student_keys_are_refused_before_grading(key: str, message: str) -> None:
    """A bad version stops the run with a message naming where it is in the key."""
    with pytest.raises(UsageError) as error:
        read_key(key)
    assert message in str(error.value)


def test_a_version_only_question_needs_no_shared_table() -> None:
    """A question that only students' tables name gets the default settings (1 point)."""
    key = read_key('[students.s01]\nq7 = "x^2"\n')
    assert (["q7"], 1.0, "x^2") == (list(key), key["q7"].points, key["q7"].for_student("s01").expression)


def test_answers_spaced_differently_keep_their_own_columns() -> None:
    """Answers that differ only in inner spaces are checked apart: a message names columns."""
    csv_text = "student,question,answer\na,q1,x + (x\nb,q1,x  +  (x\nc,q1,x + (x\n"
    errors = [row.error for row in grade(csv_text, KEY, jobs=1).rows]
    assert ["cannot check this answer: '(' at column 5 is never closed",
            "cannot check this answer: '(' at column 7 is never closed",
            "cannot check this answer: '(' at column 5 is never closed"] == errors
