"""Rendering of per-student practice sets: one section per student, a page each in LaTeX.

Each student's section is that student's PracticeSet rendered as calcgrad.render.practice
renders any set, under a heading with the student's name and id; `--format latex
--standalone` makes it a printable handout (\\newpage between students). The grading key
(`grading_key`) is the TOML `calcgrad grade --key` reads: the shared [qN] tables, then each
student's version under [students.<id>].
"""

from __future__ import annotations

from calcgrad.render import practice as sheet
from calcgrad.render.escape import markdown_text, toml_key, toml_string
from calcgrad.render.notation import to_ascii


def _subtitle(versions) -> str:
    rules = ", ".join(versions.rules)
    kind = f"seed {versions.seed}, with answer keys" if versions.answers else "students' sheets"
    return (f"Practice set: {rules} rule{'s' if len(versions.rules) > 1 else ''} "
            f"({versions.difficulty}, one version per student, {kind})")


def _heading(student, versions) -> str:
    rules = ", ".join(versions.rules)
    return f"{student.label}: {rules} rule{'s' if len(versions.rules) > 1 else ''} ({versions.difficulty})"


def as_dict(versions) -> dict:
    """{"seed", "rules", "difficulty", "answers", "students": [{"student", "name", "seed",
    "exercises"}]}; each student's exercises as in a practice set's JSON (the students'
    sheets: without answers, and the seeds null)."""
    return {
        "seed": versions.seed if versions.answers else None,
        "rules": list(versions.rules),
        "difficulty": versions.difficulty,
        "answers": versions.answers,
        "students": [{"student": student.id, "name": student.name,
                      "seed": version.seed if versions.answers else None,
                      "exercises": sheet.as_dict(version)["exercises"]}
                     for student, version in versions.versions],
    }


def render_plain(versions) -> str:
    parts = [_subtitle(versions) + "\n"]
    for student, version in versions.versions:
        parts.append("=" * 72 + "\n" + sheet.render_plain(version, title=_heading(student, versions)))
    return "\n".join(parts)


def render_markdown(versions) -> str:
    """One `##` section per student; a page break for printing from a browser between them."""
    parts = [f"# {markdown_text(_subtitle(versions))}\n"]
    for index, (student, version) in enumerate(versions.versions):
        if index:
            parts.append('---\n\n<div style="page-break-after: always"></div>\n')
        parts.append(sheet.render_markdown(version, title=_heading(student, versions)))
    return "\n".join(parts)


def render_latex(versions) -> str:
    """One section per student, headed by the student's name and id, each on a new page."""
    parts = []
    for index, (student, version) in enumerate(versions.versions):
        if index:
            parts.append("\\newpage\n")
        parts.append(sheet.render_latex(version, title=_heading(student, versions)))
    return "".join(parts)


def rich_renderable(versions):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.rule import Rule
    from rich.text import Text

    parts = [Text(_subtitle(versions), style="bold")]
    for student, version in versions.versions:
        parts += [Rule(student.label), sheet.rich_renderable(version, title=_heading(student, versions))]
    return Group(*parts)


def grading_key(versions) -> str:
    """The per-student key: [qN] tables shared by every version (points; add partial credit
    and feedback there), then one [students.<id>] table per student giving that student's
    expression for each question (an inline table with wrt for a partial derivative)."""
    lines = [f"# Per-student key for: {_subtitle(versions)}.",
             "# Made by calcgrad practice --per-student; `calcgrad grade submissions.csv --key "
             "THIS.toml` marks each student against their own version.",
             "# [qN]: shared by every version (points, [qN.mistakes] partial credit and feedback).",
             "# [students.<id>]: that student's expression per question.", ""]
    for index, exercise in enumerate(versions.versions[0][1].exercises):
        rules = dict.fromkeys(version.exercises[index].rule for _, version in versions.versions)
        lines += [f"[q{exercise.number}]", f"# {' or '.join(rules)} rule", "points = 1", ""]
    for student, version in versions.versions:
        lines.append(f"[students.{toml_key(student.id)}]")
        if student.name:
            lines.append(f"name = {toml_string(student.name)}")
        for exercise in version.exercises:
            expression = toml_string(to_ascii(exercise.expression))
            if exercise.solution.partial:
                expression = f"{{ expression = {expression}, wrt = {toml_string(to_ascii(exercise.variable))} }}"
            lines.append(f"q{exercise.number} = {expression}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
