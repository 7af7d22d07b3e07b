"""Sentence segmentation for Devanagari and romanized Hindi.

A sentence ends at ``।``, ``॥``, ``?``, ``!`` or ``.`` (a run of them counts once, closing quotes and
brackets right after the mark stay with the sentence), with or without a space after it
(``जाती है।यातायात``, ``jaati hai.yatayaat`` are two sentences each). A ``.`` does not end a sentence in

* a decimal number or a dotted date (``1.5``, ``12.03.2020``) and a list number (``1. ...``);
* an ellipsis (``...``, ``…``);
* an abbreviation (``डॉ.``, ``Dr.``, ``etc.``, ``e.g.``) or an initial (``A. R. Rahman``, ``U.N.``,
  ``बी. एस. क्रिस``);
* a URL or e-mail address.

No mark ends a sentence inside quotes or brackets, unless it is the last thing before the closing
quote or bracket: ``उसने कहा, "मैं आया।" फिर वह गया।`` is split after the closing quote.

In Devanagari text (``script="deva"``) an ASCII ``|`` is read as a danda.

Paragraphs: in ``"line"`` mode every non-blank line is a paragraph; in ``"blank"`` mode paragraphs
are separated by blank lines and the lines inside one are joined; ``"auto"`` picks ``"blank"`` when
the text is hard-wrapped (there are blank lines, and most lines inside the blocks they separate do
not end with a sentence mark).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = ["Paragraphs", "Script", "Sentence", "split_lines", "split_paragraphs", "split_sentences"]

Script = Literal["deva", "roman", "auto"]
Paragraphs = Literal["auto", "line", "blank"]

_TERMINATORS = "।॥?!.\u0964\u0965"
_CLOSERS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»"}
_SYMMETRIC_QUOTES = "\"'"
_CLOSING_CHARS = set(_CLOSERS.values()) | set(_SYMMETRIC_QUOTES)

#: Latin abbreviations (lowercase, without the final dot) that do not end a sentence
ROMAN_ABBREVIATIONS = frozenset(
    """
    dr mr mrs ms mx prof sr jr st mt ft lt col gen capt maj sgt cmdr adm gov sen rep hon rev fr
    smt shri sh km kg cm mm ml no nos vol vols ch pp pg fig figs eq ed eds etc vs viz cf approx
    est dept univ inc ltd co corp bros jan feb mar apr jun jul aug sep sept oct nov dec rs
    """.split()
)

#: Devanagari abbreviations (without the final dot)
DEVA_ABBREVIATIONS = frozenset(
    "डॉ डा प्रो श्री श्रीमती सुश्री स्व पं पृ सं ई ईपू क्र रु कि मि से मी ले डॉक्टर जन फ़र फर अग".split()
)

#: names of Latin letters written in Devanagari, used as initials (``एस. पी. सिंह``)
DEVA_LETTER_NAMES = frozenset(
    "ए बी सी डी ई एफ जी एच आई जे के एल एम एन ओ पी क्यू आर एस टी यू वी डब्ल्यू डबल्यू एक्स वाई ज़ेड जेड".split()
)

#: single-syllable Hindi words that often end a sentence: never read as initials before ``.``
_DEVA_SHORT_WORDS = frozenset(
    "है हैं हूँ हूं हो हों था थी थे थीं ही भी की के का को से ने में तो जो वो ये वे यह वह न ना क्यों था। गई गए गया "
    "दो लो दी दे ले लें दें".split()
)

_DEVA_AKSHARA = re.compile(
    r"^[\u0915-\u0939\u0958-\u095f\u0905-\u0914][\u093c]?[\u093e-\u094c\u0901\u0902]*$"
)
_URLISH = re.compile(r"(?:://|^www\.|@|\.(?:com|org|net|in|gov|edu)\b)", re.IGNORECASE)
_MARK_RUN = re.compile(r"[।॥?!.…]+")
_MARK_RUN_DEVA = re.compile(r"[।॥?!.…|]+")
#: the end of a run of marks other than "." and "…" (Devanagari text without those two)
_AFTER_DEVA_RUN = re.compile(r"(?<=[।॥?!|])(?![।॥?!|])")
_BRACKETISH = re.compile(r"[()\[\]{}“”‘’«»\"']")
_NON_SPACE = re.compile(r"\S*")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a document: its text, 0-based number and 0-based paragraph number."""

    text: str
    index: int
    paragraph: int

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Sentence.text must be str, not {type(self.text).__name__}")
        if not self.text.strip():
            raise ValueError("Sentence.text must not be blank")
        if "\n" in self.text:
            raise ValueError("Sentence.text must be a single line")
        if self.index < 0 or self.paragraph < 0:
            raise ValueError("Sentence.index and Sentence.paragraph must be >= 0")


