"""Engine: calcgrad.diff against sympy.simplify(sympy.diff(...)) on the same corpus, same run.

Run: python benchmarks/engine.py
The corpus (benchmarks/corpus.txt, one expression per line, ≥ 200 of every rule family) is read
with calcgrad's parser once, outside the timing. Target: ratio ≤ 1.5.
"""

from __future__ import annotations

import pathlib
import time

import sympy

import calcgrad

CORPUS = pathlib.Path(__file__).with_name("corpus.txt")


def load() -> list[sympy.Expr]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [calcgrad.parse(line) for line in lines if line and not line.startswith("#")]


def main() -> None:
    expressions = load()
    x = sympy.Symbol("x", real=True)
    calcgrad.diff(expressions[0], x)  # import and cache warm-up for both sides
    sympy.simplify(sympy.diff(expressions[0], x))

    start = time.perf_counter()
    for expr in expressions:
        calcgrad.diff(expr, x)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    for expr in expressions:
        sympy.simplify(sympy.diff(expr, x))
    theirs = time.perf_counter() - start

    print(f"corpus                      {len(expressions)} expressions")
    print(f"calcgrad.diff               {ours:7.2f} s")
    print(f"sympy.simplify(sympy.diff)  {theirs:7.2f} s")
    print(f"ratio                       {ours / theirs:.2f}  (target ≤ 1.5)")


if __name__ == "__main__":
    main()
