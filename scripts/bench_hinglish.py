"""Code-mixed Hinglish, names and English words: accuracy through the command line, this tree against a
baseline revision in the same run (issue 27).

Sets (each left out, with a note, when its file is missing):

* **code-mixed dev** (``scripts/data/hinglish/codemix_dev.tsv``, written by hand for this project, every
  word token labelled ``hi``/``en``/``name`` with its Devanagari): with ``--english keep``, the share of
  English words and names kept in Latin and of Hindi words turned into Devanagari; in the default mode,
  the share of tokens spelled exactly as the file spells them, per label;
* **Hinglish-TOP validation** (``../shared/data/hinglish-top/validation.tsv``, real queries): with
  ``--english keep``, the same two shares, a token labelled English when its word also occurs in the
  query's English original (the dataset README's heuristic: noisy, ``me``/``to``/``is`` are often Hindi);
  with ``--classes``, also the two shares over the words that the train split labels one way only (see
  :func:`mixed_label_types`), which leaves out most of the heuristic's noise;
* **names and English words** (``scripts/data/names/names_dev.tsv``, written by hand): roman → Devanagari
  top-1 of single words, per kind (a word counts as right when it equals one of the listed spellings).

Every conversion runs through ``lipyantar convert`` of both trees (the baseline unpacked from git and its
kernels built, as ``compare_outputs.py`` does). The Dakshina dev figures (top-1, top-5, sentence WER,
Devanagari → roman) come from ``bench_learned.py --baseline-rev``.

    python scripts/bench_hinglish.py --baseline-rev 974210e
    python scripts/bench_hinglish.py                      # this tree only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from source_tree import cli_command, unpack_revision  # noqa: E402

CODEMIX = ROOT / "scripts" / "data" / "hinglish" / "codemix_dev.tsv"
NAMES = ROOT / "scripts" / "data" / "names" / "names_dev.tsv"
TOP = ROOT.parent / "shared" / "data" / "hinglish-top" / "validation.tsv"
TOP_TRAIN = TOP.with_name("train.tsv")
_IN_WORD = regex.compile(r"\p{Latin}[\p{Latin}\p{M}]*(?:['’-]\p{Latin}[\p{Latin}\p{M}]*)*")
_OUT_WORD = regex.compile(r"[\p{Latin}\p{Devanagari}]+(?:['’-][\p{Latin}\p{Devanagari}]+)*")
_DEVA = regex.compile(r"\p{Devanagari}")


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    devas: tuple[str, ...]


def read_codemix(path: Path) -> list[Sentence]:
    out: list[Sentence] = []
    block: list[list[str]] = []

    def flush() -> None:
        if block:
            head, rows = block[0], block[1:]
            out.append(Sentence(head[3], *(tuple(col) for col in zip(*rows, strict=True))))  # type: ignore[arg-type]
            block.clear()

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            flush()
        elif line.startswith("#") and not block:
            continue
        else:
            fields = line.split("\t")
            if (line.startswith("@") and len(fields) != 4) or (not line.startswith("@") and len(fields) != 3):
                raise SystemExit(f"{path}:{lineno}: bad line")
            block.append(fields)
    flush()
    return out


def read_top(path: Path) -> list[Sentence]:
    """Hinglish-TOP rows, each token labelled by the dataset README's heuristic (Devanagari unknown)."""
    out = []
    for row in list(path.read_text(encoding="utf-8").splitlines())[1:]:
        fields = row.split("\t")
        english = {w.lower() for w in _IN_WORD.findall(fields[0])}
        tokens = tuple(_IN_WORD.findall(fields[1]))
        labels = tuple("en" if t.lower() in english else "hi" for t in tokens)
        out.append(Sentence(fields[1], tokens, labels, ("",) * len(tokens)))
    return out


def mixed_label_types(sentences: Sequence[Sentence], *, share: float = 0.1, least: int = 2) -> set[str]:
    """The words (lower case) that ``sentences`` label both ways, the rarer label at least ``least`` times
    and ``share`` of the word's tokens: under the README's heuristic mostly its noise (``me``, ``to``,
    ``is`` in Hindi queries whose English original has them; ``time``, ``minute`` where the original
    words it otherwise), with the real homographs among them."""
    counts: Counter[tuple[str, bool]] = Counter()
    for sent in sentences:
        for tok, label in zip(sent.tokens, sent.labels, strict=True):
            counts[(tok.lower(), label == "hi")] += 1
    out = set()
    for word, _ in {k for k in counts if k[1]}:
        hindi, english = counts[(word, True)], counts[(word, False)]
        rare = min(hindi, english)
        if rare >= least and rare >= share * (hindi + english):
            out.add(word)
    return out


