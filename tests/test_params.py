"""The decoding parameters (lipyantar.translit.learned.params): the groups' checks, the flat names of the
model file (every older file's table still loads), the one declaration of what the compiled channel reads
(checked against _fastlm.c), and the README's generated table."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_learned import synthetic_pairs  # tests/ is on sys.path under pytest

from lipyantar.translit.learned.langmodel import FAST
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.params import (
    CHANNEL_PARAMS,
    FLAT_NAMES,
    SEARCH_KINDS,
    SIZE_FIELDS,
    DecodeParams,
    SearchSize,
    decode_params,
    field_docs,
    leaf_paths,
    params_table,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
C_SOURCE = ROOT / "translit" / "learned" / "_fastlm.c"

#: the table of DecodeParams as the model files written before the groups store it (the shipped
#: model's), with other values than the defaults where a value has room
LEGACY_FLAT: dict[str, Any] = {
    "nbest": 40, "beam": 44, "search_threshold": 11.0, "index_min_count": 2.0, "index_max": 18, "beam_d2r": 9,
    "w_roman": 0.3, "len_bonus": -0.1, "w_rules": 3.5, "w_char": 1.1, "w_marg": 0.4, "marg_beam": 2,
    "marg_top": 15, "w_rules_eq": 0.9, "w_rules_dist": 1.4, "stage1_rules": True, "rules_top": 14,
    "vocab_cands": 29, "forced_beam": 15, "english_k": 9, "english_beam": 14, "w_english": 2.5,
    "english_miss": 1.25, "english_forced_beam": 13, "english_unspellable": -0.5, "final_virama": 2.0,
    "acronym_max": 5, "w_acronym": 0.75, "w_acronym_odd": 2.0, "caps_acronyms": False, "top1_beam": 17,
    "top1_threshold": 8.0, "top1_marg_top": 7, "top1_vocab_cands": 19, "top1_english_k": 8, "w_word": 0.3,
    "w_vocab": 9.0, "vocab_big": 11, "top1_vocab_big": 12, "ctx_vocab_big": 4, "oov_logprob": -23.0,
    "w_mem": 0.6, "attested_gap": 3.0, "w_ctx": 1.7, "ctx_oov_logprob": -8.0, "w_ctx_prior": 0.9,
    "ctx_nbest": 7, "ctx_search_beam": 11, "ctx_threshold": 6.0, "ctx_marg_top": 4, "ctx_vocab_cands": 6,
    "ctx_english_k": 4, "ctx_acronym_max": 1, "ctx_beam": 9, "temperature_r2d": 3.0, "temperature_d2r": 2.5,
    "reserve_r2d": 0.2, "reserve_d2r": 0.05, "english_keep_logprior": -7.0, "ctx_select_scored": True,
    "ctx_w_vocab": 9.5, "ctx_words": "top1", "ctx_prior": 0.5, "ctx_pmi": 0.25, "ctx_nasal_penalty": 4.0,
    "ctx_vowel_penalty": 4.5, "ctx_convention_penalty": 6.0, "ctx_skeleton_cands": 9,
    "ctx_skeleton_penalty": 10.0, "ctx_skeleton_dist": 5.0, "ctx_skeleton_max_dist": 3,
    "ctx_skeleton_always": True,
}  # fmt: skip


# -- the model file's flat names ------------------------------------------------------------------------
def test_every_parameter_has_one_flat_name() -> None:
    paths = list(leaf_paths())
    assert len(paths) == len(set(paths))
    assert sorted(FLAT_NAMES.values()) == sorted(paths)  # one flat name each, none for a group


def test_a_legacy_flat_table_loads_into_the_groups() -> None:
    params = decode_params(LEGACY_FLAT)
    for flat, value in LEGACY_FLAT.items():
        assert params.get(FLAT_NAMES[flat]) == value, flat
    # one value then, several now: the single-best and sentence searches kept as many candidates as
    # their beam, and the single-best search and the capitals rule used the top-k search's acronym_max
    assert params.search.top1.nbest == 17 and params.search.context.nbest == 11
    assert params.search.top1.acronym_max == params.acronyms.caps_max == 5
    assert params.search.context.acronym_max == 1
    # names a file lacks take their defaults
    assert params.casual.convention_window == DecodeParams().casual.convention_window
    assert decode_params({}) == DecodeParams()


def test_the_flat_table_round_trips() -> None:
    params = decode_params(LEGACY_FLAT).updated({"search.top1.nbest": 3, "acronyms.caps_max": 2})
    flat = params.to_flat()
    assert set(flat) == set(FLAT_NAMES)
    assert decode_params(flat) == params
    assert decode_params({**flat, "from_a_newer_version": 1}) == params  # unknown names are ignored


def test_the_shipped_model_stores_the_flat_table() -> None:
    from lipyantar.translit.learned.model import default_model

    model = default_model()
    stored = model._file.table("params", {})
    assert set(stored) <= set(FLAT_NAMES)
    assert decode_params(stored) == model.params


@pytest.fixture(scope="module")
def tiny() -> LearnedModel:
    return train(synthetic_pairs(300, seed=5), native_text=["कमल नमक"], order=3, noise_fraction=0.0)


def test_a_saved_model_keeps_its_parameters(tiny: LearnedModel, tmp_path: Path) -> None:
    changed = decode_params(LEGACY_FLAT).updated({"search.context.nbest": 5, "names.variant_window": 3.5})
    model = tiny.with_params(changed)
    tables, _ = model._tables_and_arrays()
    assert tables["params"] == changed.to_flat()  # stored flat, under FLAT_NAMES
    model.save(tmp_path / "m.lpm")
    assert LearnedModel.load(tmp_path / "m.lpm").params == changed
    assert LearnedModel.from_arrays(model.to_arrays()).params == changed


@pytest.mark.parametrize(
    ("flat", "value", "message"),
    [
        ("beam", 0, "SearchSize.beam must be within 1"),
        ("top1_nbest", -1, "SearchSize.nbest must be within 1"),
        ("marg_top", -3, "SearchSize.marg_top must be within 0"),
        ("w_char", float("nan"), "RomanToDeva.w_char must be a finite number"),
        ("w_char", "1.2", "RomanToDeva.w_char must be a finite number"),
        ("w_char", True, "RomanToDeva.w_char must be a finite number"),
        ("ctx_beam", 8.0, "SentenceDecoding.beam must be a whole number"),
        ("ctx_beam", 10**7, "SentenceDecoding.beam must be within 1..1000000"),
        ("stage1_rules", 1, "RomanToDeva.stage1_rules must be true or false"),
        ("ctx_words", "sideways", "SentenceDecoding.words must be one of 'top1', 'context'"),
        ("temperature_r2d", 0.0, "Calibration.temperature must be > 0"),
        ("reserve_d2r", -0.1, "Calibration.reserve must be >= 0"),
        ("index_min_count", -1.0, "GraphoneIndex.min_count must be >= 0"),
        ("ctx_convention_window", -2.0, "CasualTyping.convention_window must be >= 0"),
        ("name_variant_window", 1e9, "Names.variant_window must be a finite number within"),
    ],
)
def test_bad_values_are_refused(flat: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        DecodeParams().updated({FLAT_NAMES[flat]: value})
    with pytest.raises(ValueError, match=f"parameter {flat} has a bad value"):
        decode_params({flat: value})


def test_the_groups_check_their_values_when_built() -> None:
    with pytest.raises(ValueError, match=re.escape("SearchSize.beam")):
        SearchSize(
            beam=0, nbest=1, threshold=1.0, marg_top=1, vocab_cands=0, vocab_big=0, english_k=0, acronym_max=0
        )
    with pytest.raises(ValueError, match=re.escape("DecodeParams.search must be a Searches")):
        DecodeParams(search="wide")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DecodeParams(DecodeParams().index)  # type: ignore[misc]  # keyword-only
    assert DecodeParams().updated({"r2d.w_char": 2}).r2d.w_char == 2.0  # an int is stored as a float
    assert type(DecodeParams().updated({"r2d.w_char": 2}).r2d.w_char) is float
    with pytest.raises(ValueError, match="params is not a table"):
        decode_params([("beam", 4)])


@pytest.mark.parametrize(
    ("path", "message"),
    [("sentence.depth", "unknown parameter"), ("search.top1", "is a group"), ("w_ctx", "unknown parameter"),
     ("sentence.beam.x", "unknown parameter")],
)  # fmt: skip
def test_paths(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DecodeParams().updated({path: 1})
    if message == "unknown parameter":
        with pytest.raises(ValueError, match=message):
            DecodeParams().get(path)


@settings(max_examples=60, deadline=None)
@given(
    beam=st.integers(1, 500),
    threshold=st.floats(0, 50, allow_nan=False),
    w_ctx=st.floats(-10, 10, allow_nan=False),
    words=st.sampled_from(["top1", "context"]),
)
def test_updated_changes_only_what_it_names(beam: int, threshold: float, w_ctx: float, words: str) -> None:
    base = DecodeParams()
    params = base.updated({"search.context.beam": beam, "search.context.threshold": threshold,
                           "sentence.w_ctx": w_ctx, "sentence.words": words})  # fmt: skip
    changed = {path for path in leaf_paths() if params.get(path) != base.get(path)}
    wanted = {"search.context.beam": beam, "search.context.threshold": threshold, "sentence.w_ctx": w_ctx,
              "sentence.words": words}  # fmt: skip
    assert changed == {path for path, value in wanted.items() if value != base.get(path)}
    assert decode_params(params.to_flat()) == params


# -- what the compiled channel reads -----------------------------------------------------------------------
def _c_reads(table: str) -> dict[str, str]:
    """The names _fastlm.c reads from its argument ``table`` (params or size), with the C kind read."""
    source = C_SOURCE.read_text(encoding="utf-8")
    return {
        name: kind for kind, name in re.findall(r"item_(double|int|bool)\(" + table + r", \"(\w+)\"", source)
    }


_KIND = {float: "double", int: "int", bool: "bool"}


def test_the_c_source_reads_exactly_the_declared_params() -> None:
    reads = _c_reads("params")
    assert reads, "no reads found: the pattern no longer matches _fastlm.c"
    assert set(reads) == set(CHANNEL_PARAMS)
    params = DecodeParams().channel_params()
    assert {name: _KIND[type(value)] for name, value in params.items()} == reads


def test_the_c_source_reads_exactly_the_declared_size_fields() -> None:
    reads = _c_reads("size")
    assert set(reads) == set(SIZE_FIELDS)
    size = DecodeParams().search_size("topk")
    assert {name: _KIND[type(getattr(size, name))] for name in SIZE_FIELDS} == reads
    assert set(SIZE_FIELDS) <= {f.name for f in fields(SearchSize)}


def test_channel_params_follow_the_parameters() -> None:
    params = decode_params(LEGACY_FLAT)
    assert params.channel_params() == {name: params.get(path) for name, path in CHANNEL_PARAMS.items()}
    sizes = params.channel_sizes()
    assert list(sizes) == list(SEARCH_KINDS)
    assert sizes["top1"]["beam"] == 17 and sizes["context"]["acronym_max"] == 1


@pytest.mark.skipif(
    FAST is None or not hasattr(FAST, "Channel"), reason="the compiled extension is not built"
)
@pytest.mark.parametrize("where", ["params", "sizes"])
def test_the_compiled_channel_refuses_other_names(tiny: LearnedModel, where: str) -> None:
    """The channel checks at run time too: a missing name is a KeyError, an extra one a ValueError."""
    from test_channel import _channel_args

    args = _channel_args(tiny.with_params())
    FAST.Channel(**args)
    if where == "params":
        extra = {**args, "params": {**args["params"], "w_new": 1.0}}  # type: ignore[dict-item]
        missing = {**args, "params": {k: v for k, v in args["params"].items() if k != "w_char"}}  # type: ignore[attr-defined]
    else:
        sizes: dict[str, dict[str, Any]] = args["sizes"]  # type: ignore[assignment]
        extra = {**args, "sizes": {**sizes, "top1": {**sizes["top1"], "width": 3}}}
        missing = {
            **args,
            "sizes": {**sizes, "top1": {k: v for k, v in sizes["top1"].items() if k != "nbest"}},
        }
    with pytest.raises(ValueError, match="disagree"):
        FAST.Channel(**extra)
    with pytest.raises(KeyError, match="w_char" if where == "params" else "nbest"):
        FAST.Channel(**missing)


# -- the documentation ----------------------------------------------------------------------------------
def test_every_parameter_and_group_is_documented() -> None:
    from lipyantar.translit.learned import params as module

    classes = [
        obj for obj in vars(module).values() if isinstance(obj, type) and obj.__module__ == module.__name__
    ]
    for cls in classes:
        if "__dataclass_fields__" in vars(cls):
            docs = field_docs(cls)
            assert set(docs) == {f.name for f in fields(cls)}, cls
            assert all(docs.values()), (cls, [name for name, doc in docs.items() if not doc])
            assert cls.__doc__, cls


def test_defaults_are_finite() -> None:
    for path in leaf_paths():
        value = DecodeParams().get(path)
        assert not isinstance(value, float) or math.isfinite(value)


def test_the_readme_table_is_generated_from_the_code() -> None:
    import params_table as script  # scripts/ is on sys.path (above)

    current = script.readme_table(script.README.read_text(encoding="utf-8"))
    assert current is not None, f"README.md lacks the markers {script.BEGIN!r} … {script.END!r}"
    assert current == params_table(), (
        "README.md's decoding-parameter table is out of date: run python scripts/params_table.py --write"
    )


def test_the_table_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import params_table as script

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{script.BEGIN}\n| old |\n{script.END}\nrest\n", encoding="utf-8")
    monkeypatch.setattr(script, "README", readme)
    assert script.main(["--check"]) == 1
    assert "run python scripts/params_table.py --write" in capsys.readouterr().err
    assert script.main(["--write"]) == 0
    assert script.main(["--check"]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith(f"{script.END}\nrest\n")
    assert script.readme_table(text) == params_table()
    readme.write_text("no markers\n", encoding="utf-8")
    assert script.main(["--check"]) == 1


def test_a_group_that_names_no_field_of_its_own_is_refused() -> None:
    from dataclasses import dataclass

    from lipyantar.translit.learned.params import _check

    @dataclass(frozen=True, kw_only=True)
    class Misspelled:
        beam: int = 4

        def __post_init__(self) -> None:
            _check(self, at_least_one=("beams",))

    with pytest.raises(TypeError, match="Misspelled has no field beams"):
        Misspelled()


def test_the_groups_field_types_are_read_as_get_type_hints_reads_them() -> None:
    """The field types of each group, looked up by name (no eval at import), are get_type_hints'."""
    import dataclasses
    import typing

    from lipyantar.translit.learned import params

    groups = [c for c in vars(params).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]
    assert len(groups) >= 10
    for group in groups:
        assert params._named_hints(group) == typing.get_type_hints(group), group.__name__


