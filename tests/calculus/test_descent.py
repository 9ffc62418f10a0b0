"""Tests for gradient descent (calcgrad.calculus.descent), against independent plain-Python loops."""

from __future__ import annotations

import csv
import io
import json
import math

import mpmath
import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calcgrad import LimitError, UsageError
from calcgrad.cli import main
from calcgrad.calculus.descent import descend, numeric
from tests.strategies import x, y


def run(*args: str):
    return CliRunner().invoke(main, ["descend", *args])


def reference_descent(gradient, f, w, lr, steps, tol, momentum=0.0):
    """Gradient descent written out separately: the rows (k, w, ∇f, f, ‖Δw‖) and converged."""
    rows, velocity, step = [], [0.0] * len(w), None
    for k in range(steps + 1):
        g = gradient(*w)
        rows.append((k, tuple(w), tuple(g), f(*w), step))
        if math.hypot(*g) <= tol:
            return rows, True
        if k == steps:
            return rows, False
        if momentum:
            velocity = [momentum * v - lr * gi for v, gi in zip(velocity, g)]
            new = [wi + v for wi, v in zip(w, velocity)]
        else:
            new = [wi - lr * gi for wi, gi in zip(w, g)]
        step = math.hypot(*(a - b for a, b in zip(new, w)))
        w = new
    raise AssertionError("unreachable")


def trace_rows(descent):
    return [(r.k, r.point, r.gradient, r.f, r.step) for r in descent.trace]


# --- the trace equals an independent loop, to the last digit --------------------------------------


def test_quadratic_trace_matches_reference() -> None:
    """x² + 3y² from (1, 2) with η = 0.1: every float equals the hand-written loop's."""
    d = descend("x^2 + 3y^2", "x=1, y=2", 0.1, iterations=200, tol=1e-8)
    assert (2 * x, 6 * y) == d.gradient
    expected, converged = reference_descent(lambda a, b: (2 * a, 6 * b),
                                            lambda a, b: a**2 + 3 * b**2, [1.0, 2.0], 0.1, 200, 1e-8)
    assert expected == trace_rows(d)
    assert converged is d.converged is True


def test_momentum_trace_matches_reference() -> None:
    """With momentum μ = 0.9 the heavy-ball update matches the hand-written loop exactly."""
    d = descend("x^2 + 3y^2", "x=1, y=2", 0.05, iterations=300, tol=1e-10, momentum=0.9)
    expected, converged = reference_descent(lambda a, b: (2 * a, 6 * b),
                                            lambda a, b: a**2 + 3 * b**2, [1.0, 2.0], 0.05, 300,
                                            1e-10, momentum=0.9)
    assert expected == trace_rows(d)
    assert converged is d.converged


def test_quartic_trace_matches_reference() -> None:
    """x⁴ − 3x (a non-quadratic) matches the loop on its gradient 4x³ − 3."""
    d = descend("x^4 - 3x", "x=2", 0.05, iterations=100)
    assert (4 * x**3 - 3,) == d.gradient
    expected, converged = reference_descent(lambda a: (4 * a**3 - 3,), lambda a: a**4 - 3 * a,
                                            [2.0], 0.05, 100, 1e-8)
    assert expected == trace_rows(d)
    assert converged is d.converged


def test_sigmoid_loss_trace_matches_reference() -> None:
    """A logistic-style loss softplus(−w) + w²/10 follows the loop with σ written out."""
    d = descend("softplus(-w) + w^2/10", "w=-1", 0.5, iterations=80)
    w = sympy.Symbol("w", real=True)
    assert 0 == sympy.simplify(d.gradient[0].rewrite(sympy.exp) - w / 5 + 1 / (1 + sympy.exp(w)))
    for row in d.trace:
        a = row.point[0]
        assert pytest.approx(a / 5 - 1 / (1 + math.exp(a)), rel=1e-14, abs=1e-15) == row.gradient[0]


# --- stopping, divergence, warnings ------------------------------------------------------------------


def test_stops_at_tolerance() -> None:
    """The run stops at the first k with ‖∇f‖ ≤ tol and says so."""
    d = descend("x^2", "x=1", 0.25, iterations=1000, tol=1e-6)
    assert d.converged
    assert d.final.gradient_norm <= 1e-6
    assert all(r.gradient_norm > 1e-6 for r in d.trace[:-1])
    assert "≤ tolerance" in d.reason


