"""Renderers for a derivative from first principles: plain, Rich, LaTeX, Markdown and JSON.

The steps hold unevaluated SymPy forms ((x + h)² − x²)/h, printed with order="none" so that
each reads in the order it was written.
"""

from __future__ import annotations

from sympy import Basic

from calcgrad.calculus.first_principles import ROUTES, FirstPrinciples, LimitStep
from calcgrad.render.notation import AsciiPrinter, NotesLatexPrinter, TextPrinter, to_ascii, to_latex, to_text
from calcgrad.render.common import explanation_parts
from calcgrad.render.escape import latex_text, markdown_text
from calcgrad.render.json import status_dict
from calcgrad.render.plain import approximation
from calcgrad.render.protocol import current_detail

_NONE = {"order": "none"}


def shown_text(expr: Basic) -> str:
    return TextPrinter(_NONE).doprint(expr)


def shown_latex(expr: Basic) -> str:
    return NotesLatexPrinter(_NONE).doprint(expr)


def shown_ascii(expr: Basic) -> str:
    return AsciiPrinter(_NONE).doprint(expr)


def derivative_name(fp: FirstPrinciples) -> str:
    """f′(x), or ∂f/∂x when other variables are held constant."""
    x = to_text(fp.variable)
    return f"∂f/∂{x}" if fp.partial else f"f′({x})"


def definition_text(fp: FirstPrinciples) -> str:
    x, h = to_text(fp.variable), to_text(fp.increment)
    return (f"{derivative_name(fp)} = lim_{{{h}→0}} (f({x} + {h}) − f({x}))/{h}, "
            f"with f({x}) = {to_text(fp.expression, fp.written)}")


def held_text(fp: FirstPrinciples) -> str:
    others = sorted(fp.expression.free_symbols - {fp.variable}, key=lambda s: s.name)
    return ", ".join(to_text(s) for s in others)


def heading(fp: FirstPrinciples) -> str:
    d = "∂" if fp.partial else "d"
    text = f"{d}/{d}{to_text(fp.variable)} ({to_text(fp.expression, fp.written)}) from first principles"
    if fp.partial:
        text += f", holding {held_text(fp)} constant"
    return text


def form_text(fp: FirstPrinciples, step: LimitStep, form) -> str:
    h = to_text(fp.increment)
    body = shown_text(form)
    return f"lim_{{{h}→0}} {_bracketed(form, body)}" if step.under_limit else body


def _bracketed(form, body: str) -> str:
    return f"({body})" if form.is_Add else body


def explained() -> bool:
    """Whether each step's explanation is written: not at detail brief (one line per form)."""
    return current_detail() != "brief"


def explanation_text(step: LimitStep) -> str:
    return explanation_parts(step.explanation, str, shown_text)


def result_text(fp: FirstPrinciples) -> str:
    if fp.result is None:
        return "no first-principles result (see the note above)"
    return f"{derivative_name(fp)} = {to_text(fp.result)}"


def check_text(fp: FirstPrinciples) -> str:
    rules = to_text(fp.rules.result)
    if fp.result is None:
        return f"the rules (calcgrad diff) give {rules}"
    if fp.agrees:
        return f"the rules (calcgrad diff) give {rules}: the same ✓"
    return f"the rules (calcgrad diff) give {rules}, which does NOT agree with the limit above"


def point_text(fp: FirstPrinciples) -> str:
    return ", ".join(f"{to_text(s)} = {to_text(v)}" for s, v in fp.point)


def value_text(fp: FirstPrinciples) -> str:
    a = to_text(dict(fp.point)[fp.variable])
    name = f"∂f/∂{to_text(fp.variable)}" if fp.partial else f"f′({a})"
    if not fp.value_status.exists:
        return f"at {point_text(fp)}: {name} does not exist: {fp.value_status.message}"
    text = f"at {point_text(fp)}: {name} = {to_text(fp.value)}"
    approx = approximation(fp.value)
    return text + (f" ≈ {approx}" if approx else "")


def table_caption(fp: FirstPrinciples) -> str:
    x, a = to_text(fp.variable), to_text(dict(fp.point)[fp.variable])
    if fp.value_status.code == "outside_domain":
        return (f"Difference quotients (f({a} + h) − f({a}))/h need f({a}), and f is not "
                f"defined at {x} = {a}: there are none to take.")
    if not fp.value_status.exists:
        return (f"Difference quotients (f({a} + h) − f({a}))/h: the average slope of f between "
                f"{x} = {a} and {x} = {a} + h. Here they do not settle on one slope as h → 0 "
                f"from both sides: there is no tangent at {x} = {a}.")
    return (f"Difference quotients (f({a} + h) − f({a}))/h: the average slope of f between "
            f"{x} = {a} and {x} = {a} + h (a secant). As h → 0 they approach the slope at "
            f"{x} = {a} itself (the tangent), {to_text(fp.value)}.")


