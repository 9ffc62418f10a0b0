"""Hypothesis strategies for the parser: SymPy expressions to print and read back, and text."""

from __future__ import annotations

import sympy
from hypothesis import strategies as st

from calcgrad.engine.functions import gelu, relu, sigmoid, silu, softplus
from tests.strategies import modest_numbers

x, y, z, w_1, theta = (sympy.Symbol(name, real=True) for name in ("x", "y", "z", "w_1", "theta"))

UNARY = (
    sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot,
    sympy.asin, sympy.acos, sympy.atan, sympy.asec, sympy.acsc, sympy.acot,
    sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth,
    sympy.asinh, sympy.acosh, sympy.atanh, sympy.asech, sympy.acsch, sympy.acoth,
    sympy.exp, sympy.log, sympy.sqrt, sympy.cbrt, sympy.Abs, sympy.sign,
    sympy.DiracDelta, sympy.erf, sympy.erfc, sympy.gamma, sympy.factorial,
    sigmoid, relu, softplus, gelu, silu,
    # SymPy's own Heaviside(a) has H(0) = ½ but prints as Heaviside(a), which calcgrad reads with
    # its kink convention H(0) = 0; so only Heaviside with H(0) written out is generated here.
    lambda a: sympy.Heaviside(a, 0),
    lambda a: sympy.Heaviside(a, 1),
    lambda a: sympy.polygamma(0, a),
)

constants = st.one_of(
    st.integers(-5, 5).map(sympy.Integer),
    st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-3, 4), sympy.pi, sympy.E, sympy.Float(0.25),
                     sympy.Float(2.5e-7), sympy.oo]),
)
leaves = st.one_of(st.sampled_from([x, y, z, w_1, theta]), constants)


def _safe(build):
    """build, or its first SymPy argument when SymPy refuses the combination (Heaviside(asin(2)) …)."""

    def safe(*args):
        try:
            return build(*args)
        except (TypeError, ValueError):
            return next(arg for arg in args if isinstance(arg, sympy.Basic))

    return safe


def _extend(children):
    return st.one_of(
        st.builds(_safe(lambda f, a: f(a)), st.sampled_from(UNARY), children),
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a - b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a, b: a / b, children, children),
        st.builds(lambda a, n: a**n, children, st.integers(-3, 5)),
        st.builds(lambda a, q: a**q, children, st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-2, 3)])),
        st.builds(lambda a, b: a**b, children, children),
        st.builds(lambda a, b: sympy.log(a, b), children, st.sampled_from([2, 10])),
        st.builds(_safe(sympy.Max), children, children),
        st.builds(_safe(lambda a, b, c: sympy.Piecewise((a, x > c), (b, True))), children, children, constants),
        st.builds(_safe(lambda a, b: sympy.Piecewise((a, (x > 0) & (y < 1)), (b, True))), children, children),
    )


expressions = st.recursive(leaves, _extend, max_leaves=10).filter(modest_numbers)
"""SymPy expressions over x, y, z, w_1 and theta using every function the parser reads."""

math_text = st.lists(
    st.sampled_from(list("xyzeπθσ0123456789.+-*/^()[]{}|,_ =<>&√²³⁻₁ ") +
                    ["sin", "cos", "log", "ln", "exp", "sqrt", "pi", "oo", "**", "Piecewise", "True"]),
    max_size=30,
).map("".join)
"""Text made of the parser's own pieces, so that it reaches deep into the grammar."""
