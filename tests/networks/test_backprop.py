"""Numeric backpropagation against an independent reference written here.

The reference composes the network as one function of a flat parameter list, evaluates it
in 50-digit mpmath, and differentiates by central differences with h = 10⁻²⁰: no δ, no
chain rule, nothing shared with calcgrad.networks.backprop. The last section checks the NumPy
arithmetic's own pieces against the function table and against a full recomputation.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings

from calcgrad.engine.functions import ACTIVATIONS
from calcgrad.networks import backprop
from calcgrad.networks.backprop import spread
from calcgrad.read import request
from calcgrad.errors import UsageError
from calcgrad.networks.network import Network
from tests.strategies import network_specs

EXAMPLE = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
           "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]],
           "biases": [[0.1, 0.1, 0.1], [0.2]], "learning_rate": 0.1}


# --- the reference ----------------------------------------------------------------------------


def _ref_activation(name, zs):
    if name == "softmax":
        exps = [mpmath.exp(v) for v in zs]
        return [e / mpmath.fsum(exps) for e in exps]
    table = {
        "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)),
        "tanh": mpmath.tanh,
        "relu": lambda v: v if v > 0 else mpmath.mpf(0),
        "leaky_relu": lambda v: v if v > 0 else v / 100,
        "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
        "gelu": lambda v: v * (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2,
        "silu": lambda v: v / (1 + mpmath.exp(-v)),
        "linear": lambda v: v,
    }
    return [table[name](v) for v in zs]


def _ref_loss(name, out, y):
    n = len(out)
    if name == "mse":
        return mpmath.fsum((t - o) ** 2 for o, t in zip(out, y)) / n
    if name == "sse":
        return mpmath.fsum((t - o) ** 2 for o, t in zip(out, y))
    if name == "half_sse":
        return mpmath.fsum((t - o) ** 2 for o, t in zip(out, y)) / 2
    if name == "bce":
        return -mpmath.fsum(t * mpmath.log(o) + (1 - t) * mpmath.log(1 - o) for o, t in zip(out, y)) / n
    return -mpmath.fsum(t * mpmath.log(o) for o, t in zip(out, y))


def _layout(spec):
    """Parameter keys in calcgrad's order, with a getter into a flat list."""
    widths = spec["layers"]
    keys = []
    for l in range(1, len(widths)):
        keys += [f"W{l}[{j + 1},{k + 1}]" for j in range(widths[l]) for k in range(widths[l - 1])]
        keys += [f"b{l}[{j + 1}]" for j in range(widths[l])]
    return keys


def _ref_forward(spec, flat, x):
    """All (z, a) per layer for one input, parameters read from a flat {key: value} dict."""
    widths = spec["layers"]
    acts = spec["activation"] if isinstance(spec["activation"], list) else [spec["activation"]] * (len(widths) - 1)
    a = [mpmath.mpf(v) for v in x]
    layers = []
    for l in range(1, len(widths)):
        z = [mpmath.fsum(flat[f"W{l}[{j + 1},{k + 1}]"] * a[k] for k in range(widths[l - 1])) + flat[f"b{l}[{j + 1}]"]
             for j in range(widths[l])]
        a = _ref_activation(acts[l - 1], z)
        layers.append((z, a))
    return layers


def _rows(value):
    return value if isinstance(value[0], list) else [value]


def _ref_loss_of(spec, flat):
    inputs, targets = _rows(spec["input"]), _rows(spec["target"])
    total = mpmath.fsum(_ref_loss(spec["loss"], _ref_forward(spec, flat, x)[-1][1], [mpmath.mpf(t) for t in y])
                        for x, y in zip(inputs, targets))
    return total / len(inputs)


def _ref_flat(spec):
    flat = {}
    for l, (w, b) in enumerate(zip(spec["weights"], spec["biases"]), start=1):
        for j, row in enumerate(w):
            for k, v in enumerate(row):
                flat[f"W{l}[{j + 1},{k + 1}]"] = mpmath.mpf(v)
            flat[f"b{l}[{j + 1}]"] = mpmath.mpf(b[j])
    return flat


