"""Tests for calcgrad.pictures.plotting and `calcgrad plot`: the numbers drawn, the files written, the errors.

Slopes and arrows are read from the figure's own data (line and quiver arrays), not from pixels,
and compared with SymPy's `diff`, evaluated independently with `evalf`.
"""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import mpmath
import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from calcgrad import UsageError, plot_gradient_field, plot_tangent, save_secant_animation
from calcgrad.cli import main
from calcgrad.engine.pointwise import real_roots
from calcgrad.pictures.plotting import (
    ANIMATION_DPI,
    DPI,
    FIELD_FIGURE_SIZE,
    FIGURE_SIZE,
    SECANT_STEPS,
    MissingDependencyError,
    numeric_function,
    save_figure,
)
from tests.strategies import one_variable_expressions, plot_points

x, y = sympy.symbols("x y", real=True)


def run(*args: str):
    """Invoke `calcgrad plot` with the given arguments."""
    return CliRunner().invoke(main, ["plot", *args])


def lines(figure) -> dict:
    """The figure's lines that carry a gid ("function", "tangent", "secant h=1", …), by gid."""
    return {line.get_gid(): line for axes in figure.axes for line in axes.get_lines()
            if line.get_gid()}


def arrows(figure) -> dict:
    """The figure's quiver plots by gid ("gradient field", "gradient at point")."""
    return {c.get_gid(): c for axes in figure.axes for c in axes.collections if c.get_gid()}


def slope(line) -> float:
    """The slope of a straight line from its data."""
    xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


def exact_value(expr, point: dict) -> float | None:
    """expr at point by SymPy's own high-precision evaluation (odd roots real, as calcgrad takes
    them), None when not real and finite."""
    value = real_roots(expr).subs({s: sympy.Float(v, 30) if not isinstance(v, sympy.Basic) else v
                       for s, v in point.items()}).evalf(30)
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    real, imaginary = value.as_real_imag()
    if abs(imaginary) > 1e-20 * max(1, abs(real)) or not real.is_finite:
        return None
    return float(real)


def assert_png(path, size: tuple[int, int]) -> None:
    """The file is a PNG of that pixel size with more than one colour in it."""
    with Image.open(path) as image:
        assert "PNG" == image.format
        assert size == image.size
        low, high = image.convert("L").getextrema()
        assert low < high, "the picture is blank"
        assert len(image.convert("RGB").getcolors(maxcolors=1_000_000)) > 20


def pixels(inches: tuple[float, float], dpi: int = DPI) -> tuple[int, int]:
    return round(inches[0] * dpi), round(inches[1] * dpi)


# --- the tangent: its slope and its point --------------------------------------------------------


@pytest.mark.parametrize("expression, at, wrt, a, expected_slope, expected_value", [
    pytest.param("x^2", 3, None, 3, 6, 9, id="square"),
    pytest.param("sin x", "pi/4", None, math.pi / 4, math.sqrt(2) / 2, math.sqrt(2) / 2, id="sine"),
    pytest.param("e^x", "0", None, 0, 1, 1, id="exp"),
    pytest.param("ln x", "x=2", None, 2, 0.5, math.log(2), id="log"),
    pytest.param("sigmoid(x)", 0, None, 0, 0.25, 0.5, id="sigmoid"),
    pytest.param("x^3 - 2x", 1, None, 1, 1, -1, id="cubic"),
    pytest.param("x^2 y", "x=1, y=2", "x", 1, 4, 2, id="partial-slice"),
    pytest.param("erf(x)", 0.5, None, 0.5, 2 / math.sqrt(math.pi) * math.exp(-0.25), math.erf(0.5),
                 id="erf-without-numpy"),
])
def test_tangent_slope_and_point(expression, at, wrt, a, expected_slope, expected_value) -> None:
    """The tangent drawn has the derivative's slope and goes through (a, f(a))."""
    tangent = lines(plot_tangent(expression, at, wrt))["tangent"]
    assert expected_slope == pytest.approx(slope(tangent), rel=1e-9, abs=1e-12)
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert expected_value == pytest.approx(ys[0] + slope(tangent) * (a - xs[0]), rel=1e-9, abs=1e-12)


