"""Names and English words as people type them, roman → Devanagari: the conventions that say which
Devanagari spelling a Latin word means (issue 27, part 3).

People typing a name in Latin letters mark what they hear with the letters English spelling gives them,
and a few habits are regular:

* a final ``a`` after a consonant is the long vowel ा (``rekha`` रेखा, ``mishra`` मिश्रा), not the silent
  inherent vowel (the word list's common मिश्र otherwise wins over the name); not after ``y``, since
  Sanskrit ``-ya`` keeps its inherent vowel (``karya`` कार्य, ``rajya`` राज्य);
* a final ``ee``, or ``y`` after a consonant, is ी (``sunny`` सन्नी, ``vajpayee`` वाजपेयी), not ि;
* a doubled consonant letter is a doubled consonant (``anna`` अन्ना, ``kannan`` कन्नन).

:func:`convention_agreement` counts, for one candidate, the conventions of the input it keeps minus the
ones it breaks, and the single-word ranking adds ``names.w_convention`` times it; :func:`name_variants`
can add the spellings that keep them where the search found none (``names.variant_penalty``; off: on the
held-out slice they changed nothing).

Foreign names, brands and English words are written by their sound: :func:`pronunciation_spellings`
gives the rule spellings of a word's CMUdict pronunciations as Hindi writes them (:func:`written_phones`:
``sorry`` सॉरी, ``weeks`` वीक्स, ``posted`` पोस्टेड), and they compete with the search's candidates at
``english.spelling_penalty`` below the best plus ``english.spelling_margin`` times how much more English
than Hindi the word is (:func:`english_margin`), so that ``musk`` is मस्क but ``kal`` stays कल (in
sentences ``english.context_spelling_penalty``). An English inflection (``messages``, ``days``, ``booked``,
``booking``: :func:`inflection`, told by its pronunciation being the stem's plus the ending's) is spelled
as Hindi writes it, the stem's spelling with the ending's (:func:`inflected_spellings`: मैसेजेस, डेज़,
बुक्ड, बुकिंग), and competes ``english.inflection_penalty`` below the best; in sentences its prior is
the English word's frequency rather than that of an unknown Hindi word, so that the context model's
Hindi words do not take it (``do weeks ka month``: वीक्स, not विकास). The weights were chosen on the
held-out slice of the train lexicon and sentences (``scripts/tune_heldout.py``), like the model's other
decoding parameters.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import regex

from lipyantar.translit.learned.english import PHONEMES, encode_phones, spell_pronunciation
from lipyantar.translit.learned.origin import english_margin as word_margin

if TYPE_CHECKING:
    from lipyantar.translit.learned.english import EnglishModel

__all__ = [
    "agreement_scorer",
    "anusvara_first",
    "attested_first",
    "convention_agreement",
    "english_margin",
    "inflected_spellings",
    "inflection",
    "name_scored",
    "name_variants",
    "pronunciation_spellings",
    "roman_conventions",
    "with_name_variants",
    "written_phones",
]

_VIRAMA = "\u094d"
_AA = "\u093e"
_I = "\u093f"
_II = "\u0940"
_NUKTA = "\u093c"
#: Devanagari consonants a doubled Latin consonant letter may stand for
_DOUBLED: dict[str, str] = {
    "b": "ब",
    "d": "दड",
    "f": "फ",
    "g": "ग",
    "j": "ज",
    "k": "क",
    "l": "ल",
    "m": "म",
    "n": "नण",
    "p": "प",
    "r": "र",
    "s": "सश",
    "t": "तट",
    "v": "व",
    "z": "ज",
}
_DOUBLE_RUN = regex.compile(r"([bdfgjklmnprstvz])\1(?!\1)")
_FINAL_A = regex.compile(r"[bcdfghjklmnpqrstvwxz]a$")
_FINAL_EE = regex.compile(r"(?:ee|[bcdfghjklmnpqrstvwxz]y)$")
_CONSONANT = regex.compile(r"[\u0915-\u0939\u0958-\u095f\u0978-\u097f]\u093c?$")


def roman_conventions(roman: str) -> tuple[bool, bool, tuple[str, ...]]:
    """What a normalized Latin word says by the conventions: (ends in a consonant and ``a``, ends in
    ``ee`` or a consonant and ``y``, its doubled consonant letters in order)."""
    return (
        bool(_FINAL_A.search(roman)),
        bool(_FINAL_EE.search(roman)),
        tuple(m.group(1) for m in _DOUBLE_RUN.finditer(roman)),
    )


def _geminates(deva: str, letter: str) -> int:
    """How many doubled consonants (C्C) of those ``letter`` may stand for ``deva`` has."""
    return sum(deva.count(c + _VIRAMA + c) for c in _DOUBLED[letter])


def convention_agreement(roman: str, deva: str) -> int:
    """The conventions of ``roman`` that the candidate ``deva`` keeps, minus those it breaks (0 when the
    input shows none): a final ``a`` read as ा (+1) or as the inherent vowel (-1); a final ``ee``/``y``
    read as ी (+1) or ि (-1); each doubled consonant letter read as a doubled consonant (+1) or not (-1)."""
    return _agreement(roman_conventions(roman), deva)


def agreement_scorer(roman: str) -> Callable[[str], int] | None:
    """:func:`convention_agreement` of ``roman`` as a function of the candidate, or None when the input
    shows no convention (every candidate 0)."""
    conventions = roman_conventions(roman)
    if not (conventions[0] or conventions[1] or conventions[2]):
        return None
    return lambda deva: _agreement(conventions, deva)


def _agreement(conventions: tuple[bool, bool, tuple[str, ...]], deva: str) -> int:
    final_a, final_ee, doubled = conventions
    score = 0
    if final_a:
        if deva.endswith(_AA):
            score += 1
        elif _CONSONANT.search(deva):
            score -= 1
    if final_ee:
        if deva.endswith(_II):
            score += 1
        elif deva.endswith(_I):
            score -= 1
    if doubled:
        for letter in dict.fromkeys(doubled):
            wanted = doubled.count(letter)
            have = min(_geminates(deva, letter), wanted)
            score += have - (wanted - have)
    return score


def _doubled_forms(deva: str, letter: str) -> list[str]:
    """``deva`` with one single consonant that ``letter`` may stand for doubled (each place in turn)."""
    out = []
    for c in _DOUBLED[letter]:
        start = 0
        while (i := deva.find(c, start)) >= 0:
            start = i + 1
            before = deva[i - 1] if i else ""
            after = deva[i + 1] if i + 1 < len(deva) else ""
            if before == _VIRAMA or after in (_VIRAMA, _NUKTA):
                continue  # already in a cluster, or another consonant (ज़, ड़)
            out.append(deva[:i] + c + _VIRAMA + deva[i:])
    return out


def name_variants(roman: str, deva: str) -> tuple[str, ...]:
    """The spellings of the candidate ``deva`` that follow the conventions ``roman`` shows where ``deva``
    breaks them: the final consonant with ा, the final ि as ी, a doubled consonant for a doubled letter."""
    final_a, final_ee, doubled = roman_conventions(roman)
    out: list[str] = []
    if final_a and _CONSONANT.search(deva):
        out.append(deva + _AA)
    if final_ee and deva.endswith(_I):
        out.append(deva[:-1] + _II)
    for letter in dict.fromkeys(doubled):
        if _geminates(deva, letter) < doubled.count(letter):
            out.extend(_doubled_forms(deva, letter))
    return tuple(dict.fromkeys(out))


def with_name_variants(
    roman: str, found: tuple[tuple[str, float], ...], *, penalty: float, window: float
) -> tuple[tuple[str, float], ...]:
    """``found`` (candidates and scores, best first) with the :func:`name_variants` of those within
    ``window`` of the best, each ``penalty`` below its source (or as ``found`` scores it, when higher)."""
    if not found or penalty < 0:
        return found
    final_a, final_ee, doubled = roman_conventions(roman)
    if not (final_a or final_ee or doubled):
        return found
    scores = dict(found)
    floor = found[0][1] - window
    changed = False
    for deva, score in found:
        if score < floor:
            break
        for variant in name_variants(roman, deva):
            if scores.get(variant, -float("inf")) < score - penalty:
                scores[variant] = score - penalty
                changed = True
    if not changed:
        return found
    return tuple(sorted(scores.items(), key=lambda item: -item[1]))


def pronunciation_spellings(english: EnglishModel | None, roman: str) -> tuple[str, ...]:
    """The rule spellings (:func:`~lipyantar.translit.learned.english.spell_pronunciation`) of the English
    pronunciations of a normalized Latin word, each as Hindi writes it (:func:`written_phones`; none
    without the English model or a pronunciation)."""
    if english is None:
        return ()
    prons = english.pronunciations(roman)
    if not prons:
        return ()
    out: dict[str, None] = {}
    for pron in prons:
        phones = [PHONEMES[ord(ch) - 0xE000] for ch in pron]
        form = written_phones(roman, phones)
        out[unicodedata.normalize("NFC", spell_pronunciation(encode_phones(form)))] = None
    return tuple(out)


_VOWEL_GROUP = regex.compile(r"[aeiou]+y?|y(?![aeiou])")
_CONSONANT_PHONES = frozenset("B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split())


def written_phones(roman: str, phones: list[str]) -> list[str]:
    """An English word's (American) pronunciation changed where Hindi writes the word by its letters or
    by British sound: an initial /æ/ as ए (``android`` एंड्रॉयड); an ``o`` spelled /ɑ/ as ॉ (``sorry`` सॉरी, ``doctor`` डॉक्टर: British /ɒ/); a final
    unstressed /ə/ written ``a`` as ा (``china`` चाइना, ``maradona`` माराडोना); ``-ay`` as /eɪ/ (``monday``
    मंडे); the ending ``-ed`` as एड/ड (``posted`` पोस्टेड, ``finished`` फिनिश्ड); the plural ``-s`` /z/
    after a consonant as स (``calls`` कॉल्स) and ``-es`` /ɪz/ after a sibilant as एस (``messages``
    मैसेजेस); a final ``-ham`` after a consonant as /əm/ (``beckham`` बेकहम)."""
    out = list(phones)
    if out and out[0] == "AE" and roman.startswith("a"):
        out[0] = "EH"  # an initial /æ/ as ए (anchor एंकर, angela एंजेला; in the train lexicon 350 to ऐ's 31)
    if "o" in roman and "AA" in out:
        # the letters' vowel groups against the vowels of the sound, when they are as many
        groups = _VOWEL_GROUP.findall(roman)
        vowels = [i for i, phone in enumerate(out) if phone not in _CONSONANT_PHONES]
        if len(groups) == len(vowels):
            for group, i in zip(groups, vowels, strict=True):
                if out[i] == "AA" and group.startswith("o"):
                    out[i] = "AO"
    if len(out) > 1 and out[-2] in _CONSONANT_PHONES:
        if roman.endswith("a") and out[-1] == "AH":
            out[-1] = "AA"
        elif roman.endswith("ay") and out[-1] == "IY":
            out[-1] = "EY"
    if roman.endswith("ham") and len(out) > 3 and out[-3:] == ["HH", "AE", "M"] and out[-4] in _CONSONANT_PHONES:
        out[-2] = "AH"  # a final -ham after a consonant as British /əm/ (beckham बेकहम, birmingham बर्मिंघम)
    if roman.endswith("ed") and len(out) > 2:
        if out[-2:] == ["IH", "D"]:
            out[-2] = "EH"
        elif out[-1] == "T" and out[-2] in _CONSONANT_PHONES:
            out[-1] = "D"
    if roman.endswith("s") and len(out) > 2 and out[-1] == "Z":
        if roman.endswith("es") and out[-2] in ("AH", "IH") and out[-3] in _SIBILANTS:
            out[-2:] = ["EH", "S"]  # messages मैसेजेस, classes क्लासेस
        elif out[-2] in _CONSONANT_PHONES:
            out[-1] = "S"  # calls कॉल्स, songs सॉन्ग्स; after a vowel ज़ stays (days डेज़)
    return out


_SIBILANTS = frozenset(("S", "Z", "SH", "ZH", "CH", "JH"))
#: English inflections by the phones they add to the stem's pronunciation, and how Hindi writes them
#: after a stem that ends in a consonant and after one that ends in a vowel
_INFLECTIONS: dict[tuple[str, ...], tuple[str, str]] = {
    ("S",): ("्स", "स"),
    ("Z",): ("्स", "ज़"),
    ("AH", "Z"): ("ेस", "ज़"),
    ("IH", "Z"): ("ेस", "ज़"),
    ("T",): ("्ड", "ड"),
    ("D",): ("्ड", "ड"),
    ("AH", "D"): ("ेड", "ड"),
    ("IH", "D"): ("ेड", "ड"),
    ("IH", "NG"): ("िंग", "इंग"),
}
#: the inflected word's ending and the stem endings it may come from (cities city, stopped stop, making make)
_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ies", ("y",)),
    ("es", ("", "e")),
    ("s", ("",)),
    ("ed", ("", "e", "-")),
    ("ing", ("", "e", "-")),
)


def inflection(english: EnglishModel | None, roman: str) -> tuple[str, str, str] | None:
    """A Latin word as an English inflection (plural or third person ``-s``, past ``-ed``, ``-ing``) of
    a shorter English word: (the stem, the Devanagari of the ending after a stem spelled with a final
    consonant, after one spelled with a final vowel), when some pronunciation of the word is one of the
    stem's with the ending's phones (``messages`` message + /ɪz/: ``ेस``; ``days`` day + /z/: ``ज़``;
    ``booked`` book + /t/: ``्ड``); None otherwise (``logs`` is log + /z/, ``kis`` no stem)."""
    if english is None or len(roman) < 4:
        return None
    prons = english.pronunciations(roman)
    if not prons:
        return None
    for ending, replacements in _STEMS:
        if not roman.endswith(ending):
            continue
        base = roman[: -len(ending)]
        for replacement in replacements:
            if replacement == "-":  # a doubled final consonant: stopped, shopping
                if len(base) < 3 or base[-1] != base[-2]:
                    continue
                stem = base[:-1]
            else:
                stem = base + replacement
            if len(stem) < 2:
                continue
            for stem_pron in english.pronunciations(stem):
                for pron in prons:
                    if pron.startswith(stem_pron) and len(pron) > len(stem_pron):
                        added = tuple(PHONEMES[ord(ch) - 0xE000] for ch in pron[len(stem_pron) :])
                        written = _INFLECTIONS.get(added)
                        if written is not None:
                            return stem, *written
    return None


_LETTER = regex.compile(r"[\u0915-\u0939\u0958-\u095f]")


def _shape(deva: str) -> tuple[str, bool]:
    """The consonant letters of a spelling (nukta and ह dropped: ``what`` व्हाट, वट) and whether it ends
    in one."""
    text = unicodedata.normalize("NFD", deva).replace(_NUKTA, "").replace("ह", "")
    return "".join(_LETTER.findall(text)), bool(_CONSONANT.search(text))


def inflected_spellings(
    english: EnglishModel | None, roman: str, spell_stem: Callable[[str], str]
) -> tuple[str, ...]:
    """The spelling of an English inflection (:func:`inflection`) as Hindi writes it: the stem's
    spelling with the ending's (``messages`` मैसेज + ेस, ``videos`` वीडियो + ज़, ``tickets`` टिकट + ्स);
    empty for a word that is not one. The stem is spelled by ``spell_stem`` (the model's best) when that
    has the consonants and the final vowel or consonant of the rule spelling of the stem's sound
    (:func:`pronunciation_spellings`), else by the rule spelling: a stem that is also a romanized Hindi
    word is English here (``taking`` टेक, not टके; ``guys`` गाइ, not गाय; ``wedding`` वेड, not वेद)."""
    found = inflection(english, roman)
    if found is None:
        return ()
    stem, after_consonant, after_vowel = found
    base = spell_stem(stem)
    sounds = pronunciation_spellings(english, stem)
    if sounds and _shape(base) not in {_shape(sound) for sound in sounds}:
        base = sounds[0]
    if not base or base.endswith(_VIRAMA):
        return ()
    return (unicodedata.normalize("NFC", base + (after_consonant if _CONSONANT.search(base) else after_vowel)),)


#: the pronunciation spellings after the first compete this much below it (the word list and the
#: prior decide between them)
SPELLING_STEP = 1.0
#: the English/Hindi margin of a word is clipped to this range (a few words are very much English)
MARGIN_RANGE = (-10.0, 10.0)


def english_margin(roman: str) -> float:
    """How much more probable a Latin word is as English than as romanized Hindi (log ratio, clipped to
    :data:`MARGIN_RANGE`), by the word-language tables (:mod:`lipyantar.translit.wordlang`: the
    wordfreq English list against the Dakshina romanizations): ``weeks`` 10, ``musk`` 5.5, ``mishra`` -4.3."""
    low, high = MARGIN_RANGE
    return min(max(word_margin(roman), low), high)


def name_scored(
    roman: str,
    found: tuple[tuple[str, float], ...],
    *,
    weight: float,
    penalty: float,
    window: float,
    spellings: Sequence[str] = (),
    spelling_penalty: float = -1.0,
    spelling_margin: float = 0.0,
    inflected: Sequence[str] = (),
    inflection_penalty: float = -1.0,
) -> tuple[tuple[str, float], ...]:
    """A single word's candidates ``found`` (best first) with their :func:`name_variants`
    (:func:`with_name_variants`), and the rule spellings of its English pronunciations ``spellings``
    (:func:`pronunciation_spellings`) scored ``spelling_penalty`` below the best plus ``spelling_margin``
    times how much more English than Hindi the word is (:func:`english_margin`; the spellings after the
    first :data:`SPELLING_STEP` lower), or as ``found`` scores them, when higher (``spelling_penalty``
    negative: off), and the spelling of the word as an English inflection ``inflected``
    (:func:`inflected_spellings`) likewise ``inflection_penalty`` below the best; then ``weight`` times
    each one's :func:`convention_agreement` added to its score. Unchanged when all are off."""
    found = with_name_variants(roman, found, penalty=penalty, window=window)
    use_spellings = bool(spellings) and spelling_penalty >= 0
    use_inflected = bool(inflected) and inflection_penalty >= 0
    if (use_spellings or use_inflected) and found:
        scores = dict(found)
        best = found[0][1]
        margin = spelling_margin * english_margin(roman) if spelling_margin else 0.0
        # the first spelling (of the first pronunciation) at its level, the others a little below it
        extra: list[tuple[str, float]] = []
        if use_inflected:
            extra.extend((deva, best - inflection_penalty + margin) for deva in inflected)
        if use_spellings:
            least = best - spelling_penalty + margin
            extra.extend((deva, least - (SPELLING_STEP if rank else 0.0)) for rank, deva in enumerate(spellings))
        extra = [(deva, score) for deva, score in extra if scores.get(deva, -math.inf) < score]
        if extra:
            for deva, score in extra:
                scores[deva] = max(score, scores.get(deva, -math.inf))
            found = tuple(sorted(scores.items(), key=lambda item: -item[1]))
    if not weight:
        return found
    agreement = agreement_scorer(roman)
    if agreement is None:
        return found
    return tuple((deva, score + weight * agreement(deva)) for deva, score in found)


#: a nasal consonant with virama before a consonant that the anusvara may stand before (stops, sibilants,
#: h; not y r l v or another nasal: कन्या, अन्न)
_NASAL_CLUSTER = regex.compile("[ङञणनम]\u094d(?=[क-घच-झट-ढत-धप-भशषसह])")


def anusvara_first(ranked: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Candidates as (negated score, spelling), with the anusvara spelling of a nasal cluster (बंदोबस्त for
    बन्दोबस्त, जितेंद्र for जितेन्द्र) ahead of it when both are candidates: the two swap their scores
    (no new ties). Hindi writes either, and the train lexicon mostly the anusvara (``-ndra`` ंद्र 116
    times to न्द्र's 4)."""
    if len(ranked) < 2:
        return ranked
    scores = {deva: neg for neg, deva in ranked}
    changed = False
    for _, deva in sorted(ranked):
        if "\u094d" not in deva:
            continue
        short = _NASAL_CLUSTER.sub("\u0902", deva)
        if short != deva and short in scores and scores[short] > scores[deva]:
            scores[short], scores[deva] = scores[deva], scores[short]
            changed = True
    if not changed:
        return ranked
    return [(neg, deva) for deva, neg in scores.items()]



def attested_first(
    ranked: list[tuple[float, str]], attested: Mapping[str, float] | None, belief: Callable[[str], float]
) -> list[tuple[float, str]]:
    """Candidates as (negated score, spelling), the input's ``attested`` spellings among them given their
    scores again in the order of ``belief`` (higher first, ties by spelling): the one believed most takes
    the best of their scores, the candidates that are not attested keep theirs. The model orders them by
    log P(input | spelling) P(spelling), the share of the spelling's attested romanizations that are the
    input times its word prior (``delhi`` दिल्ली ahead of डेल्ही, ``october`` अक्टूबर ahead of अक्टुबर):
    the channel's spelling model does not see the counts beyond ``r2d.w_mem``'s small bonus."""
    if not attested or len(ranked) < 2:
        return ranked
    present = [(neg, deva) for neg, deva in ranked if deva in attested]
    if len(present) < 2:
        return ranked
    order = sorted((deva for _, deva in present), key=lambda deva: (-belief(deva), deva))
    scores = dict(zip(order, sorted(neg for neg, _ in present), strict=True))
    return [(scores.get(deva, neg), deva) for neg, deva in ranked]
