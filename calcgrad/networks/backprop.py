"""Numeric backpropagation: forward pass, δ recursion, gradients, one update, each checked.

    δ⁽ᴸ⁾ = ∇ₐL ⊙ f′(z⁽ᴸ⁾)            (softmax with cross-entropy: δ⁽ᴸ⁾ = ŷ − y)
    δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾)
    ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ,  ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾,  then one optimiser step (sgd: w ← w − η ∂L/∂w;
    the others in calcgrad.networks.optimizers)

The arithmetic is NumPy's: a batch is a matrix with one row per example, so a layer is
Z⁽ˡ⁾ = A⁽ˡ⁻¹⁾(W⁽ˡ⁾)ᵀ + b⁽ˡ⁾ and the backward pass is Δ⁽ˡ⁾ = (Δ⁽ˡ⁺¹⁾W⁽ˡ⁺¹⁾) ⊙ f′(Z⁽ˡ⁾), in float64.
Exact arithmetic (--exact: activations and losses that keep rationals rational) runs the same
array expressions on arrays of Fractions (dtype object). NumPy is imported only where numbers
are worked (start-up speed: the CLI and the symbolic chain never load it).

Every gradient is checked against a central finite difference (L(w + h) − L(w − h))/2h, for an
even spread of at most limits.MAX_GRADIENT_CHECKS parameters, each shown next to its gradient.
A check recomputes only what its parameter reaches: moving w⁽ˡ⁾ⱼₖ by ±h moves z⁽ˡ⁾ⱼ by
±h·a⁽ˡ⁻¹⁾ₖ, hence a⁽ˡ⁾ⱼ, then z⁽ˡ⁺¹⁾ by W⁽ˡ⁺¹⁾[:, j]·Δa⁽ˡ⁾ⱼ (one column, not the product), then
the layers after; the checked parameters of one layer, both signs, go through this together
as one array. (Checking along a few random directions instead would cost less, but a student
could no longer read each parameter's finite difference beside its gradient.)
"""

from __future__ import annotations

import math
import re
from collections.abc import ItemsView, Mapping, ValuesView
from dataclasses import dataclass, field
from itertools import chain
from fractions import Fraction
from typing import Callable, ClassVar

from calcgrad import limits
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.functions import ACTIVATIONS, LEAKY_SLOPE
from calcgrad.read.request import parameter_key
from calcgrad.render.protocol import Rendered
from calcgrad.networks import optimizers
from calcgrad.networks.architecture import Architecture, Number

FINITE_DIFFERENCE_STEP = 1e-5
"""h in (L(w + h) − L(w − h)) / 2h."""

VANISHING_RATIO = 100
"""A last/first-layer gradient ratio beyond 100 (or below 1/100) is called vanishing (exploding)."""

RELATIVE_TOLERANCE = 1e-4
"""A gradient check passes when |g − g_fd| / max(|g|, |g_fd|, 1e-6) is below this."""

CHECK_CHUNK = 2_000_000
"""Most numbers one array of perturbed forward passes holds (16 MB); more checks go in turns."""

_KINKED = tuple(name for name, entry in ACTIVATIONS.items() if entry.special_at_zero)
"""Activations with a kink at 0 (ReLU, leaky ReLU), where finite differences can mislead."""


# --- activations ---------------------------------------------------------------------------------


def activate(name: str, z: list) -> list:
    """a = f(z) for one layer given as a list (the array code below, on that list)."""
    return activate_array(name, _array_of(z)).tolist()


def slope(name: str, z: list, a: list) -> list:
    """f′(z) for one layer given as a list (not for softmax, whose Jacobian is not diagonal),
    with the function table's kink convention (ReLU′(0) = 0)."""
    return slope_array(name, _array_of(z), _array_of(a)).tolist()


def _array_of(values: list):
    """Numbers as an array: floats as float64, anything exact (Fractions, SymPy) as objects."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    array = np.asarray(values)
    return array.astype(float) if array.dtype.kind in "iub" else array


def _sigmoid(np, z):
    """σ(z) without overflow: 1/(1 + e⁻ᶻ) for z ≥ 0, eᶻ/(1 + eᶻ) below (as the function table)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(np, z):
    """ln(1 + eᶻ) without overflow: z + ln(1 + e⁻ᶻ) for z > 0, ln(1 + eᶻ) below (as the table)."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def activate_array(name: str, z):
    """a = f(z) elementwise on an array (softmax along the last axis). Floats use NumPy's forms
    of the function table's values (tests/networks compare them); Fractions, and an activation
    without a NumPy form, use the table's own value one number at a time."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    if name == "softmax":
        exps = np.exp(z - z.max(axis=-1, keepdims=True))
        return exps / exps.sum(axis=-1, keepdims=True)
    entry = ACTIVATIONS.get(name)
    if entry is None:
        raise UsageError(f"unknown activation {name!r}")
    if z.dtype != object:
        if name == "sigmoid":
            return _sigmoid(np, z)
        if name == "tanh":
            return np.tanh(z)
        if name == "relu":
            return np.where(z > 0, z, 0.0)
        if name == "leaky_relu":
            return np.where(z > 0, z, z * float(LEAKY_SLOPE))
        if name == "softplus":
            return _softplus(np, z)
        if name == "silu":
            return z * _sigmoid(np, z)
        if name == "linear":
            return z
    return _table_elementwise(np, entry.float_value, z)


