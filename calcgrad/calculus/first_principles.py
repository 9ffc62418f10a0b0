"""The derivative from first principles: the limit of the difference quotient, step by step.

f′(x) = lim_{h→0} (f(x + h) − f(x))/h. Each route below is an elementary argument a student can
follow (expand and cancel h; a common denominator; the conjugate of a root; the addition
formulas and the standard limits sin h/h → 1, (cos h − 1)/h → 0, (eʰ − 1)/h → 1). Where calcgrad
has no elementary route it says so and shows the limit as SymPy's `limit` computes it: never a
made-up derivation. Every result is compared with the rules (calcgrad.diff).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import sympy
from sympy import Expr, Symbol
from sympy.printing.str import StrPrinter

from calcgrad import limits
from calcgrad.deadline import deadline
from calcgrad.engine.derivation import Derivation
from calcgrad.engine.pointwise import PointStatus, real_roots, status_at
from calcgrad.errors import LimitError, UsageError
from calcgrad.render.protocol import Rendered
from calcgrad.engine.derive import diff as derive, differentiation_sequence
from calcgrad.read import request
from calcgrad.engine.tidy import tidy
from calcgrad.render.notation import TextPrinter

Explanation = tuple  # words (str) and SymPy expressions, as in calcgrad.engine.steps

_INCREMENT_NAMES = ("h", "k", "t", "s", "u")


@dataclass(frozen=True)
class StandardLimit:
    """A limit quoted rather than derived, such as sin h / h → 1 as h → 0."""

    name: str
    expression: Expr
    value: Expr


@dataclass(frozen=True)
class LimitStep:
    """One named step: the difference quotient rewritten, each form equal to the one before.

    `forms` are successive equal forms of the quotient (under lim h→0 while `under_limit`);
    the last one is the step's result.
    """

    rule: str
    title: str
    forms: tuple[Expr, ...]
    explanation: Explanation
    under_limit: bool = True
    standard_limits: tuple[StandardLimit, ...] = ()

    @property
    def result(self) -> Expr:
        return self.forms[-1]


@dataclass(frozen=True)
class QuotientRow:
    """One row of the table: the secant slope (f(a + h) − f(a))/h for one h."""

    h: Expr
    quotient: float | None
    error: float | None


@dataclass(frozen=True)
class FirstPrinciples(Rendered):
    """f′ found as the limit of the difference quotient, checked against the rules."""

    RENDERER: ClassVar[str] = "calcgrad.render.first_principles"

    expression: Expr
    variable: Symbol
    increment: Symbol
    route: str
    steps: tuple[LimitStep, ...]
    rules: Derivation
    agrees: bool
    note: str = ""
    point: tuple[tuple[Symbol, Expr], ...] = ()
    value: Expr | None = None
    table: tuple[QuotientRow, ...] = ()
    source: str | None = None
    value_status: PointStatus = PointStatus()
    written: tuple = ()
    """The input's sums and products in the order they were typed (for 'Interpreted as')."""

    @property
    def result(self) -> Expr | None:
        """The limit, as the last step gives it (None when no route reached it)."""
        last = self.steps[-1] if self.steps else None
        return last.result.doit() if last is not None and not last.under_limit else None

    @property
    def partial(self) -> bool:
        return len(self.expression.free_symbols | {self.variable}) > 1



ROUTES = {
    "polynomial": "polynomial: expand, cancel h, let h → 0",
    "rational": "rational function: common denominator, expand, cancel h, let h → 0",
    "root": "square root: multiply by the conjugate, expand, cancel h, let h → 0",
    "standard_limits": "addition formulas and the standard limits",
    "sympy_limit": "no elementary route implemented: the limit as SymPy computes it",
}
"""Route name → how the route goes, as the output states it."""


def standard_limits(h: Symbol) -> dict[str, StandardLimit]:
    """The three quoted limits, in the increment h."""
    return {
        "sin": StandardLimit("sin h / h → 1", sympy.sin(h) / h, sympy.S.One),
        "cos": StandardLimit("(cos h − 1)/h → 0", (sympy.cos(h) - 1) / h, sympy.S.Zero),
        "exp": StandardLimit("(e^h − 1)/h → 1", (sympy.exp(h) - 1) / h, sympy.S.One),
    }


# --- the public entry point ------------------------------------------------------------------


