"""Adapting a learned model to a corpus's own conventions from a handful of pairs, and writing the
adapted model (the adaptation *file format* is :mod:`lipyantar.translit.learned.adaptation`).

:func:`adapt`: the pairs are aligned with the base model's graphone distribution
(:mod:`lipyantar.translit.learned.adapt_em`), their graphone n-grams are added with a large weight to the
base counts, and the pairs enter the memory with a weight that makes them win. :func:`save_adapted`
writes the adapted model straight to a file: the joint model compiles on a worker while this process
serializes the rest. :func:`save_adaptation` writes it as an adaptation file of its base, from the adapted
tables and a row patch of the count table merged with the base's: no joint model compiled, no full file
written.
"""

from __future__ import annotations

import logging
import os
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, repeat
from operator import add
from typing import Any

from lipyantar.translit.errors import InputError, ModelError
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.adapt_em import MapFn, _adapt_align
from lipyantar.translit.learned.charalign import deva_words, prepare_pairs
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import FAST as _FASTLM
from lipyantar.translit.learned.langmodel import WordLM, kn_arrays, merge_kn_parts
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.storage import MODEL_FILE_FORMAT, tables_and_arrays_but, write_model_file

__all__ = [
    "BaseSegment",
    "adapt",
    "base_segment",
    "save_adaptation",
    "save_adapted",
]

logger = logging.getLogger(__name__)


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
    prepared = prepare_pairs(pairs)
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



