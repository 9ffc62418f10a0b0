"""Renderers: each reads a result and writes one format; none changes it.

The protocol every result type follows is in calcgrad/render/protocol.py (FORMATS lists the
formats); each result type names its own module here, and escape.py holds the one escaping
function per target.
"""
