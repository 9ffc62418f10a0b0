"""Tests for calcgrad.render.escape: one escaping function per target, exact output."""

from __future__ import annotations

import csv
import io

import pytest

from calcgrad.render.escape import csv_table, csv_text, latex_text, markdown_text


def test_latex_text_escapes_specials() -> None:
    """LaTeX's special characters are escaped; Unicode math becomes LaTeX."""
    assert r"50\% of \$x\_1\$ \& \{y\} \#2 a\textasciitilde{}b c\^{}d \textbackslash{}" == \
        latex_text("50% of $x_1$ & {y} #2 a~b c^d \\")
    assert r"f' $\cdot$ g - 1" == latex_text("f′ · g − 1")


def test_markdown_text_escapes_specials() -> None:
    """Markdown emphasis, code, links, math and table bars are escaped; HTML becomes entities."""
    assert r"a\*b\_c \`d\` \[e\](f) \$x\$ g\|h &lt;i&gt;" == markdown_text("a*b_c `d` [e](f) $x$ g|h <i>")


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+x", "'+x"), ("-cmd", "'-cmd"), ("@sum", "'@sum"), ("2x", "2x"), ("", ""),
], ids=["equals", "plus", "minus", "at", "plain", "empty"])
def test_csv_text_defuses_formulas(text: str, expected: str) -> None:
    """A text cell never starts like a spreadsheet formula."""
    assert expected == csv_text(text)


def test_csv_table_round_trips() -> None:
    """csv_table writes what the csv module reads back, commas and quotes included."""
    rows = [[1, 'say "hi", then go', "x"], [2, "", "y"]]
    text = csv_table(["n", "text", "name"], rows)
    assert [["n", "text", "name"], ["1", 'say "hi", then go', "x"], ["2", "", "y"]] == \
        list(csv.reader(io.StringIO(text)))
