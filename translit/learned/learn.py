"""Training pipeline of the learned romanization model: pairs (and native text) → LearnedModel.

1. Normalize the pairs (Devanagari: NFC, decomposed nukta; Latin: lower-case letters).
2. EM many-to-many alignment (:mod:`lipyantar.translit.learned.charalign`); the worst-aligned pairs
   (``noise_fraction``, and every pair that cannot be aligned) are dropped as noise.
3. Count graphone n-grams over the Viterbi alignments, weighted by the pairs' counts, and build the
   joint model (:mod:`lipyantar.translit.learned.jointseq`).
4. Devanagari character LM over all native word types; word model from native sentences plus an
   optional extra word-frequency prior (e.g. a frequency list) and the lexicon natives.

:func:`adapt` teaches an existing model a corpus's own conventions from a handful of pairs: they
are aligned with the base model's graphone distribution, their graphone n-grams are added with a
large weight to the base counts, and the pairs enter the memory with a weight that makes them win.
Its alignment EM runs in fixed shards of pairs (:class:`EMShard`, :func:`em_shard`) through any
ordered ``map`` (``build`` passes its engine's, so the shards run on its workers), and the shard sums
are added in shard order, so the model does not depend on what ran them. With the compiled kernels
(``_fastlm.em_grid``, ``em_estep``, ``em_viterbi``) the EM runs in the calling process instead, on one
grid of all the pairs: the same alignments. :func:`save_adapted` writes the adapted model straight to a
file: the joint model compiles on a worker while this process serializes the rest.
:func:`save_adaptation` writes it as an adaptation file of its base, from the adapted tables and a row
patch of the count table merged with the base's: no joint model compiled, no full file written.
Word pairs from a twin text: :func:`lipyantar.align.pairs_from_twin`.

Training is deterministic: no sampling; every iteration order is sorted or insertion-ordered.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from lipyantar.translit.errors import InputError, ModelError
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.charalign import (
    DEVA_WORD_RE,
    Aligner,
    deva_units,
    is_wellformed,
    normalize_deva,
    normalize_roman,
)
from lipyantar.translit.learned.english import train_english
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import FAST as _FASTLM
from lipyantar.translit.learned.langmodel import CharLM, WordLM, kn_arrays, merge_kn_parts
from lipyantar.translit.learned.lexicon import iter_pairs
from lipyantar.translit.learned.model import DecodeParams, LearnedModel, write_model_file

__all__ = [
    "EM_SHARD_PAIRS",
    "BaseSegment",
    "EMShard",
    "EMShardResult",
    "ShardGrid",
    "adapt",
    "base_segment",
    "deva_words",
    "em_compiled",
    "em_shard",
    "read_pairs",
    "save_adaptation",
    "save_adapted",
    "train",
]

logger = logging.getLogger(__name__)



def deva_words(text: str) -> list[str]:
    """The normalized Devanagari words of a text, in order."""
    return DEVA_WORD_RE.findall(normalize_deva(text))


def read_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str, float]]:
    """Read a ``native<TAB>roman[<TAB>count]`` file (Dakshina lexicon layout; ``"-"`` is stdin; a BOM
    and CRLF line ends are tolerated).

    Blank lines and lines starting with ``#`` are skipped; anything else malformed (or invalid UTF-8)
    raises :class:`InputError` with the line number (the reader of user lexicons too:
    :func:`lipyantar.translit.learned.lexicon.iter_pairs`).
    """
    return [pair for _, pair in iter_pairs(path)]


def _prepare(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    merged: dict[tuple[str, str], float] = defaultdict(float)
    for deva, roman, count in pairs:
        d = normalize_deva(deva.strip())
        r = normalize_roman(roman)
        if d and r and DEVA_WORD_RE.fullmatch(d):
            merged[(d, r)] += count
    return [(d, r, c) for (d, r), c in sorted(merged.items())]


def _align(
    pairs: Sequence[tuple[str, str, float]],
    *,
    iterations: int,
    noise_fraction: float,
    init: dict[tuple[str, str], float] | None = None,
) -> list[tuple[str, str, float, tuple[tuple[str, str], ...]]]:
    aligner = Aligner()
    units = [(deva_units(d), r, c) for d, r, c in pairs]
    if init is None:
        aligner.train(units, iterations=iterations)
    else:
        weight = sum(c for _, _, c in units)
        aligner.train(units, iterations=iterations, init=init, prior_weight=weight)
    aligned = []
    for (d, r, c), (u, _, _) in zip(pairs, units, strict=True):
        a = aligner.align(u, r)
        if a is not None:
            aligned.append((a.score, d, r, c, a.graphones))
    dropped = len(pairs) - len(aligned)
    if noise_fraction > 0 and aligned:
        scores = sorted(a[0] for a in aligned)
        cut = scores[int(len(scores) * noise_fraction)]
        kept = [a for a in aligned if a[0] >= cut]
        dropped += len(aligned) - len(kept)
        aligned = kept
    logger.info("aligned %d pairs, dropped %d as noisy or unalignable", len(aligned), dropped)
    return [(d, r, c, g) for _, d, r, c, g in aligned]


def train(
    pairs: Iterable[tuple[str, str, float]],
    *,
    native_text: Iterable[str] | None = None,
    word_prior: dict[str, float] | None = None,
    seed: int = 0,
    order: int = 5,
    char_order: int = 5,
    roman_order: int = 4,
    word_order: int = 3,
    em_iterations: int = 4,
    noise_fraction: float = 0.01,
    memory_min_count: float = 2.0,
    precompute: int = 0,
    params: DecodeParams | None = None,
    meta: dict[str, object] | None = None,
    pronunciations: Mapping[str, Sequence[str]] | None = None,
    vocab_index: bool = True,
) -> LearnedModel:
    """Learn a model from (Devanagari word, romanization, count) pairs.

    ``lipyantar learn --base none`` trains through this function, so the command and the API give the
    same model from the same pairs.

    Args:
        pairs: training word pairs; counts weight them.
        native_text: lines of native Devanagari text (for the word and character models).
        word_prior: extra word → count table for the unigram prior (e.g. a frequency list).
        seed: recorded in the model; training itself is deterministic.
        order, char_order, roman_order, word_order: n-gram orders of the joint, Devanagari
            character, Latin character and word models.
        em_iterations: EM iterations of the aligner.
        noise_fraction: fraction of worst-aligned pairs dropped as noise (from the models; see
            ``memory_min_count``).
        memory_min_count: a pair that the aligner drops (as noise or unalignable) still enters the
            memory when it is attested at least this many times and its Devanagari is well formed
            (``delhi`` → दिल्ली, ``drdo`` → डीआरडीओ are real spellings that the character aligner cannot
            explain letter by letter); but not the pair of a Latin word with an English pronunciation
            that the memory does not know otherwise (``my`` → माय: the English model spells those, and a
            word in the memory is not read as English).
        precompute: store the best romanization of this many most frequent native words (speed).
        params: decoding parameters stored in the model.
        pronunciations: English word → encoded pronunciations (:func:`lipyantar.translit.learned.english.read_cmudict`);
            with them the model also learns how Hindi writes English words by their sound
            (:mod:`lipyantar.translit.learned.english`) and keeps the table.
        vocab_index: index the vocabulary's words by their romanizations' consonant skeletons
            (:meth:`LearnedModel.build_vocab_index`: Latin input also gets the known words under its
            skeleton as candidates; ``sangathan`` → संगठन). It romanizes every word of the vocabulary;
            a model used only to romanize can do without it.
    """
    prepared = _prepare(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to learn from")
    aligned = _align(prepared, iterations=em_iterations, noise_fraction=noise_fraction)
    ids: dict[tuple[str, str], int] = {("", ""): 0}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c))
    graphone_list = sorted(ids, key=ids.__getitem__)
    joint = JointModel(graphone_list, JointModel.count_ngrams(seqs, order=order), order=order)

    sentences = [deva_words(line) for line in native_text or ()]
    sentences = [s for s in sentences if s]
    extra: defaultdict[str, float] = defaultdict(float)
    for w, c in (word_prior or {}).items():
        nw = normalize_deva(w)
        if DEVA_WORD_RE.fullmatch(nw):
            extra[nw] += c
    for d, _r, c, _g in aligned:
        extra[d] += c
    wordlm = WordLM.train(sentences, order=word_order, extra_prior=dict(extra))
    charlm = CharLM.train(((deva_units(w), 1.0) for w in sorted(wordlm.prior)), order=char_order)
    romanlm = CharLM.train(((tuple(r), c) for _d, r, c, _g in aligned), order=roman_order)
    info = {
        "seed": seed,
        "pairs": len(prepared),
        "pairs_used": len(aligned),
        "sentences": len(sentences),
        "order": order,
        **(meta or {}),
    }
    kept = {(d, r) for d, r, _c, _g in aligned}
    known = {r for _d, r, _c, _g in aligned}
    spoken = pronunciations or {}
    # a word the memory knows is not read as English (he → है): a pair the aligner could not explain
    # must not switch that off for an English word (my → माय; the English model spells it)
    rescued = [
        (d, r, c)
        for d, r, c in prepared
        if (d, r) not in kept
        and c >= memory_min_count
        and is_wellformed(d)
        and (r in known or r not in spoken)
    ]
    memory = [(d, r, c) for d, r, c, _g in aligned] + rescued
    info["memory_rescued"] = len(rescued)
    english = train_english(prepared, pronunciations, order=order) if pronunciations else None
    if english is not None:
        info["english_words"] = len(english.prons)
    model = LearnedModel(
        joint=joint,
        charlm=charlm,
        wordlm=wordlm,
        romanlm=romanlm,
        pairs=memory,
        params=params,
        meta=info,
        english=english,
    )
    if precompute:
        frequent = sorted(wordlm.prior, key=lambda w: (-wordlm.prior[w], w))[:precompute]
        added = model.precompute_romanizations(frequent)
        logger.info("precomputed romanizations of %d frequent words", added)
    if vocab_index:
        keys = model.build_vocab_index()
        logger.info("vocabulary index: %d consonant skeletons", keys)
    return model


# -- adaptation: the alignment EM in shards ------------------------------------------------------
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


def _shard_grid_fast(
    fast: Any, pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[tuple[tuple[str, str], ...], ShardGrid, array]:
    """:func:`_shard_grid_python` by the compiled kernel: the chunks are numbered here, the grids' edges
    and the graphones (as chunk-number pairs, first-seen order) made by ``_fastlm.em_grid``."""
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
            [
                deva_chunks.setdefault("".join(units[i : i + di]), len(deva_chunks))
                for i in range(n)
                for di in range(1, max_deva + 1)
            ]
        )
        roman_ids.extend(
            [
                roman_chunks.setdefault(roman[j : j + dj], len(roman_chunks))
                for j in range(m)
                for dj in range(1, max_roman + 1)
            ]
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
    """:func:`_align` with ``init`` (MAP-adapted EM from a base distribution, nothing dropped), run in
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
    deva_chunks: dict[str, int] = {}
    roman_chunks: dict[str, int] = {}
    ns, ms, deva_ids, roman_ids = array("i"), array("i"), array("i"), array("i")
    lengths, weights = array("i"), array("d")
    for u, roman, weight in units:
        n, m = len(u), len(roman)
        lengths.append(n + m)
        weights.append(weight)
        if not (n and m):
            ns.append(0)
            ms.append(0)
            continue
        ns.append(n)
        ms.append(m)
        deva_ids.extend(
            [deva_chunks.setdefault("".join(u[i : i + di]), len(deva_chunks)) for i in range(n) for di in range(1, max_deva + 1)]
        )
        roman_ids.extend(
            [roman_chunks.setdefault(roman[j : j + dj], len(roman_chunks)) for j in range(m) for dj in range(1, max_roman + 1)]
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
        it = iter(numbers)
        for gid, key in enumerate(zip(it, it, strict=True)):
            hit = wanted.get(key)
            if hit is not None:
                for k in hit:
                    base_gid[k] = gid
    total = sum(edge_weights) or 1.0
    prob = array("d", [0.1 * c / total for c in edge_weights])
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
        for gi, c in enumerate(expected):
            if c:
                counts[gi] += c
        total = sum(counts) or 1.0
        prob = array("d", [x if x > 1e-9 else 0.0 for x in (c / total for c in counts)])
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


@dataclass(frozen=True)
class _Adaptation:
    """What :func:`adapt` changes in the base model: the joint model's graphones and counts, the word
    model (prior), the memory and the metadata."""

    graphones: list[tuple[str, str]]
    counts: dict[tuple[int, ...], float]
    order: int
    wordlm: WordLM
    memory: list[tuple[str, str, float]]
    meta: dict[str, Any]


def _adaptation(
    base: LearnedModel,
    pairs: Iterable[tuple[str, str, float]],
    *,
    ngram_weight: float,
    memory_weight: float,
    native_text: Iterable[str] | None,
    map_fn: MapFn | None,
    merge: bool = True,
) -> _Adaptation:
    """What adapting ``base`` to ``pairs`` changes; ``merge=False``: ``counts`` holds only the counts added
    to the base's (the base's count table is then not decoded)."""
    prepared = _prepare(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to adapt to")
    joint = base.joint
    # the unigram counts in the count table's order (ids ascending), read without decoding the table
    unigrams = {g: c for g, c in joint._unigram_counts().items() if g != 0}
    total = sum(unigrams.values()) or 1.0
    init = {joint.graphones[g]: c / total for g, c in unigrams.items()}
    aligned = _adapt_align(prepared, init, iterations=2, map_fn=map_fn)
    ids = {g: i for i, g in enumerate(joint.graphones)}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c * ngram_weight))
    added = JointModel.count_ngrams(seqs, order=joint.order)
    if merge:
        counts = dict(joint.counts)
        for ng, c in added.items():
            counts[ng] = counts.get(ng, 0.0) + c
        # in the order of the file's count table (by length, then ids): the automaton compiled from these
        # counts is then bit-identical to one compiled from a file's counts (adaptation files rebuild it)
        counts = dict(sorted(counts.items(), key=lambda kv: (len(kv[0]), kv[0])))
    else:
        counts = added
    graphone_list = sorted(ids, key=ids.__getitem__)
    wordlm = base.wordlm
    if native_text is not None:
        sentences = [s for s in (deva_words(line) for line in native_text) if s]
        prior = dict(wordlm.prior)
        for s in sentences:
            for w in s:
                prior[w] = prior.get(w, 0.0) + 1.0
        wordlm = WordLM(wordlm.vocab, None, order=wordlm.order, prior=prior, lm=wordlm.lm)
    memory = [(d, r, c) for d, romans in base.memory.d2r.items() for r, c in romans.items()] + [
        (d, r, c * memory_weight) for d, r, c, _g in aligned
    ]
    meta = dict(base.meta)
    meta["adapted_pairs"] = int(meta.get("adapted_pairs", 0)) + len(aligned)
    return _Adaptation(graphone_list, counts, joint.order, wordlm, memory, meta)


