"""A WorkedSolution in every format: the names calcgrad.render.protocol.Rendered looks up (see render/checking.py)."""

from __future__ import annotations

from calcgrad.render.checking import solution_dict as as_dict
from calcgrad.render.checking import solution_latex as render_latex
from calcgrad.render.checking import solution_markdown as render_markdown
from calcgrad.render.checking import solution_plain as render_plain
from calcgrad.render.checking import solution_rich as rich_renderable

__all__ = ["as_dict", "render_latex", "render_markdown", "render_plain", "rich_renderable"]
