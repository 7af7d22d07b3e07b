"""The large Hindi word list (lipyantar.translit.learned.vocab) and its use roman → Devanagari."""

from __future__ import annotations

import hashlib
import json
import lzma
import mmap
import pickle
from array import array
from pathlib import Path

import pytest
from test_learned import synthetic_pairs  # tests/ is on sys.path under pytest

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.langmodel import FAST
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel, roman_skeleton
from lipyantar.translit.learned.vocab import (
    VOCAB_MAGIC,
    Vocabulary,
    decode_word,
    encode_word,
    vocabulary_bytes,
)

WORDS = ["कमल", "नमक", "किताब", "क़लम", "काल", "कल", "कला", "हिंदी"]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    index = {"kml": ["कमल"], "kl": ["कल", "काल", "कला", "जोकर"], "": ["कल"]}
    return Vocabulary.from_bytes(vocabulary_bytes([*WORDS, "abc", "कल"], index, name="test"))


def test_membership(vocab: Vocabulary) -> None:
    assert len(vocab) == len(WORDS)  # the Latin word is skipped, the duplicate counted once
    for word in WORDS:
        assert word in vocab
    for word in ["कमला", "", "abc", "कलम", "क", "�কল", 3]:
        assert word not in vocab
    assert sorted(vocab.words()) == sorted(WORDS)


def test_skeleton_index_keeps_order_and_known_words(vocab: Vocabulary) -> None:
    assert vocab.lookup("kl") == ("कल", "काल", "कला")  # जोकर is not in the list
    assert vocab.lookup("kml") == ("कमल",)
    assert vocab.lookup("xyz") == ()
    assert vocab.lookup("kl") is vocab.lookup("kl")  # memoized


def test_one_byte_form_round_trips() -> None:
    for word in WORDS:
        data = encode_word(word)
        assert data is not None and len(data) == len(word)
        assert decode_word(data) == word
    assert encode_word("कल\u200d") is None  # outside the Devanagari block: never a member


def test_corrupt_files_are_model_errors(tmp_path: Path) -> None:
    data = vocabulary_bytes(WORDS, {}, name="t")
    with pytest.raises(ModelError, match="bad magic"):
        Vocabulary.from_bytes(b"x" + data)
    with pytest.raises(ModelError, match="checksum"):
        Vocabulary.from_bytes(data[:-3] + b"abc")
    with pytest.raises(ModelError, match="cannot read"):
        Vocabulary.load(tmp_path / "missing.vocab")
    assert data.startswith(VOCAB_MAGIC)


def _v1_bytes(words: list[str], index: dict[str, list[str]]) -> bytes:
    """A version 1 file (the LZMA layout of lipyantar before the memory-mapped one), as its writer made it."""
    encoded = sorted({e for e in (encode_word(w) for w in words) if e})
    number = {w: i for i, w in enumerate(encoded)}
    keys = sorted(k for k in index if k)
    offsets, ids = array("I", [0]), array("I")
    for key in keys:
        ids.extend(number[e] for e in (encode_word(w) for w in index[key]) if e in number)
        offsets.append(len(ids))
    parts = [b"\n".join(encoded), "\n".join(keys).encode(), offsets.tobytes(), ids.tobytes()]
    body = lzma.compress(b"".join(parts))
    header = {
        "format": "lipyantar-vocabulary",
        "version": 1,
        "name": "old",
        "sections": [len(x) for x in parts],
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return VOCAB_MAGIC + json.dumps(header).encode() + b"\n" + body


def test_version_1_files_are_still_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    index = {"kl": ["कल", "काल"], "kml": ["कमल"]}
    path = tmp_path / "old.vocab"
    path.write_bytes(_v1_bytes(WORDS, index))
    with caplog.at_level("WARNING"):
        old = Vocabulary.load(path)
    assert "version 1" in caplog.text and "save" in caplog.text
    assert sorted(old.words()) == sorted(WORDS) and old.lookup("kl") == ("कल", "काल")
    old.save(tmp_path / "new.vocab")  # the converter
    new = Vocabulary.load(tmp_path / "new.vocab")
    assert new.index() == old.index() == {"kl": ("कल", "काल"), "kml": ("कमल",)}
    assert new.to_bytes() == vocabulary_bytes(WORDS, index, name="old")


def test_a_file_is_memory_mapped_and_aligned(tmp_path: Path) -> None:
    path = tmp_path / "w.vocab"
    path.write_bytes(vocabulary_bytes(WORDS, {"kl": ["कल"]}, name="t"))
    vocab = Vocabulary.load(path)
    assert isinstance(vocab._buffer, mmap.mmap)  # queried in place, not read into memory
    assert "कमल" in vocab and vocab.lookup("kl") == ("कल",)
    head = path.read_bytes()
    header = json.loads(head[len(VOCAB_MAGIC) : head.index(b"\n", len(VOCAB_MAGIC))])
    start = head.index(b"\n", len(VOCAB_MAGIC)) + 1
    assert start % 64 == 0 and all(off % 8 == 0 for _, off, _ in header["sections"])
    clone = pickle.loads(pickle.dumps(vocab))  # a map does not pickle; the copy carries the bytes
    assert sorted(clone.words()) == sorted(WORDS) and clone.lookup("kl") == ("कल",)


def _rewrite_header(data: bytes, **changes: object) -> bytes:
    """The file with header fields changed and a valid checksum (what a checksum cannot catch)."""
    end = data.index(b"\n", len(VOCAB_MAGIC))
    header = json.loads(data[len(VOCAB_MAGIC) : end])
    payload = data[end + 1 :]
    header.update(changes)
    line = VOCAB_MAGIC + json.dumps(header).encode()
    return line + b" " * (-(len(line) + 1) % 64) + b"\n" + payload


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": 3}, "version 3 is not supported"),
        ({"version": "2"}, "not supported"),
        ({"format": "other"}, "not a lipyantar vocabulary"),
        ({"words": 99}, "inconsistent"),
        ({"keys": 0}, "inconsistent"),
        ({"sections": [["words", 0, 10]]}, "bad section table"),
        ({"sections": "x"}, "corrupt vocabulary header"),
        ({"payload_bytes": 1}, "size or checksum"),
        ({"crc32": None}, "corrupt vocabulary header"),
    ],
)
def test_bad_headers_are_model_errors(changes: dict[str, object], message: str) -> None:
    data = vocabulary_bytes(WORDS, {"kl": ["कल"]}, name="t")
    with pytest.raises(ModelError, match=message):
        Vocabulary.from_bytes(_rewrite_header(data, **changes))


