"""Script shares of a text: how much of its letters are Devanagari, Latin, Arabic-script or other.

Only letters (Unicode general category ``L``) are counted; digits, punctuation, spaces and combining marks
are not (a matra belongs to the letter it follows, counting it would only inflate Devanagari).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import regex

__all__ = ["SCRIPTS", "ScriptShares", "char_script", "script_shares"]

#: the script classes reported, in order
SCRIPTS: tuple[str, ...] = ("Devanagari", "Latin", "Arabic", "other")
#: a text is of one script when that script has at least this share of its letters
DOMINANT_SHARE = 0.75

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
    """Count the letters of ``text`` per script class."""
    counts = dict.fromkeys(SCRIPTS, 0)
    for ch in _LETTER.findall(text):
        script = char_script(ch)
        if script is not None:
            counts[script] += 1
    return ScriptShares(*(counts[name] for name in SCRIPTS))
