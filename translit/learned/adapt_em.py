"""The alignment EM of adapting a model (:mod:`lipyantar.translit.learned.adapting`): the pairs aligned with
the base model's graphone distribution as the prior (MAP-adapted EM, nothing dropped).

It runs in fixed shards of pairs (:class:`EMShard`, :func:`em_shard`) through any ordered ``map``
(``build`` passes its engine's, so the shards run on its workers), and the shard sums are added in
shard order, so the model does not depend on what ran them. With the compiled kernels
(``_fastlm.em_grid``, ``em_estep``, ``em_viterbi``; :data:`EM_KERNEL_VERSION`) the EM runs in the calling
process instead, on one grid of all the pairs: the same alignments.
"""

from __future__ import annotations

import logging
import math
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import add, mul, truediv
from typing import Any, Literal, TypeVar

from lipyantar.translit.learned.charalign import Aligner, deva_units
from lipyantar.translit.learned.langmodel import FAST as _FASTLM

__all__ = [
    "EM_KERNEL_VERSION",
    "EM_SHARD_PAIRS",
    "EMShard",
    "EMShardResult",
    "MapFn",
    "ShardGrid",
    "em_compiled",
    "em_shard",
]

logger = logging.getLogger(__name__)


# -- the alignment EM in shards -------------------------------------------------------------------
#: Pairs per shard of the adaptation's alignment EM. Fixed (not derived from the number of workers), so
#: that the sums over shards, and so the adapted model, are the same whatever runs the shards.
EM_SHARD_PAIRS = 800

T = TypeVar("T")
R = TypeVar("R")
#: ``map_fn(fn, items)``: ``fn(item)`` for every item, in input order (the built-in ``map``, or an
#: engine's, e.g. :meth:`lipyantar.corpora.engines.Session.map`)
MapFn = Callable[[Callable[[T], R], Iterable[T]], Iterable[R]]

_Unit = tuple[tuple[str, ...], str, float]


@dataclass(frozen=True)
class ShardGrid:
    """The alignment grids of a shard's pairs, compactly: per pair its cell count ((n + 1)(m + 1), 0 for
    a pair the EM skips: an empty side, or no edge out of the first cell), n + m, weight and its edges
    ``flat[3 * offsets[k] : 3 * offsets[k + 1]]`` as (source cell, target cell, graphone index) triples
    in the order of :meth:`lipyantar.translit.learned.charalign.Aligner._edges`; graphone indices refer to the shard's
    graphone list (first-seen order) of ``graphones`` entries."""

    cells: array
    lengths: array
    weights: array
    offsets: array
    flat: array
    graphones: int

    def __post_init__(self) -> None:
        k = len(self.cells)
        if not len(self.lengths) == len(self.weights) == k or len(self.offsets) != k + 1:
            raise ValueError("shard grid arrays disagree in length")
        if len(self.flat) != 3 * self.offsets[-1]:
            raise ValueError("shard grid edges disagree with the offsets")

    def pairs(self) -> Iterator[tuple[int, int, float, list[tuple[int, int, int]]]]:
        """(cells, n + m, weight, edges) of every pair the EM does not skip."""
        flat = self.flat.tolist()
        offsets = self.offsets
        for k, (size, length, weight) in enumerate(zip(self.cells, self.lengths, self.weights, strict=True)):
            if size:
                it = iter(flat[3 * offsets[k] : 3 * offsets[k + 1]])
                yield size, length, weight, list(zip(it, it, it, strict=True))


@dataclass(frozen=True)
class EMShard:
    """One step of the adaptation's alignment EM on one shard: a picklable task for :func:`em_shard`.

    ``step`` is ``"init"`` (build the shard's grids from ``pairs`` and count every candidate graphone),
    ``"estep"`` (expected graphone counts under ``prob``) or ``"viterbi"`` (best segmentation of every
    pair under ``prob``); the last two take the ``grid`` the init step returned and ``prob``, the
    probabilities of the shard's graphones in the order the init step returned them.
    """

    step: Literal["init", "estep", "viterbi"]
    pairs: tuple[_Unit, ...] = ()
    grid: ShardGrid | None = None
    prob: array | None = None
    max_deva: int = 2
    max_roman: int = 4

    def __post_init__(self) -> None:
        if self.step not in ("init", "estep", "viterbi"):
            raise ValueError(f"unknown EM step {self.step!r}")
        if (self.grid is None or self.prob is None) != (self.step == "init"):
            raise ValueError("the estep and viterbi steps need grid and prob, the init step pairs only")
        if self.max_deva < 1 or self.max_roman < 1:
            raise ValueError("max_deva and max_roman must be >= 1")


