"""A WorkedSolution in every format (the names calcgrad.render.protocol.Rendered looks up).

Each line shows its text, its reading and its verdict: a correct step, a line that follows
from an earlier wrong line (its error carried forward, counted once), a new error with the
mistake's name, unreadable text with a caret under the fault, or the function restated before
any derivative line (not counted). A derivative still to be taken
is never printed as SymPy's Derivative(…): it is (x²)′ for the question's variable, d/dy(…)
otherwise (LaTeX: \\left(x^{2}\\right)' and \\frac{d}{dy}).
"""

from __future__ import annotations

import sympy

from calcgrad.render.common import operator_text
from calcgrad.render.escape import latex_text, markdown_text
from calcgrad.render.notation import (SUPERSCRIPT, derivative_name, AsciiPrinter, NotesLatexPrinter, TextPrinter, to_ascii,
                                     to_latex, to_text, typed_ranks)

_MARK = {"correct": "✓", "incorrect": "✗", "undetermined": "?"}
_LINE_MARK = {"given": "·", "fine": "✓", "follows": "→", "wrong": "✗", "unreadable": "…",
              "undetermined": "?"}
_STYLE = {"given": "blue", "fine": "green", "follows": "cyan", "wrong": "bold red",
          "unreadable": "yellow", "undetermined": "yellow"}
PRIMES = {1: "′", 2: "″", 3: "‴"}


# --- derivatives still to be taken ------------------------------------------------------------


class _PendingDerivatives:
    """_print_Derivative for a printer: primes for the prime variable, an operator otherwise."""

    def _print_Derivative(self, expr):
        return self._pending(expr.expr, list(expr.variable_count))

    def _pending(self, expr, counts) -> str:
        *rest, (variable, order) = counts  # the last variable is the outermost derivative
        inner = self._pending(expr, rest) if rest else self._print(expr)
        if variable == self._settings["prime_variable"] and order <= 3:
            return self._primed(inner, int(order))
        return self._operator(self._print(variable), int(order), inner)


class _PendingText(_PendingDerivatives, TextPrinter):
    _default_settings = {**TextPrinter._default_settings, "prime_variable": None}

    def _primed(self, inner: str, order: int) -> str:
        return f"({inner}){PRIMES[order]}"

    def _operator(self, variable: str, order: int, inner: str) -> str:
        power = str(order).translate(SUPERSCRIPT) if order > 1 else ""
        return f"d{power}/d{variable}{power}({inner})"


class _PendingAscii(_PendingDerivatives, AsciiPrinter):
    _default_settings = {**AsciiPrinter._default_settings, "prime_variable": None}

    def _primed(self, inner: str, order: int) -> str:
        return f"({inner})" + "'" * order

    def _operator(self, variable: str, order: int, inner: str) -> str:
        power = f"^{order}" if order > 1 else ""
        return f"d{power}/d{variable}{power}({inner})"


class _PendingLatex(_PendingDerivatives, NotesLatexPrinter):
    _default_settings = {**NotesLatexPrinter._default_settings, "prime_variable": None}

    def _primed(self, inner: str, order: int) -> str:
        return r"\left(%s\right)%s" % (inner, "'" * order)

    def _operator(self, variable: str, order: int, inner: str) -> str:
        power = "^{%d}" % order if order > 1 else ""
        return r"\frac{d%s}{d%s%s}\left(%s\right)" % (power, variable, power, inner)


def reading_text(expr, prime_variable=None, typed=()) -> str:
    """A line as read, in Unicode: (x²)′·sin(x) + x²·(sin(x))′ (`typed`: a Reading's `written`,
    to keep the order in which the terms were typed)."""
    if not expr.has(sympy.Derivative):
        return to_text(expr, typed)
    return _PendingText({"prime_variable": prime_variable, "typed": typed_ranks(typed)}).doprint(expr)


