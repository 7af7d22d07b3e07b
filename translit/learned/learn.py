"""Training pipeline of the learned romanization model: pairs (and native text) → LearnedModel.

1. Normalize the pairs (Devanagari: NFC, decomposed nukta; Latin: lower-case letters).
2. EM many-to-many alignment (:mod:`lipyantar.translit.learned.charalign`); the worst-aligned pairs
   (``noise_fraction``, and every pair that cannot be aligned) are dropped as noise.
3. Count graphone n-grams over the Viterbi alignments, weighted by the pairs' counts, and build the
   joint model (:mod:`lipyantar.translit.learned.jointseq`).
4. Devanagari character LM over all native word types; word model from native sentences plus an
   optional extra word-frequency prior (e.g. a frequency list) and the lexicon natives.

Adapting a model to a corpus (:func:`adapt`, :func:`save_adapted`, :func:`save_adaptation`) is
:mod:`lipyantar.translit.learned.adapting`, its alignment EM :mod:`lipyantar.translit.learned.adapt_em`
(both re-exported here). Word pairs from a twin text: :func:`lipyantar.align.pairs_from_twin`.

Training is deterministic: no sampling; every iteration order is sorted or insertion-ordered.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import regex

from lipyantar.translit.errors import InputError
from lipyantar.translit.learned.adapt_em import (
    EM_SHARD_PAIRS,
    EMShard,
    EMShardResult,
    ShardGrid,
    em_compiled,
    em_shard,
)
from lipyantar.translit.learned.adapting import (
    BaseSegment,
    adapt,
    base_segment,
    save_adaptation,
    save_adapted,
)
from lipyantar.translit.learned.charalign import (
    DEVA_WORD_RE,
    Aligner,
    deva_units,
    deva_words,
    is_wellformed,
    normalize_deva,
    prepare_pairs,
)
from lipyantar.translit.learned.english import train_english
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.langmodel import NUMBER, CharLM, WordLM
from lipyantar.translit.learned.lexicon import iter_pairs
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.params import DecodeParams

__all__ = [
    "EM_SHARD_PAIRS",
    "BaseSegment",
    "EMShard",
    "EMShardResult",
    "ShardGrid",
    "adapt",
    "base_segment",
    "deva_words",
    "em_compiled",
    "em_shard",
    "lm_words",
    "read_pairs",
    "save_adaptation",
    "save_adapted",
    "train",
]

logger = logging.getLogger(__name__)


#: the word n-gram model's tokens in native text: Devanagari words and numbers (ASCII or Devanagari digits)
_LM_TOKEN_RE = regex.compile(
    rf"(?P<w>{DEVA_WORD_RE.pattern})|(?P<n>[0-9\u0966-\u096f]+(?:[.,:][0-9\u0966-\u096f]+)*)"
)


def lm_words(text: str) -> list[str]:
    """:func:`deva_words` with each number in its place as :data:`NUMBER` (the word n-gram model's tokens)."""
    return [NUMBER if m.lastgroup == "n" else m.group() for m in _LM_TOKEN_RE.finditer(normalize_deva(text))]


def read_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str, float]]:
    """Read a ``native<TAB>roman[<TAB>count]`` file (Dakshina lexicon layout; ``"-"`` is stdin; a BOM
    and CRLF line ends are tolerated).

    Blank lines and lines starting with ``#`` are skipped; anything else malformed (or invalid UTF-8)
    raises :class:`InputError` with the line number (the reader of user lexicons too:
    :func:`lipyantar.translit.learned.lexicon.iter_pairs`).
    """
    return [pair for _, pair in iter_pairs(path)]


def _align(
    pairs: Sequence[tuple[str, str, float]],
    *,
    iterations: int,
    noise_fraction: float,
    init: dict[tuple[str, str], float] | None = None,
) -> list[tuple[str, str, float, tuple[tuple[str, str], ...]]]:
    aligner = Aligner()
    units = [(deva_units(d), r, c) for d, r, c in pairs]
    if init is None:
        aligner.train(units, iterations=iterations)
    else:
        weight = sum(c for _, _, c in units)
        aligner.train(units, iterations=iterations, init=init, prior_weight=weight)
    aligned = []
    for (d, r, c), (u, _, _) in zip(pairs, units, strict=True):
        a = aligner.align(u, r)
        if a is not None:
            aligned.append((a.score, d, r, c, a.graphones))
    dropped = len(pairs) - len(aligned)
    if noise_fraction > 0 and aligned:
        scores = sorted(a[0] for a in aligned)
        cut = scores[int(len(scores) * noise_fraction)]
        kept = [a for a in aligned if a[0] >= cut]
        dropped += len(aligned) - len(kept)
        aligned = kept
    logger.info("aligned %d pairs, dropped %d as noisy or unalignable", len(aligned), dropped)
    return [(d, r, c, g) for _, d, r, c, g in aligned]


