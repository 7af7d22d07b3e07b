"""Adaptation files: a learned model stored as its changes to a base model that it names by checksum.

A corpus's own model (``lipyantar build`` → ``model.lpm``) is the default model adapted to a few
hundred word pairs; written in full it is as big as the default model (~11 MB), though almost all of
it is the base's. An adaptation file holds only what differs:

* a magic line ``LIPYANTAR-TRANSLIT-ADAPTATION`` and a JSON header line: format name and version, the
  payload's size and SHA-256, and the **base**: the SHA-256 of the base model's payload (the checksum
  in the base file's own header), its name and its metadata;
* the payload (zlib arrays, as in a version 1 model file): a JSON *patch* of the model's string tables (per key:
  a new value, a patch of a dict, or a patch of a list: runs of items dropped and items inserted at
  their positions), patches of its arrays (whole new arrays, or for tables of parallel arrays read as
  rows, e.g. the joint model's n-gram counts: row runs dropped and rows inserted), the names of the
  base's arrays that the model does not have, and the components that are *rebuilt* from the patched
  tables instead of stored (the joint model's automaton, compiled from its counts: the writer checks
  that the rebuilt arrays equal the model's, bit for bit, and stores them otherwise; the compiled
  kernel :func:`~lipyantar.translit.learned.langmodel.compile_count_table` uses takes about a tenth of a second
  for the default model's counts, the pure-Python fallback 2-3 s, for the same arrays).

Loading resolves the base by its checksum: the model shipped in the package (the default), or a
model file given as ``base``; a missing or different base is a clear :class:`ModelError`. The result
is the same model as the full file (``--standalone-model``): same arrays, same outputs
(:func:`load_adaptation`; :func:`load_adaptation_tables` hands the string tables over decoded, so that
the model is made without encoding and parsing them once more).

A file whose checksums are valid is not trusted further: its header (the base, the checksums and
metadata) and its patch are checked in full before and while they are applied: every key present and
no other, every field of the type the writer gives it, names that exist (arrays deleted, replaced,
patched as rows, components rebuilt; keys of a table), runs and positions in range and in order, one
item or row per position, rows of the base's widths and types, every array of the payload used, and
the result's arrays exactly those of its order. Anything else is a :class:`ModelError` naming the
file, before the model is built (the model then checks its tables as for a full file). The payload
is inflated, within the size its index states (checked against a cap first), before the base is read.

This module knows patches, not the model: what a full model file is (magic line, header, payload
packing) comes in as a :class:`ModelFileFormat`, ``lipyantar.translit.learned.storage.MODEL_FILE_FORMAT``
(:meth:`LearnedModel.load <lipyantar.translit.learned.model.LearnedModel.load>` reads adaptation files through
it, so this module must not import the model's).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import logging
import os
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.langmodel import compile_count_table

__all__ = [
    "ADAPTATION_FORMAT",
    "ADAPTATION_MAGIC",
    "ADAPTATION_VERSION",
    "ModelFileFormat",
    "is_adaptation",
    "load_adaptation",
    "load_adaptation_tables",
    "make_adaptation",
    "make_adaptation_of",
    "model_checksum",
]

logger = logging.getLogger(__name__)

ADAPTATION_MAGIC = b"LIPYANTAR-TRANSLIT-ADAPTATION\n"
ADAPTATION_FORMAT = "lipyantar-translit-adaptation"
ADAPTATION_VERSION = 1

_PATCH = "adaptation.patch"


@dataclass(frozen=True)
class ModelFileFormat:
    """What a full model file is (:mod:`lipyantar.translit.learned.modelfile`): how its header and its
    arrays are read (every checksum checked), the checksums that name it, how an adaptation's payload
    packs named arrays, the name of the default model shipped in ``lipyantar.translit.learned``'s data,
    and how a base model file given by its path is read."""

    read_header: Callable[[bytes, str], tuple[dict[str, Any], int]]
    read_arrays: Callable[[bytes, str], tuple[dict[str, Any], dict[str, array]]]
    identities: Callable[[dict[str, Any]], set[str]]
    pack: Callable[[dict[str, array]], bytes]
    unpack: Callable[[bytes], dict[str, array]]
    default_name: str
    #: the bytes of a model file at a path, ModelError naming it when it is not a regular file (a FIFO,
    #: a device) or is too large to read whole
    read_file: Callable[[str | os.PathLike[str], str], bytes]
    #: the header, the names of the arrays in order and the decoded string tables of a full model file,
    #: without reading its other arrays (None: :meth:`read` reads them all)
    read_tables: Callable[[bytes, str], tuple[dict[str, Any], list[str], dict[str, Any]]] | None = None

    def read(self, data: bytes, source: str) -> tuple[dict[str, Any], dict[str, array]]:
        """Header and arrays of a full model file (ModelError otherwise)."""
        return self.read_arrays(data, source)

    def default_bytes(self) -> tuple[str, bytes]:
        from importlib import resources  # here: loading a model does not pay for its imports

        ref = resources.files("lipyantar.translit.learned") / "data" / self.default_name
        try:
            return self.default_name, ref.read_bytes()
        except OSError as exc:
            raise ModelError(f"the default model {self.default_name} is not installed") from exc


#: the longest header line read
MAX_HEADER = 1 << 20
#: the keys of a patch (all of them, and no other)
_PATCH_KEYS = frozenset({"tables", "order", "delete", "replace", "rows", "rebuild"})
#: the keys of each kind of table patch (all of them, and no other)
_OPS = {
    "set": frozenset({"op", "value"}),
    "dict": frozenset({"op", "patch", "set", "delete", "keys"}),
    "list": frozenset({"op", "drop", "at", "items"}),
}
#: tables of parallel arrays diffed as rows: name -> (array name, values per row, where width comes from)
_ROW_TABLES: dict[str, tuple[str, ...]] = {"joint.counts": ("joint.count_ngrams", "joint.count_values")}
#: components rebuilt on load from the patched tables (their arrays are not stored when they rebuild exactly)
_REBUILDERS: dict[str, Callable[[dict[str, array], dict[str, Any]], dict[str, array]]] = {}


def is_adaptation(data: bytes) -> bool:
    """Whether ``data`` (a file's bytes) is an adaptation file."""
    return data.startswith(ADAPTATION_MAGIC)


def _read(data: bytes, magic: bytes, fmt: str, version: int, source: str) -> tuple[dict[str, Any], bytes]:
    """Header and verified payload of a model or adaptation file."""
    if not data.startswith(magic):
        raise ModelError(f"{source}: not a lipyantar {'adaptation' if magic is ADAPTATION_MAGIC else 'model'} file")
    end = data.find(b"\n", len(magic), MAX_HEADER)
    if end < 0:
        raise ModelError(f"{source}: truncated header")
    try:
        header = _loads(data[len(magic) : end])
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{source}: corrupt header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != fmt:
        raise ModelError(f"{source}: not a {fmt} file")
    if header.get("version") != version:
        raise ModelError(
            f"{source}: {fmt} version {header.get('version')!r} is not supported (this lipyantar reads "
            f"version {version}); rebuild it"
        )
    body = data[end + 1 :]
    if len(body) != header.get("payload_bytes") or hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ModelError(f"{source}: file is corrupt (size or checksum mismatch)")
    return header, body


def _loads(raw: bytes) -> Any:
    """JSON of UTF-8 bytes; ValueError (not RecursionError) when nested too deep to decode."""
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def _is_sha256(value: Any) -> bool:
    return type(value) is str and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _base_checksum(header: dict[str, Any], source: str) -> str:
    """The checksum of the base model that an adaptation's header names, once the header is checked:
    the payload's kind, the base (its checksum, its name, its metadata), the model's checksum and
    metadata, each of the type the writer gives it. ModelError naming the file otherwise."""
    base = header.get("base")
    problem = None
    if header.get("payload") != "zlib-arrays":
        problem = f"payload {str(header.get('payload'))[:40]!r} is not 'zlib-arrays'"
    elif not isinstance(base, dict):
        problem = "the base is not an object" if "base" in header else "the base is missing"
    elif not _is_sha256(base.get("sha256")):
        problem = "the base has no SHA-256 checksum"
    elif not isinstance(base.get("name"), (str, type(None))):  # None: files of the first writer
        problem = "the base's name is not a string"
    elif not isinstance(base.get("meta", {}), dict):
        problem = "the base's metadata is not an object"
    elif "model_sha256" in header and not _is_sha256(header["model_sha256"]):
        problem = "model_sha256 is not a SHA-256 checksum"
    elif not isinstance(header.get("meta", {}), dict):
        problem = "the metadata is not an object"
    if problem is not None or not isinstance(base, dict):
        raise ModelError(f"{source}: corrupt adaptation header: {problem}")
    return str(base["sha256"])


def model_checksum(data: bytes, *, fmt: ModelFileFormat, source: str = "<model>") -> str:
    """The checksum that names a full model file: the SHA-256 of its payload (as in its header)."""
    header, _ = fmt.read_header(data, source)
    return str(header["sha256"])


def _unpack(fmt: ModelFileFormat, body: bytes, source: str) -> dict[str, array]:
    try:
        return fmt.unpack(body)
    except (zlib.error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{source}: payload cannot be decoded: {exc}") from exc


def _tables(arrays: dict[str, array]) -> dict[str, Any]:
    return json.loads(arrays["tables"].tobytes().decode("utf-8"))


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# -- sequence patches -----------------------------------------------------------------------------
def _seq_patch(base: Sequence[Any], new: Sequence[Any]) -> tuple[list[list[int]], list[int]]:
    """How to make ``new`` from ``base`` (hashable items): runs ``[start, end)`` of base items dropped,
    and positions in ``new`` of the items that are inserted (their indexes in ``new``, ascending).

    The kept base items keep their order; in linear time for base items that occur once (the tables
    patched here: sorted n-grams, sorted pairs), correct for any.
    """
    where: dict[Any, list[int]] = {}
    for i, item in enumerate(base):
        where.setdefault(item, []).append(i)
    kept = bytearray(len(base))
    inserted: list[int] = []
    ptr = 0
    for j, item in enumerate(new):
        spots = where.get(item)
        k = bisect.bisect_left(spots, ptr) if spots else 0
        if spots and k < len(spots):
            kept[spots[k]] = 1
            ptr = spots[k] + 1
        else:
            inserted.append(j)
    drops: list[list[int]] = []
    for i, flag in enumerate(kept):
        if not flag:
            if drops and drops[-1][1] == i:
                drops[-1][1] = i + 1
            else:
                drops.append([i, i + 1])
    return drops, inserted


def _kept_runs(n: int, drops: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    runs = []
    at = 0
    for start, end in drops:
        if not at <= start < end <= n:
            raise ValueError("malformed patch: drop runs out of order or out of range")
        if start > at:
            runs.append((at, start))
        at = end
    if at < n:
        runs.append((at, n))
    return runs


def _apply_seq(
    base_len: int,
    drops: Sequence[Sequence[int]],
    positions: Sequence[int],
    emit_base: Callable[[int, int], None],
    emit_new: Callable[[int], None],
) -> int:
    """Replay a sequence patch: ``emit_base(a, b)`` for runs of kept base items, ``emit_new(k)`` for the
    k-th inserted item, in the order of the result. Returns the result's length."""
    if not all(type(p) is int for p in positions) or any(b <= a for a, b in itertools.pairwise(positions)):
        raise ValueError("malformed patch: insert positions are not ascending whole numbers")
    produced = 0
    k = 0
    for a, b in _kept_runs(base_len, drops):
        r = a
        while r < b:
            if k < len(positions) and positions[k] == produced:
                emit_new(k)
                k += 1
                produced += 1
                continue
            take = b - r if k >= len(positions) else min(b - r, positions[k] - produced)
            if take <= 0:
                raise ValueError("malformed patch: insert positions out of order")
            emit_base(r, r + take)
            r += take
            produced += take
    while k < len(positions):
        if positions[k] != produced:
            raise ValueError("malformed patch: insert position out of range")
        emit_new(k)
        k += 1
        produced += 1
    return produced


# -- JSON table patches -----------------------------------------------------------------------------
def _key(item: Any) -> Any:
    """A hashable key of a JSON value, equal for equal values (a tuple for a flat list, else its JSON)."""
    if type(item) is list and len(item) == 3:  # the rows of the big tables (pairs, d2r_table): at once
        first, second, last = item
        if isinstance(first, str) and isinstance(second, str):
            return (3, first, second, (type(last).__name__, last) if isinstance(last, (int, float)) else last)
    if isinstance(item, list) and all(isinstance(x, str) for x in item[:-1]):
        return (len(item), *((type(x).__name__, x) if isinstance(x, (int, float)) else x for x in item))
    return _dump(item)


#: the types of the values that JSON writes and reads back as the same value of the same type
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _json_plain(value: Any) -> bool:
    """Whether ``value`` reads back from its JSON as an equal value of the same types (lists, dicts with
    string keys, strings, numbers, booleans and None; not tuples, other keys or subclasses)."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    scalars = _JSON_SCALARS
    if kind is list:
        kinds = set(map(type, value))
        if kinds <= scalars:
            return True
        if kinds == {list} and set(map(type, itertools.chain.from_iterable(value))) <= scalars:
            return True  # rows of scalars (the big tables), told in C
        return all(type(x) in scalars or _json_plain(x) for x in value)
    if kind is dict:
        return all(type(k) is str for k in value) and all(
            type(x) in scalars or _json_plain(x) for x in value.values()
        )
    return False


def _keys(items: list[Any]) -> list[Any]:
    """``[_key(x) for x in items]``; for rows of two strings and a float (the big tables) made in C."""
    if items and set(map(type, items)) == {list} and set(map(len, items)) == {3}:
        first, second, last = zip(*items, strict=True)
        if set(map(type, first)) == {str} and set(map(type, second)) == {str} and set(map(type, last)) == {float}:
            return list(zip(itertools.repeat(3), first, second, zip(itertools.repeat("float"), last)))
    return [_key(x) for x in items]


def _same_json(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same JSON value, types included (Python's ``==`` has ``False == 0`` and
    ``1 == 1.0``, inside lists and dicts too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same_json, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_json(v, b[k]) for k, v in a.items())
    return bool(a == b)


def _json_patch(base: Any, new: Any) -> dict[str, Any] | None:
    """A patch making ``new`` from ``base`` (None: equal)."""
    if base is new:  # the same value (a table taken over from the base): not walked
        return None
    if base == new and _same_json(base, new):
        return None
    if isinstance(base, dict) and isinstance(new, dict):
        sub = {k: _json_patch(base[k], v) for k, v in new.items() if k in base}
        return {
            "op": "dict",
            "patch": {k: p for k, p in sub.items() if p is not None},
            "set": {k: v for k, v in new.items() if k not in base},
            "delete": sorted(k for k in base if k not in new),
            "keys": list(new),
        }
    if isinstance(base, list) and isinstance(new, list) and len(base) > 16:
        drops, inserted = _seq_patch(_keys(base), _keys(new))
        patch = {"op": "list", "drop": drops, "at": inserted, "items": [new[j] for j in inserted]}
        if len(_dump(patch)) < len(_dump(new)):
            return patch
    return {"op": "set", "value": new}


def _strings(value: Any, what: str) -> list[str]:
    """``value`` when it is a list of distinct strings (ValueError otherwise)."""
    if not isinstance(value, list) or not all(type(x) is str for x in value) or len(set(value)) != len(value):
        raise ValueError(f"malformed patch: {what} is not a list of distinct names")
    return value


def _runs(value: Any, what: str) -> list[tuple[int, int]]:
    """``value`` as runs ``[start, end)`` of whole numbers (ValueError when it is not a list of pairs)."""
    if not isinstance(value, list) or not all(
        isinstance(r, list) and len(r) == 2 and type(r[0]) is int and type(r[1]) is int for r in value
    ):
        raise ValueError(f"malformed patch: {what} is not a list of runs")
    return [(r[0], r[1]) for r in value]


def _apply_json(base: Any, patch: Any) -> Any:
    """``base`` with a table patch applied; ValueError when the patch is malformed or does not fit
    ``base`` (a key it deletes or patches that ``base`` has not, one it sets that ``base`` has, keys
    that are not those of the result, runs or positions out of range, items that are not one per
    position)."""
    op = patch.get("op") if isinstance(patch, dict) else None
    if type(op) is not str or op not in _OPS:
        raise ValueError(f"malformed patch: {str(op)[:40] if isinstance(patch, dict) else 'a table patch'} is not an operation")
    if set(patch) != _OPS[op]:
        raise ValueError(f"malformed patch: a {op!r} patch has the keys {sorted(map(str, patch))[:8]}")
    if op == "set":
        return patch["value"]
    if op == "dict":
        if not isinstance(base, dict):
            raise ValueError("malformed patch: a dict patch of a non-dict")
        sub, new, delete = patch["patch"], patch["set"], set(_strings(patch["delete"], "a dict patch's delete"))
        keys = _strings(patch["keys"], "a dict patch's keys")
        if not isinstance(sub, dict) or not isinstance(new, dict):
            raise ValueError("malformed patch: a dict patch's patch or set is not an object")
        if not delete <= set(base) or not set(sub) <= set(base) - delete or set(new) & set(base):
            raise ValueError("malformed patch: a dict patch names keys that the table has not, or sets one it has")
        out = {k: v for k, v in base.items() if k not in delete}
        for k, p in sub.items():
            out[k] = _apply_json(base[k], p)
        out.update(new)
        if set(keys) != set(out):
            raise ValueError("malformed patch: a dict patch's keys are not those of its result")
        return {k: out[k] for k in keys}
    if not isinstance(base, list):
        raise ValueError("malformed patch: a list patch of a non-list")
    items, positions = patch["items"], patch["at"]
    if not isinstance(items, list) or not isinstance(positions, list) or len(items) != len(positions):
        raise ValueError("malformed patch: a list patch's items are not one per insert position")
    out_list: list[Any] = []
    drops = _runs(patch["drop"], "a list patch's drop")
    _apply_seq(len(base), drops, positions, lambda a, b: out_list.extend(base[a:b]), lambda k: out_list.append(items[k]))
    return out_list


def _apply_tables_patch(base: Any, patch: Any) -> Any:
    """The base model's tables with the tables patch of an adaptation made against an earlier release of
    that base (the checksum it names is among the base's ``also_sha256``) applied (:func:`_apply_json`);
    but when the patch does not fit the base's decoding parameters (``params``) alone, which may have
    been rewritten since (``scripts/set_model_params.py``), they are merged, not patched: the values the
    adaptation gives, the base's for those it does not name (parameters it did not know, or left as its
    base had them)."""
    try:
        return _apply_json(base, patch)
    except ValueError:
        sub = patch.get("patch") if isinstance(patch, dict) and patch.get("op") == "dict" else None
        if not isinstance(sub, dict) or "params" not in sub or not isinstance(base, dict):
            raise
        params = base.get("params")
        if not isinstance(params, dict):
            raise
        rest = {**patch, "patch": {k: v for k, v in sub.items() if k != "params"}}
        out = _apply_json(base, rest)  # the rest must fit strictly
        if not isinstance(out, dict) or "params" not in out:
            raise
        out["params"] = _merged_params(params, sub["params"])
        return out


def _merged_params(base: dict[str, Any], patch: Any) -> dict[str, Any]:
    """The decoding parameters ``base`` with those an adaptation's ``dict`` patch of them gives (its
    keys deleted, patched and set), where the patch sets names ``base`` has now or leaves out names
    it did not know: the base's order, then the patch's new names. ValueError for any other patch (a
    well-formed ``set`` of the whole table always fits, and never comes here)."""
    op = patch.get("op") if isinstance(patch, dict) else None
    if op != "dict" or set(patch) != _OPS["dict"]:
        raise ValueError("malformed patch: the parameters' patch is not a dict patch")
    sub, new = patch["patch"], patch["set"]
    delete = set(_strings(patch["delete"], "a dict patch's delete"))
    keys = set(_strings(patch["keys"], "a dict patch's keys"))
    if not isinstance(sub, dict) or not isinstance(new, dict):
        raise ValueError("malformed patch: a dict patch's patch or set is not an object")
    # what may not fit: names it sets that the base has now, and the base's names it does not know
    if not delete <= set(base) or not set(sub) <= set(base) - delete or not set(sub) | set(new) <= keys:
        raise ValueError("malformed patch: the parameters' patch names parameters the base has not")
    if not keys <= (set(base) - delete) | set(new):
        raise ValueError("malformed patch: the parameters' patch keeps parameters it does not have")
    out = {k: v for k, v in base.items() if k not in delete}
    for k, p in sub.items():
        out[k] = _apply_json(base[k], p)
    out.update(new)
    return out


# -- row tables ---------------------------------------------------------------------------------------
def _widths(columns: Sequence[array], rows: int) -> list[int]:
    if rows == 0:
        return [1] * len(columns)
    widths = [len(c) // rows for c in columns]
    if any(w * rows != len(c) for w, c in zip(widths, columns, strict=True)):
        raise ValueError("the columns of a row table do not have whole rows")
    return widths


def _row_count(columns: Sequence[array]) -> int:
    """Rows of parallel arrays: the length of the shortest (one value per row) column."""
    return min(len(c) for c in columns)


def _rows(columns: Sequence[array], widths: Sequence[int], n: int) -> list[tuple[Any, ...]]:
    """The rows of parallel arrays as tuples (a row of each, concatenated)."""
    strided = [col[k::w] if w > 1 else col for col, w in zip(columns, widths, strict=True) for k in range(w)]
    return list(zip(*strided, strict=True)) if n else []


def _row_patch(base: Sequence[array], new: Sequence[array], name: str) -> dict[str, array]:
    nb, nn = _row_count(base), _row_count(new)
    wb, wn = _widths(base, nb), _widths(new, nn)
    if nb and nn and wb != wn:
        raise ValueError("row widths differ")
    widths = wn if nn else wb
    drops, inserted = _seq_patch(_rows(base, widths, nb), _rows(new, widths, nn))
    out = {
        f"{name}.drop": array("q", (x for run in drops for x in run)),
        f"{name}.at": array("q", inserted),
        f"{name}.widths": array("q", widths),
    }
    for col, (src, w) in enumerate(zip(new, widths, strict=True)):
        picked = array(src.typecode)
        for j in inserted:
            picked.extend(src[j * w : (j + 1) * w])
        out[f"{name}.rows{col}"] = picked
    return out


def _row_parts(name: str, columns: int) -> list[str]:
    """The names of the arrays of a row table's patch."""
    return [f"{name}.drop", f"{name}.at", f"{name}.widths", *(f"{name}.rows{col}" for col in range(columns))]


def _apply_rows(base: Sequence[array], patch: dict[str, array], name: str) -> list[array]:
    """The parallel arrays ``base`` with a row patch applied; ValueError when the patch is malformed or
    does not fit them (row widths other than the base's, rows of another type or not one per insert
    position, runs or positions out of range)."""
    flat, positions, widths_arr = patch[f"{name}.drop"], patch[f"{name}.at"], patch[f"{name}.widths"]
    if any(a.typecode != "q" for a in (flat, positions, widths_arr)) or len(flat) % 2:
        raise ValueError(f"malformed patch: the runs, positions or widths of {name} are not 64-bit pairs")
    drops = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    widths = list(widths_arr)
    n_base = _row_count(base) if base else 0
    if len(widths) != len(base) or not all(w >= 1 for w in widths):
        raise ValueError(f"malformed patch: the row widths of {name}")
    if n_base and widths != _widths(base, n_base):
        raise ValueError(f"malformed patch: the row widths of {name} are not those of the base model")
    new_rows = [patch[f"{name}.rows{col}"] for col in range(len(base))]
    for col, w, rows, ref in zip(range(len(base)), widths, new_rows, base, strict=True):
        if rows.typecode != ref.typecode or len(rows) != w * len(positions):
            raise ValueError(f"malformed patch: rows{col} of {name} are not one row of the base's type per insert position")
    out = [array(c.typecode) for c in base]

    def emit_base(a: int, b: int) -> None:
        for col, w in enumerate(widths):
            out[col].extend(base[col][a * w : b * w])

    def emit_new(k: int) -> None:
        for col, w in enumerate(widths):
            out[col].extend(new_rows[col][k * w : (k + 1) * w])

    _apply_seq(_row_count(base), drops, positions, emit_base, emit_new)
    return out


# -- rebuilt components ---------------------------------------------------------------------------------
def _rebuild_joint(arrays: dict[str, array], tables: dict[str, Any]) -> dict[str, array]:
    """The joint model's automaton compiled from its counts (as :func:`lipyantar.translit.learned.adapting.save_adapted`
    compiles it: one part; the writer checks that the two agree), by
    :func:`~lipyantar.translit.learned.langmodel.compile_count_table`: the compiled kernel when it is built, else
    the pure-Python Kneser-Ney code (same arrays, bit for bit; seconds instead of tens of milliseconds)."""
    joint = tables["joint"]
    order = joint["order"]
    if type(order) is not int or not 1 <= order <= 64 or not isinstance(joint["graphones"], list):
        raise ValueError("the joint model's order or graphones are malformed")
    compiled = compile_count_table(
        max(len(joint["graphones"]), 1), arrays["joint.count_ngrams"], arrays["joint.count_values"], order
    )
    return {f"joint.{k}": v for k, v in compiled.items()}


_REBUILDERS["joint"] = _rebuild_joint


# -- writing and reading ----------------------------------------------------------------------------------
def make_adaptation(
    base_data: bytes,
    model_data: bytes,
    *,
    fmt: ModelFileFormat,
    base_name: str | None = None,
    verify_rebuild: bool = True,
) -> bytes:
    """The adaptation file's bytes that turn the full model file ``base_data`` into ``model_data``.

    A component that can be rebuilt from the patched tables (the joint model's automaton) is rebuilt
    here and compared with the model's arrays, and stored when it differs; ``verify_rebuild=False``
    skips that check (for models whose automaton was compiled from their own count table, as
    :func:`lipyantar.translit.learned.adapting.save_adapted` does: ``build`` writes those). Raises ModelError when
    either is not a valid model file.
    """
    base_header, base = fmt.read(base_data, "base model")
    header, new = fmt.read(model_data, "model")
    return _adaptation_bytes(
        base_header,
        base,
        new,
        _tables(new),
        fmt=fmt,
        meta=header.get("meta", {}),
        model_sha256=header["sha256"],
        base_name=base_name,
        verify_rebuild=verify_rebuild,
    )


def make_adaptation_of(
    base_data: bytes,
    tables: dict[str, Any],
    arrays: dict[str, array | None],
    *,
    fmt: ModelFileFormat,
    meta: dict[str, Any],
    base_name: str | None = None,
    row_patches: dict[str, dict[str, array]] | None = None,
    unchanged: Sequence[str] = (),
) -> bytes:
    """The adaptation file's bytes of a model given by its string ``tables`` (decoded) and its other
    ``arrays``, in file order, without its full file being written: what :func:`make_adaptation` makes of
    that file with ``verify_rebuild=False``, but without the header's ``model_sha256`` (the checksum of a
    full file that was never made).

    An array given as None is one of a component that is rebuilt on load (:data:`_REBUILDERS`, e.g. the
    joint model's automaton, compiled from its counts): it is neither computed nor stored, and the
    component is marked as rebuilt. ``row_patches``: the patches of row tables (:data:`_ROW_TABLES`), made
    by the caller, whose arrays are given as None. ``unchanged``: names of arrays and of tables (``tables.KEY``)
    that the caller knows to be the base's own (given as None, also in ``tables``, where they keep their place): they are neither
    compared nor stored, and the base's arrays are then not read at all (only its tables, when ``fmt`` can).
    ``meta`` is the model's metadata (the header's). Raises ModelError when ``base_data`` is not a valid
    model file, ValueError when a None array is not of a rebuilt component, a patched row table or
    unchanged, or an unchanged name is not the base's.
    """
    same = set(unchanged)
    patched = {n for table in row_patches or {} for n in _ROW_TABLES[table]}
    pending = {n.split(".", 1)[0] for n, arr in arrays.items() if arr is None and n not in patched and n not in same}
    if not pending <= set(_REBUILDERS):
        raise ValueError(f"arrays left out of components that are not rebuilt: {sorted(pending - set(_REBUILDERS))}")
    needs_arrays = any(arr is not None for n, arr in arrays.items() if n not in same and n not in patched)
    if fmt.read_tables is not None and not needs_arrays:
        base_header, names, base_tables = fmt.read_tables(base_data, "base model")
        base: dict[str, Any] = dict.fromkeys(names)
    else:
        base_header, base = fmt.read(base_data, "base model")
        base_tables = _tables(base)
    missing = sorted(n for n in same if not (n.startswith("tables.") and n[7:] in base_tables) and n not in base)
    if missing:
        raise ValueError(f"unchanged names that the base model has not: {missing[:5]}")
    new: dict[str, Any] = {"tables": None, **arrays}
    # as the tables of the model's file would read back (tuples as lists, ...): so that the tables that did
    # not change compare equal to the base's; the unchanged ones are the base's
    keep = {n[7:] for n in same if n.startswith("tables.")}
    order = list(tables) + [k for k in base_tables if k in keep and k not in tables]
    # (a table that is JSON already, only lists, dicts with string keys and plain scalars, reads back as it
    # is: not written and read again)
    mixed = {k: v for k, v in tables.items() if k not in keep and not _json_plain(v)}
    tables = {
        **{k: v for k, v in tables.items() if k not in keep},
        **json.loads(json.dumps(mixed, ensure_ascii=False, separators=(",", ":"))),
    }
    tables = {k: tables[k] if k in tables else base_tables[k] for k in order}
    return _adaptation_bytes(
        base_header,
        base,
        new,
        tables,
        base_tables=base_tables,
        unchanged=frozenset(n for n in same if not n.startswith("tables.")),
        fmt=fmt,
        meta=meta,
        model_sha256=None,
        base_name=base_name,
        verify_rebuild=False,
        known_rebuilt=frozenset(pending),
        row_patches=row_patches,
    )


def _adaptation_bytes(
    base_header: dict[str, Any],
    base: dict[str, array],
    new: dict[str, Any],
    new_tables: dict[str, Any],
    *,
    fmt: ModelFileFormat,
    meta: dict[str, Any],
    model_sha256: str | None,
    base_name: str | None,
    verify_rebuild: bool,
    known_rebuilt: frozenset[str] = frozenset(),
    row_patches: dict[str, dict[str, array]] | None = None,
    base_tables: dict[str, Any] | None = None,
    unchanged: frozenset[str] = frozenset(),
) -> bytes:
    """The adaptation of the base model's arrays ``base`` (and header) to the model's arrays ``new``
    (``tables`` among them, decoded as ``new_tables``); ``known_rebuilt``: components known to be rebuilt;
    ``unchanged``: arrays known to be the base's (not compared)."""
    if base_tables is None:
        base_tables = _tables(base)
    patch: dict[str, Any] = {
        "tables": _json_patch(base_tables, new_tables),
        "order": list(new),
        "delete": sorted(n for n in base if n not in new),
        "replace": [],
        "rows": {},
        "rebuild": [],
    }
    out: dict[str, array] = {}
    grouped = {n for names in _ROW_TABLES.values() for n in names}
    for table, names in _ROW_TABLES.items():
        if row_patches and table in row_patches:
            expected = set(_row_parts(table, len(names)))
            if set(row_patches[table]) != expected:
                raise ValueError(f"the row patch of {table} does not have the arrays {sorted(expected)}")
            out.update(row_patches[table])
            patch["rows"][table] = list(names)
            continue
        if all(n in base and n in new for n in names) and any(base[n] != new[n] for n in names):
            try:
                out.update(_row_patch([base[n] for n in names], [new[n] for n in names], table))
                patch["rows"][table] = list(names)
                continue
            except ValueError as exc:
                logger.debug("row table %s stored whole: %s", table, exc)
        for n in names:
            if n in new and (n not in base or base[n] != new[n]):
                patch["replace"].append(n)
    for component, rebuild in _REBUILDERS.items():
        members = [n for n in new if n.startswith(component + ".") and n not in grouped]
        if component in known_rebuilt:
            patch["rebuild"].append(component)
            continue
        if all(n in base and base[n] == new[n] for n in members):
            continue
        if not verify_rebuild:
            patch["rebuild"].append(component)
            continue
        try:
            rebuilt = rebuild(new, new_tables)
        except (KeyError, ValueError, TypeError) as exc:
            logger.debug("component %s cannot be rebuilt: %s", component, exc)
            continue
        if set(rebuilt) == set(members) and all(rebuilt[n] == new[n] for n in members):
            patch["rebuild"].append(component)
        else:
            logger.info("the rebuilt %s differs from the model's; storing it", component)
    rebuilt_names = {n for c in patch["rebuild"] for n in new if n.startswith(c + ".") and n not in grouped}
    for name, arr in new.items():
        if name == "tables" or name in grouped or name in rebuilt_names or name in unchanged:
            continue
        if name not in base or base[name] != arr:
            patch["replace"].append(name)
    for name in patch["replace"]:
        out[f"replace.{name}"] = new[name]
    out[_PATCH] = array("B", _dump(patch).encode("utf-8"))
    payload = fmt.pack(out)
    head: dict[str, Any] = {
        "format": ADAPTATION_FORMAT,
        "version": ADAPTATION_VERSION,
        "payload": "zlib-arrays",
        "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "model_sha256": model_sha256,
        "base": {
            "sha256": base_header["sha256"],
            "name": base_name or fmt.default_name,
            "meta": base_header.get("meta", {}),
        },
        "meta": meta,
    }
    if model_sha256 is None:
        del head["model_sha256"]
    return ADAPTATION_MAGIC + _dump(head).encode("utf-8") + b"\n" + payload


def load_adaptation(
    data: bytes,
    *,
    fmt: ModelFileFormat,
    source: str = "<adaptation>",
    base: str | os.PathLike[str] | None = None,
) -> dict[str, array]:
    """The full model's arrays from an adaptation file's bytes and its base (``base``: a model file;
    default: the model shipped in the package). Raises ModelError when the base is missing or is not
    the one the adaptation names, or the file is corrupt."""
    order, arrays, tables = _patched(data, fmt=fmt, source=source, base=base)
    encoded = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    arrays["tables"] = array("B", encoded)
    return {n: arrays[n] for n in order}


def load_adaptation_tables(
    data: bytes,
    *,
    fmt: ModelFileFormat,
    source: str = "<adaptation>",
    base: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, array], dict[str, Any]]:
    """As :func:`load_adaptation`, but the string tables come decoded, as the second item (the JSON
    value that the full model's ``tables`` array holds), and not as an array: the model is made from
    them without encoding and parsing them again (:meth:`LearnedModel.from_bytes
    <lipyantar.translit.learned.model.LearnedModel.from_bytes>`)."""
    order, arrays, tables = _patched(data, fmt=fmt, source=source, base=base)
    return {n: arrays[n] for n in order if n != "tables"}, tables


def _patched(
    data: bytes, *, fmt: ModelFileFormat, source: str, base: str | os.PathLike[str] | None
) -> tuple[list[str], dict[str, array], dict[str, Any]]:
    """The names of the full model's arrays in order, its arrays except ``tables``, and its tables."""
    header, body = _read(data, ADAPTATION_MAGIC, ADAPTATION_FORMAT, ADAPTATION_VERSION, source)
    want = _base_checksum(header, source)
    parts = _unpack(fmt, body, source)  # bounded (fmt.unpack): before the base model is read
    if base is None:
        base_source, base_data = fmt.default_bytes()
    else:
        base_source = os.fspath(base)
        base_data = fmt.read_file(base, "base model")
    base_header, arrays = fmt.read(base_data, base_source)
    if want not in fmt.identities(base_header):
        name = header["base"].get("name") or "?"
        raise ModelError(
            f"{source}: an adaptation of the base model {name} with checksum {want[:12]}…, but "
            f"{base_source} has checksum {str(base_header.get('sha256'))[:12]}… (another version of "
            "lipyantar's default model?); load it with its base model, or rebuild with --standalone-model"
        )
    try:
        # an adaptation of an earlier release of its base (a checksum of its also_sha256): the base's
        # decoding parameters may have been rewritten since
        return _apply_patch(parts, arrays, earlier_base=want != base_header.get("sha256"))
    except (
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        ArithmeticError,
        UnicodeDecodeError,
        RecursionError,
    ) as exc:
        raise ModelError(f"{source}: malformed adaptation: {exc}") from exc


def _apply_patch(
    parts: dict[str, array], arrays: dict[str, array], *, earlier_base: bool = False
) -> tuple[list[str], dict[str, array], dict[str, Any]]:
    """The patch of an adaptation's payload (``parts``) applied to its base model's ``arrays`` (changed
    in place): the model's array names in order, its arrays, its tables. ValueError when the patch is
    malformed or does not fit the base: every field of the type and in the range the writer gives
    it, every array of the payload used, the result's arrays exactly those its order names."""
    if _PATCH not in parts:
        raise ValueError("the payload has no patch")
    patch = _loads(parts.pop(_PATCH).tobytes())
    if not isinstance(patch, dict) or set(patch) != _PATCH_KEYS:
        keys = sorted(map(str, patch))[:8] if isinstance(patch, dict) else type(patch).__name__
        raise ValueError(f"the patch is not an object of the keys {sorted(_PATCH_KEYS)} (it has {keys})")
    order = _strings(patch["order"], "the order")
    delete = _strings(patch["delete"], "delete")
    replace = _strings(patch["replace"], "replace")
    rebuild = _strings(patch["rebuild"], "rebuild")
    rows = patch["rows"]
    if "tables" not in order or "tables" in delete or "tables" in replace:
        raise ValueError("the tables are patched: in the order, neither deleted nor replaced")
    if set(delete) & (set(replace) | set(order)):
        raise ValueError("the patch deletes an array that it replaces or that the model's order names")
    if not set(delete) <= set(arrays):
        raise ValueError(f"the patch deletes arrays the base model has not: {sorted(set(delete) - set(arrays))[:5]}")
    if not set(rebuild) <= set(_REBUILDERS):
        raise ValueError(f"unknown component to rebuild: {sorted(set(rebuild) - set(_REBUILDERS))[:5]}")
    if not isinstance(rows, dict) or not all(
        table in _ROW_TABLES and value == list(_ROW_TABLES[table]) for table, value in rows.items()
    ):
        raise ValueError(f"malformed row tables {str(rows)[:80]}")
    grouped = [n for table in rows for n in _ROW_TABLES[table]]
    if not set(grouped) <= set(arrays) - set(delete):
        raise ValueError("the patch's row tables are not in the base model")
    expected = {f"replace.{n}" for n in replace}
    for table in rows:
        expected.update(_row_parts(table, len(_ROW_TABLES[table])))
    if set(parts) != expected:
        missing, extra = sorted(expected - set(parts)), sorted(set(parts) - expected)
        raise ValueError(f"the payload's arrays are not those the patch names (missing {missing[:5]}, not named {extra[:5]})")
    tables = _tables(arrays)
    if patch["tables"] is not None:
        tables = _apply_tables_patch(tables, patch["tables"]) if earlier_base else _apply_json(tables, patch["tables"])
    if not isinstance(tables, dict):
        raise ValueError("the patched tables are not an object")
    del arrays["tables"]
    for name in delete:
        del arrays[name]
    for table, names in rows.items():
        for name, col in zip(names, _apply_rows([arrays[n] for n in names], parts, table), strict=True):
            arrays[name] = col
    for name in replace:
        arrays[name] = parts[f"replace.{name}"]
    for component in rebuild:
        arrays.update(_REBUILDERS[component](arrays, tables))
    if set(arrays) != set(order) - {"tables"}:
        missing, extra = sorted(set(order) - {"tables"} - set(arrays)), sorted(set(arrays) - set(order))
        raise ValueError(f"the arrays after patching are not those of the order (missing {missing[:5]}, not named {extra[:5]})")
    return order, arrays, tables
