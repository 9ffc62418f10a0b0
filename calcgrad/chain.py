"""Backpropagation as the chain rule, in symbols: every factor derived by calcgrad's engine.

For one neuron per layer, z⁽ˡ⁾ = w⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), so

    ∂L/∂w⁽ˡ⁾ = ∂L/∂a⁽ᴸ⁾ · ∂a⁽ᴸ⁾/∂z⁽ᴸ⁾ · ∂z⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ · … · ∂a⁽ˡ⁾/∂z⁽ˡ⁾ · ∂z⁽ˡ⁾/∂w⁽ˡ⁾.

Each distinct local derivative (∂a⁽ˡ⁾/∂z⁽ˡ⁾, ∂z⁽ˡ⁾/∂a⁽ˡ⁻¹⁾, …) is one Derivation, derived once
and shared by every chain that passes through it, and the products are written with the
intermediate symbols z⁽ˡ⁾, a⁽ˡ⁾, exactly as backpropagation stores them: the work grows
linearly with depth. Substituting everything down to x, y and the parameters (`expand`) grows
faster and is done only on request.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.derivation import Derivation
from calcgrad.errors import UsageError
from calcgrad.functions import relu, sigmoid, softplus
from calcgrad.network import Architecture

MAX_EXPAND_LAYERS = 8
"""Deepest network whose chains are substituted all the way down to x (--expand)."""


def layer_symbol(letter: str, layer: int | str, index: str = "") -> Symbol:
    """w^{(1)}, z^{(2)}_{1}: printed w⁽¹⁾, z⁽²⁾₁ in text and as named in LaTeX."""
    name = f"{letter}^{{({layer})}}" + (f"_{{{index}}}" if index else "")
    return Symbol(name, real=True)


X = Symbol("x", real=True)
Y = Symbol("y", real=True)


def activation_expr(name: str, z: Expr) -> Expr:
    """f(z) as a SymPy expression the derivative engine knows."""
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return sympy.tanh(z)
    if name == "relu":
        return relu(z)
    if name == "softplus":
        return softplus(z)
    if name == "linear":
        return z
    if name == "leaky_relu":
        return sympy.Piecewise((z, z > 0), (z / 100, True))
    raise UsageError(f"activation: {name} has no one-neuron form; the symbolic chain needs "
                     "an elementwise activation (softmax needs --widths with ≥ 2 outputs)")


def loss_expr(name: str, outputs: list[Expr], targets: list[Expr]) -> Expr:
    """L(ŷ, y) as a SymPy expression."""
    n = len(outputs)
    pairs = list(zip(outputs, targets))
    if name == "mse":
        return sympy.Add(*((t - o) ** 2 for o, t in pairs)) / n
    if name == "sse":
        return sympy.Add(*((t - o) ** 2 for o, t in pairs))
    if name == "half_sse":
        return sympy.Add(*((t - o) ** 2 for o, t in pairs)) / 2
    if name == "bce":
        return -sympy.Add(*(t * sympy.log(o) + (1 - t) * sympy.log(1 - o) for o, t in pairs)) / n
    if name == "ce":
        return -sympy.Add(*(t * sympy.log(o) for o, t in pairs))
    raise UsageError(f"loss: unknown loss {name!r}")


# --- result types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One local derivative ∂top/∂bottom, with its derivation from the engine."""

    top: Symbol                 # L, a⁽ˡ⁾ or z⁽ˡ⁾
    bottom: Symbol              # a⁽ˡ⁾, z⁽ˡ⁾, w⁽ˡ⁾ or b⁽ˡ⁾
    definition: Expr            # what `top` is, in terms of `bottom` (and others held constant)
    derivation: Derivation

    @property
    def result(self) -> Expr:
        return self.derivation.result


@dataclass(frozen=True)
class ParameterChain:
    """∂L/∂p as the product of its chain of factors, loss first."""

    parameter: Symbol
    factors: tuple[Factor, ...]
    expanded: Expr | None = None    # the product with everything substituted down to x, y

    @property
    def product(self) -> Expr:
        """The product of the factors' results (in the intermediate symbols z⁽ˡ⁾, a⁽ˡ⁾)."""
        return sympy.Mul(*(factor.result for factor in self.factors))


@dataclass(frozen=True)
class ScalarChain:
    """The chain rule for every parameter of a network with one neuron per layer."""

    architecture: Architecture
    definitions: tuple[tuple[Symbol, Expr], ...]     # z⁽¹⁾ = w⁽¹⁾x + b⁽¹⁾, a⁽¹⁾ = σ(z⁽¹⁾), …, L = …
    factors: tuple[Factor, ...]                      # every distinct local derivative
    chains: tuple[ParameterChain, ...]
    expand: bool = False

    def chain(self, parameter: str) -> ParameterChain:
        """The chain of one parameter, by name ("w1", "b2", "w^{(1)}")."""
        wanted = parameter.replace("^{(", "").replace(")}", "").lower()
        for chain in self.chains:
            name = chain.parameter.name.replace("^{(", "").replace(")}", "")
            if name == wanted:
                return chain
        names = ", ".join(c.parameter.name.replace("^{(", "").replace(")}", "") for c in self.chains)
        raise UsageError(f"param: no parameter {parameter!r}; the network has {names}")

    def substitutions(self) -> dict:
        """z⁽ˡ⁾ and a⁽ˡ⁾ in terms of x and the parameters (for expanding)."""
        values = {}
        for symbol, definition in self.definitions[:-1]:
            values[symbol] = definition.xreplace(values)
        return values

    def to_dict(self) -> dict:
        from calcgrad.render.network import chain_dict

        return chain_dict(self)

    def plain(self) -> str:
        from calcgrad.render.network import chain_plain

        return chain_plain(self)

    def markdown(self) -> str:
        from calcgrad.render.network import chain_markdown

        return chain_markdown(self)

    def latex(self) -> str:
        from calcgrad.render.network import chain_latex

        return chain_latex(self)

    def __str__(self) -> str:
        return self.plain()

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_latex_(self) -> str:
        from calcgrad.render.network import chain_aligned

        return chain_aligned(self)

    def __rich__(self):
        from calcgrad.render.network import chain_rich

        return chain_rich(self)


