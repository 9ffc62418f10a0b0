"""Gradient, directional derivative, Jacobian and Hessian: vectors and grids of Derivations.

Every entry is a Derivation from the core engine (calcgrad.engine.derive.diff), so each partial
derivative can be shown step by step. SymPy supplies only what needs no steps of its own here:
determinants and eigenvalues for the second-derivative test.

Conventions: the variables are in the order given, else alphabetical (w₂ before w₁₀). Jacobian
entry (i, j) is ∂fᵢ/∂xⱼ. Hessian entry (i, j) is ∂/∂xⱼ (∂f/∂xᵢ), written ∂²f/∂xⱼ∂xᵢ: row i
differentiates the i-th component of the gradient, so the Hessian is the Jacobian of ∇f.
Rows and columns are numbered from 1, as on paper.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import ClassVar

import mpmath
import sympy
from sympy import Expr, ImmutableMatrix, Symbol

from calcgrad import limits
from calcgrad.engine.derivation import Derivation
from calcgrad.engine.derive import diff
from calcgrad.engine.pointwise import status_at
from calcgrad.errors import LimitError, UsageError
from calcgrad.read import request
from calcgrad.render.protocol import Rendered
from calcgrad.engine.tidy import tidy

__all__ = ["Classification", "Gradient", "Hessian", "Jacobian", "gradient", "hessian", "jacobian"]

Point = tuple[tuple[Symbol, Expr], ...]

# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gradient(Rendered):
    """∇f: one Derivation per variable, and optionally its value at a point and along a direction.

    `show_steps` is a display choice only: renderers show every step of every partial
    derivative when it is set, else one line each. `to_dict()` always holds every step.
    """

    RENDERER: ClassVar[str] = "calcgrad.render.gradient"

    expression: Expr
    variables: tuple[Symbol, ...]
    derivations: tuple[Derivation, ...]
    order_given: bool = False
    point: Point = ()
    direction: tuple[Expr, ...] = ()
    show_steps: bool = False
    source: str | None = None
    written: tuple[Expr, ...] = ()
    """The input's terms and factors in the order they were typed (for 'Interpreted as')."""

    @property
    def components(self) -> tuple[Expr, ...]:
        """∂f/∂x₁, …, ∂f/∂xₙ, each as its derivation gives it."""
        return tuple(d.result for d in self.derivations)

    @property
    def value(self) -> tuple[Expr, ...] | None:
        """∇f at the point, when one was given."""
        return tuple(d.value for d in self.derivations) if self.point else None

    @property
    def norm(self) -> Expr | None:
        """‖∇f‖ at the point: the length of the gradient, the steepest slope there."""
        if not self.point:
            return None
        return sympy.sqrt(sympy.Add(*(v**2 for v in self.value)))

    @property
    def parameters(self) -> tuple[Symbol, ...]:
        """Symbols of f that are not among the variables, held constant throughout."""
        return _sorted_symbols(self.expression.free_symbols - set(self.variables))

    @property
    def direction_length(self) -> Expr | None:
        """‖v‖ for the direction v that was given."""
        if not self.direction:
            return None
        return sympy.sqrt(sympy.Add(*(c**2 for c in self.direction)))

    @property
    def unit_direction(self) -> tuple[Expr, ...] | None:
        """u = v/‖v‖, the direction scaled to length 1."""
        if not self.direction:
            return None
        length = self.direction_length
        return tuple(sympy.radsimp(c / length) for c in self.direction)

    @property
    def directional_derivative(self) -> Expr | None:
        """D_u f = ∇f·u, the rate of change of f along u."""
        if not self.direction:
            return None
        return tidy(sympy.Add(*(g * u for g, u in zip(self.components, self.unit_direction))))

    @property
    def directional_value(self) -> Expr | None:
        """D_u f at the point."""
        if not (self.direction and self.point):
            return None
        total = sympy.Add(*(v * u for v, u in zip(self.value, self.unit_direction)))
        return sympy.nan if total.has(sympy.nan, sympy.zoo) else tidy(total)

    def with_steps(self, show: bool = True) -> Gradient:
        """The same gradient, rendered with (or without) every step of every partial."""
        return replace(self, show_steps=show)