def adapt(
    base: LearnedModel,
    pairs: Iterable[tuple[str, str, float]],
    *,
    ngram_weight: float = 10.0,
    memory_weight: float = 100.0,
    native_text: Iterable[str] | None = None,
    map_fn: MapFn | None = None,
) -> LearnedModel:
    """A copy of ``base`` adapted to the conventions of a (small) set of pairs.

    The pairs are aligned with the base model's graphone distribution (two EM iterations starting
    from it); their graphone n-grams are added to the base counts ``ngram_weight`` times, and they
    enter the memory ``memory_weight`` times so that attested spellings win in both directions.

    The alignment EM runs in fixed shards of pairs through ``map_fn`` (default: the built-in ``map``,
    in this process; ``build`` passes its engine's, so the shards run on its workers); the adapted
    model is the same whatever runs them. :func:`save_adapted` writes the same model straight to a file.
    """
    a = _adaptation(
        base,
        pairs,
        ngram_weight=ngram_weight,
        memory_weight=memory_weight,
        native_text=native_text,
        map_fn=map_fn,
    )
    return _adapted_model(base, a)


def _adapted_model(base: LearnedModel, a: _Adaptation) -> LearnedModel:
    return LearnedModel(
        joint=JointModel(a.graphones, a.counts, order=a.order),
        charlm=base.charlm,
        wordlm=a.wordlm,
        romanlm=base.romanlm,
        pairs=a.memory,
        params=base.params,
        meta=a.meta,
        vocab_index=base.vocab_index,  # the base vocabulary's words are still the adapted model's
        english=base.english,
    )


