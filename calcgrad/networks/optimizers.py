"""Optimisers for the network walkthrough, written out as PyTorch's torch.optim computes them.

With g = ∂L/∂w + λw (weight_decay λ, L2 added to the gradient as PyTorch does):

    sgd        w ← w − ηg
    momentum   m ← μm + (1 − τ)g  (m ← g on the first step);  heavy ball: w ← w − ηm,
               Nesterov: w ← w − η(g + μm)
    rmsprop    v ← αv + (1 − α)g²;  w ← w − η·g/(√v + ε)
    adam       m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
               w ← w − (η/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)   (= w − η·m̂/(√v̂ + ε))

PyTorch's momentum form m ← μm + g, w ← w − ηm is the textbook v ← μv − η∇w, w ← w + v with
v = −ηm (the same numbers while η is constant); calcgrad writes the form it computes.
Defaults are torch.optim's: momentum 0 for sgd (0.9 for the name "momentum", which asks for
it), dampening 0, nesterov false, alpha 0.99, eps 1e-8, betas (0.9, 0.999), weight_decay 0.
Values are flat NumPy arrays in the order of Architecture.parameter_keys (float64, or Fractions in
an object array for exact arithmetic); the whole array is updated at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from calcgrad.errors import UsageError
from calcgrad.networks.architecture import Number, describe, read_number

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
"""Optimiser names accepted by the spec's `optimizer` field."""

HYPER_PARAMETERS = {
    "sgd": ("momentum", "dampening", "nesterov"),
    "momentum": ("momentum", "dampening", "nesterov"),
    "rmsprop": ("alpha", "eps"),
    "adam": ("betas", "eps"),
}

EXACT_OPTIMIZERS = ("sgd", "momentum")
"""Those that keep rational numbers rational (rmsprop and adam take square roots)."""


@dataclass(frozen=True)
class Optimizer:
    """One optimiser with its hyper-parameters (PyTorch's names and defaults)."""

    name: str = "sgd"
    momentum: Number = 0
    dampening: Number = 0
    nesterov: bool = False
    alpha: Number = 0.99
    eps: Number = 1e-8
    betas: tuple = (0.9, 0.999)
    weight_decay: Number = 0

    @property
    def is_plain(self) -> bool:
        """Plain gradient descent w ← w − η·∂L/∂w (no momentum, no weight decay)."""
        return self.name in ("sgd", "momentum") and not self.momentum and not self.weight_decay

    def settings(self) -> dict:
        """The hyper-parameters that apply, for display and JSON."""
        values = {name: getattr(self, name) for name in HYPER_PARAMETERS[self.name]}
        if self.name in ("sgd", "momentum") and not self.momentum:
            values = {}
        values["weight_decay"] = self.weight_decay
        return values

    def converted(self, convert) -> Optimizer:
        """The same optimiser with every number passed through `convert` (float or Fraction)."""
        return replace(self, momentum=convert(self.momentum), dampening=convert(self.dampening),
                       alpha=convert(self.alpha), eps=convert(self.eps),
                       betas=tuple(convert(b) for b in self.betas),
                       weight_decay=convert(self.weight_decay))


def read_optimizer(value, weight_decay=0) -> Optimizer:
    """An Optimizer from the spec: a name ("adam") or an object {"name": "adam", "betas": …}."""
    if value is None:
        value = "sgd"
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, Mapping):
        raise UsageError(f"optimizer: expected a name ({', '.join(OPTIMIZERS)}) or an object such "
                         f'as {{"name": "momentum", "momentum": 0.9}}, got {describe(value)}')
    name = value.get("name")
    if name is None:
        raise UsageError(f"optimizer.name: missing; an optimizer object needs a name, one of "
                         f'{", ".join(OPTIMIZERS)}, e.g. {{"name": "momentum", "momentum": 0.9}}')
    if name not in OPTIMIZERS:
        raise UsageError(f"optimizer: unknown optimizer {name!r}; expected one of "
                         f"{', '.join(OPTIMIZERS)}")
    allowed = HYPER_PARAMETERS[name]
    unknown = sorted(set(value) - {"name", *allowed})
    if unknown:
        raise UsageError(f"optimizer.{unknown[0]}: not a setting of {name}; {name} takes "
                         f"{', '.join(allowed)} (and weight_decay at the top level)")
    options = {}
    for key in ("momentum", "dampening", "alpha", "eps"):
        if key in value:
            options[key] = read_number(value[key], f"optimizer.{key}")
    if name == "momentum" and "momentum" not in value:
        options["momentum"] = 0.9
    if "nesterov" in value:
        if not isinstance(value["nesterov"], bool):
            raise UsageError(f"optimizer.nesterov: expected true or false, got "
                             f"{describe(value['nesterov'])}")
        options["nesterov"] = value["nesterov"]
    if "betas" in value:
        betas = value["betas"]
        if not isinstance(betas, list) or len(betas) != 2:
            raise UsageError(f"optimizer.betas: expected a list of two numbers [β₁, β₂] such as "
                             f"[0.9, 0.999], got {describe(betas)}")
        options["betas"] = tuple(read_number(b, f"optimizer.betas[{i}]") for i, b in enumerate(betas))
    decay = read_number(0 if weight_decay is None else weight_decay, "weight_decay")
    if decay < 0:
        raise UsageError(f"weight_decay: expected a number ≥ 0 (λ in g = ∂L/∂w + λw), got {weight_decay!r}")
    optimizer = Optimizer(name, weight_decay=decay, **options)
    _check_ranges(optimizer)
    return optimizer


