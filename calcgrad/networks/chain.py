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

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.engine.derivation import Derivation
from calcgrad.engine.verify import derivative_matches
from calcgrad.engine.steps import FunctionRule, SimplifyStep
from calcgrad.engine.functions import Formula
from calcgrad.errors import UsageError
from calcgrad.render.protocol import Rendered
from calcgrad.engine.functions import ACTIVATIONS
from calcgrad.networks.architecture import Architecture, canonical_key, parse_key
from calcgrad.render.notation import SUPERSCRIPT, to_latex, to_text
from calcgrad.engine.derive import diff

MAX_EXPAND_LAYERS = 8
"""Deepest network whose chains are substituted all the way down to x (--expand)."""


def layer_symbol(letter: str, layer: int | str, index: str = "") -> Symbol:
    """w^{(1)}, z^{(2)}_{1}: printed w⁽¹⁾, z⁽²⁾₁ in text and as named in LaTeX."""
    name = f"{letter}^{{({layer})}}" + (f"_{{{index}}}" if index else "")
    return Symbol(name, real=True)


X = Symbol("x", real=True)
Y = Symbol("y", real=True)


def activation_expr(name: str, z: Expr) -> Expr:
    """f(z) as a SymPy expression the derivative engine knows (from the function table)."""
    entry = ACTIVATIONS.get(name)
    if entry is None or entry.build is None:
        raise UsageError(f"activation: {name} has no one-neuron form; the symbolic chain needs "
                         "an elementwise activation (softmax needs --widths with ≥ 2 outputs)")
    return entry.build(z)


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
    recognised: Expr | None = None  # the same value in intermediate symbols (softmax: a − y)

    @property
    def result(self) -> Expr:
        """The derivative, in the intermediate symbols when it was recognised as one of them."""
        return self.recognised if self.recognised is not None else self.derivation.result


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
class ScalarChain(Rendered):
    """The chain rule for every parameter of a network with one neuron per layer."""

    RENDERER: ClassVar[str] = "calcgrad.render.scalar_chain"

    architecture: Architecture
    definitions: tuple[tuple[Symbol, Expr], ...]     # z⁽¹⁾ = w⁽¹⁾x + b⁽¹⁾, a⁽¹⁾ = σ(z⁽¹⁾), …, L = …
    factors: tuple[Factor, ...]                      # every distinct local derivative
    chains: tuple[ParameterChain, ...]
    expand: bool = False
    output_delta: Expr | None = None
    """δ⁽ᴸ⁾ = ∂L/∂a⁽ᴸ⁾ · ∂a⁽ᴸ⁾/∂z⁽ᴸ⁾ with common factors cancelled, when they cancel (sigmoid with
    binary cross-entropy: a⁽ᴸ⁾ − y); None when the product does not get shorter."""

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


# --- building the chain ---------------------------------------------------------------------


