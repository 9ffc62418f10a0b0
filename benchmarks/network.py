"""Networks: the symbolic chain's growth with depth, and a [784, 128, 10] numeric walkthrough.

Run: python benchmarks/network.py
Symbolic: `calcgrad network --layers N --activation sigmoid --loss mse --format F` as the CLI
does it (build the chain, render it) for N = 100, 200, 400 in every format (plain, json, latex,
markdown), each from an empty SymPy cache, best of 3, measured side by side in one run.
Targets (issue 13): size(200)/size(100) ≤ 2.1 and time(200)/time(100) ≤ 2.2 for every format
(linear growth gives 2.0), and time(400) < 2 s in every format.
Numeric (issue 13, point 6): a [784, 128, 10] ReLU/softmax network with cross-entropy on
batches of 1, 32 and 256 rows. `network.walkthrough()` (forward and backward pass, one SGD step,
200 gradient checks, the result object) against a plain NumPy script doing the same forward
pass, backward pass and update, measured in turns, best of 7, as CPU time of this process with
BLAS on one thread (so other programs on a shared machine do not count, and neither side gets
more cores). Reading the spec (101,770 numbers checked) and rendering the walkthrough as text
are shown apart. Targets: batch 256 within 50× of plain NumPy, batch 1 within 20×.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one core for both sides
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pathlib
import random
import sys
import time

import numpy as np

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


def mnist_spec(batch: int) -> dict:
    """[784, 128, 10], ReLU then softmax, cross-entropy, `batch` random rows (seeded)."""
    rng = random.Random(0)
    return {"layers": [784, 128, 10], "activation": ["relu", "softmax"], "loss": "ce",
            "input": [[rng.random() for _ in range(784)] for _ in range(batch)],
            "target": [[0] * 3 + [1] + [0] * 6 for _ in range(batch)],
            "weights": [[[rng.gauss(0, 0.05) for _ in range(784)] for _ in range(128)],
                        [[rng.gauss(0, 0.1) for _ in range(128)] for _ in range(10)]],
            "learning_rate": 0.1}


def plain_numpy(w1, b1, w2, b2, x, y, rate):
    """The same forward pass, loss, backward pass and SGD step, written directly in NumPy."""
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    exps = np.exp(z2 - z2.max(axis=1, keepdims=True))
    a2 = exps / exps.sum(axis=1, keepdims=True)
    loss = -(y * np.log(a2)).sum(axis=1).mean()
    delta2 = (a2 - y) / len(x)                  # softmax with cross-entropy, mean over the batch
    delta1 = (delta2 @ w2) * (z1 > 0)
    return (w1 - rate * (delta1.T @ x), b1 - rate * delta1.sum(axis=0),
            w2 - rate * (delta2.T @ a1), b2 - rate * delta2.sum(axis=0), loss)


def numeric(batch: int, repeat: int = 7) -> dict:
    """CPU seconds (best of `repeat`, the two measured in turns) and the largest difference
    between the two updated W⁽¹⁾."""
    spec = mnist_spec(batch)
    times: dict[str, list[float]] = {"read": [], "walkthrough": [], "numpy read": [], "numpy": []}
    for _ in range(repeat):
        start = time.process_time()
        arrays = [np.array(spec["weights"][0]), np.zeros(128), np.array(spec["weights"][1]),
                  np.zeros(10), np.array(spec["input"]), np.array(spec["target"], dtype=float)]
        times["numpy read"].append(time.process_time() - start)
        start = time.process_time()
        network = Network.from_spec(spec)  # checks every number, and makes the arrays
        times["read"].append(time.process_time() - start)
        start = time.process_time()
        walk = network.walkthrough()
        times["walkthrough"].append(time.process_time() - start)
        for _ in range(5):
            start = time.process_time()
            ours = plain_numpy(*arrays, 0.1)
            times["numpy"].append(time.process_time() - start)
    start = time.process_time()
    walk.plain()
    rendered = time.process_time() - start
    updated = np.array([walk.updated[f"W1[{j + 1},{k + 1}]"] for j in (0, 63, 127) for k in (0, 391, 783)])
    expected = np.array([ours[0][j, k] for j in (0, 63, 127) for k in (0, 391, 783)])
    best = {name: min(values) for name, values in times.items()}
    return {**best, "render": rendered, "difference": float(np.abs(updated - expected).max()),
            "checks_ok": all(c.ok or c.near_kink for c in walk.gradient_check.values())}


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

    print()
    print("[784, 128, 10] ReLU/softmax/ce   CPU ms, best of 7   walkthrough   plain NumPy   ratio"
          "   goal           reading the spec   rendering")
    for batch, goal in ((1, 20), (32, None), (256, 50)):
        run = numeric(batch)
        ratio = run["walkthrough"] / run["numpy"]
        verdict = "" if goal is None else f"≤ {goal}× {'met' if ratio <= goal else 'MISSED'}"
        print(f"  batch {batch:3d}                                    {run['walkthrough'] * 1e3:9.1f}"
              f"   {run['numpy'] * 1e3:11.2f}   {ratio:5.1f}×  {verdict:12s}"
              f"   {run['read'] * 1e3:5.0f} ({run['numpy read'] * 1e3:.0f})"
              f"       {run['render'] * 1e3:5.0f}")
        if run["difference"] > 1e-12 or not run["checks_ok"]:
            print(f"    the two disagree: max |ΔW⁽¹⁾| = {run['difference']:.1e}, "
                  f"gradient checks ok: {run['checks_ok']}")
    print("walkthrough: forward, backward, SGD step, 200 gradient checks and the result object; "
          "plain NumPy: forward, backward and the step alone. Reading the spec: Network.from_spec "
          "(every number checked, then the arrays), in brackets NumPy's np.array of the same lists")


if __name__ == "__main__":
    main()
