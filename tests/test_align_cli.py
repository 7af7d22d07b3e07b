"""``lipyantar align`` through click's CliRunner: formats, options and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.align.cli import align_command

GOLDEN = Path(__file__).resolve().parent / "data" / "align" / "example_twin.jsonl"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str):
    return runner.invoke(align_command, [str(a) for a in args], catch_exceptions=False)


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_jsonl_default_matches_golden(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = _run(runner, example_hindi, example_roman)
    assert result.exit_code == 0, result.stderr
    beads = _jsonl(result.stdout)
    golden = _jsonl(GOLDEN.read_text(encoding="utf-8"))
    assert len(beads) == 25
    for bead, gold in zip(beads, golden, strict=True):
        assert set(bead) == {"deva", "roman", "deva_text", "roman_text", "score"}
        assert (bead["deva"], bead["roman"], bead["deva_text"], bead["roman_text"]) == (
            gold["deva"],
            gold["roman"],
            gold["deva_text"],
            gold["roman_text"],
        )
        assert isinstance(bead["score"], float) and 0.0 <= bead["score"] <= 1.0
    assert result.stderr == ""


def test_through_main_group(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    from lipyantar.cli import main

    result = runner.invoke(main, ["align", str(example_hindi), str(example_roman), "--format", "tsv"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 25


def test_tsv(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = _run(runner, example_hindi, example_roman, "--format", "tsv")
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == 25 and all(len(r) == 3 for r in rows)
    assert rows[16][0].startswith("यातायात") and rows[16][1].startswith("yatayaat")
    assert all(0.0 <= float(r[2]) <= 1.0 for r in rows)


def test_output_file(runner: CliRunner, tmp_path: Path, example_hindi: Path, example_roman: Path) -> None:
    out = tmp_path / "beads.jsonl"
    result = _run(runner, example_hindi, example_roman, "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(_jsonl(out.read_text(encoding="utf-8"))) == 25
    assert [p.name for p in tmp_path.iterdir()] == ["beads.jsonl"]  # no temporary file left


def test_moses(runner: CliRunner, tmp_path: Path, example_hindi: Path, example_roman: Path) -> None:
    prefix = tmp_path / "corpus"
    result = _run(runner, example_hindi, example_roman, "--format", "moses", "-o", prefix)
    assert result.exit_code == 0
    deva = (tmp_path / "corpus.deva").read_text(encoding="utf-8").splitlines()
    roman = (tmp_path / "corpus.roman").read_text(encoding="utf-8").splitlines()
    assert len(deva) == len(roman) == 25
    assert deva[0].startswith("प्रवासन हेतु") and roman[0].startswith("pravaasana hetu")


def test_moses_needs_output(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = runner.invoke(align_command, [str(example_hindi), str(example_roman), "--format", "moses"])
    assert result.exit_code == 2
    assert "-o" in result.stderr


def test_words(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = _run(runner, example_hindi, example_roman, "--words")
    assert result.exit_code == 0
    beads = _jsonl(result.stdout)
    assert len(beads) == 25
    for bead in beads:
        words = bead["words"]
        assert all(isinstance(w, list) and len(w) == 3 for w in words)
        assert " ".join(w[0] for w in words if w[0]) == bead["deva_text"]
        assert " ".join(w[1] for w in words if w[1]) == bead["roman_text"]
    pairs = {(w[0], w[1]) for b in beads for w in b["words"]}
    assert ("केसंविधान", "kesanvidhan") in pairs
    assert ("सभीसदस्य", "sabhisadasy") in pairs


def test_words_with_tsv_warns(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = _run(runner, example_hindi, example_roman, "--words", "--format", "tsv")
    assert result.exit_code == 0
    assert "--words" in result.stderr


def test_presplit(runner: CliRunner, tmp_path: Path) -> None:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_text(
        "यह पहला वाक्य है जो काफी लंबा है।\nदूसरा वाक्य भी यहाँ है।\n\nनया अनुच्छेद शुरू होता है यहाँ।\n", encoding="utf-8"
    )
    roman.write_text(
        "yah pahla vakya hai jo kafi lamba hai.\n\n\ndusra vakya bhi yahan hai.\nnaya anuchchhed shuru hota hai yahan.\n",
        encoding="utf-8",
    )
    result = _run(runner, deva, roman, "--presplit")
    assert result.exit_code == 0, result.stderr
    beads = _jsonl(result.stdout)
    assert [(b["deva"], b["roman"]) for b in beads] == [([0], [0]), ([1], [1]), ([2], [2])]
    assert beads[2]["roman_text"] == "naya anuchchhed shuru hota hai yahan."


def test_presplit_keeps_lines_whole(runner: CliRunner, tmp_path: Path) -> None:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_text("पहला वाक्य है। दूसरा वाक्य है।\n", encoding="utf-8")
    roman.write_text("pahla vakya hai. dusra vakya hai.\n", encoding="utf-8")
    split = _jsonl(_run(runner, deva, roman).stdout)
    presplit = _jsonl(_run(runner, deva, roman, "--presplit").stdout)
    assert [(b["deva"], b["roman"]) for b in split] == [([0], [0]), ([1], [1])]
    assert [(b["deva"], b["roman"]) for b in presplit] == [([0], [0])]


def test_one_sided_beads_have_empty_lists(runner: CliRunner, tmp_path: Path) -> None:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_text(
        "यह पहला वाक्य है जो काफी लंबा है।\nयह वाक्य केवल हिंदी में है और कहीं नहीं।\nअंतिम वाक्य यहाँ है।\n",
        encoding="utf-8",
    )
    roman.write_text("yah pahla vakya hai jo kafi lamba hai.\nantim vakya yahan hai.\n", encoding="utf-8")
    beads = _jsonl(_run(runner, deva, roman, "--presplit").stdout)
    assert [(b["deva"], b["roman"]) for b in beads] == [([0], [0]), ([1], []), ([2], [1])]
    assert beads[1]["roman_text"] == "" and beads[1]["score"] == 0.0


def test_not_devanagari(runner: CliRunner, tmp_path: Path, example_roman: Path) -> None:
    result = runner.invoke(align_command, [str(example_roman), str(example_roman)])
    assert result.exit_code == 1
    assert result.stderr.startswith("lipyantar: error: ")
    assert "not Devanagari" in result.stderr and str(example_roman) in result.stderr
    assert "Traceback" not in result.output


def test_not_latin(runner: CliRunner, example_hindi: Path) -> None:
    result = runner.invoke(align_command, [str(example_hindi), str(example_hindi)])
    assert result.exit_code == 1
    assert "not romanized (Latin)" in result.stderr


def test_wrong_way_round(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = runner.invoke(align_command, [str(example_roman), str(example_hindi)])
    assert result.exit_code == 1
    assert "wrong way round" in result.stderr and "swap" in result.stderr
    assert result.stdout == ""


def test_other_script(runner: CliRunner, tmp_path: Path, example_roman: Path) -> None:
    cyrillic = tmp_path / "ru.txt"
    cyrillic.write_text("Это текст на русском языке.\n", encoding="utf-8")
    result = runner.invoke(align_command, [str(cyrillic), str(example_roman)])
    assert result.exit_code == 1
    assert "not Devanagari" in result.stderr and "swap" not in result.stderr


@pytest.mark.parametrize("which", ["deva", "roman", "both"])
def test_empty_file(
    runner: CliRunner, tmp_path: Path, example_hindi: Path, example_roman: Path, which: str
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    deva = empty if which in ("deva", "both") else example_hindi
    roman = empty if which in ("roman", "both") else example_roman
    out = tmp_path / "out.jsonl"
    result = runner.invoke(align_command, [str(deva), str(roman), "-o", str(out)])
    assert result.exit_code == 0
    assert "warning" in result.stderr and "empty" in result.stderr
    assert out.read_text(encoding="utf-8") == ""


def test_non_twins_warn(runner: CliRunner, tmp_path: Path, dev_sentences: list[tuple[str, str]]) -> None:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_text("\n".join(d for d, _ in dev_sentences[:60]) + "\n", encoding="utf-8")
    roman.write_text("\n".join(r for _, r in dev_sentences[100:160]) + "\n", encoding="utf-8")
    result = _run(runner, deva, roman, "--presplit", "--format", "tsv")
    assert result.exit_code == 0
    assert "do not look like twins" in result.stderr
    assert max(float(line.split("\t")[2]) for line in result.stdout.splitlines()) < 0.9


def test_bom_and_crlf_tolerated(
    runner: CliRunner, tmp_path: Path, example_hindi: Path, example_roman: Path
) -> None:
    deva = tmp_path / "d.txt"
    roman = tmp_path / "r.txt"
    deva.write_bytes(b"\xef\xbb\xbf" + example_hindi.read_bytes().replace(b"\n", b"\r\n"))
    roman.write_bytes(b"\xef\xbb\xbf" + example_roman.read_bytes())
    result = _run(runner, deva, roman, "--format", "tsv")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert len(rows) == 25 and not rows[0].startswith("\ufeff")


def test_invalid_utf8(runner: CliRunner, tmp_path: Path, example_roman: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("यह ठीक है।\n".encode() + b"\xff\xfe oops\n")
    result = runner.invoke(align_command, [str(bad), str(example_roman)])
    assert result.exit_code == 1
    assert "UTF-8" in result.stderr and "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file(runner: CliRunner, tmp_path: Path, example_roman: Path) -> None:
    result = runner.invoke(align_command, [str(tmp_path / "nope.txt"), str(example_roman)])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_failed_run_leaves_no_output(runner: CliRunner, tmp_path: Path, example_hindi: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = runner.invoke(align_command, [str(example_hindi), str(example_hindi), "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "old\n"


def test_word_pairs_file(runner: CliRunner, tmp_path: Path, example_hindi: Path, example_roman: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    result = _run(runner, example_hindi, example_roman, "--format", "tsv", "--word-pairs", pairs)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 25  # the bead output is unchanged
    rows = [line.split("\t") for line in pairs.read_text(encoding="utf-8").splitlines()]
    assert all(len(r) == 3 and int(r[2]) >= 1 for r in rows)
    counts = {(r[0], r[1]): int(r[2]) for r in rows}
    assert counts[("में", "main")] >= 10
    assert ("केसंविधान", "kesanvidhan") in counts
    # jsonl without --words stays without "words"
    result = _run(runner, example_hindi, example_roman, "--word-pairs", pairs)
    assert all("words" not in json.loads(line) for line in result.stdout.splitlines())


def test_both_stdin_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(align_command, ["-", "-"])
    assert result.exit_code == 2


def test_stdin_input(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = runner.invoke(
        align_command,
        ["-", str(example_roman), "--format", "tsv"],
        input=example_hindi.read_text(encoding="utf-8"),
    )
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 25


def test_builtin_romanizer_option(runner: CliRunner, example_hindi: Path, example_roman: Path) -> None:
    result = _run(runner, example_hindi, example_roman, "--romanizer", "builtin", "--format", "tsv")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 25
    result = runner.invoke(align_command, [str(example_hindi), str(example_roman), "--romanizer", "nope"])
    assert result.exit_code == 2
