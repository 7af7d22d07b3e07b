"""The packaged signs of the English/romanized-Hindi margin (``origin-signs.tsv.gz``): made from the shipped
word-language tables, equal to the margins computed from them, and a stale or broken file is not used."""

from __future__ import annotations

import gzip
import json
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.learned import origin
from lipyantar.translit.wordlang import load_tables


def test_the_packaged_signs_are_made_from_the_shipped_tables() -> None:
    signs = origin.read_signs()
    assert signs is not None, "run python scripts/origin_signs.py"
    tables = load_tables()
    lexicon = set(tables.lexicon("en")) | set(tables.lexicon("hi-Latn"))
    assert set(signs) <= lexicon
    assert len(signs) > 0.9 * len(lexicon)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_listed_sign_is_the_computed_margins(seed: int) -> None:
    signs = origin.read_signs()
    assert signs is not None
    words = random.Random(seed).sample(sorted(signs), 1500)
    for word in [*words, "way", "ve", "saal", "bus", "the", "kal"]:
        margin = origin.english_margin(word)
        assert origin.margin_sign(word) == (margin > 0) - (margin < 0), word


@pytest.mark.parametrize("word", ["zzqxv", "lipyantarwala", "Way", "ṛṣi"])
def test_an_unlisted_or_unfolded_word_gets_the_computed_sign(word: str) -> None:
    margin = origin.english_margin(word)
    assert origin.margin_sign(word) == (margin > 0) - (margin < 0)


def _write(path: Path, header: object, lines: list[str]) -> None:
    path.write_bytes(gzip.compress(("\n".join([json.dumps(header), *lines]) + "\n").encode("utf-8")))


@pytest.mark.parametrize(
    ("header", "lines"),
    [
        ({"format": "other", "version": 1, "tables_sha256": None}, ["way\t+"]),
        ({"format": origin.SIGNS_FORMAT, "version": 99, "tables_sha256": None}, ["way\t+"]),
        (
            {"format": origin.SIGNS_FORMAT, "version": origin.SIGNS_VERSION, "tables_sha256": "0" * 64},
            ["way\t+"],
        ),
        (
            {"format": origin.SIGNS_FORMAT, "version": origin.SIGNS_VERSION, "tables_sha256": "SHA"},
            ["way\t?"],
        ),
    ],
    ids=["format", "version", "other-tables", "bad-line"],
)
def test_a_stale_or_broken_signs_file_is_not_used(
    tmp_path: Path, header: dict[str, object], lines: list[str]
) -> None:
    if header["tables_sha256"] == "SHA":
        header["tables_sha256"] = origin.tables_sha256()
    path = tmp_path / "signs.tsv.gz"
    _write(path, header, lines)
    assert origin.read_signs(path) is None
    header["tables_sha256"] = origin.tables_sha256()
    _write(
        path, {**header, "format": origin.SIGNS_FORMAT, "version": origin.SIGNS_VERSION}, ["way\t+", "ve\t-"]
    )
    assert origin.read_signs(path) == {"way": 1, "ve": -1}
    assert origin.read_signs(tmp_path / "missing.tsv.gz") is None
    (tmp_path / "garbage.tsv.gz").write_bytes(b"not gzip")
    assert origin.read_signs(tmp_path / "garbage.tsv.gz") is None


