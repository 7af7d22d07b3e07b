"""Splitting a document into paragraphs and lines, each with its first line number (for statistics and
detection); sentences are split by the aligner's splitter, :func:`lipyantar.align.split_sentences`.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

__all__ = ["Span", "lines", "paragraphs"]

_PARAGRAPH_BREAK = regex.compile(r"\n[ \t\f\v\u00a0]*\n\s*")


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
    # line numbers counted on from the previous paragraph's start (linear in the text, not quadratic)
    counted, line = 0, 1
    for piece in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = piece.start() if piece is not None else len(text)
        block = text[pos:end]
        if block.strip():
            lead = len(block) - len(block.lstrip())
            line += text.count("\n", counted, pos + lead)
            counted = pos + lead
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
