"""Fuzzing parse, diff and check with hostile text: grammar-aware (operators, functions,
towers, huge numbers, odd brackets and Unicode look-alikes stitched together) and raw Unicode.

Each call must raise nothing but calcgrad's own errors (CalcgradError, or DeadlineExceeded when
its budget runs out) and finish in under 6 s. Slow tier: 3,000 examples in all. Run with
`-s` to print the figures (inputs tried, foreign exceptions, slowest call).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calcgrad
from calcgrad.deadline import DeadlineExceeded
from calcgrad.errors import CalcgradError

CALL_SECONDS = 6.0
BUDGET = 4.0
"""Each call's own time budget (timeout=), below CALL_SECONDS."""

FIGURES = {"inputs": 0, "calls": 0, "foreign": [], "slowest": (0.0, "", "")}

_FUNCTIONS = ["sin", "cos", "tan", "sec", "asin", "acos", "atan", "sinh", "tanh", "exp", "ln",
              "log", "log_2", "sqrt", "cbrt", "abs", "sign", "step", "relu", "sigmoid", "softplus",
              "gamma", "erf", "floor", "max", "min", "arcsin", "lg", "σ", "√", "diff", "sum"]
_NUMBERS = ["0", "1", "2", "3", "0.5", ".5", "1e3", "1e-300", "1e999", "10^100", "10^10^10",
            "9" * 50, "9" * 1200, "1/0", "0/0", "e", "pi", "π", "oo", "inf", "nan", "i", "zoo",
            "e^e^e^e^3", "2^2^2^2^2", "1000!", "100000!", "½", "⅓", "²", "0x1F", "1_000"]
_VARIABLES = ["x", "y", "z", "t", "w_1", "θ", "xy", "loss", "𝑥", "X", "dx"]
_OPERATORS = ["+", "-", "*", "/", "^", "**", "·", "×", "−", "", " ", "!", "'", ",", "=", "<",
              "%", "&", "//", "^-", "⁻¹", "²", "³"]


@st.composite
def grammar_text(draw, depth: int = 0) -> str:
    """Text that is mostly shaped like an expression, with hostile parts spliced in."""
    kind = draw(st.integers(0, 9 if depth < 4 else 2))
    if kind == 0:
        return draw(st.sampled_from(_NUMBERS))
    if kind in (1, 2):
        return draw(st.sampled_from(_VARIABLES))
    if kind in (3, 4):
        left = draw(grammar_text(depth + 1))
        right = draw(grammar_text(depth + 1))
        return left + draw(st.sampled_from(_OPERATORS)) + right
    if kind == 5:
        name = draw(st.sampled_from(_FUNCTIONS))
        inner = draw(grammar_text(depth + 1))
        return draw(st.sampled_from([f"{name}({inner})", f"{name} {inner}", f"{name}^2 {inner}",
                                     f"{name}({inner}, {inner})", f"{name}{inner}"]))
    if kind == 6:
        inner = draw(grammar_text(depth + 1))
        opening, closing = draw(st.sampled_from(["()", "[]", "{}", "||", "((", "))", "(]", "⌊⌋"]))
        return opening + inner + closing
    if kind == 7:
        base = draw(grammar_text(depth + 1))
        return draw(st.sampled_from([f"{base}^{base}^{base}", f"({base})^(10^100)",
                                     f"{base}^(1/3)", f"e^({base})", f"{base}^{base}"]))
    if kind == 8:
        inner = draw(grammar_text(depth + 1))
        return draw(st.sampled_from(["(" * 120, "-" * 50, "sin(" * 40, "|" * 7])) + inner
    return draw(st.text(min_size=0, max_size=6))


def _call(name: str, function, text: str) -> None:
    started = time.monotonic()
    try:
        function()
    except (CalcgradError, DeadlineExceeded):
        pass
    except Exception as error:  # noqa: BLE001 — what the test looks for
        FIGURES["foreign"].append((name, text, f"{type(error).__name__}: {error}"[:200]))
        raise AssertionError(f"{name}({text!r}) raised {type(error).__name__}: {error}") from error
    finally:
        elapsed = time.monotonic() - started
        FIGURES["calls"] += 1
        if elapsed > FIGURES["slowest"][0]:
            FIGURES["slowest"] = (elapsed, name, text)
    assert elapsed < CALL_SECONDS, f"{name}({text!r}) took {elapsed:.1f} s"


def _exercise(text: str) -> None:
    FIGURES["inputs"] += 1
    _call("parse", lambda: calcgrad.parse(text, timeout=BUDGET), text)
    _call("diff", lambda: calcgrad.diff(text, "x", timeout=BUDGET), text)
    _call("check", lambda: calcgrad.check(text, of="x^2 sin x", timeout=BUDGET), text)


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
    slowest = FIGURES["slowest"]
    print(f"\nfuzz figures: {FIGURES['inputs']} inputs, {FIGURES['calls']} calls, "
          f"{len(FIGURES['foreign'])} non-calcgrad exceptions, slowest call "
          f"{slowest[0]:.2f} s ({slowest[1]} {slowest[2][:80]!r})")
    for name, text, error in FIGURES["foreign"]:
        print(f"  {name}({text[:80]!r}): {error}")


_SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.slow
@settings(max_examples=2000, **_SETTINGS)
@given(grammar_text())
def test_grammar_aware_text_raises_only_calcgrad_errors(text: str) -> None:
    """Expression-shaped hostile text: only calcgrad's errors, each call under 6 s."""
    _exercise(text)


@pytest.mark.slow
@settings(max_examples=1000, **_SETTINGS)
@given(st.text(max_size=40))
def test_raw_unicode_raises_only_calcgrad_errors(text: str) -> None:
    """Any Unicode at all: only calcgrad's errors, each call under 6 s."""
    _exercise(text)
