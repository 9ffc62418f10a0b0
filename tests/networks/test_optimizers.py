"""Optimisers over several epochs against an independent reference and against torch.optim.

The reference below shares nothing with calcgrad.networks: it runs in 50-digit mpmath, takes
gradients by central differences of the loss (h = 10⁻²⁰), and writes each optimiser in the
textbook form (momentum as v ← μv − ηg, w ← w + v; Adam through m̂, v̂).

Both comparisons go step by step over --epochs: step t of the reference (or of torch.optim)
starts from calcgrad's parameters after t − 1 epochs, keeps its own optimiser state (t, the
momentum buffer, v, m) from its own earlier steps, and must give calcgrad's parameters after t
epochs to 1e-12 relative. Comparing only the end of six free-running epochs cannot be held to
1e-12: RMSprop divides by √v, which is small in the first steps, so a trajectory can amplify
round-off by ~10⁴ (random_spec(0) with RMSprop: a 1e-14 relative change of one gradient at
step 2 moves the weights after step 6 by 2.9e-10 relative, measured with torch alone), and
torch disagrees with itself by 9.8e-12 on that network between ATEN_CPU_CAPABILITY=default and
avx512 (its kernels fuse multiply-adds); calcgrad's gradients and torch autograd's differ in
the last bits (the order of their sums), and its RMSprop step already follows torch's order
(square_avg·α + (1 − α)·g·g, then g/(√v + ε), then w − η·that).
"""

from __future__ import annotations

import random

import mpmath
import pytest

from calcgrad.errors import UsageError
from calcgrad.networks.network import Network
from calcgrad.networks.optimizers import Optimizer, read_optimizer

OPTIMIZERS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.05}),
    ({"name": "momentum", "momentum": 0.9}, {}),
    ({"name": "momentum", "momentum": 0.8, "dampening": 0.3}, {"weight_decay": 0.01}),
    ({"name": "momentum", "momentum": 0.9, "nesterov": True}, {}),
    ("rmsprop", {}),
    ({"name": "rmsprop", "alpha": 0.9, "eps": 1e-6}, {"weight_decay": 0.02}),
    ("adam", {}),
    ({"name": "adam", "betas": [0.8, 0.99], "eps": 1e-7}, {"weight_decay": 0.01}),
]
IDS = ["sgd", "sgd-decay", "momentum", "momentum-dampening", "nesterov", "rmsprop",
       "rmsprop-options", "adam", "adam-options"]
EPOCHS = 6


def random_spec(seed: int) -> dict:
    """A small random network with a smooth activation everywhere (no ReLU kinks)."""
    rng = random.Random(seed)
    depth = rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(depth + 1)]
    hidden = [rng.choice(["sigmoid", "tanh", "softplus", "linear"]) for _ in range(depth - 1)]
    loss = rng.choice(["mse", "half_sse", "bce"])
    output = "sigmoid" if loss == "bce" else rng.choice(["sigmoid", "tanh", "linear"])
    batch = rng.randint(1, 2)
    target = [[rng.random() for _ in range(widths[-1])] for _ in range(batch)]
    return {
        "layers": widths, "activation": hidden + [output], "loss": loss,
        "input": [[rng.uniform(-2, 2) for _ in range(widths[0])] for _ in range(batch)],
        "target": target,
        "weights": [[[rng.uniform(-1, 1) for _ in range(widths[l])] for _ in range(widths[l + 1])]
                    for l in range(depth)],
        "biases": [[rng.uniform(-0.5, 0.5) for _ in range(widths[l + 1])] for l in range(depth)],
        "learning_rate": rng.choice([0.05, 0.1, 0.3]),
    }


# --- the independent reference ------------------------------------------------------------------

