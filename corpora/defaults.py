"""Defaults shared by the corpus builder and its command line (a light module: ``lipyantar.corpora.cli`` imports
it at start-up, the builder's modules only when a command runs)."""

#: the least score of a bead written by ``lipyantar build``
DEFAULT_BEAD_MIN_SCORE = 0.3
#: the least score of a twin pair
DEFAULT_MIN_SCORE = 0.3
#: the engines of ``lipyantar build --engine``
ENGINES: tuple[str, ...] = ("local", "dask")
