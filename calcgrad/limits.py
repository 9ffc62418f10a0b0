"""Cost limits checked *before* anything big is built, so hostile input fails fast."""

import math

from calcgrad.errors import LimitError

MAX_INPUT_CHARS = 10_000
"""Longest expression text accepted."""

MAX_NESTING = 100
"""Deepest nesting of brackets, functions and powers."""

MAX_NUMBER_DIGITS = 1_000
"""Most digits in one number literal."""

MAX_RESULT_DIGITS = 4_000
"""Most digits a number computed while parsing (e.g. 10^10^10) may have."""

MAX_FACTORIAL = 1_000
"""Largest integer whose factorial is computed exactly."""

MAX_ORDER = 20
"""Highest order of derivative shown step by step."""

MAX_RESULT_OPS = 5_000
"""Largest derivative (in SymPy operation count) differentiated again for a higher order."""

MAX_STEPS = 20_000
"""Most steps one derivation may hold."""

MAX_PRODUCT_FACTORS = 64
"""Most non-constant factors the product rule is written out for."""

COMMAND_SECONDS = 60.0
"""Wall-clock budget for one CLI command (`calcgrad --timeout SECONDS` changes it; `grade`
bounds each answer instead, see GRADE_ANSWER_SECONDS)."""

BATCH_SECONDS = 4 * 3600.0
"""Wall-clock budget for a whole `calcgrad grade` run (each answer has its own, below)."""

API_SECONDS = 60.0
"""Wall-clock budget for one API call that reads user text (its `timeout=` changes it)."""

MEMORY_BYTES = 2_000_000_000
"""Address-space limit of a `calcgrad` command process (`calcgrad --memory MB` changes it)."""

WORKER_MEMORY_BYTES = 1_000_000_000
"""Address-space limit of each worker process that grades rows."""

DERIVE_SECONDS = 10.0
"""Wall-clock budget for one derivation."""

MAX_SIMPLIFY_OPS = 400
"""Results larger than this (in SymPy operation count) skip the costlier tidy-ups."""

MAX_TRIG_SIMPLIFY_OPS = 60
"""Largest derivative (in SymPy operations) the tidy-up tries trigonometric identities on."""

MAX_ROOT_INDEX = 99
"""Largest n in sqrt[n](x) and root(x, n)."""

MAX_EXPAND_OPS = 60
"""Largest expression (in SymPy operation count) the tidy-up multiplies out or factors."""

MAX_EXPANDED_TERMS = 64
"""Most terms an expression may have once multiplied out for the tidy-up to try it."""

MAX_FIRST_PRINCIPLES_OPS = 40
"""Largest expression (in SymPy operation count) worked from first principles."""

MAX_FIRST_PRINCIPLES_DEGREE = 12
"""Highest polynomial degree expanded from first principles (numerator and denominator added)."""

MAX_DESCENT_STEPS = 100_000
"""Most gradient-descent updates one run may take."""

MAX_DESCENT_HESSIAN_VARIABLES = 6
"""Most variables for which a quadratic's Hessian eigenvalues are found (stable η advice)."""

MAX_VARIABLES = 10
"""Most variables in a gradient, Jacobian or Hessian."""

MAX_FUNCTIONS = 10
"""Most functions (rows) in a Jacobian."""

MATRIX_SECONDS = 30.0
"""Wall-clock budget for all the derivations of one gradient, Jacobian or Hessian together."""

MAX_NETWORK_LAYERS = 1_000
"""Most layers a network (numeric or symbolic) may have."""

MAX_LAYER_WIDTH = 4_096
"""Most neurons in one layer of a numeric network."""

MAX_NETWORK_PARAMETERS = 1_000_000
"""Most weights and biases a numeric network may have."""

MAX_BATCH_ROWS = 1_000
"""Most input rows in one batch."""

MAX_SPEC_BYTES = 50_000_000
"""Largest network spec file read."""

MAX_EPOCHS = 10_000
"""Most gradient-descent steps `--epochs` repeats."""

MAX_GRADIENT_CHECKS = 200
"""Most parameters checked by finite differences; larger networks check an even spread."""

MAX_TABLE_ROWS = 60
"""Most rows a walkthrough table prints per layer in text (JSON always has every entry)."""

MAX_SYMBOLIC_WIDTH = 8
"""Widest layer in the symbolic vector/matrix form."""

MAX_CHAIN_PATHS = 64
"""Most paths listed one by one when a weight reaches the loss along several."""

MAX_FULL_CHAIN_LAYERS = 10
"""Deepest network whose chains are also written out factor by factor (deeper: through δ⁽ˡ⁾)."""

MAX_EXACT_DIGITS = 200
"""Longest numerator or denominator an exact (--exact) walkthrough may produce."""

