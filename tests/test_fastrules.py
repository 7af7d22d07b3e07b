"""The compiled romanizer (lipyantar.translit._fastrules) gives exactly the output of the pure-Python rules."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipyantar.translit import rules
from lipyantar.translit.learned.learn import read_pairs
from lipyantar.translit.rules import romanize_word, romanize_word_python

fastrules = pytest.importorskip("lipyantar.translit._fastrules")
fast = fastrules.romanize_word

DAKSHINA = Path(__file__).resolve().parent.parent / "scripts" / "data" / "dakshina-hi"
TRAIN = DAKSHINA / "hi.translit.sampled.train.tsv"

DEVANAGARI = st.characters(min_codepoint=0x0900, max_codepoint=0x097F)
OTHER = st.sampled_from(
    [
        "a", "K", "z", "1", " ", "-", "\u200d", "\u200c", "\u0301", "é", "\u212a", "\u0950",
        "\u0929", "\u0958", "\u095f", "\u0951", "\u0952", "\U0001f600", "\u0995", "\u0a15",
    ]
)  # fmt: skip
ANY = st.characters(blacklist_categories=("Cs",))
CHARS = st.one_of(DEVANAGARI, DEVANAGARI, DEVANAGARI, DEVANAGARI, OTHER, ANY)

# consonants that the rules single out, vowel signs, virama, nukta, nasal marks, visarga, vowels
FOCUS = [
    *"कजञषणनमयरवसडपई",
    "\u093e", "\u093f", "\u0940", "\u0947", "\u094b", "\u094d", "\u093c", "\u0902", "\u0901",
    "\u0903", "अ", "आ", "इ", "ए", "ॐ", "\u0929", "\u095c", "x",
]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(word=st.text(alphabet=CHARS, max_size=16))
def test_random_text_matches_python(word: str) -> None:
    assert fast(word) == romanize_word_python(word)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(word=st.text(alphabet=st.sampled_from(FOCUS), min_size=1, max_size=14))
def test_random_aksharas_match_python(word: str) -> None:
    assert fast(word) == romanize_word_python(word)


@settings(max_examples=100, deadline=None)
@given(word=st.text(alphabet=CHARS, min_size=120, max_size=400))
def test_long_text_matches_python(word: str) -> None:
    """Past the on-stack buffers (128 code points) the compiled code allocates."""
    assert fast(word) == romanize_word_python(word)


def test_all_pairs_of_devanagari_match_python() -> None:
    alphabet = [chr(c) for c in range(0x0900, 0x0980)] + ["a", "Z", "1", "\u200d", "\u212a"]
    for length in (0, 1, 2):
        for chars in itertools.product(alphabet, repeat=length):
            word = "".join(chars)
            assert fast(word) == romanize_word_python(word), word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("कमरा", "kamra"),
        ("समझना", "samajhna"),
        ("कमला", "kamla"),
        ("उदयपुर", "udaypur"),
        ("जयपुर", "jaypur"),
        ("रामसिंह", "ramsingh"),
        ("सिंह", "singh"),
        ("उनकी", "unki"),
        ("इसमें", "ismen"),
        ("आपको", "aapko"),
        ("ना", "na"),
        ("मित्र", "mitra"),
        ("वाक्य", "vakya"),
        ("यज्ञ", "yagya"),
        ("कृष्ण", "krishna"),
        ("पाठकों", "pathakon"),
        ("अधिकरण", "adhikaran"),
        ("अग्निशमन", "agnishaman"),
        ("आज", "aaj"),
        ("दिखाइए", "dikhaiye"),
        ("स्वागत", "swagat"),
        ("ईश्वर", "ishwar"),
        ("क्षमा", "kshama"),
        ("त्रिशूल", "trishul"),
        ("\u0932\u0921\u093c\u0915\u093e", "ladka"),
        ("\u092a\u0922\u093c\u0928\u093e", "padhna"),
        ("\u0958\u093f\u0932\u093e", "qila"),  # precomposed nukta letter
        ("संबंध", "sambandh"),
        ("उन्होंने", "unhone"),
        ("हैं", "hain"),
        ("नहीं", "nahin"),
        ("में", "men"),
        ("अंतःकरण", "antahkaran"),
        ("संस्था", "sanstha"),
        ("ॐ", "om"),
        ("", ""),
        ("abc", "abc"),
        ("\u212a", "k"),  # KELVIN SIGN: NFC turns it into K
        ("१२३", ""),
    ],
)
def test_examples(word: str, expected: str) -> None:
    assert romanize_word_python(word) == expected
    assert fast(word) == expected


def test_train_lexicon_matches_python() -> None:
    if not TRAIN.exists():
        pytest.skip(f"{TRAIN} is not available")
    words = [native for native, _, _ in read_pairs(TRAIN)]
    assert len(words) > 40000
    bad = [(w, fast(w), romanize_word_python(w)) for w in words if fast(w) != romanize_word_python(w)]
    assert bad == []


def test_str_subclass() -> None:
    class Word(str):
        pass

    assert fast(Word("कमरा")) == "kamra"


@pytest.mark.parametrize("bad", [None, 3, b"\xe0\xa4\x95", ["क"]])
def test_non_str_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        fast(bad)
    with pytest.raises(TypeError):
        romanize_word_python(bad)  # type: ignore[arg-type]


def test_romanize_word_is_routed() -> None:
    if rules.FAST is None:
        pytest.skip("the compiled romanizer is switched off (LIPYANTAR_PURE_PYTHON)")
    assert rules.FAST is fastrules
    assert fastrules.RULES_VERSION == rules.RULES_VERSION
    assert rules._fast_romanize_word is fast
    assert romanize_word("कमरा") == "kamra"


# -- the consonant skeleton of a romanization (lipyantar.translit.learned.model.roman_skeleton) -------------------------
SKELETON_LETTERS = st.sampled_from([*"aeiouyhkgcjtdpbsfwzqxmnrlv", *"PHWZQXAY", "\n", " ", "-", "1", "\x00"])


@settings(max_examples=1500, deadline=None)
@given(st.text(SKELETON_LETTERS, max_size=14))
def test_compiled_skeleton_equals_python(roman: str) -> None:
    from lipyantar.translit.learned.variants import roman_skeleton_python

    assert fastrules.roman_skeleton(roman) == roman_skeleton_python(roman)


@pytest.mark.parametrize(
    "roman", ["", "a", "phphph", "pph", "xh", "chh", "kkhh", "aa\n\nbb", "Phir", "ZAROOR", "x" * 200, "shhh"]
)
def test_compiled_skeleton_edge_cases(roman: str) -> None:
    from lipyantar.translit.learned.model import roman_skeleton
    from lipyantar.translit.learned.variants import roman_skeleton_python

    assert fastrules.roman_skeleton(roman) == roman_skeleton_python(roman) == roman_skeleton(roman)


def test_compiled_skeleton_on_the_vendored_lexicon() -> None:
    from lipyantar.translit.learned.variants import roman_skeleton_python

    romans = sorted({r for _, r, _ in read_pairs(TRAIN)})
    assert len(romans) > 10_000
    assert [fastrules.roman_skeleton(r) for r in romans] == [roman_skeleton_python(r) for r in romans]


def test_skeleton_of_non_ascii_input_uses_python() -> None:
    from lipyantar.translit.learned.model import roman_skeleton
    from lipyantar.translit.learned.variants import roman_skeleton_python

    with pytest.raises(TypeError):
        fastrules.roman_skeleton("café")
    assert roman_skeleton("café") == roman_skeleton_python("café")

