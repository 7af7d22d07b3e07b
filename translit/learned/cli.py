"""``lipyantar evaluate``: measure a learned model on a lexicon (``lipyantar learn`` is in
:mod:`align.cli`, since learning from a twin aligns it first).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import click

from translit.cli import run_cli_errors
from translit.learned.charalign import normalize_deva, normalize_roman
from translit.learned.model import LearnedModel, default_model, load_model
from translit.metrics import edit_distance

__all__ = ["EvalResult", "evaluate", "evaluate_command"]

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
    from translit.learned.learn import read_pairs

    model = _load(model_path)
    result = evaluate(model, read_pairs(lexicon), direction=direction)
    click.echo(json.dumps(asdict(result), indent=2))
