"""Robustness suite: long inputs, round two (issue 28, "Long inputs: memory and time").

Each case runs the real command line in a fresh process (``fault_driver.py``, no fault injected) under
a memory cap (``RLIMIT_AS`` of 1 GiB, so that a regression fails here instead of taking the machine
down) and a generous timeout (a hang fails the test), and checks the exit status, a clean stderr, the
result, the inputs unchanged, and the process's peak resident memory (``os.wait4``) against the issue's
bar:

* ``evaluate --hyp --ref`` on one line of 20,000 words each (≤ 500 MB; it took more than 4 GB) and on
  one 200,000-character token each (≤ 400 MB; it took 39.6 s);
* ``evaluate --beads`` and ``stats --parallel`` on a line of 100,000 nested ``[`` or ``{"a":`` (a clean
  error; it was RecursionError, an internal error);
* ``convert -f deva -t roman`` on one 400,000-character token, best and top-k (≤ 400 MB; it took 2.5 GB),
  on a consonant with 400,000 nuktas (a unit longer than any piece), and ``-f roman -t deva`` on a
  400,000-character Latin token (kept as it is).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import DRIVER, Tally, assert_clean_stderr

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

#: the address-space cap of every run (the model file and the vocabulary are memory-mapped: 50 MB)
CAP = 1 << 30
MB = 1 << 20
#: generous: the slowest case takes about 5 s with the compiled kernels (30 s without)
TIMEOUT = 180.0

CONSONANTS = "कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह"
SIGNS = "ािीुूेैोौं"


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: bytes
    peak_rss: int  # bytes


#: A small launcher (a fresh interpreter of a few MB) that caps its address space, runs the command as
#: its child and writes the child's peak resident memory (``os.wait4``) to the file given first. Linux
#: records an exec'd process's previous peak as its own: a process forked from this test session (tens
#: or hundreds of MB by then) would report the session's peak, not the command's.
LAUNCHER = """
import os, resource, signal, sys
rss_path, cap, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
_, status, usage = os.wait4(pid, 0)
with open(rss_path, "w") as f:
    f.write(str(usage.ru_maxrss * 1024))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run_capped(args: list[str], *, cwd: Path, timeout: float = TIMEOUT) -> Run:
    """``lipyantar ARGS`` in a new process under the memory cap; its peak resident memory from
    ``wait4`` in a small launcher process (that process's own, not this test session's)."""
    out_path, err_path, rss_path = cwd / ".run.stdout", cwd / ".run.stderr", cwd / ".run.rss"
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    command = [sys.executable, "-c", LAUNCHER, str(rss_path), str(CAP), sys.executable, str(DRIVER), "--", *args]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # the launcher kills the command
        proc.wait()
        pytest.fail(f"lipyantar {' '.join(args)} did not end within {timeout:.0f} s")
    stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
    peak_rss = int(rss_path.read_text())
    for path in (out_path, err_path, rss_path):
        path.unlink()
    return Run(proc.returncode, stdout, stderr, peak_rss)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deva_token(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(SIGNS) for _ in range(syllables))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The long inputs, written once, with the figures their scores must show."""
    base = tmp_path_factory.mktemp("long")
    rng = random.Random(28)
    # one line of 20,000 Devanagari words; the hypothesis has every tenth replaced by as many q's, which
    # appear nowhere in the reference: every optimal alignment substitutes exactly those words, and
    # their letters are exactly the character edits (a lower bound that the diagonal reaches)
    ref_words = [deva_token(rng, rng.randint(1, 4)) for _ in range(20_000)]
    hyp_words = ["q" * len(w) if k % 10 == 9 else w for k, w in enumerate(ref_words)]
    (base / "ref-words.txt").write_text(" ".join(ref_words) + "\n", encoding="utf-8")
    (base / "hyp-words.txt").write_text(" ".join(hyp_words) + "\n", encoding="utf-8")
    # one 200,000-character token each; every 100th character of the hypothesis a q
    token = deva_token(rng, 100_000)
    hyp_token = "".join("q" if k % 100 == 99 else ch for k, ch in enumerate(token))
    (base / "ref-token.txt").write_text(token + "\n", encoding="utf-8")
    (base / "hyp-token.txt").write_text(hyp_token + "\n", encoding="utf-8")
    # beads, and lines nested too deeply for the JSON parser
    (base / "gold.jsonl").write_text('{"deva": [0], "roman": [0]}\n', encoding="utf-8")
    (base / "nested-lists.jsonl").write_text("[" * 100_000 + "\n", encoding="utf-8")
    (base / "nested-objects.jsonl").write_text('{"a": ' * 100_000 + "\n", encoding="utf-8")
    (base / "nested-words.jsonl").write_text(
        '{"deva": [0], "roman": [0], "deva_text": "", "roman_text": "", "score": 0.5, "words": '
        + "[" * 100_000
        + "\n",
        encoding="utf-8",
    )
    # convert: 400,000 characters in one token
    (base / "deva-token.txt").write_text(deva_token(rng, 200_000) + "\n", encoding="utf-8")
    (base / "nuktas.txt").write_text("क" + "\u093c" * 400_000 + "\n", encoding="utf-8")
    latin = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(400_000))
    (base / "latin-token.txt").write_text(latin + "\n", encoding="utf-8")
    return {
        "dir": base,
        "substituted_chars": sum(len(w) for k, w in enumerate(ref_words) if k % 10 == 9),
        "latin": latin,
    }


def _evaluate(inputs: dict[str, object], hyp: str, ref: str) -> tuple[Run, dict[str, dict[str, int]]]:
    base = inputs["dir"]
    assert isinstance(base, Path)
    before = {name: digest(base / name) for name in (hyp, ref)}
    run = run_capped(["evaluate", "--hyp", hyp, "--ref", ref], cwd=base)
    assert_clean_stderr(run.stderr, run.returncode)
    assert run.returncode == 0, run.stderr.decode()
    assert {name: digest(base / name) for name in (hyp, ref)} == before
    return run, json.loads(run.stdout)


def test_evaluate_one_line_of_20000_words(inputs: dict[str, object], tally: Tally) -> None:
    """It needed more than 4 GB (the full table of the word alignment); the bar is 500 MB."""
    run, scores = _evaluate(inputs, "hyp-words.txt", "ref-words.txt")
    tally.record_exit(run.returncode)
    wer, cer = scores["wer"], scores["cer"]
    assert (wer["hits"], wer["substitutions"], wer["deletions"], wer["insertions"]) == (18_000, 2_000, 0, 0)
    assert cer["char_errors"] == inputs["substituted_chars"]
    assert run.peak_rss <= 500 * MB, f"peak RSS {run.peak_rss / MB:.0f} MB"


def test_evaluate_one_token_of_200000_characters(inputs: dict[str, object], tally: Tally) -> None:
    """It took 39.6 s (a quadratic character alignment); the bar is 400 MB."""
    run, scores = _evaluate(inputs, "hyp-token.txt", "ref-token.txt")
    tally.record_exit(run.returncode)
    assert scores["wer"]["substitutions"] == 1
    assert scores["cer"]["ref_chars"] == 200_000
    assert scores["cer"]["char_errors"] == 2_000
    assert run.peak_rss <= 400 * MB, f"peak RSS {run.peak_rss / MB:.0f} MB"


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (["evaluate", "--beads", "gold.jsonl", "--hyp", "nested-lists.jsonl"], "nested-lists.jsonl"),
        (["evaluate", "--beads", "nested-lists.jsonl", "--hyp", "gold.jsonl"], "nested-lists.jsonl"),
        (["evaluate", "--beads", "gold.jsonl", "--hyp", "nested-objects.jsonl"], "nested-objects.jsonl"),
        (["stats", "--parallel", "nested-objects.jsonl"], "nested-objects.jsonl"),
        (["stats", "--parallel", "nested-words.jsonl"], "nested-words.jsonl"),
    ],
)
def test_deeply_nested_json_lines_are_clean_errors(
    inputs: dict[str, object], tally: Tally, args: list[str], bad: str
) -> None:
    """A line of 100,000 nested brackets was a RecursionError (exit 70, an internal error)."""
    base = inputs["dir"]
    assert isinstance(base, Path)
    run = run_capped(args, cwd=base, timeout=60)
    assert_clean_stderr(run.stderr, run.returncode)
    assert run.returncode == 1
    assert f"{bad}, line 1: invalid JSON" in run.stderr.decode() and "nested too deeply" in run.stderr.decode()
    assert not run.stdout
    tally.record_exit(run.returncode)


def _convert(inputs: dict[str, object], args: list[str]) -> tuple[Run, str]:
    base = inputs["dir"]
    assert isinstance(base, Path)
    run = run_capped(["convert", "-j", "1", "--no-progress", *args], cwd=base)
    assert_clean_stderr(run.stderr, run.returncode)
    assert run.returncode == 0, run.stderr.decode()
    assert run.peak_rss <= 400 * MB, f"peak RSS {run.peak_rss / MB:.0f} MB"
    return run, run.stdout.decode("utf-8")


@pytest.mark.parametrize("source", ["deva-token.txt", "nuktas.txt"])
def test_convert_a_400000_character_devanagari_token_to_roman(
    inputs: dict[str, object], tally: Tally, source: str
) -> None:
    """It took 24 s and 2.5 GB (the graphone search over the whole token); now in pieces. A consonant with
    400,000 nuktas is one unit (no piece can cut it) and took minutes (quadratic units)."""
    run, out = _convert(inputs, ["-f", "deva", "-t", "roman", source])
    tally.record_exit(run.returncode)
    (line,) = out.splitlines()
    assert line.isascii() and line.isalpha()
    if source == "deva-token.txt":
        assert len(line) > 200_000  # 200,000 syllables, each a consonant at least


def test_convert_a_400000_character_devanagari_token_top_k(inputs: dict[str, object], tally: Tally) -> None:
    run, out = _convert(inputs, ["-f", "deva", "-t", "roman", "--top-k", "5", "--format", "jsonl", "deva-token.txt"])
    tally.record_exit(run.returncode)
    (line,) = out.splitlines()
    (candidate,) = json.loads(line)["candidates"]  # a token this long has one candidate
    assert len(candidate["text"]) > 200_000 and candidate["text"].isascii()


@pytest.mark.parametrize("top_k", ["1", "5"])
def test_convert_a_400000_character_latin_token_to_deva(inputs: dict[str, object], tally: Tally, top_k: str) -> None:
    """A Latin token longer than MAX_WORD_CHARS is not a word: kept as it is, in linear time."""
    run, out = _convert(inputs, ["-f", "roman", "-t", "deva", "--top-k", top_k, "--format", "jsonl", "latin-token.txt"])
    tally.record_exit(run.returncode)
    (line,) = out.splitlines()
    texts = [c["text"] for c in json.loads(line)["candidates"]]
    assert texts[0] == inputs["latin"]
