"""The function table: everything calcgrad knows about one function, in one entry.

One `FunctionEntry` per function holds the names the parser accepts, its derivative rule
(name, title, formula, explanation, f′ as a function of the argument), its value and slope
for floats and mpmath numbers, its real domain, how it prints, its common wrong derivatives
(for naming mistakes) and, for activations, its network name. Every other module reads this
table instead of keeping its own list, so adding a function (GELU, SiLU) is one entry here.

The deep-learning functions SymPy lacks (σ, ReLU, softplus, GELU, SiLU) are defined here as
named SymPy functions, so a derivation can say "sigmoid rule: σ′ = σ(1 − σ)" instead of
rewriting them to exp/Max.

The kink convention, stated once: at a corner the slope is taken as 0 — ReLU′(0) = 0, as
deep-learning libraries do, and so step(0) = Heaviside(0) = 0 and the slope of Max(0, x) at 0
is 0 too. `STEP_AT_ZERO` is that value; every consumer (derivatives, descent, plotting,
equivalence, backprop) reads it from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

import mpmath
import sympy
from mpmath.libmp import prec_to_dps
from sympy import Basic, Expr

from calcgrad import limits

Explanation = tuple[Union[str, Basic], ...]

STEP_AT_ZERO = 0
"""The kink convention: step(0) = Heaviside(0) = 0, so ReLU′(0) = 0 and Max(0, x)′ at 0 is 0."""

LEAKY_SLOPE = Fraction(1, 100)
"""Slope of leaky ReLU for z ≤ 0."""


@dataclass(frozen=True)
class Formula:
    """A rule's general statement, written once for text and once for LaTeX."""

    text: str
    latex: str


@dataclass(frozen=True)
class FaultyDerivative:
    """A common wrong derivative of a function, for naming a student's mistake."""

    code: str
    """One of calcgrad.grading.mistakes.CODES."""
    derivative: Callable[[Expr], Expr]
    """The wrong f′ as a function of the argument."""
    detail: str
    """What went wrong, in words (a clause for the feedback sentence); {expression},
    {derivative} and {variable} stand for the step's own f(x), its right f′(x) and x."""


@dataclass(frozen=True)
class FunctionEntry:
    """Everything calcgrad knows about one function (see the module docstring)."""

    name: str
    """The canonical name the parser reads (and, for most, SymPy's class name)."""
    build: Callable[..., Expr]
    """name(args) → the SymPy expression."""
    func: Any = None
    """The SymPy class of the nodes this entry differentiates; None when `build` makes none of
    its own (leaky ReLU is a Piecewise, lg is log(x)/log(10))."""
    aliases: tuple[str, ...] = ()
    """Other names the parser accepts for the same function."""
    min_args: int = 1
    max_args: int | None = 1
    inverse: str | None = None
    """The function f⁻¹ written as f^-1 (sin^-1 x = asin x)."""
    parsed: bool = True
    """False for network-only rows (linear, leaky_relu, softmax), which the parser does not read."""

    rule: str | None = None
    """Step rule name (JSON "rule"); None: the derivative is SymPy's ("standard derivative")."""
    title: str = ""
    formula: Formula | None = None
    derivative: Callable[..., Expr] | None = None
    """f′ as a function of the argument (extra constant arguments follow it)."""
    explanation: Callable[[Expr, Expr], Explanation] | None = None
    """(argument, f′) → the explanation; None for the family's general sentence."""
    family: str = ""

    value: Callable[..., Any] | None = None
    """value(m, t, …) with m the math or mpmath module: the function's value."""
    slope: Callable[..., Any] | None = None
    """slope(m, t): f′(t) for numbers, with the kink convention."""
    grows_exponentially: bool = False
    """True when the value overflows for large |t| (e^t), so mpmath callers guard it."""
    special_at_zero: bool = False
    """The argument's zero is a special point (a kink, a jump or the domain's edge), where
    answer checking always compares values."""
    domain: Callable[[Expr], Basic] | None = None
    """The real domain, as a condition on the argument; None for every real number."""

    text_name: str | None = None
    """Name in text output when it differs from `name` (log → ln, asin → arcsin)."""
    latex_name: str | None = None
    """LaTeX for the name of calcgrad's own functions (\\sigma, \\operatorname{GELU})."""
    power_before_argument: bool = False
    """Powers written sin²(x) rather than (sin(x))²."""

    faulty: tuple[FaultyDerivative, ...] = ()
    activation: str | None = None
    """The network activation name when this function is an activation."""
    exact: bool = False
    """Keeps rational inputs rational (network --exact)."""
    network_formula: str | None = None
    """The activation's one-line formula in z for the network header (else `formula`)."""
    network_slope: Callable[[Expr], Expr] | None = None
    """f′(z) as a network lecture writes it, when that differs from `derivative`: tanh′(z) =
    1 − tanh²(z) (the calculus table says sech²(z), which `calcgrad diff` keeps)."""
    output_slope: Callable[[Expr], Expr] | None = None
    """f′ in terms of the output a = f(z), as backpropagation uses the stored a: σ′ = a(1 − a),
    tanh′ = 1 − a². None when f′ needs z itself (ReLU′(z) = step(z))."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the parser accepts for this function."""
        return (self.name, *self.aliases)

    def float_value(self, *args):
        """The value for Python floats (or Fractions, for the exact activations)."""
        return self.value(math, *args)

    def float_slope(self, t):
        """f′(t) for Python floats (or Fractions, for the exact activations)."""
        return self.slope(math, t)


