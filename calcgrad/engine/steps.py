"""The steps of a derivation: frozen records, one type per rule, each computing its own result.

A step's `result` is computed from its fields and sub-steps (never stored beside them), so the
answer a derivation shows and the steps that lead to it cannot disagree. An `explanation` is a
tuple of words and SymPy expressions; each renderer prints the expressions in its own notation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import sympy
from sympy import Basic, Expr, Symbol

from calcgrad.engine.functions import Explanation, Formula, FunctionEntry, with_kink_convention
from calcgrad.engine.pointwise import PointStatus



@dataclass(frozen=True)
class Step:
    """One step of a derivation: what it works on, the rule used, and what comes out."""

    expression: Expr
    verified: bool | None = field(default=None, kw_only=True, compare=False)
    """Whether the independent check (calcgrad.engine.verify) confirmed this step's result when
    it was made: True, False, or None when it was not checked (verify=False)."""

    rule: ClassVar[str] = "step"
    title: ClassVar[str] = "Step"
    formula: ClassVar[Formula | None] = None

    @property
    def substeps(self) -> tuple[Step, ...]:
        return ()

    @property
    def result(self) -> Expr:
        raise NotImplementedError

    @property
    def explanation(self) -> Explanation:
        raise NotImplementedError

    def walk(self):
        """This step and every step below it, depth first."""
        yield self
        for sub in self.substeps:
            yield from sub.walk()


@dataclass(frozen=True)
class DiffStep(Step):
    """d/d(variable) of expression; `result` is that derivative."""

    variable: Symbol

    @property
    def held_constant(self) -> tuple[Symbol, ...]:
        """Other variables in the expression, treated as constants here."""
        others = self.expression.free_symbols - {self.variable}
        return tuple(sorted(others, key=lambda s: s.name))


# --- basic rules -------------------------------------------------------------------------


class ConstantRule(DiffStep):
    """d/dx c = 0 for any c that does not depend on x."""

    rule: ClassVar[str] = "constant"
    title: ClassVar[str] = "Constant rule"
    formula: ClassVar[Formula] = Formula("d/dx c = 0", r"\frac{d}{dx} c = 0")

    @cached_property
    def result(self) -> Expr:
        return sympy.S.Zero

    @property
    def explanation(self) -> Explanation:
        held = self.held_constant
        if held:
            names = _join(held)
            verb = "is" if len(held) == 1 else "are"
            return (*names, f" {verb} held constant, so ", self.expression,
                    " does not change with ", self.variable, " and its derivative is 0")
        return (self.expression, " is a constant; the derivative of a constant is 0")


class VariableRule(DiffStep):
    """d/dx x = 1."""

    rule: ClassVar[str] = "variable"
    title: ClassVar[str] = "Variable rule"
    formula: ClassVar[Formula] = Formula("d/dx x = 1", r"\frac{d}{dx} x = 1")

    @cached_property
    def result(self) -> Expr:
        return sympy.S.One

    @property
    def explanation(self) -> Explanation:
        return ("the derivative of ", self.variable, " with respect to itself is 1",)


@dataclass(frozen=True)
class ConstantMultipleRule(DiffStep):
    """(c·f)′ = c·f′: a constant factor stays, the rest is differentiated."""

    constant: Expr
    inner: DiffStep

    rule: ClassVar[str] = "constant_multiple"
    title: ClassVar[str] = "Constant multiple rule"
    formula: ClassVar[Formula] = Formula("(c·f)′ = c·f′", r"(c\,f)' = c\,f'")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return (self.inner,)

    @cached_property
    def result(self) -> Expr:
        return self.constant * self.inner.result

    @property
    def explanation(self) -> Explanation:
        held = tuple(sorted(self.constant.free_symbols, key=lambda s: s.name))
        note: Explanation = ()
        if held:
            note = (" (", *_join(held), " held constant)")
        return ("the factor ", self.constant, " does not depend on ", self.variable, *note,
                "; keep it and differentiate ", self.inner.expression)


@dataclass(frozen=True)
class SumRule(DiffStep):
    """(f + g)′ = f′ + g′: differentiate term by term."""

    terms: tuple[DiffStep, ...]

    rule: ClassVar[str] = "sum"
    title: ClassVar[str] = "Sum rule"
    formula: ClassVar[Formula] = Formula("(f ± g)′ = f′ ± g′", r"(f \pm g)' = f' \pm g'")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return self.terms

    @cached_property
    def result(self) -> Expr:
        return sympy.Add(*(term.result for term in self.terms))

    @property
    def explanation(self) -> Explanation:
        return (f"differentiate each of the {len(self.terms)} terms separately and add the results",)


class PowerRule(DiffStep):
    """d/dx xⁿ = n·xⁿ⁻¹ for any constant n (negative and fractional included)."""

    rule: ClassVar[str] = "power"
    title: ClassVar[str] = "Power rule"
    formula: ClassVar[Formula] = Formula("d/dx xⁿ = n·xⁿ⁻¹", r"\frac{d}{dx} x^{n} = n\,x^{n-1}")

    @property
    def exponent(self) -> Expr:
        return self.expression.exp

    @cached_property
    def result(self) -> Expr:
        n = self.exponent
        return n * self.variable ** (n - 1)

    @property
    def explanation(self) -> Explanation:
        n, x = self.exponent, self.variable
        # UnevaluatedExpr marks the power form: every printer writes it as a power (x⁻¹,
        # x^(1/2)), where a bare Pow prints as 1/x and √x (calcgrad.render.notation)
        power = sympy.UnevaluatedExpr(sympy.Pow(x, n, evaluate=False))
        rewrite: Explanation = ()
        if n.is_negative or n == sympy.S.Half:  # 1/x, 1/x², √x, 1/√x, 1/x^(3/2)
            rewrite = ("write ", self.expression, " as ", power, "; ")
        elif n.is_Rational and not n.is_Integer and n.p == 1:  # a cube root or higher
            rewrite = ("the root is the fractional power ", power, "; ")
        return (*rewrite, "bring down the exponent ", n, " and lower it by 1 to ", n - 1)


@dataclass(frozen=True)
class ProductRule(DiffStep):
    """(f·g)′ = f′·g + f·g′; for n factors, differentiate one factor at a time and add."""

    factors: tuple[Expr, ...]
    derivatives: tuple[DiffStep, ...]

    rule: ClassVar[str] = "product"
    title: ClassVar[str] = "Product rule"
    formula: ClassVar[Formula] = Formula("(f·g)′ = f′·g + f·g′", r"(f\,g)' = f'\,g + f\,g'")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return self.derivatives

    @cached_property
    def result(self) -> Expr:
        terms = []
        for i, step in enumerate(self.derivatives):
            others = self.factors[:i] + self.factors[i + 1:]
            terms.append(sympy.Mul(step.result, *others))
        return sympy.Add(*terms)

    @property
    def explanation(self) -> Explanation:
        if len(self.factors) == 2:
            f, g = self.factors
            return ("with f = ", f, " and g = ", g, ": differentiate each factor, "
                    "multiply by the other, and add")
        return (f"{len(self.factors)} factors: differentiate one factor at a time, keep the "
                "others, and add the results",)


@dataclass(frozen=True)
class QuotientRule(DiffStep):
    """(f/g)′ = (f′·g − f·g′)/g²."""

    numerator: Expr
    denominator: Expr
    numerator_step: DiffStep
    denominator_step: DiffStep

    rule: ClassVar[str] = "quotient"
    title: ClassVar[str] = "Quotient rule"
    formula: ClassVar[Formula] = Formula("(f/g)′ = (f′·g − f·g′)/g²",
                                         r"\left(\frac{f}{g}\right)' = \frac{f'\,g - f\,g'}{g^{2}}")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return (self.numerator_step, self.denominator_step)

    @cached_property
    def result(self) -> Expr:
        f, g = self.numerator, self.denominator
        df, dg = self.numerator_step.result, self.denominator_step.result
        return (df * g - f * dg) / g**2

    @property
    def explanation(self) -> Explanation:
        return ("with f = ", self.numerator, " and g = ", self.denominator,
                ": (f′·g − f·g′) over g squared")


@dataclass(frozen=True)
class ChainRule(DiffStep):
    """d/dx f(u) = f′(u)·du/dx, with u the inner function."""

    inner: Expr
    u: Symbol
    outer: DiffStep
    inner_step: DiffStep

    rule: ClassVar[str] = "chain"
    title: ClassVar[str] = "Chain rule"
    formula: ClassVar[Formula] = Formula("d/dx f(u) = f′(u)·du/dx",
                                         r"\frac{d}{dx} f(u) = f'(u)\,\frac{du}{dx}")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return (self.outer, self.inner_step)

    @cached_property
    def result(self) -> Expr:
        return self.outer.result.subs(self.u, self.inner) * self.inner_step.result

    @property
    def explanation(self) -> Explanation:
        return ("let ", self.u, " = ", self.inner, "; differentiate the outer function ",
                self.outer.expression, " with respect to ", self.u,
                ", put ", self.inner, " back for ", self.u, ", and multiply by the inner derivative ",
                self.inner_step.result)


# --- functions from the function table --------------------------------------------------------


@dataclass(frozen=True)
class FunctionRule(DiffStep):
    """d/dx f(x) = f′(x) for a function f of the function table (calcgrad.engine.functions).

    The rule's name, title, formula, explanation and f′ all come from the table entry; the
    argument is the variable itself (any other argument goes through the chain rule first).
    Extra arguments that do not depend on the variable (Max(0, x), Heaviside(x, 0)) stay as
    they are.
    """

    entry: FunctionEntry

    @property
    def rule(self) -> str:  # type: ignore[override]
        return self.entry.rule

    @property
    def title(self) -> str:  # type: ignore[override]
        return self.entry.title

    @property
    def formula(self) -> Formula | None:  # type: ignore[override]
        return self.entry.formula

    @cached_property
    def result(self) -> Expr:
        others = [a for a in self.expression.args if a != self.variable]
        return self.entry.derivative(self.variable, *others)

    @property
    def explanation(self) -> Explanation:
        if self.entry.explanation is not None:
            return self.entry.explanation(self.variable, self.result)
        return (f"the {self.entry.family} derivative: the derivative of ", self.expression, " is ",
                self.result)


class ExponentialRule(DiffStep):
    """d/dx aˣ = aˣ·ln(a) for a constant base a > 0."""

    rule: ClassVar[str] = "exponential"
    title: ClassVar[str] = "Exponential rule (constant base)"
    formula: ClassVar[Formula] = Formula("d/dx aˣ = aˣ·ln(a)", r"\frac{d}{dx} a^{x} = a^{x} \ln a")

    @cached_property
    def result(self) -> Expr:
        return self.expression * sympy.log(self.expression.base)

    @property
    def explanation(self) -> Explanation:
        base = self.expression.base
        return ("the base ", base, " is constant and the variable is in the exponent: "
                "multiply by ln(", base, ") — this is not the power rule")


@dataclass(frozen=True)
class LogBaseRule(DiffStep):
    """d/dx log_b(x) = 1/(x·ln(b)), from log_b(x) = ln(x)/ln(b)."""

    base: Expr

    rule: ClassVar[str] = "log_base"
    title: ClassVar[str] = "Logarithm rule (base b)"
    formula: ClassVar[Formula] = Formula("d/dx log_b(x) = 1/(x·ln(b))",
                                         r"\frac{d}{dx} \log_{b} x = \frac{1}{x \ln b}")

    @cached_property
    def result(self) -> Expr:
        return 1 / (self.variable * sympy.log(self.base))

    @property
    def explanation(self) -> Explanation:
        return ("change of base: log base ", self.base, " of ", self.variable, " is ln(",
                self.variable, ")/ln(", self.base, "), so its derivative is 1/(", self.variable,
                "·ln(", self.base, "))")


@dataclass(frozen=True)
class LogarithmicDifferentiationRule(DiffStep):
    """y = f^g with x in base and exponent: ln y = g·ln f, so y′ = y·(g·ln f)′."""

    log_form: Expr
    log_step: DiffStep

    rule: ClassVar[str] = "logarithmic_differentiation"
    title: ClassVar[str] = "Logarithmic differentiation"
    formula: ClassVar[Formula] = Formula("y = f^g ⇒ ln y = g·ln f ⇒ y′ = y·(g·ln f)′",
                                         r"y = f^{g} \Rightarrow \ln y = g \ln f \Rightarrow y' = y\,(g \ln f)'")

    @property
    def substeps(self) -> tuple[Step, ...]:
        return (self.log_step,)

    @cached_property
    def result(self) -> Expr:
        return self.expression * self.log_step.result

    @property
    def explanation(self) -> Explanation:
        return ("the variable is in both base and exponent, so neither the power rule nor the "
                "exponential rule applies; take logs: ln y = ", self.log_form,
                ", differentiate, and multiply by y = ", self.expression)


@dataclass(frozen=True)
class PiecewiseRule(DiffStep):
    """Differentiate each piece on its own interval."""

    pieces: tuple[DiffStep, ...]
    conditions: tuple[Basic, ...]

    rule: ClassVar[str] = "piecewise"
    title: ClassVar[str] = "Piecewise rule"

    @property
    def substeps(self) -> tuple[Step, ...]:
        return self.pieces

    @cached_property
    def result(self) -> Expr:
        return sympy.Piecewise(*((p.result, c) for p, c in zip(self.pieces, self.conditions)))

    @property
    def explanation(self) -> Explanation:
        return ("differentiate each piece where it applies; at a boundary between pieces the "
                "derivative exists only if the one-sided slopes agree",)


class StandardDerivative(DiffStep):
    """A function with no rule here: its standard derivative, taken from SymPy."""

    rule: ClassVar[str] = "standard"
    title: ClassVar[str] = "Standard derivative"

    @cached_property
    def result(self) -> Expr:
        return with_kink_convention(sympy.diff(self.expression, self.variable), keep=self.expression)

    @property
    def explanation(self) -> Explanation:
        name = getattr(self.expression.func, "__name__", "this function")
        return (f"standard derivative of {name}, from SymPy's table",)


# --- steps that rewrite rather than differentiate -------------------------------------------


@dataclass(frozen=True)
class SimplifyStep(Step):
    """Tidy a raw result into a shorter equal form; the value never changes."""

    simplified: Expr
    reason: str = ""

    rule: ClassVar[str] = "simplify"
    title: ClassVar[str] = "Simplify"

    @property
    def result(self) -> Expr:
        return self.simplified

    @property
    def explanation(self) -> Explanation:
        if self.simplified == self.expression:
            return ("nothing more to simplify",)
        return (self.reason or "collect terms and common factors",)


@dataclass(frozen=True)
class EvaluateStep(Step):
    """Substitute numbers for the variables: f′(a), or why it does not exist there."""

    point: tuple[tuple[Symbol, Expr], ...]
    value: Expr
    status: PointStatus = PointStatus()

    rule: ClassVar[str] = "evaluate"
    title: ClassVar[str] = "Evaluate"

    @property
    def result(self) -> Expr:
        return self.value

    @property
    def exists(self) -> bool:
        """False when the function or its derivative does not exist at the point."""
        return self.status.exists

    @property
    def note(self) -> str:
        return self.status.message

    @property
    def explanation(self) -> Explanation:
        parts: list = ["substitute "]
        for i, (symbol, value) in enumerate(self.point):
            parts += [", " if i else "", symbol, " = ", value]
        if not self.exists:
            parts.append("; there is no value")
        if self.status.message:
            parts.append(f"; {self.status.message}")
        return tuple(parts)


def _join(symbols) -> Explanation:
    """Symbols separated by commas, as explanation parts."""
    parts: list = []
    for i, symbol in enumerate(symbols):
        parts += [", " if i else "", symbol]
    return tuple(p for p in parts if p != "")


ALL_STEP_TYPES: tuple[type[Step], ...] = (
    ConstantRule, VariableRule, ConstantMultipleRule, SumRule, PowerRule, ProductRule,
    QuotientRule, ChainRule, FunctionRule, ExponentialRule, LogBaseRule,
    LogarithmicDifferentiationRule, PiecewiseRule, StandardDerivative, SimplifyStep, EvaluateStep,
)
