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

Usage::

    python scripts/bench_model_load.py [--adaptation OUT/model.lpm] [--standalone FULL/model.lpm]
        [--runs 7] [--pure] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"

# one load in a fresh interpreter: the import is not timed, only LearnedModel.load
PROBE = """
import json, sys, time
from lipyantar.translit.learned.model import LearnedModel
wall, cpu = time.perf_counter(), time.process_time()
LearnedModel.load(sys.argv[1])
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
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
    args = ap.parse_args()

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
            "wall_s": round(statistics.median(r["wall"] for r in runs), 3),
            "cpu_s": round(statistics.median(r["cpu"] for r in runs), 3),
            "min_wall_s": round(min(r["wall"] for r in runs), 3),
            "max_wall_s": round(max(r["wall"] for r in runs), 3),
            "bytes": sizes[name],
        }
    base = report["default"]
    for row in report.values():
        row["ratio_to_default"] = round(row["wall_s"] / base["wall_s"], 2)
        row["minus_default_s"] = round(row["wall_s"] - base["wall_s"], 3)

    print(
        f"LearnedModel.load, median of {args.runs} fresh processes (wall; CPU), runs of the files alternating"
    )
    print(
        f"{'file':<26} {'size':>12} {'wall s':>7} {'cpu s':>7} {'min-max s':>12} {'× default':>10} {'- default s':>12}"
    )
    for name, row in report.items():
        print(
            f"{name:<26} {row['bytes']:>12,} {row['wall_s']:>7.3f} {row['cpu_s']:>7.3f} "
            f"{row['min_wall_s']:>5.2f}-{row['max_wall_s']:<5.2f} {row['ratio_to_default']:>10.2f} "
            f"{row['minus_default_s']:>+12.3f}"
        )
    print(f"adaptation / default load time: {report['adaptation']['ratio_to_default']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