def _shell(base: LearnedModel, a: Any, segment: BaseSegment, task: Any) -> LearnedModel:
    """The adapted model as its writers serialize it: the joint model left uncompiled (``task``), the
    base's character and Latin models and the adapted word model as arrays already serialized."""
    return LearnedModel(
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
            shell = _shell(base, a, segment, task)
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

    a = _adaptation(
        base, pairs, ngram_weight=ngram_weight, memory_weight=memory_weight, native_text=None, map_fn=map_fn, merge=False
    )
    base_flat, base_values = base.joint.count_arrays()
    rows = _count_rows_patch(base_flat, base_values, a.counts, a.order)
    if segment is None:
        segment = base_segment(base)
    # what adapting leaves as the base's: the character, Latin and word models (their automata are the
    # base's, serialized once in the segment), the vocabulary index and the English model (their tables
    # and the English model's arrays not even made: the adaptation file takes them from the base)
    own = ("charlm", "romanlm", "wordlm", "vocab_index", "english")
    shell = _shell(base, a, segment, _JointTask(a.graphones, {}, a.order))
    tables, arrays = tables_and_arrays_but(shell, skip=frozenset(own))
    meta = shell.meta
    del shell
    if list(arrays).count(_JOINT_PLACEHOLDER) != 1:  # pragma: no cover - a LearnedModel of another layout
        raise ModelError("cannot write the adapted model: unexpected layout of the model file")
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


def _typed(values: Any, typecode: str) -> bool:
    """Whether ``values`` is an array (or buffer) of ``typecode`` items, as the compiled kernels read them."""
    try:
        return memoryview(values).format == typecode
    except TypeError:
        return False


def _count_rows_patch(
    base_flat: Sequence[int], base_values: Sequence[float], added: Mapping[tuple[int, ...], float], order: int
) -> dict[str, array]:
    """The row patch (:mod:`lipyantar.translit.learned.adaptation`) that turns the base's count table (rows of
    ``order`` ids padded with -1, sorted by length then ids, and their values) into the table with
    ``added`` added to it: a merge of the two sorted tables (a row whose value changes is dropped and
    inserted again), the patch that diffing the two tables gives."""
    name = "joint.counts"
    n_base = len(base_values)
    drops, at, rows0, rows1 = array("q"), array("q"), array("i"), array("d")
    by_length: dict[int, list[tuple[int, ...]]] = {}
    for ng in added:
        by_length.setdefault(len(ng), []).append(ng)
    widths = array("q", [order, 1]) if n_base or added else array("q", [1, 1])
    merge = getattr(_FASTLM, "rows_merge", None)
    if merge is not None and max(by_length, default=0) <= order and _typed(base_flat, "i") and _typed(base_values, "d"):
        # the merge of the two sorted tables in C: the added rows padded and sorted as the base's
        flat, values = array("i"), array("d")
        for length in sorted(by_length):
            group = sorted(by_length[length])
            pad = (-1,) * (order - length)
            flat.fromlist(list(chain.from_iterable(map(add, group, repeat(pad)) if pad else group)))
            values.fromlist(list(map(added.__getitem__, group)))
        outputs: tuple[array[Any], ...] = (drops, at, rows0, rows1)
        for arr, raw in zip(outputs, merge(base_flat, base_values, order, flat, values), strict=True):
            arr.frombytes(raw)
        return {f"{name}.drop": drops, f"{name}.at": at, f"{name}.widths": widths, f"{name}.rows0": rows0, f"{name}.rows1": rows1}
    # where each length's base rows start (a bisection over the rows' lengths); within one length the
    # rows sort as their ids (the padding is the same), and so do their ids as big-endian bytes (ids are
    # >= 0): each added n-gram's place among the group's rows is a bisection over bytes (in C), one length
    # at a time (a few bytes a row, not a tuple of int objects), not a step of a walk over the whole table
    big_endian = sys.byteorder == "big"

    def row_length(i: int) -> int:
        return order - base_flat[i * order : (i + 1) * order].count(-1)

    def as_bytes(ids: Sequence[int]) -> bytes:
        packed = array("i", ids)
        if not big_endian:
            packed.byteswap()
        return packed.tobytes()

    width = array("i").itemsize * order
    starts = [bisect_left(range(n_base), length, key=row_length) for length in range(order + 1)]
    starts.append(n_base)  # the base rows of length n: starts[n] .. starts[n + 1]
    dropped = inserted = 0  # base rows dropped and rows inserted so far
    for length in sorted(by_length):  # by length, then ids: the table's order
        group = sorted(by_length[length])
        first, end = (starts[length], starts[length + 1]) if length <= order else (n_base, n_base)
        block = as_bytes(base_flat[first * order : end * order])
        rows = [block[k : k + width] for k in range(0, len(block), width)] if width else []
        del block
        pad = (-1,) * (order - length) if length < order else ()
        # the group's rows padded, in one array (as the patch stores them), and as big-endian bytes
        plain = array("i", [x for ng in group for x in (ng + pad)] if pad else [x for ng in group for x in ng])
        keys = as_bytes(plain)
        size = max(length, order)  # ids a row (an n-gram longer than the order is stored as it is)
        step = size * array("i").itemsize
        kept: list[int] = []  # the group's n-grams whose value does not change (rare: an added 0)
        lo, hi = 0, len(rows)
        for k, ng in enumerate(group):
            key = keys[k * step : (k + 1) * step]
            lo = bisect_left(rows, key, lo, hi)  # the group's rows before ng
            i = first + lo  # the base rows before ng
            value = added[ng]
            if lo < hi and rows[lo] == key:
                old = base_values[i]
                value = old + value
                if value == old:  # unchanged: kept
                    kept.append(k)
                    continue
                if drops and drops[-1] == i:
                    drops[-1] = i + 1
                else:
                    drops.extend((i, i + 1))
                at.append(i - dropped + inserted)
                dropped += 1
            else:
                value = 0.0 + value
                at.append(i - dropped + inserted)
            rows1.append(value)
            inserted += 1
        if not kept:
            rows0.extend(plain)
        else:
            skip = set(kept)
            for k in range(len(group)):
                if k not in skip:
                    rows0.extend(plain[k * size : (k + 1) * size])
        del rows
    return {f"{name}.drop": drops, f"{name}.at": at, f"{name}.widths": widths, f"{name}.rows0": rows0, f"{name}.rows1": rows1}
