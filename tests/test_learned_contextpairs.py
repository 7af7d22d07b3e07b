"""The confusable pairs' classifiers (:mod:`lipyantar.translit.learned.contextpairs`): their features,
their training, the packaged table, and their use in sentence decoding (``sentence.w_pairs``)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.contextpairs import (
    PAIRS,
    PAIRS_PATH,
    ContextPairs,
    load_context_pairs,
    pair_features,
    train_context_pairs,
)
from lipyantar.translit.learned.model import LearnedModel, default_model
from lipyantar.translit.learned.params import DecodeParams


@pytest.mark.parametrize(
    ("sentence", "i", "present", "absent"),
    [
        # the words right before and after, their endings
        ("वे काम करते हैं", 3, ["w1=करते", "w2=काम", "s1=ते", "w12=काम|करते", "r1=</s>", "cw=वे", "cs=वे"], ["cw=करते"]),
        # the clause ends at a finite verb: nothing from before it
        ("वह आया था और वे गए हैं", 6, ["w1=गए", "cw=और", "stopfar"], ["cw=वह", "cw=आया"]),
        # a clause word right before it
        ("कहा कि है", 2, ["w1=कि", "stop=कि"], ["stopfar"]),
        # a number is one token
        ("सन् 1904 में", 2, ["w1=<num>"], ["w1=1904"]),
        # the first word: sentence start
        ("है यह", 0, ["w1=<s>", "w2=<s>", "r1=यह"], []),
    ],
)
def test_pair_features(sentence: str, i: int, present: list[str], absent: list[str]) -> None:
    feats = pair_features(sentence.split(), i)
    assert feats[0] == "b"
    for f in present:
        assert f in feats
    for f in absent:
        assert f not in feats


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["है", "हैं", "वे", "कि", "1904", "के", "लोग", "जाते"]), min_size=1, max_size=20), st.data())
def test_the_clause_is_read_at_most_eight_words_back(words: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(words) - 1))
    feats = pair_features(words, i)
    clause = [f for f in feats if f.startswith("cw=")]
    assert len(clause) <= 7  # two to eight words back
    assert all(f.split("=", 1)[1] in {*words, "<num>"} for f in clause)


def _toy_table() -> ContextPairs:
    # a plural subject three or more words back decides हैं, a singular one है; the words right before
    # are the same in both
    sentences = []
    for _ in range(30):
        sentences.append("वे इस शहर में बहुत प्रसिद्ध हैं".split())
        sentences.append("वह इस शहर में बहुत प्रसिद्ध है".split())
    return train_context_pairs(sentences, [("है", "हैं")])


def test_training_learns_a_subject_beyond_the_trigram() -> None:
    table = _toy_table()
    assert table.logit(0, "वे इस शहर में बहुत प्रसिद्ध है".split(), 6) > 1.0
    assert table.logit(0, "वह इस शहर में बहुत प्रसिद्ध है".split(), 6) < -1.0
    # reproducible
    assert _toy_table() == table


def test_rescoring_shifts_both_words_of_a_pair_by_half_the_log_odds() -> None:
    table = ContextPairs((("है", "हैं"),), ({"b": 0.0, "cw=वे": 2.0},))
    devas = [("वे",), ("अच्छे",), ("है", "हैं", "हे")]
    scored = [((0.0, 1),), ((-1.0, 2),), ((-0.5, 3), (-2.0, 4), (-3.0, 5))]
    again = table.rescored(devas, scored, ["वे", "अच्छे", "है"], 1.5)
    assert again is not None
    assert again[:2] == scored[:2]
    assert again[2] == ((-0.5 - 1.5, 3), (-2.0 + 1.5, 4), (-3.0, 5))
    # the first decoding already has the word the change favours: its path stays the best, nothing to do
    assert table.rescored(devas, scored, ["वे", "अच्छे", "हैं"], 1.5) is None
    # a column with one word of the pair only: nothing to do
    assert table.rescored([("है", "हे")], [((0.0, 1), (-1.0, 2))], ["है"], 1.5) is None


def test_a_pair_needs_two_words_and_a_table_each() -> None:
    with pytest.raises(ValueError, match="the same word twice"):
        ContextPairs((("है", "है"),), ({},))
    with pytest.raises(ValueError, match="one weight table per pair"):
        ContextPairs((("है", "हैं"),), ())


def test_json_round_trip(tmp_path: Path) -> None:
    table = _toy_table()
    path = tmp_path / "pairs.json.gz"
    table.write(path, source="toy")
    back = load_context_pairs(str(path))
    assert back == table
    assert json.loads(gzip.decompress(path.read_bytes()))["source"] == "toy"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"format": "other", "version": 1}, "not a lipyantar-context-pairs"),
        ({"format": "lipyantar-context-pairs", "version": 1, "pairs": [["है"]], "weights": [{}]}, "malformed"),
    ],
)
def test_a_bad_table_is_refused(tmp_path: Path, content: dict[str, object], message: str) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(json.dumps(content).encode("utf-8")))
    with pytest.raises(ModelError, match=message):
        load_context_pairs(str(path))


def test_a_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot be read"):
        load_context_pairs(str(tmp_path / "missing.json.gz"))


def test_the_packaged_table_has_the_pairs() -> None:
    table = load_context_pairs()
    assert PAIRS_PATH.exists()
    assert table.pairs == PAIRS
    assert all(len(weights) > 100 for weights in table.weights)
    # a singular subject in the clause: है; a plural participle: हैं
    assert table.logit(0, "वह अब भी यहीं रहता है".split(), 5) < 0
    assert table.logit(0, "उसके अनुयायी विश्व भर में फैले है".split(), 6) > 0


def test_w_pairs_is_not_negative() -> None:
    with pytest.raises(ValueError, match="w_pairs"):
        DecodeParams().updated({"sentence.w_pairs": -1.0})


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


def test_a_plural_participle_further_back_decides_a_typed_hai(model: LearnedModel) -> None:
    typed = "uske anuyayi vishv bhar mein faile hai".split()
    assert model.with_params({"sentence.w_pairs": 0.0}).devanagarize_words(typed)[-1] == "है"
    assert model.devanagarize_words(typed)[-1] == "हैं"


def test_the_pairs_leave_other_sentences_as_they_were(model: LearnedModel) -> None:
    off = model.with_params({"sentence.w_pairs": 0.0})
    for typed in ["vah ab bhi yahin rehta hai", "ghar me kaun hai", "ve kaam karte hai"]:
        assert model.devanagarize_words(typed.split()) == off.devanagarize_words(typed.split())


def test_a_model_reads_the_table_it_is_given(model: LearnedModel) -> None:
    # a table that always says हैं
    given = model.with_params()
    given.context_pairs = ContextPairs((("है", "हैं"),), ({"b": 50.0},))
    assert given.devanagarize_words("vah ab bhi yahin rehta hai".split())[-1] == "हैं"
