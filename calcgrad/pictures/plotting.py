"""Pictures of derivatives: a function with its tangent and secant lines, and gradient fields.

Every slope drawn comes from the calcgrad engine (`calcgrad.engine.derive.diff`), exact where it can
be, and is printed in the labels. The curves themselves are sampled numerically: the parsed
SymPy tree (never the user's text) is turned into a NumPy function with `lambdify`, and points
where the function is undefined, complex or enormous are left out so the picture stays
readable. matplotlib is an optional dependency: it is imported only inside these functions,
and without it they raise `MissingDependencyError` saying how to install it.

Figures are built with `matplotlib.figure.Figure` on the Agg canvas, never through pyplot, so
no window ever opens; Jupyter shows a returned Figure inline.
"""

from __future__ import annotations

import builtins
import io
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from sympy import Expr, Symbol

from calcgrad import limits
from calcgrad.errors import CalcgradError, UsageError
from calcgrad.engine.derive import diff
from calcgrad.engine.functions import DEEP_LEARNING_FUNCTIONS, entry_for, numeric_functions
from calcgrad.engine.pointwise import real_roots
from calcgrad.read import request as request_reader
from calcgrad.render.notation import format_point, to_latex, to_text
from calcgrad.calculus.descent import Descent

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

INSTALL_HINT = 'pip install "calcgrad[plot]"'

FIGURE_SIZE = (8.0, 5.0)
"""Inches; at DPI this is an 800×500 pixel picture (one variable)."""

FIELD_FIGURE_SIZE = (7.0, 6.0)
"""Inches; at DPI this is a 700×600 pixel picture (contours and gradient arrows)."""

DPI = 100

ANIMATION_DPI = 80
"""The animation is drawn smaller (640×400) so the GIF stays small."""

SECANT_STEPS = (2, 1, sympy.Rational(1, 2), sympy.Rational(1, 4))
"""The h of each secant drawn by `plot_tangent(..., secants=True)`, shrinking towards 0."""

ANIMATION_STEPS = tuple(2 * (sympy.Rational(3, 4) ** k) for k in range(14))
"""h for each frame of the secant animation: 2 down to about 0.05."""

DEFAULT_HALF_WIDTH = 3
"""Half the width of the x range shown around the point when no range is given."""

CURVE_SAMPLES = 801
FIELD_SAMPLES = 161
"""Grid points per axis for the contours."""

ARROWS_PER_AXIS = 13
"""Gradient arrows per axis of the field."""

SAVE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


class MissingDependencyError(CalcgradError):
    """An optional dependency (matplotlib) is not installed; exits 1 with how to install it."""

    exit_code = 1


def require_matplotlib():
    """matplotlib, or MissingDependencyError saying how to install it."""
    try:
        # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
        import matplotlib
    except ImportError:
        raise MissingDependencyError(
            f"plotting needs matplotlib, which is not installed; install it with: {INSTALL_HINT}"
        ) from None
    return matplotlib


# --- reading the request -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """A parsed expression, the plotted variables and the values of all the others."""

    expression: Expr
    plotted: tuple[Symbol, ...]
    point: dict          # every coordinate given (plotted ones included), in the order given
    fixed: dict          # the values of the variables that are not plotted
    declared: tuple[str, ...]

    @property
    def function(self) -> Expr:
        """The expression with the other variables replaced by their values."""
        return self.expression.subs(self.fixed) if self.fixed else self.expression

    def point_of(self, symbol: Symbol):
        return self.point.get(symbol)


def _number(value, what: str, declared: tuple[str, ...]) -> Expr:
    """A real, finite constant that a picture can be drawn at (floating point range)."""
    number = request_reader.number(value, what, declared)
    _check_drawable(number, what)
    return number


def _check_drawable(value: Expr, what: str) -> None:
    """A UsageError when a real value is too large for the floating point a picture is drawn in."""
    try:
        drawable = math.isfinite(float(value))
    except (OverflowError, TypeError, ValueError):
        drawable = False
    if not drawable:
        raise UsageError(f"{what} is too large to draw (about {sympy.N(value, 3)}); "
                         "plots need values below 10^308")


def _is_real_finite(value: Expr) -> bool:
    """True when a constant is a finite real number (checked by 30-digit evaluation)."""
    return request_reader.real_finite(value)


