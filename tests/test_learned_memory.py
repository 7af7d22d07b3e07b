"""Attested spellings that the character aligner cannot explain (``delhi`` → दिल्ली, ``dna`` → डीएनए): they stay
in the memory (``memory_min_count``) and compete with the search's spellings (``r2d.attested_gap``); and words
typed in capitals read letter by letter (``acronyms.caps``)."""

from __future__ import annotations

import pytest
from test_learned import synthetic_pairs  # tests/ is on sys.path under pytest

from lipyantar.translit.learned.charalign import normalize_roman
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.transliterate import Transliterator

# a frequent real pair and a malformed one, in letters the synthetic scheme never uses: the aligner
# cannot spell them from the syllables it learns
ODD = [("दिल्ली", "delhi", 5.0), ("अौर", "aur", 5.0), ("ढूँढ", "dhoondh", 1.0)]


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return default_model()


@pytest.mark.parametrize(("min_count", "rescued"), [(2.0, {"दिल्ली"}), (6.0, set())])
def test_dropped_pairs_enter_the_memory_when_attested_often_and_well_formed(
    min_count: float, rescued: set[str]
) -> None:
    model = train(
        synthetic_pairs(300, seed=3) + ODD,
        native_text=["कमल नमक"],
        order=3,
        noise_fraction=0.01,
        memory_min_count=min_count,
    )
    known = {deva for roman in ("delhi", "aur", "dhoondh") for deva in model.memory.r2d.get(roman, {})}
    assert known == rescued
    assert model.meta["memory_rescued"] == len(rescued)


def test_the_shipped_memory_has_the_pairs_the_aligner_drops(shipped: LearnedModel) -> None:
    assert shipped.memory.r2d["delhi"]["दिल्ली"] >= 2
    assert "डीआरडीओ" in shipped.memory.r2d["drdo"]
    assert int(shipped.meta["memory_rescued"]) > 50
    # an English word the memory did not know stays the English model's (and --english keep's)
    assert shipped.english is not None and shipped.english.pronunciations("my")
    assert "my" not in shipped.memory.r2d


@pytest.mark.slow
def test_an_english_word_is_rescued_only_when_the_memory_knows_it() -> None:
    # both Latin words have an English pronunciation; kamala is also the romanization of कमल, which
    # the aligner explains, delhi of nothing else
    pron = ("\ue00e\ue00a\ue014\ue010",)
    pairs = [
        *synthetic_pairs(300, seed=3),
        ("कमल", "kamala", 2.0),
        ("दिल्ली", "kamala", 5.0),
        ("दिल्ली", "delhi", 5.0),
    ]
    model = train(
        pairs,
        native_text=["कमल नमक"],
        order=3,
        noise_fraction=0.01,
        pronunciations={"delhi": pron, "kamala": pron},
    )
    assert model.memory.r2d["kamala"] == {"कमल": 2.0, "दिल्ली": 5.0}
    assert "delhi" not in model.memory.r2d


def _rank(model: LearnedModel, roman: str, deva: str) -> int:
    ranked = [d for d, _s in model._channel(roman, "context")]
    return ranked.index(deva) if deva in ranked else len(ranked)


@pytest.mark.parametrize(("roman", "deva"), [("delhi", "दिल्ली"), ("led", "एलईडी")])
def test_a_smaller_gap_ranks_the_attested_spelling_higher(
    shipped: LearnedModel, roman: str, deva: str
) -> None:
    ranks = [
        _rank(shipped.with_params({"r2d.attested_gap": gap}), roman, deva) for gap in (0.0, 4.0, 12.0, -1.0)
    ]
    assert ranks == sorted(ranks)
    assert ranks[0] < ranks[-1]


@pytest.mark.parametrize(
    ("sentence", "word", "expected"),
    [
        ("hum delhi jayenge", "delhi", "दिल्ली"),
        ("delhi bharat ki rajdhani hai", "delhi", "दिल्ली"),
    ],
)
def test_attested_spelling_wins_in_context_only_with_the_gap(
    shipped: LearnedModel, sentence: str, word: str, expected: str
) -> None:
    words = sentence.split()
    at = words.index(word)
    assert shipped.devanagarize_words(words)[at] == expected
    assert shipped.with_params({"r2d.attested_gap": -1.0}).devanagarize_words(words)[at] != expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("DNA", "डीएनए"),
        ("RNA", "आरएनए"),
        ("TV", "टीवी"),  # an English pronunciation that spells the letters
        ("DRDO", "डीआरडीओ"),
        ("OPCW", "ओपीसीडब्ल्यू"),
    ],
)
def test_capitals_read_letter_by_letter(shipped: LearnedModel, word: str, expected: str) -> None:
    assert shipped.devanagarize(word) == expected
    assert shipped.devanagarize_topk(word, 5)[0][0] == expected
    assert shipped.devanagarize_words(["iska", word, "kya", "hai"])[1] == expected
    # the same word in lower case is not read as an acronym unless the model says so
    off = shipped.with_params({"acronyms.caps": False})
    assert off.devanagarize_topk(word, 5) == shipped.devanagarize_topk(word.lower(), 5)


@pytest.mark.parametrize(
    "word",
    [
        "AUR",  # shouted Hindi: the memory knows aur only as और
        "YOU",  # shouted English: its pronunciation is not its letters
        "PLEASE",
        "NAHI",
        "A",  # one letter
        "DNAS1",  # not letters only
        "Dna",  # not all capitals
        "DEVANAGARI",  # longer than acronyms.caps_max
    ],
)
def test_capitals_rule_does_not_apply(shipped: LearnedModel, word: str) -> None:
    assert shipped._caps_acronym(word, normalize_roman(word)) is None
    assert shipped.devanagarize_topk(word, 3) == shipped.with_params(
        {"acronyms.caps": False}
    ).devanagarize_topk(word, 3)


def test_topk_keeps_scores_ordered_with_the_acronym_first(shipped: LearnedModel) -> None:
    ranked = shipped.devanagarize_topk("PWD", 5)
    assert ranked[0][0] == "पीडब्ल्यूडी"
    assert len({deva for deva, _ in ranked}) == len(ranked) == 5
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


def test_capitals_rule_through_the_transliterator(shipped: LearnedModel) -> None:
    conv = Transliterator("roman", "deva", model=shipped)
    out = conv.transliterate("DNA aur RNA ki sanrachna alag hai")
    assert out.split()[0] == "डीएनए" and out.split()[2] == "आरएनए"
