"""The English path of single words, decided ahead of time for the shipped model.

Roman → Devanagari gives a single word that the per-token decision
(:class:`~lipyantar.translit.learned.codemix.CodeMix`, the word alone) reads as English the spellings of
its sound (``english.w_path``: ``bike`` बाइक, not बिके). Asking that decision opens the word-language
tables and works out the decision's features, which converting one word need not pay: for the shipped model, the
words of its English pronunciation lexicon (the only words the path is asked for) that the decision
reads as *not* English are packaged (``data/english-path-alone.json.gz``, written by
``scripts/english_path_alone.py``; about a tenth of the lexicon's 117k words), under a key of
what the decision depends on: the model file (SHA-256), the decoding parameters but ``english.w_path``
(the decision reads the model without the path), the code-mixing weights and the word-language tables
(their SHA-256). Any other model, parameters, weights or tables ask the decision itself.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_gzip

if TYPE_CHECKING:
    from lipyantar.translit.learned.params import DecodeParams

__all__ = ["ALONE_PATH", "alone_key", "alone_threshold", "packaged_not_english", "write_alone"]

logger = logging.getLogger(__name__)

#: the packaged decisions of the shipped model
ALONE_PATH = Path(__file__).resolve().parent / "data" / "english-path-alone.json.gz"
ALONE_FORMAT = "lipyantar-english-path-alone"
ALONE_VERSION = 1


def _params_sha256(params: DecodeParams) -> str:
    flat = params.updated({"english.w_path": 0.0}).to_flat()
    return hashlib.sha256(json.dumps(flat, sort_keys=True, default=str).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _weights_sha256() -> str | None:
    from lipyantar.translit.learned.codemix import WEIGHTS_PATH

    try:
        return hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest()
    except OSError:
        return None


def alone_key(*, model_sha256: str, params: DecodeParams) -> dict[str, Any]:
    """What the decisions depend on (see the module's documentation)."""
    from lipyantar.translit.learned.origin import tables_sha256

    try:
        tables = tables_sha256()
    except OSError:
        tables = None
    return {
        "model_sha256": model_sha256,
        "params_sha256": _params_sha256(params),
        "weights_sha256": _weights_sha256(),
        "tables_sha256": tables,
    }


def alone_threshold(decision: Any, params: DecodeParams) -> float:
    """The probability from which ``decision`` (a ``CodeMix``) reads a word alone as English or a name
    for the English path of single words: ``english.alone_gate``, or (negative) its own threshold."""
    gate = params.english.alone_gate
    return gate if gate >= 0 else float(decision.weights.threshold)


def write_alone(path: Path, model: Any, words: Iterable[str], *, model_sha256: str) -> tuple[int, int]:
    """Ask ``model``'s (a ``LearnedModel``: not imported, which imports this module) per-token decision about each of ``words`` alone and write those it reads as not
    English, under :func:`alone_key` (gzipped JSON, written to a temporary file, then renamed). Returns
    (words asked, words read as not English)."""
    decision = model.token_decision()
    threshold = alone_threshold(decision, model.params)
    asked = sorted(set(words))
    not_english = [w for w in asked if decision.probabilities([w])[0] < threshold]
    doc = {
        "format": ALONE_FORMAT,
        "version": ALONE_VERSION,
        **alone_key(model_sha256=model_sha256, params=model.params),
        "asked": len(asked),
        "not_english": not_english,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8"), mtime=0))
    tmp.replace(path)
    return len(asked), len(not_english)


@lru_cache(maxsize=1)
def _packaged() -> tuple[dict[str, Any], frozenset[str]] | None:
    try:
        doc = read_versioned_gzip(ALONE_PATH, fmt=ALONE_FORMAT, version=ALONE_VERSION)
    except ModelError as exc:
        logger.info("single-word decisions %s not used (%s)", ALONE_PATH, exc)
        return None
    words = doc.pop("not_english", None)
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        logger.info("single-word decisions %s not used (no word list)", ALONE_PATH)
        return None
    return doc, frozenset(words)


def packaged_not_english(*, model_sha256: str, params: DecodeParams) -> frozenset[str] | None:
    """The words of the English pronunciation lexicon that the per-token decision reads as not English
    on their own, when packaged for this model file and these parameters (and the weights and tables
    as they are), else None (ask the decision)."""
    packaged = _packaged()
    if packaged is None:
        return None
    meta, words = packaged
    key = alone_key(model_sha256=model_sha256, params=params)
    if any(meta.get(name) != value for name, value in key.items()):
        return None
    return words
