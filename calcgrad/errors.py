"""One error hierarchy for calcgrad; each error knows the CLI exit status it maps to."""

from __future__ import annotations


class CalcgradError(Exception):
    """Base class of every error calcgrad raises on purpose."""

    exit_code = 1


class ParseError(CalcgradError, ValueError):
    """Text that is not a well-formed expression, with where and why.

    `position` is the 0-based offset into `text`; `column` is the same, 1-based,
    as the messages show it.
    """

    exit_code = 2

    def __init__(self, message: str, text: str = "", position: int = 0, hint: str | None = None):
        self.message = message
        self.text = text
        self.position = max(0, min(position, len(text)))
        self.hint = hint
        super().__init__(str(self))

    @property
    def column(self) -> int:
        return self.position + 1

    def __str__(self) -> str:
        located = f"{self.message} (at column {self.column})" if self.text else self.message
        return f"{located}; {self.hint}" if self.hint else located

    def caret(self, width: int = 72) -> str:
        """The text (windowed to `width` characters) with a caret under the fault."""
        text = self.text.replace("\n", " ").replace("\t", " ")
        start = max(0, self.position - width // 2)
        end = min(len(text), start + width)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        line = prefix + text[start:end] + suffix
        return f"{line}\n{' ' * (len(prefix) + self.position - start)}^"


class LimitError(CalcgradError, ValueError):
    """Input that would take too long or too much memory to work through."""

    exit_code = 2


class UsageError(CalcgradError, ValueError):
    """Well-formed input that does not fit the request (unknown variable, ambiguous --wrt …)."""

    exit_code = 2
