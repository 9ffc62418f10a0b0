"""Named mistakes: re-derive with one rule swapped for a common faulty version of it, and see
whether that reproduces the student's answer.

The engine builds the correct step tree once. A *mutation* names one step of that tree and a
faulty formula for its result, computed from the step's own fields and sub-steps (the quotient
rule with its numerator reversed, the power rule with the exponent not lowered …). Applying
mutations rebuilds only the steps on the path from the mutated step to the root — each step
computes its result from its sub-steps, so the faulty result flows up exactly as a student's
slip would — and leaves the engine's own code path untouched: `derive_step` knows nothing of
mutations. Every step is tried in turn, then pairs of mutations (bounded), then mistakes of
the whole answer (its sign, a constant factor, an antiderivative, another variable).

A candidate is first screened against the answer's values at a few points, then confirmed with
the full comparison of calcgrad.grading.equivalence, so a named mistake is always an exact match.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.engine.derivation import Derivation
from calcgrad.grading.equivalence import EQUAL, Sampler, compare, numeric_function, values_differ
from calcgrad.render.notation import to_ascii, to_text
from calcgrad.engine.steps import (
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    DiffStep,
    ExponentialRule,
    FunctionRule,
    LogBaseRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    Step,
)
from calcgrad.render.common import operator_text

CODES: dict[str, str] = {
    "missing_chain_factor": "chain rule without the inner derivative",
    "product_as_product_of_derivatives": "(f·g)′ taken as f′·g′",
    "quotient_numerator_reversed": "quotient rule with f·g′ − f′·g on top",
    "quotient_missing_square": "quotient rule without squaring the denominator",
    "trig_sign": "sign of a trigonometric or hyperbolic derivative flipped",
    "function_derivative_wrong": "a standard derivative misremembered (tan′ = sec, σ′ = σ …)",
    "power_not_reduced": "power rule without lowering the exponent",
    "power_coefficient_missing": "power rule without bringing down the exponent",
    "exponential_as_power": "power rule applied to aˣ or eˣ",
    "log_derivative_wrong": "wrong derivative of a logarithm",
    "held_constant_differentiated": "a variable held constant was differentiated",
    "constant_not_dropped": "a constant term kept instead of dropped",
    "integrated_instead": "an antiderivative instead of the derivative",
    "wrong_variable": "the derivative with respect to another variable, or in other letters",
    "constant_factor": "off by a constant factor",
    "sign_error": "a minus sign lost: the whole answer negated, or a factor −1 dropped in a step",
    "sign_slip": "the sign of one term flipped",
    "dropped_term": "one term of the derivative left out",
    "quotient_of_derivatives": "(f/g)′ taken as f′/g′",
    "wrong_order": "the derivative of another order (f′ where f″ was asked, or the reverse)",
    "function_itself": "the function itself instead of its derivative",
    "constant_of_integration": "a '+ C' added to a derivative",
}

SIGN_FLIPS = frozenset({"quotient_numerator_reversed", "trig_sign", "sign_error", "sign_slip"})
"""Mistakes that each flip one sign: two of them together are never named for one answer
(they would cancel or contradict; one sign slip explains such an answer better)."""

MAX_TERMS = 12
"""Most terms tried one by one for a sign slip or a dropped term."""
"""Every mistake code, with a short description (for reports)."""


# --- where in the derivation ----------------------------------------------------------------


@dataclass(frozen=True)
class StepInfo:
    """The step of the correct derivation where an answer parts from it."""

    number: str
    rule: str
    title: str
    expression: Expr
    variable: Symbol
    expected: Expr
    given: Expr | None = None

    def to_dict(self) -> dict:
        return {"number": self.number, "rule": self.rule, "title": self.title,
                "expression": to_ascii(self.expression), "variable": to_ascii(self.variable),
                "expected": to_ascii(self.expected),
                "given": None if self.given is None else to_ascii(self.given)}


@dataclass(frozen=True)
class Diagnosis:
    """Named mistakes that reproduce an answer, with a sentence for each."""

    mistakes: tuple[str, ...]
    feedback: tuple[str, ...]
    step: StepInfo | None = None


# --- mutations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One step of the correct tree, to be given a faulty result."""

    code: str
    step: DiffStep
    number: str
    stage: int
    faulty: Callable[[DiffStep], Expr]
    """The faulty result, computed from the step as rebuilt (its sub-steps may be faulty too)."""
    detail: str
    """What went wrong, in words (a clause for the feedback sentence)."""

    def sentence(self) -> str:
        title = self.step.title
        if not any(c.isupper() for c in title.split()[0][1:]):  # "Product rule" → "product rule"; "SiLU rule" stays
            title = title[0].lower() + title[1:]
        return f"Step {self.number}, {title} on {to_text(self.step.expression)}: {self.detail}."


