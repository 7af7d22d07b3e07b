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
  in romanized Hindi are also spelled by their sound (:mod:`translit.learned.english`).

Dakshina is © Google, CC BY-SA 4.0 (https://github.com/google-research-datasets/dakshina);
wordfreq's data is CC BY-SA 4.0 (Robyn Speer, https://github.com/rspeer/wordfreq). The model file
is a derived work of both and is distributed under CC BY-SA 4.0; CMUdict (© Carnegie Mellon
University) is under a BSD-style licence, ``scripts/data/cmudict/LICENSE``.

Usage: ``python scripts/train_default_model.py [-o translit/learned/data/roman-default.lpm]``
"""

from __future__ import annotations

import argparse
import gzip
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translit.learned.english import read_cmudict  # noqa: E402
from translit.learned.learn import read_pairs, train  # noqa: E402
from translit.learned.model import DecodeParams, LearnedModel  # noqa: E402

DATA = ROOT / "scripts" / "data" / "dakshina-hi"
TRAIN_LEXICON = DATA / "hi.translit.sampled.train.tsv"
NATIVE_TEXT = DATA / "hi.wiki-filt.valid.text.notest.nodev.txt.gz"
CMUDICT = ROOT / "scripts" / "data" / "cmudict" / "cmudict.dict.gz"
OUTPUT = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"

#: Dakshina's dev sentences are a subset of its Wikipedia text; the vendored copy has them removed
#: already (never train on dev). ``--exclude-sentences`` leaves out more, e.g. when NATIVE_TEXT is
#: replaced by another text.

#: wordfreq frequencies are scaled to pseudo-counts on the size of the native text (~350k tokens)
WORDFREQ_SCALE = 350_000.0


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
    parser.add_argument("--precompute", type=int, default=60_000, help="frequent words to pre-romanize")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    start = time.perf_counter()
    pairs = read_pairs(TRAIN_LEXICON)
    excluded: set[str] = set()
    for path in args.exclude_sentences or []:
        with open(path, encoding="utf-8") as fh:
            excluded.update(line.split("\t")[0].strip() for line in fh if line.strip())
    model = train_default(pairs, order=args.order, precompute=args.precompute, exclude_sentences=excluded)
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
    precompute: int = 60_000,
    exclude_sentences: set[str] = frozenset(),  # type: ignore[assignment]
) -> LearnedModel:
    """The default model's recipe on ``pairs`` (the whole training lexicon for the shipped model; a part
    of it for held-out experiments such as ``scripts/bench_calibration.py``)."""
    with gzip.open(NATIVE_TEXT, "rt", encoding="utf-8") as fh:
        native = fh.read().splitlines()
    before = len(native)
    native = [line for line in native if line.strip() not in exclude_sentences]
    logging.info("native text: %d sentences, %d more left out", len(native), before - len(native))
    model = train(
        pairs,
        native_text=native,
        word_prior=wordfreq_prior(),
        seed=0,
        order=order,
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
            ],
            "license": "CC BY-SA 4.0",
            "native_sentences_excluded": 5020 + before - len(native),
        },
    )
    keys = model.build_vocab_index()
    logging.info("vocabulary index: %d consonant skeletons", keys)
    return model


if __name__ == "__main__":
    raise SystemExit(main())