def reference(spec):
    """(forward of the first row, loss, gradients by 50-digit central differences)."""
    with mpmath.workdps(50):
        flat = _ref_flat(spec)
        h = mpmath.mpf(10) ** -20
        gradients = {}
        for key in _layout(spec):
            plus, minus = dict(flat), dict(flat)
            plus[key] += h
            minus[key] -= h
            gradients[key] = float((_ref_loss_of(spec, plus) - _ref_loss_of(spec, minus)) / (2 * h))
        forward = [([float(v) for v in z], [float(v) for v in a])
                   for z, a in _ref_forward(spec, flat, _rows(spec["input"])[0])]
        return forward, float(_ref_loss_of(spec, flat)), gradients


def _at_relu_kink(spec, result) -> bool:
    """True when some ReLU or leaky ReLU input is (within rounding) exactly 0."""
    acts = result.architecture.activations
    return any(name in ("relu", "leaky_relu") and any(abs(v) < 1e-9 for v in layer[0])
               for row in result.forward for name, layer in zip(acts, row))


def close(a, b, tol=1e-7):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# --- property tests ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(network_specs())
def test_walkthrough_matches_reference(spec) -> None:
    """Forward values, loss, gradients and the update agree with the independent reference."""
    result = Network.from_spec(spec).walkthrough(check=False)
    assume(not _at_relu_kink(spec, result))  # there ReLU′(0) = 0 by convention, not a limit
    forward, loss, gradients = reference(spec)
    for (z, a), (ref_z, ref_a) in zip(result.forward[0], forward):
        assert all(close(u, v) for u, v in zip(z, ref_z))
        assert all(close(u, v) for u, v in zip(a, ref_a))
    assert close(result.loss, loss)
    rate = spec["learning_rate"]
    for key, value in result.gradients.items():
        assert close(value, gradients[key], 1e-6), key
        expected = result.parameters[key] - rate * gradients[key]
        assert close(result.updated[key], expected, 1e-6), key
    if spec["freeze_biases"]:
        assert not any(key.startswith("b") for key in result.gradients)


@settings(max_examples=25, deadline=None)
@given(network_specs(max_depth=2, max_width=3, max_batch=2))
def test_gradient_check_agrees(spec) -> None:
    """The built-in finite-difference check passes wherever no ReLU input changes sign."""
    result = Network.from_spec(spec).walkthrough()
    assert set(result.gradient_check) == set(result.gradients)
    for key, check in result.gradient_check.items():
        assert check.ok or check.near_kink, (key, check)


def test_issue_example_values() -> None:
    """The spec from the issue: loss and two gradients worked by hand from the formulas."""
    result = Network.from_spec(EXAMPLE).walkthrough()
    a1 = [math.tanh(-0.2), math.tanh(-1.0), math.tanh(1.8)]
    z2 = 0.7 * a1[0] - 0.8 * a1[1] + 0.9 * a1[2] + 0.2
    out = math.tanh(z2)
    assert close(result.loss, 0.5 * (0.5 - out) ** 2, 1e-12)
    delta2 = (out - 0.5) * (1 - out**2)
    assert close(result.gradients["b2[1]"], delta2, 1e-12)
    assert close(result.gradients["W1[3,2]"], delta2 * 0.9 * (1 - a1[2] ** 2) * -2.0, 1e-12)
    assert close(result.updated["W2[1,1]"], 0.7 - 0.1 * delta2 * a1[0], 1e-12)


def test_relu_kink_is_flagged() -> None:
    """A ReLU input at exactly 0 is reported as near a kink."""
    spec = {"layers": [1, 1, 1], "activation": ["relu", "linear"], "loss": "half_sse",
            "input": [1.0], "target": [1.0], "weights": [[[1.0]], [[1.0]]], "biases": [[-1.0], [0.0]]}
    result = Network.from_spec(spec).walkthrough()
    assert result.gradient_check["W1[1,1]"].near_kink
    assert 0.0 == result.gradients["W1[1,1]"]
    assert "ReLU kink" in result.plain()


