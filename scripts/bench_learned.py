#!/usr/bin/env python
"""Benchmark of the learned informal romanization (``roman``) against rules and standard schemes.

Measured in one run, on one core:

1. Dakshina dev lexicon (``hi.translit.sampled.dev.tsv``), single words:
   roman → deva top-1 / top-5 / CER and distinct words/s (uncached) for the learned model and for
   the standard schemes read as if the informal input were written in them (the learned model's
   top-1 and CER are of its single best output, ``devanagarize``, which is also what is timed;
   top-5 is of ``devanagarize_topk(word, 5)``, whose own first answer is reported as
   ``top1_of_topk``);
   deva → roman match-any top-1 / CER and words/s for the learned model, ``roman-rules`` and the
   standard schemes.
2. Dakshina dev sentences (``hi.sentences.dev.tsv``): roman → deva word error rate and words/s
   of running text with sentence context (converted as ``lipyantar convert`` does, in batches of
   500 lines with ``Transliterator.transliterate_many``; ``one_call_per_sentence_words_per_s`` is
   one ``transliterate`` call per sentence; the WER is computed as ``lipyantar evaluate --hyp --ref``
   does, and ``--hyps-out FILE`` writes the hypotheses to compare with it); deva → roman words/s of
   running text.
3. The example twin (``corpora/example`` 000/001): leave-one-paragraph-out CER of the romanized
   paragraph for (a) the default model, (b) the default model adapted on the other paragraphs,
   (c) ``roman-rules``.

The dev data is read from ``--dev-dir`` (default ``/work/shared/data/dakshina-hi``); it is never
used for training. Usage: ``python scripts/bench_learned.py [--quick] [--parts r2d,d2r,sentences,twin]
[--json OUT]``. Speeds are wall-clock words/s; the main ones are also given per CPU second
(``cpu_words_per_s``), which is steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.twin import pairs_from_twin  # noqa: E402
from translit.learned.charalign import normalize_deva, normalize_roman  # noqa: E402
from translit.learned.learn import adapt, read_pairs  # noqa: E402
from translit.learned.model import LearnedModel, default_model  # noqa: E402
from translit.metrics import edit_distance as _edit_distance  # noqa: E402
from translit.metrics import error_rates, words_of  # noqa: E402
from translit.rules import romanize_word  # noqa: E402
from translit.transliterate import Transliterator  # noqa: E402

STANDARD = ("itrans", "hk", "iast", "optitrans", "velthuis", "wx", "slp1", "iso")




#: CPU seconds of the last :func:`timed` call (the machine may be shared: wall time is noisy)
LAST_CPU = [0.0]


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    cpu = time.process_time()
    start = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - start
    LAST_CPU[0] = time.process_time() - cpu
    return out, elapsed


def lexicon_roman2deva(
    name: str,
    topk: Callable[[str], list[str]],
    rows: Sequence[tuple[str, str]],
    best: Callable[[str], str] | None = None,
) -> dict:
    """Top-1 / top-5 / CER over lexicon rows; top-1 and CER of ``best`` (default: the first of
    ``topk``), top-5 of ``topk``."""
    top1 = top5 = errors = chars = topk_first = 0
    start = time.perf_counter()
    for roman, gold in rows:
        outs = topk(roman)
        first = outs[0] if outs else ""
        one = best(roman) if best is not None else first
        top1 += one == gold
        topk_first += first == gold
        top5 += gold in outs[:5]
        errors += _edit_distance(one, gold)
        chars += len(gold)
    elapsed = time.perf_counter() - start
    n = len(rows)
    row = {
        "system": name,
        "words": n,
        "top1": top1 / n,
        "top5": top5 / n,
        "cer": errors / chars,
        "words_per_s": n / elapsed,
    }
    if best is not None:
        row["top1_of_topk"] = topk_first / n
    return row


def lexicon_deva2roman(name: str, fn: Callable[[str], str], attested: dict[str, set[str]]) -> dict:
    top1 = errors = chars = 0
    start = time.perf_counter()
    outs = {d: fn(d) for d in attested}
    elapsed = time.perf_counter() - start
    for d, golds in attested.items():
        out = outs[d].lower()
        top1 += out in golds
        dist, ref = min((_edit_distance(out, g), len(g)) for g in golds)
        errors += dist
        chars += ref
    n = len(attested)
    return {
        "system": name,
        "words": n,
        "top1_match_any": top1 / n,
        "cer": errors / chars,
        "words_per_s": n / elapsed,
    }


def wer(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Corpus WER, computed as ``lipyantar evaluate --hyp --ref`` does (:func:`translit.metrics.error_rates`)."""
    if len(hyps) != len(refs):
        raise ValueError("one hypothesis per reference")
    return error_rates(zip(hyps, refs, strict=True)).wer


