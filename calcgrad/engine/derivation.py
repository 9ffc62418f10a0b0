"""The Derivation: the whole worked answer, as data; renderers only read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sympy import Expr, Symbol

from calcgrad.render.protocol import Rendered
from calcgrad.engine.steps import DiffStep, EvaluateStep, SimplifyStep, Step


@dataclass(frozen=True)
class Derivation(Rendered):
    """d/d(variables) of an expression, as a sequence of step trees.

    `steps` holds, for each variable in turn, the rule tree for that derivative followed by its
    simplification; with a point, a final evaluation. The results are read off the steps.
    """

    expression: Expr
    variables: tuple[Symbol, ...]
    steps: tuple[Step, ...]
    point: tuple[tuple[Symbol, Expr], ...] = ()
    source: str | None = None
    warnings: tuple[str, ...] = ()
    """Where the input's documented reading may not be what was meant (e^2x is e²·x)."""
    written: tuple[tuple[Expr, ...], ...] = ()
    """The input's sums and products, each in the order it was typed, for printing it as typed
    (calcgrad.read.parser.Reading.written)."""

    RENDERER: ClassVar[str] = "calcgrad.render.derivation"

    @property
    def result(self) -> Expr:
        """The derivative, as the last simplification step gives it."""
        return [s for s in self.steps if isinstance(s, SimplifyStep)][-1].result

    @property
    def value(self) -> Expr | None:
        """The derivative's value at the point, when one was given."""
        last = self.steps[-1]
        return last.result if isinstance(last, EvaluateStep) else None

    @property
    def stages(self) -> tuple[DiffStep, ...]:
        """The rule tree of each successive derivative."""
        return tuple(s for s in self.steps if isinstance(s, DiffStep))

    @property
    def partial(self) -> bool:
        """True when the expression has other variables, which are held constant."""
        return len(self.expression.free_symbols | set(self.variables)) > 1
