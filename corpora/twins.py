"""Twin discovery: pair each Devanagari document with its romanized twin, by content.

File names play no part. Each Hindi (Devanagari) document is romanized word by word with the rule-based
romanizer (``lipyantar.translit.rules.romanize_word``); both sides are then reduced to *consonant skeletons*
(lower case, ``ph`` -> ``f``, ``w`` -> ``v``, ``z`` -> ``j``, ``q`` -> ``k``, ``c`` -> ``k`` except in ``ch``,
aspiration ``h`` after a consonant dropped, vowels dropped except at the start of a word, doubled letters
collapsed), so that ``pravaasana`` / ``pravasan`` or ``he`` / ``hai`` meet. The score of a pair is the mean
of the Dice coefficients of the two documents' skeleton *bigram* and *trigram* multisets, times a penalty
for very different lengths (none while the shorter has at least half the words of the longer). Twins
share long runs of words in the same order: on Dakshina dev sentences, a text and its romanization score
about 0.85, two unrelated Hindi texts of 200 sentences about 0.1 (single words alone would give 0.6,
because of the function words).

With many documents not every pair is scored: each Devanagari document is compared with the few
romanized documents that share the most of its rarer skeleton trigrams (an inverted index), so the cost
grows about linearly with the corpus.

Candidates are documents detected as ``hi`` (Devanagari side) and ``hi-Latn`` (romanized side), and
``mixed`` documents that are mostly one of them (see :func:`_side`). Pairs
are chosen greedily by decreasing score, each document in at most one pair, and only with a score of at
least ``min_score``. Every other document is listed as unpaired with its language and the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import logging
import operator
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise
from typing import Any

import regex

from .defaults import DEFAULT_MIN_SCORE
from .detect import DocumentDetection, detect_document
from .loading import Document

__all__ = [
    "DEFAULT_MIN_SCORE",
    "CandidateIndex",
    "TwinCandidate",
    "TwinPair",
    "TwinProfile",
    "TwinReport",
    "Unpaired",
    "find_twins",
    "pair_twins",
    "skeleton",
    "twin_score",
]

logger = logging.getLogger(__name__)


_VOWELS = regex.compile(r"(?<!^)[aeiouy]+")
_ASPIRATION = regex.compile(r"(?<=[bcdgjklmnprstvx])h")
_DOUBLES = regex.compile(r"(.)\1+")
_TOKEN = regex.compile(r"[\p{sc=Deva}\p{M}]+|\p{Latin}+|[0-9०-९]+")
_DEVA_START = regex.compile(r"\p{sc=Deva}")
_HARD_C = regex.compile(r"c(?!h)")
_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_DEVA_DIGIT = regex.compile("[०-९]")


def skeleton(word: str) -> str:
    """The consonant skeleton of a Latin word (see the module docstring); digits stay as they are."""
    w = word.lower()
    if w.isdigit():
        return w
    w = w.replace("ph", "f").replace("w", "v").replace("z", "j").replace("q", "k").replace("x", "ks")
    w = _HARD_C.sub("k", w)
    w = _ASPIRATION.sub("", w)
    w = _VOWELS.sub("", w)
    return str(_DOUBLES.sub(r"\1", w))


@lru_cache(maxsize=1)
def _romanizer() -> Callable[[str], str]:
    from lipyantar.translit.rules import romanize_word

    return romanize_word


#: token -> its skeleton ("" for none), so that each word type is romanized and reduced once
_SKELETONS: dict[str, str] = {}
#: :data:`_SKELETONS` is started afresh above this many word types (its memory stays bounded)
SKELETON_MEMO_LIMIT = 100_000
#: a text's skeletons are counted into n-grams this many words at a time
SKELETON_CHUNK = 65_536


def clear_skeleton_memo() -> None:
    """Empty the memo of word skeletons (it fills again as documents are profiled)."""
    _SKELETONS.clear()


def _token_skeleton(tok: str) -> str:
    word = tok
    if _DEVA_START.match(word):
        word = _romanizer()(word) or word
    if _DEVA_DIGIT.search(word):
        word = word.translate(_DEVA_DIGITS)
    return skeleton(word)


#: a text is tokenized this many characters at a time (cut at white space, which no token holds)
TEXT_SLICE = 262_144
_SPACE = regex.compile(r"\s")


def _text_slices(text: str) -> Iterator[str]:
    """``text`` in consecutive pieces of about :data:`TEXT_SLICE` characters, each cut at white space."""
    at, n = 0, len(text)
    while at < n:
        end = at + TEXT_SLICE
        cut = _SPACE.search(text, end) if end < n else None
        stop = cut.start() if cut is not None else n
        yield text[at:stop]
        at = stop


def _iter_skeletons(text: str) -> Iterator[list[str]]:
    """The skeletons of the words of ``text`` (empty ones left out), in order, in lists of at most
    :data:`SKELETON_CHUNK` (so that a long text is never held as words)."""
    memo = _SKELETONS
    for piece in _text_slices(text):
        tokens = _TOKEN.findall(piece)
        keys = list(map(memo.get, tokens))  # each word type's skeleton made once (in C when all are known)
        if None in keys:
            for k, key in enumerate(keys):
                if key is None:
                    tok = tokens[k]
                    key = memo.get(tok)  # an earlier token of this piece
                    if key is None:
                        key = _token_skeleton(tok)
                        if len(memo) >= SKELETON_MEMO_LIMIT:
                            memo.clear()
                        memo[tok] = key
                    keys[k] = key
        del tokens
        out = [key for key in keys if key]
        del keys
        for start in range(0, len(out), SKELETON_CHUNK):
            yield out[start : start + SKELETON_CHUNK]


def _skeletons(text: str) -> list[str]:
    return [key for chunk in _iter_skeletons(text) for key in chunk]


def twin_score(devanagari_text: str, romanized_text: str) -> float:
    """Similarity in [0, 1] of a Devanagari text and a romanized text (see the module docstring)."""
    return _score(_skeletons(devanagari_text), _skeletons(romanized_text))


def _score(a: Sequence[str], b: Sequence[str]) -> float:
    return TwinProfile.of(a).score(TwinProfile.of(b))


def _gram_key(gram: tuple[str, ...]) -> int:
    """A stable 64-bit key of an n-gram (the same in every process, unlike ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(gram).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _packed(grams: Counter[tuple[str, ...]]) -> tuple[array[int], array[int]]:
    counts: Counter[int] = Counter()
    for gram, n in grams.items():  # each distinct n-gram hashed once
        counts[_gram_key(gram)] += n
    keys = sorted(counts)
    return array("q", keys), array("q", (counts[k] for k in keys))


def _gram_counts(chunks: Iterable[Sequence[str]]) -> tuple[int, Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """The number of words and the bigram and trigram multisets of the word sequence given in chunks (an
    n-gram across two chunks counted once, in the chunk of its last word)."""
    words = 0
    bigrams: Counter[tuple[str, ...]] = Counter()
    trigrams: Counter[tuple[str, ...]] = Counter()
    tail: list[str] = []  # the last two words before the chunk
    for chunk in chunks:
        words += len(chunk)
        seq = [*tail, *chunk]
        held = len(tail)
        two, three = seq[max(0, held - 1) :], seq[max(0, held - 2) :]
        bigrams.update(pairwise(two))
        trigrams.update(zip(three, three[1:], three[2:], strict=False))  # as many as the shortest copy
        tail = seq[-2:]
    return words, bigrams, trigrams


@dataclass(frozen=True)
class TwinProfile:
    """What twin discovery keeps of a document: its skeleton bigram and trigram multisets, packed as
    sorted arrays of stable 64-bit n-gram keys with their counts (a few kB a document, not its text)."""

    words: int
    bigram_keys: array[int]
    bigram_counts: array[int]
    trigram_keys: array[int]
    trigram_counts: array[int]
    bigram_total: int
    trigram_total: int

    @classmethod
    def of(cls, skeletons: Sequence[str]) -> TwinProfile:
        return cls._of_counts(*_gram_counts([skeletons]))

    @classmethod
    def of_text(cls, text: str) -> TwinProfile:
        """The profile of a text, read in chunks of words (its memory is that of its distinct n-grams)."""
        return cls._of_counts(*_gram_counts(_iter_skeletons(text)))

    @classmethod
    def _of_counts(
        cls, words: int, bigrams: Counter[tuple[str, ...]], trigrams: Counter[tuple[str, ...]]
    ) -> TwinProfile:
        bi_keys, bi_counts = _packed(bigrams)
        tri_keys, tri_counts = _packed(trigrams)
        return cls(words, bi_keys, bi_counts, tri_keys, tri_counts, sum(bi_counts), sum(tri_counts))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent from worker processes (``build``): the four arrays as one string of bytes, a twentieth of the
        # time to pickle (and a third to unpickle) as four arrays in a dataclass
        blob = b"".join(
            a.tobytes() for a in (self.bigram_keys, self.bigram_counts, self.trigram_keys, self.trigram_counts)
        )
        sizes = (len(self.bigram_keys), len(self.trigram_keys))
        return _unpack_profile, (self.words, sizes, blob, self.bigram_total, self.trigram_total)

    def tables(self) -> tuple[dict[int, int], dict[int, int]]:
        """The bigram and trigram multisets as dictionaries (n-gram key -> count)."""
        return (
            dict(zip(self.bigram_keys, self.bigram_counts, strict=True)),
            dict(zip(self.trigram_keys, self.trigram_counts, strict=True)),
        )

    def score(self, other: TwinProfile, grams: _Grams | None = None, other_grams: _Grams | None = None) -> float:
        """The twin score (module docstring); ``grams`` / ``other_grams`` are the profiles' :class:`_Grams`
        when already made (for scoring one profile against many)."""
        if not self.words or not other.words:
            return 0.0
        mine = grams or _Grams(self)
        theirs = other_grams or _Grams(other, repeats=False)
        bigrams = _dice(mine.shared_bigrams(theirs), self.bigram_total + other.bigram_total)
        trigrams = _dice(mine.shared_trigrams(theirs), self.trigram_total + other.trigram_total)
        ratio = min(self.words, other.words) / max(self.words, other.words)
        penalty = min(1.0, ratio / 0.5)
        return (bigrams + trigrams) / 2.0 * penalty


def _unpack_profile(
    words: int, sizes: tuple[int, int], blob: bytes, bigram_total: int, trigram_total: int
) -> TwinProfile:
    """A :class:`TwinProfile` from its ``__reduce__`` (the arrays as one string of bytes)."""
    arrays: list[array[int]] = []
    start = 0
    for n in (sizes[0], sizes[0], sizes[1], sizes[1]):
        a = array("q")
        a.frombytes(blob[start : start + 8 * n])
        arrays.append(a)
        start += 8 * n
    bi_keys, bi_counts, tri_keys, tri_counts = arrays
    return TwinProfile(words, bi_keys, bi_counts, tri_keys, tri_counts, bigram_total, trigram_total)


class _Grams:
    """A profile's n-gram keys as sets and its repeated n-grams (count > 1) with their counts, so that
    the size of the intersection of two n-gram multisets (the sum of the smaller counts) is a set
    intersection (in C) plus a short loop over this profile's repeated n-grams."""

    __slots__ = ("bigram_repeats", "bigrams", "profile", "trigram_repeats", "trigrams")

    def __init__(self, profile: TwinProfile, *, repeats: bool = True) -> None:
        """``repeats=False``: without the repeated n-grams (enough for the ``other`` of the shared counts)."""
        self.profile = profile
        self.bigrams = frozenset(profile.bigram_keys)
        self.trigrams = frozenset(profile.trigram_keys)
        self.bigram_repeats = _repeats(profile.bigram_keys, profile.bigram_counts) if repeats else {}
        self.trigram_repeats = _repeats(profile.trigram_keys, profile.trigram_counts) if repeats else {}

    def shared_bigrams(self, other: _Grams) -> int:
        theirs = other.profile
        return _shared(self.bigrams, self.bigram_repeats, other.bigrams, theirs.bigram_keys, theirs.bigram_counts)

    def shared_trigrams(self, other: _Grams) -> int:
        theirs = other.profile
        return _shared(
            self.trigrams, self.trigram_repeats, other.trigrams, theirs.trigram_keys, theirs.trigram_counts
        )


def _repeats(keys: array[int], counts: array[int]) -> dict[int, int]:
    if counts.count(1) == len(counts):
        return {}
    return {key: n for key, n in zip(keys, counts, strict=True) if n > 1}


def _shared(
    a: frozenset[int], a_repeats: dict[int, int], b: frozenset[int], b_keys: array[int], b_counts: array[int]
) -> int:
    """The size of the intersection of two n-gram multisets: ``a`` with its repeated keys' counts, and
    ``b`` with its sorted keys and their counts."""
    shared = len(a & b)
    for key, n in a_repeats.items():
        if key in b:
            m = b_counts[bisect_left(b_keys, key)]
            if m > 1:
                shared += min(n, m) - 1
    return shared


def _dice(shared: int, total: int) -> float:
    return 2.0 * shared / total if total else 0.0


#: Up to this many (Devanagari × romanized) candidate pairs every pair is scored; above it, only the
#: romanized documents sharing the most rare trigrams with a Devanagari document (see :func:`_candidates`).
EXHAUSTIVE_PAIRS = 10_000
CANDIDATES_PER_DOCUMENT = 8
#: the n-gram sets (:class:`_Grams`) of at most this many romanized documents are kept while pairing
GRAMS_MEMO_LIMIT = 20_000


def _candidates(
    deva: Sequence[str], roman: Sequence[str], grams: Mapping[str, TwinProfile], index: _Index | None = None
) -> Iterable[tuple[str, list[str]]]:
    """Likely pairs without scoring all of them, as (Devanagari document, romanized candidates): an
    inverted index of the romanized documents' trigrams; trigrams found in many documents (common
    phrases) are ignored; each Devanagari document is scored against the few romanized documents
    sharing most of its trigrams. ``index``: the :func:`_index` of ``roman``, when already made."""
    if len(deva) * len(roman) <= EXHAUSTIVE_PAIRS:
        yield from ((a, list(roman)) for a in deva)
        return
    lookup = (index if index is not None else _index(roman, grams)).get
    for a in deva:
        shared = Counter(chain.from_iterable(filter(None, map(lookup, grams[a].trigram_keys))))
        # most shared trigrams first, then document order: (-count, k) tuples compare that way
        ranked = heapq.nsmallest(CANDIDATES_PER_DOCUMENT, zip(map(operator.neg, shared.values()), shared, strict=True))
        yield a, [roman[k] for _count, k in ranked]


_Index = dict[int, list[int]]


def _index(roman: Sequence[str], grams: Mapping[str, TwinProfile]) -> _Index:
    """The inverted index of :func:`_candidates`: trigram key -> the romanized documents (numbers in
    ``roman``) that have it, trigrams of many documents left out."""
    index = CandidateIndex()
    for source in roman:
        index._add(source, grams[source])
    return index.index(roman)


class CandidateIndex:
    """The inverted index of the romanized candidates that :func:`pair_twins` reads to find the likely pairs,
    made as the candidates come (:meth:`add`, in document order), so that a caller that streams the
    documents makes it meanwhile instead of after them (see :func:`shared_scoring`)."""

    def __init__(self) -> None:
        self._postings: _Index = {}
        self._sources: list[str] = []

    def add(self, candidate: TwinCandidate) -> None:
        """Index ``candidate`` if it is a romanized one with a profile (others are left out)."""
        if candidate.side == "roman" and candidate.profile is not None:
            self._add(candidate.source, candidate.profile)

    def _add(self, source: str, profile: TwinProfile) -> None:
        k = len(self._sources)
        self._sources.append(source)
        setdefault = self._postings.setdefault
        for gram in profile.trigram_keys:
            setdefault(gram, []).append(k)

    def covers(self, roman: Sequence[str]) -> bool:
        """Whether the romanized candidates added are ``roman``, in this order."""
        return self._sources == list(roman)

    def index(self, roman: Sequence[str]) -> _Index:
        """The index of :func:`_candidates` for the romanized documents ``roman``: trigram key -> their
        numbers in ``roman``, trigrams of many documents left out. ``roman`` must be the documents added
        (:meth:`covers`)."""
        if not self.covers(roman):
            raise ValueError("CandidateIndex: not the romanized candidates that were added")
        limit = max(5, len(roman) // 50)
        return {gram: posting for gram, posting in self._postings.items() if len(posting) <= limit}


@dataclass(frozen=True)
class TwinPair:
    """A Devanagari document and its romanized twin, with the similarity score."""

    devanagari: str
    romanized: str
    score: float

    def __post_init__(self) -> None:
        if not self.devanagari or not self.romanized or self.devanagari == self.romanized:
            raise ValueError("a twin pair needs two different documents")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError("twin score must be within [0, 1]")

    def to_dict(self) -> dict[str, object]:
        return {"devanagari": self.devanagari, "romanized": self.romanized, "score": round(self.score, 4)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TwinPair:
        return cls(str(data["devanagari"]), str(data["romanized"]), float(data["score"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Unpaired:
    """A document without a twin: its language and why it has none (best candidate score if any)."""

    source: str
    language: str
    reason: str
    best_score: float | None = None

    def __post_init__(self) -> None:
        if not self.source or not self.language or not self.reason:
            raise ValueError("an unpaired document needs source, language and reason")

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source, "language": self.language, "reason": self.reason}
        if self.best_score is not None:
            out["best_score"] = round(self.best_score, 4)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Unpaired:
        best = data.get("best_score")
        return cls(
            str(data["source"]),
            str(data["language"]),
            str(data["reason"]),
            None if best is None else float(best),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class TwinReport:
    """All pairs found and all documents left unpaired."""

    pairs: tuple[TwinPair, ...]
    unpaired: tuple[Unpaired, ...]
    min_score: float = DEFAULT_MIN_SCORE

    def to_dict(self) -> dict[str, object]:
        return {
            "min_score": self.min_score,
            "pairs": [p.to_dict() for p in self.pairs],
            "unpaired": [u.to_dict() for u in self.unpaired],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TwinReport:
        pairs = data.get("pairs", [])
        unpaired = data.get("unpaired", [])
        if not isinstance(pairs, list) or not isinstance(unpaired, list):
            raise ValueError("twin report: 'pairs' and 'unpaired' must be lists")
        return cls(
            tuple(TwinPair.from_dict(p) for p in pairs),
            tuple(Unpaired.from_dict(u) for u in unpaired),
            float(data.get("min_score", DEFAULT_MIN_SCORE)),  # type: ignore[arg-type]
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_tsv(self) -> str:
        """``status<TAB>devanagari<TAB>romanized<TAB>score<TAB>language<TAB>reason`` with a header."""
        rows = ["status\tdevanagari\tromanized\tscore\tlanguage\treason"]
        rows.extend(f"pair\t{p.devanagari}\t{p.romanized}\t{p.score:.4f}\thi/hi-Latn\t" for p in self.pairs)
        for u in self.unpaired:
            score = "" if u.best_score is None else f"{u.best_score:.4f}"
            rows.append(f"unpaired\t{u.source}\t\t{score}\t{u.language}\t{u.reason}")
        return "\n".join(rows) + "\n"


def _side(detection: DocumentDetection) -> str | None:
    """``"deva"`` for Hindi in Devanagari, ``"roman"`` for romanized Hindi, else ``None``. A ``mixed``
    document counts as Devanagari when at least half its letters are, as romanized when at least half
    are Latin and its romanized-Hindi tokens outnumber its English ones."""
    unit = detection.document
    if unit.language == "hi":
        return "deva"
    if unit.language == "hi-Latn":
        return "roman"
    if unit.language == "mixed":
        shares = unit.shares.shares()
        counts = unit.language_counts
        if shares["Devanagari"] >= 0.5:
            return "deva"
        if shares["Latin"] >= 0.5 and counts.get("hi-Latn", 0) > counts.get("en", 0):
            return "roman"
    return None


@dataclass(frozen=True)
class TwinCandidate:
    """What twin discovery needs of one document: its language, its side (``"deva"``, ``"roman"`` or
    ``None`` for a document that cannot be a twin) and, for Hindi documents, its :class:`TwinProfile`."""

    source: str
    language: str
    side: str | None = None
    profile: TwinProfile | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return TwinCandidate, (self.source, self.language, self.side, self.profile)  # (less than its __dict__)

    @classmethod
    def of(cls, document: Document, detection: DocumentDetection) -> TwinCandidate:
        side = _side(detection)
        profile = TwinProfile.of_text(document.text) if side is not None else None
        return cls(document.source, detection.language, side, profile)


def find_twins(
    documents: Iterable[Document],
    *,
    detections: Mapping[str, DocumentDetection] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> TwinReport:
    """Pair Devanagari documents with their romanized twins (see the module docstring).

    ``detections`` (by document source) saves detecting the documents again.
    """
    if not 0.0 < min_score <= 1.0:
        raise ValueError("min_score must be within (0, 1]")
    detections = dict(detections or {})
    candidates = [
        TwinCandidate.of(
            doc, detections.get(doc.source) or detect_document(doc, paragraphs=False, lines=False)
        )
        for doc in documents
    ]
    return pair_twins(candidates, min_score=min_score)


class _Scoring:
    """The Devanagari and romanized profiles of a set of candidates and the inverted index of the
    romanized ones: what scoring the likely pairs reads (see :func:`shared_scoring`)."""

    def __init__(
        self, candidates: Sequence[TwinCandidate], *, index: bool = True, made: CandidateIndex | None = None
    ) -> None:
        grams = {c.source: c.profile for c in candidates if c.side is not None and c.profile is not None}
        self.grams = grams
        self.deva = [c.source for c in candidates if c.side == "deva" and c.source in grams]
        self.roman = [c.source for c in candidates if c.side == "roman" and c.source in grams]
        exhaustive = len(self.deva) * len(self.roman) <= EXHAUSTIVE_PAIRS
        self.index: _Index | None = None
        if not exhaustive and index:
            # (a source that came twice is indexed with its last profile, as grams holds it: made afresh)
            unique = len(grams) == sum(1 for c in candidates if c.side is not None and c.profile is not None)
            if made is not None and unique and made.covers(self.roman):
                self.index = made.index(self.roman)
            else:
                self.index = _index(self.roman, grams)
        # a romanized document is the candidate of several Devanagari ones: its n-gram sets are made once
        # (a memo of at most GRAMS_MEMO_LIMIT documents, started afresh when full)
        self._roman_grams: dict[str, _Grams] = {}

    def score(self, start: int, stop: int) -> list[tuple[float, str, str]]:
        """(score, Devanagari document, romanized document) of the likely pairs of the Devanagari
        documents ``start`` to ``stop``."""
        grams = self.grams
        scored: list[tuple[float, str, str]] = []
        roman_grams = self._roman_grams
        for a, others in _candidates(self.deva[start:stop], self.roman, grams, self.index):
            profile = grams[a]
            mine = _Grams(profile)
            for b in others:
                theirs = roman_grams.get(b)
                if theirs is None:
                    if len(roman_grams) >= GRAMS_MEMO_LIMIT:
                        roman_grams.clear()
                    theirs = roman_grams[b] = _Grams(grams[b], repeats=False)
                scored.append((profile.score(grams[b], mine, theirs), a, b))
        return scored


#: the candidates :func:`_score_part` scores: (their token, their :class:`_Scoring`), set by
#: :func:`shared_scoring` in a process that then forks the workers
_SHARED: tuple[object, _Scoring] | None = None
#: :func:`pair_twins` with a ``map_fn`` sends the Devanagari documents in parts of this many
SCORING_PART = 250
#: ... in at least this many parts (when there are as many documents)
SCORING_PARTS = 16


@contextlib.contextmanager
def shared_scoring(candidates: Sequence[TwinCandidate], *, index: CandidateIndex | None = None) -> Iterator[object]:
    """Within the block, :func:`pair_twins` of ``candidates`` may score in worker processes forked inside
    it (by ``fork``: they hold the profiles without their being sent): give it the engine's map and the
    token this yields (``map_fn`` and ``shared``). ``index``: the candidates' :class:`CandidateIndex`, when
    the caller made it as they came (otherwise it is made here)."""
    global _SHARED
    token = object()
    _SHARED = (token, _Scoring(candidates, made=index))
    try:
        yield token
    finally:
        _SHARED = None


def _score_part(part: tuple[int, int, int]) -> list[tuple[float, str, str]]:
    """The scored likely pairs of Devanagari documents ``part[0]`` to ``part[1]`` of the candidates
    shared by :func:`shared_scoring` (``part[2]``: their token's ``id``, checked)."""
    if _SHARED is None or id(_SHARED[0]) != part[2]:
        raise RuntimeError("pair_twins: the candidates were not shared with this process (shared_scoring)")
    return _SHARED[1].score(part[0], part[1])


def pair_twins(
    candidates: Sequence[TwinCandidate],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    map_fn: Callable[..., Iterable[list[tuple[float, str, str]]]] | None = None,
    shared: object = None,
) -> TwinReport:
    """:func:`find_twins` from per-document :class:`TwinCandidate` records (in document order), so a
    caller can stream the documents and keep only their profiles.

    ``map_fn`` (an engine's ``map``, results in order) scores the likely pairs in parts, in processes
    forked inside :func:`shared_scoring` of the same ``candidates`` (``shared``: the token it gave);
    the result is the same."""
    if not 0.0 < min_score <= 1.0:
        raise ValueError("min_score must be within (0, 1]")
    if map_fn is not None and shared is None:
        raise ValueError("pair_twins: map_fn needs the token of shared_scoring (shared)")
    # with map_fn, the processes that score make the index (this one needs only the document lists)
    scoring = _Scoring(candidates, index=map_fn is None)
    deva, roman = scoring.deva, scoring.roman
    if map_fn is None:
        scored_list = scoring.score(0, len(deva))
    else:
        # at most SCORING_PART documents a part, and at least SCORING_PARTS parts (the last parts to finish
        # keep fewer processes waiting)
        step = max(1, min(SCORING_PART, -(-len(deva) // SCORING_PARTS)))
        parts = [(k, min(k + step, len(deva)), id(shared)) for k in range(0, len(deva), step)]
        scored_list = [t for scored in map_fn(_score_part, parts) for t in scored]
    scored = sorted(scored_list, key=lambda t: (-t[0], t[1], t[2]))
    best: dict[str, float] = {}
    for score, a, b in scored:
        best[a] = max(best.get(a, 0.0), score)
        best[b] = max(best.get(b, 0.0), score)
    used: set[str] = set()
    pairs: list[TwinPair] = []
    for score, a, b in scored:
        if score < min_score:
            break
        if a in used or b in used:
            continue
        used.update((a, b))
        pairs.append(TwinPair(a, b, min(1.0, score)))
        logger.info("twins: %s <-> %s (score %.3f)", a, b, score)
    unpaired = []
    for c in candidates:
        if c.source in used:
            continue
        if c.side == "deva":
            reason = "no romanized document matches" if roman else "no romanized Hindi document"
        elif c.side == "roman":
            reason = "no Devanagari document matches" if deva else "no Devanagari Hindi document"
        else:
            reason = "not Hindi: only Hindi documents (Devanagari or romanized) are paired"
        unpaired.append(Unpaired(c.source, c.language, reason, best.get(c.source)))
    pairs.sort(key=lambda p: (p.devanagari, p.romanized))
    return TwinReport(tuple(pairs), tuple(unpaired), min_score)