def _act(name, v):
    return {"sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)), "tanh": mpmath.tanh,
            "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)), "linear": lambda t: t}[name](v)


def _loss(spec, flat):
    widths, acts = spec["layers"], spec["activation"]
    total = 0
    for x, y in zip(spec["input"], spec["target"]):
        a = [mpmath.mpf(v) for v in x]
        for l in range(1, len(widths)):
            a = [_act(acts[l - 1], mpmath.fsum(flat[("W", l, j, k)] * a[k] for k in range(widths[l - 1]))
                      + flat[("b", l, j)]) for j in range(widths[l])]
        n = len(a)
        if spec["loss"] == "mse":
            total += mpmath.fsum((t - o) ** 2 for o, t in zip(a, y)) / n
        elif spec["loss"] == "half_sse":
            total += mpmath.fsum((t - o) ** 2 for o, t in zip(a, y)) / 2
        else:
            total -= mpmath.fsum(t * mpmath.log(o) + (1 - t) * mpmath.log(1 - o) for o, t in zip(a, y)) / n
    return total / len(spec["input"])


def _keys(spec):
    widths = spec["layers"]
    keys = []
    for l in range(1, len(widths)):
        keys += [("W", l, j, k) for j in range(widths[l]) for k in range(widths[l - 1])]
        keys += [("b", l, j) for j in range(widths[l])]
    return keys


class ReferenceOptimizer:
    """The optimiser in 50-digit mpmath, one step at a time from parameters it is given."""

    def __init__(self, spec, optimizer, weight_decay):
        self.spec = spec
        self.opt = read_optimizer(optimizer, weight_decay)
        self.t = 0
        self.velocity, self.square, self.first = {}, {}, {}

    def step(self, parameters: dict) -> dict:
        """Parameters keyed like calcgrad ("W1[1,2]") after one more step from `parameters`."""
        opt, spec = self.opt, self.spec
        self.t += 1
        t = self.t
        with mpmath.workdps(50):
            flat = {}
            for l in range(1, len(spec["layers"])):
                for j in range(spec["layers"][l]):
                    flat[("b", l, j)] = mpmath.mpf(parameters[f"b{l}[{j + 1}]"])
                    for k in range(spec["layers"][l - 1]):
                        flat[("W", l, j, k)] = mpmath.mpf(parameters[f"W{l}[{j + 1},{k + 1}]"])
            eta, mu, tau, lam = (mpmath.mpf(v) for v in (spec["learning_rate"], opt.momentum,
                                                          opt.dampening, opt.weight_decay))
            alpha, eps = mpmath.mpf(opt.alpha), mpmath.mpf(opt.eps)
            beta1, beta2 = (mpmath.mpf(b) for b in opt.betas)
            h = mpmath.mpf(10) ** -20
            grads = {}
            for key in flat:
                plus, minus = dict(flat), dict(flat)
                plus[key] += h
                minus[key] -= h
                grads[key] = (_loss(spec, plus) - _loss(spec, minus)) / (2 * h) + lam * flat[key]
            for key, g in grads.items():
                if opt.name in ("sgd", "momentum") and mu:
                    # textbook velocity v = −η·(PyTorch's buffer): v ← μv − η(1 − τ)g, first v = −ηg
                    v = -eta * g if t == 1 else mu * self.velocity[key] - eta * (1 - tau) * g
                    self.velocity[key] = v
                    flat[key] += (v * mu - eta * g) if opt.nesterov else v
                elif opt.name in ("sgd", "momentum"):
                    flat[key] -= eta * g
                elif opt.name == "rmsprop":
                    self.square[key] = alpha * self.square.get(key, 0) + (1 - alpha) * g ** 2
                    flat[key] -= eta * g / (mpmath.sqrt(self.square[key]) + eps)
                else:
                    self.first[key] = beta1 * self.first.get(key, 0) + (1 - beta1) * g
                    self.square[key] = beta2 * self.square.get(key, 0) + (1 - beta2) * g ** 2
                    m_hat = self.first[key] / (1 - beta1 ** t)
                    v_hat = self.square[key] / (1 - beta2 ** t)
                    flat[key] -= eta * m_hat / (mpmath.sqrt(v_hat) + eps)
            return {(f"W{k[1]}[{k[2] + 1},{k[3] + 1}]" if k[0] == "W" else f"b{k[1]}[{k[2] + 1}]"): float(v)
                    for k, v in flat.items()}


def step_error(before: float, after: float, expected: float) -> float:
    """|after − expected| relative to the larger of the parameter before and after the step: a
    step w − Δ that lands near 0 carries the round-off of w and Δ, not of its small result."""
    scale = max(abs(before), abs(after), abs(expected))
    return abs(after - expected) / scale if scale else 0.0


def epochs_of(spec, optimizer, weight_decay, epochs=EPOCHS) -> list[dict]:
    """calcgrad's parameters before any step, then after 1, 2, …, `epochs` epochs."""
    network = Network.from_spec({**spec, "optimizer": optimizer, **weight_decay})
    first = network.walkthrough(check=False)
    runs = [dict(first.parameters), dict(first.updated)]
    for count in range(2, epochs + 1):
        runs.append(dict(network.walkthrough(epochs=count, check=False).final))
    return runs


@pytest.mark.parametrize("optimizer, weight_decay", OPTIMIZERS, ids=IDS)
@pytest.mark.parametrize("seed", range(4))
def test_matches_independent_reference(seed, optimizer, weight_decay) -> None:
    """Each of 6 epochs agrees with the 50-digit reference's step from the same parameters to 1e-12."""
    spec = random_spec(seed)
    ours = epochs_of(spec, optimizer, weight_decay)
    reference = ReferenceOptimizer(spec, optimizer, weight_decay.get("weight_decay", 0))
    worst = 0.0
    for before, after in zip(ours, ours[1:]):
        expected = reference.step(before)
        assert set(after) == set(expected)
        worst = max(worst, max(step_error(before[k], after[k], expected[k]) for k in after))
    assert worst < 1e-12, worst


@pytest.mark.parametrize("optimizer, weight_decay", OPTIMIZERS, ids=IDS)
@pytest.mark.parametrize("seed", range(4))
def test_matches_torch_optim(seed, optimizer, weight_decay) -> None:
    """Each of 6 epochs agrees with torch.optim's step (float64, its own state) from the same
    parameters to 1e-12."""
    torch = pytest.importorskip("torch")
    spec = random_spec(seed)
    opt = read_optimizer(optimizer, weight_decay.get("weight_decay", 0))
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec["weights"]]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in spec["biases"]]
    params = [p for pair in zip(weights, biases) for p in pair]
    common = {"lr": spec["learning_rate"], "weight_decay": float(opt.weight_decay)}
    if opt.name in ("sgd", "momentum"):
        torch_opt = torch.optim.SGD(params, momentum=float(opt.momentum), dampening=float(opt.dampening),
                                    nesterov=opt.nesterov, **common)
    elif opt.name == "rmsprop":
        torch_opt = torch.optim.RMSprop(params, alpha=float(opt.alpha), eps=float(opt.eps), **common)
    else:
        torch_opt = torch.optim.Adam(params, betas=tuple(map(float, opt.betas)), eps=float(opt.eps),
                                     **common)
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": torch.nn.functional.softplus,
           "linear": lambda t: t}
    x = torch.tensor(spec["input"], dtype=torch.float64)
    y = torch.tensor(spec["target"], dtype=torch.float64)
    ours = epochs_of(spec, optimizer, weight_decay)
    worst = 0.0
    for before, after in zip(ours, ours[1:]):
        with torch.no_grad():  # torch starts this step from calcgrad's parameters
            for l, (w, b) in enumerate(zip(weights, biases), start=1):
                w.copy_(torch.tensor([[before[f"W{l}[{j + 1},{k + 1}]"] for k in range(w.shape[1])]
                                      for j in range(w.shape[0])], dtype=torch.float64))
                b.copy_(torch.tensor([before[f"b{l}[{j + 1}]"] for j in range(b.shape[0])],
                                     dtype=torch.float64))
        torch_opt.zero_grad()
        a = x
        for w, b, name in zip(weights, biases, spec["activation"]):
            a = fns[name](a @ w.T + b)
        n = y.shape[1]
        per_row = {"mse": ((y - a) ** 2).sum(1) / n, "half_sse": ((y - a) ** 2).sum(1) / 2,
                   "bce": -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(1) / n}[spec["loss"]]
        per_row.mean().backward()
        torch_opt.step()
        for l, (w, b) in enumerate(zip(weights, biases), start=1):
            for j in range(w.shape[0]):
                key = f"b{l}[{j + 1}]"
                worst = max(worst, step_error(before[key], after[key], float(b.detach()[j])))
                for k in range(w.shape[1]):
                    key = f"W{l}[{j + 1},{k + 1}]"
                    worst = max(worst, step_error(before[key], after[key], float(w.detach()[j, k])))
    assert worst < 1e-12, worst


