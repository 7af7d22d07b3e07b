#!/usr/bin/env python
"""Benchmark ``lipyantar build`` of one large twin (model included, the default) against ``lipyantar align``
of the same two files, this tree and a baseline revision in the same run (issue 30).

The twin: the Dakshina dev sentences ``--copies`` times (default 4), in paragraphs of 2-5 sentences, as a
Devanagari file and its romanized twin (``scripts/bench_words.py``'s ``make_twin``: 19,788 sentence
pairs). Each command runs in a fresh process through the command line (``source_tree.cli_command``: the
tree's own code and compiled kernels); rounds alternate the trees. Per tree it prints the wall time of
``align`` and of ``build`` (medians), their ratio (the bar: build <= 6x align), the build's CPU time, its
peak memory (the largest sum over the build process and all its worker processes, sampled every 20 ms,
of their resident sizes and of their proportional set sizes, which count shared pages once; and the
largest single process, as ``time -v`` reports it), the sentence pairs
written, the size of ``model.lpm`` and the twin WER of the adapted model: the roman side of the dev
sentences (each once) converted to Devanagari with ``lipyantar convert --from roman --to deva --model
model.lpm`` and scored with ``lipyantar evaluate --hyp --ref`` against the Devanagari side, by this tree's
code for both models (the default model's WER is printed too, for reference). Then the ratios of this tree
to the baseline.

Usage::

    python scripts/bench_twin_build.py [--baseline-rev main] [--rounds 1] [--copies 4]
        [--data /work/shared/data/dakshina-hi/hi.sentences.dev.tsv] [--jobs N] [--keep DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_words import make_twin  # noqa: E402
from source_tree import cli_command, unpack_revision  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _pss(pid: int) -> int:
    """The proportional set size of ``pid`` in bytes (pages shared with other processes counted in shares),
    or its resident size when the kernel gives no smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return -1


def _tree_rss(root: int) -> tuple[int, int, int]:
    """(sum of resident sizes, sum of proportional set sizes, largest resident size), in bytes, of process
    ``root`` and all its descendants, now."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/statm", "rb") as fh:
                resident = int(fh.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
        rss[int(entry)] = resident
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    sizes = [rss.get(pid, 0) for pid in members]
    pss = [_pss(pid) for pid in members]
    pss_sum = sum(p if p >= 0 else r for p, r in zip(pss, sizes, strict=True))
    return sum(sizes), pss_sum, max(sizes, default=0)


def run(command: list[str], *, cwd: Path | None = None) -> dict[str, float]:
    """Run ``command``; wall and CPU seconds (with children), peak tree and single-process memory (MB)."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_sum = peak_pss = peak_one = 0
    while proc.poll() is None:
        total, pss, largest = _tree_rss(proc.pid)
        peak_sum, peak_pss, peak_one = max(peak_sum, total), max(peak_pss, pss), max(peak_one, largest)
        time.sleep(0.02)
    wall = time.perf_counter() - start
    after = os.times()
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"bench_twin_build: {' '.join(command[-6:])} failed ({proc.returncode}):\n{err}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_tree_mb": peak_sum / 2**20,
        "peak_tree_pss_mb": peak_pss / 2**20,
        "peak_process_mb": peak_one / 2**20,
    }


