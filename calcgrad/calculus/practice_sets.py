"""Practice sets (calcgrad.calculus.practice_sets, named so the module does not shadow calcgrad.practice,
the function): differentiation exercises with worked solutions, reproducible from a seed.

Each exercise is built from one of several forms of the rule it practises, chosen and filled
with small random coefficients by `random.Random(seed)` (nothing else is random, so a seed always
gives the same set). Its answer key is the calcgrad engine's own Derivation, and an exercise is
kept only if that derivation really uses the rule asked for. `practice_per_student` makes one
set per student of a roster, each seeded from SHA-256 of the seed and the student's id.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, ClassVar, Iterable

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.engine.derivation import Derivation
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.functions import ACTIVATIONS, DEEP_LEARNING_FUNCTIONS, sigmoid
from calcgrad.render.protocol import Rendered
from calcgrad.engine.derive import diff
from calcgrad.read.roster import Student, normalise_id, read_students

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
    """A numbered exercise sheet and its answer key (worked solutions).

    `answers` says whether it is written with its answer key (the teacher's copy) or as the
    students' sheet alone (`without_answers()`, `calcgrad practice --no-answers`).
    """

    seed: int
    rules: tuple[str, ...]
    difficulty: str
    exercises: tuple[Exercise, ...]
    answers: bool = True

    RENDERER: ClassVar[str] = "calcgrad.render.practice"

    def without_answers(self) -> PracticeSet:
        """The same set, written as the students' sheet: the exercises without the key."""
        return replace(self, answers=False)

    def grading_key(self) -> str:
        """The key `calcgrad grade --key` reads: one TOML table per exercise (q1, q2 …)."""
        # lazy: output protocol (the renderer writes the key; computing a set never loads it)
        from calcgrad.render.practice import grading_key

        return grading_key(self)


@dataclass(frozen=True)
class StudentVersions(Rendered):
    """One version of a practice set per student of a roster, each seeded from the student's id.

    Every version has the same rules, count and difficulty; its seed is `student_seed(seed,
    id)`, so the same roster and seed give every student the same version on any machine, and
    a student added later does not change anyone else's. `grading_key()` is the per-student key
    `calcgrad grade` marks each student against their own version with.
    """

    seed: int
    rules: tuple[str, ...]
    difficulty: str
    versions: tuple[tuple[Student, PracticeSet], ...]
    answers: bool = True

    RENDERER: ClassVar[str] = "calcgrad.render.handouts"

    def without_answers(self) -> StudentVersions:
        """The students' sheets: every version without its answer key."""
        return replace(self, answers=False,
                       versions=tuple((s, v.without_answers()) for s, v in self.versions))

    def grading_key(self) -> str:
        """The per-student key: shared [qN] tables, then [students.<id>] with each version."""
        # lazy: output protocol (the renderer writes the key; computing the versions never loads it)
        from calcgrad.render.handouts import grading_key

        return grading_key(self)


# --- templates ---------------------------------------------------------------------------
# Each rule has several forms per size (1 easy, 2 medium, 3 hard); a form takes the random
# source and returns an expression in x. The template of a rule picks one of its forms with the
# same random source, so exercises on one rule vary in shape (a power of a polynomial, a sine of
# a quadratic, an exponential of a polynomial …), not only in their coefficients. Products of a
# trigonometric function with a polynomial keep the polynomial small: the tidy-up of
# `(2x^3 + 4) sin(8x + 4)`'s derivative alone takes seconds.

Form = Callable[[random.Random], Expr]


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


def _linear(rng: random.Random) -> Expr:
    """ax + b with a from 2 to 9 and b a small non-zero integer."""
    return _coefficient(rng, 2, 9) * X + _signed(rng)


def _quadratic(rng: random.Random) -> Expr:
    """ax^2 + bx + c with a non-zero a and at least one more term."""
    return _coefficient(rng, 1, 5) * X**2 + rng.choice([_signed(rng) * X + _signed(rng),
                                                        _signed(rng) * X, _signed(rng)])


def _positive_quadratic(rng: random.Random) -> Expr:
    """ax^2 + c with a, c > 0: positive everywhere, so ln and √ of it are defined for every x."""
    return _coefficient(rng, 1, 4) * X**2 + _coefficient(rng, 1, 9)


def _monomial(rng: random.Random, high: int = 3) -> Expr:
    """c·x^k, with c often 1."""
    return rng.choice([1, 1, _coefficient(rng, 2, 5)]) * X**_coefficient(rng, 1, high)


def _elementary(rng: random.Random, argument: Expr) -> Expr:
    """sin, cos, e^ or ln of the argument."""
    return rng.choice([sympy.sin, sympy.cos, sympy.exp, sympy.log])(argument)


def _inner(rng: random.Random, size: int) -> Expr:
    """The argument of an outer function: ax + b, a quadratic, or (hard) a function of one."""
    if size <= 1:
        return _linear(rng)
    if size == 2:
        return _polynomial(rng, 2)
    return rng.choice([sympy.sin, sympy.exp, sympy.sqrt, sympy.cos])(_polynomial(rng, rng.randint(1, 2)))


def _function(rng: random.Random, size: int) -> Expr:
    """Some differentiable factor in x, growing with the size. Trigonometric factors keep a
    linear argument: tidying the derivative of a polynomial times sin of a quadratic takes
    seconds, and a set must not depend on how fast the machine is."""
    if size <= 1:
        return rng.choice([lambda a: a**_coefficient(rng, 2, 4), sympy.sin, sympy.cos, sympy.exp])(X)
    if size == 2:
        return rng.choice([lambda a: a**_coefficient(rng, 2, 4), sympy.sin, sympy.cos, sympy.exp])(_linear(rng))
    return rng.choice([lambda: _quadratic(rng)**_coefficient(rng, 2, 4), lambda: sympy.exp(_quadratic(rng)),
                       lambda: rng.choice([sympy.sin, sympy.cos])(_linear(rng))])()


def _trig_function(rng: random.Random, functions=(sympy.sin, sympy.cos, sympy.tan, sympy.sec)):
    return rng.choice(functions)


POWER_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _coefficient(r) * X**_coefficient(r, 2, 9),
        lambda r: _coefficient(r) * X**_coefficient(r, 2, 9) + _signed(r, 9) * X**_coefficient(r, 2, 9),
        lambda r: _coefficient(r) / X**_coefficient(r, 1, 4),
        lambda r: _coefficient(r) * sympy.sqrt(X),
        lambda r: _coefficient(r) * X**sympy.Rational(_coefficient(r, 1, 5), _coefficient(r, 2, 3))),
    2: (lambda r: _polynomial(r, r.randint(3, 5)) + _coefficient(r) * X**sympy.Rational(1, r.randint(2, 3)),
        lambda r: _coefficient(r) * X**_coefficient(r, 2, 6) + _signed(r) / X**_coefficient(r, 1, 3)
        + _signed(r, 9),
        lambda r: _coefficient(r) * sympy.sqrt(X) + _signed(r) * X**_coefficient(r, 2, 4)
        + _coefficient(r) / X),
    3: (lambda r: _polynomial(r, r.randint(3, 6)) + _coefficient(r) / X**_coefficient(r, 1, 4),
        lambda r: _polynomial(r, r.randint(2, 4)) + _coefficient(r) * sympy.sqrt(X)
        + _signed(r) / X**_coefficient(r, 2, 3),
        lambda r: _coefficient(r) * X**sympy.Rational(_coefficient(r, 1, 5), 3)
        + _signed(r) * X**sympy.Rational(-1, 2) + _polynomial(r, 2)),
}

