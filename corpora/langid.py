"""Word-level language identification within a script: romanized Hindi vs English, Persian vs Urdu vs Arabic.

The model (``translit/data/langid.tables``, :mod:`lipyantar.translit.wordlang`, built by ``scripts/train_langid.py``) holds, for each language,

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
    load_tables,
    open_tables,
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
#: words whose clipped posteriors :meth:`LangIdModel.clipped_posteriors` keeps (per group)
CLIPPED_MEMO_LIMIT = 100_000


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
    """The per-language lexicons and character models; see the module docstring. Made of the tables'
    JSON object (:func:`~lipyantar.translit.wordlang.read_tables`) or of tables already open
    (:func:`~lipyantar.translit.wordlang.open_tables`)."""

    def __init__(self, data: Mapping[str, object] | WordLanguages) -> None:
        try:
            self._tables = data if isinstance(data, WordLanguages) else WordLanguages(data)
            for group in GROUPS.values():
                self._tables.require(group)
        except ModelError as exc:  # the tables' checks, in this model's words
            message = str(exc).replace("langid tables", "langid model").replace(" table of ", " model of ")
            raise ModelError(message) from None
        self.order = self._tables.order
        self._cache: dict[tuple[str, str], tuple[float, ...]] = {}
        #: group -> word as written -> its clipped log posteriors (see :meth:`clipped_posteriors`)
        self._clipped: dict[str, dict[str, tuple[float, ...]]] = {group: {} for group in GROUPS}

    def load_tables(self) -> None:
        """Build now every table that is otherwise built on first use (the character models)."""
        for group in GROUPS.values():
            for language in group:
                self._tables.char_lm(language)

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

    def clipped_posteriors(self, words: Sequence[str], group: str) -> list[tuple[float, ...]]:
        """``max(log posterior, -WORD_CLIP)`` of each language of ``group`` for each word (the evidence
        :meth:`classify` adds up), computed once per word type: a memo keyed by the word as written, of at
        most :data:`CLIPPED_MEMO_LIMIT` words (started afresh when full)."""
        memo = self._clipped[group]
        out: list[tuple[float, ...]] = []
        append = out.append
        for word in words:
            clipped = memo.get(word)
            if clipped is None:
                clipped = tuple(max(lp, -WORD_CLIP) for lp in self.word_posteriors(word, group))
                if len(memo) >= CLIPPED_MEMO_LIMIT:
                    memo.clear()
                memo[word] = clipped
            append(clipped)
        return out

    def classify(self, words: Sequence[str], group: str) -> GroupDecision:
        """Decide the language of ``words`` (all in the script of ``group``) and tag each word."""
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; valid groups: {', '.join(GROUPS)}")
        langs = GROUPS[group]
        if not words:
            return GroupDecision(group, "unknown", "unknown", 0.0, ())
        clipped = self.clipped_posteriors(words, group)
        best, confidence = decide_totals(column_sums(clipped, len(langs)))
        tags = [langs[i] for i in _viterbi_clipped(clipped, best)]
        return self._decision(group, best, confidence, tags)

    def tag_words(self, words: Sequence[str], group: str) -> tuple[list[str], list[tuple[float, ...]]]:
        """The tag of each word (:attr:`GroupDecision.token_languages` of :meth:`classify`) and the words'
        :meth:`clipped_posteriors`, for callers that add up the evidence of several runs of words."""
        if group not in GROUPS:
            raise ValueError(f"unknown group {group!r}; valid groups: {', '.join(GROUPS)}")
        if not words:
            return [], []
        clipped = self.clipped_posteriors(words, group)
        return tag_clipped(clipped, group), clipped

    @staticmethod
    def _decision(group: str, best: int, confidence: float, tags: list[str]) -> GroupDecision:
        langs = GROUPS[group]
        counts = {lang: tags.count(lang) for lang in langs}
        minority = len(tags) - counts[langs[best]]
        mixed = minority >= MIXED_MIN_TOKENS and minority / len(tags) >= MIXED_SHARE
        return GroupDecision(group, "mixed" if mixed else langs[best], langs[best], confidence, tuple(tags), counts)


def tag_clipped(clipped: Sequence[Sequence[float]], group: str) -> list[str]:
    """The tags of a run of words of ``group`` (not empty) from their :meth:`LangIdModel.clipped_posteriors`,
    as :meth:`LangIdModel.tag_words` tags them."""
    langs = GROUPS[group]
    best, _confidence = decide_totals(column_sums(clipped, len(langs)))
    return [langs[i] for i in _viterbi_clipped(clipped, best)]


def column_sums(
    clipped: Sequence[Sequence[float]], k: int, *, start: Sequence[float] | None = None
) -> list[float]:
    """The per-language sums of clipped log posteriors, added word by word in order to ``start`` (zeros
    by default), as :meth:`LangIdModel.classify` adds them: the order fixes the floating-point result,
    so a unit's words may come in several runs."""
    if k == 2:
        first, second = start or (0.0, 0.0)
        for a, b in clipped:
            first += a
            second += b
        return [first, second]
    totals = list(start or [0.0] * k)
    for post in clipped:
        for i, lp in enumerate(post):
            totals[i] += lp
    return totals


