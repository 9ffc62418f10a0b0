"""One escaping function per output target, used by every renderer: LaTeX, Markdown, CSV.

Words a renderer writes (titles, explanations, feedback, a student's answer) go through the
function for its target, so user text can never break the document it lands in.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_LATEX_UNICODE = {"′": "'", "−": "-", "·": r"$\cdot$", "≠": r"$\neq$", "σ": r"$\sigma$",
                  "ˣ": r"$^{x}$", "⇒": r"$\Rightarrow$", "≈": r"$\approx$"}
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]$|#!~"})
_CSV_FORMULA_START = ("=", "+", "-", "@")


def latex_text(words: str) -> str:
    """Words made safe as LaTeX text (inside \\text{…} or in a paragraph)."""
    out = "".join(_LATEX_SPECIAL.get(c, c) for c in words)
    return "".join(_LATEX_UNICODE.get(c, c) for c in out)


def markdown_text(words: str) -> str:
    """Words made safe in Markdown, also inside a table cell: Markdown punctuation escaped, HTML
    such as <script> as entities (Markdown renders raw HTML), line breaks as spaces."""
    flat = " ".join(words.split()) if "\n" in words or "\r" in words else words
    return html.escape(flat, quote=False).translate(_MARKDOWN)


def csv_text(text: str) -> str:
    """A text cell that spreadsheets will not run as a formula (=, +, -, @ at the start)."""
    return "'" + text if text[:1] in _CSV_FORMULA_START else text


def csv_table(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A CSV document (quoting by the csv module); text cells should come through csv_text."""
    import csv  # lazy: start-up speed (only CSV output needs the csv module)
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
