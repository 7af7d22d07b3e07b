"""``scripts/set_model_params.py``: a model file's stored decoding parameters rewritten, nothing else."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.adaptation import load_adaptation_tables, make_adaptation
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.params import DecodeParams, decode_params
from lipyantar.translit.learned.storage import MODEL_FILE_FORMAT

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


def _with_params(data: bytes, params: dict[str, object]) -> bytes:
    """The model file ``data`` with its stored parameters table replaced by ``params`` (as it is)."""
    header, order, tables = modelfile.read_tables(data, "model")
    _, arrays = modelfile.read_arrays(data, "model")
    meta = header.get("meta")
    return modelfile.model_file_bytes(
        {name: arrays[name] for name in order if name != "tables"},
        meta if isinstance(meta, dict) else {},
        tables={**tables, "params": params},
    )


def test_an_adaptation_of_the_base_before_its_parameters_were_rewritten_still_loads(
    script: ModuleType, shipped: bytes, tmp_path: Path
) -> None:
    # an earlier release's base stored fewer parameters (those it knew) than its adapted models
    # (every one, as a saved model writes them); the next release rewrote the base's parameters
    # (every one, some changed): an adaptation made by the earlier release must still load against
    # it, with its own values and the new base's for the rest

    flat = dict(DecodeParams().to_flat())
    unknown = {"ctx_english_gate", "ctx_english_window"}  # parameters the earlier base did not store
    assert unknown <= set(flat)
    old_base = _with_params(shipped, {k: v for k, v in flat.items() if k not in unknown})
    adapted_params = decode_params(flat).updated({"sentence.beam": 9, "sentence.english_path": -1.0})
    adapted = _with_params(shipped, dict(adapted_params.to_flat()))
    adaptation = make_adaptation(old_base, adapted, fmt=MODEL_FILE_FORMAT, verify_rebuild=False)
    new_base = tmp_path / "base.lpm"
    new_base.write_bytes(script.rewritten(old_base, {"sentence.english_gate": 0.25, "sentence.nbest": 7}, "old"))
    old_base_path = tmp_path / "old.lpm"
    old_base_path.write_bytes(old_base)

    fmt = MODEL_FILE_FORMAT
    _, exact = load_adaptation_tables(adaptation, fmt=fmt, base=old_base_path)
    assert decode_params(exact["params"]).to_flat() == adapted_params.to_flat()
    _, tables = load_adaptation_tables(adaptation, fmt=fmt, base=new_base)
    params = decode_params(tables["params"])
    # the adaptation's own values (those it changed, and those it stored beyond its base) ...
    assert params.sentence.beam == 9 and params.sentence.english_path == -1.0
    assert params.sentence.english_gate == DecodeParams().sentence.english_gate
    # ... the new base's for those it left as its base had them
    assert params.sentence.nbest == 7
    assert {k for k in tables if k != "params"} == {k for k in exact if k != "params"}
    assert all(tables[k] == exact[k] for k in tables if k != "params")


def test_a_patch_that_does_not_fit_the_rest_of_the_tables_is_still_refused(shipped: bytes, tmp_path: Path) -> None:

    header, order, tables = modelfile.read_tables(shipped, "shipped")
    other_key = next(k for k in tables if k != "params")
    _, arrays = modelfile.read_arrays(shipped, "shipped")
    meta = header.get("meta")
    # a base without one of the other tables: the adaptation's patch names a table it has not
    without = modelfile.model_file_bytes(
        {name: arrays[name] for name in order if name != "tables"},
        meta if isinstance(meta, dict) else {},
        tables={k: v for k, v in tables.items() if k != other_key},
        also_sha256=sorted(modelfile.identities(header)),
    )
    adapted = _with_params(shipped, dict(DecodeParams().updated({"sentence.beam": 9}).to_flat()))
    adaptation = make_adaptation(shipped, adapted, fmt=MODEL_FILE_FORMAT, verify_rebuild=False)
    base = tmp_path / "base.lpm"
    base.write_bytes(without)
    with pytest.raises(ModelError, match="malformed adaptation"):
        load_adaptation_tables(adaptation, fmt=MODEL_FILE_FORMAT, base=base)
