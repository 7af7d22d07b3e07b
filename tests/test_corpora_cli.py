"""``lipyantar detect``, ``twins`` and ``stats`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_detect_table_on_example(example_dir: Path) -> None:
    code, out, err = _run("detect", str(example_dir))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["source", "letters"]
    languages = {Path(line.split()[0]).name[:3]: line.split()[6] for line in lines[1:]}
    assert languages == {"000": "hi", "001": "hi-Latn", "002": "en", "003": "fa", "004": "en"}


@pytest.mark.parametrize(
    ("level", "key"), [("document", None), ("paragraph", "paragraphs"), ("line", "lines")]
)
def test_detect_jsonl_levels(example_roman: Path, level: str, key: str | None) -> None:
    code, out, _ = _run("detect", "--format", "jsonl", "--level", level, "--tokens", str(example_roman))
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["language"] == "hi-Latn" and record["source"] == str(example_roman)
    assert record["token_tags"][0]["language"] in ("hi-Latn", "en", "univ")
    if key is not None:
        assert record[key] and all(u["language"] for u in record[key])


def test_detect_line_table_and_output_file(tmp_path: Path) -> None:
    doc = tmp_path / "mixed.txt"
    doc.write_text(
        "yah ghar hai aur vah school hai\nThe house is big and the school is old.\n", encoding="utf-8"
    )
    out_file = tmp_path / "out.json"
    code, out, _ = _run("detect", "--level", "line", "--format", "json", "-o", str(out_file), str(doc))
    assert code == 0 and out == ""
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert [ln["language"] for ln in data["documents"][0]["lines"]] == ["hi-Latn", "en"]
    code, out, _ = _run("detect", "--level", "line", str(doc))
    assert code == 0 and len(out.splitlines()) == 3


def test_detect_reports_bad_files_and_continues(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("yah ghar hai aur vah school hai", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("café déjà vu".encode("latin-1"))
    (tmp_path / "binary.dat").write_bytes(b"\x00\x01\x02\x03" * 8)
    (tmp_path / "utf16.txt").write_bytes(b"\xff\xfe" + "The house is big.".encode("utf-16-le"))
    code, out, err = _run("detect", str(tmp_path))
    assert code == 0
    assert "good.txt" in out and "utf16.txt" in out
    assert f"lipyantar: warning: skipped {tmp_path / 'latin1.txt'}: invalid UTF-8" in err
    assert f"lipyantar: warning: skipped {tmp_path / 'binary.dat'}: binary file" in err
    assert "2 file(s) read, 2 skipped" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["detect", "twins"])
def test_empty_folder_is_an_error(tmp_path: Path, command: str) -> None:
    code, out, err = _run(command, str(tmp_path))
    assert code == 1 and out == ""
    assert "empty directory" in err
    assert err.strip().splitlines()[-1].startswith("lipyantar: error: ")
    assert "no readable text documents" in err
    assert "Traceback" not in err


def test_twins_on_example(example_dir: Path) -> None:
    code, out, _ = _run("twins", "--format", "json", str(example_dir))
    assert code == 0
    data = json.loads(out)
    assert [(Path(p["devanagari"]).name[:3], Path(p["romanized"]).name[:3]) for p in data["pairs"]] == [
        ("000", "001")
    ]
    assert {Path(u["source"]).name[:3]: u["language"] for u in data["unpaired"]} == {
        "002": "en",
        "003": "fa",
        "004": "en",
    }
    code, out, _ = _run("twins", str(example_dir))
    assert code == 0 and "1 pair(s), 3 unpaired document(s)" in out
    code, out, _ = _run("twins", "--format", "tsv", str(example_dir))
    assert code == 0 and out.splitlines()[1].startswith("pair\t")


def test_stats_markdown_and_json(example_dir: Path, tmp_path: Path) -> None:
    code, out, _ = _run("stats", str(example_dir))
    assert code == 0 and out.startswith("# Corpus statistics") and "| documents | 5 |" in out
    target = tmp_path / "stats.json"
    code, out, _ = _run("stats", "--format", "json", "-o", str(target), str(example_dir))
    assert code == 0 and out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["documents"] == 5
    assert data["languages"] == {"en": 2, "fa": 1, "hi": 1, "hi-Latn": 1}
    assert 0.0 < data["romanized"]["english_share"] < 0.3


def test_stats_parallel(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("यह घर है।\tyah ghar hai.\nवह घर है।\tvah ghar he.\n", encoding="utf-8")
    code, out, err = _run("stats", "--parallel", str(path), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["parallel"]["bead_types"] == {"1-1": 2}
    rows = {row["native"]: row["variants"] for row in data["parallel"]["variant_table"]}
    assert rows["है"] == [["hai", 1], ["he", 1]]
    code, out, _ = _run("stats", "--parallel", str(path))
    assert code == 0 and "| है | 2 | 1.000 | hai ×1, he ×1 |" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats",), "<stdin>: no readable text documents"),  # no PATH: stdin, empty here
        (("stats", "--parallel", "/nonexistent/p.tsv"), "lipyantar: error: /nonexistent/p.tsv: no such file"),
        (("twins", "--min-score", "0"), "Invalid value"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    code, _, err = _run(*args)
    assert code != 0 and message in err and "Traceback" not in err


# ------------------------------------------------------------------------------------- stdin ("-")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("detect",), "<stdin>"),
        (("detect", "-", "--format", "jsonl"), '"source": "<stdin>"'),
        (("stats", "--format", "json"), '"documents": 1'),
        (("stats", "-"), "| documents | 1 |"),
    ],
)
def test_documents_from_stdin(example_hindi: Path, args: tuple[str, ...], expected: str) -> None:
    text = "\ufeff" + example_hindi.read_text(encoding="utf-8")  # a BOM is tolerated
    result = CliRunner().invoke(main, list(args), input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert "skipped" not in result.stderr


def test_twins_and_build_with_stdin(tmp_path: Path, example_hindi: Path, example_roman: Path) -> None:
    roman = example_roman.read_bytes()
    runner = CliRunner()
    twins = runner.invoke(main, ["twins", "-", str(example_hindi), "--format", "tsv"], input=roman)
    assert twins.exit_code == 0, twins.output
    assert f"{example_hindi}\t<stdin>" in twins.stdout
    out = tmp_path / "out"
    built = runner.invoke(main, ["build", str(example_hindi), "-", "-o", str(out), "--no-model"], input=roman)
    assert built.exit_code == 0, built.output
    records = [json.loads(line) for line in (out / "parallel.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 25 and {r["roman_source"] for r in records} == {"<stdin>"}
