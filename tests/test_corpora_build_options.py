"""``lipyantar build`` options: --jobs, --min-score, deduplication, --force, atomic output, progress."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import lipyantar.corpora.build as build_module
from lipyantar.cli import main
from lipyantar.corpora.build import BUILD_GC_THRESHOLD, BuildOptions, DropCounts, build_corpus
from lipyantar.translit.errors import InputError

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow


def _twin_corpus(root: Path, sentences: list[tuple[str, str]], *, docs: int, size: int) -> Path:
    """``docs`` twin pairs of ``size`` sentences (3 a paragraph) plus an English distractor."""
    corpus = root / "corpus"
    corpus.mkdir()
    for k in range(docs):
        rows = sentences[k * size : (k + 1) * size]
        for side, suffix in ((0, "deva"), (1, "roman")):
            paragraphs = [" ".join(r[side] for r in rows[i : i + 3]) for i in range(0, len(rows), 3)]
            (corpus / f"doc{k:02d}.{suffix}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (corpus / "english.txt").write_text(
        "The house is big and the school is old. We walked to the river and back.\n", encoding="utf-8"
    )
    return corpus


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_jobs_output_is_byte_identical(tmp_path: Path, dev_sentences: list[tuple[str, str]]) -> None:
    corpus = _twin_corpus(tmp_path, dev_sentences, docs=4, size=9)
    runner = CliRunner()
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = runner.invoke(main, ["build", str(corpus), "-o", str(out), "--no-model", "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        assert "4 twin pair(s)" in result.stderr
        outputs.append(_files(out))
    assert outputs[0] == outputs[1]
    assert outputs[0]["parallel.tsv"].count(b"\n") >= 30


def test_min_score_and_dedupe(tmp_path: Path, dev_sentences: list[tuple[str, str]]) -> None:
    rows = dev_sentences[:6] * 2  # every sentence pair twice
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("\n".join(d for d, _ in rows) + "\n", encoding="utf-8")
    (corpus / "b.txt").write_text("\n".join(r for _, r in rows) + "\n", encoding="utf-8")
    result = build_corpus([corpus], tmp_path / "out", options=BuildOptions(model=False))
    assert result.aligned == 12 and result.dropped.duplicate == 6 and result.beads == 6
    kept = build_corpus(
        [corpus], tmp_path / "keep", options=BuildOptions(model=False, dedupe=False, min_score=0.0)
    )
    assert kept.beads == 12 and kept.dropped == DropCounts()
    strict = build_corpus([corpus], tmp_path / "strict", options=BuildOptions(model=False, min_score=1.0))
    assert strict.dropped.low_score > 0
    assert strict.beads == 12 - strict.dropped.low_score - strict.dropped.duplicate
    lines = (tmp_path / "strict" / "parallel.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == strict.beads and all(line.endswith("\t1.0") for line in lines)
    stats = json.loads((tmp_path / "strict" / "stats.json").read_text(encoding="utf-8"))
    assert stats["build"]["dropped"]["low_score"] == strict.dropped.low_score
    assert stats["parallel"]["bead_types"]["1-1"] == 12  # every aligned bead
    lexicon = (tmp_path / "strict" / "lexicon.tsv").read_text(encoding="utf-8").splitlines()
    assert stats["parallel"]["variants"]["tokens"] == sum(int(line.split("\t")[2]) for line in lexicon)


def test_refuses_non_empty_outdir_without_force(tmp_path: Path, example_dir: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(example_dir), "-o", str(out), "--no-model"])
    assert result.exit_code == 1
    assert "lipyantar: error:" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    result = runner.invoke(main, ["build", str(example_dir), "-o", str(out), "--no-model", "--force"])
    assert result.exit_code == 0, result.stderr
    assert not (out / "keep.txt").exists() and (out / "parallel.tsv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary directories left behind


def test_empty_outdir_is_used(tmp_path: Path, example_dir: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    build_corpus([example_dir], out, options=BuildOptions(model=False))
    assert (out / "report.html").exists()


@pytest.mark.parametrize(
    ("before", "during"),
    [
        ((700, 10, 10), (BUILD_GC_THRESHOLD, 10, 10)),  # Python's default: raised
        ((0, 10, 10), (0, 10, 10)),  # the collector switched off by threshold 0: left off
        ((BUILD_GC_THRESHOLD * 2, 5, 3), (BUILD_GC_THRESHOLD * 2, 5, 3)),  # higher already: kept
    ],
)
@pytest.mark.parametrize("fails", [False, True])
def test_build_raises_the_collector_threshold_and_sets_it_back(
    tmp_path: Path,
    example_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: tuple[int, int, int],
    during: tuple[int, int, int],
    fails: bool,
) -> None:
    seen: list[tuple[int, int, int]] = []
    check = build_module._check_outdir

    def spy(*args: object, **kwargs: object) -> None:
        seen.append(gc.get_threshold())
        check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_check_outdir", spy)
    out = tmp_path / "out"
    out.mkdir()
    if fails:
        (out / "keep.txt").write_text("mine\n", encoding="utf-8")  # not empty, no --force: InputError
    saved = gc.get_threshold()
    gc.set_threshold(*before)
    try:
        try:
            build_corpus([example_dir], out, options=BuildOptions(model=False))
        except InputError:
            assert fails
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*saved)
    assert seen and set(seen) == {during}
    assert after == before


def test_refuses_outdir_containing_an_input(tmp_path: Path, example_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("यह घर है।\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path), "--force"])
    assert result.exit_code == 1 and "contains an input" in result.stderr
    assert (corpus / "a.txt").exists()


def test_failed_build_leaves_no_output(
    tmp_path: Path, example_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lipyantar.corpora.report

    def boom(**_: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lipyantar.corpora.report, "render_report", boom)
    with pytest.raises(RuntimeError):
        build_corpus([example_dir], tmp_path / "out", options=BuildOptions(model=False))
    assert list(tmp_path.iterdir()) == []
    # a previous complete build survives a failed --force rebuild
    monkeypatch.undo()
    build_corpus([example_dir], tmp_path / "out", options=BuildOptions(model=False))
    before = _files(tmp_path / "out")
    monkeypatch.setattr(lipyantar.corpora.report, "render_report", boom)
    with pytest.raises(RuntimeError):
        build_corpus([example_dir], tmp_path / "out", options=BuildOptions(model=False, force=True))
    assert _files(tmp_path / "out") == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_progress(tmp_path: Path, example_dir: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    build_corpus(
        [example_dir],
        tmp_path / "out",
        options=BuildOptions(model=False),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert [c for c in calls if c[0] == "detect"] == [("detect", k, 5) for k in range(6)]
    assert [c for c in calls if c[0] == "align"] == [("align", 0, 1), ("align", 1, 1)]
    assert calls[-1] == ("report", 3, 3)
    assert [c[0] for c in calls if c[0] != calls[calls.index(c) - 1][0]] == ["detect", "align", "report"]
    runner = CliRunner()
    quiet = runner.invoke(main, ["build", str(example_dir), "-o", str(tmp_path / "a"), "--no-model"])
    assert "%|" not in quiet.stderr and "documents" not in quiet.stderr  # not a terminal: no bar
    shown = runner.invoke(
        main, ["build", str(example_dir), "-o", str(tmp_path / "b"), "--no-model", "--progress"]
    )
    assert "build: detect: 100%" in shown.stderr and "5/5 documents" in shown.stderr
    assert "build: align: 1/1 twin pairs" in shown.stderr
    silent = runner.invoke(main, ["-q", "build", str(example_dir), "-o", str(tmp_path / "c"), "--no-model"])
    assert silent.exit_code == 0 and silent.stderr == ""


def test_a_bad_base_model_fails_at_the_start(tmp_path: Path, example_dir: Path) -> None:
    # issue 15: it used to exit 0 after all the work, without model.lpm
    bogus = tmp_path / "bogus.lpm"
    bogus.write_text("not a model\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", str(example_dir), "-o", str(tmp_path / "out"), "--base-model", str(bogus)]
    )
    assert result.exit_code == 1, result.stderr
    assert str(bogus) in result.stderr and "bad magic" in result.stderr
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bogus.lpm"]  # no staging directory left


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="jobs"):
        BuildOptions(jobs=0)
    with pytest.raises(ValueError, match="min_score"):
        BuildOptions(min_score=1.5)
    with pytest.raises(ValueError, match="twin_min_score"):
        BuildOptions(twin_min_score=0.0)
    with pytest.raises(ValueError):
        DropCounts(unmatched=-1)
    assert build_module.MODEL_FILE == "model.lpm"
