"""The per-document and per-pair steps of ``lipyantar build`` as pure, picklable functions.

``build`` runs them through :mod:`lipyantar.corpora.engines` (in this process, in worker processes or on a Dask
cluster) and folds their results, in input order, into the output files and the statistics. Both
functions are module-level, take one frozen dataclass and return one, do no I/O and keep no state
between calls (beyond caches of loaded models), so they run unchanged under Spark or Ray::

    from lipyantar.corpora.pipeline import PairTask, process_pair

    tasks = [PairTask(0, "a.hi.txt", "a.rom.txt", deva_text, roman_text)]
    results = spark.sparkContext.parallelize(tasks).map(process_pair).collect()      # Spark
    results = ray.get([ray.remote(process_pair).remote(t) for t in tasks])          # Ray
    for result in results:
        for bead in result.beads: print(bead.deva_text, bead.roman_text, bead.score)

* :func:`analyse_document`: decode and normalize one file's bytes, detect its scripts and languages,
  count it for the statistics and compute the profile twin discovery needs (:class:`DocumentTask` ->
  :class:`DocumentResult`, which holds no text);
* :func:`process_pair`: split a twin pair into sentences, align the sentences and the words of every
  bead (:class:`PairTask` -> :class:`PairResult`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lipyantar.translit.errors import InputError, LipyantarError

from .detect import DocumentDetection, detect_document
from .loading import Document, decode_bytes, normalize_text
from .stats import DocumentCounts, document_counts
from .twins import TwinCandidate

__all__ = [
    "DocumentResult",
    "DocumentTask",
    "PairResult",
    "PairTask",
    "analyse_document",
    "process_pair",
    "release_analysis_caches",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentTask:
    """One input file: its name and either its raw bytes (decoded and normalized by the worker) or, for
    a document already loaded, its normalized text and encoding name."""

    source: str
    data: bytes | None = None
    text: str | None = None
    encoding: str = "UTF-8"

    def __post_init__(self) -> None:
        if not self.source or (self.data is None) == (self.text is None):
            raise ValueError("a document task needs a source and either data or text")


@dataclass(frozen=True)
class DocumentResult:
    """What ``build`` keeps of one document (no text): detection, counts and twin profile, or the
    reason it could not be read (``error``)."""

    source: str
    encoding: str = "UTF-8"
    detection: DocumentDetection | None = None
    counts: DocumentCounts | None = None
    twin: TwinCandidate | None = None
    error: str | None = None


def analyse_document(task: DocumentTask) -> DocumentResult:
    """Decode, normalize, detect and count one document (pure; see the module docstring)."""
    if task.text is not None:
        text, encoding = task.text, task.encoding
    else:
        try:
            text, encoding = decode_bytes(task.data or b"", source=task.source)
        except InputError as exc:
            return DocumentResult(task.source, error=exc.message)
        text = normalize_text(text)
        if not text.strip():
            return DocumentResult(task.source, error="empty file (only white space)")
    doc = Document(task.source, text, encoding)
    detection = detect_document(doc, paragraphs=False, lines=False)
    counts = document_counts(doc, language=detection.language)
    return DocumentResult(task.source, encoding, detection, counts, TwinCandidate.of(doc, detection))


def release_analysis_caches() -> None:
    """Let go of what :func:`analyse_document` keeps between documents in this process (the language
    model and the per-word-type memos of detection and twin discovery; they are made again on the next
    call), for a process that has analysed its documents and goes on to other work."""
    from .langid import load_model
    from .twins import clear_skeleton_memo

    load_model.cache_clear()
    clear_skeleton_memo()


@dataclass(frozen=True)
class PairTask:
    """One twin pair to align: its number in the build (``pair`` in ``parallel.jsonl``), the two
    document names and texts."""

    number: int
    deva_source: str
    roman_source: str
    deva_text: str
    roman_text: str


@dataclass(frozen=True)
class PairResult:
    """The aligned beads of a twin pair (``lipyantar.align.Bead`` with word links), or why it failed (``error``)."""

    number: int
    deva_source: str
    roman_source: str
    beads: tuple[Any, ...] = ()
    error: str | None = None


_similarity_cache: Any = None

#: The word-similarity memo of a worker is started afresh above this many entries, so a worker's memory
#: stays flat however many pairs it aligns (the memo only saves time: results do not depend on it).
SIMILARITY_MEMO_LIMIT = 60_000


def _memo_size(similarity: Any) -> int:
    return sum(len(getattr(similarity, name, ())) for name in ("_pair_cache", "_word_cache"))


def _similarity() -> Any:
    global _similarity_cache
    if _similarity_cache is None or _memo_size(_similarity_cache) > SIMILARITY_MEMO_LIMIT:
        from lipyantar.align.similarity import Similarity

        _similarity_cache = Similarity()
    return _similarity_cache


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused, if it is running, and started again after.

    Aligning a large twin makes hundreds of thousands of word links that all stay alive until the pair
    is done, and every full pass of the collector walks all of them again (on a 20,000-sentence twin:
    0.5 s of 3 s; one pass after the pair takes 0.2 s). The alignment makes no reference cycles, so
    pausing frees nothing late. (The collector's switch is global: another thread that switches it
    meanwhile may find it on again.)
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def process_pair(task: PairTask) -> PairResult:
    """Split, align sentences and align words of one twin pair (pure; see the module docstring)."""
    from lipyantar.align.segment import split_sentences
    from lipyantar.align.sentences import Bead, iter_align_sentences
    from lipyantar.align.words import align_words

    similarity = _similarity()
    try:
        with _collector_paused():
            deva_sentences = split_sentences(task.deva_text, script="deva")
            roman_sentences = split_sentences(task.roman_text, script="roman")
            beads = []
            # a sentence pair that comes again has the same word links (links are immutable: shared)
            links_of: dict[tuple[str, str], tuple[Any, ...]] = {}
            for bead in iter_align_sentences(deva_sentences, roman_sentences, similarity=similarity):
                words = None
                if bead.deva_text and bead.roman_text:
                    key = (bead.deva_text, bead.roman_text)
                    words = links_of.get(key)
                    if words is None:
                        words = links_of[key] = tuple(
                            align_words(bead.deva_text, bead.roman_text, similarity=similarity)
                        )
                beads.append(Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, words))
    except LipyantarError as exc:
        return PairResult(task.number, task.deva_source, task.roman_source, error=str(exc))
    return PairResult(task.number, task.deva_source, task.roman_source, tuple(beads))
