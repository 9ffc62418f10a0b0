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

MAX_WRITTEN_UPDATES = 6
"""The optimiser update is written out (formula, numbers, value) for this many parameters,
evenly spread, first and last included."""
