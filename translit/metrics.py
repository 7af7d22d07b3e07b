"""Evaluation metrics shared by the commands and benchmarks: edit distance, character error rate of a
word, and the word and character error rates of running text (``lipyantar evaluate --hyp --ref``).

Sentence-level error rates follow the definitions of jiwer (and of speech recognition in general):

* **WER** = (S + D + I) / N over words, where S, D and I are the substitutions, deletions and insertions
  of a minimum-edit alignment of the hypothesis words with the reference words and N = S + D + H is the
  number of reference words (H: hits). The corpus WER is the total of edits over the total of reference
  words (not the mean of the per-line rates); it can exceed 1 when the hypothesis adds words.
* **CER** = the same over characters: the edit distance of the hypothesis and reference texts written
  as their words joined by single spaces (so the spaces between words count, as in jiwer), over the
  reference's characters.

Both texts are normalized first (:func:`words_of`): NFC with one nukta form and no ZWJ/ZWNJ, dandas
unified, Devanagari digits written as ASCII; ``lowercase=True`` also lowercases. The tokenization
``"words"`` (default) keeps runs of letters and combining marks and runs of digits, so punctuation is not
scored; ``"space"`` splits at white space and keeps punctuation attached, as jiwer does. The
:func:`signature` of a score names all of this, as sacrebleu's does.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import regex

from lipyantar.translit.compiled import load_extension
from lipyantar.translit.normalize import Normalizer

FAST = load_extension("learned._fastlm")

_FAST_EDIT = FAST.edit_distance if FAST is not None else None

__all__ = [
    "TOKENIZATIONS",
    "ErrorRates",
    "LineErrors",
    "cer",
    "edit_distance",
    "error_rates",
    "line_errors",
    "signature",
    "words_of",
]

Tokenization = Literal["words", "space"]
#: the tokenizations of :func:`words_of`
TOKENIZATIONS: tuple[str, ...] = ("words", "space")
_WORD = regex.compile(r"[\p{L}\p{M}]+|[0-9]+", regex.V1)
_NORMALIZE = Normalizer(digits="ascii")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute all cost 1) of two strings (or sequences).

    Strings go to the compiled kernel when it is built; otherwise (and for other sequences, e.g.
    word lists) the bit-parallel algorithm of Myers (1999), in Hyyrö's formulation, runs in Python.
    Either way time grows as ``len(a) * len(b) / 64`` (machine words or big-integer digits) and
    memory linearly.
    """
    if _FAST_EDIT is not None and type(a) is str and type(b) is str:
        return _FAST_EDIT(a, b)
    return _edit_distance_python(a, b)


