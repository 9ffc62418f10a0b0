"""Renderers for a gradient-descent run: plain, Rich, LaTeX, Markdown, JSON and CSV.

Human formats show the trace whole when it is short, else its first and last rows; JSON and
CSV always hold the whole trace, with every float written in full (repr: it reads back exactly).
"""

from __future__ import annotations

import math

from calcgrad.calculus.descent import Descent, Iteration
from calcgrad.render.notation import to_ascii, to_latex, to_text
from calcgrad.render.escape import csv_table, latex_text, markdown_text

HEAD_ROWS = 10
TAIL_ROWS = 10


def shown_rows(descent: Descent) -> list[Iteration | None]:
    """The rows a human format shows; None stands for the rows left out."""
    trace = list(descent.trace)
    if len(trace) <= HEAD_ROWS + TAIL_ROWS + 5:
        return trace
    return trace[:HEAD_ROWS] + [None] + trace[-TAIL_ROWS:]


def omitted(descent: Descent) -> int:
    return max(0, len(descent.trace) - HEAD_ROWS - TAIL_ROWS) if None in shown_rows(descent) else 0


def number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def vector(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def names(descent: Descent) -> str:
    return ", ".join(to_text(v) for v in descent.variables)


def function_text(descent: Descent) -> str:
    return f"f({names(descent)}) = {to_text(descent.expression, descent.written)}"


def gradient_text(descent: Descent) -> str:
    parts = ", ".join(f"∂f/∂{to_text(v)}" for v in descent.variables)
    values = ", ".join(to_text(g) for g in descent.gradient)
    return f"∇f = [{parts}] = [{values}]"


def update_text(descent: Descent) -> str:
    if descent.momentum:
        return (f"v ← μv − η∇f(w), w ← w + v, with η = {descent.learning_rate:g}, "
                f"μ = {descent.momentum:g} and v⁽⁰⁾ = 0 (heavy-ball momentum)")
    return f"w ← w − η∇f(w), with η = {descent.learning_rate:g}"


def criterion_text(descent: Descent) -> str:
    return (f"‖∇f(w)‖ ≤ {descent.tolerance:g} (Euclidean norm of the gradient), "
            f"or after {descent.max_steps} steps")


def start_text(descent: Descent) -> str:
    first = descent.trace[0].point if descent.trace else ()
    return ", ".join(f"{to_text(v)} = {c:g}" for v, c in zip(descent.variables, first))


def outcome_text(descent: Descent) -> str:
    return ("converged: " if descent.converged else "did not converge: ") + descent.reason


def final_text(descent: Descent) -> str | None:
    if not descent.trace:
        return None
    last = descent.final
    point = ", ".join(f"{to_text(v)} = {c:.10g}" for v, c in zip(descent.variables, last.point))
    return f"w⁽{_superscript(last.k)}⁾: {point}, f = {last.f:.10g}, ‖∇f‖ = {last.gradient_norm:.3g}"


def stable_text(descent: Descent) -> str | None:
    if descent.stable_learning_rate is None:
        return None
    rule = "2(1 + μ)/λ_max" if descent.momentum else "2/λ_max"
    return (f"f is a quadratic: descent is stable for η < {rule} = "
            f"{descent.stable_learning_rate:.6g} (λ_max: largest eigenvalue of the Hessian)")


def _superscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _header(descent: Descent) -> list[str]:
    return ["k", f"w = ({names(descent)})", "∇f(w)", "‖∇f‖", "f(w)", "step ‖Δw‖"]


def _cells(row: Iteration) -> list[str]:
    return [str(row.k), vector(row.point), vector(row.gradient), number(row.gradient_norm),
            number(row.f), number(row.step)]


def _intro(descent: Descent) -> list[tuple[str, str]]:
    lines = [("Minimise", function_text(descent)),
             ("Gradient", gradient_text(descent) + " (variables in the order of the start point)"),
             ("Update", update_text(descent)),
             ("Start", start_text(descent)),
             ("Stop when", criterion_text(descent))]
    if stable_text(descent):
        lines.append(("Stable η", stable_text(descent)))
    return lines


def _outro(descent: Descent) -> list[tuple[str, str]]:
    lines = [("Result", outcome_text(descent))]
    if final_text(descent):
        lines.append(("Last", final_text(descent)))
    lines += [("Warning", w) for w in descent.warnings]
    return lines


# --- plain ----------------------------------------------------------------------------------------


def render_plain(descent: Descent) -> str:
    lines = [f"Interpreted as: {to_text(descent.expression, descent.written)}"]
    lines += [f"{label}: {text}" for label, text in _intro(descent)]
    lines.append("")
    table = [_header(descent)] + [_cells(r) if r else ["…"] + [""] * 5 for r in shown_rows(descent)]
    widths = [max(len(row[i]) for row in table) for i in range(6)]
    for row in table:
        lines.append("  ".join(cell.rjust(width) for cell, width in zip(row, widths)).rstrip())
    if omitted(descent):
        lines.append(f"({omitted(descent)} rows not shown; --format csv or json gives the whole trace)")
    lines.append("")
    lines += [f"{label}: {text}" for label, text in _outro(descent)]
    return "\n".join(lines) + "\n"


# --- rich -----------------------------------------------------------------------------------------


def rich_renderable(descent: Descent):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from calcgrad.render.fit import fitted  # lazy: start-up speed (Rich loads only for the terminal)

    parts = [Text.assemble(("Interpreted as ", "dim"), (to_text(descent.expression, descent.written), "bold"))]
    parts += [Text.assemble((f"{label:<10}", "bold"), text) for label, text in _intro(descent)]
    table = Table(caption=(f"{omitted(descent)} rows not shown; --format csv or json gives the "
                           "whole trace") if omitted(descent) else None)
    for column in _header(descent):
        table.add_column(column, justify="right")
    for row in shown_rows(descent):
        table.add_row(*(_cells(row) if row else ["…"] + [""] * 5))
    parts.append(fitted(table))
    style = "bold green" if descent.converged else "bold yellow"
    for label, text in _outro(descent):
        parts.append(Text.assemble((f"{label:<10}", "bold"),
                                   (text, "bold red" if label == "Warning" else style)))
    return Group(*parts)


# --- LaTeX and Markdown ---------------------------------------------------------------------------


def _latex_gradient(descent: Descent) -> str:
    parts = ", ".join(rf"\frac{{\partial f}}{{\partial {to_latex(v)}}}" for v in descent.variables)
    values = ", ".join(to_latex(g) for g in descent.gradient)
    return rf"\nabla f = \left[{parts}\right] = \left[{values}\right]"


def _latex_update(descent: Descent) -> str:
    if descent.momentum:
        return (rf"v \leftarrow \mu v - \eta \nabla f(w),\quad w \leftarrow w + v,\quad "
                rf"\eta = {descent.learning_rate:g},\ \mu = {descent.momentum:g}")
    return rf"w \leftarrow w - \eta \nabla f(w),\quad \eta = {descent.learning_rate:g}"


def _aligned_rows(descent: Descent) -> list[str]:
    return [rf"f({', '.join(to_latex(v) for v in descent.variables)}) &= "
            rf"{to_latex(descent.expression, descent.written)}",
            rf"&{_latex_gradient(descent)}",
            rf"&{_latex_update(descent)}"]


def render_aligned(descent: Descent) -> str:
    return "$$\\begin{aligned}\n" + "\\\\\n".join(_aligned_rows(descent)) + "\n\\end{aligned}$$"


def render_latex(descent: Descent) -> str:
    lines = ["\\begin{align*}", "\\\\\n".join(_aligned_rows(descent)), "\\end{align*}",
             f"\\noindent Stop when {latex_text(criterion_text(descent))}", "",
             "\\begin{tabular}{rllrrr}",
             r"$k$ & $w$ & $\nabla f(w)$ & $\|\nabla f\|$ & $f(w)$ & $\|\Delta w\|$ \\ \hline"]
    for row in shown_rows(descent):
        cells = _cells(row) if row else [r"\dots"] + [""] * 5
        lines.append(" & ".join(latex_text(c) if c != r"\dots" else c for c in cells) + r" \\")
    lines += ["\\end{tabular}", "", f"\\noindent {latex_text(outcome_text(descent))}"]
    lines += [f"\\noindent Warning: {latex_text(w)}" for w in descent.warnings]
    return "\n".join(lines) + "\n"


def render_markdown(descent: Descent) -> str:

    lines = [f"**Minimise** $f({', '.join(to_latex(v) for v in descent.variables)}) = "
             f"{to_latex(descent.expression, descent.written)}$", "",
             f"**Gradient** ${_latex_gradient(descent)}$", "",
             f"**Update** ${_latex_update(descent)}$", "",
             f"**Stop when** {markdown_text(criterion_text(descent))}", ""]
    if stable_text(descent):
        lines += [f"**Stable η** {markdown_text(stable_text(descent))}", ""]
    lines += ["| " + " | ".join(markdown_text(h) for h in _header(descent)) + " |",
              "|" + "---:|" * 6]
    for row in shown_rows(descent):
        lines.append("| " + " | ".join(_cells(row) if row else ["…"] + [""] * 5) + " |")
    if omitted(descent):
        lines += ["", f"*{omitted(descent)} rows not shown; --format csv or json gives the whole trace*"]
    lines += ["", f"**Result** {markdown_text(outcome_text(descent))}"]
    lines += ["", *[f"**Warning** {markdown_text(w)}" for w in descent.warnings]] if descent.warnings else []
    return "\n".join(lines) + "\n"


# --- JSON and CSV -------------------------------------------------------------------------------


def _json_number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def as_dict(descent: Descent) -> dict:
    """The documented dict (see README); floats in full, non-finite ones as null."""
    return {
        "expression": to_ascii(descent.expression),
        "variables": [to_ascii(v) for v in descent.variables],
        "gradient": [to_ascii(g) for g in descent.gradient],
        "learning_rate": descent.learning_rate,
        "momentum": descent.momentum,
        "tolerance": descent.tolerance,
        "max_steps": descent.max_steps,
        "trace": [
            {"k": row.k,
             "point": [_json_number(c) for c in row.point],
             "gradient": [_json_number(g) for g in row.gradient],
             "f": _json_number(row.f),
             "step": _json_number(row.step)}
            for row in descent.trace
        ],
        "converged": descent.converged,
        "reason": descent.reason,
        "warnings": list(descent.warnings),
        "stable_learning_rate": descent.stable_learning_rate,
    }


def render_csv(descent: Descent) -> str:
    """The whole trace, one row per iteration: k, the point, the gradient, f, the step."""
    variables = [to_ascii(v) for v in descent.variables]
    header = ["k", *variables, *(f"df/d{v}" for v in variables), "f", "step"]
    rows = ([row.k, *map(repr, row.point), *map(repr, row.gradient), repr(row.f),
             "" if row.step is None else repr(row.step)] for row in descent.trace)
    return csv_table(header, rows)