def train(
    pairs: Iterable[tuple[str, str, float]],
    *,
    native_text: Iterable[str] | None = None,
    word_prior: dict[str, float] | None = None,
    seed: int = 0,
    order: int = 5,
    char_order: int = 5,
    roman_order: int = 4,
    word_order: int = 3,
    em_iterations: int = 4,
    noise_fraction: float = 0.01,
    memory_min_count: float = 2.0,
    precompute: int = 0,
    params: DecodeParams | None = None,
    meta: dict[str, object] | None = None,
    pronunciations: Mapping[str, Sequence[str]] | None = None,
    vocab_index: bool = True,
) -> LearnedModel:
    """Learn a model from (Devanagari word, romanization, count) pairs.

    ``lipyantar learn --base none`` trains through this function, so the command and the API give the
    same model from the same pairs.

    Args:
        pairs: training word pairs; counts weight them.
        native_text: lines of native Devanagari text (for the word and character models).
        word_prior: extra word → count table for the unigram prior (e.g. a frequency list).
        seed: recorded in the model; training itself is deterministic.
        order, char_order, roman_order, word_order: n-gram orders of the joint, Devanagari
            character, Latin character and word models.
        em_iterations: EM iterations of the aligner.
        noise_fraction: fraction of worst-aligned pairs dropped as noise (from the models; see
            ``memory_min_count``).
        memory_min_count: a pair that the aligner drops (as noise or unalignable) still enters the
            memory when it is attested at least this many times and its Devanagari is well formed
            (``delhi`` → दिल्ली, ``drdo`` → डीआरडीओ are real spellings that the character aligner cannot
            explain letter by letter); but not the pair of a Latin word with an English pronunciation
            that the memory does not know otherwise (``my`` → माय: the English model spells those, and a
            word in the memory is not read as English).
        precompute: store the best romanization of this many most frequent native words (speed).
        params: decoding parameters stored in the model.
        pronunciations: English word → encoded pronunciations (:func:`lipyantar.translit.learned.english.read_cmudict`);
            with them the model also learns how Hindi writes English words by their sound
            (:mod:`lipyantar.translit.learned.english`) and keeps the table.
        vocab_index: index the vocabulary's words by their romanizations' consonant skeletons
            (:meth:`LearnedModel.build_vocab_index`: Latin input also gets the known words under its
            skeleton as candidates; ``sangathan`` → संगठन). It romanizes every word of the vocabulary;
            a model used only to romanize can do without it.
    """
    prepared = prepare_pairs(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to learn from")
    aligned = _align(prepared, iterations=em_iterations, noise_fraction=noise_fraction)
    ids: dict[tuple[str, str], int] = {("", ""): 0}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c))
    graphone_list = sorted(ids, key=ids.__getitem__)
    joint = JointModel(graphone_list, JointModel.count_ngrams(seqs, order=order), order=order)

    sentences = [lm_words(line) for line in native_text or ()]
    sentences = [s for s in sentences if s]
    extra: defaultdict[str, float] = defaultdict(float)
    for w, c in (word_prior or {}).items():
        nw = normalize_deva(w)
        if DEVA_WORD_RE.fullmatch(nw):
            extra[nw] += c
    for d, _r, c, _g in aligned:
        extra[d] += c
    wordlm = WordLM.train(sentences, order=word_order, extra_prior=dict(extra))
    charlm = CharLM.train(((deva_units(w), 1.0) for w in sorted(wordlm.prior)), order=char_order)
    romanlm = CharLM.train(((tuple(r), c) for _d, r, c, _g in aligned), order=roman_order)
    info = {
        "seed": seed,
        "pairs": len(prepared),
        "pairs_used": len(aligned),
        "sentences": len(sentences),
        "order": order,
        **(meta or {}),
    }
    kept = {(d, r) for d, r, _c, _g in aligned}
    known = {r for _d, r, _c, _g in aligned}
    spoken = pronunciations or {}
    # a word the memory knows is not read as English (he → है): a pair the aligner could not explain
    # must not switch that off for an English word (my → माय; the English model spells it)
    rescued = [
        (d, r, c)
        for d, r, c in prepared
        if (d, r) not in kept
        and c >= memory_min_count
        and is_wellformed(d)
        and (r in known or r not in spoken)
    ]
    memory = [(d, r, c) for d, r, c, _g in aligned] + rescued
    info["memory_rescued"] = len(rescued)
    english = train_english(prepared, pronunciations, order=order) if pronunciations else None
    if english is not None:
        info["english_words"] = len(english.prons)
    model = LearnedModel(
        joint=joint,
        charlm=charlm,
        wordlm=wordlm,
        romanlm=romanlm,
        pairs=memory,
        params=params,
        meta=info,
        english=english,
    )
    if precompute:
        frequent = sorted(wordlm.prior, key=lambda w: (-wordlm.prior[w], w))[:precompute]
        added = model.precompute_romanizations(frequent)
        logger.info("precomputed romanizations of %d frequent words", added)
    if vocab_index:
        keys = model.build_vocab_index()
        logger.info("vocabulary index: %d consonant skeletons", keys)
    return model
