"""Hypothesis strategies for expressions, kept in one place."""

from __future__ import annotations

import sympy
from hypothesis import strategies as st

from calcgrad.limits import log10_bound
from calcgrad.engine.functions import gelu, relu, sigmoid, silu, softplus

x, y = sympy.symbols("x y", real=True)

UNARY = (
    sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot,
    sympy.asin, sympy.acos, sympy.atan, sympy.asec, sympy.acsc, sympy.acot,
    sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth,
    sympy.asinh, sympy.acosh, sympy.atanh, sympy.asech, sympy.acsch, sympy.acoth,
    sympy.exp, sympy.log, sympy.sqrt, sympy.cbrt, sympy.Abs,
    sigmoid, relu, softplus, gelu, silu, sympy.erf,
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
        st.builds(_power,
                  st.sampled_from([sympy.Integer(2), sympy.Integer(3), sympy.Rational(1, 2)]), children),
        st.builds(_power, children, children),
        st.builds(lambda a, b: sympy.log(a, b), children, st.sampled_from([2, 10])),
        st.builds(lambda a, b: sympy.Piecewise((a, x > 0), (b, True)), children, children),
    )


def _power(base, exponent):
    """base**exponent, or the base alone when both are numbers and the power would be huge:
    SymPy computes 2**(3**3125) exactly while building it, before any filter could drop it."""
    if base.is_number and exponent.is_number and log10_bound(sympy.Pow(base, exponent,
                                                                          evaluate=False)) > 100:
        return base
    return base**exponent


def modest_numbers(expr) -> bool:
    """No number beyond 100 digits: powers of powers of constants (3**(5**5)) are not calculus."""
    return all(abs(n.p) < 10**100 and n.q < 10**100 for n in expr.atoms(sympy.Rational))


expressions = st.recursive(leaves, _extend, max_leaves=14).filter(modest_numbers)
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


# --- first principles and gradient descent (calcgrad.calculus.first_principles, calcgrad.calculus.descent) ------

small_integers = st.integers(-6, 6)
nonzero_integers = small_integers.filter(lambda n: n != 0)


@st.composite
def polynomials(draw, max_degree: int = 5, symbol=x):
    """A polynomial in `symbol` with small integer coefficients (y may appear in one of them)."""
    coefficients = draw(st.lists(small_integers, min_size=1, max_size=max_degree + 1))
    polynomial = sum(c * symbol**k for k, c in enumerate(coefficients))
    if draw(st.booleans()):
        polynomial += draw(nonzero_integers) * y * symbol
    return sympy.sympify(polynomial)


@st.composite
def rational_functions(draw):
    """P(x)/Q(x) with Q depending on x."""
    numerator = draw(polynomials(max_degree=3))
    denominator = draw(polynomials(max_degree=3).filter(lambda q: sympy.degree(q, x) >= 1))
    return numerator / denominator


@st.composite
def square_roots(draw):
    """c·√P(x) with P depending on x."""
    radicand = draw(polynomials(max_degree=3).filter(lambda p: sympy.degree(p, x) >= 1))
    return draw(nonzero_integers) * sympy.sqrt(radicand)


@st.composite
def standard_limit_sums(draw):
    """A polynomial plus c·F(kx + b) terms, F one of exp, sin, cos."""
    expr = draw(polynomials(max_degree=3))
    for _ in range(draw(st.integers(1, 3))):
        function = draw(st.sampled_from([sympy.exp, sympy.sin, sympy.cos]))
        k = draw(st.sampled_from([1, 1, 2, -3, sympy.Rational(1, 2)]))
        b = draw(st.sampled_from([0, 0, 1, -2]))
        expr += draw(nonzero_integers) * function(k * x + b)
    return expr


# --- plotting (calcgrad/plotting.py) ---------------------------------------------------------

one_variable_expressions = expressions.map(lambda e: e.subs(y, sympy.Rational(3, 2)))
"""Expressions of every rule family in x alone (y fixed at 3/2), as a one-variable plot needs."""

plot_points = st.sampled_from([sympy.Rational(-3, 2), sympy.Rational(-1, 2), sympy.Rational(1, 3),
                               sympy.Integer(1), sympy.Rational(5, 4), sympy.Integer(2)])
"""Points for tangents: away from 0, where many of the functions above have a kink or a pole."""


# --- gradient, Jacobian and Hessian (calcgrad.calculus.multivar) ---------------------------------------

z = sympy.Symbol("z", real=True)

multivar_leaves = st.one_of(st.just(x), st.just(y), st.just(z), constants)
multivar_expressions = st.recursive(multivar_leaves, _extend, max_leaves=7).filter(modest_numbers)
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


# --- networks (calcgrad.networks.architecture, calcgrad.networks.backprop) ------------------------------------------

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu", "silu", "linear")
_LOSS_OUTPUTS = {
    "mse": HIDDEN_ACTIVATIONS, "sse": HIDDEN_ACTIVATIONS, "half_sse": HIDDEN_ACTIVATIONS,
    "bce": ("sigmoid",), "ce": ("softmax",),
}
_weights = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def network_specs(draw, max_depth: int = 3, max_width: int = 3, max_batch: int = 3):
    """A random, valid network spec dict: depth, widths, activations, loss, numbers, batch."""
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth + 1)]
    loss = draw(st.sampled_from(sorted(_LOSS_OUTPUTS)))
    if loss == "ce":
        widths[-1] = max(widths[-1], 2)
    hidden = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in range(depth - 1)]
    activations = hidden + [draw(st.sampled_from(_LOSS_OUTPUTS[loss]))]
    weights = [[[draw(_weights) for _ in range(widths[l])] for _ in range(widths[l + 1])]
               for l in range(depth)]
    biases = [[draw(_weights) for _ in range(widths[l + 1])] for l in range(depth)]
    batch = draw(st.integers(1, max_batch))
    inputs = [[draw(_weights) for _ in range(widths[0])] for _ in range(batch)]
    targets = []
    for _ in range(batch):
        if loss == "ce":
            hot = draw(st.integers(0, widths[-1] - 1))
            targets.append([1.0 if i == hot else 0.0 for i in range(widths[-1])])
        elif loss == "bce":
            targets.append([draw(st.sampled_from([0.0, 1.0, 0.25])) for _ in range(widths[-1])])
        else:
            targets.append([draw(_weights) for _ in range(widths[-1])])
    return {"layers": widths, "activation": activations, "loss": loss,
            "input": inputs if batch > 1 or draw(st.booleans()) else inputs[0],
            "target": targets if batch > 1 else targets[0],
            "weights": weights, "biases": biases,
            "learning_rate": draw(st.sampled_from([0.1, 0.5, 0.01])),
            "freeze_biases": draw(st.booleans())}
