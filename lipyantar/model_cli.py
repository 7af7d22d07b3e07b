"""``lipyantar learn`` and ``lipyantar evaluate``: the learned model's commands.

They sit in the front-door package because each reaches across the layers (the layer rules,
docs/ARCHITECTURE.md): ``learn`` trains or adapts a model (:mod:`lipyantar.translit.learned.learn`) on
word pairs and on twins, which it aligns first (:func:`lipyantar.align.twin.pairs_from_twin`);
``evaluate`` scores a model on a lexicon (:func:`lipyantar.translit.learned.cli.evaluate`), any system's
lines by WER and CER (:func:`lipyantar.translit.metrics.error_rates`) or an alignment by bead precision,
recall and F1 (:mod:`lipyantar.align.evaluate`). The work is done by those modules; here are the options.

::

    lipyantar learn [PAIRS.tsv ...] [--twin DEVA_FILE ROMAN_FILE ...] [--base default|none] -o MODEL.lpm
    lipyantar evaluate --direction roman2deva|deva2roman [--model M] LEXICON.tsv
    lipyantar evaluate --hyp HYP.txt --ref REF.txt [--tokenize words|space] [--lowercase] [--per-line]
    lipyantar evaluate --beads GOLD.jsonl --hyp HYP.jsonl
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from lipyantar.translit.cli import run_cli_errors
from lipyantar.translit.errors import InputError
from lipyantar.translit.metrics import TOKENIZATIONS, error_rates
from lipyantar.translit.options import (
    InputPath,
    format_option,
    model_files,
    model_option,
    note,
    output_option,
)
from lipyantar.translit.outputs import check_output, open_output
from lipyantar.translit.progress import ProgressBar, progress_bar, progress_option, show_progress
from lipyantar.translit.textio import read_lines, read_text

if TYPE_CHECKING:  # the model is imported by the command that runs (``lipyantar --help`` starts fast)
    from lipyantar.translit.learned.model import LearnedModel

__all__ = ["evaluate_command", "learn_command"]


@click.command("learn")
@click.argument("pairs", nargs=-1, type=InputPath(allow_dash=True))
@click.option(
    "--twin",
    "twins",
    nargs=2,
    multiple=True,
    type=InputPath(),
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
@output_option("Model file to write (atomically).", required=True)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="With --base none: recorded in the model's metadata (training is deterministic: no sampling).",
)
@click.option(
    "--drop-noisy",
    type=click.FloatRange(0.0, 0.5),
    default=0.01,
    show_default=True,
    help="With --base none: fraction of worst-aligned (noisy) pairs to drop.",
)
@click.option(
    "--pronunciations",
    type=InputPath(),
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
    note(f"wrote {output} ({os.path.getsize(output) / 1e6:.2f} MB)")


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
) -> LearnedModel:
    """The model of ``learn``: :func:`~lipyantar.translit.learned.adapting.adapt` of the default model, or
    :func:`~lipyantar.translit.learned.learn.train` from scratch, called as the API's users call them
    (the bar advances one step per loaded model, aligned twin and training)."""
    from lipyantar.align.twin import pairs_from_twin
    from lipyantar.translit.learned.adapting import adapt
    from lipyantar.translit.learned.learn import train
    from lipyantar.translit.learned.model import default_model

    def twin_pairs(model: LearnedModel) -> list[tuple[str, str, float]]:
        found: list[tuple[str, str, float]] = []
        for (deva_text, roman_text), (deva_file, _) in zip(twin_texts, twins, strict=True):
            bar.set_description(f"learn: aligning {os.path.basename(deva_file)}")
            found.extend(pairs_from_twin(deva_text, roman_text, model))
            bar.update()
        return found

    natives = [d for d, _ in twin_texts]
    if base == "default":
        bar.set_description("learn: loading the default model")
        model = default_model()
        bar.update()
        word_pairs = word_pairs + twin_pairs(model)
        if not word_pairs:
            raise InputError("no word pairs found in the inputs")
        bar.set_description("learn: adapting")
        model = adapt(model, word_pairs, native_text=natives or None)
        bar.update()
        return model
    if not word_pairs:
        raise InputError(
            "--base none needs PAIRS files to learn a base from" if twin_texts else "no word pairs found in the inputs"
        )

    def fit(pairs: list[tuple[str, str, float]], *, vocab_index: bool = True) -> LearnedModel:
        return train(
            pairs,
            seed=seed,
            native_text=natives,
            noise_fraction=drop_noisy,
            pronunciations=pronunciations,
            vocab_index=vocab_index,
        )

    bar.set_description("learn: training")
    # with twins, this first model only romanizes their Devanagari words to align them: no vocabulary index
    model = fit(word_pairs, vocab_index=not twin_texts)
    bar.update()
    if twin_texts:
        extra = twin_pairs(model)
        bar.set_description("learn: training with the twins")
        model = fit(word_pairs + extra)
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
@click.argument("lexicon", required=False, type=InputPath(allow_dash=True))
@model_option("model_path", help="LEXICON: the model file to measure (default: the shipped model).")
@click.option(
    "--direction", type=click.Choice(["roman2deva", "deva2roman"]), help="LEXICON: which way to convert."
)
@click.option(
    "--hyp",
    type=InputPath(allow_dash=True),
    help="A system's output: one line per --ref line, or the JSONL beads of an alignment (--beads).",
)
@click.option(
    "--ref",
    type=InputPath(allow_dash=True),
    help="Reference lines: score --hyp by WER and CER.",
)
@click.option(
    "--beads",
    "gold_beads",
    type=InputPath(allow_dash=True),
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
@format_option(
    ["json", "text"],
    default="json",
    help="json: one object with the figures and signatures; text: sacrebleu-style 'METRIC|signature = score'.",
)
@output_option()
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
    check_output(output, [*inputs, *model_files(model_path)])
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
        from lipyantar.align.evaluate import bead_scores, read_bead_keys

        scores = bead_scores(read_bead_keys(hyp), read_bead_keys(gold_beads))
        text = json.dumps(scores.to_dict(), indent=2) + "\n" if fmt == "json" else scores.to_text()
    else:  # ruled out above
        raise click.UsageError("give one of LEXICON (with --direction), --hyp with --ref, or --hyp with --beads")
    with open_output(output) as out:
        out.write(text)


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
