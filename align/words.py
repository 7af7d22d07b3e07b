"""Word alignment inside one aligned sentence pair.

Monotonic dynamic programming over the two token sequences with links 1-1, 1-2, 2-1 (one side
glues words the other splits: ``लागूहुए`` / ``lagu hue``), 1-0 and 0-1, scored by transliteration
similarity (:meth:`lipyantar.align.similarity.Similarity.word_similarity`). The search is banded around the
diagonal, so a sentence pair costs time linear in its length.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .similarity import Romanizer, Similarity, resolve_similarity

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
    dt = deva.split() if isinstance(deva, str) else list(deva)
    rt = roman.split() if isinstance(roman, str) else list(roman)
    n, m = len(dt), len(rt)
    if n == 0 or m == 0:
        return [WordLink(w, "", 0.0, (i,), ()) for i, w in enumerate(dt)] + [
            WordLink("", w, 0.0, (), (j,)) for j, w in enumerate(rt)
        ]
    width = band + abs(n - m)
    inf = math.inf
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for a in range(n + 1):
        centre = a * m / n
        lo = max(0, math.floor(centre - width))
        hi = min(m, math.ceil(centre + width))
        for b in range(lo, hi + 1):
            if a == 0 and b == 0:
                continue
            best = inf
            best_move = (0, 0, 0.0)
            for k, kr in _LINK_TYPES:
                if k > a or kr > b:
                    continue
                prev = cost.get((a - k, b - kr))
                if prev is None:
                    continue
                if k == 0 or kr == 0:
                    step, score = _SKIP_COST, 0.0
                else:
                    score = sim.word_similarity(_join(dt, a - k, a), _join(rt, b - kr, b))
                    step = _PRIOR[(k, kr)] + (1.0 - score) * _SIM_SCALE
                if prev + step < best:
                    best = prev + step
                    best_move = (k, kr, score)
            if best < inf:
                cost[(a, b)] = best
                back[(a, b)] = best_move
    links: list[WordLink] = []
    a, b = n, m
    while a or b:
        k, kr, score = back[(a, b)]
        links.append(
            WordLink(
                _join(dt, a - k, a),
                _join(rt, b - kr, b),
                round(score, 4),
                tuple(range(a - k, a)),
                tuple(range(b - kr, b)),
            )
        )
        a, b = a - k, b - kr
    links.reverse()
    return links


def _join(tokens: Sequence[str], start: int, end: int) -> str:
    return tokens[start] if end == start + 1 else " ".join(tokens[start:end])


def word_pair_counts(links: Iterable[WordLink], *, min_score: float = 0.0) -> Counter[tuple[str, str]]:
    """Count (deva, roman) pairs of linked words (1-0 / 0-1 links are left out): twin training data."""
    counts: Counter[tuple[str, str]] = Counter()
    for link in links:
        if link.deva and link.roman and link.score >= min_score:
            counts[(link.deva, link.roman)] += 1
    return counts
