from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.metrics import (
    _edit_distance_python,
    _word_edits,
    _word_edits_reference,
    cer,
    edit_distance,
)


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


@st.composite
def edited(
    draw: st.DrawFn, symbols: st.SearchStrategy[str], max_size: int, min_size: int = 0
) -> tuple[list[str], list[str]]:
    """Two sequences: a random one and a copy with a few random substitutions, insertions and
    deletions (near-equal pairs, where alignments tie), or two independent ones."""
    ref = draw(st.lists(symbols, min_size=min_size, max_size=max_size))
    if draw(st.booleans()):
        return draw(st.lists(symbols, min_size=min_size, max_size=max_size)), ref
    hyp = list(ref)
    for _ in range(draw(st.integers(0, 12))):
        at = draw(st.integers(0, len(hyp)))
        op = draw(st.sampled_from("sid"))
        if op == "i":
            hyp.insert(at, draw(symbols))
        elif hyp and at < len(hyp):
            if op == "s":
                hyp[at] = draw(symbols)
            else:
                del hyp[at]
    return hyp, ref


@settings(max_examples=400, deadline=None)
@given(edited(st.sampled_from(["a", "b", "c", "है", "hai"]), 70))
def test_word_edits_match_the_full_table(pair: tuple[list[str], list[str]]) -> None:
    """The bit-parallel, checkpointed back-trace gives the counts of the full table's back-trace."""
    hyp, ref = pair
    hits, subs, dels, ins = _word_edits(hyp, ref)
    assert (hits, subs, dels, ins) == _word_edits_reference(hyp, ref)
    assert hits + subs + dels == len(ref) and hits + subs + ins == len(hyp)
    assert subs + dels + ins == reference_distance(hyp, ref)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hyp", "ref", "counts"),
    [
        ("", "", (0, 0, 0, 0)),
        ("a b", "", (0, 0, 0, 2)),
        ("", "a b", (0, 0, 2, 0)),
        ("a b c", "a b c", (3, 0, 0, 0)),
        ("b a", "a b", (0, 2, 0, 0)),  # a tie: substitutions before a deletion and an insertion
        ("a x c", "a b c", (2, 1, 0, 0)),
        ("a c", "a b c", (2, 0, 1, 0)),
        ("a b b c", "a b c", (3, 0, 0, 1)),
    ],
)
def test_word_edits_table(hyp: str, ref: str, counts: tuple[int, int, int, int]) -> None:
    assert _word_edits(hyp.split(), ref.split()) == counts == _word_edits_reference(hyp.split(), ref.split())


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(edited(st.sampled_from("abcदे\U0001f600"), 300, min_size=50))
def test_long_edit_distance_matches_the_textbook_algorithm(pair: tuple[list[str], list[str]]) -> None:
    """Strings past 64 characters (the compiled kernel's blocks of 64 rows) and the Python version."""
    a, b = "".join(pair[0]), "".join(pair[1])
    assert edit_distance(a, b) == _edit_distance_python(a, b) == reference_distance(a, b) == edit_distance(b, a)


@pytest.mark.parametrize("n", [63, 64, 65, 127, 128, 129, 200])
def test_edit_distance_at_block_edges(n: int) -> None:
    a = ("abcde" * 60)[:n]
    assert edit_distance(a, a) == 0
    assert edit_distance(a, a[1:]) == edit_distance(a[:-1], a) == 1
    assert edit_distance(a, a[:-1] + "z") == edit_distance("z" + a[1:], a) == 1
    assert edit_distance(a, "z" * n) == edit_distance("z" * (n + 5), a) - 5 == n
    assert edit_distance(a, a + "xyz") == edit_distance(a[:40] + a[43:], a) == 3
    assert edit_distance("", a) == n


@pytest.mark.slow
def test_word_edits_of_long_lines_take_little_memory() -> None:
    """16,000 distinct words against the same reversed: the full table took gigabytes, and one kept
    match vector per distinct word 16 MB; the columns kept and one stretch take a few."""
    ref = [f"w{i}" for i in range(16_000)]
    tracemalloc.start()
    try:
        counts = _word_edits(ref[::-1], ref)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counts == (0, 16_000, 0, 0)
    assert peak < 8_000_000
