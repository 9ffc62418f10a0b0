"""Math notation: one-line Unicode text, parser-safe ASCII and LaTeX for SymPy expressions.

    to_text(x**2*exp(-x))   →  x²·e^(−x)          (terminals; the parser reads it back)
    to_ascii(x**2*exp(-x))  →  x**2*exp(-x)       (JSON; the parser reads it back)
    to_latex(x**2*exp(-x))  →  x^{2} e^{- x}      (notebooks and course notes)

Every format writes sums and products in one order (textbook_terms, textbook_factors): the
order a textbook uses (x² − 2x + 1, y − ŷ, wa + b, (1 − y)·ln(1 − a)), or, given a Reading's
`written`, the order in which the user typed them.

Each format is a SymPy printer subclass; the tables below hold every name that changes.
Text output is written for a parser that reads implicit multiplication at the same
precedence as `*` and `/`, left to right, so a denominator that is a product is bracketed
(`1/(2x)`) and juxtaposition is used only where it cannot be misread (`3xy²`, `2·w₁`).
"""

from __future__ import annotations

import re
from decimal import Decimal

import sympy
from mpmath.libmp import from_int, from_rational, from_str, to_str
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from calcgrad.engine.functions import DEEP_LEARNING_FUNCTIONS, FUNCTION_TABLE
from calcgrad.limits import MAX_NUMBER_DIGITS
from calcgrad.read.parser import parse

__all__ = ["derivative_operator", "format_point", "to_ascii", "to_latex", "to_text", "typed_ranks"]

MINUS = "\u2212"
DOT = "\u00b7"

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "omicron": "ο", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
"""Greek symbol names (as calcgrad canonicalises them) → letters. `pi` is the constant π."""

