"""Write ``translit/learned/data/english-loanwords.marisa`` (the Devanagari spellings of English words'
sounds, :mod:`lipyantar.translit.learned.loanwords`), or choose its decision parameters.

Build, from a model's English pronunciation model (default: the shipped model) and the English lexicon of
the word-language tables (``translit/data/langid.tables``, wordfreq's English list; the file names
the tables' SHA-256 and is not used with other tables, so run this after ``scripts/train_langid.py``)::

    python scripts/loanword_index.py [--model FILE] [-o translit/learned/data/english-loanwords.marisa]

For the shipped model and index (no ``--model``, no ``-o``), it then writes the English readings of the
model's precomputed table words, ``translit/learned/data/english-loanwords-table.json.gz`` (what
``LearnedModel._loanword`` gives each; Devanagari → roman reads them instead of asking the index word by
word; rewrite them alone, after a change of the model or of the ``d2r.loan_*`` defaults, with
``--table-only``).

Tune ``d2r.loan_logfreq``, ``d2r.loan_logprior``, ``d2r.loan_score``, ``d2r.loan_loose`` and
``d2r.loan_variants`` on the held-out slice of the train
lexicon (never dev): a model trained without it, its own index, every combination of the grid scored on
the held-out words that its memory does not attest, and 5-fold cross-validation over those words (the
combination chosen on four folds, measured on the fifth)::

    python scripts/train_default_model.py --hold-out 10 -o /tmp/ho.lpm
    python scripts/loanword_index.py --model /tmp/ho.lpm -o /tmp/ho-loanwords.marisa
    python scripts/loanword_index.py --tune --model /tmp/ho.lpm --index /tmp/ho-loanwords.marisa \\
        --lexicon /tmp/ho.heldout.tsv
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from source_tree import use_source_tree  # noqa: E402

use_source_tree(ROOT)

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs  # noqa: E402
from lipyantar.translit.learned.loanwords import (  # noqa: E402
    LOANWORDS_PATH,
    TABLE_READINGS_PATH,
    english_reading,
    read_loanwords,
    table_key,
    write_loanwords,
    write_table_readings,
)
from lipyantar.translit.learned.model import LearnedModel, default_model  # noqa: E402
from lipyantar.translit.learned.variants import convention_variants  # noqa: E402

GRID = {
    # (-13.5 lost to -13.0 in every fold with an index down to -13.5; the index now stops at -13.0,
    # loanwords.LOGFREQ_FLOOR, to keep the wheel small)
    "loan_logfreq": (-13.0, -12.5, -12.0, -11.0),
    "loan_logprior": (-10.0, -9.0, -8.0, -7.0, -6.0),
    "loan_score": (-25.0, -20.0, -17.5, -15.0, -12.5, -10.0, 0.0),
    "loan_loose": (False, True),
    "loan_variants": (False, True),
}


def build(args: argparse.Namespace) -> int:
    model = LearnedModel.load(args.model) if args.model else default_model()
    if model.english is None:
        raise SystemExit("the model has no English pronunciation model")
    source = f"{Path(args.model).name if args.model else 'roman-default.lpm'} English model; wordlang 'en' lexicon"
    n = write_loanwords(args.output, model.english, source=source)
    print(f"wrote {n} entries to {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")
    if args.model is None and args.output == LOANWORDS_PATH:
        write_table(model)
    return 0


def write_table(model: LearnedModel) -> None:
    """The English readings of the shipped model's table words (with the packaged index)."""
    table = model.d2r_table
    readings = {}
    for deva, (_, score) in table.items():
        english = model._loanword(deva, score)
        if english is not None:
            readings[deva] = english
    key = table_key(model_sha256=model._file.sha256, table_words=len(table), params=model.params.d2r)
    write_table_readings(TABLE_READINGS_PATH, readings, key=key)
    print(f"wrote the English readings of {len(readings)} of {len(table)} table words to {TABLE_READINGS_PATH}")


