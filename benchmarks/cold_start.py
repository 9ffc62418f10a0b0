"""Cold start: `calcgrad diff` against a bare SymPy one-liner, side by side, as a ratio.

Run: python benchmarks/cold_start.py [runs]
Each command runs alternately; the figure is the ratio of the medians of wall time. The ratio
of the medians of CPU time (user + system, of the child) is printed too: on a machine shared
with other work it moves much less than wall time. Both run
with Python's bytecode cache on (as on a user's machine), even where PYTHONDONTWRITEBYTECODE is
set, so that neither side pays to compile its source on every start.
Target: ratio ≤ 1.10.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import os
import resource
import time

EXPRESSION = "x**2+3*x*y+y**2"
CALCGRAD = [shutil.which("calcgrad") or "calcgrad", "diff", EXPRESSION, "--wrt", "x"]
SYMPY = [sys.executable, "-c",
         "import sympy; x, y = sympy.symbols('x y'); print(sympy.diff(x**2+3*x*y+y**2, x))"]


ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=ENVIRONMENT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(runs: int = 15) -> None:
    run(CALCGRAD), run(SYMPY)  # warm the file cache
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(run(CALCGRAD))
        theirs.append(run(SYMPY))
    for label, index in (("wall", 0), ("CPU", 1)):
        a = statistics.median(t[index] for t in ours)
        b = statistics.median(t[index] for t in theirs)
        print(f"{label:4}  calcgrad diff {a * 1000:7.1f} ms   python -c sympy {b * 1000:7.1f} ms   "
              f"ratio {a / b:.2f}  (target ≤ 1.10; medians of {runs} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