PRODUCT_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: X**_coefficient(r, 1, 4) * r.choice((sympy.sin, sympy.cos, sympy.exp,
                                                            sympy.log, sympy.tan))(X),
        lambda r: sympy.exp(X) * r.choice((sympy.sin, sympy.cos))(X),
        lambda r: sympy.sin(X) * sympy.cos(X) * _coefficient(r),
        lambda r: (_coefficient(r) * X + _signed(r)) * r.choice((sympy.exp, sympy.log,
                                                                     sympy.sqrt))(X)),
    2: (lambda r: _polynomial(r, r.randint(1, 2)) * _function(r, 2),
        lambda r: _monomial(r) * sympy.exp(_signed(r, 4) * X),
        lambda r: sympy.exp(_signed(r, 4) * X) * r.choice((sympy.sin, sympy.cos))(_coefficient(r, 2, 5) * X),
        lambda r: _monomial(r) * sympy.log(_coefficient(r, 2, 5) * X),
        lambda r: _polynomial(r, 2) * sympy.sqrt(_linear(r)),
        lambda r: _monomial(r) * sympy.atan(X)),
    3: (lambda r: _polynomial(r, r.randint(1, 2)) * _function(r, 3),
        lambda r: _monomial(r, 2) * sympy.exp(_signed(r, 3) * X) * r.choice((sympy.sin, sympy.cos))(X),
        lambda r: _linear(r)**_coefficient(r, 2, 4) * _linear(r)**_coefficient(r, 2, 3),
        lambda r: _polynomial(r, 2) * sympy.exp(_linear(r)),
        lambda r: _monomial(r) * sympy.log(_positive_quadratic(r))),
}

