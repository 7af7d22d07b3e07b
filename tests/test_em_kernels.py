"""The adaptation's alignment EM by the compiled kernels (``_fastlm.em_grid``, ``em_estep``, ``em_viterbi``)
against the pure-Python reference, bit for bit; and the adaptation file that ``save_adaptation`` writes
straight from the adapted tables against the adaptation of the full model file (``save_adapted`` then
``make_adaptation``)."""

from __future__ import annotations

import json
from array import array
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lipyantar.translit.learned.adapt_em as adapt_em
import lipyantar.translit.learned.adapting as adapting
from lipyantar.translit.learned.adapt_em import EMShard, em_shard
from lipyantar.translit.learned.adaptation import is_adaptation, load_adaptation, make_adaptation
from lipyantar.translit.learned.adapting import save_adaptation, save_adapted
from lipyantar.translit.learned.charalign import deva_units, prepare_pairs
from lipyantar.translit.learned.learn import read_pairs
from lipyantar.translit.learned.model import (
    DEFAULT_MODEL_NAME,
    MODEL_FILE_FORMAT,
    LearnedModel,
    default_model,
)
from lipyantar.translit.learned.modelfile import read_arrays

DATA = Path(__file__).parent / "data"
FAST = adapt_em._EM_FAST
needs_kernels = pytest.mark.skipif(FAST is None, reason="the compiled kernels are not built")


@pytest.fixture(scope="module")
def lexicon() -> list[tuple[str, str, float]]:
    return read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")


def _units(pairs: list[tuple[str, str, float]]) -> tuple[tuple[tuple[str, ...], str, float], ...]:
    return tuple((deva_units(d), r, c) for d, r, c in prepare_pairs(pairs))


def _python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapt_em, "_EM_FAST", None)


def _steps(units: tuple, prob_seed: int = 1) -> tuple:
    """init, estep and viterbi results of one shard (the probabilities: a fixed function of the index)."""
    init = em_shard(EMShard("init", units))
    grid = init.grid
    assert grid is not None
    prob = array("d", [((g * 7919 + prob_seed) % 101) / 101.0 for g in range(grid.graphones)])
    estep = em_shard(EMShard("estep", (), grid, prob))
    viterbi = em_shard(EMShard("viterbi", (), grid, prob))
    return init.graphones, grid, list(init.counts), list(estep.counts), estep.loglik, viterbi.alignments


@needs_kernels
def test_kernel_version_is_the_one_the_code_expects() -> None:
    assert FAST.KERNEL_VERSION == adapt_em.EM_KERNEL_VERSION and adapt_em.em_compiled()


