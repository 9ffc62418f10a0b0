"""Tests for calcgrad/calculus/."""