def test_exact_arithmetic() -> None:
    """With exact=True a rational spec gives Fractions throughout, equal to the float run."""
    spec = {"layers": [2, 2, 1], "activation": ["relu", "linear"], "loss": "mse",
            "input": [[1, "1/3"], [2, -1]], "target": [[1], [0]],
            "weights": [[[1, -1], [0.5, 2]], [[1, 1]]], "learning_rate": "1/10"}
    exact = Network.from_spec(spec).walkthrough(exact=True)
    floats = Network.from_spec(spec).walkthrough()
    assert Fraction(349, 72) == exact.loss
    assert Fraction(41, 6) == exact.gradients["W1[1,1]"]
    for key, value in exact.updated.items():
        assert isinstance(value, Fraction)
        assert close(float(value), floats.updated[key], 1e-12)
    assert "349/72" == exact.to_dict()["loss"]


def test_exact_refused_for_sigmoid() -> None:
    """--exact with sigmoid says why it cannot be exact."""
    with pytest.raises(UsageError, match="sigmoid"):
        Network.from_spec({**EXAMPLE, "activation": "sigmoid"}).walkthrough(exact=True)


def test_batch_is_mean() -> None:
    """A batch of two identical rows gives the same loss and gradients as one row."""
    one = Network.from_spec(EXAMPLE).walkthrough()
    two = Network.from_spec({**EXAMPLE, "input": [EXAMPLE["input"]] * 2,
                             "target": [EXAMPLE["target"]] * 2}).walkthrough()
    assert close(one.loss, two.loss, 1e-14)
    assert all(close(one.gradients[k], two.gradients[k], 1e-14) for k in one.gradients)
    assert "mean over the batch" in two.plain()


def test_epochs_decrease_loss() -> None:
    """Twenty small steps lower the loss, and the first epoch's loss is the walkthrough's."""
    result = Network.from_spec(EXAMPLE).walkthrough(epochs=20)
    assert 20 == len(result.epoch_losses)
    assert result.loss == result.epoch_losses[0]
    assert result.final_loss < result.epoch_losses[0]
    assert [e["epoch"] for e in result.to_dict()["epochs"]] == list(range(1, 21))


def test_freeze_biases_keeps_biases() -> None:
    """With freeze_biases only weights are listed and updated."""
    result = Network.from_spec({**EXAMPLE, "freeze_biases": True}).walkthrough()
    assert all(key.startswith("W") for key in result.updated)
    assert 9 == result.parameter_count


def _example_loss() -> float:
    """The example's loss, worked here by hand in floating point (independent of calcgrad)."""
    x = EXAMPLE["input"]
    (w1, w2), (b1, b2) = EXAMPLE["weights"], EXAMPLE["biases"]
    a1 = [math.tanh(sum(w * v for w, v in zip(row, x)) + b) for row, b in zip(w1, b1)]
    a2 = math.tanh(sum(w * v for w, v in zip(w2[0], a1)) + b2[0])
    return 0.5 * (a2 - EXAMPLE["target"][0]) ** 2


def test_json_contract_keys() -> None:
    """to_dict has the documented keys, parameters keyed W1[1,2] / b2[1] (counted from 1), full floats."""
    data = Network.from_spec(EXAMPLE).walkthrough().to_dict()
    assert {"loss", "forward", "gradients", "updated", "gradient_check"} <= set(data)
    assert {"layer", "z", "a"} <= set(data["forward"][0])
    assert "W1[1,2]" in data["gradients"] and "b2[1]" in data["updated"]
    assert _example_loss() == pytest.approx(data["loss"], rel=1e-15, abs=0)


