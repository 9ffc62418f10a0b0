"""The size of the gradient per layer (log scale) and, after several epochs, the loss curve.

Shows a vanishing gradient at a glance: in a deep sigmoid network the norms fall by orders of
magnitude from the last layer back to the first. matplotlib is optional and loads only here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcgrad.errors import UsageError
from calcgrad.networks.backprop import Walkthrough
from calcgrad.pictures.plotting import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_gradient_sizes(walkthrough: Walkthrough) -> Figure:
    """Per layer ‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ on a log scale; beside it the loss per epoch, if any."""
    if not isinstance(walkthrough, Walkthrough):
        raise UsageError(f"plot_gradient_sizes: expected a Walkthrough, got {type(walkthrough).__name__}")
    curve = len(walkthrough.epoch_losses) > 1
    figure, (sizes_axes,) = new_figure((11, 4.2) if curve else (6.5, 4.2))
    if curve:
        sizes_axes.remove()
        sizes_axes, loss_axes = figure.subplots(1, 2)
    layers = [size.layer for size in walkthrough.gradient_sizes]
    for values, label, marker in (
            ([size.weight_gradient for size in walkthrough.gradient_sizes], r"$\|\partial L/\partial W^{(l)}\|$", "o"),
            ([size.delta for size in walkthrough.gradient_sizes], r"$\|\delta^{(l)}\|$", "s")):
        positive = [(l, v) for l, v in zip(layers, values) if v > 0]
        if positive:
            sizes_axes.plot(*zip(*positive), marker=marker, label=label)
    sizes_axes.set_yscale("log")
    sizes_axes.set_xlabel("layer l")
    sizes_axes.set_ylabel("norm (log scale)")
    ratio = walkthrough.gradient_ratio
    title = "Gradient size per layer"
    if ratio is not None and ratio != float("inf"):
        title += f"\nlast / first layer = {ratio:.3g}"
    sizes_axes.set_title(title)
    sizes_axes.legend()
    sizes_axes.grid(True, which="both", alpha=0.3)
    if curve:
        losses = [float(v) for v in walkthrough.epoch_losses] + [float(walkthrough.final_loss)]
        loss_axes.plot(range(1, len(losses) + 1), losses, marker="." if len(losses) < 60 else None)
        if all(v > 0 for v in losses):
            loss_axes.set_yscale("log")
        loss_axes.set_xlabel("epoch (the last point: after the final step)")
        loss_axes.set_ylabel("loss L")
        loss_axes.set_title(f"Loss per epoch ({walkthrough.optimizer.name})")
        loss_axes.grid(True, which="both", alpha=0.3)
    return figure
