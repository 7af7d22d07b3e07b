#!/usr/bin/env python3
"""Benchmark ``lipyantar build`` against ``lipyantar align`` alone on the same data, in the same run.

Two corpora made from the Dakshina dev sentences (``--data``):

* ``large``: one twin, the dev sentences ``--copies`` times in paragraphs of 2-5 sentences
  (``scripts/bench_words.py``'s ``make_twin``; ``--copies 4``: 19,788 sentence pairs, the twin of
  issue 30);
* ``small``: ``--twins`` small document pairs of 3-8 sentences (drawn from the dev sentences, so
  sentences recur across documents) with their romanized twins, files shuffled and named so that names
  do not give the pairs away, plus distractors: English documents (``scripts/data/english/botchan.txt``),
  Devanagari and romanized documents without a twin (sentences kept apart from the twins').

Every command runs through the installed command line in a fresh process: ``lipyantar align`` on the
twin (for ``small``: all the Devanagari documents in pair order as one file, and their twins as the
other), then ``lipyantar build`` with each of ``--jobs``. ``--repeat`` rounds, in a rotating order;
the table gives medians of wall time and of CPU time (user + system of the command and all its worker
processes: less disturbed by other jobs on the machine), sentence pairs per second (wall), per core
(pairs/s divided by the processes' cores: 1 for ``align`` and ``-j 1``, ``N`` for ``-j N``) and per CPU
second, the peak memory (the largest sum of the resident sets of the command and its workers, sampled
every 20 ms, and the largest single process), and the ratios ``build / align`` and ``-j 1 / -j N``. The
machine's load average is printed before and after: wall-clock ratios mean little on a loaded machine.

A sentence pair is a bead with both sides (``beads_aligned - unmatched`` of ``stats.json``; ``align``'s
TSV lines with both sides). The script checks that every twin was paired with its own twin, that no
distractor was paired and that the outputs are byte-identical across ``--jobs`` and rounds; it exits 1
if not. ``--model`` includes learning the adapted model (the build's default); without it, builds run
with ``--no-model``.

The modules' bytecode is written first in every tree measured, as an installed package has it
(``--no-compile``: not; see :func:`compile_tree`).

``--baseline-rev REV`` also runs the builds of the git revision ``REV`` (unpacked and built by
``scripts/source_tree.py``, run through its command line in a fresh process), in the same rounds: rows
``base -j N`` (their ``-j1/this`` against the baseline's own ``-j 1``), whether its outputs are
byte-identical to this tree's, and the ratios of this tree to the baseline (wall and CPU, per ``--jobs``).

Usage::

    python scripts/bench_build.py [--data /work/shared/data/dakshina-hi/hi.sentences.dev.tsv]
        [--cases large,small] [--copies 4] [--twins 2000] [--distractors 30] [--jobs 1 2]
        [--repeat 3] [--model] [--keep DIR] [--baseline-rev main] [--no-compile]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")
ENGLISH = ROOT / "scripts" / "data" / "english" / "botchan.txt"

sys.path.insert(0, str(ROOT / "scripts"))
from bench_words import make_twin  # noqa: E402
from source_tree import cli_command, unpack_revision  # noqa: E402

#: the folders of the import package ``lipyantar`` in a source tree (pyproject's package-dir)
PACKAGE_DIRS = ("lipyantar", "translit", "align", "corpora")


def compile_tree(tree: Path) -> None:
    """Write the bytecode of ``tree``'s modules, as an installed package has it (pip compiles it at install).
    Without it, and with ``PYTHONDONTWRITEBYTECODE`` set (as on this project's machine), every command
    would compile each module it imports (about 0.07 s CPU in a build's main process, more in its
    workers for the modules they import themselves), the same for ``-j 1`` and ``-j 2``."""
    import compileall

    for name in PACKAGE_DIRS:
        if (tree / name).is_dir():
            compileall.compile_dir(tree / name, quiet=1, workers=1)


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
) -> tuple[dict[str, str], list[str]]:
    """Write the small-documents corpus into ``root``: ``({deva file: roman file}, twin files in pair
    order as deva, roman, deva, ...)``. The distractors' sentences are kept apart from the twins'."""
    rng = random.Random(seed)
    pool = list(pairs)
    rng.shuffle(pool)
    spare = pool[: 30 * distractors]
    pool = pool[30 * distractors :]
    if len(pool) < 100:
        raise SystemExit("bench_build: not enough sentences; use fewer distractors")
    names = [f"{i:05d}.txt" for i in range(2 * twins + 3 * distractors)]
    rng.shuffle(names)
    expected: dict[str, str] = {}
    order: list[str] = []
    for _ in range(twins):
        rows = rng.sample(pool, rng.randint(3, 8))
        deva, roman = names.pop(), names.pop()
        (root / deva).write_text(_paragraphs([d for d, _ in rows], rng), encoding="utf-8")
        (root / roman).write_text(_paragraphs([r for _, r in rows], rng), encoding="utf-8")
        expected[deva] = roman
        order += [deva, roman]
    for k in range(distractors):  # a Devanagari document and a romanized one, no twins
        rows = spare[30 * k : 30 * (k + 1)]
        (root / names.pop()).write_text(_paragraphs([d for d, _ in rows[:15]], rng), "utf-8")
        (root / names.pop()).write_text(_paragraphs([r for _, r in rows[15:]], rng), "utf-8")
    # the novel is one block of hard-wrapped lines: a distractor is 20 of them (about 1.4 kB)
    english = [line.strip() for line in ENGLISH.read_text(encoding="utf-8").splitlines() if line.strip()]
    for k in range(distractors):
        start = (20 * k) % max(1, len(english) - 20)
        (root / names.pop()).write_text("\n".join(english[start : start + 20]) + "\n", encoding="utf-8")
    return expected, order


# ------------------------------------------------------------------------------------ measuring


def _tree_rss(pid: int) -> int:
    """The resident set (bytes) of the process ``pid`` and all its descendants (0 when gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd``: wall seconds, CPU seconds of it and its workers, peak summed RSS (MB, sampled) and
    the largest single process's peak RSS (MB)."""
    try:
        import psutil  # noqa: F401

        sample = True
    except ImportError:  # the single-process peak only
        sample = False
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sampler() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.02)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    if sample:
        thread.join()
    if proc.returncode:
        raise SystemExit(f"bench_build: failed ({proc.returncode}): {' '.join(cmd)}\n{stderr.decode(errors='replace')}")
    single = usage.ru_maxrss / 1024
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak": max(peak / 2**20, single),
        "single": single,
    }


