"""Signals and worker processes: stopping cleanly, whatever stops us.

* :func:`handle_termination` turns SIGTERM and SIGHUP into a :class:`Terminated` exception in the main
  thread, as Python already turns SIGINT into :class:`KeyboardInterrupt`. :class:`Terminated` derives
  from :class:`KeyboardInterrupt`, so every ``with`` block and ``except BaseException`` that cleans up
  after Ctrl-C (temporary files, staging directories, worker pools) cleans up after ``kill`` too; the
  command line then exits with ``128 + signal number`` (143 for SIGTERM, 129 for SIGHUP).
  A signal that is ignored when the handler is installed (``nohup``) stays ignored.
* :func:`init_worker` is the initializer of every worker process: it ignores SIGINT (Ctrl-C reaches the
  whole process group; the parent stops the workers, which then print no traceback), restores the
  default action of SIGTERM and SIGHUP, and on Linux asks the kernel to send SIGTERM to the worker if its
  parent dies (even by SIGKILL), so no worker outlives the command and holds its output pipe open.
  A fork while the handlers of :func:`handle_termination` are installed holds SIGTERM, SIGHUP and
  SIGINT back, and the child takes the workers' dispositions before it lets them in: a signal that
  reaches a worker as it starts cannot raise in multiprocessing's start-up code.
* :func:`stop_pool` stops a :class:`~concurrent.futures.ProcessPoolExecutor` at once: queued work is
  cancelled and the worker processes are terminated, instead of waiting for the work in flight.
  A worker killed while it sends a result can leave the pool's internal threads waiting forever on a
  half-written message, which would hang the interpreter's exit; so once a pool has been stopped,
  :func:`exit_process` ends the process with ``os._exit`` (the clean-up that matters, the
  temporary files and the workers, has run by then).
* :func:`end_program` ends a finished command's process without tearing the interpreter down: its
  exit functions run and the standard streams are flushed, then ``os._exit`` (freeing every object of a
  loaded model one by one takes about 10 ms and serves nothing); when other threads or child processes
  are alive, or a stream cannot be flushed, Python's own ending runs instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["Terminated", "end_program", "exit_process", "handle_termination", "init_worker", "stop_pool"]

log = logging.getLogger(__name__)

#: the signals handled like SIGINT (where the platform has them)
TERMINATION_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_PR_SET_PDEATHSIG = 1
_stopped_pools = 0


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM or SIGHUP arrives (see :func:`handle_termination`)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        self.name = name
        super().__init__(name)

    @property
    def exit_code(self) -> int:
        """The shell's convention for death by a signal: 128 + its number."""
        return 128 + self.signum


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    # a second SIGTERM/SIGHUP must not interrupt the clean-up of the first (handle_termination restores)
    for other in TERMINATION_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Terminated(signum)


@contextlib.contextmanager
def handle_termination() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread.

    Does nothing outside the main thread (Python only delivers signals there), leaves a signal alone if
    it was ignored or already has a Python handler, and restores the previous handlers at the end.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}
    try:
        for signum in TERMINATION_SIGNALS:
            current = signal.getsignal(signum)
            if current == signal.SIG_DFL:
                previous[signum] = current
                signal.signal(signum, _raise_terminated)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the parent's stop_pool still works
        pass


_fork_state = threading.local()


def _before_fork() -> None:
    # A worker forked while the handlers of handle_termination are installed inherits them, and a signal
    # that reached it before init_worker ran would raise Terminated (or KeyboardInterrupt) inside
    # multiprocessing's start-up, with a traceback on stderr. So the fork happens with the signals held
    # back; the child sets the workers' dispositions before it lets them in.
    _fork_state.mask = None
    if any(signal.getsignal(signum) is _raise_terminated for signum in TERMINATION_SIGNALS):
        _fork_state.mask = signal.pthread_sigmask(signal.SIG_BLOCK, {*TERMINATION_SIGNALS, signal.SIGINT})


def _after_fork_in_parent() -> None:
    mask = getattr(_fork_state, "mask", None)
    if mask is not None:
        _fork_state.mask = None
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held back is delivered now


def _after_fork_in_child() -> None:
    mask = getattr(_fork_state, "mask", None)
    if mask is None:
        return
    _fork_state.mask = None
    for signum in TERMINATION_SIGNALS:
        if signal.getsignal(signum) is _raise_terminated:
            signal.signal(signum, signal.SIG_DFL)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


if hasattr(os, "register_at_fork") and hasattr(signal, "pthread_sigmask"):
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
    )


def init_worker() -> None:
    """Initializer of worker processes (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in TERMINATION_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    _set_parent_death_signal()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: cancel the queued work, terminate the workers and reap them."""
    global _stopped_pools
    _stopped_pools += 1
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
            if process.is_alive():  # pragma: no cover - SIGTERM is not ignored by workers
                process.kill()
                process.join(timeout=5)


def _stuck_threads(grace: float = 0.2) -> bool:
    """Whether threads other than the main one would keep the interpreter from exiting."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in others:
        thread.join(timeout=grace)
    return any(t.is_alive() for t in others)


def exit_process(code: int) -> None:
    """Exit with ``code`` (the command line's last step): ``sys.exit``, or, when a worker pool stopped by
    :func:`stop_pool` left threads that do not finish, ``os._exit`` after flushing the standard streams
    (see the module docstring)."""
    if not _stopped_pools or not _stuck_threads():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    logging.shutdown()
    os._exit(code)


def end_program(code: int | None) -> None:
    """End the process with exit status ``code`` (None: 0) as Python's ending would, without tearing the
    interpreter down: the ``atexit`` functions run (logging's shutdown among them), the standard
    streams are flushed, then ``os._exit``. Raises ``SystemExit(code)`` instead (Python's own ending)
    when that would do more: other threads or child processes are alive, or a stream cannot be
    flushed (Python reports it). For the command line's last step only (:mod:`lipyantar.cli`): files
    still open are not flushed, so the command must have closed its outputs."""
    import atexit

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    children = sys.modules.get("multiprocessing")
    if (
        run_exit_functions is None
        or threading.active_count() > 1
        or (children is not None and children.active_children())
    ):
        raise SystemExit(code)
    run_exit_functions()  # runs them once: Python's ending, if it still runs, finds none
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # Python's ending flushes again and reports it, with its exit status
        raise SystemExit(code) from None
    os._exit(code or 0)