_SUBSCRIPTABLE = "0123456789aehijklmnoprstuvx"
SUBSCRIPT = str.maketrans(_SUBSCRIPTABLE, "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SIGNED_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

TEXT_FUNCTION_NAMES = {entry.func.__name__: entry.text_name for entry in FUNCTION_TABLE
                       if entry.func is not None and entry.text_name}
"""SymPy function names written differently on the board (from the function table); all
others keep SymPy's name."""

POWER_BEFORE_ARGUMENT = frozenset(entry.func.__name__ for entry in FUNCTION_TABLE
                                  if entry.func is not None and entry.power_before_argument)
"""Functions whose positive integer powers are written sin²(x) rather than (sin(x))²."""

_TOO_LONG = 10**MAX_NUMBER_DIGITS  # integers this large are shown as a float approximation
_FIXED_EXPONENTS = range(-7, 16)  # decimal exponents written positionally (0.0000001 … 10¹⁵)


# ---------------------------------------------------------------- numbers, symbols


def _decimal(value: sympy.Expr) -> tuple[bool, str, int | None]:
    """(negative, digits, exponent) of a number in its shortest decimal form.

    `digits` is positional ("0.001", "2.5", "1.0") when `exponent` is None, else the mantissa
    of digits·10^exponent. Only 53-bit floats and numbers too long to write out come here.
    """
    if value.is_Float:
        mpf = value._mpf_
    else:  # not via sympy.Float, which would call str() on a long integer
        mpf = from_int(value.p, 53, "n") if value.q == 1 else from_rational(value.p, value.q, 53, "n")
    for dps in range(1, 18):  # shortest string that reads back as the same double
        text = to_str(mpf, dps)
        if from_str(text, 53, "n") == mpf:
            break
    number = Decimal(text)
    negative, number = number < 0, abs(number)
    if number == 0 or number.adjusted() in _FIXED_EXPONENTS:
        digits, exponent = format(number.normalize(), "f"), None
    else:
        digits, exponent = format(number.scaleb(-number.adjusted()).normalize(), "f"), number.adjusted()
    return negative, digits if "." in digits else digits + ".0", exponent


def _is_short_float(expr) -> bool:
    return expr.is_Float and expr._prec <= 53 and expr.is_finite


def _is_too_long(expr) -> bool:
    return expr.is_Rational and (abs(expr.p) >= _TOO_LONG or expr.q >= _TOO_LONG)


_LAYER_NAME = re.compile(r"(?P<base>[A-Za-zα-ωΑ-Ωδ]+)\^\{\((?P<layer>[0-9A-Za-z+\-]+)\)\}(?:_\{(?P<index>[0-9,]+)\})?")
_SUPERSCRIPT_LETTERS = str.maketrans("Ll+-", "ᴸˡ⁺⁻")


def _symbol_text(name: str) -> str:
    """`theta` → θ, `w_1` → w₁, `x_12` → x₁₂, `w_ij` → wᵢⱼ; `w_AB` stays `w_AB`.

    Network symbols named as in LaTeX print with superscripts: `w^{(1)}` → w⁽¹⁾,
    `z^{(2)}_{1}` → z⁽²⁾₁, `w^{(2)}_{1,0}` → w⁽²⁾₁,₀.
    """
    layer = _LAYER_NAME.fullmatch(name)
    if layer:
        base = GREEK.get(layer["base"], layer["base"])
        sup = layer["layer"].translate(SUPERSCRIPT).translate(_SUPERSCRIPT_LETTERS)
        index = layer["index"]
        return f"{base}⁽{sup}⁾" + (index.translate(SUBSCRIPT) if index else "")
    base, underscore, index = name.partition("_")
    base = GREEK.get(base, base)
    if not underscore:
        return base
    if index and all(c in _SUBSCRIPTABLE for c in index):
        return base + index.translate(SUBSCRIPT)
    return f"{base}_{index}"


def _is_letter(expr) -> bool:
    """A one-letter Latin symbol (not e), or a layer's one-letter name (w⁽¹⁾): these alone are
    juxtaposed, as in 3xy² and w⁽²⁾a⁽¹⁾ + b⁽²⁾."""
    name = getattr(expr, "name", "")
    if not expr.is_Symbol:
        return False
    layer = _LAYER_NAME.fullmatch(name)
    if layer and not layer["index"]:
        name = layer["base"]
    return len(name) == 1 and name.isascii() and name.isalpha() and name != "e"


def _negative_exponent(expr) -> bool:
    return expr.is_Pow and (expr.exp.is_negative if expr.exp.is_Number else expr.exp.could_extract_minus_sign())


# ---------------------------------------------------------------- textbook order


def _degree(term) -> int:
    """Total degree of a term's polynomial part: 3x²y → 3, w·a → 2, y·ln(a) → 1, 5 → 0."""
    degree = 0
    for factor in sympy.Mul.make_args(term):
        if factor.is_Symbol:
            degree += 1
        elif factor.is_Pow and factor.base.is_Symbol and factor.exp.is_Integer and factor.exp > 0:
            degree += int(factor.exp)
    return degree


def _is_negative_term(term) -> bool:
    return term.could_extract_minus_sign()


def _by_typed_rank(args, typed):
    """A sum or product exactly as the user typed it keeps the typed order; any other (a step's
    result, where typed pieces meet new ones) keeps the textbook order it came in."""
    order = typed.get(frozenset(args)) if typed else None
    if order is None:
        return list(args)
    return sorted(args, key=lambda a: order.get(a, -1))


def textbook_terms(terms, typed=None) -> list:
    """Terms as a textbook writes them: descending degree (wx + b, x² − 2x + 1), a positive term
    first (y − ŷ, 1 − x²); SymPy's order among equals. Typed terms keep the typed order."""
    ordered = sorted(terms, key=lambda t: -_degree(t))  # stable: ties keep SymPy's order
    if ordered and _is_negative_term(ordered[0]):
        positive = next((t for t in ordered if not _is_negative_term(t)), None)
        if positive is not None:
            ordered.remove(positive)
            ordered.insert(0, positive)
    return _by_typed_rank(ordered, typed)


def _is_weight(factor) -> bool:
    base = factor.base if factor.is_Pow else factor
    return base.is_Symbol and base.name[:1] in ("w", "W")


def _factor_rank(factor) -> tuple[int, int]:
    """Numbers, then letters (weights before activations: w·a), then polynomial sums
    ((2x + 1)·e^x, (1 − y)·ln(1 − a)), then functions, then sums of functions (σ·(1 − σ))."""
    base = factor.base if factor.is_Pow else factor
    if factor.is_Number:
        return (0, 0)
    if factor.is_number and not factor.is_Add and not factor.has(sympy.Function, sympy.exp):
        return (0, 1)  # √2·x, π·r²
    if base.is_Symbol or base is sympy.pi:
        return (1, 0 if _is_weight(factor) else 1)
    if base.is_Add and not base.has(sympy.Function, sympy.exp, sympy.E):
        return (2, 0)
    return (3, 1 if base.is_Add else 0)


def textbook_factors(factors, typed=None) -> list:
    """Factors in textbook order (see _factor_rank); typed factors keep the typed order."""
    ordered = sorted(factors, key=_factor_rank)
    numbers = [f for f in ordered if f.is_Number]  # a coefficient leads, whatever was typed
    return numbers + _by_typed_rank([f for f in ordered if not f.is_Number], typed)


def _is_log_likelihood(terms) -> bool:
    """−y·ln(a) − (1 − y)·ln(1 − a): every term negative and carrying a logarithm, written −(…)."""
    return len(terms) > 1 and all(
        _is_negative_term(t) and any(isinstance(f, sympy.log) for f in sympy.Mul.make_args(-t))
        for t in terms)


def _ordered_mul(expr, typed):
    """The same product with its factors in textbook order, not re-sorted by SymPy."""
    def flat(product):  # an unevaluated product of products (2x)·sin(x) prints as 2x·sin(x)
        return [f for a in sympy.Mul.make_args(product) for f in (flat(a) if a.is_Mul else [a])]

    factors = sorted(flat(expr), key=lambda f: f.sort_key()) if expr.is_commutative else flat(expr)
    coefficient = sympy.Mul(*(f for f in factors if f.is_Number))
    args = [coefficient] * (coefficient != 1) + [f for f in factors if not f.is_Number] or [sympy.S.One]
    if len(args) == 1:
        return args[0]
    return sympy.Mul._from_args(tuple(textbook_factors(args, typed)), expr.is_commutative)


class _TextbookOrder:
    """The order of terms and factors every printer shares (see textbook_terms)."""

    def _typed(self):
        return self._settings.get("typed") or None

    def _as_ordered_terms(self, expr, order=None):
        return textbook_terms(expr.as_ordered_terms(), self._typed())


def _as_expr(expr) -> sympy.Basic:
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, sympy.Basic):
        return expr
    if isinstance(expr, bool) or not isinstance(expr, (int, float)):
        raise TypeError(f"expected a SymPy expression or a number, got {type(expr).__name__}")
    return sympy.Integer(expr) if isinstance(expr, int) else sympy.Float(expr)


