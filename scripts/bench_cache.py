"""Memory of one converter's caches over many new words: this tree's limits against the earlier ones.

A server or a long ``convert`` meets new word types without end; the per-word caches of the model and
its converters must stay bounded (``lipyantar.translit.learned.model.CACHE_BYTES``). This script converts
``--words`` random new roman words in sentences of 500, then as many others one by one as top-5
candidates, in a fresh process, and prints the growth of its resident memory at each quarter; it does
the same in a second process with the limits before they were bounded in bytes (200,000 entries per
model cache, 262,144 per converter memo), the baseline, in the same run.

    python scripts/bench_cache.py [--words 80000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

PROBE = r"""
import json, random, sys, time
import lipyantar.translit.transliterate
from lipyantar.translit.learned import search
if sys.argv[2] == "earlier":
    search.WORD_CACHE_LIMIT = 200_000
    sys.modules["lipyantar.translit.transliterate"]._CACHE_SIZE = 1 << 18
from lipyantar import Transliterator

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

n = int(sys.argv[1])
rng = random.Random(1)
pool = ("".join(rng.choice("kgtdpbmnrlsvhaeiou") for _ in range(rng.randint(4, 10))) for _ in range(4 * n))
words = list(dict.fromkeys(pool))[: 2 * n]
conv = Transliterator("roman", "deva")
conv.transliterate("namaste")
out = {"sentences": [], "candidates": []}
start, t = rss(), time.process_time()
for i in range(0, n, 500):
    conv.transliterate_many([" ".join(words[i : i + 500])])
    if (i + 500) % (n // 4) == 0:
        out["sentences"].append(round(rss() - start))
start = rss()
for j, w in enumerate(words[n : 2 * n]):
    conv.candidates(w, top_k=5)
    if (j + 1) % (n // 4) == 0:
        out["candidates"].append(round(rss() - start))
out["cpu_s"] = round(time.process_time() - t, 1)
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=80_000, help="new words per part (a multiple of 2,000)")
    args = ap.parse_args()
    rows = {}
    for limits in ("earlier", "this tree"):
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, str(args.words), "earlier" if limits == "earlier" else "now"],
            check=True,
            capture_output=True,
            text=True,
        )
        rows[limits] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"resident memory growth (MB) at each quarter of {args.words:,} new words")
    print(f"{'limits':<12} {'in sentences':<26} {'as top-5 candidates':<26} {'CPU s':>6}")
    for name, row in rows.items():
        print(f"{name:<12} {row['sentences']!s:<26} {row['candidates']!s:<26} {row['cpu_s']:>6}")
    last = {name: row["candidates"][-1] for name, row in rows.items()}
    print(f"candidates, last quarter: this tree / earlier = {last['this tree'] / max(last['earlier'], 1):.2f}")


if __name__ == "__main__":
    main()
