"""Renderers for networks: the numeric walkthrough and the symbolic chain, in every format.

Each result is first laid out as sections of lines and tables (text and LaTeX side by side);
plain text, Rich, Markdown and LaTeX only differ in how they draw those.
"""

from __future__ import annotations

import math

import re
from dataclasses import dataclass, field

from sympy import Basic, Mul, Symbol

from calcgrad import limits
from calcgrad.engine.functions import ACTIVATIONS
from calcgrad.networks.architecture import ACTIVATION_FORMULAS, CONVENTIONS, LOSS_FORMULAS
from calcgrad.networks.chain import distinct_factors, renamed
from calcgrad.networks.written import WRITTEN_ENTRIES, WRITTEN_WIDTH, written_layers
from calcgrad.render import plain
from calcgrad.render.common import check_mark, outline
from calcgrad.render.escape import csv_table, latex_text, markdown_text
from calcgrad.render.json import derivation_dict
from calcgrad.render.latex import equation
from calcgrad.render.notation import SUPERSCRIPT, NotesLatexPrinter, TextPrinter, to_ascii, to_latex, to_text
from calcgrad.render.protocol import current_detail

# --- layout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Math:
    """One piece of notation in both spellings: text (Unicode) and LaTeX."""
    text: str
    latex: str


@dataclass
class Table:
    headers: list            # of Math
    rows: list               # of lists of str (numbers and keys)
    note: str = ""


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)  # str (a line of text), Math (a formula) or Table


def sup(layer) -> str:
    """⁽ˡ⁾ for a layer number (or letter)."""
    text = str(layer)
    return "⁽" + text.translate(SUPERSCRIPT).replace("L", "ᴸ").replace("l", "ˡ") + "⁾"


def named(letter: str, layer, index: str = "") -> Math:
    """z⁽¹⁾ / z^{(1)}, optionally with an index: a⁽⁰⁾[1] / a^{(0)}_{1}."""
    text = f"{letter}{sup(layer)}" + (f"[{index}]" if index else "")
    latex = f"{_LETTERS.get(letter, letter)}^{{({layer})}}" + (f"_{{{index}}}" if index else "")
    return Math(text, latex)


_LETTERS = {"δ": r"\delta"}


def _latex_number(text: str) -> str:
    if "/" in text:
        p, q = text.split("/")
        sign = "-" if p[:1] in "-−" else ""
        return rf"{sign}\frac{{{p.lstrip('-−')}}}{{{q}}}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa.replace('−', '-')} \cdot 10^{{{int(exponent.replace('−', '-'))}}}"
    return text.replace("−", "-")


# --- formulas with the numbers put in --------------------------------------------------------


def _bracketed_number(text: str) -> str:
    """A number as one factor: negative numbers and fractions in brackets."""
    return f"({text})" if text.startswith(("-", "−")) or "/" in text else text


class _NumbersText(TextPrinter):
    """A formula with numbers in place of its symbols, in the formula's own order (the order
    is decided on the symbols, so the numbers line up with the formula printed beside them)."""

    def __init__(self, numbers: dict) -> None:
        super().__init__({"typed": None})
        self._numbers = numbers
        self._argument = False

    def _print_Symbol(self, expr):
        text = self._numbers.get(expr)
        if text is None:
            return super()._print_Symbol(expr)
        return text if self._argument else _bracketed_number(text)

    def _bare_arguments(self, printer, expr):
        """A function of plain symbols prints its numbers unbracketed: step(3/5), σ(-0.2)."""
        self._argument = all(arg.is_Symbol or arg.is_Number for arg in expr.args)
        try:
            return printer(expr)
        finally:
            self._argument = False

    def _print_Function(self, expr):
        return self._bare_arguments(super()._print_Function, expr)

    def _print_Heaviside(self, expr):
        return self._bare_arguments(super()._print_Heaviside, expr)

    def _print_ActivationSlopeBase(self, expr):  # GELU′(z), by name
        entry = ACTIVATIONS[expr.activation]
        return self._bare_arguments(lambda e: f"{entry.text_name or entry.name}′({self._print(e.args[0])})", expr)

    def _print_Pow(self, expr, rational=False):
        if expr.base.is_Function:  # tanh²(-0.2): the power is written before the argument
            self._argument = all(arg.is_Symbol or arg.is_Number for arg in expr.base.args)
        try:
            return super()._print_Pow(expr, rational)
        finally:
            self._argument = False

    def _juxtapose(self, left, right):
        if any(getattr(f, "base", f) in self._numbers for f in (left, right)):
            return False  # 0.4·0.24, never 0.40.24
        return super()._juxtapose(left, right)


class _NumbersLatex(NotesLatexPrinter):
    r"""The LaTeX twin of _NumbersText: numbers for symbols, factors joined by \cdot."""

    def __init__(self, numbers: dict) -> None:
        super().__init__({"mul_symbol": "dot"})
        self._numbers = numbers

    def _print_Symbol(self, expr, style="plain"):
        text = self._numbers.get(expr)
        if text is None:
            printed = super()._print_Symbol(expr, style)
            return "\\" + printed if printed.startswith("delta^") else printed
        number = _latex_number(text)
        return rf"\left({number}\right)" if number.startswith("-") or r"\frac" in number else number

    def _print_ActivationSlopeBase(self, expr, exp=None):
        entry = ACTIVATIONS[expr.activation]
        name = entry.latex_name or rf"\operatorname{{{entry.name}}}"
        return rf"{name}'\left({self._print(expr.args[0])}\right)"


def _joined(parts, printed, latex: bool = False) -> str:
    """Factors multiplied in the order given: 2(a − y)·a·(1 − a)."""
    pieces = []
    for part, text in zip(parts, printed):
        if len(parts) > 1 and (part.is_Add or part.is_Rational and not part.is_Integer):
            text = rf"\left({text}\right)" if latex else f"({text})"
        pieces.append(text)
    out = pieces[0] if pieces else ("1")
    for (before, after), piece in zip(zip(parts, parts[1:]), pieces[1:]):
        juxtaposed = before.is_Number and after.is_Add
        out += ("" if juxtaposed else r" \cdot " if latex else "·") + piece
    return out


def written_texts(w, line) -> dict:
    """formula, substituted (None when too many rows to put in) and value of a WrittenLine, in
    text and LaTeX; `text`/`latex` are the whole line name = formula = numbers = value."""
    parts = line.parts
    formula = _joined(parts, [_NumbersText({}).doprint(p) for p in parts])
    formula_latex = _joined(parts, [_NumbersLatex({}).doprint(p) for p in parts], latex=True)
    value = w.number(line.value)
    substituted = substituted_latex = None
    if line.rows:
        rows = [{symbol: w.number(v) for symbol, v in numbers.items()} for numbers in line.rows]
        texts = [_joined(parts, [_NumbersText(r).doprint(p) for p in parts]) for r in rows]
        latexes = [_joined(parts, [_NumbersLatex(r).doprint(p) for p in parts], latex=True) for r in rows]
        substituted, substituted_latex = texts[0], latexes[0]
        if len(rows) > 1:
            substituted = f"({' + '.join(texts)})/{len(rows)}"
            substituted_latex = rf"\frac{{{' + '.join(latexes)}}}{{{len(rows)}}}"
    if line.batch > 1:
        formula = f"mean over the {line.batch} rows of {formula}"
        formula_latex = _latex_text(f"mean over the {line.batch} rows of ") + formula_latex
    name = to_text(line.name)
    name_latex = _NumbersLatex({}).doprint(line.name)
    if line.gradient:
        name, name_latex = f"∂L/∂{name}", rf"\frac{{\partial L}}{{\partial {name_latex}}}"
    text = f"{name} = {formula}"
    latex = f"{name_latex} = {formula_latex}"
    lone_symbol = len(parts) == 1 and parts[0].is_Symbol and len(line.rows) == 1
    if substituted is not None and substituted not in (formula, value) and not lone_symbol:
        text += f" = {substituted}"
        latex += f" = {substituted_latex}"
    if formula != value:
        text += f" = {value}"
        latex += f" = {_latex_number(value)}"
    return {"formula": formula, "substituted": substituted, "value": value, "text": text, "latex": latex}


def _written_math(w, line) -> Math:
    texts = written_texts(w, line)
    return Math(texts["text"], texts["latex"])


# --- the walkthrough ------------------------------------------------------------------------


def _walkthrough_sections(w) -> list[Section]:
    arch = w.architecture
    widths = " → ".join(str(n) for n in arch.widths)
    acts = ", ".join(f"{name} (layer {l})" for l, name in enumerate(arch.activations, start=1))
    head = Section("Network", [
        f"widths {widths}; activations {acts}; loss {arch.loss}: {LOSS_FORMULAS[arch.loss]}",
        f"conventions: {CONVENTIONS}",
        f"learning rate η = {w.number(w.learning_rate)}"
        + ("; biases frozen (not updated)" if w.freeze_biases else "")
        + ("; exact rational arithmetic" if w.exact else f"; numbers to {w.precision} significant digits"),
    ])
    if not w.optimizer.is_plain:
        head.items.append(f"optimizer {optimizer_text(w)}")
    head.items += activation_lines(arch)
    if w.batch_size > 1:
        head.items.append(f"batch of {w.batch_size} inputs: the loss and every gradient are the "
                          "mean over the batch")
    sections = [head]

    forward = Section("Forward pass")
    shown_rows = limits.MAX_TABLE_BATCH_ROWS
    hidden_rows = f"… {w.batch_size - shown_rows:,} more rows (--format json lists all)"
    for r, (x, y, layers) in enumerate(zip(w.inputs, w.targets, w.forward)):
        if r == shown_rows:
            forward.items.append(hidden_rows)
            break
        prefix = f"row {r}: " if w.batch_size > 1 else ""
        forward.items.append(f"{prefix}a⁽⁰⁾ = x = [{', '.join(w.number(v) for v in x)}], "
                             f"y = [{', '.join(w.number(v) for v in y)}]")
        for l, (z, a) in enumerate(layers, start=1):
            forward.items.append(f"{prefix}layer {l}: z{sup(l)} = W{sup(l)}a{sup(l - 1)} + b{sup(l)}, "
                                 f"a{sup(l)} = {arch.activations[l - 1]}(z{sup(l)})")
            forward.items.append(_vector_table(w, [named("z", l), named("a", l)], [z, a]))
    sections.append(forward)

    mean = "mean over the batch, " if w.batch_size > 1 else ""
    sections.append(Section("Loss", [f"L = {w.number(w.loss)}   ({mean}{LOSS_FORMULAS[arch.loss]})"]
                            + [f"note: {note}" for note in w.notes]))

    backward = Section("Backward pass: δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾")
    depth = arch.depth
    n = arch.widths
    over = f"/{n[depth]}" if n[depth] > 1 else ""
    if arch.activations[-1] == "softmax" and arch.loss == "ce":
        backward.items.append(f"δ{sup(depth)} = ŷ − y   (softmax with cross-entropy: the softmax "
                              "Jacobian and the 1/ŷ of the loss cancel)")
    elif arch.activations[-1] == "sigmoid" and arch.loss == "bce":
        difference = f"(ŷ − y){over}" if over else "ŷ − y"
        backward.items.append(f"δ{sup(depth)} = ∇ₐL ⊙ σ′(z{sup(depth)}) = {difference}   (sigmoid with "
                              "binary cross-entropy: σ′ = a(1 − a) cancels the a(1 − a) under ∂L/∂a)")
    elif arch.activations[-1] == "softmax":
        backward.items.append(f"δ{sup(depth)} = J_softmaxᵀ ∇ₐL, i.e. δᵢ = aᵢ(∂L/∂aᵢ − Σⱼ aⱼ ∂L/∂aⱼ)")
    else:
        backward.items.append(f"δ{sup(depth)} = ∇ₐL ⊙ f′(z{sup(depth)})")
    if depth > 1:
        backward.items.append("δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ f′(z⁽ˡ⁾) for l = L−1 … 1; "
                              "∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ, ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾")
    else:
        backward.items.append("∂L/∂W⁽¹⁾ = δ⁽¹⁾(a⁽⁰⁾)ᵀ, ∂L/∂b⁽¹⁾ = δ⁽¹⁾")
    written = {layer.layer: layer for layer in written_layers(w)}
    backward.items.append(f"each δ is written as its formula, then the numbers put in, then the value "
                          f"(layers of up to {WRITTEN_WIDTH} neurons; wider layers as a table)"
                          + ("; row 1 of the batch" if w.batch_size > 1 else ""))
    for l in range(depth, 0, -1):
        lines = written[l].deltas
        backward.items.append(f"layer {l} ({arch.activations[l - 1]})")
        if lines:
            backward.items += [_written_math(w, line) for line in lines]
        if not lines or w.batch_size > 1:
            for r, deltas in enumerate(w.deltas):
                if r == shown_rows:
                    backward.items.append(hidden_rows)
                    break
                prefix = f"row {r + 1}: " if w.batch_size > 1 else ""
                if prefix:
                    backward.items.append(prefix + f"δ{sup(l)}")
                backward.items.append(_vector_table(w, [named("δ", l)], [deltas[l - 1]]))
    sections.append(backward)

    gradient_section = Section("Gradients: ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾(a⁽ˡ⁻¹⁾)ᵀ, ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾"
                               + (" (mean over the batch)" if w.batch_size > 1 else ""))
    gradient_section.items.append(f"each gradient as its formula, then the numbers put in, then the "
                                  f"value (weight matrices of up to {WRITTEN_ENTRIES} entries; larger "
                                  "ones in the table below)")
    for l in range(depth, 0, -1):
        if written[l].gradients:
            gradient_section.items.append(f"layer {l}")
            gradient_section.items += [_written_math(w, line) for line in written[l].gradients]
        else:
            gradient_section.items.append(f"layer {l}: ∂L/∂W{sup(l)} = δ{sup(l)}(a{sup(l - 1)})ᵀ, "
                                          f"{n[l]}×{n[l - 1]} entries: see the table below")
    sections.append(gradient_section)

    step_name = ("one gradient-descent step: w ← w − η·∂L/∂w" if w.optimizer.is_plain
                 else f"one {w.optimizer.name} step")
    params = Section(f"Gradients and {step_name} ({w.parameter_count:,} parameters)")
    if w.gradient_check:
        checked = len(w.gradient_check)
        every = "every parameter" if checked == w.parameter_count else \
            f"{checked} of {w.parameter_count:,} parameters, evenly spread"
        params.items.append(f"gradient check: central finite difference (L(w + h) − L(w − h))/2h "
                            f"with h = 1e-5, on {every}; relative error "
                            "|g − g_fd|/max(|g|, |g_fd|, 10⁻⁶)")
    params.items.extend(_parameter_tables(w))
    kinks = [key for key, check in w.gradient_check.items() if check.near_kink]
    if kinks:
        shown = ", ".join(kinks[:8]) + (" …" if len(kinks) > 8 else "")
        params.items.append(f"warning: near a ReLU kink (a ReLU input changes sign within ±h) for "
                            f"{shown}; there the finite difference and the one-sided derivative "
                            "(ReLU′(0) = 0 by convention) can differ")
    bad = [key for key, check in w.gradient_check.items() if not check.ok and not check.near_kink]
    if bad:
        params.items.append(f"warning: gradient check failed for {', '.join(bad[:8])}")
    sections.append(params)
    if w.gradient_sizes and arch.depth > 1:
        sections.append(_size_section(w))

    steps = [(1, w.update_lines)]
    if w.last_update_lines:
        steps.append((len(w.epoch_losses), w.last_update_lines))
    for t, update_lines in steps:
        if update_lines:
            sections.append(_written_section(w, t, update_lines))

    if w.epoch_losses:
        kind = "gradient-descent" if w.optimizer.is_plain else w.optimizer.name
        epochs = Section(f"Loss per epoch ({len(w.epoch_losses)} {kind} steps)")
        rows = [[str(i), w.number(loss)] for i, loss in enumerate(w.epoch_losses, start=1)]
        rows.append(["after", w.number(w.final_loss)])
        epochs.items.append(Table([Math("epoch", r"\text{epoch}"), Math("loss L", "L")], rows))
        sections.append(epochs)
    return sections


def activation_lines(arch) -> list[str]:
    """One line per activation used, with its slope; labelled by layer when they differ:
    "layer 1 (tanh): tanh′(z) = 1 − tanh²(z)"."""
    if len(set(arch.activations)) == 1:
        name = arch.activations[0]
        return [f"{name}: {ACTIVATION_FORMULAS[name]}"]
    lines = []
    for name in dict.fromkeys(arch.activations):
        layers = [str(l) for l, used in enumerate(arch.activations, start=1) if used == name]
        lines.append(f"layer{'s' if len(layers) > 1 else ''} {', '.join(layers)} ({name}): "
                     f"{ACTIVATION_FORMULAS[name]}")
    return lines


