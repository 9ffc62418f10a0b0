"""JSON: the stable contract; every math field is text that calcgrad.parse reads back."""

from __future__ import annotations

from calcgrad.engine.derivation import Derivation
from calcgrad.render.notation import to_ascii, to_latex, to_text
from calcgrad.render.common import explanation_parts, failed_checks, verified
from calcgrad.engine.steps import DiffStep, EvaluateStep, Step


def derivation_dict(derivation: Derivation, ascii=to_ascii, latex=to_latex, text=to_text) -> dict:
    """The documented dict: expression, variables, result, result_latex, steps (and value),
    verified (every step's check passed: true, one failed: false, not checked: null) and
    failed_checks (the numbers of failed steps). Always the whole step tree. The printers can be swapped for memoised ones when many derivations share terms."""
    data = {
        "expression": to_ascii(derivation.expression, derivation.written),
        "interpreted_as": to_text(derivation.expression, derivation.written),
        "warnings": list(derivation.warnings),
        "variables": [ascii(v) for v in derivation.variables],
        "result": ascii(derivation.result),
        "result_latex": latex(derivation.result),
        "steps": [step_dict(step, ascii, text, derivation.written) for step in derivation.steps],
        "verified": verified(derivation),
        "failed_checks": failed_checks(derivation),
    }
    if derivation.value is not None:
        data["point"] = {to_ascii(s): to_ascii(v) for s, v in derivation.point}
        step = derivation.steps[-1]
        data["value"] = to_ascii(derivation.value) if step.exists else None
        data["value_latex"] = to_latex(derivation.value) if step.exists else None
        data["value_status"] = status_dict(step.status)
    return data


def status_dict(status) -> dict:
    """Whether the value exists: a code for programs, a sentence for people, one-sided values."""
    data = {"code": status.code, "exists": status.exists, "message": status.message}
    if status.left is not None:
        data["left"] = to_ascii(status.left)
        data["right"] = to_ascii(status.right)
    return data


def step_dict(step: Step, ascii=to_ascii, text=to_text, written: tuple = ()) -> dict:
    """One step and its substeps; the printers as in derivation_dict; `written` (the input's
    typed order) prints the input as typed."""
    shown = (lambda expr: to_ascii(expr, written)) if written else ascii
    data = {
        "rule": step.rule,
        "title": step.title,
        "expression": shown(step.expression),
        "result": shown(step.result),
        "explanation": explanation_parts(step.explanation, str, text),
        "verified": step.verified,
    }
    if isinstance(step, DiffStep):
        data["variable"] = ascii(step.variable)
    if isinstance(step, EvaluateStep):
        data["point"] = {ascii(s): ascii(v) for s, v in step.point}
        data["status"] = status_dict(step.status)
        if not step.exists:
            data["result"] = None
    data["substeps"] = [step_dict(sub, ascii, text, written) for sub in step.substeps]
    return data


def render_json(derivation: Derivation) -> str:
    """The JSON text, as every result type writes it (calcgrad.render.protocol)."""
    return derivation.render("json")
