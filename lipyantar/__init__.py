"""lipyantar (लिप्यंतर): Hindi in two scripts — Devanagari and informal or standard romanization.

The front door of the toolkit: the public API of its three packages in one import, the
``lipyantar`` command line (:mod:`lipyantar.cli`) and ``python -m lipyantar``.

* converting (:mod:`translit`): :func:`transliterate`, :class:`Transliterator`, :func:`normalize`,
  :func:`tokenize`, the scheme registry (:data:`SCHEMES`, :func:`get_scheme`, :func:`scheme_names`);
* the learned informal romanization (:mod:`lipyantar.translit.learned`): :class:`LearnedModel`,
  :func:`default_model`, :func:`load_model`, :func:`train`, :func:`adapt`, :func:`read_pairs`,
  :func:`pairs_from_twin`, :class:`UserLexicon` (the user's own spellings);
* aligning a Devanagari text with its romanized twin (:mod:`align`): :func:`split_sentences`,
  :func:`align_sentences`, :func:`align_words`;
* corpora (:mod:`corpora`): :func:`build_corpus`, :func:`corpus_stats`, :func:`detect_document`,
  :func:`find_twins`, :func:`load_corpus`.

>>> import lipyantar
>>> lipyantar.transliterate("यह संगठन", "deva", "iast")
'yaha saṃgaṭhana'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lipyantar.translit._version import __version__
from lipyantar.translit.lazy import lazy_getattr

if TYPE_CHECKING:  # the names, for type checkers; at run time each is imported on first use (below)
    from lipyantar.align import (
        Bead,
        Sentence,
        WordLink,
        align_sentences,
        align_words,
        pairs_from_twin,
        split_sentences,
    )
    from lipyantar.corpora import (
        BuildOptions,
        BuildResult,
        build_corpus,
        corpus_stats,
        detect_document,
        find_twins,
        load_corpus,
    )
    from lipyantar.translit import (
        SCHEMES,
        Candidate,
        Normalizer,
        Scheme,
        Token,
        Transliterator,
        get_scheme,
        normalize,
        scheme_names,
        tokenize,
        transliterate,
    )
    from lipyantar.translit.errors import LipyantarError
    from lipyantar.translit.learned.adapting import adapt
    from lipyantar.translit.learned.learn import read_pairs, train
    from lipyantar.translit.learned.lexicon import UserLexicon
    from lipyantar.translit.learned.model import (
        DecodeParams,
        LearnedModel,
        default_model,
        load_model,
        roman_skeleton,
    )

#: where each public name lives: ``import lipyantar`` imports none of the layers (a command converting
#: one word does not pay for the aligner and the corpus builder); a name imports its module when first used
_HOMES = {
    **dict.fromkeys(
        ["Bead", "Sentence", "WordLink", "align_sentences", "align_words", "pairs_from_twin", "split_sentences"],
        "lipyantar.align",
    ),
    **dict.fromkeys(
        ["BuildOptions", "BuildResult", "build_corpus", "corpus_stats", "detect_document", "find_twins", "load_corpus"],
        "lipyantar.corpora",
    ),
    **dict.fromkeys(
        [
            "SCHEMES",
            "Candidate",
            "Normalizer",
            "Scheme",
            "Token",
            "Transliterator",
            "get_scheme",
            "normalize",
            "scheme_names",
            "tokenize",
            "transliterate",
        ],
        "lipyantar.translit",
    ),
    "LipyantarError": "lipyantar.translit.errors",
    "adapt": "lipyantar.translit.learned.adapting",
    **dict.fromkeys(["read_pairs", "train"], "lipyantar.translit.learned.learn"),
    "UserLexicon": "lipyantar.translit.learned.lexicon",
    **dict.fromkeys(
        ["DecodeParams", "LearnedModel", "default_model", "load_model", "roman_skeleton"],
        "lipyantar.translit.learned.model",
    ),
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "SCHEMES",
    "Bead",
    "BuildOptions",
    "BuildResult",
    "Candidate",
    "DecodeParams",
    "LearnedModel",
    "LipyantarError",
    "Normalizer",
    "Scheme",
    "Sentence",
    "Token",
    "Transliterator",
    "UserLexicon",
    "WordLink",
    "__version__",
    "adapt",
    "align_sentences",
    "align_words",
    "build_corpus",
    "corpus_stats",
    "default_model",
    "detect_document",
    "find_twins",
    "get_scheme",
    "load_corpus",
    "load_model",
    "normalize",
    "pairs_from_twin",
    "read_pairs",
    "roman_skeleton",
    "scheme_names",
    "split_sentences",
    "tokenize",
    "train",
    "transliterate",
]
