"""Conversion through the standard schemes of indic-transliteration (``sanscript``): the two word
functions of a scheme (Devanagari → scheme, scheme → Devanagari) as :class:`~lipyantar.translit.transliterate.Transliterator`'s
standard stages use them, with the letters some schemes lack (ऩ ऱ ऴ य़ in ITRANS and Velthuis), the
candra vowels ॉ ॅ, and a separator where two vowels in hiatus would read back as a diphthong. The
library's scheme maps of these pairs are packaged and run without loading it
(:mod:`lipyantar.translit.schememap`; :func:`scheme_maps_document` makes them).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any

import regex

from .schememap import MAPS_FORMAT, MAPS_VERSION, compiled_fn, scheme_map_record
from .schemes import SCHEMES, Scheme

__all__ = ["scheme_maps_document", "standard_fns"]


# Letters some indic-transliteration schemes lack (they would be left in Devanagari inside ASCII output
# and read back wrong): lipyantar spells them in the scheme's own style and reads them back.
_EXTRA_LETTERS: dict[str, dict[str, str]] = {
    "itrans": {"\u0929": "^n"},  # ऩ
    "velthuis": {"\u0929": "^n", "\u0931": "^r", "\u0934": "^zh", "\u095f": "Y"},  # ऩ ऱ ऴ य़
}


def _scheme(name: str) -> object:
    """The indic-transliteration scheme ``name``, with lipyantar's extra letters where it has some."""
    from indic_transliteration.sanscript import SCHEMES

    base = SCHEMES[name]
    extra = _EXTRA_LETTERS.get(name)
    if not extra:
        return base
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in base.items()}
    data["extra_consonants"] = {**data["extra_consonants"], **extra}
    return type(base)(data=data, name=name)


def _sanscript_fn(src: str, dst: str) -> Callable[[str], str]:
    compiled = compiled_fn(src, dst)
    if compiled is not None:
        return compiled
    from indic_transliteration import sanscript

    if src not in _EXTRA_LETTERS and dst not in _EXTRA_LETTERS:

        def convert(word: str) -> str:
            return sanscript.transliterate(word, src, dst)

        return convert
    scheme_map = sanscript.SchemeMap(_scheme(src), _scheme(dst))

    def convert_extended(word: str) -> str:
        return sanscript.transliterate(word, scheme_map=scheme_map)

    return convert_extended


def scheme_maps_document() -> dict[str, Any]:
    """The scheme maps of Devanagari ↔ every standard scheme of the registry, as :func:`_sanscript_fn`
    builds them from the installed indic-transliteration (what ``scripts/scheme_maps.py`` writes to
    :data:`~lipyantar.translit.schememap.MAPS_PATH`)."""
    from importlib.metadata import version

    from indic_transliteration import sanscript

    maps = {}
    for scheme in SCHEMES.values():
        if scheme.kind != "standard" or scheme.sanscript is None:
            continue
        for src, dst in (("devanagari", scheme.sanscript), (scheme.sanscript, "devanagari")):
            scheme_map = sanscript.SchemeMap(_scheme(src), _scheme(dst))
            maps[f"{src}>{dst}"] = scheme_map_record(scheme_map)
    return {
        "format": MAPS_FORMAT,
        "version": MAPS_VERSION,
        "indic_transliteration": version("indic-transliteration"),
        "maps": maps,
    }


# Candra O/E (कॉलेज, बैंक is fine) are missing from several indic-transliteration schemes, which leave
# them in Devanagari; lipyantar writes them ô/ê (as ISO 15919 does) and reads them back.
_CANDRA = {"ॉ": "ô", "ॅ": "ê"}
_CANDRA_INDEPENDENT = {"ॉ": "ऑ", "ॅ": "ऍ"}
_NATIVE_CANDRA = frozenset({"iso", "optitrans"})
_PLACEHOLDER = {"ô": "\ue000", "ê": "\ue001"}
_PLACEHOLDER_MATRA = {"\ue000": "ॉ", "\ue001": "ॅ"}
_NUKTA = "\u093c"


