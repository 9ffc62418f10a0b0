"""Feed-forward networks: architecture, activations, losses, spec files and the Network API.

Conventions (as in the course material): z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), a⁽⁰⁾ = x,
layers l = 1…L. W⁽ˡ⁾ has shape (nₗ, nₗ₋₁); W⁽ˡ⁾[j,k] connects neuron k of layer l−1 to neuron j
of layer l. Parameters are keyed "W1[0,1]", "b2[0]" (layers from 1, indices from 0).

This module only describes and validates a network; the numbers are worked in
calcgrad/backprop.py and the symbols in calcgrad/chain.py.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from calcgrad import limits
from calcgrad.errors import CalcgradError, UsageError
from calcgrad.files import read_text

Number = Union[int, float, Fraction]


class InexactNumber(float):
    """A float that stands for an irrational value from the spec ("pi", "sqrt(2)")."""

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "linear", "softmax")
"""Activation names; softmax only in the output layer."""

LOSSES = ("mse", "sse", "half_sse", "bce", "ce")
"""Loss names: (1/n)Σ(y−ŷ)², Σ(y−ŷ)², ½Σ(y−ŷ)², binary and categorical cross-entropy."""

LOSS_FORMULAS = {
    "mse": "L = (1/n)·Σᵢ(yᵢ − ŷᵢ)²",
    "sse": "L = Σᵢ(yᵢ − ŷᵢ)²",
    "half_sse": "L = ½·Σᵢ(yᵢ − ŷᵢ)²",
    "bce": "L = −(1/n)·Σᵢ[yᵢ·ln ŷᵢ + (1 − yᵢ)·ln(1 − ŷᵢ)]",
    "ce": "L = −Σᵢ yᵢ·ln ŷᵢ",
}

ACTIVATION_FORMULAS = {
    "sigmoid": "σ(z) = 1/(1 + e^(−z)), σ′(z) = σ(z)(1 − σ(z))",
    "tanh": "tanh′(z) = 1 − tanh²(z)",
    "relu": "ReLU(z) = max(0, z), ReLU′(z) = 1 if z > 0 else 0 (0 at z = 0 by convention)",
    "leaky_relu": "f(z) = z if z > 0 else 0.01z, f′(z) = 1 if z > 0 else 0.01",
    "softplus": "softplus(z) = ln(1 + eᶻ), softplus′(z) = σ(z)",
    "linear": "f(z) = z, f′(z) = 1",
    "softmax": "softmax(z)ᵢ = e^(zᵢ)/Σⱼe^(zⱼ), ∂aᵢ/∂zⱼ = aᵢ(δᵢⱼ − aⱼ)",
}

LEAKY_SLOPE = Fraction(1, 100)
"""Slope of leaky ReLU for z ≤ 0."""

EXACT_ACTIVATIONS = ("linear", "relu", "leaky_relu")
EXACT_LOSSES = ("mse", "sse", "half_sse")
"""With --exact every value must stay rational: only these keep rational inputs rational."""

SPEC_FIELDS = ("layers", "activation", "loss", "input", "target", "weights", "biases",
               "learning_rate", "freeze_biases")

CONVENTIONS = ("z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), a⁽⁰⁾ = x; W⁽ˡ⁾ has shape (nₗ, nₗ₋₁) "
               "and W⁽ˡ⁾[j,k] connects neuron k of layer l−1 to neuron j of layer l")

_KEY = re.compile(r"\s*([Wwb])\s*(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*")


# --- architecture ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Architecture:
    """Widths n₀…n_L, one activation per layer 1…L, and the loss."""

    widths: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    def parameter_keys(self, freeze_biases: bool = False) -> list[str]:
        """Every parameter key in order: W1[0,0], W1[0,1], …, b1[0], …, W2[…], …"""
        keys = []
        for layer in range(1, self.depth + 1):
            rows, cols = self.widths[layer], self.widths[layer - 1]
            keys += [f"W{layer}[{j},{k}]" for j in range(rows) for k in range(cols)]
            if not freeze_biases:
                keys += [f"b{layer}[{j}]" for j in range(rows)]
        return keys


def architecture(layers: Sequence[int], activation: str | Sequence[str] = "sigmoid",
                 loss: str = "mse") -> Architecture:
    """A validated Architecture; bad values raise UsageError naming the field."""
    widths = _widths(layers)
    depth = len(widths) - 1
    if isinstance(activation, str):
        names = [part.strip() for part in activation.split(",")] if "," in activation else [activation]
        if len(names) == 1:
            names = names * depth
    elif isinstance(activation, Sequence):
        names = list(activation)
    else:
        raise UsageError(f"activation: expected a name or a list of {depth} names, "
                         f"got {type(activation).__name__}")
    if len(names) != depth:
        raise UsageError(f"activation: expected one name for all layers or {depth} names "
                         f"(one per layer 1…{depth}), got {len(names)}")
    for index, name in enumerate(names):
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise UsageError(f"activation: unknown activation {name!r} for layer {index + 1}; "
                             f"expected one of {', '.join(ACTIVATIONS)}")
        if name == "softmax" and index < depth - 1:
            raise UsageError(f"activation: softmax is for the output layer only, not hidden "
                             f"layer {index + 1}; use sigmoid, tanh, relu, leaky_relu, softplus "
                             "or linear there")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise UsageError(f"loss: unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    output = names[-1]
    if loss == "ce" and output != "softmax":
        raise UsageError(f"loss: ce (cross-entropy) needs a softmax output layer, but layer {depth} "
                         f"is {output}; give activation as a list ending in softmax, "
                         'e.g. ["relu", "softmax"]')
    if loss == "bce" and output not in ("sigmoid", "softmax"):
        raise UsageError(f"loss: bce needs outputs between 0 and 1 (a sigmoid output layer), but "
                         f"layer {depth} is {output}")
    return Architecture(widths, tuple(names), loss)


def _widths(layers) -> tuple[int, ...]:
    if isinstance(layers, str):
        try:
            layers = [int(part) for part in layers.split(",")]
        except ValueError:
            raise UsageError(f"layers: expected whole numbers separated by commas such as 2,3,1, "
                             f"got {layers!r}") from None
    if not isinstance(layers, Sequence) or len(layers) < 2:
        raise UsageError("layers: expected a list of at least two widths (input and output), "
                         f"such as [2, 3, 1], got {layers!r}")
    if len(layers) - 1 > limits.MAX_NETWORK_LAYERS:
        raise UsageError(f"layers: at most {limits.MAX_NETWORK_LAYERS} layers, got {len(layers) - 1}")
    for index, width in enumerate(layers):
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise UsageError(f"layers[{index}]: expected a whole number ≥ 1, got {width!r}")
        if width > limits.MAX_LAYER_WIDTH:
            raise UsageError(f"layers[{index}]: at most {limits.MAX_LAYER_WIDTH} neurons per layer, "
                             f"got {width}")
    widths = tuple(layers)
    count = sum(widths[i] * widths[i - 1] + widths[i] for i in range(1, len(widths)))
    if count > limits.MAX_NETWORK_PARAMETERS:
        raise UsageError(f"layers: {count:,} parameters is too many "
                         f"(at most {limits.MAX_NETWORK_PARAMETERS:,})")
    return widths


def parse_key(key: str, arch: Architecture) -> tuple[str, int, int, int | None]:
    """"W1[2,0]" → ("W", 1, 2, 0); "b2[0]" → ("b", 2, 0, None); UsageError when out of range."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    expected = 'a parameter such as "W1[0,1]" or "b2[0]" (layers from 1, indices from 0)'
    if not match:
        raise UsageError(f"param: cannot read {key!r}; expected {expected}")
    kind, layer, j, k = match[1].upper() if match[1] in "Ww" else "b", int(match[2]), int(match[3]), match[4]
    if (kind == "W") != (k is not None):
        raise UsageError(f"param: {key!r} — a weight takes two indices W1[j,k], a bias one b1[j]")
    if not 1 <= layer <= arch.depth:
        raise UsageError(f"param: {key!r} names layer {layer}, but the network has layers 1…{arch.depth}")
    rows, cols = arch.widths[layer], arch.widths[layer - 1]
    if j >= rows or (k is not None and int(k) >= cols):
        shape = f"({rows}, {cols})" if kind == "W" else f"({rows},)"
        raise UsageError(f"param: {key!r} is outside {kind}{layer}, whose shape is {shape}")
    return kind, layer, j, None if k is None else int(k)


