"""A Gradient in every format: the names calcgrad.render.protocol.Rendered looks up (see render/multivar.py)."""

from __future__ import annotations

from calcgrad.render.multivar import gradient_dict as as_dict
from calcgrad.render.multivar import gradient_latex as render_latex
from calcgrad.render.multivar import gradient_markdown as render_markdown
from calcgrad.render.multivar import gradient_plain as render_plain
from calcgrad.render.multivar import gradient_rich as rich_renderable


def render_aligned(gradient) -> str:
    """LaTeX for a notebook cell."""
    return render_latex(gradient, notebook=True)


__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
