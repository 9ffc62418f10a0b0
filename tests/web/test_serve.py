"""`calcgrad serve`: its options, the warning for a network-wide host, the message without the
extra, and a CLI start-up that loads none of the web stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from calcgrad.cli import main


@pytest.fixture()
def started(monkeypatch) -> list[dict]:
    """Record uvicorn.run's arguments instead of serving."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    return calls


def test_serves_on_loopback_by_default(started: list[dict]) -> None:
    """The default is 127.0.0.1:8000, announced on stderr, with no warning."""
    result = CliRunner().invoke(main, ["serve"])
    assert 0 == result.exit_code, result.output
    assert [("127.0.0.1", 8000)] == [(call["host"], call["port"]) for call in started]
    assert "calcgrad: serving on http://127.0.0.1:8000/ (Ctrl+C stops)\n" == result.stderr


def test_network_wide_host_prints_a_warning(started: list[dict]) -> None:
    """--host 0.0.0.0 (a classroom) warns that anyone who can reach the computer can use it."""
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert 0 == result.exit_code, result.output
    assert ("calcgrad: warning: serving on 0.0.0.0: anyone who can reach this computer on port "
            "8080 can use calcgrad here (use the default 127.0.0.1 to keep it to this computer)"
            == result.stderr.splitlines()[0])
    assert [("0.0.0.0", 8080)] == [(call["host"], call["port"]) for call in started]


def test_bad_port_is_a_usage_error() -> None:
    """A port out of range is refused by click, exit 2."""
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert 2 == result.exit_code
    assert "Invalid value for '--port': 70000 is not in the range 0<=x<=65535." in result.stderr


def test_without_the_extra_says_how_to_install_it(monkeypatch) -> None:
    """Without uvicorn the command names the extra to install, exit 2, no traceback."""
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(main, ["serve"])
    assert 2 == result.exit_code
    assert ('calcgrad: calcgrad serve needs the web extra (uvicorn is missing): '
            'pip install "calcgrad[web]"\n') == result.stderr


def test_server_outlives_the_command_time_budget() -> None:
    """`calcgrad --timeout 1 serve` still answers after 1 s: the budget bounds each request,
    not the server."""
    import http.client
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "calcgrad", "--timeout", "1", "serve",
                               "--port", str(port)], stderr=subprocess.PIPE)
    started = time.monotonic()
    try:
        while True:  # until it listens (importing the web stack takes a moment under load)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() - started < 60, "the server did not start"
                time.sleep(0.1)
        time.sleep(max(0.0, 2.0 - (time.monotonic() - started)))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/api/diff", body=b'{"expression": "x^3"}')
        response = connection.getresponse()
        assert 200 == response.status
        assert "3*x**2" == json.loads(response.read())["result"]
    finally:
        server.terminate()
        server.wait(10)


def test_cli_start_up_loads_no_web_stack() -> None:
    """`calcgrad --help` (which lists serve) and `calcgrad diff` import no web module."""
    code = ("import sys; from calcgrad.cli import main\n"
            "for args in (['--help'], ['diff', 'x^2']):\n"
            "    try: main(args)\n"
            "    except SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('starlette', 'uvicorn', 'jinja2', 'anyio', 'multipart') or m.startswith('calcgrad.web')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == output.stdout.strip().splitlines()[-1]
