"""The compiled roman → Devanagari channel (lipyantar.translit.learned._fastlm.Channel) gives exactly the candidates, scores
and order of the pure-Python reference (LearnedModel._channel_python)."""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.learned.charalign import normalize_roman
from lipyantar.translit.learned.english import read_cmudict
from lipyantar.translit.learned.langmodel import FAST
from lipyantar.translit.learned.learn import read_pairs, train
from lipyantar.translit.learned.model import LearnedModel, default_model

if FAST is None or not hasattr(FAST, "Channel"):
    pytest.skip("the compiled kernels are switched off or not built", allow_module_level=True)

from test_learned import synthetic_pairs  # tests/ is on sys.path under pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
KINDS = ("topk", "top1", "context")


def _romans(path: Path, column: int = 1) -> list[str]:
    """The distinct normalized romans of a lexicon file (tab-separated, romans in ``column``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(normalize_roman(line.split("\t")[column]) for line in lines if "\t" in line))


def _sentence_words() -> list[str]:
    """The distinct normalized Latin words of the vendored dev sentences."""
    text = (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8")
    words = (
        normalize_roman(tok)
        for line in text.splitlines()
        for tok in re.findall(r"[^\s0-9]+", line.split("\t")[1])
    )
    return [w for w in dict.fromkeys(words) if w]


LEXICON = _romans(DATA / "dakshina_dev_lexicon_sample.tsv")
TRAIN_SAMPLE = _romans(ROOT / "scripts" / "data" / "dakshina-hi" / "hi.translit.sampled.train.tsv")[::40]
SENTENCE_WORDS = _sentence_words()
# short words (acronym readings), English words, attested words, letters the joint model never saw,
# inputs that are not normalized, the empty input
EDGE = [
    "", "a", "e", "ok", "ngo", "nhs", "bbc", "he", "main", "hello", "giraffe", "hypothalamus", "computer",
    "xyz", "qqq", "zzzzzzzzzzzzzz", "kitab", "bharat", "Kitab", "NGO", "kitab's", "naïve", "123", "q", "ṛṣi",
    # attested spellings the joint model cannot spell (r2d.attested_gap)
    "delhi", "dna", "led", "value", "drdo", "the",
]  # fmt: skip


def assert_parity(model: LearnedModel, romans: Iterable[str], kinds: Iterable[str] = KINDS) -> None:
    """Compiled and reference channel agree (==, and repr for the exact floats) for every (roman, kind),
    each run from fresh memos (so that neither reads what the other memoized)."""
    jobs = [(roman, kind) for kind in kinds for roman in romans]
    model.clear_cache()
    compiled = model._compiled_channel()
    assert compiled
    fast = [compiled(roman, kind) for roman, kind in jobs]
    model.clear_cache()
    ref = [model._channel_python(roman, kind) for roman, kind in jobs]
    for (roman, kind), a, b in zip(jobs, fast, ref, strict=True):
        assert a == b, (roman, kind)
        assert repr(a) == repr(b), (roman, kind)
        assert type(a) is tuple and all(type(pair) is tuple for pair in a)


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return default_model()


@pytest.fixture(scope="module")
def tiny() -> LearnedModel:
    return train(synthetic_pairs(300, seed=5), native_text=["कमल नमक"], order=3, noise_fraction=0.0)


@pytest.fixture(scope="module")
def english() -> LearnedModel:
    """A small model with an English component (pronunciations of the vendored CMUdict sample)."""
    lexicon = read_pairs(DATA / "dakshina_dev_lexicon_sample.tsv")
    return train(lexicon, em_iterations=2, pronunciations=read_cmudict(DATA / "cmudict_sample.dict"))


@pytest.mark.parametrize("kind", KINDS)
def test_lexicon_romans(shipped: LearnedModel, kind: str) -> None:
    assert_parity(shipped, LEXICON + EDGE, [kind])


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_training_lexicon_sample(shipped: LearnedModel, kind: str) -> None:
    """Mostly attested words (the memory)."""
    assert_parity(shipped, TRAIN_SAMPLE, [kind])


@pytest.mark.slow
def test_sentence_words_in_context(shipped: LearnedModel) -> None:
    assert_parity(shipped, SENTENCE_WORDS, ["context"])


def test_small_models(tiny: LearnedModel, english: LearnedModel) -> None:
    assert tiny.english is None and english.english is not None
    assert_parity(tiny, ["kamala", "namaka", "kaagoti", "x", "ka", *EDGE])
    assert_parity(english, LEXICON[:150] + EDGE)


@pytest.mark.slow
@pytest.mark.parametrize(
    "changes",
    [
        {
            "search.topk.marg_top": 0,
            "search.top1.marg_top": 0,
            "search.context.marg_top": 0,
        },  # nothing ranked: the search's best output
        {"search.topk.marg_top": 1, "search.top1.marg_top": 2, "search.context.marg_top": 30},
        {"search.topk.vocab_cands": 0, "search.top1.vocab_cands": 0, "search.context.vocab_cands": 0},
        {"search.topk.english_k": 0, "search.top1.english_k": 0, "search.context.english_k": 0},
        {"search.topk.english_k": 2, "english.beam": 4, "english.forced_beam": 1},
        {"search.topk.acronym_max": 0, "search.top1.acronym_max": 0, "search.context.acronym_max": 6},
        {"search.topk.acronym_max": 12, "search.top1.acronym_max": 12, "acronyms.w_odd": 0.0},
        {"r2d.stage1_rules": True},
        {"r2d.stage1_rules": True, "r2d.w_rules_eq": 0.0, "r2d.w_rules_dist": 0.0},
        {"r2d.w_rules_eq": 0.0, "r2d.w_rules_dist": 0.0, "r2d.rules_top": 0},
        {"r2d.rules_top": 100, "r2d.w_rules_dist": 0.25},
        {"r2d.w_marg": 0.0},
        {"r2d.marg_beam": 1, "r2d.forced_beam": 2},
        {"r2d.w_mem": 0.0, "r2d.w_word": 0.0, "r2d.w_char": 0.0},
        {
            "search.topk.beam": 4,
            "search.topk.nbest": 2,
            "search.topk.threshold": 1.0,
            "search.top1.beam": 1,
            "search.top1.nbest": 1,
            "search.context.beam": 2,
            "search.context.nbest": 2,
        },
        {"r2d.final_virama": 0.0, "english.unspellable": -5.0},
        {"r2d.final_virama": -1.5, "english.unspellable": 7.0},
        {"r2d.attested_gap": -1.0},
        {"r2d.attested_gap": 0.0, "r2d.w_mem": 3.0},
        {"r2d.attested_gap": 25.0},
    ],
)
def test_parameter_variants(shipped: LearnedModel, changes: dict[str, object]) -> None:
    model = shipped.with_params(changes)
    assert_parity(model, LEXICON[::6] + EDGE)


def test_nothing_ranked_returns_the_search_best(shipped: LearnedModel) -> None:
    model = shipped.with_params(
        {"search.top1.marg_top": 0, "search.top1.acronym_max": 0, "search.top1.english_k": 0}
    )
    for roman in ("kitab", "bharat", "duniya"):
        size = model.params.search.top1
        best = model.joint.decode(roman, to_roman=False, k=size.beam, beam=size.beam, threshold=size.threshold)[:1]
        assert model._compiled_channel()(roman, "top1") == model._channel_python(roman, "top1") == tuple(best)


@settings(max_examples=200, deadline=None)
@given(roman=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=14), kind=st.sampled_from(KINDS))
def test_random_latin_words(shipped: LearnedModel, roman: str, kind: str) -> None:
    assert_parity(shipped, [roman], [kind])


@settings(max_examples=120, deadline=None)
@given(roman=st.text(alphabet="abcdehikmnrstuyzABKZ'-.1é ṛक", max_size=10), kind=st.sampled_from(KINDS))
def test_random_unnormalized_strings(shipped: LearnedModel, roman: str, kind: str) -> None:
    assert_parity(shipped, [roman], [kind])


def test_memo_states(shipped: LearnedModel) -> None:
    """Parity whatever the memos hold: twice in a row, after clear_cache, and each implementation reading
    the marginals and English proposals that the other one memoized."""
    model = shipped.with_params()
    romans = LEXICON[:60] + EDGE
    fast = model._compiled_channel()
    for roman in romans:
        for kind in KINDS:
            ref = model._channel_python(roman, kind)
            assert fast(roman, kind) == ref
            assert fast(roman, kind) == ref
    model.clear_cache()
    assert model._fast_channel is None
    fast = model._compiled_channel()
    for roman in romans:
        for kind in KINDS:
            first = fast(roman, kind)
            assert model._channel_python(roman, kind) == first == fast(roman, kind)


def test_channel_memo_and_dispatch(shipped: LearnedModel) -> None:
    model = shipped.with_params()
    assert model._fast_channel is None  # built on first use
    out = model._channel("kitab", "top1")
    assert model._fast_channel
    assert model._channel("kitab", "top1") is out  # memoized
    assert out == model._channel_python("kitab", "top1")
    model._fast_channel = False  # as without the extension: the reference runs
    model._r2d_cache.clear()
    assert model._channel("kitab", "top1") == out


def test_rebuilt_after_vocab_index_changes(tiny: LearnedModel) -> None:
    model = tiny.with_params()
    before = model._compiled_channel()
    model.build_vocab_index(["कमल", "नमक", "कागो"])
    assert model._fast_channel is None
    assert model._compiled_channel() is not before
    assert_parity(model, ["kamala", "kamal", "namak", "kago"])


def test_channel_errors(shipped: LearnedModel) -> None:
    fast = shipped._compiled_channel()
    with pytest.raises(KeyError):
        fast("kitab", "sideways")
    with pytest.raises(TypeError):
        fast(b"kitab", "topk")
    with pytest.raises(TypeError):
        FAST.Channel()
    with pytest.raises(ValueError, match="not initialized"):
        FAST.Channel.__new__(FAST.Channel)("kitab", "topk")


def test_helper_errors_propagate(tiny: LearnedModel) -> None:
    model = tiny.with_params({"search.topk.acronym_max": 8})
    fast = model._compiled_channel()

    def broken(roman: str) -> str:
        raise RuntimeError("no letters today")

    channel = FAST.Channel(**{**_channel_args(model), "spell_letters": broken})
    with pytest.raises(RuntimeError, match="no letters today"):
        channel("kama", "topk")
    channel = FAST.Channel(**{**_channel_args(model), "spell_letters": len})
    with pytest.raises(TypeError, match="must return a string"):
        channel("kama", "topk")
    assert fast("kama", "topk") == model._channel_python("kama", "topk")


def _channel_args(model: LearnedModel) -> dict[str, object]:
    """The keyword arguments LearnedModel gives its Channel (read back from a rebuilt one)."""
    from lipyantar.translit.learned.english import CANDIDATES_MEMO_LIMIT, spell_letters
    from lipyantar.translit.learned.model import roman_skeleton
    from lipyantar.translit.learned.search import _CACHE_LIMIT
    from lipyantar.translit.learned.variants import _rules_word

    joint = model.joint
    return {
        "r2d": joint.compiled_decoder(False),
        "forced": joint.compiled_decoder(False, forced=True),
        "d2r": joint.compiled_decoder(True),
        "charlm": model.charlm.lm.fast(),
        "char_ids": model.charlm.ids,
        "char_unk": model.charlm.lm.vocab_size,
        "char_start": model.charlm.lm.start,
        "prior": model.wordlm.unigram_table(),
        "vocab_index": model.vocab_index,
        "memory": model.memory.r2d.lookup,
        "marg_cache": {},
        "english": None,
        "params": model.params.channel_params(),
        "sizes": model.params.channel_sizes(),
        "skeleton": roman_skeleton,
        "rules_word": _rules_word,
        "spell_letters": spell_letters,
        "roman_logprob": model.romanlm.logprob,
        "marg_limit": _CACHE_LIMIT,
        "english_limit": CANDIDATES_MEMO_LIMIT,
    }


def test_model_with_a_channel_pickles(tiny: LearnedModel) -> None:
    model = tiny.with_params()
    expected = model._channel("kamala", "topk")
    assert model._fast_channel
    clone = pickle.loads(pickle.dumps(model))
    assert clone._fast_channel is None
    assert clone._channel("kamala", "topk") == expected


def test_the_memory_may_be_a_dict_or_a_lookup(tiny: LearnedModel) -> None:
    """The compiled channel reads the memory (roman -> {deva: count}) from a dict or from a lookup
    function (a model file's in-place columns): the same candidates either way."""
    model = tiny.with_params()
    args = _channel_args(model)
    as_dicts = FAST.Channel(**{**args, "memory": dict(model.memory.r2d.items())})
    as_lookups = FAST.Channel(**args)
    words = ["kamala", "namak", "kal", "xyz", *list(model.memory.r2d)[:20]]
    assert [as_dicts(w, "topk") for w in words] == [as_lookups(w, "topk") for w in words]
