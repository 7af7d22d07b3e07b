"""The learned informal romanization model: its components, both conversion directions, saving and loading.

Around it: the per-word candidate search (:mod:`lipyantar.translit.learned.search`), sentence decoding in context
(:mod:`lipyantar.translit.learned.decoder`), the parameters (:mod:`lipyantar.translit.learned.params`), and how
a model is stored (:mod:`lipyantar.translit.learned.storage`; the container: :mod:`lipyantar.translit.learned.modelfile`).

A :class:`LearnedModel` bundles

* a joint graphone n-gram model (:class:`lipyantar.translit.learned.jointseq.JointModel`) - the scheme itself,
  used in both directions;
* a Devanagari character n-gram model (:class:`lipyantar.translit.learned.langmodel.CharLM`) - what Hindi spellings
  look like, so that unseen words still come out as plausible spellings;
* a Latin character n-gram model of the training romanizations - how people type;
* a word model (:class:`lipyantar.translit.learned.langmodel.WordLM`) - a unigram prior over native words and a
  word n-gram model of running native text, for context;
* a *memory* of attested word pairs (training lexicon and adaptation data) with counts, and a
  table of precomputed romanizations of frequent words (speed).

Roman → Devanagari reranks the joint model's k best well-formed spellings, plus native words from
the vocabulary index whose romanizations share the input's consonant skeleton (scored by a search
forced to spell them), with a noisy-channel score (the weights: ``DecodeParams.r2d``)::

    score(d | r) = log P_joint(r, d) − w_marg · log P_joint(d) + w_char · log P_char(d)
                   + w_word · log P_word(d) + w_mem · log(1 + count(r, d))
                   + w_rules_eq · [rules(d) = r] − w_rules_dist · edits(rules(d), r)

where P_joint(d) is approximated by the joint score of d's best romanization, so that the first
two terms are a tempered log P(r | d), and rules(d) is the rule-based ``roman-rules``
romanization of the candidate (a second, independent expert on how d is typed). The last two
features and the marginal are computed for the search's ``marg_top`` best of a first ranking only.
How much searching a word gets depends on what is asked (``DecodeParams.search``): the
top-k candidates (``devanagarize_topk``) get the widest search, the single best answer
(``devanagarize``) a narrower one of about the same top-1 accuracy, and each word of a sentence a
small one whose few candidates the word n-gram model then chooses among.

Two more sources of candidates, for Latin words that the memory does not know as a Hindi
romanization (:mod:`lipyantar.translit.learned.english`): an English word with a CMUdict pronunciation gets the
Devanagari spellings of its sound (a phoneme ↔ Devanagari joint model), with a bonus ``english.w_english``
for them and a penalty ``english.miss`` for candidates no pronunciation can spell; a word of at most
the search's ``acronym_max`` letters gets its letter-by-letter reading (एनजीओ), with a bonus that grows
with how improbable the input is as a Hindi romanization (``acronyms.w_acronym``, ``acronyms.w_odd``). In running
text (:meth:`LearnedModel.devanagarize_words`) the unigram prior is replaced by the word n-gram
model in a beam search over each word's candidates.

Devanagari → roman: an attested word gets its most frequent attested romanization; otherwise the
joint model's k best romanizations are reranked with the Latin character model and a bonus for
the candidate that the rule-based ``roman-rules`` romanizer also produces (two experts that make
different mistakes agree more often on the right answer).

File format (``.lpm``): a magic line ``LIPYANTAR-TRANSLIT-MODEL``, a JSON header line (format name,
version, payload size and SHA-256), then the payload: a zlib stream of typed arrays (an index of
names, type codes and sizes, then little-endian array data) holding the compiled n-gram automata,
the joint model's raw counts (for adaptation) and the string tables as one JSON blob. The header is
checked on load; a corrupt file or one of another version raises :class:`lipyantar.translit.errors.ModelError`.
Scores are log-probabilities (higher is better) up to the tuned feature weights.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import mmap
import os
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lipyantar.translit.budget import checkpoint
from lipyantar.translit.candidate import PROB_POOL, Candidate, calibrated_candidates
from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import adaptation, modelfile, storage
from lipyantar.translit.learned import search as _search
from lipyantar.translit.learned.charalign import deva_units, normalize_deva, normalize_roman
from lipyantar.translit.learned.decoder import SentenceDecoder, sentence_viterbi_python
from lipyantar.translit.learned.english import (
    EnglishModel,
    EnglishProns,
    loose_spelling,
    spell_letters,
    spell_pronunciation,
)
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import CharLM, UnigramPrior, WordLM
from lipyantar.translit.learned.loanwords import english_reading, loanword_index, table_readings
from lipyantar.translit.learned.memory import Memory
from lipyantar.translit.learned.origin import english_logprob, native_first, sounds_like
from lipyantar.translit.learned.params import SEARCH_KINDS, DecodeParams
from lipyantar.translit.learned.search import WordSearch
from lipyantar.translit.learned.storage import (
    DEFAULT_MODEL_NAME,
    MODEL_FILE_FORMAT,
    VOCAB_SUFFIX,
    load_vocabulary,
    sibling_vocabulary,
    write_model_file,
)

if TYPE_CHECKING:
    from lipyantar.translit.learned.codemix import CodeMix
from lipyantar.translit.learned.variants import (
    _rules_piece,
    _rules_word,
    convention_variants,
    long_vowels_typed,
    missing_long_vowels,
    roman_skeleton,
)
from lipyantar.translit.learned.vocab import Vocabulary

__all__ = [
    "DEFAULT_MODEL_NAME",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_DEVA_CHARS",
    "MODEL_FILE_FORMAT",
    "VOCAB_SUFFIX",
    "DecodeParams",
    "LearnedModel",
    "default_model",
    "load_model",
    "load_vocabulary",
    "roman_skeleton",
    "sentence_viterbi_python",
    "write_model_file",
]

logger = logging.getLogger(__name__)

# the file format (lipyantar.translit.learned.modelfile)
MAGIC = modelfile.MAGIC
FORMAT_NAME = modelfile.FORMAT_NAME
FORMAT_VERSION = modelfile.FORMAT_VERSION
#: Devanagari "words" longer than this (a run of letters with no space, not a word of any language) are
#: romanized in pieces of at most this many characters, cut between syllables (:func:`syllable_pieces`),
#: each piece as a word, and have one candidate (their pieces' best, joined): the graphone search keeps
#: every hypothesis of a word until its end (a few KB per character: 2.5 GB for 400,000 characters),
#: a piece's search at most a few hundred KB. Words of this length or less are romanized whole.
MAX_DEVA_CHARS = 256
_VIRAMA = "\u094d"


def _starts_syllable(unit: str) -> bool:
    """Whether a unit of :func:`deva_units` is a consonant or an independent vowel."""
    c = ord(unit[0])
    return 0x0915 <= c <= 0x0939 or 0x0958 <= c <= 0x095F or 0x0978 <= c <= 0x097F or (
        0x0904 <= c <= 0x0914 or c in (0x0960, 0x0961) or 0x0972 <= c <= 0x0977
    )


def syllable_pieces(deva: str, size: int = MAX_DEVA_CHARS) -> list[str]:
    """``deva`` cut into pieces of at most ``size`` characters (``"".join`` gives it back).

    Each piece ends before the last syllable that does not fit whole: before a consonant or an
    independent vowel that does not follow a virama (so no cluster, vowel sign or nasal is split off
    its consonant); where a piece holds no such place (a syllable longer than a piece), it ends after
    its last whole unit of :func:`~lipyantar.translit.learned.charalign.deva_units` (consonant + nukta +
    virama, or one character). Only a single unit longer than ``size`` makes a longer piece.
    """
    if size < 3:
        raise ValueError("size must be at least 3 (the longest unit: consonant + nukta + virama)")
    if len(deva) <= size:
        return [deva]
    pieces: list[str] = []
    units: list[str] = []  # the current piece
    length = 0
    cut = 0  # the last place in ``units`` where a syllable starts (0: none yet)
    for unit in deva_units(deva):
        if units and _starts_syllable(unit) and not units[-1].endswith(_VIRAMA):
            cut = len(units)
        if length + len(unit) > size and units:
            at = cut or len(units)
            pieces.append("".join(units[:at]))
            units = units[at:]  # from the last place a syllable starts: it holds no other
            length = sum(map(len, units))
            cut = 0
            if units and length + len(unit) > size:  # a syllable longer than a piece: after its last whole unit
                pieces.append("".join(units))
                units, length = [], 0
        units.append(unit)
        length += len(unit)
    pieces.append("".join(units))
    return pieces



def _best_first(kv: tuple[str, float]) -> tuple[float, str]:
    """The order of candidates: best score first, ties by spelling."""
    return -kv[1], kv[0]


class _Component:
    """A model component that a model loaded from a file of sections (version 2 or 3) builds the first time it is used
    (:meth:`LearnedModel._from_file`); once built it is a plain instance attribute (this descriptor
    defines no ``__set__``, so the instance's value wins)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        with obj._build_lock:
            if self.name in obj.__dict__:
                return obj.__dict__[self.name]
            build = obj.__dict__.get("_pending", {}).get(self.name)
            if build is None:
                raise AttributeError(self.name)
            value = build()
            obj.__dict__[self.name] = value
            del obj._pending[self.name]
        return value


class LearnedModel(WordSearch, SentenceDecoder):
    """A learned romanization scheme; see the module docstring.

    Instances are built by :func:`lipyantar.translit.learned.learn.train` or loaded with :meth:`load`.
    Conversion results are memoized per word. A model loaded from a file of sections (version 2 or 3) builds each
    component the first time it is used (Devanagari → roman never builds the word model, the English
    model or the skeleton index; roman → Devanagari never builds the romanization table).
    """

    joint: JointModel = _Component()  # type: ignore[assignment]
    charlm: CharLM = _Component()  # type: ignore[assignment]
    romanlm: CharLM = _Component()  # type: ignore[assignment]
    wordlm: WordLM = _Component()  # type: ignore[assignment]
    #: the word model's unigram prior read from the file alone, for Devanagari → roman, which needs
    #: nothing else of the word model (None: the word model answers; see _logprior)
    word_prior: UnigramPrior | None = _Component()  # type: ignore[assignment]
    english: EnglishModel | None = _Component()  # type: ignore[assignment]
    #: the English model's pronunciation table read from the file alone, for Devanagari → roman, which
    #: asks nothing else of the English model (see _pronouncer)
    english_prons: EnglishProns | EnglishModel | None = _Component()  # type: ignore[assignment]
    memory: Memory = _Component()  # type: ignore[assignment]
    #: precomputed best romanizations of frequent words (see precompute_romanizations)
    d2r_table: dict[str, tuple[str, float]] = _Component()  # type: ignore[assignment]
    #: consonant skeleton of a romanization -> native words romanized so, most frequent first
    #: (see build_vocab_index)
    vocab_index: dict[str, tuple[str, ...]] = _Component()  # type: ignore[assignment]
    #: the mapped model file the components are built from (models loaded from a file only)
    _file: modelfile.ModelFile

    def __init__(
        self,
        *,
        joint: JointModel,
        charlm: CharLM,
        wordlm: WordLM,
        romanlm: CharLM,
        pairs: Iterable[tuple[str, str, float]] = (),
        params: DecodeParams | None = None,
        meta: dict[str, Any] | None = None,
        d2r_table: dict[str, tuple[str, float]] | None = None,
        vocab_index: dict[str, tuple[str, ...]] | None = None,
        english: EnglishModel | None = None,
        vocabulary: Vocabulary | str | None = None,
    ) -> None:
        self._setup(params=params, meta=meta, vocabulary=vocabulary)
        self.joint = joint
        index = self.params.index
        self.joint.prune_index(min_count=index.min_count, max_per_chunk=index.max_per_chunk)
        #: pronunciations of English words and a phoneme ↔ Devanagari model (None: no such component)
        self.english = english
        self.charlm = charlm
        self.romanlm = romanlm
        self.wordlm = wordlm
        self.memory = Memory(pairs)
        self.d2r_table = dict(d2r_table or {})
        self.vocab_index = dict(vocab_index or {})

    def _setup(
        self, *, params: DecodeParams | None, meta: dict[str, Any] | None, vocabulary: Vocabulary | str | None
    ) -> None:
        """The model's state besides its components: parameters, metadata, word list, caches."""
        self._build_lock = threading.RLock()
        self._pending: dict[str, Callable[[], Any]] = getattr(self, "_pending", {})
        #: the large word list (lipyantar.translit.learned.vocab) once loaded, and where it is loaded from on first
        #: use: "default" (the shipped one), a file path, or None
        self._vocab_obj: Vocabulary | None = vocabulary if isinstance(vocabulary, Vocabulary) else None
        self._vocab_source: str | None = vocabulary if isinstance(vocabulary, str) else None
        if vocabulary is None and (meta or {}).get("vocabulary"):
            self._vocab_source = "default"  # trained with the shipped word list
        self._vocab_memo: dict[tuple[str, int], tuple[str, ...]] = {}
        #: word-list membership of sentence candidates (they repeat across a text's words)
        self._ctx_known: dict[str, bool] = {}
        self._english_maybe: dict[str, bool] = {}
        self.params = params or DecodeParams()
        self._sizes = {kind: self.params.search_size(kind) for kind in SEARCH_KINDS}
        self.meta = dict(meta or {})
        self._r2d_cache: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {}
        self._col_cache: dict[str, tuple[tuple[str, ...], tuple[tuple[float, int], ...]]] = {}
        self._d2r_cache: dict[tuple[str, int], tuple[tuple[str, float], ...]] = {}
        self._marg_cache: dict[str, float] = {}
        self._best_cache: dict[str, str] = {}
        #: log P(word id) of the word n-gram model without context (see _lm_unigram)
        self._uni_lp: dict[int, float] = {}
        #: the compiled _channel_python (lipyantar.translit.learned._fastlm.Channel), built on first use; False when the
        #: extension is not built (see _compiled_channel)
        self._fast_channel: Any = None

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The large Hindi word list used roman → Devanagari (loaded on first use; None: none)."""
        vocab = self._vocab_obj
        if vocab is None and self._vocab_source is not None:
            vocab = self._vocab_obj = load_vocabulary(self._vocab_source)
        return vocab

    def set_vocabulary(self, vocabulary: Vocabulary | str | None) -> None:
        """Use another large word list: a :class:`~lipyantar.translit.learned.vocab.Vocabulary`, ``"default"`` (the
        shipped one), the path of a ``.vocab`` file (loaded on first use), or None; clears the caches."""
        self._vocab_obj = vocabulary if isinstance(vocabulary, Vocabulary) else None
        self._vocab_source = vocabulary if isinstance(vocabulary, str) else None
        self.clear_cache()

    def _vocab_words(self, key: str, kind: str = "topk") -> tuple[str, ...]:
        """Native words of a consonant skeleton for the search ``kind``: the model's own vocabulary
        index, then the search's ``vocab_big`` words of the large word list (memoized)."""
        big = self._sizes[kind].vocab_big
        memo_key = (key, big)
        hit = self._vocab_memo.get(memo_key)
        if hit is not None:
            return hit
        own = self.vocab_index.get(key, ())
        vocab = self.vocabulary if big else None
        if vocab is not None:
            seen = set(own)
            own = tuple(own) + tuple(w for w in vocab.lookup(key)[:big] if w not in seen)
        if len(self._vocab_memo) > _search.WORD_CACHE_LIMIT:
            self._vocab_memo.clear()
        self._vocab_memo[memo_key] = own
        return own

    def _uses_word_list_index(self) -> bool:
        return any(size.vocab_big for size in self._sizes.values())

    def _known(self, weight: float | None = None) -> Callable[[str], bool] | None:
        """Membership in the large word list when its weight (default ``r2d.w_vocab``) is on (None: off)."""
        if not (self.params.r2d.w_vocab if weight is None else weight):
            return None
        vocab = self.vocabulary
        return vocab.__contains__ if vocab is not None else None

    # -- public API: Devanagari -> roman ---------------------------------------------------------
    def romanize(self, word: str) -> str:
        """One best informal romanization of a Devanagari word ("" when nothing can be produced)."""
        hit = self._best_cache.get(word)
        if hit is not None:
            return hit
        deva = normalize_deva(word)
        d2r = self.memory.d2r
        # the memory's one reading of the word (the common case: no dict to make, no order to find)
        rows, sole = d2r.sole(deva)
        if sole is not None:
            out = sole
        elif rows:
            out = self._memory_ranked(deva, d2r[deva])[0][0]
        else:
            tabled = self.d2r_table.get(deva)
            if tabled is not None:
                native, score = tabled
                out = self._loanword(deva, score) or native
            else:  # romanize_topk(deva, 1) of a word that is normalized, not attested and not tabled
                best = self._searched_topk(deva, 1) if len(deva) <= MAX_DEVA_CHARS else self.romanize_topk(deva, 1)
                out = best[0][0] if best else ""
        if len(word) <= MAX_DEVA_CHARS:
            if len(self._best_cache) > _search.WORD_CACHE_LIMIT:
                self._best_cache.clear()
            self._best_cache[word] = out
        return out

    def romanize_lookups(self) -> tuple[Any, ...] | None:
        """What :meth:`romanize` reads for a word it romanizes without a search, for the compiled piece
        converter (``lipyantar.translit._fastpieces``): its memo, the memory's first and last row of each
        word, their romanizations and counts, the precomputed table (or, not built yet, the function
        that builds it: a text of words the memory knows does not need it), the memo's size limit, the
        rule-based romanizer, the word's log prior and the prior above which a word is common (a word
        whose most frequent reading is its rule-based one, or that is not common, keeps it first:
        :func:`~lipyantar.translit.learned.origin.native_first`) and :meth:`romanize` itself (for the
        other words); None when these are not the plain structures the converter reads (a memory not
        sorted, :meth:`romanize` replaced)."""
        if type(self).romanize is not LearnedModel.romanize or "romanize" in self.__dict__:
            return None
        d2r = self.memory.d2r
        values = d2r._values
        built = self.__dict__
        if d2r._order is not None or type(values) is not list:
            return None
        if "d2r_table" in built and type(built["d2r_table"]) is not dict:
            return None
        # the table as built, or (not built yet) the function that builds it when a word first needs it
        table: Any = built["d2r_table"] if "d2r_table" in built else lambda: self.d2r_table
        first, last = d2r._spans
        common_above = float(self.params.english.keep_logprior)
        # a table word scored at most this may be an English loanword (_loanword): romanize decides;
        # unless the table's English readings are known (the shipped model's): then the table given
        # holds them, and no table word needs romanize
        loan_score = -math.inf
        if self.params.d2r.loanwords:
            readings = self._table_loanwords()
            if readings is None:
                loan_score = float(self.params.d2r.loan_score)
            elif readings:  # the patched table (made once), or the function that makes it on first need
                table = self._loan_table(readings) if "d2r_table" in built else lambda: self._loan_table(readings)
        return (
            self._best_cache, first, last, values, d2r._counts, table, _search.WORD_CACHE_LIMIT,
            _rules_word, self._logprior, common_above, self.romanize, loan_score,
        )  # fmt: skip

    def _memory_ranked(self, deva: str, attested: Mapping[str, float]) -> list[tuple[str, float]]:
        """The attested romanizations of a normalized Devanagari word with their counts, in the order the
        model gives them (:func:`~lipyantar.translit.learned.origin.native_first`)."""
        if len(attested) < 2:  # one reading: its order needs nothing of the model
            return list(attested.items())
        return native_first(
            attested,
            rules_reading=_rules_word(deva),
            logprior=lambda: self._logprior(deva),
            common_above=self.params.english.keep_logprior,
            sounds_english=lambda roman: sounds_like(self._pronouncer(), roman, deva),
        )

    def _loanword(self, deva: str, score: float) -> str | None:
        """The English spelling of a normalized Devanagari word that the memory does not attest, when it
        is an English loanword (:func:`~lipyantar.translit.learned.loanwords.english_reading`; ``score``:
        the joint model's best romanization's), else None. With ``d2r.loan_variants``, a word the English
        reading would take whose other spelling the memory attests takes that spelling's reading instead
        (पाँच ``paanch`` as पांच, not ``punch``), and one whose other spelling is a common Hindi word keeps
        its native reading (:meth:`_variant_evidence`)."""
        p = self.params.d2r
        if not p.loanwords or score > p.loan_score:
            return None
        index = loanword_index()
        loans = index.get(deva) if index is not None else ()
        if not loans:
            return None
        if p.loan_variants:
            attested, hindi = self._variant_evidence(deva, p.loan_logprior)
            if attested is not None:
                return attested
            if hindi:
                return None
        return english_reading(
            deva,
            loans,
            score=score,
            logprior=self._logprior(deva),
            min_logfreq=p.loan_logfreq,
            max_logprior=p.loan_logprior,
            max_score=p.loan_score,
            loose=p.loan_loose,
        )

    def _variant_evidence(self, deva: str, max_logprior: float) -> tuple[str | None, bool]:
        """What the memory and the prior say of the other spellings of ``deva`` under Hindi's competing
        conventions (:func:`~lipyantar.translit.learned.variants.convention_variants`: पाँच/पांच,
        कम्पनी/कंपनी, बाज़ार/बाजार): the memory's reading of one it attests (its most counted; of the
        variants the most counted one; None: none attested), and whether one is a common Hindi word (log
        prior above ``max_logprior``)."""
        best: tuple[float, str] | None = None
        hindi = False
        attested = self.memory.d2r
        for variant in convention_variants(deva):
            readings = attested.get(variant)
            if readings:
                roman = min(readings, key=lambda r: (-readings[r], r))
                if best is None or (-readings[roman], roman) < (-best[0], best[1]):
                    best = (readings[roman], roman)
            elif not hindi:
                logprior = self._logprior(variant)
                hindi = logprior is not None and logprior > max_logprior
        return (best[1] if best is not None else None), hindi

    def _table_loanwords(self) -> dict[str, str] | None:
        """The English readings (:meth:`_loanword`) of the precomputed table's words, when they are
        packaged for this model file, its table and parameters (the shipped model's:
        :func:`~lipyantar.translit.learned.loanwords.table_readings`), else None."""
        built = self.__dict__
        mf = built.get("_file")
        if mf is None:
            return None
        # the table's size once built (it only grows, by precompute_romanizations); not built: the file's
        words = len(built["d2r_table"]) if "d2r_table" in built else None
        key = (self.params.d2r, words)
        memo = built.get("_table_loan_memo")
        if memo is None or memo[0] != key:
            memo = (key, table_readings(model_sha256=mf.sha256, table_words=words, params=self.params.d2r))
            built["_table_loan_memo"] = memo
        return memo[1]

    def _loan_table(self, readings: Mapping[str, str]) -> dict[str, tuple[str, float]]:
        """The precomputed table with the English ``readings`` of its words in place of their native
        ones (what :meth:`romanize` gives a table word), made once per table and readings."""
        table = self.d2r_table
        built = self.__dict__
        memo = built.get("_loan_table_memo")
        if memo is None or memo[0] is not readings or memo[1] != len(table):
            patched = dict(table)
            for deva, english in readings.items():
                row = table.get(deva)
                if row is not None:
                    patched[deva] = (english, row[1])
            memo = (readings, len(table), patched)
            built["_loan_table_memo"] = memo
        return memo[2]

    def _pronouncer(self) -> EnglishProns | EnglishModel | None:
        """``self.english`` for its pronunciations, or the file's pronunciation table alone while the
        English model is not built (Devanagari → roman then never builds it)."""
        built = self.__dict__
        if "english" not in built and ("english_prons" in built or "english_prons" in self._pending):
            return self.english_prons
        return self.english

    def _logprior(self, deva: str) -> float | None:
        """``self.wordlm.unigram(deva)``, read from the file's prior columns while the word model is not
        built (Devanagari → roman then never builds it)."""
        built = self.__dict__
        if "wordlm" not in built and ("word_prior" in built or "word_prior" in self._pending):
            prior = self.word_prior
            if prior is not None:
                return prior.unigram(deva)
        return self.wordlm.unigram(deva)

    def precompute_romanizations(self, words: Iterable[str]) -> int:
        """Store the best romanization of each word (not already attested) in the model's table.

        Running text is mostly frequent words; a table lookup is much faster than a search.
        Returns the number of words added.
        """
        added = 0
        for word in words:
            deva = normalize_deva(word)
            if deva in self.memory.d2r or deva in self.d2r_table:
                continue
            best = self._romanize_search(deva, 1)
            if best:
                self.d2r_table[deva] = best[0]
                added += 1
        self._best_cache.clear()
        return added

    def build_vocab_index(self, words: Iterable[str] | None = None, *, max_per_key: int = 20) -> int:
        """Index native words by the consonant skeletons of their romanizations.

        Each word (default: the word model's vocabulary) is keyed by :func:`roman_skeleton` of its
        three best romanizations and of its ``roman-rules`` romanization; Latin input then also gets
        the most frequent words under its own skeleton as candidates (roman → Devanagari), scored
        like any other candidate. This finds spellings that the graphone search misses but that
        the vocabulary knows. Returns the number of keys.
        """
        prior = self.wordlm.prior
        index: dict[str, set[str]] = {}
        for word in sorted(prior if words is None else words):
            deva = normalize_deva(word)
            if not deva or not self.charlm.check_and_score(deva)[0]:
                continue
            keys = {roman_skeleton(_rules_word(deva))}
            keys.update(roman_skeleton(r) for r, _ in self.romanize_topk(deva, 3))
            for key in keys:
                if key:
                    index.setdefault(key, set()).add(deva)
        self.vocab_index = {
            key: tuple(sorted(ws, key=lambda w: (-prior.get(w, 0.0), w))[:max_per_key])
            for key, ws in sorted(index.items())
        }
        self._r2d_cache.clear()
        self._col_cache.clear()
        self._vocab_memo.clear()
        self._fast_channel = None
        return len(self.vocab_index)

    def romanize_topk(self, word: str, top_k: int = 5) -> list[tuple[str, float]]:
        """top_k best romanizations of a Devanagari word, best first, with log-probability scores.

        A word longer than :data:`MAX_DEVA_CHARS` is searched in pieces and has one (unless the memory
        knows it), and is not cached.
        """
        key = (word, top_k)
        cached = self._d2r_cache.get(key)
        if cached is not None:
            return list(cached)
        deva = normalize_deva(word)
        attested = self.memory.d2r.get(deva)
        long_word = len(deva) > MAX_DEVA_CHARS
        if long_word:
            out = self._romanize_pieces(deva)[:top_k]
        elif top_k == 1 and not attested and deva in self.d2r_table:
            out = [self.d2r_table[deva]]
        else:
            out = self._romanize_search(deva, top_k)
        if attested:
            # attested romanizations first, most frequent first; scored on the model's scale
            top = out[0][1] if out else 0.0
            ranked = self._memory_ranked(deva, attested)
            total = sum(attested.values())
            # the scores of the counts, most frequent first, in the order ranked (a native reading moved
            # first takes the best)
            scores = sorted((top + math.log(c / total) for _, c in ranked), reverse=True)
            mem = [(r, s) for (r, _), s in zip(ranked, scores, strict=True)]
            seen = {r for r, _ in mem}
            floor = min((s for _, s in mem), default=top)
            out = mem + [(r, min(s, floor - 1e-6)) for r, s in out if r not in seen]
            out = out[:top_k]
        elif out:
            loan = self._loanword(deva, out[0][1])
            if loan is not None:  # first, on the best one's score; the native readings after it
                out = [(loan, out[0][1]), *((r, s - 1e-6) for r, s in out if r != loan)][:top_k]
        if long_word:
            return out
        if len(self._d2r_cache) > _search.WORD_CACHE_LIMIT:
            self._d2r_cache.clear()
        self._d2r_cache[key] = tuple(out)  # immutable: the garbage collector stops scanning it
        return out

    def _searched_topk(self, deva: str, top_k: int) -> list[tuple[str, float]]:
        """:meth:`romanize_topk` of a normalized word ``deva`` (at most :data:`MAX_DEVA_CHARS` long) that
        the memory does not attest and the table does not hold (or ``top_k`` > 1): the same search,
        loanword check and memo, without finding that out again (:meth:`romanize`'s searched words)."""
        key = (deva, top_k)
        cached = self._d2r_cache.get(key)
        if cached is not None:
            return list(cached)
        out = self._romanize_search(deva, top_k)
        if out:
            loan = self._loanword(deva, out[0][1])
            if loan is not None:  # first, on the best one's score; the native readings after it
                out = [(loan, out[0][1]), *((r, s - 1e-6) for r, s in out if r != loan)][:top_k]
        if len(self._d2r_cache) > _search.WORD_CACHE_LIMIT:
            self._d2r_cache.clear()
        self._d2r_cache[key] = tuple(out)
        return out

    def _romanize_pieces(self, deva: str) -> list[tuple[str, float]]:
        """The one romanization of a normalized Devanagari word longer than :data:`MAX_DEVA_CHARS`: its
        :func:`syllable_pieces` romanized as words (each piece's best; the scores added)."""
        texts: list[str] = []
        score = 0.0
        for piece in syllable_pieces(deva):
            checkpoint()  # a long word is many words' work: the time budget's turn between pieces
            # a piece is a word (a piece still too long is one unit: a consonant with a run of nuktas)
            best = self.romanize_topk(piece, 1) if len(piece) <= MAX_DEVA_CHARS else self._romanize_search(piece, 1)
            if best:
                texts.append(best[0][0])
                score += best[0][1]
        return [("".join(texts), score)] if texts else []

    def _romanize_search(self, deva: str, k: int) -> list[tuple[str, float]]:
        d2r = self.params.d2r
        size = max(d2r.beam, k)
        raw = self.joint.decode(deva_units(deva), to_roman=True, k=size, beam=size, fallback=_rules_piece)
        w_roman, len_bonus, w_rules = d2r.w_roman, d2r.len_bonus, d2r.w_rules
        ruled = _rules_word(deva) if w_rules else None
        romanlm = self.romanlm
        am = romanlm.lm.fast()
        if am is not None:  # scorer()'s call, without its function per candidate
            ids, unk, start = romanlm.ids, romanlm.lm.vocab_size, romanlm.lm.start
            score = am.score_tokens
            out = [
                (r, s + w_roman * score(r, ids, unk, start) + len_bonus * len(r) + (w_rules if r == ruled else 0.0))
                for r, s in raw
            ]
        else:
            scorer = romanlm.scorer()
            out = [(r, s + w_roman * scorer(r) + len_bonus * len(r) + (w_rules if r == ruled else 0.0)) for r, s in raw]
        out.sort(key=_best_first)
        return out[:k]

    def romanize_candidates(self, word: str, top_k: int = 5) -> list[Candidate]:
        """:meth:`romanize_topk` as :class:`~lipyantar.translit.candidate.Candidate` objects: the raw ``score``
        and a calibrated ``prob`` (share of the best ``max(top_k, PROB_POOL)`` candidates' mass at
        temperature ``params.calibration.d2r.temperature``, reserve ``params.calibration.d2r.reserve``)."""
        calibration = self.params.calibration.d2r
        return calibrated_candidates(
            self.romanize_topk(word, max(top_k, PROB_POOL)),
            top_k,
            temperature=calibration.temperature,
            reserve=calibration.reserve,
        )

    # -- public API: roman -> Devanagari ---------------------------------------------------------
    def devanagarize_topk(self, word: str, top_k: int = 5) -> list[tuple[str, float]]:
        """top_k best Devanagari spellings of a Latin word, best first, with log-probability scores.

        ``top_k=1`` runs the narrower single-best search (``search.top1`` parameters), as :meth:`devanagarize`
        does; its answer is almost always the first of a larger ``top_k``.
        """
        roman = normalize_roman(word)
        if not roman:
            return []
        acronym = self._caps_acronym(word, roman)
        if acronym is not None:
            return self._acronym_first(acronym, self._ranked(roman, top_k), top_k)
        return self._ranked(roman, top_k)

    def _ranked(self, roman: str, top_k: int) -> list[tuple[str, float]]:
        """:meth:`devanagarize_topk` of a normalized Latin word, without the capitals rule."""
        # roman → Devanagari's (Devanagari → roman does not import it)
        from lipyantar.translit.learned.frequency import word_zipf
        from lipyantar.translit.learned.names import (
            anusvara_first,
            attested_first,
            english_margin,
            name_scored,
            pronunciation_spellings,
        )

        p = self.params
        prior = self.wordlm.unigram_table().get
        w_word, oov, w_vocab, known = p.r2d.w_word, p.r2d.oov_logprob, p.r2d.w_vocab, self._known()
        # (negated score, candidate): the natural order is best first, ties by spelling
        ranked = []
        inflected = self._inflected(roman)
        found = name_scored(
            roman,
            self._channel(roman, "top1" if top_k == 1 else "topk"),
            weight=p.names.w_convention,
            penalty=p.names.variant_penalty,
            window=p.names.variant_window,
            spellings=()
            if p.english.spelling_penalty < 0 or roman in self.memory.r2d
            else pronunciation_spellings(self.english, roman),
            spelling_penalty=p.english.spelling_penalty,
            spelling_margin=p.english.spelling_margin,
            inflected=inflected,
            inflection_penalty=p.english.inflection_penalty,
        )
        # an English inflection's prior is the English word's (as in sentences), not an unknown word's
        english_lp = max(oov, english_logprob(roman)) if inflected and english_margin(roman) > 0 else oov
        w_path = p.english.w_path
        english_path = w_path > 0 and bool(found) and self._english_path(roman)
        # how often a Hindi word is used says nothing of an English word's spelling (care: केयर, not कर)
        w_freq = p.r2d.w_freq
        zipf = word_zipf().get if w_freq and not english_path else None
        for deva, channel in found:
            lp = prior(deva)
            if lp is None:
                lp = english_lp if deva in inflected else oov
            s = channel + w_word * lp
            if zipf is not None:
                s += w_freq * zipf(deva, 0.0)
            ranked.append((-s, deva))
        if english_path and ranked:
            # read as English by the per-token decision: its spellings by sound are what it means
            by_sound = self._by_sound(roman)
            ranked = [(neg - w_path * by_sound(deva), deva) for neg, deva in ranked]
        long_penalty = p.r2d.long_vowel_penalty
        typed = long_vowels_typed(roman) if long_penalty else (0, 0, 0)
        if typed[2] and self.english is not None and self.english.pronunciations(roman):
            # English spells /ʊ/ as well as /uː/ with oo (book बुक, look लुक; food फूड)
            typed = (typed[0], typed[1], 0)
        if any(typed) and ranked:
            # a vowel typed doubled is meant long: a candidate that spells it short is less likely
            ranked = [(neg + long_penalty * missing_long_vowels(typed, deva), deva) for neg, deva in ranked]
        if known is not None and ranked:
            # the word-list bonus; for the single best only where it can matter: a candidate more than
            # w_vocab below the best cannot overtake it (the same answer, fewer look-ups)
            reach = min(ranked)[0] + w_vocab if top_k == 1 and w_vocab >= 0 else math.inf
            ranked = [
                (neg - w_vocab, deva) if neg <= reach and known(deva) else (neg, deva) for neg, deva in ranked
            ]
        attested = self.memory.r2d.get(roman) if p.r2d.attested_order else None
        if attested:
            ranked = attested_first(ranked, attested, self._attested_belief(attested, oov))
        # a nasal cluster's anusvara spelling, when both are candidates, as the better of the two
        ranked = anusvara_first(ranked)
        if top_k == 1:
            ranked = [min(ranked)] if ranked else []
        else:
            ranked.sort()
        return [(deva, -neg) for neg, deva in ranked[:top_k]]

    def _english_path(self, roman: str) -> bool:
        """Whether the per-token decision (:meth:`token_decision`, the word alone) reads the normalized
        Latin word as English or a name, for a word with an English pronunciation (others never)."""
        english = self.english
        if english is None or not english.pronunciations(roman):
            return False
        not_english = self._packaged_not_english()
        if not_english is not None:
            return roman not in not_english
        from lipyantar.translit.learned.alonepath import alone_threshold

        decision = self.token_decision()
        return decision.probabilities([roman])[0] >= alone_threshold(decision, self.params)

    def _packaged_not_english(self) -> frozenset[str] | None:
        """The decisions of :meth:`_english_path` made ahead of time for this model file and parameters
        (the shipped model's: :mod:`~lipyantar.translit.learned.alonepath`), else None: converting a
        word then does not load the per-token decision's tables."""
        built = self.__dict__
        mf = built.get("_file")
        if mf is None:
            return None
        memo = built.get("_alone_memo")
        if memo is None or memo[0] != self.params:
            from lipyantar.translit.learned.alonepath import packaged_not_english

            memo = (self.params, packaged_not_english(model_sha256=mf.sha256, params=self.params))
            built["_alone_memo"] = memo
        return memo[1]

    def token_decision(self) -> CodeMix:
        """The per-token decision between Hindi and English or a name
        (:class:`~lipyantar.translit.learned.codemix.CodeMix`) over this model, made on first use: what
        ``--english keep`` keeps, and which single words take the English path (``english.w_path``)."""
        decision = self.__dict__.get("_codemix")
        if decision is None:
            from lipyantar.translit.learned.codemix import CodeMix

            with self._build_lock:
                decision = self.__dict__.get("_codemix")
                if decision is None:
                    decision = self._codemix = CodeMix(self)
        return decision

    def _by_sound(self, roman: str) -> Callable[[str], float]:
        """How well a candidate of ``roman`` spells one of its English pronunciations, from 0 to 1: 1 for a
        rule spelling of one, loosely (:func:`~lipyantar.translit.learned.english.loose_spelling`, as
        Hindi writes it or not: :func:`pronunciation_spellings`); for another of the English model's
        proposals, its probability relative to the best proposal's (``bike`` बाइक 1, ``late`` लेट 1 and
        the proposal लाते 0.04); 0 for the others (बिके)."""
        from lipyantar.translit.learned.names import pronunciation_spellings

        english = self.english
        if english is None:
            return lambda deva: 0.0
        sounds = {loose_spelling(spell_pronunciation(pron)) for pron in english.pronunciations(roman)}
        sounds.update(loose_spelling(deva) for deva in pronunciation_spellings(english, roman))
        p = self.params
        proposed = english.candidates(roman, k=p.search.topk.english_k, beam=p.english.beam)
        best = max(proposed.values(), default=0.0)

        def weight(deva: str) -> float:
            if loose_spelling(deva) in sounds:
                return 1.0
            score = proposed.get(deva)
            return math.exp(score - best) if score is not None else 0.0

        return weight

    def _attested_belief(self, attested: Mapping[str, float], oov: float) -> Callable[[str], float]:
        """log P(input | spelling) + log P(spelling) of the input's attested spellings (Bayes' rule for
        the spelling meant): the share of the spelling's attested romanizations that are the input (the
        memory's counts) and its word prior (``oov`` when it has none); the order :func:`attested_first`
        gives them."""
        prior, d2r = self.wordlm.unigram, self.memory.d2r

        def belief(deva: str) -> float:
            count = attested[deva]
            total = sum((d2r.get(deva) or {}).values())
            lp = prior(deva)
            return math.log(count / max(total, count)) + (lp if lp is not None else oov)

        return belief

    def _caps_acronym(self, word: str, roman: str) -> str | None:
        """The letter-by-letter reading of ``word`` when the capitals rule (``acronyms.caps``) applies to
        it, else None. ``roman`` is ``normalize_roman(word)``."""
        p = self.params
        if not (p.acronyms.caps and 2 <= len(word) <= p.acronyms.caps_max and word.isascii()):
            return None
        if not (word.isalpha() and word.isupper()):
            return None
        acronym = spell_letters(roman)
        attested = self.memory.r2d.get(roman)
        if not acronym or (attested and acronym not in attested):
            return None
        english = self.english
        if english is not None and english.pronunciations(roman):
            # an English word in capitals (YOU, PLEASE) unless its pronunciation spells the letters (DNA)
            if acronym not in english.candidates(roman, k=p.search.topk.english_k, beam=p.english.beam):
                return None
        return acronym

    @staticmethod
    def _acronym_first(acronym: str, ranked: list[tuple[str, float]], top_k: int) -> list[tuple[str, float]]:
        """``ranked`` with ``acronym`` moved (or put) first, scored as the best, cut to ``top_k``."""
        best = ranked[0][1] if ranked else 0.0
        rest = [(deva, score) for deva, score in ranked if deva != acronym]
        return [(acronym, best), *rest][:top_k]

    def devanagarize_candidates(self, word: str, top_k: int = 5) -> list[Candidate]:
        """:meth:`devanagarize_topk` as :class:`~lipyantar.translit.candidate.Candidate` objects: the raw ``score``
        and a calibrated ``prob`` (share of the best ``max(top_k, PROB_POOL)`` candidates' mass at
        temperature ``params.calibration.r2d.temperature``, reserve ``params.calibration.r2d.reserve``)."""
        calibration = self.params.calibration.r2d
        return calibrated_candidates(
            self.devanagarize_topk(word, max(top_k, PROB_POOL)),
            top_k,
            temperature=calibration.temperature,
            reserve=calibration.reserve,
        )

    def is_english(self, word: str, deva: str) -> bool:
        """Whether ``deva``, the Devanagari chosen for the Latin ``word``, is the model's English reading
        of it: the word has an English pronunciation and ``deva`` is one of the Devanagari spellings of
        its sound (see :mod:`lipyantar.translit.learned.english`), so ``office`` → ऑफिस is English but ``main`` → मैं and
        ``he`` → है are Hindi; and ``deva`` is not a common native word (log unigram prior at most
        ``english.keep_logprior``). What ``--english keep`` keeps in Latin script."""
        roman = normalize_roman(word)
        english = self.english
        if not roman or not deva or english is None or not english.pronunciations(roman):
            return False
        p = self.params
        # a common Hindi word (से, वो, है) is Hindi even though its sound is also an English word's
        lp = self.wordlm.unigram(deva)
        if lp is not None and lp > p.english.keep_logprior:
            return False
        return deva in english.candidates(roman, k=p.search.topk.english_k, beam=p.english.beam)

    def devanagarize(self, word: str) -> str:
        """One best Devanagari spelling of a Latin word ("" when nothing can be produced)."""
        best = self.devanagarize_topk(word, 1)
        return best[0][0] if best else ""

    # -- internals ------------------------------------------------------------------------------
    def clear_cache(self) -> None:
        self._r2d_cache.clear()
        self._col_cache.clear()
        self._d2r_cache.clear()
        self._marg_cache.clear()
        self._best_cache.clear()
        self._uni_lp.clear()
        self._vocab_memo.clear()
        self._ctx_known.clear()
        self._english_maybe.clear()
        self._fast_channel = None
        built = self.__dict__
        if "joint" in built:
            self.joint.clear_cache()
        if built.get("english") is not None:
            self.english.clear_cache()  # type: ignore[union-attr]

    def with_params(self, params: DecodeParams | Mapping[str, Any] | None = None) -> LearnedModel:
        """A copy sharing all tables but with other decoding parameters (fresh caches): ``params``, or
        this model's with the changes of a mapping of dotted paths (``{"sentence.beam": 4}``, see
        :meth:`DecodeParams.updated`); None: the same parameters."""
        clone = object.__new__(LearnedModel)
        clone.__dict__.update(self.__dict__)
        clone._pending = dict(self._pending)  # a component not built yet is built for each on its own
        clone._build_lock = threading.RLock()
        if params is None or isinstance(params, DecodeParams):
            clone.params = params or self.params
        else:
            clone.params = self.params.updated(params)
        clone._sizes = {kind: clone.params.search_size(kind) for kind in SEARCH_KINDS}
        clone.joint = copy.copy(self.joint)  # the search index is per model; the tables are shared
        index = clone.params.index
        clone.joint.prune_index(min_count=index.min_count, max_per_chunk=index.max_per_chunk)
        clone._r2d_cache = {}
        clone._col_cache = {}
        clone._english_maybe = {}
        clone._d2r_cache = {}
        clone._marg_cache = {}
        clone._best_cache = {}
        clone._uni_lp = {}
        clone._vocab_memo = {}
        clone._ctx_known = {}
        clone._fast_channel = None
        clone.__dict__.pop("_codemix", None)  # its features are answers under this model's parameters
        return clone

    def check(self) -> LearnedModel:
        """Build every component not built yet, so that each section of the model file is read and
        checked now (ModelError when one is corrupt or malformed) rather than at its first use.
        Returns the model."""
        for name in list(self._pending):
            getattr(self, name)
        return self

    def __getstate__(self) -> dict[str, Any]:
        self.check()  # a file's map does not pickle: build what is still pending
        state = dict(self.__dict__)
        state.pop("_file", None)
        state.pop("word_prior", None)  # views of the file; the word model (built) answers instead
        state.pop("english_prons", None)  # the English model (built) answers instead
        del state["_build_lock"]
        state["_fast_channel"] = None  # compiled: rebuilt on first use after unpickling
        state.pop("_noise_memo", None)  # keyed by object ids: rebuilt on first use
        state.pop("_codemix", None)  # the per-token decision of the English path: rebuilt on first use
        state.pop("_table_loan_memo", None)  # the packaged table readings: for the file's model only
        state.pop("_loan_table_memo", None)
        state.pop("_alone_memo", None)  # the packaged single-word decisions: for the file's model only
        if self._vocab_source is not None:
            state["_vocab_obj"] = None  # reloaded from its source on first use
            state["_vocab_memo"] = {}
            state["_ctx_known"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build_lock = threading.RLock()

    # -- serialization --------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, array]:
        """Everything as named typed arrays (the string tables as one JSON array, ``tables``)."""
        tables, arrays = self._tables_and_arrays()
        encoded = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return {"tables": array("B", encoded), **arrays}

    def _tables_and_arrays(self) -> tuple[dict[str, Any], dict[str, array]]:
        """The string tables (decoded) and every other array, in file order (:func:`storage.tables_and_arrays`)."""
        return storage.tables_and_arrays(self)

    @classmethod
    def from_arrays(cls, arrays: dict[str, array], *, tables: Any = None) -> LearnedModel:
        """The model of a file's arrays (as :meth:`to_arrays`); ``tables``: its string tables already
        decoded (then ``arrays`` need not hold them). Raises ModelError when they are not a usable model."""
        parts = storage.parts_from_arrays(arrays, tables=tables)
        try:
            return cls(**parts)
        except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, AttributeError) as exc:
            raise ModelError(f"model payload is malformed: {exc}") from exc

    def to_bytes(self) -> bytes:
        """The model file's bytes (:mod:`lipyantar.translit.learned.modelfile`, version 3)."""
        tables, arrays = self._tables_and_arrays()
        return modelfile.model_file_bytes(arrays, self.meta, tables=tables)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model file atomically."""
        write_model_file(path, self.to_bytes())

    @classmethod
    def from_bytes(
        cls, data: bytes, *, source: str = "<model>", base: str | os.PathLike[str] | None = None
    ) -> LearnedModel:
        """Parse a model file's bytes; raises ModelError when it is not a usable model.

        An adaptation file (:mod:`lipyantar.translit.learned.adaptation`) is applied to its base model: ``base``
        (a model file), or by default the model shipped in the package.
        """
        if adaptation.is_adaptation(data):
            arrays, tables = adaptation.load_adaptation_tables(
                data, fmt=MODEL_FILE_FORMAT, source=source, base=base
            )
            try:
                return cls.from_arrays(arrays, tables=tables)
            except ModelError as exc:
                raise ModelError(f"{source}: {exc}") from exc
        header, _ = modelfile.read_header(data, source)
        if header["version"] in modelfile.SECTION_VERSIONS:
            return cls._from_file(modelfile.ModelFile(data, source=source))
        _, arrays = modelfile.read_arrays(data, source)
        try:
            return cls.from_arrays(arrays)
        except ModelError as exc:
            raise ModelError(f"{source}: {exc}") from exc

    @classmethod
    def _from_file(cls, mf: modelfile.ModelFile) -> LearnedModel:
        """The model of an open file of sections (version 2 or 3): parameters and metadata now, each component built from
        its sections (and checked) the first time it is used (:mod:`lipyantar.translit.learned.storage`)."""
        params, meta = storage.file_settings(mf)
        model = cls.__new__(cls)
        model._pending = storage.component_builders(mf, model)
        model._setup(params=params, meta=meta, vocabulary=None)
        model._file = mf
        return model

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None
    ) -> LearnedModel:
        """Load a model file; raises ModelError when missing, corrupt or of another version.

        ``base``: the base model of an adaptation file (default: the model shipped in the package)."""
        source = os.fspath(path)
        data = modelfile.map_file(path)  # a regular file only: never a device or a FIFO
        if (
            data[: len(modelfile.MAGIC)] == modelfile.MAGIC
            and modelfile.read_header(data, source)[0]["version"] in modelfile.SECTION_VERSIONS
        ):
            model = cls._from_file(modelfile.ModelFile(data, source=source))  # queried in place
        else:
            whole = modelfile.whole_bytes(data, source)
            if isinstance(data, mmap.mmap):
                data.close()
            model = cls.from_bytes(whole, source=source, base=base)
        if model.meta.get("vocabulary"):
            # the large word list it was trained with: X.vocab beside X.lpm, else the shipped one
            model._vocab_source = sibling_vocabulary(source) or "default"
        return model


def load_model(path: str | os.PathLike[str]) -> LearnedModel:
    """Load a model file (see :meth:`LearnedModel.load`)."""
    return LearnedModel.load(path)


_default: LearnedModel | None = None
_default_lock = threading.Lock()


def default_model() -> LearnedModel:
    """The shipped default model (package data), loaded on first use and cached."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                beside = Path(__file__).resolve().parent / "data" / DEFAULT_MODEL_NAME
                if beside.is_file():  # installed as files: mapped in place (importlib.resources, with
                    model = LearnedModel.load(beside)  # its imports, only for a zipped install)
                else:
                    from importlib import resources

                    ref = resources.files("lipyantar.translit.learned") / "data" / DEFAULT_MODEL_NAME
                    if not ref.is_file():
                        raise ModelError(
                            f"the default model {DEFAULT_MODEL_NAME} is not installed; "
                            "build it with scripts/train_default_model.py"
                        )
                    with resources.as_file(ref) as path:  # memory-mapped in place (a copy if zipped)
                        model = LearnedModel.load(path)
                if model.meta.get("vocabulary"):
                    model._vocab_source = "default"
                _default = model
    return _default