def cer_text(hyp: str, ref: str) -> float:
    h = " ".join(normalize_roman(w) for w in hyp.split() if normalize_roman(w))
    r = " ".join(normalize_roman(w) for w in ref.split() if normalize_roman(w))
    return _edit_distance(h, r) / max(len(r), 1)


def twin_lopo(model: LearnedModel) -> dict:
    deva_file = glob.glob(str(ROOT / "corpora" / "example" / "000_*.txt"))[0]
    roman_file = glob.glob(str(ROOT / "corpora" / "example" / "001_*.txt"))[0]
    deva_pars = [p for p in Path(deva_file).read_text(encoding="utf-8").splitlines() if p.strip()]
    roman_pars = [p for p in Path(roman_file).read_text(encoding="utf-8").splitlines() if p.strip()]
    rules = Transliterator("deva", "roman-rules")
    default = Transliterator("deva", "roman", model=model)
    results: dict[str, list[float]] = {"default": [], "adapted": [], "roman-rules": []}
    for i in range(len(deva_pars)):
        train_d = "\n".join(p for j, p in enumerate(deva_pars) if j != i)
        train_r = "\n".join(p for j, p in enumerate(roman_pars) if j != i)
        pairs = pairs_from_twin(train_d, train_r, model)
        adapted = Transliterator("deva", "roman", model=adapt(model, pairs, native_text=[train_d]))
        ref = roman_pars[i]
        results["default"].append(cer_text(default(deva_pars[i]), ref))
        results["adapted"].append(cer_text(adapted(deva_pars[i]), ref))
        results["roman-rules"].append(cer_text(rules(deva_pars[i]), ref))
    return {
        k: {"mean_cer": sum(v) / len(v), "per_paragraph": [round(x, 4) for x in v]}
        for k, v in results.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev-dir", default=os.environ.get("DAKSHINA_DEV", "/work/shared/data/dakshina-hi"))
    parser.add_argument("--model", default=None, help="model file (default: the shipped model)")
    parser.add_argument("--quick", action="store_true", help="first 1000 lexicon rows / 1000 sentences")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument(
        "--hyps-out", default=None, help="sentences: write the learned model's context outputs to this file"
    )
    parser.add_argument(
        "--parts",
        default="r2d,d2r,sentences,twin",
        help="comma-separated parts to run: r2d (lexicon roman->deva), d2r (lexicon deva->roman), "
        "sentences, twin (default: all)",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"r2d", "d2r", "sentences", "twin"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    report: dict[str, object] = {}

    model, load_s = timed(lambda: LearnedModel.load(args.model) if args.model else default_model())
    assert isinstance(model, LearnedModel)
    report["model_load_s"] = round(load_s, 2)
    print(f"model loaded in {load_s:.2f} s", flush=True)

    lex = read_pairs(Path(args.dev_dir) / "hi.translit.sampled.dev.tsv")
    if args.quick:
        lex = lex[:1000]
    rows = [(normalize_roman(r), normalize_deva(d)) for d, r, _ in lex]
    attested: dict[str, set[str]] = {}
    for d, r, _ in lex:
        attested.setdefault(normalize_deva(d), set()).add(r.lower())

    # 1a. roman -> deva, single words
    r2d = []
    if "r2d" in parts:
        r2d_words(model, rows, r2d)
        report["roman2deva_words"] = r2d

    # 1b. deva -> roman, single words
    if "d2r" in parts:
        report["deva2roman_words"] = d2r_words(model, attested)

    # 2. sentences
    if "sentences" in parts:
        report["sentences"] = sentences(model, args)

    # 3. twin
    if "twin" in parts:
        report["twin_leave_one_paragraph_out"] = twin_lopo(model)
        print(json.dumps(report["twin_leave_one_paragraph_out"]), flush=True)

    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def r2d_words(model: LearnedModel, rows: Sequence[tuple[str, str]], r2d: list[dict]) -> None:
    model.clear_cache()
    r2d.append(
        lexicon_roman2deva(
            "roman (learned)", lambda w: [d for d, _ in model.devanagarize_topk(w, 5)], rows, model.devanagarize
        )
    )
    model.clear_cache()
    distinct = sorted({r for r, _ in rows})
    _, t_top1 = timed(lambda: [model.devanagarize(w) for w in distinct])
    r2d[0]["distinct_top1_words_per_s"] = len(distinct) / t_top1
    r2d[0]["distinct_top1_cpu_words_per_s"] = len(distinct) / max(LAST_CPU[0], 1e-9)
    for scheme in STANDARD:
        tr = Transliterator(scheme, "deva")
        r2d.append(lexicon_roman2deva(scheme, lambda w, tr=tr: [normalize_deva(tr(w))], rows))
    for row in r2d:
        print(json.dumps(row), flush=True)


def d2r_words(model: LearnedModel, attested: dict[str, set[str]]) -> list[dict]:
    d2r = []
    model.clear_cache()
    d2r.append(lexicon_deva2roman("roman (learned)", model.romanize, attested))
    d2r.append(lexicon_deva2roman("roman-rules", romanize_word, attested))
    for scheme in STANDARD:
        tr = Transliterator("deva", scheme)
        d2r.append(lexicon_deva2roman(scheme, tr, attested))
    for row in d2r:
        print(json.dumps(row), flush=True)
    return d2r


def sentences(model: LearnedModel, args: argparse.Namespace) -> list[dict]:
    sents = []
    with open(Path(args.dev_dir) / "hi.sentences.dev.tsv", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 2:
                sents.append((cols[0], cols[1]))
    if args.quick:
        sents = sents[:1000]
    natives = [n for n, _ in sents]
    romans = [r for _, r in sents]
    sent_report: list[dict] = []

    def add(row: dict) -> None:  # print as soon as measured (the parts are slow)
        sent_report.append(row)
        print(json.dumps(row), flush=True)

    model.clear_cache()
    to_deva = Transliterator("roman", "deva", model=model)
    n_words = sum(len(words_of(r)) for r in romans)

    def batched() -> list[str]:  # what `lipyantar convert` does: chunks of 500 lines, each as one batch
        return [out for i in range(0, len(romans), 500) for out in to_deva.transliterate_many(romans[i : i + 500])]

    hyps, t = timed(batched)
    if args.hyps_out:
        Path(args.hyps_out).write_text("".join(h + "\n" for h in hyps), encoding="utf-8")  # type: ignore[union-attr]
    row = {
        "system": "roman (learned, context)",
        "wer": wer(hyps, natives),  # type: ignore[arg-type]
        "words_per_s": n_words / t,
        "cpu_words_per_s": n_words / max(LAST_CPU[0], 1e-9),
        "words": n_words,
        "sentences": len(sents),
    }
    model.clear_cache()
    one_by_one, t = timed(lambda: [to_deva(r) for r in romans])
    if one_by_one != hyps:
        raise SystemExit("transliterate_many and transliterate disagree")
    row["one_call_per_sentence_words_per_s"] = n_words / t
    add(row)
    model.clear_cache()
    hyps, t = timed(lambda: [" ".join(model.devanagarize(w) or w for w in r.split()) for r in romans])
    add(
        {
            "system": "roman (learned, words without context)",
            "wer": wer(hyps, natives),  # type: ignore[arg-type]
            "words_per_s": n_words / t,
        }
    )
    for scheme in ("itrans", "hk"):
        tr = Transliterator(scheme, "deva")
        hyps, t = timed(lambda tr=tr: [tr(r.lower()) for r in romans])
        add({"system": scheme, "wer": wer(hyps, natives), "words_per_s": n_words / t})  # type: ignore[arg-type]
    model.clear_cache()
    to_roman = Transliterator("deva", "roman", model=model)
    n_deva = sum(len(words_of(x)) for x in natives)
    _, t = timed(lambda: [to_roman(x) for x in natives])
    add(
        {
            "system": "deva -> roman (learned), running text",
            "words_per_s": n_deva / t,
            "cpu_words_per_s": n_deva / max(LAST_CPU[0], 1e-9),
            "words": n_deva,
        }
    )
    rules = Transliterator("deva", "roman-rules")
    _, t = timed(lambda: [rules(x) for x in natives])
    add({"system": "deva -> roman-rules, running text", "words_per_s": n_deva / t})
    return sent_report


if __name__ == "__main__":
    raise SystemExit(main())
