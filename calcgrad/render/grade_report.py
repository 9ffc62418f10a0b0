"""A GradeReport in every format: the names calcgrad.render.protocol.Rendered looks up.

The text formats live in render/checking.py beside the Verdict's; the JSON contract and the
CSV of every row are written here.
"""

from __future__ import annotations

from calcgrad.render.checking import report_latex as render_latex
from calcgrad.render.checking import report_markdown as render_markdown
from calcgrad.render.checking import report_plain as render_plain
from calcgrad.render.checking import report_rich as rich_renderable
from calcgrad.render.escape import csv_table, csv_text

CSV_COLUMNS = ("line", "student", "question", "answer", "verdict", "mistakes", "feedback", "error")


def as_dict(report) -> dict:
    """{"rows": [...], "summary": [...]}: every row's outcome and each question's summary."""
    return {"rows": [row.to_dict() for row in report.rows],
            "summary": [s.to_dict() for s in report.summaries]}


def render_csv(report) -> str:
    """One CSV row per input row; what students typed is kept from running as a formula."""
    rows = ([row.line, csv_text(row.student), csv_text(row.question), csv_text(row.answer),
             row.verdict, " ".join(row.mistakes), csv_text(" ".join(row.feedback)),
             csv_text(row.error)] for row in report.rows)
    return csv_table(CSV_COLUMNS, rows)


__all__ = ["as_dict", "render_csv", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
