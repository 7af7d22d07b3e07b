"""Spellings around a candidate: the consonant skeleton of a romanization (:func:`roman_skeleton`), the
``roman-rules`` romanization of a word, and the other spellings a casual typist or Hindi's competing
conventions allow (:func:`nasal_variants`, :func:`vowel_variants`, :func:`convention_variants`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from lipyantar.translit import rules as _rules

__all__ = [
    "convention_variants",
    "long_vowels_typed",
    "missing_long_vowels",
    "nasal_variants",
    "roman_skeleton",
    "roman_skeleton_python",
    "vowel_variants",
]

_VIRAMA = "\u094d"


#: the ``roman-rules`` romanization of a word: the compiled function, or the Python one memoized
_rules_word: Callable[[str], str] = (
    _rules.FAST.romanize_word
    if _rules.FAST is not None
    else functools.lru_cache(maxsize=1 << 16)(_rules.romanize_word)
)


_fast_skeleton = getattr(_rules.FAST, "roman_skeleton", None)
_SKELETON_SUBS = (("ph", "f"), ("w", "v"), ("z", "j"), ("q", "k"), ("x", "ks"))
_ASPIRATE = re.compile(r"([kgcjtdpbs])h+")
_REPEAT = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiouy]")


_MATRAS_TAKING_ANUSVARA = frozenset("ाीेैोौ")
_MATRAS_TAKING_CHANDRABINDU = frozenset("ाुू")
_NASALS = frozenset("ंँ")


def nasal_variants(roman: str, deva: str) -> tuple[str, ...]:
    """The nasalized spellings of ``deva`` that a casual romanization ``roman`` may stand for.

    * ``roman`` ends in a vowel and ``deva`` in a vowel sign or vowel letter: the final nasal was left
      out (``me``/मे → में, ``hai``/है → हैं, ``dono``/दोनो → दोनों, ``yaha``/यहा → यहां, यहाँ);
    * ``roman`` ends in ``m`` and ``deva`` in म (not in a conjunct): the ``m`` was the anusvara
      (``mem``/मेम → में, ``evam``/एवम → एवं).
    """
    if not deva or not roman or deva[-1] in _NASALS:
        return ()
    last = deva[-1]
    if roman[-1] in "aeiouy":
        out = []
        if last in _MATRAS_TAKING_ANUSVARA or last in "िअआइईउऊएऐओऔ":
            out.append(deva + "ं")
        if last in _MATRAS_TAKING_CHANDRABINDU or last in "अआउऊ":
            out.append(deva + "ँ")
        return tuple(out)
    if roman[-1] == "m" and len(roman) > 1 and last == "म" and len(deva) > 1 and deva[-2] != "्":
        return (deva[:-1] + "ं",)
    return ()


#: the vowels that casual typing writes like another's: e for ai (ए/े for ऐ/ै), o for au (ओ/ो for औ/ौ)
_DIPHTHONGS = {"ए": "ऐ", "े": "ै", "ओ": "औ", "ो": "ौ"}


def vowel_variants(roman: str, deva: str) -> tuple[str, ...]:
    """The spellings of ``deva`` with a diphthong that a casual romanization ``roman`` may stand for:
    ``e`` typed for ai and ``o`` for au (``or``/ओर → और, ``he``/हे → है, ``kese``/केसे → कैसे,
    ``kon``/कोन → कौन). Each ए/े becomes ऐ/ै and each ओ/ो becomes औ/ौ, one at a time and all together,
    when ``roman`` has an ``e`` (for ए, े) or an ``o`` (for ओ, ो) that is not part of ``ai``/``au``.
    """
    return _vowel_forms(_vowels_wanted(roman), deva)


def _vowels_wanted(roman: str) -> str:
    """The Devanagari vowels of :func:`vowel_variants` that ``roman`` may have written plainly."""
    plain = roman.replace("ai", "").replace("au", "").replace("ay", "").replace("aw", "")
    return ("एे" if "e" in plain else "") + ("ओो" if "o" in plain else "")


def _vowel_forms(wanted: str, deva: str) -> tuple[str, ...]:
    """:func:`vowel_variants` of ``deva`` for the vowels ``wanted`` (from :func:`_vowels_wanted`)."""
    spots = [i for i, c in enumerate(deva) if c in wanted] if wanted else []
    if not spots:
        return ()
    out = [deva[:i] + _DIPHTHONGS[deva[i]] + deva[i + 1 :] for i in spots]
    if len(spots) > 1:
        out.append("".join(_DIPHTHONGS[c] if c in wanted else c for c in deva))
    return tuple(out)


#: the nasal consonant of each stop's class: Hindi writes a nasal before a stop either as an anusvara
#: or as that nasal with a virama (हिंदी/हिन्दी, संबंध/सम्बन्ध, ठंडा/ठण्डा)
_CLASS_NASAL = {
    stop: nasal
    for nasal, stops in (("ङ", "कखगघ"), ("ञ", "चछजझ"), ("ण", "टठडढ"), ("न", "तथदध"), ("म", "पफबभ"))
    for stop in stops
}
_NUKTA_BASES = frozenset("कखगजफ")
_NUKTA = "\u093c"
_ANUSVARA, _CHANDRABINDU = "ं", "ँ"
#: the vowels ए and ई after another vowel are also written with a glide य (गए/गये, लिए/लिये, गई/गयी,
#: जाएगा/जायेगा)
_Y_GLIDES = {"ये": "ए", "यी": "ई"}
_Y_VOWELS = {"ए": "ये", "ई": "यी"}


@functools.lru_cache(maxsize=1 << 16)
def convention_variants(deva: str) -> tuple[str, ...]:
    """The other spellings of ``deva`` under Hindi's competing spelling conventions, one change at a
    time: anusvara for chandrabindu and back (गांव/गाँव), a nukta added or removed (फिल्म/फ़िल्म), an
    anusvara for the class nasal with a virama before a stop and back (हिंदी/हिन्दी), ए/ये and ई/यी after
    a vowel (गए/गये, गई/गयी, जाएगा/जायेगा), and a final virama added or removed (सन/सन्, अर्थात/अर्थात्).
    Sorted, without ``deva`` itself.
    """
    out = set()
    last = len(deva) - 1
    for i, ch in enumerate(deva):
        if ch == _ANUSVARA:
            out.add(deva[:i] + _CHANDRABINDU + deva[i + 1 :])
            nasal = _CLASS_NASAL.get(deva[i + 1]) if i < last else None
            if nasal is not None:
                out.add(deva[:i] + nasal + _VIRAMA + deva[i + 1 :])
        elif ch == _CHANDRABINDU:
            out.add(deva[:i] + _ANUSVARA + deva[i + 1 :])
        elif ch == _VIRAMA:
            if 0 < i < last and _CLASS_NASAL.get(deva[i + 1]) == deva[i - 1]:
                out.add(deva[: i - 1] + _ANUSVARA + deva[i + 1 :])
        elif ch in _NUKTA_BASES:
            if i == last or deva[i + 1] != _NUKTA:
                out.add(deva[: i + 1] + _NUKTA + deva[i + 1 :])
        elif ch == _NUKTA and i > 0 and deva[i - 1] in _NUKTA_BASES:
            out.add(deva[:i] + deva[i + 1 :])
    for i in range(1, len(deva)):
        # ये/ए and यी/ई after a vowel (गये/गए, जायेगा/जाएगा, गयीं/गईं)
        if deva[i - 1] == _VIRAMA:
            continue
        pair = deva[i : i + 2]
        if pair in _Y_GLIDES:
            out.add(deva[:i] + _Y_GLIDES[pair] + deva[i + 2 :])
        elif deva[i] in _Y_VOWELS:
            out.add(deva[:i] + _Y_VOWELS[deva[i]] + deva[i + 1 :])
    if len(deva) > 1 and deva[-1] == _VIRAMA:
        # a final virama (सन्/सन, अर्थात्/अर्थात, जगत्/जगत)
        if len(deva) > 2 and _is_consonant(deva[-2]):
            out.add(deva[:-1])
    elif len(deva) > 1 and _is_consonant(deva[-1]):
        out.add(deva + _VIRAMA)
    out.discard(deva)
    return tuple(sorted(out))


def _is_consonant(ch: str) -> bool:
    return "\u0915" <= ch <= "\u0939" or "\u0958" <= ch <= "\u095f" or ch == _NUKTA


#: (the letters typed for a long vowel, its Devanagari signs): ā, ī, ū
_LONG_VOWELS = (
    (("aa",), ("\u093e", "\u0906")),
    (("ee", "ii"), ("\u0940", "\u0908")),
    (("oo", "uu"), ("\u0942", "\u090a")),
)


def long_vowels_typed(roman: str) -> tuple[int, int, int]:
    """How many long vowels a Latin word types doubled: ``aa`` (ā), ``ee``/``ii`` (ī), ``oo``/``uu``
    (ū), each counted once (``aaa`` is one)."""
    return tuple(sum(roman.count(letters) for letters in typed) for typed, _ in _LONG_VOWELS)  # type: ignore[return-value]


def missing_long_vowels(typed: tuple[int, int, int], deva: str) -> int:
    """How many of the long vowels ``typed`` (:func:`long_vowels_typed` of the input) the candidate
    ``deva`` cannot be spelling: for each of ā, ī, ū, the typed ones beyond its signs and letters of
    that vowel (``afjaal`` अफजल 1, अफजाल 0; ``deewar`` दिवार 1, दीवार 0). Someone who types a vowel
    doubled means it long; a single letter says nothing (``sita`` सीता)."""
    missing = 0
    for count, (_, signs) in zip(typed, _LONG_VOWELS, strict=True):
        if count:
            missing += max(0, count - sum(deva.count(sign) for sign in signs))
    return missing


def roman_skeleton(roman: str) -> str:
    """A loose key of a romanization: its consonants, with the spelling variation of informal
    romanization folded away (vowels after the first letter, doubled letters, aspiration ``h``,
    w/v, z/j, q/k, ph/f). ``taarif``, ``tarif`` and ``taareef`` all give ``trf``; ``chhote`` and
    ``chote`` give ``ct``.

    Runs compiled (``lipyantar.translit._fastrules``) for ASCII input when it is built.
    """
    if _fast_skeleton is not None and roman.isascii():
        return _fast_skeleton(roman)
    return roman_skeleton_python(roman)


def roman_skeleton_python(roman: str) -> str:
    """The pure-Python :func:`roman_skeleton` (the reference of the compiled one)."""
    r = roman.lower()
    for old, new in _SKELETON_SUBS:
        r = r.replace(old, new)
    r = _REPEAT.sub(r"\1", _ASPIRATE.sub(r"\1", r))
    if not r:
        return ""
    head = "V" if r[0] in "aeiouy" else r[0]
    return head + _VOWELS.sub("", r[1:])


def _rules_piece(piece: str) -> str:
    """Fallback romanization of a Devanagari unit the joint model has never seen."""
    return _rules.romanize_word(piece)
