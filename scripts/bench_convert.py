#!/usr/bin/env python3
"""Benchmark of ``lipyantar convert``: speed against indic-transliteration, and roman-rules accuracy.

Speed: words/s of ``deva → iast`` and ``deva → roman-rules`` through :class:`lipyantar.translit.Transliterator`
(a fresh one per run, so the per-word-type cache starts cold) and of calling
``indic_transliteration.sanscript.transliterate`` directly on the same text, in the same run; ratios
are ours / direct (> 1 means faster). Accuracy: ``roman-rules`` match-any on the Dakshina dev lexicon
(a word is right when the output equals any attested romanization, case-insensitive) and mean CER
against the closest attested romanization.

Long lines (``--long-line``, on by default when the dev sentences are there): the first 3,200 words of
the Dakshina dev sentences (roman) converted by the installed command line, ``--format jsonl --top-k 5``,
as one line and as their sentences (the baseline), whole processes alternating: median wall time, the
ratio one line / sentences, and the peak resident memory of each.

Whole process (``--whole-process``, on by default): the first 8,000 Wikipedia lines converted
Devanagari → roman by the installed command line (the learned model, default options) against a
script that converts them to ITRANS with sanscript line by line (issue 26's baseline), whole processes
alternating: median wall time, the ratio sanscript / lipyantar (> 1: lipyantar is faster), and the
peak resident memory of each.

    python scripts/bench_convert.py [--data ../shared/data/dakshina-hi] [--repeat 3] [--no-long-line]
        [--no-whole-process]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit import Transliterator, normalize  # noqa: E402
from lipyantar.translit.metrics import edit_distance  # noqa: E402
from lipyantar.translit.rules import romanize_word  # noqa: E402


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def long_line(data: Path, repeat: int) -> None:
    """3,200 dev words as one line against the same words as their sentences (jsonl, top-5)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_model_load import run_once

    rows = [line.rstrip("\n").split("\t") for line in (data / "hi.sentences.dev.tsv").open(encoding="utf-8")]
    sentences, n = [], 0
    for row in rows:
        if len(row) > 1 and n < 3200:
            sentences.append(row[1])
            n += len(row[1].split())
    cmd = [sys.executable, "-m", "lipyantar", "convert", "--from", "roman", "--to", "deva", "--format", "jsonl", "--top-k", "5"]
    with tempfile.TemporaryDirectory() as tmp:
        files = {"as sentences": Path(tmp) / "sentences.txt", "as one line": Path(tmp) / "line.txt"}
        files["as sentences"].write_text("\n".join(sentences) + "\n", encoding="utf-8")
        files["as one line"].write_text(" ".join(sentences) + "\n", encoding="utf-8")
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in files}
        for _ in range(repeat):
            for name, path in files.items():
                runs[name].append(run_once([*cmd, str(path)], ""))
    base = statistics.median(w for w, _ in runs["as sentences"])
    print(f"\n{n} dev words, lipyantar convert --format jsonl --top-k 5, median of {repeat} alternating runs")
    print(f"{'input':<16} {'wall s':>7} {'× sentences':>12} {'peak MB':>8}")
    for name, rows_ in runs.items():
        wall = statistics.median(w for w, _ in rows_)
        peak = statistics.median(m for _, m in rows_)
        print(f"{name:<16} {wall:>7.2f} {wall / base:>12.2f} {peak:>8.1f}")


#: the baseline of the whole-process figures: sanscript, line by line, Devanagari → a scheme
SANSCRIPT_SCRIPT = """
import sys
from indic_transliteration import sanscript
out = sys.stdout
for line in sys.stdin:
    out.write(sanscript.transliterate(line.rstrip("\\n"), sanscript.DEVANAGARI, sanscript.{scheme}) + "\\n")
"""


