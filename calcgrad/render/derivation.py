"""A Derivation in every format: the names calcgrad.render.protocol.Rendered looks up.

The formats themselves live one per module (plain, rich, latex, markdown, json); this module
only gathers them for the Derivation type.
"""

from __future__ import annotations

from calcgrad.render.json import derivation_dict as as_dict
from calcgrad.render.latex import render_aligned, render_latex
from calcgrad.render.markdown import render_markdown
from calcgrad.render.plain import render_plain


def rich_renderable(derivation):
    """The Rich view (render/rich.py)."""
    from calcgrad.render.rich import rich_renderable as rich_view  # lazy: start-up speed (Rich costs ~25 ms)

    return rich_view(derivation)


__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
