"""Robustness suite, input half: fuzzing and malformed inputs (issue 15).

Every case checks what a careful user would: the exit status (or, in Python, that only a
``LipyantarError`` is raised), a one-line error without a traceback, the input byte-identical
afterwards, and no output (nor temporary file) left behind by a failed run. Each case is counted as
*tried*, and as a *clean error* or as *survived* (ran and gave a well-formed result); anything else
fails the test. The counts are printed at the end of the module (``-rA`` not needed: the terminal
summary shows them) so that the issue's note can quote them.

Sizes are bounded (hypothesis ``max_examples``, ``deadline=None``) to keep this file well under two
minutes on a shared CI machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lipyantar.cli import main
from lipyantar.translit import SCHEMES, Transliterator, normalize, transliterate
from lipyantar.translit.errors import InputError, LipyantarError, ModelError
from lipyantar.translit.learned import model as model_module
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned import search as search_module
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.transliterate import MAX_TOP_K, MAX_WORD_CHARS

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "corpora" / "example"
HINDI = "यह संगठन अंतरराष्ट्रीय संस्था है।\nक़लम और ख़त।\n"
ROMAN = "yah sangathan antarrashtriya sanstha hai.\nqalam aur khat.\n"

#: tried / clean errors / survived, over the whole module
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    line = (
        f"robustness (inputs): {TALLY['tried']} cases tried, {TALLY['clean error']} clean errors, "
        f"{TALLY['survived']} survived"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # past pytest's output capture, to the terminal
            reporter.write_line("")
            reporter.write_line(line)
    out = os.environ.get("LIPYANTAR_ROBUSTNESS_TALLY")
    if out:  # for the note on the issue: the counts as JSON
        Path(out).write_text(json.dumps(dict(TALLY)) + "\n", encoding="utf-8")


def tally(outcome: str) -> None:
    assert outcome in ("clean error", "survived")
    TALLY["tried"] += 1
    TALLY[outcome] += 1


# ------------------------------------------------------------------------------------------ helpers


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    """Files in ``directory`` other than ``keep`` (temporary files, partial outputs)."""
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def invoke(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=True)


def check_cli(
    result: Result, *, ok_codes: tuple[int, ...] = (0,), error_codes: tuple[int, ...] = (1, 2)
) -> str:
    """The outcome of a CLI run, failing the test unless it exited on purpose: status 0 (survived) or a
    clean error (status 1/2, one line on stderr starting with ``lipyantar: error:`` or click's usage
    message, no traceback)."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"escaped: {exc!r}\n{result.output}"
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    if result.exit_code in ok_codes:
        return "survived"
    assert result.exit_code in error_codes, (result.exit_code, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if result.exit_code == 2 and any(line.startswith("Usage:") for line in lines):
        assert any(line.startswith("Error:") for line in lines), result.stderr  # click's usage error
    else:
        assert len(lines) == 1 and lines[0].startswith("lipyantar: error: "), result.stderr
    return "clean error"


# ------------------------------------------------------------------ API: random Unicode, every pair

ALL_SCHEMES = list(SCHEMES)
_converters: dict[tuple[str, str], Transliterator | LipyantarError] = {}


def converter(src: str, dst: str) -> Transliterator | LipyantarError:
    key = (src, dst)
    if key not in _converters:
        try:
            _converters[key] = Transliterator(src, dst)
        except LipyantarError as exc:  # e.g. from the one-way roman-rules
            _converters[key] = exc
    return _converters[key]


hindiish = st.text(
    alphabet=st.one_of(
        st.characters(),  # the full range, any category, lone surrogates included
        st.sampled_from([chr(c) for c in range(0x0900, 0x0980)]),
        st.sampled_from(list("abcdefghijklmnopqrstuvwxyz .,?!|\n\r\t1234567890{}:^~'\"-")),
    ),
    max_size=60,
)


@settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=st.sampled_from(ALL_SCHEMES), dst=st.sampled_from(ALL_SCHEMES), text=hindiish)
def test_api_random_unicode_every_scheme_pair(src: str, dst: str, text: str) -> None:
    conv = converter(src, dst)
    if isinstance(conv, LipyantarError):
        tally("clean error")
        return
    out = conv.transliterate(text)
    assert isinstance(out, str)
    assert out.count("\n") == normalize(text).count("\n"), "a line break was lost or made up"
    many = conv.transliterate_many([text, text])
    assert many == [out, out]
    cands = conv.candidates(text, top_k=3)
    assert 1 <= len(cands) <= 3 and all(c.score <= 0 for c in cands)
    tally("survived")


