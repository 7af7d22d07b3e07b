"""Reading text files safely.

* :func:`read_lines` streams the lines of a file (or stdin) as text: UTF-8 (a BOM tolerated) or UTF-16/32
  with a BOM, CRLF and CR line ends read as LF; UTF-16/32 without a BOM and NUL bytes are refused, and so
  is a line longer than :data:`MAX_LINE_BYTES` (8 MiB). With ``errors="strict"`` the whole input is
  checked *before* the first line is handed out, so a caller never produces half an output for a file
  that turns out to be bad; the :class:`~lipyantar.translit.errors.InputError` names the file, the line
  and the byte offset. The check streams: ``/dev/zero`` fails at its first byte, and memory does not grow
  with the file. :func:`read_inputs` does the same for several inputs at once (all checked first).
* Inputs that can be read only once (stdin, ``/dev/stdin``, ``<(command)``'s ``/dev/fd/N``, a device) are
  read in one pass; named pipes (FIFOs) are refused, since opening one hangs for as long as no program
  writes to it.

Writing outputs (atomic writes, ``check_output``, ``open_output``): :mod:`lipyantar.translit.outputs`.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, Literal

from .errors import InputError

__all__ = [
    "BYTE_ORDER_MARKS",
    "MAX_LINE_BYTES",
    "STDIN",
    "check_utf8",
    "is_regular_file",
    "read_inputs",
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


#: the byte-order marks, longer first (UTF-32LE's starts with UTF-16LE's): (mark, codec of the bytes
#: after the mark, name)
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16BE"),
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
    for bom, codec, label in BYTE_ORDER_MARKS:
        if head.startswith(bom):  # a codec that reads the mark and drops it
            return ("utf-8-sig" if codec == "utf-8" else codec[:6]), label
    wide = _wide_without_bom(head)
    if wide is not None:
        raise InputError(
            f"looks like {wide[:6]} without a byte-order mark ({wide}); re-save it as UTF-8, or with a BOM",
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


#: the longest line lipyantar reads: 8 MiB (counted in bytes when a file is checked, in characters when it
#: is read; a character is at least one byte), about 2.8 million Devanagari letters or 8 million Latin
#: ones. Everything lipyantar reads is read line by line; a longer "line" is not text lipyantar can use
#: (``/dev/zero``, a binary file without line ends), and would otherwise be gathered in memory without end.
MAX_LINE_BYTES = 8 * 1024 * 1024
_EOL: dict[type, Any] = {bytes: re.compile(rb"[\r\n]"), str: re.compile(r"[\r\n]")}


class _TextCheck:
    """The check of :func:`check_utf8`, fed a file's bytes in order in blocks of any size: raises
    :class:`InputError` at the first NUL, the first byte that is not valid in the file's encoding, and
    the first line longer than ``max_line`` (bytes for UTF-8, characters for UTF-16/32). Memory does not
    grow with the file or with its lines."""

    def __init__(self, codec: str, label: str, *, source: str, max_line: int) -> None:
        self.source = source
        self.label = label
        self.max_line = max_line
        self.wide = codec not in ("utf-8", "utf-8-sig")
        self.decoder = codecs.getincrementaldecoder(codec)()  # for UTF-16/32 (UTF-8 is checked in blocks)
        self.pending = b""  # an incomplete UTF-8 sequence at the end of the last block
        self.offset = 0  # bytes checked (UTF-8: before `pending`)
        self.line = 1
        self.run = 0  # the length of the current line so far
        self.line_start = 0  # the byte offset of the current line (UTF-8)

    def feed(self, block: bytes) -> None:
        """Check the next ``block`` of the file; an empty block is the end."""
        if self.wide:
            self._feed_wide(block)
        else:
            self._feed_utf8(block)

    def _feed_utf8(self, block: bytes) -> None:
        data = self.pending + block if self.pending else block
        nul = data.find(b"\x00")
        try:
            _, used = codecs.utf_8_decode(data, "strict", not block)
        except UnicodeDecodeError as exc:
            if 0 <= nul < exc.start:
                self._nul(data, nul)
            self._lines(data, exc.start)  # a line too long before the bad byte is the first error
            bad = data[exc.start : exc.start + 1].hex()
            raise InputError(
                f"invalid UTF-8 (byte 0x{bad}); re-encode the file as UTF-8 or pass --errors replace",
                source=self.source,
                line=self.line,
                offset=self.offset + exc.start,
            ) from None
        if nul >= 0:
            self._nul(data, nul)
        self._lines(data, used)
        self.pending = data[used:]
        self.offset += used

    def _nul(self, data: bytes, at: int) -> None:
        self._lines(data, at)  # a line too long before the NUL is the first error
        raise InputError(
            "NUL byte: binary data, not text",
            source=self.source,
            line=self.line,
            offset=self.offset + at,
        )

    def _feed_wide(self, block: bytes) -> None:
        try:
            text = self.decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"invalid {self.label} (a BOM says {self.label}, but the bytes are not); "
                "re-save the file as UTF-8",
                source=self.source,
                line=self.line,
                offset=self.offset + max(exc.start, 0),
            ) from None
        nul = text.find("\x00")
        if nul >= 0:
            self._lines(text, nul)  # a line too long before the NUL is the first error
            raise InputError("NUL character: binary data, not text", source=self.source, line=self.line)
        self._lines(text, len(text))
        self.offset += len(block)

    def _lines(self, data: Any, end: int) -> None:
        """Count the lines of ``data[:end]`` (bytes or text) and check their lengths; a line ends at LF
        or CR (line numbers count LF, as the positions of the other errors do)."""
        newline, cr = (b"\n", b"\r") if isinstance(data, bytes) else ("\n", "\r")
        eol = _EOL[type(data)]
        first = eol.search(data, 0, end)
        if first is None:
            self.run += end
        else:
            if self.run + first.start() > self.max_line:
                self._too_long()
            last = max(data.rfind(newline, 0, end), data.rfind(cr, 0, end))
            if last - first.end() > self.max_line:  # only with a limit below the block size
                start = first.end()
                for match in eol.finditer(data, start, last + 1):
                    if match.start() - start > self.max_line:
                        self.line += data.count(newline, 0, start)
                        self.line_start = self.offset + start
                        self._too_long()
                    start = match.end()
            self.line += data.count(newline, 0, end)
            self.line_start = self.offset + last + 1
            self.run = end - last - 1
        if self.run > self.max_line:
            self._too_long()

    def _too_long(self) -> None:
        unit = "characters" if self.wide else "bytes"
        raise InputError(
            f"a line longer than {self.max_line:,} {unit}: not text that can be read line by line "
            "(binary data, or text without line ends: split it into lines)",
            source=self.source,
            line=self.line,
            offset=None if self.wide else self.line_start,
        )


def check_utf8(stream: BinaryIO, *, source: str = "<input>", max_line: int = MAX_LINE_BYTES) -> None:
    """Raise :class:`InputError` at the first byte of ``stream`` that is not valid text.

    The encoding comes from the first bytes (:func:`sniff_encoding`: UTF-8, or UTF-16/32 with a BOM;
    UTF-16/32 without a BOM and binary data are refused); a NUL byte anywhere is refused too, and so is a
    line longer than ``max_line`` (:data:`MAX_LINE_BYTES`). Reads the stream once, from where it is to
    its end, in blocks (memory does not grow with the file or its lines); the caller rewinds it. The
    error names the line and the byte offset in the file.
    """
    if max_line < 1:
        raise ValueError(f"max_line must be >= 1, not {max_line}")
    head = stream.read(_SNIFF_BYTES)
    codec, label = sniff_encoding(head, source=source)
    check = _TextCheck(codec, label, source=source, max_line=max_line)
    block = head
    while block:
        check.feed(block)
        block = stream.read(_BLOCK_BYTES)
    check.feed(b"")


#: ``/dev/stdin``, ``/dev/stdout``, ``/dev/stderr`` (their real names: their links are followed
#: one by one, so that the descriptor they name is found rather than the file it has open)
_STANDARD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_FD_NAME = re.compile(r"/(?:dev/fd|proc/(?:self|thread-self|(\d+))(?:/task/\d+)?/fd)/(\d+)")


def fd_alias(path: str | os.PathLike[str]) -> int | None:
    """The descriptor of this process that ``path`` names (``/dev/stdout``, ``/dev/fd/N``,
    ``/proc/self/fd/N``, also through symbolic links to them), or None for any other path.

    Opening such a name opens the file the descriptor has open *anew* (at offset 0, truncated by an
    output, without the shell's ``>>`` append mode): lipyantar writes to and reads from the descriptor
    itself instead, as the shell does for these names."""
    if os.name != "posix":
        return None
    current = os.path.abspath(os.fspath(path))
    for _ in range(40):  # the kernel's limit on links followed
        head, tail = os.path.split(current)
        real_head = os.path.realpath(head)
        real = os.path.join(real_head, tail)
        if real in _STANDARD_NAMES:
            return _STANDARD_NAMES[real]
        match = _FD_NAME.fullmatch(real)
        if match is not None:
            pid = match.group(1)
            return int(match.group(2)) if pid is None or int(pid) == os.getpid() else None
        try:
            target = os.readlink(real)
        except OSError:
            return None  # not a link: an ordinary name
        current = os.path.normpath(os.path.join(real_head, target))
    return None


def _refuse_kind(st: os.stat_result, source: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a file", source=source)
    if stat.S_ISFIFO(st.st_mode):
        raise InputError(
            "is a named pipe (FIFO), not a file: lipyantar does not open named pipes, which hang for as "
            "long as no program writes to them; give it as standard input instead (< FIFO)",
            source=source,
        )
    if stat.S_ISSOCK(st.st_mode):
        raise InputError("is a socket, not a file", source=source)


def _open_named(source: str | os.PathLike[str]) -> tuple[BinaryIO, bool]:
    """Open a named input for reading without ever blocking: ``(stream, is a regular file)``.

    ``/dev/stdin``, ``/dev/fd/N`` (a shell's ``<(command)``) and the like are read from the descriptor
    they name, in one pass; named pipes, sockets and directories are refused; other files (devices
    such as ``/dev/zero`` included) are opened."""
    name = str(source)
    fd = fd_alias(source)
    if fd is not None:
        if fd == 0 and sys.stdin is None:
            raise InputError("standard input is closed", source=name)
        try:
            dup = os.dup(fd)
        except OSError:
            raise InputError(f"descriptor {fd} is not open", source=name) from None
        try:
            if stat.S_ISDIR(os.fstat(dup).st_mode):
                raise InputError("is a directory, not a file", source=name)
            return os.fdopen(dup, "rb"), False
        except BaseException:
            os.close(dup)
            raise
    try:
        _refuse_kind(os.stat(source), name)  # before opening: opening a FIFO would wake up its writer
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("no such file", source=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=name) from None
    try:
        st = os.fstat(fd)
        _refuse_kind(st, name)  # replaced by a FIFO between the two looks
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # opened without blocking only so that the open cannot hang
        return os.fdopen(fd, "rb"), stat.S_ISREG(st.st_mode)
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def _binary_input(source: str | os.PathLike[str]) -> Iterator[tuple[BinaryIO, bool]]:
    """The input ``source`` (``"-"``: standard input) open for reading: ``(stream, is a regular file)``;
    only a regular file can be read twice (checked first, then read)."""
    if str(source) == STDIN:
        if sys.stdin is None:
            raise InputError("standard input is closed", source="<stdin>")
        yield sys.stdin.buffer, False
        return
    fh, regular = _open_named(source)
    with fh:
        yield fh, regular


@contextlib.contextmanager
def _spooled(stream: BinaryIO, *, source: str, max_line: int) -> Iterator[tuple[BinaryIO, str]]:
    """Read a stream that can be read only once (stdin, a pipe, a device) into a spool (memory up to
    16 MiB, then a temporary file), checked as it comes in (:func:`check_utf8`: a NUL byte in
    ``/dev/zero`` stops it at once); yields the spool, rewound, and the file's codec."""
    head = stream.read(_SNIFF_BYTES)
    codec, label = sniff_encoding(head, source=source)
    check = _TextCheck(codec, label, source=source, max_line=max_line)
    with contextlib.ExitStack() as stack:
        spool: Any = io.BytesIO()
        block = head
        while block:
            check.feed(block)
            spool.write(block)
            if isinstance(spool, io.BytesIO) and spool.tell() > _SPOOL_BYTES:
                import tempfile  # only for input past the spool's memory

                disk = stack.enter_context(tempfile.TemporaryFile())
                disk.write(spool.getbuffer())
                spool = disk
            block = stream.read(_BLOCK_BYTES)
        check.feed(b"")
        spool.seek(0)
        yield spool, codec


class _Replay(io.RawIOBase):
    """A stream read once: the bytes already read from it (``head``), then the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        read = getattr(self._rest, "read1", self._rest.read)
        data = read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextlib.contextmanager
def _decodable(
    source: str | os.PathLike[str], *, errors: DecodeErrors, checked: bool, max_line: int
) -> Iterator[tuple[BinaryIO, str]]:
    """``source`` open for decoding, and its codec: a regular file checked (unless ``checked``) and
    rewound; anything else spooled while checked (strict) or read as it comes (replace)."""
    name = _display(source)
    with _binary_input(source) as (fh, regular):
        if regular:
            if errors == "strict" and not checked:
                check_utf8(fh, source=name, max_line=max_line)
                fh.seek(0)
            codec, _ = sniff_encoding(fh.read(_SNIFF_BYTES), source=name)  # UTF-16 without BOM: refused
            fh.seek(0)
            yield fh, codec
        elif errors == "strict":
            with _spooled(fh, source=name, max_line=max_line) as ready:
                yield ready
        else:
            head = fh.read(_SNIFF_BYTES)
            codec, _ = sniff_encoding(head, source=name)
            yield io.BufferedReader(_Replay(head, fh)), codec


def _decoded_lines(
    fh: BinaryIO, codec: str, *, errors: DecodeErrors, keepends: bool, max_line: int, source: str
) -> Iterator[str]:
    """The lines of ``fh`` decoded (BOM dropped, CRLF and CR read as LF), each at most ``max_line``
    characters long (else :class:`InputError`)."""
    codec = "utf-8-sig" if codec == "utf-8" else codec
    # decoding and line ends in C: the codec drops a leading BOM, newline=None reads \r\n and \r as \n
    text = io.TextIOWrapper(fh, encoding=codec, errors=errors, newline=None)
    readline = text.readline
    limit = max_line + 1
    replace = errors == "replace"
    lineno = 0
    try:
        while line := readline(limit):
            lineno += 1
            if len(line) == limit and line[-1] != "\n":
                raise InputError(
                    f"a line longer than {max_line:,} characters: not text that can be read line by line "
                    "(binary data, or text without line ends: split it into lines)",
                    source=source,
                    line=lineno,
                )
            if replace and "\x00" in line:  # NUL is valid UTF-8 but not text: replaced like undecodable bytes
                line = line.replace("\x00", "\ufffd")
            yield line if keepends or line[-1] != "\n" else line[:-1]
    finally:
        text.detach()  # the file is closed by its owner


def read_lines(
    source: str | os.PathLike[str],
    *,
    errors: DecodeErrors = "strict",
    keepends: bool = False,
    checked: bool = False,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[str]:
    """Yield the lines of a UTF-8 file (``"-"`` for stdin), without line ends unless ``keepends``.

    A BOM at the start is dropped; CRLF and CR line ends are read as LF. With ``errors="strict"``
    (default) invalid UTF-8 or a NUL byte raises :class:`InputError` before any line is yielded
    (``checked=True``: the caller has run :func:`check_utf8` on this regular file already); with
    ``errors="replace"`` they become U+FFFD. UTF-16 and UTF-32 with a BOM are read too; without a BOM
    they are refused in either mode (:func:`sniff_encoding`). A line longer than ``max_line``
    characters (:data:`MAX_LINE_BYTES`) raises :class:`InputError` in either mode.

    Standard input, ``/dev/stdin``, ``/dev/fd/N`` (``<(command)``) and devices are read once: in strict
    mode into a spool, checked as it comes in (so ``/dev/zero`` fails at its first byte); named pipes
    are refused (they hang for as long as no program writes to them).
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    if max_line < 1:
        raise ValueError(f"max_line must be >= 1, not {max_line}")
    name = _display(source)
    with _decodable(source, errors=errors, checked=checked, max_line=max_line) as (fh, codec):
        yield from _decoded_lines(fh, codec, errors=errors, keepends=keepends, max_line=max_line, source=name)


@contextlib.contextmanager
def read_inputs(
    sources: Sequence[str | os.PathLike[str]],
    *,
    errors: DecodeErrors = "strict",
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[Iterator[str]]:
    """The lines of ``sources`` one after the other, each read as :func:`read_lines` reads it.

    With ``errors="strict"`` every source is checked before the first line is handed out, so that a
    bad input never leaves half an output: a regular file is read once to check it (and again for its
    lines), anything else (stdin, ``<(command)``, a device) is read once into a spool, checked as it
    comes in. The spools are removed when the block ends.
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    with contextlib.ExitStack() as stack:
        ready: dict[int, tuple[BinaryIO, str]] = {}
        if errors == "strict":
            for i, source in enumerate(sources):
                name = _display(source)
                with _binary_input(source) as (fh, regular):
                    if regular:
                        check_utf8(fh, source=name, max_line=max_line)
                    else:
                        ready[i] = stack.enter_context(_spooled(fh, source=name, max_line=max_line))

        def lines() -> Iterator[str]:
            for i, source in enumerate(sources):
                if i in ready:
                    fh, codec = ready[i]
                    yield from _decoded_lines(
                        fh, codec, errors=errors, keepends=False, max_line=max_line, source=_display(source)
                    )
                else:
                    yield from read_lines(source, errors=errors, checked=errors == "strict", max_line=max_line)

        yield lines()


def read_text(
    source: str | os.PathLike[str], *, errors: DecodeErrors = "strict", max_line: int = MAX_LINE_BYTES
) -> str:
    """The whole text of a UTF-8 file (BOM dropped, line ends as LF); errors as :func:`read_lines`."""
    return "".join(read_lines(source, errors=errors, keepends=True, max_line=max_line))


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a regular file that can be read more than once (not stdin, ``/dev/fd/N``,
    a pipe or a device)."""
    if str(path) == STDIN or fd_alias(path) is not None:
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