def first_principles(expr, wrt=None, at=None, variables: Iterable[str] = (),
                     timeout: float | None = None) -> FirstPrinciples:
    """The derivative of `expr` with respect to `wrt` from the definition, step by step.

    `expr` is text (read by calcgrad's parser) or a SymPy expression; `wrt` one variable (the
    only variable when omitted); `at` a point ("x=2", a mapping, or a bare 2 when there is one
    variable) at which the derivative is evaluated and the difference quotient tabulated for
    shrinking h. `timeout` is the time budget in seconds (default limits.API_SECONDS).
    """
    with deadline(timeout, "working from first principles"):
        return _first_principles(expr, wrt, at, variables)


def _first_principles(expr, wrt, at, variables) -> FirstPrinciples:

    declared = request.declared_names(variables)
    source = expr if isinstance(expr, str) else None
    reading = request.reading(expr, declared)
    expression = reading.expression
    sequence = differentiation_sequence(expression, wrt, 1, declared)
    if len(sequence) != 1:
        names = ", ".join(s.name for s in sequence)
        raise UsageError(f"first principles differentiates by one variable at a time, not {names}")
    (x,) = sequence
    others = sorted(expression.free_symbols - {x}, key=lambda s: s.name)
    point = request.point(at, (x, *others), declared)
    _check_size(expression)
    h = _increment(expression, x)

    route, steps = _derive(expression, x, h)
    steps = _without_repeats(_with_tidy_result(steps, h))
    rules = derive(expression, x)
    note = ""
    result = steps[-1].result.doit() if steps and not steps[-1].under_limit else None
    if result is None:
        agrees = False
        note = steps[-1].explanation[-1] if steps else ""
    else:
        agrees = same(result, rules.result, x)
        if not agrees:
            note = "this limit does not agree with the rules: treat it with suspicion"
    answer = result if result is not None else rules.result
    value, table, status = None, (), PointStatus()
    if point:
        value, status = status_at(expression, expression, answer, point, x)
        if status.code not in ("outside_domain", "removable_hole"):
            table = _table(expression, x, point, value)
    return FirstPrinciples(expression, x, h, route, tuple(steps), rules, agrees, note,
                           tuple(point.items()), value, table, source, status, reading.written)


def same(a: Expr, b: Expr, x: Symbol) -> bool:
    """Whether two derivatives are equal: symbolically by cheap rewrites, else at sample points."""
    difference = a - b
    if difference == 0 or sympy.expand(difference) == 0:
        return True
    if sympy.count_ops(difference) <= limits.MAX_SIMPLIFY_OPS:
        if sympy.cancel(sympy.together(difference)) == 0:
            return True
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    checked = 0
    for i, sample in enumerate((sympy.Rational(7, 5), sympy.Rational(23, 10), sympy.Rational(5, 7),
                                sympy.Rational(31, 9), sympy.Rational(2, 11))):
        values = {s: sample + sympy.Rational(k, 3) for k, s in enumerate(symbols)}
        va, vb = (sympy.N(e.xreplace(values), 30) for e in (a, b))
        if not (va.is_real and vb.is_real and va.is_finite and vb.is_finite):
            continue
        checked += 1
        if abs(va - vb) > sympy.Float(10) ** -20 * max(1, abs(va)):
            return False
    return checked > 0


# --- input -----------------------------------------------------------------------------------


def _check_size(expression: Expr) -> None:
    limits.check_magnitude(expression)
    exponent = limits.max_exponent(expression)
    if exponent > limits.MAX_FACTOR_DEGREE:  # checked before SymPy builds a polynomial of it
        raise LimitError(f"degree {exponent:.6g} is too high to expand from first principles "
                         f"(at most {limits.MAX_FIRST_PRINCIPLES_DEGREE}); use calcgrad diff")
    ops = sympy.count_ops(expression)
    if ops > limits.MAX_FIRST_PRINCIPLES_OPS:
        raise LimitError(f"the expression is too large to work from first principles ({ops} "
                         f"operations; at most {limits.MAX_FIRST_PRINCIPLES_OPS}); "
                         "use calcgrad diff for the rules")


def _check_degree(degree: int) -> None:
    if degree > limits.MAX_FIRST_PRINCIPLES_DEGREE:
        raise LimitError(f"degree {degree} is too high to expand from first principles "
                         f"(at most {limits.MAX_FIRST_PRINCIPLES_DEGREE}); use calcgrad diff")


def _increment(expression: Expr, x: Symbol) -> Symbol:
    taken = {s.name for s in expression.free_symbols} | {x.name}
    for name in _INCREMENT_NAMES:
        if name not in taken:
            return Symbol(name, real=True)
    return Symbol("Δ" + x.name, real=True)


