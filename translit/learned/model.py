"""The learned informal romanization model: file format, loading, and both conversion directions.

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
forced to spell them), with a noisy-channel score::

    score(d | r) = log P_joint(r, d) − w_marg · log P_joint(d) + w_char · log P_char(d)
                   + w_word · log P_word(d) + w_mem · log(1 + count(r, d))
                   + w_rules_eq · [rules(d) = r] − w_rules_dist · edits(rules(d), r)

where P_joint(d) is approximated by the joint score of d's best romanization, so that the first
two terms are a tempered log P(r | d), and rules(d) is the rule-based ``roman-rules``
romanization of the candidate (a second, independent expert on how d is typed). The last two
features and the marginal are computed for the ``marg_top`` best of a first ranking only.
How much searching a word gets depends on what is asked (:meth:`DecodeParams.search_size`): the
top-k candidates (``devanagarize_topk``) get the widest search, the single best answer
(``devanagarize``) a narrower one of about the same top-1 accuracy, and each word of a sentence a
small one whose few candidates the word n-gram model then chooses among.

Two more sources of candidates, for Latin words that the memory does not know as a Hindi
romanization (:mod:`lipyantar.translit.learned.english`): an English word with a CMUdict pronunciation gets the
Devanagari spellings of its sound (a phoneme ↔ Devanagari joint model), with a bonus ``w_english``
for them and a penalty ``english_miss`` for candidates no pronunciation can spell; a word of at most
``acronym_max`` letters gets its letter-by-letter reading (एनजीओ), with a bonus that grows with how
improbable the input is as a Hindi romanization (``w_acronym``, ``w_acronym_odd``). In running
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
import functools
import heapq
import itertools
import json
import logging
import math
import mmap
import os
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any

from lipyantar.translit import rules as _rules
from lipyantar.translit.budget import checkpoint
from lipyantar.translit.candidate import PROB_POOL, Candidate, calibrated_probs
from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import adaptation, modelfile
from lipyantar.translit.learned.charalign import deva_units, normalize_deva, normalize_roman
from lipyantar.translit.learned.english import CANDIDATES_MEMO_LIMIT, EnglishModel, spell_letters
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import BOUNDARY, FAST, CharLM, NgramLM, WordLM
from lipyantar.translit.learned.vocab import Vocabulary
from lipyantar.translit.metrics import edit_distance
from lipyantar.translit.textio import atomic_write_bytes

__all__ = [
    "DEFAULT_MODEL_NAME",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAGIC",
    "MODEL_FILE_FORMAT",
    "DecodeParams",
    "LearnedModel",
    "default_model",
    "load_model",
    "load_vocabulary",
    "roman_skeleton",
]

logger = logging.getLogger(__name__)

# the file format (lipyantar.translit.learned.modelfile)
MAGIC = modelfile.MAGIC
FORMAT_NAME = modelfile.FORMAT_NAME
FORMAT_VERSION = modelfile.FORMAT_VERSION
#: Latin words longer than this get no Devanagari candidates (``lipyantar.translit.transliterate.MAX_WORD_CHARS``
#: keeps such tokens as they are before they reach the model)
MAX_ROMAN_CHARS = 64
DEFAULT_MODEL_NAME = "roman-default.lpm"
#: the large word list of a model file ``X.lpm`` is ``X.vocab`` beside it (see lipyantar.translit.learned.vocab)
VOCAB_SUFFIX = ".vocab"

#: roughly how much memory the per-word caches of one model may take (bytes): about CACHE_BYTES_PER_WORD
#: per distinct word converted (measured: 4.3 KB for a word in sentences, 6.4 KB as top-k candidates,
#: the Transliterator's memo included), so the caches of words hold CACHE_BYTES // CACHE_BYTES_PER_WORD
#: entries each and are emptied when full; the caches of candidates (several per word, a number each)
#: hold _CACHE_LIMIT
CACHE_BYTES = 256 << 20
CACHE_BYTES_PER_WORD = 8 << 10
WORD_CACHE_LIMIT = CACHE_BYTES // CACHE_BYTES_PER_WORD
_CACHE_LIMIT = 200_000
_VIRAMA = "\u094d"


@dataclass(frozen=True)
class DecodeParams:
    """Decoding weights and search sizes, stored in the model (the ones added with the large word list
    chosen on a held-out slice of the train data, ``scripts/tune_heldout.py``; older ones on the
    Dakshina dev split)."""

    # Roman → deva runs one of three searches, each with its own size (see SearchSize): the top-k
    # search (devanagarize_topk with k > 1: these fields), the single-best search (devanagarize,
    # top1_*: a narrower search is enough for one answer) and the per-word search of sentence
    # decoding (ctx_*: the word n-gram model then picks among few candidates).
    #: candidates kept per word (roman → deva) before reranking
    nbest: int = 48
    #: beam of the joint-model search (hypotheses per input position)
    beam: int = 48
    #: ... and only hypotheses within this log-probability of the best at their position
    search_threshold: float = 12.0
    #: graphones searched: seen at least this often ...
    index_min_count: float = 3.0
    #: ... and at most this many per input chunk
    index_max: int = 20
    #: beam for Devanagari → roman
    beam_d2r: int = 10
    #: weight of the Latin character LM (Devanagari → roman)
    w_roman: float = 0.2
    #: per-letter bonus of a romanization (negative: prefer shorter)
    len_bonus: float = 0.0
    #: bonus of the candidate that the rule-based romanizer (roman-rules) also produces
    #: (a two-expert combination; the two make different mistakes)
    w_rules: float = 4.0
    #: weight of the Devanagari character LM
    w_char: float = 1.2
    #: weight of the joint model's own Devanagari marginal, subtracted (noisy channel P(r|d))
    w_marg: float = 0.5
    #: beam of the search that approximates that marginal
    marg_beam: int = 3
    #: candidates (after a first ranking without the marginal) that are fully scored and kept
    marg_top: int = 16
    #: roman → deva: bonus when roman-rules romanizes the candidate back to the input ...
    w_rules_eq: float = 1.0
    #: ... and penalty per edit between that romanization and the input
    w_rules_dist: float = 1.5
    #: apply the two roman-rules features to every candidate (True) or only to the ``marg_top``
    #: best after the first ranking (False: much faster)
    stage1_rules: bool = False
    #: ... (when False) at most this many of them
    rules_top: int = 16
    #: candidates also taken from the native vocabulary: the most frequent words whose
    #: romanizations share the input's consonant skeleton (0: off) ...
    vocab_cands: int = 30
    #: ... each scored by a search forced to spell it, with this beam
    forced_beam: int = 16
    #: English words (Latin input with a pronunciation in the model, see :mod:`lipyantar.translit.learned.english`, and
    #: not attested as the romanization of a Hindi word):
    #: this many Devanagari spellings per pronunciation are added as candidates (0: off) ...
    english_k: int = 10
    #: ... found with this beam
    english_beam: int = 16
    #: bonus of a candidate that the English pronunciation model proposes ...
    w_english: float = 3.0
    #: ... and penalty of one that no pronunciation of the input can spell (a forced search with
    #: this beam)
    english_miss: float = 1.5
    english_forced_beam: int = 16
    #: an English proposal that no graphone path of the input spells is scored as the worst
    #: candidate so far plus this offset
    english_unspellable: float = 0.0
    #: penalty of a candidate that ends in a virama: Hindi words almost never do, and an ending such
    #: as ``र्`` is the joint model's error, not a spelling
    final_virama: float = 3.0
    #: acronyms: a Latin word of at most this many letters (and not attested as a Hindi
    #: romanization) also gets its letter-by-letter reading as a candidate (ngo → एनजीओ; 0: off) ...
    acronym_max: int = 6
    #: ... with this bonus, plus this weight times the input's per-letter improbability as a
    #: Hindi romanization (-log P_latin(roman) / (letters + 1))
    w_acronym: float = 1.0
    w_acronym_odd: float = 2.25
    #: a word typed in capitals (``DNA``, ``DRDO``: 2 to ``acronym_max`` letters) is read letter by
    #: letter (डीएनए), in sentences and alone, unless the memory knows it only as the romanization of
    #: other words (``AUR`` → और, shouted) or it is an English word whose pronunciation does not spell
    #: its letters (``YOU``, ``PLEASE``). False: capitals are ignored, as before
    caps_acronyms: bool = True
    #: the single-best search (devanagarize): beam and candidates kept, threshold, ``marg_top``,
    #: ``vocab_cands`` and ``english_k`` (as above)
    top1_beam: int = 16
    top1_threshold: float = 9.0
    top1_marg_top: int = 6
    top1_vocab_cands: int = 20
    top1_english_k: int = 10
    #: weight of the word prior (unigram, single words)
    w_word: float = 0.25
    #: bonus of a candidate that the model's large word list (:mod:`lipyantar.translit.learned.vocab`) knows (0: off)
    w_vocab: float = 10.0
    #: candidates from that word list: this many words whose roman-rules romanization has the input's
    #: consonant skeleton, after the model's own vocabulary index words (within ``vocab_cands``)
    vocab_big: int = 10
    #: ... in the single-best search (devanagarize) ...
    top1_vocab_big: int = 10
    #: ... and in the per-word search of sentence decoding (0: the model's own index only; faster)
    ctx_vocab_big: int = 5
    #: log prior of a word that was never seen
    oov_logprob: float = -24.0
    #: bonus weight of log(1 + count) for attested (roman, deva) pairs
    w_mem: float = 0.5
    #: an attested spelling scores at least the best candidate's joint score minus this gap, plus the
    #: log of its share of the input's attested spellings (so that a pair the joint model cannot spell,
    #: such as ``delhi`` → दिल्ली, still competes); negative: off (such a spelling scores as the worst
    #: candidate). Chosen on held-out train sentences (``scripts/tune_heldout.py``)
    attested_gap: float = 4.0
    #: weight of the word n-gram model in sentences
    w_ctx: float = 1.8
    #: extra log penalty for a word outside the n-gram vocabulary (added to the n-gram's <unk>)
    ctx_oov_logprob: float = -9.0
    #: weight of the unigram prior of words outside the n-gram vocabulary (in sentences)
    w_ctx_prior: float = 1.0
    #: candidates per word in sentence decoding
    ctx_nbest: int = 6
    #: the per-word search of sentence decoding: beam (and candidates searched), threshold,
    #: ``marg_top``, ``vocab_cands`` and ``english_k`` (as above)
    ctx_search_beam: int = 12
    ctx_threshold: float = 7.0
    ctx_marg_top: int = 5
    ctx_vocab_cands: int = 5
    ctx_english_k: int = 5
    #: ... and ``acronym_max`` (off: in running text the letter reading is rarely right)
    ctx_acronym_max: int = 0
    #: sentence beam (hypotheses per word position)
    ctx_beam: int = 8
    #: calibration: temperatures of the candidates' probabilities (their share of the k-best mass of
    #: score / temperature, :func:`lipyantar.translit.candidate.calibrated_probs`), roman → deva and deva → roman;
    #: fitted on a held-out slice of the training lexicon by ``scripts/bench_calibration.py``
    temperature_r2d: float = 3.116
    temperature_d2r: float = 2.927
    #: ... and the weight, relative to the best candidate's, of an answer outside the k best (the
    #: ``reserve`` of :func:`~lipyantar.translit.candidate.calibrated_probs`; fitted with the temperatures)
    reserve_r2d: float = 0.1024
    reserve_d2r: float = 0.0
    #: ``--english keep``: a Latin word read as English is kept unless its Devanagari is a native word
    #: with a log unigram prior above this (see LearnedModel.is_english)
    english_keep_logprior: float = -8.0
    #: a sentence's candidates per word: the ``ctx_nbest`` best by their score without context (True)
    #: or by the channel score alone (False)
    ctx_select_scored: bool = False
    #: bonus of a candidate that the large word list knows, in sentences (see ``w_vocab``)
    ctx_w_vocab: float = 10.0
    #: which search gives a sentence's per-word candidates: ``"top1"`` (the single-best search of
    #: :meth:`LearnedModel.devanagarize`, so that a word the context does not inform keeps its
    #: single-best answer) or ``"context"`` (the smaller ctx_* search)
    ctx_words: str = "context"
    #: weight of the unigram prior of every candidate in sentences (0: only of those outside the
    #: n-gram vocabulary, ``w_ctx_prior``) ...
    ctx_prior: float = 0.0
    #: ... and this times ``w_ctx`` log P(word) of the n-gram model subtracted: with 1, the n-gram model
    #: adds only the evidence of the context, log P(word | context) / P(word), and how common a word is
    #: comes from the prior (a broader word list than the n-gram model's text; 0: the n-gram model's
    #: full probability)
    ctx_pmi: float = 0.0
    #: casual typing leaves out a final nasal (``me`` for में, ``hai`` for हैं, ``dono`` for दोनों) or writes
    #: it ``m`` (``mem`` for में, ``evam`` for एवं). In sentences, each candidate's nasalized form
    #: (:func:`nasal_variants`) that the n-gram model knows also competes, scored as that candidate minus
    #: this penalty, and the context decides (a negative value: off). Chosen on held-out train
    #: sentences with casual nasal dropping (``scripts/tune_heldout.py --nasal-drop``).
    ctx_nasal_penalty: float = 5.0
    #: casual typing also writes the diphthongs ai and au as e and o (``or`` for और, ``he`` for है,
    #: ``kese`` for कैसे, ``kon`` for कौन). In sentences, each candidate's forms with ै/ऐ for े/ए and
    #: ौ/औ for ो/ओ (:func:`vowel_variants`) that the n-gram model knows also compete, scored as that
    #: candidate minus this penalty (a negative value: off). Chosen on held-out train sentences.
    ctx_vowel_penalty: float = 5.0
    #: Hindi spells many words in two accepted ways (गांव/गाँव, फिल्म/फ़िल्म, हिंदी/हिन्दी, गए/गये) and the
    #: input does not say which. In sentences, each candidate's other spellings
    #: (:func:`convention_variants`) that the n-gram model knows also compete, scored as that candidate
    #: minus this penalty, and the context decides (negative: off). Chosen on held-out train sentences.
    ctx_convention_penalty: float = 7.0
    #: ... of the candidates within this of the best (on held-out sentences the further ones never won;
    #: the sentence search is faster)
    ctx_convention_window: float = 10.0
    #: typed text misspells words (``varsa`` for वर्ष, ``prashiksan`` for प्रशिक्षण) in ways the search
    #: cannot spell. In sentences, up to this many words of the n-gram model that share the input's
    #: consonant skeleton (:func:`roman_skeleton`) also compete (0: off) ...
    ctx_skeleton_cands: int = 10
    #: ... scored as the word's best candidate minus this penalty, minus ``ctx_skeleton_dist`` per edit
    #: between the input and the word's romanization
    ctx_skeleton_penalty: float = 11.0
    ctx_skeleton_dist: float = 6.0
    #: ... and only words within this many edits of the input (on held-out sentences the further ones
    #: won more often wrongly than rightly, and each candidate costs the sentence search time)
    ctx_skeleton_max_dist: int = 2
    #: ... for every word (True), or only where the best candidate is outside the n-gram vocabulary
    #: (False: as accurate on held-out sentences, and the sentence search about 8% faster)
    ctx_skeleton_always: bool = False

    def search_size(self, kind: str) -> SearchSize:
        """The size of the roman → deva search ``kind``: ``"topk"``, ``"top1"`` or ``"context"``."""
        names = _SEARCH_FIELDS.get(kind)
        if names is None:
            raise ValueError(f"unknown search {kind!r} (valid: {', '.join(_SEARCH_FIELDS)})")
        return SearchSize(*(getattr(self, name) for name in names))


#: the DecodeParams fields of each search's SearchSize (beam, nbest, threshold, marg_top,
#: vocab_cands, english_k, acronym_max); the single-best and sentence searches keep all they find
_SEARCH_FIELDS = {
    "topk": ("beam", "nbest", "search_threshold", "marg_top", "vocab_cands", "english_k", "acronym_max"),
    "top1": (
        "top1_beam",
        "top1_beam",
        "top1_threshold",
        "top1_marg_top",
        "top1_vocab_cands",
        "top1_english_k",
        "acronym_max",
    ),
    "context": (
        "ctx_search_beam",
        "ctx_search_beam",
        "ctx_threshold",
        "ctx_marg_top",
        "ctx_vocab_cands",
        "ctx_english_k",
        "ctx_acronym_max",
    ),
}


@dataclass(frozen=True)
class SearchSize:
    """How much work roman → deva spends on one word (see :meth:`DecodeParams.search_size`)."""

    #: beam of the joint-model search
    beam: int
    #: candidates taken from it
    nbest: int
    #: hypotheses further than this below the best at their position are dropped
    threshold: float
    #: candidates of the first ranking that get the full score (with the marginal)
    marg_top: int
    #: candidates from the vocabulary index (0: off)
    vocab_cands: int
    #: English spellings per pronunciation (0: off)
    english_k: int
    #: longest input that gets its letter-by-letter reading (0: off)
    acronym_max: int


@dataclass
class _Memory:
    """The attested pairs, as native -> roman -> count (``d2r``) and roman -> native -> count (``r2d``),
    each map built from the pairs the first time it is used."""

    pairs: list[tuple[str, str, float]] = field(default_factory=list)

    @functools.cached_property
    def r2d(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for deva, roman, count in self.pairs:
            row = out.setdefault(roman, {})
            row[deva] = row.get(deva, 0.0) + count
        return out

    @functools.cached_property
    def d2r(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for deva, roman, count in self.pairs:
            row = out.setdefault(deva, {})
            row[roman] = row.get(roman, 0.0) + count
        return out


class _Component:
    """A model component that a model loaded from a version 2 file builds the first time it is used
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


