"""Robustness of the OUTPUT paths and of SIGNALS: nothing lost, ever (issue 15, items 1–6, 10, 13).

Fault injection runs the real command line in a fresh process (``fault_driver.py``): SIGINT, SIGTERM and
SIGHUP at several points of ``convert -o`` and ``build`` (with and without ``--force``, ``-j 1`` and ``-j
2``), a failing rename, ENOSPC, death between the two renames of the fallback swap. Every case checks the
exit status, a one-line error and no traceback, the inputs byte-identical, no output or a complete one (a
previous output intact), and no temporary files or processes left.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.corpora import outdir as outdir_module
from lipyantar.corpora.build import BuildOptions, build_corpus
from lipyantar.corpora.loading import list_files, load_corpus
from lipyantar.translit.errors import InputError, OutputError
from lipyantar.translit.learned.storage import write_model_file
from lipyantar.translit.outputs import atomic_write, check_output

from .conftest import (
    ROOT,
    Tally,
    assert_clean_stderr,
    leftover_processes,
    run_lipyantar,
    temp_leftovers,
)

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow


EXAMPLE = ROOT / "corpora" / "example"
OLD = b"the previous output\n"


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------------------------------------- convert


@pytest.fixture(scope="module")
def convert_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A 3,000-line Devanagari input (six chunks of work) and its IAST conversion."""
    base = tmp_path_factory.mktemp("convert")
    lines = (EXAMPLE / "000_fe791b896c794821.txt").read_text(encoding="utf-8").splitlines()
    text = "\n".join(lines[k % len(lines)] for k in range(3000)) + "\n"
    source = base / "input.txt"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", "-f", "deva", "-t", "iast", str(source), "-j", "1"])
    assert result.exit_code == 0, result.output
    return source, result.stdout_bytes


def _fresh_input(tmp_path: Path, source: Path) -> tuple[Path, bytes]:
    data = source.read_bytes()
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    return path, data


CONVERT_FAULTS = [
    # (fault, expected exit status): signals before any output, after the first chunk is written, at
    # the fsync, at the rename; failures of the fsync and of the rename
    ("lipyantar.translit.batch:format_chunk:1:sigterm", 143),
    ("lipyantar.translit.batch:format_chunk:2:sigterm", 143),
    ("os:fsync:1:sigterm", 143),
    ("os:replace:1:sigterm", 143),
    ("lipyantar.translit.batch:format_chunk:2:sighup", 129),
    ("lipyantar.translit.batch:format_chunk:2:sigint", 130),
    ("os:fsync:1:enospc", 1),
    ("os:replace:1:eio", 1),
]


#: every fault at -j 1 and -j 2 into a new output, and at -j 1 over an old output (the output code is the
#: same for any -j)
CONVERT_CASES = [
    pytest.param(fault, status, jobs, existing, id=f"{fault}-j{jobs}-{'old' if existing else 'new'}")
    for fault, status in CONVERT_FAULTS
    for jobs, existing in ((1, False), (2, False), (1, True))
]


@pytest.mark.parametrize(("fault", "status", "jobs", "existing"), CONVERT_CASES)
def test_convert_faults(
    tmp_path: Path,
    convert_case: tuple[Path, bytes],
    tally: Tally,
    fault: str,
    status: int,
    jobs: int,
    existing: bool,
) -> None:
    source, data = _fresh_input(tmp_path, convert_case[0])
    out = tmp_path / "out.txt"
    if existing:
        out.write_bytes(OLD)
    args = ["convert", "-f", "deva", "-t", "iast", source.name, "-o", out.name, "-j", str(jobs)]
    proc = run_lipyantar(args, cwd=tmp_path, faults=[fault])
    assert proc.returncode == status, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert source.read_bytes() == data
    if existing:
        assert out.read_bytes() == OLD
    else:
        assert not out.exists()
    assert temp_leftovers(tmp_path, out.name) == []
    assert leftover_processes(str(tmp_path)) == []
    tally.record_exit(proc.returncode)