def test_slope_is_written_in_the_labels() -> None:
    """The legend and the annotation show the exact slope as math text."""
    figure = plot_tangent("x^2", 3)
    axes = figure.axes[0]
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert any("$f'(3) = 6$" in label for label in labels), labels
    assert any("$f'(3) = 6$" in text.get_text() for text in axes.texts)
    assert "$x$" == axes.get_xlabel()


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_variable_expressions, plot_points)
def test_tangent_slope_matches_sympy(expression, a) -> None:
    """For expressions of every rule family, the tangent drawn has SymPy's slope, or the plot refuses."""
    expected = exact_value(sympy.diff(expression, x), {x: a})
    value = exact_value(expression, {x: a})
    try:
        figure = plot_tangent(expression, a, x)
    except UsageError:
        assert expected is None or value is None
        return
    assert value is not None and expected is not None
    assert expected == pytest.approx(slope(lines(figure)["tangent"]), rel=1e-9, abs=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_variable_expressions)
def test_curve_values_match_sympy(expression) -> None:
    """The function's curve holds f's values wherever it is drawn (NumPy agrees with SymPy)."""
    figure = plot_tangent(expression)
    curve = lines(figure)["function"]
    xs, ys = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    for index in range(37, len(xs), 97):
        if not np.isfinite(ys[index]):
            continue
        expected = exact_value(expression, {x: float(xs[index])})
        assert expected is not None
        assert expected == pytest.approx(ys[index], rel=1e-6, abs=1e-9)


# --- secants -------------------------------------------------------------------------------------


@pytest.mark.parametrize("expression, a", [
    pytest.param(x**2, 3, id="square"),
    pytest.param(x**3, 1, id="cube"),
    pytest.param(sympy.sin(x), 1, id="sine"),
    pytest.param(sympy.exp(x), 0, id="exp"),
])
def test_secant_slopes_are_right_and_converge(expression, a) -> None:
    """Each secant has slope (f(a+h) − f(a))/h and they approach the tangent's as h shrinks."""
    drawn = lines(plot_tangent(expression, a, secants=True))
    tangent = slope(drawn["tangent"])
    errors = []
    for h in SECANT_STEPS:
        expected = (exact_value(expression, {x: a + h}) - exact_value(expression, {x: a})) / float(h)
        secant = slope(drawn[f"secant h={float(h):g}"])
        assert expected == pytest.approx(secant, rel=1e-9)
        errors.append(abs(secant - tangent))
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < errors[0] / 4


def test_secants_leave_out_points_outside_the_domain() -> None:
    """A secant whose far end is outside the domain (√(1−x) at 0.5 + 2) is not drawn."""
    drawn = lines(plot_tangent("sqrt(1-x)", "1/2", secants=True))
    assert "secant h=2" not in drawn and "secant h=1" not in drawn
    assert "secant h=0.25" in drawn


def test_secants_given_as_steps() -> None:
    """Custom steps h may be given, including negative ones (secants to the left)."""
    drawn = lines(plot_tangent("x^2", 3, secants=[-1, "1/10"]))
    assert 5 == pytest.approx(slope(drawn["secant h=-1"]))
    assert 6.1 == pytest.approx(slope(drawn["secant h=0.1"]))


# --- derivative, ranges, poles -----------------------------------------------------------------------


def test_derivative_is_plotted_below() -> None:
    """--derivative adds axes with f′, whose curve holds f′'s values and marks f′(a)."""
    figure = plot_tangent("x^3", 1, derivative=True)
    assert 2 == len(figure.axes)
    curve = lines(figure)["derivative"]
    xs, ys = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    finite = np.isfinite(ys)
    np.testing.assert_allclose(ys[finite], 3 * xs[finite] ** 2, rtol=1e-12)
    assert "$f'(x) = 3 x^{2}$" in [t.get_text() for t in figure.axes[1].get_legend().get_texts()]


def test_pole_is_clipped_and_undefined_points_skipped() -> None:
    """1/x near 0 is cut out, and the y range stays readable instead of reaching ±400."""
    figure = plot_tangent("1/x", 1)
    ys = np.asarray(lines(figure)["function"].get_ydata(), float)
    assert np.isnan(ys).any()
    low, high = figure.axes[0].get_ylim()
    assert -20 < low < -1 and 1 < high < 20
    ys_log = np.asarray(lines(plot_tangent("ln x", 2))["function"].get_ydata(), float)
    xs_log = np.asarray(lines(plot_tangent("ln x", 2))["function"].get_xdata(), float)
    assert np.isnan(ys_log[xs_log <= 0]).all()


