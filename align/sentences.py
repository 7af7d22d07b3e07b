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
apart documents (no anchor at all) are aligned block by block. Sentence features are computed
lazily and dropped once the walk has passed them.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .segment import Sentence
from .similarity import Romanizer, SentenceFeatures, Similarity
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

    Sentences are strings or :class:`~align.segment.Sentence` objects (whose paragraph numbers are
    then used: beads do not merge sentences across a paragraph break). Options:

    * ``romanize``: Devanagari word -> Latin letters (default :func:`translit.rules.romanize_word`),
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
    if similarity is not None:
        sim = similarity
    elif romanize is None:
        sim = _shared_similarity()
    else:
        sim = Similarity(romanize=romanize)
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


class _Side:
    """One document: texts, paragraph numbers and lazily computed (and evicted) features."""

    def __init__(self, sentences: Sequence[str | Sentence], sim: Similarity) -> None:
        self.sentences = sentences
        self.sim = sim
        self.n = len(sentences)
        self.cache: dict[int, SentenceFeatures] = {}

    def text(self, i: int) -> str:
        s = self.sentences[i]
        return s.text if isinstance(s, Sentence) else s

    def paragraph(self, i: int) -> int | None:
        s = self.sentences[i]
        return s.paragraph if isinstance(s, Sentence) else None

    def feat(self, i: int) -> SentenceFeatures:
        f = self.cache.get(i)
        if f is None:
            s = self.sentences[i]
            if not isinstance(s, (str, Sentence)):
                raise TypeError(f"sentences must be str or Sentence, not {type(s).__name__}")
            f = self.sim.features(s.text if isinstance(s, Sentence) else s)
            self.cache[i] = f
        return f

    def evict(self, below: int) -> None:
        if len(self.cache) > 4096:
            for key in [k for k in self.cache if k < below]:
                del self.cache[key]


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
        self._anchor_cache: dict[tuple[int, int, bool, bool], float | None] = {}

    def _learn_ratio(self, ld: int, lr: int) -> None:
        """Update the running roman / deva length ratio with a confident 1-1 bead."""
        self._sum_d += ld
        self._sum_r += lr
        self.ratio = min(2.0, max(0.5, self._sum_r / self._sum_d))

    # -- cost model ------------------------------------------------------------------------

    def bead(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float, float]:
        """(cost, score, length delta) of the bead deva[i0:i1] <-> roman[j0:j1]."""
        k = i1 - i0
        kr = j1 - j0
        if k == 0 or kr == 0:
            return self.skip * (k + kr), 0.0, 0.0
        d, r = self.d, self.r
        fd = d.cache.get(i0) or d.feat(i0)
        gd, ld, nd = fd
        members_d = [gd]
        for i in range(i0 + 1, i1):
            f = d.cache.get(i) or d.feat(i)
            members_d.append(f[0])
            gd |= f[0]
            ld += f[1]
            nd = nd | f[2]
        fr = r.cache.get(j0) or r.feat(j0)
        gr, lr, nr = fr
        members_r = [gr]
        for j in range(j0 + 1, j1):
            f = r.cache.get(j) or r.feat(j)
            members_r.append(f[0])
            gr |= f[0]
            lr += f[1]
            nr = nr | f[2]
        total = gd.bit_count() + gr.bit_count()
        dice = 2.0 * (gd & gr).bit_count() / total if total else 0.0
        delta = _delta(ld * self.ratio, lr, self.variance)
        cost = self.weight * (1.0 - dice) + _length_cost(abs(delta))
        if k + kr > 2:
            cost += _MERGE_PRIOR * (k + kr - 2)
            # every sentence of a merged side must be found on the other side (a short sentence
            # deleted on the other side would otherwise hide in a neighbour's bead)
            for members, other in ((members_d, gr), (members_r, gd)):
                if len(members) > 1:
                    for g in members:
                        size = g.bit_count()
                        if size:
                            cost += self.weight * (1.0 - (g & other).bit_count() / size)
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
        dcache, rcache = d.cache, r.cache
        gd, ld, nd = dcache.get(i) or d.feat(i)
        gr, lr, nr = rcache.get(j) or r.feat(j)
        total = gd.bit_count() + gr.bit_count()
        dice = 2.0 * (gd & gr).bit_count() / total if total else 0.0
        if dice < _ANCHOR_DICE:
            return None
        ratio, variance = self.ratio, self.variance
        delta = _delta(ld * ratio, lr, variance)
        if abs(delta) > _ANCHOR_DELTA:
            return None
        cost = self.weight * (1.0 - dice) + _length_cost(abs(delta))
        if nd and nr and nd != nr:
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
                length = ld
                for x in range(i + 1, i + k):
                    length += (dcache.get(x) or d.feat(x))[1]
                if _delta(length * ratio, lr, variance) ** 2 < budget and bead(i, i + k, j, j + 1)[0] < limit:
                    return None
            if j + k <= m:
                length = lr
                for x in range(j + 1, j + k):
                    length += (rcache.get(x) or r.feat(x))[1]
                if _delta(ld * ratio, length, variance) ** 2 < budget and bead(i, i + 1, j, j + k)[0] < limit:
                    return None
            if back_i and i - k + 1 >= 0:
                length = ld
                for x in range(i - k + 1, i):
                    length += (dcache.get(x) or d.feat(x))[1]
                if (
                    _delta(length * ratio, lr, variance) ** 2 < budget
                    and bead(i - k + 1, i + 1, j, j + 1)[0] < limit
                ):
                    return None
            if back_j and j - k + 1 >= 0:
                length = lr
                for x in range(j - k + 1, j):
                    length += (rcache.get(x) or r.feat(x))[1]
                if (
                    _delta(ld * ratio, length, variance) ** 2 < budget
                    and bead(i, i + 1, j - k + 1, j + 1)[0] < limit
                ):
                    return None
        return dice

    # -- search ----------------------------------------------------------------------------

    def run(self) -> Iterator[Bead]:
        n, m = self.d.n, self.r.n
        i = j = 0
        steps = 0
        while i < n and j < m:
            steps += 1
            if steps & 1023 == 0:
                self.d.evict(i - 8)
                self.r.evict(j - 8)
            score = self._anchor(i, j, False, False)
            if score is not None:
                if self._adapt:
                    self._learn_ratio(self.d.cache[i][1], self.r.cache[j][1])
                yield self._make(i, i + 1, j, j + 1, score)
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
        n, m = self.d.n, self.r.n
        window = self.window
        for dist in range(1, 2 * window + 1):
            # candidates at this distance, closest to the diagonal first
            for a in _diagonal_order(dist):
                ii, jj = i + a, j + dist - a
                if a > window or dist - a > window or ii >= n or jj >= m:
                    continue
                if self.anchor(ii, jj, ii > i, jj > j) is None:
                    continue
                if ii + 1 >= n or jj + 1 >= m or self.anchor(ii + 1, jj + 1, False, False) is not None:
                    return ii, jj
        return None

    def _dp(self, i0: int, i1: int, j0: int, j1: int) -> list[tuple[int, int, int, int, float]]:
        """Best bead path through deva[i0:i1] x roman[j0:j1] as (i_start, i_end, j_start, j_end, score)."""
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
        for a in range(rows + 1):
            for b in range(cols + 1):
                if a == 0 and b == 0:
                    continue
                best = inf
                move = None
                for k, kr in self.types:
                    if k > a or kr > b:
                        continue
                    prev = cost[a - k][b - kr]
                    if prev == inf:
                        continue
                    c, score, _ = bead(i0 + a - k, i0 + a, j0 + b - kr, j0 + b)
                    if prev + c < best:
                        best = prev + c
                        move = (k, kr, score)
                cost[a][b] = best
                back[a][b] = move
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
        bead = object.__new__(Bead)
        _set(bead, "deva", tuple(range(i0, i1)))
        _set(bead, "roman", tuple(range(j0, j1)))
        _set(bead, "deva_text", d.text(i0) if i1 == i0 + 1 else " ".join(d.text(i) for i in range(i0, i1)))
        _set(bead, "roman_text", r.text(j0) if j1 == j0 + 1 else " ".join(r.text(j) for j in range(j0, j1)))
        _set(bead, "score", round(min(1.0, max(0.0, score)), 4))
        _set(bead, "words", None)
        return bead


_set = object.__setattr__


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


@functools.lru_cache(maxsize=1)
def _shared_similarity() -> Similarity:
    """One default :class:`Similarity` for all calls, so its per-word memo is shared."""
    return Similarity()


def _crosses(side: _Side, start: int, end: int) -> bool:
    first = side.paragraph(start)
    return first is not None and any(side.paragraph(x) != first for x in range(start + 1, end))


def _delta(expected: float, observed: float, variance: float) -> float:
    """Gale-Church's normalized length difference."""
    mean = (expected + observed) / 2.0
    return (observed - expected) / math.sqrt(variance * mean + (_SYSTEMATIC * mean) ** 2 + 1.0)


def _length_cost(z: float) -> float:
    """-log P(|Z| >= z) for a standard normal Z (the Gale-Church length cost), capped."""
    if z < 5.0:
        tail = math.erfc(z / math.sqrt(2.0))
        return min(_MAX_LENGTH_COST, -math.log(tail)) if tail > 0 else _MAX_LENGTH_COST
    # asymptotic form avoids underflow
    return min(_MAX_LENGTH_COST, z * z / 2.0 + math.log(z * math.sqrt(math.pi / 2.0)))
