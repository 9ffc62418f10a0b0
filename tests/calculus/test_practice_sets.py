"""Practice sets: every answer is SymPy's derivative, every exercise uses a requested rule,
the same seed gives the same set, and bad input is a usage error (exit 2)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calcgrad import PracticeSet, practice
from calcgrad.cli import main
from calcgrad.errors import UsageError
from calcgrad.read.parser import parse
from calcgrad.calculus import practice_sets
from calcgrad.calculus.practice_sets import (DIFFICULTIES, RULES, practice_per_student, student_seed,
                                             uses_rule)
from calcgrad.engine.derive import diff
from calcgrad.grading.batch import read_key
from calcgrad.render.notation import to_ascii
from tests.checks import agree


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32),
       rules=st.lists(st.sampled_from(RULES), min_size=1, max_size=3, unique=True),
       difficulty=st.sampled_from(DIFFICULTIES))
def test_answers_are_sympys_derivative_and_use_a_requested_rule(seed, rules, difficulty):
    result = practice(rules, count=3, seed=seed, difficulty=difficulty)
    assert len(result.exercises) == 3
    for exercise in result.exercises:
        expected = sympy.diff(exercise.expression, exercise.variable)
        assert agree(exercise.answer, expected, sorted(exercise.expression.free_symbols | {exercise.variable}, key=str),
                     domain=exercise.expression)[0]
        assert exercise.rule in rules
        assert uses_rule(exercise.solution, exercise.rule)
        engine_rules = {step.rule for stage in exercise.solution.stages for step in stage.walk()}
        wanted = {"power": {"power"}, "product": {"product"}, "quotient": {"quotient"},
                  "chain": {"chain"}, "exp": {"exp", "exponential"}, "log": {"log", "log_base"},
                  "trig": {"trig"}, "inverse_trig": {"inverse_trig"}, "sigmoid": {"sigmoid"},
                  "relu": {"relu"}, "softplus": {"softplus"}, "gelu": {"gelu"}, "silu": {"silu"}}
        if exercise.rule == "partial":
            assert len(exercise.expression.free_symbols) == 2
        else:
            assert engine_rules & wanted[exercise.rule]


def test_same_seed_same_set_and_other_seed_differs():
    first = practice(("chain", "product", "sigmoid"), count=6, seed=7, difficulty="hard")
    again = practice(("chain", "product", "sigmoid"), count=6, seed=7, difficulty="hard")
    other = practice(("chain", "product", "sigmoid"), count=6, seed=8, difficulty="hard")
    assert first.plain() == again.plain()
    assert first.to_dict() == again.to_dict()
    assert [e.expression for e in first.exercises] != [e.expression for e in other.exercises]


def test_exercises_are_distinct_even_when_the_templates_are_few():
    result = practice("inverse_trig", count=40, seed=3, difficulty="easy")
    pairs = [(e.expression, e.variable) for e in result.exercises]
    assert len(set(pairs)) == 40


@pytest.mark.parametrize("rule", ["gelu", "silu"])
def test_gelu_and_silu_are_practice_rules(rule):
    """GELU and SiLU, as rows of the function table, are drilled like any other rule."""
    result = practice(rule, count=3, seed=2, difficulty="medium")
    for exercise in result.exercises:
        assert rule == exercise.rule
        assert rule in exercise.rules
        expected = sympy.diff(exercise.expression, exercise.variable)
        assert agree(exercise.answer, expected, [exercise.variable], domain=exercise.expression)[0]


def test_every_rule_is_drilled_when_the_count_allows():
    result = practice(RULES, count=len(RULES), seed=1, difficulty="easy")
    assert [e.rule for e in result.exercises] == list(RULES)
    assert "partial" in result.exercises[-1].rules


def test_difficulty_grows_the_expressions():
    def size(level):
        result = practice(("chain", "product", "quotient"), count=9, seed=5, difficulty=level)
        return sum(sympy.count_ops(e.expression) for e in result.exercises)

    assert size("easy") < size("medium") < size("hard")


def test_rules_as_comma_separated_text():
    result = practice("chain, product", count=2, seed=0)
    assert isinstance(result, PracticeSet)
    assert result.rules == ("chain", "product")


def test_json_contract_reads_back():
    data = practice("quotient,log", count=2, seed=11, difficulty="medium").to_dict()
    assert set(data) == {"seed", "rules", "difficulty", "answers", "exercises"}
    assert (data["seed"], data["rules"], data["difficulty"]) == (11, ["quotient", "log"], "medium")
    for number, item in enumerate(data["exercises"], start=1):
        assert set(item) == {"number", "expression", "variable", "rules", "answer", "solution"}
        assert item["number"] == number
        expression = parse(item["expression"])
        answer = parse(item["answer"])
        variable = parse(item["variable"])
        assert agree(answer, sympy.diff(expression, variable), sorted(expression.free_symbols | {variable}, key=str),
                     domain=expression)[0]
        assert item["solution"]["result"] == item["answer"]
        assert item["solution"]["steps"]


def test_sheet_comes_before_the_answer_key_in_every_format():
    result = practice("power,trig", count=2, seed=2, difficulty="easy")
    plain = result.plain()
    assert plain.index("Exercises") < plain.index("  1. ") < plain.index("Answer key")
    assert "Power rule" in plain or "Trigonometric rule" in plain
    markdown = result.markdown()
    assert markdown.index("### Exercises") < markdown.index("### Answer key")
    latex = result.latex()
    assert latex.index(r"\begin{enumerate}") < latex.index("Answer key") < latex.index(r"\begin{align*}")
    assert result._repr_latex_().startswith("$$")
    assert str(result) == plain


@pytest.mark.parametrize("kwargs, message", [
    ({"rules": "chain,bogus"}, "known rules: power, product"),
    ({"rules": ""}, "at least one rule"),
    ({"count": 0}, "between 1 and 100"),
    ({"count": 101}, "between 1 and 100"),
    ({"difficulty": "extreme"}, "easy, medium, hard"),
    ({"seed": "7"}, "seed must be an integer"),
])
def test_bad_input_is_a_usage_error(kwargs, message):
    with pytest.raises(UsageError, match=message):
        practice(**kwargs)


# --- the command --------------------------------------------------------------------------


def test_cli_json_is_reproducible():
    args = ["practice", "--rules", "chain,product", "--count", "3", "--seed", "7", "--format", "json"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["rules"] == ["chain", "product"] and len(data["exercises"]) == 3


@pytest.mark.parametrize("output_format", ["plain", "markdown", "latex", "rich"])
def test_cli_formats(output_format):
    result = CliRunner().invoke(main, ["practice", "--rules", "sigmoid,partial", "--count", "2",
                                       "--difficulty", "easy", "--format", output_format])
    assert result.exit_code == 0, result.output
    assert "Answer key" in result.output


@pytest.mark.parametrize("args, message", [
    (["--rules", "chian"], "unknown rule 'chian'; known rules:"),
    (["--count", "0"], "between 1 and 100"),
    (["--count", "1000"], "between 1 and 100"),
    (["--difficulty", "impossible"], "unknown difficulty"),
])
def test_cli_errors_exit_2(args, message):
    result = CliRunner().invoke(main, ["practice", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_help_shows_an_example():
    result = CliRunner().invoke(main, ["practice", "--help"])
    assert result.exit_code == 0
    assert "calcgrad practice --rules chain,product --count 10 --seed 7" in result.output


# --- the forms of each rule -----------------------------------------------------------------


FORM_TABLES = {"power": practice_sets.POWER_FORMS, "product": practice_sets.PRODUCT_FORMS,
               "quotient": practice_sets.QUOTIENT_FORMS, "chain": practice_sets.CHAIN_FORMS,
               "exp": practice_sets.EXP_FORMS, "log": practice_sets.LOG_FORMS,
               "trig": practice_sets.TRIG_FORMS, "inverse_trig": practice_sets.INVERSE_TRIG_FORMS}
FORMS = [(rule, size, index) for rule, table in FORM_TABLES.items()
         for size, forms in table.items() for index in range(len(forms))]


def _shape(expression) -> str:
    """The expression's tree with every number replaced by N: what a form looks like."""
    return re.sub(r"(Integer|Rational|Float)\([^()]*\)", "N", sympy.srepr(expression))


