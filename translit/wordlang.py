"""Word-level language models of one script: for each language a lexicon of relative word frequencies and
a character n-gram model over word types (``translit/data/langid.tables``, built by
``scripts/train_langid.py``; romanized Hindi and English in Latin script, Persian, Urdu and Arabic in
Arabic script).

The probability of a folded word (:func:`fold_word`) in language *L* is the mixture
``P_L(w) = (1 - BETA) * lexicon_L(w) + BETA * charlm_L(w)``: frequent words are recognised from the lexicon,
unseen words by their spelling. Used by the sentence-level language identification of
:mod:`lipyantar.corpora.langid` and by the per-token English/Hindi decision of
:mod:`lipyantar.translit.learned.codemix`. The packaged tables are opened once, on first use.

**The tables file** (``lipyantar-langid`` version 2, :func:`tables_file_bytes`): the model file's
layout (:mod:`lipyantar.translit.learned.modelfile`, version 2): a magic line, a JSON header line
padded with spaces so that the payload starts on a 64-byte boundary (format, version, the payload's
size and SHA-256, the section table: name, type, offset, size and CRC-32 of each), then the payload of
uncompressed, little-endian, 8-byte aligned sections: ``meta`` (JSON: the order, the languages with
their character models' sizes and totals, the groups, sources and training settings) and per language

* ``<lang>.words`` its lexicon's words as UTF-8, sorted by their bytes, concatenated; ``<lang>.offsets``
  where each starts (uint32, one more than words); ``<lang>.freqs`` their frequencies (uint32);
* ``<lang>.chars`` the code points of its n-grams, sorted (uint32; a character's id is its index + 1);
  ``<lang>.keys`` every n-gram and every history, packed as the compiled kernel packs them (the
  length in the low 4 bits, then the ids) and sorted (uint64); ``<lang>.counts``, ``<lang>.totals``,
  ``<lang>.types`` per key its count, and as a history the sum of its n-grams' counts and their
  number (uint32 each).

Opening the file (:func:`open_tables`) is a memory map and a header check; a language's sections are
checked (CRC-32) when it is first used and then read in place: a word is looked up by binary search,
by the compiled kernel (``lipyantar.translit._fastwordlang``: ``Lexicon``, ``MappedCharModel``) or,
without it, in Python (the lexicon by bisection, the character model
:meth:`CharLM.logprob_python` over the counts read back from the file). Pickled, the tables are their
file's path: a worker process maps the file again. :func:`read_tables` gives the tables as the JSON
object of version 1 (the form the training writes, ``WordLanguages(data)``), also from a gzip JSON
file of version 1.
"""

from __future__ import annotations

import bisect
import gzip
import json
import logging
import math
import mmap
import os
import stat
import sys
import unicodedata
import zlib
from array import array
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from lipyantar.translit.compiled import load_extension
from lipyantar.translit.errors import ModelError

__all__ = [
    "BETA",
    "ORDER",
    "TABLE_PATH",
    "CharLM",
    "WordLanguages",
    "fold_word",
    "load_tables",
    "open_tables",
    "read_tables",
    "tables_checksum",
    "tables_file_bytes",
    "write_tables",
]

TABLE_FORMAT = "lipyantar-langid"
#: the version of the tables as a JSON object (:func:`read_tables`, ``WordLanguages(data)``)
TABLE_VERSION = 1
#: the version of the tables file (sections read in place, see the module docstring)
FILE_VERSION = 2
FILE_MAGIC = b"LIPYANTAR-LANGID-TABLES\n"
#: the payload starts on a multiple of this many bytes
PAYLOAD_ALIGN = 64
#: the longest header line read
MAX_HEADER = 1 << 20
#: order of the character n-gram models
ORDER = 5
#: weight of the character model in the lexicon/character mixture
BETA = 0.1
#: the n-grams whose log probabilities a :class:`CharLM` keeps (started afresh when full)
NGRAM_MEMO_LIMIT = 100_000
#: the packaged tables (package data next to this module)
TABLE_PATH = Path(__file__).resolve().parent / "data" / "langid.tables"