@dataclass(frozen=True)
class EMShardResult:
    """What :func:`em_shard` returns: the ``graphones`` and ``grid`` of the shard (init step), graphone
    ``counts`` aligned with the graphones (init, estep), the shard's log-likelihood (estep), and per pair
    ``(score, graphone indices)`` or None when it cannot be aligned (viterbi)."""

    graphones: tuple[tuple[str, str], ...] = ()
    grid: ShardGrid | None = None
    counts: array | None = None
    loglik: float = 0.0
    alignments: tuple[tuple[float, tuple[int, ...]] | None, ...] = ()


_templates: dict[tuple[int, int, int, int], tuple[tuple[int, int, int, int], ...]] = {}


def _template(n: int, m: int, max_deva: int, max_roman: int) -> tuple[tuple[int, int, int, int], ...]:
    """The edges of an (n units, m letters) grid as (source cell, target cell, Devanagari chunk, Latin
    chunk), chunks numbered ``i * max_deva + di - 1`` and ``j * max_roman + dj - 1``, in the order of
    :meth:`lipyantar.translit.learned.charalign.Aligner._edges` (cells ascending; di, then dj)."""
    key = (n, m, max_deva, max_roman)
    hit = _templates.get(key)
    if hit is not None:
        return hit
    width = m + 1
    cells: list[list[tuple[int, int, int, int]]] = [[] for _ in range((n + 1) * width)]
    for i in range(n):
        for di in range(1, min(max_deva, n - i) + 1):
            for j in range(m):
                for dj in range(1, min(max_roman, m - j) + 1):
                    rest_n, rest_m = n - i - di, m - j - dj
                    if rest_m < rest_n // max_deva + (rest_n % max_deva > 0) or rest_m > rest_n * max_roman:
                        continue
                    if j < i // max_deva or j > i * max_roman:
                        continue
                    src = i * width + j
                    edge = (src, src + di * width + dj, i * max_deva + di - 1, j * max_roman + dj - 1)
                    cells[src].append(edge)
    flat = tuple(e for cell in cells for e in cell)
    if len(_templates) > 4096:
        _templates.clear()
    _templates[key] = flat
    return flat


#: The version of the compiled EM kernels (``_fastlm.em_grid``, ``em_estep``, ``em_viterbi``) that this code
#: expects: a ``_fastlm`` of another ``KERNEL_VERSION`` (a stale build) is not used for the EM.
EM_KERNEL_VERSION = "2"
#: the compiled module running the EM steps, or None (the pure-Python code below: the reference)
_EM_FAST: Any = _FASTLM if getattr(_FASTLM, "KERNEL_VERSION", None) == EM_KERNEL_VERSION else None


def em_compiled() -> bool:
    """Whether the adaptation's alignment EM runs by the compiled kernels, in the calling process (then
    ``map_fn`` is not used: sending the shards to workers would cost more than the EM itself)."""
    return _EM_FAST is not None


