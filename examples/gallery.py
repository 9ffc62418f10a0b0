"""Regenerate the README gallery: a terminal rendering of `calcgrad diff` and three plots.

    python examples/gallery.py                 # writes into examples/gallery/
    python examples/gallery.py --out some/dir  # or anywhere else

It writes only into its output folder and needs matplotlib (pip install "calcgrad[plot]").
The files are deterministic, so regenerating them shows a diff only when the pictures change.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import calcgrad  # noqa: E402
from calcgrad.pictures.plotting import save_figure  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "gallery"

DIFF_COMMAND = ("x^2 + 3xy + y^2", "x")


def terminal_svg(path: Path) -> None:
    """`calcgrad diff "x^2 + 3xy + y^2" --wrt x` as the terminal shows it, saved as SVG by Rich."""
    from rich.console import Console

    expression, wrt = DIFF_COMMAND
    console = Console(record=True, width=92, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    console.print(f'[bold]$[/bold] calcgrad diff "{expression}" --wrt {wrt}', highlight=False)
    console.print(calcgrad.diff(expression, wrt))
    console.save_svg(str(path), title="calcgrad diff")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the pictures")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)

    terminal_svg(out / "diff.svg")
    save_figure(calcgrad.plot_tangent("sin x", 1, secants=True), out / "tangent-secants.png")
    save_figure(calcgrad.plot_gradient_field("x^2 + 3y^2", "x,y", "x=1, y=1"),
                out / "gradient-field.png")
    descent = calcgrad.descend("x^2 + 3y^2", "x=1, y=2", 0.1, iterations=30)
    save_figure(calcgrad.plot_descent(descent), out / "descent-path.png")
    for name in ("diff.svg", "tangent-secants.png", "gradient-field.png", "descent-path.png"):
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
