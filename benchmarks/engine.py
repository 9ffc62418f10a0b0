"""Engine: calcgrad.diff against sympy.simplify(sympy.diff(...)) on the same corpus, same run.

Run: python benchmarks/engine.py
The corpus (benchmarks/corpus.txt, one expression per line, ≥ 200 of every rule family) is read
with calcgrad's parser once, outside the timing; each side starts from an empty SymPy cache. calcgrad is timed twice: with every step
checked against SymPy's own derivative as it is made (the default, calcgrad.engine.verify)
and without (verify=False). Targets: ratio with checks ≤ 0.5, without ≤ 1.5. It also counts
the steps whose check failed (it must be 0) or reached no decision.
"""

from __future__ import annotations

import pathlib
import sys
import time

import sympy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this checkout's calcgrad

import calcgrad  # noqa: E402

CORPUS = pathlib.Path(__file__).with_name("corpus.txt")


def load() -> list[sympy.Expr]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [calcgrad.parse(line) for line in lines if line and not line.startswith("#")]


def timed(function, expressions) -> tuple[float, list]:
    """Seconds for the whole corpus, from an empty SymPy cache (so no side reuses another's work)."""
    sympy.core.cache.clear_cache()
    start = time.perf_counter()
    results = [function(expr) for expr in expressions]
    return time.perf_counter() - start, results


def main() -> None:
    expressions = load()
    x = sympy.Symbol("x", real=True)
    calcgrad.diff(expressions[0], x)  # import and cache warm-up for both sides
    sympy.simplify(sympy.diff(expressions[0], x))

    unchecked, _ = timed(lambda e: calcgrad.diff(e, x, verify=False), expressions)
    checked, derivations = timed(lambda e: calcgrad.diff(e, x), expressions)
    theirs, _ = timed(lambda e: sympy.simplify(sympy.diff(e, x)), expressions)

    verdicts = [step.verified for d in derivations for stage in d.steps for step in stage.walk()
                if step.rule != "evaluate"]
    print(f"corpus                          {len(expressions)} expressions, {len(verdicts)} steps")
    print(f"calcgrad.diff, steps checked    {checked:7.2f} s")
    print(f"calcgrad.diff, verify=False     {unchecked:7.2f} s")
    print(f"sympy.simplify(sympy.diff)      {theirs:7.2f} s")
    print(f"ratio with checks               {checked / theirs:.2f}  (target ≤ 0.5)")
    print(f"ratio without checks            {unchecked / theirs:.2f}  (target ≤ 1.5)")
    print(f"cost of the checks              {(checked - unchecked) / unchecked:.0%} of the engine")
    print(f"checks: {verdicts.count(True)} passed, {verdicts.count(False)} failed, "
          f"{verdicts.count(None)} undecided")


if __name__ == "__main__":
    main()
