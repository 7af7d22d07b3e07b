"""Which scheme is a text written in? ``--from auto`` and ``Transliterator("auto", …)``.

:func:`detect_scheme` decides, in this order:

1. **Devanagari** (``deva``) when most of the letters are Devanagari;
2. **IAST** or **ISO 15919** when at least one Latin word in ten carries their diacritics (ā ī ū ṛ ṭ ḍ ṇ
   ś ṣ ṃ ḥ …); ISO when it has the marks only ISO uses (ē ō ṁ r̥ l̥), as sanscript's ``detect`` does;
3. a **standard ASCII scheme** (ITRANS, Harvard-Kyoto, Velthuis, SLP1, WX, OPTITRANS) when at least one
   Latin word in ten shows their marks: a capital inside a word (``saMgaThana``, ``rAma``; not
   ``Bharat``, ``IOM`` or ``WhatsApp``-rare cases enough to matter) or ``.t ~n ^ "s {}`` inside a word.
   Which one: each candidate scheme reads the text's words into Devanagari, and the scheme whose
   readings are most often words of Hindi (the vocabulary of the shipped learned model, loaded for
   this) wins. Close schemes (ITRANS and OPTITRANS, ITRANS and HK) differ in few letters, so a short text
   can be ambiguous: give the scheme to be sure. (sanscript's ``detect``, tried first, names ITRANS
   for most informal romanized Hindi and SLP1 for WX, so it only breaks ties here.)
4. otherwise **informal romanization** (``roman``, the learned model).

Only the first :data:`SAMPLE_CHARS` characters are looked at.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import regex

from .errors import excerpt
from .schemes import SCHEMES

__all__ = ["AUTO", "SAMPLE_CHARS", "SchemeGuess", "detect_scheme"]

#: the pseudo-scheme name that asks for detection
AUTO = "auto"
#: how much of a text :func:`detect_scheme` reads
SAMPLE_CHARS = 200_000
#: the share of Latin words with a scheme's marks from which it is that scheme
MIN_MARKED_SHARE = 0.1

_ASCII_SCHEMES = ("hk", "itrans", "optitrans", "velthuis", "slp1", "wx")
_DEVA_LETTER = regex.compile(r"[\p{sc=Deva}&&[\p{L}\p{M}]]", regex.V1)
_LATIN_LETTER = regex.compile(r"\p{Latin}")
_LATIN_WORD = regex.compile(r"[\p{L}\p{M}.~^\"{}'0-9]*\p{Latin}[\p{L}\p{M}.~^\"{}'0-9]*", regex.V1)
_IAST_ISO = frozenset("āīūṛṝḷḹēōṃḥṅñṭḍṇśṣṁĀĪŪṚṜḶḸĒŌṂḤṄÑṬḌṆŚṢṀ\u0325")
_ISO_ONLY = frozenset("ēōṁĒŌṀ\u0325")
_ASCII_MARK = regex.compile(r'[.~^"{}]\p{L}|\p{L}[.~^"{}]\p{L}|\p{L}[0-3](?![0-9])')


@dataclass(frozen=True)
class SchemeGuess:
    """The scheme :func:`detect_scheme` chose and why (``reason``: one phrase for a person)."""

    scheme: str
    reason: str

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {self.scheme!r}")

    def to_dict(self) -> dict[str, str]:
        return {"scheme": self.scheme, "reason": self.reason}


def _has_ascii_marks(word: str) -> bool:
    if _ASCII_MARK.search(word):
        return True
    letters = "".join(ch for ch in word if ch.isalpha())
    if len(letters) < 2 or letters.islower() or letters.isupper():
        return False
    return not (letters[0].isupper() and letters[1:].islower())  # Titlecase is ordinary writing


@lru_cache(maxsize=1)
def _hindi_words() -> frozenset[str]:
    from .learned.model import default_model

    return frozenset(default_model().wordlm.ids)


def _reader(name: str) -> Callable[[str], str]:
    """A word in scheme ``name`` → Devanagari (indic-transliteration's reading, NFC), for scoring only."""
    from indic_transliteration import sanscript

    source = SCHEMES[name].sanscript or name

    def read(word: str) -> str:
        return unicodedata.normalize("NFC", sanscript.transliterate(word, source, sanscript.DEVANAGARI))

    return read


def _best_ascii_scheme(words: Counter[str]) -> tuple[str, dict[str, int]]:
    from indic_transliteration import detect as sanscript_detect

    known = _hindi_words()
    scores: dict[str, int] = {}
    for name in _ASCII_SCHEMES:
        read = _reader(name)
        scores[name] = sum(n for w, n in words.items() if read(w) in known)
    hint = str(sanscript_detect.detect(" ".join(words))).lower()
    best = max(_ASCII_SCHEMES, key=lambda s: (scores[s], s == hint))
    return best, scores


def detect_scheme(text: str) -> SchemeGuess:
    """Guess the scheme ``text`` is written in (see the module for how); never raises."""
    text = unicodedata.normalize("NFC", text[:SAMPLE_CHARS])
    deva = len(_DEVA_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if not deva and not latin:
        return SchemeGuess("deva", "no letters to tell a scheme by; read as Devanagari")
    if deva >= latin:
        return SchemeGuess("deva", f"{100 * deva / (deva + latin):.0f}% of the letters are Devanagari")
    words = [w.strip(".'\"") for w in _LATIN_WORD.findall(text)]
    words = [w for w in words if w]
    n = len(words) or 1
    diacritics = [w for w in words if _IAST_ISO.intersection(w)]
    if len(diacritics) >= MIN_MARKED_SHARE * n:
        iso = any(_ISO_ONLY.intersection(w) for w in diacritics)
        name = "iso" if iso else "iast"
        marks = "".join(sorted({ch for w in diacritics for ch in w if ch in _IAST_ISO}))[:8]
        return SchemeGuess(
            name,
            f"{len(diacritics)} of {len(words)} Latin words carry {'ISO 15919' if iso else 'IAST'} "
            f"diacritics ({marks.replace(chr(0x325), 'r̥')})",
        )
    marked = [w for w in words if _has_ascii_marks(w)]
    if len(marked) >= MIN_MARKED_SHARE * n:
        best, scores = _best_ascii_scheme(Counter(words))
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        runner = ranked[1] if ranked[0][0] == best else ranked[0]
        return SchemeGuess(
            best,
            f"{len(marked)} of {len(words)} Latin words have the marks of a standard ASCII scheme "
            f"(e.g. {excerpt(marked[0], limit=40)}); read as {best}, {scores[best]} words are Hindi words "
            f"({runner[0]}: {runner[1]})",
        )
    return SchemeGuess(
        "roman",
        f"Latin letters without the marks of a standard scheme ({len(marked)} of {len(words)} words): "
        "informal romanization",
    )
