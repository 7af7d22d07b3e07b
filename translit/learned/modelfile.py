"""The learned model's file format (``.lpm``): one writer, and one reader shared by the model and by
adaptation files (:mod:`lipyantar.translit.learned.adaptation`).

A model is a set of named typed arrays (the n-gram automata, counts, pronunciations) and string tables
(vocabularies, the memory of attested pairs, parameters, metadata): :meth:`LearnedModel.to_arrays
<lipyantar.translit.learned.model.LearnedModel.to_arrays>` gives them, the tables as one JSON array named
``tables``.

**Version 2** (written since lipyantar 0.1.0's memory-mapped model): a magic line, a JSON header line
padded with spaces so that the payload starts on a 64-byte boundary, then the payload: one section per
array and one per string table (``tables.<key>``, JSON), each uncompressed, little-endian and 8-byte
aligned. The header holds the section table (name, type, offset, size and CRC-32 of each), the order of
the arrays, the payload's size and SHA-256 (the checksum that names the model, as an adaptation's base),
and the model's metadata. Opening a file is a memory map and a header check (:class:`ModelFile`); a
section is read, and its CRC-32 checked, the first time it is used, so converting Devanagari → roman
never reads the roman → Devanagari tables, and the reverse.

**Version 3** (written now): version 2, with the large string tables (:data:`COLUMNS`: the memory, the
romanization table, the skeleton index, the word model's vocabulary and prior) stored as columns, a
section each (``columns.<table>.<i>``): strings as UTF-8 lines (type ``strs``), numbers as typed
arrays; where a table was, its JSON holds null. Reading them is a split and a view, not a JSON parse and
a row-by-row check; :meth:`ModelFile.table` still gives every table as the rows it was written from.

**Version 1** (zlib): the header line, then one zlib stream of an index and the arrays. It is still read
(all at once, as before); :func:`upgrade` rewrites a version 1 or 2 file as version 3, keeping its
checksums in ``also_sha256`` so that adaptation files made against it still find their base.

**Reading is bounded.** A model file must be a regular file: a device, a FIFO, a directory or a socket
is refused from its ``stat`` before it is opened (:func:`map_file`), so that ``--model /dev/zero`` or a
FIFO fails at once instead of reading for ever or blocking. A size that a file states is checked
before anything is allocated or inflated: header lines are read up to MAX_HEADER, sections must lie
within the payload's real size, a zlib payload may inflate to no more than MAX_INFLATION times its size
(MIN_INFLATED at least, MAX_RAW_BYTES at most), checked against the size its header states and against
the array sizes its index states before the arrays are inflated, and a file read whole (version 1,
adaptation files) may be no larger than MAX_FILE_BYTES.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import mmap
import os
import stat
import sys
import threading
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned.datafile import sections_file

#: the array type (inside ModelFile, ``array`` names its method)
_Array = array

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAGIC",
    "ModelFile",
    "crc32",
    "map_file",
    "model_file_bytes",
    "pack_arrays",
    "read_arrays",
    "read_file",
    "unpack_arrays",
    "upgrade",
    "v1_file_bytes",
]

MAGIC = b"LIPYANTAR-TRANSLIT-MODEL\n"
FORMAT_NAME = "lipyantar-translit-model"
#: the version written; READ_VERSIONS are read (version 3 is version 2 with string columns)
FORMAT_VERSION = 3
READ_VERSIONS = (1, 2, 3)
#: the versions of aligned sections (read in place by ModelFile)
SECTION_VERSIONS = (2, 3)
#: a zlib payload (version 1, adaptation files) never inflates to more than MAX_INFLATION times its
#: compressed size (MIN_INFLATED bytes at least), nor to more than MAX_RAW_BYTES: a size that a header
#: states is checked against this before anything is inflated, so a small file cannot exhaust memory
#: (the default model's arrays pack 3.4 to 1; a run of zeros, 1000 to 1)
MAX_RAW_BYTES = 1 << 30
MAX_INFLATION = 32
MIN_INFLATED = 16 << 20
#: the largest model file read whole into memory (a version 1 or adaptation file, a base model; files of
#: sections are memory-mapped and read in place); the default model is 37 MB
MAX_FILE_BYTES = 1 << 30
#: the payload of a version 2 file starts on a multiple of this
PAYLOAD_ALIGN = 64
#: the longest header line read (the default model's is under 8 KB)
MAX_HEADER = 1 << 20
#: the section type of a JSON string table
JSON = "json"
#: the section type of a column of strings: each string in UTF-8 followed by a newline
STRS = "strs"
#: the string tables (or tables inside them: ``a.b``) stored as columns in version 3, by the kinds of
#: their cells (``s`` string, ``n`` number, ``S`` list of strings; ``s*``: the table is a list of
#: strings): section ``columns.<path>.<i>`` holds column i; an ``S`` column is two sections, the
#: strings of all rows (``.<i>``) and how many each row has (``.<i>.len``, "I")
#: Where the table was, the JSON holds null (the tables and their keys keep their order).
COLUMNS = {"pairs": "ssn", "d2r_table": "ssn", "vocab_index": "sS", "wordlm.vocab": "s*", "wordlm.prior": "sn"}
_TYPECODES = frozenset("bBhHiIlLqQfd")


# -- version 1: zlib arrays (also the payload of adaptation files) ------------------------------------
def pack_arrays(arrays: Mapping[str, array]) -> bytes:
    """zlib( len(index) as 8 bytes LE | JSON index | little-endian array bytes, in index order )."""
    index = []
    chunks = []
    for name, arr in arrays.items():
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            arr = array(arr.typecode, arr)
            arr.byteswap()
        raw = arr.tobytes()
        index.append([name, arr.typecode, len(raw)])
        chunks.append(raw)
    head = json.dumps(index).encode("utf-8")
    return zlib.compress(len(head).to_bytes(8, "little") + head + b"".join(chunks), 6)


def packed_size(arrays: Mapping[str, array]) -> int:
    """The inflated size of ``pack_arrays(arrays)``."""
    index = [(name, arr.typecode, len(arr) * arr.itemsize) for name, arr in arrays.items()]
    return 8 + len(json.dumps(index).encode("utf-8")) + sum(size for _, _, size in index)


def inflation_limit(body: bytes) -> int:
    """How far a zlib payload of ``len(body)`` bytes may inflate: MAX_INFLATION times its size, at least
    MIN_INFLATED bytes, at most MAX_RAW_BYTES (the cap of a size a header states, and the size at which
    inflating one that states none stops)."""
    return min(MAX_RAW_BYTES, max(MIN_INFLATED, MAX_INFLATION * len(body)))


def loads_json(raw: bytes | memoryview) -> Any:
    """JSON of UTF-8 bytes; ValueError (not RecursionError) when it is nested too deep to decode."""
    try:
        return json.loads(bytes(raw).decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def unpack_arrays(body: bytes, *, limit: int = 0, exact: bool = False) -> dict[str, array]:
    """The arrays of a packed payload. Its index, at the start, states the size of every array: the
    size they add up to is checked against ``limit`` bytes (0: no limit), or with ``exact`` must be
    ``limit``, before any array is inflated, so that a payload stating more fails at once, whatever it
    would inflate to. ValueError then, and when the data inflate to more or less than the index states,
    or the index is malformed."""
    inflate = zlib.decompressobj()
    head = inflate.decompress(body, 8)
    if len(head) < 8:
        raise ValueError("payload is truncated")
    size = int.from_bytes(head, "little")
    if limit and size > limit - 8:
        raise ValueError(f"payload inflates past {limit} bytes (its index alone states {size})")
    raw_index = inflate.decompress(inflate.unconsumed_tail, size) if size else b""
    if len(raw_index) < size:
        raise ValueError("payload index is truncated")
    try:
        index = loads_json(raw_index)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"payload index is not JSON: {exc}") from None
    if not isinstance(index, list):
        raise ValueError("payload index is not a list")
    names: set[str] = set()
    for entry in index:
        if not (
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], str)
            and entry[1] in _TYPECODES
            and type(entry[2]) is int
            and entry[2] >= 0
        ):
            raise ValueError(f"bad payload index entry {str(entry)[:60]}")
        if entry[0] in names:
            raise ValueError(f"array {entry[0]!r} appears twice")
        names.add(entry[0])
    stated = sum(entry[2] for entry in index)
    total = 8 + size + stated
    if limit and total > limit:
        raise ValueError(f"payload inflates past {limit} bytes (its index states {total})")
    if exact and total != limit:
        raise ValueError(f"payload inflates to {total} bytes, the header says {limit}")
    raw = inflate.decompress(inflate.unconsumed_tail, stated + 1)
    if len(raw) > stated:
        raise ValueError("trailing bytes in model payload")
    if len(raw) < stated or not inflate.eof:
        raise ValueError("payload is truncated")
    view = memoryview(raw)
    arrays: dict[str, array] = {}
    pos = 0
    for name, typecode, length in index:
        arr = array(typecode)
        arr.frombytes(view[pos : pos + length])
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            arr.byteswap()
        arrays[name] = arr
        pos += length
    return arrays


def v1_file_bytes(body: bytes, meta: dict[str, Any], *, raw_bytes: int | None = None) -> bytes:
    """A version 1 model file around a packed payload: magic line, JSON header line (checksum,
    compressed and inflated sizes: ``raw_bytes`` is measured when not given), payload."""
    if raw_bytes is None:
        raw_bytes = len(zlib.decompressobj().decompress(body, MAX_RAW_BYTES + 1))
    header = {
        "format": FORMAT_NAME,
        "version": 1,
        "payload": "zlib-arrays",
        "payload_bytes": len(body),
        "raw_bytes": raw_bytes,
        "sha256": hashlib.sha256(body).hexdigest(),
        "meta": meta,
    }
    return MAGIC + json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" + body


# -- versions 2 and 3: aligned sections--------------------------------------------------------------------
def _dump_table(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _strs(values: Iterable[str]) -> bytes:
    return "".join(f"{v}\n" for v in values).encode("utf-8")


def _column_sections(path: str, kinds: str, rows: Any) -> list[tuple[str, str, bytes]] | None:
    """The sections of the table ``rows`` stored as columns of ``kinds``, or None when it cannot be
    (a cell of another type, a string with a newline): it then stays in the JSON."""
    prefix = f"columns.{path}"
    if kinds == "s*":
        if not isinstance(rows, list) or not all(type(x) is str and "\n" not in x for x in rows):
            return None
        return [(f"{prefix}.0", STRS, _strs(rows))]
    if not isinstance(rows, list) or not all(type(r) in (list, tuple) and len(r) == len(kinds) for r in rows):
        return None
    out = []
    for i, kind in enumerate(kinds):
        column = [r[i] for r in rows]
        if kind == "s" and all(type(x) is str and "\n" not in x for x in column):
            out.append((f"{prefix}.{i}", STRS, _strs(column)))
        elif kind == "n" and all(type(x) in (int, float) and math.isfinite(x) for x in column):
            out.append((f"{prefix}.{i}", "d", array("d", column).tobytes()))
        elif kind == "S" and all(type(x) is list and all(type(y) is str and "\n" not in y for y in x) for x in column):
            out.append((f"{prefix}.{i}", STRS, _strs(y for x in column for y in x)))
            out.append((f"{prefix}.{i}.len", "I", array("I", map(len, column)).tobytes()))
        else:
            return None
    return out


def _split_columns(tables: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    """The tables without those stored as columns (:data:`COLUMNS`), and the columns' sections."""
    out = dict(tables)
    sections: list[tuple[str, str, bytes]] = []
    for path, kinds in COLUMNS.items():
        top, _, inner = path.partition(".")
        holder = out if not inner else out.get(top)
        key = inner or top
        if not isinstance(holder, dict) or key not in holder:
            continue
        column = _column_sections(path, kinds, holder[key])
        if column is None or sys.byteorder != "little":
            continue
        if inner:
            holder = out[top] = dict(holder)
        holder[key] = None
        sections.extend(column)
    return out, sections


