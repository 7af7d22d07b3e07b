"""lipyantar's ``translit`` package: normalization, tokenization and conversion between Devanagari and
the Latin schemes of Hindi (standard ones such as IAST and ISO 15919, rule-based and learned informal
romanization).

>>> from lipyantar.translit import transliterate
>>> transliterate("यह संगठन", "deva", "iast")
'yaha saṃgaṭhana'
"""

from ._version import __version__ as __version__
from .errors import LipyantarError
from .normalize import Normalizer, normalize
from .schemes import SCHEMES, Scheme, get_scheme, scheme_names
from .tokenize import Token, tokenize
from .transliterate import Candidate, Transliterator, transliterate

__all__ = [
    "SCHEMES",
    "Candidate",
    "LipyantarError",
    "Normalizer",
    "Scheme",
    "Token",
    "Transliterator",
    "get_scheme",
    "normalize",
    "scheme_names",
    "tokenize",
    "transliterate",
]

