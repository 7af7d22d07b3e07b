"""Reading corpus files: encoding detection, binary files, per-file errors.

:func:`read_document` decodes one file: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM.
Anything else raises :class:`~translit.errors.InputError` naming the file and what the bytes look like
(binary data and its kind, UTF-16 without a BOM, Latin-1/Windows-1252, ...). The text is normalized with
``translit.normalize.normalize`` (BOM removed, CRLF -> LF, canonical nukta, ZWJ/ZWNJ removed).

:func:`load_corpus` reads many files and directories and never stops at a bad file: each one becomes a
:class:`Skipped` entry with the reason, and the rest of the corpus is still loaded.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import regex

from translit.errors import InputError
from translit.textio import sniff_encoding

__all__ = [
    "Document",
    "LoadResult",
    "Skipped",
    "decode_bytes",
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
    boms = (
        (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE"),
        (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE"),
        (b"\xef\xbb\xbf", "utf-8", "UTF-8 (BOM)"),
        (b"\xff\xfe", "utf-16-le", "UTF-16LE"),
        (b"\xfe\xff", "utf-16-be", "UTF-16BE"),
    )
    for bom, codec, label in boms:
        if data.startswith(bom):
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
    """The normalization every loaded document gets (``translit.normalize.normalize``)."""
    return _normalize(text)


def _normalize(text: str) -> str:
    try:
        from translit.normalize import normalize
    except ImportError:  # pragma: no cover - translit always ships normalize
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return normalize(text)


#: the path that means standard input, and the source name its document gets
STDIN = "-"
STDIN_SOURCE = "<stdin>"


def _source(path: str | os.PathLike[str]) -> str:
    return STDIN_SOURCE if str(path) == STDIN else str(path)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The raw bytes of one file (``"-"``: standard input); :class:`InputError` (naming the file) when
    it is missing, unreadable, too large or empty."""
    source = _source(path)
    if str(path) == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"too large (more than the limit of {MAX_BYTES} bytes)", source=source)
        if not data.strip():
            raise InputError("empty input", source=source)
        return data
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(f"too large ({size} bytes; the limit is {MAX_BYTES})", source=source)
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except PermissionError:
        raise InputError("permission denied", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    if not data.strip():
        raise InputError("empty file", source=source)
    return data


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read and decode one file (``"-"``: standard input, named ``<stdin>``); :class:`InputError` (naming
    the file) for anything that is not text."""
    source = _source(path)
    data = read_bytes(path)
    text, encoding = decode_bytes(data, source=source)
    text = _normalize(text)
    if not text.strip():
        raise InputError("empty file (only white space)", source=source)
    return Document(source, text, encoding)


def _expand(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str], list[Skipped]]:
    files: list[Path] = []
    empty: list[str] = []
    missing: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:
            files.append(Path(STDIN))
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                empty.append(str(path))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            missing.append(Skipped(str(path), "no such file or directory"))
    return files, empty, missing


def list_files(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[Path], list[str], list[Skipped]]:
    """The files :func:`load_corpus` reads, in its order (each once), the empty directories and the
    paths that do not exist (as :class:`Skipped`)."""
    files, empty, missing = _expand(paths)
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in files:
        key = path if str(path) == STDIN else path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, empty, missing


def load_corpus(paths: Iterable[str | os.PathLike[str]]) -> LoadResult:
    """Read every file named in ``paths`` (directories recursively, hidden files ignored, sorted;
    ``"-"`` is standard input, a document named ``<stdin>``).

    Bad files do not stop the load: they are returned as :class:`Skipped` with the reason (and logged
    at INFO level; reporting them to the user is the caller's job). Directories without files are listed in ``empty_directories``.
    """
    files, empty, skipped = list_files(paths)
    documents: list[Document] = []
    for path in files:
        try:
            documents.append(read_document(path))
        except InputError as exc:
            logger.info("skipping %s", exc)
            skipped.append(Skipped(_source(path), exc.message))
    for directory in empty:
        logger.info("%s: empty directory", directory)
    return LoadResult(tuple(documents), tuple(skipped), tuple(empty))