def twin_wer(cli: list[str], model: Path | None, roman: Path, deva: Path, work: Path) -> float:
    """WER of ``model`` (None: the default model) converting ``roman`` to Devanagari against ``deva``."""
    hyp = work / f"hyp-{model.parent.name if model else 'default'}.txt"
    command = [*cli, "-q", "convert", "--from", "roman", "--to", "deva", str(roman), "-o", str(hyp)]
    if model is not None:
        command += ["--model", str(model)]
    subprocess.run(command, check=True, capture_output=True)
    out = subprocess.run(
        [*cli, "-q", "evaluate", "--hyp", str(hyp), "--ref", str(deva)], check=True, capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    return float(report["wer"]["score"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--baseline-rev", help="git revision measured against, in the same run (e.g. main)")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds per tree (medians)")
    parser.add_argument("--jobs", type=int, help="build --jobs (default: the build's own default)")
    parser.add_argument("--keep", type=Path, help="keep the twin and outputs in this directory")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"bench_twin_build: no data at {args.data}", file=sys.stderr)
        return 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-twin-build-"))
    work.mkdir(parents=True, exist_ok=True)
    deva, roman = make_twin(args.data, args.copies, work)
    pairs = deva.read_text(encoding="utf-8").count("\n\n") + 1
    rows = [line.split("\t") for line in args.data.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if len(r) == 2 and r[0].strip() and r[1].strip()]
    sent_deva, sent_roman = work / "sentences.deva", work / "sentences.roman"
    sent_deva.write_text("".join(r[0].strip() + "\n" for r in rows), encoding="utf-8")
    sent_roman.write_text("".join(r[1].strip() + "\n" for r in rows), encoding="utf-8")
    print(f"twin: {deva} / {roman} ({pairs} paragraphs of the {len(rows)} dev sentences x{args.copies})", flush=True)

    trees = {"this": ROOT}
    if args.baseline_rev:
        trees["baseline"] = unpack_revision(ROOT, args.baseline_rev, work / "baseline-tree")
    clis = {name: cli_command(tree) for name, tree in trees.items()}
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    outputs: dict[str, Path] = {}
    for _round in range(args.rounds):
        for name, cli in clis.items():
            aligned = work / f"align-{name}.tsv"
            a = run([*cli, "-q", "align", str(deva), str(roman), "-o", str(aligned)])
            out = work / f"build-{name}"
            if out.exists():
                shutil.rmtree(out)
            jobs = ["--jobs", str(args.jobs)] if args.jobs else []
            b = run([*cli, "-q", "build", str(deva), str(roman), "-o", str(out), "--no-progress", *jobs])
            outputs[name] = out
            f = figures[name]
            for key, value in (
                ("align_wall", a["wall"]),
                ("align_cpu", a["cpu"]),
                ("build_wall", b["wall"]),
                ("build_cpu", b["cpu"]),
                ("peak_tree_mb", b["peak_tree_mb"]),
                ("peak_tree_pss_mb", b["peak_tree_pss_mb"]),
                ("peak_process_mb", b["peak_process_mb"]),
                ("ratio", b["wall"] / a["wall"]),
                ("cpu_ratio", b["cpu"] / a["cpu"]),
            ):
                f.setdefault(key, []).append(value)
            print(f"  {name}: align {a['wall']:.2f} s ({a['cpu']:.1f} s CPU), build {b['wall']:.2f} s ({b['cpu']:.1f} s CPU), "
                  f"peak {b['peak_tree_mb']:.0f} MB RSS / {b['peak_tree_pss_mb']:.0f} MB PSS", flush=True)
    this_cli = clis["this"]
    report: dict[str, dict[str, float]] = {}
    for name in trees:
        out = outputs[name]
        written = sum(1 for _ in (out / "parallel.jsonl").open(encoding="utf-8"))
        model = out / "model.lpm"
        report[name] = {
            **{key: statistics.median(values) for key, values in figures[name].items()},
            "pairs_written": written,
            "model_bytes": model.stat().st_size if model.exists() else 0,
            "twin_wer": twin_wer(this_cli, model, sent_roman, sent_deva, work) if model.exists() else float("nan"),
        }
    default_wer = twin_wer(this_cli, None, sent_roman, sent_deva, work)
    print()
    print(f"{'tree':9} {'align s':>8} {'build s':>8} {'build/align':>11} {'CPU ratio':>9} {'build CPU s':>11} {'peak RSS all':>12} "
          f"{'peak PSS all':>12} {'peak RSS 1':>10} {'pairs':>6} {'model KB':>9} {'twin WER':>9}")
    for name, r in report.items():
        print(f"{name:9} {r['align_wall']:8.2f} {r['build_wall']:8.2f} {r['ratio']:11.2f} {r['cpu_ratio']:9.2f} {r['build_cpu']:11.1f} "
              f"{r['peak_tree_mb']:12.0f} {r['peak_tree_pss_mb']:12.0f} {r['peak_process_mb']:10.0f} "
              f"{r['pairs_written']:6d} {r['model_bytes'] / 1024:9.0f} {r['twin_wer']:9.4f}")
    print("(build/align: wall-time ratio, the bar; CPU ratio: the same in CPU seconds, with the workers', which a")
    print(" busy shared machine disturbs less; peak memory in MB of the build process and all its workers: the sum of resident sizes, and of")
    print(" proportional set sizes, which count the pages the processes share once; and the largest process)")
    print(f"default model (not adapted), twin WER {default_wer:.4f}")
    if "baseline" in report:
        t, b = report["this"], report["baseline"]
        print(f"this / baseline: build time {t['build_wall'] / b['build_wall']:.3f}, build CPU "
              f"{t['build_cpu'] / b['build_cpu']:.3f}, build/align ratio {t['ratio']:.2f} vs {b['ratio']:.2f}, "
              f"peak memory (RSS sum) {t['peak_tree_mb'] / b['peak_tree_mb']:.3f}, twin WER {t['twin_wer']:.4f} vs {b['twin_wer']:.4f}")
    bar = report["this"]
    for what, met in (
        ("build <= 6x align (wall)", bar["ratio"] <= 6),
        ("peak <= 500 MB (RSS sum)", bar["peak_tree_mb"] <= 500),
        ("peak <= 500 MB (PSS sum)", bar["peak_tree_pss_mb"] <= 500),
        (">= 4,900 pairs", bar["pairs_written"] >= 4900),
    ):
        print(f"bar: {what}: {'met' if met else 'not met'}")
    if args.json:
        args.json.write_text(json.dumps({"report": report, "default_twin_wer": default_wer}, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
