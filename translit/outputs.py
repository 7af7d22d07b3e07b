"""Writing outputs safely (reading inputs: :mod:`lipyantar.translit.textio`).

* :func:`atomic_write` (text) and :func:`atomic_write_bytes` write to a temporary file next to the target
  (``tempfile.mkstemp``: a fresh name, never a planted link) and rename it into place only when everything
  went well: there is never a half-written output file. A symbolic link is written through (the file
  it points to is replaced, the link stays), an existing file keeps its permissions, and a target that
  is not a regular file (``/dev/null``, a FIFO, a terminal) is written straight, never replaced by a
  regular file; a name of a descriptor of this process (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``) is written through that descriptor, so ``-o /dev/stdout >> log`` appends to the log.
* :func:`check_output` refuses an output path that is also one of the inputs (the same file by
  :func:`os.path.samefile`, so also through symbolic and hard links, and standard input redirected from
  it), before anything is read or written; standard output too when it would overwrite an input
  (``>> INPUT``).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import OutputError
from .textio import STDIN, fd_alias

__all__ = [
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_pair",
    "check_output",
    "open_output",
]


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


_STREAMS = {0: "stdin", 1: "stdout", 2: "stderr"}


def _stream_fd(fd: int) -> int | None:
    """The descriptor behind ``sys.stdin``/``sys.stdout``/``sys.stderr`` for 0/1/2 (None when that stream
    is closed or is not a file, e.g. under a test runner), ``fd`` itself for any other."""
    if fd not in _STREAMS:
        return fd
    stream = getattr(sys, _STREAMS[fd])
    try:
        return int(stream.fileno()) if stream is not None else None
    except (AttributeError, OSError, ValueError):
        return None


def _overwrites(fd: int) -> os.stat_result | None:
    """The status of the regular file that descriptor ``fd`` writes into when the writes would overwrite
    some of it (it is not in append mode and its offset is before its end, the rule of GNU cat); None
    when they would not (or ``fd`` is not a regular file)."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        import fcntl

        appends = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND
        if not appends and os.lseek(fd, 0, os.SEEK_CUR) >= st.st_size:
            return None
    except (ImportError, OSError):
        return None
    return st


def check_output(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise :class:`OutputError` ("output is also an input") when ``output`` is one of ``inputs``.

    Compares files, not names (:func:`os.path.samefile`): relative paths, ``..``, symbolic links and hard
    links to an input are all caught, and so is ``-`` (stdin) when it is redirected from ``output``.
    Non-regular files (``/dev/null``, a terminal) are never "the same" as an input: reading and writing
    them does not destroy anything. Nothing to check when ``output`` does not exist yet.

    Standard output (``output`` None or ``-``) and names of a descriptor (``/dev/stdout``, ``/dev/fd/3``)
    are written through the descriptor: refused when it has an input open in append mode (``>> INPUT``,
    which would read its own output without end) or before its end (``1<> INPUT``), as GNU cat does;
    ``> INPUT`` has emptied the input before lipyantar starts, and writing it destroys nothing more.
    """
    if output is None or str(output) == STDIN:
        fd: int | None = _stream_fd(1)
        target = "<stdout>"
        if fd is None:
            return  # closed, or not a file (a test runner's): nothing to compare
    else:
        alias = fd_alias(output)
        fd = None if alias is None else _stream_fd(alias)
        target = str(output)
        if alias is not None and fd is None:
            return  # a closed stream: writing says so
    if fd is not None:
        out = _overwrites(fd)
    else:
        try:
            out = os.stat(output)  # type: ignore[arg-type]
        except OSError:
            return  # does not exist yet (or cannot be reached: writing it will say why)
    if out is None or not stat.S_ISREG(out.st_mode):
        return
    for item in inputs:
        try:
            if str(item) == STDIN:
                stdin = _stream_fd(0)
                if stdin is None:
                    continue
                st = os.fstat(stdin)
            else:
                st = os.stat(item)
        except (OSError, ValueError):
            continue  # a missing input is reported when it is read
        if _same_file(st, out):
            shown = "<stdin>" if str(item) == STDIN else str(item)
            raise OutputError(
                f"output is also an input ({shown}): writing it would destroy the input; "
                "choose another output file",
                target=target,
            )


def _resolve_target(path: str | os.PathLike[str]) -> tuple[Path, os.stat_result | None]:
    """Where an output named ``path`` goes and its status (None when it does not exist yet): a regular
    file is replaced where it is, also when ``path`` is a symbolic link to it; anything else (a device,
    a FIFO) is opened by its name."""
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


def _text_or_binary(fd: int, *, binary: bool, encoding: str) -> Any:
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding=encoding, newline="\n")


@contextlib.contextmanager
def _through_descriptor(
    fd: int, path: str | os.PathLike[str], *, binary: bool, encoding: str
) -> Iterator[Any]:
    """Write to this process's descriptor ``fd``, the output named ``/dev/stdout``, ``/dev/stderr`` or
    ``/dev/fd/N``: through the open file itself, as the shell does for these names (no rename, no
    truncation: ``>> log`` keeps appending to the log)."""
    if fd in (1, 2):
        stream = sys.stdout if fd == 1 else sys.stderr
        if stream is None:
            raise OutputError(
                f"standard {'output' if fd == 1 else 'error'} is closed; give another output file",
                target=str(path),
            )
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:  # sys.stdout's own file, after what was written to it before
            stream.flush()
            try:
                if binary:
                    yield buffer
                    buffer.flush()
                else:
                    text = io.TextIOWrapper(buffer, encoding=encoding, newline="\n")
                    try:
                        yield text
                        text.flush()
                    finally:
                        text.detach()  # sys.stdout's buffer stays open
            except OSError as exc:
                raise _with_filename(exc, path) from None
            return
    try:
        dup = os.dup(fd)
    except OSError:
        raise OutputError(f"descriptor {fd} is not open", target=str(path)) from None
    try:
        with _text_or_binary(dup, binary=binary, encoding=encoding) as fh:
            yield fh
    except OSError as exc:
        raise _with_filename(exc, path) from None


@contextlib.contextmanager
def _atomic_open(
    path: str | os.PathLike[str],
    *,
    binary: bool,
    encoding: str = "utf-8",
    pending: list[tuple[str, Path]] | None = None,
) -> Iterator[Any]:
    alias = fd_alias(path)
    if alias is not None:
        with _through_descriptor(alias, path, binary=binary, encoding=encoding) as fh:
            yield fh
        return
    target, st = _resolve_target(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        # a device, FIFO or terminal: written straight (a rename would replace the node), opened without
        # O_TRUNC or O_CREAT, as it is
        try:
            node = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
        except OSError as exc:
            raise _with_filename(exc, path) from None
        now = os.fstat(node)
        if stat.S_ISREG(now.st_mode):  # replaced by a regular file meanwhile: replaced as a file
            os.close(node)
            st = now
        else:
            try:
                with _text_or_binary(node, binary=binary, encoding=encoding) as fh:
                    yield fh
            except OSError as exc:
                raise _with_filename(exc, path) from None
            return
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError("output directory does not exist", target=str(directory))
    import tempfile  # only for a file written (its import is a few ms of every start)

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)  # replacing a file: keep its permissions
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp makes 0600; a new output gets the usual mode
        os.fchmod(fd, mode)
        with _text_or_binary(fd, binary=binary, encoding=encoding) as fh:
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
    that is not a regular file (a device, a FIFO) is written straight, as the shell's ``>`` would, and a
    name of one of this process's descriptors (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, also
    through a link) is written through that descriptor: ``-o /dev/stdout >> log`` appends to the log.
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
