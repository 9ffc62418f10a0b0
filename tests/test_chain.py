"""The symbolic chain rule against sympy.diff of the fully composed loss."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import calcgrad
from calcgrad.chain import MAX_EXPAND_LAYERS, X, Y, activation_expr, loss_expr, scalar_chain
from calcgrad.errors import UsageError
from calcgrad.network import Network, architecture
from tests.strategies import HIDDEN_ACTIVATIONS


def composed_loss(chain):
    """L written out as one expression of x, y and the parameters, built here from scratch."""
    arch = chain.architecture
    params = {c.parameter.name: c.parameter for c in chain.chains}
    value = X
    for l, name in enumerate(arch.activations, start=1):
        value = activation_expr(name, params[f"w^{{({l})}}"] * value + params[f"b^{{({l})}}"])
    return loss_expr(arch.loss, [value], [Y])


def numerically_equal(a, b, symbols, seed=0) -> bool:
    """a and b agree at five random points (away from ReLU kinks, inside bce's domain)."""
    rng = random.Random(seed)
    for _ in range(5):
        point = {s: sympy.Float(rng.uniform(0.2, 0.9) * rng.choice([1, -1])) for s in symbols}
        point[Y] = sympy.Float(rng.uniform(0.1, 0.9))
        u, v = (complex(e.xreplace(point).rewrite(sympy.exp).evalf(30)) for e in (a, b))
        if abs(u - v) > 1e-12 * max(1, abs(u), abs(v)):
            return False
    return True


architectures = st.builds(
    lambda depth, acts, loss: (depth, acts[:depth], loss),
    st.integers(1, 4), st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=4, max_size=4),
    st.sampled_from(["mse", "sse", "half_sse", "bce"]),
)


@settings(max_examples=25, deadline=None)
@given(architectures)
def test_chain_matches_sympy_diff(case) -> None:
    """For every parameter, the product of the chain equals sympy.diff of the composed loss."""
    depth, acts, loss = case
    if loss == "bce":
        acts = acts[:-1] + ["sigmoid"]
    chain = scalar_chain(architecture([1] * (depth + 1), acts, loss), expand=True)
    composed = composed_loss(chain)
    symbols = [c.parameter for c in chain.chains] + [X]
    substitutions = chain.substitutions()
    for parameter_chain in chain.chains:
        expected = sympy.diff(composed, parameter_chain.parameter)
        product = parameter_chain.product.xreplace(substitutions)
        assert numerically_equal(expected.rewrite(sympy.Piecewise), product, symbols), parameter_chain.parameter
        assert numerically_equal(product, parameter_chain.expanded, symbols)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_each_factor_is_the_derivative(activation) -> None:
    """Every factor's result equals sympy.diff of its definition."""
    chain = scalar_chain(architecture([1, 1, 1], activation, "half_sse"))
    for factor in chain.factors:
        expected = sympy.diff(factor.definition, factor.bottom)
        assert numerically_equal(expected, factor.result, list(factor.definition.free_symbols) or [X])


def test_sigmoid_factor_and_notation() -> None:
    """σ′ = σ(1 − σ) appears, with superscript notation in text and ^{(l)} in LaTeX."""
    chain = Network([1, 1, 1, 1], "sigmoid", "mse").chain()
    text = chain.plain()
    assert "∂L/∂w⁽¹⁾ = ∂L/∂a⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂z⁽³⁾/∂a⁽²⁾" in text
    assert "σ(z⁽³⁾)·(1 − σ(z⁽³⁾))" in text
    assert "Sigmoid rule" in text
    latex = chain.latex()
    assert r"\frac{\partial L}{\partial w^{(1)}}" in latex
    assert chain.markdown() == chain._repr_markdown_()
    assert chain._repr_latex_().startswith("$$")


def test_shared_factors_keep_the_work_linear() -> None:
    """Chains share their factor objects: 4L − 1 derivations serve all 2L parameters."""
    depth = 12
    chain = scalar_chain(architecture([1] * (depth + 1), "tanh", "mse"))
    assert 4 * depth == len(chain.factors)
    ids = {id(f) for f in chain.factors}
    assert all(id(f) in ids for c in chain.chains for f in c.factors)
    assert 2 * depth == len(chain.chains)


def test_json_names_parse_back() -> None:
    """JSON math fields use names (w1, z2, a3) that calcgrad.parse reads."""
    data = Network([1, 1, 1], "sigmoid", "half_sse").chain(expand=True).to_dict()
    assert {"definitions", "factors", "chains"} <= set(data)
    assert "w⁽¹⁾" == data["names"]["w1"]
    for entry in data["chains"]:
        calcgrad.parse(entry["product"])
        calcgrad.parse(entry["expanded"])
    assert data["factors"][1]["steps"][0]["rule"] == "sigmoid"


def test_chain_of_one_parameter() -> None:
    """chain_of picks one parameter's chain by its short name."""
    net = Network([1, 1, 1], "sigmoid", "mse")
    chain = net.chain_of("w1")
    assert "w^{(1)}" == chain.parameter.name
    assert 5 == len(chain.factors)
    with pytest.raises(UsageError, match="no parameter 'w9'"):
        net.chain_of("w9")


@pytest.mark.parametrize("widths, kwargs, message", [
    ([2, 1], {}, "one neuron per layer"),
    ([1] * (MAX_EXPAND_LAYERS + 2), {"expand": True}, "--expand"),
], ids=["wide", "expand-too-deep"])
def test_refusals(widths, kwargs, message) -> None:
    """Wide layers and deep expansions are refused with the reason."""
    with pytest.raises(UsageError, match=message):
        scalar_chain(architecture(widths, "sigmoid", "mse"), **kwargs)
