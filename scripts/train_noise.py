#!/usr/bin/env python
"""Estimate the casual-typing noise model (:mod:`lipyantar.translit.learned.noise`) into
``translit/learned/data/casual-noise.json``: how often the romanizations of the Dakshina *train* lexicon
(``scripts/data/dakshina-hi/hi.translit.sampled.train.tsv``, CC BY-SA 4.0; never dev or test) leave out
a final nasal, type it ``m``, or type e/o for ai/au, by context.

``--exclude FILE`` leaves out the rows of a held-out lexicon slice (``train_default_model.py --hold-out``
writes ``STEM.heldout.tsv``), so that a table for choosing parameters on that slice has not seen it.

    python scripts/train_noise.py [--exclude /tmp/ho.heldout.tsv] [-o translit/learned/data/casual-noise.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs  # noqa: E402
from lipyantar.translit.learned.noise import NOISE_PATH, SMOOTHING, estimate_noise  # noqa: E402

TRAIN_LEXICON = ROOT / "scripts" / "data" / "dakshina-hi" / "hi.translit.sampled.train.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lexicon", type=Path, default=TRAIN_LEXICON)
    parser.add_argument("--exclude", type=Path, default=None, help="leave out the rows of this lexicon file")
    parser.add_argument("-o", "--output", type=Path, default=NOISE_PATH)
    parser.add_argument(
        "--smoothing", type=float, default=SMOOTHING, help="pseudo-counts of the pooled rate in each context's"
    )
    args = parser.parse_args(argv)
    rows = read_pairs(args.lexicon)
    source = f"{args.lexicon.name} ({len(rows)} rows)"
    if args.exclude is not None:
        left_out = {(normalize_deva(d), r.lower()) for d, r, _ in read_pairs(args.exclude)}
        rows = [row for row in rows if (normalize_deva(row[0]), row[1].lower()) not in left_out]
        source += f" without {len(left_out)} rows of {args.exclude.name}"
    model = estimate_noise(((normalize_deva(d), r, c) for d, r, c in rows), source=source, smoothing=args.smoothing)
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(model.to_json() + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(json.dumps({"output": str(args.output), **model.training}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