class _DerivationGrid(Rendered):
    """What a Jacobian and a Hessian share: a grid of Derivations, read as matrices."""

    entries: tuple[tuple[Derivation, ...], ...]
    point: Point
    entry: tuple[int, int] | None

    @property
    def shape(self) -> tuple[int, int]:
        raise NotImplementedError

    @property
    def matrix(self) -> ImmutableMatrix:
        return ImmutableMatrix([[d.result for d in row] for row in self.entries])

    @property
    def value(self) -> ImmutableMatrix | None:
        if not self.point:
            return None
        return ImmutableMatrix([[d.value for d in row] for row in self.entries])

    def derivation(self, row: int, column: int) -> Derivation:
        """The derivation of entry (row, column), counted from 1."""
        row, column = request.entry((row, column), self.shape)
        return self.entries[row - 1][column - 1]

    @property
    def entry_derivation(self) -> Derivation | None:
        return self.derivation(*self.entry) if self.entry else None


@dataclass(frozen=True)
class Jacobian(_DerivationGrid):
    """J = [∂fᵢ/∂xⱼ]: one Derivation per function and variable; `entry` picks one to show."""

    RENDERER: ClassVar[str] = "calcgrad.render.jacobian"

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...]
    entries: tuple[tuple[Derivation, ...], ...]
    order_given: bool = False
    point: Point = ()
    entry: tuple[int, int] | None = None
    sources: tuple[str | None, ...] = ()
    written: tuple[tuple, ...] = ()
    """Each function's sums and products in the order they were typed (for 'Interpreted as')."""

    def typed(self, index: int) -> tuple:
        """The typed order of function `index` (from 0), () when it was not typed."""
        return self.written[index] if index < len(self.written) else ()

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.functions), len(self.variables)


@dataclass(frozen=True)
class Classification:
    """The second-derivative test at a point: which test, its numbers, and what they show.

    `kind` is "minimum", "maximum", "saddle", "inconclusive", "not a critical point" or
    "undefined"; `definiteness` is "positive definite", "negative definite", "indefinite",
    "positive semidefinite", "negative semidefinite", "semidefinite" (all eigenvalues 0) or
    "unknown"; `test` is
    "leading minors" (Sylvester's criterion: D₁ … Dₙ, the determinants of the upper-left
    k×k blocks), "eigenvalues" (used when Dₙ = 0, where the minors cannot decide) or "none".
    """

    kind: str
    definiteness: str
    test: str
    numbers: tuple[Expr, ...]
    critical: bool
    reason: str


@dataclass(frozen=True)
class Hessian(_DerivationGrid):
    """H = [∂²f/∂xⱼ∂xᵢ]: one two-stage Derivation per entry; at a point, the second-derivative test."""

    RENDERER: ClassVar[str] = "calcgrad.render.hessian"

    expression: Expr
    variables: tuple[Symbol, ...]
    entries: tuple[tuple[Derivation, ...], ...]
    order_given: bool = False
    point: Point = ()
    entry: tuple[int, int] | None = None
    classification: Classification | None = None
    source: str | None = None
    written: tuple[Expr, ...] = ()
    """The input's terms and factors in the order they were typed (for 'Interpreted as')."""

    @cached_property
    def matrix(self) -> ImmutableMatrix:
        """H, with each pair of equal mixed partials in one form (the simpler of the two, the
        upper one on a tie), so that H₁₂ and H₂₁ print identically wherever H is shown."""
        n = len(self.variables)
        rows = [[d.result for d in row] for row in self.entries]
        for i in range(n):
            for j in range(i + 1, n):
                upper, lower = rows[i][j], rows[j][i]
                if upper != lower and _same(upper, lower):
                    form = min((upper, lower), key=lambda e: (sympy.count_ops(e), len(str(e))))
                    rows[i][j] = rows[j][i] = form
        return ImmutableMatrix(rows)

    @property
    def gradient(self) -> tuple[Expr, ...]:
        """∇f, read off the first stage of each row's derivations."""
        return tuple(row[0].steps[1].result for row in self.entries)

    @property
    def gradient_value(self) -> tuple[Expr, ...] | None:
        if not self.point:
            return None
        point = dict(self.point)
        return tuple(status_at(self.expression, self.expression, g, point, s)[0]
                     for g, s in zip(self.gradient, self.variables))

    @property
    def parameters(self) -> tuple[Symbol, ...]:
        return _sorted_symbols(self.expression.free_symbols - set(self.variables))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.variables), len(self.variables)

    @property
    def mismatched_pairs(self) -> tuple[tuple[int, int], ...]:
        """(i, j) with i < j, counted from 1, where the two mixed partials were not shown equal."""
        n = len(self.variables)
        return tuple((i + 1, j + 1) for i in range(n) for j in range(i + 1, n)
                     if not _same(self.entries[i][j].result, self.entries[j][i].result))

    @property
    def symmetric(self) -> bool:
        """Whether every pair of mixed partials agrees (Schwarz's theorem, when they are continuous)."""
        return not self.mismatched_pairs