def test_divergence_names_stable_learning_rate() -> None:
    """η = 0.4 on x² + 3y² diverges; the warning gives the stable bound η < 2/λ_max = 1/3."""
    d = descend("x^2 + 3y^2", "x=1,y=2", 0.4, iterations=30)
    assert not d.converged
    assert pytest.approx(1 / 3) == d.stable_learning_rate
    assert any("diverging" in w and "2/λ_max = 0.333333" in w for w in d.warnings)


def test_momentum_stable_bound() -> None:
    """With momentum the quadratic's bound is 2(1 + μ)/λ_max."""
    d = descend("x^2 + 3y^2", "x=1,y=2", 0.1, momentum=0.5)
    assert pytest.approx(2 * 1.5 / 6) == d.stable_learning_rate


def test_overflow_is_reported() -> None:
    """e^(x²) with a large step overflows: the run stops and says so, no exception."""
    d = descend("e^(x^2)", "x=3", 1.0)
    assert not d.converged
    assert "overflow" in d.reason


def test_leaving_the_domain_is_reported() -> None:
    """√x stepped past 0 leaves its domain: reported as such."""
    d = descend("sqrt(x)", "x=1", 1.0)
    assert "not defined" in d.reason


def test_unbounded_quadratic_is_named() -> None:
    """A saddle x² − y² has no minimum: the warning says why."""
    d = descend("x^2 - y^2", "x=1,y=1", 0.1, iterations=10)
    assert any("no minimum" in w for w in d.warnings)


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    pytest.param(("--start", "x=a", "--lr", "0.1"), "must be a number", id="non-numeric-start"),
    pytest.param(("--start", "x=1,z=2", "--lr", "0.1"), "not a variable", id="unknown-variable"),
    pytest.param(("--start", "x=1", "--lr", "0.1"), "missing: y", id="missing-variable"),
    pytest.param(("--start", "x=1,y=1", "--lr", "0"), "greater than 0", id="zero-lr"),
    pytest.param(("--start", "x=1,y=1", "--lr", "-1"), "greater than 0", id="negative-lr"),
    pytest.param(("--start", "x=1,y=1", "--lr", "nan"), "finite", id="nan-lr"),
    pytest.param(("--start", "x=1,y=1", "--lr", "0.1", "--iterations", "10000000"), "too many",
                 id="too-many-steps"),
    pytest.param(("--start", "x=1,y=1", "--lr", "0.1", "--momentum", "1"), "[0, 1)", id="momentum"),
    pytest.param(("--start", "x=1,y=1", "--lr", "abc"), "Invalid value", id="lr-not-a-number"),
    pytest.param(("--start", "x=1/0,y=1", "--lr", "0.1"), "division by zero", id="start-1/0"),
])
def test_cli_bad_input(args, message: str) -> None:
    """Bad input is one clear message and exit status 2, never a traceback."""
    result = run("x^2 + y^2", *args)
    assert 2 == result.exit_code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_api_bad_input() -> None:
    """The API raises calcgrad's own errors."""
    with pytest.raises(UsageError):
        descend("x^2", "x=1", -0.1)
    with pytest.raises(LimitError):
        descend("x^2", "x=1", 0.1, iterations=10**9)


# --- formats ----------------------------------------------------------------------------------------


def test_json_contract() -> None:
    """JSON holds the documented keys and the whole trace, floats in full."""
    result = run("x^2 + 3y^2", "--start", "x=1,y=2", "--lr", "0.1", "--iterations", "60",
                 "--format", "json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    for key in ("expression", "variables", "gradient", "learning_rate", "momentum", "trace",
                "converged", "reason"):
        assert key in data
    assert ["x", "y"] == data["variables"]
    assert ["2*x", "6*y"] == data["gradient"]
    assert 61 == len(data["trace"])
    assert {"k", "point", "gradient", "f", "step"} == set(data["trace"][0])
    d = descend("x^2 + 3y^2", "x=1,y=2", 0.1, iterations=60)
    assert [list(r.point) for r in d.trace] == [row["point"] for row in data["trace"]]


def test_csv_whole_trace() -> None:
    """CSV has a header and one row per iteration, floats that read back exactly."""
    result = run("x^2 + 3y^2", "--start", "x=1,y=2", "--lr", "0.1", "--iterations", "100",
                 "--format", "csv")
    assert 0 == result.exit_code, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert ["k", "x", "y", "df/dx", "df/dy", "f", "step"] == rows[0]
    d = descend("x^2 + 3y^2", "x=1,y=2", 0.1, iterations=100)
    assert len(d.trace) == len(rows) - 1
    assert d.final.point == (float(rows[-1][1]), float(rows[-1][2]))


