"""Checking a student's derivative: a verdict, the mistake by name, and where it happened.

`check(answer, of=..., wrt=...)` derives the right answer with calcgrad's engine, compares the
answer with it (calcgrad.grading.equivalence: any equal form passes, a wrong one never does) and, when
it differs, looks for the named mistake that reproduces it (calcgrad.grading.mistakes).
`check_steps(lines, of=...)` does the same for a worked solution, line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar
from functools import lru_cache

import re

import mpmath
import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.deadline import DeadlineExceeded, deadline, owns
from calcgrad.engine.derivation import Derivation
from calcgrad.grading.answers import PreparedAnswer, is_no_answer, last_top_level_equals, prepare
from calcgrad.grading.equivalence import (
    DIFFERENT,
    EQUAL,
    Comparison,
    Counterexample,
    compare,
    numeric_function,
    sample_points,
)
from calcgrad.errors import LimitError, ParseError, UsageError
from calcgrad.render.protocol import Rendered
from calcgrad.grading.mistakes import StepInfo, diagnose
from calcgrad.render.notation import derivative_name, format_point, to_text
from calcgrad.engine.derive import diff
from calcgrad.read import request
from calcgrad.read.parser import PendingNotation, read

CORRECT, INCORRECT, UNDETERMINED = "correct", "incorrect", "undetermined"
NO_ANSWER = "no answer"
"""The verdict on a blank or a placeholder ("idk", "?", "-"): not an attempt, so not "incorrect"
(the exit status of `calcgrad check` is still 1)."""

_NOT_ANSWERS = (sympy.Derivative, sympy.Integral, sympy.Subs)


@dataclass(frozen=True)
class Verdict(Rendered):
    """Whether an answer is the derivative asked for, and if not, what went wrong.

    `verdict` is "correct", "incorrect", "undetermined" or "no answer" (then `answer` is None);
    `bool(verdict)` is True only when correct. `reading` is the answer as read, `notes` what was
    removed before reading it ("after removing 'dy/dx ='"), `warnings` the parser's notes where
    its reading may not be what was meant. `mistakes` are codes from calcgrad.grading.mistakes.CODES; `feedback` sentences for the
    student; `step` where the answer parts from the correct derivation (when known);
    `counterexample` a point with the expected and the given value; `exceptions` isolated points
    where exactly one of answer and derivative is defined. A gradient is checked entry by entry:
    `expected` and `answer` are then tuples and `entries` holds each entry's own Verdict.
    """

    RENDERER: ClassVar[str] = "calcgrad.render.verdict"

    verdict: str
    problem: Expr
    variables: tuple[Symbol, ...]
    expected: Expr | tuple[Expr, ...]
    answer: Expr | tuple[Expr, ...]
    mistakes: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()
    step: StepInfo | None = None
    counterexample: Counterexample | None = None
    exceptions: tuple = ()
    entries: tuple[Verdict, ...] = ()
    derivation: Derivation | None = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.verdict == CORRECT

    @property
    def reading(self) -> str:
        """The answer as read, in calcgrad's notation ("" when there is no answer)."""
        if self.answer is None:
            return ""
        if isinstance(self.answer, tuple):
            return "[" + ", ".join(to_text(a) for a in self.answer) + "]"
        return to_text(self.answer)

    @property
    def gradient(self) -> bool:
        return isinstance(self.expected, tuple)


def check(answer, of, wrt=(), order: int = 1, *, grad: bool = False,
          variables: Iterable[str] = ()) -> Verdict:
    """Check `answer` against the derivative of `of` (text or SymPy expressions).

    `wrt` is a variable name, "x,y", or a sequence of names (mixed partials in that order);
    `order` repeats a single variable. With `grad=True` the answer is the gradient, a list such
    as "[2x, 2y]" (or a Python sequence), checked entry by entry against ∂f/∂x, ∂f/∂y … for the
    variables in `wrt` (default: every variable of `of`, alphabetically).
    Raises ParseError/UsageError/LimitError for input that cannot be read or checked.
    """


    declared = request.declared_names(variables)
    problem = _read(of, declared, "the expression")
    wrt = request.variables(wrt, declared)
    if grad:
        return _check_gradient(answer, problem, wrt, declared)
    derivation = derivation_of(problem, wrt, order, declared)
    if not isinstance(answer, str):
        return _check_against(derivation, _read(answer, declared, "the answer"))
    names = {s.name for s in problem.free_symbols} | set(declared)
    prepared = prepare(answer, constant_is_variable=bool({"C", "c"} & names))
    if prepared.no_answer:
        return Verdict(NO_ANSWER, problem, derivation.variables, derivation.result, None,
                       feedback=("No answer was given.",), derivation=derivation,
                       notes=prepared.notes)
    reading = request.reading(prepared.text, declared, "the answer")
    limits.check_magnitude(reading.expression, "the answer")
    return _as_read(_check_against(derivation, reading.expression), prepared, reading.warnings)


