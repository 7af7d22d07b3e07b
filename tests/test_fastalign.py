"""The word aligner's fast paths give exactly the results of its definition.

* The compiled kernel (``lipyantar.align._fastalign``): skeletons, folded spellings, word scores and the
  banded dynamic programme, against the Python reference code (scores equal to the last bit).
* :func:`lipyantar.align.words.align_words`, compiled and in Python, against the aligner as it was
  written before it was made fast (a copy below: a dictionary per cell, a word score per pair of
  strings, every link checked), on random token lists and on the Dakshina sample.
"""

from __future__ import annotations

import itertools
import math
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.align import words as words_module
from lipyantar.align.similarity import (
    Similarity,
    builtin_romanize,
    fold_python,
    gram_bits,
    skeleton,
    skeleton_python,
)
from lipyantar.align.words import WordLink, align_words
from lipyantar.translit.metrics import _edit_distance_python

#: the compiled kernel, or None when it is not built or switched off (LIPYANTAR_PURE_PYTHON): then the Python
#: code is still checked against the definition
fastalign = words_module.FAST
needs_kernel = pytest.mark.skipif(
    fastalign is None, reason="the compiled word aligner is not built or switched off"
)

SAMPLE = Path(__file__).resolve().parent / "data" / "dakshina_dev_sentences_sample.tsv"
_ROWS = [line.split("\t") for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:150]]
DEVA_WORDS = sorted({w for native, _ in _ROWS for w in native.split()})
ROMAN_WORDS = sorted({w for _, roman in _ROWS for w in roman.split()})
ODD_WORDS = [
    "1989", "१९८९", "2,500", "3.5", ".", "।", ",", "-", "?!", "e-mail", "K", "\u212a", "Ω", "ŝ", "é", "x", "phh",
    "ckh", "XQWZ", "a" * 70, "bc" * 40, "क़ख़", "ॐ", "\u200d", "lagu", "hue", "ना",
]  # fmt: skip

# -- the aligner before it was made fast (the definition) --------------------------------------------------

_LINK_TYPES = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
_PRIOR = {(1, 1): 0.0, (1, 2): 0.35, (2, 1): 0.35}


def _reference_info(sim: Similarity, word: str) -> tuple[str, str, frozenset[str]]:
    from lipyantar.align.similarity import _numbers

    latin = sim.romanize(word)
    return skeleton_python(latin), fold_python(latin), _numbers(word)


def _reference_similarity(sim: Similarity, deva: str, roman: str) -> float:
    sk_d, fold_d, num_d = _reference_info(sim, deva)
    sk_r, fold_r, num_r = _reference_info(sim, roman)
    if num_d or num_r:
        return 1.0 if num_d == num_r else 0.0
    if not fold_d and not fold_r:
        return 1.0 if deva.strip() == roman.strip() else 0.5
    if not fold_d or not fold_r:
        return 0.0
    longest = max(len(sk_d), len(sk_r))
    sk_sim = 1.0 - _edit_distance_python(sk_d, sk_r) / longest if longest else 1.0
    longest_f = max(len(fold_d), len(fold_r))
    fold_sim = 1.0 - _edit_distance_python(fold_d, fold_r) / longest_f
    return 0.7 * sk_sim + 0.3 * fold_sim if longest else fold_sim


def _reference_align(sim: Similarity, dt: list[str], rt: list[str], band: int = 2) -> list[WordLink]:
    n, m = len(dt), len(rt)
    width = band + abs(n - m)
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for a in range(n + 1):
        centre = a * m / n
        for b in range(max(0, math.floor(centre - width)), min(m, math.ceil(centre + width)) + 1):
            if a == 0 and b == 0:
                continue
            best, best_move = math.inf, (0, 0, 0.0)
            for k, kr in _LINK_TYPES:
                if k > a or kr > b:
                    continue
                prev = cost.get((a - k, b - kr))
                if prev is None:
                    continue
                if k == 0 or kr == 0:
                    step, score = 0.62, 0.0
                else:
                    score = _reference_similarity(sim, " ".join(dt[a - k : a]), " ".join(rt[b - kr : b]))
                    step = _PRIOR[(k, kr)] + (1.0 - score) * 1.0
                if prev + step < best:
                    best, best_move = prev + step, (k, kr, score)
            if best < math.inf:
                cost[(a, b)], back[(a, b)] = best, best_move
    links = []
    a, b = n, m
    while a or b:
        k, kr, score = back[(a, b)]
        links.append(
            WordLink(
                " ".join(dt[a - k : a]),
                " ".join(rt[b - kr : b]),
                round(score, 4),
                tuple(range(a - k, a)),
                tuple(range(b - kr, b)),
            )
        )
        a, b = a - k, b - kr
    return links[::-1]