# -- the joint model's automaton, compiled in parts ------------------------------------------------
#: The joint model compiles in this many parts (by graphone id), each on a worker when there are workers.
#: One: the parts repeat the global sums, and while the joint model compiles on one worker this process
#: serializes and compresses the rest of the file on the other core.
COMPILE_PARTS = 1


@dataclass(frozen=True)
class _CompilePart:
    """One part of compiling a joint model (a picklable task for :func:`_compile_part`)."""

    vocab_size: int
    counts: dict[tuple[int, ...], float]
    order: int
    part: int
    parts: int
    #: the part of every token id (the n-grams ending in it are this part's)
    assign: bytes


def _compile_part(task: _CompilePart) -> dict[str, array]:
    """One part of the automaton (see :func:`lipyantar.translit.learned.langmodel.kn_arrays`)."""
    return kn_arrays(task.vocab_size, task.counts, task.order, part=task.part, parts=task.parts, assign=task.assign)


def _compile_parts(results: Sequence[dict[str, array]]) -> dict[str, array]:
    """The automaton arrays from its parts (see :func:`lipyantar.translit.learned.langmodel.merge_kn_parts`)."""
    return merge_kn_parts(results)


# -- writing an adapted model --------------------------------------------------------------------
_JOINT_PLACEHOLDER = "joint.<compiled>"


