"""The Network: a feed-forward network with its numbers, and everything it can show.

`Network(layers, activation, loss, weights=…, input=…, target=…)` or `Network.from_spec(path)`;
`walkthrough()` works one gradient-descent step in numbers (calcgrad.networks.backprop),
`chain()` and `matrix_form()` derive the chain rule symbolically (calcgrad.networks.chain).
This module sits above both, so neither needs to import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from calcgrad.errors import UsageError
from calcgrad.networks import backprop, chain
from calcgrad.networks.optimizers import EXACT_OPTIMIZERS, read_optimizer
from calcgrad.networks.architecture import (
    EXACT_ACTIVATIONS,
    EXACT_LOSSES,
    SPEC_FIELDS,
    InexactNumber,
    Number,
    architecture,
    describe,
    load_spec,
    read_matrix,
    read_number,
    read_rows,
    read_vector,
)


class Network:
    """A feed-forward network, optionally with its numbers (weights, input, target).

    Network(layers=[1, 1, 1], activation="sigmoid", loss="mse") is enough for the symbolic
    chain; forward/backward/step/walkthrough also need weights, input and target.
    """

    def __init__(self, layers: Sequence[int] = (1, 1), activation: str | Sequence[str] = "sigmoid",
                 loss: str = "mse", *, weights=None, biases=None, input=None, target=None,
                 learning_rate: Any = 0.1, freeze_biases: bool = False, optimizer: Any = "sgd",
                 weight_decay: Any = 0) -> None:
        self.architecture = architecture(layers, activation, loss)
        widths, depth = self.architecture.widths, self.architecture.depth
        self.learning_rate = read_number(learning_rate, "learning_rate")
        if not self.learning_rate > 0:
            raise UsageError(f"learning_rate: expected a positive number (the step size η in "
                             f"w ← w − η·∂L/∂w), got {learning_rate!r}")
        self.optimizer = read_optimizer(optimizer, weight_decay)
        if not isinstance(freeze_biases, bool):
            raise UsageError(f"freeze_biases: expected true or false, got {freeze_biases!r}")
        self.freeze_biases = freeze_biases
        self.weights = None
        if weights is not None:
            if not isinstance(weights, list) or len(weights) != depth:
                got = f"{len(weights)} matrices" if isinstance(weights, list) else describe(weights)
                raise UsageError(f"weights: expected {depth} matrices (W1…W{depth}), got {got}")
            self.weights = [read_matrix(w, widths[l + 1], widths[l], f"weights[{l}]", f"W{l + 1}")
                            for l, w in enumerate(weights)]
        if biases is None:
            self.biases = [[0] * widths[l] for l in range(1, depth + 1)]
        else:
            if not isinstance(biases, list) or len(biases) != depth:
                got = f"{len(biases)} vectors" if isinstance(biases, list) else describe(biases)
                raise UsageError(f"biases: expected {depth} vectors (b1…b{depth}), got {got}")
            self.biases = [read_vector(b, widths[l + 1], f"biases[{l}]") for l, b in enumerate(biases)]
        self.inputs = None if input is None else read_rows(input, widths[0], "input")
        batch = len(self.inputs) if self.inputs is not None else None
        self.targets = None if target is None else read_rows(target, widths[-1], "target", batch)
        if self.inputs is not None and self.targets is not None:
            if len(self.inputs) != len(self.targets):
                raise UsageError(f"target: expected {len(self.inputs)} rows, one per input row, "
                                 f"got {len(self.targets)}")
            self._check_targets()
        self.float_numbers = None
        """Weights, biases, inputs and targets as NumPy float64 arrays, read once (numeric work)."""
        if self.weights is not None and self.inputs is not None and self.targets is not None:
            self.float_numbers = backprop.read_numbers(self)

    @classmethod
    def from_spec(cls, source) -> Network:
        """A network from a spec: a dict, or a path to a JSON or TOML file."""
        spec = load_spec(source)
        unknown = sorted(set(spec) - set(SPEC_FIELDS))
        if unknown:
            raise UsageError(f"spec: unknown field {unknown[0]!r}; expected fields "
                             f"{', '.join(SPEC_FIELDS)}")
        for name, value in spec.items():
            if value is None:
                raise UsageError(f"{name}: got null; give a value, or leave the field out if it "
                                 "is optional (activation, loss, biases, learning_rate, "
                                 "freeze_biases, optimizer, weight_decay)")
        for required in ("layers", "input", "target", "weights"):
            if required not in spec:
                raise UsageError(f"{required}: missing; a spec needs layers, input, target and "
                                 "weights (activation, loss, biases, learning_rate, "
                                 "freeze_biases, optimizer and weight_decay are optional)")
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
        opt = self.optimizer
        if opt.name not in EXACT_OPTIMIZERS:
            return (f"the optimizer {opt.name} takes square roots; exact arithmetic needs "
                    f"{' or '.join(EXACT_OPTIMIZERS)}")
        numbers = [self.learning_rate, opt.momentum, opt.dampening, opt.weight_decay]
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
        self._require_numbers()
        inputs = [[backprop.convert(v, exact) for v in row] for row in self.inputs]
        return backprop.forward_rows(backprop.Parameters.of(self, exact), inputs, self.architecture)

    def backward(self, exact: bool = False) -> dict[str, Number]:
        """Mean gradient of the loss for every parameter, keyed "W1[0,1]", "b2[0]"."""
        return dict(self.walkthrough(exact=exact, check=False).gradients)

    def step(self, exact: bool = False) -> dict[str, Number]:
        """Every parameter after one step of the network's optimiser (sgd: w ← w − η ∂L/∂w)."""
        return dict(self.walkthrough(exact=exact, check=False).updated)

    def walkthrough(self, epochs: int = 1, exact: bool = False, precision: int = 9,
                    check: bool = True, progress=None):
        """The whole numeric worked example (a Walkthrough result object)."""
        self._require_numbers()
        return backprop.walkthrough(self, epochs=epochs, exact=exact, precision=precision,
                                    check=check, progress=progress)

    def chain(self, expand: bool = False, verify: bool = True):
        """The symbolic chain rule for every parameter (one neuron per layer): a ScalarChain.
        verify=False skips checking each step against SymPy's own derivative."""
        return chain.scalar_chain(self.architecture, expand=expand, verify=verify)

    def chain_of(self, param: str, expand: bool = False):
        """The chain of factors of one parameter ("w1", "b2") of a one-neuron-per-layer network."""
        return self.chain(expand=expand).chain(param)

    def matrix_form(self, param: str | None = None, verify: bool = True):
        """The δ recursion in vector/matrix form with shapes; with param ("W1[2,0]") that entry's chain."""
        return chain.matrix_form(self.architecture, param, verify)

    def param_chain(self, param: str, exact: bool = False, precision: int = 9, verify: bool = True):
        """One entry's chain ("W1[1,1]", counted from 1) in symbols, then with this network's
        numbers, checked against the backward pass: a MatrixForm whose `numbers` is set."""
        self._require_numbers()
        form = chain.matrix_form(self.architecture, param, verify)
        walk = self.walkthrough(exact=exact, precision=precision, check=False)
        key = form.entry.key
        if key not in walk.gradients:
            raise UsageError(f"param: {key} is a frozen bias (freeze_biases is true), so it has "
                             "no gradient; pick a weight or unfreeze the biases")
        rows = [chain.network_numbers(self.architecture, walk.parameters, x, y, row)
                for x, y, row in zip(walk.inputs, walk.targets, walk.forward)]
        numbers = chain.entry_numbers(form.entry, rows, walk.gradients[key], walk, exact)
        return dataclasses.replace(form, numbers=numbers)

    def __repr__(self) -> str:
        arch = self.architecture
        return (f"Network(layers={list(arch.widths)}, activation={list(arch.activations)}, "
                f"loss={arch.loss!r})")
