"""The model file's table check (:func:`lipyantar.translit.learned.model._rows`): fast by columns, same verdicts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipyantar.translit.learned.tables import _rows, _rows_ok

GOOD = [
    ([["a", "b", 1.0], ["c", "d", 2]], "ssn"),
    ([["a", ["x", "y"]], ["b", []]], "sS"),
    ([["a", "b"]], "ss"),
]
BAD = [
    ([["a", "b", math.inf]], "ssn"),
    ([["a", "b", math.nan]], "ssn"),
    ([["a", "b", True]], "ssn"),  # a bool is not a number here
    ([["a", "b", "1"]], "ssn"),
    ([["a", "b"]], "ssn"),
    ([("a", "b", 1.0)], "ssn"),
    ([["a", ["x", 1]]], "sS"),
    ([["a", "x"]], "sS"),
    ([["a", "b", 1.0], None], "ssn"),
]


@pytest.mark.parametrize(("rows", "kinds"), GOOD)
def test_good_tables_pass(rows: list, kinds: str) -> None:
    assert _rows_ok(rows, kinds)
    _rows({"t": rows}, "t", kinds)


@pytest.mark.parametrize(("rows", "kinds"), BAD)
def test_bad_tables_name_the_row(rows: list, kinds: str) -> None:
    assert not _rows_ok(rows, kinds)
    with pytest.raises(ValueError, match="table t has a bad row"):
        _rows({"t": rows}, "t", kinds)


cell = st.one_of(
    st.text(max_size=3), st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.text(max_size=2))
)


def _slow(rows: list, kinds: str) -> bool:
    checks = {
        "s": lambda x: type(x) is str,
        "n": lambda x: type(x) in (int, float) and math.isfinite(x),
        "S": lambda x: type(x) is list and all(type(y) is str for y in x),
    }
    return all(
        type(r) is list and len(r) == len(kinds) and all(checks[k](x) for k, x in zip(kinds, r, strict=True))
        for r in rows
    )


@pytest.mark.slow
@given(
    st.lists(st.lists(cell, min_size=1, max_size=4), min_size=1, max_size=6),
    st.sampled_from(["ssn", "sS", "ss"]),
)
def test_the_column_check_agrees_with_the_row_check(rows: list, kinds: str) -> None:
    assert _rows_ok(rows, kinds) == _slow(rows, kinds)


@pytest.mark.parametrize("skip", [frozenset({"english"}), frozenset({"wordlm", "vocab_index", "english"})])
def test_skipped_tables_and_arrays_keep_their_places_as_none(skip: frozenset[str]) -> None:
    """``tables_and_arrays_but(skip=...)`` (the adaptation writer): the same names in the same order, the
    skipped components' tables and the English model's arrays None, everything else the same."""
    from lipyantar.translit.learned.model import default_model
    from lipyantar.translit.learned.storage import tables_and_arrays, tables_and_arrays_but

    model = default_model()
    tables, arrays = tables_and_arrays(model)
    some_tables, some_arrays = tables_and_arrays_but(model, skip=skip)
    assert list(some_tables) == list(tables) and list(some_arrays) == list(arrays)
    assert [k for k, v in some_tables.items() if v is None] == [k for k in tables if k in skip]
    skipped_arrays = [k for k, v in some_arrays.items() if v is None]
    assert skipped_arrays == ([k for k in arrays if k.startswith("english.")] if "english" in skip else [])
    assert skipped_arrays and all(some_tables[k] == v for k, v in tables.items() if k not in skip)
    assert all(some_arrays[k] == v for k, v in arrays.items() if k not in skipped_arrays)
    assert all(v is not None for v in (*tables.values(), *arrays.values()))
