"""The compiled kernels (lipyantar.translit.learned._fastlm) give exactly the results of the pure-Python reference."""

from __future__ import annotations

import math
import os
import random
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.learned.charalign import deva_units, is_wellformed
from lipyantar.translit.learned.langmodel import (
    FAST,
    LOG_UNK,
    NgramLM,
    _check_automaton,
    _check_automaton_python,
    _compile_count_table_python,
    compile_count_table,
)
from lipyantar.translit.learned.learn import train
from lipyantar.translit.learned.model import LearnedModel, default_model

fastlm = pytest.importorskip("lipyantar.translit.learned._fastlm")
if FAST is None:
    pytest.skip("the compiled kernels are switched off (LIPYANTAR_PURE_PYTHON)", allow_module_level=True)

from test_learned import synthetic_pairs  # noqa: E402  (tests/ is on sys.path under pytest)

LATIN = "abcdefghijklmnopqrstuvwxyz"
# consonants, vowels, vowel signs, virama, nukta, anusvara/chandrabindu/visarga, a digit, a Latin letter
DEVA = "कखगजटडतनपबमयरलवशसहक़ज़ड़अआइईउएओािीुूेैोौ़्ंँः१x"


@pytest.fixture(scope="module")
def small() -> LearnedModel:
    return train(synthetic_pairs(300, seed=3), native_text=["कमल नमक"], order=3, noise_fraction=0.0)


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    return default_model()


def _same(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> None:
    assert [x for x, _ in a] == [y for y, _ in b]
    for (_, sa), (_, sb) in zip(a, b, strict=True):
        assert math.isclose(sa, sb, rel_tol=0, abs_tol=1e-9)


def _step_python(lm: NgramLM, state: int, g: int) -> tuple[float, int]:
    return NgramLM.step(lm, state, g)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(word=st.text(alphabet=LATIN, min_size=1, max_size=12), beam=st.sampled_from([1, 3, 8, 24]))
def test_roman_to_deva_search_matches_python(shipped: LearnedModel, word: str, beam: int) -> None:
    joint = shipped.joint
    for threshold in (math.inf, 6.0):
        fast = joint.decode(word, to_roman=False, k=beam, beam=beam, threshold=threshold)
        ref = joint.decode_python(word, to_roman=False, k=beam, beam=beam, threshold=threshold)
        _same(fast, ref)


@settings(max_examples=150, deadline=None)
@given(word=st.text(alphabet=DEVA, min_size=1, max_size=10), beam=st.sampled_from([1, 4, 10]))
def test_deva_to_roman_search_matches_python(shipped: LearnedModel, word: str, beam: int) -> None:
    units = deva_units(word)
    fallback = str.upper  # unknown units (the Latin letter, the digit) go through the fallback
    fast = shipped.joint.decode(units, to_roman=True, k=beam, beam=beam, fallback=fallback)
    ref = shipped.joint.decode_python(units, to_roman=True, k=beam, beam=beam, fallback=fallback)
    _same(fast, ref)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.text(alphabet=DEVA, max_size=9), max_size=6), beam=st.sampled_from([1, 4]))
def test_best_scores_match_python(shipped: LearnedModel, words: list[str], beam: int) -> None:
    joint = shipped.joint
    fast = joint.best_scores(words, beam=beam)
    ref = []
    for word in words:
        best = joint.decode_python(deva_units(word), to_roman=True, k=1, beam=beam)
        ref.append(best[0][1] if best else 0.0)
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref, strict=True):
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def test_best_scores_rejects_non_strings(shipped: LearnedModel) -> None:
    with pytest.raises(TypeError):
        shipped.joint.best_scores(["कमल", 3], beam=4)  # type: ignore[list-item]


