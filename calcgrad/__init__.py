"""calcgrad: derivatives, gradients and backpropagation, worked step by step.

The public API is listed in __all__; names are imported lazily so that the CLI starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from calcgrad._version import __version__
from calcgrad.errors import CalcgradError, InputError, LimitError, ParseError, UsageError

__all__ = [
    "__version__",
    "CalcgradError",
    "InputError",
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
    "Derivation": "calcgrad.engine.derivation",
    "Descent": "calcgrad.calculus.descent",
    "descend": "calcgrad.calculus.descent",
    "Network": "calcgrad.networks.network",
    "Verdict": "calcgrad.grading.checking",
    "WorkedSolution": "calcgrad.grading.checking",
    "check": "calcgrad.grading.checking",
    "check_steps": "calcgrad.grading.checking",
    "diff": "calcgrad.engine.derive",
    "FirstPrinciples": "calcgrad.calculus.first_principles",
    "first_principles": "calcgrad.calculus.first_principles",
    "Gradient": "calcgrad.calculus.multivar",
    "Hessian": "calcgrad.calculus.multivar",
    "Jacobian": "calcgrad.calculus.multivar",
    "gradient": "calcgrad.calculus.multivar",
    "hessian": "calcgrad.calculus.multivar",
    "jacobian": "calcgrad.calculus.multivar",
    "parse": "calcgrad.read.parser",
    "parse_point": "calcgrad.read.parser",
    "plot_descent": "calcgrad.pictures.plotting",
    "plot_gradient_field": "calcgrad.pictures.plotting",
    "plot_network": "calcgrad.pictures.network_graph",
    "plot_tangent": "calcgrad.pictures.plotting",
    "PracticeSet": "calcgrad.calculus.practice_sets",
    "practice": "calcgrad.calculus.practice_sets",
    "save_secant_animation": "calcgrad.pictures.plotting",
    "relu": "calcgrad.engine.functions",
    "sigmoid": "calcgrad.engine.functions",
    "softplus": "calcgrad.engine.functions",
}

if TYPE_CHECKING:  # pragma: no cover
    from calcgrad.grading.checking import Verdict, WorkedSolution, check, check_steps
    from calcgrad.engine.derivation import Derivation
    from calcgrad.engine.derive import diff
    from calcgrad.calculus.descent import Descent, descend
    from calcgrad.calculus.first_principles import FirstPrinciples, first_principles
    from calcgrad.calculus.practice_sets import PracticeSet, practice
    from calcgrad.engine.functions import relu, sigmoid, softplus
    from calcgrad.calculus.multivar import Gradient, Hessian, Jacobian, gradient, hessian, jacobian
    from calcgrad.networks.network import Network
    from calcgrad.read.parser import parse, parse_point
    from calcgrad.pictures.network_graph import plot_network
    from calcgrad.pictures.plotting import plot_descent, plot_gradient_field, plot_tangent, save_secant_animation


_GUARDED = {"check", "check_steps", "descend", "diff", "first_principles", "gradient", "hessian",
            "jacobian", "parse", "parse_point", "practice"}
"""API functions that read user text: each runs under a time budget (`timeout=` seconds,
default limits.API_SECONDS) and reports a library's failure on the input as InputError."""


def _guarded(function):
    """`function` with a `timeout=` keyword and library failures turned into InputError."""
    # lazy: start-up speed (loaded only when this code runs)
    import inspect
    from functools import wraps

    passes_timeout = "timeout" in inspect.signature(function).parameters

    @wraps(function)
    def guarded(*args, timeout: float | None = None, **kwargs):
        # lazy: start-up speed (loaded only when this code runs)
        from calcgrad.deadline import deadline
        from calcgrad.errors import as_input_error, raised_by_library

        try:
            with deadline(timeout, f"calcgrad.{function.__name__}"):
                if passes_timeout:
                    kwargs["timeout"] = timeout
                return function(*args, **kwargs)
        except CalcgradError:
            raise
        except RecursionError:
            raise LimitError("this input is nested too deeply to work through") from None
        except Exception as error:
            if raised_by_library(error):
                raise as_input_error(error) from error
            raise

    return guarded


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        if name in _GUARDED:
            value = _guarded(value)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'calcgrad' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
