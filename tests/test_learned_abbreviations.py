"""Common abbreviations as sentence candidates (``sentence.abbreviations``,
:mod:`lipyantar.translit.learned.abbreviations`): ``Dr`` डॉ, ``km`` किमी, chosen by the context."""

from __future__ import annotations

import dataclasses

import pytest

from lipyantar.translit.learned.abbreviations import ABBREVIATIONS, abbreviation_spellings
from lipyantar.translit.learned.model import LearnedModel, default_model


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.parametrize(
    ("word", "spellings"),
    [
        ("Dr", ("डॉ",)),
        ("Dr.", ("डॉ",)),
        ("km", ("किमी",)),
        ("Km", ("किमी",)),
        ("dr", ()),
        ("kam", ()),
        ("", ()),
    ],
)
def test_the_table_is_read_as_typed(word: str, spellings: tuple[str, ...]) -> None:
    assert abbreviation_spellings(word) == spellings


def test_every_abbreviation_is_a_word_of_the_n_gram_model(model: LearnedModel) -> None:
    # the context can only decide for a spelling it knows
    for spellings in ABBREVIATIONS.values():
        for deva in spellings:
            assert model.wordlm.word_id(deva) != model.wordlm.UNK


@pytest.mark.parametrize(("word", "deva"), [("Dr", "डॉ"), ("km", "किमी")])
def test_an_abbreviation_is_a_candidate_as_good_as_the_best(
    model: LearnedModel, word: str, deva: str
) -> None:
    devas, scored = model._word_column(word)
    assert deva in devas
    assert scored[devas.index(deva)][0] == max(score for score, _ in scored)
    off_devas, off_scored = model.with_params({"sentence.abbreviations": False})._word_column(word)
    assert deva not in off_devas or off_scored[off_devas.index(deva)][0] < max(s for s, _ in off_scored)


@pytest.mark.parametrize(
    ("sentence", "index", "on", "off"),
    [
        ("Rashtrapati Dr Rajendra Prasad ne kaha", 1, "डॉ", None),
        ("yah gaon 5 km door hai", 3, "किमी", None),
        ("jabki yah jainon se km hai", 4, "कम", "कम"),  # the context says कम
    ],
)
def test_the_context_decides(
    model: LearnedModel, sentence: str, index: int, on: str, off: str | None
) -> None:
    words = sentence.split()
    assert model.devanagarize_words(words)[index] == on
    without = model.with_params({"sentence.abbreviations": False}).devanagarize_words(words)[index]
    assert without == off if off is not None else without != on


def test_a_lowercase_dr_is_not_the_title(model: LearnedModel) -> None:
    assert "डॉ" not in model._word_column("dr")[0]


# -- the English path in sentences (sentence.english_path, off by default) ---------------------------------
def test_the_english_path_is_off_by_default_and_changes_nothing_then(model: LearnedModel) -> None:
    assert model.params.sentence.english_path < 0
    words = "unhone The Times of India ke liye likha".split()
    assert model.devanagarize_words(words)[1] == "थे"


def test_the_english_path_reads_an_english_article_in_context(model: LearnedModel) -> None:
    on = model.with_params({"sentence.english_path": 0.0})
    # the path looks only at words that the per-token decision reads as English alone too; with the
    # weights of issue 27's r35 round "the" alone is just under the threshold (0.806 against 0.81), so
    # this test sets the clone's threshold below it: what is tested is the path, not that borderline
    decision = on.token_decision()
    assert decision.probabilities(["the"])[0] > 0.75
    decision.weights = dataclasses.replace(decision.weights, threshold=0.75)
    assert on.devanagarize_words("unhone The Times of India ke liye likha".split())[1] == "द"
    # the Hindi auxiliary in a Hindi sentence stays थे
    assert on.devanagarize_words("ve wahan kal the".split())[3] == "थे"