@dataclass(frozen=True)
class FaultyStep(DiffStep):
    """A step whose result is a faulty version of the rule's (used only inside this module)."""

    original: DiffStep
    faulty: Expr

    rule = "faulty"
    title = "Faulty step"

    @property
    def result(self) -> Expr:
        return self.faulty

    @property
    def substeps(self) -> tuple[Step, ...]:
        return self.original.substeps

    @property
    def explanation(self):
        return ("a common mistake in place of ", self.original.title)


def mutations(derivation: Derivation) -> list[Mutation]:
    """Every faulty variant of every step, stage by stage, numbered as the outline numbers them."""
    found: list[Mutation] = []
    for stage, root in enumerate(derivation.stages):

        def visit(step: Step, number: str) -> None:
            if isinstance(step, DiffStep):
                found.extend(_faults(step, number, stage))
            for i, sub in enumerate(step.substeps, start=1):
                visit(sub, f"{number}.{i}")

        visit(root, str(2 * stage + 1))
    return found


def _faults(step: DiffStep, number: str, stage: int) -> list[Mutation]:
    def make(code, faulty, detail):
        return Mutation(code, step, number, stage, faulty, detail)

    x = step.variable
    out: list[Mutation] = []
    if isinstance(step, ChainRule):
        inner_derivative = step.inner_step.result
        if inner_derivative != 1:
            is_log = isinstance(step.outer, LogBaseRule) or (
                isinstance(step.outer, FunctionRule) and step.outer.rule == "log")
            # The outer derivative at the inner function without the inner factor is the same
            # slip for every outer function, ln included: one code, so a key's credit for it
            # applies everywhere. A wrong outer derivative is the outer step's own mutation.
            detail = (f"the inner derivative {to_text(inner_derivative)} is missing"
                      + (" (d/dx ln u = u′/u)" if is_log else ""))
            out.append(make("missing_chain_factor",
                            lambda s: s.outer.result.subs(s.u, s.inner), detail))
    elif isinstance(step, ProductRule):
        out.append(make("product_as_product_of_derivatives",
                        lambda s: sympy.Mul(*(d.result for d in s.derivatives)),
                        "the derivative of a product is not the product of the derivatives; "
                        "(f·g)′ = f′·g + f·g′"))
    elif isinstance(step, QuotientRule):
        def reversed_numerator(s):
            f, g = s.numerator, s.denominator
            return (f * s.denominator_step.result - s.numerator_step.result * g) / g**2

        def unsquared(s):
            f, g = s.numerator, s.denominator
            return (s.numerator_step.result * g - f * s.denominator_step.result) / g

        out.append(make("quotient_numerator_reversed", reversed_numerator,
                        "the numerator is reversed: it is f′·g − f·g′, not f·g′ − f′·g"))
        out.append(make("quotient_missing_square", unsquared,
                        f"the denominator must be squared, g² = {to_text(step.denominator**2)}"))
        out.append(make("quotient_of_derivatives",
                        lambda s: s.numerator_step.result / s.denominator_step.result,
                        "the derivative of a quotient is not the quotient of the derivatives; "
                        "(f/g)′ = (f′·g − f·g′)/g²"))
    elif isinstance(step, PowerRule):
        n = step.exponent
        if n.is_negative:
            k = -n
            out.append(make("quotient_missing_square", lambda s, k=k: -k / s.variable,
                            f"as a quotient 1/{to_text(x**k)}, the denominator must be squared"))
        out.append(make("power_not_reduced", lambda s: s.exponent * s.variable**s.exponent,
                        f"after bringing down the exponent {to_text(n)}, lower it by 1 to "
                        f"{to_text(n - 1)}"))
        out.append(make("power_coefficient_missing", lambda s: s.variable**(s.exponent - 1),
                        f"the exponent {to_text(n)} must come down as a factor"))
        if n != -1:
            out.append(make("integrated_instead",
                            lambda s: s.variable**(s.exponent + 1) / (s.exponent + 1),
                            "this is the antiderivative (raise the exponent and divide); "
                            "the derivative lowers the exponent"))
    elif isinstance(step, ExponentialRule):
        out.append(make("exponential_as_power",
                        lambda s: s.variable * s.expression.subs(s.variable, s.variable - 1),
                        "the variable is in the exponent, so the power rule does not apply; "
                        "d/dx aˣ = aˣ·ln a and d/dx eˣ = eˣ"))
        base = step.expression.base
        out.append(make("constant_factor", lambda s: s.expression,
                        f"the factor ln({to_text(base)}) is missing (d/dx aˣ = aˣ·ln a)"))
    elif isinstance(step, LogBaseRule):
        out.append(make("log_derivative_wrong", lambda s: 1 / s.variable,
                        f"the factor 1/ln({to_text(step.base)}) from the change of base is missing"))
    elif isinstance(step, FunctionRule):
        for fault in step.entry.faulty:  # the function table's common wrong derivatives
            detail = fault.detail.format(expression=to_text(step.expression),
                                         derivative=to_text(step.result), variable=to_text(x))
            out.append(make(fault.code, lambda s, f=fault: f.derivative(s.variable), detail))
    elif isinstance(step, ConstantRule) and step.expression != 0:
        out.append(make("constant_not_dropped", lambda s: s.expression,
                        f"{to_text(step.expression)} does not depend on {to_text(x)}, so its "
                        "derivative is 0; drop it"))
        for held in step.held_constant:
            what = ("" if step.expression == held
                    else f", so {to_text(step.expression)} is a constant,")
            out.append(make("held_constant_differentiated",
                            lambda s, h=held: sympy.diff(s.expression, h),
                            f"{to_text(held)} is held constant{what} and its derivative is 0"))
    elif isinstance(step, ConstantMultipleRule):
        if step.constant == -1:  # a lost minus is a sign error, not a "constant factor"
            out.append(make("sign_error", lambda s: s.inner.result,
                            f"the minus sign was dropped: the derivative of "
                            f"{to_text(step.expression)} is {to_text(step.result)}"))
        else:
            out.append(make("constant_factor", lambda s: s.inner.result,
                            f"the constant factor {to_text(step.constant)} was dropped"))
        for held in sorted(step.constant.free_symbols - {x}, key=lambda s: s.name):
            note = (f"{to_text(held)} is held constant, so the factor {to_text(step.constant)} "
                    "stays as it is")
            out.append(make("held_constant_differentiated",
                            lambda s, h=held: (sympy.diff(s.constant, h) * s.inner.expression
                                               + s.constant * s.inner.result),
                            note + " (no product rule)"))
            out.append(make("held_constant_differentiated",
                            lambda s, h=held: sympy.diff(s.constant, h) * s.inner.expression,
                            note))
    return out