@needs_kernels
def test_shard_steps_match_python_on_the_dakshina_sample(
    lexicon: list[tuple[str, str, float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    units = _units([*lexicon[:400], ("किताबें", "k", 1.0), ("क", "kitaaben", 2.0)])
    fast = _steps(units)
    _python(monkeypatch)
    slow = _steps(units)
    assert fast[0] == slow[0]  # graphones, first-seen order
    assert fast[1] == slow[1]  # the grids, array by array
    assert fast[2:] == slow[2:]  # init counts, expected counts, log-likelihood, segmentations: exact
    assert any(a is None for a in fast[5]) and any(a is not None for a in fast[5])


_deva_unit = st.sampled_from(["क", "ख", "कि", "की", "ग़", "ं", "श्र", "त्", "अ", "ा", "ि"])
_pair = st.tuples(
    st.lists(_deva_unit, min_size=0, max_size=7).map(tuple),
    st.text(alphabet="abhikstu", min_size=0, max_size=12),
    st.sampled_from([1.0, 2.5, 100.0]),
)


@needs_kernels
@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(_pair, min_size=1, max_size=12), seed=st.integers(0, 50))
def test_shard_steps_match_python_on_random_pairs(pairs: list, seed: int) -> None:
    units = tuple(pairs)
    fast = _steps(units, seed)
    saved = adapt_em._EM_FAST
    adapt_em._EM_FAST = None
    try:
        slow = _steps(units, seed)
    finally:
        adapt_em._EM_FAST = saved
    assert fast == slow


@needs_kernels
def test_compiled_adaptation_em_aligns_like_the_sharded_python_em(
    lexicon: list[tuple[str, str, float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = default_model()
    joint = base.joint
    unigrams = {g: c for g, c in joint._unigram_counts().items() if g != 0}
    total = sum(unigrams.values())
    init = {joint.graphones[g]: c / total for g, c in unigrams.items()}
    prepared = prepare_pairs([*lexicon, ("किताबें", "k", 1.0)])
    fast = adapt_em._adapt_align(prepared, init, iterations=2)
    monkeypatch.setattr(adapt_em, "EM_SHARD_PAIRS", 97)
    _python(monkeypatch)
    slow = adapt_em._adapt_align(prepared, init, iterations=2)
    assert fast == slow and len(fast) == len(prepared) - 1


@needs_kernels
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("em_grid", (array("i", [2]), array("i", [3]), array("i", [0]), array("i", []), array("d", [1.0]), 2, 4)),
        ("em_grid", (array("i", [1]), array("i", [1]), array("i", [0, 1]), array("i", [0, 1, 2, 3]), array("d", []), 2, 4)),
        ("em_estep", (array("i", [4]), array("q", [0, 1]), array("i", [0, 9, 0]), array("d", [1.0]), array("d", [0.5]))),
        ("em_estep", (array("i", [4]), array("q", [0, 1]), array("i", [0, 3, 5]), array("d", [1.0]), array("d", [0.5]))),
        ("em_viterbi", (array("i", [4]), array("i", [2]), array("q", [0, 2]), array("i", [0, 3, 0]), array("d", [0.5]))),
    ],
)
def test_kernels_reject_malformed_input(name: str, args: tuple) -> None:
    with pytest.raises(ValueError):
        getattr(FAST, name)(*args)


def test_kernels_reject_arrays_of_another_type() -> None:
    if FAST is None:
        pytest.skip("the compiled kernels are not built")
    with pytest.raises(TypeError):
        FAST.em_estep(array("l", [4]), array("q", [0, 0]), array("i"), array("d", [1.0]), array("d"))


# -- the adaptation file written straight from the tables -------------------------------------------------
def _default_bytes() -> bytes:
    return (resources.files("lipyantar.translit.learned") / "data" / DEFAULT_MODEL_NAME).read_bytes()


@pytest.mark.parametrize("compiled", [True, False])
def test_save_adaptation_is_the_adaptation_of_the_full_model(
    lexicon: list[tuple[str, str, float]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled: bool
) -> None:
    if not compiled:
        _python(monkeypatch)
    elif FAST is None:
        pytest.skip("the compiled kernels are not built")
    base = default_model()
    pairs = lexicon[:300]
    direct, full = tmp_path / "direct.lpm", tmp_path / "full.lpm"
    assert save_adaptation(base, pairs, direct, base_data=_default_bytes()) == save_adapted(base, pairs, full)
    data = direct.read_bytes()
    assert is_adaptation(data)
    diffed = make_adaptation(_default_bytes(), full.read_bytes(), fmt=MODEL_FILE_FORMAT, verify_rebuild=True)
    # the same payload; the diffed file's header also names the full file's checksum
    assert data.split(b"\n", 2)[2] == diffed.split(b"\n", 2)[2]
    head, diffed_head = json.loads(data.split(b"\n", 2)[1]), json.loads(diffed.split(b"\n", 2)[1])
    diffed_head.pop("model_sha256")
    assert head == diffed_head
    assert load_adaptation(data, fmt=MODEL_FILE_FORMAT) == read_arrays(full.read_bytes())[1]
    model = LearnedModel.load(direct)
    for word in ("sangathan", "duniya", "kya"):
        assert model.devanagarize_topk(word, 3) == LearnedModel.load(full).devanagarize_topk(word, 3)


def test_count_rows_patch_matches_the_diff_of_the_two_tables() -> None:
    """The merged row patch against the generic diff, for added rows, changed rows and unchanged rows."""
    from lipyantar.translit.learned import adaptation

    order = 3
    base_counts = {(1,): 2.0, (2,): 1.0, (5,): 4.0, (1, 2): 1.0, (2, 5): 3.0, (1, 2, 5): 1.0}
    added = {(2,): 1.0, (3,): 2.0, (6,): 1.0, (1, 2): 0.0, (1, 5): 2.0, (2, 5, 6): 1.0, (9, 9, 9): 0.5}

    def table(counts: dict) -> list[array]:
        keys = sorted(counts, key=lambda t: (len(t), t))
        flat = array("i", [x for k in keys for x in (*k, *[-1] * (order - len(k)))])
        return [flat, array("d", [counts[k] for k in keys])]

    merged = dict(base_counts)
    for k, c in added.items():
        merged[k] = merged.get(k, 0.0) + c
    base = table(base_counts)
    patch = adapting._count_rows_patch(base[0], base[1], added, order)
    assert patch == adaptation._row_patch(base, table(merged), "joint.counts")
    assert adaptation._apply_rows(base, patch, "joint.counts") == table(merged)


_NGRAMS = st.lists(st.integers(0, 5), min_size=1, max_size=3).map(tuple)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(_NGRAMS, st.sampled_from([0.5, 1.0, 2.0, 3.25]), max_size=25),
    st.dictionaries(_NGRAMS, st.sampled_from([0.0, 0.5, 1.0, 10.0]), max_size=25),
)
def test_count_rows_patch_is_the_diff_of_any_two_tables(base_counts: dict, added: dict) -> None:
    """Any base table and any added counts (new rows, changed rows, rows added 0): the merged row patch
    is the generic diff's, and applying it gives the merged table."""
    from lipyantar.translit.learned import adaptation

    order = 3

    def table(counts: dict) -> list[array]:
        keys = sorted(counts, key=lambda t: (len(t), t))
        flat = array("i", [x for k in keys for x in (*k, *[-1] * (order - len(k)))])
        return [flat, array("d", [counts[k] for k in keys])]

    merged = dict(base_counts)
    for k, c in added.items():
        merged[k] = merged.get(k, 0.0) + c
    base = table(base_counts)
    patch = adapting._count_rows_patch(base[0], base[1], added, order)
    assert adaptation._apply_rows(base, patch, "joint.counts") == table(merged)
    if base_counts or added:
        assert patch == adaptation._row_patch(base, table(merged), "joint.counts")


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(_NGRAMS, st.sampled_from([0.5, 1.0, 2.0, 3.25, -0.0]), max_size=25),
    st.dictionaries(_NGRAMS, st.sampled_from([0.0, -0.0, 0.5, 1.0, 10.0]), max_size=25),
)
def test_count_rows_patch_compiled_is_the_python_one(base_counts: dict, added: dict) -> None:
    """The merge in C (``_fastlm.rows_merge``) gives the patch of the pure-Python merge, bit for bit."""
    if getattr(adapting._FASTLM, "rows_merge", None) is None:
        pytest.skip("the compiled kernels are not built")
    order = 3
    keys = sorted(base_counts, key=lambda t: (len(t), t))
    flat = array("i", [x for k in keys for x in (*k, *[-1] * (order - len(k)))])
    values = array("d", [base_counts[k] for k in keys])
    compiled = adapting._count_rows_patch(flat, values, added, order)
    python = adapting._count_rows_patch(list(flat), list(values), added, order)  # not arrays: the Python merge
    assert {k: v.typecode for k, v in compiled.items()} == {k: v.typecode for k, v in python.items()}
    assert {k: v.tobytes() for k, v in compiled.items()} == {k: v.tobytes() for k, v in python.items()}


_UNIT_PAIRS = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["क", "ख", "्", "कि", "a", "क्ष", "ा"]), max_size=6).map(tuple),
        st.text(alphabet="abkhiy", max_size=7),
        st.sampled_from([1.0, 0.5, 3, 2.25]),
    ),
    max_size=12,
)


