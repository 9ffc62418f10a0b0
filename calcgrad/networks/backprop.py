"""Numeric backpropagation in plain Python: forward pass, δ recursion, gradients, one update.

    δ⁽ᴸ⁾ = ∇ₐL ⊙ f′(z⁽ᴸ⁾)            (softmax with cross-entropy: δ⁽ᴸ⁾ = ŷ − y)
    δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾)
    ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ,  ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾,  then one optimiser step (sgd: w ← w − η ∂L/∂w;
    the others in calcgrad.networks.optimizers)

Numbers are Python floats, or Fractions when exact arithmetic is asked for (only activations
and losses that keep rationals rational allow it). Lists of lists, no NumPy: a [784, 128, 10]
network on one input takes well under a second. Every gradient is checked against a central
finite difference, recomputing only what the parameter reaches (its neuron, one column of the
next layer, then the layers after).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import mul
from fractions import Fraction
from typing import Callable, ClassVar

from calcgrad import limits
from calcgrad.errors import LimitError, UsageError
from calcgrad.engine.functions import ACTIVATIONS
from calcgrad.render.protocol import Rendered
from calcgrad.networks import optimizers
from calcgrad.networks.architecture import Architecture, Number, parse_key

FINITE_DIFFERENCE_STEP = 1e-5
"""h in (L(w + h) − L(w − h)) / 2h."""

VANISHING_RATIO = 100
"""A last/first-layer gradient ratio beyond 100 (or below 1/100) is called vanishing (exploding)."""

RELATIVE_TOLERANCE = 1e-4
"""A gradient check passes when |g − g_fd| / max(|g|, |g_fd|, 1e-6) is below this."""

_KINKED = tuple(name for name, entry in ACTIVATIONS.items() if entry.special_at_zero)
"""Activations with a kink at 0 (ReLU, leaky ReLU), where finite differences can mislead."""


# --- activations and losses, elementwise ------------------------------------------------------


def activate(name: str, z: list) -> list:
    """a = f(z) for one layer (values from the function table)."""
    if name == "softmax":
        top = max(z)
        exps = [math.exp(v - top) for v in z]
        total = sum(exps)
        return [e / total for e in exps]
    entry = ACTIVATIONS.get(name)
    if entry is None:
        raise UsageError(f"unknown activation {name!r}")
    return [entry.float_value(v) for v in z]


def slope(name: str, z: list, a: list) -> list:
    """f′(z) elementwise (not for softmax, whose Jacobian is not diagonal), from the function
    table, with its kink convention (ReLU′(0) = 0)."""
    entry = ACTIVATIONS.get(name)
    if entry is None or entry.slope is None:
        raise UsageError(f"no elementwise derivative for {name!r}")
    return [entry.float_slope(v) for v in z]


def _log_sum_exp(values: list) -> float:
    """ln Σ e^v without overflow (−∞ for no values)."""
    if not values:
        return -math.inf
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def _log_one_plus_exp(v: float) -> float:
    """ln(1 + e^v) (softplus) without overflow, for the logarithms of a sigmoid output."""
    return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


def _log_probabilities(activation: str, z: list, a: list) -> tuple[list, list]:
    """(ln ŷᵢ, ln(1 − ŷᵢ)) computed from z, so they stay finite where ŷ rounds to 0 or 1.

    sigmoid: ln σ(z) = −softplus(−z), ln(1 − σ(z)) = −softplus(z);
    softmax: ln ŷᵢ = zᵢ − ln Σⱼ e^(zⱼ), ln(1 − ŷᵢ) = ln Σⱼ≠ᵢ e^(zⱼ) − ln Σⱼ e^(zⱼ).
    Any other output (or no z) falls back to ln of the rounded values.
    """
    if activation == "sigmoid" and z is not None:
        return [-_log_one_plus_exp(-v) for v in z], [-_log_one_plus_exp(v) for v in z]
    if activation == "softmax" and z is not None:
        total = _log_sum_exp(z)
        return ([v - total for v in z],
                [_log_sum_exp(z[:i] + z[i + 1:]) - total for i in range(len(z))])
    log = lambda v: math.log(v) if v > 0 else -math.inf  # noqa: E731
    return [log(v) for v in a], [log(1 - v) for v in a]


def loss_value(name: str, a: list, y: list, z: list | None = None, activation: str = "") -> Number:
    """L(ŷ, y) for one example; bce and ce take their logarithms from z (see _log_probabilities),
    so a saturated output gives the true, finite loss rather than ln 0."""
    n = len(a)
    if name in ("mse", "sse", "half_sse"):
        total = sum((yi - ai) ** 2 for ai, yi in zip(a, y))
        return total / n if name == "mse" else total / 2 if name == "half_sse" else total
    if name in ("bce", "ce"):
        log_a, log_rest = _log_probabilities(activation, z, a)
        total = 0.0
        for yi, la, lr in zip(y, log_a, log_rest):
            if yi:  # a zero coefficient contributes 0 even where its log is −∞
                total -= yi * la
            if name == "bce" and 1 - yi:
                total -= (1 - yi) * lr
        return total / n if name == "bce" else total
    raise UsageError(f"unknown loss {name!r}")


def saturation_note(arch: Architecture, forward: list) -> str | None:
    """A sentence when an output rounds to exactly 0 or 1 under a logarithmic loss, else None."""
    if arch.loss not in ("bce", "ce"):
        return None
    for r, layers in enumerate(forward):
        a = layers[-1][1]
        if any(v <= 0 or v >= 1 for v in a) and not (arch.loss == "ce" and len(a) == 1):
            row = f" (row {r})" if len(forward) > 1 else ""
            return (f"the output ŷ{row} = [{', '.join(f'{float(v):.17g}' for v in a)}] is saturated: "
                    "it rounds to exactly 0 or 1 in floating point, where ln ŷ or ln(1 − ŷ) would "
                    "be ln 0 = −∞. calcgrad therefore takes the logarithms from z⁽ᴸ⁾ "
                    "(ln σ(z) = −softplus(−z), ln softmax(z)ᵢ = zᵢ − ln Σⱼe^(zⱼ)), which gives the "
                    "true finite loss, and δ⁽ᴸ⁾ from the cancelled form ŷ − y; the gradient is "
                    "nearly that of a wrong answer at full confidence, so a step can be large")
    return None


def loss_gradient(name: str, a: list, y: list) -> list:
    """∇ₐL for one example."""
    n = len(a)
    if name == "mse":
        return [2 * (ai - yi) / n for ai, yi in zip(a, y)]
    if name == "sse":
        return [2 * (ai - yi) for ai, yi in zip(a, y)]
    if name == "half_sse":
        return [ai - yi for ai, yi in zip(a, y)]
    if name == "bce":
        if any(ai <= 0 or ai >= 1 for ai in a):
            raise UsageError("bce: the softmax output reaches exactly 0 or 1, where ∂L/∂ŷ = "
                             "(ŷ − y)/(ŷ(1 − ŷ)) divides by zero and softmax with bce has no "
                             "cancelled form; use a sigmoid output with bce, softmax with ce, "
                             "or smaller weights")
        return [(ai - yi) / (n * ai * (1 - ai)) for ai, yi in zip(a, y)]
    if name == "ce":
        return [-yi / ai for ai, yi in zip(a, y)]
    raise UsageError(f"unknown loss {name!r}")


def output_delta(arch: Architecture, z: list, a: list, y: list) -> list:
    """δ⁽ᴸ⁾ = ∂L/∂z⁽ᴸ⁾, in the cancelled form where one exists (it stays finite when ŷ saturates):
    softmax with ce gives ŷ − y, sigmoid with bce gives (ŷ − y)/n."""
    activation = arch.activations[-1]
    if activation == "softmax" and arch.loss == "ce":
        total = sum(y)  # 1 for a probability distribution, so δ = ŷ − y
        return [ai * total - yi for ai, yi in zip(a, y)]
    if activation == "sigmoid" and arch.loss == "bce":
        n = len(a)
        return [(ai - yi) / n for ai, yi in zip(a, y)]
    gradient = loss_gradient(arch.loss, a, y)
    if activation == "softmax":
        weighted = sum(g * ai for g, ai in zip(gradient, a))
        return [ai * (g - weighted) for ai, g in zip(a, gradient)]
    return [g * s for g, s in zip(gradient, slope(activation, z, a))]


# --- parameters, forward, backward ----------------------------------------------------------


@dataclass
class Parameters:
    """Weights W⁽ˡ⁾ (lists of rows) and biases b⁽ˡ⁾, all floats or all Fractions."""

    weights: list
    biases: list

    @classmethod
    def of(cls, network, exact: bool = False) -> Parameters:
        convert = to_fraction if exact else float
        return cls([[[convert(v) for v in row] for row in w] for w in network.weights],
                   [[convert(v) for v in b] for b in network.biases])

    def get(self, kind: str, layer: int, j: int, k: int | None) -> Number:
        return self.weights[layer - 1][j][k] if kind == "W" else self.biases[layer - 1][j]

    def flat(self, freeze_biases: bool = False) -> list:
        """Every value, in the order of Architecture.parameter_keys."""
        return _flat(self.weights, self.biases, freeze_biases)


def to_fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(value))  # the decimal the spec wrote, 0.1 → 1/10


def convert(value: Number, exact: bool) -> Number:
    return to_fraction(value) if exact else float(value)


def _affine(weights: list, a: list, biases: list) -> list:
    return [sum(map(mul, row, a)) + b for row, b in zip(weights, biases)]


def forward_row(params: Parameters, x: list, arch: Architecture) -> list[tuple[list, list]]:
    """[(z⁽¹⁾, a⁽¹⁾), …, (z⁽ᴸ⁾, a⁽ᴸ⁾)] for one input."""
    layers = []
    a = x
    for l, name in enumerate(arch.activations):
        z = _affine(params.weights[l], a, params.biases[l])
        a = activate(name, z)
        layers.append((z, a))
    return layers


def forward_rows(params: Parameters, inputs: list, arch: Architecture) -> list:
    """The forward pass of every input row."""
    return [forward_row(params, x, arch) for x in inputs]


def backward_row(params: Parameters, x: list, y: list, layers: list, arch: Architecture) -> list[list]:
    """[δ⁽¹⁾, …, δ⁽ᴸ⁾] for one input, from its forward pass."""
    z, a = layers[-1]
    deltas = [output_delta(arch, z, a, y)]
    for l in range(arch.depth - 1, 0, -1):  # δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾, l = L−1 … 1
        after = deltas[0]
        w_next = params.weights[l]
        columns = zip(*w_next)  # column j of W⁽ˡ⁺¹⁾ is row j of its transpose
        back = [sum(map(mul, column, after)) for column in columns]
        z, a = layers[l - 1]
        deltas.insert(0, [d * s for d, s in zip(back, slope(arch.activations[l - 1], z, a))])
    return deltas


@dataclass
class _Pass:
    """One full pass over the batch: forward values, loss, deltas and mean gradients."""

    forward: list
    loss: Number
    deltas: list
    grad_weights: list
    grad_biases: list


def full_pass(params: Parameters, inputs: list, targets: list, arch: Architecture) -> _Pass:
    """Forward and backward over the batch; loss and gradients are means over its rows."""
    count = len(inputs)
    zero = params.biases[0][0] * 0
    forwards, deltas, loss = [], [], zero
    grad_w = [[[zero] * len(row) for row in w] for w in params.weights]
    grad_b = [[zero] * len(b) for b in params.biases]
    for x, y in zip(inputs, targets):
        x = [zero + v for v in x]
        y = [zero + v for v in y]
        layers = forward_row(params, x, arch)
        row_deltas = backward_row(params, x, y, layers, arch)
        loss += loss_value(arch.loss, layers[-1][1], y, layers[-1][0], arch.activations[-1])
        for l, delta in enumerate(row_deltas):
            a_prev = x if l == 0 else layers[l - 1][1]
            if count == 1:
                grad_w[l] = [[d * v for v in a_prev] for d in delta]
                grad_b[l] = list(delta)
            else:
                for j, d in enumerate(delta):
                    row = grad_w[l][j]
                    grad_w[l][j] = [g + d * v for g, v in zip(row, a_prev)]
                    grad_b[l][j] += d
        forwards.append(layers)
        deltas.append(row_deltas)
    if count > 1:
        grad_w = [[[g / count for g in row] for row in w] for w in grad_w]
        grad_b = [[g / count for g in b] for b in grad_b]
    return _Pass(forwards, loss / count, deltas, grad_w, grad_b)


def unflat(values: list, like: Parameters, freeze_biases: bool) -> Parameters:
    """Parameters shaped like `like` from a flat list in the order of Parameters.flat
    (biases kept from `like` when frozen)."""
    position = iter(values)
    weights, biases = [], []
    for matrix, vector in zip(like.weights, like.biases):
        weights.append([[next(position) for _ in row] for row in matrix])
        biases.append(list(vector) if freeze_biases else [next(position) for _ in vector])
    return Parameters(weights, biases)


def optimizer_step(params: Parameters, run: _Pass, rate: Number, freeze_biases: bool,
                   optimizer: optimizers.Optimizer, state: optimizers.State,
                   explain: frozenset = frozenset()) -> tuple[Parameters, dict]:
    """One optimiser step on every parameter; the written-out lines for the indices in `explain`."""
    values = params.flat(freeze_biases)
    gradients = _flat(run.grad_weights, run.grad_biases, freeze_biases)
    new_values, lines = optimizers.step(optimizer, rate, values, gradients, state, explain)
    return unflat(new_values, params, freeze_biases), lines


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


def _sign(v: float) -> int:
    return (v > 0) - (v < 0)


def _perturbed_loss(params: Parameters, run: _Pass, inputs, targets, arch: Architecture,
                    kind: str, layer: int, j: int, k: int | None, change: float):
    """Mean loss with one parameter moved by `change`, and the signs of ReLU inputs it reaches."""
    total, signs = 0.0, []
    weights_row = params.weights[layer - 1][j]
    bias = params.biases[layer - 1][j] + (change if kind == "b" else 0.0)
    if kind == "W":
        weights_row = list(weights_row)
        weights_row[k] += change
    # only what the parameter reaches is recomputed: z⁽ˡ⁾ⱼ and a⁽ˡ⁾ⱼ of its own neuron, then
    # z⁽ˡ⁺¹⁾ = z⁽ˡ⁺¹⁾ + W⁽ˡ⁺¹⁾[:, j]·Δa⁽ˡ⁾ⱼ (one column, not the whole product), then the layers after
    next_column = ([row[j] for row in params.weights[layer]] if layer < arch.depth else None)
    for x, y, layers in zip(inputs, targets, run.forward):
        a_prev = x if layer == 1 else layers[layer - 2][1]
        z = list(layers[layer - 1][0])
        z[j] = sum(map(mul, weights_row, a_prev)) + bias
        for l in range(layer, arch.depth + 1):
            name = arch.activations[l - 1]
            if l == layer and name != "softmax":
                a = list(layers[l - 1][1])
                a[j] = activate(name, [z[j]])[0]
                change_of_a = a[j] - layers[l - 1][1][j]
            elif l == layer + 1:
                z = [old + w * change_of_a for old, w in zip(layers[l - 1][0], next_column)]
                a = activate(name, z)
            else:
                if l > layer:
                    z = _affine(params.weights[l - 1], a, params.biases[l - 1])
                a = activate(name, z)
            if name in _KINKED:
                signs += [_sign(z[j])] if l == layer else [_sign(v) for v in z]
        total += loss_value(arch.loss, a, y, z, arch.activations[-1])
    return total / len(inputs), signs


def gradient_check(params: Parameters, run: _Pass, inputs, targets, arch: Architecture,
                   keys: list[str], gradients: dict) -> dict[str, Check]:
    """Central finite differences for the chosen parameters (float arithmetic)."""
    h = FINITE_DIFFERENCE_STEP
    checks = {}
    for key in keys:
        kind, layer, j, k = parse_key(key, arch)
        plus, signs_plus = _perturbed_loss(params, run, inputs, targets, arch, kind, layer, j, k, h)
        minus, signs_minus = _perturbed_loss(params, run, inputs, targets, arch, kind, layer, j, k, -h)
        estimate = (plus - minus) / (2 * h)
        gradient = float(gradients[key])
        error = abs(gradient - estimate) / max(abs(gradient), abs(estimate), 1e-6)
        kink = signs_plus != signs_minus or 0 in signs_plus
        checks[key] = Check(gradient, estimate, error, kink)
    return checks


def spread(keys: list[str], count: int) -> list[str]:
    """At most `count` keys, evenly spaced, first and last included."""
    if len(keys) <= count:
        return keys
    return [keys[round(i * (len(keys) - 1) / (count - 1))] for i in range(count)]


@dataclass(frozen=True)
class LayerSize:
    """How large the backward signal is at one layer (Euclidean/Frobenius norms, as floats)."""

    layer: int
    delta: float            # ‖δ⁽ˡ⁾‖, the mean over the batch rows
    weight_gradient: float  # ‖∂L/∂W⁽ˡ⁾‖ of the mean gradient


def _norm(values) -> float:
    return math.sqrt(sum(float(v) ** 2 for v in values))


def gradient_sizes(run: _Pass) -> tuple[LayerSize, ...]:
    """‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ for every layer l = 1…L."""
    sizes = []
    for l, matrix in enumerate(run.grad_weights):
        delta = sum(_norm(row[l]) for row in run.deltas) / len(run.deltas)
        sizes.append(LayerSize(l + 1, delta, _norm(v for row in matrix for v in row)))
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
    parameters: dict        # key → value before the step
    gradients: dict         # key → mean ∂L/∂param
    updated: dict           # key → value after one step
    gradient_check: dict    # key → Check (a spread of keys for large networks)
    parameter_count: int
    epoch_losses: tuple = ()   # loss at the start of each epoch, with --epochs
    final_loss: Number | None = None
    final: dict = field(default_factory=dict)
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
    arch = network.architecture
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
    rate = convert(network.learning_rate, exact)
    optimizer = network.optimizer.converted(lambda v: convert(v, exact))
    inputs = [[convert(v, exact) for v in row] for row in network.inputs]
    targets = [[convert(v, exact) for v in row] for row in network.targets]
    params = Parameters.of(network, exact)
    run = full_pass(params, inputs, targets, arch)
    keys = arch.parameter_keys(network.freeze_biases)
    state = optimizers.State()
    explained = spread(list(range(len(keys))), limits.MAX_WRITTEN_UPDATES)
    after, lines = optimizer_step(params, run, rate, network.freeze_biases, optimizer, state,
                                  frozenset(explained))
    update_lines = {keys[i]: tuple(lines[i]) for i in explained}
    _check_size(after, run.loss, exact, 1)

    gradients = dict(zip(keys, _flat(run.grad_weights, run.grad_biases, network.freeze_biases)))
    parameters = dict(zip(keys, params.flat(network.freeze_biases)))
    updated = dict(zip(keys, after.flat(network.freeze_biases)))

    checks = {}
    if check:
        floats = params if not exact else Parameters(
            [[[float(v) for v in row] for row in w] for w in params.weights],
            [[float(v) for v in b] for b in params.biases])
        float_run = run if not exact else full_pass(floats, [[float(v) for v in r] for r in inputs],
                                                    [[float(v) for v in r] for r in targets], arch)
        chosen = spread(keys, limits.MAX_GRADIENT_CHECKS)
        checks = gradient_check(floats, float_run, [[float(v) for v in row] for row in inputs],
                                [[float(v) for v in row] for row in targets], arch, chosen, gradients)

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
            current, lines = optimizer_step(current, epoch_run, rate, network.freeze_biases,
                                            optimizer, state, frozenset(explained) if last else frozenset())
            if last:
                last_lines = {keys[i]: tuple(lines[i]) for i in explained}
            _check_size(current, epoch_run.loss, exact, epoch)
            if progress:
                progress(epoch)
        losses = tuple(losses_list)
        final_loss = full_pass(current, inputs, targets, arch).loss
        final = dict(zip(keys, current.flat(network.freeze_biases)))

    return Walkthrough(arch, tuple(map(tuple, inputs)), tuple(map(tuple, targets)), rate,
                       network.freeze_biases, exact, precision,
                       tuple(tuple((tuple(z), tuple(a)) for z, a in row) for row in run.forward),
                       run.loss, tuple(tuple(map(tuple, row)) for row in run.deltas),
                       parameters, gradients, updated, checks, len(keys), losses, final_loss, final,
                       tuple(note for note in [saturation_note(arch, run.forward)] if note),
                       optimizer, update_lines, gradient_sizes(run), last_lines)


def _check_size(params: Parameters, loss, exact: bool, epoch: int) -> None:
    """Fail fast when floats overflow or exact fractions grow too long to be worth showing."""
    if not exact:
        if not math.isfinite(loss):
            raise UsageError(f"the loss overflowed to {loss} in epoch {epoch}; use smaller numbers "
                             "or a smaller learning rate")
        return
    bits = int(limits.MAX_EXACT_DIGITS * 3.33)
    values = _flat(params.weights, params.biases, False) + [loss]
    if any(v.numerator.bit_length() > bits or v.denominator.bit_length() > bits for v in values):
        raise LimitError(f"exact fractions grow beyond {limits.MAX_EXACT_DIGITS} digits by epoch "
                         f"{epoch}; use fewer epochs, or leave out --exact")


def _flat(weights: list, biases: list, freeze_biases: bool) -> list:
    """Weights row by row, then the biases, layer by layer: the order of parameter_keys."""
    values = []
    for matrix, vector in zip(weights, biases):
        for row in matrix:
            values += row
        if not freeze_biases:
            values += vector
    return values
