"""Benchmark the per-document analysis of ``lipyantar build`` (detection, statistics counts, twin profile),
this tree against a baseline revision measured in the same run (issue 30).

The corpus is one large twin made like issue 30's test case: the Dakshina dev sentences ``--copies`` times
over, in paragraphs of 2–5 sentences, a Devanagari file and its romanized twin (or ``--corpus DIR``, every
file of a folder). Each tree analyses every file with :func:`lipyantar.corpora.pipeline.analyse_document`
in a fresh process (``--repeats`` times, the trees alternating); the table gives the median wall and CPU
seconds of the analysis alone (start-up and reading excluded), words per second and the process's peak
memory, and each tree's time over this tree's. It checks that both trees give the same results (the
detection records, the counts and the twin profiles) and exits 1 if not.

Usage::

    python scripts/bench_analyse.py --baseline-rev 547811f [--copies 4] [--repeats 3] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_DATA = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")


def make_twin(root: Path, data: Path, *, copies: int, seed: int = 13) -> list[Path]:
    """A Devanagari file and its romanized twin: the sentence pairs of ``data`` ``copies`` times over,
    shuffled, in paragraphs of 2–5 sentences separated by blank lines."""
    from bench_build import read_pairs

    rng = random.Random(seed)
    pairs = read_pairs(data) * copies
    rng.shuffle(pairs)
    sizes = []
    while sum(sizes) < len(pairs):
        sizes.append(rng.randint(2, 5))
    deva, roman = [], []
    pos = 0
    for n in sizes:
        rows = pairs[pos : pos + n]
        pos += n
        deva.append(" ".join(d for d, _ in rows))
        roman.append(" ".join(r for _, r in rows))
    root.mkdir(parents=True, exist_ok=True)
    (root / "hi_deva.txt").write_text("\n\n".join(deva) + "\n", encoding="utf-8")
    (root / "hi_roman.txt").write_text("\n\n".join(roman) + "\n", encoding="utf-8")
    return [root / "hi_deva.txt", root / "hi_roman.txt"]


def worker(src: str, files: list[str], out: str) -> None:
    """The child side: analyse ``files`` with the source tree ``src`` ("-": the installed one)."""
    if src != "-":
        from source_tree import use_source_tree

        use_source_tree(Path(src))
    from lipyantar.corpora.pipeline import DocumentTask, analyse_document

    tasks = [DocumentTask(f, data=Path(f).read_bytes()) for f in files]
    wall, cpu = time.perf_counter(), time.process_time()
    results = [analyse_document(task) for task in tasks]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256()
    for r in results:
        twin = r.twin
        profile = None
        if twin is not None and twin.profile is not None:
            p = twin.profile
            profile = (p.words, list(p.bigram_keys), list(p.bigram_counts), list(p.trigram_keys), list(p.trigram_counts))
        counts = r.counts
        record = (
            r.source,
            r.error,
            r.detection.to_json() if r.detection else None,
            None
            if counts is None
            else (
                counts.language,
                counts.paragraphs,
                counts.lengths,
                sorted(counts.types),
                [(k, list(v.items())) for k, v in counts.characters.items()],
                sorted(counts.token_languages.items()),
                sorted(counts.romanized.items()),
                counts.cmis,
            ),
            None if twin is None else (twin.language, twin.side, profile),
        )
        digest.update(pickle.dumps(record))
    words = sum(sum(r.counts.lengths) for r in results if r.counts is not None)
    Path(out).write_text(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "words": words,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "digest": digest.hexdigest(),
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Dakshina dev sentences (native<TAB>roman)")
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--corpus", type=Path, help="analyse the files of this folder instead")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline-rev", help="also measure this git revision, in the same run")
    ap.add_argument("--worker", nargs=2, metavar=("SRC", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.files, args.worker[1])
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-analyse-") as tmp_name:
        tmp = Path(tmp_name)
        if args.corpus:
            files = sorted(p for p in args.corpus.iterdir() if p.is_file())
        else:
            if not args.data.is_file():
                print(f"bench_analyse: no data at {args.data}", file=sys.stderr)
                return 1
            files = make_twin(tmp / "corpus", args.data, copies=args.copies)
        size = sum(p.stat().st_size for p in files)
        print(f"corpus: {len(files)} file(s), {size / 1e6:.1f} MB")
        trees: list[tuple[str, str]] = [("this tree", "-")]
        if args.baseline_rev:
            from source_tree import unpack_revision

            tree = unpack_revision(ROOT, args.baseline_rev, tmp / "baseline")
            trees.append((f"baseline {args.baseline_rev}", str(tree)))
        runs: dict[str, list[dict[str, float | str]]] = {name: [] for name, _ in trees}
        for k in range(args.repeats):
            for name, src in trees if k % 2 == 0 else trees[::-1]:
                out = tmp / "result.json"
                cmd = [sys.executable, __file__, "--worker", src, str(out), *map(str, files)]
                subprocess.run(cmd, check=True)
                runs[name].append(json.loads(out.read_text()))
        medians = {
            name: {key: statistics.median(float(r[key]) for r in rs) for key in ("wall", "cpu", "rss_mb")}
            for name, rs in runs.items()
        }
        base = medians["this tree"]
        print(f"{'tree':<22} {'wall s':>8} {'cpu s':>8} {'words/s':>10} {'peak MB':>8} {'× this tree (cpu)':>18}")
        words = int(runs["this tree"][0]["words"])
        for name, m in medians.items():
            print(
                f"{name:<22} {m['wall']:>8.2f} {m['cpu']:>8.2f} {words / m['wall']:>10.0f} {m['rss_mb']:>8.0f} "
                f"{m['cpu'] / base['cpu']:>18.2f}"
            )
        digests = {str(r["digest"]) for rs in runs.values() for r in rs}
        same = len(digests) == 1
        print("results identical across trees and runs:", "yes" if same else "NO")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
