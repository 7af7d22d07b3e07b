#!/usr/bin/env python
"""Calibration of the learned model's candidate probabilities (``Candidate.prob``): fit and check.

1. **Fit** (never on dev): the training lexicon (``scripts/data/dakshina-hi/hi.translit.sampled.train.tsv``,
   vendored) is split by native word; a model is trained with the default model's recipe
   (``scripts/train_default_model.py``) on all but a held-out slice (``--holdout``, default 10% of the
   native words), and on the slice the temperature ``T`` and reserve ``R`` of roman → deva and deva →
   roman are fitted: the pair minimizing the cross-entropy between each top-``PROB_POOL`` candidate's
   prob (its share of the pool's mass of score / T, plus R times the best one's, see
   :func:`lipyantar.translit.candidate.calibrated_probs`) and whether it is right.
2. **Check** on the Dakshina dev lexicon (``hi.translit.sampled.dev.tsv``, ``--dev-dir``) with the
   shipped model and the fitted temperatures: a reliability table per direction (bins of prob, share
   of the candidates in the bin that are right, count), for every top-5 candidate and for the first
   candidates only, and the expected calibration error (ECE: count-weighted mean |share right - mean
   prob| over the bins). Also printed: the same tables at T = 1 (the raw shares) and at the
   temperatures stored in the model's ``DecodeParams`` (what users get).

A roman → deva candidate is right when it is one of the native spellings the lexicon gives that Latin
word; a deva → roman candidate when it is one of the word's attested romanizations (match-any).

The held-out model is trained like the shipped one only with the ``train`` extra installed
(``pip install '.[train]'``: wordfreq's Hindi word list); it takes a few minutes on one core.
Deterministic: two runs fit the same (temperature, reserve) pairs ((3.116, 0.1024) roman → deva,
(2.927, 0) deva → roman, stored as the defaults of ``DecodeParams.calibration.r2d`` and
``DecodeParams.calibration.d2r`` and in the shipped model).

Usage: ``python scripts/bench_calibration.py [--dev-dir DIR] [--holdout 0.1] [--json OUT]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_default_model import TRAIN_LEXICON, train_default  # noqa: E402

from lipyantar.translit.candidate import PROB_POOL, calibrated_probs  # noqa: E402
from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs  # noqa: E402
from lipyantar.translit.learned.model import LearnedModel, default_model  # noqa: E402

#: (scores of one input's top-PROB_POOL candidates, whether each is right)
Item = tuple[list[float], list[bool]]
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def held_out(native: str, fraction: float) -> bool:
    """A deterministic split of native words (by hash, not by position)."""
    digest = hashlib.sha256(normalize_deva(native).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def gold_sets(pairs: Sequence[tuple[str, str, float]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """roman -> its native spellings, native -> its romanizations (normalized)."""
    r2d: dict[str, set[str]] = {}
    d2r: dict[str, set[str]] = {}
    for d, r, _ in pairs:
        d, r = normalize_deva(d), normalize_roman(r)
        if d and r:
            r2d.setdefault(r, set()).add(d)
            d2r.setdefault(d, set()).add(r)
    return r2d, d2r


def collect(topk: Callable[[str, int], list[tuple[str, float]]], gold: dict[str, set[str]]) -> list[Item]:
    items = []
    for word in sorted(gold):
        found = topk(word, PROB_POOL)
        if found:
            items.append(([s for _, s in found], [c in gold[word] for c, _ in found]))
    return items


#: (temperature, reserve): see lipyantar.translit.candidate.calibrated_probs
Calibration = tuple[float, float]

#: the reserves tried (0: a plain softmax over the k best)
RESERVES = (0.0, *(round(math.exp(math.log(0.002) + i * (math.log(1.0) - math.log(0.002)) / 30), 4) for i in range(31)))


def cross_entropy(items: Sequence[Item], temperature: float, reserve: float = 0.0) -> float:
    total = 0.0
    for scores, right in items:
        for p, ok in zip(calibrated_probs(scores, temperature, reserve=reserve), right, strict=True):
            p = min(max(p, 1e-12), 1 - 1e-12)
            total -= math.log(p if ok else 1 - p)
    return total


def fit_temperature(items: Sequence[Item], reserve: float = 0.0) -> float:
    """The temperature of least cross-entropy at ``reserve``: a log-spaced grid, then golden-section
    refinement."""
    grid = [math.exp(math.log(0.05) + i * (math.log(50) - math.log(0.05)) / 60) for i in range(61)]
    losses = [cross_entropy(items, t, reserve) for t in grid]
    i = min(range(len(grid)), key=losses.__getitem__)
    lo, hi = math.log(grid[max(i - 1, 0)]), math.log(grid[min(i + 1, len(grid) - 1)])
    g = (math.sqrt(5) - 1) / 2
    for _ in range(30):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if cross_entropy(items, math.exp(a), reserve) < cross_entropy(items, math.exp(b), reserve):
            hi = b
        else:
            lo = a
    return round(math.exp((lo + hi) / 2), 3)


def fit_calibration(items: Sequence[Item]) -> Calibration:
    """The (temperature, reserve) of least cross-entropy: for each reserve of :data:`RESERVES` its best
    temperature, then the best pair."""
    best: tuple[float, Calibration] | None = None
    for reserve in RESERVES:
        t = fit_temperature(items, reserve)
        loss = cross_entropy(items, t, reserve)
        if best is None or loss < best[0]:
            best = (loss, (t, reserve))
    assert best is not None
    return best[1]


def reliability(items: Sequence[Item], calibration: Calibration, *, first_only: bool = False) -> dict:
    """Bins of prob: count, mean prob, share right; the ECE; and the share right at prob >= 0.9."""
    temperature, reserve = calibration
    rows = [[0, 0.0, 0] for _ in BINS[:-1]]
    for scores, right in items:
        probs = calibrated_probs(scores, temperature, reserve=reserve)
        pairs = list(zip(probs, right, strict=True))[: 1 if first_only else None]
        for p, ok in pairs:
            k = next(j for j in range(len(BINS) - 1) if p < BINS[j + 1] or j == len(BINS) - 2)
            rows[k][0] += 1
            rows[k][1] += p
            rows[k][2] += ok
    n = sum(r[0] for r in rows) or 1
    table = [
        {
            "bin": f"[{BINS[j]:.2f}, {BINS[j + 1]:.2f}{']' if j == len(BINS) - 2 else ')'}",
            "count": c,
            "mean_prob": round(sp / c, 4) if c else None,
            "share_right": round(ok / c, 4) if c else None,
        }
        for j, (c, sp, ok) in enumerate(rows)
    ]
    ece = sum(abs(ok - sp) for c, sp, ok in rows if c) / n
    high = [r for r, b in zip(rows, BINS, strict=False) if b >= 0.9]
    high_n = sum(r[0] for r in high)
    return {
        "temperature": temperature,
        "reserve": reserve,
        "candidates": "first" if first_only else f"top-{PROB_POOL}",
        "n": n,
        "ece": round(ece, 4),
        "prob_ge_0.9": {
            "count": high_n,
            "share_right": round(sum(r[2] for r in high) / high_n, 4) if high_n else None,
            "mean_prob": round(sum(r[1] for r in high) / high_n, 4) if high_n else None,
        },
        "bins": table,
    }


def print_table(title: str, rel: dict) -> None:
    print(f"\n{title}: T = {rel['temperature']}, reserve = {rel['reserve']}, {rel['candidates']} candidates, n = {rel['n']}, ECE = {rel['ece']}")
    print(f"  {'prob bin':<14} {'count':>7} {'mean prob':>10} {'share right':>12}")
    for row in rel["bins"]:
        mp = "" if row["mean_prob"] is None else f"{row['mean_prob']:.3f}"
        sr = "" if row["share_right"] is None else f"{row['share_right']:.3f}"
        print(f"  {row['bin']:<14} {row['count']:>7} {mp:>10} {sr:>12}")
    high = rel["prob_ge_0.9"]
    if high["count"]:
        print(f"  prob >= 0.9: {high['count']} answers, mean prob {high['mean_prob']:.3f}, right {high['share_right']:.3f}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev-dir", default=os.environ.get("DAKSHINA_DEV", "/work/shared/data/dakshina-hi"))
    parser.add_argument("--holdout", type=float, default=0.1, help="share of the training native words held out")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument(
        "--cache",
        default=None,
        help="keep the held-out model's candidates in this JSON file (read it when it exists: no training)",
    )
    args = parser.parse_args(argv)
    report: dict[str, object] = {}

    # 1. fit on a held-out slice of the training lexicon
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.exists():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        fit_pairs_n = saved["pairs"]
        items_fit = {name: [(sc, rt) for sc, rt in items] for name, items in saved["items"].items()}
        print(f"held-out candidates read from {cache}", flush=True)
    else:
        train = read_pairs(TRAIN_LEXICON)
        fit_pairs = [p for p in train if held_out(p[0], args.holdout)]
        rest = [p for p in train if not held_out(p[0], args.holdout)]
        fit_pairs_n = len(fit_pairs)
        start = time.perf_counter()
        held_model = train_default(rest, precompute=0)
        print(
            f"held-out model: trained on {len(rest)} of {len(train)} training pairs in "
            f"{time.perf_counter() - start:.0f} s; fitting on the other {len(fit_pairs)}",
            flush=True,
        )
        fit_r2d, fit_d2r = gold_sets(fit_pairs)
        items_fit = {
            "roman2deva": collect(held_model.devanagarize_topk, fit_r2d),
            "deva2roman": collect(held_model.romanize_topk, fit_d2r),
        }
        del held_model
        if cache is not None:
            cache.write_text(json.dumps({"pairs": fit_pairs_n, "items": items_fit}), encoding="utf-8")
    fitted = {name: fit_calibration(items) for name, items in items_fit.items()}
    report["fit"] = {
        "pairs": fit_pairs_n,
        "words": {k: len(v) for k, v in items_fit.items()},
        "temperature": {k: v[0] for k, v in fitted.items()},
        "reserve": {k: v[1] for k, v in fitted.items()},
    }
    print(f"fitted (temperature, reserve): {json.dumps(fitted)}", flush=True)
    for name, items in items_fit.items():
        print_table(f"held-out train slice, {name}", reliability(items, fitted[name]))
        print_table(f"held-out train slice, {name}, temperature only",
                    reliability(items, (fit_temperature(items), 0.0)))

    # 2. check on dev with the shipped model
    model: LearnedModel = default_model()
    p = model.params
    stored = {
        name: (cal.temperature, cal.reserve)
        for name, cal in (("roman2deva", p.calibration.r2d), ("deva2roman", p.calibration.d2r))
    }
    dev = read_pairs(Path(args.dev_dir) / "hi.translit.sampled.dev.tsv")
    dev_r2d, dev_d2r = gold_sets(dev)
    items_dev = {
        "roman2deva": collect(model.devanagarize_topk, dev_r2d),
        "deva2roman": collect(model.romanize_topk, dev_d2r),
    }
    report["dev"] = {}
    for name, items in items_dev.items():
        out = {}
        for label, cal in (("raw", (1.0, 0.0)), ("fitted", fitted[name]), ("stored", stored[name])):
            for first in (False, True):
                rel = reliability(items, cal, first_only=first)
                out[f"{label}_{'first' if first else 'all'}"] = rel
                if label != "stored" or cal != fitted[name]:
                    print_table(f"dev, {name}, {label}", rel)
        report["dev"][name] = out  # type: ignore[index]
    report["stored"] = stored
    if stored != fitted:
        print(f"\nnote: the model stores {json.dumps(stored)}; this run fitted {json.dumps(fitted)}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
