"""Common abbreviations as sentence candidates (``sentence.abbreviations``,
:mod:`lipyantar.translit.learned.abbreviations`): ``Dr`` डॉ, ``km`` किमी, chosen by the context."""

from __future__ import annotations

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


# -- the English path in sentences (sentence.english_path, on: the English article in Wikipedia titles) --
def test_the_english_path_is_on_by_default(model: LearnedModel) -> None:
    p = model.params.sentence
    assert p.english_path >= 0 and 0 <= p.english_gate < model.token_decision().weights.threshold


@pytest.mark.parametrize(
    ("sentence", "at", "deva"),
    [
        # the English article of a title inside a Hindi sentence: द (the per-token decision, in context)
        ("unhone The Times of India ke liye likha", 1, "द"),
        ("chunki dark side of the moon ki", 4, "द"),
        # the Hindi past auxiliary stays थे
        ("ve wahan kal the", 3, "थे"),
        ("log bahut khush the aur", 3, "थे"),
        ("sab log ghar par the", 4, "थे"),
        ("unke pita ek kisan the", 4, "थे"),
    ],
)
def test_the_english_path_reads_the_article_in_context(model: LearnedModel, sentence: str, at: int, deva: str) -> None:
    assert model.devanagarize_words(sentence.split())[at] == deva


def test_the_english_path_off_changes_nothing(model: LearnedModel) -> None:
    off = model.with_params({"sentence.english_path": -1.0})
    assert off.devanagarize_words("unhone The Times of India ke liye likha".split())[1] == "थे"


@pytest.mark.parametrize("above", [0.01, 0.1])
def test_a_gate_above_a_words_probability_alone_leaves_it_alone(model: LearnedModel, above: float) -> None:
    # "the" alone is about 0.8: with the gate above that, the path never reads it in context
    p = model.token_decision().probabilities(["the"])[0]
    assert 0.5 <= p < 0.9
    gated = model.with_params({"sentence.english_gate": p + above})
    assert gated.devanagarize_words("unhone The Times of India ke liye likha".split())[1] == "थे"


@pytest.mark.parametrize(("gate", "reads_the"), [(-1.0, None), (0.5, True), (0.95, False)])
def test_a_negative_gate_is_the_decisions_threshold(model: LearnedModel, gate: float, reads_the: bool | None) -> None:
    decision = model.token_decision()
    if reads_the is None:  # the decision's own threshold
        reads_the = decision.probabilities(["the"])[0] >= decision.weights.threshold
    gated = model.with_params({"sentence.english_gate": gate})
    assert (gated.devanagarize_words("unhone The Times of India ke liye likha".split())[1] == "द") == reads_the


@pytest.mark.parametrize("window", [0, 1, 2, 3, 20])
def test_windowed_decisions_read_each_word_near_its_window(model: LearnedModel, window: int) -> None:
    from lipyantar.translit.learned.search import _windowed_probabilities

    decision = model.token_decision()
    words = "kal unhone The Times of India ke liye ek lekh likha tha jo the end of the story hai".split()
    at = [2, 14, 17]
    got = _windowed_probabilities(decision, words, at, window)
    assert sorted(got) == at
    for i in at:
        lo, hi = (0, len(words)) if window == 0 else (max(0, i - window), min(len(words), i + window + 1))
        # each word's window, or a longer span holding it (overlapping windows are read once)
        spans = [decision.probabilities(words[a:b])[i - a] for a in range(0, lo + 1) for b in range(hi, len(words) + 1)]
        assert any(abs(got[i] - p) < 1e-12 for p in spans)
    if window == 0 or window >= len(words):
        assert got == {i: decision.probabilities(words)[i] for i in at}