@settings(max_examples=120, deadline=None)
@given(_UNIT_PAIRS, st.integers(1, 3), st.integers(1, 4))
def test_chunk_numbers_compiled_are_the_python_ones(pairs: list, max_deva: int, max_roman: int) -> None:
    """``_fastlm.em_number`` numbers the chunks as the pure-Python ``_number_chunks`` does (first-seen
    order, the same arrays; pairs with an empty side counted with no chunks)."""
    if getattr(adapt_em._FASTLM, "em_number", None) is None:
        pytest.skip("the compiled kernels are not built")
    compiled = adapt_em._number_chunks(pairs, max_deva, max_roman)
    python = adapt_em._number_chunks(tuple(pairs), max_deva, max_roman)  # not a list: the Python numbering
    assert list(compiled[0].items()) == list(python[0].items())
    assert list(compiled[1].items()) == list(python[1].items())
    assert [(a.typecode, a.tobytes()) for a in compiled[2:]] == [(a.typecode, a.tobytes()) for a in python[2:]]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 6), max_size=7), st.sampled_from([1.0, 0.1, 10.0, 3, 2.25, -0.0])),
        max_size=15,
    ),
    st.integers(1, 4),
)
def test_ngram_counts_compiled_are_the_python_ones(sequences: list, order: int) -> None:
    """``_fastlm.count_ngrams`` gives the counts of the pure-Python ``NgramLM.count_ngrams``: the same keys in
    the same order, the same sums bit for bit and of the same types."""
    from lipyantar.translit.learned import langmodel

    if getattr(langmodel.FAST, "count_ngrams", None) is None:
        pytest.skip("the compiled kernels are not built")
    compiled = langmodel.NgramLM.count_ngrams(sequences, order=order)
    fast, langmodel.FAST = langmodel.FAST, None
    try:
        python = langmodel.NgramLM.count_ngrams(iter(sequences), order=order)
    finally:
        langmodel.FAST = fast
    assert list(compiled) == list(python)
    assert [(type(v), repr(v)) for v in compiled.values()] == [(type(v), repr(v)) for v in python.values()]
