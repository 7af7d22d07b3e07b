"""Corpora: script and language detection, twin discovery, corpus statistics.

* :mod:`lipyantar.corpora.loading` reads files (UTF-8, UTF-16/32 with BOM) and reports bad ones per file;
* :mod:`lipyantar.align.script` counts letters per script; :mod:`lipyantar.corpora.langid` tells romanized Hindi from
  English and Persian from Urdu and Arabic; :mod:`lipyantar.corpora.detect` puts both together per document,
  paragraph, line and token;
* :mod:`lipyantar.corpora.twins` pairs Devanagari documents with their romanized twins by content;
* :mod:`lipyantar.corpora.stats` computes corpus statistics (JSON and Markdown), :mod:`lipyantar.corpora.parallel` reads
  aligned corpora for them;
* :mod:`lipyantar.corpora.pipeline` holds the per-document and per-pair steps of a build as pure, picklable
  functions (:func:`process_pair`), which :mod:`lipyantar.corpora.engines` runs locally or on Dask;
* :mod:`lipyantar.corpora.build` runs everything on a folder and writes a parallel corpus (``lipyantar build``),
  with the HTML report of :mod:`lipyantar.corpora.report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lipyantar.translit.lazy import lazy_getattr

if TYPE_CHECKING:
    from lipyantar.align.script import ScriptShares, script_shares

    from .build import BuildOptions, BuildResult, build_corpus
    from .detect import DocumentDetection, TokenTag, UnitDetection, cmi, detect_document, detect_text
    from .engines import EngineError, ordered_map
    from .langid import load_model
    from .loading import Document, LoadResult, Skipped, load_corpus, read_document
    from .pipeline import (
        BeadsTask,
        DocumentResult,
        DocumentTask,
        PairResult,
        PairTask,
        align_bead_words,
        analyse_document,
        pair_chunks,
        process_pair,
    )
    from .stats import CorpusStats, VariantTable, corpus_stats
    from .twins import TwinPair, TwinReport, Unpaired, find_twins


#: public name -> the module it lives in (imported on first use: a command starts light)
_HOMES = {
    "ScriptShares": "lipyantar.align.script",
    "script_shares": "lipyantar.align.script",
    "BuildOptions": "lipyantar.corpora.build",
    "BuildResult": "lipyantar.corpora.build",
    "build_corpus": "lipyantar.corpora.build",
    "DocumentDetection": "lipyantar.corpora.detect",
    "TokenTag": "lipyantar.corpora.detect",
    "UnitDetection": "lipyantar.corpora.detect",
    "cmi": "lipyantar.corpora.detect",
    "detect_document": "lipyantar.corpora.detect",
    "detect_text": "lipyantar.corpora.detect",
    "EngineError": "lipyantar.corpora.engines",
    "ordered_map": "lipyantar.corpora.engines",
    "load_model": "lipyantar.corpora.langid",
    "Document": "lipyantar.corpora.loading",
    "LoadResult": "lipyantar.corpora.loading",
    "Skipped": "lipyantar.corpora.loading",
    "load_corpus": "lipyantar.corpora.loading",
    "read_document": "lipyantar.corpora.loading",
    "BeadsTask": "lipyantar.corpora.pipeline",
    "align_bead_words": "lipyantar.corpora.pipeline",
    "pair_chunks": "lipyantar.corpora.pipeline",
    "DocumentResult": "lipyantar.corpora.pipeline",
    "DocumentTask": "lipyantar.corpora.pipeline",
    "PairResult": "lipyantar.corpora.pipeline",
    "PairTask": "lipyantar.corpora.pipeline",
    "analyse_document": "lipyantar.corpora.pipeline",
    "process_pair": "lipyantar.corpora.pipeline",
    "CorpusStats": "lipyantar.corpora.stats",
    "VariantTable": "lipyantar.corpora.stats",
    "corpus_stats": "lipyantar.corpora.stats",
    "TwinPair": "lipyantar.corpora.twins",
    "TwinReport": "lipyantar.corpora.twins",
    "Unpaired": "lipyantar.corpora.twins",
    "find_twins": "lipyantar.corpora.twins",
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())


__all__ = [
    "BeadsTask",
    "BuildOptions",
    "BuildResult",
    "CorpusStats",
    "Document",
    "DocumentDetection",
    "DocumentResult",
    "DocumentTask",
    "EngineError",
    "LoadResult",
    "PairResult",
    "PairTask",
    "ScriptShares",
    "Skipped",
    "TokenTag",
    "TwinPair",
    "TwinReport",
    "UnitDetection",
    "Unpaired",
    "VariantTable",
    "align_bead_words",
    "analyse_document",
    "build_corpus",
    "cmi",
    "corpus_stats",
    "detect_document",
    "detect_text",
    "find_twins",
    "load_corpus",
    "load_model",
    "ordered_map",
    "pair_chunks",
    "process_pair",
    "read_document",
    "script_shares",
]
