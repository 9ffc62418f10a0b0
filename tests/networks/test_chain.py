"""The symbolic chain rule against sympy.diff of the fully composed loss."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import calcgrad
from calcgrad.networks.chain import MAX_EXPAND_LAYERS, X, Y, activation_expr, loss_expr, scalar_chain
from calcgrad.errors import UsageError
from calcgrad.networks.architecture import architecture
from calcgrad.networks.network import Network
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


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(architectures)
def test_chain_matches_sympy_diff(case) -> None:
    """For every parameter, the product of the chain equals sympy.diff of the composed loss."""
    check_chain_matches_sympy(case)


@settings(max_examples=4, deadline=None)
@given(architectures)
def test_chain_matches_sympy_diff_quick(case) -> None:
    """A few networks (the fast tier): the chain's product equals sympy.diff of the loss."""
    check_chain_matches_sympy(case)


def check_chain_matches_sympy(case) -> None:
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
    """Every factor's result equals sympy.diff of its definition (an activation's slope written
    in its output a, such as a(1 − a), once a = f(z) is put back)."""
    chain = scalar_chain(architecture([1, 1, 1], activation, "half_sse"))
    for factor in chain.factors:
        expected = sympy.diff(factor.definition, factor.bottom)
        result = factor.result.xreplace({factor.top: factor.definition})
        assert numerically_equal(expected, result, list(factor.definition.free_symbols) or [X])
        assert numerically_equal(expected, factor.derivation.result, list(factor.definition.free_symbols) or [X])


def test_sigmoid_factor_and_notation() -> None:
    """σ′ = σ(1 − σ) appears, with superscript notation in text and ^{(l)} in LaTeX."""
    chain = Network([1, 1, 1, 1], "sigmoid", "mse").chain()
    text = chain.plain()
    assert "∂L/∂w⁽¹⁾ = ∂L/∂a⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂z⁽³⁾/∂a⁽²⁾" in text
    assert "σ(z⁽³⁾)·(1 − σ(z⁽³⁾)) = a⁽³⁾·(1 − a⁽³⁾)" in text
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


# --- vector / matrix form ---------------------------------------------------------------------

from calcgrad.networks.chain import matrix_form  # noqa: E402


def _composed_vector_loss(arch):
    """L of x and every parameter, built here from scratch with plain lists."""
    from calcgrad.networks.chain import _entry, _input, _target

    values = [_input(k) for k in range(arch.widths[0])]
    for l in range(1, arch.depth + 1):
        zs = [sum(_entry("w", l, i, k) * values[k] for k in range(arch.widths[l - 1])) + _entry("b", l, i)
              for i in range(arch.widths[l])]
        name = arch.activations[l - 1]
        if name == "softmax":
            total = sum(sympy.exp(z) for z in zs)
            values = [sympy.exp(z) / total for z in zs]
        else:
            values = [activation_expr(name, z) for z in zs]
    return loss_expr(arch.loss, values, [_target(i) for i in range(arch.widths[-1])])


def _agree_at_random_points(a, b, symbols, targets, seed=1) -> bool:
    rng = random.Random(seed)
    for _ in range(4):
        point = {s: sympy.Float(rng.uniform(0.2, 0.9) * rng.choice([1, -1])) for s in symbols}
        weights = [rng.uniform(0.1, 1) for _ in targets]
        point.update({t: sympy.Float(w / sum(weights)) for t, w in zip(targets, weights)})  # Σy = 1
        u, v = (complex(e.xreplace(point).rewrite(sympy.exp).evalf(30)) for e in (a, b))
        if abs(u - v) > 1e-12 * max(1, abs(u), abs(v)):
            return False
    return True


