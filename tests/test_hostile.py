"""Hostile input, tried as a hostile student or a careless teacher would: every command must end
within its budget with a result (exit 0) or one clear message (exit 2) — never a traceback, an
internal error, a hang or a memory blow-up.

Each case runs `python -m calcgrad` in a fresh process (the program's own memory limit applies,
and a case that hangs cannot take the test run with it) and is timed on the wall clock. They are
in the slow tier; a few quick ones run in-process through click's CliRunner.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.cli import main

ROOT = Path(__file__).resolve().parent.parent

SECONDS = 12.0
"""Wall-clock limit per case: the command's own budget is far below this; start-up is ~1 s, and
the machine may be shared."""

REFUSE_SECONDS = 6.0
"""Wall-clock limit for a case that must be refused by a size guard (about 2 s on an idle
machine, start-up included)."""

KEY = '[q1]\nexpression = "x^2 sin x"\n'
SPEC = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
        "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]],
        "biases": [[0.1, 0.1, 0.1], [0.2]], "learning_rate": 0.1}


def run_calcgrad(*args: str, cwd: Path | None = None, seconds: float = SECONDS,
                 stdin: str | None = None) -> tuple[int, str, str, float]:
    """Run the program; return (exit status, stdout, stderr, wall seconds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("CALCGRAD_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "calcgrad", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=seconds * 3,
                          input=stdin if stdin is not None else "")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def assert_ends_well(status: int, out: str, err: str, elapsed: float, seconds: float,
                     expect: str | None) -> None:
    assert elapsed < seconds, f"took {elapsed:.1f} s (limit {seconds:g} s); stderr: {err[-300:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-800:]
    verdict = status == 1 and "Verdict" in out  # `check` exits 1 for a wrong answer, as a test does
    assert status in (0, 2) or verdict, f"exit {status}; stderr: {err[-400:]}"
    if status == 2:
        assert err.startswith("calcgrad: ") or "Error:" in err, err[-400:]
    if expect is not None:
        assert expect in out + err, f"expected {expect!r} in:\n{(out + err)[-600:]}"


# --- expressions: (arguments, text expected in the output or None, refused by a size guard?) --

TOWER = "e^e^e^e^3"

EXPRESSION_CASES = [
    # towers, huge exponents and numbers
    (["diff", f"x + {TOWER}"], "too large", True),
    (["diff", f"{TOWER} x"], "too large", True),
    (["diff", f"sin({TOWER} x)"], "too large", True),
    (["diff", "x^(e^e^e^e^e)"], "too large", True),
    (["diff", "e^(10^10) x"], "Result", False),
    (["diff", "x^(10^100)", "--at", "x=2"], "digits", True),
    (["diff", "x^(10^100)", "--at", "x=1"], None, False),
    (["diff", "x^(10^100)"], "Result", False),
    (["diff", "1/(y - x^1024)", "--wrt", "y"], "Result", False),
    (["diff", "(x+1)^1000"], "Result", False),
    (["diff", "(x^2+1)^500/(x-1)^300"], None, False),
    (["diff", "10^10^10^10"], None, True),
    (["diff", "x*10^4001"], None, True),
    (["diff", "9" * 1001 + "x"], None, True),
    (["diff", "x^x^x^x^x", "--order", "5"], "too large", True),
    (["diff", "x^x^x^x", "--order", "20"], None, True),
    (["diff", "x", "--order", "1000000000"], None, True),
    (["diff", "x^2", "--order", "-1"], None, True),
    (["diff", "1000!x"], None, False),
    (["diff", "100000!x"], None, True),
    (["diff", "(10^100)!"], None, True),
    (["diff", "gamma(10^100) x"], None, False),
    (["diff", "x^(1/10^100)"], None, False),
    (["diff", "x^0.1e-99999"], None, False),
    (["diff", "1e999999 x"], None, True),
    (["diff", "x^(2^(2^(2^(2^2))))"], None, False),
    (["diff", "exp(exp(exp(exp(x))))", "--at", "x=10"], None, False),
    (["diff", "exp(x)", "--at", "x=10^10"], None, False),
    (["diff", "exp(x)", "--at", "x=" + TOWER], None, True),
    (["diff", "x^x", "--at", "x=10^100"], None, False),
    (["diff", "sin(x)", "--at", "x=10^1000"], None, False),
    (["diff", "log(x)", "--at", "x=0"], None, False),
    (["diff", "1/x", "--at", "x=0"], None, False),
    (["diff", "sqrt(x)", "--at", "x=-1"], None, False),
    # nesting and length
    (["diff", "(" * 5000 + "x" + ")" * 5000], None, True),
    (["diff", "sin(" * 300 + "x" + ")" * 300], None, True),
    (["diff", "x" + "^x" * 200], None, True),
    (["diff", "+".join(["x"] * 4000)], "4000", False),
    (["diff", "x" * 20000], None, True),
    (["diff", " + ".join(f"sin({k}x)" for k in range(1, 400))], None, False),
    (["diff", "*".join(f"(x+{k})" for k in range(1, 70))], None, False),
    (["diff", "-" * 5000 + "x"], "Result", False),
    (["diff", "x" + "'" * 1000], None, True),
    (["diff", "|" * 1001 + "x" + "|" * 1001], None, True),
    # odd characters and injection attempts
    (["diff", "__import__('os').system('echo pwned')"], None, True),
    (["diff", "x.__class__.__mro__"], None, True),
    (["diff", "lambda: 0"], None, True),
    (["diff", "exec('1')"], None, True),
    (["diff", "\u202ex^2"], None, True),
    (["diff", "x\u200b^2"], None, True),
    (["diff", "𝑥²"], None, False),
    (["diff", "x²³⁴⁵"], None, False),
    (["diff", "٣x"], None, True),
    (["diff", "x^2 \U0001F600"], None, True),
    (["diff", ""], None, True),
    (["diff", "   "], None, True),
    (["diff", "x^"], None, True),
    (["diff", "()"], None, True),
    (["diff", "[x, y]"], None, True),
    (["diff", "x = 2"], None, True),
    (["diff", "x < 2"], None, True),
    (["diff", "0/0 x"], None, False),
    (["diff", "zoo x"], None, True),
    (["diff", "oo x"], None, False),
    (["diff", "nan"], None, True),
    (["diff", "x^2", "--wrt", "x" * 5000], None, True),
    (["diff", "x^2", "--wrt", "__class__"], None, True),
    (["diff", "x^2", "--var", "a" * 5000], None, False),
    (["diff", "x^2", "--at", "x=" + "9" * 5000], None, True),
    (["diff", "x^2", "--at", "x=(" * 200 + "1" + ")" * 200], None, True),
    (["diff", "x^2", "--at", "y=1"], None, True),
    (["diff", "x^2", "--at", "x=1,x=2"], None, True),
    (["diff", "x^2", "--at", "x=i"], None, True),
    # activations and functions at their edges
    (["diff", "|softplus(log(0))|"], None, False),
    (["diff", "softplus(" * 60 + "x" + ")" * 60], None, False),
    (["diff", "sigmoid(10^1000 x)", "--at", "x=1"], None, False),
    (["diff", "relu(x)", "--at", "x=0"], None, False),
    (["diff", "step(x - 1) x"], None, False),
    (["diff", "floor(x)"], None, True),
    (["diff", "gamma(x)", "--at", "x=0"], None, False),
    # other commands
    (["first-principles", "x^(10^100)"], "too high", True),
    (["first-principles", "x^1024"], None, True),
    (["first-principles", TOWER + " x"], "too large", True),
    (["first-principles", "1/(x - 1)^40"], None, True),
    (["first-principles", "sin(x)", "--at", "x=10^1000"], None, False),
    (["grad", "x^(10^100) + y", "--at", "x=2,y=1"], None, True),
    (["grad", " + ".join(f"x{k}" for k in range(1, 40))], None, True),
    (["grad", f"x + {TOWER} y"], "too large", True),
    (["hessian", "x^x^x^x * y^y^y^y"], None, False),
    (["hessian", "x^(10^100) y", "--at", "x=2,y=2"], None, True),
    (["jacobian", "x^2", "y^2", "--vars", "x,y"], None, False),
    (["descend", "gamma(x)", "--start", "x=2", "--lr", "0.1"], None, False),
    (["descend", "step(x - 1) x", "--start", "x=2", "--lr", "0.1"], "numeric", True),
    (["descend", "x^2", "--start", "x=1", "--lr", "1e308"], None, False),
    (["descend", "x^2", "--start", "x=1e308", "--lr", "10"], None, False),
    (["descend", "x^2", "--start", "x=1", "--lr", "0.1", "--steps", "1000000000"], None, True),
    (["descend", "x^2", "--start", "x=" + "9" * 400, "--lr", "0.1"], None, False),
    (["descend", "exp(exp(exp(x)))", "--start", "x=5", "--lr", "0.1"], None, False),
    (["descend", "erf(x)^2", "--start", "x=1", "--lr", "0.1"], None, False),
    (["descend", f"x^2 + {TOWER}", "--start", "x=1", "--lr", "0.1"], None, True),
    (["check", "2x sin x + x^2 cos x + sqrt(-1) e^e^e^e^3", "--of", "x^2 sin x"], "too large", True),
    (["check", "|softplus(log(0))|", "--of", "x^2 sin x"], None, False),
    (["check", "x^(10^100)", "--of", "x^2"], None, False),
    (["check", "x^x^x^x^x^x^x", "--of", "x^x^x"], None, False),
    (["check", "(x+1)^1000 - (x+1)^1000 + 2x", "--of", "x^2"], None, False),
    (["check", "2x", "--of", TOWER + " x"], None, True),
    (["network", "--layers", "1000000000"], "at most", True),
    (["network", "--layers", "0"], None, True),
    (["network", "--widths", "4096,4096,4096"], None, True),
    (["network", "--widths", "1," * 300 + "1"], None, True),
    (["network", "--layers", "3", "--activation", "x" * 10000], None, True),
    (["network", "--layers", "3", "--param", "W9999999999[0,0]"], None, True),
    (["practice", "--count", "1000000000"], None, True),
    (["practice", "--seed", "9" * 400], None, False),
    (["practice", "--rules", "x" * 5000], None, True),
    (["--timeout", "0.5", "diff", "x^x^x^x^x", "--order", "4"], None, False),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "expect", "refused"), EXPRESSION_CASES,
                         ids=[" ".join(a)[:60] for a, _, _ in EXPRESSION_CASES])
def test_hostile_expression(args, expect, refused) -> None:
    """A hostile expression or option ends within budget with a result or one message."""
    seconds = REFUSE_SECONDS if refused else SECONDS
    status, out, err, elapsed = run_calcgrad(*args, "--format", "plain", seconds=seconds)
    assert_ends_well(status, out, err, elapsed, seconds, expect)
    if refused:
        assert 2 == status, out[-300:]
