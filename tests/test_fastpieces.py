"""The compiled piece converter of Devanagari → roman (lipyantar.translit._fastpieces) gives exactly the
output of the pure-Python path (``_FromDeva.convert`` with ``LearnedModel.romanize``) and leaves the same
memos: two loads of the default model, one converter on each, the same texts."""

from __future__ import annotations

import importlib
import itertools
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit import Normalizer, Transliterator
from lipyantar.translit.learned import model as model_module
from lipyantar.translit.learned.charalign import normalize_deva
from lipyantar.translit.learned.storage import DEFAULT_MODEL_NAME
from lipyantar.translit.tokenize import DEVA_WORD

fastpieces = pytest.importorskip("lipyantar.translit._fastpieces")
if importlib.import_module("lipyantar.translit.transliterate")._fastpieces() is None:
    pytest.skip("the compiled kernels are switched off (LIPYANTAR_PURE_PYTHON)", allow_module_level=True)

MODEL = Path(model_module.__file__).resolve().parent / "data" / DEFAULT_MODEL_NAME
DATA = Path(__file__).resolve().parent / "data"

# the code points of plain words (see translit/_fastpieces.c)
PLAIN = [chr(c) for c in range(0x0900, 0x0980) if not (0x0951 <= c <= 0x0954 or 0x0958 <= c <= 0x095F or 0x0964 <= c <= 0x0970)]


class Pair:
    """A compiled and a pure-Python Devanagari → roman converter, each on its own load of the model."""

    def __init__(self, **options: Any) -> None:
        self.models = [model_module.LearnedModel.load(MODEL) for _ in range(2)]
        self.fast, self.slow = (Transliterator("deva", "roman", model=m, **options) for m in self.models)
        self.slow.stages[0]._lookups = None  # type: ignore[attr-defined]
        assert self.fast.stages[0]._compiled() is not None  # type: ignore[attr-defined]

    def check(self, texts: list[str]) -> None:
        for text in texts:
            assert self.fast.transliterate(text) == self.slow.transliterate(text), text
        assert self.fast.transliterate_many(texts) == self.slow.transliterate_many(texts)
        assert self.fast.stages[0]._pieces == self.slow.stages[0]._pieces  # type: ignore[attr-defined]
        assert self.models[0]._best_cache == self.models[1]._best_cache

    def check_stage(self, texts: list[str]) -> None:
        """The stages themselves, on texts not normalized first (a nukta after न, a virama before a nukta)."""
        fast, slow = self.fast.stages[0], self.slow.stages[0]
        for text in texts:
            assert fast.convert(text) == slow.convert(text), text
        assert self.models[0]._best_cache == self.models[1]._best_cache


@pytest.fixture(scope="module")
def pair() -> Pair:
    return Pair()


@pytest.fixture(scope="module")
def words() -> list[str]:
    """Words of each kind the converter meets: of one memory row, of several (its first reading the
    rule-based one or not), of the precomputed table, unknown (searched)."""
    model = model_module.LearnedModel.load(MODEL)
    first, last = model.memory.d2r._spans
    one = [w for w, i in itertools.islice(first.items(), 0, 4000, 40) if last[w] == i]
    several = [w for w, i in itertools.islice(first.items(), 0, 40000, 50) if last[w] != i]
    table = list(itertools.islice(model.d2r_table, 0, 20000, 400))
    unknown = ["क्षत्रज्ञ", "ब्लॉगरों", "फ़िल्मकारी", "ड़ड़ड़", "ऩमर", "ऴ", "क्\u200dष", "रु\u0951द्र", "क़लम", "ग़\u094d"]
    # composed nukta letters that NFC keeps (ऩ ऱ ऴ), to be written decomposed
    composed = [w for w in itertools.chain(first, model.d2r_table) if any(c in w for c in "ऩऱऴ")][:20]
    return one + several + table + unknown + composed


def test_the_plain_code_points_are_devanagari_word_characters() -> None:
    """Every code point of a plain word starts and continues a Devanagari word of the tokenizer, and a
    run of them is its own normalization where the rules of plain words hold."""
    word = regex.compile(DEVA_WORD, regex.V1)
    for c in PLAIN:
        assert word.fullmatch(c) and word.fullmatch("क" + c), hex(ord(c))
    for a, b in itertools.product(PLAIN, repeat=2):
        nukta_after = b == "\u093c" and a in "नरळ"
        marks = a in "\u093c\u094d" and b in "\u093c\u094d"
        if not (nukta_after or marks):
            assert normalize_deva(a + b) == a + b, (hex(ord(a)), hex(ord(b)))