@dataclass(frozen=True)
class _JointTask:
    graphones: list[tuple[str, str]]
    counts: dict[tuple[int, ...], float]
    order: int


def _compile_joint(task: _JointTask, map_fn: MapFn | None = None) -> dict[str, array]:
    """The joint automaton's arrays (as ``JointModel(...).to_arrays()``), compiled in
    :data:`COMPILE_PARTS` parts through ``map_fn`` (default: here)."""
    run: Any = map_fn or map
    return _compile_parts(list(run(_compile_part, _part_tasks(task, COMPILE_PARTS))))


def _part_tasks(task: _JointTask, parts: int) -> list[_CompilePart]:
    """Tasks compiling ``task`` in ``parts`` parts of about equal work: tokens by decreasing number of
    n-grams ending in them, each to the part with the fewest so far."""
    if not 1 <= parts < 256:
        raise ValueError(f"parts must be within 1..255, not {parts}")
    vocab = max(len(task.graphones), 1)
    ending: Counter[int] = Counter(ng[-1] for ng in task.counts)
    load = [0] * parts
    assign = bytearray(vocab + 1)
    for g in sorted(range(vocab + 1), key=lambda g: (-ending[g], g)):
        k = min(range(parts), key=load.__getitem__)
        assign[g] = k
        load[k] += ending[g]
    return [_CompilePart(vocab, task.counts, task.order, k, parts, bytes(assign)) for k in range(parts)]


