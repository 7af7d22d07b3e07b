"""Twin discovery by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lipyantar.corpora.twins as twins
from lipyantar.corpora.detect import detect_text
from lipyantar.corpora.loading import Document, load_corpus
from lipyantar.corpora.twins import TwinPair, TwinReport, Unpaired, find_twins, skeleton, twin_score


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("pravaasana", "pravasan"),
        ("he", "hai"),
        ("main", "mein"),
        ("sanghathan", "sangthan"),
        ("phal", "fal"),
        ("swagat", "svagat"),
        ("zamin", "jamin"),
        ("kitaab", "kitab"),
        ("1951", "1951"),
    ],
)
def test_skeleton_merges_spelling_variants(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


@pytest.mark.parametrize(("a", "b"), [("ghar", "gaadi"), ("kal", "kaam"), ("aam", "naam")])
def test_skeleton_keeps_different_words_apart(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_example_corpus_has_exactly_one_pair(example_dir: Path) -> None:
    result = load_corpus([example_dir])
    report = find_twins(result.documents)
    assert len(report.pairs) == 1
    pair = report.pairs[0]
    assert Path(pair.devanagari).name.startswith("000_")
    assert Path(pair.romanized).name.startswith("001_")
    assert pair.score > 0.6
    unpaired = {Path(u.source).name[:3]: u.language for u in report.unpaired}
    assert unpaired == {"002": "en", "003": "fa", "004": "en"}


def _chunks(rows: list[tuple[str, str]], start: int, size: int) -> tuple[str, str]:
    part = rows[start : start + size]
    return "\n".join(n for n, _ in part), "\n".join(r for _, r in part)


def test_pairs_by_content_not_by_file_name(dev_sentences: list[tuple[str, str]]) -> None:
    deva_a, roman_a = _chunks(dev_sentences, 0, 60)
    deva_b, roman_b = _chunks(dev_sentences, 100, 60)
    _, roman_c = _chunks(dev_sentences, 200, 60)
    deva_d, _ = _chunks(dev_sentences, 300, 60)
    docs = [
        Document("a_deva.txt", deva_a),
        Document("a_roman.txt", roman_b),  # misleading names: this is b's twin
        Document("b_deva.txt", deva_b),
        Document("b_roman.txt", roman_a),
        Document("c_roman.txt", roman_c),  # no Devanagari twin
        Document("d_deva.txt", deva_d),  # no romanized twin
    ]
    report = find_twins(docs)
    assert [(p.devanagari, p.romanized) for p in report.pairs] == [
        ("a_deva.txt", "b_roman.txt"),
        ("b_deva.txt", "a_roman.txt"),
    ]
    assert all(p.score > 0.7 for p in report.pairs)
    unpaired = {u.source: (u.language, u.reason) for u in report.unpaired}
    assert unpaired["c_roman.txt"] == ("hi-Latn", "no Devanagari document matches")
    assert unpaired["d_deva.txt"] == ("hi", "no romanized document matches")
    assert all(u.best_score is not None and u.best_score < 0.3 for u in report.unpaired)


def test_code_mixed_romanized_twin_is_paired() -> None:
    deva = "यार दिस मूवी वॉज़ एकदम बकवास, टाइम वेस्ट हो गया। मैं घर जा रहा हूँ।"
    roman = "yaar this movie was ekdum bakwas, time waste ho gaya. main ghar ja raha hun."
    assert detect_text(roman).language == "mixed"  # 5 English tokens of 15
    docs = [Document("d.txt", deva), Document("r.txt", roman), Document("e.txt", "The house is big and old.")]
    report = find_twins(docs)
    assert [(p.devanagari, p.romanized) for p in report.pairs] == [("d.txt", "r.txt")]
    assert [(u.source, u.language) for u in report.unpaired] == [("e.txt", "en")]


def test_twin_score_scale(dev_sentences: list[tuple[str, str]]) -> None:
    deva, roman = _chunks(dev_sentences, 0, 100)
    _, other = _chunks(dev_sentences, 200, 100)
    assert twin_score(deva, roman) > 0.8
    assert twin_score(deva, other) < 0.15
    assert twin_score("", roman) == 0.0
    half = "\n".join(roman.split("\n")[:25])
    assert twin_score(deva, half) < twin_score(deva, roman) * 0.6  # length penalty


def test_report_round_trip_and_tsv() -> None:
    report = TwinReport(
        (TwinPair("a.txt", "b.txt", 0.9),), (Unpaired("c.txt", "en", "not Hindi", None),), min_score=0.3
    )
    assert TwinReport.from_dict(json.loads(report.to_json())) == report
    lines = report.to_tsv().splitlines()
    assert lines[0].split("\t")[0] == "status"
    assert lines[1].split("\t")[:4] == ["pair", "a.txt", "b.txt", "0.9000"]
    assert lines[2].split("\t")[4] == "en"


@pytest.mark.parametrize(
    "make",
    [
        lambda: TwinPair("a", "a", 0.5),
        lambda: TwinPair("a", "b", 1.5),
        lambda: Unpaired("a", "", "x"),
    ],
)
def test_validation(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_min_score_is_validated() -> None:
    with pytest.raises(ValueError):
        find_twins([], min_score=0.0)


@pytest.mark.parametrize("limit", [1, 2])
def test_the_memo_of_romanized_ngram_sets_does_not_change_the_pairs(
    dev_sentences: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    docs = []
    for k in range(6):
        deva, roman = _chunks(dev_sentences, 50 * k, 20)
        docs += [Document(f"{k}_deva.txt", deva), Document(f"{k}_roman.txt", roman)]
    detections = {d.source: detect_text(d.text, source=d.source) for d in docs}
    whole = find_twins(docs, detections=detections)
    monkeypatch.setattr(twins, "GRAMS_MEMO_LIMIT", limit)
    assert find_twins(docs, detections=detections) == whole
    assert [(p.devanagari, p.romanized) for p in whole.pairs] == [(f"{k}_deva.txt", f"{k}_roman.txt") for k in range(6)]


@pytest.mark.parametrize(("part", "exhaustive"), [(1, 10_000), (4, 10_000), (2, 4), (100, 4)])
def test_pair_twins_scored_in_parts_is_the_same(
    dev_sentences: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, part: int, exhaustive: int
) -> None:
    monkeypatch.setattr(twins, "EXHAUSTIVE_PAIRS", exhaustive)
    monkeypatch.setattr(twins, "SCORING_PART", part)
    docs = []
    for k in range(7):
        deva, roman = _chunks(dev_sentences, 40 * k, 15)
        docs += [Document(f"{k}_deva.txt", deva), Document(f"{(k * 3) % 7}_x_roman.txt", roman)]
    candidates = [twins.TwinCandidate.of(d, detect_text(d.text, source=d.source)) for d in docs]
    whole = twins.pair_twins(candidates)
    with twins.shared_scoring(candidates) as token:
        assert twins.pair_twins(candidates, map_fn=map, shared=token) == whole
    assert len(whole.pairs) == 7


@pytest.mark.parametrize(("slice_chars", "chunk_words"), [(1, 65_536), (7, 3), (40, 1), (262_144, 2)])
def test_a_profile_read_in_any_slices_and_chunks_is_the_same(
    monkeypatch: pytest.MonkeyPatch, slice_chars: int, chunk_words: int
) -> None:
    """The text is tokenized in slices cut at white space and counted in chunks of words: the profile
    does not depend on where they fall (words of both scripts, digits, lines and spaces)."""
    text = "मैं घर जा रहा हूँ १२ 34\n\nmain ghar ja raha hoon  ok?\tहै  है है\n" * 3
    whole = twins.TwinProfile.of(twins._skeletons(text))
    monkeypatch.setattr(twins, "TEXT_SLICE", slice_chars)
    monkeypatch.setattr(twins, "SKELETON_CHUNK", chunk_words)
    twins.clear_skeleton_memo()
    assert all(len(chunk) <= chunk_words for chunk in twins._iter_skeletons(text))
    assert "".join(twins._text_slices(text)) == text
    assert twins.TwinProfile.of_text(text) == whole
    assert whole.words == 3 * 16


@pytest.mark.parametrize(
    "text",
    ["", "घर", "यह घर है। वह घर बड़ा है। यह घर है।", "yah ghar hai. vah ghar bada hai. yah ghar hai.", "ok " * 40],
)
def test_candidates_survive_pickling(text: str) -> None:
    """build's workers send the candidates back pickled (a profile's arrays as one string of bytes)."""
    import pickle

    doc = Document("d.txt", text or " ")
    candidate = twins.TwinCandidate(doc.source, "hi", "deva", twins.TwinProfile.of_text(doc.text))
    for c in (candidate, twins.TwinCandidate("e.txt", "en")):
        again = pickle.loads(pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == c
        if c.profile is not None and again.profile is not None:
            assert again.profile.bigram_keys.typecode == "q" and again.profile.tables() == c.profile.tables()
            assert again.profile.score(c.profile) == c.profile.score(c.profile)


def test_an_index_made_as_the_candidates_come_is_the_one_made_after(dev_sentences: list[tuple[str, str]]) -> None:
    """build makes the romanized candidates' index as the documents are analysed (CandidateIndex) and gives
    it to shared_scoring: the same index as made from all candidates after, and the same pairs."""
    docs = []
    for k in range(6):
        deva, roman = _chunks(dev_sentences, 30 * k, 12)
        docs += [Document(f"{k}_deva.txt", deva), Document(f"{(k * 5) % 6}_x_roman.txt", roman)]
    docs.append(Document("en.txt", "The house is big and the school is old. We walked home."))
    candidates = [twins.TwinCandidate.of(d, detect_text(d.text, source=d.source)) for d in docs]
    made = twins.CandidateIndex()
    for c in candidates:
        made.add(c)
    scoring = twins._Scoring(candidates, index=False)
    assert made.covers(scoring.roman) and len(scoring.roman) == 6
    assert made.index(scoring.roman) == twins._index(scoring.roman, scoring.grams)
    assert not made.covers(scoring.roman[::-1])
    with pytest.raises(ValueError, match="not the romanized candidates"):
        made.index(scoring.roman[1:])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(twins, "EXHAUSTIVE_PAIRS", 4)  # likely pairs from the index
        whole = twins.pair_twins(candidates)
        with twins.shared_scoring(candidates, index=made) as token:
            assert twins._SHARED is not None and twins._SHARED[1].index == made.index(scoring.roman)
            assert twins.pair_twins(candidates, map_fn=map, shared=token) == whole
        # a source that comes twice: the index is made afresh from the last profile, as without one
        twice = [*candidates, candidates[1]]
        again = twins.CandidateIndex()
        for c in twice:
            again.add(c)
        with twins.shared_scoring(twice, index=again):
            assert twins._SHARED is not None
            shared = twins._SHARED[1]
            assert shared.index == twins._index(shared.roman, shared.grams)
    assert len(whole.pairs) == 6
