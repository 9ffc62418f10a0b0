"""Rendering of checked answers (Verdict) and batch grade reports: plain, Rich, Markdown, LaTeX, JSON
(worked solutions: render/worked_solution.py)."""

from __future__ import annotations

from calcgrad.render.notation import derivative_name, to_ascii, to_latex, to_text
from calcgrad.render.common import operator_latex, operator_text
from calcgrad.render.escape import latex_text, markdown_text

_MARK = {"correct": "✓", "incorrect": "✗", "undetermined": "?", "no answer": "–"}


def _asked(verdict) -> str:
    """'derivative', 'second derivative', 'gradient': what the right answer is the right one of."""
    return "gradient" if isinstance(verdict.expected, tuple) else derivative_name(verdict.variables)


def _problem_text(verdict) -> str:
    if verdict.gradient:
        return f"∇({to_text(verdict.problem)})"
    partial = len(verdict.problem.free_symbols | set(verdict.variables)) > 1
    return f"{operator_text(verdict.variables, partial, to_text)} ({to_text(verdict.problem)})"


def _problem_latex(verdict) -> str:
    if verdict.gradient:
        return rf"\nabla\left({to_latex(verdict.problem)}\right)"
    partial = len(verdict.problem.free_symbols | set(verdict.variables)) > 1
    return rf"{operator_latex(verdict.variables, partial, to_latex)} \left({to_latex(verdict.problem)}\right)"


def _math(value, printer) -> str:
    if value is None:
        return r"\text{(no answer)}" if printer is to_latex else "(no answer)"
    if isinstance(value, tuple):
        return "[" + ", ".join(printer(v) for v in value) + "]"
    return printer(value)


# --- Verdict ------------------------------------------------------------------------------


def verdict_dict(verdict) -> dict:
    """{"verdict", "expected", "answer", "mistakes", "feedback", "step", "counterexample"} plus
    "problem" and "variables"; math as text that calcgrad.parse reads back (lists for a gradient)."""

    def math(value):
        if value is None:
            return None
        return [to_ascii(v) for v in value] if isinstance(value, tuple) else to_ascii(value)

    return {
        "verdict": verdict.verdict,
        "problem": to_ascii(verdict.problem),
        "variables": [to_ascii(v) for v in verdict.variables],
        "expected": math(verdict.expected),
        "answer": math(verdict.answer),
        "mistakes": list(verdict.mistakes),
        "feedback": list(verdict.feedback),
        "step": verdict.step.to_dict() if verdict.step else None,
        "counterexample": verdict.counterexample.to_dict() if verdict.counterexample else None,
        "reading": verdict.reading,
        "notes": list(verdict.notes),
        "warnings": list(verdict.warnings),
    }


def reading_sentence(verdict) -> str:
    """ "Read as 2x − 5, after removing 'dy/dx ='." when something was removed or is ambiguous."""
    if not verdict.notes and not verdict.warnings:
        return ""
    sentence = f"Read as {verdict.reading}" if verdict.reading else "Read as no answer"
    if verdict.notes:
        sentence += ", " + " and ".join(verdict.notes)
    return sentence + "." + "".join(f" Note: {w}." for w in verdict.warnings)


def verdict_lines(verdict) -> list[str]:
    lines = [
        f"Problem: {_problem_text(verdict)}",
        f"Your answer: {_math(verdict.answer, to_text)}",
        f"Verdict: {_MARK[verdict.verdict]} {verdict.verdict}",
    ]
    if reading_sentence(verdict):
        lines.insert(2, reading_sentence(verdict))
    if verdict.mistakes:
        lines.append("Mistakes: " + ", ".join(verdict.mistakes))
    lines += list(verdict.feedback)
    if verdict.verdict != "correct":
        lines.append(f"Correct {_asked(verdict)}: {_math(verdict.expected, to_text)}")
    return lines


def verdict_plain(verdict) -> str:
    return "\n".join(verdict_lines(verdict)) + "\n"


def verdict_markdown(verdict) -> str:
    lines = [f"**Problem:** ${_problem_latex(verdict)}$  ",
             f"**Your answer:** ${_math(verdict.answer, to_latex)}$  ",
             f"**Verdict:** {_MARK[verdict.verdict]} {verdict.verdict}  "]
    if reading_sentence(verdict):
        lines.insert(2, markdown_text(reading_sentence(verdict)) + "  ")
    if verdict.mistakes:
        lines.append("**Mistakes:** " + ", ".join(f"`{m}`" for m in verdict.mistakes) + "  ")
    lines.append("")
    lines += [f"- {markdown_text(sentence)}" for sentence in verdict.feedback]
    if verdict.verdict != "correct":
        lines += ["", f"**Correct {_asked(verdict)}:** ${_math(verdict.expected, to_latex)}$"]
    return "\n".join(lines) + "\n"


