"""Confusable word pairs told apart by the words around them, beyond the word n-gram model's reach:
है/हैं (typed ``hai`` for either; the verb agrees with a plural or honorific subject and with a
participle in -े several words before it), यह/ये (``ye``), थी/थीं, और/ओर, कम/काम, न/ना, अब/आब.

For each pair, a logistic regression over the sentence's words (:func:`pair_features`: the words and
endings right before and after it, and the words and endings of its clause further back, up to the
last finite verb or clause word), trained on native Hindi text (:func:`train_context_pairs`,
``scripts/train_context_pairs.py``). Sentence decoding (:class:`~lipyantar.translit.learned.decoder.SentenceDecoder`)
decodes a sentence once, and when a column holds both words of a pair, adds ``sentence.w_pairs`` times
half the classifier's log-odds (read on the first decoding's words) to one and takes it from the other,
and decodes again. The table is package data (``data/context-pairs.json.gz``, versioned, checked on
load).
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_gzip

__all__ = ["PAIRS", "PAIRS_PATH", "ContextPairs", "load_context_pairs", "pair_features", "train_context_pairs"]

FORMAT = "lipyantar-context-pairs"
VERSION = 1
PAIRS_PATH = Path(__file__).resolve().parent / "data" / "context-pairs.json.gz"

#: the pairs, chosen on held-out train sentences (``scripts/train_context_pairs.py``'s docstring): of
#: the pairs the decoder confuses there most often, those the classifier makes fewer errors on
PAIRS: tuple[tuple[str, str], ...] = (
    ("है", "हैं"),
    ("थी", "थीं"),
    ("यह", "ये"),
    ("और", "ओर"),
    ("कम", "काम"),
    ("न", "ना"),
    ("अब", "आब"),
)

#: words that end the clause looking back from a word (a finite verb, a clause word)
_CLAUSE_END = frozenset(
    "है हैं था थे थी थीं हूँ हूं हो कि जो क्योंकि लेकिन परंतु परन्तु किन्तु किंतु जिसमें जिससे जहाँ जब".split()
)
#: how far back the clause's words are read
_WINDOW = 8


def _token(word: str) -> str:
    return "<num>" if word[:1].isdigit() else word


def pair_features(words: Sequence[str], i: int) -> list[str]:
    """The features of ``words[i]`` (Devanagari words of one sentence; a number is one token): a bias,
    the two words before it (each, their pair and their last two letters), the word after it (and its
    last two letters), and each word of the clause two to eight words back (each and its last one and
    two letters) up to a clause end (:data:`_CLAUSE_END`, a feature itself)."""
    w1 = _token(words[i - 1]) if i >= 1 else "<s>"
    w2 = _token(words[i - 2]) if i >= 2 else "<s>"
    r1 = _token(words[i + 1]) if i + 1 < len(words) else "</s>"
    out = ["b", "w1=" + w1, "w2=" + w2, "s1=" + w1[-2:], "s2=" + w2[-2:], "w12=" + w2 + "|" + w1]
    out += ["r1=" + r1, "rs1=" + r1[-2:]]
    for d in range(1, min(_WINDOW, i) + 1):
        word = _token(words[i - d])
        if word in _CLAUSE_END:
            out.append("stop=" + word if d == 1 else "stopfar")
            break
        if d >= 2:
            out += ["cw=" + word, "cs=" + word[-2:], "cs1=" + word[-1:]]
    return out


@dataclass(frozen=True)
class ContextPairs:
    """The classifiers of confusable pairs: ``pairs[k]`` = (first, second), ``weights[k]`` the feature
    weights of the log-odds of the second."""

    pairs: tuple[tuple[str, str], ...]
    weights: tuple[Mapping[str, float], ...]
    #: word -> ((pair index, the other word, +1 when it is the second / -1 when the first), …)
    members: Mapping[str, tuple[tuple[int, str, int], ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.pairs) != len(self.weights):
            raise ValueError("one weight table per pair")
        members: dict[str, list[tuple[int, str, int]]] = {}
        for k, (a, b) in enumerate(self.pairs):
            if a == b:
                raise ValueError(f"pair {k}: the same word twice ({a})")
            members.setdefault(a, []).append((k, b, -1))
            members.setdefault(b, []).append((k, a, 1))
        object.__setattr__(self, "members", {w: tuple(v) for w, v in members.items()})

    def logit(self, k: int, words: Sequence[str], i: int) -> float:
        """The log-odds that ``words[i]`` is the second word of pair ``k`` rather than the first."""
        weights = self.weights[k]
        return sum(weights.get(f, 0.0) for f in pair_features(words, i))

    def rescored(
        self,
        devas: Sequence[Sequence[str]],
        scored: Sequence[tuple[tuple[float, int], ...]],
        words: Sequence[str],
        weight: float,
    ) -> list[tuple[tuple[float, int], ...]] | None:
        """``scored`` with, in each column of ``devas`` that holds both words of a pair, ``weight`` times
        half the log-odds of the pair (read on ``words``, one decoding of the sentence) added to the
        second word's score and taken from the first's; None when no column holds a pair, or when in
        each column that does ``words`` has the word the change favours most (that decoding's path then
        gains the most a path can: it stays the best one)."""
        members = self.members
        out: list[tuple[tuple[float, int], ...]] | None = None
        favoured = True
        for i, col in enumerate(devas):
            if len(col) < 2:
                continue
            shift: dict[str, float] | None = None
            for deva in col:
                for k, other, sign in members.get(deva, ()):
                    if other in col:
                        if shift is None:
                            shift = {}
                        shift[deva] = shift.get(deva, 0.0) + sign * weight * 0.5 * self.logit(k, words, i)
            if shift:
                favoured = favoured and shift.get(words[i], 0.0) >= max(0.0, *shift.values())
                if out is None:
                    out = list(scored)
                out[i] = tuple(
                    (score + shift.get(deva, 0.0), wid) for deva, (score, wid) in zip(col, scored[i], strict=True)
                )
        return None if favoured else out

    def to_json(self, **meta: object) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                **meta,
                "pairs": [list(p) for p in self.pairs],
                "weights": [dict(sorted(w.items())) for w in self.weights],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def write(self, path: Path, **meta: object) -> None:
        """Write the table gzip-compressed (reproducibly: no time stamp) to ``path``."""
        path.write_bytes(gzip.compress(self.to_json(**meta).encode("utf-8"), mtime=0))


def train_context_pairs(
    sentences: Iterable[Sequence[str]],
    pairs: Sequence[tuple[str, str]] = PAIRS,
    *,
    epochs: int = 8,
    rate: float = 0.1,
    l2: float = 1e-4,
    min_count: int = 2,
    seed: int = 0,
) -> ContextPairs:
    """A logistic regression per pair on each occurrence of either word in ``sentences`` (Devanagari
    words), by stochastic gradient descent (seeded, so reproducible; the rate falls as 1/epoch); only
    features seen at least ``min_count`` times in a pair's occurrences are kept, weights rounded."""
    data: list[list[tuple[list[str], int]]] = [[] for _ in pairs]
    index = {w: [(k, j) for k, p in enumerate(pairs) for j, m in enumerate(p) if m == w] for p in pairs for w in p}
    for words in sentences:
        for i, word in enumerate(words):
            for k, j in index.get(word, ()):
                data[k].append((pair_features(words, i), j))
    tables: list[dict[str, float]] = []
    for k, rows in enumerate(data):
        seen: dict[str, int] = {}
        for feats, _ in rows:
            for f in feats:
                seen[f] = seen.get(f, 0) + 1
        rows = [([f for f in feats if seen[f] >= min_count], y) for feats, y in rows]
        rng = random.Random(seed + k)
        w: dict[str, float] = {}
        for epoch in range(epochs):
            rng.shuffle(rows)
            eta = rate / (1 + epoch)
            decay = 1 - eta * l2
            for feats, y in rows:
                z = max(min(sum(w.get(f, 0.0) for f in feats), 30.0), -30.0)
                g = eta * (y - 1 / (1 + math.exp(-z)))
                for f in feats:
                    w[f] = w.get(f, 0.0) * decay + g
        tables.append({f: round(v, 3) for f, v in w.items() if abs(v) >= 0.005})
    return ContextPairs(tuple((a, b) for a, b in pairs), tuple(tables))


@lru_cache(maxsize=4)
def load_context_pairs(path: str | None = None) -> ContextPairs:
    """The table at ``path`` (default: the packaged one), read on first use."""
    data = read_versioned_gzip(Path(path) if path is not None else PAIRS_PATH, fmt=FORMAT, version=VERSION)
    try:
        pairs = tuple((str(a), str(b)) for a, b in data["pairs"])
        weights = tuple({str(f): float(v) for f, v in table.items()} for table in data["weights"])
        return ContextPairs(pairs, weights)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path or PAIRS_PATH}: malformed context-pairs table ({exc})") from None