# --- the public entry points -----------------------------------------------------------------


def gradient(
    expr,
    wrt=None,
    at=None,
    direction=None,
    variables: Iterable[str] = (),
    *,
    steps: bool = False,
    verify: bool = True,
    vars=None,  # noqa: A002 - the old name of wrt, still accepted (deprecated)
) -> Gradient:
    """∇f, step by step: one Derivation per variable.

    `expr` is text (read by calcgrad's parser) or a SymPy expression. `wrt` gives the variables
    in order (``"x,y"`` or a list; `vars=` is its old name); without it, all of the expression's
    symbols, alphabetically. `at` is a point giving every variable (``"x=1, y=2"``, a mapping, or
    a bare number when there is one variable); `direction` a vector
    (``"1,1"`` or a list of numbers) for the directional derivative along it, normalised.
    `variables` declares multi-letter names; `steps` makes the renderers show every step;
    `verify=False` skips checking each step against SymPy's own derivative (calcgrad.diff).
    """
    declared = request.declared_names(variables)
    expression, source = _read(expr, declared)
    symbols, given = _variables(request.wrt_keyword(wrt, vars, "gradient"), [expression], declared)
    point = _point(at, symbols, [expression], declared)
    vector = request.direction(direction, symbols, declared)
    deadline = _deadline()
    derivations = []
    for symbol in symbols:
        _check_deadline(deadline)
        derivations.append(diff(expression, symbol, at=_relevant(point, expression, symbol),
                                verify=verify))
    return Gradient(expression, symbols, tuple(derivations), given, tuple(point.items()), vector,
                    steps, source, _typed(expr, declared))


def jacobian(
    functions,
    wrt=None,
    at=None,
    entry=None,
    variables: Iterable[str] = (),
    *,
    verify: bool = True,
    vars=None,  # noqa: A002 - the old name of wrt, still accepted (deprecated)
) -> Jacobian:
    """J = [∂fᵢ/∂xⱼ] of several functions, each entry a Derivation.

    `functions` is text with the functions separated by ``;`` (``"x^2 y; x + y"``) or a list
    of texts or SymPy expressions. `wrt`, `at` and `variables` are as for `gradient`; `entry`
    (``(1, 2)`` or ``"1,2"``, counted from 1) picks the entry whose derivation is shown;
    `verify=False` skips the checks of each step (calcgrad.diff).
    """
    declared = request.declared_names(variables)
    pieces = _split_functions(functions)
    read = [_read(piece, declared) for piece in pieces]
    expressions = [e for e, _ in read]
    symbols, given = _variables(request.wrt_keyword(wrt, vars, "jacobian"), expressions, declared)
    point = _point(at, symbols, expressions, declared)
    shape = (len(expressions), len(symbols))
    chosen = request.entry(entry, shape) if entry is not None else None
    deadline = _deadline()
    rows = []
    for expression in expressions:
        row = []
        for symbol in symbols:
            _check_deadline(deadline)
            row.append(diff(expression, symbol, at=_relevant(point, expression, symbol),
                            verify=verify))
        rows.append(tuple(row))
    return Jacobian(tuple(expressions), symbols, tuple(rows), given, tuple(point.items()), chosen,
                    tuple(s for _, s in read), tuple(_typed(piece, declared) for piece in pieces))


def hessian(
    expr,
    wrt=None,
    at=None,
    entry=None,
    variables: Iterable[str] = (),
    *,
    verify: bool = True,
    vars=None,  # noqa: A002 - the old name of wrt, still accepted (deprecated)
) -> Hessian:
    """H = [∂²f/∂xⱼ∂xᵢ], each entry a two-stage Derivation; at a point, min/max/saddle.

    Arguments (and `verify`) as for `gradient` and `jacobian`. At a point the second-derivative test is run:
    leading principal minors (Sylvester's criterion), or eigenvalues when the determinant is 0.
    """
    declared = request.declared_names(variables)
    expression, source = _read(expr, declared)
    symbols, given = _variables(request.wrt_keyword(wrt, vars, "hessian"), [expression], declared)
    point = _point(at, symbols, [expression], declared)
    shape = (len(symbols), len(symbols))
    chosen = request.entry(entry, shape) if entry is not None else None
    deadline = _deadline()
    rows = []
    for first in symbols:
        row = []
        for second in symbols:
            _check_deadline(deadline)
            row.append(diff(expression, first, second,
                            at=_relevant(point, expression, first, second), verify=verify))
        rows.append(tuple(row))
    result = Hessian(expression, symbols, tuple(rows), given, tuple(point.items()), chosen, None,
                     source, _typed(expr, declared))
    if point:
        result = replace(result, classification=classify(result.value, result.gradient_value))
    return result