@dataclass
class _Found:
    """The candidates of one Latin word while they are gathered and ranked (see LearnedModel._channel)."""

    roman: str
    size: SearchSize
    #: attested spellings of the word -> counts (the memory)
    attested: dict[str, float]
    #: candidate -> (joint log-probability with the input, char-LM log-probability)
    cands: dict[str, tuple[float, float]] = field(default_factory=dict)
    english: EnglishModel | None = None
    #: the English model's proposals -> their scores (empty: none, or not an English word)
    english_cands: dict[str, float] = field(default_factory=dict)
    #: the letter-by-letter reading, for short unattested words
    acronym: str | None = None
    #: the search's name (see DecodeParams.search_size)
    kind: str = "topk"


class LearnedModel:
    """A learned romanization scheme; see the module docstring.

    Instances are built by :func:`lipyantar.translit.learned.learn.train` or loaded with :meth:`load`.
    Conversion results are memoized per word. A model loaded from a version 2 file builds each
    component the first time it is used (Devanagari → roman never builds the word model, the English
    model or the skeleton index; roman → Devanagari never builds the romanization table).
    """

    joint: JointModel = _Component()  # type: ignore[assignment]
    charlm: CharLM = _Component()  # type: ignore[assignment]
    romanlm: CharLM = _Component()  # type: ignore[assignment]
    wordlm: WordLM = _Component()  # type: ignore[assignment]
    english: EnglishModel | None = _Component()  # type: ignore[assignment]
    memory: _Memory = _Component()  # type: ignore[assignment]
    #: precomputed best romanizations of frequent words (see precompute_romanizations)
    d2r_table: dict[str, tuple[str, float]] = _Component()  # type: ignore[assignment]
    #: consonant skeleton of a romanization -> native words romanized so, most frequent first
    #: (see build_vocab_index)
    vocab_index: dict[str, tuple[str, ...]] = _Component()  # type: ignore[assignment]

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
        self.joint.prune_index(min_count=self.params.index_min_count, max_per_chunk=self.params.index_max)
        #: pronunciations of English words and a phoneme ↔ Devanagari model (None: no such component)
        self.english = english
        self.charlm = charlm
        self.romanlm = romanlm
        self.wordlm = wordlm
        self.memory = _Memory(list(pairs))
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
        self.params = params or DecodeParams()
        self._sizes = {kind: self.params.search_size(kind) for kind in _SEARCH_FIELDS}
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
        index, then ``vocab_big`` (``ctx_vocab_big`` in sentences) words of the large word list
        (memoized)."""
        p = self.params
        big = p.ctx_vocab_big if kind == "context" else p.top1_vocab_big if kind == "top1" else p.vocab_big
        memo_key = (key, big)
        hit = self._vocab_memo.get(memo_key)
        if hit is not None:
            return hit
        own = self.vocab_index.get(key, ())
        vocab = self.vocabulary if big else None
        if vocab is not None:
            seen = set(own)
            own = tuple(own) + tuple(w for w in vocab.lookup(key)[:big] if w not in seen)
        if len(self._vocab_memo) > WORD_CACHE_LIMIT:
            self._vocab_memo.clear()
        self._vocab_memo[memo_key] = own
        return own

    def _uses_word_list_index(self) -> bool:
        p = self.params
        return bool(p.vocab_big or p.top1_vocab_big or p.ctx_vocab_big)

    def _known(self, weight: float | None = None) -> Callable[[str], bool] | None:
        """Membership in the large word list when its weight (default ``w_vocab``) is on (None: off)."""
        if not (self.params.w_vocab if weight is None else weight):
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
        attested = self.memory.d2r.get(deva)
        if attested:
            out = min(attested.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        elif deva in self.d2r_table:
            out = self.d2r_table[deva][0]
        else:
            best = self.romanize_topk(deva, 1)
            out = best[0][0] if best else ""
        if len(self._best_cache) > WORD_CACHE_LIMIT:
            self._best_cache.clear()
        self._best_cache[word] = out
        return out

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
        """top_k best romanizations of a Devanagari word, best first, with log-probability scores."""
        key = (word, top_k)
        cached = self._d2r_cache.get(key)
        if cached is not None:
            return list(cached)
        deva = normalize_deva(word)
        attested = self.memory.d2r.get(deva)
        if top_k == 1 and not attested and deva in self.d2r_table:
            out = [self.d2r_table[deva]]
        else:
            out = self._romanize_search(deva, top_k)
        if attested:
            # attested romanizations first, most frequent first; scored on the model's scale
            top = out[0][1] if out else 0.0
            ranked = sorted(attested.items(), key=lambda kv: (-kv[1], kv[0]))
            total = sum(attested.values())
            mem = [(r, top + math.log(c / total)) for r, c in ranked]
            seen = {r for r, _ in mem}
            floor = min((s for _, s in mem), default=top)
            out = mem + [(r, min(s, floor - 1e-6)) for r, s in out if r not in seen]
            out = out[:top_k]
        if len(self._d2r_cache) > WORD_CACHE_LIMIT:
            self._d2r_cache.clear()
        self._d2r_cache[key] = tuple(out)  # immutable: the garbage collector stops scanning it
        return out

    def _romanize_search(self, deva: str, k: int) -> list[tuple[str, float]]:
        p = self.params
        size = max(p.beam_d2r, k)
        raw = self.joint.decode(deva_units(deva), to_roman=True, k=size, beam=size, fallback=_rules_piece)
        romanlm = self.romanlm.logprob
        ruled = _rules_word(deva) if p.w_rules else None
        out = [
            (r, s + p.w_roman * romanlm(r) + p.len_bonus * len(r) + (p.w_rules if r == ruled else 0.0))
            for r, s in raw
        ]
        out.sort(key=lambda kv: (-kv[1], kv[0]))
        return out[:k]

    def romanize_candidates(self, word: str, top_k: int = 5) -> list[Candidate]:
        """:meth:`romanize_topk` as :class:`~lipyantar.translit.candidate.Candidate` objects: the raw ``score``
        and a calibrated ``prob`` (share of the best ``max(top_k, PROB_POOL)`` candidates' mass at
        temperature ``params.temperature_d2r``, reserve ``params.reserve_d2r``)."""
        return _candidates(
            self.romanize_topk(word, max(top_k, PROB_POOL)),
            top_k,
            self.params.temperature_d2r,
            self.params.reserve_d2r,
        )

    # -- public API: roman -> Devanagari ---------------------------------------------------------
    def devanagarize_topk(self, word: str, top_k: int = 5) -> list[tuple[str, float]]:
        """top_k best Devanagari spellings of a Latin word, best first, with log-probability scores.

        ``top_k=1`` runs the narrower single-best search (``top1_*`` parameters), as :meth:`devanagarize`
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
        p = self.params
        prior = self.wordlm.unigram_table().get
        w_word, oov, w_vocab, known = p.w_word, p.oov_logprob, p.w_vocab, self._known()
        # (negated score, candidate): the natural order is best first, ties by spelling
        ranked = []
        for deva, channel in self._channel(roman, "top1" if top_k == 1 else "topk"):
            lp = prior(deva)
            ranked.append((-(channel + w_word * (lp if lp is not None else oov)), deva))
        if known is not None and ranked:
            # the word-list bonus; for the single best only where it can matter: a candidate more than
            # w_vocab below the best cannot overtake it (the same answer, fewer look-ups)
            reach = min(ranked)[0] + w_vocab if top_k == 1 and w_vocab >= 0 else math.inf
            ranked = [
                (neg - w_vocab, deva) if neg <= reach and known(deva) else (neg, deva) for neg, deva in ranked
            ]
        if top_k == 1:
            ranked = [min(ranked)] if ranked else []
        else:
            ranked.sort()
        return [(deva, -neg) for neg, deva in ranked[:top_k]]

    def _caps_acronym(self, word: str, roman: str) -> str | None:
        """The letter-by-letter reading of ``word`` when the capitals rule (``caps_acronyms``) applies to
        it, else None. ``roman`` is ``normalize_roman(word)``."""
        p = self.params
        if not (p.caps_acronyms and 2 <= len(word) <= p.acronym_max and word.isascii()):
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
            if acronym not in english.candidates(roman, k=p.english_k, beam=p.english_beam):
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
        temperature ``params.temperature_r2d``, reserve ``params.reserve_r2d``)."""
        return _candidates(
            self.devanagarize_topk(word, max(top_k, PROB_POOL)),
            top_k,
            self.params.temperature_r2d,
            self.params.reserve_r2d,
        )

    def is_english(self, word: str, deva: str) -> bool:
        """Whether ``deva``, the Devanagari chosen for the Latin ``word``, is the model's English reading
        of it: the word has an English pronunciation and ``deva`` is one of the Devanagari spellings of
        its sound (see :mod:`lipyantar.translit.learned.english`), so ``office`` → ऑफिस is English but ``main`` → मैं and
        ``he`` → है are Hindi; and ``deva`` is not a common native word (log unigram prior at most
        ``english_keep_logprior``). What ``--english keep`` keeps in Latin script."""
        roman = normalize_roman(word)
        english = self.english
        if not roman or not deva or english is None or not english.pronunciations(roman):
            return False
        p = self.params
        # a common Hindi word (से, वो, है) is Hindi even though its sound is also an English word's
        lp = self.wordlm.unigram(deva)
        if lp is not None and lp > p.english_keep_logprior:
            return False
        return deva in english.candidates(roman, k=p.english_k, beam=p.english_beam)

    def devanagarize(self, word: str) -> str:
        """One best Devanagari spelling of a Latin word ("" when nothing can be produced)."""
        best = self.devanagarize_topk(word, 1)
        return best[0][0] if best else ""

    def devanagarize_words(self, words: Sequence[str]) -> list[str]:
        """Devanagari for the Latin words of one sentence, chosen jointly with a word n-gram model.

        Returns exactly one string per input word (empty-string input words give ``""``).
        """
        if not words:
            return []
        if len(words) == 1:
            # a one-word sentence has no context: its answer is the single-best answer
            return [self.devanagarize(words[0])]
        p = self.params
        lm = self.wordlm.lm
        cache = self._col_cache
        devas: list[tuple[str, ...]] = []
        scored: list[tuple[tuple[float, int], ...]] = []
        for word in words:
            col = cache.get(word)
            if col is None:
                col = self._word_column(word)
                if len(cache) > WORD_CACHE_LIMIT:
                    cache.clear()
                cache[word] = col
            devas.append(col[0])
            scored.append(col[1])
        # Viterbi/beam over LM states
        compiled = lm.fast()
        if compiled is not None:
            picks = FAST.viterbi(compiled, scored, lm.start, p.w_ctx, p.ctx_beam)
        else:
            picks = sentence_viterbi_python(lm, scored, w_ctx=p.w_ctx, beam=p.ctx_beam)
        return [col[i] for col, i in zip(devas, picks, strict=True)]

    def devanagarize_sentences(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """:meth:`devanagarize_words` for many sentences (the same results, faster).

        The words not decoded before are decoded first, in sorted order: neighbouring spellings
        share the search's memoized steps, which makes a batch of running text about 10-20% faster
        than its sentences one at a time.
        """
        cache = self._col_cache
        new = {word for words in sentences for word in words if word not in cache}
        for word in sorted(new, key=normalize_roman):
            checkpoint()  # the time budget's turn (lipyantar.translit.budget)
            if len(cache) > WORD_CACHE_LIMIT:
                cache.clear()
            cache[word] = self._word_column(word)
        return [self.devanagarize_words(words) for words in sentences]

    # -- internals ------------------------------------------------------------------------------
    def _word_column(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """:meth:`_column` of a Latin word as typed: a word in capitals that the capitals rule reads
        letter by letter (``caps_acronyms``) has that reading alone."""
        roman = normalize_roman(word)
        acronym = self._caps_acronym(word, roman)
        if acronym is not None:
            return (acronym,), ((0.0, self.wordlm.ids.get(acronym, WordLM.UNK)),)
        return self._column(roman)

    def _column(self, roman: str) -> tuple[tuple[str, ...], tuple[tuple[float, int], ...]]:
        """A word's candidates in sentence decoding: the Devanagari spellings, and for each its
        (score without context, word id)."""
        p = self.params
        word_id = self.wordlm.ids.get  # WordLM.word_id and WordLM.unigram, without a call each
        prior = self.wordlm.unigram_table().get
        unk = WordLM.UNK
        devas, scored = [], []
        discount = p.ctx_pmi * p.w_ctx
        lm_unigram = self._lm_unigram
        w_prior, oov, ctx_oov, w_ctx_prior = p.ctx_prior, p.oov_logprob, p.ctx_oov_logprob, p.w_ctx_prior
        known = self._known(p.ctx_w_vocab)
        known_memo = self._ctx_known
        if len(known_memo) > _CACHE_LIMIT:
            known_memo.clear()
        found = self._channel(roman, p.ctx_words) if roman else ()
        if not p.ctx_select_scored:
            found = found[: p.ctx_nbest]
        if (p.ctx_nasal_penalty >= 0 or p.ctx_vowel_penalty >= 0 or p.ctx_convention_penalty >= 0) and found:
            found = self._with_casual_variants(roman, found)
        if (
            p.ctx_skeleton_cands
            and found
            and (p.ctx_skeleton_always or self.wordlm.ids.get(found[0][0], WordLM.UNK) == WordLM.UNK)
        ):
            found = self._with_skeleton_words(roman, found)
        for deva, channel in found:
            wid = word_id(deva, unk)
            lp = prior(deva)
            if lp is None:
                lp = oov
            extra = w_prior * lp
            if wid == unk:
                extra += ctx_oov + w_ctx_prior * lp
            if discount:
                extra -= discount * lm_unigram(wid)
            if known is not None:
                in_list = known_memo.get(deva)
                if in_list is None:
                    in_list = known_memo[deva] = known(deva)
                if in_list:
                    extra += p.ctx_w_vocab
            devas.append(deva)
            scored.append((channel + extra, wid))
        if p.ctx_select_scored and len(devas) > p.ctx_nbest:
            # the ctx_nbest best by their score without context (channel, prior, word list)
            keep = sorted(range(len(devas)), key=lambda i: -scored[i][0])[: p.ctx_nbest]
            devas = [devas[i] for i in keep]
            scored = [scored[i] for i in keep]
        return (tuple(devas), tuple(scored)) if devas else (("",), ((0.0, unk),))

    def _with_casual_variants(
        self, roman: str, found: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """``found`` with the casual-typing variants of its candidates that the n-gram model knows: their
        nasalized forms (:func:`nasal_variants`), each scored ``ctx_nasal_penalty`` below its source,
        and their forms with the diphthongs (:func:`vowel_variants`), ``ctx_vowel_penalty`` below it (or
        as ``found`` scores a variant, when that is higher); then the other conventions' spellings
        (:func:`convention_variants`) of every candidate so far within ``ctx_convention_window`` of the
        best, ``ctx_convention_penalty`` below it. A negative penalty turns its kind off."""
        p = self.params
        kinds: list[tuple[Callable[[str, str], tuple[str, ...]], str, float]] = []
        if p.ctx_nasal_penalty >= 0 and roman and roman[-1] in "aeiouym":
            kinds.append((nasal_variants, roman, p.ctx_nasal_penalty))
        wanted = _vowels_wanted(roman) if p.ctx_vowel_penalty >= 0 else ""
        if wanted:
            kinds.append((_vowel_forms, wanted, p.ctx_vowel_penalty))
        convention = p.ctx_convention_penalty
        if not kinds and convention < 0:
            return found
        ids, unk = self.wordlm.ids, WordLM.UNK
        scores = dict(found)
        changed = False
        for deva, score in found:
            for variants, arg, penalty in kinds:
                for variant in variants(arg, deva):
                    if ids.get(variant, unk) != unk and scores.get(variant, -math.inf) < score - penalty:
                        scores[variant] = score - penalty
                        changed = True
        if convention >= 0:
            # the other conventions' spellings of every candidate so far (the casual variants too)
            floor = max(scores.values()) - p.ctx_convention_window
            for deva, score in list(scores.items()):
                if score < floor:
                    continue
                for variant in convention_variants(deva):
                    if ids.get(variant, unk) != unk and scores.get(variant, -math.inf) < score - convention:
                        scores[variant] = score - convention
                        changed = True
        return tuple(sorted(scores.items(), key=lambda item: -item[1])) if changed else found

    def _with_skeleton_words(
        self, roman: str, found: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """``found`` with up to ``ctx_skeleton_cands`` n-gram vocabulary words of the input's consonant
        skeleton that it does not have, scored below its best candidate by ``ctx_skeleton_penalty``
        plus ``ctx_skeleton_dist`` per edit between the input and the word's romanization."""
        p = self.params
        ids, unk = self.wordlm.ids, WordLM.UNK
        have = {deva for deva, _ in found}
        words = [
            deva
            for deva in self._vocab_words(roman_skeleton(roman), "context")[: p.ctx_skeleton_cands]
            if deva not in have and ids.get(deva, unk) != unk
        ]
        if not words or self.is_english(roman, found[0][0]):
            # (read as an English word: spelled as English spells it, not mistyped)
            return found
        best = max(score for _, score in found)
        extra = []
        for deva in words:
            dist = edit_distance(roman, self.romanize(deva))
            if dist <= p.ctx_skeleton_max_dist:
                extra.append((deva, best - p.ctx_skeleton_penalty - p.ctx_skeleton_dist * dist))
        return found + tuple(extra) if extra else found

    def _word_ranking(self, roman: str, kind: str) -> list[tuple[str, float]]:
        """All candidates of a normalized Latin word from the search ``kind`` with their single-word
        score (channel and unigram prior, as :meth:`devanagarize_topk` ranks them), best first."""
        p = self.params
        prior = self.wordlm.unigram_table().get
        w_word, oov, w_vocab, known = p.w_word, p.oov_logprob, p.w_vocab, self._known()
        ranked = []
        for deva, channel in self._channel(roman, kind):
            lp = prior(deva)
            s = channel + w_word * (lp if lp is not None else oov)
            if known is not None and known(deva):
                s += w_vocab
            ranked.append((-s, deva))
        ranked.sort()
        return [(deva, -neg) for neg, deva in ranked]

    def _lm_unigram(self, wid: int) -> float:
        """log P(wid) under the word n-gram model without context (memoized per word id)."""
        table = self._uni_lp
        lp = table.get(wid)
        if lp is None:
            lm = self.wordlm.lm
            compiled = lm.fast()
            lp = (compiled.step(lm.root, wid) if compiled is not None else lm.step(lm.root, wid))[0]
            table[wid] = lp
        return lp

    def _channel(self, roman: str, kind: str = "topk") -> tuple[tuple[str, float], ...]:
        """Candidates for a normalized Latin word with their context-free channel+spelling score,
        from the search ``kind`` (see :meth:`DecodeParams.search_size`), best first; memoized.

        Runs compiled (``lipyantar.translit.learned._fastlm.Channel``) when the extension is built, otherwise
        :meth:`_channel_python`; both give the same candidates, scores and order.

        A "word" longer than :data:`MAX_ROMAN_CHARS` gets no candidates (the search's time grows
        faster than its length; such a token is not a word)."""
        if len(roman) > MAX_ROMAN_CHARS:
            return ()
        key = (roman, kind)
        cached = self._r2d_cache.get(key)
        if cached is not None:
            return cached
        compiled = self._fast_channel
        if compiled is None:
            compiled = self._compiled_channel()
        # a tuple (of tuples of a string and a float): memoized, and never scanned again by the
        # garbage collector
        scored = compiled(roman, kind) if compiled else self._channel_python(roman, kind)
        if len(self._r2d_cache) > WORD_CACHE_LIMIT:
            self._r2d_cache.clear()
        self._r2d_cache[key] = scored
        return scored

    def _compiled_channel(self) -> Any:
        """The compiled channel over this model's current components (False when the extension is not
        built); kept until :meth:`clear_cache` (call it after replacing a component)."""
        channel: Any = False
        if FAST is not None and hasattr(FAST, "Channel"):
            english = self.english.compiled_parts() if self.english is not None else None
            decoders = (
                self.joint.compiled_decoder(False),
                self.joint.compiled_decoder(False, forced=True),
                self.joint.compiled_decoder(True),
            )
            charlm = self.charlm.lm.fast()
            if charlm is not None and None not in decoders and (self.english is None or english is not None):
                channel = FAST.Channel(
                    r2d=decoders[0],
                    forced=decoders[1],
                    d2r=decoders[2],
                    charlm=charlm,
                    char_ids=self.charlm.ids,
                    char_unk=self.charlm.lm.vocab_size,
                    char_start=self.charlm.lm.start,
                    prior=self.wordlm.unigram_table(),
                    vocab_index=self._vocab_words if self._uses_word_list_index() else self.vocab_index,
                    memory=self.memory.r2d,
                    marg_cache=self._marg_cache,
                    english=english,
                    params=self.params,
                    sizes=self._sizes,
                    skeleton=roman_skeleton,
                    rules_word=_rules_word,
                    spell_letters=spell_letters,
                    roman_logprob=self.romanlm.logprob,
                    marg_limit=_CACHE_LIMIT,
                    english_limit=CANDIDATES_MEMO_LIMIT,
                )
        self._fast_channel = channel
        return channel

    def _channel_python(self, roman: str, kind: str = "topk") -> tuple[tuple[str, float], ...]:
        """The pure-Python :meth:`_channel` without its memo (the reference of the compiled one)."""
        size = self._sizes[kind]
        raw = self.joint.decode(roman, to_roman=False, k=size.nbest, beam=size.beam, threshold=size.threshold)
        found = _Found(roman, size, self.memory.r2d.get(roman, {}), kind=kind)
        self._gather(found, raw)
        staged = self._first_ranking(found)
        # the marginal term needs a search per candidate: only for the best few (two-stage reranking),
        # and the English model's proposals and the acronym reading, which are always scored in full
        top = staged[: size.marg_top]
        extra = found.english_cands.keys() | ({found.acronym} if found.acronym else set())
        if extra:
            top += [t for t in staged[size.marg_top :] if t[1] in extra]
        ranked = self._second_ranking(found, top)
        if not ranked:
            ranked = [(-s, d) for d, s in raw[:1]]
        ranked.sort()
        return tuple([(deva, -neg) for neg, deva in ranked])

    def _gather(self, found: _Found, raw: list[tuple[str, float]]) -> None:
        """Fill ``found.cands`` (Devanagari -> (joint score, char-LM score)): the well-formed search
        outputs, then vocabulary words of the same consonant skeleton, the English model's proposals,
        the acronym reading and the attested spellings (each scored by a forced search)."""
        p = self.params
        roman, cands, attested = found.roman, found.cands, found.attested
        for (d, s), char_lp in zip(raw, self.charlm.scores_if_wellformed([d for d, _ in raw]), strict=True):
            if char_lp is not None:
                cands[d] = (s, char_lp)
        size = found.size
        if size.vocab_cands and (self.vocab_index or self._uses_word_list_index()):
            words = self._vocab_words(roman_skeleton(roman), found.kind)
            vocab = [d for d in words[: size.vocab_cands] if d not in cands]
            self._add_forced(found, vocab, unspellable=None)
        # an English word, unless the memory knows it as the romanization of a Hindi word ("he", "main")
        if size.english_k and not attested and self.english is not None:
            found.english = self.english
            found.english_cands = self.english.candidates(roman, k=size.english_k, beam=p.english_beam)
            english = [d for d in found.english_cands if d not in cands]
            self._add_forced(found, english, unspellable=p.english_unspellable)
        if not attested and 0 < len(roman) <= size.acronym_max:
            found.acronym = spell_letters(roman)
            if found.acronym not in cands:
                self._add_forced(found, [found.acronym], unspellable=-5.0)
        if attested:
            scores = [s for s, _ in cands.values()]
            floor = min(scores, default=0.0)
            spelling = self.charlm.check_and_score
            gap = p.attested_gap
            if gap >= 0:
                top = max(scores, default=0.0)
                total = sum(attested.values())
            for deva, count in attested.items():
                old = cands.get(deva)
                if gap >= 0 and count > 0:
                    least = top - gap + math.log(count / total)
                    if old is None:
                        cands[deva] = (max(floor, least), spelling(deva)[1])
                    elif old[0] < least:
                        cands[deva] = (least, old[1])
                elif old is None:
                    cands[deva] = (floor, spelling(deva)[1])

    def _add_forced(self, found: _Found, devas: list[str], *, unspellable: float | None) -> None:
        """Add well-formed ``devas`` scored by a search forced to spell them from the input. One it
        cannot spell is dropped (``unspellable`` None) or gets the score of the worst candidate so far
        plus ``unspellable`` (a negative offset)."""
        if not devas:
            return
        p = self.params
        cands = found.cands
        floor = 0.0
        if unspellable is not None:
            floor = min((s for s, _ in cands.values()), default=0.0) + unspellable
        spellable = [
            (deva, char_lp)
            for deva, char_lp in zip(devas, self.charlm.scores_if_wellformed(devas), strict=True)
            if char_lp is not None
        ]
        forced = self.joint.forced_scores(found.roman, [deva for deva, _ in spellable], beam=p.forced_beam)
        for (deva, char_lp), score in zip(spellable, forced, strict=True):
            if score is not None:
                cands[deva] = (score, char_lp)
            elif unspellable is not None:
                cands[deva] = (floor, char_lp)

    def _first_ranking(self, found: _Found) -> list[tuple[float, str, float]]:
        """(negated score with the word prior, candidate, score without it), best first."""
        p = self.params
        prior = self.wordlm.unigram_table().get
        rules_first = p.stage1_rules and bool(p.w_rules_eq or p.w_rules_dist)
        w_char, w_word, w_mem, oov, final_virama = p.w_char, p.w_word, p.w_mem, p.oov_logprob, p.final_virama
        attested = found.attested
        staged = []
        for deva, (lp, char_lp) in found.cands.items():
            s = lp + w_char * char_lp
            if rules_first:
                s += self._rules_feature(deva, found.roman)
            if attested:
                c = attested.get(deva)
                if c:
                    s += w_mem * math.log1p(c)
            if deva.endswith(_VIRAMA):
                s -= final_virama
            u = prior(deva)
            staged.append((-(s + w_word * (u if u is not None else oov)), deva, s))
        staged.sort()
        return staged

    def _second_ranking(self, found: _Found, top: list[tuple[float, str, float]]) -> list[tuple[float, str]]:
        """The best candidates of the first ranking with the features that cost a search each, as
        (negated score, candidate)."""
        p = self.params
        roman, english, en_cands, acronym = found.roman, found.english, found.english_cands, found.acronym
        rules_later = not p.stage1_rules and bool(p.w_rules_eq or p.w_rules_dist)
        marginals = self._marginals([deva for _, deva, _ in top]) if p.w_marg else None
        spelled: set[str] = set()
        if en_cands and english is not None:
            others = [deva for _, deva, _ in top if deva not in en_cands]
            spelled = english.spellable(roman, others, beam=p.english_forced_beam)
        scored = []
        for rank, (_, deva, s) in enumerate(top):
            if rules_later and (rank < p.rules_top or deva in en_cands or deva == acronym):
                s += self._rules_feature(deva, roman)
            if marginals is not None:
                s -= p.w_marg * marginals[rank]
            if en_cands:
                if deva in en_cands:
                    s += p.w_english
                elif deva not in spelled:
                    s -= p.english_miss
            if deva == acronym:
                odd = -self.romanlm.logprob(tuple(roman)) / (len(roman) + 1)
                s += p.w_acronym + p.w_acronym_odd * odd
            scored.append((-s, deva))
        return scored

    def _rules_feature(self, deva: str, roman: str) -> float:
        """Agreement of the roman-rules romanization of ``deva`` with the input ``roman``."""
        p = self.params
        ruled = _rules_word(deva)
        if ruled == roman:
            return p.w_rules_eq
        return -p.w_rules_dist * edit_distance(ruled, roman)

    def _marginals(self, devas: Sequence[str]) -> list[float]:
        """Approximate log P_joint(deva) of each word: the score of its best romanization (max
        for sum), memoized per word."""
        cache = self._marg_cache
        known = {d: cache.get(d) for d in devas}
        missing = [d for d, m in known.items() if m is None]
        if missing:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            scores = self.joint.best_scores(missing, beam=self.params.marg_beam)
            computed = dict(zip(missing, scores, strict=True))
            cache.update(computed)
            known.update(computed)
        return [known[d] for d in devas]

    def clear_cache(self) -> None:
        self._r2d_cache.clear()
        self._col_cache.clear()
        self._d2r_cache.clear()
        self._marg_cache.clear()
        self._best_cache.clear()
        self._uni_lp.clear()
        self._vocab_memo.clear()
        self._ctx_known.clear()
        self._fast_channel = None
        built = self.__dict__
        if "joint" in built:
            self.joint.clear_cache()
        if built.get("english") is not None:
            self.english.clear_cache()  # type: ignore[union-attr]

    def with_params(self, **changes: Any) -> LearnedModel:
        """A copy sharing all tables but with other decoding parameters (fresh caches)."""
        clone = object.__new__(LearnedModel)
        clone.__dict__.update(self.__dict__)
        clone._pending = dict(self._pending)  # a component not built yet is built for each on its own
        clone._build_lock = threading.RLock()
        clone.params = replace(self.params, **changes)
        clone._sizes = {kind: clone.params.search_size(kind) for kind in _SEARCH_FIELDS}
        clone.joint = copy.copy(self.joint)  # the search index is per model; the tables are shared
        clone.joint.prune_index(min_count=clone.params.index_min_count, max_per_chunk=clone.params.index_max)
        clone._r2d_cache = {}
        clone._col_cache = {}
        clone._d2r_cache = {}
        clone._marg_cache = {}
        clone._best_cache = {}
        clone._uni_lp = {}
        clone._vocab_memo = {}
        clone._ctx_known = {}
        clone._fast_channel = None
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
        del state["_build_lock"]
        state["_fast_channel"] = None  # compiled: rebuilt on first use after unpickling
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
        """The string tables (decoded) and every other array, in file order."""
        pairs = [
            [deva, roman, count]
            for deva, romans in sorted(self.memory.d2r.items())
            for roman, count in sorted(romans.items())
        ]
        tables = {
            "meta": self.meta,
            "params": asdict(self.params),
            "joint": {"order": self.joint.order, "graphones": [list(g) for g in self.joint.graphones]},
            "charlm": {"order": self.charlm.order, "vocab": self.charlm.vocab},
            "romanlm": {"order": self.romanlm.order, "vocab": self.romanlm.vocab},
            "wordlm": {
                "order": self.wordlm.order,
                "vocab": self.wordlm.vocab,
                "prior": sorted(self.wordlm.prior.items()),
            },
            "pairs": pairs,
            "d2r_table": [[d, r, round(sc, 4)] for d, (r, sc) in sorted(self.d2r_table.items())],
            "vocab_index": [[key, list(ws)] for key, ws in sorted(self.vocab_index.items())],
        }
        if self.english is not None:
            tables["english"] = self.english.tables()
        arrays: dict[str, array] = {}
        for name, lm in (
            ("joint", self.joint),
            ("charlm", self.charlm.lm),
            ("romanlm", self.romanlm.lm),
            ("wordlm", self.wordlm.lm),
        ):
            for key, arr in lm.to_arrays().items():
                arrays[f"{name}.{key}"] = arr
        # the joint model's raw counts, for adaptation
        arrays["joint.count_ngrams"], arrays["joint.count_values"] = self.joint.count_arrays()
        if self.english is not None:
            for key, arr in self.english.arrays().items():
                arrays[f"english.{key}"] = arr
        return tables, arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, array], *, tables: Any = None) -> LearnedModel:
        """The model of a file's arrays (as :meth:`to_arrays`); ``tables``: its string tables already
        decoded (then ``arrays`` need not hold them). Raises ModelError when they are not a usable model."""
        try:
            if tables is None:
                tables = json.loads(arrays["tables"].tobytes().decode("utf-8"))
            if not isinstance(tables, dict):
                raise ValueError("the tables are not a JSON object")
            _check_tables(tables)
            j, c, w = tables["joint"], tables["charlm"], tables["wordlm"]

            def sub(prefix: str) -> dict[str, array]:
                return {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(prefix + ".")}

            joint = JointModel(
                [(g[0], g[1]) for g in j["graphones"]], {}, order=int(j["order"]), arrays=sub("joint")
            )
            joint.defer_counts(arrays["joint.count_ngrams"], arrays["joint.count_values"])
            charlm = CharLM(c["vocab"], None, order=int(c["order"]), arrays=sub("charlm"))
            rl = tables["romanlm"]
            romanlm = CharLM(rl["vocab"], None, order=int(rl["order"]), arrays=sub("romanlm"))
            wordlm = WordLM(
                w["vocab"],
                None,
                order=int(w["order"]),
                prior={word: float(n) for word, n in w["prior"]},
                arrays=sub("wordlm"),
            )
            params = _decode_params(tables.get("params", {}))
            pairs = [(d, r, float(n)) for d, r, n in tables.get("pairs", [])]
            table = {d: (r, float(sc)) for d, r, sc in tables.get("d2r_table", [])}
            vocab_index = {str(key): tuple(str(w) for w in ws) for key, ws in tables.get("vocab_index", [])}
            english = (
                EnglishModel.from_tables(tables["english"], sub("english")) if "english" in tables else None
            )
            return cls(
                joint=joint,
                charlm=charlm,
                wordlm=wordlm,
                romanlm=romanlm,
                pairs=pairs,
                params=params,
                meta=tables.get("meta", {}),
                d2r_table=table,
                vocab_index=vocab_index,
                english=english,
            )
        except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, AttributeError) as exc:
            raise ModelError(f"model payload is malformed: {exc}") from exc

    def to_bytes(self) -> bytes:
        """The model file's bytes (:mod:`lipyantar.translit.learned.modelfile`, version 2)."""
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
        if header["version"] == 2:
            return cls._from_file(modelfile.ModelFile(data, source=source))
        _, arrays = modelfile.read_arrays(data, source)
        try:
            return cls.from_arrays(arrays)
        except ModelError as exc:
            raise ModelError(f"{source}: {exc}") from exc

    @classmethod
    def _from_file(cls, mf: modelfile.ModelFile) -> LearnedModel:
        """The model of an open version 2 file: parameters and metadata now, each component built from
        its sections (and checked) the first time it is used."""
        source = mf.source
        try:
            params = _decode_params(mf.table("params", {}))
            meta = mf.table("meta", {})
            _check_table("meta", meta)
            for name in _REQUIRED_TABLES:
                if f"tables.{name}" not in mf:
                    raise ValueError(f"table {name} is missing")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: model payload is malformed: {exc}") from exc
        model = cls.__new__(cls)

        def table(name: str, default: Any = None) -> Any:
            value = mf.table(name, default)
            _check_table(name, value)
            return value

        def sub(prefix: str) -> dict[str, array]:
            return {
                n.split(".", 1)[1]: mf.array(n)
                for n in mf.order
                if n.startswith(prefix + ".") and n not in ("joint.count_ngrams", "joint.count_values")
            }

        def joint() -> JointModel:
            j = table("joint")
            out = JointModel([(g[0], g[1]) for g in j["graphones"]], {}, order=int(j["order"]), arrays=sub("joint"))
            out.defer_counts(mf.array("joint.count_ngrams"), mf.array("joint.count_values"))
            out.prune_index(min_count=model.params.index_min_count, max_per_chunk=model.params.index_max)
            return out

        def charlm(name: str) -> Callable[[], CharLM]:
            def build() -> CharLM:
                c = table(name)
                return CharLM(c["vocab"], None, order=int(c["order"]), arrays=sub(name))

            return build

        def wordlm() -> WordLM:
            w = table("wordlm")
            prior = {word: float(n) for word, n in w["prior"]}
            return WordLM(w["vocab"], None, order=int(w["order"]), prior=prior, arrays=sub("wordlm"))

        def english() -> EnglishModel | None:
            return EnglishModel.from_tables(table("english"), sub("english")) if "tables.english" in mf else None

        builders: dict[str, Callable[[], Any]] = {
            "joint": joint,
            "charlm": charlm("charlm"),
            "romanlm": charlm("romanlm"),
            "wordlm": wordlm,
            "english": english,
            "memory": lambda: _Memory([(d, r, float(n)) for d, r, n in table("pairs", [])]),
            "d2r_table": lambda: {d: (r, float(sc)) for d, r, sc in table("d2r_table", [])},
            "vocab_index": lambda: {str(k): tuple(str(w) for w in ws) for k, ws in table("vocab_index", [])},
        }

        def checked(name: str, build: Callable[[], Any]) -> Callable[[], Any]:
            def run() -> Any:
                try:
                    return build()
                except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError, AttributeError) as exc:
                    raise ModelError(f"{source}: model payload is malformed ({name}): {exc}") from exc

            return run

        model._pending = {name: checked(name, build) for name, build in builders.items()}
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
        try:
            with open(path, "rb") as fh:
                try:
                    data: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                except ValueError:  # an empty file cannot be mapped
                    data = fh.read()
        except OSError as exc:
            raise ModelError(f"cannot read model {source!r}: {exc.strerror or exc}") from exc
        if data[: len(modelfile.MAGIC)] == modelfile.MAGIC and modelfile.read_header(data, source)[0]["version"] == 2:
            model = cls._from_file(modelfile.ModelFile(data, source=source))  # queried in place
        else:
            model = cls.from_bytes(bytes(data), source=source, base=base)
        if model.meta.get("vocabulary"):
            # the large word list it was trained with: X.vocab beside X.lpm, else the shipped one
            sibling = os.path.splitext(os.fspath(path))[0] + VOCAB_SUFFIX
            model._vocab_source = sibling if os.path.exists(sibling) else "default"
        return model


