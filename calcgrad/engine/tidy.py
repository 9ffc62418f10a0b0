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
    return tidy_with_reason(expr)[0]


def tidy_with_reason(expr: Expr, prefer_sec: bool = False) -> tuple[Expr, str]:
    """The shortest of a few equal forms of `expr`, and the identity or rewrite that gave it.

    Each rewrite is tried only where it can help: cancelling and factoring for fractions,
    trigonometric identities where trigonometric or hyperbolic functions appear. With
    `prefer_sec`, 1/cos² is written sec² (and 1/sin² csc²), as a textbook does when the
    question used tan, sec, cot or csc.
    """
    if expr.is_Atom or sympy.count_ops(expr) > limits.MAX_SIMPLIFY_OPS:
        return expr, ""
    check_deadline()
    if limits.max_exponent(expr) > limits.MAX_FACTOR_DEGREE:
        return expr, ""  # a high power: one denominator or factoring can take hours
    candidates: list[tuple[Expr, str]] = [(expr, "")]
    signed = real_sign_identities(expr)
    if signed != expr:
        candidates.append((signed, "sign(u)·|u| = u for real u"))
        expr = signed
    candidates.append((sympy.factor_terms(expr), "take out common factors"))
    check_deadline()
    together = sympy.together(expr)
    numerator, denominator = sympy.fraction(together)
    if denominator != 1 and cheap_to_expand(numerator):
        expanded = sympy.expand(numerator)
        candidates.append((expanded / denominator, "combine into one fraction"))
        if cheap_to_expand(denominator):
            candidates.append((expanded / sympy.expand(denominator), "combine into one fraction"))
    if cheap_to_expand(expr):
        expanded = sympy.expand(expr)
        candidates.append((expanded, "multiply out and collect like terms"))
        if not expr.is_Mul:
            candidates.append((sympy.factor_terms(expanded), "multiply out and collect like terms"))
    check_deadline()
    best_so_far = min((c for c, _ in candidates), key=_size)
    if best_so_far.is_Mul and any(f.is_Add and cheap_to_expand(f) for f in best_so_far.args):
        inner = sympy.Mul(*(sympy.expand(f) if f.is_Add and cheap_to_expand(f) else f
                            for f in best_so_far.args))
        candidates.append((inner, "take out common factors and collect like terms"))
    if expr.has(sympy.exp):
        candidates.append((sympy.powsimp(expr), "combine powers: eᵃ·eᵇ = eᵃ⁺ᵇ"))
    if cheap_to_expand(numerator) and cheap_to_expand(denominator):
        candidates.append((sympy.factor(together), "factor and cancel common factors"))
    if _identities_may_help(expr):
        for form in {expr, sympy.factor_terms(together)}:
            rewritten = sympy.trigsimp(form)
            if _only_double_angles(_trig_arguments(rewritten), _trig_arguments(expr)):
                candidates.append((rewritten, _identity_used(expr)))
    candidates = [(_expanded_radicands(c), why) for c, why in candidates]
    best, reason = min(candidates, key=lambda pair: _size(pair[0]))
    if prefer_sec:
        best = _secant_form(best)
    return best, reason


_TRIG = (sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot,
         sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth)


def _identities_may_help(expr: Expr) -> bool:
    """Trigonometric identities need two trigonometric factors of one argument (sin²u + cos²u,
    tan u·cos u); trigsimp is tried only then, and only on small results built from polynomials
    and trigonometric or hyperbolic functions of polynomials, where it is quick (elsewhere, as
    in csch(gelu(x)² + 3), it can take seconds)."""
    if sympy.count_ops(expr) > limits.MAX_TRIG_SIMPLIFY_OPS or _expanded_terms(expr) > 16:
        return False  # a high power of a sum of trigonometric terms: trigsimp factors for minutes
    calls = [f for f in sympy.preorder_traversal(expr) if isinstance(f, sympy.Function)]
    if not all(isinstance(f, _TRIG) and f.args[0].is_polynomial() for f in calls):
        return False
    arguments = [f.args[0] for f in calls]
    return len(arguments) > len(set(arguments)) or any(
        p.exp.is_Integer and abs(p.exp) > 1 for p in expr.atoms(sympy.Pow) if isinstance(p.base, _TRIG))


def _trig_arguments(expr: Expr) -> set:
    """The arguments of the trigonometric functions in `expr` (a rewrite to cos 3x adds one)."""
    return {f.args[0] for f in expr.atoms(*_TRIG)}


def _only_double_angles(new: set, old: set) -> bool:
    """True when every new argument is a double or half of an old one (sin 2x = 2 sin x cos x).

    Triple and sum-to-product angles (cos 3x, cos 5x) are not what an answer key prints.
    """
    return all(a in old or a / 2 in old or 2 * a in old for a in new)


def _identity_used(expr: Expr) -> str:
    """The identities a teacher would name for a trigonometric rewrite of `expr`."""
    expr = sympy.expand(expr) if cheap_to_expand(expr) else expr
    powers = {(type(p.base), p.base.args[0]) for p in expr.atoms(sympy.Pow)
              if p.exp == 2 and isinstance(p.base, _TRIG)}
    arguments = {u for _, u in powers}
    used = []
    if any({(sympy.sin, u), (sympy.cos, u)} <= powers for u in arguments):
        used.append("sin²u + cos²u = 1")
    if any({(sympy.sec, u), (sympy.tan, u)} <= powers for u in arguments):
        used.append("1 + tan²u = sec²u")
    if any({(sympy.cosh, u), (sympy.sinh, u)} <= powers for u in arguments):
        used.append("cosh²u − sinh²u = 1")
    if expr.has(sympy.tan) and expr.has(sympy.sin) and expr.has(sympy.cos):
        used.append("tan u = sin u/cos u")
    if not used:
        return "trigonometric identities"
    return "use " + " and ".join(used)


def _expanded_radicands(expr: Expr) -> Expr:
    """√(−(x − 1)(x + 1)) written √(1 − x²): a radicand multiplied out when that is shorter."""
    def radical(e) -> bool:
        return e.is_Pow and e.exp.is_Rational and not e.exp.is_Integer and e.base.is_Mul

    def expand(e):
        base = sympy.expand(e.base) if cheap_to_expand(e.base) else e.base
        return e if _size(base) >= _size(e.base) else base ** e.exp

    return expr.replace(radical, expand) if expr.has(sympy.Pow) else expr


def _secant_form(expr: Expr) -> Expr:
    """1/cos(u)ⁿ → sec(u)ⁿ and 1/sin(u)ⁿ → csc(u)ⁿ."""
    def reciprocal(e) -> bool:
        return (e.is_Pow and e.exp.is_negative and e.exp.is_Integer
                and isinstance(e.base, (sympy.cos, sympy.sin)))

    def flip(e):
        func = sympy.sec if isinstance(e.base, sympy.cos) else sympy.csc
        return func(e.base.args[0]) ** -e.exp

    return expr.replace(reciprocal, flip) if expr.has(sympy.cos, sympy.sin) else expr


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
