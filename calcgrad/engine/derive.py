"""Expression → Derivation: one rule per kind of expression, picked from a table on expr.func."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.deadline import check as check_deadline
from calcgrad.deadline import deadline
from calcgrad.engine.derivation import Derivation
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.tidy import tidy
from calcgrad.engine.steps import (
    FUNCTION_RULES,
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    DiffStep,
    EvaluateStep,
    ExponentialRule,
    LogarithmicDifferentiationRule,
    LogBaseRule,
    PiecewiseRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    SimplifyStep,
    StandardDerivative,
    Step,
    SumRule,
    VariableRule,
)

_INNER_NAMES = ("u", "v", "w", "s", "t", "p", "q", "r")


@dataclass
class _Budget:
    """Steps and time left for one derivation, so hostile input fails fast."""

    deadline: float
    steps: int = 0

    def spend(self) -> None:
        self.steps += 1
        if self.steps > limits.MAX_STEPS:
            raise LimitError(f"this derivative needs more than {limits.MAX_STEPS} steps; "
                             "it is too large to show step by step")
        check_deadline()
        if self.steps % 64 == 0 and time.monotonic() > self.deadline:
            raise LimitError(f"this derivative takes longer than {limits.DERIVE_SECONDS:g} s to "
                             "work out step by step; try a smaller expression")


@dataclass(frozen=True)
class _Context:
    """What every rule needs: the budget and the names already taken."""

    budget: _Budget
    taken: frozenset = field(default_factory=frozenset)

    def fresh_symbol(self) -> Symbol:
        names = {getattr(s, "name", "") for s in self.taken}
        for name in _INNER_NAMES:
            if name not in names:
                return Symbol(name, real=True)
        i = 1
        while f"u_{i}" in names:
            i += 1
        return Symbol(f"u_{i}", real=True)

    def taking(self, *symbols: Symbol) -> _Context:
        return _Context(self.budget, self.taken | frozenset(symbols))


def derive_step(expr: Expr, x: Symbol, context: _Context | None = None) -> DiffStep:
    """The step tree of d/dx expr."""
    if context is None:
        context = _Context(_Budget(time.monotonic() + limits.DERIVE_SECONDS),
                           frozenset(expr.free_symbols | {x}))
    context.budget.spend()
    if not expr.has(x):
        return ConstantRule(expr, x)
    if expr == x:
        return VariableRule(expr, x)
    handler = _HANDLERS.get(expr.func)
    if handler is None:
        handler = _function if _function_rule(expr.func) else _standard
    return handler(expr, x, context)


def _sum(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    terms = expr.as_ordered_terms()
    return SumRule(expr, x, tuple(derive_step(t, x, context) for t in terms))


def _mul(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    log_base = _log_base_parts(expr, x)
    if log_base is not None:
        constant, argument, base = log_base
        if constant != 1:
            inner = sympy.log(argument) / sympy.log(base)
            return ConstantMultipleRule(expr, x, constant, derive_step(inner, x, context))
        return _with_chain(expr, x, argument, lambda u: sympy.log(u) / sympy.log(base),
                           lambda e, u: LogBaseRule(e, u, base), context)

    constant, dependent = expr.as_independent(x, as_Add=False)
    if constant != 1:
        return ConstantMultipleRule(expr, x, constant, derive_step(dependent, x, context))

    numerator, denominator = [], []
    for factor in expr.args:
        exponent = factor.exp if factor.is_Pow else None
        if exponent is not None and exponent.is_number and exponent.is_negative:
            denominator.append(factor.base ** -exponent)
        else:
            numerator.append(factor)
    if denominator and (numerator or len(denominator) > 1):
        f, g = sympy.Mul(*numerator), sympy.Mul(*denominator)
        return QuotientRule(expr, x, f, g, derive_step(f, x, context), derive_step(g, x, context))

    factors = tuple(sympy.Mul.make_args(expr))
    if len(factors) > limits.MAX_PRODUCT_FACTORS:
        raise LimitError(f"a product of {len(factors)} factors is too long to write out with the "
                         f"product rule (at most {limits.MAX_PRODUCT_FACTORS})")
    return ProductRule(expr, x, factors, tuple(derive_step(f, x, context) for f in factors))


def _log_base_parts(expr: Expr, x: Symbol):
    """(c, u, b) when expr is c·ln(u)/ln(b) with a numeric base b, as SymPy stores log_b(u)."""
    logs = [f for f in expr.args if isinstance(f, sympy.log) and f.has(x)]
    bases = [f.base.args[0] for f in expr.args
             if f.is_Pow and f.exp == -1 and isinstance(f.base, sympy.log)
             and f.base.args[0].is_number and f.base.args[0].is_positive]
    if len(logs) != 1 or len(bases) != 1:
        return None
    argument, base = logs[0].args[0], bases[0]
    constant = sympy.Mul(*(f for f in expr.args if f is not logs[0]
                           and not (f.is_Pow and f.base == sympy.log(base) and f.exp == -1)))
    if constant.has(x):
        return None
    return constant, argument, base


def _pow(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    base, exponent = expr.base, expr.exp
    if not exponent.has(x):
        return _with_chain(expr, x, base, lambda u: u**exponent, PowerRule, context)
    if not base.has(x):
        return _with_chain(expr, x, exponent, lambda u: base**u, ExponentialRule, context)
    log_form = sympy.expand_log(exponent * sympy.log(base), force=False)
    return LogarithmicDifferentiationRule(expr, x, log_form, derive_step(log_form, x, context))


def _function(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    rule = _function_rule(expr.func)
    return _with_chain(expr, x, expr.args[0], expr.func, rule, context)


def _function_rule(func):
    for rule in FUNCTION_RULES:
        if rule.knows(func):
            return rule
    return None


def _piecewise(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    pieces = tuple(derive_step(piece, x, context) for piece, _ in expr.args)
    conditions = tuple(condition for _, condition in expr.args)
    return PiecewiseRule(expr, x, pieces, conditions)


def _standard(expr: Expr, x: Symbol, context: _Context) -> DiffStep:
    if isinstance(expr, sympy.Function) and expr.args and all(
            not a.has(x) for a in expr.args[1:]):
        rest = expr.args[1:]
        return _with_chain(expr, x, expr.args[0], lambda u: expr.func(u, *rest),
                           StandardDerivative, context)
    return StandardDerivative(expr, x)


def _with_chain(expr, x, inner, outer_of, rule, context: _Context) -> DiffStep:
    """`rule` applied directly when the inner expression is x itself, else the chain rule."""
    if inner == x:
        return rule(expr, x)
    u = context.fresh_symbol()
    outer_expr = outer_of(u)
    outer = rule(outer_expr, u)
    inner_step = derive_step(inner, x, context.taking(u))
    return ChainRule(expr, x, inner, u, outer, inner_step)


_HANDLERS = {
    sympy.Add: _sum,
    sympy.Mul: _mul,
    sympy.Pow: _pow,
    sympy.Piecewise: _piecewise,
}


# --- the public entry point ------------------------------------------------------------------


def diff(
    expr,
    *wrt,
    order: int = 1,
    at=None,
    variables: Iterable[str] = (),
    timeout: float | None = None,
) -> Derivation:
    """Differentiate `expr` step by step.

    `expr` is text (read by calcgrad's safe parser) or a SymPy expression. `wrt` names the
    variables, in order (``"x"``, ``"x,y"`` or several arguments for mixed partials); with none
    given, the expression's only variable is used. `order` repeats a single variable. `at` is a
    point (``"x=3"`` or a mapping) at which the result is evaluated. `timeout` is the time
    budget in seconds (default limits.DERIVE_SECONDS); running out raises
    calcgrad.deadline.DeadlineExceeded.
    """
    seconds = limits.DERIVE_SECONDS if timeout is None else timeout
    with deadline(seconds, "this derivative"):
        return _diff(expr, wrt, order, at, tuple(variables))


def _diff(expr, wrt, order, at, declared) -> Derivation:
    text = expr if isinstance(expr, str) else None
    expression = _parsing().parse(expr, variables=declared) if text is not None else as_real(expr)
    sequence = differentiation_sequence(expression, wrt, order, declared)
    point = _point(at, declared)
    _check_point(point, expression, sequence)
    limits.check_magnitude(expression)

    budget = _Budget(time.monotonic() + limits.DERIVE_SECONDS)
    taken = frozenset(expression.free_symbols | set(sequence))
    steps: list[Step] = []
    current = expression
    for done, variable in enumerate(sequence):
        if done:
            _check_result_size(current, done)
        step = derive_step(current, variable, _Context(budget, taken))
        simplified = SimplifyStep(step.result, tidy(step.result))
        steps += [step, simplified]
        current = simplified.result
    if point:
        steps.append(_evaluate(current, expression, point))
    return Derivation(expression, tuple(sequence), tuple(steps), tuple(point.items()), text)


def _check_result_size(current: Expr, done: int) -> None:
    """Refuse to differentiate again a result already too large to show (x^x^x^x^x, 5th order)."""
    ops = sympy.count_ops(current)
    if ops > limits.MAX_RESULT_OPS:
        raise LimitError(f"derivative number {done} already has {ops} operations; the next one "
                         f"would be too large to show step by step (at most {limits.MAX_RESULT_OPS}); "
                         "ask for a lower order")


def as_real(expr) -> Expr:
    """A SymPy expression with its symbols made real, as calcgrad works over the reals."""
    if not isinstance(expr, sympy.Basic):
        raise UsageError(f"expected text or a SymPy expression, got {type(expr).__name__}")
    swap = {s: Symbol(s.name, real=True) for s in expr.free_symbols
            if isinstance(s, Symbol) and not s.is_real}
    return expr.xreplace(swap) if swap else expr


def _parsing():
    """The parser module, imported only when text needs reading."""
    from calcgrad.read import parser as parsing

    return parsing


def differentiation_sequence(expression, wrt, order, declared) -> list[Symbol]:
    names: list[Symbol] = []
    for item in wrt:
        if isinstance(item, Symbol):
            names.append(Symbol(item.name, real=True))
            continue
        for name in str(item).split(","):
            if name.strip():
                names.append(_parsing().parse_symbol(name.strip(), variables=declared))
    if not isinstance(order, int) or order < 1:
        raise UsageError(f"order must be a whole number ≥ 1, not {order!r}")
    if order > limits.MAX_ORDER:
        raise LimitError(f"order {order} is too high to show step by step "
                         f"(at most {limits.MAX_ORDER})")
    free = sorted(expression.free_symbols, key=lambda s: s.name)
    if not names:
        if len(free) == 1:
            names = free
        elif not free:
            raise UsageError("the expression has no variable; say which to differentiate "
                             "with respect to (--wrt x)")
        else:
            listed = ", ".join(s.name for s in free)
            raise UsageError(f"the expression has several variables ({listed}); say which to "
                             f"differentiate with respect to (--wrt {free[0].name})")
    if order > 1:
        if len(names) > 1:
            raise UsageError("order applies to a single variable; for mixed partial derivatives "
                             "list the variables in order instead (--wrt x --wrt y)")
        names = names * order
    if len(names) > limits.MAX_ORDER:
        raise LimitError(f"{len(names)} successive derivatives are too many to show step by step "
                         f"(at most {limits.MAX_ORDER})")
    return names


def _point(at, declared) -> dict:
    if at is None:
        return {}
    if isinstance(at, str):
        return _parsing().parse_point(at, variables=declared)
    if isinstance(at, Mapping):
        point = {}
        for key, value in at.items():
            symbol = (_parsing().parse_symbol(key, variables=declared) if isinstance(key, str)
                      else Symbol(key.name, real=True))
            point[symbol] = (_parsing().parse(value, variables=declared) if isinstance(value, str)
                             else sympy.sympify(value, strict=True))
        return point
    raise UsageError(f"the point must be text such as 'x=3' or a mapping, not {type(at).__name__}")


def _check_point(point: dict, expression: Expr, sequence) -> None:
    known = expression.free_symbols | set(sequence)
    for symbol, value in point.items():
        if symbol not in known:
            names = ", ".join(sorted(s.name for s in known)) or "none"
            raise UsageError(f"the point gives {symbol.name}, which is not a variable of the "
                             f"expression (its variables: {names})")
        if value.free_symbols:
            raise UsageError(f"the value of {symbol.name} must be a number, not {value}")
        limits.check_magnitude(value, f"the value of {symbol.name}")


def _evaluate(result: Expr, expression: Expr, point: dict) -> EvaluateStep:
    limits.check_exact_power(result, point)
    limits.check_exact_power(expression, point, "the function's value at this point")
    value = result.subs(point)
    notes = []
    original = expression.subs(point)
    if _undefined(original):
        notes.append("the function itself is not defined (over the real numbers) at this point")
    if _undefined(value):
        value = sympy.nan
        notes.append("the derivative is not defined at this point")
    elif any(step.args[0].subs(point) == 0 for step in result.atoms(sympy.Heaviside)):
        notes.append("ReLU has no derivative at 0; by convention its slope there is taken as 0")
    elif any(sign.args[0].subs(point) == 0 for sign in result.atoms(sympy.sign)):
        notes.append("|u| has a corner where u = 0, as here: the formula gives sign(0) = 0, "
                     "but the derivative may not exist at this point")
    return EvaluateStep(result, tuple(point.items()), value, "; ".join(notes))


def _undefined(value: Expr) -> bool:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return True
    if value.free_symbols:
        return False
    approx = value.evalf(20)
    return not (approx.is_real and approx.is_finite) if approx.is_number else False