def _lipyantar() -> list[str]:
    found = shutil.which("lipyantar", path=str(Path(sys.executable).parent)) or shutil.which("lipyantar")
    if not found:
        raise SystemExit("bench_build: the lipyantar command is not installed (pip install -e .)")
    return [found]


def align_pairs(tsv: Path) -> int:
    n = 0
    for line in tsv.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and parts[1].strip():
            n += 1
    return n


def build_facts(out: Path) -> dict[str, object]:
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))["build"]
    twins = json.loads((out / "twins.json").read_text(encoding="utf-8"))
    return {
        "pairs": stats["beads_aligned"] - stats["dropped"]["unmatched"],
        "written": stats["sentence_pairs_written"],
        "twins": [(Path(p["devanagari"]).name, Path(p["romanized"]).name) for p in twins["pairs"]],
    }


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def bench_case(
    name: str,
    corpus: Path,
    deva: Path,
    roman: Path,
    expected: dict[str, str] | None,
    work: Path,
    args: argparse.Namespace,
    baseline: list[str] | None = None,
) -> bool:
    lipyantar = _lipyantar()
    runs: dict[str, list[dict[str, float]]] = {}
    labels = ["align", *[f"build -j {j}" for j in args.jobs]]
    if baseline is not None:
        labels += [f"base -j {j}" for j in args.jobs]
    outputs: dict[str, dict[str, bytes]] = {}
    facts: dict[str, dict[str, object]] = {}
    ok = True
    for round_ in range(args.repeat):
        rotated = labels[round_ % len(labels) :] + labels[: round_ % len(labels)]
        for label in rotated:
            if label == "align":
                out = work / f"{name}-align.tsv"
                cmd = [*lipyantar, "-q", "align", str(deva), str(roman), "--format", "tsv", "-o", str(out)]
            else:
                jobs = label.rsplit(" ", 1)[1]
                base = label.startswith("base")
                out = work / f"{name}-{'base' if base else 'out'}-j{jobs}"
                cli = baseline if base and baseline is not None else lipyantar
                cmd = [*cli, "-q", "build", str(corpus), "-o", str(out), "--force", "-j", jobs]
                if not args.model:
                    cmd.append("--no-model")
            runs.setdefault(label, []).append(run(cmd))
            if label == "align":
                facts[label] = {"pairs": align_pairs(out)}
                continue
            files = _files(out)
            if label in outputs and outputs[label] != files:
                print(f"{name}: {label}: output differs between rounds")
                ok = False
            outputs.setdefault(label, files)
            facts[label] = build_facts(out)
    builds = [lab for lab in labels if lab.startswith("build")]
    bases = [lab for lab in labels if lab.startswith("base")]
    identical = all(outputs[lab] == outputs[builds[0]] for lab in builds[1:])
    ok = ok and identical
    if expected is not None:
        found = dict(facts[builds[0]]["twins"])  # type: ignore[arg-type]
        correct = sum(1 for d, r in found.items() if expected.get(d) == r)
        wrong = len(found) - correct
        print(f"{name}: twins paired with their own twin {correct}/{len(expected)}, wrong pairs {wrong}")
        ok = ok and correct == len(expected) and wrong == 0
    print(f"{name}: outputs identical across --jobs and rounds: {identical and ok}")
    if bases:
        same = all(outputs[lab] == outputs[builds[0]] for lab in bases)
        print(f"{name}: baseline outputs byte-identical to this tree's: {same}")
    med = {lab: {k: statistics.median(r[k] for r in runs[lab]) for k in runs[lab][0]} for lab in labels}
    header = (
        f"{'command':<12} {'pairs':>6} {'written':>7} {'wall s':>7} {'CPU s':>7} {'pairs/s':>8} "
        f"{'/core':>7} {'/CPU s':>7} {'peak MB':>8} {'1 proc MB':>9} {'wall/align':>10} {'CPU/align':>9} "
        f"{'-j1/this':>8}"
    )
    print(header)
    base = med["align"]
    for lab in labels:
        m = med[lab]
        pairs = int(facts[lab]["pairs"])  # type: ignore[call-overload]
        cores = 1 if lab == "align" else int(lab.rsplit(" ", 1)[1])
        written = facts[lab].get("written", "")
        j1 = med.get(f"{lab.split(' ', 1)[0]} -j 1")
        speedup = f"{j1['wall'] / m['wall']:.2f}" if j1 and lab != "align" else ""
        print(
            f"{lab:<12} {pairs:>6} {written!s:>7} {m['wall']:>7.2f} {m['cpu']:>7.2f} {pairs / m['wall']:>8.0f} "
            f"{pairs / m['wall'] / cores:>7.0f} {pairs / m['cpu']:>7.0f} {m['peak']:>8.0f} {m['single']:>9.0f} "
            f"{m['wall'] / base['wall']:>10.2f} {m['cpu'] / base['cpu']:>9.2f} {speedup:>8}"
        )
    for lab in bases:
        this, base = med["build" + lab[4:]], med[lab]
        print(
            f"this tree / baseline, {lab[5:]}: wall {this['wall'] / base['wall']:.2f}, CPU {this['cpu'] / base['cpu']:.2f}"
        )
    if args.repeat > 1:
        for lab in builds + bases:
            walls = ", ".join(f"{r['wall']:.2f}" for r in runs[lab])
            cpus = ", ".join(f"{r['cpu']:.2f}" for r in runs[lab])
            print(f"  {lab}: wall {walls}; CPU {cpus}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cases", default="large,small", help="large, small or both (comma-separated)")
    parser.add_argument("--copies", type=int, default=4, help="copies of the dev sentences in the large twin")
    parser.add_argument("--twins", type=int, default=2000, help="small document pairs")
    parser.add_argument("--distractors", type=int, default=30)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", action="store_true", help="also learn the adapted model (the default of build)")
    parser.add_argument("--keep", type=Path, help="keep the corpora and outputs in this directory")
    parser.add_argument("--baseline-rev", help="also run the builds of this git revision (e.g. main), same rounds")
    parser.add_argument(
        "--no-compile", action="store_true", help="do not write the trees' bytecode first (see compile_tree)"
    )
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"bench_build: no data at {args.data}", file=sys.stderr)
        return 1
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not cases or set(cases) - {"large", "small"}:
        parser.error("--cases: large, small or both")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"builds {'with' if args.model else 'without'} the model; medians of {args.repeat} round(s)")
    baseline = None
    trees = [ROOT]
    if args.baseline_rev:
        tree = unpack_revision(ROOT, args.baseline_rev, work / "baseline-tree")
        baseline = cli_command(tree)
        trees.append(tree)
        print(f"baseline: {args.baseline_rev} ({tree})")
    if not args.no_compile:
        for source in trees:
            compile_tree(source)
        print("bytecode written first in every tree measured (as installed; --no-compile: not)")
    ok = True
    for case in cases:
        corpus = work / f"{case}-corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        corpus.mkdir(parents=True)
        if case == "large":
            deva, roman = make_twin(args.data, args.copies, corpus)
            print(f"\nlarge: one twin, the dev sentences x{args.copies} ({deva.stat().st_size + roman.stat().st_size} bytes)")
            ok = bench_case(case, corpus, deva, roman, None, work, args, baseline) and ok
        else:
            expected, order = make_corpus(
                corpus, read_pairs(args.data), twins=args.twins, distractors=args.distractors
            )
            deva, roman = work / "small-all.deva.txt", work / "small-all.roman.txt"
            for path, files in ((deva, order[0::2]), (roman, order[1::2])):
                path.write_text(
                    "\n\n".join((corpus / f).read_text(encoding="utf-8").strip() for f in files) + "\n",
                    encoding="utf-8",
                )
            n_docs = sum(1 for _ in corpus.iterdir())
            print(
                f"\nsmall: {n_docs} documents ({len(expected)} twin pairs, {3 * args.distractors} distractors); "
                "align runs on the twins concatenated in pair order"
            )
            ok = bench_case(case, corpus, deva, roman, expected, work, args, baseline) and ok
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("every twin paired, no distractor paired, outputs identical" if ok else "FAILED: see above")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
