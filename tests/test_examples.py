"""Every script in examples/ runs to the end, so the examples never rot."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
SLOW = {"gallery.py", "autograder_test.py"}   # pictures of everything; a pytest run in a subprocess


def test_there_are_examples() -> None:
    """The examples folder holds runnable scripts."""
    assert EXAMPLES


@pytest.mark.parametrize("script", [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p
                                    for p in EXAMPLES], ids=lambda p: p.name)
def test_example_runs(script: pathlib.Path) -> None:
    """The script exits 0 and prints something, with no traceback (a *_test.py file: its tests pass)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's calcgrad
    command = [sys.executable, str(script)]
    if script.name.endswith("_test.py"):
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)]
    done = subprocess.run(command, capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=environment)
    assert 0 == done.returncode, done.stderr
    assert done.stdout.strip()
    assert "Traceback" not in done.stderr
