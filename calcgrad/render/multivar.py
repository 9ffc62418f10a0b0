"""Gradients, Jacobians and Hessians in every format: plain, Rich, LaTeX, Markdown and JSON.

Each partial derivative is a Derivation and is drawn by the Derivation renderers; this module
writes what surrounds them: the vector or matrix, the point, the norm, the direction and the
second-derivative test. Vectors are pmatrix columns in LaTeX, matrices bmatrix.
"""

from __future__ import annotations

import sympy
from sympy import Expr, Symbol

from calcgrad.calculus.multivar import Classification, Gradient, Hessian, Jacobian
from calcgrad.render.notation import SUBSCRIPT, to_ascii, to_latex, to_text
from calcgrad.render.json import derivation_dict
from calcgrad.render.escape import latex_text
from calcgrad.render.latex import render_aligned, render_latex
from calcgrad.render.markdown import render_markdown
from calcgrad.render.plain import approximation, render_plain

INDENT = "  "


# --- shared pieces ---------------------------------------------------------------------------


def order_note(order_given: bool) -> str:
    return "in the order given" if order_given else "in alphabetical order"


def names_text(symbols) -> str:
    return ", ".join(to_text(s) for s in symbols)


def names_latex(symbols) -> str:
    return ", ".join(to_latex(s) for s in symbols)


def vector_text(values, brackets: str = "[]") -> str:
    """[2x, 2y] (or (1, 1) with brackets="()")."""
    return brackets[0] + ", ".join(to_text(v) for v in values) + brackets[1]


def point_text(point) -> str:
    return ", ".join(f"{to_text(s)} = {to_text(v)}" for s, v in point)


def point_latex(point) -> str:
    return r",\ ".join(f"{to_latex(s)} = {to_latex(v)}" for s, v in point)


def with_approximation(value: Expr) -> str:
    """`2√5 ≈ 4.472135955`, or just the value when it is already a plain number."""
    approx = approximation(value)
    return to_text(value) + (f" ≈ {approx}" if approx is not None else "")


def with_approximation_latex(value: Expr) -> str:
    approx = approximation(value)
    return to_latex(value) + (rf" \approx {approx}" if approx is not None else "")


def norm_tail(norm: Expr, latex: bool = False) -> str:
    """` = 2√5 ≈ 4.47`, or only ` ≈ 3.22` when SymPy left the square root as it was."""
    unchanged = norm.is_Pow and norm.exp == sympy.S.Half and not norm.base.is_Number
    approx = approximation(norm)
    if unchanged:
        if approx is None:
            return ""
        return rf" \approx {approx}" if latex else f" ≈ {approx}"
    return " = " + (with_approximation_latex(norm) if latex else with_approximation(norm))


def partial_text(variable: Symbol, function: str = "f") -> str:
    return f"∂{function}/∂{to_text(variable)}"


def partial_latex(variable: Symbol, function: str = "f") -> str:
    return rf"\frac{{\partial {function}}}{{\partial {to_latex(variable)}}}"


def second_partial_text(first: Symbol, second: Symbol) -> str:
    """∂²f/∂y∂x: differentiate by `first`, then by `second` (written first)."""
    if first == second:
        return f"∂²f/∂{to_text(first)}²"
    return f"∂²f/∂{to_text(second)}∂{to_text(first)}"


def second_partial_latex(first: Symbol, second: Symbol) -> str:
    if first == second:
        return rf"\frac{{\partial^{{2}} f}}{{\partial {to_latex(first)}^{{2}}}}"
    return rf"\frac{{\partial^{{2}} f}}{{\partial {to_latex(second)}\,\partial {to_latex(first)}}}"


def squares_text(values) -> str:
    """2² + (−4)²: each value squared, bracketed unless it is a plain non-negative number."""
    def square(v):
        t = to_text(v)
        simple = (v.is_Integer or v.is_Float) and not v.is_negative
        return f"{t}²" if simple or (v.is_Symbol) else f"({t})²"

    return " + ".join(square(v) for v in values)