@pytest.mark.parametrize("jobs", [1, 2])
def test_convert_under_nohup_ignores_sighup(
    tmp_path: Path, convert_case: tuple[Path, bytes], tally: Tally, jobs: int
) -> None:
    """Started with SIGHUP ignored (``nohup``), lipyantar leaves it ignored: a hangup mid-run does not
    stop it, and the output is complete."""
    source, data = _fresh_input(tmp_path, convert_case[0])
    args = ["convert", "-f", "deva", "-t", "iast", source.name, "-o", "out.txt", "-j", str(jobs)]
    proc = run_lipyantar(
        args,
        cwd=tmp_path,
        faults=["lipyantar.translit.batch:format_chunk:2:sighup"],
        inherit_signals=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert (tmp_path / "out.txt").read_bytes() == convert_case[1]
    assert source.read_bytes() == data
    assert leftover_processes(str(tmp_path)) == []
    tally.record("survived")


@pytest.mark.parametrize("jobs", [1, 2])
def test_convert_signal_after_rename_keeps_complete_output(
    tmp_path: Path, convert_case: tuple[Path, bytes], tally: Tally, jobs: int
) -> None:
    """A signal once the output is in place: the output is complete (exit 143 or 0, never half)."""
    source, data = _fresh_input(tmp_path, convert_case[0])
    args = ["convert", "-f", "deva", "-t", "iast", source.name, "-o", "out.txt", "-j", str(jobs)]
    proc = run_lipyantar(args, cwd=tmp_path, faults=["os:replace:1:after-sigterm"])
    assert proc.returncode in (0, 143), proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert (tmp_path / "out.txt").read_bytes() == convert_case[1]
    assert source.read_bytes() == data
    assert temp_leftovers(tmp_path, "out.txt") == []
    tally.record("survived")


def _start(args: list[str], cwd: Path, faults: list[str], **popen: object) -> subprocess.Popen[bytes]:
    from .conftest import DRIVER

    command = [sys.executable, str(DRIVER)]
    for spec in faults:
        command += ["--fault", spec]
    return subprocess.Popen(
        [*command, "--", *args], cwd=cwd, stderr=subprocess.PIPE, **popen  # type: ignore[call-overload]
    )


def _wait_for_workers(proc: subprocess.Popen[bytes], count: int, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        if len(pids) >= count:
            time.sleep(1.0)  # let them run their initializer and start working
            return pids
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        time.sleep(0.05)
    raise AssertionError("the workers did not start")


@pytest.mark.parametrize(
    ("how", "status"),
    [("sigterm", 143), ("sighup", 129), ("sigint-group", 130), ("sigkill", -9)],
)
def test_convert_j2_killed_from_outside_no_hang_no_orphans(
    tmp_path: Path, convert_case: tuple[Path, bytes], tally: Tally, how: str, status: int
) -> None:
    """`lipyantar convert -j 2 … | reader`, signalled from outside: the reader sees the end of the output at
    once (no worker keeps the pipe open), no worker survives, Ctrl-C prints no worker traceback."""
    source, data = _fresh_input(tmp_path, convert_case[0])
    args = ["convert", "-f", "deva", "-t", "iast", source.name, "-j", "2"]
    proc = _start(
        args, tmp_path, ["lipyantar.translit.batch:format_chunk:*:sleep=0.5"], stdout=subprocess.PIPE, start_new_session=True
    )
    _wait_for_workers(proc, 2)
    if how == "sigint-group":
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        os.kill(proc.pid, {"sigterm": signal.SIGTERM, "sighup": signal.SIGHUP, "sigkill": signal.SIGKILL}[how])
    start = time.monotonic()
    _, stderr = proc.communicate(timeout=30)  # a hang here is the bug
    assert time.monotonic() - start < 10
    assert proc.returncode == status, stderr
    if how != "sigkill":
        assert_clean_stderr(stderr, proc.returncode)
    assert source.read_bytes() == data
    assert leftover_processes(str(tmp_path)) == []
    tally.record("clean error")


def test_convert_output_onto_dev_full_is_a_clean_error(tmp_path: Path, tally: Tally) -> None:
    (tmp_path / "in.txt").write_text("नमस्ते\n", encoding="utf-8")
    proc = run_lipyantar(["convert", "-f", "deva", "-t", "iast", "in.txt", "-o", "/dev/full"], cwd=tmp_path)
    assert proc.returncode == 1
    assert_clean_stderr(proc.stderr, 1)
    assert b"No space left on device" in proc.stderr and b"/dev/full" in proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    tally.record("clean error")


def test_closed_stdout_is_a_clean_error(tmp_path: Path, tally: Tally) -> None:
    (tmp_path / "in.txt").write_text("नमस्ते\n", encoding="utf-8")
    for args in (["convert", "-f", "deva", "-t", "iast", "in.txt"], ["schemes"]):
        proc = run_lipyantar(args, cwd=tmp_path, preexec_fn=lambda: os.close(1))
        assert proc.returncode == 1, proc.stderr
        assert_clean_stderr(proc.stderr, 1)
        assert b"standard output is closed" in proc.stderr
        tally.record("clean error")


# --------------------------------------------------------------------- -o onto an input (item 1)


def _twin(tmp_path: Path) -> tuple[Path, Path]:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_bytes((EXAMPLE / "000_fe791b896c794821.txt").read_bytes())
    roman.write_bytes((EXAMPLE / "001_f4f5b2cec3eb8c3f.txt").read_bytes())
    return deva, roman


OUTPUT_ONTO_INPUT = [
    ("same name", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "d.txt"]),
    ("same name -j 2", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "d.txt", "-j", "2"]),
    ("relative path", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "./sub/../d.txt"]),
    ("symbolic link", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "link.txt"]),
    ("hard link", ["convert", "-f", "deva", "-t", "iast", "d.txt", "-o", "hard.txt"]),
    ("second input", ["convert", "-f", "deva", "-t", "iast", "r.txt", "d.txt", "-o", "d.txt"]),
    ("align", ["align", "d.txt", "r.txt", "-o", "d.txt"]),
    ("align roman side", ["align", "d.txt", "r.txt", "-o", "link.txt", "--format", "tsv"]),
    ("align moses prefix", ["align", "d.txt", "r.txt", "--format", "moses", "-o", "x"]),
    ("align word pairs", ["align", "d.txt", "r.txt", "--word-pairs", "r.txt"]),
    ("learn", ["learn", "--base", "none", "pairs.tsv", "-o", "pairs.tsv"]),
    ("detect", ["detect", ".", "--format", "jsonl", "-o", "d.txt"]),
]


