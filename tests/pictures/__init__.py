"""Tests for calcgrad/pictures/."""
