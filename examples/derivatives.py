"""Derivatives step by step from Python: the calcgrad API in a few lines.

Run: python examples/derivatives.py
"""

import calcgrad

# A partial derivative, printed as plain text (the same as `calcgrad diff ... --format plain`).
partial = calcgrad.diff("x^2 + 3xy + y^2", "x")
print(partial)

# The result is a SymPy expression; the steps are an immutable tree you can walk.
print("result:", partial.result)
for stage in partial.stages:
    for step in stage.walk():
        print(f"  {step.title:<24} {step.expression}  →  {step.result}")

# The chain rule through a sigmoid neuron, evaluated at a point, exactly.
neuron = calcgrad.diff("sigmoid(w x + b)", "w", at="w=0, x=2, b=0")
print("∂σ(wx + b)/∂w at w=0, x=2, b=0:", neuron.value)

# A second derivative, as LaTeX for lecture notes.
print(calcgrad.diff("x^3 ln x", order=2).latex())
