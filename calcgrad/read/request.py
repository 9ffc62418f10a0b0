"""Every user request read one way: expressions, declared names, variables, points, directions.

Each command and each API function reads what the user gave through these functions, so the
same input is accepted (or refused, with the same message) everywhere:

* an expression is text (read by calcgrad.read.parser, never eval/sympify) or a SymPy
  expression, whose symbols are made real;
* declared names (`variables=`, `--var`) are names, "loss,lr" or a list of either;
* the variables to differentiate by (`wrt=`, `--wrt`) are a name, "x,y", a Symbol or a list
  of those, in order, repeats kept (mixed partials);
* a point (`at=`, `--at`, `--start`) is "x=3, y=1/2" or a mapping, or a bare value ("3",
  3, "pi/4") when there is exactly one variable; every value is a real, finite constant;
* a direction is "1,1", "(1, 1)" or a list of numbers, one per variable;
* a network parameter (`--param`) is "W1[3,1]" or "b2[1]", counted from 1 like every index
  a user types or reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import warnings

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.errors import ParseError, UsageError
from calcgrad.read.parser import Reading, parse, parse_point, parse_symbol, read

__all__ = [
    "declared_names",
    "direction",
    "entry",
    "expression",
    "number",
    "parameter",
    "parameter_key",
    "point",
    "real_finite",
    "symbol",
    "variables",
    "wrt_keyword",
]

Point = dict[Symbol, Expr]


# --- names -------------------------------------------------------------------------------------


def declared_names(names: Any = ()) -> tuple[str, ...]:
    """The multi-letter names a user declares: "loss", "loss,lr", ["loss", "lr"] or None.

    A plain string is one comma list (never split letter by letter, as tuple("loss") would).
    """
    if names is None:
        return ()
    if isinstance(names, str):
        names = (names,)
    elif isinstance(names, Symbol):
        names = (names.name,)
    try:
        items = list(names)
    except TypeError:
        raise UsageError(f"declared variable names must be text such as 'loss,lr' or a list "
                         f"of names, not {type(names).__name__}") from None
    declared: list[str] = []
    for item in items:
        if isinstance(item, Symbol):
            item = item.name
        if not isinstance(item, str):
            raise UsageError(f"a declared variable name must be text such as 'loss', "
                             f"not {type(item).__name__}")
        declared += [name.strip() for name in item.split(",") if name.strip()]
    return tuple(dict.fromkeys(declared))


def symbol(name: Any, declared: Iterable[str] = ()) -> Symbol:
    """One variable: a name ("x", "w1", "theta", "θ") or a SymPy Symbol (made real)."""
    if isinstance(name, Symbol):
        return name if name.is_real else Symbol(name.name, real=True)
    if isinstance(name, str):
        return parse_symbol(name.strip(), variables=tuple(declared))
    raise UsageError(f"a variable must be a name such as x, not {type(name).__name__}")


def variables(wrt: Any, declared: Iterable[str] = ()) -> tuple[Symbol, ...]:
    """The variables to differentiate by (or plot along), in the order given, repeats kept.

    `wrt` is None, a name, "x,y", a Symbol, or a list of those (the CLI's repeated --wrt).
    """
    if wrt is None:
        return ()
    if isinstance(wrt, (str, Symbol)):
        wrt = (wrt,)
    try:
        items = list(wrt)
    except TypeError:
        raise UsageError(f"the variables must be names such as 'x,y' or a list of names, "
                         f"not {type(wrt).__name__}") from None
    declared = tuple(declared)
    symbols: list[Symbol] = []
    for item in items:
        if isinstance(item, str):
            symbols += [symbol(name, declared) for name in item.split(",") if name.strip()]
        else:
            symbols.append(symbol(item, declared))
    return tuple(symbols)


def wrt_keyword(wrt: Any, vars: Any, function: str) -> Any:  # noqa: A002 - the old keyword
    """`wrt`, or the old spelling `vars=` (still accepted, with a DeprecationWarning)."""
    if vars is None:
        return wrt

    warnings.warn(f"{function}(vars=...) is deprecated; use wrt=...", DeprecationWarning,
                  stacklevel=3)
    if wrt is not None:
        raise UsageError(f"{function}: give the variables once, as wrt= (vars= is its old name)")
    return vars


# --- expressions and numbers -------------------------------------------------------------------


def expression(expr: Any, declared: Iterable[str] = (), what: str = "the expression") -> Expr:
    """Text read by calcgrad's parser, or a SymPy expression with its symbols made real."""
    return reading(expr, declared, what).expression


def reading(expr: Any, declared: Iterable[str] = (), what: str = "the expression") -> Reading:
    """The expression and the warnings where its reading may not be what was meant (e^2x)."""
    if isinstance(expr, str):
        if not expr.strip():
            raise ParseError(f"{what} is empty", expr, 0, "write an expression such as x^2")
        return read(expr, variables=tuple(declared))
    return Reading(_real_symbols(expr, what))


def _real_symbols(expr: Any, what: str) -> Expr:
    if isinstance(expr, sympy.Basic):
        swap = {s: Symbol(s.name, real=True) for s in expr.free_symbols
                if isinstance(s, Symbol) and not s.is_real}
        return expr.xreplace(swap) if swap else expr
    raise UsageError(f"{what} must be text or a SymPy expression, not {type(expr).__name__}")


def number(value: Any, what: str, declared: Iterable[str] = ()) -> Expr:
    """A finite real constant: text ("pi/4", read by the parser), int, float, Fraction or SymPy.

    `what` names it in the error ("the value of x"); errors are UsageErrors (exit status 2).
    """
    if isinstance(value, str):
        if not value.strip():
            raise UsageError(f"{what} is empty; give a number such as 1 or 1/2")
        result = parse(value, variables=tuple(declared))
    elif isinstance(value, bool):
        raise UsageError(f"{what} must be a number, not {value!r}")
    elif isinstance(value, int):
        result = sympy.Integer(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"{what} must be a finite real number, not {value!r}")
        result = sympy.Float(value)
    elif isinstance(value, Fraction):
        result = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, sympy.Basic):
        result = value
    else:
        raise UsageError(f"{what} must be a number, not {type(value).__name__}")
    if result.free_symbols:
        names = ", ".join(sorted(s.name for s in result.free_symbols))
        raise UsageError(f"{what} must be a number, but it contains {names}")
    limits.check_magnitude(result, what)  # before evaluating it: e^e^e^e^3 never ends
    if not real_finite(result):
        raise UsageError(f"{what} must be a finite real number, not {result}")
    return result


