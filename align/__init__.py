"""Sentence and word alignment of a Devanagari document with its romanized twin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lipyantar.translit.lazy import lazy_getattr

if TYPE_CHECKING:
    from .segment import Sentence, split_lines, split_sentences
    from .sentences import TWIN_THRESHOLD, Bead, align_sentences, document_score, iter_align_sentences
    from .similarity import Similarity
    from .twin import pairs_from_twin
    from .words import WordLink, align_words, word_pair_counts


#: public name -> the module it lives in (imported on first use: a command starts light)
_HOMES = {
    "Sentence": "lipyantar.align.segment",
    "split_lines": "lipyantar.align.segment",
    "split_sentences": "lipyantar.align.segment",
    "TWIN_THRESHOLD": "lipyantar.align.sentences",
    "Bead": "lipyantar.align.sentences",
    "align_sentences": "lipyantar.align.sentences",
    "document_score": "lipyantar.align.sentences",
    "iter_align_sentences": "lipyantar.align.sentences",
    "Similarity": "lipyantar.align.similarity",
    "pairs_from_twin": "lipyantar.align.twin",
    "WordLink": "lipyantar.align.words",
    "align_words": "lipyantar.align.words",
    "word_pair_counts": "lipyantar.align.words",
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


__all__ = [
    "TWIN_THRESHOLD",
    "Bead",
    "Sentence",
    "Similarity",
    "WordLink",
    "align_sentences",
    "align_words",
    "document_score",
    "iter_align_sentences",
    "pairs_from_twin",
    "split_lines",
    "split_sentences",
    "word_pair_counts",
]
