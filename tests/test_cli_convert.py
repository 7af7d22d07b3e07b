from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.translit import transliterate


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | bytes | None = None):
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def test_schemes_lists_every_scheme_with_a_description(runner: CliRunner) -> None:
    result = run(runner, "schemes")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert {
        "deva",
        "iast",
        "iso",
        "itrans",
        "hk",
        "velthuis",
        "slp1",
        "wx",
        "optitrans",
        "roman-rules",
    } <= set(names)
    assert all(len(line.split(None, 1)) == 2 for line in result.output.splitlines())


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_schemes_machine_formats(runner: CliRunner, fmt: str) -> None:
    result = run(runner, "schemes", "--format", fmt)
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert (json.loads(first)["name"] if fmt == "jsonl" else first.split("\t")[0]) == "deva"


def test_convert_stdin_to_stdout_one_line_per_line(runner: CliRunner) -> None:
    text = "यह संगठन है।\n\n  IOM, 1952 में!  \nअंत"
    result = run(runner, "convert", "--from", "deva", "--to", "iast", input=text)
    assert result.exit_code == 0
    lines = result.output.split("\n")
    assert lines[:-1] == [transliterate(line, "deva", "iast") for line in text.split("\n")]
    assert lines[2] == "  IOM, 1952 meṃ!  "  # whitespace and punctuation kept
    assert lines[1] == ""