def sentence_viterbi_python(
    lm: NgramLM, columns: Sequence[Sequence[tuple[float, int]]], *, w_ctx: float, beam: int
) -> list[int]:
    """Best candidate per column: (channel score, word id) columns under the word n-gram ``lm``.

    Beam search over LM states (at most ``beam`` per column, recombined per state); the pure-Python
    reference of ``lipyantar.translit.learned._fastlm.viterbi``.
    """
    hyps: dict[int, tuple[float, tuple[int, ...]]] = {lm.start: (0.0, ())}
    step = lm.step
    for col in columns:
        nxt: dict[int, tuple[float, tuple[int, ...]]] = {}
        for state, (score, hist) in hyps.items():
            for j, (channel, wid) in enumerate(col):
                lp, st = step(state, wid)
                s = score + channel + w_ctx * lp
                old = nxt.get(st)
                if old is None or s > old[0]:
                    nxt[st] = (s, (*hist, j))
        if not nxt:
            raise ValueError("every column needs at least one candidate")
        if len(nxt) > beam:
            nxt = dict(heapq.nlargest(beam, nxt.items(), key=lambda kv: kv[1][0]))
        hyps = nxt
    best = max(hyps.items(), key=lambda kv: kv[1][0] + w_ctx * step(kv[0], BOUNDARY)[0])
    return list(best[1][1])