def test_json_carries_full_precision() -> None:
    """JSON numbers are the floats themselves; precision= only changes the text formats."""
    walkthrough = Network.from_spec(EXAMPLE).walkthrough(precision=3)
    data = walkthrough.to_dict()
    assert float(walkthrough.loss) == data["loss"]
    assert {k: float(v) for k, v in walkthrough.gradients.items()} == data["gradients"]
    assert "L = 0.0837 " in walkthrough.plain()


def test_precision_option() -> None:
    """precision sets the significant digits shown."""
    text = Network.from_spec(EXAMPLE).walkthrough(precision=4).plain()
    assert "L = 0.08375" in text


def test_large_network_is_fast_and_spread() -> None:
    """A [784, 128, 10] network is worked in well under a few seconds; checks are spread."""
    import random
    import time

    rng = random.Random(1)
    spec = {"layers": [784, 128, 10], "activation": ["relu", "softmax"], "loss": "ce",
            "input": [rng.random() for _ in range(784)], "target": [0] * 9 + [1],
            "weights": [[[rng.gauss(0, 0.05) for _ in range(784)] for _ in range(128)],
                        [[rng.gauss(0, 0.1) for _ in range(128)] for _ in range(10)]]}
    start = time.perf_counter()
    result = Network.from_spec(spec).walkthrough()
    text = result.plain()
    assert time.perf_counter() - start < 5
    assert 101_770 == result.parameter_count
    assert 200 == len(result.gradient_check)
    assert "more parameters in layer 1" in text
    assert all(c.ok or c.near_kink for c in result.gradient_check.values())


def test_spread_includes_ends() -> None:
    """spread keeps the first and last key and the requested count."""
    keys = [str(i) for i in range(1000)]
    chosen = spread(keys, 10)
    assert 10 == len(chosen) and "0" == chosen[0] and "999" == chosen[-1]


@settings(max_examples=10, deadline=None)
@given(network_specs(max_depth=3, max_width=3, max_batch=2))
def test_against_pytorch(spec) -> None:
    """Gradients agree with PyTorch autograd (when torch is installed)."""
    torch = pytest.importorskip("torch")
    result = Network.from_spec(spec).walkthrough(check=False)
    acts = spec["activation"]
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
           "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
           "softplus": torch.nn.functional.softplus, "linear": lambda t: t,
           "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu,  # exact (erf) GELU
           "softmax": lambda t: torch.softmax(t, dim=-1)}
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec["weights"]]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in spec["biases"]]
    x = torch.tensor(_rows(spec["input"]), dtype=torch.float64)
    y = torch.tensor(_rows(spec["target"]), dtype=torch.float64)
    a = x
    for w, b, name in zip(weights, biases, acts):
        a = fns[name](a @ w.T + b)
    n = y.shape[1]
    per_row = {"mse": ((y - a) ** 2).sum(1) / n, "sse": ((y - a) ** 2).sum(1),
               "half_sse": ((y - a) ** 2).sum(1) / 2,
               "bce": -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(1) / n,
               "ce": -(y * torch.log(a)).sum(1)}[spec["loss"]]
    per_row.mean().backward()
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        for j in range(w.shape[0]):
            for k in range(w.shape[1]):
                assert close(result.gradients[f"W{l}[{j + 1},{k + 1}]"], float(w.grad[j, k]), 1e-9)
            if not spec["freeze_biases"]:
                assert close(result.gradients[f"b{l}[{j + 1}]"], float(b.grad[j]), 1e-9)


def test_exact_fractions_are_bounded() -> None:
    """Exact epochs whose fractions explode stop with a LimitError instead of running on."""
    from calcgrad.errors import LimitError

    spec = {"layers": [2, 2, 1], "activation": ["relu", "linear"], "loss": "mse",
            "input": [[1, "1/3"], [2, -1]], "target": [[1], [0]],
            "weights": [[[1, -1], [0.5, 2]], [[1, 1]]], "learning_rate": "1/10"}
    with pytest.raises(LimitError, match="200 digits"):
        Network.from_spec(spec).walkthrough(epochs=50, exact=True)


