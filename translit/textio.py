"""Reading and writing text files safely.

* :func:`read_lines` streams the lines of a file (or stdin) as text: UTF-8 (a BOM tolerated) or UTF-16/32
  with a BOM, CRLF and CR line ends read as LF; UTF-16/32 without a BOM and NUL bytes are refused.
  With ``errors="strict"`` the whole input is checked *before* the first line is handed out, so a
  caller never produces half an output for a file that turns out to be bad; the
  :class:`~lipyantar.translit.errors.InputError` names the file, the line and the byte offset.
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

import codecs
import contextlib
import io
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO

from .errors import InputError, OutputError

__all__ = [
    "STDIN",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_pair",
    "check_output",
    "check_utf8",
    "open_output",
    "read_lines",
    "read_text",
    "sniff_encoding",
]

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
                "NUL character: binary data, not text",
                source=source,
                line=lineno + text.count("\n", 0, text.index("\x00")),
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


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_output(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]]) -> None:
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
    path: str | os.PathLike[str],
    *,
    binary: bool,
    encoding: str = "utf-8",
    pending: list[tuple[str, Path]] | None = None,
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
        if pending is not None:
            pending.append((tmp, target))  # the caller renames it (and removes it on failure)
            return
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


@contextlib.contextmanager
def atomic_write_pair(
    first: str | os.PathLike[str], second: str | os.PathLike[str], *, encoding: str = "utf-8"
) -> Iterator[tuple[TextIO, TextIO]]:
    """Two text outputs that appear together, complete, or not at all (``OUT.deva`` and ``OUT.roman``
    of a parallel corpus: one new and the other old would be a corpus out of step).

    Each is written as :func:`atomic_write` writes; when both are complete they are renamed into
    place one after the other with SIGINT, SIGTERM and SIGHUP held back (delivered once both are
    there), and if the second rename fails the first output gets its old contents back.
    """
    pending: list[tuple[str, Path]] = []
    try:
        with (
            _atomic_open(first, binary=False, encoding=encoding, pending=pending) as a,
            _atomic_open(second, binary=False, encoding=encoding, pending=pending) as b,
        ):
            yield a, b
        _replace_together(pending)
    finally:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


_HELD_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the block runs, then deliver the first that came.

    Python runs signal handlers in the main thread whichever thread the kernel picked, so the handlers
    are swapped for a recorder (a mask would only cover one thread); elsewhere than in the main thread
    (where handlers cannot be set) and for an ignored signal nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for signum in _HELD_SIGNALS:
        handler = signal.getsignal(signum)
        if handler in (signal.SIG_IGN, None):
            continue
        previous[signum] = handler
        signal.signal(signum, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def _replace_together(pending: list[tuple[str, Path]]) -> None:
    """Rename each (temporary file, target) of ``pending`` over its target, with the termination signals
    held back; on a failure the targets already replaced get their old contents back."""
    backups: list[str] = []
    replaced: list[tuple[Path, str | None]] = []
    with _signals_held():
        try:
            for tmp, target in pending:
                backup: str | None = f"{tmp}.old"
                try:
                    os.link(target, backup)  # type: ignore[arg-type]
                    backups.append(backup)  # type: ignore[arg-type]
                except OSError:
                    backup = None  # a new output (or no hard links here: it can only be removed again)
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise type(exc)(exc.errno, exc.strerror, os.fspath(target)) from None
                replaced.append((target, backup))
        except OSError:
            for target, backup in reversed(replaced):
                with contextlib.suppress(OSError):
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        os.unlink(target)
            raise
        finally:
            for backup in backups:
                with contextlib.suppress(OSError):
                    os.unlink(backup)


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
