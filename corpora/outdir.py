"""The output directory of a build: it appears complete or not at all, and is never lost.

:func:`staged_output` is what :func:`lipyantar.corpora.build.build_corpus` writes through:

1. a lock: ``fcntl.flock`` on ``.OUTDIR.lock`` beside ``OUTDIR``, held for the whole build, so a second
   build into the same directory fails at once with a clear message instead of racing the first;
2. recovery: what an earlier build killed by SIGKILL or a power cut left beside ``OUTDIR`` is tidied up
   (a previous output set aside by the fallback swap is put back, stale staging directories removed);
3. staging: everything is written into a fresh temporary directory beside ``OUTDIR``
   (``tempfile.mkdtemp``), removed on any error or signal;
4. the swap, when the build succeeded: without ``force`` the staging directory is renamed to ``OUTDIR``,
   which the kernel refuses if ``OUTDIR`` is no longer empty (a file put there during the build is
   never deleted); with ``force`` an existing ``OUTDIR`` is exchanged with the staging directory in one
   step (Linux ``renameat2(RENAME_EXCHANGE)``) and the old output deleted afterwards. Where the exchange
   is not available the old output is first renamed aside and renamed back if anything fails before
   the new one is in place. Either way, at every instant ``OUTDIR`` holds the old output or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from lipyantar.translit.errors import OutputError

__all__ = ["exchange_supported", "lock_path", "staged_output", "swap_into_place"]

logger = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl without it
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()


def exchange_supported() -> bool:
    """Whether this platform has ``renameat2`` (the file system may still refuse the exchange)."""
    return _renameat2 is not None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange the directories ``a`` and ``b``; False when the exchange is not available
    (no ``renameat2``, or a file system without ``RENAME_EXCHANGE``), OSError on a real failure."""
    func = _renameat2
    if func is None:
        return False
    result = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)  # type: ignore[operator]
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def lock_path(target: Path) -> Path:
    """The lock file of an output directory: ``.NAME.lock`` beside it."""
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on :func:`lock_path` (removed at the end), or fail at once."""
    import fcntl

    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(
                f"another build is writing into this output directory (its lock {path} is held); "
                "wait for it to finish or choose another output directory",
                target=str(target),
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file as we opened it: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still locked, so that no one locks the removed file
        os.close(fd)


def _leftovers(target: Path, suffix: str) -> list[Path]:
    prefix = f".{target.name}."
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    return sorted(
        Path(e.path)
        for e in entries
        if e.name.startswith(prefix)
        and e.name.endswith(suffix)
        and len(e.name) == len(prefix) + 8 + len(suffix)  # tempfile's 8 random characters
        and e.is_dir(follow_symlinks=False)
    )


def _recover(target: Path) -> None:
    """Tidy up after a build that died without cleaning up (called with the lock held)."""
    for aside in _leftovers(target, ".old"):
        previous = aside / "previous"
        if not os.path.lexists(target) and previous.is_dir():
            os.rename(previous, target)
            logger.warning("%s: restored the previous output, set aside by a build that was killed", target)
        shutil.rmtree(aside, ignore_errors=True)
    for stale in _leftovers(target, ".tmp"):
        logger.info("removing %s, left by a build that was killed", stale)
        shutil.rmtree(stale, ignore_errors=True)


def swap_into_place(staged: Path, target: Path, *, force: bool) -> None:
    """Put the directory ``staged`` at ``target`` (see the module docstring): ``target`` holds its old
    contents or the new ones at every instant, and its old contents survive any failure."""
    if not os.path.lexists(target):
        os.rename(staged, target)
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputError("output exists and is not a directory", target=str(target))
    if not force:
        try:
            os.rename(staged, target)  # replaces an empty directory only
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise OutputError(
                    "output directory is no longer empty (something was written into it during the "
                    "build); nothing was replaced: use --force to replace it",
                    target=str(target),
                ) from None
            raise
        return
    if _exchange(staged, target):
        shutil.rmtree(staged, ignore_errors=True)  # now the old output
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    previous = aside / "previous"
    try:
        os.rename(target, previous)
        os.rename(staged, target)
    except BaseException:
        # decide by what is on disk: a signal can arrive after a rename has completed
        if os.path.lexists(previous) and not os.path.lexists(target):
            os.rename(previous, target)  # the new output did not get in: the old one goes back
        if not os.path.lexists(previous):
            os.rmdir(aside)
        else:  # both renames happened: the new output is in place, complete
            shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def staged_output(
    target: Path, *, force: bool, check: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Lock ``target``, yield a fresh staging directory beside it, and swap it into place when the block
    succeeds (:func:`swap_into_place`); on any exception or signal the staging directory is removed and
    ``target`` is untouched. ``check(target)`` runs once the lock is held and any earlier output is
    recovered, before the staging directory is made (e.g. "not empty without force"). ``target`` may be
    a symbolic link to a directory: the directory it points to is replaced."""
    if target.is_symlink() and target.is_dir():
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        _recover(target)
        if check is not None:
            check(target)
        staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        try:
            yield staged
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staged, 0o777 & ~umask)  # mkdtemp makes 0700; a finished output gets the usual mode
            swap_into_place(staged, target, force=force)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