def _check_ranges(opt: Optimizer) -> None:
    """PyTorch's own checks, with the field named."""
    for key, low, high in (("momentum", 0, None), ("dampening", 0, 1), ("alpha", 0, 1)):
        v = getattr(opt, key)
        if v < low or (high is not None and v > high):
            bound = f"from {low} to {high}" if high is not None else f"≥ {low}"
            raise UsageError(f"optimizer.{key}: expected a number {bound}, got {v}")
    if not opt.eps > 0:
        raise UsageError(f"optimizer.eps: expected a positive number, got {opt.eps}")
    for i, beta in enumerate(opt.betas):
        if not 0 <= beta < 1:
            raise UsageError(f"optimizer.betas[{i}]: expected a number in [0, 1), got {beta}")
    if opt.nesterov and (opt.momentum <= 0 or opt.dampening != 0):
        raise UsageError("optimizer.nesterov: Nesterov momentum needs momentum > 0 and "
                         "dampening 0 (as in PyTorch)")


# --- one step -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One written-out update: formula, the numbers put into it (a template with {} for each
    operand), and the value. Rendered as `formula = template(operands) = value`."""

    formula: str
    template: str
    operands: tuple
    value: Number


@dataclass
class State:
    """What the optimiser carries from step to step: the step count t and its buffers."""

    step: int = 0
    buffers: dict = field(default_factory=dict)   # "b" (momentum), "v" (rmsprop, adam), "m" (adam): arrays


def step(opt: Optimizer, rate: Number, values, gradients, state: State,
         explain: set[int] = frozenset()) -> tuple[object, dict[int, list[Line]]]:
    """New parameter values after one step (state is advanced in place), and for the indices in
    `explain` the written-out lines of the update.

    `values` and `gradients` are NumPy arrays in the order of Architecture.parameter_keys: float64,
    or dtype object holding Fractions for exact arithmetic. Every parameter is updated by the same
    array expression, evaluated in the order written below (and in PyTorch's order: √v + ε, then
    the division), so a written-out line and its value are the array's own numbers.
    """
    # lazy: start-up speed (NumPy loads only when a network's numbers are worked)
    import numpy as np

    state.step += 1
    t = state.step
    w, grad = values, gradients
    g = grad + opt.weight_decay * w if opt.weight_decay else grad
    old = dict(state.buffers)  # the buffers before this step, for the written-out lines
    if opt.name in ("sgd", "momentum"):
        new, parts = _sgd(opt, rate, w, g, t, state)
    elif opt.name == "rmsprop":
        v = opt.alpha * old.get("v", np.zeros_like(w)) + (1 - opt.alpha) * g * g
        state.buffers["v"] = v
        new, parts = w - rate * g / (np.sqrt(v) + opt.eps), {"v": v}
    else:
        new, parts = _adam(opt, rate, w, g, t, state, np)
    lines = {i: _written_out(opt, rate, t, _at(w, i), _at(grad, i), _at(g, i),
                             {name: _at(array, i) for name, array in old.items()},
                             {name: _at(array, i) for name, array in parts.items()}, _at(new, i))
             for i in explain}
    return new, lines


def _at(array, i: int) -> Number:
    """One entry as a Python number (float, or the Fraction itself)."""
    value = array[i]
    return value.item() if hasattr(value, "item") else value


def _sgd(opt, rate, w, g, t, state):
    if not opt.momentum:
        return w - rate * g, {}
    if t == 1:
        b = g.copy()
    elif opt.dampening:
        b = opt.momentum * state.buffers["b"] + (1 - opt.dampening) * g
    else:
        b = opt.momentum * state.buffers["b"] + g
    state.buffers["b"] = b
    if opt.nesterov:
        direction = g + opt.momentum * b
        return w - rate * direction, {"b": b, "d": direction}
    return w - rate * b, {"b": b}


def _adam(opt, rate, w, g, t, state, np):
    beta1, beta2 = opt.betas
    m = beta1 * state.buffers.get("m", np.zeros_like(w)) + (1 - beta1) * g
    v = beta2 * state.buffers.get("v", np.zeros_like(w)) + (1 - beta2) * g * g
    state.buffers["m"], state.buffers["v"] = m, v
    correction1 = 1 - beta1 ** t
    correction2 = 1 - beta2 ** t
    # PyTorch's order of operations: denom = √v/√(1 − β₂ᵗ) + ε, w ← w − (η/(1 − β₁ᵗ))·m/denom
    denominator = np.sqrt(v) / math.sqrt(correction2) + opt.eps
    return w - (rate / correction1) * m / denominator, {"m": m, "v": v}


def _written_out(opt: Optimizer, rate, t: int, w, grad, g, old: dict, new: dict, w_new) -> list[Line]:
    """One parameter's update as lines: formula, the numbers put in, the value (values from the
    arrays the step computed, so the lines show exactly what was applied)."""
    lines = []
    if opt.weight_decay:
        lines.append(Line("g = ∂L/∂w + λw", "{} + {}·{}", (grad, opt.weight_decay, w), g))
    elif not opt.is_plain:
        lines.append(Line("g = ∂L/∂w", "{}", (grad,), g))
    if opt.name in ("sgd", "momentum") and not opt.momentum:
        formula = "w ← w − η·∂L/∂w" if opt.is_plain else "w ← w − η·g"
        lines.append(Line(formula, "{} − {}·{}", (w, rate, g), w_new))
    elif opt.name in ("sgd", "momentum"):
        b = new["b"]
        if t == 1:
            lines.append(Line("m ← g (first step: the momentum buffer m starts at g)", "{}", (g,), b))
        elif opt.dampening:
            lines.append(Line("m ← μm + (1 − τ)g", "{}·{} + (1 − {})·{}",
                              (opt.momentum, old["b"], opt.dampening, g), b))
        else:
            lines.append(Line("m ← μm + g", "{}·{} + {}", (opt.momentum, old["b"], g), b))
        if opt.nesterov:
            direction = new["d"]
            lines.append(Line("d = g + μm (Nesterov: look ahead along m)", "{} + {}·{}",
                              (g, opt.momentum, b), direction))
            lines.append(Line("w ← w − η·d", "{} − {}·{}", (w, rate, direction), w_new))
        else:
            lines.append(Line("w ← w − η·m", "{} − {}·{}", (w, rate, b), w_new))
    elif opt.name == "rmsprop":
        v_old = old.get("v", 0.0)  # rmsprop and adam are never exact
        lines.append(Line("v ← αv + (1 − α)g²", "{}·{} + (1 − {})·{}²",
                          (opt.alpha, v_old, opt.alpha, g), new["v"]))
        lines.append(Line("w ← w − η·g/(√v + ε)", "{} − {}·{}/(√{} + {})",
                          (w, rate, g, new["v"], opt.eps), w_new))
    else:
        beta1, beta2 = opt.betas
        m, v = new["m"], new["v"]
        correction1, correction2 = 1 - beta1 ** t, 1 - beta2 ** t
        lines.append(Line("m ← β₁m + (1 − β₁)g", "{}·{} + (1 − {})·{}",
                          (beta1, old.get("m", 0.0), beta1, g), m))
        lines.append(Line("v ← β₂v + (1 − β₂)g²", "{}·{} + (1 − {})·{}²",
                          (beta2, old.get("v", 0.0), beta2, g), v))
        lines.append(Line("m̂ = m/(1 − β₁ᵗ)", f"{{}}/(1 − {{}}^{t})", (m, beta1), m / correction1))
        lines.append(Line("v̂ = v/(1 − β₂ᵗ)", f"{{}}/(1 − {{}}^{t})", (v, beta2), v / correction2))
        lines.append(Line("w ← w − η·m̂/(√v̂ + ε)", "{} − {}·{}/(√{} + {})",
                          (w, rate, m / correction1, v / correction2, opt.eps), w_new))
    return lines
