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
[--json OUT] [--model FILE] [--lexicon TSV] [--baseline-rev REV]``
(``english``: ``--english keep`` precision/recall, also a part). Speeds are wall-clock words/s; the main ones are also given per CPU second
(``cpu_words_per_s``), which is steadier on a shared machine. On a machine whose speed drifts, add
``--speed-rounds N``: the two main speeds (single best, sentences) are then timed N more times, the
baseline and this tree alternately in fresh processes, and the medians and the median paired ratio
are printed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# --src DIR measures the lipyantar source tree DIR instead of this one (how --baseline-rev runs the
# baseline: this script, on another revision's code and model)
SRC = Path(sys.argv[sys.argv.index("--src") + 1]).resolve() if "--src" in sys.argv[:-1] else ROOT
sys.path.insert(0, str(ROOT / "scripts"))
if SRC != ROOT:
    from source_tree import use_source_tree

    use_source_tree(SRC)

from lipyantar.align.twin import pairs_from_twin  # noqa: E402
from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman  # noqa: E402
from lipyantar.translit.learned.learn import adapt, read_pairs  # noqa: E402
from lipyantar.translit.learned.model import LearnedModel, default_model  # noqa: E402
from lipyantar.translit.metrics import edit_distance as _edit_distance  # noqa: E402
from lipyantar.translit.metrics import error_rates, words_of  # noqa: E402
from lipyantar.translit.rules import romanize_word  # noqa: E402
from lipyantar.translit.transliterate import Transliterator  # noqa: E402

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
    """Corpus WER, computed as ``lipyantar evaluate --hyp --ref`` does (:func:`lipyantar.translit.metrics.error_rates`)."""
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
        "--lexicon",
        default=None,
        help="roman -> deva lexicon to measure (default: the dev lexicon in --dev-dir), e.g. the held-out "
        "slice written by train_default_model.py --hold-out (with --model the model trained without it)",
    )
    parser.add_argument(
        "--src", default=None, help="measure the lipyantar source tree SRC (see --baseline-rev)"
    )
    parser.add_argument(
        "--baseline-rev",
        default=None,
        help="first measure the git revision REV (its code and its shipped model, built in a temporary "
        "directory) with this script, then this tree, and print the two side by side with ratios",
    )
    parser.add_argument(
        "--baseline-model",
        default=None,
        help="with --baseline-rev: the baseline's model file (default: its own)",
    )
    parser.add_argument(
        "--speed-rounds",
        type=int,
        default=0,
        help="with --baseline-rev: then time the two main speeds N more times, the baseline and this tree "
        "alternately (each a fresh process), and print the medians and the median of the paired ratios "
        "(steadier than one measurement each on a machine whose speed drifts)",
    )
    parser.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--parts",
        default="r2d,d2r,sentences,twin",
        help="comma-separated parts to run: r2d (lexicon roman->deva), d2r (lexicon deva->roman), "
        "sentences, twin (default: all)",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"r2d", "d2r", "sentences", "twin", "english"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if args.speed_only:
        print(json.dumps(speed_only(args)), flush=True)
        return 0
    if args.speed_rounds < 0:
        parser.error("--speed-rounds must be at least 0")
    baseline = run_baseline(args, argv if argv is not None else sys.argv[1:]) if args.baseline_rev else None
    report: dict[str, object] = {}

    model, load_s = timed(lambda: LearnedModel.load(args.model) if args.model else default_model())
    assert isinstance(model, LearnedModel)
    report["model_load_s"] = round(load_s, 2)
    print(f"model loaded in {load_s:.2f} s", flush=True)

    lex = read_pairs(
        Path(args.lexicon) if args.lexicon else Path(args.dev_dir) / "hi.translit.sampled.dev.tsv"
    )
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

    # 2b. --english keep on labelled tokens
    if "english" in parts:
        report["english_keep"] = english_part(model, args)

    # 3. twin
    if "twin" in parts:
        report["twin_leave_one_paragraph_out"] = twin_lopo(model)
        print(json.dumps(report["twin_leave_one_paragraph_out"]), flush=True)

    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if baseline is not None:
        try:
            compare(baseline, report)
            if args.speed_rounds:
                speed_rounds(args)
        finally:
            shutil.rmtree(args.baseline_src, ignore_errors=True)  # the baseline's source tree
    return 0


