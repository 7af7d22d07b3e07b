"""Training pipeline of the learned romanization model: pairs (and native text) → LearnedModel.

1. Normalize the pairs (Devanagari: NFC, decomposed nukta; Latin: lower-case letters).
2. EM many-to-many alignment (:mod:`translit.charalign`); the worst-aligned pairs
   (``noise_fraction``, and every pair that cannot be aligned) are dropped as noise.
3. Count graphone n-grams over the Viterbi alignments, weighted by the pairs' counts, and build the
   joint model (:mod:`translit.jointseq`).
4. Devanagari character LM over all native word types; word model from native sentences plus an
   optional extra word-frequency prior (e.g. a frequency list) and the lexicon natives.

:func:`adapt` teaches an existing model a corpus's own conventions from a handful of pairs: they
are aligned with the base model's graphone distribution, their graphone n-grams are added with a
large weight to the base counts, and the pairs enter the memory with a weight that makes them win.
:func:`pairs_from_twin` extracts word pairs from a Devanagari text and its romanized twin.

Training is deterministic: no sampling; every iteration order is sorted or insertion-ordered.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import regex

from translit.charalign import Aligner, deva_units, normalize_deva, normalize_roman
from translit.errors import InputError
from translit.jointseq import JointModel
from translit.langmodel import CharLM, WordLM
from translit.model import DecodeParams, LearnedModel

__all__ = [
    "adapt",
    "deva_words",
    "pairs_from_twin",
    "read_pairs",
    "train",
]

logger = logging.getLogger(__name__)

_DEVA_WORD = regex.compile(r"[\u0900-\u0963\u0971-\u097f]+")
_WORD = regex.compile(r"[\u0900-\u0963\u0971-\u097f]+|[A-Za-z]+")


def deva_words(text: str) -> list[str]:
    """The normalized Devanagari words of a text, in order."""
    return _DEVA_WORD.findall(normalize_deva(text))


def read_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str, float]]:
    """Read a ``native<TAB>roman[<TAB>count]`` file (Dakshina lexicon layout).

    Blank lines and lines starting with ``#`` are skipped; anything else malformed raises
    :class:`InputError` with the line number.
    """
    source = os.fspath(path)
    pairs: list[tuple[str, str, float]] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if len(cols) not in (2, 3) or not cols[0] or not cols[1]:
                    raise InputError("expected native<TAB>roman[<TAB>count]", source=source, line=lineno)
                count = 1.0
                if len(cols) == 3 and cols[2].strip():
                    try:
                        count = float(cols[2])
                    except ValueError:
                        raise InputError(f"bad count {cols[2]!r}", source=source, line=lineno) from None
                    if not math.isfinite(count) or count <= 0:
                        raise InputError(f"bad count {cols[2]!r}", source=source, line=lineno)
                pairs.append((cols[0], cols[1], count))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8: {exc.reason}", source=source) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from exc
    return pairs


def _prepare(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    merged: dict[tuple[str, str], float] = defaultdict(float)
    for deva, roman, count in pairs:
        d = normalize_deva(deva.strip())
        r = normalize_roman(roman)
        if d and r and _DEVA_WORD.fullmatch(d):
            merged[(d, r)] += count
    return [(d, r, c) for (d, r), c in sorted(merged.items())]


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
    order: int = 4,
    char_order: int = 5,
    roman_order: int = 4,
    word_order: int = 3,
    em_iterations: int = 4,
    noise_fraction: float = 0.01,
    precompute: int = 0,
    params: DecodeParams | None = None,
    meta: dict[str, object] | None = None,
) -> LearnedModel:
    """Learn a model from (Devanagari word, romanization, count) pairs.

    Args:
        pairs: training word pairs; counts weight them.
        native_text: lines of native Devanagari text (for the word and character models).
        word_prior: extra word → count table for the unigram prior (e.g. a frequency list).
        seed: recorded in the model; training itself is deterministic.
        order, char_order, roman_order, word_order: n-gram orders of the joint, Devanagari
            character, Latin character and word models.
        em_iterations: EM iterations of the aligner.
        noise_fraction: fraction of worst-aligned pairs dropped as noise.
        precompute: store the best romanization of this many most frequent native words (speed).
        params: decoding parameters stored in the model.
    """
    prepared = _prepare(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to learn from")
    aligned = _align(prepared, iterations=em_iterations, noise_fraction=noise_fraction)
    ids: dict[tuple[str, str], int] = {("", ""): 0}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c))
    graphone_list = sorted(ids, key=ids.__getitem__)
    joint = JointModel(graphone_list, JointModel.count_ngrams(seqs, order=order), order=order)

    sentences = [deva_words(line) for line in native_text or ()]
    sentences = [s for s in sentences if s]
    extra: Counter[str] = Counter()
    for w, c in (word_prior or {}).items():
        nw = normalize_deva(w)
        if _DEVA_WORD.fullmatch(nw):
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
    memory = [(d, r, c) for d, r, c, _g in aligned]
    model = LearnedModel(
        joint=joint, charlm=charlm, wordlm=wordlm, romanlm=romanlm, pairs=memory, params=params, meta=info
    )
    if precompute:
        frequent = sorted(wordlm.prior, key=lambda w: (-wordlm.prior[w], w))[:precompute]
        added = model.precompute_romanizations(frequent)
        logger.info("precomputed romanizations of %d frequent words", added)
    return model


def adapt(
    base: LearnedModel,
    pairs: Iterable[tuple[str, str, float]],
    *,
    ngram_weight: float = 10.0,
    memory_weight: float = 100.0,
    native_text: Iterable[str] | None = None,
) -> LearnedModel:
    """A copy of ``base`` adapted to the conventions of a (small) set of pairs.

    The pairs are aligned with the base model's graphone distribution (two EM iterations starting
    from it); their graphone n-grams are added to the base counts ``ngram_weight`` times, and they
    enter the memory ``memory_weight`` times so that attested spellings win in both directions.
    """
    prepared = _prepare(pairs)
    if not prepared:
        raise InputError("no usable (Devanagari, Latin) word pairs to adapt to")
    joint = base.joint
    unigrams = {g: c for g, c in joint.counts.items() if len(g) == 1 and g[0] != 0}
    total = sum(unigrams.values()) or 1.0
    init = {joint.graphones[g[0]]: c / total for g, c in unigrams.items()}
    aligned = _align(prepared, iterations=2, noise_fraction=0.0, init=init)
    ids = {g: i for i, g in enumerate(joint.graphones)}
    seqs = []
    for _d, _r, c, graphones in aligned:
        seqs.append(([ids.setdefault(g, len(ids)) for g in graphones], c * ngram_weight))
    counts = dict(joint.counts)
    for ng, c in JointModel.count_ngrams(seqs, order=joint.order).items():
        counts[ng] = counts.get(ng, 0.0) + c
    graphone_list = sorted(ids, key=ids.__getitem__)
    new_joint = JointModel(graphone_list, counts, order=joint.order)
    wordlm = base.wordlm
    if native_text is not None:
        sentences = [s for s in (deva_words(line) for line in native_text) if s]
        prior = dict(wordlm.prior)
        for s in sentences:
            for w in s:
                prior[w] = prior.get(w, 0.0) + 1.0
        wordlm = WordLM(wordlm.vocab, None, order=wordlm.order, prior=prior, lm=wordlm.lm)
    memory = [(d, r, c) for d, romans in base.memory.d2r.items() for r, c in romans.items()] + [
        (d, r, c * memory_weight) for d, r, c, _g in aligned
    ]
    meta = dict(base.meta)
    meta["adapted_pairs"] = int(meta.get("adapted_pairs", 0)) + len(aligned)
    return LearnedModel(
        joint=new_joint,
        charlm=base.charlm,
        wordlm=wordlm,
        romanlm=base.romanlm,
        pairs=memory,
        params=base.params,
        meta=meta,
    )


# -- twin texts ----------------------------------------------------------------------------------
def _similarity(a: str, b: str) -> float:
    """1 - normalized Levenshtein distance of two Latin strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def _align_words(
    deva: Sequence[str], roman: Sequence[str], base: LearnedModel, *, min_similarity: float
) -> list[tuple[str, str]]:
    """Monotonic word alignment (edit-distance DP on the base model's romanizations)."""
    keys = [w if w.isascii() else base.romanize(w) for w in deva]
    rom = [normalize_roman(w) for w in roman]
    n, m = len(keys), len(rom)
    gap = -0.3
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0], back[i][0] = score[i - 1][0] + gap, 1
    for j in range(1, m + 1):
        score[0][j], back[0][j] = score[0][j - 1] + gap, 2
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sim = _similarity(keys[i - 1], rom[j - 1])
            options = (
                (score[i - 1][j - 1] + sim - 0.3, 0),
                (score[i - 1][j] + gap, 1),
                (score[i][j - 1] + gap, 2),
            )
            score[i][j], back[i][j] = max(options)
    out = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        if step == 0:
            d, r = deva[i - 1], roman[j - 1]
            if not d.isascii() and r.isascii() and _similarity(keys[i - 1], rom[j - 1]) >= min_similarity:
                out.append((d, r))
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    out.reverse()
    return out


