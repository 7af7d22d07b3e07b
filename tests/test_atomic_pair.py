"""atomic_write_pair: two outputs (``align --format moses``) that appear together or not at all."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from lipyantar.translit.outputs import atomic_write_pair


def _files(d: Path) -> set[str]:
    return {p.name for p in d.iterdir()}


def _old(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "out.deva", tmp_path / "out.roman"
    a.write_text("old deva\n", encoding="utf-8")
    b.write_text("old roman\n", encoding="utf-8")
    return a, b


@pytest.mark.parametrize("existing", [True, False])
def test_both_appear(tmp_path: Path, existing: bool) -> None:
    a, b = _old(tmp_path) if existing else (tmp_path / "out.deva", tmp_path / "out.roman")
    with atomic_write_pair(a, b) as (x, y):
        x.write("नया\n")
        y.write("naya\n")
    assert a.read_text(encoding="utf-8") == "नया\n"
    assert b.read_text(encoding="utf-8") == "naya\n"
    assert _files(tmp_path) == {"out.deva", "out.roman"}


def test_an_error_while_writing_leaves_both_old(tmp_path: Path) -> None:
    a, b = _old(tmp_path)
    with pytest.raises(RuntimeError), atomic_write_pair(a, b) as (x, y):
        x.write("new\n")
        y.write("new\n")
        raise RuntimeError("interrupted")
    assert (a.read_text(), b.read_text()) == ("old deva\n", "old roman\n")
    assert _files(tmp_path) == {"out.deva", "out.roman"}


@pytest.mark.parametrize("existing", [True, False])
def test_a_failed_second_rename_puts_the_first_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    a, b = _old(tmp_path) if existing else (tmp_path / "out.deva", tmp_path / "out.roman")
    real = os.replace
    calls = []

    def flaky(src: str, dst: str) -> None:
        calls.append(dst)
        if Path(dst) == b:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match=r"out\.roman"), atomic_write_pair(a, b) as (x, y):
        x.write("new\n")
        y.write("new\n")
    monkeypatch.setattr(os, "replace", real)
    if existing:
        assert (a.read_text(), b.read_text()) == ("old deva\n", "old roman\n")
        assert _files(tmp_path) == {"out.deva", "out.roman"}
    else:
        assert _files(tmp_path) == set()


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM here")
@pytest.mark.parametrize("other_thread", [False, True])
def test_a_signal_between_the_renames_waits_for_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other_thread: bool
) -> None:
    # with another thread alive the kernel may hand the signal to it: still held back
    a, b = _old(tmp_path)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, daemon=True)
    if other_thread:
        worker.start()

    class Stop(Exception):
        pass

    def handler(signum: int, frame: object) -> None:
        raise Stop

    previous = signal.signal(signal.SIGTERM, handler)
    real = os.replace
    sent = []

    def replace_and_signal(src: str, dst: str) -> None:
        real(src, dst)
        if not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGTERM)  # arrives after the first rename

    monkeypatch.setattr(os, "replace", replace_and_signal)
    try:
        with pytest.raises(Stop), atomic_write_pair(a, b) as (x, y):
            x.write("new deva\n")
            y.write("new roman\n")
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
    # the signal was held back until both were in place
    assert (a.read_text(), b.read_text()) == ("new deva\n", "new roman\n")
    assert _files(tmp_path) == {"out.deva", "out.roman"}
