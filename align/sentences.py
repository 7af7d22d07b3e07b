"""Sentence alignment of a Devanagari document with its romanized twin.

The aligner is a dynamic program over *beads* (1-1, 1-0, 0-1, 2-1, 1-2, 2-2 and, with a larger
``max_bead``, more) whose cost adds

* a bead prior (1-1 is by far the most common bead),
* a Gale-Church length term on consonant-skeleton lengths (both sides are compared in Latin
  letters, so the expected length ratio is close to 1; it is learnt along the way from confident
  beads), with a variance that also allows a few percent of systematic difference,
* transliteration similarity: ``weight * (1 - Dice)`` of the skeleton bigram sets,
* anchors: numbers on both sides that disagree, and beads that cross a paragraph boundary, are
  penalized.

Search is *anchored* so that time and memory are linear in the document length: the aligner walks
along the documents accepting confident 1-1 beads (high similarity, plausible lengths, and no
2-1 / 1-2 bead around them that explains the text better). Where that fails it looks for the
nearest point where two consecutive confident 1-1 beads resynchronize the documents (within
``window`` sentences) and runs the full dynamic program on the small rectangle in between. Far
apart documents (no anchor at all) are aligned block by block. Sentence features are computed a
block of sentences at a time (one batched pass) and dropped once the walk has passed them.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import attrgetter, or_

from .segment import Sentence
from .similarity import Romanizer, Similarity, resolve_similarity
from .words import WordLink

__all__ = ["TWIN_THRESHOLD", "Bead", "align_sentences", "document_score", "iter_align_sentences"]

logger = logging.getLogger(__name__)

#: a document score below this means the two documents are probably not twins
TWIN_THRESHOLD = 0.5

_ANCHOR_DICE = 0.5
_ANCHOR_DELTA = 3.5
_MAX_LENGTH_COST = 30.0
#: cost of each extra sentence in a bead (-log of the prior odds of 2-1 against 1-1)
_MERGE_PRIOR = 2.3
#: weight (in skeleton letters) of the prior ratio 1 in the running length ratio
_RATIO_PRIOR = 500
#: length differences grow with the length, and a little faster than Gale-Church's sqrt law:
#: romanizers differ systematically (about this share of the length)
_SYSTEMATIC = 0.03
_EMPTY: frozenset[str] = frozenset()
_SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True, slots=True)
class Bead:
    """One bead: 0-based sentence numbers on each side, their texts (joined by a space) and a score.

    ``score`` in [0, 1] is the transliteration similarity of the two sides (0 for 1-0 / 0-1 beads).
    ``words`` is the word alignment of the bead when it was asked for.
    """

    deva: tuple[int, ...]
    roman: tuple[int, ...]
    deva_text: str
    roman_text: str
    score: float
    words: tuple[WordLink, ...] | None = None

    def __post_init__(self) -> None:
        for name, index in (("deva", self.deva), ("roman", self.roman)):
            if type(index) is not tuple:
                raise ValueError(f"Bead.{name} must be a tuple of sentence numbers, not {index!r}")
            if index:
                first = index[0]
                if type(first) is not int or first < 0 or index != tuple(range(first, first + len(index))):
                    raise ValueError(f"Bead.{name} must be consecutive sentence numbers >= 0, not {index!r}")
        if not self.deva and not self.roman:
            raise ValueError("Bead must contain at least one sentence")
        if not isinstance(self.deva_text, str) or not isinstance(self.roman_text, str):
            raise TypeError("Bead.deva_text and Bead.roman_text must be str")
        if not self.deva and self.deva_text:
            raise ValueError("Bead.deva_text must be empty when Bead.deva is empty")
        if not self.roman and self.roman_text:
            raise ValueError("Bead.roman_text must be empty when Bead.roman is empty")
        if isinstance(self.score, bool) or not isinstance(self.score, (int, float)):
            raise TypeError("Bead.score must be a number")
        if not (math.isfinite(self.score) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"Bead.score must be in [0, 1], not {self.score!r}")
        if self.words is not None and not (
            isinstance(self.words, tuple) and all(isinstance(w, WordLink) for w in self.words)
        ):
            raise TypeError("Bead.words must be None or a tuple of WordLink")

    @property
    def kind(self) -> str:
        """The bead type, ``"<deva sentences>-<roman sentences>"``: ``"1-1"``, ``"2-1"``, ``"0-1"`` ..."""
        return f"{len(self.deva)}-{len(self.roman)}"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # pickled as its fields (``build``'s workers send beads back by the thousand): less than half the
        # time of a slotted dataclass's state, which is set again field by field
        return _restore_bead, (self.deva, self.roman, self.deva_text, self.roman_text, self.score, self.words)


def _restore_bead(
    deva: tuple[int, ...],
    roman: tuple[int, ...],
    deva_text: str,
    roman_text: str,
    score: float,
    words: tuple[WordLink, ...] | None,
) -> Bead:
    """A :class:`Bead` from its ``__reduce__`` (a bead that was made, so valid: not checked again)."""
    bead = object.__new__(Bead)
    put = object.__setattr__  # (frozen)
    put(bead, "deva", deva)
    put(bead, "roman", roman)
    put(bead, "deva_text", deva_text)
    put(bead, "roman_text", roman_text)
    put(bead, "score", score)
    put(bead, "words", words)
    return bead


def document_score(beads: Sequence[Bead]) -> float:
    """Document-level score in [0, 1]: bead scores weighted by their number of sentences.

    Twins score high (about 0.9 for the Dakshina sentences); unrelated documents stay near or below
    0.3. Compare with :data:`TWIN_THRESHOLD`. An empty alignment scores 0.
    """
    total = 0
    weighted = 0.0
    for bead in beads:
        size = len(bead.deva) + len(bead.roman)
        total += size
        weighted += bead.score * size
    return weighted / total if total else 0.0


def align_sentences(
    deva_sentences: Sequence[str | Sentence],
    roman_sentences: Sequence[str | Sentence],
    *,
    romanize: Romanizer | None = None,
    similarity: Similarity | None = None,
    max_bead: int = 2,
    window: int = 24,
    similarity_weight: float = 10.0,
    skip_cost: float = 5.0,
    length_variance: float = 0.25,
    length_ratio: float | None = None,
) -> list[Bead]:
    """Align two sentence lists (document order) into beads; see :func:`iter_align_sentences`."""
    return list(
        iter_align_sentences(
            deva_sentences,
            roman_sentences,
            romanize=romanize,
            similarity=similarity,
            max_bead=max_bead,
            window=window,
            similarity_weight=similarity_weight,
            skip_cost=skip_cost,
            length_variance=length_variance,
            length_ratio=length_ratio,
        )
    )


def iter_align_sentences(
    deva_sentences: Sequence[str | Sentence],
    roman_sentences: Sequence[str | Sentence],
    *,
    romanize: Romanizer | None = None,
    similarity: Similarity | None = None,
    max_bead: int = 2,
    window: int = 24,
    similarity_weight: float = 10.0,
    skip_cost: float = 5.0,
    length_variance: float = 0.25,
    length_ratio: float | None = None,
) -> Iterator[Bead]:
    """Yield the beads aligning ``deva_sentences`` with ``roman_sentences``, in document order.

    Sentences are strings or :class:`~lipyantar.align.segment.Sentence` objects (whose paragraph numbers are
    then used: beads do not merge sentences across a paragraph break). Options:

    * ``romanize``: Devanagari word -> Latin letters (default :func:`lipyantar.translit.rules.romanize_word`),
      or a ready ``similarity`` object (shares its caches);
    * ``max_bead``: most sentences on one side of a bead (2 gives 1-1, 1-0, 0-1, 2-1, 1-2, 2-2);
    * ``window``: how far (in sentences) to look for a resynchronization point;
    * ``similarity_weight``, ``skip_cost``, ``length_variance``, ``length_ratio`` (roman / deva
      skeleton length; estimated from the documents when None): the cost model.
    """
    if not isinstance(deva_sentences, Sequence) or isinstance(deva_sentences, str):
        deva_sentences = _as_list(deva_sentences, "deva_sentences")
    if not isinstance(roman_sentences, Sequence) or isinstance(roman_sentences, str):
        roman_sentences = _as_list(roman_sentences, "roman_sentences")
    if not isinstance(max_bead, int) or max_bead < 1:
        raise ValueError(f"max_bead must be an int >= 1, not {max_bead!r}")
    if not isinstance(window, int) or window < 2:
        raise ValueError(f"window must be an int >= 2, not {window!r}")
    for name, value in (
        ("similarity_weight", similarity_weight),
        ("skip_cost", skip_cost),
        ("length_variance", length_variance),
    ):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, not {value!r}")
    if length_ratio is not None and not (math.isfinite(length_ratio) and length_ratio > 0):
        raise ValueError(f"length_ratio must be a positive number, not {length_ratio!r}")
    sim = resolve_similarity(similarity, romanize)
    aligner = _Aligner(
        _Side(deva_sentences, sim),
        _Side(roman_sentences, sim),
        max_bead=max_bead,
        window=window,
        weight=float(similarity_weight),
        skip=float(skip_cost),
        variance=float(length_variance),
        ratio=length_ratio,
    )
    yield from aligner.run()


_text_of = attrgetter("text")
_paragraph_of = attrgetter("paragraph")

#: sentence features are computed this many sentences at a time (and forgotten about as many behind)
_BLOCK = 1024


class _Side:
    """One document: its sentences, and the features of a sliding window of them.

    ``texts``, ``bits`` (skeleton bigram bit sets), ``sizes`` (their popcounts), ``lens`` (skeleton
    lengths) and ``nums`` (numbers) hold sentences ``base`` to ``end - 1``. :meth:`ensure` computes
    them a block at a time (one batched :meth:`Similarity.features_many` call) and :meth:`forget`
    drops the sentences the walk has passed, so memory stays flat however long the documents are.
    """

    def __init__(self, sentences: Sequence[str | Sentence], sim: Similarity) -> None:
        self.sentences = sentences
        self.sim = sim
        self.n = len(sentences)
        self.base = 0
        self.end = 0
        self.texts: list[str] = []
        self.bits: list[int] = []
        self.sizes: list[int] = []
        self.lens: list[int] = []
        self.nums: list[frozenset[str]] = []
        self.paras: list[int | None] = []

    def ensure(self, hi: int) -> None:
        """Compute the features of every sentence below ``hi`` (and of at least a block more)."""
        if hi <= self.end or self.end >= self.n:
            return
        stop = min(self.n, max(hi, self.end + _BLOCK))
        sentences = self.sentences
        if isinstance(sentences, (list, tuple)):
            chunk = sentences[self.end : stop]
        else:
            chunk = [sentences[k] for k in range(self.end, stop)]
        kinds = set(map(type, chunk))
        if kinds == {Sentence}:
            texts = list(map(_text_of, chunk))
            self.paras += map(_paragraph_of, chunk)
        elif kinds == {str}:
            texts = list(chunk)
            self.paras += [None] * len(chunk)
        else:  # a mix, subclasses or wrong types
            texts = []
            for s in chunk:
                if isinstance(s, Sentence):
                    texts.append(s.text)
                    self.paras.append(s.paragraph)
                elif isinstance(s, str):
                    texts.append(s)
                    self.paras.append(None)
                else:
                    raise TypeError(f"sentences must be str or Sentence, not {type(s).__name__}")
        bits, lens, nums = self.sim.features_many(texts)
        self.texts += texts
        self.bits += bits
        self.sizes += map(int.bit_count, bits)
        self.lens += lens
        self.nums += nums
        self.end = stop

    def forget(self, below: int) -> None:
        """Drop the features of the sentences below ``below`` (when there are a block of them)."""
        cut = below - self.base
        if cut > _BLOCK:
            for values in (self.texts, self.paras, self.bits, self.sizes, self.lens, self.nums):
                del values[:cut]
            self.base = below


class _Aligner:
    def __init__(
        self,
        deva: _Side,
        roman: _Side,
        *,
        max_bead: int,
        window: int,
        weight: float,
        skip: float,
        variance: float,
        ratio: float | None,
    ) -> None:
        self.d = deva
        self.r = roman
        self.max_bead = max_bead
        self.window = window
        self.weight = weight
        self.skip = skip
        self.variance = variance
        # expected roman / deva skeleton length: fixed when given, else learnt from confident 1-1 beads
        # (starting from 1, as both sides are compared in Latin letters)
        self.ratio = ratio if ratio is not None else 1.0
        self._adapt = ratio is None
        self._sum_d = self._sum_r = float(_RATIO_PRIOR)
        self.types = [(1, 0), (0, 1)] + [
            (k, kr) for k in range(1, max_bead + 1) for kr in range(1, max_bead + 1)
        ]
        # the merged bead types (after 1-0, 0-1, 1-1 in self.types) with their prior cost
        self._merges = [(k, kr, _MERGE_PRIOR * (k + kr - 2)) for k, kr in self.types[3:]]
        self._anchor_cache: dict[tuple[int, int, bool, bool], float | None] = {}

    # -- cost model ------------------------------------------------------------------------
    # Features are read from the sides' windows (index - base); the caller has made sure that the
    # sentences are in them (run() keeps a look-ahead of a window and a bead, _dp() asks for its own).

    def bead(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float, float]:
        """(cost, score, length delta) of the bead deva[i0:i1] <-> roman[j0:j1]."""
        k = i1 - i0
        kr = j1 - j0
        if k == 0 or kr == 0:
            return self.skip * (k + kr), 0.0, 0.0
        d, r = self.d, self.r
        x = i0 - d.base
        y = j0 - r.base
        if k == 1:
            gd = d.bits[x]
            ld = d.lens[x]
            nd = d.nums[x]
        else:
            gd = reduce(or_, d.bits[x : x + k])
            ld = sum(d.lens[x : x + k])
            nd = _EMPTY.union(*d.nums[x : x + k])
        if kr == 1:
            gr = r.bits[y]
            lr = r.lens[y]
            nr = r.nums[y]
        else:
            gr = reduce(or_, r.bits[y : y + kr])
            lr = sum(r.lens[y : y + kr])
            nr = _EMPTY.union(*r.nums[y : y + kr])
        total = gd.bit_count() + gr.bit_count()
        dice = 2.0 * (gd & gr).bit_count() / total if total else 0.0
        expected = ld * self.ratio
        mean = (expected + lr) / 2.0
        delta = (lr - expected) / math.sqrt(self.variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
        cost = self.weight * (1.0 - dice) + _length_cost(abs(delta))
        if k + kr > 2:
            weight = self.weight
            cost += _MERGE_PRIOR * (k + kr - 2)
            # every sentence of a merged side must be found on the other side (a short sentence
            # deleted on the other side would otherwise hide in a neighbour's bead)
            if k > 1:
                for g, size in zip(d.bits[x : x + k], d.sizes[x : x + k], strict=True):
                    if size:
                        cost += weight * (1.0 - (g & gr).bit_count() / size)
            if kr > 1:
                for g, size in zip(r.bits[y : y + kr], r.sizes[y : y + kr], strict=True):
                    if size:
                        cost += weight * (1.0 - (g & gd).bit_count() / size)
            if k > 1 and _crosses(d, i0, i1):
                cost += self.skip
            if kr > 1 and _crosses(r, j0, j1):
                cost += self.skip
        if nd and nr and nd != nr:
            cost += 4.0 * len(nd ^ nr) / len(nd | nr)
        return cost, dice, delta

    def anchor(self, i: int, j: int, back_i: bool, back_j: bool) -> float | None:
        """The score of deva[i] <-> roman[j] if it is a confident 1-1 bead, else None.

        Confident: similar enough, plausible lengths, and no bead joining a neighbour (after it, or
        before it when ``back_i`` / ``back_j`` allow) explains the text better.
        """
        key = (i, j, back_i, back_j)
        if key in self._anchor_cache:
            return self._anchor_cache[key]
        result = self._anchor(i, j, back_i, back_j)
        if len(self._anchor_cache) > 8192:
            self._anchor_cache.clear()
        self._anchor_cache[key] = result
        return result

    def _anchor(self, i: int, j: int, back_i: bool, back_j: bool) -> float | None:
        d, r = self.d, self.r
        n, m = d.n, r.n
        if i >= n or j >= m:
            return None
        x = i - d.base
        y = j - r.base
        total = d.sizes[x] + r.sizes[y]
        dice = 2.0 * (d.bits[x] & r.bits[y]).bit_count() / total if total else 0.0
        if dice < _ANCHOR_DICE:
            return None
        ratio, variance = self.ratio, self.variance
        dlens, rlens = d.lens, r.lens
        ld = dlens[x]
        lr = rlens[y]
        # _delta(ld * ratio, lr, variance), inline: this is the aligner's hottest line
        sqrt = math.sqrt
        expected = ld * ratio
        mean = (expected + lr) / 2.0
        delta = (lr - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
        z = abs(delta)
        if z > _ANCHOR_DELTA:
            return None
        # _length_cost(z), inline: z <= _ANCHOR_DELTA, far from the cap and the asymptotic form
        cost = self.weight * (1.0 - dice) + -math.log(math.erfc(z / _SQRT2))
        nd = d.nums[x]
        if nd:
            nr = r.nums[y]
            if nr and nd != nr:
                cost += 4.0 * len(nd ^ nr) / len(nd | nr)
        # a bead joining a neighbour must beat this 1-1 bead plus dropping that neighbour
        limit = cost + self.skip
        bead = self.bead
        for k in range(2, self.max_bead + 1):
            # cheap lower bound first: prior + length cost, using -log P(|Z| > z) >= z^2 / 2
            budget = 2.0 * (limit - _MERGE_PRIOR * (k - 1))
            if budget <= 0:
                break
            if i + k <= n:
                # _delta(length * ratio, lr, variance), inline
                length = ld + (dlens[x + 1] if k == 2 else sum(dlens[x + 1 : x + k]))
                expected = length * ratio
                mean = (expected + lr) / 2.0
                z = (lr - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
                if z**2 < budget and bead(i, i + k, j, j + 1)[0] < limit:
                    return None
            if j + k <= m:
                # _delta(ld * ratio, length, variance), inline
                length = lr + (rlens[y + 1] if k == 2 else sum(rlens[y + 1 : y + k]))
                expected = ld * ratio
                mean = (expected + length) / 2.0
                z = (length - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
                if z**2 < budget and bead(i, i + 1, j, j + k)[0] < limit:
                    return None
            if back_i and i - k + 1 >= 0:
                length = ld + sum(dlens[x - k + 1 : x])
                if (
                    _delta(length * ratio, lr, variance) ** 2 < budget
                    and bead(i - k + 1, i + 1, j, j + 1)[0] < limit
                ):
                    return None
            if back_j and j - k + 1 >= 0:
                length = lr + sum(rlens[y - k + 1 : y])
                if (
                    _delta(ld * ratio, length, variance) ** 2 < budget
                    and bead(i, i + 1, j - k + 1, j + 1)[0] < limit
                ):
                    return None
        return dice

    # -- search ----------------------------------------------------------------------------

    def run(self) -> Iterator[Bead]:
        d, r = self.d, self.r
        n, m = d.n, r.n
        # features needed ahead of (i, j): a resynchronization window plus a bead; and behind it
        # (anchors may look back a bead)
        ahead = self.window + self.max_bead + 2
        behind = self.max_bead + 8
        anchor = self._anchor
        make = self._make
        adapt = self._adapt
        # the sides' feature lists are extended and trimmed in place: the same objects throughout
        dbits, dsizes, dlens, dnums = d.bits, d.sizes, d.lens, d.nums
        rbits, rsizes, rlens, rnums = r.bits, r.sizes, r.lens, r.nums
        weight, skip, variance = self.weight, self.skip, self.variance
        merge_budget = 2.0 * _MERGE_PRIOR if self.max_bead == 2 else None
        sqrt, log, erfc = math.sqrt, math.log, math.erfc
        i = j = 0
        while i < n and j < m:
            if i + ahead > d.end and d.end < n:
                d.forget(i - behind)
                d.ensure(i + ahead)
            if j + ahead > r.end and r.end < m:
                r.forget(j - behind)
                r.ensure(j + ahead)
            # anchor(i, j, False, False), inline for the common case (the walk's hot path): the same
            # tests in the same order; whenever a merged bead must be costed, the method decides
            x = i - d.base
            y = j - r.base
            total = dsizes[x] + rsizes[y]
            dice = 2.0 * (dbits[x] & rbits[y]).bit_count() / total if total else 0.0
            score: float | None = dice
            if dice < _ANCHOR_DICE:
                score = None
            else:
                ratio = self.ratio
                ld = dlens[x]
                lr = rlens[y]
                expected = ld * ratio
                mean = (expected + lr) / 2.0
                z = abs((lr - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0))
                if z > _ANCHOR_DELTA:
                    score = None
                elif merge_budget is None:
                    score = anchor(i, j, False, False)
                else:
                    cost = weight * (1.0 - dice) + -log(erfc(z / _SQRT2))
                    nd = dnums[x]
                    if nd:
                        nr = rnums[y]
                        if nr and nd != nr:
                            cost += 4.0 * len(nd ^ nr) / len(nd | nr)
                    budget = 2.0 * (cost + skip) - merge_budget
                    if budget > 0 and (
                        # the length lower bounds of joining the next sentence on either side
                        (i + 2 <= n and _delta((ld + dlens[x + 1]) * ratio, lr, variance) ** 2 < budget)
                        or (j + 2 <= m and _delta(ld * ratio, lr + rlens[y + 1], variance) ** 2 < budget)
                    ):
                        score = anchor(i, j, False, False)
            if score is not None:
                if adapt:
                    # update the running roman / deva length ratio with this confident 1-1 bead
                    self._sum_d += dlens[x]
                    self._sum_r += rlens[y]
                    ratio = self._sum_r / self._sum_d
                    self.ratio = 2.0 if ratio > 2.0 else 0.5 if ratio < 0.5 else ratio
                yield make(i, i + 1, j, j + 1, score)
                i += 1
                j += 1
                continue
            found = self._resync(i, j)
            if found is not None:
                ai, aj = found
                yield from self._emit(self._dp(i, ai, j, aj))
                i, j = ai, aj
                continue
            if n - i <= self.window and m - j <= self.window:
                yield from self._emit(self._dp(i, n, j, m))
                return
            # no anchor near: align one block and keep its first half
            bi = min(n, i + self.window)
            bj = min(m, j + max(1, round(self.window * (m - j) / max(1, n - i))))
            path = self._dp(i, bi, j, bj)
            half_i, half_j = i + (bi - i) // 2, j + (bj - j) // 2
            kept = []
            for step in path:
                kept.append(step)
                if step[1] >= half_i or step[3] >= half_j:
                    break
            yield from self._emit(kept)
            i, j = kept[-1][1], kept[-1][3]
        yield from self._emit(self._dp(i, n, j, m))

    def _resync(self, i: int, j: int) -> tuple[int, int] | None:
        """The nearest (deva, roman) position after (i, j) where two confident 1-1 beads follow."""
        d, r = self.d, self.r
        n, m = d.n, r.n
        dbits, dsizes, rbits, rsizes = d.bits, d.sizes, r.bits, r.sizes
        dx, ry = i - d.base, j - r.base
        window = self.window
        for dist in range(1, 2 * window + 1):
            # candidates at this distance, closest to the diagonal first
            for a in _diagonal_order(dist):
                ii, jj = i + a, j + dist - a
                if a > window or dist - a > window or ii >= n or jj >= m:
                    continue
                # most candidates fail anchor()'s first test (Dice < _ANCHOR_DICE): make it here
                x, y = dx + a, ry + dist - a
                total = dsizes[x] + rsizes[y]
                if not total or 2.0 * (dbits[x] & rbits[y]).bit_count() / total < _ANCHOR_DICE:
                    continue
                if self.anchor(ii, jj, ii > i, jj > j) is None:
                    continue
                if ii + 1 >= n or jj + 1 >= m or self.anchor(ii + 1, jj + 1, False, False) is not None:
                    return ii, jj
        return None

    def _dp(self, i0: int, i1: int, j0: int, j1: int) -> list[tuple[int, int, int, int, float]]:
        """Best bead path through deva[i0:i1] x roman[j0:j1] as (i_start, i_end, j_start, j_end, score)."""
        d, r = self.d, self.r
        d.ensure(i1)
        r.ensure(j1)
        if i0 == i1 or j0 == j1:  # one side empty: only 1-0 / 0-1 beads
            return [(i, i + 1, j0, j0, 0.0) for i in range(i0, i1)] + [
                (i0, i0, j, j + 1, 0.0) for j in range(j0, j1)
            ]
        rows, cols = i1 - i0, j1 - j0
        inf = math.inf
        cost = [[inf] * (cols + 1) for _ in range(rows + 1)]
        back: list[list[tuple[int, int, float] | None]] = [[None] * (cols + 1) for _ in range(rows + 1)]
        cost[0][0] = 0.0
        bead = self.bead
        skip, weight, ratio, variance = self.skip, self.weight, self.ratio, self.variance
        sqrt = math.sqrt
        # the features of the rectangle (bead() for 1-1 beads, inline: the DP's most common bead)
        x0, y0 = i0 - d.base, j0 - r.base
        dbits, dsizes = d.bits[x0 : x0 + rows], d.sizes[x0 : x0 + rows]
        dlens, dnums = d.lens[x0 : x0 + rows], d.nums[x0 : x0 + rows]
        rbits, rsizes = r.bits[y0 : y0 + cols], r.sizes[y0 : y0 + cols]
        rlens, rnums = r.lens[y0 : y0 + cols], r.nums[y0 : y0 + cols]
        merges = self._merges
        skip_move = (1, 0, 0.0)
        insert_move = (0, 1, 0.0)
        for a in range(rows + 1):
            row = cost[a]
            above = cost[a - 1] if a else row
            back_row = back[a]
            for b in range(cols + 1):
                if a == 0 and b == 0:
                    continue
                best = inf
                move = None
                # the bead types in the order of self.types (ties go to the first): 1-0, 0-1, 1-1, merges
                if a:
                    prev = above[b]
                    if prev != inf:
                        best = prev + skip
                        move = skip_move
                if b:
                    prev = row[b - 1]
                    if prev != inf and prev + skip < best:
                        best = prev + skip
                        move = insert_move
                    if a:
                        prev = above[b - 1]
                        if prev != inf:
                            x, y = a - 1, b - 1
                            total = dsizes[x] + rsizes[y]
                            dice = 2.0 * (dbits[x] & rbits[y]).bit_count() / total if total else 0.0
                            expected = dlens[x] * ratio
                            lr = rlens[y]
                            mean = (expected + lr) / 2.0
                            delta = (lr - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
                            c = weight * (1.0 - dice) + _length_cost(abs(delta))
                            nd = dnums[x]
                            if nd:
                                nr = rnums[y]
                                if nr and nd != nr:
                                    c += 4.0 * len(nd ^ nr) / len(nd | nr)
                            if prev + c < best:
                                best = prev + c
                                move = (1, 1, dice)
                for k, kr, prior in merges:
                    if k > a or kr > b:
                        continue
                    prev = cost[a - k][b - kr]
                    # a merged bead costs at least its prior plus its length cost: skip it when that
                    # cannot win (the same floating-point sums as bead(), so the path is the same)
                    if prev == inf or prev + prior >= best:
                        continue
                    expected = (dlens[a - 1] if k == 1 else sum(dlens[a - k : a])) * ratio
                    lr = rlens[b - 1] if kr == 1 else sum(rlens[b - kr : b])
                    mean = (expected + lr) / 2.0
                    delta = (lr - expected) / sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)
                    if prev + (_length_cost(abs(delta)) + prior) >= best:
                        continue
                    c, score, _ = bead(i0 + a - k, i0 + a, j0 + b - kr, j0 + b)
                    if prev + c < best:
                        best = prev + c
                        move = (k, kr, score)
                row[b] = best
                back_row[b] = move
        path = []
        a, b = rows, cols
        while a or b:
            move = back[a][b]
            if move is None:  # pragma: no cover - 1-0 and 0-1 always connect
                raise RuntimeError("alignment DP has no path")
            k, kr, score = move
            path.append((i0 + a - k, i0 + a, j0 + b - kr, j0 + b, score))
            a, b = a - k, b - kr
        path.reverse()
        return path

    def _emit(self, path: list[tuple[int, int, int, int, float]]) -> Iterator[Bead]:
        for i0, i1, j0, j1, score in path:
            yield self._make(i0, i1, j0, j1, score)

    def _make(self, i0: int, i1: int, j0: int, j1: int, score: float) -> Bead:
        d, r = self.d, self.r
        # built from checked parts: skip Bead's validation (it costs as much as aligning the pair)
        bead = _new(Bead)
        _set_deva(bead, (i0,) if i1 == i0 + 1 else tuple(range(i0, i1)))
        _set_roman(bead, (j0,) if j1 == j0 + 1 else tuple(range(j0, j1)))
        x = i0 - d.base
        y = j0 - r.base
        _set_deva_text(bead, d.texts[x] if i1 == i0 + 1 else " ".join(d.texts[x : x + i1 - i0]))
        _set_roman_text(bead, r.texts[y] if j1 == j0 + 1 else " ".join(r.texts[y : y + j1 - j0]))
        rounded = _ROUNDED.get(score)
        _set_score(bead, _round_score(score) if rounded is None else rounded)
        _set_words(bead, None)
        return bead


# Bead's slots, written directly (a frozen dataclass refuses setattr; its validation is skipped on
# purpose in _make)
_new = object.__new__
_set_deva = Bead.__dict__["deva"].__set__  # the slot's descriptor
_set_roman = Bead.__dict__["roman"].__set__  # the slot's descriptor
_set_deva_text = Bead.__dict__["deva_text"].__set__  # the slot's descriptor
_set_roman_text = Bead.__dict__["roman_text"].__set__  # the slot's descriptor
_set_score = Bead.__dict__["score"].__set__  # the slot's descriptor
_set_words = Bead.__dict__["words"].__set__  # the slot's descriptor


#: bead scores rounded for output, memoized: the scores of 1-1 beads are ratios of small integers, so
#: few values recur, and round() costs as much as the rest of building a bead
_ROUNDED: dict[float, float] = {}


def _round_score(score: float) -> float:
    rounded = round(min(1.0, max(0.0, score)), 4)
    if len(_ROUNDED) > 100_000:
        _ROUNDED.clear()
    _ROUNDED[score] = rounded
    return rounded


@functools.lru_cache(maxsize=512)
def _diagonal_order(dist: int) -> tuple[int, ...]:
    """0..dist ordered by distance from dist / 2 (resynchronization candidates near the diagonal first)."""
    return tuple(sorted(range(dist + 1), key=lambda a: abs(2 * a - dist)))


def _as_list(sentences: object, name: str) -> list[str | Sentence]:
    if isinstance(sentences, str):
        raise TypeError(f"{name} must be a sequence of sentences, not one str (split it first)")
    try:
        return list(sentences)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be a sequence of sentences, not {type(sentences).__name__}") from None


def _crosses(side: _Side, start: int, end: int) -> bool:
    """Whether side's sentences start..end-1 (in its window) span a paragraph break."""
    paras = side.paras[start - side.base : end - side.base]
    first = paras[0]
    return first is not None and any(p != first for p in paras)


def _delta(expected: float, observed: float, variance: float) -> float:
    """Gale-Church's normalized length difference."""
    mean = (expected + observed) / 2.0
    return (observed - expected) / math.sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)


def _length_cost(z: float) -> float:
    """-log P(|Z| >= z) for a standard normal Z (the Gale-Church length cost), capped."""
    if z < 5.0:
        tail = math.erfc(z / _SQRT2)
        return min(_MAX_LENGTH_COST, -math.log(tail)) if tail > 0 else _MAX_LENGTH_COST
    # asymptotic form avoids underflow
    return min(_MAX_LENGTH_COST, z * z / 2.0 + math.log(z * math.sqrt(math.pi / 2.0)))