# --- routes ----------------------------------------------------------------------------------


def _derive(f: Expr, x: Symbol, h: Symbol) -> tuple[str, list[LimitStep]]:
    if f.is_polynomial(x):
        return "polynomial", _polynomial(f, x, h)
    numerator, denominator = sympy.fraction(sympy.together(f))
    if denominator.has(x) and numerator.is_polynomial(x) and denominator.is_polynomial(x):
        return "rational", _rational(f, numerator, denominator, x, h)
    constant, rest = f.as_independent(x, as_Add=False)
    if (rest.is_Pow and rest.exp == sympy.S.Half and rest.base.is_polynomial(x)
            and rest.base.has(x)):
        return "root", _root(constant, rest.base, x, h)
    terms = _standard_terms(f, x)
    if terms is not None:
        return "standard_limits", _standard(f, *terms, x, h)
    return "sympy_limit", _sympy_limit(f, x, h)


def _shifted(expr: Expr, x: Symbol, h: Symbol) -> Expr:
    """expr with x replaced by x + h, left unevaluated so that it reads as substituted."""
    shown = arranged(expr, h)
    with sympy.evaluate(False):
        return shown.xreplace({x: sympy.Add(x, h, evaluate=False)})


def _factors(expr: Expr) -> list[Expr]:
    """The factors of an (unevaluated) product, nested products flattened, ones dropped."""
    expr = sympy.sympify(expr, strict=True)  # internal numbers only; strict refuses text
    if expr.is_Mul:
        return [f for a in expr.args for f in _factors(a)]
    return [] if expr == 1 else [expr]


def product(*factors: Expr) -> Expr:
    """An unevaluated product, flat, so that the printers bracket and order it correctly."""
    flat = [f for factor in factors for f in _factors(factor)]
    coefficient = sympy.Mul(*[f for f in flat if f.is_Number])
    flat = ([coefficient] if coefficient != 1 else []) + [f for f in flat if not f.is_Number]
    if not flat:
        return sympy.S.One
    return flat[0] if len(flat) == 1 else sympy.Mul(*flat, evaluate=False)


def fraction(top: Expr, *bottom: Expr) -> Expr:
    """top / (product of bottom), unevaluated, one reciprocal per factor of the bottom."""
    below = [sympy.Pow(f, -1, evaluate=False) for b in bottom for f in _factors(b)]
    return product(top, *below)


def _over_h(numerator: Expr, h: Symbol) -> Expr:
    return fraction(numerator, h)


def _minus(a: Expr, b: Expr) -> Expr:
    negated = -b if b.is_Number or b.is_Symbol else product(-1, b)
    return sympy.Add(a, negated, evaluate=False)


def _substitute_step(f: Expr, x: Symbol, h: Symbol, extra: Explanation = (),
                     written: Expr | None = None) -> LimitStep:
    g = f if written is None else written
    quotient = _over_h(_minus(_shifted(g, x, h), arranged(g, h)), h)
    return LimitStep("substitute", f"Substitute {x} + {h}", (quotient,),
                     ("replace ", x, " by ", sympy.Add(x, h, evaluate=False), " in f(", x, ") = ",
                      f, *extra))


def _expand_and_cancel(numerator_shown: Expr, numerator: Expr, denominator_rest: Expr,
                       x: Symbol, h: Symbol, what: str) -> list[LimitStep]:
    """Expand a numerator that vanishes at h = 0, then divide the factor h out of it."""
    expanded = sympy.expand(numerator)

    def over(top, with_h=True):
        return fraction(top, h, denominator_rest) if with_h else fraction(top, denominator_rest)

    expand = LimitStep("expand", "Expand", (over(numerator_shown), over(arranged(expanded, h))),
                       (f"multiply out {what}; the terms without {h} cancel, so every term "
                        f"left has a factor {h}",))
    cancelled = sympy.expand(expanded / h)
    if expanded == 0:
        factored = expanded
    elif cancelled.is_Number:
        factored = cancelled * h
    else:
        factored = product(h, arranged(cancelled, h))
    cancel = LimitStep("cancel", f"Cancel {h}", (over(factored), over(arranged(cancelled, h), False)),
                       (f"divide the common factor {h} out of top and bottom; this is allowed "
                        f"because {h} ≠ 0 while {h} → 0",))
    return [expand, cancel]


