"""Conversion candidates: a text with its raw score and its calibrated probability.

A candidate's ``score`` is the model's raw log-probability (up to the tuned feature weights: only the
differences between candidates of one input mean something). Its ``prob`` is a calibrated confidence:
the candidate's share of the probability mass of the input's best :data:`PROB_POOL` candidates (or of
the ``k`` asked for, when more), after the scores are divided by a temperature fitted on held-out
training words, with a reserve for an answer outside the pool (:func:`calibrated_probs`). On the
Dakshina dev lexicon each bin of prob is right within about 4 points of its mean prob
(``python scripts/bench_calibration.py`` prints the reliability table). Deterministic conversions give one candidate with score 0.0 and prob 1.0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["PROB_POOL", "Candidate", "calibrated_candidates", "calibrated_probs"]

#: candidates whose mass a candidate's ``prob`` is a share of (at least; more when more are asked for),
#: so that the probability of an answer does not depend on how many candidates are shown
PROB_POOL = 5


@dataclass(frozen=True)
class Candidate:
    """One conversion candidate: the text, its raw score (a log-probability; 0.0 for deterministic
    schemes) and its calibrated probability of being right (1.0 for deterministic schemes)."""

    text: str
    score: float
    prob: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError("Candidate.text must be a str")
        if self.score != self.score or self.score > 1e-9:  # NaN, or a positive log-probability
            raise ValueError(f"a candidate score is a log-probability <= 0, not {self.score!r}")
        if not 0.0 <= self.prob <= 1.0:  # also rejects NaN
            raise ValueError(f"a candidate prob is within [0, 1], not {self.prob!r}")

    def to_dict(self) -> dict[str, object]:
        """``{"text": …, "score": …, "prob": …}`` (the record of ``convert --format jsonl``)."""
        return {"text": self.text, "score": self.score, "prob": self.prob}

    @classmethod
    def from_dict(cls, record: Mapping[str, object]) -> Candidate:
        """The inverse of :meth:`to_dict` (``prob`` defaults to 1.0 for records written without it)."""
        if not isinstance(record, Mapping) or "text" not in record or "score" not in record:
            raise ValueError(f"a candidate record is an object with 'text' and 'score': {record!r}")
        text, score, prob = record["text"], record["score"], record.get("prob", 1.0)
        if not isinstance(text, str):
            raise ValueError(f"a candidate's text is a string: {record!r}")
        if isinstance(score, bool) or isinstance(prob, bool) or not isinstance(score, (int, float)) or not isinstance(prob, (int, float)):
            raise ValueError(f"a candidate's score and prob are numbers: {record!r}")
        return cls(text, float(score), float(prob))


def calibrated_probs(scores: Sequence[float], temperature: float, *, reserve: float = 0.0) -> list[float]:
    """Each score's share of the mass of all of them, after dividing by ``temperature``, with
    ``reserve`` times the best one's weight kept for an answer that is not among them:
    ``exp(s_i / T) / (sum_j exp(s_j / T) + reserve * exp(max_j s_j / T))`` (with ``reserve=0`` a
    softmax: 1.0 for a single score; [] for none).

    The scores are raw log-probabilities of the candidates of one input; ``temperature`` > 1 flattens
    an overconfident model's shares, < 1 sharpens them. ``reserve`` > 0 caps every prob below
    ``1 / (1 + reserve)``: a k-best list does not always hold the right answer, however far ahead
    its first candidate is.
    """
    if not temperature > 0 or math.isinf(temperature):
        raise ValueError(f"temperature must be a positive number, not {temperature!r}")
    if not reserve >= 0 or math.isinf(reserve):
        raise ValueError(f"reserve must be a finite number >= 0, not {reserve!r}")
    if not scores:
        return []
    top = max(scores)
    weights = [math.exp((s - top) / temperature) for s in scores]
    total = sum(weights) + reserve
    return [min(1.0, w / total) for w in weights]


def calibrated_candidates(
    ranked: Sequence[tuple[str, float]], k: int, *, temperature: float, reserve: float = 0.0
) -> list[Candidate]:
    """The first ``k`` of ``ranked`` (``(text, score)``, best first: an input's pool of candidates) as
    :class:`Candidate` objects, each with its share of the whole pool's mass (:func:`calibrated_probs`)
    as its ``prob`` and its score capped at 0.0."""
    if k < 1:
        raise ValueError(f"k must be >= 1, not {k}")
    probs = calibrated_probs([s for _, s in ranked], temperature, reserve=reserve)
    return [
        Candidate(text, min(score, 0.0), prob) for (text, score), prob in zip(ranked[:k], probs, strict=False)
    ]