def slope_array(name: str, z, a):
    """f′(z) elementwise on an array, given a = f(z) (not softmax); ReLU′(0) = 0 as in the table."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    entry = ACTIVATIONS.get(name)
    if entry is None or entry.slope is None:
        raise UsageError(f"no elementwise derivative for {name!r}")
    if z.dtype != object:
        if name == "sigmoid":
            return a * (1 - a)
        if name == "tanh":
            return 1 - a ** 2
        if name == "relu":
            return np.where(z > 0, 1.0, 0.0)
        if name == "leaky_relu":
            return np.where(z > 0, 1.0, float(LEAKY_SLOPE))
        if name == "softplus":
            return _sigmoid(np, z)
        if name == "silu":
            s = _sigmoid(np, z)
            return s * (1 + z * (1 - s))
        if name == "linear":
            return np.ones_like(z)
    return _table_elementwise(np, entry.float_slope, z)


def _table_elementwise(np, function, z):
    """A function of the table applied to every entry (Fractions stay Fractions)."""
    values = np.frompyfunc(function, 1, 1)(z)
    return values if z.dtype == object else values.astype(z.dtype)


# --- losses, row by row ------------------------------------------------------------------------


def _log_sum_exp(np, z):
    """ln Σ e^z along the last axis without overflow (−∞ where every entry is −∞)."""
    top = z.max(axis=-1, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return (safe + np.log(np.exp(z - safe).sum(axis=-1, keepdims=True)))[..., 0]


def _log_probabilities(np, activation: str, z, a, need_rest: bool):
    """(ln ŷᵢ, ln(1 − ŷᵢ)) computed from z, so they stay finite where ŷ rounds to 0 or 1.

    sigmoid: ln σ(z) = −softplus(−z), ln(1 − σ(z)) = −softplus(z);
    softmax: ln ŷᵢ = zᵢ − ln Σⱼ e^(zⱼ), ln(1 − ŷᵢ) = ln Σⱼ≠ᵢ e^(zⱼ) − ln Σⱼ e^(zⱼ).
    Any other output falls back to ln of the rounded values. ln(1 − ŷ) only when `need_rest`.
    """
    if activation == "sigmoid":
        return -_softplus(np, -z), (-_softplus(np, z) if need_rest else None)
    if activation == "softmax":
        total = _log_sum_exp(np, z)[..., None]
        rest = None
        if need_rest:  # Σ over j ≠ i: the row repeated with its i-th entry left out (−∞)
            n = z.shape[-1]
            others = np.where(np.eye(n, dtype=bool), -np.inf, z[..., None, :])
            rest = _log_sum_exp(np, others) - total
        return z - total, rest
    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = np.where(a > 0, np.log(np.where(a > 0, a, 1.0)), -np.inf)
        log_rest = np.where(a < 1, np.log(np.where(a < 1, 1 - a, 1.0)), -np.inf)
    return log_a, log_rest


def loss_value(name: str, a, y, z, activation: str):
    """L(ŷ, y) of every row (the last axis holds one example's outputs). bce and ce take their
    logarithms from z (see _log_probabilities), so a saturated output gives the true, finite
    loss rather than ln 0 (after σ or softmax they need only z: `a` may then be None)."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    n = z.shape[-1]
    if name in ("mse", "sse", "half_sse"):
        total = ((y - a) ** 2).sum(axis=-1)
        return total / n if name == "mse" else total / 2 if name == "half_sse" else total
    if name not in ("bce", "ce"):
        raise UsageError(f"unknown loss {name!r}")
    log_a, log_rest = _log_probabilities(np, activation, z, a, need_rest=name == "bce")
    with np.errstate(invalid="ignore"):  # a zero coefficient contributes 0 even where its log is −∞
        total = -np.where(y != 0, y * log_a, 0.0).sum(axis=-1)
        if name == "ce":
            return total
        return (total - np.where(y != 1, (1 - y) * log_rest, 0.0).sum(axis=-1)) / n


def saturation_note(arch: Architecture, outputs) -> str | None:
    """A sentence when an output ŷ (a row of `outputs`) rounds to exactly 0 or 1 under a
    logarithmic loss, else None."""
    if arch.loss not in ("bce", "ce") or (arch.loss == "ce" and outputs.shape[-1] == 1):
        return None
    for r, a in enumerate(outputs.tolist()):
        if any(v <= 0 or v >= 1 for v in a):
            row = f" (row {r})" if len(outputs) > 1 else ""
            return (f"the output ŷ{row} = [{', '.join(f'{float(v):.17g}' for v in a)}] is saturated: "
                    "it rounds to exactly 0 or 1 in floating point, where ln ŷ or ln(1 − ŷ) would "
                    "be ln 0 = −∞. calcgrad therefore takes the logarithms from z⁽ᴸ⁾ "
                    "(ln σ(z) = −softplus(−z), ln softmax(z)ᵢ = zᵢ − ln Σⱼe^(zⱼ)), which gives the "
                    "true finite loss, and δ⁽ᴸ⁾ from the cancelled form ŷ − y; the gradient is "
                    "nearly that of a wrong answer at full confidence, so a step can be large")
    return None


def loss_gradient(name: str, a, y):
    """∇ₐL of every row."""
    n = a.shape[-1]
    if name == "mse":
        return 2 * (a - y) / n
    if name == "sse":
        return 2 * (a - y)
    if name == "half_sse":
        return a - y
    if name == "bce":
        if ((a <= 0) | (a >= 1)).any():
            raise UsageError("bce: the softmax output reaches exactly 0 or 1, where ∂L/∂ŷ = "
                             "(ŷ − y)/(ŷ(1 − ŷ)) divides by zero and softmax with bce has no "
                             "cancelled form; use a sigmoid output with bce, softmax with ce, "
                             "or smaller weights")
        return (a - y) / (n * a * (1 - a))
    if name == "ce":
        return -y / a
    raise UsageError(f"unknown loss {name!r}")


def output_delta(arch: Architecture, z, a, y):
    """δ⁽ᴸ⁾ = ∂L/∂z⁽ᴸ⁾ of every row, in the cancelled form where one exists (it stays finite when
    ŷ saturates): softmax with ce gives ŷ − y, sigmoid with bce gives (ŷ − y)/n."""
    activation = arch.activations[-1]
    if activation == "softmax" and arch.loss == "ce":
        total = y.sum(axis=-1, keepdims=True)  # 1 for a probability distribution, so δ = ŷ − y
        return a * total - y
    if activation == "sigmoid" and arch.loss == "bce":
        return (a - y) / a.shape[-1]
    gradient = loss_gradient(arch.loss, a, y)
    if activation == "softmax":
        weighted = (gradient * a).sum(axis=-1, keepdims=True)
        return a * (gradient - weighted)
    return gradient * slope_array(activation, z, a)


# --- parameters, forward, backward ----------------------------------------------------------


def to_fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(value))  # the decimal the spec wrote, 0.1 → 1/10