def _request(expr, plotted_names, at, declared: Iterable[str]) -> _Request:
    request = request_reader
    declared = request.declared_names(declared)
    expression = request.expression(expr, declared)
    limits.check_magnitude(expression)
    free = sorted(expression.free_symbols, key=lambda s: s.name)
    names = ", ".join(s.name for s in free) or "none"
    plotted = request.variables(plotted_names, declared)
    if not plotted:
        if len(free) == 1:
            plotted = (free[0],)
        elif not free:
            plotted = (request.symbol("x"),)
        else:
            raise UsageError(f"the expression has several variables ({names}); choose one with "
                             f"--wrt {free[0].name} (giving the others with --at) or plot two as "
                             f"a gradient field with --wrt {free[0].name},{free[1].name}")
    if len(set(plotted)) != len(plotted):
        raise UsageError("the plotted variables must be different from each other")
    for symbol in plotted:
        if free and symbol not in free:
            raise UsageError(f"{symbol.name} is not a variable of the expression "
                             f"(its variables: {names})")
    others = tuple(s for s in free if s not in plotted)
    point = request.point(at, (*plotted, *others), declared, required=others)
    for symbol, value in point.items():
        _check_drawable(value, f"the value of {symbol.name}")
    fixed = {s: v for s, v in point.items() if s not in plotted}
    return _Request(expression, plotted, point, fixed, declared)


def _range(requested, centre: float, half_width: float) -> tuple[float, float]:
    """The (low, high) of an axis: `requested` ("a,b" or a pair) or centre ± half_width."""
    if requested is None:
        return centre - half_width, centre + half_width
    parts = requested.split(",") if isinstance(requested, str) else list(requested)
    if len(parts) != 2:
        raise UsageError(f"the range must be two numbers a,b with a < b, such as -2,2; got {requested!r}")
    low, high = (float(_number(p, "each end of the range", ())) for p in parts)
    if not low < high:
        raise UsageError(f"the range must go from a smaller to a larger number; got {low:g},{high:g}")
    return low, high


def _defined_value(expression: Expr, point: dict, request: _Request) -> Expr:
    """expression at point, or a UsageError saying the function is not defined there."""
    limits.check_exact_power(expression, point)
    value = real_roots(expression).subs(point)
    if not _is_real_finite(value):
        raise UsageError(f"{_text(request.expression)} is not defined (over the real numbers) at "
                         f"{_point_text(point)}; choose a point in its domain")
    return value


# --- numbers from trees --------------------------------------------------------------------------


def _numpy_functions() -> dict:
    """calcgrad's own functions (σ, ReLU, GELU …) for NumPy arrays, from the function table;
    NumPy's printer writes Heaviside(x, 0) as numpy.heaviside, so the kink convention holds."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    return {f.__name__: np.vectorize(entry_for(f).float_value, otypes=[float])
            for f in DEEP_LEARNING_FUNCTIONS}


def _math_functions() -> dict:
    """Every table function for one float at a time (Heaviside with the kink convention)."""
    return numeric_functions(math)


def numeric_function(expression: Expr, variables: Sequence[Symbol]):
    """A function of NumPy arrays giving expression's values, NaN where it is not real and finite.

    The tree is compiled with `lambdify` for NumPy; if that fails (a function NumPy lacks, such
    as erf, or numbers too large for floats) each point is evaluated with the math module, and a
    point that still fails is NaN. Odd roots of negative numbers are real (∛(−8) = −2), as
    calcgrad diff takes them.
    """
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    variables = tuple(variables)
    expression = real_roots(expression)
    vectorised = pointwise = None
    try:
        vectorised = sympy.lambdify(variables, expression, modules=[_numpy_functions(), "numpy"])
    except Exception:  # an expression NumPy's printer cannot write: use the math module
        vectorised = None

    def evaluate(*arrays):
        nonlocal pointwise
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))
        shape = arrays[0].shape
        values = None
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if vectorised is not None:
                try:
                    values = np.broadcast_to(np.asarray(vectorised(*arrays)), shape)
                    if values.dtype == object:
                        values = None
                except Exception:  # NameError for functions NumPy lacks, OverflowError, …
                    values = None
            if values is None:
                if pointwise is None:
                    pointwise = _pointwise(variables, expression)
                flat = [_one_value(pointwise, args) for args in zip(*(a.ravel() for a in arrays))]
                values = np.array(flat, dtype=complex).reshape(shape)
        return _real_part(values)

    return evaluate


def _pointwise(variables, expression):
    """expression as a function of floats (math, then mpmath for what math lacks); a function
    neither provides is refused with its name instead of a NameError at the first point."""
    function = sympy.lambdify(variables, expression, modules=[_math_functions(), "math", "mpmath"])
    missing = sorted(name for name in function.__code__.co_names
                     if name not in function.__globals__ and not hasattr(builtins, name))
    if missing:
        raise UsageError(f"{', '.join(missing)} (in {to_text(expression)}) has no numeric "
                         "implementation, so it cannot be drawn")
    return function


def _one_value(function, args) -> complex:
    try:
        return complex(function(*(float(a) for a in args)))
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return complex(math.nan)


def _real_part(values):
    """Real values kept; complex ones (off the real domain), infinities and NaN become NaN."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    values = np.asarray(values)
    if np.iscomplexobj(values):
        real = values.real.astype(float)
        off_axis = np.abs(values.imag) > 1e-12 * np.maximum(1, np.abs(real))
        values = np.where(off_axis, np.nan, real)
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _visible_limits(values, must_show: Sequence[float], margin: float = 0.08) -> tuple[float, float]:
    """y limits that show the curve's ordinary part and the marked points, ignoring poles."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    finite = values[np.isfinite(values)]
    shown = [v for v in must_show if math.isfinite(v)]
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        core_low, core_high = (float(v) for v in np.percentile(finite, [3, 97]))
        if high - low > 8 * max(core_high - core_low, 1e-12):  # a pole or a blow-up: use the core
            low, high = core_low, core_high
        shown += [low, high]
    if not shown:
        return -1.0, 1.0
    low, high = min(shown), max(shown)
    if high - low < 1e-9 * max(1.0, abs(high)):
        low, high = low - 1, high + 1
    extra = margin * (high - low)
    return low - extra, high + extra


def _readable_curve(values, limits: tuple[float, float]):
    """The values with far-off points dropped and the line broken where it jumps (at a pole)."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    low, high = limits
    span = high - low
    values = np.where((values < low - span) | (values > high + span), np.nan, values)
    jumps = np.abs(np.diff(values)) > span
    values[1:][jumps] = np.nan
    return values