@settings(max_examples=150, deadline=None)
@given(
    roman=st.text(alphabet=LATIN, min_size=1, max_size=10),
    target=st.sampled_from(["कमल", "किताब", "भारत", "नमस्ते", "क्या", "", "ज़िंदगी"]),
    beam=st.sampled_from([1, 4, 16]),
)
def test_forced_search_matches_python(shipped: LearnedModel, roman: str, target: str, beam: int) -> None:
    joint = shipped.joint
    _same(
        joint.decode(roman, to_roman=False, k=3, beam=beam, target=target),
        joint.decode_python(roman, to_roman=False, k=3, beam=beam, target=target),
    )
    units = deva_units(target)
    _same(
        joint.decode(units, to_roman=True, k=3, beam=beam, target=roman, fallback=str.upper),
        joint.decode_python(units, to_roman=True, k=3, beam=beam, target=roman, fallback=str.upper),
    )


@pytest.mark.parametrize(("roman", "deva"), [("kamal", "कमल"), ("bharat", "भारत"), ("kitaab", "किताब")])
def test_forced_search_spells_the_target(shipped: LearnedModel, roman: str, deva: str) -> None:
    forced = shipped.joint.decode(roman, to_roman=False, k=5, beam=16, target=deva)
    assert [d for d, _ in forced] == [deva]
    free = dict(shipped.joint.decode(roman, to_roman=False, k=48, beam=48))
    if deva in free:  # the same path, found with or without forcing
        assert forced[0][1] == pytest.approx(free[deva], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(word=st.text(alphabet="kgtnmrslpaeiou", min_size=1, max_size=10))
def test_search_matches_python_on_a_freshly_trained_model(small: LearnedModel, word: str) -> None:
    # a model that was never saved: its probabilities are full doubles, not float32
    for to_roman, pieces in ((False, word), (True, deva_units(small.devanagarize(word) or "क"))):
        fast = small.joint.decode(pieces, to_roman=to_roman, k=5, beam=5)
        ref = small.joint.decode_python(pieces, to_roman=to_roman, k=5, beam=5)
        _same(fast, ref)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.text(alphabet=DEVA, max_size=8), max_size=8))
def test_scores_of_many_words_match_one_by_one(shipped: LearnedModel, words: list[str]) -> None:
    charlm = shipped.charlm
    expected = [lp if ok else None for ok, lp in map(charlm.check_and_score, words)]
    assert charlm.scores_if_wellformed(words) == expected
    with pytest.raises(TypeError):
        charlm.scores_if_wellformed([*words, 7])  # type: ignore[list-item]


@settings(max_examples=300, deadline=None)
@given(word=st.text(alphabet=DEVA, min_size=0, max_size=10))
def test_score_deva_matches_units_and_wellformedness(shipped: LearnedModel, word: str) -> None:
    charlm = shipped.charlm
    ok, score = charlm.check_and_score(word)
    assert ok == is_wellformed(word)
    lm = charlm.lm
    state, total = lm.start, 0.0
    for g in [*(charlm.ids.get(u, lm.vocab_size) for u in deva_units(word)), 0]:
        lp, state = _step_python(lm, state, g)
        total += lp
    assert math.isclose(score, total, rel_tol=0, abs_tol=1e-9)