def test_sentences_convert_as_in_python(pair: Pair) -> None:
    lines = (DATA / "dakshina_dev_sentences_sample.tsv").read_text(encoding="utf-8").splitlines()
    pair.check([line.split("\t")[0] for line in lines])


_SEPARATORS = [" ", "  ", "", "।", "॥", "॰", ",", "-", "(", ")", '"', "१९", "12", "\u200d", "\u200c", "\u0951", "क़", "é", "x", "\t", "😀"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_texts_convert_as_in_python(pair: Pair, words: list[str], data: st.DataObject) -> None:
    token = st.one_of(
        st.sampled_from(words),
        st.sampled_from(words),
        st.sampled_from(_SEPARATORS),
        st.text(alphabet=st.sampled_from(PLAIN), min_size=1, max_size=8),
        st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x097F), min_size=1, max_size=6),
    )
    texts = data.draw(st.lists(st.lists(token, max_size=12).map("".join), min_size=1, max_size=4))
    pair.check(texts)
    pair.check_stage(texts)


def test_texts_not_normalized_convert_as_in_python(pair: Pair, words: list[str]) -> None:
    """Words whose normalization differs (न + nukta is ऩ, virama + nukta is reordered) reach the
    model's look-ups normalized, through Python."""
    decomposed = [w.replace("ऩ", "न\u093c").replace("ऱ", "र\u093c").replace("ऴ", "ळ\u093c") for w in words]
    texts = [" ".join(decomposed), "क\u094d\u093cष", "ड\u093c\u093cा", "ऩम न\u093cम"]
    texts += [w for w in decomposed if w not in words]
    pair.check_stage(texts)


def test_long_pieces_and_words_convert_as_in_python(pair: Pair, words: list[str]) -> None:
    """Pieces past 64 code points (not memoized) and past the stack buffer of the output."""
    texts = ["-".join(words[i : i + n]) for n in (5, 12, 30) for i in range(0, 60, 7)]
    texts += ["क" * 70, "क" * 64, "क" * 63 + "।", "कि" * 40 + " " + "ब" * 65]
    pair.check(texts)


@pytest.mark.parametrize("digits", ["keep", "deva", "ascii"])
def test_other_digit_options_convert_as_in_python(digits: str, words: list[str]) -> None:
    pair = Pair(digits=digits)
    pair.check([f"{w} १२३ 45।" for w in words[:50]] + ["२०१९ में", "सन् 1990 ई॰ में"])


def test_a_small_memo_limit_is_kept(pair: Pair, words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's memo is cleared past its limit by both paths alike."""
    monkeypatch.setattr(model_module._search, "WORD_CACHE_LIMIT", 7)
    small = Pair()
    small.check([" ".join(words[i : i + 9]) for i in range(0, 90, 9)])
    assert len(small.models[0]._best_cache) <= 8


def test_the_time_budget_is_checked(pair: Pair) -> None:
    from lipyantar.translit.budget import time_budget

    calls: list[int] = []
    conv = Transliterator("deva", "roman", model=model_module.LearnedModel.load(MODEL))
    with time_budget(lambda: calls.append(1)):
        conv.transliterate("यह एक नया वाक्य है")
    assert calls


def test_a_user_lexicon_turns_the_compiled_path_off(tmp_path: Path) -> None:
    lexicon = tmp_path / "my.tsv"
    lexicon.write_text("है\thaai\n", encoding="utf-8")
    conv = Transliterator("deva", "roman", model=model_module.LearnedModel.load(MODEL), lexicon=lexicon)
    assert conv.stages[0]._compiled() is None  # type: ignore[attr-defined]
    assert conv.transliterate("यह है।") == "yah haai."


# ------------------------------------------------------------------------------------------ known_nfc

_NFC_CHARS = [chr(c) for c in (*range(0x80), *range(0x0900, 0x0980), 0xA0, 0x200C, 0x200D, *range(0x2010, 0x2028))]


def test_known_nfc_pairs_are_in_nfc() -> None:
    """Every pair of the code points that known_nfc accepts, when it accepts the pair, is in NFC (the
    rules leave nothing to compose or reorder: a pair is where that would show)."""
    known = fastpieces.known_nfc
    accepted = 0
    for a, b in itertools.product(_NFC_CHARS, repeat=2):
        if known(a + b):
            accepted += 1
            assert unicodedata.normalize("NFC", a + b) == a + b, (hex(ord(a)), hex(ord(b)))
    assert accepted > 60_000
    assert not known("न\u093c") and not known("क\u094d\u093c") and not known("\u0958") and not known("é")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_NFC_CHARS), st.characters()), max_size=40))