# --- labels ------------------------------------------------------------------------------------


def _text(expr) -> str:
    return to_text(expr)


def _point_text(point: Mapping) -> str:
    return format_point(dict(point))


def _math(latex: str, fallback: str, limit: int = 90) -> str:
    """`$latex$` when matplotlib's mathtext can draw it, else the plain text (shortened)."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    from matplotlib.mathtext import MathTextParser

    if len(latex) <= limit * 2:
        try:
            MathTextParser("path").parse(f"${latex}$")
            return f"${latex}$"
        except Exception:  # mathtext lacks some LaTeX (cases, …): fall back to Unicode text
            pass
    plain = fallback.replace("$", r"\$")
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def _latex(expr) -> str:
    return to_latex(expr)


def _value_label(value: Expr) -> str:
    """An exact value in LaTeX, with a decimal when it is not a short rational (e.g. `\\sqrt{2} ≈ 1.414`)."""
    approx = float(value.evalf(20))
    decimal = f"{approx:.4g}"
    if value.has(sympy.Float):  # already inexact: the decimal says it all
        return decimal
    exact = _latex(value)
    if value.is_Rational and len(exact) <= 24:
        return exact
    return f"{exact} \\approx {decimal}" if len(exact) <= 40 else decimal


def _name_of_function(request: _Request) -> tuple[str, str]:
    """`f(x)` (LaTeX, text), or `f(x, 2)` when other variables are held at values."""
    variable = request.plotted[0]
    args_latex, args_text = [], []
    for symbol in sorted(request.expression.free_symbols | {variable}, key=lambda s: s.name):
        if symbol == variable:
            args_latex.append(_latex(symbol))
            args_text.append(to_text(symbol))
        else:
            args_latex.append(_latex(request.fixed[symbol]))
            args_text.append(to_text(request.fixed[symbol]))
    return f"f({', '.join(args_latex)})", f"f({', '.join(args_text)})"


def _slope_name(request: _Request, at_value: Expr) -> tuple[str, str]:
    """`f'(3)` or `\\partial f/\\partial x (1, 2)` for the slope at the point (LaTeX, text)."""
    variable = request.plotted[0]
    if not request.fixed:
        return f"f'({_latex(at_value)})", f"f′({_text(at_value)})"
    coordinates = {**{variable: at_value}, **request.fixed}
    ordered = sorted(coordinates, key=lambda s: s.name)
    latex_args = ", ".join(_latex(coordinates[s]) for s in ordered)
    text_args = ", ".join(_text(coordinates[s]) for s in ordered)
    return (r"\frac{\partial f}{\partial %s}(%s)" % (_latex(variable), latex_args),
            f"∂f/∂{_text(variable)}({text_args})")


# --- one variable: function, tangent, secants, derivative -----------------------------------------


@dataclass(frozen=True)
class _Tangent:
    """What the tangent picture needs, worked out once: point, value, slope and their labels."""

    request: _Request
    at: Expr | None
    value: Expr | None
    slope: Expr | None
    note: str

    @property
    def variable(self) -> Symbol:
        return self.request.plotted[0]


def _tangent_data(expr, at, wrt, variables) -> _Tangent:

    request = _request(expr, wrt, at, variables)
    if len(request.plotted) != 1:
        raise UsageError("a tangent line follows one variable; two variables are drawn as a "
                         "gradient field (plot_gradient_field, or --wrt x,y)")
    variable = request.plotted[0]
    a = request.point_of(variable)
    if a is None:
        return _Tangent(request, None, None, None, "")
    full_point = {variable: a, **request.fixed}
    value = _defined_value(request.expression, full_point, request)
    derivation = diff(request.expression, variable, at=full_point)
    slope = derivation.value
    if slope is None or not _is_real_finite(slope):
        why = getattr(derivation.steps[-1], "status", None)  # the corner, jump or hole, said once
        reason = why.message if why is not None and why.message else \
            f"its derivative {_text(derivation.result)} is not defined there"
        raise UsageError(f"{_text(request.expression)} has no tangent at {_point_text(full_point)}: "
                         f"{reason}")
    _check_drawable(value, f"the function's value at {_point_text(full_point)}")
    _check_drawable(slope, f"the slope at {_point_text(full_point)}")
    return _Tangent(request, a, value, slope, derivation.steps[-1].note)


@cache
def _figure_class():
    """matplotlib's Figure, able to show itself in Jupyter as a PNG without pyplot's help."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    from matplotlib.figure import Figure

    class CalcgradFigure(Figure):
        """A Figure that Jupyter shows inline even when pyplot (and so its inline backend) was
        never imported."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=DPI)
            return buffer.getvalue()

    return CalcgradFigure


def new_figure(size, rows: int = 1):
    """A Figure on the Agg canvas (never a window) with `rows` axes sharing x."""
    require_matplotlib()
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = _figure_class()(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    if rows == 1:
        return figure, [figure.add_subplot()]
    axes = figure.subplots(rows, 1, sharex=True, height_ratios=[3, 2])
    return figure, list(axes)


def _secant_slope(tangent: _Tangent, h) -> Expr | None:
    """(f(a + h) − f(a))/h exactly, or None when a + h is outside the domain."""
    function = tangent.request.function
    end = real_roots(function).subs(tangent.variable, tangent.at + h)
    if not _is_real_finite(end):
        return None
    return (end - tangent.value) / h


def _draw_tangent_figure(tangent: _Tangent, x_range, derivative: bool, secant_steps,
                         size=FIGURE_SIZE):
    """The figure with the function, the tangent (if a point) and the derivative (if asked)."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    request, variable = tangent.request, tangent.variable
    figure, axes = new_figure(size, rows=2 if derivative else 1)
    top = axes[0]
    centre = float(tangent.at) if tangent.at is not None else 0.0
    widest = max((float(h) for h in secant_steps), default=0.0)
    low, high = _range(x_range, centre, max(DEFAULT_HALF_WIDTH, 1.5 * widest))
    if tangent.at is not None and not low <= float(tangent.at) <= high:
        raise UsageError(f"the range {low:g},{high:g} does not contain the point "
                         f"{variable.name} = {_text(tangent.at)}")
    xs = np.linspace(low, high, CURVE_SAMPLES)
    ys = numeric_function(request.function, [variable])(xs)
    name_latex, name_text = _name_of_function(request)
    must_show = [] if tangent.at is None else [float(tangent.value)]
    limits = _visible_limits(ys, must_show)
    function_label = _math(f"{name_latex} = {_latex(request.function)}",
                           f"{name_text} = {_text(request.function)}")
    (curve,) = top.plot(xs, _readable_curve(ys, limits), color="C0", lw=2, label=function_label)
    curve.set_gid("function")
    top.set_ylim(*limits)
    top.set_xlim(low, high)
    top.set_ylabel(_math(name_latex, name_text))
    top.grid(True, alpha=0.3)
    top.axhline(0, color="0.6", lw=0.8)

    title = f"{_math(name_latex, name_text)} = {_math(_latex(request.function), _text(request.function))}"
    if tangent.at is not None:
        a, fa, m = float(tangent.at), float(tangent.value), float(tangent.slope)
        slope_latex, slope_text = _slope_name(request, tangent.at)
        slope_label = _math(f"{slope_latex} = {_value_label(tangent.slope)}",
                            f"{slope_text} = {_text(tangent.slope)}")
        ends = np.array([low, high])
        (line,) = top.plot(ends, fa + m * (ends - a), color="C3", lw=1.8,
                           label=f"tangent at {variable.name} = {_text(tangent.at)}, slope {slope_label}")
        line.set_gid("tangent")
        for index, h in enumerate(secant_steps):
            slope = _secant_slope(tangent, h)
            if slope is None:
                continue
            s = float(slope)
            (secant,) = top.plot(ends, fa + s * (ends - a), lw=1, ls="--",
                                 color=f"C{(index + 4) % 10}",
                                 label=f"secant, h = {_text(sympy.nsimplify(h))}: slope {s:.4g}")
            secant.set_gid(f"secant h={float(h):g}")
            top.plot([a + float(h)], [fa + s * float(h)], "o", ms=4, color=secant.get_color())
        top.plot([a], [fa], "o", color="C3", ms=6, zorder=5)
        top.annotate(f"slope {slope_label}", xy=(a, fa), xytext=(12, -22),
                     textcoords="offset points", color="C3",
                     bbox={"boxstyle": "round", "fc": "white", "ec": "none", "alpha": 0.85})
        title = (f"Tangent to {_math(name_latex, name_text)} at "
                 f"{_math(f'{_latex(variable)} = {_latex(tangent.at)}', f'{variable.name} = {_text(tangent.at)}')}")
        if request.fixed:
            title += f", holding {_point_text(request.fixed)}"
        if tangent.note:
            figure.text(0.01, 0.005, f"note: {tangent.note}", fontsize=8, color="0.3")
    top.set_title(title)
    top.legend(loc="best", fontsize=8)

    bottom = axes[-1]
    if derivative:
        _draw_derivative(bottom, tangent, xs)
    bottom.set_xlabel(_math(_latex(variable), _text(variable)))
    return figure, top


