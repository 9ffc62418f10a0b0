"""The steps of a derivation: frozen records, one type per rule, each computing its own result.

A step's `result` is computed from its fields and sub-steps (never stored beside them), so the
answer a derivation shows and the steps that lead to it cannot disagree. An `explanation` is a
tuple of words and SymPy expressions; each renderer prints the expressions in its own notation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Union

import sympy
from sympy import Basic, Expr, Symbol

from calcgrad.engine.functions import relu, sigmoid, softplus
from calcgrad.engine.pointwise import PointStatus

Explanation = tuple[Union[str, Basic], ...]


@dataclass(frozen=True)
class Formula:
    """A rule's general statement, written once for text and once for LaTeX."""

    text: str
    latex: str


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what it works on, the rule used, and what comes out."""

    expression: Expr

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
        rewrite: Explanation = ()
        if n.is_Rational and not n.is_Integer and n.q == 2 and n.p in (1, -1):
            root = sympy.sqrt(x) if n.p == 1 else 1 / sympy.sqrt(x)
            rewrite = ("write ", root, " as ", sympy.Pow(x, n, evaluate=False), "; ")
        elif n.is_Rational and not n.is_Integer:
            rewrite = ("the root is the fractional power ", sympy.Pow(x, n, evaluate=False), "; ")
        elif n.is_negative:
            rewrite = ("write ", self.expression, " as ", sympy.Pow(x, n, evaluate=False), "; ")
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


# --- elementary functions -------------------------------------------------------------------


def _x() -> Symbol:
    return Symbol("x", real=True)


class FunctionRule(DiffStep):
    """d/dx f(x) = f′(x) for a function f whose derivative is known by heart.

    Subclasses hold the table of derivatives for one family; the argument is the variable itself
    (any other argument goes through the chain rule first).
    """

    table: ClassVar[dict] = {}
    family: ClassVar[str] = "function"

    @classmethod
    def knows(cls, func) -> bool:
        return func in cls.table

    @cached_property
    def result(self) -> Expr:
        return self.table[self.expression.func](self.variable)

    @property
    def explanation(self) -> Explanation:
        return (f"the {self.family} derivative: the derivative of ", self.expression, " is ",
                self.result)


class ExpRule(FunctionRule):
    """d/dx eˣ = eˣ: the exponential is its own derivative."""

    rule: ClassVar[str] = "exp"
    title: ClassVar[str] = "Exponential rule"
    family: ClassVar[str] = "exponential"
    formula: ClassVar[Formula] = Formula("d/dx eˣ = eˣ", r"\frac{d}{dx} e^{x} = e^{x}")
    table: ClassVar[dict] = {sympy.exp: sympy.exp}

    @property
    def explanation(self) -> Explanation:
        return ("e to the ", self.variable, " is its own derivative",)


class LogRule(FunctionRule):
    """d/dx ln(x) = 1/x."""

    rule: ClassVar[str] = "log"
    title: ClassVar[str] = "Natural logarithm rule"
    family: ClassVar[str] = "logarithm"
    formula: ClassVar[Formula] = Formula("d/dx ln(x) = 1/x", r"\frac{d}{dx} \ln x = \frac{1}{x}")
    table: ClassVar[dict] = {sympy.log: lambda x: 1 / x}


class TrigRule(FunctionRule):
    """Derivatives of sin, cos, tan, sec, csc and cot."""

    rule: ClassVar[str] = "trig"
    title: ClassVar[str] = "Trigonometric rule"
    family: ClassVar[str] = "trigonometric"
    table: ClassVar[dict] = {
        sympy.sin: sympy.cos,
        sympy.cos: lambda x: -sympy.sin(x),
        sympy.tan: lambda x: sympy.sec(x) ** 2,
        sympy.sec: lambda x: sympy.sec(x) * sympy.tan(x),
        sympy.csc: lambda x: -sympy.csc(x) * sympy.cot(x),
        sympy.cot: lambda x: -sympy.csc(x) ** 2,
    }


class InverseTrigRule(FunctionRule):
    """Derivatives of arcsin, arccos, arctan, arcsec, arccsc and arccot (real branches)."""

    rule: ClassVar[str] = "inverse_trig"
    title: ClassVar[str] = "Inverse trigonometric rule"
    family: ClassVar[str] = "inverse trigonometric"
    table: ClassVar[dict] = {
        sympy.asin: lambda x: 1 / sympy.sqrt(1 - x**2),
        sympy.acos: lambda x: -1 / sympy.sqrt(1 - x**2),
        sympy.atan: lambda x: 1 / (1 + x**2),
        sympy.acot: lambda x: -1 / (1 + x**2),
        sympy.asec: lambda x: 1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)),
        sympy.acsc: lambda x: -1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)),
    }


class HyperbolicRule(FunctionRule):
    """Derivatives of sinh, cosh, tanh, sech, csch and coth."""

    rule: ClassVar[str] = "hyperbolic"
    title: ClassVar[str] = "Hyperbolic rule"
    family: ClassVar[str] = "hyperbolic"
    table: ClassVar[dict] = {
        sympy.sinh: sympy.cosh,
        sympy.cosh: sympy.sinh,
        sympy.tanh: lambda x: sympy.sech(x) ** 2,
        sympy.sech: lambda x: -sympy.sech(x) * sympy.tanh(x),
        sympy.csch: lambda x: -sympy.csch(x) * sympy.coth(x),
        sympy.coth: lambda x: -sympy.csch(x) ** 2,
    }


class InverseHyperbolicRule(FunctionRule):
    """Derivatives of arsinh, arcosh, artanh, arsech, arcsch and arcoth (real branches)."""

    rule: ClassVar[str] = "inverse_hyperbolic"
    title: ClassVar[str] = "Inverse hyperbolic rule"
    family: ClassVar[str] = "inverse hyperbolic"
    table: ClassVar[dict] = {
        sympy.asinh: lambda x: 1 / sympy.sqrt(x**2 + 1),
        sympy.acosh: lambda x: 1 / sympy.sqrt(x**2 - 1),
        sympy.atanh: lambda x: 1 / (1 - x**2),
        sympy.acoth: lambda x: 1 / (1 - x**2),
        sympy.asech: lambda x: -1 / (x * sympy.sqrt(1 - x**2)),
        sympy.acsch: lambda x: -1 / (sympy.Abs(x) * sympy.sqrt(1 + x**2)),
    }


class AbsRule(FunctionRule):
    """d/dx |x| = x/|x| = sign(x), for x ≠ 0 (no derivative at 0)."""

    rule: ClassVar[str] = "abs"
    title: ClassVar[str] = "Absolute value rule"
    family: ClassVar[str] = "absolute value"
    formula: ClassVar[Formula] = Formula("d/dx |x| = x/|x| = sign(x), x ≠ 0",
                                         r"\frac{d}{dx} |x| = \frac{x}{|x|} = \operatorname{sign}(x),\ x \neq 0")
    table: ClassVar[dict] = {sympy.Abs: sympy.sign}

    @property
    def explanation(self) -> Explanation:
        return ("|", self.variable, "| has slope 1 where ", self.variable, " > 0 and −1 where ",
                self.variable, " < 0, which is sign(", self.variable, "); there is no derivative at 0")


class SignRule(FunctionRule):
    """d/dx sign(x) = 0 for x ≠ 0: sign is flat on each side; at 0 it jumps (no derivative)."""

    rule: ClassVar[str] = "sign"
    title: ClassVar[str] = "Sign rule"
    family: ClassVar[str] = "sign"
    formula: ClassVar[Formula] = Formula("d/dx sign(x) = 0, x ≠ 0",
                                         r"\frac{d}{dx} \operatorname{sign}(x) = 0,\ x \neq 0")
    table: ClassVar[dict] = {sympy.sign: lambda x: sympy.S.Zero}

    @property
    def explanation(self) -> Explanation:
        return ("sign(", self.variable, ") is −1 for ", self.variable, " < 0 and 1 for ",
                self.variable, " > 0, flat on each side, so its derivative is 0 there; at 0 it "
                "jumps and has no derivative")


class StepRule(FunctionRule):
    """d/dx step(x) = 0 for x ≠ 0: the unit step is flat on each side and jumps at 0."""

    rule: ClassVar[str] = "step"
    title: ClassVar[str] = "Step rule"
    family: ClassVar[str] = "step"
    formula: ClassVar[Formula] = Formula("d/dx step(x) = 0, x ≠ 0",
                                         r"\frac{d}{dx} \operatorname{step}(x) = 0,\ x \neq 0")
    table: ClassVar[dict] = {sympy.Heaviside: lambda x: sympy.S.Zero}

    @classmethod
    def knows(cls, func) -> bool:
        return func is sympy.Heaviside

    @property
    def explanation(self) -> Explanation:
        return ("step(", self.variable, ") is 0 for ", self.variable, " < 0 and 1 for ",
                self.variable, " > 0, flat on each side, so its derivative is 0 there; at 0 it "
                "jumps and has no derivative (no Dirac delta in ordinary calculus)")


class SigmoidRule(FunctionRule):
    """σ′(x) = σ(x)·(1 − σ(x)) for the logistic sigmoid σ(x) = 1/(1 + e^(−x))."""

    rule: ClassVar[str] = "sigmoid"
    title: ClassVar[str] = "Sigmoid rule"
    family: ClassVar[str] = "sigmoid"
    formula: ClassVar[Formula] = Formula("σ′(x) = σ(x)·(1 − σ(x))",
                                         r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)")
    table: ClassVar[dict] = {sigmoid: lambda x: sigmoid(x) * (1 - sigmoid(x))}

    @property
    def explanation(self) -> Explanation:
        return ("with σ(x) = 1/(1 + e^(−x)), the derivative is σ(x)·(1 − σ(x)): ", self.result)


class ReluRule(FunctionRule):
    """ReLU′(x) = step(x): 1 for x > 0, 0 for x < 0, taken as 0 at the kink x = 0."""

    rule: ClassVar[str] = "relu"
    title: ClassVar[str] = "ReLU rule"
    family: ClassVar[str] = "ReLU"
    formula: ClassVar[Formula] = Formula("ReLU′(x) = step(x) = 1 if x > 0, 0 if x < 0",
                                         r"\operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}")
    table: ClassVar[dict] = {relu: lambda x: sympy.Heaviside(x, 0)}

    @property
    def explanation(self) -> Explanation:
        return ("ReLU(x) = max(0, x) has slope 1 for x > 0 and 0 for x < 0; at x = 0 it has no "
                "derivative and, as deep-learning libraries do, we take 0",)


class SoftplusRule(FunctionRule):
    """softplus′(x) = σ(x), since softplus(x) = ln(1 + eˣ)."""

    rule: ClassVar[str] = "softplus"
    title: ClassVar[str] = "Softplus rule"
    family: ClassVar[str] = "softplus"
    formula: ClassVar[Formula] = Formula("softplus′(x) = σ(x)",
                                         r"\operatorname{softplus}'(x) = \sigma(x)")
    table: ClassVar[dict] = {softplus: sigmoid}

    @property
    def explanation(self) -> Explanation:
        return ("softplus(x) = ln(1 + eˣ), whose derivative eˣ/(1 + eˣ) is the sigmoid σ(x)",)


FUNCTION_RULES: tuple[type[FunctionRule], ...] = (
    ExpRule, LogRule, TrigRule, InverseTrigRule, HyperbolicRule, InverseHyperbolicRule,
    AbsRule, SignRule, StepRule, SigmoidRule, ReluRule, SoftplusRule,
)


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
        return sympy.diff(self.expression, self.variable)

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
    QuotientRule, ChainRule, *FUNCTION_RULES, ExponentialRule, LogBaseRule,
    LogarithmicDifferentiationRule, PiecewiseRule, StandardDerivative, SimplifyStep, EvaluateStep,
)
