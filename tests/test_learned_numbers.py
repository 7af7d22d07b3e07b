"""Numbers as context of roman → Devanagari sentence decoding: the word n-gram model has a token for a
number (:data:`~lipyantar.translit.learned.langmodel.NUMBER`), so that ``9 may 2011 ko`` is decoded with
the numbers around ``may`` (मई; not as if ``may`` and ``ko`` were neighbours), and the numbers stay as they
are."""

from __future__ import annotations

import pytest

from lipyantar.translit.learned.langmodel import NUMBER, WordLM
from lipyantar.translit.learned.learn import lm_words, train
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.transliterate import Transliterator

SYLLABLES = {"क": "ka", "म": "ma", "ल": "la", "न": "na", "स": "sa", "र": "ra", "ता": "taa", "पे": "pe"}


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("सन् 1904 ई. में", ["सन्", NUMBER, "ई", "में"]),
        ("6.5 किमी, १९१९ को", [NUMBER, "किमी", NUMBER, "को"]),
        ("1,000 से 2:30 तक", [NUMBER, "से", NUMBER, "तक"]),
        ("कोई संख्या नहीं।", ["कोई", "संख्या", "नहीं"]),
        ("", []),
    ],
)
def test_the_word_model_tokens_of_a_text_have_its_numbers(text: str, tokens: list[str]) -> None:
    assert lm_words(text) == tokens


def test_the_number_token_is_in_the_n_gram_model_and_not_a_word_of_the_prior() -> None:
    lm = WordLM.train([["सन्", NUMBER, "में"], ["सन्", NUMBER, "तक"], [NUMBER, "किमी"]], min_count=1)
    assert lm.word_id(NUMBER) != WordLM.UNK
    assert NUMBER not in lm.prior
    assert lm.unigram("सन्") is not None and lm.unigram(NUMBER) is None


@pytest.fixture(scope="module")
def tiny() -> LearnedModel:
    pairs = [(d, r, 1.0) for d, r in SYLLABLES.items()]
    pairs += [("कमल", "kamala", 1.0), ("नमक", "namaka", 1.0), ("सरल", "sarala", 1.0)]
    return train(pairs, native_text=["कमल 12 नमक", "सरल 5 कमल", "नमक 7 सरल"], order=3, noise_fraction=0.0)


def test_a_trained_model_has_the_number_token(tiny: LearnedModel) -> None:
    assert NUMBER in tiny.wordlm.ids
    assert NUMBER not in tiny.wordlm.prior


@pytest.mark.parametrize(
    "words",
    [
        ["kamala", "12", "namaka"],
        ["12", "kamala"],
        ["kamala", "१२"],
        ["12"],
        ["12", "3.5"],
        ["", "12", "sarala"],
    ],
)
def test_numbers_stay_as_they_are_one_output_per_word(tiny: LearnedModel, words: list[str]) -> None:
    out = tiny.devanagarize_words(words)
    assert len(out) == len(words)
    for word, deva in zip(words, out, strict=True):
        if word[:1].isdigit():
            assert deva == word
        elif word:
            assert deva and deva != word
        else:
            assert deva == ""


def test_without_a_number_token_the_words_are_decoded_as_if_the_numbers_were_not_there(tiny: LearnedModel) -> None:
    ids = dict(tiny.wordlm.ids)
    del ids[NUMBER]
    tiny.wordlm.ids, saved = ids, tiny.wordlm.ids
    try:
        with_numbers = tiny.devanagarize_words(["kamala", "12", "namaka", "5"])
        without = tiny.devanagarize_words(["kamala", "namaka"])
    finally:
        tiny.wordlm.ids = saved
    assert with_numbers == [without[0], "12", without[1], "5"]


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.parametrize(
    ("text", "expected", "word"),
    [
        ("9 may 2011 ko", "9 मई 2011 को", "मई"),  # a date: the month, not मय
        ("5 tan anaj", "5 टन अनाज", "टन"),  # a unit after a number, not तन
    ],
)
def test_a_number_is_the_context_of_the_words_around_it(model: LearnedModel, text: str, expected: str, word: str) -> None:
    assert NUMBER in model.wordlm.ids
    assert Transliterator("roman", "deva", model=model).transliterate(text) == expected
    # without the number the context differs, and so does the word
    assert word not in model.devanagarize_words([w for w in text.split() if not w[0].isdigit()])


def test_numbers_in_running_text_keep_their_form_and_the_english_decision(model: LearnedModel) -> None:
    conv = Transliterator("roman", "deva", model=model, english="keep")
    out = conv.transliterate("meeting 6:30 am ko hai, 1,000 log aayenge.")
    assert "6:30" in out and "1,000" in out
    assert "am" in out  # after a number: English kept
    assert "को" in out and "लोग" in out


# -- initials: a capital letter alone also has its letter name (acronyms.initials) --------------------------
@pytest.mark.parametrize(("word", "letter"), [("S", "एस"), ("D", "डी"), ("R", "आर")])
def test_a_capital_letter_alone_has_its_letter_name_as_good_as_its_best_candidate(
    model: LearnedModel, word: str, letter: str
) -> None:
    devas, scored = model._word_column(word)
    assert letter in devas
    assert scored[devas.index(letter)][0] == max(score for score, _ in scored)
    off = model.with_params({"acronyms.initials": False})._word_column(word)
    # a small letter is a word typed, not an initial
    assert model._word_column(word.lower()) == off


def test_an_initial_is_read_by_its_letter_name_when_the_context_says_so(model: LearnedModel) -> None:
    devas, scored = model.with_params({"acronyms.initials": False})._word_column("S")
    assert "एस" not in devas or scored[devas.index("एस")][0] < max(score for score, _ in scored)
    words = "unhone B S Kris ko likha".split()
    assert model.devanagarize_words(words)[2] == "एस"
    assert model.with_params({"acronyms.initials": False}).devanagarize_words(words)[2] == "स"