logger = logging.getLogger(__name__)

_ARABIC_STRIP = dict.fromkeys([*range(0x064B, 0x0653), 0x0640, 0x200C, 0x200D])


def fold_word(word: str) -> str:
    """The form of a word that the models see: NFC, lower case, typographic apostrophe as ``'``;
    Latin diacritics removed (``ṛṣi`` -> ``rsi``); Arabic harakat, tatweel and ZWNJ/ZWJ removed."""
    word = unicodedata.normalize("NFC", word).lower().replace("\u2019", "'")
    if word.isascii():
        return word
    if any("\u0600" <= ch <= "\u06ff" for ch in word):
        return word.translate(_ARABIC_STRIP)
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _load_fast() -> Any:
    """The compiled character model (``lipyantar.translit._fastwordlang``) when built, enabled and of this
    version, else None."""
    module = load_extension("_fastwordlang")
    if module is not None and getattr(module, "KERNEL_VERSION", None) != KERNEL_VERSION:  # pragma: no cover
        logger.warning("lipyantar.translit._fastwordlang computes another model; rebuild it (using Python)")
        return None
    return module


#: the version of :meth:`CharLM.logprob_python` (and of the tables read in place) that the compiled kernel
#: must implement
KERNEL_VERSION = "2"
#: the compiled kernel, or None (pure Python)
FAST = _load_fast()


class CharLM:
    """Witten-Bell interpolated character n-gram model over words (``<word>``).

    :meth:`logprob` runs compiled (``lipyantar.translit._fastwordlang``, built from the counts when the
    model is made) when the kernel is built, with the same results to the last bit as
    :meth:`logprob_python`, the reference, which is used otherwise (its tables are then made on first
    use)."""

    def __init__(self, ngrams: Mapping[str, int], order: int) -> None:
        self.order = order
        self._counts: dict[str, int] | None = ngrams if isinstance(ngrams, dict) else dict(ngrams)
        self._fast: Any = None
        if FAST is not None:
            try:
                self._fast = FAST.CharModel(self._counts, order)
            except ValueError as exc:  # a table the kernel cannot hold: the Python code runs
                logger.debug("character model not compiled (%s); using Python", exc)
        self._tables: tuple[dict[str, int], dict[str, int], int, int] | None = None
        #: n-gram (history + character) -> log probability, each worked out once (see :meth:`logprob_python`)
        self._logprobs: dict[str, float] = {}

    @property
    def counts(self) -> dict[str, int]:
        """n-gram -> count (n = 1 .. order)."""
        if self._counts is None:
            self._counts = self._read_counts()
        return self._counts

    def _read_counts(self) -> dict[str, int]:  # pragma: no cover - the counts are given to a CharLM
        raise NotImplementedError

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return CharLM, (self.counts, self.order)  # the compiled model is made again from the counts

    def _python_tables(self) -> tuple[dict[str, int], dict[str, int], int, int]:
        """(history -> sum of its n-grams' counts, history -> number of its n-grams, unigram total,
        vocabulary size), made on first use."""
        if self._tables is None:
            totals: dict[str, int] = {}
            types: dict[str, int] = {}
            counts = self.counts
            for gram, count in counts.items():
                history = gram[:-1]
                totals[history] = totals.get(history, 0) + count
                types[history] = types.get(history, 0) + 1
            self._tables = totals, types, totals.get("", 0), types.get("", 0) + 1
        return self._tables

    def _prob(self, history: str, char: str) -> float:
        totals, types, unigram_total, vocabulary = self._python_tables()
        counts = self.counts
        prob = (counts.get(char, 0) + 1) / (unigram_total + vocabulary)
        for k in range(1, len(history) + 1):
            h = history[-k:]
            total = totals.get(h)
            if not total:
                break
            distinct = types[h]
            prob = (counts.get(h + char, 0) + distinct * prob) / (total + distinct)
        return prob

    def logprob(self, word: str) -> float:
        """``log P(<word>)``: the sum over the characters after ``<`` of the log probability of each
        given the ``order - 1`` before it."""
        fast = self._fast
        if fast is not None:
            return fast.logprob(word)
        return self.logprob_python(word)

    def logprob_python(self, word: str) -> float:
        """:meth:`logprob` in Python (the reference of the compiled kernel): each n-gram's log
        probability worked out once, in a memo of at most :data:`NGRAM_MEMO_LIMIT` n-grams."""
        padded = "<" + word + ">"
        memo = self._logprobs
        logp = 0.0
        for i in range(1, len(padded)):
            start = max(0, i - self.order + 1)
            gram = padded[start : i + 1]
            term = memo.get(gram)
            if term is None:
                term = math.log(self._prob(padded[start:i], padded[i]))
                if len(memo) >= NGRAM_MEMO_LIMIT:
                    memo.clear()
                memo[gram] = term
            logp += term
        return logp


