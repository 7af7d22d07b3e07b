"""Loading lipyantar's optional compiled kernels (``lipyantar.translit.learned._fastlm``,
``lipyantar.translit._fastrules``, ``lipyantar.translit._fastwordlang``, ``lipyantar.align._fastalign``).

They are built at install time when a C compiler is present; without them the same code runs in pure
Python with the same results, 5-40x slower. ``LIPYANTAR_PURE_PYTHON=1`` switches them off on purpose;
a kernel that is missing otherwise (typically: Python started inside a source checkout, which imports
the source tree, where nothing was compiled) is warned about once, with the fix.
"""

from __future__ import annotations

import importlib
import logging
import os
from types import ModuleType

__all__ = ["load_extension"]

logger = logging.getLogger(__name__)

_warned = False

MISSING_MESSAGE = (
    "lipyantar's compiled kernels are not built (%s could not be imported from %s): running the "
    "pure-Python code, with the same results but 5-40x slower. In a source checkout, `pip install -e .` "
    "builds them in place (a C compiler and the Python headers are needed); set LIPYANTAR_PURE_PYTHON=1 "
    "to choose the pure-Python code and silence this warning."
)


def load_extension(name: str, *, package: str | None = None) -> ModuleType | None:
    """The compiled module ``<package>.<name>`` (``package`` by default ``lipyantar.translit``), or None
    when it is not built or ``LIPYANTAR_PURE_PYTHON`` is set (to anything but "" or "0")."""
    if os.environ.get("LIPYANTAR_PURE_PYTHON", "") not in ("", "0"):
        return None
    global _warned
    module = f"{package or __package__}.{name}"
    try:
        return importlib.import_module(module)
    except ImportError:
        if not _warned:
            _warned = True
            logger.warning(MISSING_MESSAGE, module, os.path.dirname(os.path.dirname(__file__)))
        else:
            logger.debug("%s is not built; using the pure-Python code", module)
        return None
