"""Output that fits: at 60, 80 and 120 columns Rich never cuts a number; wide matrices become
lists of entries; equal mixed partials print identically; numbers in text paste into code."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from calcgrad import descend, hessian
from calcgrad.grading.batch import grade
from calcgrad.networks.network import Network
from calcgrad.render.notation import to_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WIDTHS = [60, 80, 120]


def rich_text(result, width: int) -> str:
    console = Console(width=width, color_system=None, record=True, file=io.StringIO())
    console.print(result)
    return console.export_text()


def walkthrough():
    return Network.from_spec(EXAMPLES / "network_2_3_1.json").walkthrough()


@pytest.mark.parametrize("width", WIDTHS)
def test_walkthrough_shows_every_digit(width: int) -> None:
    """Every gradient is shown with all its digits, and no cell is cut with "…"."""
    w = walkthrough()
    text = rich_text(w, width)
    shown = [w.number(g) for g in w.gradients.values()]
    assert ([], text.count("…")) == ([g for g in shown if g not in text], rich_text(w, 1000).count("…"))


@pytest.mark.parametrize("width", WIDTHS)
def test_descent_trace_is_never_cut(width: int) -> None:
    """The descent trace wraps or goes vertical; it never ends a number with "…"."""
    d = descend("x^2 + 3y^2 + x y", start="x=1.2345678, y=-0.98765", lr=0.05, iterations=8)
    assert rich_text(d, 1000).count("…") == rich_text(d, width).count("…")


@pytest.mark.parametrize("width", WIDTHS)
def test_grade_report_is_never_cut(width: int) -> None:
    """The grade summary wraps or goes vertical; it never cuts a cell."""
    report = grade((EXAMPLES / "submissions.csv").read_text(encoding="utf-8"),
                   (EXAMPLES / "key.toml").read_text(encoding="utf-8"), jobs=1)
    assert rich_text(report, 1000).count("…") == rich_text(report, width).count("…")


HESSIAN = "sin(x y z) + e^(x^2 y) + ln(1 + z^2)"


def test_symmetric_entries_print_identically() -> None:
    """H₁₂ and H₂₁ (and every mixed pair) are printed in one and the same form."""
    m = hessian(HESSIAN).matrix
    pairs = [(i, j) for i in range(3) for j in range(i + 1, 3)]
    assert [to_text(m[i, j]) for i, j in pairs] == [to_text(m[j, i]) for i, j in pairs]


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_hessian_is_a_list_of_entries(width: int) -> None:
    """Too wide for the terminal, the Hessian is listed entry by entry, each pair once."""
    text = rich_text(hessian(HESSIAN), width)
    assert (True, False) == ("H₁₂ = H₂₁ = " in text, "⎡" in text)


def test_narrow_hessian_stays_a_matrix() -> None:
    """A Hessian that fits is drawn as a matrix in brackets."""
    text = rich_text(hessian("x^2 y^3"), 60)
    assert ("⎡" in text, "H₁₂" in text) == (True, False)


def test_text_numbers_use_ascii_minus_and_json_is_full_precision() -> None:
    """Numbers in the walkthrough text paste into code; JSON holds the float itself."""
    w = walkthrough()
    text, data = w.plain(), json.loads(w.render("json"))
    assert ("-0.0953966229" in text, "−0.0953966229" in text) == (True, False)
    assert float(w.gradients["W1[1,2]"]) == data["gradients"]["W1[1,2]"]
