from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.translit.metrics import cer, edit_distance


def reference_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize(
    ("a", "b", "d"), [("", "", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("है", "हैं", 1), ("he", "hai", 2)]
)
def test_edit_distance_table(a: str, b: str, d: int) -> None:
    assert edit_distance(a, b) == d == edit_distance(b, a)


@given(st.text(alphabet="abcदे", max_size=70), st.text(alphabet="abcदे", max_size=70))
def test_edit_distance_matches_the_textbook_algorithm(a: str, b: str) -> None:
    assert edit_distance(a, b) == reference_distance(a, b)


def test_cer_uses_the_closest_reference() -> None:
    assert cer("men", ["mein", "men"]) == 0.0
    assert cer("mai", ["main"]) == 0.25
    with pytest.raises(ValueError):
        cer("x", [])
