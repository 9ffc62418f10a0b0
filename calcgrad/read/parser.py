"""Text → SymPy, safely: our own tokenizer and recursive-descent parser.

User text never reaches eval, exec, sympify or parse_expr: the parser builds SymPy objects
from a whitelist (Add, Mul, Pow, Integer, Float, Symbol and the function classes in
FUNCTIONS). Every cost limit in calcgrad.limits is checked before anything big is built.

Reading rules, in short (the README has the long version):

* implicit multiplication has the precedence of * and /, read left to right:
  3xy = 3·x·y, 1/2x = x/2, 1/2(x+1) = (x+1)/2;
* ^ and ** are right associative and bind tighter than a leading minus: -x^2 = -(x²);
  the exponent is one operand, possibly signed: e^-x^2 = e^(-(x²)), x^2y = x²·y;
* a function name without a bracket takes the implicit product after it:
  sin 2x/3 = sin(2x)/3, y cos xy = y·cos(xy), sin x cos x = sin(x)·cos(x);
* a run of letters is split left to right, taking the longest known word at each point,
  else one letter: xy = x·y, sinx = sin(x), pix = π·x, theta = θ; a letter followed by
  digits or by _index is one indexed symbol: w1 = w_1, x_ij.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

import sympy

from calcgrad import limits
from calcgrad.errors import LimitError, ParseError
from calcgrad.engine.functions import FUNCTION_TABLE, capitalised

__all__ = ["ParseLimitError", "PendingNotation", "Reading", "parse", "parse_point", "parse_symbol", "read",
           "symbol", "FUNCTION_NAMES"]


class ParseLimitError(ParseError, LimitError):
    """Input over one of the cost limits in calcgrad.limits (still a ParseError, exit status 2)."""


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    """How a function name is built: the SymPy callable, how many arguments, its inverse."""

    build: Callable[..., sympy.Expr]
    min_args: int = 1
    max_args: int | None = 1
    inverse: str | None = None


def _table_functions() -> tuple[dict[str, FunctionSpec], dict[str, str]]:
    """Canonical names and aliases from the function table (calcgrad.engine.functions)."""
    functions: dict[str, FunctionSpec] = {}
    aliases: dict[str, str] = {}
    for entry in FUNCTION_TABLE:
        if not entry.parsed:
            continue
        functions[entry.name] = FunctionSpec(entry.build, entry.min_args, entry.max_args, entry.inverse)
        for alias in entry.aliases:
            aliases[alias] = entry.name
    for name in list(functions) + list(aliases):
        capital = capitalised(name)
        if capital not in functions and capital not in aliases and capital not in _GREEK_WORDS:
            aliases[capital] = aliases.get(name, name)
    return functions, aliases


_GREEK_WORDS = frozenset({"Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi", "Omega", "Pi", "Sigma"})
"""Capitalised words that are Greek letters, never capitalised function names (Gamma is Γ)."""

FUNCTIONS, _TABLE_ALIASES = _table_functions()
"""Canonical function names and how to build them, from the function table."""

_ALIASES: dict[str, str] = {
    **_TABLE_ALIASES,
    "sigma": "sigmoid",  # only when a bracket follows; otherwise the Greek letter
}

FUNCTION_NAMES: tuple[str, ...] = tuple(sorted(set(FUNCTIONS) | set(_ALIASES) - {"sigma"}))
"""Every function name the parser knows (besides σ, √ and ∛)."""

_MISSPELLINGS = {
    "sine": "sin", "cosine": "cos", "tangent": "tan", "cotangent": "cot", "secant": "sec",
    "cosecant": "csc", "squareroot": "sqrt", "logarithm": "log", "logistic": "sigmoid",
}

_STEP_FUNCTIONS_HINT = ("its derivative is 0 between the jumps and does not exist at them; calcgrad "
                        "differentiates functions given by formulas (to multiply letters, write {spelled})")
_NOT_OFFERED = {
    **dict.fromkeys(("floor", "ceil", "ceiling", "round", "trunc", "frac", "mod"), _STEP_FUNCTIONS_HINT),
    "softmax": "softmax is a network's output layer: try calcgrad network --widths 2,3 "
               "--activation relu,softmax --loss ce",
    "deg": "angles are in radians here: write x*pi/180 for x degrees",
    "rad": "angles are in radians here already: write the angle itself",
}
"""Function names people type that calcgrad does not offer, with what to write instead (read
before the letters would be split into a product: floor(x) is never f·l·o²·r·x)."""

_COMMANDS = frozenset({
    "diff", "integrate", "solve", "simplify", "eval", "exec", "import", "lambda", "expand", "factor",
    "subs", "limit", "series", "sympify", "print", "open", "compile", "getattr", "setattr", "globals",
    "locals", "help", "exit", "quit", "Derivative", "Integral", "Subs", "Symbol", "symbols", "Function",
    "derivative", "integral", "dsolve", "nsolve", "evalf", "lambdify", "input", "vars", "type",
    "dir", "del", "lim", "int", "dx", "ddx",
})
"""Whole words that are commands, not expressions (lambda only before a bracket)."""

_GREEK_NAMES = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi", "Omega",
)
_GREEK_CHARS: dict[str, str] = {
    **dict(zip("αβγδεζηθικλμνξπρστυφχψω", _GREEK_NAMES[:23])),
    "ς": "sigma",
    **dict(zip("ΓΔΘΛΞΦΨΩ", _GREEK_NAMES[23:])),
}
"""Greek letters typed as such, and the symbol name each becomes (θ → theta)."""

_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "У": "Y",
    # Greek capitals that look Latin, and omicron
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
}
"""Letters from other scripts that look like Latin ones: rejected, never silently kept."""

_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SUBSCRIPTS = {**dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789")),
               **dict(zip("ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "aeoxhklmnpstijruv"))}
_UNICODE_OPERATORS = {"−": "-", "·": "*", "⋅": "*", "∙": "*", "×": "*", "∗": "*", "÷": "/"}
_KEEP = frozenset("√∛∞≤≥")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_LETTERS = _ASCII_LETTERS | frozenset(_GREEK_CHARS)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}

_CHAR_HINTS = {
    "'": "quotes and primes are not part of an expression",
    '"': "quotes are not part of an expression",
    "!": "for a factorial write factorial(n)",
    ";": "type one expression",
    "\\": "LaTeX commands are not read; type 1/2, sqrt(x), pi …",
    "$": "LaTeX is not read; type plain math such as x^2 + 1",
    "%": "write percentages as numbers (5% = 0.05)",
}
_DEFAULT_CHAR_HINT = "expressions use letters, digits, + - * / ^ ( ) and function names"

_WHOLE_WORDS = frozenset({"oo", "zoo", "nan", "True", "False"})
"""Words recognised only as a whole run of letters (so 'foo' stays f·o·o)."""


def _base_words() -> dict[str, tuple[str, str]]:
    words: dict[str, tuple[str, str]] = {}
    for name in _GREEK_NAMES:
        words[name] = ("greek", name)
    for name in FUNCTIONS:
        words[name] = ("func", name)
    for alias, name in _ALIASES.items():
        words[alias] = ("func", name)
    return words


_CONSTANT_WORDS = {"EulerGamma": sympy.EulerGamma}
"""Named constants SymPy prints (E, pi and oo are handled on their own)."""

_WORDS = {**_base_words(), **{name: ("const", name) for name in _CONSTANT_WORDS}}
"""Known words for splitting letter runs: function names, aliases and Greek names."""

_LOWER_FUNCTION_NAMES = {name.lower(): name for name in FUNCTION_NAMES}

# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------

NUM, SYM, CONST, FUNC, OP, SUP, OPEN, CLOSE, BAR, COMMA, CMP, AMP, BOOL, EOF = (
    "number", "symbol", "constant", "function", "operator", "superscript", "open", "close",
    "bar", "comma", "comparison", "and", "boolean", "end",
)
PRIME, DERIV = "prime", "derivative operator"  # only in the worked-solution reading (PendingNotation)

_PRIMES = {"'": 1, "′": 1, "″": 2, "‴": 3}
"""Prime marks and the order each stands for (only read with PendingNotation)."""

_OPERATOR = re.compile(r"(?P<open>\(\s*)?(?P<d>[d∂])\s*(?:\^\s*(?P<order>[0-9])|(?P<sup>[²³]))?\s*/\s*(?P=d)\s*")
"""The start of d/dx, d²/dx², d^2/dx^2, ∂/∂x and (d/dx): the variable is read after it."""
_ORDER_BELOW = re.compile(r"\s*(?:\^\s*(?P<order>[0-9])|(?P<sup>[²³]))")
_CLOSING = re.compile(r"\s*\)")


def _written_order(match: re.Match) -> int:
    """The order written in d^2/dx^2 or d²/dx² (1 when none is written)."""
    if match["order"]:
        return int(match["order"])
    return {"²": 2, "³": 3}.get(match["sup"] or "", 1)


@dataclass(frozen=True)
class PendingNotation:
    """What a line of a worked solution may use besides the default grammar: derivatives still
    to be taken, read as unevaluated sympy.Derivative objects.

    `variable` is what a prime differentiates by: (x^2)' and sin(x)' (a prime only right after
    a closing bracket); None refuses primes (a question with several variables). d/dx(…),
    d/dx sin x, (d/dx) ln(x^2+1), d²/dx²(…) and ∂/∂x(…) name their own variable.
    `function_name` (such as "f") with `function` (the question's expression) reads f(x),
    f'(x), f''(x) and f' as that expression and its derivatives still to be taken.
    """

    variable: sympy.Symbol | None = None
    function_name: str | None = None
    function: sympy.Expr | None = None


@dataclass(frozen=True)
class Token:
    """One token: its kind, the text as typed, where it starts and ends, and its value."""

    kind: str
    text: str
    pos: int
    end: int
    value: Any = None
    extra: Any = None  # log base for log_2 etc.; True for the √ and ∛ prefixes


def _char_name(ch: str) -> str:
    return unicodedata.name(ch, f"U+{ord(ch):04X}")


def _limit_digits() -> int:
    """MAX_RESULT_DIGITS, capped so that every number built can still be printed."""
    cap = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return min(limits.MAX_RESULT_DIGITS, cap - 1) if cap > 0 else limits.MAX_RESULT_DIGITS


def _normalise(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Map each character to the one the tokenizer reads (same length), rejecting the rest
    (except the characters in `keep`)."""
    out = []
    for i, ch in enumerate(text):
        if ch < "\x80":
            if ch in "\t\n\r\x0b\x0c":
                ch = " "
            elif not ch.isprintable():
                _reject_char(text, i)
        elif ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS or ch in _GREEK_CHARS or ch in _KEEP or ch in keep:
            pass
        elif ch in _UNICODE_OPERATORS:
            ch = _UNICODE_OPERATORS[ch]
        elif ch in _CONFUSABLES:
            _reject_confusable(text, i, _CONFUSABLES[ch])
        elif ch.isspace():
            ch = " "
        else:
            ch = _compatible(text, i)
        out.append(ch)
    return "".join(out)


def _compatible(text: str, i: int) -> str:
    """The NFKC form of a full-width or math-alphabet character, if it is one we read."""
    ch = text[i]
    tag = unicodedata.decomposition(ch).split(" ")[0]
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and tag in ("<font>", "<wide>", "<narrow>", "<compat>"):
        if folded in _CONFUSABLES:
            _reject_confusable(text, i, _CONFUSABLES[folded])
        if "\x20" < folded < "\x7f" or folded in _GREEK_CHARS:
            return folded
        if folded in _UNICODE_OPERATORS:
            return _UNICODE_OPERATORS[folded]
    _reject_char(text, i)
    raise AssertionError  # pragma: no cover


def _reject_confusable(text: str, i: int, latin: str) -> None:
    ch = text[i]
    raise ParseError(
        f"character '{ch}' ({_char_name(ch)}) at column {i + 1} looks like the Latin letter {latin}",
        text, i, f"retype it as an ordinary {latin}",
    )


def _reject_char(text: str, i: int) -> None:
    ch = text[i]
    hint = _CHAR_HINTS.get(ch, _DEFAULT_CHAR_HINT)
    if unicodedata.category(ch) == "Pd":
        hint = "type '-' for minus"
    shown = ch if ch.isprintable() else " "
    raise ParseError(f"character '{shown}' ({_char_name(ch)}) at column {i + 1} is not allowed", text, i, hint)


@dataclass(frozen=True)
class _Vocabulary:
    """Known words for splitting letter runs, including the declared variables."""

    words: dict[str, tuple[str, str]]
    declared: frozenset[str]
    longest: int


_DECLARED_RE = re.compile(
    r"(?P<base>[A-Za-z]+|[%s])(?P<index>[0-9]+|_[A-Za-z0-9]+|_\{[A-Za-z0-9]+\}|[₀-₉]+)?" % "".join(_GREEK_CHARS)
)


@lru_cache(maxsize=256)
def _vocabulary(variables: tuple[str, ...]) -> _Vocabulary:
    words = dict(_WORDS)
    declared = set()
    for name in variables:
        if not isinstance(name, str):
            raise TypeError(f"variable names must be strings, got {name!r}")
        match = _DECLARED_RE.fullmatch(name.strip())
        if not match:
            raise ParseError(
                f"'{name}' is not a valid variable name", name, 0,
                "use letters, optionally followed by digits or an _index: loss, w1, x_ij, theta",
            )
        base = _GREEK_CHARS.get(match["base"], match["base"])
        reserved = base in FUNCTIONS or base in _CONSTANT_WORDS or base in _WHOLE_WORDS
        reserved |= (base in _ALIASES and base != "sigma") or (base in _COMMANDS and base != "lambda")
        if reserved:
            raise ParseError(f"'{base}' is a reserved name and can't be a variable", name, 0,
                             "choose another name")
        declared.add(base)
        words[base] = ("declared", base)
    return _Vocabulary(words, frozenset(declared), max(len(w) for w in words))


class _Tokenizer:
    """Turns normalised text into Tokens; splits letter runs into known words and letters."""

    def __init__(self, text: str, vocabulary: _Vocabulary, pending: bool = False):
        self.text = text
        self.pending = pending
        self.norm = _normalise(text, frozenset(_PRIMES) | {"∂"} if pending else frozenset())
        self.vocab = vocabulary
        self.tokens: list[Token] = []

    def error(self, message: str, pos: int, hint: str | None = None, limit: bool = False) -> ParseError:
        if limit:
            return ParseLimitError(message, self.text, pos, _limit_hint(hint))
        return ParseError(message, self.text, pos, hint)

    def add(self, kind: str, start: int, end: int, value: Any = None, extra: Any = None) -> None:
        self.tokens.append(Token(kind, self.text[start:end], start, end, value, extra))

    def run(self) -> list[Token]:
        norm, n, i = self.norm, len(self.norm), 0
        while i < n:
            ch = norm[i]
            nxt = norm[i + 1] if i + 1 < n else ""
            if ch == " ":
                i += 1
            elif self.pending and (ch in _PRIMES or self.starts_operator(i)):
                i = self.prime(i) if ch in _PRIMES else self.operator(i)
            elif ch in _DIGITS or (ch == "." and nxt in _DIGITS and nxt):
                i = self.number(i)
            elif ch in _LETTERS:
                i = self.word(i)
            elif ch in _SUPERSCRIPTS:
                i = self.superscript(i)
            elif ch == "*" and nxt == "*":
                self.add(OP, i, i + 2, "^")
                i += 2
            elif ch in "+-*/^":
                self.add(OP, i, i + 1, ch)
                i += 1
            elif ch in _OPEN:
                self.add(OPEN, i, i + 1, ch)
                i += 1
            elif ch in _CLOSE:
                self.add(CLOSE, i, i + 1, ch)
                i += 1
            elif ch == "|":
                self.add(BAR, i, i + 1)
                i += 1
            elif ch == ",":
                self.add(COMMA, i, i + 1)
                i += 1
            elif ch in "<>=≤≥":
                i = self.comparison(i)
            elif ch == "&":
                self.add(AMP, i, i + 1)
                i += 1
            elif ch in "√∛":
                self.add(FUNC, i, i + 1, "sqrt" if ch == "√" else "cbrt", extra=True)
                i += 1
            elif ch == "∞":
                self.add(CONST, i, i + 1, sympy.oo)
                i += 1
            elif ch in _SUBSCRIPTS:
                raise self.error(f"subscript '{self.text[i]}' at column {i + 1} must follow a variable name",
                                 i, "as in w₁")
            elif ch == "_":
                raise self.error(f"'_' at column {i + 1} must follow a letter", i, "as in w_1 or x_i")
            elif ch == ".":
                raise self.error(f"'.' at column {i + 1} is not part of a number", i,
                                 "a decimal point needs digits after it, as in 0.5")
            else:
                _reject_char(self.text, i)
        self.add(EOF, n, n)
        return self.tokens

    # -- derivatives still to be taken (PendingNotation only) ----------------------------------

    def prime(self, i: int) -> int:
        """A run of prime marks: ' and ′ count 1, ″ 2, ‴ 3."""
        j, order = i, 0
        while j < len(self.norm) and self.norm[j] in _PRIMES:
            order += _PRIMES[self.norm[j]]
            j += 1
        self.add(PRIME, i, j, order)
        return j

    def starts_operator(self, i: int) -> bool:
        """d/dx (or (d/dx), ∂/∂x) begins at i: a d that does not end a word, then /d and a letter."""
        if i > 0 and self.norm[i - 1] in _LETTERS:
            return False
        match = _OPERATOR.match(self.norm, i)
        return match is not None and match.end() < len(self.norm) and self.norm[match.end()] in _LETTERS

    def operator(self, i: int) -> int:
        """d/dx and its spellings: one DERIV token whose value is the variable's name, `extra`
        the order. The variable is a declared name, a Greek name or one letter, with its index
        (d/dw1 is d/dw₁, as w1 is w₁)."""
        norm = self.norm
        match = _OPERATOR.match(norm, i)
        order = _written_order(match)
        start = match.end()
        run_end = start
        while run_end < len(norm) and norm[run_end] in _LETTERS:
            run_end += 1
        run = norm[start:run_end]
        name = next((w for w in sorted(self.vocab.declared | set(_GREEK_NAMES), key=len, reverse=True)
                     if run.startswith(w)), run[0])
        j = start + len(name)
        name = _GREEK_CHARS.get(name, name)
        if j < len(norm) and (norm[j] in _DIGITS or norm[j] == "_" or norm[j] in _SUBSCRIPTS):
            index, j = self.index(j, name)
            name = f"{name}_{index}"
        below = _ORDER_BELOW.match(norm, j)
        if below and _written_order(below) != order:
            raise self.error(f"'{self.text[i:below.end()]}' at column {i + 1} has different orders "
                             "above and below", i, "as in d^2/dx^2 or d²/dx²")
        if not below and order > 1:
            raise self.error(f"'{self.text[i:j]}' at column {i + 1} needs the order below too", i,
                             "as in d^2/dx^2 or d²/dx²")
        j = below.end() if below else j
        if match["open"] is not None:
            close = _CLOSING.match(norm, j)
            if not close:  # (d/dx x^2): the bracket opens a group, the operator comes next
                self.add(OPEN, i, i + 1, "(")
                return i + 1
            j = close.end()
        self.add(DERIV, i, j, name, extra=order)
        return j

    # -- numbers ------------------------------------------------------------------------------

    def number(self, i: int) -> int:
        norm, n = self.norm, len(self.norm)
        j = i
        while j < n and norm[j] in _DIGITS:
            j += 1
        whole, frac, exponent = norm[i:j], "", ""
        if j < n and norm[j] == ".":
            k = j + 1
            while k < n and norm[k] in _DIGITS:
                k += 1
            if k == j + 1:
                raise self.error(f"'.' at column {j + 1} must be followed by digits", j, "as in 0.5")
            frac, j = norm[j + 1:k], k
        if j < n and norm[j] in "eE":
            k = j + 1
            if k < n and norm[k] in "+-":
                k += 1
            m = k
            while m < n and norm[m] in _DIGITS:
                m += 1
            if m > k and not (m < n and norm[m] in "_."):  # 1e-3x = 0.001·x
                exponent, j = norm[j + 1:m], m
        if len(whole) + len(frac) > limits.MAX_NUMBER_DIGITS:
            raise self.error(
                f"number at column {i + 1} has {len(whole) + len(frac)} digits; the limit is "
                f"{limits.MAX_NUMBER_DIGITS}", i, "calcgrad.limits.MAX_NUMBER_DIGITS", limit=True)
        if exponent and (len(exponent) > 8 or abs(int(exponent)) > limits.MAX_RESULT_DIGITS):
            raise self.error(
                f"the power of ten in the number at column {i + 1} is too large; the limit is "
                f"{limits.MAX_RESULT_DIGITS}", i, "calcgrad.limits.MAX_RESULT_DIGITS", limit=True)
        if j < n and norm[j] == ".":
            raise self.error(f"'.' at column {j + 1} is not part of a number", j,
                             "a number has one decimal point; attribute access is not allowed")
        if frac or exponent:
            literal = (whole or "0") + ("." + frac if frac else "") + ("e" + exponent if exponent else "")
            value = sympy.Float(literal, precision=53)
        else:
            value = sympy.Integer(int(whole))
        self.add(NUM, i, j, value)
        return j

    def superscript(self, i: int) -> int:
        j = i
        while j < len(self.norm) and self.norm[j] in _SUPERSCRIPTS:
            j += 1
        digits = "".join(_SUPERSCRIPTS[c] for c in self.norm[i:j])
        if not re.fullmatch(r"[+-]?[0-9]+", digits):
            raise self.error(f"superscript '{self.text[i:j]}' at column {i + 1} is not a whole number", i,
                             "write powers as x² or x⁻¹, or x^(…)")
        if len(digits) > limits.MAX_NUMBER_DIGITS:
            raise self.error("superscript has too many digits", i, "calcgrad.limits.MAX_NUMBER_DIGITS",
                             limit=True)
        self.add(SUP, i, j, sympy.Integer(int(digits)))
        return j

    def comparison(self, i: int) -> int:
        ch = self.norm[i]
        two = self.norm[i:i + 2]
        if two in ("<=", ">=", "=="):
            self.add(CMP, i, i + 2, two)
            return i + 2
        self.add(CMP, i, i + 1, {"≤": "<=", "≥": ">="}.get(ch, ch))
        return i + 1

    # -- words --------------------------------------------------------------------------------

    def bracket_after(self, j: int) -> bool:
        while j < len(self.norm) and self.norm[j] == " ":
            j += 1
        return j < len(self.norm) and self.norm[j] in _OPEN

    def split(self, run: str) -> list[str]:
        """Split a run of letters: longest known word at each point, else one letter."""
        words, pieces, j = self.vocab.words, [], 0
        while j < len(run):
            piece = run[j]
            if piece in _ASCII_LETTERS:
                for length in range(min(self.vocab.longest, len(run) - j), 1, -1):
                    if run[j:j + length] in words:
                        piece = run[j:j + length]
                        break
            pieces.append(piece)
            j += len(piece)
        return pieces

    def word(self, i: int) -> int:
        norm, n = self.norm, len(self.norm)
        j = i
        while j < n and norm[j] in _LETTERS:
            j += 1
        run = norm[i:j]
        declared = self.vocab.declared
        has_suffix = j < n and (norm[j] in _DIGITS or norm[j] == "_" or norm[j] in _SUBSCRIPTS)
        bracket = not has_suffix and self.bracket_after(j)
        if run not in declared:
            if run in _COMMANDS and (run != "lambda" or bracket):
                raise self.error(f"'{self.text[i:j]}' is a command, not part of an expression", i,
                                 "type only the expression, e.g. x^2 sin x")
            if run in _WHOLE_WORDS:
                return self.whole_word(run, i, j)
        if run not in declared and (bracket or run == "exp" and has_suffix):
            self.check_not_offered(run, i, j)
        pieces = self.split(run)
        if run.lower() in _MISSPELLINGS and run not in declared:
            self.check_unknown_function(run, i)  # 'sine x' is never sin(e·x)
        if bracket and len(run) >= 3 and not self.is_call(pieces[-1], bracket):
            self.check_unknown_function(run, i)
        pos = i
        for k, piece in enumerate(pieces):
            last = k == len(pieces) - 1
            kind, value = self.classify(piece, last and bracket)
            end = pos + len(piece)
            if last and has_suffix:
                return self.suffix(kind, value, piece, pos, end)
            self.add(kind, pos, end, value)
            pos = end
        return j

    def is_call(self, piece: str, bracket: bool) -> bool:
        return self.classify(piece, bracket)[0] == FUNC

    def classify(self, piece: str, bracket: bool) -> tuple[str, Any]:
        """The token kind and value of one piece of a letter run."""
        if piece in self.vocab.declared:
            return SYM, piece
        if piece in _GREEK_CHARS:
            if piece == "σ" and bracket:
                return FUNC, "sigmoid"
            name = _GREEK_CHARS[piece]
            return (CONST, sympy.pi) if name == "pi" and name not in self.vocab.declared else (SYM, name)
        entry = self.vocab.words.get(piece)
        if entry and entry[0] == "func":
            if piece in ("sigma", "gamma") and not bracket:
                return SYM, piece
            return FUNC, entry[1]
        if entry and entry[0] == "const":
            return CONST, _CONSTANT_WORDS[piece]
        if piece == "pi":
            return CONST, sympy.pi
        if piece in ("e", "E"):
            return CONST, sympy.E
        return SYM, piece

    def check_not_offered(self, run: str, i: int, j: int) -> None:
        """Refuse a function name calcgrad does not offer (floor, softmax, exp2, …) with a hint."""
        typed = self.text[i:j]
        if run == "exp":  # exp2(x), exp10(x): a base, as log2(x) is log base 2
            digits = re.match(r"\d+(?=\()", self.text[j:])
            if digits:
                base = digits.group()
                raise self.error(f"unknown function 'exp{base}'", i,
                                 f"write {base}^x for {base} to the power x (or e^({base}x))")
            return
        hint = _NOT_OFFERED.get(run.lower())
        if hint:
            raise self.error(f"calcgrad has no function '{typed}'", i,
                             hint.format(spelled="*".join(typed)))

    def check_unknown_function(self, run: str, i: int) -> None:
        lowered = run.lower()
        guess = _MISSPELLINGS.get(lowered) or _LOWER_FUNCTION_NAMES.get(lowered)
        if guess is None:
            # lazy: start-up speed (difflib loads only when a name is misspelt)
            import difflib

            close = difflib.get_close_matches(lowered, list(_LOWER_FUNCTION_NAMES), n=1, cutoff=0.75)
            guess = _LOWER_FUNCTION_NAMES[close[0]] if close else None
        if guess:
            spelled = "*".join(self.text[i:i + len(run)])
            raise self.error(f"unknown function '{self.text[i:i + len(run)]}'", i,
                             f"did you mean {guess}? (to multiply letters, write {spelled})")

    def whole_word(self, run: str, i: int, j: int) -> int:
        if run == "oo":
            self.add(CONST, i, j, sympy.oo)
        elif run in ("True", "False"):
            self.add(BOOL, i, j, sympy.true if run == "True" else sympy.false)
        else:
            what = "complex infinity" if run == "zoo" else "'not a number'"
            raise self.error(f"'{run}' ({what}) at column {i + 1} is not a value calcgrad works with", i,
                             "check the expression for a division by zero")
        return j

    def index(self, j: int, owner: str) -> tuple[str, int]:
        """Read the index after a name: digits, _digits/letters, _{…} or subscripts."""
        norm, n = self.norm, len(self.norm)
        alnum = _ASCII_LETTERS | _DIGITS
        if norm[j] in _DIGITS:
            k = j
            while k < n and norm[k] in _DIGITS:
                k += 1
            return norm[j:k], k
        if norm[j] in _SUBSCRIPTS:
            k = j
            while k < n and norm[k] in _SUBSCRIPTS:
                k += 1
            return "".join(_SUBSCRIPTS[c] for c in norm[j:k]), k
        k = j + 1
        if k < n and norm[k] == "{":
            m = k + 1
            while m < n and norm[m] in alnum:
                m += 1
            if m < n and norm[m] == "}" and m > k + 1:
                return norm[k + 1:m], m + 1
            raise self.error(f"'_{{' at column {j + 1} must hold letters or digits and end with '}}'", j,
                             f"as in {owner}_{{12}}")
        m = k
        while m < n and norm[m] in alnum:
            m += 1
        if m == k:
            raise self.error(f"'_' at column {j + 1} must be followed by an index", j,
                             f"as in {owner}_1 or {owner}_i")
        return norm[k:m], m

    def suffix(self, kind: str, value: Any, piece: str, pos: int, end: int) -> int:
        """The last piece of a run followed by digits, '_' or subscripts."""
        norm = self.norm
        if kind == FUNC and value == "log" and not (norm[end] in _DIGITS and piece != "log"):
            text, stop = self.index(end, "log")
            base = self.log_base(text, end)
            self.add(FUNC, pos, stop, "log", extra=base)
            return stop
        if kind == FUNC:
            self.add(FUNC, pos, end, value)
            if norm[end] in _DIGITS:
                return end  # sin2x: the digits start the argument
            raise self.error(f"'{norm[end]}' at column {end + 1} can't follow the function name '{piece}'",
                             end, f"write {piece}(…)")
        text, stop = self.index(end, piece)
        name = _GREEK_CHARS.get(piece, piece)
        self.add(SYM, pos, stop, f"{name}_{text}")
        return stop

    def log_base(self, text: str, pos: int) -> sympy.Expr:
        if text.isdigit():
            return sympy.Integer(int(text[: limits.MAX_NUMBER_DIGITS + 1]))
        if text in ("e", "E") and text not in self.vocab.declared:
            return sympy.E
        if len(text) == 1 or text in _GREEK_NAMES or text in self.vocab.declared:
            return sympy.pi if text == "pi" else symbol(text)
        raise self.error(f"log base '{text}' at column {pos + 1} must be a number or one letter", pos,
                         "as in log_2(x) or log_b(x)")


def _tokenize(text: str, variables: Iterable[str], pending: bool = False) -> list[Token]:
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    return _Tokenizer(text, _vocabulary(names), pending).run()


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------


def _log10_size(r: sympy.Rational) -> float:
    """log10 of the larger of |numerator| and denominator (0 for 0 and ±1)."""
    big = max(abs(int(r.p)), int(r.q))
    return math.log10(big) if big > 1 else 0.0


class _Parser:
    """Recursive descent over the tokens, building SymPy objects as it goes."""

    def __init__(self, text: str, tokens: list[Token], pending: PendingNotation | None = None):
        self.text = text
        self.tokens = tokens
        self.pending = pending
        self.i = 0
        self.depth = 0
        self.bar_depth = 0
        self.in_condition = False
        self.digits_spent = 0.0
        self.warnings: list[str] = []
        self.written: list[tuple[sympy.Expr, ...]] = []  # each sum's terms, each product's factors
        self.match = self.check_brackets()

    # -- helpers ------------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.i]

    def previous(self) -> Token | None:
        return self.tokens[self.i - 1] if self.i > 0 else None

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, value: Any = None) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == kind and (value is None or tok.value == value)

    def error(self, message: str, pos: int, hint: str | None = None) -> ParseError:
        return ParseError(message, self.text, pos, hint)

    def limit_error(self, message: str, pos: int, hint: str) -> ParseLimitError:
        return ParseLimitError(message, self.text, pos, _limit_hint(hint))

    @contextmanager
    def nested(self, tok: Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > limits.MAX_NESTING:
            raise self.limit_error(f"expression nested more than {limits.MAX_NESTING} deep", tok.pos,
                                   "calcgrad.limits.MAX_NESTING")
        try:
            yield
        finally:
            self.depth -= 1

    def check_brackets(self) -> dict[int, int]:
        """Match brackets by type before parsing; also enforces the nesting limit."""
        stack: list[int] = []
        match: dict[int, int] = {}
        for k, tok in enumerate(self.tokens):
            if tok.kind == OPEN:
                stack.append(k)
                if len(stack) > limits.MAX_NESTING:
                    raise self.limit_error(f"brackets nested more than {limits.MAX_NESTING} deep", tok.pos,
                                           "calcgrad.limits.MAX_NESTING")
            elif tok.kind == CLOSE:
                if not stack:
                    raise self.error(f"'{tok.text}' at column {tok.pos + 1} has no matching '{_CLOSE[tok.value]}'",
                                     tok.pos, "remove it or add the opening bracket")
                start = stack.pop()
                opener = self.tokens[start]
                if _OPEN[opener.value] != tok.value:
                    raise self.error(
                        f"'{opener.text}' at column {opener.pos + 1} is closed by '{tok.text}' at column "
                        f"{tok.pos + 1}", tok.pos,
                        f"brackets must match by type: close '{opener.value}' with '{_OPEN[opener.value]}'")
                match[start] = k
        if stack:
            opener = self.tokens[stack[-1]]
            raise self.error(f"'{opener.text}' at column {opener.pos + 1} is never closed", opener.pos,
                             f"add '{_OPEN[opener.value]}' where it should end")
        return match

    # -- grammar ------------------------------------------------------------------------------

    def expression(self) -> sympy.Expr:
        """The whole input: one expression and nothing after it."""
        if self.at(EOF):
            raise self.error("empty expression", 0, "type an expression such as x^2 + 3x")
        value = self.sum()
        tok = self.peek()
        if tok.kind != EOF:
            raise self.leftover(tok)
        return value

    def sum(self) -> sympy.Expr:
        terms = [self.term()]
        while self.at(OP, "+") or self.at(OP, "-"):
            negative = self.advance().value == "-"
            term = self.term()
            terms.append(-term if negative else term)
        if len(terms) > 1:
            self.written.append(tuple(terms))
        return sympy.Add(*terms) if len(terms) > 1 else terms[0]

    def term(self) -> sympy.Expr:
        """Factors joined by *, / and implicit multiplication, left to right."""
        left = self.peek().pos
        factors = [self.signed()]
        while True:
            tok = self.peek()
            if tok.kind == OP and tok.value == "*":
                self.advance()
                factors.append(self.signed())
            elif tok.kind == OP and tok.value == "/":
                after_exponent = self.previous() is not None and self.previous().kind == NUM \
                    and self.is_exponent(self.i - 1)
                self.advance()
                start = self.peek().pos
                number = self.peek().kind == NUM
                divisor = self.signed()
                if divisor.is_zero:
                    raise self.error(f"division by zero at column {tok.pos + 1}", tok.pos)
                factors.append(sympy.Pow(divisor, -1))
                if after_exponent and number:
                    self.warn_power_over_number(left, tok.pos, self.previous().end)
                self.warn_juxtaposed(left, tok.pos, start)
                left = start
            elif self.starts_implicit(tok):
                self.check_two_numbers(tok)
                left = tok.pos
                factors.append(self.chain())
            else:
                break
        if len(factors) > 1:
            self.written.append(tuple(factors))
        return sympy.Mul(*factors) if len(factors) > 1 else factors[0]

    def warn_power_over_number(self, left: int, slash: int, end: int) -> None:
        """x^1/2 is (x¹)/2, as documented (powers before division), but is often meant as x^(1/2):
        say how it was read and how to write the fractional power (not for x^2/2, whose power
        over the number is a whole number)."""
        caret = self.text.rfind("^", left, slash)
        if caret < 0:
            return
        base, power, divisor = self.text[left:caret], self.text[caret + 1:slash], self.text[slash + 1:end]
        try:
            if int(power.replace(" ", "")) % int(divisor.strip()) == 0:
                return  # x^2/2, x^4/4: no fractional power is hidden there
        except ValueError:  # decimals: x^1.5/2
            pass
        self.warnings.append(f"{base}^{power}/{divisor} is read as ({base}^{power})/{divisor}; "
                             f"for the power {power}/{divisor} write {base}^({power}/{divisor})")

    def warn_juxtaposed(self, left: int, operator: int, operand: int) -> None:
        """Warn where a factor written right after a power or a divisor is easily misread.

        e^2x is e²·x and 1/2x is x/2 (left to right, as documented), but many people mean
        e^(2x) and 1/(2x): say how it was read and how to write the other reading.
        """
        before, after = self.previous(), self.peek()
        if (before is None or not self.starts_implicit(after) or after.pos != before.end
                or after.kind == OPEN):
            return
        head, op = self.text[left:operator], self.text[operator]
        power, factor = self.text[operand:before.end], self.text[after.pos:after.end]
        if after.kind == FUNC:  # e^xsin x, 1/2sqrt(x): the function's argument comes later
            place = "exponent" if op == "^" else "denominator"
            self.warnings.append(f"{head}{op}{power}{factor}… is read as ({head}{op}{power})·{factor}(…); "
                                 f"to put {factor}(…) in the {place} write brackets around it")
            return
        self.warnings.append(f"{head}{op}{power}{factor} is read as ({head}{op}{power})·{factor}; "
                             f"for {head}{op}({power}{factor}) write the brackets")

    def starts_implicit(self, tok: Token) -> bool:
        if tok.kind in (NUM, SYM, CONST, FUNC, OPEN, DERIV):
            return True
        return tok.kind == BAR and self.bar_depth == 0 and not self.in_condition

    def check_two_numbers(self, tok: Token) -> None:
        """Refuse `2 3` (two numbers in a row); a number after an exponent is a factor:
        `(3x^2+1)^4 6x` is (3x²+1)⁴·6x, as students write a chain-rule answer."""
        before = self.previous()
        if tok.kind == NUM and before is not None and before.kind == NUM:
            if self.is_exponent(self.i - 1):
                self.warnings.append(f"^{before.text} {tok.text} is read as the power ^{before.text} "
                                     f"times {tok.text}; for ^{before.text}{tok.text} join the digits")
                return
            raise self.error(f"two numbers in a row: '{before.text}' and '{tok.text}'", tok.pos,
                             f"write {before.text}*{tok.text} to multiply, or join the digits for one number")

    def is_exponent(self, index: int) -> bool:
        """Whether the token at `index` is the exponent of a ^ (after any signs): x^4, x^-2."""
        k = index - 1
        while k >= 0 and self.tokens[k].kind == OP and self.tokens[k].value in "+-":
            k -= 1
        return k >= 0 and self.tokens[k].kind == OP and self.tokens[k].value == "^"

    def signed(self) -> sympy.Expr:
        """Optional + and − signs, then a power: -x^2 = -(x²)."""
        negative = False
        while self.at(OP, "+") or self.at(OP, "-"):
            negative ^= self.advance().value == "-"
        value = self.chain()
        return -value if negative else value

    def chain(self) -> sympy.Expr:
        """An operand with its ^ exponents, right associative; each exponent may be signed."""
        left = self.peek().pos
        operands: list[tuple[bool, sympy.Expr, Token | None]] = [(False, self.operand(), None)]
        while self.at(OP, "^"):
            caret = self.advance()
            if len(operands) >= limits.MAX_NESTING:
                raise self.limit_error(f"more than {limits.MAX_NESTING} powers in a row", caret.pos,
                                       "calcgrad.limits.MAX_NESTING")
            negative = False
            while self.at(OP, "+") or self.at(OP, "-"):
                negative ^= self.advance().value == "-"
            operands.append((negative, self.operand(), caret))
        if len(operands) > 1 and operands[-2][1].is_number:  # e^2x, 2^3x; not x^2y
            self.warn_juxtaposed(left, operands[-1][2].pos, operands[-1][2].end)
        negative, value, caret = operands[-1]
        value = -value if negative else value
        for k in range(len(operands) - 2, -1, -1):
            value = self.power(operands[k][1], value, caret)
            negative, _, caret = operands[k]
            value = -value if negative else value
        return value

    def operand(self) -> sympy.Expr:
        """A primary with any superscript exponents after it: x², (x+1)³, x⁻¹ (and, in a
        worked-solution line, primes after a bracket: (x^2)')."""
        value = self.primary()
        while self.at(SUP) or self.at(PRIME):
            tok = self.advance()
            if tok.kind == PRIME:
                value = self.primed(value, tok)
            else:
                value = self.power(value, tok.value, tok)
        return value

    def primary(self) -> sympy.Expr:
        tok = self.peek()
        if tok.kind in (NUM, CONST):
            self.advance()
            return tok.value
        if tok.kind == SYM:
            if self.pending is not None and tok.value == self.pending.function_name:
                return self.question_function()
            self.advance()
            return symbol(tok.value)
        if tok.kind == FUNC:
            return self.call()
        if tok.kind == DERIV:
            return self.derivative_operator()
        if tok.kind == OPEN:
            return self.group()
        if tok.kind == BAR:
            return self.bars()
        raise self.missing_operand(tok)

    def group(self) -> sympy.Expr:
        opener = self.advance()
        with self.nested(opener), self.fresh_bars():
            if self.at(CLOSE):
                raise self.error(f"empty brackets '{opener.text}{self.peek().text}' at column {opener.pos + 1}",
                                 opener.pos, "put an expression inside, or remove them")
            value = self.sum()
            self.close(opener)
        return value

    @contextmanager
    def fresh_bars(self) -> Iterator[None]:
        saved, self.bar_depth = self.bar_depth, 0
        try:
            yield
        finally:
            self.bar_depth = saved

    def close(self, opener: Token) -> None:
        tok = self.peek()
        if tok.kind == CLOSE:
            self.advance()
            return
        raise self.leftover(tok, opener)

    def bars(self) -> sympy.Expr:
        opener = self.advance()
        with self.nested(opener):
            self.bar_depth += 1
            value = self.sum()
            if not self.at(BAR):
                tok = self.peek()
                if tok.kind in (EOF, CLOSE):
                    raise self.error(f"'|' at column {opener.pos + 1} is never closed", opener.pos,
                                     "close |x| with a second '|'")
                raise self.leftover(tok)
            self.advance()
            self.bar_depth -= 1
        return self.build(sympy.Abs, [value], opener)

    # -- functions ----------------------------------------------------------------------------

    def call(self) -> sympy.Expr:
        tok = self.advance()
        name = tok.value
        with self.nested(tok):
            if name == "Piecewise":
                return self.piecewise(tok)
            if tok.extra is True:  # √x, ∛(x+1): the operand right after the sign
                if not self.starts_operand(self.peek()):
                    raise self.missing_operand(self.peek())
                return self.apply(tok, name, [self.chain()])  # √x^2 = √(x²), as sqrt x^2
            if name == "sqrt" and self.at(OPEN) and self.peek().text == "[":
                return self.indexed_root(tok)
            exponent = self.function_power(tok)
            if exponent == -1 and FUNCTIONS[name].inverse:
                name, exponent = FUNCTIONS[name].inverse, None
            if self.at(OPEN):
                args = self.arguments(tok, name)
            elif FUNCTIONS[name].min_args > 1:
                raise self.error(f"'{tok.text}' needs brackets around its arguments", tok.pos,
                                 f"as in {name}(a, b)")
            else:
                args = [self.bare_argument(tok)]
            value = self.apply(tok, name, args)
            if exponent is not None:
                value = self.power(value, exponent, tok)
        return value

    def indexed_root(self, tok: Token) -> sympy.Expr:
        """sqrt[n](x): the n-th root, as written in many textbooks and LaTeX."""
        opener = self.advance()
        with self.fresh_bars():
            index = self.sum()
            self.close(opener)
        if not (index.is_Integer and 2 <= index <= limits.MAX_ROOT_INDEX):
            raise self.error(f"the root index at column {opener.pos + 2} must be a whole number "
                             f"from 2 to {limits.MAX_ROOT_INDEX}", opener.pos + 1,
                             "as in sqrt[3](x) for the cube root")
        argument = self.arguments(tok, "sqrt")[0] if self.at(OPEN) else self.bare_argument(tok)
        return self.power(argument, sympy.Rational(1, int(index)), tok)

    def function_power(self, tok: Token) -> sympy.Expr | None:
        """The power written on a function name: sin²x, sin^2(x), sin^-1(x), sin⁻¹x."""
        if self.at(SUP):
            return self.advance().value
        if not self.at(OP, "^"):
            return None
        self.advance()
        negative = False
        while self.at(OP, "+") or self.at(OP, "-"):
            negative ^= self.advance().value == "-"
        value = self.operand()
        return -value if negative else value

    def starts_operand(self, tok: Token) -> bool:
        return tok.kind in (NUM, SYM, CONST, FUNC, OPEN, BAR, DERIV)

    def bare_argument(self, tok: Token) -> sympy.Expr:
        """The argument of a function written without brackets: sin 2x, ln x^2, cos xy."""
        if not self.starts_operand(self.peek()):
            raise self.error(f"'{tok.text}' at column {tok.pos + 1} needs an argument", tok.pos,
                             f"as in {tok.text}(x) or {tok.text} x; a signed argument needs brackets: "
                             f"{tok.text}(-x)")
        factors = [self.chain()]
        while (self.starts_implicit(self.peek()) and not self.at(FUNC) and not self.at(DERIV)
               and self.peek().pos == self.previous().end):  # up to the next space: sin x e^x
            self.check_two_numbers(self.peek())
            factors.append(self.chain())
        if len(factors) > 1:
            self.written.append(tuple(factors))
        return sympy.Mul(*factors) if len(factors) > 1 else factors[0]

    def arguments(self, tok: Token, name: str) -> list[sympy.Expr]:
        opener = self.advance()
        with self.fresh_bars():
            if self.at(CLOSE):
                raise self.error(f"'{tok.text}' at column {tok.pos + 1} has nothing inside its brackets",
                                 opener.pos, f"as in {tok.text}(x)")
            args = [self.sum()]
            while self.at(COMMA):
                self.advance()
                args.append(self.sum())
            self.close(opener)
        spec = FUNCTIONS[name]
        if tok.extra is not None and len(args) == 1:
            return args  # log_2(x): the base is already known
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            wanted = (str(spec.min_args) if spec.min_args == spec.max_args
                      else f"{spec.min_args} or {spec.max_args}" if spec.max_args
                      else f"at least {spec.min_args}")
            raise self.error(f"'{tok.text}' takes {wanted} argument{'s' if wanted != '1' else ''}, "
                             f"got {len(args)}", tok.pos)
        return args

    def apply(self, tok: Token, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        """Build name(*args), after the cost checks for functions SymPy evaluates eagerly."""
        if tok.extra is not None and tok.extra is not True:
            if len(args) != 1:
                raise self.error(f"'{tok.text}' takes 1 argument, got {len(args)}", tok.pos)
            args = [args[0], tok.extra]
        for arg in args:
            self.check_magnitude(arg, tok)
        if name == "exp":
            self.check_exp(args[0], tok)
        elif name in ("factorial", "gamma"):
            self.check_factorial(args[0], tok)
        elif name == "polygamma":
            self.check_polygamma(args, tok)
        return self.build(FUNCTIONS[name].build, args, tok)

    def check_magnitude(self, argument, tok: Token) -> None:
        """Refuse a tower such as e^e^e^e^3 inside a function's argument before the function
        is built: SymPy's sin() evaluates its argument's coefficient while building sin(… x)."""
        if isinstance(argument, sympy.Expr) and argument.has(sympy.exp, sympy.Pow):
            try:
                limits.check_magnitude(argument, f"the argument of '{tok.text}'")
            except LimitError as error:
                raise self.limit_error(str(error), tok.pos, "calcgrad.limits.MAX_LOG10_MAGNITUDE") from None

    def build(self, build: Callable[..., sympy.Expr], args: list, tok: Token) -> sympy.Expr:
        try:
            return self.real(build(*args), tok)
        except ParseError:
            raise
        except (TypeError, ValueError, ArithmeticError, NotImplementedError) as exc:
            reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise self.error(f"'{tok.text}' at column {tok.pos + 1} can't be applied here: {reason}",
                             tok.pos) from None

    # -- derivatives still to be taken (PendingNotation only) ----------------------------------

    def primed(self, value: sympy.Expr, tok: Token) -> sympy.Expr:
        """(x^2)' or sin(x)': the derivative of the bracket just closed, still to be taken."""
        before = self.tokens[self.i - 2]
        if before.kind != CLOSE:
            raise self.error(f"the prime at column {tok.pos + 1} must follow a closing bracket "
                             f"(it follows '{before.text}')", tok.pos,
                             "write (x^2)' or (sin x)' for a derivative still to be taken")
        if self.pending.variable is None:
            raise self.error(f"the prime at column {tok.pos + 1} does not say which variable", tok.pos,
                             "this question has several variables; write d/dx(…) or ∂/∂x(…)")
        return self.pending_derivative(value, self.pending.variable, tok.value, tok)

    def derivative_operator(self) -> sympy.Expr:
        """d/dx(…), d/dx sin x, (d/dx) ln(x^2+1): like a function name, the bracket after it or
        the implicit product up to the next space."""
        tok = self.advance()
        start = self.peek().pos
        with self.nested(tok):
            bracketed = self.at(OPEN)
            inner = self.group() if bracketed else self.bare_argument(tok)
        if not bracketed and self.starts_implicit(self.peek()):
            argument = self.text[start:self.previous().end]
            self.warnings.append(f"{tok.text} {argument} is read as {tok.text}({argument}) times what "
                                 f"follows, as a function name is; for the derivative of more, write "
                                 f"{tok.text}(…) around it")
        return self.pending_derivative(inner, symbol(tok.value), tok.extra, tok)

    def question_function(self) -> sympy.Expr:
        """f(x), f'(x), f''(x), f': the question's function and its derivatives to be taken."""
        tok = self.advance()
        pending = self.pending
        order = 0
        while self.at(PRIME):
            order += self.advance().value
        if self.at(OPEN):
            opener = self.peek()
            argument = self.group()
            if pending.variable is None or argument != pending.variable:
                raise self.error(f"'{tok.text}(…)' at column {tok.pos + 1} is read only at the "
                                 "variable", opener.pos,
                                 f"write {tok.text}(x) for the question's function at x")
        elif order == 0:
            return symbol(tok.value)
        if order == 0:
            return pending.function
        return self.pending_derivative(pending.function, pending.variable, order, tok)

    def pending_derivative(self, inner: sympy.Expr, variable: sympy.Symbol, order: int,
                           tok: Token) -> sympy.Expr:
        """Derivative(inner, (variable, order)), unevaluated, of total order at most MAX_ORDER."""
        value = sympy.Derivative(inner, (variable, order), evaluate=False)
        total = sum(int(count) for _, count in value.variable_count) if isinstance(value, sympy.Derivative) else 0
        if total > limits.MAX_ORDER:
            raise self.limit_error(f"a derivative of order {total} at column {tok.pos + 1}; derivatives "
                                   f"above order {limits.MAX_ORDER} are not taken", tok.pos,
                                   "calcgrad.limits.MAX_ORDER")
        return value

    # -- Piecewise ----------------------------------------------------------------------------

    def piecewise(self, tok: Token) -> sympy.Expr:
        """Piecewise((expr, condition), …) as SymPy prints it."""
        hint = "write Piecewise((x, x > 0), (0, True))"
        if not self.at(OPEN):
            raise self.error("'Piecewise' needs brackets", tok.pos, hint)
        opener = self.advance()
        pieces = []
        with self.fresh_bars():
            while True:
                if not self.at(OPEN):
                    raise self.error("each piece of Piecewise is (expression, condition)", self.peek().pos, hint)
                pair = self.advance()
                with self.nested(pair):
                    value = self.sum()
                    if not self.at(COMMA):
                        raise self.error("each piece of Piecewise is (expression, condition)",
                                         self.peek().pos, hint)
                    self.advance()
                    condition = self.condition()
                    self.close(pair)
                pieces.append((value, condition))
                if not self.at(COMMA):
                    break
                self.advance()
            self.close(opener)
        return self.build(sympy.Piecewise, pieces, tok)

    def condition(self) -> Any:
        saved, self.in_condition = self.in_condition, True
        try:
            parts = [self.condition_and()]
            while self.at(BAR):
                self.advance()
                parts.append(self.condition_and())
            return sympy.Or(*parts) if len(parts) > 1 else parts[0]
        finally:
            self.in_condition = saved

    def condition_and(self) -> Any:
        parts = [self.condition_atom()]
        while self.at(AMP):
            self.advance()
            parts.append(self.condition_atom())
        return sympy.And(*parts) if len(parts) > 1 else parts[0]

    def condition_atom(self) -> Any:
        tok = self.peek()
        if tok.kind == BOOL:
            self.advance()
            return tok.value
        if tok.kind == OPEN and self.is_condition_group(self.i):
            self.advance()
            with self.nested(tok), self.fresh_bars():
                value = self.condition()
                self.close(tok)
            return value
        left = self.sum()
        relation = self.peek()
        if relation.kind != CMP:
            raise self.error("expected a comparison such as x > 0", relation.pos,
                             "conditions use <, <=, >, >=, & and |")
        self.advance()
        right = self.sum()
        build = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "=": sympy.Eq, "==": sympy.Eq}
        return self.build(build[relation.value], [left, right], relation)

    def is_condition_group(self, k: int) -> bool:
        """Whether the bracket at token k holds a condition (x > 0) rather than an expression."""
        end = self.match[k]
        j = k + 1
        if self.tokens[j].kind == OPEN and self.is_condition_group(j):
            return True
        while j < end:
            kind = self.tokens[j].kind
            if kind in (CMP, AMP, BOOL):
                return True
            j = self.match[j] + 1 if kind == OPEN else j + 1
        return False

    # -- numbers that grow --------------------------------------------------------------------

    def power(self, base: sympy.Expr, exponent: sympy.Expr, tok: Token | None) -> sympy.Expr:
        """base**exponent, refusing numbers that would be too large to build."""
        pos = tok.pos if tok is not None else 0
        if base.is_zero and exponent.is_negative:
            raise self.error(f"division by zero: 0 to a negative power at column {pos + 1}", pos)
        if base is sympy.E:
            self.check_exp(exponent, tok)
        elif exponent.is_Rational and base.is_number:
            if max(abs(int(exponent.p)), int(exponent.q)) > 10**100:
                raise self.limit_error(f"the exponent at column {pos + 1} is too large for a number", pos,
                                       "calcgrad.limits.MAX_RESULT_DIGITS")
            self.spend(self.power_digits(base, exponent), pos)
        elif exponent.is_Rational:
            self.spend(self.power_digits(base, exponent), pos)
        if (base.is_number and base.is_negative and exponent.is_Rational
                and not exponent.is_Integer and exponent.q % 2 == 1):
            magnitude = sympy.Pow(-base, exponent)  # (−8)^(1/3) = −2: the real odd root
            return magnitude if exponent.p % 2 == 0 else -magnitude
        return self.real(sympy.Pow(base, exponent), tok)

    def real(self, value: sympy.Expr, tok: Token | None) -> sympy.Expr:
        """`value`, unless it is a complex number: calcgrad works over the real numbers."""
        if isinstance(value, sympy.Expr) and value.has(sympy.I):
            pos = tok.pos if tok is not None else 0
            raise self.error(f"'{tok.text if tok is not None else self.text}' gives a complex "
                             f"number here, not a real one", pos,
                             "calcgrad works over the real numbers; even roots and logarithms "
                             "of negative numbers have no real value")
        return value

    def power_digits(self, base: sympy.Expr, exponent: sympy.Rational) -> float:
        """About how many digits SymPy computes when it raises base to a rational power."""
        weight = 0.0
        for factor in sympy.Mul.make_args(base):
            if factor.is_Rational:
                weight += _log10_size(factor)
            elif factor.is_Pow and factor.base.is_Rational and factor.exp.is_Rational:
                weight += _log10_size(factor.base) * abs(float(factor.exp))
        if weight == 0:
            return 0.0
        size = math.log10(weight) + math.log10(abs(int(exponent.p)) or 1) - math.log10(int(exponent.q))
        return math.inf if size > 300 else weight * abs(int(exponent.p)) / int(exponent.q)

    def spend(self, digits: float, pos: int) -> None:
        limit = _limit_digits()
        if digits > limit:
            shown = "more than 10^300" if math.isinf(digits) else f"about {int(digits):,}"
            raise self.limit_error(f"the number at column {pos + 1} would have {shown} digits; the limit is "
                                   f"{limit:,}", pos, "calcgrad.limits.MAX_RESULT_DIGITS")
        self.digits_spent += digits
        if self.digits_spent > limit:
            raise self.limit_error(f"numbers in this expression would have more than {limit:,} digits",
                                   pos, "calcgrad.limits.MAX_RESULT_DIGITS")

    def check_exp(self, argument: sympy.Expr, tok: Token | None) -> None:
        """exp(k·log(b)) evaluates to b^k: count those digits too."""
        for term in sympy.Add.make_args(argument):
            coeff, rest = term.as_coeff_Mul()
            if isinstance(rest, sympy.log) and rest.args[0].is_number and coeff.is_Rational:
                self.power(rest.args[0], coeff, tok)

    def check_factorial(self, argument: sympy.Expr, tok: Token) -> None:
        if argument.is_Number and argument > limits.MAX_FACTORIAL:
            raise self.limit_error(f"'{tok.text}' of a number above {limits.MAX_FACTORIAL} is not computed",
                                   tok.pos, "calcgrad.limits.MAX_FACTORIAL")
        if argument.is_Integer and argument > 1:
            self.spend(math.lgamma(int(argument) + 1) / math.log(10), tok.pos)

    def check_polygamma(self, args: list[sympy.Expr], tok: Token) -> None:
        order, argument = args
        if argument.is_Number:
            self.check_factorial(argument, tok)
            if order.is_Number:
                if order > limits.MAX_ORDER:
                    raise self.limit_error(f"polygamma of order above {limits.MAX_ORDER} is not computed",
                                           tok.pos, "calcgrad.limits.MAX_ORDER")
                size = abs(float(argument)) * (abs(float(order)) + 1) * math.log10(abs(float(argument)) + 2)
                self.spend(size, tok.pos)

    # -- messages -----------------------------------------------------------------------------

    def missing_operand(self, tok: Token) -> ParseError:
        """Where a number, name or bracket was expected but `tok` came."""
        before = self.previous()
        if tok.kind == EOF:
            if before is None:
                return self.error("empty expression", 0, "type an expression such as x^2 + 3x")
            if before.kind == OP and before.value == "^":
                return self.error(f"expression ends after '{before.text}'; the exponent is missing",
                                  before.pos, "as in x^2")
            return self.error(f"expression ends after '{before.text}'; something is missing after it",
                              before.pos)
        if tok.kind == CLOSE and before is not None and before.kind == OP:
            return self.error(f"'{tok.text}' comes right after '{before.text}'; something is missing between them",
                              tok.pos)
        if tok.kind == OP:
            if before is None:
                return self.error(f"expression starts with '{tok.text}'; something is missing before it", tok.pos)
            if before.kind == OP:
                return self.error(f"two operators in a row: '{before.text}' and '{tok.text}'", tok.pos,
                                  "x**2 and x^2 both mean x squared")
            return self.error(f"'{tok.text}' at column {tok.pos + 1} needs something before it", tok.pos)
        if tok.kind == SUP:
            return self.error(f"superscript '{tok.text}' at column {tok.pos + 1} has nothing before it", tok.pos)
        if tok.kind == PRIME:
            return self.error(f"the prime at column {tok.pos + 1} has nothing before it", tok.pos,
                              "write (x^2)' for a derivative still to be taken")
        return self.leftover(tok)

    def leftover(self, tok: Token, opener: Token | None = None) -> ParseError:
        """A token that can't continue the expression here."""
        col = tok.pos + 1
        if tok.kind == CMP:
            return self.error("give an expression, not an equation", tok.pos,
                              f"'{tok.text}' at column {col} only appears in Piecewise conditions; "
                              "to differentiate y = x^2, type x^2")
        if tok.kind == COMMA:
            return self.error(f"',' at column {col} can only separate function arguments", tok.pos,
                              "for several values use parse_point('x=1, y=2')")
        if tok.kind == AMP:
            return self.error(f"'&' at column {col} only joins conditions inside Piecewise", tok.pos)
        if tok.kind == BOOL:
            return self.error(f"'{tok.text}' at column {col} only appears as a Piecewise condition", tok.pos)
        if tok.kind == BAR:
            return self.error(f"'|' at column {col} has no matching '|'", tok.pos)
        if tok.kind == CLOSE and opener is None:
            return self.error(f"'{tok.text}' at column {col} has no matching opening bracket", tok.pos)
        if tok.kind == EOF:
            if opener is not None:
                return self.error(f"'{opener.text}' at column {opener.pos + 1} is never closed", opener.pos)
            return self.error("expression ends too early", tok.pos)
        expected = f"; expected '{_OPEN[opener.value]}' to close '{opener.text}' at column {opener.pos + 1}" \
            if opener is not None and opener.kind == OPEN else ""
        return self.error(f"unexpected '{tok.text}' at column {col}{expected}", tok.pos)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _check_text(text: Any) -> None:
    if not isinstance(text, str):
        raise TypeError(f"expected the expression as a string, got {type(text).__name__}")
    if len(text) > limits.MAX_INPUT_CHARS:
        raise ParseLimitError(f"input is {len(text):,} characters long; the limit is {limits.MAX_INPUT_CHARS:,}",
                              text, limits.MAX_INPUT_CHARS, "calcgrad.limits.MAX_INPUT_CHARS")


def _run(text: str, tokens: list[Token], method: Callable[[_Parser], Any],
         pending: PendingNotation | None = None) -> Any:
    try:
        parser = _Parser(text, tokens, pending)
        return method(parser)
    except RecursionError:
        raise ParseLimitError("expression nested too deeply to read", text, 0,
                              "calcgrad.limits.MAX_NESTING") from None


@dataclass(frozen=True)
class Reading:
    """An expression as read, with the warnings for readings that are often not what was meant."""

    expression: sympy.Expr
    warnings: tuple[str, ...] = ()
    written: tuple[tuple[sympy.Expr, ...], ...] = ()
    """The terms of each sum and the factors of each product, in the order they were typed,
    so that 'Interpreted as' prints (w x + b − t)² as typed, not as SymPy sorts it."""


def read(text: str, variables: Iterable[str] = (), *, pending: PendingNotation | None = None) -> Reading:
    """Read one expression and say where the documented reading may not be what was meant.

    With `pending` (a worked solution's line) derivatives still to be taken are read too, as
    unevaluated sympy.Derivative objects: (x^2)' sin x, d/dx(x^2), (d/dx) ln(x^2+1), f'(x).
    Without it the reading is the default one, where primes and d/dx are refused.
    """
    if isinstance(text, sympy.Expr):
        return Reading(text)
    _check_text(text)
    tokens = _tokenize(text, variables, pending is not None)

    def expression_and_warnings(parser: _Parser) -> Reading:
        value = parser.expression()
        return Reading(value, tuple(dict.fromkeys(parser.warnings)), tuple(parser.written))

    return _run(text, tokens, expression_and_warnings, pending)


def parse(text: str, variables: Iterable[str] = ()) -> sympy.Expr:
    """Read one expression, e.g. "3x^2 + sin x", into SymPy; a SymPy expression passes through.

    `variables` declares multi-letter names ("loss", "lr") that would otherwise be read
    letter by letter. Raises ParseError (ParseLimitError over a cost limit).
    """
    return read(text, variables).expression


def parse_symbol(name: str, variables: Iterable[str] = ()) -> sympy.Symbol:
    """Read one variable name ("x", "w1", "theta", "θ"); ParseError if it is not a single name."""
    if isinstance(name, sympy.Symbol):
        return name
    _check_text(name)
    tokens = _tokenize(name, variables)
    if not name.strip():
        raise ParseError("empty variable name", name, 0, "give a name such as x or w1")
    first = tokens[0]
    if len(tokens) == 2 and first.kind == SYM:
        return symbol(first.value)
    if len(tokens) == 2 and first.kind == CONST:
        raise ParseError(f"'{first.text}' is a constant, not a variable", name, first.pos,
                         f"declare it with variables=['{first.text}'] to use it as a variable")
    if all(tok.kind == SYM for tok in tokens[:-1]):
        shown = "·".join(tok.text for tok in tokens[:-1])
        raise ParseError(f"'{name.strip()}' is not a single variable name (it reads as {shown})", name,
                         first.pos, f"declare it with variables=['{name.strip()}']")
    raise ParseError(f"'{name.strip()}' is not a variable name", name, first.pos,
                     "give a name such as x, w1, x_i or theta")


def parse_point(text: str, variables: Iterable[str] = ()) -> dict[sympy.Symbol, sympy.Expr]:
    """Read "x=3, y=1/2, theta=pi/4" into {x: 3, y: 1/2, theta: pi/4}; values must be constants."""
    _check_text(text)
    tokens = _tokenize(text, variables)
    if tokens[0].kind == EOF:
        raise ParseError("empty point", text, 0, "give values such as x=3, y=1/2")
    _Parser(text, tokens)  # checks the brackets
    point: dict[sympy.Symbol, sympy.Expr] = {}
    for part in _split_commas(tokens):
        name_tok, value = _assignment(text, part)
        sym = symbol(name_tok.value)
        if sym in point:
            raise ParseError(f"'{name_tok.text}' is given twice", text, name_tok.pos, "give each variable once")
        if value.free_symbols:
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise ParseError(f"the value of {sym} must be a number, but it contains {names}", text,
                             part[2].pos, "values are constants such as 3, 1/2 or pi/4")
        point[sym] = value
    return point


def _split_commas(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[:-1]:
        depth += tok.kind == OPEN
        depth -= tok.kind == CLOSE
        if tok.kind == COMMA and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _assignment(text: str, part: list[Token]) -> tuple[Token, sympy.Expr]:
    hint = "write each value as name=value, e.g. x=3, y=1/2"
    if not part:
        raise ParseError("empty entry in the point (two commas in a row, or one at an end)", text,
                         len(text), hint)
    if len(part) == 2 and part[1].kind == CMP and part[1].value == "=":
        raise ParseError(f"'{part[0].text}' has no value after '='", text, part[1].pos, hint)
    if len(part) < 3 or part[1].kind != CMP or part[1].value not in ("=", "=="):
        raise ParseError(f"expected name=value at column {part[0].pos + 1}", text, part[0].pos, hint)
    if part[0].kind != SYM:
        raise ParseError(f"'{part[0].text}' is not a variable name", text, part[0].pos, hint)
    end = Token(EOF, "", part[-1].end, part[-1].end)
    return part[0], _run(text, part[2:] + [end], _Parser.expression)


def symbol(name: str) -> sympy.Symbol:
    """The canonical real symbol for a name: "w1", "w_1", "w₁", "w_{1}" → w_1; "θ" → theta."""
    if isinstance(name, sympy.Symbol):
        return name
    return _symbol(name)


@lru_cache(maxsize=4096)
def _symbol(name: str) -> sympy.Symbol:
    canonical = _canonical_name(name)
    return sympy.Symbol(canonical, real=True)


def _canonical_name(name: str) -> str:
    match = _DECLARED_RE.fullmatch(name.strip()) if isinstance(name, str) else None
    if not match:
        raise ParseError(f"'{name}' is not a valid variable name", str(name), 0,
                         "use letters, optionally followed by digits or an _index: loss, w1, x_ij, theta")
    base = _GREEK_CHARS.get(match["base"], match["base"])
    index = match["index"] or ""
    if index:
        index = index.lstrip("_").strip("{}")
        index = "".join(_SUBSCRIPTS.get(c, c) for c in index)
        return f"{base}_{index}"
    return base


def _limit_hint(setting: str | None) -> str:
    """A hint for a cost limit: why it exists and where it is set."""
    where = f" (set by {setting})" if setting else ""
    return f"inputs are capped so that every answer comes back quickly{where}; try a smaller input"