QUOTIENT_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: (_coefficient(r) * X + r.randint(0, 5)) / (_polynomial(r, r.randint(1, 2)) + _coefficient(r)),
        lambda r: r.choice((sympy.sin, sympy.cos, sympy.exp, sympy.log))(X) / X**_coefficient(r, 1, 3),
        lambda r: _coefficient(r) * X / (X**2 + _coefficient(r)),
        lambda r: _linear(r) / _linear(r)),
    2: (lambda r: _polynomial(r, r.randint(1, 2)) / (_polynomial(r, r.randint(1, 3)) + _coefficient(r)),
        lambda r: r.choice((sympy.sin, sympy.cos))(_coefficient(r, 2, 5) * X) / _positive_quadratic(r),
        lambda r: sympy.exp(_coefficient(r, 2, 4) * X) / _linear(r),
        lambda r: sympy.log(X) / X**_coefficient(r, 2, 4),
        lambda r: _monomial(r) / (sympy.exp(X) + _coefficient(r))),
    3: (lambda r: _polynomial(r, r.randint(1, 3)) * _function(r, 1) / (_polynomial(r, r.randint(1, 4))
                                                                        + _coefficient(r)),
        lambda r: sympy.sin(X) / (_coefficient(r) + sympy.cos(X)),
        lambda r: sympy.exp(X) / (sympy.exp(X) + _coefficient(r)) + _signed(r) * X,
        lambda r: _quadratic(r) / sympy.sqrt(_positive_quadratic(r)),
        lambda r: sympy.log(_positive_quadratic(r)) / _linear(r)),
}

CHAIN_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _linear(r)**_coefficient(r, 2, 6),
        lambda r: _trig_function(r, (sympy.sin, sympy.cos, sympy.tan))(_linear(r)),
        lambda r: sympy.exp(_linear(r)),
        lambda r: sympy.log(_coefficient(r, 2, 9) * X + _coefficient(r)),
        lambda r: sympy.sqrt(_coefficient(r, 2, 9) * X + _coefficient(r)),
        lambda r: _coefficient(r) / _linear(r)**_coefficient(r, 2, 3)),
    2: (lambda r: _quadratic(r)**_coefficient(r, 2, 6),
        lambda r: _trig_function(r, (sympy.sin, sympy.cos))(_quadratic(r)),
        lambda r: sympy.exp(_polynomial(r, r.randint(2, 3))),
        lambda r: sympy.log(_positive_quadratic(r)),
        lambda r: sympy.sqrt(_positive_quadratic(r) + _signed(r) * X),
        lambda r: _coefficient(r) / _positive_quadratic(r)**_coefficient(r, 2, 3),
        lambda r: _positive_quadratic(r)**sympy.Rational(1, 3)),
    3: (lambda r: _trig_function(r, (sympy.sin, sympy.cos))(_coefficient(r, 2, 5) * X)**_coefficient(r, 2, 4),
        lambda r: sympy.exp(_trig_function(r, (sympy.sin, sympy.cos))(_coefficient(r, 1, 4) * X)),
        lambda r: sympy.log(1 + sympy.exp(_signed(r, 4) * X)),
        lambda r: (_coefficient(r) + sympy.exp(_coefficient(r, 1, 3) * X))**_coefficient(r, 2, 5),
        lambda r: _trig_function(r, (sympy.sin, sympy.cos))(sympy.sqrt(_coefficient(r, 1, 5) * X
                                                                       + _coefficient(r))),
        lambda r: sympy.sqrt(_positive_quadratic(r))**3 if r.random() < 0.3
        else sympy.sqrt(1 + _trig_function(r, (sympy.sin, sympy.cos))(X)**2),
        lambda r: _trig_function(r)(_inner(r, 3))),
}

