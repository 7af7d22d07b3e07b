"""A large twin shared among workers: ``pair_chunks`` + ``align_bead_words`` give the beads of
``process_pair`` on the whole twin; a build that chunks every pair writes the same bytes as one that
chunks none (local -j 1 and -j 2, and Dask when installed); the engine's batches keep results in
order; twin scoring by set intersections counts multisets exactly."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lipyantar.corpora.build as build_module
from lipyantar.corpora.build import BuildOptions, build_corpus
from lipyantar.corpora.engines import open_engine
from lipyantar.corpora.pipeline import (
    BeadsTask,
    PairTask,
    align_bead_words,
    align_task,
    dedupe_key,
    pair_chunks,
    process_pair,
)
from lipyantar.corpora.stats import clean_word_pair
from lipyantar.corpora.twins import TwinProfile, _Grams, _shared


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _twin(rows: list[tuple[str, str]], seed: int = 5) -> PairTask:
    """The rows in paragraphs of 1-4 sentences, a few sentences dropped on one side (1-0 / 0-1 beads)
    and a few rows repeated (duplicates)."""
    rng = random.Random(seed)
    rows = rows + rows[:7]
    deva, roman, para_d, para_r = [], [], [], []
    for k, (d, r) in enumerate(rows):
        if k % 37 != 5:
            para_d.append(d)
        if k % 41 != 9:
            para_r.append(r)
        if rng.random() < 0.3:
            deva.append(" ".join(para_d))
            roman.append(" ".join(para_r))
            para_d, para_r = [], []
    deva.append(" ".join(para_d))
    roman.append(" ".join(para_r))
    return PairTask(7, "d.txt", "r.txt", "\n\n".join(p for p in deva if p), "\n\n".join(p for p in roman if p))


@pytest.fixture(scope="module")
def twin(dev_sentences: list[tuple[str, str]]) -> PairTask:
    return _twin(dev_sentences[:160])


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_chunks_give_the_beads_of_the_whole_pair(twin: PairTask, size: int) -> None:
    whole = process_pair(twin)
    assert whole.error is None and {b.kind for b in whole.beads} >= {"1-1", "1-0", "0-1"}
    tasks = list(pair_chunks(twin, size=size))
    assert [len(t.beads) for t in tasks[:-1]] == [size] * (len(tasks) - 1) and len(tasks[-1].beads) <= size
    assert [t.last for t in tasks] == [False] * (len(tasks) - 1) + [True]
    results = [align_bead_words(pickle.loads(pickle.dumps(t))) for t in tasks]  # as a worker gets them
    assert [r.partial for r in results] == [not t.last for t in tasks]
    assert tuple(b for r in results for b in r.beads) == whole.beads  # word links included


@pytest.mark.parametrize("size", [1, 7, 10_000])
def test_chunks_hand_out_the_dedupe_keys_of_their_beads(twin: PairTask, size: int) -> None:
    """With ``keys``, every chunk's beads have their dedupe keys in the list by the time it is yielded
    (None for one-sided beads and beads below the least score), as ``build`` takes them."""
    keys: list[bytes | None] = []
    seen: list[tuple[object, bytes | None]] = []
    for task in pair_chunks(twin, size=size, min_score=0.5, dedupe=True, keys=keys):
        assert len(keys) == len(task.beads)
        seen += zip(task.beads, keys, strict=True)
        del keys[:]
    assert len(seen) == len(process_pair(twin).beads)
    for bead, key in seen:
        if bead.deva_text and bead.roman_text and bead.score >= 0.5:
            assert key == dedupe_key(bead.deva_text, bead.roman_text)
        else:
            assert key is None
    assert any(key is None for _, key in seen) and any(key is not None for _, key in seen)
    assert not list(pair_chunks(twin, size=size, keys=keys)) or keys == []  # no dedupe: no keys


@pytest.mark.parametrize("memo", [1, 7, 30_000])
def test_without_links_the_results_carry_the_cleaned_word_pairs(
    twin: PairTask, monkeypatch: pytest.MonkeyPatch, memo: int
) -> None:
    from lipyantar.corpora import pipeline

    monkeypatch.setattr(pipeline, "CLEAN_MEMO_LIMIT", memo)  # cleaned pairs from the memo, whatever its size
    whole = process_pair(twin)
    compact = process_pair(PairTask(**{**twin.__dict__, "links": False}))
    assert compact.word_pairs is not None and len(compact.word_pairs) == len(compact.beads)
    assert all(b.words is None for b in compact.beads)
    for bead, full, pairs in zip(compact.beads, whole.beads, compact.word_pairs, strict=True):
        assert (bead.deva, bead.roman, bead.deva_text, bead.roman_text, bead.score) == (
            full.deva, full.roman, full.deva_text, full.roman_text, full.score
        )
        expected = [clean_word_pair(w.deva, w.roman) for w in full.words or () if w.kind == "1-1"]
        assert list(pairs) == [p for p in expected if p]
    assert sum(map(len, compact.word_pairs)) > 500
    # what goes back from a worker: no WordLink objects (about 5x faster to pickle and unpickle)
    assert len(pickle.dumps(compact)) < 0.75 * len(pickle.dumps(whole))


def test_a_chunk_sent_without_echo_gives_back_only_its_word_pairs(twin: PairTask) -> None:
    """echo=False: the result holds the word pairs of the chunk's beads, which are the beads the sender
    has (aligning words without links leaves them as they are)."""
    compact = PairTask(**{**twin.__dict__, "links": False})
    echoed = list(pair_chunks(compact, size=25, min_score=0.3, dedupe=True))
    silent = list(pair_chunks(compact, size=25, min_score=0.3, dedupe=True, echo=False))
    assert [t.beads for t in silent] == [t.beads for t in echoed] and not any(t.echo for t in silent)
    for full, bare in zip(map(align_bead_words, echoed), (align_bead_words(pickle.loads(pickle.dumps(t))) for t in silent), strict=True):
        assert bare.beads == () and full.beads and bare.word_pairs == full.word_pairs
        assert (bare.number, bare.partial, bare.error) == (full.number, full.partial, full.error)
    assert tuple(b for t in silent for b in t.beads) == tuple(b for r in map(align_bead_words, echoed) for b in r.beads)
    with pytest.raises(ValueError, match="echo"):
        BeadsTask(0, "d", "r", (), (), links=True, echo=False)


def test_words_are_aligned_only_where_they_are_read(twin: PairTask) -> None:
    whole = process_pair(twin)
    min_score = sorted(b.score for b in whole.beads if b.deva_text and b.roman_text)[5]
    tasks = list(pair_chunks(twin, size=50, min_score=min_score, dedupe=True))
    flags = [f for t in tasks for f in t.align]
    beads = [b for t in tasks for b in t.beads]
    seen: set[bytes] = set()
    for bead, flag in zip(beads, flags, strict=True):
        usable = bool(bead.deva_text and bead.roman_text) and bead.score >= min_score
        key = dedupe_key(bead.deva_text, bead.roman_text)
        assert flag == (usable and key not in seen)
        if usable:
            seen.add(key)
    assert flags.count(False) >= 5 + 7  # low scores and the repeated rows
    results = [align_task(t) for t in tasks]
    aligned = [b for r in results for b in r.beads]
    for bead, full, flag in zip(aligned, whole.beads, flags, strict=True):
        assert bead.words == (full.words if flag else None)


def test_a_pair_that_cannot_be_aligned_is_one_error_task() -> None:
    task = PairTask(2, "d.txt", "r.txt", "क ख", "")
    whole = process_pair(task)
    tasks = list(pair_chunks(task, size=3))
    if whole.error is None:  # nothing wrong with an empty side: the same (one-sided) beads
        assert tuple(b for t in tasks for b in align_task(t).beads) == whole.beads
    else:
        assert len(tasks) == 1 and align_task(tasks[0]).error == whole.error
    with pytest.raises(ValueError, match="size"):
        list(pair_chunks(task, size=0))
    with pytest.raises(ValueError, match="align flag"):
        BeadsTask(0, "d", "r", whole.beads[:1], ())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, dev_sentences: list[tuple[str, str]], example_dir: Path) -> Path:
    """The example corpus, a larger twin (with one-sided and repeated sentences) and small twins."""
    root = tmp_path_factory.mktemp("chunks") / "corpus"
    root.mkdir()
    for path in example_dir.glob("*.txt"):
        shutil.copy(path, root / path.name)
    big = _twin(dev_sentences[:200], seed=9)
    (root / "big_hi.txt").write_text(big.deva_text + "\n", encoding="utf-8")
    (root / "big_rom.txt").write_text(big.roman_text + "\n", encoding="utf-8")
    rng = random.Random(4)
    for k in range(6):
        rows = rng.sample(dev_sentences[200:], 6)
        (root / f"s{k}_hi.txt").write_text(" ".join(r[0] for r in rows) + "\n", encoding="utf-8")
        (root / f"s{k}_rom.txt").write_text(" ".join(r[1] for r in rows) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def unchunked(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("ref") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "CHUNK_CHARS", 10**12)
        result = build_corpus([corpus], out, options=BuildOptions(model=False, min_score=0.5))
    assert len(result.twins.pairs) >= 8 and result.dropped.duplicate >= 5 and result.dropped.unmatched >= 2
    return _files(out)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_chunked_build_writes_the_same_bytes(
    corpus: Path, unchunked: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(build_module, "CHUNK_CHARS", 0)  # every pair in chunks
    monkeypatch.setattr(build_module, "CHUNK_BEADS", 9)
    monkeypatch.setattr(build_module, "BATCH_CHARS", 3000)  # and small items in batches
    seen: list[tuple[str, int, int]] = []
    build_corpus(
        [corpus],
        tmp_path / "o",
        options=BuildOptions(model=False, min_score=0.5, jobs=jobs),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert _files(tmp_path / "o") == unchunked
    align = [(done, total) for stage, done, total in seen if stage == "align"]
    assert [done for done, _ in align] == list(range(align[-1][1] + 1))  # one step a pair, not a chunk


@pytest.mark.parametrize("budget", [0, 2500, 10**12])
def test_texts_given_back_by_the_analysis_or_read_again_write_the_same_bytes(
    corpus: Path, unchunked: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    """The twins' texts come back from their analysis within KEEP_TEXT_BYTES (none, some, all) and are
    read again past it: the same bytes either way."""
    from lipyantar.corpora import pipeline

    monkeypatch.setattr(build_module, "CHUNK_CHARS", 10**12)
    monkeypatch.setattr(build_module, "KEEP_TEXT_BYTES", budget)
    given_back: list[str] = []
    analyse = pipeline.analyse_document

    def spy(task: pipeline.DocumentTask) -> pipeline.DocumentResult:
        result = analyse(task)
        assert (result.text is not None) == (task.keep_text and result.twin is not None and result.twin.side is not None)
        if result.text is not None:
            given_back.append(result.source)
        return result

    monkeypatch.setattr(pipeline, "analyse_document", spy)  # (called by analyse_documents, in this process)
    result = build_corpus([corpus], tmp_path / "o", options=BuildOptions(model=False, min_score=0.5))
    assert _files(tmp_path / "o") == unchunked
    paired = {side for pair in result.twins.pairs for side in (pair.devanagari, pair.romanized)}
    assert (len(given_back) == 0) == (budget == 0)
    assert (paired <= set(given_back)) == (budget == 10**12)


def test_local_workers_read_the_files_and_skip_the_same_ones(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With local workers (-j 2) the workers read the documents (this process only looks at their sizes);
    files that cannot be used are skipped for the same reasons, in the same order: the same bytes as -j 1."""
    root = tmp_path / "corpus"
    shutil.copytree(corpus, root)
    (root / "a_image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (root / "b_empty.txt").write_bytes(b"")
    (root / "c_blank.txt").write_text("  \n\n", encoding="utf-8")
    (root / "d_latin1.txt").write_bytes("caf\xe9 na\xefve r\xe9sum\xe9 \xff\xfe".encode("latin-1"))
    outputs = {}
    for jobs in (1, 2):
        build_corpus([root], tmp_path / f"o{jobs}", options=BuildOptions(model=False, min_score=0.5, jobs=jobs))
        outputs[jobs] = _files(tmp_path / f"o{jobs}")
    assert outputs[1] == outputs[2]
    skipped = outputs[2]["skipped.jsonl"].decode("utf-8")
    assert all(name in skipped for name in ("a_image.png", "b_empty.txt", "c_blank.txt"))
    read_here: list[object] = []
    monkeypatch.setattr(build_module, "read_bytes", lambda path: read_here.append(path) or b"")
    build_corpus([root], tmp_path / "o3", options=BuildOptions(model=False, min_score=0.5, jobs=2))
    assert _files(tmp_path / "o3") == outputs[1] and read_here == []


def test_a_chunked_build_on_dask_writes_the_same_bytes(
    corpus: Path, unchunked: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(build_module, "CHUNK_CHARS", 0)
    monkeypatch.setattr(build_module, "CHUNK_BEADS", 9)
    monkeypatch.setattr(build_module, "BATCH_CHARS", 3000)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        options = BuildOptions(model=False, min_score=0.5, engine="dask", scheduler=cluster.scheduler_address)
        build_corpus([corpus], tmp_path / "o", options=options)
    assert _files(tmp_path / "o") == unchunked


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(("batch", "window"), [(None, None), (1, 1), (5, 2), (50, None), (1000, 3)])
def test_batches_keep_the_results_in_order(jobs: int, batch: int | None, window: int | None) -> None:
    items = [-k for k in range(60)]
    with open_engine(jobs=jobs) as session:
        assert list(session.map(abs, items, batch=batch, window=window)) == list(range(60))
        weighed = session.map(abs, items, batch=batch, window=window, weigh=lambda k: -k % 7)
        assert list(weighed) == list(range(60))
        assert list(session.map(abs, [], batch=batch)) == []


def _profile(words: list[str]) -> TwinProfile:
    return TwinProfile.of(words)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from("k m n p r s t v".split()), max_size=40),
    st.lists(st.sampled_from("k m n p r s t v".split()), max_size=40),
)
def test_shared_counts_are_multiset_intersections(a: list[str], b: list[str]) -> None:
    pa, pb = _profile(a), _profile(b)
    for keys, counts, other_keys, other_counts, pick in (
        ("bigram_keys", "bigram_counts", "bigram_keys", "bigram_counts", lambda g: (g.bigrams, g.bigram_repeats)),
        ("trigram_keys", "trigram_counts", "trigram_keys", "trigram_counts", lambda g: (g.trigrams, g.trigram_repeats)),
    ):
        ca = Counter(dict(zip(getattr(pa, keys), getattr(pa, counts), strict=True)))
        cb = Counter(dict(zip(getattr(pb, other_keys), getattr(pb, other_counts), strict=True)))
        expected = sum((ca & cb).values())
        sets, repeats = pick(_Grams(pa))
        other_sets, _ = pick(_Grams(pb, repeats=False))
        assert _shared(sets, repeats, other_sets, getattr(pb, other_keys), getattr(pb, other_counts)) == expected
    # the score is symmetric and 1 for a text with itself
    assert pa.score(pb) == pytest.approx(pb.score(pa))
    if len(a) >= 3:
        assert pa.score(pa) == pytest.approx(1.0)


