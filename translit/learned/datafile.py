"""The header check shared by the learned wing's small JSON data files (the casual-typing noise table,
the code-mixing weights, the header line of the origin signs): JSON, an object, the expected format name
and version."""

from __future__ import annotations

import json
from typing import Any

from lipyantar.translit.errors import ModelError

__all__ = ["read_versioned_json"]


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
