"""Version 3 model files: string tables stored as columns (:data:`lipyantar.translit.learned.modelfile.COLUMNS`)
read back as the tables they were written from, malformed columns refused; the memory's in-place index
(:mod:`lipyantar.translit.learned.memory`) answers as the dict of dicts it replaces."""

from __future__ import annotations

import json
import math
import struct
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import modelfile as mfmod
from lipyantar.translit.learned.memory import Memory, PairIndex
from lipyantar.translit.learned.modelfile import ModelFile, model_file_bytes

WORD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=5)
NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _file(tables: dict) -> ModelFile:
    return ModelFile(model_file_bytes({"x": array("i", [1])}, {}, tables=tables))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(WORD, WORD, NUMBER).map(list), max_size=12),
    st.lists(st.tuples(WORD, st.lists(WORD, max_size=3)).map(list), max_size=8),
    st.lists(WORD, max_size=8),
    st.lists(st.tuples(WORD, NUMBER).map(list), max_size=8),
)
def test_tables_stored_as_columns_read_back_as_written(
    pairs: list, index: list, vocab: list, prior: list
) -> None:
    tables = {
        "meta": {"name": "x"},
        "pairs": pairs,
        "vocab_index": index,
        "wordlm": {"order": 3, "vocab": vocab, "prior": prior},
        "d2r_table": [],
    }
    mf = _file(tables)
    assert mf.header["version"] == 3
    assert any(s[0].startswith("columns.") for s in mf.header["sections"])
    assert mf.table_keys() == list(tables)
    for key, value in tables.items():
        assert json.dumps(mf.table(key)) == json.dumps(value)  # the same JSON: types and order too


def test_a_string_with_a_newline_keeps_its_table_in_json() -> None:
    tables = {"pairs": [["क\nख", "ka", 1.0]], "d2r_table": [["क", "ka", 2.0]]}
    mf = _file(tables)
    names = {s[0] for s in mf.header["sections"]}
    assert "columns.pairs.0" not in names and "columns.d2r_table.0" in names
    assert mf.table("pairs") == tables["pairs"] and mf.table("d2r_table") == tables["d2r_table"]


def _corrupt(name: str, raw: bytes) -> ModelFile:
    """A file whose section ``name`` holds ``raw`` (with a checksum that fits: only the content is wrong)."""
    tables = {"pairs": [["क", "ka", 1.0], ["ख", "kha", 2.0]], "vocab_index": [["k", ["क", "कि"]]]}
    mf = _file(tables)
    blobs = [
        (section, kind, bytes(mf._section(section)[1]) if section != name else raw)
        for section, kind, *_ in mf.header["sections"]
    ]
    return ModelFile(mfmod.sections_file_bytes(blobs, meta={}, order=mf.order))


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("columns.pairs.0", "क\nख".encode(), "truncated"),
        ("columns.pairs.0", b"\xff\n\xfe\n", "not UTF-8"),
        ("columns.pairs.1", b"ka\n", "differ in length"),
        ("columns.pairs.2", struct.pack("<2d", 1.0, math.nan), "not finite"),
        ("columns.pairs.2", struct.pack("<2d", 1.0, math.inf), "not finite"),
        ("columns.vocab_index.1.len", struct.pack("<I", 3), "malformed list columns"),
    ],
)
def test_malformed_columns_are_model_errors(name: str, raw: bytes, message: str) -> None:
    mf = _corrupt(name, raw)
    key = name.split(".")[1]
    with pytest.raises(ModelError, match=message):
        mf.table(key)


TRIPLES = st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("xyz"), st.integers(1, 5)), max_size=30)


def _dict_of_dicts(triples: list[tuple[str, str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key, value, count in triples:
        row = out.setdefault(key, {})
        row[value] = row.get(value, 0.0) + count
    return out


@settings(max_examples=150, deadline=None)
@given(TRIPLES, st.booleans())
def test_the_pair_index_is_the_dict_of_dicts(triples: list, presort: bool) -> None:
    """Lookups, order of values (and of keys when iterated), sums of repeated pairs: as the dict of
    dicts built row by row; sorted or not."""
    if presort:
        triples = sorted(triples)
    expected = _dict_of_dicts(triples)
    index = PairIndex([t[0] for t in triples], [t[1] for t in triples], [float(t[2]) for t in triples])
    assert list(index) == list(expected) and len(index) == len(expected)
    for key in "abcdefq":
        assert index.get(key) == expected.get(key)
        assert list((index.get(key) or {}).items()) == list(expected.get(key, {}).items())
        assert (key in index) == (key in expected)
    assert dict(index.items()) == expected


@settings(max_examples=60, deadline=None)
@given(TRIPLES)
def test_memory_from_columns_is_memory_from_pairs(triples: list) -> None:
    pairs = [(d, r, float(n)) for d, r, n in triples]
    a = Memory(pairs)
    b = Memory.from_columns([p[0] for p in pairs], [p[1] for p in pairs], array("d", [p[2] for p in pairs]))
    assert a.pairs == b.pairs == pairs
    assert dict(a.d2r.items()) == dict(b.d2r.items()) == _dict_of_dicts(pairs)
    assert dict(a.r2d.items()) == _dict_of_dicts([(r, d, n) for d, r, n in pairs])
