"""The learned model's memory: the attested (Devanagari, Latin, count) pairs of its training data, looked
up in both directions.

A model loaded from a file keeps the pairs as three columns (the file's order: sorted by Devanagari,
then Latin) and answers a lookup from the span of the key's rows in the key column (or in a stable
sort of it, built once), found by a hash look-up, making the small ``{value: count}`` dict of one key
when asked: no dict of dicts over all pairs is built unless something iterates over every key
(saving a model does).
"""

from __future__ import annotations

import functools
import operator
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = ["Memory", "PairIndex"]


class PairIndex(Mapping[str, dict[str, float]]):
    """key -> {value: summed count} over (key, value, count) columns, each row's dict made on lookup.

    The values of a key come in the columns' order; iterating yields the keys in the order of their
    first row (the order a dict built row by row would have)."""

    def __init__(self, keys: Sequence[str], values: Sequence[str], counts: Sequence[float]) -> None:
        if not len(keys) == len(values) == len(counts):
            raise ValueError("the memory's columns differ in length")
        self._keys, self._values, self._counts = keys, values, counts
        if all(map(operator.le, keys, keys[1:])):  # already sorted (a key's rows are contiguous)
            self._order: Sequence[int] | None = None
            self._sorted = keys
        else:  # a stable sort: the rows of a key keep their order
            order = sorted(range(len(keys)), key=keys.__getitem__)
            self._order = array("I", order) if len(keys) < 1 << 32 else order
            self._sorted = [keys[i] for i in order]

    @functools.cached_property
    def _spans(self) -> tuple[dict[str, int], dict[str, int]]:
        """key -> the first and the last of its positions in the sorted keys (two dicts made in C
        loops: a look-up is then two hash look-ups, not two binary searches over string comparisons)."""
        keys = self._sorted
        n = len(keys)
        return dict(zip(reversed(keys), range(n - 1, -1, -1), strict=True)), dict(zip(keys, range(n), strict=True))

    def lookup(self, key: str) -> dict[str, float] | None:
        """The values of ``key`` with their summed counts (a new dict), None when it has none."""
        first, last = self._spans
        lo = first.get(key)
        if lo is None:
            return None
        hi = last[key] + 1
        values, counts = self._values, self._counts
        if self._order is None:
            out = dict(zip(values[lo:hi], map(float, counts[lo:hi]), strict=True))
            if len(out) == hi - lo:  # each value once (the common case): no sums to make
                return out
            rows: Sequence[int] = range(lo, hi)
        else:
            rows = self._order[lo:hi]
        out = {}
        for i in rows:
            value = values[i]
            out[value] = out.get(value, 0.0) + counts[i]
        return out

    def __getitem__(self, key: str) -> dict[str, float]:
        row = self.lookup(key)
        if row is None:
            raise KeyError(key)
        return row

    def sole(self, key: str) -> tuple[int, str | None]:
        """How many rows ``key`` has (0, 1 or 2 standing for "more than one") and, when it has one,
        its value: :meth:`lookup` without making the dict, for the common key of one row."""
        first, last = self._spans
        lo = first.get(key)
        if lo is None:
            return 0, None
        if last[key] != lo:
            return 2, None
        return 1, self._values[lo if self._order is None else self._order[lo]]

    def get(self, key: str, default: dict[str, float] | None = None) -> dict[str, float] | None:  # type: ignore[override]
        row = self.lookup(key)
        return default if row is None else row

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self._spans[0]

    @functools.cached_property
    def _distinct(self) -> list[str]:
        return list(dict.fromkeys(self._keys))

    def __iter__(self) -> Iterator[str]:
        return iter(self._distinct)

    def __len__(self) -> int:
        return len(self._distinct)


class Memory:
    """The attested pairs, as native -> roman -> count (:attr:`d2r`) and roman -> native -> count
    (:attr:`r2d`), each index built the first time it is used.

    Args:
        pairs: (Devanagari, Latin, count) triples.
    """

    def __init__(self, pairs: Iterable[tuple[str, str, float]] = ()) -> None:
        rows = list(pairs)
        self._deva: Sequence[str] = [d for d, _, _ in rows]
        self._roman: Sequence[str] = [r for _, r, _ in rows]
        self._counts: Sequence[float] = array("d", (float(c) for _, _, c in rows))

    @classmethod
    def from_columns(cls, deva: Sequence[str], roman: Sequence[str], counts: Sequence[float]) -> Memory:
        """The memory of three columns (as a model file stores them), kept as they are."""
        if not len(deva) == len(roman) == len(counts):
            raise ValueError("the memory's columns differ in length")
        out = cls.__new__(cls)
        out._deva, out._roman, out._counts = deva, roman, array("d", counts)  # a copy: it pickles
        return out

    @property
    def pairs(self) -> list[tuple[str, str, float]]:
        """The (Devanagari, Latin, count) triples (a new list)."""
        return list(zip(self._deva, self._roman, map(float, self._counts), strict=True))

    def __len__(self) -> int:
        return len(self._deva)

    @functools.cached_property
    def r2d(self) -> PairIndex:
        return PairIndex(self._roman, self._deva, self._counts)

    @functools.cached_property
    def d2r(self) -> PairIndex:
        return PairIndex(self._deva, self._roman, self._counts)