def _is_the_derivative_and_reads_back(expression, variable) -> None:
    """The engine's answer agrees with SymPy's diff, and the text written for the exercise
    (JSON, the grading key) parses back to the very same expression."""
    solution = diff(expression, variable)
    expected = sympy.diff(expression, variable)
    symbols = sorted(expression.free_symbols | {variable}, key=str)
    assert agree(solution.result, expected, symbols, domain=expression)[0], (expression, solution.result)
    assert expression == parse(to_ascii(expression))


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
@pytest.mark.parametrize("rule, size, index", FORMS, ids=[f"{r}-{s}.{i}" for r, s, i in FORMS])
def test_every_form_gives_a_correct_answer_in_the_parsers_notation(rule, size, index, seed):
    """Each form of each rule, for a few seeds: the answer is SymPy's derivative, the text reads back."""
    expression = FORM_TABLES[rule][size][index](random.Random(seed))
    _is_the_derivative_and_reads_back(expression, practice_sets.X)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32),
       rule=st.sampled_from(RULES), difficulty=st.sampled_from(DIFFICULTIES))
def test_many_seeds_give_correct_answers_in_the_parsers_notation(seed, rule, difficulty):
    """Whole sets of every rule (activations and partial ones too), many seeds: every answer is
    SymPy's derivative and every exercise's text parses back to the same expression."""
    for exercise in practice(rule, count=4, seed=seed, difficulty=difficulty).exercises:
        _is_the_derivative_and_reads_back(exercise.expression, exercise.variable)