def _size_section(w) -> Section:
    """‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ per layer, the last/first ratio and what it means."""
    section = Section("Gradient size per layer (vanishing or exploding gradients)")
    mean = ", ‖δ⁽ˡ⁾‖ the mean over the batch rows" if w.batch_size > 1 else ""
    section.items.append(f"Euclidean norms, ‖∂L/∂W⁽ˡ⁾‖ the Frobenius norm of the gradient{mean}")
    sizes = w.gradient_sizes
    shown = sizes if len(sizes) <= limits.MAX_TABLE_ROWS else sizes[:limits.MAX_TABLE_ROWS // 2] + sizes[-(limits.MAX_TABLE_ROWS // 2):]
    rows = [[str(size.layer), _float(size.delta), _float(size.weight_gradient)] for size in shown]
    note = (f"… {len(sizes) - len(shown):,} layers between are left out (--format json lists all)"
            if len(shown) < len(sizes) else "")
    section.items.append(Table([Math("layer l", r"l"), Math("‖δ⁽ˡ⁾‖", r"\lVert\delta^{(l)}\rVert"),
                                Math("‖∂L/∂W⁽ˡ⁾‖", r"\lVert\partial L/\partial W^{(l)}\rVert")], rows, note))
    ratio = w.gradient_ratio
    if ratio is not None:
        depth = w.architecture.depth
        section.items.append(f"ratio ‖∂L/∂W{sup(depth)}‖ / ‖∂L/∂W⁽¹⁾‖ = {_float(ratio)}")
    sentence = w.gradient_sentence()
    if sentence:
        section.items.append(sentence)
    return section


def _float(value: float) -> str:
    """A norm or ratio: 4 significant digits (scientific when tiny or huge)."""
    return f"{value:.4g}".replace("inf", "∞")  # ASCII '-': numbers may be pasted into code


def _written_section(w, t: int, update_lines: dict) -> Section:
    """Step t of the optimiser for a spread of parameters: formula = numbers put in = value."""
    shown = len(update_lines)
    which = "every parameter" if shown == w.parameter_count else \
        f"{shown} of {w.parameter_count:,} parameters, evenly spread"
    written = Section(f"The update written out, step t = {t}: formula = numbers put in = value "
                      f"({which})")
    if w.optimizer.name in ("sgd", "momentum") and w.optimizer.momentum and t == 1:
        written.items.append("PyTorch's momentum form: m ← μm + g, w ← w − η·m; the textbook "
                             "v ← μv − η·∇w, w ← w + v is the same with v = −η·m")
    if t > 1:
        written.items.append(f"g is ∂L/∂w at the start of step {t}, with the parameters after step {t - 1}")
    for key, lines in update_lines.items():
        if len(lines) == 1:
            written.items.append(f"{key}: {filled_line(w, lines[0])}")
            continue
        written.items.append(f"{key}:")
        written.items.extend(f"  {filled_line(w, line)}" for line in lines)
    return written


def optimizer_text(w) -> str:
    """"adam (β₁ = 0.9, β₂ = 0.999, ε = 1e−08; weight decay λ = 0)", as PyTorch names them."""
    opt = w.optimizer
    symbols = {"momentum": "momentum μ", "dampening": "dampening τ", "alpha": "α", "eps": "ε",
               "weight_decay": "weight decay λ"}
    parts = []
    for name, value in opt.settings().items():
        if name == "nesterov":
            parts.append("Nesterov" if value else "heavy ball")
        elif name == "betas":
            parts += [f"β₁ = {w.number(value[0])}", f"β₂ = {w.number(value[1])}"]
        else:
            parts.append(f"{symbols[name]} = {w.number(value)}")
    return f"{opt.name} ({', '.join(parts)}), as torch.optim computes it"


def filled_line(w, line) -> str:
    """formula = the numbers put in = value; negative numbers after the first in brackets."""
    texts = []
    for i, operand in enumerate(line.operands):
        text = w.number(operand)
        texts.append(f"({text})" if text.startswith(("-", "−")) and (i or not line.template.startswith("{}"))
                     else text)
    numbers = line.template.format(*texts)
    value = w.number(line.value)
    if numbers == value:
        return f"{line.formula} = {value}"
    return f"{line.formula} = {numbers} = {value}"


def _vector_table(w, headers: list[Math], columns: list) -> Table:
    count = len(columns[0])
    shown = min(count, limits.MAX_TABLE_ROWS)
    rows = [[str(j + 1)] + [w.number(column[j]) for column in columns] for j in range(shown)]
    note = f"… {count - shown:,} more (--format json lists all)" if shown < count else ""
    return Table([Math("j", "j")] + headers, rows, note)


def _parameter_tables(w) -> list[Table]:
    headers = [Math("parameter", r"\text{parameter}"), Math("value", r"\text{value}"),
               Math("∂L/∂w", r"\partial L/\partial w"), Math("updated", r"\text{updated}")]
    if w.gradient_check:
        headers += [Math("finite diff.", r"\text{finite diff.}"),
                    Math("rel. error", r"\text{rel. error}"), Math("check", r"\text{check}")]
    tables = []
    for layer in range(1, w.architecture.depth + 1):
        keys = [k for k in w.gradients if k[1:].split("[")[0] == str(layer)]
        rows = []
        for key in keys[:limits.MAX_TABLE_ROWS]:
            row = [key, w.number(w.parameters[key]), w.number(w.gradients[key]),
                   w.number(w.updated[key])]
            if w.gradient_check:
                check = w.gradient_check.get(key)
                if check is None:
                    row += ["", "", "not checked"]
                else:
                    status = "near kink" if check.near_kink else ("ok" if check.ok else "MISMATCH")
                    row += [w.number(check.finite_difference), f"{check.relative_error:.1e}",
                            status]
            rows.append(row)
        more = len(keys) - len(rows)
        note = f"… {more:,} more parameters in layer {layer} (--format json lists all)" if more > 0 else ""
        tables.append(Table(headers, rows, note))
    return tables


def _json_float(value) -> float | None:
    """The float itself, −0.0 written as 0.0 (a zero gradient has no sign worth keeping, and
    "-0.0" reads as a bug); None when not finite."""
    number = float(value) + 0.0
    return number if math.isfinite(number) else None


def walkthrough_dict(w) -> dict:
    """The JSON contract: loss, forward, deltas, gradients, updated, gradient_check (+ epochs).

    Numbers are the floats themselves (display precision is for the text formats only); a
    value that is not finite is null; exact runs give p/q text in ASCII.
    """
    def value(v):
        if w.exact:
            return w.number(v).replace("−", "-")
        return _json_float(v)

    def vector(values):
        return [value(v) for v in values]

    single = w.batch_size == 1
    forward = []
    for l in range(1, w.architecture.depth + 1):
        zs = [vector(row[l - 1][0]) for row in w.forward]
        as_ = [vector(row[l - 1][1]) for row in w.forward]
        forward.append({"layer": l, "activation": w.architecture.activations[l - 1],
                        "z": zs[0] if single else zs, "a": as_[0] if single else as_})
    deltas = []
    for l in range(1, w.architecture.depth + 1):
        rows = [vector(row[l - 1]) for row in w.deltas]
        deltas.append({"layer": l, "delta": rows[0] if single else rows})
    data = {
        "layers": list(w.architecture.widths),
        "activations": list(w.architecture.activations),
        "loss_function": w.architecture.loss,
        "batch_size": w.batch_size,
        "reduction": "mean over the batch" if not single else "single input",
        "learning_rate": value(w.learning_rate),
        "exact": w.exact,
        "loss": value(w.loss),
        "forward": forward,
        "deltas": deltas,
        "parameters": {k: value(v) for k, v in w.parameters.items()},
        "gradients": {k: value(v) for k, v in w.gradients.items()},
        "updated": {k: value(v) for k, v in w.updated.items()},
        "gradient_check": {k: {"gradient": _json_float(c.gradient),
                               "finite_difference": _json_float(c.finite_difference),
                               "relative_error": _json_float(c.relative_error),
                               "ok": c.ok, "near_kink": c.near_kink}
                           for k, c in w.gradient_check.items()},
    }
    if w.freeze_biases:
        data["freeze_biases"] = True
    if w.notes:
        data["notes"] = list(w.notes)
    if w.gradient_sizes:
        data["gradient_sizes"] = [{"layer": size.layer, "delta_norm": float(f"{size.delta:.{w.precision}g}"),
                                   "weight_gradient_norm": float(f"{size.weight_gradient:.{w.precision}g}")}
                                  for size in w.gradient_sizes]
        ratio = w.gradient_ratio
        if ratio is not None:
            data["gradient_ratio_last_to_first"] = None if ratio == float("inf") else float(f"{ratio:.{w.precision}g}")
    settings = w.optimizer.settings()
    data["optimizer"] = {"name": w.optimizer.name,
                         **{k: (list(map(value, v)) if k == "betas" else
                                v if isinstance(v, bool) else value(v)) for k, v in settings.items()}}
    def written(update_lines):
        return {key: [{"formula": line.formula, "numbers": filled_line(w, line).replace("−", "-"),
                       "value": value(line.value)} for line in lines]
                for key, lines in update_lines.items()}

    data["update_written_out"] = written(w.update_lines)

    def written_line(line):
        texts = written_texts(w, line)
        ascii_text = {k: None if v is None else v.replace("−", "-") for k, v in texts.items()
                      if k in ("formula", "substituted")}
        return {"name": line.key, **ascii_text, "value": value(line.value), "latex": texts["latex"]}

    layers = written_layers(w)
    data["deltas_written_out"] = [written_line(line) for layer in layers for line in layer.deltas]
    data["gradients_written_out"] = {line.key: written_line(line) for layer in layers
                                     for line in layer.gradients}
    if w.last_update_lines:
        data["last_update_written_out"] = {"step": len(w.epoch_losses),
                                           "parameters": written(w.last_update_lines)}
    if w.epoch_losses:
        data["epochs"] = [{"epoch": i, "loss": value(v)} for i, v in enumerate(w.epoch_losses, 1)]
        data["final_loss"] = value(w.final_loss)
        data["final"] = {k: value(v) for k, v in w.final.items()}
    return data


# --- drawing sections -----------------------------------------------------------------------


def sections_plain(sections: list[Section], text=None) -> str:
    text = text or memo_text()
    lines = []
    for section in sections:
        lines += [section.title, "=" * min(len(section.title), 72)]
        for item in section.items:
            if isinstance(item, Table):
                lines += ["  " + row for row in _aligned(item)] + [""]
            elif isinstance(item, Math):
                lines.append("  " + item.text)
            elif isinstance(item, Steps):
                lines += _steps_plain(item.derivation, text)
            else:
                lines.append("  " + item)
        lines.append("")
    return "\n".join(lines)


def memo_text():
    """to_text with a cache for one rendering: chains print the same terms many times."""
    cache: dict = {}

    def text(expr) -> str:
        if expr not in cache:
            cache[expr] = to_text(expr)
        return cache[expr]

    return text


def _shown_lines(derivation) -> list:
    """The outline of a factor's derivation; at detail brief, none when it is one step, since
    the factor's own line (∂z/∂w = ∂/∂w (w a + b) = a) already says all that step does."""
    lines = list(outline(derivation))
    return [] if current_detail() == "brief" and len(lines) == 1 else lines


def _steps_plain(derivation, text=None) -> list[str]:
    """A derivation's numbered steps, as calcgrad.render.plain writes them."""
    text = text or memo_text()
    lines = []
    for line in _shown_lines(derivation):
        pad = "      " + "   " * line.depth
        lines.append(f"{pad}{line.number}. {line.step.title}: {plain.equation(derivation, line.step, text)}"
                     f"{check_mark(line.step)}")
        if not line.explained:
            continue
        below = pad + " " * (len(line.number) + 2)
        lines.append(f"{below}{plain.explanation(line.step, text)}")
        if line.folded:
            lines.append(f"{below}{plain.folded_line(derivation, line.folded, text)}")
    return lines


def _aligned(table: Table) -> list[str]:
    grid = [[h.text for h in table.headers]] + table.rows
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    out = []
    for n, row in enumerate(grid):
        cells = [cell.ljust(width) if i == 0 or n == 0 else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("─" * width for width in widths))
    if table.note:
        out.append(table.note)
    return out


def sections_markdown(sections: list[Section]) -> str:
    latex = _memo(to_latex)  # deep chains print the same terms in many steps
    lines = []
    for section in sections:
        lines += [f"### {section.title}", ""]
        for item in section.items:
            if isinstance(item, Table):
                lines.append("| " + " | ".join(f"${h.latex}$" for h in item.headers) + " |")
                lines.append("|" + "|".join(["---"] + ["--:"] * (len(item.headers) - 1)) + "|")
                for row in item.rows:
                    lines.append("| " + " | ".join(row) + " |")
                if item.note:
                    lines += ["", item.note]
                lines.append("")
            elif isinstance(item, Math):
                lines += [f"$${item.latex}$$", ""]
            elif isinstance(item, Steps):
                lines += _steps_markdown(item.derivation, latex) + [""]
            else:
                lines += [markdown_text(item), ""]
    return "\n".join(lines)


def _steps_markdown(derivation, latex=None) -> list[str]:
    return [f"{'   ' * line.depth}{line.number.rsplit('.', 1)[-1]}. {line.step.title}: "
            f"${equation(derivation, line.step, latex)}$" for line in _shown_lines(derivation)]


_SUPERSCRIPT_BACK = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ᴸˡ⁺⁻", "0123456789Ll+-")
_SUBSCRIPT_BACK = str.maketrans("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₙ₋", "0123456789ijkln-")
_LAYER_MARK = re.compile(r"⁽([⁰¹²³⁴⁵⁶⁷⁸⁹ᴸˡ⁺⁻]+)⁾")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
_SUBSCRIPT_RUN = re.compile(r"[₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₙ₋]+")
_MATH_CHARS = {"δ": r"\delta", "η": r"\eta", "∂": r"\partial", "Σ": r"\Sigma", "σ": r"\sigma",
               "⊙": r"\odot", "ᵀ": "^{T}", "←": r"\leftarrow", "→": r"\to", "∇": r"\nabla",
               "ŷ": r"\hat{y}", "′": "'", "×": r"\times", "…": r"\ldots", "½": r"\tfrac{1}{2}",
               "≤": r"\le", "≥": r"\ge", "ζ": r"\zeta", "ₐ": "_{a}", "ε": r"\varepsilon", "✓": r"\checkmark", "✗": r"\times",
               "²": "^{2}", "⁻": "^{-}", "·": r"\cdot", "−": "-", "α": r"\alpha", "β": r"\beta",
               "λ": r"\lambda", "μ": r"\mu", "τ": r"\tau", "‖": r"\Vert", "√": r"\surd", "ᵗ": "^{t}"}


def _latex_text(words: str) -> str:
    """Words with Unicode math (z⁽¹⁾, δ, ⊙, ∂L/∂w) as LaTeX: \\text{…} around the words only."""
    words = re.sub("(\\w)\u0302", lambda m: "\x00\\hat{" + m[1] + "}\x01", words)  # m̂, v̂
    words = _LAYER_MARK.sub(lambda m: "\x00^{(" + m[1].translate(_SUPERSCRIPT_BACK) + ")}\x01", words)
    words = _SUPERSCRIPT_RUN.sub(lambda m: "\x00^{" + m[0].translate(_SUPERSCRIPT_BACK) + "}\x01", words)
    words = _SUBSCRIPT_RUN.sub(lambda m: "\x00_{" + m[0].translate(_SUBSCRIPT_BACK) + "}\x01", words)
    out, math = [], False
    for piece in re.split("(\x00|\x01)", words):
        if piece in ("\x00", "\x01"):
            math = piece == "\x00"
            continue
        if math:
            out.append(piece)
            continue
        chunk = []
        for char in piece:
            if char in _MATH_CHARS:
                if chunk:
                    out.append(r"\text{" + latex_text("".join(chunk)) + "}")
                    chunk = []
                out.append(_MATH_CHARS[char] + " ")
            else:
                chunk.append(char)
        if chunk:
            out.append(r"\text{" + latex_text("".join(chunk)) + "}")
    return "".join(out) or r"\text{}"


def _latex_blocks(sections: list[Section]) -> list[str]:
    latex = _memo(to_latex)  # deep chains print the same terms in many steps
    blocks = []
    for section in sections:
        blocks.append(r"\boldsymbol{" + _latex_text(section.title) + "}")
        for item in section.items:
            if isinstance(item, Table):
                columns = "l" + "r" * (len(item.headers) - 1)
                body = [" & ".join(h.latex for h in item.headers) + r" \\ \hline"]
                for row in item.rows:
                    cells = [_latex_text(row[0])] + [_latex_number(c) if c and c[0] in "−0123456789"
                                                     else _latex_text(c) for c in row[1:]]
                    body.append(" & ".join(cells) + r" \\")
                blocks.append(r"\begin{array}{" + columns + "}\n" + "\n".join(body) + "\n\\end{array}")
                if item.note:
                    blocks.append(_latex_text(item.note))
            elif isinstance(item, Math):
                blocks.append(item.latex)
            elif isinstance(item, Steps):
                blocks += _steps_latex(item.derivation, latex)
            else:
                blocks.append(_latex_text(item))
    return blocks


def _steps_latex(derivation, latex=None) -> list[str]:
    """Each step's equation, then the statement of the rule it uses (when it has one)."""
    blocks = []
    for line in _shown_lines(derivation):
        indent = r"\quad" * (line.depth + 1)
        blocks.append(indent + rf"\text{{{line.number}. {latex_text(line.step.title)}: }}"
                      + equation(derivation, line.step, latex))
        if line.step.formula is not None:
            blocks.append(indent + r"\qquad\text{rule: } " + line.step.formula.latex)
    return blocks


def sections_latex(sections: list[Section]) -> str:
    """A LaTeX fragment (amsmath): one display per line or table."""
    return "\n".join(r"\[ " + block + r" \]" for block in _latex_blocks(sections)) + "\n"


def sections_aligned(sections: list[Section]) -> str:
    """One $$…$$ block for Jupyter and MathJax."""
    return "$$\\begin{array}{l}\n" + " \\\\\n".join(_latex_blocks(sections)) + "\n\\end{array}$$"


RICH_PADDED_STEP_LINES = 2_000
"""Step lines the Rich view indents line by line (wrapped lines keep their indent); a deeper
chain's remaining steps are drawn as plain blocks, which is faster."""


def sections_rich(sections: list[Section], text=None):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    from calcgrad.render.fit import fitted  # lazy: start-up speed (Rich loads only for the terminal)

    text = text or memo_text()
    parts = []
    padded = RICH_PADDED_STEP_LINES
    for section in sections:
        parts.append(Text(section.title, style="bold cyan"))
        for item in section.items:
            if isinstance(item, Table):
                table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
                for i, header in enumerate(item.headers):
                    table.add_column(header.text, justify="left" if i == 0 else "right",
                                     style="bold" if i == 0 else None)
                for row in item.rows:
                    style = "red" if row[-1] == "MISMATCH" else "yellow" if row[-1] == "near kink" else None
                    table.add_row(*row, style=style)
                parts.append(fitted(table))
                if item.note:
                    parts.append(Text(item.note, style="dim"))
            elif isinstance(item, Math):  # indented, and so are its wrapped lines
                parts.append(Padding(Text(item.text, style="bold green"), (0, 0, 0, 2), expand=False))
            elif isinstance(item, Steps):
                lines = _steps_plain(item.derivation, text)
                padded -= len(lines)
                if padded < 0:  # a deep chain: one block (a Padding per line costs time)
                    parts.append(Text("\n".join(lines), style="dim"))
                    continue
                for line in lines:  # each step line keeps its indent when it wraps
                    indent = len(line) - len(line.lstrip(" "))
                    parts.append(Padding(Text(line.lstrip(" "), style="dim"), (0, 0, 0, indent), expand=False))
            else:
                style = "yellow" if item.startswith("warning") else "green" if item.endswith("✓") else None
                parts.append(Padding(Text(item, style=style), (0, 0, 0, 2), expand=False))
        parts.append(Text(""))
    return Group(*parts)


def walkthrough_plain(w, detail: str = "normal") -> str:
    return sections_plain(at_detail(_walkthrough_sections(w), detail))


def walkthrough_markdown(w, detail: str = "normal") -> str:
    return sections_markdown(at_detail(_walkthrough_sections(w), detail))


def walkthrough_latex(w, detail: str = "normal") -> str:
    return sections_latex(at_detail(_walkthrough_sections(w), detail))


def walkthrough_aligned(w, detail: str = "normal") -> str:
    return sections_aligned(at_detail(_walkthrough_sections(w), detail))


def walkthrough_rich(w, detail: str = "normal"):
    return sections_rich(at_detail(_walkthrough_sections(w), detail))


# --- the symbolic chain ---------------------------------------------------------------------


@dataclass(frozen=True)
class Steps:
    """A Derivation shown inline, as each format shows its steps."""
    derivation: object


def _partial_text(top, bottom) -> str:
    return f"∂{to_text(top)}/∂{to_text(bottom)}"


def _partial_latex(top, bottom) -> str:
    return rf"\frac{{\partial {to_latex(top)}}}{{\partial {to_latex(bottom)}}}"


def _no_latex(*args) -> str:
    return ""


def _factor_texts(chain, latex: bool = True, to_text=None) -> dict:
    """id(factor) → (notation text, notation LaTeX, result text, result LaTeX), computed once."""
    to_text = to_text or memo_text()

    to_latex = _latex_printer(latex)
    _partial_latex = _partial_latex_fn(latex)
    texts = {}
    for factor in chain.factors:
        result = factor.result
        text, latex = to_text(result), to_latex(result)
        if result.is_Add or "/" in text:  # one factor among several: keep it together
            text, latex = f"({text})", rf"\left({latex}\right)"
        texts[id(factor)] = (_partial_text(factor.top, factor.bottom),
                             _partial_latex(factor.top, factor.bottom), text, latex)
    return texts


def cancellation_sentence(arch, delta: str, value: str) -> str:
    """Why δ⁽ᴸ⁾ comes out short: which factors cancel, as a lecture says it."""
    if arch.activations[-1] == "sigmoid" and arch.loss == "bce":
        return (f"sigmoid with binary cross-entropy: σ′ = a(1 − a) cancels the a(1 − a) under "
                f"∂L/∂a, so {delta} = {value} (prediction minus target), as softmax with "
                "cross-entropy gives ŷ − y")
    return f"common factors cancel, so {delta} = {value}"


def _chain_sections(chain, latex: bool = True, to_text=None) -> list[Section]:
    to_text = to_text or memo_text()

    to_latex = _latex_printer(latex)
    _partial_latex = _partial_latex_fn(latex)

    arch = chain.architecture
    head = Section("Network, one neuron per layer", [
        f"{arch.depth} layers; activations {', '.join(arch.activations)}; loss {arch.loss}: "
        f"{LOSS_FORMULAS[arch.loss]} (here n = 1)",
        f"conventions: {CONVENTIONS}",
    ])
    forward = Section("Forward definitions")
    for symbol, definition in chain.definitions:
        forward.items.append(Math(f"{to_text(symbol)} = {to_text(definition)}",
                                  f"{to_latex(symbol)} = {to_latex(definition)}"))
    local = Section("Local derivatives, each worked by the derivative engine")
    texts = _factor_texts(chain, latex, to_text)
    labelled = len(set(arch.activations)) > 1
    layer_of = {to_text(symbol): l for l, (symbol, _) in enumerate(chain.definitions[1::2], start=1)}
    for factor in chain.factors:
        notation, notation_latex, result, result_latex = texts[id(factor)]
        label = ""
        layer = layer_of.get(to_text(factor.top)) if factor.top.name.startswith("a") else None
        if labelled and layer is not None:
            label = f"layer {layer} ({arch.activations[layer - 1]}): "
        derived, derived_latex = to_text(factor.derivation.result), to_latex(factor.derivation.result)
        if factor.recognised is not None:
            derived += f" = {to_text(factor.recognised)}"
            derived_latex += f" = {to_latex(factor.recognised)}"
        local.items.append(Math(
            f"{label}{notation} = ∂/∂{to_text(factor.bottom)} ({to_text(factor.definition)}) = {derived}",
            (_latex_text(label) + " " if label else "")
            + rf"{notation_latex} = \frac{{\partial}}{{\partial {to_latex(factor.bottom)}}}"
            rf"\left({to_latex(factor.definition)}\right) = {derived_latex}"))
        local.items.append(Steps(factor.derivation))
    depth = arch.depth
    deltas = Section("Backpropagation: δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾, from the output down (each δ reuses the one "
                     "above, so the work grows linearly with depth)")
    chains = Section("The chain rule for each parameter")
    full = depth <= limits.MAX_FULL_CHAIN_LAYERS
    if not full:
        chains.items.append(f"with {depth} layers each chain is written through δ⁽ˡ⁾; the full chain "
                            f"of factors is written out for up to {limits.MAX_FULL_CHAIN_LAYERS} layers "
                            "(--format json lists every chain's factors)")
    for l in range(depth, 0, -1):
        d, d_latex = f"δ{sup(l)}", rf"\delta^{{({l})}}"
        first = chain.chains[2 * (depth - l)]
        own = first.factors[:2] if l == depth else first.factors[-3:-1]
        parts = [texts[id(f)] for f in own]
        lead, lead_latex = ("", "") if l == depth else (f"δ{sup(l + 1)} · ", rf"\delta^{{({l + 1})}} \cdot ")
        after, after_latex = "", ""
        if l == depth and chain.output_delta is not None:
            after = f" = {to_text(chain.output_delta)}"
            after_latex = f" = {to_latex(chain.output_delta)}"
        deltas.items.append(Math(
            f"{d} = ∂L/∂z{sup(l)} = {lead}" + " · ".join(p[0] for p in parts)
            + f" = {lead}" + " · ".join(p[2] for p in parts) + after,
            f"{d_latex} = {lead_latex}" + r" \cdot ".join(p[1] for p in parts)
            + f" = {lead_latex}" + r" \cdot ".join(p[3] for p in parts) + after_latex))
        if after:
            deltas.items.append(cancellation_sentence(arch, d, to_text(chain.output_delta)))
    for index, parameter_chain in enumerate(chain.chains):
        l = depth - index // 2
        parts = [texts[id(f)] for f in parameter_chain.factors]
        name = _partial_text(sympy_L(), parameter_chain.parameter)
        name_latex = _partial_latex(sympy_L(), parameter_chain.parameter)
        pad = " " * len(name)
        if full:
            chains.items.append(Math(f"{name} = " + " · ".join(p[0] for p in parts),
                                     f"{name_latex} = " + r" \cdot ".join(p[1] for p in parts)))
            chains.items.append(Math(f"{pad} = " + " · ".join(p[2] for p in parts),
                                     r"\phantom{" + name_latex + "} = " + r" \cdot ".join(p[3] for p in parts)))
        last = parts[-1]
        chains.items.append(Math(f"{pad if full else name} = δ{sup(l)} · {last[0]} = δ{sup(l)} · {last[2]}",
                                 (r"\phantom{" + name_latex + "}" if full else name_latex)
                                 + rf" = \delta^{{({l})}} \cdot {last[1]} = \delta^{{({l})}} \cdot {last[3]}"))
        if parameter_chain.expanded is not None:
            chains.items.append(Math(f"{pad} = {to_text(parameter_chain.expanded)}",
                                     r"\phantom{" + name_latex + "} = " + to_latex(parameter_chain.expanded)))
    return [head, forward, local, deltas, chains]


def _latex_printer(latex: bool):
    """to_latex (memoised for one rendering), or a stand-in that skips the work for text only."""
    return _memo(to_latex) if latex else _no_latex


def _partial_latex_fn(latex: bool):
    return _partial_latex if latex else _no_latex


def sympy_L():
    return Symbol("L", real=True)


def _ascii_names(chain) -> dict:
    """Layer symbols → names calcgrad.parse reads back: w^{(1)} → w1, z^{(2)}_{1} → z_2i1."""
    names = {}
    symbols = set()
    for symbol, definition in chain.definitions:
        symbols |= {symbol} | definition.free_symbols
    for symbol in symbols:
        renamed = _ascii_name(symbol)
        if renamed is not symbol:
            names[symbol] = renamed
    return names


def _memo(printer):
    """`printer` with a cache for one rendering."""
    cache: dict = {}

    def printed(expr) -> str:
        if expr not in cache:
            cache[expr] = printer(expr)
        return cache[expr]

    return printed


def chain_dict(chain) -> dict:
    """JSON: definitions, factors (with their derivation steps), and each parameter's chain."""
    names = _ascii_names(chain)
    # memoised printers: a deep chain prints the same few thousand terms many times over
    plain_latex = _memo(to_latex)

    def in_names(printer):  # the printer of the renamed expression, each term renamed once
        return _memo(lambda expr: printer(expr.xreplace(names) if isinstance(expr, Basic) else expr))

    renamed_ascii, renamed_latex, renamed_text = in_names(to_ascii), in_names(to_latex), in_names(to_text)

    def ascii(expr):
        return renamed_ascii(expr)

    factor_ids = {id(f): i for i, f in enumerate(chain.factors)}
    arch = chain.architecture
    data = {
        "layers": list(arch.widths), "activations": list(arch.activations), "loss_function": arch.loss,
        "names": {to_ascii(new): to_text(old) for old, new in sorted(names.items(), key=lambda p: p[1].name)},
        "definitions": [{"symbol": ascii(s), "expression": ascii(d), "latex": f"{plain_latex(s)} = {plain_latex(d)}"}
                        for s, d in chain.definitions],
        "factors": [{"factor": _partial_text(f.top, f.bottom), "latex": _partial_latex(f.top, f.bottom),
                     "expression": ascii(f.definition), "variable": ascii(f.bottom),
                     "result": ascii(f.result), "result_latex": plain_latex(f.result),
                     "steps": derivation_dict(f.derivation, renamed_ascii, renamed_latex,
                                              renamed_text)["steps"]}
                    for f in chain.factors],
        "chains": [],
    }
    depth = arch.depth
    full = depth <= limits.MAX_FULL_CHAIN_LAYERS
    data["written"] = "in full" if full else "through delta"
    if chain.output_delta is not None:  # δ⁽ᴸ⁾ after cancelling (sigmoid with bce: a − y)
        data["output_delta"] = ascii(chain.output_delta)
    data["deltas"] = []
    for l in range(depth, 0, -1):  # δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ · ∂z⁽ˡ⁺¹⁾/∂a⁽ˡ⁾ · ∂a⁽ˡ⁾/∂z⁽ˡ⁾
        first = chain.chains[2 * (depth - l)]
        own = first.factors[:2] if l == depth else first.factors[-3:-1]
        own_product = ascii(Mul(*(f.result for f in own)))
        own_latex = r" \cdot ".join(plain_latex(f.result) for f in own)
        data["deltas"].append({
            "layer": l, "delta": f"delta{l}", "factors": [factor_ids[id(f)] for f in own],
            "product": own_product if l == depth else f"delta{l + 1}*({own_product})",
            "product_latex": own_latex if l == depth else rf"\delta^{{({l + 1})}} \cdot {own_latex}"})
    for index, c in enumerate(chain.chains):
        l = depth - index // 2
        last = c.factors[-1]
        entry = {"parameter": ascii(c.parameter), "delta": f"delta{l}",
                 "through_delta": f"delta{l}*({ascii(last.result)})",
                 "through_delta_latex": rf"\delta^{{({l})}} \cdot {plain_latex(last.result)}"}
        if full:  # every factor and the whole product: quadratic in depth, so only when shallow
            entry.update({"factors": [factor_ids[id(f)] for f in c.factors],
                          "product": ascii(c.product), "product_latex": to_latex(c.product)})
        else:
            entry["factors"] = [factor_ids[id(last)]]
        if c.expanded is not None:
            entry["expanded"] = ascii(c.expanded)
        data["chains"].append(entry)
    return data


DETAILS = ("full", "normal", "brief")
"""Detail levels of the network derivations (issue 11.3): full and normal show each local
derivative's steps; brief shows each local derivative as one line and leaves the steps out
(a 3-layer chain fits in about 40 lines)."""


def at_detail(sections: list[Section], detail: str = "normal") -> list[Section]:
    """The sections at a detail level: brief drops the engine's step trees."""
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, got {detail!r}")
    if detail != "brief":
        return sections
    kept = []
    for section in sections:
        items = [item for item in section.items if not isinstance(item, Steps)]
        if len(items) < len(section.items):
            items.insert(0, "each local derivative in one line (--detail normal shows its steps)")
        kept.append(Section(section.title, items))
    return kept


def chain_plain(chain, detail: str = "normal") -> str:
    text = memo_text()
    return sections_plain(at_detail(_chain_sections(chain, latex=False, to_text=text), detail), text)


def chain_markdown(chain, detail: str = "normal") -> str:
    return sections_markdown(at_detail(_chain_sections(chain), detail))


def chain_latex(chain, detail: str = "normal") -> str:
    return sections_latex(at_detail(_chain_sections(chain), detail))


def chain_aligned(chain, detail: str = "normal") -> str:
    return sections_aligned(at_detail(_chain_sections(chain), detail))


def chain_rich(chain, detail: str = "normal"):
    text = memo_text()
    return sections_rich(at_detail(_chain_sections(chain, latex=False, to_text=text), detail), text)


# --- the vector/matrix form -----------------------------------------------------------------


def _shape_math(line) -> Math:
    return Math(f"{line.text}      shapes: {line.shapes}",
                rf"{line.latex} \qquad " + _latex_text(line.shapes))


def _factor_math(factor, note: str = "") -> Math:
    top = "f" if factor.top.name == "f" else None
    if top:
        text = (f"f′({to_text(factor.bottom)}) = d/d{to_text(factor.bottom)} {to_text(factor.definition)} "
                f"= {to_text(factor.derivation.result)}")
        latex = (rf"f'({to_latex(factor.bottom)}) = \frac{{d}}{{d{to_latex(factor.bottom)}}} "
                 rf"{to_latex(factor.definition)} = {to_latex(factor.derivation.result)}")
        if factor.recognised is not None:
            text += f" = {to_text(factor.recognised)} with a = f(z)"
            latex += f" = {to_latex(factor.recognised)}" + r" \text{ with } a = f(z)"
    else:
        text = (f"{_partial_text(factor.top, factor.bottom)} = ∂/∂{to_text(factor.bottom)} "
                f"({to_text(factor.definition)}) = {to_text(factor.derivation.result)}")
        latex = (rf"{_partial_latex(factor.top, factor.bottom)} = \frac{{\partial}}{{\partial "
                 rf"{to_latex(factor.bottom)}}}\left({to_latex(factor.definition)}\right) = "
                 f"{to_latex(factor.derivation.result)}")
        if factor.recognised is not None:
            text += f" = {to_text(factor.recognised)}"
            latex += f" = {to_latex(factor.recognised)}"
    return Math(text + note, latex)


def _matrix_sections(form) -> list[Section]:
    arch = form.architecture
    depth = arch.depth
    head = Section("Network in vector/matrix form", [
        f"widths {' → '.join(str(n) for n in arch.widths)}; activations {', '.join(arch.activations)}; "
        f"loss {arch.loss}: {LOSS_FORMULAS[arch.loss]} (n = {arch.widths[-1]})",
        f"conventions: {CONVENTIONS}; shapes are (rows×columns), vectors are columns",
    ])
    forward = Section("Forward pass", [_shape_math(line) for line in form.forward])
    backward = Section("Backward pass: δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾", [_shape_math(line) for line in form.backward])
    gradients = Section("Gradients", [_shape_math(line) for line in form.gradients])
    local = Section("Local derivatives, each worked by the derivative engine")
    names = [name for name in dict.fromkeys(arch.activations) if name != "softmax"]
    for name, factor in zip(names, form.activation_derivatives):
        layers = [str(l) for l, used in enumerate(arch.activations, start=1) if used == name]
        label = f"layer{'s' if len(layers) > 1 else ''} {', '.join(layers)} ({name}): "
        math = _factor_math(factor)
        local.items += [Math(label + math.text, _latex_text(label) + " " + math.latex), Steps(factor.derivation)]
    if form.loss_derivative is not None:
        local.items += [_factor_math(form.loss_derivative, "   (likewise for every output i: ∇ₐL)"),
                        Steps(form.loss_derivative.derivation)]
    if form.output_delta is not None:
        out, y = to_text(form.loss_derivative.bottom), to_text(_output_target(form.loss_derivative.bottom))
        local.items += [
            Math(f"δ{sup(depth)}₁ = ∂L/∂{out} · σ′(z{sup(depth)}₁) = {to_text(form.output_delta)}",
                 rf"\delta^{{({depth})}}_{{1}} = \frac{{\partial L}}{{\partial {to_latex(form.loss_derivative.bottom)}}}"
                 rf" \sigma'(z^{{({depth})}}_{{1}}) = {to_latex(form.output_delta)}"),
            cancellation_sentence(arch, f"δ{sup(depth)}₁", to_text(form.output_delta))
            + f" (likewise for every output i, with {y} the target)"]
    if form.softmax_ce is not None:
        local.items += [
            "softmax with cross-entropy: aⱼ = e^(zⱼ)/Σₖe^(zₖ), so ln aⱼ = zⱼ − ln Σₖe^(zₖ); with "
            "Σⱼ yⱼ = 1, L = −Σⱼ yⱼ ln aⱼ = −Σⱼ yⱼzⱼ + ln Σₖe^(zₖ)",
            _factor_math(form.softmax_ce), Steps(form.softmax_ce.derivation),
            f"so δ{sup(depth)} = ∂L/∂z{sup(depth)} = ŷ − y: the softmax Jacobian and the 1/ŷ of the "
            "loss cancel",
        ]
    if form.numbers is not None:  # one entry of a spec's network: its chain, then its numbers
        head.items += activation_lines(arch)
        w = form.numbers.walkthrough
        if w.batch_size == 1:
            head.items.append(f"the spec's numbers: x = [{', '.join(w.number(v) for v in w.inputs[0])}], "
                              f"y = [{', '.join(w.number(v) for v in w.targets[0])}]")
        else:
            head.items.append(f"the spec's numbers: a batch of {w.batch_size} rows; the gradient is "
                              "the mean over the rows")
        return [head] + _entry_sections(form, form.entry) + [_numbers_section(form)]
    sections = [head, forward, backward, gradients, local]
    if form.entry is not None:
        sections += _entry_sections(form, form.entry)
    return sections


def _numbers_section(form) -> Section:
    """The entry's chain again with the spec's numbers: each factor as formula = numbers =
    value, each path's product, the sum (the mean over a batch), and the check against the
    backward pass."""
    entry, numbers = form.entry, form.numbers
    w = numbers.walkthrough
    name = _partial_text(sympy_L(), entry.parameter)
    name_latex = _partial_latex(sympy_L(), entry.parameter)
    section = Section(f"The same chain with the spec's numbers: {name}")
    if not entry.paths:
        section.items.append(f"{entry.path_count:,} paths are too many to put numbers in one by one; "
                             "the backward pass sums them layer by layer")
        section.items.append(f"backward pass: {name} = {w.number(numbers.expected)}")
        return section
    texts = _factor_texts(type("Chain", (), {"factors": numbers.distinct})())
    shown = min(len(numbers.rows), limits.MAX_TABLE_BATCH_ROWS)
    for r in range(shown):
        row = {symbol: w.number(v) for symbol, v in numbers.rows[r].items()}
        if len(numbers.rows) > 1:
            section.items.append(f"row {r + 1} of {len(numbers.rows)}")
        for factor, value in zip(numbers.distinct, numbers.factor_values[r]):
            notation, notation_latex, _, _ = texts[id(factor)]
            result = factor.result
            text, latex = f"{notation} = {to_text(result)}", f"{notation_latex} = {to_latex(result)}"
            put_in = _NumbersText(row).doprint(result)
            shown_value = w.number(value)
            if put_in not in (to_text(result), shown_value) and not result.is_Symbol:
                text += f" = {put_in}"
                latex += f" = {_NumbersLatex(row).doprint(result)}"
            if to_text(result) != shown_value:
                text += f" = {shown_value}"
                latex += f" = {_latex_number(shown_value)}"
            section.items.append(Math(text, latex))
        many = len(entry.paths) > 1
        for path, value in zip(entry.paths, numbers.path_values[r]):
            factors = [w.number(v) for v in (numbers.factor_values[r][numbers.distinct.index(f)]
                                             for f in path.factors)]
            product = " · ".join(_bracketed_number(v) for v in factors)
            product_latex = r" \cdot ".join(_latex_factor(v) for v in factors)
            route = " → ".join(str(i) for i in path.neurons)
            lead = f"path {route}: " if many else f"{name} = "
            lead_latex = _latex_text(f"path {route}: ") if many else f"{name_latex} = "
            section.items.append(Math(f"{lead}{product} = {w.number(value)}",
                                      f"{lead_latex}{product_latex} = {_latex_number(w.number(value))}"))
        if many:
            values = [w.number(v) for v in numbers.path_values[r]]
            total = w.number(sum(numbers.path_values[r]))
            section.items.append(Math(f"{name} = sum over the {len(values)} paths = "
                                      + " + ".join(_bracketed_number(v) for v in values) + f" = {total}",
                                      f"{name_latex} = " + " + ".join(_latex_factor(v) for v in values)
                                      + f" = {_latex_number(total)}"))
    if shown < len(numbers.rows):
        section.items.append(f"… {len(numbers.rows) - shown} more rows, worked the same way")
    if len(numbers.rows) > 1:
        totals = [_bracketed_number(w.number(sum(paths))) for paths in numbers.path_values]
        put_in = f" = ({' + '.join(totals)})/{len(totals)}" if len(totals) <= limits.MAX_TABLE_BATCH_ROWS else ""
        section.items.append(f"{name} = mean over the {len(numbers.rows)} rows{put_in} = "
                             f"{w.number(numbers.total)}")
    if numbers.matches:
        section.items.append(f"backward pass: ∂L/∂{entry.key} = {w.number(numbers.expected)}, the same "
                             "value: matches the backward pass ✓")
    else:
        section.items.append(f"warning: the backward pass gives ∂L/∂{entry.key} = "
                             f"{w.number(numbers.expected)}, but the chain gives "
                             f"{w.number(numbers.total)}: they do NOT match ✗ (please report this)")
    return section


def _latex_factor(text: str) -> str:
    number = _latex_number(text)
    return rf"\left({number}\right)" if number.startswith("-") or r"\frac" in number else number


def _output_target(output):
    """y₁ for the output a⁽ᴸ⁾₁ (the target entry it is compared with)."""
    index = output.name.rsplit("_{", 1)[-1].rstrip("}")
    return Symbol(f"y_{index}", real=True)


def _entry_sections(form, entry) -> list[Section]:
    arch = form.architecture
    l, j, k = entry.layer, entry.row, entry.column
    p_text = to_text(entry.parameter)
    name = _partial_text(sympy_L(), entry.parameter)
    name_latex = _partial_latex(sympy_L(), entry.parameter)
    a_prev = f"x{str(k).translate(SUBSCRIPT_DIGITS)}" if l == 1 and k is not None else \
        f"a{sup(l - 1)}{str(k).translate(SUBSCRIPT_DIGITS)}" if k is not None else ""
    section = Section(f"One entry: {name}")
    if k is not None:
        section.items.append(f"entry ({j},{k}) of ∂L/∂W{sup(l)} = δ{sup(l)}(a{sup(l - 1)})ᵀ is "
                             f"δ{sup(l)}{_sub(j)}·a{sup(l - 1)}{_sub(k)} = δ{sup(l)}{_sub(j)}·{a_prev}")
    else:
        section.items.append(f"entry {j} of ∂L/∂b{sup(l)} = δ{sup(l)} is δ{sup(l)}{_sub(j)}")
    if l < arch.depth:
        section.items.append(f"δ{sup(l)}{_sub(j)} = f′(z{sup(l)}{_sub(j)})·Σᵢ W{sup(l + 1)}[i,{j}]·δ{sup(l + 1)}ᵢ  "
                             f"(row {j} of (W{sup(l + 1)})ᵀδ{sup(l + 1)} ⊙ f′(z{sup(l)}))")
    if not entry.paths:
        section.items.append(f"{p_text} reaches the loss along {entry.path_count:,} paths, too many to "
                             "list one by one; the δ recursion above sums them layer by layer")
        return [section]
    if len(entry.paths) > 1:
        section.items.append(f"{p_text} reaches the loss along {len(entry.paths)} paths (neuron "
                             f"{j} of layer {l} → one neuron in each later layer); the chain rule "
                             "adds one product per path:")
    texts = _factor_texts(type("Chain", (), {"factors": distinct_factors(entry)})())
    for path in entry.paths:
        parts = [texts[id(f)] for f in path.factors]
        route = " → ".join(str(i) for i in path.neurons)
        many = len(entry.paths) > 1
        section.items.append(Math((f"path {route}: " if many else f"{name} = ") + " · ".join(p[0] for p in parts),
                                  (_latex_text(f"path {route}: ") if many else name_latex + " = ")
                                  + r" \cdot ".join(p[1] for p in parts)))
        section.items.append(Math("    = " + " · ".join(p[2] for p in parts),
                                  r"\quad = " + r" \cdot ".join(p[3] for p in parts)))
    if len(entry.paths) > 1:
        section.items.append(Math(f"{name} = sum over the {len(entry.paths)} paths = {to_text(entry.total)}",
                                  f"{name_latex} = {to_latex(entry.total)}"))
    local = Section(f"Local derivatives on the paths of {p_text}")
    for factor in distinct_factors(entry):
        local.items += [_factor_math(factor), Steps(factor.derivation)]
    return [section, local]


SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(index) -> str:
    return str(index).translate(SUBSCRIPT_DIGITS)


def matrix_dict(form) -> dict:
    """JSON: the shape lines, the engine's local derivatives and the entry's paths."""
    def lines(group):
        return [{"equation": line.text, "latex": line.latex, "shapes": line.shapes} for line in group]

    def factor_dict(f):
        return {"factor": _partial_text(f.top, f.bottom) if f.top.name != "f" else f"f′({f.bottom})",
                "expression": _ascii(f.definition), "variable": _ascii(f.bottom),
                "result": _ascii(f.result), "result_latex": to_latex(f.result),
                "steps": _renamed_dict(f.derivation)}

    arch = form.architecture
    data = {"layers": list(arch.widths), "activations": list(arch.activations), "loss_function": arch.loss,
            "names": "entry symbols are written w_2i10 for w⁽²⁾₁,₀ (layer 2, row 1, column 0), "
                     "z_2i1 for z⁽²⁾₁; x_k and y_i are the input and target entries",
            "forward": lines(form.forward), "backward": lines(form.backward),
            "gradients": lines(form.gradients),
            "activation_derivatives": [factor_dict(f) for f in form.activation_derivatives]}
    if form.loss_derivative is not None:
        data["loss_derivative"] = factor_dict(form.loss_derivative)
    if form.softmax_ce is not None:
        data["softmax_cross_entropy"] = factor_dict(form.softmax_ce)
    if form.entry is not None:
        entry = form.entry
        distinct = distinct_factors(entry)
        index = {id(f): i for i, f in enumerate(distinct)}
        data["entry"] = {"parameter": entry.key, "symbol": _ascii(entry.parameter),
                         "path_count": entry.path_count,
                         "factors": [factor_dict(f) for f in distinct],
                         "paths": [{"neurons": list(p.neurons), "factors": [index[id(f)] for f in p.factors],
                                    "product": _ascii(p.product)} for p in entry.paths]}
        if entry.paths:
            data["entry"]["total"] = _ascii(entry.total)
        if form.numbers is not None:
            data["entry"]["numbers"] = _numbers_dict(form.numbers)
    return data


def _numbers_dict(numbers) -> dict:
    """JSON: per row the value of each factor (in the order of "factors") and each path, the
    chain's value (the mean over a batch), the backward pass's and whether they match."""
    w = numbers.walkthrough

    def value(v):
        return w.number(v).replace("−", "-") if w.exact else _json_float(v)

    return {"rows": [{"factor_values": [value(v) for v in factors], "path_values": [value(v) for v in paths]}
                     for factors, paths in zip(numbers.factor_values, numbers.path_values)],
            "value": None if numbers.total is None else value(numbers.total),
            "backward_pass": value(numbers.expected), "matches": numbers.matches}


def _ascii_name(symbol):

    match = re.fullmatch(r"(\w+)\^\{\((\w+)\)\}(?:_\{([\d,]+)\})?", symbol.name)
    if not match:
        return symbol
    if match[3]:  # an entry: w^{(2)}_{1,0} → w_2i10 (one symbol for calcgrad.parse)
        return Symbol(f"{match[1]}_{match[2]}i{match[3].replace(',', '')}", real=True)
    return Symbol(f"{match[1]}{match[2]}", real=True)


def _ascii(expr) -> str:
    """Math in names calcgrad.parse reads back: w^{(1)}_{2,0} → w1_20, z^{(2)}_{1} → z2_1."""
    return to_ascii(expr.xreplace({s: _ascii_name(s) for s in expr.free_symbols}))


def _renamed_dict(derivation) -> list:
    names = {}
    for step_symbol in derivation.expression.free_symbols | set(derivation.variables):
        names[step_symbol] = _ascii_name(step_symbol)
    return renamed(derivation, names).to_dict()["steps"]


def matrix_plain(form, detail: str = "normal") -> str:
    return sections_plain(at_detail(_matrix_sections(form), detail))


def matrix_markdown(form, detail: str = "normal") -> str:
    return sections_markdown(at_detail(_matrix_sections(form), detail))


def matrix_latex(form, detail: str = "normal") -> str:
    return sections_latex(at_detail(_matrix_sections(form), detail))


def matrix_aligned(form, detail: str = "normal") -> str:
    return sections_aligned(at_detail(_matrix_sections(form), detail))


def matrix_rich(form, detail: str = "normal"):
    return sections_rich(at_detail(_matrix_sections(form), detail))


def walkthrough_csv(w) -> str:
    """One row per parameter: its value, ∂L/∂w and the value after the step (as in the JSON)."""
    data = walkthrough_dict(w)
    rows = ([key, value, data["gradients"][key], data["updated"][key]]
            for key, value in data["parameters"].items())
    return csv_table(["parameter", "value", "gradient", "updated"], rows)
