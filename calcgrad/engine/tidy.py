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


def tidy(expr: Expr) -> Expr:
    """The shortest of a few equal forms of `expr`."""
    if expr.is_Atom or sympy.count_ops(expr) > limits.MAX_SIMPLIFY_OPS:
        return expr
    expr = real_sign_identities(expr)
    candidates = [expr, sympy.factor_terms(expr)]
    together = sympy.together(expr)
    numerator, denominator = sympy.fraction(together)
    if denominator != 1 and cheap_to_expand(numerator):
        candidates.append(sympy.expand(numerator) / denominator)
    if cheap_to_expand(expr) and not expr.is_Mul:
        candidates.append(sympy.factor_terms(sympy.expand(expr)))
    if cheap_to_expand(numerator) and cheap_to_expand(denominator):
        candidates.append(sympy.factor(together))
    return min(candidates, key=_size)


def _size(expr: Expr) -> tuple[int, int]:
    return sympy.count_ops(expr), len(str(expr))


def cheap_to_expand(expr: Expr) -> bool:
    """Small, and small once multiplied out: expand and factor cost grows with the terms."""
    return (sympy.count_ops(expr) <= limits.MAX_EXPAND_OPS
            and _expanded_terms(expr) <= limits.MAX_EXPANDED_TERMS)


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


def real_sign_identities(expr: Expr) -> Expr:
    """sign(u)·|u|^k = u·|u|^(k−1) and u·sign(u) = |u|, true for every real u.

    These turn ln|x|′ = sign(x)/|x| into 1/x and (x|x|)′ = |x| + x·sign(x) into 2|x|.
    """
    if not expr.has(sympy.sign):
        return expr
    return expr.replace(lambda e: e.is_Mul and e.has(sympy.sign), _fold_signs)


def _fold_signs(product: Expr) -> Expr:
    factors = list(product.args)
    for sign in [f for f in factors if isinstance(f, sympy.sign)]:
        u = sign.args[0]
        for i, factor in enumerate(factors):
            base, exponent = factor.as_base_exp()
            if base == sympy.Abs(u) and factor is not sign:
                factors.remove(sign)
                factors[factors.index(factor)] = u * sympy.Abs(u) ** (exponent - 1)
                break
            if base == u and exponent == 1 and factor is not sign:
                factors.remove(sign)
                factors[factors.index(factor)] = sympy.Abs(u)
                break
    return sympy.Mul(*factors)
