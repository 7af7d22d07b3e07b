"""The standard schemes' conversions without loading indic-transliteration at run time.

``sanscript.transliterate(text, scheme_map=SchemeMap(a, b))`` is table-driven: the scheme map of a pair
of schemes (which source tokens become which target strings, which are consonants, vowels, vowel
marks, the virama, accents) drives one of two short loops (``_brahmic`` from Devanagari, ``_roman``
from a Latin scheme), between the source scheme's shortcuts undone and the target scheme's applied.
Loading the library, though, parses the TOML data of every scheme it knows (about a tenth of a
second) and each call re-derives its options and regular expressions. So the maps of the pairs
lipyantar converts (Devanagari ↔ each standard scheme of :mod:`lipyantar.translit.schemes`, as
:mod:`lipyantar.translit.standard` builds them, with its extra letters) are packaged
(:data:`MAPS_PATH`, written by ``scripts/scheme_maps.py`` from the installed library, which it names)
and :func:`compiled_fn` runs the same two loops over them. ``tests/test_schememap.py`` checks that the
packaged maps are those the installed library makes and that the outputs are the library's.

The two loops follow indic-transliteration's ``brahmic_mapper._brahmic`` and ``roman_mapper._roman``
(MIT licence) for a Devanagari source and for a Latin source without togglers or suspension marks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

__all__ = ["MAPS_FORMAT", "MAPS_PATH", "MAPS_VERSION", "compiled_fn", "scheme_map_record"]

#: the packaged scheme maps: JSON, ``{"format", "version", "indic_transliteration", "maps": {"src>dst": map}}``
MAPS_PATH = Path(__file__).resolve().parent / "data" / "scheme-maps.json"
MAPS_FORMAT = "lipyantar-scheme-maps"
MAPS_VERSION = 1


class _Map:
    """One direction's scheme map, as :func:`scheme_map_record` records it."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.from_roman: bool = record["from_roman"]
        self.to_roman: bool = record["to_roman"]
        self.vowel_marks: dict[str, str] = record["vowel_marks"]
        self.virama: dict[str, str] = record["virama"]
        self.vowels: dict[str, str] = record["vowels"]
        self.consonants = frozenset(record["consonants"])
        self.non_marks_viraama: dict[str, str] = record["non_marks_viraama"]
        self.max_key: int = record["max_key"]
        self.unapply: list[tuple[str, str]] = [(k, s) for k, s in record["from_shortcuts"]]
        self.apply: list[tuple[str, str]] = [(k, s) for k, s in record["to_shortcuts"]]
        self.accent_re = regex.compile(record["accent_pattern"]) if record["accent_pattern"] else None
        fix_om = record["fix_om"]
        self.fix_om = (regex.compile(fix_om[0]), fix_om[1]) if fix_om else None
        #: the first virama value (a Devanagari source ends a lingering consonant with it)
        self.virama_first = next(iter(self.virama.values()), "")
        # from Devanagari: a single character is a vowel mark, else the virama, else any other token
        # (only tokens longer than one character are looked up in non_marks_viraama alone)
        self._marks = {t: self.virama[t] for t in self.virama if len(t) == 1}
        self._marks.update((t, m) for t, m in self.vowel_marks.items() if len(t) == 1)
        longer = sorted((t for t in self.non_marks_viraama if 1 < len(t) <= self.max_key), key=len, reverse=True)
        self._tokens = re.compile("|".join([*map(re.escape, longer), "."]), re.DOTALL).findall

    def convert(self, data: str) -> str:
        for key, shortcut in self.unapply:  # Scheme.unapply_shortcuts of the source
            if shortcut in key:
                data = data.replace(key, shortcut)
            data = data.replace(shortcut, key)
        result = self._roman(data) if self.from_roman else self._brahmic(data)
        for key, shortcut in self.apply:  # Scheme.apply_shortcuts of the target
            if key in shortcut:
                result = result.replace(shortcut, key)
            result = result.replace(key, shortcut)
        return result

    def _brahmic(self, data: str) -> str:
        """``_brahmic``: at each place the longest source token of the map (a single character when
        none is longer), found by one regular expression (its alternatives longest first), then
        written as the loop there writes it."""
        if self.accent_re is not None:
            data = self.accent_re.sub("\\2\\1", data)
        marks, non_marks_viraama, consonants = self._marks, self.non_marks_viraama, self.consonants
        to_roman = self.to_roman
        buf: list[str] = []
        append = buf.append
        had_consonant = False
        for token in self._tokens(data):
            mark = marks.get(token)
            if mark is not None:
                append(mark)
            else:
                if had_consonant:
                    append("a")
                append(non_marks_viraama.get(token, token))
            had_consonant = to_roman and token in consonants
        if had_consonant:
            append(self.virama_first)
            append("a")
        return "".join(buf)

    def _roman(self, data: str) -> str:
        vowels, vowel_marks, virama, consonants = self.vowels, self.vowel_marks, self.virama, self.consonants
        non_marks_viraama, max_key, to_roman = self.non_marks_viraama, self.max_key, self.to_roman
        buf: list[str] = []
        append = buf.append
        i = 0
        had_consonant = found = False
        n = len(data)
        while i <= n:
            token = data[i : i + max_key]
            while token:
                if had_consonant and token in vowels:
                    mark = vowel_marks.get(token, "")
                    if mark:
                        append(mark)
                    elif to_roman:
                        append(vowels[token])
                    found = True
                elif token in non_marks_viraama:
                    if had_consonant:
                        append(virama[""])
                    append(non_marks_viraama[token])
                    found = True
                if found:
                    had_consonant = token in consonants
                    i += len(token)
                    break
                token = token[:-1]
            if not found:
                if had_consonant:
                    append(virama[""])
                if i < n:
                    append(data[i])
                    had_consonant = False
                i += 1
            found = False
        result = "".join(buf)
        if self.accent_re is not None:
            result = self.accent_re.sub("\\2\\1", result)
        if self.fix_om is not None:
            pattern, om = self.fix_om
            result = pattern.sub(om, result)
        return result


