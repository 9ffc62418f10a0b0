"""Tests for calcgrad/read/."""
