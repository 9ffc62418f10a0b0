"""An example autograder: run with `python -m pytest examples/autograder_test.py`.

Each test checks one student answer; a wrong one fails with calcgrad's feedback, e.g.
"incorrect [missing_chain_factor]: Step 1, chain rule on cos(3x): the inner derivative 3 is missing. …"
"""

import pytest

from calcgrad.testing import assert_derivative

STUDENT_ANSWERS = {
    "q1": "2x sin x + x^2 cos x",
    "q2": "-3 sin(3x)",
    "q3": "[2x y, x^2]",
}


def test_q1_product_rule():
    assert_derivative(STUDENT_ANSWERS["q1"], of="x^2 sin x", wrt="x")


def test_q2_chain_rule():
    assert_derivative(STUDENT_ANSWERS["q2"], of="cos(3x)")


def test_q3_gradient():
    assert_derivative(STUDENT_ANSWERS["q3"], of="x^2 y", grad=True)


def test_a_wrong_answer_fails_with_the_feedback():
    with pytest.raises(AssertionError, match="missing_chain_factor"):
        assert_derivative("-sin(3x)", of="cos(3x)")