def test_known_nfc_is_never_wrong_and_normalize_is_unchanged(text: str) -> None:
    if fastpieces.known_nfc(text):
        assert unicodedata.normalize("NFC", text) == text
    normalizer = Normalizer()
    slow = importlib.import_module("lipyantar.translit.normalize")
    expected = unicodedata.normalize("NFC", text)
    for form in (text, expected):
        out = normalizer(form)
        original = slow._known_nfc
        try:
            slow._known_nfc = lambda: None  # the pure-Python path
            assert normalizer(form) == out
        finally:
            slow._known_nfc = original


def test_small_piece_memos_are_kept(words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage's piece memo cleared past a small limit (the compiled memo in front of it with it): the
    same text and memos as Python's."""
    module = importlib.import_module("lipyantar.translit.transliterate")
    monkeypatch.setattr(module, "_CACHE_SIZE", 5)
    small = Pair()
    texts = [" ".join(words[i : i + 4]) + "।" for i in range(0, 120, 3)]
    small.check(texts * 2)
    memo = small.fast.stages[0]._memo  # type: ignore[attr-defined]
    assert memo is not None and len(memo) <= 6


def test_the_memo_holds_at_most_its_limit() -> None:
    memo = fastpieces.Memo(3)
    assert len(memo) == 0
    with pytest.raises(ValueError):
        fastpieces.Memo(0)
    model = model_module.LearnedModel.load(MODEL)
    conv = Transliterator("deva", "roman", model=model)
    stage = conv.stages[0]
    lookups = (*stage._compiled()[:-1], memo)  # type: ignore[attr-defined]
    for text in ["क ख ग", "घ च छ", "क ख ग ज"]:
        assert fastpieces.convert(text, stage._pieces, lookups) == conv.transliterate(text)  # type: ignore[attr-defined]
        assert len(memo) <= 3
    memo.clear()
    assert len(memo) == 0


def test_words_the_memory_knows_do_not_build_the_table(words: list[str]) -> None:
    """The compiled converter asks for the precomputed table only when a word is not in the memory."""
    model = model_module.LearnedModel.load(MODEL)
    first, last = model.memory.d2r._spans
    known = [w for w, i in itertools.islice(first.items(), 0, 2000, 20) if last[w] == i]
    conv = Transliterator("deva", "roman", model=model)
    conv.transliterate(" ".join(known))
    assert "d2r_table" not in model.__dict__
    table_word = next(w for w in model_module.LearnedModel.load(MODEL).d2r_table if w not in first)
    assert conv.transliterate(table_word) == model.d2r_table[table_word][0]
    assert "d2r_table" in model.__dict__


@pytest.mark.parametrize("change", [{}, {"d2r.loan_score": -12.0}, {"d2r.loanwords": False}])
def test_loanwords_of_the_table_convert_as_in_python(words: list[str], change: dict) -> None:
    """Table words that are English loanwords (अटेंशन attention): read from the packaged readings (the
    shipped parameters) or left to romanize (other parameters), as the Python path decides them."""
    pair = Pair()
    table = pair.models[0].d2r_table
    loans = [w for w in itertools.islice(table, 0, len(table), 7) if pair.models[0]._loanword(w, table[w][1])]
    pair.models = [m.with_params(change) for m in pair.models]
    pair.fast, pair.slow = (Transliterator("deva", "roman", model=m) for m in pair.models)
    pair.slow.stages[0]._lookups = None  # type: ignore[attr-defined]
    assert len(loans) > 100
    pair.check([" ".join(loans[i : i + 9]) for i in range(0, len(loans), 9)] + [" ".join(words)])
