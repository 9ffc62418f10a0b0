"""Tests for calcgrad/commands/."""