def squares_latex(values) -> str:
    def square(v):
        t = to_latex(v)
        simple = (v.is_Integer or v.is_Float) and not v.is_negative
        return f"{t}^{{2}}" if simple or v.is_Symbol else rf"\left({t}\right)^{{2}}"

    return " + ".join(square(v) for v in values)


def matrix_lines(matrix, label: str) -> list[str]:
    """A matrix as right-aligned text columns in tall brackets: `H = ⎡ 6x  0 ⎤` / `    ⎣  0  2 ⎦`."""
    cells = [[to_text(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]
    widths = [max(len(row[j]) for row in cells) for j in range(matrix.cols)]
    rows = [" " + "  ".join(c.rjust(w) for c, w in zip(row, widths)) + " " for row in cells]
    n = len(rows)
    lines = []
    for i, row in enumerate(rows):
        if n == 1:
            left, right = "[", "]"
        elif i == 0:
            left, right = "⎡", "⎤"
        elif i == n - 1:
            left, right = "⎣", "⎦"
        else:
            left, right = "⎢", "⎥"
        prefix = f"{label} = " if i == (n - 1) // 2 else " " * (len(label) + 3)
        lines.append(f"{prefix}{left}{row}{right}")
    return lines


def entry_lines(matrix, label: str, symmetric: bool = False) -> list[str]:
    """A matrix as a list of entries, `H₁₂ = H₂₁ = …` (symmetric) or `J₂₁ = …`: for terminals
    too narrow for the matrix in brackets."""
    def name(i, j):
        return f"{label}{str(i + 1).translate(SUBSCRIPT)}{str(j + 1).translate(SUBSCRIPT)}"

    lines = []
    for i in range(matrix.rows):
        for j in range(matrix.cols):
            if symmetric and j < i:
                continue
            names = f"{name(i, j)} = {name(j, i)}" if symmetric and j > i else name(i, j)
            lines.append(f"{names} = {to_text(matrix[i, j])}")
    return lines


def _fit_matrices(lines: list[str], matrices: list[tuple[list[str], list[str]]], style_of) -> list:
    """Rich parts for `lines`, each matrix block (its bracket lines) drawn by FittedLines."""
    from rich.text import Text  # lazy: start-up speed (Rich loads only for the terminal view)

    from calcgrad.render.fit import FittedLines  # lazy: start-up speed

    parts, i = [], 0
    while i < len(lines):
        block = next(((wide, narrow) for wide, narrow in matrices
                      if wide and lines[i:i + len(wide)] == wide), None)
        if block:
            parts.append(FittedLines(block[0], block[1], style_of(lines[i])))
            i += len(block[0])
        else:
            parts.append(Text(lines[i], style=style_of(lines[i])))
            i += 1
    return parts


def matrix_latex(matrix, environment: str = "bmatrix") -> str:
    rows = [" & ".join(to_latex(matrix[i, j]) for j in range(matrix.cols))
            for i in range(matrix.rows)]
    return rf"\begin{{{environment}}} " + r" \\ ".join(rows) + rf" \end{{{environment}}}"


def column_latex(values) -> str:
    return r"\begin{pmatrix} " + r" \\ ".join(to_latex(v) for v in values) + r" \end{pmatrix}"


def matrix_ascii(matrix) -> list[list[str | None]]:
    return [[value_ascii(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]


def value_ascii(value: Expr) -> str | None:
    """A value for JSON: its text, or null where it does not exist at the point."""
    return None if value is sympy.nan else to_ascii(value)


def steps_count(derivation) -> str:
    """'1 step', '4 steps': how many rule steps the collapsed line stands for."""
    count = sum(len(list(stage.walk())) for stage in derivation.stages)
    return f"{count} step" + ("" if count == 1 else "s")


def derivation_body(derivation) -> list[str]:
    """A derivation's plain text without its 'Interpreted as' line (already shown above)."""
    return render_plain(derivation).rstrip("\n").splitlines()[1:]


def markdown_body(derivation) -> str:
    """A derivation's Markdown without its 'Interpreted as' paragraph (already shown above)."""
    return "\n".join(render_markdown(derivation).rstrip("\n").splitlines()[2:])


def parameters_note(parameters) -> str | None:
    if not parameters:
        return None
    verb = "is" if len(parameters) == 1 else "are"
    return f"{names_text(parameters)} {verb} not among the variables and {verb} held constant"


def subscript(k: int) -> str:
    return str(k).translate(SUBSCRIPT)


# --- gradient --------------------------------------------------------------------------------


def gradient_plain(g: Gradient) -> str:
    """The gradient as plain text; every step of every partial when g.show_steps is set."""
    return "\n".join(_gradient_lines(g)) + "\n"


def _gradient_heading(g: Gradient) -> list[str]:
    lines = [f"Interpreted as: {to_text(g.expression, g.written)}",
             f"Gradient of f = {to_text(g.expression, g.written)} with respect to {names_text(g.variables)} "
             f"({order_note(g.order_given)})"]
    note = parameters_note(g.parameters)
    if note:
        lines.append(note)
    return lines


def _gradient_lines(g: Gradient) -> list[str]:
    lines = _gradient_heading(g) + [""]
    if g.show_steps:
        for i, (variable, d) in enumerate(zip(g.variables, g.derivations), start=1):
            lines.append(f"{i}. {partial_text(variable)}")
            lines += [INDENT + line if line else "" for line in derivation_body(d)]
            lines.append("")
    else:
        lines.append("Partial derivatives (every step: --show-steps, or steps=True):")
        width = max(len(partial_text(v)) for v in g.variables)
        results = [to_text(d.result) for d in g.derivations]
        result_width = max(len(r) for r in results)
        for variable, d, result in zip(g.variables, g.derivations, results):
            lines.append(f"{INDENT}{partial_text(variable).ljust(width)} = {result.ljust(result_width)}"
                         f"    [{d.stages[0].title}, {steps_count(d)}]")
        lines.append("")
    lines += _gradient_summary(g)
    return lines


def _gradient_summary(g: Gradient) -> list[str]:
    lines = [f"∇({to_text(g.expression, g.written)}) = {vector_text(g.components)}"]
    if g.point:
        lines += ["", f"At {point_text(g.point)}:", f"{INDENT}∇f = {vector_text(g.value)}"]
        if sympy.nan in g.value:
            lines += [f"{INDENT}{d.steps[-1].status.message}" for d in g.derivations
                      if not d.steps[-1].exists][:1]
        else:
            lines.append(f"{INDENT}‖∇f‖ = √({squares_text(g.value)}){norm_tail(g.norm)}")
    if g.direction:
        terms = " + ".join(f"({to_text(c)})({to_text(u)})"
                           for c, u in zip(g.components, g.unit_direction))
        lines += ["", f"Direction v = {vector_text(g.direction, '()')}:",
                  f"{INDENT}‖v‖ = {to_text(g.direction_length)}, so u = v/‖v‖ = "
                  f"{vector_text(g.unit_direction, '()')}",
                  f"{INDENT}D_u f = ∇f·u = {terms} = {to_text(g.directional_derivative)}"]
        if g.point:
            lines.append(f"{INDENT}at {point_text(g.point)}: D_u f = "
                         f"{with_approximation(g.directional_value)}")
    return lines


def gradient_rich(g: Gradient):
    """Rich renderables: the heading, each partial (as a tree with --steps), the vector."""
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.text import Text

    parts = [Text.assemble(("Interpreted as ", "dim"), (to_text(g.expression, g.written), "bold"))]
    parts += [Text(line, style="bold cyan") for line in _gradient_heading(g)[1:]]
    if g.show_steps:
        for i, (variable, d) in enumerate(zip(g.variables, g.derivations), start=1):
            parts.append(Text(f"\n{i}. {partial_text(variable)}", style="bold magenta"))
            parts.append(d)
    else:
        parts.append(Text("Partial derivatives (every step: --show-steps, or steps=True):", style="dim"))
        for variable, d in zip(g.variables, g.derivations):
            parts.append(Text.assemble(
                (f"{INDENT}{partial_text(variable)} = ", "bold"), (to_text(d.result), ""),
                (f"    [{d.stages[0].title}, {steps_count(d)}]", "magenta")))
    summary = _gradient_summary(g)
    parts.append(Text.assemble(("\nResult  ", "bold"), (summary[0], "bold green")))
    parts += [Text(line, style="green") for line in summary[1:]]
    return Group(*parts)


def _gradient_latex_rows(g: Gradient) -> list[str]:
    rows = [rf"f &= {to_latex(g.expression, g.written)} && \text{{variables {order_note(g.order_given)}: }} "
            rf"{names_latex(g.variables)}"]
    for variable, d in zip(g.variables, g.derivations):
        rows.append(rf"{partial_latex(variable)} &= {to_latex(d.result)} && "
                    rf"\text{{{latex_text(d.stages[0].title)}}}")
    rows.append(rf"\nabla f &= {column_latex(g.components)}")
    if g.point:
        at = point_latex(g.point)
        rows.append(rf"\nabla f\,\Big|_{{{at}}} &= {column_latex(g.value)}")
        rows.append(rf"\lVert \nabla f \rVert &= \sqrt{{{squares_latex(g.value)}}}"
                    rf"{norm_tail(g.norm, latex=True)}")
    if g.direction:
        rows.append(rf"u &= \frac{{v}}{{\lVert v \rVert}} = \frac{{1}}{{{to_latex(g.direction_length)}}}"
                    rf"{column_latex(g.direction)} = {column_latex(g.unit_direction)}")
        rows.append(rf"D_{{u}} f &= \nabla f \cdot u = {to_latex(g.directional_derivative)}")
        if g.point:
            rows.append(rf"D_{{u}} f\,\Big|_{{{point_latex(g.point)}}} &= "
                        rf"{with_approximation_latex(g.directional_value)}")
    return rows


def gradient_latex(g: Gradient, notebook: bool = False) -> str:
    """An align* block (with --steps, each partial's own block after it); $$aligned$$ for Jupyter."""
    rows = r"\\" + "\n"
    if notebook:
        out = "$$\\begin{aligned}\n" + rows.join(_gradient_latex_rows(g)) + "\n\\end{aligned}$$"
        if g.show_steps:
            out += "".join("\n\n" + render_aligned(d) for d in g.derivations)
        return out
    out = "\\begin{align*}\n" + rows.join(_gradient_latex_rows(g)) + "\n\\end{align*}\n"
    if g.show_steps:
        for variable, d in zip(g.variables, g.derivations):
            out += f"% {latex_text(partial_text(variable))}, step by step\n" + render_latex(d)
    return out


def gradient_markdown(g: Gradient) -> str:
    """Markdown with $…$ math; with steps, each partial's derivation under its own heading."""
    lines = [f"**Interpreted as** ${to_latex(g.expression, g.written)}$", "",
             f"**Gradient** of $f = {to_latex(g.expression, g.written)}$ with respect to "
             f"${names_latex(g.variables)}$ ({order_note(g.order_given)})", ""]
    note = parameters_note(g.parameters)
    if note:
        lines += [note, ""]
    for variable, d in zip(g.variables, g.derivations):
        lines.append(f"- ${partial_latex(variable)} = {to_latex(d.result)}$ ({d.stages[0].title})")
    lines += ["", rf"**Result** $\nabla f = {column_latex(g.components)}$"]
    if g.point:
        at = point_latex(g.point)
        lines += ["", f"**At** ${at}$: $\\nabla f = {column_latex(g.value)}$, "
                      rf"$\lVert \nabla f \rVert = \sqrt{{{squares_latex(g.value)}}}"
                      f"{norm_tail(g.norm, latex=True)}$"]
    if g.direction:
        lines += ["", rf"**Direction** $v = {column_latex(g.direction)}$, "
                      rf"$u = v / \lVert v \rVert = {column_latex(g.unit_direction)}$, "
                      rf"$D_{{u}} f = \nabla f \cdot u = {to_latex(g.directional_derivative)}$"]
        if g.point:
            lines[-1] += f", and at the point ${with_approximation_latex(g.directional_value)}$"
    if g.show_steps:
        for variable, d in zip(g.variables, g.derivations):
            lines += ["", f"#### ${partial_latex(variable)}$, step by step", "",
                      markdown_body(d)]
    return "\n".join(lines) + "\n"


def gradient_dict(g: Gradient) -> dict:
    """The JSON contract of a gradient (see README)."""
    data = {
        "expression": to_ascii(g.expression),
        "interpreted_as": to_text(g.expression, g.written),
        "variables": [to_ascii(v) for v in g.variables],
        "variable_order": "given" if g.order_given else "alphabetical",
        "gradient": [to_ascii(c) for c in g.components],
        "gradient_latex": [to_latex(c) for c in g.components],
    }
    if g.point:
        data["point"] = {to_ascii(s): to_ascii(v) for s, v in g.point}
        data["value"] = [value_ascii(v) for v in g.value]
        data["value_latex"] = [to_latex(v) for v in g.value]
        data["norm"] = to_ascii(g.norm)
        data["norm_latex"] = to_latex(g.norm)
    if g.direction:
        data["direction"] = [to_ascii(c) for c in g.direction]
        data["unit_direction"] = [to_ascii(u) for u in g.unit_direction]
        data["directional_derivative"] = to_ascii(g.directional_derivative)
        data["directional_derivative_latex"] = to_latex(g.directional_derivative)
        if g.point:
            data["directional_derivative_value"] = to_ascii(g.directional_value)
    data["derivations"] = [derivation_dict(d) for d in g.derivations]
    return data


# --- Jacobian --------------------------------------------------------------------------------


def _function_names(j: Jacobian) -> list[str]:
    return [f"f{subscript(i)}" for i in range(1, len(j.functions) + 1)]


def _jacobian_lines(j: Jacobian) -> list[str]:
    names = _function_names(j)
    lines = ["Interpreted as: " + "; ".join(f"{n} = {to_text(f, j.typed(i))}" for i, (n, f) in enumerate(zip(names, j.functions))),
             f"Jacobian of ({', '.join(names)}) with respect to {names_text(j.variables)} "
             f"({order_note(j.order_given)})",
             f"entry (i, j) = ∂fᵢ/∂xⱼ: row i is function fᵢ, column j is variable xⱼ; "
             f"{j.shape[0]}×{j.shape[1]}",
             ""]
    lines += matrix_lines(j.matrix, "J")
    if j.point:
        lines += ["", f"At {point_text(j.point)}:"]
        lines += [INDENT + line for line in matrix_lines(j.value, "J")]
    return lines


def _entry_lines(matrix_result, label: str, name_of) -> list[str]:
    if matrix_result.entry is None:
        return []
    row, column = matrix_result.entry
    d = matrix_result.entry_derivation
    return ["", f"Entry ({row}, {column}) (row {row}, column {column}, counted from 1): "
                f"{name_of(row, column)}, step by step", ""] + derivation_body(d)


def _jacobian_entry_name(j: Jacobian, row: int, column: int) -> str:
    return f"∂f{subscript(row)}/∂{to_text(j.variables[column - 1])}"


def jacobian_plain(j: Jacobian) -> str:
    lines = _jacobian_lines(j) + _entry_lines(j, "J", lambda r, c: _jacobian_entry_name(j, r, c))
    return "\n".join(lines) + "\n"


def jacobian_rich(j: Jacobian):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.text import Text

    lines = _jacobian_lines(j)
    parts = [Text.assemble(("Interpreted as ", "dim"), (lines[0].split(": ", 1)[1], "bold"))]
    parts += [Text(line, style="bold cyan") for line in lines[1:3]]
    matrices = [(matrix_lines(j.matrix, "J"), entry_lines(j.matrix, "J"))]
    if j.point:
        matrices += [(matrix_lines(j.value, "J"), entry_lines(j.value, "J")),
                     ([INDENT + line for line in matrix_lines(j.value, "J")],
                      [INDENT + line for line in entry_lines(j.value, "J")])]
    parts += _fit_matrices(lines[3:], matrices, lambda line: "bold green")
    return Group(*parts, *_rich_entry(j, _jacobian_entry_name))


def _rich_entry(grid, name_of) -> list:
    """The entry asked for with --entry, titled, then its derivation; nothing when none was."""
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.text import Text

    if not grid.entry:
        return []
    row, column = grid.entry
    title = Text(f"\nEntry ({row}, {column}) (counted from 1): {name_of(grid, row, column)}",
                 style="bold magenta")
    return [title, grid.entry_derivation]


def _jacobian_latex_rows(j: Jacobian) -> list[str]:
    rows = [rf"f_{{{i}}} &= {to_latex(f, j.typed(i - 1))}" for i, f in enumerate(j.functions, start=1)]
    rows.append(rf"J &= \left[\frac{{\partial f_{{i}}}}{{\partial x_{{j}}}}\right] = {matrix_latex(j.matrix)}"
                rf" && \text{{variables {order_note(j.order_given)}: }} {names_latex(j.variables)}")
    if j.point:
        rows.append(rf"J\,\Big|_{{{point_latex(j.point)}}} &= {matrix_latex(j.value)}")
    return rows


def jacobian_latex(j: Jacobian, notebook: bool = False) -> str:
    return _matrix_document(_jacobian_latex_rows(j), j.entry_derivation, notebook)


def jacobian_markdown(j: Jacobian) -> str:
    lines = ["**Interpreted as** " + ", ".join(f"$f_{{{i}}} = {to_latex(f, j.typed(i - 1))}$"
                                              for i, f in enumerate(j.functions, start=1)), "",
             f"**Jacobian** with respect to ${names_latex(j.variables)}$ ({order_note(j.order_given)}); "
             r"entry $(i, j)$ is $\partial f_{i} / \partial x_{j}$", "",
             f"$$J = {matrix_latex(j.matrix)}$$"]
    if j.point:
        lines += ["", f"**At** ${point_latex(j.point)}$:", "", f"$$J = {matrix_latex(j.value)}$$"]
    if j.entry:
        row, column = j.entry
        lines += ["", f"#### Entry ({row}, {column}): "
                      rf"$\partial f_{{{row}}} / \partial {to_latex(j.variables[column - 1])}$, step by step",
                  "", markdown_body(j.entry_derivation)]
    return "\n".join(lines) + "\n"


def jacobian_dict(j: Jacobian) -> dict:
    """The JSON contract of a Jacobian (see README)."""
    data = {
        "functions": [to_ascii(f) for f in j.functions],
        "interpreted_as": [to_text(f, j.typed(i)) for i, f in enumerate(j.functions)],
        "variables": [to_ascii(v) for v in j.variables],
        "variable_order": "given" if j.order_given else "alphabetical",
        "matrix": matrix_ascii(j.matrix),
        "matrix_latex": matrix_latex(j.matrix),
    }
    if j.point:
        data["point"] = {to_ascii(s): to_ascii(v) for s, v in j.point}
        data["value"] = matrix_ascii(j.value)
        data["value_latex"] = matrix_latex(j.value)
    if j.entry:
        data["entry"] = {"row": j.entry[0], "column": j.entry[1],
                         "derivation": derivation_dict(j.entry_derivation)}
    return data


# --- Hessian ---------------------------------------------------------------------------------


def _hessian_entry_name(h: Hessian, row: int, column: int) -> str:
    return second_partial_text(h.variables[row - 1], h.variables[column - 1])


def symmetry_text(h: Hessian) -> str:
    n = len(h.variables)
    if n == 1:
        return "a 1×1 Hessian has no mixed partial derivatives"
    if h.symmetric:
        x, y = h.variables[0], h.variables[1]
        return (f"mixed partials agree ({second_partial_text(x, y)} = {second_partial_text(y, x)}"
                f"{', and so on' if n > 2 else ''}), as Schwarz's theorem says they must where they "
                "are continuous: H is symmetric")
    pairs = "; ".join(f"({i}, {j}) and ({j}, {i})" for i, j in h.mismatched_pairs)
    return (f"mixed partials not shown equal for entries {pairs}: H may not be symmetric "
            "(Schwarz's theorem needs continuous second partials)")


def symmetry_latex(h: Hessian) -> str:
    if len(h.variables) == 1:
        return ""
    if h.symmetric:
        return r"\text{mixed partials agree, so } H = H^{T} \text{ (Schwarz's theorem)}"
    return r"\text{mixed partials not shown equal: } H \text{ may not be symmetric}"


def numbers_text(c: Classification) -> str:
    """D₁ = 6, D₂ = 12  or  λ₁ = 0, λ₂ = 2."""
    symbol = "D" if c.test == "leading minors" else "λ"
    return ", ".join(f"{symbol}{subscript(k)} = {with_approximation(v)}"
                     for k, v in enumerate(c.numbers, start=1))


def numbers_latex(c: Classification) -> str:
    symbol = "D" if c.test == "leading minors" else r"\lambda"
    return r",\ ".join(f"{symbol}_{{{k}}} = {with_approximation_latex(v)}"
                       for k, v in enumerate(c.numbers, start=1))


def test_name(c: Classification) -> str:
    if c.test == "leading minors":
        return "leading principal minors (Sylvester's criterion)"
    return c.test


def critical_note(c: Classification) -> str:
    if c.kind == "undefined":
        return ""
    return " (a critical point)" if c.critical else " (not a critical point)"


def _classification_lines(h: Hessian) -> list[str]:
    c = h.classification
    if c is None:
        return []
    lines = [f"∇f = {vector_text(h.gradient_value)}" + critical_note(c)]
    if c.test != "none":
        lines.append(f"Test: {test_name(c)}: {numbers_text(c)}")
    lines += [f"Classification: {c.kind}", f"because {c.reason}"]
    return lines


def _hessian_lines(h: Hessian) -> list[str]:
    lines = [f"Interpreted as: {to_text(h.expression, h.written)}",
             f"Hessian of f = {to_text(h.expression, h.written)} with respect to {names_text(h.variables)} "
             f"({order_note(h.order_given)})",
             "entry (i, j) = ∂/∂xⱼ (∂f/∂xᵢ), the Jacobian of ∇f; rows and columns counted from 1"]
    note = parameters_note(h.parameters)
    if note:
        lines.append(note)
    lines += [""] + matrix_lines(h.matrix, "H") + ["", symmetry_text(h)]
    if h.point:
        lines += ["", f"At {point_text(h.point)}:"]
        lines += [INDENT + line for line in matrix_lines(h.value, "H")]
        lines += [INDENT + line for line in _classification_lines(h)]
    return lines


def hessian_plain(h: Hessian) -> str:
    lines = _hessian_lines(h) + _entry_lines(h, "H", lambda r, c: _hessian_entry_name(h, r, c))
    return "\n".join(lines) + "\n"


def hessian_rich(h: Hessian):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.text import Text

    def style_of(line):
        if "Classification:" in line:
            return "bold green"
        return "bold cyan" if line.startswith(("Hessian", "entry")) else "green"

    lines = _hessian_lines(h)
    parts = [Text.assemble(("Interpreted as ", "dim"), (to_text(h.expression, h.written), "bold"))]
    matrices = [(matrix_lines(h.matrix, "H"), entry_lines(h.matrix, "H", h.symmetric))]
    if h.point:
        matrices.append(([INDENT + line for line in matrix_lines(h.value, "H")],
                         [INDENT + line for line in entry_lines(h.value, "H", h.symmetric)]))
    parts += _fit_matrices(lines[1:], matrices, style_of)
    return Group(*parts, *_rich_entry(h, _hessian_entry_name))


def _hessian_latex_rows(h: Hessian) -> list[str]:
    rows = [rf"f &= {to_latex(h.expression, h.written)} && \text{{variables {order_note(h.order_given)}: }} "
            rf"{names_latex(h.variables)}",
            rf"H &= {matrix_latex(h.matrix)}"
            + (f" && {symmetry_latex(h)}" if len(h.variables) > 1 else "")]
    if h.point:
        at = point_latex(h.point)
        rows.append(rf"H\,\Big|_{{{at}}} &= {matrix_latex(h.value)}")
        c = h.classification
        rows.append(rf"\nabla f\,\Big|_{{{at}}} &= {column_latex(h.gradient_value)}")
        if c.test != "none":
            rows.append(rf"&\text{{{latex_text(test_name(c))}: }} {numbers_latex(c)}")
        rows.append(rf"&\text{{Classification: {latex_text(c.kind)}}}")
    return rows


def hessian_latex(h: Hessian, notebook: bool = False) -> str:
    return _matrix_document(_hessian_latex_rows(h), h.entry_derivation, notebook)


def hessian_markdown(h: Hessian) -> str:
    lines = [f"**Interpreted as** ${to_latex(h.expression, h.written)}$", "",
             f"**Hessian** of $f = {to_latex(h.expression, h.written)}$ with respect to "
             f"${names_latex(h.variables)}$ ({order_note(h.order_given)}); entry $(i, j)$ is "
             r"$\partial^2 f / \partial x_{j} \partial x_{i}$", "",
             f"$$H = {matrix_latex(h.matrix)}$$", "", symmetry_text(h)]
    if h.point:
        c = h.classification
        lines += ["", f"**At** ${point_latex(h.point)}$:", "", f"$$H = {matrix_latex(h.value)}$$", "",
                  rf"- $\nabla f = {column_latex(h.gradient_value)}$" + critical_note(c)]
        if c.test != "none":
            lines.append(f"- {test_name(c)}: ${numbers_latex(c)}$")
        lines.append(f"- **Classification: {c.kind}**, because {c.reason}")
    if h.entry:
        row, column = h.entry
        first, second = h.variables[row - 1], h.variables[column - 1]
        lines += ["", f"#### Entry ({row}, {column}): ${second_partial_latex(first, second)}$, "
                      "step by step", "", markdown_body(h.entry_derivation)]
    return "\n".join(lines) + "\n"


def classification_dict(c: Classification) -> dict:
    return {
        "kind": c.kind,
        "definiteness": c.definiteness,
        "test": c.test,
        "numbers": [to_ascii(v) for v in c.numbers],
        "critical_point": c.critical,
        "reason": c.reason,
    }


def hessian_dict(h: Hessian) -> dict:
    """The JSON contract of a Hessian (see README)."""
    data = {
        "expression": to_ascii(h.expression),
        "interpreted_as": to_text(h.expression, h.written),
        "variables": [to_ascii(v) for v in h.variables],
        "variable_order": "given" if h.order_given else "alphabetical",
        "matrix": matrix_ascii(h.matrix),
        "matrix_latex": matrix_latex(h.matrix),
        "symmetric": h.symmetric,
    }
    if h.point:
        data["point"] = {to_ascii(s): to_ascii(v) for s, v in h.point}
        data["value"] = matrix_ascii(h.value)
        data["value_latex"] = matrix_latex(h.value)
        data["gradient_value"] = [value_ascii(v) for v in h.gradient_value]
        data["classification"] = classification_dict(h.classification)
    if h.entry:
        data["entry"] = {"row": h.entry[0], "column": h.entry[1],
                         "derivation": derivation_dict(h.entry_derivation)}
    return data


# --- LaTeX documents shared by Jacobian and Hessian ------------------------------------------


def _matrix_document(rows: list[str], entry, notebook: bool) -> str:
    """An align* block, then the chosen entry's own block; $$aligned$$ blocks for Jupyter."""
    joined = "\\\\\n".join(rows)
    if notebook:
        out = "$$\\begin{aligned}\n" + joined + "\n\\end{aligned}$$"
        return out + ("\n\n" + render_aligned(entry) if entry is not None else "")
    out = "\\begin{align*}\n" + joined + "\n\\end{align*}\n"
    return out + (render_latex(entry) if entry is not None else "")