def apply(derivation: Derivation, chosen: tuple[Mutation, ...]) -> Expr:
    """The final result of the derivation with the chosen mutations (all in one stage)."""
    stage = chosen[0].stage
    faults = {id(m.step): m for m in chosen}
    targets = _ancestors(derivation.stages[stage], set(faults))
    result = _rebuild(derivation.stages[stage], faults, targets).result
    for variable in derivation.variables[stage + 1:]:
        result = sympy.diff(result, variable)
    return result


def _ancestors(root: Step, wanted: set[int]) -> set[int]:
    """ids of the wanted steps and of every step above them."""
    found: set[int] = set()

    def visit(step: Step) -> bool:
        below = any([visit(sub) for sub in step.substeps])
        if below or id(step) in wanted:
            found.add(id(step))
            return True
        return False

    visit(root)
    return found


def _rebuild(step: Step, faults: dict, targets: set[int]) -> Step:
    if id(step) not in targets:
        return step
    changes = {}
    for f in dataclasses.fields(step):
        value = getattr(step, f.name)
        if isinstance(value, Step):
            new = _rebuild(value, faults, targets)
            if new is not value:
                changes[f.name] = new
        elif isinstance(value, tuple) and value and isinstance(value[0], Step):
            new_tuple = tuple(_rebuild(v, faults, targets) for v in value)
            if any(a is not b for a, b in zip(new_tuple, value)):
                changes[f.name] = new_tuple
    rebuilt = dataclasses.replace(step, **changes) if changes else step
    mutation = faults.get(id(step))
    if mutation is None:
        return rebuilt
    faulty = sympy.sympify(mutation.faulty(rebuilt), strict=True)
    return FaultyStep(step.expression, step.variable, rebuilt, faulty)


# --- matching an answer -----------------------------------------------------------------------


