"""N-gram language models: the smoothing core shared by the graphone, character and word models.

:class:`NgramLM` is an interpolated Kneser-Ney model (modified only in that the discount is one
per order, estimated from count-of-counts) over integer token ids, with id 0 the sequence
boundary. It is compiled into a backoff automaton: a state per seen history, an arc per seen
continuation carrying the interpolated log-probability and the next state, and one backoff arc per
state, so that scoring a token is one dict lookup in the common case.

On top of it: :class:`CharLM` (Devanagari words as unit sequences; "does this look like a Hindi
spelling") and :class:`WordLM` (words of running text; "does this word fit here").
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import operator
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from lipyantar.translit.compiled import load_extension

__all__ = [
    "BOUNDARY",
    "NUMBER",
    "CharLM",
    "NgramLM",
    "UnigramPrior",
    "WordLM",
    "as_array",
    "compile_count_table",
    "typecode",
]

logger = logging.getLogger(__name__)

#: token id of the sequence boundary (start context and end token)
BOUNDARY = 0

LOG_UNK = -20.0
#: the word n-gram model's token for a number (ASCII or Devanagari digits: सन् 1904 में, 6 किमी); not a
#: word of its unigram prior
NUMBER = "<num>"


#: the compiled kernels, or None (pure Python)
FAST = load_extension("learned._fastlm")


class NgramLM:
    """Interpolated Kneser-Ney n-gram model over integer token ids, compiled into a backoff automaton.

    Args:
        vocab_size: number of token ids (id 0 is the boundary).
        counts: raw n-gram counts, keyed by tuples of token ids, for all orders 1..``order``.
        order: n-gram order.
    """

    def __init__(
        self,
        vocab_size: int,
        counts: dict[tuple[int, ...], float] | None,
        *,
        order: int,
        arrays: Mapping[str, Any] | None = None,
    ) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.vocab_size = max(vocab_size, 1)
        #: arc keys are state * mult + token; token ``vocab_size`` is "unknown" and has no arcs
        self.mult = self.vocab_size + 1
        self.counts = counts or {}
        self.order = order
        #: the arcs as (keys, lp, next) arrays when loaded from a file; the dict ``arcmap`` (for the
        #: pure-Python code) is built from them on first use
        self._arc_arrays: tuple[array, array, array] | None = None
        if arrays is not None:
            self._from_arrays(arrays)
        else:
            self._compile()

    @property
    def arcmap(self) -> dict[int, tuple[float, int]]:
        """(state * mult + token) -> (log-probability, next state) of every arc."""
        pending = self._arc_arrays
        if pending is not None:
            keys, lps, nexts = pending
            values = zip(lps.tolist(), nexts.tolist(), strict=True)
            self._arcmap = dict(zip(keys.tolist(), values, strict=True))
            self._arc_arrays = None
        return self._arcmap

    @arcmap.setter
    def arcmap(self, value: dict[int, tuple[float, int]]) -> None:
        self._arcmap = value
        self._arc_arrays = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_fast_am", None)  # compiled tables are rebuilt on first use after unpickling
        # views of a mapped model file do not pickle: their copies do
        for name in ("backoff", "bow"):
            if isinstance(state.get(name), memoryview):
                state[name] = as_array(state[name])
        if state.get("_arc_arrays") is not None:
            state["_arc_arrays"] = tuple(map(as_array, state["_arc_arrays"]))
        return state

    def fast(self) -> Any:
        """The automaton compiled for :mod:`lipyantar.translit.learned._fastlm` (built on first use), or None."""
        am = self.__dict__.get("_fast_am")
        if am is None and FAST is not None:
            arcs = self._arc_arrays if self._arc_arrays is not None else self.arcmap
            am = self._fast_am = FAST.Automaton(arcs, self.backoff, self.bow, self.root, self.mult, LOG_UNK)
        return am

    def unknown_id(self) -> int:
        """A token id that is never seen (scores at the unknown floor)."""
        return self.vocab_size

    def to_arrays(self) -> dict[str, array]:
        """The compiled automaton as typed arrays (see :meth:`_from_arrays`)."""
        if self._arc_arrays is not None:
            keys_a, lp_a, next_a = map(as_array, self._arc_arrays)
        else:
            arcmap = self.arcmap
            keys = sorted(arcmap)
            keys_a = array("q", keys)
            lp_a = array("f", (arcmap[k][0] for k in keys))
            next_a = array("i", (arcmap[k][1] for k in keys))
        return {
            "keys": keys_a,
            "lp": lp_a,
            "next": next_a,
            "backoff": as_array(self.backoff) if typecode(self.backoff) == "i" else array("i", self.backoff),
            "bow": as_array(self.bow) if typecode(self.bow) == "f" else array("f", self.bow),
            "scalars": array("q", [self.start, self.root]),
        }

    def _from_arrays(self, arrays: Mapping[str, Any]) -> None:
        if FAST is None:  # the pure-Python code wants arrays, not views of a file
            arrays = {k: as_array(v) for k, v in arrays.items()}
        keys, lps, nexts = arrays["keys"], arrays["lp"], arrays["next"]
        backoff, bow = arrays["backoff"], arrays["bow"]
        _check_automaton(keys, lps, nexts, backoff, bow, arrays["scalars"], self.mult)
        if (typecode(keys), typecode(lps), typecode(nexts)) == ("q", "f", "i"):
            self._arcmap = {}
            self._arc_arrays = (keys, lps, nexts)
        else:
            self.arcmap = dict(zip(keys.tolist(), zip(lps.tolist(), nexts.tolist(), strict=True), strict=True))
        # the state tables stay typed arrays (an "f" item reads as the float that tolist() would give),
        # which the compiled kernels read as buffers
        self.backoff = backoff if typecode(backoff) == "i" else backoff.tolist()
        self.bow = bow if typecode(bow) == "f" else bow.tolist()
        self.start, self.root = (int(x) for x in arrays["scalars"].tolist())

    # -- construction ---------------------------------------------------------------------------
    @staticmethod
    def count_ngrams(
        sequences: Iterable[tuple[Sequence[int], float]], *, order: int
    ) -> dict[tuple[int, ...], float]:
        """Raw n-gram counts (orders 1..order) of boundary-padded id sequences with weights (of a list, by the
        compiled kernel when it is built: the same sums, added in the same order; other iterables are
        streamed, not made into a list)."""
        count = getattr(FAST, "count_ngrams", None)
        if count is not None and order >= 1 and type(sequences) is list:
            return count(sequences, order, BOUNDARY)
        counts: dict[tuple[int, ...], float] = defaultdict(float)
        for seq, weight in sequences:
            s = (BOUNDARY, *seq, BOUNDARY)
            for k in range(1, len(s)):
                for n in range(1, order + 1):
                    if k - n + 1 < 0:
                        break
                    counts[s[k - n + 1 : k + 1]] += weight
        return dict(counts)

    def _compile(self) -> None:
        self._from_arrays(merge_kn_parts([kn_arrays(self.vocab_size, self.counts, self.order)]))
        logger.info(
            "n-gram model: order %d, %d tokens, %d states, %d arcs",
            self.order,
            self.vocab_size,
            len(self.backoff),
            len(self._arc_arrays[0]) if self._arc_arrays is not None else len(self._arcmap),
        )

    # -- scoring --------------------------------------------------------------------------------
    def step(self, state: int, g: int) -> tuple[float, int]:
        """Log-probability of token ``g`` after ``state`` and the next state."""
        lp = 0.0
        arcmap = self.arcmap
        mult = self.mult
        while True:
            arc = arcmap.get(state * mult + g)
            if arc is not None:
                return lp + arc[0], arc[1]
            if state == self.root:
                return lp + LOG_UNK, self.root
            lp += self.bow[state]
            state = self.backoff[state]

    def score(self, ids: Sequence[int]) -> float:
        """Log-probability of a whole token sequence (boundaries added)."""
        am = self.fast()
        if am is not None:
            return am.score(ids, self.start)
        state = self.start
        total = 0.0
        for g in (*ids, BOUNDARY):
            lp, state = self.step(state, g)
            total += lp
        return total


def typecode(values: Any) -> str | None:
    """The item type of an array, or of a typed view of a model file's section (a ``memoryview``)."""
    return getattr(values, "typecode", None) or getattr(values, "format", None)


