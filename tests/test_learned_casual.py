"""Sentence decoding of casually typed words: dropped final nasals (``me`` for में, ``hai`` for हैं,
``evam`` for एवं), e and o for the diphthongs ai and au (``or`` for और), and misspellings the search
cannot spell (``varsa`` for वर्ष)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lipyantar.translit.learned.charalign import is_wellformed
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.variants import convention_variants, nasal_variants, vowel_variants
from lipyantar.translit.metrics import edit_distance


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    # the fixed penalties of each kind of variant (casual.nasal_penalty, casual.vowel_penalty), which the
    # noise model replaces by default (tests/test_learned_noise.py)
    return default_model().with_params({"casual.noise_weight": -1.0})


def assert_context_flips(
    model: LearnedModel, sentence: str, position: int, switch: str, on_word: str, off_word: str
) -> None:
    """With the variants of ``switch`` (a penalty parameter) the word at ``position`` is ``on_word``;
    without them it is ``off_word``; every other word is the same either way."""
    words = sentence.split()
    on = model.devanagarize_words(words)
    off = model.with_params({switch: -1.0}).devanagarize_words(words)
    assert on[position] == on_word
    assert off[position] == off_word
    assert [w for i, w in enumerate(on) if i != position] == [w for i, w in enumerate(off) if i != position]


@pytest.mark.parametrize(
    ("roman", "deva", "expected"),
    [
        ("me", "मे", ("में",)),
        ("ma", "मा", ("मां", "माँ")),
        ("hai", "है", ("हैं",)),
        ("dono", "दोनो", ("दोनों",)),
        ("thi", "थी", ("थीं",)),
        ("yaha", "यहा", ("यहां", "यहाँ")),
        ("hu", "हु", ("हुँ",)),
        ("unhe", "उन्हे", ("उन्हें",)),
        ("mem", "मेम", ("में",)),
        ("evam", "एवम", ("एवं",)),
        # already nasal, a consonant ending, too short, nothing
        ("mein", "में", ()),
        ("ghar", "घर", ()),
        ("hum", "हुम", ("हुं",)),
        ("m", "म", ()),
        ("avm", "एवम", ("एवं",)),
        ("hm", "हम्", ()),
        ("kam", "कम", ("कं",)),  # proposed; the n-gram model's vocabulary keeps only known words
        ("", "मे", ()),
        ("me", "", ()),
    ],
)
def test_nasal_variants(roman: str, deva: str, expected: tuple[str, ...]) -> None:
    assert nasal_variants(roman, deva) == expected


@pytest.mark.parametrize(
    ("sentence", "position", "nasal", "bare"),
    [
        ("ve kaam kar rahe hai", 4, "हैं", "है"),
        ("is kshetra me kai nadiyan hai", 5, "हैं", "है"),
        ("vah ek mahan neta evam lekhak the", 4, "एवं", "एवम"),
        ("is shahar mem ek mandir hai", 2, "में", "मेम"),
    ],
)
def test_context_restores_a_dropped_nasal(
    model: LearnedModel, sentence: str, position: int, nasal: str, bare: str
) -> None:
    assert_context_flips(model, sentence, position, "casual.nasal_penalty", nasal, bare)


def test_a_singular_verb_keeps_its_form(model: LearnedModel) -> None:
    # the context, not the variant, decides: "vah ghar me hai" is singular
    assert model.devanagarize_words("vah ghar me hai".split())[-1] == "है"


def test_variants_only_compete_in_context(model: LearnedModel) -> None:
    # one word alone is the single-best answer, which the nasal variants do not touch
    assert model.devanagarize_words(["me"]) == [model.devanagarize("me")]
    assert model.devanagarize_topk("me", 5) == model.with_params(
        {"casual.nasal_penalty": -1.0}
    ).devanagarize_topk("me", 5)


def test_the_penalty_orders_a_variant_below_its_source(model: LearnedModel) -> None:
    column = dict(zip(*model._column("dono"), strict=True))
    strict = model.with_params({"casual.nasal_penalty": 50.0})
    strict_column = dict(zip(*strict._column("dono"), strict=True))
    # with a huge penalty the variant keeps the score the search gave it
    off = dict(zip(*model.with_params({"casual.nasal_penalty": -1.0})._column("dono"), strict=True))
    assert strict_column["दोनों"] == off["दोनों"]
    assert column["दोनों"][0] >= off["दोनों"][0]
    assert column["दोनों"][0] <= column["दोनो"][0]


@pytest.mark.parametrize(
    ("roman", "deva", "expected"),
    [
        ("or", "ओर", ("और",)),
        ("he", "हे", ("है",)),
        ("kon", "कोन", ("कौन",)),
        ("kese", "केसे", ("कैसे", "केसै", "कैसै")),
        ("mosam", "मोसम", ("मौसम",)),
        # an e or o inside ai/au/ay/aw is already the diphthong's
        ("kaise", "कैसे", ("कैसै",)),
        ("aur", "ओर", ()),
        ("hai", "हे", ()),
        ("payr", "पेर", ()),
        # no e or o in the input, or no ए/े/ओ/ो in the candidate
        ("ghar", "घर", ()),
        ("bina", "बेना", ()),
        ("or", "अर", ()),
        ("", "ओर", ()),
        ("or", "", ()),
    ],
)
def test_vowel_variants(roman: str, deva: str, expected: tuple[str, ...]) -> None:
    assert vowel_variants(roman, deva) == expected


@pytest.mark.parametrize(
    ("sentence", "position", "diphthong", "plain"),
    [
        ("ram or shyam", 1, "और", "ओर"),
        ("bharat or china ke beech", 1, "और", "ओर"),
    ],
)
def test_context_restores_a_diphthong(
    model: LearnedModel, sentence: str, position: int, diphthong: str, plain: str
) -> None:
    assert_context_flips(model, sentence, position, "casual.vowel_penalty", diphthong, plain)


def test_the_context_keeps_the_plain_vowel_where_it_fits(model: LearnedModel) -> None:
    # "ki or" is की ओर (towards): the variant competes but the trigram keeps ओर
    assert model.devanagarize_words("vah ghar ki or chala".split())[3] == "ओर"


def test_vowel_variants_are_scored_the_penalty_below_their_source(model: LearnedModel) -> None:
    p = model.params
    found = model._channel("or", p.sentence.words)[: p.sentence.nbest]
    scores = dict(found)
    assert "ओर" in scores
    only_vowels = model.with_params({"casual.nasal_penalty": -1.0})
    extended = dict(only_vowels._with_casual_variants("or", found))
    assert extended["और"] == pytest.approx(max(scores.get("और", -1e9), scores["ओर"] - p.casual.vowel_penalty))
    off = model.with_params({"casual.nasal_penalty": -1.0, "casual.vowel_penalty": -1.0, "casual.convention_penalty": -1.0})
    assert off._with_casual_variants("or", found) == found


@pytest.mark.parametrize(
    ("sentence", "position", "word", "search"),
    [
        ("is varsa barish kam hui", 1, "वर्ष", "वार्स"),
        ("ham prashiksan ke liye gaye", 1, "प्रशिक्षण", "प्रशिक्सन"),
        ("mujhe kucch nahi pata", 1, "कुछ", "कुच्छ"),
    ],
)
def test_context_picks_a_known_word_of_the_same_skeleton(
    model: LearnedModel, sentence: str, position: int, word: str, search: str
) -> None:
    words = sentence.split()
    assert model.devanagarize_words(words)[position] == word
    assert model.with_params({"casual.skeleton_cands": 0}).devanagarize_words(words)[position] == search


def test_skeleton_words_are_scored_below_the_best_by_penalty_and_distance(model: LearnedModel) -> None:
    p = model.params
    found = model._channel("varsa", p.sentence.words)[: p.sentence.nbest]
    assert "वर्ष" not in dict(found)
    extended = dict(model._with_skeleton_words("varsa", found))
    best = max(score for _, score in found)
    dist = edit_distance("varsa", model.romanize("वर्ष"))
    assert dist > 0
    assert extended["वर्ष"] == pytest.approx(best - p.casual.skeleton_penalty - p.casual.skeleton_dist * dist)
    # only n-gram vocabulary words, at most casual.skeleton_cands of them
    added = [d for d in extended if d not in dict(found)]
    assert 0 < len(added) <= p.casual.skeleton_cands
    assert all(d in model.wordlm.ids for d in added)
    # none further than casual.skeleton_max_dist edits from the input; a larger limit lets more in
    assert all(edit_distance("varsa", model.romanize(d)) <= p.casual.skeleton_max_dist for d in added)
    loose = model.with_params({"casual.skeleton_max_dist": 99})
    more = [d for d in dict(loose._with_skeleton_words("varsa", found)) if d not in dict(found)]
    assert set(added) < set(more)
    assert max(edit_distance("varsa", model.romanize(d)) for d in more) > p.casual.skeleton_max_dist


@pytest.mark.parametrize("roman", ["kam", "ghar", "din"])
def test_skeleton_words_only_for_words_whose_best_candidate_is_unknown(
    model: LearnedModel, roman: str
) -> None:
    devas, _ = model._column(roman)
    assert devas[0] in model.wordlm.ids  # the search found a known word: no skeleton words
    always = model.with_params({"casual.skeleton_always": True})._column(roman)[0]
    assert set(devas) < set(always)
    assert model.with_params({"casual.skeleton_cands": 0})._column(roman)[0] == devas


def test_skeleton_words_leave_single_words_alone(model: LearnedModel) -> None:
    assert model.devanagarize_words(["varsa"]) == [model.devanagarize("varsa")]


@pytest.mark.parametrize("word", ["meeting", "office", "computer"])
def test_skeleton_words_leave_english_words_alone(model: LearnedModel, word: str) -> None:
    # a word the model reads as English is spelled as English spells it: no mistyped-Hindi neighbours,
    # so --english keep still sees its English reading
    found = model._channel(word, model.params.sentence.words)[: model.params.sentence.nbest]
    assert model.is_english(word, found[0][0])
    assert model._with_skeleton_words(word, found) == found


# -- spelling conventions (casual.convention_penalty) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("deva", "expected"),
    [
        ("गांव", ("ग़ांव", "गाँव", "गांव्")),  # anusvara → chandrabindu; a nukta on ग; a final virama
        ("पाँच", ("पाँच्", "पांच")),
        ("फिल्म", ("फ़िल्म", "फिल्म्")),
        ("फ़िल्म", ("फ़िल्म्", "फिल्म")),
        ("हिंदी", ("हिँदी", "हिन्दी")),  # anusvara before द → न्
        ("हिन्दी", ("हिंदी",)),
        ("सम्बन्ध", ("संबन्ध", "सम्बंध", "सम्बन्ध्")),  # one change at a time
        ("ठण्डा", ("ठंडा",)),
        ("अंग", ("अँग", "अंग़", "अंग्", "अङ्ग")),
        ("गये", ("गए", "ग़ये")),
        ("लिये", ("लिए",)),
        ("गई", ("गयी", "ग़ई")),
        # the glide य inside a word, a final virama
        ("जायेगा", ("ज़ायेगा", "जाएगा", "जायेग़ा")),
        ("गयीं", ("गईं", "गयीँ", "ग़यीं")),
        ("सन", ("सन्",)),
        ("अर्थात्", ("अर्थात",)),
        # a nasal with virama before a stop of another class, doubled nasals: only the final virama;
        # a bare ए, a one-letter word: nothing
        ("अन्य", ("अन्य्",)),
        ("सम्मान", ("सम्मान्",)),
        ("ए", ()),
        ("स्", ()),
        ("", ()),
    ],
)
def test_convention_variants(deva: str, expected: tuple[str, ...]) -> None:
    assert convention_variants(deva) == expected


DEVA_LETTERS = st.sampled_from([*"कखगजफदबपटतनमणङञयरलवसहअआएई", "ं", "ँ", "्", "\u093c", "े", "ि", "ा"])


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(st.text(DEVA_LETTERS, max_size=8))
def test_convention_variants_are_symmetric(deva: str) -> None:
    # each change can be undone: the variants of a variant include the word (of a well-formed word:
    # candidates always are)
    assume(is_wellformed(deva) and "\u093c\u093c" not in deva)
    for variant in convention_variants(deva):
        assert variant != deva
        assert deva in convention_variants(variant), variant


def test_convention_variants_compete_the_penalty_below_their_source(model: LearnedModel) -> None:
    strict = model.with_params(
        {
            "casual.nasal_penalty": -1.0,
            "casual.vowel_penalty": -1.0,
            "casual.convention_penalty": 7.0,
            "casual.convention_listed": False,  # (the n-gram model's words only)
        }
    )
    found = strict._with_casual_variants("angan", (("आंगन", -10.0), ("अंगन", -12.0)))
    scores = dict(found)
    assert scores["आँगन"] == -17.0  # known to the n-gram model, 7 below its source
    assert all(strict.wordlm.ids.get(deva, 1) != 1 for deva in scores if deva not in ("आंगन", "अंगन"))
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    off = strict.with_params({"casual.convention_penalty": -1.0})
    assert off._with_casual_variants("angan", (("आंगन", -10.0),)) == (("आंगन", -10.0),)


@pytest.mark.parametrize(
    ("known", "variant"),
    [
        ("गोमतीकुंड", "गोमतीकुण्ड"),  # the class nasal
        ("रीफों", "रीफ़ों"),  # the nukta
    ],
)
def test_convention_variants_of_words_the_n_gram_model_does_not_know_come_from_the_word_list(
    model: LearnedModel, known: str, variant: str
) -> None:
    listed = model.with_params({"casual.convention_penalty": 7.0, "casual.convention_listed": True})
    assert listed.wordlm.ids.get(known) is None and listed.wordlm.ids.get(variant) is None
    assert listed.vocabulary is not None and variant in listed.vocabulary
    scores = {known: -10.0}
    assert listed._add_conventions(scores)
    assert scores[variant] == -17.0
    # only the word list's spellings: not every convention variant
    assert all(deva == known or deva in listed.vocabulary for deva in scores)
    off = {known: -10.0}
    assert not listed.with_params({"casual.convention_listed": False})._add_conventions(off)
    assert off == {known: -10.0}


def test_a_word_the_n_gram_model_knows_gets_only_its_known_convention_variants(model: LearnedModel) -> None:
    listed = model.with_params({"casual.convention_penalty": 7.0, "casual.convention_listed": True})
    scores = {"घंटे": -10.0}  # known to the n-gram model; घण्टे is in the word list only
    assert listed.wordlm.ids.get("घंटे") is not None and listed.wordlm.ids.get("घण्टे") is None
    listed._add_conventions(scores)
    assert "घण्टे" not in scores


@pytest.mark.parametrize(
    ("sentence", "position", "chosen", "plain"),
    [
        ("ghar ke angan mein", 2, "आँगन", "आंगन"),
        ("kai bhashayen boli jati hai", 1, "भाषाएँ", "भाषाएं"),
    ],
)
def test_context_chooses_the_convention(
    model: LearnedModel, sentence: str, position: int, chosen: str, plain: str
) -> None:
    assert_context_flips(model, sentence, position, "casual.convention_penalty", chosen, plain)


def test_convention_variants_only_of_candidates_within_the_window(model: LearnedModel) -> None:
    found = (("अंगन", -10.0), ("आंगन", -25.0))
    base = model.with_params(
        {"casual.nasal_penalty": -1.0, "casual.vowel_penalty": -1.0, "casual.convention_penalty": 7.0}
    )
    near = dict(base.with_params({"casual.convention_window": 10.0})._with_casual_variants("angan", found))
    wide = dict(base.with_params({"casual.convention_window": 20.0})._with_casual_variants("angan", found))
    assert "आँगन" not in near
    assert wide["आँगन"] == -32.0
