"""A web request → the same API call, with the same options, that the matching CLI command makes.

The request body is a JSON object whose keys are the command's argument and option names
(`{"expression": "x^2 + 3xy", "wrt": ["x"], "order": 1, "at": "x=3"}`). It is turned into the
command's own argument list and parsed by the command's own click parameters, so the web and
the CLI share option names, types, defaults and error messages; `compute` then makes the API
call the command's body makes. Every call runs under a deadline (calcgrad.deadline), like the
CLI's.

Nothing here reads a file by a path the client gives: file options (--plot, --out, --graph,
--solution FILE, a spec path) are not accepted; their content comes in the body instead
("solution": text, "spec": an object, "submissions"/"key"/"roster": text).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from calcgrad import limits
from calcgrad.cli import COMMANDS
from calcgrad.deadline import DeadlineExceeded, deadline
from calcgrad.errors import CalcgradError, LimitError, ParseError, UsageError
from calcgrad.render.protocol import Rendered

WEB_COMMANDS = ("diff", "grad", "jacobian", "hessian", "descend", "check", "grade", "network",
                "first-principles", "practice")
"""The commands served under POST /api/<command> (plot draws files, so it is a page feature)."""

NOT_FROM_THE_WEB = {"output_format", "plot_out", "graph_out", "out_path", "gradebook_path",
                    "roster_path", "solution_file", "spec", "submissions", "key_path", "jobs",
                    "scheduler", "progress", "seconds"}
"""Click parameters a web request cannot set: output files, paths the server would read,
and where and how the server works (worker processes, a Dask cluster's address). Any other
parameter whose type is a path is left out as well."""

BODY_KEYS = {"check": ("solution",), "network": ("spec",),
             "grade": ("submissions", "key", "roster")}
"""Keys that carry content instead of a path: handled here, not by the command's options."""


class RequestError(CalcgradError, ValueError):
    """A request body that is not an object of the command's options."""

    exit_code = 2


@dataclass(frozen=True)
class WebError:
    """What a failed request answers: the HTTP status and the JSON body."""

    status: int
    body: dict


def command(name: str) -> click.Command:
    """The click command `calcgrad <name>` (its module is imported on first use)."""
    if name not in WEB_COMMANDS:
        raise RequestError(f"unknown command {name!r}; expected one of {', '.join(WEB_COMMANDS)}")
    return getattr(import_module(COMMANDS[name]), name.replace("-", "_"))


def _web_parameters(cmd: click.Command) -> dict[str, click.Parameter]:
    """Body key → the click parameter it sets: an option's long names (with - or _) and the
    parameter's own name; hidden (deprecated) spellings and file options are left out."""
    keys: dict[str, click.Parameter] = {}
    for param in cmd.params:
        if (param.name in NOT_FROM_THE_WEB or param.name.startswith("renamed_")  # old spellings
                or isinstance(param.type, click.Path)  # no file named by the client
                or getattr(param, "hidden", False) or not param.expose_value):
            continue
        names = {param.name}
        for opt in param.opts:
            if opt.startswith("--"):
                names |= {opt[2:], opt[2:].replace("-", "_")}
        for key in names:
            keys[key] = param
    return keys


def accepted_keys(name: str) -> list[str]:
    """The body keys a command accepts, for the API's own documentation (GET /api)."""
    cmd = command(name)
    keys = {param.name: (param.opts[-1].lstrip("-").replace("-", "_")
                         if isinstance(param, click.Option) else param.name)
            for param in _web_parameters(cmd).values()}
    return sorted(set(keys.values()) | set(BODY_KEYS.get(name, ())))


def arguments(name: str, body: Any) -> list[str]:
    """The body as the command's argument list: options first, then "--" and the arguments."""
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object of the command's options, "
                           'e.g. {"expression": "x^2", "wrt": ["x"]}')
    cmd = command(name)
    parameters = _web_parameters(cmd)
    options: list[str] = []
    positional: list[str] = []
    for key, value in body.items():
        if key in BODY_KEYS.get(name, ()):
            continue
        param = parameters.get(key)
        if param is None:
            known = ", ".join(accepted_keys(name))
            raise RequestError(f"{name}: unknown key {key!r}; expected one of {known}")
        values = value if isinstance(value, list) else [value]
        if value is False and isinstance(param, click.Option) and param.is_flag and param.secondary_opts:
            options.append(param.secondary_opts[-1])  # "verify": false is --no-verify
            continue
        if value is None or value is False:
            continue
        for item in values:
            if isinstance(item, (dict, list)) or item is None:
                raise RequestError(f"{key}: expected text, a number or a list of them, "
                                   f"got {json.dumps(item)[:60]}")
        if isinstance(param, click.Argument):
            positional += [str(item) for item in values]
        elif param.is_flag:
            if value is not True:
                raise RequestError(f"{key}: expected true or false, got {json.dumps(value)[:60]}")
            options.append(param.opts[-1])
        else:
            if len(values) > 1 and not param.multiple:
                raise RequestError(f"{key}: expected one value, got a list of {len(values)}")
            for item in values:
                text = json.dumps(item) if isinstance(item, bool) else str(item)
                options += [param.opts[-1], text]
    return options + (["--", *positional] if positional else [])


