"""LaTeX: an align* block (amsmath) for course notes; each step a line with its rule named."""

from __future__ import annotations

from calcgrad.engine.derivation import Derivation
from calcgrad.render.notation import to_latex
from calcgrad.render.common import (explanation_parts, failed_checks, held_constant, is_partial,
                                    operator_latex, outline)
from calcgrad.engine.steps import DiffStep, EvaluateStep, SimplifyStep, Step
from calcgrad.render.escape import latex_text



def render_latex(derivation: Derivation) -> str:
    """The derivation as an amsmath align* environment."""
    return "\\begin{align*}\n" + "\\\\\n".join(_rows(derivation)) + "\n\\end{align*}\n"


def render_aligned(derivation: Derivation) -> str:
    """The same rows in an aligned block inside $$…$$, for Jupyter and MathJax."""
    return "$$\\begin{aligned}\n" + "\\\\\n".join(_rows(derivation)) + "\n\\end{aligned}$$"


def _rows(derivation: Derivation) -> list[str]:
    op = operator_latex(derivation.variables, derivation.partial, to_latex)
    head = rf"&{op}\left({to_latex(derivation.expression, derivation.written)}\right)"
    held = held_constant(derivation, derivation.stages[0])
    if held:
        head += r" && \text{holding " + ", ".join(f"${to_latex(s)}$" for s in held) + " constant}"
    rows = [head]
    for line in outline(derivation):
        indent = r"\quad " * (line.depth + 1)
        rows.append(rf"&{indent}\text{{{line.number}. {latex_text(line.step.title)}}}\quad "
                    rf"{equation(derivation, line.step)}")
        if not line.explained:
            continue
        if line.step.formula is not None:
            rows.append(rf"&{indent}\qquad\text{{rule: }} {line.step.formula.latex}")
        rows.append(rf"&{indent}\qquad\text{{{explanation(line.step)}}}")
        if line.folded:
            rows.append(rf"&{indent}\qquad\text{{with }} {folded_latex(derivation, line.folded)}")
    rows.append(rf"&\text{{Result: }} {op}\left({to_latex(derivation.expression, derivation.written)}\right) = "
                rf"{to_latex(derivation.result)}")
    if derivation.value is not None:
        rows.append(rf"&\text{{Value: }} {equation(derivation, derivation.steps[-1])}")
    failed = failed_checks(derivation)
    if failed:
        rows.append(rf"&\textbf{{{latex_text(failure_note(failed))}}}")
    return rows


def folded_latex(derivation: Derivation, folded) -> str:
    """The trivial sub-steps written on their parent's line, as equations separated by commas."""
    return ",\\ ".join(equation(derivation, step) for step in folded)


def failure_note(failed: list[str]) -> str:
    """The loud note for LaTeX and Markdown when a step failed its independent check."""
    return (f"CHECK FAILED at step {', '.join(failed)}: the result does not agree with SymPy's "
            "own derivative; this is a bug in calcgrad, please report it.")


def equation(derivation: Derivation, step: Step, latex=None) -> str:
    """One step as LaTeX; `latex` may be a memoised to_latex when many steps share terms."""
    printed = latex or to_latex
    if isinstance(step, DiffStep):
        op = operator_latex((step.variable,), is_partial(derivation, step), printed)
        if derivation.written:
            return (rf"{op}\left({to_latex(step.expression, derivation.written)}\right) = "
                    rf"{to_latex(step.result, derivation.written)}")
        return rf"{op}\left({printed(step.expression)}\right) = {printed(step.result)}"
    if isinstance(step, SimplifyStep) and step.result != step.expression:
        if derivation.written:
            return rf"{to_latex(step.expression, derivation.written)} = {printed(step.result)}"
        return rf"{printed(step.expression)} = {printed(step.result)}"
    if isinstance(step, EvaluateStep):
        at = ",\\ ".join(f"{printed(s)} = {printed(v)}" for s, v in step.point)
        value = printed(step.result) if step.exists else r"\text{does not exist}"
        return rf"\left.{printed(step.expression)}\right|_{{{at}}} = {value}"
    return printed(step.result)


def explanation(step: Step) -> str:
    return explanation_parts(step.explanation, latex_text, math)


def math(expr) -> str:
    """An expression as inline LaTeX math, $…$ (also what Markdown writes for math)."""
    return f"${to_latex(expr)}$"