def _candidates(
    ranked: Sequence[tuple[str, float]], k: int, temperature: float, reserve: float = 0.0
) -> list[Candidate]:
    if k < 1:
        raise ValueError(f"k must be >= 1, not {k}")
    probs = calibrated_probs([s for _, s in ranked], temperature, reserve=reserve)
    return [
        Candidate(text, min(score, 0.0), prob) for (text, score), prob in zip(ranked[:k], probs, strict=False)
    ]


def write_model_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write model file bytes atomically: a fresh temporary file (``tempfile.mkstemp``) beside ``path``,
    renamed into place when complete (:func:`lipyantar.translit.textio.atomic_write_bytes`)."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ModelError(f"cannot write model {os.fspath(path)!r}: {exc.strerror or exc}") from exc


#: the ``roman-rules`` romanization of a word: the compiled function, or the Python one memoized
_rules_word: Callable[[str], str] = (
    _rules.FAST.romanize_word
    if _rules.FAST is not None
    else functools.lru_cache(maxsize=1 << 16)(_rules.romanize_word)
)


_fast_skeleton = getattr(_rules.FAST, "roman_skeleton", None)
_SKELETON_SUBS = (("ph", "f"), ("w", "v"), ("z", "j"), ("q", "k"), ("x", "ks"))
_ASPIRATE = re.compile(r"([kgcjtdpbs])h+")
_REPEAT = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiouy]")


