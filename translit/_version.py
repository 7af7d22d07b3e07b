"""The version of lipyantar (one place; ``lipyantar.translit.__version__`` and ``lipyantar.__version__``)."""

__version__ = "0.1.0"
