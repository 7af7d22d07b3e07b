"""How often Hindi words are used, independently of the model's training data: a feature of single-word
roman → Devanagari ranking (``r2d.w_freq``).

The model's word prior mixes three sources: Wikipedia sentences, wordfreq's Hindi list (as pseudo-counts)
and the romanization lexicon's counts, which count how often annotators romanized a word, not how often
it is used. Between two spellings of one input (``davaiyon`` दवाइयों or दवाईयों, ``chamdi`` चमड़ी or चमडी),
wordfreq's frequency of each alone says which is the usual one: on held-out train words, adding it to
the ranking moves top-1 by more than re-weighting the prior does (``scripts/tune_heldout.py``).

The table is wordfreq's Hindi list (Robyn Speer, CC BY-SA 4.0; 26,653 words), normalized as the
candidates are and stored as Zipf values (log10 of the frequency per billion words, 1.0 to 8.0, in
hundredths) in ``data/hindi-word-frequency.json.gz``, written by ``scripts/word_frequency.py``; read on
first use (about 3 MB in memory). A word it does not list has Zipf 0.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from lipyantar.translit.learned.datafile import read_versioned_gzip

__all__ = ["FREQUENCY_PATH", "frequency_bytes", "word_zipf"]

#: the packaged table
FREQUENCY_PATH = Path(__file__).resolve().parent / "data" / "hindi-word-frequency.json.gz"
FREQUENCY_FORMAT = "lipyantar-word-frequency"
FREQUENCY_VERSION = 1


@lru_cache(maxsize=1)
def word_zipf() -> Mapping[str, float]:
    """Devanagari word -> its Zipf frequency in the packaged table (words it lacks are absent).
    Raises :class:`~lipyantar.translit.errors.ModelError` when the file is missing or malformed."""
    doc = read_versioned_gzip(FREQUENCY_PATH, fmt=FREQUENCY_FORMAT, version=FREQUENCY_VERSION)
    words, zipf = doc.get("words"), doc.get("zipf100")
    if not isinstance(words, list) or not isinstance(zipf, list) or len(words) != len(zipf):
        from lipyantar.translit.errors import ModelError

        raise ModelError(f"{FREQUENCY_PATH}: words and zipf100 are not lists of the same length")
    return {word: value / 100.0 for word, value in zip(words, zipf, strict=True)}


def frequency_bytes(frequencies: Mapping[str, float], *, source: str) -> bytes:
    """The packaged table's bytes (gzip of JSON; deterministic) of word -> frequency (a fraction of all
    words, as wordfreq gives it); words are written in the order given, Zipf values in hundredths."""
    import math

    words = list(frequencies)
    doc = {
        "format": FREQUENCY_FORMAT,
        "version": FREQUENCY_VERSION,
        "source": source,
        "words": words,
        "zipf100": [round(100 * (math.log10(frequencies[w]) + 9.0)) for w in words],
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