# --- written out, defaults, errors ----------------------------------------------------------------

EXAMPLE = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
           "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]],
           "biases": [[0.1, 0.1, 0.1], [0.2]], "learning_rate": 0.5}


def test_defaults_are_pytorch() -> None:
    assert Optimizer("sgd", 0, 0, False, 0.99, 1e-8, (0.9, 0.999), 0) == read_optimizer("sgd")
    assert 0.9 == read_optimizer("momentum").momentum  # the name asks for momentum
    assert (0.9, 0.999) == read_optimizer("adam").betas and 1e-8 == read_optimizer("adam").eps
    assert 0.99 == read_optimizer("rmsprop").alpha


def test_momentum_written_out() -> None:
    """Each update: formula, then the numbers put in, then the value (two steps: b carries over)."""
    spec = {**EXAMPLE, "optimizer": {"name": "momentum", "momentum": 0.9}}
    result = Network.from_spec(spec).walkthrough(precision=4)
    text = result.plain()
    g = result.gradients["W2[1,2]"]
    assert "W2[1,2]:" in text
    assert f"m ← g (first step: the momentum buffer m starts at g) = {result.number(g)}" in text
    expected = -0.8 - 0.5 * g
    assert g < 0  # so it is written in brackets
    assert f"w ← w − η·m = -0.8 − 0.5·({result.number(g)}) = {result.number(expected)}" in text
    assert abs(result.updated["W2[1,2]"] - expected) < 1e-15
    assert "v ← μv − η·∇w, w ← w + v is the same with v = −η·m" in text


