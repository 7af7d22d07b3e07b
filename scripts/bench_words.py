#!/usr/bin/env python3
"""Benchmark of the word aligner in ``build``: one large twin through ``process_pair``, this checkout
against a baseline revision, measured in the same run.

``lipyantar.corpora.pipeline.process_pair`` is what ``build`` does with each twin pair: split both
sides into sentences, align the sentences, align the words of every bead. The twin is ``--deva`` /
``--roman``, or by default the Dakshina dev sentences (``--data``) repeated ``--copies`` times in
paragraphs of 2-5 sentences (``--copies 4``: 19,788 sentence pairs, the twin of issue 30).

Every measurement runs in a fresh process (an empty memo, as a build's worker starts), alternating
the baseline and this checkout ``--repeat`` times: ``pair`` runs time ``process_pair`` as a whole,
``stages`` runs time its parts (sentence splitting, sentence alignment, word alignment). The table
gives medians of CPU time (``time.process_time``: less disturbed by other jobs on the machine) and
wall time, the peak RSS of the process, and baseline / this ratios. The results (beads, word links
and their scores) must be identical, or the script exits 1. ``--pure`` adds both with
``LIPYANTAR_PURE_PYTHON=1`` (the Python fallbacks of the compiled kernels).

Usage::

    python scripts/bench_words.py [--baseline-rev REV] [--data hi.sentences.dev.tsv] [--copies 4]
        [--deva FILE --roman FILE] [--repeat 3] [--pure]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")


def make_twin(data: Path, copies: int, dest: Path, seed: int = 13) -> tuple[Path, Path]:
    """The Dakshina dev sentences ``copies`` times, in paragraphs of 2-5 sentences, as two files."""
    rows = []
    for line in data.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            rows.append((parts[0].strip(), parts[1].strip()))
    rows *= copies
    rng = random.Random(seed)
    deva, roman = [], []
    i = 0
    while i < len(rows):
        n = rng.randint(2, 5)
        deva.append(" ".join(d for d, _ in rows[i : i + n]))
        roman.append(" ".join(r for _, r in rows[i : i + n]))
        i += n
    paths = dest / "hi_deva.txt", dest / "hi_roman.txt"
    paths[0].write_text("\n\n".join(deva) + "\n", encoding="utf-8")
    paths[1].write_text("\n\n".join(roman) + "\n", encoding="utf-8")
    return paths


def _digest(beads: object) -> str:
    h = hashlib.sha256()
    for bead in beads:  # type: ignore[attr-defined]
        words = tuple((w.deva, w.roman, w.score, w.deva_index, w.roman_index) for w in bead.words or ())
        h.update(repr((bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, words)).encode())
    return h.hexdigest()


def child(tree: str, mode: str, deva_path: str, roman_path: str) -> dict[str, object]:
    """One measurement in this (fresh) process: ``process_pair`` whole, or its stages."""
    if tree:
        sys.path.insert(0, str(ROOT / "scripts"))
        from source_tree import use_source_tree

        use_source_tree(Path(tree))
    from lipyantar.corpora.loading import decode_bytes, normalize_text

    texts = []
    for path in (deva_path, roman_path):
        text, _ = decode_bytes(Path(path).read_bytes(), source=path)
        texts.append(normalize_text(text))
    out: dict[str, object] = {}
    if mode == "pair":
        from lipyantar.corpora.pipeline import PairTask, process_pair

        cpu, wall = time.process_time(), time.perf_counter()
        result = process_pair(PairTask(0, deva_path, roman_path, texts[0], texts[1]))
        out["pair"] = (time.process_time() - cpu, time.perf_counter() - wall)
        if result.error:
            raise SystemExit(f"bench_words: process_pair failed: {result.error}")
        out["beads"] = len(result.beads)
        out["links"] = sum(len(b.words or ()) for b in result.beads)
        out["digest"] = _digest(result.beads)
    else:
        from lipyantar.align.segment import split_sentences
        from lipyantar.align.sentences import iter_align_sentences
        from lipyantar.align.similarity import Similarity
        from lipyantar.align.words import align_words

        sim = Similarity()
        marks = [(time.process_time(), time.perf_counter())]
        deva = split_sentences(texts[0], script="deva")
        roman = split_sentences(texts[1], script="roman")
        marks.append((time.process_time(), time.perf_counter()))
        beads = [b for b in iter_align_sentences(deva, roman, similarity=sim) if b.deva_text and b.roman_text]
        marks.append((time.process_time(), time.perf_counter()))
        for bead in beads:
            align_words(bead.deva_text, bead.roman_text, similarity=sim)
        marks.append((time.process_time(), time.perf_counter()))
        for name, k in (("split", 1), ("sentences", 2), ("words", 3)):
            out[name] = (marks[k][0] - marks[k - 1][0], marks[k][1] - marks[k - 1][1])
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(tree: str, mode: str, files: tuple[Path, Path], *, pure: bool) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("LIPYANTAR_PURE_PYTHON", None)
    if pure:
        env["LIPYANTAR_PURE_PYTHON"] = "1"
    command = [sys.executable, __file__, "--child", tree, mode, str(files[0]), str(files[1])]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench_words: a measurement failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--baseline-rev",
        help="git revision of the baseline (default: where this branch left main, git merge-base)",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--deva", type=Path, help="the twin's Devanagari side (instead of --data)")
    parser.add_argument("--roman", type=Path, help="the twin's romanized side")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pure", action="store_true", help="also measure this checkout's pure-Python code")
    parser.add_argument("--child", nargs=4, metavar=("TREE", "MODE", "DEVA", "ROMAN"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    sys.path.insert(0, str(ROOT / "scripts"))
    from source_tree import unpack_revision

    if args.baseline_rev is None:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True
        )
        args.baseline_rev = found.stdout.strip()[:12] if found.returncode == 0 else "main"

    with tempfile.TemporaryDirectory(prefix="bench-words-") as tmp:
        work = Path(tmp)
        if args.deva and args.roman:
            files = (args.deva, args.roman)
        elif not args.data.is_file():
            print(f"bench_words: no data at {args.data}", file=sys.stderr)
            return 1
        else:
            files = make_twin(args.data, args.copies, work)
        baseline = unpack_revision(ROOT, args.baseline_rev, work / "baseline")
        runs = {"baseline": (str(baseline), False), "this": ("", False)}
        if args.pure:
            runs["baseline, pure Python"] = (str(baseline), True)
            runs["this, pure Python"] = ("", True)
        results: dict[str, list[dict[str, object]]] = {name: [] for name in runs}
        for _ in range(args.repeat):  # interleaved: the machine's load falls on both alike
            for name, (tree, pure) in runs.items():
                for mode in ("pair", "stages"):
                    results[name].append(run_child(tree, mode, files, pure=pure))
        digests = {name: {r["digest"] for r in rs if "digest" in r} for name, rs in results.items()}
        identical = len(set().union(*digests.values())) == 1
        first = next(r for r in results["this"] if "beads" in r)
        print(
            f"twin: {files[0].name} / {files[1].name}: {first['beads']} beads, {first['links']} word links; "
            f"baseline {args.baseline_rev}; median of {args.repeat} fresh processes each"
        )

        def median(name: str, key: str, k: int) -> float:
            return statistics.median(r[key][k] for r in results[name] if key in r)  # type: ignore[index]

        header = f"{'':<22}{'process_pair cpu s':>20}{'wall s':>9}{'split':>8}{'sentences':>11}{'words':>8}{'peak MB':>9}"
        print(header)
        for name in runs:
            rss = max(float(r["rss_mb"]) for r in results[name])  # type: ignore[arg-type]
            print(
                f"{name:<22}{median(name, 'pair', 0):>20.2f}{median(name, 'pair', 1):>9.2f}"
                f"{median(name, 'split', 0):>8.2f}{median(name, 'sentences', 0):>11.2f}"
                f"{median(name, 'words', 0):>8.2f}{rss:>9.0f}"
            )
        for base, name in (("baseline", "this"), ("baseline, pure Python", "this, pure Python")):
            if name not in runs:
                continue
            ratio = median(base, "pair", 0) / median(name, "pair", 0)
            ratio_wall = median(base, "pair", 1) / median(name, "pair", 1)
            ratio_words = median(base, "words", 0) / median(name, "words", 0)
            print(
                f"{base} / {name}: process_pair {ratio:.1f}x (cpu), {ratio_wall:.1f}x (wall); "
                f"word alignment {ratio_words:.1f}x (cpu)"
            )
        print("results identical (beads, links, scores)" if identical else f"RESULTS DIFFER: {digests}")
        return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
