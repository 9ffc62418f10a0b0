"""Where a batch's per-item work runs: here, over local worker processes, or on a Dask cluster.

Every backend runs the same function on the same items and returns the results in the items'
order. An item that does not finish (out of time, out of memory, its process ended) gets
`on_failure(item, Failure)` as its result instead, so one hostile item never costs the batch.

Untrusted work is bounded the same way on every backend that leaves this process: a worker
*process* (pebble) under an address-space limit, killed at a hard per-item timeout, inside which
the item's own deadline (calcgrad.deadline) runs in the process's main thread, where its timer
signal interrupts SymPy's loops. A Dask task, by contrast, runs in a thread of a worker process
that must not be capped or killed, and that may be daemonic (multiprocessing refuses to start
children there): so each Dask task starts a fresh Python process for its chunk of items, and that
process runs the very same local pool (one worker process) on them.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any

from calcgrad import limits
from calcgrad._version import __version__
from calcgrad.errors import UsageError

DASK_CONNECT_SECONDS = 10.0
"""How long `--scheduler` waits to reach the scheduler, and then for its first worker."""

CHUNK_START_SECONDS = 120.0
"""Allowance for a Dask task's fresh Python process to start and read its chunk (imports)."""

MIN_CHUNK_ITEMS = 50
"""The fewest items a Dask task gets: each task pays for starting a Python process that loads
SymPy and derives the key afresh (about 3 s on a loaded 2-core machine)."""

INSTALL_HINT = 'pip install "calcgrad[dask]"'


@dataclass(frozen=True)
class Failure:
    """Why an item has no result: `kind` is "timeout", "memory", "ended" (its process died or
    was killed; `detail` says how) or "crashed" (an unexpected error; `detail` names it)."""

    kind: str
    detail: str = ""


OnFailure = Callable[[Any, Failure], Any]


def run_here(function: Callable, items: Sequence, progress: Callable[[int], None] | None = None) -> list:
    """Each item in this process, one after another (small batches: no start-up cost)."""
    results = []
    for item in items:
        results.append(function(item))
        if progress:
            progress(1)
    return results


def run_in_processes(function: Callable, items: Sequence, *, workers: int, hard_seconds: float,
                     on_failure: OnFailure,
                     progress: Callable[[int], None] | None = None) -> list:
    """Items over `workers` processes, each under limits.WORKER_MEMORY_BYTES; an item whose
    worker runs past `hard_seconds`, runs out of memory or dies gets `on_failure` and its worker
    is replaced; every other item is done. Interrupting or terminating this process stops the
    workers."""
    # lazy: start-up speed (a process pool, and pebble, only for large batches)
    import signal
    import threading
    from concurrent.futures import TimeoutError as FutureTimeout

    # lazy: start-up speed (loaded only when this code runs)
    from pebble import ProcessExpired, ProcessPool

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main_thread else None
    if main_thread:
        signal.signal(signal.SIGTERM, _terminate)
    pool = ProcessPool(max_workers=workers, initializer=_limit_worker_memory,
                       initargs=(limits.WORKER_MEMORY_BYTES,))
    results = []
    try:
        futures = [pool.schedule(function, args=(item,), timeout=hard_seconds) for item in items]
        for item, future in zip(items, futures):
            try:
                results.append(future.result())
            except FutureTimeout:
                results.append(on_failure(item, Failure("timeout")))
            except ProcessExpired as error:
                results.append(on_failure(item, Failure("ended", _death(error))))
            except MemoryError:
                results.append(on_failure(item, Failure("memory")))
            except Exception as error:  # noqa: BLE001 — one item's failure stays that item's
                results.append(on_failure(item, Failure("crashed", type(error).__name__)))
            if progress:
                progress(1)
    finally:  # an interrupt or SIGTERM leaves items undone: stop the workers, do not wait
        if len(results) == len(items):
            pool.close()
        else:
            pool.stop()
        pool.join()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return results


