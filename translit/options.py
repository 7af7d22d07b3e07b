"""What the commands of the ``lipyantar`` command line share: the options that mean the same in every
command (``-o/--output``, ``--format``, ``--model``, ``-j/--jobs``), input paths checked before a command
runs (:class:`InputPath`: one error for a path that does not exist, whatever the command), and the
messages on stderr that ``lipyantar -q`` silences (:func:`warn`, :func:`note`).

The error handling of a command's run is :func:`lipyantar.translit.cli.run_cli_errors`; the progress
bar's option is :func:`lipyantar.translit.progress.progress_option`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

import click

from .errors import InputError, clip_message
from .progress import quiet

__all__ = [
    "InputPath",
    "MissingPathError",
    "format_option",
    "jobs_option",
    "model_files",
    "model_option",
    "note",
    "output_option",
    "warn",
]

F = TypeVar("F", bound=Callable[..., Any])


def warn(message: str) -> None:
    """``lipyantar: warning: MESSAGE`` on stderr (one line, clipped), unless ``lipyantar -q``."""
    if not quiet():
        click.echo(f"lipyantar: warning: {clip_message(message)}", err=True)


def note(message: str) -> None:
    """A line of information on stderr (``wrote model.lpm (2.1 MB)``), unless ``lipyantar -q``."""
    if not quiet():
        click.echo(clip_message(message), err=True)


class MissingPathError(click.ClickException):
    """A path on the command line that does not exist: ``lipyantar: error: PATH: no such file or
    directory``, exit status 1 (as :class:`~lipyantar.translit.errors.InputError`), before the command
    runs."""

    exit_code = InputError.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"lipyantar: error: {clip_message(self.format_message())}", err=True)


class InputPath(click.Path):
    """A path the command reads: it must exist (``-``, standard input, where ``allow_dash``); one that does
    not is a :class:`MissingPathError`, the same in every command."""

    def __init__(self, *, dir_okay: bool = False, allow_dash: bool = False) -> None:
        super().__init__(exists=False, dir_okay=dir_okay, allow_dash=allow_dash)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if not (self.allow_dash and path in ("-", b"-")) and not os.path.exists(path):
            broken = " (a broken symbolic link)" if os.path.islink(path) else ""
            raise MissingPathError(f"{os.fsdecode(path)}: no such file or directory{broken}")
        return path


def output_option(help: str = "Output file (written atomically).", **kwargs: Any) -> Callable[[F], F]:
    """``-o/--output FILE``: where the result goes (stdout when not given), written atomically."""
    kwargs.setdefault("type", click.Path(dir_okay=False))
    return click.option("-o", "--output", "output", help=help, **kwargs)


def format_option(choices: Sequence[str], *, default: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` among ``choices`` (the parameter is ``fmt``)."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True, help=help
    )


def model_option(
    name: str = "model", *, help: str = "Learned model file for the 'roman' scheme (default: the shipped model)."
) -> Callable[[F], F]:
    """``--model FILE``: a learned model file to load instead of the shipped one (it must exist)."""
    return click.option("--model", name, type=InputPath(), default=None, help=help)


def jobs_option(
    *, default: Any = None, show_default: Any = "all cores", help: str = "Worker processes."
) -> Callable[[F], F]:
    """``-j/--jobs N``: worker processes (at least 1)."""
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=default, show_default=show_default, help=help
    )


def model_files(model: str | None) -> list[str]:
    """A model file given with ``--model`` and its vocabulary beside it: inputs of the command, so never
    its outputs (:func:`lipyantar.translit.outputs.check_output`)."""
    if model is None:
        return []
    from .learned.storage import VOCAB_SUFFIX  # the model is loaded anyway

    return [model, os.path.splitext(model)[0] + VOCAB_SUFFIX]