def test_range_is_used_and_must_contain_the_point() -> None:
    """x_range sets the x axis; a range that misses the point is refused."""
    figure = plot_tangent("x^2", 1, x_range="-1,2")
    assert (-1, 2) == pytest.approx(figure.axes[0].get_xlim())
    with pytest.raises(UsageError, match="does not contain"):
        plot_tangent("x^2", 3, x_range=(-1, 2))


def test_piecewise_label_falls_back_to_text() -> None:
    """A label mathtext cannot draw (a cases block) is shown as Unicode text instead of failing."""
    figure = plot_tangent("Piecewise((x, x > 0), (0, True))", 1)
    figure.canvas.draw()
    assert "function" in lines(figure)


def test_numeric_function_is_nan_off_the_domain() -> None:
    """Values that are complex, infinite or undefined come back as NaN, the rest as floats."""
    values = numeric_function(sympy.sqrt(x) + 1 / (x - 1), [x])(np.array([-1.0, 0.0, 1.0, 4.0]))
    assert np.isnan(values[0]) and np.isnan(values[2])
    assert [-1.0, 2 + 1 / 3] == pytest.approx([values[1], values[3]])


def test_point_note_is_shown() -> None:
    """The engine's note about a kink (ReLU at 0) is written under the picture."""
    figure = plot_tangent("relu(x)", 0)
    assert any("ReLU" in text.get_text() for text in figure.texts)


# --- two variables: contours and gradient arrows -------------------------------------------------


@pytest.mark.parametrize("expression, gradient", [
    pytest.param("x^2 + 3y^2", (2 * x, 6 * y), id="bowl"),
    pytest.param("sin(x) cos(y)", (sympy.cos(x) * sympy.cos(y), -sympy.sin(x) * sympy.sin(y)), id="waves"),
    pytest.param("x y + y^2", (y, x + 2 * y), id="saddle"),
])
def test_gradient_arrows_equal_the_gradient(expression, gradient) -> None:
    """Every arrow of the field holds ∇f at its own point."""
    field = arrows(plot_gradient_field(expression, "x,y", "x=1, y=1"))["gradient field"]
    fx = sympy.lambdify((x, y), gradient[0])
    fy = sympy.lambdify((x, y), gradient[1])
    for px, py, u, v in zip(field.X, field.Y, field.U, field.V):
        assert fx(px, py) == pytest.approx(u, abs=1e-9)
        assert fy(px, py) == pytest.approx(v, abs=1e-9)
    assert 100 < len(field.U)


def test_gradient_at_the_point_is_marked_and_labelled() -> None:
    """With a point, its gradient is drawn there and shown exactly in the legend."""
    figure = plot_gradient_field("x^2 + 3y^2", ("x", "y"), {"x": 1, "y": 1})
    arrow = arrows(figure)["gradient at point"]
    assert [1, 1] == pytest.approx([arrow.X[0], arrow.Y[0]])
    assert [2, 6] == pytest.approx([arrow.U[0], arrow.V[0]])
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any(r"\nabla f(1, 1) = \left(2, 6\right)" in label for label in legend), legend


def test_gradient_field_holds_other_variables() -> None:
    """A third variable is held at its value from the point; the arrows use it."""
    field = arrows(plot_gradient_field("x y z", "x,y", "z=2"))["gradient field"]
    np.testing.assert_allclose(field.U, 2 * np.asarray(field.Y), atol=1e-12)


def test_gradient_field_uses_equal_axes_around_the_point() -> None:
    """The field is centred on the point with equal scales, so arrows cross contours at right angles."""
    axes = plot_gradient_field("x^2 + y^2", "x,y", "x=1, y=-1").axes[0]
    assert (-2, 4) == pytest.approx(axes.get_xlim())
    assert (-4, 2) == pytest.approx(axes.get_ylim())
    assert 1 == axes.get_aspect()


# --- files from the command line -----------------------------------------------------------------


