"""Tests for calcgrad/grading/."""