def _terminate(signum, frame) -> None:
    """SIGTERM while workers run: unwind (stopping the workers) and exit 143."""
    raise SystemExit(128 + signum)


def _limit_worker_memory(limit: int) -> None:
    """Worker initializer: cap the worker's address space, so a memory blow-up ends in
    MemoryError inside that worker (that item's failure) instead of starving the machine."""
    try:
        import resource  # lazy: start-up speed (only in a worker process)

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _death(error) -> str:
    return _exit_status(getattr(error, "exitcode", None))


def _exit_status(code: int | None) -> str:
    if code is not None and code < 0:
        import signal  # lazy: start-up speed (only when a worker process died)

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit status {code}"


# --- a Dask cluster ---------------------------------------------------------------------------


def run_on_dask(function: Callable, items: Sequence, *, scheduler: str, hard_seconds: float,
                on_failure: OnFailure, progress: Callable[[int], None] | None = None,
                connect_seconds: float | None = None) -> list:
    """Items on the Dask cluster at `scheduler` ("tcp://host:8786"), in chunks, each chunk in a
    fresh process on a worker running run_in_processes (so the same limits hold as here).

    UsageError (exit 2) when Dask is not installed, the scheduler cannot be reached within
    `connect_seconds`, it has no workers, or a worker runs another calcgrad version.
    """
    try:
        # lazy: start-up speed (the optional Dask extra loads only with --scheduler)
        from distributed import Client, KilledWorker, as_completed
    except ImportError:
        raise UsageError(f"--scheduler needs Dask, which is not installed here: {INSTALL_HINT} "
                         "(on this machine and on every worker)") from None
    seconds = DASK_CONNECT_SECONDS if connect_seconds is None else connect_seconds
    client = _connect(Client, scheduler, seconds)
    futures = []
    try:
        _wait_for_workers(client, scheduler, seconds)
        _check_versions(client)
        threads = max(1, sum(client.nthreads().values()))
        chunks = _chunks(list(items), threads)
        futures = [client.submit(run_chunk, pickle.dumps((function, chunk, hard_seconds, on_failure)),
                                 CHUNK_START_SECONDS + len(chunk) * hard_seconds, pure=False)
                   for chunk in chunks]
        position = {future: i for i, future in enumerate(futures)}
        done: list[list | None] = [None] * len(chunks)
        for future in as_completed(futures, loop=client.loop):
            i = position[future]
            try:
                done[i] = pickle.loads(future.result())
            except KilledWorker:
                done[i] = [on_failure(item, Failure("ended", "the Dask worker running it died"))
                           for item in chunks[i]]
            except (CancelledError, OSError) as error:  # distributed's FutureCancelledError too
                raise UsageError(f"lost the Dask scheduler at {scheduler} while grading "
                                 f"({error}); grade again") from None
            except Exception as error:  # noqa: BLE001 — the cluster, not an item, failed
                raise UsageError(f"the Dask cluster at {scheduler} could not run the grading "
                                 f"({type(error).__name__}: {error}); every worker needs "
                                 f"calcgrad {__version__}: {INSTALL_HINT}") from None
            if progress:
                progress(len(chunks[i]))
    finally:  # an interrupt or an error: drop the remaining work from the cluster
        unfinished = [f for f in futures if not f.done()]
        with contextlib.suppress(Exception):  # a lost scheduler cannot be told; closing is enough
            if unfinished:
                client.cancel(unfinished)
        client.close()
    return [result for chunk in done for result in chunk]


def _connect(Client, scheduler: str, seconds: float):
    """A Client for `scheduler`, or one message saying it cannot be reached."""
    # lazy: start-up speed (Dask's configuration, loaded with the optional extra)
    import dask
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:  # checked first: a Client given a bad address hangs on its way out
        scheme, location = parse_address(scheduler)
        get_backend(scheme)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as error:
        raise UsageError(f"--scheduler {scheduler!r} is not a Dask scheduler address ({error}); "
                         "write it as tcp://HOST:8786") from None
    try:
        with dask.config.set({"distributed.comm.timeouts.connect": f"{seconds}s"}):
            return Client(scheduler, timeout=f"{seconds}s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} within {seconds:g} s "
                         f"({type(error).__name__}); check the address, and that `dask scheduler` "
                         "runs there and this machine can reach its port") from None