CONSTANT_SENTENCE = ("A derivative has no constant of integration: '+ C' belongs to an "
                     "antiderivative, not to a derivative.")


def _as_read(verdict: Verdict, prepared: PreparedAnswer, warnings: tuple[str, ...]) -> Verdict:
    """The verdict with what was removed from the answer before reading it.

    A "+ C" makes the answer incorrect (named constant_of_integration), and the rest of the
    answer is judged on its own: "without '+ C' your answer is correct" when it is.
    """
    changes: dict = {"notes": prepared.notes, "warnings": tuple(warnings)}
    if prepared.constant:
        if verdict.verdict == CORRECT:
            changes.update(verdict=INCORRECT, mistakes=("constant_of_integration",),
                           feedback=(CONSTANT_SENTENCE, "Without '+ C' your answer is correct."))
        else:
            changes.update(mistakes=("constant_of_integration",) + verdict.mistakes,
                           feedback=(CONSTANT_SENTENCE,) + verdict.feedback)
    return replace(verdict, **changes)


@lru_cache(maxsize=256)
def derivation_of(problem: Expr, wrt: tuple, order: int, declared: tuple) -> Derivation:
    """The engine's derivation, kept for reuse: a batch checks many answers to one question."""
    return diff(problem, *wrt, order=order, variables=declared)


def _check_against(derivation: Derivation, given: Expr, comparison: Comparison | None = None) -> Verdict:
    """The verdict on one answer, within the time limit for a check (`comparison`: the
    answer already compared with the derivative)."""
    budget = None
    try:
        with deadline(limits.CHECK_SECONDS, "the check") as budget:
            return _verdict(derivation, given, comparison)
    except DeadlineExceeded as error:
        if not owns(error, budget):
            raise
        return Verdict(UNDETERMINED, derivation.expression, derivation.variables,
                       derivation.result, given, feedback=(
                           f"Could not decide within {limits.CHECK_SECONDS:g} s whether the answer "
                           "is right.",), derivation=derivation)


def _verdict(derivation: Derivation, given: Expr, comparison: Comparison | None = None) -> Verdict:
    problem, expected = derivation.expression, derivation.result
    symbols = sorted(problem.free_symbols | given.free_symbols | set(derivation.variables),
                     key=lambda s: s.name)
    base = dict(problem=problem, variables=derivation.variables, expected=expected, answer=given,
                derivation=derivation)
    if comparison is None:
        comparison = compare(expected, given, symbols, domain=problem)
    if comparison.status == EQUAL:
        feedback = ["Correct."]
        for point in comparison.exceptions:
            feedback.append(_exception_sentence(point, expected, given))
        return Verdict(CORRECT, feedback=tuple(feedback), exceptions=comparison.exceptions, **base)
    if comparison.status != DIFFERENT:
        return Verdict(UNDETERMINED, feedback=(
            f"Could not decide whether the answer is right: {comparison.reason}.",), **base)
    budget = None
    try:
        with deadline(limits.DIAGNOSE_SECONDS * 2, "naming the mistake") as budget:
            diagnosis = diagnose(derivation, given)
    except DeadlineExceeded as error:
        if not owns(error, budget):
            raise
        diagnosis = None
    except RecursionError:
        diagnosis = None
    feedback = list(diagnosis.feedback) if diagnosis else []
    counter = comparison.counterexample
    if counter is not None:
        feedback.append(f"At {format_point(dict(counter.point))} the {derivative_name(derivation.variables)} is "
                        f"{counter.expected}, but your answer gives {counter.given}.")
    foreign = sorted(given.free_symbols - problem.free_symbols - set(derivation.variables),
                     key=lambda s: s.name)
    if foreign and not (diagnosis and "wrong_variable" in diagnosis.mistakes):
        names = ", ".join(to_text(s) for s in foreign)
        feedback.append(f"Your answer contains {names}, which is not a variable of the problem.")
    return Verdict(INCORRECT, mistakes=diagnosis.mistakes if diagnosis else (),
                   feedback=tuple(feedback), step=diagnosis.step if diagnosis else None,
                   counterexample=counter, **base)