def _polynomial(f: Expr, x: Symbol, h: Symbol) -> list[LimitStep]:
    _check_degree(sympy.degree(f, x))
    shifted = sympy.expand(f.subs(x, x + h))
    numerator_shown = sympy.Add(*[arranged(t, h) for t in _terms(shifted, h)],
                                *[-t for t in _terms(f, h)], evaluate=False)
    steps = [_substitute_step(f, x, h)]
    steps += _expand_and_cancel(numerator_shown, shifted - f, sympy.S.One, x, h, f"f({x} + {h})")
    remainder = steps[-1].result
    steps.append(LimitStep("limit", f"Limit {h} → 0", (arranged(remainder.subs(h, 0), h),),
                           (remainder, f" is a polynomial in {h}, continuous at {h} = 0, "
                            f"so let {h} → 0 by setting {h} = 0"), under_limit=False))
    return steps


def _rational(f: Expr, p: Expr, q: Expr, x: Symbol, h: Symbol) -> list[LimitStep]:
    _check_degree(sympy.degree(p, x) + sympy.degree(q, x))
    one = fraction(arranged(p, h), arranged(q, h))
    extra = (", written as one fraction ", one) if f.is_Add else ()
    steps = [_substitute_step(f, x, h, extra, written=one)]
    ps, qs = _shifted(p, x, h), _shifted(q, x, h)
    top = _minus(product(ps, arranged(q, h)), product(arranged(p, h), qs))
    bottom = product(h, qs, arranged(q, h))
    steps.append(LimitStep("common_denominator", "Common denominator", (fraction(top, bottom),),
                           ("write the difference of the two fractions over the common "
                            "denominator ", bottom)))
    numerator = p.subs(x, x + h) * q - p * q.subs(x, x + h)
    denominator_rest = product(qs, arranged(q, h))
    steps += _expand_and_cancel(top, numerator, denominator_rest, x, h, "the numerator")
    cancelled = sympy.expand(sympy.expand(numerator) / h)
    limit = fraction(arranged(cancelled.subs(h, 0), h), sympy.Pow(arranged(q, h), 2, evaluate=False))
    steps.append(LimitStep("limit", f"Limit {h} → 0", (limit,),
                           ("numerator and denominator are polynomials in ", h,
                            " and the denominator is not 0 at ", h, " = 0 wherever f is defined, "
                            "so the quotient is continuous there: set ", h, " = 0"),
                           under_limit=False))
    return steps


def _root(c: Expr, p: Expr, x: Symbol, h: Symbol) -> list[LimitStep]:
    _check_degree(sympy.degree(p, x))
    f = c * sympy.sqrt(p)
    steps = [_substitute_step(f, x, h)]
    shifted_root = sympy.Pow(_shifted(p, x, h), sympy.S.Half, evaluate=False)
    root = sympy.Pow(arranged(p, h), sympy.S.Half, evaluate=False)
    conjugate = sympy.Add(shifted_root, root, evaluate=False)
    top = product(c, _minus(_shifted(p, x, h), arranged(p, h)))
    shown = fraction(product(c, _minus(shifted_root, root), conjugate), h, conjugate)
    steps.append(LimitStep("conjugate", "Multiply by the conjugate",
                           (shown, fraction(top, h, conjugate)),
                           ("multiply top and bottom by the conjugate ", conjugate,
                            "; since (a − b)(a + b) = a² − b², the roots leave the numerator")))
    numerator = c * (p.subs(x, x + h) - p)
    steps += _expand_and_cancel(top, numerator, conjugate, x, h, "the numerator")
    cancelled = sympy.expand(sympy.expand(numerator) / h)
    limit = fraction(arranged(cancelled.subs(h, 0), h), product(sympy.Integer(2), root))
    steps.append(LimitStep("limit", f"Limit {h} → 0", (limit,),
                           ("the square root is continuous, so at ", h, " = 0 the conjugate ",
                            conjugate, " becomes ", 2 * sympy.sqrt(p),
                            " (not 0 where the root's derivative exists): set ", h, " = 0"),
                           under_limit=False))
    return steps


# --- eˣ, sin x, cos x and sums of them --------------------------------------------------------

_TRANSCENDENTAL = (sympy.exp, sympy.sin, sympy.cos)


def _standard_terms(f: Expr, x: Symbol):
    """(polynomial part, [(c, function, argument, k)]) when f = P(x) + Σ c·F(kx + b), else None."""
    polynomial = sympy.S.Zero
    transcendental = []
    for term in sympy.Add.make_args(f):
        c, g = term.as_independent(x, as_Add=False)
        if g.is_polynomial(x):
            polynomial += term
            continue
        if isinstance(g, _TRANSCENDENTAL):
            argument = g.args[0]
            if argument.is_polynomial(x) and sympy.degree(argument, x) == 1:
                transcendental.append((c, type(g), argument, sympy.diff(argument, x)))
                continue
        return None
    if not transcendental:
        return None
    return polynomial, transcendental