class _Deriver:
    """Derives each local derivative once; layers sharing an activation reuse its steps.

    The derivation of f(z⁽ˡ⁾) by z⁽ˡ⁾ has the same steps in every layer with the same f, so it
    is derived once for a placeholder and its step tree renamed for each layer.
    """

    def __init__(self, verify: bool = True):
        self._templates: dict = {}
        self.verify = verify  # check every step as it is made (calcgrad.engine.verify)

    def derive(self, expr: Expr, variable: Symbol) -> Derivation:
        """A derivative no other layer shares (the loss's): derived as it is."""
        return diff(expr, variable, verify=self.verify)

    def derive_linear(self, weight: Symbol, below: Symbol, bias: Symbol, variable: Symbol) -> Derivation:
        """d/d(variable) of z = w·a + b, derived once per role (by w, by a, by b) for placeholder
        symbols and renamed for each layer: a deep chain does three derivations, not three per
        layer."""
        roles = (weight, below, bias)
        placeholders = tuple(Symbol(f"ζ_{i}", **symbol.assumptions0) for i, symbol in enumerate(roles))
        key = ("linear", roles.index(variable),
               tuple(frozenset(symbol.assumptions0.items()) for symbol in roles))
        if key not in self._templates:
            self._templates[key] = diff(placeholders[0] * placeholders[1] + placeholders[2],
                                        placeholders[roles.index(variable)], verify=self.verify)
        return renamed(self._templates[key], dict(zip(placeholders, roles)))

    def activation(self, name: str, a: Symbol, z: Symbol) -> Factor:
        """∂a/∂z for a = f(z), in the form a lecture writes: f′ from the function table's network
        form (tanh′ = 1 − tanh²(z), not sech²(z)), then recognised in the stored output a
        (σ′ = a(1 − a), tanh′ = 1 − a²) after checking that the two agree."""
        entry = ACTIVATIONS[name]
        definition = activation_expr(name, z)
        key = ("activation", name)
        placeholder = Symbol("ζ_template", real=True)
        if key not in self._templates:
            self._templates[key] = (network_derivation(name, placeholder, self.verify) if entry.network_slope
                                    else diff(definition.xreplace({z: placeholder}), placeholder,
                                              verify=self.verify))
        derivation = renamed(self._templates[key], {placeholder: z})
        recognised = None
        if entry.output_slope is not None:
            candidate = entry.output_slope(a)
            difference = derivation.result - candidate.xreplace({a: definition})
            if difference == 0 or sympy.simplify(difference) == 0:
                recognised = candidate
        return Factor(a, z, definition, derivation, recognised)


def network_derivation(name: str, z: Symbol, verify: bool = True) -> Derivation:
    """d/dz f(z) by the function table's rule, with f′ in its network form (tanh′(z) =
    1 − tanh²(z)): the same rule and explanation as `calcgrad diff`, one form in the network."""
    entry = ACTIVATIONS[name]
    slope = entry.network_slope(z)
    zeta = Symbol("x", real=True)
    formula = Formula(f"d/dx {to_text(entry.build(zeta))} = {to_text(entry.network_slope(zeta))}",
                      rf"\frac{{d}}{{dx}} {to_latex(entry.build(zeta))} = {to_latex(entry.network_slope(zeta))}")
    network_entry = dataclasses.replace(entry, derivative=lambda u: entry.network_slope(u),
                                        formula=formula)
    checked = derivative_matches(entry.build(z), z, slope) if verify else None  # as every engine step
    rule = FunctionRule(entry.build(z), z, network_entry, verified=checked)
    return Derivation(entry.build(z), (z,), (rule, SimplifyStep(slope, slope, verified=True if verify else None)))