def as_array(values: Any) -> Any:
    """An ``array`` of a typed view (a copy), or the array itself."""
    if isinstance(values, memoryview):
        out = array(values.format)
        out.frombytes(values.tobytes())
        return out
    return values


_INT_CODES = frozenset("bBhHiIlLqQ")
_FLOAT_CODES = frozenset("fd")


def _check_automaton(keys: Any, lps: Any, nexts: Any, backoff: Any, bow: Any, scalars: Any, mult: int) -> None:
    """Raise ValueError unless the automaton tables fit together: typed arrays of the right kinds and
    lengths, every state index in range, backoff arcs going to earlier states (so no backoff chain
    loops), finite weights. Run on every table read from a file, before the compiled kernels see it
    (by the kernels themselves when they are built and the arrays have the file's types)."""
    if FAST is not None and hasattr(FAST, "check_automaton") and len(scalars) == 2:
        kinds = tuple(typecode(a) for a in (keys, lps, nexts, backoff, bow))
        if kinds == ("q", "f", "i", "i", "f"):
            FAST.check_automaton(keys, lps, nexts, backoff, bow, int(scalars[0]), int(scalars[1]), mult)
            return
    _check_automaton_python(keys, lps, nexts, backoff, bow, scalars, mult)


def _check_automaton_python(
    keys: Any, lps: Any, nexts: Any, backoff: Any, bow: Any, scalars: Any, mult: int
) -> None:
    """The pure-Python :func:`_check_automaton` (the reference of the compiled one)."""
    keys, lps, nexts, backoff, bow, scalars = map(as_array, (keys, lps, nexts, backoff, bow, scalars))
    for name, arr, codes in (
        ("keys", keys, _INT_CODES),
        ("lp", lps, _FLOAT_CODES),
        ("next", nexts, _INT_CODES),
        ("backoff", backoff, _INT_CODES),
        ("bow", bow, _FLOAT_CODES),
        ("scalars", scalars, _INT_CODES),
    ):
        if typecode(arr) not in codes:
            raise ValueError(f"automaton table {name!r} has the wrong type")
    if not len(keys) == len(lps) == len(nexts):
        raise ValueError("arc arrays differ in length")
    states = len(backoff)
    if len(bow) != states or states < 1:
        raise ValueError("backoff tables differ in length or are empty")
    if len(scalars) != 2:
        raise ValueError("automaton scalars must be (start, root)")
    start, root = scalars
    if not (0 <= start < states and 0 <= root < states):
        raise ValueError("start or root state out of range")
    # the root backs off nowhere (-1), every other state to an earlier one (C speed: map over arrays)
    if (
        backoff[root] != -1
        or backoff.count(-1) != 1
        or min(backoff) < -1
        or any(map(operator.ge, backoff, range(states)))
    ):
        raise ValueError("backoff state out of range")
    if len(keys) and (min(keys) < 0 or max(keys) // mult >= states or min(nexts) < 0 or max(nexts) >= states):
        raise ValueError("arc key or next state out of range")
    if not (math.isfinite(sum(lps)) and math.isfinite(sum(bow))):  # a NaN or infinity anywhere
        raise ValueError("automaton weights must be finite")


def _vocab_ids(tokens: Iterable[str], reserved: Sequence[str]) -> dict[str, int]:
    ids = {tok: i for i, tok in enumerate(reserved)}
    for tok in tokens:
        if tok not in ids:
            ids[tok] = len(ids)
    return ids


class CharLM:
    """Character (Devanagari unit) n-gram model of word spellings.

    Args:
        vocab: unit inventory; index 0 is the word boundary ``""``.
        counts: raw n-gram counts of unit ids.
        order: n-gram order.
    """

    def __init__(
        self,
        vocab: Sequence[str],
        counts: dict[tuple[int, ...], float] | None,
        *,
        order: int,
        arrays: Mapping[str, Any] | None = None,
    ) -> None:
        self.vocab = list(vocab)
        #: unit -> id (never changed after construction: the compiled scorer keeps a table of it)
        self.ids = {u: i for i, u in enumerate(self.vocab)}
        self.order = order
        self.lm = NgramLM(len(self.vocab), counts, order=order, arrays=arrays)

    @classmethod
    def train(cls, words: Iterable[tuple[Sequence[str], float]], *, order: int = 5) -> CharLM:
        """Train from (unit sequence, weight) pairs."""
        words = list(words)
        ids = _vocab_ids((u for units, _ in words for u in units), [""])
        seqs = [([ids[u] for u in units], w) for units, w in words]
        counts = NgramLM.count_ngrams(seqs, order=order)
        vocab = sorted(ids, key=ids.__getitem__)
        return cls(vocab, counts, order=order)

    def check_and_score(self, word: str) -> tuple[bool, float]:
        """(:func:`lipyantar.translit.learned.charalign.is_wellformed` of a Devanagari word, log-probability of its
        units); one pass in the compiled kernels."""
        am = self.lm.fast()
        if am is not None:
            return am.score_deva(word, self.ids, self.lm.vocab_size, self.lm.start)
        from lipyantar.translit.learned.charalign import deva_units, is_wellformed

        return is_wellformed(word), self.logprob(deva_units(word))

    def scores_if_wellformed(self, words: Sequence[str]) -> list[float | None]:
        """For each Devanagari word, the log-probability of its units when it is well-formed
        (:meth:`check_and_score`), else None; one call into the compiled kernels."""
        am = self.lm.fast()
        if am is not None:
            return am.score_deva_many(words, self.ids, self.lm.vocab_size, self.lm.start)
        out: list[float | None] = []
        for word in words:
            ok, lp = self.check_and_score(word)
            out.append(lp if ok else None)
        return out

    def scorer(self) -> Callable[[Sequence[str]], float]:
        """:meth:`logprob` as a function (one call into the compiled kernels per spelling, when built)."""
        am = self.lm.fast()
        if am is None:
            return self.logprob
        ids, unk, start = self.ids, self.lm.vocab_size, self.lm.start
        return lambda units: am.score_tokens(units, ids, unk, start)

    def logprob(self, units: Sequence[str]) -> float:
        """Log-probability of a spelling (boundaries included); unknown units get a floor."""
        ids = self.ids
        unk = self.lm.vocab_size
        am = self.lm.fast()
        if am is not None:
            return am.score_tokens(units, ids, unk, self.lm.start)
        return self.lm.score([ids.get(u, unk) for u in units])


class UnigramPrior:
    """The unigram prior of a :class:`WordLM` read straight from its two columns (as a model file stores
    them), for a reader that needs only :meth:`WordLM.unigram` of a few words (Devanagari → roman): a
    binary search over the words, no dict, no n-gram model. :meth:`of` builds it only when the words
    are sorted and distinct (otherwise the word model's own dict decides which count wins).

    Args:
        words: the prior's words, sorted, each once.
        values: their counts.
    """

    def __init__(self, words: Sequence[str], values: Sequence[float]) -> None:
        self._words = words
        self._values = values
        # as WordLM computes it: the same sum in the same order, the same subtraction
        self._log_total = math.log(sum(values) or 1.0)

    @classmethod
    def of(cls, words: Sequence[str], values: Sequence[float]) -> UnigramPrior | None:
        """The prior of these columns, or None when the words are not sorted and distinct."""
        if len(words) != len(values):
            raise ValueError("the prior's columns differ in length")
        if not all(map(operator.lt, words, itertools.islice(words, 1, None))):
            return None
        return cls(words, values)

    def unigram(self, word: str) -> float | None:
        """:meth:`WordLM.unigram` of ``word``: its log prior, None when it was never seen."""
        words = self._words
        i = bisect.bisect_left(words, word)
        if i == len(words) or words[i] != word:
            return None
        count = self._values[i]
        return math.log(count) - self._log_total if count > 0 else None


class WordLM:
    """Word n-gram model of running native text plus a unigram prior over a larger word list.

    Args:
        vocab: word inventory of the n-gram model; index 0 is the boundary, 1 the unknown word.
        counts: raw n-gram counts of word ids (from sentences).
        order: n-gram order.
        prior: word -> count, for the context-free unigram prior (may include words that are not
            in ``vocab``, e.g. from a frequency list).
        prior_columns: instead of ``prior``, its words and counts as two columns (as a model file
            stores them); the dict :attr:`prior` is then made only when asked for.
    """

    UNK = 1

    def __init__(
        self,
        vocab: Sequence[str],
        counts: dict[tuple[int, ...], float] | None,
        *,
        order: int,
        prior: dict[str, float] | None,
        prior_columns: tuple[Sequence[str], Sequence[float]] | None = None,
        arrays: Mapping[str, Any] | None = None,
        lm: NgramLM | None = None,
    ) -> None:
        self.vocab = list(vocab)
        self.ids = dict(zip(self.vocab, range(len(self.vocab)), strict=True))
        self.order = order
        self.lm = lm if lm is not None else NgramLM(len(self.vocab), counts, order=order, arrays=arrays)
        if prior_columns is not None:
            words, values = prior_columns
            if len(words) != len(values):
                raise ValueError("the prior's columns differ in length")
            self._prior_columns: tuple[Sequence[str], Sequence[float]] | None = (words, values)
        elif prior is not None:
            self._prior_columns = None
            self._prior = prior
            words, values = list(prior), list(prior.values())
        else:
            raise ValueError("a WordLM needs prior or prior_columns")
        if len(set(words)) != len(words):  # the last count of a word wins, as in a dict built row by row
            last = dict(zip(words, map(float, values), strict=True))
            words, values = list(last), list(last.values())
        total = sum(values) or 1.0
        self._log_total = math.log(total)
        if not len(values) or min(values) > 0:  # the common case, in C loops
            logs = map(operator.sub, map(math.log, values), itertools.repeat(self._log_total))
            self._prior_log = dict(zip(words, logs, strict=True))
        else:
            self._prior_log = {w: math.log(c) - self._log_total for w, c in zip(words, values, strict=True) if c > 0}

    @property
    def prior(self) -> dict[str, float]:
        """Word -> count of the unigram prior (made from the columns on first use)."""
        if self._prior_columns is not None:
            words, values = self._prior_columns
            self._prior = dict(zip(words, map(float, values), strict=True))
            self._prior_columns = None
        return self._prior

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if state.get("_prior_columns") is not None:  # a view of a file does not pickle
            state["_prior"] = self.prior
            state["_prior_columns"] = None
        return state

    @classmethod
    def train(
        cls,
        sentences: Iterable[Sequence[str]],
        *,
        order: int = 3,
        min_count: int = 2,
        extra_prior: dict[str, float] | None = None,
    ) -> WordLM:
        """Train from tokenized native sentences (Devanagari words, and :data:`NUMBER` for a number) and
        optional extra counts."""
        sentences = [list(s) for s in sentences]
        freq: Counter[str] = Counter(w for s in sentences for w in s)
        kept = sorted((w for w, c in freq.items() if c >= min_count), key=lambda w: (-freq[w], w))
        ids = _vocab_ids(kept, ["", "<unk>"])
        seqs = [([ids.get(w, cls.UNK) for w in s], 1.0) for s in sentences if s]
        counts = NgramLM.count_ngrams(seqs, order=order)
        prior: dict[str, float] = defaultdict(float)
        for w, c in freq.items():
            if w != NUMBER:  # (a token of the n-gram model, never a word to write)
                prior[w] += c
        for w, extra in (extra_prior or {}).items():
            prior[w] += extra
        vocab = sorted(ids, key=ids.__getitem__)
        return cls(vocab, counts, order=order, prior=dict(prior))

    def unigram(self, word: str) -> float | None:
        """Log unigram prior of a word, None when it was never seen."""
        return self._prior_log.get(word)

    def unigram_table(self) -> Mapping[str, float]:
        """Word -> log unigram prior of every word seen (the model's own table: do not modify)."""
        return self._prior_log

    def word_id(self, word: str) -> int:
        return self.ids.get(word, self.UNK)


def kn_arrays(
    vocab_size: int,
    raw: Mapping[tuple[int, ...], float],
    order: int,
    *,
    part: int = 0,
    parts: int = 1,
    assign: bytes | None = None,
) -> dict[str, array]:
    """Interpolated Kneser-Ney n-gram model of raw counts, compiled to an automaton (part of it).

    KN counts: raw for the top order and for n-grams that start at the sequence start, continuation
    counts (number of distinct left extensions) otherwise; one discount per order from the
    count-of-counts; interpolation with the next lower order. States are the contexts shorter than
    ``order`` (sorted by length, then tokens); arcs are keyed ``state * (vocab_size + 1) + token``.

    Returns the arcs into the tokens ``g`` with ``assign[g] == part`` (all tokens when ``assign`` is
    None) as unsorted (keys, lp, next) arrays, and the backoff arcs and weights of the states ``part,
    part + parts, ...``; :func:`merge_kn_parts` joins the parts into the arrays of
    :meth:`NgramLM.to_arrays`. The parts can run in parallel: the probability of (h, g) needs only that
    of (h[1:], g), the per-context totals and the per-order discounts, which every part computes.
    """
    vocab = max(vocab_size, 1)
    mult = vocab + 1
    cont: Counter[tuple[int, ...]] = Counter()
    for ng in raw:
        if len(ng) >= 2:
            cont[ng[1:]] += 1
    kn: dict[tuple[int, ...], float] = {}
    for ng, c in raw.items():
        kn[ng] = c if len(ng) == order or ng[0] == BOUNDARY else (float(cont.get(ng, 0)) or c)
    del cont
    n1 = [0] * (order + 1)
    n2 = [0] * (order + 1)
    total: dict[tuple[int, ...], float] = defaultdict(float)
    types: dict[tuple[int, ...], int] = defaultdict(int)
    for ng, c in kn.items():
        if abs(c - 1.0) < 1e-9:
            n1[len(ng)] += 1
        elif abs(c - 2.0) < 1e-9:
            n2[len(ng)] += 1
        total[ng[:-1]] += c
        types[ng[:-1]] += 1
    discounts = [0.5] * (order + 1)
    for n in range(1, order + 1):
        d = n1[n] / (n1[n] + 2 * n2[n]) if n1[n] + n2[n] else 0.5
        discounts[n] = min(max(d, 0.1), 0.9)
    # states: every context (and every context's suffix looked up as a lower order), by length, then
    # by the tokens
    by_length: dict[int, set[tuple[int, ...]]] = defaultdict(set)
    by_length[0].add(())
    for ng in kn:
        by_length[len(ng) - 1].add(ng[:-1])
        if len(ng) >= 2:
            by_length[len(ng) - 2].add(ng[1:-1])
    contexts = [h for n in sorted(by_length) for h in sorted(by_length[n])]
    del by_length
    state_of = {h: i for i, h in enumerate(contexts)}
    root = state_of[()]
    # interpolated probabilities of this part's n-grams, lower orders first
    mine: list[list[tuple[int, ...]]] = [[] for _ in range(order + 1)]
    for ng in kn:
        if assign is None or assign[ng[-1]] == part:
            mine[len(ng)].append(ng)
    probs: dict[tuple[int, ...], float] = {}
    keys, lps, nexts = array("q"), array("f"), array("i")
    for n in range(1, order + 1):
        d = discounts[n]
        for ng in mine[n]:
            h = ng[:-1]
            c = kn[ng]
            lower = probs.get(ng[1:], 0.0) if n > 1 else 1.0 / vocab
            if n > 1 and lower == 0.0:  # pragma: no cover - suffixes are always present
                lower = 1.0 / vocab
            gamma = d * types[h] / total[h]
            p = max(c - d, 0.0) / total[h] + gamma * lower
            probs[ng] = p
            nxt = ng[-(order - 1) :] if order > 1 else ()
            while nxt not in state_of:
                nxt = nxt[1:]
            keys.append(state_of[h] * mult + ng[-1])
            lps.append(math.log(p))
            nexts.append(state_of[nxt])
    # backoff arc and weight of every parts-th state
    backoff, bow = array("i"), array("f")
    for h in contexts[part::parts]:
        if h:
            backoff.append(state_of.get(h[1:], root))
            gamma = discounts[len(h) + 1] * types[h] / total[h] if h in total else 0.0
            bow.append(math.log(gamma) if gamma else 0.0)
        else:
            backoff.append(-1)
            bow.append(0.0)
    scalars = array("q", [state_of.get((BOUNDARY,), root), root])
    return {"keys": keys, "lp": lps, "next": nexts, "backoff": backoff, "bow": bow, "scalars": scalars}


def merge_kn_parts(results: Sequence[dict[str, array]]) -> dict[str, array]:
    """The automaton arrays (as :meth:`NgramLM.to_arrays`) from the parts of :func:`kn_arrays`."""
    keys = [k for r in results for k in r["keys"]]
    lps = [x for r in results for x in r["lp"]]
    nexts = [x for r in results for x in r["next"]]
    ranked = sorted(range(len(keys)), key=keys.__getitem__)
    parts = len(results)
    states = sum(len(r["backoff"]) for r in results)
    backoff: list[int] = [0] * states
    bow: list[float] = [0.0] * states
    for k, r in enumerate(results):
        backoff[k::parts] = r["backoff"].tolist()
        bow[k::parts] = r["bow"].tolist()
    return {
        "keys": array("q", [keys[i] for i in ranked]),
        "lp": array("f", [lps[i] for i in ranked]),
        "next": array("i", [nexts[i] for i in ranked]),
        "backoff": array("i", backoff),
        "bow": array("f", bow),
        "scalars": results[0]["scalars"],
    }


def compile_count_table(vocab_size: int, ngrams: array, values: array, order: int) -> dict[str, array]:
    """The automaton arrays (as :meth:`NgramLM.to_arrays`) of a raw count table in the file layout of
    :meth:`JointModel.count_arrays <lipyantar.translit.learned.jointseq.JointModel.count_arrays>`: ``ngrams`` holds
    rows of ``order`` ids (the ids < 0, the padding, dropped), ``values`` their counts.

    The same arrays as ``merge_kn_parts([kn_arrays(vocab_size, counts, order)])`` of the counts as a
    dict in the table's order, bit for bit: computed by the compiled kernel when it is built (about a
    tenth of a second for the default model's 290,000 n-grams, against 2-3 s), else, and for the tables
    the kernel leaves to it (an empty or repeated n-gram, a zero total, a weight whose log is not finite),
    by that Python code. Raises ValueError when the table's shape is wrong.
    """
    if len(ngrams) != order * len(values):
        raise ValueError("joint count table has the wrong shape")
    if FAST is not None and ngrams.typecode == "i" and values.typecode == "d" and 1 <= order <= 64:
        out = FAST.kn_compile(vocab_size, order, ngrams, values)
        if out is not None:
            compiled = {}
            for name, code, raw in zip(_AUTOMATON_ARRAYS, "qfiifq", out, strict=True):
                arr = array(code)
                arr.frombytes(raw)
                compiled[name] = arr
            return compiled
    return _compile_count_table_python(vocab_size, ngrams, values, order)


_AUTOMATON_ARRAYS = ("keys", "lp", "next", "backoff", "bow", "scalars")


def _compile_count_table_python(
    vocab_size: int, ngrams: array, values: array, order: int
) -> dict[str, array]:
    """:func:`compile_count_table` in pure Python (the reference of the compiled kernel)."""
    ids = ngrams.tolist()
    counts = {
        tuple(x for x in ids[i * order : (i + 1) * order] if x >= 0): v for i, v in enumerate(values.tolist())
    }
    return merge_kn_parts([kn_arrays(vocab_size, counts, order)])