class _Uncompiled:
    """A joint model's graphones and counts standing in for the compiled model in a LearnedModel that is
    only serialized: its automaton arrays are a placeholder (they are compiled elsewhere)."""

    def __init__(self, task: _JointTask) -> None:
        self.graphones, self.counts, self.order = task.graphones, task.counts, task.order

    def prune_index(self, **_: Any) -> None:
        pass

    def to_arrays(self) -> dict[str, array]:
        return {_JOINT_PLACEHOLDER.split(".", 1)[1]: array("B")}

    def count_arrays(self) -> tuple[array, array]:
        """The raw counts in the file layout of :meth:`JointModel.count_arrays`."""
        order = self.order
        flat, values = array("i"), array("d")
        for ng in sorted(self.counts, key=lambda t: (len(t), t)):
            flat.extend(ng)
            if len(ng) < order:
                flat.extend([-1] * (order - len(ng)))
            values.append(self.counts[ng])
        return flat, values


class _Serialized:
    """A model component (character, Latin or word model) whose n-gram automaton was serialized once
    (:class:`BaseSegment`): ``.lm.to_arrays()`` returns those arrays; every other attribute is the
    component's."""

    def __init__(self, inner: Any, arrays: dict[str, array]) -> None:
        self._inner = inner
        self.lm = _Arrays(inner.lm, arrays)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Arrays:
    """An n-gram model whose ``to_arrays()`` was computed once."""

    def __init__(self, inner: Any, arrays: dict[str, array]) -> None:
        self._inner = inner
        self._arrays = arrays

    def to_arrays(self) -> dict[str, array]:
        return self._arrays

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass(frozen=True)
class BaseSegment:
    """What an adapted model's file copies from the base model: the automata of its character, Latin and
    word models (adaptation does not change them), serialized once (see :func:`base_segment`)."""

    arrays: dict[str, dict[str, array]]
    names: tuple[str, ...]


def base_segment(base: LearnedModel) -> BaseSegment:
    """Serialize what :func:`save_adapted` copies from ``base`` (independent of the pairs: ``build`` does
    it in the background while it aligns)."""
    arrays = {name: getattr(base, name).lm.to_arrays() for name in ("charlm", "romanlm", "wordlm")}
    names = tuple(f"{lm}.{key}" for lm, named in arrays.items() for key in named)
    return BaseSegment(arrays, names)