def read_names(path: Path) -> list[tuple[str, tuple[str, ...], str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        roman, deva, kind = line.split("\t")
        rows.append((roman, tuple(unicodedata.normalize("NFC", d) for d in deva.split("|")), kind))
    return rows


def out_tokens(line: str) -> list[str]:
    return _OUT_WORD.findall(line.replace("।", " ").replace("॥", " "))


#: the error classes of ``--classes`` (see :func:`token_classes`)
CLASSES = ("number", "name", "function", "homograph", "other")


def token_classes(sent: Sentence, function: set[str], english: set[str], hindi: set[str]) -> list[str]:
    """The class of each token of a sentence, the first that applies: ``number`` (a number just before
    it: 6:30 am, 5th), ``name`` (labelled a name, or capitalized inside the sentence and not labelled
    Hindi), ``function`` (one of the most frequent English words), ``homograph`` (a word of both the
    English and the romanized-Hindi word lists), ``other``."""
    out = []
    at = 0
    for i, (tok, label) in enumerate(zip(sent.tokens, sent.labels, strict=True)):
        start = sent.text.find(tok, at)
        at = start + len(tok) if start >= 0 else at
        before = sent.text[:start].rstrip() if start >= 0 else ""
        word = tok.lower()
        if before[-1:].isdigit():
            out.append("number")
        elif label == "name" or (label != "hi" and i > 0 and tok[:1].isupper()):
            out.append("name")
        elif word in function:
            out.append("function")
        elif word in english and word in hindi:
            out.append("homograph")
        else:
            out.append("other")
    return out


def score_keep(
    sentences: Sequence[Sentence],
    outputs: Sequence[str],
    classes: Sequence[Sequence[str]] | None = None,
    mixed: set[str] | None = None,
) -> dict[str, float]:
    """Shares of English words and names kept as written, and of Hindi words given in Devanagari (with
    ``classes``, per class of :func:`token_classes` too; with ``mixed``, also over the words not in it)."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misaligned = 0
    for k, (sent, line) in enumerate(zip(sentences, outputs, strict=True)):
        outs = out_tokens(line)
        if len(outs) != len(sent.tokens):
            misaligned += 1
            outs = [""] * len(sent.tokens)  # counted wrong
        for j, (tok, label, out) in enumerate(zip(sent.tokens, sent.labels, outs, strict=True)):
            group = "hi" if label == "hi" else "en+name"
            ok = bool(_DEVA.search(out)) if group == "hi" else out == tok
            keys = [group] if classes is None else [group, f"{group} {classes[k][j]}"]
            if mixed is not None and tok.lower() not in mixed:
                keys.append(f"{group} one-way")
            for key in keys:
                totals[key] += 1
                hits[key] += ok
    result = {
        "english+names kept %": 100 * hits["en+name"] / max(totals["en+name"], 1),
        "hindi to devanagari %": 100 * hits["hi"] / max(totals["hi"], 1),
        "misaligned lines": misaligned,
    }
    if mixed is not None:
        for group in ("en+name", "hi"):
            key = f"{group} one-way"
            result[f"{key} (n={totals[key]}) %"] = 100 * hits[key] / totals[key] if totals[key] else float("nan")
    if classes is not None:
        for group in ("en+name", "hi"):
            for c in CLASSES:
                key = f"{group} {c}"
                result[f"{key} (n={totals[key]}) %"] = 100 * hits[key] / totals[key] if totals[key] else float("nan")
    return result


def score_spelling(sentences: Sequence[Sentence], outputs: Sequence[str]) -> dict[str, float]:
    """Default mode: tokens spelled exactly as the set spells them, per label."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for sent, line in zip(sentences, outputs, strict=True):
        outs = out_tokens(line)
        if len(outs) != len(sent.tokens):
            outs = [""] * len(sent.tokens)
        for label, gold, out in zip(sent.labels, sent.devas, outs, strict=True):
            totals[label] += 1
            hits[label] += unicodedata.normalize("NFC", out) == unicodedata.normalize("NFC", gold)
    return {f"{label} spelled %": 100 * hits[label] / totals[label] for label in sorted(totals)}


def score_names(rows: Sequence[tuple[str, tuple[str, ...], str]], outputs: Sequence[str]) -> dict[str, float]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for (_, golds, kind), out in zip(rows, outputs, strict=True):
        ok = unicodedata.normalize("NFC", out.strip()) in golds
        for key in ("all", kind):
            totals[key] += 1
            hits[key] += ok
    return {f"top-1 {k} %": 100 * hits[k] / totals[k] for k in ["all", *sorted(k for k in totals if k != "all")]}


def run(cmd: Sequence[str], opts: Sequence[str], text: str, cwd: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    path = cwd / "input.txt"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([*cmd, *opts, str(path)], check=True, capture_output=True, env=env, cwd=cwd)
    return done.stdout.decode("utf-8").splitlines()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline-rev", help="also measure this git revision, in the same run")
    ap.add_argument("--codemix", type=Path, default=CODEMIX)
    ap.add_argument("--top", type=Path, default=TOP, help="Hinglish-TOP validation.tsv (optional)")
    ap.add_argument("--top-train", type=Path, default=TOP_TRAIN, help="its train.tsv, for --classes (optional)")
    ap.add_argument("--names", type=Path, default=NAMES)
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong tokens per set (this tree)")
    ap.add_argument("--classes", action="store_true", help="--english keep figures per class of token too")
    args = ap.parse_args(argv)
    class_of = None
    mixed = None
    if args.classes and args.top_train.exists():
        mixed = mixed_label_types(read_top(args.top_train))
    if args.classes:
        from lipyantar.translit.wordlang import load_tables

        tables = load_tables()
        en, hi = tables.lexicon("en"), tables.lexicon("hi-Latn")
        function = set(sorted(en, key=lambda w: (-en[w], w))[:150])
        class_of = lambda s: token_classes(s, function, set(en), set(hi))  # noqa: E731
    tmp = Path(tempfile.mkdtemp(prefix="lipyantar-hinglish-"))
    try:
        trees: list[tuple[str, list[str]]] = []
        if args.baseline_rev:
            tree = unpack_revision(ROOT, args.baseline_rev, tmp / "tree")
            trees.append((f"baseline {args.baseline_rev}", [*cli_command(tree), "convert"]))
        trees.append(("this tree", [sys.executable, "-m", "lipyantar", "convert"]))
        r2d = ["--from", "roman", "--to", "deva"]
        keep = [*r2d, "--english", "keep"]
        results: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
        errors: dict[str, list[str]] = defaultdict(list)
        sets: list[tuple[str, object]] = []
        if args.codemix.exists():
            sets.append(("codemix", read_codemix(args.codemix)))
        else:
            print(f"(no code-mixed dev set at {args.codemix})")
        if args.top.exists():
            sets.append(("hinglish-top", read_top(args.top)))
        else:
            print(f"(no Hinglish-TOP at {args.top}: left out)")
        if args.names.exists():
            sets.append(("names", read_names(args.names)))
        else:
            print(f"(no names dev set at {args.names})")
        for tree_name, cmd in trees:
            for set_name, data in sets:
                if set_name == "names":
                    rows = data  # type: ignore[assignment]
                    outs = run(cmd, r2d, "".join(r[0] + "\n" for r in rows), tmp)
                    results[f"{set_name}"][tree_name] = score_names(rows, outs)
                    if tree_name == "this tree":
                        errors[set_name] = [f"{r[0]} → {o} (gold {'|'.join(r[1])})" for r, o in zip(rows, outs, strict=True) if o.strip() not in r[1]]
                    continue
                sents: list[Sentence] = data  # type: ignore[assignment]
                text = "".join(s.text.replace("\n", " ") + "\n" for s in sents)
                outs = run(cmd, keep, text, tmp)
                classes = [class_of(s) for s in sents] if class_of is not None else None
                one_way = mixed if set_name == "hinglish-top" else None
                results[f"{set_name} --english keep"][tree_name] = score_keep(sents, outs, classes, one_way)
                if tree_name == "this tree":
                    for s, o in zip(sents, outs, strict=True):
                        toks = out_tokens(o)
                        if len(toks) != len(s.tokens):
                            errors[set_name].append(f"misaligned: {s.text} → {o}")
                            continue
                        for t, lab, out in zip(s.tokens, s.labels, toks, strict=True):
                            if (lab == "hi") != bool(_DEVA.search(out)):
                                errors[set_name].append(f"{lab:4} {t} → {out}   [{s.text}]")
                if set_name == "codemix":
                    outs = run(cmd, r2d, text, tmp)
                    results[f"{set_name} default mode"][tree_name] = score_spelling(sents, outs)
        for set_name, per_tree in results.items():
            print(f"\n{set_name}")
            names = [t for t, _ in trees]
            keys = list(next(iter(per_tree.values())))
            print(f"  {'figure':<34}" + "".join(f"{n:>22}" for n in names))
            for key in keys:
                cells = "".join(f"{per_tree[n].get(key, float('nan')):>22.1f}" for n in names)
                print(f"  {key:<34}{cells}")
        for set_name, errs in errors.items():
            if args.errors:
                print(f"\nerrors, {set_name} (this tree, first {args.errors} of {len(errs)})")
                for e in errs[: args.errors]:
                    print("  " + e)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