def test_api_every_scheme_pair_is_tried() -> None:
    """The 11 × 11 pairs, each on one fixed messy line (hypothesis above picks pairs at random)."""
    line = "क़लम\u200d|| naam ॐ 1952 https://x.in a@b.in ऩ ऱ ळ ऴ य़ \U0001f600 \x00 \ufeff ḷ ṃ {}"
    for src in ALL_SCHEMES:
        for dst in ALL_SCHEMES:
            conv = converter(src, dst)
            if isinstance(conv, LipyantarError):
                tally("clean error")
                continue
            assert isinstance(conv(line), str)
            tally("survived")


# ---------------------------------------------------------------- CLI: random bytes and Unicode


def _records(text: str) -> int:
    """How many lines ``convert`` reads in ``text`` (LF, CRLF and CR end a line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


@settings(max_examples=150, deadline=None)
@given(
    src=st.sampled_from(ALL_SCHEMES),
    dst=st.sampled_from(ALL_SCHEMES),
    data=st.one_of(st.binary(max_size=200), hindiish.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    fmt=st.sampled_from(["text", "tsv", "jsonl"]),
)
def test_cli_convert_random_input(
    tmp_path_factory: pytest.TempPathFactory, src: str, dst: str, data: bytes, fmt: str
) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    src_file = work / "in.txt"
    src_file.write_bytes(data)
    before = digest(src_file)
    out = work / "out.txt"
    result = invoke(
        "convert", "-f", src, "-t", dst, "--format", fmt, "-j", "1", str(src_file), "-o", str(out)
    )
    outcome = check_cli(result)
    assert digest(src_file) == before
    if outcome == "survived":
        written = out.read_text(encoding="utf-8")
        lines = written.split("\n")[:-1] if written else []
        try:
            expected: int | None = _records(data.decode("utf-8-sig"))
        except UnicodeDecodeError:  # UTF-16/32 with a BOM
            expected = None
        if expected is not None:
            assert len(lines) == expected  # one record per input line: the output is complete
        if fmt == "jsonl":
            assert all("candidates" in json.loads(line) for line in lines)
        assert leftovers(work, {"in.txt", "out.txt"}) == []
    else:
        assert leftovers(work, {"in.txt"}) == [], "a failed run left output behind"
    tally(outcome)


def test_cli_convert_every_scheme_pair(tmp_path: Path) -> None:
    """``convert`` from and to every scheme (11 × 11) on one messy file: random full-range Unicode,
    Devanagari, Latin, control characters; a clean error (from the one-way roman-rules) or one output
    line per input line, the input untouched."""
    rng = random.Random(15)
    pool = [chr(c) for c in range(0x0900, 0x0980)] + list("abcdefghij .,|{}:^~\t")
    lines = [
        "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(40)).replace("\r", " ").replace("\n", " "),
        "".join(rng.choice(pool) for _ in range(60)),
        HINDI.splitlines()[0],
        ROMAN.splitlines()[0],
        "\x01\x02\x7f \u2028 \u0085 \ufeff ऩ ऱ ळ ऴ य़ ॐ ओं",
    ]
    src_file = tmp_path / "in.txt"
    src_file.write_text(
        "\n".join(line for line in lines if not any(0xD800 <= ord(c) < 0xE000 for c in line)) + "\n",
        encoding="utf-8",
    )
    before = digest(src_file)
    expected = _records(src_file.read_text(encoding="utf-8"))
    for src in ALL_SCHEMES:
        for dst in ALL_SCHEMES:
            out = tmp_path / "out.txt"
            result = invoke("convert", "-f", src, "-t", dst, "-j", "1", str(src_file), "-o", str(out))
            outcome = check_cli(result)
            if outcome == "survived":
                assert out.read_text(encoding="utf-8").count("\n") == expected, (src, dst)
                out.unlink()
            else:
                assert src == "roman-rules" and not out.exists()
            assert digest(src_file) == before
            assert leftovers(tmp_path, {"in.txt"}) == []
            tally(outcome)


# ------------------------------------------------------------------------------- malformed files


def _huge_line() -> bytes:
    return ("नमस्ते दुनिया " * 60_000).encode("utf-8") + b"\n"  # one 2.4 MB line


#: name -> (bytes, expected: "ok" with the text it must read as, or an error message fragment)
MALFORMED: dict[str, tuple[bytes, str]] = {
    "utf-8": (HINDI.encode("utf-8"), "ok"),
    "utf-8 with BOM": (b"\xef\xbb\xbf" + HINDI.encode("utf-8"), "ok"),
    "two BOMs": (b"\xef\xbb\xbf\xef\xbb\xbf" + HINDI.encode("utf-8"), "ok"),
    "utf-16le with BOM": (b"\xff\xfe" + HINDI.encode("utf-16-le"), "ok"),
    "utf-16be with BOM": (b"\xfe\xff" + HINDI.encode("utf-16-be"), "ok"),
    "utf-32le with BOM": (b"\xff\xfe\x00\x00" + HINDI.encode("utf-32-le"), "ok"),
    "utf-32be with BOM": (b"\x00\x00\xfe\xff" + HINDI.encode("utf-32-be"), "ok"),
    "CR line ends": (HINDI.replace("\n", "\r").encode("utf-8"), "ok"),
    "CRLF line ends": (HINDI.replace("\n", "\r\n").encode("utf-8"), "ok"),
    "no final newline": (HINDI.rstrip("\n").encode("utf-8"), "ok"),
    "huge line": (_huge_line(), "ok"),
    "utf-16le without BOM": (HINDI.encode("utf-16-le"), "looks like UTF-16 without a byte-order mark"),
    "utf-16be without BOM": (HINDI.encode("utf-16-be"), "looks like UTF-16 without a byte-order mark"),
    "utf-16le without BOM, no space": ("नमस्तेदुनिया".encode("utf-16-le"), "looks like UTF-16 without"),
    "utf-16le without BOM, English": (
        b"The house is big.\n".decode().encode("utf-16-le"),
        "looks like UTF-16",
    ),
    "utf-32le without BOM": (HINDI.encode("utf-32-le"), "looks like UTF-32 without a byte-order mark"),
    "utf-32be without BOM": (HINDI.encode("utf-32-be"), "looks like UTF-32 without a byte-order mark"),
    "utf-16 BOM, odd length": (b"\xff\xfe" + HINDI.encode("utf-16-le") + b"\x41", "invalid UTF-16LE"),
    "utf-16 BOM, lone surrogate": (
        b"\xff\xfe" + "क".encode("utf-16-le") + b"\x00\xd8\n\x00",
        "invalid UTF-16LE",
    ),
    "truncated utf-8": (HINDI.encode("utf-8")[:-3] + HINDI.encode("utf-8")[-3:-2], "invalid UTF-8"),
    "truncated utf-8 mid-file": (HINDI.encode("utf-8")[:5] + b"\n" + HINDI.encode("utf-8"), "invalid UTF-8"),
    "overlong utf-8": (b"abc\xc0\xaf\n", "invalid UTF-8"),
    "encoded surrogate": (b"abc\xed\xa0\x80\n", "invalid UTF-8"),
    "latin-1": ("café naïve\n".encode("latin-1"), "invalid UTF-8"),
    "NUL in text": (HINDI.encode("utf-8") + b"ab\x00cd\n", "NUL byte"),
    "binary": (bytes(range(256)) * 4, "NUL byte"),
}


@pytest.fixture(scope="module")
def malformed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("malformed")
    for k, (data, _) in enumerate(MALFORMED.values()):
        (directory / f"{k:02d}.txt").write_bytes(data)
    return directory


def _case_file(malformed_dir: Path, name: str) -> Path:
    return malformed_dir / f"{list(MALFORMED).index(name):02d}.txt"


def _expect(result: Result, expected: str, path: Path) -> str:
    outcome = check_cli(result)
    if expected == "ok":
        assert outcome == "survived", result.stderr
    else:
        assert outcome == "clean error", f"{path.name}: expected {expected!r}, got exit 0"
        assert expected in result.stderr and str(path) in result.stderr, result.stderr
    return outcome


@pytest.mark.parametrize("name", list(MALFORMED))
@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_convert_malformed_file(malformed_dir: Path, tmp_path: Path, name: str, errors: str) -> None:
    data, expected = MALFORMED[name]
    path = _case_file(malformed_dir, name)
    before = digest(path)
    out = tmp_path / "out.txt"
    result = invoke("convert", "-f", "deva", "-t", "iast", "--errors", errors, str(path), "-o", str(out))
    if errors == "replace" and expected != "ok" and "looks like" not in expected:
        expected = "ok"  # undecodable bytes and NUL become U+FFFD; UTF-16/32 without BOM stays an error
    tally(_expect(result, expected, path))
    assert digest(path) == before
    if expected == "ok":
        wide = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00"))
        if errors == "strict" and not wide:  # the same text as the UTF-8 reading of the bytes
            text = data.decode("utf-8-sig")
            assert out.read_text(encoding="utf-8") == "".join(
                transliterate(line, "deva", "iast") + "\n" for line in normalize(text).splitlines()
            )
        if name.endswith("with BOM") and "utf-8" not in name:  # UTF-16/32 read as the same text
            assert out.read_text(encoding="utf-8") == "".join(
                transliterate(line, "deva", "iast") + "\n" for line in HINDI.splitlines()
            )
    else:
        assert not out.exists() and leftovers(tmp_path, set()) == []


@pytest.mark.parametrize("name", [n for n in MALFORMED if n != "huge line"])
def test_convert_malformed_stdin(malformed_dir: Path, name: str) -> None:
    data, expected = MALFORMED[name]
    result = invoke("convert", "-f", "deva", "-t", "iast", input=data)
    outcome = check_cli(result)
    assert outcome == ("survived" if expected == "ok" else "clean error"), result.stderr
    if expected != "ok":
        assert expected in result.stderr and "<stdin>" in result.stderr
        assert result.stdout == ""  # nothing written before the error
    tally(outcome)


@pytest.mark.parametrize("name", [n for n in MALFORMED if n != "huge line"])
def test_align_malformed_file(malformed_dir: Path, tmp_path: Path, name: str) -> None:
    _, expected = MALFORMED[name]
    path = _case_file(malformed_dir, name)
    roman = tmp_path / "roman.txt"
    roman.write_text(ROMAN, encoding="utf-8")
    before = digest(path)
    out = tmp_path / "aligned.tsv"
    result = invoke("align", str(path), str(roman), "-o", str(out))
    outcome = check_cli(result)
    if expected == "ok":
        assert outcome == "survived", result.stderr
        assert out.read_text(encoding="utf-8").count("\n") >= 2
    else:
        assert outcome == "clean error" and expected in result.stderr and str(path) in result.stderr
        assert leftovers(tmp_path, {"roman.txt"}) == []
    assert digest(path) == before
    tally(outcome)


@pytest.mark.parametrize("name", [n for n, (_, e) in MALFORMED.items() if e != "ok"])
def test_learn_malformed_pairs_file(malformed_dir: Path, tmp_path: Path, name: str) -> None:
    _, expected = MALFORMED[name]
    path = _case_file(malformed_dir, name)
    out = tmp_path / "m.lpm"
    result = invoke("learn", "--base", "none", str(path), "-o", str(out))
    outcome = check_cli(result)
    assert outcome == "clean error" and expected in result.stderr and str(path) in result.stderr
    assert leftovers(tmp_path, set()) == []
    tally(outcome)


def test_learn_reads_pairs_in_utf16_with_bom(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_bytes("# a comment\r\nकमल\tkamal\r\nनमक\tnamak\t2\r\n".encode("utf-16"))
    from lipyantar.translit.learned.learn import read_pairs

    assert read_pairs(pairs) == [("कमल", "kamal", 1.0), ("नमक", "namak", 2.0)]
    tally("survived")


def test_build_skips_malformed_files_with_their_reason(malformed_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in malformed_dir.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    for path in EXAMPLE.glob("00[01]_*.txt"):  # one twin pair, so that there is something to build
        (corpus / path.name).write_bytes(path.read_bytes())
    before = {p.name: digest(p) for p in corpus.iterdir()}
    out = tmp_path / "out"
    result = invoke("-q", "build", str(corpus), "-o", str(out), "--no-model", "--no-progress", "-j", "1")
    assert check_cli(result) == "survived", result.stderr
    skipped = {
        Path(row["source"]).name: row["reason"]
        for row in map(json.loads, (out / "skipped.jsonl").read_text(encoding="utf-8").splitlines())
    }
    for name, (_, expected) in MALFORMED.items():
        file = _case_file(malformed_dir, name).name
        if expected.startswith("looks like"):
            assert "without a byte-order mark" in skipped[file], (name, skipped.get(file))
        elif expected != "ok":
            assert file in skipped, name
        tally("clean error" if file in skipped else "survived")
    assert {p.name: digest(p) for p in corpus.iterdir()} == before


# ---------------------------------------------------------------------------- mutated model files

SYLLABLES = {
    "क": "ka",
    "का": "kaa",
    "कि": "ki",
    "म": "ma",
    "मा": "maa",
    "न": "na",
    "ना": "naa",
    "ल": "la",
    "र": "ra",
}


@pytest.fixture(scope="module")
def tiny_model_bytes() -> bytes:
    rng = random.Random(3)
    keys = sorted(SYLLABLES)
    pairs = {}
    while len(pairs) < 150:
        syl = [rng.choice(keys) for _ in range(rng.randint(2, 4))]
        pairs["".join(syl)] = "".join(SYLLABLES[s] for s in syl)
    model = train(
        [(d, r, 1.0) for d, r in sorted(pairs.items())], native_text=["कमल नमक"], order=3, noise_fraction=0.0
    )
    return model.to_bytes()


def _split(data: bytes) -> tuple[dict[str, object], dict[str, array]]:
    return modelfile.read_arrays(data)


def _repack(header: dict[str, object], arrays: dict[str, array], *, version: int = 2) -> bytes:
    """A model file around ``arrays`` with *valid* checksums (what the loader must not trust)."""
    if version == 1:
        return modelfile.v1_file_bytes(modelfile.pack_arrays(arrays), header["meta"])  # type: ignore[arg-type]
    return modelfile.model_file_bytes(arrays, header["meta"])  # type: ignore[arg-type]


_ODD_VALUES: list[object] = [
    None,
    -1,
    0,
    10**12,
    -(10**12),
    1.5,
    float("nan"),
    "x",
    "",
    [],
    {},
    [1, 2],
    ["a"],
    True,
]


def mutants(data: bytes, seed: int, count: int, *, version: int = 2) -> Iterator[tuple[str, bytes]]:
    """``count`` model files (of format ``version``) that differ from ``data`` in one table entry or one
    array (type, length, or a value), each with valid checksums."""
    rng = random.Random(seed)
    header, arrays = _split(data)
    tables = json.loads(arrays["tables"].tobytes())
    paths: list[tuple[object, ...]] = []

    def walk(value: object, path: tuple[object, ...]) -> None:
        paths.append(path)
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value[:3]):
                walk(v, (*path, i))

    walk(tables, ())
    names = [n for n in arrays if n != "tables"]
    for _ in range(count):
        changed = dict(arrays)
        if rng.random() < 0.5:
            copy = json.loads(json.dumps(tables))
            path = rng.choice(paths[1:])
            parent = copy
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and rng.random() < 0.2:
                del parent[path[-1]]
            else:
                parent[path[-1]] = rng.choice(_ODD_VALUES)
            changed["tables"] = array("B", json.dumps(copy).encode("utf-8"))
            what = f"table {'/'.join(map(str, path))}"
        else:
            name = rng.choice(names)
            arr = array(arrays[name].typecode, arrays[name])
            r = rng.random()
            if r < 0.3 and len(arr):
                arr = arr[: rng.randrange(len(arr))]
            elif r < 0.4:
                arr = array("d", arr.tolist()) if arr.typecode != "d" else array("i", [0] * len(arr))
            elif len(arr):
                j = rng.randrange(len(arr))
                if arr.typecode in "fd":
                    arr[j] = rng.choice([float("nan"), float("inf"), 1e30, -1e30, 5.0])
                else:
                    big = 2**31 - 1 if arr.itemsize == 4 else 2**62
                    arr[j] = rng.choice([-1, -2, big, 0, len(arr), 7]) if arr.typecode not in "BH" else 255
            changed[name] = arr
            what = f"array {name}"
        yield what, _repack(header, changed, version=version)


def use(model: LearnedModel) -> None:
    model.devanagarize("kamal")
    model.devanagarize_topk("namaa", 5)
    model.devanagarize_sentences([["kamal", "naam", "x"]])
    model.romanize("कमल")
    model.romanize_topk("नमक", 3)
    model.romanize("ख़ज़ाना")


@pytest.mark.parametrize("version", [1, 2])
def test_mutated_model_files_fail_cleanly_naming_the_file(tiny_model_bytes: bytes, tmp_path: Path, version: int) -> None:
    """A version 1 file is checked as it loads; a version 2 file section by section, as each is first
    used: either way a ModelError naming the file, or a model that works."""
    outcomes: Counter[str] = Counter()
    for k, (what, blob) in enumerate(mutants(tiny_model_bytes, seed=15, count=400, version=version)):
        path = tmp_path / f"mutant{k}.lpm"
        path.write_bytes(blob)
        try:
            model = LearnedModel.load(path)
            use(model)  # what loads must work: any other exception fails the test
        except ModelError as exc:
            assert str(path) in str(exc), (what, str(exc))
            outcomes["clean error"] += 1
            tally("clean error")
            continue
        outcomes["survived"] += 1
        tally("survived")
    assert outcomes["clean error"] >= 100 and outcomes["survived"] >= 50, outcomes


def test_mutated_model_files_on_the_command_line(tiny_model_bytes: bytes, tmp_path: Path) -> None:
    text = tmp_path / "in.txt"
    text.write_text("kamal naam\n", encoding="utf-8")
    for k, (_, blob) in enumerate(mutants(tiny_model_bytes, seed=16, count=25)):
        path = tmp_path / f"mutant{k}.lpm"
        path.write_bytes(blob)
        result = invoke("convert", "-f", "roman", "-t", "deva", "--model", str(path), str(text))
        outcome = check_cli(result)
        if outcome == "clean error":
            assert str(path) in result.stderr
        tally(outcome)


def test_a_model_that_inflates_too_far_is_refused_before_inflating(
    tiny_model_bytes: bytes, tmp_path: Path
) -> None:
    header, _ = _split(tiny_model_bytes)
    squeeze = zlib.compressobj(9)
    zeros = b"\x00" * (1 << 20)
    # 160 MiB of zeros in ~160 KB: past the 64 MiB that a file without a stated size may inflate to
    bomb = b"".join(squeeze.compress(zeros) for _ in range(160)) + squeeze.flush()
    for stated in (True, False):
        data = modelfile.v1_file_bytes(bomb, header["meta"], raw_bytes=1000)  # type: ignore[arg-type]
        if not stated:  # a file of an older writer, without the size in its header: 32x, 64 MiB at least
            head_end = data.index(b"\n", len(model_module.MAGIC))
            head = json.loads(data[len(model_module.MAGIC) : head_end])
            del head["raw_bytes"]
            data = model_module.MAGIC + json.dumps(head).encode() + data[head_end:]
        path = tmp_path / "bomb.lpm"
        path.write_bytes(data)
        # refused before inflating: by the size stated, or (issue 28) by its index, read first
        with pytest.raises(ModelError, match=r"inflates past|payload index is not JSON") as info:
            LearnedModel.load(path)
        assert str(path) in str(info.value)
        tally("clean error")


def test_build_with_a_corrupt_base_model_fails_at_the_start(tmp_path: Path, tiny_model_bytes: bytes) -> None:
    corrupt = tmp_path / "corrupt.lpm"
    corrupt.write_bytes(tiny_model_bytes[: len(tiny_model_bytes) // 2])
    inconsistent = tmp_path / "inconsistent.lpm"
    header, arrays = _split(tiny_model_bytes)
    arrays["wordlm.backoff"] = array("i", [-1] * len(arrays["wordlm.backoff"]))
    inconsistent.write_bytes(_repack(header, arrays))
    for base in (corrupt, inconsistent):
        out = tmp_path / "out"
        result = invoke(
            "-q", "build", str(EXAMPLE), "-o", str(out), "--base-model", str(base), "--no-progress", "-j", "1"
        )
        assert check_cli(result) == "clean error"
        assert str(base) in result.stderr
        assert not out.exists() and leftovers(tmp_path, {"corrupt.lpm", "inconsistent.lpm"}) == []
        tally("clean error")


# --------------------------------------------------------------------------------- documented limits


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1", True),
        (str(MAX_TOP_K), True),
        (str(MAX_TOP_K + 1), False),
        ("100000", False),
        (str(10**30), False),
        ("0", False),
        ("-3", False),
    ],
)
def test_top_k_is_bounded_at_the_option(value: str, ok: bool) -> None:
    result = invoke(
        "convert",
        "-f",
        "deva",
        "-t",
        "roman-rules",
        "--format",
        "jsonl",
        "--top-k",
        value,
        input="नमस्ते\n".encode(),
    )
    outcome = check_cli(result)
    assert outcome == ("survived" if ok else "clean error")
    if not ok:
        assert result.exit_code == 2 and "--top-k" in result.stderr
    tally(outcome)


def test_top_k_is_bounded_in_the_api() -> None:
    conv = Transliterator("deva", "iast")
    assert len(conv.candidates("नमस्ते", top_k=MAX_TOP_K)) == 1
    for bad in (0, MAX_TOP_K + 1, 10**30):
        with pytest.raises(ValueError, match=str(MAX_TOP_K)):
            conv.candidates("नमस्ते", top_k=bad)
        tally("clean error")


def test_long_latin_tokens_at_the_limit() -> None:
    conv = Transliterator("roman", "deva")
    word = ("kamalnayan" * 10)[:MAX_WORD_CHARS]
    at_limit = conv(word)
    assert at_limit != word and not any("a" <= ch <= "z" for ch in at_limit)  # decoded as a word
    over = word + "a"
    assert conv(over) == over  # one character more: not a word, kept as it is
    line = f"{over} kamal {word}"
    out = conv(line)
    assert out.startswith(over + " ") and not any("a" <= ch <= "z" for ch in out[len(over) :])
    assert [c.text.split()[0] for c in conv.candidates(line, top_k=2)] == [over] * len(
        conv.candidates(line, top_k=2)
    )
    huge = "ab" * 100_000  # 200k characters: passed through at once (was past 20 s)
    assert conv(huge) == huge
    tally("survived")


def test_long_devanagari_words_still_read_back() -> None:
    word = normalize("कअ" * 600)  # 1200 characters, a separator needed at every other letter
    for scheme in ("iast", "itrans", "velthuis"):
        latin = transliterate(word, "deva", scheme)
        assert transliterate(latin, scheme, "deva") == word
        tally("survived")


# ------------------------------------------------------------------------------------------ Dask


def test_dask_serves_no_dashboard_and_logs_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("distributed")
    from lipyantar.corpora.engines import open_engine

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(level=logging.DEBUG)
    logging.getLogger("distributed").addHandler(keep)
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.WARNING)  # the CLI's default (-v: INFO)
    try:
        with open_engine(engine="dask", dask_workers=1) as session:
            assert list(session.map(abs, [-1, -2])) == [1, 2]
            client = session._client

            def http_sockets(dask_scheduler: object) -> int:
                server = getattr(dask_scheduler, "http_server", None)
                sockets = getattr(server, "_sockets", {}) if server is not None else {}
                return sum(1 for sock in sockets.values() if sock.fileno() != -1)  # still listening

            assert client.run_on_scheduler(http_sockets) == 0
            assert "dashboard" not in client.scheduler_info().get("services", {})
    finally:
        root.setLevel(old_level)
        logging.getLogger("distributed").removeHandler(keep)
    chatty = [r.getMessage() for r in records if r.levelno < logging.WARNING]
    assert not chatty, chatty[:5]
    tally("survived")


def test_input_errors_are_input_errors() -> None:
    """The API raises the one exception tree for bad text files too."""
    from lipyantar.translit.textio import read_text

    with pytest.raises(InputError, match="no such file"):
        read_text("/nonexistent/lipyantar/file.txt")
    tally("clean error")


def test_the_model_api_caps_long_words_too(tiny_model_bytes: bytes) -> None:
    model = LearnedModel.from_bytes(tiny_model_bytes)
    assert search_module.MAX_ROMAN_CHARS == MAX_WORD_CHARS
    word = ("kamalaa" * 10)[:MAX_WORD_CHARS]
    assert model.devanagarize(word) != ""
    assert model.devanagarize(word + "k") == ""  # "" when nothing can be produced: not a word
    assert model.devanagarize_topk("ka" * 50_000, 5) == []
    assert model.devanagarize_words(["kamal", word + "k"])[1] == ""
    tally("survived")


def test_mutated_adaptation_files_fail_cleanly_naming_the_file(
    tiny_model_bytes: bytes, tmp_path: Path
) -> None:
    """The inconsistent models above, stored as adaptations of another model (valid checksums all the
    way): loading applies the patch, then checks every table like a full file."""
    from lipyantar.translit.learned.adaptation import make_adaptation

    base = tmp_path / "base.lpm"
    base.write_bytes(tiny_model_bytes)
    header, arrays = _split(tiny_model_bytes)
    tables = json.loads(arrays["tables"].tobytes())
    tables["meta"] = {**tables.get("meta", {}), "name": "other"}
    arrays["tables"] = array("B", json.dumps(tables).encode("utf-8"))
    other = _repack(header, arrays)  # a second model that differs a little
    tried = 0
    for k, (what, blob) in enumerate(mutants(other, seed=17, count=80)):
        try:
            patch = make_adaptation(
                tiny_model_bytes, blob, fmt=model_module.MODEL_FILE_FORMAT, verify_rebuild=False
            )
        except (ModelError, ValueError, KeyError, TypeError):
            continue  # the writer refuses it: nothing to load
        path = tmp_path / f"adapted{k}.lpm"
        path.write_bytes(patch)
        tried += 1
        try:
            model = LearnedModel.load(path, base=base)
        except ModelError as exc:
            assert str(path) in str(exc), (what, str(exc))
            tally("clean error")
            continue
        use(model)
        tally("survived")
    assert tried >= 40
