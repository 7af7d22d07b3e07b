"""Devanagari → roman of a common Hindi word that is also an English word's sound: the native reading first.

The memory of attested pairs (:mod:`lipyantar.translit.learned.memory`) holds the Dakshina lexicon's
romanizations, which annotators wrote for words out of context: ``वे`` (they) has ``way`` three times and
``ve`` once, because वे is also how Hindi writes the sound of English *way*. In running text people
type the pronoun ``ve`` (the Dakshina dev sentences: 139 ``ve``, 27 ``we``, no ``way``). So an English
reading of an attested word is put after a native one when the evidence says the word is Hindi:

* the word is a common Hindi word: its log unigram prior is above ``english.keep_logprior`` (the model's
  threshold for "a common Hindi word is Hindi even though its sound is also an English word's", the one
  ``--english keep`` uses);
* its most frequent attested romanization is an English word whose sound the word spells: more probable
  as English than as romanized Hindi in the word-language tables (:mod:`lipyantar.translit.wordlang`:
  wordfreq English against the Dakshina romanizations), not the rule-based reading of the Devanagari,
  and with a pronunciation whose rule spelling is the word (:func:`sounds_like`: ``way`` /weɪ/ वे; not
  ``he`` for है, a casual spelling of it);
* a native reading is attested too: a romanization more probable as romanized Hindi than as English.

Loanwords keep their English spelling (``स्कूल`` school, ``पार्टी`` party: no native reading is
attested), and so do words that are not common (``मेल`` mail). Only the sign of a spelling's margin
matters here, and for the words of the tables' two lexicons it is read from a small packaged list
(:data:`SIGNS_PATH`, made from the tables by ``scripts/origin_signs.py`` and checked against them on
load), so that Devanagari → roman does not open the word-language tables (a memory map, but its first use
checks the two languages' sections: a few milliseconds and their pages) for the few common words it asks
about; the tables are opened only for a spelling outside that list. The
answer is memoized with the word's.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import logging
import math
import os
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_json
from lipyantar.translit.learned.english import loose_spelling, spell_pronunciation
from lipyantar.translit.wordlang import (
    TABLE_PATH,
    WordLanguages,
    fold_word,
    load_tables,
    open_tables,
    tables_checksum,
)

if TYPE_CHECKING:
    from lipyantar.translit.learned.english import EnglishModel, EnglishProns

__all__ = ["english_logprob", "english_margin", "margin_sign", "native_first", "sounds_like"]

logger = logging.getLogger(__name__)

_ENGLISH = "en"
_HINDI = "hi-Latn"

#: the sign of :func:`english_margin` of every word of the tables' English and romanized-Hindi lexicons:
#: a gzip-compressed text file, a JSON header line (format, version, the SHA-256 of the tables it was
#: made from) and then ``word<TAB>+`` or ``word<TAB>-`` (a margin of exactly 0 is not listed)
SIGNS_PATH = Path(__file__).resolve().parent / "data" / "origin-signs.tsv.gz"
SIGNS_FORMAT = "lipyantar-origin-signs"
SIGNS_VERSION = 1


@lru_cache(maxsize=1)
def _tables() -> WordLanguages | None:
    tables = load_tables()
    if _ENGLISH not in tables.languages or _HINDI not in tables.languages:
        return None
    return tables


@lru_cache(maxsize=4096)
def english_margin(roman: str) -> float:
    """log P(roman | English) - log P(roman | romanized Hindi) (0.0 without the tables)."""
    tables = _tables()
    if tables is None:
        return 0.0
    word = fold_word(roman)
    return tables.logprob(word, _ENGLISH) - tables.logprob(word, _HINDI)


@lru_cache(maxsize=4096)
def english_logprob(roman: str) -> float:
    """log P(roman | English) by the word-language tables (-inf without them)."""
    tables = _tables()
    if tables is None:
        return -math.inf
    return tables.logprob(fold_word(roman), _ENGLISH)


def tables_sha256(path: Path = TABLE_PATH) -> str:
    """The SHA-256 that names the word-language tables ``path`` (what a signs file names as its source):
    of a tables file its payload's, read from its header (as a model file is named), of any other file
    the file's; worked out once per version of the file (its identity, size and time: the signs file and
    the loanword index both ask for it when Devanagari → roman first needs them)."""
    st = os.stat(path)
    return _file_sha256(os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _file_sha256(path: str, dev: int, ino: int, size: int, mtime_ns: int) -> str:
    named = tables_checksum(Path(path))
    if named is not None:
        return named
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


class SignList(Mapping[str, int]):
    """The signs of a signs file: folded word -> +1 or -1, looked up by a binary search over the file's
    lines, kept as UTF-8 bytes (sorted as the words' code points are): no dict of its 89k words is
    built, and no string decoded, where Devanagari → roman asks about a few dozen.

    Made of the lines (sorted here), or (:meth:`of_body`) of the file's body itself when its lines are
    known to be sorted: then the body is not split, a search goes through every :data:`BLOCK`-th byte's
    line and splits one block."""

    #: the bytes between two lines of the index of a body
    BLOCK = 4096

    def __init__(self, lines: list[bytes]) -> None:
        lines.sort()  # the file is written sorted: one pass to check it
        self._lines: list[bytes] | None = lines
        self._body = b""
        self._starts: list[int] = []
        self._firsts: list[bytes] = []
        self._count = len(lines)

    @classmethod
    def of_body(cls, body: bytes, count: int) -> SignList:
        """The signs of ``body``: ``count`` non-empty lines, each ending in a newline, in sorted order."""
        out = cls([])
        out._lines = None
        out._body, out._count = body, count
        size = len(body)
        pos = 0
        while pos < size:  # the first line starting at or after each BLOCK-th byte
            end = body.find(b"\n", pos)
            out._starts.append(pos)
            out._firsts.append(body[pos:end])
            after = body.find(b"\n", max(end, pos + cls.BLOCK - 1))
            pos = after + 1 if after >= 0 else size
        out._starts.append(size)
        return out

    def _first_at_least(self, key: bytes) -> bytes | None:
        """The first line (in sorted order) that is not below ``key``, None when there is none."""
        lines = self._lines
        if lines is not None:
            i = bisect.bisect_left(lines, key)
            return lines[i] if i < len(lines) else None
        firsts = self._firsts
        b = bisect.bisect_right(firsts, key) - 1
        if b < 0:
            return firsts[0] if firsts else None
        block = self._body[self._starts[b] : self._starts[b + 1] - 1].split(b"\n")
        i = bisect.bisect_left(block, key)
        if i < len(block):
            return block[i]
        return firsts[b + 1] if b + 1 < len(firsts) else None

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        key = word.encode("utf-8", "surrogatepass") + b"\t"
        line = self._first_at_least(key)
        if line is not None and line.startswith(key):
            return 1 if line[len(key) :] == b"+" else -1
        return default

    def __getitem__(self, word: str) -> int:
        sign = self.get(word)
        if sign is None:
            raise KeyError(word)
        return sign

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __iter__(self) -> Iterator[str]:
        lines = self._lines if self._lines is not None else self._body[:-1].split(b"\n") if self._body else []
        return (line.partition(b"\t")[0].decode("utf-8") for line in lines)

    def __len__(self) -> int:
        return self._count


def read_signs(path: Path = SIGNS_PATH, *, tables: Path = TABLE_PATH) -> SignList | None:
    """The signs file: folded word -> +1 or -1 (a :class:`SignList`). None (and a log message) when it is
    missing, of another format or version, unreadable, not UTF-8, has a line that is not
    ``word<TAB>+`` or ``word<TAB>-``, or was made from other tables than ``tables``: then every margin
    is computed from the tables."""
    try:
        data = gzip.decompress(path.read_bytes())
        data.decode("utf-8")  # UnicodeDecodeError is a ValueError
        header, _, body = data.partition(b"\n")
        meta = read_versioned_json(header.decode("utf-8"), fmt=SIGNS_FORMAT, version=SIGNS_VERSION, source=str(path))
        if body and not body.endswith(b"\n"):
            body += b"\n"
        # the lines sorted, none blank, each word<TAB>+ or word<TAB>- (as the file is written), checked
        # in one compiled pass: searched in the body as it is
        sign_lines = _sign_lines()
        count = sign_lines(body) if sign_lines is not None else -1
        whole = count >= 0
        lines: list[bytes] = []
        if not whole:  # the checks one by one (a file not as written, or no compiled kernels)
            sorted_lines = _lines_sorted()
            whole = sorted_lines is not None and not body.startswith(b"\n") and b"\n\n" not in body and sorted_lines(body)
            if whole:
                count = body.count(b"\n")
            else:
                lines = body.split(b"\n")
                lines.pop()  # after the last newline
                if b"" in lines:  # blank lines
                    lines = [line for line in lines if line]
                count = len(lines)
            # each line is word<TAB>+ or word<TAB>-: as many lines as tabs, and as many as such endings
            signed = body.count(b"\t+\n") + body.count(b"\t-\n")
            if not body.count(b"\t") == signed == count:
                raise ValueError("a line is not word<TAB>+ or word<TAB>-")
        if meta.get("tables_sha256") != tables_sha256(tables):
            raise ValueError(f"made from other tables than {tables}")
    except (OSError, ValueError, EOFError, ModelError) as exc:
        logger.info("origin signs %s not used (%s); margins are computed from the tables", path, exc)
        return None
    return SignList.of_body(body, count) if whole else SignList(lines)


@lru_cache(maxsize=1)
def _sign_lines() -> Callable[[bytes], int] | None:
    """``lipyantar.translit._fastpieces.sign_lines`` (a signs body's lines counted when each is
    ``word<TAB>+`` or ``word<TAB>-`` and they are sorted, else -1), None without the compiled kernels."""
    from lipyantar.translit.compiled import load_extension

    module = load_extension("_fastpieces")
    return getattr(module, "sign_lines", None)


@lru_cache(maxsize=1)
def _lines_sorted() -> Callable[[bytes], bool] | None:
    """``lipyantar.translit._fastpieces.lines_sorted`` (whether a body's lines are sorted, checked in
    place), None when the compiled kernels are not built (the lines are then split and sorted)."""
    from lipyantar.translit.compiled import load_extension

    module = load_extension("_fastpieces")
    return None if module is None else module.lines_sorted


@lru_cache(maxsize=1)
def _signs() -> Mapping[str, int]:
    return read_signs() or {}


def write_signs(path: Path, *, tables: Path = TABLE_PATH) -> int:
    """Write the signs file of the tables ``tables`` (``scripts/origin_signs.py``); the number of words."""
    data = open_tables(tables)
    lines = [
        json.dumps({"format": SIGNS_FORMAT, "version": SIGNS_VERSION, "tables_sha256": tables_sha256(tables)})
    ]
    words = sorted(set(data.lexicon(_ENGLISH)) | set(data.lexicon(_HINDI)))
    for word in words:
        margin = data.logprob(word, _ENGLISH) - data.logprob(word, _HINDI)
        if margin:
            lines.append(f"{word}\t{'+' if margin > 0 else '-'}")
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    tmp.replace(path)
    return len(lines) - 1


def margin_sign(roman: str) -> int:
    """The sign of :func:`english_margin` (+1: more probable as English, -1: as romanized Hindi, 0), from
    the packaged signs where the word is listed, else from the tables."""
    sign = _signs().get(fold_word(roman))
    if sign is not None:
        return sign
    margin = english_margin(roman)
    return (margin > 0.0) - (margin < 0.0)


def native_first(
    attested: Mapping[str, float],
    *,
    rules_reading: str,
    logprior: Callable[[], float | None],
    common_above: float,
    sounds_english: Callable[[str], bool] | None = None,
) -> list[tuple[str, float]]:
    """The attested romanizations of one Devanagari word, as ``(roman, count)`` most frequent first (ties
    by spelling), with the best native reading moved before an English reading at the top when the rules
    of the module say so. ``rules_reading`` is the rule-based romanization of the word; ``logprior()``
    its log unigram prior (None: unknown), asked only when needed; ``common_above`` the prior above which
    the word is common; ``sounds_english(roman)``, when given, whether the word is the Devanagari of that
    English word's sound (asked last): an English word that is not (``he`` for है: /hiː/ is ही) is a
    casual Hindi spelling, not an English reading."""
    ranked = sorted(attested.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) < 2:
        return ranked
    top = ranked[0][0]
    if top == rules_reading:
        return ranked
    lp = logprior()
    if lp is None or lp <= common_above:
        return ranked
    if margin_sign(top) <= 0 or (sounds_english is not None and not sounds_english(top)):
        return ranked
    for i, (roman, _count) in enumerate(ranked[1:], 1):
        if margin_sign(roman) < 0:
            return [ranked[i], *ranked[:i], *ranked[i + 1 :]]
    return ranked


def sounds_like(english: EnglishModel | EnglishProns | None, roman: str, deva: str) -> bool:
    """Whether the Devanagari ``deva`` spells the sound of the English word ``roman``: a rule spelling of
    one of its pronunciations (:func:`~lipyantar.translit.learned.english.spell_pronunciation`) is it, up
    to the distinctions such spellings blur (:func:`~lipyantar.translit.learned.english.loose_spelling`).
    False without the English model."""
    if english is None:
        return False
    loose = loose_spelling(deva)
    return any(
        loose_spelling(unicodedata.normalize("NFC", spell_pronunciation(pron))) == loose
        for pron in english.pronunciations(roman)
    )
