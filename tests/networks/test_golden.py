"""Golden files for the network renderers: a 2-layer sigmoid + BCE chain, Mazur's walkthrough
with every δ and gradient written out, and one entry's chain with a spec's numbers.

CALCGRAD_REGENERATE_GOLDEN=1 rewrites the files; read every changed file before committing.
JSON floats are compared to 12 significant digits, so a change in the last bits of the
arithmetic (a different summation order) does not count as a change of output.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console

from calcgrad.networks.network import Network
from tests.networks.test_written import MAZUR

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CALCGRAD_REGENERATE_GOLDEN") == "1"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "network_2_3_1.json"

CASES = {
    "sigmoid_bce_chain": lambda: Network([1, 1, 1], "sigmoid", "bce").chain(),
    "mazur_walkthrough": lambda: Network.from_spec(MAZUR).walkthrough(precision=4),
    "param_numbers": lambda: Network.from_spec(EXAMPLE).param_chain("W1[1,1]", precision=4),
}


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _rich(result) -> str:
    console = Console(width=100, color_system=None, record=True, file=io.StringIO())
    console.print(result)
    return console.export_text()


RENDERERS = {
    "plain": (lambda r: r.plain(), "txt"),
    "latex": (lambda r: r.latex(), "tex"),
    "markdown": (lambda r: r.markdown(), "md"),
    "json": (lambda r: json.dumps(_rounded(r.to_dict()), indent=1, ensure_ascii=False) + "\n", "json"),
    "rich": (_rich, "rich.txt"),
}


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("name", list(CASES))
def test_golden(name: str, fmt: str) -> None:
    """Each format matches its golden file."""
    render, ext = RENDERERS[fmt]
    actual = render(CASES[name]())
    path = GOLDEN / f"{name}.{ext}"
    if REGENERATE:
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual
