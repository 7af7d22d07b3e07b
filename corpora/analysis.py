"""The detection and the counts of one document with each distinct sentence tokenized and tagged once
(``build``'s :func:`lipyantar.corpora.pipeline.analyse_document`).

:func:`detect_and_count` gives what :func:`lipyantar.corpora.detect.detect_document` (``paragraphs=False,
lines=False``) and :func:`lipyantar.corpora.counting.document_counts` give, exactly: detection tags the words
of each line as one unit, the counts those of each sentence, and both are made here from one tagging of
each distinct sentence.

* The sentences are split first, in the script that the document's detected language will ask for:
  Devanagari for Devanagari text (always detected as ``hi``), roman for Latin text (``hi-Latn`` or
  ``en``, unless detection finds it mixed or unknown: its counts are then made afresh), ``auto`` for
  any other script.
* Each distinct sentence is tokenized and tagged once (:func:`lipyantar.corpora.detect.tag_units`); the
  counts read these tags.
* A line that is one paragraph cut into sentences at white space (its words, with single spaces, are its
  sentences joined by spaces) has the tokens of its sentences, in order: the tokenizer looks at nothing
  beyond white space, and no token holds any. Its tags are those of its sentences, the words of each
  script group tagged again over the whole line (one sentence: its own tags). A line that may hold
  a URL or an e-mail address (a token that may run across a sentence mark), white space that the
  tokenizer reads as a symbol (U+001C..U+001F), or is not its paragraph's sentences so, is tagged on
  its own as detection tags it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from lipyantar.align.script import SCRIPTS, ScriptShares, char_script
from lipyantar.align.segment import Script, split_sentences

from .counting import (
    SENTENCE_MEMO_LIMIT,
    DocumentCounts,
    SentenceSummary,
    count_sentences,
    document_counts,
    sentence_script,
    summarize,
)
from .detect import _COUNTED_KINDS, DocumentDetection, _decide, _lines, _tag_line, _UnitCounts
from .langid import GROUPS, tag_clipped
from .loading import Document

__all__ = ["detect_and_count"]

#: white space to ``str.split`` that the tokenizer reads as symbols
_SYMBOL_SPACES = frozenset("\x1c\x1d\x1e\x1f")
#: script of a document's text -> the sentence script its detected language asks for (see the module docstring)
_GUESS: dict[str, Script] = {"Devanagari": "deva", "Latin": "roman"}


class _Sentence:
    """What the detection and the counts need of one tagged sentence."""

    __slots__ = ("counted", "groups", "languages", "summary")

    def __init__(self, sentence: str) -> None:
        tagged = _tag_line(sentence)  # a sentence is one line: tag_units((sentence,)) tags it so
        self.languages = tagged.languages
        #: (group, where its words are among the tokens, their clipped log posteriors), in group order
        self.groups = tuple((g, tagged.indices[g], tagged.clipped[g]) for g in GROUPS if g in tagged.clipped)
        self.summary: SentenceSummary = summarize(tagged.tokens, tagged.languages)
        self.counted = sum(1 for t in tagged.tokens if t[1] in _COUNTED_KINDS)


class _Sentences:
    """Tagged sentences by text, a memo of at most :data:`SENTENCE_MEMO_LIMIT` (started afresh when full)."""

    def __init__(self) -> None:
        self._memo: dict[str, _Sentence] = {}

    def get(self, sentence: str) -> _Sentence:
        found = self._memo.get(sentence)
        if found is None:
            if len(self._memo) >= SENTENCE_MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[sentence] = _Sentence(sentence)
        return found

    def summary(self, sentence: str) -> SentenceSummary:
        return self.get(sentence).summary


#: character -> its script class (:func:`lipyantar.align.script.char_script`), filled as met
_CHAR_SCRIPTS: dict[str, str | None] = {}


def _script_shares(characters: Mapping[str, int]) -> ScriptShares:
    """:func:`lipyantar.align.script.script_shares` of the text whose characters are counted in ``characters``
    (each character's script looked up once a process)."""
    counts = dict.fromkeys(SCRIPTS, 0)
    scripts = _CHAR_SCRIPTS
    for ch, n in characters.items():
        if ch in scripts:
            script = scripts[ch]
        else:
            if len(scripts) > 20_000:
                scripts.clear()
            script = scripts[ch] = char_script(ch)
        if script is not None:
            counts[script] += n
    return ScriptShares(*(counts[name] for name in SCRIPTS))


def _composable(line: str, sentences: Sequence[str]) -> bool:
    """Whether ``line`` has the tokens of ``sentences`` in order (see the module docstring)."""
    if "@" in line or "://" in line or "www." in line or not _SYMBOL_SPACES.isdisjoint(line):
        return False
    return " ".join(line.split()) == " ".join(sentences)


def _add_line(unit: _UnitCounts, parts: Sequence[_Sentence]) -> None:
    """Add to ``unit`` the line made of the tagged sentences ``parts``, tagged as one unit."""
    if len(parts) == 1:
        part = parts[0]
        unit.add_tags(part.languages, part.counted, {group: clipped for group, _where, clipped in part.groups})
        return
    languages: list[str] = []
    where: dict[str, list[int]] = {}
    clipped: dict[str, list[tuple[float, ...]]] = {}
    for part in parts:
        offset = len(languages)
        languages += part.languages
        for group, indices, posteriors in part.groups:
            where.setdefault(group, []).extend([offset + i for i in indices] if offset else indices)
            clipped.setdefault(group, []).extend(posteriors)
    in_order = {group: clipped[group] for group in GROUPS if group in clipped}
    for group, posteriors in in_order.items():
        for i, language in zip(where[group], tag_clipped(posteriors, group), strict=True):
            languages[i] = language
    unit.add_tags(languages, sum(part.counted for part in parts), in_order)


def detect_and_count(doc: Document) -> tuple[DocumentDetection, DocumentCounts]:
    """``detect_document(doc, paragraphs=False, lines=False)`` and ``document_counts(doc, language=...)``
    of its language, with each distinct sentence tagged once (see the module docstring)."""
    text = doc.text
    characters = Counter(text)
    shares = _script_shares(characters)
    guess: Script = _GUESS.get(shares.dominant, "auto")
    split = split_sentences(text, script=guess)
    sentences = [s.text for s in split]
    tagged = _Sentences()
    # the sentences of each paragraph, the paragraphs being the non-blank lines when there are as many
    by_paragraph: list[list[str]] = []
    for s in split:
        while len(by_paragraph) <= s.paragraph:
            by_paragraph.append([])
        by_paragraph[-1].append(s.text)
    if sum(1 for line in _lines(text) if line.strip()) != len(by_paragraph):
        by_paragraph = []
    document = _UnitCounts()
    k = 0  # the paragraph of the next non-blank line
    for line in _lines(text):
        if not line.strip():  # no tokens, unless of white space that the tokenizer reads as symbols
            if not _SYMBOL_SPACES.isdisjoint(line):
                document.add(_tag_line(line))
            continue
        if by_paragraph and _composable(line, by_paragraph[k]):
            _add_line(document, [tagged.get(s) for s in by_paragraph[k]])
        else:
            document.add(_tag_line(line))
        k += 1
    unit = _decide("document", 0, 1, text, document, shares)
    detection = DocumentDetection(doc.source, doc.encoding, unit)
    if sentence_script(detection.language) != guess:
        return detection, document_counts(doc, language=detection.language)
    return detection, count_sentences(
        doc, language=detection.language, sentences=sentences, summary=tagged.summary, characters=characters
    )