@pytest.mark.parametrize("name", ["joint", "charlm", "romanlm", "wordlm"])
def test_automaton_steps_match_python(shipped: LearnedModel, name: str) -> None:
    lm = shipped.joint if name == "joint" else getattr(shipped, name).lm
    am = lm.fast()
    states = range(0, len(lm.backoff), max(1, len(lm.backoff) // 300))
    tokens = range(0, lm.vocab_size + 1, max(1, lm.vocab_size // 40))
    for s in states:
        for g in tokens:
            lp, nxt = am.step(s, g)
            ref_lp, ref_nxt = _step_python(lm, s, g)
            assert nxt == ref_nxt
            assert math.isclose(lp, ref_lp, rel_tol=0, abs_tol=1e-9)
    ids = list(tokens)[:12]
    assert math.isclose(am.score(ids, lm.start), _score_python(lm, ids), rel_tol=0, abs_tol=1e-9)


def _score_python(lm: NgramLM, ids: list[int]) -> float:
    state, total = lm.start, 0.0
    for g in (*ids, 0):
        lp, state = _step_python(lm, state, g)
        total += lp
    return total


def test_unknown_state_scores_at_the_floor(shipped: LearnedModel) -> None:
    am = shipped.charlm.lm.fast()
    lp, nxt = am.step(10**9, 1)
    assert lp == LOG_UNK and nxt == shipped.charlm.lm.root


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (({1: (0.0,)}, [-1], [0.0], 0, 2, -20.0), TypeError),  # arc value not a pair
        (({-1: (0.0, 0)}, [-1], [0.0], 0, 2, -20.0), ValueError),  # negative key
        (({9: (0.0, 0)}, [-1], [0.0], 0, 2, -20.0), ValueError),  # key of a state that does not exist
        (({}, [-1, 0], [0.0], 0, 2, -20.0), ValueError),  # backoff and bow differ in length
        (([1], [0.0], [0]), TypeError),  # neither a dict nor a 3-tuple
        ((([1], [0.0], [0]), [-1], [0.0], 0, 2, -20.0), TypeError),  # lists, not typed arrays
        (((array("q", [1]), array("d", [0.0]), array("i", [0])), [-1], [0.0], 0, 2, -20.0), TypeError),
        (((array("q", [1, 2]), array("f", [0.0]), array("i", [0])), [-1], [0.0], 0, 2, -20.0), ValueError),
        (((array("q", [9]), array("f", [0.0]), array("i", [0])), [-1], [0.0], 0, 2, -20.0), ValueError),
    ],
)
def test_automaton_rejects_bad_tables(args: tuple, error: type[Exception]) -> None:
    with pytest.raises(error):
        fastlm.Automaton(*args)


@pytest.mark.parametrize("name", ["joint", "charlm", "wordlm"])
def test_automaton_from_arrays_is_the_automaton_from_the_dict(shipped: LearnedModel, name: str) -> None:
    lm = shipped.joint if name == "joint" else getattr(shipped, name).lm
    arrays = lm.to_arrays()
    from_arrays = fastlm.Automaton(
        (arrays["keys"], arrays["lp"], arrays["next"]), lm.backoff, lm.bow, lm.root, lm.mult, LOG_UNK
    )
    from_dict = fastlm.Automaton(dict(lm.arcmap), lm.backoff, lm.bow, lm.root, lm.mult, LOG_UNK)
    assert from_arrays.arcs() == from_dict.arcs() == len(arrays["keys"])
    rng = random.Random(7)
    for _ in range(3000):
        state, g = rng.randrange(len(lm.backoff)), rng.randrange(lm.vocab_size + 1)
        assert from_arrays.step(state, g) == from_dict.step(state, g) == _step_python(lm, state, g)


@settings(max_examples=150, deadline=None)
@given(
    mult=st.integers(1, 6),
    states=st.integers(1, 40),
    arcs=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 5), st.floats(-9.0, 0.0)), max_size=80),
    seed=st.integers(0, 9),
)
def test_automaton_from_sorted_unsorted_arrays_and_dict_agree(
    mult: int, states: int, arcs: list[tuple[int, int, float]], seed: int
) -> None:
    """Arcs read straight from sorted arrays (a model file's: states found without dividing each key),
    from a shuffled copy (sorted first) and from a dict are the same automaton, whatever gaps the
    states with arcs leave between them."""
    rng = random.Random(seed)
    table = {st_ * mult + g % mult: (float(array("f", [lp])[0]), rng.randrange(states)) for st_, g, lp in arcs if st_ < states}
    backoff = [-1, *(rng.randrange(i) for i in range(1, states))]
    bow = [-0.5] * states
    keys = sorted(table)

    def arrays(order: list[int]) -> tuple[array, array, array]:
        return array("q", order), array("f", [table[k][0] for k in order]), array("i", [table[k][1] for k in order])

    shuffled = keys[:]
    rng.shuffle(shuffled)
    built = [
        fastlm.Automaton(arrays(keys), backoff, bow, 0, mult, LOG_UNK),
        fastlm.Automaton(arrays(shuffled), backoff, bow, 0, mult, LOG_UNK),
        fastlm.Automaton(table, backoff, bow, 0, mult, LOG_UNK),
    ]
    for state in range(states):
        for g in range(mult):
            steps = {am.step(state, g) for am in built}
            assert len(steps) == 1, (state, g, steps)
    if keys:  # a key past the last state is refused, sorted or not
        for bad in ([*keys, states * mult], [states * mult, *keys]):
            zeros = [0] * len(bad)
            with pytest.raises(ValueError, match="out of range"):
                fastlm.Automaton((array("q", bad), array("f", zeros), array("i", zeros)), backoff, bow, 0, mult, LOG_UNK)


