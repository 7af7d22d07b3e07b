"""Evaluation metrics shared by the commands and benchmarks: edit distance and character error rate."""

from __future__ import annotations

from collections.abc import Iterable

from translit.compiled import load_extension

FAST = load_extension("learned._fastlm")

_FAST_EDIT = FAST.edit_distance if FAST is not None else None

__all__ = ["cer", "edit_distance"]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute all cost 1) of two strings (or sequences).

    Strings go to the compiled kernel when it is built; otherwise (and for other sequences, e.g.
    word lists) the bit-parallel algorithm of Myers (1999), in Hyyrö's formulation, runs in Python.
    """
    if _FAST_EDIT is not None and type(a) is str and type(b) is str:
        return _FAST_EDIT(a, b)
    return _edit_distance_python(a, b)


def _edit_distance_python(a: str, b: str) -> int:
    """:func:`edit_distance` in Python: one bit-parallel pass over ``b`` with integer operations."""
    if a == b:
        return 0
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return len(b)
    m = len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv = mask
    mv = 0
    score = m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) | 1
        mh <<= 1
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv & mask
    return score


def cer(hypothesis: str, references: Iterable[str]) -> float:
    """Character error rate of ``hypothesis`` against the closest of ``references``.

    The edit distance divided by the length of that reference (1.0 for an empty reference unless the
    hypothesis is empty too).
    """
    best: float | None = None
    for ref in references:
        value = edit_distance(hypothesis, ref) / len(ref) if ref else float(bool(hypothesis))
        if best is None or value < best:
            best = value
    if best is None:
        raise ValueError("cer needs at least one reference")
    return best