def test_png_tangent_with_secants(tmp_path) -> None:
    """`calcgrad plot … --secants --out t.png` writes an 800×500 PNG and says where."""
    out = tmp_path / "t.png"
    result = run("x^2", "--at", "3", "--secants", "--out", str(out))
    assert 0 == result.exit_code, result.output
    assert str(out) in result.stdout
    assert_png(out, pixels(FIGURE_SIZE))


def test_svg_with_derivative(tmp_path) -> None:
    """An .svg name gives an SVG document of the figure's size that parses as XML."""
    out = tmp_path / "sine.svg"
    result = run("sin x", "--at", "pi/4", "--derivative", "--out", str(out))
    assert 0 == result.exit_code, result.output
    root = ElementTree.parse(out).getroot()
    assert "{http://www.w3.org/2000/svg}svg" == root.tag
    assert f"{FIGURE_SIZE[0] * 72:g}pt" == root.get("width")
    assert f"{FIGURE_SIZE[1] * 72:g}pt" == root.get("height")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 20


def test_gradient_field_png(tmp_path) -> None:
    """`--wrt x,y` writes the contour plot as a 700×600 PNG."""
    out = tmp_path / "field.png"
    result = run("x^2 + 3y^2", "--wrt", "x,y", "--at", "x=1, y=1", "--out", str(out))
    assert 0 == result.exit_code, result.output
    assert_png(out, pixels(FIELD_FIGURE_SIZE))


@pytest.mark.slow
def test_animation_gif(tmp_path) -> None:
    """`--animate a.gif` writes a GIF with several frames, and no still picture unless asked."""
    out = tmp_path / "a.gif"
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = CliRunner().invoke(main, ["plot", "x^3 - 2x", "--at", "1", "--animate", str(out)])
        assert 0 == result.exit_code, result.output
        assert not list(tmp_path.glob("**/calcgrad-plot.png"))
    with Image.open(out) as image:
        assert "GIF" == image.format
        assert pixels(FIGURE_SIZE, ANIMATION_DPI) == image.size
        assert image.n_frames > 5
        first = np.asarray(image.convert("L"))
        image.seek(image.n_frames - 1)
        assert (first != np.asarray(image.convert("L"))).any(), "the frames do not change"


def test_default_output_file(tmp_path) -> None:
    """Without --out the picture goes to calcgrad-plot.png in the current folder, and says so."""
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as folder:
        result = runner.invoke(main, ["plot", "sigmoid(x)"])
        assert 0 == result.exit_code, result.output
        assert "calcgrad-plot.png" in result.stdout and "--out" in result.stdout
        assert_png(f"{folder}/calcgrad-plot.png", pixels(FIGURE_SIZE))


def test_save_figure_rejects_unknown_suffix(tmp_path) -> None:
    """A file name without a picture suffix is refused with the suffixes it accepts."""
    with pytest.raises(UsageError, match=".png"):
        save_figure(plot_tangent("x^2", 1), tmp_path / "picture.jpg")


@pytest.mark.parametrize("args, expected", [
    pytest.param(["x^2", "--at", "foo"], "must be a number", id="bad-at"),
    pytest.param(["x^2", "--at", "x="], "no value", id="empty-at"),
    pytest.param(["x^2", "--at", "y=1"], "not a variable", id="point-unknown-variable"),
    pytest.param(["x^2", "--wrt", "z", "--at", "1"], "z is not a variable", id="wrt-unknown"),
    pytest.param(["ln x", "--at", "-1"], "not defined", id="outside-domain"),
    pytest.param(["sqrt x", "--at", "0"], "no tangent", id="derivative-undefined"),
    pytest.param(["x y", "--at", "1"], "--wrt", id="two-variables-without-wrt"),
    pytest.param(["x^2 y", "--wrt", "x", "--at", "1"], "several variables (x, y)", id="slice-needs-value"),
    pytest.param(["x^2", "--secants"], "--at", id="secants-need-point"),
    pytest.param(["x^2", "--at", "3", "--range", "-1,1"], "does not contain", id="range-misses-point"),
    pytest.param(["x^2", "--at", "1", "--range", "2,1"], "smaller to a larger", id="range-backwards"),
    pytest.param(["x^2", "--at", "1", "--out", "pic.jpeg"], ".svg", id="unknown-suffix"),
    pytest.param(["x^2", "--at", "1", "--animate", "a.png"], ".gif", id="animation-not-gif"),
    pytest.param(["x^2 + y^2", "--wrt", "x,y,z"], "or two (a gradient field), not 3", id="three-vars"),
    pytest.param(["x^2 + y^2", "--wrt", "x,y", "--secants"], "--secants", id="secants-with-vars"),
    pytest.param(["x^2 + y^2", "--wrt", "x,y", "--at", "1"], "name=value", id="field-bare-at"),
    pytest.param(["sine(x)", "--at", "1"], "sin", id="unreadable"),
    pytest.param(["x^2", "--at", "1e400"], "too large", id="point-beyond-floats"),
    pytest.param(["10^10^3 x", "--at", "1"], "too large", id="value-beyond-floats"),
    pytest.param(["e^(e^x)", "--at", "10"], "too large", id="slope-beyond-floats"),
    pytest.param(["tan x", "--at", "pi/2"], "not defined", id="pole"),
    pytest.param(["x^2", "--at", "1", "--out", "/nonexistent-dir/p.png"], "cannot write", id="unwritable"),
])
def test_errors_exit_2_without_traceback(args: list[str], expected: str) -> None:
    """Bad input is a short message on stderr and exit status 2, never a traceback."""
    result = run(*args)
    assert 2 == result.exit_code, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert "" == result.stdout