# --- calcgrad's own SymPy functions -------------------------------------------------------------


def _evalf_via(expr: sympy.Expr, prec: int):
    value = expr.evalf(prec_to_dps(prec))
    return value if value.is_number else None


class _OwnFunction(sympy.Function):
    """A one-argument function of calcgrad's own: its derivative, evalf and LaTeX from the table."""

    nargs = 1

    @staticmethod
    def definition(x: Expr) -> Expr:
        raise NotImplementedError

    def fdiff(self, argindex=1):
        return entry_for(type(self)).derivative(self.args[0])

    def _eval_evalf(self, prec):
        return _evalf_via(self.definition(self.args[0]), prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        name = entry_for(type(self)).latex_name
        body = r"%s\left(%s\right)" % (name, printer._print(self.args[0]))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


class sigmoid(_OwnFunction):
    """Logistic sigmoid σ(x) = 1/(1 + e^(−x)); σ′(x) = σ(x)(1 − σ(x))."""

    @staticmethod
    def definition(x):
        return 1 / (1 + sympy.exp(-x))

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Half
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.definition(x)

    def _eval_is_positive(self):
        return self.args[0].is_real


class relu(_OwnFunction):
    """Rectified linear unit ReLU(x) = max(0, x); ReLU′(x) = step(x), taken as 0 at x = 0."""

    @staticmethod
    def definition(x):
        return sympy.Max(0, x)

    @classmethod
    def eval(cls, x):
        if x.is_nonnegative:
            return x
        if x.is_negative:
            return sympy.S.Zero
        return None

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_is_nonnegative(self):
        return self.args[0].is_real


class softplus(_OwnFunction):
    """Softplus ln(1 + eˣ), a smooth ReLU; softplus′(x) = σ(x)."""

    @staticmethod
    def definition(x):
        return sympy.log(1 + sympy.exp(x))

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.log(2)
        return None

    def _eval_rewrite_as_log(self, x, **kwargs):
        return self.definition(x)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.definition(x)

    def _eval_is_positive(self):
        return self.args[0].is_real


class gelu(_OwnFunction):
    """Gaussian error linear unit GELU(x) = x·Φ(x) = x/2·(1 + erf(x/√2)) (the exact form)."""

    @staticmethod
    def definition(x):
        return x / 2 * (1 + sympy.erf(x / sympy.sqrt(2)))

    @classmethod
    def eval(cls, x):
        return sympy.S.Zero if x.is_zero else None

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return self.definition(x)


class silu(_OwnFunction):
    """Sigmoid linear unit (swish) SiLU(x) = x·σ(x)."""

    @staticmethod
    def definition(x):
        return x / (1 + sympy.exp(-x))

    @classmethod
    def eval(cls, x):
        return sympy.S.Zero if x.is_zero else None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.definition(x)


DEEP_LEARNING_FUNCTIONS = (sigmoid, relu, softplus, gelu, silu)


class leaky_relu(_OwnFunction):
    """Leaky ReLU: x for x > 0, 0.01·x for x ≤ 0 (PyTorch's default slope, LEAKY_SLOPE).

    A named function, so a network prints LeakyReLU(z) and its slope LeakyReLU′(z) by name
    rather than as a raw Piecewise. Network-only (parsed=False), as before.
    """

    @staticmethod
    def definition(x):
        return sympy.Piecewise((x, x > 0), (x * _leaky_slope(), True))

    @classmethod
    def eval(cls, x):
        if x.is_positive:
            return x
        if x.is_nonpositive:
            return x * _leaky_slope()
        return None

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return self.definition(x)


class leaky_relu_slope(_OwnFunction):
    """The slope of leaky ReLU, LeakyReLU′(x): 1 for x > 0, 0.01 for x ≤ 0 (the kink at 0
    takes the left slope, as PyTorch does)."""

    @staticmethod
    def definition(x):
        return sympy.Piecewise((1, x > 0), (_leaky_slope(), True))

    @classmethod
    def eval(cls, x):
        if x.is_positive:
            return sympy.S.One
        if x.is_nonpositive:
            return _leaky_slope()
        return None

    def fdiff(self, argindex=1):
        return sympy.S.Zero  # flat on both sides of the kink

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return self.definition(x)


def step(x: Expr) -> Expr:
    """The unit step with the kink convention: Heaviside(x, STEP_AT_ZERO)."""
    return sympy.Heaviside(x, STEP_AT_ZERO)


def with_kink_convention(expr: Expr, keep: Expr | None = None) -> Expr:
    """expr with every Heaviside SymPy wrote with its own H(0) = ½ set to the convention.

    Heaviside nodes that occur in `keep` (the user's own expression) are left as written.
    """
    kept = keep.atoms(sympy.Heaviside) if keep is not None else set()
    swaps = {h: step(h.args[0]) for h in expr.atoms(sympy.Heaviside)
             if h not in kept and h.args[1] == sympy.S.Half}
    return expr.xreplace(swaps) if swaps else expr


# --- numbers ------------------------------------------------------------------------------------


def _sigmoid_value(m, t):
    if t >= 0:
        return 1 / (1 + m.exp(-t))
    e = m.exp(t)
    return e / (1 + e)


def _softplus_value(m, t):
    return t + m.log1p(m.exp(-t)) if t > 0 else m.log1p(m.exp(t))


def _normal_cdf(m, t):
    """Φ(t) = ½(1 + erf(t/√2))."""
    return (1 + m.erf(t / m.sqrt(2))) / 2


def _normal_pdf(m, t):
    """φ(t) = e^(−t²/2)/√(2π)."""
    return m.exp(-t * t / 2) / m.sqrt(2 * m.pi)


def _step_value(m, t, at_zero=None):
    if t > 0:
        return (t - t) + 1
    if t < 0:
        return (t - t)
    return (t - t) + (STEP_AT_ZERO if at_zero is None else at_zero)


def _dirac_value(m, t, *order):
    """δ(t): 0 away from 0; at 0 it has no value (a ValueError, as for a domain error)."""
    if t == 0:
        raise ValueError("DiracDelta(0) is undefined")
    return (t - t)


def _sign_value(m, t):
    return (t > 0) - (t < 0)


def _reciprocal(function):
    return lambda m, t: 1 / getattr(m, function)(t)


def _of_reciprocal(function):
    return lambda m, t: getattr(m, function)(1 / t)


def _acot_value(m, t):
    return m.pi / 2 if t == 0 else m.atan(1 / t)


# --- the entries --------------------------------------------------------------------------------

_X = sympy.Symbol("x", real=True)


def _sign_flip(name: str) -> FaultyDerivative:
    """The derivative of `name` with its sign flipped (cos′ = sin instead of −sin)."""
    return FaultyDerivative("trig_sign", lambda t, n=name: -_DERIVATIVES[n](t),
                            "the sign is wrong: the derivative of {expression} is {derivative}")


_TRIG_TABLE = {  # name: (f′, text, LaTeX, value)
    "sin": (sympy.cos, "cos x", r"\cos x", lambda m, t: m.sin(t)),
    "cos": (lambda x: -sympy.sin(x), "−sin x", r"-\sin x", lambda m, t: m.cos(t)),
    "tan": (lambda x: sympy.sec(x) ** 2, "sec²x", r"\sec^{2} x", lambda m, t: m.tan(t)),
    "sec": (lambda x: sympy.sec(x) * sympy.tan(x), "sec x·tan x", r"\sec x \tan x", _reciprocal("cos")),
    "csc": (lambda x: -sympy.csc(x) * sympy.cot(x), "−csc x·cot x", r"-\csc x \cot x", _reciprocal("sin")),
    "cot": (lambda x: -sympy.csc(x) ** 2, "−csc²x", r"-\csc^{2} x", _reciprocal("tan")),
}
_INVERSE_TRIG_TABLE = {
    "asin": (lambda x: 1 / sympy.sqrt(1 - x**2), "1/√(1 − x²)", r"\frac{1}{\sqrt{1 - x^{2}}}",
             lambda m, t: m.asin(t), lambda x: (x >= -1) & (x <= 1)),
    "acos": (lambda x: -1 / sympy.sqrt(1 - x**2), "−1/√(1 − x²)", r"-\frac{1}{\sqrt{1 - x^{2}}}",
             lambda m, t: m.acos(t), lambda x: (x >= -1) & (x <= 1)),
    "atan": (lambda x: 1 / (1 + x**2), "1/(1 + x²)", r"\frac{1}{1 + x^{2}}",
             lambda m, t: m.atan(t), None),
    "acot": (lambda x: -1 / (1 + x**2), "−1/(1 + x²)", r"-\frac{1}{1 + x^{2}}", _acot_value, None),
    "asec": (lambda x: 1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)), "1/(|x|·√(x² − 1))",
             r"\frac{1}{|x| \sqrt{x^{2} - 1}}", _of_reciprocal("acos"), lambda x: sympy.Abs(x) >= 1),
    "acsc": (lambda x: -1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)), "−1/(|x|·√(x² − 1))",
             r"-\frac{1}{|x| \sqrt{x^{2} - 1}}", _of_reciprocal("asin"), lambda x: sympy.Abs(x) >= 1),
}
_HYPERBOLIC_TABLE = {
    "sinh": (sympy.cosh, "cosh x", r"\cosh x", lambda m, t: m.sinh(t)),
    "cosh": (sympy.sinh, "sinh x", r"\sinh x", lambda m, t: m.cosh(t)),
    "tanh": (lambda x: sympy.sech(x) ** 2, "sech²x", r"\operatorname{sech}^{2} x", lambda m, t: m.tanh(t)),
    "sech": (lambda x: -sympy.sech(x) * sympy.tanh(x), "−sech x·tanh x",
             r"-\operatorname{sech} x \tanh x", _reciprocal("cosh")),
    "csch": (lambda x: -sympy.csch(x) * sympy.coth(x), "−csch x·coth x",
             r"-\operatorname{csch} x \coth x", _reciprocal("sinh")),
    "coth": (lambda x: -sympy.csch(x) ** 2, "−csch²x", r"-\operatorname{csch}^{2} x", _reciprocal("tanh")),
}
_INVERSE_HYPERBOLIC_TABLE = {
    "asinh": (lambda x: 1 / sympy.sqrt(x**2 + 1), "1/√(x² + 1)", r"\frac{1}{\sqrt{x^{2} + 1}}",
              lambda m, t: m.asinh(t), None),
    "acosh": (lambda x: 1 / sympy.sqrt(x**2 - 1), "1/√(x² − 1)", r"\frac{1}{\sqrt{x^{2} - 1}}",
              lambda m, t: m.acosh(t), lambda x: x >= 1),
    "atanh": (lambda x: 1 / (1 - x**2), "1/(1 − x²)", r"\frac{1}{1 - x^{2}}",
              lambda m, t: m.atanh(t), lambda x: (x > -1) & (x < 1)),
    "acoth": (lambda x: 1 / (1 - x**2), "1/(1 − x²)", r"\frac{1}{1 - x^{2}}",
              _of_reciprocal("atanh"), lambda x: sympy.Abs(x) > 1),
    "asech": (lambda x: -1 / (x * sympy.sqrt(1 - x**2)), "−1/(x·√(1 − x²))",
              r"-\frac{1}{x \sqrt{1 - x^{2}}}", _of_reciprocal("acosh"), lambda x: (x > 0) & (x <= 1)),
    "acsch": (lambda x: -1 / (sympy.Abs(x) * sympy.sqrt(1 + x**2)), "−1/(|x|·√(1 + x²))",
              r"-\frac{1}{|x| \sqrt{1 + x^{2}}}", _of_reciprocal("asinh"), lambda x: sympy.Ne(x, 0)),
}
_SLOPES = {  # f′(t) for numbers, the same formulas as the rules above
    "sin": lambda m, t: m.cos(t), "cos": lambda m, t: -m.sin(t),
    "tan": lambda m, t: 1 / m.cos(t) ** 2, "sec": lambda m, t: m.sin(t) / m.cos(t) ** 2,
    "csc": lambda m, t: -m.cos(t) / m.sin(t) ** 2, "cot": lambda m, t: -1 / m.sin(t) ** 2,
    "asin": lambda m, t: 1 / m.sqrt(1 - t * t), "acos": lambda m, t: -1 / m.sqrt(1 - t * t),
    "atan": lambda m, t: 1 / (1 + t * t), "acot": lambda m, t: -1 / (1 + t * t),
    "asec": lambda m, t: 1 / (abs(t) * m.sqrt(t * t - 1)),
    "acsc": lambda m, t: -1 / (abs(t) * m.sqrt(t * t - 1)),
    "sinh": lambda m, t: m.cosh(t), "cosh": lambda m, t: m.sinh(t),
    "tanh": lambda m, t: 1 - m.tanh(t) ** 2, "sech": lambda m, t: -m.tanh(t) / m.cosh(t),
    "csch": lambda m, t: -m.cosh(t) / m.sinh(t) ** 2, "coth": lambda m, t: -1 / m.sinh(t) ** 2,
    "asinh": lambda m, t: 1 / m.sqrt(t * t + 1), "acosh": lambda m, t: 1 / m.sqrt(t * t - 1),
    "atanh": lambda m, t: 1 / (1 - t * t), "acoth": lambda m, t: 1 / (1 - t * t),
    "asech": lambda m, t: -1 / (t * m.sqrt(1 - t * t)),
    "acsch": lambda m, t: -1 / (abs(t) * m.sqrt(1 + t * t)),
}
_TRIG_DOMAINS = {
    "tan": lambda x: sympy.Ne(sympy.cos(x), 0), "sec": lambda x: sympy.Ne(sympy.cos(x), 0),
    "csc": lambda x: sympy.Ne(sympy.sin(x), 0), "cot": lambda x: sympy.Ne(sympy.sin(x), 0),
    "csch": lambda x: sympy.Ne(x, 0), "coth": lambda x: sympy.Ne(x, 0),
}
_DERIVATIVES = {name: row[0] for table in (_TRIG_TABLE, _INVERSE_TRIG_TABLE, _HYPERBOLIC_TABLE,
                                            _INVERSE_HYPERBOLIC_TABLE) for name, row in table.items()}
