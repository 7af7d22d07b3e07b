"""The learned informal romanization (the ``roman`` scheme): a model of how people type Hindi in Latin
letters, learned from word pairs and native text, used both ways with top-k candidates.

* :mod:`lipyantar.translit.learned.model`: :class:`LearnedModel` (decoding both ways; sentences in context:
  :mod:`lipyantar.translit.learned.decoder`; how it is stored: :mod:`lipyantar.translit.learned.storage`),
  :func:`load_model`, :func:`default_model` (the shipped model, loaded lazily);
* :mod:`lipyantar.translit.learned.lexicon`: a user lexicon (:class:`UserLexicon`): the user's own spellings,
  which outrank the model both ways;
* :mod:`lipyantar.translit.learned.learn`: training from pairs (:func:`train`), reading pair files
  (:func:`read_pairs`) (word pairs from a twin text: :func:`lipyantar.align.pairs_from_twin`);
* :mod:`lipyantar.translit.learned.adapting`: adapting a model to a corpus (:func:`adapt`) and writing the
  adapted model (its alignment EM: :mod:`lipyantar.translit.learned.adapt_em`);
* :mod:`lipyantar.translit.learned.charalign` (EM character alignment), :mod:`lipyantar.translit.learned.jointseq` (the
  graphone model and its beam search), :mod:`lipyantar.translit.learned.langmodel` (Kneser-Ney n-gram models),
  :mod:`lipyantar.translit.learned.english` (English words by their sound), and the compiled kernels
  ``lipyantar.translit.learned._fastlm`` (optional; pure Python gives the same results);
* :mod:`lipyantar.translit.learned.cli`: ``lipyantar evaluate``.

The names below are loaded on first use, so that importing one module of this package (or its
compiled kernels, which :mod:`lipyantar.translit.metrics` also uses) does not import the whole model.

>>> from lipyantar.translit.learned import default_model
>>> default_model().devanagarize("namaste")
'नमस्ते'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adapting import adapt
    from .learn import read_pairs, train
    from .lexicon import UserLexicon
    from .model import DecodeParams, LearnedModel, default_model, load_model, roman_skeleton

__all__ = [
    "DecodeParams",
    "LearnedModel",
    "UserLexicon",
    "adapt",
    "default_model",
    "load_model",
    "read_pairs",
    "roman_skeleton",
    "train",
]

_FROM_MODEL = frozenset({"DecodeParams", "LearnedModel", "default_model", "load_model", "roman_skeleton"})
_FROM_LEARN = frozenset({"read_pairs", "train"})


def __getattr__(name: str) -> Any:
    if name in _FROM_MODEL:
        from . import model

        return getattr(model, name)
    if name == "UserLexicon":
        from .lexicon import UserLexicon

        return UserLexicon
    if name == "adapt":
        from .adapting import adapt

        return adapt
    if name in _FROM_LEARN:
        from . import learn

        return getattr(learn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
