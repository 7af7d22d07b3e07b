"""The Hindi word frequencies of single-word ranking (``r2d.w_freq``, lipyantar.translit.learned.frequency)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import frequency
from lipyantar.translit.learned.charalign import normalize_deva
from lipyantar.translit.learned.datafile import read_versioned_gzip
from lipyantar.translit.learned.frequency import frequency_bytes, word_zipf
from lipyantar.translit.learned.model import LearnedModel, default_model


def test_packaged_table_is_normalized_and_most_frequent_first() -> None:
    table = word_zipf()
    assert len(table) > 20_000
    assert all(normalize_deva(word) == word for word in table)
    values = list(table.values())
    assert values == sorted(values, reverse=True)
    assert 1.0 <= min(values) and max(values) <= 8.0
    assert table["है"] > 7.0 > table["दवाइयों"] > 0.0


@pytest.mark.parametrize(
    ("freq", "zipf100"),
    [(1e-3, 600), (1e-6, 300), (0.0316, 750), (2e-8, 130)],
)
def test_table_bytes_store_zipf_in_hundredths(tmp_path: Path, freq: float, zipf100: int) -> None:
    path = tmp_path / "f.json.gz"
    path.write_bytes(frequency_bytes({"घर": freq}, source="test"))
    doc = read_versioned_gzip(path, fmt=frequency.FREQUENCY_FORMAT, version=frequency.FREQUENCY_VERSION)
    assert doc["words"] == ["घर"] and doc["zipf100"] == [zipf100]
    assert frequency_bytes({"घर": freq}, source="test") == path.read_bytes()  # deterministic


@pytest.mark.parametrize(
    "doc",
    [
        {"format": "lipyantar-word-frequency", "version": 1, "words": ["घर"], "zipf100": [1, 2]},
        {"format": "lipyantar-word-frequency", "version": 1, "words": "घर", "zipf100": [1]},
        {"format": "lipyantar-word-frequency", "version": 2, "words": [], "zipf100": []},
        {"format": "other", "version": 1, "words": [], "zipf100": []},
    ],
)
def test_a_malformed_table_is_a_model_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: dict[str, object]
) -> None:
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(json.dumps(doc).encode("utf-8")))
    monkeypatch.setattr(frequency, "FREQUENCY_PATH", path)
    word_zipf.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"bad\.json\.gz"):
            word_zipf()
    finally:
        word_zipf.cache_clear()


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    return default_model()


@pytest.mark.slow
@pytest.mark.parametrize("word", ["asankhya", "utrai", "urfa", "elli", "kandal", "avarn"])
def test_frequency_weight_orders_the_candidates(model: LearnedModel, word: str) -> None:
    """With the weight off the table plays no part; with a large one the first candidate is the most
    frequent of the candidates; with the shipped weight the single best is top-k's first. (Words the memory does
    not attest: an attested input's spellings keep their memory order, :func:`attested_first`.)"""
    assert word not in model.memory.r2d
    table = word_zipf()
    off = model.with_params({"r2d.w_freq": 0.0})
    heavy = model.with_params({"r2d.w_freq": 1000.0})
    cands = [deva for deva, _ in off.devanagarize_topk(word, 16)]
    ranked = [deva for deva, _ in heavy.devanagarize_topk(word, 16)]
    assert set(ranked) == set(cands)
    most = max(table.get(deva, 0.0) for deva in cands)
    assert table.get(ranked[0], 0.0) == most
    assert model.devanagarize(word) == model.devanagarize_topk(word, 5)[0][0]
