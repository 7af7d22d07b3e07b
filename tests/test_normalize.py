from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lipyantar.translit import Normalizer, normalize


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("\u0958लम", {}, "\u0915\u093cलम"),  # precomposed क़ -> क + nukta (the NFC form)
        ("\u0915\u093cलम", {}, "\u0915\u093cलम"),
        ("\u0915\u093cलम", {"nukta": "composed"}, "\u0958लम"),
        ("\u095eर्क", {"nukta": "composed"}, "\u095eर्क"),
        ("क्\u200dष", {}, "क्ष"),  # ZWJ stripped by default
        ("क्\u200cष", {"zero_width": "keep"}, "क्\u200cष"),
        ("\ufeffनमस्ते", {}, "नमस्ते"),  # BOM
        ("एक\r\nदो\rतीन", {}, "एक\nदो\nतीन"),
        ("a\r\nb", {}, "a\nb"),
        ("राम आया|", {}, "राम आया।"),
        ("राम आया ||", {}, "राम आया ॥"),
        ("राम आया।।", {}, "राम आया॥"),
        ("a | b", {}, "a | b"),  # a pipe between Latin words is not a danda
        ("राम आया|", {"danda": "keep"}, "राम आया|"),
        ("सन १९५२", {"digits": "ascii"}, "सन 1952"),
        ("सन 1952", {"digits": "deva"}, "सन १९५२"),
        ("year 1952", {"digits": "deva"}, "year १९५२"),
        ("सन १९५२", {}, "सन १९५२"),
    ],
)
def test_normalize_table(text: str, options: dict[str, str], expected: str) -> None:
    assert normalize(text, **options) == expected


@pytest.mark.parametrize("option", ["nukta", "zero_width", "danda", "digits"])
def test_invalid_option_is_an_error(option: str) -> None:
    with pytest.raises(ValueError, match=option):
        Normalizer(**{option: "bogus"})


devanagari_text = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x0900, 0x0980)] + ["\u200c", "\u200d", " ", "|", "a"]),
    max_size=40,
)


@given(devanagari_text)
def test_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u200c" not in once and "\u200d" not in once


@given(devanagari_text)
def test_composed_and_decomposed_nukta_agree(text: str) -> None:
    composed = normalize(text, nukta="composed")
    assert normalize(composed) == normalize(text)


def test_stripping_zero_width_joiners_keeps_nfc() -> None:
    # found by hypothesis: the ZWNJ kept two combining marks in non-canonical order apart
    text = "\u0951\u200c\u0952"
    out = normalize(text)
    assert unicodedata.is_normalized("NFC", out)
    assert normalize(normalize(text, nukta="composed")) == out


# -- idempotence and line breaks over random text, every option ------------------------------------
LINE_BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]
messy_text = st.text(
    alphabet=st.one_of(
        st.sampled_from([chr(c) for c in range(0x0900, 0x0980)]),
        st.sampled_from(["|", "।", "॥", " ", "\t", "\u00a0", "\ufeff", "\u200c", "\u200d", "1", "a", "."]),
        st.sampled_from(LINE_BREAKS),
        st.characters(),  # anything at all
    ),
    max_size=30,
)
options = st.fixed_dictionaries(
    {
        "nukta": st.sampled_from(["decomposed", "composed"]),
        "zero_width": st.sampled_from(["strip", "keep"]),
        "danda": st.sampled_from(["unify", "keep"]),
        "digits": st.sampled_from(["keep", "ascii", "deva"]),
        "newlines": st.booleans(),
    }
)


@settings(max_examples=400, deadline=None)
@given(messy_text, options)
@example("\ufeff", {"nukta": "decomposed", "zero_width": "strip", "danda": "unify", "digits": "keep", "newlines": False})
def test_normalize_is_idempotent_and_keeps_every_line_break(text: str, opts: dict[str, object]) -> None:
    once = normalize(text, **opts)  # type: ignore[arg-type]
    assert normalize(once, **opts) == once  # type: ignore[arg-type]
    # as many line breaks (a last line that was only a stripped character, such as a BOM, may go: a
    # letter after each text keeps a last line to count)
    assert len((once + "x").splitlines()) == len((text + "x").splitlines())


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("1|", {"digits": "deva"}, "१।"),  # was '१|', and '१।' only on a second pass
        ("१|", {"digits": "ascii"}, "1।"),
        ("\ufeff\ufeffक", {}, "क"),  # was one BOM per pass
        ("\u200d\ufeffक", {}, "क"),
        ("।\n।", {}, "।\n।"),  # was '॥': two lines joined
        ("क|\n|", {}, "क।\n|"),
        ("क।\u2028।", {}, "क।\u2028।"),
        ("क। ।", {}, "क॥"),  # a space is not a line break
    ],
)
def test_normalize_regressions(text: str, options: dict[str, str], expected: str) -> None:
    assert normalize(text, **options) == expected


def test_transliterate_keeps_a_line_break_between_dandas() -> None:
    from lipyantar.translit import transliterate

    assert transliterate("क।\n।ख", "deva", "iast").count("\n") == 1


@pytest.mark.parametrize(
    "text", ["क।", "क।।", "क। ।", "क।\u00a0।", "क।\t।", "क।\n।", "।", "।।।", "क। ख। ग", "।  ।", "क॥।"]
)
def test_double_dandas_as_the_pattern_makes_them(text: str) -> None:
    """Two dandas in a row (a horizontal space between allowed) become one double danda, as the pattern
    makes them (normalize skips it for a text with at most one danda)."""
    pattern = sys.modules["lipyantar.translit.normalize"]._DOUBLE_DANDA_RE
    assert normalize(text) == pattern.sub("॥", text)


_NORMAL_ALPHABET = "कखनरऴ्ािींः।॥|  \u00a0\t\r\n\u200c\u200d\ufeffab1२क़\u0951\u2013😀"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_NORMAL_ALPHABET, max_size=14))
def test_the_compiled_plain_check_only_passes_what_normalization_leaves(text: str) -> None:
    """Normalizer() returns a text that the compiled check finds plain at once: such a text must be
    what the full normalization gives back unchanged, and the result is the same either way."""
    fast = pytest.importorskip("lipyantar.translit._fastpieces")
    full = Normalizer()
    object.__setattr__(full, "_plain", None)  # the rules, every one
    if fast.plain_normal(text):
        assert full(text) == text
    assert Normalizer()(text) == full(text)


def test_the_plain_check_is_taken_by_the_default_options_only() -> None:
    assert Normalizer()._plain is not None or pytest.importorskip("lipyantar.translit._fastpieces") is None
    assert Normalizer(digits="ascii")._plain is None
    assert Normalizer(nukta="composed")("क\u093c") == "\u0958"