def _wait_for_workers(client, scheduler: str, seconds: float) -> None:
    try:
        client.wait_for_workers(1, timeout=seconds)
    except (TimeoutError, OSError):
        raise UsageError(f"the Dask scheduler at {scheduler} has no workers after {seconds:g} s; "
                         f"start some with `dask worker {scheduler}`") from None


def _check_versions(client) -> None:
    """Every worker must run this calcgrad version: the rows are graded by the workers' code."""
    try:
        versions = client.run(calcgrad_version)
    except Exception as error:  # noqa: BLE001 — a worker without calcgrad cannot unpickle this
        raise UsageError(f"a Dask worker cannot run calcgrad ({type(error).__name__}: {error}); "
                         f"install calcgrad {__version__} on every worker: {INSTALL_HINT}") from None
    other = {worker: version for worker, version in versions.items() if version != __version__}
    if other:
        listed = ", ".join(f"{worker} has {version}" for worker, version in sorted(other.items()))
        raise UsageError(f"every Dask worker needs calcgrad {__version__}, as here: {listed}; "
                         f"install the same version everywhere")


def calcgrad_version() -> str:
    """The calcgrad version where this runs (asked of each Dask worker)."""
    return __version__


def _chunks(items: list, threads: int) -> list[list]:
    """Two chunks per worker thread (so a slow chunk does not hold the others back for long),
    but at least MIN_CHUNK_ITEMS each: every chunk pays a Python start-up on its worker."""
    size = max(MIN_CHUNK_ITEMS, -(-len(items) // (threads * 2)))
    return [items[start:start + size] for start in range(0, len(items), size)]


def run_chunk(payload: bytes, budget: float) -> bytes:
    """A Dask task: run_in_processes on a pickled (function, items, hard_seconds, on_failure)
    in a fresh Python process, returning the pickled results. This process is a Dask worker,
    and this is one of its threads: it must not be capped, killed or forked, so the limits
    apply in the fresh process. `budget` bounds the whole chunk. The fresh process gets this
    worker's interpreter and sys.path, so it imports the worker's calcgrad (whose version was
    checked). The payload stays bytes here, so the worker itself never loads SymPy."""
    command = [sys.executable, "-c", _CHUNK_MAIN, json.dumps(sys.path)]
    try:
        finished = subprocess.run(command, input=payload, capture_output=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return _all_failed(payload, f"its chunk of rows ran past {budget:g} s")
    if finished.returncode != 0 or not finished.stdout:
        why = finished.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return _all_failed(payload, _exit_status(finished.returncode) + (f": {why[0]}" if why[0] else ""))
    return finished.stdout


def _all_failed(payload: bytes, detail: str) -> bytes:
    """Every item of a chunk whose process ended early, as on_failure's results."""
    function, items, hard_seconds, on_failure = pickle.loads(payload)
    return pickle.dumps([on_failure(item, Failure("ended", detail)) for item in items])


_CHUNK_MAIN = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
               "from calcgrad.grading.executors import serve_chunk; serve_chunk()")


def serve_chunk() -> None:
    """The fresh process of run_chunk: read (function, items, hard_seconds, on_failure) from
    standard input, run them over one local worker process, write the results to standard
    output (anything the work prints goes to standard error)."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    function, items, hard_seconds, on_failure = pickle.load(sys.stdin.buffer)
    results = run_in_processes(function, items, workers=1, hard_seconds=hard_seconds,
                               on_failure=on_failure)
    pickle.dump(results, out)
    out.flush()
