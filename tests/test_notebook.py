"""The course notebook in examples/ runs from top to bottom, so it never rots."""

from __future__ import annotations

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = pathlib.Path(__file__).parent.parent / "examples" / "course.ipynb"


@pytest.mark.slow
def test_course_notebook_runs_and_shows_latex() -> None:
    """Every cell runs without error; the calcgrad objects display as LaTeX, the plot as an image."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [] == [output for output in outputs if output.output_type == "error"]
    latex = [output for output in outputs if "text/latex" in output.get("data", {})]
    assert len(latex) >= 8
    assert any("image/png" in output.get("data", {}) for output in outputs)
