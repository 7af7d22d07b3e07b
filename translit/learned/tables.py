"""The checks of a model file's string tables (vocabularies, memory, romanization table, skeleton index):
types and shapes that the loader relies on, by columns with the loops in C."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

__all__ = ["REQUIRED_TABLES", "check_table", "check_tables"]


def _is_number(x: object) -> bool:
    return type(x) in (int, float) and math.isfinite(x)  # type: ignore[arg-type]


_CELL: dict[str, Callable[[object], bool]] = {
    "s": lambda x: type(x) is str,
    "n": _is_number,
    "S": lambda x: type(x) is list and all(type(y) is str for y in x),
}


def _rows(tables: dict[str, Any], path: str, kinds: str) -> None:
    """ValueError unless ``tables[path]`` (``a.b`` for nested, absent is fine) is a list of rows whose
    cells are of ``kinds`` (``s`` str, ``n`` finite number, ``S`` list of str), or of plain strings
    for ``kinds == "s*"``."""
    value: Any = tables
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return
        value = value[key]
    if value is None:  # stored as columns (checked as the model file reads them)
        return
    if not isinstance(value, list):
        raise ValueError(f"table {path} is not a list")
    if kinds == "s*":
        if not all(type(x) is str for x in value):
            raise ValueError(f"table {path} holds something other than strings")
        return
    if value and not _rows_ok(value, kinds):
        checks = [_CELL[k] for k in kinds]
        for row in value:
            if (
                type(row) is not list
                or len(row) != len(checks)
                or not all(f(x) for f, x in zip(checks, row, strict=True))
            ):
                raise ValueError(f"table {path} has a bad row {str(row)[:60]}")


def _rows_ok(rows: list[Any], kinds: str) -> bool:
    """Whether every row is a list of cells of ``kinds`` (as :func:`_rows` checks it), by columns with
    the loops in C: a model file has ~200k cells, and a row at a time takes half of its load time."""
    if set(map(type, rows)) != {list} or set(map(len, rows)) != {len(kinds)}:
        return False
    for kind, column in zip(kinds, zip(*rows, strict=True), strict=True):
        types = set(map(type, column))
        if kind == "s" and not types <= {str}:
            return False
        if kind == "n" and not (types <= {int, float} and all(map(math.isfinite, column))):
            return False
        if kind == "S" and not (
            types <= {list} and set(map(type, itertools.chain.from_iterable(column))) <= {str}
        ):
            return False
    return True


#: the tables every model file has
REQUIRED_TABLES = ("joint", "charlm", "romanlm", "wordlm")
#: the tables of rows inside the components' tables, and the components' own tables of rows
_NESTED_ROWS = {
    "joint": (("graphones", "ss"),),
    "english": (("graphones", "ss"),),
    "charlm": (("vocab", "s*"),),
    "romanlm": (("vocab", "s*"),),
    "wordlm": (("vocab", "s*"), ("prior", "sn")),
}
_TOP_ROWS = {"pairs": "ssn", "d2r_table": "ssn", "vocab_index": "sS"}


def check_table(name: str, value: Any) -> None:
    """ValueError unless the JSON table ``name`` of a model file has the type and shape the loader relies
    on (the automata and decoding parameters are checked where they are read)."""
    if name in _NESTED_ROWS:
        if value is None and name in REQUIRED_TABLES:
            raise ValueError(f"table {name} is missing")
        order = value.get("order", 1) if isinstance(value, dict) else None
        if type(order) is not int or not 1 <= order <= 16:
            raise ValueError(f"table {name} has a bad order {order!r}")
        for key, kinds in _NESTED_ROWS[name]:
            _rows({name: value}, f"{name}.{key}", kinds)
    elif name == "meta":
        if not isinstance(value, dict):
            raise ValueError("table meta is not an object")
    elif name in _TOP_ROWS:
        _rows({name: value}, name, _TOP_ROWS[name])


def check_tables(tables: dict[str, Any]) -> None:
    """:func:`_check_table` of every table (the required ones present)."""
    for name in REQUIRED_TABLES:
        if not isinstance(tables.get(name), dict):
            raise ValueError(f"table {name} is missing")
    for name, value in tables.items():
        check_table(name, value)
    if "meta" not in tables:
        check_table("meta", {})


