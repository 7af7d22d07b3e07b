"""Robustness suite, round two (issue 28): model files that hang, exhaust memory or end in an internal error.

* A path that is not a regular file (``/dev/zero``, a FIFO, a directory, a socket) given as a model, or a
  FIFO named ``X.vocab`` beside the model ``X.lpm``, is refused from its ``stat`` before it is opened:
  a clean error at once, never a hang, a read for ever or a MemoryError.
* A size that a file states (a version 1 header's ``raw_bytes``, the array sizes of a zlib payload's
  index, the sections of a version 1 vocabulary) is checked against the file's real size and a cap
  before anything is inflated: a zip bomb fails at once in little memory.
* An adaptation file (a per-build ``model.lpm``) whose checksum is valid but whose header or patch is
  malformed (``"base": "x"``, ``"rows": [1]``, and random structural mutations of a real one) is a
  ModelError naming the file, never another exception; a mutation that keeps the patch's structure
  either loads and converts or is refused.

Whatever may grow runs in a fresh process under a 1.5 GB address-space cap (``resource.setrlimit``), with
a generous timeout that turns a hang into a failure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import lzma
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.translit.errors import ModelError
from lipyantar.translit.learned import model as model_module
from lipyantar.translit.learned import modelfile
from lipyantar.translit.learned.adaptation import ADAPTATION_FORMAT, ADAPTATION_MAGIC
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.modelfile import pack_arrays, unpack_arrays
from lipyantar.translit.learned.vocab import VOCAB_FORMAT, VOCAB_MAGIC, Vocabulary

from .conftest import ROOT, Tally, assert_clean_stderr, run_lipyantar

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "corpora" / "example"
#: the address-space cap of every process that might grow
CAP = 1536 << 20
#: a hang fails the test after this long (a clean refusal takes about a second)
TIMEOUT = 120
#: what a bomb may cost at most: a fresh process that imports the model code is about 30 MB
SMALL_MB = 100
PATCH = "adaptation.patch"


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

_LOAD = """
import json, sys
from lipyantar.translit.errors import ModelError

what, path = sys.argv[1], sys.argv[2]
try:
    if what == "vocabulary":
        from lipyantar.translit.learned.vocab import Vocabulary
        Vocabulary.load(path)
    else:
        from lipyantar.translit.learned.model import LearnedModel
        LearnedModel.load(path).check()
    out = {"outcome": "loaded"}
except ModelError as exc:
    out = {"outcome": "ModelError", "message": str(exc)}
except BaseException as exc:
    out = {"outcome": type(exc).__name__, "message": str(exc)[:300]}
# this process's peak resident memory (ru_maxrss would count the forking parent's too)
with open("/proc/self/status") as fh:
    out["peak_mb"] = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