_ARC_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asec": "arcsec",
              "acsc": "arccsc", "acot": "arccot", "asinh": "arsinh", "acosh": "arcosh",
              "atanh": "artanh", "asech": "arsech", "acsch": "arcsch", "acoth": "arcoth"}
_EXTRA_ALIASES = {"csc": ("cosec",), "tan": ("tg",), "cot": ("ctg", "cotg"), "atan": ("arctg",)}
"""Names from other traditions (issue 10.4): cosec, tg, ctg/cotg, arctg."""

_EXTRA_FAULTS = {
    "tan": (FaultyDerivative("function_derivative_wrong", sympy.sec,
                             "d/dx tan x = sec²x, not sec x (the square is missing)"),),
    "sin": (FaultyDerivative("function_derivative_wrong", lambda x: -sympy.cos(x),
                             "d/dx sin x = cos x, with no minus sign"),),
    "tanh": (FaultyDerivative("function_derivative_wrong", lambda x: 1 - sympy.tanh(x),
                              "d/dx tanh x = 1 − tanh²x: the tanh is squared"),),
}


def capitalised(name: str) -> str:
    """Sin for sin: a capitalised known function name is that function (issue 10.4); the
    parser accepts it unless the capitalised word means something else (Gamma is Γ)."""
    return name[:1].upper() + name[1:]


