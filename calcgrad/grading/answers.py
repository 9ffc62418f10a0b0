"""What students write around an answer: derivative notation before it, "+ C" after it, or no
answer at all ("idk", "?", "-").

`prepare(text)` returns the expression text to read and notes saying what was removed, so a
verdict can say "read as 2x − 5, after removing 'f'(x) ='". Pure text work: the expression itself
is read only by calcgrad.read.parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NO_ANSWER_WORDS = frozenset({
    "", "?", "??", "???", "-", "--", "—", "–", "_", "...", "…", ".", "idk", "i dont know",
    "i don't know", "dont know", "don't know", "dunno", "no idea", "n/a", "na", "none", "nothing",
    "no answer", "skip", "skipped", "pass", "blank", "not sure", "unsure", "?!", "tbd",
})
"""Texts (after trimming, case-folding and dropping final punctuation) that mean no answer.
(Not "x": that is a valid answer, d/dx x²/2.)"""

_DERIVATIVE_LEFT = re.compile(
    r"""^\s*(?:
        [A-Za-z]\w*\s*(?:'+|′+|″|‴)\s*(?:\([^()=]*\))?     # f'(x), y', f''(x), g′
      | d\s*(?:\^?\s*\d+|[²³])?\s*[A-Za-z]?\w*\s*/\s*d\s*[A-Za-z]\w*(?:\s*\^?\s*\d+|[²³])?.*  # dy/dx, d/dx(...), d^2y/dx^2
      | ∂.*                                               # ∂f/∂x
    )\s*$""", re.VERBOSE)

_CONSTANT = re.compile(r"\s*\+\s*[Cc]\s*$")


@dataclass(frozen=True)
class PreparedAnswer:
    """The text to read, and what was done to the student's text to get it.

    `no_answer` is True for a blank or a placeholder such as "idk"; `removed_prefix` is the
    derivative notation removed from the front ("dy/dx ="); `constant` is True when a trailing
    "+ C" was removed (a derivative has no constant of integration).
    """

    original: str
    text: str
    no_answer: bool = False
    removed_prefix: str = ""
    constant: bool = False

    @property
    def notes(self) -> tuple[str, ...]:
        """Sentences saying what was removed before reading."""
        notes = []
        if self.removed_prefix:
            notes.append(f"after removing '{self.removed_prefix}'")
        if self.constant:
            notes.append("after removing '+ C'")
        return tuple(notes)


def prepare(text: str, constant_is_variable: bool = False) -> PreparedAnswer:
    """The answer text without derivative notation in front or "+ C" behind.

    `constant_is_variable` keeps a trailing "+ C" when C is a variable of the problem.
    """
    original = text
    body = text.strip()
    if is_no_answer(body):
        return PreparedAnswer(original, "", no_answer=True)
    prefix = ""
    cut = last_top_level_equals(body)
    if cut >= 0 and _DERIVATIVE_LEFT.match(body[:cut]):
        prefix = body[:cut + 1].strip()
        body = body[cut + 1:].strip()
        if is_no_answer(body):
            return PreparedAnswer(original, "", no_answer=True, removed_prefix=prefix)
    constant = False
    if not constant_is_variable and _CONSTANT.search(body) and _CONSTANT.sub("", body).strip():
        body = _CONSTANT.sub("", body).strip()
        constant = True
    return PreparedAnswer(original, body, removed_prefix=prefix, constant=constant)


def is_no_answer(text: str) -> bool:
    """Blank, or a placeholder that says the student does not know ("idk", "?", "n/a")."""
    folded = " ".join(text.strip().casefold().replace("’", "'").split())
    return folded.rstrip(".!") in NO_ANSWER_WORDS or folded in NO_ANSWER_WORDS


def last_top_level_equals(text: str) -> int:
    """The position of the last `=` outside brackets, or −1."""
    depth, cut = 0, -1
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            cut = i
    return cut


__all__ = ["NO_ANSWER_WORDS", "PreparedAnswer", "is_no_answer", "prepare"]
