"""Cold start: `calcgrad diff` against a bare SymPy one-liner, side by side, as a ratio.

Run: python benchmarks/cold_start.py [runs]
Each command runs alternately; the figure is the ratio of the medians of wall time. The ratio
of the medians of CPU time (user + system, of the child) is printed too: on a machine shared
with other work it moves much less than wall time. Both run
with Python's bytecode cache on (as on a user's machine), even where PYTHONDONTWRITEBYTECODE is
set, so that neither side pays to compile its source on every start.
Target: ratio ≤ 1.10. A third command, the one-liner importing SymPy as calcgrad does (cycle
collector paused during the import, see calcgrad.cli.load_sympy_quietly), gives the like-for-like
ratio: what calcgrad's own modules and work cost on top of SymPy.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import os
import resource
import time
from pathlib import Path

EXPRESSION = "x**2+3*x*y+y**2"


def calcgrad_script() -> str:
    """The console script installed beside this interpreter (what a user of this environment runs).

    Not the first `calcgrad` on PATH: that may be a version manager's shim (pyenv's is a bash
    script that starts a second program), whose start-up is not calcgrad's.
    """
    beside = Path(sys.executable).parent / "calcgrad"
    return str(beside) if beside.exists() else shutil.which("calcgrad") or "calcgrad"


CALCGRAD = [calcgrad_script(), "diff", EXPRESSION, "--wrt", "x"]
ONE_LINER = "x, y = sympy.symbols('x y'); print(sympy.diff(x**2+3*x*y+y**2, x))"
SYMPY = [sys.executable, "-c", "import sympy; " + ONE_LINER]
# The same one-liner importing SymPy the way calcgrad does (collector paused, then frozen; see
# calcgrad.cli.load_sympy_quietly): the ratio against it is what calcgrad's own code costs.
SYMPY_QUIET = [sys.executable, "-c",
               "import gc; gc.disable(); import sympy; gc.freeze(); gc.enable(); " + ONE_LINER]


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
    run(CALCGRAD), run(SYMPY), run(SYMPY_QUIET)  # warm the file cache
    ours, theirs, quiet = [], [], []
    for _ in range(runs):
        ours.append(run(CALCGRAD))
        theirs.append(run(SYMPY))
        quiet.append(run(SYMPY_QUIET))
    for label, index in (("wall", 0), ("CPU", 1)):
        a = statistics.median(t[index] for t in ours)
        b = statistics.median(t[index] for t in theirs)
        c = statistics.median(t[index] for t in quiet)
        print(f"{label:4}  calcgrad diff {a * 1000:6.1f} ms   python -c sympy {b * 1000:6.1f} ms "
              f"(same import as calcgrad: {c * 1000:6.1f} ms)   ratio {a / b:.2f} "
              f"(target ≤ 1.10), like for like {a / c:.2f}; medians of {runs} runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
