"""Build a parallel corpus from a folder: detect, pair twins, align sentences and words, learn, write.

:func:`build_corpus` runs the steps

1. load every file (bad files are skipped with the reason, see :mod:`corpora.loading`);
2. detect scripts and languages (:mod:`corpora.detect`);
3. pair Devanagari documents with their romanized twins (:mod:`corpora.twins`);
4. for each pair: split sentences, align them and align the words of each bead (``align``) — in
   ``jobs`` worker processes, results collected in pair order so the output does not depend on ``jobs``;
5. filter the beads: one-sided beads (1-0 / 0-1), beads scoring below ``min_score`` and repeated
   (Devanagari, romanized) sentence pairs are not written; every drop is counted in ``stats.json``;
6. count the romanization of every aligned word (the corpus's own lexicon), compute the statistics, and
   adapt the romanization model to the lexicon (``translit.learn.adapt``);

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
``stats.json``     :class:`corpora.stats.CorpusStats` plus a ``build`` section (counts, drops, skips);
                   bead types count every aligned bead, the variants are those of ``lexicon.tsv``
``stats.md``       the statistics for people
``report.html``    a self-contained report with SVG plots (:mod:`corpora.report`)
================== ==================================================================================

The output appears whole or not at all: everything is written into a temporary directory next to
``outdir`` which is renamed to ``outdir`` at the end. A non-empty ``outdir`` is replaced only with
``force``; the inputs are never written to.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from translit.errors import InputError, LipyantarError

from .detect import DocumentDetection, detect_document
from .loading import Document, LoadResult, load_corpus
from .stats import (
    CorpusStats,
    DocumentCounts,
    VariantTable,
    document_counts,
    stats_from_counts,
    variant_pairs,
)
from .twins import DEFAULT_MIN_SCORE, TwinReport, find_twins

__all__ = [
    "DEFAULT_BEAD_MIN_SCORE",
    "MODEL_FILE",
    "OUTPUT_FILES",
    "BuildOptions",
    "BuildResult",
    "DropCounts",
    "Progress",
    "bead_record",
    "build_corpus",
]

logger = logging.getLogger(__name__)

MODEL_FILE = "model.lpm"
DEFAULT_BEAD_MIN_SCORE = 0.3

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

#: ``progress(stage, done, total)``: called as work advances (stages: detect, align, write, model).
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

    def __post_init__(self) -> None:
        if not 0.0 < self.twin_min_score <= 1.0:
            raise ValueError(f"twin_min_score must be within (0, 1], not {self.twin_min_score}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must be within [0, 1], not {self.min_score}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be >= 1, not {self.jobs}")


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
class BuildResult:
    """What a build read, found and wrote."""

    outdir: str
    load: LoadResult
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
            f"{len(self.load.documents)} document(s) read, {len(self.load.skipped)} skipped; "
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
            "documents_read": len(self.load.documents),
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


# ------------------------------------------------------------------------------------------ align

_worker_similarity: Any = None


def _similarity() -> Any:
    global _worker_similarity
    if _worker_similarity is None:
        from align.similarity import Similarity

        _worker_similarity = Similarity()
    return _worker_similarity


def _align_texts(texts: tuple[str, str]) -> list[Any] | str:
    """Align one twin pair (runs in a worker process): its beads with word links, or an error message."""
    from align.segment import split_sentences
    from align.sentences import Bead, iter_align_sentences
    from align.words import align_words

    deva_text, roman_text = texts
    similarity = _similarity()
    try:
        deva_sentences = split_sentences(deva_text, script="deva")
        roman_sentences = split_sentences(roman_text, script="roman")
        beads = []
        for bead in iter_align_sentences(deva_sentences, roman_sentences, similarity=similarity):
            words = None
            if bead.deva_text and bead.roman_text:
                words = tuple(align_words(bead.deva_text, bead.roman_text, similarity=similarity))
            beads.append(Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, words))
        return beads
    except LipyantarError as exc:
        return str(exc)


def _analyse(doc: Document) -> tuple[DocumentDetection, DocumentCounts]:
    """Detect one document and count it for the statistics (runs in a worker process)."""
    detection = detect_document(doc, paragraphs=False, lines=False)
    return detection, document_counts(doc, language=detection.language)


def _map(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    pool: ProcessPoolExecutor | None,
    stage: str,
    progress: Progress | None,
) -> Iterator[Any]:
    """``func`` over ``items`` in item order, in ``pool`` when there is one and more than one item."""
    total = len(items)
    if pool is None or total < 2:
        results: Iterator[Any] = map(func, items)
    else:
        results = pool.map(func, items, chunksize=max(1, min(8, total // 32)))
    for done, result in enumerate(results, start=1):
        yield result
        if progress:
            progress(stage, done, total)


@contextlib.contextmanager
def _worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    if jobs == 1:
        yield None
        return
    # fork shares the loaded code (and langid model) copy-on-write; spawn where there is no fork
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield pool


# ------------------------------------------------------------------------------------------ output


def bead_record(index: int, pair: int, deva_source: str, roman_source: str, bead: Any) -> dict[str, object]:
    """The flat JSON object of one written sentence pair (``parallel.jsonl``).

    ``id`` numbers the lines; ``doc_id`` names the twin pair (``deva-file~roman-file``); ``deva`` /
    ``roman`` are the sentence indices within the documents; ``deva_text`` / ``roman_text`` /
    ``score`` / ``type`` describe the bead. Every value is a string, a number or a list of integers, so
    table loaders read the file as-is; ``align``'s JSONL reader reads it as beads (without word links).
    """
    return {
        "id": index,
        "doc_id": f"{Path(deva_source).name}~{Path(roman_source).name}",
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
    resolved = target.resolve()
    for item in inputs:
        path = Path(item).resolve()
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


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A temporary directory next to ``target``; renamed to ``target`` when the block succeeds, removed
    when it fails (so a failed build never leaves a partial ``target``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a finished output gets the usual mode
        old: Path | None = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "previous")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_text(directory: Path, name: str, text: str) -> None:
    with open(directory / name, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _learn_model(
    pairs: list[tuple[str, str, float]], *, base_model: str | None, dest: Path
) -> tuple[bool, str | None]:
    """Adapt the base model to ``pairs`` and save it at ``dest``: ``(written, note)``."""
    if not pairs:
        return False, "no model written: no aligned word pairs to learn from"
    try:
        from translit.learn import adapt
        from translit.model import LearnedModel, default_model
    except ImportError as exc:  # the learning API is not available in this installation
        return False, f"no model written: translit's learning API is not available ({exc})"
    try:
        base = LearnedModel.load(base_model) if base_model else default_model()
        adapted = adapt(base, pairs)
        adapted.save(dest)
    except (LipyantarError, AttributeError, TypeError, ValueError, OSError) as exc:
        logger.warning("no model written: %s", exc, exc_info=logger.isEnabledFor(logging.DEBUG))
        return False, f"no model written: {exc}"
    return True, None


def build_corpus(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    options: BuildOptions | None = None,
    load: LoadResult | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Run the whole pipeline on ``inputs`` (files or directories) and write into ``outdir``.

    Raises :class:`InputError` when no document could be read or ``outdir`` cannot be used (not empty
    without ``force``, or containing an input). A pair that cannot be aligned is reported in
    :attr:`BuildResult.pair_errors` and the rest of the corpus is still built; a model that cannot be
    learned is reported in :attr:`BuildResult.notes`.
    """
    from align.io import write_moses, write_tsv

    from .report import render_report

    opts = options or BuildOptions()
    target = Path(outdir)
    _check_outdir(target, inputs, force=opts.force)
    result = load if load is not None else load_corpus(inputs)
    if not result.documents:
        raise InputError("no readable text documents", source=", ".join(str(p) for p in inputs))

    detections: dict[str, DocumentDetection] = {}
    counts: list[DocumentCounts] = []
    records: list[tuple[int, str, str, Any]] = []
    errors: dict[str, str] = {}
    with _worker_pool(opts.jobs) as pool:
        for doc, (detection, doc_counts) in zip(
            result.documents,
            _map(_analyse, result.documents, pool=pool, stage="detect", progress=progress),
            strict=True,
        ):
            detections[doc.source] = detection
            counts.append(doc_counts)
        twins = find_twins(result.documents, detections=detections, min_score=opts.twin_min_score)
        by_source = {d.source: d for d in result.documents}
        tasks = [(by_source[p.devanagari].text, by_source[p.romanized].text) for p in twins.pairs]
        aligned_pairs = _map(_align_texts, tasks, pool=pool, stage="align", progress=progress)
        for number, (pair, aligned) in enumerate(zip(twins.pairs, aligned_pairs, strict=True)):
            if isinstance(aligned, str):
                errors[f"{pair.devanagari} <-> {pair.romanized}"] = aligned
                logger.warning("cannot align %s with %s: %s", pair.devanagari, pair.romanized, aligned)
                continue
            records.extend((number, pair.devanagari, pair.romanized, b) for b in aligned)
    all_beads = [b for *_, b in records]

    kept: list[tuple[int, str, str, Any]] = []
    seen: set[tuple[str, str]] = set()
    unmatched = low = duplicate = 0
    for record in records:
        bead = record[3]
        if not bead.deva_text or not bead.roman_text:
            unmatched += 1
            continue
        if bead.score < opts.min_score:
            low += 1
            continue
        if opts.dedupe:
            key = (" ".join(bead.deva_text.split()), " ".join(bead.roman_text.split()))
            if key in seen:
                duplicate += 1
                continue
            seen.add(key)
        kept.append(record)
    dropped = DropCounts(unmatched, low, duplicate)
    beads = [b for *_, b in kept]

    links = [(w.deva, w.roman) for b in beads if b.words for w in b.words if w.kind == "1-1"]
    lexicon = VariantTable.from_pairs(variant_pairs(links))
    stats = stats_from_counts(counts, beads=all_beads if twins.pairs else None)
    if stats.parallel is not None:  # bead types over every aligned bead; variants = lexicon.tsv
        stats = replace(stats, parallel=replace(stats.parallel, variants=lexicon))

    written: list[str] = []
    notes: list[str] = []
    model_name: str | None = None
    with _staging(target) as tmp:
        if progress:
            progress("write", 0, 2)
        with open(tmp / "parallel.tsv", "w", encoding="utf-8", newline="\n") as fh:
            write_tsv(beads, fh)
        with open(tmp / "parallel.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for index, (number, deva_source, roman_source, bead) in enumerate(kept):
                record = bead_record(index, number, deva_source, roman_source, bead)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        with (
            open(tmp / "parallel.deva", "w", encoding="utf-8", newline="\n") as deva_out,
            open(tmp / "parallel.roman", "w", encoding="utf-8", newline="\n") as roman_out,
        ):
            write_moses(beads, deva_out, roman_out)
        written += ["parallel.tsv", "parallel.jsonl", "parallel.deva", "parallel.roman"]
        _write_text(tmp, "lexicon.tsv", lexicon.to_tsv())
        _write_text(
            tmp, "detect.jsonl", "".join(detections[d.source].to_json() + "\n" for d in result.documents)
        )
        _write_text(tmp, "twins.json", twins.to_json())
        _write_text(tmp, "skipped.jsonl", result.skipped_jsonl())
        written += ["lexicon.tsv", "detect.jsonl", "twins.json", "skipped.jsonl"]
        if progress:
            progress("write", 1, 2)
        if opts.model:
            if progress:
                progress("model", 0, 1)
            pairs = [(e.native, r, float(n)) for e in lexicon.entries for r, n in e.variants]
            ok, note = _learn_model(pairs, base_model=opts.base_model, dest=tmp / MODEL_FILE)
            if ok:
                model_name = MODEL_FILE
                written.append(MODEL_FILE)
            if note:
                notes.append(note)
            if progress:
                progress("model", 1, 1)
        else:
            notes.append("no model written: disabled (--no-model)")
        written += ["stats.json", "stats.md", "report.html"]
        build = BuildResult(
            str(target),
            result,
            twins,
            len(all_beads),
            len(beads),
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
        report = render_report(
            load=result,
            detections=detections,
            twins=twins,
            stats=stats,
            kept=beads,
            all_beads=all_beads,
            lexicon=lexicon,
            build=build,
        )
        _write_text(tmp, "report.html", report)
        if progress:
            progress("write", 2, 2)
    logger.info("built %s: %d sentence pairs", target, len(beads))
    return build