def test_shifted_sections_are_model_errors() -> None:
    """A section table pointing elsewhere, with a valid checksum, is refused (never a crash)."""
    data = vocabulary_bytes(WORDS, {"kl": ["कल"]}, name="t")
    end = data.index(b"\n", len(VOCAB_MAGIC))
    sections = json.loads(data[len(VOCAB_MAGIC) : end])["sections"]
    swapped = [[a, off_b, n_b] for (a, _, _), (_, off_b, n_b) in zip(sections, sections[1:] + sections[:1], strict=True)]
    with pytest.raises(ModelError):
        Vocabulary.from_bytes(_rewrite_header(data, sections=swapped))


def test_the_shipped_word_list_is_version_2() -> None:
    from lipyantar.translit.learned.storage import load_vocabulary

    vocab = load_vocabulary("default")
    assert vocab is not None and len(vocab) > 1_000_000
    assert isinstance(vocab._buffer, mmap.mmap)
    assert "संगठन" in vocab and "संगठन" in vocab.lookup(roman_skeleton("sangathan"))


@pytest.fixture(scope="module")
def tiny() -> LearnedModel:
    return train(synthetic_pairs(400, seed=1), native_text=["कमल नमक"], order=3, noise_fraction=0.0)


def test_known_word_bonus_reorders_candidates(tiny: LearnedModel) -> None:
    plain = tiny.with_params({"r2d.w_vocab": 0.0})
    top = [d for d, _ in plain.devanagarize_topk("kamala", 5)]
    assert len(top) >= 2
    # a word list that knows only the second candidate: with a large bonus it comes first
    model = tiny.with_params({"r2d.w_vocab": 100.0})
    model.set_vocabulary(Vocabulary.from_bytes(vocabulary_bytes([top[1]], {}, name="t")))
    assert next(d for d, _ in model.devanagarize_topk("kamala", 5)) == top[1]
    assert model.devanagarize("kamala") in (top[1], plain.devanagarize("kamala"))
    # without a word list, or with the bonus off, nothing changes
    same = tiny.with_params({"r2d.w_vocab": 100.0}).devanagarize_topk("kamala", 5)
    assert same == plain.devanagarize_topk("kamala", 5)


def test_word_list_index_adds_candidates(tiny: LearnedModel) -> None:
    roman = "kamala"
    key = roman_skeleton(roman)
    sizes = {"beam": 1, "nbest": 1, "vocab_cands": 40, "marg_top": 60, "english_k": 0, "acronym_max": 0}
    narrow = {f"search.topk.{name}": value for name, value in sizes.items()}
    before = {d for d, _ in tiny.with_params(narrow).devanagarize_topk(roman, 50)}
    wide_sizes = {"beam": 64, "nbest": 64, "marg_top": 64, "acronym_max": 0, "english_k": 0}
    wide = tiny.with_params({f"search.topk.{name}": value for name, value in wide_sizes.items()})
    # a spelling that the narrow search does not propose but a wider one does (so the model can spell
    # it), indexed under the input's skeleton
    extra = next(d for d, _ in wide.devanagarize_topk(roman, 64) if d not in before)
    vocab = Vocabulary.from_bytes(vocabulary_bytes([extra], {key: [extra]}, name="t"))
    model = tiny.with_params({"search.topk.vocab_big": 5, **narrow})
    model.set_vocabulary(vocab)
    assert model._vocab_words(key)[-1] == extra
    after = {d for d, _ in model.devanagarize_topk(roman, 50)}
    assert extra in after
    if FAST is not None and hasattr(FAST, "Channel"):  # the compiled channel calls the same lookup
        for kind in ("topk", "top1", "context"):
            assert model._compiled_channel()(roman, kind) == model._channel_python(roman, kind)
    # each search takes its own number of word-list words
    assert extra not in model.with_params({"search.context.vocab_big": 0})._vocab_words(key, "context")
    assert extra in model.with_params({"search.context.vocab_big": 1})._vocab_words(key, "context")
    assert extra not in model.with_params({"search.top1.vocab_big": 0})._vocab_words(key, "top1")


def test_model_pickles_without_its_loaded_word_list(tiny: LearnedModel, tmp_path: Path) -> None:
    path = tmp_path / "w.vocab"
    path.write_bytes(vocabulary_bytes(WORDS, {}, name="t"))
    model = tiny.with_params({"r2d.w_vocab": 2.0})
    model.set_vocabulary(str(path))
    assert "कमल" in model.vocabulary  # type: ignore[operator]
    clone = pickle.loads(pickle.dumps(model))
    assert clone._vocab_obj is None and clone._vocab_source == str(path)
    assert clone.devanagarize_topk("kamala", 3) == model.devanagarize_topk("kamala", 3)
