"""Scoring a sentence alignment against a gold one (``lipyantar evaluate --beads GOLD --hyp HYP``).

A bead is the pair of sentence-number sets it links (``{"deva": [3, 4], "roman": [3]}``), within its
document (``doc_id`` in ``parallel.jsonl``; one unnamed document for ``align`` output; when each side
holds one document they are matched whatever their ids, see :func:`bead_scores`). A predicted
bead is correct when the gold alignment has exactly the same bead; precision is the share of predicted
beads that are correct, recall the share of gold beads predicted, F1 their harmonic mean. Every bead
counts, the 1-0 and 0-1 beads (a sentence without a partner) included, as in the sentence-alignment
literature (Gale and Church 1993; Moore 2002).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from lipyantar.translit.errors import InputError
from lipyantar.translit.textio import read_lines

from .io import bead_from_dict, json_line

__all__ = ["BeadKey", "BeadScores", "bead_scores", "read_bead_keys"]

#: (document, Devanagari sentence numbers, romanized sentence numbers)
BeadKey = tuple[str, tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class BeadScores:
    """Bead precision / recall / F1 and the counts they come from."""

    hyp_beads: int
    gold_beads: int
    correct: int
    signature: str

    def __post_init__(self) -> None:
        if min(self.hyp_beads, self.gold_beads, self.correct) < 0:
            raise ValueError("counts cannot be negative")
        if self.correct > min(self.hyp_beads, self.gold_beads):
            raise ValueError("more correct beads than predicted or gold ones")

    @property
    def precision(self) -> float:
        return self.correct / self.hyp_beads if self.hyp_beads else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_beads if self.gold_beads else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "correct": self.correct,
            "hyp_beads": self.hyp_beads,
            "gold_beads": self.gold_beads,
            "signature": f"BEADS|{self.signature}",
        }

    def to_text(self) -> str:
        return (
            f"BEADS|{self.signature} = P {100 * self.precision:.2f} R {100 * self.recall:.2f} "
            f"F1 {100 * self.f1:.2f} ({self.correct} correct of {self.hyp_beads} predicted, "
            f"{self.gold_beads} gold)\n"
        )


def _signature() -> str:
    from lipyantar.translit._version import __version__

    return f"match:exact|empty:yes|version:{__version__}"


def bead_scores(hyp: Iterable[BeadKey], gold: Iterable[BeadKey]) -> BeadScores:
    """Score predicted beads against gold beads (each a :data:`BeadKey`; repeats count once).

    Beads are matched within their document. When each side holds one document, the two are the same
    document whatever their ids (``align`` output has none, a ``build``'s ``parallel.jsonl`` names its
    twin pair). Sides with more documents are matched by id; when they have no document in common,
    :class:`InputError` says so (nothing would match: every score would be 0).
    """
    h = {_canonical(k) for k in hyp}
    g = {_canonical(k) for k in gold}
    h_docs, g_docs = {k[0] for k in h}, {k[0] for k in g}
    if h_docs and g_docs and not h_docs & g_docs:
        if len(h_docs) == 1 and len(g_docs) == 1:  # one document each: the same one
            (doc,) = g_docs
            h = {(doc, deva, roman) for _, deva, roman in h}
        else:
            raise InputError(
                f"the hypothesis and the gold beads have no document in common (hypothesis: "
                f"{_documents(h_docs)}; gold: {_documents(g_docs)}): beads are matched within a document "
                "by its doc_id; keep the lines of one document on each side, or give both the same doc_id"
            )
    return BeadScores(len(h), len(g), len(h & g), _signature())


def _documents(docs: set[str], shown: int = 3) -> str:
    names = sorted(repr(d) if d else "one without doc_id" for d in docs)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{len(names)} document(s): {', '.join(names[:shown])}{more}"


def _canonical(key: BeadKey) -> BeadKey:
    doc, deva, roman = key
    return doc, tuple(sorted(deva)), tuple(sorted(roman))


def read_bead_keys(path: str | os.PathLike[str]) -> list[BeadKey]:
    """The beads of a JSONL file written by ``lipyantar align --format jsonl`` or ``build``
    (``parallel.jsonl``: its ``doc_id`` names the document); ``"-"`` reads stdin.

    Raises :class:`InputError` (file and line) for a line that is not a bead.
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    keys: list[BeadKey] = []
    for lineno, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            obj = json_line(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON ({exc.msg}); expected the JSONL beads of 'lipyantar align' or 'build'",
                source=source,
                line=lineno,
            ) from None
        if isinstance(obj, dict):  # the texts and the score are not needed to score a bead
            obj = {"deva_text": "", "roman_text": "", "score": 0.0, **obj}
        bead = bead_from_dict(obj, source=source, line=lineno)  # checks the sentence numbers
        doc = obj.get("doc_id", "")
        keys.append((str(doc), bead.deva, bead.roman))
    return keys