def real_finite(value: Expr) -> bool:
    """True when a constant is a finite real number (checked by 30-digit evaluation)."""
    if not isinstance(value, sympy.Basic) or value.free_symbols:
        return False
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    try:
        approx = value.evalf(30)
    except (ValueError, TypeError, ArithmeticError):
        return False
    if not approx.is_number:
        return False
    real, imaginary = approx.as_real_imag()
    if not (real.is_finite and imaginary.is_finite):
        return False
    return bool(abs(imaginary) <= sympy.Float(10) ** -20 * max(1, abs(real)))


# --- points ------------------------------------------------------------------------------------


def point(
    at: Any,
    known: Sequence[Symbol],
    declared: Iterable[str] = (),
    *,
    required: Iterable[Symbol] | None = None,
    what: str = "the point",
    option: str = "--at",
    given_order: bool = False,
) -> Point:
    """A point as {symbol: real constant}, in the order of `known` (or as given, `given_order`).

    `known` lists every variable the point may give. `at` is "x=3, y=1/2", a mapping, or a
    bare value ("3", 3, "pi/4") when `known` has exactly one variable. Every variable in
    `required` (default: all of `known`) must be given. None gives {}.
    """
    if at is None:
        return {}
    declared = tuple(declared)
    known = tuple(dict.fromkeys(known))
    required = known if required is None else tuple(required)
    if isinstance(at, str) and not at.strip():
        raise UsageError(f"{what} is empty; give it as, e.g., {option} \"{example(known)}\"")
    if _is_bare(at):
        if len(known) != 1:
            raise UsageError(_bare_message(at, known, what, option))
        given = {known[0]: number(at, f"{what} ({known[0].name})", declared)}
    elif isinstance(at, str):
        given = {s: number(v, f"the value of {s.name}", declared)
                 for s, v in parse_point(at, variables=declared).items()}
    elif isinstance(at, Mapping):
        given = {}
        for key, value in at.items():
            name = symbol(key, declared)
            if name in given:
                raise UsageError(f"{what} gives {name.name} twice; give each variable once")
            given[name] = number(value, f"the value of {name.name}", declared)
    else:
        raise UsageError(f"{what} must be text such as 'x=3, y=1', a mapping or (with one "
                         f"variable) a number, not {type(at).__name__}")
    listed = ", ".join(s.name for s in known) or "none"
    for name in given:
        if name not in known:
            raise UsageError(f"{what} gives {name.name}, which is not a variable of the "
                             f"expression (its variables: {listed})")
    missing = [s for s in required if s not in given]
    if missing:
        raise UsageError(f"{what} must give every variable; missing: "
                         f"{', '.join(s.name for s in missing)} "
                         f"(write, e.g., {option} \"{example(known)}\")")
    return dict(given) if given_order else {s: given[s] for s in known if s in given}


def example(symbols: Sequence[Symbol], value: str = "1") -> str:
    """"x=1, y=1": how to write a point for these variables."""
    return ", ".join(f"{s.name}={value}" for s in symbols)


def _is_bare(at: Any) -> bool:
    if isinstance(at, str):
        return "=" not in at
    if isinstance(at, bool):
        return False
    return isinstance(at, (int, float, Fraction)) or (isinstance(at, sympy.Basic)
                                                      and not isinstance(at, Symbol))