def whole_process(lines: list[str], repeat: int) -> None:
    """Devanagari → roman (learned), → ITRANS and → IAST of ``lines`` through the command line, against
    the sanscript scripts (→ ITRANS is the baseline of → roman)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_model_load import run_once

    text = "\n".join(lines) + "\n"

    def ours(scheme: str) -> list[str]:
        return [sys.executable, "-m", "lipyantar", "convert", "--from", "deva", "--to", scheme]

    commands = {
        "sanscript → ITRANS script": [sys.executable, "-c", SANSCRIPT_SCRIPT.format(scheme="ITRANS")],
        "lipyantar convert deva → roman": ours("roman"),
        "lipyantar convert deva → itrans": ours("itrans"),
        "sanscript → IAST script": [sys.executable, "-c", SANSCRIPT_SCRIPT.format(scheme="IAST")],
        "lipyantar convert deva → iast": ours("iast"),
    }
    baseline = {name: "sanscript → IAST script" if "IAST" in name or "iast" in name else "sanscript → ITRANS script" for name in commands}
    for cmd in commands.values():  # untimed: writes the bytecode caches
        run_once(cmd, text)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(max(repeat, 5)):
        for name, cmd in commands.items():
            runs[name].append(run_once(cmd, text))
    walls = {name: statistics.median(w for w, _ in rows) for name, rows in runs.items()}
    n_words = sum(len(line.split()) for line in lines)
    print(f"\n{len(lines)} Wikipedia lines ({n_words} words) as whole processes, median of {max(repeat, 5)} alternating runs")
    print(f"{'command':<32} {'wall s':>7} {'× faster than its sanscript baseline':>37} {'peak MB':>8}")
    for name, rows in runs.items():
        peak = statistics.median(m for _, m in rows)
        print(f"{name:<32} {walls[name]:>7.3f} {walls[baseline[name]] / walls[name]:>37.2f} {peak:>8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dakshina-hi")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs; the best is reported")
    parser.add_argument("--sentences", type=int, default=0, help="use only the first N sentences (0: all)")
    parser.add_argument("--long-line", action=argparse.BooleanOptionalAction, default=True, help="the long-line figures")
    parser.add_argument(
        "--whole-process", action=argparse.BooleanOptionalAction, default=True, help="the whole-process figure"
    )
    parser.add_argument("--whole-process-only", action="store_true", help="only the whole-process figure")
    args = parser.parse_args()
    if args.long_line and not args.whole_process_only and (args.data / "hi.sentences.dev.tsv").exists():
        long_line(args.data, args.repeat)

    wiki = args.data / "hi.wiki-filt.valid.text.notest.txt.gz"
    if not wiki.exists():
        wiki = ROOT / "scripts" / "data" / "dakshina-hi" / "hi.wiki-filt.valid.text.notest.nodev.txt.gz"
    with gzip.open(wiki, "rt", encoding="utf-8") as fh:
        lines = [normalize(line.rstrip("\n")) for line in fh]
    if args.sentences:
        lines = lines[: args.sentences]
    if args.whole_process or args.whole_process_only:
        with gzip.open(wiki, "rt", encoding="utf-8") as fh:  # as the file has them (the command normalizes)
            whole_process([line.rstrip("\n") for line in itertools.islice(fh, 8000)], args.repeat)
        if args.whole_process_only:
            return 0
    n_words = sum(len(line.split()) for line in lines)
    print(f"text: {len(lines)} Dakshina Wikipedia sentences, {n_words} words ({wiki.name})")

    from indic_transliteration import sanscript

    def direct() -> None:
        for line in lines:
            sanscript.transliterate(line, sanscript.DEVANAGARI, sanscript.IAST)

    def ours(dst: str) -> Callable[[], None]:
        def run() -> None:
            conv = Transliterator("deva", dst)  # fresh: cold cache every run
            for line in lines:
                conv.transliterate(line)

        return run

    t_direct = best_of(args.repeat, direct)
    print(f"{'conversion':<42} {'words/s':>10} {'ratio':>7}")
    print(f"{'indic-transliteration direct, deva→iast':<42} {n_words / t_direct:>10,.0f} {1.0:>7.2f}")
    for dst in ("iast", "roman-rules"):
        t = best_of(args.repeat, ours(dst))
        print(f"{'lipyantar Transliterator, deva→' + dst:<42} {n_words / t:>10,.0f} {t_direct / t:>7.2f}")

    lexicon = args.data / "hi.translit.sampled.dev.tsv"
    if not lexicon.exists():
        print(f"\n(no {lexicon}: accuracy skipped)")
        return 0
    refs: dict[str, set[str]] = defaultdict(set)
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        native, roman = line.split("\t")[:2]
        refs[normalize(native)].add(roman.lower())
    correct = 0
    cers = []
    for native, romans in refs.items():
        out = romanize_word(native)
        correct += out in romans
        cers.append(min(edit_distance(out, r) / max(len(r), 1) for r in romans))
    print(f"\nroman-rules on the Dakshina dev lexicon ({len(refs)} distinct words):")
    print(f"  match-any accuracy {correct / len(refs):.4f}   mean CER {statistics.fmean(cers):.4f}")
    print("  (bar: >= 0.60; aksharamukha's colloquial scheme with schwa removal: about 0.59 on test)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
