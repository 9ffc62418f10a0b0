"""Markdown: nested numbered lists with $…$ math, for notebooks and docs."""

from __future__ import annotations

from calcgrad.engine.derivation import Derivation
from calcgrad.render.notation import to_latex
from calcgrad.render.common import explanation_parts, failed_checks, held_constant, operator_latex, outline
from calcgrad.render.escape import markdown_text
from calcgrad.render.latex import equation, failure_note, folded_latex, math


def render_markdown(derivation: Derivation) -> str:
    """The derivation as Markdown."""
    op = operator_latex(derivation.variables, derivation.partial, to_latex)
    lines = [f"**Interpreted as** ${to_latex(derivation.expression, derivation.written)}$", ""]
    for warning in derivation.warnings:
        lines += [f"> **Note** {markdown_text(warning)}", ""]
    head = f"**Find** ${op}\\left({to_latex(derivation.expression, derivation.written)}\\right)$"
    held = held_constant(derivation, derivation.stages[0])
    if held:
        head += ", holding " + ", ".join(f"${to_latex(s)}$" for s in held) + " constant"
    lines += [head, ""]
    for line in outline(derivation):
        pad = "   " * line.depth
        step = line.step
        lines.append(f"{pad}{line.number.rsplit('.', 1)[-1]}. **{step.title}**: "
                     f"${equation(derivation, step)}$" + ("  " if line.explained else ""))
        if not line.explained:
            continue
        if step.formula is not None:
            lines.append(f"{pad}   rule: ${step.formula.latex}$  ")
        lines.append(f"{pad}   {explanation_parts(step.explanation, markdown_text, math)}"
                     + ("  " if line.folded else ""))
        if line.folded:
            lines.append(f"{pad}   with ${folded_latex(derivation, line.folded)}$")
    lines += ["", f"**Result** ${op}\\left({to_latex(derivation.expression, derivation.written)}\\right) = "
                  f"{to_latex(derivation.result)}$"]
    if derivation.value is not None:
        lines.append("")
        lines.append(f"**Value** ${equation(derivation, derivation.steps[-1])}$")
    failed = failed_checks(derivation)
    if failed:
        lines += ["", f"> **{markdown_text(failure_note(failed))}**"]
    return "\n".join(lines) + "\n"