def decide_totals(totals: Sequence[float]) -> tuple[int, float]:
    """The index of the most probable language (ties to the lower index) and its posterior
    probability, in [0, 1], from the summed clipped log posteriors of a unit's words."""
    top = max(totals)
    norm = top + math.log(sum(math.exp(t - top) for t in totals))
    best = max(range(len(totals)), key=lambda i: (totals[i], -i))
    return best, min(1.0, max(0.0, math.exp(totals[best] - norm)))


def _viterbi_clipped(clipped: Sequence[Sequence[float]], prior: int) -> list[int]:
    """:func:`_viterbi` of already clipped log posteriors (the same path, with the same floating-point
    operations: for two languages without the generic loop)."""
    if len(clipped[0]) != 2:
        return _viterbi([[max(lp, -WORD_CLIP) for lp in post] for post in clipped], prior)
    bonus0, bonus1 = (UNIT_PRIOR, 0.0) if prior == 0 else (0.0, UNIT_PRIOR)
    a, b = clipped[0]
    s0, s1 = a + bonus0, b + bonus1
    back = bytearray(len(clipped))  # bit 0: where state 0 came from, bit 1: where state 1 came from
    for k in range(1, len(clipped)):
        a, b = clipped[k]
        stay0, move1 = s0, s1 - SWITCH_COST  # into state 0: ties go to the lower state
        move0, stay1 = s0 - SWITCH_COST, s1
        if stay0 >= move1:
            n0, from0 = stay0 + (a + bonus0), 0
        else:
            n0, from0 = move1 + (a + bonus0), 1
        if move0 >= stay1:
            n1, from1 = move0 + (b + bonus1), 0
        else:
            n1, from1 = stay1 + (b + bonus1), 2
        back[k] = from0 | from1
        s0, s1 = n0, n1
    state = 0 if s0 >= s1 else 1
    path = [0] * len(clipped)
    for k in range(len(clipped) - 1, 0, -1):
        path[k] = state
        state = (back[k] >> state) & 1
    path[0] = state
    return path


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


def _read_packaged() -> WordLanguages:
    """The packaged tables, mapped: the process's one copy (:func:`load_tables`) unless
    :data:`MODEL_PATH` names other tables."""
    return load_tables() if MODEL_PATH == TABLE_PATH else open_tables(MODEL_PATH)


@lru_cache(maxsize=1)
def load_model() -> LangIdModel:
    """The packaged model, loaded on first use and shared afterwards."""
    model = LangIdModel(_read_packaged())
    logger.debug("loaded language-identification model (order %d)", model.order)
    return model
