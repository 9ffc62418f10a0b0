"""Tests for calcgrad.render.checking: each format shows the verdict, the mistake and the answer."""

from __future__ import annotations

from rich.console import Console

from calcgrad.grading.checking import check


def _rich_text(renderable) -> str:
    console = Console(width=100, color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def test_plain_verdict() -> None:
    """Plain text: problem, answer, verdict, mistakes, feedback, correct derivative."""
    text = check("5x^5", of="x^5").plain()
    assert text.splitlines()[:4] == ["Problem: d/dx (x⁵)", "Your answer: 5x⁵", "Verdict: ✗ incorrect",
                                     "Mistakes: power_not_reduced"]
    assert "Correct derivative: 5x⁴" in text


def test_markdown_and_latex_verdict() -> None:
    """Markdown and LaTeX show the math in LaTeX and the mistake codes."""
    verdict = check("5x^5", of="x^5")
    assert "`power_not_reduced`" in verdict.markdown()
    assert r"\frac{d}{dx}" in verdict.latex()
    assert "5 x^{4}" in verdict.latex()


def test_rich_verdict() -> None:
    """The Rich view shows the verdict and the feedback."""
    text = _rich_text(check("x^4", of="x^5"))
    assert "✗ incorrect" in text
    assert "power rule on x⁵" in text


def test_a_long_answer_is_quoted_in_part_where_a_row_needs_a_look() -> None:
    """A 12,000-character answer does not become a 12,000-character summary line."""
    from calcgrad.grading.batch import grade

    answer = "x+" * 6000 + "x"
    report = grade(f"student,question,answer\ns1,q1,{answer}\n", '[q1]\nexpression = "x^2"\n', jobs=1)
    text = report.render("plain")
    look = [line for line in text.splitlines() if "needs a look" in line.lower() or "12,001 characters)" in line]
    assert any("… (12,001 characters)" in line for line in look)
    assert max(len(line) for line in text.splitlines()) < 400
