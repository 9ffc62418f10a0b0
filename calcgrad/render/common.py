"""What every renderer shares: numbering the steps, and the equation each step states."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sympy import Basic, Symbol

from calcgrad.engine.derivation import Derivation
from calcgrad.engine.steps import DiffStep, EvaluateStep, Explanation, SimplifyStep, Step

SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Line:
    """One numbered step of the outline, at its depth in the tree."""

    number: str
    depth: int
    step: Step


def outline(derivation: Derivation) -> Iterator[Line]:
    """Every step, depth first, numbered 1, 1.1, 1.1.2 …"""

    def visit(step: Step, number: str, depth: int) -> Iterator[Line]:
        yield Line(number, depth, step)
        for i, sub in enumerate(step.substeps, start=1):
            yield from visit(sub, f"{number}.{i}", depth + 1)

    for i, step in enumerate(derivation.steps, start=1):
        yield from visit(step, str(i), 0)


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