def _draw_derivative(axes, tangent: _Tangent, xs) -> None:
    """f′ on its own axes below, with the point (a, f′(a)) marked: the tangent's slope."""
    request, variable = tangent.request, tangent.variable
    derived = diff(request.expression, variable).result
    derived = derived.subs(request.fixed) if request.fixed else derived
    values = numeric_function(derived, [variable])(xs)
    marked = [] if tangent.at is None else [float(tangent.slope)]
    limits = _visible_limits(values, marked)
    prime_latex = r"\frac{\partial f}{\partial %s}" % _latex(variable) if request.fixed else "f'"
    prime_text = f"∂f/∂{variable.name}" if request.fixed else "f′"
    argument = f"({_latex(variable)})"
    label = _math(f"{prime_latex}{argument} = {_latex(derived)}",
                  f"{prime_text}({variable.name}) = {_text(derived)}")
    (curve,) = axes.plot(xs, _readable_curve(values, limits), color="C2", lw=2, label=label)
    curve.set_gid("derivative")
    if tangent.at is not None:
        axes.plot([float(tangent.at)], [float(tangent.slope)], "o", color="C3", ms=6,
                  label="the tangent's slope")
    axes.set_ylim(*limits)
    axes.set_ylabel(_math(f"{prime_latex}{argument}", f"{prime_text}({variable.name})"))
    axes.grid(True, alpha=0.3)
    axes.axhline(0, color="0.6", lw=0.8)
    axes.legend(loc="best", fontsize=8)