def _family_entries(table: dict, rule: str, title: str, family: str, arc: bool) -> list[FunctionEntry]:
    entries = []
    for name, row in table.items():
        derivative, text, latex, value = row[:4]
        domain = row[4] if len(row) > 4 else _TRIG_DOMAINS.get(name)
        shown = _ARC_NAMES.get(name, name)
        aliases: tuple[str, ...] = ()
        if arc:
            base = name[1:]
            aliases = ("arc" + base,) + (("ar" + base,) if rule == "inverse_hyperbolic" else ())
        aliases += _EXTRA_ALIASES.get(name, ())
        latex_function = (r"\%s" % shown if shown in ("arcsin", "arccos", "arctan", "sin", "cos", "tan",
                                                      "sec", "csc", "cot", "sinh", "cosh", "tanh", "coth")
                          else r"\operatorname{%s}" % shown)
        entries.append(FunctionEntry(
            name=name, build=getattr(sympy, name), func=getattr(sympy, name), aliases=aliases,
            inverse=None if arc else "a" + name,
            rule=rule, title=title, family=family,
            formula=Formula(f"d/dx {shown} x = {text}", r"\frac{d}{dx} %s x = %s" % (latex_function, latex)),
            derivative=derivative, value=value, slope=_SLOPES[name],
            grows_exponentially=name in ("sinh", "cosh", "sech", "csch"),
            domain=domain, text_name=shown if shown != name else None,
            power_before_argument=not arc,
            faulty=(_sign_flip(name),) + _EXTRA_FAULTS.get(name, ()),
            activation="tanh" if name == "tanh" else None,
            network_formula="tanh′(z) = 1 − tanh²(z)" if name == "tanh" else None,
            network_slope=(lambda z: 1 - sympy.tanh(z) ** 2) if name == "tanh" else None,
            output_slope=(lambda a: 1 - a**2) if name == "tanh" else None,
        ))
    return entries


