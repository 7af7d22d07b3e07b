#!/usr/bin/env python3
"""Benchmark of the ``align`` package on perturbed twin documents built from the Dakshina dev set.

Reports

1. bead precision / recall / F1 and sentence pairs per second of ``lipyantar.align.align_sentences`` on
   documents whose sides were perturbed at random (merges, splits and deletions of sentences on
   either side, paragraphs), with ``--presplit``-style input and with input the aligner must split
   itself (and the share of that time spent in sentence segmentation); next to a length-only Gale-Church
   baseline (``nltk.translate.gale_church``) run on the same sentences;
2. word alignment precision / recall / F1 against the gold token alignment
   ``hi.sentences.dev.aligned.tsv``;
3. a scaling row: time and peak memory for 1k, 10k, 100k and 1M sentence documents (each size in
   its own process, so the peak memory is that size's own).

Times are CPU time of this process (``time.process_time``): the throughput of one core, less affected
by other jobs sharing the machine (repeated measurements report the best of 3). Romanization is memoized per word type; the benchmark shares one
:class:`~lipyantar.align.similarity.Similarity` (as ``align_sentences`` does by default), so the first document
pays for the romanization of most of the vocabulary.

Usage::

    .venv/bin/python scripts/bench_align.py [--data DIR] [--docs 20] [--doc-size 250] [--scaling 1000,10000]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.align import Similarity, align_sentences, align_words, split_lines, split_sentences  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/dakshina-hi")
_DEVA_END = "।"
_ROMAN_END = "."

GoldBead = tuple[frozenset[int], frozenset[int]]


# ------------------------------------------------------------------------------------------ data


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[0].strip() and parts[1].strip():
                pairs.append((" ".join(parts[0].split()), " ".join(parts[1].split())))
    return pairs


def read_gold_words(path: Path) -> list[list[tuple[str, str]]]:
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "</s>":
                sentences.append(current)
                current = []
            elif len(parts) == 2:
                current.append((parts[0], parts[1]))
    return sentences


@dataclass
class Doc:
    """A perturbed twin: per side a list of paragraphs, each a list of sentences; gold beads."""

    deva: list[list[str]]
    roman: list[list[str]]
    gold: list[GoldBead]

    def sentences(self, side: str) -> list[str]:
        return [s for p in (self.deva if side == "deva" else self.roman) for s in p]


def _terminated(text: str, mark: str) -> str:
    return text if text[-1] in "।॥?!." else text + (mark if mark == "." else " " + mark)


def _unterminated(text: str) -> str:
    return text.rstrip("।॥?!. ") or text


def _split(text: str, mark: str) -> tuple[str, str] | None:
    words = text.split()
    if len(words) < 6:
        return None
    cut = len(words) // 2
    first = " ".join(words[:cut])
    if first[-1] in "।॥?!.":
        return None
    return _terminated(first, mark), " ".join(words[cut:])


def make_doc(
    pairs: Sequence[tuple[str, str]],
    rng: random.Random,
    *,
    rate: float = 0.04,
    terminate: bool = False,
) -> Doc:
    """Group ``pairs`` into paragraphs of 2-9 sentences and perturb: each unit is, with probability
    ``rate`` each, merged with the next one (Devanagari side or roman side), split in two (either side) or
    deleted (either side)."""
    deva: list[list[str]] = []
    roman: list[list[str]] = []
    gold: list[GoldBead] = []
    i = j = 0
    k = 0
    while k < len(pairs):
        size = rng.randint(2, 9)
        para = list(pairs[k : k + size])
        k += size
        if terminate:
            para = [(_terminated(d, _DEVA_END), _terminated(r, _ROMAN_END)) for d, r in para]
        dp: list[str] = []
        rp: list[str] = []
        u = 0
        while u < len(para):
            d, r = para[u]
            x = rng.random()
            has_next = u + 1 < len(para)
            op = int(x / rate) if x < 6 * rate else -1
            if op == 0 and has_next:  # merge on the Devanagari side: 1-2
                d2, r2 = para[u + 1]
                dp.append(_unterminated(d) + ", " + d2 if terminate else d + " " + d2)
                rp += [r, r2]
                gold.append((frozenset([i]), frozenset([j, j + 1])))
                i, j, u = i + 1, j + 2, u + 2
                continue
            if op == 1 and has_next:  # merge on the roman side: 2-1
                d2, r2 = para[u + 1]
                dp += [d, d2]
                rp.append(_unterminated(r) + ", " + r2 if terminate else r + " " + r2)
                gold.append((frozenset([i, i + 1]), frozenset([j])))
                i, j, u = i + 2, j + 1, u + 2
                continue
            if op == 2 and (halves := _split(d, _DEVA_END)):  # split on the Devanagari side: 2-1
                dp += list(halves)
                rp.append(r)
                gold.append((frozenset([i, i + 1]), frozenset([j])))
                i, j, u = i + 2, j + 1, u + 1
                continue
            if op == 3 and (halves := _split(r, _ROMAN_END)):  # split on the roman side: 1-2
                dp.append(d)
                rp += list(halves)
                gold.append((frozenset([i]), frozenset([j, j + 1])))
                i, j, u = i + 1, j + 2, u + 1
                continue
            if op == 4:  # deleted on the roman side: 1-0
                dp.append(d)
                gold.append((frozenset([i]), frozenset()))
                i, u = i + 1, u + 1
                continue
            if op == 5:  # deleted on the Devanagari side: 0-1
                rp.append(r)
                gold.append((frozenset(), frozenset([j])))
                j, u = j + 1, u + 1
                continue
            dp.append(d)
            rp.append(r)
            gold.append((frozenset([i]), frozenset([j])))
            i, j, u = i + 1, j + 1, u + 1
        # a paragraph can lose all its sentences on one side (deletions): it is then simply absent there
        if dp:
            deva.append(dp)
        if rp:
            roman.append(rp)
    return Doc(deva, roman, gold)


def doc_text(
    paragraphs: list[list[str]], rng: random.Random, *, glue: float = 0.1
) -> tuple[str, list[list[int]]]:
    """Running text, one paragraph per line; some sentences glued without a space after the mark.

    Also returns, per paragraph, the start offset of each sentence in the paragraph line.
    """
    lines = []
    starts: list[list[int]] = []
    for para in paragraphs:
        line = ""
        offs = []
        for s in para:
            if line:
                line += "" if (line[-1] in "।." and rng.random() < glue) else " "
            offs.append(len(line))
            line += s
        lines.append(line)
        starts.append(offs)
    return "\n".join(lines) + "\n", starts


def presplit_text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join("\n".join(p) for p in paragraphs) + "\n"


# ------------------------------------------------------------------------------------- scoring


def prf(pred: set, gold: set) -> tuple[float, float, float]:
    hit = len(pred & gold)
    p = hit / len(pred) if pred else 0.0
    r = hit / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def map_sentences(
    segmented: list, paragraphs: list[list[str]], starts: list[list[int]], text: str
) -> list[set[int]]:
    """For each segmented sentence the gold sentence numbers it overlaps (by character offsets)."""
    lines = text.split("\n")
    base = []
    g = 0
    for para in paragraphs:
        base.append(g)
        g += len(para)
    out: list[set[int]] = []
    cursor: dict[int, int] = {}
    for s in segmented:
        p = s.paragraph
        line = lines[p]
        begin = line.find(s.text, cursor.get(p, 0))
        if begin < 0:
            raise RuntimeError(f"segment not found: {s.text!r}")
        end = begin + len(s.text)
        cursor[p] = end
        offs = starts[p] + [len(line) + 1]
        ids = set()
        for q in range(len(starts[p])):
            lo, hi = offs[q], offs[q + 1]
            if begin < hi and end > lo and line[max(begin, lo) : min(end, hi)].strip(" ,"):
                ids.add(base[p] + q)
        out.append(ids)
    return out


def beads_as_gold(beads, deva_map=None, roman_map=None) -> set[GoldBead]:
    """Predicted beads in gold sentence numbers.

    With maps (running text), each bead is projected onto the gold sentences its segments overlap, and
    beads that share a gold sentence are joined: a gold sentence that the segmenter cut in two (it has
    an inner sentence mark) is one unit, aligned right when its pieces are.
    """
    projected = []
    for b in beads:
        d = frozenset(x for i in b.deva for x in (deva_map[i] if deva_map else (i,)))
        r = frozenset(x for j in b.roman for x in (roman_map[j] if roman_map else (j,)))
        projected.append((d, r))
    if deva_map is None:
        return set(projected)
    out: set[GoldBead] = set()
    cur_d: set[int] = set()
    cur_r: set[int] = set()
    for d, r in projected:  # beads are in document order: shared sentences are neighbours
        if (cur_d or cur_r) and not (d & cur_d or r & cur_r):
            out.add((frozenset(cur_d), frozenset(cur_r)))
            cur_d, cur_r = set(), set()
        cur_d |= d
        cur_r |= r
    if cur_d or cur_r:
        out.add((frozenset(cur_d), frozenset(cur_r)))
    return out


def join_fragments(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join a Dakshina sentence with the next when its final "." is not a sentence end by the
    segmentation rules (``बी.``, ``ई.``, ``S.``: the Dakshina sentence splitter cut at initials and
    abbreviations); running text made of such fragments has no sentence boundary there."""
    out: list[tuple[str, str]] = []
    pending: tuple[str, str] | None = None
    for d, r in pairs:
        if pending is not None:
            d, r = pending[0] + " " + d, pending[1] + " " + r
            pending = None
        cut_d = len(split_sentences(d + " अगला।", script="deva")) > len(split_sentences(d, script="deva"))
        cut_r = len(split_sentences(r + " agla.", script="roman")) > len(split_sentences(r, script="roman"))
        ends_d, ends_r = d[-1] in "।॥?!.|", r[-1] in "।॥?!."
        if (ends_d and not cut_d) or (ends_r and not cut_r):
            pending = (d, r)
        else:
            out.append((d, r))
    if pending is not None:
        out.append(pending)
    return out