@pytest.mark.parametrize("fmt, marker", [
    pytest.param("plain", "w ← w − η∇f(w)", id="plain"),
    pytest.param("rich", "∇f = [∂f/∂x, ∂f/∂y] = [2x, 6y]", id="rich"),
    pytest.param("latex", r"w \leftarrow w - \eta \nabla f(w)", id="latex"),
    pytest.param("markdown", "| k |", id="markdown"),
])
def test_human_formats(fmt: str, marker: str) -> None:
    """Each format shows the gradient, update rule and trace; long traces are shortened."""
    result = run("x^2 + 3y^2", "--start", "x=1,y=2", "--lr", "0.1", "--format", fmt)
    assert 0 == result.exit_code, result.output
    assert marker in result.stdout
    assert "Traceback" not in result.output


def test_no_progress_bar_when_piped() -> None:
    """A long run piped (not a terminal) writes no progress bar, only the result."""
    result = run("x^2", "--start", "x=1", "--lr", "0.001", "--iterations", "5000", "--format", "json")
    assert 0 == result.exit_code, result.output
    json.loads(result.stdout)
    assert "descending" not in result.output


def test_jupyter_display() -> None:
    """The result displays itself as LaTeX and Markdown in Jupyter."""
    d = descend("x^2", "x=1", 0.1)
    assert d._repr_latex_().startswith("$$")
    assert "**Result**" in d._repr_markdown_()
    assert str(d) == d.plain()


# --- odd roots of negative numbers are real, as in calcgrad diff -----------------------------------


@pytest.mark.parametrize("expression, start, f0, gradient0", [
    pytest.param("x^(2/3) + x^2", "x=-1", 2.0, -2 - 2 / 3, id="two-thirds"),
    pytest.param("cbrt(x)^2", "x=-1", 1.0, -2 / 3, id="cube-root-squared"),
    pytest.param("x^(4/3)", "x=-2", 2 ** (4 / 3), -4 / 3 * 2 ** (1 / 3), id="four-thirds"),
])
def test_odd_roots_of_negative_starts_are_real(expression, start, f0, gradient0) -> None:
    """∛ of a negative number is real: the run starts, and its first row is f and f′ there."""
    result = run(expression, "--start", start, "--lr", "0.1")
    assert 0 == result.exit_code, result.output
    assert f"Start: {start.replace('=', ' = ')}" in result.output
    assert "not defined" not in result.output
    first = descend(expression, start, 0.1).trace[0]
    assert pytest.approx(f0, rel=1e-12) == first.f
    assert pytest.approx(gradient0, rel=1e-12) == first.gradient[0]


def test_even_roots_of_negative_starts_stay_undefined() -> None:
    """x^(3/2) = (√x)³ has no real value at −1: a start there is refused (exit 2), with no
    advice about the learning rate, which was never used."""
    with pytest.raises(UsageError, match=r"cannot start at x = -1: f or ∇f is not defined"):
        descend("x^(3/2)", "x=-1", 0.1)
    result = run("x^(3/2)", "--start", "x=-1", "--lr", "0.1")
    assert 2 == result.exit_code
    assert "learning rate" not in result.output


def test_start_where_f_divides_by_zero_is_refused() -> None:
    """1/x at 0 cannot even start: one clear message naming the start point."""
    with pytest.raises(UsageError, match=r"cannot start at x = 0: division by zero"):
        descend("1/x", "x=0", 0.1)


@settings(max_examples=60, deadline=None)
@given(p=st.integers(-7, 7).filter(bool), q=st.sampled_from([3, 5, 7, 9]),
       a=st.floats(-50, -0.01))
def test_numeric_odd_root_is_mpmath_real_root(p: int, q: int, a: float) -> None:
    """x^(p/q), q odd, at x < 0 equals mpmath's real q-th root (branch k = (q−1)/2) to the power p."""
    exponent = sympy.Rational(p, q)
    expected = mpmath.re(mpmath.root(a, q, (q - 1) // 2)) ** p
    actual = numeric((x,), x ** exponent)(a)
    assert pytest.approx(float(expected), rel=1e-12) == float(actual)
