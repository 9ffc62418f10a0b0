"""Tidy-up: are calcgrad's final answers as short as an answer key's, and is the tidy-up cheap?

Run: python benchmarks/tidy.py
For every exercise in benchmarks/textbook.txt (typed as textbooks print them), compares the
length (SymPy's count_ops) of calcgrad's final result with sympy.simplify(sympy.diff(f)), and
times the tidy-up alone on the raw derivative. Targets: no longer than simplify in ≥ 97% of
the exercises; no tidy-up over 0.2 s; the whole engine ≤ 0.5× simplify(diff(f)) in time.
Times are CPU seconds of this process (time.process_time), so that other work on a shared
machine does not count against either side; SymPy runs in one thread, so on an idle machine
they equal wall-clock time.
"""

from __future__ import annotations

import pathlib
import time

import sympy

import calcgrad
from calcgrad.engine.tidy import tidy_with_reason

CORPUS = pathlib.Path(__file__).with_name("textbook.txt")


def load() -> list[tuple[str, sympy.Expr]]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [(line, calcgrad.parse(line)) for line in lines if line and not line.startswith("#")]


def main() -> None:
    exercises = load()
    x = sympy.Symbol("x", real=True)
    calcgrad.diff(exercises[0][1], x)
    sympy.simplify(sympy.diff(exercises[0][1], x))
    ours_time = theirs_time = 0.0
    slowest = (0.0, "")
    longer: list[tuple[str, str, str]] = []
    for text, expr in exercises:
        start = time.process_time()
        derivation = calcgrad.diff(expr, x)
        ours_time += time.process_time() - start
        start = time.process_time()
        reference = sympy.simplify(sympy.diff(expr, x))
        theirs_time += time.process_time() - start
        raw = derivation.stages[0].result
        prefer_sec = expr.has(sympy.tan, sympy.sec, sympy.cot, sympy.csc)
        start = time.process_time()
        tidy_with_reason(raw, prefer_sec)
        slowest = max(slowest, (time.process_time() - start, text))
        if sympy.count_ops(derivation.result) > sympy.count_ops(reference):
            longer.append((text, str(derivation.result), str(reference)))
    share = 1 - len(longer) / len(exercises)
    print(f"exercises                    {len(exercises)}")
    print(f"no longer than simplify      {share:.1%}  ({len(longer)} longer; target ≥ 97%)")
    print(f"slowest tidy-up              {slowest[0]:.3f} s  ({slowest[1]})  (target ≤ 0.2 s)")
    print(f"calcgrad.diff                {ours_time:7.2f} s")
    print(f"sympy.simplify(sympy.diff)   {theirs_time:7.2f} s")
    print(f"ratio                        {ours_time / theirs_time:.2f}")
    for text, ours, theirs in longer:
        print(f"  longer: {text}: {ours}  vs  {theirs}")


if __name__ == "__main__":
    main()