EXP_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _coefficient(r) * sympy.exp(X),
        lambda r: sympy.Integer(_coefficient(r, 2, 9))**X,
        lambda r: sympy.exp(_signed(r, 9) * X),
        lambda r: _coefficient(r) * sympy.exp(X) + _signed(r) * sympy.exp(-X)),
    2: (lambda r: _coefficient(r) * sympy.exp(_inner(r, 2)) + _polynomial(r, 1),
        lambda r: sympy.Integer(_coefficient(r, 2, 9))**_linear(r),
        lambda r: sympy.exp(_signed(r, 5) * X) - sympy.exp(_signed(r, 5) * X) + _coefficient(r),
        lambda r: sympy.exp(X**2) * _coefficient(r)),
    3: (lambda r: _coefficient(r) * sympy.exp(_inner(r, 3)) + _polynomial(r, 1),
        lambda r: sympy.exp(sympy.sqrt(_coefficient(r, 1, 5) * X + _coefficient(r))),
        lambda r: sympy.Integer(_coefficient(r, 2, 9))**(X**2 + _signed(r) * X),
        lambda r: sympy.exp(sympy.sin(_coefficient(r, 1, 4) * X)) + sympy.exp(_signed(r) * X**2)),
}

LOG_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _coefficient(r) * sympy.log(X),
        lambda r: sympy.log(X, _coefficient(r, 2, 9)) + _coefficient(r) * X,
        lambda r: sympy.log(_coefficient(r, 2, 9) * X),
        lambda r: sympy.log(X)**2 + _signed(r) * X),
    2: (lambda r: _coefficient(r) * sympy.log(_linear(r)),
        lambda r: sympy.log(_positive_quadratic(r)),
        lambda r: sympy.log(_coefficient(r, 2, 9) * X + _coefficient(r), _coefficient(r, 2, 9)),
        lambda r: sympy.log(X)**_coefficient(r, 2, 4),
        lambda r: X * sympy.log(X) - X),
    3: (lambda r: sympy.log((_polynomial(r, 2) + _coefficient(r))**2 + _coefficient(r)),
        lambda r: sympy.log(sympy.log(X)),
        lambda r: sympy.log(1 + sympy.exp(_coefficient(r, 1, 4) * X)),
        lambda r: sympy.log(_positive_quadratic(r)) * _coefficient(r) + sympy.log(X, _coefficient(r, 2, 9)),
        lambda r: sympy.log(sympy.sqrt(_positive_quadratic(r)))),
}

TRIG_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _coefficient(r) * _trig_function(r, (sympy.sin, sympy.cos, sympy.tan, sympy.sec,
                                                       sympy.csc, sympy.cot))(X),
        lambda r: _coefficient(r) * sympy.sin(X) + _signed(r) * sympy.cos(X),
        lambda r: sympy.tan(X) + _signed(r) * X),
    2: (lambda r: _trig_function(r, (sympy.sin, sympy.cos))(_quadratic(r)) + _signed(r) * X**_coefficient(r, 2, 3),
        lambda r: _trig_function(r, (sympy.tan, sympy.sec, sympy.csc, sympy.cot))(_linear(r)),
        lambda r: _coefficient(r) * sympy.sin(_coefficient(r, 2, 5) * X) + _signed(r) * sympy.cos(_coefficient(r, 2, 5) * X),
        lambda r: sympy.sin(X)**2 + _signed(r) * sympy.cos(_coefficient(r, 2, 4) * X)),
    3: (lambda r: _trig_function(r)(_inner(r, 3)) + r.choice((sympy.sin, sympy.cos))(_coefficient(r, 2, 5) * X),
        lambda r: sympy.tan(sympy.sqrt(X)) + sympy.sec(_coefficient(r, 2, 4) * X),
        lambda r: _trig_function(r, (sympy.sin, sympy.cos, sympy.tan))(X)**_coefficient(r, 2, 4)
        + _trig_function(r, (sympy.sin, sympy.cos))(_linear(r)),
        lambda r: sympy.cot(_coefficient(r, 2, 5) * X) + _coefficient(r) * sympy.csc(X)**2),
}

