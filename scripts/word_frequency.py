#!/usr/bin/env python
"""Write ``translit/learned/data/hindi-word-frequency.json.gz`` (:mod:`lipyantar.translit.learned.frequency`):
wordfreq's Hindi word list (Robyn Speer, CC BY-SA 4.0), each word normalized as roman → Devanagari's
candidates are (the frequencies of words that normalize alike summed), most frequent first.

Usage: ``python scripts/word_frequency.py [-o PATH]`` (needs the ``wordfreq`` package).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lipyantar.translit.learned.charalign import DEVA_WORD_RE, normalize_deva  # noqa: E402
from lipyantar.translit.learned.frequency import FREQUENCY_PATH, frequency_bytes  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=FREQUENCY_PATH)
    args = parser.parse_args(argv)
    import wordfreq

    summed: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("hi").items():
        nw = normalize_deva(word)
        if DEVA_WORD_RE.fullmatch(nw):
            summed[nw] = summed.get(nw, 0.0) + freq
    ordered = dict(sorted(summed.items(), key=lambda kv: (-kv[1], kv[0])))
    data = frequency_bytes(ordered, source="wordfreq 'hi' word list (Robyn Speer, CC BY-SA 4.0)")
    tmp = args.output.with_suffix(args.output.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.output)
    print(f"wrote {args.output}: {len(ordered)} words, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
