"""Reading aligned (parallel) corpora for the statistics.

:func:`read_parallel` accepts three formats, told apart by their content:

* **beads as JSON lines** (``align``'s ``parallel.jsonl``, one ``lipyantar.align.Bead`` object a line, optionally
  with its word links), recognised by a first non-blank line starting with ``{``;
* **token-aligned TSV** (Dakshina's ``hi.sentences.dev.aligned.tsv``: ``deva_token<TAB>roman_token`` rows,
  a ``</s>`` row ends each sentence): gives 1-1 beads and a gold word alignment;
* **sentence TSV**: ``deva<TAB>roman`` (Dakshina's ``hi.sentences.dev.tsv``) or
  ``deva<TAB>roman<TAB>score`` (``align``'s ``parallel.tsv``); a row with one empty side is a 1-0/0-1
  bead, every other row a 1-1 bead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lipyantar.translit.errors import InputError, excerpt
from lipyantar.translit.textio import read_lines

from .loading import Document

__all__ = ["ParallelCorpus", "read_parallel"]

_END = "</s>"


@dataclass(frozen=True)
class ParallelCorpus:
    """Beads (``lipyantar.align.Bead``) read from a file, with the gold word pairs when the file had them."""

    source: str
    beads: tuple[object, ...]
    word_pairs: tuple[tuple[str, str], ...] | None = field(default=None)

    def documents(self) -> tuple[Document, Document]:
        """The Devanagari and the romanized side as two documents (one sentence a line)."""
        deva = "\n".join(b.deva_text for b in self.beads if b.deva_text)  # type: ignore[attr-defined]
        roman = "\n".join(b.roman_text for b in self.beads if b.roman_text)  # type: ignore[attr-defined]
        return Document(f"{self.source}#deva", deva), Document(f"{self.source}#roman", roman)


def read_parallel(path: str | os.PathLike[str]) -> ParallelCorpus:
    """Read an aligned corpus in one of the formats of the module docstring."""
    from lipyantar.align.io import read_jsonl
    from lipyantar.align.sentences import Bead
    from lipyantar.align.words import WordLink

    source = str(path)
    lines = list(read_lines(path))
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        raise InputError("empty parallel corpus", source=source)
    if first.lstrip().startswith("{"):
        return ParallelCorpus(source, tuple(read_jsonl(lines, source=source)))
    beads: list[Bead] = []
    if any(ln.split("\t", 1)[0] == _END for ln in lines):
        pairs: list[tuple[str, str]] = []
        deva: list[str] = []
        roman: list[str] = []
        for number, line in enumerate([*lines, f"{_END}\t{_END}"], start=1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise InputError("expected deva_token<TAB>roman_token", source=source, line=number)
            if parts[0] == _END:
                if deva or roman:
                    i = len(beads)
                    links = tuple(WordLink(d, r, 1.0) for d, r in zip(deva, roman, strict=True) if d and r)
                    beads.append(Bead((i,), (i,), " ".join(deva), " ".join(roman), 1.0, links))
                deva, roman = [], []
                continue
            deva.append(parts[0])
            roman.append(parts[1])
            pairs.append((parts[0], parts[1]))
        return ParallelCorpus(source, tuple(beads), tuple(pairs))
    i = j = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) not in (2, 3):
            raise InputError(
                f"expected deva<TAB>roman[<TAB>score], found {len(parts)} fields", source=source, line=number
            )
        d, r = parts[0].strip(), parts[1].strip()
        if not d and not r:
            continue
        score = 1.0
        if len(parts) == 3:
            try:
                score = min(1.0, max(0.0, float(parts[2])))
            except ValueError:
                raise InputError(f"score is not a number: {excerpt(parts[2])}", source=source, line=number) from None
        beads.append(Bead((i,) if d else (), (j,) if r else (), d, r, score))
        i += bool(d)
        j += bool(r)
    return ParallelCorpus(source, tuple(beads))