def test_adam_written_out_and_json() -> None:
    result = Network.from_spec({**EXAMPLE, "optimizer": "adam", "weight_decay": 0.01}).walkthrough()
    lines = result.update_lines["W1[1,1]"]
    assert ["g = ∂L/∂w + λw", "m ← β₁m + (1 − β₁)g", "v ← β₂v + (1 − β₂)g²", "m̂ = m/(1 − β₁ᵗ)",
            "v̂ = v/(1 − β₂ᵗ)", "w ← w − η·m̂/(√v̂ + ε)"] == [line.formula for line in lines]
    data = result.to_dict()
    assert {"name": "adam", "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01} == data["optimizer"]
    first = data["update_written_out"]["W1[1,1]"][1]
    assert first["numbers"].startswith("m ← β₁m + (1 - β₁)g = 0.9·0 + (1 - 0.9)·")
    assert "optimizer adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-08, weight decay λ = 0.01)" in result.plain()


def test_plain_sgd_unchanged() -> None:
    """Without an optimizer the step is w ← w − η·∂L/∂w as before, now also written out."""
    result = Network.from_spec(EXAMPLE).walkthrough()
    for key, value in result.parameters.items():
        assert result.updated[key] == value - 0.5 * result.gradients[key]
    assert "one gradient-descent step: w ← w − η·∂L/∂w" in result.plain()
    assert {"name": "sgd", "weight_decay": 0} == result.to_dict()["optimizer"]


def test_exact_momentum_and_refused_adam() -> None:
    spec = {**EXAMPLE, "activation": "linear", "learning_rate": "1/2", "input": [1, -2],
            "weights": [[[1, 2], [-3, 4], [5, -6]], [[7, -8, 9]]], "biases": [[1, 1, 1], [2]],
            "optimizer": {"name": "momentum", "momentum": "9/10"}}
    result = Network.from_spec(spec).walkthrough(epochs=3, exact=True)
    assert all(type(v).__name__ == "Fraction" for v in result.final.values())
    with pytest.raises(UsageError, match="adam takes square roots"):
        Network.from_spec({**spec, "optimizer": "adam"}).walkthrough(exact=True)


@pytest.mark.parametrize("optimizer, weight_decay, message", [
    ("adagrad", 0, "optimizer: unknown optimizer 'adagrad'; expected one of sgd, momentum, rmsprop, adam"),
    ({"name": "adam", "momentum": 0.9}, 0, "optimizer.momentum: not a setting of adam"),
    ({"name": "adam", "betas": [0.9]}, 0, r"optimizer.betas: expected a list of two numbers"),
    ({"name": "adam", "betas": [0.9, 1.0]}, 0, r"optimizer.betas\[1\]: expected a number in \[0, 1\)"),
    ({"name": "momentum", "nesterov": "yes"}, 0, "optimizer.nesterov: expected true or false"),
    ({"name": "momentum", "nesterov": True, "dampening": 0.1}, 0, "Nesterov momentum needs"),
    ({"name": "rmsprop", "eps": 0}, 0, "optimizer.eps: expected a positive number"),
    ("sgd", -0.1, "weight_decay: expected a number ≥ 0"),
    ("sgd", "lots", "weight_decay: expected a number"),
    (3, 0, "optimizer: expected a name"),
    ({"momentum": 0.9}, 0, "optimizer.name: missing; an optimizer object needs a name"),
])
def test_bad_optimizer(optimizer, weight_decay, message) -> None:
    with pytest.raises(UsageError, match=message):
        Network.from_spec({**EXAMPLE, "optimizer": optimizer, "weight_decay": weight_decay})


def test_last_step_written_out_with_state() -> None:
    """With --epochs the last step is written out too, where the buffers are no longer 0."""
    spec = {**EXAMPLE, "optimizer": {"name": "momentum", "momentum": 0.9}}
    result = Network.from_spec(spec).walkthrough(epochs=3)
    lines = result.last_update_lines["W1[1,1]"]
    assert ["g = ∂L/∂w", "m ← μm + g", "w ← w − η·m"] == [line.formula for line in lines]
    momentum, old_buffer, g = lines[1].operands
    assert 0.9 == momentum and old_buffer != 0 and lines[1].value == 0.9 * old_buffer + g
    assert result.final["W1[1,1]"] == lines[2].value
    assert "The update written out, step t = 3" in result.plain()
    assert 3 == result.to_dict()["last_update_written_out"]["step"]