# A consonant (or अ) directly followed by an independent vowel (वेस्टइंडीज, एम्एस, अलगअलग) reads back
# as a diphthong or a matra in every scheme (vesṭaiṃḍīja), and क्ह as ख; a separator keeps them apart, as ISO 15919
# does with ':' and ITRANS/Velthuis with '{}'. It is written only where the word would not read back.
# Places where a separator may be needed: before an independent vowel, and between a dead consonant
# and the next consonant (क्ह reads back as ख from "kh").
_V = r"\u0905-\u0914\u0960\u0961"  # the independent vowels (with ॠ ॡ)
_CONS = r"\u0915-\u0939\u0958-\u095f\u0978-\u097f"
_BOUNDARY = (
    rf"(?<=(?:[{_CONS}]\u093c?\u094d?|[{_V}\u093e-\u094c\u0962\u0963]))(?=[{_V}])"
    rf"|(?<=\u094d)(?=[{_CONS}])"
    r"|(?<=[\u090b\u090c\u0943\u0962])(?=[\u0930\u0932])"  # ऋ/ऌ + र/ल: .r + r, .l + l read as ॠ, ॡ
    r"|(?<=^\u0913)(?=\u0902)"
)
#: words that can read back wrong: a vowel letter after a consonant or vowel, a dead consonant before
#: ह (k + h = kh), vocalic r/l before र/ल, and the word ओं (IAST and ISO write ॐ as oṃ / ōṁ); only
#: these pay for the round-trip check
_RISKY = (
    rf"(?:[{_CONS}]\u093c?\u094d?|[{_V}\u093e-\u094c\u0962\u0963])[{_V}]"
    r"|\u094d\u0939|[\u090b\u090c\u0943\u0962][\u0930\u0932]|^\u0913\u0902$"
)


@functools.lru_cache(maxsize=1)
def _separator_patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """The places where a separator may be needed and the words that can read back wrong, compiled when
    a standard scheme is first used (compiling them takes milliseconds, which the other conversions,
    ``roman`` among them, need not pay)."""
    return regex.compile(_BOUNDARY), regex.compile(_RISKY)
_HIATUS = "\ue002"
_SEPARATOR = {"iast": ":", "iso": ":"}
_SEPARATOR_DEFAULT = "{}"


def standard_fns(scheme: Scheme, *, max_word_chars: int) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The word functions Devanagari → scheme and scheme → Devanagari of a standard scheme; a Devanagari
    word longer than ``max_word_chars`` gets every separator that makes it read back, not the fewest
    (finding the fewest takes a conversion per place)."""
    name = scheme.sanscript or scheme.name
    to_latin = _sanscript_fn("devanagari", name)
    to_deva = _sanscript_fn(name, "devanagari")
    candra = name not in _NATIVE_CANDRA
    strip_nukta = name == "wx"  # WX has no nukta letters: write the base letter
    sep = _SEPARATOR.get(name, _SEPARATOR_DEFAULT)
    sep_re = regex.compile(r"(?<=\p{L}\p{M}*)" + regex.escape(sep) + r"(?=\p{L})") if len(sep) == 1 else None
    boundary_re, risky_re = _separator_patterns()

    def plain(word: str) -> str:
        out = to_latin(word)
        if candra:
            for matra, latin in _CANDRA.items():
                if matra in out or _CANDRA_INDEPENDENT[matra] in out:
                    out = out.replace("a" + matra, latin).replace(matra, latin)
                    out = out.replace(_CANDRA_INDEPENDENT[matra], latin)
        return out

    def from_deva(word: str) -> str:
        if strip_nukta:
            word = word.replace(_NUKTA, "")
        out = plain(word)
        if not risky_re.search(word) or from_latin(out) == word:
            return out
        places = [m.start() for m in boundary_re.finditer(word)]

        def render(marks: list[int]) -> str:
            parts, last = [], 0
            for pos in marks:
                parts += [word[last:pos], _HIATUS]
                last = pos
            return plain("".join(parts) + word[last:]).replace(_HIATUS, sep)

        if not places or from_latin(render(places)) != word:
            return out  # not even separators help (malformed input): the plain conversion
        if len(word) > max_word_chars:  # finding the fewest takes a conversion per place: quadratic
            return render(places)
        for pos in list(places):  # keep only the separators the word needs
            fewer = [p for p in places if p != pos]
            if from_latin(render(fewer)) == word:
                places = fewer
        return render(places)

    def from_latin(word: str) -> str:
        word = sep_re.sub(_HIATUS, word) if sep_re is not None else word.replace(sep, _HIATUS)
        if candra:
            for latin, mark in _PLACEHOLDER.items():
                word = word.replace(latin, mark)
        out = to_deva(word)
        if candra:
            for mark, matra in _PLACEHOLDER_MATRA.items():
                out = out.replace("\u094d" + mark, matra)  # consonant + candra matra
                out = out.replace(mark, _CANDRA_INDEPENDENT[matra])  # anywhere else: the vowel letter
        out = out.replace("\u094d" + _HIATUS, "\u094d").replace(_HIATUS, "")
        return unicodedata.normalize("NFC", out)

    return from_deva, from_latin
