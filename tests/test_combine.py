"""The k-best merge of per-word candidates (``transliterate._combine``): the same list as a full enumeration,
in time linear in the number of words (a one-line paragraph of thousands of words is ordinary input)."""

from __future__ import annotations

import itertools
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lipyantar.translit.transliterate  # noqa: F401  (the module, not the function of that name)

combine = sys.modules["lipyantar.translit.transliterate"]._combine


def brute_force(pieces: list[str], slots: list[list[tuple[str, float]]], k: int) -> list[tuple[str, float]]:
    """Every combination, by score (summed in slot order), then by the vector of ranks; distinct texts."""
    slots = [sorted(s, key=lambda c: -c[1]) if s else [("", 0.0)] for s in slots]
    rows = []
    for index in itertools.product(*(range(len(s)) for s in slots)):
        parts, score = [pieces[0]], 0.0
        for j, i in enumerate(index):
            parts += [slots[j][i][0], pieces[j + 1]]
            score += slots[j][i][1]
        rows.append((-score, index, "".join(parts)))
    out, seen = [], set()
    for neg, _, text in sorted(rows):
        if text not in seen:
            seen.add(text)
            out.append((text, -neg))
    return out[:k]


# scores from a small set, so that ties (a word repeated in a line) are common; texts from a small set,
# so that different choices can give the same text
candidate = st.tuples(st.sampled_from(["", "a", "b", "ab", "क", "कल"]), st.sampled_from([-0.5, -1.0, -1.5, -2.25, -3.0]))


@settings(max_examples=300, deadline=None)
@given(
    slots=st.lists(st.lists(candidate, min_size=0, max_size=4), min_size=0, max_size=5),
    k=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_same_as_full_enumeration(slots: list[list[tuple[str, float]]], k: int, data: st.DataObject) -> None:
    pieces = data.draw(st.lists(st.sampled_from(["", " ", "b", ", "]), min_size=len(slots) + 1, max_size=len(slots) + 1))
    assert combine(pieces, slots, k) == brute_force(pieces, slots, k)


@pytest.mark.parametrize(
    ("slots", "k", "expected"),
    [
        ([], 3, [("x", 0.0)]),
        ([[("a", -1.0), ("b", -2.0)]], 5, [("xay", -1.0), ("xby", -2.0)]),
        # equal costs: the change in the later word first (as the full enumeration orders them)
        ([[("a", -1.0), ("b", -2.0)], [("a", -1.0), ("b", -2.0)]], 3, [("xaya", -2.0), ("xayb", -3.0), ("xbya", -3.0)]),
    ],
)
def test_table(slots: list[list[tuple[str, float]]], k: int, expected: list[tuple[str, float]]) -> None:
    pieces = ["x", *(["y", ""] if len(slots) == 2 else ["y"] if slots else [])]
    assert combine(pieces, slots, k) == expected


def _pushes(monkeypatch: pytest.MonkeyPatch, n: int, *, tied: bool) -> tuple[int, list[tuple[str, float]]]:
    import heapq

    step = 0.0 if tied else 1e-3
    slots = [[(f"w{j}", -1.0), (f"v{j}", -2.0 - j * step), (f"u{j}", -9.0)] for j in range(n)]
    count = 0
    push = heapq.heappush

    def counting_push(heap: list, item: object) -> None:
        nonlocal count
        count += 1
        push(heap, item)

    monkeypatch.setattr(heapq, "heappush", counting_push)
    out = combine([" "] * (n + 1), slots, 5)
    monkeypatch.setattr(heapq, "heappush", push)
    return count, out


def test_a_long_line_explores_a_few_states_per_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """20,000 words with three candidates each: the five best texts come from a handful of change sets,
    as many for 20,000 words as for 200 (the quadratic merge this replaced held k × n² ranks)."""
    small, _ = _pushes(monkeypatch, 200, tied=False)
    large, out = _pushes(monkeypatch, 20_000, tied=False)
    assert large == small < 50
    assert [w for w in out[0][0].split() if not w.startswith("w")] == []
    # then one word changed each: the ones whose second candidate costs least, the first words
    assert [[w for w in text.split() if w.startswith("v")] for text, _ in out[1:]] == [["v0"], ["v1"], ["v2"], ["v3"]]


@pytest.mark.slow
def test_ties_are_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every word the same: all single changes tie; the tied states taken to order them are capped."""
    large, out = _pushes(monkeypatch, 20_000, tied=True)
    assert len(out) == 5 and large < 3 * (4 * 5 + 1000) + 10
    assert [score for _, score in out] == [-20_000.0] + [-20_001.0] * 4
    # equal costs: the change in the later word first, as the full enumeration orders them
    changed = [[w for w in text.split() if w.startswith("v")] for text, _ in out[1:]]
    assert changed == [["v19999"], ["v19998"], ["v19997"], ["v19996"]]


def test_free_changes_come_in_the_full_enumerations_order() -> None:
    """Alternatives that cost nothing (a memorized word with two spellings of equal count) in every word
    of a long line: 2^n texts tie; the first ones are those of the smallest rank vectors, counting in
    binary from the last word, exactly as the full enumeration gives them."""
    n = 2000
    slots = [[(f"a{j}", -1.0), (f"b{j}", -1.0)] for j in range(n)]
    out = combine([" "] * (n + 1), slots, 5)
    changed = [sorted(int(w[1:]) for w in text.split() if w.startswith("b")) for text, _ in out]
    assert changed == [[], [n - 1], [n - 2], [n - 2, n - 1], [n - 3]]
    assert len({score for _, score in out}) == 1
    small = combine([" "] * 5, slots[:4], 5)  # the same rule, checked against the full enumeration
    assert small == brute_force([" "] * 5, slots[:4], 5)