# --- matplotlib stays optional -------------------------------------------------------------------


def test_missing_matplotlib_says_how_to_install(monkeypatch) -> None:
    """Without matplotlib the command exits 1 and names the pip command; the API raises."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("x^2", "--at", "3")
    assert 1 == result.exit_code, result.output
    assert 'pip install "calcgrad[plot]"' in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(MissingDependencyError, match="calcgrad\\[plot\\]"):
        plot_tangent("x^2", 3)


def test_rest_of_calcgrad_never_imports_matplotlib() -> None:
    """Importing calcgrad, `calcgrad diff`, `--help` and `plot --help` leave matplotlib unloaded;
    a plot never loads pyplot (no window)."""
    script = """
import sys
import calcgrad
from click.testing import CliRunner
from calcgrad.cli import main
for args in (["diff", "x^2 + 3xy + y^2", "--wrt", "x"], ["--help"], ["plot", "--help"]):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
calcgrad.diff("x^2", "x", at="x=3")
assert "matplotlib" not in sys.modules, "matplotlib was imported"
calcgrad.plot_tangent("x^2", 3)
assert "matplotlib" in sys.modules and "matplotlib.pyplot" not in sys.modules
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120)
    assert 0 == completed.returncode, completed.stderr


def test_figure_shows_itself_in_jupyter() -> None:
    """A returned figure has a PNG representation, so a notebook shows it inline without pyplot."""
    import io

    png = plot_tangent("x^2", 3)._repr_png_()
    with Image.open(io.BytesIO(png)) as image:
        assert ("PNG", pixels(FIGURE_SIZE)) == (image.format, image.size)


def test_secant_animation_api(tmp_path) -> None:
    """The Python API writes the GIF, one frame per step h, and returns its path."""
    path = save_secant_animation("x^2", 1, tmp_path / "s.gif", steps=[1, "1/2", "1/4"])
    assert (tmp_path / "s.gif") == path
    with Image.open(path) as image:
        assert 3 == image.n_frames


