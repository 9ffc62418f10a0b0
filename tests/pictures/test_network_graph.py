"""The network as a computation graph: shape from the architecture, values from the walkthrough."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad import UsageError, plot_network
from calcgrad.cli import main
from calcgrad.networks.network import Network
from calcgrad.pictures.network_graph import _short

SPEC = Path(__file__).resolve().parents[2] / "examples" / "network_2_3_1.json"

BATCH_SPEC = {
    "layers": [3, 2, 2], "activation": ["relu", "sigmoid"], "loss": "mse",
    "input": [[1, 0, -1], [0.5, 2, 1]], "target": [[0, 1], [1, 0]],
    "weights": [[[0.2, -0.1, 0.4], [0.3, 0.3, -0.2]], [[0.5, -0.6], [-0.4, 0.8]]],
    "biases": [[0.1, -0.1], [0, 0.2]], "learning_rate": 0.5,
}


def texts(figure) -> dict:
    return {t.get_gid(): t.get_text() for axes in figure.axes for t in axes.texts if t.get_gid()}


def nodes(figure) -> list:
    return [p for axes in figure.axes for p in axes.patches if (p.get_gid() or "").startswith("node")]


def edges(figure) -> dict:
    return {line.get_gid(): line for axes in figure.axes for line in axes.get_lines() if line.get_gid()}


@pytest.mark.parametrize("source", [SPEC, BATCH_SPEC], ids=["2-3-1", "3-2-2-batch"])
def test_graph_has_the_architecture_and_the_computed_values(source) -> None:
    network = Network.from_spec(source)
    walkthrough = network.walkthrough()
    widths = walkthrough.architecture.widths
    figure = plot_network(walkthrough)

    assert sum(widths) == len(nodes(figure))
    weight_keys = {k for k in walkthrough.gradients if k.startswith("W")}
    assert sum(widths[i] * widths[i - 1] for i in range(1, len(widths))) == len(edges(figure))
    assert weight_keys == set(edges(figure))

    labels = texts(figure)
    for key in weight_keys:
        assert _short(walkthrough.gradients[key]) == labels[f"∂L/∂{key}"]
    for j, value in enumerate(walkthrough.inputs[0]):
        assert f"= {_short(value)}" in labels[f"a0[{j}]"]
    for layer in range(1, len(widths)):
        _, a = walkthrough.forward[0][layer - 1]
        for j in range(widths[layer]):
            lines = labels[f"a{layer}[{j}]"].split("\n")
            assert f"a = {_short(a[j])}" == lines[0]
            assert f"δ = {_short(walkthrough.deltas[0][layer - 1][j])}" == lines[1]
            assert f"∂L/∂b = {_short(walkthrough.gradients[f'b{layer}[{j + 1}]'])}" == lines[2]
    assert f"L = {_short(walkthrough.loss)}" in labels["loss"]


def test_edge_width_grows_with_the_gradient() -> None:
    walkthrough = Network.from_spec(SPEC).walkthrough()
    drawn = edges(plot_network(walkthrough))
    by_size = sorted(drawn, key=lambda key: abs(walkthrough.gradients[key]))
    widths = [drawn[key].get_linewidth() for key in by_size]
    assert widths == sorted(widths)
    assert widths[0] < widths[-1]


def test_network_is_worked_when_given_unworked() -> None:
    network = Network.from_spec(SPEC)
    assert texts(plot_network(network)) == texts(plot_network(network.walkthrough()))


def test_exact_values_are_shown_as_fractions() -> None:
    spec = {"layers": [1, 1], "activation": "linear", "loss": "half_sse", "input": [1],
            "target": [0], "weights": [[[0.5]]], "biases": [[0]], "learning_rate": 0.1}
    labels = texts(plot_network(Network.from_spec(spec).walkthrough(exact=True)))
    assert "a = 1/2" == labels["a1[0]"].split("\n")[0]


def test_too_large_or_wrong_objects_are_refused() -> None:
    with pytest.raises(UsageError, match="at most"):
        plot_network(Network.from_spec({**BATCH_SPEC, "layers": [3, 11, 2],
                                        "weights": [[[0.1] * 3] * 11, [[0.1] * 11] * 2],
                                        "biases": [[0] * 11, [0, 0]]}))
    with pytest.raises(UsageError, match="Network"):
        plot_network("x^2")


def test_cli_graph_writes_valid_svg(tmp_path) -> None:
    out = tmp_path / "network.svg"
    result = CliRunner().invoke(main, ["network", str(SPEC), "--graph", str(out), "--format", "json"])
    assert 0 == result.exit_code, result.output
    assert result.stdout.lstrip().startswith("{")
    assert f"wrote {out}" in result.stderr
    root = ElementTree.parse(out).getroot()
    assert "{http://www.w3.org/2000/svg}svg" == root.tag
    assert root.find(".//{http://www.w3.org/2000/svg}g[@id='W2[1,2]']") is not None


@pytest.mark.parametrize("args, expected", [
    (["--layers", "2", "--graph", "g.svg"], "spec file"),
    ([str(SPEC), "--graph", "g.txt"], "picture format"),
])
def test_cli_graph_errors(args, expected) -> None:
    result = CliRunner().invoke(main, ["network", *args])
    assert 2 == result.exit_code, result.output
    assert expected in result.stderr


def test_cli_graph_without_matplotlib(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = CliRunner().invoke(main, ["network", str(SPEC), "--graph", "g.svg"])
    assert 1 == result.exit_code, result.output
    assert 'pip install "calcgrad[plot]"' in result.stderr
    assert 0 == CliRunner().invoke(main, ["network", str(SPEC)]).exit_code
