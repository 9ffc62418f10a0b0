"""Tests for calcgrad/engine/tidy.py: final answers as tidy as an answer key's, and the identity named."""

from __future__ import annotations

import pytest
import sympy

import calcgrad
from calcgrad.engine.tidy import real_sign_identities, tidy_with_reason

x = sympy.Symbol("x", real=True)

TEXTBOOK = [
    ("x tan x + ln(cos x)", x * sympy.sec(x) ** 2, "tan u = sin u/cos u"),
    ("sin x/(1 + cos x)", 1 / (1 + sympy.cos(x)), "sin²u + cos²u = 1"),
    ("sin x cos x tan x", 2 * sympy.sin(x) * sympy.cos(x), "sin²u + cos²u = 1"),
    ("x sqrt(1 - x^2) + arcsin x", 2 * sympy.sqrt(1 - x**2), ""),
    ("ln((x + 1)/(x - 1))", -2 / (x**2 - 1), ""),
    ("ln|x|", 1 / x, "sign(u)·|u| = u"),
    ("x|x|", 2 * sympy.Abs(x), "sign(u)·|u| = u"),
    ("tan x", sympy.sec(x) ** 2, ""),
]


@pytest.mark.parametrize("text,expected,identity", TEXTBOOK, ids=[t for t, _, _ in TEXTBOOK])
def test_textbook_forms(text: str, expected: sympy.Expr, identity: str) -> None:
    """The final answer is the answer key's form, and the Simplify step names the identity it used."""
    derivation = calcgrad.diff(text)
    assert expected == derivation.result
    simplify_step = derivation.steps[1]
    assert identity in "".join(str(p) for p in simplify_step.explanation)


def test_secant_preferred_only_when_the_question_used_tan_or_sec() -> None:
    """1/cos² prints as sec² after a tan question; a cos question keeps cosines."""
    assert sympy.sec(x) ** 2 == calcgrad.diff("tan x").result
    assert sympy.sin(x) / sympy.cos(x) ** 2 == calcgrad.diff("1/cos(x)").result


@pytest.mark.parametrize("expr,expected", [
    (sympy.sign(x) / sympy.Abs(x), 1 / x),
    (x * sympy.sign(x), sympy.Abs(x)),
    (sympy.sign(x - 1) * sympy.Abs(x - 1) ** 3, (x - 1) * (x - 1) ** 2),
    (sympy.sign(x) * sympy.cos(x), sympy.sign(x) * sympy.cos(x)),
])
def test_sign_identities(expr: sympy.Expr, expected: sympy.Expr) -> None:
    """sign(u)·|u|^k = u·|u|^(k−1) and u·sign(u) = |u|; other products are left alone."""
    assert sympy.simplify(expected - real_sign_identities(expr)) == 0
    assert sympy.count_ops(real_sign_identities(expr)) <= sympy.count_ops(expr)


def test_tidy_never_changes_the_value() -> None:
    """Each tidied form equals the raw derivative at many points."""
    for text, _, _ in TEXTBOOK:
        raw = calcgrad.diff(text).stages[0].result
        tidied, _ = tidy_with_reason(raw)
        for point in (0.3, 0.7, 1.9, -0.4, 2.6):
            a, b = complex(raw.subs(x, point).evalf(30)), complex(tidied.subs(x, point).evalf(30))
            assert abs(a - b) <= 1e-12 * max(1, abs(a))


def test_large_results_skip_identities_quickly() -> None:
    """A result over the size limit is returned as it is, without trying identities."""
    big = sympy.Add(*(sympy.sin(k * x) ** 2 for k in range(1, 200)))
    assert (big, "") == tidy_with_reason(big)
