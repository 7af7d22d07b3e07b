"""The casual-typing noise model (:mod:`lipyantar.translit.learned.noise`): its estimate from romanization
pairs, the spellings a typed word may be a casual form of, its versioned table, and its use in sentence
decoding."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.noise import (
    EDITS,
    NOISE_PATH,
    SMOOTHING,
    NoiseModel,
    estimate_noise,
    load_noise,
    nasal_context,
    noise_loglik,
    vowel_context,
)

#: a small lexicon: हैं typed hain 8 times and hai twice; में mein 9, me once; एवं evam twice, evan
#: once; पैसा paisa 3, pesa once; कौन kaun 4, kon once
ROWS = [
    ("हैं", "hain", 8.0),
    ("हैं", "hai", 2.0),
    ("में", "mein", 9.0),
    ("में", "me", 1.0),
    ("एवं", "evam", 2.0),
    ("एवं", "evan", 1.0),
    ("पैसा", "paisa", 3.0),
    ("पैसा", "pesa", 1.0),
    ("कौन", "kaun", 4.0),
    ("कौन", "kon", 1.0),
]


@pytest.fixture(scope="module")
def small() -> NoiseModel:
    return estimate_noise(ROWS, source="test rows")


def smoothed(k: float, n: float, pooled: float) -> float:
    return math.log((k + SMOOTHING * pooled) / (n + SMOOTHING))


@pytest.mark.parametrize(
    ("stem", "context"),
    [("है", "ै"), ("मे", "े"), ("एव", "a"), ("दोनो", "ो"), ("नही", "ी"), ("कहाँ", None), ("आ", "ा"), ("", None)],
)
def test_nasal_context(stem: str, context: str | None) -> None:
    assert nasal_context(stem) == context


@pytest.mark.parametrize(
    ("deva", "i", "context"),
    [("है", 1, "ै:final"), ("हैं", 1, "ै:final"), ("पैसा", 1, "ै:medial"), ("और", 0, "ौ:medial"), ("नौ", 1, "ौ:final")],
)
def test_vowel_context(deva: str, i: int, context: str) -> None:
    assert vowel_context(deva, i) == context


def test_estimate_counts_each_edit_by_context(small: NoiseModel) -> None:
    # nasal words: 10 + 10 + 3 = 23 romanizations, 3 without the nasal, 2 with m
    drop = 3 / 23
    assert small.pooled["nasal_drop"] == pytest.approx(math.log(drop))
    assert small.logprob("nasal_drop", "ै") == pytest.approx(smoothed(2, 10, drop))
    assert small.logprob("nasal_drop", "े") == pytest.approx(smoothed(1, 10, drop))
    assert small.logprob("nasal_drop", "a") == pytest.approx(smoothed(0, 3, drop))
    as_m = 2 / 23
    assert small.logprob("nasal_m", "a") == pytest.approx(smoothed(2, 3, as_m))
    # diphthongs: 19 romanizations (हैं's among them), 2 plain
    plain = 2 / 19
    assert small.pooled["plain_vowel"] == pytest.approx(math.log(plain))
    assert small.logprob("plain_vowel", "ै:final") == pytest.approx(smoothed(0, 10, plain))
    assert small.logprob("plain_vowel", "ै:medial") == pytest.approx(smoothed(1, 4, plain))
    assert small.logprob("plain_vowel", "ौ:medial") == pytest.approx(smoothed(1, 5, plain))
    # an unseen context has the pooled rate
    assert small.logprob("nasal_drop", "ू") == small.pooled["nasal_drop"]
    assert small.logprob("nasal_drop", None) == small.pooled["nasal_drop"]


def test_loglik_of_rows(small: NoiseModel) -> None:
    def miss(edit: str, ctx: str) -> float:
        return math.log(1.0 - math.exp(small.logprob(edit, ctx)))

    # हैं typed hai: the nasal dropped, not typed m, the diphthong spelled ai
    expected = 2 * (small.logprob("nasal_drop", "ै") + miss("nasal_m", "ै") + miss("plain_vowel", "ै:final"))
    assert noise_loglik(small, [("हैं", "hai", 2.0)]) == pytest.approx(expected)
    # a row without any of the edits' evidence
    assert noise_loglik(small, [("घर", "ghar", 5.0)]) == 0.0


def test_a_context_edited_more_often_is_more_likely(small: NoiseModel) -> None:
    assert small.logprob("nasal_drop", "ै") > small.logprob("nasal_drop", "े") > small.logprob("nasal_drop", "a")


@pytest.mark.parametrize(
    ("roman", "deva", "expected"),
    [
        # a dropped final nasal
        ("hai", "है", {"हैं": [("nasal_drop", "ै")]}),
        ("me", "मे", {"में": [("nasal_drop", "े")], "मै": [("plain_vowel", "ै:final")], "मैं": [("plain_vowel", "ै:final"), ("nasal_drop", "ै")]}),
        # m for the anusvara (and e for ai: ऐवम, ऐवं)
        ("evam", "एवम", {"एवं": [("nasal_m", "a")], "ऐवम": [("plain_vowel", "ै:medial")], "ऐवं": [("plain_vowel", "ै:medial"), ("nasal_m", "a")], "एंवम": [("nasal_medial", "े")]}),
        # e for ai (and with a dropped nasal after it), o for au
        ("he", "हे", {"है": [("plain_vowel", "ै:final")], "हें": [("nasal_drop", "े")], "हैं": [("plain_vowel", "ै:final"), ("nasal_drop", "ै")]}),
        ("kon", "कोन", {"कौन": [("plain_vowel", "ौ:medial")], "कोंन": [("nasal_medial", "ो")]}),
        # typed ai: no diphthong to restore; typed n: no final nasal left out
        ("hain", "हैन", {"हैंन": [("nasal_medial", "ै")]}),
        ("paisa", "पैसा", {"पैसां": [("nasal_drop", "ा")], "पैसाँ": [("nasal_drop", "ा")], "पैंसा": [("nasal_medial", "ै")]}),
        # a nasal left out inside the word
        ("pahuchna", "पहुचना", {"पहुंचना": [("nasal_medial", "ु")], "पहुँचना": [("nasal_medial", "ु")], "पहुचनां": [("nasal_drop", "ा")], "पहुचनाँ": [("nasal_drop", "ा")]}),
    ],
)
def test_variants_and_their_edits(small: NoiseModel, roman: str, deva: str, expected: dict[str, list[tuple[str, str]]]) -> None:
    got = dict(small.variants(roman, deva))
    assert got == pytest.approx({v: sum(small.logprob(e, c) for e, c in edits) for v, edits in expected.items()})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aeiounmhkr", min_size=1, max_size=6), st.text(alphabet="हकमनएओेोैौंँािी", min_size=1, max_size=5))
def test_variants_are_other_spellings_and_probabilities(roman: str, deva: str) -> None:
    model = load_noise()
    for variant, lp in model.variants(roman, deva):
        assert variant != deva
        assert len(variant) in (len(deva), len(deva) + 1)
        assert lp <= 0.0


def test_json_round_trip(small: NoiseModel) -> None:
    again = NoiseModel.from_json(small.to_json())
    for name in EDITS:
        assert again.pooled[name] == pytest.approx(small.pooled[name], abs=1e-4)
        assert again.logprobs[name] == pytest.approx(small.logprobs[name], abs=1e-4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=99), "version 1"),
        (lambda d: d.update(format="other"), "not a lipyantar-casual-noise"),
        (lambda d: d.update(edits=["nasal_drop"]), "edits are not"),
        (lambda d: d["pooled"].update(nasal_drop=0.5), "log-probability"),
        (lambda d: d["logprobs"]["plain_vowel"].update({"ै:final": "x"}), "could not convert"),
        (lambda d: d.pop("pooled"), "pooled"),
    ],
)
def test_a_bad_table_is_refused(small: NoiseModel, change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(small.to_json())
    change(data)
    with pytest.raises(ModelError, match=message):
        NoiseModel.from_json(json.dumps(data))
    with pytest.raises(ModelError, match="not JSON"):
        NoiseModel.from_json("{")


def test_a_missing_table_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match="missing"):
        load_noise(str(tmp_path / "none.json"))


def test_the_packaged_table_is_estimated_from_the_train_lexicon() -> None:
    model = load_noise()
    assert "train" in model.training["source"]
    assert NOISE_PATH.exists()
    # what the train lexicon says: a nasal after ी is left out more often than one after ो; e for ai is
    # common inside a word
    assert model.logprob("nasal_drop", "ी") > model.logprob("nasal_drop", "ो")
    assert model.logprob("plain_vowel", "ै:medial") > math.log(0.1)


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.parametrize(("nasal_weight", "factor"), [(-1.0, 1.5), (0.25, 0.25), (0.0, 0.0)])
def test_sentence_candidates_are_scored_by_the_noise_model(
    model: LearnedModel, nasal_weight: float, factor: float
) -> None:
    # the final nasal left out: weighted by casual.nasal_weight, or casual.noise_weight when that is negative
    weighted = model.with_params(
        {"casual.noise_weight": 1.5, "casual.nasal_weight": nasal_weight, "casual.convention_penalty": -1.0}
    )
    found = weighted._channel("hai", weighted.params.sentence.words)[: weighted.params.sentence.nbest]
    scores = dict(found)
    extended = dict(weighted._with_casual_variants("hai", found))
    noise = load_noise()
    expected = max(scores.get("हैं", -math.inf), scores["है"] + factor * noise.logprob("nasal_drop", "ै"))
    assert extended["हैं"] == pytest.approx(expected)
    # off: the fixed penalties as before
    off = model.with_params({"casual.noise_weight": -1.0, "casual.nasal_penalty": -1.0, "casual.vowel_penalty": -1.0, "casual.convention_penalty": -1.0})
    assert off._with_casual_variants("hai", found) == found


def test_the_context_restores_a_dropped_nasal(model: LearnedModel) -> None:
    weighted = model.with_params({"casual.noise_weight": 1.5})
    assert weighted.devanagarize_words("ghar me kaun hai".split())[1] == "में"


@pytest.mark.parametrize(
    ("typed", "last"),
    [
        # a plural verb form before hai: the agreement that the n-gram model knows decides हैं
        ("bachche school jaate hai", "हैं"),
        ("ve kaam karte hai", "हैं"),
        # a singular one: है stays
        ("vah school jaati hai", "है"),
        ("vah kaam karta hai", "है"),
        ("yah ghar bahut bada hai", "है"),
    ],
)
def test_number_agreement_decides_a_dropped_nasal(model: LearnedModel, typed: str, last: str) -> None:
    assert model.devanagarize_words(typed.split())[-1] == last


def test_the_lexicon_weight_of_the_nasal_drop_leaves_hai_after_a_plural_verb(model: LearnedModel) -> None:
    # the nasal drop weighted as the other edits (its rate as rare as in the lexicon): है (the confusable
    # pairs' classifier off, which reads the plural participle too and would decide हैं)
    lexicon_rate = model.with_params({"casual.nasal_weight": -1.0, "sentence.w_pairs": 0.0})
    assert lexicon_rate.devanagarize_words("bachche school jaate hai".split())[-1] == "है"


def test_a_weighted_noise_model_scales_each_edit(small: NoiseModel) -> None:
    scaled = small.weighted({"nasal_drop": 0.25, "plain_vowel": 2.0})
    for edit, factor in (("nasal_drop", 0.25), ("plain_vowel", 2.0), ("nasal_m", 1.0), ("nasal_medial", 1.0)):
        assert scaled.pooled[edit] == pytest.approx(factor * small.pooled[edit])
        for ctx, lp in small.logprobs[edit].items():
            assert scaled.logprob(edit, ctx) == pytest.approx(factor * lp)
    assert dict(small.weighted({}).variants("hai", "है")) == pytest.approx(dict(small.variants("hai", "है")))


@pytest.mark.parametrize("weights", [{"nasal_drop": -1.0}, {"nasal_drop": math.inf}, {"typo": 1.0}])
def test_a_noise_weight_must_be_a_known_edit_and_not_negative(small: NoiseModel, weights: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="bad weight"):
        small.weighted(weights)


def _sentence_errors():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "sentence_errors.py"
    spec = importlib.util.spec_from_file_location("sentence_errors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("hyp", "ref", "kind"),
    [
        ("है", "हैं", "nasal_final"),
        ("मे", "में", "nasal_final"),
        ("यहां", "यहाँ", "convention"),
        ("हिंदी", "हिन्दी", "convention"),
        ("लिए", "लिये", "convention"),
        ("ओर", "और", "diphthong"),
        ("कि", "की", "vowel_length"),
        ("वर्ष", "वर्षा", "final_aa"),
        ("उन्होने", "उन्होंने", "nasal_medial"),
        ("हे", "हैं", "several"),
        ("थे", "दी", "other"),
    ],
)
def test_the_error_classes_of_the_analysis_script(hyp: str, ref: str, kind: str) -> None:
    assert _sentence_errors().error_class(hyp, ref) == kind



def test_the_analysis_script_pairs_words_with_the_word_before_them() -> None:
    script = _sentence_errors()
    assert list(script.word_pairs(["वे", "करते", "है"], ["वे", "करते", "हैं"])) == [
        ("वे", "वे", ""),
        ("करते", "करते", "वे"),
        ("है", "हैं", "करते"),
    ]
    # unequal lengths: only the aligned words, each with the reference word before it
    assert ("है", "हैं", "करते") in list(script.word_pairs(["वे", "करते", "है"], ["वे", "काम", "करते", "हैं"]))


def test_the_analysis_script_counts_the_agreement_confusion_by_context() -> None:
    script = _sentence_errors()
    triples = [
        ("है", "हैं", "करते"),
        ("है", "हैं", "करते"),
        ("हैं", "हैं", "होते"),
        ("है", "है", "जाता"),
        ("हे", "है", "जाता"),
        ("घर", "घर", "का"),
    ]
    found = script.confusion(triples, ("है", "हैं"))
    assert found == {
        "है→हैं": {"count": 2, "before": {"करते": 2}},
        "हैं→हैं": {"count": 1, "before": {"होते": 1}},
        "है→है": {"count": 1, "before": {"जाता": 1}},
        "other→है": {"count": 1, "before": {"जाता": 1}},
    }
    assert script.classify(triples)["errors"] == 3


@pytest.mark.parametrize(
    ("roman", "position", "form"),
    [("Jabki", 0, "first"), ("dr", 0, "first"), ("BBC", 3, "capitals"), ("Jainon", 2, "capitalized"), ("km", 4, "lowercase"), ("A", 1, "capitalized")],
)
def test_the_analysis_script_tells_how_a_word_was_typed(roman: str, position: int, form: str) -> None:
    assert _sentence_errors().typed_form(roman, position) == form


def test_the_analysis_script_says_where_the_references_of_wrong_words_stand() -> None:
    script = _sentence_errors()
    errors = [
        ("hai", "है", "हैं", 3),  # a candidate: the scores chose another
        ("hai", "है", "हैं", 5),
        ("Dr", "दर", "डॉ", 2),  # a word of the n-gram model the search does not propose
        ("bandi", "बंदी", "बन्दी", 0),  # in the word list only
        ("BBC", "बीबीसी", "BBC", 4),  # nowhere
    ]
    found = script.coverage(
        errors,
        {"hai": ("है", "हैं"), "Dr": ("दर",), "bandi": ("बंदी",), "BBC": ("बीबीसी",)}.__getitem__,
        {"है", "हैं", "दर", "डॉ"}.__contains__,
        {"बन्दी", "बंदी"}.__contains__,
    )
    assert {where: (v["count"], v["typed"]) for where, v in found.items()} == {
        "candidate": (2, {"lowercase": 2}),
        "lm": (1, {"capitalized": 1}),
        "listed": (1, {"first": 1}),
        "unknown": (1, {"capitals": 1}),
    }
    assert found["candidate"]["examples"] == ["hai:है→हैं"]