def reading_ascii(expr, prime_variable=None, typed=()) -> str:
    """A line as read, in ASCII that a worked-solution line reads back: (x**2)'*sin(x)."""
    if not expr.has(sympy.Derivative):
        return to_ascii(expr, typed)
    return _PendingAscii({"prime_variable": prime_variable, "typed": typed_ranks(typed)}).doprint(expr)


def reading_latex(expr, prime_variable=None, typed=()) -> str:
    r"""A line as read, in LaTeX: \left(x^{2}\right)' \sin{\left(x \right)}."""
    if not expr.has(sympy.Derivative):
        return to_latex(expr, typed)
    return _PendingLatex({"prime_variable": prime_variable, "typed": typed_ranks(typed)}).doprint(expr)


# --- sentences ----------------------------------------------------------------------------------


def line_label(line) -> str:
    """The verdict on one line, in words."""
    if line.status == "given":
        return "restates the function"
    if line.status == "fine":
        return "correct step"
    if line.status == "follows":
        return f"follows from line {line.follows_from}"
    if line.status == "wrong":
        return "new error" + (f" ({', '.join(line.mistakes)})" if line.mistakes else "")
    return line.status


def _numbers(numbers: list[int]) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(map(str, numbers))


def summary(solution) -> str:
    """One sentence: how many new errors, on which lines, and which lines carry them."""
    if not solution.lines:
        return "No line to check."
    if all(line.status == "given" for line in solution.lines):
        return "The lines only restate the function: no derivative line to check."
    errors = solution.errors
    unchecked = [line.number for line in solution.lines if line.status in ("unreadable", "undetermined")]
    after = f" {_numbers(unchecked).capitalize()} could not be checked." if unchecked else ""
    if not errors:
        if solution.verdict == "correct":
            if any(line.status == "given" for line in solution.lines):
                return "Every line after the restated function equals the derivative."
            return "Every line equals the derivative."
        return "No line is wrong, but not every line could be checked." + after
    parts = []
    for error in errors:
        carried = [line.number for line in solution.lines if line.follows_from == error.number]
        parts.append(f"line {error.number}" + (f" ({_numbers(carried)} follow{'s' if len(carried) == 1 else ''} "
                                               "from it)" if carried else ""))
    count = f"{len(errors)} new error{'s' if len(errors) > 1 else ''}"
    return f"{count}: {'; '.join(parts)}." + after


def _heading(solution) -> str:
    partial = len(solution.problem.free_symbols | set(solution.variables)) > 1
    return f"{operator_text(solution.variables, partial, to_text)} ({to_text(solution.problem)})"


def _reading(line, solution) -> str:
    if line.reading is None:
        return ""
    return reading_text(line.reading, solution.prime_variable, line.written)


def _details(line, solution) -> list[str]:
    """The lines printed under a solution line: its reading, its verdict, the message."""
    details = []
    if line.reading is not None:
        details.append(f"read as {_reading(line, solution)}")
    details += [f"note: {warning}" for warning in line.warnings]
    verdict = line.message if line.status == "follows" else line_label(line)
    if line.message and line.status not in ("fine", "follows"):
        verdict += f": {line.message}"
    details.append(verdict)
    if line.caret:
        details += line.caret.splitlines()
    return details


# --- formats ------------------------------------------------------------------------------------