MAX_TABLE_BATCH_ROWS = 5
"""Most batch rows whose forward and backward tables are printed in text."""

COMPARE_SECONDS = 2.0
"""Time budget for comparing one answer with the expected expression."""

MAX_COMPARE_OPS = 2_000
"""Largest expression (in SymPy operation count) compared at all."""

MAX_SYMBOLIC_OPS = 200
"""Largest difference (in SymPy operation count) the symbolic stage tries to rewrite to zero."""

MAX_SPECIAL_CANDIDATES = 20
"""Most singularities and switching points located per comparison."""

DIAGNOSE_SECONDS = 3.0
"""Time budget for naming the mistake in one wrong answer."""

MAX_MUTATION_PAIRS = 400
"""Most pairs of faulty steps tried when no single one explains an answer."""

CHECK_SECONDS = 8.0
"""Hard time limit for one whole check (derivation, comparison and diagnosis)."""

MAX_SOLUTION_LINES = 200
"""Most lines of a worked solution checked."""

SOLUTION_SECONDS = 40.0
"""Time limit for all the lines of one worked solution together (each line also has
CHECK_SECONDS); lines left when it runs out are reported as not checked."""

GRADE_ANSWER_SECONDS = 10.0
"""Time limit for checking one answer in a batch; a slower one is stopped and reported."""

PARALLEL_ROWS = 200
"""Batches with at least this many rows are graded over several processes."""

MAX_GRADE_ROWS = 100_000
"""Most rows in one submissions file."""

MAX_GRADE_FILE_BYTES = 50_000_000
"""Largest submissions or key file read by `calcgrad grade`."""

MAX_PRACTICE_EXERCISES = 100
"""Most exercises in one practice set."""

MAX_ROSTER_STUDENTS = 2_000
"""Most students on one roster (`practice --per-student`, `grade --roster`)."""

MAX_VERSION_EXERCISES = 20_000
"""Most exercises over all versions of `practice --per-student` (students × count)."""

MAX_WRITTEN_UPDATES = 6
"""The optimiser update is written out (formula, numbers, value) for this many parameters,
evenly spread, first and last included."""
MAX_LOG10_MAGNITUDE = 1e15
"""Largest number (in digits, i.e. log10 of its size) a constant in an expression may reach:
towers such as e^e^e^e^3 (about 10^(2×10⁸) digits) are refused before anything evaluates them."""

MAX_ARGUMENT_DIGITS = 300
"""Largest size (in digits) of a function's argument at a point for the function to be evaluated
there: sigmoid(10^1000) would need a thousand digits of working precision."""

MAX_FACTOR_DEGREE = 64
"""Highest exponent the tidy-up and the comparison multiply out or factor (x^1024 is not)."""


# --- size estimates made before SymPy evaluates, orders, factors or prints ----------------
# SymPy is imported inside these functions only: the CLI imports this module at start-up.

def log10_bound(expr, point=None) -> float:
    """|log10 |value|| of a numeric expression (or of `expr` at `point`), estimated with 15-digit
    mpmath numbers whose exponent may be huge, so that nothing large is ever built exactly; inf
    when even the exponent would be too large (a tower such as e^e^e^e^3)."""
    return abs(log10_size(expr, point))


def log10_size(expr, point=None) -> float:
    """log10 |value| (negative for small numbers, 0 for zero), estimated as log10_bound is."""
    # lazy: start-up speed (loaded only when this code runs)
    import mpmath

    try:
        with mpmath.workdps(15):
            value = _size(expr, point or {})
            if value == 0:
                return 0.0
            return float(mpmath.log10(value))
    except (_TooLarge, OverflowError, ValueError, TypeError, ZeroDivisionError):
        return math.inf


class _TooLarge(Exception):
    """An exponent so large that its power cannot even be estimated."""


_BOUNDED = ("sin", "cos", "tanh", "sigmoid", "erf", "erfc", "Heaviside", "sign", "atan", "acot",
            "sech", "asin", "acos", "DiracDelta")


