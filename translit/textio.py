"""Reading and writing text files safely.

* :func:`read_lines` streams the lines of a file (or stdin) as text, tolerating a UTF-8 BOM and CRLF.
  With ``errors="strict"`` the whole input is checked *before* the first line is handed out, so a
  caller never produces half an output for a file that turns out to be bad; the
  :class:`~translit.errors.InputError` names the file, the line and the byte offset.
* :func:`atomic_write` writes to a temporary file next to the target and renames it into place only
  when everything went well: there is never a half-written output file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, TextIO

from .errors import InputError

__all__ = ["STDIN", "atomic_write", "check_utf8", "open_output", "read_lines", "read_text"]

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


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Open ``path`` for writing text so that it appears only complete, or not at all.

    Writes go to a temporary file in the same directory, renamed over ``path`` when the ``with`` block
    ends without an exception; on an exception the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("output directory does not exist", source=str(directory))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a finished output gets the usual mode
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None) -> Iterator[TextIO]:
    """Standard output when ``path`` is None or ``"-"``, else :func:`atomic_write` to ``path``."""
    if path is None or str(path) == STDIN:
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_write(path) as fh:
            yield fh
