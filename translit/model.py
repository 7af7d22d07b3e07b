"""Deprecated alias of :mod:`lipyantar.translit.learned.model` (moved in 0.1.0; this alias goes in 0.2).

Import from :mod:`lipyantar` (``lipyantar.LearnedModel``, ``lipyantar.DecodeParams``, …) or from
:mod:`lipyantar.translit.learned`.
"""

from __future__ import annotations

import warnings

from lipyantar.translit.learned.model import (
    DecodeParams,
    LearnedModel,
    default_model,
    load_model,
    roman_skeleton,
)
from lipyantar.translit.learned.params import SearchSize

__all__ = ["DecodeParams", "LearnedModel", "SearchSize", "default_model", "load_model", "roman_skeleton"]

warnings.warn(
    "lipyantar.translit.model has moved to lipyantar.translit.learned.model (or import from lipyantar); "
    "the old name goes in lipyantar 0.2",
    DeprecationWarning,
    stacklevel=2,
)
