#!/usr/bin/env python
"""Train the classifiers of confusable word pairs (:mod:`lipyantar.translit.learned.contextpairs`:
है/हैं, यह/ये, …) on the native Hindi Wikipedia text of the Dakshina train side
(``scripts/data/dakshina-hi/hi.wiki-filt.valid.text.notest.nodev.txt.gz``, CC BY-SA; never dev or
test) into ``translit/learned/data/context-pairs.json.gz``.

``--exclude FILE`` leaves out the sentences of a held-out slice (``train_default_model.py --hold-out``
writes ``STEM.heldout-sentences.txt``), so that a table for choosing parameters on that slice has not
seen it. The pairs and ``sentence.w_pairs`` were chosen so::

    python scripts/train_default_model.py --hold-out 10 --hold-out-pairs 40 -o /tmp/ho.lpm
    python scripts/train_noise.py --exclude /tmp/ho.heldout.tsv -o /tmp/ho-noise.json
    python scripts/train_context_pairs.py --exclude /tmp/ho.heldout-sentences.txt -o /tmp/ho-pairs.json.gz
    python scripts/tune_heldout.py --model /tmp/ho.lpm --noise /tmp/ho-noise.json --pairs /tmp/ho-pairs.json.gz \
        --parts sentences --nasal-drop example --nasal-m example --unattested 1 --set sentence.w_pairs=0,0.5,1,1.5,2

(the candidate pairs: those the decoder confused most often on the held-out sentences; kept, those
whose classifier lowered their errors there).

    python scripts/train_context_pairs.py [--exclude FILE] [-o translit/learned/data/context-pairs.json.gz]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402
from lipyantar.translit.learned.contextpairs import PAIRS, PAIRS_PATH, train_context_pairs  # noqa: E402

NATIVE_TEXT = ROOT / "scripts" / "data" / "dakshina-hi" / "hi.wiki-filt.valid.text.notest.nodev.txt.gz"
#: the words and numbers of a line, as sentence decoding sees them (scripts/tune_heldout.py --numbers)
_WORD_OR_NUMBER = regex.compile(
    r"[0-9\u0966-\u096f]+(?:[.,:][0-9\u0966-\u096f]+)*|[\p{Devanagari}\u200c\u200d]+", regex.V1
)


def sentence_words(line: str) -> list[str]:
    """The Devanagari words and numbers of a native line (normalized; dandas left out)."""
    words = [normalize_deva(w) for w in _WORD_OR_NUMBER.findall(line)]
    return [w for w in words if w and w not in "।॥" and (w[0].isdigit() or not any(c.isdigit() for c in w))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exclude", type=Path, default=None, help="leave out the sentences of this file")
    parser.add_argument("-o", "--output", type=Path, default=PAIRS_PATH)
    parser.add_argument(
        "--pairs",
        default=None,
        metavar="A/B,C/D",
        help="these pairs instead of the shipped ones (contextpairs.PAIRS), to try a pair on held-out sentences",
    )
    args = parser.parse_args(argv)
    with gzip.open(NATIVE_TEXT, "rt", encoding="utf-8") as fh:
        lines = [line.strip() for line in fh]
    source = NATIVE_TEXT.name
    if args.exclude is not None:
        left_out = {line.strip() for line in args.exclude.read_text(encoding="utf-8").splitlines()}
        before = len(lines)
        lines = [line for line in lines if line not in left_out]
        source += f" without {before - len(lines)} sentences of {args.exclude.name}"
    pairs = PAIRS
    if args.pairs:
        pairs = tuple((a, b) for a, _, b in (item.partition("/") for item in args.pairs.split(",")))
    table = train_context_pairs((sentence_words(line) for line in lines if line), pairs)
    tmp = args.output.with_name(args.output.name + ".tmp")
    table.write(tmp, source=source)
    tmp.replace(args.output)
    sizes = {"/".join(p): len(w) for p, w in zip(table.pairs, table.weights, strict=True)}
    print(f"{args.output}: {source}; features per pair {sizes}; {args.output.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