def gale_church_beads(deva: list[str], roman: list[str]) -> list:
    """Length-only baseline: nltk's Gale-Church on character lengths, as beads (index tuples)."""
    from nltk.translate.gale_church import align_blocks

    pairs = align_blocks([len(s) for s in deva], [len(s) for s in roman])
    # group links into beads: connected components over the links, plus unlinked sentences
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(("d", i))] = find(("r", j))
    groups: dict = {}
    for i in range(len(deva)):
        groups.setdefault(find(("d", i)), ([], []))[0].append(i)
    for j in range(len(roman)):
        groups.setdefault(find(("r", j)), ([], []))[1].append(j)

    @dataclass
    class _B:
        deva: tuple
        roman: tuple

    return [_B(tuple(d), tuple(r)) for d, r in groups.values()]


# ---------------------------------------------------------------------------------- benchmarks


def bench_sentences(pairs, args) -> None:
    rng = random.Random(args.seed)
    order = list(range(len(pairs)))
    docs = []
    for _ in range(args.docs):
        start = rng.randrange(0, max(1, len(pairs) - args.doc_size))
        docs.append([pairs[k] for k in order[start : start + args.doc_size]])
    print(
        f"## Sentence alignment: {args.docs} perturbed twin documents of {args.doc_size} sentences "
        f"(perturbation rate {args.rate} per kind, 6 kinds), seed {args.seed}\n"
    )
    print(
        "| input | system | precision | recall | F1 | sentence pairs/s (first pass) "
        "| sentence pairs/s (romanization memo warm) |"
    )
    print("|---|---|---|---|---|---|---|")
    joined = [join_fragments(units) for units in docs]
    segmentation_note = ""
    for mode in ("presplit", "split"):
        stats = {"lipyantar": [set(), set(), 0.0, 0], "gale-church (length only)": [set(), set(), 0.0, 0]}
        inputs: list[tuple] = []
        for n, units in enumerate(docs if mode == "presplit" else joined):
            drng = random.Random(args.seed * 1000 + n)
            doc = make_doc(units, drng, rate=args.rate, terminate=(mode == "split"))
            gold = {(n, g) for g in doc.gold}
            if mode == "presplit":
                deva = split_lines(presplit_text(doc.deva))
                roman = split_lines(presplit_text(doc.roman))
                dmap = rmap = None
                inputs.append((deva, roman))
                t0 = time.process_time()
            else:
                dtext, dstarts = doc_text(doc.deva, drng)
                rtext, rstarts = doc_text(doc.roman, drng)
                inputs.append((dtext, rtext))
                t0 = time.process_time()
                deva = split_sentences(dtext, script="deva")
                roman = split_sentences(rtext, script="roman")
                split_time = time.process_time() - t0
                dmap = map_sentences(deva, doc.deva, dstarts, dtext)
                rmap = map_sentences(roman, doc.roman, rstarts, rtext)
                t0 = time.process_time() - split_time  # segmentation counts, the scoring maps do not
            beads = align_sentences(deva, roman)
            elapsed = time.process_time() - t0
            s = stats["lipyantar"]
            s[0] |= {(n, b) for b in beads_as_gold(beads, dmap, rmap)}
            s[1] |= gold
            s[2] += elapsed
            s[3] += (len(deva) + len(roman)) / 2
            if not args.skip_baseline:
                t0 = time.process_time()
                gc = gale_church_beads([x.text for x in deva], [x.text for x in roman])
                elapsed = time.process_time() - t0
                s = stats["gale-church (length only)"]
                s[0] |= {(n, b) for b in beads_as_gold(gc, dmap, rmap)}
                s[1] |= gold
                s[2] += elapsed
                s[3] += (len(deva) + len(roman)) / 2
        # the same documents again: every word type has been romanized once already (best of 3 runs,
        # as the machine may be shared)
        best = best_split = math.inf
        for _ in range(3):
            t0 = time.process_time()
            split_time = 0.0
            for deva_in, roman_in in inputs:
                if mode == "split":
                    t1 = time.process_time()
                    deva_in = split_sentences(deva_in, script="deva")
                    roman_in = split_sentences(roman_in, script="roman")
                    split_time += time.process_time() - t1
                align_sentences(deva_in, roman_in)
            elapsed = time.process_time() - t0
            if elapsed < best:
                best, best_split = elapsed, split_time
        warm = stats["lipyantar"][3] / best
        if mode == "split":
            segmentation_note = (
                f"Running text, warm: sentence segmentation (`split_sentences`, both sides) takes "
                f"{best_split / best:.0%} of the time ({stats['lipyantar'][3] / best_split:,.0f} sentence pairs/s "
                f"on its own), alignment the rest.\n"
            )
        label = "--presplit" if mode == "presplit" else "running text (aligner splits)"
        for system, (pred, gold, secs, count) in stats.items():
            if not gold:
                continue
            p, r, f = prf(pred, gold)
            again = f"{warm:,.0f}" if system == "lipyantar" else "(same)"
            print(f"| {label} | {system} | {p:.4f} | {r:.4f} | {f:.4f} | {count / secs:,.0f} | {again} |")
    print()
    if segmentation_note:
        print(segmentation_note)


