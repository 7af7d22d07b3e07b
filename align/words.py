"""Word alignment inside one aligned sentence pair.

Monotonic dynamic programming over the two token sequences with links 1-1, 1-2, 2-1 (one side
glues words the other splits: ``लागूहुए`` / ``lagu hue``), 1-0 and 0-1, scored by transliteration
similarity (:meth:`lipyantar.align.similarity.Similarity.word_similarity`). The search is banded around the
diagonal, so a sentence pair costs time linear in its length.

The search and the word scores run compiled (``lipyantar.align._fastalign``, from ``align/_fastalign.c``)
when the kernel is built; :func:`_moves_python` is the same search in Python (the reference, and the code
that runs with ``LIPYANTAR_PURE_PYTHON=1`` or a :class:`Similarity` subclass that scores words its own way).
Each word type's skeleton is computed once (:meth:`Similarity.word_info` memoizes it, glued pairs included).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .similarity import FAST, Romanizer, Similarity, resolve_similarity

__all__ = ["WordLink", "align_words", "word_pair_counts"]

_LINK_TYPES = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
# cost = prior + (1 - similarity) * scale for a linked pair, fixed cost for a dropped word
_PRIOR = {(1, 1): 0.0, (1, 2): 0.35, (2, 1): 0.35}
_SKIP_COST = 0.62
_SIM_SCALE = 1.0


@dataclass(frozen=True, slots=True)
class WordLink:
    """One link of a word alignment: a Devanagari word (or glued words) and its romanized twin.

    ``deva`` / ``roman`` are the linked tokens joined by one space (empty for a 0-1 / 1-0 link),
    ``deva_index`` / ``roman_index`` their 0-based token positions in the sentence.
    """

    deva: str
    roman: str
    score: float
    deva_index: tuple[int, ...] = ()
    roman_index: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.deva, str) or not isinstance(self.roman, str):
            raise TypeError("WordLink.deva and WordLink.roman must be str")
        if not self.deva and not self.roman:
            raise ValueError("WordLink must link at least one word")
        if isinstance(self.score, bool) or not isinstance(self.score, (int, float)):
            raise TypeError("WordLink.score must be a number")
        if not (math.isfinite(self.score) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"WordLink.score must be in [0, 1], not {self.score!r}")
        for name in ("deva_index", "roman_index"):
            index = getattr(self, name)
            if not isinstance(index, tuple) or not all(
                isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in index
            ):
                raise ValueError(f"WordLink.{name} must be a tuple of non-negative ints")
            if any(b != a + 1 for a, b in itertools.pairwise(index)):
                raise ValueError(f"WordLink.{name} must be consecutive positions")
        if self.deva_index and len(self.deva_index) != len(self.deva.split()):
            raise ValueError("WordLink.deva_index must have one position per Devanagari word")
        if self.roman_index and len(self.roman_index) != len(self.roman.split()):
            raise ValueError("WordLink.roman_index must have one position per roman word")

    @property
    def kind(self) -> str:
        """``"1-1"``, ``"1-2"``, ``"2-1"``, ``"1-0"`` or ``"0-1"``."""
        return f"{len(self.deva.split())}-{len(self.roman.split())}"


def align_words(
    deva: str | Sequence[str],
    roman: str | Sequence[str],
    *,
    similarity: Similarity | None = None,
    romanize: Romanizer | None = None,
    band: int = 2,
) -> list[WordLink]:
    """Align the words of a Devanagari sentence with those of its romanized twin (monotonic).

    ``deva`` and ``roman`` are sentences (split on whitespace) or token lists. ``band`` bounds how far
    the alignment may leave the (length-scaled) diagonal, in tokens.
    """
    if isinstance(band, bool) or not isinstance(band, int) or band < 0:
        raise ValueError(f"band must be an int >= 0, not {band!r}")
    sim = resolve_similarity(similarity, romanize)
    dt = deva.split() if isinstance(deva, str) else _tokens(deva)
    rt = roman.split() if isinstance(roman, str) else _tokens(roman)
    n, m = len(dt), len(rt)
    if n == 0 or m == 0:
        return [WordLink(w, "", 0.0, (i,), ()) for i, w in enumerate(dt)] + [
            WordLink("", w, 0.0, (), (j,)) for j, w in enumerate(rt)
        ]
    # the two-word units a 2-1 / 1-2 link compares: glued[i] is tokens i and i + 1 joined by one space
    d_glued = list(map(" ".join, itertools.pairwise(dt)))
    r_glued = list(map(" ".join, itertools.pairwise(rt)))
    if FAST is not None and _plain(sim):
        infos, glued = sim.word_infos, sim.glued_infos
        moves = FAST.align_moves(
            dt, d_glued, rt, r_glued, infos(dt), glued(d_glued), infos(rt), glued(r_glued), band
        )
    else:
        moves = _moves_python(sim, dt, d_glued, rt, r_glued, band)
    links: list[WordLink] = []
    append = links.append
    singles, pairs = _positions(max(n, m))
    a = b = 0
    for k, kr, score in zip(*moves, strict=True):
        # a WordLink made without the checks of __post_init__ (five times the cost of the rest): valid by construction
        link = _new_link(WordLink)
        _set_deva(link, dt[a] if k == 1 else d_glued[a] if k else "")
        _set_roman(link, rt[b] if kr == 1 else r_glued[b] if kr else "")
        _set_score(link, round(score, 4))
        _set_deva_index(link, singles[a] if k == 1 else pairs[a] if k else ())
        _set_roman_index(link, singles[b] if kr == 1 else pairs[b] if kr else ())
        append(link)
        a += k
        b += kr
    return links


#: the position tuples ``(i,)`` and ``(i, i + 1)`` of links, shared by all links (tuples are immutable):
#: a sentence pair's links allocate no index tuples
_SINGLES = [(i,) for i in range(1024)]
_PAIRS = [(i, i + 1) for i in range(1024)]


def _positions(count: int) -> tuple[list[tuple[int]], list[tuple[int, int]]]:
    """Position tuples for ``count`` tokens: the shared ones, or new ones for a sentence longer than them."""
    if count <= len(_SINGLES):
        return _SINGLES, _PAIRS
    return [(i,) for i in range(count)], [(i, i + 1) for i in range(count)]


def _tokens(words: Sequence[str]) -> list[str]:
    """A token list given to :func:`align_words`, checked: each token one word (the links are made from them)."""
    tokens = list(words)
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(f"align_words: tokens must be str, not {type(token).__name__}")
        if len(token.split()) != 1:
            raise ValueError(
                f"align_words: a token must be one word (not empty, no white space inside): {token!r}"
            )
    return tokens


def _plain(sim: Similarity) -> bool:
    """Whether ``sim`` scores words as :class:`Similarity` does (the compiled kernel computes that score
    itself; a subclass that changes it is asked word pair by word pair)."""
    cls = type(sim)
    return cls is Similarity or all(
        getattr(cls, name) is getattr(Similarity, name)
        for name in ("word_similarity", "word_info", "word_infos", "glued_infos", "_info")
    )


def _moves_python(
    sim: Similarity, dt: list[str], d_glued: list[str], rt: list[str], r_glued: list[str], band: int
) -> tuple[bytes, bytes, list[float]]:
    """The best monotonic path through the banded grid, as its links from the start: the number of
    Devanagari words of each, of roman words of each, and their similarities. The reference of the
    compiled ``align_moves``.

    Cell ``(a, b)`` (the first ``a`` Devanagari and ``b`` roman tokens aligned) is reached by the cheapest
    of the moves in :data:`_LINK_TYPES` order (the first of equal costs wins), from a reachable cell of the
    band; row ``a`` of the band spans the columns ``lo..hi`` around ``a * m / n``.
    """
    n, m = len(dt), len(rt)
    width = band + abs(n - m)
    inf = math.inf
    word_similarity = sim.word_similarity
    # per row: its first column, the costs of its cells (inf: unreachable) and their best moves
    los: list[int] = []
    costs: list[list[float]] = []
    backs: list[list[tuple[int, int, float]]] = []
    none = (0, 0, 0.0)
    prior_12, prior_21 = _PRIOR[(1, 2)], _PRIOR[(2, 1)]
    prior_11 = _PRIOR[(1, 1)]
    for a in range(n + 1):
        centre = a * m / n
        lo = max(0, math.floor(centre - width))
        hi = min(m, math.ceil(centre + width))
        row = [inf] * (hi - lo + 1)
        back = [none] * (hi - lo + 1)
        if a >= 1:
            lo1, cost1 = los[a - 1], costs[a - 1]
            hi1 = lo1 + len(cost1) - 1
        if a >= 2:
            lo2, cost2 = los[a - 2], costs[a - 2]
            hi2 = lo2 + len(cost2) - 1
        for b in range(lo, hi + 1):
            if a == 0 and b == 0:
                row[0] = 0.0
                continue
            best = inf
            move = none
            if a >= 1:
                if b >= 1 and lo1 <= b - 1 <= hi1 and (prev := cost1[b - 1 - lo1]) < inf:  # 1-1
                    score = word_similarity(dt[a - 1], rt[b - 1])
                    if (total := prev + (prior_11 + (1.0 - score) * _SIM_SCALE)) < best:
                        best, move = total, (1, 1, score)
                if b >= 2 and lo1 <= b - 2 <= hi1 and (prev := cost1[b - 2 - lo1]) < inf:  # 1-2
                    score = word_similarity(dt[a - 1], r_glued[b - 2])
                    if (total := prev + (prior_12 + (1.0 - score) * _SIM_SCALE)) < best:
                        best, move = total, (1, 2, score)
            if a >= 2 and b >= 1 and lo2 <= b - 1 <= hi2 and (prev := cost2[b - 1 - lo2]) < inf:  # 2-1
                score = word_similarity(d_glued[a - 2], rt[b - 1])
                if (total := prev + (prior_21 + (1.0 - score) * _SIM_SCALE)) < best:
                    best, move = total, (2, 1, score)
            if a >= 1 and lo1 <= b <= hi1 and (prev := cost1[b - lo1]) < inf:  # 1-0
                if (total := prev + _SKIP_COST) < best:
                    best, move = total, (1, 0, 0.0)
            if b >= 1 and b - 1 >= lo and (prev := row[b - 1 - lo]) < inf:  # 0-1
                if (total := prev + _SKIP_COST) < best:
                    best, move = total, (0, 1, 0.0)
            row[b - lo] = best
            back[b - lo] = move
        los.append(lo)
        costs.append(row)
        backs.append(back)
    moves: list[tuple[int, int, float]] = []
    a, b = n, m
    while a or b:
        if not los[a] <= b < los[a] + len(costs[a]) or costs[a][b - los[a]] == inf:
            raise KeyError((a, b))
        move = backs[a][b - los[a]]
        moves.append(move)
        a, b = a - move[0], b - move[1]
    moves.reverse()
    return bytes(k for k, _, _ in moves), bytes(kr for _, kr, _ in moves), [score for _, _, score in moves]


_new_link = object.__new__
_set_deva = WordLink.__dict__["deva"].__set__  # the slot's descriptor
_set_roman = WordLink.__dict__["roman"].__set__  # the slot's descriptor
_set_score = WordLink.__dict__["score"].__set__  # the slot's descriptor
_set_deva_index = WordLink.__dict__["deva_index"].__set__  # the slot's descriptor
_set_roman_index = WordLink.__dict__["roman_index"].__set__  # the slot's descriptor


def word_pair_counts(links: Iterable[WordLink], *, min_score: float = 0.0) -> Counter[tuple[str, str]]:
    """Count (deva, roman) pairs of linked words (1-0 / 0-1 links are left out): twin training data."""
    counts: Counter[tuple[str, str]] = Counter()
    for link in links:
        if link.deva and link.roman and link.score >= min_score:
            counts[(link.deva, link.roman)] += 1
    return counts
