"""Batch grading: a CSV of submissions against a TOML key, one isolated check per row.

Every input row appears in the report, malformed ones with their line number and the reason.
Each row is checked on its own, inside a time limit, so a bad or hostile answer gets its own
error and cannot stall or break the batch. Large batches run over several processes. The
summary per question gives the share correct, the commonest mistakes, and groups of identical
wrong answers (equal values at fixed points, whatever their form), so one look grades a group.
"""

from __future__ import annotations

import csv
import os
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import mpmath

from calcgrad import limits
from calcgrad.deadline import DeadlineExceeded, deadline, owns
from calcgrad.errors import CalcgradError, UsageError, as_input_error, raised_by_library
from calcgrad.grading import checking
from calcgrad.grading.equivalence import numeric_function, sample_points
from calcgrad.read.parser import parse
from calcgrad.render.protocol import Rendered

ERROR = "error"
KINDS = ("derivative", "gradient")


@dataclass(frozen=True)
class Question:
    """One entry of the key: what to differentiate, with respect to what, and how."""

    id: str
    expression: str
    wrt: tuple[str, ...] = ()
    order: int = 1
    kind: str = "derivative"
    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradedRow:
    """The outcome for one input row (verdict "error" when the row itself was unusable)."""

    line: int
    student: str
    question: str
    answer: str
    verdict: str
    mistakes: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()
    error: str = ""
    fingerprint: tuple | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return {"line": self.line, "student": self.student, "question": self.question,
                "answer": self.answer, "verdict": self.verdict, "mistakes": list(self.mistakes),
                "feedback": list(self.feedback), "error": self.error}


@dataclass(frozen=True)
class QuestionSummary:
    """How one question went: counts, commonest mistakes, groups of identical wrong answers."""

    question: str
    answered: int
    correct: int
    incorrect: int
    undetermined: int
    errors: int
    common_mistakes: tuple[tuple[str, int], ...]
    groups: tuple[dict, ...]

    @property
    def percent_correct(self) -> float:
        return round(100 * self.correct / self.answered, 1) if self.answered else 0.0

    def to_dict(self) -> dict:
        return {"question": self.question, "answered": self.answered, "correct": self.correct,
                "incorrect": self.incorrect, "undetermined": self.undetermined,
                "errors": self.errors, "percent_correct": self.percent_correct,
                "common_mistakes": [{"code": c, "count": n} for c, n in self.common_mistakes],
                "wrong_answer_groups": list(self.groups)}


@dataclass(frozen=True)
class GradeReport(Rendered):
    """Every row's outcome, in input order, and a summary per question."""

    RENDERER: ClassVar[str] = "calcgrad.render.grade_report"
    TABLE: ClassVar[bool] = True    # every row is also written as CSV

    rows: tuple[GradedRow, ...]
    summaries: tuple[QuestionSummary, ...]


# --- reading the key and the submissions ----------------------------------------------------


