"""Robustness of the command line's file I/O, round two (issue 28).

* Output onto an input is refused for every command with ``-o`` (also through links, and standard
  output redirected onto an input with ``>>``), and the inputs stay byte-identical.
* An output named by one of the process's descriptors (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``)
  is written through that descriptor: ``-o /dev/stdout >> log`` appends to the log, never replaces it.
* Reads stream and are bounded: ``/dev/zero`` (NUL at byte 0) and a line longer than
  :data:`~lipyantar.translit.textio.MAX_LINE_BYTES` end at once with a clean error, under a memory cap.
* Named pipes are refused instead of hanging; pipes by descriptor (``<(command)``) are read in one pass.
* Messages quote user data cut short; each warning is printed once.

The command line runs in a fresh process under a memory cap (``RLIMIT_AS``, 1 GiB) with a timeout that
only detects hangs, so that a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit import textio
from lipyantar.translit.errors import AlignmentError, InputError, clip_message, excerpt
from lipyantar.translit.textio import MAX_LINE_BYTES, check_utf8, read_lines

from .conftest import ROOT, Tally, assert_clean_stderr, run_lipyantar, temp_leftovers

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "corpora" / "example"
DEVA = EXAMPLE / "000_fe791b896c794821.txt"
ROMAN = EXAMPLE / "001_f4f5b2cec3eb8c3f.txt"
#: the memory cap of every command run here (address space: the interpreter and its libraries included)
MEMORY_CAP = 1 << 30
#: generous: only a hang takes this long (the runs here take well under a second each)
HANG = 60


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(
    args: list[str],
    *,
    cwd: Path,
    stdin: object = subprocess.DEVNULL,
    stdout: object = subprocess.PIPE,
    stderr: object = subprocess.PIPE,
    pass_fds: tuple[int, ...] = (),
    close_stdout: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """``lipyantar ARGS`` in a fresh process under the memory cap (``close_stdout``: with descriptor 1
    closed, as ``>&-`` leaves it)."""

    def setup() -> None:
        _capped()
        if close_stdout:
            os.close(1)

    return subprocess.run(
        [sys.executable, "-m", "lipyantar", *args],
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        pass_fds=pass_fds,
        preexec_fn=setup,
        timeout=HANG,
        check=False,
    )


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _workspace(tmp_path: Path) -> Path:
    """The inputs of every command: texts, lines to score, a lexicon, beads, a (dummy) model and its
    vocabulary, word pairs, pronunciations, a parallel corpus, and links to some of them."""
    (tmp_path / "d.txt").write_bytes(DEVA.read_bytes())
    (tmp_path / "r.txt").write_bytes(ROMAN.read_bytes())
    (tmp_path / "H").write_text("yah ek vakya hai\nदूसरी पंक्ति\n", encoding="utf-8")
    (tmp_path / "R").write_text("yah ek vaakya hai\nदूसरी पंक्ति\n", encoding="utf-8")
    (tmp_path / "lex.tsv").write_text("नमस्ते\tnamaste\n", encoding="utf-8")
    bead = json.dumps({"deva": [0], "roman": [0], "deva_text": "क", "roman_text": "ka", "score": 1.0})
    (tmp_path / "G.jsonl").write_text(bead + "\n", encoding="utf-8")
    (tmp_path / "HB.jsonl").write_text(bead + "\n", encoding="utf-8")
    (tmp_path / "model.lpm").write_bytes(b"not read: refused before\n")
    (tmp_path / "model.vocab").write_bytes(b"not read either\n")
    (tmp_path / "pairs.tsv").write_text("नमस्ते\tnamaste\n", encoding="utf-8")
    (tmp_path / "cmu.txt").write_text("HELLO  HH AH0 L OW1\n", encoding="utf-8")
    (tmp_path / "par.tsv").write_text("नमस्ते\tnamaste\t0.9\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link_H").symlink_to("H")
    os.link(tmp_path / "R", tmp_path / "hard_R")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "model.lpm").write_bytes(b"a model in the output directory\n")
    return tmp_path


# --------------------------------------------------------------------------- output onto an input (1)

#: (case, arguments): every command with -o, onto each kind of input it reads
OUTPUT_ONTO_INPUT = [
    ("evaluate -o HYP", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "H"]),
    ("evaluate -o REF", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "R"]),
    ("evaluate -o REF by hard link", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "hard_R"]),
    ("evaluate -o HYP by symbolic link", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "link_H"]),
    ("evaluate -o HYP by another path", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "sub/../H"]),
    ("evaluate -o LEXICON", ["evaluate", "lex.tsv", "--direction", "roman2deva", "-o", "lex.tsv"]),
    (
        "evaluate -o MODEL",
        ["evaluate", "lex.tsv", "--direction", "roman2deva", "--model", "model.lpm", "-o", "model.lpm"],
    ),
    (
        "evaluate -o the model's vocabulary",
        ["evaluate", "lex.tsv", "--direction", "roman2deva", "--model", "model.lpm", "-o", "model.vocab"],
    ),
    ("evaluate -o GOLD", ["evaluate", "--beads", "G.jsonl", "--hyp", "HB.jsonl", "-o", "G.jsonl"]),
    ("evaluate -o HYP beads", ["evaluate", "--beads", "G.jsonl", "--hyp", "HB.jsonl", "-o", "HB.jsonl"]),
    ("convert -o INPUT", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "d.txt"]),
    ("convert -o second INPUT", ["convert", "-f", "deva", "-t", "iast", "r.txt", "d.txt", "-o", "d.txt"]),
    (
        "convert -o MODEL",
        ["convert", "-f", "roman", "-t", "deva", "--model", "model.lpm", "H", "-o", "model.lpm"],
    ),
    (
        "convert -o the model's vocabulary",
        ["convert", "-f", "roman", "-t", "deva", "--model", "model.lpm", "H", "-o", "model.vocab"],
    ),
    ("align -o DEVA_FILE", ["align", "d.txt", "r.txt", "-o", "d.txt"]),
    ("align --word-pairs ROMAN_FILE", ["align", "d.txt", "r.txt", "--word-pairs", "r.txt"]),
    ("learn -o PAIRS", ["learn", "--base", "none", "pairs.tsv", "-o", "pairs.tsv"]),
    (
        "learn -o CMUDICT",
        ["learn", "--base", "none", "pairs.tsv", "--pronunciations", "cmu.txt", "-o", "cmu.txt"],
    ),
    ("learn -o twin", ["learn", "--twin", "d.txt", "r.txt", "-o", "r.txt"]),
    ("detect -o PATH", ["detect", "d.txt", "-o", "d.txt"]),
    ("twins -o PATH", ["twins", "d.txt", "r.txt", "-o", "r.txt"]),
    ("stats -o PATH", ["stats", "d.txt", "-o", "d.txt"]),
    ("stats -o --parallel", ["stats", "--parallel", "par.tsv", "-o", "par.tsv"]),
    (
        "build -o OUTDIR holding --base-model",
        ["build", "d.txt", "r.txt", "-o", "out", "--force", "--base-model", "out/model.lpm"],
    ),
]


@pytest.mark.parametrize(("name", "args"), OUTPUT_ONTO_INPUT, ids=[n for n, _ in OUTPUT_ONTO_INPUT])
def test_output_onto_an_input_is_refused(tmp_path: Path, tally: Tally, name: str, args: list[str]) -> None:
    work = _workspace(tmp_path)
    before = _snapshot(work)
    old = Path.cwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lipyantar: error: "), result.stderr
    assert "is also an input" in lines[0] or "contains an input" in lines[0], result.stderr
    assert _snapshot(work) == before  # every input byte-identical, no temporary file, no output
    tally.record("clean error")


def test_every_command_with_an_output_is_covered() -> None:
    """A new command with ``-o`` must join the table above."""
    with_output = {
        name
        for name, command in main.commands.items()
        if any("-o" in getattr(param, "opts", ()) for param in command.params)
    }
    covered = {args[0] for _, args in OUTPUT_ONTO_INPUT}
    assert with_output == covered


#: (case, arguments, how standard output is open onto the input: "append" (>>), "update" (1<>), "truncate" (>))
STDOUT_ONTO_INPUT = [
    ("convert >> INPUT", ["convert", "-f", "deva", "-t", "iast", "d.txt"], "d.txt", "append"),
    ("convert -o /dev/stdout >> INPUT", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "/dev/stdout"], "d.txt", "append"),
    ("convert 1<> INPUT", ["convert", "-f", "deva", "-t", "iast", "d.txt"], "d.txt", "update"),
    ("convert < INPUT >> INPUT", ["convert", "-f", "deva", "-t", "iast"], "d.txt", "append stdin"),
    ("evaluate >> HYP", ["evaluate", "--hyp", "H", "--ref", "R"], "H", "append"),
    ("evaluate -o /dev/stdout >> REF", ["evaluate", "--hyp", "H", "--ref", "R", "-o", "/dev/stdout"], "R", "append"),
    ("align >> ROMAN_FILE", ["align", "d.txt", "r.txt", "--format", "tsv"], "r.txt", "append"),
    ("detect >> PATH", ["detect", "d.txt"], "d.txt", "append"),
    ("stats >> PATH", ["stats", "d.txt"], "d.txt", "append"),
]


@pytest.mark.parametrize(
    ("name", "args", "target", "how"), STDOUT_ONTO_INPUT, ids=[c[0] for c in STDOUT_ONTO_INPUT]
)
def test_standard_output_onto_an_input_is_refused(
    tmp_path: Path, tally: Tally, name: str, args: list[str], target: str, how: str
) -> None:
    """``cmd INPUT >> INPUT`` would read its own output without end (a file growing until the disk is
    full): refused like GNU cat refuses it, the input kept."""
    work = _workspace(tmp_path)
    path = work / target
    data = path.read_bytes()
    flags = os.O_WRONLY | (os.O_APPEND if how.startswith("append") else 0)
    fd = os.open(path, flags)
    try:
        with open(path, "rb") if how == "append stdin" else open(os.devnull, "rb") as stdin:
            proc = run(args, cwd=work, stdin=stdin, stdout=fd)
    finally:
        os.close(fd)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert b"output is also an input" in proc.stderr
    assert path.read_bytes() == data
    tally.record("clean error")


def test_standard_output_truncating_an_input_is_what_the_shell_did(tmp_path: Path, tally: Tally) -> None:
    """``cmd INPUT > INPUT``: the shell emptied the input before lipyantar started; there is nothing
    more to destroy, so (as with GNU cat) the run succeeds on the empty input."""
    work = _workspace(tmp_path)
    fd = os.open(work / "d.txt", os.O_WRONLY | os.O_TRUNC)
    try:
        proc = run(["convert", "-f", "deva", "-t", "iast", "d.txt"], cwd=work, stdout=fd)
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stderr
    assert (work / "d.txt").read_bytes() == b""
    tally.record("survived")


# -------------------------------------------------------------------- outputs through descriptors (2)

#: (case, arguments before -o): commands whose output is compared with their plain standard output
THROUGH_COMMANDS = [
    ("convert", ["convert", "-f", "deva", "-t", "iast", "d.txt"]),
    ("evaluate", ["evaluate", "--hyp", "H", "--ref", "R", "--format", "text"]),
    ("align", ["align", "d.txt", "r.txt", "--format", "tsv"]),
    ("detect", ["detect", "d.txt", "r.txt"]),
    ("stats", ["stats", "d.txt"]),
]
#: how the output is named, and which descriptor carries the log (opened in append mode; 0: another one,
#: named /dev/fd/N)
THROUGH_NAMES = [
    ("/dev/stdout", 1),
    ("/dev/stderr", 2),
    ("/proc/self/fd/1", 1),
    ("/dev/fd/1", 1),
    ("link to /dev/stdout", 1),
    ("/dev/fd/N", 0),
]


#: every name with convert, the usual one with each other command
THROUGH_CASES = [
    *((name, fd, *THROUGH_COMMANDS[0]) for name, fd in THROUGH_NAMES),
    *(("/dev/stdout", 1, command, args) for command, args in THROUGH_COMMANDS[1:]),
    ("/dev/stderr", 2, *THROUGH_COMMANDS[1]),
]
_PLAIN_OUTPUT: dict[str, bytes] = {}


@pytest.mark.parametrize(
    ("name", "fd", "command", "args"), THROUGH_CASES, ids=[f"{c[2]} -o {c[0]}" for c in THROUGH_CASES]
)
def test_output_through_a_descriptor_appends_to_the_log(
    tmp_path: Path, tally: Tally, name: str, fd: int, command: str, args: list[str]
) -> None:
    """``-o /dev/stdout >> log`` (and ``/dev/stderr 2>> log``, ``/dev/fd/N N>> log``, a link to
    /dev/stdout) writes through the descriptor: the log keeps its earlier lines, gets the output after
    them, and is the same file as before (not replaced by a rename)."""
    work = _workspace(tmp_path)
    if command not in _PLAIN_OUTPUT:  # the same inputs in every workspace: run plainly once
        plain = run(args, cwd=work)
        assert plain.returncode == 0, plain.stderr
        _PLAIN_OUTPUT[command] = plain.stdout
    log = work / "log.txt"
    log.write_bytes(b"earlier line\n")
    inode = log.stat().st_ino
    target = name
    if name == "link to /dev/stdout":
        (work / "out.link").symlink_to("/dev/stdout")
        target = "out.link"
    appended = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        streams: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        pass_fds: tuple[int, ...] = ()
        if fd == 1:
            streams["stdout"] = appended
        elif fd == 2:
            streams["stderr"] = appended
        else:
            pass_fds = (appended,)
            target = f"/dev/fd/{appended}"
        proc = run([*args, "-o", target], cwd=work, pass_fds=pass_fds, **streams)  # type: ignore[arg-type]
    finally:
        os.close(appended)
    assert proc.returncode == 0, (proc.stderr, proc.stdout)
    assert log.stat().st_ino == inode
    assert log.read_bytes() == b"earlier line\n" + _PLAIN_OUTPUT[command]
    assert temp_leftovers(work, "log.txt") == [] and temp_leftovers(work, "out.link") == []
    tally.record("survived")


def test_output_to_closed_standard_output_is_refused(tmp_path: Path, tally: Tally) -> None:
    """``-o /dev/stdout >&-``: no output is lost silently in the /dev/null lipyantar puts on a closed
    descriptor."""
    work = _workspace(tmp_path)
    proc = run(["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "/dev/stdout"], cwd=work, close_stdout=True)
    assert proc.returncode == 1
    assert_clean_stderr(proc.stderr, 1)
    assert b"standard output is closed" in proc.stderr
    tally.record("clean error")


# ---------------------------------------------------------------------------- bounded reads (3)

#: (case, arguments, the input named in the message, the message): each reads /dev/zero somewhere
ZERO_READS = [
    ("convert", ["convert", "-f", "deva", "-t", "iast", "/dev/zero"], "/dev/zero", "NUL byte"),
    ("convert -f auto", ["convert", "-f", "auto", "-t", "deva", "/dev/zero"], "/dev/zero", "NUL byte"),
    ("convert stdin", ["convert", "-f", "deva", "-t", "iast"], "<stdin>", "NUL byte"),
    ("convert /dev/stdin", ["convert", "-f", "deva", "-t", "iast", "/dev/stdin"], "/dev/stdin", "NUL byte"),
    ("convert second input", ["convert", "-f", "deva", "-t", "iast", "d.txt", "/dev/zero"], "/dev/zero", "NUL byte"),
    (
        "convert --errors replace",
        ["convert", "-f", "deva", "-t", "iast", "--errors", "replace", "/dev/zero"],
        "/dev/zero",
        "a line longer than",
    ),
    ("evaluate --ref", ["evaluate", "--hyp", "H", "--ref", "/dev/zero"], "/dev/zero", "NUL byte"),
    ("evaluate --hyp", ["evaluate", "--hyp", "/dev/zero", "--ref", "R"], "/dev/zero", "NUL byte"),
    ("evaluate --beads", ["evaluate", "--beads", "/dev/zero", "--hyp", "G.jsonl"], "/dev/zero", "NUL byte"),
    ("evaluate LEXICON", ["evaluate", "/dev/zero", "--direction", "roman2deva"], "/dev/zero", "NUL byte"),
    ("learn", ["learn", "--base", "none", "/dev/zero", "-o", "m.lpm"], "/dev/zero", "NUL byte"),
    ("align", ["align", "/dev/zero", "r.txt"], "/dev/zero", "NUL byte"),
    ("stats --parallel", ["stats", "--parallel", "/dev/zero"], "/dev/zero", "NUL byte"),
]


@pytest.mark.parametrize(("name", "args", "source", "message"), ZERO_READS, ids=[c[0] for c in ZERO_READS])
def test_dev_zero_ends_at_once_with_a_clean_error(
    tmp_path: Path, tally: Tally, name: str, args: list[str], source: str, message: str
) -> None:
    """/dev/zero never ends and has no line end: the check streams (the NUL at byte 0 stops it) and a
    line is bounded, so the run ends at once, under the memory cap, naming the file and the place."""
    work = _workspace(tmp_path)
    before = _snapshot(work)
    with open("/dev/zero", "rb") as zero:
        proc = run(args, cwd=work, stdin=zero)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, 1)
    text = proc.stderr.decode()
    assert f"{source}, line 1" in text and message in text, text
    if message == "NUL byte":
        assert "byte 0:" in text
    assert proc.stdout == b""  # every input is checked before the first line is written
    assert _snapshot(work) == before
    tally.record("clean error")


@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_a_line_longer_than_the_limit_is_refused(tmp_path: Path, tally: Tally, errors: str) -> None:
    """A regular file whose second line is 9 MiB: a clean error naming the line (and, when checked
    first, its byte offset), nothing written, under the memory cap."""
    path = tmp_path / "long.txt"
    with open(path, "wb") as fh:
        fh.write("पहली पंक्ति\n".encode())
        fh.write(b"a" * (MAX_LINE_BYTES + (1 << 20)) + b"\n")
    out = tmp_path / "out.txt"
    proc = run(["convert", "-f", "iast", "-t", "deva", "--errors", errors, "long.txt", "-o", "out.txt"], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, 1)
    text = proc.stderr.decode()
    assert "long.txt, line 2" in text and "a line longer than" in text, text
    if errors == "strict":
        assert f"byte {len('पहली पंक्ति'.encode()) + 1}:" in text
    assert not out.exists() and temp_leftovers(tmp_path, "out.txt") == []
    tally.record("clean error")


#: (case, file contents, the longest line allowed, the error: (line, byte offset) or None when the file is good)
LINE_LIMIT_CASES = [
    ("short lines", b"abc\nde\n", 4, None),
    ("exactly the limit", b"abcd\nefgh", 4, None),
    ("second line too long", b"abc\ndefgh\n", 4, (2, 4)),
    ("last line too long, no line end", b"abcd\nefghi", 4, (2, 5)),
    ("only line too long", b"abcde", 4, (1, 0)),
    ("CRLF line ends", b"abcd\r\nefgh\r\n", 4, None),
    ("CR line ends", b"abcd\refgh\r", 4, None),
    ("CR line ends, too long", b"abcd\refghi\r", 4, (1, 5)),
    ("bytes, not characters", "कख\n".encode(), 4, (1, 0)),
]


@pytest.mark.parametrize(
    ("name", "data", "limit", "error"), LINE_LIMIT_CASES, ids=[c[0] for c in LINE_LIMIT_CASES]
)
@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
def test_check_bounds_lines_in_any_blocks(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    data: bytes,
    limit: int,
    error: tuple[int, int] | None,
    block: int,
) -> None:
    monkeypatch.setattr(textio, "_BLOCK_BYTES", block)
    monkeypatch.setattr(textio, "_SNIFF_BYTES", max(block, 4))
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        if error is None:
            check_utf8(fh, source="f.txt", max_line=limit)
            return
        with pytest.raises(InputError, match="a line longer than 4 bytes") as caught:
            check_utf8(fh, source="f.txt", max_line=limit)
    assert (caught.value.line, caught.value.offset) == error


def _outcome(data: bytes, *, block: int, limit: int) -> tuple[str, int | None, int | None]:
    """The first error of the check fed ``data`` in blocks of ``block`` bytes: (kind, line, offset)."""
    check = textio._TextCheck("utf-8", "UTF-8", source="x", max_line=limit)
    try:
        for start in range(0, len(data), block):
            check.feed(data[start : start + block])
        check.feed(b"")
    except InputError as exc:
        return exc.message.split(" (")[0].split(":")[0], exc.line, exc.offset
    return "ok", None, None


_PIECES = st.sampled_from(
    [b"a", b"b", b"\n", b"\r", b"\r\n", "क".encode(), "ि".encode(), b"\x00", "😀".encode(), b"\xff", b"\xe0\xa4", b"\x80"]
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=40), block=st.integers(1, 9), limit=st.integers(1, 12))
def test_the_streaming_check_does_not_depend_on_the_block_size(
    pieces: list[bytes], block: int, limit: int
) -> None:
    """The check reads in blocks, carrying multi-byte characters, CRLF and line lengths across them: it
    reports the same first error (kind, line, byte offset) whatever the block size."""
    data = b"".join(pieces)
    assert _outcome(data, block=block, limit=limit) == _outcome(data, block=len(data) + 1, limit=limit)


def test_the_streaming_check_finds_each_kind_of_error() -> None:
    """The property above would hold for a check that finds nothing: each kind is found, where it is."""
    assert _outcome(b"ab\ncd\x00", block=2, limit=10) == ("NUL byte", 2, 5)
    assert _outcome(b"ab\ncd\xff", block=2, limit=10) == ("invalid UTF-8", 2, 5)
    assert _outcome(b"ab\ncd\xe0\xa4", block=2, limit=10) == ("invalid UTF-8", 2, 5)  # cut at the end
    assert _outcome(b"ab\ncdefg", block=2, limit=4) == ("a line longer than 4 bytes", 2, 3)
    assert _outcome(b"ab\ncdefg\x00", block=2, limit=4) == ("a line longer than 4 bytes", 2, 3)
    assert _outcome(b"ab\ncdef\x00", block=2, limit=4) == ("NUL byte", 2, 7)
    assert _outcome("क\nख".encode(), block=1, limit=3) == ("ok", None, None)


@pytest.mark.parametrize("errors", ["strict", "replace"])
@pytest.mark.parametrize(
    ("text", "limit", "error_line"),
    [("abc\ndefg\n", 4, None), ("abc\ndefgh\n", 4, 2), ("कखगघ\nक\n", 4, None), ("abcde", 4, 1)],
)
def test_read_lines_bounds_lines_in_characters(
    tmp_path: Path, errors: str, text: str, limit: int, error_line: int | None
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # UTF-16: the check counts characters too
    lines = read_lines(path, errors=errors, max_line=limit)  # type: ignore[arg-type]
    if error_line is None:
        assert list(lines) == text.splitlines()
        return
    with pytest.raises(InputError, match=f"a line longer than {limit} characters") as caught:
        list(lines)
    assert caught.value.line == error_line


# ---------------------------------------------------------------------------- pipes and FIFOs (4)

#: (case, arguments with FIFO for the named pipe)
FIFO_READS = [
    ("convert", ["convert", "-f", "deva", "-t", "iast", "FIFO"]),
    ("convert via a link", ["convert", "-f", "deva", "-t", "iast", "fifo.link"]),
    ("evaluate --hyp", ["evaluate", "--hyp", "FIFO", "--ref", "R"]),
    ("evaluate --ref", ["evaluate", "--hyp", "H", "--ref", "FIFO"]),
    ("evaluate --beads", ["evaluate", "--beads", "FIFO", "--hyp", "G.jsonl"]),
    ("evaluate LEXICON", ["evaluate", "FIFO", "--direction", "roman2deva"]),
    ("learn", ["learn", "--base", "none", "FIFO", "-o", "m.lpm"]),
    ("align", ["align", "FIFO", "r.txt"]),
    ("stats --parallel", ["stats", "--parallel", "FIFO"]),
]


@pytest.mark.parametrize(("name", "args"), FIFO_READS, ids=[c[0] for c in FIFO_READS])
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path, tally: Tally, name: str, args: list[str]) -> None:
    """A named pipe with no program writing to it would block the open for ever: refused, and never
    opened (so that a writer waiting on it is not woken up)."""
    work = _workspace(tmp_path)
    os.mkfifo(work / "FIFO")
    (work / "fifo.link").symlink_to("FIFO")
    proc = run(args, cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, 1)
    assert b"is a named pipe (FIFO)" in proc.stderr
    tally.record("clean error")


def _pipe(data: bytes) -> int:
    """A pipe holding ``data`` (its writer closed): its reading end, as ``<(command)`` gives it."""
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    return read


#: (case, arguments with {0} and {1} for the pipes, the files the pipes carry, the same arguments on
#: regular files)
PIPE_READS = [
    (
        "convert <(a) <(b)",
        ["convert", "-f", "deva", "-t", "iast", "{0}", "{1}"],
        ("d.txt", "d.txt"),
        ["convert", "-f", "deva", "-t", "iast", "d.txt", "d.txt"],
    ),
    (
        "convert --progress <(a)",
        ["convert", "-f", "deva", "-t", "iast", "--progress", "{0}"],
        ("d.txt",),
        ["convert", "-f", "deva", "-t", "iast", "d.txt"],
    ),
    (
        "convert --errors replace <(a)",
        ["convert", "-f", "deva", "-t", "iast", "--errors", "replace", "{0}"],
        ("d.txt",),
        ["convert", "-f", "deva", "-t", "iast", "d.txt"],
    ),
    (
        "evaluate --hyp <(a) --ref <(b)",
        ["evaluate", "--hyp", "{0}", "--ref", "{1}", "--progress"],
        ("H", "R"),
        ["evaluate", "--hyp", "H", "--ref", "R"],
    ),
    ("align <(a) <(b)", ["align", "{0}", "{1}"], ("d.txt", "r.txt"), ["align", "d.txt", "r.txt"]),
]


@pytest.mark.parametrize(("name", "args", "files", "plain"), PIPE_READS, ids=[c[0] for c in PIPE_READS])
def test_pipes_by_descriptor_are_read_in_one_pass(
    tmp_path: Path, tally: Tally, name: str, args: list[str], files: tuple[str, ...], plain: list[str]
) -> None:
    """``<(command)`` gives a pipe as /dev/fd/N: read once (checked as it is spooled), with the same
    output as the file it carries."""
    work = _workspace(tmp_path)
    expected = run(plain, cwd=work)
    assert expected.returncode == 0, expected.stderr
    fds = [_pipe((work / file).read_bytes()) for file in files]
    try:
        names = [f"/dev/fd/{fd}" for fd in fds]
        proc = run([arg.format(*names) for arg in args], cwd=work, pass_fds=tuple(fds))
    finally:
        for fd in fds:
            os.close(fd)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected.stdout
    tally.record("survived")


def test_a_bad_pipe_is_found_before_any_output(tmp_path: Path, tally: Tally) -> None:
    """Every input, pipes included, is checked before the first line is written: a NUL in a pipe given
    after a good file leaves standard output empty."""
    work = _workspace(tmp_path)
    fd = _pipe("नमस्ते\n".encode() * 1000 + b"x\x00y\n")
    try:
        proc = run(["convert", "-f", "deva", "-t", "iast", "d.txt", f"/dev/fd/{fd}"], cwd=work, pass_fds=(fd,))
    finally:
        os.close(fd)
    assert proc.returncode == 1
    assert_clean_stderr(proc.stderr, 1)
    assert f"/dev/fd/{fd}, line 1001, byte 19001: NUL byte".encode() in proc.stderr
    assert proc.stdout == b""
    tally.record("clean error")


# ---------------------------------------------------------------------------------- messages (5)

EXCERPTS = [
    ("short", "abc", 60, "'abc'"),
    ("at the limit", "a" * 60, 60, repr("a" * 60)),
    ("long", "k" * 200_000, 10, "'kkkkkkkkk…' (200,000 characters)"),
    ("quotes", "it's", 60, '"it\'s"'),
]


@pytest.mark.parametrize(("name", "text", "limit", "expected"), EXCERPTS, ids=[c[0] for c in EXCERPTS])
def test_excerpt(name: str, text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit=limit) == expected


@pytest.mark.parametrize(("length", "clipped"), [(10, False), (1000, False), (1001, True), (200_000, True)])
def test_clip_message(length: int, clipped: bool) -> None:
    message = "x" * length
    out = clip_message(message)
    assert len(out) <= 1000 + len(f" ({length:,} characters)")
    assert (out != message) == clipped
    if clipped:
        assert out.endswith(f"… ({length:,} characters)")


#: (case, file name, contents, arguments): user data that lands in a message
LONG_TOKENS = [
    ("--from auto", "tok.txt", "kh" + "A" * 20_000 + "\n", ["convert", "-f", "auto", "-t", "iast", "tok.txt", "-o", "/dev/null"]),
    ("learn: bad count", "pairs.tsv", "क\tka\t" + "9x" * 20_000 + "\n", ["learn", "--base", "none", "pairs.tsv", "-o", "m.lpm"]),
    ("stats: bad score", "par.tsv", "क\tka\t" + "s" * 40_000 + "\n", ["stats", "--parallel", "par.tsv"]),
    (
        "evaluate: bad bead",
        "G.jsonl",
        json.dumps({"deva": list(range(0, 40_000, 2)), "roman": [0]}) + "\n",
        ["evaluate", "--beads", "G.jsonl", "--hyp", "HB.jsonl"],
    ),
]


@pytest.mark.parametrize(("name", "file", "text", "args"), LONG_TOKENS, ids=[c[0] for c in LONG_TOKENS])
def test_messages_quote_user_data_cut_short(
    tmp_path: Path, tally: Tally, name: str, file: str, text: str, args: list[str]
) -> None:
    work = _workspace(tmp_path)
    (work / file).write_text(text, encoding="utf-8")
    proc = run(args, cwd=work)
    assert_clean_stderr(proc.stderr, proc.returncode)
    lines = proc.stderr.decode().splitlines()
    assert lines and all(len(line) < 400 for line in lines), [len(line) for line in lines]
    assert "characters)" in proc.stderr.decode()  # the excerpt says how long the whole was
    tally.record_exit(proc.returncode)


# ------------------------------------------------------------------------------- warnings once (6)


def test_no_model_warning_is_printed_once(tmp_path: Path, tally: Tally) -> None:
    """A build whose model cannot be written says so once (it was logged and printed as a note)."""
    proc = run_lipyantar(
        ["build", str(EXAMPLE), "-o", "out", "-j", "1", "--no-progress"],
        cwd=tmp_path,
        faults=["lipyantar.translit.learned.adapting:save_adaptation:1:eio"],
        preexec_fn=_capped,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert_clean_stderr(proc.stderr, 0)
    text = proc.stderr.decode()
    assert text.count("no model written") == 1, text
    tally.record("survived")


def test_a_pair_that_cannot_be_aligned_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally: Tally
) -> None:
    from lipyantar.align import segment

    def fail(text: str, **_: object) -> list[object]:
        raise AlignmentError("these sentences cannot be split")

    monkeypatch.setattr(segment, "split_sentences", fail)
    result = CliRunner().invoke(
        main, ["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--no-model", "-j", "1", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.count("these sentences cannot be split") == 1, result.stderr
    tally.record("survived")


_LEVEL = re.compile(r"^lipyantar: (?:(?:DEBUG|INFO|WARNING|ERROR|warning|error): )?")
#: (case, arguments): runs that warn (and say more at -v)
WARNING_RUNS = [
    ("detect with an empty file", ["detect", "empty.txt", "d.txt"]),
    ("align --words with tsv", ["align", "d.txt", "r.txt", "--words", "--format", "tsv"]),
    ("align an empty file", ["align", "empty.txt", "r.txt"]),
    ("align texts that are not twins", ["align", "d.txt", "H"]),
    ("convert -f auto", ["convert", "-f", "auto", "-t", "deva", "bom.txt"]),
    ("-v convert -f auto", ["-v", "convert", "-f", "auto", "-t", "deva", "bom.txt"]),
    ("-vv convert -f auto", ["-vv", "convert", "-f", "auto", "-t", "deva", "bom.txt"]),
    ("-v build", ["-v", "build", "d.txt", "r.txt", "empty.txt", "-o", "built", "--no-model", "-j", "1"]),
    ("convert --english keep", ["convert", "-f", "roman", "-t", "deva", "--english", "keep", "bom.txt"]),
    ("twins with an empty file", ["twins", "empty.txt", "d.txt", "r.txt"]),
    ("stats with an empty file", ["stats", "empty.txt", "d.txt"]),
]


@pytest.mark.parametrize(("name", "args"), WARNING_RUNS, ids=[c[0] for c in WARNING_RUNS])
def test_each_warning_is_printed_once(tmp_path: Path, tally: Tally, name: str, args: list[str]) -> None:
    work = _workspace(tmp_path)
    (work / "empty.txt").write_bytes(b"")
    (work / "bom.txt").write_bytes(b"\xef\xbb\xbfyah ek vakya hai\r\nshashi tharoor\r\n")
    proc = run(args, cwd=work)
    assert_clean_stderr(proc.stderr, proc.returncode)
    lines = [line for line in proc.stderr.decode().splitlines() if line.strip()]
    repeated = [line for line, n in Counter(lines).items() if n > 1]
    assert repeated == [], proc.stderr
    # the same message under two prefixes ("lipyantar: INFO: x", "lipyantar: warning: x", "lipyantar: x")
    bodies = [_LEVEL.sub("", line) for line in lines if line.startswith("lipyantar: ")]
    assert len(bodies) == len(set(bodies)), proc.stderr
    tally.record_exit(proc.returncode)