def convert(value: Number, exact: bool) -> Number:
    return to_fraction(value) if exact else float(value)


def as_array(rows, exact: bool):
    """Numbers (a list, or a list of rows) as an array: float64, or Fractions (dtype object)."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    if not exact:
        return np.array(rows, dtype=float)
    if rows and isinstance(rows[0], list):
        return np.array([[to_fraction(v) for v in row] for row in rows], dtype=object)
    return np.array([to_fraction(v) for v in rows], dtype=object)


def python_number(value) -> Number:
    """A NumPy scalar as a Python float (a Fraction stays itself)."""
    return value.item() if hasattr(value, "item") else value


@dataclass
class Parameters:
    """Weights W⁽ˡ⁾ (shape (nₗ, nₗ₋₁)) and biases b⁽ˡ⁾ (shape (nₗ,)), float64 or Fractions: views
    into one flat array `values` in the order of Architecture.parameter_keys, so the optimiser
    updates every parameter at once and nothing is copied to list them."""

    values: object
    weights: list
    biases: list

    @classmethod
    def from_flat(cls, values, widths: tuple[int, ...]) -> Parameters:
        """Parameters whose matrices and vectors are views into `values` (not copies)."""
        weights, biases, start = [], [], 0
        for rows, cols in zip(widths[1:], widths):
            weights.append(values[start:start + rows * cols].reshape(rows, cols))
            start += rows * cols
            biases.append(values[start:start + rows])
            start += rows
        return cls(values, weights, biases)

    @classmethod
    def of(cls, network, exact: bool = False) -> Parameters:
        """The network's weights and biases, read once into one array."""
        # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
        import numpy as np

        numbers = []
        for matrix, vector in zip(network.weights, network.biases):
            numbers.append(chain.from_iterable(matrix))
            numbers.append(vector)
        count = sum(len(matrix) * len(matrix[0]) + len(vector)
                    for matrix, vector in zip(network.weights, network.biases))
        if exact:
            values = np.array([to_fraction(v) for v in chain.from_iterable(numbers)], dtype=object)
        else:
            values = np.fromiter(chain.from_iterable(numbers), dtype=float, count=count)
        return cls.from_flat(values, network.architecture.widths)

    def zeros(self) -> Parameters:
        """Parameters of the same shape and kind, every entry 0 (to be filled in)."""
        # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
        import numpy as np

        return Parameters.from_flat(np.zeros_like(self.values), self.widths)

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].shape[1],) + tuple(len(b) for b in self.biases)

    def get(self, kind: str, layer: int, j: int, k: int | None) -> Number:
        value = self.weights[layer - 1][j, k] if kind == "W" else self.biases[layer - 1][j]
        return python_number(value)

    def flat(self, freeze_biases: bool = False):
        """Every value (only the weights when biases are frozen) in the order of
        Architecture.parameter_keys; the array itself, not a copy, when biases are included."""
        # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
        import numpy as np

        if not freeze_biases:
            return self.values
        return np.concatenate([matrix.ravel() for matrix in self.weights])

    def as_float(self) -> Parameters:
        return Parameters.from_flat(self.values.astype(float), self.widths)