_PRELOADED: list[str] = []


@contextlib.contextmanager
def _preload() -> Iterator[None]:
    _PRELOADED.append("loaded")
    try:
        yield
    finally:
        _PRELOADED.clear()


def _preloaded(_: object) -> int:
    return len(_PRELOADED)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="preload needs fork")
def test_preload_is_what_forked_workers_start_with_and_is_let_go_of() -> None:
    with open_engine(jobs=2, preload=_preload) as session:
        assert _PRELOADED == []  # this process let go of it once the workers ran
        assert list(session.map(_preloaded, range(6))) == [1] * 6  # every worker started with it
    with open_engine(jobs=1, preload=_preload) as session:  # no workers: nothing preloaded
        assert list(session.map(_preloaded, range(2))) == [0, 0]


def test_shared_tables_loads_the_language_model_and_lets_go_of_it() -> None:
    from lipyantar.corpora.langid import load_model
    from lipyantar.corpora.pipeline import shared_tables

    load_model.cache_clear()
    with shared_tables():
        model = load_model()
        assert load_model.cache_info().currsize == 1
        assert all(model._tables._lm.get(lang) for lang in ("hi-Latn", "en", "fa", "ur", "ar"))
    assert load_model.cache_info().currsize == 0
    kept = load_model()
    with shared_tables():
        pass
    assert load_model() is kept  # loaded before: kept


