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
are added in shard order, so the model does not depend on what ran them. :func:`save_adapted` writes
the adapted model straight to a file: the joint model compiles on a worker while this process
serializes the rest.
:func:`pairs_from_lines` extracts word pairs from a line-aligned Devanagari text and its romanized
twin (:func:`lipyantar.align.pairs_from_twin` aligns any twin first).

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

import regex

from lipyantar.translit.errors import InputError, ModelError
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.charalign import (
    Aligner,
    deva_units,
    is_wellformed,
    normalize_deva,
    normalize_roman,
)
from lipyantar.translit.learned.english import train_english
from lipyantar.translit.learned.jointseq import JointModel
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
    "em_shard",
    "pairs_from_lines",
    "read_pairs",
    "save_adapted",
    "train",
]

logger = logging.getLogger(__name__)

_DEVA_WORD = regex.compile(r"[\u0900-\u0963\u0971-\u097f]+")
_WORD = regex.compile(r"[\u0900-\u0963\u0971-\u097f]+|[A-Za-z]+")


def deva_words(text: str) -> list[str]:
    """The normalized Devanagari words of a text, in order."""
    return _DEVA_WORD.findall(normalize_deva(text))


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
        if d and r and _DEVA_WORD.fullmatch(d):
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
) -> LearnedModel:
    """Learn a model from (Devanagari word, romanization, count) pairs.

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
    extra: Counter[str] = Counter()
    for w, c in (word_prior or {}).items():
        nw = normalize_deva(w)
        if _DEVA_WORD.fullmatch(nw):
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


def _shard_grid(
    pairs: Sequence[_Unit], max_deva: int, max_roman: int
) -> tuple[tuple[tuple[str, str], ...], ShardGrid]:
    """The shard's graphones (first-seen order) and grids (see :class:`ShardGrid`)."""
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
            row = []
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
        graphones, grid = _shard_grid(task.pairs, task.max_deva, task.max_roman)
        counts = [0.0] * len(graphones)
        for _size, _length, weight, edges in grid.pairs():
            for _s, _d, g in edges:
                counts[g] += weight
        return EMShardResult(graphones=graphones, grid=grid, counts=array("d", counts))
    grid, prob = task.grid, task.prob
    if grid is None or prob is None:  # pragma: no cover - checked by EMShard
        raise ValueError("EM shard: the estep and viterbi steps need grid and prob")
    if len(prob) != grid.graphones:
        raise ValueError("EM shard: prob does not match the shard's graphones")
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
    results are summed in shard order, so the result does not depend on what ran the shards."""
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
) -> _Adaptation:
    prepared = _prepare(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to adapt to")
    joint = base.joint
    unigrams = {g: c for g, c in joint.counts.items() if len(g) == 1 and g[0] != 0}
    total = sum(unigrams.values()) or 1.0
    init = {joint.graphones[g[0]]: c / total for g, c in unigrams.items()}
    aligned = _adapt_align(prepared, init, iterations=2, map_fn=map_fn)
    ids = {g: i for i, g in enumerate(joint.graphones)}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c * ngram_weight))
    counts = dict(joint.counts)
    for ng, c in JointModel.count_ngrams(seqs, order=joint.order).items():
        counts[ng] = counts.get(ng, 0.0) + c
    # in the order of the file's count table (by length, then ids): the automaton compiled from these
    # counts is then bit-identical to one compiled from a file's counts (adaptation files rebuild it)
    counts = dict(sorted(counts.items(), key=lambda kv: (len(kv[0]), kv[0])))
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


# -- twin texts ----------------------------------------------------------------------------------
def _similarity(a: str, b: str) -> float:
    """1 - normalized Levenshtein distance of two Latin strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def _align_words(
    deva: Sequence[str], roman: Sequence[str], base: LearnedModel, *, min_similarity: float
) -> list[tuple[str, str]]:
    """Monotonic word alignment (edit-distance DP on the base model's romanizations)."""
    keys = [w if w.isascii() else base.romanize(w) for w in deva]
    rom = [normalize_roman(w) for w in roman]
    n, m = len(keys), len(rom)
    gap = -0.3
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0], back[i][0] = score[i - 1][0] + gap, 1
    for j in range(1, m + 1):
        score[0][j], back[0][j] = score[0][j - 1] + gap, 2
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sim = _similarity(keys[i - 1], rom[j - 1])
            options = (
                (score[i - 1][j - 1] + sim - 0.3, 0),
                (score[i - 1][j] + gap, 1),
                (score[i][j - 1] + gap, 2),
            )
            score[i][j], back[i][j] = max(options)
    out = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        if step == 0:
            d, r = deva[i - 1], roman[j - 1]
            if not d.isascii() and r.isascii() and _similarity(keys[i - 1], rom[j - 1]) >= min_similarity:
                out.append((d, r))
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    out.reverse()
    return out


def _split_paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def pairs_from_lines(
    deva_text: str,
    roman_text: str,
    base: LearnedModel,
    *,
    min_similarity: float = 0.3,
) -> list[tuple[str, str, float]]:
    """Word pairs from a line-aligned Devanagari text and its romanized twin.

    The texts must have one paragraph or sentence per line, the same number of non-blank lines;
    the words of each line pair are aligned by a monotonic edit-distance alignment, with ``base``
    as the romanizer that makes the two scripts comparable. For texts that are not line-aligned,
    :func:`lipyantar.align.pairs_from_twin` aligns sentences and words first.
    """
    deva_lines = _split_paragraphs(deva_text)
    roman_lines = _split_paragraphs(roman_text)
    if len(deva_lines) != len(roman_lines):
        raise InputError(
            f"twin texts are not line-aligned: {len(deva_lines)} Devanagari lines, "
            f"{len(roman_lines)} romanized lines"
        )
    counts: Counter[tuple[str, str]] = Counter()
    for dl, rl in zip(deva_lines, roman_lines, strict=True):
        dw = _WORD.findall(normalize_deva(dl))
        rw = _WORD.findall(rl)
        for d, r in _align_words(dw, rw, base, min_similarity=min_similarity):
            counts[(d, r.lower())] += 1
    return [(d, r, float(c)) for (d, r), c in counts.items()]
