"""A Verdict in every format: the names calcgrad.render.protocol.Rendered looks up (see render/checking.py)."""

from __future__ import annotations

from calcgrad.render.checking import verdict_dict as as_dict
from calcgrad.render.checking import verdict_latex as render_latex
from calcgrad.render.checking import verdict_markdown as render_markdown
from calcgrad.render.checking import verdict_plain as render_plain
from calcgrad.render.checking import verdict_rich as rich_renderable
from calcgrad.render.checking import verdict_latex as render_aligned

__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
