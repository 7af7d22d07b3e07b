"""``lipyantar evaluate``: WER/CER of any system's lines (jiwer definitions), bead P/R/F1, signatures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex
from click.testing import CliRunner
from conftest import EXAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.align.evaluate import BeadScores, bead_scores, read_bead_keys
from lipyantar.cli import main
from lipyantar.translit import Transliterator, __version__
from lipyantar.translit.errors import InputError
from lipyantar.translit.metrics import edit_distance, error_rates, line_errors, signature, words_of
from lipyantar.translit.normalize import normalize


@pytest.mark.parametrize(
    ("hyp", "ref", "counts"),
    [
        ("a b c", "a b c", (3, 0, 0, 0)),
        ("a x c", "a b c", (2, 1, 0, 0)),
        ("a c", "a b c", (2, 0, 1, 0)),
        ("a b c d", "a b c", (3, 0, 0, 1)),
        ("", "a b", (0, 0, 2, 0)),
        ("a b", "", (0, 0, 0, 2)),
        ("b c d", "a b c", (2, 0, 1, 1)),
        ("x y", "a b c", (0, 2, 1, 0)),
    ],
)
def test_hits_substitutions_deletions_insertions(hyp: str, ref: str, counts: tuple[int, int, int, int]) -> None:
    e = line_errors(hyp, ref)
    assert (e.hits, e.substitutions, e.deletions, e.insertions) == counts
    assert e.word_errors == edit_distance(hyp.split(), ref.split())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hyp", "ref", "wer", "cer"),
    [
        ("hello duck", "hello world", 0.5, 5 / 11),  # jiwer's README example
        ("नमस्ते, दुनिया।", "नमस्ते दुनिया", 0.0, 0.0),  # punctuation is not scored
        ("१९५२ में", "1952 में", 0.0, 0.0),  # Devanagari digits read as ASCII
        ("क़लम", "क़लम", 0.0, 0.0),  # composed and decomposed nukta are one letter
        ("", "a", 1.0, 1.0),
    ],
)
def test_rates_of_one_line(hyp: str, ref: str, wer: float, cer: float) -> None:
    e = line_errors(hyp, ref)
    assert e.wer == pytest.approx(wer) and e.cer == pytest.approx(cer)


def test_empty_reference_has_no_rate_but_counts_in_the_corpus() -> None:
    e = line_errors("extra words", "")
    assert e.wer is None and e.cer is None and e.insertions == 2
    rates = error_rates([("a b", "a b"), ("extra words", "")])
    assert rates.wer == pytest.approx(2 / 2)


def test_tokenize_and_case_options() -> None:
    assert words_of("Yah, sangathan!") == ["Yah", "sangathan"]
    assert words_of("Yah, sangathan!", tokenize="space") == ["Yah,", "sangathan!"]
    assert words_of("Yah", lowercase=True) == ["yah"]
    assert line_errors("yah sangathan", "Yah sangathan").wer == 0.5
    assert line_errors("yah sangathan", "Yah sangathan", lowercase=True).wer == 0.0
    assert line_errors("a, b", "a b", tokenize="space").wer == 0.5
    with pytest.raises(ValueError, match="tokenize"):
        words_of("a", tokenize="chars")  # type: ignore[arg-type]


def test_corpus_rate_is_total_edits_over_total_reference_words() -> None:
    rates = error_rates([("a b c d", "a b c d"), ("x", "y z")], keep_lines=True)
    assert rates.word_errors == 2 and rates.ref_words == 6
    assert rates.wer == pytest.approx(2 / 6)  # not the mean of 0 and 1
    assert [e.wer for e in rates.per_line] == [0.0, 1.0]


_TEXT = st.lists(st.sampled_from(["a", "b", "c", "क", "ख", "1"]), max_size=8).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), max_size=6))
def test_totals_are_edit_distances(pairs: list[tuple[str, str]]) -> None:
    rates = error_rates(pairs, keep_lines=True)
    assert rates.word_errors == sum(edit_distance(h.split(), r.split()) for h, r in pairs)  # type: ignore[arg-type]
    assert rates.char_errors == sum(edit_distance(h, r) for h, r in pairs)
    assert rates.ref_words == sum(e.ref_words for e in rates.per_line)
    assert rates.hits + rates.substitutions + rates.deletions == rates.ref_words


def _bench_wer(hyps: list[str], refs: list[str]) -> float:
    """The sentence WER as scripts/bench_learned.py computed it before it used lipyantar.translit.metrics."""
    word = regex.compile(r"[\p{L}\p{M}]+|[0-9]+", regex.V1)
    digits = str.maketrans("०१२३४५६७८९", "0123456789")
    errors = total = 0
    for h, r in zip(hyps, refs, strict=True):
        hw = word.findall(normalize(h).translate(digits))
        rw = word.findall(normalize(r).translate(digits))
        errors += edit_distance(hw, rw)  # type: ignore[arg-type]
        total += len(rw)
    return errors / total


@pytest.mark.parametrize("scheme", ["itrans", "hk"])
def test_agrees_with_the_benchmark_formula(dev_sentences: list[tuple[str, str]], scheme: str) -> None:
    refs = [n for n, _ in dev_sentences]
    tr = Transliterator(scheme, "deva")
    hyps = [tr(r.lower()) for _, r in dev_sentences]
    assert error_rates(zip(hyps, refs, strict=True)).wer == pytest.approx(_bench_wer(hyps, refs), abs=1e-12)


def test_signature_names_what_was_computed() -> None:
    assert signature() == f"nrefs:1|tok:words|norm:nfc-nukta-zw|digits:ascii|case:mixed|version:{__version__}"
    assert "tok:space" in signature(tokenize="space") and "case:lc" in signature(lowercase=True)


# ------------------------------------------------------------------------------------------- CLI


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_cli_hyp_ref_json(tmp_path: Path) -> None:
    hyp = _write(tmp_path / "hyp.txt", ["यह संगठन है", "नमस्ते"])
    ref = _write(tmp_path / "ref.txt", ["यह संगठन है।", "नमस्ते दुनिया"])
    result = CliRunner().invoke(main, ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--per-line"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["wer"]["score"] == pytest.approx(1 / 5)
    assert data["wer"]["deletions"] == 1 and data["lines"] == 2
    assert data["wer"]["signature"].startswith("WER|nrefs:1|tok:words|")
    assert data["cer"]["signature"].startswith("CER|")
    assert [line["wer"] for line in data["per_line"]] == [0.0, 0.5]


def test_cli_text_format_is_sacrebleu_like(tmp_path: Path) -> None:
    hyp = _write(tmp_path / "hyp.txt", ["a b"])
    ref = _write(tmp_path / "ref.txt", ["a c"])
    result = CliRunner().invoke(main, ["evaluate", "--hyp", str(hyp), "--ref", str(ref), "--format", "text"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("WER|nrefs:1|tok:words|norm:nfc-nukta-zw|digits:ascii|case:mixed|version:")
    assert " = 50.00 (S 1, D 0, I 0, N 2 words, 1 lines)" in lines[0]
    assert lines[1].startswith("CER|") and " = 33.33 " in lines[1]


def test_cli_hyp_from_stdin(tmp_path: Path) -> None:
    ref = _write(tmp_path / "ref.txt", ["a b", "c"])
    result = CliRunner().invoke(main, ["evaluate", "--hyp", "-", "--ref", str(ref)], input="a b\nd\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["wer"]["score"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(("hyp_lines", "short"), [(["a"], "hyp.txt"), (["a", "b", "c"], "ref.txt")])
def test_cli_line_count_mismatch(tmp_path: Path, hyp_lines: list[str], short: str) -> None:
    hyp = _write(tmp_path / "hyp.txt", hyp_lines)
    ref = _write(tmp_path / "ref.txt", ["a", "b"])
    result = CliRunner().invoke(main, ["evaluate", "--hyp", str(hyp), "--ref", str(ref)])
    assert result.exit_code == 1
    assert short in result.stderr and "one line per sentence" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give one of LEXICON"),
        (["--ref", "r.txt"], "--ref needs --hyp"),
        (["--hyp", "h.txt", "--ref", "r.txt", "--beads", "g.jsonl"], "got --ref and --beads"),
        (["lex.tsv"], "needs --direction"),
        (["--hyp", "h.txt", "--beads", "g.jsonl", "--per-line"], "go with --ref"),
        (["--hyp", "h.txt", "--ref", "r.txt", "--direction", "roman2deva"], "go with a LEXICON"),
    ],
)
def test_cli_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("h.txt", "r.txt", "g.jsonl", "lex.tsv"):  # the files exist: the usage is what is wrong
        (tmp_path / name).write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_beads_against_align_output(tmp_path: Path) -> None:
    deva, roman = next(EXAMPLE.glob("000_*.txt")), next(EXAMPLE.glob("001_*.txt"))
    runner = CliRunner()
    aligned = tmp_path / "hyp.jsonl"
    assert runner.invoke(main, ["align", str(deva), str(roman), "-o", str(aligned)]).exit_code == 0
    result = runner.invoke(main, ["evaluate", "--beads", str(aligned), "--hyp", str(aligned)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    n = len(aligned.read_text(encoding="utf-8").splitlines())
    assert (data["precision"], data["recall"], data["f1"], data["hyp_beads"]) == (1.0, 1.0, 1.0, n)
    assert data["signature"].startswith("BEADS|match:exact|")
    # a gold alignment that merges the first two beads into one 2-2 bead
    beads = [json.loads(line) for line in aligned.read_text(encoding="utf-8").splitlines()]
    merged = {"deva": beads[0]["deva"] + beads[1]["deva"], "roman": beads[0]["roman"] + beads[1]["roman"]}
    gold = _write(tmp_path / "gold.jsonl", [json.dumps(merged)] + [json.dumps(b) for b in beads[2:]])
    result = runner.invoke(main, ["evaluate", "--beads", str(gold), "--hyp", str(aligned), "--format", "text"])
    assert result.exit_code == 0
    p, r = (n - 2) / n, (n - 2) / (n - 1)
    assert f"P {100 * p:.2f} R {100 * r:.2f} F1 {100 * 2 * p * r / (p + r):.2f}" in result.stdout


def test_beads_of_a_build_are_keyed_by_document(tmp_path: Path) -> None:
    hyp = _write(
        tmp_path / "parallel.jsonl",
        [
            json.dumps({"doc_id": "a~b", "deva": [0], "roman": [0], "deva_text": "x", "roman_text": "x"}),
            json.dumps({"doc_id": "c~d", "deva": [0], "roman": [0]}),
        ],
    )
    gold = _write(tmp_path / "gold.jsonl", [json.dumps({"doc_id": "a~b", "deva": [0], "roman": [0]})])
    scores = bead_scores(read_bead_keys(hyp), read_bead_keys(gold))
    assert (scores.correct, scores.hyp_beads, scores.gold_beads) == (1, 2, 1)
    assert scores.precision == 0.5 and scores.recall == 1.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: invalid JSON"),
        ("[" * 100_000, r"line 2: invalid JSON \(nested too deeply\)"),
        ('{"a": ' * 100_000, r"line 2: invalid JSON \(nested too deeply\)"),
        ('{"deva": [0]}', "line 2: bead is missing roman"),
        ('{"deva": [-1], "roman": []}', "line 2: bad bead: Bead.deva must be consecutive"),
    ],
)
def test_bad_bead_files(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path / "g.jsonl", ['{"deva": [0], "roman": [0]}', line])
    with pytest.raises(InputError, match=message):
        read_bead_keys(path)


def test_bead_scores_validate() -> None:
    with pytest.raises(ValueError):
        BeadScores(1, 1, 2, "x")
    assert BeadScores(0, 0, 0, "x").f1 == 0.0


def test_lexicon_from_stdin_with_bom_and_crlf(tmp_path: Path) -> None:
    from lipyantar.translit.learned.learn import read_pairs

    data = "\ufeffक\tka\t1\r\nकमल\tkamal\r\n".encode()
    path = tmp_path / "lex.tsv"
    path.write_bytes(data)
    assert read_pairs(path) == [("क", "ka", 1.0), ("कमल", "kamal", 1.0)]
    path.write_bytes(data + b"\xff\tx\n")
    with pytest.raises(InputError, match="line 3, byte"):
        read_pairs(path)
    result = CliRunner().invoke(main, ["evaluate", "--direction", "roman2deva", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["words"] == 2
