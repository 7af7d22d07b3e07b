"""The one exception tree of lipyantar.

Every error raised on purpose by ``translit``, ``align`` and ``corpora`` derives from
:class:`LipyantarError`, so callers can catch one class. The CLI turns these into a one-line
message on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "MAX_MESSAGE_CHARS",
    "AlignmentError",
    "InputError",
    "LipyantarError",
    "ModelError",
    "OutputError",
    "UnknownSchemeError",
    "UnsupportedConversionError",
    "clip_message",
    "excerpt",
]

#: the longest error or warning message lipyantar prints (characters); longer ones are cut
MAX_MESSAGE_CHARS = 1000


def excerpt(text: str, *, limit: int = 60) -> str:
    """``text`` quoted for a message (as ``repr`` quotes it), cut to ``limit`` characters with an
    ellipsis and its full length when longer: a message shows which token was meant, never a whole
    200 KB one."""
    if limit < 2:
        raise ValueError(f"limit must be >= 2, not {limit}")
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 1] + '…'!r} ({len(text):,} characters)"


def clip_message(message: str, *, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` cut to ``limit`` characters (with an ellipsis and the full length): the last guard
    that an error or a warning stays one readable line whatever user data it quotes."""
    if len(message) <= limit:
        return message
    return f"{message[: limit - 1]}… ({len(message):,} characters)"


class LipyantarError(Exception):
    """Base class of all lipyantar errors."""

    #: exit status used by the command-line interface
    exit_code: int = 1


class UnknownSchemeError(LipyantarError, ValueError):
    """A scheme name that is not in the registry; the message lists the valid names."""

    exit_code = 2

    def __init__(self, name: str, valid: Iterable[str]) -> None:
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"unknown scheme {name!r}; valid schemes: {', '.join(self.valid)}")


class UnsupportedConversionError(LipyantarError, ValueError):
    """Both schemes exist but there is no conversion between them (e.g. into ``roman-rules``)."""

    exit_code = 2


class InputError(LipyantarError, ValueError):
    """Bad input data: undecodable bytes, malformed TSV, wrong script, ...

    ``source``, ``line`` (1-based) and ``offset`` (byte offset in the file) locate the problem
    when known; ``str(error)`` always names them.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.offset = offset
        where = []
        if source is not None:
            where.append(source)
        if line is not None:
            where.append(f"line {line}")
        if offset is not None:
            where.append(f"byte {offset}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class OutputError(LipyantarError):
    """An output that cannot or must not be written: it is also an input, standard output is closed,
    another build holds the output directory, ... ``str(error)`` names the path when known."""

    def __init__(self, message: str, *, target: str | None = None) -> None:
        self.message = message
        self.target = target
        super().__init__(f"{target}: {message}" if target else message)


class ModelError(LipyantarError):
    """A model file that cannot be used: missing, corrupt, or of another format version."""


class AlignmentError(LipyantarError):
    """Alignment cannot proceed (e.g. inputs in the wrong scripts)."""