def as_dict(solution) -> dict:
    """{"verdict", "problem", "variables", "expected", "first_wrong_line", "error_lines", "lines"};
    each line: "line", "text", "status" (given: the function restated before any derivative
    line, not counted; fine, follows, wrong, unreadable, undetermined),
    "label", "reading" (ASCII, derivatives still to be taken as (x**2)' or d/dy(…)),
    "expression" (its value, which calcgrad.parse reads back), "follows_from", "message",
    "caret", "warnings", "mistakes", "step"."""
    first = solution.first_wrong
    return {
        "verdict": solution.verdict,
        "problem": to_ascii(solution.problem),
        "variables": [to_ascii(v) for v in solution.variables],
        "expected": to_ascii(solution.expected),
        "first_wrong_line": first.number if first is not None else None,
        "error_lines": [line.number for line in solution.errors],
        "summary": summary(solution),
        "lines": [{
            "line": line.number,
            "text": line.text,
            "status": line.status,
            "label": line_label(line),
            "reading": (reading_ascii(line.reading, solution.prime_variable, line.written)
                        if line.reading is not None else None),
            "expression": to_ascii(line.expression) if line.expression is not None else None,
            "follows_from": line.follows_from,
            "message": line.message,
            "caret": line.caret,
            "warnings": list(line.warnings),
            "mistakes": list(line.mistakes),
            "step": line.verdict.step.to_dict() if line.verdict and line.verdict.step else None,
        } for line in solution.lines],
    }


def render_plain(solution) -> str:
    lines = [f"Problem: {_heading(solution)}",
             f"Verdict: {_MARK[solution.verdict]} {solution.verdict}", ""]
    for line in solution.lines:
        lines.append(f"{_LINE_MARK[line.status]} line {line.number}: {line.text}")
        lines += [f"    {detail}" for detail in _details(line, solution)]
    lines += ["", summary(solution)]
    if solution.verdict != "correct":
        lines.append(f"Correct {derivative_name(solution.variables)}: {to_text(solution.expected)}")
    return "\n".join(lines) + "\n"


def render_markdown(solution) -> str:
    lines = [f"**Problem:** {markdown_text(_heading(solution))}  ",
             f"**Verdict:** {_MARK[solution.verdict]} {solution.verdict}", "",
             "| line | verdict | text | read as | note |", "|---|---|---|---|---|"]
    for line in solution.lines:
        note = line.message if line.status not in ("fine", "follows") else ""
        lines.append(f"| {line.number} | {_LINE_MARK[line.status]} {markdown_text(line_label(line))} "
                     f"| {markdown_text(line.text)} | {markdown_text(_reading(line, solution))} "
                     f"| {markdown_text(note)} |")
    lines += ["", markdown_text(summary(solution))]
    if solution.verdict != "correct":
        lines.append(f"Correct {derivative_name(solution.variables)}: ${to_latex(solution.expected)}$")
    return "\n".join(lines) + "\n"


def render_latex(solution) -> str:
    rows = []
    for line in solution.lines:
        shown = (reading_latex(line.reading, solution.prime_variable, line.written)
                 if line.reading is not None else r"\text{%s}" % latex_text(line.text))
        rows.append(rf"&{shown} && \text{{{line.number}: {latex_text(line_label(line))}}}")
    body = " \\\\\n".join(rows)
    return f"\\begin{{align*}}\n{body}\n\\end{{align*}}\n" + latex_text(summary(solution)) + "\n"


def rich_renderable(solution):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.text import Text

    parts = [Text(_heading(solution), style="bold cyan"),
             Text.assemble(("Verdict ", "bold"),
                           (f"{_MARK[solution.verdict]} {solution.verdict}",
                            "bold green" if solution.verdict == "correct" else "bold red"))]
    for line in solution.lines:
        style = _STYLE[line.status]
        parts.append(Text.assemble((f"{_LINE_MARK[line.status]} line {line.number}: ", style),
                                   (line.text, "")))
        parts += [Text(f"    {detail}", style="dim") for detail in _details(line, solution)]
    parts.append(Text(summary(solution), style="bold"))
    if solution.verdict != "correct":
        parts.append(Text.assemble((f"Correct {derivative_name(solution.variables)}: ", "dim"),
                                   (to_text(solution.expected), "bold green")))
    return Group(*parts)


__all__ = ["as_dict", "line_label", "reading_ascii", "reading_latex", "reading_text",
           "render_latex", "render_markdown", "render_plain", "rich_renderable", "summary"]
