"""Reading and writing text files safely.

* :func:`read_lines` streams the lines of a file (or stdin) as text, tolerating a UTF-8 BOM and CRLF.
  With ``errors="strict"`` the whole input is checked *before* the first line is handed out, so a
  caller never produces half an output for a file that turns out to be bad; the
  :class:`~translit.errors.InputError` names the file, the line and the byte offset.
* :func:`atomic_write` (text) and :func:`atomic_write_bytes` write to a temporary file next to the target
  (``tempfile.mkstemp``: a fresh name, never a planted link) and rename it into place only when everything
  went well: there is never a half-written output file. A symbolic link is written through (the file
  it points to is replaced, the link stays), an existing file keeps its permissions, and a target that
  is not a regular file (``/dev/null``, a FIFO, a terminal, ``/proc/self/fd/1``) is written straight,
  never replaced by a regular file.
* :func:`check_output` refuses an output path that is also one of the inputs (the same file by
  :func:`os.path.samefile`, so also through symbolic and hard links, and standard input redirected from
  it), before anything is read or written.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO

from .errors import InputError, OutputError

__all__ = [
    "STDIN",
    "atomic_write",
    "atomic_write_bytes",
    "check_output",
    "check_utf8",
    "open_output",
    "read_lines",
    "read_text",
]

DecodeErrors = Literal["strict", "replace"]
STDIN = "-"
_BOM = b"\xef\xbb\xbf"
_SPOOL_BYTES = 16 * 1024 * 1024
_BLOCK_BYTES = 1 << 20


def _display(source: str | os.PathLike[str]) -> str:
    return "<stdin>" if str(source) == STDIN else str(source)


def check_utf8(stream: BinaryIO, *, source: str = "<input>") -> None:
    """Raise :class:`InputError` at the first byte of ``stream`` that is not valid UTF-8.

    Reads the stream to its end in blocks cut at line ends (bounded memory unless a single line is
    huge); the caller rewinds it. The error names the line and the byte offset in the file.
    """
    offset = 0
    lineno = 1
    carry = b""
    while True:
        block = stream.read(_BLOCK_BYTES)
        data = carry + block if carry else block
        if block:
            cut = data.rfind(b"\n") + 1  # a line end never falls inside a multi-byte sequence
            if not cut:
                carry = data
                continue
            chunk, carry = data[:cut], data[cut:]
        else:
            chunk, carry = data, b""
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = chunk[exc.start : exc.start + 1].hex()
            raise InputError(
                f"invalid UTF-8 (byte 0x{bad}); re-encode the file as UTF-8 or pass --errors replace",
                source=source,
                line=lineno + chunk.count(b"\n", 0, exc.start),
                offset=offset + exc.start,
            ) from None
        lineno += chunk.count(b"\n")
        offset += len(chunk)
        if not block:
            return


@contextlib.contextmanager
def _binary_input(source: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    if str(source) == STDIN:
        # stdin cannot be read twice: keep it (in memory up to 16 MiB, then in a temporary file)
        head = sys.stdin.buffer.read(_SPOOL_BYTES)
        if len(head) < _SPOOL_BYTES:
            yield io.BytesIO(head)
            return
        with tempfile.TemporaryFile() as spool:
            spool.write(head)
            del head
            shutil.copyfileobj(sys.stdin.buffer, spool)
            spool.seek(0)
            yield spool  # type: ignore[misc]
        return
    try:
        fh = open(source, "rb")
    except FileNotFoundError:
        raise InputError("no such file", source=str(source)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=str(source)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(source)) from None
    with fh:
        yield fh


def read_lines(
    source: str | os.PathLike[str],
    *,
    errors: DecodeErrors = "strict",
    keepends: bool = False,
    checked: bool = False,
) -> Iterator[str]:
    """Yield the lines of a UTF-8 file (``"-"`` for stdin), without line ends unless ``keepends``.

    A BOM at the start is dropped; CRLF and CR line ends are read as LF. With ``errors="strict"``
    (default) invalid UTF-8 raises :class:`InputError` before any line is yielded (``checked=True``:
    the caller has run :func:`check_utf8` on this file already); with ``errors="replace"`` bad bytes
    become U+FFFD.
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    name = _display(source)
    with _binary_input(source) as fh:
        if errors == "strict" and not (checked and str(source) != STDIN):
            check_utf8(fh, source=name)
            fh.seek(0)
        # decoding and line ends in C: utf-8-sig drops a leading BOM, newline=None reads \r\n and \r as \n
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors=errors, newline=None)  # type: ignore[arg-type]
        try:
            if keepends:
                yield from text
            else:
                for line in text:
                    yield line[:-1] if line.endswith("\n") else line
        finally:
            text.detach()  # the file is closed by _binary_input


