"""What every command of the ``lipyantar`` command line shares (:mod:`lipyantar.translit.options`): one
error for a path that does not exist, warnings that ``-q`` silences, and one training path for
``learn --base none`` and :func:`lipyantar.train`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"

#: (the command line, with MISSING where a path that does not exist goes); each reads that path
MISSING_PATH_CASES = [
    ["convert", "--from", "deva", "--to", "iast", "MISSING"],
    ["convert", "--from", "roman", "--to", "deva", "--model", "MISSING", "EXISTING"],
    ["align", "MISSING", "EXISTING"],
    ["align", "EXISTING", "MISSING"],
    ["learn", "MISSING", "-o", "OUT"],
    ["learn", "--twin", "EXISTING", "MISSING", "-o", "OUT"],
    ["learn", "--base", "none", "--pronunciations", "MISSING", "EXISTING", "-o", "OUT"],
    ["evaluate", "--direction", "roman2deva", "MISSING"],
    ["evaluate", "--direction", "roman2deva", "--model", "MISSING", "EXISTING"],
    ["evaluate", "--hyp", "MISSING", "--ref", "EXISTING"],
    ["evaluate", "--hyp", "EXISTING", "--ref", "MISSING"],
    ["evaluate", "--hyp", "EXISTING", "--beads", "MISSING"],
    ["detect", "MISSING"],
    ["detect", "EXISTING", "MISSING"],
    ["twins", "MISSING"],
    ["stats", "MISSING"],
    ["stats", "--parallel", "MISSING"],
    ["build", "MISSING", "-o", "OUTDIR"],
    ["build", "EXISTING", "-o", "OUTDIR", "--base-model", "MISSING"],
    ["serve", "--model", "MISSING"],
]


@pytest.mark.parametrize("args", MISSING_PATH_CASES, ids=lambda args: " ".join(args))
def test_a_missing_path_is_the_same_error_in_every_command(tmp_path: Path, args: list[str]) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("यह घर है।\n", encoding="utf-8")
    missing = tmp_path / "no" / "such.txt"
    names = {
        "MISSING": str(missing),
        "EXISTING": str(existing),
        "OUT": str(tmp_path / "out.lpm"),
        "OUTDIR": str(tmp_path / "outdir"),
    }
    result = CliRunner().invoke(main, [names.get(a, a) for a in args])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"lipyantar: error: {missing}: no such file or directory\n"
    assert result.stdout == ""
    assert not (tmp_path / "out.lpm").exists() and not (tmp_path / "outdir").exists()


def test_a_broken_link_is_named(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    result = CliRunner().invoke(main, ["detect", str(link)])
    assert result.exit_code == 1
    assert result.stderr == f"lipyantar: error: {link}: no such file or directory (a broken symbolic link)\n"


def test_standard_input_is_not_a_missing_path() -> None:
    result = CliRunner().invoke(main, ["convert", "--from", "deva", "--to", "iast", "-"], input="घर\n")
    assert result.exit_code == 0 and result.stdout == "ghara\n"


@pytest.mark.parametrize(
    "args",
    [
        # --words only changes jsonl output: a warning
        ["align", "--words", "--format", "tsv", str(EXAMPLE / "000_fe791b896c794821.txt"), "ROMAN"],
        # a folder without files: a warning of the corpora commands
        ["detect", "EMPTY", str(EXAMPLE / "000_fe791b896c794821.txt")],
    ],
    ids=["align", "detect"],
)
def test_quiet_silences_every_warning(tmp_path: Path, args: list[str]) -> None:
    roman = next(EXAMPLE.glob("001_*.txt"))
    (tmp_path / "empty").mkdir()
    args = [{"ROMAN": str(roman), "EMPTY": str(tmp_path / "empty")}.get(a, a) for a in args]
    loud = CliRunner().invoke(main, args)
    assert loud.exit_code == 0, loud.output
    assert "lipyantar: warning:" in loud.stderr
    quiet = CliRunner().invoke(main, ["-q", *args])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == "" and quiet.stdout == loud.stdout


def test_learn_base_none_gives_the_model_of_the_api(tmp_path: Path) -> None:
    """``learn --base none PAIRS`` and ``lipyantar.train(read_pairs(PAIRS))`` train through the same path:
    the same model file, so the same outputs (the vocabulary index included)."""
    from test_learned import synthetic_pairs  # tests/ is on sys.path under pytest

    import lipyantar

    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{d}\t{r}\t{c:g}\n" for d, r, c in synthetic_pairs(300, seed=4)), encoding="utf-8")
    cli_file = tmp_path / "cli.lpm"
    result = CliRunner().invoke(main, ["-q", "learn", "--base", "none", str(pairs), "-o", str(cli_file)])
    assert result.exit_code == 0, result.output
    api = lipyantar.train(lipyantar.read_pairs(pairs))
    assert api.vocab_index  # the index that the command line's model always had
    api_file = tmp_path / "api.lpm"
    api.save(api_file)
    assert cli_file.read_bytes() == api_file.read_bytes()
    cli = lipyantar.load_model(cli_file)
    for word in ("kamala", "naamaka", "kitaa"):
        assert cli.devanagarize_topk(word, 5) == api.devanagarize_topk(word, 5)


def test_evaluate_beads_matches_a_build_against_align_output(tmp_path: Path) -> None:
    """A build's parallel.jsonl (its doc_id names the twin pair) scored against ``align`` JSONL (no
    doc_id) of the same twin: the one document on each side is the same document."""
    deva, roman = EXAMPLE / "000_fe791b896c794821.txt", next(EXAMPLE.glob("001_*.txt"))
    runner = CliRunner()
    aligned = tmp_path / "align.jsonl"
    assert runner.invoke(main, ["align", str(deva), str(roman), "-o", str(aligned)]).exit_code == 0
    build = tmp_path / "build.jsonl"
    lines = [json.loads(line) for line in aligned.read_text(encoding="utf-8").splitlines()]
    build.write_text(
        "".join(json.dumps({"doc_id": f"{deva.name}~{roman.name}", **bead}) + "\n" for bead in lines),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["evaluate", "--beads", str(build), "--hyp", str(aligned)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["f1"] == 1.0 and scores["correct"] == len(lines)


def test_evaluate_beads_refuses_documents_that_cannot_match(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "".join(json.dumps({"doc_id": doc, "deva": [0], "roman": [0]}) + "\n" for doc in ("a~b", "c~d")),
        encoding="utf-8",
    )
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text(json.dumps({"deva": [0], "roman": [0]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", "--beads", str(gold), "--hyp", str(hyp)])
    assert result.exit_code == 1
    assert "no document in common" in result.stderr and "'a~b'" in result.stderr
    assert result.stdout == ""
