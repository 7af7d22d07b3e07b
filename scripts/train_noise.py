#!/usr/bin/env python
"""Estimate the casual-typing noise model (:mod:`lipyantar.translit.learned.noise`) into
``translit/learned/data/casual-noise.json``: how often the romanizations of the Dakshina *train* lexicon
(``scripts/data/dakshina-hi/hi.translit.sampled.train.tsv``, CC BY-SA 4.0; never dev or test) leave out
a final nasal, type it ``m``, or type e/o for ai/au, by context.

The smoothing (pseudo-counts of the pooled rate in each context's rate) is chosen by cross-validation on
the lexicon itself: the words are split into ``--folds`` folds (by a hash of the word), and the value of
``--smoothing`` (a comma-separated list) whose tables, each estimated without one fold, give that fold's
romanizations the highest likelihood is used for the table of all rows.

``--exclude FILE`` leaves out the rows of a held-out lexicon slice (``train_default_model.py --hold-out``
writes ``STEM.heldout.tsv``), so that a table for choosing parameters on that slice has not seen it.

    python scripts/train_noise.py [--exclude /tmp/ho.heldout.tsv] [-o translit/learned/data/casual-noise.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs  # noqa: E402
from lipyantar.translit.learned.noise import NOISE_PATH, estimate_noise, noise_loglik  # noqa: E402

TRAIN_LEXICON = ROOT / "scripts" / "data" / "dakshina-hi" / "hi.translit.sampled.train.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lexicon", type=Path, default=TRAIN_LEXICON)
    parser.add_argument("--exclude", type=Path, default=None, help="leave out the rows of this lexicon file")
    parser.add_argument("-o", "--output", type=Path, default=NOISE_PATH)
    parser.add_argument(
        "--smoothing",
        default="1,3,10,30,100,300,1000",
        help="pseudo-counts of the pooled rate in each context's rate: the values to choose from by cross-validation",
    )
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    rows = read_pairs(args.lexicon)
    source = f"{args.lexicon.name} ({len(rows)} rows)"
    if args.exclude is not None:
        left_out = {(normalize_deva(d), r.lower()) for d, r, _ in read_pairs(args.exclude)}
        rows = [row for row in rows if (normalize_deva(row[0]), row[1].lower()) not in left_out]
        source += f" without {len(left_out)} rows of {args.exclude.name}"
    rows = [(normalize_deva(d), r, c) for d, r, c in rows]
    fold = [zlib.crc32(d.encode("utf-8")) % args.folds for d, _, _ in rows]
    scores = {}
    for smoothing in (float(v) for v in args.smoothing.split(",")):
        scores[smoothing] = sum(
            noise_loglik(
                estimate_noise([row for row, f in zip(rows, fold, strict=True) if f != k], smoothing=smoothing),
                [row for row, f in zip(rows, fold, strict=True) if f == k],
            )
            for k in range(args.folds)
        )
    best = max(scores, key=lambda v: (scores[v], -v))
    model = estimate_noise(rows, source=source, smoothing=best)
    print(json.dumps({"cross-validated log-likelihood": {str(k): round(v, 1) for k, v in scores.items()}}))
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(model.to_json() + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(json.dumps({"output": str(args.output), **model.training}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
