"""Word-level language identification within a script: romanized Hindi vs English, Persian vs Urdu vs Arabic.

The model (``corpora/data/langid.json.gz``, built by ``scripts/train_langid.py``) holds, for each language,

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

import gzip
import json
import logging
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lipyantar.translit.errors import ModelError

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

MODEL_FORMAT = "lipyantar-langid"
MODEL_VERSION = 1
#: order of the character n-gram models
ORDER = 5
#: weight of the character model in the lexicon/character mixture
BETA = 0.1
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

#: the packaged model table (package data next to this module)
MODEL_PATH = Path(__file__).resolve().parent / "data" / "langid.json.gz"

_ARABIC_STRIP = dict.fromkeys([*range(0x064B, 0x0653), 0x0640, 0x200C, 0x200D])


def fold_word(word: str) -> str:
    """The form of a word that the model sees: NFC, lower case, typographic apostrophe as ``'``;
    Latin diacritics removed (``ṛṣi`` -> ``rsi``); Arabic harakat, tatweel and ZWNJ/ZWJ removed."""
    word = unicodedata.normalize("NFC", word).lower().replace("\u2019", "'")
    if word.isascii():
        return word
    if any("\u0600" <= ch <= "\u06ff" for ch in word):
        return word.translate(_ARABIC_STRIP)
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


class _CharLM:
    """Witten-Bell interpolated character n-gram model over words (``<word>``)."""

    def __init__(self, ngrams: Mapping[str, int], order: int) -> None:
        self.order = order
        self.counts = dict(ngrams)
        totals: dict[str, int] = {}
        types: dict[str, int] = {}
        for gram, count in self.counts.items():
            history = gram[:-1]
            totals[history] = totals.get(history, 0) + count
            types[history] = types.get(history, 0) + 1
        self.totals = totals
        self.types = types
        self.unigram_total = totals.get("", 0)
        self.vocabulary = types.get("", 0) + 1

    def _prob(self, history: str, char: str) -> float:
        prob = (self.counts.get(char, 0) + 1) / (self.unigram_total + self.vocabulary)
        for k in range(1, len(history) + 1):
            h = history[-k:]
            total = self.totals.get(h)
            if not total:
                break
            distinct = self.types[h]
            prob = (self.counts.get(h + char, 0) + distinct * prob) / (total + distinct)
        return prob

    def logprob(self, word: str) -> float:
        padded = "<" + word + ">"
        logp = 0.0
        for i in range(1, len(padded)):
            logp += math.log(self._prob(padded[max(0, i - self.order + 1) : i], padded[i]))
        return logp


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
        if data.get("format") != MODEL_FORMAT or data.get("version") != MODEL_VERSION:
            raise ModelError(
                f"not a {MODEL_FORMAT} model of version {MODEL_VERSION} "
                f"(found {data.get('format')!r} version {data.get('version')!r})"
            )
        order = data.get("order")
        languages = data.get("languages")
        if not isinstance(order, int) or not isinstance(languages, dict):
            raise ModelError("langid model: missing 'order' or 'languages'")
        self.order = order
        self._lexicon: dict[str, dict[str, int]] = {}
        self._lm: dict[str, _CharLM] = {}
        for group in GROUPS.values():
            for lang in group:
                entry = languages.get(lang)
                if not isinstance(entry, dict) or "lexicon" not in entry or "ngrams" not in entry:
                    raise ModelError(f"langid model: no tables for language {lang!r}")
                self._lexicon[lang] = entry["lexicon"]
                self._lm[lang] = _CharLM(entry["ngrams"], order)
        self._cache: dict[tuple[str, str], tuple[float, ...]] = {}

    def word_logprob(self, word: str, language: str) -> float:
        """``log P_language(word)`` for an already folded word (see :func:`fold_word`)."""
        lexical = self._lexicon[language].get(word, 0) / 1e8
        return math.log((1.0 - BETA) * lexical + BETA * math.exp(self._lm[language].logprob(word)))

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
    try:
        raw = MODEL_PATH.read_bytes()
    except OSError as exc:
        raise ModelError(
            "the language-identification table corpora/data/langid.json.gz is missing; "
            "run scripts/train_langid.py"
        ) from exc
    try:
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"corpora/data/langid.json.gz is corrupt: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError("corpora/data/langid.json.gz: not a JSON object")
    return data


@lru_cache(maxsize=1)
def load_model() -> LangIdModel:
    """The packaged model, loaded on first use and shared afterwards."""
    model = LangIdModel(_read_packaged())
    logger.debug("loaded language-identification model (order %d)", model.order)
    return model
