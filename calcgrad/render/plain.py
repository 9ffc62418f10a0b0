"""Plain text: a numbered, indented outline with Unicode math and no terminal codes."""

from __future__ import annotations

import math
from collections.abc import Callable

from sympy import Basic

from calcgrad.engine.derivation import Derivation
from calcgrad.render.notation import to_text
from calcgrad.render.common import (
    check_mark,
    check_note,
    explanation_parts,
    held_constant,
    is_partial,
    operator_text,
    outline,
)
from calcgrad.engine.steps import DiffStep, EvaluateStep, SimplifyStep, Step

INDENT = "   "


def render_plain(derivation: Derivation) -> str:
    """The whole derivation as plain text."""
    lines = [f"Interpreted as: {to_text(derivation.expression, derivation.written)}",
             *(f"Note: {warning}" for warning in derivation.warnings), heading(derivation), ""]
    for line in outline(derivation):
        pad = INDENT * line.depth
        lines.append(f"{pad}{line.number}. {line.step.title}: {equation(derivation, line.step)}"
                     f"{check_mark(line.step)}")
        if not line.explained:
            continue
        below = pad + " " * (len(line.number) + 2)
        if line.step.formula is not None:
            lines.append(f"{below}rule: {line.step.formula.text}")
        lines.append(f"{below}{explanation(line.step)}")
        if line.folded:
            lines.append(f"{below}{folded_line(derivation, line.folded)}")
    lines += ["", f"Result: {result_line(derivation)}"]
    if derivation.value is not None:
        lines.append(f"Value: {value_line(derivation)}")
    note = check_note(derivation)
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"


def folded_line(derivation: Derivation, folded, text: Callable[[Basic], str] | None = None) -> str:
    """The trivial sub-steps written on their parent's line: with d/dx (x) = 1, d/dx (5) = 0."""
    return "with " + ", ".join(equation(derivation, step, text) for step in folded)


def heading(derivation: Derivation) -> str:
    """What is being found: ∂/∂x (x² + 3xy + y²), holding y constant."""
    op = operator_text(derivation.variables, derivation.partial, to_text)
    text = f"{op} ({to_text(derivation.expression, derivation.written)})"
    first = derivation.stages[0]
    held = held_constant(derivation, first)
    if held:
        names = ", ".join(to_text(s) for s in held)
        text += f", holding {names} constant"
    return text


def equation(derivation: Derivation, step: Step, text: Callable[[Basic], str] | None = None) -> str:
    """The equation a step states, in text (`text` prints an expression; chains pass a cached one)."""
    text = text or (lambda expr: to_text(expr, derivation.written))  # typed order where it applies
    if isinstance(step, DiffStep):
        op = operator_text((step.variable,), is_partial(derivation, step), text)
        return f"{op} ({text(step.expression)}) = {text(step.result)}"
    if isinstance(step, SimplifyStep) and step.result != step.expression:
        return f"{text(step.expression)} = {text(step.result)}"
    if isinstance(step, EvaluateStep):
        return f"{at_point(step)}: {text(step.result) if step.exists else 'does not exist'}"
    return text(step.result)


def explanation(step: Step, text: Callable[[Basic], str] = to_text) -> str:
    return explanation_parts(step.explanation, str, text)


def at_point(step: EvaluateStep) -> str:
    return "at " + ", ".join(f"{to_text(s)} = {to_text(v)}" for s, v in step.point)


def result_line(derivation: Derivation) -> str:
    op = operator_text(derivation.variables, derivation.partial, to_text)
    return f"{op} ({to_text(derivation.expression, derivation.written)}) = {to_text(derivation.result)}"


def value_line(derivation: Derivation) -> str:
    step = derivation.steps[-1]
    assert isinstance(step, EvaluateStep)
    if not step.exists:
        return f"{at_point(step)}: does not exist ({step.status.code.replace('_', ' ')})"
    text = f"{at_point(step)}: {to_text(step.result)}"
    approx = approximation(step.result)
    if approx is not None:
        text += f" ≈ {approx}"
    return text


def approximation(value) -> str | None:
    """A decimal for an exact value that is not already a plain number, else None."""
    if value.is_Integer or value.is_Float or not value.is_number:
        return None
    try:
        number = float(value.evalf(15))
    except (TypeError, ValueError, OverflowError):
        return None
    return f"{number:.10g}" if math.isfinite(number) else None
