"""`calcgrad practice`: differentiation exercises with an answer key, reproducible from a seed."""

from __future__ import annotations

import click

from calcgrad.cli import emit, format_option, report_errors


@click.command()
@click.option("--rules", default="chain", show_default=True, metavar="RULE,...",
              help="Rules to practise: power, product, quotient, chain, exp, log, trig, "
                   "inverse_trig, sigmoid, partial.")
@click.option("--count", type=int, default=10, show_default=True, help="Number of exercises.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed always gives the same set.")
@click.option("--difficulty", default="medium", show_default=True, metavar="easy|medium|hard",
              help="How nested and large the expressions are.")
@format_option
@report_errors
def practice(rules: str, count: int, seed: int, difficulty: str, output_format: str | None) -> None:
    """Make differentiation exercises, then an answer key with worked solutions.

    \b
    Examples:
      calcgrad practice --rules chain,product --count 10 --seed 7
      calcgrad practice --rules sigmoid,partial --difficulty hard --format markdown
      calcgrad practice --rules power --count 3 --seed 1 --format json
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.calculus.practice_sets import practice as make_practice

    emit(make_practice(rules, count=count, seed=seed, difficulty=difficulty), output_format)