def bench_words(path: Path) -> None:
    gold_sentences = read_gold_words(path)
    sim = Similarity()
    pred_links: set = set()
    gold_links: set = set()
    t0 = time.process_time()
    n_words = 0
    for s, rows in enumerate(gold_sentences):
        dt: list[str] = []
        rt: list[str] = []
        for d, r in rows:
            di = list(range(len(dt), len(dt) + len(d.split())))
            ri = list(range(len(rt), len(rt) + len(r.split())))
            dt += d.split()
            rt += r.split()
            gold_links |= {(s, a, b) for a in di for b in ri}
        n_words += len(dt)
        for link in align_words(dt, rt, similarity=sim):
            pred_links |= {(s, a, b) for a in link.deva_index for b in link.roman_index}
    elapsed = time.process_time() - t0
    p, r, f = prf(pred_links, gold_links)
    print(f"## Word alignment against {path.name} ({len(gold_sentences)} sentences, {n_words} words)\n")
    print("| precision | recall | F1 | words/s |")
    print("|---|---|---|---|")
    print(f"| {p:.4f} | {r:.4f} | {f:.4f} | {n_words / elapsed:,.0f} |\n")


def _vm(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB (VmHWM: peak resident set)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def scaling_child(pairs_path: Path, size: int, seed: int, rate: float) -> dict:
    """Run in a separate process: align a ``size``-sentence perturbed twin, report time and memory."""
    pairs = read_pairs(pairs_path)
    rng = random.Random(seed)
    units = [pairs[rng.randrange(len(pairs))] for _ in range(size)]
    doc = make_doc(units, rng, rate=rate)
    deva = split_lines(presplit_text(doc.deva))
    roman = split_lines(presplit_text(doc.roman))
    del doc, units
    # romanize the vocabulary first (memoized per word type), so that the rows show how the alignment
    # itself scales; the first-pass cost of romanization is in the sentence alignment table
    from lipyantar.align.sentences import _shared_similarity

    sim = _shared_similarity()
    for native, roman_text in pairs:
        sim.features(native)
        sim.features(roman_text)
    gc.collect()
    rss_before = _vm("VmRSS")
    try:  # reset the peak (VmHWM) so that it measures the alignment, not building the documents
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass
    from lipyantar.align import iter_align_sentences

    elapsed = math.inf
    for _ in range(3 if size <= 100_000 else 1):  # best of 3 where affordable: the machine may be shared
        t0 = time.process_time()
        count = 0
        for _bead in iter_align_sentences(deva, roman):
            count += 1
        elapsed = min(elapsed, time.process_time() - t0)
    rss_after = _vm("VmHWM")
    return {
        "size": size,
        "seconds": elapsed,
        "pairs_per_s": (len(deva) + len(roman)) / 2 / elapsed,
        "peak_rss_mb": rss_after,
        "input_rss_mb": rss_before,
        "beads": count,
    }


def bench_scaling(pairs_path: Path, sizes: list[int], seed: int, rate: float) -> None:
    print(
        "## Scaling (--presplit input, streaming aligner, one core, romanization memo warmed up first; "
        "each size in its own process)\n"
    )
    print(
        "| sentences per side | time (s) | sentence pairs/s | peak RSS (MB) | RSS of the input documents (MB) "
        "| aligner's extra (MB) |"
    )
    print("|---|---|---|---|---|---|")
    for size in sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--scaling-child",
                str(size),
                "--sentences",
                str(pairs_path),
                "--seed",
                str(seed),
                "--rate",
                str(rate),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {row['size']:,} | {row['seconds']:.2f} | {row['pairs_per_s']:,.0f} | {row['peak_rss_mb']:.0f} "
            f"| {row['input_rss_mb']:.0f} | {row['peak_rss_mb'] - row['input_rss_mb']:.0f} |",
            flush=True,
        )
    print()


