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
(:data:`LOANWORDS_PATH`, written by ``scripts/loanword_index.py``: a gzip-compressed text file, a JSON
header line and then ``loose<TAB>deva english gap logfreq[<TAB>...]`` lines sorted by the loose
spelling, :func:`~lipyantar.translit.learned.english.loose_spelling`, of the Devanagari spellings
``deva`` they list), looked up by a binary search over its lines: no dict of its words is built. A word
that no English word spells exactly takes the English words of a loosely equal spelling (``आर्मेनिया``
armenia, whose sound the model spells आर्मीनिया).
"""

from __future__ import annotations

import bisect
import gzip
import json
import logging
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_json
from lipyantar.translit.learned.english import loose_spelling
from lipyantar.translit.learned.origin import tables_sha256
from lipyantar.translit.wordlang import TABLE_PATH, WordLanguages

if TYPE_CHECKING:
    from lipyantar.translit.learned.english import EnglishModel

__all__ = ["LOANWORDS_PATH", "Loanword", "LoanwordIndex", "english_reading", "loanword_index", "write_loanwords"]

logger = logging.getLogger(__name__)

LOANWORDS_PATH = Path(__file__).resolve().parent / "data" / "english-loanwords.tsv.gz"
LOANWORDS_FORMAT = "lipyantar-loanwords"
LOANWORDS_VERSION = 1

#: Devanagari spellings kept per English word (the pronunciation model's k best per pronunciation) ...
SPELLINGS_K = 10
#: ... searched with this beam
SPELLINGS_BEAM = 16
#: English words rarer than this log frequency share are not in the index (``d2r.loan_logfreq`` below
#: it has no further effect)
LOGFREQ_FLOOR = -13.5
#: English words kept per Devanagari spelling (closest first)
PER_SPELLING = 2


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
    word up to :func:`~lipyantar.translit.learned.english.loose_spelling`), by a binary search over the
    index file's lines (kept as UTF-8 bytes, sorted as the loose spellings' code points are)."""

    def __init__(self, lines: list[bytes]) -> None:
        lines.sort()
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def get(self, deva: str) -> tuple[Loanword, ...]:
        key = loose_spelling(deva).encode("utf-8", "surrogatepass") + b"\t"
        lines = self._lines
        i = bisect.bisect_left(lines, key)
        if i >= len(lines) or not lines[i].startswith(key):
            return ()
        try:
            return _parse(lines[i][len(key) :].decode("utf-8"))
        except ValueError:  # a malformed line outside the sample that reading checked: no loanword
            logger.warning("loanword index: a malformed line for %s", deva)
            return ()


def _parse(fields: str) -> tuple[Loanword, ...]:
    """The loanwords of a line after its loose spelling (``spelling english gap logfreq`` fields,
    tab-separated); ValueError when a field is not four values."""
    out = []
    for field in fields.split("\t"):
        spelling, english, gap, logfreq = field.split(" ")
        out.append(Loanword(spelling, english, float(gap), float(logfreq)))
    return tuple(out)


def read_loanwords(path: Path = LOANWORDS_PATH, *, tables: Path = TABLE_PATH) -> LoanwordIndex | None:
    """The index file; None (and a log message) when it is missing, of another format or version,
    made from other word-language tables than ``tables``, or malformed: then no word is romanized the
    English way."""
    try:
        data = gzip.decompress(path.read_bytes())
        header, _, body = data.partition(b"\n")
        meta = read_versioned_json(
            header.decode("utf-8"), fmt=LOANWORDS_FORMAT, version=LOANWORDS_VERSION, source=str(path)
        )
        if meta.get("tables_sha256") != tables_sha256(tables):
            raise ValueError(f"made from other tables than {tables}")
        lines = [line for line in body.split(b"\n") if line]
        for line in lines[:: max(1, len(lines) // 64)]:  # a sample of the lines is well formed
            deva, _, rest = line.decode("utf-8").partition("\t")
            if not deva or not rest:
                raise ValueError(f"bad line {line[:80]!r}")
            _parse(rest)
    except (OSError, ValueError, EOFError, ModelError) as exc:
        logger.info("loanword index %s not used (%s)", path, exc)
        return None
    return LoanwordIndex(lines)


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
    best: Loanword | None = None
    for loan in loans:
        if loan.logfreq >= min_logfreq and (best is None or loan.gap > best.gap):
            best = loan
    return best.english if best is not None else None


def loanword_lines(english: EnglishModel, lexicon: Mapping[str, int]) -> list[str]:
    """The index's lines: every word of the English ``lexicon`` (word → count) at least
    :data:`LOGFREQ_FLOOR` frequent with a pronunciation, by the Devanagari spellings of its sound."""
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
    by_loose: dict[str, list[Loanword]] = {}
    for deva, loans in index.items():
        loans.sort(key=lambda loan: (-loan.gap, -loan.logfreq, loan.english))
        by_loose.setdefault(loose_spelling(deva), []).extend(loans[:PER_SPELLING])
    lines = []
    for key, loans in sorted(by_loose.items()):
        loans.sort(key=lambda loan: (loan.spelling, -loan.gap, -loan.logfreq, loan.english))
        fields = (f"{x.spelling} {x.english} {x.gap:.2f} {x.logfreq:.2f}" for x in loans)
        lines.append(key + "\t" + "\t".join(fields))
    return lines


def write_loanwords(path: Path, english: EnglishModel, *, source: str, tables: Path = TABLE_PATH) -> int:
    """Write the index file of ``english`` and the English lexicon of the word-language tables ``tables``
    (``scripts/loanword_index.py``); the number of lines (loose spellings)."""
    lexicon = WordLanguages(json.loads(gzip.decompress(tables.read_bytes()).decode("utf-8"))).lexicon("en")
    lines = loanword_lines(english, lexicon)
    header = {
        "format": LOANWORDS_FORMAT,
        "version": LOANWORDS_VERSION,
        "source": source,
        "k": SPELLINGS_K,
        "beam": SPELLINGS_BEAM,
        "logfreq_floor": LOGFREQ_FLOOR,
        "tables_sha256": tables_sha256(tables),
    }
    payload = ("\n".join([json.dumps(header), *lines]) + "\n").encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    tmp.replace(path)
    return len(lines)
