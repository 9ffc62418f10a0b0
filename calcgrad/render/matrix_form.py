"""A MatrixForm (backpropagation with shapes) in every format: the names calcgrad.render.protocol.Rendered looks up (see render/network.py)."""

from __future__ import annotations

from calcgrad.render.network import matrix_dict as as_dict
from calcgrad.render.network import matrix_latex as render_latex
from calcgrad.render.network import matrix_markdown as render_markdown
from calcgrad.render.network import matrix_plain as render_plain
from calcgrad.render.network import matrix_rich as rich_renderable
from calcgrad.render.network import matrix_aligned as render_aligned

__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
