#!/usr/bin/env python
"""Choose roman → Devanagari decoding parameters on a slice of the *training* data (never dev).

``python scripts/train_default_model.py --hold-out 10 -o /tmp/heldout.lpm`` trains a model without a
fixed slice of the train lexicon (``/tmp/heldout.heldout.tsv``) and of the native Wikipedia text
(``/tmp/heldout.heldout-sentences.txt``). This script measures that model on them, for every
combination of the parameter values given with ``--set``:

* single words (the held-out lexicon rows): top-1 of ``devanagarize``, top-5 of
  ``devanagarize_topk(word, 5)``, and top-1 per class (:func:`word_classes`: English-pronounceable
  words, words showing a name convention), the training-side stand-in for a names and English words set;
* running sentences (the held-out native sentences, each Devanagari word written with one of its
  romanizations in the train lexicon, drawn by their counts (``--romanize top``: its most frequent),
  or the model's own romanization when the lexicon does not have it: a stand-in for typed text, since
  Dakshina has no romanized train sentences): word error rate of sentence decoding, and of each word
  decoded alone.

Each single-word row after the first also says how many answers changed from the first
combination's and the net gain of those changes, split (:func:`lexicon_changes`) into ``net_neutral``
(neither answer a train-lexicon word: choose on this) and ``net_lexicon`` (an answer that is: the
held-out words never are, so moving away from lexicon words gains on held-out and dev whatever its
merit, a split artifact; do not choose on it).

Typed text is messier than the lexicon, and the sentence parameters are chosen on sentences written
the way people type: final nasals dropped or written ``m`` as often as in the shipped example twin
(``--nasal-drop example --nasal-m example``), and human spellings the model has not seen
(``--unattested 1`` with a model trained with ``--hold-out-pairs 40``, which also leaves out 40% of
the rarer romanizations of the words it keeps). The script prints how the sentences' words are
written (attested / other word's / unseen), to compare with the example twin's shares.

``--numbers`` keeps the sentences' numbers (typed as they are, not scored): the context they give the
words around them (सन् 1904 में), which the word n-gram model has a token for.

Usage: ``python scripts/tune_heldout.py --model /tmp/heldout.lpm --set sentence.w_ctx=0.5,1,1.8
--set r2d.w_vocab=0,1,2 [--parts words,sentences,english] [--limit N]``. Each combination is printed as one JSON
line. The sentence parameters of the shipped model were chosen with::

    python scripts/train_default_model.py --hold-out 10 --hold-out-pairs 40 -o /tmp/ho.lpm
    python scripts/tune_heldout.py --model /tmp/ho.lpm --parts sentences,english \
        --nasal-drop example --nasal-m example --unattested 1 --set casual.nasal_penalty=-1,3,4,5,6,7

and the weight of the casual-typing noise model (its table estimated without the held-out rows)::

    python scripts/train_noise.py --exclude /tmp/ho.heldout.tsv -o /tmp/ho-noise.json
    python scripts/tune_heldout.py --model /tmp/ho.lpm --noise /tmp/ho-noise.json --parts sentences \
        --nasal-drop example --nasal-m example --unattested 1 --set casual.noise_weight=-1,0.5,1,1.25,1.5,1.75,2,3

and the weight of its final-nasal edits on sentences whose final nasals are left out as often as real
running text leaves them out (the Hinglish-TOP train queries, :func:`hinglish_top_nasal_drop`: 74%; the
example twin's 6% hides that ``hai`` is typed for हैं, ``me`` for में)::

    python scripts/tune_heldout.py --model /tmp/ho.lpm --noise /tmp/ho-noise.json --parts sentences \
        --nasal-drop hinglish-top --nasal-m example --unattested 1 \
        --set casual.nasal_weight=-1,0,0.25,0.5 --set casual.noise_weight=1,1.5,2

and the weight of the confusable pairs' classifiers (their table trained without the held-out
sentences, ``--pairs``)::

    python scripts/train_context_pairs.py --exclude /tmp/ho.heldout-sentences.txt -o /tmp/ho-pairs.json.gz
    python scripts/tune_heldout.py --model /tmp/ho.lpm --noise /tmp/ho-noise.json --pairs /tmp/ho-pairs.json.gz \
        --parts sentences --nasal-drop example --nasal-m example --unattested 1 --set sentence.w_pairs=0,0.5,1,1.5,2,3
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Container
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from lipyantar.translit.learned.charalign import normalize_deva, normalize_roman  # noqa: E402
from lipyantar.translit.learned.contextpairs import load_context_pairs  # noqa: E402
from lipyantar.translit.learned.learn import read_pairs  # noqa: E402
from lipyantar.translit.learned.model import LearnedModel  # noqa: E402
from lipyantar.translit.learned.names import english_margin, roman_conventions  # noqa: E402
from lipyantar.translit.learned.noise import load_noise  # noqa: E402

TRAIN_LEXICON = ROOT / "scripts" / "data" / "dakshina-hi" / "hi.translit.sampled.train.tsv"
_DEVA_WORD = regex.compile(r"[\p{Devanagari}\u200c\u200d]+", regex.V1)
#: with --numbers: also the numbers (ASCII or Devanagari digits, 1904, 6.5), which stay as they are
_DEVA_WORD_OR_NUMBER = regex.compile(
    r"[0-9\u0966-\u096f]+(?:[.,:][0-9\u0966-\u096f]+)*|[\p{Devanagari}\u200c\u200d]+", regex.V1
)
_LATIN = regex.compile(r"[A-Za-z]+")


def word_classes(model: LearnedModel, words: list[str]) -> dict[str, set[str]]:
    """Held-out Latin words by class, for per-class single-word figures (issue 27): ``english``, those
    with a CMUdict pronunciation that the word-language tables find more English than Hindi (loanwords
    and names as English spells them, with the Hindi homographs such a set also holds: ``bat``, ``par``);
    ``conventions``, those showing a name convention (final consonant + ``a``, final ``ee``/consonant +
    ``y``, a doubled consonant letter: :func:`~lipyantar.translit.learned.names.roman_conventions`)."""
    english = model.english
    out: dict[str, set[str]] = {"english": set(), "conventions": set()}
    for word in words:
        if english is not None and english.pronunciations(word) and english_margin(word) > 0:
            out["english"].add(word)
        final_a, final_ee, doubled = roman_conventions(word)
        if final_a or final_ee or doubled:
            out["conventions"].add(word)
    return out


def lexicon_changes(
    gold: dict[str, set[str]], before: dict[str, str], after: dict[str, str], lexicon: Container[str]
) -> dict[str, int]:
    """How the single-word answers changed from ``before`` (the first combination's) to ``after``, as net
    gains (words fixed minus words broken), split by whether either answer is a word of the train
    lexicon the model was trained on (``lexicon``: its memory's native words).

    The held-out rows' native words are never in that lexicon (the split is by native word, as
    Dakshina's train and dev are), so a change that moves answers *away from* train-lexicon words gains
    on held-out (and dev) whatever its merit: a higher ``r2d.w_marg``, say, which penalizes the words
    the joint model knows well (0.5 -> 0.9: held-out top-1 71.74 -> 72.18, +49 net words where an
    answer is a lexicon word, -30 net where neither is). ``net_neutral`` counts only the changes where neither answer is a lexicon
    word: the gain a change makes on its merits. Choose on it; ``net_lexicon`` shows the artifact."""
    out = {"changed": 0, "net_neutral": 0, "net_lexicon": 0}
    for word, old in before.items():
        new = after[word]
        if new == old:
            continue
        out["changed"] += 1
        gain = (new in gold[word]) - (old in gold[word])
        out["net_lexicon" if old in lexicon or new in lexicon else "net_neutral"] += gain
    return out


def parse_value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def sentence_set(
    model: LearnedModel,
    path: Path,
    limit: int | None,
    *,
    romanize: str = "sample",
    seed: int = 0,
    nasal_drop: float = 0.0,
    nasal_m: float = 0.0,
    unattested: float = 0.0,
    held_pairs: Path | None = None,
    numbers: bool = False,
) -> list[tuple[list[str], list[str]]]:
    """(roman words, native words) of each held-out sentence. Each native word is written with a
    romanization of it from the train lexicon: its most frequent one (``romanize="top"``) or one drawn
    in proportion to the lexicon's counts (``"sample"``, seeded: people write the same word in
    several ways, and the rarer ways, such as ``me`` for में, are where context matters); the model's
    own romanization when the lexicon does not have the word.

    Casual typing (``nasal_drop``, ``nasal_m``): a word that ends in a nasal (ं, ँ) is, with these
    probabilities, written as its form without the nasal would be (``me`` for में, ``hai`` for हैं) or
    with that form's ``m`` (``mem`` for में, ``evam`` for एवं). A second seeded generator draws them, so
    the other words are written the same at any rate.

    Unseen spellings (``unattested``): a word that has romanizations in ``held_pairs`` (rows of the
    lexicon that the model was trained without, ``train_default_model.py --hold-out-pairs``) is, with
    this probability, written with one of them (drawn by count): a human spelling the model has not
    seen, as typed text is full of (a third generator draws them)."""
    rng = random.Random(seed)
    noise = random.Random(seed + 1)
    unseen = random.Random(seed + 2)
    held: dict[str, dict[str, float]] = {}
    for deva, roman, count in read_pairs(held_pairs) if held_pairs is not None and unattested else ():
        d = normalize_deva(deva)
        held.setdefault(d, {})
        held[d][roman.lower()] = held[d].get(roman.lower(), 0.0) + count
    counts: dict[str, dict[str, float]] = {}
    for deva, roman, count in read_pairs(TRAIN_LEXICON):
        d = normalize_deva(deva)
        counts.setdefault(d, {})
        counts[d][roman.lower()] = counts[d].get(roman.lower(), 0.0) + count
    out = []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        if numbers:
            native = [normalize_deva(w) for w in _DEVA_WORD_OR_NUMBER.findall(line)]
            native = [w for w in native if w and (w[0].isdigit() or not any(c.isdigit() for c in w)) and w not in "।॥"]
        else:
            native = [normalize_deva(w) for w in _DEVA_WORD.findall(line)]
            native = [w for w in native if w and not any(c.isdigit() for c in w) and w not in "।॥"]
        if not any(not w[0].isdigit() for w in native):
            continue
        roman = []
        for w in native:
            if w[0].isdigit():  # a number (numbers=True): typed as it is
                roman.append(w)
                continue
            if w[-1] in "ंँ" and len(w) > 1 and (nasal_drop or nasal_m):
                draw = noise.random()
                if draw < nasal_drop + nasal_m:
                    bare = w[:-1]
                    forms = counts.get(bare)
                    r = (
                        min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                        if forms
                        else model.romanize(bare)
                    )
                    roman.append(r if draw < nasal_drop else r + ("m" if r[-1] in "aeiou" else "am"))
                    continue
            forms = counts.get(w)
            if not forms:
                roman.append(model.romanize(w))
            elif romanize == "top":
                roman.append(min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0])
            else:
                ordered = sorted(forms.items())
                roman.append(rng.choices([r for r, _ in ordered], weights=[c for _, c in ordered])[0])
            if w in held and unseen.random() < unattested:
                ordered = sorted(held[w].items())
                roman[-1] = unseen.choices([r for r, _ in ordered], weights=[c for _, c in ordered])[0]
        out.append((roman, native))
    return out


def spelling_shares(model: LearnedModel, sents: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    """How the sentences' words are written, as shares of all words: with a romanization the model's
    memory has for this word (``attested``), for other words only (``other_word``), or for none
    (``unseen``). Compare :func:`example_spelling_shares`, the same for real typed text."""
    counts = {"attested": 0, "other_word": 0, "unseen": 0}
    for roman, native in sents:
        for r, d in zip(roman, native, strict=True):
            if d[0].isdigit():
                continue
            known = model.memory.r2d.get(normalize_roman(r), {})
            counts["attested" if d in known else "other_word" if known else "unseen"] += 1
    total = max(sum(counts.values()), 1)
    return {k: round(v / total, 4) for k, v in counts.items()}


EXAMPLE = ROOT / "corpora" / "example"


def example_nasal_rates() -> tuple[float, float, int]:
    """(nasal_drop, nasal_m, words) measured on the shipped example corpus, a real casually typed twin
    (``000_*.txt`` Devanagari, ``001_*.txt`` its romanization, the same number of words in each
    paragraph): of the Devanagari words that end in a nasal, the share whose romanization ends in
    neither ``n`` nor ``m``, and the share that ends in a vowel and ``m``."""
    deva = next(EXAMPLE.glob("000_*.txt")).read_text(encoding="utf-8").splitlines()
    roman = next(EXAMPLE.glob("001_*.txt")).read_text(encoding="utf-8").splitlines()
    nasal = dropped = as_m = 0
    for d_line, r_line in zip(deva, roman, strict=True):
        d_words, r_words = d_line.split(), r_line.split()
        if len(d_words) != len(r_words):
            continue
        for d, r in zip(d_words, r_words, strict=True):
            d = "".join(_DEVA_WORD.findall(d))
            r = "".join(_LATIN.findall(r)).lower()
            if not d or not r or d[-1] not in "ंँ":
                continue
            nasal += 1
            dropped += not r.endswith(("n", "m"))
            as_m += len(r) > 1 and r[-1] == "m" and r[-2] in "aeiou"
    return dropped / max(nasal, 1), as_m / max(nasal, 1), nasal


HINGLISH_TOP_TRAIN = ROOT.parent / "shared" / "data" / "hinglish-top" / "train.tsv"


def hinglish_top_nasal_drop(path: Path = HINGLISH_TOP_TRAIN) -> tuple[float, int]:
    """(nasal_drop, words) measured on real casually typed running text, the code-mixed queries of the
    Hinglish-TOP *train* split (``cs_query``; used to choose parameters, never shipped or trained on):
    of the typed tokens that are a train-lexicon romanization of a word ending in a nasal and ending in
    ``n``/``m`` (``mein`` में), or that form without its last letter (``mei``), the share of the latter.
    A romanization whose shorter form is another word's romanization in the lexicon (``hain``/``hai``,
    ``kahan``/``kaha``), whose Devanagari do not all end in a nasal, or of fewer than three letters is left
    out (the typed form would not say which word it is), and so are the words of a query that also occur
    in its English original (English words: ``main``, ``on``). About 74% (223 tokens of 2,397 queries;
    ``mein``/``mei`` weigh most), against the example twin's 6% and the train lexicon's 3%: people
    typing running text leave the final nasal out far more often than the lexicon's annotators."""
    lexicon: dict[str, set[str]] = {}
    for deva, roman, _ in read_pairs(TRAIN_LEXICON):
        lexicon.setdefault(roman.lower(), set()).add(deva)
    typed: dict[str, int] = {}
    for row in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 2:
            continue
        english = {w.lower() for w in _LATIN.findall(fields[0])}
        for word in _LATIN.findall(fields[1]):
            word = word.lower()
            if word not in english:
                typed[word] = typed.get(word, 0) + 1
    full = dropped = 0
    for roman, devas in lexicon.items():
        bare = roman[:-1]
        if len(roman) < 3 or roman[-1] not in "nm" or bare in lexicon:
            continue
        if not all(len(d) > 1 and d[-1] in "ंँ" for d in devas):
            continue
        full += typed.get(roman, 0)
        dropped += typed.get(bare, 0)
    return dropped / max(full + dropped, 1), full + dropped


