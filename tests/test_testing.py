"""Tests for calcgrad.testing.assert_derivative."""

from __future__ import annotations

import pytest

from calcgrad.testing import assert_derivative


def test_right_answer_passes() -> None:
    """A right answer in any form passes silently."""
    assert_derivative("2 sin x cos x", of="sin^2 x")


def test_wrong_answer_fails_with_feedback() -> None:
    """A wrong answer fails with the verdict, the codes and the feedback sentences."""
    with pytest.raises(AssertionError) as failure:
        assert_derivative("-sin(3x)", of="cos(3x)")
    assert str(failure.value).startswith("incorrect [missing_chain_factor]: Step 1, chain rule on cos(3x)")


def test_undetermined_fails() -> None:
    """What cannot be verified does not pass."""
    with pytest.raises(AssertionError, match="^undetermined"):
        assert_derivative("1/(2 sqrt(x - 10^7)) + sin^2 x + cos^2 x - 1", of="sqrt(x - 10^7)")
