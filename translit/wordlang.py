"""Word-level language models of one script: for each language a lexicon of relative word frequencies and
a character n-gram model over word types (``translit/data/langid.json.gz``, built by
``scripts/train_langid.py``; romanized Hindi and English in Latin script, Persian, Urdu and Arabic in
Arabic script).

The probability of a folded word (:func:`fold_word`) in language *L* is the mixture
``P_L(w) = (1 - BETA) * lexicon_L(w) + BETA * charlm_L(w)``: frequent words are recognised from the lexicon,
unseen words by their spelling. Used by the sentence-level language identification of
:mod:`lipyantar.corpora.langid` and by the per-token English/Hindi decision of
:mod:`lipyantar.translit.learned.codemix`. The packaged tables are loaded once, on first use.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from lipyantar.translit.compiled import load_extension
from lipyantar.translit.errors import ModelError

__all__ = ["BETA", "ORDER", "TABLE_PATH", "CharLM", "WordLanguages", "fold_word", "load_tables", "read_tables"]

TABLE_FORMAT = "lipyantar-langid"
TABLE_VERSION = 1
#: order of the character n-gram models
ORDER = 5
#: weight of the character model in the lexicon/character mixture
BETA = 0.1
#: the n-grams whose log probabilities a :class:`CharLM` keeps (started afresh when full)
NGRAM_MEMO_LIMIT = 100_000
#: the packaged tables (package data next to this module)
TABLE_PATH = Path(__file__).resolve().parent / "data" / "langid.json.gz"

logger = logging.getLogger(__name__)

_ARABIC_STRIP = dict.fromkeys([*range(0x064B, 0x0653), 0x0640, 0x200C, 0x200D])


def fold_word(word: str) -> str:
    """The form of a word that the models see: NFC, lower case, typographic apostrophe as ``'``;
    Latin diacritics removed (``ṛṣi`` -> ``rsi``); Arabic harakat, tatweel and ZWNJ/ZWJ removed."""
    word = unicodedata.normalize("NFC", word).lower().replace("\u2019", "'")
    if word.isascii():
        return word
    if any("\u0600" <= ch <= "\u06ff" for ch in word):
        return word.translate(_ARABIC_STRIP)
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _load_fast() -> Any:
    """The compiled character model (``lipyantar.translit._fastwordlang``) when built, enabled and of this
    version, else None."""
    module = load_extension("_fastwordlang")
    if module is not None and getattr(module, "KERNEL_VERSION", None) != KERNEL_VERSION:  # pragma: no cover
        logger.warning("lipyantar.translit._fastwordlang computes another model; rebuild it (using Python)")
        return None
    return module


#: the version of :meth:`CharLM.logprob_python` that the compiled kernel must implement
KERNEL_VERSION = "1"
#: the compiled kernel, or None (pure Python)
FAST = _load_fast()


class CharLM:
    """Witten-Bell interpolated character n-gram model over words (``<word>``).

    :meth:`logprob` runs compiled (``lipyantar.translit._fastwordlang``, built from the counts when the
    model is made) when the kernel is built, with the same results to the last bit as
    :meth:`logprob_python`, the reference, which is used otherwise (its tables are then made on first
    use)."""

    def __init__(self, ngrams: Mapping[str, int], order: int) -> None:
        self.order = order
        self.counts = ngrams if isinstance(ngrams, dict) else dict(ngrams)
        self._fast: Any = None
        if FAST is not None:
            try:
                self._fast = FAST.CharModel(self.counts, order)
            except ValueError as exc:  # a table the kernel cannot hold: the Python code runs
                logger.debug("character model not compiled (%s); using Python", exc)
        self._tables: tuple[dict[str, int], dict[str, int], int, int] | None = None
        #: n-gram (history + character) -> log probability, each worked out once (see :meth:`logprob_python`)
        self._logprobs: dict[str, float] = {}

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return CharLM, (self.counts, self.order)  # the compiled model is made again from the counts

    def _python_tables(self) -> tuple[dict[str, int], dict[str, int], int, int]:
        """(history -> sum of its n-grams' counts, history -> number of its n-grams, unigram total,
        vocabulary size), made on first use."""
        if self._tables is None:
            totals: dict[str, int] = {}
            types: dict[str, int] = {}
            for gram, count in self.counts.items():
                history = gram[:-1]
                totals[history] = totals.get(history, 0) + count
                types[history] = types.get(history, 0) + 1
            self._tables = totals, types, totals.get("", 0), types.get("", 0) + 1
        return self._tables

    def _prob(self, history: str, char: str) -> float:
        totals, types, unigram_total, vocabulary = self._python_tables()
        prob = (self.counts.get(char, 0) + 1) / (unigram_total + vocabulary)
        for k in range(1, len(history) + 1):
            h = history[-k:]
            total = totals.get(h)
            if not total:
                break
            distinct = types[h]
            prob = (self.counts.get(h + char, 0) + distinct * prob) / (total + distinct)
        return prob

    def logprob(self, word: str) -> float:
        """``log P(<word>)``: the sum over the characters after ``<`` of the log probability of each
        given the ``order - 1`` before it."""
        fast = self._fast
        if fast is not None:
            return fast.logprob(word)
        return self.logprob_python(word)

    def logprob_python(self, word: str) -> float:
        """:meth:`logprob` in Python (the reference of the compiled kernel): each n-gram's log
        probability worked out once, in a memo of at most :data:`NGRAM_MEMO_LIMIT` n-grams."""
        padded = "<" + word + ">"
        memo = self._logprobs
        logp = 0.0
        for i in range(1, len(padded)):
            start = max(0, i - self.order + 1)
            gram = padded[start : i + 1]
            term = memo.get(gram)
            if term is None:
                term = math.log(self._prob(padded[start:i], padded[i]))
                if len(memo) >= NGRAM_MEMO_LIMIT:
                    memo.clear()
                memo[gram] = term
            logp += term
        return logp


class WordLanguages:
    """The lexicons and character models of the languages of a table (see the module docstring); each
    language's character model is built on its first use."""

    def __init__(self, data: Mapping[str, object]) -> None:
        if data.get("format") != TABLE_FORMAT or data.get("version") != TABLE_VERSION:
            raise ModelError(
                f"not a {TABLE_FORMAT} table of version {TABLE_VERSION} "
                f"(found {data.get('format')!r} version {data.get('version')!r})"
            )
        order = data.get("order")
        languages = data.get("languages")
        if not isinstance(order, int) or not isinstance(languages, dict):
            raise ModelError("langid tables: missing 'order' or 'languages'")
        self.order = order
        self._entries: dict[str, Mapping[str, object]] = {}
        for lang, entry in languages.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("lexicon"), dict) or not isinstance(
                entry.get("ngrams"), dict
            ):
                raise ModelError(f"langid tables: no tables for language {lang!r}")
            self._entries[lang] = entry
        self._lm: dict[str, CharLM] = {}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def require(self, languages: tuple[str, ...]) -> None:
        """Raise :class:`ModelError` unless the table has every language of ``languages``."""
        for lang in languages:
            if lang not in self._entries:
                raise ModelError(f"langid tables: no tables for language {lang!r}")

    def lexicon(self, language: str) -> Mapping[str, int]:
        """word -> frequency per 10^8 tokens of the language's most frequent words."""
        return self._entries[language]["lexicon"]  # type: ignore[return-value]

    def char_lm(self, language: str) -> CharLM:
        lm = self._lm.get(language)
        if lm is None:
            lm = self._lm[language] = CharLM(self._entries[language]["ngrams"], self.order)  # type: ignore[arg-type]
        return lm

    def logprob(self, word: str, language: str) -> float:
        """``log P_language(word)`` for an already folded word (see :func:`fold_word`)."""
        lexical = self.lexicon(language).get(word, 0) / 1e8
        return math.log((1.0 - BETA) * lexical + BETA * math.exp(self.char_lm(language).logprob(word)))


def read_tables(path: Path = TABLE_PATH) -> dict[str, object]:
    """The JSON object of a gzip-compressed table file (:class:`ModelError` when missing or corrupt)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"the language tables {path} are missing; run scripts/train_langid.py") from exc
    try:
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is corrupt: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path}: not a JSON object")
    return data


@lru_cache(maxsize=1)
def load_tables() -> WordLanguages:
    """The packaged tables, loaded on first use and shared afterwards."""
    return WordLanguages(read_tables())
