"""The numeric walkthrough written as a lecture writes it: each δ and each gradient as its
formula, then the same formula with the numbers put in, then the value.

    δ⁽²⁾ = (a⁽²⁾ − y)·a⁽²⁾·(1 − a⁽²⁾) = (0.7514 − 0.01)·0.7514·(1 − 0.7514) = 0.1385
    ∂L/∂w⁽²⁾₁,₁ = δ⁽²⁾·a⁽¹⁾₁ = 0.1385·0.5933 = 0.08217

A formula is a short list of SymPy factors in the symbols of the network (a⁽ˡ⁾ⱼ, z⁽ˡ⁾ⱼ, y, x,
w, δ) with the number of every symbol beside it; the renderers print the factors once with
the symbols and once with the numbers (calcgrad.render.network). The values are the
walkthrough's own, never recomputed here; tests evaluate each formula with its numbers and
compare.

Small layers are written entry by entry; a layer wider than WRITTEN_WIDTH neurons (or a weight
matrix of more than WRITTEN_ENTRIES entries) keeps its vector formula and a table of values,
which the renderer already draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Expr, Symbol

from calcgrad.engine.functions import ACTIVATIONS
from calcgrad.networks.architecture import Number
from calcgrad.networks.chain import layer_symbol

WRITTEN_WIDTH = 4
"""Layers of at most this many neurons have each δ written out (and sums of at most this many
terms are written term by term)."""

WRITTEN_ENTRIES = 16
"""Weight matrices of at most this many entries have each gradient written out."""

WRITTEN_BATCH_ROWS = 4
"""A batch gradient (the mean over the rows) has its rows put in when there are at most this many."""


@dataclass(frozen=True)
class WrittenLine:
    """name = formula = the formula with numbers put in = value.

    `parts` are multiplied in the order given. `rows` holds the number of every symbol, one
    mapping per input row; with more than one row the line is the mean of the rows' products
    (an empty tuple: too many rows to put in, only the formula and the value are written).
    """

    key: str                      # "delta2[1]" or the parameter key "W1[1,1]"
    name: Symbol                  # δ⁽ˡ⁾ⱼ, or the parameter w⁽ˡ⁾ⱼ,ₖ / b⁽ˡ⁾ⱼ (written ∂L/∂…)
    gradient: bool                # True: the line is ∂L/∂name
    parts: tuple[Expr, ...]
    rows: tuple[dict, ...]
    value: Number
    batch: int = 1                # rows averaged (1: a single input)

    def evaluated(self) -> float:
        """The formula evaluated with its numbers (for checking against `value`)."""
        def product(numbers):
            values = {symbol: sympy.nsimplify(v) if not isinstance(v, float) else sympy.Float(v, 30)
                      for symbol, v in numbers.items()}
            return sympy.Mul(*(part.xreplace(values) for part in self.parts))
        total = sympy.Add(*(product(numbers) for numbers in self.rows))
        return float(total / len(self.rows))


@dataclass(frozen=True)
class LayerWritten:
    """What is written for one layer: its δ lines (row 1 of a batch) and its gradient lines;
    empty when the layer is too wide and its table stands for it."""

    layer: int
    deltas: tuple[WrittenLine, ...]
    gradients: tuple[WrittenLine, ...]


def _name(letter: str, layer: int, width: int, *index: int) -> Symbol:
    """a⁽ˡ⁾ⱼ with a 1-based index, or a⁽ˡ⁾ alone in a layer of one neuron."""
    if width == 1 and all(i == 0 for i in index):
        return layer_symbol(letter, layer)
    return layer_symbol(letter, layer, ",".join(str(i + 1) for i in index))


def _plain(letter: str, width: int, i: int) -> Symbol:
    """x or xₖ, y or yᵢ."""
    return Symbol(letter if width == 1 else f"{letter}_{i + 1}", real=True)


class ActivationSlopeBase(sympy.Function):
    """f′(z) of an activation whose slope formula is long (GELU′(z) = Φ(z) + z·φ(z)), written by
    name in a formula; its value comes from the function table. Subclassed per activation
    (`slope_function`), printed by calcgrad.render.network."""

    nargs = 1
    activation: str = ""

    def _eval_evalf(self, prec):
        if not self.args[0].is_number:
            return None
        return sympy.Float(ACTIVATIONS[self.activation].float_slope(float(self.args[0])), prec)


def slope_function(name: str) -> type:
    """The ActivationSlopeBase class of one activation (GELU′, SiLU′)."""
    return type(f"{name}_slope", (ActivationSlopeBase,), {"activation": name})


SHORT_SLOPE_OPS = 4
"""A slope formula of more operations than this (GELU′, SiLU′) is written by name, f′(z)."""


def slope_expr(name: str, a: Symbol, z: Symbol) -> Expr:
    """f′ as the network writes it: in the stored output a when the function table gives that
    form (σ′ = a(1 − a), tanh′ = 1 − a²), else in z (ReLU′ = step(z)); a long formula by name
    (GELU′(z), its formula stated in the walkthrough's header)."""
    entry = ACTIVATIONS[name]
    if entry.output_slope is not None:
        return entry.output_slope(a)
    if entry.network_slope is not None:
        return entry.network_slope(z)
    slope = entry.derivative(z) if entry.derivative is not None else sympy.diff(entry.build(z), z)
    if sympy.count_ops(slope) > SHORT_SLOPE_OPS:
        return slope_function(name)(z)
    return slope


def _loss_gradient_parts(loss: str, a: Symbol, y: Symbol, n: int) -> tuple[Expr, ...]:
    """∂L/∂aᵢ as factors: 2(aᵢ − yᵢ)/n, 2(aᵢ − yᵢ) or (aᵢ − yᵢ)."""
    difference = a - y
    if loss == "mse":
        return (sympy.Rational(2, n), difference)
    if loss == "sse":
        return (sympy.Integer(2), difference)
    return (difference,)


def written_layers(w) -> tuple[LayerWritten, ...]:
    """Every layer's δ and gradient lines for a Walkthrough `w` (layer L first)."""
    arch = w.architecture
    n, depth = arch.widths, arch.depth
    forward, deltas = w.forward[0], w.deltas[0]
    y = w.targets[0]
    layers = []
    for l in range(depth, 0, -1):
        narrow = n[l] <= WRITTEN_WIDTH and (l == depth or n[l + 1] <= WRITTEN_WIDTH)
        delta_lines = ()
        if narrow and not (l == depth and arch.activations[-1] == "softmax" and arch.loss != "ce"):
            delta_lines = tuple(_delta_line(w, l, j, forward, deltas, y) for j in range(n[l]))
        gradient_lines = ()
        if n[l] * n[l - 1] <= WRITTEN_ENTRIES:
            gradient_lines = tuple(_gradient_lines(w, l))
        layers.append(LayerWritten(l, delta_lines, gradient_lines))
    return tuple(layers)


def _delta_line(w, l: int, j: int, forward, deltas, y) -> WrittenLine:
    arch = w.architecture
    n, depth = arch.widths, arch.depth
    name = arch.activations[l - 1]
    z_values, a_values = forward[l - 1]
    a, z = _name("a", l, n[l], j), _name("z", l, n[l], j)
    numbers = {a: a_values[j], z: z_values[j]}
    if l == depth:
        target = _plain("y", n[depth], j)
        numbers[target] = y[j]
        if name == "softmax":         # with ce: δᵢ = aᵢ − yᵢ
            parts: tuple[Expr, ...] = (a - target,)
        elif name == "sigmoid" and arch.loss == "bce":   # the cancelled form (aᵢ − yᵢ)/n
            parts = (a - target,) if n[depth] == 1 else (sympy.Rational(1, n[depth]), a - target)
        else:
            parts = _loss_gradient_parts(arch.loss, a, target, n[depth]) + (slope_expr(name, a, z),)
    else:
        terms = []
        for i in range(n[l + 1]):
            weight = _name("w", l + 1, max(n[l + 1], n[l]), i, j)
            after = _name("delta", l + 1, n[l + 1], i)
            numbers[weight] = w.parameters[f"W{l + 1}[{i + 1},{j + 1}]"]
            numbers[after] = deltas[l][i]
            terms.append(weight * after)
        parts = (sympy.Add(*terms), slope_expr(name, a, z))
    parts = tuple(p for p in parts if p != 1)
    return WrittenLine(f"delta{l}[{j + 1}]", _name("delta", l, n[l], j), False, parts, (numbers,),
                       deltas[l - 1][j])


def _gradient_lines(w, l: int):
    arch = w.architecture
    n = arch.widths
    batch = w.batch_size
    for j in range(n[l]):
        delta = _name("delta", l, n[l], j)
        keys = [(f"W{l}[{j + 1},{k + 1}]", k) for k in range(n[l - 1])]
        if not w.freeze_biases:
            keys.append((f"b{l}[{j + 1}]", None))
        for key, k in keys:
            if key not in w.gradients:
                continue
            if k is None:
                symbol, parts = _name("b", l, n[l], j), (delta,)
            else:
                before = (_plain("x", n[0], k) if l == 1 else _name("a", l - 1, n[l - 1], k))
                symbol = _name("w", l, max(n[l], n[l - 1]), j, k)
                parts = (delta, before)
            rows = []
            if batch <= WRITTEN_BATCH_ROWS:
                for r in range(batch):
                    numbers = {delta: w.deltas[r][l - 1][j]}
                    if k is not None:
                        numbers[parts[1]] = w.inputs[r][k] if l == 1 else w.forward[r][l - 2][1][k]
                    rows.append(numbers)
            yield WrittenLine(key, symbol, True, parts, tuple(rows), w.gradients[key], batch)
