"""`calcgrad network` through click's CliRunner: each mode, and bad specs exiting with 2."""

from __future__ import annotations

import json
import pathlib

import pytest
from click.testing import CliRunner

from calcgrad.cli import main

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "network_2_3_1.json"


def run(*args: str):
    return CliRunner().invoke(main, ["network", *args])


def test_walkthrough_plain() -> None:
    """The example spec prints forward pass, loss, backward pass and the update."""
    result = run(str(EXAMPLE))
    assert 0 == result.exit_code, result.output
    for heading in ("Forward pass", "Loss", "Backward pass", "gradient-descent step"):
        assert heading in result.stdout
    assert "L = 0.0837469903" in result.stdout
    assert "W1[1,1]" in result.stdout and "ok" in result.stdout


def test_walkthrough_json() -> None:
    """--format json has loss, forward, gradients, updated and gradient_check."""
    result = run(str(EXAMPLE), "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert 0.08374699033422373 == data["loss"]  # the float itself, not 9 digits of it
    assert [1, 2] == [layer["layer"] for layer in data["forward"]]
    assert 0.0476983114 == pytest.approx(data["gradients"]["W1[1,1]"], rel=1e-9)
    assert data["gradient_check"]["b2[1]"]["ok"]
    assert 13 == len(data["updated"])


@pytest.mark.parametrize("fmt, marker", [("markdown", "### Forward pass"), ("latex", r"\begin{array}"),
                                         ("rich", "Forward pass")])
def test_walkthrough_formats(fmt, marker) -> None:
    """Every output format renders."""
    result = run(str(EXAMPLE), "--format", fmt)
    assert 0 == result.exit_code, result.output
    assert marker in result.stdout


def test_epochs_and_precision() -> None:
    """--epochs lists the loss per epoch; --precision sets the digits."""
    result = run(str(EXAMPLE), "--epochs", "5", "--precision", "4")
    assert 0 == result.exit_code, result.output
    assert "Loss per epoch (5 gradient-descent steps)" in result.stdout
    assert "0.08375" in result.stdout


def test_exact(tmp_path) -> None:
    """--exact prints rationals for an exact spec."""
    spec = {"layers": [1, 1], "activation": "linear", "loss": "half_sse", "input": [1],
            "target": ["1/2"], "weights": [[[2]]], "learning_rate": "1/3"}
    path = tmp_path / "exact.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = run(str(path), "--exact", "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert "9/8" == data["loss"]
    assert "3/2" == data["gradients"]["W1[1,1]"]
    assert "3/2" == data["updated"]["W1[1,1]"]


@pytest.mark.parametrize("change, message", [
    ({"weights": [[[0.1, 0.2]], [[0.7, -0.8, 0.9]]]}, "weights[0]: expected a 3×2 matrix"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"weights": [[[0.1, "x"], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]]}, "weights[0][0][1]"),
    ({"activation": ["softmax", "tanh"]}, "softmax is for the output layer only"),
    ({"target": None}, "target: missing"),
    ({"learning_rate": -0.5}, "learning_rate: expected a positive number"),
    ({"weights": [[[0.1, -0.3, 0.5], [0.2, 0.4, -0.6]], [[0.7, -0.8, 0.9]]]}, "the transpose of W1"),
    ({"input": [[1, 2], [3, 4]], "target": [0, 1]}, "input is a batch of 2 rows, so target must be"),
    ({"biases": [[0, None, 0], [1]]}, "biases[0][1]: expected a number, got null"),
], ids=["shape", "activation", "loss", "non-numeric", "softmax-hidden", "missing-target",
        "negative-rate", "transposed", "flat-target", "null"])
def test_bad_spec_exits_2(tmp_path, change, message) -> None:
    """A bad spec prints what was wrong and exits with status 2, never a traceback."""
    spec = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    spec.update(change)
    spec = {k: v for k, v in spec.items() if v is not None}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = run(str(path))
    assert 2 == result.exit_code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exits_2() -> None:
    """A spec file that does not exist is a usage error."""
    result = run("/nonexistent/spec.json")
    assert 2 == result.exit_code
    assert "cannot read" in result.stderr


