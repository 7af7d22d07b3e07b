"""The root of the ``lipyantar`` command line: the click group and its commands, each from the package
that owns the concept (:mod:`lipyantar.translit.cli`, :mod:`lipyantar.align.cli`,
:mod:`lipyantar.corpora.cli`, :mod:`lipyantar.serve.cli`; ``learn`` and ``evaluate``, which reach across the
layers, :mod:`lipyantar.model_cli`). The options that every command shares are
:mod:`lipyantar.translit.options`. A command's module is imported when the command is looked up
(:class:`LazyCommands`: ``lipyantar convert`` imports neither the aligner's, the corpus builder's, the
trainer's nor the server's commands), and the command modules import their heavy parts (models,
alignment, corpora) inside the commands, so every command starts fast.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import click

from lipyantar.translit.errors import clip_message

from . import __version__

__all__ = ["main"]


# each command from its module, imported when the command is looked up: ``lipyantar convert`` does not
# import the aligner's, the corpus builder's, the trainer's or the server's command modules
def _schemes() -> click.Command:
    from lipyantar.translit.cli import schemes_command

    return schemes_command


def _convert() -> click.Command:
    from lipyantar.translit.cli import convert_command

    return convert_command


def _learn() -> click.Command:
    from .model_cli import learn_command

    return learn_command


def _evaluate() -> click.Command:
    from .model_cli import evaluate_command

    return evaluate_command


def _align() -> click.Command:
    from lipyantar.align.cli import align_command

    return align_command


def _detect() -> click.Command:
    from lipyantar.corpora.cli import detect_command

    return detect_command


def _stats() -> click.Command:
    from lipyantar.corpora.cli import stats_command

    return stats_command


def _twins() -> click.Command:
    from lipyantar.corpora.cli import twins_command

    return twins_command


def _build() -> click.Command:
    from lipyantar.corpora.cli import build_command

    return build_command


def _serve() -> click.Command:
    from .serve.cli import serve_command

    return serve_command


#: the commands, in the order of the help: name -> the function that imports it
COMMANDS: dict[str, Callable[[], click.Command]] = {
    "schemes": _schemes,
    "convert": _convert,
    "learn": _learn,
    "evaluate": _evaluate,
    "align": _align,
    "detect": _detect,
    "stats": _stats,
    "twins": _twins,
    "build": _build,
    "serve": _serve,
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The root group's commands (click's ``Group.commands``): every name is known at once, a command's
    module is imported the first time the command is asked for (``lipyantar convert`` imports the
    converter's commands only; ``lipyantar --help`` and ``items()`` import them all)."""

    def __init__(self, loaders: dict[str, Callable[[], click.Command]]) -> None:
        self._loaders = dict(loaders)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        command = self._loaded.get(name)
        if command is None:
            command = self._loaders[name]()  # KeyError: no such command
            if command.name != name:
                raise RuntimeError(f"the command registered as {name!r} is named {command.name!r}")
            self._loaded[name] = command
        return command

    def __contains__(self, name: object) -> bool:  # without importing the command
        return name in self._loaders or name in self._loaded

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._loaders.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._loaders), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(self._loaders.keys() | self._loaded.keys())

    def loaded(self) -> list[str]:
        """The names of the commands imported so far."""
        return list(self._loaded)


class _Formatter(logging.Formatter):
    """Log lines on stderr, each cut to :data:`~lipyantar.translit.errors.MAX_MESSAGE_CHARS` (a message
    that quotes user data stays one readable line; a traceback at -vv is kept whole)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return clip_message(super().formatMessage(record))


class _Root(click.Group):
    """The root group: run as the program (``lipyantar``, ``python -m lipyantar``: no ``args`` given), a
    ``convert`` that finished ends the process without tearing the interpreter down
    (:func:`~lipyantar.translit.signals.end_program`: the loaded model is not freed object by object).
    Called with arguments (tests, ``CliRunner``, other code), it is click's group."""

    #: the commands that close their outputs before they return (end_program flushes only the
    #: standard streams)
    quick_end = frozenset({"convert"})

    def main(self, args: Any = None, prog_name: str | None = None, *pos: Any, **kwargs: Any) -> Any:
        if args is not None or pos or not kwargs.get("standalone_mode", True):
            return super().main(args, prog_name, *pos, **kwargs)
        try:
            return super().main(None, prog_name, **kwargs)
        except SystemExit as exc:
            ctx = click.get_current_context(silent=True)
            command = _ended_command.pop() if _ended_command else None
            if ctx is None and command in self.quick_end and (exc.code is None or type(exc.code) is int):
                from lipyantar.translit.signals import end_program

                end_program(exc.code)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        _ended_command.clear()
        result = super().invoke(ctx)
        _ended_command.append(ctx.invoked_subcommand)  # it returned: it finished
        return result


#: the command that the root group ran and that returned (an error leaves it empty)
_ended_command: list[str | None] = []


@click.group(
    cls=_Root, commands=LazyCommands(COMMANDS), context_settings={"help_option_names": ["-h", "--help"]}
)
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