@pytest.mark.parametrize("limit", [1, 3, 100_000])
def test_the_memo_of_cleaned_word_pairs_gives_clean_word_pair(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    from lipyantar.corpora import pipeline
    from lipyantar.corpora.stats import clean_word_pair

    monkeypatch.setattr(pipeline, "CLEAN_MEMO_LIMIT", limit)
    monkeypatch.setattr(pipeline, "_CLEANED", {})
    pairs = [("घर,", "Ghar"), ("के", "ke"), ("घर,", "Ghar"), ("२०", "20"), ("की", "ki!"), ("के", "ke"), ("x", "y")]
    for deva, roman in pairs * 2:
        assert pipeline._clean_pair(deva, roman) == clean_word_pair(deva, roman)
        assert len(pipeline._CLEANED) <= limit
    if limit > len(pairs):  # one object per pair: pickled once in a batch
        assert pipeline._clean_pair("घर,", "Ghar") is pipeline._clean_pair("घर,", "Ghar")


def _restarted_state(_: object) -> int:
    return len(_PRELOADED)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="restart needs fork")
def test_restarted_workers_start_with_what_this_process_holds_then() -> None:
    with open_engine(jobs=2) as session:
        assert session.forks
        assert list(session.map(_restarted_state, range(4))) == [0] * 4
        with _preload():
            assert session.restart()
        assert list(session.map(_restarted_state, range(4))) == [1] * 4
        assert session.restart(_preload)
        assert list(session.map(_restarted_state, range(4))) == [1] * 4
        assert _PRELOADED == []
    with open_engine(jobs=1) as session:
        assert not session.forks and not session.restart()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="restart needs fork")