@pytest.mark.parametrize("rule", list(FORM_TABLES))
def test_exercises_on_one_rule_vary_in_form(rule):
    """Ten medium exercises on one rule are not ten copies of one shape with other numbers."""
    result = practice(rule, count=10, seed=4, difficulty="medium")
    shapes = {_shape(e.expression) for e in result.exercises}
    assert len(shapes) >= 4, sorted(shapes)


def test_chain_rule_forms_cover_the_usual_outer_functions():
    """Over a few sets, the chain rule is drilled on powers, trig, exp, ln and √ of inner functions."""
    outer = set()
    for seed in range(6):
        for exercise in practice("chain", count=10, seed=seed, difficulty="medium").exercises:
            outer.add(type(exercise.expression).__name__ if not exercise.expression.is_Mul
                      else "Mul")
    assert {"Pow", "sin", "exp", "log"} <= outer or {"Pow", "cos", "exp", "log"} <= outer, outer


# --- one version per student ----------------------------------------------------------------


ROSTER = "student,name\ns01,Ada Lovelace\ns02,Bo Chen\nS03 ,Cy Young\n"


def test_student_seed_is_sha256_of_the_seed_and_the_normalised_id():
    """The documented scheme, pinned: the first 8 bytes of SHA-256, big-endian; no hash()."""
    digest = hashlib.sha256(b"calcgrad practice 7 s01").digest()
    assert int.from_bytes(digest[:8], "big") == student_seed(7, "s01") == student_seed(7, "  S01 ")
    assert student_seed(7, "s01") != student_seed(8, "s01") != student_seed(7, "s02")


def test_each_student_gets_the_set_of_their_own_seed():
    """A student's version is exactly practice(seed=student_seed(seed, id)), with their name."""
    versions = practice_per_student(ROSTER, "chain,product", count=3, seed=7)
    assert [("s01", "Ada Lovelace"), ("s02", "Bo Chen"), ("s03", "Cy Young")] == \
        [(s.id, s.name) for s, _ in versions.versions]
    for student, version in versions.versions:
        assert practice("chain,product", count=3, seed=student_seed(7, student.id)).to_dict() == version.to_dict()
    expressions = [tuple(e.expression for e in v.exercises) for _, v in versions.versions]
    assert len(set(expressions)) == 3


def test_a_version_depends_only_on_the_student_not_on_the_rest_of_the_roster():
    """Adding a student or reordering the roster changes nobody else's version."""
    first = practice_per_student(ROSTER, "chain", count=2, seed=3)
    other = practice_per_student("student\ns99\nS03\ns01\n", "chain", count=2, seed=3)
    mine = {s.id: v.to_dict() for s, v in first.versions}
    theirs = {s.id: v.to_dict() for s, v in other.versions}
    assert mine["s01"] == theirs["s01"] and mine["s03"] == theirs["s03"]


