"""The deep-learning functions SymPy lacks, kept as named functions with known derivatives.

σ(x) = 1/(1 + e^(−x)), ReLU(x) = max(0, x), softplus(x) = ln(1 + eˣ). Keeping them named
(rather than rewriting to exp/Max) lets a derivation say "sigmoid rule: σ′ = σ(1 − σ)".
"""

from __future__ import annotations

import sympy
from mpmath.libmp import prec_to_dps


def _evalf_via(expr: sympy.Expr, prec: int):
    value = expr.evalf(prec_to_dps(prec))
    return value if value.is_number else None


class sigmoid(sympy.Function):
    """Logistic sigmoid σ(x) = 1/(1 + e^(−x)); σ′(x) = σ(x)(1 − σ(x))."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Half
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _eval_evalf(self, prec):
        return _evalf_via(self.rewrite(sympy.exp), prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


class relu(sympy.Function):
    """Rectified linear unit ReLU(x) = max(0, x); ReLU′(x) = step(x), taken as 0 at x = 0."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_nonnegative:
            return x
        if x.is_negative:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        return sympy.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_evalf(self, prec):
        return _evalf_via(sympy.Max(0, self.args[0]), prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


class softplus(sympy.Function):
    """Softplus ln(1 + eˣ), a smooth ReLU; softplus′(x) = σ(x)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_evalf(self, prec):
        return _evalf_via(self.rewrite(sympy.log), prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)


DEEP_LEARNING_FUNCTIONS = (sigmoid, relu, softplus)
