"""``lipyantar learn`` and ``lipyantar evaluate``: train / adapt a learned model and measure it.

Registered on the main click group by :mod:`translit.cli`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import click

from translit.charalign import normalize_deva, normalize_roman
from translit.cli import run_cli_errors
from translit.english import read_cmudict
from translit.errors import InputError
from translit.metrics import edit_distance
from translit.model import LearnedModel, default_model, load_model
from translit.textio import read_text

__all__ = ["EvalResult", "evaluate", "evaluate_command", "learn_command"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalResult:
    """Word-level accuracy of a model on a lexicon."""

    direction: str
    words: int
    top1: float
    top5: float
    cer: float
    words_per_second: float


def evaluate(model: LearnedModel, pairs: Sequence[tuple[str, str, float]], *, direction: str) -> EvalResult:
    """Top-1 / top-5 accuracy and character error rate of ``model`` on lexicon ``pairs``.

    ``roman2deva``: each row is one test item; correct when the output is the native word. Top-1
    and CER are of the single best output (:meth:`LearnedModel.devanagarize`, the single-best
    search), top-5 of :meth:`LearnedModel.devanagarize_topk` with ``k=5``.
    ``deva2roman``: each distinct native word is one item; correct when the output equals any
    attested romanization (case-insensitive); CER is against the closest attested one.
    """
    if direction not in ("roman2deva", "deva2roman"):
        raise ValueError(f"direction must be roman2deva or deva2roman, not {direction!r}")
    top1 = top5 = 0
    errors = chars = 0
    start = time.perf_counter()
    if direction == "roman2deva":
        items = [(normalize_roman(r), normalize_deva(d)) for d, r, _ in pairs]
        for roman, gold in items:
            outs = [d for d, _ in model.devanagarize_topk(roman, 5)]
            best = model.devanagarize(roman)
            top1 += best == gold
            top5 += gold in outs
            errors += edit_distance(best, gold)
            chars += len(gold)
        n = len(items)
    else:
        attested: dict[str, set[str]] = {}
        for d, r, _ in pairs:
            attested.setdefault(normalize_deva(d), set()).add(r.lower())
        for deva, golds in attested.items():
            outs = [r for r, _ in model.romanize_topk(deva, 5)]
            best = outs[0] if outs else ""
            top1 += best in golds
            top5 += any(o in golds for o in outs)
            dist, ref = min((edit_distance(best, g), len(g)) for g in golds)
            errors += dist
            chars += ref
        n = len(attested)
    elapsed = time.perf_counter() - start
    return EvalResult(
        direction=direction,
        words=n,
        top1=top1 / n if n else 0.0,
        top5=top5 / n if n else 0.0,
        cer=errors / chars if chars else 0.0,
        words_per_second=n / elapsed if elapsed > 0 else 0.0,
    )


def _load(model_path: str | None) -> LearnedModel:
    return load_model(model_path) if model_path else default_model()


@click.command("learn")
@click.argument("pairs", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--twin",
    "twins",
    nargs=2,
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="DEVA_FILE ROMAN_FILE",
    help="A Devanagari text and its romanized twin (line-aligned); may be repeated.",
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
@run_cli_errors
def learn_command(
    pairs: tuple[str, ...],
    twins: tuple[tuple[str, str], ...],
    base: str,
    output: str,
    seed: int,
    drop_noisy: float,
    pronunciations: str | None,
) -> None:
    """Learn a romanization model from PAIRS.tsv files (native<TAB>roman[<TAB>count]) and twins."""
    from translit.learn import adapt, pairs_from_twin, read_pairs, train

    if not pairs and not twins:
        raise click.UsageError("give at least one PAIRS file or --twin DEVA_FILE ROMAN_FILE")
    if pronunciations and base == "default":
        raise click.UsageError("--pronunciations needs --base none (the default model has its own)")
    prons = read_cmudict(pronunciations) if pronunciations else None
    word_pairs: list[tuple[str, str, float]] = []
    for path in pairs:
        word_pairs.extend(read_pairs(path))
    twin_texts = [(read_text(d), read_text(r)) for d, r in twins]
    if base == "default":
        model = default_model()
        for deva_text, roman_text in twin_texts:
            word_pairs.extend(pairs_from_twin(deva_text, roman_text, model))
        if not word_pairs:
            raise InputError("no word pairs found in the inputs")
        native = [d for d, _ in twin_texts]
        model = adapt(model, word_pairs, native_text=native or None)
    else:
        natives = [d for d, _ in twin_texts]
        model = (
            train(word_pairs, seed=seed, native_text=natives, noise_fraction=drop_noisy, pronunciations=prons)
            if word_pairs
            else None
        )
        if twin_texts:
            if model is None:
                raise InputError("--base none needs PAIRS files to learn a base from")
            extra = []
            for deva_text, roman_text in twin_texts:
                extra.extend(pairs_from_twin(deva_text, roman_text, model))
            model = train(
                word_pairs + extra, seed=seed, native_text=natives, noise_fraction=drop_noisy, pronunciations=prons
            )
        if model is None:
            raise InputError("no word pairs found in the inputs")
        model.build_vocab_index()
    model.save(output)
    click.echo(f"wrote {output} ({os.path.getsize(output) / 1e6:.2f} MB)", err=True)


@click.command("evaluate")
@click.argument("lexicon", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Model file (default: the shipped model).",
)
@click.option("--direction", type=click.Choice(["roman2deva", "deva2roman"]), required=True)
@run_cli_errors
def evaluate_command(lexicon: str, model_path: str | None, direction: str) -> None:
    """Print top-1 / top-5 accuracy and CER of a model on LEXICON.tsv as JSON."""
    from translit.learn import read_pairs

    model = _load(model_path)
    result = evaluate(model, read_pairs(lexicon), direction=direction)
    click.echo(json.dumps(asdict(result), indent=2))