def read_numbers(network) -> tuple[Parameters, object, object] | None:
    """The network's parameters, inputs and targets as read-only float64 arrays, read once when
    the network is made and shared by every walkthrough, forward, backward and step on it (None
    when a number is too large for a float: the walkthrough then says so itself)."""
    try:
        params = Parameters.of(network)
        arrays = (params.values, as_array(network.inputs, False), as_array(network.targets, False))
    except OverflowError:
        return None
    for array in arrays:
        array.flags.writeable = False
    return params, arrays[1], arrays[2]


def forward(params: Parameters, inputs, arch: Architecture) -> list:
    """[(Z⁽¹⁾, A⁽¹⁾), …, (Z⁽ᴸ⁾, A⁽ᴸ⁾)] for a batch (one row per input)."""
    layers = []
    a = inputs
    for weights, biases, name in zip(params.weights, params.biases, arch.activations):
        z = a @ weights.T + biases
        a = activate_array(name, z)
        layers.append((z, a))
    return layers


def forward_rows(params: Parameters, inputs: list, arch: Architecture) -> list:
    """The forward pass of every input row, as lists: per row, per layer, (z, a)."""
    exact = params.weights[0].dtype == object
    layers = forward(params, as_array(inputs, exact), arch)
    columns = [(z.tolist(), a.tolist()) for z, a in layers]
    return [[(z[r], a[r]) for z, a in columns] for r in range(len(inputs))]


def backward(params: Parameters, targets, layers: list, arch: Architecture) -> list:
    """[Δ⁽¹⁾, …, Δ⁽ᴸ⁾]: δ of every row, layer by layer, from the forward pass."""
    z, a = layers[-1]
    deltas = [output_delta(arch, z, a, targets)]
    for l in range(arch.depth - 1, 0, -1):  # δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾), l = L−1 … 1
        z, a = layers[l - 1]
        deltas.insert(0, (deltas[0] @ params.weights[l]) * slope_array(arch.activations[l - 1], z, a))
    return deltas


@dataclass
class _Pass:
    """One full pass over the batch: forward values, loss, deltas and mean gradients (arrays)."""

    inputs: object
    targets: object
    forward: list
    loss: Number
    deltas: list
    gradients: Parameters   # mean ∂L/∂W⁽ˡ⁾ and ∂L/∂b⁽ˡ⁾, one flat array like the parameters


def full_pass(params: Parameters, inputs, targets, arch: Architecture) -> _Pass:
    """Forward and backward over the batch; loss and gradients are means over its rows."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    count = len(inputs)
    layers = forward(params, inputs, arch)
    deltas = backward(params, targets, layers, arch)
    z, a = layers[-1]
    loss = python_number(loss_value(arch.loss, a, targets, z, arch.activations[-1]).sum() / count)
    gradients = params.zeros()
    for l, delta in enumerate(deltas):
        previous = inputs if l == 0 else layers[l - 1][1]
        np.matmul(delta.T, previous, out=gradients.weights[l])  # ∂L/∂W⁽ˡ⁾ = Σ rows δ(a⁽ˡ⁻¹⁾)ᵀ
        np.sum(delta, axis=0, out=gradients.biases[l])
    if count > 1:
        gradients.values /= count
    return _Pass(inputs, targets, layers, loss, deltas, gradients)


def unflat(values, like: Parameters, freeze_biases: bool) -> Parameters:
    """Parameters shaped like `like` from a flat array in the order of Parameters.flat
    (biases kept from `like` when frozen)."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    if not freeze_biases:
        return Parameters.from_flat(values, like.widths)
    parts, start = [], 0
    for matrix, vector in zip(like.weights, like.biases):
        parts += [values[start:start + matrix.size], vector]
        start += matrix.size
    return Parameters.from_flat(np.concatenate(parts), like.widths)