def renamed(value, mapping: dict):
    """A copy of a frozen step tree (or Derivation) with symbols renamed."""
    if isinstance(value, sympy.Basic):
        return value.xreplace(mapping)
    if isinstance(value, tuple):
        return tuple(renamed(item, mapping) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: renamed(getattr(value, f.name), mapping)
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def scalar_chain(arch: Architecture, expand: bool = False, verify: bool = True) -> ScalarChain:
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
    deriver = _Deriver(verify)
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

    loss_factor = Factor(loss, a[depth], loss_definition, deriver.derive(loss_definition, a[depth]))
    activation_factors = [None] + [deriver.activation(arch.activations[l - 1], a[l], z[l])
                                   for l in range(1, depth + 1)]
    def linear_factor(l, variable):
        return Factor(z[l], variable, definitions[2 * l - 2][1],
                      deriver.derive_linear(w[l], a[l - 1], b[l], variable))

    back_factors = [None, None] + [linear_factor(l, a[l - 1]) for l in range(2, depth + 1)]
    weight_factors = [None] + [linear_factor(l, w[l]) for l in range(1, depth + 1)]
    bias_factors = [None] + [linear_factor(l, b[l]) for l in range(1, depth + 1)]

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
    return ScalarChain(arch, tuple(definitions), tuple(all_factors), tuple(chains), expand,
                       cancelled(to_z[depth]))


def cancelled(factors) -> Expr | None:
    """The product of the factors' results when SymPy's own product cancels something in it
    (a·a⁻¹: sigmoid's a(1 − a) against the a(1 − a) under binary cross-entropy's ∂L/∂a), else None."""
    results = [factor.result for factor in factors]
    product = sympy.Mul(*results)
    if sympy.count_ops(product) < sum(sympy.count_ops(r) for r in results):
        return sympy.factor_terms(product)  # (a₁ − y₁)/2, not a₁/2 − y₁/2
    return None


def _substitutions(definitions) -> dict:
    values = {}
    for symbol, definition in definitions[:-1]:
        values[symbol] = definition.xreplace(values)
    return values


# --- vector / matrix form -------------------------------------------------------------------


def _entry(letter: str, layer: int, *index: int) -> Symbol:
    """w⁽ˡ⁾ⱼₖ, z⁽ˡ⁾ⱼ …: from 0-based array indices, named counting from 1 as on paper."""
    return layer_symbol(letter, layer, ",".join(str(i + 1) for i in index))


def _input(k: int) -> Symbol:
    return Symbol(f"x_{k + 1}", real=True)


def _target(i: int) -> Symbol:
    return Symbol(f"y_{i + 1}", real=True)


@dataclass(frozen=True)
class ShapeLine:
    """One equation of the vector form, with the shape of every term written out."""

    text: str
    latex: str
    shapes: str


@dataclass(frozen=True)
class Path:
    """One route from the parameter's neuron to the loss: neurons j_l, j_(l+1), …, j_L,
    numbered from 1 as printed."""

    neurons: tuple[int, ...]
    factors: tuple[Factor, ...]

    @property
    def product(self) -> Expr:
        return sympy.Mul(*(f.result for f in self.factors))


@dataclass(frozen=True)
class EntryChain:
    """∂L/∂W⁽ˡ⁾[j,k] (or ∂L/∂b⁽ˡ⁾[j]) as a sum over the paths from neuron j to the loss.

    `key`, `row`, `column` and the paths' neurons count from 1, as they are printed."""

    key: str
    parameter: Symbol
    layer: int
    row: int
    column: int | None
    paths: tuple[Path, ...]            # empty when there are too many to list
    path_count: int
    definitions: tuple[tuple[Symbol, Expr], ...]   # every z⁽ˡ⁾ᵢ and a⁽ˡ⁾ᵢ of the network, and L

    @property
    def total(self) -> Expr:
        """The sum over paths of the product of factors."""
        return sympy.Add(*(path.product for path in self.paths))

    def substitutions(self) -> dict:
        return _substitutions(self.definitions + ((None, None),))


@dataclass(frozen=True)
class MatrixForm(Rendered):
    """Backpropagation in vector/matrix form with shapes, and optionally one entry's chain."""

    RENDERER: ClassVar[str] = "calcgrad.render.matrix_form"

    architecture: Architecture
    forward: tuple[ShapeLine, ...]
    backward: tuple[ShapeLine, ...]
    gradients: tuple[ShapeLine, ...]
    activation_derivatives: tuple[Factor, ...]   # f′ for each activation used, from the engine
    loss_derivative: Factor | None               # ∂L/∂a⁽ᴸ⁾₀ (elementwise output layers)
    softmax_ce: Factor | None                    # ∂L/∂z⁽ᴸ⁾₀ for softmax with cross-entropy
    entry: EntryChain | None = None
    output_delta: Expr | None = None             # δ⁽ᴸ⁾₁ after cancelling (sigmoid with bce: (a₁ − y₁)/n)
    numbers: object | None = None                # EntryNumbers: the entry's chain with a spec's numbers


def _shape(rows, cols) -> str:
    return f"({rows}×{cols})"


def matrix_form(arch: Architecture, param: str | None = None, verify: bool = True) -> MatrixForm:
    """The δ recursion with shapes; with `param` ("W1[3,1]", counted from 1) also that entry's
    scalar chain."""

    if max(arch.widths) > limits.MAX_SYMBOLIC_WIDTH:
        raise UsageError(f"widths: the symbolic form is for layers of at most "
                         f"{limits.MAX_SYMBOLIC_WIDTH} neurons; use a spec file for numbers")
    n, depth = arch.widths, arch.depth
    sup = _sup
    forward = [ShapeLine(f"z{sup(l)} = W{sup(l)}a{sup(l - 1)} + b{sup(l)},  a{sup(l)} = "
                         f"{arch.activations[l - 1]}(z{sup(l)})",
                         rf"z^{{({l})}} = W^{{({l})}} a^{{({l - 1})}} + b^{{({l})}},\quad "
                         rf"a^{{({l})}} = \operatorname{{{arch.activations[l - 1]}}}(z^{{({l})}})",
                         f"{_shape(n[l], 1)} = {_shape(n[l], n[l - 1])}{_shape(n[l - 1], 1)} + {_shape(n[l], 1)}")
               for l in range(1, depth + 1)]
    last = arch.activations[-1]
    backward = []
    sigmoid_bce = last == "sigmoid" and arch.loss == "bce"
    if sigmoid_bce:
        over = f"/{n[depth]}" if n[depth] > 1 else ""
        left, right = ("(", ")") if over else ("", "")
        backward.append(ShapeLine(f"δ{sup(depth)} = ∂L/∂z{sup(depth)} = {left}ŷ − y{right}{over} = "
                                  f"{left}a{sup(depth)} − y{right}{over}",
                                  rf"\delta^{{({depth})}} = {left}\hat y - y{right}{over} = "
                                  rf"{left}a^{{({depth})}} - y{right}{over}",
                                  f"{_shape(n[depth], 1)} = {_shape(n[depth], 1)} − {_shape(n[depth], 1)}"))
    elif last == "softmax" and arch.loss == "ce":
        backward.append(ShapeLine(f"δ{sup(depth)} = ∂L/∂z{sup(depth)} = ŷ − y = a{sup(depth)} − y",
                                  rf"\delta^{{({depth})}} = \hat y - y = a^{{({depth})}} - y",
                                  f"{_shape(n[depth], 1)} = {_shape(n[depth], 1)} − {_shape(n[depth], 1)}"))
    elif last == "softmax":
        backward.append(ShapeLine(
            f"δ{sup(depth)} = J(z{sup(depth)})ᵀ∇ₐL, J = diag(a{sup(depth)}) − a{sup(depth)}(a{sup(depth)})ᵀ",
            rf"\delta^{{({depth})}} = J^{{T}} \nabla_a L,\ J = \operatorname{{diag}}(a^{{({depth})}}) - a^{{({depth})}} (a^{{({depth})}})^{{T}}",
            f"{_shape(n[depth], 1)} = {_shape(n[depth], n[depth])}ᵀ{_shape(n[depth], 1)}"))
    else:
        backward.append(ShapeLine(f"δ{sup(depth)} = ∇ₐL ⊙ f′(z{sup(depth)})",
                                  rf"\delta^{{({depth})}} = \nabla_a L \odot f'(z^{{({depth})}})",
                                  f"{_shape(n[depth], 1)} = {_shape(n[depth], 1)} ⊙ {_shape(n[depth], 1)}"))
    for l in range(depth - 1, 0, -1):
        backward.append(ShapeLine(
            f"δ{sup(l)} = (W{sup(l + 1)})ᵀδ{sup(l + 1)} ⊙ f′(z{sup(l)})",
            rf"\delta^{{({l})}} = (W^{{({l + 1})}})^{{T}} \delta^{{({l + 1})}} \odot f'(z^{{({l})}})",
            f"{_shape(n[l], 1)} = {_shape(n[l + 1], n[l])}ᵀ{_shape(n[l + 1], 1)} ⊙ {_shape(n[l], 1)}"))
    gradients = []
    for l in range(depth, 0, -1):
        gradients.append(ShapeLine(f"∂L/∂W{sup(l)} = δ{sup(l)}(a{sup(l - 1)})ᵀ",
                                   rf"\frac{{\partial L}}{{\partial W^{{({l})}}}} = \delta^{{({l})}} (a^{{({l - 1})}})^{{T}}",
                                   f"{_shape(n[l], n[l - 1])} = {_shape(n[l], 1)}{_shape(n[l - 1], 1)}ᵀ"))
        gradients.append(ShapeLine(f"∂L/∂b{sup(l)} = δ{sup(l)}",
                                   rf"\frac{{\partial L}}{{\partial b^{{({l})}}}} = \delta^{{({l})}}",
                                   f"{_shape(n[l], 1)} = {_shape(n[l], 1)}"))

    deriver = _Deriver(verify)
    zeta = Symbol("z", real=True)
    activation_derivatives = tuple(
        dataclasses.replace(deriver.activation(name, Symbol("a", real=True), zeta), top=Symbol("f", real=True))
        for name in dict.fromkeys(arch.activations) if name != "softmax")
    outputs = [_entry("a", depth, i) for i in range(n[depth])]
    targets = [_target(i) for i in range(n[depth])]
    loss = Symbol("L", real=True)
    loss_derivative = softmax_ce = output_delta = None
    if last != "softmax":
        definition = loss_expr(arch.loss, outputs, targets)
        loss_derivative = Factor(loss, outputs[0], definition, deriver.derive(definition, outputs[0]))
        output_factor = deriver.activation(last, outputs[0], _entry("z", depth, 0))
        output_delta = cancelled((loss_derivative, output_factor))
    elif arch.loss == "ce":
        softmax_ce = _softmax_ce_factor(depth, n[depth], deriver)

    entry = None
    if param is not None:
        kind, layer, j, k = parse_key(param, arch)
        entry = _entry_chain(arch, canonical_key(param, arch), kind, layer, j, k, deriver)
    return MatrixForm(arch, tuple(forward), tuple(backward), tuple(gradients),
                      activation_derivatives, loss_derivative, softmax_ce, entry, output_delta)


def _sup(layer) -> str:
    return "⁽" + str(layer).translate(SUPERSCRIPT) + "⁾"


def _softmax_ce_factor(depth: int, count: int, deriver: _Deriver, i: int = 0) -> Factor:
    """∂L/∂z⁽ᴸ⁾ᵢ for L = −Σⱼ yⱼ ln softmax(z)ⱼ, written as −Σⱼ yⱼzⱼ + ln Σₖ e^(zₖ) (Σⱼ yⱼ = 1).

    The engine's answer e^(zᵢ)/Σₖe^(zₖ) − yᵢ is recognised as aᵢ − yᵢ (ŷ − y), after checking
    that the two agree once aᵢ is written out.
    """
    zs = [_entry("z", depth, m) for m in range(count)]
    total = sympy.Add(*(sympy.exp(z) for z in zs))
    definition = -sympy.Add(*(_target(m) * zs[m] for m in range(count))) + sympy.log(total)
    derivation = deriver.derive(definition, zs[i])
    recognised = _entry("a", depth, i) - _target(i)
    difference = derivation.result - recognised.xreplace({_entry("a", depth, i): sympy.exp(zs[i]) / total})
    numerator = sympy.fraction(sympy.together(difference))[0]
    if sympy.expand(numerator) != 0:  # pragma: no cover - the engine and SymPy disagree
        recognised = None
    return Factor(Symbol("L", real=True), zs[i], definition, derivation, recognised)


def _network_definitions(arch: Architecture) -> list[tuple[Symbol, Expr]]:
    """z⁽ˡ⁾ᵢ = Σₖ w⁽ˡ⁾ᵢ,ₖ a⁽ˡ⁻¹⁾ₖ + b⁽ˡ⁾ᵢ and a⁽ˡ⁾ᵢ = f(z⁽ˡ⁾ᵢ) for every neuron, then L."""
    n, depth = arch.widths, arch.depth
    previous = [_input(k) for k in range(n[0])]
    definitions = []
    for l in range(1, depth + 1):
        zs = [_entry("z", l, i) for i in range(n[l])]
        for i, z in enumerate(zs):
            definitions.append((z, sympy.Add(*(_entry("w", l, i, k) * previous[k] for k in range(n[l - 1])))
                                + _entry("b", l, i)))
        name = arch.activations[l - 1]
        current = [_entry("a", l, i) for i in range(n[l])]
        for i, a in enumerate(current):
            if name == "softmax":
                value = sympy.exp(zs[i]) / sympy.Add(*(sympy.exp(z) for z in zs))
            else:
                value = activation_expr(name, zs[i])
            definitions.append((a, value))
        previous = current
    definitions.append((Symbol("L", real=True),
                        loss_expr(arch.loss, previous, [_target(i) for i in range(n[depth])])))
    return definitions


def _entry_chain(arch: Architecture, key: str, kind: str, layer: int, j: int, k: int | None,
                 deriver: _Deriver) -> EntryChain:
    n, depth = arch.widths, arch.depth
    definitions = _network_definitions(arch)
    by_symbol = dict(definitions)
    parameter = _entry("w", layer, j, k) if kind == "W" else _entry("b", layer, j)
    count = 1
    for m in range(layer + 1, depth + 1):
        count *= n[m]
    paths: list[Path] = []
    if count <= limits.MAX_CHAIN_PATHS:
        cache: dict = {}
        loss = Symbol("L", real=True)
        softmax_out = arch.activations[-1] == "softmax"

        def factor(top, bottom, definition):
            if (top, bottom) not in cache:
                cache[top, bottom] = Factor(top, bottom, definition, deriver.derive(definition, bottom))
            return cache[top, bottom]

        def activation(name, a, z):
            if (a, z) not in cache:
                cache[a, z] = deriver.activation(name, a, z)
            return cache[a, z]

        def z_def(m, i):
            return by_symbol[_entry("z", m, i)]

        bottom_factor = factor(_entry("z", layer, j), parameter, z_def(layer, j))
        for route in _routes(n, layer, depth, j):
            factors = []
            last = route[-1]
            if softmax_out and arch.loss == "ce":
                if (loss, _entry("z", depth, last)) not in cache:
                    cache[loss, _entry("z", depth, last)] = _softmax_ce_factor(depth, n[depth], deriver, last)
                factors.append(cache[loss, _entry("z", depth, last)])
            elif softmax_out:
                z_last = _entry("z", depth, last)
                composed = by_symbol[loss].xreplace({_entry("a", depth, i): by_symbol[_entry("a", depth, i)]
                                                     for i in range(n[depth])})
                factors.append(factor(loss, z_last, composed))
            else:
                factors.append(factor(loss, _entry("a", depth, last), by_symbol[loss]))
                factors.append(activation(arch.activations[-1], _entry("a", depth, last), _entry("z", depth, last)))
            for m in range(depth, layer, -1):
                here, below = route[m - layer], route[m - layer - 1]
                factors.append(factor(_entry("z", m, here), _entry("a", m - 1, below), z_def(m, here)))
                factors.append(activation(arch.activations[m - 2], _entry("a", m - 1, below), _entry("z", m - 1, below)))
            factors.append(bottom_factor)
            paths.append(Path(tuple(i + 1 for i in route), tuple(factors)))
    return EntryChain(key, parameter, layer, j + 1, None if k is None else k + 1, tuple(paths),
                      count, tuple(definitions))


def _routes(widths, layer: int, depth: int, start: int):
    """Every sequence of neurons (start, j_(l+1), …, j_L)."""
    routes = [(start,)]
    for m in range(layer + 1, depth + 1):
        routes = [route + (i,) for route in routes for i in range(widths[m])]
    return routes


# --- one entry's chain with a spec's numbers --------------------------------------------------


def network_numbers(arch: Architecture, parameters: dict, x, y, forward_row) -> dict:
    """The number of every symbol of the entry chains (x_k, y_i, w⁽ˡ⁾ⱼ,ₖ, b⁽ˡ⁾ⱼ, z⁽ˡ⁾ⱼ, a⁽ˡ⁾ⱼ) for
    one input row, from a walkthrough's parameters (keyed "W1[1,1]") and forward pass."""
    n = arch.widths
    numbers = {_input(k): v for k, v in enumerate(x)}
    numbers.update({_target(i): v for i, v in enumerate(y)})
    for l in range(1, arch.depth + 1):
        z_values, a_values = forward_row[l - 1]
        for j in range(n[l]):
            numbers[_entry("z", l, j)] = z_values[j]
            numbers[_entry("a", l, j)] = a_values[j]
            bias = parameters.get(f"b{l}[{j + 1}]")
            if bias is not None:
                numbers[_entry("b", l, j)] = bias
            for k in range(n[l - 1]):
                numbers[_entry("w", l, j, k)] = parameters[f"W{l}[{j + 1},{k + 1}]"]
    return numbers


def _sympy_number(value) -> Expr:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Float(float(value))


def _evaluate(expr: Expr, numbers: dict, exact: bool):
    value = expr.xreplace(numbers)
    if exact and value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return float(value.evalf(30))


@dataclass(frozen=True)
class EntryNumbers:
    """One entry's chain with the spec's numbers put in, and the check against the backward pass.

    Per input row: the value of each distinct factor (in the order of `distinct`) and of each
    path's product; `total` is the sum over paths, the mean over the rows for a batch."""

    distinct: tuple[Factor, ...]
    rows: tuple[dict, ...]                   # per row: symbol → number
    factor_values: tuple[tuple, ...]         # per row, per distinct factor
    path_values: tuple[tuple, ...]           # per row, per path
    total: object
    expected: object                         # ∂L/∂parameter from the walkthrough
    walkthrough: object                      # the Walkthrough (its numbers and their display)

    @property
    def matches(self) -> bool:
        """The chain's value equals the backward pass's (exactly with fractions, else to 1e-9)."""
        if isinstance(self.total, Fraction) and isinstance(self.expected, Fraction):
            return self.total == self.expected
        total, expected = float(self.total), float(self.expected)
        return abs(total - expected) <= 1e-9 * max(1.0, abs(total), abs(expected))


def distinct_factors(entry: EntryChain) -> list[Factor]:
    """The entry's factors, each once, in the order its paths first use them."""
    seen, factors = set(), []
    for path in entry.paths:
        for factor in path.factors:
            if id(factor) not in seen:
                seen.add(id(factor))
                factors.append(factor)
    return factors


def entry_numbers(entry: EntryChain, rows: list[dict], expected, walkthrough, exact: bool = False) -> EntryNumbers:
    """Put each row's numbers into the entry's chain: every factor, every path, the sum."""
    distinct = distinct_factors(entry)
    factor_values, path_values, totals = [], [], []
    for numbers in rows:
        values = {symbol: _sympy_number(v) for symbol, v in numbers.items()}
        by_factor = {id(f): _evaluate(f.result, values, exact) for f in distinct}
        factor_values.append(tuple(by_factor[id(f)] for f in distinct))
        products = []
        for path in entry.paths:
            product = 1
            for factor in path.factors:
                product = product * by_factor[id(factor)]
            products.append(product)
        path_values.append(tuple(products))
        totals.append(sum(products))
    total = sum(totals) / len(totals) if totals else None
    return EntryNumbers(tuple(distinct), tuple(rows), tuple(factor_values), tuple(path_values),
                        total, expected, walkthrough)