def save_adapted(
    base: LearnedModel,
    pairs: Iterable[tuple[str, str, float]],
    dest: str | os.PathLike[str],
    *,
    ngram_weight: float = 10.0,
    memory_weight: float = 100.0,
    map_fn: MapFn | None = None,
    segment: BaseSegment | None = None,
) -> int:
    """Write ``adapt(base, pairs, ...)`` to ``dest`` (atomically) without building it in memory.

    The file holds the same model as ``adapt(...).save(dest)``: the arrays and tables come from
    :meth:`LearnedModel.to_arrays` of the adapted model, with the joint model compiled on a worker
    (through ``map_fn``) while this process serializes the rest. The bytes are the same for any
    ``map_fn``. ``segment`` is
    :func:`base_segment` of ``base``, when already made. Returns the number of adapted pairs.
    """
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts: the plain path
        model = adapt(base, pairs, ngram_weight=ngram_weight, memory_weight=memory_weight, map_fn=map_fn)
        model.save(dest)
        return int(model.meta.get("adapted_pairs", 0))
    a = _adaptation(
        base, pairs, ngram_weight=ngram_weight, memory_weight=memory_weight, native_text=None, map_fn=map_fn
    )
    task = _JointTask(a.graphones, a.counts, a.order)
    pool = ThreadPoolExecutor(max_workers=1) if map_fn is not None else None
    try:
        # the joint model compiles on a worker, through map_fn, while this process serializes the rest
        compiled = pool.submit(_compile_joint, task, map_fn) if pool is not None else None
        if segment is None:
            segment = base_segment(base)
        try:
            shell = LearnedModel(
                joint=_Uncompiled(task),  # type: ignore[arg-type]
                charlm=_Serialized(base.charlm, segment.arrays["charlm"]),  # type: ignore[arg-type]
                wordlm=_Serialized(a.wordlm, segment.arrays["wordlm"]),  # type: ignore[arg-type]
                romanlm=_Serialized(base.romanlm, segment.arrays["romanlm"]),  # type: ignore[arg-type]
                pairs=a.memory,
                params=base.params,
                meta=a.meta,
                vocab_index=base.vocab_index,
                english=base.english,
            )
            tables, arrays = shell._tables_and_arrays()
        except (
            AttributeError,
            TypeError,
        ) as exc:  # LearnedModel needs more of its parts than this writer has
            logger.debug("writing the adapted model the plain way: %s", exc)
            model = _adapted_model(base, a)
            model.save(dest)
            return int(model.meta.get("adapted_pairs", 0))
        meta = shell.meta
        del shell
        if list(arrays).count(_JOINT_PLACEHOLDER) != 1:  # pragma: no cover - a LearnedModel of another layout
            raise ModelError("cannot write the adapted model: unexpected layout of the model file")
        joint = compiled.result() if compiled is not None else _compile_joint(task)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    full: dict[str, array] = {}
    for name, arr in arrays.items():
        if name == _JOINT_PLACEHOLDER:
            full.update((f"joint.{k}", v) for k, v in joint.items())
        else:
            full[name] = arr
    write_model_file(dest, modelfile.model_file_bytes(full, meta, tables=tables))
    return int(meta.get("adapted_pairs", 0))


