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
"""

from __future__ import annotations

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

    def _render(self, name: str):
        return getattr(import_module(self.RENDERER), name)(self)

    def render(self, output_format: str, standalone: bool = False) -> str:
        """The result as text in one format: plain, latex, markdown, json or (tables) csv.

        `standalone` (latex only) wraps the LaTeX in a complete document that compiles as it is.
        """
        if standalone:
            if output_format != "latex":
                raise UsageError(f"standalone: a complete document is written for the latex format, "
                                 f"not {output_format!r}; use --format latex --standalone")
            return self.latex_document()
        if output_format not in self.formats() or output_format == "rich":
            text_formats = ", ".join(f for f in self.formats() if f != "rich")
            hint = "; csv is for tables only" if output_format in TABLE_FORMATS else ""
            raise UsageError(f"format: a {type(self).__name__} is written as {text_formats}, "
                             f"not {output_format!r}{hint}")
        if output_format == "json":
            import json  # lazy: start-up speed (only JSON output needs it)

            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        return self._render(FUNCTIONS[output_format])

    def to_dict(self) -> dict:
        """The documented JSON contract, as a dict."""
        return self._render("as_dict")

    def plain(self) -> str:
        return self._render("render_plain")

    def latex(self) -> str:
        return self._render("render_latex")

    def latex_document(self) -> str:
        """The LaTeX as a complete document (amsmath, amssymb) that pdflatex compiles as it is."""
        from calcgrad.render.document import standalone  # lazy: start-up speed (only documents need it)

        return standalone(self.latex())

    def markdown(self) -> str:
        return self._render("render_markdown")

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
