"""Benchmark the word-language tables' first use, as whole processes, against a baseline revision.

For this checkout and (with ``--baseline-rev REV``) that git revision, run alternately in fresh processes
(so that another job on the machine slows both alike), ``--runs`` times each:

* **tables**: import :mod:`lipyantar.translit.wordlang`, then time the first use of the packaged
  tables: ``load_tables()`` and one word's log probability in English and romanized Hindi (what the
  per-token English/Hindi decision and ``english_margin`` ask), then in all five languages (what a
  build's language identification asks); the peak resident memory that this adds (``VmHWM`` before
  and after);
* **one word**: the command line converting one word roman → Devanagari as a whole process, for
  unattested English words (``tomorrow``, ``weeks``: the per-token decision loads the tables) and an
  attested Hindi word (``namaste``): wall time and peak resident memory (``wait4``'s ``ru_maxrss``).

It prints the medians and, per figure, the ratio this checkout / baseline. Usage::

    python scripts/bench_wordlang_tables.py [--baseline-rev main] [--runs 7]
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
sys.path.insert(0, str(ROOT / "scripts"))

from source_tree import cli_command  # noqa: E402

#: one process: the tables' first use, timed inside it (the imports are not timed)
PROBE = """
import json, sys, time
sys.path.insert(0, {scripts!r})
from pathlib import Path
from source_tree import use_source_tree
use_source_tree(Path({tree!r}))
from lipyantar.translit import wordlang

def peak_mb():  # this process's own peak resident memory (VmHWM: not the parent's, as ru_maxrss may be)
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024

rss0 = peak_mb()
t0 = time.perf_counter()
tables = wordlang.load_tables()
for lang in ("en", "hi-Latn"):
    tables.logprob("tomorrow", lang)
t1 = time.perf_counter()
rss1 = peak_mb()
for lang in ("fa", "ur", "ar"):
    tables.logprob("kitab", lang)
t2 = time.perf_counter()
rss2 = peak_mb()
print(json.dumps({{"two_s": t1 - t0, "two_mb": rss1 - rss0, "all_s": t2 - t0, "all_mb": rss2 - rss0}}))
"""

WORDS = ("tomorrow", "weeks", "namaste")


def probe(tree: Path) -> dict[str, float]:
    code = PROBE.format(scripts=str(ROOT / "scripts"), tree=str(tree))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    return dict(json.loads(out.stdout))


def one_word(cmd: list[str], word: str) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one conversion process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=cwd, env=env)
        assert proc.stdin is not None
        proc.stdin.write((word + "\n").encode("utf-8"))
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{cmd} failed on {word!r}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline-rev", help="also measure this git revision, in the same run")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_wordlang_") as tmp:
        trees = [("this checkout", ROOT)]
        if args.baseline_rev:
            # unpacked by a child process: this one stays small, for a child inherits the peak resident
            # memory of the process it was forked from (which wait4's ru_maxrss would report)
            dest = Path(tmp) / "tree"
            code = f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r}); from pathlib import Path; "
            code += f"from source_tree import unpack_revision; unpack_revision(Path({str(ROOT)!r}), {args.baseline_rev!r}, Path({str(dest)!r}))"
            subprocess.run([sys.executable, "-c", code], check=True)
            trees.append((f"baseline {args.baseline_rev}", dest))
        rows: dict[str, dict[str, list[float]]] = {name: {} for name, _ in trees}
        commands = {name: [*cli_command(tree), "convert", "--from", "roman", "--to", "deva"] for name, tree in trees}
        for name, tree in trees:  # untimed: bytecode caches
            probe(tree)
            one_word(commands[name], WORDS[0])
        for _ in range(args.runs):
            for name, tree in trees:
                for key, value in probe(tree).items():
                    rows[name].setdefault(key, []).append(value)
                for word in WORDS:
                    wall, peak = one_word(commands[name], word)
                    rows[name].setdefault(f"{word} wall s", []).append(wall)
                    rows[name].setdefault(f"{word} peak MB", []).append(peak)
    labels = {
        "two_s": "tables: load + en, hi-Latn (s)",
        "two_mb": "tables: load + en, hi-Latn (MB)",
        "all_s": "tables: load + 5 languages (s)",
        "all_mb": "tables: load + 5 languages (MB)",
    }
    names = [name for name, _ in trees]
    print(f"median of {args.runs} runs, alternating; load average {os.getloadavg()[0]:.2f}")
    print(f"{'figure':<34}" + "".join(f"{n:>22}" for n in names) + ("   ratio" if len(names) == 2 else ""))
    for key in rows[names[0]]:
        medians = [statistics.median(rows[n][key]) for n in names]
        line = f"{labels.get(key, 'convert ' + key):<34}" + "".join(f"{m:>22.3f}" for m in medians)
        if len(names) == 2 and medians[1]:
            line += f"   {medians[0] / medians[1]:.2f}"
        print(line)


if __name__ == "__main__":
    main()
