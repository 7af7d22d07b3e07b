"""A script-aware tokenizer for mixed Devanagari / Latin text, built on ``regex`` Unicode properties.

Every character of the input belongs to exactly one token, so ``"".join(t.text for t in tokenize(s)) == s``
for every string ``s``. Token kinds:

========== =====================================================================
``deva``   a Devanagari word: letters with all their combining marks (matras, virama, nukta,
           anusvara, chandrabindu, visarga) and ZWJ/ZWNJ
``latin``  a Latin word, with combining diacritics and inner apostrophes (``don't``, ``ṛṣi``)
``number`` ASCII or Devanagari digits, with inner ``.``/``,``/``:`` separators (``1.5``, ``१९१९``)
``url``    ``http(s)://…`` or ``www.…``
``email``  ``name@host.tld``
``word``   a word in another script (Arabic, Cyrillic, …)
``punct``  one punctuation character (danda ``।`` and double danda ``॥`` included)
``space``  a run of whitespace
``symbol`` anything else, one character at a time
========== =====================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import regex

__all__ = ["TOKEN_KINDS", "Token", "iter_tokens", "tokenize"]

TokenKind = Literal["deva", "latin", "number", "url", "email", "word", "punct", "space", "symbol"]
TOKEN_KINDS: tuple[str, ...] = ("deva", "latin", "number", "url", "email", "word", "punct", "space", "symbol")

_DEVA_START = r"[\p{sc=Deva}--[\u0964-\u0970]]"
_DEVA_CONT = r"[\p{sc=Deva}\p{M}\u200c\u200d--[\u0964-\u0970]]"
DEVA_WORD = rf"{_DEVA_START}{_DEVA_CONT}*"
LATIN_WORD = r"\p{Latin}[\p{Latin}\p{M}]*(?:['’]\p{Latin}[\p{Latin}\p{M}]*)*"
NUMBER = r"[0-9०-९]+(?:[.,:][0-9०-९]+)*"
URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\"\.,;:!?\)\]\}'’”।॥]"
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

_REST = (
    rf"(?P<deva>{DEVA_WORD})|(?P<latin>{LATIN_WORD})"
    rf"|(?P<number>{NUMBER})|(?P<word>[\p{{L}}\p{{M}}]+)|(?P<space>\s+)|(?P<punct>\p{{P}})|(?P<symbol>.)"
)
_TOKEN = rf"(?P<url>{URL})|(?P<email>{EMAIL})|{_REST}"


def _ascii_class(plain: regex.Pattern[str], kind: str) -> str:
    """The ASCII characters that ``plain`` (the pattern of :data:`_REST`) reads as a one-character token
    of ``kind``, as a ``re`` character class."""
    chars = [c for c in map(chr, range(128)) if (m := plain.fullmatch(c)) and m.lastgroup == kind]
    return "[" + "".join(f"\\x{ord(c):02x}" for c in chars) + "]"


class _Patterns(NamedTuple):
    """The tokenizer's compiled patterns (compiled on first use: importing the module compiles none)."""

    #: every token kind
    token: regex.Pattern[str]
    #: ``token`` without the URL and e-mail alternatives, for text in which neither can match
    plain: regex.Pattern[str]
    #: ``plain`` for ASCII text, in the standard library's ``re`` (faster; the same matches: in ASCII a
    #: Latin word is letters with inner apostrophes, and there are no other-script words)
    ascii: re.Pattern[str]
    #: the three patterns without their ``space`` alternative, a ``symbol`` being any other character
    #: but white space: what is left at a white-space character is no match, so the scan passes it over
    solid_token: regex.Pattern[str]
    solid_plain: regex.Pattern[str]
    solid_ascii: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    token = regex.compile(_TOKEN, regex.V1 | regex.DOTALL)
    plain = regex.compile(_REST, regex.V1 | regex.DOTALL)
    space = _ascii_class(plain, "space")
    ascii_re = re.compile(
        r"(?P<latin>[A-Za-z]+(?:'[A-Za-z]+)*)|(?P<number>[0-9]+(?:[.,:][0-9]+)*)"
        rf"|(?P<space>{space}+)|(?P<punct>{_ascii_class(plain, 'punct')})|(?P<symbol>.)",
        re.DOTALL,
    )
    return _Patterns(
        token,
        plain,
        ascii_re,
        regex.compile(token.pattern.replace(r"|(?P<space>\s+)", "").replace("(?P<symbol>.)", r"(?P<symbol>\S)"), token.flags),
        regex.compile(plain.pattern.replace(r"|(?P<space>\s+)", "").replace("(?P<symbol>.)", r"(?P<symbol>\S)"), plain.flags),
        re.compile(
            ascii_re.pattern.replace(f"|(?P<space>{space}+)", "").replace("(?P<symbol>.)", f"(?P<symbol>[^{space[1:-1]}])"),
            re.DOTALL,
        ),
    )


def __getattr__(name: str) -> Any:
    """``TOKEN_RE``: the compiled pattern of every token kind (compiled on first use)."""
    if name == "TOKEN_RE":
        return _patterns().token
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def token_matches(text: str) -> Iterator[regex.Match[str] | re.Match[str]]:
    """The matches of ``TOKEN_RE`` over ``text`` (the token kind is ``match.lastgroup``).

    Text without ``@``, ``://`` and ``www.`` can hold no e-mail address or URL: it is scanned
    without trying them at every position, and ASCII text with the standard library's ``re`` (same
    matches, faster).
    """
    patterns = _patterns()
    if "@" in text or "://" in text or "www." in text:
        return patterns.token.finditer(text)
    if text.isascii():
        return patterns.ascii.finditer(text)
    return patterns.plain.finditer(text)


def solid_token_matches(text: str) -> Iterator[regex.Match[str] | re.Match[str]]:
    """:func:`token_matches` without the white-space tokens (the same matches otherwise), for callers
    that skip them."""
    patterns = _patterns()
    if "@" in text or "://" in text or "www." in text:
        return patterns.solid_token.finditer(text)
    if text.isascii():
        return patterns.solid_ascii.finditer(text)
    return patterns.solid_plain.finditer(text)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its text, its kind (see :data:`TOKEN_KINDS`) and its character offset in the input."""

    text: str
    kind: TokenKind
    start: int

    def __post_init__(self) -> None:
        if not self.text:
            raise ValueError("a token cannot be empty")
        if self.kind not in TOKEN_KINDS:
            raise ValueError(f"unknown token kind {self.kind!r}; valid kinds: {', '.join(TOKEN_KINDS)}")
        if self.start < 0:
            raise ValueError("token start must be >= 0")

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_word(self) -> bool:
        return self.kind in ("deva", "latin", "word")


_new = object.__new__
_set_text = Token.__dict__["text"].__set__  # the slot's descriptor
_set_kind = Token.__dict__["kind"].__set__  # the slot's descriptor
_set_start = Token.__dict__["start"].__set__  # the slot's descriptor


def iter_tokens(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text`` in order; joining their texts gives ``text`` back exactly."""
    # every match is a valid token (non-empty, a known kind, start >= 0): Token's checks are skipped
    for m in token_matches(text):
        token = _new(Token)
        _set_text(token, m.group())
        _set_kind(token, m.lastgroup)
        _set_start(token, m.start())
        yield token


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` as a list; see :func:`iter_tokens`."""
    return list(iter_tokens(text))
