"""Corpus statistics: sizes, sentence lengths, characters by script, languages, code-mixing, variants.

Definitions (all counts are exact, nothing is sampled):

* **paragraphs**: blocks separated by blank lines (:func:`lipyantar.corpora.segment.paragraphs`).
* **sentences**: :func:`lipyantar.align.split_sentences`.
* **tokens**: words (Devanagari, Latin, other scripts) and numbers of the sentences, as cut by
  ``lipyantar.translit.tokenize``; punctuation, symbols and spaces are not tokens. **types**: distinct tokens after
  lower-casing. **type/token ratio** = types / tokens.
* **sentence lengths**: in tokens; min, max, mean, median, population standard deviation and a
  histogram (``1-5``, ``6-10``, ``11-20``, ``21-40``, ``41-80``, ``81+``).
* **characters**: every non-space character counted, grouped by script class (``Devanagari``,
  ``Latin``, ``Arabic``, ``other`` letters and marks, ``digit``, ``punctuation`` for punctuation and
  symbols); a combining mark shared by scripts (Unicode script *Inherited*) counts with its base letter.
* **languages**: documents per detected language, and tokens per token tag (tags decided within each
  sentence, see :mod:`lipyantar.corpora.detect`).
* **romanized text** is the text of documents detected as ``hi-Latn`` (and the romanized side of a
  parallel corpus). Its **English share** is en / (en + hi-Latn) tokens; its **CMI** (Das & Gambäck 2014)
  is averaged over its sentences (utterances), over all of them and over the code-mixed ones
  (CMI > 0) only.
* **parallel corpora** (beads from ``align``): bead type distribution (``1-1``, ``2-1``, ``0-1``, ...),
  the distribution of the character length ratio roman / Devanagari over beads with both sides, and the
  **romanization variant table**: for each Devanagari word, the romanizations it is aligned with and
  their counts (1-1 word links, punctuation stripped, romanizations lower-cased), with the
  spelling-variation entropy ``H = -sum p log2 p`` per word; the summary gives the mean entropy over
  word types and weighted by word frequency.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any

import regex

from lipyantar.translit.tokenize import DEVA_WORD

from .counting import CHAR_CLASSES, DocumentCounts, document_counts
from .detect import detect_document
from .loading import Document

__all__ = [
    "CmiStats",
    "CorpusStats",
    "Distribution",
    "DocumentCounts",
    "ParallelAccumulator",
    "ParallelStats",
    "StatsAccumulator",
    "VariantEntry",
    "VariantTable",
    "clean_word_pair",
    "corpus_stats",
    "document_counts",
    "parallel_stats",
    "stats_from_counts",
]

logger = logging.getLogger(__name__)

SENTENCE_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1-5", 1, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21-40", 21, 40),
    ("41-80", 41, 80),
    ("81+", 81, 10**9),
)
_EDGE_PUNCT = regex.compile(r"^[\p{P}\p{S}]+|[\p{P}\p{S}]+$")
_DEVA_WORD = regex.compile(DEVA_WORD, regex.V1)  # the tokenizer's Devanagari word
_LATIN_WORD = regex.compile(r"^[\p{Latin}\p{M}']+$")


def _round(value: float) -> float:
    return round(value, 4)


def _median(items: Sequence[tuple[float, int]], total: int) -> float:
    """The median of sorted (value, count) items holding ``total`` values (``statistics.median``)."""
    wanted = (total // 2 - 1, total // 2) if total % 2 == 0 else (total // 2, total // 2)
    found: list[float] = []
    seen = 0
    for value, n in items:
        while len(found) < 2 and wanted[len(found)] < seen + n:
            found.append(value)
        if len(found) == 2:
            break
        seen += n
    low, high = found
    return low if low == high and total % 2 else (low + high) / 2


def _sqrt_fraction(value: Fraction) -> float:
    exact = getattr(statistics, "_float_sqrt_of_frac", None)
    if exact is not None:
        return float(exact(value.numerator, value.denominator))
    return math.sqrt(value)


@dataclass(frozen=True)
class Distribution:
    """Summary of a list of numbers (all zero for an empty list) with an optional histogram."""

    count: int = 0
    minimum: float = 0.0
    maximum: float = 0.0
    mean: float = 0.0
    median: float = 0.0
    stdev: float = 0.0
    histogram: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count must be >= 0")
        if self.count and self.minimum > self.maximum:
            raise ValueError("minimum must not exceed maximum")

    @classmethod
    def of(cls, values: Sequence[float], *, buckets: Sequence[tuple[str, int, int]] = ()) -> Distribution:
        hist = {name: sum(1 for v in values if lo <= v <= hi) for name, lo, hi in buckets}
        if not values:
            return cls(histogram=hist)
        return cls(
            len(values),
            float(min(values)),
            float(max(values)),
            statistics.fmean(values),
            float(statistics.median(values)),
            statistics.pstdev(values),
            hist,
        )

    @classmethod
    def of_counts(
        cls, counts: Mapping[float, int], *, buckets: Sequence[tuple[str, int, int]] = ()
    ) -> Distribution:
        """:meth:`of` from value -> number of occurrences (bounded memory for millions of values)."""
        items = sorted((v, n) for v, n in counts.items() if n > 0)
        hist = {name: sum(n for v, n in items if lo <= v <= hi) for name, lo, hi in buckets}
        total = sum(n for _, n in items)
        if not total:
            return cls(histogram=hist)
        exact = sum((Fraction(v) * n for v, n in items), Fraction(0))
        mean = exact / total
        ss = sum((n * (Fraction(v) - mean) ** 2 for v, n in items), Fraction(0))
        return cls(
            total,
            float(items[0][0]),
            float(items[-1][0]),
            float(mean),
            float(_median(items, total)),
            _sqrt_fraction(ss / total),
            hist,
        )

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "count": self.count,
            "min": _round(self.minimum),
            "max": _round(self.maximum),
            "mean": _round(self.mean),
            "median": _round(self.median),
            "stdev": _round(self.stdev),
        }
        if self.histogram:
            out["histogram"] = dict(self.histogram)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Distribution:
        return cls(
            int(data["count"]),
            float(data["min"]),
            float(data["max"]),
            float(data["mean"]),
            float(data["median"]),
            float(data["stdev"]),
            {str(k): int(v) for k, v in dict(data.get("histogram", {})).items()},
        )


@dataclass(frozen=True)
class VariantEntry:
    """One Devanagari word and its romanizations with counts (most frequent first)."""

    native: str
    variants: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        if not self.native or not self.variants:
            raise ValueError("a variant entry needs a word and at least one romanization")
        if any(not roman or count <= 0 for roman, count in self.variants):
            raise ValueError("romanizations must be non-empty with positive counts")

    @cached_property
    def total(self) -> int:
        """The word's count (all its romanizations); worked out once (tables sort and sum by it)."""
        return sum(c for _, c in self.variants)

    @cached_property
    def entropy(self) -> float:
        """Spelling-variation entropy in bits (0 for a word always spelled the same way); worked out once
        (the table's summary averages it, several times per build)."""
        total = self.total
        return -sum(c / total * math.log2(c / total) for _, c in self.variants) + 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "native": self.native,
            "total": self.total,
            "entropy": _round(self.entropy),
            "variants": [[r, c] for r, c in self.variants],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VariantEntry:
        return cls(str(data["native"]), tuple((str(r), int(c)) for r, c in data["variants"]))


