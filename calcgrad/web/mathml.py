"""SymPy → presentation MathML, which browsers display natively (no script, no CDN).

SymPy's printer builds the MathML with xml.dom, which escapes every name and number, so what
it returns is safe to put in a page as it is; everything else on a page goes through Jinja2's
autoescaping.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from calcgrad.render.common import explanation_parts
from calcgrad.render.notation import to_text

_FENCE = re.compile(r"<mo>([()|])</mo>")
"""SymPy's bare parentheses, which Chromium stretches and pads as if they were operators
(a matrix's brackets keep stretching)."""


_LAYER = re.compile(r"<mi>\{\((\d+)\)\}</mi>")
"""A network's layer superscript: the symbol a^{(1)} prints as a with the superscript (1)."""


def math(expr, display: str = "inline") -> Markup:
    """One expression (or matrix) as a <math> element."""
    # lazy: start-up speed (SymPy's printers on first use)
    from sympy.printing.mathml import mathml

    inner = _FENCE.sub(r'<mo stretchy="false" lspace="0" rspace="0">\1</mo>', mathml(expr, printer="presentation"))
    inner = _LAYER.sub(r'<mrow><mo stretchy="false">(</mo><mn>\1</mn><mo stretchy="false">)</mo></mrow>',
                       inner)
    inner = inner.replace("<mi>sigmoid</mi>", "<mi>σ</mi>")  # as the text and LaTeX print it
    label = escape(to_text(expr)) if hasattr(expr, "free_symbols") else ""
    return Markup(f'<math display="{display}" aria-label="{label}">{inner}</math>')


def vector(components) -> Markup:
    """A tuple of expressions as a column vector."""
    # lazy: start-up speed (as math)
    from sympy import ImmutableMatrix

    return math(ImmutableMatrix([[c] for c in components]))


def explanation(parts) -> Markup:
    """A step's explanation: its words escaped, its mathematics as MathML."""
    return Markup(explanation_parts(parts, lambda words: str(escape(words)), lambda expr: str(math(expr))))
