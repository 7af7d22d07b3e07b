#!/usr/bin/env python
"""Classify the word errors of roman → Devanagari sentence decoding by the spelling difference between the
output and the reference: a final nasal (हैं/है), e/o for ai/au (है/हे, और/ओर), vowel length (ि/ी, ु/ू),
a final ा, a spelling convention (anusvara/chandrabindu, nukta, anusvara/class nasal, ये/ए), several of these
together, or another word.

Two sets:

* ``--heldout /tmp/ho.lpm``: the held-out *train* sentences of a model trained with ``--hold-out`` (the
  typed stand-in of ``scripts/tune_heldout.py``, with its casual-typing options); the set to look at when
  changing the decoder;
* ``--dev DIR``: the Dakshina dev sentences (``hi.sentences.dev.tsv``) through the CLI's converter, for
  reporting only (never for choosing parameters).

Usage: ``python scripts/sentence_errors.py --heldout /tmp/ho.lpm [--nasal-drop example ...]`` or
``python scripts/sentence_errors.py --dev /work/shared/data/dakshina-hi [--model FILE]``. Prints one JSON
line: the words, the errors, and each class's count and share of the errors (with examples);
``--coverage`` (with ``--dev``) adds where the references of the wrong words stand (among the decoder's
candidates of the typed word, in the n-gram model, in the word list only, unknown) and how those words
were typed (sentence-first, capitalized inside the sentence, all capitals, lowercase); ``--confusion है,हैं`` adds how those reference words were output, each (output → reference) pair with
the reference words most often before it (is the context that should decide, such as a plural verb
before हैं, there?).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit.learned.charalign import normalize_deva  # noqa: E402

_NUKTA = "\u093c"
_VIRAMA = "\u094d"
_CLASS_NASALS = {"ङ": "कखगघ", "ञ": "चछजझ", "ण": "टठडढ", "न": "तथदध", "म": "पफबभ"}


def _fold_nasal_final(w: str) -> str:
    return w[:-1] if len(w) > 1 and w[-1] in "ंँ" else w


def _fold_nasal_any(w: str) -> str:
    return w[0] + w[1:].replace("ं", "").replace("ँ", "") if w else w


def _fold_diphthong(w: str) -> str:
    return w.translate(str.maketrans("ैौऐऔ", "ेोएओ"))


def _fold_length(w: str) -> str:
    return w.translate(str.maketrans("ीूईऊ", "िुइउ"))


def _fold_final_aa(w: str) -> str:
    return w[:-1] if len(w) > 1 and w[-1] == "ा" else w


def _fold_convention(w: str) -> str:
    w = w.replace("ँ", "ं").replace(_NUKTA, "")
    for nasal, stops in _CLASS_NASALS.items():
        for stop in stops:
            w = w.replace(nasal + _VIRAMA + stop, "ं" + stop)
    for old, new in (("ये", "ए"), ("यी", "ई")):
        if w.endswith(old) and len(w) > len(old):
            w = w[: -len(old)] + new
    return w


#: the classes, each with its fold (two words of a class are equal after it); checked in this order
CLASSES = (
    ("convention", _fold_convention),
    ("nasal_final", _fold_nasal_final),
    ("diphthong", _fold_diphthong),
    ("vowel_length", _fold_length),
    ("final_aa", _fold_final_aa),
    ("nasal_medial", _fold_nasal_any),
)


def error_class(hyp: str, ref: str) -> str:
    """The class of the difference between an output word and its reference (``"other"``: none of
    :data:`CLASSES`, alone or together)."""
    for name, fold in CLASSES:
        if fold(hyp) == fold(ref):
            return name
    h, r = hyp, ref
    for _, fold in CLASSES:
        h, r = fold(h), fold(r)
    return "several" if h == r else "other"


def word_pairs(hyp: list[str], ref: list[str]) -> Iterable[tuple[str, str, str]]:
    """(output word, reference word, the reference word before it or "") of one sentence: all of them
    when the two have as many words, otherwise the words of the aligned substitutions of equal length."""
    if len(hyp) == len(ref):
        yield from zip(hyp, ref, ["", *ref[:-1]], strict=True)
        return
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=hyp, b=ref, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            yield from zip(hyp[i1:i2], ref[j1:j2], [ref[j - 1] if j else "" for j in range(j1, j2)], strict=True)


def confusion(triples: Iterable[tuple[str, str, str]], words: tuple[str, ...], top: int = 15) -> dict[str, object]:
    """How the outputs of the reference words ``words`` (such as है and हैं, which agreement decides) go:
    for each (output → reference) pair of them, its count and the reference words most often before
    it (the context that should have decided)."""
    counts: Counter[str] = Counter()
    before: dict[str, Counter[str]] = {}
    for hyp, ref, prev in triples:
        if ref in words:
            key = f"{hyp}→{ref}" if hyp in words else f"other→{ref}"
            counts[key] += 1
            before.setdefault(key, Counter())[prev] += 1
    return {
        key: {"count": n, "before": dict(before[key].most_common(top))} for key, n in counts.most_common()
    }


def typed_form(roman: str, position: int) -> str:
    """How a typed word is written: ``first`` (of its sentence, capitalized as a sentence start is),
    ``capitals`` (two or more letters, all capitals: an acronym), ``capitalized`` (a name or title inside
    the sentence) or ``lowercase``."""
    if position == 0:
        return "first"
    if len(roman) > 1 and roman.isupper():
        return "capitals"
    return "capitalized" if roman[:1].isupper() else "lowercase"


def coverage(
    errors: Iterable[tuple[str, str, str, int]],
    candidates: Callable[[str], Collection[str]],
    in_lm: Callable[[str], bool],
    listed: Callable[[str], bool],
    examples: int = 5,
) -> dict[str, object]:
    """Where the wrong words' references stand, from (typed word, output, reference, position in the
    sentence) of each error: ``candidate`` (among the decoder's candidates of the typed word: the scores
    chose another), else ``lm`` (a word of the n-gram model that the search did not propose), ``listed``
    (in the large word list only) or ``unknown``; each with its count by :func:`typed_form` and its
    most frequent errors."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    shown: dict[str, Counter[str]] = {}
    for roman, hyp, ref, position in errors:
        if ref in candidates(roman):
            where = "candidate"
        elif in_lm(ref):
            where = "lm"
        else:
            where = "listed" if listed(ref) else "unknown"
        counts[where] += 1
        forms.setdefault(where, Counter())[typed_form(roman, position)] += 1
        shown.setdefault(where, Counter())[f"{roman}:{hyp}→{ref}"] += 1
    return {
        where: {"count": n, "typed": dict(forms[where].most_common()), "examples": [e for e, _ in shown[where].most_common(examples)]}
        for where, n in counts.most_common()
    }