# ---------------------------------------------------------------- text


class TextPrinter(_TextbookOrder, StrPrinter):
    """One-line Unicode as written on the board: 3x² − 2·sin(x), e^(−x)/(x + 1)², √(x + 1)."""

    _default_settings = {**StrPrinter._default_settings, "typed": None}

    # numbers and constants

    def _print_Integer(self, expr):
        if _is_too_long(expr):
            return self._scientific(expr)
        return (MINUS if expr < 0 else "") + str(abs(expr.p))

    def _print_Rational(self, expr):
        if _is_too_long(expr):
            return self._scientific(expr)
        return (MINUS if expr < 0 else "") + f"{abs(expr.p)}/{expr.q}"

    def _print_Float(self, expr):
        if not _is_short_float(expr):
            return super()._print_Float(expr).replace("-", MINUS)
        return self._scientific(expr)

    def _print_NaN(self, expr):
        return "undefined"  # a value that does not exist here (see calcgrad.engine.pointwise)

    def _scientific(self, expr):
        negative, digits, exponent = _decimal(expr)
        if exponent is not None:  # bracketed, so it is one factor wherever it stands
            power = str(exponent).translate(SUPERSCRIPT) if exponent > 0 else f"^({MINUS}{-exponent})"
            digits = f"({digits}{DOT}10{power})"
        return (MINUS if negative else "") + digits

    def _print_Exp1(self, expr):
        return "e"

    def _print_Pi(self, expr):
        return "π"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return MINUS + "∞"

    def _print_Symbol(self, expr):
        return _symbol_text(expr.name)

    # functions

    def _print_Function(self, expr):
        name = TEXT_FUNCTION_NAMES.get(expr.func.__name__, expr.func.__name__)
        return f"{name}({self.stringify(expr.args, ', ')})"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Heaviside(self, expr):
        x, at_zero = expr.args
        if at_zero == 0:
            return f"step({self._print(x)})"
        return f"Heaviside({self.stringify(expr.args, ', ')})"  # H(0) written out: alone it reads as 0

    def _print_exp(self, expr):
        return "e" + self._exponent(expr.args[0])

    # sums, products, powers

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        if _is_log_likelihood(terms):
            return f"{MINUS}({self._print_Add(sympy.Add(*(-t for t in terms)))})"
        text = ""
        for term in terms:
            t = self._print(term)
            if t.startswith(MINUS):
                text += f" {MINUS} {t[1:]}" if text else t
            else:
                text += f" + {t}" if text else t
        return text

    def _print_Mul(self, expr):
        """Numerator/denominator with the coefficient split: 3x/4, −x/(2y), 3/(x + 1)²."""
        coefficient, rest = expr.as_coeff_Mul()
        # textbook order: 2x·(x + 1), (2x + 1)·e^x, σ(x)·(1 − σ(x)), w⁽²⁾a⁽¹⁾
        factors = textbook_factors(rest.as_ordered_factors(), self._typed())
        sign = MINUS if coefficient.is_negative else ""
        coefficient = abs(coefficient)
        numerator, denominator = [], []
        if coefficient.is_Rational and not _is_too_long(coefficient):
            numerator += [sympy.Integer(coefficient.p)] if coefficient.p != 1 else []
            denominator += [sympy.Integer(coefficient.q)] if coefficient.q != 1 else []
        elif coefficient != 1:
            numerator.append(coefficient)
        for factor in factors:
            if _negative_exponent(factor) and factor.exp == -1:
                denominator.append(factor.base)
            elif _negative_exponent(factor):
                denominator.append(sympy.Pow(factor.base, -factor.exp, evaluate=False))
            else:
                numerator.append(factor)
        text = sign + (self._product(numerator) if numerator else "1")
        if denominator:
            below = self._product(denominator)  # a lone sum is bracketed by _product already
            text += f"/({below})" if len(denominator) > 1 else f"/{below}"
        return text

    def _product(self, factors):
        text = ""
        for i, factor in enumerate(factors):
            t = f"({self._print(factor)})" if factor.is_Add else self._print(factor)
            if i and not self._juxtapose(factors[i - 1], factor):
                text += DOT
            text += t
        return text

    def _juxtapose(self, left, right):
        """3x, 2x², 2(x + 1), 2√x, 2π, 2θ and xy²; a · everywhere else (2·sin(x), 2·w₁, x·θ)."""
        def letter_power(f):
            return _is_letter(f) or f.is_Pow and _is_letter(f.base) and f.exp.is_Integer and f.exp > 0

        if left.is_Number:
            base = right.base if right.is_Pow else right
            return (
                right.is_Add
                or right.is_Pow and (right.exp == sympy.S.Half or base.is_Add)
                or base is sympy.pi
                or base.is_Symbol and len(self._print(base)) == 1 and base.name != "e"
                or _is_letter(base)  # 2a⁽³⁾
            )
        return letter_power(left) and letter_power(right)

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if _negative_exponent(expr):
            return self._print_Mul(expr)
        if exponent == sympy.S.Half:
            return "√" + self._bracket_unless(base, base.is_Symbol or base.is_Integer and not _is_too_long(base))
        if exponent.is_Integer and exponent > 1 and not _is_too_long(exponent):
            power = str(exponent.p).translate(SUPERSCRIPT)
            if base.is_Function and base.func.__name__ in POWER_BEFORE_ARGUMENT:
                return f"{base.func.__name__}{power}({self._print(base.args[0])})"
            return self._base(base) + power
        return self._base(base) + self._exponent(exponent)

    def _print_UnevaluatedExpr(self, expr):
        """A power kept as a power (the rewrites of the power rule): x⁻¹, x^(1/2), x^(−1/2)."""
        power = expr.args[0]
        if not power.is_Pow:
            return self._print(power)
        base, exponent = power.args
        if exponent.is_Integer and not _is_too_long(exponent):
            return self._base(base) + str(exponent.p).translate(SIGNED_SUPERSCRIPT)
        return self._base(base) + self._exponent(exponent)

    def _base(self, base):
        atom = (
            base.is_Symbol
            or base is sympy.pi
            or isinstance(base, sympy.Abs)
            or (base.is_Integer or _is_short_float(base)) and base.is_positive and not self._print(base).startswith("(")
        )
        return self._bracket_unless(base, atom)

    def _exponent(self, exponent):
        if exponent.is_Integer and exponent > 1 and not _is_too_long(exponent):
            return str(exponent.p).translate(SUPERSCRIPT)
        return "^" + self._bracket_unless(exponent, exponent.is_Symbol)

    def _bracket_unless(self, expr, atom):
        return self._print(expr) if atom else f"({self._print(expr)})"


