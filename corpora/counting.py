"""Counting one document for the corpus statistics (:mod:`lipyantar.corpora.stats`): its sentences, their
tokens and token tags, its characters by script class (the definitions are in that module's docstring).

:func:`document_counts` tags each distinct sentence of a document once (:func:`lipyantar.corpora.detect.tag_units`);
:func:`count_sentences` counts sentences tagged by another means (``build`` tags each sentence once for both
the detection and the counts of a document: :mod:`lipyantar.corpora.analysis`).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import regex

from lipyantar.align.segment import split_sentences

from .detect import cmi, tag_units
from .loading import Document
from .segment import paragraphs as split_paragraphs

__all__ = ["CHAR_CLASSES", "DocumentCounts", "count_sentences", "document_counts", "document_sentences"]

CHAR_CLASSES: tuple[str, ...] = ("Devanagari", "Latin", "Arabic", "other", "digit", "punctuation")
_TOKEN_KINDS = ("deva", "latin", "word", "number")
_TOKEN_KIND_SET = frozenset(_TOKEN_KINDS)
_DEVA_CHAR = regex.compile(r"\p{sc=Deva}")
_LATIN_CHAR = regex.compile(r"\p{sc=Latn}")
_ARABIC_CHAR = regex.compile(r"\p{sc=Arab}")
_INHERITED_CHAR = regex.compile(r"\p{sc=Zinh}")


@lru_cache(maxsize=4096)
def _char_class(ch: str) -> str | None:
    if ch.isspace():
        return None
    cat = unicodedata.category(ch)
    if cat.startswith("N"):
        return "digit"
    if cat.startswith(("P", "S")):
        return "punctuation"
    if _DEVA_CHAR.match(ch):
        return "Devanagari"
    if _LATIN_CHAR.match(ch):
        return "Latin"
    if _ARABIC_CHAR.match(ch):
        return "Arabic"
    if cat.startswith("M") and _INHERITED_CHAR.match(ch):
        return "inherited"
    if cat.startswith(("L", "M")):
        return "other"
    return "punctuation"


def sentence_script(language: str) -> Literal["deva", "roman", "auto"]:
    if language == "hi":
        return "deva"
    return "roman" if language in ("hi-Latn", "en") else "auto"


@dataclass(frozen=True)
class DocumentCounts:
    """The counts of one document that :func:`lipyantar.corpora.stats.stats_from_counts` adds up (computed per document, so
    that documents can be counted in worker processes)."""

    language: str
    paragraphs: int
    lengths: tuple[int, ...]
    types: frozenset[str]
    characters: Mapping[str, Mapping[str, int]]
    token_languages: Mapping[str, int]
    romanized: Mapping[str, int]
    cmis: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.paragraphs < 0:
            raise ValueError("paragraphs must be >= 0")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent from worker processes: the word types as one string, a third of the time to pickle and
        # unpickle as a frozenset of strings (words have no line breaks; kept as a set if one had)
        types: frozenset[str] | str = self.types
        if self.types:
            joined = "\n".join(self.types)
            if joined.count("\n") == len(self.types) - 1:
                types = joined
        fields = (self.language, self.paragraphs, self.lengths, types, self.characters)
        return _unpack_counts, (*fields, self.token_languages, self.romanized, self.cmis)


def _unpack_counts(
    language: str,
    paragraphs: int,
    lengths: tuple[int, ...],
    types: frozenset[str] | str,
    *rest: Any,
) -> DocumentCounts:
    """A :class:`DocumentCounts` from its ``__reduce__`` (the word types joined by line breaks)."""
    if isinstance(types, str):
        types = frozenset(types.split("\n"))
    return DocumentCounts(language, paragraphs, lengths, types, *rest)


_BASE_SCRIPTS = ("Devanagari", "Latin", "Arabic")


def _character_counts(text: str, counts: Mapping[str, int] | None = None) -> dict[str, dict[str, int]]:
    """Every non-space character of ``text`` counted by class (:func:`_char_class`; a combining mark of
    script *Inherited* with the letter it follows), each distinct character classified once; ``counts``:
    ``Counter(text)``, when the caller has it."""
    if counts is None:
        counts = Counter(text)
    classes = {ch: _char_class(ch) for ch in counts}
    chars: dict[str, dict[str, int]] = {name: {} for name in CHAR_CLASSES}
    marks = [ch for ch, cls in classes.items() if cls == "inherited"]
    for ch, n in counts.items():
        cls = classes[ch]
        if cls is not None and cls != "inherited":
            chars[cls][ch] = n
    if marks:
        # a mark takes the class of the last character before it that is not a space: "other" at the
        # start of the text or after anything but a Devanagari, Latin or Arabic letter, and a mark's
        # class after a mark
        last_mark, last_class = -1, "other"
        first: dict[tuple[str, str], int] = {}  # (class, mark) -> where it is first seen
        for match in regex.compile("|".join(map(regex.escape, marks))).finditer(text):  # this text's marks
            k = match.start()
            j = k - 1
            while j > last_mark and classes[text[j]] is None:
                j -= 1
            if j > last_mark:
                base = classes[text[j]]
                cls = base if base in _BASE_SCRIPTS else "other"
            else:
                cls = last_class
            table = chars[cls]
            mark = text[k]
            if mark not in table:
                first[cls, mark] = k
            table[mark] = table.get(mark, 0) + 1
            last_mark, last_class = k, cls
        # each class's characters in the order they first appear in it (as counting in text order gives)
        for cls in {cls for cls, _mark in first}:
            table = chars[cls]
            order = sorted(table, key=lambda ch: first[cls, ch] if (cls, ch) in first else text.find(ch))
            chars[cls] = {ch: table[ch] for ch in order}
    return chars


#: :func:`count_sentences` counts a sentence that comes again in the same document from a memo of at most
#: this many sentences (started afresh when full), so it is tagged once
SENTENCE_MEMO_LIMIT = 50_000

#: a sentence's words (its tokens of the counted kinds, in order) and its token tags counted (in the order
#: they first come), or None when it has no words
SentenceSummary = tuple[list[str], dict[str, int]] | None


def document_sentences(text: str, *, language: str, presplit: bool = False) -> list[str]:
    """The sentences of a text whose language is ``language`` as the statistics count them (one a line when
    ``presplit``)."""
    if presplit:
        return [line.strip() for line in text.split("\n") if line.strip()]
    return [s.text for s in split_sentences(text, script=sentence_script(language)) if s.text.strip()]


def summarize(tokens: Sequence[tuple[str, str, int, str]], languages: Sequence[str]) -> SentenceSummary:
    """The :data:`SentenceSummary` of a sentence's tokens and their tags (:func:`lipyantar.corpora.detect.tag_units`)."""
    words = [text for text, kind, _start, _script in tokens if kind in _TOKEN_KIND_SET]
    return (words, dict(Counter(languages))) if words else None