@dataclass(frozen=True)
class VariantTable:
    """The romanization variant table of a corpus; entries by decreasing frequency."""

    entries: tuple[VariantEntry, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: Mapping[tuple[str, str], int]) -> VariantTable:
        by_word: dict[str, Counter[str]] = {}
        for (native, roman), count in pairs.items():
            by_word.setdefault(native, Counter())[roman] += count
        entries = [
            VariantEntry(native, tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
            for native, counts in by_word.items()
        ]
        entries.sort(key=lambda e: (-e.total, e.native))
        return cls(tuple(entries))

    @property
    def words(self) -> int:
        return len(self.entries)

    @property
    def tokens(self) -> int:
        return sum(e.total for e in self.entries)

    @property
    def ambiguous_words(self) -> int:
        return sum(1 for e in self.entries if len(e.variants) > 1)

    @property
    def mean_entropy(self) -> float:
        return statistics.fmean(e.entropy for e in self.entries) if self.entries else 0.0

    @property
    def weighted_entropy(self) -> float:
        tokens = self.tokens
        return sum(e.entropy * e.total for e in self.entries) / tokens if tokens else 0.0

    def summary(self) -> dict[str, object]:
        return dict(self._summary)

    @cached_property
    def _summary(self) -> dict[str, object]:
        # worked out once: stats.json, stats.md and the report each show it
        return {
            "words": self.words,
            "tokens": self.tokens,
            "words_with_several_spellings": self.ambiguous_words,
            "mean_entropy_bits": _round(self.mean_entropy),
            "weighted_entropy_bits": _round(self.weighted_entropy),
        }

    def to_tsv(self) -> str:
        """``native<TAB>roman<TAB>count`` rows (the Dakshina lexicon format)."""
        return "".join(f"{e.native}\t{r}\t{c}\n" for e in self.entries for r, c in e.variants)

    @classmethod
    def from_tsv(cls, lines: Iterable[str], *, source: str | None = None) -> VariantTable:
        from lipyantar.translit.errors import InputError

        pairs: Counter[tuple[str, str]] = Counter()
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].isdigit() or not parts[0] or not parts[1]:
                raise InputError("expected native<TAB>roman<TAB>count", source=source, line=number)
            pairs[(parts[0], parts[1])] += int(parts[2])
        return cls.from_pairs(pairs)


