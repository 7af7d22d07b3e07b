"""Evaluate ``lipyantar.corpora.langid`` on separating romanized Hindi from English sentences (bar: >= 98 % accuracy).

The labelled set is built here, from two sources that the classifier never saw in training:

* **romanized Hindi** (label ``hi-Latn``): the romanized side of the Dakshina *dev* sentences,
  ``hi.sentences.dev.tsv`` (``native<TAB>romanized``; 4,947 human romanizations of Hindi Wikipedia
  sentences; Roark et al., LREC 2020; CC BY-SA 4.0). Default path: ``/work/shared/data/dakshina-hi/``.
* **English** (label ``en``): the sentences of *Botchan (Master Darling)* by Natsume Soseki, English
  translation by Yasotaro Morri, Project Gutenberg eBook #8868 (public domain in the USA; the Project
  Gutenberg header and licence are cut off). The file ships as ``test/botchan.txt`` in the source
  distribution of the ``sentencepiece`` package on PyPI (Apache-2.0 code; the text is Project
  Gutenberg's). Get it with::

      pip download --no-deps --no-binary :all: sentencepiece==0.2.3 -d /tmp/sp
      tar xzf /tmp/sp/sentencepiece-0.2.3.tar.gz -C /tmp/sp sentencepiece-0.2.3/test/botchan.txt

  The text is vendored as ``scripts/data/english/botchan.txt`` (the default of ``--english``); another
  copy can be passed with ``--english PATH`` (the ``.tar.gz`` itself works too).

The English training data of the classifier is ``wordfreq``'s word list, the romanized-Hindi training data
the Dakshina *train* lexicon: neither contains these sentences.

A sentence is counted correct when the top language (``GroupDecision.dominant``) equals its label;
sentences the classifier also flags as ``mixed`` are counted and reported separately. Sentences with fewer
than ``--min-words`` Latin words are left out (reported). English sentences are sampled (fixed seed) to at
most as many as the Hindi ones, so that the set is balanced.
"""

from __future__ import annotations

import argparse
import random
import sys
import tarfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from lipyantar.corpora.langid import load_model  # noqa: E402

DEFAULT_DEV = Path("/work/shared/data/dakshina-hi/hi.sentences.dev.tsv")
DEFAULT_ENGLISH = ROOT / "scripts" / "data" / "english" / "botchan.txt"
_LATIN_WORD = regex.compile(r"\p{Latin}[\p{Latin}\p{M}]*(?:['’]\p{Latin}[\p{Latin}\p{M}]*)*")
_SENTENCE_END = regex.compile(r"(?<=[.!?][\"'”’)]?)\s+(?=[\"'“‘(]?[A-Z])")


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def hindi_sentences(path: Path) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[1].strip():
                out.append(parts[1].strip())
    return out


def _botchan_text(path: Path) -> str:
    if path.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                if member.name.endswith("test/botchan.txt"):
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        return extracted.read().decode("utf-8-sig")
        raise SystemExit(f"{path}: no test/botchan.txt inside")
    return path.read_text(encoding="utf-8-sig")


def english_sentences(path: Path) -> list[str]:
    text = _botchan_text(path)
    start = text.find("*** START OF")
    end = text.find("*** END OF")
    if start >= 0:
        text = text[text.index("\n", start) + 1 :]
        end = text.find("*** END OF")
    if end >= 0:
        text = text[:end]
    text = regex.sub(r"End of (the )?Project Gutenberg.*", "", text, flags=regex.S)
    paragraphs = regex.split(r"\n\s*\n", text)
    out = []
    for para in paragraphs:
        flat = " ".join(para.split())
        if not flat or flat.isupper():
            continue
        out.extend(s.strip() for s in _SENTENCE_END.split(flat) if s.strip())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="Dakshina hi.sentences.dev.tsv")
    parser.add_argument(
        "--english", type=Path, default=DEFAULT_ENGLISH, help="botchan.txt or the sentencepiece sdist .tar.gz"
    )
    parser.add_argument("--min-words", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--show-errors", type=int, default=10, help="print this many errors per class")
    args = parser.parse_args(argv)

    english_path = args.english
    data: list[tuple[str, str]] = []
    dropped = Counter()
    hindi = hindi_sentences(args.dev)
    for sent in hindi:
        if len(latin_words(sent)) >= args.min_words:
            data.append((sent, "hi-Latn"))
        else:
            dropped["hi-Latn"] += 1
    english = []
    for sent in english_sentences(english_path):
        if len(latin_words(sent)) >= args.min_words:
            english.append(sent)
        else:
            dropped["en"] += 1
    n_hi = sum(1 for _, label in data if label == "hi-Latn")
    if len(english) > n_hi:
        english = random.Random(args.seed).sample(english, n_hi)
    data.extend((s, "en") for s in english)

    model = load_model()
    correct = Counter()
    total = Counter()
    mixed = Counter()
    errors: dict[str, list[str]] = {"hi-Latn": [], "en": []}
    for sent, label in data:
        decision = model.classify(latin_words(sent), "Latin")
        total[label] += 1
        if decision.language == "mixed":
            mixed[label] += 1
        if decision.dominant == label:
            correct[label] += 1
        else:
            errors[label].append(f"{decision.dominant} ({decision.confidence:.2f}): {sent}")

    n = sum(total.values())
    acc = sum(correct.values()) / n
    print(
        f"labelled set: {total['hi-Latn']} romanized Hindi (Dakshina dev) + {total['en']} English (Botchan)"
    )
    print(f"left out (fewer than {args.min_words} Latin words): {dict(dropped)}")
    for label in ("hi-Latn", "en"):
        print(
            f"  {label:8s} accuracy {correct[label] / total[label]:.4f} ({correct[label]}/{total[label]}); "
            f"flagged mixed: {mixed[label]}"
        )
    print(
        f"overall accuracy: {acc:.4f} ({sum(correct.values())}/{n}); bar >= 0.98: {'PASS' if acc >= 0.98 else 'FAIL'}"
    )
    for label in ("hi-Latn", "en"):
        for line in errors[label][: args.show_errors]:
            print(f"  error [{label}] -> {line}")
    return 0 if acc >= 0.98 else 1


if __name__ == "__main__":
    raise SystemExit(main())
