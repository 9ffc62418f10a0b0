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

CSV_COLUMNS = ("line", "student", "question", "answer", "verdict", "mistakes", "feedback", "error",
               "reading", "notes", "warnings", "points", "max_points", "superseded")


def as_dict(report) -> dict:
    """{"rows", "summary", "students", "notes", "keep"}: every row's outcome, each question's
    summary, each student's points and total, and how the rows were read."""
    return {"rows": [row.to_dict() for row in report.rows],
            "summary": [s.to_dict() for s in report.summaries],
            "students": [t.to_dict() for t in report.students],
            "notes": list(report.notes), "keep": report.keep}


def render_csv(report) -> str:
    """One CSV row per input row; what students typed is kept from running as a formula."""
    rows = ([row.line, csv_text(row.student), csv_text(row.question), csv_text(row.answer),
             row.verdict, " ".join(row.mistakes), csv_text(" ".join(row.feedback)),
             csv_text(row.error), csv_text(row.reading), csv_text(" ".join(row.notes)),
             csv_text(" ".join(row.warnings)), _number(row.points), _number(row.max_points), "yes" if row.superseded else ""]
            for row in report.rows)
    return csv_table(CSV_COLUMNS, rows)


def render_gradebook(report) -> str:
    """One row per student: points per question (empty where nothing was submitted), the total
    and the most possible; ready to import into a spreadsheet or an LMS."""
    questions = [s.question for s in report.summaries]
    header = ["student", *questions, "total", "out_of"]
    rows = ([csv_text(t.student), *("" if p is None else _number(p) for _, p in t.points),
             _number(t.total), _number(t.max_total)] for t in report.students)
    return csv_table(header, rows)


def _number(value: float) -> str:
    """2.0 → "2", 1.5 → "1.5": points as a spreadsheet reads them."""
    return f"{value:g}"


__all__ = ["as_dict", "render_csv", "render_gradebook", "render_latex", "render_markdown", "render_plain",
           "rich_renderable"]