def test_bad_epochs_exits_2() -> None:
    """--epochs 0 is refused."""
    result = run(str(EXAMPLE), "--epochs", "0")
    assert 2 == result.exit_code
    assert "epochs" in result.stderr


def test_help_has_examples() -> None:
    """--help shows examples."""
    result = run("--help")
    assert 0 == result.exit_code
    assert "calcgrad network examples/network_2_3_1.json" in result.stdout


# --- symbolic chain ---------------------------------------------------------------------------


def test_symbolic_chain() -> None:
    """--layers 3 prints forward definitions, each factor's derivation and every chain."""
    result = run("--layers", "3", "--activation", "sigmoid", "--loss", "mse")
    assert 0 == result.exit_code, result.output
    assert "Forward definitions" in result.stdout
    assert "a⁽¹⁾ = σ(z⁽¹⁾)" in result.stdout
    assert "∂a⁽³⁾/∂z⁽³⁾ = ∂/∂z⁽³⁾ (σ(z⁽³⁾)) = σ(z⁽³⁾)·(1 − σ(z⁽³⁾))" in result.stdout
    for name in ("w⁽¹⁾", "b⁽¹⁾", "w⁽²⁾", "b⁽²⁾", "w⁽³⁾", "b⁽³⁾"):
        assert f"∂L/∂{name} = ∂L/∂a⁽³⁾" in result.stdout


def test_symbolic_expand_and_json() -> None:
    """--expand substitutes down to x; JSON carries the chains."""
    result = run("--layers", "2", "--expand", "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert 4 == len(data["chains"])
    assert "x" in data["chains"][0]["expanded"] and "z2" not in data["chains"][0]["expanded"]


def test_symbolic_latex() -> None:
    """LaTeX uses ^{(l)} superscripts."""
    result = run("--layers", "2", "--activation", "tanh", "--format", "latex")
    assert 0 == result.exit_code, result.output
    assert r"\frac{\partial L}{\partial w^{(1)}}" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--layers", "0"], "--layers"),
    (["--layers", "2", "--activation", "swish"], "unknown activation 'swish'"),
    (["--layers", "2", "--loss", "ce"], "softmax output layer"),
    (["--layers", "20", "--expand"], "--expand"),
    ([str(EXAMPLE), "--layers", "2"], "spec file sets the architecture"),
    ([], "give a spec file"),
], ids=["zero-layers", "activation", "ce-one-neuron", "expand-deep", "spec-and-layers", "nothing"])
def test_symbolic_errors_exit_2(args, message) -> None:
    """Bad symbolic requests exit with status 2 and say why."""
    result = run(*args)
    assert 2 == result.exit_code
    assert message in result.stderr


# --- vector / matrix form ---------------------------------------------------------------------


def test_widths_matrix_form() -> None:
    """--widths 2,3,1 prints the δ recursion with shapes."""
    result = run("--widths", "2,3,1", "--activation", "tanh")
    assert 0 == result.exit_code, result.output
    assert "(3×1) = (1×3)ᵀ(1×1) ⊙ (3×1)" in result.stdout
    assert "∂L/∂W⁽¹⁾ = δ⁽¹⁾(a⁽⁰⁾)ᵀ" in result.stdout


def test_param_entry_chain() -> None:
    """--param gives one entry's scalar chain and the sum over its paths."""
    result = run("--widths", "2,3,2,1", "--param", "W1[3,1]")
    assert 0 == result.exit_code, result.output
    assert "entry (3,1) of ∂L/∂W⁽¹⁾" in result.stdout
    assert "sum over the 2 paths" in result.stdout


