"""Scaling: ``build`` output (the adapted model included) identical for --jobs 1, --jobs 2 and the Dask
engine; the per-pair pipeline is a pure picklable function; engine errors are clean; ``convert`` identical
across jobs."""

from __future__ import annotations

import dataclasses
import pickle
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import lipyantar.corpora.engines as engines
import lipyantar.translit.learned.adapt_em as adapt_em
from lipyantar.cli import main
from lipyantar.corpora import PairTask, process_pair
from lipyantar.corpora.build import (
    LOWEST_ROWS,
    MAX_POINTS,
    SAMPLE_ROWS,
    BuildOptions,
    _AlignmentCollector,
    build_corpus,
)
from lipyantar.corpora.engines import EngineError, ordered_map
from lipyantar.corpora.pipeline import DocumentTask, analyse_document, analyse_documents
from lipyantar.translit.learned.learn import read_pairs, train
from lipyantar.translit.learned.model import LearnedModel

#: the quick lane leaves this module out (pytest -m "not slow")
pytestmark = pytest.mark.slow


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory, dev_sentences: list[tuple[str, str]], example_dir: Path
) -> Path:
    """The example corpus, 8 synthetic twin pairs of 10 sentences (two paragraphs) from the Dakshina
    dev sentences, a repeated pair (duplicates), an English distractor and an unreadable file."""
    root = tmp_path_factory.mktemp("scale") / "corpus"
    root.mkdir()
    for path in example_dir.glob("*.txt"):
        shutil.copy(path, root / path.name)
    rng = random.Random(3)
    for k in range(8):
        rows = rng.sample(dev_sentences, 10)
        for side, suffix in ((0, "hi"), (1, "rom")):
            text = " ".join(r[side] for r in rows[:5]) + "\n\n" + " ".join(r[side] for r in rows[5:]) + "\n"
            (root / f"syn{k:02d}_{suffix}.txt").write_text(text, encoding="utf-8")
    rows = dev_sentences[:4] * 2
    (root / "dup_hi.txt").write_text("\n".join(r[0] for r in rows) + "\n", encoding="utf-8")
    (root / "dup_rom.txt").write_text("\n".join(r[1] for r in rows) + "\n", encoding="utf-8")
    (root / "en.txt").write_text(
        "The house is big and the school is old. We walked home.\n", encoding="utf-8"
    )
    (root / "bad.txt").write_bytes("café".encode("latin-1"))
    return root


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("ref") / "out"
    result = build_corpus([corpus], out, options=BuildOptions(model=False, jobs=1))
    assert len(result.twins.pairs) >= 10 and result.beads > 80 and result.dropped.duplicate >= 4
    assert result.load.documents == 24 and [s.source for s in result.load.skipped] == [
        str(corpus / "bad.txt")
    ]
    return _files(out)


def test_jobs_2_output_is_byte_identical(corpus: Path, reference: dict[str, bytes], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(corpus), "-o", str(tmp_path / "o"), "--no-model", "-j", "2"]
    )
    assert result.exit_code == 0, result.stderr
    assert "skipped" in result.stderr and "bad.txt" in result.stderr
    assert _files(tmp_path / "o") == reference


def test_dask_engine_output_is_byte_identical(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("dask.distributed")
    import logging

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
        silence_logs=logging.ERROR,
    ) as cluster:
        runner = CliRunner()
        args = ["-q", "build", str(corpus), "--no-model", "--engine", "dask"]
        result = runner.invoke(
            main, [*args, "-o", str(tmp_path / "d"), "--scheduler", cluster.scheduler_address]
        )
        assert result.exit_code == 0, result.stderr
        assert _files(tmp_path / "d") == reference
        # the engine also maps any picklable function, in order, on the same cluster
        squares = list(
            ordered_map(abs, range(-30, 0), engine="dask", scheduler=cluster.scheduler_address, window=4)
        )
        assert squares == list(range(30, 0, -1))