vector_cases = st.tuples(
    st.lists(st.integers(1, 3), min_size=2, max_size=4),
    st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=3, max_size=3),
    st.sampled_from(["mse", "half_sse", "ce", "sse+softmax"]),
    st.data(),
)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(vector_cases)
def test_entry_chain_matches_sympy_diff(case) -> None:
    """The sum over paths equals sympy.diff of the composed loss w.r.t. that entry."""
    widths, hidden, loss, data = case
    depth = len(widths) - 1
    acts = hidden[:depth - 1]
    if loss in ("ce", "sse+softmax"):
        widths[-1] = max(widths[-1], 2)
        acts = acts + ["softmax"]
        loss = "ce" if loss == "ce" else "sse"
    else:
        acts = acts + [hidden[-1]]
    arch = architecture(widths, acts, loss)
    layer = data.draw(st.integers(1, depth))
    j = data.draw(st.integers(0, widths[layer] - 1))
    k = data.draw(st.integers(0, widths[layer - 1] - 1))
    key = data.draw(st.sampled_from([f"W{layer}[{j},{k}]", f"b{layer}[{j}]"]))
    entry = matrix_form(arch, key).entry
    composed = _composed_vector_loss(arch)
    expected = sympy.diff(composed, entry.parameter)
    ours = entry.total.xreplace(_expansion(entry))
    from calcgrad.networks.chain import _target

    symbols = sorted(composed.free_symbols - {_target(i) for i in range(widths[-1])}, key=str)
    assert _agree_at_random_points(expected, ours, symbols, [_target(i) for i in range(widths[-1])])
    paths = 1
    for width in widths[layer + 1:]:
        paths *= width
    assert paths == len(entry.paths) == entry.path_count


def _expansion(entry) -> dict:
    values = {}
    for symbol, definition in entry.definitions[:-1]:
        values[symbol] = definition.xreplace(values)
    return values


def test_shapes_written_out() -> None:
    """The δ recursion for 2,3,1 carries the shapes of every term, as in the issue."""
    form = matrix_form(architecture([2, 3, 1], "sigmoid", "mse"))
    shapes = [line.shapes for line in form.backward]
    assert "(1×1) = (1×1) ⊙ (1×1)" == shapes[0]
    assert "(3×1) = (1×3)ᵀ(1×1) ⊙ (3×1)" == shapes[1]
    assert "(3×2) = (3×1)(2×1)ᵀ" == form.gradients[2].shapes
    text = form.plain()
    assert "δ⁽¹⁾ = (W⁽²⁾)ᵀδ⁽²⁾ ⊙ f′(z⁽¹⁾)" in text and "∂L/∂W⁽¹⁾ = δ⁽¹⁾(a⁽⁰⁾)ᵀ" in text


def test_softmax_cross_entropy_is_prediction_minus_target() -> None:
    """Softmax with cross-entropy: the engine's ∂L/∂z₁ is recognised as a₁ − y₁."""
    form = matrix_form(architecture([2, 3, 3], ["tanh", "softmax"], "ce"))
    factor = form.softmax_ce
    a0, y0 = factor.result.as_ordered_terms()[0], None
    assert "a^{(2)}_{1} - y_1" == str(factor.result)
    assert "ŷ − y" in form.plain()
    assert a0 is not None and y0 is None


def test_entry_line_and_paths_text() -> None:
    """The entry chain states which entry of δ(a)ᵀ it is and lists the paths it sums."""
    text = Network([2, 3, 2, 1], "sigmoid", "mse").matrix_form("W1[3,1]").plain()
    assert "entry (3,1) of ∂L/∂W⁽¹⁾ = δ⁽¹⁾(a⁽⁰⁾)ᵀ is δ⁽¹⁾₃·a⁽⁰⁾₁ = δ⁽¹⁾₃·x₁" in text
    assert "along 2 paths" in text and "path 3 → 2 → 1" in text
    assert text == Network([2, 3, 2, 1], "sigmoid", "mse").matrix_form("W1[2,0]").plain()
    assert "sum over the 2 paths" in text


def test_too_many_paths_are_summarised() -> None:
    """Beyond the path limit the entry refers to the δ recursion instead of listing paths."""
    entry = matrix_form(architecture([1, 2, 8, 8, 2], "tanh", "mse"), "W1[1,1]").entry
    assert 128 == entry.path_count and () == entry.paths
    assert "too many to list" in Network([1, 2, 8, 8, 2], "tanh", "mse").matrix_form("W1[1,1]").plain()


