"""Shared fixtures of the robustness suite (``tests/robustness/``).

* :class:`Tally` counts the suite's cases: every case is *tried*, and ends either in a *clean error* (a
  non-zero exit with a one-line message and no traceback, nothing lost) or *survived* (exit 0 with a
  complete output). Tests record their outcome through the ``tally`` fixture; the counts are printed at
  the end of the run (``robustness: N cases tried: X clean errors, Y survived``).
* :func:`run_lipyantar` runs the command line in a fresh process through ``fault_driver.py`` (faults
  injected at named functions, see that module), with a timeout, so that a hang fails the test.
* :func:`leftover_processes` finds processes whose command line contains a marker (a test's temporary
  directory): the workers of a run share their parent's command line, so none may be left.
* :func:`assert_clean_stderr` checks the one-line error and the absence of tracebacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "fault_driver.py"
ROOT = HERE.parent.parent


@dataclass
class Tally:
    tried: int = 0
    clean_errors: int = 0
    survived: int = 0

    def record(self, outcome: str) -> None:
        if outcome not in ("clean error", "survived"):
            raise ValueError(f"outcome must be 'clean error' or 'survived', not {outcome!r}")
        self.tried += 1
        if outcome == "clean error":
            self.clean_errors += 1
        else:
            self.survived += 1

    def record_exit(self, returncode: int) -> None:
        """A finished command: non-zero → clean error (the caller has checked it was clean)."""
        self.record("survived" if returncode == 0 else "clean error")


_TALLY = Tally()


@pytest.fixture
def tally() -> Tally:
    return _TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _TALLY.tried:
        terminalreporter.write_line(
            f"robustness: {_TALLY.tried} cases tried: {_TALLY.clean_errors} clean errors, "
            f"{_TALLY.survived} survived"
        )


def run_lipyantar(
    args: Sequence[str],
    *,
    cwd: Path,
    faults: Iterable[str] = (),
    sets: Iterable[str] = (),
    timeout: float = 120,
    inherit_signals: bool = False,
    **popen: object,
) -> subprocess.CompletedProcess[bytes]:
    """``lipyantar ARGS`` in a new process, with the faults of ``fault_driver.py`` injected (and the
    signal dispositions of a terminal session, or with ``inherit_signals`` those of the new process)."""
    command = [sys.executable, str(DRIVER)]
    if inherit_signals:
        command.append("--inherit-signals")
    for spec in faults:
        command += ["--fault", spec]
    for spec in sets:
        command += ["--set", spec]
    command += ["--", *args]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    return subprocess.run(
        command, cwd=cwd, capture_output=True, timeout=timeout, env=env, check=False, **popen  # type: ignore[arg-type]
    )


def leftover_processes(marker: str, *, wait: float = 5.0) -> list[int]:
    """Processes (other than this one) whose command line contains ``marker``, after waiting up to
    ``wait`` seconds for them to go."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    cmdline = fh.read()
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in cmdline and state != b"Z":
                found.append(int(entry))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def assert_clean_stderr(stderr: bytes, returncode: int) -> None:
    """No traceback ever; on failure exactly one line, ``lipyantar: …``."""
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    assert "Fatal Python error" not in text, text
    if returncode != 0:
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) == 1, text
        assert lines[0].startswith("lipyantar: "), text


def temp_leftovers(directory: Path, name: str) -> list[str]:
    """Entries beside ``name`` in ``directory`` that a run of lipyantar writing ``name`` may create
    (``.NAME.*``: temporary files, staging directories, locks)."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(f".{name}."))
