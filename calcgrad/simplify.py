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
    candidates = [expr, sympy.factor_terms(expr)]
    together = sympy.together(expr)
    numerator, denominator = sympy.fraction(together)
    if denominator != 1 and _cheap_to_expand(numerator):
        candidates.append(sympy.expand(numerator) / denominator)
    if _cheap_to_expand(expr) and not expr.is_Mul:
        candidates.append(sympy.factor_terms(sympy.expand(expr)))
    if _cheap_to_expand(together, max_power=8):
        candidates.append(sympy.factor(together))
    return min(candidates, key=_size)


def _size(expr: Expr) -> tuple[int, int]:
    return sympy.count_ops(expr), len(str(expr))


def _cheap_to_expand(expr: Expr, max_power: int = 3) -> bool:
    """No sum raised to a high power, and small enough that expanding stays small."""
    if sympy.count_ops(expr) > 60:
        return False
    return not any(p.base.is_Add and p.exp.is_Integer and abs(p.exp) > max_power
                   for p in expr.atoms(sympy.Pow))
