"""Tests for calcgrad/networks/."""