def split_paragraphs(text: str, *, paragraphs: Paragraphs = "auto") -> list[str]:
    """The paragraphs of ``text`` (see the module docstring for the modes), without blank ones."""
    if paragraphs not in ("auto", "line", "blank"):
        raise ValueError(f"paragraphs must be 'auto', 'line' or 'blank', not {paragraphs!r}")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in _BLANK_LINE.split(text) if b.strip()]
    if paragraphs == "auto":
        inner = [line for b in blocks for line in b.strip().split("\n")[:-1] if line.strip()]
        open_ends = sum(1 for line in inner if line.rstrip()[-1] not in _TERMINATORS + "\"'”’)")
        # hard-wrapped: blank lines separate blocks and most lines inside a block end mid-sentence
        paragraphs = "blank" if len(blocks) > 1 and inner and open_ends * 2 > len(inner) else "line"
    if paragraphs == "blank":
        return [" ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks]
    return [line.strip() for line in text.split("\n") if line.strip()]


def split_lines(text: str) -> list[Sentence]:
    """Pre-split input: every non-blank line is one sentence, blank lines separate paragraphs."""
    sentences: list[Sentence] = []
    paragraph = 0
    seen_in_paragraph = False
    for line in text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = " ".join(line.split())
        if not stripped:
            if seen_in_paragraph:
                paragraph += 1
                seen_in_paragraph = False
            continue
        sentences.append(Sentence(stripped, len(sentences), paragraph))
        seen_in_paragraph = True
    return sentences


def split_sentences(text: str, *, script: Script = "auto", paragraphs: Paragraphs = "auto") -> list[Sentence]:
    """Split a document into sentences, keeping paragraph numbers.

    ``script`` selects the abbreviation list (``"deva"``, ``"roman"``; ``"auto"`` uses both).
    """
    if script not in ("deva", "roman", "auto"):
        raise ValueError(f"script must be 'deva', 'roman' or 'auto', not {script!r}")
    sentences: list[Sentence] = []
    for p, paragraph in enumerate(split_paragraphs(text, paragraphs=paragraphs)):
        for chunk in _split_paragraph(paragraph, script):
            # a chunk is stripped, non-blank and one line: skip Sentence's validation
            sentence = _new(Sentence)
            _set_text(sentence, chunk)
            _set_index(sentence, len(sentences))
            _set_paragraph(sentence, p)
            sentences.append(sentence)
    return sentences


_new = object.__new__
_set_text = Sentence.__dict__["text"].__set__  # the slot's descriptor
_set_index = Sentence.__dict__["index"].__set__  # the slot's descriptor
_set_paragraph = Sentence.__dict__["paragraph"].__set__  # the slot's descriptor


def _protected(text: str) -> list[int]:
    """For each character: the end index of the quote/bracket span it is inside, or -1."""
    inside = [-1] * len(text)
    # the innermost (smallest) end wins: write the spans by decreasing end, later writes overwrite
    for start, end in sorted(_spans(text), key=lambda span: -span[1]):
        if end > start + 1:
            inside[start + 1 : end] = [end] * (end - start - 1)
    return inside


def _spans(text: str) -> list[tuple[int, int]]:
    """The quote and bracket spans of a text: (index of the opener, index of the closer)."""
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    open_quote: dict[str, int] = {}
    for match in _BRACKETISH.finditer(text):
        k = match.start()
        ch = match.group()
        if ch in _CLOSERS:
            stack.append((_CLOSERS[ch], k))
        elif stack and ch == stack[-1][0]:
            spans.append((stack.pop()[1], k))
        elif ch in _CLOSING_CHARS and ch not in _SYMMETRIC_QUOTES:
            # a closer without its opener: drop openers above a matching one, if any
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    spans.append((stack[depth][1], k))
                    del stack[depth:]
                    break
        elif ch == '"' or (ch == "'" and _is_quote_apostrophe(text, k)):
            if ch in open_quote:
                spans.append((open_quote.pop(ch), k))
            else:
                open_quote[ch] = k
    return spans


def _is_quote_apostrophe(text: str, k: int) -> bool:
    """An ASCII ``'`` is a quote only when not between two letters (``don't`` is an apostrophe)."""
    before = text[k - 1] if k > 0 else " "
    after = text[k + 1] if k + 1 < len(text) else " "
    return not (before.isalnum() and after.isalnum())


def _split_paragraph(text: str, script: Script) -> Iterator[str]:
    # normalize the spaces, unless they are already normal: a printable text has no whitespace but
    # " " (a text with other non-printable characters, such as ZWJ, is simply normalized)
    if "  " in text or text[:1] == " " or text[-1:] == " " or not text.isprintable():
        text = " ".join(text.split())
    inside = _protected(text) if _BRACKETISH.search(text) else None
    if inside is None:
        # no quotes or brackets: every sentence ends right after its mark run (the fast path)
        if script == "deva" and "." not in text and "…" not in text:
            # and every mark run ends a sentence
            for chunk in _AFTER_DEVA_RUN.split(text):
                chunk = chunk.strip()
                if chunk:
                    yield chunk
            return
        start = 0
        n = len(text)
        roman_abbreviations = ROMAN_ABBREVIATIONS if script != "deva" else frozenset()
        for match in (_MARK_RUN_DEVA if script == "deva" else _MARK_RUN).finditer(text):
            run = match.group()
            k, cut = match.span()
            if run == "." and (cut == n or text[cut] == " "):
                # _ends_sentence, inline for its most common case: a plain Latin word before ". "
                word = text[max(start, text.rfind(" ", start, k) + 1) : k]
                if len(word) > 1 and word.isascii() and word.isalpha():
                    lower = word.lower()
                    if lower == "www" or (
                        lower in roman_abbreviations and not _is_sentence_final_abbrev(text, cut)
                    ):
                        continue
                elif not _ends_sentence(text, k, cut, run, start, script):
                    continue
            elif not run.strip(".…") and not _ends_sentence(text, k, cut, run, start, script):
                continue
            chunk = text[start:cut].strip()
            if chunk:
                yield chunk
            start = cut
        tail = text[start:].strip()
        if tail:
            yield tail
        return
    start = 0
    n = len(text)
    roman_abbreviations = ROMAN_ABBREVIATIONS if script != "deva" else frozenset()
    # "|" is a common stand-in for "।" in Devanagari text
    for match in (_MARK_RUN_DEVA if script == "deva" else _MARK_RUN).finditer(text):
        k, run_end = match.span()
        if k < start:  # inside a closing quote already taken into the previous sentence
            continue
        run = match.group()
        if run == "." and (run_end == n or text[run_end] == " "):
            # _ends_sentence, inline for its most common case: a plain Latin word before ". "
            word = text[max(start, text.rfind(" ", start, k) + 1) : k].lstrip("\"'“‘([{")
            if len(word) > 1 and word.isascii() and word.isalpha():
                lower = word.lower()
                if lower == "www" or (
                    lower in roman_abbreviations and not _is_sentence_final_abbrev(text, run_end)
                ):
                    continue
            elif not _ends_sentence(text, k, run_end, run, start, script):
                continue
        # a run with a mark other than "." and "…" always ends a sentence (_ends_sentence, inline)
        elif not run.strip(".…") and not _ends_sentence(text, k, run_end, run, start, script):
            continue
        # sentence mark inside quotes/brackets: only if it is the last thing before the closer
        cut = run_end
        if inside is not None and inside[k] != -1:
            span_end = inside[k]
            if text[run_end:span_end].strip():
                continue
            cut = span_end + 1
        # closing quotes/brackets right after the mark stay with the sentence
        while cut < n and text[cut] in _CLOSING_CHARS and (cut == n - 1 or not text[cut + 1].isalnum()):
            cut += 1
        chunk = text[start:cut].strip()
        if chunk:
            yield chunk
        start = cut
    tail = text[start:].strip()
    if tail:
        yield tail


def _ends_sentence(text: str, k: int, run_end: int, run: str, start: int, script: Script) -> bool:
    if run.strip(".…"):  # a mark other than "." and "…" (the run holds marks only)
        return True
    if "…" in run or run.count(".") >= 2:
        return False  # ellipsis
    # a single "."
    before = text[k - 1] if k > 0 else " "
    after = text[run_end] if run_end < len(text) else " "
    if before.isdigit() and after.isdigit():
        return False  # 1.5, 12.03.2020
    word = text[max(start, text.rfind(" ", start, k) + 1) : k]
    word = word.lstrip("\"'“‘([{")
    if not word:
        return True
    if after == " " and len(word) > 1 and word.isascii() and word.isalpha():
        # the most common case, a plain Latin word before ". ": the checks below reduce to these two
        # (the only URL it can be is "www.")
        lower = word.lower()
        return lower != "www" and not (
            script != "deva" and lower in ROMAN_ABBREVIATIONS and not _is_sentence_final_abbrev(text, run_end)
        )
    if _URLISH.search(word + "." + _next_word(text, run_end)):
        return False
    if len(word) > 1 and word.isascii() and word.isalpha():
        # the common case, a plain Latin word: only an abbreviation keeps the sentence going (the
        # checks below for numbers, dotted abbreviations and initials cannot match it)
        return not (
            script != "deva"
            and word.lower() in ROMAN_ABBREVIATIONS
            and not _is_sentence_final_abbrev(text, run_end)
        )
    if word.isdigit() and not text[start : k - len(word)].strip():
        return False  # "1. ..." list number at the start of a sentence
    bare = word.lower().replace(".", "")
    if (
        script in ("roman", "auto")
        and bare in ROMAN_ABBREVIATIONS
        and not _is_sentence_final_abbrev(text, run_end)
    ):
        return False
    if script in ("deva", "auto") and word.replace(".", "") in DEVA_ABBREVIATIONS:
        return False
    if _DOTTED.match(word) or (after.isalpha() and _DOTTED.match(word + "." + _next_word(text, run_end))):
        return False  # U.N., e.g., i.e.
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # initial: A. R. Rahman
    if word in DEVA_LETTER_NAMES or (_DEVA_AKSHARA.match(word) and word not in _DEVA_SHORT_WORDS):
        return False  # Devanagari initial: बी. एस. क्रिस
    return True


def _next_word(text: str, k: int) -> str:
    return _NON_SPACE.match(text, k).group().rstrip(_TERMINATORS)  # type: ignore[union-attr]


def _is_sentence_final_abbrev(text: str, run_end: int) -> bool:
    """``etc.`` at the very end of a paragraph still ends the sentence (it changes nothing)."""
    return not text[run_end:].strip()