def number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.12g}"


def h_text(h) -> str:
    return f"{float(h):g}"


# --- plain ---------------------------------------------------------------------------------------


def render_plain(fp: FirstPrinciples) -> str:
    lines = [f"Interpreted as: {to_text(fp.expression, fp.written)}", heading(fp), "",
             f"Definition: {definition_text(fp)}", f"Route: {ROUTES[fp.route]}", ""]
    for i, step in enumerate(fp.steps, start=1):
        lines.append(f"{i}. {step.title}")
        for form in step.forms:
            lines.append(f"   = {form_text(fp, step, form)}")
        for limit in step.standard_limits:
            lines.append(f"   standard limit: {limit.name} as {to_text(fp.increment)} → 0")
        if explained():
            lines.append(f"   {explanation_text(step)}")
    lines += ["", f"Result: {result_text(fp)}", f"Check: {check_text(fp)}"]
    if fp.note and fp.result is not None:
        lines.append(f"Note: {fp.note}")
    if fp.point:
        lines += [f"Value: {value_text(fp)}", "", table_caption(fp), ""]
        if fp.table:  # none where f is undefined at the point
            lines.append(f"{'h':>10}  {'(f(a + h) − f(a))/h':>22}  {'difference from f′(a)':>22}")
        for row in fp.table:
            lines.append(f"{h_text(row.h):>10}  {number(row.quotient):>22}  {number(row.error):>22}")
    return "\n".join(lines) + "\n"


# --- rich ----------------------------------------------------------------------------------------


def rich_renderable(fp: FirstPrinciples):
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts = [Text.assemble(("Interpreted as ", "dim"), (to_text(fp.expression, fp.written), "bold")),
             Text(heading(fp), style="bold cyan"),
             Text.assemble(("Definition  ", "bold"), definition_text(fp)),
             Text.assemble(("Route       ", "bold"), (ROUTES[fp.route], "italic"))]
    for i, step in enumerate(fp.steps, start=1):
        label = Text.assemble((f"{i}. ", "dim"), (step.title, "bold magenta"))
        for form in step.forms:
            label.append(f"\n   = {form_text(fp, step, form)}")
        for limit in step.standard_limits:
            label.append(f"\n   standard limit: {limit.name}", style="yellow")
        if explained():
            label.append(f"\n   {explanation_text(step)}", style="green")
        parts.append(label)
    parts.append(Text.assemble(("Result  ", "bold"), (result_text(fp), "bold green")))
    parts.append(Text.assemble(("Check   ", "bold"), check_text(fp)))
    if fp.note and fp.result is not None:
        parts.append(Text.assemble(("Note    ", "bold red"), fp.note))
    if fp.point:
        parts.append(Text.assemble(("Value   ", "bold"), (value_text(fp), "bold green")))
        table = Table(title=table_caption(fp), title_justify="left")
        table.add_column("h", justify="right")
        table.add_column("(f(a + h) − f(a))/h", justify="right")
        table.add_column("difference from f′(a)", justify="right")
        for row in fp.table:
            table.add_row(h_text(row.h), number(row.quotient), number(row.error))
        from calcgrad.render.fit import fitted  # lazy: start-up speed (Rich loads only for the terminal)

        parts.append(fitted(table) if fp.table else Text(table_caption(fp)))
    return Group(*parts)


# --- LaTeX and Markdown --------------------------------------------------------------------------


def _latex_name(fp: FirstPrinciples) -> str:
    x = to_latex(fp.variable)
    return rf"\frac{{\partial f}}{{\partial {x}}}" if fp.partial else f"f'({x})"


def _latex_definition(fp: FirstPrinciples) -> str:
    x, h = to_latex(fp.variable), to_latex(fp.increment)
    return rf"\lim_{{{h} \to 0}} \frac{{f({x} + {h}) - f({x})}}{{{h}}}"


def _latex_form(fp: FirstPrinciples, step: LimitStep, form) -> str:
    body = shown_latex(form)
    if not step.under_limit:
        return body
    if form.is_Add:
        body = rf"\left({body}\right)"
    return rf"\lim_{{{to_latex(fp.increment)} \to 0}} {body}"


def _latex_explanation(step: LimitStep) -> str:
    return explanation_parts(step.explanation, latex_text, lambda e: f"${shown_latex(e)}$")