def model_file_bytes(
    arrays: Mapping[str, array],
    meta: dict[str, Any],
    *,
    tables: Mapping[str, Any] | None = None,
    also_sha256: Iterable[str] = (),
) -> bytes:
    """A version 3 model file of ``arrays`` (as :meth:`LearnedModel.to_arrays`): each array a section,
    the ``tables`` array (or ``tables``, already decoded) a JSON section per key."""
    if tables is None:
        tables = json.loads(arrays["tables"].tobytes().decode("utf-8")) if "tables" in arrays else {}
    blobs: list[tuple[str, str, bytes]] = []
    order = list(arrays) if "tables" in arrays else ["tables", *arrays]
    for name in order:
        if name == "tables":
            rest, columns = _split_columns(tables)
            blobs.extend((f"tables.{key}", JSON, _dump_table(value)) for key, value in rest.items())
            blobs.extend(columns)
            continue
        arr = arrays[name]
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            arr = array(arr.typecode, arr)
            arr.byteswap()
        blobs.append((name, arr.typecode, arr.tobytes()))
    return sections_file_bytes(blobs, meta=meta, order=order, also_sha256=also_sha256)


def sections_file_bytes(
    blobs: Iterable[tuple[str, str, bytes]],
    *,
    meta: dict[str, Any],
    order: list[str],
    also_sha256: Iterable[str] = (),
) -> bytes:
    """The file of (name, type, bytes) sections laid out in order, 8-byte aligned, each with its CRC-32;
    the header names the ``order`` of the arrays."""
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "payload": "aligned-sections",
        "order": order,
        "meta": meta,
    }
    also = sorted(set(also_sha256))
    if also:
        header["also_sha256"] = also
    return sections_file(MAGIC, header, blobs, align=PAYLOAD_ALIGN)


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file (None: it is one)."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def map_file(path: str | os.PathLike[str], *, what: str = "model") -> Any:
    """A read-only memory map of the regular file ``path`` (``b""`` when it is empty): a model,
    vocabulary or base model file. ModelError naming the file when it cannot be read or is not a
    regular file: a device (``/dev/zero``), a FIFO, a directory, a socket is refused from its
    ``stat`` before it is opened, so that a FIFO without a writer cannot block and a device that never
    ends cannot be read for ever (and opened without blocking, then checked again, in case the path
    changed in between)."""
    source = os.fspath(path)
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is None:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            try:
                info = os.fstat(fd)
                kind = _not_regular(info.st_mode)
                if kind is None:
                    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if info.st_size else b""
            finally:
                os.close(fd)
    except OSError as exc:
        raise ModelError(f"cannot read {what} {source!r}: {exc.strerror or exc}") from exc
    raise ModelError(f"cannot read {what} {source!r}: it is {kind}, not a regular file")


