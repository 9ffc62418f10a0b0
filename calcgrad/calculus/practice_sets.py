"""Practice sets (calcgrad.calculus.practice_sets, named so the module does not shadow calcgrad.practice,
the function): differentiation exercises with worked solutions, reproducible from a seed.

Each exercise is built from a template for the rule it practises, filled with small random
coefficients from `random.Random(seed)` (nothing else is random, so a seed always gives the same
set). Its answer key is the calcgrad engine's own Derivation, and an exercise is kept only if
that derivation really uses the rule asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.engine.derivation import Derivation
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.functions import ACTIVATIONS, DEEP_LEARNING_FUNCTIONS, sigmoid
from calcgrad.render.protocol import Rendered
from calcgrad.engine.derive import diff

DIFFICULTIES = ("easy", "medium", "hard")

_ACTIVATION_RULES = tuple(entry.rule for entry in ACTIVATIONS.values() if entry.func is not None
                         and entry.rule and entry.func in DEEP_LEARNING_FUNCTIONS)
"""sigmoid, relu, softplus, gelu, silu: every activation of the function table with a rule."""

RULES = ("power", "product", "quotient", "chain", "exp", "log", "trig", "inverse_trig",
         *_ACTIVATION_RULES, "partial")
"""Rules a practice set can drill, as offered to the user."""

ENGINE_RULES = {
    "power": {"power"},
    "product": {"product"},
    "quotient": {"quotient"},
    "chain": {"chain"},
    "exp": {"exp", "exponential"},
    "log": {"log", "log_base"},
    "trig": {"trig"},
    "inverse_trig": {"inverse_trig"},
    **{rule: {rule} for rule in _ACTIVATION_RULES},
}
"""Offered rule → the step rule names (calcgrad/steps.py) that count as using it."""

_ATTEMPTS_PER_EXERCISE = 60
_NOT_A_RULE = {"step", "simplify", "evaluate"}

X, Y = Symbol("x", real=True), Symbol("y", real=True)


@dataclass(frozen=True)
class Exercise:
    """One problem: differentiate `expression` with respect to `variable`; `solution` is the key."""

    number: int
    rule: str
    expression: Expr
    variable: Symbol
    solution: Derivation

    @property
    def answer(self) -> Expr:
        return self.solution.result

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule the worked solution uses, in order of first use."""
        seen: dict[str, None] = {"partial": None} if self.solution.partial else {}
        for stage in self.solution.stages:
            for step in stage.walk():
                if step.rule not in _NOT_A_RULE:
                    seen.setdefault(step.rule, None)
        return tuple(seen)


@dataclass(frozen=True)
class PracticeSet(Rendered):
    """A numbered exercise sheet and its answer key (worked solutions)."""

    seed: int
    rules: tuple[str, ...]
    difficulty: str
    exercises: tuple[Exercise, ...]

    RENDERER: ClassVar[str] = "calcgrad.render.practice"


# --- templates ---------------------------------------------------------------------------
# Each takes the random source and a size (1 easy, 2 medium, 3 hard) and returns an expression
# in x. `_inner` is the argument a function is applied to; it grows with the size.


def _coefficient(rng: random.Random, low: int = 1, high: int = 9) -> int:
    return rng.randint(low, high)


def _signed(rng: random.Random, high: int = 5) -> int:
    return rng.choice([n for n in range(-high, high + 1) if n != 0])


def _polynomial(rng: random.Random, degree: int) -> Expr:
    """A polynomial in x of the given degree with small coefficients (leading one non-zero)."""
    terms = _coefficient(rng, 1, 5) * X**degree
    for power in range(degree - 1, -1, -1):
        if rng.random() < 0.6:
            terms += _signed(rng) * X**power
    return terms


def _inner(rng: random.Random, size: int) -> Expr:
    """The argument of an outer function: ax + b, a quadratic, or (hard) a function of one."""
    if size <= 1:
        return _coefficient(rng, 2, 9) * X + _signed(rng)
    if size == 2:
        return _polynomial(rng, 2)
    return rng.choice([sympy.sin, sympy.exp, sympy.sqrt, sympy.cos])(_polynomial(rng, rng.randint(1, 2)))


