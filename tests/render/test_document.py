"""LaTeX from every command: pure ASCII, and with --standalone a document a real TeX engine compiles."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

COMMANDS = {
    "diff-typed-order": ["diff", "(w x + b - t)^2", "--wrt", "w"],
    "diff-at-point": ["diff", "x^2 sin(x)", "--at", "2"],
    "diff-kink": ["diff", "|x|", "--at", "0"],
    "grad-direction": ["grad", "x^2 y + sin(y)", "--at", "x=1,y=2", "--direction", "1,1"],
    "grad-every-step": ["grad", "x^2 y", "--show-steps"],
    "diff-second-order": ["diff", "x^3 ln x", "--order", "2"],
    "hessian-symmetric": ["hessian", "sin(x y z) + e^(x^2 y) + ln(1 + z^2)"],
    "hessian-at-point": ["hessian", "x^2 y^3", "--at", "x=1,y=2"],
    "hessian-entry": ["hessian", "x^2 y^3", "--entry", "1,2"],
    "jacobian": ["jacobian", "x y", "x + y", "--at", "x=1,y=2"],
    "jacobian-entry": ["jacobian", "x y", "x + y", "--entry", "2,1"],
    "first-principles": ["first-principles", "x^2", "--at", "3"],
    "descend-diverging": ["descend", "x^2 + 3y^2", "--start", "x=1,y=1", "--lr", "0.9", "--iterations", "5"],
    "check-correct": ["check", "2x", "--of", "x^2"],
    "check-mistake": ["check", "x", "--of", "x^2"],
    "practice": ["practice", "--count", "2", "--seed", "1"],
    "practice-sheet": ["practice", "--count", "2", "--seed", "1", "--no-answers"],
    "practice-per-student": ["practice", "--rules", "chain,partial", "--count", "2", "--seed", "1",
                             "--per-student", str(EXAMPLES / "course" / "roster.csv")],
    "practice-per-student-handout": ["practice", "--rules", "chain,product,quotient", "--count", "4",
                                     "--per-student", str(EXAMPLES / "course" / "roster.csv"),
                                     "--no-answers"],
    "grade": ["grade", str(EXAMPLES / "submissions.csv"), "--key", str(EXAMPLES / "key.toml"), "--no-progress"],
    "network-chain-bce": ["network", "--layers", "2", "--loss", "bce"],
    "network-softmax-ce": ["network", "--widths", "2,3,3", "--activation", "sigmoid,softmax", "--loss", "ce"],
    "network-matrix-form": ["network", "--widths", "2,3,1"],
    "network-entry": ["network", "--widths", "2,3,1", "--param", "W1[1,1]"],
    "network-walkthrough": ["network", str(EXAMPLES / "network_2_3_1.json"), "--epochs", "3"],
}
"""One invocation per command (and per kind of result a command writes)."""

ENGINE = shutil.which("pdflatex") or shutil.which("lualatex")


def latex(args: list[str], *extra: str) -> str:
    result = CliRunner().invoke(main, [*args, "--format", "latex", *extra])
    assert result.exit_code in (0, 1), result.output  # check exits 1 for a wrong answer
    return result.stdout


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_latex_is_pure_ascii(args: list[str]) -> None:
    """Every command's LaTeX is ASCII only, so any TeX engine reads it without font set-up."""
    text = latex(args)
    non_ascii = sorted({c for c in text if not c.isascii()})
    assert [] == non_ascii


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_standalone_is_a_document(args: list[str]) -> None:
    """--standalone wraps the same LaTeX in a preamble and \\begin{document} … \\end{document}."""
    fragment, document = latex(args), latex(args, "--standalone")
    assert document.startswith("\\documentclass")
    assert document.rstrip().endswith("\\end{document}")
    assert fragment.strip() in document


def test_standalone_needs_latex() -> None:
    """--standalone with another format is a usage error (exit 2), not a silently ignored flag."""
    result = CliRunner().invoke(main, ["diff", "x^2", "--format", "json", "--standalone"])
    assert 2 == result.exit_code
    assert "--format latex" in result.output


@pytest.mark.slow
@pytest.mark.skipif(ENGINE is None, reason="no pdflatex or lualatex on PATH (.ci/run installs "
                                           "texlive-latex-base and texlive-latex-recommended)")
@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_standalone_compiles(args: list[str], tmp_path: Path) -> None:
    """The standalone document of every command compiles with a real TeX engine, with no error."""
    (tmp_path / "doc.tex").write_text(latex(args, "--standalone"), encoding="ascii")
    run = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert (0, []) == (run.returncode, errors)
    assert (tmp_path / "doc.pdf").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.skipif(ENGINE is None, reason="no pdflatex or lualatex on PATH (.ci/run installs "
                                           "texlive-latex-base and texlive-latex-recommended)")
def test_handout_with_accented_names_compiles_with_one_page_per_student(tmp_path: Path) -> None:
    """Names as rosters spell them (Zoë, Íñigo, Łukasz) are written as ASCII LaTeX accents, and
    the handout has one page per student."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\nz1,Zoë Ødegård\ni2,Íñigo Dvořák\nl3,Łukasz Çelik\n", encoding="utf-8")
    text = latex(["practice", "--rules", "chain", "--count", "3", "--per-student", str(roster),
                  "--no-answers"], "--standalone")
    assert text.isascii()
    assert r'Zo\"{e} \O{}deg\r{a}rd (z1)' in text
    (tmp_path / "doc.tex").write_text(text, encoding="ascii")
    run = subprocess.run([ENGINE, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert (0, []) == (run.returncode, errors)
    assert "(3 pages" in run.stdout.replace("\n", " ")
