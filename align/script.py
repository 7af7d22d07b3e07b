"""Which script a text is written in: how much of its letters are Devanagari, Latin, Arabic-script or
other, and the check that the two inputs of the aligner are in the right scripts.

Only letters (Unicode general category ``L``) are counted; digits, punctuation, spaces and combining marks
are not (a matra belongs to the letter it follows, counting it would only inflate Devanagari).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import regex

from lipyantar.translit.errors import InputError

__all__ = ["SCRIPTS", "ScriptShares", "char_script", "check_scripts", "script_shares"]

#: the script classes reported, in order
SCRIPTS: tuple[str, ...] = ("Devanagari", "Latin", "Arabic", "other")
#: a text is of one script when that script has at least this share of its letters
DOMINANT_SHARE = 0.75
#: :func:`check_scripts`: a file must have at least this share of its letters in the expected script
MIN_SHARE = 0.5

_SAMPLE_CHARS = 1_000_000

_LETTER = regex.compile(r"\p{L}")
_DEVA = regex.compile(r"\p{sc=Deva}")
_LATIN = regex.compile(r"\p{sc=Latn}")
_ARABIC = regex.compile(r"\p{sc=Arab}")


def char_script(ch: str) -> str | None:
    """The script class of one character, or ``None`` for a non-letter."""
    if not _LETTER.match(ch):
        return None
    if _DEVA.match(ch):
        return "Devanagari"
    if _LATIN.match(ch):
        return "Latin"
    if _ARABIC.match(ch):
        return "Arabic"
    return "other"


@dataclass(frozen=True)
class ScriptShares:
    """Letter counts per script class (see :data:`SCRIPTS`) with derived shares."""

    devanagari: int = 0
    latin: int = 0
    arabic: int = 0
    other: int = 0

    def __post_init__(self) -> None:
        for name in ("devanagari", "latin", "arabic", "other"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, not {value!r}")

    @property
    def letters(self) -> int:
        return self.devanagari + self.latin + self.arabic + self.other

    def counts(self) -> dict[str, int]:
        return dict(zip(SCRIPTS, (self.devanagari, self.latin, self.arabic, self.other), strict=True))

    def shares(self) -> dict[str, float]:
        """Share of each script class in the letters (all 0.0 for a text without letters)."""
        total = self.letters
        return {name: (count / total if total else 0.0) for name, count in self.counts().items()}

    @property
    def dominant(self) -> str:
        """The script with at least :data:`DOMINANT_SHARE` of the letters, ``"mixed"``, or ``"none"``."""
        if not self.letters:
            return "none"
        name, share = max(self.shares().items(), key=lambda kv: kv[1])
        return name if share >= DOMINANT_SHARE else "mixed"

    def __add__(self, other: ScriptShares) -> ScriptShares:
        return ScriptShares(
            self.devanagari + other.devanagari,
            self.latin + other.latin,
            self.arabic + other.arabic,
            self.other + other.other,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "letters": self.letters,
            "counts": self.counts(),
            "shares": {k: round(v, 4) for k, v in self.shares().items()},
            "dominant": self.dominant,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ScriptShares:
        counts = data.get("counts", data)
        if not isinstance(counts, Mapping):
            raise ValueError("script shares: 'counts' must be an object")
        return cls(*(int(counts.get(name, 0)) for name in SCRIPTS))


def script_shares(text: str) -> ScriptShares:
    """Count the letters of ``text`` per script class (each distinct character classified once)."""
    counts = dict.fromkeys(SCRIPTS, 0)
    for ch, n in Counter(text).items():
        script = char_script(ch)
        if script is not None:
            counts[script] += n
    return ScriptShares(*(counts[name] for name in SCRIPTS))


def check_scripts(deva_text: str, roman_text: str, *, deva_source: str, roman_source: str) -> None:
    """Raise :class:`InputError` unless ``deva_text`` is Devanagari and ``roman_text`` is Latin.

    Texts without any letters (empty, digits only) pass. When the two look swapped, the message
    says so.
    """
    deva_shares, roman_shares = script_shares(deva_text[:_SAMPLE_CHARS]), script_shares(roman_text[:_SAMPLE_CHARS])
    d_letters, r_letters = deva_shares.letters, roman_shares.letters
    d_deva, d_latin = deva_shares.shares()["Devanagari"], deva_shares.shares()["Latin"]
    r_deva, r_latin = roman_shares.shares()["Devanagari"], roman_shares.shares()["Latin"]
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
