"""The final tidy-up of a derivative: cheap, bounded, and never changing the value.

SymPy's `simplify` can run for minutes on ordinary chain-rule answers, so this tries a few
inexpensive rewrites (common factors, one fraction with an expanded or factored numerator) and
keeps the shortest. Factoring may cancel a factor shared by numerator and denominator; such a
factor vanishes only where the function being differentiated is itself undefined.
"""

from __future__ import annotations

import sympy
from sympy import Expr

from calcgrad import limits
from calcgrad.deadline import check as check_deadline


def tidy(expr: Expr) -> Expr:
    """The shortest of a few equal forms of `expr`."""
    if expr.is_Atom or sympy.count_ops(expr) > limits.MAX_SIMPLIFY_OPS:
        return expr
    check_deadline()
    if limits.max_exponent(expr) > limits.MAX_FACTOR_DEGREE:
        return expr  # a high power: putting it over one denominator or factoring can take hours
    candidates = [expr, sympy.factor_terms(expr)]
    check_deadline()
    together = sympy.together(expr)
    numerator, denominator = sympy.fraction(together)
    if denominator != 1 and cheap_to_expand(numerator):
        candidates.append(sympy.expand(numerator) / denominator)
    if cheap_to_expand(expr) and not expr.is_Mul:
        candidates.append(sympy.factor_terms(sympy.expand(expr)))
    check_deadline()
    if cheap_to_expand(numerator) and cheap_to_expand(denominator):
        candidates.append(sympy.factor(together))
    return min(candidates, key=_size)


def _size(expr: Expr) -> tuple[int, int]:
    return sympy.count_ops(expr), len(str(expr))


def cheap_to_expand(expr: Expr) -> bool:
    """Small, and small once multiplied out: expand and factor cost grows with the terms and
    with the degree (x^1024, and e^(10^10), which SymPy's polynomials read as a power of e)."""
    return (sympy.count_ops(expr) <= limits.MAX_EXPAND_OPS
            and _expanded_terms(expr) <= limits.MAX_EXPANDED_TERMS
            and limits.max_exponent(expr) <= limits.MAX_FACTOR_DEGREE)


def _expanded_terms(expr: Expr) -> int:
    """An upper estimate of how many terms `expr` has once every product of sums is expanded."""
    if expr.is_Add:
        return sum(_expanded_terms(term) for term in expr.args)
    if expr.is_Mul:
        count = 1
        for factor in expr.args:
            count *= _expanded_terms(factor)
            if count > limits.MAX_EXPANDED_TERMS:
                break
        return count
    if expr.is_Pow and expr.exp.is_Integer:
        base = _expanded_terms(expr.base)
        power = min(abs(int(expr.exp)), 64)
        return base**power if base > 1 else 1
    return 1