def speed_only(args: argparse.Namespace) -> dict:
    """The two main speeds, from a cold cache, per CPU second: distinct dev lexicon words by the single
    best search, and dev sentences converted as ``lipyantar convert`` does."""
    model = LearnedModel.load(args.model) if args.model else default_model()
    lex = read_pairs(Path(args.dev_dir) / "hi.translit.sampled.dev.tsv")
    distinct = sorted({normalize_roman(r) for _, r, _ in lex})
    model.devanagarize(distinct[0])  # first use: the lazily loaded tables
    model.clear_cache()
    timed(lambda: [model.devanagarize(w) for w in distinct])
    single = len(distinct) / max(LAST_CPU[0], 1e-9)
    with open(Path(args.dev_dir) / "hi.sentences.dev.tsv", encoding="utf-8") as fh:
        romans = [cols[1] for cols in (line.rstrip("\n").split("\t") for line in fh) if len(cols) == 2]
    to_deva = Transliterator("roman", "deva", model=model)
    model.clear_cache()
    timed(
        lambda: [
            out for i in range(0, len(romans), 500) for out in to_deva.transliterate_many(romans[i : i + 500])
        ]
    )
    n_words = sum(len(words_of(r)) for r in romans)
    return {
        "single_best_cpu_words_per_s": single,
        "sentences_cpu_words_per_s": n_words / max(LAST_CPU[0], 1e-9),
    }


def speed_rounds(args: argparse.Namespace) -> None:
    """``--speed-rounds``: the baseline's and this tree's :func:`speed_only`, alternately, in fresh processes."""
    base_cmd = [sys.executable, str(Path(__file__).resolve()), "--speed-only", "--dev-dir", args.dev_dir]
    runs: dict[str, list[dict]] = {"baseline": [], "this tree": []}
    for _ in range(args.speed_rounds):
        for side in runs:
            cmd = list(base_cmd)
            if side == "baseline":
                cmd += ["--src", str(args.baseline_src)]
                model = args.baseline_model or args.model
            else:
                model = args.model
            if model:
                cmd += ["--model", model]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs[side].append(json.loads(out.strip().splitlines()[-1]))
    print(f"# speeds, {args.speed_rounds} alternating rounds (CPU words/s, medians)")
    print(f"{'figure':35s} {'baseline':>10s} {'this tree':>10s} {'paired ratio':>13s}")
    for key, label in (
        ("single_best_cpu_words_per_s", "distinct single best CPU words/s"),
        ("sentences_cpu_words_per_s", "sentences CPU words/s"),
    ):
        base = [r[key] for r in runs["baseline"]]
        new = [r[key] for r in runs["this tree"]]
        ratio = statistics.median(n / b for n, b in zip(new, base, strict=True))
        print(f"{label:35s} {statistics.median(base):10.0f} {statistics.median(new):10.0f} {ratio:13.3f}")


