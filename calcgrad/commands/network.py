"""`calcgrad network`: backpropagation worked through, from a spec file or in symbols."""

from __future__ import annotations

import re
import sys

import click

from calcgrad.cli import detail_option, emit, report_errors, table_format_option, verify_option
from calcgrad.errors import UsageError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--widths", required=True, metavar="N0,N1,…", help="Layer widths, e.g. 2,3,1.")
@click.option("--activation", default="sigmoid", show_default=True, metavar="NAME[,NAME…]",
              help="Activation for every layer, or one per layer.")
@click.option("--loss", default="mse", show_default=True, help="Loss: mse, sse, half_sse, bce, ce.")
@click.option("--init", "init_name", type=click.Choice(["xavier", "he", "uniform"]), default="xavier",
              show_default=True, help="xavier: U(±√(6/(fan_in+fan_out))); he: U(±√(6/fan_in)), "
                                      "for ReLU; uniform: U(±1/√fan_in), as torch.nn.Linear.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same spec.")
@click.option("--input", "input_text", default=None, metavar="X1,X2[;…]",
              help="The input (rows separated by ;); random in [−1, 1] if left out.")
@click.option("--target", "target_text", default=None, metavar="Y1[,…][;…]",
              help="The target (rows separated by ;); random (one-hot for ce) if left out.")
@click.option("--batch", type=int, default=1, show_default=True, help="Random input rows to draw.")
@click.option("--learning-rate", type=float, default=0.1, show_default=True, help="η in the spec.")
@report_errors
def network_init(widths: str, activation: str, loss: str, init_name: str, seed: int,
                 input_text: str | None, target_text: str | None, batch: int,
                 learning_rate: float) -> None:
    """Write a starting spec with seeded random weights (JSON on stdout).

    \b
    Examples:
      calcgrad network init --widths 2,3,1 --activation tanh --loss mse --init xavier --seed 7 > spec.json
      calcgrad network spec.json
      calcgrad network init --widths 4,8,8,8,8,8,8,8,1 --activation relu,relu,relu,relu,relu,relu,relu,linear --init he
    """
    # lazy: start-up speed (the network code loads only when this command runs)
    from calcgrad.networks.architecture import architecture
    from calcgrad.networks.initial import spec_text, starting_spec
    from calcgrad.networks.network import Network

    arch = architecture(widths, activation, loss)
    inputs = None if input_text is None else _rows(input_text, "--input")
    targets = None if target_text is None else _rows(target_text, "--target")
    if inputs is not None and targets is not None and len(inputs) != len(targets):
        raise UsageError(f"--target: expected {len(inputs)} rows, one per --input row, got {len(targets)}")
    if inputs is None and targets is not None:
        batch = len(targets)
    spec = starting_spec(arch, init_name, seed, inputs, targets, batch, learning_rate)
    Network.from_spec(spec)  # what is written must load back; a bad --input fails here, naming it
    click.echo(spec_text(spec))


def _rows(text: str, option: str) -> list[list]:
    """"1,2;3,4" → [[1, 2], [3, 4]], each number read as the spec reads numbers."""
    # lazy: start-up speed (the network code loads only when this command runs)
    from calcgrad.networks.architecture import read_number

    rows = []
    for r, row in enumerate(text.split(";")):
        parts = [part.strip() for part in row.split(",")]
        values = [read_number(part, f"{option} row {r + 1}, number {k + 1}") for k, part in enumerate(parts)]
        rows.append([v if isinstance(v, (int, float)) else float(v) for v in values])
    return rows


class NetworkCommand(click.Command):
    """`calcgrad network` takes an optional SPEC file; `calcgrad network init …` is the subcommand
    that writes one. Click cannot mix an optional argument with subcommands, so the word `init`
    in first place is routed here (a spec file named `init` is given as ./init)."""

    def make_context(self, info_name, args, parent=None, **extra):
        if args and args[0] == "init":
            return network_init.make_context(f"{info_name} init", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)


