"""Twin discovery: pair each Devanagari document with its romanized twin, by content.

File names play no part. Each Hindi (Devanagari) document is romanized word by word with the rule-based
romanizer (``translit.rules.romanize_word``); both sides are then reduced to *consonant skeletons*
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

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from .detect import DocumentDetection, detect_document
from .loading import Document

__all__ = ["DEFAULT_MIN_SCORE", "TwinPair", "TwinReport", "Unpaired", "find_twins", "skeleton", "twin_score"]

logger = logging.getLogger(__name__)

DEFAULT_MIN_SCORE = 0.3

_VOWELS = regex.compile(r"(?<!^)[aeiouy]+")
_ASPIRATION = regex.compile(r"(?<=[bcdgjklmnprstvx])h")
_DOUBLES = regex.compile(r"(.)\1+")
_TOKEN = regex.compile(r"[\p{sc=Deva}\p{M}]+|\p{Latin}+|[0-9०-९]+")
_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def skeleton(word: str) -> str:
    """The consonant skeleton of a Latin word (see the module docstring); digits stay as they are."""
    w = word.lower()
    if w.isdigit():
        return w
    w = w.replace("ph", "f").replace("w", "v").replace("z", "j").replace("q", "k").replace("x", "ks")
    w = regex.sub(r"c(?!h)", "k", w)
    w = _ASPIRATION.sub("", w)
    w = _VOWELS.sub("", w)
    return str(_DOUBLES.sub(r"\1", w))


@lru_cache(maxsize=1)
def _romanizer() -> Callable[[str], str]:
    from translit.rules import romanize_word

    return romanize_word


def _skeletons(text: str) -> list[str]:
    romanize = _romanizer()
    out = []
    for tok in _TOKEN.findall(text):
        if regex.match(r"\p{sc=Deva}", tok):
            tok = romanize(tok) or tok
        tok = tok.translate(_DEVA_DIGITS)
        key = skeleton(tok)
        if key:
            out.append(key)
    return out


def twin_score(devanagari_text: str, romanized_text: str) -> float:
    """Similarity in [0, 1] of a Devanagari text and a romanized text (see the module docstring)."""
    return _score(_skeletons(devanagari_text), _skeletons(romanized_text))


def _ngrams(seq: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def _score(a: Sequence[str], b: Sequence[str]) -> float:
    return _Grams.of(a).score(_Grams.of(b))


@dataclass(frozen=True)
class _Grams:
    """A document's skeleton bigram and trigram multisets, computed once per document."""

    words: int
    bigrams: Counter[tuple[str, ...]]
    trigrams: Counter[tuple[str, ...]]
    bigram_total: int
    trigram_total: int

    @classmethod
    def of(cls, skeletons: Sequence[str]) -> _Grams:
        bi, tri = Counter(_ngrams(skeletons, 2)), Counter(_ngrams(skeletons, 3))
        return cls(len(skeletons), bi, tri, sum(bi.values()), sum(tri.values()))

    def score(self, other: _Grams) -> float:
        if not self.words or not other.words:
            return 0.0
        bigrams = _dice_counts(self.bigrams, self.bigram_total, other.bigrams, other.bigram_total)
        trigrams = _dice_counts(self.trigrams, self.trigram_total, other.trigrams, other.trigram_total)
        ratio = min(self.words, other.words) / max(self.words, other.words)
        penalty = min(1.0, ratio / 0.5)
        return (bigrams + trigrams) / 2.0 * penalty


def _dice_counts(
    a: Counter[tuple[str, ...]], a_total: int, b: Counter[tuple[str, ...]], b_total: int
) -> float:
    total = a_total + b_total
    if not total:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    shared = sum(min(count, b[key]) for key, count in a.items() if key in b)
    return 2.0 * shared / total


#: Up to this many (Devanagari × romanized) candidate pairs every pair is scored; above it, only the
#: romanized documents sharing the most rare trigrams with a Devanagari document (see :func:`_candidates`).
EXHAUSTIVE_PAIRS = 10_000
CANDIDATES_PER_DOCUMENT = 8


def _candidates(deva: Sequence[str], roman: Sequence[str], grams: Mapping[str, _Grams]) -> Iterable[tuple[str, str]]:
    """Likely pairs without scoring all of them: an inverted index of the romanized documents'
    trigrams; trigrams found in many documents (common phrases) are ignored; each Devanagari document
    is scored against the few romanized documents sharing most of its trigrams."""
    if len(deva) * len(roman) <= EXHAUSTIVE_PAIRS:
        yield from ((a, b) for a in deva for b in roman)
        return
    index: dict[tuple[str, ...], list[int]] = {}
    for k, source in enumerate(roman):
        for gram in grams[source].trigrams:
            index.setdefault(gram, []).append(k)
    limit = max(5, len(roman) // 50)
    for a in deva:
        shared: Counter[int] = Counter()
        for gram in grams[a].trigrams:
            posting = index.get(gram)
            if posting is not None and len(posting) <= limit:
                shared.update(posting)
        for k, _count in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES_PER_DOCUMENT]:
            yield a, roman[k]


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
    docs = list(documents)
    detections = dict(detections or {})
    languages: dict[str, str] = {}
    sides: dict[str, str | None] = {}
    for doc in docs:
        det = detections.get(doc.source) or detect_document(doc, paragraphs=False, lines=False)
        languages[doc.source] = det.language
        sides[doc.source] = _side(det)
    deva = [d for d in docs if sides[d.source] == "deva"]
    roman = [d for d in docs if sides[d.source] == "roman"]
    grams = {d.source: _Grams.of(_skeletons(d.text)) for d in deva + roman}
    pairs_to_score = _candidates([d.source for d in deva], [d.source for d in roman], grams)
    scored = sorted(
        ((grams[a].score(grams[b]), a, b) for a, b in pairs_to_score),
        key=lambda t: (-t[0], t[1], t[2]),
    )
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
    for doc in docs:
        if doc.source in used:
            continue
        lang = languages[doc.source]
        if sides[doc.source] == "deva":
            reason = "no romanized document matches" if roman else "no romanized Hindi document"
        elif sides[doc.source] == "roman":
            reason = "no Devanagari document matches" if deva else "no Devanagari Hindi document"
        else:
            reason = "not Hindi: only Hindi documents (Devanagari or romanized) are paired"
        unpaired.append(Unpaired(doc.source, lang, reason, best.get(doc.source)))
    pairs.sort(key=lambda p: (p.devanagari, p.romanized))
    return TwinReport(tuple(pairs), tuple(unpaired), min_score)