def _exception_sentence(point, expected: Expr, given: Expr) -> str:
    at = format_point(dict(point))
    values = dict(point)
    answer_defined = _defined(given.xreplace(values))
    if answer_defined:
        return (f"Your answer is also defined at {at}, where the derivative is not: they agree "
                "everywhere else (a removable singularity).")
    return (f"Your answer is undefined at {at}, where this form of the derivative has a value; "
            "they agree everywhere else.")


def _defined(value: Expr) -> bool:
    try:
        number = complex(value.evalf(20))
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return abs(number.imag) < 1e-12 and abs(number.real) != float("inf") and number == number


def _check_gradient(answer, problem: Expr, wrt: tuple[Symbol, ...], declared) -> Verdict:
    symbols = list(wrt) or sorted(problem.free_symbols, key=lambda s: s.name)
    if not symbols:
        raise UsageError("the expression has no variable, so it has no gradient")
    if isinstance(answer, str) and is_no_answer(answer):
        expected = tuple(derivation_of(problem, (s,), 1, declared).result for s in symbols)
        return Verdict(NO_ANSWER, problem, tuple(symbols), expected, None,
                       feedback=("No answer was given.",))
    entries_text = split_list(answer) if isinstance(answer, str) else list(answer)
    given = tuple(_read(entry, declared, f"entry {i} of the answer")
                  for i, entry in enumerate(entries_text, start=1))
    derivations = [derivation_of(problem, (s,), 1, declared) for s in symbols]
    expected = tuple(d.result for d in derivations)
    base = dict(problem=problem, variables=tuple(symbols), expected=expected, answer=given)
    if len(given) != len(symbols):
        names = ", ".join(to_text(s) for s in symbols)
        return Verdict(INCORRECT, feedback=(
            f"The gradient has {len(symbols)} entries, one per variable ({names}); your answer "
            f"has {len(given)}.",), **base)
    entries = tuple(_check_against(d, g) for d, g in zip(derivations, given))
    feedback, mistakes = [], []
    for symbol, entry in zip(symbols, entries):
        label = f"∂/∂{to_text(symbol)}"
        if entry.verdict == CORRECT and len(entry.feedback) == 1:
            feedback.append(f"{label}: correct.")
        else:
            feedback += [f"{label}: {sentence}" for sentence in entry.feedback]
        mistakes += [m for m in entry.mistakes if m not in mistakes]
    verdicts = {e.verdict for e in entries}
    overall = (INCORRECT if INCORRECT in verdicts else UNDETERMINED if UNDETERMINED in verdicts
               else CORRECT)
    first_wrong = next((e for e in entries if e.verdict == INCORRECT), None)
    return Verdict(overall, mistakes=tuple(mistakes), feedback=tuple(feedback),
                   step=first_wrong.step if first_wrong is not None else None,
                   counterexample=first_wrong.counterexample if first_wrong is not None else None,
                   entries=entries, **base)


# --- a value at a point, and decimal answers -------------------------------------------------


def value_at(of, at, wrt=(), order: int = 1, variables: Iterable[str] = ()) -> tuple[Expr, Expr, tuple]:
    """(problem, the derivative's exact value at the point `at` ("x=3"), the variables).

    UsageError when the point does not give every variable or the derivative has no real
    value there."""
    declared = request.declared_names(variables)
    problem = _read(of, declared, "the expression")
    derivation = derivation_of(problem, request.variables(wrt, declared), order, declared)
    symbols = sorted(problem.free_symbols | set(derivation.variables), key=lambda s: s.name)
    point = request.point(at, symbols, declared, what="the point", option="at =")
    value = sympy.simplify(derivation.result.xreplace(point))
    if not value.is_number or not _defined(value):
        raise UsageError(f"the derivative has no real value at {format_point(point)}")
    return problem, value, derivation.variables