def plot_tangent(
    expr,
    at=None,
    wrt=None,
    *,
    secants: bool | Sequence = False,
    derivative: bool = False,
    x_range=None,
    variables: Iterable[str] = (),
) -> Figure:
    """The function and, at `at`, its tangent line with the slope from calcgrad.diff.

    `expr` is text or a SymPy expression; `at` a number, "3", "x=3" or, with other variables,
    "x=1, y=2" (they are held at those values: the slope is then ∂f/∂x). `secants=True` adds
    secant lines through (a, f(a)) and (a + h, f(a + h)) for h = 2, 1, 1/2, 1/4 (or pass your
    own h values); `derivative=True` draws f′ on axes below. `x_range` is "a,b" or (a, b).
    Returns a matplotlib Figure (Jupyter shows it inline; `figure.savefig("t.png")` saves it).
    """
    require_matplotlib()
    tangent = _tangent_data(expr, at, wrt, variables)
    steps = _secant_steps(secants)
    if steps and tangent.at is None:
        raise UsageError("secant lines need a point: give it with at (--at 3)")
    figure, _ = _draw_tangent_figure(tangent, x_range, derivative, steps)
    return figure


def _secant_steps(secants) -> tuple:
    if secants is True:
        return SECANT_STEPS
    if not secants:
        return ()
    steps = tuple(_number(h, "each secant step h", ()) for h in secants)
    if any(h == 0 for h in steps):
        raise UsageError("a secant step h must not be 0 (that is the tangent itself)")
    return steps


def save_secant_animation(
    expr,
    at,
    path,
    wrt=None,
    *,
    x_range=None,
    variables: Iterable[str] = (),
    steps: Sequence = ANIMATION_STEPS,
    fps: int = 4,
) -> Path:
    """A GIF of the secant through (a, f(a)) and (a + h, f(a + h)) as h shrinks to the tangent.

    One frame per h in `steps` (by default 2, 1.5, 1.125, … down to about 0.05); the title shows
    h and the secant's slope next to the tangent's. Written with matplotlib's PillowWriter;
    returns the path.
    """
    require_matplotlib()
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    from matplotlib.animation import PillowWriter

    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise UsageError(f"the animation is written as a GIF; give a file name ending in .gif, not {path.name!r}")
    tangent = _tangent_data(expr, at, wrt, variables)
    if tangent.at is None:
        raise UsageError("the secant animation needs a point: give it with at (--at 3)")
    frames = [(h, s) for h in _secant_steps(steps) if (s := _secant_slope(tangent, h)) is not None]
    if not frames:
        raise UsageError(f"no secant to the right of {tangent.variable.name} = {_text(tangent.at)} "
                         "stays inside the function's domain")
    figure, axes = _draw_tangent_figure(tangent, x_range, False, (), size=FIGURE_SIZE)
    a, fa = float(tangent.at), float(tangent.value)
    low, high = axes.get_xlim()
    ends = [low, high]
    (secant,) = axes.plot(ends, [fa, fa], color="C1", lw=1.5, ls="--", label="secant")
    secant.set_gid("secant")
    (end_point,) = axes.plot([a], [fa], "o", color="C1", ms=5)
    axes.legend(loc="best", fontsize=8)
    slope_text = f"{float(tangent.slope):.4g}"
    writer = PillowWriter(fps=fps)
    try:
        with writer.saving(figure, str(path), dpi=ANIMATION_DPI):
            for h, s in frames:
                hf, sf = float(h), float(s)
                secant.set_ydata([fa + sf * (low - a), fa + sf * (high - a)])
                end_point.set_data([a + hf], [fa + sf * hf])
                axes.set_title(f"h = {hf:.3g}: secant slope {sf:.4g} → tangent slope {slope_text}")
                writer.grab_frame()
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    return path


