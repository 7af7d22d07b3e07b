"""Devanagari → roman loads only what it uses: the word model's unigram prior is read from its columns
(:class:`~lipyantar.translit.learned.langmodel.UnigramPrior`) with the same values as the word model's,
and converting text builds neither the word model nor the roman → Devanagari structures."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit.learned import model as model_module
from lipyantar.translit.learned.langmodel import UnigramPrior, WordLM
from lipyantar.translit.learned.storage import DEFAULT_MODEL_NAME

_words = st.text(alphabet="कखगािीु", min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(_words, st.one_of(st.floats(0.01, 1e6), st.just(0.0)), max_size=30),
    st.lists(_words, max_size=10),
)
def test_the_prior_of_sorted_columns_is_the_word_models(prior: dict[str, float], asked: list[str]) -> None:
    words = sorted(prior)
    values = [prior[w] for w in words]
    wordlm = WordLM(["", "<unk>"], {}, order=1, prior=None, prior_columns=(words, values))
    found = UnigramPrior.of(words, values)
    assert found is not None
    for word in [*words, *asked]:
        assert found.unigram(word) == wordlm.unigram(word), word


def test_columns_out_of_order_or_repeated_are_left_to_the_word_model() -> None:
    assert UnigramPrior.of(["ख", "क"], [1.0, 2.0]) is None
    assert UnigramPrior.of(["क", "क"], [1.0, 2.0]) is None
    assert UnigramPrior.of([], []) is not None


def test_the_default_models_prior_without_the_word_model() -> None:
    path = Path(model_module.__file__).parent / "data" / DEFAULT_MODEL_NAME
    model = model_module.LearnedModel.load(path)
    words = ["वे", "है", "और", "किताब", "नहींनहीं", ""]
    found = [model._logprior(w) for w in words]
    assert "wordlm" not in model.__dict__
    expected = [model.wordlm.unigram(w) for w in words]
    assert found == expected
    assert found[0] is not None and math.isfinite(found[0]) and found[-2] is None


def test_devanagari_to_roman_builds_only_its_components() -> None:
    code = (
        "from lipyantar.translit import Transliterator\n"
        "from lipyantar.translit.learned.model import default_model\n"
        "out = Transliterator('deva', 'roman').transliterate('वे काम कर रहे हैं। एक साल बाद बस आई। क्षत्रियाणां')\n"
        "model = default_model()\n"
        "print(out)\n"
        "print(' '.join(sorted(n for n in ('wordlm', 'vocab_index', 'charlm', 'english') if n in model.__dict__)))\n"
        "print(model._vocab_obj is None, sorted(model.joint._pruned_sides()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    text, built, rest = done.stdout.splitlines()
    assert text.split()[0] == "ve"
    assert built == ""
    assert rest == "True [1]"


def test_the_pronunciations_without_the_english_model() -> None:
    """The file's pronunciation table read alone gives the English model's pronunciations, and the order
    of a word's attested readings (which asks whether a reading sounds English) is the same with it."""
    path = Path(model_module.__file__).parent / "data" / DEFAULT_MODEL_NAME
    alone, whole = (model_module.LearnedModel.load(path) for _ in range(2))
    english = whole.english
    assert english is not None
    words = ["office", "hello", "he", "main", "station", "zzzq", "", "a", "o'neil", "ज़"]
    words += sorted(english._lookup())[::997]
    prons = alone._pronouncer()
    assert "english" not in alone.__dict__ and prons is not None
    for word in words:
        assert prons.pronunciations(word) == english.pronunciations(word), word
    first, last = alone.memory.d2r._spans
    several = [w for w, i in first.items() if last[w] != i][:3000]
    assert [alone._memory_ranked(w, alone.memory.d2r[w]) for w in several] == [
        whole._memory_ranked(w, whole.memory.d2r[w]) for w in several
    ]
    assert "english" not in alone.__dict__ and "english" in whole.__dict__


def test_a_searched_word_is_romanized_and_memoized_as_romanize_topk_does() -> None:
    """romanize's own way to the search (a word neither attested nor tabled) gives romanize_topk's
    answer, loanwords included, and leaves the same memo entry."""
    model = model_module.default_model()
    words = ["अटेंशन", "इन्फेंट्री", "ब्लॉकचेन", "क्षत्रियाणां", "अटेंशनवाला", "ऑस्करों", "झझझ"]
    searched = [w for w in words if not model.memory.d2r.get(w) and w not in model.d2r_table]
    assert len(searched) >= 4
    assert model.romanize("अटेंशन") == "attention"  # a loanword among them
    model.clear_cache()
    expected = {w: model.romanize_topk(w, 1) for w in searched}
    memo = {w: model._d2r_cache[(w, 1)] for w in searched}
    model.clear_cache()
    for w in searched:
        assert model.romanize(w) == expected[w][0][0]
        assert model._d2r_cache[(w, 1)] == memo[w]
        assert model.romanize_topk(w, 1) == expected[w]
