"""Networks: the symbolic chain's growth with depth, and a [784, 128, 10] numeric walkthrough.

Run: python benchmarks/network.py
Symbolic: `calcgrad network --layers N --activation sigmoid --loss mse --format F` as the CLI
does it (build the chain, render it) for N = 100, 200, 400 in every format (plain, json, latex,
markdown), each from an empty SymPy cache, best of 3, measured side by side in one run.
Targets (issue 13): size(200)/size(100) ≤ 2.1 and time(200)/time(100) ≤ 2.2 for every format
(linear growth gives 2.0), and time(400) < 2 s in every format.
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

from calcgrad.networks.network import Network  # noqa: E402

FORMATS = ("plain", "json", "latex", "markdown")
DEPTHS = (100, 200, 400)


def symbolic(depth: int, output_format: str = "plain") -> tuple[float, int]:
    """One CLI-equivalent run from an empty SymPy cache, so no depth reuses another run's work:
    (seconds, characters written)."""
    from sympy.core.cache import clear_cache

    clear_cache()
    start = time.perf_counter()
    text = Network([1] * (depth + 1), "sigmoid", "mse").chain().render(output_format)
    return time.perf_counter() - start, len(text)


def best(function, *args, repeat: int = 3):
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
    for output_format in FORMATS:
        symbolic(3, output_format)  # imports and SymPy's caches warmed for every depth alike
    print("symbolic chain   format     time 100 / 200 / 400 layers       size 100 / 200 / 400 (MB)"
          "     t200/t100  s200/s100")
    for output_format in FORMATS:
        runs = {depth: best(symbolic, depth, output_format) for depth in DEPTHS}
        times = [runs[d][0] for d in DEPTHS]
        sizes = [runs[d][1] / 1e6 for d in DEPTHS]
        print(f"                 {output_format:9s}  " + " / ".join(f"{t:5.2f}" for t in times)
              + " s          " + " / ".join(f"{m:5.2f}" for m in sizes)
              + f"          {times[1] / times[0]:5.2f}      {sizes[1] / sizes[0]:5.2f}")
    print("targets: t200/t100 ≤ 2.2, s200/s100 ≤ 2.1, time(400) < 2 s in every format")

    spec = mnist_spec()
    runs = [numeric(spec) for _ in range(3)]
    computed = min(r[0] for r in runs)
    rendered = min(r[1] for r in runs)
    print(f"[784, 128, 10] walkthrough      {computed:7.3f} s  (target < 1 s; forward, backward, "
          "update, 200 gradient checks)")
    print(f"  … and rendered as plain text  {rendered:7.3f} s")


if __name__ == "__main__":
    main()