# ---------------------------------------------------------------- ASCII


class _LongNumbers:
    """Numbers too long to print in full, and short floats, in the printer's `_scientific` form."""

    def _print_Integer(self, expr):
        return self._scientific(expr) if _is_too_long(expr) else str(expr.p)

    def _print_Rational(self, expr):
        return self._scientific(expr) if _is_too_long(expr) else super()._print_Rational(expr)

    def _print_Float(self, expr):
        return self._scientific(expr) if _is_short_float(expr) else super()._print_Float(expr)


class AsciiPrinter(_TextbookOrder, _LongNumbers, StrPrinter):
    """sympy.sstr with shortest floats and long integers approximated instead of crashing."""

    _default_settings = {**StrPrinter._default_settings, "typed": None, "order": "none"}

    def _print_Mul(self, expr):
        return super()._print_Mul(_ordered_mul(expr, self._typed()))

    def _print_Heaviside(self, expr):
        # H(0) always written out: the parser reads a lone Heaviside(x) with the kink convention
        return f"Heaviside({self.stringify(expr.args, ', ')})"

    def _print_UnevaluatedExpr(self, expr):
        """A power kept as a power: x**(-1), x**(1/2) (StrPrinter writes 1/x and sqrt(x))."""
        power = expr.args[0]
        if not power.is_Pow:
            return self._print(power)
        exponent = self._print(power.exp)
        if not (power.exp.is_Integer and power.exp >= 0):
            exponent = f"({exponent})"
        return f"{self.parenthesize(power.base, PRECEDENCE['Pow'], strict=False)}**{exponent}"

    def _scientific(self, expr):
        negative, digits, exponent = _decimal(expr)
        if exponent is not None:
            digits = f"({digits}*10**{exponent})" if exponent > 0 else f"({digits}*10**({exponent}))"
        return ("-" if negative else "") + digits


