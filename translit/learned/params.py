"""The decoding parameters of a learned model (:class:`DecodeParams`): weights, beams, penalties and
switches, grouped by what they tune, each group a frozen dataclass that checks its values.

* :class:`DecodeParams` holds the groups: ``index`` (:class:`GraphoneIndex`), ``search``
  (:class:`Searches`: one :class:`SearchSize` for each of the three roman → Devanagari searches),
  ``r2d`` (:class:`RomanToDeva`), ``english`` (:class:`EnglishWords`), ``acronyms`` (:class:`Acronyms`),
  ``names`` (:class:`Names`), ``sentence`` (:class:`SentenceDecoding`), ``casual`` (:class:`CasualTyping`),
  ``d2r`` (:class:`DevaToRoman`) and ``calibration`` (:class:`Calibrations`).
* The model file stores them flat, under the names of :data:`FLAT_NAMES` (the names of the flat
  ``DecodeParams`` before the groups; a new field gets a new flat name there):
  :meth:`DecodeParams.to_flat` writes them, :func:`decode_params` reads them back, checked, from any
  model file (a name missing from an older file takes its default, or the value of the name that
  stood for it, :data:`_FLAT_FALLBACK`; unknown names, from newer versions, are ignored).
* The compiled channel (``lipyantar.translit.learned._fastlm.Channel``) reads the values named in
  :data:`CHANNEL_PARAMS` and :data:`SIZE_FIELDS`, as built by :meth:`DecodeParams.channel_params`
  and :meth:`DecodeParams.channel_sizes` (it checks that it gets exactly these names;
  ``tests/test_params.py`` checks them against ``_fastlm.c``).
* ``scripts/params_table.py`` renders the fields and their ``#:`` comments as the README's table
  (:func:`params_table`).

Checks: a bool field takes a bool, an int field an int (not a bool) within 0..10^6 (at least 1 for
beams and list sizes), a float field a finite number within +-10^6 (an int is stored as a float),
with the narrower ranges each group states; a choice field one of its choices. A bad value raises
ValueError naming the field.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, get_type_hints

__all__ = [
    "CHANNEL_PARAMS",
    "FLAT_NAMES",
    "SEARCH_KINDS",
    "SIZE_FIELDS",
    "Acronyms",
    "Calibration",
    "Calibrations",
    "CasualTyping",
    "DecodeParams",
    "DevaToRoman",
    "EnglishWords",
    "GraphoneIndex",
    "Names",
    "RomanToDeva",
    "SearchSize",
    "Searches",
    "SentenceDecoding",
    "decode_params",
    "field_docs",
    "leaf_paths",
    "params_table",
]

_INT_MAX = 10**6
_FLOAT_MAX = 1e6


def _check(
    obj: Any,
    *,
    at_least_one: tuple[str, ...] = (),
    non_negative: tuple[str, ...] = (),
    positive: tuple[str, ...] = (),
    choices: Mapping[str, tuple[str, ...]] | None = None,
) -> None:
    """Check every field of the dataclass ``obj`` against its type (see the module docstring) and the
    narrower ranges named here; ints given for float fields are stored as floats."""
    hints = _hints(type(obj))
    named = {*at_least_one, *non_negative, *positive, *(choices or {})}
    if not named <= hints.keys():  # a misspelled name in a group's __post_init__
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(named - hints.keys()))}")
    for f in fields(obj):
        name, value, kind = f.name, getattr(obj, f.name), hints[f.name]
        where = f"{type(obj).__name__}.{name}"
        if kind is bool:
            if type(value) is not bool:
                raise ValueError(f"{where} must be true or false, not {_show(value)}")
        elif kind is int:
            if type(value) is not int:
                raise ValueError(f"{where} must be a whole number, not {_show(value)}")
            low = 1 if name in at_least_one else 0
            if not low <= value <= _INT_MAX:
                raise ValueError(f"{where} must be within {low}..{_INT_MAX}, not {value}")
        elif kind is float:
            if type(value) not in (int, float) or not math.isfinite(value) or abs(value) > _FLOAT_MAX:
                raise ValueError(
                    f"{where} must be a finite number within +-{_FLOAT_MAX:g}, not {_show(value)}"
                )
            if name in non_negative and value < 0:
                raise ValueError(f"{where} must be >= 0, not {value}")
            if name in positive and value <= 0:
                raise ValueError(f"{where} must be > 0, not {value}")
            if type(value) is int:
                object.__setattr__(obj, name, float(value))
        elif kind is str:
            allowed = (choices or {}).get(name, ())
            if type(value) is not str or value not in allowed:
                raise ValueError(
                    f"{where} must be one of {', '.join(map(repr, allowed))}, not {_show(value)}"
                )
        elif not isinstance(value, kind):
            raise ValueError(f"{where} must be a {kind.__name__}, not {_show(value)}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a dataclass (memoized)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = _named_hints(cls)
    return hints


def _named_hints(cls: type) -> dict[str, Any]:
    """``get_type_hints(cls)`` of a class of this module whose annotations are all names (``int``, a
    group's class): each looked up in the module or the builtins instead of evaluated; other classes
    through get_type_hints."""
    namespace = globals()
    hints: dict[str, Any] = {}
    if cls.__mro__ != (cls, _Group, object) or cls.__module__ != __name__:
        return get_type_hints(cls)
    for name, annotation in inspect.get_annotations(cls).items():
        value = namespace.get(annotation, getattr(builtins, annotation, None)) if isinstance(annotation, str) else None
        if value is None or not isinstance(value, type) or not annotation.isidentifier():
            return get_type_hints(cls)
        hints[name] = value
    return hints


class _Group:
    """What every group of parameters shares: equality, hash and repr exactly as a frozen dataclass's
    (``@dataclass(repr=False, eq=False)`` on each group): written once here instead of generated and
    compiled for each of the 13 classes when the module is imported (half of its import time, which
    every command that loads a model pays)."""

    __slots__ = ()

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._compared() == other._compared()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(
            tuple(getattr(self, f.name) for f in fields(self) if (f.compare if f.hash is None else f.hash))  # type: ignore[arg-type]
        )

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"


def _is_group(value: object) -> bool:
    """Whether ``value`` is a group of parameters (a dataclass instance or class)."""
    return is_dataclass(value)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class GraphoneIndex(_Group):
    """Which graphones the joint-model searches try (both directions)."""

    #: graphones searched: seen at least this often in training ...
    min_count: float = 3.0
    #: ... and at most this many per input chunk (its most frequent one is always kept)
    max_per_chunk: int = 20

    def __post_init__(self) -> None:
        _check(self, non_negative=("min_count",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class SearchSize(_Group):
    """How much work roman → Devanagari spends on one word in one of its searches (see
    :class:`Searches`)."""

    #: beam of the joint-model search (hypotheses per input position)
    beam: int
    #: candidates taken from that search
    nbest: int
    #: ... and only hypotheses within this log-probability of the best at their position
    threshold: float
    #: candidates (after a first ranking without the marginal) that are fully scored and kept
    marg_top: int
    #: candidates also taken from the native vocabulary: the most frequent words whose romanizations
    #: share the input's consonant skeleton (0: off) ...
    vocab_cands: int
    #: ... of them at most this many from the large word list (:mod:`lipyantar.translit.learned.vocab`),
    #: after the model's own vocabulary index words (0: the model's own index only; faster)
    vocab_big: int
    #: English words: this many Devanagari spellings per pronunciation are added as candidates (0: off)
    english_k: int
    #: acronyms: a Latin word of at most this many letters (and not attested as a Hindi romanization)
    #: also gets its letter-by-letter reading as a candidate (ngo → एनजीओ; 0: off)
    acronym_max: int

    def __post_init__(self) -> None:
        _check(self, at_least_one=("beam", "nbest"), non_negative=("threshold",))


#: the names of the roman → Devanagari searches (the fields of :class:`Searches`)
SEARCH_KINDS = ("topk", "top1", "context")


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Searches(_Group):
    """The three roman → Devanagari searches, each with its own size: the top-k candidates
    (``devanagarize_topk`` with k > 1) get the widest, the single best answer (``devanagarize``) a
    narrower one of about the same top-1 accuracy, and each word of a sentence a small one whose few
    candidates the word n-gram model then chooses among."""

    #: the top-k search (``devanagarize_topk`` with k > 1)
    topk: SearchSize = SearchSize(
        beam=48,
        nbest=48,
        threshold=12.0,
        marg_top=16,
        vocab_cands=30,
        vocab_big=10,
        english_k=10,
        acronym_max=6,
    )
    #: the single-best search (``devanagarize``): a narrower search is enough for one answer
    top1: SearchSize = SearchSize(
        beam=16,
        nbest=16,
        threshold=9.0,
        marg_top=10,
        vocab_cands=20,
        vocab_big=10,
        english_k=10,
        acronym_max=6,
    )
    #: the per-word search of sentence decoding (its acronyms off: in running text the letter reading
    #: is rarely right)
    context: SearchSize = SearchSize(
        beam=12, nbest=12, threshold=7.0, marg_top=5, vocab_cands=5, vocab_big=5, english_k=5, acronym_max=0
    )

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class RomanToDeva(_Group):
    """How roman → Devanagari scores the candidates of one word (see :mod:`lipyantar.translit.learned.model`)."""

    #: weight of the Devanagari character LM
    w_char: float = 1.2
    #: weight of the joint model's own Devanagari marginal, subtracted (noisy channel P(r|d))
    w_marg: float = 0.5
    #: beam of the search that approximates that marginal
    marg_beam: int = 3
    #: weight of the word prior (unigram, single words)
    w_word: float = 0.25
    #: log prior of a word that was never seen
    oov_logprob: float = -24.0
    #: bonus weight of log(1 + count) for attested (roman, deva) pairs
    w_mem: float = 0.5
    #: an attested spelling scores at least the best candidate's joint score minus this gap, plus the
    #: log of its share of the input's attested spellings (so that a pair the joint model cannot spell,
    #: such as ``delhi`` → दिल्ली, still competes); negative: off (such a spelling scores as the worst
    #: candidate)
    attested_gap: float = 4.0
    #: single words: the input's attested spellings among the candidates take their scores again in the
    #: order of their counts in the memory (``delhi`` दिल्ली, attested 10 times, ahead of डेल्ही, 3:
    #: :func:`~lipyantar.translit.learned.names.attested_first`); false: as the channel scores them
    attested_order: bool = True
    #: bonus when roman-rules romanizes the candidate back to the input ...
    w_rules_eq: float = 1.0
    #: ... and penalty per edit between that romanization and the input
    w_rules_dist: float = 1.5
    #: apply the two roman-rules features to every candidate (true) or only to the ``marg_top`` best
    #: after the first ranking (false: much faster)
    stage1_rules: bool = False
    #: ... (when false) at most this many of them
    rules_top: int = 16
    #: beam of the searches forced to spell a given candidate (vocabulary words, attested spellings)
    forced_beam: int = 16
    #: penalty of a candidate that ends in a virama: Hindi words almost never do, and an ending such as
    #: ``र्`` is the joint model's error, not a spelling
    final_virama: float = 3.0
    #: bonus of a candidate that the model's large word list (:mod:`lipyantar.translit.learned.vocab`)
    #: knows (0: off)
    w_vocab: float = 10.0
    #: single words: weight of a candidate's Zipf frequency in wordfreq's Hindi list (0 when it is not
    #: listed; :mod:`lipyantar.translit.learned.frequency`), which says which of two spellings is the usual
    #: one apart from the word prior's other sources (0: off, the table is not read)
    w_freq: float = 0.5
    #: single words: penalty per long vowel typed doubled (``aa``, ``ee``/``ii``, ``oo``/``uu``) that a
    #: candidate spells short, beyond the long vowels it has (``afjaal`` अफजल for अफजाल; 0: off;
    #: :func:`~lipyantar.translit.learned.variants.missing_long_vowels`); not ``oo`` in a word with an
    #: English pronunciation (``look`` लुक)
    long_vowel_penalty: float = 8.0

    def __post_init__(self) -> None:
        _check(self, at_least_one=("marg_beam", "forced_beam"), non_negative=("long_vowel_penalty",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class EnglishWords(_Group):
    """English words typed in Latin script (with a pronunciation in the model, see
    :mod:`lipyantar.translit.learned.english`, and not attested as the romanization of a Hindi word)."""

    #: beam of the search for the Devanagari spellings of a pronunciation
    beam: int = 16
    #: bonus of a candidate that the English pronunciation model proposes ...
    w_english: float = 3.0
    #: ... and penalty of one that no pronunciation of the input can spell ...
    miss: float = 1.5
    #: ... (a search forced to spell it, with this beam)
    forced_beam: int = 16
    #: an English proposal that no graphone path of the input spells is scored as the worst candidate
    #: so far plus this offset
    unspellable: float = 0.0
    #: ``--english keep``, and Devanagari → roman of attested words: a word is a common native word (not
    #: English) when its log unigram prior is above this (see ``LearnedModel.is_english``)
    keep_logprior: float = -8.0
    #: a single word's rule spellings of its English pronunciations (``musk`` मस्क, ``weeks`` वीक्स;
    #: :func:`~lipyantar.translit.learned.english.spell_pronunciation`) compete, this below its best
    #: candidate, unless the memory attests the word (negative: off) ...
    spelling_penalty: float = 8.0
    #: ... plus this times how much more English than Hindi the word is (log ratio of the word-language
    #: tables, :func:`~lipyantar.translit.learned.names.english_margin`)
    spelling_margin: float = 1.0
    #: ... and in sentences, this below the word's best candidate (negative: off)
    context_spelling_penalty: float = 10.0
    #: an English inflection (``messages`` message + -es, ``days`` day + -s, ``booked`` book + -ed,
    #: :func:`~lipyantar.translit.learned.names.inflected_spellings`) is spelled as its stem's best
    #: spelling with the ending Hindi writes (मैसेज + ेस, डे + ज़, बुक + ्ड) and competes this below the
    #: word's best candidate plus ``spelling_margin`` times its English/Hindi margin, in single words and
    #: sentences (negative: off)
    inflection_penalty: float = 4.0
    #: the English path of single words: a word with an English pronunciation that the per-token decision
    #: (:mod:`~lipyantar.translit.learned.codemix`, the word alone) reads as English or a name gets this
    #: times how well each candidate spells one of its pronunciations (1 for a rule spelling, loosely; the
    #: English model's proposals by their probability relative to its best: ``rate`` रेट, not the Hindi
    #: राते; ``LearnedModel._by_sound``); 0: off. Chosen on the held-out slice (top-1 71.14 -> 71.21%,
    #: its English-pronounceable words 55.58 -> 56.29%; 3 and more lose)
    w_path: float = 2.0
    #: ... the probability from which the decision reads a word alone as English or a name for that
    #: path (negative: the decision's own threshold, chosen for keeping words in Latin; 0.5: more likely
    #: English than not, as ``sentence.english_gate``: the path adds its spellings, the scores decide).
    #: Held-out slice top-1 71.99% at the threshold (0.80), 71.97% at 0.5, 0.6 and 0.7, 71.99% at 0.74:
    #: 1-7 of 4,363 answers change; ``care`` alone (0.75) keeps केयर
    alone_gate: float = 0.5

    def __post_init__(self) -> None:
        _check(self, at_least_one=("beam", "forced_beam"))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Acronyms(_Group):
    """Words read letter by letter (the acronym candidates themselves: ``acronym_max`` of each search)."""

    #: the letter-by-letter reading gets this bonus ...
    w_acronym: float = 1.0
    #: ... plus this times the input's per-letter improbability as a Hindi romanization
    #: (-log P_latin(roman) / (letters + 1))
    w_odd: float = 2.25
    #: a word typed in capitals (``DNA``, ``DRDO``: 2 to ``caps_max`` letters) is read letter by letter
    #: (डीएनए), in sentences and alone, unless the memory knows it only as the romanization of other words
    #: (``AUR`` → और, shouted) or it is an English word whose pronunciation does not spell its letters
    #: (``YOU``, ``PLEASE``). False: capitals are ignored
    caps: bool = True
    #: ... words of at most this many letters
    caps_max: int = 6
    #: in sentences, a capital letter alone (an initial: ``B. S. Kris``) also has its letter name as a
    #: candidate (एस), scored as its best candidate: the context decides between it and the letter's
    #: sound (स)
    initials: bool = True

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Names(_Group):
    """Names as typed (:mod:`lipyantar.translit.learned.names`), single words."""

    #: a word's candidates get this times the conventions of the input they keep minus those they break
    #: (final ``a`` as ा, final ``ee``/``y`` as ी, doubled letters as doubled consonants; 0: off) ...
    w_convention: float = 1.0
    #: ... and the spellings that keep them compete, this below the candidate they come from (negative:
    #: off) ...
    variant_penalty: float = -1.0
    #: ... for the candidates within this of the best
    variant_window: float = 10.0

    def __post_init__(self) -> None:
        _check(self, non_negative=("variant_window",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class SentenceDecoding(_Group):
    """Sentence decoding, roman → Devanagari: each word's candidates chosen jointly with the word n-gram
    model (:mod:`lipyantar.translit.learned.decoder`)."""

    #: weight of the word n-gram model
    w_ctx: float = 1.8
    #: sentence beam (hypotheses per word position)
    beam: int = 8
    #: candidates per word
    nbest: int = 6
    #: which search gives a word's candidates: ``"top1"`` (the single-best search, so that a word the
    #: context does not inform keeps its single-best answer) or ``"context"`` (the smaller one)
    words: str = "context"
    #: a word's candidates: the ``nbest`` best by their score without context (true) or by the channel
    #: score alone (false)
    select_scored: bool = False
    #: a word's attested spellings among its candidates take their scores without context again in the
    #: order of log P(input | spelling) + log P(spelling), as ``r2d.attested_order`` orders them for
    #: single words (off: held-out typed sentences WER 9.61 -> 9.56%, but Dakshina dev 10.18 -> 10.22%)
    attested_order: bool = False
    #: extra log penalty for a word outside the n-gram vocabulary (added to the n-gram's ``<unk>``)
    oov_logprob: float = -9.0
    #: weight of the unigram prior of words outside the n-gram vocabulary
    w_oov_prior: float = 1.0
    #: weight of the unigram prior of every candidate (0: only of those outside the n-gram vocabulary,
    #: ``w_oov_prior``) ...
    w_prior: float = 0.0
    #: ... and this times ``w_ctx`` log P(word) of the n-gram model subtracted: with 1, the n-gram model
    #: adds only the evidence of the context, log P(word | context) / P(word), and how common a word is
    #: comes from the prior (0: the n-gram model's full probability)
    pmi: float = 0.0
    #: bonus of a candidate that the large word list knows (see ``r2d.w_vocab``)
    w_vocab: float = 10.0
    #: a common abbreviation (``Dr`` डॉ, ``km`` किमी: :mod:`lipyantar.translit.learned.abbreviations`) is also
    #: a candidate, scored as the word's best candidate: the context decides
    abbreviations: bool = True
    #: the English path in sentences: a word the per-token decision reads, in context, as English also has
    #: the spellings of its English pronunciations, and each candidate gets this times how well it spells
    #: that sound (as single words get ``english.w_path``); negative: off. On held-out train sentences
    #: (``scripts/tune_heldout.py --numbers --nasal-drop example --nasal-m example``) the WER is 7.32% off,
    #: 7.32% at 0, 7.34% at 1, 7.33% at 2 (with ``--unattested 1`` and the gate and window below: 8.65% off
    #: and at 0): those sentences have no English titles; in Wikipedia's (``The Game``, ``Pigs on the
    #: wing``) the article is द, not the auxiliary थे ...
    english_path: float = 0.0
    #: ... among the words whose probability alone of being English or a name (the per-token decision on
    #: the word by itself) is at least this (negative: the decision's threshold; 0.5: more likely English
    #: than not, which ``the`` is, at 0.806 below the threshold 0.81) ...
    english_gate: float = 0.5
    #: ... each read in context on the words at most this many before and after it (0: the whole
    #: sentence; 2: as far as the decision's neighbour features reach, and at a fifth of the cost on
    #: long sentences)
    english_window: int = 2
    #: confusable pairs told apart by the clause (:mod:`lipyantar.translit.learned.contextpairs`: है/हैं,
    #: यह/ये, …): the sentence is decoded again with this times half a pair's log-odds added to one word
    #: and taken from the other, in each column that holds both; 0: off. Held-out train sentences
    #: (``scripts/tune_heldout.py --nasal-drop example --nasal-m example --unattested 1``): WER 8.81% at 0,
    #: 8.71 at 0.5, 8.68 at 1, 8.65 at 1.5, 2 and 3 (final nasals dropped as in Hinglish-TOP, ``--numbers``:
    #: 9.46 at 0, 9.25 at 2)
    w_pairs: float = 2.0

    def __post_init__(self) -> None:
        _check(
            self,
            at_least_one=("beam", "nbest"),
            non_negative=("w_pairs", "english_window"),
            choices={"words": ("top1", "context")},
        )


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CasualTyping(_Group):
    """Casual typing and misspellings in sentences: more candidates per word that the n-gram model
    knows, each scored below the candidate it comes from, and the context decides. Chosen on held-out
    train sentences (``scripts/tune_heldout.py``, ``--nasal-drop`` for the nasals)."""

    #: weight of the casual-typing noise model's log P(typed | canonical)
    #: (:mod:`lipyantar.translit.learned.noise`, estimated from the train lexicon): the spellings a typed
    #: word may be a casual form of (a final nasal left out or typed ``m``, a nasal left out inside a word,
    #: e/o for ai/au; :meth:`NoiseModel.variants`) compete, scored as their source candidate plus this
    #: times the log-probability of the edits. It replaces ``nasal_penalty`` and ``vowel_penalty``
    #: (negative: off, and those fixed penalties apply)
    noise_weight: float = 1.5
    #: the weight of the final-nasal edits (a final nasal left out or typed ``m``: ``hai`` for हैं, ``me``
    #: for में) instead of ``noise_weight``: running text drops them far more often than the train
    #: lexicon's words typed one by one, from which the noise model is estimated (chosen on held-out
    #: sentences typed with the nasal drop rate of real queries, ``tune_heldout.py --nasal-drop
    #: hinglish-top``; negative: ``noise_weight``)
    nasal_weight: float = 0.25
    #: with the noise model off: a final nasal left out (``me`` for में, ``hai`` for हैं) or written ``m``
    #: (``mem`` for में): each candidate's nasalized forms (:func:`nasal_variants`) compete, this below it
    #: (negative: off)
    nasal_penalty: float = 5.0
    #: with the noise model off: the diphthongs ai and au written e and o (``or`` for और, ``kese`` for
    #: कैसे): forms with ै/ऐ for े/ए and ौ/औ for ो/ओ (:func:`vowel_variants`) compete, this below
    #: (negative: off)
    vowel_penalty: float = 5.0
    #: words with two accepted spellings (गांव/गाँव, हिंदी/हिन्दी, गए/गये): the other spellings
    #: (:func:`convention_variants`) compete, this below (negative: off) ...
    convention_penalty: float = 7.0
    #: ... of the candidates within this of the best
    convention_window: float = 10.0
    #: ... and for a candidate outside the n-gram vocabulary, also its other spellings in the large word
    #: list (true), or only those the n-gram model knows (false)
    convention_listed: bool = True
    #: misspelled words (``varsa`` for वर्ष): up to this many words of the n-gram model that share the
    #: input's consonant skeleton (:func:`roman_skeleton`) also compete (0: off) ...
    skeleton_cands: int = 10
    #: ... scored as the word's best candidate minus this penalty ...
    skeleton_penalty: float = 11.0
    #: ... minus this per edit between the input and the word's romanization ...
    skeleton_dist: float = 6.0
    #: ... and only words within this many edits of the input
    skeleton_max_dist: int = 2
    #: ... for every word (true), or only where the best candidate is outside the n-gram vocabulary
    #: (false: as accurate on held-out sentences, and faster)
    skeleton_always: bool = False

    def __post_init__(self) -> None:
        _check(self, non_negative=("convention_window",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class DevaToRoman(_Group):
    """How Devanagari → roman ranks the joint model's romanizations of a word that the memory does not
    attest."""

    #: beam (and romanizations kept)
    beam: int = 10
    #: weight of the Latin character LM
    w_roman: float = 0.2
    #: per-letter bonus of a romanization (negative: prefer shorter)
    len_bonus: float = 0.0
    #: bonus of the romanization that the rule-based romanizer (roman-rules) also produces (two experts
    #: that make different mistakes)
    w_rules: float = 4.0
    #: an English loanword (:mod:`lipyantar.translit.learned.loanwords`) is romanized by the English word
    #: whose sound it spells when that word's log frequency share is at least this ...
    loan_logfreq: float = -13.0
    #: ... the word's log unigram prior is at most this (not a common Hindi word) ...
    loan_logprior: float = -8.0
    #: ... and the joint model's best romanization scores at most this
    loan_score: float = -15.0
    #: when no English word spells the word exactly, those of a loosely equal spelling count (true) or not
    #: (false)
    loan_loose: bool = True
    #: a word the English reading would take, with another spelling under Hindi's competing conventions
    #: that the memory attests, takes that spelling's reading (पाँच paanch as पांच, कम्पनी company as
    #: कंपनी), and with one whose log prior is above ``loan_logprior`` its native reading (true); or the
    #: other spellings are not asked (false)
    loan_variants: bool = True
    #: English spellings of loanwords on or off
    loanwords: bool = True

    def __post_init__(self) -> None:
        _check(self, at_least_one=("beam",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Calibration(_Group):
    """How the scores of a word's candidates become probabilities
    (:func:`lipyantar.translit.candidate.calibrated_probs`)."""

    #: a candidate's probability is its share of the k-best mass of exp(score / temperature) ...
    temperature: float
    #: ... with this weight, relative to the best candidate's, kept for an answer outside the k best
    reserve: float

    def __post_init__(self) -> None:
        _check(self, positive=("temperature",), non_negative=("reserve",))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Calibrations(_Group):
    """The calibration of each direction, fitted on a held-out slice of the training lexicon by
    ``scripts/bench_calibration.py``."""

    #: roman → Devanagari
    r2d: Calibration = Calibration(temperature=3.116, reserve=0.1024)
    #: Devanagari → roman
    d2r: Calibration = Calibration(temperature=2.927, reserve=0.0)

    def __post_init__(self) -> None:
        _check(self)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class DecodeParams(_Group):
    """Decoding weights and search sizes, stored in the model (chosen on a held-out slice of the train
    data, ``scripts/tune_heldout.py``, or on the Dakshina dev split for the older ones)."""

    #: the graphones searched
    index: GraphoneIndex = GraphoneIndex()
    #: the sizes of the roman → Devanagari searches
    search: Searches = Searches()
    #: roman → Devanagari: the scores of one word's candidates
    r2d: RomanToDeva = RomanToDeva()
    #: English words in Latin script
    english: EnglishWords = EnglishWords()
    #: words read letter by letter
    acronyms: Acronyms = Acronyms()
    #: names as typed
    names: Names = Names()
    #: roman → Devanagari in context
    sentence: SentenceDecoding = SentenceDecoding()
    #: casual typing and misspellings in sentences
    casual: CasualTyping = CasualTyping()
    #: Devanagari → roman
    d2r: DevaToRoman = DevaToRoman()
    #: the candidates' probabilities
    calibration: Calibrations = Calibrations()

    def __post_init__(self) -> None:
        _check(self)

    def search_size(self, kind: str) -> SearchSize:
        """The size of the roman → Devanagari search ``kind``: ``"topk"``, ``"top1"`` or ``"context"``."""
        if kind not in SEARCH_KINDS:
            raise ValueError(f"unknown search {kind!r} (valid: {', '.join(SEARCH_KINDS)})")
        size: SearchSize = getattr(self.search, kind)
        return size

    def get(self, path: str) -> Any:
        """The value at a dotted ``path`` (``"sentence.beam"``, ``"search.top1.beam"``)."""
        value: Any = self
        for part in path.split("."):
            if not _is_group(value) or part not in _field_names(type(value)):
                raise ValueError(f"unknown parameter {path!r}")
            value = getattr(value, part)
        return value

    def updated(self, changes: Mapping[str, Any]) -> DecodeParams:
        """A copy with the values at dotted paths changed (``{"sentence.beam": 4}``), checked."""
        out = self
        for path, value in changes.items():
            out = _set(out, path.split("."), value, path)
        return out

    def to_flat(self) -> dict[str, Any]:
        """The values under their flat names (:data:`FLAT_NAMES`), as the model file stores them."""
        return {flat: self.get(path) for flat, path in FLAT_NAMES.items()}

    def channel_params(self) -> dict[str, float | int | bool]:
        """What the compiled channel reads (:data:`CHANNEL_PARAMS`), under its names there."""
        return {name: self.get(path) for name, path in CHANNEL_PARAMS.items()}

    def channel_sizes(self) -> dict[str, dict[str, float | int]]:
        """Each search's size as the compiled channel reads it (:data:`SIZE_FIELDS`)."""
        return {
            kind: {name: getattr(self.search_size(kind), name) for name in SIZE_FIELDS}
            for kind in SEARCH_KINDS
        }


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def _set(obj: Any, parts: list[str], value: Any, path: str) -> Any:
    if not _is_group(obj) or parts[0] not in _field_names(type(obj)):
        raise ValueError(f"unknown parameter {path!r}")
    if len(parts) == 1:
        if _is_group(getattr(obj, parts[0])):
            raise ValueError(f"{path!r} is a group of parameters, not one")
        return replace(obj, **{parts[0]: value})
    return replace(obj, **{parts[0]: _set(getattr(obj, parts[0]), parts[1:], value, path)})


def leaf_paths(cls: type = DecodeParams, prefix: str = "") -> Iterator[str]:
    """The dotted paths of every parameter (not of the groups), in declaration order."""
    hints = _hints(cls)
    for f in fields(cls):
        kind = hints[f.name]
        if _is_group(kind):
            yield from leaf_paths(kind, f"{prefix}{f.name}.")
        else:
            yield prefix + f.name


#: the flat names the model file stores the parameters under -> their dotted paths in DecodeParams
#: (the names of the flat DecodeParams before its groups; a new parameter gets a new flat name here)
FLAT_NAMES: Mapping[str, str] = {
    "index_min_count": "index.min_count",
    "index_max": "index.max_per_chunk",
    "beam": "search.topk.beam",
    "nbest": "search.topk.nbest",
    "search_threshold": "search.topk.threshold",
    "marg_top": "search.topk.marg_top",
    "vocab_cands": "search.topk.vocab_cands",
    "vocab_big": "search.topk.vocab_big",
    "english_k": "search.topk.english_k",
    "acronym_max": "search.topk.acronym_max",
    "top1_beam": "search.top1.beam",
    "top1_nbest": "search.top1.nbest",
    "top1_threshold": "search.top1.threshold",
    "top1_marg_top": "search.top1.marg_top",
    "top1_vocab_cands": "search.top1.vocab_cands",
    "top1_vocab_big": "search.top1.vocab_big",
    "top1_english_k": "search.top1.english_k",
    "top1_acronym_max": "search.top1.acronym_max",
    "ctx_search_beam": "search.context.beam",
    "ctx_search_nbest": "search.context.nbest",
    "ctx_threshold": "search.context.threshold",
    "ctx_marg_top": "search.context.marg_top",
    "ctx_vocab_cands": "search.context.vocab_cands",
    "ctx_vocab_big": "search.context.vocab_big",
    "ctx_english_k": "search.context.english_k",
    "ctx_acronym_max": "search.context.acronym_max",
    "w_char": "r2d.w_char",
    "w_marg": "r2d.w_marg",
    "marg_beam": "r2d.marg_beam",
    "w_word": "r2d.w_word",
    "oov_logprob": "r2d.oov_logprob",
    "w_mem": "r2d.w_mem",
    "attested_gap": "r2d.attested_gap",
    "attested_order": "r2d.attested_order",
    "w_rules_eq": "r2d.w_rules_eq",
    "w_rules_dist": "r2d.w_rules_dist",
    "stage1_rules": "r2d.stage1_rules",
    "rules_top": "r2d.rules_top",
    "forced_beam": "r2d.forced_beam",
    "final_virama": "r2d.final_virama",
    "w_vocab": "r2d.w_vocab",
    "w_freq": "r2d.w_freq",
    "long_vowel_penalty": "r2d.long_vowel_penalty",
    "english_beam": "english.beam",
    "w_english": "english.w_english",
    "english_miss": "english.miss",
    "english_forced_beam": "english.forced_beam",
    "english_unspellable": "english.unspellable",
    "english_keep_logprior": "english.keep_logprior",
    "english_spelling_penalty": "english.spelling_penalty",
    "english_spelling_margin": "english.spelling_margin",
    "ctx_english_spelling_penalty": "english.context_spelling_penalty",
    "english_inflection_penalty": "english.inflection_penalty",
    "english_w_path": "english.w_path",
    "english_alone_gate": "english.alone_gate",
    "w_acronym": "acronyms.w_acronym",
    "w_acronym_odd": "acronyms.w_odd",
    "caps_acronyms": "acronyms.caps",
    "caps_acronym_max": "acronyms.caps_max",
    "w_name_convention": "names.w_convention",
    "name_variant_penalty": "names.variant_penalty",
    "name_variant_window": "names.variant_window",
    "w_ctx": "sentence.w_ctx",
    "ctx_beam": "sentence.beam",
    "ctx_nbest": "sentence.nbest",
    "ctx_words": "sentence.words",
    "ctx_select_scored": "sentence.select_scored",
    "ctx_attested_order": "sentence.attested_order",
    "ctx_oov_logprob": "sentence.oov_logprob",
    "w_ctx_prior": "sentence.w_oov_prior",
    "ctx_prior": "sentence.w_prior",
    "ctx_pmi": "sentence.pmi",
    "ctx_w_vocab": "sentence.w_vocab",
    "ctx_noise_weight": "casual.noise_weight",
    "ctx_nasal_weight": "casual.nasal_weight",
    "ctx_nasal_penalty": "casual.nasal_penalty",
    "ctx_vowel_penalty": "casual.vowel_penalty",
    "ctx_convention_penalty": "casual.convention_penalty",
    "ctx_convention_window": "casual.convention_window",
    "ctx_convention_listed": "casual.convention_listed",
    "ctx_initials": "acronyms.initials",
    "ctx_abbreviations": "sentence.abbreviations",
    "ctx_english_path": "sentence.english_path",
    "ctx_english_gate": "sentence.english_gate",
    "ctx_english_window": "sentence.english_window",
    "ctx_w_pairs": "sentence.w_pairs",
    "ctx_skeleton_cands": "casual.skeleton_cands",
    "ctx_skeleton_penalty": "casual.skeleton_penalty",
    "ctx_skeleton_dist": "casual.skeleton_dist",
    "ctx_skeleton_max_dist": "casual.skeleton_max_dist",
    "ctx_skeleton_always": "casual.skeleton_always",
    "beam_d2r": "d2r.beam",
    "w_roman": "d2r.w_roman",
    "len_bonus": "d2r.len_bonus",
    "w_rules": "d2r.w_rules",
    "loan_logfreq": "d2r.loan_logfreq",
    "loan_logprior": "d2r.loan_logprior",
    "loan_score": "d2r.loan_score",
    "loan_loose": "d2r.loan_loose",
    "loan_variants": "d2r.loan_variants",
    "loanwords": "d2r.loanwords",
    "temperature_r2d": "calibration.r2d.temperature",
    "reserve_r2d": "calibration.r2d.reserve",
    "temperature_d2r": "calibration.d2r.temperature",
    "reserve_d2r": "calibration.d2r.reserve",
}

#: parameters that were one value in the flat DecodeParams and are several now: a file without the
#: flat name of the first takes the value stored under the second (the single-best and sentence
#: searches kept as many candidates as their beam, the single-best search and the capitals rule used
#: the top-k search's ``acronym_max``)
_FLAT_FALLBACK: Mapping[str, str] = {
    "top1_nbest": "top1_beam",
    "ctx_search_nbest": "ctx_search_beam",
    "top1_acronym_max": "acronym_max",
    "caps_acronym_max": "acronym_max",
}

#: what the compiled channel (``_fastlm.Channel``, argument ``params``) reads: its name there -> the
#: parameter's dotted path. The one declaration of those names: the channel gets exactly this dict
#: (:meth:`DecodeParams.channel_params`) and checks that it holds no other name.
CHANNEL_PARAMS: Mapping[str, str] = {
    "w_char": "r2d.w_char",
    "w_word": "r2d.w_word",
    "w_mem": "r2d.w_mem",
    "oov_logprob": "r2d.oov_logprob",
    "w_rules_eq": "r2d.w_rules_eq",
    "w_rules_dist": "r2d.w_rules_dist",
    "w_marg": "r2d.w_marg",
    "w_english": "english.w_english",
    "english_miss": "english.miss",
    "w_acronym": "acronyms.w_acronym",
    "w_acronym_odd": "acronyms.w_odd",
    "english_unspellable": "english.unspellable",
    "final_virama": "r2d.final_virama",
    "attested_gap": "r2d.attested_gap",
    "stage1_rules": "r2d.stage1_rules",
    "rules_top": "r2d.rules_top",
    "marg_beam": "r2d.marg_beam",
    "forced_beam": "r2d.forced_beam",
    "english_beam": "english.beam",
    "english_forced_beam": "english.forced_beam",
}

#: the fields of a :class:`SearchSize` that the compiled channel reads (argument ``sizes``: search
#: name -> {field: value}, :meth:`DecodeParams.channel_sizes`)
SIZE_FIELDS = ("beam", "nbest", "threshold", "marg_top", "vocab_cands", "english_k", "acronym_max")


def decode_params(raw: object) -> DecodeParams:
    """The decoding parameters of a model file's flat table (:data:`FLAT_NAMES`), checked as
    :class:`DecodeParams` checks them. A name the file lacks takes its default (or the value of the name
    that stood for it, :data:`_FLAT_FALLBACK`); unknown names are ignored (files from newer versions).
    Raises ValueError naming the file's parameter when a value is bad."""
    if not isinstance(raw, dict):
        raise ValueError("params is not a table")
    params = DecodeParams()
    for flat, path in FLAT_NAMES.items():
        name = flat if flat in raw else _FLAT_FALLBACK.get(flat)
        if name is None or name not in raw:
            continue
        try:
            params = params.updated({path: raw[name]})
        except ValueError as exc:
            raise ValueError(f"parameter {name} has a bad value {_show(raw[name])} ({exc})") from None
    return params


def field_docs(cls: type) -> dict[str, str]:
    """The ``#:`` comments above each field of the dataclass ``cls``, joined into one line each."""
    source = textwrap.dedent(inspect.getsource(cls))
    lines = source.splitlines()
    docs: dict[str, str] = {}
    body = ast.parse(source).body[0]
    if not isinstance(body, ast.ClassDef):
        raise TypeError(f"{cls!r} is not a class")
    for node in body.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment: list[str] = []
            at = node.lineno - 2
            while at >= 0 and lines[at].strip().startswith("#:"):
                comment.insert(0, lines[at].strip()[2:].strip())
                at -= 1
            docs[node.target.id] = " ".join(comment)
    return docs


def params_table() -> str:
    """The README's table of the decoding parameters (``scripts/params_table.py``): a row for each group
    (its ``#:`` comment in :class:`DecodeParams`), then one for each of its parameters: its name, the
    flat name the model file stores it under, its default and its ``#:`` comment. The fields of a group
    class met before (the second and third :class:`SearchSize`) refer to the first."""
    flat_of = {path: flat for flat, path in FLAT_NAMES.items()}
    defaults = DecodeParams()
    rows = ["| group | name | stored as | default | meaning |", "|---|---|---|---|---|"]
    first: dict[type, str] = {}  # a group class -> the path of its first group

    def group(cls: type, path: str, doc: str) -> None:
        rows.append(f"| **{path}** | | | | {_markdown(doc)} |")
        docs, hints, seen = field_docs(cls), _hints(cls), first.get(cls)
        first.setdefault(cls, path)
        for f in fields(cls):
            if _is_group(hints[f.name]):
                group(hints[f.name], f"{path}.{f.name}", docs[f.name])
                continue
            value = defaults.get(f"{path}.{f.name}")
            shown = "true" if value is True else "false" if value is False else repr(value)
            meaning = f"as `{seen}.{f.name}`" if seen else _markdown(docs[f.name])
            rows.append(f"| | `{f.name}` | `{flat_of[f'{path}.{f.name}']}` | `{shown}` | {meaning} |")

    hints, docs = _hints(DecodeParams), field_docs(DecodeParams)
    for f in fields(DecodeParams):
        group(hints[f.name], f.name, docs[f.name])
    return "\n".join(rows) + "\n"


_ROLE = r":(?:mod|func|class|meth|data):`~?([\w.]+)`"  # compiled by re on first use (docs only)


def _markdown(text: str) -> str:
    """A ``#:`` comment as a Markdown table cell: reStructuredText literals and roles as code."""
    text = re.sub(_ROLE, lambda m: f"`{m.group(1)}`", text.replace("``", "`"))
    return text.replace("|", "\\|")