class _Matcher:
    """Screens candidates against the answer's values at a few points, then confirms exactly."""

    SCREEN_POINTS = 5

    def __init__(self, answer: Expr, symbols, domain: Expr | None, deadline: float):
        self.answer, self.symbols, self.domain, self.deadline = answer, tuple(symbols), domain, deadline
        sampler = Sampler(self.symbols, domain)
        f_answer = numeric_function(self.symbols, answer)
        self.points, self.values = [], []
        with mpmath.workdps(30):
            for point in sampler.points():
                args = [mpmath.mpf(p.numerator) / p.denominator for p in point]
                value = f_answer(*args) if sampler.in_domain(args) else None
                if value is not None:
                    self.points.append(args)
                    self.values.append(value)
                if len(self.points) >= self.SCREEN_POINTS:
                    break

    def matches(self, candidate: Expr) -> bool:
        if not self.points or time.monotonic() > self.deadline:
            return False
        function = numeric_function(self.symbols, candidate)
        with mpmath.workdps(30):
            for args, value in zip(self.points, self.values):
                got = function(*args)
                if got is None or values_differ(got, value):
                    return False
        seconds = max(0.05, self.deadline - time.monotonic())
        return compare(candidate, self.answer, self.symbols, domain=self.domain,
                       seconds=seconds).status == EQUAL

    def slope_matches(self, function: Expr, x: Symbol) -> bool:
        """A cheap screen: the answer's numerical slope equals `function` at the screen points."""
        if x not in self.symbols or len(self.symbols) != 1:
            return len(self.symbols) != 1  # several variables: no screen, let the exact check decide
        f_answer = numeric_function(self.symbols, self.answer)
        f_function = numeric_function(self.symbols, function)
        with mpmath.workdps(30):
            for args in self.points[:3]:
                try:
                    slope = mpmath.diff(lambda t: _defined(f_answer(t)), args[0])
                except (_Undefined, ZeroDivisionError, ValueError):
                    return False
                value = f_function(*args)
                if value is None or abs(slope - value) > mpmath.mpf(10) ** -12 * max(1, abs(value)):
                    return False
        return True

    def ratio(self, expected: Expr) -> Fraction | None:
        """A rational c ≠ 0, ±1 (small denominator) with answer = c·expected at every point."""
        function = numeric_function(self.symbols, expected)
        ratios = []
        with mpmath.workdps(30):
            for args, value in zip(self.points, self.values):
                got = function(*args)
                if got is None or got == 0:
                    continue
                ratios.append(value / got)
        if len(ratios) < 3 or any(values_differ(r, ratios[0]) for r in ratios):
            return None
        guess = Fraction(mpmath.nstr(ratios[0], 20)).limit_denominator(1000)
        return guess if guess not in (0, 1, -1) else None


class _Undefined(Exception):
    """A value needed for a screen is undefined."""


def _defined(value):
    if value is None:
        raise _Undefined
    return value


def diagnose(derivation: Derivation, answer: Expr, *, seconds: float = limits.DIAGNOSE_SECONDS) -> Diagnosis | None:
    """The named mistake (or pair) that turns the correct derivation into `answer`, if any."""
    deadline = time.monotonic() + seconds
    problem = derivation.expression
    symbols = sorted(problem.free_symbols | answer.free_symbols | set(derivation.variables),
                     key=lambda s: s.name)
    matcher = _Matcher(answer, symbols, problem, deadline)
    if not matcher.points:
        return None
    candidates = mutations(derivation)
    for mutation in candidates:
        if matcher.matches(apply(derivation, (mutation,))):
            return _diagnosis((mutation,))
    whole = _other_variable(derivation, answer, matcher) or _whole_answer(derivation, answer, matcher)
    if whole is not None:
        return whole
    tried = 0
    for first, second in itertools.combinations(candidates, 2):
        if first.step is second.step or first.stage != second.stage:
            continue
        if first.code in SIGN_FLIPS and second.code in SIGN_FLIPS:
            continue  # two sign flips contradict each other; a sign slip was tried above
        tried += 1
        if tried > limits.MAX_MUTATION_PAIRS or time.monotonic() > deadline:
            break
        if matcher.matches(apply(derivation, (first, second))):
            return _diagnosis((first, second))
    return None


def _diagnosis(chosen: tuple[Mutation, ...]) -> Diagnosis:
    codes = tuple(dict.fromkeys(m.code for m in chosen))
    first = chosen[0]
    step = first.step
    given = apply_single_step(first)
    info = StepInfo(first.number, step.rule, step.title, step.expression, step.variable,
                    step.result, given)
    return Diagnosis(codes, tuple(m.sentence() for m in chosen), info)


def apply_single_step(mutation: Mutation) -> Expr:
    """The faulty result of the mutated step alone (its sub-steps correct)."""
    return sympy.sympify(mutation.faulty(mutation.step), strict=True)


