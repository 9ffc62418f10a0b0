"""A network Walkthrough in every format: the names calcgrad.render.protocol.Rendered looks up (see render/network.py)."""

from __future__ import annotations

from calcgrad.render.network import walkthrough_dict as as_dict
from calcgrad.render.network import walkthrough_latex as render_latex
from calcgrad.render.network import walkthrough_markdown as render_markdown
from calcgrad.render.network import walkthrough_plain as render_plain
from calcgrad.render.network import walkthrough_rich as rich_renderable
from calcgrad.render.network import walkthrough_aligned as render_aligned
from calcgrad.render.network import walkthrough_csv as render_csv

__all__ = ["as_dict", "render_aligned", "render_csv", "render_latex", "render_markdown",
           "render_plain", "rich_renderable"]