def _groups(cls: type = DecodeParams) -> list[type]:
    from dataclasses import fields, is_dataclass

    out = [cls]
    for f in fields(cls):
        value = getattr(cls(), f.name) if cls is DecodeParams else None
        kind = type(value) if value is not None and is_dataclass(value) else None
        if kind is not None and kind not in out:
            out.extend(g for g in _groups(kind) if g not in out)
    return out


@pytest.mark.parametrize("cls", _groups(), ids=lambda c: c.__name__)
def test_groups_compare_hash_and_show_as_generated_dataclasses(cls: type) -> None:
    """Each group's shared equality, hash and repr (params._Group) are those a frozen dataclass would
    generate: checked against a dataclass made with the same fields and values."""
    from dataclasses import field, fields, make_dataclass, replace

    base = DecodeParams()
    value = base if cls is DecodeParams else next(
        v for v in (getattr(g, f.name) for g in [base, base.search, base.calibration] for f in fields(g)) if type(v) is cls
    )
    twin_cls = make_dataclass(
        cls.__name__, [(f.name, Any, field(default=None)) for f in fields(cls)], frozen=True, kw_only=True
    )
    twin = twin_cls(**{f.name: getattr(value, f.name) for f in fields(cls)})
    assert repr(value) == repr(twin)
    assert hash(value) == hash(twin)
    assert value == replace(value) and not value != replace(value)
    assert value.__eq__(twin) is NotImplemented and value != twin
    first = fields(cls)[0].name
    changed = replace(value, **{first: _bumped(getattr(value, first))})
    assert changed != value and changed == replace(changed)
    twin_changed = replace(twin, **{first: getattr(changed, first)})
    assert repr(changed) == repr(twin_changed) and hash(changed) == hash(twin_changed)


def _bumped(value: Any) -> Any:
    """A parameter or group with its first number one more."""
    from dataclasses import fields, is_dataclass, replace

    if not is_dataclass(value):
        return value + 1 if type(value) in (int, float) else not value if type(value) is bool else value
    name = fields(value)[0].name
    return replace(value, **{name: _bumped(getattr(value, name))})