# ---------------------------------------------------------------- LaTeX


class NotesLatexPrinter(_TextbookOrder, _LongNumbers, LatexPrinter):
    r"""sympy.latex with \ln, \arcsin, step(x) and (σ(x))² for the course notes."""

    _default_settings = {**LatexPrinter._default_settings, "ln_notation": True, "inv_trig_style": "full",
                         "typed": None, "order": "none"}

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        if _is_log_likelihood(terms):
            return r"- \left(%s\right)" % self._print_Add(sympy.Add(*(-t for t in terms)))
        return super()._print_Add(expr, order=order)

    def _print_Mul(self, expr):
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_negative:  # LatexPrinter would negate, and so reorder, the product
            positive = _ordered_mul(sympy.Mul._from_args((-coefficient, *sympy.Mul.make_args(rest))),
                                    self._typed())
            return "- " + (super()._print_Mul(positive) if positive.is_Mul else self._print(positive))
        return super()._print_Mul(_ordered_mul(expr, self._typed()))

    def _print_NaN(self, expr):
        return r"\text{undefined}"

    def _print_Heaviside(self, expr, exp=None):
        x, at_zero = expr.args
        if at_zero == 0:
            tex = r"\operatorname{step}\left(%s\right)" % self._print(x)
        else:
            tex = r"H\left(%s\right)" % ", ".join(self._print(a) for a in expr.pargs)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Pow(self, expr):
        # LatexPrinter hands a function base its exponent (sin^{2}); ours print themselves.
        base, exponent = expr.args
        plain = not (exponent.is_Rational and (exponent.is_negative or exponent.q != 1 and abs(exponent.p) == 1))
        if isinstance(base, DEEP_LEARNING_FUNCTIONS) and plain:
            return r"\left(%s\right)^{%s}" % (self._print(base), self._print(exponent))
        return super()._print_Pow(expr)

    def _print_UnevaluatedExpr(self, expr):
        r"""A power kept as a power: x^{-1}, x^{1/2}, x^{-1/2} (not \frac{1}{x}, \sqrt{x})."""
        power = expr.args[0]
        if not power.is_Pow:
            return self._print(power)
        if power.exp.is_Integer:
            return self._helper_print_standard_power(power, "%s^{%s}")
        settings = {k: v for k, v in self._settings.items() if k in self._default_settings}
        literal = type(self)({**settings, "root_notation": False, "fold_frac_powers": True})
        return literal._print_Pow(power)

    def _scientific(self, expr):
        negative, digits, exponent = _decimal(expr)
        if exponent is not None:
            digits = r"%s \cdot 10^{%d}" % (digits, exponent)
        return ("-" if negative else "") + digits