def _both_paths(dt: list[str], rt: list[str], band: int, sim: Similarity) -> tuple[list, list]:
    fast = align_words(dt, rt, similarity=sim, band=band)
    saved = words_module.FAST
    words_module.FAST = None
    try:
        python = align_words(dt, rt, similarity=sim, band=band)
    finally:
        words_module.FAST = saved
    return fast, python


def _glued(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def _exact_moves(sim: Similarity, dt: list[str], rt: list[str], band: int) -> tuple[tuple, tuple]:
    """The compiled and the Python moves with their unrounded scores (the Python ones twice without the kernel)."""
    dg, rg = _glued(dt), _glued(rt)
    python = words_module._moves_python(sim, dt, dg, rt, rg, band)
    if fastalign is None:
        return python, python
    infos = sim.word_infos
    return fastalign.align_moves(dt, dg, rt, rg, infos(dt), infos(dg), infos(rt), infos(rg), band), python


# -- whole alignments -------------------------------------------------------------------------------------

TOKENS = st.lists(
    st.one_of(st.sampled_from(DEVA_WORDS), st.sampled_from(ROMAN_WORDS), st.sampled_from(ODD_WORDS)),
    min_size=1,
    max_size=14,
)
DEVA_TOKENS = st.lists(
    st.one_of(st.sampled_from(DEVA_WORDS), st.sampled_from(ODD_WORDS)), min_size=1, max_size=24
)
ROMAN_TOKENS = st.lists(
    st.one_of(st.sampled_from(ROMAN_WORDS), st.sampled_from(ODD_WORDS)), min_size=1, max_size=24
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(dt=DEVA_TOKENS, rt=ROMAN_TOKENS, band=st.integers(0, 4))
def test_random_sentences_align_as_the_definition(dt: list[str], rt: list[str], band: int) -> None:
    sim = Similarity()
    fast, python = _both_paths(dt, rt, band, sim)
    assert fast == python == _reference_align(sim, dt, rt, band)
    moves_fast, moves_python = _exact_moves(sim, dt, rt, band)
    assert moves_fast == moves_python  # the scores to the last bit


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(dt=TOKENS, rt=TOKENS, band=st.integers(0, 3))
def test_mixed_scripts_and_the_builtin_romanizer(dt: list[str], rt: list[str], band: int) -> None:
    sim = Similarity(romanize=builtin_romanize)
    fast, python = _both_paths(dt, rt, band, sim)
    assert fast == python == _reference_align(sim, dt, rt, band)


@pytest.mark.slow
def test_dakshina_sample_aligns_as_the_definition(dev_sentences: list[tuple[str, str]]) -> None:
    sim = Similarity()
    pairs = dev_sentences[:200]
    # two sentences as one bead, as the sentence aligner makes them, and a bead with one side shortened
    pairs += [(a[0] + " " + b[0], a[1] + " " + b[1]) for a, b in itertools.pairwise(pairs[:41])]
    pairs += [(native, " ".join(roman.split()[2:])) for native, roman in pairs[:40] if len(roman.split()) > 2]
    for native, roman in pairs:
        dt, rt = native.split(), roman.split()
        fast, python = _both_paths(dt, rt, 2, sim)
        assert fast == python == _reference_align(sim, dt, rt), native
        assert align_words(native, roman, similarity=sim) == fast  # sentences split as token lists
        moves_fast, moves_python = _exact_moves(sim, dt, rt, 2)
        assert moves_fast == moves_python


@pytest.mark.parametrize(
    ("deva", "roman"),
    [
        (["1989"], ["1989"]),  # numbers: equal sets score 1
        (["१९८९"], ["1989"]),  # Devanagari digits
        (["।"], ["."]),  # punctuation only: 0.5 unless equal
        (["-"], ["-"]),
        (["."], ["lagu"]),  # punctuation against a word: 0
        (["a" * 70], ["a" * 69 + "b"]),  # past the 64 letters of the bit-parallel distance
        (["Ω"], ["ŝ"]),  # non-ASCII latin: the skeletons take the Python road
    ],
)
def test_word_scores_of_odd_tokens(deva: list[str], roman: list[str]) -> None:
    sim = Similarity()
    fast, python = _both_paths(deva, roman, 2, sim)
    assert fast == python == _reference_align(sim, deva, roman)
    assert fast[0].score == round(_reference_similarity(sim, deva[0], roman[0]), 4)


@pytest.mark.parametrize("band", [0, 1, 7, 10**6, 2**62])
def test_any_band(band: int) -> None:
    sim = Similarity()
    dt, rt = "वह बहुत अच्छा लड़का है".split(), "vah achha ladka hai bhai".split()
    fast, python = _both_paths(dt, rt, band, sim)
    assert fast == python == _reference_align(sim, dt, rt, band)


def test_links_are_wordlinks_equal_to_checked_ones() -> None:
    """Links are made without WordLink's checks; they are the links the checked constructor makes."""
    links = align_words("जो 1989 से लागूहुए।", "jo 1989 se lagu hue.")
    assert all(type(link) is WordLink for link in links)
    assert links == [WordLink(x.deva, x.roman, x.score, x.deva_index, x.roman_index) for x in links]
    assert links[-1].kind == "1-2" and links[-1].roman_index == (3, 4)


@pytest.mark.parametrize(
    ("tokens", "error"),
    [(["ek", ""], ValueError), (["ek do"], ValueError), (["ek", " "], ValueError), (["ek", 3], TypeError)],
)
def test_token_lists_are_checked(tokens: list, error: type[Exception]) -> None:
    with pytest.raises(error):
        align_words(["एक"], tokens)
    with pytest.raises(error):
        align_words(tokens, ["ek"])


def test_a_subclass_that_scores_words_its_own_way_is_asked() -> None:
    """A Similarity subclass with its own word score bypasses the compiled scores."""

    class Contrary(Similarity):
        def word_similarity(self, deva: str, roman: str) -> float:
            return 0.0 if super().word_similarity(deva, roman) > 0.5 else 1.0

    plain = align_words("वह अच्छा है", "vah achha hai")
    contrary = align_words("वह अच्छा है", "vah achha hai", similarity=Contrary())
    assert [link.score for link in plain] != [link.score for link in contrary]
    assert words_module._plain(Similarity()) and not words_module._plain(Contrary())


# -- the kernel's pieces ---------------------------------------------------------------------------------

LATIN = st.text(
    alphabet=st.sampled_from(list("phckxqwzaeioumhnbdgjlrstvy" + "PHCKX" + " -'.1é")), max_size=30
)


@pytest.mark.slow
@needs_kernel
@settings(max_examples=2000, deadline=None)
@given(latin=st.one_of(LATIN, st.text(max_size=12)))
def test_skeleton_and_fold_match_python(latin: str) -> None:
    sk = fastalign.skeleton(latin)
    fold = fastalign.fold(latin)
    parts = fastalign.word_parts(latin)
    if not latin.isascii():
        assert sk is None and fold is None and parts is None  # the Python code handles the rest
    else:
        expected_sk = skeleton_python(latin)
        assert sk == expected_sk
        assert fold == fold_python(latin)
        assert parts == (
            expected_sk,
            gram_bits(expected_sk) if expected_sk else 0,
            fold_python(latin),
            len(expected_sk),
        )
    assert skeleton(latin) == skeleton_python(latin)


@pytest.mark.parametrize(
    ("latin", "sk", "fold"),
    [
        ("pravaasana", "prvsn", "pravasana"),
        ("phh", "fh", "ph"),  # ph -> f first; f takes no aspiration
        ("khh", "kh", "kh"),  # the look-behind sees the pass's input: only the first h goes
        ("ckh", "k", "ck"),  # ck -> k, then kh -> k (the fold keeps the c)
        ("xh", "ks", "xh"),  # x -> ks, then sh -> s (the fold keeps x and h)
        ("eee", "", "ie"),
        ("Mumm", "n", "mum"),
        ("", "", ""),
    ],
)
def test_skeleton_and_fold_cases(latin: str, sk: str, fold: str) -> None:
    assert (skeleton_python(latin), fold_python(latin)) == (sk, fold)
    assert skeleton(latin) == sk  # compiled when the kernel is built
    if fastalign is not None:
        assert (fastalign.skeleton(latin), fastalign.fold(latin)) == (sk, fold)


INFO_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz")), max_size=80),
    st.text(alphabet=st.sampled_from(list("abcxyzé.-Ω")), max_size=10),
)


@pytest.mark.slow
@needs_kernel
@settings(max_examples=1500, deadline=None)
@given(
    sk_d=INFO_TEXT, fold_d=INFO_TEXT, sk_r=INFO_TEXT, fold_r=INFO_TEXT,
    num_d=st.sampled_from([frozenset(), frozenset({"12"})]), num_r=st.sampled_from([frozenset(), frozenset({"12"})]),
    text_d=st.sampled_from(["x", ".", " . "]), text_r=st.sampled_from(["y", ".", "-"]),
)  # fmt: skip
def test_word_score_of_any_infos(
    sk_d: str,
    fold_d: str,
    sk_r: str,
    fold_r: str,
    num_d: frozenset,
    num_r: frozenset,
    text_d: str,
    text_r: str,
) -> None:
    """The compiled score of two units from their infos (any strings: long, non-ASCII, empty)."""
    d = (sk_d, 0, fold_d, len(sk_d), num_d)
    r = (sk_r, 0, fold_r, len(sk_r), num_r)
    if num_d or num_r:
        expected = 1.0 if num_d == num_r else 0.0
    elif not fold_d and not fold_r:
        expected = 1.0 if text_d.strip() == text_r.strip() else 0.5
    elif not fold_d or not fold_r:
        expected = 0.0
    else:
        longest = max(len(sk_d), len(sk_r))
        sk_sim = 1.0 - _edit_distance_python(sk_d, sk_r) / longest if longest else 1.0
        fold_sim = 1.0 - _edit_distance_python(fold_d, fold_r) / max(len(fold_d), len(fold_r))
        expected = 0.7 * sk_sim + 0.3 * fold_sim if longest else fold_sim
    assert fastalign.word_similarity(text_d, d, text_r, r) == expected
    # the same units in a one-word sentence pair, with the Devanagari unit's match masks
    assert fastalign.align_moves([text_d], [], [text_r], [], [d], [], [r], [], 0) == (
        b"\x01",
        b"\x01",
        [expected],
    )


@needs_kernel
@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((["a"], [], ["b"], [], [("a", 0, "a", 1)], [], [("b", 0, "b", 1, frozenset())], [], 2), TypeError),
        ((["a"], [], ["b"], [], [], [], [("b", 0, "b", 1, frozenset())], [], 2), ValueError),
        (([], [], ["b"], [], [], [], [("b", 0, "b", 1, frozenset())], [], 2), ValueError),
        ((["a"], [], ["b"], [], [("a", 0, "a", 1, frozenset())], [], [("b", 0, "b", 1, frozenset())], [], -1), ValueError),
        ((["a"], [], ["b"], [], [(1, 0, "a", 1, frozenset())], [], [("b", 0, "b", 1, frozenset())], [], 2), TypeError),
        ((["a"], [], ["b"], [], 5, [], [("b", 0, "b", 1, frozenset())], [], 2), TypeError),
    ],
)  # fmt: skip
def test_align_moves_checks_its_arguments(args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        fastalign.align_moves(*args)


@needs_kernel
def test_kernel_version_matches_the_python_code() -> None:
    from lipyantar.align import similarity

    assert fastalign.KERNEL_VERSION == similarity.KERNEL_VERSION
    assert similarity.FAST is fastalign and words_module.FAST is fastalign


@needs_kernel
def test_printable_ascii_skeletons() -> None:
    """Every printable ASCII character, alone and after each letter (the passes' boundaries)."""
    for a in string.printable:
        for b in string.ascii_letters + "h":
            for word in (a, a + b, b + a + "h", a + b + b):
                assert fastalign.skeleton(word) == skeleton_python(word), word
                assert fastalign.fold(word) == fold_python(word), word


# -- process_pair: the collector paused while a pair is aligned ------------------------------------------


@pytest.mark.parametrize("enabled", [True, False])
def test_process_pair_pauses_the_collector_and_restores_it(
    enabled: bool, dev_sentences: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from lipyantar.corpora.pipeline import PairTask, process_pair
    from lipyantar.translit.errors import InputError

    rows = dev_sentences[:4]
    task = PairTask(0, "a.txt", "b.txt", "\n".join(r[0] for r in rows), "\n".join(r[1] for r in rows))
    seen: list[bool] = []
    original = words_module.align_words

    def spy(*args: object, **kwargs: object) -> list[WordLink]:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(words_module, "align_words", spy)
    try:
        if not enabled:
            gc.disable()
        result = process_pair(task)
        assert result.error is None and len(result.beads) == 4
        assert seen == [False] * 4  # paused while the words are aligned
        assert gc.isenabled() is enabled  # as it was before

        def failing(*args: object, **kwargs: object) -> list[WordLink]:
            raise InputError("no words")

        monkeypatch.setattr(words_module, "align_words", failing)
        assert process_pair(task).error == "no words"
        assert gc.isenabled() is enabled  # an error restores it too
    finally:
        gc.enable()


def test_process_pair_aligns_a_repeated_sentence_pair_once(dev_sentences: list[tuple[str, str]]) -> None:
    """A sentence pair that comes again in the twin gets the links of its first time (the same tuple),
    which are the links align_words gives it."""
    from lipyantar.corpora.pipeline import PairTask, process_pair

    rows = dev_sentences[:3] * 2 + dev_sentences[3:4]
    task = PairTask(0, "a.txt", "b.txt", "\n\n".join(r[0] for r in rows), "\n\n".join(r[1] for r in rows))
    result = process_pair(task)
    assert result.error is None and len(result.beads) == 7
    beads = result.beads
    assert [b.words is beads[k].words for k, b in enumerate(beads[3:6])] == [True, True, True]
    assert len({id(b.words) for b in beads}) == 4
    for bead in beads:
        assert list(bead.words) == align_words(bead.deva_text, bead.roman_text)