def _function(rng: random.Random, size: int) -> Expr:
    """Some differentiable factor in x, growing with the size."""
    choices = [lambda a: a**_coefficient(rng, 2, 4), sympy.sin, sympy.cos, sympy.exp]
    if size <= 1:
        return rng.choice(choices)(X)
    return rng.choice(choices)(_inner(rng, 1) if size == 2 else _inner(rng, 2))


def _power(rng, size):
    if size <= 1:
        first = _coefficient(rng) * X**_coefficient(rng, 2, 9)
        return first if rng.random() < 0.4 else first + _signed(rng, 9) * X**_coefficient(rng, 2, 9)
    if size == 2:
        return _polynomial(rng, rng.randint(3, 5)) + _coefficient(rng) * X**sympy.Rational(1, rng.randint(2, 3))
    return _polynomial(rng, rng.randint(3, 6)) + _coefficient(rng) / X**_coefficient(rng, 1, 4)


def _product(rng, size):
    return _polynomial(rng, rng.randint(1, size + 1)) * _function(rng, size)


def _quotient(rng, size):
    numerator = _polynomial(rng, rng.randint(1, size)) if size > 1 else _coefficient(rng) * X + rng.randint(0, 5)
    denominator = _polynomial(rng, rng.randint(1, size + 1)) + _coefficient(rng)
    if size >= 3:
        numerator *= _function(rng, 1)
    return numerator / denominator


def _chain(rng, size):
    outer = rng.choice([lambda u: u**_coefficient(rng, 2, 6), sympy.sin, sympy.cos, sympy.exp,
                        sympy.sqrt, sympy.log])
    return outer(_inner(rng, size) if size > 1 else _coefficient(rng, 2, 9) * X + _coefficient(rng))


def _exp(rng, size):
    if size <= 1:
        return rng.choice([_coefficient(rng) * sympy.exp(X), sympy.Integer(_coefficient(rng, 2, 9))**X,
                           sympy.exp(_coefficient(rng, 2, 9) * X)])
    return _coefficient(rng) * sympy.exp(_inner(rng, size)) + _polynomial(rng, 1)


def _log(rng, size):
    if size <= 1:
        return rng.choice([_coefficient(rng) * sympy.log(X),
                           sympy.log(X, _coefficient(rng, 2, 9)) + _coefficient(rng) * X])
    inner = _inner(rng, size - 1) if size == 2 else _polynomial(rng, 2) + _coefficient(rng)
    return sympy.log(inner**2 + _coefficient(rng)) if size >= 3 else _coefficient(rng) * sympy.log(inner)


def _trig(rng, size):
    outer = rng.choice([sympy.sin, sympy.cos, sympy.tan, sympy.sec])
    if size <= 1:
        return _coefficient(rng) * outer(X)
    return outer(_inner(rng, size)) + rng.choice([sympy.sin, sympy.cos])(_coefficient(rng, 2, 5) * X)


def _inverse_trig(rng, size):
    outer = rng.choice([sympy.atan, sympy.asin, sympy.acos])
    if size <= 1:
        return _coefficient(rng) * outer(X) if outer is sympy.atan else outer(X)
    argument = _coefficient(rng, 2, 9) * X if outer is sympy.atan else X / _coefficient(rng, 2, 9)
    if size >= 3:
        return X**_coefficient(rng, 1, 3) * outer(argument)
    return outer(argument)


def _sigmoid(rng, size):
    if size <= 1:
        return rng.choice([_coefficient(rng) * sigmoid(X), sigmoid(X) + _signed(rng) * X,
                           sigmoid(X) + _coefficient(rng) * X**2])
    if size == 2:
        return sigmoid(_coefficient(rng, 2, 9) * X + _signed(rng))
    return sympy.log(sigmoid(_coefficient(rng, 2, 5) * X + _signed(rng)))


def _activation(entry):
    """The template for an activation f of the function table: c·f(x), f(ax + b), x^k·f(ax + b)."""
    f = entry.build

    def template(rng, size):
        if size <= 1:
            return rng.choice([_coefficient(rng) * f(X), f(X) + _signed(rng) * X])
        if size == 2:
            return f(_coefficient(rng, 2, 9) * X + _signed(rng))
        return X**_coefficient(rng, 1, 3) * f(_coefficient(rng, 2, 5) * X + _signed(rng))

    return template


