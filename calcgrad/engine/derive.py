"""Expression → Derivation: one rule per kind of expression, picked from a table on expr.func."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.deadline import check as check_deadline
from calcgrad.deadline import deadline
from calcgrad.engine.derivation import Derivation
from calcgrad.engine.functions import entry_for
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.pointwise import status_at
from calcgrad.engine.tidy import tidy_with_reason
from calcgrad.engine.verify import derivative_matches, same_value
from calcgrad.engine.steps import (
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    DiffStep,
    EvaluateStep,
    FunctionRule,
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
    """What every rule needs: the budget, the names already taken, and whether to check steps."""

    budget: _Budget
    taken: frozenset = field(default_factory=frozenset)
    verify: bool = True
    typed: tuple = ()  # the products and sums as typed (Reading.written): f and g in typed order

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
        return _Context(self.budget, self.taken | frozenset(symbols), self.verify, self.typed)

    def checked(self, step: DiffStep) -> DiffStep:
        """The step with its independent check recorded (calcgrad.engine.verify), when checking."""
        if not self.verify:
            return step
        result = step.result
        checked = replace(step, verified=derivative_matches(step.expression, step.variable, result))
        vars(checked)["result"] = result  # the copy's cached result: the same, not recomputed
        return checked


def derive_step(expr: Expr, x: Symbol, context: _Context | None = None) -> DiffStep:
    """The step tree of d/dx expr, each step checked as it is made (unless context.verify is off)."""
    if context is None:
        context = _Context(_Budget(time.monotonic() + limits.DERIVE_SECONDS),
                           frozenset(expr.free_symbols | {x}))
    context.budget.spend()
    if not expr.has(x):
        return context.checked(ConstantRule(expr, x))
    if expr == x:
        return context.checked(VariableRule(expr, x))
    handler = _HANDLERS.get(expr.func)
    if handler is None:
        handler = _function if _table_argument(expr, x) is not None else _standard
    return context.checked(handler(expr, x, context))


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

    factors = _in_typed_order(tuple(sympy.Mul.make_args(expr)), context.typed)
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
    entry = entry_for(expr.func)
    argument = _table_argument(expr, x)
    args = expr.args

    def outer_of(u):
        return expr.func(*(u if a is argument else a for a in args))

    return _with_chain(expr, x, argument, outer_of, lambda e, u: FunctionRule(e, u, entry), context)


def _table_argument(expr: Expr, x: Symbol) -> Expr | None:
    """The one argument of a table function that depends on x, when its rule applies."""
    entry = entry_for(expr.func)
    if entry is None or entry.derivative is None or not expr.args:
        return None
    dependent = [a for a in expr.args if a.has(x)]
    if len(dependent) != 1:
        return None  # Max(x, x²): SymPy's derivative, with the kink convention
    if entry.max_args == 1 or entry.func in (sympy.Max, sympy.Min) or dependent[0] is expr.args[0]:
        return dependent[0]
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
    outer = context.checked(rule(outer_expr, u))
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
    *by,
    wrt=None,
    order: int = 1,
    at=None,
    variables: Iterable[str] = (),
    timeout: float | None = None,
    verify: bool = True,
) -> Derivation:
    """Differentiate `expr` step by step.

    `expr` is text (read by calcgrad's safe parser) or a SymPy expression. The variables to
    differentiate by, in order, are given as further arguments (``diff(f, "x", "y")``) or as
    `wrt` (``"x"``, ``"x,y"`` or a list), as in every other calcgrad function; with none given,
    the expression's only variable is used. `order` repeats a single variable. `at` is a point
    (``"x=3"``, a mapping, or a bare ``3`` when there is one variable) at which the result is
    evaluated. `variables` declares multi-letter names ("loss", "loss,lr"). `timeout` is the
    time budget in seconds (default limits.DERIVE_SECONDS); running out raises
    calcgrad.deadline.DeadlineExceeded. `verify` checks every step as it is made against
    SymPy's own derivative (calcgrad.engine.verify; each step's `verified`); False skips it.
    """
    seconds = limits.DERIVE_SECONDS if timeout is None else timeout
    with deadline(seconds, "this derivative"):
        return _diff(expr, by, wrt, order, at, variables, verify)


def _diff(expr, by, wrt, order, at, variables, verify) -> Derivation:
    # lazy: start-up speed (the reader and parser load only when diff is used)
    from calcgrad.read import request

    declared = request.declared_names(variables)
    text = expr if isinstance(expr, str) else None
    reading = request.reading(expr, declared)
    expression = reading.expression
    sequence = differentiation_sequence(expression, (*by, *request.variables(wrt, declared)),
                                        order, declared)
    known = (*dict.fromkeys(sequence), *_sorted_free(expression, sequence))
    point = request.point(at, known, declared, required=())
    limits.check_magnitude(expression)
    for symbol, value in point.items():
        limits.check_magnitude(value, f"the value of {symbol.name}")

    budget = _Budget(time.monotonic() + limits.DERIVE_SECONDS)
    taken = frozenset(expression.free_symbols | set(sequence))
    steps: list[Step] = []
    prefer_sec = expression.has(sympy.tan, sympy.sec, sympy.cot, sympy.csc)
    current = last = expression
    for done, variable in enumerate(sequence):
        if done:
            _check_result_size(current, done)
        last = current
        step = derive_step(current, variable, _Context(budget, taken, verify,
                                                       reading.written if not done else ()))
        tidied, reason = tidy_with_reason(step.result, prefer_sec)
        simplified = SimplifyStep(step.result, tidied, reason,
                                  verified=same_value(step.result, tidied) if verify else None)
        steps += [step, simplified]
        current = simplified.result
    if point:
        steps.append(_evaluate(current, expression, last, point, sequence[-1]))
    return Derivation(expression, tuple(sequence), tuple(steps), tuple(point.items()), text,
                      reading.warnings, reading.written)


def _in_typed_order(factors: tuple, typed: tuple) -> tuple:
    """A product's factors in the order the user typed them (e^(2x) cos 3x: f = e^(2x),
    g = cos(3x)), when the product was typed as such; else SymPy's order."""
    for group in typed:
        if len(group) == len(factors) and set(group) == set(factors):
            return tuple(sorted(factors, key=list(group).index))
    return factors


def _check_result_size(current: Expr, done: int) -> None:
    """Refuse to differentiate again a result already too large to show (x^x^x^x^x, 5th order)."""
    ops = sympy.count_ops(current)
    if ops > limits.MAX_RESULT_OPS:
        raise LimitError(f"derivative number {done} already has {ops} operations; the next one "
                         f"would be too large to show step by step (at most {limits.MAX_RESULT_OPS}); "
                         "ask for a lower order")


def differentiation_sequence(expression, wrt, order, declared) -> list[Symbol]:
    """The variables to differentiate by, one per derivative taken (order repeats one)."""
    # lazy: start-up speed (the reader and parser load only when diff is used)
    from calcgrad.read import request

    names = list(request.variables(wrt, declared))
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


def _sorted_free(expression: Expr, sequence) -> list[Symbol]:
    return sorted(expression.free_symbols - set(sequence), key=lambda s: s.name)


def _evaluate(result: Expr, expression: Expr, last: Expr, point: dict,
              variable: Symbol) -> EvaluateStep:
    limits.check_exact_power(result, point)
    limits.check_exact_power(expression, point, "the function's value at this point")
    value, status = status_at(expression, last, result, point, variable)
    return EvaluateStep(result, tuple(point.items()), value, status)