def test_decoder_rejects_bad_cuts(shipped: LearnedModel) -> None:
    decoder = shipped.joint._build_decoder(False)
    with pytest.raises(ValueError):
        decoder.decode("abc", [0, 2, 1])
    with pytest.raises(ValueError):
        decoder.decode("abc", [0, 5])
    with pytest.raises(ValueError):  # the cuts must cover the whole text
        decoder.decode("abc", [0, 2])
    with pytest.raises(ValueError):
        decoder.decode("abc", [1, 3])
    _same(decoder.decode("", None), shipped.joint.decode_python("", to_roman=False))


def test_search_results_do_not_depend_on_earlier_searches(small: LearnedModel) -> None:
    # the compiled decoder keeps buffers and a memo of automaton steps between calls
    words = ["kamal", "namak", "a", "kamalnamakkamal", "", "tkpm", "mala", "kamal"]
    first = [small.joint.decode(w, to_roman=False, k=4, beam=4) for w in words]
    fresh = small.joint._build_decoder(False)
    for word, expected in zip(reversed(words), reversed(first), strict=True):
        got = fresh.decode(word, None, 4, 4, True, None)
        assert got == expected
        _same(got, small.joint.decode_python(word, to_roman=False, k=4, beam=4))


def test_fallback_may_search_again(shipped: LearnedModel) -> None:
    # a fallback that runs a search on the same decoder while one is running (and one that fails)
    joint = shipped.joint
    units = deva_units("कमलx१नमक")

    def nested(piece: str) -> str:
        inner = joint.decode(deva_units("भारत"), to_roman=True, k=1, beam=4)
        assert joint.best_scores(["भारत"], beam=4)[0] == inner[0][1]
        return piece.upper() + inner[0][0][:1]

    fast = joint.decode(units, to_roman=True, k=5, beam=5, fallback=nested)
    ref = joint.decode_python(units, to_roman=True, k=5, beam=5, fallback=nested)
    _same(fast, ref)

    def failing(piece: str) -> str:
        raise KeyError(piece)

    with pytest.raises(KeyError):
        joint.decode(units, to_roman=True, k=5, beam=5, fallback=failing)
    _same(
        joint.decode(units, to_roman=True, k=5, beam=5, fallback=str.upper),
        joint.decode_python(units, to_roman=True, k=5, beam=5, fallback=str.upper),
    )


def test_decoder_index_chunks_without_graphones_are_unknown(small: LearnedModel) -> None:
    joint = small.joint
    outputs = [d for d, _ in joint.graphones]
    kinds = bytes(len(outputs))
    classes = bytes([255 if not o else 3 for o in outputs])
    args = (joint.fast(), outputs, kinds, classes, joint.start, joint.root, LOG_UNK, 2)
    index = {r: ids for r, ids in joint.by_roman.items() if r != "m"}
    with_empty = fastlm.JointDecoder(args[0], {**index, "m": [], 7: [1]}, *args[1:])
    without = fastlm.JointDecoder(args[0], index, *args[1:])
    for word in ("kamal", "mmm", "am"):
        assert with_empty.decode(word, None, 3, 3) == without.decode(word, None, 3, 3)
    with pytest.raises(ValueError):
        fastlm.JointDecoder(args[0], {"a": [len(outputs)]}, *args[1:])
    with pytest.raises(TypeError):
        fastlm.JointDecoder(args[0], {"a": 5}, *args[1:])


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(word=st.text(alphabet=LATIN, min_size=12, max_size=40), beam=st.sampled_from([48, 200]))
def test_long_searches_match_python(shipped: LearnedModel, word: str, beam: int) -> None:
    # long inputs and wide beams grow every buffer of the compiled search
    joint = shipped.joint
    _same(
        joint.decode(word, to_roman=False, k=beam, beam=beam, threshold=12.0),
        joint.decode_python(word, to_roman=False, k=beam, beam=beam, threshold=12.0),
    )
    _same(
        joint.decode(word[:5], to_roman=False, k=3, beam=3),
        joint.decode_python(word[:5], to_roman=False, k=3, beam=3),
    )