def test_softmax_ce_cli() -> None:
    """Softmax with cross-entropy shows ŷ − y; JSON carries the entry."""
    result = run("--widths", "2,3,3", "--activation", "relu,softmax", "--loss", "ce",
                 "--param", "b2[1]", "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert "a_2i1 - y_1" == data["softmax_cross_entropy"]["result"]
    assert "b2[1]" == data["entry"]["parameter"]


def test_param_with_layers() -> None:
    """--param also works with --layers (a single path)."""
    result = run("--layers", "2", "--param", "w1[1,1]")
    assert 0 == result.exit_code, result.output
    assert "∂L/∂w⁽¹⁾₁,₁ = ∂L/∂a⁽²⁾₁" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--widths", "2,3,1", "--param", "W3[1,1]"], "layers 1…2"),
    (["--widths", "2,x,1"], "layers: expected whole numbers"),
    (["--widths", "2,9,1"], "at most 8 neurons"),
    (["--widths", "2,3,1", "--expand"], "--expand is for"),
    (["--widths", "2,3,1", "--layers", "2"], "either --layers"),
    ([str(EXAMPLE), "--param", "W1[1,1]", "--activation", "relu"], "spec file sets"),
    ([str(EXAMPLE), "--param", "W3[1,1]"], "layers 1…2"),
    ([str(EXAMPLE), "--param", "W1[1,1]", "--epochs", "3"], "leave out --graph"),
], ids=["param-layer", "widths-text", "too-wide", "expand-wide", "both", "spec-activation",
        "spec-param-layer", "spec-param-epochs"])
def test_matrix_errors_exit_2(args, message) -> None:
    """Bad vector-form requests exit with status 2 and say why."""
    result = run(*args)
    assert 2 == result.exit_code
    assert message in result.stderr


def test_saturated_bce_is_not_a_crash(tmp_path) -> None:
    """tanh → sigmoid with W2 = [[70, 80, 90]], b2 = [50], target 0: a finite loss and a note."""
    spec = {"layers": [2, 3, 1], "activation": ["tanh", "sigmoid"], "loss": "bce",
            "input": [1, 2], "target": [0], "learning_rate": 0.5,
            "weights": [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[70, 80, 90]]], "biases": [[0, 0, 0], [50]]}
    path = tmp_path / "saturated.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = run(str(path))
    assert 0 == result.exit_code, result.output
    assert "L = 230.574939" in result.stdout and "is saturated" in result.stdout


# --- network init ---------------------------------------------------------------------------------

INIT = ["init", "--widths", "2,3,1", "--activation", "tanh", "--loss", "mse", "--init", "xavier",
        "--seed", "7"]


def test_init_writes_a_spec_that_loads_back(tmp_path) -> None:
    """The issue's command: seeded, reproducible, and `calcgrad network spec.json` reads it."""
    first, second = run(*INIT), run(*INIT)
    assert 0 == first.exit_code, first.output
    assert first.stdout == second.stdout
    spec = json.loads(first.stdout)
    assert [2, 3, 1] == spec["layers"] and "tanh" == spec["activation"] and "mse" == spec["loss"]
    assert 2 == len(spec["input"]) and 1 == len(spec["target"])
    assert all(abs(v) <= (6 / 5) ** 0.5 for row in spec["weights"][0] for v in row)  # √(6/(2+3))
    path = tmp_path / "spec.json"
    path.write_text(first.stdout, encoding="utf-8")
    walked = run(str(path))
    assert 0 == walked.exit_code and "Forward pass" in walked.stdout
    assert run(*INIT[:-1], "8").stdout != first.stdout


def test_init_given_input_target_and_batch() -> None:
    result = run("init", "--widths", "2,2", "--activation", "softmax", "--loss", "ce",
                 "--input", "1,2;3,4", "--target", "1,0;0,1", "--init", "he")
    spec = json.loads(result.stdout)
    assert [[1, 2], [3, 4]] == spec["input"] and [[1, 0], [0, 1]] == spec["target"]
    batch = json.loads(run("init", "--widths", "3,2", "--batch", "4", "--loss", "bce").stdout)
    assert 4 == len(batch["input"]) and all(v in (0, 1) for row in batch["target"] for v in row)


