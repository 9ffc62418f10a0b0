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
    "Descent",
    "FirstPrinciples",
    "descend",
    "Network",
    "Verdict",
    "WorkedSolution",
    "check",
    "check_steps",
    "diff",
    "first_principles",
    "Gradient",
    "Hessian",
    "Jacobian",
    "gradient",
    "hessian",
    "jacobian",
    "parse",
    "parse_point",
    "plot_descent",
    "plot_gradient_field",
    "plot_network",
    "plot_tangent",
    "PracticeSet",
    "practice",
    "relu",
    "save_secant_animation",
    "sigmoid",
    "softplus",
]

_LAZY = {
    "Derivation": "calcgrad.derivation",
    "Descent": "calcgrad.descent",
    "descend": "calcgrad.descent",
    "Network": "calcgrad.network",
    "Verdict": "calcgrad.checking",
    "WorkedSolution": "calcgrad.checking",
    "check": "calcgrad.checking",
    "check_steps": "calcgrad.checking",
    "diff": "calcgrad.derive",
    "FirstPrinciples": "calcgrad.first_principles",
    "first_principles": "calcgrad.first_principles",
    "Gradient": "calcgrad.multivar",
    "Hessian": "calcgrad.multivar",
    "Jacobian": "calcgrad.multivar",
    "gradient": "calcgrad.multivar",
    "hessian": "calcgrad.multivar",
    "jacobian": "calcgrad.multivar",
    "parse": "calcgrad.parsing",
    "parse_point": "calcgrad.parsing",
    "plot_descent": "calcgrad.plotting",
    "plot_gradient_field": "calcgrad.plotting",
    "plot_network": "calcgrad.network_graph",
    "plot_tangent": "calcgrad.plotting",
    "PracticeSet": "calcgrad.practice_sets",
    "practice": "calcgrad.practice_sets",
    "save_secant_animation": "calcgrad.plotting",
    "relu": "calcgrad.functions",
    "sigmoid": "calcgrad.functions",
    "softplus": "calcgrad.functions",
}

if TYPE_CHECKING:  # pragma: no cover
    from calcgrad.checking import Verdict, WorkedSolution, check, check_steps
    from calcgrad.derivation import Derivation
    from calcgrad.derive import diff
    from calcgrad.descent import Descent, descend
    from calcgrad.first_principles import FirstPrinciples, first_principles
    from calcgrad.practice_sets import PracticeSet, practice
    from calcgrad.functions import relu, sigmoid, softplus
    from calcgrad.multivar import Gradient, Hessian, Jacobian, gradient, hessian, jacobian
    from calcgrad.network import Network
    from calcgrad.parsing import parse, parse_point
    from calcgrad.network_graph import plot_network
    from calcgrad.plotting import plot_descent, plot_gradient_field, plot_tangent, save_secant_animation


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calcgrad' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
