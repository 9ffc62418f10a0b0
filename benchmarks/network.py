"""Networks: the symbolic chain's growth with depth, and a [784, 128, 10] numeric walkthrough.

Run: python benchmarks/network.py
Symbolic: `calcgrad network --layers N --activation sigmoid --loss mse` as the CLI does it
(build the chain, render plain text) for N = 10, 50, 100, measured side by side in one run.
Targets: time(100)/time(50) ≤ 2.2 (linear growth would give 2.0), time(100) < 1 s.
Numeric: a [784, 128, 10] ReLU/softmax network with cross-entropy on one input: the spec is
read, the forward and backward passes, the update and the gradient check are run, and the
walkthrough rendered as plain text. Target < 1 s.
"""

from __future__ import annotations

import pathlib
import random
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this checkout's calcgrad

from calcgrad.networks.architecture import Network  # noqa: E402


def symbolic(depth: int) -> float:
    """One CLI-equivalent run from an empty SymPy cache, so no depth reuses another run's work."""
    from sympy.core.cache import clear_cache

    clear_cache()
    start = time.perf_counter()
    Network([1] * (depth + 1), "sigmoid", "mse").chain().plain()
    return time.perf_counter() - start


def best(function, *args, repeat: int = 3) -> float:
    return min(function(*args) for _ in range(repeat))


def mnist_spec() -> dict:
    rng = random.Random(0)
    return {"layers": [784, 128, 10], "activation": ["relu", "softmax"], "loss": "ce",
            "input": [rng.random() for _ in range(784)], "target": [0] * 3 + [1] + [0] * 6,
            "weights": [[[rng.gauss(0, 0.05) for _ in range(784)] for _ in range(128)],
                        [[rng.gauss(0, 0.1) for _ in range(128)] for _ in range(10)]],
            "learning_rate": 0.1}


def numeric(spec: dict) -> tuple[float, float]:
    start = time.perf_counter()
    walk = Network.from_spec(spec).walkthrough()
    computed = time.perf_counter() - start
    walk.plain()
    return computed, time.perf_counter() - start


def main() -> None:
    symbolic(3)  # imports and SymPy's caches warmed for every depth alike
    times = {depth: best(symbolic, depth) for depth in (10, 50, 100)}
    for depth, seconds in times.items():
        print(f"symbolic chain, {depth:3d} layers      {seconds:7.3f} s")
    print(f"ratio time(100)/time(50)        {times[100] / times[50]:7.2f}  (target ≤ 2.2)")
    print(f"time(100)                       {times[100]:7.3f} s  (target < 1 s)")

    spec = mnist_spec()
    runs = [numeric(spec) for _ in range(3)]
    computed = min(r[0] for r in runs)
    rendered = min(r[1] for r in runs)
    print(f"[784, 128, 10] walkthrough      {computed:7.3f} s  (target < 1 s; forward, backward, "
          "update, 200 gradient checks)")
    print(f"  … and rendered as plain text  {rendered:7.3f} s")


if __name__ == "__main__":
    main()
