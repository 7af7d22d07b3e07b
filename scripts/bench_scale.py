#!/usr/bin/env python3
"""Scaling benchmark: throughput and peak memory of ``convert`` and ``build`` as the corpus grows.

Synthetic corpora at 10×, 100× and 1000× the size of the shipped example (25 sentence pairs in five
paragraphs), made from the Dakshina dev sentences: for ``convert`` a Devanagari file of that many
sentences, for ``build`` a folder of twin documents (Devanagari + romanized, five paragraphs of five
sentences each, like the example) plus English distractors. Each measurement runs the real command in a
fresh process; peak memory is the largest resident set of that process and its workers. Engines: local
``--jobs 1`` and ``--jobs 2``, and Dask with a 2-worker LocalCluster when dask is installed
(``pip install 'lipyantar[dask]'``). The scaling ratio is throughput relative to the 10× row.

    python scripts/bench_scale.py [--sizes 10,100,1000] [--what convert,build] [--repeat N]

Columns: ``vs -j1`` is throughput relative to ``--jobs 1`` at the same size (the first engine of the
row group); ``CPU s`` is user + system time of all the command's processes; ``load`` is the 1-minute
load average before the run: on a busy machine the wall-clock speedups are not meaningful (compare CPU
seconds instead). ``--repeat N`` runs every measurement N times and keeps the fastest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SENTENCES = 25
DEFAULT_DEV = ROOT.parent / "shared" / "data" / "dakshina-hi" / "hi.sentences.dev.tsv"
FALLBACK_DEV = ROOT / "tests" / "data" / "dakshina_dev_sentences_sample.tsv"

_RUNNER = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
if proc.returncode:
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    sys.exit(proc.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """Seconds, peak RSS (MiB) and CPU seconds (all processes) of ``cmd`` run in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _RUNNER, *cmd], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    seconds, kib, cpu = out.stdout.split()
    return float(seconds), int(kib) / 1024, float(cpu)


def load_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            pairs.append((parts[0].strip(), parts[1].strip()))
    return pairs


def make_convert_input(pairs: list[tuple[str, str]], n_sentences: int, path: Path) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(n_sentences):
            fh.write(rng.choice(pairs)[0] + "\n")


def make_build_corpus(pairs: list[tuple[str, str]], scale: int, folder: Path) -> int:
    """``scale`` twin document pairs shaped like the example, plus one English distractor per ten."""
    rng = random.Random(11)
    folder.mkdir(parents=True)
    english = (ROOT / "corpora" / "example").glob("00[24]_*.txt")
    english_texts = [p.read_text(encoding="utf-8") for p in sorted(english)]
    for d in range(scale):
        deva, roman = [], []
        for _ in range(5):
            chosen = [rng.choice(pairs) for _ in range(5)]
            deva.append(" ".join(c[0] for c in chosen))
            roman.append(" ".join(c[1] for c in chosen))
        (folder / f"doc{d:05d}_hi.txt").write_text("\n".join(deva) + "\n", encoding="utf-8")
        (folder / f"doc{d:05d}_rom.txt").write_text("\n".join(roman) + "\n", encoding="utf-8")
        if d % 10 == 0 and english_texts:
            (folder / f"doc{d:05d}_en.txt").write_text(
                english_texts[d // 10 % len(english_texts)], encoding="utf-8"
            )
    return scale * EXAMPLE_SENTENCES


def lipyantar() -> list[str]:
    exe = shutil.which("lipyantar", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "lipyantar"]


def has_dask() -> bool:
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        return False
    return True


def build_supports_engine() -> bool:
    out = subprocess.run([*lipyantar(), "build", "--help"], capture_output=True, text=True)
    return "--engine" in out.stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--sizes", default="10,100,1000", help="multiples of the example corpus")
    parser.add_argument("--what", default="convert,build")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (the fastest is kept)")
    args = parser.parse_args()
    dev = args.dev if args.dev.exists() else FALLBACK_DEV
    pairs = load_pairs(dev)
    sizes = [int(s) for s in args.sizes.split(",")]
    what = args.what.split(",")
    rows: list[dict[str, object]] = []
    engines: list[tuple[str, list[str]]] = [
        ("local --jobs 1", ["--jobs", "1"]),
        ("local --jobs 2", ["--jobs", "2"]),
    ]
    print(f"sentences from {dev} ({len(pairs)} pairs); example corpus = {EXAMPLE_SENTENCES} sentence pairs")
    print(
        f"{'task':<8} {'size':>6} {'engine':<16} {'sentences':>10} {'seconds':>8} {'sent/s':>9} {'peak MiB':>9} "
        f"{'scaling':>8} {'vs -j1':>7} {'CPU s':>7} {'load':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for task in what:
            task_engines = list(engines)
            if task == "build" and has_dask() and build_supports_engine():
                task_engines.append(("dask 2 workers", ["--engine", "dask", "--dask-workers", "2"]))
            base: dict[str, float] = {}
            for size in sizes:
                if task == "convert":
                    n = size * EXAMPLE_SENTENCES
                    src = work / f"convert_{size}.txt"
                    make_convert_input(pairs, n, src)
                else:
                    src = work / f"build_{size}"
                    n = make_build_corpus(pairs, size, src)
                for name, flags in task_engines:
                    if task == "convert":
                        cmd = [*lipyantar(), "convert", "-f", "deva", "-t", "roman-rules", *flags, str(src)]
                    else:
                        out = work / f"out_{size}_{len(rows)}"
                        cmd = [*lipyantar(), "-q", "build", str(src), "-o", str(out), "--force", *flags]
                    load_before = os.getloadavg()[0]
                    seconds, peak, cpu = min(measure(cmd) for _ in range(max(1, args.repeat)))
                    rate = n / seconds
                    base.setdefault(name, rate)
                    one_rate = next(
                        (
                            float(r["sentences_per_s"])
                            for r in rows
                            if r["task"] == task and r["size"] == size
                        ),
                        rate,
                    )
                    row = {
                        "task": task,
                        "size": size,
                        "engine": name,
                        "sentences": n,
                        "seconds": round(seconds, 3),
                        "sentences_per_s": round(rate, 1),
                        "peak_mib": round(peak, 1),
                        "scaling": round(rate / base[name], 2),
                        "vs_jobs_1": round(rate / one_rate, 2),
                        "cpu_seconds": round(cpu, 2),
                        "load_before": round(load_before, 2),
                    }
                    rows.append(row)
                    print(
                        f"{task:<8} {size:>5}× {name:<16} {n:>10} {seconds:>8.2f} {rate:>9.0f} {peak:>9.1f} "
                        f"{rate / base[name]:>8.2f} {rate / one_rate:>7.2f} {cpu:>7.2f} {load_before:>5.2f}"
                    )
                    sys.stdout.flush()
    for task in what:
        by_engine: dict[str, dict[int, dict[str, object]]] = {}
        for r in rows:
            if r["task"] == task:
                by_engine.setdefault(str(r["engine"]), {})[int(r["size"])] = r  # type: ignore[call-overload]
        one = by_engine.get("local --jobs 1", {})
        for name, table in by_engine.items():
            small, large = min(table), max(table)
            growth = float(table[large]["peak_mib"]) / float(table[small]["peak_mib"])  # type: ignore[arg-type]
            line = f"{task} {name}: peak memory {large}× / {small}×: {growth:.2f}"
            if name != "local --jobs 1" and large in one:
                speedup = float(table[large]["sentences_per_s"]) / float(one[large]["sentences_per_s"])  # type: ignore[arg-type]
                line += f"; throughput vs --jobs 1 at {large}×: {speedup:.2f}"
            print(line)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