_MATRAS_TAKING_ANUSVARA = frozenset("ाीेैोौ")
_MATRAS_TAKING_CHANDRABINDU = frozenset("ाुू")
_NASALS = frozenset("ंँ")


def nasal_variants(roman: str, deva: str) -> tuple[str, ...]:
    """The nasalized spellings of ``deva`` that a casual romanization ``roman`` may stand for.

    * ``roman`` ends in a vowel and ``deva`` in a vowel sign or vowel letter: the final nasal was left
      out (``me``/मे → में, ``hai``/है → हैं, ``dono``/दोनो → दोनों, ``yaha``/यहा → यहां, यहाँ);
    * ``roman`` ends in ``m`` and ``deva`` in म (not in a conjunct): the ``m`` was the anusvara
      (``mem``/मेम → में, ``evam``/एवम → एवं).
    """
    if not deva or not roman or deva[-1] in _NASALS:
        return ()
    last = deva[-1]
    if roman[-1] in "aeiouy":
        out = []
        if last in _MATRAS_TAKING_ANUSVARA or last in "िअआइईउऊएऐओऔ":
            out.append(deva + "ं")
        if last in _MATRAS_TAKING_CHANDRABINDU or last in "अआउऊ":
            out.append(deva + "ँ")
        return tuple(out)
    if roman[-1] == "m" and len(roman) > 1 and last == "म" and len(deva) > 1 and deva[-2] != "्":
        return (deva[:-1] + "ं",)
    return ()