def parameters(name: str, body: Any) -> dict[str, Any]:
    """The command's parameters, converted and checked by its own click options."""
    cmd = command(name)
    if name == "grade":  # its files are required arguments on the command line: only --keep is parsed
        return _grade_parameters(cmd, body)
    try:
        context = cmd.make_context(f"calcgrad {name}", arguments(name, body))
    except click.exceptions.Exit:  # --help and the like: not a request
        raise RequestError(f"{name}: give the command's options as keys of a JSON object") from None
    except click.ClickException as error:
        raise RequestError(error.format_message()) from None
    params = dict(context.params)
    for key in BODY_KEYS.get(name, ()):
        params[key] = body.get(key)
    return params


def _grade_parameters(cmd: click.Command, body: Any) -> dict[str, Any]:
    """grade's content keys (submissions, key, roster: text) and its --keep, checked by click."""
    arguments("grade", body)  # the same checks of the body's keys and values
    keep = next(param for param in cmd.params if param.name == "keep")
    try:
        chosen = keep.type.convert(body.get("keep") or "last", keep, None)
    except click.ClickException as error:
        raise RequestError(error.format_message()) from None
    return {"keep": chosen, **{key: body.get(key) for key in BODY_KEYS["grade"]}}


def _text(value: Any, what: str) -> str:
    """A required text field of the request."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UsageError(f"give the {what}")
    if not isinstance(value, str):
        raise RequestError(f"{what}: expected text, got {json.dumps(value)[:60]}")
    return value


def _verify(p: dict) -> dict:
    """verify=… for the step commands whose CLI has --verify/--no-verify (the per-step checks,
    calcgrad.engine.verify); nothing where the command has no such option."""
    return {"verify": p["verify"]} if "verify" in p else {}


def _diff(p: dict) -> Rendered:
    # lazy: start-up speed (SymPy loads on first request)
    from calcgrad.engine.derive import diff

    return diff(_text(p["expression"], "expression"), wrt=p["wrt"], order=p["order"], at=p["at"],
                variables=p["variables"], **_verify(p))


def _grad(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.multivar import gradient

    return gradient(_text(p["expression"], "expression"), wrt=p["wrt"] or None, at=p["at"],
                    direction=p["direction"], variables=p["variables"], steps=p["show_steps"],
                    **_verify(p))


def _jacobian(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.multivar import jacobian

    functions = list(p["functions"])
    if not functions:
        raise UsageError("give the functions, e.g. [\"x^2 y\", \"5x + sin y\"] or \"x^2 y; 5x + sin y\"")
    return jacobian(functions, wrt=p["wrt"] or None, at=p["at"], entry=p["entry"],
                    variables=p["variables"], **_verify(p))


def _hessian(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.multivar import hessian

    return hessian(_text(p["expression"], "expression"), wrt=p["wrt"] or None, at=p["at"],
                   entry=p["entry"], variables=p["variables"], **_verify(p))


def _descend(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.descent import descend

    iterations = 50 if p["iterations"] is None else p["iterations"]
    return descend(_text(p["expression"], "expression"), p["start"], p["lr"],
                   iterations=iterations, tol=p["tol"], momentum=p["momentum"],
                   variables=p["variables"])


def _check(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.grading.checking import check_steps, check_typed

    if p["solution"] is not None:
        if p["at"] is not None or p["tolerance"] is not None:
            raise UsageError("at checks one value; it does not combine with a solution")
        if p["answer"] is not None:
            raise UsageError("give either an answer or a solution, not both")
        if p["grad"]:
            raise UsageError("a solution checks one derivative; it does not combine with grad")
        solution = _text(p["solution"], "solution")
        if len(solution.encode()) > limits.MAX_SPEC_BYTES:
            raise LimitError(f"the solution is larger than {limits.MAX_SPEC_BYTES:,} bytes")
        return check_steps(solution, of=p["expression"], wrt=p["wrt"], order=p["order"],
                           variables=p["variables"])
    return check_typed(_text(p["answer"], "answer"), of=p["expression"], wrt=p["wrt"],
                       order=p["order"], grad=p["grad"], at=p["at"], tolerance=p["tolerance"],
                       variables=p["variables"])


def _grade(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.grading.batch import grade

    options: dict[str, Any] = {"keep": p["keep"], "jobs": None}
    if p.get("roster") is not None:
        options["roster"] = _text(p["roster"], "roster")
    return grade(_text(p["submissions"], "submissions (CSV text)"), _text(p["key"], "key (TOML text)"),
                 **options)


def _network(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.networks.network import Network

    spec = p["spec"]
    symbolic = p["depth"] is not None or p["widths"] is not None
    if spec is not None:
        if symbolic or p["activation"] or p["loss"] or p["expand"] or p["param"]:
            raise UsageError("a spec sets the architecture itself; layers, widths, activation, "
                             "loss, expand and param are for the symbolic chain without a spec")
        if not isinstance(spec, dict):
            raise RequestError("spec: expected the spec itself, a JSON object (layers, input, "
                               "target, weights, …)")
        return Network.from_spec(spec).walkthrough(epochs=p["epochs"], exact=p["exact"],
                                                   precision=p["precision"])
    if not symbolic:
        raise UsageError("give a spec (a JSON object), or layers N for the symbolic chain, or widths")
    if p["depth"] is not None and p["widths"] is not None:
        raise UsageError("give either layers (one neuron per layer) or widths, not both")
    if p["depth"] is not None and not 1 <= p["depth"] <= limits.MAX_NETWORK_LAYERS:
        raise UsageError(f"layers: expected a whole number from 1 to {limits.MAX_NETWORK_LAYERS}, "
                         f"got {p['depth']}")
    layers = [1] * (p["depth"] + 1) if p["depth"] is not None else p["widths"]
    model = Network(layers, p["activation"] or "sigmoid", p["loss"] or "mse")
    if p["param"] is None and all(n == 1 for n in model.layers):
        return model.chain(expand=p["expand"], **_verify(p))
    if p["expand"]:
        raise UsageError("expand is for the one-neuron-per-layer chain (layers N)")
    return model.matrix_form(p["param"], **_verify(p))


def _first_principles(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.first_principles import first_principles

    return first_principles(_text(p["expression"], "expression"), wrt=p["wrt"] or None, at=p["at"],
                            variables=p["variables"])


def _practice(p: dict) -> Rendered:
    # lazy: start-up speed (as _diff)
    from calcgrad.calculus.practice_sets import practice

    result = practice(p["rules"], count=p["count"], seed=p["seed"], difficulty=p["difficulty"])
    return result.without_answers() if p.get("no_answers") else result


COMPUTE: dict[str, Callable[[dict], Rendered]] = {
    "diff": _diff, "grad": _grad, "jacobian": _jacobian, "hessian": _hessian,
    "descend": _descend, "check": _check, "grade": _grade, "network": _network,
    "first-principles": _first_principles, "practice": _practice,
}
"""Command → the API call its CLI body makes, from the converted parameters."""


def compute(name: str, body: Any, seconds: float | None = None) -> Rendered:
    """The result `calcgrad <name>` computes for these options, under the CLI's time budget."""
    if seconds is None:  # the CLI's budgets: a whole class's grading has a batch's
        seconds = limits.BATCH_SECONDS if name == "grade" else limits.COMMAND_SECONDS
    with deadline(seconds, "this request"):
        return COMPUTE[name](parameters(name, body))