def test_models_with_compiled_tables_pickle(small: LearnedModel) -> None:
    import pickle

    word = "kamal"
    before = small.joint.decode(word, to_roman=False, k=3, beam=3)
    assert small.joint._decoders and small.charlm.lm.fast() is not None
    clone = pickle.loads(pickle.dumps(small))
    assert clone.joint.decode(word, to_roman=False, k=3, beam=3) == before
    assert clone.charlm.check_and_score("कमल") == small.charlm.check_and_score("कमल")


def test_pure_python_switch() -> None:
    import subprocess
    import sys

    code = "from lipyantar.translit.learned.langmodel import FAST; print(FAST is None)"
    env = {**os.environ, "LIPYANTAR_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@settings(max_examples=400, deadline=None)
@given(a=st.text(alphabet="abcकखा्ं", max_size=80), b=st.text(alphabet="abcकखा्ं", max_size=80))
def test_edit_distance_matches_python(a: str, b: str) -> None:
    from lipyantar.translit.metrics import _edit_distance_python, edit_distance

    assert edit_distance(a, b) == _edit_distance_python(a, b) == fastlm.edit_distance(b, a)


@settings(max_examples=100, deadline=None)
@given(
    columns=st.lists(
        st.lists(
            st.tuples(st.floats(min_value=-40, max_value=0, allow_nan=False), st.integers(0, 400)),
            min_size=1,
            max_size=6,
        ),
        max_size=12,
    ),
    beam=st.sampled_from([1, 3, 12]),
)
def test_sentence_viterbi_matches_python(shipped: LearnedModel, columns: list, beam: int) -> None:
    from lipyantar.translit.learned.decoder import sentence_viterbi_python

    lm = shipped.wordlm.lm
    for w_ctx in (0.0, 1.8):
        fast = fastlm.viterbi(lm.fast(), columns, lm.start, w_ctx, beam)
        assert fast == sentence_viterbi_python(lm, columns, w_ctx=w_ctx, beam=beam)
        assert len(fast) == len(columns) and all(0 <= i < len(c) for i, c in zip(fast, columns, strict=True))


def test_sentence_viterbi_rejects_empty_columns(shipped: LearnedModel) -> None:
    lm = shipped.wordlm.lm
    with pytest.raises(ValueError):
        fastlm.viterbi(lm.fast(), [[(0.0, 1)], []], lm.start, 1.0, 4)
    with pytest.raises(TypeError):
        fastlm.viterbi(lm.fast(), [[0.0]], lm.start, 1.0, 4)


def test_score_deva_reads_each_unit_dict_it_is_given(shipped: LearnedModel) -> None:
    # the compiled scorer keeps a table of the last unit dict; another dict (or a grown one) replaces it
    charlm = shipped.charlm
    lm = charlm.lm
    am = lm.fast()
    if am is None:
        pytest.skip("compiled kernels not built")
    word = "क़़्षि"  # units: क़़् (4 code points: looked up in the dict itself), ष, ि

    def expected(ids: dict[str, int]) -> float:
        state, total = lm.start, 0.0
        for g in [*(ids.get(u, lm.vocab_size) for u in deva_units(word)), 0]:
            lp, state = _step_python(lm, state, g)
            total += lp
        return total

    other = {unit: (i * 7) % lm.vocab_size for unit, i in charlm.ids.items()}
    other["क़़्"] = 5
    for ids in (charlm.ids, other, charlm.ids, other):
        _ok, score = am.score_deva(word, ids, lm.vocab_size, lm.start)
        assert math.isclose(score, expected(ids), rel_tol=0, abs_tol=1e-9)
    grown = dict(charlm.ids)
    am.score_deva(word, grown, lm.vocab_size, lm.start)
    grown["क़़्"] = 3  # a new key: the dict grew
    _ok, score = am.score_deva(word, grown, lm.vocab_size, lm.start)
    assert math.isclose(score, expected(grown), rel_tol=0, abs_tol=1e-9)


# -- the Kneser-Ney automaton of a count table (kn_compile) ------------------------------------------------
def _kernel(vocab: int, ngrams: array, values: array, order: int) -> dict[str, array] | None:
    out = fastlm.kn_compile(vocab, order, ngrams, values)
    if out is None:
        return None
    arrays = {}
    names = ("keys", "lp", "next", "backoff", "bow", "scalars")
    for name, code, raw in zip(names, "qfiifq", out, strict=True):
        arrays[name] = array(code)
        arrays[name].frombytes(raw)
    return arrays


def _python(vocab: int, ngrams: array, values: array, order: int) -> dict[str, array] | type[Exception]:
    try:
        return _compile_count_table_python(vocab, ngrams, values, order)
    except (ArithmeticError, ValueError, IndexError) as exc:
        return type(exc)


@pytest.mark.slow
def test_kn_compile_rebuilds_the_shipped_joint_automaton_bit_for_bit(shipped: LearnedModel) -> None:
    arrays = shipped.to_arrays()
    joint = shipped.joint
    ngrams, values = arrays["joint.count_ngrams"], arrays["joint.count_values"]
    compiled = _kernel(max(len(joint.graphones), 1), ngrams, values, joint.order)
    assert compiled is not None
    assert compiled == {k: arrays[f"joint.{k}"] for k in compiled}
    assert compiled == compile_count_table(max(len(joint.graphones), 1), ngrams, values, joint.order)


@settings(max_examples=150, deadline=None)
@given(
    order=st.integers(1, 4),
    vocab=st.integers(1, 7),
    data=st.data(),
    shuffle=st.randoms(use_true_random=False),
)
def test_kn_compile_matches_python_on_counted_text(
    order: int, vocab: int, data: st.DataObject, shuffle: random.Random
) -> None:
    """Count tables as models have them (every n-gram's prefixes and suffixes counted), in any row order."""
    words = st.lists(st.integers(1, vocab - 1), max_size=7) if vocab > 1 else st.just([])
    weight = st.sampled_from([1.0, 1.0, 2.0, 0.5, 3.25])
    seqs = data.draw(st.lists(st.tuples(words, weight), min_size=1, max_size=25))
    counts = NgramLM.count_ngrams(seqs, order=order)
    items = list(counts.items())
    shuffle.shuffle(items)
    ngrams = array("i", (x for ng, _ in items for x in (*ng, *[-1] * (order - len(ng)))))
    values = array("d", (c for _, c in items))
    compiled = _kernel(vocab, ngrams, values, order)
    assert compiled is not None
    assert compiled == _python(vocab, ngrams, values, order)
    # and the automaton of NgramLM compiled from the dict
    assert compiled == NgramLM(vocab, dict(items), order=order).to_arrays()


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    order=st.integers(1, 4),
    vocab=st.integers(1, 5),
    data=st.data(),
)
def test_kn_compile_matches_python_on_any_table(order: int, vocab: int, data: st.DataObject) -> None:
    """Any table: ids past the vocabulary, padding anywhere, repeated or empty n-grams, zero or negative
    counts. The kernel gives the Python code's arrays, or leaves the table to it (None); the public
    function gives the Python code's result or error."""
    row = st.lists(st.integers(-1, vocab + 2), min_size=order, max_size=order)
    rows = data.draw(st.lists(row, max_size=30))
    counts = st.one_of(st.sampled_from([1.0, 2.0, 0.0, -1.0, 3.5]), st.floats(1e-3, 1e3))
    values = array("d", data.draw(st.lists(counts, min_size=len(rows), max_size=len(rows))))
    ngrams = array("i", (x for r in rows for x in r))
    expected = _python(vocab, ngrams, values, order)
    compiled = _kernel(vocab, ngrams, values, order)
    if compiled is not None:
        assert compiled == expected
    try:
        public: object = compile_count_table(vocab, ngrams, values, order)
    except (ArithmeticError, ValueError, IndexError) as exc:
        public = type(exc)
    assert public == expected


