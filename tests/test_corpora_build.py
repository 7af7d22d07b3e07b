"""``lipyantar build``: the whole pipeline on the example corpus plus bad files."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from lipyantar.cli import main
from lipyantar.corpora.build import OUTPUT_FILES, build_corpus
from lipyantar.corpora.parallel import read_parallel
from lipyantar.corpora.stats import VariantTable
from lipyantar.translit.errors import InputError
from lipyantar.translit.learned.adaptation import is_adaptation
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel

TINY_PAIRS = [
    ("है", "hai", 5.0),
    ("नहीं", "nahin", 3.0),
    ("घर", "ghar", 2.0),
    ("में", "mein", 4.0),
    ("का", "ka", 3.0),
    ("की", "ki", 3.0),
    ("यह", "yah", 2.0),
    ("और", "aur", 3.0),
]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base model trained on a handful of pairs (the shipped one is slow to load and save)."""
    path = tmp_path_factory.mktemp("model") / "tiny.lpm"
    train(TINY_PAIRS, em_iterations=2).save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_dir: Path, tiny_model: Path) -> tuple[Path, Path]:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in example_dir.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    (corpus / "latin1.txt").write_bytes("café déjà vu".encode("latin-1"))
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (corpus / "utf16.txt").write_bytes("यह एक छोटा सा घर है।\n".encode("utf-16"))
    (corpus / "empty").mkdir()
    before = {p.name: p.read_bytes() for p in corpus.iterdir() if p.is_file()}
    out = tmp_path_factory.mktemp("out") / "built"
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(out), "--base-model", str(tiny_model)])
    assert result.exit_code == 0, result.stderr
    assert {p.name: p.read_bytes() for p in corpus.iterdir() if p.is_file()} == before  # input untouched
    assert "skipped" in result.stderr and "latin1.txt" in result.stderr and "image.png" in result.stderr
    return corpus, out


def test_build_writes_every_file(built: tuple[Path, Path]) -> None:
    _, out = built
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_build_parallel_outputs_agree(built: tuple[Path, Path]) -> None:
    _, out = built
    tsv = (out / "parallel.tsv").read_text(encoding="utf-8").splitlines()
    deva = (out / "parallel.deva").read_text(encoding="utf-8").splitlines()
    roman = (out / "parallel.roman").read_text(encoding="utf-8").splitlines()
    corpus = read_parallel(out / "parallel.jsonl")  # align's reader still reads it as beads
    assert len(tsv) == len(deva) == len(roman) == len(corpus.beads) == 25
    assert [line.split("\t")[0] for line in tsv] == deva


def test_build_jsonl_is_flat_and_tabular(built: tuple[Path, Path]) -> None:
    _, out = built
    records = [json.loads(line) for line in (out / "parallel.jsonl").read_text(encoding="utf-8").splitlines()]
    keys = list(records[0])
    for index, record in enumerate(records):
        assert list(record) == keys  # same columns on every line
        assert record["id"] == index
        for key, value in record.items():
            if isinstance(value, list):
                assert all(isinstance(v, int) for v in value), key
            else:
                assert isinstance(value, (str, int, float)), key
    first = records[0]
    assert first["doc_id"].startswith("000_") and "~001_" in first["doc_id"]
    assert Path(first["deva_source"]).name.startswith("000_")
    assert first["deva"] == [0] and first["roman"] == [0] and first["type"] == "1-1"
    assert 0.0 <= first["score"] <= 1.0


def test_build_lexicon_stats_and_model(built: tuple[Path, Path]) -> None:
    _, out = built
    lexicon = VariantTable.from_tsv((out / "lexicon.tsv").read_text(encoding="utf-8").splitlines())
    table = {e.native: dict(e.variants) for e in lexicon.entries}
    assert table["है"].get("he", 0) >= 10  # the twin writes है as "he"
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert stats["documents"] == 6
    assert stats["parallel"]["bead_types"]["1-1"] == 25
    assert stats["parallel"]["variants"]["words"] == lexicon.words
    build = stats["build"]
    assert build["twin_pairs"] == 1 and build["sentence_pairs_written"] == 25
    assert build["dropped"] == {"unmatched": 0, "low_score": 0, "duplicate": 0}
    assert build["files_skipped"] == 2 and build["model"] == "model.lpm"
    # adapted from another base than the installed default: written in full (an adaptation could not find it)
    assert not is_adaptation((out / "model.lpm").read_bytes())
    model = LearnedModel.load(out / "model.lpm")
    assert model.romanize("है") == "he"  # the base model says "hai"; the corpus taught it "he"


def test_build_reports_skipped_files_and_twins(built: tuple[Path, Path]) -> None:
    _, out = built
    skipped = [json.loads(line) for line in (out / "skipped.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(s["source"]).name: s["reason"].split(" ")[0] for s in skipped} == {
        "image.png": "binary",
        "latin1.txt": "invalid",
    }
    twins = json.loads((out / "twins.json").read_text(encoding="utf-8"))
    assert len(twins["pairs"]) == 1
    assert {Path(u["source"]).name[:3]: u["language"] for u in twins["unpaired"]} == {
        "002": "en",
        "003": "fa",
        "004": "en",
        "utf": "hi",
    }


class _Plots(HTMLParser):
    """Collects the SVG plots of the report and counts their marks."""

    def __init__(self) -> None:
        super().__init__()
        self.plots: dict[str, dict[str, int]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg" and a.get("class") == "plot":
            self._current = a["data-plot"]
            self.plots[self._current or ""] = {"bar": 0, "pt": 0}
        elif self._current and tag in ("rect", "circle") and a.get("class") in ("bar", "pt"):
            self.plots[self._current][a["class"] or ""] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._current = None


def test_build_report_has_plots_with_data(built: tuple[Path, Path]) -> None:
    _, out = built
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<h1>Corpus report</h1>" in report and "latin1.txt" in report
    parser = _Plots()
    parser.feed(report)
    plots = parser.plots
    for name in ("length-deva", "length-roman", "bead-types", "alignment-scores", "script-mix"):
        assert plots[name]["bar"] > 0, name
    # every word of the example has one romanization: no variants plot (it would be a frequency chart)
    assert "variants" not in plots and "No word varies" in report
    assert plots["length-ratio"]["pt"] == 25
    assert plots["bead-types"]["bar"] == 1  # all 1-1
    assert plots["script-mix"]["bar"] >= 6  # at least one bar per document


def test_build_without_documents(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no readable text documents"):
        build_corpus([tmp_path], tmp_path.parent / f"{tmp_path.name}-out")
    result = CliRunner().invoke(main, ["build", str(tmp_path), "-o", str(tmp_path.parent / "out-x")])
    assert result.exit_code == 1
    assert "lipyantar: error:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path.parent / "out-x").exists()


def test_build_without_twins_still_writes(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "en.txt").write_text("The house is big and the school is old.\n", encoding="utf-8")
    result = build_corpus([corpus], tmp_path / "out")
    assert result.beads == 0 and not result.twins.pairs and result.model is None
    assert (tmp_path / "out" / "parallel.tsv").read_text(encoding="utf-8") == ""
    assert "0 twin pair(s)" in result.summary() and "no model" in result.summary()
    assert any("no model written" in n for n in result.notes)