def _whole_answer(derivation: Derivation, answer: Expr, matcher: _Matcher) -> Diagnosis | None:
    """Mistakes of the whole answer: its sign, an antiderivative, a constant factor."""
    expected = derivation.result
    problem = derivation.expression
    variables = derivation.variables
    operator = _operator(derivation)
    if expected != 0 and matcher.matches(-expected):
        return Diagnosis(("sign_error",), ("The sign is wrong: your answer is exactly the negative "
                                           f"of {operator}.",))
    if (len(variables) == 1 and sympy.count_ops(answer) <= limits.MAX_SYMBOLIC_OPS
            and matcher.slope_matches(problem, variables[0])):
        seconds = max(0.05, matcher.deadline - time.monotonic())
        if compare(sympy.diff(answer, variables[0]), problem, matcher.symbols, domain=problem,
                   seconds=seconds).status == EQUAL:
            return Diagnosis(("integrated_instead",), (
                f"Your answer is an antiderivative of {to_text(problem)}: its derivative gives "
                f"back the function. Differentiate instead.",))
    if matcher.matches(problem):
        return Diagnosis(("function_itself",), (
            f"Your answer is the function {to_text(problem)} itself, not its derivative.",))
    order = _other_order(derivation, matcher)
    if order is not None:
        return order
    if expected != 0:
        factor = matcher.ratio(expected)
        if factor is not None:
            constant = sympy.Rational(factor.numerator, factor.denominator)
            if matcher.matches(constant * expected):
                return Diagnosis(("constant_factor",), (
                    f"Off by a constant factor: your answer is {to_text(constant)} times "
                    f"{operator}.",))
    return _one_term(expected, matcher, operator)


_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def _other_order(derivation: Derivation, matcher: _Matcher) -> Diagnosis | None:
    """The derivative of one order less (not the function itself) or one more."""
    variables = derivation.variables
    if len(set(variables)) != 1 or sympy.count_ops(derivation.expression) > limits.MAX_SYMBOLIC_OPS:
        return None
    x, asked, problem = variables[0], len(variables), derivation.expression
    for given in (asked - 1, asked + 1):
        if given < 1 or time.monotonic() > matcher.deadline:
            continue
        if matcher.matches(sympy.diff(problem, x, given)):
            name = _ORDINAL.get(given, f"order-{given}")
            wanted = _ORDINAL.get(asked, f"order-{asked}")
            return Diagnosis(("wrong_order",), (
                f"Your answer is the {name} derivative; the question asks for the {wanted} "
                f"derivative.",))
    return None


def _one_term(expected: Expr, matcher: _Matcher, operator: str) -> Diagnosis | None:
    """One term of the derivative with its sign flipped, or left out."""
    terms = sympy.Add.make_args(expected)
    if len(terms) < 2 and sympy.count_ops(expected) <= limits.MAX_SYMBOLIC_OPS:
        terms = sympy.Add.make_args(sympy.expand(expected))
    if not 2 <= len(terms) <= MAX_TERMS:
        return None
    written = to_text(sympy.Add(*terms, evaluate=False))
    for term in terms:
        if time.monotonic() > matcher.deadline:
            return None
        if matcher.matches(expected - 2 * term):
            return Diagnosis(("sign_slip",), (
                f"The sign of one term is wrong: {to_text(term)} in {operator} = {written}.",))
    for term in terms:
        if time.monotonic() > matcher.deadline:
            return None
        if matcher.matches(expected - term):
            return Diagnosis(("dropped_term",), (
                f"A term is missing: {to_text(term)} in {operator} = {written}.",))
    return None


def _other_variable(derivation: Derivation, answer: Expr, matcher: _Matcher) -> Diagnosis | None:
    """The right derivative with respect to a variable held constant, or in other letters."""
    variables = derivation.variables
    if len(set(variables)) != 1:
        return None
    x, problem = variables[0], derivation.expression
    for other in sorted(problem.free_symbols - {x}, key=lambda s: s.name):
        if matcher.matches(sympy.diff(problem, other, len(variables))):
            return Diagnosis(("held_constant_differentiated", "wrong_variable"), (
                f"Your answer is the derivative with respect to {to_text(other)}; in "
                f"{_operator(derivation)}, {to_text(other)} is held constant and the variable "
                f"is {to_text(x)}.",))
    foreign = sorted(answer.free_symbols - problem.free_symbols - {x}, key=lambda s: s.name)
    if len(foreign) == 1 and matcher.matches(derivation.result.subs(x, foreign[0])):
        return Diagnosis(("wrong_variable",), (
            f"Your answer is written in {to_text(foreign[0])}, but the variable is {to_text(x)}.",))
    return None


def _operator(derivation: Derivation) -> str:
    return (operator_text(derivation.variables, derivation.partial, to_text)
            + f" ({to_text(derivation.expression)})")
