"""Names and English words as people type them, roman → Devanagari (issue 27, part 3):
lipyantar.translit.learned.names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.translit.learned.english import encode_phones, spell_pronunciation
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.names import (
    agreement_scorer,
    anusvara_first,
    attested_first,
    convention_agreement,
    english_margin,
    inflected_spellings,
    inflection,
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
        ("calls", "K AO L Z", "K AO L S"),  # a plural /z/ after a consonant as स
        ("days", "D EY Z", "D EY Z"),  # after a vowel it stays ज़
        ("messages", "M EH S AH JH AH Z", "M EH S AH JH EH S"),  # -es after a sibilant as एस
        ("android", "AE N D R OY D", "EH N D R OY D"),  # an initial /æ/ as ए
        ("apple", "AE P AH L", "EH P AH L"),
        ("cat", "K AE T", "K AE T"),  # not initial
        ("beckham", "B EH K HH AE M", "B EH K HH AH M"),  # a final -ham after a consonant as /əm/
        ("abraham", "EY B R AH HH AE M", "EY B R AH HH AE M"),  # after a vowel it stays
        ("ham", "HH AE M", "HH AE M"),
    ],
)
def test_written_phones(roman: str, phones: str, written: str) -> None:
    assert written_phones(roman, phones.split()) == written.split()


def test_written_phones_keep_the_length() -> None:
    @given(
        st.lists(st.sampled_from(["AA", "AE", "AH", "IY", "IH", "T", "D", "S", "K", "N", "Z", "JH"]), max_size=8),
        st.text("aodeyxs", max_size=8),
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
    # "month" alone is not a Hindi word: its English spelling wins in context; "weeks" is week + -s, an
    # English inflection whose prior is the English word's, so the context's विकास does not take it
    assert model.devanagarize_words(["do", "weeks", "ka", "month"]) == ["दो", "वीक्स", "का", "मंथ"]


@pytest.mark.parametrize(
    ("roman", "found"),
    [
        ("messages", ("message", "ेस", "ज़")),
        ("days", ("day", "्स", "ज़")),
        ("tickets", ("ticket", "्स", "स")),
        ("booked", ("book", "्ड", "ड")),
        ("posted", ("post", "ेड", "ड")),
        ("liked", ("like", "्ड", "ड")),
        ("stopped", ("stop", "्ड", "ड")),
        ("booking", ("book", "िंग", "इंग")),
        ("cities", ("city", "्स", "ज़")),
        ("kis", None),  # not /kɪ/ + /s/
        ("bus", None),  # too short to be an inflection
        ("hai", None),  # not English
        ("month", None),
    ],
)
def test_inflection(model: LearnedModel, roman: str, found: tuple[str, str, str] | None) -> None:
    assert inflection(model.english, roman) == found


def test_inflection_without_a_model() -> None:
    assert inflection(None, "weeks") is None
    assert inflected_spellings(None, "weeks", lambda stem: "वीक") == ()


def test_inflected_spellings_build_on_the_stem(model: LearnedModel) -> None:
    spelled: list[str] = []

    def stem(word: str) -> str:
        spelled.append(word)
        return {"message": "मैसेज", "movie": "मूवी", "ticket": "टिकट"}[word]

    assert inflected_spellings(model.english, "messages", stem) == ("मैसेजेस",)
    assert inflected_spellings(model.english, "movies", stem) == ("मूवीज़",)
    assert inflected_spellings(model.english, "tickets", stem) == ("टिकट्स",)
    assert spelled == ["message", "movie", "ticket"]
    assert inflected_spellings(model.english, "month", stem) == ()


def test_inflected_spellings_spell_a_hindi_looking_stem_by_its_sound(model: LearnedModel) -> None:
    # the model's best for "take" is the Hindi टके: its consonants and ending are not those of टेक
    assert inflected_spellings(model.english, "taking", lambda stem: "टके") == ("टेकिंग",)
    assert inflected_spellings(model.english, "wedding", lambda stem: "वेद") == ("वेडिंग",)
    # the same consonants and ending as the sound's spelling: the model's best is kept
    assert inflected_spellings(model.english, "messages", lambda stem: "मैसेज") == ("मैसेजेस",)


def test_name_scored_adds_the_inflected_spelling() -> None:
    found = (("विकास", -10.0), ("विक्स", -12.0))
    out = name_scored(
        "weeks", found, weight=0.0, penalty=-1.0, window=0.0, inflected=("वीक्स",), inflection_penalty=4.0
    )
    assert dict(out)["वीक्स"] == pytest.approx(-10.0 - 4.0 + 0.0)
    with_margin = name_scored(
        "weeks",
        found,
        weight=0.0,
        penalty=-1.0,
        window=0.0,
        spelling_margin=1.0,
        inflected=("वीक्स",),
        inflection_penalty=4.0,
    )
    assert with_margin[0][0] == "वीक्स"  # weeks is very English (margin 10)
    off = name_scored("weeks", found, weight=0.0, penalty=-1.0, window=0.0, inflected=("वीक्स",))
    assert off == found


@pytest.mark.parametrize(
    ("roman", "deva"),
    [("messages", "मैसेजेस"), ("videos", "वीडियोज़"), ("tickets", "टिकट्स"), ("updates", "अपडेट्स")],
)
def test_model_spells_english_inflections(model: LearnedModel, roman: str, deva: str) -> None:
    assert model.devanagarize(roman) == deva


@pytest.mark.parametrize(
    ("phones", "deva"),
    [
        ("B AE K G R AW N D", "बैकग्राउंड"),  # a syllable starts at the onset gr: no virama before it
        ("W AY L D L AY F", "वाइल्डलाइफ"),  # dl is no onset: the break is before l
        ("S W IY T HH AA R T", "स्वीटहार्ट"),  # never a cluster into h
        ("EH K S T R AH", "एक्स्ट्र"),  # an onset that begins with s stays in the cluster
        ("P AO R T S M AW TH", "पॉर्ट्स्माउथ"),
        ("D AA K T ER", "डाक्टर"),  # two consonants: one cluster
        ("TH IH NG K", "थिंक"),  # /ŋ/ before k or g as anusvara
        ("IH NG G L IH SH", "इंग्लिश"),
        ("S AO NG", "सॉंग"),
        ("P L EY ER", "प्लेयर"),  # a glide after e before the next vowel
    ],
)
def test_spell_pronunciation_syllables(phones: str, deva: str) -> None:
    assert spell_pronunciation(encode_phones(phones.split())) == deva


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        # the anusvara spelling and the cluster swap their scores
        ([(1.0, "बन्दोबस्त"), (2.0, "बंदोबस्त")], {"बन्दोबस्त": 2.0, "बंदोबस्त": 1.0}),
        ([(1.0, "जितेन्द्र"), (3.0, "जितेंद्र"), (5.0, "जितेन्द्रा")], {"जितेन्द्र": 3.0, "जितेंद्र": 1.0, "जितेन्द्रा": 5.0}),
        # already better: unchanged
        ([(2.0, "बन्दोबस्त"), (1.0, "बंदोबस्त")], {"बन्दोबस्त": 2.0, "बंदोबस्त": 1.0}),
        # not a candidate: not added
        ([(1.0, "बन्दोबस्त"), (2.0, "बदोबस्त")], {"बन्दोबस्त": 1.0, "बदोबस्त": 2.0}),
        # no anusvara before y, or for a doubled nasal
        ([(1.0, "कन्या"), (2.0, "कंया")], {"कन्या": 1.0, "कंया": 2.0}),
        ([(1.0, "अन्न"), (2.0, "अंन")], {"अन्न": 1.0, "अंन": 2.0}),
        ([], {}),
    ],
)
def test_anusvara_first(ranked: list[tuple[float, str]], expected: dict[str, float]) -> None:
    assert {deva: neg for neg, deva in anusvara_first(ranked)} == expected


def test_the_model_prefers_the_anusvara(model: LearnedModel) -> None:
    # टेम्पल and टेंपल are both candidates; the first one scores better without the convention
    assert model.devanagarize("temple") == "टेंपल"
    assert model.devanagarize("surendra") == "सुरेंद्र"


_BELIEF = {"दिल्ली": -7.0, "डेल्ही": -12.0, "डिल्ली": -20.0}


@pytest.mark.parametrize(
    ("ranked", "attested", "expected"),
    [
        # the attested spelling believed most takes the best attested score; others keep theirs
        (
            [(1.0, "डेल्ही"), (2.0, "बिल्ली"), (3.0, "दिल्ली")],
            {"डेल्ही": 3.0, "दिल्ली": 10.0},
            {"दिल्ली": 1.0, "बिल्ली": 2.0, "डेल्ही": 3.0},
        ),
        # three attested: their scores handed out in the order of belief
        (
            [(1.0, "डिल्ली"), (2.0, "डेल्ही"), (3.0, "दिल्ली")],
            {"डेल्ही": 1.0, "दिल्ली": 1.0, "डिल्ली": 1.0},
            {"दिल्ली": 1.0, "डेल्ही": 2.0, "डिल्ली": 3.0},
        ),
        # already in order: unchanged
        ([(1.0, "दिल्ली"), (2.0, "डेल्ही")], {"डेल्ही": 3.0, "दिल्ली": 10.0}, {"दिल्ली": 1.0, "डेल्ही": 2.0}),
        # one attested candidate, or none, or no memory: unchanged (an attested spelling is never added)
        ([(1.0, "डेल्ही"), (2.0, "बिल्ली")], {"डेल्ही": 3.0, "दिल्ली": 10.0}, {"डेल्ही": 1.0, "बिल्ली": 2.0}),
        ([(1.0, "डेल्ही"), (2.0, "बिल्ली")], None, {"डेल्ही": 1.0, "बिल्ली": 2.0}),
        ([], {"दिल्ली": 1.0}, {}),
    ],
)
def test_attested_first(
    ranked: list[tuple[float, str]], attested: dict[str, float] | None, expected: dict[str, float]
) -> None:
    assert {deva: neg for neg, deva in attested_first(ranked, attested, _BELIEF.__getitem__)} == expected


@given(
    st.lists(st.tuples(st.integers(-50, 50).map(float), st.sampled_from([*sorted(_BELIEF), "क", "ख"])), max_size=6)
)
def test_attested_first_permutes_the_attested_scores(pairs: list[tuple[float, str]]) -> None:
    ranked = list({deva: (neg, deva) for neg, deva in pairs}.values())
    attested = dict.fromkeys(_BELIEF, 1.0)
    out = attested_first(ranked, attested, _BELIEF.__getitem__)
    assert [deva for _, deva in out] == [deva for _, deva in ranked]
    assert sorted(neg for neg, deva in out if deva in attested) == sorted(neg for neg, deva in ranked if deva in attested)
    assert all(a == b for a, b in zip(out, ranked, strict=True) if a[1] not in attested)
    # the more believed, the better (lower) the negated score
    by_belief = sorted((-_BELIEF[deva], neg) for neg, deva in out if deva in attested)
    assert [neg for _, neg in by_belief] == sorted(neg for _, neg in by_belief)


@pytest.mark.parametrize(
    ("roman", "deva", "channel"),
    [
        # the memory attests both; the channel prefers the rarer one
        ("lagata", "लगता", "लगाता"),
        ("uthata", "उठता", "उठाता"),
        ("ghatata", "घटता", "घटाता"),
    ],
)
def test_the_model_orders_attested_spellings_by_belief(
    model: LearnedModel, roman: str, deva: str, channel: str
) -> None:
    attested = model.memory.r2d.get(roman)
    assert attested is not None and deva in attested and channel in attested
    assert model.devanagarize(roman) == deva
    assert model.devanagarize_topk(roman, 5)[0][0] == deva
    assert model.with_params({"r2d.attested_order": False}).devanagarize(roman) == channel


def test_sentences_order_attested_spellings_by_belief(model: LearnedModel) -> None:
    # in sentence decoding the column's scores without context are ordered the same way
    on, off = model.with_params({"sentence.attested_order": True}), model
    devas, scored = on._column("lagata")
    score = dict(zip(devas, (s for s, _ in scored), strict=True))
    assert score["लगता"] > score["लगाता"]
    devas, scored = off._column("lagata")
    score = dict(zip(devas, (s for s, _ in scored), strict=True))
    assert score["लगता"] < score["लगाता"]
    assert on.devanagarize_sentences([["vah", "ghatata", "hai"]]) == [["वह", "घटता", "है"]]
    assert off.devanagarize_sentences([["vah", "ghatata", "hai"]]) == [["वह", "घटाता", "है"]]


@pytest.mark.parametrize(
    ("roman", "english", "hindi"),
    [
        # read as English by the per-token decision: the spelling of its sound, not a Hindi word's
        ("care", "केयर", "कर"),
        ("bike", "बाइक", "बिके"),
        ("mute", "म्यूट", "मिट"),
        ("shine", "शाइन", "शिन"),
    ],
)
def test_the_english_path_of_single_words(model: LearnedModel, roman: str, english: str, hindi: str) -> None:
    assert model.params.english.w_path > 0
    assert model.devanagarize(roman) == english
    assert model.devanagarize_topk(roman, 5)[0][0] == english
    assert model.with_params({"english.w_path": 0.0}).devanagarize(roman) == hindi


@pytest.mark.parametrize(("roman", "deva"), [("kal", "कल"), ("main", "मैं"), ("par", "पर"), ("hai", "है")])
def test_the_english_path_leaves_hindi_words(model: LearnedModel, roman: str, deva: str) -> None:
    decision = model.token_decision()
    assert decision.probabilities([roman])[0] < decision.weights.threshold
    assert model.devanagarize(roman) == deva


def test_the_token_decision_reads_answers_without_the_english_path(model: LearnedModel) -> None:
    decision = model.token_decision()
    assert decision is model.token_decision()  # made once per model
    assert decision.model.params.english.w_path == 0.0
    assert decision.model.params.updated({"english.w_path": model.params.english.w_path}) == model.params
    # a copy with other parameters makes its own
    assert model.with_params({"english.w_path": 1.0}).token_decision() is not decision