# --- two variables: contours and gradient arrows -------------------------------------------------


def _gradient(request: _Request) -> tuple[Expr, ...]:
    """∂f/∂v for each plotted variable, from the calcgrad engine, other variables substituted."""
    parts = []
    for variable in request.plotted:
        result = diff(request.expression, variable).result
        parts.append(result.subs(request.fixed) if request.fixed else result)
    return tuple(parts)


def _two_variables(wrt, declared) -> tuple[Symbol, ...]:
    request = request_reader
    symbols = request.variables(wrt, request.declared_names(declared))
    if len(symbols) != 2:
        raise UsageError(f"a gradient field plots exactly two variables, such as --wrt x,y; "
                         f"got {len(symbols)}")
    return symbols


def plot_gradient_field(
    expr,
    wrt=None,
    at=None,
    *,
    xy_range=None,
    variables: Iterable[str] = (),
    vars=None,  # noqa: A002 - the old name of wrt, still accepted (deprecated)
) -> Figure:
    """Contours of f(x, y) with its gradient ∇f drawn as arrows on a grid.

    `wrt` names the two plotted variables ("x,y", the default, or a pair; `vars=` is its old
    name); any others must be given values in `at`. With `at` giving both plotted variables, the point is marked and ∇f there is drawn
    and labelled with exact values. `xy_range` ("a,b" or (a, b)) is used for both axes, so that
    the arrows are drawn at true angles, perpendicular to the contour lines. The arrows hold the
    gradient's true components, all scaled by one factor. Returns a matplotlib Figure.
    """
    require_matplotlib()
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    wrt = request_reader.wrt_keyword(wrt, vars, "plot_gradient_field") or "x,y"
    request = _request(expr, _two_variables(wrt, variables), at, variables)
    u, v = request.plotted
    a, b = request.point_of(u), request.point_of(v)
    marked = a is not None and b is not None
    if marked:
        full_point = {u: a, v: b, **request.fixed}
        _defined_value(request.expression, full_point, request)
        gradient_at = tuple(diff(request.expression, w, at=full_point).value for w in (u, v))
        if not all(_is_real_finite(g) for g in gradient_at):
            raise UsageError(f"the gradient of {_text(request.expression)} is not defined at "
                             f"{_point_text(full_point)}")
        for component in gradient_at:
            _check_drawable(component, f"the gradient at {_point_text(full_point)}")
    centre_u = float(a) if a is not None else 0.0
    centre_v = float(b) if b is not None else 0.0
    low, high = _range(xy_range, 0.0, DEFAULT_HALF_WIDTH)
    if xy_range is None:
        u_limits = (centre_u + low, centre_u + high)
        v_limits = (centre_v + low, centre_v + high)
    else:
        u_limits = v_limits = (low, high)

    figure, (axes,) = new_figure(FIELD_FIGURE_SIZE)
    _draw_contours(figure, axes, request.function, request.expression, u, v, u_limits, v_limits)
    name_latex = f"f({_latex(u)}, {_latex(v)})"
    name_text = f"f({u.name}, {v.name})"

    arrows_u, arrows_v = np.meshgrid(np.linspace(*u_limits, ARROWS_PER_AXIS),
                                     np.linspace(*v_limits, ARROWS_PER_AXIS))
    gradient = _gradient(request)
    du = numeric_function(gradient[0], [u, v])(arrows_u, arrows_v)
    dv = numeric_function(gradient[1], [u, v])(arrows_u, arrows_v)
    scale = _arrow_scale(du, dv, (u_limits[1] - u_limits[0]) / (ARROWS_PER_AXIS - 1))
    field = axes.quiver(arrows_u, arrows_v, np.ma.masked_invalid(du), np.ma.masked_invalid(dv),
                        angles="xy", scale_units="xy", scale=scale, color="white", width=0.004,
                        label=_math(r"\nabla f", "∇f") + " (arrows to one scale)")
    field.set_gid("gradient field")

    title = f"Contours of {_math(f'{name_latex} = {_latex(request.function)}', f'{name_text} = {_text(request.function)}')} and its gradient"
    if marked:
        ga, gb = (float(g) for g in gradient_at)
        point_latex = f"{_latex(a)}, {_latex(b)}"
        label = _math(r"\nabla f(%s) = \left(%s, %s\right)" % (point_latex, _value_label(gradient_at[0]),
                                                               _value_label(gradient_at[1])),
                      f"∇f({_text(a)}, {_text(b)}) = ({_text(gradient_at[0])}, {_text(gradient_at[1])})")
        axes.plot([float(a)], [float(b)], "o", color="C3", ms=7, zorder=5)
        spacing = (u_limits[1] - u_limits[0]) / (ARROWS_PER_AXIS - 1)
        own_scale = math.hypot(ga, gb) / (1.8 * spacing) if (ga or gb) else 1.0
        arrow = axes.quiver([float(a)], [float(b)], [ga], [gb], angles="xy", scale_units="xy",
                            scale=own_scale, color="C3", width=0.008, zorder=6,
                            label=f"{label} (its direction; drawn longer)")
        arrow.set_gid("gradient at point")
        axes.legend(loc="upper right", fontsize=8)
    if request.fixed:
        title += f", holding {_point_text(request.fixed)}"
    axes.set_title(title, fontsize=10)
    _square_axes(axes, u, v, u_limits, v_limits)
    return figure


