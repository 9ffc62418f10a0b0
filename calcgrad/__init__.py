"""calcgrad: derivatives, gradients and backpropagation, worked step by step.

The public API is listed in __all__; names are imported lazily so that the CLI starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from calcgrad._version import __version__
from calcgrad.errors import CalcgradError, LimitError, ParseError, UsageError

__all__ = [
    "__version__",
    "CalcgradError",
    "LimitError",
    "ParseError",
    "UsageError",
    "Derivation",
    "Verdict",
    "WorkedSolution",
    "check",
    "check_steps",
    "diff",
    "parse",
    "parse_point",
    "relu",
    "sigmoid",
    "softplus",
]

_LAZY = {
    "Derivation": "calcgrad.derivation",
    "Verdict": "calcgrad.checking",
    "WorkedSolution": "calcgrad.checking",
    "check": "calcgrad.checking",
    "check_steps": "calcgrad.checking",
    "diff": "calcgrad.derive",
    "parse": "calcgrad.parsing",
    "parse_point": "calcgrad.parsing",
    "relu": "calcgrad.functions",
    "sigmoid": "calcgrad.functions",
    "softplus": "calcgrad.functions",
}

if TYPE_CHECKING:  # pragma: no cover
    from calcgrad.checking import Verdict, WorkedSolution, check, check_steps
    from calcgrad.derivation import Derivation
    from calcgrad.derive import diff
    from calcgrad.functions import relu, sigmoid, softplus
    from calcgrad.parsing import parse, parse_point


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calcgrad' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
