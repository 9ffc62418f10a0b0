"""The output protocol every calcgrad result shares, written once.

A result type names the module that renders it (RENDERER, one module per result type in
calcgrad/render/). That module defines one function per format:

    rich_renderable   the terminal view (Rich renderables)
    render_plain      plain text
    render_latex      a LaTeX fragment for course notes
    render_markdown   Markdown with $…$ math
    as_dict           the JSON contract, as a dict (the json format is this dict, dumped)
    render_csv        only for results that are tables (TABLE = True)
    render_aligned    optional: LaTeX for a notebook cell (MathJax); without it Jupyter shows Markdown

so adding a format means one function per renderer module, and nothing else. The module is
imported only when something is rendered, so computing a result never pays for printing it.

Every text format is written at a detail level (DETAILS: full, normal, brief), chosen with
`render(format, detail=…)`, `plain(detail=…)`, `rich(detail=…)` … The level is in force while
the result renders (a context variable, read by calcgrad.render.common.outline), so the
derivations inside a gradient, a Jacobian or a network are written at the same level without
every renderer function passing it on. JSON always carries the whole step tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from typing import ClassVar

from calcgrad.errors import UsageError

FORMATS = ("rich", "plain", "latex", "markdown", "json")
"""The formats every result type has."""

TABLE_FORMATS = ("csv",)
"""The formats only tables have (result types with TABLE = True)."""

FUNCTIONS = {"rich": "rich_renderable", "plain": "render_plain", "latex": "render_latex",
             "markdown": "render_markdown", "json": "as_dict", "csv": "render_csv"}
"""Format → the function a renderer module defines for it."""


DETAILS = ("full", "normal", "brief")
"""How much of each step tree the text formats show: `full` every step with its rule and
explanation; `normal` (the default) the same without separate constant-rule and variable-rule
leaves, which are named on their parent's line; `brief` one line per step, with every step that
is linear in the variable (constant, variable, c·x, w·x + b) and every "nothing to simplify"
left out, since the line above already states its result."""

DEFAULT_DETAIL = "normal"

_DETAIL: ContextVar[str] = ContextVar("calcgrad_detail", default=DEFAULT_DETAIL)


def current_detail() -> str:
    """The detail level in force for the result being rendered."""
    return _DETAIL.get()


def check_detail(detail: str) -> str:
    """The level itself, or a UsageError naming the levels."""
    if detail not in DETAILS:
        raise UsageError(f"detail: expected one of {', '.join(DETAILS)}, not {detail!r}")
    return detail


@contextmanager
def detail_level(detail: str | None) -> Iterator[None]:
    """Render at this detail level inside the block (None keeps the level in force)."""
    if detail is None:
        yield
        return
    token = _DETAIL.set(check_detail(detail))
    try:
        yield
    finally:
        _DETAIL.reset(token)


class AtDetail:
    """A result as a Rich renderable at a chosen detail level (Rendered.rich)."""

    def __init__(self, result: Rendered, detail: str | None):
        self.result = result
        self.detail = None if detail is None else check_detail(detail)

    def __rich_console__(self, console, options):
        with detail_level(self.detail):  # rendered inside the level, nested derivations too
            segments = list(console.render(self.result, options))
        yield from segments


class Rendered:
    """Mixin: render(format), plain/latex/markdown/to_dict/csv, str(), Rich and Jupyter display."""

    RENDERER: ClassVar[str]
    """Dotted name of the module in calcgrad/render/ that renders this type."""

    TABLE: ClassVar[bool] = False
    """True when the result is a table, so it is also written as CSV."""

    @classmethod
    def formats(cls) -> tuple[str, ...]:
        """Every format this result type can be written in."""
        return FORMATS + (TABLE_FORMATS if cls.TABLE else ())

    def _render(self, name: str, detail: str | None = None):
        with detail_level(detail):
            return getattr(import_module(self.RENDERER), name)(self)

    def render(self, output_format: str, standalone: bool = False, detail: str | None = None) -> str:
        """The result as text in one format: plain, latex, markdown, json or (tables) csv.

        `standalone` (latex only) wraps the LaTeX in a complete document that compiles as it is.
        `detail` is full, normal or brief (DETAILS; default normal); JSON always has every step.
        """
        if standalone:
            if output_format != "latex":
                raise UsageError(f"standalone: a complete document is written for the latex format, "
                                 f"not {output_format!r}; use --format latex --standalone")
            with detail_level(detail):
                return self.latex_document()
        if output_format not in self.formats() or output_format == "rich":
            text_formats = ", ".join(f for f in self.formats() if f != "rich")
            hint = "; csv is for tables only" if output_format in TABLE_FORMATS else ""
            raise UsageError(f"format: a {type(self).__name__} is written as {text_formats}, "
                             f"not {output_format!r}{hint}")
        if output_format == "json":
            import json  # lazy: start-up speed (only JSON output needs it)

            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        return self._render(FUNCTIONS[output_format], detail)

    def to_dict(self) -> dict:
        """The documented JSON contract, as a dict (always every step: detail does not apply)."""
        return self._render("as_dict")

    def plain(self, detail: str | None = None) -> str:
        return self._render("render_plain", detail)

    def latex(self, detail: str | None = None) -> str:
        return self._render("render_latex", detail)

    def latex_document(self) -> str:
        """The LaTeX as a complete document (amsmath, amssymb) that pdflatex compiles as it is."""
        from calcgrad.render.document import standalone  # lazy: start-up speed (only documents need it)

        return standalone(self.latex())

    def markdown(self, detail: str | None = None) -> str:
        return self._render("render_markdown", detail)

    def rich(self, detail: str | None = None) -> AtDetail:
        """The terminal view at a detail level, for `rich.print(result.rich("brief"))`."""
        return AtDetail(self, detail)

    def csv(self) -> str:
        """The table as CSV (only for results that are tables)."""
        return self.render("csv")

    def __str__(self) -> str:
        return self.plain()

    def _repr_latex_(self) -> str | None:
        aligned = getattr(import_module(self.RENDERER), "render_aligned", None)
        return None if aligned is None else aligned(self)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __rich__(self):
        return self._render("rich_renderable")
