"""The casual-typing noise model: how often a typist of romanized Hindi leaves a spelling feature out,
P(typed form | canonical spelling) for the edits that casual typing makes, estimated from the
romanizations of the train lexicon (:func:`estimate_noise`):

* ``nasal_drop``: a final nasal left out (``hai`` for हैं, ``me`` for में, ``dono`` for दोनों), by the vowel
  before it (ीं is dropped far more often than ों);
* ``nasal_m``: a final nasal typed ``m`` (``evam`` for एवं), by the same context;
* ``nasal_medial``: a nasal inside the word left out (``unhone`` for उन्होंने, ``pahuchna`` for पहुंचना), by
  the vowel before it;
* ``plain_vowel``: e typed for ai and o for au (``kese`` for कैसे, ``kon`` for कौन), by vowel and position
  (word-final ``he`` for है is rare, ``pesa`` for पैसा common).

Sentence decoding scores the spellings that a typed word may be a casual form of (:meth:`NoiseModel.variants`)
by these log-probabilities (times ``casual.noise_weight``; the final-nasal edits times ``casual.nasal_weight``,
since running text leaves final nasals out far more often than the lexicon's words typed one by one:
:meth:`NoiseModel.weighted`), and the word n-gram model decides in context
(:meth:`~lipyantar.translit.learned.search.WordSearch._with_casual_variants`). The table is package data
(``data/casual-noise.json``, versioned, checked on load; built by ``scripts/train_noise.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_json
from lipyantar.translit.learned.variants import _vowels_wanted, nasal_variants

__all__ = ["EDITS", "NOISE_PATH", "NoiseModel", "estimate_noise", "load_noise", "noise_events", "noise_loglik"]

FORMAT = "lipyantar-casual-noise"
VERSION = 1
NOISE_PATH = Path(__file__).resolve().parent / "data" / "casual-noise.json"
#: the edits of the model, each a table of context -> log-probability
EDITS = ("nasal_drop", "nasal_m", "nasal_medial", "plain_vowel")
#: pseudo-count of the pooled rate added to each context's counts (contexts seen rarely keep near it)
SMOOTHING = 10.0
#: entries of the memo of :meth:`NoiseModel.variants` (emptied when full)
_MEMO_LIMIT = 200_000
#: no edit is less likely than this (a rate never seen is not impossible)
FLOOR = 1e-4

_NASALS = "ंँ"
#: independent vowels as the vowel sign they stand for (the context of a nasal after them)
_VOWEL_SIGN = {"अ": "a", "आ": "ा", "इ": "ि", "ई": "ी", "उ": "ु", "ऊ": "ू", "ए": "े", "ऐ": "ै", "ओ": "ो", "औ": "ौ"}
_SIGNS = frozenset("ािीुूृेैोौ")
#: the diphthongs, as vowel sign, and their plain vowel forms
_DIPHTHONG = {"ै": "ै", "ऐ": "ै", "ौ": "ौ", "औ": "ौ"}
_PLAIN = {"े": "ै", "ए": "ऐ", "ो": "ौ", "ओ": "औ"}
_TYPED_DIPHTHONG = {"ै": re.compile("ai|ae|ay|ei|ey|ea"), "ौ": re.compile("au|ou|aw|ow|ao")}
_TYPED_PLAIN = {"ै": "e", "ौ": "o"}
#: the letters that spell a nasal in a romanization, and the Devanagari that needs one of them
_ROMAN_NASALS = re.compile("[nm]")
_DEVA_NASALS = re.compile("[ंँनमणङञ]")
#: the vowels after which a nasal sign may stand inside a word
_NASAL_VOWELS = frozenset("ािीुूेैोौआइईउऊएऐओऔअ")


def nasal_context(stem: str) -> str | None:
    """The context of a nasal after ``stem`` (the word without its final nasal): the vowel sign before
    it (an independent vowel as its sign, a consonant's inherent vowel as ``a``); None when there is none."""
    if not stem:
        return None
    last = stem[-1]
    if last in _SIGNS:
        return last
    if last in _VOWEL_SIGN:
        return _VOWEL_SIGN[last]
    if "\u0915" <= last <= "\u0939" or "\u0958" <= last <= "\u095f" or last == "\u093c":
        return "a"
    return None


def vowel_context(deva: str, i: int) -> str:
    """The context of the diphthong at ``deva[i]``: its vowel sign and whether it ends the word (a
    nasal after it aside)."""
    rest = deva[i + 1 :]
    final = not rest or all(c in _NASALS for c in rest)
    return _DIPHTHONG[deva[i]] + (":final" if final else ":medial")


@dataclass(frozen=True)
class NoiseModel:
    """log P(edit | context) of each casual edit (:data:`EDITS`); a context not in a table has the edit's
    pooled rate."""

    #: edit -> context -> log-probability of the edit there
    logprobs: Mapping[str, Mapping[str, float]]
    #: edit -> log-probability of the edit pooled over its contexts
    pooled: Mapping[str, float]
    #: where the estimate comes from (counts, source)
    training: Mapping[str, Any] = field(default_factory=dict)
    _memo: dict[tuple[str, str, str, bool], tuple[tuple[str, float], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name in EDITS:
            if name not in self.logprobs or name not in self.pooled:
                raise ModelError(f"casual-typing noise: the edit {name} is missing")
            for value in (self.pooled[name], *self.logprobs[name].values()):
                if not (isinstance(value, (int, float)) and math.isfinite(value) and value <= 0.0):
                    raise ModelError(f"casual-typing noise: {name} has a log-probability {value!r}")

    def logprob(self, edit: str, context: str | None) -> float:
        """log P(``edit`` | ``context``)."""
        table = self.logprobs[edit]
        lp = table.get(context) if context is not None else None
        return self.pooled[edit] if lp is None else lp

    def variants(self, roman: str, deva: str, *, inside: bool = True) -> tuple[tuple[str, float], ...]:
        """The spellings whose casual typing ``roman`` may be, when ``deva`` is a spelling of what was
        typed, each with the log-probability of the edits between them: ``deva``'s forms with a
        diphthong for each plain e or o that ``roman`` has (one at a time and all together), the
        nasalized forms (:func:`~lipyantar.translit.learned.variants.nasal_variants`) of ``deva`` and
        of those, and (``inside``) ``deva`` with a nasal sign after one of its vowels inside the word.
        ``deva`` itself is not among them. Memoized by what they depend on."""
        if not roman:
            return ()
        last = roman[-1]
        end = "a" if last in "aeiouy" else "am" if last == "m" and len(roman) > 1 else "x"
        wanted = _vowels_wanted(roman)
        if not wanted and end == "x" and not inside:
            return ()
        key = (deva, wanted, end, inside)
        memo = self._memo
        found = memo.get(key)
        if found is None:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = self._variants(deva, key[1], end, inside)
        return found

    def _variants(self, deva: str, wanted: str, end: str, inside: bool) -> tuple[tuple[str, float], ...]:
        bases = [(deva, 0.0)]
        spots = [i for i, c in enumerate(deva) if c in wanted] if wanted else []
        if spots:
            lps = []
            for i in spots:
                form = deva[:i] + _PLAIN[deva[i]] + deva[i + 1 :]
                lp = self.logprob("plain_vowel", vowel_context(form, i))
                lps.append(lp)
                bases.append((form, lp))
            if len(spots) > 1:
                bases.append(("".join(_PLAIN[c] if c in wanted else c for c in deva), sum(lps)))
        out: dict[str, float] = {}
        if inside:
            for i in range(len(deva) - 1):
                if deva[i] in _NASAL_VOWELS and deva[i + 1] not in _NASALS and deva[i + 1] != "्":
                    lp = self.logprob("nasal_medial", nasal_context(deva[: i + 1]))
                    out[deva[: i + 1] + "ं" + deva[i + 1 :]] = lp
                    if deva[i] in "ाुूआउऊअ":
                        out[deva[: i + 1] + "ँ" + deva[i + 1 :]] = lp
        edit = "nasal_drop" if end == "a" else "nasal_m"
        for base, lp in bases:
            if base != deva and out.get(base, -math.inf) < lp:
                out[base] = lp
            for form in nasal_variants(end, base):
                nlp = lp + self.logprob(edit, nasal_context(form[:-1]))
                if out.get(form, -math.inf) < nlp:
                    out[form] = nlp
        return tuple(out.items())

    def weighted(self, weights: Mapping[str, float]) -> NoiseModel:
        """This model with each edit's log-probabilities multiplied by its weight in ``weights`` (1 for
        an edit not in it): the scores that sentence decoding adds (``casual.noise_weight``,
        ``casual.nasal_weight``). Each weight must be finite and not negative."""
        for name, w in weights.items():
            if name not in EDITS or not (math.isfinite(w) and w >= 0.0):
                raise ValueError(f"casual-typing noise: bad weight {w!r} of {name!r}")
        return NoiseModel(
            {name: {c: lp * weights.get(name, 1.0) for c, lp in table.items()} for name, table in self.logprobs.items()},
            {name: lp * weights.get(name, 1.0) for name, lp in self.pooled.items()},
            self.training,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "edits": list(EDITS),
                "pooled": {name: round(self.pooled[name], 4) for name in EDITS},
                "logprobs": {
                    name: {k: round(v, 4) for k, v in sorted(self.logprobs[name].items())} for name in EDITS
                },
                "training": dict(self.training),
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "casual-typing noise") -> NoiseModel:
        data = read_versioned_json(text, fmt=FORMAT, version=VERSION, source=source)
        if data.get("edits") != list(EDITS):
            raise ModelError(f"{source}: its edits are not this version's")
        try:
            logprobs = {name: {str(k): float(v) for k, v in data["logprobs"][name].items()} for name in EDITS}
            pooled = {name: float(data["pooled"][name]) for name in EDITS}
            return cls(logprobs, pooled, dict(data.get("training", {})))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{source}: {exc!r}") from None


def _rate(k: float, n: float, pooled: float, smoothing: float) -> float:
    return math.log(max((k + smoothing * pooled) / (n + smoothing), FLOOR))


def estimate_noise(
    pairs: Iterable[tuple[str, str, float]], *, source: str = "", smoothing: float = SMOOTHING
) -> NoiseModel:
    """The noise model of (Devanagari, romanization, count) rows, such as a romanization lexicon:

    * of the words that end in a nasal after a vowel sign, an independent vowel or a consonant, the share
      of romanizations that end in a vowel (``nasal_drop``) or in ``m`` (``nasal_m``; the rest end in
      ``n``), by that context;
    * of the words with one nasal sign inside them (and none at the end), the share of romanizations with
      fewer ``n`` and ``m`` than the word has nasals (``nasal_medial``), by the vowel before it;
    * of the words with one diphthong (ै/ऐ or ौ/औ) and no plain e or o (े/ए or ो/ओ) to confuse it with,
      the share of romanizations that spell it with a plain ``e`` or ``o`` rather than ``ai``/``au`` (and
      the like), by :func:`vowel_context`.

    Each context's rate is smoothed towards the pooled rate (``smoothing`` pseudo-counts)."""
    counts: dict[str, dict[str, list[float]]] = {name: {} for name in EDITS}
    for name, ctx, hit, count in noise_events(pairs):
        cell = counts[name].setdefault(ctx, [0.0, 0.0])
        cell[0] += count * hit
        cell[1] += count
    logprobs: dict[str, dict[str, float]] = {}
    pooled: dict[str, float] = {}
    sizes: dict[str, dict[str, float]] = {}
    for name in EDITS:
        k = sum(c[0] for c in counts[name].values())
        n = sum(c[1] for c in counts[name].values())
        rate = max(k / n, FLOOR) if n else FLOOR
        pooled[name] = math.log(rate)
        logprobs[name] = {ctx: _rate(ck, cn, rate, smoothing) for ctx, (ck, cn) in counts[name].items()}
        sizes[name] = {"events": round(k, 1), "words": round(n, 1)}
    return NoiseModel(logprobs, pooled, {"source": source, "counts": sizes, "smoothing": smoothing})


def noise_events(pairs: Iterable[tuple[str, str, float]]) -> Iterator[tuple[str, str, bool, float]]:
    """The evidence of (Devanagari, romanization, count) rows about each edit (see :func:`estimate_noise`):
    (edit, context, whether the romanization made it, count)."""
    for deva, roman, count in pairs:
        r = roman.lower()
        if not r or not deva or count <= 0:
            continue
        if len(deva) > 1 and deva[-1] in _NASALS and r[-1] in "aeiouymn":
            ctx = nasal_context(deva[:-1])
            if ctx is not None:
                yield "nasal_drop", ctx, r[-1] in "aeiouy", count
                yield "nasal_m", ctx, r[-1] == "m", count
        inside = [i for i, c in enumerate(deva[:-1]) if c in _NASALS and i > 0]
        if len(inside) == 1 and deva[-1] not in _NASALS:
            ctx = nasal_context(deva[: inside[0]])
            if ctx is not None:
                yield "nasal_medial", ctx, len(_ROMAN_NASALS.findall(r)) < len(_DEVA_NASALS.findall(deva)), count
        spots = [i for i, c in enumerate(deva) if c in _DIPHTHONG]
        if len(spots) == 1:
            sign = _DIPHTHONG[deva[spots[0]]]
            plain = "ेए" if sign == "ै" else "ोओ"
            if not any(c in plain for c in deva):
                if _TYPED_DIPHTHONG[sign].search(r):
                    yield "plain_vowel", vowel_context(deva, spots[0]), False, count
                elif _TYPED_PLAIN[sign] in r:
                    yield "plain_vowel", vowel_context(deva, spots[0]), True, count


def noise_loglik(model: NoiseModel, pairs: Iterable[tuple[str, str, float]]) -> float:
    """The log-likelihood, under ``model``, of the edits that the rows make and do not make (to choose
    the smoothing on rows the model was estimated without)."""
    total = 0.0
    for name, ctx, hit, count in noise_events(pairs):
        lp = model.logprob(name, ctx)
        total += count * (lp if hit else math.log(max(1.0 - math.exp(lp), FLOOR)))
    return total


@lru_cache(maxsize=4)
def load_noise(path: str | None = None) -> NoiseModel:
    """The noise table at ``path`` (default: the packaged one), read on first use."""
    where = Path(path) if path is not None else NOISE_PATH
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"the casual-typing noise table {where} is missing; run scripts/train_noise.py") from exc
    return NoiseModel.from_json(text, source=str(where))
