"""A complete LaTeX document around any result's LaTeX (--format latex --standalone).

The fragments calcgrad writes are pure ASCII and need only amsmath and amssymb, so the
document compiles with pdflatex, lualatex or xelatex from a basic TeX installation.
"""

from __future__ import annotations

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\begin{document}
"""


def standalone(fragment: str, title: str = "") -> str:
    """The fragment as a document: preamble, an optional section title, the fragment, the end."""
    heading = f"\\section*{{{title}}}\n" if title else ""
    body = fragment if fragment.endswith("\n") else fragment + "\n"
    return PREAMBLE + heading + body + "\\end{document}\n"