def _standard(f: Expr, polynomial: Expr, terms, x: Symbol, h: Symbol) -> list[LimitStep]:
    _check_degree(sympy.degree(polynomial, x) if polynomial != 0 else 0)
    known = standard_limits(h)
    steps = [_substitute_step(f, x, h)]

    times = product

    def ratio(top):
        return fraction(top, h)

    expanded_pieces, grouped, used, formulas, limit_terms = [], [], [], [], []
    shifted_polynomial = sympy.expand(polynomial.subs(x, x + h))
    if polynomial != 0:
        expanded_pieces += _terms(shifted_polynomial, h) + [-t for t in _terms(polynomial, h)]
        polynomial_quotient = sympy.expand((shifted_polynomial - polynomial) / h)
        if polynomial_quotient != 0:
            grouped.append(arranged(polynomial_quotient, h))
            limit_terms.append(polynomial_quotient.subs(h, 0))
    for c, function, a, k in terms:
        a = arranged(a, h)
        kh = times(k, h)
        if function is sympy.exp:
            formula = "e^(a + b) = e^a·e^b"
            expanded_pieces += [times(c, sympy.exp(a, evaluate=False), sympy.exp(kh, evaluate=False)),
                                times(-1, c, sympy.exp(a, evaluate=False))]
            grouped.append(times(c, sympy.exp(a, evaluate=False),
                                 ratio(sympy.Add(sympy.exp(kh, evaluate=False), -1, evaluate=False))))
            used.append(known["exp"])
            limit_terms.append(c * k * sympy.exp(a))
        else:
            sin_a, cos_a = sympy.sin(a, evaluate=False), sympy.cos(a, evaluate=False)
            sin_kh, cos_kh = sympy.sin(kh, evaluate=False), sympy.cos(kh, evaluate=False)
            cos_minus_one = ratio(sympy.Add(cos_kh, -1, evaluate=False))
            sin_ratio = ratio(sin_kh)
            if function is sympy.sin:
                formula = "sin(a + b) = sin a·cos b + cos a·sin b"
                expanded_pieces += [times(c, sin_a, cos_kh), times(c, cos_a, sin_kh),
                                    times(-1, c, sin_a)]
                grouped += [times(c, sin_a, cos_minus_one), times(c, cos_a, sin_ratio)]
                limit_terms.append(c * k * sympy.cos(a))
            else:
                formula = "cos(a + b) = cos a·cos b − sin a·sin b"
                expanded_pieces += [times(c, cos_a, cos_kh),
                                    times(-1, c, sin_a, sin_kh),
                                    times(-1, c, cos_a)]
                grouped += [times(c, cos_a, cos_minus_one),
                            times(-1, c, sin_a, sin_ratio)]
                limit_terms.append(-c * k * sympy.sin(a))
            used += [known["cos"], known["sin"]]
        if formula not in formulas:
            formulas.append(formula)
    words = "; ".join(formulas)
    if polynomial != 0:
        words += f"; the polynomial part multiplied out (its terms without {h} cancel)"
    steps.append(LimitStep("addition_formula", "Expand with the addition formulas",
                           (_over_h(sympy.Add(*expanded_pieces, evaluate=False), h),), (words,)))
    steps.append(LimitStep("regroup", "Group around the standard limits",
                           (sympy.Add(*grouped, evaluate=False) if len(grouped) > 1 else grouped[0],),
                           (f"divide each group by {h} so that each standard limit appears "
                            f"(the polynomial part loses its factor {h})"
                            if polynomial != 0 else f"divide each group by {h} so that each "
                            "standard limit appears",)))
    unique = tuple(dict.fromkeys(used))
    scaled = any(k != 1 for *_, k in terms)
    explanation = ["use the standard limits " + ", ".join(s.name for s in unique) + f" as {h} → 0"]
    if scaled:
        explanation.append(f"; with u = k{h} (u → 0 as {h} → 0), e.g. sin(k{h})/{h} = "
                           f"k·sin(u)/u → k, so each quotient in k{h} tends to k times its "
                           "standard limit")
    if polynomial != 0:
        explanation.append(f"; the polynomial part is continuous in {h}: set {h} = 0")
    steps.append(LimitStep("limit", f"Limit {h} → 0", (sympy.Add(*limit_terms),),
                           tuple(explanation), under_limit=False, standard_limits=unique))
    return steps


