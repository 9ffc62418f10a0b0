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
