"""Optimisers for the network walkthrough, written out as PyTorch's torch.optim computes them.

With g = ∂L/∂w + λw (weight_decay λ, L2 added to the gradient as PyTorch does):

    sgd        w ← w − ηg
    momentum   b ← μb + (1 − τ)g  (b ← g on the first step);  heavy ball: w ← w − ηb,
               Nesterov: w ← w − η(g + μb)
    rmsprop    v ← αv + (1 − α)g²;  w ← w − η·g/(√v + ε)
    adam       m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
               w ← w − (η/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)   (= w − η·m̂/(√v̂ + ε))

PyTorch's momentum form b ← μb + g, w ← w − ηb is the textbook v ← μv − η∇w, w ← w + v with
v = −ηb (the same numbers while η is constant); calcgrad writes the form it computes.
Defaults are torch.optim's: momentum 0 for sgd (0.9 for the name "momentum", which asks for
it), dampening 0, nesterov false, alpha 0.99, eps 1e-8, betas (0.9, 0.999), weight_decay 0.
Values are flat lists in the order of Architecture.parameter_keys.
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
    buffers: dict = field(default_factory=dict)   # "b" (momentum), "v" (rmsprop, adam), "m" (adam)


def step(opt: Optimizer, rate: Number, values: list, gradients: list, state: State,
         explain: set[int] = frozenset()) -> tuple[list, dict[int, list[Line]]]:
    """New parameter values after one step (state is advanced in place), and for the indices in
    `explain` the written-out lines of the update."""
    state.step += 1
    t = state.step
    lines: dict[int, list[Line]] = {i: [] for i in explain}
    new_values = []
    zero = values[0] * 0 if values else 0
    for i, (w, grad) in enumerate(zip(values, gradients)):
        out = lines.get(i)
        g = grad
        if opt.weight_decay:
            g = grad + opt.weight_decay * w
            if out is not None:
                out.append(Line("g = ∂L/∂w + λw", "{} + {}·{}", (grad, opt.weight_decay, w), g))
        elif out is not None and not opt.is_plain:
            out.append(Line("g = ∂L/∂w", "{}", (grad,), g))
        if opt.name in ("sgd", "momentum"):
            w_new = _sgd(opt, rate, w, g, i, t, state, out, zero)
        elif opt.name == "rmsprop":
            v_old = state.buffers.setdefault("v", {}).get(i, zero)
            v = opt.alpha * v_old + (1 - opt.alpha) * g * g
            state.buffers["v"][i] = v
            w_new = w - rate * g / (math.sqrt(v) + opt.eps)
            if out is not None:
                out.append(Line("v ← αv + (1 − α)g²", "{}·{} + (1 − {})·{}²",
                                (opt.alpha, v_old, opt.alpha, g), v))
                out.append(Line("w ← w − η·g/(√v + ε)", "{} − {}·{}/(√{} + {})",
                                (w, rate, g, v, opt.eps), w_new))
        else:
            w_new = _adam(opt, rate, w, g, i, t, state, out, zero)
        new_values.append(w_new)
    return new_values, lines


def _sgd(opt, rate, w, g, i, t, state, out, zero):
    if not opt.momentum:
        w_new = w - rate * g
        if out is not None:
            formula = "w ← w − η·∂L/∂w" if opt.is_plain else "w ← w − η·g"
            out.append(Line(formula, "{} − {}·{}", (w, rate, g), w_new))
        return w_new
    buffers = state.buffers.setdefault("b", {})
    if t == 1:
        b = g
        if out is not None:
            out.append(Line("b ← g (first step: the momentum buffer starts at g)", "{}", (g,), b))
    else:
        old = buffers[i]
        if opt.dampening:
            b = opt.momentum * old + (1 - opt.dampening) * g
            if out is not None:
                out.append(Line("b ← μb + (1 − τ)g", "{}·{} + (1 − {})·{}",
                                (opt.momentum, old, opt.dampening, g), b))
        else:
            b = opt.momentum * old + g
            if out is not None:
                out.append(Line("b ← μb + g", "{}·{} + {}", (opt.momentum, old, g), b))
    buffers[i] = b
    if opt.nesterov:
        direction = g + opt.momentum * b
        if out is not None:
            out.append(Line("d = g + μb (Nesterov: look ahead along b)", "{} + {}·{}",
                            (g, opt.momentum, b), direction))
        w_new = w - rate * direction
        if out is not None:
            out.append(Line("w ← w − η·d", "{} − {}·{}", (w, rate, direction), w_new))
        return w_new
    w_new = w - rate * b
    if out is not None:
        out.append(Line("w ← w − η·b", "{} − {}·{}", (w, rate, b), w_new))
    return w_new


def _adam(opt, rate, w, g, i, t, state, out, zero):
    beta1, beta2 = opt.betas
    m_old = state.buffers.setdefault("m", {}).get(i, zero)
    v_old = state.buffers.setdefault("v", {}).get(i, zero)
    m = beta1 * m_old + (1 - beta1) * g
    v = beta2 * v_old + (1 - beta2) * g * g
    state.buffers["m"][i], state.buffers["v"][i] = m, v
    correction1 = 1 - beta1 ** t
    correction2 = 1 - beta2 ** t
    # PyTorch's order of operations: denom = √v/√(1 − β₂ᵗ) + ε, w ← w − (η/(1 − β₁ᵗ))·m/denom
    denominator = math.sqrt(v) / math.sqrt(correction2) + opt.eps
    w_new = w - (rate / correction1) * m / denominator
    if out is not None:
        m_hat, v_hat = m / correction1, v / correction2
        out.append(Line("m ← β₁m + (1 − β₁)g", "{}·{} + (1 − {})·{}", (beta1, m_old, beta1, g), m))
        out.append(Line("v ← β₂v + (1 − β₂)g²", "{}·{} + (1 − {})·{}²", (beta2, v_old, beta2, g), v))
        out.append(Line("m̂ = m/(1 − β₁ᵗ)", f"{{}}/(1 − {{}}^{t})", (m, beta1), m_hat))
        out.append(Line("v̂ = v/(1 − β₂ᵗ)", f"{{}}/(1 − {{}}^{t})", (v, beta2), v_hat))
        out.append(Line("w ← w − η·m̂/(√v̂ + ε)", "{} − {}·{}/(√{} + {})",
                        (w, rate, m_hat, v_hat, opt.eps), w_new))
    return w_new
