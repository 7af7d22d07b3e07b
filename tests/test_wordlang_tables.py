"""The word-language tables file (``translit/data/langid.tables``, :mod:`lipyantar.translit.wordlang`):
read in place, it gives the probabilities of the JSON object it was written from to the last bit, in
every language, compiled and in Python; its header and sections are checked; pickled it is its path."""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit import wordlang
from lipyantar.translit.errors import ModelError
from lipyantar.translit.wordlang import (
    BETA,
    FILE_MAGIC,
    TABLE_PATH,
    CharLM,
    MappedWordLanguages,
    WordLanguages,
    load_tables,
    open_tables,
    read_tables,
    tables_checksum,
    tables_file_bytes,
    write_tables,
)

LANGUAGES = ("hi-Latn", "en", "fa", "ur", "ar")


@pytest.fixture(scope="module")
def data() -> dict[str, object]:
    """The JSON object of the packaged tables (version 1: what the training makes)."""
    return read_tables()


@pytest.fixture(scope="module")
def reference(data: dict[str, object]) -> WordLanguages:
    return WordLanguages(data)


def _spread(data: dict[str, object], language: str) -> list[str]:
    """Words of every kind for one language: a sample of each lexicon (the language's and the others'),
    made-up and unattested words, characters no n-gram has, the empty word, a long word."""
    rng = random.Random(language)
    words: list[str] = []
    for entry in data["languages"].values():  # type: ignore[attr-defined]
        lexicon = sorted(entry["lexicon"])
        words += rng.sample(lexicon, 60)
    words += ["tomorrow", "weeks", "namaste", "bahut", "landfill", "xyzzyq", "", "naïve", "a" * 70, "کتاب", "क", "é<>"]
    return words


def _reference_logprob(reference: WordLanguages, word: str, language: str) -> float | None:
    """The mixture of the JSON object's lexicon and the Python reference of the character model (None
    where the mixture underflows to log 0, as it does for another script's long words)."""
    lexical = reference.lexicon(language).get(word, 0) / 1e8
    try:
        return math.log((1.0 - BETA) * lexical + BETA * math.exp(reference.char_lm(language).logprob_python(word)))
    except ValueError:
        return None


def _logprob(tables: WordLanguages, word: str, language: str) -> float | None:
    try:
        return tables.logprob(word, language)
    except ValueError:
        return None


def test_the_packaged_file_is_what_its_json_object_writes(data: dict[str, object]) -> None:
    """One source of truth: the file read back as the JSON object writes the same bytes again."""
    assert TABLE_PATH.read_bytes() == tables_file_bytes(data)
    assert data["format"] == "lipyantar-langid" and data["version"] == 1
    assert set(data["languages"]) == set(LANGUAGES)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("pure", [False, True], ids=["compiled", "python"])