def _partial(rng, size):
    """A function of x and y (differentiated in `_build` with respect to one of them)."""
    term = _coefficient(rng) * X**_coefficient(rng, 1, 3) * Y**_coefficient(rng, 1, 3)
    if size <= 1:
        return term + _signed(rng) * rng.choice([X, Y])**2
    extra = rng.choice([sympy.sin, sympy.exp, sympy.cos])(_coefficient(rng, 1, 4) * X * Y)
    if size == 2:
        return term + extra
    return term + extra * rng.choice([X, Y])**2 + sympy.log(X**2 + Y**2 + _coefficient(rng))


TEMPLATES: dict[str, Callable[[random.Random, int], Expr]] = {
    "power": _power, "product": _product, "quotient": _quotient, "chain": _chain, "exp": _exp,
    "log": _log, "trig": _trig, "inverse_trig": _inverse_trig,
    **{entry.rule: _activation(entry) for entry in ACTIVATIONS.values() if entry.rule in _ACTIVATION_RULES},
    "sigmoid": _sigmoid,
    "partial": _partial,
}


# --- building a set ----------------------------------------------------------------------


def practice(
    rules: Iterable[str] | str = ("chain",),
    count: int = 10,
    seed: int = 0,
    difficulty: str = "medium",
) -> PracticeSet:
    """`count` distinct exercises drilling `rules`, each with the engine's worked solution.

    `rules` is a list or a comma-separated string of names from RULES. The same seed (and
    arguments) always gives the same set; nothing but `random.Random(seed)` is random.
    """
    chosen = _check_rules(rules)
    _check_count(count)
    if difficulty not in DIFFICULTIES:
        raise UsageError(f"unknown difficulty {difficulty!r}; expected one of: {', '.join(DIFFICULTIES)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"the seed must be an integer, got {seed!r}")
    rng = random.Random(seed)
    size = DIFFICULTIES.index(difficulty) + 1
    exercises: list[Exercise] = []
    seen: set[tuple[Expr, Symbol]] = set()
    for number in range(1, count + 1):
        rule = chosen[(number - 1) % len(chosen)] if count >= len(chosen) else rng.choice(chosen)
        exercise = _new_exercise(rng, number, rule, size, seen)
        seen.add((exercise.expression, exercise.variable))
        exercises.append(exercise)
    return PracticeSet(seed, chosen, difficulty, tuple(exercises))


def uses_rule(derivation: Derivation, rule: str) -> bool:
    """Whether the worked solution really exercises `rule` (one of RULES)."""
    if rule == "partial":
        return derivation.partial
    wanted = ENGINE_RULES[rule]
    return any(step.rule in wanted for stage in derivation.stages for step in stage.walk())


def _new_exercise(rng: random.Random, number: int, rule: str, size: int, seen) -> Exercise:
    for attempt in range(_ATTEMPTS_PER_EXERCISE):
        expression = TEMPLATES[rule](rng, size)
        if attempt >= _ATTEMPTS_PER_EXERCISE // 3:  # the template alone keeps repeating: vary it
            expression += _signed(rng, 9) * X**rng.randint(1, 3)
        variable = rng.choice([X, Y]) if rule == "partial" else X
        if variable not in expression.free_symbols or (expression, variable) in seen:
            continue
        solution = diff(expression, variable)
        if uses_rule(solution, rule):
            return Exercise(number, rule, expression, variable, solution)
    raise LimitError(f"could not make exercise {number} ({rule} rule) distinct from the others "
                     f"in {_ATTEMPTS_PER_EXERCISE} attempts; ask for fewer exercises or another difficulty")


def _check_rules(rules) -> tuple[str, ...]:
    names = rules.split(",") if isinstance(rules, str) else list(rules)
    names = [str(name).strip().replace("-", "_") for name in names if str(name).strip()]
    if not names:
        raise UsageError(f"name at least one rule; known rules: {', '.join(RULES)}")
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise UsageError(f"unknown rule {unknown[0]!r}; known rules: {', '.join(RULES)}")
    return tuple(dict.fromkeys(names))


def _check_count(count) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        raise UsageError(f"the count must be an integer, got {count!r}")
    if not 1 <= count <= limits.MAX_PRACTICE_EXERCISES:
        raise UsageError(f"the count must be between 1 and {limits.MAX_PRACTICE_EXERCISES}, got {count}")