def _bare_message(at: Any, known: Sequence[Symbol], what: str, option: str) -> str:
    if not known:
        return f"{what} gives a value, but the expression has no variable"
    names = ", ".join(s.name for s in known)
    return (f"{what} is a single value ({at}), but there are several variables ({names}); "
            f"give name=value for each, e.g. {option} \"{example(known)}\"")


# --- directions --------------------------------------------------------------------------------


def direction(value: Any, symbols: Sequence[Symbol], declared: Iterable[str] = ()) -> tuple[Expr, ...]:
    """A direction vector, one real number per variable, not all zero: "1,1", "(1, 1)", [1, 1]."""
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise UsageError("the direction is empty; give one number per variable, such as 1,1")
        if text[:1] + text[-1:] in ("()", "[]"):  # (1, 1) as written on paper
            text = text[1:-1]
        parts: list = text.split(",")
    else:
        try:
            parts = list(value)
        except TypeError:
            raise UsageError("the direction must be numbers separated by commas, such as 1,1") from None
    components = tuple(number(p, f"direction component {i}", declared)
                       for i, p in enumerate(parts, start=1))
    names = ", ".join(s.name for s in symbols)
    if len(components) != len(symbols):
        raise UsageError(f"the direction has {len(components)} component"
                         f"{'s' if len(components) != 1 else ''} but there "
                         f"{'are' if len(symbols) != 1 else 'is'} {len(symbols)} "
                         f"variable{'s' if len(symbols) != 1 else ''} ({names}); "
                         "give one number per variable, in that order")
    if all(c.evalf(30) == 0 for c in components):
        raise UsageError("the direction has length zero; a direction needs at least one "
                         "non-zero component, such as 1,1")
    return components


# --- matrix entries ----------------------------------------------------------------------------


def entry(value: Any, shape: tuple[int, int]) -> tuple[int, int]:
    """A matrix entry (row, column) counted from 1, as typed ("1,2") or given ((1, 2))."""
    rows, columns = shape
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2 or not all(re.fullmatch(r"[0-9]+", p) for p in parts):
            raise UsageError(f"the entry must be a row and a column counted from 1, such as 1,2, "
                             f"not {value!r}")
        value = tuple(int(p) for p in parts)
    if (not isinstance(value, Sequence) or len(value) != 2
            or not all(isinstance(k, int) and not isinstance(k, bool) for k in value)):
        raise UsageError(f"the entry must be (row, column) counted from 1, not {value!r}")
    row, column = value
    if not (1 <= row <= rows and 1 <= column <= columns):
        raise UsageError(f"entry ({row}, {column}) is outside the {rows}×{columns} matrix; rows "
                         f"run 1…{rows} and columns 1…{columns}")
    return row, column


# --- network parameters ------------------------------------------------------------------------

_PARAMETER_KEY = re.compile(r"\s*([Wwb])\s*(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*")


def parameter(key: Any, widths: Sequence[int]) -> tuple[str, int, int, int | None]:
    """"W1[3,1]" → ("W", 1, 2, 0): a weight or bias of a network with these layer widths.

    Keys count from 1, as printed everywhere (W1[j,k] is w⁽¹⁾ⱼₖ, from neuron k of layer 0 to
    neuron j of layer 1); the result holds 0-based array indices. The old 0-based form is still
    read when it is unambiguous, that is when an index is 0: "W1[2,0]" is W1[3,1]. A key
    without a 0 always counts from 1. UsageError when it cannot be read or is out of range.
    """
    match = _PARAMETER_KEY.fullmatch(key) if isinstance(key, str) else None
    expected = 'a parameter such as "W1[1,2]" or "b2[1]" (layers and indices count from 1)'
    if not match:
        raise UsageError(f"param: cannot read {key!r}; expected {expected}")
    kind = "W" if match[1] in "Ww" else "b"
    layer, j = int(match[2]), int(match[3])
    k = None if match[4] is None else int(match[4])
    depth = len(widths) - 1
    if (kind == "W") != (k is not None):
        raise UsageError(f"param: {key!r} — a weight takes two indices W1[j,k], a bias one b1[j]")
    if not 1 <= layer <= depth:
        raise UsageError(f"param: {key!r} names layer {layer}, but the network has layers 1…{depth}")
    if not (j == 0 or k == 0):  # only the old 0-based form has an index 0
        j, k = j - 1, None if k is None else k - 1
    rows, cols = widths[layer], widths[layer - 1]
    if j >= rows or (k is not None and k >= cols):
        shape = f"({rows}, {cols})" if kind == "W" else f"({rows},)"
        ranges = f"rows 1…{rows}, columns 1…{cols}" if kind == "W" else f"entries 1…{rows}"
        raise UsageError(f"param: {key!r} is outside {kind}{layer}, whose shape is {shape} "
                         f"({ranges}, counted from 1)")
    return kind, layer, j, k


def parameter_key(kind: str, layer: int, j: int, k: int | None = None) -> str:
    """The key of a parameter from 0-based array indices, as printed: ("W", 1, 2, 0) → "W1[3,1]"."""
    return f"W{layer}[{j + 1},{k + 1}]" if kind == "W" else f"b{layer}[{j + 1}]"