# ---------------------------------------------------------------- public functions


def _unbracket_number(expr, text: str) -> str:
    """A lone number shown as (m·10ᵏ) needs no brackets of its own."""
    if expr.is_Number and text.startswith("(") and text.endswith(")"):
        return text[1:-1]
    return text


def _ranks(typed) -> dict | None:
    """Typed sums and products (calcgrad.read.parser.Reading.written) → each member's typed rank,
    keyed by the set of members (and, for products, by the set without numbers, as the
    coefficient always leads)."""
    if not typed:
        return None
    ranks: dict = {}
    for group in typed:
        letters = [m for m in group if not m.is_Number]  # a product's factors without its coefficient
        for members in (group, letters):
            ranks.setdefault(frozenset(members), {m: i for i, m in enumerate(members)})
    return ranks


def typed_ranks(typed) -> dict | None:
    """The `typed` setting of the printers above, from a Reading's `written`: for printer
    subclasses in other modules (render/worked_solution.py prints derivatives still to be taken)."""
    return _ranks(typed)


def to_text(expr, typed=()) -> str:
    """One-line Unicode that calcgrad's parser reads back: `3x² − 2·sin(x)`, `e^(−x)`.

    `typed` (a Reading's `written`) keeps the terms and factors in the order they were typed.
    """
    expr = _as_expr(expr)
    return _unbracket_number(expr, TextPrinter({"typed": _ranks(typed)}).doprint(expr))


def to_ascii(expr, typed=()) -> str:
    """Plain ASCII in SymPy's own names that calcgrad's parser reads back: `3*x**2 - 2*sin(x)`."""
    expr = _as_expr(expr)
    return _unbracket_number(expr, AsciiPrinter({"typed": _ranks(typed)}).doprint(expr))


def to_latex(expr, typed=()) -> str:
    r"""LaTeX for course notes: `\ln`, `e^{x}`, `\sigma\left(x\right)`, `\operatorname{step}`."""
    return NotesLatexPrinter({"typed": _ranks(typed)}).doprint(_as_expr(expr))


def derivative_operator(variable, *, partial: bool, order: int = 1, style: str = "text") -> str:
    r"""`d/dx`, `∂²/∂θ²` (text) or `\frac{d}{dx}`, `\frac{\partial^{2}}{\partial w_{1}^{2}}` (latex)."""
    if isinstance(variable, str):
        variable = sympy.Symbol(variable, real=True)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    if style == "text":
        d = "∂" if partial else "d"
        power = str(order).translate(SUPERSCRIPT) if order > 1 else ""
        return f"{d}{power}/{d}{to_text(variable)}{power}"
    if style == "latex":
        d = r"\partial" if partial else "d"
        power = "^{%d}" % order if order > 1 else ""
        space = " " if partial else ""
        return r"\frac{%s%s}{%s%s%s%s}" % (d, power, d, space, to_latex(variable), power)
    raise ValueError(f"style must be 'text' or 'latex', got {style!r}")


def format_point(point: dict) -> str:
    """`x = 3, y = 1/2`: a point's coordinates in the order given."""
    return ", ".join(f"{to_text(_as_point_key(k))} = {to_text(v)}" for k, v in point.items())


_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def derivative_name(variables: tuple) -> str:
    """What was asked for, in words: 'derivative', 'second derivative', 'mixed partial
    derivative', as a teacher says it when a check names the right answer."""
    if len(variables) <= 1:
        return "derivative"
    if len(set(variables)) > 1:
        return "mixed partial derivative"
    order = len(variables)
    return f"{_ORDINALS[order]} derivative" if order in _ORDINALS else f"derivative of order {order}"


def _as_point_key(key):
    return sympy.Symbol(key, real=True) if isinstance(key, str) else key
