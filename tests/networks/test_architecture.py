"""Architecture, spec files and their validation, and the Network API."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from calcgrad.errors import UsageError
from calcgrad.networks.architecture import architecture, load_spec, parse_key, read_number
from calcgrad.networks.network import Network

EXAMPLE = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
           "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]],
           "biases": [[0.1, 0.1, 0.1], [0.2]], "learning_rate": 0.1}


def test_one_activation_for_all_layers() -> None:
    """One name applies to every layer; a list gives one per layer."""
    assert ("tanh", "tanh") == architecture([2, 3, 1], "tanh").activations
    assert ("relu", "softmax") == architecture([2, 3, 2], ["relu", "softmax"], "ce").activations
    assert ("relu", "sigmoid") == architecture([2, 3, 1], "relu,sigmoid").activations


def test_parameter_keys() -> None:
    """Keys are W<layer>[j,k] and b<layer>[j], layers and indices counted from 1."""
    keys = architecture([2, 3, 1]).parameter_keys()
    assert ["W1[1,1]", "W1[1,2]", "W1[2,1]"] == keys[:3]
    assert "b1[3]" in keys and "W2[1,3]" in keys and "b2[1]" == keys[-1]
    assert 13 == len(keys)


@pytest.mark.parametrize("key, expected", [
    ("W1[3,1]", ("W", 1, 2, 0)), ("b2[1]", ("b", 2, 0, None)), ("w1[1, 2]", ("W", 1, 0, 1)),
    ("W1[2,0]", ("W", 1, 2, 0)), ("b2[0]", ("b", 2, 0, None)), ("w1[0, 1]", ("W", 1, 0, 1)),
], ids=["weight", "bias", "lowercase-spaces", "old-weight", "old-bias", "old-lowercase"])
def test_parse_key(key, expected) -> None:
    """Keys count from 1 and are read into 0-based (kind, layer, row, column); the old 0-based
    form is still read when it has an index 0 (so it cannot be the new form)."""
    assert expected == parse_key(key, architecture([2, 3, 1]))


@pytest.mark.parametrize("key, message", [
    ("W3[1,1]", "layers 1…2"), ("W1[4,1]", r"shape is \(3, 2\) \(rows 1…3, columns 1…2, counted"),
    ("W1[3,0]", r"shape is \(3, 2\)"), ("b1[1,1]", r"one b1\[j\]"), ("x", "expected a parameter"),
], ids=["layer", "row", "old-form-row", "bias-two-indices", "garbage"])
def test_parse_key_errors(key, message) -> None:
    """A key outside the network is refused with the reason."""
    with pytest.raises(UsageError, match=message):
        parse_key(key, architecture([2, 3, 1]))


def test_read_number() -> None:
    """JSON numbers pass through; text goes through calcgrad's parser and must be a number."""
    assert 3 == read_number(3, "f")
    assert Fraction(1, 3) == read_number("1/3", "f")
    assert abs(read_number("sqrt(2)", "f") - 2 ** 0.5) < 1e-15
    for bad, message in [("x + 1", "variables"), (True, "expected a number"), ("2 +", "cannot read"),
                         ([1], "expected a number"), (float("nan"), "finite")]:
        with pytest.raises(UsageError, match=message):
            read_number(bad, "weights[0][0][0]")