def _size(e, point):
    """An estimate of |e| as an mpmath number (an upper bound for functions it does not know)."""
    # lazy: start-up speed (loaded only when this code runs)
    import mpmath
    import sympy

    limit = mpmath.mpf(10) ** 15 * 3
    if e.is_Rational:
        return abs(mpmath.mpf(int(e.p)) / int(e.q))
    if e.is_Float:
        return abs(mpmath.mpf(e._mpf_))
    if e.is_Symbol:
        return _size(point[e], point) if e in point else mpmath.mpf(1)
    if e is sympy.pi:
        return +mpmath.pi
    if e is sympy.E:
        return +mpmath.e
    if e.is_Atom:
        return mpmath.mpf(1)
    if e.is_Add:
        return mpmath.fsum(_size(a, point) for a in e.args)
    if e.is_Mul:
        return mpmath.fprod(_size(a, point) for a in e.args)
    if e.is_Pow or isinstance(e, sympy.exp):
        base, exponent = (e.base, e.exp) if e.is_Pow else (sympy.E, e.args[0])
        b, x = _size(base, point), _signed(exponent, point)
        if b == 0:
            return b
        log_size = abs(x * mpmath.log10(b))
        if log_size > limit:
            raise _TooLarge
        return mpmath.power(10, x * mpmath.log10(b))
    name = type(e).__name__
    if name in _BOUNDED:
        return mpmath.mpf(2)
    if name in ("factorial", "gamma"):
        n = _size(e.args[0], point)
        if n * mpmath.log10(n + 2) > limit:
            raise _TooLarge
        return mpmath.factorial(n)
    if name in ("log", "ln"):
        return abs(mpmath.log(_size(e.args[0], point) + 1)) + 1
    sizes = [_size(a, point) for a in e.args]
    return max(sizes, default=mpmath.mpf(1)) * 10 + 10


def _signed(e, point):
    """An estimate of e with its sign, where the sign decides (exponents); the sign is read from
    the structure (a negative number or coefficient), never by asking SymPy, which may evaluate."""
    size = _size(e, point)
    number = e.args[0] if e.is_Mul else e
    negative = (number.is_Rational or number.is_Float) and number < 0
    return -size if negative else size


def check_magnitude(expr, what: str = "the expression") -> None:
    """Refuse a constant too large to evaluate, order or print (a tower such as e^e^e^e^3)."""
    def walk(e) -> None:
        if not e.free_symbols:
            size = log10_bound(e)
            if size > MAX_LOG10_MAGNITUDE:
                digits = f"10^{math.log10(MAX_LOG10_MAGNITUDE):.0f}"
                raise LimitError(f"{what} contains {_shown(e)}, a number too large (or too "
                                 f"small) to work with (more than {digits} digits); "
                                 "write a smaller constant")
            return
        for arg in e.args:
            walk(arg)

    walk(expr)


def _shown(expr) -> str:
    """expr as text for a message, or a description when even printing it would fail."""
    # lazy: start-up speed (loaded only when this code runs)
    import sympy

    try:
        text = sympy.sstr(expr)  # not calcgrad's printer: limits sits below it (no cycle)
    except Exception:  # noqa: BLE001 — printing a number this size can itself fail
        return "a constant"
    return text if len(text) <= 80 else text[:77] + "…"


def check_exact_power(expr, point, what: str = "the value at this point") -> None:
    """Refuse a point at which an exact power would have more than MAX_RESULT_DIGITS digits
    (x^(10^100) at x = 2), or a function's argument more than MAX_ARGUMENT_DIGITS (sigmoid(10^1000 x)
    at x = 1), before SymPy computes it."""
    # lazy: start-up speed (loaded only when this code runs)
    import sympy

    for node in sympy.preorder_traversal(expr):
        if (isinstance(node, sympy.Function) and node.args
                and node.free_symbols <= set(point)):
            size = max(log10_size(arg, point) for arg in node.args)
            if size > MAX_ARGUMENT_DIGITS:
                raise LimitError(f"{what} needs {type(node).__name__} of a number of about "
                                 f"{size:.3g} digits (more than {MAX_ARGUMENT_DIGITS}); choose a "
                                 "smaller point or constant")
        if node.is_Pow and node.exp.is_Rational and node.base.free_symbols <= set(point):
            digits = abs(int(node.exp.p)) * log10_bound(node.base, point)
            if digits > MAX_RESULT_DIGITS:
                raise LimitError(f"{what} would be a number of about {digits:.3g} digits "
                                 f"(more than {MAX_RESULT_DIGITS}); choose a smaller exponent "
                                 "or point")


def max_exponent(expr) -> int:
    """The largest whole exponent in `expr` (powers, and e^n which SymPy's polynomials read
    as a power of e): a bound on the degree that expanding or factoring meets."""
    # lazy: start-up speed (loaded only when this code runs)
    import sympy

    largest = 0
    for node in sympy.preorder_traversal(expr):
        if node.is_Pow and node.exp.is_Rational:
            largest = max(largest, abs(int(node.exp.p)))
        elif isinstance(node, sympy.exp) and node.args[0].is_Rational:
            largest = max(largest, abs(int(node.args[0].p)))
        elif node.is_Pow and node.exp.is_Mul and node.exp.args[0].is_Rational:
            largest = max(largest, abs(int(node.exp.args[0].p)))
    return largest
