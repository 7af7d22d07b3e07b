"""Devanagari → roman of English loanwords (:mod:`lipyantar.translit.learned.loanwords`): the packaged index
is the shipped model's, the decision follows its three parameters, a broken or stale index is not used,
and the default model romanizes loanwords the English way but common Hindi words natively."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from lipyantar.translit.learned import loanwords
from lipyantar.translit.learned.loanwords import Loanword, english_reading
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.origin import tables_sha256
from lipyantar.translit.wordlang import load_tables

LOANS = (Loanword("अटेंशन", "attention", -0.5, -11.0), Loanword("अटेंशन", "attentions", 0.0, -14.0))
LOOSE = (Loanword("आर्मीनिया", "armenia", 0.0, -12.5),)
LIMITS = {"min_logfreq": -13.0, "max_logprior": -8.0, "max_score": -15.0}


@pytest.mark.parametrize(
    ("loans", "score", "logprior", "expected"),
    [
        (LOANS, -20.0, None, "attention"),  # the rarer, closer spelling is below min_logfreq
        (LOANS, -20.0, -12.0, "attention"),
        (LOANS, -20.0, -7.5, None),  # a common Hindi word
        (LOANS, -14.0, None, None),  # the joint model is sure of its own reading
        ((Loanword("अटेंशन", "attentions", 0.0, -14.0),), -20.0, None, None),
        ((), -20.0, None, None),
        ((Loanword("अटेंशन", "sea", -1.0, -9.0), Loanword("अटेंशन", "see", -0.2, -8.0)), -20.0, None, "see"),
        # a loosely equal spelling's English word, when no English word spells the word exactly
        ((Loanword("अटैंशन", "attention", 0.0, -11.0),), -20.0, None, "attention"),
        ((Loanword("अटैंशन", "attend", 0.0, -11.0), *LOANS), -20.0, None, "attention"),
    ],
)
def test_the_english_reading_follows_the_limits(
    loans: tuple[Loanword, ...], score: float, logprior: float | None, expected: str | None
) -> None:
    assert english_reading("अटेंशन", loans, score=score, logprior=logprior, **LIMITS) == expected


def test_loose_spellings_can_be_switched_off() -> None:
    assert english_reading("आर्मेनिया", LOOSE, score=-20.0, logprior=None, **LIMITS) == "armenia"
    assert english_reading("आर्मेनिया", LOOSE, score=-20.0, logprior=None, loose=False, **LIMITS) is None


def test_the_packaged_index_is_the_shipped_models() -> None:
    index = loanwords.read_loanwords()
    assert index is not None, "run python scripts/loanword_index.py"
    english = default_model().english
    assert english is not None
    lexicon = load_tables().lexicon("en")
    words = [w for w in sorted(lexicon) if english.pronunciations(w)]
    total = sum(lexicon.values())
    for word in random.Random(0).sample(words, 300):
        if math.log(lexicon[word] / total) < loanwords.LOGFREQ_FLOOR:
            continue
        spellings = english.candidates(word, k=loanwords.SPELLINGS_K, beam=loanwords.SPELLINGS_BEAM)
        top = max(spellings.values())
        for deva, score in spellings.items():
            listed = [x for x in index.get(deva) if x.spelling == deva]
            assert listed, (word, deva)
            mine = [x for x in listed if x.english == word]
            if mine:
                assert mine[0].gap == pytest.approx(score - top, abs=0.006)
            else:  # the spelling's closer words fill its places
                assert len(listed) == loanwords.PER_SPELLING
                assert all(x.gap >= score - top - 0.006 for x in listed)


ENTRIES = [("कार", "कार car 0.00 -9.00"), ("कार", "कार cur -2.50 -12.00"), ("बुक", "बुक book 0.00 -8.50"), ("बुक", "बूक buke -1.00 -13.00")]


def _write(path: Path, entries: list[tuple[str, str]] = ENTRIES, **meta: object) -> Path:
    meta = {"tables_sha256": tables_sha256(), **meta}
    path.write_bytes(loanwords.index_bytes([(k, v.encode("utf-8")) for k, v in entries], meta))
    return path


@pytest.mark.parametrize(
    ("meta", "damage"),
    [
        ({"format": "other"}, None),
        ({"version": 99}, None),
        ({"tables_sha256": "0" * 64}, None),
        ({}, "flip"),
        ({}, "truncate"),
        ({}, "no-header"),
        ({}, "misaligned"),
    ],
    ids=["format", "version", "other-tables", "checksum", "truncated", "no-header", "misaligned"],
)
def test_a_broken_or_stale_index_is_not_used(tmp_path: Path, meta: dict, damage: str | None) -> None:
    path = _write(tmp_path / "loanwords.marisa", **meta)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-5] ^= 0xFF
    elif damage == "truncate":
        del data[-3:]
    elif damage == "no-header":
        data = data[data.index(b"\n") + 1 :].replace(b"\n", b" ")
    elif damage == "misaligned":
        data[0:0] = b" "
    path.write_bytes(bytes(data))
    assert loanwords.read_loanwords(path) is None


def test_a_missing_index_is_not_used(tmp_path: Path) -> None:
    assert loanwords.read_loanwords(tmp_path / "missing.marisa") is None


def test_a_malformed_entry_is_no_loanword(tmp_path: Path) -> None:
    index = loanwords.read_loanwords(_write(tmp_path / "loanwords.marisa", [("कार", "कार car 0.00")]))
    assert index is not None
    assert index.get("कार") == ()


def test_a_written_index_reads_back(tmp_path: Path) -> None:
    index = loanwords.read_loanwords(_write(tmp_path / "loanwords.marisa"))
    assert index is not None and len(index) == 4
    assert sorted(index.get("कार")) == [Loanword("कार", "car", 0.0, -9.0), Loanword("कार", "cur", -2.5, -12.0)]
    assert index.get("कॉर") == index.get("कार")  # looked up by the loose spelling
    assert sorted(index.get("बूक")) == [Loanword("बुक", "book", 0.0, -8.5), Loanword("बूक", "buke", -1.0, -13.0)]
    assert index.get("का") == ()
    assert index.get("बु") == ()


@pytest.mark.parametrize(
    ("deva", "roman"),
    [
        ("अटेंशन", "attention"),  # not attested: the English spelling
        ("ऑस्कर", "oscar"),
        ("वे", "ve"),  # attested and common: the native reading (origin.native_first)
        ("अंबरनाथ", None),  # no English word spells it
        ("प्रोफैसर", "professor"),  # only a loosely equal spelling (प्रोफेसर) is the sound of an English word
        ("इंटरनैट", "internet"),
    ],
)
def test_the_default_model_spells_loanwords_the_english_way(deva: str, roman: str | None) -> None:
    model = default_model()
    off = model.with_params({"d2r.loanwords": False})
    if roman is None:
        assert model.romanize(deva) == off.romanize(deva)
        assert model.romanize_topk(deva, 5) == off.romanize_topk(deva, 5)
        return
    assert model.romanize(deva) == roman
    assert model.romanize_topk(deva, 5)[0][0] == roman
    if deva not in model.memory.d2r:
        native = off.romanize(deva)
        assert native != roman
        # the native reading stays a candidate, right after the English one
        assert [r for r, _ in model.romanize_topk(deva, 5)][:2] == [roman, native]
        assert model.with_params({"d2r.loan_logfreq": -5.0}).romanize(deva) == native  # no English word that common
        exact = model.with_params({"d2r.loan_loose": False}).romanize(deva)
        assert exact == (roman if any(x.spelling == deva for x in loanwords.loanword_index().get(deva)) else native)


@pytest.mark.parametrize(
    ("deva", "variant", "english"),
    [
        # another spelling under Hindi's competing conventions is attested: its reading, not an English
        # word that happens to sound alike
        ("पाँच", "पांच", "punch"),  # chandrabindu / anusvara
        ("अन्दर", "अंदर", "another"),  # class nasal / anusvara
        ("बाज़ार", "बाजार", "bizarre"),  # nukta
        ("फ़ोन", "फोन", "fun"),
    ],
)
def test_an_attested_spelling_variant_outranks_a_sound_alike(deva: str, variant: str, english: str) -> None:
    model = default_model()
    assert deva not in model.memory.d2r and variant in model.memory.d2r
    readings = model.memory.d2r[variant]
    attested = min(readings, key=lambda r: (-readings[r], r))
    assert model.romanize(deva) == attested
    assert model.romanize_topk(deva, 3)[0][0] == attested
    assert english != attested
    assert model.with_params({"d2r.loan_variants": False}).romanize(deva) == english  # the sound alone


@pytest.mark.parametrize(
    ("readings", "priors", "expected"),
    [
        ({}, {}, (None, False)),
        ({"पांच": {"paanch": 5, "panch": 2}}, {}, ("paanch", False)),
        ({"पांच": {"panch": 2, "paanch": 2}}, {}, ("paanch", False)),  # a tie: by spelling
        ({}, {"पांच": -7.0}, (None, True)),  # common: above the limit of -8
        ({}, {"पांच": -9.0}, (None, False)),
    ],
)
def test_variant_evidence(readings: dict, priors: dict, expected: tuple) -> None:
    model = default_model()

    class _Memory:
        d2r = readings

    fake = type(model).__new__(type(model))
    fake.__dict__["memory"] = _Memory()
    fake.__dict__["_logprior"] = lambda deva: priors.get(deva)
    assert type(model)._variant_evidence(fake, "पाँच", -8.0) == expected


def test_the_packaged_table_readings_are_the_shipped_models() -> None:
    """Each precomputed table word's packaged English reading is what the model's own decision gives it,
    and a word without one has none: Devanagari → roman reads them in place of that decision."""
    model = default_model()
    packaged = model._table_loanwords()
    assert packaged, "run python scripts/loanword_index.py --table-only"
    found = {}
    for deva, (_, score) in model.d2r_table.items():
        english = model._loanword(deva, score)
        if english is not None:
            found[deva] = english
    assert packaged == found


@pytest.mark.parametrize(
    "change",
    [
        {"d2r.loan_score": -12.0},
        {"d2r.loan_logprior": -9.0},
        {"d2r.loan_logfreq": -12.5},
        {"d2r.loan_loose": False},
        {"d2r.loan_variants": False},
    ],
)
def test_the_table_readings_are_not_used_with_other_parameters(change: dict) -> None:
    model = default_model()
    assert model._table_loanwords() is not None
    assert model.with_params(change)._table_loanwords() is None


def test_a_grown_table_or_another_model_file_drops_the_table_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    model = default_model().with_params({})
    model.d2r_table = dict(model.d2r_table)  # its own table, to grow
    assert model._table_loanwords() is not None
    assert model.precompute_romanizations(["क्षत्रज्ञकारी"]) == 1
    assert model._table_loanwords() is None
    other = LearnedModel.load(default_model()._file.source)  # a fresh load, its file renamed
    monkeypatch.setattr(type(other._file), "sha256", property(lambda self: "0" * 64))
    assert other._table_loanwords() is None


def test_damaged_table_readings_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.json.gz"
    path.write_bytes(loanwords.TABLE_READINGS_PATH.read_bytes()[:-20])
    monkeypatch.setattr(loanwords, "TABLE_READINGS_PATH", path)
    loanwords._packaged_table_readings.cache_clear()
    try:
        assert LearnedModel.load(default_model()._file.source)._table_loanwords() is None
    finally:
        loanwords._packaged_table_readings.cache_clear()