def _square_axes(axes, u: Symbol, v: Symbol, u_limits, v_limits) -> None:
    """The (u, v) plane at equal scales, so that gradients cross the contours at right angles."""
    axes.set_xlim(*u_limits)
    axes.set_ylim(*v_limits)
    axes.set_aspect("equal")
    axes.set_xlabel(_math(_latex(u), u.name))
    axes.set_ylabel(_math(_latex(v), v.name))


def _draw_contours(figure, axes, function: Expr, shown: Expr, u: Symbol, v: Symbol,
                   u_limits: tuple[float, float], v_limits: tuple[float, float]) -> None:
    """Filled contours of function(u, v) over the limits, with a colour bar (`shown` names it in errors)."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    f = numeric_function(function, [u, v])
    grid_u, grid_v = np.meshgrid(np.linspace(*u_limits, FIELD_SAMPLES),
                                 np.linspace(*v_limits, FIELD_SAMPLES))
    heights = f(grid_u, grid_v)
    finite = heights[np.isfinite(heights)]
    if finite.size == 0:
        raise UsageError(f"{_text(shown)} is not defined anywhere in the plotted "
                         "region; choose another range or point")
    z_low, z_high = _visible_limits(heights, [], margin=0)
    heights = np.ma.masked_invalid(np.clip(heights, z_low, z_high))
    levels = MaxNLocator(15).tick_values(z_low, z_high)
    filled = axes.contourf(grid_u, grid_v, heights, levels=levels, cmap="viridis", alpha=0.85)
    axes.contour(grid_u, grid_v, heights, levels=levels, colors="white", linewidths=0.5, alpha=0.7)
    label = _math(f"f({_latex(u)}, {_latex(v)})", f"f({u.name}, {v.name})")
    figure.colorbar(filled, ax=axes, label=label)


def _arrow_scale(du, dv, spacing: float) -> float:
    """One scale for all arrows: the 75th-percentile arrow is drawn 0.9 grid spacings long."""
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    norms = np.hypot(du, dv)
    norms = norms[np.isfinite(norms) & (norms > 0)]
    if norms.size == 0:
        return 1.0
    return float(np.percentile(norms, 75)) / (0.9 * spacing)


# --- gradient descent: the path on the contours, or the iterates on the curve ---------------------


DESCENT_MARGIN = 0.15
"""Space left around the descent path, as a fraction of its extent."""


def plot_descent(descent) -> Figure:
    """The path of a gradient-descent run (`calcgrad.descend(...)`) drawn over its function.

    Two variables: the contours of f over a square region holding the whole path, with the
    iterates w⁽⁰⁾, w⁽¹⁾, … joined in order, the start and the end marked. One variable: the
    curve f(x) with the iterates (w⁽ᵏ⁾, f(w⁽ᵏ⁾)) on it. The line's data are the trace's own
    numbers. Returns a matplotlib Figure.
    """
    require_matplotlib()

    if not isinstance(descent, Descent):
        raise UsageError(f"plot_descent draws the result of calcgrad.descend(...), "
                         f"not {type(descent).__name__}")
    count = len(descent.variables)
    if count not in (1, 2):
        names = ", ".join(v.name for v in descent.variables)
        raise UsageError(f"a descent path can be drawn for one or two variables, but this run has "
                         f"{count} ({names}); plot two of them with calcgrad plot --vars")
    points = [it.point for it in descent.trace]
    if not all(math.isfinite(c) for point in points for c in point):
        raise UsageError("the descent path left the floating-point range; nothing to draw")
    figure = _descent_path_2d(descent) if count == 2 else _descent_path_1d(descent)
    return figure


def _padded(values: Sequence[float]) -> tuple[float, float]:
    """(low, high) holding all the values, with DESCENT_MARGIN of room on each side."""
    low, high = min(values), max(values)
    span = high - low
    if span < 1e-9 * max(1.0, abs(low), abs(high)):  # one point, or a path that barely moved
        span = max(1.0, abs(high))
    extra = DESCENT_MARGIN * span
    return low - extra, high + extra


def _descent_labels(descent) -> tuple[str, str, str]:
    """Title, start label and end label."""
    start, end = descent.trace[0], descent.trace[-1]
    steps = len(descent.trace) - 1
    coordinates = lambda point: ", ".join(f"{c:.4g}" for c in point)  # noqa: E731
    function = _math(f"f = {_latex(descent.expression)}", f"f = {_text(descent.expression)}")
    title = f"Gradient descent on {function}, η = {descent.learning_rate:g}"
    if descent.momentum:
        title += f", μ = {descent.momentum:g}"
    start_label = f"start ({coordinates(start.point)}), f = {start.f:.4g}"
    end_label = (f"end after {steps} step{'s' if steps != 1 else ''} ({coordinates(end.point)}), "
                 f"f = {end.f:.4g}")
    return title, start_label, end_label


def _draw_path(axes, xs, ys, descent, style: str = "-o") -> None:
    """The iterates joined in order, the start and the end marked (gids for tests and SVG)."""
    _, start_label, end_label = _descent_labels(descent)
    (path,) = axes.plot(xs, ys, style, color="C3", lw=1.5, ms=3, zorder=5,
                        label=f"path ({len(xs)} points)")
    path.set_gid("descent path")
    (start,) = axes.plot([xs[0]], [ys[0]], "s", color="white", mec="black", ms=9, zorder=6,
                         label=start_label)
    start.set_gid("start")
    (end,) = axes.plot([xs[-1]], [ys[-1]], "*", color="gold", mec="black", ms=14, zorder=7,
                       label=end_label)
    end.set_gid("end")
    axes.legend(loc="best", fontsize=8)


def _descent_path_2d(descent):
    u, v = descent.variables
    us = [it.point[0] for it in descent.trace]
    vs = [it.point[1] for it in descent.trace]
    u_low, u_high = _padded(us)
    v_low, v_high = _padded(vs)
    half = max(u_high - u_low, v_high - v_low) / 2   # a square region: equal axes, true angles
    u_mid, v_mid = (u_low + u_high) / 2, (v_low + v_high) / 2
    u_limits, v_limits = (u_mid - half, u_mid + half), (v_mid - half, v_mid + half)

    figure, (axes,) = new_figure(FIELD_FIGURE_SIZE)
    _draw_contours(figure, axes, descent.expression, descent.expression, u, v, u_limits, v_limits)
    _draw_path(axes, us, vs, descent)
    axes.set_title(_descent_labels(descent)[0], fontsize=10)
    _square_axes(axes, u, v, u_limits, v_limits)
    return figure


def _descent_path_1d(descent):
    # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
    import numpy as np

    (x,) = descent.variables
    xs = [it.point[0] for it in descent.trace]
    fs = [it.f for it in descent.trace]
    low, high = _padded(xs)
    figure, (axes,) = new_figure(FIGURE_SIZE)
    grid = np.linspace(low, high, CURVE_SAMPLES)
    values = numeric_function(descent.expression, [x])(grid)
    limits = _visible_limits(values, fs)
    curve = _readable_curve(values, limits)
    (line,) = axes.plot(grid, curve, color="C0", lw=2,
                        label=_math(f"f({_latex(x)}) = {_latex(descent.expression)}",
                                    f"f({x.name}) = {_text(descent.expression)}"))
    line.set_gid("curve")
    _draw_path(axes, xs, fs, descent, style=":o")
    axes.set_title(_descent_labels(descent)[0], fontsize=10)
    axes.set_xlim(low, high)
    axes.set_ylim(*limits)
    axes.set_xlabel(_math(_latex(x), x.name))
    axes.set_ylabel(_math(f"f({_latex(x)})", f"f({x.name})"))
    axes.grid(alpha=0.3)
    return figure


# --- saving ----------------------------------------------------------------------------------------


def picture_format(path) -> str:
    """"png", "svg" or "pdf" from the file's suffix, else a UsageError (checked before slow work)."""
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        allowed = ", ".join(SAVE_FORMATS)
        raise UsageError(f"cannot tell the picture format from {path.name!r}; end the file name "
                         f"with one of {allowed}")
    return fmt


def save_figure(figure, path) -> Path:
    """Write the figure as PNG, SVG or PDF (by the file's suffix) at DPI; returns the path."""
    path = Path(path)
    fmt = picture_format(path)
    metadata: dict[str, Any] = {"Date": None} if fmt in ("svg", "pdf") else {}
    try:
        # lazy: start-up speed (matplotlib and NumPy load only to draw; matplotlib is optional)
        import matplotlib

        with matplotlib.rc_context({"svg.hashsalt": "calcgrad"}):
            figure.savefig(path, format=fmt, dpi=DPI, metadata=metadata)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    return path
