"""The output protocol every calcgrad result shares, written once.

A result type names the module that renders it; that module defines `render_plain`,
`render_latex`, `render_markdown`, `render_aligned` (LaTeX for Jupyter), `rich_renderable` and
`as_dict` (the JSON contract). The module is imported only when something is rendered, so
computing a result never pays for printing it.
"""

from __future__ import annotations

from importlib import import_module
from typing import ClassVar


class Rendered:
    """Mixin: plain/latex/markdown/to_dict, str(), Rich and Jupyter display, via RENDERER."""

    RENDERER: ClassVar[str]
    """Dotted name of the module in calcgrad/render/ that renders this type."""

    def _render(self, name: str):
        return getattr(import_module(self.RENDERER), name)(self)

    def to_dict(self) -> dict:
        """The documented JSON contract, as a dict."""
        return self._render("as_dict")

    def plain(self) -> str:
        return self._render("render_plain")

    def latex(self) -> str:
        return self._render("render_latex")

    def markdown(self) -> str:
        return self._render("render_markdown")

    def __str__(self) -> str:
        return self.plain()

    def _repr_latex_(self) -> str:
        return self._render("render_aligned")

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __rich__(self):
        return self._render("rich_renderable")
