"""The scheme registry: every script or romanization lipyantar converts between.

The registry drives both the Python API (:func:`lipyantar.translit.transliterate` validates names against it) and
the command line (``lipyantar schemes`` and the choices of ``convert --from/--to``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import UnknownSchemeError

__all__ = ["ALIASES", "SCHEMES", "Scheme", "canonical_name", "get_scheme", "scheme_names"]

Script = Literal["deva", "latin"]
Kind = Literal["native", "standard", "rules", "learned"]


@dataclass(frozen=True)
class Scheme:
    """One entry of the registry.

    Attributes:
        name: the name used in the API and on the command line.
        script: ``"deva"`` or ``"latin"``.
        kind: ``native`` (Devanagari itself), ``standard`` (a published scheme, through
            indic-transliteration), ``rules`` (lipyantar's rule-based informal romanization) or
            ``learned`` (a learned informal romanization model).
        description: one line for ``lipyantar schemes``.
        lossless: Devanagari → scheme → Devanagari gives the (normalized) input back.
        source: the scheme can be converted *from* (``roman-rules`` is one-way).
        sanscript: the scheme's name in indic-transliteration, for standard schemes.
        aliases: other names users bring from indic-transliteration (sanscript) and Aksharamukha
            (``devanagari``, ``harvard-kyoto``, ``iso15919``…), accepted wherever a scheme is named.
    """

    name: str
    script: Script
    kind: Kind
    description: str
    lossless: bool = False
    source: bool = True
    sanscript: str | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (self.name, *self.aliases):
            if not name or name != _key(name):
                raise ValueError(f"scheme names are lowercase without spaces or underscores: {name!r}")
        if self.script not in ("deva", "latin"):
            raise ValueError(f"script must be 'deva' or 'latin', not {self.script!r}")
        if self.kind not in ("native", "standard", "rules", "learned"):
            raise ValueError(f"unknown scheme kind {self.kind!r}")
        if (self.kind == "standard") != (self.sanscript is not None):
            raise ValueError("standard schemes, and only they, name their indic-transliteration scheme")


def _key(name: str) -> str:
    """A scheme name as looked up: case, surrounding space, ``_`` and inner spaces (as ``-``) ignored."""
    return "-".join(name.strip().lower().replace("_", " ").split())


def _standard(
    name: str, sanscript: str, description: str, *, lossless: bool = True, aliases: tuple[str, ...] = ()
) -> Scheme:
    return Scheme(
        name, "latin", "standard", description, lossless=lossless, sanscript=sanscript, aliases=aliases
    )


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme(
            "deva",
            "deva",
            "native",
            "Devanagari script (normalized Unicode)",
            lossless=True,
            aliases=("devanagari",),
        ),
        _standard("iast", "iast", "IAST, International Alphabet of Sanskrit Transliteration (ā ī ṭ ṣ ṃ)"),
        _standard("iso", "iso", "ISO 15919 romanization (ā ē ṭ ṣ ṁ m̐)", aliases=("iso15919", "iso-15919")),
        _standard("itrans", "itrans", "ITRANS, ASCII (A I RRi ~N .N)"),
        _standard("hk", "hk", "Harvard-Kyoto, ASCII (A I R z S)", aliases=("harvard-kyoto", "harvardkyoto")),
        _standard("velthuis", "velthuis", "Velthuis, ASCII with dots (aa .t .s)"),
        _standard("slp1", "slp1", "SLP1, one ASCII letter per phoneme"),
        _standard("wx", "wx", "WX notation, one ASCII letter per phoneme (no nukta letters)", lossless=False),
        _standard(
            "optitrans", "optitrans", "OPTITRANS, ASCII optimized for typing (A I R sh Sh)", lossless=False
        ),
        Scheme(
            "roman-rules",
            "latin",
            "rules",
            "informal Hindi romanization by rule (schwa deletion, 'yah sangathan'); Devanagari to Latin only",
            source=False,
        ),
        Scheme(
            "roman",
            "latin",
            "learned",
            "informal Hindi romanization, learned from data (default model; --model for your own), both ways",
            aliases=("hinglish",),
        ),
    )
}


#: alias → scheme name
ALIASES: dict[str, str] = {alias: s.name for s in SCHEMES.values() for alias in s.aliases}


def scheme_names(*, aliases: bool = False) -> tuple[str, ...]:
    """The names of all registered schemes, in registry order (then their aliases, with ``aliases=True``)."""
    return (*SCHEMES, *ALIASES) if aliases else tuple(SCHEMES)


def canonical_name(name: str) -> str:
    """The registry name of scheme ``name`` or of one of its aliases, looked up case-insensitively
    (``"Harvard_Kyoto"`` → ``"hk"``); :class:`UnknownSchemeError` lists the valid names."""
    key = _key(name) if isinstance(name, str) else ""
    if key in SCHEMES:
        return key
    if key in ALIASES:
        return ALIASES[key]
    raise UnknownSchemeError(str(name), SCHEMES)


def get_scheme(name: str) -> Scheme:
    """The scheme called ``name`` or one of its aliases (case-insensitive); :class:`UnknownSchemeError`
    lists the valid names."""
    return SCHEMES[canonical_name(name)]