#: the vowels that casual typing writes like another's: e for ai (ए/े for ऐ/ै), o for au (ओ/ो for औ/ौ)
_DIPHTHONGS = {"ए": "ऐ", "े": "ै", "ओ": "औ", "ो": "ौ"}


def vowel_variants(roman: str, deva: str) -> tuple[str, ...]:
    """The spellings of ``deva`` with a diphthong that a casual romanization ``roman`` may stand for:
    ``e`` typed for ai and ``o`` for au (``or``/ओर → और, ``he``/हे → है, ``kese``/केसे → कैसे,
    ``kon``/कोन → कौन). Each ए/े becomes ऐ/ै and each ओ/ो becomes औ/ौ, one at a time and all together,
    when ``roman`` has an ``e`` (for ए, े) or an ``o`` (for ओ, ो) that is not part of ``ai``/``au``.
    """
    return _vowel_forms(_vowels_wanted(roman), deva)


def _vowels_wanted(roman: str) -> str:
    """The Devanagari vowels of :func:`vowel_variants` that ``roman`` may have written plainly."""
    plain = roman.replace("ai", "").replace("au", "").replace("ay", "").replace("aw", "")
    return ("एे" if "e" in plain else "") + ("ओो" if "o" in plain else "")


def _vowel_forms(wanted: str, deva: str) -> tuple[str, ...]:
    """:func:`vowel_variants` of ``deva`` for the vowels ``wanted`` (from :func:`_vowels_wanted`)."""
    spots = [i for i, c in enumerate(deva) if c in wanted] if wanted else []
    if not spots:
        return ()
    out = [deva[:i] + _DIPHTHONGS[deva[i]] + deva[i + 1 :] for i in spots]
    if len(spots) > 1:
        out.append("".join(_DIPHTHONGS[c] if c in wanted else c for c in deva))
    return tuple(out)


