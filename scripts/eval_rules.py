"""Evaluate the rule-based romanizer ``roman-rules`` on a Dakshina-style lexicon.

Prints match-any accuracy (a native word is correct when the output equals any attested
romanization, case-insensitive; each distinct native word counted once) and mean CER (edit
distance to the closest reference divided by that reference's length).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lipyantar.translit.metrics import edit_distance
from lipyantar.translit.rules import romanize_word

DEFAULT_LEXICON = "/work/shared/data/dakshina-hi/hi.translit.sampled.dev.tsv"


def load_lexicon(path: Path) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[0] and parts[1]:
                refs[parts[0]].add(parts[1].lower())
    return refs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=Path(DEFAULT_LEXICON))
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong words")
    args = parser.parse_args(argv)

    refs = load_lexicon(args.lexicon)
    if not refs:
        parser.error(f"no entries in {args.lexicon}")
    correct = 0
    cer_sum = 0.0
    wrong: list[str] = []
    for native, romans in refs.items():
        hyp = romanize_word(native)
        if hyp in romans:
            correct += 1
            continue
        dist, ref = min((edit_distance(hyp, r), r) for r in romans)
        cer_sum += dist / max(len(ref), 1)
        if len(wrong) < args.errors:
            wrong.append(f"{native}\t{hyp}\t{' '.join(sorted(romans))}")
    n = len(refs)
    print(f"lexicon: {args.lexicon}")
    print(f"words: {n}  match-any accuracy: {correct / n:.4f}  mean CER: {cer_sum / n:.4f}")
    for row in wrong:
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