@pytest.mark.parametrize(("name", "args"), OUTPUT_ONTO_INPUT, ids=[n for n, _ in OUTPUT_ONTO_INPUT])
def test_output_onto_an_input_is_refused(tmp_path: Path, tally: Tally, name: str, args: list[str]) -> None:
    deva, _ = _twin(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.txt").symlink_to("d.txt")
    os.link(deva, tmp_path / "hard.txt")
    (tmp_path / "x.deva").symlink_to("d.txt")
    (tmp_path / "pairs.tsv").write_text("नमस्ते\tnamaste\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    assert "output is also an input" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _snapshot(tmp_path) == before  # nothing touched, no temporary file
    tally.record("clean error")


def test_output_onto_stdin_source_is_refused(tmp_path: Path, tally: Tally) -> None:
    deva, _ = _twin(tmp_path)
    data = deva.read_bytes()
    with open(deva, "rb") as stdin:
        proc = run_lipyantar(["convert", "-f", "deva", "-t", "iast", "-o", "d.txt"], cwd=tmp_path, stdin=stdin)
    assert proc.returncode == 1
    assert_clean_stderr(proc.stderr, 1)
    assert b"output is also an input (<stdin>)" in proc.stderr
    assert deva.read_bytes() == data
    tally.record("clean error")


def test_check_output_allows_distinct_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("a")  # same contents, another file
    check_output(tmp_path / "b", [tmp_path / "a"])
    check_output(tmp_path / "new", [tmp_path / "a"])
    check_output(None, [tmp_path / "a"])
    check_output("/dev/null", ["/dev/null"])  # not a regular file: nothing to destroy
    with pytest.raises(OutputError, match="output is also an input"):
        check_output(tmp_path / "a", [tmp_path / "b", tmp_path / "a"])


# -------------------------------------------------------------- non-regular outputs (item 2), item 6


def test_output_onto_dev_null_keeps_the_device(tmp_path: Path) -> None:
    with atomic_write("/dev/null") as fh:
        fh.write("nothing\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert list(Path("/dev").glob(".null.*")) == []


def test_output_onto_a_fifo_is_written_straight(tmp_path: Path, tally: Tally) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    (tmp_path / "in.txt").write_text("नमस्ते\n", encoding="utf-8")
    proc = run_lipyantar(["convert", "-f", "deva", "-t", "iast", "in.txt", "-o", "pipe"], cwd=tmp_path)
    reader.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert got == [b"namaste\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert temp_leftovers(tmp_path, "pipe") == []
    tally.record("survived")


def test_output_through_proc_self_fd_1(tmp_path: Path, tally: Tally) -> None:
    (tmp_path / "in.txt").write_text("नमस्ते\n", encoding="utf-8")
    (tmp_path / "out").symlink_to("/proc/self/fd/1")
    proc = run_lipyantar(["convert", "-f", "deva", "-t", "iast", "in.txt", "-o", "out"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"namaste\n"
    assert (tmp_path / "out").is_symlink()
    tally.record("survived")


def test_output_symlink_is_written_through_and_mode_kept(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    (tmp_path / "link.txt").symlink_to("real.txt")
    with atomic_write(tmp_path / "link.txt") as fh:
        fh.write("new\n")
    assert (tmp_path / "link.txt").is_symlink()
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_model_file_ignores_planted_links(tmp_path: Path) -> None:
    """The model is written through a fresh mkstemp file: a link planted at the old predictable name
    (``<out>.tmp<pid>``) or anywhere else beside the output is never followed."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    out = tmp_path / "model.lpm"
    (tmp_path / f"model.lpm.tmp{os.getpid()}").symlink_to(victim)
    write_model_file(out, b"model bytes")
    assert out.read_bytes() == b"model bytes"
    assert victim.read_bytes() == b"precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["victim.txt", "model.lpm", f"model.lpm.tmp{os.getpid()}"])


# ------------------------------------------------------------------------------------------ build


@pytest.fixture(scope="module")
def build_reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The output of a fault-free build of the example (``--no-model``), run where the tests run."""
    base = tmp_path_factory.mktemp("build-reference")
    (base / "corpus").mkdir()
    for path in EXAMPLE.iterdir():
        (base / "corpus" / path.name).write_bytes(path.read_bytes())
    old = Path.cwd()
    os.chdir(base)
    try:
        build_corpus(["corpus"], "out", options=BuildOptions(model=False))
    finally:
        os.chdir(old)
    return _snapshot(base / "out")


def _corpus(tmp_path: Path) -> dict[str, bytes]:
    (tmp_path / "corpus").mkdir()
    for path in EXAMPLE.iterdir():
        (tmp_path / "corpus" / path.name).write_bytes(path.read_bytes())
    return _snapshot(tmp_path / "corpus")


def _check_build(
    tmp_path: Path,
    proc: subprocess.CompletedProcess[bytes],
    corpus: dict[str, bytes],
    reference: dict[str, bytes],
    *,
    previous: dict[str, bytes] | None,
) -> None:
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert _snapshot(tmp_path / "corpus") == corpus
    out = tmp_path / "out"
    if proc.returncode == 0:
        assert _snapshot(out) == reference
    elif previous is None:
        assert not out.exists() or not any(out.iterdir())
    else:
        assert _snapshot(out) == previous
    assert temp_leftovers(tmp_path, "out") == []
    assert leftover_processes(str(tmp_path)) == []


BUILD_SIGNALS = [
    # while detecting, while aligning, while writing the results, at the swap
    ("lipyantar.corpora.pipeline:analyse_document:1:sigterm", 143),
    ("lipyantar.corpora.pipeline:process_pair:1:sigterm", 143),
    ("lipyantar.corpora.build:_write_text:2:sigterm", 143),
    ("lipyantar.corpora.outdir:swap_into_place:1:sigterm", 143),
    ("lipyantar.corpora.pipeline:process_pair:1:sighup", 129),
    ("lipyantar.corpora.pipeline:analyse_document:1:sigint", 130),
]


#: every signal with --force over an old output at -j 1; -j 2 where workers run (detection, alignment);
#: SIGTERM also into a new output
BUILD_CASES = [
    pytest.param(fault, status, jobs, force, id=f"{fault}-j{jobs}-{'force' if force else 'new'}")
    for fault, status in BUILD_SIGNALS
    for jobs in (1, 2)
    for force in (False, True)
    if (force or "sigterm" in fault) and (jobs == 1 or "analyse_document" in fault or "process_pair" in fault)
]


@pytest.mark.parametrize(("fault", "status", "jobs", "force"), BUILD_CASES)
def test_build_signals(
    tmp_path: Path, build_reference: dict[str, bytes], tally: Tally, fault: str, status: int, jobs: int, force: bool
) -> None:
    corpus = _corpus(tmp_path)
    previous = None
    args = ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", str(jobs)]
    if force:
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "old.txt").write_bytes(OLD)
        previous = _snapshot(tmp_path / "out")
        args.append("--force")
    proc = run_lipyantar(args, cwd=tmp_path, faults=[fault])
    assert proc.returncode == status, proc.stderr
    _check_build(tmp_path, proc, corpus, build_reference, previous=previous)
    tally.record_exit(proc.returncode)


SWAP_FAULTS = [
    # (fault, use renameat2, expected status)
    ("lipyantar.corpora.outdir:_exchange:1:enospc", True, 1),  # the exchange fails: nothing changed
    ("os:rename:1:enospc", False, 1),  # fallback: setting the old output aside fails
    ("os:rename:2:enospc", False, 1),  # fallback: the new output cannot take its place: old one put back
    ("os:rename:1:after-sigterm", False, 143),  # fallback: signal between the two renames
    ("os:rename:2:sigterm", False, 143),
]


@pytest.mark.parametrize(("fault", "exchange", "status"), SWAP_FAULTS)
def test_build_force_swap_is_recoverable(
    tmp_path: Path, build_reference: dict[str, bytes], tally: Tally, fault: str, exchange: bool, status: int
) -> None:
    corpus = _corpus(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_bytes(OLD)
    previous = _snapshot(tmp_path / "out")
    sets = [] if exchange else ["lipyantar.corpora.outdir:_renameat2=None"]
    args = ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1", "--force"]
    proc = run_lipyantar(args, cwd=tmp_path, faults=[fault], sets=sets)
    assert proc.returncode == status, proc.stderr
    _check_build(tmp_path, proc, corpus, build_reference, previous=previous)
    tally.record_exit(proc.returncode)


def test_build_without_force_rename_failure(tmp_path: Path, build_reference: dict[str, bytes], tally: Tally) -> None:
    corpus = _corpus(tmp_path)
    args = ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1"]
    proc = run_lipyantar(args, cwd=tmp_path, faults=["os:rename:1:enospc"])
    assert proc.returncode == 1
    _check_build(tmp_path, proc, corpus, build_reference, previous=None)
    tally.record("clean error")


def test_build_killed_between_renames_is_recovered(
    tmp_path: Path, build_reference: dict[str, bytes], tally: Tally
) -> None:
    """SIGKILL between the two renames of the fallback swap (nothing can clean up): the previous output
    is set aside, and the next build puts it back before anything else."""
    corpus = _corpus(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_bytes(OLD)
    previous = _snapshot(tmp_path / "out")
    args = ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1", "--force"]
    proc = run_lipyantar(
        args, cwd=tmp_path, faults=["os:rename:1:after-sigkill"], sets=["lipyantar.corpora.outdir:_renameat2=None"]
    )
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "out").exists()
    # the next build (without --force) restores the previous output, then refuses to replace it
    again = run_lipyantar(["build", "corpus", "-o", "out", "--no-model", "-j", "1"], cwd=tmp_path)
    assert again.returncode == 1
    assert b"restored the previous output" in again.stderr
    assert b"not empty; use --force" in again.stderr
    assert _snapshot(tmp_path / "out") == previous
    assert _snapshot(tmp_path / "corpus") == corpus
    assert temp_leftovers(tmp_path, "out") == []
    tally.record("clean error")


def test_build_file_added_during_build_is_kept(tmp_path: Path, tally: Tally) -> None:
    corpus = _corpus(tmp_path)
    (tmp_path / "out").mkdir()
    proc = _start(
        ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1"],
        tmp_path,
        ["lipyantar.corpora.pipeline:process_pair:1:sleep=3"],
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.glob(".out.*")):  # the build has started
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    (tmp_path / "out" / "mine.txt").write_bytes(b"mine\n")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert_clean_stderr(stderr, 1)
    assert b"no longer empty" in stderr
    assert _snapshot(tmp_path / "out") == {"mine.txt": b"mine\n"}
    assert _snapshot(tmp_path / "corpus") == corpus
    assert temp_leftovers(tmp_path, "out") == []
    tally.record("clean error")


def test_concurrent_builds_into_one_outdir(tmp_path: Path, build_reference: dict[str, bytes], tally: Tally) -> None:
    _corpus(tmp_path)
    first = _start(
        ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1", "--force"],
        tmp_path,
        ["lipyantar.corpora.pipeline:process_pair:1:sleep=3"],
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / ".out.lock").exists():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    second = run_lipyantar(["-q", "build", "corpus", "-o", "out", "--no-model", "--force"], cwd=tmp_path)
    assert second.returncode == 1
    assert_clean_stderr(second.stderr, 1)
    assert b"another build is writing into this output directory" in second.stderr
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert _snapshot(tmp_path / "out") == build_reference
    assert temp_leftovers(tmp_path, "out") == []
    tally.record("clean error")
    tally.record("survived")


def test_build_j2_sigkill_leaves_no_workers(tmp_path: Path, tally: Tally) -> None:
    corpus = _corpus(tmp_path)
    proc = _start(
        ["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "2"],
        tmp_path,
        ["lipyantar.corpora.pipeline:analyse_document:*:sleep=5"],
    )
    _wait_for_workers(proc, 2)
    proc.kill()
    proc.communicate(timeout=30)
    assert leftover_processes(str(tmp_path)) == []
    assert not (tmp_path / "out").exists()
    assert _snapshot(tmp_path / "corpus") == corpus
    # the staging directory of the killed build goes with the next build
    again = run_lipyantar(["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1"], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert temp_leftovers(tmp_path, "out") == []
    tally.record("clean error")


def test_swap_into_place_exchange_and_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for exchange in (True, False):
        if not exchange:
            monkeypatch.setattr(outdir_module, "_renameat2", None)
        target = tmp_path / f"out{exchange}"
        target.mkdir()
        (target / "old").write_text("old")
        staged = tmp_path / f"staged{exchange}"
        staged.mkdir()
        (staged / "new").write_text("new")
        outdir_module.swap_into_place(staged, target, force=True)
        assert _snapshot(target) == {"new": b"new"}
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
        assert not staged.exists()


# ------------------------------------------------------------------------------ build inputs (item 13)


def test_build_inputs_special_files_are_skipped_with_their_reason(tmp_path: Path, tally: Tally) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in EXAMPLE.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "loop1").symlink_to("loop2")
    (corpus / "loop2").symlink_to("loop1")
    (corpus / "self").symlink_to(".")
    (tmp_path / "outside.txt").write_bytes((EXAMPLE / "000_fe791b896c794821.txt").read_bytes())
    (corpus / "outside.txt").symlink_to(tmp_path / "outside.txt")
    (corpus / "inside.txt").symlink_to("000_fe791b896c794821.txt")  # a second name of a file inside
    (tmp_path / "toploop").symlink_to("toploop")
    files, empty, skipped = list_files([corpus, tmp_path / "toploop", "/dev/zero"])
    reasons = {Path(s.source).name: s.reason for s in skipped}
    assert reasons["fifo.txt"] == "not a regular file (a FIFO)"
    assert reasons["zero"] == "not a regular file (a character device)"
    assert reasons["zero.txt"].startswith("symbolic link outside the corpus folder")
    assert reasons["outside.txt"].startswith("symbolic link outside the corpus folder")
    assert reasons["loop1"] == reasons["loop2"] == reasons["toploop"] == "symbolic link loop"
    assert sorted(p.name for p in files) == sorted(p.name for p in EXAMPLE.iterdir())
    assert empty == []
    followed, _, skipped_followed = list_files([corpus], follow_links=True)
    assert "outside.txt" in {p.name for p in followed}
    assert "zero.txt" in {Path(s.source).name for s in skipped_followed}  # followed: still not a regular file
    # the whole build, in a process of its own (a FIFO read would hang it)
    proc = run_lipyantar(["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "1"], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert_clean_stderr(proc.stderr, 0)
    written = [line for line in (tmp_path / "out" / "skipped.jsonl").read_text().splitlines() if line]
    assert len(written) == 5
    tally.record("survived")


def test_undecodable_file_names_are_escaped(tmp_path: Path, tally: Tally) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "deva.txt").write_bytes((EXAMPLE / "000_fe791b896c794821.txt").read_bytes())
    roman = os.fsdecode(b"r\xff\xfe.txt")
    (corpus / roman).write_bytes((EXAMPLE / "001_f4f5b2cec3eb8c3f.txt").read_bytes())
    result = load_corpus([corpus])
    assert {d.source.rsplit("/", 1)[-1] for d in result.documents} == {"deva.txt", "r\\xff\\xfe.txt"}
    proc = run_lipyantar(["-q", "build", "corpus", "-o", "out", "--no-model", "-j", "2"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    records = (tmp_path / "out" / "parallel.jsonl").read_bytes()
    records.decode("utf-8")  # valid UTF-8 throughout
    assert b"r\\\\xff\\\\xfe.txt" in records
    detect = run_lipyantar(["detect", "corpus", "--format", "jsonl"], cwd=tmp_path)
    assert detect.returncode == 0
    detect.stdout.decode("utf-8")
    assert b"\xff" not in detect.stdout
    tally.record("survived")


def test_read_bytes_refuses_special_files_directly() -> None:
    from lipyantar.corpora.loading import read_bytes

    with pytest.raises(InputError, match="not a regular file"):
        read_bytes("/dev/zero")


def test_handle_termination_respects_ignored_signals() -> None:
    """Under ``nohup`` SIGHUP is ignored: it stays ignored; SIGTERM gets the handler, then is restored."""
    from lipyantar.translit.signals import handle_termination

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with handle_termination():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)
