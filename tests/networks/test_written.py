"""The walkthrough written as a lecture writes it: formula = numbers put in = value.

Each written formula is evaluated with its own numbers and compared with the walkthrough's
value; Matt Mazur's published worked example ("A Step by Step Backpropagation Example",
2015) is reproduced to his printed digits.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from rich.console import Console

from calcgrad.networks.network import Network
from calcgrad.networks.written import written_layers
from tests.strategies import network_specs

MAZUR = {
    "layers": [2, 2, 2], "activation": "sigmoid", "loss": "half_sse",
    "input": [0.05, 0.10], "target": [0.01, 0.99],
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
    "learning_rate": 0.5, "freeze_biases": True,   # the post updates the weights only
}
"""w1…w8, b1, b2 of the post: W1 rows are h1 = (w1, w2), h2 = (w3, w4); W2 rows o1 = (w5, w6),
o2 = (w7, w8)."""


def rich_text(result, width: int = 200) -> str:
    """What Rich prints, colour off, at a fixed width."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(result)
    return console.export_text()


def close(a, b, tol=1e-9) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


@settings(max_examples=30, deadline=None)
@given(network_specs(max_depth=3, max_width=3, max_batch=3))
def test_every_written_formula_gives_its_value(spec) -> None:
    """Each δ and gradient formula, evaluated with the numbers it shows, is the walkthrough's value."""
    walk = Network.from_spec(spec).walkthrough(check=False)
    for layer in written_layers(walk):
        for line in layer.deltas + layer.gradients:
            if line.rows:
                assert close(line.evaluated(), float(line.value), 1e-9), (line.key, line.parts)
    text, latex = walk.plain(), walk.latex()
    assert "Piecewise" not in text and "sech" not in text
    assert latex.isascii()


def test_mazur_worked_example() -> None:
    """Mazur's loss, updated weights and δ of o1, to the digits the post prints."""
    walk = Network.from_spec(MAZUR).walkthrough()
    assert round(float(walk.loss), 9) == 0.298371109
    published = {"W2[1,1]": 0.35891648, "W2[1,2]": 0.408666186, "W2[2,1]": 0.511301270,
                 "W2[2,2]": 0.561370121, "W1[1,1]": 0.149780716, "W1[1,2]": 0.19956143,
                 "W1[2,1]": 0.24975114, "W1[2,2]": 0.29950229}
    for key, value in published.items():
        digits = len(str(value).split(".")[1])
        assert round(float(walk.updated[key]), digits) == value, key
    assert round(float(walk.gradients["W2[1,1]"]), 9) == 0.082167041
    assert round(float(walk.deltas[0][1][0]), 9) == 0.138498562


def test_mazur_delta_written_out() -> None:
    """δ⁽²⁾₁ is written as the post writes it: (out − target)·out(1 − out), numbers, value."""
    text = Network.from_spec(MAZUR).walkthrough(precision=4).plain()
    assert ("δ⁽²⁾₁ = (a⁽²⁾₁ − y₁)·a⁽²⁾₁·(1 − a⁽²⁾₁) = (0.7514 − 0.01)·0.7514·(1 − 0.7514) = 0.1385"
            in text)
    assert "∂L/∂w⁽²⁾₁,₁ = δ⁽²⁾₁·a⁽¹⁾₁ = 0.1385·0.5933 = 0.08217" in text
    assert ("δ⁽¹⁾₁ = (w⁽²⁾₁,₁·δ⁽²⁾₁ + w⁽²⁾₂,₁·δ⁽²⁾₂)·a⁽¹⁾₁·(1 − a⁽¹⁾₁) = "
            "(0.4·0.1385 + 0.5·(-0.0381))·0.5933·(1 − 0.5933) = 0.008771" in text)


def test_mazur_param_chain_matches() -> None:
    """--param W1[1,1] on Mazur's network: two paths, summed, equal to the backward pass."""
    form = Network.from_spec(MAZUR).param_chain("W1[1,1]", precision=6)
    assert form.numbers.matches
    text = form.plain()
    assert "sum over the 2 paths" in text
    assert "matches the backward pass ✓" in text
    assert round(float(form.numbers.total), 9) == round(0.000438568, 9)


SIGMOID_BCE = {"layers": [1, 1, 1], "activation": "sigmoid", "loss": "bce", "input": [0.5],
               "target": [1], "weights": [[[0.3]], [[-0.7]]], "biases": [[0.1], [0.2]]}


def test_sigmoid_bce_walkthrough_is_a_minus_y() -> None:
    """Sigmoid with bce: δ⁽ᴸ⁾ is written a − y, with the cancellation said."""
    walk = Network.from_spec(SIGMOID_BCE).walkthrough(precision=4)
    text = walk.plain()
    a2 = walk.forward[0][1][1][0]
    assert f"δ⁽²⁾ = a⁽²⁾ − y = {a2:.4g} − 1 = {a2 - 1:.4g}" in text
    assert "σ′ = a(1 − a) cancels the a(1 − a) under ∂L/∂a" in text


@pytest.mark.parametrize("fmt", ["plain", "markdown", "latex", "rich"])
def test_written_lines_in_every_format(fmt) -> None:
    """Every text format carries the formula, the numbers and the value."""
    walk = Network.from_spec(MAZUR).walkthrough(precision=4)
    text = {"plain": walk.plain, "markdown": walk.markdown, "latex": walk.latex,
            "rich": lambda: rich_text(walk)}[fmt]()
    if fmt in ("latex", "markdown"):
        assert (r"\delta^{(2)}_{1} = \left(a^{(2)}_{1} - y_{1}\right) \cdot a^{(2)}_{1} \cdot "
                r"\left(1 - a^{(2)}_{1}\right) = \left(0.7514 - 0.01\right) \cdot 0.7514 \cdot "
                r"\left(1 - 0.7514\right) = 0.1385") in text
    else:
        assert "(0.7514 − 0.01)·0.7514·(1 − 0.7514) = 0.1385" in text


def test_json_written_out_fields() -> None:
    """JSON carries formula, substituted and value for each δ and gradient, in ASCII numbers."""
    data = json.loads(json.dumps(Network.from_spec(MAZUR).walkthrough(precision=4).to_dict()))
    first = data["deltas_written_out"][0]
    assert {"name", "formula", "substituted", "value", "latex"} <= set(first)
    assert "delta2[1]" == first["name"]
    assert "(0.7514 - 0.01)·0.7514·(1 - 0.7514)" == first["substituted"]
    assert 0.13849856162855698 == pytest.approx(first["value"], abs=1e-15)
    assert "δ⁽²⁾₁·a⁽¹⁾₁" == data["gradients_written_out"]["W2[1,1]"]["formula"]


def test_never_minus_zero() -> None:
    """A dead ReLU gives zero gradients; no format writes −0 or -0, JSON gives 0.0."""
    spec = {"layers": [1, 1, 1], "activation": ["relu", "linear"], "loss": "half_sse",
            "input": [1.0], "target": [0.0], "weights": [[[-1.0]], [[-2.0]]], "biases": [[0.0], [0.5]]}
    walk = Network.from_spec(spec).walkthrough()
    for text in (walk.plain(), walk.markdown(), walk.latex()):
        for bad in (" -0 ", " −0 ", "= -0\n", "= −0\n", "(-0)", "(−0)", " -0\n"):
            assert bad not in text
    data = walk.to_dict()
    assert all(str(v) != "-0.0" for v in data["gradients"].values())
    assert 0.0 == data["gradients"]["W1[1,1]"]