def test_probabilities_equal_the_json_reference_to_the_last_bit(
    data: dict[str, object], reference: WordLanguages, language: str, pure: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if pure:
        monkeypatch.setattr(wordlang, "FAST", None)
    elif wordlang.FAST is None:
        pytest.skip("the compiled kernel is not built or switched off")
    mapped = MappedWordLanguages(TABLE_PATH)  # a fresh one, made with or without the kernel
    lm = mapped.char_lm(language)
    assert (lm._fast is None) == pure
    lexicon = mapped.lexicon(language)
    for word in _spread(data, language):
        assert lexicon.get(word) == reference.lexicon(language).get(word)
        assert lm.logprob(word) == reference.char_lm(language).logprob_python(word), word
        assert _logprob(mapped, word, language) == _reference_logprob(reference, word, language), word


def test_the_lexicons_are_the_json_ones(data: dict[str, object], reference: WordLanguages) -> None:
    tables = load_tables()
    for language in LANGUAGES:
        lexicon, expected = tables.lexicon(language), reference.lexicon(language)
        assert len(lexicon) == len(expected)
        assert list(lexicon) == list(expected)  # sorted as the JSON object's keys
        word = next(iter(expected))
        assert word in lexicon and lexicon[word] == expected[word]
        assert "no such word here" not in lexicon and lexicon.get("no such word here", 7) == 7
        assert lexicon.get("\ud800") is None  # a lone surrogate: no word
        with pytest.raises(KeyError):
            lexicon["no such word here"]


def test_the_counts_read_back_are_the_json_ones(reference: WordLanguages) -> None:
    tables = load_tables()
    for language in LANGUAGES:
        assert tables.char_lm(language).counts == reference.char_lm(language).counts


@settings(max_examples=100, deadline=None)
@given(
    counts=st.dictionaries(st.text(alphabet="abcé<>", min_size=1, max_size=3), st.integers(1, 10**6), min_size=1, max_size=40),
    lexicon=st.dictionaries(st.text(alphabet="abcé\u0600", max_size=5), st.integers(0, 10**8), max_size=20),
    words=st.lists(st.text(alphabet="abcdé<>\u0600", max_size=12), max_size=10),
)
def test_any_table_written_reads_back_alike(
    tmp_path_factory: pytest.TempPathFactory, counts: dict[str, int], lexicon: dict[str, int], words: list[str]
) -> None:
    data = {"format": "lipyantar-langid", "version": 1, "order": 3, "languages": {"x": {"lexicon": lexicon, "ngrams": counts}}}
    path = tmp_path_factory.mktemp("tables") / "t.tables"
    write_tables(path, data)
    mapped = MappedWordLanguages(path)
    assert mapped.as_json() == {**data, "languages": {"x": {"lexicon": dict(sorted(lexicon.items())), "ngrams": dict(sorted(counts.items()))}}}
    reference = CharLM(counts, 3)
    for word in [*words, *lexicon]:
        assert mapped.char_lm("x").logprob(word) == reference.logprob_python(word)
        assert mapped.lexicon("x").get(word) == lexicon.get(word)


def test_pickled_tables_are_their_path() -> None:
    tables = load_tables()
    raw = pickle.dumps(tables)
    assert len(raw) < 500 and b"langid.tables" in raw
    assert pickle.loads(raw) is tables  # the process's one map of the file
    lm = tables.char_lm("en")
    raw_lm = pickle.dumps(lm)
    assert len(raw_lm) < 500
    assert pickle.loads(raw_lm) is lm
    assert pickle.loads(raw_lm).logprob("hello") == lm.logprob("hello")


def test_the_checksum_is_the_payloads_named_in_the_header() -> None:
    raw = TABLE_PATH.read_bytes()
    header_end = raw.index(b"\n", len(FILE_MAGIC)) + 1
    assert header_end % 64 == 0
    header = json.loads(raw[len(FILE_MAGIC) : header_end])
    assert header["sha256"] == hashlib.sha256(raw[header_end:]).hexdigest() == tables_checksum(TABLE_PATH)
    assert load_tables().sha256 == header["sha256"]  # type: ignore[attr-defined]


def _damaged(tmp_path: Path, name: str, change: object) -> Path:
    raw = bytearray(TABLE_PATH.read_bytes())
    raw = change(raw)  # type: ignore[operator]
    path = tmp_path / name
    path.write_bytes(bytes(raw))
    return path


def _flip_in_section(section: str):  # type: ignore[no-untyped-def]
    def change(raw: bytearray) -> bytearray:
        end = raw.index(b"\n", len(FILE_MAGIC))
        header = json.loads(raw[len(FILE_MAGIC) : end])
        offset = next(s[2] for s in header["sections"] if s[0] == section)
        raw[end + 1 + offset] ^= 1
        return raw

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: b"NOT-TABLES\n" + raw, "bad magic"),
        (lambda raw: raw.replace(b'"version": 2', b'"version": 9', 1), "version 2"),
        (lambda raw: raw[:-100], "size"),
        (lambda raw: raw[: len(FILE_MAGIC) + 10], "truncated"),
        (lambda raw: raw.replace(b'"sections": [', b'"sections": [["x", "I", 7, 1, 0], ', 1), "not within the payload"),
        (_flip_in_section("meta"), "CRC-32"),
    ],
)
def test_damaged_files_are_refused_when_opened(tmp_path: Path, change: object, message: str) -> None:
    path = _damaged(tmp_path, "bad.tables", change)
    with pytest.raises(ModelError, match=message):
        MappedWordLanguages(path)
    assert tables_checksum(path) is None or message == "CRC-32"


