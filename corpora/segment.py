"""Splitting a document into paragraphs, lines and sentences.

Sentence segmentation is the ``align`` package's (``align.split_sentences(text, script=...)``) when it can
be imported; otherwise a simple fallback splits after ``. ! ? । ॥`` (and the Arabic ``؟ ۔``) followed by
white space. The choice is made in :func:`split_sentences` only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

__all__ = ["Span", "lines", "paragraphs", "split_sentences"]

logger = logging.getLogger(__name__)

_PARAGRAPH_BREAK = regex.compile(r"\n[ \t\f\v\u00a0]*\n\s*")
_FALLBACK_SENTENCE_END = regex.compile(r"(?<=[.!?।॥؟۔][\"'”’)\]]*)\s+|(?<=[।॥])(?=\S)")


@dataclass(frozen=True)
class Span:
    """A piece of a document: its text, its index among its kind and its first line (1-based)."""

    text: str
    index: int
    line: int

    def __post_init__(self) -> None:
        if self.index < 0 or self.line < 1:
            raise ValueError("span index must be >= 0 and line >= 1")


def paragraphs(text: str) -> list[Span]:
    """Blocks of text separated by blank lines (empty blocks dropped)."""
    out: list[Span] = []
    pos = 0
    for piece in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = piece.start() if piece is not None else len(text)
        block = text[pos:end]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            line = text.count("\n", 0, pos + lead) + 1
            out.append(Span(block.strip(), len(out), line))
        if piece is not None:
            pos = piece.end()
    return out


def lines(text: str) -> list[Span]:
    """The non-blank lines of ``text``, stripped."""
    out: list[Span] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            out.append(Span(line.strip(), len(out), number))
    return out


@lru_cache(maxsize=1)
def _align_splitter() -> Callable[..., Sequence[object]] | None:
    try:
        from align.segment import split_sentences as splitter
    except ImportError:
        logger.debug("align.split_sentences not available; using the fallback sentence splitter")
        return None
    return splitter


def _fallback_split(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(s.strip() for s in _FALLBACK_SENTENCE_END.split(line) if s.strip())
    return out


def split_sentences(text: str, *, script: str = "auto") -> list[str]:
    """The sentences of ``text`` (strings, without blank ones).

    ``script`` is ``"deva"``, ``"roman"`` or ``"auto"``, passed on to ``align.split_sentences`` when it
    is available.
    """
    if script not in ("deva", "roman", "auto"):
        raise ValueError(f"script must be 'deva', 'roman' or 'auto', not {script!r}")
    splitter = _align_splitter()
    if splitter is not None:
        try:
            found = splitter(text, script=script)
            return [t for t in (getattr(s, "text", s) for s in found) if isinstance(t, str) and t.strip()]
        except (TypeError, ValueError) as exc:  # an interface we do not know
            logger.warning("align.split_sentences failed (%s); using the fallback splitter", exc)
    return _fallback_split(text)