def test_versions_are_the_same_in_another_process_with_another_hash_seed(tmp_path):
    """Reproducible across runs: a new interpreter with a different PYTHONHASHSEED makes the same key."""
    script = ("from calcgrad.calculus.practice_sets import practice_per_student\n"
              f"print(practice_per_student({ROSTER!r}, 'chain,log', count=3, seed=5).grading_key())")
    root = Path(__file__).resolve().parents[2]
    outputs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
                              timeout=120).stdout for hash_seed in ("1", "2")]
    assert outputs[0] == outputs[1]
    assert outputs[0] == practice_per_student(ROSTER, "chain,log", count=3, seed=5).grading_key() + "\n"


@pytest.mark.parametrize("roster, message", [
    ("student\ns01\nS01\n", "lists student 's01' twice"),
    ("student\n", "lists no students"),
    (["s01", " S01"], "lists student 's01' twice"),
    ([], "lists no students"),
    (["s01", "  "], "has no id"),
])
def test_bad_rosters_are_usage_errors(roster, message):
    with pytest.raises(UsageError, match=message):
        practice_per_student(roster, "chain", count=2)


def test_students_sheet_has_no_answers_and_no_seed():
    """without_answers(): the exercises only, in every format; no seed to rebuild the key from."""
    sheet = practice("chain,partial", count=2, seed=9).without_answers()
    for text in (sheet.plain(), sheet.markdown(), sheet.latex(), sheet._repr_latex_()):
        assert "Answer key" not in text and "seed" not in text and "=" not in text.replace(r"\left", "")
    data = sheet.to_dict()
    assert (None, False) == (data["seed"], data["answers"])
    assert all(set(item) == {"number", "expression", "variable", "rules"} for item in data["exercises"])
    versions = practice_per_student(ROSTER, "chain", count=2, seed=9).without_answers()
    assert all(not version.answers for _, version in versions.versions)
    assert "Answer key" not in versions.plain() and "seed" not in versions.plain()
    assert all(student["seed"] is None for student in versions.to_dict()["students"])


def test_the_grading_key_of_a_set_reads_back_as_its_exercises():
    """grading_key() is a key grade reads: q1… with each exercise's expression and variable."""
    result = practice("chain,partial", count=4, seed=2)
    key = read_key(result.grading_key())
    assert [f"q{n}" for n in range(1, 5)] == list(key)
    for exercise in result.exercises:
        question = key[f"q{exercise.number}"]
        assert (parse(question.expression), question.wrt) == (exercise.expression, (str(exercise.variable),))


def test_the_per_student_key_gives_each_student_their_version():
    """The per-student key: shared q tables, and for every student their own expressions."""
    versions = practice_per_student(ROSTER, "chain,partial", count=3, seed=2)
    key = read_key(versions.grading_key())
    assert ["q1", "q2", "q3"] == list(key)
    for student, version in versions.versions:
        for exercise in version.exercises:
            question = key[f"q{exercise.number}"].for_student(student.id)
            assert parse(question.expression) == exercise.expression
            assert str(exercise.variable) in (question.wrt or ("x",))
    assert key["q1"].for_student("s99") is None


def test_per_student_renderings_name_each_student_once_per_section():
    """One section per student with name and id; LaTeX puts \\newpage between students."""
    versions = practice_per_student(ROSTER, "chain", count=2, seed=1)
    latex, markdown, plain = versions.latex(), versions.markdown(), versions.plain()
    assert 2 == latex.count(r"\newpage")
    for label in ("Ada Lovelace (s01)", "Bo Chen (s02)", "Cy Young (s03)"):
        assert 1 == latex.count(label) == markdown.count(label) == plain.count(label)
    assert latex.index("Ada Lovelace") < latex.index(r"\newpage") < latex.index("Bo Chen")
    assert 2 == markdown.count("page-break-after")
    assert 3 == plain.count("Answer key") == latex.count("Answer key")


def test_too_many_exercises_over_all_versions_is_a_limit_error(monkeypatch):
    """students × count past limits.MAX_VERSION_EXERCISES is refused before any work."""
    from calcgrad import limits
    from calcgrad.errors import LimitError

    monkeypatch.setattr(limits, "MAX_VERSION_EXERCISES", 5)
    with pytest.raises(LimitError, match="3 students × 2 exercises is more than 5"):
        practice_per_student(ROSTER, "chain", count=2)
