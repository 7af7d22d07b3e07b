"""Loading lipyantar's optional compiled kernels (``translit.learned._fastlm``, ``translit._fastrules``).

They are built at install time when a C compiler is present; without them the same code runs in pure
Python with the same results. ``LIPYANTAR_PURE_PYTHON=1`` switches them off.
"""

from __future__ import annotations

import importlib
import logging
import os
from types import ModuleType

__all__ = ["load_extension"]

logger = logging.getLogger(__name__)


def load_extension(name: str) -> ModuleType | None:
    """The compiled module ``translit.<name>``, or None when it is not built or
    ``LIPYANTAR_PURE_PYTHON`` is set (to anything but "" or "0")."""
    if os.environ.get("LIPYANTAR_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        return importlib.import_module(f"translit.{name}")
    except ImportError:  # pragma: no cover - depends on the build
        logger.debug("translit.%s is not built; using the pure-Python code", name)
        return None
