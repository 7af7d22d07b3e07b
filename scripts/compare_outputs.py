"""Are the outputs the same as a baseline revision's? ``lipyantar convert`` of both trees on the Dakshina
dev sets, byte for byte.

The revision ``--baseline-rev`` is unpacked into a temporary folder and its compiled kernels built in
place (as ``bench_learned.py --baseline-rev`` does); each conversion below runs through its command line
and through this tree's, and the outputs are compared line by line:

* roman → Devanagari: the dev sentences as text, with ``--english keep``, and as jsonl top-5; the
  dev lexicon's distinct roman words as jsonl top-5;
* Devanagari → roman: the dev sentences as text and jsonl top-5; the lexicon's native words, jsonl top-5;
* Devanagari → IAST and → roman-rules: the dev sentences.

    python scripts/compare_outputs.py --baseline-rev 349e90a [--data ../shared/data/dakshina-hi]

Exits 1 when an output differs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from source_tree import cli_command, unpack_revision  # noqa: E402

RUNS = [
    ("r2d text", "sentences.roman", ["--from", "roman", "--to", "deva"]),
    ("r2d --english keep", "sentences.roman", ["--from", "roman", "--to", "deva", "--english", "keep"]),
    ("r2d jsonl top-5", "sentences.roman", ["--from", "roman", "--to", "deva", "--format", "jsonl", "--top-k", "5"]),
    ("r2d lexicon jsonl top-5", "lexicon.roman", ["--from", "roman", "--to", "deva", "--format", "jsonl", "--top-k", "5"]),
    ("d2r text", "sentences.deva", ["--from", "deva", "--to", "roman"]),
    ("d2r jsonl top-5", "sentences.deva", ["--from", "deva", "--to", "roman", "--format", "jsonl", "--top-k", "5"]),
    ("d2r lexicon jsonl top-5", "lexicon.deva", ["--from", "deva", "--to", "roman", "--format", "jsonl", "--top-k", "5"]),
    ("iast", "sentences.deva", ["--from", "deva", "--to", "iast"]),
    ("roman-rules", "sentences.deva", ["--from", "deva", "--to", "roman-rules"]),
]


def inputs(data: Path, folder: Path) -> None:
    rows = [line.rstrip("\n").split("\t") for line in (data / "hi.sentences.dev.tsv").open(encoding="utf-8")]
    (folder / "sentences.deva").write_text("".join(r[0] + "\n" for r in rows), encoding="utf-8")
    (folder / "sentences.roman").write_text("".join(r[1] + "\n" for r in rows if len(r) > 1), encoding="utf-8")
    lex = [line.rstrip("\n").split("\t") for line in (data / "hi.translit.sampled.dev.tsv").open(encoding="utf-8")]
    (folder / "lexicon.deva").write_text("".join(w + "\n" for w in sorted({r[0] for r in lex})), encoding="utf-8")
    (folder / "lexicon.roman").write_text("".join(w + "\n" for w in sorted({r[1] for r in lex})), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline-rev", required=True)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dakshina-hi")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lipyantar-compare-"))
    try:
        tree = unpack_revision(ROOT, args.baseline_rev, tmp / "tree")
        inputs(args.data, tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        baseline = [*cli_command(tree), "convert"]
        this = [sys.executable, "-m", "lipyantar", "convert"]
        differ = 0
        print(f"{'conversion':<26} {'lines':>6} {'differ':>7}   (baseline {args.baseline_rev}, this tree)")
        for name, source, opts in RUNS:
            outs = [
                subprocess.run([*cmd, *opts, str(tmp / source)], check=True, capture_output=True, env=env, cwd=tmp).stdout
                for cmd in (baseline, this)
            ]
            old, new = (o.decode("utf-8").splitlines() for o in outs)
            n = sum(a != b for a, b in zip(old, new, strict=False)) + abs(len(old) - len(new))
            differ += n
            print(f"{name:<26} {len(new):>6} {n:>7}")
        return 1 if differ else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