ENGLISH_TEXT = ROOT / "scripts" / "data" / "english" / "botchan.txt"


def english_lines(half: str) -> list[str]:
    """The non-empty lines of the vendored English text: the ``"first"`` half (for choosing
    parameters) or the ``"second"`` (for measuring)."""
    lines = [line.strip() for line in ENGLISH_TEXT.read_text(encoding="utf-8").splitlines() if line.strip()]
    mid = len(lines) // 2
    return lines[:mid] if half == "first" else lines[mid:]


def english_keep(model: LearnedModel, hindi: list[str], english: list[str]) -> dict[str, float]:
    """``--english keep`` on labelled tokens: every Latin word of ``english`` should stay Latin, every
    word of the romanized Hindi ``hindi`` should be converted. Precision and recall of keeping."""
    from lipyantar.translit.transliterate import Transliterator

    conv = Transliterator("roman", "deva", model=model, english="keep")

    def kept(lines: list[str]) -> tuple[int, int]:
        outs = [o for i in range(0, len(lines), 500) for o in conv.transliterate_many(lines[i : i + 500])]
        return sum(len(_LATIN.findall(o)) for o in outs), sum(len(_LATIN.findall(x)) for x in lines)

    kept_en, total_en = kept(english)
    kept_hi, total_hi = kept(hindi)
    return {
        "english_tokens": total_en,
        "hindi_tokens": total_hi,
        "keep_precision": round(kept_en / max(kept_en + kept_hi, 1), 4),
        "keep_recall": round(kept_en / max(total_en, 1), 4),
        "hindi_kept_rate": round(kept_hi / max(total_hi, 1), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="a model trained with --hold-out")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="values to try (NAME: a dotted path of DecodeParams, such as sentence.w_ctx)",
    )
    parser.add_argument("--parts", default="words,sentences")
    parser.add_argument("--limit", type=int, default=None, help="first N held-out rows / sentences")
    parser.add_argument(
        "--romanize",
        choices=("sample", "top"),
        default="sample",
        help="the held-out sentences' roman words: drawn by the lexicon's counts (sample) or the most frequent",
    )
    parser.add_argument(
        "--nasal-drop",
        default="0",
        help="rate at which a word's final nasal is left out of its romanization (casual typing); "
        "'example': as often as in the shipped example corpus's typed twin; 'hinglish-top': as often as "
        "in the Hinglish-TOP train queries (real running text, ../shared/data/hinglish-top/train.tsv)",
    )
    parser.add_argument(
        "--nasal-m",
        default="0",
        help="rate at which a word's final nasal is written m (mem, evam); or 'example'",
    )
    parser.add_argument(
        "--unattested",
        type=float,
        default=0.0,
        help="rate at which a word is written with one of its held-out romanizations (a model trained with "
        "--hold-out-pairs); the share of words whose romanization the model has not seen is printed",
    )
    parser.add_argument(
        "--numbers",
        action="store_true",
        help="keep the sentences' numbers, typed as they are: context for the words around them (not scored)",
    )
    parser.add_argument(
        "--noise",
        type=Path,
        default=None,
        help="the casual-typing noise table to decode with (scripts/train_noise.py --exclude STEM.heldout.tsv: "
        "estimated without the held-out rows; default: the packaged one)",
    )
    parser.add_argument(
        "--pairs",
        type=Path,
        default=None,
        help="the confusable pairs' table to decode with (scripts/train_context_pairs.py --exclude "
        "STEM.heldout-sentences.txt: trained without the held-out sentences; default: the packaged one)",
    )
    args = parser.parse_args(argv)
    measured_drop, measured_m, nasal_words = example_nasal_rates()
    if args.nasal_drop == "hinglish-top":
        if not HINGLISH_TOP_TRAIN.exists():
            parser.error(f"--nasal-drop hinglish-top needs {HINGLISH_TOP_TRAIN}")
        nasal_drop, running_words = hinglish_top_nasal_drop()
        print(json.dumps({"hinglish_top_nasal_words": running_words, "nasal_drop": round(nasal_drop, 4)}), flush=True)
    else:
        nasal_drop = measured_drop if args.nasal_drop == "example" else float(args.nasal_drop)
    nasal_m = measured_m if args.nasal_m == "example" else float(args.nasal_m)
    if "example" in (args.nasal_drop, args.nasal_m):
        shown: dict[str, float] = {"example_nasal_words": nasal_words}
        if args.nasal_drop == "example":
            shown["nasal_drop"] = round(nasal_drop, 4)
        if args.nasal_m == "example":
            shown["nasal_m"] = round(nasal_m, 4)
        print(json.dumps(shown), flush=True)
    base = LearnedModel.load(args.model)
    if args.noise is not None:
        base.noise = load_noise(str(args.noise))
    if args.pairs is not None:
        base.context_pairs = load_context_pairs(str(args.pairs))
    stem = args.model.with_suffix("")
    if args.unattested and not Path(f"{stem}.heldout-pairs.tsv").exists():
        parser.error(f"--unattested needs {stem}.heldout-pairs.tsv: train the model with --hold-out-pairs")
    parts = set(args.parts.split(","))
    lex = read_pairs(Path(f"{stem}.heldout.tsv"))[: args.limit]
    gold: dict[str, set[str]] = {}
    for d, r, _ in lex:
        gold.setdefault(normalize_roman(r), set()).add(normalize_deva(d))
    words = sorted(gold)
    classes = word_classes(base, words) if "words" in parts else {}
    wanted = parts & {"sentences", "english"}
    sents = (
        sentence_set(
            base,
            Path(f"{stem}.heldout-sentences.txt"),
            args.limit,
            romanize=args.romanize,
            nasal_drop=nasal_drop,
            nasal_m=nasal_m,
            unattested=args.unattested,
            held_pairs=Path(f"{stem}.heldout-pairs.tsv") if args.unattested else None,
            numbers=args.numbers,
        )
        if wanted
        else []
    )
    if sents:
        print(json.dumps({"sentences": len(sents), **spelling_shares(base, sents)}), flush=True)
    grid = []
    for item in args.set:
        name, _, values = item.partition("=")
        try:
            base.params.get(name)
        except ValueError:
            parser.error(
                f"unknown parameter {name!r} (a dotted path of DecodeParams, such as sentence.w_ctx)"
            )
        grid.append([(name, parse_value(v)) for v in values.split(",")])
    first: dict[str, str] | None = None
    for combo in itertools.product(*grid) if grid else [()]:
        model = base.with_params(dict(combo))
        row: dict[str, object] = dict(combo)
        start = time.perf_counter()
        if "words" in parts:
            answers = {w: model.devanagarize(w) for w in words}
            right = {w for w in words if answers[w] in gold[w]}
            top5 = sum(bool(gold[w] & {d for d, _ in model.devanagarize_topk(w, 5)}) for w in words)
            row.update(words=len(words), top1=round(len(right) / len(words), 4), top5=round(top5 / len(words), 4))
            for name, members in classes.items():
                row[f"top1_{name}"] = round(len(right & members) / len(members), 4) if members else None
                row[f"{name}_words"] = len(members)
            # against the first combination: the gains on their merits and those of leaving lexicon words
            first = answers if first is None else first
            row.update(lexicon_changes(gold, first, answers, model.memory.d2r))
        if "sentences" in parts:
            ctx = model.devanagarize_sentences([r for r, _ in sents])
            # (the numbers of --numbers are context, not scored)
            err_ctx = sum(
                h != g
                for hyp, (_, ref) in zip(ctx, sents, strict=True)
                for h, g in zip(hyp, ref, strict=True)
                if not g[0].isdigit()
            )
            err_word = sum(
                model.devanagarize(r) != g
                for rs, ref in sents
                for r, g in zip(rs, ref, strict=True)
                if not g[0].isdigit()
            )
            total = sum(1 for _, ref in sents for g in ref if not g[0].isdigit())
            row.update(
                sentence_words=total,
                wer_context=round(err_ctx / total, 4),
                wer_words=round(err_word / total, 4),
            )
        if "english" in parts:
            row.update(english_keep(model, [" ".join(r) for r, _ in sents], english_lines("first")))
        row["seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
