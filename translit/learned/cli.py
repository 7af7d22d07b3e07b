"""Measuring a learned model on a lexicon: :func:`evaluate`, what ``lipyantar evaluate LEXICON`` runs
(the command itself is in :mod:`lipyantar.align.cli`, since it also scores alignments, as ``lipyantar learn`` is,
since learning from a twin aligns it first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.metrics import edit_distance

__all__ = ["EvalResult", "evaluate"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalResult:
    """Word-level accuracy of a model on a lexicon."""

    direction: str
    words: int
    top1: float
    top5: float
    cer: float
    words_per_second: float


def evaluate(
    model: LearnedModel,
    pairs: Sequence[tuple[str, str, float]],
    *,
    direction: str,
    progress: Callable[[int, int], None] | None = None,
) -> EvalResult:
    """Top-1 / top-5 accuracy and character error rate of ``model`` on lexicon ``pairs``.

    ``roman2deva``: each row is one test item; correct when the output is the native word. Top-1
    and CER are of the single best output (:meth:`LearnedModel.devanagarize`, the single-best
    search), top-5 of :meth:`LearnedModel.devanagarize_topk` with ``k=5``.
    ``deva2roman``: each distinct native word is one item; correct when the output equals any
    attested romanization (case-insensitive); CER is against the closest attested one.
    ``progress(done, total)`` is called after each item.
    """
    if direction not in ("roman2deva", "deva2roman"):
        raise ValueError(f"direction must be roman2deva or deva2roman, not {direction!r}")
    top1 = top5 = 0
    errors = chars = 0
    start = time.perf_counter()
    if direction == "roman2deva":
        items = [(normalize_roman(r), normalize_deva(d)) for d, r, _ in pairs]
        for done, (roman, gold) in enumerate(items, start=1):
            outs = [d for d, _ in model.devanagarize_topk(roman, 5)]
            best = model.devanagarize(roman)
            top1 += best == gold
            top5 += gold in outs
            errors += edit_distance(best, gold)
            chars += len(gold)
            if progress:
                progress(done, len(items))
        n = len(items)
    else:
        attested: dict[str, set[str]] = {}
        for d, r, _ in pairs:
            attested.setdefault(normalize_deva(d), set()).add(r.lower())
        for done, (deva, golds) in enumerate(attested.items(), start=1):
            outs = [r for r, _ in model.romanize_topk(deva, 5)]
            best = outs[0] if outs else ""
            top1 += best in golds
            top5 += any(o in golds for o in outs)
            dist, ref = min((edit_distance(best, g), len(g)) for g in golds)
            errors += dist
            chars += ref
            if progress:
                progress(done, len(attested))
        n = len(attested)
    elapsed = time.perf_counter() - start
    return EvalResult(
        direction=direction,
        words=n,
        top1=top1 / n if n else 0.0,
        top5=top5 / n if n else 0.0,
        cer=errors / chars if chars else 0.0,
        words_per_second=n / elapsed if elapsed > 0 else 0.0,
    )