def test_overflow_is_reported() -> None:
    """Numbers so large that the loss overflows give a usage error."""
    spec = {**EXAMPLE, "activation": "linear", "weights": [[[1e200, 1e200]] * 3, [[1e200] * 3]]}
    with pytest.raises(UsageError, match="overflowed"):
        Network.from_spec(spec).walkthrough()


def test_large_batch_tables_are_cut() -> None:
    """Text shows the first rows of a large batch and says how many more JSON holds."""
    spec = {**EXAMPLE, "input": [[0.1 * i, -0.2] for i in range(12)], "target": [[0.5]] * 12}
    result = Network.from_spec(spec).walkthrough()
    text = result.plain()
    assert "row 4: layer 1" in text and "row 5: layer 1" not in text
    assert "… 7 more rows" in text
    assert 12 == len(result.to_dict()["forward"][0]["z"])


# --- saturated outputs --------------------------------------------------------------------------

SATURATED = {"layers": [2, 3, 1], "activation": ["tanh", "sigmoid"], "loss": "bce",
             "input": [1.0, 2.0], "target": [0], "learning_rate": 0.5,
             "weights": [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[70, 80, 90]]],
             "biases": [[0, 0, 0], [50]]}


def test_saturated_sigmoid_bce_is_finite_and_right() -> None:
    """ŷ rounds to 1.0, yet the loss is the true value ln(1 + e^z) and δ = ŷ − y (issue 13)."""
    result = Network.from_spec(SATURATED).walkthrough()
    assert 1.0 == result.forward[0][-1][1][0]
    z = result.forward[0][-1][0][0]
    assert close(result.loss, z + math.log1p(math.exp(-z)), 1e-15)
    # by hand: δ⁽²⁾ = ŷ − y = 1 − e^(−z) ≈ 1, δ⁽¹⁾ⱼ = w⁽²⁾ⱼ(1 − a⁽¹⁾ⱼ²)
    hidden = [math.tanh(0.1 + 0.4), math.tanh(0.3 + 0.8), math.tanh(0.5 + 1.2)]
    assert 1.0 == result.gradients["b2[1]"]
    for j, (w2, a) in enumerate(zip([70, 80, 90], hidden), start=1):
        assert close(result.gradients[f"W2[1,{j}]"], a, 1e-15)
        assert close(result.gradients[f"b1[{j}]"], w2 * (1 - a * a), 1e-12)
        assert close(result.gradients[f"W1[{j},2]"], 2 * w2 * (1 - a * a), 1e-12)
    assert all(check.ok for check in result.gradient_check.values())
    assert "saturated" in result.notes[0] and "true finite loss" in result.notes[0]
    assert "note: the output ŷ = [1] is saturated" in result.plain()
    assert result.to_dict()["notes"] == list(result.notes)
    assert Network.from_spec(SATURATED).backward()["b2[1]"] == 1.0


def test_saturated_softmax_ce_is_finite_and_right() -> None:
    """The probability of the target class underflows to 0; the loss comes from log-softmax."""
    spec = {**SATURATED, "layers": [2, 3, 2], "activation": ["tanh", "softmax"], "loss": "ce",
            "target": [0, 1], "weights": [SATURATED["weights"][0], [[70, 80, 90], [-70, -80, -90]]],
            "biases": [[0, 0, 0], [50, 0]]}
    result = Network.from_spec(spec).walkthrough()
    z = result.forward[0][-1][0]
    assert close(result.loss, z[0] - z[1], 1e-15)  # −ln softmax(z)₂ with e^(z₂ − z₁) ≈ 1e−179
    assert [1.0, -1.0] == [result.gradients["b2[1]"], result.gradients["b2[2]"]]
    assert result.notes


def test_unsaturated_has_no_note() -> None:
    assert () == Network.from_spec(EXAMPLE).walkthrough().notes


# --- gradient size per layer ----------------------------------------------------------------------


