"""Adaptation in shards: the sharded EM aligns exactly like the serial aligner; ``adapt`` gives the same
model whatever runs the shards; ``save_adapted`` writes that model, the same bytes for any number of
threads and any engine."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import lipyantar.translit.learned.adapt_em as adapt_em
import lipyantar.translit.learned.adapting as adapting
import lipyantar.translit.learned.learn as learn
from lipyantar.translit.learned.adapt_em import EMShard, em_shard
from lipyantar.translit.learned.adapting import adapt, base_segment, save_adapted
from lipyantar.translit.learned.charalign import deva_units, prepare_pairs
from lipyantar.translit.learned.english import read_cmudict
from lipyantar.translit.learned.jointseq import JointModel
from lipyantar.translit.learned.learn import read_pairs, train
from lipyantar.translit.learned.model import LearnedModel
from lipyantar.translit.learned.modelfile import read_arrays

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def lexicon() -> list[tuple[str, str, float]]:
    return read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")


@pytest.fixture(scope="module")
def base(lexicon: list[tuple[str, str, float]]) -> LearnedModel:
    return train(lexicon[::3], em_iterations=2, pronunciations=read_cmudict(DATA / "cmudict_sample.dict"))


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as executor:
        yield executor


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 50 pairs, so that the tests cross their boundaries."""
    monkeypatch.setattr(adapt_em, "EM_SHARD_PAIRS", 50)


def _init(base: LearnedModel) -> dict[tuple[str, str], float]:
    joint = base.joint
    unigrams = {g: c for g, c in joint.counts.items() if len(g) == 1 and g[0] != 0}
    total = sum(unigrams.values())
    return {joint.graphones[g[0]]: c / total for g, c in unigrams.items()}


@pytest.mark.parametrize("shard_pairs", [1000, 50, 7])
def test_sharded_em_aligns_like_the_serial_aligner(
    base: LearnedModel,
    lexicon: list[tuple[str, str, float]],
    monkeypatch: pytest.MonkeyPatch,
    shard_pairs: int,
) -> None:
    monkeypatch.setattr(adapt_em, "EM_SHARD_PAIRS", shard_pairs)
    prepared = prepare_pairs([*lexicon, ("किताबें", "k", 1.0)])  # and a pair that cannot be aligned
    init = _init(base)
    serial = learn._align(prepared, iterations=2, noise_fraction=0.0, init=init)
    sharded = adapt_em._adapt_align(prepared, init, iterations=2)
    assert sharded == serial and len(sharded) == len(prepared) - 1


@pytest.mark.usefixtures("small_shards")
def test_adapt_is_the_same_whatever_runs_the_shards(
    base: LearnedModel, lexicon: list[tuple[str, str, float]], pool: ProcessPoolExecutor
) -> None:
    here = adapt(base, lexicon)
    there = adapt(base, lexicon, map_fn=pool.map)
    assert here.to_arrays() == there.to_arrays()
    assert here.meta["adapted_pairs"] == len(lexicon)


@pytest.mark.usefixtures("small_shards")
def test_save_adapted_writes_the_adapted_model(
    base: LearnedModel, lexicon: list[tuple[str, str, float]], pool: ProcessPoolExecutor, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.lpm", tmp_path / "two.lpm"
    assert save_adapted(base, lexicon, one) == len(lexicon)
    save_adapted(base, lexicon, two, map_fn=pool.map, segment=base_segment(base))
    data = one.read_bytes()
    assert data == two.read_bytes()  # same bytes whatever compiles
    reference = adapt(base, lexicon)
    assert read_arrays(data)[1] == reference.to_arrays()  # the same arrays, in the same order
    assert data == reference.to_bytes()  # the same file as saving the adapted model
    loaded = LearnedModel.load(one)
    assert loaded.meta == reference.meta and loaded.to_arrays() == reference.to_arrays()
    for deva, roman, _ in lexicon[:20]:
        assert loaded.romanize(deva) == reference.romanize(deva)
        assert loaded.devanagarize(roman) == reference.devanagarize(roman)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.lpm", "two.lpm"]  # no temporary left


def test_em_shard_tasks_are_checked(lexicon: list[tuple[str, str, float]]) -> None:
    with pytest.raises(ValueError, match="unknown EM step"):
        EMShard("mstep")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="need grid and prob"):
        EMShard("estep")
    pairs = tuple((deva_units(d), r, c) for d, r, c in lexicon[:5])
    init = em_shard(EMShard("init", pairs))
    assert init.grid is not None and init.counts is not None and len(init.counts) == len(init.graphones)
    with pytest.raises(ValueError, match="does not match"):
        em_shard(EMShard("estep", (), init.grid, init.counts[:-1]))


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_joint_model_compiled_in_parts_is_the_same_automaton(base: LearnedModel, parts: int) -> None:
    task = adapting._JointTask(list(base.joint.graphones), dict(base.joint.counts), base.joint.order)
    reference = JointModel(task.graphones, task.counts, order=task.order).to_arrays()
    results = [adapting._compile_part(t) for t in adapting._part_tasks(task, parts)]
    assert adapting._compile_parts(results) == reference


def test_save_adapted_falls_back_to_the_plain_writer(
    base: LearnedModel, lexicon: list[tuple[str, str, float]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When LearnedModel needs more of the joint model than the fast writer's stand-in has, the model is
    built and saved the plain way: the same file as ``adapt(...).save()``."""
    monkeypatch.delattr(adapting._Uncompiled, "prune_index")
    save_adapted(base, lexicon, tmp_path / "plain.lpm")
    assert (tmp_path / "plain.lpm").read_bytes() == adapt(base, lexicon).to_bytes()


@pytest.mark.slow
def test_adapted_models_keep_the_base_vocabulary_index(tmp_path) -> None:
    from lipyantar.translit.learned.learn import adapt, save_adapted
    from lipyantar.translit.learned.model import LearnedModel, default_model

    base = default_model()
    assert base.vocab_index  # the shipped model has one
    pairs = [("है", "he", 3.0), ("में", "main", 2.0)]
    assert adapt(base, pairs).vocab_index == base.vocab_index
    dest = tmp_path / "adapted.lpm"
    save_adapted(base, pairs, dest)
    assert LearnedModel.load(dest).vocab_index == base.vocab_index