def test_gallery_script_writes_its_pictures(tmp_path) -> None:
    """examples/gallery.py writes the terminal SVG and the three plots into the folder it is given."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "examples" / "gallery.py"
    spec = importlib.util.spec_from_file_location("gallery", script)
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    gallery.main(["--out", str(tmp_path)])
    assert {"diff.svg", "tangent-secants.png", "gradient-field.png", "descent-path.png"} == {
        p.name for p in tmp_path.iterdir()}
    terminal = ElementTree.parse(tmp_path / "diff.svg").getroot()
    assert "2x + 3y" in "".join(terminal.itertext()).replace("\xa0", " ")
    assert_png(tmp_path / "tangent-secants.png", pixels(FIGURE_SIZE))
    assert_png(tmp_path / "gradient-field.png", pixels(FIELD_FIGURE_SIZE))
    assert_png(tmp_path / "descent-path.png", pixels(FIELD_FIGURE_SIZE))


# --- the descent path (calcgrad descend --plot, calcgrad.plot_descent) ----------------------------


@pytest.mark.parametrize("expression, start, lr, momentum", [
    pytest.param("x^2 + 3y^2", "x=1, y=2", 0.1, 0.0, id="bowl"),
    pytest.param("(x-1)^2 + 10(y+2)^2", "x=0, y=0", 0.02, 0.9, id="momentum"),
    pytest.param("x^2 + 3y^2", "x=1, y=1", 0.34, 0.0, id="diverging"),
])
def test_descent_path_equals_the_trace(expression, start, lr, momentum) -> None:
    """The drawn path's data are the trace's points, exactly, in order; start and end marked;
    the plotted region holds every point."""
    from calcgrad import descend, plot_descent

    descent = descend(expression, start, lr, iterations=30, momentum=momentum)
    figure = plot_descent(descent)
    drawn = lines(figure)
    path = drawn["descent path"]
    assert [it.point[0] for it in descent.trace] == list(path.get_xdata())
    assert [it.point[1] for it in descent.trace] == list(path.get_ydata())
    assert [descent.trace[0].point] == list(zip(drawn["start"].get_xdata(), drawn["start"].get_ydata()))
    assert [descent.trace[-1].point] == list(zip(drawn["end"].get_xdata(), drawn["end"].get_ydata()))
    (axes,) = [a for a in figure.axes if a.get_lines()]
    (x_low, x_high), (y_low, y_high) = axes.get_xlim(), axes.get_ylim()
    assert all(x_low < px < x_high and y_low < py < y_high for px, py in
               (it.point for it in descent.trace))
    assert math.isclose(x_high - x_low, y_high - y_low)  # square: the path crosses contours at true angles
    assert axes.collections, "no contours drawn"


def test_descent_path_of_one_variable_lies_on_the_curve() -> None:
    """For one variable the iterates are drawn at (w⁽ᵏ⁾, f(w⁽ᵏ⁾)), on the curve f."""
    from calcgrad import descend, plot_descent

    descent = descend("x^4 - 3x", "x=2", 0.05)
    drawn = lines(plot_descent(descent))
    path = drawn["descent path"]
    assert [it.point[0] for it in descent.trace] == list(path.get_xdata())
    assert [it.f for it in descent.trace] == list(path.get_ydata())
    for px, py in zip(path.get_xdata(), path.get_ydata()):
        assert math.isclose(py, px ** 4 - 3 * px, rel_tol=1e-12, abs_tol=1e-12)
    curve = drawn["curve"]
    assert min(curve.get_xdata()) < min(path.get_xdata())
    assert max(curve.get_xdata()) > max(path.get_xdata())


def test_descent_plot_needs_one_or_two_variables() -> None:
    from calcgrad import descend, plot_descent

    with pytest.raises(UsageError, match="one or two variables"):
        plot_descent(descend("x^2 + y^2 + z^2", "x=1, y=1, z=1", 0.1, iterations=3))
    with pytest.raises(UsageError, match="calcgrad.descend"):
        plot_descent("x^2")


def test_descend_plot_writes_png_and_keeps_stdout_the_trace(tmp_path) -> None:
    """--plot writes a non-blank PNG of the expected size; stdout stays valid JSON / CSV."""
    import json

    out = tmp_path / "path.png"
    result = CliRunner().invoke(main, ["descend", "x^2 + 3y^2", "--start", "x=1,y=2", "--lr", "0.1",
                                       "--plot", str(out), "--format", "json"])
    assert 0 == result.exit_code, result.output
    assert 51 == len(json.loads(result.stdout)["trace"])
    assert f"wrote {out}" in result.stderr
    assert_png(out, pixels(FIELD_FIGURE_SIZE))

    curve = tmp_path / "curve.svg"
    result = CliRunner().invoke(main, ["descend", "x^4 - 3x", "--start", "x=2", "--lr", "0.05",
                                       "--plot", str(curve), "--format", "csv"])
    assert 0 == result.exit_code, result.output
    assert result.stdout.startswith("k,")
    root = ElementTree.parse(curve).getroot()
    assert root.tag.endswith("svg")
    assert root.find(".//{http://www.w3.org/2000/svg}g[@id='descent path']") is not None


def test_descend_plot_bad_file_fails_before_running(tmp_path) -> None:
    result = CliRunner().invoke(main, ["descend", "x^2", "--start", "x=1", "--lr", "0.1",
                                       "--plot", str(tmp_path / "p.txt")])
    assert 2 == result.exit_code
    assert "picture format" in result.stderr
    assert "" == result.stdout


def test_descend_without_matplotlib(monkeypatch) -> None:
    """--plot without matplotlib: the same message and exit 1 as calcgrad plot; without --plot
    descend works and never imports matplotlib."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    args = ["descend", "x^2", "--start", "x=1", "--lr", "0.1"]
    result = CliRunner().invoke(main, [*args, "--plot", "p.png"])
    assert 1 == result.exit_code, result.output
    assert 'pip install "calcgrad[plot]"' in result.stderr
    assert "Traceback" not in result.output
    assert 0 == CliRunner().invoke(main, args).exit_code


