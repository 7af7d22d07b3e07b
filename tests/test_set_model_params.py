"""``scripts/set_model_params.py``: a model file's stored decoding parameters rewritten, nothing else."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.params import DecodeParams, decode_params

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "set_model_params.py"
SHIPPED = ROOT / "translit" / "learned" / "data" / "roman-default.lpm"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("set_model_params", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shipped() -> bytes:
    return SHIPPED.read_bytes()


def test_the_shipped_model_stores_every_default() -> None:
    # a default changed without rewriting the shipped file's parameters would not reach it
    _, _, tables = modelfile.read_tables(SHIPPED.read_bytes(), str(SHIPPED))
    assert decode_params(tables["params"]).to_flat() == DecodeParams().to_flat()


@pytest.mark.parametrize(
    "changes",
    [
        {"sentence.beam": 9},
        {"sentence.english_path": -1.0, "sentence.english_window": 0},
        {"casual.convention_penalty": 5.5},
    ],
)
def test_only_the_parameters_change(script: ModuleType, shipped: bytes, changes: dict[str, object]) -> None:
    out = script.rewritten(shipped, changes, "shipped")
    header, order, tables = modelfile.read_tables(out, "out")
    old_header, old_order, old_tables = modelfile.read_tables(shipped, "shipped")
    assert order == old_order
    assert {k for k in tables if tables[k] != old_tables[k]} == {"params"}
    params = decode_params(tables["params"])
    before = decode_params(old_tables["params"])
    assert {path: params.get(path) for path in changes} == changes
    assert params.to_flat() == before.updated(changes).to_flat()
    # in the order a saved model writes them: an adaptation file rebuilds the same tables byte for byte
    assert list(tables["params"]) == list(DecodeParams().to_flat())
    _, arrays = modelfile.read_arrays(out, "out")
    _, old_arrays = modelfile.read_arrays(shipped, "shipped")
    assert set(arrays) == set(old_arrays)
    assert [k for k in arrays if bytes(memoryview(arrays[k])) != bytes(memoryview(old_arrays[k]))] == ["tables"]
    # adaptation files made against the old file still name it
    assert modelfile.identities(old_header) <= modelfile.identities(header)
    assert header["sha256"] != old_header["sha256"]


def test_a_rewritten_file_loads_with_its_parameters(script: ModuleType, shipped: bytes, tmp_path: Path) -> None:
    path = tmp_path / "m.lpm"
    path.write_bytes(script.rewritten(shipped, {"sentence.english_path": -1.0}, "shipped"))
    model = LearnedModel.load(path)
    assert model.params.sentence.english_path == -1.0
    assert model.devanagarize_words("unhone The Times of India ke liye likha".split())[1] == "थे"


def test_a_bad_value_is_refused(script: ModuleType, shipped: bytes) -> None:
    with pytest.raises(ValueError):
        script.rewritten(shipped, {"sentence.english_window": -1}, "shipped")