def read_file(path: str | os.PathLike[str], what: str = "model") -> bytes:
    """The bytes of the regular file ``path`` (as :func:`map_file`), at most MAX_FILE_BYTES of them
    (ModelError for a larger file, before anything is read)."""
    data = map_file(path, what=what)
    try:
        return whole_bytes(data, os.fspath(path), what=what)
    finally:
        if isinstance(data, mmap.mmap):
            data.close()


def whole_bytes(data: Any, source: str, *, what: str = "model") -> bytes:
    """A copy of a mapped file's bytes to read whole, when it is not larger than MAX_FILE_BYTES."""
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(
            f"{source}: the {what} file has {len(data)} bytes, more than the {MAX_FILE_BYTES} read whole "
            "(only a model file of sections, version 2 or later, is read in place)"
        )
    return bytes(data)


_CRC32: list[Any] = []


def crc32(data: Any) -> int:
    """``zlib.crc32(data)`` (bytes or any buffer), computed by the compiled kernel when it is built
    (``_fastlm.crc32``: the same value, several times faster on processors with carry-less
    multiplication): the check of every section read, of the loanword index and of the word lists."""
    if not _CRC32:
        from lipyantar.translit.compiled import load_extension

        fast = load_extension("learned._fastlm")
        _CRC32.append(getattr(fast, "crc32", None) or zlib.crc32)
    return int(_CRC32[0](data))


