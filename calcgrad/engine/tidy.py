"""The final tidy-up of a derivative: cheap, bounded, and never changing the value.

SymPy's `simplify` can run for minutes on ordinary chain-rule answers, so this tries a few
inexpensive rewrites (common factors, one fraction with an expanded or factored numerator) and
keeps the shortest. Each further rewrite is tried only where it can help: the Pythagorean and
double-angle identities where trigonometric functions of one argument meet, sums and powers of
exponentials where they appear, square roots multiplied out where a fraction holds them.
Factoring may cancel a factor shared by numerator and denominator; such a factor vanishes only
where the function being differentiated is itself undefined.
"""

from __future__ import annotations

import sympy
from sympy import Expr
from sympy.simplify.fu import TR1, TR2, TR2i, TR5, TR6, TR8, TR22

from calcgrad import limits
from calcgrad.deadline import check as check_deadline


def tidy(expr: Expr) -> Expr:
    """The shortest of a few equal forms of `expr`."""
    return tidy_with_reason(expr)[0]


def tidy_with_reason(expr: Expr, prefer_sec: bool = False) -> tuple[Expr, str]:
    """The shortest of a few equal forms of `expr`, and the identity or rewrite that gave it.

    Each rewrite is tried only where it can help: cancelling and factoring for fractions,
    trigonometric identities where trigonometric or hyperbolic functions appear, powers
    combined where exponentials or variable exponents appear. With `prefer_sec`, 1/cos² is
    written sec² (and 1/sin² csc², cos/sin² cot·csc), as a textbook does when the question used
    tan, sec, cot or csc.
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
        functions = sorted(expanded.atoms(sympy.Function), key=sympy.default_sort_key)
        if functions:
            candidates.append((sympy.collect(expanded, functions) / denominator,
                               "combine into one fraction and collect the terms of each function"))
        if cheap_to_expand(denominator):
            candidates.append((expanded / sympy.expand(denominator), "combine into one fraction"))
            if _has_radical(together):
                candidates.append((sympy.factor(expanded / sympy.expand(denominator)),
                                   "multiply out the square roots and cancel common factors"))
    if cheap_to_expand(expr):
        expanded = sympy.expand(expr)
        candidates.append((expanded, "multiply out and collect like terms"))
        if not expr.is_Mul:
            candidates.append((sympy.factor_terms(expanded), "multiply out and collect like terms"))
    check_deadline()
    sizes = _Sizes()
    best_so_far = sizes.shortest(candidates)[0]
    if best_so_far.is_Mul and any(f.is_Add and cheap_to_expand(f) for f in best_so_far.args):
        inner = sympy.Mul(*(sympy.expand(f) if f.is_Add and cheap_to_expand(f) else f
                            for f in best_so_far.args))
        candidates.append((inner, "take out common factors and collect like terms"))
    candidates += _power_forms(expr)
    if cheap_to_expand(numerator) and cheap_to_expand(denominator):
        candidates.append((sympy.factor(together), "factor and cancel common factors"))
    if expr.has(*_TRIG):
        check_deadline()
        candidates += _pythagorean_forms(together)
        candidates += _sine_cosine_forms(sizes.shortest(candidates)[0])
        candidates += _trigsimp_forms(expr, sizes.shortest(candidates)[0])
        candidates += _ratio_and_double_angle_forms(expr, sizes.shortest(candidates)[0])
    candidates = [(_even_powers_of_abs(_expanded_radicands(c)), why) for c, why in candidates]
    best, reason = sizes.shortest(candidates)
    return _reciprocal_functions(best, prefer_sec), reason


_CIRCULAR = (sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot)
_HYPERBOLIC = (sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth)
_TRIG = (*_CIRCULAR, *_HYPERBOLIC)
_INVERSE_TRIG = (sympy.asin, sympy.acos, sympy.atan, sympy.acot, sympy.asec, sympy.acsc)

_PYTHAGOREAN = (
    (TR5, "sin²u + cos²u = 1"),  # sin²u → 1 − cos²u
    (TR6, "sin²u + cos²u = 1"),  # cos²u → 1 − sin²u
    (TR22, "1 + tan²u = sec²u"),  # tan²u → sec²u − 1, cot²u → csc²u − 1
)


def _pythagorean_forms(together: Expr) -> list[tuple[Expr, str]]:
    """sin²u → 1 − cos²u, cos²u → 1 − sin²u and tan²u → sec²u − 1 in one fraction, then
    multiplied out and factored, where squares or products of one argument appear."""
    forms = []
    numerator, denominator = sympy.fraction(together)
    if not (cheap_to_expand(numerator) and cheap_to_expand(denominator)):
        return forms
    expanded = sympy.expand(numerator)
    if not (_has_trig_power(expanded) or _has_trig_power(denominator)):
        return forms
    for rule, identity in _PYTHAGOREAN:
        rewritten, below = rule(expanded), rule(denominator)
        if (rewritten, below) != (expanded, denominator) and cheap_to_expand(rewritten):
            rewritten = sympy.expand(rewritten)
            forms.append((rewritten / below, f"use {identity}"))
            forms.append((sympy.factor(rewritten / below), f"use {identity} and cancel common factors"))
    return forms


def _sine_cosine_forms(best_so_far: Expr) -> list[tuple[Expr, str]]:
    """tan, sec, cot and csc written with sin and cos, and common factors cancelled, where they
    stand in a sum (sec u/(tan u + sec u) = 1/(sin u + 1))."""
    present = [f for f in (sympy.tan, sympy.cot, sympy.sec, sympy.csc) if best_so_far.has(f)]
    if present and any(s.has(*_TRIG) for s in best_so_far.atoms(sympy.Add)) and cheap_to_expand(best_so_far):
        named = " and ".join(_IN_SINES_AND_COSINES[f] for f in present)
        return [(sympy.factor(TR2(TR1(best_so_far))), f"use {named} and cancel common factors")]
    return []


_IN_SINES_AND_COSINES = {sympy.tan: "tan u = sin u/cos u", sympy.cot: "cot u = cos u/sin u",
                         sympy.sec: "sec u = 1/cos u", sympy.csc: "csc u = 1/sin u"}


def _ratio_and_double_angle_forms(expr: Expr, best_so_far: Expr) -> list[tuple[Expr, str]]:
    """sin u/cos u = tan u, sin u cos u = ½ sin 2u, and multiple angles of inverse functions
    (sin(2 arcsin x)), each tried only where it can apply."""
    forms = []
    if _sine_and_cosine_meet(best_so_far):
        forms.append((TR2i(best_so_far), "use tan u = sin u/cos u"))
    if _double_angle_may_help(best_so_far):
        halved = TR8(best_so_far)
        if _only_double_angles(_trig_arguments(halved), _trig_arguments(best_so_far)):
            forms.append((halved, _identity_used(best_so_far, halved)))
    if any(_small_multiple_of_inverse(f.args[0]) for f in expr.atoms(*_CIRCULAR)):
        forms.append((sympy.expand_trig(expr),
                      "use the multiple-angle formulas and cos(arcsin u) = √(1 − u²)"))
    return forms


def _double_angle_may_help(expr: Expr) -> bool:
    """sin u·cos u, sin²u or cos²u stand in a product, and no product holds more: the
    product-to-sum rewrite then gives at most double angles, and stays quick (on
    sin x·sin 2x·…·sin 6x it would multiply out 32 sums of angles)."""
    found = False
    for product in expr.atoms(sympy.Mul, sympy.Pow):
        degrees = _trig_degrees(product)
        if len(degrees) > 1 or any(d > 2 for d in degrees.values()):
            return False
        found = found or (2 in degrees.values() and product.has(sympy.sin, sympy.cos))
    return found


def _small_multiple_of_inverse(argument: Expr) -> bool:
    """2·arcsin x, arctan x, 3·arccos x: a multiple angle of an inverse function small enough
    for the multiple-angle formulas to stay short (sin(1000·arcsin x) is left as it is)."""
    coefficient, rest = argument.as_coeff_Mul()
    return isinstance(rest, _INVERSE_TRIG) and coefficient.is_Integer and abs(coefficient) <= 3


def _trigsimp_forms(expr: Expr, best: Expr) -> list[tuple[Expr, str]]:
    """SymPy's trigsimp applied to the shortest form found so far, where identities may help
    and trigsimp is known to be quick."""
    if not _identities_may_help(best):
        return []
    check_deadline()
    rewritten = sympy.trigsimp(best)
    if not _only_double_angles(_trig_arguments(rewritten), _trig_arguments(expr)):
        return []
    return [(rewritten, _identity_used(best, rewritten))]


def _power_forms(expr: Expr) -> list[tuple[Expr, str]]:
    """Equal forms from the laws of powers, tried where exponentials or variable exponents
    appear: eᵃ·eᵇ = eᵃ⁺ᵇ, e^(u·ln a) = aᵘ, and hyperbolic functions written as exponentials
    where exponentials already stand beside them (eˣ·(sinh x + cosh x) = e²ˣ)."""
    forms = []
    exponentials = expr.atoms(sympy.exp)
    if exponentials or any(not p.exp.is_number for p in expr.atoms(sympy.Pow)):
        forms.append((sympy.powsimp(expr), "combine powers: aᵘ·aᵛ = aᵘ⁺ᵛ"))
    if any(e.args[0].has(sympy.log) for e in exponentials):
        forms.append((sympy.powdenest(expr), "write e^(u·ln a) as aᵘ"))
    if any(sympy.exp(-e.args[0]) in exponentials for e in exponentials) and cheap_to_expand(expr):
        forms.append((sympy.exptrigsimp(expr), "write eᵘ + e⁻ᵘ = 2 cosh u and eᵘ − e⁻ᵘ = 2 sinh u"))
    if exponentials and expr.has(*_HYPERBOLIC) and not expr.has(*_CIRCULAR):
        written = expr.rewrite(list(_HYPERBOLIC), sympy.exp)
        if cheap_to_expand(written):
            forms.append((sympy.powsimp(sympy.expand(written)),
                          "write cosh u = (eᵘ + e⁻ᵘ)/2, sinh u = (eᵘ − e⁻ᵘ)/2 and combine powers"))
    return forms


def _has_radical(expr: Expr) -> bool:
    """A root of a sum (√(x² + 1)): multiplying it out can cancel against the rest."""
    return any(p.exp.is_Rational and not p.exp.is_Integer and p.base.is_Add
               for p in expr.atoms(sympy.Pow))


def _has_trig_power(expr: Expr) -> bool:
    """A square or higher power of sin, cos, tan, cot, sec or csc, or a product of two of one
    argument: where the Pythagorean identities can apply."""
    if any(isinstance(p.base, _CIRCULAR) and p.exp.is_Integer and abs(p.exp) > 1
           for p in expr.atoms(sympy.Pow)):
        return True
    return any(len({f.args[0] for f in m.args if isinstance(f, _CIRCULAR)})
               < len([f for f in m.args if isinstance(f, _CIRCULAR)])
               for m in expr.atoms(sympy.Mul))


def _sine_and_cosine_meet(expr: Expr) -> bool:
    """sin u and cos u of one argument both appear (a ratio or product an identity may shorten)."""
    sines = {f.args[0] for f in expr.atoms(sympy.sin)}
    return bool(sines) and any(f.args[0] in sines for f in expr.atoms(sympy.cos))


def _identities_may_help(expr: Expr) -> bool:
    """trigsimp is tried only where an identity can shorten `expr` (see `_identity_pattern`), and
    only on small results built from polynomials and trigonometric or hyperbolic functions of
    polynomials, where it is quick (elsewhere, as in csch(gelu(x)² + 3), it can take seconds)."""
    if sympy.count_ops(expr) > limits.MAX_TRIG_SIMPLIFY_OPS or _expanded_terms(expr) > 16:
        return False  # a high power of a sum of trigonometric terms: trigsimp factors for minutes
    calls = [f for f in sympy.preorder_traversal(expr) if isinstance(f, sympy.Function)]
    if not all(isinstance(f, _TRIG) and f.args[0].is_polynomial() for f in calls):
        return False
    return _identity_pattern(expr)


_PLAIN_PRODUCTS = ({sympy.tan, sympy.sec}, {sympy.cot, sympy.csc}, {sympy.tanh, sympy.sech},
                   {sympy.coth, sympy.csch}, {sympy.sin, sympy.cos})
"""Products of these (tan u·sec u, 5 sech²u·tanh u) are as short as identities make them, but
for sin u·cos u = ½ sin 2u, which the double-angle rewrite handles without trigsimp."""


def _identity_pattern(expr: Expr) -> bool:
    """True where an identity can shorten `expr`: a sum with two terms of degree two in the
    trigonometric functions of one argument (sin²u + cos²u, sec²u − tan²u, sin u cos u + cos²u);
    a sum of a number and a square or a doubled cosine (sec²u − 1, 1 − cos 2u); or a product or
    quotient of two different functions of one argument (tan u·cos u, cosh u/sinh u), other than
    a plain product such as tan u·sec u."""
    for total in expr.atoms(sympy.Add):
        degrees = [_trig_degrees(term) for term in total.args]
        for u in set().union(*degrees):
            if sum(1 for d in degrees if d.get(u, 0) >= 2) >= 2:
                return True
        if any(a.is_Number for a in total.args) and (
                any(max(d.values(), default=0) >= 2 for d in degrees) or _half_angle(total)):
            return True
    for product in expr.atoms(sympy.Mul):
        kinds: dict[Expr, set] = {}
        plain = True
        for factor in product.args:
            base, exponent = factor.as_base_exp()
            if isinstance(base, _TRIG):
                kinds.setdefault(base.args[0], set()).add(type(base))
                plain = plain and exponent.is_positive
            elif exponent.is_negative and base.has(*_TRIG):
                plain = False
                for f in base.atoms(*_TRIG):
                    kinds.setdefault(f.args[0], set()).add(type(f))
        if any(len(k) > 1 and not (plain and any(k <= pair for pair in _PLAIN_PRODUCTS))
               for k in kinds.values()):
            return True
    return False


def _trig_degrees(term: Expr) -> dict[Expr, int]:
    """The degree of `term` in the trigonometric functions of each argument (2 for sin u·cos u,
    and for (cos u + 1)·cos u)."""
    degrees: dict[Expr, int] = {}
    for factor in sympy.Mul.make_args(term):
        base, exponent = factor.as_base_exp()
        if not (exponent.is_Integer and base.has(*_TRIG)):
            continue
        if isinstance(base, _TRIG):
            inner = {base.args[0]: 1}
        elif base.is_Add:
            inner = {}
            for t in base.args:
                for u, d in _trig_degrees(t).items():
                    inner[u] = max(inner.get(u, 0), d)
        else:
            continue
        for u, d in inner.items():
            degrees[u] = degrees.get(u, 0) + d * abs(int(exponent))
    return degrees


def _half_angle(total: Expr) -> bool:
    """A cosine of an even multiple in `total` (1 − cos 2u = 2 sin²u, 1 + cos 2u = 2 cos²u)."""
    def doubled(f) -> bool:
        coefficient = f.args[0].as_coeff_Mul()[0]
        return coefficient.is_Integer and coefficient.is_even

    return any(doubled(f) for f in total.atoms(sympy.cos, sympy.cosh))


def _trig_arguments(expr: Expr) -> set:
    """The arguments of the trigonometric functions in `expr` (a rewrite to cos 3x adds one)."""
    return {f.args[0] for f in expr.atoms(*_TRIG)}


def _only_double_angles(new: set, old: set) -> bool:
    """True when every new argument is a double or half of an old one (sin 2x = 2 sin x cos x).

    Triple and sum-to-product angles (cos 3x, cos 5x) are not what an answer key prints.
    """
    return all(a in old or a / 2 in old or 2 * a in old for a in new)


def _identity_used(expr: Expr, rewritten: Expr) -> str:
    """The identities a teacher would name for the trigonometric rewrite of `expr` into `rewritten`."""
    expr = sympy.expand(expr) if cheap_to_expand(expr) else expr
    squares = {type(p.base) for p in expr.atoms(sympy.Pow)
               if p.exp.is_Integer and abs(p.exp) > 1 and isinstance(p.base, _TRIG)}
    kinds = {type(f) for f in expr.atoms(*_TRIG)}
    new_kinds = {type(f) for f in rewritten.atoms(*_TRIG)} - kinds
    used = []
    if squares & {sympy.sin, sympy.cos} and {sympy.sin, sympy.cos} <= kinds:
        used.append("sin²u + cos²u = 1")
    if squares & {sympy.tan, sympy.sec, sympy.cot, sympy.csc}:
        used.append("1 + tan²u = sec²u")
    if squares & set(_HYPERBOLIC):
        used.append("cosh²u − sinh²u = 1")
    if {sympy.tan, sympy.sin, sympy.cos} <= kinds or (
            {sympy.sin, sympy.cos} <= kinds and new_kinds & {sympy.tan, sympy.cot}):
        used.append("tan u = sin u/cos u")
    if {sympy.sinh, sympy.cosh} <= kinds and new_kinds & {sympy.tanh, sympy.coth}:
        used.append("tanh u = sinh u/cosh u")
    new_arguments = _trig_arguments(rewritten) - _trig_arguments(expr)
    if any(2 * u in _trig_arguments(expr) for u in new_arguments):
        used.append("cos 2u = 1 − 2 sin²u = 2 cos²u − 1")
    elif new_arguments and rewritten.has(*_HYPERBOLIC):
        used.append("the double angles sinh 2u = 2 sinh u cosh u, cosh 2u = cosh²u + sinh²u")
    elif new_arguments:
        used.append("the double angles sin 2u = 2 sin u cos u, cos 2u = cos²u − sin²u")
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


def _even_powers_of_abs(expr: Expr) -> Expr:
    """|u|ᵃ·u²ᵏ = |u|ᵃ⁺²ᵏ for real u: sec²x/|sec x| is |sec x|."""
    def fold(product: Expr) -> Expr:
        factors = list(product.args)
        for absolute in [f for f in product.args if isinstance(f.as_base_exp()[0], sympy.Abs)]:
            base, exponent = absolute.as_base_exp()
            u = base.args[0]
            even = [f for f in factors if f.as_base_exp()[0] == u and f.as_base_exp()[1].is_even]
            if even and _real_where_defined(u) and absolute in factors:
                factors.remove(even[0])
                factors[factors.index(absolute)] = base ** (exponent + even[0].as_base_exp()[1])
        return sympy.Mul(*factors)

    if not expr.has(sympy.Abs):
        return expr
    return expr.replace(lambda e: e.is_Mul and any(isinstance(f.as_base_exp()[0], sympy.Abs)
                                                   for f in e.args), fold)


def _real_where_defined(u: Expr) -> bool:
    """True for real expressions, and for trigonometric functions of real arguments (sec x has
    poles, so SymPy cannot call it real)."""
    return bool(u.is_extended_real) or (isinstance(u, _TRIG) and bool(u.args[0].is_extended_real))


def _reciprocal_functions(expr: Expr, prefer_sec: bool) -> Expr:
    """1/tan u as cot u, 1/sec u as cos u (and likewise for hyperbolic functions); with `prefer_sec` also 1/cos u as sec u, 1/sin u as csc u,
    cos u/sin²u as cot u·csc u and sin u/cos²u as tan u·sec u, as a textbook writes them."""
    reciprocal = {sympy.tan: sympy.cot, sympy.cot: sympy.tan, sympy.sec: sympy.cos, sympy.csc: sympy.sin,
                  sympy.tanh: sympy.coth, sympy.coth: sympy.tanh, sympy.sech: sympy.cosh,
                  sympy.csch: sympy.sinh}
    if prefer_sec:
        reciprocal |= {sympy.cos: sympy.sec, sympy.sin: sympy.csc}
    if not expr.has(*reciprocal):
        return expr

    def flip(e) -> Expr:
        base = e.base.args[0] if isinstance(e.base, sympy.Abs) else e.base
        flipped = reciprocal[type(base)](base.args[0])
        return (sympy.Abs(flipped) if isinstance(e.base, sympy.Abs) else flipped) ** -e.exp

    def is_reciprocal(e) -> bool:
        base = e.base.args[0] if e.is_Pow and isinstance(e.base, sympy.Abs) else getattr(e, "base", None)
        return (e.is_Pow and e.exp.is_negative and e.exp.is_Integer
                and type(base) in reciprocal)

    expr = expr.replace(is_reciprocal, flip)
    return _cotangent_cosecant(expr) if prefer_sec else expr


def _cotangent_cosecant(expr: Expr) -> Expr:
    """cos u·cscⁿu = cot u·cscⁿ⁻¹u and sin u·secⁿu = tan u·secⁿ⁻¹u (the derivatives of csc and sec)."""
    pairs = {sympy.cos: (sympy.csc, sympy.cot), sympy.sin: (sympy.sec, sympy.tan)}

    def fold(product: Expr) -> Expr:
        factors = list(product.args)
        for factor in product.args:
            if type(factor) in pairs and factor in factors:
                reciprocal, quotient = pairs[type(factor)]
                u = factor.args[0]
                match = [f for f in factors if f.as_base_exp()[0] == reciprocal(u)
                         and f.as_base_exp()[1].is_Integer and f.as_base_exp()[1] > 0]
                if match:
                    n = match[0].as_base_exp()[1]
                    factors.remove(factor)
                    factors[factors.index(match[0])] = quotient(u) * reciprocal(u) ** (n - 1)
        return sympy.Mul(*factors)

    return expr.replace(lambda e: e.is_Mul and e.has(sympy.csc, sympy.sec), fold)


class _Sizes:
    """count_ops of each candidate, computed once; the printed length only to break ties."""

    def __init__(self) -> None:
        self.ops: dict[Expr, int] = {}
        self.characters: dict[Expr, int] = {}

    def shortest(self, candidates: list[tuple[Expr, str]]) -> tuple[Expr, str]:
        """The first candidate with the fewest operations, then the fewest characters."""
        for form, _ in candidates:
            if form not in self.ops:
                self.ops[form] = sympy.count_ops(form)
        fewest = min(self.ops[form] for form, _ in candidates)
        tied = [pair for pair in candidates if self.ops[pair[0]] == fewest]
        if len({form for form, _ in tied}) == 1:
            return tied[0]
        for form, _ in tied:
            if form not in self.characters:
                self.characters[form] = len(str(form))
        return min(tied, key=lambda pair: self.characters[pair[0]])


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
    """sign(u)·|u|^k = u·|u|^(k−1) and uⁿ·sign(u) = uⁿ⁻¹·|u|, true for every real u.

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
            if base == u and exponent.is_Integer and exponent > 0 and factor is not sign:
                factors.remove(sign)
                factors[factors.index(factor)] = u ** (exponent - 1) * sympy.Abs(u)
                break
    return sympy.Mul(*factors)
