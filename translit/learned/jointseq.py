"""Joint-sequence (graphone) n-gram model with Kneser-Ney smoothing and beam decoding.

A word pair is a sequence of graphones, e.g. ``(क, k) (ि, i) (ता, ta) (ब, b)`` for किताब/kitab.
:class:`JointModel` is an interpolated Kneser-Ney n-gram model over graphone sequences (Bisani &
Ney 2008). It is compiled into a backoff automaton (state = graphone history; an arc per seen
continuation; one backoff arc per state), so scoring a step is one or a few dict lookups.

The joint model P(deva, roman) serves both directions: decoding a Latin word searches graphone
sequences whose Latin sides spell it, decoding a Devanagari word those whose Devanagari sides do.
:meth:`JointModel.decode` is a beam search over input positions with hypothesis recombination on
the automaton state; it returns the k best output strings with their joint log-probabilities.
The search memoizes, across calls, the automaton steps with backoff resolved and, per input chunk,
the expansions of each (state, last output character): the joins allowed after that character
with their log-probabilities and next states. Results are exactly those of the plain search.

When the optional extension :mod:`lipyantar.translit.learned._fastlm` is built (``setup.py``; a C compiler at install
time), the same search runs compiled (:meth:`JointModel.decode`); :meth:`JointModel.decode_python`
stays the reference, and the tests check that both give the same outputs and scores.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import logging
import math
import operator
from array import array
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from lipyantar.translit.learned.charalign import _is_consonant as is_consonant
from lipyantar.translit.learned.charalign import can_follow, deva_units
from lipyantar.translit.learned.langmodel import BOUNDARY, FAST, LOG_UNK, NgramLM, as_array

__all__ = ["BOUNDARY", "JointModel"]

logger = logging.getLogger(__name__)


class JointModel(NgramLM):
    """Kneser-Ney smoothed n-gram model over graphones, usable in both directions.

    Args:
        graphones: graphone inventory; index 0 is reserved for the boundary and must be ("", "").
        counts: raw n-gram counts, keyed by tuples of graphone ids, for all orders 1..``order``.
        order: n-gram order.
    """

    def __init__(
        self,
        graphones: Sequence[tuple[str, str]],
        counts: dict[tuple[int, ...], float],
        *,
        order: int,
        arrays: Mapping[str, Any] | None = None,
    ) -> None:
        if not graphones or tuple(graphones[0]) != ("", ""):
            raise ValueError("graphone 0 must be the boundary ('', '')")
        self.graphones: list[tuple[str, str]] = [(g[0], g[1]) for g in graphones]
        #: raw counts as stored in a model file, decoded on first use (see defer_counts)
        self._count_arrays: tuple[array, array] | None = None
        super().__init__(len(self.graphones), counts, order=order, arrays=arrays)
        self._index()

    # -- raw counts (only adaptation and saving need them all) ---------------------------------
    @property
    def counts(self) -> dict[tuple[int, ...], float]:
        """Raw n-gram counts (decoded from the model file's arrays on first use)."""
        pending = self._count_arrays
        if pending is not None:
            flat, values = pending
            order = self.order
            self._counts = {
                tuple(x for x in flat[i * order : (i + 1) * order] if x >= 0): v for i, v in enumerate(values)
            }
            self._count_arrays = None
        return self._counts

    @counts.setter
    def counts(self, value: dict[tuple[int, ...], float]) -> None:
        self._counts = value
        self._count_arrays = None

    def defer_counts(self, flat: array, values: array) -> None:
        """Take the raw counts in the file layout of :meth:`count_arrays`; decoded when first used.

        Raises ValueError when the arrays do not fit together.
        """
        if len(flat) != self.order * len(values):
            raise ValueError("joint count table has the wrong shape")
        self._counts = {}
        self._count_arrays = (flat, values)

    def count_arrays(self) -> tuple[array, array]:
        """The raw counts as two arrays: n-grams sorted by (length, ids), each padded with -1 to the
        order ("i"), and their counts ("d")."""
        if self._count_arrays is not None:
            flat, values = self._count_arrays
            return as_array(flat), as_array(values)
        order = self.order
        ngrams = sorted(self._counts, key=lambda t: (len(t), t))
        flat = array("i", (x for ng in ngrams for x in (*ng, *([-1] * (order - len(ng))))))
        return flat, array("d", (self._counts[ng] for ng in ngrams))

    def _unigram_counts(self) -> dict[int, float]:
        pending = self._count_arrays
        if pending is None:
            return {ng[0]: c for ng, c in self._counts.items() if len(ng) == 1}
        flat, values = pending
        order = self.order
        if order == 1:
            return dict(zip(flat, values, strict=True))
        # the unigrams come first (count_arrays sorts the n-grams by length): they end where the second
        # id column first holds an id (not the -1 padding)
        unigrams = bisect.bisect_left(flat[1::order], 0)
        return {flat[i * order]: values[i] for i in range(unigrams)}

    def _index(self) -> None:
        #: input chunk -> graphone ids, per side (0: Latin, 1: Devanagari): every graphone, each side
        #: made the first time it is searched (a conversion one way never makes the other's)
        self._full_sides: list[dict[str, list[int]] | None] = [None, None]
        #: the same, pruned (prune_index) or (before any pruning) the full index, made on first use
        self._pruned: list[dict[str, list[int]] | None] = [None, None]
        #: what prune_index keeps: (the graphones' unigram counts, min_count, max_per_chunk), or None
        self._pruning: tuple[dict[int, float], float, int] | None = None
        self.max_roman = max((len(r) for _, r in self.graphones[BOUNDARY + 1 :]), default=1)
        self.max_deva_chars = max((len(d) for d, _ in self.graphones[BOUNDARY + 1 :]), default=1)
        #: (state * mult + graphone) -> (log-probability, next state), backoff resolved
        self._arc_cache: dict[int, tuple[float, int]] = {}
        #: per direction: input chunk -> (its graphone list, last output character -> the
        #: (graphone, output) pairs that may follow that character, (state, last output
        #: character) -> the expansions (log-probability, next state, output))
        self._allowed: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self._expansions = 0
        #: compiled searches (lipyantar.translit.learned._fastlm.JointDecoder) per direction, built on first use
        self._decoders: dict[tuple[bool, bool], Any] = {}

    @functools.cached_property
    def _outs(self) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
        """Per graphone: (Devanagari side, needs-a-base flag), (Latin side, False)."""
        return (
            [(d, bool(d) and d[0] in _NEEDS_BASE) for d, _ in self.graphones],
            [(r, False) for _, r in self.graphones],
        )

    def _full(self, side: int) -> dict[str, list[int]]:
        """Input chunk -> every graphone with that input side (0: Latin, 1: Devanagari)."""
        index = self._full_sides[side]
        if index is None:
            by_chunk: dict[str, list[int]] = defaultdict(list)
            key = 1 - side  # graphones are (Devanagari, Latin)
            for gid, graphone in enumerate(self.graphones):
                if gid != BOUNDARY:
                    by_chunk[graphone[key]].append(gid)
            index = self._full_sides[side] = dict(by_chunk)
        return index

    def _pruned_side(self, side: int) -> dict[str, list[int]]:
        index = self._pruned[side]
        if index is None:
            index = self._full(side)
            if self._pruning is not None:
                unigram, min_count, max_per_chunk = self._pruning
                count = [unigram.get(g, 0.0) for g in range(len(self.graphones))]
                out = {}
                for chunk, ids in index.items():
                    # most seen first, ties by id: a stable sort by count of the ids in order
                    ranked = sorted(sorted(ids), key=count.__getitem__, reverse=True)
                    kept = [g for g in ranked if count[g] >= min_count][:max_per_chunk]
                    out[chunk] = kept or ranked[:1]
                index = out
            self._pruned[side] = index
        return index

    def _pruned_sides(self) -> list[int]:
        """The sides whose search index is made (0: Latin, 1: Devanagari), for tests."""
        return [side for side in (0, 1) if self._pruned[side] is not None]

    @property
    def by_roman(self) -> dict[str, list[int]]:
        """Latin chunk -> the graphones searched for it (pruned: :meth:`prune_index`)."""
        return self._pruned_side(0)

    @property
    def by_deva(self) -> dict[str, list[int]]:
        """Devanagari chunk -> the graphones searched for it (pruned: :meth:`prune_index`)."""
        return self._pruned_side(1)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_decoders"] = {}  # compiled searches are rebuilt on first use after unpickling
        return state

    def _cached_step(self, state: int, g: int) -> tuple[float, int]:
        arc = self.step(state, g)
        self._arc_cache[state * self.mult + g] = arc
        return arc

    def prune_index(self, *, min_count: float, max_per_chunk: int) -> None:
        """Search only graphones seen ``min_count`` times, at most ``max_per_chunk`` per input chunk.

        Rare graphones are mostly alignment noise; the most frequent graphone of a chunk is always
        kept so that every chunk stays decodable. Each direction's index is pruned the first time it
        is searched (with the counts of now).
        """
        self._pruning = (self._unigram_counts(), min_count, max_per_chunk)
        self._pruned = [None, None]
        self._allowed = ({}, {})
        self._decoders = {}

    def clear_cache(self) -> None:
        """Forget the memoized automaton steps and expansions (they are rebuilt on demand)."""
        self._arc_cache.clear()
        self._allowed = ({}, {})
        self._expansions = 0

    # -- decoding -------------------------------------------------------------------------------
    def decode(
        self,
        pieces: Sequence[str],
        *,
        to_roman: bool,
        k: int = 1,
        beam: int = 8,
        fallback: Callable[[str], str] | None = None,
        threshold: float = math.inf,
        target: str | None = None,
    ) -> list[tuple[str, float]]:
        """k best outputs for an input cut into pieces (Latin letters or Devanagari units).

        Input chunks are concatenations of 1.. consecutive pieces found in the graphone index of
        the input side; outputs are the other sides joined. Equal outputs are merged (max).
        A piece that no graphone starts with is passed through ``fallback`` (or dropped) at the
        unknown-token cost, so that every input gets an output. At each input position at most
        ``beam`` hypotheses are expanded, and only those within ``threshold`` of the best there.
        With ``target``, the search is forced to spell that output, over every graphone (not only
        the pruned index): the result is its joint log-probability with the input (``[]`` when no
        graphone path spells it).

        Runs the compiled search of :mod:`lipyantar.translit.learned._fastlm` when it is built, otherwise
        :meth:`decode_python`; both give the same results.
        """
        decoder = self.compiled_decoder(to_roman, forced=target is not None)
        if decoder is None:
            return self.decode_python(
                pieces,
                to_roman=to_roman,
                k=k,
                beam=beam,
                fallback=fallback,
                threshold=threshold,
                target=target,
            )
        if isinstance(pieces, str):
            text, cuts = pieces, None
        else:
            text = "".join(pieces)
            cuts = [0]
            for piece in pieces:
                cuts.append(cuts[-1] + len(piece))
            if len(cuts) == len(text) + 1:
                cuts = None
        return decoder.decode(text, cuts, k, beam, not to_roman, fallback, threshold, target)

    def forced_scores(self, text: str, targets: Sequence[str], *, beam: int) -> list[float | None]:
        """For each Devanagari target, the joint score of the Latin ``text`` spelled as it: the
        score of ``decode(text, to_roman=False, beam=beam, target=target)``, None when no graphone
        path spells it. One call into the compiled search for all the targets."""
        decoder = self.compiled_decoder(False, forced=True)
        if decoder is not None:
            return decoder.forced_scores(text, list(targets), beam, True)
        out: list[float | None] = []
        for target in targets:
            best = self.decode_python(text, to_roman=False, beam=beam, target=target)
            out.append(best[0][1] if best else None)
        return out

    def best_scores(self, words: Sequence[str], *, beam: int) -> list[float]:
        """For each Devanagari word, the score of its best romanization (``decode`` over its
        :func:`~lipyantar.translit.learned.charalign.deva_units`, ``k=1``), or 0.0 when there is none."""
        decoder = self.compiled_decoder(True)
        if decoder is not None:
            return decoder.best_scores(list(words), beam)
        out = []
        for word in words:
            best = self.decode_python(deva_units(word), to_roman=True, k=1, beam=beam)
            out.append(best[0][1] if best else 0.0)
        return out

    def compiled_decoder(self, to_roman: bool, *, forced: bool = False) -> Any:
        """The compiled search (:class:`lipyantar.translit.learned._fastlm.JointDecoder`) in one direction, plain or forced
        (see :meth:`decode`), built on first use and rebuilt after :meth:`prune_index`; None when the
        extension is not built."""
        decoder = self._decoders.get((to_roman, forced))
        if decoder is None and FAST is not None:
            decoder = self._build_decoder(to_roman, forced=forced)
        return decoder

    def _search_index(self, to_roman: bool, forced: bool) -> dict[str, list[int]]:
        """Input chunk -> graphones searched: the pruned index, or every graphone for a forced
        search (spelling a given output needs no pruning to stay small)."""
        side = 1 if to_roman else 0
        return self._full(side) if forced else self._pruned_side(side)

    def _build_decoder(self, to_roman: bool, *, forced: bool = False) -> Any:
        side = 1 if to_roman else 0
        outputs = [g[side] for g in self.graphones]
        kinds = bytes(_kind(out) if not to_roman else 0 for out in outputs)
        by_last: dict[str, int] = {}  # the class is the last character's: one call per character
        classes = bytes(
            (by_last.get(out[-1]) or by_last.setdefault(out[-1], _last_class(out[-1]))) if out else 255
            for out in outputs
        )
        decoder = cast(Any, FAST).JointDecoder(  # only called when the kernels are loaded
            self.fast(),
            self._search_index(to_roman, forced),
            outputs,
            kinds,
            classes,
            self.start,
            self.root,
            LOG_UNK,
            2 if to_roman else self.max_roman,
        )
        self._decoders[(to_roman, forced)] = decoder
        return decoder

    def decode_python(
        self,
        pieces: Sequence[str],
        *,
        to_roman: bool,
        k: int = 1,
        beam: int = 8,
        fallback: Callable[[str], str] | None = None,
        threshold: float = math.inf,
        target: str | None = None,
    ) -> list[tuple[str, float]]:
        """The pure-Python search of :meth:`decode` (the reference of the compiled one)."""
        if to_roman or target is not None:
            # short searches over Devanagari units, forced searches: the memo tables cost more than
            # they save
            return self._decode_plain(
                pieces,
                to_roman=to_roman,
                k=k,
                beam=beam,
                fallback=fallback,
                threshold=threshold,
                target=target,
            )
        index = self.by_deva if to_roman else self.by_roman
        out_side = 1 if to_roman else 0
        mult = self.mult
        root = self.root
        n = len(pieces)
        check = not to_roman  # Devanagari output: keep only well-formed joins
        max_span = 2 if to_roman else self.max_roman
        arcs = self._arc_cache
        if len(arcs) > _ARC_CACHE_LIMIT or self._expansions > _EXPANSION_LIMIT:
            self.clear_cache()
        outs = self._outs[out_side]
        allowed: dict[Any, Any] = self._allowed[out_side]
        step = self._cached_step
        # chunk candidates per start position: (end, chunk or None for an unknown piece, graphones)
        spans: list[list[tuple[int, str | None, list[int]]]] = []
        for i in range(n):
            row: list[tuple[int, str | None, list[int]]] = []
            joined = ""
            for L in range(1, min(max_span, n - i) + 1):
                joined += pieces[i + L - 1]
                ids = index.get(joined)
                if ids:
                    row.append((i + L, joined, ids))
            if not row or row[0][0] != i + 1:
                row.insert(0, (i + 1, None, [-1 - i]))
            spans.append(row)
        # hyps[i]: (state, output-so-far) -> score; equal outputs in equal states are merged (max)
        hyps: list[dict[tuple[int, str], float]] = [{} for _ in range(n + 1)]
        hyps[0][(self.start, "")] = 0.0
        # best score offered so far per position: an offer below it by more than the threshold would
        # be pruned before expansion, so it is not stored (the last position is never pruned)
        pbest = [-math.inf] * (n + 1)
        for i in range(n):
            cur = hyps[i]
            if not cur:
                continue
            items = sorted(cur.items(), key=_SECOND, reverse=True)[:beam] if len(cur) > beam else cur.items()
            if threshold < math.inf:
                floor = max(score for _, score in items) - threshold
                items = [item for item in items if item[1] >= floor]
            for end, chunk, ids in spans[i]:
                dest = hyps[end]
                tget = dest.get
                if chunk is None:  # unknown piece
                    piece = pieces[i]
                    extra = fallback(piece) if fallback else ""
                    for (_state, text), score in items:
                        lp = score + LOG_UNK
                        if end < n:
                            if lp < pbest[end] - threshold:
                                continue
                            pbest[end] = max(pbest[end], lp)
                        key = (root, text + extra)
                        if lp > tget(key, -math.inf):
                            dest[key] = lp
                    continue
                # (graphone, output) pairs of this chunk that may follow a given last character
                entry: Any = allowed.get(chunk)
                if entry is None or entry[0] is not ids:
                    entry = allowed[chunk] = (ids, {}, {})
                _, by_last, by_state = entry
                for (state, text), score in items:
                    last = text[-1:] if check else ""
                    ek = (state, last)
                    exp = by_state.get(ek)
                    if exp is None:
                        gl = by_last.get(last)
                        if gl is None:
                            gl = by_last[last] = [
                                (g, outs[g][0])
                                for g in ids
                                if not (check and outs[g][1]) or can_follow(text, outs[g][0])
                            ]
                        base = state * mult
                        exp = []
                        for g, out in gl:
                            arc = arcs.get(base + g)
                            if arc is None:
                                arc = step(state, g)
                            exp.append((arc[0], arc[1], out))
                        by_state[ek] = exp
                        self._expansions += 1
                    for alp, nxt, out in exp:
                        lp = score + alp
                        if end < n:
                            pb = pbest[end]
                            if lp < pb - threshold:
                                continue
                            if lp > pb:
                                pbest[end] = lp
                        key = (nxt, text + out)
                        old = tget(key)
                        if old is None or lp > old:
                            dest[key] = lp
        final: dict[str, float] = {}
        for (state, text), score in hyps[n].items():
            arc = arcs.get(state * mult + BOUNDARY)
            if arc is None:
                arc = step(state, BOUNDARY)
            total = score + arc[0]
            if total > final.get(text, -math.inf):
                final[text] = total
        return heapq.nlargest(k, final.items(), key=lambda kv: kv[1])

    def _decode_plain(
        self,
        pieces: Sequence[str],
        *,
        to_roman: bool,
        k: int = 1,
        beam: int = 8,
        fallback: Callable[[str], str] | None = None,
        threshold: float = math.inf,
        target: str | None = None,
    ) -> list[tuple[str, float]]:
        """:meth:`decode` without memoization (cheaper for small searches with few repeats)."""
        index = self._search_index(to_roman, target is not None)
        out_side = 1 if to_roman else 0
        graphones = self.graphones
        arcmap = self.arcmap
        mult = self.mult
        bows = self.bow
        backoff = self.backoff
        root = self.root
        n = len(pieces)
        check = not to_roman  # Devanagari output: keep only well-formed joins
        needs_base = _NEEDS_BASE
        max_span = 2 if to_roman else self.max_roman
        # chunk candidates per start position
        spans: list[list[tuple[int, list[int]]]] = []
        for i in range(n):
            row = []
            chunk = ""
            for L in range(1, min(max_span, n - i) + 1):
                chunk += pieces[i + L - 1]
                ids = index.get(chunk)
                if ids:
                    row.append((i + L, ids))
            if not row or row[0][0] != i + 1:
                row.insert(0, (i + 1, [-1 - i]))
            spans.append(row)
        # hyps[i]: (state, output-so-far) -> score; equal outputs in equal states are merged (max)
        hyps: list[dict[tuple[int, str], float]] = [{} for _ in range(n + 1)]
        hyps[0][(self.start, "")] = 0.0
        pbest = [-math.inf] * (n + 1)  # as in decode_python
        for i in range(n):
            cur = hyps[i]
            if not cur:
                continue
            items = heapq.nlargest(beam, cur.items(), key=_SECOND) if len(cur) > beam else cur.items()
            if threshold < math.inf:
                floor = max(score for _, score in items) - threshold
                items = [item for item in items if item[1] >= floor]
            for end, ids in spans[i]:
                dest = hyps[end]
                for (state, text), score in items:
                    for g in ids:
                        if g < 0:  # unknown piece
                            piece = pieces[-1 - g]
                            extra = fallback(piece) if fallback else ""
                            if target is not None and not target.startswith(extra, len(text)):
                                continue
                            lp = score + LOG_UNK
                            if end < n:
                                if lp < pbest[end] - threshold:
                                    continue
                                pbest[end] = max(pbest[end], lp)
                            key = (root, text + extra)
                            if lp > dest.get(key, -math.inf):
                                dest[key] = lp
                            continue
                        # inline of self.step
                        s = state
                        lp = score
                        while True:
                            arc = arcmap.get(s * mult + g)
                            if arc is not None:
                                lp += arc[0]
                                nxt = arc[1]
                                break
                            if s == root:
                                lp += LOG_UNK
                                nxt = root
                                break
                            lp += bows[s]
                            s = backoff[s]
                        out = graphones[g][out_side]
                        if check and out and out[0] in needs_base and not can_follow(text, out):
                            continue
                        if target is not None and not target.startswith(out, len(text)):
                            continue
                        if end < n:
                            if lp < pbest[end] - threshold:
                                continue
                            pbest[end] = max(pbest[end], lp)
                        key = (nxt, text + out)
                        old = dest.get(key)
                        if old is None or lp > old:
                            dest[key] = lp
        final: dict[str, float] = {}
        for (state, text), score in hyps[n].items():
            if target is not None and text != target:
                continue
            lp, _ = self.step(state, BOUNDARY)
            total = score + lp
            if total > final.get(text, -math.inf):
                final[text] = total
        return heapq.nlargest(k, final.items(), key=lambda kv: kv[1])


def _kind(out: str) -> int:
    """What a Devanagari output needs before it: 0 nothing, 1 a bare consonant or nukta (vowel
    signs, virama, nukta), 2 a letter or vowel sign (anusvara, chandrabindu, visarga)."""
    if not out or out[0] not in _NEEDS_BASE:
        return 0
    return 2 if out[0] in "\u0901\u0902\u0903" else 1


def _last_class(out: str) -> int:
    """Class of an output's last character for :func:`_kind` (255: empty output, class kept)."""
    if not out:
        return 255
    last = out[-1]
    if is_consonant(last) or last == "\u093c":
        return 1
    if last == "\u094d" or last in "\u0901\u0902\u0903":
        return 2
    return 3


_ARC_CACHE_LIMIT = 1_000_000
_EXPANSION_LIMIT = 150_000
_SECOND = operator.itemgetter(1)

_NEEDS_BASE = frozenset(
    chr(c)
    for c in (*range(0x093E, 0x094E), 0x0962, 0x0963, 0x0955, 0x0956, 0x0957, 0x0901, 0x0902, 0x0903, 0x093C)
)
