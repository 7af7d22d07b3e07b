"""The fast paths of the aligner and the segmenter give the same results as the plain definitions.

Batched sentence features (:meth:`Similarity.features_many`), the aligner's sliding feature window,
the segmenter's shortcuts for plain paragraphs and plain Latin words, and the quote/bracket spans.
"""

from __future__ import annotations

import random
from functools import reduce
from operator import or_

import pytest

from lipyantar.align import align_sentences, split_sentences
from lipyantar.align import segment as segment_module
from lipyantar.align import sentences as sentences_module
from lipyantar.align.similarity import Similarity, builtin_romanize


def _reference_features(sim: Similarity, text: str) -> tuple[int, int, frozenset[str]]:
    """Sentence features by their definition: OR of the words' bigram bits, sum of their skeleton
    lengths, union of their numbers."""
    infos = [sim.word_info(word) for word in text.split()]
    return (
        reduce(or_, [info[1] for info in infos], 0),
        sum(info[3] for info in infos),
        frozenset().union(*[info[4] for info in infos]),
    )


def test_features_many_matches_the_definition(dev_sentences: list[tuple[str, str]]) -> None:
    texts = [t for pair in dev_sentences[:60] for t in pair] + [
        "",
        "   ",
        "सन् १९४७ में 15 अगस्त",  # Devanagari and ASCII digits
        "1,00,000 रुपये और २,५०० डॉलर",  # grouped numbers
        "3.5 km  और\tटैब",  # decimals, odd whitespace
        "pahla\nvakya 12",  # a newline inside a text
        "12",
        "१२",
    ]
    sim = Similarity(romanize=builtin_romanize)
    bits, lengths, numbers = sim.features_many(texts)  # first pass: memoizes the words
    assert list(zip(bits, lengths, numbers, strict=True)) == [_reference_features(sim, t) for t in texts]
    again = sim.features_many(texts)  # second pass: the fast path
    assert again == (bits, lengths, numbers)
    assert sim.features("सन् १९४७ में 15 अगस्त") == (bits[-6], lengths[-6], numbers[-6])
    assert numbers[-6] == frozenset({"1947", "15"})
    assert numbers[-5] == frozenset({"100000", "2500"})
    assert sim.features_many([]) == ([], [], [])


def test_features_survive_a_cleared_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The word memo is cleared when it grows too large, possibly in the middle of a batch."""
    sim = Similarity(romanize=builtin_romanize)
    texts = ["यह एक वाक्य है", "दूसरा वाक्य यहाँ", "yah ek vakya hai"]
    expected = [_reference_features(Similarity(romanize=builtin_romanize), t) for t in texts]
    calls = 0
    original = sim.word_info

    def clearing_word_info(word: str) -> tuple:
        nonlocal calls
        calls += 1
        if calls % 3 == 0:  # as if the memo had just overflowed
            sim._word_cache.clear()
            sim._packed.clear()
        return original(word)

    monkeypatch.setattr(sim, "word_info", clearing_word_info)
    assert list(zip(*sim.features_many(texts), strict=True)) == expected


def _perturbed(pairs: list[tuple[str, str]], seed: int, size: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    deva: list[str] = []
    roman: list[str] = []
    for _ in range(size):
        d, r = pairs[rng.randrange(len(pairs))]
        x = rng.random()
        if x < 0.03:
            deva.append(d)  # deleted on the roman side
        elif x < 0.06:
            roman.append(r)  # deleted on the Devanagari side
        elif x < 0.09 and deva:
            deva[-1] += " " + d  # merged on the Devanagari side
            roman.append(r)
        else:
            deva.append(d)
            roman.append(r)
    return deva, roman


def test_feature_window_size_does_not_change_the_alignment(
    dev_sentences: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Features are computed a block at a time and forgotten behind the walk: tiny blocks (many
    refills and trims) and one block for the whole document align alike."""
    deva, roman = _perturbed(dev_sentences, 5, 600)
    deva[300:330] = []  # a long gap: resynchronization and block-wise alignment
    reference = align_sentences(deva, roman, window=8)
    for block in (3, 17, 5000):
        monkeypatch.setattr(sentences_module, "_BLOCK", block)
        assert align_sentences(deva, roman, window=8) == reference
        assert align_sentences(deva, roman, window=8, max_bead=3) == align_sentences(
            deva, roman, window=8, max_bead=3
        )
    assert [i for b in reference for i in b.deva] == list(range(len(deva)))
    assert [j for b in reference for j in b.roman] == list(range(len(roman)))


def test_sentences_of_other_sequence_types(dev_sentences: list[tuple[str, str]]) -> None:
    class Wrapped:  # a Sequence that is neither a list nor a tuple
        def __init__(self, items: list[str]) -> None:
            self.items = items

        def __len__(self) -> int:
            return len(self.items)

        def __getitem__(self, k: int) -> str:
            return self.items[k]

    from collections.abc import Sequence

    Sequence.register(Wrapped)
    deva = [d for d, _ in dev_sentences[:30]]
    roman = [r for _, r in dev_sentences[:30]]
    expected = align_sentences(deva, roman)
    assert align_sentences(Wrapped(deva), tuple(roman)) == expected

    class Text(str):
        pass

    assert align_sentences([Text(d) for d in deva], roman) == expected
    with pytest.raises(TypeError, match="str or Sentence"):
        align_sentences([*deva[:3], 3], roman[:4])  # type: ignore[list-item]


