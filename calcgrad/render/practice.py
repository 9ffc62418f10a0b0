"""Rendering of practice sets: the exercise sheet first, then the answer key.

Each worked solution in the key is the Derivation's own rendering, so a practice set shows
exactly the steps `calcgrad diff` would.
"""

from __future__ import annotations

from calcgrad.render.notation import to_ascii, to_latex, to_text
from calcgrad.render.common import operator_latex, operator_text
from calcgrad.render.escape import latex_text, markdown_text, toml_string
from calcgrad.render.latex import render_latex as derivation_latex
from calcgrad.render.markdown import render_markdown as derivation_markdown
from calcgrad.render.plain import render_plain as derivation_plain


def _title(practice) -> str:
    """The set's title; the students' sheet leaves out the seed, which would let a student
    make the same set with its answers."""
    seed = f", seed {practice.seed}" if practice.answers else ""
    return (f"Practice set: {', '.join(practice.rules)} rule{'s' if len(practice.rules) > 1 else ''}"
            f" ({practice.difficulty}{seed})")


def _problem_text(exercise) -> str:
    partial = exercise.solution.partial
    return f"{operator_text((exercise.variable,), partial, to_text)} ({to_text(exercise.expression)})"


def _problem_latex(exercise) -> str:
    partial = exercise.solution.partial
    return (rf"{operator_latex((exercise.variable,), partial, to_latex)}"
            rf"\left({to_latex(exercise.expression)}\right)")


def as_dict(practice) -> dict:
    """{"seed", "rules", "difficulty", "answers", "exercises": [{"number", "expression",
    "variable", "rules", "answer", "solution"}]}; math as text that calcgrad.parse reads back.
    The students' sheet (answers false) leaves out each exercise's answer and solution, and
    the seed (null), which would let a student make the same set with its answers."""
    return {
        "seed": practice.seed if practice.answers else None,
        "rules": list(practice.rules),
        "difficulty": practice.difficulty,
        "answers": practice.answers,
        "exercises": [_exercise_dict(exercise, practice.answers) for exercise in practice.exercises],
    }


def _exercise_dict(exercise, answers: bool) -> dict:
    item = {"number": exercise.number, "expression": to_ascii(exercise.expression),
            "variable": to_ascii(exercise.variable), "rules": list(exercise.rules)}
    if answers:
        item.update(answer=to_ascii(exercise.answer), solution=exercise.solution.to_dict())
    return item


def render_plain(practice, title: str | None = None) -> str:
    """The sheet, then (unless it is the students' sheet) the key; `title` replaces the set's."""
    lines = [title or _title(practice), "", "Exercises", ""]
    lines += [f"{e.number:>3}. {_problem_text(e)}" for e in practice.exercises]
    if practice.answers:
        lines += ["", "Answer key", ""]
        for exercise in practice.exercises:
            lines += [f"--- {exercise.number}. {_problem_text(exercise)} = {to_text(exercise.answer)}",
                      f"    (rules used: {', '.join(exercise.rules)})", "",
                      derivation_plain(exercise.solution)]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(practice, title: str | None = None, level: int = 2) -> str:
    """Markdown with $…$ math; `level` is the heading level of the title."""
    heading = "#" * level
    lines = [f"{heading} {markdown_text(title) if title else _title(practice)}", "",
             f"{heading}# Exercises", ""]
    lines += [f"{e.number}. ${_problem_latex(e)}$" for e in practice.exercises]
    if practice.answers:
        lines += ["", f"{heading}# Answer key", ""]
        for exercise in practice.exercises:
            lines += [f"{heading}## {exercise.number}. ${_problem_latex(exercise)} = {to_latex(exercise.answer)}$",
                      "", f"Rules used: {', '.join(f'`{r}`' for r in exercise.rules)}", "",
                      derivation_markdown(exercise.solution)]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_latex(practice, title: str | None = None) -> str:
    """A LaTeX fragment: a section with the exercises, then the key; the students' sheet leaves
    room under each exercise for the working."""
    lines = [rf"\section*{{{latex_text(title or _title(practice))}}}", r"\subsection*{Exercises}",
             r"\begin{enumerate}"]
    space = "" if practice.answers else r" \vspace{4\baselineskip}"
    lines += [rf"  \item $\displaystyle {_problem_latex(e)}$" + space for e in practice.exercises]
    lines.append(r"\end{enumerate}")
    if practice.answers:
        lines.append(r"\subsection*{Answer key}")
        for exercise in practice.exercises:
            lines += [rf"\paragraph{{{exercise.number}.}} "
                      rf"$\displaystyle {_problem_latex(exercise)} = {to_latex(exercise.answer)}$",
                      derivation_latex(exercise.solution).rstrip("\n")]
    return "\n".join(lines) + "\n"


def render_aligned(practice) -> str:
    """Problems with their answers (the students' sheet: without) in one aligned block, for
    Jupyter and MathJax."""
    rows = [rf"&\text{{{e.number}.}}\quad {_problem_latex(e)}"
            + (f" = {to_latex(e.answer)}" if practice.answers else "")
            for e in practice.exercises]
    return "$$\\begin{aligned}\n" + "\\\\\n".join(rows) + "\n\\end{aligned}$$"


def rich_renderable(practice, title: str | None = None):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.rule import Rule
    from rich.text import Text

    parts = [Text(title or _title(practice), style="bold"), Text("Exercises", style="bold cyan")]
    parts += [Text.assemble((f"{e.number:>3}. ", "dim"), (_problem_text(e), "bold"))
              for e in practice.exercises]
    if practice.answers:
        parts.append(Rule("Answer key"))
        for exercise in practice.exercises:
            parts += [Text.assemble((f"{exercise.number}. ", "dim"), (_problem_text(exercise), "bold cyan"),
                                    (" = ", ""), (to_text(exercise.answer), "bold green")),
                      Text(f"rules used: {', '.join(exercise.rules)}", style="dim"),
                      exercise.solution, Text("")]
    return Group(*parts)


# --- the grading key ----------------------------------------------------------------------


def question_table(exercise) -> list[str]:
    """The lines of exercise N's [qN] table in a key `calcgrad grade` reads."""
    return [f"[q{exercise.number}]", f"# {exercise.rule} rule",
            f"expression = {toml_string(to_ascii(exercise.expression))}",
            f"wrt = {toml_string(to_ascii(exercise.variable))}", "points = 1"]


def grading_key(practice) -> str:
    """The key for `calcgrad grade --key`: one table per exercise (q1, q2 …) with the
    expression, the variable and 1 point; add partial credit and feedback by hand."""
    lines = [f"# Key for: {_title(practice)}. Made by calcgrad practice; "
             "`calcgrad grade submissions.csv --key THIS.toml` marks answers against it.", ""]
    for exercise in practice.exercises:
        lines += [*question_table(exercise), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
