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


class InputError(CalcgradError, ValueError):
    """Input on which a library calcgrad builds on (SymPy, mpmath, decimal, json, tomllib, the
    float backend) failed: reported as one message about the input, not as a crash."""

    exit_code = 2


_LIBRARIES = ("sympy", "mpmath", "decimal", "_pydecimal", "json", "tomllib", "fractions",
              "numpy", "math", "cmath", "csv", "statistics")


def raised_by_library(error: BaseException) -> bool:
    """True when the innermost frame of `error` lies in one of the libraries calcgrad builds on,
    so the error was triggered by the input rather than by a bug in calcgrad itself; errors
    raised directly by a C function (no frame of their own) count when called from one."""
    # lazy: start-up speed (loaded only when this code runs)
    import os

    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame
        tb = tb.tb_next
    if last is None:
        return False
    path = last.f_code.co_filename.replace(os.sep, "/")
    module = last.f_globals.get("__name__", "")
    return (module.split(".")[0] in _LIBRARIES
            or any(f"/{name}/" in path or path.endswith(f"/{name}.py") for name in _LIBRARIES))


def as_input_error(error: Exception) -> InputError:
    """The message for an input a library could not handle."""
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
    if isinstance(error, OverflowError):
        reason = "a number in it is too large for the computation"
    elif isinstance(error, ZeroDivisionError):
        reason = "it divides by zero somewhere"
    else:
        reason = "the computer-algebra library could not handle it"
    return InputError(f"cannot work with this input: {reason} ({detail}); try writing it "
                      "differently or more simply")