#: the nasal consonant of each stop's class: Hindi writes a nasal before a stop either as an anusvara
#: or as that nasal with a virama (हिंदी/हिन्दी, संबंध/सम्बन्ध, ठंडा/ठण्डा)
_CLASS_NASAL = {
    stop: nasal
    for nasal, stops in (("ङ", "कखगघ"), ("ञ", "चछजझ"), ("ण", "टठडढ"), ("न", "तथदध"), ("म", "पफबभ"))
    for stop in stops
}
_NUKTA_BASES = frozenset("कखगजफ")
_NUKTA = "\u093c"
_ANUSVARA, _CHANDRABINDU = "ं", "ँ"
#: word endings written both ways (गए/गये, लिए/लिये, गई/गयी)
_Y_ENDINGS = (("ये", "ए"), ("ए", "ये"), ("यी", "ई"), ("ई", "यी"))


def convention_variants(deva: str) -> tuple[str, ...]:
    """The other spellings of ``deva`` under Hindi's competing spelling conventions, one change at a
    time: anusvara for chandrabindu and back (गांव/गाँव), a nukta added or removed (फिल्म/फ़िल्म), an
    anusvara for the class nasal with a virama before a stop and back (हिंदी/हिन्दी), and the endings
    ए/ये and ई/यी (गए/गये, गई/गयी). Sorted, without ``deva`` itself.
    """
    out = set()
    last = len(deva) - 1
    for i, ch in enumerate(deva):
        if ch == _ANUSVARA:
            out.add(deva[:i] + _CHANDRABINDU + deva[i + 1 :])
            nasal = _CLASS_NASAL.get(deva[i + 1]) if i < last else None
            if nasal is not None:
                out.add(deva[:i] + nasal + _VIRAMA + deva[i + 1 :])
        elif ch == _CHANDRABINDU:
            out.add(deva[:i] + _ANUSVARA + deva[i + 1 :])
        elif ch == _VIRAMA:
            if 0 < i < last and _CLASS_NASAL.get(deva[i + 1]) == deva[i - 1]:
                out.add(deva[: i - 1] + _ANUSVARA + deva[i + 1 :])
        elif ch in _NUKTA_BASES:
            if i == last or deva[i + 1] != _NUKTA:
                out.add(deva[: i + 1] + _NUKTA + deva[i + 1 :])
        elif ch == _NUKTA and i > 0 and deva[i - 1] in _NUKTA_BASES:
            out.add(deva[:i] + deva[i + 1 :])
    for old, new in _Y_ENDINGS:
        if deva.endswith(old) and len(deva) > len(old):
            out.add(deva[: -len(old)] + new)
    out.discard(deva)
    return tuple(sorted(out))