print(json.dumps(out))
"""


def load_in_child(path: str | Path, *, what: str = "model") -> dict[str, Any]:
    """Load a model (or vocabulary) file in a fresh, memory-capped process: its outcome (``loaded``,
    ``ModelError`` or another exception's name), message and peak resident memory in MB."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD, what, str(path)],
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_cap,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return json.loads(proc.stdout)


# ------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def adapted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real per-build model.lpm: ``build`` of the shipped example, an adaptation of the default model."""
    root = tmp_path_factory.mktemp("round2-build")
    result = CliRunner().invoke(
        main, ["-q", "build", str(EXAMPLE), "-o", str(root / "out"), "--jobs", "1", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    path = root / "out" / "model.lpm"
    assert path.read_bytes().startswith(ADAPTATION_MAGIC)
    return path


@pytest.fixture(scope="module")
def fast_format() -> model_module.adaptation.ModelFileFormat:
    """The model file format with the default model's arrays read once (copies handed out): loading
    an adaptation reads its base model whole, which would dominate the mutation tests."""
    fmt = model_module.MODEL_FILE_FORMAT
    name, data = fmt.default_bytes()
    header, arrays = fmt.read(data, name)

    def read_arrays(raw: bytes, source: str) -> tuple[dict[str, Any], dict[str, array]]:
        if len(raw) == len(data) and raw == data:
            return dict(header), {k: array(v.typecode, v) for k, v in arrays.items()}
        return modelfile.read_arrays(raw, source)

    return dataclasses.replace(fmt, read_arrays=read_arrays)


def _roman_input(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("namaste duniya\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------- paths that are not files
def _not_regular(kind: str, tmp_path: Path) -> str:
    if kind in ("/dev/zero", "/dev/null"):
        return kind
    path = tmp_path / f"model-{kind}.lpm"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:  # a socket file
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(str(path))
        finally:
            sock.close()
    return str(path)


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        ("/dev/zero", "a character device"),
        ("/dev/null", "a character device"),
        ("fifo", "a FIFO"),
        ("directory", "a directory"),
        ("socket", "a socket"),
    ],
)
def test_a_model_path_that_is_not_a_regular_file_is_refused_at_once(
    kind: str, named: str, tmp_path: Path, tally: Tally
) -> None:
    path = _not_regular(kind, tmp_path)
    out = load_in_child(path)
    assert out["outcome"] == "ModelError", out
    assert path in out["message"] and f"it is {named}, not a regular file" in out["message"], out
    assert out["peak_mb"] < SMALL_MB, out
    tally.record("clean error")


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo"])
@pytest.mark.parametrize("command", ["convert", "evaluate"])
def test_the_command_line_refuses_such_a_model_with_a_clean_error(
    kind: str, command: str, tmp_path: Path, tally: Tally
) -> None:
    path = _not_regular(kind, tmp_path)
    if command == "convert":
        args = ["convert", "--from", "roman", "--to", "deva", "--model", path, str(_roman_input(tmp_path))]
    else:
        lexicon = tmp_path / "lexicon.tsv"
        lexicon.write_text("नमस्ते\tnamaste\n", encoding="utf-8")
        args = ["evaluate", "--direction", "roman2deva", "--model", path, str(lexicon)]
    proc = run_lipyantar(args, cwd=tmp_path, timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert path in proc.stderr.decode() and "not a regular file" in proc.stderr.decode()
    tally.record_exit(proc.returncode)


def test_serve_refuses_a_fifo_model_without_blocking(tmp_path: Path, tally: Tally) -> None:
    """The server hashes its model file: it is loaded (and refused) first, so the hash never opens a FIFO."""
    path = _not_regular("fifo", tmp_path)
    proc = run_lipyantar(["serve", "--model", path, "--port", "18777"], cwd=tmp_path, timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert "a FIFO, not a regular file" in proc.stderr.decode()
    tally.record_exit(proc.returncode)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_vocabulary_beside_the_model_that_is_not_a_file_is_refused(
    kind: str, adapted: Path, tmp_path: Path, tally: Tally
) -> None:
    """``X.vocab`` beside ``X.lpm`` is the model's word list: a FIFO there is refused when the model is
    loaded (it was opened, and blocked on, at the first roman → Devanagari word)."""
    model = tmp_path / "model.lpm"
    shutil.copyfile(adapted, model)
    vocab = tmp_path / "model.vocab"
    os.mkfifo(vocab) if kind == "fifo" else vocab.mkdir()
    args = ["convert", "--from", "roman", "--to", "deva", "--model", str(model), str(_roman_input(tmp_path))]
    proc = run_lipyantar(args, cwd=tmp_path, timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert f"cannot read vocabulary {str(vocab)!r}" in proc.stderr.decode()
    tally.record_exit(proc.returncode)


def test_a_regular_vocabulary_beside_the_model_is_still_used(adapted: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.lpm"
    shutil.copyfile(adapted, model)
    assert LearnedModel.load(model)._vocab_source == "default"
    vocab = tmp_path / "model.vocab"
    vocab.write_bytes(b"")
    assert LearnedModel.load(model)._vocab_source == str(vocab)


# ----------------------------------------------------------------------------------------- zip bombs
#: zeros a bomb inflates to (before the fix each case took at least this much memory)
BOMB_ZEROS = 128 << 20
#: what the bombs' payload index states: one array of 2 GiB
BOMB_STATED = 2 << 30


@pytest.fixture(scope="module")
def zlib_bomb() -> bytes:
    """A zlib payload of 1.2 MB: an index naming one 2 GiB array, then 128 MiB of zeros."""
    index = json.dumps([["x", "B", BOMB_STATED]]).encode()
    squeeze = zlib.compressobj(1)
    zeros = bytes(16 << 20)
    parts = [squeeze.compress(len(index).to_bytes(8, "little") + index)]
    parts += [squeeze.compress(zeros) for _ in range(BOMB_ZEROS // len(zeros))]
    return b"".join(parts) + squeeze.flush()


def _v1_model(body: bytes, *, raw_bytes: int | None) -> bytes:
    data = modelfile.v1_file_bytes(body, {}, raw_bytes=raw_bytes or 1)
    if raw_bytes is None:  # an older writer's header, without the size
        end = data.index(b"\n", len(modelfile.MAGIC))
        head = json.loads(data[len(modelfile.MAGIC) : end])
        del head["raw_bytes"]
        data = modelfile.MAGIC + json.dumps(head).encode() + data[end:]
    return data


def _adaptation(body: bytes, base_sha256: str) -> bytes:
    header = {
        "format": ADAPTATION_FORMAT,
        "version": 1,
        "payload": "zlib-arrays",
        "payload_bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "model_sha256": "0" * 64,
        "base": {"sha256": base_sha256, "name": "roman-default.lpm", "meta": {}},
        "meta": {},
    }
    return ADAPTATION_MAGIC + json.dumps(header).encode() + b"\n" + body


def _v1_vocabulary(sizes: list[int]) -> bytes:
    squeeze = lzma.LZMACompressor(preset=0)
    zeros = bytes(16 << 20)
    body = b"".join(squeeze.compress(zeros) for _ in range(BOMB_ZEROS // len(zeros))) + squeeze.flush()
    header = {"format": VOCAB_FORMAT, "version": 1, "sections": sizes, "sha256": hashlib.sha256(body).hexdigest()}
    return VOCAB_MAGIC + json.dumps(header).encode() + b"\n" + body


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("v1 model stating 2 GiB", "raw_bytes 2147483"),
        ("v1 model stating nothing", "inflates past"),
        ("adaptation", "inflates past"),
        ("v1 vocabulary stating 2 GiB", "more than"),
    ],
)
def test_a_zip_bomb_fails_at_once_in_little_memory(
    case: str, message: str, zlib_bomb: bytes, tmp_path: Path, tally: Tally
) -> None:
    """Before: 2.0 GB and 7 s for a 2 GiB bomb; here each case inflated at least 64 MiB (the v1 model
    stating its size, the vocabulary: all 128 MiB) before failing."""
    path = tmp_path / "bomb.lpm"
    what = "model"
    if case.startswith("v1 model"):
        path.write_bytes(_v1_model(zlib_bomb, raw_bytes=BOMB_STATED + 100 if "2 GiB" in case else None))
    elif case == "adaptation":
        base = model_module.MODEL_FILE_FORMAT.default_bytes()[1]
        sha = modelfile.read_header(base, "base")[0]["sha256"]
        path.write_bytes(_adaptation(zlib_bomb, sha))
    else:
        path = tmp_path / "bomb.vocab"
        path.write_bytes(_v1_vocabulary([BOMB_STATED, 0, 0, 0]))
        what = "vocabulary"
    out = load_in_child(path, what=what)
    assert out["outcome"] == "ModelError", out
    assert str(path) in out["message"] and message in out["message"], out
    assert out["peak_mb"] < SMALL_MB, out
    tally.record("clean error")


def test_a_file_too_large_to_read_whole_is_refused_before_reading(tmp_path: Path, tally: Tally) -> None:
    """An adaptation (or version 1) file is read whole: one larger than the cap is refused from its size
    (a sparse file: nothing is written to disk)."""
    path = tmp_path / "huge.lpm"
    with open(path, "wb") as fh:
        fh.write(ADAPTATION_MAGIC)
        fh.truncate(modelfile.MAX_FILE_BYTES + 1)
    out = load_in_child(path)
    assert out["outcome"] == "ModelError" and str(path) in out["message"], out
    assert out["peak_mb"] < SMALL_MB, out
    tally.record("clean error")


@pytest.mark.parametrize(
    ("index", "data", "limit", "error"),
    [
        ([["a", "B", 10**12]], b"", 1 << 20, "inflates past 1048576 bytes"),  # stated sizes past the limit
        ([["a", "B", 4]], b"\0" * 4 + b"\0" * 100, 1 << 20, "trailing bytes"),  # more data than stated
        ([["a", "B", 8]], b"\0" * 4, 1 << 20, "truncated"),  # less
        ([["a", "u", 4]], b"\0" * 4, 1 << 20, "bad payload index entry"),  # a type that is not an array's
        ([["a", "B", 2], ["a", "B", 2]], b"\0" * 4, 1 << 20, "appears twice"),
        ([["a", "i", 3]], b"\0" * 3, 1 << 20, "multiple of item size"),
    ],
)
def test_a_payload_index_is_checked_before_the_arrays_inflate(
    index: list[Any], data: bytes, limit: int, error: str
) -> None:
    head = json.dumps(index).encode()
    body = zlib.compress(len(head).to_bytes(8, "little") + head + data)
    with pytest.raises(ValueError, match=error):
        unpack_arrays(body, limit=limit)


def test_a_payload_within_its_stated_size_unpacks() -> None:
    arrays = {"a": array("i", [1, -2, 3]), "b": array("d", [0.5]), "c": array("B")}
    body = pack_arrays(arrays)
    assert unpack_arrays(body, limit=modelfile.packed_size(arrays), exact=True) == arrays
    with pytest.raises(ValueError, match="the header says"):
        unpack_arrays(body, limit=modelfile.packed_size(arrays) + 1, exact=True)


# ------------------------------------------------------------------------------ malformed JSON nests
def _nested(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("where", ["model header", "adaptation header", "adaptation patch", "vocabulary header"])
def test_json_nested_too_deep_is_a_clean_error(where: str, adapted: Path, tmp_path: Path, tally: Tally) -> None:
    if where == "model header":
        data = modelfile.MAGIC + _nested() + b"\n"
    elif where == "adaptation header":
        data = ADAPTATION_MAGIC + _nested() + b"\n"
    elif where == "adaptation patch":
        header, parts, _ = split_adaptation(adapted.read_bytes())
        data = join_adaptation(header, parts, None, raw_patch=_nested())
    else:
        data = VOCAB_MAGIC + _nested(50_000) + b"\n"
    path = tmp_path / ("x.vocab" if "vocabulary" in where else "x.lpm")
    path.write_bytes(data)
    load: Callable[[Path], object] = Vocabulary.load if "vocabulary" in where else LearnedModel.load
    with pytest.raises(ModelError) as info:
        load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    tally.record("clean error")


# ------------------------------------------------------------------------- edited per-build model.lpm
def split_adaptation(data: bytes) -> tuple[dict[str, Any], dict[str, array], Any]:
    """Header, payload arrays (without the patch) and patch of an adaptation file."""
    head, body = data[len(ADAPTATION_MAGIC) :].split(b"\n", 1)
    parts = unpack_arrays(body)
    patch = json.loads(parts.pop(PATCH).tobytes())
    return json.loads(head), parts, patch


def join_adaptation(header: dict[str, Any], parts: dict[str, array], patch: Any, *, raw_patch: bytes | None = None) -> bytes:
    """An adaptation file around these parts, its payload's size and checksum made valid."""
    encoded = raw_patch if raw_patch is not None else json.dumps(patch).encode("utf-8")
    body = pack_arrays({**parts, PATCH: array("B", encoded)})
    header = {**header, "payload_bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    return ADAPTATION_MAGIC + json.dumps(header).encode("utf-8") + b"\n" + body


def _edit_base_x(header: dict[str, Any], parts: dict[str, array], patch: Any) -> None:
    header["base"] = "x"


def _edit_rows_1(header: dict[str, Any], parts: dict[str, array], patch: Any) -> None:
    patch["rows"] = [1]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_edit_base_x, "corrupt adaptation header: the base is not an object"),
        (_edit_rows_1, "malformed adaptation: malformed row tables [1]"),
    ],
)
def test_the_issues_edited_adaptations_are_clean_model_errors(
    edit: Callable[..., None], message: str, adapted: Path, tmp_path: Path, tally: Tally
) -> None:
    """Before: AttributeError, exit 70 (an internal error). Now the model error's exit code (1), one line
    naming the file and what is wrong."""
    header, parts, patch = split_adaptation(adapted.read_bytes())
    edit(header, parts, patch)
    path = tmp_path / "model.lpm"
    path.write_bytes(join_adaptation(header, parts, patch))
    args = ["convert", "--from", "roman", "--to", "deva", "--model", str(path), str(_roman_input(tmp_path))]
    proc = run_lipyantar(args, cwd=tmp_path, timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode == ModelError.exit_code == 1, proc.stderr
    assert_clean_stderr(proc.stderr, proc.returncode)
    assert proc.stderr.decode().strip() == f"lipyantar: error: {path}: {message}"
    tally.record_exit(proc.returncode)


# -- random structural mutations of a real patch (each checksum-valid) -----------------------------
_WRONG: list[Any] = [None, 1, -1, 1.5, True, "x", [], [1], [None], {"a": 1}]


def _table_patches(patch: Any) -> list[dict[str, Any]]:
    """Every table patch (``{"op": ...}``) in the patch of the tables, outermost first."""
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict) and "op" in node:
            out.append(node)
            if node["op"] == "dict":
                for sub in node["patch"].values():
                    walk(sub)

    walk(patch)
    return out


def _mutate_top(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    key = rng.choice(["tables", "order", "delete", "replace", "rows", "rebuild"])
    how = rng.choice(["type", "missing", "unknown key"])
    if how == "missing":
        del patch[key]
    elif how == "unknown key":
        patch["surprise"] = 1
    elif key == "tables":
        patch[key] = rng.choice([1, "x", [1], True, {"op": "nope"}, {}])
    elif key == "rows":
        patch[key] = rng.choice([[1], "x", None, 1, {"x": ["a"]}, {"joint.counts": "x"}])
    else:
        patch[key] = rng.choice([1, "x", None, {"a": 1}, [1], [None], True])
    return f"patch {key}: {how}"


def _mutate_names(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    key = rng.choice(["order", "delete", "rebuild", "replace"])
    order = patch["order"]
    if key == "order":
        how = rng.choice(["no tables", "duplicate", "unknown", "dropped", "not a string"])
        if how == "no tables":
            order.remove("tables")
        elif how == "duplicate":
            order.append(rng.choice(order))
        elif how == "unknown":
            order.insert(rng.randrange(len(order)), "no.such.array")
        elif how == "dropped":
            order.remove(rng.choice([n for n in order if n != "tables"]))
        else:
            order[rng.randrange(len(order))] = rng.choice([1, None, ["x"]])
        return f"order: {how}"
    bad = {
        "delete": ["no.such.array", "tables", 5, "joint.keys"],  # joint.keys: in the order
        "rebuild": ["nope", "joint", 1, None],  # joint: twice
        "replace": ["joint.keys", "tables", 2],  # no replace.joint.keys array
    }[key]
    value = rng.choice(bad)
    patch[key] = [*patch[key], value]
    return f"{key}: + {value!r}"


def _mutate_rows(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    how = rng.choice(["short names", "unknown table", "unknown names", "not a list", "none (arrays left over)"])
    rows = patch["rows"]
    if how == "short names":
        rows["joint.counts"] = ["joint.count_ngrams"]
    elif how == "unknown table":
        rows["other.counts"] = ["joint.count_ngrams", "joint.count_values"]
    elif how == "unknown names":
        rows["joint.counts"] = ["joint.keys", "joint.lp"]
    elif how == "not a list":
        rows["joint.counts"] = rng.choice(["joint.count_ngrams", 1, None, {"a": 1}])
    else:
        patch["rows"] = {}
    return f"rows: {how}"


def _mutate_table_patch(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    node = rng.choice(_table_patches(patch["tables"]))
    op = node["op"]
    fields = {"set": ["value"], "dict": ["patch", "set", "delete", "keys"], "list": ["drop", "at", "items"]}[op]
    how = rng.choice(["op", "missing", "unknown key", "type", "range"])
    if how == "op":
        node["op"] = rng.choice(["nope", 1, None, "dict" if op != "dict" else "list"])
    elif how == "missing" or op == "set":
        del node[rng.choice(fields)]
        how = "missing"
    elif how == "unknown key":
        node["surprise"] = 1
    elif how == "type":  # a value of another type (a list for a list's field only where it is never right)
        field = rng.choice(fields)
        wrong = [w for w in _WRONG if w != [] and w != {}]
        if field in ("set", "patch"):
            wrong = [w for w in wrong if not isinstance(w, dict)]
        elif field in ("at", "items"):
            wrong = [w for w in wrong if not isinstance(w, list)]
        node[field] = rng.choice(wrong)
    elif op == "list":
        how = rng.choice(["reversed drop", "far drop", "far at", "negative at", "unsorted at", "extra item", "drop type"])
        if how == "reversed drop":
            node["drop"].append([5, 3])
        elif how == "far drop":
            node["drop"].append([10**9, 10**9 + 1])
        elif how == "far at":
            node["at"].append(10**9)
            node["items"].append(node["items"][0])
        elif how == "negative at":
            node["at"].insert(0, -1)
            node["items"].insert(0, node["items"][0])
        elif how == "unsorted at" and len(node["at"]) >= 2:
            node["at"][0], node["at"][-1] = node["at"][-1], node["at"][0]
        elif how == "drop type":
            node["drop"].append(rng.choice([["a", 1], [1], [1, 2, 3], 7, [1.5, 2]]))
        else:
            node["items"].append(["x", "y"])
            how = "extra item"
    else:
        keys = node["keys"]
        how = rng.choice(["unknown key", "duplicate key", "dropped key", "delete unknown", "patch unknown", "set existing"])
        if how == "unknown key":
            keys.append("no_such_key")
        elif how == "duplicate key":
            keys.append(keys[0])
        elif how == "dropped key":
            keys.pop(rng.randrange(len(keys)))
        elif how == "delete unknown":
            node["delete"].append("no_such_key")
        elif how == "patch unknown":
            node["patch"]["no_such_key"] = {"op": "set", "value": 1}
            keys.append("no_such_key")
        else:
            node["set"][next(k for k in keys if k not in node["set"])] = 1
    return f"tables {op} patch: {how}"


def _mutate_arrays(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    how = rng.choice(["odd drop", "far drop", "far at", "widths", "short rows", "long rows", "typecode", "unknown", "missing"])
    counts = "joint.counts"
    if how == "odd drop":
        parts[f"{counts}.drop"].append(3)
    elif how == "far drop":
        parts[f"{counts}.drop"].extend([10**12, 10**12 + 1])
    elif how == "far at":
        parts[f"{counts}.at"].append(10**12)
    elif how == "widths":
        w = parts[f"{counts}.widths"][0]
        parts[f"{counts}.widths"] = array("q", rng.choice([[0, 1], [w - 1, 1], [w, 2], [w], [w, 1, 1], [-1, 1]]))
    elif how in ("short rows", "long rows"):
        name = rng.choice([f"{counts}.rows0", f"{counts}.rows1"])
        if how == "short rows":
            parts[name] = parts[name][:-1]
        else:
            parts[name].append(parts[name][0])
    elif how == "typecode":
        name = rng.choice([f"{counts}.rows0", f"{counts}.rows1", f"{counts}.at", f"{counts}.widths"])
        code = "d" if parts[name].typecode != "d" else "q"
        parts[name] = array(code, [float(x) if code == "d" else int(x) for x in parts[name]])
    elif how == "unknown":
        parts[rng.choice(["replace.ghost", "junk"])] = array("i", [1, 2])
    else:
        del parts[rng.choice(sorted(parts))]
    return f"arrays: {how}"


def _mutate_header(rng: random.Random, header: dict[str, Any], parts: dict[str, array], patch: Any) -> str:
    how = rng.choice(["base x", "base checksum", "no base", "meta", "model checksum", "payload kind", "base meta"])
    if how == "base x":
        header["base"] = "x"
    elif how == "base checksum":
        header["base"]["sha256"] = rng.choice([5, None, ["x"], "abc"])
    elif how == "no base":
        del header["base"]
    elif how == "meta":
        header["meta"] = rng.choice([[], "x", 1])
    elif how == "model checksum":
        header["model_sha256"] = rng.choice([7, None, {}])
    elif how == "base meta":
        header["base"]["meta"] = rng.choice([[], "x"])
    else:
        header["payload"] = "other"
    return f"header: {how}"


_STRUCTURAL = [_mutate_top, _mutate_names, _mutate_rows, _mutate_table_patch, _mutate_arrays, _mutate_header]


def structural_mutant(data: bytes, seed: int) -> tuple[str, bytes]:
    """A checksum-valid adaptation file made from ``data`` with one change to the structure of its
    header, patch or payload arrays (a type, a key, a name, a range, a size), each a file the writer
    never makes: it must be refused."""
    rng = random.Random(seed)
    header, parts, patch = split_adaptation(data)
    what = rng.choice(_STRUCTURAL)(rng, header, parts, patch)
    return what, join_adaptation(header, parts, patch)


def value_mutant(data: bytes, seed: int) -> tuple[str, bytes]:
    """A checksum-valid adaptation file with one value changed where the structure allows any (a count,
    an n-gram id, an inserted table row, the metadata): it may load (then it must work) or be refused."""
    rng = random.Random(seed)
    header, parts, patch = split_adaptation(data)
    how = rng.choice(["count", "ngram id", "item", "meta"])
    if how == "count":
        values = parts["joint.counts.rows1"]
        values[rng.randrange(len(values))] = rng.choice([0.0, 1.0, 1e6, -1.0, float("nan"), float("inf")])
    elif how == "ngram id":
        ids = parts["joint.counts.rows0"]
        ids[rng.randrange(len(ids))] = rng.choice([-1, 0, 1, 2**31 - 1, -(2**31), 100_000])
    elif how == "item":
        node = rng.choice([n for n in _table_patches(patch["tables"]) if n["op"] == "list" and n["items"]])
        node["items"][rng.randrange(len(node["items"]))] = rng.choice([["क", "ka"], ["", ""], ["क", "ka", 1.0], "x", 5])
    else:
        patch["tables"]["patch"]["meta"] = {"op": "set", "value": rng.choice([{}, {"name": 5}, {"adapted_pairs": "x"}])}
    return f"value: {how}", join_adaptation(header, parts, patch)


def use(model: LearnedModel) -> None:
    """Convert a few words both ways (any exception fails the test)."""
    model.check()
    model.devanagarize("namaste")
    model.devanagarize_topk("sangathan", 5)
    model.devanagarize_sentences([["yah", "sangathan", "hai"]])
    model.romanize("नमस्ते")
    model.romanize_topk("संगठन", 3)


@pytest.mark.parametrize("seed", range(40))
def test_a_structurally_malformed_patch_is_refused(
    seed: int, adapted: Path, fast_format: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally: Tally
) -> None:
    """Before the patch was validated, 15 of these 40 loaded without complaint (and 8 of 300 ended in
    AttributeError or TypeError); now each is a ModelError naming the file, in one line."""
    monkeypatch.setattr(model_module, "MODEL_FILE_FORMAT", fast_format)
    what, blob = structural_mutant(adapted.read_bytes(), seed)
    path = tmp_path / "model.lpm"
    path.write_bytes(blob)
    with pytest.raises(ModelError) as info:
        LearnedModel.load(path)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value), (what, str(info.value))
    tally.record("clean error")


@pytest.mark.parametrize("seed", range(12))
def test_a_patch_with_other_values_loads_and_works_or_is_refused(
    seed: int, adapted: Path, fast_format: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally: Tally
) -> None:
    monkeypatch.setattr(model_module, "MODEL_FILE_FORMAT", fast_format)
    what, blob = value_mutant(adapted.read_bytes(), seed)
    path = tmp_path / "model.lpm"
    path.write_bytes(blob)
    try:
        use(LearnedModel.load(path))
    except ModelError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc), (what, str(exc))
        tally.record("clean error")
        return
    tally.record("survived")


def test_the_unmutated_patch_loads_with_the_fast_format(
    adapted: Path, fast_format: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mutation tests' shortcut reads the same base: the real file loads through it and works."""
    monkeypatch.setattr(model_module, "MODEL_FILE_FORMAT", fast_format)
    header, parts, patch = split_adaptation(adapted.read_bytes())
    use(LearnedModel.from_bytes(join_adaptation(header, parts, patch)))
