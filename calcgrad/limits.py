"""Cost limits checked *before* anything big is built, so hostile input fails fast."""

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

MAX_STEPS = 20_000
"""Most steps one derivation may hold."""

MAX_PRODUCT_FACTORS = 64
"""Most non-constant factors the product rule is written out for."""

DERIVE_SECONDS = 10.0
"""Wall-clock budget for one derivation."""

MAX_SIMPLIFY_OPS = 400
"""Results larger than this (in SymPy operation count) skip the costlier tidy-ups."""

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