def _shard_grid(
    pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[tuple[tuple[str, str], ...], ShardGrid, array]:
    """The shard's graphones (first-seen order), grids (see :class:`ShardGrid`) and the init step's counts
    (per graphone the weights of the edges that carry it)."""
    if _EM_FAST is not None:
        return _shard_grid_fast(_EM_FAST, pairs, max_deva, max_roman)
    graphones, grid = _shard_grid_python(pairs, max_deva, max_roman)
    counts = [0.0] * len(graphones)
    for _size, _length, weight, edges in grid.pairs():
        for _s, _d, g in edges:
            counts[g] += weight
    return graphones, grid, array("d", counts)


def _number_chunks(
    pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[dict[str, int], dict[str, int], array, array, array, array, array, array]:
    """The inputs of ``_fastlm.em_grid``: every Devanagari chunk (up to ``max_deva`` units) and Latin chunk
    (up to ``max_roman`` letters) of the pairs numbered in first-seen order (the two dicts), each pair's
    sides' lengths (0 and 0 for a pair with an empty side), the chunk numbers of every start and width,
    and each pair's total length and weight. ``pairs`` given as a list is numbered by the compiled kernel
    (``_fastlm.em_number``) when it is built, anything else in Python: the same numbers."""
    number = getattr(_FASTLM, "em_number", None)
    if number is not None and type(pairs) is list:  # in C (the same numbers)
        deva_numbers, roman_numbers, *raw = number(pairs, max_deva, max_roman)
        typed = [array(code) for code in "iiiiid"]
        for arr, data in zip(typed, raw, strict=True):
            arr.frombytes(data)
        return (deva_numbers, roman_numbers, *typed)
    deva_chunks: dict[str, int] = {}
    roman_chunks: dict[str, int] = {}
    ns, ms, deva_ids, roman_ids = array("i"), array("i"), array("i"), array("i")
    lengths, weights = array("i"), array("d")
    for units, roman, weight in pairs:
        n, m = len(units), len(roman)
        lengths.append(n + m)
        weights.append(weight)
        if not (n and m):
            ns.append(0)
            ms.append(0)
            continue
        ns.append(n)
        ms.append(m)
        deva_ids.extend(
            [deva_chunks.setdefault("".join(units[i : i + di]), len(deva_chunks)) for i in range(n) for di in range(1, max_deva + 1)]
        )
        roman_ids.extend(
            [roman_chunks.setdefault(roman[j : j + dj], len(roman_chunks)) for j in range(m) for dj in range(1, max_roman + 1)]
        )
    return deva_chunks, roman_chunks, ns, ms, deva_ids, roman_ids, lengths, weights


def _shard_grid_fast(
    fast: Any, pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[tuple[tuple[str, str], ...], ShardGrid, array]:
    """:func:`_shard_grid_python` by the compiled kernel: the chunks are numbered here, the grids' edges
    and the graphones (as chunk-number pairs, first-seen order) made by ``_fastlm.em_grid``."""
    deva_chunks, roman_chunks, ns, ms, deva_ids, roman_ids, lengths, weights = _number_chunks(
        pairs, max_deva, max_roman
    )
    raw = fast.em_grid(ns, ms, deva_ids, roman_ids, weights, max_deva, max_roman)
    return _grid_from_kernel(raw, list(deva_chunks), list(roman_chunks), lengths, weights)


def _grid_from_kernel(
    raw: tuple[bytes, bytes, bytes, bytes, bytes], deva_list: list[str], roman_list: list[str], lengths: array, weights: array
) -> tuple[tuple[tuple[str, str], ...], ShardGrid, array]:
    raw_cells, raw_offsets, raw_flat, raw_graphones, raw_counts = raw
    cells, offsets, flat, numbers, counts = array("i"), array("q"), array("i"), array("i"), array("d")
    counts.frombytes(raw_counts)
    cells.frombytes(raw_cells)
    offsets.frombytes(raw_offsets)
    flat.frombytes(raw_flat)
    numbers.frombytes(raw_graphones)
    it = iter(numbers.tolist())
    graphones = tuple((deva_list[d], roman_list[r]) for d, r in zip(it, it, strict=True))
    return graphones, ShardGrid(cells, lengths, weights, offsets, flat, len(graphones)), counts


def _shard_grid_python(
    pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[tuple[tuple[str, str], ...], ShardGrid]:
    """The shard's graphones (first-seen order) and grids, in pure Python (the reference)."""
    by_deva: dict[str, dict[str, int]] = {}
    graphones: list[tuple[str, str]] = []
    cells, lengths, weights, offsets, flat = array("i"), array("i"), array("d"), array("q", [0]), array("i")
    edges = 0
    for units, roman, weight in pairs:
        n, m = len(units), len(roman)
        template = _template(n, m, max_deva, max_roman) if n and m else ()
        if not template or template[0][0] != 0:
            cells.append(0)
        else:
            deva_chunks = []
            for i in range(n):
                for di in range(1, max_deva + 1):
                    chunk = "".join(units[i : i + di])
                    deva_chunks.append((chunk, by_deva.setdefault(chunk, {})))
            roman_chunks = [roman[j : j + dj] for j in range(m) for dj in range(1, max_roman + 1)]
            row: list[Any] = []
            for src, dst, dk, rk in template:
                chunk, ids = deva_chunks[dk]
                r = roman_chunks[rk]
                gid = ids.get(r)
                if gid is None:
                    gid = ids[r] = len(graphones)
                    graphones.append((chunk, r))
                row += (src, dst, gid)
            flat.extend(row)
            edges += len(template)
            cells.append((n + 1) * (m + 1))
        lengths.append(n + m)
        weights.append(weight)
        offsets.append(edges)
    return tuple(graphones), ShardGrid(cells, lengths, weights, offsets, flat, len(graphones))


def em_shard(task: EMShard) -> EMShardResult:
    """Run one step of the adaptation's alignment EM on one shard (pure; see :class:`EMShard`).

    The sums of :meth:`lipyantar.translit.learned.charalign.Aligner.train` and the segmentations of its ``align``, per
    shard.
    """
    if task.step == "init":
        graphones, init_grid, init_counts = _shard_grid(task.pairs, task.max_deva, task.max_roman)
        return EMShardResult(graphones=graphones, grid=init_grid, counts=init_counts)
    grid, prob = task.grid, task.prob
    if grid is None or prob is None:  # pragma: no cover - checked by EMShard
        raise ValueError("EM shard: the estep and viterbi steps need grid and prob")
    if len(prob) != grid.graphones:
        raise ValueError("EM shard: prob does not match the shard's graphones")
    if _EM_FAST is not None:
        if task.step == "viterbi":
            best = _EM_FAST.em_viterbi(grid.cells, grid.lengths, grid.offsets, grid.flat, prob)
            return EMShardResult(alignments=tuple(best))
        raw, loglik = _EM_FAST.em_estep(grid.cells, grid.offsets, grid.flat, grid.weights, prob)
        counts_arr = array("d")
        counts_arr.frombytes(raw)
        return EMShardResult(counts=counts_arr, loglik=loglik)
    p = prob.tolist()
    if task.step == "viterbi":
        logp = [math.log(x) if x > 0.0 else None for x in p]
        found: list[tuple[float, tuple[int, ...]] | None] = []
        flat = grid.flat.tolist()
        offsets = grid.offsets
        for k, (size, length) in enumerate(zip(grid.cells, grid.lengths, strict=True)):
            if not size:
                found.append(None)
                continue
            best = [-math.inf] * size
            back: list[tuple[int, int] | None] = [None] * size
            best[0] = 0.0
            it = iter(flat[3 * offsets[k] : 3 * offsets[k + 1]])
            for src, dst, g in zip(it, it, it, strict=True):
                s = best[src]
                if s == -math.inf:
                    continue
                lp = logp[g]
                if lp is None:
                    continue
                ns = s + lp
                if ns > best[dst]:
                    best[dst] = ns
                    back[dst] = (src, g)
            if best[size - 1] == -math.inf:
                found.append(None)
                continue
            path: list[int] = []
            cell = size - 1
            while cell:
                step = back[cell]
                if step is None:  # pragma: no cover - unreachable when best is finite
                    break
                cell, g = step
                path.append(g)
            path.reverse()
            found.append((best[size - 1] / length, tuple(path)))
        return EMShardResult(alignments=tuple(found))
    counts = [0.0] * len(p)
    loglik = 0.0
    for size, _length, weight, edges in grid.pairs():
        alpha = [0.0] * size
        alpha[0] = 1.0
        for src, dst, g in edges:
            a = alpha[src]
            if a:
                alpha[dst] += a * p[g]
        z = alpha[size - 1]
        if z <= 0.0:
            continue
        loglik += weight * math.log(z)
        wz = weight / z
        beta = [0.0] * size
        beta[size - 1] = 1.0
        for src, dst, g in reversed(edges):
            nb = beta[dst]
            if nb:
                q = p[g] * nb
                beta[src] += q
                a = alpha[src]
                if a:
                    counts[g] += wz * a * q
    return EMShardResult(counts=array("d", counts), loglik=loglik)


def _adapt_align(
    pairs: Sequence[tuple[str, str, float]],
    init: dict[tuple[str, str], float],
    *,
    iterations: int = 2,
    map_fn: MapFn | None = None,
) -> list[tuple[str, str, float, tuple[tuple[str, str], ...]]]:
    """:func:`lipyantar.translit.learned.learn._align` with ``init`` (MAP-adapted EM from a base distribution, nothing dropped), run in
    shards of :data:`EM_SHARD_PAIRS` pairs through ``map_fn`` (so on an engine's workers). The shard
    results are summed in shard order, so the result does not depend on what ran the shards.

    With the compiled kernels (:data:`_EM_FAST`) the EM runs here, on one grid of all the pairs
    (:func:`_adapt_align_compiled`): a few tenths of a second, less than sending the shards to workers.
    """
    if _EM_FAST is not None:
        return _adapt_align_compiled(_EM_FAST, pairs, init, iterations=iterations)
    run: Any = map_fn or map
    aligner = Aligner()
    max_deva, max_roman = aligner.max_deva, aligner.max_roman
    units = [(deva_units(d), r, c) for d, r, c in pairs]
    prior_weight = sum(c for _, _, c in units)
    shards = [tuple(units[k : k + EM_SHARD_PAIRS]) for k in range(0, len(units), EM_SHARD_PAIRS)]
    del units

    # uniform start over every candidate graphone, mixed with the base distribution. Graphones get
    # global indices (first-seen order, then the base graphones no pair can use); each shard keeps the
    # global indices of its own graphones, so probabilities and counts travel as arrays of numbers
    index: dict[tuple[str, str], int] = {}
    shard_keys: list[tuple[tuple[str, str], ...]] = []
    shard_index: list[array] = []
    grids: list[ShardGrid] = []
    weights: list[float] = []
    for result in run(em_shard, (EMShard("init", s, None, None, max_deva, max_roman) for s in shards)):
        ids = array("i", [index.setdefault(g, len(index)) for g in result.graphones])
        weights.extend([0.0] * (len(index) - len(weights)))
        for gi, c in zip(ids, result.counts, strict=True):
            weights[gi] += c
        shard_keys.append(result.graphones)
        shard_index.append(ids)
        grids.append(result.grid)
    del shards
    total = sum(weights) or 1.0
    prob = [0.1 * c / total for c in weights]
    del weights
    prior: list[tuple[int, float]] = []
    for g, q in init.items():
        gi = index.setdefault(g, len(index))
        if gi == len(prob):
            prob.append(0.0)
        prob[gi] += 0.9 * q
        prior.append((gi, prior_weight * q))
    del index

    def tasks(step: Literal["estep", "viterbi"]) -> Iterator[EMShard]:
        for ids, grid in zip(shard_index, grids, strict=True):
            yield EMShard(step, (), grid, array("d", map(prob.__getitem__, ids)), max_deva, max_roman)

    for it in range(iterations):
        counts = [0.0] * len(prob)
        for gi, c in prior:
            counts[gi] += c
        loglik = 0.0
        for ids, result in zip(shard_index, run(em_shard, tasks("estep")), strict=True):
            loglik += result.loglik
            for gi, c in zip(ids, result.counts, strict=True):
                if c:
                    counts[gi] += c
        total = sum(counts) or 1.0
        prob = [x if x > 1e-9 else 0.0 for x in (c / total for c in counts)]
        kept = len(prob) - prob.count(0.0)
        logger.info("EM iteration %d: log-likelihood %.1f, %d graphones", it + 1, loglik, kept)
    aligned = []
    position = 0
    for keys, result in zip(shard_keys, run(em_shard, tasks("viterbi")), strict=True):
        for found in result.alignments:
            d, r, c = pairs[position]
            position += 1
            if found is not None:
                aligned.append((d, r, c, tuple(keys[g] for g in found[1])))
    logger.info("aligned %d pairs, dropped %d as unalignable", len(aligned), len(pairs) - len(aligned))
    return aligned


def _adapt_align_compiled(
    fast: Any,
    pairs: Sequence[tuple[str, str, float]],
    init: dict[tuple[str, str], float],
    *,
    iterations: int,
) -> list[tuple[str, str, float, tuple[tuple[str, str], ...]]]:
    """:func:`_adapt_align` by the compiled kernels, on one grid of all the pairs: the same steps (uniform
    start over every candidate graphone mixed 0.1 : 0.9 with ``init``, MAP E-steps with ``init`` as a prior
    of the pairs' total weight, Viterbi segmentation), the same graphone order (first seen over the pairs,
    then the base graphones no pair can use). The sums run over all pairs at once rather than shard by
    shard, so counts may differ from the sharded ones in the last bits; graphones are numbered by their
    chunk numbers and made into strings only for the segmentations returned."""
    aligner = Aligner()
    max_deva, max_roman = aligner.max_deva, aligner.max_roman
    units = [(deva_units(d), r, c) for d, r, c in pairs]
    prior_weight = sum(c for _, _, c in units)
    deva_chunks, roman_chunks, ns, ms, deva_ids, roman_ids, lengths, weights = _number_chunks(
        units, max_deva, max_roman
    )
    del units
    raw_cells, raw_offsets, raw_flat, raw_numbers, raw_counts = fast.em_grid(
        ns, ms, deva_ids, roman_ids, weights, max_deva, max_roman
    )
    del ns, ms, deva_ids, roman_ids
    # typed views of the kernel's bytes (no copies: the grid is the biggest thing the EM holds)
    cells, offsets, flat = memoryview(raw_cells).cast("i"), memoryview(raw_offsets).cast("q"), memoryview(raw_flat).cast("i")
    numbers, edge_weights = memoryview(raw_numbers).cast("i"), memoryview(raw_counts).cast("d")
    n_grid = len(edge_weights)
    # the base graphones: those of the grid by their chunk numbers, the others appended (in init's order)
    wanted: dict[tuple[int, int], list[int]] = {}
    extra: list[tuple[str, str]] = []
    for k, (d, r) in enumerate(init):
        dn, rn = deva_chunks.get(d), roman_chunks.get(r)
        if dn is not None and rn is not None:
            wanted.setdefault((dn, rn), []).append(k)
    base_gid = [-1] * len(init)
    if wanted:
        # each grid graphone's (deva, roman) chunk numbers as one int, the grid's found by C-level passes
        wide = {d | r << 32: hit for (d, r), hit in wanted.items()}
        if len(numbers) % 2 == 0 and all(d >= 0 and r >= 0 for d, r in wanted):
            keys = memoryview(raw_numbers).cast("Q") if sys.byteorder == "little" else None
        else:  # pragma: no cover - the kernel gives pairs of non-negative numbers
            keys = None
        if keys is not None:
            for gid in compress(count(), map(wide.__contains__, keys)):
                for k in wide[keys[gid]]:
                    base_gid[k] = gid
        else:  # pragma: no cover - big-endian hosts
            it = iter(numbers)
            for gid, key in enumerate(zip(it, it, strict=True)):
                hit = wanted.get(key)
                if hit is not None:
                    for k in hit:
                        base_gid[k] = gid
    total = sum(edge_weights) or 1.0
    prob = array("d", map(truediv, map(mul, repeat(0.1), edge_weights), repeat(total)))  # 0.1 * c / total
    del edge_weights
    prior: list[tuple[int, float]] = []
    for k, (g, q) in enumerate(init.items()):
        gi = base_gid[k]
        if gi < 0:
            gi = n_grid + len(extra)
            extra.append(g)
            prob.append(0.0)
        prob[gi] += 0.9 * q
        prior.append((gi, prior_weight * q))
    for it_no in range(iterations):
        raw, loglik = fast.em_estep(cells, offsets, flat, weights, prob[:n_grid])
        expected = array("d")
        expected.frombytes(raw)
        counts = [0.0] * len(prob)
        for gi, c in prior:
            counts[gi] += c
        # each grid graphone's expected count added (a zero adds nothing: the same sums as adding only
        # the others), in one C-level pass
        counts[: len(expected)] = map(add, counts[: len(expected)], expected)
        total = sum(counts) or 1.0
        prob = array("d", [x if x > 1e-9 else 0.0 for x in map(truediv, counts, repeat(total))])
        kept = len(prob) - prob.count(0.0)
        logger.info("EM iteration %d: log-likelihood %.1f, %d graphones", it_no + 1, loglik, kept)
    found = fast.em_viterbi(cells, lengths, offsets, flat, prob[:n_grid])
    deva_list, roman_list = list(deva_chunks), list(roman_chunks)
    aligned = []
    made: dict[int, tuple[str, str]] = {}
    for (d, r, c), hit in zip(pairs, found, strict=True):
        if hit is not None:
            path = []
            for g in hit[1]:
                graphone = made.get(g)
                if graphone is None:
                    graphone = made[g] = (deva_list[numbers[2 * g]], roman_list[numbers[2 * g + 1]])
                path.append(graphone)
            aligned.append((d, r, c, tuple(path)))
    logger.info("aligned %d pairs, dropped %d as unalignable", len(aligned), len(pairs) - len(aligned))
    return aligned
