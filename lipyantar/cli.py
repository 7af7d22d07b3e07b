"""The root of the ``lipyantar`` command line: the click group and its commands, each from the package
that owns the concept (:mod:`lipyantar.translit.cli`, :mod:`lipyantar.align.cli`,
:mod:`lipyantar.corpora.cli`, :mod:`lipyantar.serve.cli`; ``learn`` and ``evaluate``, which reach across the
layers, :mod:`lipyantar.model_cli`). The options that every command shares are
:mod:`lipyantar.translit.options`. The command modules import their heavy parts (models, alignment, corpora)
inside the commands, so ``lipyantar --help`` starts fast.
"""

from __future__ import annotations

import logging
import sys

import click

from lipyantar.align.cli import align_command
from lipyantar.corpora.cli import build_command, detect_command, stats_command, twins_command
from lipyantar.translit.cli import convert_command, schemes_command
from lipyantar.translit.errors import clip_message

from . import __version__
from .model_cli import evaluate_command, learn_command
from .serve.cli import serve_command

__all__ = ["main"]


class _Formatter(logging.Formatter):
    """Log lines on stderr, each cut to :data:`~lipyantar.translit.errors.MAX_MESSAGE_CHARS` (a message
    that quotes user data stays one readable line; a traceback at -vv is kept whole)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return clip_message(super().formatMessage(record))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lipyantar")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def main(verbose: int, quiet: bool) -> None:
    """lipyantar: Hindi in two scripts — convert, align, learn romanization, build parallel corpora."""
    # at exit, the collector's passes over everything still alive (the model, the memos) are wasted
    # work: the process is ending (gc.freeze moves it all out of the collector's sight)
    import atexit
    import gc

    atexit.register(gc.freeze)
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("lipyantar: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


for _command in (
    schemes_command,
    convert_command,
    learn_command,
    evaluate_command,
    align_command,
    detect_command,
    stats_command,
    twins_command,
    build_command,
    serve_command,
):
    main.add_command(_command)