def _rows(fp: FirstPrinciples) -> list[str]:
    x = to_latex(fp.variable)
    rows = [rf"{_latex_name(fp)} &= {_latex_definition(fp)} && \text{{definition, with }} "
            rf"f({x}) = {to_latex(fp.expression, fp.written)}"]
    for i, step in enumerate(fp.steps, start=1):
        for j, form in enumerate(step.forms):
            note = rf"\text{{{i}. {latex_text(step.title)}}}" if j == 0 else ""
            rows.append(rf"&= {_latex_form(fp, step, form)} && {note}")
        for limit in step.standard_limits:
            rows.append(rf"&&& \text{{standard limit: }} "
                        rf"\lim_{{{to_latex(fp.increment)} \to 0}} {to_latex(limit.expression)} = "
                        rf"{to_latex(limit.value)}")
    return rows


def render_latex(fp: FirstPrinciples) -> str:
    lines = ["\\begin{align*}", "\\\\\n".join(_rows(fp)), "\\end{align*}"]
    lines.append(f"% Check: {latex_text(check_text(fp))}")
    if fp.point and fp.table:
        lines += ["\\begin{tabular}{rrr}", r"$h$ & $\frac{f(a+h)-f(a)}{h}$ & difference from $f'(a)$ \\ \hline"]
        lines += [f"{h_text(r.h)} & {number(r.quotient)} & {number(r.error)} \\\\" for r in fp.table]
        lines.append("\\end{tabular}")
    return "\n".join(lines) + "\n"


def render_aligned(fp: FirstPrinciples) -> str:
    return "$$\\begin{aligned}\n" + "\\\\\n".join(_rows(fp)) + "\n\\end{aligned}$$"


def render_markdown(fp: FirstPrinciples) -> str:

    x = to_latex(fp.variable)
    lines = [f"**Interpreted as** ${to_latex(fp.expression, fp.written)}$", "",
             f"**From first principles** ${_latex_name(fp)} = {_latex_definition(fp)}$ with "
             f"$f({x}) = {to_latex(fp.expression, fp.written)}$", "", f"*Route:* {markdown_text(ROUTES[fp.route])}", ""]
    for i, step in enumerate(fp.steps, start=1):
        forms = " ".join(f"$= {_latex_form(fp, step, form)}$" for form in step.forms)
        lines.append(f"{i}. **{markdown_text(step.title)}** {forms}  ")
        for limit in step.standard_limits:
            lines.append(f"   standard limit: $\\lim_{{{to_latex(fp.increment)} \\to 0}} "
                         f"{to_latex(limit.expression)} = {to_latex(limit.value)}$  ")
        if explained():
            lines.append(f"   {explanation_parts(step.explanation, markdown_text, lambda e: f'${shown_latex(e)}$')}")
    result = (f"${_latex_name(fp)} = {to_latex(fp.result)}$" if fp.result is not None
              else "no first-principles result")
    lines += ["", f"**Result** {result}", "", f"**Check** {markdown_text(check_text(fp))}"]
    if fp.point:
        lines += ["", f"**Value** {markdown_text(value_text(fp))}", "", markdown_text(table_caption(fp))]
        if fp.table:
            lines += ["", "| h | (f(a + h) − f(a))/h | difference from f′(a) |", "|---:|---:|---:|"]
        lines += [f"| {h_text(r.h)} | {number(r.quotient)} | {number(r.error)} |" for r in fp.table]
    return "\n".join(lines) + "\n"


# --- JSON ----------------------------------------------------------------------------------------


def as_dict(fp: FirstPrinciples) -> dict:
    """The documented dict (see README): every math field reads back through calcgrad.parse."""
    data = {
        "expression": to_ascii(fp.expression),
        "interpreted_as": to_text(fp.expression, fp.written),
        "variable": to_ascii(fp.variable),
        "increment": to_ascii(fp.increment),
        "route": fp.route,
        "steps": [
            {
                "rule": step.rule,
                "title": step.title,
                "forms": [shown_ascii(form) for form in step.forms],
                "under_limit": step.under_limit,
                "explanation": explanation_parts(step.explanation, str, shown_text),
                "standard_limits": [{"name": s.name, "expression": to_ascii(s.expression),
                                     "value": to_ascii(s.value)} for s in step.standard_limits],
            }
            for step in fp.steps
        ],
        "result": None if fp.result is None else to_ascii(fp.result),
        "result_latex": None if fp.result is None else to_latex(fp.result),
        "rules_result": to_ascii(fp.rules.result),
        "agrees_with_rules": fp.agrees,
        "note": fp.note,
    }
    if fp.point:
        data["point"] = {to_ascii(s): to_ascii(v) for s, v in fp.point}
        data["value"] = to_ascii(fp.value) if fp.value_status.exists else None
        data["value_status"] = status_dict(fp.value_status)
        data["table"] = [{"h": to_ascii(r.h), "quotient": r.quotient, "error": r.error}
                         for r in fp.table]
    return data