def test_kn_compile_checks_its_arguments() -> None:
    with pytest.raises(TypeError):
        fastlm.kn_compile(3, 2, array("q", [1, -1]), array("d", [1.0]))
    with pytest.raises(TypeError):
        fastlm.kn_compile(3, 2, array("i", [1, -1]), array("f", [1.0]))
    with pytest.raises(ValueError):
        fastlm.kn_compile(3, 2, array("i", [1, -1, 2]), array("d", [1.0]))
    with pytest.raises(ValueError):
        fastlm.kn_compile(3, 0, array("i"), array("d"))
    with pytest.raises(ValueError):
        compile_count_table(3, array("i", [1, -1, 2]), array("d", [1.0]), 2)


def _automaton(**change: object) -> dict[str, object]:
    """A small well-formed automaton (3 states: root 0, start 1, 2), with some tables replaced."""
    tables: dict[str, object] = {
        "keys": array("q", [0 * 4 + 1, 1 * 4 + 2, 2 * 4 + 3]),
        "lp": array("f", [-1.0, -2.0, -0.5]),
        "next": array("i", [1, 2, 0]),
        "backoff": array("i", [-1, 0, 1]),
        "bow": array("f", [0.0, -0.25, -0.5]),
        "scalars": array("q", [1, 0]),
    }
    tables.update(change)
    return tables


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"backoff": array("i", [-1, -1, 1])},  # two roots
        {"backoff": array("i", [-1, -5, 1])},  # a backoff arc to no state
        {"backoff": array("i", [-1, 2, 1])},  # a loop (a backoff arc to a later state)
        {"backoff": array("i", [0, 0, 1])},  # the root backs off
        {"bow": array("f", [0.0, float("nan"), 0.0])},
        {"lp": array("f", [-1.0, float("-inf"), 0.0])},
        {"next": array("i", [1, 3, 0])},
        {"keys": array("q", [1, 6, 12])},  # an arc of state 3
        {"keys": array("q", [-1, 6, 11])},
        {"lp": array("f", [-1.0, -2.0])},
        {"bow": array("f", [0.0, 0.0])},
        {"scalars": array("q", [3, 0])},
        {"backoff": array("i"), "bow": array("f")},
        {"lp": array("d", [-1.0, -2.0, -0.5])},  # another type: the pure-Python check only
    ],
)
def test_compiled_automaton_check_is_the_python_check(change: dict[str, object]) -> None:
    t = _automaton(**change)
    args = (t["keys"], t["lp"], t["next"], t["backoff"], t["bow"], t["scalars"], 4)

    def outcome(check: object) -> str:
        try:
            check(*args)  # type: ignore[operator]
        except ValueError as exc:
            return str(exc)
        return "ok"

    python = outcome(_check_automaton_python)
    assert outcome(_check_automaton) == python
    assert (python == "ok") == (change == {} or ("lp" in change and t["lp"].typecode == "d"))  # type: ignore[union-attr]
    # the compiled check reads a typed view of a file as it reads an array
    views = {k: memoryview(v) if isinstance(v, array) else v for k, v in t.items()}
    if all(memoryview(v).format in "qfi" for v in views.values() if isinstance(v, memoryview)):
        assert outcome(lambda *a: _check_automaton(*(memoryview(x) for x in a[:6]), a[6])) == python


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=700), start=st.integers(0, 40), value=st.integers(0, 2**32 - 1))
def test_crc32_is_zlibs(data: bytes, start: int, value: int) -> None:
    """The compiled CRC-32 (carry-less multiplication where the processor has it, folding 64 and 16
    bytes at a time, the tail a byte at a time) is zlib.crc32, for any length, start and initial value."""
    import zlib

    view = memoryview(data)[min(start, len(data)) :]
    assert fastlm.crc32(view, value) == zlib.crc32(view, value)
    assert fastlm.crc32(view) == zlib.crc32(view)


def test_crc32_of_large_buffers_and_the_readers_helper() -> None:
    import zlib

    from lipyantar.translit.learned.modelfile import crc32

    data = random.Random(3).randbytes(3 << 20)
    for size in (64, 65, 79, 80, 127, 128, 4096 + 13, len(data)):
        assert fastlm.crc32(data[:size]) == zlib.crc32(data[:size]) == crc32(data[:size]), size
    assert crc32(memoryview(data)[5:]) == zlib.crc32(data[5:])
