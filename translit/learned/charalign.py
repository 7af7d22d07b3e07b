"""EM many-to-many character alignment of Devanagari words with their romanizations.

The Devanagari side is first cut into *units* (:func:`deva_units`): a consonant with its nukta and
virama (``क्`` is one unit), an independent vowel, a vowel sign, anusvara, chandrabindu, visarga.
An alignment pairs consecutive chunks of 1..``max_deva`` units with chunks of 1..``max_roman``
Latin letters, so both sides are covered and nothing is inserted or deleted (``है`` → ``h`` is one
two-unit chunk). Such a pair of chunks is a *graphone*.

Training is the m2m-aligner recipe (Jiampojamarn et al. 2007): expectation maximization of the
joint graphone distribution with forward-backward over the (deva, roman) grid, then a Viterbi pass
that gives each word its best segmentation. The per-letter Viterbi log-probability is the pair's
*alignment score*; noisy pairs (``इनके`` → ``unke``) come out at the bottom and can be dropped.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from lipyantar.translit.normalize import Normalizer

__all__ = [
    "DEVA_WORD_RE",
    "Aligner",
    "Alignment",
    "can_follow",
    "deva_units",
    "deva_words",
    "is_wellformed",
    "normalize_deva",
    "normalize_roman",
    "prepare_pairs",
]

logger = logging.getLogger(__name__)

_NUKTA = "\u093c"
_VIRAMA = "\u094d"
_CONSONANT_LO, _CONSONANT_HI = 0x0915, 0x0939
_EXTRA_CONSONANTS = frozenset(chr(c) for c in range(0x0958, 0x0960)) | {"\u0979", "\u097a"}


#: a Devanagari word of the learned model (letters and signs of the Devanagari block, no danda, digits or
#: abbreviation sign), matched in text normalized by :func:`normalize_deva`
DEVA_WORD_RE = regex.compile(r"[\u0900-\u0963\u0971-\u097f]+")


_normalize = Normalizer().normalize  # normalize()'s default options, without its per-call look-up


def normalize_deva(word: str) -> str:
    """Canonical Devanagari: NFC, decomposed nukta, no ZWJ/ZWNJ."""
    return _normalize(word)


def normalize_roman(word: str) -> str:
    """Lower-case Latin letters only (diacritics, digits and marks dropped)."""
    if word.isascii() and word.isalpha():  # the common case: nothing to drop
        return word.lower()
    return "".join(ch for ch in word.lower() if "a" <= ch <= "z")


def _is_consonant(ch: str) -> bool:
    return _CONSONANT_LO <= ord(ch) <= _CONSONANT_HI or ch in _EXTRA_CONSONANTS


# a unit: a consonant with the nuktas and viramas after it, or any other character with its nuktas
_UNIT_RE = re.compile(
    f"[{chr(_CONSONANT_LO)}-{chr(_CONSONANT_HI)}{''.join(sorted(_EXTRA_CONSONANTS))}][{_NUKTA}{_VIRAMA}]*"
    f"|.{_NUKTA}*",
    re.DOTALL,
)


def deva_units(word: str) -> tuple[str, ...]:
    """Cut a normalized Devanagari word into alignment units (consonant + nukta + virama, ...)."""
    if len(word) > 64:
        # the same cut by a regular expression: linear however long a unit (the loop below adds to
        # a unit a character at a time, quadratic in a run of 400,000 nuktas); the loop is faster
        # on words
        return tuple(_UNIT_RE.findall(word))
    units: list[str] = []
    for ch in word:
        if units and (ch == _NUKTA or (ch == _VIRAMA and _is_consonant(units[-1][0]))):
            units[-1] += ch
        else:
            units.append(ch)
    return tuple(units)


_SIGNS = frozenset(chr(c) for c in (*range(0x093E, 0x094D), 0x0962, 0x0963, 0x0955, 0x0956, 0x0957))
_MARKS = frozenset("\u0901\u0902\u0903")


def is_wellformed(word: str) -> bool:
    """Whether a Devanagari word is a plausible spelling.

    A vowel sign must follow a bare consonant; anusvara, chandrabindu and visarga must follow a
    consonant or vowel (not a virama and not another such mark); a virama only ends a consonant.
    """
    prev = ""
    for unit in deva_units(word):
        head = unit[0]
        if head in _SIGNS:
            if not prev or not _is_consonant(prev[0]) or prev.endswith(_VIRAMA):
                return False
        elif head in _MARKS:
            if not prev or prev.endswith(_VIRAMA) or prev[0] in _MARKS:
                return False
        elif head == _VIRAMA or head == _NUKTA:
            return False
        prev = unit
    return True


def can_follow(prev: str, nxt: str) -> bool:
    """Whether Devanagari text ``nxt`` may be appended to ``prev`` (the well-formedness junction).

    Only the first unit of ``nxt`` and the last character of ``prev`` matter: a vowel sign or
    virama needs a bare consonant (or nukta) before it, a nasal mark or visarga needs a letter or
    vowel sign (not a virama or another mark).
    """
    if not nxt:
        return True
    head = nxt[0]
    if head in _SIGNS or head == _VIRAMA or head == _NUKTA:
        if not prev:
            return False
        last = prev[-1]
        return _is_consonant(last) or last == _NUKTA
    if head in _MARKS:
        if not prev:
            return False
        last = prev[-1]
        return last != _VIRAMA and last not in _MARKS
    return True


@dataclass(frozen=True)
class Alignment:
    """The best segmentation of one pair into graphones, with its per-letter log-probability."""

    graphones: tuple[tuple[str, str], ...]
    score: float


class Aligner:
    """Joint graphone distribution learned by EM; aligns (units, roman) pairs.

    Args:
        max_deva: longest Devanagari chunk in units.
        max_roman: longest Latin chunk in letters.
        multi_penalty: factor (≤ 1) on the probability of a chunk of more than one Devanagari unit
            in every E step, against EM's preference for few large chunks.
    """

    def __init__(self, *, max_deva: int = 2, max_roman: int = 4, multi_penalty: float = 1.0) -> None:
        self.max_deva = max_deva
        self.max_roman = max_roman
        self.multi_penalty = multi_penalty
        self.prob: dict[tuple[str, str], float] = {}

    # -- EM -------------------------------------------------------------------------------------
    def _edges(self, units: Sequence[str], roman: str) -> list[list[tuple[int, int, tuple[str, str]]]]:
        """For every start cell (i, j) flattened, the outgoing (di, dj, graphone) edges."""
        n, m = len(units), len(roman)
        edges: list[list[tuple[int, int, tuple[str, str]]]] = [[] for _ in range((n + 1) * (m + 1))]
        for i in range(n):
            for di in range(1, min(self.max_deva, n - i) + 1):
                d = "".join(units[i : i + di])
                # the remaining letters must be coverable by the remaining units and vice versa
                for j in range(m):
                    for dj in range(1, min(self.max_roman, m - j) + 1):
                        rest_n, rest_m = n - i - di, m - j - dj
                        if rest_m < rest_n // self.max_deva + (rest_n % self.max_deva > 0) or (
                            rest_m > rest_n * self.max_roman
                        ):
                            continue
                        if j < i // self.max_deva or j > i * self.max_roman:
                            continue
                        edges[i * (m + 1) + j].append((di, dj, (d, roman[j : j + dj])))
        return edges

    def train(
        self,
        pairs: Sequence[tuple[Sequence[str], str, float]],
        *,
        iterations: int = 4,
        init: dict[tuple[str, str], float] | None = None,
        prior_weight: float = 0.0,
    ) -> None:
        """Estimate the joint graphone distribution from (units, roman, weight) pairs.

        With ``init`` (a graphone distribution, e.g. a base model's), EM starts from it mixed with
        a uniform share for graphones it lacks, and ``prior_weight`` pseudo-counts of it are added
        in every M step (MAP adaptation).
        """
        prepared = []
        for units, roman, weight in pairs:
            if not units or not roman:
                continue
            edges = self._edges(units, roman)
            if not edges[0]:
                continue
            prepared.append((len(units), len(roman), edges, weight))
        # uniform start over all graphones that occur anywhere
        counts: dict[tuple[str, str], float] = defaultdict(float)
        for _n, _m, edges, weight in prepared:
            for cell_edges in edges:
                for _di, _dj, g in cell_edges:
                    counts[g] += weight
        total = sum(counts.values())
        self.prob = self._penalize({g: c / total for g, c in counts.items()})
        if init:
            mixed = {g: 0.1 * p for g, p in self.prob.items()}
            for g, p in init.items():
                mixed[g] = mixed.get(g, 0.0) + 0.9 * p
            self.prob = mixed
        for it in range(iterations):
            counts = defaultdict(float)
            if init and prior_weight > 0:
                for g, p in init.items():
                    counts[g] += prior_weight * p
            loglik = 0.0
            prob = self.prob
            for n, m, edges, weight in prepared:
                width = m + 1
                size = (n + 1) * width
                alpha = [0.0] * size
                alpha[0] = 1.0
                for cell in range(size):
                    a = alpha[cell]
                    if a == 0.0:
                        continue
                    for di, dj, g in edges[cell]:
                        alpha[cell + di * width + dj] += a * prob.get(g, 0.0)
                z = alpha[size - 1]
                if z <= 0.0:
                    continue
                loglik += weight * math.log(z)
                beta = [0.0] * size
                beta[size - 1] = 1.0
                for cell in range(size - 1, -1, -1):
                    b = 0.0
                    a = alpha[cell]
                    for di, dj, g in edges[cell]:
                        nb = beta[cell + di * width + dj]
                        if nb:
                            p = prob.get(g, 0.0) * nb
                            b += p
                            if a:
                                counts[g] += weight * a * p / z
                    if cell != size - 1:
                        beta[cell] = b
            total = sum(counts.values())
            self.prob = self._penalize({g: c / total for g, c in counts.items() if c / total > 1e-9})
            logger.info("EM iteration %d: log-likelihood %.1f, %d graphones", it + 1, loglik, len(self.prob))

    def _penalize(self, prob: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
        if self.multi_penalty >= 1.0:
            return prob
        pen = self.multi_penalty
        return {g: (p * pen if len(deva_units(g[0])) > 1 else p) for g, p in prob.items()}

    # -- Viterbi -------------------------------------------------------------------------------
    def align(self, units: Sequence[str], roman: str) -> Alignment | None:
        """Best segmentation of one pair, or None when the pair cannot be aligned."""
        n, m = len(units), len(roman)
        if not n or not m:
            return None
        edges = self._edges(units, roman)
        width = m + 1
        size = (n + 1) * width
        best = [-math.inf] * size
        back: list[tuple[int, tuple[str, str]] | None] = [None] * size
        best[0] = 0.0
        prob = self.prob
        for cell in range(size):
            s = best[cell]
            if s == -math.inf:
                continue
            for di, dj, g in edges[cell]:
                p = prob.get(g)
                if not p:
                    continue
                nxt = cell + di * width + dj
                ns = s + math.log(p)
                if ns > best[nxt]:
                    best[nxt] = ns
                    back[nxt] = (cell, g)
        if best[size - 1] == -math.inf:
            return None
        out: list[tuple[str, str]] = []
        cell = size - 1
        while cell:
            step = back[cell]
            if step is None:  # pragma: no cover - unreachable when best is finite
                return None
            cell, g = step
            out.append(g)
        out.reverse()
        return Alignment(tuple(out), best[size - 1] / (n + m))

    def align_all(self, pairs: Iterable[tuple[Sequence[str], str]]) -> list[Alignment | None]:
        return [self.align(u, r) for u, r in pairs]


def deva_words(text: str) -> list[str]:
    """The normalized Devanagari words of a text, in order."""
    return DEVA_WORD_RE.findall(normalize_deva(text))


def prepare_pairs(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """The usable pairs, normalized (:func:`normalize_deva`, :func:`normalize_roman`), merged (counts added) and
    sorted: a pair with an empty side or a Devanagari side that is not one word is dropped."""
    merged: dict[tuple[str, str], float] = defaultdict(float)
    for deva, roman, count in pairs:
        d = normalize_deva(deva.strip())
        r = normalize_roman(roman)
        if d and r and DEVA_WORD_RE.fullmatch(d):
            merged[(d, r)] += count
    return [(d, r, c) for (d, r), c in sorted(merged.items())]