# --- the second-derivative test --------------------------------------------------------------


def classify(value: ImmutableMatrix, gradient_value: Sequence[Expr]) -> Classification:
    """Classify a point from the Hessian's value there and the gradient's value there."""
    n = value.rows
    entries = list(value) + list(gradient_value)
    if any(_undefined(e) for e in entries):
        return Classification("undefined", "unknown", "none", (), False,
                              "the Hessian or the gradient is not defined at this point")
    gradient_signs = [_sign(g) for g in gradient_value]
    critical = all(s == 0 for s in gradient_signs)
    for i in range(n):
        for j in range(i + 1, n):
            if _sign(value[i, j] - value[j, i]) != 0:
                return Classification(
                    "inconclusive", "unknown", "none", (), critical,
                    "the mixed partial derivatives differ at this point, so the second-derivative "
                    "test (which needs a symmetric Hessian) does not apply")

    minors = tuple(tidy(value[:k, :k].det()) for k in range(1, n + 1))
    signs = [_sign(m) for m in minors]
    if all(s == 1 for s in signs):
        definiteness, test, numbers = "positive definite", "leading minors", minors
        why = "every leading minor is positive"
    elif all(s == (-1) ** k for k, s in enumerate(signs, start=1)):
        definiteness, test, numbers = "negative definite", "leading minors", minors
        why = "the leading minors alternate in sign, starting negative"
    elif signs[-1] != 0:
        definiteness, test, numbers = "indefinite", "leading minors", minors
        why = ("the determinant is not 0 and the minors are neither all positive nor "
               "alternating from negative")
    else:
        numbers = _eigenvalues(value)
        eigen_signs = {_sign(v) for v in numbers}
        test = "eigenvalues"
        if 1 in eigen_signs and -1 in eigen_signs:
            definiteness, why = "indefinite", "there are positive and negative eigenvalues"
        elif -1 not in eigen_signs and 1 in eigen_signs:
            definiteness, why = "positive semidefinite", "the eigenvalues are ≥ 0, with a 0 among them"
        elif 1 not in eigen_signs and -1 in eigen_signs:
            definiteness, why = "negative semidefinite", "the eigenvalues are ≤ 0, with a 0 among them"
        else:
            definiteness, why = "semidefinite", "every eigenvalue is 0"
        why = "the determinant is 0, so the leading minors cannot decide; " + why

    if not critical:
        kind = "not a critical point"
        reason = (f"∇f ≠ 0 here, so this is not a minimum, maximum or saddle point; "
                  f"the Hessian is {definiteness} ({why})")
    elif definiteness == "positive definite":
        kind, reason = "minimum", f"∇f = 0 and the Hessian is positive definite ({why}): a local minimum"
    elif definiteness == "negative definite":
        kind, reason = "maximum", f"∇f = 0 and the Hessian is negative definite ({why}): a local maximum"
    elif definiteness == "indefinite":
        kind, reason = "saddle", f"∇f = 0 and the Hessian is indefinite ({why}): a saddle point"
    else:
        kind = "inconclusive"
        reason = (f"∇f = 0 but the Hessian is only {definiteness} ({why}); the second-derivative "
                  "test cannot decide (higher-order terms would)")
    return Classification(kind, definiteness, test, tuple(numbers), critical, reason)


def _eigenvalues(value: ImmutableMatrix) -> tuple[Expr, ...]:
    """The eigenvalues with multiplicity: exact when they are readable (rational entries, and
    no cube roots of complex numbers), else to 15 digits from mpmath's symmetric eigensolver."""
    found = value.eigenvals(multiple=True) if all(e.is_Rational for e in value) else None
    if found is None or any(v.has(sympy.I) for v in found):
        with mpmath.workdps(30):
            values = mpmath.eigsy(mpmath.matrix(value.evalf(30).tolist()), eigvals_only=True)
            found = [sympy.Float(v, 15) for v in values]
    return tuple(sorted(found, key=lambda v: float(v.evalf(20))))


