"""Checking: answers checked per second (one core) on a corpus of right and wrong answers,
side by side with the naive grader `sympy.simplify(answer - key) == 0`, in the same run.

Run: python benchmarks/checking.py [N]   (N problems from benchmarks/corpus.txt, default 60)
Each problem gets five answers: SymPy's derivative in its own form (right), and four wrong ones
(twice it, it plus 1, its negative, and the power-rule slip of multiplying by x). As in a batch,
the key's derivation is computed once per problem, outside the per-answer timing.
Target: median ≥ 100 checks per second per core.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import time

import sympy

import calcgrad
from calcgrad.grading.checking import check, derivation_of

CORPUS = pathlib.Path(__file__).with_name("corpus.txt")
x = sympy.Symbol("x", real=True)


def load(count: int) -> list[sympy.Expr]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    expressions = [calcgrad.parse(line) for line in lines if line and not line.startswith("#")]
    step = max(1, len(expressions) // count)
    return expressions[::step][:count]


def answers(expr: sympy.Expr) -> list[tuple[sympy.Expr, bool]]:
    right = sympy.diff(expr, x)
    return [(right, True), (2 * right, False), (right + 1, False), (-right, False), (x * right, False)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    problems = load(count)
    ours, naive, wrong_verdicts = [], [], 0
    for expr in problems:
        derivation_of(expr, (x,), 1, ())  # the key, once per problem
        key = derivation_of(expr, (x,), 1, ()).result
        for answer, is_right in answers(expr):
            start = time.perf_counter()
            verdict = check(answer, of=expr, wrt=x)
            ours.append(time.perf_counter() - start)
            wrong_verdicts += (verdict.verdict == "correct") != is_right
            start = time.perf_counter()
            sympy.simplify(answer - key) == 0
            naive.append(time.perf_counter() - start)
    print(f"{len(ours)} answers to {len(problems)} problems; verdicts that disagree with the "
          f"truth: {wrong_verdicts} (undetermined counts as disagreeing)")
    print(f"calcgrad check: median {1 / statistics.median(ours):.0f} checks/s, "
          f"mean {len(ours) / sum(ours):.0f} checks/s, slowest {max(ours) * 1000:.0f} ms")
    print(f"naive simplify: median {1 / statistics.median(naive):.0f} checks/s, "
          f"mean {len(naive) / sum(naive):.0f} checks/s, slowest {max(naive) * 1000:.0f} ms")
    print(f"ratio of medians (naive time / calcgrad time): "
          f"{statistics.median(naive) / statistics.median(ours):.2f}")


if __name__ == "__main__":
    main()
