"""Tests for calcgrad.render.protocol: every result type renders every format the same way."""

from __future__ import annotations

import csv
import importlib
import io
import json
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import calcgrad
from calcgrad.render.protocol import FORMATS, FUNCTIONS, TABLE_FORMATS, Rendered

KEY = '[q1]\nexpression = "x^2"\nwrt = "x"\n'
SUBMISSIONS = "student,question,answer\nada,q1,2x\nbo,q1,=x^2\n"
SPEC = {"layers": [2, 2, 1], "activation": "sigmoid", "loss": "mse", "input": [1, 2],
        "target": [1], "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
        "biases": [[0, 0], [0]], "learning_rate": 0.5}


def _grade_report():
    from calcgrad.grading.batch import grade

    return grade(SUBMISSIONS, KEY, jobs=1)


def _student_versions():
    from calcgrad.calculus.practice_sets import practice_per_student

    return practice_per_student("student,name\ns01,Ada\ns02,Bo\n", "power", count=2, seed=1)


def _network(layers):
    from calcgrad.networks.network import Network

    return Network(layers, "sigmoid", "mse")


def _walkthrough():
    from calcgrad.networks.network import Network

    return Network.from_spec(SPEC).walkthrough()


EXAMPLES: dict[str, Callable[[], Rendered]] = {
    "Derivation": lambda: calcgrad.diff("x^2 sin x", "x", at="x=1"),
    "Gradient": lambda: calcgrad.gradient("x^2 + 3y^2", at="x=1,y=1"),
    "Jacobian": lambda: calcgrad.jacobian(["x y", "x + y"]),
    "Hessian": lambda: calcgrad.hessian("x^2 + x y + y^2"),
    "Descent": lambda: calcgrad.descend("x^2 + 3y^2", "x=1,y=2", 0.1, iterations=3),
    "FirstPrinciples": lambda: calcgrad.first_principles("x^2", at=2),
    "PracticeSet": lambda: calcgrad.practice("power", count=2, seed=1),
    "StudentVersions": _student_versions,
    "ScalarChain": lambda: _network([1, 1, 1]).chain(),
    "MatrixForm": lambda: _network([2, 2, 1]).matrix_form(),
    "Walkthrough": _walkthrough,
    "Verdict": lambda: calcgrad.check("2x", of="x^2"),
    "WorkedSolution": lambda: calcgrad.check_steps(["2x"], of="x^2"),
    "GradeReport": _grade_report,
}
"""One small example of every result type calcgrad returns."""


@pytest.fixture(scope="module")
def results() -> dict[str, Rendered]:
    return {name: make() for name, make in EXAMPLES.items()}


def _all_result_types() -> set[type]:
    """Every Rendered subclass defined in calcgrad (pictures aside: they are not results)."""
    import calcgrad as package

    for module in pkgutil.walk_packages(package.__path__, "calcgrad."):
        if not module.name.startswith(("calcgrad.pictures", "calcgrad.commands", "calcgrad.__main__")):
            importlib.import_module(module.name)
    found, todo = set(), [Rendered]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if "RENDERER" in vars(sub):
                found.add(sub)
    return found


def test_every_result_type_has_an_example() -> None:
    """The examples above cover every result type there is, so the tests below see them all."""
    assert sorted(EXAMPLES) == sorted(t.__name__ for t in _all_result_types())


def test_each_result_type_has_its_own_renderer_module() -> None:
    """Each result type names a module in calcgrad/render/ that defines one function per format."""
    for result_type in _all_result_types():
        module = importlib.import_module(result_type.RENDERER)
        assert result_type.RENDERER.startswith("calcgrad.render.")
        missing = [FUNCTIONS[f] for f in result_type.formats() if not hasattr(module, FUNCTIONS[f])]
        assert [] == missing, result_type.__name__
        assert result_type.TABLE == hasattr(module, "render_csv"), result_type.__name__


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_text_format(results, name: str) -> None:
    """plain, latex, markdown, json (and csv for tables) are non-empty text, never a repr."""
    result = results[name]
    for fmt in result.formats():
        if fmt == "rich":
            continue
        text = result.render(fmt)
        assert isinstance(text, str) and text.strip(), (name, fmt)
        assert "object at 0x" not in text and "<calcgrad" not in text, (name, fmt)
    assert json.loads(result.render("json")) == json.loads(json.dumps(result.to_dict()))
    assert result.plain() == result.render("plain") == str(result)
    assert result.latex() == result.render("latex")
    assert result.markdown() == result.render("markdown") == result._repr_markdown_()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_rich_format(results, name: str) -> None:
    """Rich draws every result type (through __rich__) without falling back to repr."""
    console = Console(width=120, color_system=None, record=True)
    console.print(results[name])
    text = console.export_text()
    assert text.strip() and "object at 0x" not in text


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n in ("Descent", "Walkthrough", "GradeReport")])
def test_tables_write_csv(results, name: str) -> None:
    """Tables are also CSV: a header row, then rows of the same length."""
    result = results[name]
    assert "csv" in result.formats()
    rows = list(csv.reader(io.StringIO(result.csv())))
    assert len(rows) >= 2
    assert {len(rows[0])} == {len(row) for row in rows}


def test_non_tables_refuse_csv(results) -> None:
    """A result that is not a table says which formats it has instead of writing CSV."""
    with pytest.raises(calcgrad.UsageError, match="written as plain, latex, markdown, json, not 'csv'; csv is for tables only"):
        results["Derivation"].render("csv")


def test_grade_report_csv_defuses_formulas(results) -> None:
    """An answer typed as a spreadsheet formula is written as text in the CSV."""
    rows = list(csv.DictReader(io.StringIO(results["GradeReport"].csv())))
    assert ["2x", "'=x^2"] == [row["answer"] for row in rows]


def test_walkthrough_csv_matches_json(results) -> None:
    """The walkthrough's CSV holds the same parameters, gradients and updates as its JSON."""
    walkthrough = results["Walkthrough"]
    data = walkthrough.to_dict()
    rows = list(csv.DictReader(io.StringIO(walkthrough.csv())))
    assert list(data["parameters"]) == [row["parameter"] for row in rows]
    assert [data["gradients"][k] for k in data["gradients"]] == [float(row["gradient"]) for row in rows]


def test_formats_list_matches_the_cli() -> None:
    """The CLI offers exactly the protocol's formats."""
    from calcgrad.cli import FORMATS as CLI_FORMATS

    assert FORMATS == CLI_FORMATS and TABLE_FORMATS == ("csv",)


def test_cli_writes_tables_as_csv(tmp_path) -> None:
    """grade and network take --format csv; a result that is not a table refuses it with exit 2."""
    from click.testing import CliRunner

    from calcgrad.cli import main

    examples = Path(__file__).resolve().parent.parent.parent / "examples"
    runner = CliRunner()
    report = runner.invoke(main, ["grade", str(examples / "submissions.csv"), "--key",
                                  str(examples / "key.toml"), "--format", "csv"])
    assert 0 == report.exit_code, report.output
    assert report.output.startswith("line,student,question,answer,verdict,mistakes,feedback,error,reading,notes,warnings,points,max_points,superseded\n")
    walkthrough = runner.invoke(main, ["network", str(examples / "network_2_3_1.json"), "--format", "csv"])
    assert 0 == walkthrough.exit_code, walkthrough.output
    assert walkthrough.output.startswith("parameter,value,gradient,updated\n")
    chain = runner.invoke(main, ["network", "--layers", "2", "--format", "csv"])
    assert 2 == chain.exit_code
    assert "csv is for tables only" in chain.output