def _edit_distance_python(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """:func:`edit_distance` in Python: one bit-parallel pass over ``b`` with integer operations."""
    if a == b:
        return 0
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return len(b)
    m = len(a)
    peq = _MatchVectors(a)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv = mask
    mv = 0
    score = m
    for ch in b:
        eq = peq(ch)
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


#: a symbol found this many times in the pattern keeps its match vector (see _MatchVectors)
_KEEP_VECTOR = 32


class _MatchVectors:
    """The match vectors of the bit-parallel algorithm: symbol -> an integer with bit ``i`` set where
    ``pattern[i]`` is that symbol (0 for a symbol not in it).

    A vector is as long as the pattern's last occurrence of its symbol, so keeping one per symbol
    would take quadratic memory on a long pattern of distinct symbols (a line of 20,000 different
    words: 25 MB; of 100,000: 625 MB). Only the vectors of frequent symbols (``_KEEP_VECTOR``
    occurrences or more: at most ``len(pattern) / _KEEP_VECTOR`` of them) are kept; the others are
    built when asked for, in time linear in the pattern's length.
    """

    __slots__ = ("_kept", "_nbytes", "_places")

    def __init__(self, pattern: Sequence[Hashable]) -> None:
        places: dict[Hashable, list[int]] = {}
        for i, symbol in enumerate(pattern):
            places.setdefault(symbol, []).append(i)
        self._places = places
        self._kept: dict[Hashable, int] = {}
        self._nbytes = len(pattern) // 8 + 1

    def __call__(self, symbol: Hashable) -> int:
        vector = self._kept.get(symbol)
        if vector is not None:
            return vector
        places = self._places.get(symbol)
        if places is None:
            return 0
        if len(places) == 1:
            return 1 << places[0]
        buf = bytearray(self._nbytes)
        for i in places:
            buf[i >> 3] |= 1 << (i & 7)
        vector = int.from_bytes(buf, "little")
        if len(places) >= _KEEP_VECTOR:
            self._kept[symbol] = vector
        return vector


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


# ------------------------------------------------------------------------------ sentence error rates


def words_of(text: str, *, tokenize: Tokenization = "words", lowercase: bool = False) -> list[str]:
    """The scored words of ``text``: normalized (see the module), then cut by ``tokenize``."""
    text = _NORMALIZE(text)
    if lowercase:
        text = text.lower()
    if tokenize == "words":
        return _WORD.findall(text)
    if tokenize == "space":
        return text.split()
    raise ValueError(f"tokenize must be one of {', '.join(TOKENIZATIONS)}, not {tokenize!r}")


def _word_edits(hyp: Sequence[str], ref: Sequence[str]) -> tuple[int, int, int, int]:
    """(hits, substitutions, deletions, insertions) of a minimum-edit alignment of ``hyp`` with ``ref``.

    Ties between alignments of equal cost prefer hits, then substitutions, then deletions (the order
    jiwer's back-trace uses); the total S + D + I is the edit distance either way.

    The back-trace is that of the full table of costs (:func:`_word_edits_reference`, kept for the
    tests), walked from the end; the table is never stored. Its columns (one per hypothesis word)
    are computed by the bit-parallel algorithm of :func:`_edit_distance_python` as two integers of
    ``len(ref)`` bits each (the ups and downs of the column); every ``k``-th column is kept
    (k = √len(hyp)), and the back-trace recomputes the ``k`` columns of one stretch at a time from
    the kept column before it. Time: two passes of ``len(hyp)`` big-integer steps on ``len(ref)``
    bits (n·m/64 machine words, give or take the interpreter); memory: about 2√m columns of n bits
    (a line of 20,000 words against 20,000: a few MB, where the full table took gigabytes).
    """
    if hyp == ref:
        return len(ref), 0, 0, 0
    n, m = len(ref), len(hyp)
    if not n or not m:
        return 0, 0, n, m
    peq = _MatchVectors(ref)
    mask = (1 << n) - 1

    def columns(pv: int, mv: int, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The columns start + 1 .. stop as (ups, downs), from column ``start`` (pv, mv)."""
        for j in range(start, stop):
            eq = peq(hyp[j])
            xv = eq | mv
            xh = (((eq & pv) + pv) ^ pv) | eq
            ph = ((mv | ~(xh | pv)) << 1) | 1
            mh = (pv & xh) << 1
            pv = (mh | ~(xv | ph)) & mask
            mv = ph & xv & mask
            yield pv, mv

    # column j: bit i - 1 of pv (mv) set where cost[i][j] - cost[i - 1][j] is +1 (-1); cost[0][j] = j
    step = max(1, math.isqrt(m))
    kept = [(mask, 0)]  # columns 0, step, 2 * step, ...
    for j, column in enumerate(columns(mask, 0, 0, m - 1), start=1):
        if j % step == 0:
            kept.append(column)

    def cost(column: tuple[int, int], j: int, i: int) -> int:
        """cost[i][j] from column j."""
        below = (1 << i) - 1
        return j + (column[0] & below).bit_count() - (column[1] & below).bit_count()

    def rise(column: tuple[int, int], i: int) -> int:
        """cost[i][j] - cost[i - 1][j] (i >= 1) from column j."""
        return (column[0] >> (i - 1) & 1) - (column[1] >> (i - 1) & 1)

    hits = subs = dels = ins = 0
    i, j = n, m
    while i and j:
        # the stretch of columns first .. first + step holding j (> first) and j - 1
        first = (j - 1) // step * step
        stretch = [kept[first // step], *columns(*kept[first // step], first, min(first + step, m))]
        here = stretch[j - first]
        left = stretch[j - 1 - first]
        d = cost(here, j, i)  # cost[i][j]
        dl = cost(left, j - 1, i)  # cost[i][j - 1]
        while i and j > first:
            diag = dl - rise(left, i)  # cost[i - 1][j - 1]
            same = ref[i - 1] == hyp[j - 1]
            if diag + (not same) == d:
                if same:
                    hits += 1
                else:
                    subs += 1
                i, j, d = i - 1, j - 1, diag
                if j > first:
                    here, left = left, stretch[j - 1 - first]
                    dl = cost(left, j - 1, i)
            elif d - rise(here, i) + 1 == d:
                dels += 1
                i, d, dl = i - 1, d - 1, diag
            else:
                ins += 1
                j, d = j - 1, dl
                if j > first:
                    here, left = left, stretch[j - 1 - first]
                    dl = cost(left, j - 1, i)
    return hits, subs, dels + i, ins + j


def _word_edits_reference(hyp: Sequence[str], ref: Sequence[str]) -> tuple[int, int, int, int]:
    """:func:`_word_edits` by the textbook dynamic programme and back-trace over the full table (time
    and memory ``len(hyp) * len(ref)``): the definition the fast version is tested against."""
    n, m = len(ref), len(hyp)
    rows = [list(range(m + 1))]
    for i in range(1, n + 1):
        prev, cur = rows[-1], [i] + [0] * m
        for j in range(1, m + 1):
            cur[j] = min(prev[j - 1] + (ref[i - 1] != hyp[j - 1]), prev[j] + 1, cur[j - 1] + 1)
        rows.append(cur)
    hits = subs = dels = ins = 0
    i, j = n, m
    while i or j:
        here = rows[i][j]
        if i and j and rows[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]) == here:
            if ref[i - 1] == hyp[j - 1]:
                hits += 1
            else:
                subs += 1
            i, j = i - 1, j - 1
        elif i and rows[i - 1][j] + 1 == here:
            dels += 1
            i -= 1
        else:
            ins += 1
            j -= 1
    return hits, subs, dels, ins


@dataclass(frozen=True)
class LineErrors:
    """The word and character errors of one hypothesis line against its reference line.

    ``wer`` and ``cer`` are None for an empty reference (a rate over zero words is undefined; the
    line's insertions still count in the corpus figures).
    """

    line: int
    ref_words: int
    hyp_words: int
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    ref_chars: int
    hyp_chars: int
    char_errors: int

    def __post_init__(self) -> None:
        counts = (self.ref_words, self.hyp_words, self.hits, self.substitutions, self.deletions)
        if min(*counts, self.insertions, self.ref_chars, self.hyp_chars, self.char_errors) < 0:
            raise ValueError("error counts cannot be negative")
        if self.hits + self.substitutions + self.deletions != self.ref_words:
            raise ValueError("hits + substitutions + deletions must equal the reference words")
        if self.hits + self.substitutions + self.insertions != self.hyp_words:
            raise ValueError("hits + substitutions + insertions must equal the hypothesis words")

    @property
    def word_errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float | None:
        return self.word_errors / self.ref_words if self.ref_words else None

    @property
    def cer(self) -> float | None:
        return self.char_errors / self.ref_chars if self.ref_chars else None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"line": self.line, "wer": self.wer, "cer": self.cer}
        out.update(asdict(self))
        out["word_errors"] = self.word_errors
        return out


def line_errors(
    hyp: str, ref: str, *, line: int = 1, tokenize: Tokenization = "words", lowercase: bool = False
) -> LineErrors:
    """The :class:`LineErrors` of ``hyp`` against ``ref`` (see the module for the definitions)."""
    hw = words_of(hyp, tokenize=tokenize, lowercase=lowercase)
    rw = words_of(ref, tokenize=tokenize, lowercase=lowercase)
    hits, subs, dels, ins = _word_edits(hw, rw)
    htext, rtext = " ".join(hw), " ".join(rw)
    return LineErrors(
        line, len(rw), len(hw), hits, subs, dels, ins, len(rtext), len(htext), edit_distance(htext, rtext)
    )


@dataclass(frozen=True)
class ErrorRates:
    """Corpus word and character error rates of a hypothesis file against a reference file, with the
    totals they come from, the per-line figures when asked for, and the :func:`signature`."""

    lines: int
    ref_words: int
    hyp_words: int
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    ref_chars: int
    hyp_chars: int
    char_errors: int
    signature: str
    per_line: tuple[LineErrors, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.lines < 0 or self.ref_words < 0 or self.ref_chars < 0:
            raise ValueError("counts cannot be negative")
        if self.hits + self.substitutions + self.deletions != self.ref_words:
            raise ValueError("hits + substitutions + deletions must equal the reference words")

    @property
    def word_errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """Total word edits over total reference words (0.0 for an empty reference)."""
        return self.word_errors / self.ref_words if self.ref_words else float(self.word_errors > 0)

    @property
    def cer(self) -> float:
        """Total character edits over total reference characters."""
        return self.char_errors / self.ref_chars if self.ref_chars else float(self.char_errors > 0)

    def to_dict(self, *, per_line: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "wer": {
                "score": self.wer,
                "word_errors": self.word_errors,
                "ref_words": self.ref_words,
                "hyp_words": self.hyp_words,
                "hits": self.hits,
                "substitutions": self.substitutions,
                "deletions": self.deletions,
                "insertions": self.insertions,
                "signature": f"WER|{self.signature}",
            },
            "cer": {
                "score": self.cer,
                "char_errors": self.char_errors,
                "ref_chars": self.ref_chars,
                "hyp_chars": self.hyp_chars,
                "signature": f"CER|{self.signature}",
            },
            "lines": self.lines,
            "signature": self.signature,
        }
        if per_line:
            out["per_line"] = [e.to_dict() for e in self.per_line]
        return out

    def to_text(self) -> str:
        """sacrebleu-style lines: ``WER|nrefs:1|…|version:0.1.0 = 11.72 (S 1 D 2 I 3, N 100)``."""
        return (
            f"WER|{self.signature} = {100 * self.wer:.2f} (S {self.substitutions}, D {self.deletions}, "
            f"I {self.insertions}, N {self.ref_words} words, {self.lines} lines)\n"
            f"CER|{self.signature} = {100 * self.cer:.2f} ({self.char_errors} edits, "
            f"N {self.ref_chars} characters)\n"
        )


def signature(*, tokenize: Tokenization = "words", lowercase: bool = False) -> str:
    """What a score was computed with, as sacrebleu writes it: ``nrefs:1|tok:words|norm:nfc-nukta-zw|
    digits:ascii|case:mixed|version:0.1.0``."""
    from lipyantar.translit._version import __version__

    case = "lc" if lowercase else "mixed"
    return f"nrefs:1|tok:{tokenize}|norm:nfc-nukta-zw|digits:ascii|case:{case}|version:{__version__}"


def error_rates(
    pairs: Iterable[tuple[str, str]],
    *,
    tokenize: Tokenization = "words",
    lowercase: bool = False,
    keep_lines: bool = False,
) -> ErrorRates:
    """Corpus WER and CER of (hypothesis, reference) line pairs; ``keep_lines`` keeps each line's
    :class:`LineErrors` in :attr:`ErrorRates.per_line`."""
    if tokenize not in TOKENIZATIONS:
        raise ValueError(f"tokenize must be one of {', '.join(TOKENIZATIONS)}, not {tokenize!r}")
    totals = [0] * 9
    kept: list[LineErrors] = []
    n = 0
    for n, (hyp, ref) in enumerate(pairs, start=1):
        e = line_errors(hyp, ref, line=n, tokenize=tokenize, lowercase=lowercase)
        for k, v in enumerate(_counts(e)):
            totals[k] += v
        if keep_lines:
            kept.append(e)
    ref_words, hyp_words, hits, subs, dels, ins, ref_chars, hyp_chars, char_errors = totals
    return ErrorRates(
        n, ref_words, hyp_words, hits, subs, dels, ins, ref_chars, hyp_chars, char_errors,
        signature=signature(tokenize=tokenize, lowercase=lowercase), per_line=tuple(kept),
    )


def _counts(e: LineErrors) -> Iterator[int]:
    yield from (e.ref_words, e.hyp_words, e.hits, e.substitutions, e.deletions, e.insertions)
    yield from (e.ref_chars, e.hyp_chars, e.char_errors)
