"""Build a parallel corpus from a folder: detect, pair twins, align sentences and words, learn, write.

:func:`build_corpus` runs the steps

1. stream the documents: each file is read, decoded, detected and counted on its own
   (:func:`lipyantar.corpora.pipeline.analyse_document`); only its detection, counts and twin profile are kept, and
   the normalized text of a document that can be a twin until its pair is aligned, within :data:`KEEP_TEXT_BYTES`
   (past it, the text is read again then; bad files are skipped with the reason, see :mod:`lipyantar.corpora.loading`);
2. pair Devanagari documents with their romanized twins from the profiles (:mod:`lipyantar.corpora.twins`);
3. for each pair, in pair order: split sentences, align them and align the words of each bead
   (:func:`lipyantar.corpora.pipeline.process_pair`); a pair of more than :data:`CHUNK_CHARS` characters
   is shared among the workers: its sentences are split and aligned in this process (fast) and its beads
   go out in chunks of :data:`CHUNK_BEADS` for their words (:func:`lipyantar.corpora.pipeline.pair_chunks`),
   words aligned only for the beads that will be written; the beads are the same, in the same order;
4. filter the beads as they arrive: one-sided beads (1-0 / 0-1), beads scoring below ``min_score`` and
   repeated (Devanagari, romanized) sentence pairs are not written; every drop is counted in ``stats.json``;
   the kept beads are appended to the ``parallel.*`` files at once;
5. count the romanization of every aligned word (the corpus's own lexicon), compute the statistics from
   running counters, and adapt the romanization model to the lexicon (``lipyantar.translit.learned.adapting.save_adaptation``,
   which writes ``lipyantar.translit.learned.adapting.adapt``'s model as an adaptation file of the default model, made
   straight from the adapted tables; ``save_adapted`` for a full file);

Steps 1, 3 and the heavy parts of 5 run through :mod:`lipyantar.corpora.engines`: in this process (``jobs=1``), in
``jobs`` worker processes, or on a Dask cluster (``engine="dask"``), with a bounded number of items in
flight; results are used in input order, so the output is byte-identical whatever the engine and the number
of workers. Local workers started by ``fork`` get what they read without its being sent: those of step 1
are forked with the language model loaded (:func:`lipyantar.corpora.pipeline.shared_tables`), and new ones,
forked after it with the documents' twin profiles, score the likely pairs of step 2 in parts
(:func:`lipyantar.corpora.twins.shared_scoring`) and run step 3. Small documents and pairs go to the workers in batches (:data:`BATCH_CHARS`); a batch of
documents comes back with its counts added up and its ``detect.jsonl`` records written out
(:func:`lipyantar.corpora.pipeline.analyse_documents`), and the pairs come back with each bead's cleaned word pairs instead of its ``WordLink`` objects (a fifth of the time
to pickle and unpickle). The model step runs the alignment EM of the adaptation in this process by the compiled kernels
(the workers are shut down first); without them it sends the EM to the engine in fixed shards of word
pairs. A full model file (``--standalone-model``, or another base) compiles the adapted joint model on a
worker while this process writes the rest of it; an adaptation file needs no compiled joint model (loading
rebuilds it). The base model loads when the model step starts (not while the workers align). Memory
does not grow with the corpus beyond small per-document metadata (names, languages, n-gram profiles),
counters over the vocabulary and the twins' texts held between their analysis and their alignment (at
most :data:`KEEP_TEXT_BYTES` of input); the report's scatter plot keeps a deterministic every-k-th sample of
the beads (at most :data:`MAX_POINTS`), and deduplication keeps a 128-bit digest per written pair.

and writes into the output directory:

================== ==================================================================================
``parallel.tsv``   ``deva<TAB>roman<TAB>score``, one sentence pair a line (``align``'s TSV)
``parallel.jsonl`` one flat JSON object per sentence pair (see :func:`bead_record`): document ids,
                   sentence indices, texts, score, bead type; loads with pandas ``read_json(lines=True)``
                   or ``datasets.load_dataset("json", ...)``
``parallel.deva``  Moses-style plain text, Devanagari side, line-aligned with ``parallel.roman``
``parallel.roman`` Moses-style plain text, romanized side
``lexicon.tsv``    ``native<TAB>roman<TAB>count`` from the 1-1 word links (Dakshina lexicon format)
``model.lpm``      the default romanization model adapted to ``lexicon.tsv`` (when it could be learned)
``detect.jsonl``   one detection record per document
``twins.json``     the pairs and the unpaired documents with their languages
``skipped.jsonl``  the files that were not read, and why
``stats.json``     :class:`lipyantar.corpora.stats.CorpusStats` plus a ``build`` section (counts, drops, skips);
                   bead types count every aligned bead, the variants are those of ``lexicon.tsv``
``stats.md``       the statistics for people
``report.html``    a self-contained report with SVG plots (:mod:`lipyantar.corpora.report`)
================== ==================================================================================

The output appears whole or not at all (:mod:`lipyantar.corpora.outdir`): everything is written into a temporary
directory next to ``outdir`` which takes its place at the end, in one step; a lock beside ``outdir`` keeps
a second build out of it meanwhile. A non-empty ``outdir`` is replaced only with ``force`` (checked at the
start and again at the swap), and the previous output survives any failure; the inputs are never
written to.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import heapq
import json
import logging
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from lipyantar.translit.errors import InputError

from .defaults import DEFAULT_BEAD_MIN_SCORE
from .detect import DocumentDetection
from .engines import ENGINES, batches, open_engine
from .loading import STDIN, LoadResult, Skipped, display_name, list_files, normalize_text, read_bytes
from .modelstep import BaseModelLoad, learn_model, model_runs_here
from .outdir import staged_output
from .pipeline import (
    BeadsTask,
    DocumentTask,
    PairResult,
    PairTask,
    align_task,
    analyse_documents,
    dedupe_key,
    pair_chunks,
    release_analysis_caches,
    shared_tables,
)
from .stats import CorpusStats, ParallelAccumulator, StatsAccumulator
from .twins import (
    DEFAULT_MIN_SCORE,
    SCORING_PART,
    CandidateIndex,
    TwinCandidate,
    TwinReport,
    pair_twins,
    shared_scoring,
)

__all__ = [
    "DEFAULT_BEAD_MIN_SCORE",
    "MODEL_FILE",
    "OUTPUT_FILES",
    "AlignmentSummary",
    "BuildOptions",
    "BuildResult",
    "DropCounts",
    "LoadSummary",
    "PairRow",
    "Progress",
    "bead_record",
    "build_corpus",
]

logger = logging.getLogger(__name__)

MODEL_FILE = "model.lpm"

#: Every file a build writes (``model.lpm`` only when the model could be learned).
OUTPUT_FILES: tuple[str, ...] = (
    "parallel.tsv",
    "parallel.jsonl",
    "parallel.deva",
    "parallel.roman",
    "lexicon.tsv",
    MODEL_FILE,
    "detect.jsonl",
    "twins.json",
    "skipped.jsonl",
    "stats.json",
    "stats.md",
    "report.html",
)

#: ``progress(stage, done, total)``: called as work advances, the stages in this order: ``detect``
#: (documents read and detected), ``align`` (twin pairs aligned), ``model`` (0 then 1 of 1: the adapted
#: model learned and written) and ``report`` (stats.json, stats.md and report.html written).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """The knobs of a build (all keyword-only)."""

    twin_min_score: float = DEFAULT_MIN_SCORE
    min_score: float = DEFAULT_BEAD_MIN_SCORE
    dedupe: bool = True
    jobs: int = 1
    force: bool = False
    model: bool = True
    base_model: str | None = None
    #: write model.lpm as a full model file instead of an adaptation of the installed default model
    standalone_model: bool = False
    engine: str = "local"
    scheduler: str | None = None
    dask_workers: int = 2
    follow_links: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.twin_min_score <= 1.0:
            raise ValueError(f"twin_min_score must be within (0, 1], not {self.twin_min_score}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be within [0, 1], not {self.min_score}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be >= 1, not {self.jobs}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.dask_workers < 1:
            raise ValueError(f"dask_workers must be >= 1, not {self.dask_workers}")


@dataclass(frozen=True)
class DropCounts:
    """Aligned beads that were not written, by reason."""

    unmatched: int = 0
    low_score: int = 0
    duplicate: int = 0

    def __post_init__(self) -> None:
        if min(self.unmatched, self.low_score, self.duplicate) < 0:
            raise ValueError("drop counts must be >= 0")

    @property
    def total(self) -> int:
        return self.unmatched + self.low_score + self.duplicate

    def to_dict(self) -> dict[str, int]:
        return {"unmatched": self.unmatched, "low_score": self.low_score, "duplicate": self.duplicate}


@dataclass(frozen=True)
class LoadSummary:
    """What the build read: the number of documents, the files skipped (with the reason) and the empty
    directories (the documents themselves are not kept)."""

    documents: int = 0
    skipped: tuple[Skipped, ...] = ()
    empty_directories: tuple[str, ...] = ()

    def skipped_jsonl(self) -> str:
        return "".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in self.skipped)


@dataclass(frozen=True)
class AlignmentSummary:
    """What the report shows of the alignment, in bounded memory: sentence lengths (tokens) of the
    written pairs as counts, bead types, the (Devanagari, romanized) character lengths of the beads
    as scatter points (every ``stride``-th bead once there are more than :data:`MAX_POINTS`), the
    alignment scores of the sentence pairs (beads with both sides) as :data:`SCORE_BINS` bins of
    (written, not written) counts, an evenly spread sample of the written pairs and the
    lowest-scoring sentence pairs."""

    deva_lengths: Mapping[int, int] = field(default_factory=dict)
    roman_lengths: Mapping[int, int] = field(default_factory=dict)
    bead_types: Mapping[str, int] = field(default_factory=dict)
    points: tuple[tuple[int, int, str], ...] = ()
    stride: int = 1
    score_bins: tuple[tuple[int, int], ...] = ()
    samples: tuple[PairRow, ...] = ()
    lowest: tuple[PairRow, ...] = ()
    #: the build's --min-score (sentence pairs scoring below it are not written)
    min_score: float = 0.0


@dataclass(frozen=True)
class PairRow:
    """One aligned sentence pair as the report lists it: its ``id`` in parallel.jsonl (None when not
    written), texts, score, bead type and what became of it (``written``, ``below min score``,
    ``duplicate``)."""

    id: int | None
    deva_text: str
    roman_text: str
    score: float
    kind: str
    status: str


#: Documents and small twin pairs go to the workers in batches of about this many characters (many
#: small items each sent on its own cost more in sending than in work).
BATCH_CHARS = 64_000
#: The analysis of the documents gives their normalized texts back (for the twins among them) up to this
#: many bytes of input in all, so that aligning the twins need not read and normalize them again; the
#: documents past it are read again when aligned.
KEEP_TEXT_BYTES = 32_000_000
#: A twin pair with more characters than this (both sides) is aligned in chunks shared among the
#: workers (:func:`lipyantar.corpora.pipeline.pair_chunks`), :data:`CHUNK_BEADS` beads a chunk.
CHUNK_CHARS = 200_000
CHUNK_BEADS = 1000

#: Scatter points kept for the report (a deterministic every-k-th sample of the beads above this).
MAX_POINTS = 3000
#: Bins of the alignment-score histogram (equal widths over [0, 1]).
SCORE_BINS = 20
#: Sentence pairs in the report's sample table and in its table of the lowest-scoring pairs.
SAMPLE_ROWS = 12
LOWEST_ROWS = 12
_KEPT, _DROPPED = "#4a7fb5", "#e07b39"


def _spread(items: Sequence[Any], n: int) -> list[Any]:
    """``n`` items evenly spaced over ``items``, first and last included (all when there are no more)."""
    if len(items) <= n:
        return list(items)
    if n == 1:
        return [items[0]]
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)]


class _AlignmentCollector:
    def __init__(self, *, min_score: float = 0.0) -> None:
        self.min_score = min_score
        self.deva: Counter[int] = Counter()
        self.roman: Counter[int] = Counter()
        self.types: Counter[str] = Counter()
        self.points: list[tuple[int, int, str]] = []
        self.stride = 1
        self.seen = 0
        self.score_bins = [[0, 0] for _ in range(SCORE_BINS)]
        #: every sample_stride-th written pair (bounded like the points)
        self.samples: list[PairRow] = []
        self.sample_stride = 1
        self.written = 0
        #: the lowest-scoring sentence pairs: a max-heap of (-score, -order, row), LOWEST_ROWS at most
        self.lowest: list[tuple[float, int, PairRow]] = []

    def add(self, bead: Any, *, kept: bool, status: str = "written", written_id: int | None = None) -> None:
        self.types[bead.kind] += 1
        if bead.deva_text and bead.roman_text:
            self.score_bins[min(int(bead.score * SCORE_BINS), SCORE_BINS - 1)][0 if kept else 1] += 1
            row = PairRow(written_id, bead.deva_text, bead.roman_text, bead.score, bead.kind, status)
            entry = (-bead.score, -self.seen, row)
            if len(self.lowest) < LOWEST_ROWS:
                heapq.heappush(self.lowest, entry)
            elif entry[:2] > self.lowest[0][:2]:
                heapq.heapreplace(self.lowest, entry)
            if kept:
                if self.written % self.sample_stride == 0:
                    self.samples.append(row)
                    if len(self.samples) >= 2 * SAMPLE_ROWS:
                        self.samples = self.samples[::2]
                        self.sample_stride *= 2
                self.written += 1
        if kept:
            self.deva[len(bead.deva_text.split())] += 1
            self.roman[len(bead.roman_text.split())] += 1
        if self.seen % self.stride == 0:
            self.points.append((len(bead.deva_text), len(bead.roman_text), _KEPT if kept else _DROPPED))
            if len(self.points) >= 2 * MAX_POINTS:  # halve: keep every (2 * stride)-th bead
                self.points = self.points[::2]
                self.stride *= 2
        self.seen += 1

    def summary(self) -> AlignmentSummary:
        points = self.points
        if len(points) > MAX_POINTS:
            k = -(-len(points) // MAX_POINTS)
            points = points[::k]
        return AlignmentSummary(
            dict(self.deva),
            dict(self.roman),
            dict(sorted(self.types.items(), key=lambda kv: (-kv[1], kv[0]))),
            tuple(points),
            self.stride,
            tuple((a, b) for a, b in self.score_bins),
            tuple(_spread(self.samples, SAMPLE_ROWS)),
            tuple(row for _, _, row in sorted(self.lowest, key=lambda e: (-e[0], -e[1]))),
            self.min_score,
        )


@dataclass(frozen=True)
class BuildResult:
    """What a build read, found and wrote."""

    outdir: str
    load: LoadSummary
    twins: TwinReport
    aligned: int
    beads: int
    dropped: DropCounts
    stats: CorpusStats
    files: tuple[str, ...]
    model: str | None = None
    pair_errors: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """A first line with the counts, then one line per skipped file, failed pair and note."""
        words = self.stats.parallel.variants.words if self.stats.parallel else 0
        d = self.dropped
        lines = [
            f"{self.load.documents} document(s) read, {len(self.load.skipped)} skipped; "
            f"{len(self.twins.pairs)} twin pair(s), {len(self.twins.unpaired)} unpaired; "
            f"{self.aligned} bead(s) aligned, {self.beads} sentence pair(s) written "
            f"({d.unmatched} unmatched, {d.low_score} below min score, {d.duplicate} duplicate dropped); "
            f"{words} lexicon word(s); "
            f"{'model ' + self.model if self.model else 'no model'}; "
            f"wrote {len(self.files)} file(s) to {self.outdir}",
        ]
        lines.extend(f"  skipped {s.source}: {s.reason}" for s in self.load.skipped)
        lines.extend(f"  empty directory: {d}" for d in self.load.empty_directories)
        lines.extend(f"  pair {k}: not aligned: {v}" for k, v in self.pair_errors.items())
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The ``build`` section of ``stats.json``."""
        reasons: dict[str, int] = {}
        for s in self.load.skipped:
            key = s.reason.split(";")[0].split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
        return {
            "documents_read": self.load.documents,
            "files_skipped": len(self.load.skipped),
            "skipped_by_reason": dict(sorted(reasons.items())),
            "skipped": [s.to_dict() for s in self.load.skipped],
            "empty_directories": list(self.load.empty_directories),
            "twin_pairs": len(self.twins.pairs),
            "unpaired": len(self.twins.unpaired),
            "beads_aligned": self.aligned,
            "sentence_pairs_written": self.beads,
            "dropped": self.dropped.to_dict(),
            "pair_errors": dict(self.pair_errors),
            "model": self.model,
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------------------ output


@functools.lru_cache(maxsize=256)
def _doc_id(deva_source: str, roman_source: str) -> str:
    """``doc_id`` of a twin pair's records (worked out once a pair, not once a record)."""
    return f"{Path(deva_source).name}~{Path(roman_source).name}"


def bead_record(index: int, pair: int, deva_source: str, roman_source: str, bead: Any) -> dict[str, object]:
    """The flat JSON object of one written sentence pair (``parallel.jsonl``).

    ``id`` numbers the lines; ``doc_id`` names the twin pair (``deva-file~roman-file``); ``deva`` /
    ``roman`` are the sentence indices within the documents; ``deva_text`` / ``roman_text`` /
    ``score`` / ``type`` describe the bead. Every value is a string, a number or a list of integers, so
    table loaders read the file as-is; ``align``'s JSONL reader reads it as beads (without word links).
    """
    return {
        "id": index,
        "doc_id": _doc_id(deva_source, roman_source),
        "pair": pair,
        "deva_source": deva_source,
        "roman_source": roman_source,
        "deva": list(bead.deva),
        "roman": list(bead.roman),
        "deva_text": bead.deva_text,
        "roman_text": bead.roman_text,
        "score": bead.score,
        "type": bead.kind,
    }


def _check_outdir(target: Path, inputs: Sequence[str | os.PathLike[str]], *, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise InputError("output exists and is not a directory", source=str(target))
    resolved = Path(os.path.realpath(target))
    for item in inputs:
        path = Path(os.path.realpath(item))
        if path == resolved or resolved in path.parents:
            raise InputError("the output directory contains an input; choose another", source=str(target))
        if path.is_dir() and path in resolved.parents:
            logger.warning(
                "%s is inside the input directory %s: a later build of that directory would read it",
                target,
                item,
            )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError("output directory is not empty; use --force to replace it", source=str(target))


def _create(directory: Path, name: str) -> TextIO:
    """A new file in the private staging directory (``x``: O_CREAT | O_EXCL, never through a link)."""
    return open(directory / name, "x", encoding="utf-8", newline="\n")


def _write_text(directory: Path, name: str, text: str) -> None:
    with _create(directory, name) as fh:
        fh.write(text)


def _document_size(task: DocumentTask, sizes: dict[str, int] | None = None) -> int:
    if task.path is not None:
        return (sizes or {}).pop(task.path, None) or _file_size(task.path)
    return len(task.data) if task.data is not None else len(task.text or "")


def _file_size(path: str | os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _task_size(task: PairTask | BeadsTask) -> int:
    if isinstance(task, PairTask):
        return len(task.deva_text) + len(task.roman_text)
    return sum(len(b.deva_text) + len(b.roman_text) for b in task.beads)


#: the cyclic garbage collector's generation-0 threshold while a corpus is built (Python's default: 700). A build
#: makes millions of short-lived objects while holding hundreds of thousands alive (the model's tables, the twin's
#: profiles and links), and every third-generation pass walks them all: on the 20,000-sentence twin of issue 30,
#: 14 such passes cost 0.8 s of 10 s CPU (``--jobs 1``); at this threshold none is made and the output is the same
#: (the collector only frees reference cycles, which the pipeline hardly makes)
BUILD_GC_THRESHOLD = 20_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The collector's generation-0 threshold raised to :data:`BUILD_GC_THRESHOLD` (unless the collector is
    switched off by a threshold of 0), and set back after. Worker processes forked meanwhile inherit it.
    (The threshold is global: another thread that sets it meanwhile finds it set back after.)"""
    old = gc.get_threshold()
    if old[0]:
        gc.set_threshold(max(old[0], BUILD_GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@_fewer_collections()  # a context manager made by contextmanager is a decorator too
def build_corpus(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    options: BuildOptions | None = None,
    load: LoadResult | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Run the whole pipeline on ``inputs`` (files or directories) and write into ``outdir``.

    The documents are streamed: each is read, detected and counted (:func:`lipyantar.corpora.pipeline.analyse_document`)
    and only its detection, counts and twin profile are kept; the twin pairs are then aligned
    (:func:`lipyantar.corpora.pipeline.process_pair`) and written as the results arrive, in pair order, on the
    engine of ``options`` (``jobs`` local processes, or Dask). ``load`` (documents already in memory)
    replaces reading ``inputs``.

    Raises :class:`InputError` when no document could be read or ``outdir`` cannot be used (not empty
    without ``force``, or containing an input), :class:`lipyantar.corpora.engines.EngineError` when the engine
    cannot run. A pair that cannot be aligned is reported in :attr:`BuildResult.pair_errors` and the
    rest of the corpus is still built; a model that cannot be learned is reported in
    :attr:`BuildResult.notes`.
    """
    from lipyantar.align.io import write_moses, write_tsv

    from . import report as report_module

    opts = options or BuildOptions()
    target = Path(outdir)
    # --base-model is an input too: replacing the output directory that holds it would destroy it
    read = [*inputs, *([opts.base_model] if opts.model and opts.base_model else [])]
    _check_outdir(target, read, force=opts.force)  # fail early; checked again under the lock

    def check_outdir(locked: Path) -> None:
        _check_outdir(locked, read, force=opts.force)

    base_model = None
    if opts.model and opts.base_model:  # a bad --base-model fails here, before any work
        from lipyantar.translit.learned.model import LearnedModel

        base_model = LearnedModel.load(opts.base_model).check()  # every table read and checked now

    texts: dict[str, str] = {}
    kept: dict[str, str] = {}  # normalized texts of twin candidates, from their analysis (see KEEP_TEXT_BYTES)
    skipped: list[tuple[int, Skipped]] = []
    if load is not None:
        texts = {d.source: d.text for d in load.documents}
        tasks_in: list[DocumentTask | Skipped] = [
            DocumentTask(d.source, text=d.text, encoding=d.encoding) for d in load.documents
        ]
        skipped = [(-1, s) for s in load.skipped]
        empty = list(load.empty_directories)
        files: list[Path] = []
    else:
        files, empty, missing = list_files(inputs, follow_links=opts.follow_links)
        skipped = [(-1, s) for s in missing]
        tasks_in = []

    # local worker processes read the files themselves (this process would read them one by one, and
    # send their bytes); a Dask worker may not see this machine's files
    by_path = opts.engine == "local" and opts.jobs > 1
    sizes: dict[str, int] = {}  # the sizes of the files read by the workers, for the batches

    def document_tasks() -> Iterator[DocumentTask]:
        if load is not None:
            yield from (t for t in tasks_in if isinstance(t, DocumentTask))
            return
        asked = 0  # bytes of the documents whose text is asked back (KEEP_TEXT_BYTES at most)
        for number, path in enumerate(files):
            if by_path and str(path) != STDIN:
                # the worker reads the file (and reports it as skipped, with the same reason, when it
                # cannot): this process only looks at its size
                size = sizes[str(path)] = _file_size(path)  # (weighed once, by the batches)
                keep = asked + size <= KEEP_TEXT_BYTES
                asked += size if keep else 0
                yield DocumentTask(display_name(path), path=str(path), keep_text=keep)
                continue
            try:
                data = read_bytes(path)
            except InputError as exc:
                logger.info("skipping %s", exc)
                skipped.append((number, Skipped(display_name(path), exc.message)))
                continue
            keep = asked + len(data) <= KEEP_TEXT_BYTES
            asked += len(data) if keep else 0
            yield DocumentTask(display_name(path), data=data, keep_text=keep)

    def document_text(source: str) -> str:
        if source in texts:
            return texts[source]
        text = kept.pop(source, None)  # the text the analysis gave back (used once)
        if text is not None:
            return text
        from .loading import decode_bytes

        text, _ = decode_bytes(read_bytes(paths.get(source, source)), source=source)
        return normalize_text(text)

    n_files = len(tasks_in) if load is not None else len(files)
    paths = {display_name(p): p for p in files}  # a source name is the path, shown (see display_name)
    order = {display_name(p): k for k, p in enumerate(files)}
    counts = StatsAccumulator()
    parallel = ParallelAccumulator()
    collector = _AlignmentCollector(min_score=opts.min_score)
    candidates: list[TwinCandidate] = []
    shown: list[tuple[str, str, DocumentDetection]] = []
    errors: dict[str, str] = {}
    n_documents = aligned = written_beads = 0
    unmatched = low = duplicate = 0
    seen: set[bytes] = set()
    written: list[str] = []
    notes: list[str] = []
    model_name: str | None = None
    with staged_output(target, force=opts.force, check=check_outdir) as tmp, contextlib.ExitStack() as engine_scope:
        session = engine_scope.enter_context(
            open_engine(
                engine=opts.engine,  # type: ignore[arg-type]
                jobs=opts.jobs,
                scheduler=opts.scheduler,
                dask_workers=opts.dask_workers,
                preload=shared_tables,
            )
        )
        # 1. every document, one at a time: detection, counts, twin profile (texts only of twins, see KEEP_TEXT_BYTES)
        if progress:
            progress("detect", 0, n_files)
        with _create(tmp, "detect.jsonl") as det_out:
            # in batches (in this process too): a batch's counts come back added up, its records written
            weigh = functools.partial(_document_size, sizes=sizes)
            done = 0
            # the romanized candidates' index for twin scoring in forked workers, made meanwhile (not after)
            index = CandidateIndex() if session.forks else None
            for batch in session.map(analyse_documents, batches(document_tasks(), BATCH_CHARS, weigh)):
                counts.merge(batch.counts)
                det_out.write(batch.detections)
                for doc in batch.results:
                    done += 1
                    if doc.error is not None or doc.detection is None:
                        logger.info("skipping %s: %s", doc.source, doc.error)
                        skipped.append((order.get(doc.source, -1), Skipped(doc.source, doc.error or "?")))
                    else:
                        n_documents += 1
                        if doc.text is not None:
                            kept[doc.source] = doc.text
                        if doc.twin is not None:
                            candidates.append(doc.twin)
                            if index is not None:
                                index.add(doc.twin)
                        if len(shown) < report_module.MAX_DOCUMENT_ROWS:
                            shown.append((doc.source, doc.encoding, doc.detection))
                    if progress:
                        progress("detect", done, n_files)
        if not n_documents:
            why = ""
            if skipped:
                first = min(skipped, key=lambda t: t[0])[1]
                why = f" ({len(skipped)} file(s) skipped, e.g. {first.source}: {first.reason})"
            where = ", ".join(str(p) for p in inputs)
            raise InputError(f"no readable text documents{why}", source=where)
        del batch, doc  # the last results (their texts among others) are not held any longer
        release_analysis_caches()  # this process's analysis memos are not needed for the rest
        if session.forks and len(candidates) > 2 * SCORING_PART:
            # new workers, forked with the documents' profiles, score the likely twin pairs (and then
            # align the pairs): the profiles are not sent, and this process does not score alone
            with shared_scoring(candidates, index=index) as shared:
                session.restart()
            twins = pair_twins(candidates, min_score=opts.twin_min_score, map_fn=session.map, shared=shared)
        else:
            twins = pair_twins(candidates, min_score=opts.twin_min_score)
        del candidates, index
        paired = {side for pair in twins.pairs for side in (pair.devanagari, pair.romanized)}
        kept = {source: text for source, text in kept.items() if source in paired}

        # 2. every twin pair, in pair order: align, filter, append to the output files
        # the beads of the chunks in flight, in order, with their dedupe keys (None for a whole pair): their
        # results come back without them (echo=False: a fifth of the sending back)
        sent: deque[tuple[tuple[Any, ...], list[bytes | None] | None] | None] = deque()
        keys: list[bytes | None] = []

        def pair_tasks() -> Iterator[PairTask | BeadsTask]:
            for number, pair in enumerate(twins.pairs):
                task = PairTask(
                    number,
                    pair.devanagari,
                    pair.romanized,
                    document_text(pair.devanagari),
                    document_text(pair.romanized),
                    links=False,
                )
                if len(task.deva_text) + len(task.roman_text) > CHUNK_CHARS:
                    # a large twin: its sentences aligned here, its words by the workers, chunk by chunk
                    for chunk in pair_chunks(
                        task, size=CHUNK_BEADS, min_score=opts.min_score, dedupe=opts.dedupe, echo=False, keys=keys
                    ):
                        sent.append((chunk.beads, keys[: len(chunk.beads)] if opts.dedupe else None))
                        del keys[: len(chunk.beads)]  # (pair_chunks' dedupe keys: not made again)
                        yield chunk
                else:
                    sent.append(None)
                    yield task

        with (
            _create(tmp, "parallel.tsv") as tsv_out,
            _create(tmp, "parallel.jsonl") as jsonl_out,
            _create(tmp, "parallel.deva") as deva_out,
            _create(tmp, "parallel.roman") as roman_out,
        ):
            total = len(twins.pairs)
            done = 0
            if progress:
                progress("align", 0, total)
            result: PairResult
            for result in session.map(align_task, pair_tasks(), batch=BATCH_CHARS, weigh=_task_size):
                if result.error is not None:
                    errors[f"{result.deva_source} <-> {result.roman_source}"] = result.error
                    logger.info(  # in the result's pair_errors, which the command line prints once
                        "cannot align %s with %s: %s",
                        result.deva_source,
                        result.roman_source,
                        result.error,
                    )
                word_pairs = result.word_pairs
                own = sent.popleft()
                beads, own_keys = own if own is not None and result.error is None else (result.beads, None)
                for k, bead in enumerate(beads):
                    aligned += 1
                    parallel.add(bead, words=False)
                    keep = True
                    status = "written"
                    if not bead.deva_text or not bead.roman_text:
                        unmatched += 1
                        keep, status = False, "unmatched"
                    elif bead.score < opts.min_score:
                        low += 1
                        keep, status = False, "below min score"
                    elif opts.dedupe:
                        key = (own_keys and own_keys[k]) or dedupe_key(bead.deva_text, bead.roman_text)
                        if key in seen:
                            duplicate += 1
                            keep, status = False, "duplicate"
                        else:
                            seen.add(key)
                    collector.add(bead, kept=keep, status=status, written_id=written_beads if keep else None)
                    if not keep:
                        continue
                    if word_pairs is not None:
                        parallel.add_clean_pairs(word_pairs[k])
                    elif bead.words:
                        parallel.add_word_pairs((w.deva, w.roman) for w in bead.words if w.kind == "1-1")
                    write_tsv([bead], tsv_out)
                    write_moses([bead], deva_out, roman_out)
                    record = bead_record(
                        written_beads, result.number, result.deva_source, result.roman_source, bead
                    )
                    jsonl_out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written_beads += 1
                if not result.partial:
                    done += 1
                    if progress:
                        progress("align", done, total)
        del seen
        written += ["parallel.tsv", "parallel.jsonl", "parallel.deva", "parallel.roman"]

        dropped = DropCounts(unmatched, low, duplicate)
        par = parallel.result()
        lexicon = par.variants
        stats = counts.result(parallel=par if twins.pairs else None)
        loaded = LoadSummary(
            n_documents, tuple(s for _, s in sorted(skipped, key=lambda t: t[0])), tuple(empty)
        )
        _write_text(tmp, "lexicon.tsv", lexicon.to_tsv())
        _write_text(tmp, "twins.json", twins.to_json())
        _write_text(tmp, "skipped.jsonl", loaded.skipped_jsonl())
        written += ["lexicon.tsv", "detect.jsonl", "twins.json", "skipped.jsonl"]
        if opts.model:
            if progress:
                progress("model", 0, 1)
            pairs = [(e.native, r, float(n)) for e in lexicon.entries for r, n in e.variants]
            # the model to adapt loads now, not while the pairs are aligned: the workers are busy then, and
            # its ~60 MB would add to theirs (loading is lazy and takes tenths of a second)
            base = BaseModelLoad(opts.base_model, model=base_model) if twins.pairs else None
            del base_model
            map_fn: Callable[..., Any] | None = session.map
            if model_runs_here():
                # the model's EM runs in this process (compiled): the workers, and the memory they
                # hold, are not needed any more
                engine_scope.close()
                map_fn = None
            ok, note = learn_model(
                pairs,
                base_model=opts.base_model,
                dest=tmp / MODEL_FILE,
                base=base,
                map_fn=map_fn,
                standalone=opts.standalone_model,
            )
            if ok:
                model_name = MODEL_FILE
                written.append(MODEL_FILE)
            if note:
                notes.append(note)
            if progress:
                progress("model", 1, 1)
        else:
            notes.append("no model written: disabled (--no-model)")
        engine_scope.close()
        if progress:
            progress("report", 0, 3)
        written += ["stats.json", "stats.md", "report.html"]
        build = BuildResult(
            str(target),
            loaded,
            twins,
            aligned,
            written_beads,
            dropped,
            stats,
            tuple(written),
            model_name,
            errors,
            tuple(notes),
        )
        data = stats.to_dict()
        data["build"] = build.to_dict()
        _write_text(tmp, "stats.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        _write_text(tmp, "stats.md", stats.to_markdown())
        if progress:
            progress("report", 2, 3)
        html = report_module.render_report(
            load=loaded,
            documents=shown,
            twins=twins,
            stats=stats,
            alignment=collector.summary(),
            lexicon=lexicon,
            build=build,
        )
        _write_text(tmp, "report.html", html)
        if progress:
            progress("report", 3, 3)
    logger.info("built %s: %d sentence pairs", target, written_beads)
    return build
