"""Long vowels typed doubled (``r2d.long_vowel_penalty``, :func:`missing_long_vowels`): someone who types
``aa``, ``ee``/``ii`` or ``oo``/``uu`` means ā, ī, ū; a candidate that spells it short is less likely."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.variants import long_vowels_typed, missing_long_vowels


@pytest.mark.parametrize(
    ("roman", "typed"),
    [
        ("afjaal", (1, 0, 0)),
        ("deewaar", (1, 1, 0)),
        ("pooja", (0, 0, 1)),
        ("shriiuu", (0, 1, 1)),
        ("aaa", (1, 0, 0)),  # counted once
        ("sita", (0, 0, 0)),  # a single letter says nothing
        ("", (0, 0, 0)),
    ],
)
def test_long_vowels_typed(roman: str, typed: tuple[int, int, int]) -> None:
    assert long_vowels_typed(roman) == typed


@pytest.mark.parametrize(
    ("roman", "deva", "missing"),
    [
        ("afjaal", "अफजल", 1),
        ("afjaal", "अफजाल", 0),
        ("aaj", "आज", 0),  # the independent letter counts
        ("deewar", "दिवार", 1),
        ("deewar", "दीवार", 0),
        ("deewaar", "दिवर", 2),
        ("pooja", "पुजा", 1),
        ("pooja", "पूजा", 0),
        ("oo", "ओओ", 1),
        ("oo", "ऊ", 0),
        ("sita", "सिता", 0),
        ("kaamaal", "कमाल", 1),  # two typed, one spelled
    ],
)
def test_missing_long_vowels(roman: str, deva: str, missing: int) -> None:
    assert missing_long_vowels(long_vowels_typed(roman), deva) == missing


_LETTERS = st.text(alphabet="aeioukmrst", max_size=12)
_DEVA = st.text(alphabet="कमरसतािीुूआईऊ", max_size=10)


@given(_LETTERS, _DEVA, st.sampled_from(["\u093e", "\u0940", "\u0942", "आ", "ई", "ऊ"]))
def test_a_long_vowel_more_never_misses_more(roman: str, deva: str, sign: str) -> None:
    """Adding a long vowel to the candidate never raises the count, and the count never exceeds what
    was typed."""
    typed = long_vowels_typed(roman)
    missing = missing_long_vowels(typed, deva)
    assert 0 <= missing <= sum(typed)
    assert missing_long_vowels(typed, deva + sign) <= missing


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.slow
@pytest.mark.parametrize("word", ["zaapolin", "meekatoor", "bhoolaari", "taarvoon", "neelaspaa"])
def test_penalty_orders_the_candidates(model: LearnedModel, word: str) -> None:
    """Off, the candidates are ranked without it; with a large penalty the first candidate misses as few
    typed long vowels as any candidate; the same candidates either way."""
    assert word not in model.memory.r2d
    typed = long_vowels_typed(word)
    off = model.with_params({"r2d.long_vowel_penalty": 0.0})
    heavy = model.with_params({"r2d.long_vowel_penalty": 1000.0})
    cands = [deva for deva, _ in off.devanagarize_topk(word, 16)]
    ranked = [deva for deva, _ in heavy.devanagarize_topk(word, 16)]
    assert set(ranked) == set(cands)
    assert missing_long_vowels(typed, ranked[0]) == min(missing_long_vowels(typed, deva) for deva in cands)
    assert model.devanagarize(word) == model.devanagarize_topk(word, 5)[0][0]


def test_no_doubled_vowel_no_change(model: LearnedModel) -> None:
    """A word without a doubled vowel is ranked as with the penalty off (the same scores)."""
    off = model.with_params({"r2d.long_vowel_penalty": 0.0})
    for word in ("sita", "kamal", "pustak"):
        assert model.devanagarize_topk(word, 5) == off.devanagarize_topk(word, 5)


def test_penalty_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="long_vowel_penalty"):
        default_model().with_params({"r2d.long_vowel_penalty": -1.0})


@pytest.mark.parametrize("word", ["look", "hood", "crooked", "goodness"])
def test_english_oo_is_not_read_long(model: LearnedModel, word: str) -> None:
    """A word with an English pronunciation may spell /ʊ/ with ``oo`` (look लुक): its ``oo`` is not
    counted, and the word is ranked as with the penalty off."""
    assert model.english is not None and model.english.pronunciations(word)
    off = model.with_params({"r2d.long_vowel_penalty": 0.0})
    assert model.devanagarize_topk(word, 5) == off.devanagarize_topk(word, 5)
    assert "\u0942" not in model.devanagarize(word)
