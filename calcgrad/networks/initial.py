"""Starting specs: a network with seeded random weights, ready for `calcgrad network SPEC`.

Weights are drawn as PyTorch's initialisers draw them, with fan_in = nₗ₋₁, fan_out = nₗ:
    xavier   U(−a, a), a = √(6/(fan_in + fan_out))       (torch.nn.init.xavier_uniform_)
    he       U(−a, a), a = √(6/fan_in)                   (torch.nn.init.kaiming_uniform_, ReLU)
    uniform  U(−a, a), a = 1/√fan_in, biases too         (torch.nn.Linear's default)
Biases start at 0 for xavier and he. Numbers are rounded to 4 significant digits so the spec
reads well; the same seed gives the same spec (Python's random.Random is stable across versions).
"""

from __future__ import annotations

import json
import math
import random

from calcgrad.errors import UsageError
from calcgrad.networks.architecture import Architecture

INITIALISERS = ("xavier", "he", "uniform")
"""Names accepted by --init."""

DIGITS = 4
"""Significant digits of the numbers written."""


def _rounded(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def bound(init: str, fan_in: int, fan_out: int) -> float:
    """a in U(−a, a) for one layer's weights."""
    if init == "xavier":
        return math.sqrt(6 / (fan_in + fan_out))
    if init == "he":
        return math.sqrt(6 / fan_in)
    if init == "uniform":
        return 1 / math.sqrt(fan_in)
    raise UsageError(f"--init: unknown initialiser {init!r}; expected one of {', '.join(INITIALISERS)}")


def starting_spec(arch: Architecture, init: str = "xavier", seed: int = 0, inputs=None,
                  targets=None, batch: int = 1, learning_rate: float = 0.1) -> dict:
    """A spec dict with seeded weights; input and target random unless given (lists of rows)."""
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise UsageError(f"--batch: expected a whole number ≥ 1, got {batch!r}")
    rng = random.Random(seed)
    widths = arch.widths
    weights, biases = [], []
    for layer in range(1, arch.depth + 1):
        fan_in, fan_out = widths[layer - 1], widths[layer]
        a = bound(init, fan_in, fan_out)
        weights.append([[_rounded(rng.uniform(-a, a)) for _ in range(fan_in)] for _ in range(fan_out)])
        if init == "uniform":
            biases.append([_rounded(rng.uniform(-a, a)) for _ in range(fan_out)])
        else:
            biases.append([0.0] * fan_out)
    if inputs is None:
        inputs = [[_rounded(rng.uniform(-1, 1)) for _ in range(widths[0])] for _ in range(batch)]
    if targets is None:
        targets = [_random_target(arch, rng) for _ in range(len(inputs))]
    single = len(inputs) == 1
    return {
        "layers": list(widths),
        "activation": arch.activations[0] if len(set(arch.activations)) == 1 else list(arch.activations),
        "loss": arch.loss,
        "input": inputs[0] if single else inputs,
        "target": targets[0] if single else targets,
        "weights": weights,
        "biases": biases,
        "learning_rate": learning_rate,
    }


def _random_target(arch: Architecture, rng: random.Random) -> list:
    """A target the loss accepts: one-hot for ce, 0/1 for bce, in the output's range otherwise."""
    width, output = arch.widths[-1], arch.activations[-1]
    if arch.loss == "ce":
        hot = rng.randrange(width)
        return [1 if j == hot else 0 for j in range(width)]
    if arch.loss == "bce":
        return [rng.randint(0, 1) for _ in range(width)]
    if output in ("sigmoid", "softmax"):
        return [_rounded(rng.uniform(0, 1)) for _ in range(width)]
    if output in ("relu", "softplus"):
        return [_rounded(rng.uniform(0, 2)) for _ in range(width)]
    return [_rounded(rng.uniform(-1, 1)) for _ in range(width)]


def spec_text(spec: dict) -> str:
    """The spec as JSON, one field per line and each matrix row on one line (easy to edit)."""
    lines = []
    for key, value in spec.items():
        if key == "weights":
            matrices = ",\n    ".join(
                "[" + ",\n     ".join(json.dumps(row) for row in matrix) + "]" for matrix in value)
            text = f"[\n    {matrices}\n  ]"
        else:
            text = json.dumps(value)
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}"