# --- odd roots of negative numbers are real, as in calcgrad diff -----------------------------------


def test_cube_root_has_a_tangent_at_a_negative_point(tmp_path) -> None:
    """∛x at −1: value −1, slope 1/3 (as calcgrad diff gives); the CLI draws it."""
    tangent = lines(plot_tangent("cbrt(x)", -1))["tangent"]
    assert pytest.approx(1 / 3, rel=1e-12) == slope(tangent)
    xs, ys = tangent.get_xdata(), tangent.get_ydata()
    assert pytest.approx(-1.0, rel=1e-12) == ys[0] + slope(tangent) * (-1 - xs[0])
    out = tmp_path / "root.png"
    result = run("cbrt(x)", "--at", "-1", "--out", str(out))
    assert 0 == result.exit_code, result.output
    assert out.exists()


def test_cube_root_curve_and_secants_reach_negative_x() -> None:
    """∛x at 1 is drawn for x < 0 too, as −∛|x|; the secant from 1 to −1 has slope 1."""
    drawn = lines(plot_tangent("cbrt(x)", 1, secants=[-2, 1], derivative=True))
    xs = np.asarray(drawn["function"].get_xdata(), float)
    ys = np.asarray(drawn["function"].get_ydata(), float)
    negative = xs < -0.1
    assert negative.sum() > 100
    np.testing.assert_allclose(ys[negative], -np.cbrt(-xs[negative]), rtol=1e-12)
    assert pytest.approx(1.0) == slope(drawn["secant h=-2"])
    derivative_xs = np.asarray(drawn["derivative"].get_xdata(), float)
    derivative_ys = np.asarray(drawn["derivative"].get_ydata(), float)
    assert np.isfinite(derivative_ys[derivative_xs < -0.5]).all()


def test_even_roots_of_negative_numbers_stay_undefined() -> None:
    """x^(3/2) and x^(1/4) have no real value for x < 0: NaN there, and no tangent at −1."""
    points = np.array([-2.0, -1.0, 4.0])
    for expression, at_four in ((x ** sympy.Rational(3, 2), 8.0), (x ** sympy.Rational(1, 4), 2 ** 0.5)):
        values = numeric_function(expression, [x])(points)
        assert np.isnan(values[:2]).all()
        assert pytest.approx(at_four) == values[2]
    with pytest.raises(UsageError, match="not defined"):
        plot_tangent("x^(3/2)", -1)


@settings(max_examples=40, deadline=None)
@given(p=st.integers(-7, 7).filter(bool), q=st.sampled_from([3, 5, 7]), a=st.floats(-50, -0.01))
def test_numeric_function_odd_root_is_mpmath_real_root(p: int, q: int, a: float) -> None:
    """x^(p/q), q odd, at x < 0 (NumPy path) equals mpmath's real q-th root to the power p."""
    expected = mpmath.re(mpmath.root(a, q, (q - 1) // 2)) ** p
    actual = numeric_function(x ** sympy.Rational(p, q), [x])(np.array([a]))[0]
    assert pytest.approx(float(expected), rel=1e-12) == actual


def test_no_tangent_at_a_corner_says_it_is_a_corner() -> None:
    """|x| at 0: sign(0) = 0 is defined; what is missing is a derivative, because of the corner."""
    from calcgrad import plot_tangent
    from calcgrad.errors import UsageError

    with pytest.raises(UsageError, match="corner at x = 0.*slope from the left is −1"):
        plot_tangent("|x|", at="x=0")