@dataclass(frozen=True)
class ParallelStats:
    """Statistics of an aligned (bead) corpus."""

    beads: int
    bead_types: Mapping[str, int]
    length_ratio: Distribution
    variants: VariantTable

    def to_dict(self, *, top: int = 50) -> dict[str, object]:
        return {
            "beads": self.beads,
            "bead_types": dict(self.bead_types),
            "length_ratio_roman_to_deva": self.length_ratio.to_dict(),
            "variants": self.variants.summary(),
            "variant_table": [e.to_dict() for e in self.variants.entries[:top]],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParallelStats:
        """Back from :meth:`to_dict`; the variant table holds only the rows that were written."""
        entries = tuple(VariantEntry.from_dict(e) for e in data.get("variant_table", []))
        return cls(
            int(data["beads"]),
            {str(k): int(v) for k, v in dict(data["bead_types"]).items()},
            Distribution.from_dict(data["length_ratio_roman_to_deva"]),
            VariantTable(entries),
        )


@dataclass(frozen=True)
class CmiStats:
    """Code-mixing index over the sentences (utterances) of romanized text."""

    utterances: int = 0
    mixed: int = 0
    mean: float = 0.0
    mixed_mean: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.mixed <= self.utterances:
            raise ValueError("mixed utterances must be within [0, utterances]")

    def to_dict(self) -> dict[str, object]:
        return {
            "utterances": self.utterances,
            "mixed_utterances": self.mixed,
            "cmi_mean": _round(self.mean),
            "cmi_mean_mixed_only": _round(self.mixed_mean),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CmiStats:
        return cls(
            int(data["utterances"]),
            int(data["mixed_utterances"]),
            float(data["cmi_mean"]),
            float(data["cmi_mean_mixed_only"]),
        )


@dataclass(frozen=True)
class CorpusStats:
    """All statistics of a corpus; see the module docstring for the definitions."""

    documents: int
    paragraphs: int
    sentences: int
    tokens: int
    types: int
    sentence_lengths: Distribution
    characters: Mapping[str, Mapping[str, int]]
    languages: Mapping[str, int]
    token_languages: Mapping[str, int]
    romanized_tokens: Mapping[str, int]
    cmi: CmiStats
    parallel: ParallelStats | None = None

    def __post_init__(self) -> None:
        for name in ("documents", "paragraphs", "sentences", "tokens", "types"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.types > self.tokens:
            raise ValueError("types cannot exceed tokens")

    @property
    def type_token_ratio(self) -> float:
        return self.types / self.tokens if self.tokens else 0.0

    @property
    def english_share(self) -> float:
        """Share of English tokens among the language-tagged tokens of romanized text."""
        en = self.romanized_tokens.get("en", 0)
        hi = self.romanized_tokens.get("hi-Latn", 0)
        return en / (en + hi) if en + hi else 0.0

    def to_dict(self, *, top_variants: int = 50) -> dict[str, object]:
        out: dict[str, object] = {
            "documents": self.documents,
            "paragraphs": self.paragraphs,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "types": self.types,
            "type_token_ratio": _round(self.type_token_ratio),
            "sentence_length": self.sentence_lengths.to_dict(),
            "characters": {k: dict(v) for k, v in self.characters.items()},
            "languages": dict(self.languages),
            "token_languages": dict(self.token_languages),
            "romanized": {
                "tokens": dict(self.romanized_tokens),
                "english_share": _round(self.english_share),
                **self.cmi.to_dict(),
            },
        }
        if self.parallel is not None:
            out["parallel"] = self.parallel.to_dict(top=top_variants)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CorpusStats:
        """Back from :meth:`to_dict` (JSON); rounded figures stay rounded."""
        from lipyantar.translit.errors import InputError

        try:
            romanized = data["romanized"]
            parallel = data.get("parallel")
            return cls(
                documents=int(data["documents"]),
                paragraphs=int(data["paragraphs"]),
                sentences=int(data["sentences"]),
                tokens=int(data["tokens"]),
                types=int(data["types"]),
                sentence_lengths=Distribution.from_dict(data["sentence_length"]),
                characters={
                    str(k): {str(c): int(n) for c, n in v.items()} for k, v in data["characters"].items()
                },
                languages={str(k): int(v) for k, v in data["languages"].items()},
                token_languages={str(k): int(v) for k, v in data["token_languages"].items()},
                romanized_tokens={str(k): int(v) for k, v in romanized["tokens"].items()},
                cmi=CmiStats.from_dict(romanized),
                parallel=None if parallel is None else ParallelStats.from_dict(parallel),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"not a corpus statistics object: {exc!r}") from None

    def to_json(self, *, top_variants: int = 50) -> str:
        return json.dumps(self.to_dict(top_variants=top_variants), ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self, *, top_variants: int = 20, top_chars: int = 30) -> str:
        lines = ["# Corpus statistics", "", "| measure | value |", "|---|---|"]
        for label, value in (
            ("documents", self.documents),
            ("paragraphs", self.paragraphs),
            ("sentences", self.sentences),
            ("tokens", self.tokens),
            ("types", self.types),
            ("type/token ratio", f"{self.type_token_ratio:.4f}"),
        ):
            lines.append(f"| {label} | {value} |")
        d = self.sentence_lengths
        lines += [
            "",
            "## Sentence length (tokens)",
            "",
            f"min {d.minimum:g}, max {d.maximum:g}, mean {d.mean:.2f}, median {d.median:g}, "
            f"stdev {d.stdev:.2f}",
            "",
            "| tokens | sentences |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v} |" for k, v in d.histogram.items()]
        lines += ["", "## Languages", "", "| document language | documents |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.languages.items()]
        lines += ["", "| token tag | tokens |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in self.token_languages.items()]
        c = self.cmi
        lines += [
            "",
            "## Romanized text",
            "",
            f"- English share of tokens: {self.english_share:.2%}",
            f"- code-mixing index (CMI, Das & Gambäck): mean {c.mean:.2f} over {c.utterances} sentences; "
            f"{c.mixed} code-mixed sentences, mean CMI {c.mixed_mean:.2f} among them",
            "",
            "## Characters by script",
            "",
        ]
        for script, counts in self.characters.items():
            shown = ", ".join(f"{_show(ch)} {n}" for ch, n in list(counts.items())[:top_chars])
            more = f" … ({len(counts)} distinct)" if len(counts) > top_chars else ""
            lines.append(f"- **{script}** ({sum(counts.values())}): {shown}{more}")
        p = self.parallel
        if p is not None:
            lines += [
                "",
                "## Aligned corpus",
                "",
                f"{p.beads} beads.",
                "",
                "| bead type | count |",
                "|---|---|",
            ]
            lines += [f"| {k} | {v} |" for k, v in p.bead_types.items()]
            r = p.length_ratio
            lines += [
                "",
                f"Length ratio roman/Devanagari (characters): mean {r.mean:.3f}, median {r.median:.3f}, "
                f"stdev {r.stdev:.3f}, min {r.minimum:.3f}, max {r.maximum:.3f} over {r.count} beads",
                "",
                "### Romanization variants",
                "",
                f"{p.variants.words} Devanagari words ({p.variants.tokens} aligned tokens); "
                f"{p.variants.ambiguous_words} with more than one spelling; spelling entropy "
                f"{p.variants.mean_entropy:.3f} bits per word type, {p.variants.weighted_entropy:.3f} "
                "weighted by frequency.",
                "",
                "| word | count | entropy (bits) | romanizations |",
                "|---|---|---|---|",
            ]
            for e in p.variants.entries[:top_variants]:
                spellings = ", ".join(f"{r} ×{n}" for r, n in e.variants)
                lines.append(f"| {e.native} | {e.total} | {e.entropy:.3f} | {spellings} |")
        return "\n".join(lines) + "\n"


def _show(ch: str) -> str:
    if unicodedata.category(ch).startswith("M"):
        return f"◌{ch}"
    if ch == "|":
        return "\\|"
    return ch


def _word_links(deva_text: str, roman_text: str) -> list[tuple[str, str]]:
    """1-1 word links of a bead (:func:`lipyantar.align.align_words`)."""
    from lipyantar.align.words import align_words

    links = align_words(deva_text, roman_text, similarity=_similarity())
    return [(link.deva, link.roman) for link in links if link.kind == "1-1"]


@lru_cache(maxsize=1)
def _similarity() -> Any:
    """One shared ``lipyantar.align.Similarity`` (it memoizes per word type)."""
    from lipyantar.align.similarity import Similarity

    return Similarity()


def clean_word_pair(deva: str, roman: str) -> tuple[str, str] | None:
    """A (Devanagari word, romanization) pair as the variant table counts it: edge punctuation stripped,
    roman lower-cased; None when it is not a Devanagari word and a Latin word."""
    d = _EDGE_PUNCT.sub("", unicodedata.normalize("NFC", deva))
    r = _EDGE_PUNCT.sub("", roman).lower()
    if d and r and _DEVA_WORD.fullmatch(d) and _LATIN_WORD.match(r):
        return d, r
    return None


def variant_pairs(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Count cleaned (Devanagari word, romanization) pairs: edge punctuation stripped, roman lower-cased,
    pairs that are not a Devanagari word and a Latin word dropped."""
    counts: Counter[tuple[str, str]] = Counter()
    for deva, roman in pairs:
        cleaned = clean_word_pair(deva, roman)
        if cleaned is not None:
            counts[cleaned] += 1
    return counts


class ParallelAccumulator:
    """Running parallel statistics over beads added one at a time (bounded memory: counters over bead
    types, length ratios and the word-pair vocabulary). :func:`parallel_stats` is this over a list."""

    def __init__(self) -> None:
        self.beads = 0
        self.kinds: Counter[str] = Counter()
        self.ratios: Counter[float] = Counter()
        self.links: Counter[tuple[str, str]] = Counter()

    def add(self, bead: Any, *, words: bool = True) -> None:
        """Count one bead; its 1-1 word links go to the variant table when ``words``."""
        self.beads += 1
        self.kinds[bead.kind] += 1
        deva, roman = bead.deva_text.strip(), bead.roman_text.strip()
        if deva and roman:
            self.ratios[len(roman) / len(deva)] += 1
            if words:
                links = getattr(bead, "words", None)
                if links is not None:
                    self.add_word_pairs((w.deva, w.roman) for w in links if w.kind == "1-1")
                else:
                    self.add_word_pairs(_word_links(deva, roman))

    def add_word_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.links.update(variant_pairs(pairs))

    def add_clean_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Count word pairs already cleaned (:func:`clean_word_pair`)."""
        self.links.update(pairs)

    def result(self) -> ParallelStats:
        bead_types = dict(sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        return ParallelStats(
            self.beads, bead_types, Distribution.of_counts(self.ratios), VariantTable.from_pairs(self.links)
        )


def parallel_stats(
    beads: Iterable[Any], *, word_pairs: Iterable[tuple[str, str]] | None = None
) -> ParallelStats:
    """Statistics of aligned beads (objects with ``kind``, ``deva_text``, ``roman_text`` and optionally
    ``words``, like ``lipyantar.align.Bead``). ``word_pairs`` (e.g. a gold word alignment) replaces the word
    alignment of the beads for the variant table."""
    acc = ParallelAccumulator()
    for bead in beads:
        acc.add(bead, words=word_pairs is None)
    if word_pairs is not None:
        acc.add_word_pairs(word_pairs)
    return acc.result()


def corpus_stats(
    documents: Sequence[Document],
    *,
    languages: Mapping[str, str] | None = None,
    beads: Iterable[Any] | None = None,
    word_pairs: Iterable[tuple[str, str]] | None = None,
    presplit: Collection[str] = (),
) -> CorpusStats:
    """Compute :class:`CorpusStats` for ``documents``.

    ``languages`` maps a document source to its language (detected when missing). ``beads`` (an aligned
    corpus, see :func:`parallel_stats`) adds the parallel statistics. Documents whose source is in
    ``presplit`` have one sentence a line (the sides of a parallel corpus).
    """
    from .analysis import detect_and_count

    languages = dict(languages or {})

    def count(doc: Document) -> DocumentCounts:
        language = languages.get(doc.source)
        if not language and doc.source not in presplit:
            return detect_and_count(doc)[1]  # each sentence tagged once for the detection and the counts
        if not language:
            language = detect_document(doc, paragraphs=False, lines=False).language
        return document_counts(doc, language=language, presplit=doc.source in presplit)

    return stats_from_counts(map(count, documents), beads=beads, word_pairs=word_pairs)


class StatsAccumulator:
    """Running corpus statistics over :class:`DocumentCounts` added one document at a time, in bounded
    memory (counters over sentence lengths, CMI values, characters and the vocabulary; no text)."""

    def __init__(self) -> None:
        self.documents = 0
        self.paragraphs = 0
        self.lengths: Counter[int] = Counter()
        self.types: set[str] = set()
        self.chars: dict[str, Counter[str]] = {name: Counter() for name in CHAR_CLASSES}
        self.doc_languages: Counter[str] = Counter()
        self.token_languages: Counter[str] = Counter()
        self.romanized: Counter[str] = Counter()
        self.cmis: Counter[float] = Counter()

    def __getstate__(self) -> dict[str, Any]:
        # sent from worker processes (a batch's counts added up): the word types as one string, a third of
        # the time to pickle and unpickle as a set of strings (words have no line breaks; kept as a set if
        # one had)
        state = dict(self.__dict__)
        if self.types:
            joined = "\n".join(self.types)
            if joined.count("\n") == len(self.types) - 1:
                state["types"] = joined
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        types = state.get("types")
        if isinstance(types, str):
            state = {**state, "types": set(types.split("\n"))}
        self.__dict__.update(state)

    def add(self, c: DocumentCounts) -> None:
        self.documents += 1
        self.doc_languages[c.language] += 1
        self.paragraphs += c.paragraphs
        self.lengths.update(c.lengths)
        self.types.update(c.types)
        for name, table in c.characters.items():
            self.chars[name].update(table)
        self.token_languages.update(c.token_languages)
        self.romanized.update(c.romanized)
        self.cmis.update(c.cmis)

    def merge(self, other: StatsAccumulator) -> None:
        """Add the documents counted by ``other`` (e.g. a batch's, counted in a worker process). The result
        does not depend on how the documents were grouped or in which order the groups were merged."""
        self.documents += other.documents
        self.paragraphs += other.paragraphs
        self.lengths.update(other.lengths)
        self.types |= other.types
        for name, table in other.chars.items():
            if table:
                self.chars[name].update(table)
        self.doc_languages.update(other.doc_languages)
        self.token_languages.update(other.token_languages)
        self.romanized.update(other.romanized)
        self.cmis.update(other.cmis)

    def result(self, *, parallel: ParallelStats | None = None) -> CorpusStats:
        utterances = sum(self.cmis.values())
        mixed = {v: n for v, n in self.cmis.items() if v > 0}
        n_mixed = sum(mixed.values())
        cmi_stats = CmiStats(
            utterances,
            n_mixed,
            Distribution.of_counts(self.cmis).mean if utterances else 0.0,
            Distribution.of_counts(mixed).mean if n_mixed else 0.0,
        )
        characters = {
            name: dict(sorted(table.items(), key=lambda kv: (-kv[1], kv[0])))
            for name, table in self.chars.items()
            if table
        }
        return CorpusStats(
            documents=self.documents,
            paragraphs=self.paragraphs,
            sentences=sum(self.lengths.values()),
            tokens=sum(v * n for v, n in self.lengths.items()),
            types=len(self.types),
            sentence_lengths=Distribution.of_counts(self.lengths, buckets=SENTENCE_BUCKETS),  # type: ignore[arg-type]
            characters=characters,
            languages=dict(sorted(self.doc_languages.items())),
            token_languages=dict(sorted(self.token_languages.items())),
            romanized_tokens=dict(sorted(self.romanized.items())),
            cmi=cmi_stats,
            parallel=parallel,
        )


def stats_from_counts(
    counts: Iterable[DocumentCounts],
    *,
    beads: Iterable[Any] | None = None,
    word_pairs: Iterable[tuple[str, str]] | None = None,
) -> CorpusStats:
    """Add up per-document counts (in document order) into :class:`CorpusStats`."""
    acc = StatsAccumulator()
    for c in counts:
        acc.add(c)
    return acc.result(parallel=None if beads is None else parallel_stats(beads, word_pairs=word_pairs))
