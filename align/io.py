"""Writers and readers for beads: JSONL, TSV and Moses (two line-aligned files).

* JSONL, one object per bead in document order::

      {"deva": [0], "roman": [0], "deva_text": "...", "roman_text": "...", "score": 0.93}

  plus ``"words": [[deva_word, roman_word, score], ...]`` when the bead has a word alignment.
* TSV: ``deva_text<TAB>roman_text<TAB>score`` (no sentence numbers; tabs and newlines in texts are
  replaced by spaces). Reading TSV back numbers the sentences in order.
* Moses: ``deva_text`` and ``roman_text`` lines of the beads, one bead per line in each file.
* Word pairs: ``deva<TAB>roman<TAB>count``, most frequent first (training data for
  ``lipyantar learn --twin``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from lipyantar.translit.errors import InputError, clip_message, excerpt

from .sentences import Bead
from .words import WordLink

__all__ = [
    "bead_from_dict",
    "bead_to_dict",
    "json_line",
    "read_jsonl",
    "read_tsv",
    "read_word_pairs",
    "write_jsonl",
    "write_moses",
    "write_tsv",
    "write_word_pairs",
]


def bead_to_dict(bead: Bead) -> dict[str, object]:
    """The JSON object of a bead (the CLI ``--format jsonl`` contract)."""
    out: dict[str, object] = {
        "deva": list(bead.deva),
        "roman": list(bead.roman),
        "deva_text": bead.deva_text,
        "roman_text": bead.roman_text,
        "score": bead.score,
    }
    if bead.words is not None:
        out["words"] = [[w.deva, w.roman, w.score] for w in bead.words]
    return out


def bead_from_dict(obj: object, *, source: str | None = None, line: int | None = None) -> Bead:
    """Inverse of :func:`bead_to_dict`; raises :class:`InputError` on a malformed object."""
    if not isinstance(obj, dict):
        raise InputError("a bead must be a JSON object", source=source, line=line)
    missing = [k for k in ("deva", "roman", "deva_text", "roman_text", "score") if k not in obj]
    if missing:
        raise InputError(f"bead is missing {', '.join(missing)}", source=source, line=line)
    try:
        words = None
        if obj.get("words") is not None:
            words = tuple(_link_from_json(w) for w in obj["words"])
        deva, roman = obj["deva"], obj["roman"]
        if not isinstance(deva, list) or not isinstance(roman, list):
            raise ValueError("deva and roman must be lists of sentence numbers")
        return Bead(tuple(deva), tuple(roman), obj["deva_text"], obj["roman_text"], obj["score"], words)
    except (TypeError, ValueError) as exc:
        raise InputError(f"bad bead: {clip_message(str(exc), limit=200)}", source=source, line=line) from None


def _link_from_json(item: object) -> WordLink:
    if not isinstance(item, list) or len(item) != 3:
        raise ValueError("a word link must be [deva_word, roman_word, score]")
    return WordLink(item[0], item[1], item[2])


def write_jsonl(beads: Iterable[Bead], out: TextIO) -> int:
    """Write beads as JSON lines; returns the number written."""
    count = 0
    for bead in beads:
        out.write(json.dumps(bead_to_dict(bead), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def json_line(text: str) -> Any:
    """The value of one line of a JSONL file (:func:`json.loads`).

    Raises :class:`json.JSONDecodeError` for anything that is not JSON, a line nested deeper than the
    parser's recursion limit included (a line of 100,000 ``[`` raises RecursionError inside
    :mod:`json`: here it is bad JSON like any other, with the offset of its first byte).
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def read_jsonl(lines: Iterable[str], *, source: str | None = None) -> Iterator[Bead]:
    """Read beads written by :func:`write_jsonl` (blank lines are skipped)."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json_line(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", source=source, line=lineno) from None
        yield bead_from_dict(obj, source=source, line=lineno)


def _clean(text: str) -> str:
    return " ".join(text.split())


def write_tsv(beads: Iterable[Bead], out: TextIO) -> int:
    """Write ``deva_text<TAB>roman_text<TAB>score`` lines; returns the number written."""
    count = 0
    for bead in beads:
        out.write(f"{_clean(bead.deva_text)}\t{_clean(bead.roman_text)}\t{bead.score}\n")
        count += 1
    return count


def read_tsv(lines: Iterable[str], *, source: str | None = None) -> Iterator[Bead]:
    """Read :func:`write_tsv` output; sentence numbers are reconstructed (one per non-empty side)."""
    i = j = 0
    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise InputError(
                f"expected 3 tab-separated fields, found {len(parts)}", source=source, line=lineno
            )
        deva_text, roman_text, raw_score = parts
        try:
            score = float(raw_score)
        except ValueError:
            raise InputError(f"score is not a number: {excerpt(raw_score)}", source=source, line=lineno) from None
        if not math.isfinite(score):
            raise InputError(f"score is not finite: {excerpt(raw_score)}", source=source, line=lineno)
        deva = (i,) if deva_text else ()
        roman = (j,) if roman_text else ()
        try:
            yield Bead(deva, roman, deva_text, roman_text, score)
        except (TypeError, ValueError) as exc:
            raise InputError(f"bad bead: {clip_message(str(exc), limit=200)}", source=source, line=lineno) from None
        i += len(deva)
        j += len(roman)


def write_moses(beads: Iterable[Bead], deva_out: TextIO, roman_out: TextIO) -> int:
    """Write the two sides line-aligned (a 1-0 / 0-1 bead gives an empty line on one side)."""
    count = 0
    for bead in beads:
        deva_out.write(_clean(bead.deva_text) + "\n")
        roman_out.write(_clean(bead.roman_text) + "\n")
        count += 1
    return count


def write_word_pairs(counts: Counter[tuple[str, str]], out: TextIO) -> int:
    """Write ``deva<TAB>roman<TAB>count`` rows, most frequent first; returns the number of rows."""
    rows = 0
    for (deva, roman), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write(f"{_clean(deva)}\t{_clean(roman)}\t{count}\n")
        rows += 1
    return rows


def read_word_pairs(lines: Iterable[str], *, source: str | None = None) -> Counter[tuple[str, str]]:
    """Read :func:`write_word_pairs` output back into a counter."""
    counts: Counter[tuple[str, str]] = Counter()
    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise InputError("expected deva<TAB>roman<TAB>count", source=source, line=lineno)
        try:
            count = int(parts[2])
        except ValueError:
            raise InputError(f"count is not an integer: {excerpt(parts[2])}", source=source, line=lineno) from None
        if count < 1:
            raise InputError(f"count must be positive: {count}", source=source, line=lineno)
        counts[(parts[0], parts[1])] += count
    return counts
