"""Benchmark loading a learned model: the default model, an adaptation file and its standalone twin.

``lipyantar build`` writes ``model.lpm`` as an adaptation of the default model (a small file: what
differs from the model installed with the package); ``--standalone-model`` writes the same model in
full. This script loads each file in fresh processes (so that no cache of a previous load helps; the
runs of the files alternate, so that another job on the machine slows all of them alike) and prints,
in one run: the median wall and CPU time of ``LearnedModel.load(path)`` over ``--runs`` loads, the
adaptation's ratio to the default model, and the file sizes. ``--pure`` also loads the adaptation with
``LIPYANTAR_PURE_PYTHON=1`` (no compiled kernels: the joint automaton compiled by the Python code).

Without ``--adaptation`` / ``--standalone`` the two files are built from ``corpora/example`` into a
temporary folder first (``lipyantar build``, twice, about half a minute).

It then times the installed command line converting one word, roman → Devanagari (``sangathan``, and
``tomorrow``: an English word the model has not attested, for which the per-token English/Hindi decision
opens the word-language tables) and Devanagari → roman, as whole processes, against a one-line script that converts one word with indic-transliteration's
sanscript (the baseline of issue 26), the runs alternating: median wall time, the ratio to the
baseline, and the peak resident memory of each process (``wait4``'s ``ru_maxrss``).

Usage::

    python scripts/bench_model_load.py [--adaptation OUT/model.lpm] [--standalone FULL/model.lpm]
        [--runs 7] [--pure] [--json OUT] [--one-word-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"

# one load in a fresh interpreter: the import is not timed, only LearnedModel.load, then check() (every
# component built: what a format 2 file defers to first use)
PROBE = """
import json, sys, time
from lipyantar.translit.learned.model import LearnedModel
wall, cpu = time.perf_counter(), time.process_time()
model = LearnedModel.load(sys.argv[1])
loaded, loaded_cpu = time.perf_counter(), time.process_time()
model.check()
print(json.dumps({"wall": loaded - wall, "cpu": loaded_cpu - cpu, "full_wall": time.perf_counter() - wall}))
"""


def load_once(path: Path, *, pure: bool = False) -> dict[str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    if pure:
        env["LIPYANTAR_PURE_PYTHON"] = "1"
    else:
        env.pop("LIPYANTAR_PURE_PYTHON", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def build(corpus: Path, dest: Path, *extra: str) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lipyantar",
            "-q",
            "build",
            str(corpus),
            "-o",
            str(dest),
            "--no-progress",
            *extra,
        ],
        cwd=ROOT,
        check=True,
    )
    return dest / "model.lpm"


#: one word through the installed command line, and the baseline: a sanscript one-liner
ONE_WORD = {
    "sanscript one-liner": (
        [
            sys.executable,
            "-c",
            "from indic_transliteration import sanscript; "
            "print(sanscript.transliterate('saMgaThana', sanscript.ITRANS, sanscript.DEVANAGARI))",
        ],
        "",
    ),
    "roman → deva, one word": ([sys.executable, "-m", "lipyantar", "convert", "--from", "roman", "--to", "deva"], "sangathan\n"),
    # an English word the model has not attested: the per-token English/Hindi decision opens the
    # word-language tables
    "roman → deva, English word": (
        [sys.executable, "-m", "lipyantar", "convert", "--from", "roman", "--to", "deva"],
        "tomorrow\n",
    ),
    "deva → roman, one word": ([sys.executable, "-m", "lipyantar", "convert", "--from", "deva", "--to", "roman"], "संगठन\n"),
}


def run_once(cmd: list[str], stdin: str) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process (outside the checkout: the installed package)."""
    # as installed code runs: with its bytecode cached (PYTHONDONTWRITEBYTECODE would time the compiler
    # on every run for lipyantar's editable source, not for the baseline's installed package)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=cwd, env=env)
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode("utf-8"))
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed with exit code {proc.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def one_word(runs: int) -> dict[str, dict[str, float]]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in ONE_WORD}
    for cmd, stdin in ONE_WORD.values():  # untimed: writes the bytecode caches
        run_once(cmd, stdin)
    for _ in range(runs):
        for name, (cmd, stdin) in ONE_WORD.items():
            times[name].append(run_once(cmd, stdin))
    base = statistics.median(w for w, _ in times["sanscript one-liner"])
    report = {
        name: {
            "wall_s": round(statistics.median(w for w, _ in rows), 3),
            "ratio_to_sanscript": round(statistics.median(w for w, _ in rows) / base, 2),
            "peak_mb": round(statistics.median(m for _, m in rows), 1),
        }
        for name, rows in times.items()
    }
    print(f"one word as a whole process, median of {runs} runs alternating (wall; peak resident memory)")
    print(f"{'command':<26} {'wall s':>7} {'× sanscript':>12} {'peak MB':>8}")
    for name, row in report.items():
        print(f"{name:<26} {row['wall_s']:>7.3f} {row['ratio_to_sanscript']:>12.2f} {row['peak_mb']:>8.1f}")
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--adaptation", type=Path, help="an adaptation file (default: built from corpora/example)"
    )
    ap.add_argument(
        "--standalone", type=Path, help="the same model in full (default: built with --standalone-model)"
    )
    ap.add_argument("--runs", type=int, default=7, help="loads per file (median reported)")
    ap.add_argument(
        "--pure", action="store_true", help="also load the adaptation with LIPYANTAR_PURE_PYTHON=1"
    )
    ap.add_argument("--json", type=Path, help="write the results as JSON here too")
    ap.add_argument("--one-word-only", action="store_true", help="only the one-word whole-process figures")
    args = ap.parse_args()
    if args.one_word_only:
        words = one_word(args.runs)
        if args.json:
            args.json.write_text(json.dumps({"one_word": words}, indent=2) + "\n", encoding="utf-8")
        return

    with tempfile.TemporaryDirectory(prefix="bench_model_load_") as tmp:
        adaptation = args.adaptation or build(ROOT / "corpora" / "example", Path(tmp) / "adapt")
        standalone = args.standalone or build(
            ROOT / "corpora" / "example", Path(tmp) / "full", "--standalone-model"
        )
        files = {
            "default": (DEFAULT_MODEL, False),
            "adaptation": (adaptation, False),
            "standalone": (standalone, False),
        }
        if args.pure:
            files["adaptation (pure Python)"] = (adaptation, True)
        times: dict[str, list[dict[str, float]]] = {name: [] for name in files}
        for _ in range(args.runs):
            for name, (path, pure) in files.items():
                times[name].append(load_once(path, pure=pure))
        sizes = {name: path.stat().st_size for name, (path, _) in files.items()}

    report: dict[str, dict[str, float]] = {}
    for name, runs in times.items():
        report[name] = {
            "wall_s": round(statistics.median(r["wall"] for r in runs), 4),
            "cpu_s": round(statistics.median(r["cpu"] for r in runs), 4),
            "full_wall_s": round(statistics.median(r["full_wall"] for r in runs), 4),
            "min_wall_s": round(min(r["wall"] for r in runs), 4),
            "max_wall_s": round(max(r["wall"] for r in runs), 4),
            "bytes": sizes[name],
        }
    base = report["default"]
    for row in report.values():
        row["ratio_to_default"] = round(row["wall_s"] / max(base["wall_s"], 1e-9), 2)
        row["minus_default_s"] = round(row["wall_s"] - base["wall_s"], 4)

    print(
        f"LearnedModel.load, median of {args.runs} fresh processes (wall; CPU), runs of the files alternating;"
        " + check(): every component built"
    )
    print(
        f"{'file':<26} {'size':>12} {'wall s':>7} {'cpu s':>7} {'min-max s':>13} {'× default':>10} {'+check() s':>11}"
    )
    for name, row in report.items():
        print(
            f"{name:<26} {row['bytes']:>12,} {row['wall_s']:>7.4f} {row['cpu_s']:>7.4f} "
            f"{row['min_wall_s']:>6.3f}-{row['max_wall_s']:<6.3f} {row['ratio_to_default']:>10.2f} "
            f"{row['full_wall_s']:>11.3f}"
        )
    print(f"adaptation / default load time: {report['adaptation']['ratio_to_default']:.2f}")
    print()
    words = one_word(args.runs)
    if args.json:
        args.json.write_text(json.dumps({**report, "one_word": words}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
