"""`calcgrad serve`: the derivative, gradient, descent, network, checking and grading pages in a
browser, and the JSON API, served locally (needs the extra: pip install "calcgrad[web]")."""

from __future__ import annotations

import sys

import click

from calcgrad.errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Hosts only this computer can reach; any other host is announced with a warning."""


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets a classroom's network reach it (a warning is printed).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the derivative page in the browser.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, open_browser: bool) -> None:
    """Serve the pages and the JSON API (POST /api/diff, /api/grad, …) on HOST:PORT.

    \b
    Examples:
      calcgrad serve                       (http://127.0.0.1:8000)
      calcgrad serve --port 8080 --open
      calcgrad --timeout 20 serve --host 0.0.0.0     (a classroom: every student's browser)

    Every request runs under the same time limit (`calcgrad --timeout`) and memory limit
    (`calcgrad --memory`) as a command; it works offline, every asset is served by calcgrad.
    """
    run_server(host, port, open_browser, (ctx.find_root().obj or {}).get("timeout"))


def run_server(host: str, port: int, open_browser: bool, seconds: float | None) -> None:
    """Start uvicorn with the application; stop with Ctrl+C.

    Not under a command's time budget (report_errors) as the other commands are: the server
    runs until stopped, and `seconds` (calcgrad --timeout) bounds each request instead."""
    try:
        # lazy: start-up speed (the web stack loads only for this command; it is an optional extra)
        import uvicorn

        # lazy: start-up speed (as uvicorn: Starlette, Jinja2 and SymPy load only when serving)
        from calcgrad.web.app import create_app
    except ImportError as error:
        click.echo(f"calcgrad: calcgrad serve needs the web extra ({error.name} is missing): "
                   'pip install "calcgrad[web]"', err=True)
        sys.exit(UsageError.exit_code)
    if host not in LOOPBACK:
        click.echo(f"calcgrad: warning: serving on {host}: anyone who can reach this computer on "
                   f"port {port} can use calcgrad here (use the default 127.0.0.1 to keep it to "
                   "this computer)", err=True)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    click.echo(f"calcgrad: serving on {url} (Ctrl+C stops)", err=True)
    if open_browser:
        # lazy: start-up speed (loaded only when --open is given)
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(seconds), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=5)
