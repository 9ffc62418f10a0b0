"""What every renderer shares: numbering the steps, and the equation each step states."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sympy import Basic, Symbol

from calcgrad.engine.derivation import Derivation
from calcgrad.engine.steps import (
    ConstantMultipleRule,
    ConstantRule,
    DiffStep,
    EvaluateStep,
    Explanation,
    SimplifyStep,
    Step,
    SumRule,
    VariableRule,
)
from calcgrad.render.protocol import current_detail

SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Line:
    """One numbered step of the outline, at its depth in the tree.

    `folded` are its sub-steps written on this line rather than as lines of their own (at
    detail normal, its constant-rule and variable-rule leaves); `explained` is False at detail
    brief, where a line is the step's equation only (no rule statement, no explanation).
    """

    number: str
    depth: int
    step: Step
    folded: tuple[Step, ...] = ()
    explained: bool = True


def is_folded(step: Step, detail: str) -> bool:
    """Whether a sub-step is folded into its parent's line at this detail level (protocol.DETAILS)."""
    if detail == "full":
        return False
    if isinstance(step, VariableRule):
        return True
    if isinstance(step, ConstantRule):  # at normal only numbers: "y is held constant" is the
        return detail == "brief" or not step.expression.free_symbols  # lesson of a partial
    if detail == "brief":  # every step linear in the variable: 3x, w·x + b
        if isinstance(step, ConstantMultipleRule):
            return is_folded(step.inner, detail)
        if isinstance(step, SumRule):
            return all(is_folded(term, detail) for term in step.terms)
    return False


def fold(step: Step, detail: str | None = None) -> tuple[tuple[tuple[int, Step], ...], tuple[Step, ...]]:
    """A step's sub-steps at a detail level: (the (number, step) pairs shown on their own lines,
    the steps folded into this step's line). Any renderer of a step tree can call it."""
    level = detail or current_detail()
    shown = tuple((i, sub) for i, sub in enumerate(step.substeps, start=1) if not is_folded(sub, level))
    folded = tuple(sub for sub in step.substeps if is_folded(sub, level))
    return shown, folded


def outline(derivation: Derivation, detail: str | None = None) -> Iterator[Line]:
    """Every step shown at the detail level (default: the one in force), depth first, numbered
    1, 1.1, 1.1.2 … A step keeps the number it has in the full tree at every level, so "step
    1.2" (in a named mistake, say) means the same step however much is shown."""
    level = detail or current_detail()

    def visit(step: Step, number: str, depth: int) -> Iterator[Line]:
        shown, folded = fold(step, level)
        yield Line(number, depth, step, folded, level != "brief")
        for i, sub in shown:
            yield from visit(sub, f"{number}.{i}", depth + 1)

    for i, step in enumerate(derivation.steps, start=1):
        if level == "brief" and isinstance(step, SimplifyStep) and step.result == step.expression:
            continue  # nothing was simplified: the line above already ends with the result
        yield from visit(step, str(i), 0)


CHECK_MARK = "✓"
FAILED_MARK = "✗"


def check_mark(step: Step) -> str:
    """' ✓' after a step whose independent check passed, ' ✗ check failed' after one that
    failed, nothing after a step not checked (calcgrad.engine.verify)."""
    if step.verified is None:
        return ""
    return f" {CHECK_MARK}" if step.verified else f" {FAILED_MARK} check failed"


def failed_checks(derivation: Derivation) -> list[str]:
    """The numbers of the steps whose independent check failed (it never should)."""
    failed: list[str] = []

    def visit(step: Step, number: str) -> None:
        if step.verified is False:
            failed.append(number)
        for i, sub in enumerate(step.substeps, start=1):
            visit(sub, f"{number}.{i}")

    for i, step in enumerate(derivation.steps, start=1):
        visit(step, str(i))
    return failed


def verified(derivation: Derivation) -> bool | None:
    """True when every step was checked and passed, False when any failed, else None."""
    marks = [step.verified for top in derivation.steps for step in top.walk()
             if not isinstance(step, EvaluateStep)]
    if False in marks:
        return False
    return True if marks and all(marks) else None


def check_note(derivation: Derivation) -> str | None:
    """The line under the result: what ✓ means, or, loudly, which steps failed their check."""
    failed = failed_checks(derivation)
    if failed:
        which = ", ".join(failed)
        return (f"CHECK FAILED at step {which}: the result does not agree with SymPy's own "
                f"derivative. This is a bug in calcgrad; please report it with this input.")
    if verified(derivation):
        return f"{CHECK_MARK} = step checked independently against SymPy as it was made"
    return None


def is_partial(derivation: Derivation, step: Step) -> bool:
    """∂ for the derivation's own variables when others are held constant; d for inner u."""
    return (derivation.partial and isinstance(step, DiffStep)
            and step.variable in derivation.variables)


def operator_text(variables: tuple[Symbol, ...], partial: bool, name: Callable[[Basic], str]) -> str:
    """d/dx, ∂/∂x, d²/dx², ∂²/∂y∂x (the last variable applied is written first)."""
    d = "∂" if partial else "d"
    n = len(variables)
    power = str(n).translate(SUPERSCRIPT_DIGITS) if n > 1 else ""
    return f"{d}{power}/{_denominator(variables, d, name, '', lambda v, k: v + str(k).translate(SUPERSCRIPT_DIGITS))}"


def operator_latex(variables: tuple[Symbol, ...], partial: bool, name: Callable[[Basic], str]) -> str:
    """\\frac{d}{dx}, \\frac{\\partial^{2}}{\\partial y\\,\\partial x} …"""
    d = r"\partial" if partial else "d"
    n = len(variables)
    power = f"^{{{n}}}" if n > 1 else ""
    sep = r"\," if partial else " "
    denominator = _denominator(variables, d + (" " if partial else ""), name, sep,
                               lambda v, k: f"{v}^{{{k}}}")
    return rf"\frac{{{d}{power}}}{{{denominator}}}"


def _denominator(variables, d, name, sep, power) -> str:
    groups: list[list] = []
    for variable in reversed(variables):
        if groups and groups[-1][0] == variable:
            groups[-1][1] += 1
        else:
            groups.append([variable, 1])
    parts = []
    for variable, count in groups:
        written = name(variable)
        parts.append(d + (power(written, count) if count > 1 else written))
    return sep.join(parts)


def explanation_parts(parts: Explanation, text: Callable[[str], str], math: Callable[[Basic], str]) -> str:
    """An explanation with words and math each written by the given function."""
    return "".join(math(p) if isinstance(p, Basic) else text(p) for p in parts)


def held_constant(derivation: Derivation, step: DiffStep) -> tuple[Symbol, ...]:
    return step.held_constant if derivation.partial else ()


def step_kind(step: Step) -> str:
    if isinstance(step, SimplifyStep):
        return "simplify"
    if isinstance(step, EvaluateStep):
        return "evaluate"
    return "derivative"
