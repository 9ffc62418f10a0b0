"""Rendering of practice sets: the exercise sheet first, then the answer key.

Each worked solution in the key is the Derivation's own rendering, so a practice set shows
exactly the steps `calcgrad diff` would.
"""

from __future__ import annotations

from calcgrad.render.notation import to_ascii, to_latex, to_text
from calcgrad.render.common import operator_latex, operator_text
from calcgrad.render.escape import latex_text
from calcgrad.render.latex import render_latex as derivation_latex
from calcgrad.render.markdown import render_markdown as derivation_markdown
from calcgrad.render.plain import render_plain as derivation_plain


def _title(practice) -> str:
    return (f"Practice set: {', '.join(practice.rules)} rule{'s' if len(practice.rules) > 1 else ''}"
            f" ({practice.difficulty}, seed {practice.seed})")


def _problem_text(exercise) -> str:
    partial = exercise.solution.partial
    return f"{operator_text((exercise.variable,), partial, to_text)} ({to_text(exercise.expression)})"


def _problem_latex(exercise) -> str:
    partial = exercise.solution.partial
    return (rf"{operator_latex((exercise.variable,), partial, to_latex)}"
            rf"\left({to_latex(exercise.expression)}\right)")


def as_dict(practice) -> dict:
    """{"seed", "rules", "difficulty", "exercises": [{"number", "expression", "variable",
    "rules", "answer", "solution"}]}; math as text that calcgrad.parse reads back."""
    return {
        "seed": practice.seed,
        "rules": list(practice.rules),
        "difficulty": practice.difficulty,
        "exercises": [{
            "number": exercise.number,
            "expression": to_ascii(exercise.expression),
            "variable": to_ascii(exercise.variable),
            "rules": list(exercise.rules),
            "answer": to_ascii(exercise.answer),
            "solution": exercise.solution.to_dict(),
        } for exercise in practice.exercises],
    }


def render_plain(practice) -> str:
    lines = [_title(practice), "", "Exercises", ""]
    lines += [f"{e.number:>3}. {_problem_text(e)}" for e in practice.exercises]
    lines += ["", "Answer key", ""]
    for exercise in practice.exercises:
        lines += [f"--- {exercise.number}. {_problem_text(exercise)} = {to_text(exercise.answer)}",
                  f"    (rules used: {', '.join(exercise.rules)})", "",
                  derivation_plain(exercise.solution)]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(practice) -> str:
    lines = [f"## {_title(practice)}", "", "### Exercises", ""]
    lines += [f"{e.number}. ${_problem_latex(e)}$" for e in practice.exercises]
    lines += ["", "### Answer key", ""]
    for exercise in practice.exercises:
        lines += [f"#### {exercise.number}. ${_problem_latex(exercise)} = {to_latex(exercise.answer)}$",
                  "", f"Rules used: {', '.join(f'`{r}`' for r in exercise.rules)}", "",
                  derivation_markdown(exercise.solution)]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_latex(practice) -> str:
    lines = [rf"\section*{{{latex_text(_title(practice))}}}", r"\subsection*{Exercises}",
             r"\begin{enumerate}"]
    lines += [rf"  \item $\displaystyle {_problem_latex(e)}$" for e in practice.exercises]
    lines += [r"\end{enumerate}", r"\subsection*{Answer key}"]
    for exercise in practice.exercises:
        lines += [rf"\paragraph{{{exercise.number}.}} "
                  rf"$\displaystyle {_problem_latex(exercise)} = {to_latex(exercise.answer)}$",
                  derivation_latex(exercise.solution).rstrip("\n")]
    return "\n".join(lines) + "\n"


def render_aligned(practice) -> str:
    """Problems with their answers in one aligned block, for Jupyter and MathJax."""
    rows = [rf"&\text{{{e.number}.}}\quad {_problem_latex(e)} = {to_latex(e.answer)}"
            for e in practice.exercises]
    return "$$\\begin{aligned}\n" + "\\\\\n".join(rows) + "\n\\end{aligned}$$"


def rich_renderable(practice):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.rule import Rule
    from rich.text import Text

    parts = [Text(_title(practice), style="bold"), Text("Exercises", style="bold cyan")]
    parts += [Text.assemble((f"{e.number:>3}. ", "dim"), (_problem_text(e), "bold"))
              for e in practice.exercises]
    parts.append(Rule("Answer key"))
    for exercise in practice.exercises:
        parts += [Text.assemble((f"{exercise.number}. ", "dim"), (_problem_text(exercise), "bold cyan"),
                                (" = ", ""), (to_text(exercise.answer), "bold green")),
                  Text(f"rules used: {', '.join(exercise.rules)}", style="dim"),
                  exercise.solution, Text("")]
    return Group(*parts)