def _deep(activation: str, init: str) -> dict:
    from calcgrad.networks.architecture import architecture
    from calcgrad.networks.initial import starting_spec

    acts = [activation] * 7 + ["linear" if activation == "relu" else activation]
    return starting_spec(architecture([4] * 8 + [1], acts, "mse"), init, 1)


def test_gradient_sizes_are_norms() -> None:
    result = Network.from_spec(EXAMPLE).walkthrough()
    for size in result.gradient_sizes:
        l = size.layer
        expected = math.sqrt(sum(v * v for k, v in result.gradients.items() if k.startswith(f"W{l}[")))
        assert close(size.weight_gradient, expected, 1e-15)
        assert close(size.delta, math.sqrt(sum(d * d for d in result.deltas[0][l - 1])), 1e-15)
    assert close(result.gradient_ratio, result.gradient_sizes[1].weight_gradient
                 / result.gradient_sizes[0].weight_gradient, 1e-15)
    assert result.gradient_sentence() is None  # two layers: no verdict on depth


def test_eight_layer_sigmoid_vanishes_relu_he_does_not() -> None:
    """The lecture's two commands: sigmoid's first layer is orders of magnitude smaller."""
    sigmoid = Network.from_spec(_deep("sigmoid", "xavier")).walkthrough(check=False)
    relu = Network.from_spec(_deep("relu", "he")).walkthrough(check=False)
    assert sigmoid.gradient_ratio > 1000
    assert sigmoid.gradient_sentence().startswith("vanishing gradient: layer 1's gradient is")
    assert 0.01 < relu.gradient_ratio < 100
    assert "neither vanishing nor exploding" in relu.gradient_sentence()
    text = sigmoid.plain()
    assert "Gradient size per layer" in text and "ratio ‖∂L/∂W⁽⁸⁾‖ / ‖∂L/∂W⁽¹⁾‖ = " in text
    data = sigmoid.to_dict()
    assert 8 == len(data["gradient_sizes"]) and data["gradient_ratio_last_to_first"] > 1000


def test_exploding_is_named() -> None:
    spec = {"layers": [1, 1, 1, 1, 1], "activation": "linear", "loss": "half_sse", "input": [1],
            "target": [0], "weights": [[[0.01]], [[30]], [[30]], [[30]]], "learning_rate": 0.01}
    result = Network.from_spec(spec).walkthrough()
    # a = 0.01, 0.3, 9, 270; δ⁽⁴⁾ = 270, δ⁽¹⁾ = 270·30³; ∂L/∂W⁽⁴⁾ = 270·9, ∂L/∂W⁽¹⁾ = 270·30³·1
    assert close(result.gradient_ratio, 1 / 3000, 1e-12)
    assert result.gradient_sentence().startswith("exploding gradient")


# --- NumPy arithmetic: the function table's values, parameters by name, the local check -----------

GRID = [-800.0, -40.0, -3.5, -1.0, -1e-9, -0.0, 0.0, 1e-300, 1e-9, 0.25, 1.0, 2.5, 40.0, 800.0]


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "softmax"])
def test_array_activations_are_the_table(name) -> None:
    """NumPy's forms of f and f′ give the function table's float values (within 2 ulp)."""
    entry = ACTIVATIONS[name]
    z = np.array(GRID)
    values = backprop.activate_array(name, z)
    slopes = backprop.slope_array(name, z, values)
    for t, value, slope_value in zip(GRID, values.tolist(), slopes.tolist()):
        expected, expected_slope = entry.float_value(t), entry.float_slope(t)
        assert abs(value - expected) <= 2 * math.ulp(expected), (t, value, expected)
        assert abs(slope_value - expected_slope) <= 2 * math.ulp(expected_slope), (t, slope_value)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "linear"])
def test_array_activations_keep_fractions(name) -> None:
    """On Fractions (exact mode) the table's own values are used, and stay Fractions."""
    z = np.array([Fraction(-3, 2), Fraction(0), Fraction(5, 7)], dtype=object)
    values = backprop.activate_array(name, z)
    slopes = backprop.slope_array(name, z, values)
    entry = ACTIVATIONS[name]
    assert [entry.float_value(t) for t in z] == values.tolist()
    assert [entry.float_slope(t) for t in z] == slopes.tolist()
    assert all(isinstance(v, Fraction) for v in values.tolist() + slopes.tolist())