def read_header(data: Any, source: str) -> tuple[dict[str, Any], int]:
    """The header of a model file (bytes or a map) of a version this lipyantar reads, and where its
    payload starts. ModelError when it is not one."""
    head = bytes(data[: len(MAGIC)])
    if head != MAGIC:
        raise ModelError(f"{source}: not a lipyantar model file (bad magic)")
    end = data.find(b"\n", len(MAGIC), MAX_HEADER)
    if end < 0:
        raise ModelError(f"{source}: truncated model header")
    try:
        header = loads_json(data[len(MAGIC) : end])
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{source}: corrupt model header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ModelError(f"{source}: not a lipyantar translit model")
    version = header.get("version")
    if type(version) is not int or version not in READ_VERSIONS:
        raise ModelError(
            f"{source}: model format version {version!r} is not supported "
            f"(this lipyantar reads versions {', '.join(map(str, READ_VERSIONS))}); retrain with `lipyantar learn`"
        )
    return header, end + 1


def release_pages(buffer: Any, starts: Sequence[int], sizes: Sequence[int]) -> None:
    """``madvise(MADV_DONTNEED)`` over the pages of these byte ranges of a read-only file map (nothing
    for bytes, or where the call is not available)."""
    if not isinstance(buffer, mmap.mmap) or not hasattr(buffer, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return
    page = mmap.PAGESIZE
    for start, size in zip(starts, sizes, strict=True):
        first = start - start % page
        end = min(len(buffer), start + size)
        if end > first:
            try:
                buffer.madvise(mmap.MADV_DONTNEED, first, end - first)
            except (OSError, ValueError):  # pragma: no cover - advice only
                return


def typecode_of(values: Any) -> str | None:
    """The item type of an array or of a typed view."""
    return getattr(values, "typecode", None) or getattr(values, "format", None)


class ModelFile:
    """An open model file of sections (version 2 or 3): the header checked at once, each section read (and its CRC-32
    checked) the first time it is asked for. ``buffer`` is the file's bytes or a read-only map of it,
    which the object keeps."""

    def __init__(self, buffer: Any, *, source: str = "<model>") -> None:
        header, start = read_header(buffer, source)
        if header.get("version") not in SECTION_VERSIONS:
            raise ModelError(f"{source}: not a model file of aligned sections (version 2 or later)")
        self.source = source
        self.header = header
        view = memoryview(buffer)[start:]
        try:
            size = header["payload_bytes"]
            sections = header["sections"]
            order = header["order"]
            if type(size) is not int or len(view) != size:
                raise ValueError(f"the payload has {len(view)} bytes, the header says {size!r}")
            if not isinstance(sections, list) or not isinstance(order, list):
                raise ValueError("bad section table")
            table: dict[str, tuple[str, int, int, int]] = {}
            for entry in sections:
                if not (
                    isinstance(entry, list)
                    and len(entry) == 5
                    and type(entry[0]) is str
                    and (entry[1] in (JSON, STRS) or entry[1] in _TYPECODES)
                    and all(type(x) is int and x >= 0 for x in entry[2:])
                    and entry[2] % 8 == 0
                    and entry[2] + entry[3] <= size
                    and entry[0] not in table
                ):
                    raise ValueError(f"bad section {str(entry)[:80]}")
                table[entry[0]] = (entry[1], entry[2], entry[3], entry[4])
            arrays = [n for n in order if n != "tables"]
            if not all(type(n) is str for n in order) or any(n not in table or table[n][0] in (JSON, STRS) for n in arrays):
                raise ValueError("the order names a missing section")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: model file is corrupt: {exc}") from exc
        self._view = view
        self._buffer = buffer
        self._start = start
        self._sections = table
        self.order: list[str] = order
        self.meta: dict[str, Any] = meta if isinstance(meta := header.get("meta"), dict) else {}
        self._checked: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ModelFile:
        """Memory-map a version 2 model file (ModelError for anything but a regular file)."""
        source = os.fspath(path)
        mm = map_file(path)
        if not len(mm):
            raise ModelError(f"{source}: not a lipyantar model file (empty)")
        return cls(mm, source=source)

    @property
    def sha256(self) -> str:
        return str(self.header.get("sha256"))

    def __contains__(self, name: str) -> bool:
        return name in self._sections

    def table_keys(self) -> list[str]:
        return [n.split(".", 1)[1] for n, (kind, *_) in self._sections.items() if kind == JSON and n.startswith("tables.")]

    def columns(self, path: str) -> list[Any] | None:
        """The table ``path`` (a key of :data:`COLUMNS`) as its columns, when the file stores it so
        (else None): strings as a list of str, numbers as a typed view, a list-of-strings column as
        (all the strings, a view of how many each row has). ModelError when the columns are malformed
        (not UTF-8, of different lengths, a number that is not finite)."""
        kinds = COLUMNS[path]
        prefix = f"columns.{path}"
        if f"{prefix}.0" not in self._sections:
            return None
        out: list[Any] = []
        rows = None
        for i, kind in enumerate(kinds.rstrip("*")):
            if kind == "s":
                column: Any = self._strings(f"{prefix}.{i}")
            elif kind == "n":
                column = self.view(f"{prefix}.{i}")
                if typecode_of(column) != "d" or not all(map(math.isfinite, column)):
                    raise ModelError(f"{self.source}: model table {path!r} has a number that is not finite")
            else:
                words, lengths = self._strings(f"{prefix}.{i}"), self.view(f"{prefix}.{i}.len")
                if typecode_of(lengths) != "I" or sum(lengths) != len(words):
                    raise ModelError(f"{self.source}: model table {path!r} has malformed list columns")
                column = (words, lengths)
            n = len(column[1]) if kind == "S" else len(column)
            if rows is not None and n != rows:
                raise ModelError(f"{self.source}: the columns of model table {path!r} differ in length")
            rows = n
            out.append(column)
        return out

    def _strings(self, name: str) -> list[str]:
        kind, raw = self._section(name)
        if kind != STRS:
            raise ModelError(f"{self.source}: section {name!r} is not a column of strings")
        try:
            text = str(raw, "utf-8")
        except UnicodeDecodeError as exc:
            raise ModelError(f"{self.source}: section {name!r} is not UTF-8: {exc.reason}") from exc
        if text and not text.endswith("\n"):
            raise ModelError(f"{self.source}: section {name!r} is truncated")
        self.release(name)  # decoded: the strings are copies
        return text.split("\n")[:-1]

    def _rows(self, path: str) -> Any:
        """The table ``path`` rebuilt as the JSON rows it was written from (None: not stored as columns)."""
        columns = self.columns(path)
        if columns is None:
            return None
        kinds = COLUMNS[path]
        if kinds == "s*":
            return columns[0]
        cells = []
        for kind, column in zip(kinds, columns, strict=True):
            if kind == "S":
                words, lengths = column
                it = iter(words)
                cells.append([list(itertools.islice(it, n)) for n in lengths])
            else:
                cells.append(column.tolist() if kind == "n" else column)
        return [list(row) for row in zip(*cells, strict=True)]

    def _section(self, name: str) -> tuple[str, memoryview]:
        try:
            kind, offset, size, crc = self._sections[name]
        except KeyError:
            raise ModelError(f"{self.source}: model file has no section {name!r}") from None
        raw = self._view[offset : offset + size]
        if name not in self._checked:
            if crc32(raw) != crc:
                raise ModelError(f"{self.source}: model file is corrupt (checksum mismatch in {name!r})")
            with self._lock:
                self._checked.add(name)
        return kind, raw

    def array(self, name: str) -> array:
        """The array ``name`` (a copy of its section)."""
        kind, raw = self._section(name)
        if kind == JSON:
            raise ModelError(f"{self.source}: section {name!r} is not an array")
        if len(raw) % array(kind).itemsize:
            raise ModelError(f"{self.source}: model file is corrupt (section {name!r} has a partial item)")
        arr = array(kind)
        arr.frombytes(raw)
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            arr.byteswap()
        return arr

    def view(self, name: str) -> Any:
        """The array ``name`` read in place: a typed read-only ``memoryview`` of its section (on a
        big-endian host, an ``array`` copy)."""
        kind, raw = self._section(name)
        if kind == JSON:
            raise ModelError(f"{self.source}: section {name!r} is not an array")
        if len(raw) % array(kind).itemsize:
            raise ModelError(f"{self.source}: model file is corrupt (section {name!r} has a partial item)")
        if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
            return self.array(name)
        return raw.cast(kind)  # type: ignore[call-overload]  # a typecode read from the file, checked above

    def release(self, *names: str) -> None:
        """Let the pages of these sections go (a memory-mapped file only): for sections whose contents
        have been copied (the compiled automata copy theirs), so that they stop counting in the
        process's resident memory. They stay in the page cache and are read again if used again."""
        spans = [self._sections[n][1:3] for n in names if n in self._sections]
        release_pages(self._buffer, [self._start + offset for offset, _ in spans], [size for _, size in spans])

    def raw(self, name: str) -> bytes:
        """The bytes of the array ``name`` (a copy of its section, for a byte array read as it is)."""
        kind, raw = self._section(name)
        if kind == JSON:
            raise ModelError(f"{self.source}: section {name!r} is not an array")
        return bytes(raw)

    def table(self, key: str, default: Any = None, *, columns: bool = True) -> Any:
        """The string table ``key`` (its JSON decoded, with the parts stored as columns put back as
        rows), or ``default`` when the file has none. ``columns=False``: without those parts (for a
        reader that takes them with :meth:`columns`)."""
        name = f"tables.{key}"
        if name not in self._sections:
            return default
        kind, raw = self._section(name)
        if kind != JSON:
            raise ModelError(f"{self.source}: section {name!r} is not a table")
        try:
            value = loads_json(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ModelError(f"{self.source}: model table {key!r} cannot be decoded: {exc}") from exc
        if value is None and key in COLUMNS:  # stored as columns
            return self._rows(key) if columns else None
        if columns and isinstance(value, dict):
            for path in COLUMNS:
                top, _, inner = path.partition(".")
                if top == key and inner and inner in value and value[inner] is None:
                    rows = self._rows(path)
                    if rows is not None:
                        value[inner] = rows
        return value

    def tables(self) -> dict[str, Any]:
        return {key: self.table(key) for key in self.table_keys()}

    def arrays(self) -> dict[str, _Array]:
        """Every array, in the model's order, the tables as one JSON array ``tables`` (as
        :meth:`LearnedModel.to_arrays` gives them)."""
        out: dict[str, _Array] = {}
        for name in self.order:
            if name == "tables":
                out[name] = array("B", _dump_table(self.tables()))
            else:
                out[name] = self.array(name)
        return out


def read_tables(data: Any, source: str = "<model>") -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """The header, the names of the arrays in order and the decoded string tables of a full model file of
    either version (a file of sections: its other arrays are not read; ModelError when it is corrupt)."""
    header, _ = read_header(data, source)
    if header["version"] in SECTION_VERSIONS:
        mf = ModelFile(data, source=source)
        return header, list(mf.order), mf.tables()
    header, arrays = read_arrays(data, source)
    return header, list(arrays), json.loads(arrays["tables"].tobytes().decode("utf-8"))


def read_arrays(data: Any, source: str = "<model>") -> tuple[dict[str, Any], dict[str, array]]:
    """The header and every array of a full model file of either version, every checksum checked
    (ModelError otherwise)."""
    header, start = read_header(data, source)
    if header["version"] in SECTION_VERSIONS:
        return header, ModelFile(data, source=source).arrays()
    body = bytes(data[start:])
    if len(body) != header.get("payload_bytes") or hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ModelError(f"{source}: model file is corrupt (size or checksum mismatch)")
    raw_bytes = header.get("raw_bytes")  # written since lipyantar 0.1 files carry it; else a ratio cap
    cap = inflation_limit(body)
    if raw_bytes is None:
        limit = cap
    elif type(raw_bytes) is not int or raw_bytes < 0:
        raise ModelError(f"{source}: corrupt model header: bad raw_bytes {raw_bytes!r}")
    elif raw_bytes > cap:  # checked before inflating anything
        raise ModelError(
            f"{source}: corrupt model header: raw_bytes {raw_bytes} is more than a payload of {len(body)} "
            f"bytes may inflate to ({cap} bytes)"
        )
    else:
        limit = raw_bytes
    try:
        arrays = unpack_arrays(body, limit=limit, exact=raw_bytes is not None)
    except (zlib.error, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise ModelError(f"{source}: model payload cannot be decoded: {exc}") from exc
    return header, arrays


def identities(header: Mapping[str, Any]) -> set[str]:
    """The checksums that name a model file: its payload's SHA-256, and for a file upgraded from
    version 1 the checksum of the version 1 file it was (``also_sha256``)."""
    names = {str(header.get("sha256"))}
    also = header.get("also_sha256", [])
    if isinstance(also, list):
        names.update(str(x) for x in also)
    return names


def upgrade(data: bytes, source: str = "<model>") -> bytes:
    """A model file of an earlier version rewritten in the current one (the same arrays, tables and
    metadata; its checksums kept in ``also_sha256``, for the adaptation files that name it). A file of
    the current version comes back as it is."""
    header, arrays = read_arrays(data, source)
    if header["version"] == FORMAT_VERSION:
        return data
    meta = header.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    return model_file_bytes(arrays, meta, also_sha256=sorted(identities(header)))
