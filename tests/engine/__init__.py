"""Tests for calcgrad/engine/."""
