"""Sentence and word alignment of a Devanagari document with its romanized twin."""

from .segment import Sentence, split_lines, split_sentences
from .sentences import TWIN_THRESHOLD, Bead, align_sentences, document_score, iter_align_sentences
from .similarity import Similarity
from .twin import pairs_from_twin
from .words import WordLink, align_words, word_pair_counts

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