def english_part(model: LearnedModel, args: argparse.Namespace) -> dict | None:
    """``--english keep``: precision and recall of keeping Latin words in Latin script, on the second
    half of the vendored English text (every word English; the first half is for choosing parameters,
    scripts/tune_heldout.py) and the dev sentences (every word romanized Hindi, to be converted)."""
    import inspect

    if "english" not in inspect.signature(Transliterator).parameters:
        print(json.dumps({"english_keep": "not supported by this revision"}), flush=True)
        return None
    from tune_heldout import english_keep, english_lines

    hindi = []
    with open(Path(args.dev_dir) / "hi.sentences.dev.tsv", encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 2:
                hindi.append(cols[1])
    english = english_lines("second")
    if args.quick:
        hindi, english = hindi[:1000], english[:1000]
    model.clear_cache()
    row = english_keep(model, hindi, english)
    row = {"precision": row.pop("keep_precision"), "recall": row.pop("keep_recall"), **row}
    print(json.dumps({"english_keep": row}), flush=True)
    return row


def run_baseline(args: argparse.Namespace, argv: list[str]) -> dict:
    """This script's figures for the git revision ``args.baseline_rev``, measured in a subprocess on a
    copy of that revision's tree (its compiled kernels built in place)."""
    from source_tree import unpack_revision

    tmp = unpack_revision(ROOT, args.baseline_rev, Path(tempfile.mkdtemp(prefix="lipyantar-baseline-")))
    skip = {"--baseline-rev", "--json", "--baseline-model", "--model", "--src"}
    rest, i = [], 0
    while i < len(argv):
        if argv[i] in skip:
            i += 2
            continue
        rest.append(argv[i])
        i += 1
    out = tmp / "baseline.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), *rest, "--src", str(tmp), "--json", str(out)]
    model = args.baseline_model or args.model
    if model:
        cmd += ["--model", model]
    args.baseline_src = tmp
    print(f"# baseline: {args.baseline_rev} ({tmp})", flush=True)
    subprocess.run(cmd, check=True)
    print("# this tree", flush=True)
    return json.loads(out.read_text(encoding="utf-8"))


def compare(base: dict, new: dict) -> None:
    """Print the main figures of the baseline and this tree side by side (ratio: new / baseline)."""

    def pick(report: dict, path: tuple) -> float | None:
        node: object = report
        for part in path:
            if isinstance(node, list):
                node = next((row for row in node if row.get("system") == part), None)
            elif isinstance(node, dict):
                node = node.get(part)
            if node is None:
                return None
        return node if isinstance(node, (int, float)) else None

    rows = [
        ("model load s", ("model_load_s",)),
        ("r2d top-1 (single best)", ("roman2deva_words", "roman (learned)", "top1")),
        ("r2d top-1 (first of top-5)", ("roman2deva_words", "roman (learned)", "top1_of_topk")),
        ("r2d top-5", ("roman2deva_words", "roman (learned)", "top5")),
        ("r2d CER", ("roman2deva_words", "roman (learned)", "cer")),
        ("distinct words: API top-1", ("roman2deva_words", "roman (learned)", "distinct_api_top1")),
        ("distinct words: CLI text top-1", ("roman2deva_words", "roman (learned)", "distinct_cli_text_top1")),
        (
            "distinct words: CLI jsonl first",
            ("roman2deva_words", "roman (learned)", "distinct_cli_jsonl_first"),
        ),
        (
            "distinct single best words/s",
            ("roman2deva_words", "roman (learned)", "distinct_top1_words_per_s"),
        ),
        (
            "distinct single best CPU words/s",
            ("roman2deva_words", "roman (learned)", "distinct_top1_cpu_words_per_s"),
        ),
        ("d2r top-1", ("deva2roman_words", "roman (learned)", "top1_match_any")),
        ("sentences WER (context)", ("sentences", "roman (learned, context)", "wer")),
        ("sentences words/s (convert)", ("sentences", "roman (learned, context)", "words_per_s")),
        ("sentences CPU words/s", ("sentences", "roman (learned, context)", "cpu_words_per_s")),
        ("sentences WER (words alone)", ("sentences", "roman (learned, words without context)", "wer")),
        ("english keep precision", ("english_keep", "precision")),
        ("english keep recall", ("english_keep", "recall")),
    ]
    print(f"{'figure':34} {'baseline':>10} {'this tree':>10} {'ratio':>7}")
    for label, path in rows:
        a, b = pick(base, path), pick(new, path)
        if a is None and b is None:
            continue
        ratio = f"{b / a:7.3f}" if a and b is not None else "      -"
        fa = f"{a:10.4f}" if a is not None else "         -"
        fb = f"{b:10.4f}" if b is not None else "         -"
        print(f"{label:34} {fa} {fb} {ratio}", flush=True)


def r2d_words(model: LearnedModel, rows: Sequence[tuple[str, str]], r2d: list[dict]) -> None:
    model.clear_cache()
    r2d.append(
        lexicon_roman2deva(
            "roman (learned)",
            lambda w: [d for d, _ in model.devanagarize_topk(w, 5)],
            rows,
            model.devanagarize,
        )
    )
    model.clear_cache()
    distinct = sorted({r for r, _ in rows})
    _, t_top1 = timed(lambda: [model.devanagarize(w) for w in distinct])
    r2d[0]["distinct_top1_words_per_s"] = len(distinct) / t_top1
    r2d[0]["distinct_top1_cpu_words_per_s"] = len(distinct) / max(LAST_CPU[0], 1e-9)
    r2d[0].update(cli_vs_api(model, rows))
    for scheme in STANDARD:
        tr = Transliterator(scheme, "deva")
        r2d.append(lexicon_roman2deva(scheme, lambda w, tr=tr: [normalize_deva(tr(w))], rows))
    for row in r2d:
        print(json.dumps(row), flush=True)


def cli_vs_api(model: LearnedModel, rows: Sequence[tuple[str, str]]) -> dict:
    """Match-any top-1 over the distinct roman words, one word per line: the API (``devanagarize``,
    first of ``devanagarize_topk(w, 5)``) and the command line's two paths (``lipyantar convert``
    text: ``Transliterator.transliterate_many`` in chunks of 500 lines; jsonl ``--top-k 5``:
    ``Transliterator.candidates``), and how often the jsonl list equals the API's top-5 list."""
    gold: dict[str, set[str]] = {}
    for roman, native in rows:
        gold.setdefault(roman, set()).add(native)
    words = sorted(gold)
    model.clear_cache()
    conv = Transliterator("roman", "deva", model=model)
    text = [out for i in range(0, len(words), 500) for out in conv.transliterate_many(words[i : i + 500])]
    jsonl = [[c.text for c in conv.candidates(w, top_k=5)] for w in words]
    single = [model.devanagarize(w) for w in words]
    topk = [[d for d, _ in model.devanagarize_topk(w, 5)] for w in words]
    n = len(words)

    def acc(outs: Sequence[str]) -> float:
        return sum(o in gold[w] for o, w in zip(outs, words, strict=True)) / n

    return {
        "distinct_words": n,
        "distinct_api_top1": acc(single),
        "distinct_api_topk_first": acc([t[0] if t else "" for t in topk]),
        "distinct_cli_text_top1": acc(text),
        "distinct_cli_jsonl_first": acc([j[0] if j else "" for j in jsonl]),
        "distinct_cli_jsonl_equals_api_topk": sum(j == t for j, t in zip(jsonl, topk, strict=True)) / n,
    }


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
        return [
            out for i in range(0, len(romans), 500) for out in to_deva.transliterate_many(romans[i : i + 500])
        ]

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
