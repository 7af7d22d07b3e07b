"""Command-line commands of the corpora package: ``detect``, ``twins``, ``stats``, ``build``.

::

    lipyantar detect PATH... [--level document|paragraph|line] [--tokens] [--format table|jsonl|json] [-o FILE]
    lipyantar twins PATH... [--min-score 0.3] [--format table|json|tsv] [-o FILE]
    lipyantar stats [PATH...] [--parallel FILE]... [--format markdown|json] [--top N] [-o FILE]
    lipyantar build PATH... -o OUTDIR [--min-score 0.3] [--jobs N] [--engine local|dask [--scheduler ADDRESS]]
                    [--force] [--no-model]

PATH is a file or a directory (read recursively, hidden files ignored); a PATH that does not exist is an
error, as in every command. Files that cannot be read (binary, undecodable, empty, not a regular file, a
link loop, a link pointing outside the folder without ``--follow-links``) are reported one per line on stderr as warnings and skipped; the command fails
only when nothing at all could be read. ``-o`` onto one of the input files is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import click

from lipyantar.translit.cli import run_cli_errors
from lipyantar.translit.errors import InputError
from lipyantar.translit.options import InputPath, format_option, jobs_option, output_option, warn
from lipyantar.translit.outputs import check_output, open_output
from lipyantar.translit.progress import StageBars, progress_option, quiet, show_progress

# the defaults from a light module; the modules that do the work are imported by the command that runs
from .defaults import DEFAULT_BEAD_MIN_SCORE, DEFAULT_MIN_SCORE, ENGINES
from .loading import STDIN, Document, LoadResult, Skipped, load_corpus

if TYPE_CHECKING:
    from .detect import DocumentDetection, UnitDetection

__all__ = ["build_command", "detect_command", "stats_command", "twins_command"]

_PATHS = click.argument("paths", nargs=-1, type=InputPath(dir_okay=True, allow_dash=True), required=True)
#: documents, standard input when none is given
_DOCUMENTS = click.argument("paths", nargs=-1, type=InputPath(dir_okay=True, allow_dash=True))
_FOLLOW_LINKS = click.option(
    "--follow-links",
    is_flag=True,
    help="Follow symbolic links that point outside the folders given (default: skip them, with a warning).",
)
_OUTPUT = output_option()


def _report_skipped(skipped: Sequence[Skipped], empty: Sequence[str], documents: int) -> None:
    for item in skipped:
        warn(f"skipped {item.source}: {item.reason}")
    for directory in empty:
        warn(f"{directory}: empty directory, no files")
    if skipped:
        reasons: dict[str, int] = {}
        for s in skipped:
            key = s.reason.split(";")[0].split(":")[0]  # the kind of problem, without the details
            reasons[key] = reasons.get(key, 0) + 1
        summary = "; ".join(f"{n} × {r}" for r, n in sorted(reasons.items()))
        warn(f"{documents} file(s) read, {len(skipped)} skipped ({summary})")


def _load(paths: Sequence[str], *, required: bool = True, follow_links: bool = False) -> LoadResult:
    result = load_corpus(paths, follow_links=follow_links)
    _report_skipped(result.skipped, result.empty_directories, len(result.documents))
    if required and not result.documents:
        where = ", ".join("<stdin>" if p == STDIN else p for p in paths)
        raise InputError("no readable text documents", source=where)
    return result


def _percent(value: float) -> str:
    return f"{100 * value:5.1f}"


def _table_row(name: str, unit: UnitDetection) -> list[str]:
    shares = unit.shares.shares()
    return [
        name,
        str(unit.shares.letters),
        _percent(shares["Devanagari"]),
        _percent(shares["Latin"]),
        _percent(shares["Arabic"]),
        _percent(shares["other"]),
        unit.language,
        f"{unit.confidence:.3f}",
        _percent(unit.english_share),
        f"{unit.cmi:5.1f}",
    ]


def _write_table(out: TextIO, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


@click.command("detect")
@_DOCUMENTS
@click.option(
    "--level",
    type=click.Choice(["document", "paragraph", "line"]),
    default="document",
    show_default=True,
    help="Rows of the table / units included in the JSON records.",
)
@click.option("--tokens", is_flag=True, help="Include token tags in the JSON records.")
@format_option(["table", "jsonl", "json"], default="table")
@_OUTPUT
@_FOLLOW_LINKS
@run_cli_errors
def detect_command(
    paths: tuple[str, ...], level: str, tokens: bool, fmt: str, output: str | None, follow_links: bool
) -> None:
    """Detect scripts and languages of documents (files, directories, '-' or nothing for stdin).

    \b
    Languages: hi (Devanagari Hindi), hi-Latn (romanized Hindi), en, fa, ur, ar, mixed, unknown.
    Table columns: letters, % of letters per script, language, confidence, % English tokens, CMI.

    \b
    Examples:
      lipyantar detect corpora/example/
      lipyantar detect --level line --format jsonl notes.txt
      cat notes.txt | lipyantar detect
    """
    from .detect import detect_document

    result = _load(paths or (STDIN,), follow_links=follow_links)
    detections = [
        detect_document(
            doc, paragraphs=level == "paragraph", lines=level == "line", tokens=tokens and fmt != "table"
        )
        for doc in result.documents
    ]
    check_output(output, [*paths, *(doc.source for doc in result.documents)])
    with open_output(output) as out:
        if fmt == "jsonl":
            for det in detections:
                out.write(det.to_json() + "\n")
        elif fmt == "json":
            records = [det.to_dict() for det in detections]
            skipped = [s.to_dict() for s in result.skipped]
            out.write(
                json.dumps({"documents": records, "skipped": skipped}, ensure_ascii=False, indent=2) + "\n"
            )
        else:
            header = [
                "source",
                "letters",
                "deva%",
                "latin%",
                "arab%",
                "other%",
                "language",
                "conf",
                "en%",
                "CMI",
            ]
            if level != "document":
                header.insert(1, level)
            rows = []
            for det in detections:
                if level == "document":
                    rows.append(_table_row(det.source, det.document))
                    continue
                units: Sequence[UnitDetection] = det.paragraphs if level == "paragraph" else det.lines
                for unit in units:
                    row = _table_row(det.source, unit)
                    row.insert(1, f"{unit.index + 1} (line {unit.line})")
                    rows.append(row)
            _write_table(out, header, rows)


@click.command("twins")
@_PATHS
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="Lowest similarity score accepted for a pair.",
)
@format_option(["table", "json", "tsv"], default="table")
@_OUTPUT
@_FOLLOW_LINKS
@run_cli_errors
def twins_command(
    paths: tuple[str, ...], min_score: float, fmt: str, output: str | None, follow_links: bool
) -> None:
    """Pair each Devanagari document with its romanized twin, by content (not by file name).
    PATH is a file, a directory or '-' (one document from stdin).

    Documents without a twin are listed with their language and the reason.

    \b
    Example:
      lipyantar twins corpora/example/
    """
    from .twins import find_twins

    result = _load(paths, follow_links=follow_links)
    report = find_twins(result.documents, min_score=min_score)
    check_output(output, [*paths, *(doc.source for doc in result.documents)])
    with open_output(output) as out:
        if fmt == "json":
            data = report.to_dict()
            data["skipped"] = [s.to_dict() for s in result.skipped]
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        elif fmt == "tsv":
            out.write(report.to_tsv())
        else:
            rows = [
                ["pair", p.devanagari, p.romanized, f"{p.score:.3f}", "hi ↔ hi-Latn"] for p in report.pairs
            ]
            for u in report.unpaired:
                best = "" if u.best_score is None else f"{u.best_score:.3f}"
                rows.append(["unpaired", u.source, "", best, f"{u.language}: {u.reason}"])
            _write_table(out, ["status", "devanagari / document", "romanized", "score", "language"], rows)
            out.write(f"{len(report.pairs)} pair(s), {len(report.unpaired)} unpaired document(s)\n")


@click.command("stats")
@_DOCUMENTS
@click.option(
    "--parallel",
    "parallel_files",
    multiple=True,
    type=InputPath(allow_dash=True),
    help="An aligned corpus (parallel.jsonl, parallel.tsv, or a Dakshina sentence / token-aligned TSV); "
    "its two sides count as documents and it adds bead and variant statistics. Repeatable.",
)
@format_option(["markdown", "json"], default="markdown")
@click.option(
    "--top", type=click.IntRange(min=0), default=20, show_default=True, help="Variant-table rows shown."
)
@_OUTPUT
@_FOLLOW_LINKS
@run_cli_errors
def stats_command(
    paths: tuple[str, ...],
    parallel_files: tuple[str, ...],
    fmt: str,
    top: int,
    output: str | None,
    follow_links: bool,
) -> None:
    """Corpus statistics: sizes, sentence lengths, characters, languages, CMI, romanization variants.

    PATH is a file, a directory or '-' (stdin, also when neither PATH nor --parallel is given).

    \b
    Examples:
      lipyantar stats corpora/example/
      lipyantar stats --parallel out/parallel.jsonl --format json -o stats.json
    """
    from .parallel import read_parallel
    from .stats import corpus_stats

    if not paths and not parallel_files:
        paths = (STDIN,)
    documents: list[Document] = []
    languages: dict[str, str] = {}
    if paths:
        documents.extend(_load(paths, required=not parallel_files, follow_links=follow_links).documents)
    beads: list[object] | None = None
    gold: list[tuple[str, str]] | None = None
    for path in parallel_files:
        corpus = read_parallel(path)
        deva, roman = corpus.documents()
        documents.extend([deva, roman])
        languages[deva.source], languages[roman.source] = "hi", "hi-Latn"
        beads = [*(beads or []), *corpus.beads]
        if corpus.word_pairs is not None:
            gold = [*(gold or []), *corpus.word_pairs]
    stats = corpus_stats(
        documents, languages=languages, beads=beads, word_pairs=gold, presplit=set(languages)
    )
    check_output(output, [*paths, *parallel_files, *(doc.source for doc in documents)])
    with open_output(output) as out:
        if fmt == "json":
            out.write(stats.to_json(top_variants=top))
        else:
            out.write(stats.to_markdown(top_variants=top))


#: the unit of each stage of build's progress (lipyantar.corpora.build.Progress)
_BUILD_UNITS = {"detect": "documents", "align": "twin pairs", "model": "models", "report": "files"}


@click.command("build")
@click.argument("inputs", nargs=-1, type=InputPath(dir_okay=True, allow_dash=True), required=True)
@click.option("-o", "--outdir", type=click.Path(file_okay=False), required=True, help="Output directory.")
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_BEAD_MIN_SCORE,
    show_default=True,
    help="Drop aligned sentence pairs scoring below this (noisy pairs).",
)
@click.option(
    "--twin-min-score",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="Lowest document similarity accepted for a twin pair.",
)
@click.option("--no-dedupe", is_flag=True, help="Keep repeated (Devanagari, romanized) sentence pairs.")
@jobs_option(help="Worker processes of the local engine.")
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default="local",
    show_default=True,
    help="Where the per-document pipeline runs: local processes, or a Dask cluster (lipyantar[dask]).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler to use (e.g. tcp://10.0.0.5:8786); without it --engine dask starts a local cluster.",
)
@click.option(
    "--dask-workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker processes of the local Dask cluster (when no --scheduler is given).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty OUTDIR.")
@click.option("--no-model", is_flag=True, help="Do not learn the adapted romanization model (model.lpm).")
@click.option(
    "--base-model",
    type=InputPath(),
    help="Model to adapt (default: the shipped default model).",
)
@click.option(
    "--standalone-model",
    is_flag=True,
    help="Write model.lpm as a full model file (default: a small adaptation of the installed default "
    "model, which it names by checksum).",
)
@progress_option
@_FOLLOW_LINKS
@run_cli_errors
def build_command(
    inputs: tuple[str, ...],
    outdir: str,
    min_score: float,
    twin_min_score: float,
    no_dedupe: bool,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    dask_workers: int,
    force: bool,
    no_model: bool,
    base_model: str | None,
    standalone_model: bool,
    progress: bool | None,
    follow_links: bool,
) -> None:
    """Build a parallel corpus: detect, pair twins, align sentences and words, learn, write a report.

    \b
    Writes into OUTDIR: parallel.tsv, parallel.jsonl (one flat JSON object per sentence pair),
    parallel.deva / parallel.roman (Moses), lexicon.tsv (word pairs with counts), model.lpm (the
    romanization model adapted to the corpus), detect.jsonl, twins.json, skipped.jsonl, stats.json,
    stats.md and report.html (plots). The inputs are never modified; OUTDIR appears complete or not at
    all, and a non-empty OUTDIR is replaced only with --force (the previous output survives any failure;
    a second build into the same OUTDIR meanwhile fails). Bad files are skipped with a message each
    (also FIFOs, devices, link loops, and links pointing outside the folder unless --follow-links); the
    rest of the corpus is still built.

    The documents are streamed (memory does not grow with the corpus) and the per-document work runs
    in --jobs processes, or on a Dask cluster with --engine dask; the output is the same either way.

    \b
    Examples:
      lipyantar build corpora/example -o out/example
      lipyantar build big/ -o out/big --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from lipyantar.translit.batch import default_jobs

    from .build import BuildOptions, build_corpus

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")

    options = BuildOptions(
        twin_min_score=twin_min_score,
        min_score=min_score,
        dedupe=not no_dedupe,
        jobs=jobs or default_jobs(),
        force=force,
        model=not no_model,
        base_model=base_model,
        standalone_model=standalone_model,
        engine=engine,
        scheduler=scheduler,
        dask_workers=dask_workers,
        follow_links=follow_links,
    )
    bars = StageBars(_BUILD_UNITS, prefix="build: ") if show_progress(progress) else None
    try:
        # stdin cannot be read twice: with '-' the documents are read into memory first
        load = load_corpus(inputs, follow_links=follow_links) if STDIN in inputs else None
        result = build_corpus(inputs, outdir, options=options, load=load, progress=bars)
    finally:
        if bars is not None:
            bars.close()
    _report_skipped(result.load.skipped, result.load.empty_directories, result.load.documents)
    for key, message in result.pair_errors.items():
        warn(f"{key}: not aligned: {message}")
    for note in result.notes:
        if not no_model:
            warn(note)
    if not quiet():
        click.echo(result.summary().split("\n")[0], err=True)


def detections_by_source(detections: Sequence[DocumentDetection]) -> dict[str, DocumentDetection]:
    """Index detections by document source (helper for callers chaining detect and twins)."""
    return {d.source: d for d in detections}
