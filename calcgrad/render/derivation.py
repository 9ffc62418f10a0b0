"""A Derivation in every format: the names calcgrad.render.protocol.Rendered looks up.

The formats themselves live one per module (plain, rich, latex, markdown, json); this module
only gathers them for the Derivation type.
"""

from __future__ import annotations

from calcgrad.render.plain import render_plain


def as_dict(derivation) -> dict:
    """The JSON contract (render/json.py)."""
    from calcgrad.render.json import derivation_dict  # lazy: start-up speed (plain output skips it)

    return derivation_dict(derivation)


def render_latex(derivation) -> str:
    """LaTeX for notes (render/latex.py)."""
    from calcgrad.render.latex import render_latex as latex  # lazy: start-up speed

    return latex(derivation)


def render_aligned(derivation) -> str:
    """LaTeX for Jupyter (render/latex.py)."""
    from calcgrad.render.latex import render_aligned as aligned  # lazy: start-up speed

    return aligned(derivation)


def render_markdown(derivation) -> str:
    """Markdown (render/markdown.py)."""
    from calcgrad.render.markdown import render_markdown as markdown  # lazy: start-up speed

    return markdown(derivation)


def rich_renderable(derivation):
    """The Rich view (render/rich.py)."""
    from calcgrad.render.rich import rich_renderable as rich_view  # lazy: start-up speed (Rich costs ~25 ms)

    return rich_view(derivation)


__all__ = ["as_dict", "render_aligned", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
