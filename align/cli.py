"""``lipyantar align``: align a Devanagari document with its romanized twin; ``lipyantar learn``: learn a
romanization model from word pairs and from twins (which are aligned first).

::

    lipyantar align DEVA_FILE ROMAN_FILE [--presplit] [--format tsv|jsonl|moses] [-o OUT] [--words]
                    [--max-bead N] [--word-pairs PAIRS.tsv]

Output goes to stdout unless ``-o`` is given (written atomically); warnings go to stderr; bad input is
one ``lipyantar: error: ...`` line on stderr and exit status 1.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import click

from translit.cli import run_cli_errors
from translit.errors import InputError
from translit.progress import ProgressBar, progress_bar, progress_option, show_progress
from translit.textio import atomic_write, open_output, read_text

from .io import write_jsonl, write_moses, write_tsv, write_word_pairs
from .script import check_scripts
from .segment import split_lines, split_sentences
from .sentences import TWIN_THRESHOLD, Bead, iter_align_sentences
from .similarity import Similarity, builtin_romanize
from .words import align_words, word_pair_counts

__all__ = ["align_command", "learn_command"]

logger = logging.getLogger(__name__)


def _warn(message: str) -> None:
    click.echo(f"lipyantar: warning: {message}", err=True)


def _with_words(
    beads: Iterator[Bead], sim: Similarity, *, attach: bool, counts: Counter[tuple[str, str]] | None
) -> Iterator[Bead]:
    """Word-align each bead: attach the links to it and/or count the linked word pairs."""
    for bead in beads:
        links = tuple(align_words(bead.deva_text, bead.roman_text, similarity=sim))
        if counts is not None:
            counts.update(word_pair_counts(links))
        if attach:
            bead = Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, links)
        yield bead


def _similarity(romanizer: str) -> Similarity:
    if romanizer == "builtin":
        return Similarity(romanize=builtin_romanize)
    if romanizer == "model":
        from translit.learned.model import default_model

        return Similarity(romanize=default_model().romanize)
    return Similarity()


class _Tally:
    """Passes beads through while keeping the document score."""

    def __init__(self, beads: Iterator[Bead]) -> None:
        self._beads = beads
        self.count = 0
        self.kinds: dict[str, int] = {}
        self._weighted = 0.0
        self._total = 0

    def __iter__(self) -> Iterator[Bead]:
        for bead in self._beads:
            size = len(bead.deva) + len(bead.roman)
            self._weighted += bead.score * size
            self._total += size
            self.count += 1
            self.kinds[bead.kind] = self.kinds.get(bead.kind, 0) + 1
            yield bead

    @property
    def score(self) -> float:
        return self._weighted / self._total if self._total else 0.0


@click.command("align")
@click.argument("deva_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("roman_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--presplit", is_flag=True, help="Each non-blank line is one sentence; blank lines end paragraphs."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "tsv", "moses"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one bead object per line; tsv: deva<TAB>roman<TAB>score; moses: OUT.deva + OUT.roman.",
)
@click.option(
    "-o", "--output", "output", default=None, help="Output file (moses: prefix of OUT.deva / OUT.roman)."
)
@click.option("--words", is_flag=True, help='Add the word alignment of each bead (jsonl: a "words" list).')
@click.option(
    "--max-bead", type=click.IntRange(1, 4), default=2, show_default=True, help="Most sentences per side."
)
@click.option(
    "--word-pairs",
    "word_pairs",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the aligned word pairs with counts (deva<TAB>roman<TAB>count), for learn --twin.",
)
@click.option(
    "--romanizer",
    type=click.Choice(["rules", "model", "builtin"]),
    default="rules",
    show_default=True,
    help="Romanization of the Devanagari side for the similarity: the rule romanizer, the learned model "
    "(more accurate, much slower) or the aligner's small built-in one.",
)
@progress_option
@run_cli_errors
def align_command(
    deva_file: str,
    roman_file: str,
    presplit: bool,
    fmt: str,
    output: str | None,
    words: bool,
    max_bead: int,
    word_pairs: str | None,
    romanizer: str,
    progress: bool | None,
) -> None:
    """Align DEVA_FILE (Devanagari) with ROMAN_FILE (its romanized twin), sentence by sentence."""
    if fmt == "moses" and (output is None or output == "-"):
        raise click.UsageError("--format moses writes two files: give their prefix with -o OUT")
    if deva_file == "-" and roman_file == "-":
        raise click.UsageError("only one of DEVA_FILE and ROMAN_FILE can be standard input")
    if words and fmt != "jsonl":
        _warn("--words only changes --format jsonl output; ignored")
        words = False
    _run(
        deva_file,
        roman_file,
        presplit=presplit,
        fmt=fmt,
        output=output,
        words=words,
        max_bead=max_bead,
        word_pairs=word_pairs,
        romanizer=romanizer,
        progress=show_progress(progress),
    )


def _run(
    deva_file: str,
    roman_file: str,
    *,
    presplit: bool,
    fmt: str,
    output: str | None,
    words: bool,
    max_bead: int,
    word_pairs: str | None,
    romanizer: str,
    progress: bool = False,
) -> None:
    deva_text = read_text(deva_file)
    roman_text = read_text(roman_file)
    deva_name = "<stdin>" if deva_file == "-" else deva_file
    roman_name = "<stdin>" if roman_file == "-" else roman_file
    check_scripts(deva_text, roman_text, deva_source=deva_name, roman_source=roman_name)
    if presplit:
        deva, roman = split_lines(deva_text), split_lines(roman_text)
    else:
        deva = split_sentences(deva_text, script="deva")
        roman = split_sentences(roman_text, script="roman")
    del deva_text, roman_text
    empty = [name for name, side in ((deva_name, deva), (roman_name, roman)) if not side]
    if empty:
        _warn(f"{' and '.join(empty)}: empty input, nothing to align")
        deva, roman = [], []
    sim = _similarity(romanizer)
    beads: Iterator[Bead] = iter_align_sentences(deva, roman, similarity=sim, max_bead=max_bead)
    counts: Counter[tuple[str, str]] | None = Counter() if word_pairs else None
    if words or counts is not None:
        beads = _with_words(beads, sim, attach=words, counts=counts)
    with progress_bar("align", unit="sentences", total=len(deva), enabled=progress) as bar:
        tally = _Tally(bar.track(beads, weight=lambda bead: len(bead.deva)))
        _write(tally, fmt=fmt, output=output)
    if word_pairs and counts is not None:
        with atomic_write(word_pairs) as fh:
            write_word_pairs(counts, fh)
    if tally.count:
        logger.info("%d beads %s, document score %.3f", tally.count, tally.kinds, tally.score)
        if tally.score < TWIN_THRESHOLD:
            _warn(
                f"the documents do not look like twins (score {tally.score:.2f} < {TWIN_THRESHOLD}): "
                f"is {roman_name} a romanization of {deva_name}?"
            )


def _write(tally: _Tally, *, fmt: str, output: str | None) -> None:
    if fmt == "moses":
        prefix = output or "aligned"
        with atomic_write(f"{prefix}.deva") as deva_out, atomic_write(f"{prefix}.roman") as roman_out:
            write_moses(tally, deva_out, roman_out)
    else:
        with open_output(output) as out:
            if fmt == "tsv":
                write_tsv(tally, out)
            else:
                write_jsonl(tally, out)


@click.command("learn")
@click.argument("pairs", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--twin",
    "twins",
    nargs=2,
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="DEVA_FILE ROMAN_FILE",
    help="A Devanagari text and its romanized twin (aligned by sentence, then by word); may be repeated.",
)
@click.option(
    "--base",
    type=click.Choice(["default", "none"]),
    default="default",
    show_default=True,
    help="Adapt on top of the shipped default model, or learn from scratch.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Model file to write.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--drop-noisy",
    type=click.FloatRange(0.0, 0.5),
    default=0.01,
    show_default=True,
    help="With --base none: fraction of worst-aligned (noisy) pairs to drop.",
)
@click.option(
    "--pronunciations",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="CMUDICT",
    help="With --base none: an English pronunciation dictionary in CMUdict format (plain or .gz), so "
    "that the model also learns how Hindi writes English words (--base default has one).",
)
@progress_option
@run_cli_errors
def learn_command(
    pairs: tuple[str, ...],
    twins: tuple[tuple[str, str], ...],
    base: str,
    output: str,
    seed: int,
    drop_noisy: float,
    pronunciations: str | None,
    progress: bool | None,
) -> None:
    """Learn a romanization model from PAIRS.tsv files (native<TAB>roman[<TAB>count]) and twins."""
    from translit.learned.english import read_cmudict
    from translit.learned.learn import read_pairs

    if not pairs and not twins:
        raise click.UsageError("give at least one PAIRS file or --twin DEVA_FILE ROMAN_FILE")
    if pronunciations and base == "default":
        raise click.UsageError("--pronunciations needs --base none (the default model has its own)")
    prons = read_cmudict(pronunciations) if pronunciations else None
    word_pairs: list[tuple[str, str, float]] = []
    for path in pairs:
        word_pairs.extend(read_pairs(path))
    twin_texts = [(read_text(d), read_text(r)) for d, r in twins]
    # the steps: load the default model, align each twin, adapt, write; or from scratch: train on the
    # pairs, align each twin with that model, train again with the twins' pairs, write
    n_twins = len(twin_texts)
    n_steps = n_twins + 3 if base == "default" else n_twins + (n_twins > 0) + 2
    with progress_bar("learn", unit="steps", total=n_steps, enabled=show_progress(progress)) as bar:
        model = _learn(
            word_pairs,
            twin_texts,
            twins,
            base=base,
            seed=seed,
            drop_noisy=drop_noisy,
            pronunciations=prons,
            bar=bar,
        )
        bar.set_description("learn: writing the model")
        model.save(output)
        bar.update()
        bar.set_description("learn")
    click.echo(f"wrote {output} ({os.path.getsize(output) / 1e6:.2f} MB)", err=True)


def _learn(
    word_pairs: list[tuple[str, str, float]],
    twin_texts: list[tuple[str, str]],
    twins: tuple[tuple[str, str], ...],
    *,
    base: str,
    seed: int,
    drop_noisy: float,
    pronunciations: dict[str, tuple[str, ...]] | None,
    bar: ProgressBar,
) -> Any:
    """The model of ``learn`` (the bar advances one step per loaded model, aligned twin and training)."""
    from translit.learned.learn import adapt, train
    from translit.learned.model import default_model

    from .twin import pairs_from_twin

    prons = pronunciations
    if base == "default":
        bar.set_description("learn: loading the default model")
        model = default_model()
        bar.update()
        for (deva_text, roman_text), (deva_file, _) in zip(twin_texts, twins, strict=True):
            bar.set_description(f"learn: aligning {os.path.basename(deva_file)}")
            word_pairs.extend(pairs_from_twin(deva_text, roman_text, model))
            bar.update()
        if not word_pairs:
            raise InputError("no word pairs found in the inputs")
        native = [d for d, _ in twin_texts]
        bar.set_description("learn: adapting")
        model = adapt(model, word_pairs, native_text=native or None)
        bar.update()
        return model
    natives = [d for d, _ in twin_texts]
    bar.set_description("learn: training")
    model = (
        train(word_pairs, seed=seed, native_text=natives, noise_fraction=drop_noisy, pronunciations=prons)
        if word_pairs
        else None
    )
    bar.update()
    if twin_texts:
        if model is None:
            raise InputError("--base none needs PAIRS files to learn a base from")
        extra = []
        for (deva_text, roman_text), (deva_file, _) in zip(twin_texts, twins, strict=True):
            bar.set_description(f"learn: aligning {os.path.basename(deva_file)}")
            extra.extend(pairs_from_twin(deva_text, roman_text, model))
            bar.update()
        bar.set_description("learn: training with the twins")
        model = train(
            word_pairs + extra, seed=seed, native_text=natives, noise_fraction=drop_noisy, pronunciations=prons
        )
    if model is None:
        raise InputError("no word pairs found in the inputs")
    model.build_vocab_index()
    return model
