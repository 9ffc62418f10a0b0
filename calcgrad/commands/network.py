"""`calcgrad network`: backpropagation worked through, numerically from a spec file."""

from __future__ import annotations

import sys

import click

from calcgrad.cli import emit, format_option, report_errors


@click.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option("--epochs", type=int, default=1, show_default=True,
              help="Gradient-descent steps to run; the loss of each is listed.")
@click.option("--precision", type=int, default=9, show_default=True,
              help="Significant digits of the numbers shown.")
@click.option("--exact", is_flag=True,
              help="Exact rational arithmetic (needs linear/relu/leaky_relu and mse/sse/half_sse).")
@format_option
@report_errors
def network(spec: str | None, epochs: int, precision: int, exact: bool,
            output_format: str | None) -> None:
    """Backpropagation, step by step, for a small feed-forward network.

    \b
    Examples:
      calcgrad network examples/network_2_3_1.json
      calcgrad network examples/network_2_3_1.json --epochs 20
      calcgrad network spec.toml --format json --precision 6

    Conventions: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), a⁽⁰⁾ = x; W⁽ˡ⁾ has shape
    (nₗ, nₗ₋₁). A spec (JSON, or TOML ending in .toml) gives layers, activation, loss, input,
    target, weights, biases, learning_rate and optionally freeze_biases.
    """
    from calcgrad.errors import UsageError
    from calcgrad.network import Network

    if spec is None:
        raise UsageError("give a spec file (JSON or TOML), e.g. calcgrad network "
                         "examples/network_2_3_1.json")
    model = Network.from_spec(spec)
    emit(model.walkthrough(epochs=epochs, exact=exact, precision=precision,
                           progress=_progress_bar(epochs, output_format)), output_format)


def _progress_bar(epochs: int, output_format: str | None):
    """A Rich progress bar on a terminal for long runs; nothing otherwise."""
    if epochs < 2 or not sys.stderr.isatty() or output_format not in (None, "rich"):
        return None
    from rich.progress import Progress

    progress = Progress(transient=True)
    task = progress.add_task("epochs", total=epochs)
    progress.start()

    def advance(epoch: int) -> None:
        progress.update(task, completed=epoch)
        if epoch >= epochs:
            progress.stop()

    return advance
