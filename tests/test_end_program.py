"""The command line's quick ending (:func:`lipyantar.translit.signals.end_program`): a finished
``convert`` ends its process without tearing the interpreter down, after the exit functions and with
the standard streams flushed; with other threads alive, or run by other code, Python's own ending."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

# a module-level object whose finalizer says so: it runs in Python's ending (the teardown), not in
# end_program's
_PROLOGUE = """
import atexit, sys, threading, time
class Torn:
    def __del__(self):
        sys.stderr.write("torn down\\n")
torn = Torn()
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.stdout.write("buffered, not flushed")
"""


@pytest.mark.parametrize(
    ("body", "code", "torn"),
    [
        ("from lipyantar.translit.signals import end_program\nend_program(3)", 3, False),
        ("from lipyantar.translit.signals import end_program\nend_program(None)", 0, False),
        # another thread alive: Python's own ending (which waits for it)
        (
            "from lipyantar.translit.signals import end_program\n"
            "threading.Thread(target=time.sleep, args=(0.2,)).start()\nend_program(4)",
            4,
            True,
        ),
        ("raise SystemExit(5)", 5, True),
    ],
)
def test_end_program_runs_the_exit_functions_and_flushes(body: str, code: int, torn: bool) -> None:
    done = subprocess.run([sys.executable, "-c", _PROLOGUE + body], capture_output=True, text=True, check=False)
    assert done.returncode == code
    assert done.stdout == "buffered, not flushed"
    assert "atexit ran\n" in done.stderr
    assert ("torn down" in done.stderr) is torn


def _program(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lipyantar", *args], input=stdin, capture_output=True, text=True, check=False
    )


def test_a_finished_convert_ends_quickly_with_its_output(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    done = _program("convert", "--from", "deva", "--to", "iast", "-o", str(out), stdin="यह संगठन\n")
    assert done.returncode == 0 and done.stderr == ""
    assert out.read_text(encoding="utf-8") == "yaha saṃgaṭhana\n"
    done = _program("convert", "--from", "deva", "--to", "iast", stdin="यह संगठन\n" * 3)
    assert done.returncode == 0 and done.stdout == "yaha saṃgaṭhana\n" * 3


def test_the_quick_end_is_taken_only_by_a_finished_convert(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as the program (no arguments given to main), a finished convert calls end_program; an error,
    another command or main called with arguments (CliRunner, tests) ends as click does."""
    from click.testing import CliRunner

    from lipyantar import cli
    from lipyantar.translit import signals

    ended: list[object] = []

    def fake_end(code: object) -> None:
        ended.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(signals, "end_program", fake_end)
    for argv, expected in [
        (["lipyantar", "convert", "--from", "deva", "--to", "iast"], [0]),
        (["lipyantar", "schemes"], []),
        (["lipyantar", "convert", "--from", "deva", "--to", "iast", "/no/such/file"], []),
    ]:
        ended.clear()
        monkeypatch.setattr(sys, "argv", argv)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("यह\n".encode()), encoding="utf-8"))
        with pytest.raises(SystemExit):
            cli.main()
        assert ended == expected, argv
    ended.clear()
    result = CliRunner().invoke(cli.main, ["convert", "--from", "deva", "--to", "iast"], input="यह\n")
    assert result.exit_code == 0 and result.output == "yaha\n" and ended == []


def test_an_error_keeps_its_exit_status() -> None:
    done = _program("convert", "--from", "deva", "--to", "iast", "/no/such/input.txt")
    assert done.returncode != 0 and "error" in done.stderr and done.stdout == ""