def error_answer(error: BaseException) -> WebError:
    """The HTTP answer for a failed request: 400 and the CLI's message for bad input (a parse
    error also gives the column, the caret line and the hint), 500 for a bug in calcgrad."""
    if isinstance(error, ParseError):
        where = "" if "column" in error.message else f" (column {error.column})"
        body = {"error": f"cannot read the input: {error.message}{where}", "column": error.column}
        if error.text:
            body["caret"] = error.caret()
        if error.hint:
            body["hint"] = error.hint
        return WebError(400, body)
    if isinstance(error, (CalcgradError, DeadlineExceeded)):
        return WebError(400, {"error": str(error)})
    if isinstance(error, MemoryError):
        return WebError(400, {"error": "this input needs more memory than the server may use; "
                                       "try a smaller input"})
    if isinstance(error, RecursionError):
        return WebError(400, {"error": "this input is nested too deeply to work through; "
                                       "try a smaller input"})
    # lazy: start-up speed (loaded only when this code runs)
    from calcgrad.errors import as_input_error, raised_by_library

    if isinstance(error, Exception) and raised_by_library(error):
        return WebError(400, {"error": str(as_input_error(error))})
    return WebError(500, {"error": f"internal error ({type(error).__name__}); "
                                   "see the server's log"})


def reading(text: Any, variables: Any = ()) -> dict:
    """How an expression is read, as the derivative page shows it while it is typed:
    {"interpreted_as", "warnings", "mathml"}; ParseError for text that cannot be read."""
    # lazy: start-up speed (the parser and SymPy load on the first request)
    from calcgrad.read.parser import read
    from calcgrad.render.notation import to_text
    from calcgrad.web.mathml import math

    if not isinstance(text, str):
        raise RequestError("expression: expected text")
    if variables is None or isinstance(variables, str):
        variables = [variables or ""]
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise RequestError("var: expected a list of names")
    names = tuple(name.strip() for v in variables for name in v.split(",") if name.strip())
    result = read(text, names)
    return {"interpreted_as": to_text(result.expression, result.written),
            "warnings": list(result.warnings), "mathml": str(math(result.expression))}


def spec_from_upload(filename: str, content: bytes) -> dict:
    """A network spec from an uploaded file, read by the CLI's own loader from a temporary
    folder that is removed at once; only the suffix of the client's file name is used."""
    # lazy: start-up speed (the network code loads on the first request)
    from calcgrad.networks.architecture import load_spec

    suffix = ".toml" if filename.lower().endswith(".toml") else ".json"
    with tempfile.TemporaryDirectory(prefix="calcgrad-upload-") as folder:
        path = Path(folder) / f"spec{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        try:
            return load_spec(path)
        except UsageError as error:  # name the upload, not the temporary path
            raise UsageError(str(error).replace(str(path), f"the uploaded file {filename!r}")) from None
