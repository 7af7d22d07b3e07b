"""Word pairs from a Devanagari text and its romanized twin: the training data of ``lipyantar learn
--twin`` and of the model that ``build`` adapts to a corpus.

The twin is split into sentences, the sentences are aligned, then the words of each bead, with a
learned model as the romanizer that makes the two scripts comparable.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from lipyantar.translit.learned.charalign import DEVA_WORD_RE, normalize_deva, normalize_roman

from .segment import split_sentences
from .sentences import align_sentences
from .similarity import Similarity
from .words import align_words

if TYPE_CHECKING:
    from lipyantar.translit.learned.model import LearnedModel

__all__ = ["pairs_from_twin"]


def pairs_from_twin(deva_text: str, roman_text: str, base: LearnedModel) -> list[tuple[str, str, float]]:
    """Word pairs ``(native, roman, count)`` from a Devanagari text and its romanized twin.

    Sentences are split and aligned, then the words of each bead (glued words allowed), with
    ``base.romanize`` making the two scripts comparable. Links of more than one word on either side
    and roman tokens that are not letters are left out; roman words are normalized as the model's
    training pairs are (lower-case letters).

    >>> from lipyantar.translit.learned.model import default_model
    >>> sorted(pairs_from_twin("यह संगठन है।", "yah sangathan hai.", default_model()))
    [('यह', 'yah', 1.0), ('संगठन', 'sangathan', 1.0), ('है', 'hai', 1.0)]
    """
    counts: Counter[tuple[str, str]] = Counter()
    deva_sents = split_sentences(deva_text, script="deva")
    roman_sents = split_sentences(roman_text, script="roman")
    sim = Similarity(romanize=base.romanize)  # one memo for the whole twin: each word type romanized once
    for bead in align_sentences(deva_sents, roman_sents, similarity=sim):
        if not bead.deva_text or not bead.roman_text:
            continue
        for link in align_words(bead.deva_text, bead.roman_text, similarity=sim):
            d, r = normalize_deva(link.deva.strip()), link.roman.strip()
            if " " in d or " " in r:
                continue
            match = DEVA_WORD_RE.search(d)
            r_norm = normalize_roman(r)
            if match and match.group() and r_norm and r.strip(".,;:!?'\"()").isalpha():
                counts[(match.group(), r_norm)] += 1
    return [(d, r, float(c)) for (d, r), c in counts.items()]
