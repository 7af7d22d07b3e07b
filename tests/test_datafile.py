"""The header check of the learned wing's small data files (:mod:`lipyantar.translit.learned.datafile`)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import read_versioned_gzip, read_versioned_json

GOOD = {"format": "f", "version": 2, "x": [1]}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (json.dumps(GOOD), None),
        ("{", "not JSON"),
        ("[1, 2]", "not a f file of version 2"),
        (json.dumps({**GOOD, "version": 3}), "found ('f', 3)"),
        (json.dumps({**GOOD, "format": "g"}), "found ('g', 2)"),
    ],
)
def test_read_versioned_json(text: str, problem: str | None) -> None:
    if problem is None:
        assert read_versioned_json(text, fmt="f", version=2, source="s") == GOOD
    else:
        with pytest.raises(ModelError, match=r"^s: .*" + problem.replace("(", r"\(").replace(")", r"\)")):
            read_versioned_json(text, fmt="f", version=2, source="s")


@pytest.mark.parametrize("damage", [None, "truncated", "not gzip", "not UTF-8", "missing", "other version"])
def test_read_versioned_gzip(tmp_path: Path, damage: str | None) -> None:
    path = tmp_path / "d.json.gz"
    raw = gzip.compress(json.dumps(GOOD).encode())
    if damage == "truncated":
        path.write_bytes(raw[:-10])
    elif damage == "not gzip":
        path.write_bytes(json.dumps(GOOD).encode())
    elif damage == "not UTF-8":
        path.write_bytes(gzip.compress(b"\xff\xfe{}"))
    elif damage == "other version":
        path.write_bytes(gzip.compress(json.dumps({**GOOD, "version": 1}).encode()))
    elif damage is None:
        path.write_bytes(raw)
    if damage is None:
        assert read_versioned_gzip(path, fmt="f", version=2) == GOOD
    else:
        with pytest.raises(ModelError, match=str(path).replace(".", r"\.")):
            read_versioned_gzip(path, fmt="f", version=2)
