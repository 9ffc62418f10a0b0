"""Rich: the terminal view, a numbered tree of steps with the rule names highlighted."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from calcgrad.engine.derivation import Derivation
from calcgrad.render.notation import to_text
from calcgrad.render.common import check_mark, check_note, failed_checks, outline
from calcgrad.render.plain import equation, explanation, folded_line, heading, result_line, value_line


def rich_renderable(derivation: Derivation) -> Group:
    """The derivation as Rich renderables: input line, step tree, result."""
    interpreted = Text.assemble(("Interpreted as ", "dim"), (to_text(derivation.expression, derivation.written), "bold"))
    for warning in derivation.warnings:
        interpreted.append(Text.assemble("\n", ("Note ", "bold yellow"), (warning, "yellow")))
    root = Tree(Text(heading(derivation), style="bold cyan"), guide_style="dim")
    parents = {0: root}
    for line in outline(derivation):
        mark = check_mark(line.step).strip()  # after the number, so a wrapped line never strands it
        label = Text.assemble(
            (f"{line.number} ", "dim"),
            (f"{mark} " if mark else "", "green" if line.step.verified else "bold red"),
            (line.step.title, "bold magenta"),
            ("  ", ""),
            (equation(derivation, line.step), ""),
        )
        if line.explained:
            if line.step.formula is not None:
                label.append(f"\n{line.step.formula.text}", style="dim italic")
            label.append(f"\n{explanation(line.step)}", style="green")
            if line.folded:
                label.append(f"\n{folded_line(derivation, line.folded)}", style="dim")
        parents[line.depth + 1] = parents[line.depth].add(label)
    parts = [interpreted, root, Text.assemble(("Result  ", "bold"), (result_line(derivation), "bold green"))]
    if derivation.value is not None:
        style = "bold green" if derivation.steps[-1].exists else "bold red"
        parts.append(Text.assemble(("Value   ", "bold"), (value_line(derivation), style)))
    note = check_note(derivation)
    if note:
        parts.append(Text(note, style="bold white on red" if failed_checks(derivation) else "dim green"))
    return Group(*parts)
