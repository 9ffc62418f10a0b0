"""The web application behind `calcgrad serve`: pages and a JSON API, a thin layer over the API.

Routes:
  GET  /  /gradient  /descent  /network  /check  /grade      the pages (forms; results below)
  POST /network  /grade                                         the same pages, with an upload
  POST /api/<command>                                           the CLI's JSON for that command
  POST /api/read                                                how an expression is read (as typed)
  GET  /api                                                     the commands and their keys
  GET  /static/…                                                the page's CSS and JavaScript

Safety on a classroom network: request bodies are limited (MAX_BODY_BYTES, uploads
MAX_UPLOAD_BYTES), every computation runs in a worker thread under the CLI's deadline, at most
WORKERS at a time, so a slow request never blocks the event loop or the others; uploads are
read in memory (a network spec goes through a temporary folder that is removed at once).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from calcgrad._version import __version__
from calcgrad.deadline import DeadlineExceeded
from calcgrad.errors import ParseError
from calcgrad.web import mathml, pages
from calcgrad.web.requests import (
    WEB_COMMANDS,
    RequestError,
    accepted_keys,
    compute,
    error_answer,
    reading,
    spec_from_upload,
)

MAX_BODY_BYTES = 200_000
"""Largest JSON body (the parser reads at most limits.MAX_INPUT_CHARS per expression)."""

MAX_UPLOAD_BYTES = 5_000_000
"""Largest upload request (a class's CSV of answers with its key; a network spec)."""

WORKERS = 4
"""Computations running at once; more requests wait their turn (the machine has few cores)."""

PAGES = (("/", "Derivative"), ("/gradient", "Gradient · Jacobian · Hessian"),
         ("/descent", "Gradient descent"), ("/network", "Network"),
         ("/check", "Check my answer"), ("/grade", "Grade a class"))
"""The navigation bar: path → title."""


class BodyLimit:
    """ASGI middleware: refuse a request body over the limit (413) before reading it all."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        limit = MAX_UPLOAD_BYTES if content_type.startswith(b"multipart/") else MAX_BODY_BYTES
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await _too_large(limit)(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _too_large(limit)(scope, receive, send)


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> Response:
    return JSONResponse({"error": f"the request is larger than {limit:,} bytes"}, status_code=413)


def create_app(seconds: float | None = None) -> Starlette:
    """The application; `seconds` is each request's time budget (default: the CLI's)."""
    environment = Environment(loader=PackageLoader("calcgrad.web", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    environment.globals.update(math=mathml.math, vector=mathml.vector,
                               explanation=mathml.explanation, pages=PAGES, version=__version__)
    limiter = anyio.CapacityLimiter(WORKERS)

    async def in_worker(function, *args, **kwargs):
        return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs),
                                              limiter=limiter)

    def page(template: str, context: dict, path: str) -> HTMLResponse:
        html = environment.get_template(template).render(path=path, **context)
        return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                           "X-Content-Type-Options": "nosniff"})

    def form_page(make_context, template: str, path: str):
        """A page whose form is its address (GET): its context made in a worker, then rendered."""
        async def handler(request: Request) -> Response:
            context = await in_worker(make_context, dict(request.query_params), seconds)
            return page(template, context, path)
        return handler

    async def network(request: Request) -> Response:
        if request.method == "GET":
            context = await in_worker(pages.network_page, dict(request.query_params), None, None, seconds)
            return page("network.html", context, "/network")
        form = await request.form(max_files=1, max_fields=20)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("spec")
        spec, upload_error = None, None
        if upload is None or isinstance(upload, str) or not upload.filename:
            upload_error = {"error": "choose a spec file (JSON or TOML) to upload"}
        else:
            try:
                spec = await in_worker(spec_from_upload, upload.filename, await upload.read())
            except Exception as error:  # noqa: BLE001 - shown on the page
                upload_error = error_answer(error).body
        context = await in_worker(pages.network_page, values, spec, upload_error, seconds)
        context["filename"] = None if upload is None or isinstance(upload, str) else upload.filename
        return page("network.html", context, "/network")


    async def grade(request: Request) -> Response:
        if request.method == "GET":
            return page("grade.html", {"form": {"keep": "last"}}, "/grade")
        form = await request.form(max_files=3, max_fields=10)
        texts: dict[str, str | None] = {}
        upload_error = None
        names = {}
        for field in ("submissions", "key", "roster"):
            upload = form.get(field)
            if upload is None or isinstance(upload, str) or not upload.filename:
                texts[field] = None
                continue
            names[field] = upload.filename
            try:
                texts[field] = (await upload.read()).decode("utf-8-sig")
            except UnicodeDecodeError:
                upload_error = {"error": f"{field}: the uploaded file {upload.filename!r} is not UTF-8 text"}
        if upload_error is None and (texts["submissions"] is None or texts["key"] is None):
            upload_error = {"error": "choose both files: the answers (CSV) and the key (TOML)"}
        keep = form.get("keep") if form.get("keep") in ("last", "best", "first") else "last"
        context = await in_worker(pages.grade_page, texts["submissions"], texts["key"],
                                  texts["roster"], keep, upload_error, seconds)
        context["filenames"] = names
        return page("grade.html", context, "/grade")

    async def api(request: Request) -> Response:
        name = request.path_params["command"]
        if name not in WEB_COMMANDS:
            return JSONResponse({"error": f"unknown command {name!r}; expected one of "
                                          f"{', '.join(WEB_COMMANDS)}"}, status_code=404)
        try:
            body = await _json_body(request)
            result = await in_worker(compute, name, body, seconds)
            text = await in_worker(result.render, "json")
        except (Exception, DeadlineExceeded) as error:  # noqa: BLE001 - every failure answers in JSON
            answer = error_answer(error)
            return JSONResponse(answer.body, status_code=answer.status)
        return Response(text, media_type="application/json")

    async def api_read(request: Request) -> Response:
        """How an expression is read while it is typed: an unreadable one is an answer too
        ({"readable": false, "error", "column", "caret", "hint"}), so it is 200; only a
        malformed request is 400."""
        try:
            body = await _json_body(request)
            if not isinstance(body, dict):
                raise RequestError('the request body must be a JSON object: {"expression": …}')
            answer = await in_worker(reading, body.get("expression"), body.get("var"))
        except ParseError as error:
            return JSONResponse({"readable": False, **error_answer(error).body})
        except Exception as error:  # noqa: BLE001 - every failure answers in JSON
            failure = error_answer(error)
            return JSONResponse(failure.body, status_code=failure.status)
        return JSONResponse({"readable": True, **answer})

    async def api_index(request: Request) -> Response:
        commands = await in_worker(lambda: {name: accepted_keys(name) for name in WEB_COMMANDS})
        return JSONResponse({"version": __version__, "commands": commands,
                             "usage": 'POST /api/<command> with a JSON object of its options, e.g. '
                                      '{"expression": "x^2 + 3xy", "wrt": ["x"], "at": "x=3"}'})

    routes = [
        Route("/", form_page(pages.derivative_page, "derivative.html", "/")),
        Route("/gradient", form_page(pages.multivariable_page, "gradient.html", "/gradient")),
        Route("/descent", form_page(pages.descent_page, "descent.html", "/descent")),
        Route("/network", network, methods=["GET", "POST"]),
        Route("/check", form_page(pages.check_page, "check.html", "/check")),
        Route("/grade", grade, methods=["GET", "POST"]),
        Route("/api", api_index),
        Route("/api/read", api_read, methods=["POST"]),
        Route("/api/{command}", api, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("calcgrad.web", "static")]), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(BodyLimit)])


CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
"""Only calcgrad's own files run or style a page: even a missed escape could not run a script."""


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RequestError(f"the request body is not JSON: {error}") from None
    except RecursionError:
        raise RequestError("the request body is nested too deeply") from None

