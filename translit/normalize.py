"""Unicode hygiene for Hindi text in Devanagari and Latin script.

Hindi text in the wild mixes several encodings of the same thing: the eight nukta letters exist both
precomposed (क़ U+0958) and as letter + nukta (क + ़ U+093C); ZWJ/ZWNJ steer rendering only; files come
with a BOM and CRLF line ends; the danda is typed as ``|`` or as two single dandas; digits are Devanagari
or ASCII. :class:`Normalizer` maps all of these to one canonical form, chosen by explicit options.

The canonical nukta form is the *decomposed* one, because that is what Unicode NFC produces (the
precomposed nukta letters are composition exclusions), so normalized text is NFC-stable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

import regex

__all__ = ["DEVA_DIGITS", "Normalizer", "normalize"]

NuktaForm = Literal["decomposed", "composed"]
ZeroWidthPolicy = Literal["strip", "keep"]
DandaPolicy = Literal["unify", "keep"]
DigitPolicy = Literal["keep", "ascii", "deva"]

DEVA_DIGITS = "०१२३४५६७८९"
_TO_ASCII_DIGITS = str.maketrans(DEVA_DIGITS, "0123456789")
_TO_DEVA_DIGITS = str.maketrans("0123456789", DEVA_DIGITS)

# precomposed nukta letter -> (base letter + nukta)
_NUKTA_PAIRS = {chr(cp): unicodedata.normalize("NFD", chr(cp)) for cp in range(0x0958, 0x0960)}
_NUKTA_COMPOSE = {v: k for k, v in _NUKTA_PAIRS.items()}
_NUKTA_COMPOSE_RE = regex.compile("|".join(sorted(_NUKTA_COMPOSE, key=len, reverse=True)))

_ZERO_WIDTH = str.maketrans({"\u200c": None, "\u200d": None})
# "|" or "||" standing for a danda right after Devanagari text (optionally one space between),
# and two single dandas in a row; the space is never a line break, so no line is joined to the next
_HSPACE = r"[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
_ASCII_DANDA = rf"(?<=[\p{{sc=Deva}}]{_HSPACE}?)(\|\|?)(?!\|)"
_DOUBLE_DANDA_RE = regex.compile(rf"।{_HSPACE}?।")


@dataclass(frozen=True)
class Normalizer:
    """Reusable text normalizer; all options are explicit and validated.

    Args:
        nukta: ``"decomposed"`` (क + ़, the NFC form; default) or ``"composed"`` (क़ U+0958).
        zero_width: ``"strip"`` (default) removes ZWJ/ZWNJ, ``"keep"`` leaves them.
        danda: ``"unify"`` (default) turns ``|``/``||`` after Devanagari into ``।``/``॥`` and ``।।``
            into ``॥``; ``"keep"`` leaves them.
        digits: ``"keep"`` (default), ``"ascii"`` (०-९ → 0-9) or ``"deva"`` (0-9 → ०-९).
        newlines: when true (default), CRLF and lone CR become LF.

    Leading BOMs are always removed. Normalizing twice gives the same text as once, and line breaks
    are kept (no rule joins two lines).
    """

    nukta: NuktaForm = "decomposed"
    zero_width: ZeroWidthPolicy = "strip"
    danda: DandaPolicy = "unify"
    digits: DigitPolicy = "keep"
    newlines: bool = True
    #: the compiled check that a text is left as it is (set per instance: the default options only)
    _plain: ClassVar[Any] = None  # Callable[[str], bool] | None (a callable ClassVar would read as a method)

    def __post_init__(self) -> None:
        _check("nukta", self.nukta, ("decomposed", "composed"))
        _check("zero_width", self.zero_width, ("strip", "keep"))
        _check("danda", self.danda, ("unify", "keep"))
        _check("digits", self.digits, ("keep", "ascii", "deva"))
        # the default options: a text the compiled check finds plain is returned at once (one pass)
        default = (self.nukta, self.zero_width, self.danda, self.digits, self.newlines) == _DEFAULTS
        object.__setattr__(self, "_plain", _plain_normal() if default else None)

    def __call__(self, text: str) -> str:
        return self.normalize(text)

    def normalize(self, text: str) -> str:
        """Return the normalized form of ``text``.

        Normalization is idempotent (``normalize(normalize(t)) == normalize(t)``) and keeps every line
        break: nothing is joined across lines (a ``।`` ending one line and one starting the next stay
        apart).
        """
        plain = self._plain
        if plain is not None and plain(text):
            return text
        if self.newlines and "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.isascii():
            if self.digits != "deva":
                return text
            text = text.translate(_TO_DEVA_DIGITS)
            if "|" not in text or self.danda == "keep":
                return text
        # before NFC: marks that a ZWJ/ZWNJ kept apart get reordered. str.translate with a dict is slow
        # on non-ASCII text (a dict look-up per character): only when there is something to strip
        if self.zero_width == "strip" and ("\u200c" in text or "\u200d" in text):
            text = text.translate(_ZERO_WIDTH)
        if text.startswith("\ufeff"):  # every leading BOM (a file saved twice with one has two)
            text = text.lstrip("\ufeff")
        known = _known_nfc()
        if known is None or not known(text):  # Devanagari with a nukta or virama: a full pass to find it in NFC
            text = unicodedata.normalize("NFC", text)
        if self.nukta == "composed":
            text = _NUKTA_COMPOSE_RE.sub(lambda m: _NUKTA_COMPOSE[m.group()], text)
        # digits becoming Devanagari first, so that "1|" gives "१।" at once (a second pass would)
        if self.digits == "deva":
            text = text.translate(_TO_DEVA_DIGITS)
        if self.danda == "unify":
            if "|" in text:
                text = _ascii_danda_re().sub(lambda m: "॥" if len(m.group(1)) == 2 else "।", text)
            if text.count("।") > 1:  # two dandas in a row need two (most lines end in one)
                text = _DOUBLE_DANDA_RE.sub("॥", text)
        if self.digits == "ascii":
            text = text.translate(_TO_ASCII_DIGITS)
        return text


@lru_cache(maxsize=1)
def _ascii_danda_re() -> regex.Pattern[str]:
    """The ASCII danda pattern, compiled when a text first has a "|" (a pattern of script properties
    takes milliseconds to compile)."""
    return regex.compile(_ASCII_DANDA)


#: the options of Normalizer() (nukta, zero_width, danda, digits, newlines)
_DEFAULTS = ("decomposed", "strip", "unify", "keep", True)


@lru_cache(maxsize=1)
def _plain_normal() -> Callable[[str], bool] | None:
    """``lipyantar.translit._fastpieces.plain_normal`` (whether ``Normalizer()`` is known to leave a text
    as it is), None when the compiled kernels are not built."""
    from .compiled import load_extension

    module = load_extension("_fastpieces")
    return getattr(module, "plain_normal", None)


@lru_cache(maxsize=1)
def _known_nfc() -> Callable[[str], bool] | None:
    """``lipyantar.translit._fastpieces.known_nfc`` (whether a text is known to be in NFC by a check of its
    code points), None when the compiled kernels are not built."""
    from .compiled import load_extension

    module = load_extension("_fastpieces")
    return None if module is None else module.known_nfc


def _check(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


@lru_cache(maxsize=32)
def _normalizer(nukta: str, zero_width: str, danda: str, digits: str, newlines: bool) -> Normalizer:
    return Normalizer(nukta, zero_width, danda, digits, newlines)  # type: ignore[arg-type]


def normalize(
    text: str,
    *,
    nukta: NuktaForm = "decomposed",
    zero_width: ZeroWidthPolicy = "strip",
    danda: DandaPolicy = "unify",
    digits: DigitPolicy = "keep",
    newlines: bool = True,
) -> str:
    """One-shot normalization; see :class:`Normalizer` for the options."""
    return _normalizer(nukta, zero_width, danda, digits, newlines).normalize(text)