# --- building the chain ---------------------------------------------------------------------


class _Deriver:
    """Derives each local derivative once; layers sharing an activation reuse its steps.

    The derivation of f(z⁽ˡ⁾) by z⁽ˡ⁾ has the same steps in every layer with the same f, so it
    is derived once for a placeholder and its step tree renamed for each layer.
    """

    def __init__(self):
        self._templates: dict = {}

    def derive(self, expr: Expr, variable: Symbol, template_key=None) -> Derivation:
        from calcgrad.derive import diff

        if template_key is None:
            return diff(expr, variable)
        placeholder = Symbol("ζ_template", real=True)
        if template_key not in self._templates:
            self._templates[template_key] = diff(expr.xreplace({variable: placeholder}), placeholder)
        return _renamed(self._templates[template_key], {placeholder: variable})


def _renamed(value, mapping: dict):
    """A copy of a frozen step tree (or Derivation) with symbols renamed."""
    import dataclasses

    if isinstance(value, sympy.Basic):
        return value.xreplace(mapping)
    if isinstance(value, tuple):
        return tuple(_renamed(item, mapping) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _renamed(getattr(value, f.name), mapping)
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def scalar_chain(arch: Architecture, expand: bool = False) -> ScalarChain:
    """Every parameter's chain of factors for a network of one neuron per layer."""
    if any(width != 1 for width in arch.widths):
        raise UsageError("the scalar chain is for one neuron per layer; for wider layers use "
                         "--widths (the vector/matrix form) and --param for one entry")
    if arch.loss == "ce" or "softmax" in arch.activations:
        raise UsageError("softmax and ce need at least two output neurons; use --widths, "
                         "e.g. --widths 2,3,2")
    if expand and arch.depth > MAX_EXPAND_LAYERS:
        raise UsageError(f"--expand substitutes everything down to x and grows quickly with depth; "
                         f"it is limited to {MAX_EXPAND_LAYERS} layers (got {arch.depth})")
    depth = arch.depth
    deriver = _Deriver()
    w = [None] + [layer_symbol("w", l) for l in range(1, depth + 1)]
    b = [None] + [layer_symbol("b", l) for l in range(1, depth + 1)]
    z = [None] + [layer_symbol("z", l) for l in range(1, depth + 1)]
    a = [X] + [layer_symbol("a", l) for l in range(1, depth + 1)]
    loss = Symbol("L", real=True)

    definitions = []
    for l in range(1, depth + 1):
        definitions.append((z[l], w[l] * a[l - 1] + b[l]))
        definitions.append((a[l], activation_expr(arch.activations[l - 1], z[l])))
    loss_definition = loss_expr(arch.loss, [a[depth]], [Y])
    definitions.append((loss, loss_definition))

    def factor(top, bottom, definition, template=None):
        return Factor(top, bottom, definition, deriver.derive(definition, bottom, template))

    loss_factor = factor(loss, a[depth], loss_definition)
    activation_factors = [None] + [
        factor(a[l], z[l], definitions[2 * l - 1][1], ("activation", arch.activations[l - 1]))
        for l in range(1, depth + 1)]
    back_factors = [None, None] + [factor(z[l], a[l - 1], definitions[2 * l - 2][1])
                                   for l in range(2, depth + 1)]
    weight_factors = [None] + [factor(z[l], w[l], definitions[2 * l - 2][1]) for l in range(1, depth + 1)]
    bias_factors = [None] + [factor(z[l], b[l], definitions[2 * l - 2][1]) for l in range(1, depth + 1)]

    # the path from L down to z⁽ˡ⁾, shared: to_z[l] = (∂L/∂a⁽ᴸ⁾, ∂a⁽ᴸ⁾/∂z⁽ᴸ⁾, …, ∂a⁽ˡ⁾/∂z⁽ˡ⁾)
    to_z = [None] * (depth + 1)
    to_z[depth] = (loss_factor, activation_factors[depth])
    for l in range(depth - 1, 0, -1):
        to_z[l] = to_z[l + 1] + (back_factors[l + 1], activation_factors[l])

    substitutions = None
    chains = []
    for l in range(depth, 0, -1):
        for parameter, last in ((w[l], weight_factors[l]), (b[l], bias_factors[l])):
            factors = to_z[l] + (last,)
            expanded = None
            if expand:
                if substitutions is None:
                    substitutions = _substitutions(definitions)
                expanded = sympy.Mul(*(f.result for f in factors)).xreplace(substitutions)
            chains.append(ParameterChain(parameter, factors, expanded))

    all_factors = [loss_factor]
    for l in range(depth, 0, -1):
        all_factors.append(activation_factors[l])
        all_factors += [weight_factors[l], bias_factors[l]]
        if l > 1:
            all_factors.append(back_factors[l])
    return ScalarChain(arch, tuple(definitions), tuple(all_factors), tuple(chains), expand)


def _substitutions(definitions) -> dict:
    values = {}
    for symbol, definition in definitions[:-1]:
        values[symbol] = definition.xreplace(values)
    return values