def verdict_latex(verdict) -> str:
    lines = [r"\begin{align*}",
             rf"&{_problem_latex(verdict)} \\",
             rf"&\text{{your answer: }} {_math(verdict.answer, to_latex)} \\",
             rf"&\text{{verdict: {verdict.verdict}}}"]
    if verdict.verdict != "correct":
        lines[-1] += r" \\"
        lines.append(rf"&\text{{correct: }} {_math(verdict.expected, to_latex)}")
    lines.append(r"\end{align*}")
    notes = [_latex_line(s) for s in (reading_sentence(verdict),) + verdict.feedback if s]
    return "\n".join(lines + notes) + "\n"


def _latex_line(sentence: str) -> str:
    """A feedback sentence as LaTeX text, on a line of its own."""
    return latex_text(sentence) + "\n"


def verdict_rich(verdict):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.text import Text

    style = {"correct": "bold green", "incorrect": "bold red", "undetermined": "bold yellow",
             "no answer": "bold yellow"}
    parts = [Text.assemble(("Problem  ", "dim"), (_problem_text(verdict), "bold cyan")),
             Text.assemble(("Answer   ", "dim"), (_math(verdict.answer, to_text), "bold"))]
    if reading_sentence(verdict):
        parts.append(Text(reading_sentence(verdict), style="dim"))
    parts.append(Text.assemble(("Verdict  ", "dim"), (f"{_MARK[verdict.verdict]} {verdict.verdict}",
                                                     style[verdict.verdict])))
    if verdict.mistakes:
        parts.append(Text.assemble(("Mistakes ", "dim"), (", ".join(verdict.mistakes), "magenta")))
    parts += [Text(sentence, style="green" if verdict else "") for sentence in verdict.feedback]
    if verdict.verdict != "correct":
        parts.append(Text.assemble((f"Correct {_asked(verdict)}: ", "dim"),
                                   (_math(verdict.expected, to_text), "bold green")))
    return Group(*parts)


# --- batch grading reports ------------------------------------------------------------------


def _summary_lines(summary) -> list[str]:
    lines = [f"{summary.question}: {summary.correct}/{summary.submissions} correct "
             f"({summary.percent_correct:g}%), {summary.incorrect} incorrect, "
             f"{summary.no_answer} no answer, {summary.undetermined} undetermined, "
             f"{summary.errors} unreadable or unusable; mean {summary.mean_points:g} of "
             f"{summary.max_points:g} point{'' if summary.max_points == 1 else 's'}"
             + (f"; {summary.superseded} superseded" if summary.superseded else "")]
    if summary.common_mistakes:
        lines.append(f"  {summary.question} common mistakes: "
                     + ", ".join(f"{c} ×{n}" for c, n in summary.common_mistakes))
    for group in summary.groups:
        answers = " | ".join(group["answers"])
        lines.append(f"  {summary.question} same wrong answer ×{group['count']} (lines "
                     f"{', '.join(map(str, group['lines']))}): {answers}")
    return lines


LOOK_ANSWER_CHARS = 80
"""How much of an answer the summary's "needs a look" lines quote (the whole answer is in the
row list, in --format json/csv and in --out)."""


def _look_line(row) -> str:
    answer = ""
    if row.answer:
        shown = row.answer if len(row.answer) <= LOOK_ANSWER_CHARS else \
            f"{row.answer[:LOOK_ANSWER_CHARS]}… ({len(row.answer):,} characters)"
        answer = f" {shown!r}"
    return (f"line {row.line}: {row.student or '(no student)'} {row.question or '(no question)'}"
            f"{answer} — {row.needs_a_look}" + (f": {row.error}" if row.error else ""))


def _row_line(row) -> str:
    detail = row.error or " ".join(row.mistakes)
    points = f" {row.points:g}/{row.max_points:g}" if row.max_points else ""
    read = ""
    if row.notes or row.warnings:
        read = f" [read as {row.reading}" + (", " + " and ".join(row.notes) if row.notes else "")
        read += "".join(f"; note: {w}" for w in row.warnings) + "]"
    return (f"line {row.line}: {row.student} {row.question} {row.verdict}{points}"
            + (" (superseded)" if row.superseded else "")
            + (f" — {detail}" if detail else "") + read)


def _total_line(total) -> str:
    cells = ", ".join(f"{q} {'–' if p is None else format(p, 'g')}" for q, p in total.points)
    return f"{total.student}: {total.total:g}/{total.max_total:g} ({cells})"