def test_parameters_by_name_behave_as_a_dict() -> None:
    """The walkthrough's parameter tables equal the dict of parameter_keys and values, and
    refuse every key that names no parameter."""
    result = Network.from_spec({**EXAMPLE, "freeze_biases": True}).walkthrough()
    keys = result.architecture.parameter_keys(freeze_biases=True)
    expected = dict(zip(keys, [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9]))
    assert expected == result.parameters and expected == dict(result.parameters)
    assert keys == list(result.gradients) and 9 == len(result.updated)
    assert 0.4 == result.parameters["W1[2,2]"] and -0.8 == result.parameters["W2[1,2]"]
    for missing in ["b1[1]", "W1[0,1]", "W1[4,1]", "W1[1,3]", "W3[1,1]", "W01[1,1]", "W1[1]", 5]:
        assert missing not in result.parameters
        with pytest.raises(KeyError):
            result.parameters[missing]
    assert type(Network.from_spec(EXAMPLE).backward()) is dict


def _full_finite_difference(spec, key, h=backprop.FINITE_DIFFERENCE_STEP) -> float:
    """(L(w + h) − L(w − h))/2h with the whole network recomputed (no shortcut)."""
    losses = []
    for change in (h, -h):
        network = Network.from_spec(spec)
        kind, layer, j, k = request.parameter(key, network.architecture.widths)
        params = backprop.Parameters.of(network)
        if kind == "W":
            params.weights[layer - 1][j, k] += change
        else:
            params.biases[layer - 1][j] += change
        _, inputs, targets = network.float_numbers
        losses.append(backprop.full_pass(params, inputs, targets, network.architecture).loss)
    return (losses[0] - losses[1]) / (2 * h)


@pytest.mark.parametrize("activation, loss, output", [
    ("tanh", "mse", "sigmoid"), ("relu", "ce", "softmax"), ("softplus", "bce", "sigmoid"),
    ("sigmoid", "bce", "softmax"), ("leaky_relu", "half_sse", "linear")])
def test_check_recomputes_only_what_it_must(activation, loss, output) -> None:
    """The check's finite differences (only what each parameter reaches recomputed) equal those
    of the whole network recomputed, in every layer of a deep batch network."""
    from calcgrad.networks.architecture import architecture
    from calcgrad.networks.initial import starting_spec

    arch = architecture([3, 4, 5, 4, 3], [activation] * 3 + [output], loss)
    spec = starting_spec(arch, "xavier", seed=3, batch=3)
    result = Network.from_spec(spec).walkthrough()
    assert set(result.gradient_check) == set(result.gradients)
    for key, check in result.gradient_check.items():
        full = _full_finite_difference(spec, key)
        assert abs(check.finite_difference - full) <= 1e-7 * max(1.0, abs(full)), key
        assert check.ok or check.near_kink, key


def test_walkthrough_leaves_the_network_as_it_was() -> None:
    """The arrays a Network reads once are shared, read-only: running epochs changes nothing."""
    network = Network.from_spec(EXAMPLE)
    first = network.walkthrough()
    network.walkthrough(epochs=5)
    assert dict(first.updated) == dict(network.walkthrough().updated)
    assert not network.float_numbers[0].values.flags.writeable


def test_check_in_turns_gives_the_same(monkeypatch) -> None:
    """Checks split into several arrays (a large batch) give the same numbers as one array."""
    spec = {**EXAMPLE, "input": [[0.1 * i, -0.2] for i in range(5)], "target": [[0.5]] * 5}
    whole = Network.from_spec(spec).walkthrough().gradient_check
    monkeypatch.setattr(backprop, "CHECK_CHUNK", 1)  # one parameter per array
    assert whole == Network.from_spec(spec).walkthrough().gradient_check
