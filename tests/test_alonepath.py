"""The English path of single words decided ahead of time for the shipped model
(:mod:`lipyantar.translit.learned.alonepath`): the packaged decisions are the decision's own, they are
used only for the model file, parameters, weights and tables they were made for, and converting one
word with them does not load the decision's word-language tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lipyantar.translit.learned import alonepath
from lipyantar.translit.learned.alonepath import alone_threshold
from lipyantar.translit.learned.model import LearnedModel, default_model


def _decided(model: LearnedModel, word: str) -> bool:
    """The decision's own answer (as without the packaged decisions), at the English path's gate."""
    decision = model.token_decision()
    return decision.probabilities([word])[0] >= alone_threshold(decision, model.params)


def test_the_packaged_decisions_are_the_shipped_models() -> None:
    """On a spread sample of the English pronunciation lexicon (every 150th word, about 780) and words
    of both kinds, the packaged answer is the decision's."""
    model = default_model()
    assert model._packaged_not_english() is not None, "run python scripts/english_path_alone.py"
    words = [*sorted(model.english.prons)[::150], "bike", "late", "care", "kal", "main", "par", "hai", "namaste"]
    for word in words:
        assert model._english_path(word) == _decided(model, word), word


@pytest.mark.parametrize(("word", "english"), [("bike", True), ("care", True), ("kal", False), ("main", False), ("par", False)])
def test_single_words_take_the_path_as_decided(word: str, english: bool) -> None:
    model = default_model()
    assert model._english_path(word) is english
    assert (word in model._packaged_not_english()) is not english  # type: ignore[operator]


@pytest.mark.parametrize(
    ("change", "used"),
    [
        ({"r2d.w_vocab": 9.0}, False),  # the decision's features read the model's answers
        ({"english.w_path": 3.0}, True),  # the decision reads the model without the path
        ({}, True),
    ],
)
def test_the_decisions_are_used_with_their_parameters_only(change: dict, used: bool) -> None:
    model = default_model().with_params(change)
    assert (model._packaged_not_english() is not None) is used


def test_another_model_file_asks_the_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    other = LearnedModel.load(default_model()._file.source)
    monkeypatch.setattr(type(other._file), "sha256", property(lambda self: "0" * 64))
    assert other._packaged_not_english() is None
    assert other._english_path("bike") is True  # asked of the decision itself


@pytest.mark.parametrize("damage", ["truncated", "other version", "no words"])
def test_a_damaged_file_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    import gzip
    import json

    path = tmp_path / "alone.json.gz"
    raw = alonepath.ALONE_PATH.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[:-20])
    else:
        doc = json.loads(gzip.decompress(raw))
        if damage == "other version":
            doc["version"] = alonepath.ALONE_VERSION + 1
        else:
            doc["not_english"] = {"bike": 1}
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    monkeypatch.setattr(alonepath, "ALONE_PATH", path)
    alonepath._packaged.cache_clear()
    try:
        assert LearnedModel.load(default_model()._file.source)._packaged_not_english() is None
    finally:
        alonepath._packaged.cache_clear()


def test_one_word_does_not_load_the_word_language_tables() -> None:
    """In a fresh process: a word with an English pronunciation (so the path is asked) is converted
    without loading the tables; without the packaged decisions they are loaded."""
    code = (
        "import sys\n"
        "from lipyantar.translit.learned.model import default_model\n"
        "from lipyantar.translit import wordlang\n"
        "m = default_model()\n"
        "if sys.argv[1] == 'off': m._file.__class__.sha256 = property(lambda self: '0' * 64)\n"
        "print(m.devanagarize('namaste'), m.devanagarize('bike'), wordlang.load_tables.cache_info().currsize)\n"
    )
    on = subprocess.run([sys.executable, "-c", code, "on"], capture_output=True, text=True, check=True).stdout.split()
    off = subprocess.run([sys.executable, "-c", code, "off"], capture_output=True, text=True, check=True).stdout.split()
    assert on[:2] == off[:2] == ["नमस्ते", "बाइक"]
    assert on[2] == "0" and off[2] == "1"


@pytest.mark.parametrize(("gate", "expected"), [(-1.0, None), (0.5, 0.5), (0.0, 0.0), (0.9, 0.9)])
def test_the_gate_of_a_word_alone(gate: float, expected: float | None) -> None:
    """``english.alone_gate``: the probability from which a word alone takes the English path; negative:
    the decision's own threshold (the one that keeps words in Latin)."""
    model = default_model().with_params({"english.alone_gate": gate})
    decision = model.token_decision()
    want = decision.weights.threshold if expected is None else expected
    assert alone_threshold(decision, model.params) == want


def test_a_word_more_likely_english_than_not_alone_takes_the_path_below_the_threshold() -> None:
    # care: English more likely than not (0.7-0.8), under the keep threshold; on the path at the default
    # gate, off it at the threshold
    model = default_model()
    decision = model.token_decision()
    p = decision.probabilities(["care"])[0]
    assert 0.5 <= p < decision.weights.threshold
    assert model._english_path("care")
    assert not model.with_params({"english.alone_gate": -1.0})._english_path("care")
