"""The packaged signs of the English/romanized-Hindi margin (``origin-signs.tsv.gz``): made from the shipped
word-language tables, equal to the margins computed from them, and a stale or broken file is not used."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

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