def _reference_protected(text: str) -> list[int]:
    """The quote/bracket spans filled in character by character (the definition)."""
    inside = [-1] * len(text)
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    open_quote: dict[str, int] = {}
    for match in segment_module._BRACKETISH.finditer(text):
        k = match.start()
        ch = match.group()
        if ch in segment_module._CLOSERS:
            stack.append((segment_module._CLOSERS[ch], k))
        elif stack and ch == stack[-1][0]:
            spans.append((stack.pop()[1], k))
        elif ch in segment_module._CLOSING_CHARS and ch not in segment_module._SYMMETRIC_QUOTES:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    spans.append((stack[depth][1], k))
                    del stack[depth:]
                    break
        elif ch == '"' or (ch == "'" and segment_module._is_quote_apostrophe(text, k)):
            if ch in open_quote:
                spans.append((open_quote.pop(ch), k))
            else:
                open_quote[ch] = k
    for start, end in spans:
        for k in range(start + 1, end):
            if inside[k] == -1 or inside[k] > end:
                inside[k] = end
    return inside


def test_protected_spans_match_the_definition() -> None:
    rng = random.Random(7)
    alphabet = list("ab .।()[]{}\"'“”‘’«»")
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert segment_module._protected(text) == _reference_protected(text), text


@pytest.mark.parametrize(
    ("text", "script", "expected"),
    [
        # plain Devanagari paragraphs (the regex fast path), with runs of marks and "|"
        ("पहला वाक्य। दूसरा वाक्य।। तीसरा?! चौथा", "deva", ["पहला वाक्य।", "दूसरा वाक्य।।", "तीसरा?!", "चौथा"]),
        ("पहला|दूसरा | तीसरा", "deva", ["पहला|", "दूसरा |", "तीसरा"]),
        # odd whitespace is normalized whichever path is taken
        ("पहला\tवाक्य।\u00a0 दूसरा  वाक्य।", "deva", ["पहला वाक्य।", "दूसरा वाक्य।"]),
        ("pahla  vakya. dusra\u2003vakya.", "roman", ["pahla vakya.", "dusra vakya."]),
        # a ZWJ / ZWNJ (not printable) is kept
        ("क्\u200dष वाक्य। दूसरा", "deva", ["क्\u200dष वाक्य।", "दूसरा"]),
        # plain Latin words before ". ", abbreviations, "www.", glued sentences
        ("yah hai. www. example dekho. agla", "roman", ["yah hai.", "www. example dekho.", "agla"]),
        (
            "Dr. Sharma aaye. phir etc. aur. ant etc.",
            "roman",
            ["Dr. Sharma aaye.", "phir etc. aur.", "ant etc."],
        ),
        ("jaati hai.yatayaat band hai.", "roman", ["jaati hai.", "yatayaat band hai."]),
        ("dekho google.com par. phir", "roman", ["dekho google.com par.", "phir"]),
        ("dekho site.in. phir", "roman", ["dekho site.in. phir"]),
        ("A. R. Rahman aaye. U.N. ne kaha.", "roman", ["A. R. Rahman aaye.", "U.N. ne kaha."]),
        # Devanagari with "." (the general loop) and with quotes (the quote-aware loop)
        ("डॉ. शर्मा आए। बी. एस. क्रिस भी।", "deva", ["डॉ. शर्मा आए।", "बी. एस. क्रिस भी।"]),
        ('उसने कहा, "मैं आया।" फिर वह गया।', "deva", ['उसने कहा, "मैं आया।"', "फिर वह गया।"]),
    ],
)
def test_segmentation_shortcuts(text: str, script: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text, script=script)] == expected  # type: ignore[arg-type]


def test_fast_sentences_are_real_sentences() -> None:
    sentences = split_sentences("पहला वाक्य। दूसरा वाक्य।\n\nतीसरा।", script="deva")
    assert [(s.text, s.index, s.paragraph) for s in sentences] == [
        ("पहला वाक्य।", 0, 0),
        ("दूसरा वाक्य।", 1, 0),
        ("तीसरा।", 2, 1),
    ]
    assert sentences[0] == type(sentences[0])("पहला वाक्य।", 0, 0)
    assert hash(sentences[0]) == hash(type(sentences[0])("पहला वाक्य।", 0, 0))
    with pytest.raises(AttributeError):
        sentences[0].text = "x"  # type: ignore[misc]


def test_glued_infos_are_the_word_infos_and_kept_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """The word aligner's two-word units get :meth:`Similarity.word_info`'s values, from their own bounded
    memo: the single words' memo does not fill with them."""
    from lipyantar.align import similarity as similarity_module

    monkeypatch.setattr(similarity_module, "GLUED_MEMO_LIMIT", 3)
    sim, reference = Similarity(), Similarity()
    glued = ["घर जा", "main ghar", "१२ बजे", "12 baje", "घर जा", "ok?  no", "क़लम से", "kalam se"]
    assert sim.glued_infos(glued) == [reference.word_info(w) for w in glued]
    assert sim.glued_infos(glued[::-1]) == [reference.word_info(w) for w in glued[::-1]]
    assert not sim._word_cache and 0 < len(sim._glued_cache) <= 3 + len(glued)