INVERSE_TRIG_FORMS: dict[int, tuple[Form, ...]] = {
    1: (lambda r: _coefficient(r) * sympy.atan(X),
        lambda r: r.choice((sympy.asin, sympy.acos))(X),
        lambda r: _coefficient(r) * sympy.acot(X),
        lambda r: sympy.asin(X) + sympy.acos(X) * _coefficient(r, 2, 5)),
    2: (lambda r: sympy.atan(_coefficient(r, 2, 9) * X),
        lambda r: r.choice((sympy.asin, sympy.acos))(X / _coefficient(r, 2, 9)),
        lambda r: sympy.atan(X**2),
        lambda r: sympy.atan(_linear(r))),
    3: (lambda r: X**_coefficient(r, 1, 3) * r.choice((sympy.atan, sympy.asin, sympy.acos))(
            X / _coefficient(r, 2, 9)),
        lambda r: sympy.atan(sympy.exp(_signed(r, 3) * X)),
        lambda r: sympy.asin(_coefficient(r, 2, 9) * X) / X,
        lambda r: sympy.atan(_positive_quadratic(r)) + sympy.acot(_coefficient(r, 2, 5) * X)),
}


def _forms(table: dict[int, tuple[Form, ...]]) -> Callable[[random.Random, int], Expr]:
    """The template of a rule: one of its forms for the size, chosen by the random source."""

    def template(rng: random.Random, size: int) -> Expr:
        return rng.choice(table[min(max(size, 1), 3)])(rng)

    return template


def _sigmoid(rng, size):
    if size <= 1:
        return rng.choice([lambda: _coefficient(rng) * sigmoid(X), lambda: sigmoid(X) + _signed(rng) * X,
                           lambda: sigmoid(X) + _coefficient(rng) * X**2, lambda: 1 - sigmoid(X)])()
    if size == 2:
        return rng.choice([lambda: sigmoid(_linear(rng)), lambda: X * sigmoid(X),
                           lambda: sigmoid(X)**2, lambda: sigmoid(_coefficient(rng, 1, 4) * X**2)])()
    return rng.choice([lambda: sympy.log(sigmoid(_coefficient(rng, 2, 5) * X + _signed(rng))),
                       lambda: _monomial(rng) * sigmoid(_linear(rng)),
                       lambda: (lambda s: s * (1 - s))(sigmoid(_linear(rng))),  # σ′ written out
                       lambda: sigmoid(sympy.sin(_coefficient(rng, 1, 4) * X))])()


def _activation(entry):
    """The template for an activation f of the function table: c·f(x), f(ax + b), x^k·f(ax + b) …"""
    f = entry.build

    def template(rng, size):
        if size <= 1:
            return rng.choice([lambda: _coefficient(rng) * f(X), lambda: f(X) + _signed(rng) * X,
                               lambda: f(X) + _coefficient(rng) * X**2])()
        if size == 2:
            return rng.choice([lambda: f(_linear(rng)), lambda: X * f(X),
                               lambda: f(_coefficient(rng, 2, 9) * X) + f(_signed(rng) * X + _signed(rng))])()
        return rng.choice([lambda: X**_coefficient(rng, 1, 3) * f(_coefficient(rng, 2, 5) * X + _signed(rng)),
                           lambda: f(_quadratic(rng)),
                           lambda: f(_linear(rng))**2])()

    return template