# --- no elementary route -----------------------------------------------------------------------


def _sympy_limit(f: Expr, x: Symbol, h: Symbol) -> list[LimitStep]:
    steps = [_substitute_step(f, x, h)]
    quotient = (f.subs(x, x + h) - f) / h
    why = ("calcgrad has no elementary first-principles route for this function (it covers "
           "polynomials, rational functions, square roots of polynomials, and sums of eˣ, sin x "
           "and cos x terms with a polynomial)")
    try:
        value = sympy.limit(quotient, h, 0)
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        value = None
    if value is None or value.has(sympy.Limit, sympy.oo, -sympy.oo, sympy.zoo, sympy.nan,
                                  sympy.sign):
        steps.append(LimitStep("sympy_limit", "Limit by SymPy", steps[-1].forms,
                               (why + "; SymPy's limit did not find this limit either, so no "
                                "first-principles result is shown; the rules' answer is below",)))
        return steps
    steps.append(LimitStep("sympy_limit", "Limit by SymPy", (value,),
                           (why + "; this is the limit as SymPy's limit computes it, with no "
                            "elementary steps shown",), under_limit=False))
    return steps


def _with_tidy_result(steps: list[LimitStep], h: Symbol) -> list[LimitStep]:
    """The final limit in the order the steps read, and also tidied when that is shorter."""
    last = steps[-1]
    if last.under_limit:
        return steps
    value = last.result.doit()  # evaluates the unevaluated display form
    forms = [arranged(last.result, h)]
    forms.append(arranged(tidy(value), h))
    return steps[:-1] + [LimitStep(last.rule, last.title, tuple(forms), last.explanation,
                                   last.under_limit, last.standard_limits)]


def _without_repeats(steps: list[LimitStep]) -> list[LimitStep]:
    """Each form once: a step does not restate the form the step before it ended with."""
    printer = TextPrinter({"order": "none"})
    previous = None
    kept = []
    for step in steps:
        forms = []
        for form in step.forms:
            shown = printer.doprint(form)
            if shown != previous:
                forms.append(form)
            previous = shown
        forms = forms or [step.forms[-1]]
        kept.append(LimitStep(step.rule, step.title, tuple(forms), step.explanation,
                              step.under_limit, step.standard_limits))
    return kept


# --- display helpers -----------------------------------------------------------------------------


def _terms(expr: Expr, h: Symbol) -> list[Expr]:
    if expr == 0:
        return []
    terms = StrPrinter()._as_ordered_terms(expr) if expr.is_Add else [expr]
    return sorted(terms, key=lambda t: _h_degree(t, h))


def _h_degree(term: Expr, h: Symbol) -> int:
    if not term.has(h):
        return 0
    return sympy.degree(term, h) if term.is_polynomial(h) else 1


def arranged(expr: Expr, h: Symbol) -> Expr:
    """expr with every sum in the order the steps read best: descending powers, then powers of h.

    The result is unevaluated, for printing with order="none"; its value is unchanged.
    """
    if expr.is_Atom:
        return expr
    if expr.is_Add:
        return sympy.Add(*[arranged(t, h) for t in _terms(expr, h)], evaluate=False)
    with sympy.evaluate(False):
        return expr.func(*[arranged(a, h) for a in expr.args])


# --- the point and the table ---------------------------------------------------------------------


TABLE_STEPS = tuple(sympy.Rational(1, 10**k) for k in range(7))
"""h = 1, 0.1, …, 10⁻⁶; each is used with both signs."""


def _table(f: Expr, x: Symbol, point: dict, derivative_value: Expr) -> tuple[QuotientRow, ...]:
    rows = []
    a = point[x]
    others = {s: v for s, v in point.items() if s != x}
    g = real_roots(f.xreplace(others))  # odd roots of negative numbers are real, as in diff
    base = g.xreplace({x: a})
    defined = _number(derivative_value) is not None
    for step in TABLE_STEPS:
        for h in (step, -step):
            exact = (g.xreplace({x: a + h}) - base) / h
            quotient = _number(exact)
            error = _number(exact - derivative_value) if quotient is not None and defined else None
            rows.append(QuotientRow(h, quotient, error))
    return tuple(rows)


def _number(value: Expr) -> float | None:
    try:
        number = sympy.N(value, 30)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (number.is_real and number.is_finite):
        return None
    return float(number)