def _sigmoid_explanation(x, result):
    return ("with σ(x) = 1/(1 + e^(−x)), the derivative is σ(x)·(1 − σ(x)): ", result)


def _relu_explanation(x, result):
    return ("ReLU(x) = max(0, x) has slope 1 for x > 0 and 0 for x < 0; at x = 0 it has no "
            "derivative and, as deep-learning libraries do, we take 0",)


def _softplus_explanation(x, result):
    return ("softplus(x) = ln(1 + eˣ), whose derivative eˣ/(1 + eˣ) is the sigmoid σ(x)",)


def _gelu_explanation(x, result):
    return ("GELU(", x, ") = ", x, "·Φ(", x, ") with Φ the standard normal CDF and φ = Φ′ its "
            "density; by the product rule GELU′(", x, ") = Φ(", x, ") + ", x, "·φ(", x, ") = ", result)


def _silu_explanation(x, result):
    return ("SiLU(", x, ") = ", x, "·σ(", x, "); by the product rule and σ′ = σ(1 − σ), SiLU′(", x,
            ") = σ(", x, ") + ", x, "·σ(", x, ")(1 − σ(", x, ")) = ", result)


def _max_derivative(u, *others):
    return step(u - sympy.Max(*others))


def _min_derivative(u, *others):
    return step(sympy.Min(*others) - u)


def _max_explanation(x, result):
    return ("the maximum follows ", x, " where ", x, " is the largest argument (slope 1) and "
            "ignores it elsewhere (slope 0); at a tie, the kink, the slope is taken as 0: ", result)


def _min_explanation(x, result):
    return ("the minimum follows ", x, " where ", x, " is the smallest argument (slope 1) and "
            "ignores it elsewhere (slope 0); at a tie, the kink, the slope is taken as 0: ", result)


def _leaky_slope() -> Expr:
    return sympy.Rational(LEAKY_SLOPE.numerator, LEAKY_SLOPE.denominator)


def _leaky_relu_explanation(x, result):
    return ("LeakyReLU(", x, ") is ", x, " for ", x, " > 0 and 0.01·", x, " for ", x, " ≤ 0, so "
            "its slope LeakyReLU′(", x, ") is 1 for ", x, " > 0 and 0.01 for ", x, " ≤ 0 (at the "
            "kink 0 the left slope 0.01, as PyTorch takes it)")


def _log_base_10(x: Expr) -> Expr:
    return sympy.log(x, 10)


def _exp_explanation(x, result):
    return ("e to the ", x, " is its own derivative",)


def _abs_explanation(x, result):
    return ("|", x, "| has slope 1 where ", x, " > 0 and −1 where ", x, " < 0, which is sign(",
            x, "); there is no derivative at 0")


def _step_explanation(x, result):
    return ("step(", x, ") is flat on both sides of 0, so its derivative is 0 there; at 0 it "
            "jumps and has no derivative (no Dirac delta in ordinary calculus)")


def _sign_explanation(x, result):
    return ("sign(", x, ") is −1 for ", x, " < 0 and 1 for ", x, " > 0, flat on each side, so "
            "its derivative is 0 there; at 0 it jumps and has no derivative")