def roman_skeleton(roman: str) -> str:
    """A loose key of a romanization: its consonants, with the spelling variation of informal
    romanization folded away (vowels after the first letter, doubled letters, aspiration ``h``,
    w/v, z/j, q/k, ph/f). ``taarif``, ``tarif`` and ``taareef`` all give ``trf``; ``chhote`` and
    ``chote`` give ``ct``.

    Runs compiled (``lipyantar.translit._fastrules``) for ASCII input when it is built.
    """
    if _fast_skeleton is not None and roman.isascii():
        return _fast_skeleton(roman)
    return roman_skeleton_python(roman)


def roman_skeleton_python(roman: str) -> str:
    """The pure-Python :func:`roman_skeleton` (the reference of the compiled one)."""
    r = roman.lower()
    for old, new in _SKELETON_SUBS:
        r = r.replace(old, new)
    r = _REPEAT.sub(r"\1", _ASPIRATE.sub(r"\1", r))
    if not r:
        return ""
    head = "V" if r[0] in "aeiouy" else r[0]
    return head + _VOWELS.sub("", r[1:])


def _rules_piece(piece: str) -> str:
    """Fallback romanization of a Devanagari unit the joint model has never seen."""
    return _rules.romanize_word(piece)


#: the full model file, for :mod:`lipyantar.translit.learned.adaptation` (which reads and writes adaptations of it)
MODEL_FILE_FORMAT = adaptation.ModelFileFormat(
    modelfile.read_header,
    modelfile.read_arrays,
    modelfile.identities,
    modelfile.pack_arrays,
    lambda body: modelfile.unpack_arrays(body, limit=modelfile.inflation_limit(body)),  # adaptation payloads
    DEFAULT_MODEL_NAME,
)


def _is_number(x: object) -> bool:
    return type(x) in (int, float) and math.isfinite(x)  # type: ignore[arg-type]


_CELL: dict[str, Callable[[object], bool]] = {
    "s": lambda x: type(x) is str,
    "n": _is_number,
    "S": lambda x: type(x) is list and all(type(y) is str for y in x),
}


def _rows(tables: dict[str, Any], path: str, kinds: str) -> None:
    """ValueError unless ``tables[path]`` (``a.b`` for nested, absent is fine) is a list of rows whose
    cells are of ``kinds`` (``s`` str, ``n`` finite number, ``S`` list of str), or of plain strings
    for ``kinds == "s*"``."""
    value: Any = tables
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return
        value = value[key]
    if not isinstance(value, list):
        raise ValueError(f"table {path} is not a list")
    if kinds == "s*":
        if not all(type(x) is str for x in value):
            raise ValueError(f"table {path} holds something other than strings")
        return
    if value and not _rows_ok(value, kinds):
        checks = [_CELL[k] for k in kinds]
        for row in value:
            if (
                type(row) is not list
                or len(row) != len(checks)
                or not all(f(x) for f, x in zip(checks, row, strict=True))
            ):
                raise ValueError(f"table {path} has a bad row {str(row)[:60]}")


def _rows_ok(rows: list[Any], kinds: str) -> bool:
    """Whether every row is a list of cells of ``kinds`` (as :func:`_rows` checks it), by columns with
    the loops in C: a model file has ~200k cells, and a row at a time takes half of its load time."""
    if set(map(type, rows)) != {list} or set(map(len, rows)) != {len(kinds)}:
        return False
    for kind, column in zip(kinds, zip(*rows, strict=True), strict=True):
        types = set(map(type, column))
        if kind == "s" and not types <= {str}:
            return False
        if kind == "n" and not (types <= {int, float} and all(map(math.isfinite, column))):
            return False
        if kind == "S" and not (
            types <= {list} and set(map(type, itertools.chain.from_iterable(column))) <= {str}
        ):
            return False
    return True


#: the tables every model file has
_REQUIRED_TABLES = ("joint", "charlm", "romanlm", "wordlm")
#: the tables of rows inside the components' tables, and the components' own tables of rows
_NESTED_ROWS = {
    "joint": (("graphones", "ss"),),
    "english": (("graphones", "ss"),),
    "charlm": (("vocab", "s*"),),
    "romanlm": (("vocab", "s*"),),
    "wordlm": (("vocab", "s*"), ("prior", "sn")),
}
_TOP_ROWS = {"pairs": "ssn", "d2r_table": "ssn", "vocab_index": "sS"}


def _check_table(name: str, value: Any) -> None:
    """ValueError unless the JSON table ``name`` of a model file has the type and shape the loader relies
    on (the automata and decoding parameters are checked where they are read)."""
    if name in _NESTED_ROWS:
        if value is None and name in _REQUIRED_TABLES:
            raise ValueError(f"table {name} is missing")
        order = value.get("order", 1) if isinstance(value, dict) else None
        if type(order) is not int or not 1 <= order <= 16:
            raise ValueError(f"table {name} has a bad order {order!r}")
        for key, kinds in _NESTED_ROWS[name]:
            _rows({name: value}, f"{name}.{key}", kinds)
    elif name == "meta":
        if not isinstance(value, dict):
            raise ValueError("table meta is not an object")
    elif name in _TOP_ROWS:
        _rows({name: value}, name, _TOP_ROWS[name])


def _check_tables(tables: dict[str, Any]) -> None:
    """:func:`_check_table` of every table (the required ones present)."""
    for name in _REQUIRED_TABLES:
        if not isinstance(tables.get(name), dict):
            raise ValueError(f"table {name} is missing")
    for name, value in tables.items():
        _check_table(name, value)
    if "meta" not in tables:
        _check_table("meta", {})


def _decode_params(raw: object) -> DecodeParams:
    """The decoding parameters of a model file, each checked against its field: the type of its default
    (an int for an int, a finite number for a float, a bool for a bool), ints within +-10^6,
    non-negative where the default is, and at least 1 for beams and n-best sizes. Unknown names are
    ignored (files from newer versions)."""
    if not isinstance(raw, dict):
        raise ValueError("params is not a table")
    defaults = DecodeParams()
    values: dict[str, Any] = {}
    for name in DecodeParams.__dataclass_fields__:
        if name not in raw:
            continue
        value, default = raw[name], getattr(defaults, name)
        if isinstance(default, bool):
            ok = type(value) is bool
        elif isinstance(default, int):
            ok = type(value) is int and abs(value) <= 10**6 and (value >= 0 or default < 0)
            if ("beam" in name or "nbest" in name) and value < 1:
                ok = False  # a search keeps at least one hypothesis
        elif isinstance(default, float):
            ok = type(value) in (int, float) and math.isfinite(value) and abs(value) <= 1e6
        else:
            ok = type(value) is type(default)
        if not ok:
            raise ValueError(f"parameter {name} has a bad value {str(value)[:40]}")
        values[name] = value
    return DecodeParams(**values)


def load_model(path: str | os.PathLike[str]) -> LearnedModel:
    """Load a model file (see :meth:`LearnedModel.load`)."""
    return LearnedModel.load(path)


_default: LearnedModel | None = None
_default_lock = threading.Lock()
_vocab_lock = threading.Lock()


def default_model() -> LearnedModel:
    """The shipped default model (package data), loaded on first use and cached."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
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


_vocabularies: dict[str, Vocabulary | None] = {}


def load_vocabulary(source: str) -> Vocabulary | None:
    """A large word list, loaded once per process: ``"default"`` is the shipped one (package data
    beside the default model; None when it is not installed), anything else a ``.vocab`` file path."""
    if source in _vocabularies:
        return _vocabularies[source]
    with _vocab_lock:
        if source not in _vocabularies:
            vocab: Vocabulary | None
            if source == "default":
                ref = (
                    resources.files("lipyantar.translit.learned")
                    / "data"
                    / (DEFAULT_MODEL_NAME.rsplit(".", 1)[0] + VOCAB_SUFFIX)
                )
                if ref.is_file():
                    with resources.as_file(ref) as path:  # memory-mapped in place (a copy if zipped)
                        vocab = Vocabulary.load(path)
                else:
                    logger.warning("the vocabulary of the default model is not installed")
                    vocab = None
            else:
                vocab = Vocabulary.load(source)
            _vocabularies[source] = vocab
    return _vocabularies[source]