BAD_SPECS = [
    ({"layers": [2, 3]}, "weights: missing"),
    ({"target": None}, "target: missing"),
    ({"weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.7, -0.8, 0.9]]]}, r"weights\[0\]: expected a 3×2 matrix"),
    ({"weights": [[[0.1], [0.3, 0.4], [0.5, 0.6]], [[0.7, -0.8, 0.9]]]}, r"weights\[0\]\[0\]: expected 2 numbers"),
    ({"weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]]}, "weights: expected 2 matrices"),
    ({"biases": [[0.1, 0.1], [0.2]]}, r"biases\[0\]: expected a list of 3 numbers"),
    ({"input": [1.0]}, "input: expected a list of 2 numbers"),
    ({"target": [0.5, 1]}, "target: expected a list of 1 numbers"),
    ({"activation": "swish"}, "activation: unknown activation 'swish'"),
    ({"activation": ["softmax", "tanh"]}, "softmax is for the output layer only"),
    ({"activation": ["tanh"] * 3}, "activation: expected one name for all layers or 2 names"),
    ({"loss": "hinge"}, "loss: unknown loss 'hinge'"),
    ({"loss": "ce"}, "ce .* needs a softmax output layer"),
    ({"weights": [[[0.1, "abc"], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]]}, r"weights\[0\]\[0\]\[1\]"),
    ({"weights": [[[0.1, True], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]]}, "expected a number, got true"),
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"layers": [2, 0, 1]}, r"layers\[1\]: expected a whole number ≥ 1"),
    ({"layers": [2]}, "layers: expected a list of at least two widths"),
    ({"freeze_biases": "yes"}, "freeze_biases: expected true or false"),
    ({"colour": "blue"}, "unknown field 'colour'"),
    ({"input": [[1.0, -2.0], [0.0, 1.0]]},
     r"target: input is a batch of 2 rows, so target must be a list of 2 rows of 1 number "
     r"\(e.g. \[\[0\], \[0\]\]\), got a flat list of 1 value$"),
    ({"input": [[1.0, -2.0], [0.0, 1.0]], "target": [0.5, 1]}, "got a flat list of 2 values$"),
    ({"weights": [[[0.1, -0.3, 0.5], [0.2, 0.4, -0.6]], [[0.7, -0.8, 0.9]]]},
     r"weights\[0\]: expected a 3×2 matrix for W1 .*got a 2×3 matrix: this is the transpose of W1"),
    ({"learning_rate": -0.1}, r"learning_rate: expected a positive number .* got -0.1"),
    ({"learning_rate": 0}, "learning_rate: expected a positive number"),
    ({"biases": [[0.1, None, 0.1], [0.2]]}, r"biases\[0\]\[1\]: expected a number, got null$"),
    ({"weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], "W2"]},
     r"weights\[1\]: expected a 1×3 matrix .* got the text 'W2'"),
]


@pytest.mark.parametrize("change, message", BAD_SPECS, ids=[m.split(":")[0][:30] + str(i) for i, (_, m) in enumerate(BAD_SPECS)])
def test_bad_specs(change, message) -> None:
    """Each bad spec names the field and what was expected."""
    spec = {**EXAMPLE, **change}
    spec = {k: v for k, v in spec.items() if v is not None}
    if change.get("layers") == [2, 3]:
        spec = {"layers": [2, 3], "input": [1, 2], "target": [1, 2, 3]}
    with pytest.raises(UsageError, match=message):
        Network.from_spec(spec)


def test_spec_files_json_and_toml(tmp_path) -> None:
    """The same spec reads the same from JSON and TOML files."""
    json_path = tmp_path / "net.json"
    json_path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    toml_path = tmp_path / "net.toml"
    toml_path.write_text(
        'layers = [2, 3, 1]\nactivation = "tanh"\nloss = "half_sse"\ninput = [1.0, -2.0]\n'
        "target = [0.5]\nweights = [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]]\n"
        "biases = [[0.1, 0.1, 0.1], [0.2]]\nlearning_rate = 0.1\n", encoding="utf-8")
    from_json = Network.from_spec(json_path).walkthrough().gradients
    from_toml = Network.from_spec(str(toml_path)).walkthrough().gradients
    assert from_json == from_toml


@pytest.mark.parametrize("content, name, message", [
    ("{", "a.json", "not valid JSON"), ("layers = [", "a.toml", "not valid TOML"),
    ("[1, 2]", "a.json", "expected an object"),
], ids=["json", "toml", "not-object"])
def test_unreadable_spec_files(tmp_path, content, name, message) -> None:
    """Files that are not a spec object are refused with the reason."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_spec(path)


def test_missing_file() -> None:
    """A missing file is a usage error, not a traceback."""
    with pytest.raises(UsageError, match="cannot read"):
        load_spec("/nonexistent/spec.json")


def test_api_forward_backward_step() -> None:
    """forward, backward and step agree with the walkthrough."""
    net = Network.from_spec(EXAMPLE)
    walk = net.walkthrough()
    forward = net.forward()
    assert walk.forward[0][1][1][0] == forward[0][1][1][0]
    assert walk.gradients == net.backward()
    assert walk.updated == net.step()
    assert "Network(layers=[2, 3, 1]" in repr(net)


def test_api_needs_numbers() -> None:
    """A network without numbers explains what the numeric methods need."""
    with pytest.raises(UsageError, match="weights: missing"):
        Network([1, 1, 1]).backward()


def test_render_protocol() -> None:
    """The walkthrough renders in every format and for Jupyter."""
    walk = Network.from_spec(EXAMPLE).walkthrough()
    assert "Forward pass" in walk.plain() and str(walk) == walk.plain()
    assert "| $\\text{parameter}$" in walk.markdown() == walk._repr_markdown_()
    assert "\\begin{array}" in walk.latex() and walk._repr_latex_().startswith("$$")
    from rich.console import Console

    console = Console(width=100, color_system=None, record=True)
    console.print(walk)
    assert "Backward pass" in console.export_text()


@pytest.mark.parametrize("field", ["input", "target", "weights", "learning_rate", "optimizer"])
def test_null_names_the_field(field) -> None:
    """A JSON null is called null (not NoneType) and the message names the field."""
    with pytest.raises(UsageError, match=f"^{field}: got null; give a value"):
        Network.from_spec({**EXAMPLE, field: None})