def _root(x: Expr, n: Expr) -> Expr:
    """root(x, n): the n-th root; n must be a whole number from 2 up."""
    if not (n.is_Integer and 2 <= n <= limits.MAX_ROOT_INDEX):
        raise ValueError(f"the root index must be a whole number from 2 to {limits.MAX_ROOT_INDEX}")
    return x ** sympy.Rational(1, int(n))


def _max(*args: Expr) -> Expr:
    """max(0, u) is ReLU(u) in every spelling, so ReLU′(0) = 0 holds for all of them."""
    if len(args) == 2 and sympy.S.Zero in args:
        return relu(args[1] if args[0] == 0 else args[0])
    return sympy.Max(*args)


def _standard(name: str, build=None, min_args: int = 1, max_args: int | None = 1, value=None,
              grows_exponentially: bool = False, domain=None) -> FunctionEntry:
    """A function the parser reads whose derivative is SymPy's (erf, gamma, sqrt …)."""
    function = build or getattr(sympy, name)
    return FunctionEntry(name=name, build=function,
                         func=function if isinstance(function, type) else None,
                         min_args=min_args, max_args=max_args, value=value,
                         grows_exponentially=grows_exponentially, domain=domain)


FUNCTION_TABLE: tuple[FunctionEntry, ...] = (
    FunctionEntry(
        name="exp", build=sympy.exp, func=sympy.exp, 
        rule="exp", title="Exponential rule", family="exponential",
        formula=Formula("d/dx eˣ = eˣ", r"\frac{d}{dx} e^{x} = e^{x}"),
        derivative=sympy.exp, explanation=_exp_explanation,
        value=lambda m, t: m.exp(t), slope=lambda m, t: m.exp(t), grows_exponentially=True,
        faulty=(FaultyDerivative("exponential_as_power", lambda x: x * sympy.exp(x - 1),
                                 "the variable is in the exponent, so the power rule does not "
                                 "apply; d/dx aˣ = aˣ·ln a and d/dx eˣ = eˣ"),),
    ),
    FunctionEntry(
        name="log", special_at_zero=True, build=sympy.log, func=sympy.log, aliases=("ln",), max_args=2,
        rule="log", title="Natural logarithm rule", family="logarithm",
        formula=Formula("d/dx ln(x) = 1/x", r"\frac{d}{dx} \ln x = \frac{1}{x}"),
        derivative=lambda x: 1 / x, value=lambda m, t: m.log(t), slope=lambda m, t: 1 / t,
        domain=lambda x: x > 0, text_name="ln",
        faulty=(FaultyDerivative("log_derivative_wrong", lambda x: 1 / sympy.log(x),
                                 "d/d{variable} ln({variable}) = 1/{variable}, not 1/ln({variable})"),),
    ),
    FunctionEntry(name="lg", build=_log_base_10),
    *_family_entries(_TRIG_TABLE, "trig", "Trigonometric rule", "trigonometric", arc=False),
    *_family_entries(_INVERSE_TRIG_TABLE, "inverse_trig", "Inverse trigonometric rule",
                     "inverse trigonometric", arc=True),
    *_family_entries(_HYPERBOLIC_TABLE, "hyperbolic", "Hyperbolic rule", "hyperbolic", arc=False),
    *_family_entries(_INVERSE_HYPERBOLIC_TABLE, "inverse_hyperbolic", "Inverse hyperbolic rule",
                     "inverse hyperbolic", arc=True),
    FunctionEntry(
        name="Abs", special_at_zero=True, build=sympy.Abs, func=sympy.Abs, aliases=("abs",),
        rule="abs", title="Absolute value rule", family="absolute value",
        formula=Formula("d/dx |x| = x/|x| = sign(x), x ≠ 0",
                        r"\frac{d}{dx} |x| = \frac{x}{|x|} = \operatorname{sign}(x),\ x \neq 0"),
        derivative=sympy.sign, explanation=_abs_explanation,
        value=lambda m, t: abs(t), slope=_sign_value,
    ),
    FunctionEntry(
        name="sign", special_at_zero=True, build=sympy.sign, func=sympy.sign, aliases=("sgn",),
        rule="sign", title="Sign rule", family="sign",
        formula=Formula("d/dx sign(x) = 0, x ≠ 0",
                        r"\frac{d}{dx} \operatorname{sign}(x) = 0,\ x \neq 0"),
        derivative=lambda x: sympy.S.Zero, explanation=_sign_explanation,
        value=_sign_value, slope=lambda m, t: (t - t),
    ),
    FunctionEntry(
        name="Heaviside", special_at_zero=True, build=lambda x, at_zero=STEP_AT_ZERO: sympy.Heaviside(x, at_zero),
        func=sympy.Heaviside, aliases=("step",), max_args=2,
        rule="step", title="Step function rule", family="step",
        formula=Formula("d/dx step(x) = 0, x ≠ 0",
                        r"\frac{d}{dx} \operatorname{step}(x) = 0,\ x \neq 0"),
        derivative=lambda x, *at_zero: sympy.S.Zero, explanation=_step_explanation,
        value=_step_value, slope=lambda m, t: (t - t),
    ),
    FunctionEntry(
        name="Max", build=_max, func=sympy.Max, max_args=None, aliases=("max",),
        rule="max", title="Maximum rule", family="maximum",
        formula=Formula("d/dx max(x, c) = step(x − c), taken as 0 at x = c",
                        r"\frac{d}{dx} \max(x, c) = \operatorname{step}(x - c)"),
        derivative=_max_derivative, explanation=_max_explanation,
        value=lambda m, *args: max(args),
    ),
    FunctionEntry(
        name="Min", build=sympy.Min, func=sympy.Min, max_args=None, aliases=("min",),
        rule="min", title="Minimum rule", family="minimum",
        formula=Formula("d/dx min(x, c) = step(c − x), taken as 0 at x = c",
                        r"\frac{d}{dx} \min(x, c) = \operatorname{step}(c - x)"),
        derivative=_min_derivative, explanation=_min_explanation,
        value=lambda m, *args: min(args),
    ),
    FunctionEntry(
        name="sigmoid", build=sigmoid, func=sigmoid, 
        rule="sigmoid", title="Sigmoid rule", family="sigmoid",
        formula=Formula("σ′(x) = σ(x)·(1 − σ(x))", r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)"),
        derivative=lambda x: sigmoid(x) * (1 - sigmoid(x)), explanation=_sigmoid_explanation,
        value=_sigmoid_value,
        slope=lambda m, t: _sigmoid_value(m, t) * (1 - _sigmoid_value(m, t)),
        grows_exponentially=True, text_name="σ", latex_name=r"\sigma",
        faulty=(FaultyDerivative("function_derivative_wrong", sigmoid,
                                 "σ′(x) = σ(x)·(1 − σ(x)), not σ(x) itself"),
                FaultyDerivative("function_derivative_wrong", lambda x: sigmoid(x) * (1 + sigmoid(x)),
                                 "σ′(x) = σ(x)·(1 − σ(x)), with a minus sign")),
        network_formula="σ(z) = 1/(1 + e^(−z)), σ′(z) = σ(z)(1 − σ(z))",
        output_slope=lambda a: a * (1 - a),
        activation="sigmoid",
    ),
    FunctionEntry(
        name="relu", special_at_zero=True, build=relu, func=relu, aliases=("ReLU", "Relu"),
        rule="relu", title="ReLU rule", family="ReLU",
        formula=Formula("ReLU′(x) = step(x) = 1 if x > 0, 0 if x < 0 (0 at x = 0 by convention)",
                        r"\operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"),
        derivative=step, explanation=_relu_explanation,
        value=lambda m, t: t if t > 0 else (t - t),
        slope=lambda m, t: (t - t) + (1 if t > 0 else 0),
        text_name="ReLU", latex_name=r"\operatorname{ReLU}",
        network_formula="ReLU(z) = max(0, z), ReLU′(z) = 1 if z > 0 else 0 (0 at z = 0 by convention)",
        activation="relu", exact=True,
    ),
    FunctionEntry(
        name="leaky_relu", build=leaky_relu, func=leaky_relu, special_at_zero=True,
        rule="leaky_relu", title="Leaky ReLU rule", family="leaky ReLU",
        derivative=leaky_relu_slope, explanation=_leaky_relu_explanation,
        value=lambda m, t: t if t > 0 else t * LEAKY_SLOPE,
        slope=lambda m, t: (t - t) + 1 if t > 0 else (t - t) + LEAKY_SLOPE,
        formula=Formula("LeakyReLU′(x) = 1 if x > 0, 0.01 if x ≤ 0",
                        r"\operatorname{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0.01 & x \le 0 \end{cases}"),
        network_formula="LeakyReLU(z) = z if z > 0 else 0.01z, LeakyReLU′(z) = 1 if z > 0 else 0.01",
        text_name="LeakyReLU", latex_name=r"\operatorname{LeakyReLU}",
        activation="leaky_relu", exact=True, parsed=False,
    ),
    FunctionEntry(
        name="leaky_relu_slope", build=leaky_relu_slope, func=leaky_relu_slope, special_at_zero=True,
        value=lambda m, t: (t - t) + 1 if t > 0 else (t - t) + LEAKY_SLOPE,
        text_name="LeakyReLU′", latex_name=r"\operatorname{LeakyReLU}'", parsed=False,
    ),
    FunctionEntry(
        name="softplus", build=softplus, func=softplus, 
        rule="softplus", title="Softplus rule", family="softplus",
        formula=Formula("softplus′(x) = σ(x)", r"\operatorname{softplus}'(x) = \sigma(x)"),
        derivative=sigmoid, explanation=_softplus_explanation,
        value=_softplus_value, slope=_sigmoid_value, grows_exponentially=True,
        latex_name=r"\operatorname{softplus}",
        faulty=(FaultyDerivative("function_derivative_wrong", lambda x: 1 / (1 + sympy.exp(x)),
                                 "softplus′(x) = eˣ/(1 + eˣ) = σ(x), not 1/(1 + eˣ) = σ(−x)"),),
        network_formula="softplus(z) = ln(1 + eᶻ), softplus′(z) = σ(z)",
        activation="softplus",
    ),
    FunctionEntry(
        name="gelu", build=gelu, func=gelu, aliases=("GELU",),
        rule="gelu", title="GELU rule", family="GELU",
        formula=Formula("GELU′(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π)",
                        r"\operatorname{GELU}'(x) = \Phi(x) + x\,\varphi(x),\ "
                        r"\Phi(x) = \tfrac{1}{2}\bigl(1 + \operatorname{erf}(x/\sqrt{2})\bigr),\ "
                        r"\varphi(x) = \frac{e^{-x^{2}/2}}{\sqrt{2\pi}}"),
        derivative=lambda x: ((1 + sympy.erf(x / sympy.sqrt(2))) / 2
                              + x * sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)),
        explanation=_gelu_explanation,
        value=lambda m, t: t * _normal_cdf(m, t),
        slope=lambda m, t: _normal_cdf(m, t) + t * _normal_pdf(m, t),
        text_name="GELU", latex_name=r"\operatorname{GELU}",
        faulty=(FaultyDerivative("function_derivative_wrong",
                                 lambda x: (1 + sympy.erf(x / sympy.sqrt(2))) / 2,
                                 "GELU(x) = x·Φ(x) is a product: GELU′(x) = Φ(x) + x·φ(x), "
                                 "not Φ(x) alone"),),
        network_formula="GELU(z) = z·Φ(z), GELU′(z) = Φ(z) + z·φ(z)",
        activation="gelu",
    ),
    FunctionEntry(
        name="silu", build=silu, func=silu, aliases=("SiLU", "swish"),
        rule="silu", title="SiLU rule", family="SiLU",
        formula=Formula("SiLU′(x) = σ(x)·(1 + x·(1 − σ(x)))",
                        r"\operatorname{SiLU}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)"),
        derivative=lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
        explanation=_silu_explanation,
        value=lambda m, t: t * _sigmoid_value(m, t),
        slope=lambda m, t: _sigmoid_value(m, t) * (1 + t * (1 - _sigmoid_value(m, t))),
        grows_exponentially=True, text_name="SiLU", latex_name=r"\operatorname{SiLU}",
        faulty=(FaultyDerivative("function_derivative_wrong", sigmoid,
                                 "SiLU(x) = x·σ(x) is a product: SiLU′(x) = σ(x) + x·σ′(x), "
                                 "not σ(x) alone"),
                FaultyDerivative("function_derivative_wrong", lambda x: sigmoid(x) * (1 - sigmoid(x)),
                                 "SiLU(x) = x·σ(x), not σ(x): its derivative is σ(x)(1 + x(1 − σ(x))), "
                                 "not σ′(x)")),
        network_formula="SiLU(z) = z·σ(z), SiLU′(z) = σ(z)(1 + z(1 − σ(z)))",
        activation="silu",
    ),
    FunctionEntry(
        name="linear", build=lambda z: z, value=lambda m, t: t, slope=lambda m, t: (t - t) + 1,
        formula=Formula("f(z) = z, f′(z) = 1", "f(z) = z,\\ f'(z) = 1"),
        activation="linear", exact=True, parsed=False,
    ),
    FunctionEntry(
        name="softmax", build=None,
        formula=Formula("softmax(z)ᵢ = e^(zᵢ)/Σⱼe^(zⱼ), ∂aᵢ/∂zⱼ = aᵢ(δᵢⱼ − aⱼ)",
                        r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}},\ "
                        r"\frac{\partial a_i}{\partial z_j} = a_i(\delta_{ij} - a_j)"),
        activation="softmax", parsed=False,
    ),
    _standard("sqrt", domain=lambda x: x >= 0),  # a Pow node: numbers come from the power
    _standard("cbrt"),
    _standard("root", build=_root, min_args=2, max_args=2),
    _standard("DiracDelta", min_args=1, max_args=2, value=_dirac_value),
    _standard("erf", value=lambda m, t: m.erf(t)),
    _standard("erfc", value=lambda m, t: m.erfc(t)),
    _standard("gamma", grows_exponentially=True, value=lambda m, t: m.gamma(t)),
    _standard("polygamma", min_args=2, max_args=2, value=lambda m, n, t: mpmath.psi(n, t)),  # mpmath only
    _standard("factorial", grows_exponentially=True, value=lambda m, t: m.gamma(t + 1)),
    _standard("Piecewise", min_args=1, max_args=None),
)
"""Every function calcgrad knows, one entry each."""