class WordLanguages:
    """The lexicons and character models of the languages of a table (see the module docstring); each
    language's character model is built on its first use. Made of the JSON object of the tables
    (version 1, :func:`read_tables`); :func:`open_tables` reads a tables file in place instead."""

    def __init__(self, data: Mapping[str, object]) -> None:
        if data.get("format") != TABLE_FORMAT or data.get("version") != TABLE_VERSION:
            raise ModelError(
                f"not a {TABLE_FORMAT} table of version {TABLE_VERSION} "
                f"(found {data.get('format')!r} version {data.get('version')!r})"
            )
        order = data.get("order")
        languages = data.get("languages")
        if not isinstance(order, int) or not isinstance(languages, dict):
            raise ModelError("langid tables: missing 'order' or 'languages'")
        self.order = order
        self._entries: dict[str, Mapping[str, object]] = {}
        for lang, entry in languages.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("lexicon"), dict) or not isinstance(
                entry.get("ngrams"), dict
            ):
                raise ModelError(f"langid tables: no tables for language {lang!r}")
            self._entries[lang] = entry
        self._lm: dict[str, CharLM] = {}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def require(self, languages: tuple[str, ...]) -> None:
        """Raise :class:`ModelError` unless the table has every language of ``languages``."""
        for lang in languages:
            if lang not in self._entries:
                raise ModelError(f"langid tables: no tables for language {lang!r}")

    def lexicon(self, language: str) -> Mapping[str, int]:
        """word -> frequency per 10^8 tokens of the language's most frequent words."""
        return self._entries[language]["lexicon"]  # type: ignore[return-value]

    def char_lm(self, language: str) -> CharLM:
        lm = self._lm.get(language)
        if lm is None:
            lm = self._lm[language] = CharLM(self._entries[language]["ngrams"], self.order)  # type: ignore[arg-type]
        return lm

    def logprob(self, word: str, language: str) -> float:
        """``log P_language(word)`` for an already folded word (see :func:`fold_word`)."""
        lexical = self.lexicon(language).get(word, 0) / 1e8
        return math.log((1.0 - BETA) * lexical + BETA * math.exp(self.char_lm(language).logprob(word)))


# ------------------------------------------------------------------------------------- the tables file

#: per language: (section suffix, array type or "" for bytes)
_SECTIONS = (
    ("words", ""),
    ("offsets", "I"),
    ("freqs", "I"),
    ("chars", "I"),
    ("keys", "Q"),
    ("counts", "I"),
    ("totals", "I"),
    ("types", "I"),
)
_U32 = (1 << 32) - 1


def _uint32(values: list[int], what: str) -> array:
    if any(not 0 <= v <= _U32 for v in values):
        raise ModelError(f"langid tables: a {what} does not fit in 32 bits")
    return array("I", values)


