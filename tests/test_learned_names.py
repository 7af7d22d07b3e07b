"""Names and English words as people type them, roman → Devanagari (issue 27, part 3):
lipyantar.translit.learned.names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.translit.learned.english import encode_phones
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.names import (
    agreement_scorer,
    convention_agreement,
    english_margin,
    name_scored,
    name_variants,
    pronunciation_spellings,
    roman_conventions,
    with_name_variants,
    written_phones,
)


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.parametrize(
    ("roman", "conventions"),
    [
        (
            "priya",
            (False, False, ()),
        ),  # -ya is also Sanskrit -य with its inherent vowel: कार्य karya, राज्य rajya
        ("rekha", (True, False, ())),
        ("kamal", (False, False, ())),
        ("sunny", (False, True, ("n",))),
        ("vajpayee", (False, True, ())),
        ("anna", (True, False, ("n",))),
        ("kannan", (False, False, ("n",))),
        ("calcutta", (True, False, ("t",))),
        ("aaa", (False, False, ())),  # vowels, not a consonant and a
        ("shree", (False, True, ())),
    ],
)
def test_roman_conventions(roman: str, conventions: tuple[bool, bool, tuple[str, ...]]) -> None:
    assert roman_conventions(roman) == conventions


@pytest.mark.parametrize(
    ("roman", "deva", "agreement"),
    [
        ("mishra", "मिश्रा", 1),
        ("mishra", "मिश्र", -1),
        ("mishra", "मिश्रे", 0),  # neither ा nor the inherent vowel
        ("sunny", "सन्नी", 2),
        ("sunny", "सनि", -2),
        ("anna", "अन्ना", 2),
        ("anna", "अना", 0),
        ("kannan", "कानन", -1),
        ("kannan", "कन्नन", 1),
        ("kamal", "कमल", 0),
        ("kamal", "कमाल", 0),
    ],
)
def test_convention_agreement(roman: str, deva: str, agreement: int) -> None:
    assert convention_agreement(roman, deva) == agreement
    scorer = agreement_scorer(roman)
    assert (scorer(deva) if scorer else 0) == agreement


def test_no_scorer_without_conventions() -> None:
    assert agreement_scorer("kamal") is None


@pytest.mark.parametrize(
    ("roman", "deva", "variants"),
    [
        ("snigdha", "स्निग्ध", ("स्निग्धा",)),
        ("sunny", "सनि", ("सनी", "सन्नि")),
        ("kannan", "कानन", ("कान्नन", "कानन्न")),
        ("mishra", "मिश्रा", ()),
        ("kamal", "कमल", ()),
    ],
)
def test_name_variants(roman: str, deva: str, variants: tuple[str, ...]) -> None:
    assert name_variants(roman, deva) == variants


def test_with_name_variants_scores_below_the_source() -> None:
    found = (("स्निग्ध", -10.0), ("सनिग्ध", -30.0))
    out = dict(with_name_variants("snigdha", found, penalty=2.0, window=5.0))
    assert out["स्निग्धा"] == -12.0
    assert "सनिग्धा" not in out  # its source is outside the window
    assert with_name_variants("snigdha", found, penalty=-1.0, window=5.0) == found


@pytest.mark.parametrize(
    ("roman", "phones", "written"),
    [
        ("sorry", "S AA R IY", "S AO R IY"),
        ("doctor", "D AA K T ER", "D AO K T ER"),
        ("father", "F AA DH ER", "F AA DH ER"),  # an a, not an o
        ("maradona", "M AA R AH D OW N AH", "M AA R AH D OW N AA"),
        ("monday", "M AH N D IY", "M AH N D EY"),
        ("posted", "P OW S T IH D", "P OW S T EH D"),
        ("finished", "F IH N IH SH T", "F IH N IH SH D"),
        ("weeks", "W IY K S", "W IY K S"),
    ],
)
def test_written_phones(roman: str, phones: str, written: str) -> None:
    assert written_phones(roman, phones.split()) == written.split()


def test_written_phones_keep_the_length() -> None:
    @given(
        st.lists(st.sampled_from(["AA", "AH", "IY", "IH", "T", "D", "S", "K", "N"]), max_size=8),
        st.text("aodeyx", max_size=8),
    )
    def check(phones: list[str], roman: str) -> None:
        out = written_phones(roman, phones)
        assert len(out) == len(phones)
        encode_phones(out)  # every phoneme still a phoneme

    check()


def test_pronunciation_spellings(model: LearnedModel) -> None:
    assert pronunciation_spellings(model.english, "weeks")[0] == "वीक्स"
    assert pronunciation_spellings(model.english, "month")[0] == "मंथ"
    assert pronunciation_spellings(model.english, "sorry")[0] == "सॉरी"
    assert pronunciation_spellings(model.english, "xqzv") == ()
    assert pronunciation_spellings(None, "weeks") == ()


def test_english_margin() -> None:
    assert english_margin("weeks") > 3
    assert english_margin("hata") < -3
    assert -10.0 <= english_margin("result") <= 10.0


def test_name_scored_adds_spellings_by_the_margin() -> None:
    found = (("विक्स", -20.0), ("विकास", -25.0))
    out = dict(
        name_scored(
            "weeks",
            found,
            weight=0.0,
            penalty=-1.0,
            window=0.0,
            spellings=("वीक्स",),
            spelling_penalty=10.0,
            spelling_margin=1.0,
        )
    )
    assert out["वीक्स"] == pytest.approx(-20.0 - 10.0 + english_margin("weeks"))
    off = name_scored(
        "weeks", found, weight=0.0, penalty=-1.0, window=0.0, spellings=("वीक्स",), spelling_penalty=-1.0
    )
    assert off == found


@pytest.mark.parametrize(
    ("roman", "deva"),
    [("weeks", "वीक्स"), ("month", "मंथ"), ("mishra", "मिश्रा"), ("result", "रिज़ल्ट"), ("weather", "वेदर")],
)
def test_model_spells_names_and_english_words(model: LearnedModel, roman: str, deva: str) -> None:
    assert model.devanagarize(roman) == deva


@pytest.mark.parametrize(
    ("roman", "deva"), [("kal", "कल"), ("hata", "हटा"), ("karna", "करना"), ("kerala", "केरल")]
)
def test_model_keeps_hindi_words(model: LearnedModel, roman: str, deva: str) -> None:
    assert model.devanagarize(roman) == deva


def test_the_spot_check_sentence(model: LearnedModel) -> None:
    # "month" alone is not a Hindi word: its English spelling wins in context (weeks still loses to
    # विकास, which the context model prefers)
    assert model.devanagarize_words(["do", "weeks", "ka", "month"])[3] == "मंथ"
