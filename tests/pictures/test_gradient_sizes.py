"""The gradient-size picture: one log-scale line per norm, and the loss curve with --epochs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from calcgrad.cli import main
from calcgrad.errors import UsageError
from calcgrad.networks.architecture import architecture
from calcgrad.networks.initial import starting_spec
from calcgrad.networks.network import Network
from calcgrad.pictures.gradient_sizes import plot_gradient_sizes

pytest.importorskip("matplotlib")

DEEP = starting_spec(architecture([4] * 6 + [1], "sigmoid", "mse"), "xavier", 1)


def test_sizes_on_log_scale_and_loss_curve() -> None:
    result = Network.from_spec(DEEP).walkthrough(epochs=5)
    figure = plot_gradient_sizes(result)
    sizes, loss = figure.axes
    assert "log" == sizes.get_yscale()
    weight_line = sizes.get_lines()[0]
    assert [s.weight_gradient for s in result.gradient_sizes] == list(weight_line.get_ydata())
    assert list(map(float, result.epoch_losses)) + [float(result.final_loss)] == list(loss.get_lines()[0].get_ydata())


def test_one_panel_without_epochs() -> None:
    assert 1 == len(plot_gradient_sizes(Network.from_spec(DEEP).walkthrough()).axes)
    with pytest.raises(UsageError, match="expected a Walkthrough"):
        plot_gradient_sizes(Network([1, 1]))


def test_cli_plot(tmp_path) -> None:
    spec = tmp_path / "deep.json"
    spec.write_text(json.dumps(DEEP), encoding="utf-8")
    out = tmp_path / "sizes.svg"
    result = CliRunner().invoke(main, ["network", str(spec), "--epochs", "3", "--plot", str(out)])
    assert 0 == result.exit_code, result.output
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    bad = CliRunner().invoke(main, ["network", "--layers", "3", "--plot", str(out)])
    assert 2 == bad.exit_code and "--plot draws a network with numbers" in bad.stderr