def check_typed(answer: str, of, wrt=(), order: int = 1, *, grad: bool = False, at=None,
                tolerance: float | None = None, variables: Iterable[str] = ()) -> Verdict:
    """The answer as `calcgrad check` (and its HTTP API) takes it: a value at the point `at`
    when one is given (check_value), else a derivative or gradient (check)."""
    if tolerance is not None and at is None:
        raise UsageError("--tolerance is for a value at a point: give --at too")
    if at is None:
        return check(answer, of=of, wrt=wrt, order=order, grad=grad, variables=variables)
    if grad:
        raise UsageError("--at checks one value; it does not combine with --grad")
    return check_value(answer, of=of, at=at, wrt=wrt, order=order, variables=variables,
                       tolerance=tolerance)


def check_value(answer: str, of, at, wrt=(), order: int = 1, *, variables: Iterable[str] = (),
                tolerance: float | None = None) -> Verdict:
    """Check a number given as the derivative's value at the point `at` ("x=3").

    Exact values must be equal (1/3 is not 0.333); with `tolerance` a decimal within that
    distance (relative above 1) passes."""
    declared = request.declared_names(variables)
    problem, expected, wrt_symbols = value_at(of, at, wrt, order, variables)
    prepared = prepare(answer)
    if prepared.no_answer:
        return Verdict(NO_ANSWER, problem, wrt_symbols, expected, None,
                       feedback=("No answer was given.",), notes=prepared.notes)
    reading = request.reading(prepared.text, declared, "the answer")
    given = reading.expression
    limits.check_magnitude(given, "the answer")
    base = dict(problem=problem, variables=wrt_symbols, expected=expected, answer=given,
                notes=prepared.notes, warnings=reading.warnings)
    if given.free_symbols:
        names = ", ".join(to_text(s) for s in sorted(given.free_symbols, key=lambda s: s.name))
        return Verdict(INCORRECT, feedback=(
            f"The question asks for the value of the derivative at {at}, a number; your answer "
            f"contains {names}.",), **base)
    if sympy.simplify(given - expected) == 0:
        return Verdict(CORRECT, feedback=("Correct.",), **base)
    if tolerance is not None and _close(given, expected, tolerance):
        return Verdict(CORRECT, feedback=(f"Correct within the tolerance {tolerance:g}.",), **base)
    return Verdict(INCORRECT, feedback=(
        f"The derivative at {at} is {to_text(expected)}, but your answer is {to_text(given)}.",),
        **base)


def within_tolerance(verdict: Verdict, tolerance: float) -> Verdict:
    """An incorrect single-variable answer that agrees with the derivative within `tolerance`
    (relative above 1) at every sample point where both are defined becomes correct: a decimal
    such as 0.333x for x/3."""
    if (verdict.verdict != INCORRECT or verdict.gradient or verdict.answer is None
            or "constant_of_integration" in verdict.mistakes):  # + C is wrong at any precision
        return verdict
    symbols = tuple(sorted(verdict.problem.free_symbols | verdict.answer.free_symbols
                           | set(verdict.variables), key=lambda s: s.name))
    expected = numeric_function(symbols, verdict.expected)
    given = numeric_function(symbols, verdict.answer)
    compared = 0
    with mpmath.workdps(30):
        for point in sample_points(len(symbols))[:16]:
            values = [mpmath.mpf(p.numerator) / p.denominator for p in point]
            e, g = expected(*values), given(*values)
            if e is None or g is None:
                continue
            if abs(g - e) > tolerance * max(1, abs(e)):
                return verdict
            compared += 1
    if compared < 4:
        return verdict
    return replace(verdict, verdict=CORRECT, mistakes=(), step=None, counterexample=None,
                   feedback=(f"Correct within the tolerance {tolerance:g} (a decimal answer).",))


def _close(given: Expr, expected: Expr, tolerance: float) -> bool:
    try:
        g, e = complex(given.evalf(30)), complex(expected.evalf(30))
    except (TypeError, ValueError):
        return False
    return abs(g - e) <= tolerance * max(1.0, abs(e))


# --- reading answers ----------------------------------------------------------------------


def _read(value, declared, what: str) -> Expr:
    """Text through calcgrad's reader; a SymPy expression checked for unevaluated calculus;
    either refused when it holds a constant too large to evaluate or print (e^e^e^e^3)."""
    expr = _read_expression(value, declared, what)
    limits.check_magnitude(expr, what)
    return expr


