"""Rosters: a header naming the student column, ids normalised as grade matches them, names
kept, blank lines skipped, and every unusable roster refused with one clear message."""

from __future__ import annotations

import pytest

from calcgrad.errors import UsageError
from calcgrad.read.roster import Student, normalise_id, read_students


def test_ids_are_normalised_and_names_kept_in_roster_order() -> None:
    """Ids are trimmed and case-folded; names keep their spelling; the roster's order stays."""
    text = "student,name\n S12 ,Ada  Lovelace\nbo,Bo Chen\n\n  Cy Y ,\n"
    assert (Student("s12", "Ada Lovelace"), Student("bo", "Bo Chen"), Student("cy y", "")) == read_students(text)


@pytest.mark.parametrize("header", ["student", "student_id", "ID", "\ufeffStudent"])
def test_the_id_column_may_be_called_student_student_id_or_id(header: str) -> None:
    """The id column is found by any of its accepted names, in any case, after a byte-order mark."""
    assert (Student("s01"), Student("s02")) == read_students(f"{header}\ns01\ns02\n")


def test_columns_in_any_order_and_extra_columns_ignored() -> None:
    """name may come first and other columns (email, group) are ignored."""
    text = "name,email,student\nAda,ada@example.org,S01\n"
    assert (Student("s01", "Ada"),) == read_students(text)


def test_label_names_the_student_for_a_handout() -> None:
    """A handout heading shows the name and the id, or the id alone."""
    assert ("Ada Lovelace (s01)", "s02") == (Student("s01", "Ada Lovelace").label, Student("s02").label)


def test_normalise_id_matches_grade() -> None:
    """The same function grade uses: spaces trimmed and joined, case folded."""
    from calcgrad.grading.batch import normalise_id as grade_normalise

    assert "s12 a" == normalise_id("  S12   A ") == grade_normalise("  S12   A ")


@pytest.mark.parametrize("text, message", [
    ("", "the roster is empty"),
    ("\n  \n", "the roster is empty"),
    ("student,name\n", "lists no students"),
    ("student,name\n\n\n", "lists no students"),
    ("s01,Ada\ns02,Bo\n", "must name its columns, with a student column (e.g. student,name); found s01, Ada"),
    ("student,name\ns01,Ada\nS01 ,Ada again\n", "lists student 's01' twice (lines 2 and 3)"),
    ("student,name\ns01,Ada\n,Bo\n", "line 3 has no student id"),
    ('student,name\ns01,"Ada\n', "not readable CSV"),
])
def test_unusable_rosters_are_refused_with_a_clear_message(text: str, message: str) -> None:
    """Empty, headerless, duplicated, id-less and broken rosters: a UsageError saying what is wrong."""
    with pytest.raises(UsageError, match="roster") as error:
        read_students(text)
    assert message in str(error.value)


def test_a_roster_too_long_is_refused(monkeypatch) -> None:
    """More students than limits.MAX_ROSTER_STUDENTS: a LimitError, not hours of work."""
    from calcgrad import limits
    from calcgrad.errors import LimitError

    monkeypatch.setattr(limits, "MAX_ROSTER_STUDENTS", 3)
    with pytest.raises(LimitError, match="more than 3 students"):
        read_students("student\n" + "\n".join(f"s{i}" for i in range(5)))
