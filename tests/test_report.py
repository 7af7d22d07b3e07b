"""report.html: sample and lowest-scoring pairs, alignment-score histogram, variants that vary, exports."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lipyantar.corpora.build import SAMPLE_ROWS, BuildOptions, _spread, build_corpus

ROOT = Path(__file__).resolve().parent.parent


class _Report(HTMLParser):
    """The report's tables (rows of cell texts, by data-table name), plots (marks) and export buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.plots: dict[str, int] = {}
        self.buttons: list[tuple[str, str]] = []
        self._table: str | None = None
        self._plot: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._table = a["data-table"]
            self.tables[self._table or ""] = []
        elif tag == "tr" and self._table and a.get("class") != "head":
            self.tables[self._table].append([])
        elif tag == "td" and self._table:
            self._cell = []
        elif tag == "svg" and a.get("class") == "plot":
            self._plot = a["data-plot"]
            self.plots[self._plot or ""] = 0
        elif tag == "rect" and self._plot and a.get("class") == "bar":
            self.plots[self._plot] += 1
        elif tag == "button" and a.get("data-export"):
            self.buttons.append((a["data-plot"] or "", a["data-export"] or ""))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "svg":
            self._plot = None


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory, dev_sentences: list[tuple[str, str]]) -> tuple[Path, _Report]:
    """A twin made of 60 Dakshina dev sentences: each sentence was romanized by its own annotator, so
    common words (है, में, की) are spelled several ways."""
    corpus = tmp_path_factory.mktemp("varied")
    rows = dev_sentences[:60]
    (corpus / "hi.txt").write_text("\n".join(d for d, _ in rows) + "\n", encoding="utf-8")
    (corpus / "rom.txt").write_text("\n".join(r for _, r in rows) + "\n", encoding="utf-8")
    out = corpus.parent / "varied-out"
    build_corpus([corpus], out, options=BuildOptions(model=False, jobs=1, min_score=0.0))
    parser = _Report()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    return out, parser


def _written(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "parallel.jsonl").read_text(encoding="utf-8").splitlines()]


def test_sample_pairs_are_written_pairs_spread_over_the_corpus(varied: tuple[Path, _Report]) -> None:
    out, report = varied
    written = {str(r["id"]): r for r in _written(out)}
    rows = report.tables["sample-pairs"]
    assert len(rows) == min(SAMPLE_ROWS, len(written))
    ids = [int(r[0]) for r in rows]
    assert ids == sorted(ids) and ids[0] == 0 and ids[-1] >= 0.8 * len(written)
    assert max(b - a for a, b in itertools.pairwise(ids)) <= 2 * len(written) / SAMPLE_ROWS
    for pair_id, deva, roman, score, kind, status in rows:
        record = written[pair_id]
        assert deva.rstrip("…") in record["deva_text"] and roman.rstrip("…") in record["roman_text"]
        assert float(score) == pytest.approx(record["score"], abs=5e-4)
        assert kind == record["type"] and status == "written"


def test_lowest_pairs_are_the_lowest_scores(varied: tuple[Path, _Report]) -> None:
    out, report = varied
    rows = report.tables["lowest-pairs"]
    scores = [float(r[3]) for r in rows]
    assert scores == sorted(scores)
    everything = sorted(r["score"] for r in _written(out))  # min-score 0: every sentence pair is written
    assert scores == pytest.approx(everything[: len(rows)], abs=5e-4)


def test_alignment_score_histogram_counts_every_sentence_pair(varied: tuple[Path, _Report]) -> None:
    out = varied[0]
    html = (out / "report.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg class="plot" data-plot="alignment-scores".*?</svg>', html, re.S)
    assert svg is not None
    counts = [int(n) for n in re.findall(r"<title>score [0-9.]+–[0-9.]+: (\d+) written</title>", svg.group())]
    assert sum(counts) == len(_written(out))


def test_variants_are_words_that_vary(varied: tuple[Path, _Report]) -> None:
    out, report = varied
    rows = report.tables["variants"]
    assert rows and report.plots["variants"] >= 2 * min(len(rows), 15)
    lexicon: dict[str, set[str]] = {}
    for line in (out / "lexicon.tsv").read_text(encoding="utf-8").splitlines():
        native, roman, _count = line.split("\t")
        lexicon.setdefault(native, set()).add(roman)
    for word, _count, _entropy, spellings in rows:
        romans = {s.rsplit(" ×", 1)[0] for s in spellings.split(", ")}
        assert len(romans) > 1 and romans == lexicon[word]
    assert any(word == "है" for word, *_ in rows)


def test_every_plot_has_svg_and_png_export(varied: tuple[Path, _Report]) -> None:
    _, report = varied
    assert set(report.buttons) == {(p, fmt) for p in report.plots for fmt in ("svg", "png")}


@pytest.mark.parametrize(
    ("n", "k", "expected"), [(0, 5, []), (3, 5, [0, 1, 2]), (10, 5, [0, 2, 4, 7, 9]), (10, 1, [0]), (5, 2, [0, 4])]
)
def test_spread(n: int, k: int, expected: list[int]) -> None:
    assert _spread(list(range(n)), k) == expected


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_png_export_works_in_a_browser(varied: tuple[Path, _Report], tmp_path: Path) -> None:
    out, report = varied
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_report.py"), str(out / "report.html"), "--check-exports",
         "--export-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    pngs = {p.stem for p in tmp_path.glob("*.png")}
    assert pngs == set(report.plots)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in tmp_path.glob("*.png"))
