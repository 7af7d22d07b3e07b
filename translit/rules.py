"""Rule-based informal romanizer ``roman-rules``: one Devanagari word -> informal Latin Hindi.

This is the baseline "the way people type Hindi in Latin letters" scheme (``yah sangathan
antarrashtriya sanstha hai``). It is a small hand-written rule set working akshara by akshara; no
table is learned from data (the choices below were checked against the Dakshina *train* lexicon).

1. **Segmentation.** The word is split into consonants (with an optional nukta; precomposed
   U+0958..U+095F are accepted too), vowels (independent letters and matras) and the marks
   anusvara, chandrabindu and visarga. A consonant with no matra and no virama carries the
   inherent vowel (schwa).
2. **Compounding morphemes.** A short list of productive second members (``-pur``, ``-nagar``,
   ``-garh``, ``-kar``, ``-kaar``, ``-vaad``, ``-vaadi``, ``-pan``, ``-singh`` ...) is romanized
   apart from its stem, so the stem's final schwa is dropped as in a free word (``udaypur``); so is
   an oblique pronoun written together with a postposition (``unki``, ``ismen``, ``aapko``).
3. **Schwa deletion.** Word-final schwa is dropped, except in one-akshara words (``na``) and after
   a cluster ending in र / य or in ज्ञ / ष्ण (``mitra``, ``vakya``, ``yagya``, ``krishna``).
   Medial schwa is dropped in the context ``V C _ C V``, scanning right to left, so that a
   deletion protects the schwa to its left (``kamara`` -> ``kamra``, ``samajhana`` ->
   ``samajhna``). Never in the first syllable, never next to a consonant cluster, never on a
   nasalised vowel, and not when the vowel to the right is an inflectional ending: final ``-i``
   / ``-ii``, nasalised final ``-on`` / ``-en`` / ``-iin`` (``pathakon``, ``adhikaranon``). Also kept
   after य, and - away from the first syllable - after ई or a nasalised vowel and before a short
   vowel of the last syllable (``adhikaran``, ``agnishaman``).
4. **Letters.** Vowels are written short (आ ``a``, ई ``i``, ऊ ``u``) except a word-initial आ
   (``aaj``); ए ``e``, ऐ ``ai``, ओ ``o``, औ ``au``, ऑ ``o``, ऋ ``ri``; a final ए after इ/ई is
   ``ye`` (``dikhaiye``). श/ष ``sh``, च ``ch``, छ ``chh``, फ ``f``, व ``v`` (``w`` after स श ग ट ड:
   ``swagat``, ``ishwar``), ज्ञ ``gy``, क्ष ``ksh``, त्र ``tr``. Nukta letters: क़ ``q``, ख़ ``kh``,
   ग़ ``gh``, ज़ ``z``, फ़ ``f``, ड़ ``d``, ढ़ ``dh``, य़ ``y`` (the data writes ड़ / ढ़ as d / dh far
   more often than r / rh: ``ladka``, ``padhna``).
5. **Nasals and visarga.** Anusvara / chandrabindu is ``m`` before a labial (प फ ब भ म) after
   a short a / i (``sambandh``), nothing before न / म / ण (``unhone``), ``n`` everywhere else,
   including word-finally (``hain``, ``nahin``, ``men``). Visarga is ``h`` (``antahkaran``).
6. **Output** is plain lowercase ASCII letters; anything else is dropped.

:func:`romanize_word` runs the compiled ``lipyantar.translit._fastrules`` when it is built (same output);
:func:`romanize_word_python` is the reference implementation. Set ``LIPYANTAR_PURE_PYTHON=1`` to
use it everywhere.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from lipyantar.translit.compiled import load_extension

__all__ = ["RULES_VERSION", "romanize_word"]

RULES_VERSION = "1"

logger = logging.getLogger(__name__)


def _load_fast() -> Any:
    """The compiled romanizer (``lipyantar.translit._fastrules``) when built, enabled and of these rules, else None."""
    module = load_extension("_fastrules")
    if module is not None and getattr(module, "RULES_VERSION", None) != RULES_VERSION:  # pragma: no cover
        logger.warning("lipyantar.translit._fastrules implements other rules; rebuild it (using the Python rules)")
        return None
    return module


#: the compiled romanizer, or None (pure Python)
FAST = _load_fast()

_NUKTA = "\u093c"
_VIRAMA = "\u094d"
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"

# precomposed nukta letters -> base + nukta
_PRECOMPOSED: dict[str, str] = {
    "\u0958": "\u0915" + _NUKTA,
    "\u0959": "\u0916" + _NUKTA,
    "\u095a": "\u0917" + _NUKTA,
    "\u095b": "\u091c" + _NUKTA,
    "\u095c": "\u0921" + _NUKTA,
    "\u095d": "\u0922" + _NUKTA,
    "\u095e": "\u092b" + _NUKTA,
    "\u095f": "\u092f" + _NUKTA,
    "\u0929": "\u0928" + _NUKTA,
    "\u0931": "\u0930" + _NUKTA,
    "\u0934": "\u0933" + _NUKTA,
    "\u0950": "\u0913\u092e",  # ॐ -> ओम
}

_CONSONANTS: dict[str, str] = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "f", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "व": "v", "ळ": "l",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
}  # fmt: skip

_NUKTA_CONSONANTS: dict[str, str] = {
    "क": "q", "ख": "kh", "ग": "gh", "ज": "z", "फ": "f",
    "ड": "d", "ढ": "dh", "य": "y", "न": "n", "र": "r", "ळ": "l",
}  # fmt: skip

# independent vowel letters; matras are mapped onto them
_VOWELS: dict[str, str] = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u",
    "ऋ": "ri", "ॠ": "ri", "ऌ": "li", "ॡ": "li",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऍ": "e", "ऎ": "e", "ऑ": "o", "ऒ": "o",
}  # fmt: skip

_MATRAS: dict[str, str] = {
    "\u093e": "आ", "\u093f": "इ", "\u0940": "ई", "\u0941": "उ", "\u0942": "ऊ",
    "\u0943": "ऋ", "\u0944": "ॠ", "\u0962": "ऌ", "\u0963": "ॡ",
    "\u0947": "ए", "\u0948": "ऐ", "\u094b": "ओ", "\u094c": "औ",
    "\u0945": "ऍ", "\u0946": "ऎ", "\u0949": "ऑ", "\u094a": "ऒ",
}  # fmt: skip

_SCHWA = "अ"
_LABIALS = frozenset("पफबभम")
_W_AFTER = frozenset("सशगटड")  # व is "w" after these: swagat, ishwar, gwalior, twitter, dwarka
_FINAL_CLUSTERS_WITH_A = frozenset({("ज", "ञ"), ("ष", "ण")})  # yagya, krishna

# productive second members of compounds / derivational suffixes, romanized apart from the stem
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "पुर", "पुरा", "पुरी", "नगर", "गढ़", "कर", "कार", "कर्ता", "वाद", "वादी", "कारी", "पन",
            "कला", "नाथ", "राज", "वीर", "देव", "पाल", "मय", "शास्त्र", "पति", "पतियों", "सिंह", "में",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
# oblique pronoun + postposition written as one word (uski, inmen, aapko, jisse): romanized apart
_PRONOUN_STEMS = frozenset({"इस", "उस", "जिस", "किस", "इन", "उन", "जिन", "किन", "आप", "हम", "तुम"})
_POSTPOSITIONS = frozenset({"का", "की", "के", "को", "से", "ने", "में", "पर"})
_PRONOUN_PREFIXES = tuple(sorted(_PRONOUN_STEMS))
# conventional spellings of some of them
_SUFFIX_SPELLINGS: dict[str, str] = {"सिंह": "singh"}


class _Seg:
    """One unit of the word: a consonant, or a vowel with its trailing nasal / visarga marks."""

    __slots__ = ("base", "inherent", "is_cons", "nasal", "nukta", "visarga")

    def __init__(self, base: str, is_cons: bool, *, nukta: bool = False, inherent: bool = False) -> None:
        self.base = base
        self.is_cons = is_cons
        self.nukta = nukta
        self.inherent = inherent
        self.nasal = False
        self.visarga = False


def _decompose(word: str) -> str:
    return "".join(_PRECOMPOSED.get(ch, ch) for ch in unicodedata.normalize("NFC", word))


def _segment(chars: str) -> list[_Seg]:
    segs: list[_Seg] = []
    n = len(chars)
    i = 0
    while i < n:
        ch = chars[i]
        if ch in _CONSONANTS:
            nukta = i + 1 < n and chars[i + 1] == _NUKTA
            if nukta:
                i += 1
            segs.append(_Seg(ch, True, nukta=nukta))
            nxt = chars[i + 1] if i + 1 < n else ""
            if nxt == _VIRAMA:
                i += 2
            elif nxt in _MATRAS:
                segs.append(_Seg(_MATRAS[nxt], False))
                i += 2
            else:
                segs.append(_Seg(_SCHWA, False, inherent=True))
                i += 1
            continue
        if ch in _VOWELS:
            segs.append(_Seg(ch, False))
        elif ch in _MATRAS:  # stray matra: read it as the vowel
            segs.append(_Seg(_MATRAS[ch], False))
        elif ch in (_ANUSVARA, _CHANDRABINDU):
            if segs and not segs[-1].is_cons:
                segs[-1].nasal = True
            else:
                segs.append(_Seg("न", True))
        elif ch == _VISARGA:
            if segs and not segs[-1].is_cons:
                segs[-1].visarga = True
            else:
                segs.append(_Seg("ह", True))
        elif ch.isascii() and ch.isalpha():
            segs.append(_Seg(ch.lower(), True))
        # other marks (stray nukta or virama, avagraha, ...) are dropped
        i += 1
    return segs


def _final_schwa_kept(segs: list[_Seg]) -> bool:
    """Whether the word-final inherent vowel (segs[-1]) is pronounced."""
    last = segs[-1]
    if last.nasal or last.visarga or sum(1 for s in segs if not s.is_cons) < 2:
        return True
    if len(segs) >= 3 and segs[-2].is_cons and segs[-3].is_cons:  # final cluster
        c1, c2 = segs[-3].base, segs[-2].base
        return c2 in "रय" or (c1, c2) in _FINAL_CLUSTERS_WITH_A  # mitra, vakya, yagya
    return False


def _medial_blocked(segs: list[_Seg], keep: list[bool], i: int) -> bool:
    """Exceptions to medial deletion of the schwa segs[i] in the context V C _ C V."""
    n = len(segs)
    left, right = segs[i - 2], segs[i + 2]
    # the right vowel is the last one pronounced: an ending, or the vowel of the last syllable
    right_last = all(segs[j].is_cons or not keep[j] for j in range(i + 3, n))
    first_syllable = all(s.is_cons for s in segs[: i - 2])
    if right_last and i + 2 == n - 1 and right.base in "इई":  # inflectional -i / -ii: pathaki
        return True
    if right_last and right.nasal and right.base in "ओएई":  # oblique plural -on, -en, -iin
        return True
    if segs[i - 1].base == "य":  # samayon, niyamit
        return True
    if not first_syllable:
        if right_last and right.base in "अइ" and not right.nasal:  # adhikaran, akadamik
            return True
        if left.base == "ई" or left.nasal:
            return True
    return False


def _delete_schwas(segs: list[_Seg]) -> list[_Seg]:
    n = len(segs)
    if n == 0:
        return segs
    keep = [True] * n
    if segs[-1].inherent and not _final_schwa_kept(segs):
        keep[-1] = False

    def is_vowel(j: int) -> bool:
        return 0 <= j < n and not segs[j].is_cons and keep[j]

    def is_cons(j: int) -> bool:
        return 0 <= j < n and segs[j].is_cons

    for i in range(n - 2, 1, -1):  # right to left
        seg = segs[i]
        if not seg.inherent or seg.nasal or seg.visarga:
            continue
        if not (is_cons(i - 1) and is_vowel(i - 2) and is_cons(i + 1) and is_vowel(i + 2)):
            continue
        if not _medial_blocked(segs, keep, i):
            keep[i] = False
    return [s for s, k in zip(segs, keep, strict=True) if k]


def _cons_roman(segs: list[_Seg], i: int) -> str:
    seg = segs[i]
    prev = segs[i - 1] if i > 0 and segs[i - 1].is_cons else None
    if seg.nukta and seg.base in _NUKTA_CONSONANTS:
        return _NUKTA_CONSONANTS[seg.base]
    if prev is not None:
        if seg.base == "ञ" and prev.base == "ज":  # ज्ञ -> gy (the j is rewritten by the caller)
            return "y"
        if seg.base == "व" and prev.base in _W_AFTER:
            return "w"
    return _CONSONANTS.get(seg.base, seg.base)


def _vowel_roman(segs: list[_Seg], i: int) -> str:
    seg = segs[i]
    n = len(segs)
    out = _VOWELS.get(seg.base, "a")
    if i == 0 and seg.base == "आ":
        out = "aa"  # aaj, aapas, aadmi
    elif seg.base == "ए" and i == n - 1 and i > 0 and segs[i - 1].base in "इई":
        out = "ye"  # dikhaiye, kijiye
    if seg.nasal:
        nxt = segs[i + 1] if i + 1 < n else None
        nxt_base = nxt.base if nxt is not None and nxt.is_cons else ""
        if nxt_base in ("न", "म", "ण"):
            pass  # nasal vowel before a nasal consonant: unhone, inhone
        elif nxt_base in _LABIALS and seg.base in "अइ":
            out += "m"
        else:
            out += "n"
    if seg.visarga:
        out += "h"
    return out


def _render(segs: list[_Seg]) -> str:
    out: list[str] = []
    for i, seg in enumerate(segs):
        if not seg.is_cons:
            out.append(_vowel_roman(segs, i))
            continue
        if seg.base == "ज" and not seg.nukta and i + 1 < len(segs) and segs[i + 1].base == "ञ":
            out.append("g")
            continue
        out.append(_cons_roman(segs, i))
    return "".join(ch for ch in "".join(out) if "a" <= ch <= "z")


def _romanize_simple(chars: str) -> str:
    segs = _segment(chars)
    if not segs:
        return ""
    return _render(_delete_schwas(segs))


def _split_suffix(chars: str) -> tuple[str, str] | None:
    """Split off a compounding morpheme when a stem with at least one vowel remains."""
    if chars.startswith(_PRONOUN_PREFIXES):
        for stem in _PRONOUN_STEMS:
            if chars.startswith(stem) and chars[len(stem) :] in _POSTPOSITIONS:
                return stem, chars[len(stem) :]
    if not chars.endswith(_SUFFIXES):  # the common case: no compounding morpheme at all
        return None
    for suffix in _SUFFIXES:
        if len(chars) > len(suffix) and chars.endswith(suffix):
            stem = chars[: -len(suffix)]
            if stem[-1] in (_VIRAMA, _NUKTA):
                continue
            if any(not seg.is_cons for seg in _segment(stem)):
                return stem, suffix
    return None


def romanize_word_python(word: str) -> str:
    """Pure-Python reference implementation of :func:`romanize_word` (the rules above)."""
    chars = _decompose(word)
    if chars in _SUFFIX_SPELLINGS:
        return _SUFFIX_SPELLINGS[chars]
    split = _split_suffix(chars)
    if split is not None:
        stem, suffix = split
        return _romanize_simple(stem) + (_SUFFIX_SPELLINGS.get(suffix) or _romanize_simple(suffix))
    return _romanize_simple(chars)


_fast_romanize_word = FAST.romanize_word if FAST is not None else None


def romanize_word(word: str) -> str:
    """Romanize one Devanagari word token into informal Latin (lowercase ASCII letters only).

    >>> romanize_word("कमरा")
    'kamra'
    """
    if _fast_romanize_word is not None:
        return _fast_romanize_word(word)
    return romanize_word_python(word)