@pytest.mark.parametrize(("part", "exhaustive"), [(1, True), (2, False), (1000, False)])
def test_twins_scored_by_the_workers_give_the_same_build(
    corpus: Path,
    unchunked: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    part: int,
    exhaustive: bool,
) -> None:
    import lipyantar.corpora.twins as twins

    monkeypatch.setattr(build_module, "CHUNK_CHARS", 10**12)
    monkeypatch.setattr(build_module, "SCORING_PART", part)
    monkeypatch.setattr(twins, "SCORING_PART", part)
    if not exhaustive:
        monkeypatch.setattr(twins, "EXHAUSTIVE_PAIRS", 4)  # likely pairs from the inverted index
    restarts: list[int] = []
    real = build_module.shared_scoring

    @contextlib.contextmanager
    def counted(candidates: object, **options: object) -> Iterator[object]:
        restarts.append(1)
        with real(candidates, **options) as token:  # type: ignore[arg-type]
            yield token

    monkeypatch.setattr(build_module, "shared_scoring", counted)
    outputs = []
    for jobs in (1, 2):
        build_corpus([corpus], tmp_path / f"o{jobs}", options=BuildOptions(model=False, min_score=0.5, jobs=jobs))
        outputs.append(_files(tmp_path / f"o{jobs}"))
    assert outputs[0] == outputs[1]
    assert restarts == ([1] if 2 * part < 20 else [])  # the corpus has 20 candidates (9 pairs)
    assert twins._SHARED is None
    if exhaustive:
        assert outputs[1] == unchunked


def test_pair_twins_with_a_map_needs_the_shared_candidates() -> None:
    from lipyantar.corpora.twins import _score_part, pair_twins, shared_scoring

    with pytest.raises(ValueError, match="shared_scoring"):
        pair_twins([], map_fn=map)
    with pytest.raises(RuntimeError, match="shared"):
        _score_part((0, 1, 12345))
    with shared_scoring([]) as token:
        report = pair_twins([], map_fn=map, shared=token)  # in this process: the same as without
    assert report == pair_twins([])
