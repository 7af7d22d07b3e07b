"""``lipyantar align``: align a Devanagari document with its romanized twin (``lipyantar learn`` and
``lipyantar evaluate``, which also align and score alignments, are in :mod:`lipyantar.model_cli`).

::

    lipyantar align DEVA_FILE ROMAN_FILE [--presplit] [--format tsv|jsonl|moses] [-o OUT] [--words]
                    [--max-bead N] [--word-pairs PAIRS.tsv]

Output goes to stdout unless ``-o`` is given (written atomically); warnings go to stderr; bad input is
one ``lipyantar: error: ...`` line on stderr and exit status 1.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from lipyantar.translit.cli import run_cli_errors
from lipyantar.translit.options import InputPath, format_option, output_option, warn
from lipyantar.translit.outputs import atomic_write, atomic_write_pair, check_output, open_output
from lipyantar.translit.progress import progress_bar, progress_option, show_progress
from lipyantar.translit.textio import read_text

if TYPE_CHECKING:  # the aligner's own modules are imported by the command that runs
    from .sentences import Bead
    from .similarity import Similarity

__all__ = ["align_command"]

logger = logging.getLogger(__name__)


def _with_words(
    beads: Iterator[Bead], sim: Similarity, *, attach: bool, counts: Counter[tuple[str, str]] | None
) -> Iterator[Bead]:
    """Word-align each bead: attach the links to it and/or count the linked word pairs."""
    from .sentences import Bead
    from .words import align_words, word_pair_counts

    for bead in beads:
        links = tuple(align_words(bead.deva_text, bead.roman_text, similarity=sim))
        if counts is not None:
            counts.update(word_pair_counts(links))
        if attach:
            bead = Bead(bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score, links)
        yield bead


def _similarity(romanizer: str) -> Similarity:
    from .similarity import Similarity, builtin_romanize

    if romanizer == "builtin":
        return Similarity(romanize=builtin_romanize)
    if romanizer == "model":
        from lipyantar.translit.learned.model import default_model

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
@click.argument("deva_file", type=InputPath(allow_dash=True))
@click.argument("roman_file", type=InputPath(allow_dash=True))
@click.option(
    "--presplit", is_flag=True, help="Each non-blank line is one sentence; blank lines end paragraphs."
)
@format_option(
    ["jsonl", "tsv", "moses"],
    default="jsonl",
    help="jsonl: one bead object per line; tsv: deva<TAB>roman<TAB>score; moses: OUT.deva + OUT.roman.",
)
@output_option("Output file, written atomically (moses: prefix of OUT.deva / OUT.roman).", type=click.Path())
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
        warn("--words only changes --format jsonl output; ignored")
        words = False
    from .io import write_word_pairs
    from .script import check_scripts
    from .segment import split_lines, split_sentences
    from .sentences import TWIN_THRESHOLD, iter_align_sentences

    inputs = (deva_file, roman_file)
    outputs = [f"{output or 'aligned'}.deva", f"{output or 'aligned'}.roman"] if fmt == "moses" else [output]
    for path in [*outputs, word_pairs]:
        check_output(path, inputs)
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
        warn(f"{' and '.join(empty)}: empty input, nothing to align")
        deva, roman = [], []
    sim = _similarity(romanizer)
    beads: Iterator[Bead] = iter_align_sentences(deva, roman, similarity=sim, max_bead=max_bead)
    counts: Counter[tuple[str, str]] | None = Counter() if word_pairs else None
    if words or counts is not None:
        beads = _with_words(beads, sim, attach=words, counts=counts)
    with progress_bar("align", unit="sentences", total=len(deva), enabled=show_progress(progress)) as bar:
        tally = _Tally(bar.track(beads, weight=lambda bead: len(bead.deva)))
        _write(tally, fmt=fmt, output=output)
    if word_pairs and counts is not None:
        with atomic_write(word_pairs) as fh:
            write_word_pairs(counts, fh)
    if tally.count:
        logger.info("%d beads %s, document score %.3f", tally.count, tally.kinds, tally.score)
        if tally.score < TWIN_THRESHOLD:
            warn(
                f"the documents do not look like twins (score {tally.score:.2f} < {TWIN_THRESHOLD}): "
                f"is {roman_name} a romanization of {deva_name}?"
            )


def _write(tally: _Tally, *, fmt: str, output: str | None) -> None:
    from .io import write_jsonl, write_moses, write_tsv

    if fmt == "moses":
        prefix = output or "aligned"
        with atomic_write_pair(f"{prefix}.deva", f"{prefix}.roman") as (deva_out, roman_out):
            write_moses(tally, deva_out, roman_out)
    else:
        with open_output(output) as out:
            if fmt == "tsv":
                write_tsv(tally, out)
            else:
                write_jsonl(tally, out)
