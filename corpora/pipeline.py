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
  :class:`DocumentResult`, which holds no text unless the task asks for it back: see :attr:`DocumentTask.keep_text`);
  :func:`analyse_documents` does it for a batch of documents, their counts added up and their detection
  records written out (:class:`DocumentBatch`);
* :func:`process_pair`: split a twin pair into sentences, align the sentences and the words of every
  bead (:class:`PairTask` -> :class:`PairResult`);
* :func:`pair_chunks` and :func:`align_bead_words`: the same for a very large twin, shared among workers:
  :func:`pair_chunks` (where the texts are) splits it and aligns its sentences, which is fast, and hands
  out its beads in chunks (:class:`BeadsTask`) whose words :func:`align_bead_words` aligns (the slow
  part) on any worker. Every bead boundary is a safe place to cut (word alignment is per bead), so the
  beads, in order, are those of :func:`process_pair` on the whole twin.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lipyantar.translit.errors import InputError, LipyantarError

from .analysis import detect_and_count
from .counting import DocumentCounts
from .detect import DocumentDetection
from .loading import Document, decode_bytes, normalize_text, read_bytes
from .stats import StatsAccumulator, clean_word_pair
from .twins import TwinCandidate

__all__ = [
    "BeadsTask",
    "DocumentBatch",
    "DocumentResult",
    "DocumentTask",
    "PairResult",
    "PairTask",
    "align_bead_words",
    "align_task",
    "analyse_document",
    "analyse_documents",
    "dedupe_key",
    "pair_chunks",
    "process_pair",
    "release_analysis_caches",
    "shared_tables",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentTask:
    """One input file: its name and one of its raw bytes (decoded and normalized by the worker), the
    ``path`` to read them from (read by the worker: ``build`` on local worker processes, so that its main
    process neither reads every file nor sends its bytes) or, for a document already loaded, its
    normalized text and encoding name."""

    source: str
    data: bytes | None = None
    text: str | None = None
    encoding: str = "UTF-8"
    #: return the normalized text with the result when the document can be a twin (``build`` asks for it,
    #: within a memory budget, to align the twins without reading and normalizing them again)
    keep_text: bool = False
    path: str | None = None

    def __post_init__(self) -> None:
        if not self.source or sum(x is not None for x in (self.data, self.text, self.path)) != 1:
            raise ValueError("a document task needs a source and one of data, text or path")


@dataclass(frozen=True)
class DocumentResult:
    """What ``build`` keeps of one document: detection, counts and twin profile, or the
    reason it could not be read (``error``); ``text``: the normalized text, for a task that asked for it
    (:attr:`DocumentTask.keep_text`) and a document that can be a twin."""

    source: str
    encoding: str = "UTF-8"
    detection: DocumentDetection | None = None
    counts: DocumentCounts | None = None
    twin: TwinCandidate | None = None
    error: str | None = None
    text: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent back from worker processes: its fields as a tuple, less to pickle and unpickle than its __dict__
        fields = (self.source, self.encoding, self.detection, self.counts, self.twin, self.error, self.text)
        return DocumentResult, fields


def analyse_document(task: DocumentTask) -> DocumentResult:
    """Decode, normalize, detect and count one document (pure; see the module docstring)."""
    if task.text is not None:
        text, encoding = task.text, task.encoding
    else:
        try:
            data = task.data if task.path is None else read_bytes(task.path)
            text, encoding = decode_bytes(data or b"", source=task.source)
        except InputError as exc:
            return DocumentResult(task.source, error=exc.message)
        text = normalize_text(text)
        if not text.strip():
            return DocumentResult(task.source, error="empty file (only white space)")
    doc = Document(task.source, text, encoding)
    detection, counts = detect_and_count(doc)  # each distinct sentence tagged once for both
    twin = TwinCandidate.of(doc, detection)
    kept = text if task.keep_text and twin.side is not None else None
    return DocumentResult(task.source, encoding, detection, counts, twin, text=kept)


@dataclass(frozen=True)
class DocumentBatch:
    """The analysis of consecutive documents (:func:`analyse_documents`): each one's :class:`DocumentResult`,
    in order, without its counts (``counts`` None), which are added up in ``counts`` (the documents read,
    :class:`lipyantar.corpora.stats.StatsAccumulator`), and ``detections``: the documents' detections as
    ``detect.jsonl`` lines (:meth:`lipyantar.corpora.detect.DocumentDetection.to_json`), in order.

    ``build`` sends documents to its workers in batches: a batch's counts come back added up and its
    detection records written out, so that the process that gathers them neither unpickles nor adds up
    each document's counts one by one, nor writes each record (the sum of the counts does not depend on
    how the documents are grouped)."""

    results: tuple[DocumentResult, ...]
    counts: StatsAccumulator
    detections: str


def analyse_documents(tasks: Sequence[DocumentTask]) -> DocumentBatch:
    """:func:`analyse_document` of each task, as one :class:`DocumentBatch` (pure; see the module docstring)."""
    counts = StatsAccumulator()
    results: list[DocumentResult] = []
    lines: list[str] = []
    for task in tasks:
        result = analyse_document(task)
        if result.counts is not None and result.detection is not None and result.error is None:
            counts.add(result.counts)
            lines.append(result.detection.to_json())
            lines.append("\n")
            result = DocumentResult(
                result.source, result.encoding, result.detection, None, result.twin, None, result.text
            )
        results.append(result)
    return DocumentBatch(tuple(results), counts, "".join(lines))


def release_analysis_caches() -> None:
    """Let go of what :func:`analyse_document` keeps between documents in this process (the language
    model and the per-word-type memos of detection and twin discovery; they are made again on the next
    call), for a process that has analysed its documents and goes on to other work."""
    from .langid import load_model
    from .twins import clear_skeleton_memo

    load_model.cache_clear()
    clear_skeleton_memo()


@contextlib.contextmanager
def shared_tables() -> Iterator[None]:
    """The read-only tables :func:`analyse_document` loads on its first call (the language model and its
    character models), loaded in this process for the duration of the block (an engine's ``preload``:
    worker processes forked within it share them instead of each loading its own copy); this process
    lets go of them afterwards unless it had them before."""
    from .langid import load_model

    had = load_model.cache_info().currsize > 0
    load_model().load_tables()
    try:
        yield
    finally:
        if not had:
            load_model.cache_clear()


@dataclass(frozen=True)
class PairTask:
    """One twin pair to align: its number in the build (``pair`` in ``parallel.jsonl``), the two
    document names and texts. ``links``: each bead of the result carries its word links (``WordLink``);
    without, the result's :attr:`PairResult.word_pairs` holds each bead's cleaned 1-1 word pairs instead
    (all that ``build`` keeps of the links, and a fraction of their size to send back)."""

    number: int
    deva_source: str
    roman_source: str
    deva_text: str
    roman_text: str
    links: bool = True


@dataclass(frozen=True)
class BeadsTask:
    """Consecutive beads of a twin pair (from :func:`pair_chunks`) whose words are to be aligned:
    ``align[k]`` says whether bead ``k`` needs its words (the others come back without); ``last`` is
    false while more beads of the pair follow; ``links`` as in :class:`PairTask`; ``error``: why the
    pair could not be aligned (the task then has no beads). ``echo`` false (only without ``links``): the
    result holds the word pairs of the beads but not the beads, which the sender still has (they are
    the same beads: without links, aligning words leaves them as they are), so that they are not sent
    back."""

    number: int
    deva_source: str
    roman_source: str
    beads: tuple[Any, ...]
    align: tuple[bool, ...]
    last: bool = True
    links: bool = True
    error: str | None = None
    echo: bool = True

    def __post_init__(self) -> None:
        if len(self.align) != len(self.beads):
            raise ValueError("a beads task needs one align flag per bead")
        if not self.echo and self.links:
            raise ValueError("a beads task with word links gives its beads back (echo)")


@dataclass(frozen=True)
class PairResult:
    """The aligned beads of a twin pair (``lipyantar.align.Bead`` with word links), or why it failed (``error``).

    ``word_pairs`` (for a task without ``links``): the cleaned 1-1 word pairs of each bead
    (:func:`lipyantar.corpora.stats.clean_word_pair`), the beads themselves without links. ``partial``:
    more beads of this pair follow in the next result (:func:`pair_chunks`)."""

    number: int
    deva_source: str
    roman_source: str
    beads: tuple[Any, ...] = ()
    error: str | None = None
    word_pairs: tuple[tuple[tuple[str, str], ...], ...] | None = None
    partial: bool = False

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent back from worker processes: its fields as a tuple, less to pickle and unpickle than its __dict__
        fields = (self.number, self.deva_source, self.roman_source, self.beads, self.error, self.word_pairs)
        return PairResult, (*fields, self.partial)


def dedupe_key(deva_text: str, roman_text: str) -> bytes:
    """A 128-bit digest of a sentence pair with white space normalized (``build`` keeps these, not the
    texts, to drop repeated pairs)."""
    key = " ".join(deva_text.split()) + "\x00" + " ".join(roman_text.split())
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


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
    from lipyantar.align.sentences import iter_align_sentences

    similarity = _similarity()
    try:
        with _collector_paused():
            deva_sentences, roman_sentences = _split(task.deva_text, task.roman_text)
            beads = iter_align_sentences(deva_sentences, roman_sentences, similarity=similarity)
            aligned, pairs = _align_words(beads, None, similarity, links=task.links)
    except LipyantarError as exc:
        return PairResult(task.number, task.deva_source, task.roman_source, error=str(exc))
    return PairResult(task.number, task.deva_source, task.roman_source, aligned, word_pairs=pairs)


def align_task(task: PairTask | BeadsTask) -> PairResult:
    """:func:`process_pair` of a :class:`PairTask`, :func:`align_bead_words` of a :class:`BeadsTask`
    (one function for an engine's ``map`` over both)."""
    if isinstance(task, BeadsTask):
        return align_bead_words(task)
    return process_pair(task)


def align_bead_words(task: BeadsTask) -> PairResult:
    """Align the words of the beads of a :class:`BeadsTask` (pure; see the module docstring)."""
    partial = not task.last
    if task.error is not None:
        return PairResult(task.number, task.deva_source, task.roman_source, error=task.error)
    try:
        with _collector_paused():
            aligned, pairs = _align_words(task.beads, task.align, _similarity(), links=task.links)
    except LipyantarError as exc:
        return PairResult(task.number, task.deva_source, task.roman_source, error=str(exc), partial=partial)
    if not task.echo:
        aligned = ()  # the sender has them
    return PairResult(task.number, task.deva_source, task.roman_source, aligned, None, pairs, partial)


def pair_chunks(
    task: PairTask,
    *,
    size: int = 1000,
    min_score: float = 0.0,
    dedupe: bool = False,
    echo: bool = True,
    keys: list[bytes | None] | None = None,
) -> Iterator[BeadsTask]:
    """A twin pair as :class:`BeadsTask` chunks of ``size`` beads: its sentences split and aligned here,
    as the chunks are asked for, the words left to :func:`align_bead_words` (see the module docstring).

    Beads whose words nobody will read are marked not to be aligned: one-sided beads, beads scoring
    below ``min_score``, and, with ``dedupe``, a sentence pair that came earlier in the same twin (a
    duplicate whatever came before the twin). A pair that cannot be split or aligned gives one task
    with its ``error``. ``echo``: see :class:`BeadsTask` (false only for a task without links).
    ``keys`` (with ``dedupe``): each bead's :func:`dedupe_key` (None for a one-sided bead or one below
    ``min_score``) is appended to it, in order, by the time the chunk holding the bead is yielded (for a
    caller that drops duplicates across twins without computing them again).
    """
    from lipyantar.align.sentences import iter_align_sentences

    if size < 1:
        raise ValueError(f"size must be >= 1, not {size}")
    seen: set[bytes] = set()
    chunk: list[Any] = []
    flags: list[bool] = []
    yielded = False

    def emit(last: bool) -> BeadsTask:
        return BeadsTask(
            task.number, task.deva_source, task.roman_source, tuple(chunk), tuple(flags), last, task.links, None, echo
        )

    try:
        deva_sentences, roman_sentences = _split(task.deva_text, task.roman_text)
        for bead in iter_align_sentences(deva_sentences, roman_sentences, similarity=_similarity()):
            wanted = bool(bead.deva_text and bead.roman_text) and bead.score >= min_score
            key = None
            if wanted and dedupe:
                key = dedupe_key(bead.deva_text, bead.roman_text)
                wanted = key not in seen
                seen.add(key)
            if len(chunk) >= size:
                yield emit(last=False)
                yielded = True
                chunk, flags = [], []
            chunk.append(bead)
            flags.append(wanted)
            if keys is not None and dedupe:
                keys.append(key)
    except LipyantarError as exc:
        if keys is not None and dedupe and chunk:  # the beads of the chunk not sent: nor their keys
            del keys[len(keys) - len(chunk) :]
        if yielded:
            logger.info("pair %d: aligned in part: %s", task.number, exc)
        yield BeadsTask(task.number, task.deva_source, task.roman_source, (), (), True, task.links, str(exc))
        return
    yield emit(last=True)


#: word link (Devanagari, roman) -> its cleaned pair (:func:`lipyantar.corpora.stats.clean_word_pair`), so
#: that each pair is cleaned once a process (the same pairs come again and again: के/ke, है/hai), and one
#: object per pair: a pair that comes again in a batch of results is pickled once. Started afresh above
#: :data:`CLEAN_MEMO_LIMIT` pairs
_CLEANED: dict[tuple[str, str], tuple[str, str] | None] = {}
CLEAN_MEMO_LIMIT = 30_000


def _clean_pair(deva: str, roman: str) -> tuple[str, str] | None:
    key = (deva, roman)
    try:
        return _CLEANED[key]
    except KeyError:
        pass
    if len(_CLEANED) >= CLEAN_MEMO_LIMIT:
        _CLEANED.clear()
    cleaned = _CLEANED[key] = clean_word_pair(deva, roman)
    return cleaned


def _split(deva_text: str, roman_text: str) -> tuple[list[Any], list[Any]]:
    from lipyantar.align.segment import split_sentences

    return split_sentences(deva_text, script="deva"), split_sentences(roman_text, script="roman")


def _align_words(
    beads: Iterable[Any], wanted: Sequence[bool] | None, similarity: Any, *, links: bool
) -> tuple[tuple[Any, ...], tuple[tuple[tuple[str, str], ...], ...] | None]:
    """The beads with their words aligned (those ``wanted``, every two-sided bead when None): with
    their links, or (``links`` false) without and with their cleaned 1-1 word pairs beside them."""
    from lipyantar.align.sentences import Bead
    from lipyantar.align.words import align_words

    out: list[Any] = []
    pairs: list[tuple[tuple[str, str], ...]] = []
    # a sentence pair that comes again has the same word links (links are immutable: shared)
    links_of: dict[tuple[str, str], tuple[Any, ...]] = {}
    cleaned_of: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    clean = _clean_pair

    for k, bead in enumerate(beads):
        words = None
        if bead.deva_text and bead.roman_text and (wanted is None or wanted[k]):
            key = (bead.deva_text, bead.roman_text)
            words = links_of.get(key)
            if words is None:
                words = links_of[key] = tuple(align_words(bead.deva_text, bead.roman_text, similarity=similarity))
            if not links:
                cleaned = cleaned_of.get(key)
                if cleaned is None:
                    # the 1-1 links (kind "1-1": align_words gives a link one index per word it holds)
                    cleaned = cleaned_of[key] = tuple(
                        c
                        for c in (
                            clean(w.deva, w.roman)
                            for w in words
                            if len(w.deva_index) == 1 and len(w.roman_index) == 1
                        )
                        if c
                    )
                pairs.append(cleaned)
                words = None
        elif not links:
            pairs.append(())
        if words is None and bead.words is None:
            out.append(bead)
        else:
            out.append(Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, words))
    return tuple(out), (None if links else tuple(pairs))