def test_devanagari_to_roman_of_common_words_does_not_load_the_tables() -> None:
    import subprocess
    import sys

    code = (
        "from lipyantar.translit import Transliterator\n"
        "from lipyantar.translit.learned import origin\n"
        "out = Transliterator('deva', 'roman').transliterate('वे काम कर रहे हैं। एक साल बाद बस आई।')\n"
        "print(out)\n"
        "print(origin._tables.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    text, loaded = done.stdout.splitlines()
    assert text.split()[0] == "ve"
    assert loaded == "0"


_SHA = origin.tables_sha256()
_SIGN_WORDS = st.text(alphabet="abeéz'\t", max_size=5).map(lambda w: w.replace("\t", ""))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(_SIGN_WORDS, st.sampled_from("+-")), max_size=60),
    asked=st.lists(_SIGN_WORDS, max_size=20),
    shuffled=st.booleans(),
    block=st.sampled_from([1, 7, 64, 4096]),
)
def test_a_body_searched_unsplit_answers_as_its_sorted_lines(
    rows: list[tuple[str, str]], asked: list[str], shuffled: bool, block: int
) -> None:
    """read_signs searches the file's body in place when its lines are sorted and none is blank (blocks
    of any size), and splits and sorts them otherwise: the same answers as the sorted lines."""
    lines = [f"{w}\t{s}" for w, s in rows if w]
    lines = lines if shuffled else sorted(lines, key=lambda line: line.encode("utf-8"))
    before = origin.SignList.BLOCK
    origin.SignList.BLOCK = block
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "signs.tsv.gz"
            header = {"format": origin.SIGNS_FORMAT, "version": origin.SIGNS_VERSION, "tables_sha256": _SHA}
            _write(path, header, lines)
            found = origin.read_signs(path)
    finally:
        origin.SignList.BLOCK = before
    expected = origin.SignList([line.encode("utf-8") for line in lines])
    assert found is not None
    assert len(found) == len(expected) and list(found) == list(expected)
    for word in [*asked, *(w for w, _ in rows), "", "zzzzzz"]:
        assert found.get(word) == expected.get(word), word


def test_the_packaged_signs_are_searched_unsplit() -> None:
    signs = origin.read_signs()
    assert signs is not None
    if origin._lines_sorted() is not None:
        assert signs._lines is None and len(signs._firsts) > 100


def test_the_tables_checksum_is_computed_once_per_version_of_the_file(tmp_path: Path) -> None:
    """tables_sha256 hashes a file once (the signs and the loanword index both ask), and again when the
    file changes."""
    import hashlib

    path = tmp_path / "tables.json.gz"
    path.write_bytes(b"first version")
    hits = origin._file_sha256.cache_info().hits
    assert origin.tables_sha256(path) == hashlib.sha256(b"first version").hexdigest()
    assert origin.tables_sha256(path) == hashlib.sha256(b"first version").hexdigest()
    assert origin._file_sha256.cache_info().hits == hits + 1
    replacement = tmp_path / "new"
    replacement.write_bytes(b"second, longer version")
    replacement.replace(path)
    assert origin.tables_sha256(path) == hashlib.sha256(b"second, longer version").hexdigest()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab\t+-\n", max_size=5), max_size=8))
def test_the_compiled_body_check_is_the_line_by_line_one(lines: list[str]) -> None:
    """sign_lines counts a body's lines exactly when the checks read_signs makes one by one all pass
    (sorted, none blank, each word<TAB>+ or word<TAB>-), and gives -1 otherwise."""
    fast = pytest.importorskip("lipyantar.translit._fastpieces")
    body = "".join(line + "\n" for line in lines).encode()
    split = body.split(b"\n")[:-1]
    well_formed = all(
        len(line) >= 2 and line[-2:] in (b"\t+", b"\t-") and b"\t" not in line[:-2] for line in split
    )
    expected = len(split) if well_formed and split == sorted(split) else -1
    assert fast.sign_lines(body) == expected
    assert fast.sign_lines(body.rstrip(b"\n")) == (-1 if body.rstrip(b"\n") else 0)


def test_the_signs_read_with_and_without_the_compiled_check_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = origin.read_signs()
    monkeypatch.setattr(origin, "_sign_lines", lambda: None)
    slow = origin.read_signs()
    assert fast is not None and slow is not None and len(fast) == len(slow) > 0
    words = random.Random(5).sample(sorted(slow), 300)
    assert [fast.get(w) for w in words] == [slow.get(w) for w in words]
