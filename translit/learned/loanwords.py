"""Devanagari → roman of an English loanword: its English spelling, when the evidence says the word is one.

Annotators romanize a Devanagari word that spells the sound of an English word by that word's English
spelling (``अटेंशन`` attention, ``ऑस्कर`` oscar, ``इन्फेंट्री`` infantry): half of the Devanagari →
roman errors on the Dakshina lexicon were such words, romanized letter by letter (``attension``,
``oskar``, ``infentri``). The joint model cannot know English spelling; the English pronunciation model
(:mod:`lipyantar.translit.learned.english`) can go the other way, from an English word to the Devanagari
spellings of its sound. This module keeps the inverse of that, built once: for each Devanagari spelling,
the English words (the word-language tables' English lexicon, wordfreq's English list, with a CMUdict
pronunciation) that spell to it, with how far that spelling is below the word's best spelling (``gap``)
and the word's log frequency share in the lexicon (``logfreq``).

A word that the memory does not attest is romanized the English way (:func:`english_reading`) when

* an English word at least ``d2r.loan_logfreq`` frequent spells to it (the one closest to its best
  spelling is taken);
* the word is not a common Hindi word: its log unigram prior is at most ``d2r.loan_logprior``
  (``वे`` stays ``ve``, though it is also the sound of *way*);
* the joint model is not sure of its own romanization: the best one scores at most
  ``d2r.loan_score``.

The three parameters were chosen by cross-validation on a held-out slice of the train lexicon (a model
trained without it; ``scripts/loanword_index.py --tune``). The index is package data
(:data:`LOANWORDS_PATH`, written by ``scripts/loanword_index.py``: a JSON header line and then a MARISA
trie that maps the loose spelling, :func:`~lipyantar.translit.learned.english.loose_spelling`, of each
Devanagari spelling to its ``deva english gap logfreq`` entries), mapped over the file's bytes and
looked up in place: reading it costs a read and a checksum, and builds no dict of its words. A word
that no English word spells exactly takes the English words of a loosely equal spelling (``आर्मेनिया``
armenia, whose sound the model spells आर्मीनिया).
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import zlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_gzip, read_versioned_json
from lipyantar.translit.learned.english import loose_spelling
from lipyantar.translit.learned.modelfile import crc32, map_file
from lipyantar.translit.learned.origin import tables_sha256
from lipyantar.translit.wordlang import TABLE_PATH, open_tables

if TYPE_CHECKING:
    from lipyantar.translit.learned.english import EnglishModel

__all__ = [
    "LOANWORDS_PATH",
    "TABLE_READINGS_PATH",
    "Loanword",
    "LoanwordIndex",
    "english_reading",
    "loanword_index",
    "table_readings",
    "write_loanwords",
    "write_table_readings",
]

logger = logging.getLogger(__name__)

LOANWORDS_PATH = Path(__file__).resolve().parent / "data" / "english-loanwords.marisa"
LOANWORDS_FORMAT = "lipyantar-loanwords"
LOANWORDS_VERSION = 1
#: the English readings of the shipped model's precomputed table words (see :func:`table_readings`)
TABLE_READINGS_PATH = Path(__file__).resolve().parent / "data" / "english-loanwords-table.json.gz"
TABLE_READINGS_FORMAT = "lipyantar-loanword-table"
TABLE_READINGS_VERSION = 1
#: the ``d2r`` parameters an English reading depends on
LOAN_PARAMS = ("loan_logfreq", "loan_logprior", "loan_score", "loan_loose", "loan_variants")

#: Devanagari spellings kept per English word (the pronunciation model's k best per pronunciation) ...
SPELLINGS_K = 10
#: ... searched with this beam
SPELLINGS_BEAM = 16
#: English words rarer than this log frequency share are not in the index (``d2r.loan_logfreq`` below
#: it has no further effect)
LOGFREQ_FLOOR = -13.0
#: English words kept per Devanagari spelling (closest first)
PER_SPELLING = 2
#: the trie's offset in the file is a multiple of this (it is read in place)
PAYLOAD_ALIGN = 8


class Loanword(NamedTuple):
    """An English word that spells to a Devanagari word."""

    #: the Devanagari spelling
    spelling: str
    english: str
    #: log score of this spelling minus that of the word's best spelling (0: its best)
    gap: float
    #: log of the word's share of the English lexicon's counts
    logfreq: float


class LoanwordIndex:
    """Devanagari word → :class:`Loanword` list (the English words of every spelling that agrees with the
    word up to :func:`~lipyantar.translit.learned.english.loose_spelling`): a MARISA trie of
    ``loose\x00spelling english gap logfreq`` keys (``marisa_trie.BytesTrie``) mapped over the file's
    bytes, so reading the index builds nothing."""

    def __init__(self, trie: Any, buffer: memoryview) -> None:
        self._trie = trie
        self._buffer = buffer  # the trie points into it

    def __len__(self) -> int:
        return len(self._trie)

    def get(self, deva: str) -> tuple[Loanword, ...]:
        values = self._trie.get(loose_spelling(deva))
        if not values:
            return ()
        try:
            return tuple(_parse(value) for value in values)
        except (ValueError, UnicodeDecodeError):  # cannot happen in a file that passed its checksum
            logger.warning("loanword index: a malformed entry for %s", deva)
            return ()


def _parse(value: bytes) -> Loanword:
    """One entry, ``spelling english gap logfreq``; ValueError when it is not four values."""
    spelling, english, gap, logfreq = value.decode("utf-8").split(" ")
    return Loanword(spelling, english, float(gap), float(logfreq))


def read_loanwords(path: Path = LOANWORDS_PATH, *, tables: Path = TABLE_PATH) -> LoanwordIndex | None:
    """The index file (a JSON header line, then the trie's bytes, whose size and CRC-32 the header gives);
    None (and a log message) when it is missing, of another format or version, made from other
    word-language tables than ``tables``, or corrupt: then no word is romanized the English way."""
    try:
        data = map_file(path, what="loanword index")  # read in place, as the model file
        end = data.find(b"\n")
        if end < 0:
            raise ValueError("no header line")
        meta = read_versioned_json(
            data[:end].decode("utf-8"), fmt=LOANWORDS_FORMAT, version=LOANWORDS_VERSION, source=str(path)
        )
        if meta.get("tables_sha256") != tables_sha256(tables):
            raise ValueError(f"made from other tables than {tables}")
        if (end + 1) % PAYLOAD_ALIGN:
            raise ValueError("the trie is not aligned")
        payload = memoryview(data)[end + 1 :]
        if len(payload) != meta.get("payload_bytes") or crc32(payload) != meta.get("crc32"):
            raise ValueError("corrupt (size or checksum mismatch)")
        import marisa_trie  # here: only a word that the memory does not attest pays for this import

        try:
            trie = marisa_trie.BytesTrie().map(payload)
        except Exception as exc:  # marisa raises its own errors on a malformed trie
            raise ValueError(f"the trie cannot be decoded: {exc}") from exc
    except (OSError, ValueError, UnicodeDecodeError, ModelError) as exc:
        logger.info("loanword index %s not used (%s)", path, exc)
        return None
    return LoanwordIndex(trie, payload)


@lru_cache(maxsize=1)
def loanword_index() -> LoanwordIndex | None:
    """The packaged index (read on first use)."""
    return read_loanwords()


def english_reading(
    deva: str,
    loans: Iterable[Loanword],
    *,
    score: float,
    logprior: float | None,
    min_logfreq: float,
    max_logprior: float,
    max_score: float,
    loose: bool = True,
) -> str | None:
    """The English spelling of the Devanagari word ``deva`` with these ``loans`` (:meth:`LoanwordIndex.get`),
    or None: the closest English word at least ``min_logfreq`` frequent of those that spell to ``deva``
    itself, or when none does and ``loose``, of those that spell to a loosely equal spelling (आर्मीनिया
    for आर्मेनिया), when the joint model's best romanization scores ``score`` at most ``max_score`` and
    the word's log prior ``logprior`` (None: unknown) is at most ``max_logprior``."""
    if score > max_score or (logprior is not None and logprior > max_logprior):
        return None
    loans = tuple(loans)
    exact = tuple(loan for loan in loans if loan.spelling == deva)
    if exact or not loose:
        loans = exact
    frequent = [loan for loan in loans if loan.logfreq >= min_logfreq]
    if not frequent:
        return None
    # the closest; of equally close ones the more frequent (then by spelling: the same on every run)
    return max(frequent, key=lambda loan: (loan.gap, loan.logfreq, loan.english)).english


def loanword_entries(english: EnglishModel, lexicon: Mapping[str, int]) -> list[tuple[str, bytes]]:
    """The index's entries, ``(loose spelling, b"spelling english gap logfreq")``: every word of the English
    ``lexicon`` (word → count) at least :data:`LOGFREQ_FLOOR` frequent with a pronunciation, by the
    Devanagari spellings of its sound (the :data:`PER_SPELLING` closest English words of each)."""
    total = sum(lexicon.values())
    index: dict[str, list[Loanword]] = {}
    for word, count in sorted(lexicon.items()):
        logfreq = math.log(count / total)
        if logfreq < LOGFREQ_FLOOR or not english.pronunciations(word):
            continue
        spellings = english.candidates(word, k=SPELLINGS_K, beam=SPELLINGS_BEAM)
        if not spellings:
            continue
        top = max(spellings.values())
        for deva, s in spellings.items():
            index.setdefault(deva, []).append(Loanword(deva, word, s - top, logfreq))
    entries = []
    for deva, loans in sorted(index.items()):
        loans.sort(key=lambda loan: (-loan.gap, -loan.logfreq, loan.english))
        for x in loans[:PER_SPELLING]:
            entries.append((loose_spelling(deva), f"{deva} {x.english} {x.gap:.2f} {x.logfreq:.2f}".encode()))
    return entries


def index_bytes(entries: Iterable[tuple[str, bytes]], meta: Mapping[str, Any]) -> bytes:
    """An index file of ``entries`` (``(loose spelling, b"spelling english gap logfreq")``): the header
    line (format, version, ``meta``, the trie's size and CRC-32, padded so that the trie is aligned) and
    the trie."""
    import marisa_trie

    payload = marisa_trie.BytesTrie(list(entries)).tobytes()
    header = {
        "format": LOANWORDS_FORMAT,
        "version": LOANWORDS_VERSION,
        **meta,
        "payload_bytes": len(payload),
        "crc32": zlib.crc32(payload),
    }
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-(len(head) + 1) % PAYLOAD_ALIGN)  # the trie starts on an aligned offset
    return head + b"\n" + payload