def read_text(source: str | os.PathLike[str], *, errors: DecodeErrors = "strict") -> str:
    """The whole text of a UTF-8 file (BOM dropped, line ends as LF); errors as :func:`read_lines`."""
    return "".join(read_lines(source, errors=errors, keepends=True))


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_output(
    output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise :class:`InputError` ("output is also an input") when ``output`` is one of ``inputs``.

    Compares files, not names (:func:`os.path.samefile`): relative paths, ``..``, symbolic links and hard
    links to an input are all caught, and so is ``-`` (stdin) when it is redirected from ``output``.
    Non-regular files (``/dev/null``, a terminal) are never "the same" as an input: reading and writing
    them does not destroy anything. Nothing to check when ``output`` is stdout or does not exist yet.
    """
    if output is None or str(output) == STDIN:
        return
    try:
        out = os.stat(output)
    except OSError:
        return  # does not exist yet (or cannot be reached: writing it will say why)
    if not stat.S_ISREG(out.st_mode):
        return
    for item in inputs:
        try:
            if str(item) == STDIN:
                if sys.stdin is None:
                    continue
                st = os.fstat(sys.stdin.fileno())
            else:
                st = os.stat(item)
        except (OSError, ValueError):
            continue  # a missing input is reported when it is read
        if _same_file(st, out):
            shown = "<stdin>" if str(item) == STDIN else str(item)
            raise OutputError(
                f"output is also an input ({shown}): writing it would destroy the input; "
                "choose another output file",
                target=str(output),
            )


def _resolve_target(path: str | os.PathLike[str]) -> tuple[Path, os.stat_result | None]:
    """Where an output named ``path`` goes and its status (None when it does not exist yet): a regular
    file is replaced where it is, also when ``path`` is a symbolic link to it; anything else (a device,
    a FIFO, ``/proc/self/fd/1``) is opened by its name."""
    target = Path(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if target.is_symlink():  # a dangling link: create the file it names
            return Path(os.path.realpath(target)), None
        return target, None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("is a directory, not a file", target=str(path))
    if stat.S_ISREG(st.st_mode) and target.is_symlink():
        target = Path(os.path.realpath(target))
    return target, st


def _with_filename(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """``exc`` naming ``path`` when it names no file (a failed write or flush does not)."""
    if exc.filename is not None or exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, os.fspath(path))


@contextlib.contextmanager
def _atomic_open(
    path: str | os.PathLike[str], *, binary: bool, encoding: str = "utf-8"
) -> Iterator[Any]:
    target, st = _resolve_target(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        # a device, FIFO, socket or terminal: write straight to it (renaming would replace the node)
        try:
            if binary:
                with open(target, "wb") as raw:
                    yield raw
            else:
                with open(target, "w", encoding=encoding, newline="\n") as text:
                    yield text
        except OSError as exc:
            raise _with_filename(exc, path) from None
        return
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError("output directory does not exist", target=str(directory))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)  # replacing a file: keep its permissions
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp makes 0600; a new output gets the usual mode
        os.fchmod(fd, mode)
        if binary:
            fh: Any = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline="\n")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _with_filename(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Open ``path`` for writing text so that it appears only complete, or not at all.

    Writes go to a temporary file in the same directory (created by :func:`tempfile.mkstemp`), renamed
    over ``path`` when the ``with`` block ends without an exception; on an exception (a signal included)
    the temporary file is removed and ``path`` is untouched. A symbolic link is written through; a path
    that is not a regular file (a device, a FIFO) is written straight, as the shell's ``>`` would.
    """
    with _atomic_open(path, binary=False, encoding=encoding) as fh:
        yield fh


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` the way :func:`atomic_write` writes text."""
    with _atomic_open(path, binary=True) as fh:
        fh.write(data)


def _stdout() -> TextIO:
    if sys.stdout is None:
        raise OutputError("standard output is closed; give an output file with -o FILE")
    return sys.stdout


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None) -> Iterator[TextIO]:
    """Standard output when ``path`` is None or ``"-"``, else :func:`atomic_write` to ``path``."""
    if path is None or str(path) == STDIN:
        out = _stdout()
        yield out
        out.flush()
    else:
        with atomic_write(path) as fh:
            yield fh