def classify(pairs: Iterable[tuple[str, ...]], examples: int = 5) -> dict[str, object]:
    words = 0
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for hyp, ref, *_ in pairs:
        words += 1
        if hyp == ref:
            continue
        name = error_class(hyp, ref)
        counts[name] += 1
        shown.setdefault(name, Counter())[f"{hyp}→{ref}"] += 1
    errors = sum(counts.values())
    return {
        "words": words,
        "errors": errors,
        "classes": {
            name: {
                "count": n,
                "share": round(n / max(errors, 1), 4),
                "examples": [e for e, _ in shown[name].most_common(examples)],
            }
            for name, n in counts.most_common()
        },
    }


def _params(items: list[str]) -> dict[str, object]:
    import tune_heldout

    return {k: tune_heldout.parse_value(v) for k, _, v in (item.partition("=") for item in items)}


def dev_model(model_path: Path | None, changes: list[str]):  # type: ignore[no-untyped-def]
    from lipyantar.translit.learned.model import LearnedModel, default_model

    model = LearnedModel.load(model_path) if model_path else default_model()
    return model.with_params(_params(changes)) if changes else model


def dev_sentences(dev_dir: Path, model) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(native, typed, output) of each Dakshina dev sentence, converted as ``lipyantar convert`` does."""
    from lipyantar.translit.transliterate import Transliterator

    sents = []
    for line in (dev_dir / "hi.sentences.dev.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 2:
            sents.append((cols[0], cols[1]))
    conv = Transliterator("roman", "deva", model=model)
    romans = [r for _, r in sents]
    hyps = [o for i in range(0, len(romans), 500) for o in conv.transliterate_many(romans[i : i + 500])]
    return [(native, roman, hyp) for (native, roman), hyp in zip(sents, hyps, strict=True)]


def dev_pairs(sentences: list[tuple[str, str, str]]) -> Iterable[tuple[str, str, str]]:
    from lipyantar.translit.metrics import words_of

    for native, _, hyp in sentences:
        yield from word_pairs(
            [normalize_deva(w) for w in words_of(hyp)], [normalize_deva(w) for w in words_of(native)]
        )


def dev_errors(sentences: list[tuple[str, str, str]]) -> Iterable[tuple[str, str, str, int]]:
    """(typed word, output, reference, position) of the wrong words of the sentences whose typed, output
    and reference texts have as many words (the typed word is known only there)."""
    from lipyantar.translit.metrics import words_of

    for native, roman, hyp in sentences:
        typed = words_of(roman)
        hyps = [normalize_deva(w) for w in words_of(hyp)]
        refs = [normalize_deva(w) for w in words_of(native)]
        if len(typed) == len(hyps) == len(refs):
            for i, (word, h, r) in enumerate(zip(typed, hyps, refs, strict=True)):
                if h != r:
                    yield word, h, r, i


def heldout_pairs(args: argparse.Namespace) -> Iterable[tuple[str, str, str]]:
    import tune_heldout

    from lipyantar.translit.learned.model import LearnedModel

    model = LearnedModel.load(args.heldout)
    if args.noise is not None:
        from lipyantar.translit.learned.noise import load_noise

        model.noise = load_noise(str(args.noise))
    if args.set:
        model = model.with_params(_params(args.set))
    drop, as_m, _ = tune_heldout.example_nasal_rates()
    stem = args.heldout.with_suffix("")
    sents = tune_heldout.sentence_set(
        model,
        Path(f"{stem}.heldout-sentences.txt"),
        args.limit,
        nasal_drop=drop if args.nasal_drop == "example" else float(args.nasal_drop),
        nasal_m=as_m if args.nasal_m == "example" else float(args.nasal_m),
        unattested=args.unattested,
        held_pairs=Path(f"{stem}.heldout-pairs.tsv") if args.unattested else None,
    )
    hyps = model.devanagarize_sentences([r for r, _ in sents])
    for hyp, (_, ref) in zip(hyps, sents, strict=True):
        yield from zip(hyp, ref, ["", *ref[:-1]], strict=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--heldout", type=Path, help="a model trained with --hold-out (its held-out sentences)")
    group.add_argument("--dev", type=Path, help="the Dakshina folder (dev sentences: reporting only)")
    parser.add_argument("--model", type=Path, default=None, help="with --dev: this model (default: shipped)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--nasal-drop", default="0")
    parser.add_argument("--nasal-m", default="0")
    parser.add_argument("--unattested", type=float, default=0.0)
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--noise", type=Path, default=None, help="with --heldout: this casual-typing noise table")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="decode with this parameter")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="with --dev: also whether each wrong word's reference was a candidate, a word of the n-gram model "
        "or of the word list, by how the word was typed (first, capitalized, capitals, lowercase)",
    )
    parser.add_argument(
        "--confusion",
        default=None,
        metavar="WORD,WORD",
        help="also how these reference words are output, with the words before them (e.g. है,हैं)",
    )
    args = parser.parse_args(argv)
    if args.coverage and not args.dev:
        parser.error("--coverage needs --dev")
    sentences = None
    if args.heldout:
        pairs = list(heldout_pairs(args))
    else:
        model = dev_model(args.model, args.set)
        sentences = dev_sentences(args.dev, model)
        pairs = list(dev_pairs(sentences))
    result = classify(pairs, args.examples)
    if sentences is not None and args.coverage:
        from lipyantar.translit.learned.langmodel import WordLM

        known = model._known()
        ids = model.wordlm.ids
        result["coverage"] = coverage(
            dev_errors(sentences),
            lambda roman: model._word_column(roman)[0],
            lambda deva: ids.get(deva, WordLM.UNK) != WordLM.UNK,
            known if known is not None else (lambda deva: False),
            args.examples,
        )
    if args.confusion:
        result["confusion"] = confusion(pairs, tuple(normalize_deva(w) for w in args.confusion.split(",")))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