def save_adaptation(
    base: LearnedModel,
    pairs: Iterable[tuple[str, str, float]],
    dest: str | os.PathLike[str],
    *,
    base_data: bytes,
    ngram_weight: float = 10.0,
    memory_weight: float = 100.0,
    map_fn: MapFn | None = None,
    segment: BaseSegment | None = None,
) -> int:
    """Write ``adapt(base, pairs, ...)`` to ``dest`` (atomically) as an adaptation file of ``base``, whose
    model file's bytes are ``base_data`` (:mod:`lipyantar.translit.learned.adaptation`), made straight from the
    adapted model's tables and count table: the joint automaton is not compiled (loading rebuilds it from
    the counts) and no full model file is written. The model read back is the one :func:`save_adapted`
    writes. ``map_fn`` runs the alignment EM's shards when the compiled kernels are not built (see
    :func:`adapt`). ``segment`` is :func:`base_segment` of ``base``, when already made. Returns the number
    of adapted pairs."""
    from lipyantar.translit.learned.adaptation import make_adaptation_of
    from lipyantar.translit.learned.model import MODEL_FILE_FORMAT

    a = _adaptation(
        base, pairs, ngram_weight=ngram_weight, memory_weight=memory_weight, native_text=None, map_fn=map_fn, merge=False
    )
    base_flat, base_values = base.joint.count_arrays()
    rows = _count_rows_patch(base_flat, base_values, a.counts, a.order)
    if segment is None:
        segment = base_segment(base)
    shell = LearnedModel(
        joint=_Uncompiled(_JointTask(a.graphones, {}, a.order)),  # type: ignore[arg-type]
        charlm=_Serialized(base.charlm, segment.arrays["charlm"]),  # type: ignore[arg-type]
        wordlm=_Serialized(a.wordlm, segment.arrays["wordlm"]),  # type: ignore[arg-type]
        romanlm=_Serialized(base.romanlm, segment.arrays["romanlm"]),  # type: ignore[arg-type]
        pairs=a.memory,
        params=base.params,
        meta=a.meta,
        vocab_index=base.vocab_index,
        english=base.english,
    )
    tables, arrays = shell._tables_and_arrays()
    meta = shell.meta
    del shell
    if list(arrays).count(_JOINT_PLACEHOLDER) != 1:  # pragma: no cover - a LearnedModel of another layout
        raise ModelError("cannot write the adapted model: unexpected layout of the model file")
    # what adapting leaves as the base's: the character, Latin and word models (their automata are the
    # base's, serialized once in the segment), the vocabulary index and the English model
    own = ("charlm", "romanlm", "wordlm", "vocab_index", "english")
    unchanged = [f"tables.{k}" for k in own if k in tables]
    full: dict[str, array | None] = {}
    for name, arr in arrays.items():
        if name == _JOINT_PLACEHOLDER:  # rebuilt on load from the counts: the base's names, not computed
            full.update((f"joint.{k}", None) for k in base.joint.to_arrays())
        elif name in ("joint.count_ngrams", "joint.count_values"):
            full[name] = None  # given as a row patch
        elif name.split(".", 1)[0] in own:
            full[name] = None
            unchanged.append(name)
        else:
            full[name] = arr
    del arrays
    tables = {k: None if k in own else v for k, v in tables.items()}
    data = make_adaptation_of(
        base_data,
        tables,
        full,
        fmt=MODEL_FILE_FORMAT,
        meta=meta,
        row_patches={"joint.counts": rows},
        unchanged=unchanged,
    )
    write_model_file(dest, data)
    return int(meta.get("adapted_pairs", 0))


def _count_rows_patch(
    base_flat: Sequence[int], base_values: Sequence[float], added: Mapping[tuple[int, ...], float], order: int
) -> dict[str, array]:
    """The row patch (:mod:`lipyantar.translit.learned.adaptation`) that turns the base's count table (rows of
    ``order`` ids padded with -1, sorted by length then ids, and their values) into the table with
    ``added`` added to it: a merge of the two sorted tables (a row whose value changes is dropped and
    inserted again), the patch that diffing the two tables gives."""
    name = "joint.counts"
    keys = sorted(added, key=lambda t: (len(t), t))
    n_base = len(base_values)
    drops, at, rows0, rows1 = array("q"), array("q"), array("i"), array("d")

    def base_key(i: int) -> tuple[int, tuple[int, ...]]:
        ids = tuple(x for x in base_flat[i * order : (i + 1) * order] if x >= 0)
        return len(ids), ids

    i = 0
    produced = 0
    current = base_key(0) if n_base else None
    for ng in keys:
        key = (len(ng), ng)
        while current is not None and current < key:  # base rows kept as they are
            i += 1
            produced += 1
            current = base_key(i) if i < n_base else None
        value = added[ng]
        if current is not None and current == key:
            value = base_values[i] + value
            if value == base_values[i]:  # unchanged: kept
                i += 1
                produced += 1
                current = base_key(i) if i < n_base else None
                continue
            if drops and drops[-1] == i:
                drops[-1] = i + 1
            else:
                drops.extend((i, i + 1))
            i += 1
            current = base_key(i) if i < n_base else None
        else:
            value = 0.0 + value
        at.append(produced)
        rows0.extend(ng)
        if len(ng) < order:
            rows0.extend([-1] * (order - len(ng)))
        rows1.append(value)
        produced += 1
    widths = array("q", [order, 1]) if n_base or keys else array("q", [1, 1])
    return {f"{name}.drop": drops, f"{name}.at": at, f"{name}.widths": widths, f"{name}.rows0": rows0, f"{name}.rows1": rows1}