def test_unreachable_scheduler_is_a_clean_error(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(engines, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "out"
    args = [
        "build",
        str(corpus),
        "-o",
        str(out),
        "--no-model",
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "lipyantar: error:" in result.stderr and "Dask scheduler tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_dask_is_a_clean_error(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    with pytest.raises(EngineError, match=r"lipyantar\[dask\]"):
        list(ordered_map(abs, [1], engine="dask"))
    result = CliRunner().invoke(
        main, ["build", str(corpus), "-o", str(tmp_path / "o"), "--no-model", "--engine", "dask"]
    )
    assert result.exit_code != 0 and "lipyantar: error:" in result.stderr and "Traceback" not in result.stderr


def test_scheduler_needs_the_dask_engine(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(corpus), "-o", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 2 and "--engine dask" in result.stderr
    with pytest.raises(ValueError, match="engine"):
        BuildOptions(engine="spark")


def test_process_pair_is_pure_and_picklable(dev_sentences: list[tuple[str, str]]) -> None:
    rows = dev_sentences[:6]
    task = PairTask(3, "a.txt", "b.txt", "\n".join(r[0] for r in rows), "\n".join(r[1] for r in rows))
    fn = pickle.loads(pickle.dumps(process_pair))
    result = fn(pickle.loads(pickle.dumps(task)))
    assert result == process_pair(task)  # same input, same output
    assert result.number == 3 and result.error is None and len(result.beads) == 6
    assert all(b.kind == "1-1" and b.words for b in result.beads)
    assert pickle.loads(pickle.dumps(result)) == result
    doc = analyse_document(DocumentTask("x.txt", data=task.deva_text.encode("utf-8")))
    assert doc.detection is not None and doc.detection.language == "hi" and doc.twin is not None
    assert pickle.loads(pickle.dumps(doc)) == doc
    bad_task = DocumentTask("y.txt", data=b"\x89PNG\r\n\x1a\n")
    bad = analyse_document(bad_task)
    assert bad.error is not None and "binary" in bad.error
    # as build sends them: pairs without links (their word pairs instead), documents in batches
    lean = process_pair(dataclasses.replace(task, links=False))
    assert lean.word_pairs is not None and len(lean.word_pairs) == 6 and all(b.words is None for b in lean.beads)
    assert pickle.loads(pickle.dumps(lean, protocol=pickle.HIGHEST_PROTOCOL)) == lean
    roman = DocumentTask("z.txt", text=task.roman_text)
    batch = analyse_documents([DocumentTask("x.txt", data=task.deva_text.encode("utf-8")), bad_task, roman])
    assert [r.source for r in batch.results] == ["x.txt", "y.txt", "z.txt"] and batch.results[1].error
    assert batch.detections.count("\n") == 2 and batch.counts.documents == 2
    again = pickle.loads(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.results == batch.results and again.detections == batch.detections
    assert again.counts.result() == batch.counts.result()
    assert again.results[0] == dataclasses.replace(doc, counts=None)


def test_report_points_are_a_bounded_deterministic_sample() -> None:
    class B:
        kind = "1-1"

        def __init__(self, n: int) -> None:
            self.deva_text = "क" * (n % 50 + 1)
            self.roman_text = "k" * (n % 70 + 1)
            self.score = (n % 97) / 97

    collector = _AlignmentCollector()
    for n in range(20 * MAX_POINTS):
        collector.add(B(n), kept=n % 3 > 0)
        assert len(collector.points) < 2 * MAX_POINTS
        assert len(collector.samples) < 2 * SAMPLE_ROWS and len(collector.lowest) <= LOWEST_ROWS
    summary = collector.summary()
    assert len(summary.points) <= MAX_POINTS and summary.stride > 1
    assert len(summary.samples) == SAMPLE_ROWS and [r.score for r in summary.lowest] == [0.0] * LOWEST_ROWS
    assert sum(a + b for a, b in summary.score_bins) == 20 * MAX_POINTS
    assert sum(summary.deva_lengths.values()) == sum(1 for n in range(20 * MAX_POINTS) if n % 3)


def test_convert_jobs_identical_on_a_file(tmp_path: Path, dev_sentences: list[tuple[str, str]]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("\n".join(d for d, _ in dev_sentences) * 8 + "\n", encoding="utf-8")
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.txt"
        result = runner.invoke(
            main, ["convert", "-f", "deva", "-t", "roman-rules", "-j", jobs, str(src), "-o", str(out)]
        )
        assert result.exit_code == 0, result.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == src.read_text(encoding="utf-8").count("\n")


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small base model (the shipped one is slow to load and save)."""
    path = tmp_path_factory.mktemp("base") / "base.lpm"
    pairs = read_pairs(Path(__file__).parent / "data" / "dakshina_dev_lexicon_sample.tsv")
    train(pairs[::3], em_iterations=2).save(path)
    return path


def test_adapted_model_is_byte_identical_across_engines(
    corpus: Path, tiny_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's EM runs in shards on the engine's workers and compiles on one of them: the whole output,
    model.lpm included, is the same for --jobs 1, --jobs 2 and Dask."""
    monkeypatch.setattr(adapt_em, "EM_SHARD_PAIRS", 40)  # several shards even for this small lexicon
    runs = [["-j", "1"], ["-j", "2"]]
    cluster = None
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        LocalCluster = None
    if LocalCluster is not None:
        import logging

        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
            silence_logs=logging.ERROR,
        )
        runs.append(["--engine", "dask", "--scheduler", cluster.scheduler_address])
    try:
        outputs = []
        for k, flags in enumerate(runs):
            out = tmp_path / f"o{k}"
            args = ["-q", "build", str(corpus), "-o", str(out), "--base-model", str(tiny_base), *flags]
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, result.stderr
            outputs.append(_files(out))
    finally:
        if cluster is not None:
            cluster.close()
    assert "model.lpm" in outputs[0]
    assert all(o == outputs[0] for o in outputs[1:])
    model = LearnedModel.load(tmp_path / "o0" / "model.lpm")
    assert model.meta["adapted_pairs"] > 100
