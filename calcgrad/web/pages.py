"""What each page shows: the request's result, computed by calcgrad.web.requests (the same
calls as the CLI), plus the pieces only a page has: MathML, LaTeX and Markdown to copy, and the
pictures (matplotlib SVG, shown in <img> so nothing in them can run).

Each function takes the form's fields (text, as typed) and returns the template's context; it
runs in a worker thread, under the request's deadline.
"""

from __future__ import annotations

import base64
import io
import threading
from typing import Any
from urllib.parse import quote

from calcgrad.web.requests import compute, error_answer

PICTURE_LOCK = threading.Lock()
"""matplotlib's text layout caches are shared: one picture is drawn at a time."""


def fields(form: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a form, stripped; empty ones left out (the option's default)."""
    found = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()
    return found


def _svg_data_url(figure) -> str:
    """A matplotlib figure as an SVG data: URL for an <img> (no file is written)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def picture(draw, *args, **kwargs) -> dict:
    """{"url": an SVG data URL} or {"note": why there is no picture}: a page still shows its
    result when matplotlib is missing or the function cannot be drawn."""
    try:
        # lazy: start-up speed (matplotlib loads only to draw a picture)
        from calcgrad.pictures import plotting

        plotting.require_matplotlib()
        with PICTURE_LOCK:
            return {"url": _svg_data_url(draw(*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 - a picture is an extra; say why it is missing
        return {"note": f"no picture: {error_answer(error).body['error']}"}


def _result(name: str, body: dict, seconds: float | None) -> tuple[Any, dict | None]:
    """(result, None), or (None, the error body) for input that cannot be worked."""
    try:
        return compute(name, body, seconds), None
    except Exception as error:  # noqa: BLE001 - reported on the page, as the CLI reports it
        return None, error_answer(error).body
    except BaseException as error:  # the deadline (a BaseException on purpose)
        # lazy: start-up speed (loaded only when this code runs)
        from calcgrad.deadline import DeadlineExceeded

        if isinstance(error, DeadlineExceeded):
            return None, error_answer(error).body
        raise


def derivative_page(form: dict[str, str], seconds: float | None = None) -> dict:
    """The derivative page: the derivation, its steps, the value, LaTeX/Markdown, a picture."""
    values = fields(form, ("expression", "wrt", "order", "at", "var", "detail"))
    context: dict[str, Any] = {"form": values}
    if "expression" not in values:
        return context
    result, error = _result("diff", values, seconds)  # also checks the detail level
    context["error"] = error
    if result is None:
        return context
    # lazy: start-up speed (the renderers load on the first request)
    from calcgrad.render.common import fold
    from calcgrad.render.protocol import DEFAULT_DETAIL

    detail = values.get("detail", DEFAULT_DETAIL)
    context.update(result=result, data=result.to_dict(),
                   latex=result.render("latex", detail=detail),
                   markdown=result.render("markdown", detail=detail),
                   fold=lambda step: _shown_and_folded(fold(step, detail)))
    variables = result.expression.free_symbols
    # lazy: start-up speed (pictures and matplotlib load only when a picture is drawn)
    from calcgrad.pictures import plotting

    declared = tuple(name for v in form.get("var", "").split(",") if (name := v.strip()))
    if len(variables) == 1 and len(result.variables) == 1:
        context["picture"] = picture(plotting.plot_tangent, result.expression,
                                     at=values.get("at"), wrt=result.variables[0],
                                     variables=declared)
        context["picture_alt"] = "the function and its tangent line"
    elif len(variables) == 2:
        names = sorted(variables, key=lambda s: s.name)
        context["picture"] = picture(plotting.plot_gradient_field, result.expression,
                                     wrt=names, variables=declared)
        context["picture_alt"] = "contours of the function with its gradient field"
    return context


def _shown_and_folded(pair) -> tuple[list, tuple]:
    """render.common.fold's answer for the step tree: (the sub-steps on lines of their own,
    the sub-steps written on their parent's line)."""
    shown, folded = pair
    return [sub for _, sub in shown], folded


def multivariable_page(form: dict[str, str], seconds: float | None = None) -> dict:
    """Gradient, Jacobian or Hessian (the form's `kind`)."""
    kind = form.get("kind") if form.get("kind") in ("gradient", "jacobian", "hessian") else "gradient"
    values = fields(form, ("expression", "wrt", "at", "direction", "entry", "var"))
    context: dict[str, Any] = {"form": {**values, "kind": kind}, "kind": kind}
    if "expression" not in values:
        return context
    body = dict(values)
    if kind == "gradient":
        body.pop("entry", None)
        body["show_steps"] = True
        name = "grad"
    else:
        body.pop("direction", None)
        name = kind
    if kind == "jacobian":
        body["functions"] = [part for part in body.pop("expression").split(";") if part.strip()]
    result, error = _result(name, body, seconds)
    context["error"] = error
    if result is not None:
        context.update(result=result, data=result.to_dict(), latex=result.render("latex"),
                       markdown=result.render("markdown"), plain=result.render("plain"))
    return context


def descent_page(form: dict[str, str], seconds: float | None = None) -> dict:
    """Gradient descent: the gradient, the trace and the path picture."""
    values = fields(form, ("expression", "start", "lr", "iterations", "momentum", "var"))
    context: dict[str, Any] = {"form": values}
    if "expression" not in values:
        return context
    result, error = _result("descend", values, seconds)
    context["error"] = error
    if result is not None:
        # lazy: start-up speed (pictures and matplotlib load only when a picture is drawn)
        from calcgrad.pictures import plotting

        context.update(result=result, data=result.to_dict(), latex=result.render("latex"),
                       markdown=result.render("markdown"),
                       picture=picture(plotting.plot_descent, result),
                       picture_alt="the descent path on the function")
    return context


def network_page(form: dict[str, str], spec: dict | None = None, upload_error: dict | None = None,
                 seconds: float | None = None) -> dict:
    """The symbolic chain (from the form) or the walkthrough of an uploaded spec."""
    values = fields(form, ("layers", "widths", "activation", "loss", "param", "epochs"))
    context: dict[str, Any] = {"form": values, "error": upload_error}
    if upload_error is not None:
        return context
    if spec is None and not ("layers" in values or "widths" in values):
        return context
    body: dict[str, Any] = {"spec": spec, "epochs": values.get("epochs")} if spec is not None else {
        key: values[key] for key in ("layers", "widths", "activation", "loss", "param") if key in values}
    if form.get("expand") and spec is None:
        body["expand"] = True
    result, error = _result("network", body, seconds)
    context["error"] = error
    if result is not None:
        context.update(result=result, latex=result.render("latex"), markdown=result.render("markdown"),
                       plain=result.render("plain"), walkthrough=spec is not None)
        if spec is not None:
            # lazy: start-up speed (pictures and matplotlib load only when a picture is drawn)
            from calcgrad.pictures.network_graph import plot_network

            context["picture"] = picture(plot_network, result)
            context["picture_alt"] = "the network with its values and gradients"
    return context


def check_page(form: dict[str, str], seconds: float | None = None) -> dict:
    """Check my answer: the verdict, the named mistake and the feedback."""
    values = fields(form, ("answer", "of", "wrt", "order", "var", "solution"))
    context: dict[str, Any] = {"form": {**values, "grad": bool(form.get("grad"))}}
    if not {"of", "answer", "solution"} & set(values):
        return context
    body: dict[str, Any] = dict(values)
    if "of" in body:
        body["expression"] = body.pop("of")
    if form.get("grad"):
        body["grad"] = True
    result, error = _result("check", body, seconds)
    context["error"] = error
    if result is not None:
        context.update(result=result, data=result.to_dict())
    return context


def grade_page(submissions: str | None, key: str | None, roster: str | None, keep: str,
               upload_error: dict | None = None, seconds: float | None = None) -> dict:
    """The grading report, with the report and the gradebook as downloads (data: URLs, so
    nothing is stored on the server)."""
    context: dict[str, Any] = {"form": {"keep": keep}, "error": upload_error}
    if upload_error is not None or submissions is None:
        return context
    body = {"submissions": submissions, "key": key, "roster": roster, "keep": keep}
    result, error = _result("grade", body, seconds)
    context["error"] = error
    if result is not None:
        context.update(result=result, data=result.to_dict(),
                       report_csv="data:text/csv;charset=utf-8," + quote(result.render("csv")),
                       report_json="data:application/json;charset=utf-8," + quote(result.render("json")),
                       gradebook_csv="data:text/csv;charset=utf-8," + quote(result.gradebook()))
    return context
