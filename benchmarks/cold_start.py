"""Cold start: `calcgrad diff` against a bare SymPy one-liner, side by side, as a ratio.

Run: python benchmarks/cold_start.py [runs]
Each command runs alternately; the figure is the ratio of the medians of wall time. Both run
with Python's bytecode cache on (as on a user's machine), even where PYTHONDONTWRITEBYTECODE is
set, so that neither side pays to compile its source on every start.
Target: ratio ≤ 1.15.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import os
import time

EXPRESSION = "x**2+3*x*y+y**2"
CALCGRAD = [shutil.which("calcgrad") or "calcgrad", "diff", EXPRESSION, "--wrt", "x"]
SYMPY = [sys.executable, "-c",
         "import sympy; x, y = sympy.symbols('x y'); print(sympy.diff(x**2+3*x*y+y**2, x))"]


ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=ENVIRONMENT)
    return time.perf_counter() - start


def main(runs: int = 15) -> None:
    wall_time(CALCGRAD), wall_time(SYMPY)  # warm the file cache
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(wall_time(CALCGRAD))
        theirs.append(wall_time(SYMPY))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"calcgrad diff      median {a * 1000:7.1f} ms over {runs} runs")
    print(f"python -c sympy    median {b * 1000:7.1f} ms over {runs} runs")
    print(f"ratio              {a / b:.2f}  (target ≤ 1.15)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