def write_loanwords(path: Path, english: EnglishModel, *, source: str, tables: Path = TABLE_PATH) -> int:
    """Write the index file of ``english`` and the English lexicon of the word-language tables ``tables``
    (``scripts/loanword_index.py``); the number of entries."""
    lexicon = open_tables(tables).lexicon("en")
    entries = loanword_entries(english, lexicon)
    meta = {
        "source": source,
        "k": SPELLINGS_K,
        "beam": SPELLINGS_BEAM,
        "logfreq_floor": LOGFREQ_FLOOR,
        "tables_sha256": tables_sha256(tables),
        "entries": len(entries),
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(index_bytes(entries, meta))
    tmp.replace(path)
    return len(entries)


def index_crc32(path: Path = LOANWORDS_PATH) -> int | None:
    """The CRC-32 of the index file's trie as its header line gives it (the header alone is read); None
    when the file or its header cannot be read."""
    try:
        with path.open("rb") as f:
            head = f.readline()
        meta = read_versioned_json(
            head.decode("utf-8"), fmt=LOANWORDS_FORMAT, version=LOANWORDS_VERSION, source=str(path)
        )
    except (OSError, UnicodeDecodeError, ModelError):
        return None
    crc = meta.get("crc32")
    return crc if isinstance(crc, int) else None


def table_key(*, model_sha256: str, table_words: int, params: Any) -> dict[str, Any]:
    """What the English readings of a model's precomputed table depend on: the model file (its SHA-256),
    the table's size (a table only grows, by ``precompute_romanizations``), the index (its trie's
    CRC-32) and the ``d2r`` parameters :data:`LOAN_PARAMS` (``params``: a ``DevaToRoman``)."""
    return {
        "model_sha256": model_sha256,
        "table_words": table_words,
        "index_crc32": index_crc32(),
        "params": {name: getattr(params, name) for name in LOAN_PARAMS},
    }


def write_table_readings(path: Path, readings: Mapping[str, str], *, key: Mapping[str, Any]) -> None:
    """Write the English readings (Devanagari table word → English spelling) of a model's precomputed
    table, under ``key`` (:func:`table_key`), as gzipped JSON (``scripts/loanword_index.py``)."""
    doc = {
        "format": TABLE_READINGS_FORMAT,
        "version": TABLE_READINGS_VERSION,
        **key,
        "readings": dict(sorted(readings.items())),
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8"), mtime=0))
    tmp.replace(path)


@lru_cache(maxsize=1)
def _packaged_table_readings() -> tuple[dict[str, Any], dict[str, str]] | None:
    try:
        doc = read_versioned_gzip(TABLE_READINGS_PATH, fmt=TABLE_READINGS_FORMAT, version=TABLE_READINGS_VERSION)
    except ModelError as exc:
        logger.info("table readings %s not used (%s)", TABLE_READINGS_PATH, exc)
        return None
    readings = doc.pop("readings", None)
    if not isinstance(readings, dict):
        return None
    return doc, readings


def table_readings(*, model_sha256: str, table_words: int | None, params: Any) -> dict[str, str] | None:
    """The packaged English readings of the shipped model's precomputed table words (what
    ``LearnedModel._loanword`` gives each of them; words without one are left out) when they were made
    for the model file of SHA-256 ``model_sha256``, a table of ``table_words`` words (None: the file's,
    not built yet), the index as it is and the ``d2r`` parameters ``params`` (:func:`table_key`), else
    None (they must be found word by word). Devanagari → roman then reads a table word's romanization
    without asking the index."""
    packaged = _packaged_table_readings()
    if packaged is None:
        return None
    meta, readings = packaged
    if (
        meta.get("model_sha256") != model_sha256
        or (table_words is not None and meta.get("table_words") != table_words)
        or meta.get("params") != {name: getattr(params, name) for name in LOAN_PARAMS}
        or meta.get("index_crc32") != _index_crc32()
    ):
        return None
    return readings


@lru_cache(maxsize=1)
def _index_crc32() -> int | None:
    return index_crc32()