# --- spec files -----------------------------------------------------------------------------


def load_spec(source) -> dict:
    """A spec as a dict, from a mapping, or a JSON/TOML file path; UsageError if unreadable."""
    if isinstance(source, Mapping):
        return dict(source)
    if not isinstance(source, (str, pathlib.Path)):
        raise UsageError(f"spec: expected a path or a dict, got {type(source).__name__}")
    path = pathlib.Path(source)
    try:
        text = read_text(path, limits.MAX_SPEC_BYTES, "spec")
    except OSError as error:
        raise UsageError(f"spec: cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"spec: {path} is not UTF-8 text") from None
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"spec: {path} is not valid TOML: {error}") from None
        except RecursionError:
            raise UsageError(f"spec: {path} is nested too deeply") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"spec: {path} is not valid JSON: {error.msg} at line {error.lineno}, "
                             f"column {error.colno} (TOML files must end in .toml)") from None
        except RecursionError:
            raise UsageError(f"spec: {path} is nested too deeply") from None
    if not isinstance(data, dict):
        raise UsageError(f"spec: expected an object with fields {', '.join(SPEC_FIELDS)}, "
                         f"got {type(data).__name__}")
    return data


def read_number(value: Any, field: str) -> Number:
    """A JSON/TOML number as is; text such as "1/3" through calcgrad's parser; else UsageError."""
    if isinstance(value, bool):
        raise UsageError(f"{field}: expected a number, got {str(value).lower()}")
    if isinstance(value, int):
        if abs(value) > 10**300:
            raise UsageError(f"{field}: a whole number of {len(str(abs(value)))} digits is too "
                             "large (at most 1e300)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"{field}: expected a finite number, got {value}")
        return value
    if isinstance(value, str):
        from calcgrad.read.parser import parse

        try:
            expr = parse(value)
        except CalcgradError as error:
            raise UsageError(f"{field}: cannot read {value!r} as a number ({error})") from None
        if expr.free_symbols or not expr.is_number:
            raise UsageError(f"{field}: expected a number, got {value!r}, which has variables")
        if expr.is_Rational:
            return Fraction(int(expr.p), int(expr.q))
        number = complex(expr.evalf(30))
        if number.imag != 0 or not math.isfinite(number.real):
            raise UsageError(f"{field}: {value!r} is not a finite real number")
        return InexactNumber(number.real)
    raise UsageError(f"{field}: expected a number, got {type(value).__name__} {value!r}")


def _vector(value, length: int, field: str) -> list[Number]:
    if not isinstance(value, list) or len(value) != length:
        got = f"{len(value)} values" if isinstance(value, list) else repr(value)
        raise UsageError(f"{field}: expected a list of {length} numbers, got {got}")
    return [read_number(v, f"{field}[{i}]") for i, v in enumerate(value)]


def _rows(value, width: int, field: str) -> list[list[Number]]:
    """One row or a batch (list of rows), each of `width` numbers."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        if len(value) > limits.MAX_BATCH_ROWS:
            raise UsageError(f"{field}: at most {limits.MAX_BATCH_ROWS} rows, got {len(value)}")
        return [_vector(row, width, f"{field}[{i}]") for i, row in enumerate(value)]
    return [_vector(value, width, field)]


def _matrix(value, rows: int, cols: int, field: str, name: str) -> list[list[Number]]:
    shape = f"a {rows}×{cols} matrix for {name} (a list of {rows} rows of {cols} numbers)"
    if not isinstance(value, list) or len(value) != rows:
        got = f"{len(value)} rows" if isinstance(value, list) else repr(value)
        raise UsageError(f"{field}: expected {shape}, got {got}")
    matrix = []
    for j, row in enumerate(value):
        if not isinstance(row, list) or len(row) != cols:
            got = f"{len(row)} numbers" if isinstance(row, list) else repr(row)
            raise UsageError(f"{field}[{j}]: expected {cols} numbers (row {j} of {name}, "
                             f"shape ({rows}, {cols})), got {got}")
        # plain finite floats (the bulk of a large spec) pass straight through
        matrix.append([v if type(v) is float and v - v == 0 else read_number(v, f"{field}[{j}][{k}]")
                       for k, v in enumerate(row)])
    return matrix


# --- the Network ----------------------------------------------------------------------------


class Network:
    """A feed-forward network, optionally with its numbers (weights, input, target).

    Network(layers=[1, 1, 1], activation="sigmoid", loss="mse") is enough for the symbolic
    chain; forward/backward/step/walkthrough also need weights, input and target.
    """

    def __init__(self, layers: Sequence[int] = (1, 1), activation: str | Sequence[str] = "sigmoid",
                 loss: str = "mse", *, weights=None, biases=None, input=None, target=None,
                 learning_rate: Any = 0.1, freeze_biases: bool = False) -> None:
        self.architecture = architecture(layers, activation, loss)
        widths, depth = self.architecture.widths, self.architecture.depth
        self.learning_rate = read_number(learning_rate, "learning_rate")
        if not isinstance(freeze_biases, bool):
            raise UsageError(f"freeze_biases: expected true or false, got {freeze_biases!r}")
        self.freeze_biases = freeze_biases
        self.weights = None
        if weights is not None:
            if not isinstance(weights, list) or len(weights) != depth:
                got = f"{len(weights)} matrices" if isinstance(weights, list) else repr(weights)
                raise UsageError(f"weights: expected {depth} matrices (W1…W{depth}), got {got}")
            self.weights = [_matrix(w, widths[l + 1], widths[l], f"weights[{l}]", f"W{l + 1}")
                            for l, w in enumerate(weights)]
        if biases is None:
            self.biases = [[0] * widths[l] for l in range(1, depth + 1)]
        else:
            if not isinstance(biases, list) or len(biases) != depth:
                got = f"{len(biases)} vectors" if isinstance(biases, list) else repr(biases)
                raise UsageError(f"biases: expected {depth} vectors (b1…b{depth}), got {got}")
            self.biases = [_vector(b, widths[l + 1], f"biases[{l}]") for l, b in enumerate(biases)]
        self.inputs = None if input is None else _rows(input, widths[0], "input")
        self.targets = None if target is None else _rows(target, widths[-1], "target")
        if self.inputs is not None and self.targets is not None:
            if len(self.inputs) != len(self.targets):
                raise UsageError(f"target: expected {len(self.inputs)} rows, one per input row, "
                                 f"got {len(self.targets)}")
            self._check_targets()

    @classmethod
    def from_spec(cls, source) -> Network:
        """A network from a spec: a dict, or a path to a JSON or TOML file."""
        spec = load_spec(source)
        unknown = sorted(set(spec) - set(SPEC_FIELDS))
        if unknown:
            raise UsageError(f"spec: unknown field {unknown[0]!r}; expected fields "
                             f"{', '.join(SPEC_FIELDS)}")
        for required in ("layers", "input", "target", "weights"):
            if required not in spec:
                raise UsageError(f"{required}: missing; a spec needs layers, input, target and "
                                 "weights (activation, loss, biases, learning_rate and "
                                 "freeze_biases are optional)")
        return cls(**spec)

    def _check_targets(self) -> None:
        loss = self.architecture.loss
        for i, row in enumerate(self.targets):
            if loss in ("bce", "ce") and any(not 0 <= v <= 1 for v in row):
                raise UsageError(f"target[{i}]: {loss} needs targets between 0 and 1, got {row}")
            if loss == "ce" and abs(sum(row) - 1) > 1e-9:
                raise UsageError(f"target[{i}]: ce needs a probability distribution (entries "
                                 f"summing to 1, such as a one-hot vector), got {row}")

    # --- what the network can do

    @property
    def layers(self) -> tuple[int, ...]:
        return self.architecture.widths

    def is_exact(self) -> bool:
        """True when every value would stay rational (for --exact)."""
        return not self.exact_problem()

    def exact_problem(self) -> str | None:
        """Why exact arithmetic is impossible here, or None."""
        arch = self.architecture
        for layer, name in enumerate(arch.activations, start=1):
            if name not in EXACT_ACTIVATIONS:
                return (f"layer {layer} uses {name}, whose values are irrational; exact arithmetic "
                        f"needs activations {', '.join(EXACT_ACTIVATIONS)}")
        if arch.loss not in EXACT_LOSSES:
            return f"the loss {arch.loss} takes logarithms; exact arithmetic needs {', '.join(EXACT_LOSSES)}"
        numbers = [self.learning_rate]
        for matrix in self.weights or []:
            for row in matrix:
                numbers += row
        for group in (self.biases, self.inputs or [], self.targets or []):
            for row in group:
                numbers += row
        if any(isinstance(v, InexactNumber) for v in numbers):
            return "a number in the spec is irrational"
        return None

    def _require_numbers(self) -> None:
        missing = [name for name, value in (("weights", self.weights), ("input", self.inputs),
                                            ("target", self.targets)) if value is None]
        if missing:
            raise UsageError(f"{missing[0]}: missing; numeric backpropagation needs weights, "
                             "input and target")

    def forward(self, exact: bool = False):
        """The forward pass: per input row, per layer, (z, a)."""
        from calcgrad.networks import backprop

        self._require_numbers()
        inputs = [[backprop.convert(v, exact) for v in row] for row in self.inputs]
        return backprop.forward_rows(backprop.Parameters.of(self, exact), inputs, self.architecture)

    def backward(self, exact: bool = False) -> dict[str, Number]:
        """Mean gradient of the loss for every parameter, keyed "W1[0,1]", "b2[0]"."""
        return self.walkthrough(exact=exact, check=False).gradients

    def step(self, exact: bool = False) -> dict[str, Number]:
        """Every parameter after one gradient-descent step w ← w − η ∂L/∂w."""
        return self.walkthrough(exact=exact, check=False).updated

    def walkthrough(self, epochs: int = 1, exact: bool = False, precision: int = 9,
                    check: bool = True, progress=None):
        """The whole numeric worked example (a Walkthrough result object)."""
        from calcgrad.networks import backprop

        self._require_numbers()
        return backprop.walkthrough(self, epochs=epochs, exact=exact, precision=precision,
                                    check=check, progress=progress)

    def chain(self, expand: bool = False):
        """The symbolic chain rule for every parameter (one neuron per layer): a ScalarChain."""
        from calcgrad.networks.chain import scalar_chain

        return scalar_chain(self.architecture, expand=expand)

    def chain_of(self, param: str, expand: bool = False):
        """The chain of factors of one parameter ("w1", "b2") of a one-neuron-per-layer network."""
        return self.chain(expand=expand).chain(param)

    def matrix_form(self, param: str | None = None):
        """The δ recursion in vector/matrix form with shapes; with param ("W1[2,0]") that entry's chain."""
        from calcgrad.networks.chain import matrix_form

        return matrix_form(self.architecture, param)

    def __repr__(self) -> str:
        arch = self.architecture
        return (f"Network(layers={list(arch.widths)}, activation={list(arch.activations)}, "
                f"loss={arch.loss!r})")
