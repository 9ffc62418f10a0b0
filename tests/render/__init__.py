"""Tests for calcgrad/render/."""