def _tagged_summary(sentence: str) -> SentenceSummary:
    return summarize(*next(tag_units((sentence,))))


def document_counts(doc: Document, *, language: str, presplit: bool = False) -> DocumentCounts:
    """Count one document whose language is ``language`` (one sentence a line when ``presplit``).

    Each distinct sentence is tokenized and tagged once (:func:`lipyantar.corpora.detect.tag_units`; a
    sentence that comes again is counted from a memo of its counts); characters are counted per distinct
    character."""
    sentences = document_sentences(doc.text, language=language, presplit=presplit)
    return count_sentences(doc, language=language, sentences=sentences, summary=_tagged_summary)


def count_sentences(
    doc: Document,
    *,
    language: str,
    sentences: Sequence[str],
    summary: Callable[[str], SentenceSummary],
    characters: Mapping[str, int] | None = None,
) -> DocumentCounts:
    """:func:`document_counts` of a document split into ``sentences``, each distinct sentence tagged by
    ``summary`` once (a memo of at most :data:`SENTENCE_MEMO_LIMIT` sentences); ``characters``:
    ``Counter(doc.text)``, when the caller has it."""
    chars = _character_counts(doc.text, characters)
    lengths: list[int] = []
    types: set[str] = set()
    token_languages: Counter[str] = Counter()
    romanized: Counter[str] = Counter()
    cmis: list[float] = []
    romanized_text = language == "hi-Latn"
    # sentence -> (its words, its tag counts, their romanized part, its CMI); None: no words
    memo: dict[str, tuple[int, dict[str, int], dict[str, int], float] | None] = {}
    for sentence in sentences:
        if sentence in memo:
            seen = memo[sentence]
        else:
            summed = summary(sentence)
            seen = None
            if summed is not None:
                words, tags = summed
                types.update(map(str.lower, words))
                seen = (
                    len(words),
                    tags,
                    {k: v for k, v in tags.items() if k in ("hi-Latn", "en")} if romanized_text else {},
                    cmi(tags) if romanized_text else 0.0,
                )
            if len(memo) >= SENTENCE_MEMO_LIMIT:
                memo.clear()
            memo[sentence] = seen
        if seen is None:
            continue
        lengths.append(seen[0])
        token_languages.update(seen[1])
        if romanized_text:
            romanized.update(seen[2])
            cmis.append(seen[3])
    return DocumentCounts(
        language=language,
        paragraphs=len(split_paragraphs(doc.text)),
        lengths=tuple(lengths),
        types=frozenset(types),
        characters={name: c for name, c in chars.items() if c},
        token_languages=dict(token_languages),
        romanized=dict(romanized),
        cmis=tuple(cmis),
    )
