"""Devanagari → roman of common Hindi words that are also English words' sounds (issue 27, part 5):
the native reading first only when the word is common, its top attested reading is English and a
native reading is attested (lipyantar.translit.learned.origin)."""

from __future__ import annotations

import pytest

from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.origin import native_first, sounds_like


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


COMMON = -8.0


@pytest.mark.parametrize(
    ("attested", "rules", "logprior", "first"),
    [
        # a common Hindi word whose majority reading is English, a native one attested: native first
        ({"way": 3.0, "ve": 1.0}, "ve", -6.6, "ve"),
        # the same counts, but the word is not common: the majority stays
        ({"way": 3.0, "ve": 1.0}, "ve", -9.5, "way"),
        ({"way": 3.0, "ve": 1.0}, "ve", None, "way"),
        # no native reading attested (a loanword): the English spelling stays
        ({"school": 4.0}, "skul", -6.0, "school"),
        ({"party": 4.0, "parties": 1.0}, "parti", -6.0, "party"),
        # the top reading is the rules reading: nothing to decide
        ({"the": 6.0, "tha": 1.0}, "the", -5.9, "the"),
        # the top reading is casual Hindi typing, not English
        ({"saal": 8.0, "sal": 1.0}, "sal", -7.3, "saal"),
        ({"roop": 5.0, "rup": 4.0}, "rup", -6.1, "roop"),
    ],
)
def test_native_first(attested: dict[str, float], rules: str, logprior: float | None, first: str) -> None:
    ranked = native_first(attested, rules_reading=rules, logprior=lambda: logprior, common_above=COMMON)
    assert ranked[0][0] == first
    assert sorted(ranked) == sorted(attested.items())


def test_a_casual_spelling_that_is_also_english_is_not_an_english_reading() -> None:
    # है typed "he" (a corpus's habit): "he" is an English word, but /hiː/ is ही, not है
    attested = {"he": 12.0, "hai": 6.0}
    ranked = native_first(
        attested,
        rules_reading="hai",
        logprior=lambda: -3.5,
        common_above=COMMON,
        sounds_english=lambda r: False,
    )
    assert ranked[0][0] == "he"
    ranked = native_first(
        attested,
        rules_reading="hai",
        logprior=lambda: -3.5,
        common_above=COMMON,
        sounds_english=lambda r: True,
    )
    assert ranked[0][0] == "hai"


@pytest.mark.parametrize(
    ("roman", "deva", "sounds"),
    [("way", "वे", True), ("he", "है", False), ("he", "ही", True), ("pay", "पे", True), ("xqzv", "वे", False)],
)
def test_sounds_like(model: LearnedModel, roman: str, deva: str, sounds: bool) -> None:
    assert sounds_like(model.english, roman, deva) is sounds
    assert sounds_like(None, roman, deva) is False


def test_native_first_asks_the_prior_only_when_needed() -> None:
    def fail() -> float:
        raise AssertionError("prior asked")

    assert (
        native_first({"ve": 3.0, "way": 1.0}, rules_reading="ve", logprior=fail, common_above=COMMON)[0][0]
        == "ve"
    )
    assert native_first({"way": 1.0}, rules_reading="ve", logprior=fail, common_above=COMMON) == [
        ("way", 1.0)
    ]


@pytest.mark.parametrize(("deva", "roman"), [("वे", "ve"), ("थे", "the"), ("से", "se"), ("स्कूल", "school")])
def test_model_romanizes_common_words_natively(model: LearnedModel, deva: str, roman: str) -> None:
    assert model.romanize(deva) == roman
    top = model.romanize_topk(deva, 3)
    assert top[0][0] == roman
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)


def test_sentence_with_the_pronoun(model: LearnedModel) -> None:
    from lipyantar.translit.transliterate import Transliterator

    out = Transliterator("deva", "roman", model=model).transliterate("वे काम कर रहे हैं।")
    assert out.split()[0] == "ve"
