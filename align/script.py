"""Which script a text is written in, and the check that the two inputs of the aligner are right."""

from __future__ import annotations

import regex

from translit.errors import InputError

__all__ = ["check_scripts", "script_shares"]

_SAMPLE_CHARS = 1_000_000
_DEVA = regex.compile(r"\p{Devanagari}")
_LATIN = regex.compile(r"\p{Latin}")
_LETTER = regex.compile(r"\p{L}")

#: a file must have at least this share of its letters in the expected script
MIN_SHARE = 0.5


def script_shares(text: str) -> tuple[float, float, int]:
    """(Devanagari share, Latin share, number of letters) of the letters in (the start of) ``text``."""
    sample = text[:_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return 0.0, 0.0, 0
    return len(_DEVA.findall(sample)) / letters, len(_LATIN.findall(sample)) / letters, letters


def check_scripts(deva_text: str, roman_text: str, *, deva_source: str, roman_source: str) -> None:
    """Raise :class:`InputError` unless ``deva_text`` is Devanagari and ``roman_text`` is Latin.

    Texts without any letters (empty, digits only) pass. When the two look swapped, the message
    says so.
    """
    d_deva, d_latin, d_letters = script_shares(deva_text)
    r_deva, r_latin, r_letters = script_shares(roman_text)
    deva_bad = d_letters > 0 and d_deva < MIN_SHARE
    roman_bad = r_letters > 0 and r_latin < MIN_SHARE
    if deva_bad and roman_bad and d_latin >= MIN_SHARE and r_deva >= MIN_SHARE:
        raise InputError(
            "the Devanagari file is in Latin script and the roman file in Devanagari: the two files seem "
            "to be given the wrong way round; swap them (DEVA_FILE first, then ROMAN_FILE)",
            source=deva_source,
        )
    if deva_bad:
        hint = " (it looks romanized: did you swap DEVA_FILE and ROMAN_FILE?)" if d_latin >= MIN_SHARE else ""
        raise InputError(
            f"not Devanagari text: only {d_deva:.0%} of its letters are Devanagari{hint}", source=deva_source
        )
    if roman_bad:
        hint = " (it looks Devanagari: did you swap DEVA_FILE and ROMAN_FILE?)" if r_deva >= MIN_SHARE else ""
        raise InputError(
            f"not romanized (Latin) text: only {r_latin:.0%} of its letters are Latin{hint}",
            source=roman_source,
        )
