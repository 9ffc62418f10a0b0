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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

from calcgrad import limits
from calcgrad.engine.functions import ACTIVATIONS as ACTIVATION_ENTRIES
from calcgrad.engine.functions import activation_formula
from calcgrad.errors import CalcgradError, UsageError
from calcgrad.read import request
from calcgrad.read.parser import parse

Number = Union[int, float, Fraction]


class InexactNumber(float):
    """A float that stands for an irrational value from the spec ("pi", "sqrt(2)")."""

ACTIVATIONS = tuple(sorted(ACTIVATION_ENTRIES, key=lambda name: name != "sigmoid"))
"""Activation names, from the rows of the function table with an activation role (sigmoid, the
default, first); softmax only in the output layer."""

LOSSES = ("mse", "sse", "half_sse", "bce", "ce")
"""Loss names: (1/n)Σ(y−ŷ)², Σ(y−ŷ)², ½Σ(y−ŷ)², binary and categorical cross-entropy."""

LOSS_FORMULAS = {
    "mse": "L = (1/n)·Σᵢ(yᵢ − ŷᵢ)²",
    "sse": "L = Σᵢ(yᵢ − ŷᵢ)²",
    "half_sse": "L = ½·Σᵢ(yᵢ − ŷᵢ)²",
    "bce": "L = −(1/n)·Σᵢ[yᵢ·ln ŷᵢ + (1 − yᵢ)·ln(1 − ŷᵢ)]",
    "ce": "L = −Σᵢ yᵢ·ln ŷᵢ",
}

HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "softmax")
"""Activations allowed in hidden layers."""

ACTIVATION_FORMULAS = {name: activation_formula(name) for name in ACTIVATIONS}
"""One-line formula of each activation (from the function table)."""

EXACT_ACTIVATIONS = tuple(name for name in ACTIVATIONS if ACTIVATION_ENTRIES[name].exact)
EXACT_LOSSES = ("mse", "sse", "half_sse")
"""With --exact every value must stay rational: only these keep rational inputs rational."""

SPEC_FIELDS = ("layers", "activation", "loss", "input", "target", "weights", "biases",
               "learning_rate", "freeze_biases")

CONVENTIONS = ("z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), a⁽⁰⁾ = x; W⁽ˡ⁾ has shape (nₗ, nₗ₋₁) "
               "and W⁽ˡ⁾[j,k] connects neuron k of layer l−1 to neuron j of layer l (counted from 1)")


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
        """Every parameter key in order, counted from 1 as on paper: W1[1,1], W1[1,2], …, b1[1],
        …, W2[…], … (W1[j,k] is w⁽¹⁾ⱼₖ, from neuron k of layer 0 to neuron j of layer 1)."""
        keys = []
        for layer in range(1, self.depth + 1):
            rows, cols = self.widths[layer], self.widths[layer - 1]
            keys += [request.parameter_key("W", layer, j, k) for j in range(rows) for k in range(cols)]
            if not freeze_biases:
                keys += [request.parameter_key("b", layer, j) for j in range(rows)]
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
                             f"layer {index + 1}; use {', '.join(HIDDEN_ACTIVATIONS[:-1])} "
                             f"or {HIDDEN_ACTIVATIONS[-1]} there")
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
    """"W1[3,1]" → ("W", 1, 2, 0): a key counted from 1, read into 0-based array indices
    (calcgrad.read.request.parameter, which every --param goes through)."""

    return request.parameter(key, arch.widths)


def canonical_key(key: str, arch: Architecture) -> str:
    """The key as calcgrad prints it, counted from 1: "W1[2,0]" (the old form) → "W1[3,1]"."""
    return request.parameter_key(*request.parameter(key, arch.widths))


# --- spec files -----------------------------------------------------------------------------


def load_spec(source) -> dict:
    """A spec as a dict, from a mapping, or a JSON/TOML file path; UsageError if unreadable."""
    if isinstance(source, Mapping):
        return dict(source)
    if not isinstance(source, (str, pathlib.Path)):
        raise UsageError(f"spec: expected a path or a dict, got {type(source).__name__}")
    path = pathlib.Path(source)
    try:
        size = path.stat().st_size
        if size > limits.MAX_SPEC_BYTES:
            raise UsageError(f"spec: {path} is {size:,} bytes; the limit is {limits.MAX_SPEC_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"spec: cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"spec: {path} is not UTF-8 text") from None
    if path.suffix.lower() == ".toml":
        # lazy: start-up speed (tomllib only for TOML files)
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"spec: {path} is not valid TOML: {error}") from None
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
            raise UsageError(f"{field}: {value:.3e} is too large (at most 1e300)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"{field}: expected a finite number, got {value}")
        return value
    if isinstance(value, str):
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


def read_vector(value, length: int, field: str) -> list[Number]:
    if not isinstance(value, list) or len(value) != length:
        got = f"{len(value)} values" if isinstance(value, list) else repr(value)
        raise UsageError(f"{field}: expected a list of {length} numbers, got {got}")
    return [read_number(v, f"{field}[{i}]") for i, v in enumerate(value)]


def read_rows(value, width: int, field: str) -> list[list[Number]]:
    """One row or a batch (list of rows), each of `width` numbers."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        if len(value) > limits.MAX_BATCH_ROWS:
            raise UsageError(f"{field}: at most {limits.MAX_BATCH_ROWS} rows, got {len(value)}")
        return [read_vector(row, width, f"{field}[{i}]") for i, row in enumerate(value)]
    return [read_vector(value, width, field)]


def read_matrix(value, rows: int, cols: int, field: str, name: str) -> list[list[Number]]:
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
