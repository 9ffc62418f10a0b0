"""A class roster: the CSV a teacher keeps, read once for every command that needs it.

`calcgrad practice --per-student` makes one version per student on it and `calcgrad grade
--roster` gives each a gradebook row, so both read it the same way: a header row naming a
`student` column (also `student_id` or `id`) and optionally a `name` column, then one student
per row. Ids are normalised as `grade` matches them (spaces trimmed and joined, case folded), a
blank line is skipped, and an id listed twice (after normalising) is refused with both lines,
since two students sharing an id would share a version and a gradebook row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from calcgrad import limits
from calcgrad.errors import LimitError, UsageError

ID_COLUMNS = ("student", "student_id", "id")
"""Header names accepted for the id column, in order of preference."""


@dataclass(frozen=True)
class Student:
    """One roster row: the normalised id, the name as written ("" when the roster has none)."""

    id: str
    name: str = ""

    @property
    def label(self) -> str:
        """How a handout names the student: "Ada Lovelace (s01)", or the id alone."""
        return f"{self.name} ({self.id})" if self.name else self.id


def normalise_id(text: str) -> str:
    """A student id as matched and shown: spaces trimmed and joined, case-folded ("S12 " → "s12")."""
    return " ".join(text.split()).casefold()


def read_students(text: str) -> tuple[Student, ...]:
    """The students of a roster CSV, in its order (see the module docstring for the format)."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise UsageError("the roster is empty; write a header row such as student,name and one "
                         "student per line")
    try:
        records = list(csv.reader(lines[first:], strict=True))
    except csv.Error as error:
        raise UsageError(f"the roster is not readable CSV: {error}") from None
    header = [cell.strip().lower().lstrip("\ufeff") for cell in records[0]]
    id_column = next((header.index(name) for name in ID_COLUMNS if name in header), None)
    if id_column is None:
        raise UsageError(f"the roster's first row must name its columns, with a student column "
                         f"(e.g. student,name); found {', '.join(records[0]) or 'nothing'}")
    name_column = header.index("name") if "name" in header else None
    students: dict[str, Student] = {}
    lines_of: dict[str, int] = {}
    for line, record in enumerate(records[1:], start=first + 2):
        if not any(cell.strip() for cell in record):
            continue
        student = normalise_id(record[id_column]) if id_column < len(record) else ""
        if not student:
            raise UsageError(f"the roster's line {line} has no student id: {','.join(record)}")
        if student in students:
            raise UsageError(f"the roster lists student {student!r} twice (lines {lines_of[student]} "
                             f"and {line}); ids are compared ignoring case and spaces, so give "
                             "each student their own id")
        name = record[name_column].strip() if name_column is not None and name_column < len(record) else ""
        students[student] = Student(student, " ".join(name.split()))
        lines_of[student] = line
        if len(students) > limits.MAX_ROSTER_STUDENTS:
            raise LimitError(f"the roster lists more than {limits.MAX_ROSTER_STUDENTS} students; "
                             "split the class")
    if not students:
        raise UsageError("the roster lists no students; add one per line under its header row")
    return tuple(students.values())