@click.command(cls=NetworkCommand)
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option("--layers", "depth", type=int, default=None, metavar="N",
              help="Symbolic chain rule for N layers of one neuron each.")
@click.option("--widths", default=None, metavar="N0,N1,…",
              help="Symbolic vector/matrix form for these layer widths, e.g. 2,3,1.")
@click.option("--param", default=None, metavar="KEY",
              help='The chain of one entry, counted from 1 (row j, column k: w⁽¹⁾ⱼₖ), e.g. '
                   '"W1[3,1]": with --widths or --layers in symbols; with a spec also with its '
                   'numbers, checked against the backward pass.')
@click.option("--activation", default=None, metavar="NAME[,NAME…]",
              help="Activation for every layer, or one per layer (symbolic mode) [default: sigmoid].")
@click.option("--loss", default=None, help="Loss: mse, sse, half_sse, bce, ce (symbolic mode) [default: mse].")
@click.option("--expand", is_flag=True, help="Also substitute everything down to x, y and the parameters.")
@click.option("--epochs", type=int, default=1, show_default=True,
              help="Gradient-descent steps to run; the loss of each is listed.")
@click.option("--precision", type=int, default=9, show_default=True,
              help="Significant digits of the numbers shown.")
@click.option("--exact", is_flag=True,
              help="Exact rational arithmetic (needs linear/relu/leaky_relu and mse/sse/half_sse).")
@click.option("--graph", "graph_out", metavar="FILE",
              help="With a spec: also draw the network as a computation graph with a, δ and "
                   "∂L/∂w after the backward pass (.svg, .png or .pdf). Needs matplotlib.")
@click.option("--plot", "plot_out", metavar="FILE",
              help="With a spec: draw the gradient size per layer (log scale) and, with --epochs, "
                   "the loss curve (.svg, .png or .pdf). Needs matplotlib.")
