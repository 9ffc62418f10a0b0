"""Load on `calcgrad serve`: concurrent clients on POST /api/diff, on this machine's loopback only.

Run: python benchmarks/serve_load.py [CLIENTS] [SECONDS]   (default 20 clients for 10 s)

Starts `python -m calcgrad serve` on a free 127.0.0.1 port, warms it up, then:
1. warm latency of the README's `calcgrad diff` examples, one client, each example 5 times
   (target: median < 100 ms);
2. CLIENTS clients, each sending requests back to back for SECONDS, drawing from a mixed corpus:
   the README's examples, every 9th expression of benchmarks/corpus.txt, and unreadable input
   that must answer 400 (target: no errors: every answer 200, or 400 where expected, and no
   failed connection).
It prints the median and 95th-percentile latency of both, and the requests per second. Every
loop is bounded in count and time, and the server is stopped at the end.
"""

from __future__ import annotations

import http.client
import json
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = pathlib.Path(__file__).with_name("corpus.txt")

README_EXAMPLES = [
    {"expression": "x^2 + 3xy + y^2", "wrt": ["x"]},
    {"expression": "y cos xy", "wrt": ["x"], "at": "x=pi/2, y=1"},
    {"expression": "x^3 ln x", "order": 2},
    {"expression": "x^2 y^3", "wrt": ["x", "y"]},
    {"expression": "sigmoid(w x + b)", "wrt": ["w"]},
    {"expression": "loss^2 + 2 loss", "var": ["loss"]},
    {"expression": "x^x"},
    {"expression": "sin x^2", "order": 2, "at": "0"},
    {"expression": "-x^2", "at": "3"},
]
"""The `calcgrad diff` examples of the README and of `calcgrad diff --help`, as API bodies."""

UNREADABLE = [{"expression": "x^2 +* sin x"}, {"expression": "sin(x"}, {"expression": "x^2 y"}]
"""Bad input, answered 400 with a message (the x^2 y one: which variable?)."""

MAX_REQUESTS_PER_CLIENT = 100_000
"""A bound on each client's loop besides the time."""


def corpus() -> list[dict]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [{"expression": line} for line in lines if line and not line.startswith("#")][::9]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "calcgrad", "serve", "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: {server.stderr.read().decode()}")
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, body: dict) -> tuple[int, float]:
        data = json.dumps(body).encode()
        started = time.perf_counter()
        self.connection.request("POST", "/api/diff", body=data,
                                headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    mixed = README_EXAMPLES + corpus() + UNREADABLE
    expect_400 = {json.dumps(body, sort_keys=True) for body in UNREADABLE}
    port = free_port()
    server = start_server(port)
    try:
        warm = Client(port)
        for body in mixed:  # warm-up: SymPy's caches, the printers, the threads
            warm.post(body)
        readme = [warm.post(body)[1] for _ in range(5) for body in README_EXAMPLES]
        print(f"README examples, one client, warm: median {statistics.median(readme) * 1000:.1f} ms, "
              f"p95 {percentile(readme, 0.95) * 1000:.1f} ms over {len(readme)} requests "
              f"(target: median < 100 ms)")

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def run(offset: int) -> None:
            client = Client(port)
            for n in range(MAX_REQUESTS_PER_CLIENT):
                if time.monotonic() >= stop:
                    break
                body = mixed[(offset * 7 + n) % len(mixed)]
                try:
                    status, elapsed = client.post(body)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        errors.append(f"{body['expression']}: {type(error).__name__}: {error}")
                    client = Client(port)
                    continue
                wanted = 400 if json.dumps(body, sort_keys=True) in expect_400 else 200
                with lock:
                    latencies.append(elapsed)
                    if status != wanted:
                        errors.append(f"{body['expression']}: status {status}, expected {wanted}")

        threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 180)
        elapsed = time.monotonic() - started
        print(f"{clients} clients for {seconds:g} s on a mixed corpus of {len(mixed)} bodies: "
              f"{len(latencies)} requests ({len(latencies) / elapsed:.1f}/s), median "
              f"{statistics.median(latencies) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms, errors {len(errors)}")
        for error in errors[:10]:
            print("  error:", error)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
