"""Train the language-identification tables of ``lipyantar.corpora.langid`` into ``translit/data/langid.tables``.

Two groups of languages are modelled, each language by a *word lexicon with frequencies* and a
*character n-gram language model over word types* (Witten-Bell interpolated, see
``corpora/langid.py``):

* Latin script: romanized Hindi (``hi-Latn``) vs English (``en``).

  - ``hi-Latn`` lexicon: the Devanagari word frequencies of ``wordfreq``'s Hindi list (top
    ``--hindi-words``), each spread over its human romanizations in the vendored Dakshina *train*
    lexicon ``scripts/data/dakshina-hi/hi.translit.sampled.train.tsv`` (in proportion to the attested
    counts), or, for words the lexicon lacks, over the output of the rule-based romanizer
    ``lipyantar.translit.rules.romanize_word``. Informal spelling variants that the lexicon under-represents
    (``hai`` -> ``he``, ``ka`` -> ``kaa``, ``v``/``w``, a dropped final nasal, ...; ``_VARIANT_RULES``) are
    added with ``--variant-share`` (default 0.1) of their source form's frequency. Character model:
    every romanization in the Dakshina train lexicon (weighted by its count) plus the rule-based
    romanizations of the Hindi list.
  - ``en`` lexicon and character model: ``wordfreq``'s English list (top ``--english-words`` purely
    alphabetic words).

* Arabic script: Persian (``fa``), Urdu (``ur``) and Arabic (``ar``): ``wordfreq``'s lists for each.

Data sources and licences: wordfreq (https://github.com/rspeer/wordfreq) word lists, CC BY-SA 4.0
(they include data from Wikipedia, OpenSubtitles, Google Books Ngrams, Twitter, Reddit, ...);
Dakshina (Roark et al., LREC 2020), CC BY-SA 4.0. The generated table is therefore CC BY-SA 4.0 data.

The Dakshina *dev* sentences are never read here: they are the evaluation set of
``scripts/eval_langid.py``. The output is deterministic (words, n-grams and keys sorted) for given
versions of wordfreq and of the rule-based romanizer (both recorded under ``training``).

The tables are trained as a JSON object (format ``lipyantar-langid`` version 1) and written as the tables
file that lipyantar maps and reads in place (version 2, :func:`lipyantar.translit.wordlang.write_tables`;
``--json`` writes the JSON object instead, gzip-compressed, for inspection:
:func:`~lipyantar.translit.wordlang.read_tables` reads either). After a new table, run
``scripts/origin_signs.py``, ``scripts/loanword_index.py`` and ``scripts/english_path_alone.py``: their
files name the tables' SHA-256 and are not used with other tables.

Usage::

    .venv/bin/python scripts/train_langid.py [-o translit/data/langid.tables] [--json OUT.json.gz]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402
import wordfreq  # noqa: E402

from lipyantar.corpora.langid import MODEL_FORMAT, MODEL_VERSION, ORDER, fold_word  # noqa: E402
from lipyantar.translit.rules import RULES_VERSION, romanize_word  # noqa: E402
from lipyantar.translit.wordlang import write_tables  # noqa: E402

DAKSHINA_TRAIN = ROOT / "scripts/data/dakshina-hi/hi.translit.sampled.train.tsv"
DEFAULT_OUTPUT = ROOT / "translit/data/langid.tables"

_LATIN_WORD = regex.compile(r"^[a-z]+(?:'[a-z]+)?$")
_DEVA_WORD = regex.compile(r"^[\p{sc=Deva}\p{M}]+$")
_ARABIC_WORD = regex.compile(r"^[\p{sc=Arab}\p{M}\u200c]+$")


def ngram_counts(weighted_words: dict[str, float], *, min_count: float) -> dict[str, int]:
    """Character n-grams (orders 1..ORDER) of ``<word>`` with boundary marks, weighted; pruned."""
    counts: Counter[str] = Counter()
    for word, weight in weighted_words.items():
        padded = "<" + word + ">"
        for i in range(1, len(padded)):
            for n in range(1, ORDER + 1):
                if i - n + 1 < 0:
                    break
                counts[padded[i - n + 1 : i + 1]] += weight
    out: dict[str, int] = {}
    for gram, value in counts.items():
        rounded = round(value)
        if len(gram) == 1 or rounded >= min_count:
            out[gram] = max(1, rounded)
    return dict(sorted(out.items()))


def scaled_lexicon(freqs: dict[str, float], *, scale: float = 1e8) -> dict[str, int]:
    """Relative frequencies as integers (per 10^8 tokens), zero entries dropped, sorted."""
    total = sum(freqs.values())
    out = {w: round(f / total * scale) for w, f in freqs.items()}
    return dict(sorted((w, c) for w, c in out.items() if c > 0))


def load_dakshina(path: Path) -> dict[str, Counter[str]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0] or not parts[1]:
                continue
            count = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
            roman = fold_word(parts[1])
            if _LATIN_WORD.match(roman):
                table[unicodedata.normalize("NFC", parts[0])][roman] += count
    return table


def wordfreq_list(lang: str, n: int, pattern: regex.Pattern[str], *, fold: bool) -> dict[str, float]:
    out: dict[str, float] = {}
    for word in wordfreq.top_n_list(lang, n * 2, wordlist="best"):
        key = fold_word(word) if fold else unicodedata.normalize("NFC", word)
        if not pattern.match(key) or key in out:
            continue
        out[key] = wordfreq.word_frequency(word, lang, wordlist="best")
        if len(out) >= n:
            break
    return out


# informal spelling variations of romanized Hindi that the Dakshina lexicon under-represents:
# (pattern, replacement) applied once each to a form
_VARIANT_RULES: tuple[tuple[str, str], ...] = (
    (r"ai", "e"),  # hai -> he, main -> men
    (r"e(?=[^aeiou]*$)", "ai"),  # hen -> hain
    (r"([aiu])$", r"\1\1"),  # ka -> kaa, ki -> kii (long final vowels written double)
    (r"aa", "a"),
    (r"ee", "i"),
    (r"oo", "u"),
    (r"i(?=[^aeiou]*$)", "ee"),  # ki -> kee
    (r"v", "w"),
    (r"w", "v"),
    (r"(?<=[aeiou])n$", ""),  # hain -> hai, mein -> mei (nasal dropped)
)


def informal_variants(lexicon: dict[str, float], *, share: float) -> dict[str, float]:
    """Extra forms made by :data:`_VARIANT_RULES` from the lexicon's forms, each weighted ``share`` times
    the frequency of its source form (added to the form's own frequency when it is in the lexicon)."""
    extra: dict[str, float] = defaultdict(float)
    for form, freq in sorted(lexicon.items()):
        for pattern, repl in _VARIANT_RULES:
            variant = regex.sub(pattern, repl, form, count=1)
            if variant != form and _LATIN_WORD.match(variant):
                extra[variant] += share * freq
    return dict(extra)


def train(
    *, english_words: int, hindi_words: int, arabic_words: int, min_count: int, variant_share: float
) -> dict[str, object]:
    languages: dict[str, dict[str, object]] = {}

    # romanized Hindi
    dakshina = load_dakshina(DAKSHINA_TRAIN)
    hindi = wordfreq_list("hi", hindi_words, _DEVA_WORD, fold=False)
    hi_lex: dict[str, float] = defaultdict(float)
    rules_forms: dict[str, float] = defaultdict(float)
    for native, freq in hindi.items():
        variants = dakshina.get(native)
        rule = romanize_word(native)
        if rule and _LATIN_WORD.match(rule):
            rules_forms[rule] += 1.0
        if variants:
            total = sum(variants.values())
            for roman, count in variants.items():
                hi_lex[roman] += freq * count / total
        elif rule and _LATIN_WORD.match(rule):
            hi_lex[rule] += freq
    for form, weight in informal_variants(hi_lex, share=variant_share).items():
        hi_lex[form] += weight
    hi_chars: dict[str, float] = defaultdict(float)
    for variants in dakshina.values():
        for roman, count in variants.items():
            hi_chars[roman] += count
    for form, weight in rules_forms.items():
        hi_chars[form] += weight
    languages["hi-Latn"] = {
        "lexicon": scaled_lexicon(hi_lex),
        "ngrams": ngram_counts(hi_chars, min_count=min_count),
    }

    # English
    english = wordfreq_list("en", english_words, _LATIN_WORD, fold=True)
    languages["en"] = {
        "lexicon": scaled_lexicon(english),
        "ngrams": ngram_counts(dict.fromkeys(english, 1.0), min_count=min_count),
    }

    # Arabic script
    for lang in ("fa", "ur", "ar"):
        words = wordfreq_list(lang, arabic_words, _ARABIC_WORD, fold=True)
        languages[lang] = {
            "lexicon": scaled_lexicon(words),
            "ngrams": ngram_counts(dict.fromkeys(words, 1.0), min_count=min_count),
        }

    return {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "order": ORDER,
        "groups": {"Latin": ["hi-Latn", "en"], "Arabic": ["fa", "ur", "ar"]},
        "languages": languages,
        "sources": {
            "hi-Latn": "wordfreq 'hi' frequencies x Dakshina train romanizations (CC BY-SA 4.0); "
            "rule-based romanizer for words missing from the lexicon",
            "en": f"wordfreq 'en' top {english_words} alphabetic words (CC BY-SA 4.0)",
            "fa/ur/ar": f"wordfreq top {arabic_words} words each (CC BY-SA 4.0)",
        },
        "training": {
            "english_words": english_words,
            "hindi_words": hindi_words,
            "arabic_words": arabic_words,
            "min_count": min_count,
            "variant_share": variant_share,
            "wordfreq_version": getattr(wordfreq, "__version__", "unknown"),
            "roman_rules_version": RULES_VERSION,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--json", action="store_true", help="write the gzip-compressed JSON object instead of the tables file"
    )
    parser.add_argument("--english-words", type=int, default=40000)
    parser.add_argument("--hindi-words", type=int, default=20000)
    parser.add_argument("--arabic-words", type=int, default=8000)
    parser.add_argument("--min-count", type=int, default=2, help="prune n-grams (order >= 2) rarer than this")
    parser.add_argument(
        "--variant-share", type=float, default=0.1, help="weight of generated informal variants (0 for none)"
    )
    args = parser.parse_args(argv)
    model = train(
        english_words=args.english_words,
        hindi_words=args.hindi_words,
        arabic_words=args.arabic_words,
        min_count=args.min_count,
        variant_share=args.variant_share,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.json:
        raw = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
        tmp = args.output.with_name(args.output.name + ".tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(args.output)
        size = len(buf.getvalue())
    else:
        size = write_tables(args.output, model)
    sizes = {lang: (len(m["lexicon"]), len(m["ngrams"])) for lang, m in model["languages"].items()}
    print(f"wrote {args.output} ({size / 1024:.0f} KiB); lexicon/ngram entries: {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
