"""One escaping function per output target, used by every renderer: LaTeX, Markdown, CSV.

Words a renderer writes (titles, explanations, feedback, a student's answer) go through the
function for its target, so user text can never break the document it lands in.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_LATEX_UNICODE = {"′": "'", "−": "-", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
                  "…": r"\dots{}", "·": r"$\cdot$", "×": r"$\times$", "≠": r"$\neq$", "≈": r"$\approx$",
                  "≤": r"$\leq$", "≥": r"$\geq$", "±": r"$\pm$", "→": r"$\to$", "←": r"$\leftarrow$",
                  "⇒": r"$\Rightarrow$", "∂": r"$\partial$", "∇": r"$\nabla$", "‖": r"$\|$",
                  "√": r"$\surd$", "∞": r"$\infty$", "Σ": r"$\Sigma$", "∈": r"$\in$", "✓": "(checked)",
                  "✗": "(failed)", "ℓ": r"$\ell$", "ŷ": r"$\hat{y}$"}
_SUPERSCRIPTS, _SUBSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ⁿˣᵀ", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_SCRIPT_PLAIN = str.maketrans(_SUPERSCRIPTS + _SUBSCRIPTS, "0123456789()+-nxT" + "0123456789aehijklmnoprstuvx")
_SCRIPT_RUN = re.compile(f"(?P<sup>[{_SUPERSCRIPTS}]+)|(?P<sub>[{_SUBSCRIPTS}]+)|.", re.DOTALL)
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho "
          "varsigma sigma tau upsilon phi chi psi omega").split()
_LATEX_UNICODE.update({chr(0x3B1 + i): "$o$" if name == "o" else r"$\%s$" % name for i, name in enumerate(_GREEK)})
_LATEX_UNICODE.update({"Γ": r"$\Gamma$", "Δ": r"$\Delta$", "Θ": r"$\Theta$", "Λ": r"$\Lambda$",
                       "Π": r"$\Pi$", "Φ": r"$\Phi$", "Ψ": r"$\Psi$", "Ω": r"$\Omega$"})
"""Unicode calcgrad writes in words → ASCII LaTeX; anything else is written as its code point."""


_LATEX_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
                  "\u0306": "u", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v",
                  "\u0327": "c"}
"""Combining mark → the LaTeX accent command that puts it on a letter (all in plain LaTeX)."""
_LATEX_LETTERS = {"ø": r"\o{}", "Ø": r"\O{}", "ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}",
                  "œ": r"\oe{}", "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}"}
"""Letters of names (a roster's, on a handout) that are no accented ASCII letter."""


def _latex_char(c: str) -> str:
    if c.isascii():
        return c
    known = _LATEX_UNICODE.get(c) or _LATEX_LETTERS.get(c)
    if known:
        return known
    letter, *marks = unicodedata.normalize("NFD", c)
    if letter.isascii() and letter.isalpha() and len(marks) == 1 and marks[0] in _LATEX_ACCENTS:
        base = "\\" + letter if letter in "ij" else letter  # í: the accent on a dotless i
        return "\\%s{%s}" % (_LATEX_ACCENTS[marks[0]], base)  # Zoë → Zo\"{e}
    return "(U+%04X)" % ord(c)  # pure ASCII, so every engine compiles it


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]$|#!~"})
_CSV_FORMULA_START = ("=", "+", "-", "@")


def latex_text(words: str) -> str:
    """Words made safe as LaTeX text (inside \\text{…} or in a paragraph)."""
    pieces: list[str] = []
    for run in _SCRIPT_RUN.finditer(words):
        text = run.group()
        if run["sup"] or run["sub"]:  # x², w⁽¹⁾, w₁₂: one group, never a double superscript
            piece = ("$^{%s}$" if run["sup"] else "$_{%s}$") % text.translate(_SCRIPT_PLAIN)
        else:
            piece = _LATEX_SPECIAL.get(text) or _latex_char(text)
        if piece.startswith("$") and pieces and len(pieces[-1]) > 1 and pieces[-1][0] == pieces[-1][-1] == "$":
            pieces[-1] = pieces[-1][:-1] + piece[1:]  # neighbours in one formula: $\|\nabla$
        else:
            pieces.append(piece)
    return "".join(pieces)


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


def toml_string(text: str) -> str:
    """Text as a TOML basic string: quoted, with quotes, backslashes and control characters
    escaped (JSON's string escapes are all valid TOML escapes; non-ASCII stays as it is, since
    TOML has no escapes for surrogate pairs)."""
    import json  # lazy: start-up speed (only a written key needs it)

    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_key(name: str) -> str:
    """A TOML key: bare when it is only letters, digits, '_' and '-', else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else toml_string(name)