BY_NAME: dict[str, FunctionEntry] = {entry.name: entry for entry in FUNCTION_TABLE}
"""Entries by canonical name."""

BY_FUNC: dict[Any, FunctionEntry] = {entry.func: entry for entry in FUNCTION_TABLE if entry.func is not None}
"""Entries by SymPy class, for the derivative engine, printers and numeric back ends."""

ACTIVATIONS: dict[str, FunctionEntry] = {entry.activation: entry for entry in FUNCTION_TABLE
                                         if entry.activation is not None}
"""Network activations by name, in table order (softmax: output layer only)."""


def entry_for(func) -> FunctionEntry | None:
    """The table entry of a SymPy function class, or None."""
    return BY_FUNC.get(func)


def activation_formula(name: str) -> str:
    """The one-line formula of a network activation, for the network header."""
    entry = ACTIVATIONS[name]
    return entry.network_formula or entry.formula.text


def numeric_functions(module) -> dict[str, Callable]:
    """{SymPy function name: value function} for the entries with a value, in `module` (math or
    mpmath): the namespace numeric back ends give to lambdify."""
    return {entry.func.__name__: _in_module(entry.value, module) for entry in FUNCTION_TABLE
            if entry.func is not None and entry.value is not None}


def _in_module(value: Callable, module) -> Callable:
    return lambda *args: value(module, *args)
