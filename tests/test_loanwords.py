"""Devanagari → roman of English loanwords (:mod:`lipyantar.translit.learned.loanwords`): the packaged index
is the shipped model's, the decision follows its three parameters, a broken or stale index is not used,
and the default model romanizes loanwords the English way but common Hindi words natively."""

from __future__ import annotations

import gzip
import json
import math
import random
from pathlib import Path

import pytest

from lipyantar.translit.learned import loanwords
from lipyantar.translit.learned.loanwords import Loanword, english_reading
from lipyantar.translit.learned.model import default_model
from lipyantar.translit.learned.origin import tables_sha256
from lipyantar.translit.wordlang import load_tables

LOANS = (Loanword("attention", -0.5, -11.0), Loanword("attentions", 0.0, -14.0))
LIMITS = {"min_logfreq": -13.0, "max_logprior": -8.0, "max_score": -15.0}


@pytest.mark.parametrize(
    ("loans", "score", "logprior", "expected"),
    [
        (LOANS, -20.0, None, "attention"),  # the rarer, closer spelling is below min_logfreq
        (LOANS, -20.0, -12.0, "attention"),
        (LOANS, -20.0, -7.5, None),  # a common Hindi word
        (LOANS, -14.0, None, None),  # the joint model is sure of its own reading
        ((Loanword("attentions", 0.0, -14.0),), -20.0, None, None),
        ((), -20.0, None, None),
        ((Loanword("sea", -1.0, -9.0), Loanword("see", -0.2, -8.0)), -20.0, None, "see"),
    ],
)
def test_the_english_reading_follows_the_limits(
    loans: tuple[Loanword, ...], score: float, logprior: float | None, expected: str | None
) -> None:
    assert english_reading(loans, score=score, logprior=logprior, **LIMITS) == expected


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
            listed = index.get(deva)
            assert listed, (word, deva)
            mine = [x for x in listed if x.english == word]
            if mine:
                assert mine[0].gap == pytest.approx(score - top, abs=0.006)
            else:  # the spelling's closer words fill its places
                assert len(listed) == loanwords.PER_SPELLING
                assert all(x.gap >= score - top - 0.006 for x in listed)


def _write(path: Path, header: object, lines: list[str]) -> None:
    path.write_bytes(gzip.compress(("\n".join([json.dumps(header), *lines]) + "\n").encode("utf-8")))


def _header(**changes: object) -> dict:
    header = {"format": loanwords.LOANWORDS_FORMAT, "version": loanwords.LOANWORDS_VERSION, "tables_sha256": tables_sha256()}
    return {**header, **changes}


@pytest.mark.parametrize(
    ("header", "lines"),
    [
        (_header(format="other"), ["कार\tcar 0.00 -9.00"]),
        (_header(version=99), ["कार\tcar 0.00 -9.00"]),
        (_header(tables_sha256="0" * 64), ["कार\tcar 0.00 -9.00"]),
        (_header(), ["कार\tcar 0.00"]),
        (_header(), ["कार\tcar x -9.00"]),
    ],
    ids=["format", "version", "other-tables", "short-field", "not-a-number"],
)
def test_a_broken_or_stale_index_is_not_used(tmp_path: Path, header: dict, lines: list[str]) -> None:
    path = tmp_path / "loanwords.tsv.gz"
    _write(path, header, lines)
    assert loanwords.read_loanwords(path) is None


def test_a_missing_index_is_not_used(tmp_path: Path) -> None:
    assert loanwords.read_loanwords(tmp_path / "missing.tsv.gz") is None


def test_a_written_index_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "loanwords.tsv.gz"
    _write(path, _header(), ["कार\tcar 0.00 -9.00\tcur -2.50 -12.00", "बुक\tbook 0.00 -8.50"])
    index = loanwords.read_loanwords(path)
    assert index is not None and len(index) == 2
    assert index.get("कार") == (Loanword("car", 0.0, -9.0), Loanword("cur", -2.5, -12.0))
    assert index.get("बुक") == (Loanword("book", 0.0, -8.5),)
    assert index.get("का") == ()
    assert index.get("बु") == ()


@pytest.mark.parametrize(
    ("deva", "roman"),
    [
        ("अटेंशन", "attention"),  # not attested: the English spelling
        ("ऑस्कर", "oscar"),
        ("वे", "ve"),  # attested and common: the native reading (origin.native_first)
        ("अंबरनाथ", None),  # no English word spells it
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
        assert model.with_params({"d2r.loan_score": -30.0}).romanize(deva) == native
