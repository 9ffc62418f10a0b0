"""What students write around an answer: notation in front, + C behind, or no answer at all."""

from __future__ import annotations

import pytest

from calcgrad.grading.answers import is_no_answer, prepare

PREFIXES = [
    ("f'(x) = 2x - 5", "2x - 5", "f'(x) ="),
    ("y' = 2x", "2x", "y' ="),
    ("f''(x)=6x", "6x", "f''(x)="),
    ("dy/dx = 2x - 5", "2x - 5", "dy/dx ="),
    ("d/dx(x^2) = 2x", "2x", "d/dx(x^2) ="),
    ("d/dx ln(x^2+1) = 2x/(x^2+1)", "2x/(x^2+1)", "d/dx ln(x^2+1) ="),
    ("d^2y/dx^2 = 6x", "6x", "d^2y/dx^2 ="),
]


@pytest.mark.parametrize("text,body,prefix", PREFIXES, ids=[t for t, _, _ in PREFIXES])
def test_derivative_notation_in_front_is_removed_and_named(text: str, body: str, prefix: str) -> None:
    """The notation before the answer is removed, and the note says what was removed."""
    prepared = prepare(text)
    assert (body, prefix, False) == (prepared.text, prepared.removed_prefix, prepared.no_answer)
    assert (f"after removing '{prefix}'",) == prepared.notes


@pytest.mark.parametrize("text", ["x = 3", "2x", "-sinh x", "x"])
def test_other_text_is_left_alone(text: str) -> None:
    """An equation that is not derivative notation, and plain answers, are not changed."""
    assert (text, "", False) == (prepare(text).text, prepare(text).removed_prefix, prepare(text).constant)


@pytest.mark.parametrize("text", ["", "  ", "idk", "IDK", "?", "-", "dunno", "No idea.", "n/a",
                                  "I don't know", "dy/dx = ?"])
def test_placeholders_are_no_answer(text: str) -> None:
    """Blank and placeholder answers are no answer."""
    assert prepare(text).no_answer


@pytest.mark.parametrize("text", ["0", "x", "-x", "c", "1/x"])
def test_real_answers_are_answers(text: str) -> None:
    """Short answers that are expressions are not mistaken for placeholders."""
    assert not is_no_answer(text)


def test_constant_of_integration_is_removed() -> None:
    """A trailing + C is removed and flagged, unless C is a variable of the problem."""
    assert ("2x", True) == (prepare("2x + C").text, prepare("2x + C").constant)
    assert ("2x + C", False) == (prepare("2x + C", constant_is_variable=True).text,
                                 prepare("2x + C", constant_is_variable=True).constant)
