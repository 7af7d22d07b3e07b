"""Benchmark ``lipyantar build`` on a synthetic corpus made from the Dakshina dev sentences.

The corpus: ``--twins`` Devanagari documents of 10–30 sentences each with their romanized twins (the
Dakshina romanization of the same sentences, files shuffled and named so that names do not give the
pairs away), plus distractors: English documents (``scripts/data/english/botchan.txt``), Devanagari
documents without a twin and romanized documents without a twin (sentences not used elsewhere).

Each build runs in a fresh process (``--jobs 1`` and ``--jobs 2``); the table gives wall time,
documents/s, sentence pairs/s and peak memory (max RSS of the build process plus its largest worker).
It checks that every twin was paired, with its own twin, and that no distractor was paired; exits 1 if
not. ``--model`` includes learning the adapted model (a constant ~20 s: loading, adapting and saving
the 9 MB default model).

Usage::

    python scripts/bench_build.py [--data /work/shared/data/dakshina-hi/hi.sentences.dev.tsv]
        [--twins 180] [--distractors 30] [--jobs 1 2] [--model] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")
ENGLISH = ROOT / "scripts" / "data" / "english" / "botchan.txt"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            rows.append((parts[0].strip(), parts[1].strip()))
    return rows


def _paragraphs(sentences: list[str], rng: random.Random) -> str:
    out, i = [], 0
    while i < len(sentences):
        n = rng.randint(2, 5)
        out.append(" ".join(sentences[i : i + n]))
        i += n
    return "\n\n".join(out) + "\n"


def make_corpus(
    root: Path, pairs: list[tuple[str, str]], *, twins: int, distractors: int, seed: int = 13
) -> dict[str, str]:
    """Write the corpus into ``root``; returns the expected pairs ``{deva file: roman file}``."""
    rng = random.Random(seed)
    pool = list(pairs)
    rng.shuffle(pool)
    names = [f"{i:05d}.txt" for i in range(2 * twins + 3 * distractors)]
    rng.shuffle(names)
    expected: dict[str, str] = {}
    pos = 0

    def take(n: int) -> list[tuple[str, str]]:
        nonlocal pos
        if pos + n > len(pool):
            raise SystemExit(f"bench_build: not enough sentences for {twins} twins; use fewer")
        chunk = pool[pos : pos + n]
        pos += n
        return chunk

    for _ in range(twins):
        rows = take(rng.randint(10, 30))
        deva, roman = names.pop(), names.pop()
        (root / deva).write_text(_paragraphs([d for d, _ in rows], rng), encoding="utf-8")
        (root / roman).write_text(_paragraphs([r for _, r in rows], rng), encoding="utf-8")
        expected[deva] = roman
    for _ in range(distractors):  # a Devanagari document and a romanized one, no twins
        (root / names.pop()).write_text(_paragraphs([d for d, _ in take(rng.randint(10, 20))], rng), "utf-8")
        (root / names.pop()).write_text(_paragraphs([r for _, r in take(rng.randint(10, 20))], rng), "utf-8")
    english = [p.replace("\n", " ").strip() for p in ENGLISH.read_text(encoding="utf-8").split("\n\n")]
    english = [p for p in english if len(p) > 200]
    for k in range(distractors):
        chunk = english[(k * 5) % max(1, len(english) - 5) :][:5]
        (root / names.pop()).write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
    return expected


def run_one(corpus: Path, out: Path, jobs: int, model: bool) -> dict[str, object]:
    """One build in this process (the child side of the benchmark)."""
    from lipyantar.corpora.build import BuildOptions, build_corpus

    start = time.perf_counter()
    result = build_corpus([corpus], out, options=BuildOptions(jobs=jobs, model=model, force=True))
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "documents": result.load.documents,
        "pairs": [[p.devanagari, p.romanized] for p in result.twins.pairs],
        "aligned": result.aligned,
        "written": result.beads,
        "self_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "children_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "model": result.model,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--twins", type=int, default=180)
    parser.add_argument("--distractors", type=int, default=30)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", action="store_true", help="also learn the adapted model")
    parser.add_argument("--keep", type=Path, help="keep the corpus and outputs in this directory")
    parser.add_argument("--run-one", nargs=3, metavar=("CORPUS", "OUT", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        corpus, out, jobs = args.run_one
        print(json.dumps(run_one(Path(corpus), Path(out), int(jobs), args.model)))
        return 0
    if not args.data.is_file():
        print(f"bench_build: no data at {args.data}", file=sys.stderr)
        return 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    expected = make_corpus(corpus, read_pairs(args.data), twins=args.twins, distractors=args.distractors)
    n_docs = sum(1 for _ in corpus.iterdir())
    print(f"corpus: {n_docs} documents ({len(expected)} twin pairs, {3 * args.distractors} distractors) in {corpus}")
    rows = []
    ok = True
    for jobs in args.jobs:
        out = work / f"out-j{jobs}"
        command = [sys.executable, __file__, "--run-one", str(corpus), str(out), str(jobs)]
        if args.model:
            command.append("--model")
        proc = subprocess.run(command, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        found = {Path(d).name: Path(r).name for d, r in data["pairs"]}
        correct = sum(1 for d, r in found.items() if expected.get(d) == r)
        wrong = len(found) - correct
        missed = len(expected) - correct
        ok = ok and wrong == 0 and missed == 0
        peak_mb = (data["self_rss_kb"] + data["children_rss_kb"]) / 1024
        rows.append(
            (
                jobs,
                data["seconds"],
                data["documents"] / data["seconds"],
                data["written"] / data["seconds"],
                data["written"],
                peak_mb,
                f"{correct}/{len(expected)}",
                wrong,
            )
        )
    if len(args.jobs) > 1:
        files = [{p.name: p.read_bytes() for p in (work / f"out-j{j}").iterdir()} for j in args.jobs]
        identical = all(f == files[0] for f in files[1:])
        print(f"outputs identical across --jobs: {identical}")
        ok = ok and identical
    header = ("jobs", "seconds", "docs/s", "pairs/s", "pairs", "peak MB", "twins found", "wrong pairs")
    print("  ".join(f"{h:>11}" for h in header))
    for r in rows:
        print(
            f"{r[0]:>11}  {r[1]:>11.2f}  {r[2]:>11.1f}  {r[3]:>11.1f}  {r[4]:>11}  {r[5]:>11.1f}  "
            f"{r[6]:>11}  {r[7]:>11}"
        )
    print("every twin paired, no distractor paired" if ok else "FAILED: see the table")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
