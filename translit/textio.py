"""Reading and writing text files safely.

* :func:`read_lines` streams the lines of a file (or stdin) as text: UTF-8 (a BOM tolerated) or UTF-16/32
  with a BOM, CRLF and CR line ends read as LF; UTF-16/32 without a BOM and NUL bytes are refused.
  With ``errors="strict"`` the whole input is checked *before* the first line is handed out, so a
  caller never produces half an output for a file that turns out to be bad; the
  :class:`~translit.errors.InputError` names the file, the line and the byte offset.
* :func:`atomic_write` writes to a temporary file next to the target and renames it into place only
  when everything went well: there is never a half-written output file.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, TextIO

from .errors import InputError

__all__ = ["STDIN", "atomic_write", "check_utf8", "open_output", "read_lines", "read_text", "sniff_encoding"]

DecodeErrors = Literal["strict", "replace"]
STDIN = "-"
_BOM = b"\xef\xbb\xbf"
_SPOOL_BYTES = 16 * 1024 * 1024
_BLOCK_BYTES = 1 << 20
# control characters that do not occur in text (tab, line ends and form feed do)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _display(source: str | os.PathLike[str]) -> str:
    return "<stdin>" if str(source) == STDIN else str(source)


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32BE"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16LE"),
    (b"\xfe\xff", "utf-16", "UTF-16BE"),
)
_SNIFF_BYTES = 1 << 16
_NO_BOM = (
    ("utf-32-le", "UTF-32LE"),
    ("utf-32-be", "UTF-32BE"),
    ("utf-16-le", "UTF-16LE"),
    ("utf-16-be", "UTF-16BE"),
)


def sniff_encoding(head: bytes, *, source: str = "<input>") -> tuple[str, str]:
    """The codec and name of a text file's encoding from its first bytes: UTF-8 (with or without a
    BOM), UTF-16 or UTF-32 with a BOM.

    Raises :class:`InputError` for UTF-16 or UTF-32 without a BOM: their bytes would pass as UTF-8
    (Devanagari code units are bytes below 0x80: tabs and NULs) and come out as garbage. Such a file
    is recognized by its byte pattern (the high byte of nearly every code unit 0x00, or 0x09 for
    Devanagari) and by decoding to text without control characters. Other NUL bytes are left to
    :func:`check_utf8`.
    """
    for bom, codec, label in _BOMS:
        if head.startswith(bom):
            return codec, label
    label = _wide_without_bom(head)
    if label is not None:
        raise InputError(
            f"looks like {label[:6]} without a byte-order mark ({label}); re-save it as UTF-8, or with a BOM",
            source=source,
        )
    return "utf-8", "UTF-8"


def _wide_without_bom(head: bytes) -> str | None:
    if len(head) < 4 or not (b"\x00" in head or b"\t" in head):
        return None
    for codec, label, width, high, low in (
        ("utf-32-le", "UTF-32LE", 4, 3, 0),
        ("utf-32-be", "UTF-32BE", 4, 0, 3),
        ("utf-16-le", "UTF-16LE", 2, 1, 0),
        ("utf-16-be", "UTF-16BE", 2, 0, 1),
    ):
        usable = len(head) - len(head) % width
        units = usable // width
        top, bottom = head[high:usable:width], head[low:usable:width]
        if width == 4:
            plane = head[(2 if high == 3 else 1) : usable : width]
            pattern = top.count(0) == units and plane.count(0) >= 0.9 * units
        else:
            pattern = top.count(0) + top.count(9) >= 0.9 * units
        if not pattern or bottom.count(0) > 0.05 * units:
            continue
        try:
            text = head[:usable].decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and not _CONTROL_RE.search(text):
            return label
    return None


def check_utf8(stream: BinaryIO, *, source: str = "<input>") -> None:
    """Raise :class:`InputError` at the first byte of ``stream`` that is not valid text.

    The encoding comes from the first bytes (:func:`sniff_encoding`: UTF-8, or UTF-16/32 with a BOM;
    UTF-16/32 without a BOM and binary data are refused); a NUL byte anywhere is refused too. Reads the
    stream to its end in blocks cut at line ends (bounded memory unless a single line is huge); the
    caller rewinds it. The error names the line and the byte offset in the file.
    """
    codec, label = sniff_encoding(stream.read(_SNIFF_BYTES), source=source)
    stream.seek(0)
    if codec != "utf-8" and codec != "utf-8-sig":
        _check_wide(stream, codec, label, source=source)
        return
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
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise InputError(
                "NUL byte: binary data, not text",
                source=source,
                line=lineno + chunk.count(b"\n", 0, nul),
                offset=offset + nul,
            )
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


def _check_wide(stream: BinaryIO, codec: str, label: str, *, source: str) -> None:
    """check_utf8 for UTF-16/32 with a BOM: decodable to the end, no NUL character."""
    decoder = codecs.getincrementaldecoder(codec)()
    lineno = 1
    offset = 0
    while True:
        block = stream.read(_BLOCK_BYTES)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"invalid {label} (a BOM says {label}, but the bytes are not); re-save the file as UTF-8",
                source=source,
                line=lineno,
                offset=offset + max(exc.start, 0),
            ) from None
        if "\x00" in text:
            raise InputError(
                "NUL character: binary data, not text", source=source, line=lineno + text.count("\n", 0, text.index("\x00"))
            )
        lineno += text.count("\n")
        offset += len(block)
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
    (default) invalid UTF-8 or a NUL byte raises :class:`InputError` before any line is yielded
    (``checked=True``: the caller has run :func:`check_utf8` on this file already); with
    ``errors="replace"`` they become U+FFFD. UTF-16 and UTF-32 with a BOM are read too; without a BOM
    they are refused in either mode (:func:`sniff_encoding`).
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    name = _display(source)
    with _binary_input(source) as fh:
        if errors == "strict" and not (checked and str(source) != STDIN):
            check_utf8(fh, source=name)
            fh.seek(0)
        codec, _ = sniff_encoding(fh.read(_SNIFF_BYTES), source=name)  # UTF-16 without BOM: refused
        fh.seek(0)
        codec = "utf-8-sig" if codec == "utf-8" else codec
        # decoding and line ends in C: the codec drops a leading BOM, newline=None reads \r\n and \r as \n
        text = io.TextIOWrapper(fh, encoding=codec, errors=errors, newline=None)  # type: ignore[arg-type]
        try:
            if errors == "replace":  # NUL is valid UTF-8 but not text: replaced like undecodable bytes
                for line in text:
                    if "\x00" in line:
                        line = line.replace("\x00", "\ufffd")
                    yield line if keepends or not line.endswith("\n") else line[:-1]
            elif keepends:
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
