"""Renderers: each reads a Derivation and writes one format; none changes it."""

FORMATS = ("rich", "plain", "latex", "markdown", "json")