def optimizer_step(params: Parameters, run: _Pass, rate: Number, freeze_biases: bool,
                   optimizer: optimizers.Optimizer, state: optimizers.State,
                   explain: frozenset = frozenset()) -> tuple[Parameters, dict]:
    """One optimiser step on every parameter; the written-out lines for the indices in `explain`."""
    values = params.flat(freeze_biases)
    gradients = run.gradients.flat(freeze_biases)
    new_values, lines = optimizers.step(optimizer, rate, values, gradients, state, explain)
    return unflat(new_values, params, freeze_biases), lines


# --- every parameter by its name ----------------------------------------------------------------

_KEY = re.compile(r"([Wb])(\d+)\[(\d+)(?:,(\d+))?\]")


class ParameterValues(Mapping):
    """Parameter key ("W1[2,3]", "b2[1]") → value, read from one flat array in the order of
    Architecture.parameter_keys; behaves as a read-only dict (dict(…) makes one).

    A [784, 128, 10] network has 101,770 parameters: writing every name and filling a dict
    would take longer than the whole forward and backward pass, so the names are written when
    the mapping is first iterated, and a lookup reads the indices from the key."""

    def __init__(self, values, arch: Architecture, freeze_biases: bool) -> None:
        self.array = values
        """The values, one flat array (float64, or Fractions in an object array)."""
        self._arch = arch
        self._freeze_biases = freeze_biases
        self._keys: list[str] | None = None
        self._numbers: list | None = None
        self._starts = []  # per layer: where its weights start, where its biases start
        start = 0
        for layer in range(1, arch.depth + 1):
            rows, cols = arch.widths[layer], arch.widths[layer - 1]
            self._starts.append((start, start + rows * cols))
            start += rows * cols + (0 if freeze_biases else rows)

    def locate(self, index: int) -> tuple[str, int, int, int | None]:
        """(kind, layer, j, k) of the parameter at a position of the flat order (j, k from 0)."""
        for layer in range(self._arch.depth, 0, -1):
            weights_start, biases_start = self._starts[layer - 1]
            if index >= weights_start:
                if index < biases_start:
                    return ("W", layer, *divmod(index - weights_start, self._arch.widths[layer - 1]))
                return "b", layer, index - biases_start, None
        raise IndexError(index)

    def key(self, index: int) -> str:
        """The key of the parameter at a position of the flat order ("W1[1,1]" for 0)."""
        return parameter_key(*self.locate(index))

    def at(self, index: int) -> Number:
        """The value at a position of the flat order."""
        return python_number(self.array[index])

    def _index(self, key) -> int:
        match = _KEY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise KeyError(key)
        kind, layer, j, k = match[1], int(match[2]), int(match[3]) - 1, match[4]
        if not 1 <= layer <= self._arch.depth or not 0 <= j < self._arch.widths[layer]:
            raise KeyError(key)
        weights_start, biases_start = self._starts[layer - 1]
        if kind == "W" and k is not None and 0 <= int(k) - 1 < self._arch.widths[layer - 1]:
            index = weights_start + j * self._arch.widths[layer - 1] + int(k) - 1
        elif kind == "b" and k is None and not self._freeze_biases:
            index = biases_start + j
        else:
            raise KeyError(key)
        if self.key(index) != key:  # "W01[1,1]" names no parameter
            raise KeyError(key)
        return index

    def __getitem__(self, key: str) -> Number:
        return python_number(self.array[self._index(key)])

    def __iter__(self):
        return iter(self._key_list())

    def __len__(self) -> int:
        return len(self.array)

    def _key_list(self) -> list[str]:
        if self._keys is None:
            self._keys = self._arch.parameter_keys(self._freeze_biases)
        return self._keys

    def _number_list(self) -> list:
        if self._numbers is None:
            self._numbers = self.array.tolist()
        return self._numbers

    def items(self) -> ItemsView:
        return _Items(self)

    def values(self) -> ValuesView:
        return _Values(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class _Items(ItemsView):
    def __iter__(self):
        return zip(self._mapping._key_list(), self._mapping._number_list())


class _Values(ValuesView):
    def __iter__(self):
        return iter(self._mapping._number_list())


# --- gradient check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One parameter's gradient against its central finite difference."""

    gradient: float
    finite_difference: float
    relative_error: float
    near_kink: bool

    @property
    def ok(self) -> bool:
        return self.relative_error < RELATIVE_TOLERANCE


def _perturbed_losses(params: Parameters, run: _Pass, arch: Architecture, layer: int,
                      group: list, h: float):
    """Mean losses with each parameter of `group` ((kind, j, k) of one `layer`) moved by +h and
    by −h, and whether a ReLU input it reaches changes sign (or is 0) between the two.

    Row p of every array is one perturbed network (the first half +h, the second −h); only what
    the parameter reaches is computed: z⁽ˡ⁾ⱼ, a⁽ˡ⁾ⱼ, z⁽ˡ⁺¹⁾ through one column of W⁽ˡ⁺¹⁾, then
    the layers after."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    count = len(group)
    rows = np.array([j for _, j, _ in group] * 2)
    before = run.inputs if layer == 1 else run.forward[layer - 2][1]
    is_bias = np.array([kind == "b" for kind, _, _ in group])[:, None]
    inputs = np.where(is_bias, 1.0, before[:, [k or 0 for _, _, k in group]].T)  # a bias's input is 1
    change = np.concatenate([h * inputs, -h * inputs])  # (2P, B): how much each z⁽ˡ⁾ⱼ moves
    z_layer, a_layer = run.forward[layer - 1]
    z_j = z_layer[:, rows].T + change
    name = arch.activations[layer - 1]
    signs = [np.sign(z_j)] if name in _KINKED else []
    # bce and ce after σ or softmax take the loss from z alone (ln ŷ from z), so ŷ is not needed
    loss_from_z = arch.loss in ("bce", "ce") and arch.activations[-1] in ("sigmoid", "softmax")
    a = None
    if layer == arch.depth:
        z = np.repeat(z_layer[None], 2 * count, axis=0)
        z[np.arange(2 * count), :, rows] = z_j
        if not loss_from_z:
            a = activate_array(name, z)
    else:
        change_of_a = activate_array(name, z_j) - a_layer[:, rows].T
        column = params.weights[layer][:, rows].T  # (2P, nₗ₊₁): column j of W⁽ˡ⁺¹⁾ per row
        z = run.forward[layer][0][None] + change_of_a[:, :, None] * column[:, None, :]
        for l in range(layer + 1, arch.depth + 1):
            if l > layer + 1:
                z = a @ params.weights[l - 1].T + params.biases[l - 1]
            if l < arch.depth or not loss_from_z:
                a = activate_array(arch.activations[l - 1], z)
            if arch.activations[l - 1] in _KINKED:
                signs.append(np.sign(z))
    losses = loss_value(arch.loss, a, run.targets, z, arch.activations[-1]).mean(axis=-1)
    kink = np.zeros(count, dtype=bool)
    for sign in signs:
        sign = sign.reshape(2 * count, -1)
        kink |= (sign[:count] != sign[count:]).any(axis=1) | (sign[:count] == 0).any(axis=1)
    return losses[:count], losses[count:], kink


def gradient_check(params: Parameters, run: _Pass, arch: Architecture, indices: list[int],
                   gradients: ParameterValues) -> dict[str, Check]:
    """Central finite differences (float arithmetic) for the parameters at the chosen positions
    of the flat order, a layer at a time; keyed by parameter name, in the order given."""
    h = FINITE_DIFFERENCE_STEP
    by_layer: dict[int, list] = {}
    for index in indices:
        kind, layer, j, k = gradients.locate(index)
        by_layer.setdefault(layer, []).append((index, (kind, j, k)))
    checks = {}
    batch = len(run.inputs)
    for layer, group in by_layer.items():
        widest = max(arch.widths[layer + 1:], default=arch.widths[layer])  # what a check reaches
        size = max(1, CHECK_CHUNK // (2 * batch * widest))
        for start in range(0, len(group), size):
            part = group[start:start + size]
            plus, minus, kinks = _perturbed_losses(params, run, arch, layer, [p for _, p in part], h)
            for (index, _), up, down, kink in zip(part, plus.tolist(), minus.tolist(), kinks.tolist()):
                estimate = (up - down) / (2 * h)
                gradient = float(gradients.at(index))
                error = abs(gradient - estimate) / max(abs(gradient), abs(estimate), 1e-6)
                checks[index] = Check(gradient, estimate, error, kink)
    return {gradients.key(index): checks[index] for index in indices}


def spread(keys, count: int) -> list:
    """At most `count` keys (of a list or a range), evenly spaced, first and last included."""
    if len(keys) <= count:
        return list(keys)
    return [keys[round(i * (len(keys) - 1) / (count - 1))] for i in range(count)]


@dataclass(frozen=True)
class LayerSize:
    """How large the backward signal is at one layer (Euclidean/Frobenius norms, as floats)."""

    layer: int
    delta: float            # ‖δ⁽ˡ⁾‖, the mean over the batch rows
    weight_gradient: float  # ‖∂L/∂W⁽ˡ⁾‖ of the mean gradient


def gradient_sizes(run: _Pass) -> tuple[LayerSize, ...]:
    """‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ for every layer l = 1…L."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    sizes = []
    for l, (matrix, deltas) in enumerate(zip(run.gradients.weights, run.deltas)):
        deltas, matrix = deltas.astype(float, copy=False), matrix.astype(float, copy=False).ravel()
        delta = float(np.sqrt((deltas * deltas).sum(axis=1)).mean())
        sizes.append(LayerSize(l + 1, delta, math.sqrt(float(np.dot(matrix, matrix)))))
    return tuple(sizes)


# --- the walkthrough result -----------------------------------------------------------------


@dataclass(frozen=True)
class Walkthrough(Rendered):
    """A worked numeric example: forward pass, loss, δ per layer, gradients, one update."""

    RENDERER: ClassVar[str] = "calcgrad.render.walkthrough"
    TABLE: ClassVar[bool] = True    # the parameter table is also written as CSV

    architecture: Architecture
    inputs: tuple
    targets: tuple
    learning_rate: Number
    freeze_biases: bool
    exact: bool
    precision: int
    forward: tuple          # per row: per layer (z, a)
    loss: Number
    deltas: tuple           # per row: per layer δ
    parameters: Mapping     # key → value before the step (a ParameterValues)
    gradients: Mapping      # key → mean ∂L/∂param
    updated: Mapping        # key → value after one step
    gradient_check: dict    # key → Check (a spread of keys for large networks)
    parameter_count: int
    epoch_losses: tuple = ()   # loss at the start of each epoch, with --epochs
    final_loss: Number | None = None
    final: Mapping = field(default_factory=dict)
    notes: tuple = ()          # sentences on numerical trouble (a saturated output, …)
    optimizer: optimizers.Optimizer = optimizers.Optimizer()
    update_lines: dict = field(default_factory=dict)  # key → the first step written out (Lines)
    gradient_sizes: tuple = ()  # per layer 1…L: LayerSize (how big δ and ∂L/∂W are there)
    last_update_lines: dict = field(default_factory=dict)  # with --epochs: the last step written out

    @property
    def gradient_ratio(self) -> float | None:
        """‖∂L/∂W⁽ᴸ⁾‖ / ‖∂L/∂W⁽¹⁾‖: far above 1, the gradient vanishes on its way back; far
        below 1, it explodes (inf when the first layer's gradient is exactly 0)."""
        if len(self.gradient_sizes) < 2:
            return None
        first, last = self.gradient_sizes[0].weight_gradient, self.gradient_sizes[-1].weight_gradient
        if first == 0:
            return math.inf if last else None
        return last / first

    def gradient_sentence(self) -> str | None:
        """One sentence on what the ratio means, for networks of 3 or more layers."""
        ratio = self.gradient_ratio
        if ratio is None or self.architecture.depth < 3:
            return None
        depth = self.architecture.depth
        if math.isinf(ratio):
            return ("the first layer's gradient is exactly 0 (no signal reaches it, e.g. ReLUs "
                    "with z ≤ 0), so W⁽¹⁾ does not learn from this input")
        if ratio >= VANISHING_RATIO:
            return (f"vanishing gradient: layer 1's gradient is {ratio:.3g} times smaller than layer "
                    f"{depth}'s. Every layer on the way back multiplies δ by (W)ᵀ and by f′(z) "
                    "(at most 1/4 for sigmoid), so the first layers barely move in a step and "
                    "learn far more slowly than the last")
        if ratio <= 1 / VANISHING_RATIO:
            return (f"exploding gradient: layer 1's gradient is {1 / ratio:.3g} times larger than "
                    f"layer {depth}'s. The factors (W)ᵀ and f′(z) multiplied on the way back exceed "
                    "1, so a step that suits the last layer throws the first ones far off; "
                    "smaller weights or a smaller learning rate help")
        return (f"the gradient keeps its size on the way back (layer {depth} / layer 1 = "
                f"{ratio:.3g}): neither vanishing nor exploding, so every layer learns at a "
                "similar pace")

    @property
    def batch_size(self) -> int:
        return len(self.inputs)

    def number(self, value) -> str:
        """A number as shown: 9 significant digits (or `precision`), p/q when exact."""
        if isinstance(value, Fraction):
            text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        else:
            text = f"{float(value) + 0.0:.{self.precision}g}"  # + 0.0: never "-0"
        return text  # ASCII "-": numbers in tables are pasted into code (6.88553e-05)


def walkthrough(network, epochs: int = 1, exact: bool = False, precision: int = 9,
                check: bool = True, progress: Callable[[int], None] | None = None) -> Walkthrough:
    """Run one gradient-descent step in full detail, then `epochs − 1` more for the loss curve."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise UsageError(f"epochs: expected a whole number ≥ 1, got {epochs!r}")
    if epochs > limits.MAX_EPOCHS:
        raise UsageError(f"epochs: at most {limits.MAX_EPOCHS}, got {epochs}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise UsageError(f"precision: expected a whole number from 1 to 17, got {precision!r}")
    if exact:
        problem = network.exact_problem()
        if problem:
            raise UsageError(f"--exact: {problem}")
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    with np.errstate(all="ignore"):  # an overflow is reported in words by _check_size
        return _worked(network, epochs, exact, precision, check, progress)


def _worked(network, epochs: int, exact: bool, precision: int, check: bool,
            progress: Callable[[int], None] | None) -> Walkthrough:
    arch = network.architecture
    rate = convert(network.learning_rate, exact)
    optimizer = network.optimizer.converted(lambda v: convert(v, exact))
    numbers = None if exact else getattr(network, "float_numbers", None)
    if numbers is None:
        numbers = (Parameters.of(network, exact), as_array(network.inputs, exact),
                   as_array(network.targets, exact))
    params, inputs, targets = numbers
    freeze = network.freeze_biases
    run = full_pass(params, inputs, targets, arch)
    state = optimizers.State()
    parameters = ParameterValues(params.flat(freeze), arch, freeze)
    gradients = ParameterValues(run.gradients.flat(freeze), arch, freeze)
    explained = spread(range(len(parameters)), limits.MAX_WRITTEN_UPDATES)
    after, lines = optimizer_step(params, run, rate, freeze, optimizer, state, frozenset(explained))
    update_lines = {parameters.key(i): tuple(lines[i]) for i in explained}
    updated = ParameterValues(after.flat(freeze), arch, freeze)
    _check_size(after.values, run.loss, exact, 1)

    checks = {}
    if check:
        floats = params.as_float() if exact else params
        float_run = run if not exact else full_pass(floats, inputs.astype(float),
                                                    targets.astype(float), arch)
        checks = gradient_check(floats, float_run, arch,
                                spread(range(len(parameters)), limits.MAX_GRADIENT_CHECKS), gradients)

    losses, final_loss, final, last_lines = (), None, {}, {}
    if epochs > 1:
        losses_list = [run.loss]
        current = after
        if progress:
            progress(1)
        for epoch in range(2, epochs + 1):
            epoch_run = full_pass(current, inputs, targets, arch)
            losses_list.append(epoch_run.loss)
            last = epoch == epochs  # the last step is written out too: by then b, m, v are not 0
            current, lines = optimizer_step(current, epoch_run, rate, freeze, optimizer, state,
                                            frozenset(explained) if last else frozenset())
            if last:
                last_lines = {parameters.key(i): tuple(lines[i]) for i in explained}
            _check_size(current.values, epoch_run.loss, exact, epoch)
            if progress:
                progress(epoch)
        losses = tuple(losses_list)
        final_loss = full_pass(current, inputs, targets, arch).loss
        final = ParameterValues(current.flat(freeze), arch, freeze)

    output_z, outputs = run.forward[-1]
    return Walkthrough(arch, _rows(inputs), _rows(targets), rate, freeze, exact, precision,
                       _per_row([value for layer in run.forward for value in layer], 2),
                       run.loss, _per_row(run.deltas, 1),
                       parameters, gradients, updated, checks, len(parameters), losses, final_loss,
                       final, tuple(note for note in [saturation_note(arch, outputs)] if note),
                       optimizer, update_lines, gradient_sizes(run), last_lines)


def _rows(matrix) -> tuple:
    """An array's rows as tuples of Python numbers."""
    return tuple(map(tuple, matrix.tolist()))


def _per_row(arrays: list, group: int) -> tuple:
    """Per-layer arrays (batch rows first) regrouped per row: with group 2, (z, a) pairs."""
    columns = [_rows(array) for array in arrays]
    count = len(columns[0])
    if group == 1:
        return tuple(tuple(column[r] for column in columns) for r in range(count))
    return tuple(tuple((columns[i][r], columns[i + 1][r]) for i in range(0, len(columns), 2))
                 for r in range(count))


def _check_size(values, loss, exact: bool, epoch: int) -> None:
    """Fail fast when floats overflow or exact fractions grow too long to be worth showing."""
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy
    if not exact:
        if not math.isfinite(loss):
            raise UsageError(f"the loss overflowed to {loss} in epoch {epoch}; use smaller numbers "
                             "or a smaller learning rate")
        if not numpy.isfinite(values).all():
            raise UsageError(f"a parameter overflowed to ±inf or nan in the step of epoch {epoch}; "
                             "use smaller numbers or a smaller learning rate")
        return
    bits = int(limits.MAX_EXACT_DIGITS * 3.33)
    values = values.tolist() + [loss]
    if any(v.numerator.bit_length() > bits or v.denominator.bit_length() > bits for v in values):
        raise LimitError(f"exact fractions grow beyond {limits.MAX_EXACT_DIGITS} digits by epoch "
                         f"{epoch}; use fewer epochs, or leave out --exact")
