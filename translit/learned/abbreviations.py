"""Common abbreviations of Hindi text, roman → Devanagari in sentences.

Hindi Wikipedia writes a few English abbreviations in their own short Devanagari form: ``Dr`` (Doctor) is
डॉ (डॉ॰), ``km`` is किमी. The learned search spells such a word by its letters or its sound (``dr`` द्र,
``km`` केएम or कम) and never offers the abbreviation. :data:`ABBREVIATIONS` is a small table of them, each
chosen because the train-side text attests it often: counted as whole words in the native Wikipedia text
of Dakshina's train side (``hi.wiki-filt.valid.text.notest.txt.gz``, 354,520 words; a final ``.`` or ``॰``
stripped), डॉ 84 times and किमी 46 times, and both are in the word n-gram model's vocabulary. Rarer ones
(किग्रा 1, सेमी 1, प्रो 6) are left out: the n-gram model has too little evidence to place them.

In sentence decoding (``sentence.abbreviations``), a word of the table also has its abbreviation as a
candidate, scored as the word's best candidate without context, and the word n-gram model decides in
context (``6 km dur`` किमी, ``yah km hai`` कम). The title counts only capitalized (``Dr``, as Wikipedia
writes it): lowercase ``dr`` is also डर typed without its vowel. Single words are not changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["ABBREVIATIONS", "abbreviation_spellings"]

#: Latin abbreviation as typed -> its Devanagari spellings (see the module's note for the counts). The
#: title is capitalized (``Dr``): a lowercase ``dr`` is as often डर typed without its vowel
ABBREVIATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Dr": ("डॉ",),
        "km": ("किमी",),
        "Km": ("किमी",),
    }
)


def abbreviation_spellings(word: str) -> tuple[str, ...]:
    """The Devanagari abbreviations a Latin word as typed may stand for (empty for most words); a final
    ``.`` is ignored (``Dr.``)."""
    return ABBREVIATIONS.get(word.removesuffix("."), ())