def read_key(text: str) -> dict[str, Question]:
    """Questions from TOML text: one table per question id with `expression` and optionally
    `wrt` (a name, "x,y" or a list), `order`, `kind` ("derivative" or "gradient"), `variables`.
    Every expression is read once here, so a bad key fails before any row is graded."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"the key is not valid TOML: {error}") from None
    if not data:
        raise UsageError("the key has no questions; write one table per question, e.g. "
                         '[q1] expression = "x^2 sin x"')
    questions = {}
    for qid, entry in data.items():
        if not isinstance(entry, dict):
            raise UsageError(f"key entry {qid!r} must be a table such as [{qid}] with an expression")
        unknown = set(entry) - {"expression", "wrt", "order", "kind", "variables"}
        if unknown:
            raise UsageError(f"key entry {qid!r} has unknown field(s) {', '.join(sorted(unknown))}; "
                             "expected expression, wrt, order, kind, variables")
        expression = entry.get("expression")
        if not isinstance(expression, str) or not expression.strip():
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
        question = Question(str(qid), expression, wrt, order, kind, tuple(variables))
        try:
            parse(expression, variables=question.variables)
        except CalcgradError as error:
            raise UsageError(f"key entry {qid!r}: cannot read its expression: {error}") from None
        questions[str(qid)] = question
    return questions


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
        cells = [record[where[c]].strip() if where[c] < len(record) else ""
                 for c in ("student", "question", "answer")]
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


def grade(submissions: str, key: str | dict[str, Question], *, jobs: int | None = None,
          seconds: float = limits.GRADE_ANSWER_SECONDS,
          progress: Callable[[int], None] | None = None) -> GradeReport:
    """Grade CSV text against a key (TOML text or read_key's result).

    `jobs` is the number of worker processes (default: one per core for large batches, none
    for small ones); `seconds` the time limit per answer; `progress` is called with the number
    of rows finished each time some finish.
    """
    questions = read_key(key) if isinstance(key, str) else key
    rows = read_submissions(submissions)
    tasks = []
    for row in rows:
        if not row.error and row.question not in questions:
            known = ", ".join(sorted(questions))
            row = _Submission(row.line, row.student, row.question, row.answer,
                              f"unknown question {row.question!r} (the key has {known})")
        elif not row.error and not row.answer:
            row = _Submission(row.line, row.student, row.question, row.answer, "empty answer")
        tasks.append((row, questions.get(row.question), seconds))
    workers = min(jobs if jobs is not None else cores(), cores())
    if workers > 1 and len(tasks) >= limits.PARALLEL_ROWS:
        graded = _grade_in_processes(tasks, workers, seconds, progress)
    else:
        graded = []
        for task in tasks:
            graded.append(grade_row(task))
            if progress:
                progress(1)
    return GradeReport(tuple(graded), _summaries(graded, questions))


def cores() -> int:
    """The cores this process may use (the cap on --jobs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _grade_in_processes(tasks, workers: int, seconds: float, progress) -> list[GradedRow]:
    """Rows over worker processes, each under a memory limit; a row whose worker runs past its
    time, runs out of memory or dies is marked and its worker replaced; every other row is
    graded. Interrupting or terminating the parent stops the workers."""
    # lazy: start-up speed (a process pool, and pebble, only for large batches)
    import signal
    import threading
    from concurrent.futures import TimeoutError as FutureTimeout

    # lazy: start-up speed (loaded only when this code runs)
    from pebble import ProcessExpired, ProcessPool

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main_thread else None
    if main_thread:
        signal.signal(signal.SIGTERM, _terminate)
    pool = ProcessPool(max_workers=workers, initializer=_limit_worker_memory,
                       initargs=(limits.WORKER_MEMORY_BYTES,))
    graded = []
    try:
        futures = [pool.schedule(grade_row, args=(task,), timeout=seconds * 2 + 5)
                   for task in tasks]
        for task, future in zip(tasks, futures):
            row, _, _ = task
            try:
                graded.append(future.result())
            except FutureTimeout:
                graded.append(_failed(row, "undetermined", feedback=(
                    f"The check took longer than {seconds:g} s and was stopped.",)))
            except ProcessExpired as error:
                graded.append(_failed(row, ERROR, error="cannot check this answer: its worker "
                                      f"process ended ({_death(error)})"))
            except MemoryError:
                graded.append(_failed(row, ERROR, error="cannot check this answer: it needs "
                                      "more memory than a worker may use"))
            except Exception as error:  # noqa: BLE001 — one row's failure stays that row's
                graded.append(_failed(row, ERROR,
                                      error=f"cannot check this answer ({type(error).__name__})"))
            if progress:
                progress(1)
    finally:  # an interrupt or SIGTERM leaves rows undone: stop the workers, do not wait
        if len(graded) == len(tasks):
            pool.close()
        else:
            pool.stop()
        pool.join()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return graded


def _terminate(signum, frame) -> None:
    """SIGTERM while workers run: unwind (stopping the workers) and exit 143."""
    raise SystemExit(128 + signum)


def _limit_worker_memory(limit: int) -> None:
    """Worker initializer: cap the worker's address space, so a memory blow-up ends in
    MemoryError inside that worker (that row's error) instead of starving the machine."""
    try:
        import resource  # lazy: start-up speed (only in a worker process)

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _death(error) -> str:
    code = getattr(error, "exitcode", None)
    if code is not None and code < 0:
        import signal  # lazy: start-up speed (only in a worker process)

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit status {code}"


def _failed(row: _Submission, verdict: str, *, error: str = "", feedback: tuple = ()) -> GradedRow:
    return GradedRow(line=row.line, student=row.student, question=row.question, answer=row.answer,
                     verdict=verdict, error=error, feedback=feedback)


def grade_row(task) -> GradedRow:
    """One row, isolated: every failure becomes this row's own error or verdict."""
    row, question, seconds = task
    base = dict(line=row.line, student=row.student, question=row.question, answer=row.answer)
    if row.error:
        return GradedRow(verdict=ERROR, error=row.error, **base)
    budget = None
    try:
        with deadline(seconds, "checking this answer") as budget:
            verdict = checking.check(row.answer, of=question.expression, wrt=question.wrt,
                            order=question.order, grad=question.kind == "gradient",
                            variables=question.variables)
            fingerprint = _fingerprint(verdict) if verdict.verdict == "incorrect" else None
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
    return GradedRow(verdict=verdict.verdict, mistakes=verdict.mistakes, feedback=verdict.feedback,
                     fingerprint=fingerprint, **base)


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
    for row in rows:
        if row.question in questions:
            by_question[row.question].append(row)
    summaries = []
    for qid in questions:
        group = by_question.get(qid, [])
        counts = Counter(row.verdict for row in group)
        mistakes = Counter(code for row in group for code in row.mistakes)
        wrong: dict[tuple, list[GradedRow]] = defaultdict(list)
        for row in group:
            if row.verdict == "incorrect" and row.fingerprint is not None:
                wrong[row.fingerprint].append(row)
        groups = sorted((members for members in wrong.values() if len(members) > 1),
                        key=lambda members: (-len(members), members[0].line))
        summaries.append(QuestionSummary(
            qid, len(group) - counts[ERROR], counts["correct"], counts["incorrect"],
            counts["undetermined"], counts[ERROR], tuple(mistakes.most_common(5)),
            tuple({"count": len(members),
                   "answers": list(dict.fromkeys(m.answer for m in members)),
                   "lines": [m.line for m in members],
                   "mistakes": list(members[0].mistakes)} for members in groups)))
    return tuple(summaries)