def test_convert_files_in_order_and_output_file(runner: CliRunner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("एक\n", encoding="utf-8")
    b.write_text("दो\nतीन\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    result = run(runner, "convert", "--from", "deva", "--to", "hk", str(a), str(b), "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert out.read_text(encoding="utf-8") == "eka\ndo\ntIna\n"
    assert a.read_text(encoding="utf-8") == "एक\n"  # input untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_convert_tsv(runner: CliRunner) -> None:
    result = run(
        runner, "convert", "--from", "deva", "--to", "iast", "--format", "tsv", input="नमस्ते\nदुनिया\n"
    )
    assert result.output == "नमस्ते\tnamaste\nदुनिया\tduniyā\n"


def test_convert_jsonl_top_k(runner: CliRunner) -> None:
    result = run(
        runner,
        "convert",
        "--from",
        "deva",
        "--to",
        "iast",
        "--format",
        "jsonl",
        "--top-k",
        "3",
        input="नमस्ते\n",
    )
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert record == {"input": "नमस्ते", "candidates": [{"text": "namaste", "score": 0.0, "prob": 1.0}]}


def test_convert_roman_rules_on_the_example(runner: CliRunner, example_hindi: Path) -> None:
    result = run(runner, "convert", "--from", "deva", "--to", "roman-rules", str(example_hindi))
    assert result.exit_code == 0
    source = example_hindi.read_text(encoding="utf-8").splitlines()
    lines = result.output.splitlines()
    assert len(lines) == len(source)
    assert all(line.isascii() for line in lines)
    assert "International Oorganistion for Migration" in lines[0]  # English passes through


def test_bom_and_crlf_tolerated(runner: CliRunner) -> None:
    data = "\ufeffएक\r\nदो\r\n".encode()
    result = run(runner, "convert", "--from", "deva", "--to", "iast", input=data)
    assert result.output == "eka\ndo\n"


def test_empty_input_gives_empty_output(runner: CliRunner) -> None:
    result = run(runner, "convert", "--from", "deva", "--to", "iast", input="")
    assert result.exit_code == 0 and result.output == ""


def test_huge_mixed_line(runner: CliRunner) -> None:
    line = "यह test है 123 " * 20000
    result = run(runner, "convert", "--from", "deva", "--to", "iast", input=line + "\n")
    assert result.exit_code == 0
    assert result.output == "yaha test hai 123 " * 20000 + "\n"


def test_invalid_utf8_names_file_line_and_offset_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("ठीक\n".encode() + b"ab \xff cd\n")
    out = tmp_path / "out.txt"
    result = runner.invoke(main, ["convert", "--from", "deva", "--to", "iast", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "bad.txt, line 2, byte 13" in result.output  # 10 bytes of line 1, then 'ab '
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_invalid_utf8_on_stdout_prints_nothing(runner: CliRunner, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("ठीक\n", encoding="utf-8")
    bad.write_bytes(b"\xc3\x28\n")
    result = runner.invoke(main, ["convert", "-f", "deva", "-t", "iast", str(good), str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "bad.txt, line 1, byte 0" in result.stderr


def test_errors_replace_substitutes(runner: CliRunner) -> None:
    result = run(
        runner, "convert", "--from", "deva", "--to", "iast", "--errors", "replace", input=b"\xff\xe0\n"
    )
    assert result.exit_code == 0
    assert "\ufffd" in result.output


def test_unknown_scheme_exits_2_listing_valid_names(runner: CliRunner) -> None:
    result = runner.invoke(main, ["convert", "--from", "deva", "--to", "klingon"], input="x")
    assert result.exit_code == 2
    assert "iast" in result.output and "roman-rules" in result.output


def test_one_way_scheme_as_source_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["convert", "--from", "roman-rules", "--to", "deva"], input="x")
    assert result.exit_code == 2
    assert "one-way" in result.output and "Traceback" not in result.output


def test_missing_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", "--from", "deva", "--to", "iast", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt: no such file" in result.output


def test_top_k_needs_a_candidate_format(runner: CliRunner) -> None:
    result = runner.invoke(main, ["convert", "--from", "deva", "--to", "iast", "--top-k", "2"], input="x")
    assert result.exit_code == 2


def test_model_needs_the_roman_scheme(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "m").write_bytes(b"")  # it exists: the error is about the scheme
    result = runner.invoke(
        main, ["convert", "-f", "deva", "-t", "iast", "--model", str(tmp_path / "m")], input="x"
    )
    assert result.exit_code == 2 and "roman" in result.output


def test_output_file_gets_the_usual_permissions(runner: CliRunner, tmp_path: Path) -> None:
    import os

    out = tmp_path / "out.txt"
    run(runner, "convert", "--from", "deva", "--to", "iast", "-o", str(out), input="एक\n")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    ("missing", "args", "package"),
    [
        ("marisa_trie", ["--from", "roman", "--to", "deva"], "marisa-trie"),
        # the standard schemes convert from packaged maps; --from auto still asks the library's detector
        ("indic_transliteration", ["--from", "auto", "--to", "deva"], "indic-transliteration"),
    ],
)
def test_a_missing_dependency_is_a_clear_error(missing: str, args: list[str], package: str) -> None:
    """An install without its dependencies (pip install --no-deps) says which package to install, with
    exit status 69, not an internal error."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {missing!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from lipyantar.cli import main\n"
        "main(sys.argv[1:], prog_name='lipyantar')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "convert", *args], input="saMghaTana kA sangathan संगठन\n", capture_output=True, text=True
    )
    assert proc.returncode == 69, proc.stderr
    assert f"'{package}' is not installed" in proc.stderr and f"pip install {package}" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_the_collector_pauses_for_the_load_then_freezes_it() -> None:
    """convert's collector: off until the first output (the model's load), then what is alive frozen and
    a young generation of 50,000; everything as it was afterwards. A collector the caller disabled
    stays off, and nothing is frozen."""
    import gc

    from lipyantar.translit.cli import _Collections

    threshold = gc.get_threshold()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with _Collections() as collections:
        assert not gc.isenabled()
        collections.loaded()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert gc.get_threshold() == (50_000, *threshold[1:])
        collections.loaded()  # once only
    assert gc.isenabled() and gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    gc.disable()
    try:
        with _Collections() as collections:
            collections.loaded()
            assert not gc.isenabled() and gc.get_freeze_count() == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_convert_leaves_the_collector_as_it_was(runner: CliRunner) -> None:
    import gc

    threshold = gc.get_threshold()
    text = "".join(f"यह संगठन {i}\n" for i in range(1200))  # several chunks
    result = run(runner, "convert", "--from", "deva", "--to", "iast", input=text)
    assert result.output.splitlines()[7] == "yaha saṃgaṭhana 7"
    assert gc.isenabled() and gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
