"""Word alignment inside a sentence pair (lipyantar.align.words)."""

from __future__ import annotations

import pytest

from lipyantar.align import WordLink, align_words, word_pair_counts
from lipyantar.align.similarity import Similarity, edit_distance


def _pairs(links: list[WordLink]) -> list[tuple[str, str]]:
    return [(link.deva, link.roman) for link in links]


@pytest.mark.parametrize(
    ("deva", "roman", "expected"),
    [
        # glued on both sides: 1-1
        (
            "1987 में आईसीएम केसंविधान में",
            "1987 main isiem kesanvidhan main",
            [("1987", "1987"), ("में", "main"), ("आईसीएम", "isiem"), ("केसंविधान", "kesanvidhan"), ("में", "main")],
        ),
        (
            "परिषद में सभीसदस्य देशों",
            "parishad main sabhisadasy deshon",
            [("परिषद", "parishad"), ("में", "main"), ("सभीसदस्य", "sabhisadasy"), ("देशों", "deshon")],
        ),
        # glued on the Devanagari side only: 1-2
        (
            "जो 1989 से लागूहुए।",
            "jo 1989 se lagu hue.",
            [("जो", "jo"), ("1989", "1989"), ("से", "se"), ("लागूहुए।", "lagu hue.")],
        ),
        (
            "परिषद में सभीसदस्य देशों",
            "parishad main sabhi sadasy deshon",
            [("परिषद", "parishad"), ("में", "main"), ("सभीसदस्य", "sabhi sadasy"), ("देशों", "deshon")],
        ),
        # glued on the roman side only: 2-1
        (
            "इसकी वार्षिक बैठक होती है।",
            "iskivarshik baithak hoti he.",
            [("इसकी वार्षिक", "iskivarshik"), ("बैठक", "baithak"), ("होती", "hoti"), ("है।", "he.")],
        ),
        ("के संविधान में", "kesanvidhan main", [("के संविधान", "kesanvidhan"), ("में", "main")]),
        # a word missing on one side: 1-0 / 0-1
        (
            "वह बहुत अच्छा लड़का है",
            "vah achha ladka hai",
            [("वह", "vah"), ("बहुत", ""), ("अच्छा", "achha"), ("लड़का", "ladka"), ("है", "hai")],
        ),
        ("वह अच्छा है", "vah bahut achha hai", [("वह", "vah"), ("", "bahut"), ("अच्छा", "achha"), ("है", "hai")]),
    ],
)
def test_align_words_cases(deva: str, roman: str, expected: list[tuple[str, str]]) -> None:
    assert _pairs(align_words(deva, roman)) == expected


def test_link_indices_and_kinds() -> None:
    links = align_words("जो 1989 से लागूहुए।", "jo 1989 se lagu hue.")
    assert [(link.deva_index, link.roman_index, link.kind) for link in links] == [
        ((0,), (0,), "1-1"),
        ((1,), (1,), "1-1"),
        ((2,), (2,), "1-1"),
        ((3,), (3, 4), "1-2"),
    ]
    assert all(0.0 <= link.score <= 1.0 for link in links)
    assert links[1].score == 1.0  # equal numbers


def test_token_lists_and_empty_sides() -> None:
    assert _pairs(align_words(["नमस्ते", "दोस्त"], ["namaste", "dost"])) == [
        ("नमस्ते", "namaste"),
        ("दोस्त", "dost"),
    ]
    assert _pairs(align_words("", "ek do")) == [("", "ek"), ("", "do")]
    assert _pairs(align_words("एक", "")) == [("एक", "")]
    assert align_words("", "") == []


def test_dakshina_sample_equal_length_sentences_are_diagonal(dev_sentences: list[tuple[str, str]]) -> None:
    """On the vendored sample, nearly every word of equal-length sentence pairs links to its position twin."""
    sim = Similarity()
    total = diagonal = 0
    for native, roman in dev_sentences[:120]:
        dt, rt = native.split(), roman.split()
        if len(dt) != len(rt):
            continue
        links = align_words(dt, rt, similarity=sim)
        total += len(dt)
        diagonal += sum(
            1 for link in links if link.deva_index == link.roman_index and len(link.deva_index) == 1
        )
    assert total > 1200
    assert diagonal / total >= 0.97


def test_word_pair_counts() -> None:
    links = align_words("में में बहुत", "main main") + align_words("में", "men")
    counts = word_pair_counts(links)
    assert counts[("में", "main")] == 2
    assert counts[("में", "men")] == 1
    assert all(d and r for d, r in counts)  # 1-0 links are left out
    assert word_pair_counts(links, min_score=1.01) == {}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("", "", 0.5), ValueError),
        (("क", "k", 2.0), ValueError),
        (("क", "k", "x"), TypeError),
        (("क", "k", 0.5, (0, 2)), ValueError),
        (("क", "k", 0.5, (0,), (0, 1)), ValueError),  # one roman word, two positions
        ((1, "k", 0.5), TypeError),
    ],
)
def test_wordlink_validation(args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        WordLink(*args)


@pytest.mark.parametrize(
    ("a", "b", "d"), [("", "", 0), ("abc", "", 3), ("kitten", "sitting", 3), ("prvsn", "prvsn", 0)]
)
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert edit_distance(a, b) == d == edit_distance(b, a)
