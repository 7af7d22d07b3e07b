"""A process forked inside ``handle_termination`` (a pool's worker) starts with the workers' signal
dispositions, never with the parent's raising handlers (lipyantar.translit.signals)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

import pytest

from lipyantar.translit.signals import TERMINATION_SIGNALS, _raise_terminated, handle_termination

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="needs fork")


def _fork_and_report() -> int:
    """Fork; the child exits with a bit set for each disposition or mask that is wrong in it."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        wrong = 0
        for bit, signum in enumerate(TERMINATION_SIGNALS):
            if signal.getsignal(signum) is _raise_terminated:
                wrong |= 1 << bit
            if signum in signal.pthread_sigmask(signal.SIG_BLOCK, []):
                wrong |= 1 << (bit + 4)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            wrong |= 1 << 3
        os._exit(wrong)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture
def terminal_signals() -> Iterator[None]:
    """The dispositions of a command started from a terminal, whatever started the test run (under
    ``nohup`` SIGHUP is ignored, and handle_termination rightly leaves an ignored signal alone)."""
    saved = {s: signal.getsignal(s) for s in (*TERMINATION_SIGNALS, signal.SIGINT)}
    for signum in TERMINATION_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.usefixtures("terminal_signals")
def test_a_child_forked_inside_the_handler_block_gets_the_worker_dispositions() -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with handle_termination():
        assert all(signal.getsignal(s) is _raise_terminated for s in TERMINATION_SIGNALS)
        assert _fork_and_report() == 0
        # the parent keeps its handlers and its mask
        assert all(signal.getsignal(s) is _raise_terminated for s in TERMINATION_SIGNALS)
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


def test_a_child_forked_outside_it_is_left_alone() -> None:
    parent = [signal.getsignal(s) for s in (*TERMINATION_SIGNALS, signal.SIGINT)]
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        same = [signal.getsignal(s) for s in (*TERMINATION_SIGNALS, signal.SIGINT)] == parent
        os._exit(0 if same and signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
