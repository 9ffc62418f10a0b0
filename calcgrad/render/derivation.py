"""A Derivation in every format: the names calcgrad.render.protocol.Rendered looks up.

The formats themselves live one per module (plain, rich, latex, markdown, json); this module
only gathers them for the Derivation type.
"""

from calcgrad.render.json import derivation_dict as as_dict
from calcgrad.render.latex import render_aligned, render_latex
from calcgrad.render.markdown import render_markdown
from calcgrad.render.plain import render_plain
from calcgrad.render.rich import rich_renderable

__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
