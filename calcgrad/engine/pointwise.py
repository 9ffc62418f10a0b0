"""Is it defined here? A function and its derivative at one point, over the real numbers.

A value is given only where the function and its derivative both exist at the point. Otherwise
the status says which does not exist and why: outside the real domain of ln, √, arcsin, …; a
removable hole; a jump; a corner, where the one-sided derivatives differ (both are given); an
infinite slope. Odd roots of negative numbers are real (∛(−8) = −2), as in every calculus
course; even roots of negative numbers are undefined.

One-sided limits are taken by writing the variable as a ± t with t > 0, so that |u|, sign(u),
steps and the conditions of piecewise functions settle on each side before SymPy's limit runs.
The one convention: ReLU′(0) is taken as 0, as deep-learning libraries do.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Expr, Symbol

from calcgrad.engine.functions import relu

_DIGITS = 30
_MAX_NODES = 4000


@dataclass(frozen=True)
class PointStatus:
    """Whether a value exists at the point, and if not, why (a machine-readable code)."""

    code: str = "ok"
    message: str = ""
    left: Expr | None = None
    right: Expr | None = None

    CODES = ("ok", "convention", "outside_domain", "removable_hole", "jump", "corner",
             "infinite_slope", "derivative_undefined")

    @property
    def exists(self) -> bool:
        return self.code in ("ok", "convention")


def real_roots(expr: Expr) -> Expr:
    """`expr` with every odd root taken as the real root: x^(p/q), q odd → sign(x)^p·|x|^(p/q)."""
    def odd_root(e) -> bool:
        return (e.is_Pow and e.exp.is_Rational and not e.exp.is_Integer and e.exp.q % 2 == 1
                and e.base.is_extended_real is not False)

    def real(e):
        return sympy.sign(e.base) ** e.exp.p * sympy.Abs(e.base) ** e.exp

    return expr.replace(odd_root, real) if expr.has(sympy.Pow) else expr


def real_value(expr: Expr, point: dict) -> Expr:
    """`expr` at the point, with odd roots real; nan when it is not a finite real number."""
    value = real_roots(expr).subs(point)
    return value if _finite_real(value) else sympy.nan


def status_at(function: Expr, last: Expr, derivative: Expr, point: dict,
              variable: Symbol) -> tuple[Expr, PointStatus]:
    """The derivative's value at the point and whether it exists.

    `function` is the expression the user gave, `last` the one differentiated last (the
    function itself for a first derivative, f′ for f″), `derivative` the result, `variable`
    the last variable differentiated by.
    """
    failure = _first_failure(function, point)
    if failure is not None:
        return sympy.nan, _undefined_function(function, failure, point, variable)
    if last is not function:
        failure = _first_failure(last, point)
        if failure is not None:
            return sympy.nan, PointStatus(
                "derivative_undefined",
                f"the derivative before this one, {_text(last)}, is not defined here, "
                f"so it has no derivative here")
    kinks = _kinks_at(last, point)
    if kinks and not all(_is_relu(k) for k in kinks):
        return _one_sided(last, derivative, point, variable)
    value = real_value(derivative, point)
    if value is sympy.nan:
        return sympy.nan, _undefined_derivative(derivative, point)
    if kinks:
        return value, PointStatus(
            "convention", "ReLU has no derivative where its input is 0; by the deep-learning "
                          "convention its slope there is taken as 0")
    return value, PointStatus()


# --- the function itself ---------------------------------------------------------------------


def _first_failure(expr: Expr, point: dict) -> Expr | None:
    """The innermost part of `expr` that is not a finite real number at the point, if any."""
    nodes = list(_active_parts(expr, point))
    if len(nodes) > _MAX_NODES:
        return None if _finite_real(real_roots(expr).subs(point)) else expr
    for node in nodes:
        if node.is_Atom or not node.free_symbols & set(point):
            continue
        if not _finite_real(real_roots(node).subs(point)):
            return node
    return None


def _active_parts(expr: Expr, point: dict):
    """The parts of `expr` that take part in its value at the point, innermost first.

    Of a piecewise function only the piece that applies there counts.
    """
    if isinstance(expr, sympy.Piecewise):
        for piece, condition in expr.args:
            holds = condition.subs(point) if isinstance(condition, sympy.Basic) else condition
            if holds is sympy.true or holds is True:
                yield from _active_parts(piece, point)
                break
        yield expr
        return
    for arg in expr.args:
        if isinstance(arg, sympy.Expr):
            yield from _active_parts(arg, point)
    yield expr


def _undefined_function(function: Expr, failure: Expr, point: dict,
                        variable: Symbol) -> PointStatus:
    if _is_division_by_zero(failure, point):
        limit = _two_sided_limit(function, point, variable)
        if limit is not None:
            return PointStatus(
                "removable_hole",
                f"{_text(function)} is not defined at {_point_text(point)} (it gives 0/0 "
                f"there), although its limit there is {_text(limit)}: the graph has a hole, "
                f"and there is no derivative where the function is not defined")
        return PointStatus("outside_domain",
                           f"{_text(function)} is not defined at {_point_text(point)}: "
                           f"it divides by zero there")
    return PointStatus("outside_domain",
                       f"{_text(function)} is not defined at {_point_text(point)} over the "
                       f"real numbers: {_domain_reason(failure, point)}")


def _domain_reason(node: Expr, point: dict) -> str:
    """Why `node` has no real value at the point, naming the function and its argument."""
    if node.is_Pow:
        base = real_roots(node.base).subs(point)
        if node.exp.is_Rational and node.exp.q % 2 == 0:
            return (f"an even root needs a number ≥ 0, and here {_text(node.base)} = "
                    f"{_text(base)}")
        if base == 0 and node.exp.is_negative:
            return f"{_text(node)} divides by zero"
        return f"{_text(node)} has no real value"
    if not node.args:
        return f"{_text(node)} has no real value"
    argument = real_roots(node.args[0]).subs(point)
    need = _DOMAINS.get(node.func)
    if need is not None:
        return (f"{_FUNCTION_NAMES.get(node.func, node.func.__name__)}(u) needs {need}, and "
                f"here u = {_text(node.args[0])} = {_text(argument)}")
    return f"{_text(node)} has no real value when {_text(node.args[0])} = {_text(argument)}"


_DOMAINS = {
    sympy.log: "u > 0",
    sympy.asin: "−1 ≤ u ≤ 1",
    sympy.acos: "−1 ≤ u ≤ 1",
    sympy.atanh: "−1 < u < 1",
    sympy.acosh: "u ≥ 1",
    sympy.acoth: "|u| > 1",
    sympy.asech: "0 < u ≤ 1",
    sympy.asec: "|u| ≥ 1",
    sympy.acsc: "|u| ≥ 1",
    sympy.tan: "u ≠ π/2 + kπ",
    sympy.sec: "u ≠ π/2 + kπ",
    sympy.cot: "u ≠ kπ",
    sympy.csc: "u ≠ kπ",
    sympy.coth: "u ≠ 0",
    sympy.csch: "u ≠ 0",
    sympy.acsch: "u ≠ 0",
}
_FUNCTION_NAMES = {sympy.log: "ln", sympy.asin: "arcsin", sympy.acos: "arccos",
                   sympy.atanh: "artanh", sympy.acosh: "arcosh", sympy.acoth: "arcoth",
                   sympy.asech: "arsech", sympy.asec: "arcsec", sympy.acsc: "arccsc",
                   sympy.acsch: "arcsch"}


def _is_division_by_zero(node: Expr, point: dict) -> bool:
    """True when `node` has a negative power of something that is 0 at the point."""
    if node.is_Pow and node.exp.is_negative:
        return real_roots(node.base).subs(point) == 0
    return any(_is_division_by_zero(arg, point) for arg in node.args if not arg.is_Atom)


def _two_sided_limit(expr: Expr, point: dict, variable: Symbol) -> Expr | None:
    sides = [_side_limit(expr, point, variable, side) for side in (1, -1)]
    if any(s is None for s in sides) or sides[0] != sides[1]:
        return None
    return sides[0]


# --- kinks, jumps and one-sided derivatives --------------------------------------------------


_NON_SMOOTH = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, relu)


def _kinks_at(expr: Expr, point: dict) -> list[Expr]:
    """The |u|, sign(u), steps, max/min and piecewise joins of `expr` that sit at the point."""
    found = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, _NON_SMOOTH) and node.free_symbols & set(point):
            if isinstance(node, (sympy.Max, sympy.Min)):
                values = [real_roots(a).subs(point) for a in node.args]
                if len(set(values)) < len(values):
                    found.append(node)
            elif real_roots(node.args[0]).subs(point) == 0:
                found.append(node)
        elif isinstance(node, sympy.Piecewise):
            for _, condition in node.args:
                if isinstance(condition, sympy.core.relational.Relational):
                    if real_roots(condition.lhs - condition.rhs).subs(point) == 0:
                        found.append(node)
                        break
    return found


def _is_relu(node: Expr) -> bool:
    if isinstance(node, relu):
        return True
    return isinstance(node, sympy.Max) and len(node.args) == 2 and sympy.S.Zero in node.args


def _one_sided(last: Expr, derivative: Expr, point: dict,
               variable: Symbol) -> tuple[Expr, PointStatus]:
    """Continuity of `last` and its one-sided derivatives, where a kink or join sits."""
    here = real_value(last, point)
    left_value = _side_limit(last, point, variable, -1)
    right_value = _side_limit(last, point, variable, 1)
    where = _point_text(point)
    if None in (left_value, right_value):
        return sympy.nan, PointStatus("derivative_undefined",
                                      f"calcgrad could not settle whether {_text(last)} has "
                                      f"a derivative at {where}")
    if not (left_value == here == right_value):
        sides = (f"from the left it tends to {_text(left_value)}, from the right to "
                 f"{_text(right_value)}, and its value there is {_text(here)}")
        return sympy.nan, PointStatus("jump", f"{_text(last)} jumps at {where} ({sides}); "
                                              f"where a function jumps it has no derivative",
                                      left_value, right_value)
    left = _one_sided_slope(last, derivative, point, variable, -1, here)
    right = _one_sided_slope(last, derivative, point, variable, 1, here)
    if left is None or right is None:
        return sympy.nan, PointStatus("derivative_undefined",
                                      f"calcgrad could not settle the one-sided slopes of "
                                      f"{_text(last)} at {where}")
    if left != right:
        return sympy.nan, PointStatus(
            "corner", f"{_text(last)} has a corner at {where}: the slope from the left is "
                      f"{_text(left)} and from the right {_text(right)}, so there is no "
                      f"derivative there", left, right)
    if not _finite_real(left):
        return sympy.nan, PointStatus("infinite_slope",
                                      f"the slope of {_text(last)} is infinite at {where}")
    return left, PointStatus()


def _one_sided_slope(last: Expr, derivative: Expr, point: dict, variable: Symbol, side: int,
                     here: Expr) -> Expr | None:
    """The slope from one side: the limit of f′ from that side where it has one (then the
    one-sided derivative equals it), else the limit of the difference quotient itself, which
    decides when f′ oscillates (x²·sin(1/x) has derivative 0 at 0 although cos(1/x) has no
    limit there)."""
    slope = _side_limit(derivative, point, variable, side)
    if slope is not None and not slope.has(sympy.AccumBounds):
        return slope
    quotient = (last - here) / (variable - point[variable])
    slope = _side_limit(quotient, point, variable, side)
    return None if slope is None or slope.has(sympy.AccumBounds) else slope


def _side_limit(expr: Expr, point: dict, variable: Symbol, side: int) -> Expr | None:
    """lim expr as `variable` → its value from one side (+1 right, −1 left), others fixed."""
    t = sympy.Dummy("t", positive=True)
    a = point[variable]
    others = {s: v for s, v in point.items() if s != variable}
    shifted = real_roots(expr).subs(others).subs(variable, a + side * t)
    try:
        value = sympy.limit(shifted, t, 0, "+")
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if value.has(sympy.Limit) or value.free_symbols or value is sympy.nan:
        return None
    return value


def _undefined_derivative(derivative: Expr, point: dict) -> PointStatus:
    value = real_roots(derivative).subs(point)
    if value.has(sympy.zoo, sympy.oo, -sympy.oo):
        return PointStatus("infinite_slope", f"the derivative {_text(derivative)} is infinite "
                                             f"at {_point_text(point)} (a vertical tangent)")
    failure = _first_failure(derivative, point)
    reason = _domain_reason(failure, point) if failure is not None else "it has no real value"
    return PointStatus("derivative_undefined",
                       f"the derivative {_text(derivative)} is not defined at "
                       f"{_point_text(point)}: {reason}")


# --- small helpers ---------------------------------------------------------------------------


def _finite_real(value: Expr) -> bool:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    if value.free_symbols:
        return True
    approx = value.evalf(_DIGITS)
    if not approx.is_number:
        return True
    if approx.is_real is True:
        return bool(approx.is_finite)
    real, imaginary = approx.as_real_imag()
    return bool(real.is_finite) and imaginary.is_zero is True


def _text(expr: Expr) -> str:
    # lazy: start-up speed (the printers load only when a message is written)
    from calcgrad.render.notation import to_text

    return to_text(expr)


def _point_text(point: dict) -> str:
    return ", ".join(f"{_text(s)} = {_text(v)}" for s, v in point.items())