def _char_model_arrays(ngrams: Mapping[str, int], order: int) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """The sizes and totals (for ``meta``) and the sections of one language's character model."""
    if not 1 <= order <= 8:
        raise ModelError(f"langid tables: order {order} is not within 1..8")
    chars = sorted({ord(ch) for gram in ngrams for ch in gram})
    ids = {cp: i + 1 for i, cp in enumerate(chars)}
    bits = max(1, len(chars).bit_length())
    if 4 + bits * order > 64:
        raise ModelError("langid tables: the alphabet of the n-grams is too large to pack")

    def pack(gram: str) -> int:
        key = len(gram)
        for k, ch in enumerate(gram):
            key |= ids[ord(ch)] << (4 + k * bits)
        return key

    entries: dict[int, list[int]] = {}  # key -> [count, total, types]
    unigram_total = vocabulary = 0
    for gram, count in ngrams.items():
        if not isinstance(gram, str) or not 1 <= len(gram) <= order:
            raise ModelError(f"langid tables: n-gram {gram!r} is not of 1..{order} characters")
        if type(count) is not int or count < 1:
            raise ModelError(f"langid tables: n-gram {gram!r} has count {count!r}, not a positive integer")
        entries.setdefault(pack(gram), [0, 0, 0])[0] += count
        if len(gram) > 1:
            history = entries.setdefault(pack(gram[:-1]), [0, 0, 0])
            history[1] += count
            history[2] += 1
        else:
            unigram_total += count
            vocabulary += 1
    vocabulary += 1
    if unigram_total >= 1 << 53:
        raise ModelError("langid tables: the unigram counts add up to 2**53 or more")
    keys = sorted(entries)
    sections = [
        ("chars", array("I", chars)),
        ("keys", array("Q", keys)),
        ("counts", _uint32([entries[k][0] for k in keys], "n-gram count")),
        ("totals", _uint32([entries[k][1] for k in keys], "history's total")),
        ("types", _uint32([entries[k][2] for k in keys], "history's number of n-grams")),
    ]
    meta = {"bits": bits, "chars": len(chars), "keys": len(keys), "unigram_total": unigram_total, "vocabulary": vocabulary}
    return meta, sections