@pytest.mark.parametrize("section", ["en.words", "en.offsets", "en.keys", "en.counts"])
def test_a_damaged_section_is_refused_on_first_use(tmp_path: Path, section: str) -> None:
    tables = MappedWordLanguages(_damaged(tmp_path, "bad.tables", _flip_in_section(section)))
    assert tables.logprob("bahut", "hi-Latn") == load_tables().logprob("bahut", "hi-Latn")  # another language
    with pytest.raises(ModelError, match="CRC-32"):
        tables.logprob("hello", "en")


def test_missing_and_irregular_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        open_tables(tmp_path / "none.tables")
    with pytest.raises(ModelError, match="not a regular file"):
        MappedWordLanguages(tmp_path)
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ModelError, match="empty"):
        MappedWordLanguages(tmp_path / "empty")


@pytest.mark.parametrize(
    ("ngrams", "message"),
    [({"a": 0}, "positive"), ({"abcdef": 1}, "1..3"), ({"a": 2**32}, "32 bits")],
)
def test_tables_the_file_cannot_hold_are_refused(ngrams: dict[str, int], message: str) -> None:
    data = {"format": "lipyantar-langid", "version": 1, "order": 3, "languages": {"x": {"lexicon": {}, "ngrams": ngrams}}}
    with pytest.raises(ModelError, match=message):
        tables_file_bytes(data)


def test_read_tables_reads_the_old_gzip_json_too(tmp_path: Path, data: dict[str, object]) -> None:
    import gzip

    path = tmp_path / "langid.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode("utf-8")))
    assert read_tables(path) == data
    path.write_bytes(b"neither")
    with pytest.raises(ModelError, match="corrupt"):
        read_tables(path)


def test_the_kernel_refuses_ranges_outside_the_buffer() -> None:
    fast = wordlang.FAST
    if fast is None:
        pytest.skip("the compiled kernel is not built or switched off")
    buffer = bytes(64)
    with pytest.raises(ValueError):
        fast.MappedCharModel(buffer, 0, 1, 8, 16, 24, 32, 10, 3, 2, 0, 1)  # 10 keys do not fit
    with pytest.raises(ValueError):
        fast.MappedCharModel(buffer, 3, 1, 8, 16, 24, 32, 1, 3, 2, 0, 1)  # misaligned
    with pytest.raises(ValueError):
        fast.Lexicon(buffer, 0, 8, 8, 16, 100)
    with pytest.raises(ValueError):
        fast.Lexicon(buffer, 0, 8, 8, 16, 1)  # offsets 0, 0: do not span the 8 bytes of words
    with pytest.raises(RuntimeError):
        fast.Lexicon.__new__(fast.Lexicon).get("a")
    from array import array

    def model(chars: list[int], keys: list[int]) -> object:
        raw = array("I", chars).tobytes() + array("Q", keys).tobytes() + bytes(24)
        return fast.MappedCharModel(raw, 0, 2, 8, 24, 24, 24, 2, 3, 2, 0, 1)

    model([97, 98], [5, 9])  # well formed
    with pytest.raises(ValueError, match="keys are not sorted"):
        model([97, 98], [9, 5])
    with pytest.raises(ValueError, match="characters are not sorted"):
        model([98, 97], [5, 9])