def _read_expression(value, declared, what: str) -> Expr:
    if isinstance(value, int) and not isinstance(value, bool):  # an answer may be a plain 0
        return sympy.Integer(value)
    if isinstance(value, sympy.Basic) and value.has(*_NOT_ANSWERS):
        raise UsageError(f"{what} contains an unevaluated derivative or integral; give the "
                         "result as an expression")
    return request.expression(value, declared, what)


def split_list(text: str) -> list[str]:
    """"[2x, 2y]" → ["2x", "2y"]: top-level commas, respecting nested brackets and |…|."""
    stripped = text.strip()
    pairs = {"[": "]", "(": ")", "{": "}"}
    if len(stripped) < 2 or stripped[0] not in pairs or stripped[-1] != pairs[stripped[0]]:
        raise UsageError(f"a gradient answer is a list in brackets, such as [2x, 2y]; got {text!r}")
    body = stripped[1:-1]
    parts, depth, current = [], 0, []
    for ch in body:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise UsageError(f"unbalanced brackets in the gradient answer {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    if depth != 0:
        raise UsageError(f"unbalanced brackets in the gradient answer {text!r}")
    if any(not p.strip() for p in parts):
        raise UsageError(f"the gradient answer {text!r} has an empty entry")
    return [p.strip() for p in parts]


# --- worked solutions, line by line ---------------------------------------------------------


FINE, FOLLOWS, WRONG, UNREADABLE, UNSURE = "fine", "follows", "wrong", "unreadable", "undetermined"
"""What a line of a worked solution is: a correct step (equal to the derivative); a line that
follows correctly from the line before it, which was wrong (the error is carried forward, not
counted again); a new error; text that could not be read; a line that could not be decided."""

GIVEN = "given"
"""A line before any derivative line that restates the question's function (y = x² sin x, the
usual textbook first line): neither a step nor an error, and not counted in the verdict."""

_NAME = r"[A-Za-z_]\w*"
_RESTATED_NAME = re.compile(rf"({_NAME})\s*(?:\(\s*({_NAME}(?:\s*,\s*{_NAME})*)\s*\))?")
"""A left-hand side naming the function: y, f, y(x), f(x, y)."""

QUESTION_FUNCTION = "f"
"""The name a worked solution may use for the question's function: f(x), f'(x), f''."""


@dataclass(frozen=True)
class SolutionLine:
    """One line of a worked solution and what became of it.

    `reading` is the line as read, derivatives still to be taken kept ((x²)′·sin x);
    `expression` its value once they are taken, compared with the derivative and with the line
    before. `follows_from` is the line whose error a "follows" line carries forward,
    `previous` the line it was compared with. `caret` shows where an unreadable line fails.
    """

    number: int
    text: str
    status: str
    expression: Expr | None = None
    verdict: Verdict | None = None
    message: str = ""
    reading: Expr | None = None
    follows_from: int | None = None
    previous: int | None = None
    warnings: tuple[str, ...] = ()
    caret: str = ""
    written: tuple = field(default=(), repr=False, compare=False)  # typed order, for printing

    @property
    def mistakes(self) -> tuple[str, ...]:
        return self.verdict.mistakes if self.verdict is not None else ()


@dataclass(frozen=True)
class WorkedSolution(Rendered):
    """A worked solution checked line by line: each line against the derivative and, when the
    line before it was wrong, against that line (errors carried forward count once)."""

    RENDERER: ClassVar[str] = "calcgrad.render.worked_solution"

    problem: Expr
    variables: tuple[Symbol, ...]
    expected: Expr
    lines: tuple[SolutionLine, ...]
    derivation: Derivation | None = field(default=None, repr=False, compare=False)
    prime_variable: Symbol | None = None

    @property
    def first_wrong(self) -> SolutionLine | None:
        return next((line for line in self.lines if line.status == WRONG), None)

    @property
    def errors(self) -> tuple[SolutionLine, ...]:
        """The lines that introduce a new error (carried-forward lines are not among them)."""
        return tuple(line for line in self.lines if line.status == WRONG)

    @property
    def verdict(self) -> str:
        if not self.lines:
            return UNDETERMINED
        counted = [line for line in self.lines if line.status != GIVEN]
        if not counted:  # only the function restated: no derivative to judge
            return UNDETERMINED
        if self.first_wrong is not None:
            return INCORRECT
        if all(line.status == FINE for line in counted):
            return CORRECT
        return UNDETERMINED

    def __bool__(self) -> bool:
        return self.verdict == CORRECT


def check_steps(solution: str | Sequence[str], of, wrt=(), order: int = 1, *,
                variables: Iterable[str] = (), function_name: str | None = QUESTION_FUNCTION
                ) -> WorkedSolution:
    """Check each line of a worked solution (one expression per line; a leading
    `d/dx(...) =` or `=` is dropped) against the derivative of `of`.

    Lines may hold derivatives still to be taken: (x^2)' sin x + x^2 (sin x)', d/dx(x^2),
    (d/dx) ln(x^2+1), and `function_name` (default f, unless f is a variable) for the question's
    function: f'(x). A line equal to the derivative is a correct step; a line equal to the line
    before it, when that one was wrong, "follows" (its error is counted once); a line before any
    derivative line that restates the function (y = …, f(x) = … or bare) is "given", not
    counted; any other line is a new error, named by the mistake finder where it can.
    """
    declared = request.declared_names(variables)
    problem = _read(of, declared, "the expression")
    derivation = derivation_of(problem, request.variables(wrt, declared), order, declared)
    raw = solution.splitlines() if isinstance(solution, str) else list(solution)
    if len(raw) > limits.MAX_SOLUTION_LINES:
        raise LimitError(f"the solution has {len(raw)} lines; at most {limits.MAX_SOLUTION_LINES} "
                         "are checked")
    notation = _notation(problem, derivation, declared, function_name)
    checked: list[SolutionLine] = []
    position = 0
    budget = None
    try:
        with deadline(limits.SOLUTION_SECONDS, "the worked solution") as budget:
            for position, text in enumerate(raw):
                line = _check_line(position + 1, text, derivation, declared, notation, checked)
                if line is not None:
                    checked.append(line)
    except DeadlineExceeded as error:
        if not owns(error, budget):
            raise
        message = (f"not checked: the whole solution may take {limits.SOLUTION_SECONDS:g} s and "
                   "that time ran out")
        for number, text in enumerate(raw[position:], start=position + 1):
            if strip_prefix(text) and not strip_prefix(text).startswith("#"):
                checked.append(SolutionLine(number, text.strip(), UNSURE, message=message))
    return WorkedSolution(problem, derivation.variables, derivation.result, tuple(checked),
                          derivation, notation.variable)


def _notation(problem: Expr, derivation: Derivation, declared: tuple,
              function_name: str | None) -> PendingNotation:
    """What a line may write for a derivative still to be taken: a prime means d/dx when the
    question has one variable; f names the question's function unless f is a variable."""
    variables = set(derivation.variables)
    variable = next(iter(variables)) if len(variables) == 1 else None
    names = {s.name for s in problem.free_symbols} | set(declared)
    if variable is None or not function_name or function_name in names:
        return PendingNotation(variable)
    return PendingNotation(variable, function_name, problem)


def take_derivatives(expr: Expr) -> Expr:
    """A line's value: each derivative still to be taken, taken with SymPy's diff (innermost
    first)."""
    return expr.replace(lambda e: isinstance(e, sympy.Derivative),
                        lambda d: sympy.diff(d.expr, *d.variable_count))


def _check_line(number: int, text: str, derivation: Derivation, declared: tuple,
                notation: PendingNotation, before: list[SolutionLine]) -> SolutionLine | None:
    """One line's status, within its own time limit (None for a blank or # comment line)."""
    body = strip_prefix(text)
    if not body or body.startswith("#"):
        return None
    shown = text.strip()
    budget = None
    try:
        with deadline(limits.CHECK_SECONDS, f"line {number}") as budget:
            reading = read(body, declared, pending=notation)
            limits.check_magnitude(reading.expression, f"line {number}")
            value = take_derivatives(reading.expression)
            left = value.atoms(sympy.Derivative)
            if left:  # SymPy has no rule for it (polygamma by its order): nothing to compare
                first = min(left, key=sympy.default_sort_key)
                return SolutionLine(number, shown, UNSURE, reading=reading.expression,
                                    warnings=reading.warnings, written=reading.written, message=(
                                        f"the derivative of {to_text(first.expr)} with respect to "
                                        f"{to_text(first.variables[0])} cannot be taken"))
            limits.check_magnitude(value, f"line {number}")
            return _judge(number, shown, reading, value, derivation, before, notation)
    except ParseError as error:
        return SolutionLine(number, shown, UNREADABLE, message=str(error), caret=error.caret())
    except (UsageError, LimitError) as error:
        return SolutionLine(number, shown, UNREADABLE, message=str(error))
    except DeadlineExceeded as error:
        if not owns(error, budget):
            raise
        return SolutionLine(number, shown, UNSURE, message=(
            f"could not check this line within {limits.CHECK_SECONDS:g} s"))
    except (RecursionError, ArithmeticError, ValueError, TypeError) as error:
        return SolutionLine(number, shown, UNSURE, message=(
            f"could not take the derivatives on this line ({type(error).__name__})"))


def _judge(number: int, shown: str, reading, value: Expr, derivation: Derivation,
           before: list[SolutionLine], notation: PendingNotation) -> SolutionLine:
    """Correct step, the function restated, follows from the wrong line before it, or a new error."""
    problem = derivation.expression
    symbols = sorted(problem.free_symbols | value.free_symbols | set(derivation.variables),
                     key=lambda s: s.name)
    line = dict(number=number, text=shown, expression=value, reading=reading.expression,
                warnings=reading.warnings, written=reading.written)
    against_expected = compare(derivation.result, value, symbols, domain=problem)
    if against_expected.status == EQUAL:
        verdict = _check_against(derivation, value, against_expected)
        return SolutionLine(status=FINE, verdict=verdict, **line)
    if (all(b.status == GIVEN for b in before) and not reading.expression.has(sympy.Derivative)
            and _names_the_function(shown, derivation, notation)
            and compare(problem, value, symbols, domain=problem).status == EQUAL):
        return SolutionLine(status=GIVEN, **line)
    previous = next((b for b in reversed(before) if b.expression is not None), None)
    against_previous = None
    if previous is not None and previous.status in (WRONG, FOLLOWS):
        line["previous"] = previous.number
        against_previous = compare(previous.expression, value, symbols, domain=problem).status
        if against_previous == EQUAL:
            origin = previous.follows_from or previous.number
            through = f" (through line {previous.number})" if origin != previous.number else ""
            return SolutionLine(status=FOLLOWS, follows_from=origin, message=(
                f"follows from line {origin}{through}: the step itself is right, and the error "
                f"of line {origin} is not counted again"), **line)
    verdict = _check_against(derivation, value, against_expected)
    message = " ".join(verdict.feedback)
    if verdict.verdict == INCORRECT:
        if against_previous == DIFFERENT:
            message = f"does not follow from line {previous.number} either. " + message
        return SolutionLine(status=WRONG, verdict=verdict, message=message, **line)
    return SolutionLine(status=UNSURE, verdict=verdict, message=message, **line)


def _names_the_function(text: str, derivation: Derivation, notation: PendingNotation) -> bool:
    """Whether the left-hand sides of a line are only names of the function (y =, f(x) =, or
    none): d/dx(f) = f or y' = f is not a restatement but a wrong derivative."""
    cut = last_top_level_equals(text.strip())
    left = text.strip()[:cut].strip() if cut >= 0 else ""
    if not left:  # bare, or only "= …"
        return True
    arguments = {s.name for s in derivation.expression.free_symbols | set(derivation.variables)}
    names = {"y", notation.function_name or "y"} - arguments
    for side in left.split("="):
        match = _RESTATED_NAME.fullmatch(side.strip())
        if match is None or match.group(1) not in names:
            return False
        if match.group(2) and not {a.strip() for a in match.group(2).split(",")} <= arguments:
            return False
    return True


def strip_prefix(line: str) -> str:
    """The expression on a line: the text after its last `=` outside brackets, if any."""
    text = line.strip()
    cut = last_top_level_equals(text)
    return text[cut + 1:].strip() if cut >= 0 else text


__all__ = ["CONSTANT_SENTENCE", "GIVEN", "NO_ANSWER", "QUESTION_FUNCTION", "SolutionLine", "Verdict",
           "check_typed", "check_value", "value_at", "within_tolerance", "WorkedSolution", "check", "check_steps",
           "split_list", "strip_prefix", "take_derivatives"]