def test_matrix_form_renders_and_json_parses() -> None:
    """Every format renders; JSON math fields read back through calcgrad.parse."""
    form = Network([2, 3, 2], ["relu", "softmax"], "ce").matrix_form("W2[2,1]")
    assert form.markdown() == form._repr_markdown_()
    assert r"\delta^{(1)}" in form.latex() and form._repr_latex_().startswith("$$")
    data = form.to_dict()
    assert {"forward", "backward", "gradients", "softmax_cross_entropy", "entry"} <= set(data)
    for path in data["entry"]["paths"]:
        calcgrad.parse(path["product"])
    calcgrad.parse(data["entry"]["total"])
    from rich.console import Console

    console = Console(width=120, color_system=None, record=True)
    console.print(form)
    assert "One entry" in console.export_text()


def test_too_wide_for_symbols() -> None:
    """Layers wider than the symbolic limit are refused."""
    with pytest.raises(UsageError, match="at most 8 neurons"):
        matrix_form(architecture([2, 9, 1]))


def test_delta_recursion_and_deep_chains() -> None:
    """δ⁽ˡ⁾ reuses δ⁽ˡ⁺¹⁾; beyond the limit chains are written through δ only."""
    text = Network([1, 1, 1, 1], "tanh", "half_sse").chain().plain()
    assert "δ⁽²⁾ = ∂L/∂z⁽²⁾ = δ⁽³⁾ · ∂z⁽³⁾/∂a⁽²⁾ · ∂a⁽²⁾/∂z⁽²⁾" in text
    assert "= δ⁽¹⁾ · ∂z⁽¹⁾/∂w⁽¹⁾ = δ⁽¹⁾ · x" in text
    deep = Network([1] * 13, "tanh", "half_sse").chain().plain()
    assert "each chain is written through δ⁽ˡ⁾" in deep
    assert "∂L/∂w⁽¹⁾ = δ⁽¹⁾ · ∂z⁽¹⁾/∂w⁽¹⁾ = δ⁽¹⁾ · x" in deep


def test_latex_is_plain_ascii() -> None:
    """LaTeX output writes z⁽¹⁾, δ, ⊙, 10⁻⁶ … as LaTeX, leaving no Unicode math behind."""
    spec = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
            "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]]}
    results = [Network.from_spec(spec).walkthrough(), Network([1, 1, 1], "relu", "mse").chain(),
               Network([2, 3, 2], ["tanh", "softmax"], "ce").matrix_form("W1[1,2]")]
    for result in results:
        for latex in (result.latex(), result._repr_latex_()):
            assert latex.isascii(), sorted({c for c in latex if not c.isascii()})


def test_deep_json_is_written_through_delta() -> None:
    """Past MAX_FULL_CHAIN_LAYERS the JSON writes each chain as δ⁽ˡ⁾ times its last factor, as
    the text does, and the δ recursion once: its size grows linearly with depth (issue 13)."""
    import json

    from calcgrad import limits

    depth = limits.MAX_FULL_CHAIN_LAYERS + 2
    data = Network([1] * (depth + 1), "sigmoid", "mse").chain().to_dict()
    assert "through delta" == data["written"]
    assert [depth, depth - 1] == [d["layer"] for d in data["deltas"][:2]]
    assert data["deltas"][1]["product"].startswith(f"delta{depth}*(")
    first = data["chains"][-2]  # w1
    assert "w1" == first["parameter"] and "delta1*(x)" == first["through_delta"]
    assert 1 == len(first["factors"]) and "product" not in first
    for entry in data["deltas"]:
        calcgrad.parse(entry["product"])
    sizes = {n: len(json.dumps(Network([1] * (n + 1), "sigmoid", "mse").chain().to_dict()))
             for n in (20, 40)}
    assert sizes[40] / sizes[20] <= 2.1, sizes
    shallow = Network([1, 1, 1], "sigmoid", "mse").chain().to_dict()
    assert "in full" == shallow["written"] and 3 == len(shallow["chains"][0]["factors"])
    assert "delta2*(a1)" == shallow["chains"][0]["through_delta"]


def test_depth_limit_is_1000() -> None:
    from calcgrad import limits
    from calcgrad.errors import UsageError

    assert 1000 == limits.MAX_NETWORK_LAYERS
    with pytest.raises(UsageError, match="at most 1000 layers, got 1001"):
        Network([1] * 1002)