@table_format_option
@detail_option
@verify_option
@report_errors
def network(spec: str | None, depth: int | None, widths: str | None, param: str | None, activation: str | None, loss: str | None,
            expand: bool, epochs: int, precision: int, exact: bool,
            graph_out: str | None, plot_out: str | None, output_format: str | None,
            detail: str, verify: bool) -> None:
    """Backpropagation, step by step, for a small feed-forward network.

    \b
    Examples:
      calcgrad network --layers 3 --activation sigmoid --loss mse
      calcgrad network --layers 2 --activation relu,sigmoid --loss bce --expand
      calcgrad network --widths 2,3,1 --activation tanh --param "W1[3,1]"
      calcgrad network --widths 2,3,3 --activation sigmoid,softmax --loss ce
      calcgrad network examples/network_2_3_1.json
      calcgrad network examples/network_2_3_1.json --epochs 20
      calcgrad network examples/network_2_3_1.json --param "W1[1,1]"
      calcgrad network examples/network_2_3_1.json --graph network.svg
      calcgrad network spec.json --epochs 50 --plot sizes.png
      calcgrad network spec.toml --format json --precision 6
      calcgrad network init --widths 2,3,1 --activation tanh --init xavier --seed 7 > spec.json

    Conventions: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾), a⁽⁰⁾ = x; W⁽ˡ⁾ has shape
    (nₗ, nₗ₋₁). A spec (JSON, or TOML ending in .toml) gives layers, activation, loss, input,
    target, weights, biases, learning_rate and optionally freeze_biases, optimizer (sgd,
    momentum, rmsprop, adam, or an object with its settings) and weight_decay.
    `calcgrad network init --help` writes a starting spec with seeded weights.
    Neurons, inputs x₁, x₂, … and parameter keys W1[j,k], b1[j] count from 1.
    """
    # lazy: start-up speed (the command's code and SymPy load only when it runs)
    from calcgrad.networks.network import Network

    symbolic = depth is not None or widths is not None
    for option, out in (("--graph", graph_out), ("--plot", plot_out)):
        if out is None:
            continue
        # matplotlib only when a picture is asked for; fail before the work
        # lazy: start-up speed (pictures and matplotlib load only when a picture is asked for)
        from calcgrad.pictures import plotting

        if spec is None:
            raise UsageError(f"{option} draws a network with numbers: give a spec file, e.g. "
                             f"calcgrad network examples/network_2_3_1.json {option} network.svg")
        plotting.require_matplotlib()
        plotting.picture_format(out)
    if spec is not None and (symbolic or activation or loss or expand):
        raise UsageError("a spec file sets the architecture itself; --layers, --widths, "
                         "--activation, --loss and --expand are for the symbolic chain without a "
                         "spec (--param works with both)")
    if depth is not None and widths is not None:
        raise UsageError("give either --layers N (one neuron per layer) or --widths, not both")
    if symbolic:
        if depth is not None and depth < 1:
            raise UsageError(f"--layers: expected a whole number ≥ 1, got {depth}")
        # lazy: start-up speed (loaded only when this code runs)
        from calcgrad import limits

        if depth is not None and depth > limits.MAX_NETWORK_LAYERS:
            raise UsageError(f"--layers: at most {limits.MAX_NETWORK_LAYERS} layers, got {depth}")
        layers = [1] * (depth + 1) if depth is not None else widths
        model = Network(layers, activation or "sigmoid", loss or "mse")
        if param is None and all(n == 1 for n in model.layers):
            emit(model.chain(expand=expand, verify=verify), output_format, detail)
        else:
            if expand:
                raise UsageError("--expand is for the one-neuron-per-layer chain (--layers N)")
            if param is not None:
                _note_old_key(param, model)
            emit(model.matrix_form(param, verify=verify), output_format, detail)
        return
    if spec is None:
        raise UsageError("give a spec file (JSON or TOML), e.g. calcgrad network "
                         "examples/network_2_3_1.json, or --layers N for the symbolic chain")
    model = Network.from_spec(spec)
    if param is not None:  # one entry's chain in symbols, then with the spec's numbers
        if graph_out is not None or plot_out is not None or epochs != 1:
            raise UsageError("--param shows one entry's chain; leave out --graph, --plot and --epochs")
        _note_old_key(param, model)
        emit(model.param_chain(param, exact=exact, precision=precision, verify=verify),
             output_format, detail)
        return
    result = model.walkthrough(epochs=epochs, exact=exact, precision=precision,
                               progress=_progress_bar(epochs, output_format))
    emit(result, output_format, detail)
    if graph_out is not None:
        # lazy: start-up speed (pictures and matplotlib load only when a picture is asked for)
        from calcgrad.pictures.network_graph import plot_network

        written = plotting.save_figure(plot_network(result), graph_out)
        click.echo(f"wrote {written}", err=True)  # stderr: stdout stays the walkthrough
    if plot_out is not None:
        # lazy: start-up speed (pictures and matplotlib load only when a picture is asked for)
        from calcgrad.pictures.gradient_sizes import plot_gradient_sizes

        written = plotting.save_figure(plot_gradient_sizes(result), plot_out)
        click.echo(f"wrote {written}", err=True)


def _progress_bar(epochs: int, output_format: str | None):
    """A Rich progress bar on a terminal for long runs; nothing otherwise."""
    if epochs < 2 or not sys.stderr.isatty() or output_format not in (None, "rich"):
        return None
    # lazy: start-up speed (Rich loads only for the terminal view)
    from rich.progress import Progress

    progress = Progress(transient=True)
    task = progress.add_task("epochs", total=epochs)
    progress.start()

    def advance(epoch: int) -> None:
        progress.update(task, completed=epoch)
        if epoch >= epochs:
            progress.stop()

    return advance


def _note_old_key(param: str, model) -> None:
    """A note on stderr when --param uses the old 0-based form (read, but say what it means)."""
    # lazy: start-up speed (network code loads only when this command runs)
    from calcgrad.networks.architecture import canonical_key

    canonical = canonical_key(param, model.architecture)
    if re.search(r"[\[,]\s*0\s*[\],]", param):
        click.echo(f"calcgrad: {param.strip()} counts from 0, the old form; calcgrad now counts "
                   f"from 1, so this is {canonical}", err=True)
