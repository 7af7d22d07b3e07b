"""The header check shared by the learned wing's small JSON data files (the casual-typing noise table,
the code-mixing weights, the header line of the origin signs, the packaged decisions): JSON, an object,
the expected format name and version."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lipyantar.translit.errors import ModelError

__all__ = ["read_versioned_gzip", "read_versioned_json", "sections_file"]


def read_versioned_json(text: str, *, fmt: str, version: int, source: str) -> dict[str, Any]:
    """The JSON object of ``text`` when it names format ``fmt`` and version ``version``; otherwise
    :class:`ModelError` naming ``source`` and what was found."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelError(f"{source}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != fmt or data.get("version") != version:
        found = (data.get("format"), data.get("version")) if isinstance(data, dict) else None
        raise ModelError(f"{source}: not a {fmt} file of version {version} (found {found})")
    return data


def read_versioned_gzip(path: Path, *, fmt: str, version: int) -> dict[str, Any]:
    """:func:`read_versioned_json` of the gzip-compressed UTF-8 file ``path``; :class:`ModelError` also
    when it cannot be read or decompressed."""
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot be read ({exc})") from None
    return read_versioned_json(text, fmt=fmt, version=version, source=str(path))


def sections_file(magic: bytes, header: Mapping[str, Any], blobs: Iterable[tuple[str, str, bytes]], *, align: int) -> bytes:
    """A file read in place: ``magic``, then a one-line JSON header padded with spaces so that the payload
    starts on an ``align``-byte boundary, then the payload, the ``(name, type, bytes)`` sections laid out in
    order, each 8-byte aligned. The header is ``header`` with the payload's size and SHA-256 and each
    section's ``[name, type, offset, size, CRC-32]`` (the model file's and the word-language tables' layout)."""
    payload = bytearray()
    sections = []
    for name, kind, raw in blobs:
        payload.extend(b"\0" * (-len(payload) % 8))
        sections.append([name, kind, len(payload), len(raw), zlib.crc32(raw)])
        payload.extend(raw)
    full = {**header, "payload_bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest(), "sections": sections}
    line = magic + json.dumps(full, ensure_ascii=False, sort_keys=True).encode("utf-8")
    line += b" " * (-(len(line) + 1) % align) + b"\n"
    return line + bytes(payload)
