"""The header check shared by the learned wing's small JSON data files (the casual-typing noise table,
the code-mixing weights, the header line of the origin signs, the packaged decisions): JSON, an object,
the expected format name and version."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from lipyantar.translit.errors import ModelError

__all__ = ["read_versioned_gzip", "read_versioned_json"]


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
