"""Hypothesis strategies for expressions, kept in one place."""

from __future__ import annotations

import sympy
from hypothesis import strategies as st

from calcgrad.functions import relu, sigmoid, softplus

x, y = sympy.symbols("x y", real=True)

UNARY = (
    sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot,
    sympy.asin, sympy.acos, sympy.atan, sympy.asec, sympy.acsc, sympy.acot,
    sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth,
    sympy.asinh, sympy.acosh, sympy.atanh, sympy.asech, sympy.acsch, sympy.acoth,
    sympy.exp, sympy.log, sympy.sqrt, sympy.cbrt, sympy.Abs,
    sigmoid, relu, softplus, sympy.erf,
)

constants = st.one_of(
    st.integers(-5, 5).map(sympy.Integer),
    st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-3, 4), sympy.pi, sympy.E]),
)
leaves = st.one_of(st.just(x), st.just(x), st.just(y), constants)


def _extend(children):
    return st.one_of(
        st.builds(lambda f, a: f(a), st.sampled_from(UNARY), children),
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a - b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a, b: a / b, children, children),
        st.builds(lambda a, n: a**n, children, st.integers(-3, 5)),
        st.builds(lambda a, q: a**q, children,
                  st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-1, 2), sympy.Rational(2, 3)])),
        st.builds(lambda b, a: b**a,
                  st.sampled_from([sympy.Integer(2), sympy.Integer(3), sympy.Rational(1, 2)]), children),
        st.builds(lambda a, b: a**b, children, children),
        st.builds(lambda a, b: sympy.log(a, b), children, st.sampled_from([2, 10])),
        st.builds(lambda a, b: sympy.Piecewise((a, x > 0), (b, True)), children, children),
    )


def _modest_numbers(expr) -> bool:
    """No number beyond 100 digits: powers of powers of constants (3**(5**5)) are not calculus."""
    return all(abs(n.p) < 10**100 and n.q < 10**100 for n in expr.atoms(sympy.Rational))


expressions = st.recursive(leaves, _extend, max_leaves=14).filter(_modest_numbers)
"""Expressions over x and y using every rule family, nested to depth four and beyond."""


@st.composite
def deep_expressions(draw, depth: int = 4):
    """Exactly `depth` nested layers, each a function or an operation with a fresh operand."""
    expr = draw(st.sampled_from([x, 2 * x, x**2, x + 1]))
    for _ in range(depth):
        kind = draw(st.integers(0, 3))
        other = draw(st.one_of(st.just(x), constants, st.just(y)))
        if kind == 0:
            expr = draw(st.sampled_from(UNARY))(expr)
        elif kind == 1:
            expr = expr * (other + x)
        elif kind == 2:
            expr = expr / (other**2 + 1)
        else:
            expr = expr**2 + other
    return expr


# --- gradient, Jacobian and Hessian (calcgrad.multivar) ---------------------------------------

z = sympy.Symbol("z", real=True)

multivar_leaves = st.one_of(st.just(x), st.just(y), st.just(z), constants)
multivar_expressions = st.recursive(multivar_leaves, _extend, max_leaves=7).filter(_modest_numbers)
"""Smaller expressions over x, y and z: a Hessian derives each of them n² times."""

function_lists = st.lists(multivar_expressions, min_size=1, max_size=3)
"""The functions of a Jacobian."""


@st.composite
def symmetric_integer_matrices(draw, size: int):
    """A symmetric size×size matrix of small integers: the Hessian of a quadratic form."""
    entries = {}
    for i in range(size):
        for j in range(i, size):
            entries[i, j] = entries[j, i] = draw(st.integers(-4, 4))
    return sympy.Matrix(size, size, lambda i, j: entries[i, j])