def _partial(rng, size):
    """A function of x and y (differentiated in `_build` with respect to one of them)."""
    term = _coefficient(rng) * X**_coefficient(rng, 1, 3) * Y**_coefficient(rng, 1, 3)
    if size <= 1:
        return rng.choice([lambda: term + _signed(rng) * rng.choice([X, Y])**2,
                           lambda: term + _signed(rng) * X * Y,
                           lambda: X**_coefficient(rng, 1, 3) / Y + _coefficient(rng) * Y])()
    extra = rng.choice([sympy.sin, sympy.exp, sympy.cos])(_coefficient(rng, 1, 4) * X * Y)
    if size == 2:
        return rng.choice([lambda: term + extra,
                           lambda: sympy.exp(_coefficient(rng, 1, 3) * X) * sympy.sin(_coefficient(rng, 1, 3) * Y),
                           lambda: sympy.log(X**2 + Y**2 + _coefficient(rng)) + term])()
    return rng.choice([lambda: term + extra * rng.choice([X, Y])**2
                       + sympy.log(X**2 + Y**2 + _coefficient(rng)),
                       lambda: sympy.sqrt(X**2 + Y**2 + _coefficient(rng)) * extra,
                       lambda: (X**2 + _coefficient(rng) * Y)**_coefficient(rng, 2, 4) + extra])()


TEMPLATES: dict[str, Callable[[random.Random, int], Expr]] = {
    "power": _forms(POWER_FORMS), "product": _forms(PRODUCT_FORMS),
    "quotient": _forms(QUOTIENT_FORMS), "chain": _forms(CHAIN_FORMS), "exp": _forms(EXP_FORMS),
    "log": _forms(LOG_FORMS), "trig": _forms(TRIG_FORMS),
    "inverse_trig": _forms(INVERSE_TRIG_FORMS),
    **{entry.rule: _activation(entry) for entry in ACTIVATIONS.values() if entry.rule in _ACTIVATION_RULES},
    "sigmoid": _sigmoid,
    "partial": _partial,
}
"""Rule → template(rng, size): one of the rule's forms, chosen and filled by the random source."""


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


def student_seed(seed: int, student: str) -> int:
    """The seed of one student's version: SHA-256 of the set's seed and the normalised id.

    A cryptographic hash (not Python's `hash`, which changes between runs) makes it the same
    on every run and machine; "S12 " and "s12" are one student and get one version.
    """
    digest = hashlib.sha256(f"calcgrad practice {seed} {normalise_id(student)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def practice_per_student(
    roster: str | Iterable[Student | str],
    rules: Iterable[str] | str = ("chain",),
    count: int = 10,
    seed: int = 0,
    difficulty: str = "medium",
) -> StudentVersions:
    """A version of the practice set for every student of `roster`, seeded from their id.

    `roster` is a roster's CSV text (see calcgrad.read.roster: a header naming a student
    column, optionally a name column) or the students themselves (Student or id).
    """
    if isinstance(roster, str):
        students = read_students(roster)
    else:
        students = tuple(Student(normalise_id(s.id), s.name) if isinstance(s, Student)
                         else Student(normalise_id(str(s))) for s in roster)
        if not students:
            raise UsageError("the roster lists no students")
        counts = Counter(s.id for s in students)
        repeated = next((i for i, n in counts.items() if n > 1 or not i), None)
        if repeated is not None:
            raise UsageError(f"the roster lists student {repeated!r} twice; give each student their own id"
                             if repeated else "a student on the roster has no id")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"the seed must be an integer, got {seed!r}")
    chosen = _check_rules(rules)
    _check_count(count)
    if len(students) * count > limits.MAX_VERSION_EXERCISES:
        raise LimitError(f"{len(students)} students × {count} exercises is more than "
                         f"{limits.MAX_VERSION_EXERCISES:,} exercises in all; split the roster "
                         "or ask for fewer exercises")
    versions = tuple((student, practice(chosen, count=count, seed=student_seed(seed, student.id),
                                        difficulty=difficulty))
                     for student in students)
    return StudentVersions(seed, chosen, difficulty, versions)


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
