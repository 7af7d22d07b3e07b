"""Progress bars: drawn on a terminal (a pseudo-terminal here), with rate and time left; never drawn
without a terminal, with ``-q`` or ``--no-progress``; forced with ``--progress``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, EXAMPLE

from lipyantar.cli import main
from lipyantar.translit.progress import StageBars, _speed, progress_bar

pty = pytest.importorskip("pty")

#: a bar with a total: ``convert: 100%|█████| 200/200 lines [00:01<00:00, 151.20 lines/s]``
BAR = r"{what}: +\d+%\|[^|]*\| \d+/\d+ {unit} \[\d\d:\d\d<\d\d:\d\d, [\d.]+ (?:{unit}/s|s/\w+)\]"


def _lines_file(tmp_path: Path, n: int = 200) -> Path:
    text = next(EXAMPLE.glob("001_*.txt")).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "roman.txt"
    path.write_text("\n".join(text[i % len(text)] for i in range(n)) + "\n", encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    """The environment of the child: the installed lipyantar (as the tests import it), no COLUMNS."""
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    return env


def run_in_terminal(args: list[str], cwd: Path, *, size: tuple[int, int] | None = (24, 100)) -> tuple[int, str]:
    """Run ``python -m lipyantar ARGS`` with stdout and stderr on a pseudo-terminal (of ``size`` rows ×
    columns; None leaves it unset, 0 × 0, as ``script`` does); return the exit status and what the
    terminal showed."""
    master, slave = pty.openpty()
    if size is not None:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "lipyantar", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=_env(),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def run_without_terminal(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lipyantar", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        timeout=300,
    )


@pytest.mark.parametrize("size", [(24, 100), None], ids=["sized", "unsized"])
def test_convert_draws_a_bar_on_a_terminal(tmp_path: Path, size: tuple[int, int] | None) -> None:
    src = _lines_file(tmp_path)
    status, screen = run_in_terminal(
        ["convert", "--from", "roman", "--to", "deva", "-j", "1", str(src), "-o", "out.txt"], tmp_path, size=size
    )
    assert status == 0, screen
    assert re.search(BAR.format(what="convert", unit="lines"), screen), screen
    assert "200/200 lines" in screen
    assert len((tmp_path / "out.txt").read_text(encoding="utf-8").splitlines()) == 200


def test_convert_without_terminal_draws_nothing(tmp_path: Path) -> None:
    src = _lines_file(tmp_path, 50)
    proc = run_without_terminal(["convert", "--from", "deva", "--to", "iast", str(src), "-o", "out.txt"], tmp_path)
    assert proc.returncode == 0
    assert proc.stderr == ""


@pytest.mark.parametrize("flags", [["-q"], ["--no-progress"]])
def test_no_bar_with_quiet_or_no_progress(tmp_path: Path, flags: list[str]) -> None:
    src = _lines_file(tmp_path, 50)
    root = flags if flags == ["-q"] else []
    sub = flags if flags != ["-q"] else []
    status, screen = run_in_terminal(
        [*root, "convert", "--from", "deva", "--to", "iast", *sub, str(src), "-o", "out.txt"], tmp_path
    )
    assert status == 0
    assert "lines" not in screen and "%|" not in screen, screen


def test_progress_flag_forces_a_bar_without_terminal(tmp_path: Path) -> None:
    src = _lines_file(tmp_path, 30)
    result = CliRunner().invoke(
        main, ["convert", "--from", "deva", "--to", "iast", "--progress", str(src), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "30/30 lines" in result.stderr


def test_stdin_bar_has_a_count_and_a_rate(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["convert", "--from", "deva", "--to", "iast", "--progress"], input="नमस्ते\nदुनिया\n"
    )
    assert result.exit_code == 0
    assert re.search(r"convert: 2 lines \[\d\d:\d\d, [\d.?]+ lines/s\]", result.stderr), result.stderr
    assert result.stdout.splitlines() == ["namaste", "duniyā"]


@pytest.mark.slow
def test_build_draws_one_bar_per_stage(tmp_path: Path) -> None:
    status, screen = run_in_terminal(["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--no-model"], tmp_path)
    assert status == 0, screen
    assert re.search(BAR.format(what="build: detect", unit="documents"), screen), screen
    # one twin pair: a one-step bar, with its clock
    assert re.search(r"build: align: 1/1 twin pairs \[\d\d:\d\d\]", screen), screen
    assert re.search(BAR.format(what="build: report", unit="files"), screen), screen
    assert "5/5 documents" in screen


@pytest.mark.slow
def test_build_without_terminal_draws_no_bar(tmp_path: Path) -> None:
    proc = run_without_terminal(["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--no-model"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "%|" not in proc.stderr and "documents [" not in proc.stderr
    assert "sentence pair(s) written" in proc.stderr  # the summary line is still there


def test_learn_draws_a_bar(tmp_path: Path) -> None:
    status, screen = run_in_terminal(
        ["learn", "--base", "none", str(DATA / "dakshina_dev_lexicon_sample.tsv"), "-o", "m.lpm"], tmp_path
    )
    assert status == 0, screen
    assert re.search(BAR.format(what="learn", unit="steps"), screen), screen
    assert (tmp_path / "m.lpm").stat().st_size > 0


def test_align_draws_a_bar(tmp_path: Path) -> None:
    deva, roman = next(EXAMPLE.glob("000_*.txt")), next(EXAMPLE.glob("001_*.txt"))
    status, screen = run_in_terminal(["align", str(deva), str(roman), "-o", "a.jsonl"], tmp_path)
    assert status == 0, screen
    assert re.search(BAR.format(what="align", unit="sentences"), screen), screen


@pytest.mark.parametrize(
    ("rate", "unit", "expected"),
    [(None, "lines", "? lines/s"), (4091.517, "lines", "4091.52 lines/s"), (0.25, "steps", "4.00 s/step")],
)
def test_speed(rate: float | None, unit: str, expected: str) -> None:
    assert _speed(rate, unit) == expected


def test_disabled_bar_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("x", unit="lines", total=3, enabled=False) as bar:
        assert list(bar.track([1, 2, 3])) == [1, 2, 3]
    assert capsys.readouterr().err == ""


def test_stage_bars_draw_each_stage_on_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    bars = StageBars({"detect": "documents", "model": "models"}, prefix="build: ")
    bars("detect", 0, 2)
    bars("detect", 1, 2)
    bars("detect", 2, 2)
    bars("model", 0, 1)
    bars("model", 1, 1)
    bars.close()
    err = capsys.readouterr().err
    finals = [line.split("\r")[-1] for line in err.split("\n") if line]
    assert finals[0].startswith("build: detect: 100%") and "2/2 documents" in finals[0]
    assert finals[1].startswith("build: model: 1/1 models [")


def test_evaluate_bar(tmp_path: Path) -> None:
    hyp, ref = tmp_path / "h.txt", tmp_path / "r.txt"
    hyp.write_text("a b\nc\n", encoding="utf-8")
    ref.write_text("a b\nd\n", encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(main, ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--progress"])
    assert shown.exit_code == 0, shown.output
    assert re.search(BAR.format(what="evaluate", unit="lines"), shown.stderr), shown.stderr
    hidden = runner.invoke(main, ["evaluate", "--hyp", str(hyp), "--ref", str(ref)])
    assert hidden.stderr == "" and hidden.stdout == shown.stdout
