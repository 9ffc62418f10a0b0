"""Reading what a user types: expressions (the safe parser), names, variables, points, directions.

Nothing here evaluates user text with eval, sympify or parse_expr: text becomes SymPy objects
only through calcgrad.read.parser, which builds them from a whitelist.
"""
