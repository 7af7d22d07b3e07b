"""The compiled character model of the language tables (``lipyantar.translit._fastwordlang``) gives the log
probabilities of the pure-Python reference (:meth:`CharLM.logprob_python`), and the Python code runs
without it with the same results."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit import wordlang
from lipyantar.translit.wordlang import CharLM, load_tables

fastwordlang = wordlang.FAST
needs_kernel = pytest.mark.skipif(
    fastwordlang is None, reason="the compiled character model is not built or switched off"
)

LANGUAGES = ("hi-Latn", "en", "fa", "ur", "ar")


def _alphabet(language: str) -> list[str]:
    return sorted({ch for gram in load_tables().char_lm(language).counts for ch in gram})


#: words made of the model's letters mostly, with characters no n-gram has (unknown to the model), the
#: boundary marks inside a word, and any other character
WORDS = st.text(
    alphabet=st.one_of(
        st.sampled_from(_alphabet("hi-Latn") + _alphabet("fa")),
        st.sampled_from(["<", ">", "é", "ß", "\u0600", "\u200c", " ", "\U0001f600", "क"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=40,
)


@needs_kernel
@settings(max_examples=500, deadline=None)
@given(word=WORDS, language=st.sampled_from(LANGUAGES))
def test_compiled_log_probabilities_equal_the_python_ones(word: str, language: str) -> None:
    lm = load_tables().char_lm(language)
    assert lm._fast is not None
    fast, ref = lm.logprob(word), lm.logprob_python(word)
    assert abs(fast - ref) <= 1e-9
    assert fast == ref  # to the last bit, in fact: the outputs of build depend on it


@needs_kernel
@settings(max_examples=200, deadline=None)
@given(
    counts=st.dictionaries(st.text(alphabet="abc<>", min_size=1, max_size=3), st.integers(0, 10**6), max_size=40),
    word=st.text(alphabet="abcd<>", max_size=12),
)
def test_random_tables_score_alike(counts: dict[str, int], word: str) -> None:
    """Tables of any shape: n-grams without their history, counts of 0, an empty model."""
    lm = CharLM(counts, 3)
    assert lm._fast is not None
    assert lm.logprob(word) == lm.logprob_python(word)


@needs_kernel
@pytest.mark.parametrize(
    ("counts", "order"),
    [
        ({"abcd": 1}, 3),  # an n-gram longer than the order
        ({"": 1}, 3),  # an empty n-gram
        ({"a": -1}, 3),  # a negative count
        ({"a": 2**60}, 3),  # a count beyond exact doubles
        ({"ab": 2**32}, 3),  # a count beyond 32 bits
        ({"ab": 2**31, "ac": 2**31}, 3),  # a history's counts adding up beyond 32 bits
        ({chr(0x61 + k): 2**52 for k in range(3)}, 3),  # unigram counts adding up beyond exact doubles
        ({"a": 1.5}, 3),  # not an int
        ({"".join(map(chr, range(0x4E00, 0x4E00 + 3000))): 1}, 9),  # beyond the largest order
        ({chr(0x4E00 + k): 1 for k in range(5000)} | {"a" * 6: 1}, 6),  # ids too wide to pack 6 of them
    ],
)
def test_tables_the_kernel_cannot_hold_run_in_python(counts: dict[str, object], order: int) -> None:
    with pytest.raises(ValueError):
        fastwordlang.CharModel(counts, order)
    lm = CharLM(counts, order)  # type: ignore[arg-type]
    assert lm._fast is None
    if all(isinstance(v, int) and v >= 0 for v in counts.values()) and "" not in counts:
        assert lm.logprob("ab") == lm.logprob_python("ab")


@needs_kernel
def test_kernel_checks_its_arguments() -> None:
    model = fastwordlang.CharModel({"a": 1}, 2)
    with pytest.raises(TypeError):
        model.logprob(b"a")
    with pytest.raises(TypeError):
        fastwordlang.CharModel([("a", 1)], 2)
    with pytest.raises(ValueError):
        fastwordlang.CharModel({"a": 1}, 0)
    with pytest.raises(RuntimeError):
        fastwordlang.CharModel.__new__(fastwordlang.CharModel).logprob("a")


def test_long_words_and_the_packaged_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long words (past the kernel's stack buffer) and common words score alike compiled and in Python,
    and the Python path (no kernel) gives the same scores through :meth:`CharLM.logprob`."""
    tables = load_tables()
    words = ["hai", "landfill", "", "a" * 200, "naïve", "xyzzyq", "khushi", "کتاب"]
    for language in LANGUAGES:
        lm = tables.char_lm(language)
        expected = [lm.logprob_python(w) for w in words]
        assert [lm.logprob(w) for w in words] == expected
        monkeypatch.setattr(wordlang, "FAST", None)  # as LIPYANTAR_PURE_PYTHON=1 or no compiler
        plain = CharLM(lm.counts, lm.order)
        assert plain._fast is None
        assert [plain.logprob(w) for w in words] == expected
        monkeypatch.undo()


def test_char_models_pickle() -> None:
    lm = load_tables().char_lm("en")
    clone = pickle.loads(pickle.dumps(lm))
    assert clone.order == lm.order and (clone._fast is None) == (lm._fast is None)
    assert clone.logprob("hello") == lm.logprob("hello")


def test_pure_python_switch() -> None:
    """``LIPYANTAR_PURE_PYTHON=1``: no kernel, the Python code, the same log probabilities."""
    code = (
        "from lipyantar.translit import wordlang\n"
        "lm = wordlang.load_tables().char_lm('hi-Latn')\n"
        "print(wordlang.FAST is None, lm._fast is None, repr(lm.logprob('bahut')))"
    )
    env = {**os.environ, "LIPYANTAR_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    expected = load_tables().char_lm("hi-Latn").logprob_python("bahut")
    assert out.stdout.split() == ["True", "True", repr(expected)]
