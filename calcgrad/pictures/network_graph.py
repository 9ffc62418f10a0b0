"""A network drawn as a computation graph: neurons in layer columns, weights as edges.

After one forward and backward pass (a `Walkthrough`) each neuron shows its activation a and
its error δ = ∂L/∂z, and each edge W⁽ˡ⁾[j,k] shows ∂L/∂W⁽ˡ⁾[j,k]; an edge's width grows with
|∂L/∂w| and its colour gives the sign. Drawn with matplotlib only (no graphviz), on the Agg
canvas without pyplot, like the other pictures in calcgrad/plotting.py.

Every text artist and shape carries a gid naming what it shows ("a1[0]", "W1[0,1]", …) so tests
and SVG readers can find it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from calcgrad.errors import UsageError
from calcgrad.read.request import parameter_key
from calcgrad.pictures.plotting import new_figure, require_matplotlib
from calcgrad.networks.backprop import Walkthrough
from calcgrad.networks.network import Network

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

MAX_GRAPH_WIDTH = 10
"""Most neurons in one layer that the picture can label readably."""

MAX_GRAPH_LAYERS = 8
"""Most layers (after the input) the picture can label readably."""

NODE_RADIUS = 0.3
COLUMN_SPACING = 3.2
ROW_SPACING = 1.7
POSITIVE_COLOUR = "#c0392b"
NEGATIVE_COLOUR = "#2e6fb7"


def plot_network(network_or_walkthrough) -> Figure:
    """The network as a computation graph with forward values and gradients after backprop.

    Takes a `Network` with numbers (from a spec: weights, input, target) — its walkthrough is
    worked here — or a `Walkthrough` already worked. Nodes show a and δ of the first example of
    the batch; edges show the gradient ∂L/∂w as the walkthrough reports it (the mean over the
    batch). Returns a matplotlib Figure.
    """
    require_matplotlib()
    walkthrough = _walkthrough(network_or_walkthrough)
    widths = walkthrough.architecture.widths
    if max(widths) > MAX_GRAPH_WIDTH or len(widths) - 1 > MAX_GRAPH_LAYERS:
        raise UsageError(f"the graph is drawn for networks of at most {MAX_GRAPH_LAYERS} layers of "
                         f"at most {MAX_GRAPH_WIDTH} neurons; this one has widths "
                         f"{', '.join(map(str, widths))}")
    return _draw(walkthrough)


def _walkthrough(source) -> Walkthrough:
    if isinstance(source, Walkthrough):
        return source
    if isinstance(source, Network):
        return source.walkthrough()
    raise UsageError("plot_network draws a Network with numbers (Network.from_spec(...)) or its "
                     f"walkthrough, not {type(source).__name__}")


def node_position(widths, layer: int, j: int) -> tuple[float, float]:
    """Column `layer`, neurons spread evenly and centred vertically (neuron 0 at the top)."""
    width = widths[layer]
    return COLUMN_SPACING * layer, ROW_SPACING * ((width - 1) / 2 - j)


def _draw(walkthrough: Walkthrough):
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    from matplotlib.patches import Circle

    arch = walkthrough.architecture
    widths = arch.widths
    depth = len(widths) - 1
    number = _short
    figure, (axes,) = new_figure((3.3 * (depth + 1) + 1.5, 1.7 * max(widths) + 1.8))

    gradients = {key: abs(float(walkthrough.gradients[key]))
                 for key in arch.parameter_keys(walkthrough.freeze_biases) if key.startswith("W")}
    largest = max(gradients.values(), default=0.0) or 1.0
    for layer in range(1, depth + 1):
        for j in range(widths[layer]):
            for k in range(widths[layer - 1]):
                key = parameter_key("W", layer, j, k)
                (x0, y0), (x1, y1) = node_position(widths, layer - 1, k), node_position(widths, layer, j)
                gradient = float(walkthrough.gradients[key])
                colour = POSITIVE_COLOUR if gradient >= 0 else NEGATIVE_COLOUR
                (edge,) = axes.plot([x0, x1], [y0, y1], color=colour, alpha=0.75, zorder=1,
                                    lw=0.6 + 5.0 * abs(gradient) / largest, solid_capstyle="round")
                edge.set_gid(key)
                sources = widths[layer - 1]
                t = 0.3 + 0.4 * k / (sources - 1) if sources > 1 else 0.5  # spread the labels
                label = axes.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0),
                                  f"{number(walkthrough.gradients[key])}", fontsize=7,
                                  ha="center", va="center", color=colour, zorder=3,
                                  bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                        "ec": "none", "alpha": 0.85})
                label.set_gid(f"∂L/∂{key}")

    first_inputs = walkthrough.inputs[0]
    for layer in range(depth + 1):
        for j in range(widths[layer]):
            x, y = node_position(widths, layer, j)
            node = Circle((x, y), NODE_RADIUS, facecolor="#f7f3e3" if layer else "#e8eef7",
                          edgecolor="black", lw=1.2, zorder=4)
            node.set_gid(f"node {layer},{j}")
            axes.add_patch(node)
            if layer == 0:
                lines = [f"x{_subscript(j)} = {number(first_inputs[j])}"]
            else:
                z, a = walkthrough.forward[0][layer - 1]
                delta = walkthrough.deltas[0][layer - 1][j]
                lines = [f"a = {number(a[j])}", f"δ = {number(delta)}"]
                bias = parameter_key("b", layer, j)
                if bias in walkthrough.gradients:
                    lines.append(f"∂L/∂b = {number(walkthrough.gradients[bias])}")
            label = axes.text(x, y - NODE_RADIUS - 0.06, "\n".join(lines), fontsize=7.5,
                              ha="center", va="top", zorder=5,
                              bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.7",
                                    "alpha": 0.9})
            label.set_gid(f"a{layer}[{j}]")

    top = ROW_SPACING * (max(widths) - 1) / 2 + 0.6
    for layer in range(depth + 1):
        heading = "input a⁽⁰⁾ = x" if layer == 0 else f"layer {layer}: {arch.activations[layer - 1]}"
        axes.text(COLUMN_SPACING * layer, top, heading, ha="center", va="bottom", fontsize=9, weight="bold")
    targets = ", ".join(number(v) for v in walkthrough.targets[0])
    loss = axes.text(COLUMN_SPACING * depth + 0.6, 0, f"{arch.loss}\ny = ({targets})\nL = {number(walkthrough.loss)}",
                     ha="left", va="center", fontsize=9,
                     bbox={"boxstyle": "round,pad=0.3", "fc": "#fdecea", "ec": "0.6"})
    loss.set_gid("loss")

    batch = walkthrough.batch_size
    scope = "" if batch == 1 else f" (nodes: example 1 of {batch}; edges: mean over the batch)"
    axes.set_title("Forward values a and errors δ = ∂L/∂z on the neurons, ∂L/∂w on the weights "
                   f"(width ∝ |∂L/∂w|; red > 0, blue < 0){scope}", fontsize=9)
    bottom = -ROW_SPACING * (max(widths) - 1) / 2 - 1.1
    axes.set_xlim(-1.0, COLUMN_SPACING * depth + 2.2)
    axes.set_ylim(bottom, top + 0.45)
    axes.set_aspect("equal")
    axes.axis("off")
    return figure


def _short(value) -> str:
    """A number as the picture shows it: 4 significant digits, or p/q when exact."""
    if isinstance(value, Fraction):
        text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    else:
        text = f"{float(value):.4g}"
    return text.replace("-", "−")


def _subscript(index: int) -> str:
    return str(index + 1).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