def tables_file_bytes(data: Mapping[str, Any]) -> bytes:
    """The tables file (version 2, see the module docstring) of the JSON object of the tables (version
    1, as :func:`read_tables` gives it and ``scripts/train_langid.py`` makes it). :class:`ModelError` when
    it is not one, or has what the file cannot hold (a count of 0 or of 32 bits or more)."""
    WordLanguages(data)  # its checks
    order = data["order"]
    meta: dict[str, Any] = {k: v for k, v in data.items() if k not in ("format", "version", "languages")}
    meta["languages"] = {}
    blobs: list[tuple[str, str, bytes]] = []
    for lang, entry in data["languages"].items():
        lexicon = entry["lexicon"]
        words = sorted((w.encode("utf-8"), w) for w in lexicon)
        offsets = [0]
        for raw, _ in words:
            offsets.append(offsets[-1] + len(raw))
        freqs = [lexicon[w] for _, w in words]
        if any(type(f) is not int for f in freqs):
            raise ModelError(f"langid tables: a frequency of the {lang!r} lexicon is not an integer")
        lm_meta, lm_sections = _char_model_arrays(entry["ngrams"], order)
        meta["languages"][lang] = {"words": len(words), **lm_meta}
        blobs.append((f"{lang}.words", "", b"".join(raw for raw, _ in words)))
        blobs.append((f"{lang}.offsets", "I", _little(_uint32(offsets, "lexicon offset"))))
        blobs.append((f"{lang}.freqs", "I", _little(_uint32(freqs, "word frequency"))))
        blobs.extend((f"{lang}.{name}", arr.typecode, _little(arr)) for name, arr in lm_sections)
    blobs.insert(0, ("meta", "json", json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")))
    from lipyantar.translit.learned.datafile import sections_file  # the learned wing: imported where used

    return sections_file(FILE_MAGIC, {"format": TABLE_FORMAT, "version": FILE_VERSION}, blobs, align=PAYLOAD_ALIGN)


def _little(arr: array) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
        arr = array(arr.typecode, arr)
        arr.byteswap()
    return arr.tobytes()


def write_tables(path: Path, data: Mapping[str, Any]) -> int:
    """Write the tables file of ``data`` (:func:`tables_file_bytes`) to ``path``, whole or not at all;
    its size in bytes."""
    raw = tables_file_bytes(data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    tmp.replace(path)
    return len(raw)


def _map(path: Path) -> Any:
    """A read-only map of the regular file ``path``, refused (:class:`ModelError`) when it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ModelError(f"the language tables {path} are missing; run scripts/train_langid.py") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ModelError(f"the language tables {path} are not a regular file")
        if not info.st_size:
            raise ModelError(f"the language tables {path} are empty")
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise ModelError(f"cannot read the language tables {path}: {exc}") from exc
    finally:
        os.close(fd)


def _file_header(data: Any, source: str, size: int | None = None) -> tuple[dict[str, Any], int]:
    """The checked header of a tables file (its map, or its first bytes when the file has ``size``
    bytes) and where its payload starts."""
    if bytes(data[: len(FILE_MAGIC)]) != FILE_MAGIC:
        raise ModelError(f"{source}: not a lipyantar language tables file (bad magic)")
    end = data.find(b"\n", len(FILE_MAGIC), MAX_HEADER)
    if end < 0:
        raise ModelError(f"{source}: truncated header")
    try:
        header = json.loads(data[len(FILE_MAGIC) : end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{source}: corrupt header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != TABLE_FORMAT or header.get("version") != FILE_VERSION:
        found = (header.get("format"), header.get("version")) if isinstance(header, dict) else None
        raise ModelError(f"{source}: not a {TABLE_FORMAT} file of version {FILE_VERSION} (found {found})")
    start = end + 1
    total = len(data) if size is None else size
    size = header.get("payload_bytes")
    sections = header.get("sections")
    if type(size) is not int or total - start != size or not isinstance(sections, list):
        raise ModelError(f"{source}: the payload is not of the size the header states (truncated?)")
    for section in sections:
        if not (
            isinstance(section, list)
            and len(section) == 5
            and isinstance(section[0], str)
            and isinstance(section[1], str)
            and all(type(v) is int and v >= 0 for v in section[2:])
            and section[2] % 8 == 0
            and section[2] + section[3] <= size
        ):
            raise ModelError(f"{source}: a section of the header is not within the payload: {section!r}")
    return header, start


class _MappedLexicon(Mapping[str, int]):
    """A lexicon of a tables file, read in place: word -> frequency by binary search over its sorted
    UTF-8 words (compiled, or in Python)."""

    def __init__(self, words: memoryview, offsets: Any, freqs: Any, fast: Any) -> None:
        self._words, self._offsets, self._freqs, self._fast = words, offsets, freqs, fast
        self._n = len(freqs)

    def _word(self, i: int) -> bytes:
        return bytes(self._words[self._offsets[i] : self._offsets[i + 1]])

    def get(self, word: str, default: Any = None) -> Any:
        fast = self._fast
        if fast is not None:
            freq = fast.get(word)
            return default if freq is None else freq
        key = word.encode("utf-8", "surrogatepass")
        i = bisect.bisect_left(range(self._n), key, key=self._word)
        if i < self._n and self._word(i) == key:
            return self._freqs[i]
        return default

    def __getitem__(self, word: str) -> int:
        freq = self.get(word) if isinstance(word, str) else None
        if freq is None:
            raise KeyError(word)
        return int(freq)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __iter__(self) -> Iterator[str]:
        return (self._word(i).decode("utf-8") for i in range(self._n))

    def __len__(self) -> int:
        return self._n


class _MappedCharLM(CharLM):
    """A character model of a tables file: compiled, read in place (``MappedCharModel``); in Python
    (:meth:`CharLM.logprob_python`) over its counts, read back from the file on first use."""

    def __init__(self, tables: MappedWordLanguages, language: str) -> None:
        self.order = tables.order
        self._source, self._language = tables, language
        self._counts = None
        self._tables = None
        self._logprobs = {}
        self._fast = tables._fast_char_model(language) if FAST is not None else None

    def _read_counts(self) -> dict[str, int]:
        return self._source._ngram_counts(self._language)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _mapped_char_lm, (str(self._source.path), self._language)


class MappedWordLanguages(WordLanguages):
    """:class:`WordLanguages` of a tables file, read in place (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        source = str(path)
        self._map = _map(self.path)
        header, start = _file_header(self._map, source)
        self.sha256: str = str(header.get("sha256"))
        self._start = start
        self._sections = {name: (kind, start + offset, size, crc) for name, kind, offset, size, crc in header["sections"]}
        self._view = memoryview(self._map)
        self._checked: set[str] = set()
        try:
            meta = json.loads(bytes(self._section("meta")).decode("utf-8"))
            order = meta["order"]
            languages = meta["languages"]
            if type(order) is not int or not isinstance(languages, dict):
                raise TypeError("no order or languages")
            for lang, info in languages.items():
                for name, _kind in _SECTIONS:
                    if f"{lang}.{name}" not in self._sections:
                        raise TypeError(f"no section {lang}.{name}")
                if not all(type(info.get(k)) is int for k in ("words", "bits", "chars", "keys", "unigram_total", "vocabulary")):
                    raise TypeError(f"the sizes of language {lang!r} are missing")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: corrupt tables ({exc})") from None
        self.order = order
        self.meta: dict[str, Any] = meta
        self._info: dict[str, dict[str, int]] = languages
        self._lexicons: dict[str, _MappedLexicon] = {}
        self._lm: dict[str, CharLM] = {}

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return open_tables, (self.path,)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._info)

    def require(self, languages: tuple[str, ...]) -> None:
        for lang in languages:
            if lang not in self._info:
                raise ModelError(f"langid tables: no tables for language {lang!r}")

    def _section(self, name: str) -> memoryview:
        """The bytes of a section, its CRC-32 checked on first use."""
        _kind, offset, size, crc = self._sections[name]
        view = self._view[offset : offset + size]
        if name not in self._checked:
            if zlib.crc32(view) != crc:
                raise ModelError(f"{self.path}: section {name} is corrupt (CRC-32 mismatch)")
            self._checked.add(name)
        return view

    def _array(self, name: str, typecode: str, count: int) -> Any:
        view = self._section(name)
        item = array(typecode).itemsize
        if len(view) != count * item:
            raise ModelError(f"{self.path}: section {name} is not of {count} items")
        if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
            arr = array(typecode, view.tobytes())
            arr.byteswap()
            return arr
        return view.cast(typecode)  # type: ignore[call-overload]

    def lexicon(self, language: str) -> Mapping[str, int]:
        lexicon = self._lexicons.get(language)
        if lexicon is None:
            if language not in self._info:
                raise KeyError(language)
            n = self._info[language]["words"]
            words = self._section(f"{language}.words")
            offsets = self._array(f"{language}.offsets", "I", n + 1)
            freqs = self._array(f"{language}.freqs", "I", n)
            fast = None
            if FAST is not None and sys.byteorder == "little":
                _, offset, size, _ = self._sections[f"{language}.words"]
                try:
                    fast = FAST.Lexicon(
                        self._map, offset, size, self._sections[f"{language}.offsets"][1], self._sections[f"{language}.freqs"][1], n
                    )
                except ValueError as exc:
                    raise ModelError(f"{self.path}: the {language!r} lexicon is corrupt ({exc})") from None
            elif n and (offsets[0] != 0 or offsets[n] != len(words)):
                raise ModelError(f"{self.path}: the {language!r} lexicon is corrupt")
            lexicon = self._lexicons[language] = _MappedLexicon(words, offsets, freqs, fast)
        return lexicon

    def _char_arrays(self, language: str) -> tuple[Any, Any, Any, Any, Any]:
        info = self._info[language]
        n = info["keys"]
        return (
            self._array(f"{language}.chars", "I", info["chars"]),
            self._array(f"{language}.keys", "Q", n),
            self._array(f"{language}.counts", "I", n),
            self._array(f"{language}.totals", "I", n),
            self._array(f"{language}.types", "I", n),
        )

    def _fast_char_model(self, language: str) -> Any:
        """The compiled character model of ``language``, read in place (None: the Python code runs)."""
        if FAST is None or sys.byteorder != "little":
            return None
        self._char_arrays(language)  # their checks
        info = self._info[language]
        s = self._sections
        try:
            return FAST.MappedCharModel(
                self._map,
                s[f"{language}.chars"][1],
                info["chars"],
                s[f"{language}.keys"][1],
                s[f"{language}.counts"][1],
                s[f"{language}.totals"][1],
                s[f"{language}.types"][1],
                info["keys"],
                self.order,
                info["bits"],
                info["unigram_total"],
                info["vocabulary"],
            )
        except (ValueError, OverflowError) as exc:
            raise ModelError(f"{self.path}: the {language!r} character model is corrupt ({exc})") from None

    def _ngram_counts(self, language: str) -> dict[str, int]:
        """The n-gram counts of ``language`` (its n-grams: the keys of a positive count), as written."""
        chars, keys, counts, _totals, _types = self._char_arrays(language)
        bits = self._info[language]["bits"]
        mask = (1 << bits) - 1
        letters = [""] + [chr(cp) for cp in chars]
        out: dict[str, int] = {}
        for key, count in zip(keys, counts, strict=True):
            if count:
                n = key & 15
                key >>= 4
                gram = []
                for _ in range(n):
                    gram.append(letters[key & mask])
                    key >>= bits
                out["".join(gram)] = count
        return out

    def char_lm(self, language: str) -> CharLM:
        lm = self._lm.get(language)
        if lm is None:
            if language not in self._info:
                raise KeyError(language)
            lm = self._lm[language] = _MappedCharLM(self, language)
        return lm

    def as_json(self) -> dict[str, Any]:
        """The tables as the JSON object of version 1 (what they were written from; languages and their
        words in sorted order)."""
        meta = {k: v for k, v in self.meta.items() if k != "languages"}
        languages = {}
        for lang in self.languages:
            lexicon = self.lexicon(lang)
            assert isinstance(lexicon, _MappedLexicon)
            languages[lang] = {
                "lexicon": dict(zip(lexicon, (int(f) for f in lexicon._freqs), strict=True)),
                "ngrams": dict(sorted(self._ngram_counts(lang).items())),
            }
        return {"format": TABLE_FORMAT, "version": TABLE_VERSION, **meta, "languages": languages}


def _mapped_char_lm(path: str, language: str) -> CharLM:
    return open_tables(Path(path)).char_lm(language)


def open_tables(path: Path = TABLE_PATH) -> MappedWordLanguages:
    """The tables file ``path``, mapped (:class:`ModelError` when it is missing, of another format or
    version, or corrupt); one map per version of the file (its identity, size and time) in a process."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ModelError(f"the language tables {path} are missing; run scripts/train_langid.py") from exc
    return _open(os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _open(path: str, dev: int, ino: int, size: int, mtime_ns: int) -> MappedWordLanguages:
    return MappedWordLanguages(Path(path))


def tables_checksum(path: Path) -> str | None:
    """The SHA-256 of the payload of the tables file ``path``, as its header names it (the header alone
    is read); None when ``path`` is not a tables file of this version."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(FILE_MAGIC))
            if head != FILE_MAGIC:
                return None
            head += fh.readline(MAX_HEADER)
            header, _start = _file_header(head, str(path), os.fstat(fh.fileno()).st_size)
    except (OSError, ModelError):
        return None
    sha = header.get("sha256")
    return sha if isinstance(sha, str) else None


def read_tables(path: Path = TABLE_PATH) -> dict[str, object]:
    """The JSON object (version 1) of a tables file, or of a gzip-compressed JSON table file (what
    ``scripts/train_langid.py`` wrote before the tables file); :class:`ModelError` when missing or
    corrupt."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(FILE_MAGIC))
    except OSError as exc:
        raise ModelError(f"the language tables {path} are missing; run scripts/train_langid.py") from exc
    if head == FILE_MAGIC:
        return MappedWordLanguages(path).as_json()
    try:
        data = json.loads(gzip.decompress(Path(path).read_bytes()).decode("utf-8"))
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise ModelError(f"{path} is corrupt: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path}: not a JSON object")
    return data


@lru_cache(maxsize=1)
def load_tables() -> WordLanguages:
    """The packaged tables, opened on first use (a memory map) and shared afterwards."""
    return open_tables(TABLE_PATH)