def _sign(value: Expr) -> int:
    """-1, 0 or 1; a value within 10⁻³⁰ of 0 counts as 0 (exact cancellation SymPy missed)."""
    value = sympy.sympify(value, strict=True)
    if value.is_Rational:
        return int(sympy.sign(value))
    approx = sympy.re(value.evalf(50))
    if abs(approx) < sympy.Float("1e-30"):
        return 0
    return 1 if approx > 0 else -1


def _undefined(value: Expr) -> bool:
    return bool(value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo))


def _same(a: Expr, b: Expr) -> bool:
    """Equal as written, or after the bounded tidy-up of their difference."""
    return a == b or tidy(sympy.expand(a - b) if sympy.count_ops(a - b) <= limits.MAX_EXPAND_OPS
                          else a - b) == 0


def _substitute(expr: Expr, point: dict) -> Expr:
    value = expr.subs(point)
    return sympy.nan if _undefined(value) else value


# --- reading the input -----------------------------------------------------------------------


def _read(expr, declared: tuple[str, ...]) -> tuple[Expr, str | None]:
    """(expression, the text it came from or None)."""
    return request.expression(expr, declared), expr if isinstance(expr, str) else None


def _typed(expr, declared: tuple[str, ...]) -> tuple[Expr, ...]:
    """The typed order of a text input (calcgrad.read.parser.Reading.written), () for SymPy."""
    return request.reading(expr, declared).written if isinstance(expr, str) else ()


def _split_functions(functions) -> list:
    """The functions of a Jacobian, split on ';' before parsing (the parser rejects ';')."""
    if isinstance(functions, (str, sympy.Basic)):
        functions = [functions]
    try:
        items = list(functions)
    except TypeError:
        raise UsageError("give the functions as text separated by ';' or as a list") from None
    pieces = []
    for item in items:
        if isinstance(item, str):
            parts = item.split(";")
            for part in parts:
                if not part.strip():
                    raise UsageError(
                        f"function {len(pieces) + 1} is empty; separate the functions with "
                        "single semicolons, as in 'x^2 y; x + y'")
                pieces.append(part.strip())
        else:
            pieces.append(item)
    if not pieces:
        raise UsageError("no functions given; write them separated by ';', as in 'x^2 y; x + y'")
    if len(pieces) > limits.MAX_FUNCTIONS:
        raise LimitError(f"{len(pieces)} functions are too many to show step by step "
                         f"(at most {limits.MAX_FUNCTIONS})")
    return pieces


def _natural_key(symbol: Symbol) -> tuple:
    """Alphabetical, with numbered names in numeric order: w_2 before w_10."""
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", symbol.name))


def _sorted_symbols(symbols) -> tuple[Symbol, ...]:
    return tuple(sorted(symbols, key=_natural_key))


def _variables(given, expressions: list[Expr], declared) -> tuple[tuple[Symbol, ...], bool]:
    """(the variables, whether their order was given) — else all symbols, alphabetically."""
    names = list(request.variables(given, declared))
    order_given = bool(names)
    if not names:
        names = list(_sorted_symbols(set().union(*(e.free_symbols for e in expressions))))
        if not names:
            raise UsageError("the expression has no variable; say which variables to use "
                             "(--wrt x,y)")
    repeated = sorted({n.name for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"the variable {', '.join(repeated)} is listed twice; give each once")
    if len(names) > limits.MAX_VARIABLES:
        raise LimitError(f"{len(names)} variables are too many to show step by step "
                         f"(at most {limits.MAX_VARIABLES})")
    return tuple(names), order_given


def _point(at, symbols: tuple[Symbol, ...], expressions: list[Expr], declared) -> dict:
    """The point as {symbol: number}, giving every variable and symbol of the expressions."""
    others = _sorted_symbols(set().union(*(e.free_symbols for e in expressions)) - set(symbols))
    return request.point(at, (*symbols, *others), declared)


def _relevant(point: dict, expression: Expr, *variables: Symbol) -> dict | None:
    """The coordinates of the point that one derivative uses (the engine refuses others)."""
    used = expression.free_symbols | set(variables)
    return {s: v for s, v in point.items() if s in used} or None


def _deadline() -> float:
    return time.monotonic() + limits.MATRIX_SECONDS


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise LimitError(f"these derivatives take longer than {limits.MATRIX_SECONDS:g} s in all "
                         "to work out step by step; try fewer variables or a smaller expression")
