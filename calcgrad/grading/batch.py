"""Batch grading: a CSV of submissions against a TOML key, one isolated check per row.

Every input row appears in the report, malformed ones with their line number and the reason.
Each row is checked on its own, inside a time limit, so a bad or hostile answer gets its own
error and cannot stall or break the batch. Each distinct (question, answer) is checked once and
its outcome shared by every row that gave it. Large batches run over several processes. The
summary per question gives the share correct, the commonest mistakes, and groups of identical
wrong answers (equal values at fixed points, whatever their form), so one look grades a group.
"""

from __future__ import annotations

import csv
import os
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

import mpmath

from calcgrad import limits
from calcgrad.deadline import DeadlineExceeded, deadline, owns
from calcgrad.errors import CalcgradError, UsageError, as_input_error, raised_by_library
from calcgrad.grading import checking, executors
from calcgrad.grading.equivalence import numeric_function, sample_points
from calcgrad.grading.executors import Failure
from calcgrad.grading.mistakes import CODES
from calcgrad.read.parser import parse
from calcgrad.read.roster import normalise_id, read_students
from calcgrad.render.protocol import Rendered

ERROR = "error"
KINDS = ("derivative", "gradient")


@dataclass(frozen=True)
class MistakeCredit:
    """The teacher's points and feedback for one named mistake on one question."""

    code: str
    points: float = 0.0
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    """One entry of the key: what to differentiate, with respect to what, and how.

    `points` is what a correct answer earns (1 when the key does not say); `mistakes` the
    teacher's partial credit and feedback per mistake code; `tolerance` accepts a decimal answer
    within that distance (relative for values above 1) at every sample point; `at` asks for the
    derivative's value at a point ("x=3") instead of a formula.
    """

    id: str
    expression: str
    wrt: tuple[str, ...] = ()
    order: int = 1
    kind: str = "derivative"
    variables: tuple[str, ...] = ()
    points: float = 1.0
    mistakes: tuple[MistakeCredit, ...] = ()
    tolerance: float | None = None
    at: str | None = None
    versions: Mapping[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def credit(self, code: str) -> MistakeCredit | None:
        return next((m for m in self.mistakes if m.code == code), None)

    def for_student(self, student: str) -> Question | None:
        """What this (normalised) student answers: their own version in a per-student key,
        else the shared question; None when the key has neither for them."""
        version = self.versions.get(student)
        if version is not None:
            return version
        if not self.expression:
            return None
        return replace(self, versions={}) if self.versions else self


@dataclass(frozen=True)
class GradedRow:
    """The outcome for one input row (verdict "error" when the row itself was unusable).

    `student` is the normalised id (spaces trimmed, case folded: "S12 " → "s12"), so rows
    whose ids differ only in case and spaces belong to one student. `reading` is the answer as read, `notes` what was removed
    before reading it, `warnings` the parser's notes on ambiguous readings. `points` is the
    credit earned out of `max_points`; `superseded` marks a resubmission that does not count
    under the --keep policy.
    """

    line: int
    student: str
    question: str
    answer: str
    verdict: str
    mistakes: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()
    error: str = ""
    fingerprint: tuple | None = field(default=None, compare=False)
    reading: str = ""
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    points: float = 0.0
    max_points: float = 0.0
    superseded: bool = False

    @property
    def needs_a_look(self) -> str:
        """Why a teacher should look at this row ("" when nothing needs a look)."""
        if self.superseded:
            return "superseded (the student submitted this question more than once)"
        return {ERROR: "unreadable or unusable", "no answer": "no answer",
                "undetermined": "undetermined"}.get(self.verdict, "")

    def to_dict(self) -> dict:
        return {"line": self.line, "student": self.student, "question": self.question,
                "answer": self.answer, "verdict": self.verdict, "mistakes": list(self.mistakes),
                "feedback": list(self.feedback), "error": self.error, "reading": self.reading,
                "notes": list(self.notes), "warnings": list(self.warnings),
                "points": self.points, "max_points": self.max_points,
                "superseded": self.superseded}


@dataclass(frozen=True)
class QuestionSummary:
    """How one question went: counts, commonest mistakes, groups of identical wrong answers.

    Counts are over the submissions that count (one per student under the --keep policy),
    blank, "no answer" and unreadable ones included: `submissions` is their number and
    `percent_correct` is `correct` out of it. `answered` counts the answers that were checked
    (correct, incorrect, undetermined); `superseded` the resubmissions set aside.
    """

    question: str
    answered: int
    correct: int
    incorrect: int
    undetermined: int
    errors: int
    common_mistakes: tuple[tuple[str, int], ...]
    groups: tuple[dict, ...]
    no_answer: int = 0
    superseded: int = 0
    max_points: float = 1.0
    mean_points: float = 0.0

    @property
    def submissions(self) -> int:
        return self.answered + self.no_answer + self.errors

    @property
    def percent_correct(self) -> float:
        return round(100 * self.correct / self.submissions, 1) if self.submissions else 0.0

    def to_dict(self) -> dict:
        return {"question": self.question, "submissions": self.submissions,
                "answered": self.answered, "correct": self.correct,
                "incorrect": self.incorrect, "undetermined": self.undetermined,
                "no_answer": self.no_answer, "errors": self.errors,
                "superseded": self.superseded, "percent_correct": self.percent_correct,
                "max_points": self.max_points, "mean_points": self.mean_points,
                "common_mistakes": [{"code": c, "count": n} for c, n in self.common_mistakes],
                "wrong_answer_groups": list(self.groups)}


@dataclass(frozen=True)
class StudentTotal:
    """One student's points per question (None: nothing submitted) and the total."""

    student: str
    points: tuple[tuple[str, float | None], ...]
    total: float
    max_total: float

    def to_dict(self) -> dict:
        return {"student": self.student, "points": dict(self.points), "total": self.total,
                "max_total": self.max_total}


@dataclass(frozen=True)
class GradeReport(Rendered):
    """Every row's outcome, in input order, a summary per question and a total per student.

    `notes` say how the rows were read (student ids matched ignoring case and spaces, which
    submission counts for a student who submitted twice).
    """

    RENDERER: ClassVar[str] = "calcgrad.render.grade_report"
    TABLE: ClassVar[bool] = True    # every row is also written as CSV

    rows: tuple[GradedRow, ...]
    summaries: tuple[QuestionSummary, ...]
    students: tuple[StudentTotal, ...] = ()
    notes: tuple[str, ...] = ()
    keep: str = "last"

    @property
    def needing_a_look(self) -> tuple[GradedRow, ...]:
        """Rows a teacher should look at: unreadable, no answer, undetermined, superseded."""
        return tuple(row for row in self.rows if row.needs_a_look)

    def gradebook(self) -> str:
        """CSV: one row per student, one column per question (points), the total and the most
        possible; an empty cell where the student submitted nothing for that question."""
        # lazy: start-up speed (the renderer loads only when a gradebook is written)
        from calcgrad.render.grade_report import render_gradebook

        return render_gradebook(self)


# --- reading the key and the submissions ----------------------------------------------------


def read_key(text: str) -> dict[str, Question]:
    """Questions from TOML text: one table per question id with `expression` and optionally
    `wrt` (a name, "x,y" or a list), `order`, `kind` ("derivative" or "gradient"), `variables`.

    A per-student key (`calcgrad practice --per-student`) also has a `students` table: under
    [students.<id>], each question's expression for that student (`q1 = "…"`, or an inline
    table with the VERSION_FIELDS); the [qN] tables then give what every version shares
    (points, mistakes, tolerance …) and may leave out the expression. Every expression is read
    once here, so a bad key fails before any row is graded."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"the key is not valid TOML: {error}") from None
    students = data.pop("students", None)
    if not data and students is None:
        raise UsageError("the key has no questions; write one table per question, e.g. "
                         '[q1] expression = "x^2 sin x"')
    questions = _read_tables(data, shared=students is not None)
    return questions if students is None else _with_versions(questions, data, students)


def _read_tables(data: dict, shared: bool = False) -> dict[str, Question]:
    """One Question per key table, checked; a `shared` table (of a per-student key) may leave
    out the expression."""
    questions = {}
    for qid, entry in data.items():
        if not isinstance(entry, dict):
            raise UsageError(f"key entry {qid!r} must be a table such as [{qid}] with an expression")
        unknown = set(entry) - set(KEY_FIELDS)
        if unknown:
            raise UsageError(f"key entry {qid!r} has unknown field(s) {', '.join(sorted(unknown))}; "
                             f"expected {', '.join(KEY_FIELDS)}")
        expression = entry.get("expression", "" if shared else None)
        if not isinstance(expression, str) or not (expression.strip() or shared):
            raise UsageError(f"key entry {qid!r} needs an expression (text), e.g. expression = \"x^2\"")
        wrt = entry.get("wrt", [])
        if isinstance(wrt, str):
            wrt = tuple(n.strip() for n in wrt.split(",") if n.strip())
        elif isinstance(wrt, list) and all(isinstance(n, str) for n in wrt):
            wrt = tuple(wrt)
        else:
            raise UsageError(f"key entry {qid!r}: wrt must be a name, \"x,y\" or a list of names")
        order = entry.get("order", 1)
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= limits.MAX_ORDER:
            raise UsageError(f"key entry {qid!r}: order must be a whole number from 1 to {limits.MAX_ORDER}")
        kind = entry.get("kind", "derivative")
        if kind not in KINDS:
            raise UsageError(f"key entry {qid!r}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        variables = entry.get("variables", [])
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise UsageError(f"key entry {qid!r}: variables must be a list of names")
        points = _points(entry.get("points", 1), f"key entry {qid!r}: points")
        tolerance = entry.get("tolerance")
        if tolerance is not None and (isinstance(tolerance, bool)
                                      or not isinstance(tolerance, (int, float))
                                      or not 0 < tolerance < 1):
            raise UsageError(f"key entry {qid!r}: tolerance must be a number between 0 and 1, "
                             "e.g. tolerance = 1e-3")
        at = entry.get("at")
        if at is not None and (not isinstance(at, str) or not at.strip()):
            raise UsageError(f"key entry {qid!r}: at must be a point as text, e.g. at = \"x=3\"")
        if at is not None and kind != "derivative":
            raise UsageError(f"key entry {qid!r}: at works with kind = \"derivative\" only")
        question = Question(str(qid), expression, wrt, order, kind, tuple(variables), points,
                            _mistake_credits(qid, entry.get("mistakes", {}), points),
                            float(tolerance) if tolerance is not None else None, at)
        if not expression:  # a shared table: each student's version gives the expression
            questions[str(qid)] = question
            continue
        try:
            parse(expression, variables=question.variables)
        except CalcgradError as error:
            raise UsageError(f"key entry {qid!r}: cannot read its expression: {error}") from None
        if at is not None:  # a point that does not fit fails here, before any row is graded
            try:
                checking.value_at(expression, at, wrt, order, question.variables)
            except CalcgradError as error:
                raise UsageError(f"key entry {qid!r}: {error}") from None
        questions[str(qid)] = question
    return questions


KEY_FIELDS = ("expression", "wrt", "order", "kind", "variables", "points", "mistakes",
              "tolerance", "at")

VERSION_FIELDS = ("expression", "wrt", "variables", "order", "at")
"""What one student's version of a question may set; the rest is shared by every version."""


def _with_versions(questions: dict[str, Question], tables: dict, students) -> dict[str, Question]:
    """The questions with each student's version attached (Question.versions): a version is
    its shared [qN] table with the student's VERSION_FIELDS put in, checked as any table."""
    hint = ('[students] holds one table per student id, e.g. [students.s01] q1 = "x^2 sin x" '
            "(so no question may be called 'students')")
    if not isinstance(students, dict) or not all(isinstance(t, dict) for t in students.values()):
        raise UsageError(f"the key's students table is not as expected: {hint}")
    versions: dict[str, dict[str, Question]] = defaultdict(dict)
    spelled: dict[str, str] = {}
    for raw_id, table in students.items():
        student = normalise_id(raw_id)
        if not student:
            raise UsageError(f"the key's [students.{raw_id!r}] has no student id; {hint}")
        if student in spelled:
            raise UsageError(f"the key lists student {student!r} twice ([students.{spelled[student]}] "
                             f"and [students.{raw_id}]); ids are compared ignoring case and spaces")
        spelled[student] = raw_id
        for qid, version in table.items():
            where = f"[students.{raw_id}] {qid}"
            if qid == "name":  # the student's name, for the teacher reading the key
                if not isinstance(version, str):
                    raise UsageError(f"{where} must be the student's name as text")
                continue
            if isinstance(version, str):
                version = {"expression": version}
            if not isinstance(version, dict) or set(version) - set(VERSION_FIELDS):
                raise UsageError(f"{where} must be an expression (text) or a table with "
                                 f"{', '.join(VERSION_FIELDS)}; {hint}")
            try:
                versions[qid][student] = _read_tables({qid: {**tables.get(qid, {}), **version}})[qid]
            except UsageError as error:  # name the student's entry, not the shared table
                detail = str(error).removeprefix(f"key entry {qid!r}").lstrip(": ")
                raise UsageError(f"{where}: {detail}") from None
            questions.setdefault(qid, Question(qid, ""))
    for qid, question in questions.items():
        if not question.expression and not versions.get(qid):
            raise UsageError(f"key entry {qid!r} needs an expression, or one per student under "
                             f"[students.<id>] {qid} = \"…\"")
        questions[qid] = replace(question, versions=dict(versions.get(qid, {})))
    return questions


def _points(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
        raise UsageError(f"{what} must be a number from 0 to 1000, e.g. points = 2")
    return float(value)


def _mistake_credits(qid, table, points: float) -> tuple[MistakeCredit, ...]:
    """[q1.mistakes] missing_chain_factor = { points = 1, feedback = "…" } → MistakeCredits."""
    if not isinstance(table, dict):
        raise UsageError(f"key entry {qid!r}: mistakes must be a table such as [{qid}.mistakes]")
    credits = []
    for code, spec in table.items():
        if code not in CODES:
            raise UsageError(f"key entry {qid!r}: unknown mistake code {code!r}; the codes are "
                             f"{', '.join(CODES)}")
        if not isinstance(spec, dict) or set(spec) - {"points", "feedback"}:
            raise UsageError(f"key entry {qid!r}: mistake {code} must be a table such as "
                             f"{{ points = 1, feedback = \"…\" }}")
        credit = _points(spec.get("points", 0), f"key entry {qid!r}: points for {code}")
        if credit > points:
            raise UsageError(f"key entry {qid!r}: {code} gives {credit:g} points, more than the "
                             f"question's {points:g}")
        feedback = spec.get("feedback", "")
        if not isinstance(feedback, str):
            raise UsageError(f"key entry {qid!r}: the feedback for {code} must be text")
        credits.append(MistakeCredit(code, credit, feedback.strip()))
    return tuple(credits)


@dataclass(frozen=True)
class _Submission:
    line: int
    student: str
    question: str
    answer: str
    error: str = ""


def read_submissions(text: str) -> list[_Submission]:
    """Rows of a CSV with the columns student, question, answer (a header row names them).

    One row per physical line, so that rows in = rows out: a blank line, and a line whose
    quote is never closed, each become an error row with its line number instead of being
    dropped or swallowing the lines after it. (An answer never needs a line break.)
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UsageError("the submissions file is empty or starts with a blank line; it needs a "
                         "header row student,question,answer")
    if len(lines) - 1 > limits.MAX_GRADE_ROWS:
        raise UsageError(f"more than {limits.MAX_GRADE_ROWS} rows; split the file")
    try:
        header = _cells(lines[0])
    except csv.Error as error:
        raise UsageError(f"cannot read the header of the submissions file: {error}") from None
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in ("student", "question", "answer") if c not in names]
    if missing:
        raise UsageError(f"the submissions file needs the columns student, question, answer; "
                         f"missing {', '.join(missing)} (header: {', '.join(header)})")
    where = {c: names.index(c) for c in ("student", "question", "answer")}
    rows: list[_Submission] = []
    for line, physical in enumerate(lines[1:], start=2):
        if not physical.strip():
            rows.append(_Submission(line, "", "", "", "blank line"))
            continue
        if len(physical) > limits.MAX_INPUT_CHARS * 2:
            rows.append(_Submission(line, "", "", "", f"the row is longer than "
                                    f"{limits.MAX_INPUT_CHARS * 2} characters"))
            continue
        try:
            record = _cells(physical)
        except csv.Error as error:
            hint = ("; a quote (\") opened in this row is not closed" if physical.count('"') % 2
                    else "")
            rows.append(_Submission(line, "", "", "", f"unreadable CSV row: {error}{hint}"))
            continue
        cells = [record[where[c]] if where[c] < len(record) else ""  # ids normalised in grade()
                 for c in ("student", "question", "answer")]
        cells[1:] = [cell.strip() for cell in cells[1:]]
        if len(record) != len(header):
            rows.append(_Submission(line, *cells, f"expected {len(header)} fields, found {len(record)}"))
            continue
        rows.append(_Submission(line, *cells))
    return rows


def _cells(line: str) -> list[str]:
    """The cells of one CSV line; csv.Error when a quote is left open."""
    csv.field_size_limit(limits.MAX_INPUT_CHARS * 2)
    records = list(csv.reader([line], strict=True))
    return records[0] if records else []


# --- grading ------------------------------------------------------------------------------


KEEP = ("last", "best", "first")
"""Which submission counts when a student answers a question more than once."""


def grade(submissions: str, key: str | dict[str, Question], *, jobs: int | None = None,
          seconds: float = limits.GRADE_ANSWER_SECONDS,
          progress: Callable[[int], None] | None = None, keep: str = "last",
          roster: str | None = None, scheduler: str | None = None,
          share: bool = True) -> GradeReport:
    """Grade CSV text against a key (TOML text or read_key's result).

    `jobs` is the number of worker processes (default: one per core for large batches, none
    for small ones); `seconds` the time limit per answer; `progress` is called with the number
    of rows finished each time some finish; `keep` says which of a student's submissions for
    one question counts ("last", "best" or "first"); the others stay in the report, marked
    superseded. Student ids are normalised: spaces trimmed, case folded ("S12 " → "s12").
    `roster` is CSV text with a `student` column: every student on it gets a total (0 when
    nothing was submitted), in its order, and ids not on it are named in the notes.
    `scheduler` ("tcp://host:8786") grades on that Dask cluster instead of here, with the same
    limits per answer and the same report (needs the optional extra calcgrad[dask]).
    `share=False` checks every row on its own instead of once per distinct answer (the same
    report, slower: benchmarks/grading.py measures what sharing saves).
    """
    if keep not in KEEP:
        raise UsageError(f"keep must be one of {', '.join(KEEP)}, not {keep!r}")
    questions = read_key(key) if isinstance(key, str) else key
    rows, notes = _normalise_students(read_submissions(submissions))
    tasks = []
    for row in rows:
        question = questions.get(row.question)
        version = question.for_student(row.student) if question is not None else None
        if not row.error and row.question not in questions:
            known = ", ".join(sorted(questions))
            row = _Submission(row.line, row.student, row.question, row.answer,
                              f"unknown question {row.question!r} (the key has {known})")
        elif not row.error and not row.student:
            row = _Submission(row.line, row.student, row.question, row.answer, "no student id")
        elif not row.error and version is None:
            row = _Submission(row.line, row.student, row.question, row.answer,
                              f"no version of {row.question} for student {row.student!r}: the "
                              f"per-student key has no {row.question} under [students.{row.student}]")
        tasks.append((row, version or question, seconds))
    work, index = _distinct(tasks, share)
    if progress and len(tasks) > len(work):
        progress(len(tasks) - len(work))  # repeated answers share one check
    workers = min(jobs if jobs is not None else cores(), cores())
    if scheduler is not None:
        checked = executors.run_on_dask(grade_row, work, scheduler=scheduler, progress=progress,
                                        hard_seconds=seconds * 2 + 5, on_failure=unfinished_row)
    elif workers > 1 and len(work) >= limits.PARALLEL_ROWS:
        checked = executors.run_in_processes(grade_row, work, workers=workers, progress=progress,
                                             hard_seconds=seconds * 2 + 5, on_failure=unfinished_row)
    else:
        checked = executors.run_here(grade_row, work, progress)
    graded = [_as_row(checked[index[i]], task[0]) if i in index else grade_row(task)
              for i, task in enumerate(tasks)]
    graded, kept_note = _apply_keep(graded, questions, keep)
    notes += kept_note
    versioned = {student for q in questions.values() for student in q.versions}
    if versioned:
        notes.append(f"Per-student key: each student is marked against their own version "
                     f"({len(versioned)} students in the key).")
    enrolled = read_roster(roster) if roster is not None else ()
    if enrolled:
        strangers = list(dict.fromkeys(r.student for r in graded
                                       if r.student and r.student not in enrolled))
        if strangers:
            notes.append(f"Not on the roster: {', '.join(strangers)}.")
    return GradeReport(tuple(graded), _summaries(graded, questions),
                       _student_totals(graded, questions, enrolled), tuple(notes), keep)


def read_roster(text: str) -> tuple[str, ...]:
    """The normalised ids of a roster CSV, in order (calcgrad.read.roster reads it)."""
    return tuple(student.id for student in read_students(text))


def _distinct(tasks: list, share: bool = True) -> tuple[list, dict[int, int]]:
    """The tasks to check, one per distinct (question, answer) — classes repeat answers — and
    for each row to check, the position of its shared task. Unusable rows are not checked.

    Answers are the same when their text is (already trimmed when read), not merely equal up
    to inner spaces: a message names columns ("'(' at column 7 is never closed"), which
    differ between "x + (x" and "x  +  (x". The question is compared whole, not by its id, so
    students given different versions of one question never share a check.
    """
    work, first, index = [], {}, {}
    for i, task in enumerate(tasks):
        row, question = task[0], task[1]
        if row.error:
            continue
        key = (question, row.answer) if share else i
        if key not in first:
            first[key] = len(work)
            work.append(task)
        index[i] = first[key]
    return work, index


def _as_row(checked: GradedRow, row: _Submission) -> GradedRow:
    """A shared check's outcome as this row's own (its line, student and answer as written)."""
    return replace(checked, line=row.line, student=row.student, answer=row.answer)


def _normalise_students(rows: list[_Submission]) -> tuple[list[_Submission], list[str]]:
    """Student ids normalised (normalise_id), so "S12 " and "s12" are one student; the note
    lists each spelling that was changed, with the first line it appears on."""
    changed: dict[str, int] = {}
    out = []
    for row in rows:
        student = normalise_id(row.student)
        if row.student != student:
            changed.setdefault(row.student, row.line)
        out.append(_Submission(row.line, student, row.question, row.answer, row.error))
    notes = []
    if changed:
        listed = ", ".join(f"{spelling!r} (line {line}) → {normalise_id(spelling) or 'none'}"
                           for spelling, line in list(changed.items())[:10])
        more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        notes.append("Student ids are normalised (spaces trimmed, case folded): "
                     f"{listed}{more}.")
    return out, notes


_VERDICT_RANK = {"correct": 4, "undetermined": 3, "incorrect": 2, "no answer": 1, ERROR: 0}


def _apply_keep(graded: list[GradedRow], questions, keep: str) -> tuple[list[GradedRow], list[str]]:
    """Mark every submission but one per (student, question) as superseded."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(graded):
        if row.student and row.question in questions:
            groups[(row.student, row.question)].append(index)
    repeated = {k: members for k, members in groups.items() if len(members) > 1}
    if not repeated:
        return graded, []
    graded = list(graded)
    for members in repeated.values():
        if keep == "first":
            chosen = members[0]
        elif keep == "last":
            chosen = members[-1]
        else:  # best: most points, then the better verdict, then the later submission
            chosen = max(members, key=lambda i: (graded[i].points,
                                                 _VERDICT_RANK.get(graded[i].verdict, 0), i))
        for index in members:
            if index != chosen:
                graded[index] = replace(graded[index], superseded=True)
    students = len({student for student, _ in repeated})
    return graded, [f"{students} student(s) submitted a question more than once "
                    f"({len(repeated)} question submissions); the {keep} submission counts "
                    f"(--keep {keep}), the others are marked superseded."]


def _student_totals(graded: list[GradedRow], questions,
                    enrolled: tuple[str, ...] = ()) -> tuple[StudentTotal, ...]:
    """Points per question for every student (None where they submitted nothing): the
    roster's students first, in its order, then anyone else who submitted."""
    by_student: dict[str, dict[str, float]] = {student: {} for student in enrolled}
    for row in graded:
        if row.student and row.question in questions and not row.superseded:
            by_student.setdefault(row.student, {})[row.question] = row.points
    max_total = sum(q.points for q in questions.values())
    return tuple(StudentTotal(student, tuple((qid, scores.get(qid)) for qid in questions),
                              round(sum(scores.values()), 6), max_total)
                 for student, scores in by_student.items())


def cores() -> int:
    """The cores this process may use (the cap on --jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def unfinished_row(task, failure: Failure) -> GradedRow:
    """The row of a check that did not finish in its worker process (executors.Failure)."""
    row, question, seconds = task
    base = dict(line=row.line, student=row.student, question=row.question, answer=row.answer,
                max_points=question.points if question is not None else 0.0)
    if failure.kind == "timeout":
        return GradedRow(verdict="undetermined", feedback=(
            f"The check took longer than {seconds:g} s and was stopped.",), **base)
    if failure.kind == "memory":
        return GradedRow(verdict=ERROR, error="cannot check this answer: it needs more memory "
                         "than a worker may use", **base)
    if failure.kind == "ended":
        return GradedRow(verdict=ERROR, error="cannot check this answer: its worker process "
                         f"ended ({failure.detail})", **base)
    return GradedRow(verdict=ERROR, error=f"cannot check this answer ({failure.detail})", **base)


def grade_row(task) -> GradedRow:
    """One row, isolated: every failure becomes this row's own error or verdict."""
    row, question, seconds = task
    base = dict(line=row.line, student=row.student, question=row.question, answer=row.answer,
                max_points=question.points if question is not None else 0.0)
    if row.error:
        return GradedRow(verdict=ERROR, error=row.error, **base)
    budget = None
    try:
        with deadline(seconds, "checking this answer") as budget:
            if question.at is not None:
                verdict = checking.check_value(row.answer, of=question.expression, at=question.at,
                                               wrt=question.wrt, order=question.order,
                                               variables=question.variables,
                                               tolerance=question.tolerance)
            else:
                verdict = checking.check(row.answer, of=question.expression, wrt=question.wrt,
                                         order=question.order, grad=question.kind == "gradient",
                                         variables=question.variables)
                if question.tolerance is not None:
                    verdict = checking.within_tolerance(verdict, question.tolerance)
            fingerprint = (_fingerprint(verdict) if verdict.verdict == "incorrect"
                           and question.at is None else None)
    except DeadlineExceeded as error:
        if not owns(error, budget):
            raise
        return GradedRow(verdict="undetermined", feedback=(
            f"The check took longer than {seconds:g} s and was stopped.",), **base)
    except CalcgradError as error:
        message = getattr(error, "message", None) or str(error)
        return GradedRow(verdict=ERROR, error=f"cannot check this answer: {message}", **base)
    except RecursionError:
        return GradedRow(verdict=ERROR, error="cannot check this answer: it is nested too deeply",
                         **base)
    except MemoryError:
        return GradedRow(verdict=ERROR, error="cannot check this answer: it needs too much memory",
                         **base)
    except Exception as error:  # noqa: BLE001 — any failure on one answer stays that row's

        if raised_by_library(error):
            return GradedRow(verdict=ERROR, error=f"cannot check this answer: "
                             f"{as_input_error(error).args[0].removeprefix('cannot work with this input: ')}",
                             **base)
        return GradedRow(verdict=ERROR, error=f"cannot check this answer (internal error "
                         f"{type(error).__name__}: {error})", **base)
    points, teacher = _score(verdict.verdict, verdict.mistakes, question)
    return GradedRow(verdict=verdict.verdict, mistakes=verdict.mistakes,
                     feedback=teacher + verdict.feedback, fingerprint=fingerprint,
                     reading=verdict.reading, notes=verdict.notes, warnings=verdict.warnings,
                     points=points, **base)


def _score(verdict: str, mistakes: tuple[str, ...], question: Question) -> tuple[float, tuple[str, ...]]:
    """The points earned and the teacher's feedback for the mistakes named.

    A correct answer earns the question's points. An incorrect one earns partial credit only
    when the key gives credit for every mistake named in it (the lowest of those credits): an
    answer with a mistake the key does not forgive earns nothing. The teacher's feedback for
    each named mistake is shown either way.
    """
    if verdict == "correct":
        return question.points, ()
    credits = [question.credit(code) for code in mistakes]
    teacher = tuple(c.feedback for c in credits if c is not None and c.feedback)
    if verdict == "incorrect" and credits and all(c is not None for c in credits):
        return min(c.points for c in credits), teacher
    return 0.0, teacher


def _fingerprint(verdict) -> tuple:
    """The answer's values at fixed points, rounded: equal answers in any form share it."""

    answers = verdict.answer if isinstance(verdict.answer, tuple) else (verdict.answer,)
    symbols = tuple(sorted(set(verdict.variables).union(*(a.free_symbols for a in answers)) |
                           verdict.problem.free_symbols, key=lambda s: s.name))
    key = []
    with mpmath.workdps(30):
        for answer in answers:
            function = numeric_function(symbols, answer)
            for point in sample_points(len(symbols))[:8]:
                value = function(*(mpmath.mpf(p.numerator) / p.denominator for p in point))
                key.append(None if value is None else mpmath.nstr(value, 12))
    return tuple(key)


def _summaries(rows: list[GradedRow], questions: dict[str, Question]) -> tuple[QuestionSummary, ...]:
    by_question: dict[str, list[GradedRow]] = defaultdict(list)
    superseded: Counter = Counter()
    for row in rows:
        if row.question in questions and row.superseded:
            superseded[row.question] += 1
        elif row.question in questions and (row.student or row.verdict != ERROR):
            by_question[row.question].append(row)
    summaries = []
    for qid, question in questions.items():
        group = by_question.get(qid, [])
        counts = Counter(row.verdict for row in group)
        mistakes = Counter(code for row in group for code in row.mistakes)
        wrong: dict[tuple, list[GradedRow]] = defaultdict(list)
        for row in group:
            if row.verdict == "incorrect" and row.fingerprint is not None:
                wrong[row.fingerprint].append(row)
        groups = sorted((members for members in wrong.values() if len(members) > 1),
                        key=lambda members: (-len(members), members[0].line))
        mean = round(sum(row.points for row in group) / len(group), 3) if group else 0.0
        summaries.append(QuestionSummary(
            qid, counts["correct"] + counts["incorrect"] + counts["undetermined"],
            counts["correct"], counts["incorrect"], counts["undetermined"], counts[ERROR],
            tuple(mistakes.most_common(5)),
            tuple({"count": len(members),
                   "answers": list(dict.fromkeys(m.answer for m in members)),
                   "lines": [m.line for m in members],
                   "mistakes": list(members[0].mistakes)} for members in groups),
            no_answer=counts["no answer"], superseded=superseded[qid],
            max_points=question.points, mean_points=mean))
    return tuple(summaries)