def _split_paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def pairs_from_twin(
    deva_text: str,
    roman_text: str,
    base: LearnedModel,
    *,
    min_similarity: float = 0.3,
    use_align_package: bool = True,
) -> list[tuple[str, str, float]]:
    """Word pairs from a Devanagari text and its romanized twin.

    Uses the ``align`` package (sentences, then words, with ``base`` as the romanizer that makes
    the two scripts comparable) when it is importable; otherwise the texts must be line-aligned
    (one paragraph or sentence per line, same number of lines) and words are aligned by a
    monotonic edit-distance alignment.
    """
    if use_align_package:
        pairs = _pairs_via_align_package(deva_text, roman_text, base)
        if pairs is not None:
            return pairs
    deva_lines = _split_paragraphs(deva_text)
    roman_lines = _split_paragraphs(roman_text)
    if len(deva_lines) != len(roman_lines):
        raise InputError(
            f"twin texts are not line-aligned: {len(deva_lines)} Devanagari lines, "
            f"{len(roman_lines)} romanized lines"
        )
    counts: Counter[tuple[str, str]] = Counter()
    for dl, rl in zip(deva_lines, roman_lines, strict=True):
        dw = _WORD.findall(normalize_deva(dl))
        rw = _WORD.findall(rl)
        for d, r in _align_words(dw, rw, base, min_similarity=min_similarity):
            counts[(d, r.lower())] += 1
    return [(d, r, float(c)) for (d, r), c in counts.items()]


def _pairs_via_align_package(
    deva_text: str, roman_text: str, base: LearnedModel
) -> list[tuple[str, str, float]] | None:
    """Sentence then word alignment with the ``align`` package; None when it is not available."""
    try:
        from align import align_sentences, align_words, split_sentences
    except ImportError:
        return None
    counts: Counter[tuple[str, str]] = Counter()
    deva_sents = split_sentences(deva_text, script="deva")
    roman_sents = split_sentences(roman_text, script="roman")
    for bead in align_sentences(deva_sents, roman_sents, romanize=base.romanize):
        if not bead.deva_text or not bead.roman_text:
            continue
        for link in align_words(bead.deva_text, bead.roman_text, romanize=base.romanize):
            d, r = normalize_deva(link.deva.strip()), link.roman.strip()
            if " " in d or " " in r:
                continue
            d = _DEVA_WORD.search(d)
            r_norm = normalize_roman(r)
            if d and d.group() and r_norm and r.strip(".,;:!?'\"()").isalpha():
                counts[(d.group(), r_norm)] += 1
    return [(d, r, float(c)) for (d, r), c in counts.items()]
