"""Calibrated candidate probabilities (Candidate.prob): the dataclass, the softmax, the API and jsonl."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit import Candidate, Transliterator
from lipyantar.translit.candidate import PROB_POOL, calibrated_candidates, calibrated_probs
from lipyantar.translit.learned.model import default_model

scores = st.lists(st.floats(min_value=-200, max_value=0, allow_nan=False), min_size=1, max_size=12)
temperatures = st.floats(min_value=0.05, max_value=50)


@pytest.mark.parametrize(
    ("score", "prob"),
    [(0.5, 0.5), (float("nan"), 0.5), (-1.0, 1.5), (-1.0, -0.1), (-1.0, float("nan"))],
)
def test_candidate_rejects_bad_score_or_prob(score: float, prob: float) -> None:
    with pytest.raises(ValueError):
        Candidate("x", score, prob)


@pytest.mark.parametrize(
    "record",
    [{"text": "संगठन", "score": -3.5, "prob": 0.25}, {"text": "namaste", "score": 0.0, "prob": 1.0}],
)
def test_candidate_dict_round_trip(record: dict) -> None:
    cand = Candidate.from_dict(record)
    assert cand.to_dict() == record
    assert Candidate.from_dict(json.loads(json.dumps(cand.to_dict()))) == cand


@pytest.mark.parametrize("record", [{"text": "x"}, {"score": 0.0}, {"text": "x", "score": "high"}, ["x", 0.0]])
def test_candidate_from_bad_record(record: object) -> None:
    with pytest.raises(ValueError):
        Candidate.from_dict(record)  # type: ignore[arg-type]


def test_candidate_from_record_without_prob() -> None:
    assert Candidate.from_dict({"text": "x", "score": 0.0}) == Candidate("x", 0.0, 1.0)


@given(scores, temperatures)
def test_probs_are_a_distribution_ordered_like_the_scores(values: list[float], t: float) -> None:
    probs = calibrated_probs(values, t)
    assert math.isclose(sum(probs), 1.0, rel_tol=1e-9)
    assert all(0.0 <= p <= 1.0 for p in probs)
    for i in range(len(values)):
        for j in range(len(values)):
            if values[i] > values[j]:
                assert probs[i] >= probs[j]


@given(scores, temperatures, st.floats(min_value=-100, max_value=100))
def test_probs_ignore_a_common_shift(values: list[float], t: float, shift: float) -> None:
    a = calibrated_probs(values, t)
    b = calibrated_probs([v + shift for v in values], t)
    assert all(math.isclose(x, y, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def test_a_higher_temperature_flattens() -> None:
    values = [-1.0, -3.0, -6.0]
    assert calibrated_probs(values, 4.0)[0] < calibrated_probs(values, 1.0)[0] < calibrated_probs(values, 0.25)[0]
    assert calibrated_probs([-5.0], 2.0) == [1.0]
    assert calibrated_probs([], 2.0) == []


@pytest.mark.parametrize("t", [0.0, -1.0, float("inf"), float("nan")])
def test_bad_temperature(t: float) -> None:
    with pytest.raises(ValueError):
        calibrated_probs([-1.0], t)


def test_deterministic_conversions_are_certain() -> None:
    assert Transliterator("deva", "iast").candidates("नमस्ते", top_k=3) == [Candidate("namaste", 0.0, 1.0)]


@pytest.mark.parametrize(
    ("src", "dst", "text"),
    [("roman", "deva", "sangathan"), ("roman", "deva", "yah sangathan hai"), ("deva", "roman", "संगठन")],
)
def test_learned_candidates_carry_the_share_of_the_pool(src: str, dst: str, text: str) -> None:
    conv = Transliterator(src, dst)
    five = conv.candidates(text, top_k=PROB_POOL)
    assert len(five) > 1
    stage = conv.stages[0] if src == "roman" else conv.stages[-1]
    # the pool's mass plus the reserve for an answer outside it (relative to the best candidate's)
    assert sum(c.prob for c in five) + stage.reserve * max(c.prob for c in five) == pytest.approx(1.0)
    if " " not in text:  # a single word: best first by score, so by prob (a sentence's first is chosen in context)
        assert [c.prob for c in five] == sorted((c.prob for c in five), reverse=True)
    # the prob of an answer does not depend on how many candidates are asked for
    one = conv.candidates(text, top_k=1)
    assert one[0].text == five[0].text and one[0].prob == pytest.approx(five[0].prob)
    temperature = conv.stages[0].temperature if src == "roman" else conv.stages[-1].temperature
    assert temperature is not None
    assert [c.prob for c in five] == pytest.approx(
        calibrated_probs([c.score for c in five], temperature, reserve=stage.reserve)
    )


def test_model_candidates_match_topk() -> None:
    model = default_model()
    for word in ("sangathan", "kya", "hypothalamus"):
        cands = model.devanagarize_candidates(word, 3)
        assert [(c.text, c.score) for c in cands] == [(d, min(s, 0.0)) for d, s in model.devanagarize_topk(word, 3)]
        assert 0.0 < sum(c.prob for c in cands) <= 1.0 + 1e-9
    cands = model.romanize_candidates("नमस्ते", 2)
    assert [c.text for c in cands] == [r for r, _ in model.romanize_topk("नमस्ते", 2)]
    with pytest.raises(ValueError):
        model.devanagarize_candidates("kya", 0)
    # each direction's probs are its pool's shares at its own calibration (DecodeParams.calibration)
    for topk, candidates, cal, word in (
        (model.devanagarize_topk, model.devanagarize_candidates, model.params.calibration.r2d, "kya"),
        (model.romanize_topk, model.romanize_candidates, model.params.calibration.d2r, "नमस्ते"),
    ):
        pool = topk(word, PROB_POOL)
        shares = calibrated_probs([s for _, s in pool], cal.temperature, reserve=cal.reserve)
        assert [c.prob for c in candidates(word, 2)] == shares[:2]


@pytest.mark.parametrize(
    ("ranked", "k", "expected"),
    [
        ([("a", -1.0), ("b", -2.0), ("c", 0.5)], 2, [("a", -1.0), ("b", -2.0)]),  # the pool is all three
        ([("a", 0.25)], 3, [("a", 0.0)]),  # a score above 0 is capped
        ([], 1, []),
    ],
)
def test_calibrated_candidates(ranked: list[tuple[str, float]], k: int, expected: list[tuple[str, float]]) -> None:
    cands = calibrated_candidates(ranked, k, temperature=2.0, reserve=0.1)
    assert [(c.text, c.score) for c in cands] == expected
    assert [c.prob for c in cands] == calibrated_probs([s for _, s in ranked], 2.0, reserve=0.1)[:k]
    with pytest.raises(ValueError, match="k must be >= 1"):
        calibrated_candidates(ranked, 0, temperature=2.0)


def test_convert_jsonl_has_prob_next_to_score() -> None:
    result = CliRunner().invoke(
        main,
        ["convert", "--from", "roman", "--to", "deva", "--format", "jsonl", "--top-k", "3"],
        input="sangathan\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    record = json.loads(result.output)
    cands = [Candidate.from_dict(c) for c in record["candidates"]]
    assert len(cands) == 3 and cands[0].text == "संगठन"
    assert all(set(c) == {"text", "score", "prob"} for c in record["candidates"])
    assert cands[0].prob > 0.5 > cands[1].prob