def report_plain(report) -> str:
    lines = ["Summary"]
    for summary in report.summaries:
        lines += _summary_lines(summary)
    lines += list(report.notes)
    look = report.needing_a_look
    if look:
        lines += ["", f"Needs a look ({len(look)} rows)"] + [_look_line(row) for row in look]
    if report.students:
        lines += ["", "Students"] + [_total_line(t) for t in report.students]
    lines += ["", "Rows"] + [_row_line(row) for row in report.rows]
    return "\n".join(lines) + "\n"


def report_markdown(report) -> str:
    lines = ["## Summary", "",
             "| question | correct | % | incorrect | no answer | undetermined | unusable | mean points | common mistakes |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in report.summaries:
        common = ", ".join(f"`{c}` ×{n}" for c, n in s.common_mistakes)
        lines.append(f"| {markdown_text(s.question)} | {s.correct}/{s.submissions} | {s.percent_correct:g} "
                     f"| {s.incorrect} | {s.no_answer} | {s.undetermined} | {s.errors} "
                     f"| {s.mean_points:g}/{s.max_points:g} | {common} |")
    if report.notes:
        lines += [""] + [f"- {markdown_text(note)}" for note in report.notes]
    if report.students:
        questions = [s.question for s in report.summaries]
        lines += ["", "## Students", "",
                  "| student | " + " | ".join(markdown_text(q) for q in questions) + " | total |",
                  "|---|" + "---|" * len(questions) + "---|"]
        for t in report.students:
            cells = " | ".join("–" if p is None else f"{p:g}" for _, p in t.points)
            lines.append(f"| {markdown_text(t.student)} | {cells} | {t.total:g}/{t.max_total:g} |")
    lines += ["", "## Rows", "", "| line | student | question | verdict | points | mistakes / error |",
              "|---|---|---|---|---|---|"]
    for row in report.rows:
        detail = markdown_text(row.error or ", ".join(row.mistakes))
        verdict = row.verdict + (" (superseded)" if row.superseded else "")
        lines.append(f"| {row.line} | {markdown_text(row.student)} | {markdown_text(row.question)} "
                     f"| {verdict} | {row.points:g}/{row.max_points:g} | {detail} |")
    return "\n".join(lines) + "\n"


def report_latex(report) -> str:
    lines = [r"\begin{tabular}{lrrrrrr}",
             r"question & correct & \% & incorrect & no answer & undetermined & mean points \\ \hline"]
    for s in report.summaries:
        lines.append(f"{latex_text(s.question)} & {s.correct}/{s.submissions} & "
                     f"{s.percent_correct:g} & {s.incorrect} & {s.no_answer} & {s.undetermined} & "
                     f"{s.mean_points:g}/{s.max_points:g} \\\\")
    lines.append(r"\end{tabular}")
    return "\n".join(lines) + "\n"


RICH_LOOK_ROWS = 40
"""Rows needing a look listed in the terminal view; the plain text and --out list them all."""


def report_rich(report):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Summary")
    for column in ("question", "correct", "%", "incorrect", "no answer", "undetermined",
                   "unusable", "mean points", "common mistakes"):
        table.add_column(column)
    for s in report.summaries:
        table.add_row(s.question, f"{s.correct}/{s.submissions}", f"{s.percent_correct:g}",
                      str(s.incorrect), str(s.no_answer), str(s.undetermined), str(s.errors),
                      f"{s.mean_points:g}/{s.max_points:g}",
                      ", ".join(f"{c} ×{n}" for c, n in s.common_mistakes))
    from calcgrad.render.fit import fitted  # lazy: start-up speed (Rich loads only for the terminal)

    parts = [fitted(table)]
    parts += [Text(line) for s in report.summaries for line in _summary_lines(s)[2 if s.common_mistakes else 1:]]
    parts += [Text(note, style="dim") for note in report.notes]
    look = report.needing_a_look
    if look:
        parts.append(Text(f"Needs a look ({len(look)} rows)", style="bold yellow"))
        parts += [Text(_look_line(row)) for row in look[:RICH_LOOK_ROWS]]
        if len(look) > RICH_LOOK_ROWS:
            parts.append(Text(f"… and {len(look) - RICH_LOOK_ROWS} more (every row is in "
                              "--format plain and in --out)", style="dim"))
    if report.students:
        totals = Table(title="Students")
        totals.add_column("student")
        for s in report.summaries:
            totals.add_column(s.question, justify="right")
        totals.add_column("total", justify="right")
        for t in report.students:
            totals.add_row(t.student, *("–" if p is None else f"{p:g}" for _, p in t.points),
                           f"{t.total:g}/{t.max_total:g}")
        parts.append(fitted(totals))
    return Group(*parts)
