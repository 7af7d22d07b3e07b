"""Word-level language identification within a script: romanized Hindi vs English, Persian vs Urdu vs Arabic.

The model (``translit/data/langid.json.gz``, :mod:`lipyantar.translit.wordlang`, built by ``scripts/train_langid.py``) holds, for each language,

* a **lexicon**: relative word frequencies (per 10^8 tokens) of its most frequent words, and
* a **character n-gram language model** over word types (order :data:`ORDER`, ``<`` and ``>`` mark the
  word boundaries, Witten-Bell interpolation down to an add-one unigram model).

The probability of a word in language *L* is the mixture
``P_L(w) = (1 - beta) * lexicon_L(w) + beta * charlm_L(w)``: frequent words are recognised from the
lexicon, unseen words by their spelling. This is a generative (naive Bayes) classifier: the log
probabilities of the words of a sentence add up, each word's contribution clipped to
:data:`WORD_CLIP` nats so that one odd word (a name, a typo) cannot outvote a sentence.

Token tags come from a two-state (per group: k-state) hidden Markov model over the words of the unit: the
emission is the word's clipped log posterior plus :data:`UNIT_PRIOR` nats for the unit's language, every
change of language costs :data:`SWITCH_COST` nats (Viterbi). So a word that is both English and romanized
Hindi (``to``, ``is``, ``the`` = थे, ``he`` = है) follows its neighbours, while a clearly English word or
run of words inside a Hindi sentence (``landfill``, ``International Organization for Migration``) keeps
its own language.

Languages are grouped by script (:data:`GROUPS`); classification happens within one group. Everything is
deterministic; the model is loaded lazily once per process.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from lipyantar.translit.errors import ModelError
from lipyantar.translit.wordlang import (
    ORDER,
    TABLE_FORMAT,
    TABLE_PATH,
    TABLE_VERSION,
    WordLanguages,
    fold_word,
    read_tables,
)

__all__ = [
    "GROUPS",
    "ORDER",
    "SWITCH_COST",
    "GroupDecision",
    "LangIdModel",
    "fold_word",
    "load_model",
]

logger = logging.getLogger(__name__)

MODEL_FORMAT = TABLE_FORMAT
MODEL_VERSION = TABLE_VERSION
#: a word's log-posterior for a language is clipped below at -WORD_CLIP nats
WORD_CLIP = 6.0
#: cost (nats) of a change of language between two neighbouring words of a unit (token tagging)
SWITCH_COST = 2.0
#: preference (nats) of each word for the language of its unit (token tagging)
UNIT_PRIOR = 1.0
#: share of the minority language's tokens from which a unit counts as "mixed"
MIXED_SHARE = 0.3
#: ... provided the minority has at least this many tokens
MIXED_MIN_TOKENS = 3
#: script name -> the languages told apart within it
GROUPS: dict[str, tuple[str, ...]] = {"Latin": ("hi-Latn", "en"), "Arabic": ("fa", "ur", "ar")}

#: the packaged model table
MODEL_PATH = TABLE_PATH


@dataclass(frozen=True)
class GroupDecision:
    """The language of a run of words within one script group.

    ``language`` is a language of the group, ``"mixed"`` (the minority language has at least
    :data:`MIXED_SHARE` of the tagged tokens and :data:`MIXED_MIN_TOKENS` of them) or ``"unknown"`` (no
    words). ``dominant`` is the most probable language whatever the mixing (``"unknown"`` without
    words); ``confidence`` its posterior probability; ``token_languages`` one tag per input word.
    """

    group: str
    language: str
    dominant: str
    confidence: float
    token_languages: tuple[str, ...]
    counts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"unknown group {self.group!r}")
        valid = {*GROUPS[self.group], "mixed", "unknown"}
        if self.language not in valid:
            raise ValueError(f"language {self.language!r} is not one of {sorted(valid)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be within [0, 1]")


class LangIdModel:
    """The per-language lexicons and character models; see the module docstring."""

    def __init__(self, data: Mapping[str, object]) -> None:
        try:
            self._tables = WordLanguages(data)
            for group in GROUPS.values():
                self._tables.require(group)
        except ModelError as exc:  # the tables' checks, in this model's words
            message = str(exc).replace("langid tables", "langid model").replace(" table of ", " model of ")
            raise ModelError(message) from None
        self.order = self._tables.order
        self._cache: dict[tuple[str, str], tuple[float, ...]] = {}

    def word_logprob(self, word: str, language: str) -> float:
        """``log P_language(word)`` for an already folded word (see :func:`fold_word`)."""
        return self._tables.logprob(word, language)

    def word_posteriors(self, word: str, group: str) -> tuple[float, ...]:
        """Log posteriors (uniform prior) of the languages of ``group`` for one word, in group order."""
        folded = fold_word(word)
        key = (group, folded)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        logps = [self.word_logprob(folded, lang) for lang in GROUPS[group]]
        top = max(logps)
        norm = top + math.log(sum(math.exp(lp - top) for lp in logps))
        result = tuple(lp - norm for lp in logps)
        if len(self._cache) < 500_000:
            self._cache[key] = result
        return result

    def classify(self, words: Sequence[str], group: str) -> GroupDecision:
        """Decide the language of ``words`` (all in the script of ``group``) and tag each word."""
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; valid groups: {', '.join(GROUPS)}")
        langs = GROUPS[group]
        if not words:
            return GroupDecision(group, "unknown", "unknown", 0.0, ())
        totals = [0.0] * len(langs)
        per_word = [self.word_posteriors(w, group) for w in words]
        for post in per_word:
            for i, lp in enumerate(post):
                totals[i] += max(lp, -WORD_CLIP)
        top = max(totals)
        norm = top + math.log(sum(math.exp(t - top) for t in totals))
        best = max(range(len(langs)), key=lambda i: (totals[i], -i))
        confidence = math.exp(totals[best] - norm)
        tags = [langs[i] for i in _viterbi(per_word, best)]
        counts = {lang: tags.count(lang) for lang in langs}
        minority = len(tags) - counts[langs[best]]
        mixed = minority >= MIXED_MIN_TOKENS and minority / len(tags) >= MIXED_SHARE
        return GroupDecision(
            group,
            "mixed" if mixed else langs[best],
            langs[best],
            min(1.0, max(0.0, confidence)),
            tuple(tags),
            counts,
        )


def _viterbi(per_word: Sequence[Sequence[float]], prior: int) -> list[int]:
    """Most probable language sequence: clipped word log posteriors, :data:`SWITCH_COST` nats for every
    change of language, and :data:`UNIT_PRIOR` nats of preference for the unit's language ``prior``.
    Ties go to the lower language index."""
    k = len(per_word[0])

    def emit(post: Sequence[float], j: int) -> float:
        return max(post[j], -WORD_CLIP) + (UNIT_PRIOR if j == prior else 0.0)

    score = [emit(per_word[0], j) for j in range(k)]
    back: list[list[int]] = []
    for post in per_word[1:]:
        new: list[float] = []
        pointers: list[int] = []
        for j in range(k):
            came = max(range(k), key=lambda i: (score[i] - (0.0 if i == j else SWITCH_COST), -i))
            new.append(score[came] - (0.0 if came == j else SWITCH_COST) + emit(post, j))
            pointers.append(came)
        score = new
        back.append(pointers)
    state = max(range(k), key=lambda j: (score[j], -j))
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return path


def _read_packaged() -> dict[str, object]:
    return read_tables(MODEL_PATH)


@lru_cache(maxsize=1)
def load_model() -> LangIdModel:
    """The packaged model, loaded on first use and shared afterwards."""
    model = LangIdModel(_read_packaged())
    logger.debug("loaded language-identification model (order %d)", model.order)
    return model
