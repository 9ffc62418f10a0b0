"""Rich tables that fit the terminal: never a number cut with "…".

A table that Rich can draw at this width without cutting a cell is drawn as a table; one that
it cannot is laid out vertically, one block per row (`header  value` on each line), so 60-,
80- and 120-column terminals all show every digit.
"""

from __future__ import annotations

from typing import Any


class FittedTable:
    """Rich renderable: the table when it fits, else the same cells as a vertical list."""

    def __init__(self, table: Any):
        for column in table.columns:  # numbers (cells without spaces) are never squeezed
            column.no_wrap = column.no_wrap or not any(" " in _plain(c).strip() for c in column.cells)
        self.table = table

    def __rich_console__(self, console, options):
        if self._ellipses(console, options, options.max_width) > self._ellipses(console, options, 10_000):
            yield from self.vertical()  # at this width Rich would cut a cell with "…"
        else:
            yield self.table

    def _ellipses(self, console, options, width: int) -> int:
        lines = console.render_lines(self.table, options.update(width=width), pad=False)
        return sum(segment.text.count("…") for line in lines for segment in line)

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement  # lazy: start-up speed

        return Measurement(1, Measurement.get(console, options, self.table).maximum)

    def vertical(self):
        """Each row as a block: its first cell, then one indented `header  value` line per cell."""
        from rich.text import Text  # lazy: start-up speed

        table = self.table
        if table.title:
            yield Text.from_markup(table.title, style="bold") if isinstance(table.title, str) else table.title
        headers = [_plain(column.header) for column in table.columns]
        width = max((len(h) for h in headers[1:]), default=0)
        columns = [list(column.cells) for column in table.columns]
        for i, row in enumerate(table.rows):
            block = Text()
            block.append(_plain(columns[0][i]) if columns else "", style=row.style or "bold")
            for header, cells in zip(headers[1:], columns[1:]):
                cell = _plain(cells[i])
                if cell:
                    block.append(f"\n  {header:<{width}}  ", style="dim")
                    block.append(cell, style=row.style)
            yield block
        if table.caption:
            yield Text.from_markup(table.caption, style="dim") if isinstance(table.caption, str) else table.caption


def _plain(cell) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


def fitted(table: Any) -> FittedTable:
    """The table, laid out vertically when even its narrowest form is wider than the terminal."""
    return FittedTable(table)


class FittedLines:
    """Rich renderable: lines drawn as they are (a matrix in brackets) when the widest fits the
    terminal, else the narrow form (the same matrix as a list of entries, which wraps)."""

    def __init__(self, wide: list[str], narrow: list[str], style: str = ""):
        self.wide, self.narrow, self.style = wide, narrow, style

    def __rich_console__(self, console, options):
        from rich.cells import cell_len  # lazy: start-up speed
        from rich.text import Text

        if max((cell_len(line) for line in self.wide), default=0) <= options.max_width:
            yield Text("\n".join(self.wide), style=self.style, no_wrap=True)
        else:
            for line in self.narrow:
                yield Text(line, style=self.style)
