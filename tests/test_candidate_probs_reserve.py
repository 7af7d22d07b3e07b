"""The reserve of calibrated probabilities: mass kept for an answer outside the k best."""

import math

import pytest

from lipyantar.translit.candidate import calibrated_probs


@pytest.mark.parametrize("reserve", [0.0, 0.1024, 1.0])
@pytest.mark.parametrize("scores", [[-1.0], [-1.0, -2.0, -9.0], [-3.0, -3.0]])
def test_reserve_caps_and_keeps_the_order(scores: list[float], reserve: float) -> None:
    probs = calibrated_probs(scores, 2.0, reserve=reserve)
    assert sorted(probs, reverse=True) == probs
    assert max(probs) <= 1 / (1 + reserve) + 1e-12
    assert math.isclose(sum(probs) + reserve * max(probs), 1.0)


@pytest.mark.parametrize("reserve", [-0.1, math.inf, math.nan])
def test_a_bad_reserve_is_refused(reserve: float) -> None:
    with pytest.raises(ValueError, match="reserve"):
        calibrated_probs([-1.0], 1.0, reserve=reserve)


def test_the_shipped_model_keeps_a_reserve() -> None:
    from lipyantar.translit.transliterate import Transliterator

    cands = Transliterator("roman", "deva").candidates("sangathan", top_k=5)
    assert cands[0].text == "संगठन" and 0.8 < cands[0].prob < 1 / 1.1024 + 1e-9
