"""Adaptation files (model.lpm of a build): patches, loading by base checksum, equality with the full model."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import adaptation, langmodel
from lipyantar.translit.learned.adaptation import (
    is_adaptation,
    load_adaptation,
    load_adaptation_tables,
    make_adaptation,
    model_checksum,
)
from lipyantar.translit.learned.model import MODEL_FILE_FORMAT, LearnedModel
from lipyantar.translit.learned.modelfile import model_file_bytes, read_arrays, unpack_arrays

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

items = st.lists(st.integers(min_value=0, max_value=6), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=30) | st.dictionaries(st.text(max_size=2), inner, max_size=4),
    max_leaves=60,
)


def _apply(base: list, new: list) -> list:
    drops, inserted = adaptation._seq_patch(base, new)
    out: list = []
    new_items = [new[j] for j in inserted]
    n = adaptation._apply_seq(len(base), drops, inserted, lambda a, b: out.extend(base[a:b]), lambda k: out.append(new_items[k]))
    assert n == len(out)
    return out


@given(items, items)
def test_sequence_patch_rebuilds_any_list(base: list, new: list) -> None:
    assert _apply(base, new) == new


def test_sequence_patch_of_an_insertion_is_small() -> None:
    base = list(range(1000))
    new = [*base[:500], -1, -2, *base[500:700], *base[701:]]
    drops, inserted = adaptation._seq_patch(base, new)
    assert drops == [[700, 701]] and inserted == [500, 501]


@given(json_values, json_values)
def test_json_patch_rebuilds_any_value(base: object, new: object) -> None:
    patch = adaptation._json_patch(base, new)
    out = base if patch is None else adaptation._apply_json(base, json.loads(json.dumps(patch)))
    assert adaptation._dump(out) == adaptation._dump(new)


scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2, allow_nan=False) | st.text(max_size=2)

python_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=8)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=2) | st.integers(0, 3), inner, max_size=4),
    max_leaves=30,
)


@given(python_values)
def test_a_plain_json_table_reads_back_as_it_is(value: object) -> None:
    """make_adaptation_of writes and reads back only the tables that are not plain JSON: a plain one is
    the same value, of the same types, as its JSON read back; one with a tuple or a non-string key is not."""
    back = json.loads(json.dumps(value, ensure_ascii=False))
    assert adaptation._json_plain(value) == (adaptation._same_json(value, back) and value == back)
    assert not adaptation._json_plain([("a", 1)]) and not adaptation._json_plain({1: "a"})
    assert adaptation._json_plain({"a": [["d", "r", 1.0], None, True]})



@given(st.lists(scalars, min_size=3, max_size=3))
def test_json_key_of_a_three_item_row_is_the_generic_key(item: list) -> None:
    """The fast path for [str, str, value] rows gives the key of the generic rule (equal keys exactly
    for the same JSON values: True, 1 and 1.0 are told apart)."""
    generic = (
        (len(item), *((type(x).__name__, x) if isinstance(x, (int, float)) else x for x in item))
        if all(isinstance(x, str) for x in item[:-1])
        else adaptation._dump(item)
    )
    assert adaptation._key(item) == generic
    assert adaptation._key(["a", "b", True]) != adaptation._key(["a", "b", 1]) != adaptation._key(["a", "b", 1.0])


row_values = st.lists(
    st.lists(st.text(max_size=2), min_size=2, max_size=2).flatmap(
        lambda two: (st.floats(allow_nan=False) | scalars).map(lambda last: [*two, last])
    )
    | st.lists(scalars, max_size=4),
    max_size=12,
)


@given(row_values)
def test_the_keys_of_a_table_are_its_rows_keys(items: list) -> None:
    """The keys of a table's rows at once (made in C for rows of two strings and a float) are the
    keys of its rows one by one."""
    assert adaptation._keys(items) == [adaptation._key(x) for x in items]
    rows = [["a", "b", 1.0], ["c", "d", 2.5]] * 3
    assert adaptation._keys(rows) == [adaptation._key(x) for x in rows]


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0, 4, allow_nan=False)), max_size=30), st.data())
def test_row_patch_rebuilds_parallel_arrays(rows: list, data: st.DataObject) -> None:
    new_rows = data.draw(st.lists(st.sampled_from(rows), max_size=30)) if rows else []
    new_rows += data.draw(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0, 4)), max_size=5))

    def cols(rs: list) -> list[array]:
        return [array("i", (x for r in rs for x in r[:2])), array("d", (r[2] for r in rs))]

    base, new = cols(rows), cols(new_rows)
    patch = adaptation._row_patch(base, new, "t")
    assert adaptation._apply_rows(base, patch, "t") == new


# -- a real build --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("adapt")
    runner = CliRunner()
    for name, extra in (("small", []), ("full", ["--standalone-model"])):
        result = runner.invoke(
            main, ["-q", "build", str(example_dir), "-o", str(root / name), "--jobs", "1", "--no-progress", *extra]
        )
        assert result.exit_code == 0, result.output
    return root / "small" / "model.lpm", root / "full" / "model.lpm"


def test_build_writes_a_small_adaptation_of_the_default_model(builds: tuple[Path, Path]) -> None:
    small, full = builds
    data = small.read_bytes()
    assert is_adaptation(data) and not is_adaptation(full.read_bytes())
    assert len(data) < 1_000_000 < full.stat().st_size
    header = json.loads(data.split(b"\n", 2)[1])
    default = (Path(adaptation.__file__).parent / "data" / "roman-default.lpm").read_bytes()
    assert header["base"]["sha256"] == model_checksum(default, fmt=MODEL_FILE_FORMAT)
    # written straight from the adapted tables (no full file made): no checksum of a full file
    assert "model_sha256" not in header
    assert "joint" in json.loads(unpack_arrays(data.split(b"\n", 2)[2])["adaptation.patch"].tobytes())["rebuild"]


def test_the_rebuilt_joint_model_is_verified_equal(builds: tuple[Path, Path]) -> None:
    """build skips the check that the joint automaton rebuilds bit for bit; the checked adaptation of the
    standalone file is the same file (the same payload; its header names the full file's checksum too)."""
    small, full = builds
    default = (Path(adaptation.__file__).parent / "data" / "roman-default.lpm").read_bytes()
    checked = make_adaptation(default, full.read_bytes(), fmt=MODEL_FILE_FORMAT, verify_rebuild=True)
    magic, head, payload = checked.split(b"\n", 2)
    header = json.loads(head)
    assert header.pop("model_sha256") == model_checksum(full.read_bytes(), fmt=MODEL_FILE_FORMAT)
    assert magic + b"\n" + json.dumps(header, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n" + payload == small.read_bytes()


def test_adaptation_loads_to_the_standalone_model(builds: tuple[Path, Path]) -> None:
    small, full = builds
    assert load_adaptation(small.read_bytes(), fmt=MODEL_FILE_FORMAT, source=str(small)) == read_arrays(full.read_bytes())[1]
    a, b = LearnedModel.load(small), LearnedModel.load(full)
    words = ["sangathan", "antarrashtriya", "sanstha", "he", "kya", "duniya", "hypothalamus", "xqzt"]
    for word in words:
        assert a.devanagarize_topk(word, 5) == b.devanagarize_topk(word, 5)
    for deva in ["संगठन", "है", "अंतरराष्ट्रीय", "प्रवासन", "दुनिया"]:
        assert a.romanize_topk(deva, 5) == b.romanize_topk(deva, 5)
    assert a.devanagarize_sentences([words[:4]]) == b.devanagarize_sentences([words[:4]])
    assert a.meta == b.meta


def test_the_tables_come_decoded_for_the_model(builds: tuple[Path, Path]) -> None:
    small, full = builds
    arrays, tables = load_adaptation_tables(small.read_bytes(), fmt=MODEL_FILE_FORMAT)
    expected = read_arrays(full.read_bytes())[1]
    assert tables == json.loads(expected.pop("tables").tobytes())
    assert arrays == expected and list(arrays) == list(expected)


def test_the_joint_automaton_is_rebuilt_by_the_compiled_kernel(
    builds: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading compiles the joint automaton in C when the kernels are built (a tenth of a second, against
    seconds for the Python code, which must not run)."""
    if langmodel.FAST is None:
        pytest.skip("the compiled kernels are not built or are switched off")

    def python_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pure-Python Kneser-Ney code ran")

    monkeypatch.setattr(langmodel, "kn_arrays", python_rebuild)
    monkeypatch.setattr(langmodel, "merge_kn_parts", python_rebuild)
    small, full = builds
    assert load_adaptation(small.read_bytes(), fmt=MODEL_FILE_FORMAT) == read_arrays(full.read_bytes())[1]
    assert LearnedModel.load(small).meta == LearnedModel.load(full).meta


def test_the_pure_python_rebuild_gives_the_same_model(
    builds: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(langmodel, "FAST", None)  # as LIPYANTAR_PURE_PYTHON=1 or no compiler
    small, full = builds
    assert load_adaptation(small.read_bytes(), fmt=MODEL_FILE_FORMAT) == read_arrays(full.read_bytes())[1]


@pytest.mark.parametrize("pure", [False, True])
def test_counts_that_cannot_compile_are_a_clear_error(
    builds: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pure: bool
) -> None:
    """A well-formed file whose counts divide by zero (all zero) fails as ModelError, compiled or not."""
    if pure:
        monkeypatch.setattr(langmodel, "FAST", None)
    full = builds[1].read_bytes()
    arrays = read_arrays(full)[1]
    arrays["joint.count_values"] = array("d", [0.0] * len(arrays["joint.count_values"]))
    zeroed = model_file_bytes(arrays, {})
    default = (Path(adaptation.__file__).parent / "data" / "roman-default.lpm").read_bytes()
    path = tmp_path / "zero.lpm"
    path.write_bytes(make_adaptation(default, zeroed, fmt=MODEL_FILE_FORMAT, verify_rebuild=False))
    with pytest.raises(ModelError, match=r"zero\.lpm: malformed adaptation"):
        LearnedModel.load(path)


def test_convert_with_the_adaptation(builds: tuple[Path, Path], example_roman: Path) -> None:
    small, full = builds
    runner = CliRunner()
    outs = [
        runner.invoke(main, ["convert", "--from", "roman", "--to", "deva", "--model", str(m), str(example_roman)])
        for m in (small, full)
    ]
    assert outs[0].exit_code == 0 and outs[0].output == outs[1].output


def test_a_different_base_is_a_clear_error(builds: tuple[Path, Path], tmp_path: Path) -> None:
    full = builds[1]
    other = make_adaptation(full.read_bytes(), full.read_bytes(), fmt=MODEL_FILE_FORMAT)  # of the full model
    path = tmp_path / "other.lpm"
    path.write_bytes(other)
    with pytest.raises(ModelError, match="checksum"):
        LearnedModel.load(path)
    assert LearnedModel.load(path, base=full).meta == LearnedModel.load(full).meta


@pytest.mark.parametrize("damage", ["flip", "truncate", "version"])
def test_a_damaged_adaptation_is_a_clear_error(builds: tuple[Path, Path], tmp_path: Path, damage: str) -> None:
    data = bytearray(builds[0].read_bytes())
    if damage == "flip":
        data[-10] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(bytes(data).replace(b'"version":1', b'"version":99', 1))
    path = tmp_path / "bad.lpm"
    path.write_bytes(bytes(data))
    message = r"bad\.lpm.*version 99 is not supported" if damage == "version" else r"bad\.lpm"
    with pytest.raises(ModelError, match=message):
        LearnedModel.load(path)