def test_brief_detail_fits_in_about_60_lines() -> None:
    """--detail brief (renderer side): a 3-layer chain without step trees, in under 60 lines."""
    from calcgrad.render.network import chain_plain, matrix_plain

    chain = Network([1, 1, 1, 1], "sigmoid", "mse").chain()
    brief, normal = chain_plain(chain, detail="brief"), chain_plain(chain)
    assert len(brief.splitlines()) <= 60 < len(normal.splitlines())
    assert "Sigmoid rule" not in brief and "Sigmoid rule" in normal
    assert "∂a⁽³⁾/∂z⁽³⁾ = ∂/∂z⁽³⁾ (σ(z⁽³⁾)) = σ(z⁽³⁾)·(1 − σ(z⁽³⁾)) = a⁽³⁾·(1 − a⁽³⁾)" in brief
    assert "Sum rule" not in matrix_plain(Network([2, 2, 1]).matrix_form(), detail="brief")
    with pytest.raises(ValueError, match="detail must be one of"):
        chain_plain(chain, detail="short")


def test_leaky_relu_by_name_never_piecewise() -> None:
    """Leaky ReLU prints by name with its slope in every format, never a raw Piecewise."""
    chain = Network([1, 1, 1], "leaky_relu,tanh", "mse").chain()
    for text in (chain.plain(), chain.markdown(), chain.latex()):
        assert "Piecewise" not in text
    assert "a⁽¹⁾ = LeakyReLU(z⁽¹⁾)" in chain.plain()
    assert "∂a⁽¹⁾/∂z⁽¹⁾ = ∂/∂z⁽¹⁾ (LeakyReLU(z⁽¹⁾)) = LeakyReLU′(z⁽¹⁾)" in chain.plain()
    assert "slope LeakyReLU′(z⁽¹⁾) is 1 for z⁽¹⁾ > 0 and 0.01 for z⁽¹⁾ ≤ 0" in chain.plain()
    assert r"\operatorname{LeakyReLU}'" in chain.latex()


def test_tanh_slope_is_one_minus_tanh_squared_with_layer_labels() -> None:
    """tanh′ is 1 − tanh²(z) in the chain (sech² nowhere), labelled by layer when activations differ."""
    chain = Network([1, 1, 1], "tanh,sigmoid", "mse").chain()
    text = chain.plain()
    assert "sech" not in text
    assert ("layer 1 (tanh): ∂a⁽¹⁾/∂z⁽¹⁾ = ∂/∂z⁽¹⁾ (tanh(z⁽¹⁾)) = 1 − tanh²(z⁽¹⁾) = 1 − a⁽¹⁾²" in text)
    assert "layer 2 (sigmoid): ∂a⁽²⁾/∂z⁽²⁾" in text
    form = Network([2, 2, 1], "tanh,sigmoid", "bce").matrix_form()
    text = form.plain()
    assert "layer 1 (tanh): f′(z) = d/dz tanh(z) = 1 − tanh²(z) = 1 − a² with a = f(z)" in text
    assert "layer 2 (sigmoid): f′(z) = d/dz σ(z)" in text
    assert "δ⁽²⁾ = ∂L/∂z⁽²⁾ = ŷ − y = a⁽²⁾ − y" in text
    assert "sech" not in text


def test_sigmoid_bce_chain_cancels_to_a_minus_y() -> None:
    """σ + BCE: δ⁽ᴸ⁾ is written ∂L/∂a · σ′ = … = a − y, the cancellation said in words."""
    chain = Network([1, 1, 1], "sigmoid", "bce").chain()
    assert "a^{(2)} - y" == str(chain.output_delta)
    text = chain.plain()
    assert ("δ⁽²⁾ = ∂L/∂z⁽²⁾ = ∂L/∂a⁽²⁾ · ∂a⁽²⁾/∂z⁽²⁾ = ((a⁽²⁾ − y)/(a⁽²⁾·(1 − a⁽²⁾))) · "
            "a⁽²⁾·(1 − a⁽²⁾) = a⁽²⁾ − y") in text
    assert "σ′ = a(1 − a) cancels the a(1 − a) under ∂L/∂a" in text
    assert chain.to_dict()["output_delta"] == "a2 - y"
    assert Network([1, 1, 1], "sigmoid", "mse").chain().output_delta is None