def calibrate() -> float:
    """CPU seconds of a plain interpreter loop: to compare throughput figures across machines."""
    t0 = time.process_time()
    total = 0
    for i in range(10**7):
        total += i
    return time.process_time() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory with the Dakshina hi files")
    ap.add_argument(
        "--sentences",
        type=Path,
        default=None,
        help="native<TAB>roman sentences (default: DATA/hi.sentences.dev.tsv)",
    )
    ap.add_argument(
        "--aligned",
        type=Path,
        default=None,
        help="gold token alignment (default: DATA/hi.sentences.dev.aligned.tsv)",
    )
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--doc-size", type=int, default=250)
    ap.add_argument(
        "--rate", type=float, default=0.02, help="probability of each of the 6 perturbations per sentence"
    )
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--scaling", default="1000,10000,100000,1000000", help="comma-separated sizes ('' to skip)"
    )
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-words", action="store_true")
    ap.add_argument("--scaling-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sentences = args.sentences or args.data / "hi.sentences.dev.tsv"
    aligned = args.aligned or args.data / "hi.sentences.dev.aligned.tsv"
    if args.scaling_child is not None:
        print(json.dumps(scaling_child(sentences, args.scaling_child, args.seed, args.rate)))
        return
    pairs = read_pairs(sentences)
    print(
        f"Machine speed reference: `for i in range(10**7): s += i` takes {calibrate():.2f} s of CPU here "
        "(about 0.4 s on a typical 2023 laptop core with CPython 3.11); load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores at the start (other jobs "
        "slow even CPU-time figures down).\n"
    )
    bench_sentences(pairs, args)
    if not args.skip_words:
        bench_words(aligned)
    sizes = [int(x) for x in args.scaling.split(",") if x.strip()]
    if sizes:
        bench_scaling(sentences, sizes, args.seed, args.rate)


if __name__ == "__main__":
    main()