@lru_cache(maxsize=1)
def _records() -> dict[str, Any]:
    """The packaged maps ({} when the file is missing or not of this format and version)."""
    try:
        data = json.loads(MAPS_PATH.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MAPS_FORMAT or data.get("version") != MAPS_VERSION:
        return {}
    maps = data.get("maps")
    return maps if isinstance(maps, dict) else {}


def compiled_fn(src: str, dst: str) -> Callable[[str], str] | None:
    """``lambda text: sanscript.transliterate(text, src, dst)`` (with :mod:`~lipyantar.translit.standard`'s
    extra letters) from the packaged map of the pair; None when the pair has none."""
    record = _records().get(f"{src}>{dst}")
    if record is None:
        return None
    return _Map(record).convert


def scheme_map_record(scheme_map: Any) -> dict[str, Any]:
    """The record of an indic-transliteration ``SchemeMap`` that :func:`compiled_fn` runs (what
    ``scripts/scheme_maps.py`` writes; the tests compare it with the packaged one)."""
    from indic_transliteration.sanscript.schemes import roman

    source, target = scheme_map.from_scheme, scheme_map.to_scheme
    if not source.is_roman and source.name != "devanagari":
        raise ValueError("only Devanagari is a Brahmic source here")
    accents = scheme_map.accents
    accent_pattern = None
    if accents and not source.is_roman and target.is_roman:
        accent_pattern = "([{}])([{}])".format("".join(source["yogavaahas"]), "".join(accents.keys()))
    elif accents and source.is_roman and not target.is_roman:
        accent_pattern = "([{}])([{}])".format("".join(accents.values()), "".join(target["yogavaahas"]))
    fix_om = None
    if source.is_roman and source.name in roman.CAPITALIZABLE_SCHEME_IDS:
        om, anusvara, m = target["vowels"]["ओ"], target["yogavaahas"]["ं"], target["consonants"]["म"]
        pattern = rf"(?<=(^|\s|\p{{Punct}})){om}({anusvara}|{m}{target['virama']['्']})(?=(\s|$|\p{{Punct}}))"
        fix_om = [pattern, target["symbols"]["ॐ"]]
    return {
        "from_roman": bool(source.is_roman),
        "to_roman": bool(target.is_roman),
        "vowel_marks": dict(scheme_map.vowel_marks),
        "virama": dict(scheme_map.virama),
        "vowels": dict(scheme_map.vowels),
        "consonants": sorted(scheme_map.consonants),
        "non_marks_viraama": dict(scheme_map.non_marks_viraama),
        "max_key": scheme_map.max_key_length_from_scheme,
        "from_shortcuts": [list(kv) for kv in source.get("shortcuts", {}).items()],
        "to_shortcuts": [list(kv) for kv in target.get("shortcuts", {}).items()],
        "accent_pattern": accent_pattern,
        "fix_om": fix_om,
    }
