"""``lipyantar align``: align a Devanagari document with its romanized twin; ``lipyantar learn``: learn a
romanization model from word pairs and from twins (which are aligned first); ``lipyantar evaluate``:
score a model on a lexicon, any system's lines by WER and CER, or an alignment by bead P/R/F1.

::

    lipyantar align DEVA_FILE ROMAN_FILE [--presplit] [--format tsv|jsonl|moses] [-o OUT] [--words]
                    [--max-bead N] [--word-pairs PAIRS.tsv]

Output goes to stdout unless ``-o`` is given (written atomically); warnings go to stderr; bad input is
one ``lipyantar: error: ...`` line on stderr and exit status 1.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from lipyantar.translit.cli import run_cli_errors
from lipyantar.translit.errors import InputError, clip_message
from lipyantar.translit.metrics import TOKENIZATIONS, error_rates
from lipyantar.translit.progress import ProgressBar, progress_bar, progress_option, show_progress
from lipyantar.translit.textio import (
    atomic_write,
    atomic_write_pair,
    check_output,
    open_output,
    read_lines,
    read_text,
)

from .script import check_scripts
from .segment import split_lines, split_sentences
from .similarity import Similarity, builtin_romanize

if TYPE_CHECKING:  # the aligner's own modules are imported by the command that runs
    from .sentences import Bead

__all__ = ["align_command", "evaluate_command", "learn_command"]

logger = logging.getLogger(__name__)


def _warn(message: str) -> None:
    click.echo(f"lipyantar: warning: {clip_message(message)}", err=True)


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
    from .io import write_word_pairs
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


@click.command("learn")
@click.argument("pairs", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
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
    from lipyantar.translit.learned.english import read_cmudict
    from lipyantar.translit.learned.learn import read_pairs

    if not pairs and not twins:
        raise click.UsageError("give at least one PAIRS file or --twin DEVA_FILE ROMAN_FILE")
    if pronunciations and base == "default":
        raise click.UsageError("--pronunciations needs --base none (the default model has its own)")
    check_output(
        output, [*pairs, *(path for twin in twins for path in twin), *filter(None, [pronunciations])]
    )
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
    from lipyantar.translit.learned.learn import adapt, train
    from lipyantar.translit.learned.model import default_model

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
            word_pairs + extra,
            seed=seed,
            native_text=natives,
            noise_fraction=drop_noisy,
            pronunciations=prons,
        )
    if model is None:
        raise InputError("no word pairs found in the inputs")
    model.build_vocab_index()
    return model


# ------------------------------------------------------------------------------------------ evaluate


def _hyp_ref_lines(hyp: str, ref: str) -> Iterator[tuple[str, str]]:
    """The (hypothesis, reference) line pairs of two files; one line each, or an error at the end."""
    missing = object()
    hyp_name = "<stdin>" if hyp == "-" else hyp
    ref_name = "<stdin>" if ref == "-" else ref
    n = 0
    for n, (h, r) in enumerate(itertools.zip_longest(read_lines(hyp), read_lines(ref), fillvalue=missing), 1):
        if h is missing or r is missing:
            short, name = (hyp_name, "hypothesis") if h is missing else (ref_name, "reference")
            raise InputError(
                f"the {name} file ends at line {n - 1} but the other goes on: --hyp and --ref need one "
                f"line per sentence, in the same order",
                source=short,
            )
        yield h, r  # type: ignore[misc]


@click.command("evaluate")
@click.argument("lexicon", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="LEXICON: the model file to measure (default: the shipped model).",
)
@click.option(
    "--direction", type=click.Choice(["roman2deva", "deva2roman"]), help="LEXICON: which way to convert."
)
@click.option(
    "--hyp",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A system's output: one line per --ref line, or the JSONL beads of an alignment (--beads).",
)
@click.option(
    "--ref",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Reference lines: score --hyp by WER and CER.",
)
@click.option(
    "--beads",
    "gold_beads",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="GOLD",
    help="Gold alignment (JSONL beads): score the beads of --hyp by precision, recall and F1.",
)
@click.option(
    "--tokenize",
    type=click.Choice(TOKENIZATIONS),
    default="words",
    show_default=True,
    help="--ref: words = runs of letters and marks or of digits (punctuation not scored); space = split "
    "at white space.",
)
@click.option("--lowercase", is_flag=True, help="--ref: lowercase both sides before scoring.")
@click.option("--per-line", is_flag=True, help="--ref: add each line's figures (JSON: a per_line list).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: one object with the figures and signatures; text: sacrebleu-style 'METRIC|signature = score'.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (written atomically).")
@progress_option
@run_cli_errors
def evaluate_command(
    lexicon: str | None,
    model_path: str | None,
    direction: str | None,
    hyp: str | None,
    ref: str | None,
    gold_beads: str | None,
    tokenize: str,
    lowercase: bool,
    per_line: bool,
    fmt: str,
    output: str | None,
    progress: bool | None,
) -> None:
    """Score a model on a lexicon, any system's output against references, or an alignment.

    \b
    Three modes:
      lipyantar evaluate --direction roman2deva [--model M] LEXICON.tsv   top-1, top-5, CER of a model
      lipyantar evaluate --hyp HYP.txt --ref REF.txt                      WER and CER of a system's lines
      lipyantar evaluate --beads GOLD.jsonl --hyp HYP.jsonl               bead precision, recall, F1

    \b
    WER = (S + D + I) / N over words, CER the same over characters (the words joined by single spaces),
    as in jiwer; corpus figures are total edits over total reference words or characters. Both sides
    are normalized (NFC, one nukta form, no ZWJ/ZWNJ, ASCII digits); every score carries a signature
    naming the tokenization, normalization, case and version.
    """
    modes = [name for name, given in (("LEXICON", lexicon), ("--ref", ref), ("--beads", gold_beads)) if given]
    if len(modes) != 1:
        raise click.UsageError(
            "give one of LEXICON (with --direction), --hyp with --ref, or --hyp with --beads"
            + (f"; got {' and '.join(modes)}" if modes else "")
        )
    if lexicon is not None:
        if hyp is not None:
            raise click.UsageError("--hyp goes with --ref or --beads, not with a LEXICON")
        if direction is None:
            raise click.UsageError("a LEXICON needs --direction roman2deva or deva2roman")
    else:
        if hyp is None:
            raise click.UsageError(f"{modes[0]} needs --hyp, the output to score")
        if model_path is not None or direction is not None:
            raise click.UsageError("--model and --direction go with a LEXICON")
        if hyp == "-" and (ref == "-" or gold_beads == "-"):
            raise click.UsageError("only one input can be standard input")
        if gold_beads is not None and (per_line or lowercase or tokenize != "words"):
            raise click.UsageError("--tokenize, --lowercase and --per-line go with --ref")
    # before anything is read: a refused run leaves every input as it was
    inputs = [path for path in (lexicon, hyp, ref, gold_beads) if path is not None]
    check_output(output, [*inputs, *_model_files(model_path)])
    if lexicon is not None and direction is not None:
        text = _evaluate_lexicon(lexicon, model_path, direction, fmt=fmt, progress=show_progress(progress))
    elif hyp is not None and ref is not None:
        text = _evaluate_lines(
            hyp,
            ref,
            tokenize=tokenize,
            lowercase=lowercase,
            per_line=per_line,
            fmt=fmt,
            progress=show_progress(progress),
        )
    elif hyp is not None and gold_beads is not None:
        from .evaluate import bead_scores, read_bead_keys

        scores = bead_scores(read_bead_keys(hyp), read_bead_keys(gold_beads))
        text = json.dumps(scores.to_dict(), indent=2) + "\n" if fmt == "json" else scores.to_text()
    else:  # ruled out above
        raise click.UsageError("give one of LEXICON (with --direction), --hyp with --ref, or --hyp with --beads")
    with open_output(output) as out:
        out.write(text)


def _model_files(model_path: str | None) -> list[str]:
    """A ``--model`` file and its vocabulary beside it: inputs, never outputs."""
    if model_path is None:
        return []
    from lipyantar.translit.learned.model import VOCAB_SUFFIX

    return [model_path, os.path.splitext(model_path)[0] + VOCAB_SUFFIX]


def _evaluate_lexicon(
    lexicon: str, model_path: str | None, direction: str, *, fmt: str, progress: bool
) -> str:
    from lipyantar.translit.learned.cli import evaluate
    from lipyantar.translit.learned.learn import read_pairs
    from lipyantar.translit.learned.model import default_model, load_model

    pairs = read_pairs(lexicon)  # a bad lexicon fails before the model is loaded
    model = load_model(model_path) if model_path else default_model()
    with progress_bar("evaluate", unit="words", total=None, enabled=progress) as bar:
        state = {"first": True}

        def tick(done: int, total: int) -> None:
            if state["first"]:
                bar.set_total(total)
                state["first"] = False
            bar.update()

        result = evaluate(model, pairs, direction=direction, progress=tick)
    data = asdict(result)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return "".join(f"{key} = {value}\n" for key, value in data.items())


def _evaluate_lines(
    hyp: str, ref: str, *, tokenize: str, lowercase: bool, per_line: bool, fmt: str, progress: bool
) -> str:
    from lipyantar.translit.cli import count_lines

    total = count_lines([ref]) if progress else None
    with progress_bar("evaluate", unit="lines", total=total, enabled=progress) as bar:
        rates = error_rates(
            bar.track(_hyp_ref_lines(hyp, ref)),
            tokenize=tokenize,  # type: ignore[arg-type]
            lowercase=lowercase,
            keep_lines=per_line,
        )
    if fmt == "json":
        return json.dumps(rates.to_dict(per_line=per_line), indent=2) + "\n"
    lines = []
    if per_line:
        lines.append("line\twer\tcer\tword_errors\tref_words\tchar_errors\tref_chars\n")
        for e in rates.per_line:
            wer = "" if e.wer is None else f"{e.wer:.4f}"
            cer = "" if e.cer is None else f"{e.cer:.4f}"
            lines.append(
                f"{e.line}\t{wer}\t{cer}\t{e.word_errors}\t{e.ref_words}\t{e.char_errors}\t{e.ref_chars}\n"
            )
    lines.append(rates.to_text())
    return "".join(lines)