@pytest.mark.parametrize("args, message", [
    (["init", "--widths", "2,3", "--input", "1,2,3"], "input: expected a list of 2 numbers, got 3 values"),
    (["init", "--widths", "2,0"], "layers[1]: expected a whole number ≥ 1"),
    (["init", "--widths", "2,2", "--input", "1,x"], "--input row 1, number 2"),
    (["init", "--widths", "2,2", "--init", "glorot"], "Invalid value for '--init'"),
])
def test_init_errors_exit_2(args, message) -> None:
    result = run(*args)
    assert 2 == result.exit_code
    assert message in result.output


def test_spec_file_named_init(tmp_path, monkeypatch) -> None:
    """`init` in first place is the subcommand; a spec file of that name is reached as ./init."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "init").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("./init")
    assert 0 == result.exit_code and "L = 0.0837469903" in result.stdout


# --- one entry with a spec's numbers ----------------------------------------------------------


def test_param_with_spec_shows_numbers_and_checks() -> None:
    """--param with a spec: the entry's chain in symbols, then with numbers, then the check."""
    result = run(str(EXAMPLE), "--param", "W1[1,1]", "--precision", "4", "--format", "plain")
    assert 0 == result.exit_code, result.output
    out = result.stdout
    assert "∂L/∂w⁽¹⁾₁,₁ = ∂L/∂a⁽²⁾₁ · ∂a⁽²⁾₁/∂z⁽²⁾₁ · ∂z⁽²⁾₁/∂a⁽¹⁾₁" in out
    assert "∂a⁽²⁾₁/∂z⁽²⁾₁ = 1 − a⁽²⁾₁² = 1 − 0.9093² = 0.1732" in out
    assert "∂L/∂w⁽¹⁾₁,₁ = 0.4093 · 0.1732 · 0.7 · 0.961 · 1 = 0.0477" in out
    assert "matches the backward pass ✓" in out
    assert out.index("One entry") < out.index("with the spec's numbers")


@pytest.mark.parametrize("fmt", ["rich", "latex", "markdown", "json"])
def test_param_with_spec_every_format(fmt) -> None:
    """Every format carries the numbers and the check."""
    result = run(str(EXAMPLE), "--param", "b1[2]", "--format", fmt)
    assert 0 == result.exit_code, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["entry"]["numbers"]["matches"] is True
        assert data["entry"]["numbers"]["value"] == data["entry"]["numbers"]["backward_pass"]
    elif fmt == "latex":
        assert r"\checkmark" in result.stdout
        assert result.stdout.isascii()
    else:
        assert "matches the backward pass" in " ".join(result.stdout.split())


def test_param_with_one_neuron_spec_and_batch(tmp_path) -> None:
    """A one-neuron-per-layer spec with a batch: each row's chain, then the mean, checked."""
    spec = {"layers": [1, 1, 1], "activation": ["tanh", "sigmoid"], "loss": "bce",
            "input": [[0.5], [-1.0]], "target": [[1], [0]], "weights": [[[0.3]], [[-0.7]]],
            "biases": [[0.1], [0.2]]}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    result = run(str(path), "--param", "W1[1,1]", "--format", "plain")
    assert 0 == result.exit_code, result.output
    assert "row 2 of 2" in result.stdout
    assert "mean over the 2 rows" in result.stdout
    assert "matches the backward pass ✓" in result.stdout
    assert "layer 1 (tanh): tanh′(z) = 1 − tanh²(z)" in result.stdout


def test_no_verify_skips_the_step_checks_of_the_chain() -> None:
    """The chain's steps carry a ✓ by default; --no-verify skips the checks and the marks."""
    from click.testing import CliRunner

    from calcgrad.cli import main

    checked = CliRunner().invoke(main, ["network", "--layers", "2", "--format", "plain"])
    unchecked = CliRunner().invoke(main, ["network", "--layers", "2", "--format", "plain", "--no-verify"])
    assert 0 == checked.exit_code == unchecked.exit_code, unchecked.output
    assert "✓" in checked.output and "✓" not in unchecked.output
