"""The decoding parameters of a learned model (:class:`DecodeParams`): weights, beams, penalties and
switches, stored in the model file and checked on load (:func:`decode_params`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["DecodeParams", "SearchSize", "decode_params"]


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

    #: names as typed (:mod:`lipyantar.translit.learned.names`): a single word's candidates get this
    #: times the conventions of the input they keep minus those they break (final ``a`` as ा, final
    #: ``ee``/``y`` as ी, doubled letters as doubled consonants; 0: off) ...
    w_name_convention: float = 1.0
    #: ... and the spellings that keep them compete, this below the candidate they come from (negative:
    #: off) ...
    name_variant_penalty: float = -1.0
    #: ... for the candidates within this of the best
    name_variant_window: float = 10.0
    #: a single word's rule spellings of its English pronunciations (``musk`` मस्क, ``weeks`` वीक्स;
    #: :func:`~lipyantar.translit.learned.english.spell_pronunciation`) compete, this below its best
    #: candidate, unless the memory attests the word (negative: off)
    english_spelling_penalty: float = 8.0
    #: ... plus this times how much more English than Hindi the word is (log ratio of the word-language
    #: tables, :func:`~lipyantar.translit.learned.names.english_margin`)
    english_spelling_margin: float = 1.0
    #: ... and in sentences, this below the word's best candidate (negative: off)
    ctx_english_spelling_penalty: float = 10.0

    # -- issue 27 names/English words (r27-names; appended here for the lead to port) ---------------
    #: an English inflection (``messages`` message + -es, ``days`` day + -s, ``booked`` book + -ed,
    #: :func:`~lipyantar.translit.learned.names.inflected_spellings`) is spelled as its stem's best
    #: spelling with the ending Hindi writes (मैसेज + ेस, डे + ज़, बुक + ्ड) and competes this below the
    #: word's best candidate plus ``english_spelling_margin`` times its English/Hindi margin, in single
    #: words and sentences (negative: off). Chosen on the held-out train slice (``tune_heldout.py --parts
    #: words,sentences --set english_inflection_penalty=-1,0,2,4,6,8``: words top-1 0.7075 off, 0.7112 at 4)
    english_inflection_penalty: float = 4.0

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



def decode_params(raw: object) -> DecodeParams:
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


