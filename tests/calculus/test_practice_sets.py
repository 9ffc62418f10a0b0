"""Practice sets: every answer is SymPy's derivative, every exercise uses a requested rule,
the same seed gives the same set, and bad input is a usage error (exit 2)."""

from __future__ import annotations

import json

import pytest
import sympy
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calcgrad import PracticeSet, practice
from calcgrad.cli import main
from calcgrad.errors import UsageError
from calcgrad.read.parser import parse
from calcgrad.calculus.practice_sets import DIFFICULTIES, RULES, uses_rule
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
    assert set(data) == {"seed", "rules", "difficulty", "exercises"}
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