def tune(args: argparse.Namespace) -> int:
    model = LearnedModel.load(args.model) if args.model else default_model()
    model = model.with_params({"d2r.loanwords": False})  # the native reading and its score
    index = read_loanwords(args.index)
    if index is None:
        raise SystemExit(f"cannot read the index {args.index}")
    attested: dict[str, set[str]] = {}
    for d, r, _ in read_pairs(args.lexicon):
        attested.setdefault(normalize_deva(d), set()).add(r.lower())
    rows = []
    for deva, golds in sorted(attested.items()):
        if deva in model.memory.d2r:
            continue
        best = model.romanize_topk(deva, 1)
        native = best[0][0].lower() if best else ""
        # what the word's other spellings say (model._variant_evidence), for loan_variants
        variant_reading, _ = model._variant_evidence(deva, math.inf)
        variant_logprior = max((model._logprior(v) or -math.inf for v in convention_variants(deva)), default=-math.inf)
        rows.append(
            (
                deva, golds, native, best[0][1] if best else 0.0, model._logprior(deva), index.get(deva),
                variant_reading, variant_logprior,
            )
        )
    names = list(GRID)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*GRID.values())]

    def correct(row: tuple, combo: dict) -> bool:
        deva, golds, native, score, logprior, loans, variant_reading, variant_logprior = row
        if combo["loan_variants"] and loans and score <= combo["loan_score"]:
            if variant_reading is not None:
                return variant_reading in golds
            if variant_logprior > combo["loan_logprior"]:
                return native in golds
        english = english_reading(
            deva,
            loans,
            score=score,
            logprior=logprior,
            min_logfreq=combo["loan_logfreq"],
            max_logprior=combo["loan_logprior"],
            max_score=combo["loan_score"],
            loose=combo["loan_loose"],
        )
        return (english or native) in golds

    def accuracy(part: list, combo: dict) -> float:
        return sum(correct(row, combo) for row in part) / max(len(part), 1)

    native_acc = sum(row[2] in row[1] for row in rows) / max(len(rows), 1)
    ranked = sorted(combos, key=lambda c: -accuracy(rows, c))
    for combo in ranked[: args.show]:
        print(json.dumps({**combo, "top1": round(accuracy(rows, combo), 4)}))
    folds = [rows[i :: args.folds] for i in range(args.folds)]
    right = 0.0
    for i, fold in enumerate(folds):
        rest = [row for j, f in enumerate(folds) if j != i for row in f]
        chosen = max(combos, key=lambda c: accuracy(rest, c))
        acc = accuracy(fold, chosen)
        right += acc * len(fold)
        print(json.dumps({"fold": i, "chosen": chosen, "top1": round(acc, 4), "native_top1": round(sum(row[2] in row[1] for row in fold) / max(len(fold), 1), 4)}))
    print(
        json.dumps(
            {"words": len(rows), "native_top1": round(native_acc, 4), "cross_validated_top1": round(right / len(rows), 4)}
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", default=None, help="model file (default: the shipped model)")
    parser.add_argument("-o", "--output", type=Path, default=LOANWORDS_PATH)
    parser.add_argument("--tune", action="store_true", help="choose the decision parameters (see above)")
    parser.add_argument("--index", type=Path, default=LOANWORDS_PATH, help="with --tune: the index to use")
    parser.add_argument("--lexicon", type=Path, default=None, help="with --tune: the held-out lexicon")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show", type=int, default=10, help="with --tune: the best combinations to print")
    parser.add_argument(
        "--table-only", action="store_true", help="only rewrite the shipped model's table readings (see above)"
    )
    args = parser.parse_args(argv)
    if args.table_only:
        write_table(default_model())
        return 0
    if args.tune:
        if args.lexicon is None:
            parser.error("--tune needs --lexicon (the held-out slice of a model trained with --hold-out)")
        return tune(args)
    return build(args)


if __name__ == "__main__":
    raise SystemExit(main())
