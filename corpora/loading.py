"""Reading corpus files: encoding detection, binary files, per-file errors.

:func:`read_document` decodes one file: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM.
Anything else raises :class:`~lipyantar.translit.errors.InputError` naming the file and what the bytes look like
(binary data and its kind, UTF-16 without a BOM, Latin-1/Windows-1252, ...). The text is normalized with
``lipyantar.translit.normalize.normalize`` (BOM removed, CRLF -> LF, canonical nukta, ZWJ/ZWNJ removed).

:func:`load_corpus` reads many files and directories and never stops at a bad file: each one becomes a
:class:`Skipped` entry with the reason, and the rest of the corpus is still loaded. Only regular files are
read (:func:`list_files`: FIFOs and devices are never opened for reading, so never a hang or an endless
stream); links found inside a folder are followed only when they point inside it, unless
``follow_links``; a file name that is not valid UTF-8 is shown escaped (:func:`display_name`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import regex

from lipyantar.translit.errors import InputError
from lipyantar.translit.normalize import normalize
from lipyantar.translit.textio import BYTE_ORDER_MARKS, sniff_encoding

__all__ = [
    "Document",
    "LoadResult",
    "Skipped",
    "decode_bytes",
    "display_name",
    "list_files",
    "load_corpus",
    "normalize_text",
    "read_bytes",
    "read_document",
]

logger = logging.getLogger(__name__)

#: files larger than this are skipped (bytes)
MAX_BYTES = 64 * 1024 * 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/ODT/XLSX)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"),
)
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Document:
    """A decoded text file: where it came from, which encoding it was in, its normalized text."""

    source: str
    text: str
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a document needs a source name")

    @property
    def name(self) -> str:
        return Path(self.source).name


@dataclass(frozen=True)
class Skipped:
    """A file that was not loaded, and why."""

    source: str
    reason: str

    def __post_init__(self) -> None:
        if not self.source or not self.reason:
            raise ValueError("a skipped file needs a source and a reason")

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Skipped:
        return cls(str(data["source"]), str(data["reason"]))


@dataclass(frozen=True)
class LoadResult:
    """The documents that were read and the files that were skipped, both in path order."""

    documents: tuple[Document, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    empty_directories: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """One line per skipped file and a count, for people."""
        out = [f"{len(self.documents)} document(s) read, {len(self.skipped)} skipped"]
        out.extend(f"  skipped {s.source}: {s.reason}" for s in self.skipped)
        out.extend(f"  empty directory: {d}" for d in self.empty_directories)
        return "\n".join(out)

    def skipped_jsonl(self) -> str:
        return "".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in self.skipped)


def _describe_undecodable(data: bytes, exc: UnicodeDecodeError) -> str:
    bad = data[exc.start : exc.start + 1].hex()
    where = f"invalid UTF-8 at byte {exc.start} (0x{bad})"
    high = sum(1 for b in data if b >= 0x80)
    if 0x80 <= data[exc.start] <= 0x9F and any(0x80 <= b <= 0x9F for b in data):
        guess = "probably Windows-1252"
    elif high:
        guess = "probably Latin-1 (ISO-8859-1) or another 8-bit encoding"
    else:
        guess = "unknown encoding"
    return f"{where}; {guess}: supported encodings are UTF-8 and UTF-16/UTF-32 with a BOM, re-save as UTF-8"


def decode_bytes(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode file contents; returns ``(text, encoding name)`` or raises :class:`InputError`."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file ({kind}), not text", source=source)
    for bom, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(bom):
            label = "UTF-8 (BOM)" if codec == "utf-8" else label
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {label} byte-order mark but is not valid {label} (byte {exc.start})",
                    source=source,
                ) from None
    sniff_encoding(data[:65536], source=source)  # UTF-16/32 without a BOM, also with no NUL byte
    if b"\x00" in data:
        even = data[0::2].count(0)
        odd = data[1::2].count(0)
        half = max(1, len(data) // 2)
        if max(even, odd) > 0.7 * half and min(even, odd) < 0.05 * half:
            raise InputError(
                "looks like UTF-16 without a byte-order mark; re-save as UTF-8 or UTF-16 with a BOM",
                source=source,
            )
        raise InputError("binary file (contains NUL bytes), not text", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(_describe_undecodable(data, exc), source=source, offset=exc.start) from None
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise InputError(f"binary file ({controls} control characters), not text", source=source)
    return text, "UTF-8"


def normalize_text(text: str) -> str:
    """The normalization every loaded document gets (``lipyantar.translit.normalize.normalize``)."""
    return normalize(text)


#: the path that means standard input, and the source name its document gets
STDIN = "-"
STDIN_SOURCE = "<stdin>"


def display_name(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can be written anywhere (JSON, a terminal, UTF-8 files): a file name that
    is not valid UTF-8 (Python keeps its bytes as surrogate escapes) shows its bad bytes as ``\\xNN``;
    ``"-"`` is ``<stdin>``."""
    name = os.fspath(path)
    if name == STDIN:
        return STDIN_SOURCE
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return kind
    return "a special file"


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The raw bytes of one regular file (``"-"``: standard input); :class:`InputError` (naming the file)
    when it is missing, unreadable, not a regular file (a FIFO, a device: never read, so never a hang or
    an endless stream), too large or empty."""
    source = display_name(path)
    if str(path) == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"too large (more than the limit of {MAX_BYTES} bytes)", source=source)
        if not data.strip():
            raise InputError("empty input", source=source)
        return data
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below, unread)
        fd = os.open(path, _OPEN_FLAGS)
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except OSError as exc:
        raise InputError(_os_reason(exc), source=source) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a directory, not a file", source=source)
        raise InputError(f"not a regular file ({_file_kind(st.st_mode)})", source=source)
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > MAX_BYTES:
            raise InputError(f"too large ({st.st_size} bytes; the limit is {MAX_BYTES})", source=source)
        try:
            data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(_os_reason(exc), source=source) from None
    if len(data) > MAX_BYTES:  # grew while being read
        raise InputError(f"too large (over {MAX_BYTES} bytes, the limit)", source=source)
    if not data.strip():
        raise InputError("empty file", source=source)
    return data


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read and decode one file (``"-"``: standard input, named ``<stdin>``); :class:`InputError` (naming
    the file) for anything that is not text. The document's ``source`` is :func:`display_name` of ``path``."""
    source = display_name(path)
    data = read_bytes(path)
    text, encoding = decode_bytes(data, source=source)
    text = normalize(text)
    if not text.strip():
        raise InputError("empty file (only white space)", source=source)
    return Document(source, text, encoding)


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _Walk:
    """Collects the files under the input paths (see :func:`list_files`)."""

    def __init__(self, *, follow_links: bool) -> None:
        self.follow_links = follow_links
        self.files: list[Path] = []
        self.skipped: list[Skipped] = []
        self.visited: set[tuple[int, int]] = set()

    def skip(self, path: Path | str, reason: str) -> None:
        self.skipped.append(Skipped(display_name(path), reason))

    def top(self, path: Path) -> bool:
        """A path named by the caller (followed if it is a link); True when it gave any entry."""
        if str(path) == STDIN:
            self.files.append(Path(STDIN))
            return True
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                if os.path.islink(path):
                    self.skip(path, "broken symbolic link")
                else:
                    self.skip(path, "no such file or directory")
            else:
                self.skip(path, _os_reason(exc))
            return True
        if stat.S_ISDIR(st.st_mode):
            before = len(self.files) + len(self.skipped)
            self.visited.add((st.st_dev, st.st_ino))
            self.directory(path, os.path.realpath(path))
            return len(self.files) + len(self.skipped) > before
        if stat.S_ISREG(st.st_mode):
            self.files.append(path)
        else:
            self.skip(path, f"not a regular file ({_file_kind(st.st_mode)})")
        return True

    def directory(self, path: Path, root: str) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skip(path, f"cannot read directory: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and directories
            child = path / entry.name
            try:
                st = os.stat(child)
            except OSError as exc:
                if exc.errno == errno.ENOENT and entry.is_symlink():
                    self.skip(child, "broken symbolic link")
                else:
                    self.skip(child, _os_reason(exc))
                continue
            if entry.is_symlink() and not self.follow_links:
                real = os.path.realpath(child)
                if not _inside(real, root):
                    self.skip(
                        child,
                        "symbolic link outside the corpus folder, not followed (--follow-links follows it): "
                        f"points to {display_name(real)}",
                    )
                    continue
                if stat.S_ISDIR(st.st_mode):
                    continue  # its files are read at their own path inside the folder
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in self.visited:
                    continue  # a link back to a directory already walked (a loop)
                self.visited.add(key)
                self.directory(child, root)
            elif stat.S_ISREG(st.st_mode):
                self.files.append(child)
            else:
                self.skip(child, f"not a regular file ({_file_kind(st.st_mode)})")


def list_files(
    paths: Iterable[str | os.PathLike[str]], *, follow_links: bool = False
) -> tuple[list[Path], list[str], list[Skipped]]:
    """The files :func:`load_corpus` reads, in its order (each once), the empty directories and the
    paths that cannot be read (as :class:`Skipped`, with the reason).

    Directories are read recursively in name order, hidden entries (``.name``) ignored. Only regular
    files are listed: FIFOs, devices and sockets are skipped with the reason, as are broken links and
    link loops. A symbolic link found inside a directory is followed only when it points inside that
    directory (``follow_links=True`` follows every link, each directory walked once); a path named in
    ``paths`` is always followed.
    """
    walk = _Walk(follow_links=follow_links)
    empty: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not walk.top(path):
            empty.append(display_name(path))
    unique: list[Path] = []
    seen: set[str] = set()
    for path in walk.files:
        key = STDIN if str(path) == STDIN else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, empty, walk.skipped


def load_corpus(paths: Iterable[str | os.PathLike[str]], *, follow_links: bool = False) -> LoadResult:
    """Read every file named in ``paths`` (directories recursively, hidden files ignored, sorted;
    ``"-"`` is standard input, a document named ``<stdin>``).

    Bad files do not stop the load: they are returned as :class:`Skipped` with the reason (and logged
    at INFO level; reporting them to the user is the caller's job). Directories without files are listed in ``empty_directories``.
    """
    files, empty, skipped = list_files(paths, follow_links=follow_links)
    documents: list[Document] = []
    for path in files:
        try:
            documents.append(read_document(path))
        except InputError as exc:
            logger.info("skipping %s", exc)
            skipped.append(Skipped(display_name(path), exc.message))
    for directory in empty:
        logger.info("%s: empty directory", directory)
    return LoadResult(tuple(documents), tuple(skipped), tuple(empty))
